//! The wide per-customer table and segment membership over it. The customer table is joined
//! with one aggregate per source table (events, orders, order lines in two steps, reviews),
//! each computed in one grouped pass for every condition of every segment: a plan DataFusion
//! runs with its groups accumulators, and that can run partitioned by customer.

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use datafusion::common::JoinType;
use datafusion::functions::core::expr_fn::least;
use datafusion::functions_aggregate::expr_fn::min;
use datafusion::prelude::*;

use crate::compile::{CUSTOMER_TABLE, Catalog, Clock, Compiled, Compiler, Needs, paid, ts};
use crate::error::{Result, SegmentError};

/// The customer table with every column and aggregate `needs` names.
pub async fn wide(
    ctx: &SessionContext,
    catalog: &Catalog,
    needs: &Needs,
    clock: Clock,
) -> Result<DataFrame> {
    let end = ts(clock.end_us);
    let mut own: Vec<Expr> = vec![ident("customer_id")];
    for c in &needs.columns {
        if !catalog.customer_columns.contains(c) {
            own.push(ident(c.as_str()));
        }
    }
    if needs.first_seen {
        for c in ["registered_at", "first_order_at"] {
            if !needs.columns.contains(c) {
                own.push(ident(c));
            }
        }
    }
    let mut df = ctx.table(CUSTOMER_TABLE).await?.select(own)?;

    let from_customers: Vec<&String> = needs
        .columns
        .iter()
        .filter(|c| catalog.customer_columns.contains(*c))
        .collect();
    if !from_customers.is_empty() {
        let mut cols = vec![ident("customer_id").alias("__c_id")];
        cols.extend(from_customers.iter().map(|c| ident(c.as_str())));
        let customers = ctx.table("customers").await?.select(cols)?;
        df = df.join(
            customers,
            JoinType::Left,
            &["customer_id"],
            &["__c_id"],
            None,
        )?;
    }

    let mut ev_aggs: Vec<Expr> = needs
        .events
        .iter()
        .map(|a| a.expr.clone().alias(&a.alias))
        .collect();
    if needs.first_seen {
        ev_aggs.push(min(ident("event_time")).alias("__first_event"));
    }
    if !ev_aggs.is_empty() {
        let ev = ctx
            .table("events")
            .await?
            .filter(
                ident("customer_id")
                    .is_not_null()
                    .and(ident("event_time").lt(end.clone())),
            )?
            .aggregate(vec![ident("customer_id")], ev_aggs)?;
        df = join_agg(df, ev, "__e_id")?;
    }
    if !needs.orders.is_empty() {
        let aggs = needs
            .orders
            .iter()
            .map(|a| a.expr.clone().alias(&a.alias))
            .collect();
        let o = ctx
            .table("orders")
            .await?
            .filter(ident("ordered_at").lt(end.clone()))?
            .aggregate(vec![ident("customer_id")], aggs)?;
        df = join_agg(df, o, "__o_id")?;
    }
    if !needs.lines.is_empty() {
        let lines = ctx.table("order_items").await?.select(vec![
            ident("order_id").alias("__li_order"),
            ident("category"),
            ident("brand"),
            ident("sku"),
            ident("paid_amount").alias("line_amount"),
        ])?;
        let orders = ctx
            .table("orders")
            .await?
            .filter(paid().and(ident("ordered_at").lt(end.clone())))?
            .select(vec![
                ident("order_id"),
                ident("customer_id"),
                ident("ordered_at"),
                ident("coupon_used"),
            ])?;
        let per_order = orders
            .join(lines, JoinType::Inner, &["order_id"], &["__li_order"], None)?
            .aggregate(
                vec![
                    ident("customer_id"),
                    ident("order_id"),
                    ident("ordered_at"),
                    ident("coupon_used"),
                ],
                needs
                    .lines
                    .iter()
                    .map(|l| l.order_expr.clone().alias(&l.order_alias))
                    .collect(),
            )?;
        let aggs = needs
            .line_orders
            .iter()
            .map(|a| a.expr.clone().alias(&a.alias))
            .collect();
        let lo = per_order.aggregate(vec![ident("customer_id")], aggs)?;
        df = join_agg(df, lo, "__lo_id")?;
    }
    if !needs.reviews.is_empty() {
        let aggs = needs
            .reviews
            .iter()
            .map(|a| a.expr.clone().alias(&a.alias))
            .collect();
        let r = ctx
            .table("reviews")
            .await?
            .filter(ident("created_at").lt(end))?
            .aggregate(vec![ident("customer_id")], aggs)?;
        df = join_agg(df, r, "__r_id")?;
    }
    if needs.first_seen {
        let mut cols: Vec<Expr> = df
            .schema()
            .fields()
            .iter()
            .map(|f| ident(f.name()))
            .collect();
        cols.push(
            least(vec![
                ident("registered_at"),
                ident("first_order_at"),
                ident("__first_event"),
            ])
            .alias("__first_seen"),
        );
        df = df.select(cols)?;
    }
    Ok(df)
}

