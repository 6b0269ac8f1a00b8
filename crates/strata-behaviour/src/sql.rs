//! The analyses as SQL table functions, so `strata query` reaches them like any table:
//!
//! ```sql
//! SELECT * FROM funnel('home,category,product,cart,checkout,paid', '1d', 'device')
//! SELECT * FROM retention('month', 'purchase', 'channel') WHERE period <= 3
//! SELECT * FROM paths('cart')
//! SELECT * FROM channels()
//! ```
//!
//! `funnel(steps [, window [, by [, per [, order]]]])`, `retention([period [, of [, by]]])`,
//! `paths(around [, top])`, `channels()`, `page_speed()`, `behaviour_drivers()`. Arguments are
//! text literals (top is a number); an empty text or NULL means the default. The analysis runs
//! when the query is executed, over the same session's tables.

use std::fmt;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionImpl, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use datafusion::scalar::ScalarValue;
use futures::future::BoxFuture;

use crate::funnel::{FunnelSpec, Order, Unit};
use crate::retention::{CohortBy, Period, RetentionSpec};
use crate::steps::Step;
use crate::{BehaviourError, channels, funnel, paths, retention};

type Job =
    Arc<dyn Fn(SessionContext) -> BoxFuture<'static, crate::Result<RecordBatch>> + Send + Sync>;

/// A table computed when scanned.
struct Lazy {
    name: &'static str,
    schema: SchemaRef,
    job: Job,
    /// Derived tables the job reads (the computed customer table for a breakdown by one of
    /// its columns), so that a caller can tell whether they are current.
    reads: Vec<&'static str>,
}

/// The derived tables a table function's result is computed from, when `provider` is one:
/// `customer_profile` for a funnel or retention broken down by a customer column. Canonical
/// tables are not listed: they are the data itself.
pub fn derived_tables_read(provider: &dyn TableProvider) -> &[&'static str] {
    (provider as &dyn std::any::Any)
        .downcast_ref::<Lazy>()
        .map_or(&[], |l| l.reads.as_slice())
}

/// What a breakdown by `by` reads besides the canonical tables: the customer table, unless
/// it names a column of the events (or, for retention, the first order's `category`).
fn breakdown_reads(by: Option<&str>, own: &[&str]) -> Vec<&'static str> {
    let Some(name) = by.map(crate::by::alias) else {
        return Vec::new();
    };
    let internal = ["event_time", "properties", "customer_id", "anonymous_id"];
    let event_column = strata_store::schema::EVENTS
        .fields
        .iter()
        .any(|f| f.name == name && !internal.contains(&name));
    if event_column || own.contains(&name) {
        Vec::new()
    } else {
        vec!["customer_profile"]
    }
}

impl fmt::Debug for Lazy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}()", self.name)
    }
}

fn user(e: BehaviourError) -> DataFusionError {
    match e {
        BehaviourError::DataFusion(e) => e,
        BehaviourError::Invalid(m) | BehaviourError::NoData(m) => DataFusionError::Plan(m),
        other => DataFusionError::External(Box::new(other)),
    }
}

#[async_trait::async_trait]
impl TableProvider for Lazy {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let state = state
            .as_any()
            .downcast_ref::<SessionState>()
            .ok_or_else(|| {
                DataFusionError::Internal(format!("{} needs a SessionState", self.name))
            })?;
        let ctx = SessionContext::new_with_state(state.clone());
        let batch = (self.job)(ctx).await.map_err(user)?;
        // The job's batch may name columns as the analysis does; the declared schema wins.
        let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())?;
        let table = MemTable::try_new(self.schema.clone(), vec![vec![batch]])?;
        table.scan(state, projection, filters, limit).await
    }
}

