//! The way back: what each generation changed, undo to a kept generation, and targeted deletes
//! with a dry run. Every change here is one atomic commit, like any other write.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use arrow::array::{Array, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::record_batch::RecordBatch;
use datafusion::common::DFSchema;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::PhysicalExpr;
use strata_store::{
    HistoryEntry, Part, PartWriter, RESTORED_KEY, TableSpec, UNDO_OPERATION, read_part,
};

use crate::error::{Error, Result};
use crate::session::Session;

/// The history operation of a targeted delete.
pub const DELETE_OPERATION: &str = "delete";

/// One generation as `history` shows it.
#[derive(Debug, Clone)]
pub struct Generation {
    pub entry: HistoryEntry,
    /// Its changes are part of the current state (not undone).
    pub in_effect: bool,
    /// `undo --to` can go back to it.
    pub reachable: bool,
    /// The generation the workspace is at.
    pub current: bool,
}

/// Every recorded generation, newest first.
pub fn history(session: &Session) -> Vec<Generation> {
    let m = session.ws.manifest();
    let in_effect: HashSet<u64> = m.lineage().iter().map(|h| h.generation).collect();
    let reachable: HashSet<u64> = m.reachable().collect();
    m.history
        .iter()
        .rev()
        .map(|h| Generation {
            in_effect: in_effect.contains(&h.generation) || h.operation == UNDO_OPERATION,
            reachable: reachable.contains(&h.generation),
            current: h.generation == m.generation,
            entry: h.clone(),
        })
        .collect()
}

/// What an undo did.
#[derive(Debug, Clone)]
pub struct UndoOutcome {
    /// The generation whose tables are back.
    pub restored: u64,
    /// The new generation the undo committed as (itself undoable).
    pub generation: u64,
    /// The changes taken back, oldest first.
    pub undone: Vec<HistoryEntry>,
    /// Rows per table before and after, for the tables that changed.
    pub tables: Vec<(String, u64, u64)>,
}

/// Makes every table what it was at generation `to`, or, without one, what it was before the
/// latest change still in effect. Atomic; undoing an undo restores what it took back.
pub fn undo(session: &mut Session, to: Option<u64>) -> Result<UndoOutcome> {
    session.reopen()?;
    let m = session.ws.manifest().clone();
    let target = match to {
        Some(g) => g,
        None => {
            let lineage = m.lineage();
            let Some(last) = lineage.last() else {
                return Err(Error::invalid(
                    "nothing to undo: no import or analysis has changed this workspace",
                ));
            };
            last.generation - 1
        }
    };
    let mut txn = session.ws.begin()?;
    txn.restore(target)?;
    let before = m.lineage_at(m.generation);
    let after: HashSet<u64> = m.lineage_at(target).iter().map(|h| h.generation).collect();
    let mut undone: Vec<HistoryEntry> = before
        .into_iter()
        .filter(|h| !after.contains(&h.generation))
        .cloned()
        .collect();
    undone.sort_by_key(|h| h.generation);
    let generation = txn.generation();
    let mut counts = BTreeMap::new();
    counts.insert(RESTORED_KEY.to_string(), target);
    txn.record(HistoryEntry {
        generation,
        at: now(),
        operation: UNDO_OPERATION.into(),
        table: String::new(),
        sources: vec![format!("back to generation {target}")],
        counts,
    });
    let next = txn.commit()?;
    session.reopen()?;
    let mut tables = Vec::new();
    for (name, state) in &next.tables {
        let was = m.tables.get(name).map_or(0, |t| t.rows());
        if was != state.rows()
            || m.tables.get(name).map(|t| t.parts.len()) != Some(state.parts.len())
        {
            tables.push((name.clone(), was, state.rows()));
        }
    }
    Ok(UndoOutcome {
        restored: target,
        generation,
        undone,
        tables,
    })
}

/// A targeted delete as a person asks for it.
#[derive(Debug, Clone)]
pub struct DeleteRequest {
    /// customers, orders, order-items, events or reviews.
    pub table: String,
    /// A condition over the table's columns, such as `status = 'cancelled' AND ordered_at <
    /// '2026-01-01'`; rows where it is true are deleted (where it is null, kept).
    pub condition: String,
    /// Count only; change nothing.
    pub dry_run: bool,
}

/// What a delete did (or, as a dry run, would do).
#[derive(Debug, Clone)]
pub struct DeleteOutcome {
    pub table: &'static str,
    pub matched: u64,
    pub rows_before: u64,
    /// The generation committed; `None` for a dry run or when nothing matched.
    pub generation: Option<u64>,
}

