//! The insight report: what an operations team reads. One self-contained HTML file (inline SVG
//! charts, no scripts, no requests), 简体中文 or English, built from the customer table and the
//! orders through SQL on the workspace session.
//!
//! Chapters follow the source reports: overview, value and tiers, lifetime value, types,
//! behaviour, churn, then a methods appendix that states every definition and threshold the
//! numbers rest on. Each chapter (`chapters/`) runs its queries and returns blocks, built in
//! named parts; every word comes from `i18n/`; `strata-charts` draws them.

mod chapters;
mod format;
mod i18n;
mod query;

use datafusion::prelude::SessionContext;
use strata_charts::{Lang, Report};
use strata_features::AnalysisMeta;

pub use i18n::label;
pub use i18n::report::generated_line;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Renders the report for the customer table described by `meta`, registered in `ctx` with the
/// orders it came from. `generated` is the generated-at line, as the caller wants it shown.
pub async fn render(
    ctx: &SessionContext,
    meta: &AnalysisMeta,
    churn: Option<&strata_churn::ChurnModel>,
    lang: Lang,
    generated: String,
) -> Result<String> {
    use i18n::report as t;
    let mut report = Report::new(t::title(lang), lang);
    report.subtitle = t::subtitle(lang, meta.as_of, meta.customers, &meta.timezone);
    report.generated = generated;
    let cx = chapters::Cx { ctx, meta, lang };
    let mut list = vec![chapters::overview(&cx).await?, chapters::value(&cx).await?];
    if let Some(s) = chapters::lifetime_value(&cx).await? {
        list.push(s);
    }
    list.push(chapters::types_and_lifecycle(&cx).await?);
    list.push(chapters::behaviour(&cx).await?);
    if let Some(s) = chapters::churn(&cx, churn).await? {
        list.push(s);
    }
    if let Some(s) = chapters::segments(&cx).await? {
        list.push(s);
    }
    list.push(chapters::methods(&cx).await?);
    report.sections = list;
    report.footer = Some(t::footer(lang));
    Ok(report.to_html())
}