/// Text arguments: literal strings (empty or NULL: default), numbers as text.
fn texts(name: &str, exprs: &[Expr], max: usize) -> DfResult<Vec<Option<String>>> {
    if exprs.len() > max {
        return Err(DataFusionError::Plan(format!(
            "{name}() takes at most {max} arguments, got {}",
            exprs.len()
        )));
    }
    exprs
        .iter()
        .map(|e| match e {
            Expr::Literal(
                ScalarValue::Utf8(v) | ScalarValue::Utf8View(v) | ScalarValue::LargeUtf8(v),
                _,
            ) => Ok(v.clone().filter(|s| !s.trim().is_empty())),
            Expr::Literal(ScalarValue::Null, _) => Ok(None),
            Expr::Literal(v, _) if v.data_type().is_integer() => Ok(Some(v.to_string())),
            other => Err(DataFusionError::Plan(format!(
                "{name}(): arguments must be text literals such as '1d', got {other}"
            ))),
        })
        .collect()
}

fn schema(fields: &[(&str, DataType)]) -> SchemaRef {
    Arc::new(Schema::new(
        fields
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone(), true))
            .collect::<Vec<_>>(),
    ))
}

fn lazy(name: &'static str, schema: SchemaRef, job: Job) -> Arc<dyn TableProvider> {
    lazy_reading(name, schema, job, Vec::new())
}

fn lazy_reading(
    name: &'static str,
    schema: SchemaRef,
    job: Job,
    reads: Vec<&'static str>,
) -> Arc<dyn TableProvider> {
    Arc::new(Lazy {
        name,
        schema,
        job,
        reads,
    })
}

fn plan_err(e: impl fmt::Display) -> DataFusionError {
    DataFusionError::Plan(e.to_string())
}

/// A window such as `30m`, `2h`, `1d`, `7d` (a bare number is days) in µs; more than zero, at
/// most a year.
pub fn parse_window(s: &str) -> Option<i64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let secs = match unit.trim() {
        "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "" | "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    (n > 0.0 && n * secs <= 366.0 * 86_400.0).then_some((n * secs * 1e6) as i64)
}

#[derive(Debug)]
struct FunnelFn;

impl TableFunctionImpl for FunnelFn {
    fn call(&self, exprs: &[Expr]) -> DfResult<Arc<dyn TableProvider>> {
        let a = texts("funnel", exprs, 5)?;
        let steps = match a.first().cloned().flatten() {
            Some(s) => Step::parse_list(&s).map_err(plan_err)?,
            None => crate::steps::default_steps(),
        };
        let mut spec = FunnelSpec::new(steps);
        if let Some(w) = a.get(1).cloned().flatten() {
            spec.window_us = parse_window(&w).ok_or_else(|| {
                plan_err(format!(
                    "funnel(): window `{w}`: expected 30m, 2h, 1d or 7d"
                ))
            })?;
        }
        spec.by = a.get(2).cloned().flatten();
        spec.unit = match a.get(3).cloned().flatten().as_deref() {
            None | Some("customer") => Unit::Customer,
            Some("session") => Unit::Session,
            Some(o) => {
                return Err(plan_err(format!(
                    "funnel(): per `{o}`: expected customer or session"
                )));
            }
        };
        spec.order = match a.get(4).cloned().flatten().as_deref() {
            None | Some("relaxed") => Order::Relaxed,
            Some("strict") => Order::Strict,
            Some(o) => {
                return Err(plan_err(format!(
                    "funnel(): order `{o}`: expected relaxed or strict"
                )));
            }
        };
        let schema = schema(&[
            ("group", DataType::Utf8),
            ("step_no", DataType::UInt32),
            ("step", DataType::Utf8),
            ("units", DataType::UInt64),
            ("from_previous", DataType::Float64),
            ("from_first", DataType::Float64),
            ("drop_off", DataType::Float64),
            ("median_secs", DataType::Float64),
        ]);
        let reads = breakdown_reads(spec.by.as_deref(), &[]);
        let spec = Arc::new(spec);
        Ok(lazy_reading(
            "funnel",
            schema,
            Arc::new(move |ctx| {
                let spec = spec.clone();
                Box::pin(async move {
                    let mut f = funnel::funnel(&ctx, &spec).await?;
                    // Always a group column: "(all)" for everyone.
                    if f.by.is_none() {
                        f.by = Some("group".into());
                    }
                    f.to_batch(None)
                })
            }),
            reads,
        ))
    }
}

