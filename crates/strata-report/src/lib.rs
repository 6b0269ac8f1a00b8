//! The insight report: what an operations team reads. One self-contained HTML file (inline SVG
//! charts, no scripts, no requests), 简体中文 or English, built from the customer table and the
//! orders through SQL on the workspace session.
//!
//! Sections follow the source reports: overview, value and tiers, then a methods appendix that
//! states every definition and threshold the numbers rest on. Each section is a function that
//! runs its queries and returns blocks; `strata-charts` draws them.

mod behaviour;
mod churn;
mod i18n;
mod query;
mod sections;

use datafusion::prelude::SessionContext;
use strata_charts::{Lang, Report};
use strata_features::AnalysisMeta;

pub use i18n::label;

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

/// The report's generated-at line for the time `at`, as shown.
pub fn generated_line(lang: Lang, at: &str) -> String {
    match lang {
        Lang::Zh => format!("生成于 {at}"),
        Lang::En => format!("Generated {at}"),
    }
}

/// Renders the report for the customer table described by `meta`, registered in `ctx` with the
/// orders it came from. `generated` is the generated-at line, as the caller wants it shown.
pub async fn render(
    ctx: &SessionContext,
    meta: &AnalysisMeta,
    churn: Option<&strata_churn::ChurnModel>,
    lang: Lang,
    generated: String,
) -> Result<String> {
    let t = |zh, en| i18n::tr(lang, zh, en).to_string();
    let mut report = Report::new(t("客户洞察报告", "Customer insight report"), lang);
    report.subtitle = match lang {
        Lang::Zh => format!(
            "截至 {} · {} 位客户 · 时区 {}",
            meta.as_of, meta.customers, meta.timezone
        ),
        Lang::En => format!(
            "As of {} · {} customers · time zone {}",
            meta.as_of, meta.customers, meta.timezone
        ),
    };
    report.generated = generated;
    let cx = sections::Cx { ctx, meta, lang };
    let mut list = vec![sections::overview(&cx).await?, sections::value(&cx).await?];
    if let Some(s) = sections::lifetime_value(&cx).await? {
        list.push(s);
    }
    list.push(sections::types_and_lifecycle(&cx).await?);
    list.push(behaviour::behaviour(&cx).await?);
    if let Some(s) = churn::churn(&cx, churn).await? {
        list.push(s);
    }
    list.push(sections::methods(&cx).await?);
    report.sections = list;
    report.footer = Some(t(
        "由 Strata 生成。所有数字来自本工作区的数据，定义见“方法说明”。",
        "Made by Strata from this workspace's data; definitions are in the methods appendix.",
    ));
    Ok(report.to_html())
}
