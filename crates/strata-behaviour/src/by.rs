//! Breakdowns by a customer column, shared by funnels and retention: the friendly names people
//! use and the table that holds the column.

use datafusion::prelude::SessionContext;

/// The tables a customer column is looked up in, in order: the computed customer table first.
const CUSTOMER_TABLES: [&str; 2] = ["customer_profile", "customers"];

/// Friendly names for common breakdowns: `region`, `segment`, `tier`.
pub(crate) fn alias(name: &str) -> &str {
    match name {
        "region" => "province",
        "segment" => "rfm_segment",
        "tier" => "spend_tier",
        other => other,
    }
}

/// The columns of a registered table, or `None` when there is no such table.
pub(crate) async fn columns_of(ctx: &SessionContext, table: &str) -> Option<Vec<String>> {
    let t = ctx.table(table).await.ok()?;
    Some(
        t.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect(),
    )
}

/// The customer table holding `column` (already resolved through [`alias`]), if any.
pub(crate) async fn customer_table_of(ctx: &SessionContext, column: &str) -> Option<&'static str> {
    for table in CUSTOMER_TABLES {
        if let Some(cols) = columns_of(ctx, table).await
            && cols.iter().any(|c| c == column)
        {
            return Some(table);
        }
    }
    None
}
