//! `strata report`: the insight report as one HTML file.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use strata_app::{Lang, Result};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    /// 简体中文
    Zh,
    /// English
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Language of the report.
    #[arg(long, value_enum, default_value = "zh", env = "STRATA_LANG")]
    pub lang: LangArg,
    /// Where to write it (default: report.html, or report-en.html, in the workspace folder).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Analysis date when the customer table has to be (re)computed first.
    #[arg(long, env = "STRATA_AS_OF", value_parser = crate::date)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// The generated-at time as the report shows it.
pub fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M").to_string()
}

pub fn run(ws: &Path, a: &ReportArgs) -> Result<()> {
    let mut session = crate::analyze::open_as_of(ws, a.as_of)?;
    let lang = Lang::from(a.lang);
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| strata_app::report::default_path(ws, lang));
    let rendered = strata_app::report::render(&mut session, lang, &now(), a.as_of.is_some())?;
    if let Some((_, analysis)) = &rendered.recomputed {
        println!(
            "computing the customer table first (strata analyze), {}",
            analysis.as_of.describe()
        );
    }
    crate::analyze::warn(&rendered.warnings);
    strata_app::report::write(&out, &rendered.html)?;
    println!(
        "wrote the report ({} KB) to {}",
        rendered.html.len().div_ceil(1024),
        out.display()
    );
    Ok(())
}
