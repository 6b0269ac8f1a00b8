//! The per-customer pass: one row per customer with what they bought, how often, how recently,
//! what they are worth and which segments, tiers, types and lifecycle stages they fall in.
//!
//! [`profile::compute`] reads the workspace tables through DataFusion; [`kernel`] is the
//! one-pass columnar fold over orders; [`segment`] holds every labelling rule; [`config`] every
//! threshold. [`write_profile`] publishes the result as the derived table `customer_profile`.

pub mod clock;
pub mod config;
mod error;
pub mod kernel;
pub mod profile;
pub mod segment;
pub mod value;

use strata_store::{HistoryEntry, Part, PartWriter, Workspace};

pub use config::AnalyzeConfig;
pub use error::{FeatureError, Result};
pub use profile::{
    AnalysisMeta, COLUMNS, META_KEY, OrdersPass, PROFILE_TABLE, Profile, compute, orders_pass,
};

/// The history operation of a commit that wrote the customer table, so others can tell whether
/// it is older than the latest import.
pub const PROFILE_OPERATION: &str = "analyze";

/// Replaces the workspace's `customer_profile` table with `profile`, atomically.
pub fn write_profile(ws: &Workspace, profile: &Profile) -> Result<()> {
    let mut txn = ws.begin()?;
    // The table was computed from `ws` as opened; if an import committed since, it may be
    // missing new data, and a report would take it for current.
    let seen = ws.manifest().generation;
    let changed = txn
        .base()
        .history
        .iter()
        .any(|h| h.generation > seen && h.changes_data());
    if changed {
        return Err(FeatureError::Changed(
            "the workspace changed while the customer table was computed (an import committed); analyse again".into(),
        ));
    }
    let (file, path) = txn.new_part_path(PROFILE_TABLE)?;
    let mut w = PartWriter::create(&path, profile.batch.schema())?;
    w.write(&profile.batch)?;
    let (rows, bytes) = w.finish()?;
    txn.replace_table(PROFILE_TABLE, vec![Part { file, rows, bytes }]);
    let m = &profile.meta;
    txn.record(HistoryEntry {
        generation: txn.generation(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        operation: PROFILE_OPERATION.into(),
        table: PROFILE_TABLE.into(),
        sources: vec![format!("as of {}", m.as_of)],
        counts: [
            ("customers".to_string(), m.customers),
            ("buyers".to_string(), m.buyers),
            ("orders_scanned".to_string(), m.orders_scanned),
        ]
        .into_iter()
        .collect(),
    });
    txn.commit()?;
    Ok(())
}

/// The metadata of the workspace's current customer table, if it has one.
pub fn read_meta(ws: &Workspace) -> Result<Option<AnalysisMeta>> {
    let Some(path) = ws.part_paths(PROFILE_TABLE).into_iter().next() else {
        return Ok(None);
    };
    let schema = strata_store::part_schema(&path)?;
    let Some(text) = schema.metadata().get(META_KEY) else {
        return Ok(None);
    };
    serde_json::from_str(text).map(Some).map_err(|e| {
        FeatureError::internal(format!(
            "{}: unreadable analysis metadata: {e}",
            path.display()
        ))
    })
}
