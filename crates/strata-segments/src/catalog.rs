//! What the workspace holds, read once per operation: the customer table's columns, the event
//! types and pages, the categories and brands, for checking rules.

use std::collections::{BTreeMap, BTreeSet};

use arrow::array::AsArray;
use arrow::datatypes::DataType;
use datafusion::prelude::*;
use strata_import::value::{EVENT_TYPES, PAGES};

use crate::ast::Rule;
use crate::compile::{CUSTOMER_TABLE, Catalog};
use crate::error::Result;

async fn distinct(ctx: &SessionContext, table: &str, column: &str) -> Result<Vec<String>> {
    let df = ctx
        .table(table)
        .await?
        .filter(ident(column).is_not_null())?
        .aggregate(vec![cast(ident(column), DataType::Utf8).alias("v")], vec![])?;
    let mut out = Vec::new();
    for b in df.collect().await? {
        let c = b.column(0).as_string::<i32>();
        out.extend(c.iter().flatten().map(str::to_string));
    }
    out.sort();
    Ok(out)
}

/// Reads the catalog of `ctx`'s workspace, with the saved `segments`.
pub async fn load(ctx: &SessionContext, segments: BTreeMap<String, Rule>) -> Result<Catalog> {
    let mut columns: Vec<(String, DataType)> = Vec::new();
    if let Ok(t) = ctx.table(CUSTOMER_TABLE).await {
        for f in t.schema().fields() {
            columns.push((f.name().clone(), f.data_type().clone()));
        }
    }
    let mut customer_columns = BTreeSet::new();
    if let Ok(t) = ctx.table("customers").await {
        for f in t.schema().fields() {
            if !columns.iter().any(|(n, _)| n == f.name()) {
                columns.push((f.name().clone(), f.data_type().clone()));
                customer_columns.insert(f.name().clone());
            }
        }
    }
    let mut events: Vec<String> = EVENT_TYPES.iter().map(|(n, _)| n.to_string()).collect();
    let mut pages: Vec<String> = PAGES.iter().map(|(n, _)| n.to_string()).collect();
    events.extend(distinct(ctx, "events", "event_type").await?);
    pages.extend(distinct(ctx, "events", "page").await?);
    events.sort();
    events.dedup();
    pages.sort();
    pages.dedup();
    Ok(Catalog {
        columns,
        customer_columns,
        events,
        pages,
        categories: distinct(ctx, "order_items", "category").await?,
        brands: distinct(ctx, "order_items", "brand").await?,
        segments,
    })
}
