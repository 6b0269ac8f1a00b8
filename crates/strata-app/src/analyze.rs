//! The customer table: computed, scored with the workspace's churn model when there is one,
//! and stored; and the decision, made once, of whether a stored table is still current.

use arrow::array::ArrayRef;
use arrow::datatypes::Field;
use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use strata_churn::ChurnModel;
use strata_features::{AnalysisMeta, AnalyzeConfig, PROFILE_OPERATION, Profile};
use strata_store::Workspace;

use crate::dates::AsOf;
use crate::error::{Error, Missing, Result};
use crate::session::{Session, block_on};

/// A computed and stored customer table.
#[derive(Debug)]
pub struct Analysis {
    pub profile: Profile,
    /// The analysis date, and whether it was the default.
    pub as_of: AsOf,
    /// Things the user should know that did not stop the analysis (an analysis date past the
    /// data, a churn model that could not be used).
    pub warnings: Vec<String>,
    /// The saved segments, refreshed over the new table (`None` when there are none).
    pub segments: Option<crate::segments::Refreshed>,
}

/// Computes the customer table with the session's settings, adds churn columns when the
/// workspace has a usable model, and stores it as `customer_profile`; the session then sees it.
pub fn analyze(session: &mut Session) -> Result<Analysis> {
    let ctx = session.context()?;
    let cfg = &session.settings.analyze;
    let profile = block_on(strata_features::compute(
        &ctx,
        cfg,
        session.settings.timezone_name(),
    ))??;
    let as_of = AsOf::of(&profile.meta);
    let mut warnings: Vec<String> = as_of.past_data_warning().into_iter().collect();
    let (model, warning) = usable_model(&session.ws);
    warnings.extend(warning);
    let profile = match model {
        Some(model) => with_churn(&ctx, profile, &model, cfg, &mut warnings)?,
        None => profile,
    };
    strata_features::write_profile(&session.ws, &profile)?;
    session.reopen()?;
    let segments = if crate::segments::current(&session.ws)?.is_empty() {
        None
    } else {
        Some(crate::segments::refresh_inner(
            session,
            &[],
            true,
            std::time::Instant::now(),
            None,
        )?)
    };
    Ok(Analysis {
        profile,
        as_of,
        warnings,
        segments,
    })
}

/// The customer table computed with the settings the churn model was trained with, as of
/// `as_of` (default: the latest order day): what the model's features need.
pub fn model_profile(
    ctx: &SessionContext,
    model: &ChurnModel,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Profile> {
    let mut cfg = model.analyze.clone();
    cfg.as_of = as_of;
    Ok(block_on(strata_features::compute(
        ctx,
        &cfg,
        &model.timezone,
    ))??)
}

/// The workspace's current churn model, or `None` with a warning when there is one that cannot
/// be used (an older format, a damaged file).
pub fn usable_model(ws: &Workspace) -> (Option<ChurnModel>, Option<String>) {
    match strata_churn::load_current(ws) {
        Ok(m) => (m, None),
        Err(e) => (
            None,
            Some(format!(
                "{e}; going on without churn scores (training a new model replaces it)"
            )),
        ),
    }
}

/// `profile` with the model's churn columns. A model that cannot score this data is reported
/// and left out: the customer table does not depend on it.
fn with_churn(
    ctx: &SessionContext,
    profile: Profile,
    model: &ChurnModel,
    cfg: &AnalyzeConfig,
    warnings: &mut Vec<String>,
) -> Result<Profile> {
    match churn_columns(ctx, model, &profile, cfg) {
        Ok(cols) => {
            let batch = strata_churn::score::append_columns(&profile.batch, cols, &model.version)?;
            Ok(Profile {
                batch,
                meta: profile.meta,
            })
        }
        Err(e) if e.kind().is_user_error() => {
            warnings.push(format!(
                "the churn model {} could not score this data ({e}); the customer table goes without churn columns",
                model.version
            ));
            Ok(profile)
        }
        Err(e) => Err(e),
    }
}

/// The churn columns of `profile`, scored with the settings the model was trained with.
fn churn_columns(
    ctx: &SessionContext,
    model: &ChurnModel,
    profile: &Profile,
    cfg: &AnalyzeConfig,
) -> Result<Vec<(Field, ArrayRef)>> {
    let total = profile.batch.num_rows();
    // Score with the settings the model was trained with, so its features mean the same.
    let same = model.analyze
        == AnalyzeConfig {
            as_of: None,
            ..cfg.clone()
        };
    if same {
        let scores = block_on(strata_churn::score(ctx, model, profile))??;
        if scores.fs.profile_rows.iter().any(|&r| r >= total) {
            return Err(Error::Internal(
                "churn scores do not line up with the customer table".into(),
            ));
        }
        return Ok(strata_churn::score::profile_columns(model, &scores, total));
    }
    // A customer table of the model's own settings: its rows are matched to this one's by id.
    let p = model_profile(ctx, model, Some(profile.meta.as_of))?;
    let mut scores = block_on(strata_churn::score(ctx, model, &p))??;
    let ids = profile
        .batch
        .column_by_name("customer_id")
        .ok_or_else(|| Error::Internal("the customer table has no customer_id".into()))?;
    let ids = strata_store::columns::texts(ids)?;
    let row_of: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .filter_map(|(r, id)| id.as_deref().map(|id| (id, r)))
        .collect();
    let rows = scores
        .fs
        .ids
        .iter()
        .map(|id| row_of.get(id.as_str()).copied())
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| {
            Error::Internal(
                "the churn model scored customers the customer table does not have".into(),
            )
        })?;
    scores.fs.profile_rows = rows;
    Ok(strata_churn::score::profile_columns(model, &scores, total))
}