/// Left-joins a per-customer aggregate (grouped by `customer_id`) to the wide table.
fn join_agg(df: DataFrame, agg: DataFrame, key: &str) -> Result<DataFrame> {
    let cols: Vec<Expr> = agg
        .schema()
        .fields()
        .iter()
        .map(|f| {
            if f.name() == "customer_id" {
                ident("customer_id").alias(key)
            } else {
                ident(f.name())
            }
        })
        .collect();
    let agg = agg.select(cols)?;
    Ok(df.join(agg, JoinType::Left, &["customer_id"], &[key], None)?)
}

/// Membership of several segments over one list of customers: memory is one id per customer
/// plus four bytes per membership, however many segments there are.
#[derive(Debug, Clone, Default)]
pub struct Members {
    /// Every customer of the customer table, sorted.
    pub ids: Vec<String>,
    /// Each segment's members as positions in `ids`, ascending, in the order compiled.
    pub segments: Vec<(String, Vec<u32>)>,
}

impl Members {
    /// The member ids of segment `i`.
    pub fn ids_of(&self, i: usize) -> impl Iterator<Item = &str> {
        self.segments[i]
            .1
            .iter()
            .map(|&k| self.ids[k as usize].as_str())
    }
}

/// The members of each compiled segment.
pub async fn members(
    ctx: &SessionContext,
    catalog: &Catalog,
    compiled: &Compiled,
    clock: Clock,
) -> Result<Members> {
    let df = wide(ctx, catalog, &compiled.needs, clock).await?;
    let mut cols = vec![cast(ident("customer_id"), DataType::Utf8).alias("__id")];
    for (i, (_, e)) in compiled.segments.iter().enumerate() {
        cols.push(e.clone().is_true().alias(format!("__s{i}")));
    }
    let batches = df.select(cols)?.collect().await?;
    let mut ids: Vec<String> = Vec::new();
    let mut flags: Vec<Vec<bool>> = vec![Vec::new(); compiled.segments.len()];
    for b in &batches {
        let col = b.column(0).as_string::<i32>();
        for row in 0..b.num_rows() {
            if col.is_null(row) {
                continue;
            }
            ids.push(col.value(row).to_string());
            for (i, f) in flags.iter_mut().enumerate() {
                let c = b.column(i + 1).as_boolean();
                f.push(!c.is_null(row) && c.value(row));
            }
        }
    }
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
    let segments = compiled
        .segments
        .iter()
        .zip(&flags)
        .map(|((name, _), f)| {
            let list = order
                .iter()
                .enumerate()
                .filter(|&(_, &row)| f[row as usize])
                .map(|(pos, _)| pos as u32)
                .collect();
            (name.clone(), list)
        })
        .collect();
    let mut sorted = Vec::with_capacity(ids.len());
    for &row in &order {
        sorted.push(std::mem::take(&mut ids[row as usize]));
    }
    Ok(Members {
        ids: sorted,
        segments,
    })
}

/// One condition of a segment for one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub depth: usize,
    pub text: String,
    pub holds: bool,
    /// What was looked at and its value (empty for none).
    pub value: Option<(String, Option<String>)>,
}

/// Why a customer is in a segment or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub member: bool,
    pub conditions: Vec<Checked>,
}

/// Checks every condition of saved segment `name` for `customer`.
pub async fn explain(
    ctx: &SessionContext,
    catalog: &Catalog,
    clock: Clock,
    name: &str,
    customer: &str,
) -> Result<Explanation> {
    let mut c = Compiler::new(catalog, clock);
    let whole = c.segment(name)?;
    let leaves = c.leaves(name)?;
    let needs = c.needs.clone();
    let df = wide(ctx, catalog, &needs, clock)
        .await?
        .filter(ident("customer_id").eq(lit(customer.to_string())))?;
    let mut cols = vec![whole.is_true().alias("__member")];
    for (i, l) in leaves.iter().enumerate() {
        cols.push(l.holds.clone().alias(format!("__h{i}")));
        if let Some((_, e)) = &l.shown {
            cols.push(cast(e.clone(), DataType::Utf8).alias(format!("__v{i}")));
        }
    }
    let batches = df.select(cols)?.collect().await?;
    let Some(b) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Err(SegmentError::NotFound(format!(
            "no customer `{customer}` in the customer table"
        )));
    };
    let flag = |name: &str| {
        b.column_by_name(name)
            .map(|c| c.as_boolean())
            .is_some_and(|c| !c.is_null(0) && c.value(0))
    };
    let text = |name: &str| {
        b.column_by_name(name).and_then(|c| {
            let c = c.as_string::<i32>();
            (!c.is_null(0)).then(|| c.value(0).to_string())
        })
    };
    let conditions = leaves
        .iter()
        .enumerate()
        .map(|(i, l)| Checked {
            depth: l.depth,
            text: l.text.clone(),
            holds: flag(&format!("__h{i}")),
            value: l
                .shown
                .as_ref()
                .map(|(what, _)| (what.clone(), text(&format!("__v{i}")))),
        })
        .collect();
    Ok(Explanation {
        member: flag("__member"),
        conditions,
    })
}
