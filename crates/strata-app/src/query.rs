//! SQL over the workspace, as `strata query` and the server run it: the result, and the derived
//! tables it read that are not current (their values may be older than the data), so a front
//! end can say so. Also the reference a person writing SQL needs: the tables, the derived
//! tables and the analysis table functions, from the code that defines them.

use std::collections::BTreeSet;

use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::source_as_provider;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::LogicalPlan;
use strata_behaviour::sql::{TABLE_FUNCTIONS, TableFunction};
use strata_store::TABLES;

use crate::error::Result;
use crate::freshness::{self, DERIVED, DerivedTable};
use crate::session::{Session, block_on};

/// A query's result.
#[derive(Debug)]
pub struct QueryResult {
    pub batches: Vec<RecordBatch>,
    /// Derived tables the query read that are not current, with why and what refreshes them.
    pub stale: Vec<DerivedTable>,
}

/// Runs `sql` over the workspace.
pub fn query(session: &Session, sql: &str) -> Result<QueryResult> {
    let ctx = session.context()?;
    let (batches, read) = block_on(async {
        let df = ctx.sql(sql).await?;
        let read = tables_read(df.logical_plan())?;
        let batches = df.collect().await?;
        Ok::<_, DataFusionError>((batches, read))
    })??;
    let stale = if read.iter().any(|t| !TABLES.iter().any(|c| c.name == t)) {
        freshness::freshness(&session.ws)
            .tables
            .into_iter()
            .filter(|t| read.contains(&t.name) && t.stale.is_some())
            .collect()
    } else {
        Vec::new()
    };
    Ok(QueryResult { batches, stale })
}

/// The tables a plan scans, subqueries included.
pub fn tables_read(plan: &LogicalPlan) -> std::result::Result<BTreeSet<String>, DataFusionError> {
    let mut names = BTreeSet::new();
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            names.insert(scan.table_name.table().to_string());
            // A table function computed from a derived table reads it too.
            if let Ok(provider) = source_as_provider(&scan.source) {
                for t in strata_behaviour::sql::derived_tables_read(provider.as_ref()) {
                    names.insert(t.to_string());
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(names)
}

/// What SQL can read.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The canonical tables, with what each holds.
    pub tables: Vec<(&'static str, &'static str)>,
    /// The derived tables, with what each holds.
    pub derived: Vec<(&'static str, &'static str)>,
    /// The analyses as table functions.
    pub functions: &'static [TableFunction],
}

/// The tables and table functions a query can use.
pub fn reference() -> Reference {
    Reference {
        tables: TABLES.iter().map(|t| (t.name, t.doc)).collect(),
        derived: DERIVED
            .iter()
            .map(|d| (d.name, d.doc))
            .chain(
                crate::segments::TABLES
                    .iter()
                    .copied()
                    .filter(|(n, _)| !DERIVED.iter().any(|d| d.name == *n)),
            )
            .collect(),
        functions: TABLE_FUNCTIONS,
    }
}