#[derive(Debug)]
struct RetentionFn {
    timezone: String,
}

impl TableFunctionImpl for RetentionFn {
    fn call(&self, exprs: &[Expr]) -> DfResult<Arc<dyn TableProvider>> {
        let a = texts("retention", exprs, 3)?;
        let mut spec = RetentionSpec {
            timezone: self.timezone.clone(),
            ..RetentionSpec::default()
        };
        spec.period = match a.first().cloned().flatten().as_deref() {
            None | Some("month") => Period::Month,
            Some("week") => Period::Week,
            Some(o) => {
                return Err(plan_err(format!(
                    "retention(): period `{o}`: expected month or week"
                )));
            }
        };
        spec.cohort = match a.get(1).cloned().flatten().as_deref() {
            None | Some("purchase") => CohortBy::Purchase,
            Some("visit") => CohortBy::Visit,
            Some(o) => {
                return Err(plan_err(format!(
                    "retention(): `{o}`: expected purchase or visit"
                )));
            }
        };
        spec.by = a.get(2).cloned().flatten();
        let schema = schema(&[
            ("cohort", DataType::Utf8),
            ("group", DataType::Utf8),
            ("customers", DataType::UInt64),
            ("period", DataType::UInt32),
            ("active", DataType::UInt64),
            ("rate", DataType::Float64),
        ]);
        let reads = breakdown_reads(spec.by.as_deref(), &["channel", "category"]);
        let spec = Arc::new(spec);
        Ok(lazy_reading(
            "retention",
            schema,
            Arc::new(move |ctx| {
                let spec = spec.clone();
                Box::pin(async move {
                    let r = retention::retention(&ctx, &spec).await?;
                    r.long_batch()
                })
            }),
            reads,
        ))
    }
}

#[derive(Debug)]
struct PathsFn;

impl TableFunctionImpl for PathsFn {
    fn call(&self, exprs: &[Expr]) -> DfResult<Arc<dyn TableProvider>> {
        let a = texts("paths", exprs, 2)?;
        let around =
            a.first().cloned().flatten().ok_or_else(|| {
                plan_err("paths(): name the step to look around, e.g. paths('cart')")
            })?;
        let around = Step::parse(&around).map_err(plan_err)?;
        let top = match a.get(1).cloned().flatten() {
            Some(t) => t
                .parse::<usize>()
                .map_err(|_| plan_err(format!("paths(): top `{t}`: expected a number")))?,
            None => 10,
        };
        let schema = schema(&[
            ("direction", DataType::Utf8),
            ("step", DataType::Utf8),
            ("count", DataType::UInt64),
            ("share", DataType::Float64),
        ]);
        let around = Arc::new(around);
        Ok(lazy(
            "paths",
            schema,
            Arc::new(move |ctx| {
                let around = around.clone();
                Box::pin(async move { paths::paths(&ctx, &around, top).await?.to_batch() })
            }),
        ))
    }
}

/// `channels()`, `page_speed()` and `behaviour_drivers()`: rows of the serialisable structs.
#[derive(Debug)]
struct RowsFn {
    name: &'static str,
}

impl TableFunctionImpl for RowsFn {
    fn call(&self, exprs: &[Expr]) -> DfResult<Arc<dyn TableProvider>> {
        texts(self.name, exprs, 0)?;
        let fields: Vec<(&str, DataType)> = match self.name {
            "channels" => vec![
                ("channel", DataType::Utf8),
                ("buyers", DataType::UInt64),
                ("buyer_share", DataType::Float64),
                ("orders", DataType::UInt64),
                ("revenue", DataType::Float64),
                ("revenue_share", DataType::Float64),
                ("avg_order_value", DataType::Float64),
                ("repurchase", DataType::Float64),
                ("sessions", DataType::UInt64),
                ("session_conversion", DataType::Float64),
            ],
            "page_speed" => vec![
                ("bucket", DataType::Utf8),
                ("from_ms", DataType::UInt64),
                ("page_views", DataType::UInt64),
                ("continued", DataType::Float64),
                ("loss_vs_fastest", DataType::Float64),
                ("sessions", DataType::UInt64),
                ("session_conversion", DataType::Float64),
            ],
            _ => vec![
                ("behaviour", DataType::Utf8),
                ("sessions", DataType::UInt64),
                ("conversion_with", DataType::Float64),
                ("conversion_without", DataType::Float64),
                ("r", DataType::Float64),
            ],
        };
        let schema = schema(&fields);
        let name = self.name;
        let s2 = schema.clone();
        Ok(lazy(
            name,
            schema,
            Arc::new(move |ctx| {
                let schema = s2.clone();
                Box::pin(async move {
                    let values: Vec<serde_json::Value> = match name {
                        "channels" => to_values(&channels::channels(&ctx).await?),
                        "page_speed" => to_values(&channels::page_speed(&ctx).await?),
                        _ => to_values(&channels::drivers(&ctx).await?),
                    };
                    rows_batch(schema, &values)
                })
            }),
        ))
    }
}

