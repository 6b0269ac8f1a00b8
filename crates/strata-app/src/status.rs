//! What a workspace holds: its tables with rows and sizes, what was computed from them and
//! whether it is current ([`crate::freshness`]), and the latest changes.

use std::path::{Path, PathBuf};

use strata_store::{HistoryEntry, TABLES, Workspace};

use crate::error::Result;
use crate::freshness::{self, DerivedTable, ModelState};

/// A canonical table's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSize {
    pub name: &'static str,
    pub rows: u64,
    pub parts: usize,
    pub bytes: u64,
}

/// The state of a workspace.
#[derive(Debug, Clone)]
pub struct Status {
    pub root: PathBuf,
    pub generation: u64,
    pub updated_at: String,
    pub tables: Vec<TableSize>,
    pub derived: Vec<DerivedTable>,
    pub models: Vec<ModelState>,
    /// The latest changes, newest first.
    pub history: Vec<HistoryEntry>,
}

/// Changes [`status`] returns.
pub const HISTORY: usize = 10;

/// The state of the workspace at `root`.
pub fn status(root: &Path) -> Result<Status> {
    let ws = Workspace::open(root)?;
    let m = ws.manifest();
    let tables = TABLES
        .iter()
        .map(|t| {
            let state = m.tables.get(t.name).cloned().unwrap_or_default();
            TableSize {
                name: t.name,
                rows: state.rows(),
                parts: state.parts.len(),
                bytes: state.bytes(),
            }
        })
        .collect();
    let fresh = freshness::freshness(&ws);
    Ok(Status {
        root: root.to_path_buf(),
        generation: m.generation,
        updated_at: m.updated_at.clone(),
        tables,
        derived: fresh.tables,
        models: fresh.models,
        history: m.history.iter().rev().take(HISTORY).cloned().collect(),
    })
}