/// Why a stored customer table cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// There is none.
    Missing,
    /// An import committed after it was computed.
    OlderThanData,
    /// Written by an older Strata: its metadata cannot be read.
    Unreadable,
    /// A churn model was trained since: its scores belong in the table.
    Unscored { model: String },
    /// The user asked for it (another analysis date).
    Asked,
    /// Segments whose rule (or a rule they use) changed, or that were computed over an older
    /// customer table.
    SegmentsBehind { segments: Vec<String> },
}

impl Staleness {
    /// Why it is not current, in a few words, for any front end to show.
    pub fn reason(&self) -> String {
        match self {
            Staleness::Missing => "not computed yet".into(),
            Staleness::OlderThanData => "data was imported after it was computed".into(),
            Staleness::Unreadable => "written by an older Strata; it cannot be read".into(),
            Staleness::Unscored { model } => format!("not scored by the churn model {model}"),
            Staleness::Asked => "another analysis date was asked for".into(),
            Staleness::SegmentsBehind { segments } => format!(
                "not refreshed since the rule or the customer table changed: {}",
                segments.join(", ")
            ),
        }
    }
}

/// Whether the workspace's customer table is current (`None`) or why not.
pub fn staleness(ws: &Workspace, model: Option<&ChurnModel>) -> Option<Staleness> {
    // The changes that make up the current state: after an undo, those of the generation it
    // restored (an undone import does not make the restored table stale).
    let history = ws.manifest().lineage();
    let Some(at) = history
        .iter()
        .rposition(|h| h.operation == PROFILE_OPERATION)
    else {
        return Some(Staleness::Missing);
    };
    if history[at + 1..].iter().any(|h| h.changes_data()) {
        return Some(Staleness::OlderThanData);
    }
    if !matches!(strata_features::read_meta(ws), Ok(Some(_))) {
        return Some(Staleness::Unreadable);
    }
    if let Some(m) = model
        && scored_with(ws).as_deref() != Some(m.version.as_str())
    {
        return Some(Staleness::Unscored {
            model: m.version.clone(),
        });
    }
    None
}

/// The churn model whose scores the stored customer table carries, if any.
fn scored_with(ws: &Workspace) -> Option<String> {
    let path = ws
        .part_paths(strata_features::PROFILE_TABLE)
        .into_iter()
        .next()?;
    let schema = strata_store::part_schema(&path).ok()?;
    strata_churn::score::scored_with(&schema).map(str::to_string)
}

/// The stored customer table's metadata, or an error saying there is none.
pub fn stored_meta(ws: &Workspace) -> Result<AnalysisMeta> {
    strata_features::read_meta(ws)?.ok_or(Error::Missing(Missing::CustomerTable))
}

/// Buyers, revenue, recency and orders by the reports' rule segments (loyal, potential churn,
/// the rest), from the stored customer table.
pub fn segment_summary(session: &Session) -> Result<Vec<RecordBatch>> {
    session.sql(SEGMENTS_SQL)
}

const SEGMENTS_SQL: &str = "
SELECT rule_segment,
  count(*) AS customers,
  CAST(100.0 * count(*) / sum(count(*)) OVER () AS DECIMAL(5,1)) AS pct_customers,
  CAST(100.0 * sum(monetary) / sum(sum(monetary)) OVER () AS DECIMAL(5,1)) AS pct_revenue,
  CAST(avg(recency_days) AS DECIMAL(8,1)) AS avg_recency_days,
  CAST(avg(orders) AS DECIMAL(8,1)) AS avg_orders
FROM customer_profile WHERE orders > 0
GROUP BY rule_segment ORDER BY pct_revenue DESC";
