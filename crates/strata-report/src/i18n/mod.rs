//! Every word the report writes, in 简体中文 and English: one function per message, taking the
//! message's arguments and the language. Chapter code holds no prose of its own; it calls these.
//!
//! Fixed texts are declared with `texts!` (one line, both languages side by side); messages with
//! arguments are plain functions with one `format!` per language. Each chapter has its module,
//! named like the chapter's; `common` holds the words several chapters use.

use strata_charts::Lang;

/// Picks the text for the language.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Declares one function per fixed text: `name: "中文", "English";` becomes
/// `pub fn name(lang: Lang) -> String`.
macro_rules! texts {
    ($($name:ident: $zh:literal, $en:literal;)*) => {
        $(
            pub fn $name(lang: ::strata_charts::Lang) -> String {
                $crate::i18n::tr(lang, $zh, $en).to_string()
            }
        )*
    };
}

pub mod behaviour;
pub mod churn;
pub mod clv;
pub mod common;
mod labels;
pub mod methods;
pub mod overview;
pub mod report;
pub mod segments;
pub mod types;
pub mod value;

pub use labels::{class_action, label, segment_action};
