//! Cohorts and how they come back.
//!
//! Customers are grouped by the local month (or week, Monday first) of their first paid order,
//! or of their first visit; the triangle counts, for each cohort, the customers active in each
//! later period: with a paid order (purchase cohorts) or any event (visit cohorts). Repurchase
//! within 30, 90 and 365 days is the share of customers whose second paid order came within
//! that many days of the first, among those whose first order is at least that long before the
//! last order in the data (the others cannot be judged yet).
//!
//! One parallel pass: every scan partition keeps, per customer, the first period, a bit per
//! active period and the two earliest order times, and the partitions are merged; memory grows
//! with customers, not orders or events.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use chrono::{Datelike, NaiveDate};
use datafusion::prelude::{SessionContext, cast, col, lit};
use futures::StreamExt;
use serde::Serialize;
use strata_features::clock::Clock;

use crate::stream::{Interner, Strs};
use crate::{BehaviourError, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Month,
    Week,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CohortBy {
    /// First paid order; active = a paid order in the period.
    #[default]
    Purchase,
    /// First event; active = any event in the period.
    Visit,
}

#[derive(Debug, Clone)]
pub struct RetentionSpec {
    pub period: Period,
    pub cohort: CohortBy,
    /// `channel` (of the first order or visit), `category` (of the first order's largest line),
    /// or a column of the customer table.
    pub by: Option<String>,
    pub timezone: String,
    /// Repurchase windows, days.
    pub repurchase_days: Vec<u32>,
}

impl Default for RetentionSpec {
    fn default() -> Self {
        RetentionSpec {
            period: Period::Month,
            cohort: CohortBy::Purchase,
            by: None,
            timezone: strata_store::DEFAULT_TIMEZONE.into(),
            repurchase_days: vec![30, 90, 365],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Cohort {
    /// `2026-03` for months, the Monday `2026-03-02` for weeks.
    pub cohort: String,
    pub group: Option<String>,
    pub customers: u64,
    /// Customers active in the cohort's period + i, for every period up to the last one with
    /// data.
    pub active: Vec<u64>,
    /// `active[i] / customers`.
    pub rate: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Repurchase {
    pub group: Option<String>,
    pub days: u32,
    /// Customers whose first order is at least `days` before the data's last order.
    pub eligible: u64,
    pub repurchased: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    pub period: Period,
    pub cohort_by: CohortBy,
    pub by: Option<String>,
    pub cohorts: Vec<Cohort>,
    /// Whether the last period is still running (the data ends before it does).
    pub last_period_partial: bool,
    pub repurchase: Vec<Repurchase>,
}

/// Per customer, what the pass keeps.
#[derive(Default)]
struct Acc {
    ids: Interner,
    first: Vec<i64>,
    first_group: Vec<u32>,
    second: Vec<i64>,
    bits: Vec<u64>,
}

const NONE: u32 = u32::MAX;

impl Acc {
    fn slot(&mut self, id: &str, words: usize) -> usize {
        let u = self.ids.intern(id) as usize;
        if u == self.first.len() {
            self.first.push(i64::MAX);
            self.second.push(i64::MAX);
            self.first_group.push(NONE);
            self.bits.resize(self.bits.len() + words, 0);
        }
        u
    }

    /// Keeps the two earliest distinct times and the group of the earliest.
    fn time(&mut self, u: usize, t: i64, group: u32) {
        if t < self.first[u] {
            self.second[u] = self.first[u];
            self.first[u] = t;
            self.first_group[u] = group;
        } else if t > self.first[u] && t < self.second[u] {
            self.second[u] = t;
        }
    }
}

/// Period index of a local instant.
fn period_of(clock: &Clock, period: Period, us: i64) -> i64 {
    period_of_day(period, clock.day(us))
}

/// Period index of a local day (days since 1970-01-01).
fn period_of_day(period: Period, day: i64) -> i64 {
    match period {
        // 1970-01-01 was a Thursday: Monday-based weeks start 3 days earlier.
        Period::Week => (day + 3).div_euclid(7),
        Period::Month => {
            let d = NaiveDate::from_num_days_from_ce_opt(719_163 + day as i32)
                .unwrap_or(NaiveDate::MIN);
            i64::from(d.year()) * 12 + i64::from(d.month0())
        }
    }
}

fn period_name(period: Period, index: i64) -> String {
    match period {
        Period::Month => format!(
            "{:04}-{:02}",
            index.div_euclid(12),
            index.rem_euclid(12) + 1
        ),
        Period::Week => NaiveDate::from_num_days_from_ce_opt(719_163 + (index * 7 - 3) as i32)
            .map_or_else(|| index.to_string(), |d| d.to_string()),
    }
}

async fn time_span(ctx: &SessionContext, sql: &str) -> Result<Option<(i64, i64)>> {
    let b = ctx.sql(sql).await?.collect().await?;
    let Some(b) = b.first() else { return Ok(None) };
    if b.num_rows() == 0 || b.column(0).is_null(0) {
        return Ok(None);
    }
    let lo = b.column(0).as_primitive::<Int64Type>().value(0);
    let hi = b.column(1).as_primitive::<Int64Type>().value(0);
    Ok(Some((lo, hi)))
}

/// Computes the cohort triangle and repurchase rates.
pub async fn retention(ctx: &SessionContext, spec: &RetentionSpec) -> Result<Retention> {
    let tz = strata_store::parse_timezone(&spec.timezone)
        .map_err(|e| BehaviourError::Invalid(e.to_string()))?;
    for &d in &spec.repurchase_days {
        if d == 0 {
            return Err(BehaviourError::Invalid(
                "repurchase windows must be at least one day".into(),
            ));
        }
    }
    let paid = col("status").is_null().or(col("status").eq(lit("paid")));
    let (table, time_col, span_sql) = match spec.cohort {
        CohortBy::Purchase => (
            "orders",
            "ordered_at",
            "SELECT CAST(min(ordered_at) AS BIGINT), CAST(max(ordered_at) AS BIGINT) FROM orders WHERE status IS NULL OR status = 'paid'",
        ),
        CohortBy::Visit => (
            "events",
            "event_time",
            "SELECT CAST(min(event_time) AS BIGINT), CAST(max(event_time) AS BIGINT) FROM events",
        ),
    };
    let Some((lo, hi)) = time_span(ctx, span_sql).await? else {
        return Err(BehaviourError::NoData(match spec.cohort {
            CohortBy::Purchase => {
                "the workspace has no paid orders; import them first (strata import orders FILE)"
                    .into()
            }
            CohortBy::Visit => {
                "the workspace has no events; import them first (strata import events FILE)".into()
            }
        }));
    };
    let clock = Clock::new(tz, lo, hi, Vec::new());
    let p0 = period_of(&clock, spec.period, lo);
    let p_last = period_of(&clock, spec.period, hi);
    let periods = (p_last - p0 + 1) as usize;
    let words = periods.div_ceil(64);

    // The group column, when it comes with each row.
    let by_row = match spec.by.as_deref() {
        Some("channel") => Some(col("channel")),
        _ => None,
    };
    let unit = match spec.cohort {
        CohortBy::Purchase => col("customer_id"),
        CohortBy::Visit => datafusion::functions::core::expr_fn::coalesce(vec![
            col("customer_id"),
            datafusion::functions::string::expr_fn::concat(vec![lit("anon:"), col("anonymous_id")]),
        ]),
    };
    let mut df = ctx.table(table).await?;
    let mut filter = unit.clone().is_not_null();
    if spec.cohort == CohortBy::Purchase {
        filter = filter.and(paid);
    }
    let mut exprs = vec![
        cast(unit, DataType::Utf8View).alias("u"),
        cast(col(time_col), DataType::Int64).alias("t"),
    ];
    if let Some(g) = by_row {
        exprs.push(cast(g, DataType::Utf8View).alias("g"));
    }
    df = df.filter(filter)?.select(exprs)?;
    let has_group = df.schema().fields().len() == 3;
    let streams = df.execute_stream_partitioned().await?;
    let mut tasks = Vec::new();
    for mut stream in streams {
        let clock_tz = tz;
        let period = spec.period;
        tasks.push(tokio::spawn(async move {
            let clock = Clock::new(clock_tz, lo, hi, Vec::new());
            // The period of each local day of the span, looked up instead of computed per row.
            let first_day = clock.day(lo);
            let by_day: Vec<u32> = (first_day..=clock.day(hi))
                .map(|d| (period_of_day(period, d).max(p0) - p0) as u32)
                .collect();
            let mut acc = Acc::default();
            let mut groups = Interner::default();
            let mut last: Option<(Box<str>, usize)> = None;
            while let Some(b) = stream.next().await {
                let b = b?;
                let ids = Strs::new(b.column(0))?;
                let ts = b.column(1).as_primitive::<Int64Type>();
                let gs = if has_group {
                    Some(Strs::new(b.column(2))?)
                } else {
                    None
                };
                for i in 0..b.num_rows() {
                    let (Some(id), false) = (ids.get(i), ts.is_null(i)) else {
                        continue;
                    };
                    let u = match &last {
                        Some((s, u)) if &**s == id => *u,
                        _ => {
                            let u = acc.slot(id, words);
                            last = Some((id.into(), u));
                            u
                        }
                    };
                    let t = ts.value(i);
                    let d = (clock.day(t) - first_day).clamp(0, by_day.len() as i64 - 1);
                    let p = (by_day[d as usize] as usize).min(periods - 1);
                    acc.bits[u * words + p / 64] |= 1 << (p % 64);
                    let g = gs
                        .as_ref()
                        .and_then(|g| g.get(i))
                        .map_or(NONE, |g| groups.intern(g));
                    acc.time(u, t, g);
                }
            }
            Ok::<_, BehaviourError>((acc, groups))
        }));
    }
    // Merge the partitions into the first.
    let mut merged: Option<(Acc, Interner)> = None;
    for task in tasks {
        let (acc, groups) = task
            .await
            .map_err(|e| BehaviourError::Internal(format!("retention task failed: {e}")))??;
        let Some((m, mg)) = merged.as_mut() else {
            merged = Some((acc, groups));
            continue;
        };
        for u in 0..acc.ids.len() {
            let id = acc.ids.name(u as u32);
            let v = m.slot(id, words);
            for w in 0..words {
                m.bits[v * words + w] |= acc.bits[u * words + w];
            }
            let g = match acc.first_group[u] {
                NONE => NONE,
                g => mg.intern(groups.name(g)),
            };
            m.time(v, acc.first[u], g);
            if acc.second[u] != i64::MAX {
                m.time(v, acc.second[u], g);
            }
        }
    }
    let (acc, groups) = merged.unwrap_or_default();

    // Group of each customer.
    let (group_of, names): (Vec<u32>, Vec<String>) = match spec.by.as_deref() {
        None => (vec![NONE; acc.ids.len()], Vec::new()),
        Some("channel") => (
            acc.first_group.clone(),
            (0..groups.len() as u32)
                .map(|g| groups.name(g).to_string())
                .collect(),
        ),
        Some(other) => customer_values(ctx, other, &acc.ids).await?,
    };

    // The triangle.
    let n_groups = names.len() + 1;
    let mut size = vec![vec![0u64; periods]; n_groups];
    let mut active = vec![vec![vec![0u64; periods]; periods]; n_groups];
    for (u, &g) in group_of.iter().enumerate() {
        let g = match g {
            NONE => names.len(),
            g => g as usize,
        };
        let c = (period_of(&clock, spec.period, acc.first[u]) - p0) as usize;
        size[g][c] += 1;
        for p in c..periods {
            if acc.bits[u * words + p / 64] >> (p % 64) & 1 == 1 {
                active[g][c][p - c] += 1;
            }
        }
    }
    let group_name = |g: usize| -> Option<String> {
        spec.by.as_ref().map(|_| {
            names
                .get(g)
                .cloned()
                .unwrap_or_else(|| "(none)".to_string())
        })
    };
    let mut cohorts = Vec::new();
    for g in 0..n_groups {
        for c in 0..periods {
            if size[g][c] == 0 {
                continue;
            }
            let observed = periods - c;
            let act = active[g][c][..observed].to_vec();
            cohorts.push(Cohort {
                cohort: period_name(spec.period, p0 + c as i64),
                group: group_name(g),
                customers: size[g][c],
                rate: act.iter().map(|&a| a as f64 / size[g][c] as f64).collect(),
                active: act,
            });
        }
    }
    // The last period is partial unless the data runs to its last day.
    let next_period_start_day = match spec.period {
        Period::Week => (p_last + 1) * 7 - 3,
        Period::Month => {
            let (y, m) = ((p_last + 1).div_euclid(12), (p_last + 1).rem_euclid(12) + 1);
            NaiveDate::from_ymd_opt(y as i32, m as u32, 1)
                .map_or(i64::MAX, |d| i64::from(d.num_days_from_ce()) - 719_163)
        }
    };
    let last_period_partial = clock.day(hi) + 1 < next_period_start_day;

    // Repurchase from orders (purchase cohorts only: visit cohorts have no order times).
    let mut repurchase = Vec::new();
    if spec.cohort == CohortBy::Purchase {
        let day_us = 86_400_000_000i64;
        for &days in &spec.repurchase_days {
            let mut eligible = vec![0u64; n_groups];
            let mut again = vec![0u64; n_groups];
            for (u, &g) in group_of.iter().enumerate() {
                if acc.first[u] + i64::from(days) * day_us > hi {
                    continue;
                }
                let g = match g {
                    NONE => names.len(),
                    g => g as usize,
                };
                eligible[g] += 1;
                if acc.second[u] != i64::MAX
                    && acc.second[u] - acc.first[u] <= i64::from(days) * day_us
                {
                    again[g] += 1;
                }
            }
            let total_e: u64 = eligible.iter().sum();
            let total_a: u64 = again.iter().sum();
            repurchase.push(Repurchase {
                group: None,
                days,
                eligible: total_e,
                repurchased: total_a,
                rate: (total_e > 0).then(|| total_a as f64 / total_e as f64),
            });
            if spec.by.is_some() {
                for g in 0..n_groups {
                    if eligible[g] > 0 {
                        repurchase.push(Repurchase {
                            group: group_name(g),
                            days,
                            eligible: eligible[g],
                            repurchased: again[g],
                            rate: Some(again[g] as f64 / eligible[g] as f64),
                        });
                    }
                }
            }
        }
    }
    Ok(Retention {
        period: spec.period,
        cohort_by: spec.cohort,
        by: spec.by.clone(),
        cohorts,
        last_period_partial,
        repurchase,
    })
}

/// Each customer's value of `column`: the first order's largest line's category for
/// `category`, else a column of the customer table.
async fn customer_values(
    ctx: &SessionContext,
    column: &str,
    ids: &Interner,
) -> Result<(Vec<u32>, Vec<String>)> {
    let df = if column == "category" {
        ctx.sql(
            "WITH first AS (
               SELECT customer_id, order_id, row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) AS n
               FROM orders WHERE customer_id IS NOT NULL AND (status IS NULL OR status = 'paid')),
             lines AS (
               SELECT f.customer_id, i.category,
                      row_number() OVER (PARTITION BY f.customer_id ORDER BY i.paid_amount DESC NULLS LAST, i.category) AS n
               FROM first f JOIN order_items i ON i.order_id = f.order_id
               WHERE f.n = 1 AND i.category IS NOT NULL)
             SELECT CAST(customer_id AS VARCHAR), CAST(category AS VARCHAR) FROM lines WHERE n = 1",
        )
        .await?
    } else {
        let name = crate::by::alias(column);
        let table = crate::by::customer_table_of(ctx, name).await;
        let found = match table {
            Some(table) => Some(ctx.table(table).await?.select(vec![
                cast(col("customer_id"), DataType::Utf8View),
                cast(col(name), DataType::Utf8View),
            ])?),
            None => None,
        };
        found.ok_or_else(|| {
            BehaviourError::Invalid(format!(
                "breakdown `{column}`: expected channel, category or a column of the customer table (region, segment, tier, acquisition_channel, city_tier, …; run `strata analyze` for the computed ones)"
            ))
        })?
    };
    let batches = df.collect().await?;
    let mut names = Interner::default();
    let mut of = vec![NONE; ids.len()];
    for b in &batches {
        let id = Strs::new(b.column(0))?;
        let v = Strs::new(b.column(1))?;
        for i in 0..b.num_rows() {
            if let (Some(id), Some(v)) = (id.get(i), v.get(i))
                && let Some(u) = ids.get(id)
            {
                of[u as usize] = names.intern(v);
            }
        }
    }
    Ok((
        of,
        (0..names.len() as u32)
            .map(|g| names.name(g).to_string())
            .collect(),
    ))
}

impl Retention {
    /// The triangle: one row per cohort (and breakdown value), the share active in each
    /// period after the first as columns `p0`, `p1` … (counts instead with `counts`).
    pub fn triangle_batch(&self, counts: bool) -> Result<arrow::array::RecordBatch> {
        use arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt64Builder};
        use arrow::datatypes::{Field, Schema};
        use std::sync::Arc;
        let width = self
            .cohorts
            .iter()
            .map(|c| c.active.len())
            .max()
            .unwrap_or(0);
        let mut cohort = StringBuilder::new();
        let mut group = StringBuilder::new();
        let mut size = UInt64Builder::new();
        let mut rate: Vec<Float64Builder> = (0..width).map(|_| Float64Builder::new()).collect();
        let mut count: Vec<UInt64Builder> = (0..width).map(|_| UInt64Builder::new()).collect();
        for c in &self.cohorts {
            cohort.append_value(&c.cohort);
            group.append_option(c.group.as_deref());
            size.append_value(c.customers);
            for i in 0..width {
                rate[i].append_option(c.rate.get(i).copied());
                count[i].append_option(c.active.get(i).copied());
            }
        }
        let mut fields = vec![Field::new("cohort", DataType::Utf8, false)];
        let mut cols: Vec<ArrayRef> = vec![Arc::new(cohort.finish())];
        if let Some(by) = &self.by {
            fields.push(Field::new(by.as_str(), DataType::Utf8, true));
            cols.push(Arc::new(group.finish()));
        }
        fields.push(Field::new("customers", DataType::UInt64, false));
        cols.push(Arc::new(size.finish()));
        let prefix = match self.period {
            Period::Month => "m",
            Period::Week => "w",
        };
        for i in 0..width {
            let name = format!("{prefix}{i}");
            if counts {
                fields.push(Field::new(name, DataType::UInt64, true));
                cols.push(Arc::new(count[i].finish()));
            } else {
                fields.push(Field::new(name, DataType::Float64, true));
                cols.push(Arc::new(rate[i].finish()));
            }
        }
        Ok(arrow::array::RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            cols,
        )?)
    }

    /// Repurchase rates, one row per window (and breakdown value).
    pub fn repurchase_batch(&self) -> Result<arrow::array::RecordBatch> {
        use arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt32Builder, UInt64Builder};
        use arrow::datatypes::{Field, Schema};
        use std::sync::Arc;
        let mut group = StringBuilder::new();
        let mut days = UInt32Builder::new();
        let mut eligible = UInt64Builder::new();
        let mut again = UInt64Builder::new();
        let mut rate = Float64Builder::new();
        for r in &self.repurchase {
            group.append_value(r.group.as_deref().unwrap_or("(all)"));
            days.append_value(r.days);
            eligible.append_value(r.eligible);
            again.append_value(r.repurchased);
            rate.append_option(r.rate);
        }
        let mut fields = Vec::new();
        let mut cols: Vec<ArrayRef> = Vec::new();
        if let Some(by) = &self.by {
            fields.push(Field::new(by.as_str(), DataType::Utf8, false));
            cols.push(Arc::new(group.finish()));
        }
        for (f, c) in [
            (
                Field::new("within_days", DataType::UInt32, false),
                Arc::new(days.finish()) as ArrayRef,
            ),
            (
                Field::new("eligible", DataType::UInt64, false),
                Arc::new(eligible.finish()) as _,
            ),
            (
                Field::new("repurchased", DataType::UInt64, false),
                Arc::new(again.finish()) as _,
            ),
            (
                Field::new("rate", DataType::Float64, true),
                Arc::new(rate.finish()) as _,
            ),
        ] {
            fields.push(f);
            cols.push(c);
        }
        Ok(arrow::array::RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            cols,
        )?)
    }
}