fn to_values<T: serde::Serialize>(rows: &[T]) -> Vec<serde_json::Value> {
    rows.iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect()
}

/// Rows as a batch of `schema`, through Arrow's JSON decoder.
pub fn rows_batch(schema: SchemaRef, values: &[serde_json::Value]) -> crate::Result<RecordBatch> {
    let mut decoder = arrow::json::ReaderBuilder::new(schema.clone()).build_decoder()?;
    decoder.serialize(values)?;
    Ok(decoder
        .flush()?
        .unwrap_or_else(|| RecordBatch::new_empty(schema)))
}

/// A table function as a person calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableFunction {
    pub name: &'static str,
    /// The call with its arguments, optional ones in brackets.
    pub usage: &'static str,
    pub doc: &'static str,
}

/// Every table function [`register`] adds, in the order help lists them.
pub const TABLE_FUNCTIONS: &[TableFunction] = &[
    TableFunction {
        name: "funnel",
        usage: "funnel(steps [, window [, by [, per [, order]]]])",
        doc: "conversion funnel: units reaching each step, drop-off, median time between steps",
    },
    TableFunction {
        name: "retention",
        usage: "retention([period [, of [, by]]])",
        doc: "cohort retention triangle (period month or week, of purchase or visit)",
    },
    TableFunction {
        name: "paths",
        usage: "paths(around [, top])",
        doc: "the most common steps just before and after an event, within sessions",
    },
    TableFunction {
        name: "channels",
        usage: "channels()",
        doc: "buyers, revenue, order value, repurchase and session conversion by channel",
    },
    TableFunction {
        name: "page_speed",
        usage: "page_speed()",
        doc: "page views continued and session conversion by load time",
    },
    TableFunction {
        name: "behaviour_drivers",
        usage: "behaviour_drivers()",
        doc: "per-session behaviours against buying (correlation)",
    },
];

/// Registers the table functions in `ctx`; retention cohorts use the shop's `timezone`.
pub fn register(ctx: &SessionContext, timezone: &str) {
    for f in TABLE_FUNCTIONS {
        let imp: Arc<dyn TableFunctionImpl> = match f.name {
            "funnel" => Arc::new(FunnelFn),
            "retention" => Arc::new(RetentionFn {
                timezone: timezone.to_string(),
            }),
            "paths" => Arc::new(PathsFn),
            name => Arc::new(RowsFn { name }),
        };
        ctx.register_udtf(f.name, imp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listed_table_functions_are_the_registered_ones() {
        let ctx = SessionContext::new();
        let before: std::collections::BTreeSet<String> =
            ctx.state().table_functions().keys().cloned().collect();
        register(&ctx, "Asia/Shanghai");
        let added: std::collections::BTreeSet<String> = ctx
            .state()
            .table_functions()
            .keys()
            .filter(|k| !before.contains(*k))
            .cloned()
            .collect();
        let listed: std::collections::BTreeSet<String> =
            TABLE_FUNCTIONS.iter().map(|f| f.name.to_string()).collect();
        assert_eq!(added, listed);
        for f in TABLE_FUNCTIONS {
            assert!(f.usage.starts_with(&format!("{}(", f.name)), "{f:?}");
        }
    }
}
