//! The page around the chapters: title, subtitle and footer.

use std::fmt::Display;

use strata_charts::Lang;

texts! {
    title: "客户洞察报告", "Customer insight report";
    footer: "由 Strata 生成。所有数字来自本工作区的数据，定义见“方法说明”。", "Made by Strata from this workspace's data; definitions are in the methods appendix.";
}

pub fn subtitle(lang: Lang, as_of: impl Display, customers: u64, timezone: &str) -> String {
    match lang {
        Lang::Zh => format!("截至 {as_of} · {customers} 位客户 · 时区 {timezone}"),
        Lang::En => format!("As of {as_of} · {customers} customers · time zone {timezone}"),
    }
}

/// The report's generated-at line for the time `at`, as shown.
pub fn generated_line(lang: Lang, at: &str) -> String {
    match lang {
        Lang::Zh => format!("生成于 {at}"),
        Lang::En => format!("Generated {at}"),
    }
}