/// Deletes the rows of a canonical table where `condition` holds, atomically. The condition is
/// parsed into a DataFusion expression against the table's schema (never pasted into SQL) and
/// evaluated part by part; parts without a match are not rewritten.
pub fn delete(session: &mut Session, req: &DeleteRequest) -> Result<DeleteOutcome> {
    let table = crate::import::table(&req.table)?;
    session.reopen()?;
    let predicate = compile(session, table, &req.condition)?;
    let rows_before = session.ws.rows(table);
    if req.dry_run {
        let mut matched = 0;
        for path in session.ws.part_paths(table) {
            for batch in read_part(&path, None, 64 * 1024)? {
                let hits = matches(&predicate, &batch?, &req.condition)?;
                matched += hits.true_count() as u64;
            }
        }
        return Ok(DeleteOutcome {
            table: table.name,
            matched,
            rows_before,
            generation: None,
        });
    }
    let mut txn = session.ws.begin()?;
    let mut matched = 0u64;
    for part in txn.parts(table).to_vec() {
        let path = txn.part_path(table, &part);
        let mut kept = Vec::new();
        let mut hit = 0u64;
        for batch in read_part(&path, None, 64 * 1024)? {
            let batch = batch?;
            let hits = matches(&predicate, &batch, &req.condition)?;
            let n = hits.true_count() as u64;
            hit += n;
            if n == 0 {
                kept.push(batch);
            } else {
                let keep: BooleanArray = hits.iter().map(|h| Some(h != Some(true))).collect();
                kept.push(filter_record_batch(&batch, &keep)?);
            }
        }
        if hit == 0 {
            continue;
        }
        matched += hit;
        if hit == part.rows {
            txn.replace_part(table, &part.file, None);
            continue;
        }
        let (file, new_path) = txn.new_part_path(table)?;
        let mut w = PartWriter::create(&new_path, table.schema())?;
        for b in kept.iter().filter(|b| b.num_rows() > 0) {
            w.write(b)?;
        }
        let (rows, bytes) = w.finish()?;
        txn.replace_part(table, &part.file, Some(Part { file, rows, bytes }));
    }
    if matched == 0 {
        return Ok(DeleteOutcome {
            table: table.name,
            matched,
            rows_before,
            generation: None,
        });
    }
    let generation = txn.generation();
    let mut counts = BTreeMap::new();
    counts.insert("deleted".to_string(), matched);
    txn.record(HistoryEntry {
        generation,
        at: now(),
        operation: DELETE_OPERATION.into(),
        table: table.name.into(),
        sources: vec![format!("where {}", req.condition.trim())],
        counts,
    });
    txn.commit()?;
    session.reopen()?;
    Ok(DeleteOutcome {
        table: table.name,
        matched,
        rows_before,
        generation: Some(generation),
    })
}

/// The condition as a physical expression over the table's schema.
fn compile(session: &Session, table: &TableSpec, condition: &str) -> Result<Arc<dyn PhysicalExpr>> {
    let bad = |detail: String| {
        Error::invalid(format!(
            "delete from {} where `{}`: {detail}",
            table.name,
            condition.trim()
        ))
    };
    if condition.trim().is_empty() {
        return Err(bad(
            "the condition is empty; to delete every row say so: --where true".into(),
        ));
    }
    let ctx = session.context()?;
    let schema = DFSchema::try_from(table.schema().as_ref().clone())
        .map_err(|e| Error::Internal(e.to_string()))?;
    let expr: Expr = ctx
        .parse_sql_expr(condition, &schema)
        .map_err(|e| bad(e.strip_backtrace()))?;
    let physical = ctx
        .create_physical_expr(expr, &schema)
        .map_err(|e| bad(e.strip_backtrace()))?;
    let data_type = physical
        .data_type(table.schema().as_ref())
        .map_err(|e| bad(e.strip_backtrace()))?;
    if data_type != arrow::datatypes::DataType::Boolean {
        return Err(bad(format!(
            "expected a condition that is true or false, such as status = 'cancelled'; this \
             is a {data_type} value"
        )));
    }
    Ok(physical)
}

/// Where the condition holds in `batch` (null where it cannot say).
fn matches(
    predicate: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
    condition: &str,
) -> Result<BooleanArray> {
    let value = predicate
        .evaluate(batch)
        .and_then(|v| v.into_array(batch.num_rows()))
        .map_err(|e| {
            Error::invalid(format!(
                "`{}` cannot be evaluated: {}",
                condition.trim(),
                e.strip_backtrace()
            ))
        })?;
    value
        .as_any()
        .downcast_ref::<BooleanArray>()
        .cloned()
        .ok_or_else(|| Error::Internal("a condition evaluated to something not boolean".into()))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
