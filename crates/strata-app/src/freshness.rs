//! What was computed from a workspace's data (derived tables, models) and whether each is still
//! current: the one answer that `status`, `query` and the report share. The decision for the
//! customer table is [`crate::analyze::staleness`]; this module applies it and the model's rule
//! and says which operation brings each up to date.

use strata_churn::ChurnModel;
use strata_store::{TABLES, Workspace};

use crate::analyze::{self, Staleness};

/// The operation that brings something up to date; each front end names it its own way (a
/// command, a button).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Compute the customer table ([`crate::analyze::analyze`]).
    Analyze,
    /// Train the churn model ([`crate::churn::train`]).
    TrainChurn,
    /// Refresh the segments ([`crate::segments::refresh`]).
    Segments,
}

/// A derived table Strata writes.
#[derive(Debug, Clone, Copy)]
pub struct Derived {
    pub name: &'static str,
    pub doc: &'static str,
    /// The operation that writes it.
    pub refresh: Refresh,
    /// Whether the stored table is current (`None`) or why not, given the usable churn model.
    pub staleness: fn(&Workspace, Option<&ChurnModel>) -> Option<Staleness>,
}

/// The derived tables Strata writes.
pub const DERIVED: &[Derived] = &[
    Derived {
        name: strata_features::PROFILE_TABLE,
        doc: "the customer table: value, segments, tiers, lifecycle, CLV and churn per customer",
        refresh: Refresh::Analyze,
        staleness: analyze::staleness,
    },
    Derived {
        name: crate::segments::MEMBERS,
        doc: "the current members of every saved segment (strata segment), with when each entered",
        refresh: Refresh::Segments,
        staleness: segments_staleness,
    },
];

/// Segment members are current when the customer table is and every segment was refreshed
/// since its rule (and those it uses) and the customer table last changed.
fn segments_staleness(ws: &Workspace, model: Option<&ChurnModel>) -> Option<Staleness> {
    let defined = crate::segments::current(ws)
        .map(|d| !d.is_empty())
        .unwrap_or(false);
    if !defined {
        return None;
    }
    if let Some(s) = analyze::staleness(ws, model) {
        return Some(s);
    }
    match crate::segments::stale(ws) {
        Ok(list) if list.is_empty() => None,
        Ok(segments) => Some(Staleness::SegmentsBehind { segments }),
        Err(_) => Some(Staleness::Unreadable),
    }
}

/// A derived table and whether it is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedTable {
    pub name: String,
    pub rows: u64,
    pub parts: usize,
    pub bytes: u64,
    /// Why it is not current (`None`: current). [`Staleness::Missing`] when never computed.
    pub stale: Option<Staleness>,
    /// What writes it; `None` for a table no operation of this version knows (its freshness
    /// cannot be told).
    pub refresh: Option<Refresh>,
}

impl DerivedTable {
    pub fn is_current(&self) -> bool {
        self.refresh.is_some() && self.stale.is_none()
    }
}

/// The kinds of saved model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Churn,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Churn => "churn",
        }
    }
}

/// A saved model and whether it is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelState {
    pub kind: ModelKind,
    /// The version in use, when there is one.
    pub version: Option<String>,
    /// When it was trained (RFC 3339).
    pub trained_at: Option<String>,
    /// Why it is not current: [`Staleness::Missing`] (none trained),
    /// [`Staleness::OlderThanData`] (data imported since training) or
    /// [`Staleness::Unreadable`] (see `problem`).
    pub stale: Option<Staleness>,
    /// Why an unreadable model cannot be used.
    pub problem: Option<String>,
    pub refresh: Refresh,
}

/// Every derived table (the known ones even before they are computed) and every model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Freshness {
    pub tables: Vec<DerivedTable>,
    pub models: Vec<ModelState>,
}

impl Freshness {
    pub fn table(&self, name: &str) -> Option<&DerivedTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// The freshness of everything computed from the workspace's data.
pub fn freshness(ws: &Workspace) -> Freshness {
    let (model, problem) = analyze::usable_model(ws);
    let manifest = ws.manifest();
    let mut tables: Vec<DerivedTable> = DERIVED
        .iter()
        .map(|d| {
            let state = manifest.tables.get(d.name).cloned().unwrap_or_default();
            DerivedTable {
                name: d.name.to_string(),
                rows: state.rows(),
                parts: state.parts.len(),
                bytes: state.bytes(),
                stale: (d.staleness)(ws, model.as_ref()),
                refresh: Some(d.refresh),
            }
        })
        .collect();
    for (name, state) in &manifest.tables {
        let known = TABLES.iter().any(|t| t.name == name) || DERIVED.iter().any(|d| d.name == name);
        if known || state.parts.is_empty() {
            continue;
        }
        // The segments' records (definitions, changes, refreshes, exports) are a log, current
        // by nature; the segment operations write them.
        let record = crate::segments::TABLES.iter().any(|(n, _)| n == name);
        tables.push(DerivedTable {
            name: name.clone(),
            rows: state.rows(),
            parts: state.parts.len(),
            bytes: state.bytes(),
            stale: None,
            refresh: record.then_some(Refresh::Segments),
        });
    }
    let churn = ModelState {
        kind: ModelKind::Churn,
        version: model.as_ref().map(|m| m.version.clone()),
        trained_at: model.as_ref().map(|m| m.created_at.clone()),
        stale: match (&model, &problem) {
            (_, Some(_)) => Some(Staleness::Unreadable),
            (None, None) => Some(Staleness::Missing),
            (Some(m), None) => model_staleness(ws, m),
        },
        problem,
        refresh: Refresh::TrainChurn,
    };
    Freshness {
        tables,
        models: vec![churn],
    }
}

/// Whether a model is current: it is not when data was imported after it was trained (it has
/// not seen the newest orders, events or reviews). The same rule as the customer table's, by
/// time since a model has no place in the manifest's history.
pub fn model_staleness(ws: &Workspace, model: &ChurnModel) -> Option<Staleness> {
    let trained = chrono::DateTime::parse_from_rfc3339(&model.created_at).ok()?;
    ws.manifest()
        .history
        .iter()
        .filter(|h| h.changes_data())
        .filter_map(|h| chrono::DateTime::parse_from_rfc3339(&h.at).ok())
        .any(|at| at > trained)
        .then_some(Staleness::OlderThanData)
}