impl Retention {
    /// The triangle in long form: one row per cohort (and breakdown value) and period after
    /// the first, for SQL.
    pub fn long_batch(&self) -> Result<arrow::array::RecordBatch> {
        use arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt32Builder, UInt64Builder};
        use arrow::datatypes::{Field, Schema};
        use std::sync::Arc;
        let mut cohort = StringBuilder::new();
        let mut group = StringBuilder::new();
        let mut size = UInt64Builder::new();
        let mut period = UInt32Builder::new();
        let mut active = UInt64Builder::new();
        let mut rate = Float64Builder::new();
        for c in &self.cohorts {
            for (i, (&a, &r)) in c.active.iter().zip(&c.rate).enumerate() {
                cohort.append_value(&c.cohort);
                group.append_value(c.group.as_deref().unwrap_or("(all)"));
                size.append_value(c.customers);
                period.append_value(i as u32);
                active.append_value(a);
                rate.append_value(r);
            }
        }
        let schema = Schema::new(vec![
            Field::new("cohort", DataType::Utf8, true),
            Field::new("group", DataType::Utf8, true),
            Field::new("customers", DataType::UInt64, true),
            Field::new("period", DataType::UInt32, true),
            Field::new("active", DataType::UInt64, true),
            Field::new("rate", DataType::Float64, true),
        ]);
        let cols: Vec<ArrayRef> = vec![
            Arc::new(cohort.finish()),
            Arc::new(group.finish()),
            Arc::new(size.finish()),
            Arc::new(period.finish()),
            Arc::new(active.finish()),
            Arc::new(rate.finish()),
        ];
        Ok(arrow::array::RecordBatch::try_new(Arc::new(schema), cols)?)
    }
}
