//! `strata report`: the insight report as one HTML file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use strata_charts::Lang;
use strata_store::{PROFILE_OPERATION, Workspace};

use crate::analyze;
use crate::query;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportLang {
    /// 简体中文
    Zh,
    /// English
    En,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Language of the report.
    #[arg(long, value_enum, default_value = "zh", env = "STRATA_LANG")]
    pub lang: ReportLang,
    /// Where to write it (default: report.html, or report-en.html, in the workspace folder).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Analysis date when the customer table has to be (re)computed first.
    #[arg(long, env = "STRATA_AS_OF")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Whether the customer table is missing or older than the latest import.
fn stale(ws: &Workspace) -> bool {
    let history = &ws.manifest().history;
    let analysed = history
        .iter()
        .rposition(|h| h.operation == PROFILE_OPERATION);
    match analysed {
        None => true,
        Some(at) => history[at + 1..]
            .iter()
            .any(|h| h.operation != PROFILE_OPERATION),
    }
}

/// The churn model whose scores the customer table carries, if any.
fn scored_with(ws: &Workspace) -> Option<String> {
    let path = ws
        .part_paths(strata_features::PROFILE_TABLE)
        .into_iter()
        .next()?;
    let schema = strata_store::part_schema(&path).ok()?;
    schema.metadata().get("strata.churn_model").cloned()
}

pub fn run(ws_dir: &Path, args: &ReportArgs) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let (cfg, tz) = analyze::settings(ws_dir, args.as_of)?;
    // A table written by an older Strata has metadata this one cannot read: recompute it too.
    let readable = matches!(strata_features::read_meta(&ws), Ok(Some(_)));
    let model = crate::churn::usable_model(&ws);
    // A model trained since the table was computed: its scores belong in the table.
    let unscored = model
        .as_ref()
        .is_some_and(|m| scored_with(&ws).as_deref() != Some(m.version.as_str()));
    if stale(&ws) || !readable || unscored || args.as_of.is_some() {
        println!("computing the customer table first (strata analyze)");
        analyze::analyze(&ws, &cfg, &tz)?;
    }
    let ws = Workspace::open(ws_dir)?;
    let meta = strata_features::read_meta(&ws)?
        .context("the workspace has no customer table; run `strata analyze` first")?;
    let lang = match args.lang {
        ReportLang::Zh => Lang::Zh,
        ReportLang::En => Lang::En,
    };
    let out = args.out.clone().unwrap_or_else(|| {
        ws_dir.join(match lang {
            Lang::Zh => "report.html",
            Lang::En => "report-en.html",
        })
    });
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M");
    let generated = match lang {
        Lang::Zh => format!("生成于 {now}"),
        Lang::En => format!("Generated {now}"),
    };
    let ctx = strata_store::session(&ws)?;
    let html = query::runtime()?.block_on(strata_report::render(
        &ctx,
        &meta,
        model.as_ref(),
        lang,
        generated,
    ))?;
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = tempfile::Builder::new()
        .prefix(".strata-report")
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot write to the folder of {}", out.display()))?;
    std::fs::write(tmp.path(), html.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    crate::export::readable_by_all(tmp.as_file())?;
    tmp.persist(&out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote the report ({} KB) to {}",
        html.len().div_ceil(1024),
        out.display()
    );
    Ok(())
}
