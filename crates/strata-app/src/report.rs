//! The insight report: rendered to a string from a current customer table, recomputing the
//! table first when it is not (the freshness decision is [`crate::analyze::staleness`]).

use std::path::{Path, PathBuf};

use strata_charts::Lang;
use strata_store::fsutil::{Visibility, write_bytes_atomic};

use crate::analyze::{self, Analysis, Staleness};
use crate::error::Result;
use crate::session::{Session, block_on};

/// A rendered report.
#[derive(Debug)]
pub struct Rendered {
    pub html: String,
    /// The customer table was computed first, and why.
    pub recomputed: Option<(Staleness, Analysis)>,
    pub warnings: Vec<String>,
}

/// Renders the report in `lang`, computing the customer table first when it is missing, older
/// than the data, unreadable or not scored by the current churn model, or when `recompute`
/// (the user asked for an analysis date). `generated` is the generated-at time as shown.
pub fn render(
    session: &mut Session,
    lang: Lang,
    generated: &str,
    recompute: bool,
) -> Result<Rendered> {
    let (model, warning) = analyze::usable_model(&session.ws);
    let mut warnings: Vec<String> = warning.into_iter().collect();
    let stale = analyze::staleness(&session.ws, model.as_ref());
    let recomputed = match stale.or(recompute.then_some(Staleness::Asked)) {
        Some(why) => {
            let analysis = analyze::analyze(session)?;
            // `analyze` reports an unusable model itself.
            warnings.clear();
            warnings.extend(analysis.warnings.iter().cloned());
            Some((why, analysis))
        }
        None => None,
    };
    let meta = analyze::stored_meta(&session.ws)?;
    if recomputed.is_none() {
        // A freshly computed table brought its own; a stored one is checked here.
        warnings.extend(crate::dates::AsOf::of(&meta).past_data_warning());
    }
    let ctx = strata_store::session(&session.ws)?;
    let generated = strata_report::generated_line(lang, generated);
    let html = block_on(strata_report::render(
        &ctx,
        &meta,
        model.as_ref(),
        lang,
        generated,
    ))??;
    Ok(Rendered {
        html,
        recomputed,
        warnings,
    })
}

/// Where a report goes when no path is given: `report.html` (Chinese) or `report-en.html` in
/// the workspace folder.
pub fn default_path(root: &Path, lang: Lang) -> PathBuf {
    root.join(match lang {
        Lang::Zh => "report.html",
        Lang::En => "report-en.html",
    })
}

/// Writes a rendered report to `path` atomically, readable by all.
pub fn write(path: &Path, html: &str) -> Result<()> {
    write_bytes_atomic(path, Visibility::Public, html.as_bytes()).map_err(crate::error::io(path))
}
