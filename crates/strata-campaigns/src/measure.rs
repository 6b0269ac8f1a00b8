//! Judging a campaign from what followed it: per variant and per tier, the treatment group
//! against the holdout on every KPI, with intervals, incremental conversions and revenue,
//! cost, return on cost and whether the target was met.
//!
//! A customer's measurement window runs from their first contact (or, held back, the time
//! they would have been contacted) for `measure_days` after their last. In it:
//! - converted: at least one paid order (`status = 'paid'`, by `ordered_at`);
//! - revenue: the sum of those orders' `paid_amount` (0 for non-buyers);
//! - visited: at least one event;
//! - repurchased: converted, among customers with a paid order before the window.
//!
//! The per-customer outcomes and their sums per group are one DataFusion plan (joins and
//! grouped aggregates); the comparison of the few resulting groups is
//! [`strata_models::inference`].

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{JoinType, ScalarValue};
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::prelude::*;
use serde::{Deserialize, Serialize};
use strata_models::inference::{MeanLift, Moments, RateLift, mean_lift, rate_lift};

use crate::contacts::CONTACTS;
use crate::error::{CampaignError, Result};
use crate::spec::Kpi;

/// What the customers of one group did in their windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub customers: u64,
    pub converted: u64,
    pub visited: u64,
    pub prior_buyers: u64,
    pub repurchased: u64,
    pub revenue: Moments,
    pub cost: f64,
}

impl Outcome {
    fn add(&mut self, o: &Outcome) {
        self.customers += o.customers;
        self.converted += o.converted;
        self.visited += o.visited;
        self.prior_buyers += o.prior_buyers;
        self.repurchased += o.repurchased;
        self.revenue.count += o.revenue.count;
        self.revenue.sum += o.revenue.sum;
        self.revenue.sum_sq += o.revenue.sum_sq;
        self.cost += o.cost;
    }

    /// The value of a KPI for this group.
    pub fn kpi(&self, kpi: Kpi) -> Option<f64> {
        let share = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        match kpi {
            Kpi::Conversion => share(self.converted, self.customers),
            Kpi::Visit => share(self.visited, self.customers),
            Kpi::Repurchase => share(self.repurchased, self.prior_buyers),
            Kpi::RevenuePerCustomer => (self.customers > 0).then(|| self.revenue.mean()),
        }
    }
}

/// One variant (in one tier, or overall) against the holdout (in the same tier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub variant: String,
    /// None: every tier together.
    pub tier: Option<String>,
    pub treatment: Outcome,
    pub holdout: Outcome,
    pub conversion: Option<RateLift>,
    pub visit: Option<RateLift>,
    pub repurchase: Option<RateLift>,
    pub revenue: Option<MeanLift>,
    /// `(conversion rate difference) × treated customers`.
    pub incremental_conversions: f64,
    /// `(revenue per customer difference) × treated customers`.
    pub incremental_revenue: f64,
    /// `(incremental revenue − cost) / cost`; None without cost.
    pub roi: Option<f64>,
    /// `cost / incremental conversions`; None unless some were gained.
    pub cost_per_incremental_conversion: Option<f64>,
    /// Whether the treatment group reached the campaign's target on its KPI.
    pub target_met: Option<bool>,
    /// Why an interval should not be taken at its word, in words.
    pub cautions: Vec<String>,
}

impl Comparison {
    /// The lift on `kpi`: difference, its interval and p-value, as
    /// `(difference, low, high, p_value)`.
    pub fn lift(&self, kpi: Kpi) -> Option<(f64, f64, f64, f64)> {
        let rate = |r: &Option<RateLift>| {
            r.as_ref().map(|r| {
                (
                    r.difference,
                    r.difference_interval.low,
                    r.difference_interval.high,
                    r.p_value,
                )
            })
        };
        match kpi {
            Kpi::Conversion => rate(&self.conversion),
            Kpi::Visit => rate(&self.visit),
            Kpi::Repurchase => rate(&self.repurchase),
            Kpi::RevenuePerCustomer => self.revenue.as_ref().map(|m| {
                (
                    m.difference,
                    m.difference_interval.low,
                    m.difference_interval.high,
                    m.p_value,
                )
            }),
        }
    }
}

/// A measured campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub campaign: String,
    pub kpi: Kpi,
    pub target: Option<f64>,
    pub confidence: f64,
    pub measure_days: u32,
    /// Whether the workspace has events (visits are unknown without them).
    pub visits_known: bool,
    /// Each variant over every tier.
    pub overall: Vec<Comparison>,
    /// Each variant in each tier the contacts name.
    pub by_tier: Vec<Comparison>,
    /// The latest measurement window's end, as microseconds since the epoch: a measurement
    /// before it is provisional.
    pub window_end_us: Option<i64>,
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct MeasureOptions {
    pub campaign: String,
    pub measure_days: u32,
    pub kpi: Kpi,
    pub target: Option<f64>,
    /// 0.95 for 95% intervals.
    pub confidence: f64,
}

/// Measures `options.campaign` from the `contacts`, `orders` and (when present) `events`
/// tables of `ctx`.
pub async fn measure(ctx: &SessionContext, options: &MeasureOptions) -> Result<Measurement> {
    let name = options.campaign.as_str();
    let days = ScalarValue::new_interval_mdn(0, options.measure_days as i32, 0);
    let contacts = ctx
        .table(CONTACTS)
        .await?
        .filter(col("campaign").eq(lit(name)))?
        .aggregate(
            vec![
                col("customer_id"),
                col("variant"),
                col("holdout"),
                col("tier"),
            ],
            vec![
                min(col("sent_at")).alias("first_at"),
                (max(col("sent_at")) + lit(days)).alias("end_at"),
                sum(col("cost")).alias("cost"),
            ],
        )?;
    let keys = contacts.clone().select(vec![
        col("customer_id").alias("__k"),
        col("first_at"),
        col("end_at"),
    ])?;
    let window = |df: DataFrame, t: &str| {
        df.join(keys.clone(), JoinType::Inner, &["__id"], &["__k"], None)
            .map(|df| {
                (
                    df,
                    col(t).gt_eq(col("first_at")).and(col(t).lt(col("end_at"))),
                )
            })
    };
    let one_if = |cond: Expr| when(cond, lit(1i64)).otherwise(lit(0i64));

    let orders = ctx
        .table("orders")
        .await?
        .filter(col("status").eq(lit("paid")))?
        .select(vec![
            col("customer_id").alias("__id"),
            col("ordered_at"),
            col("paid_amount"),
        ])?;
    let (orders, inside) = window(orders, "ordered_at")?;
    let per_orders = orders.aggregate(
        vec![col("__k")],
        vec![
            sum(one_if(inside.clone())?).alias("__orders"),
            sum(when(inside, col("paid_amount")).otherwise(lit(0.0))?).alias("__revenue"),
            sum(one_if(col("ordered_at").lt(col("first_at")))?).alias("__prior"),
        ],
    )?;
    let mut per = contacts.join(per_orders, JoinType::Left, &["customer_id"], &["__k"], None)?;
    let visits_known = ctx.table_exist("events")?;
    let visits = if visits_known {
        let events = ctx
            .table("events")
            .await?
            .filter(col("customer_id").is_not_null())?
            .select(vec![col("customer_id").alias("__id"), col("event_time")])?;
        let (events, inside) = window(events, "event_time")?;
        let per_events = events
            .filter(inside)?
            .aggregate(vec![col("__k")], vec![count(lit(1)).alias("__visits")])?
            .select(vec![col("__k").alias("__ek"), col("__visits")])?;
        per = per.join(
            per_events,
            JoinType::Left,
            &["customer_id"],
            &["__ek"],
            None,
        )?;
        coalesce(vec![col("__visits"), lit(0i64)]).gt(lit(0i64))
    } else {
        lit(false)
    };
    let converted = coalesce(vec![col("__orders"), lit(0i64)]).gt(lit(0i64));
    let prior = coalesce(vec![col("__prior"), lit(0i64)]).gt(lit(0i64));
    let revenue = coalesce(vec![col("__revenue"), lit(0.0)]);
    let groups = per
        .aggregate(
            vec![col("variant"), col("holdout"), col("tier")],
            vec![
                count(lit(1)).alias("customers"),
                sum(one_if(converted.clone())?).alias("converted"),
                sum(one_if(visits)?).alias("visited"),
                sum(one_if(prior.clone())?).alias("prior_buyers"),
                sum(one_if(prior.and(converted))?).alias("repurchased"),
                sum(revenue.clone()).alias("revenue"),
                sum(revenue.clone() * revenue).alias("revenue_sq"),
                sum(col("cost")).alias("cost"),
                max(col("end_at")).alias("end_at"),
            ],
        )?
        .select(vec![
            col("variant"),
            col("holdout"),
            cast(col("tier"), DataType::Utf8).alias("tier"),
            cast(col("customers"), DataType::Int64).alias("customers"),
            cast(col("converted"), DataType::Int64).alias("converted"),
            cast(col("visited"), DataType::Int64).alias("visited"),
            cast(col("prior_buyers"), DataType::Int64).alias("prior_buyers"),
            cast(col("repurchased"), DataType::Int64).alias("repurchased"),
            cast(col("revenue"), DataType::Float64).alias("revenue"),
            cast(col("revenue_sq"), DataType::Float64).alias("revenue_sq"),
            cast(col("cost"), DataType::Float64).alias("cost"),
            cast(col("end_at"), DataType::Int64).alias("end_at"),
        ])?
        .collect()
        .await?;

    // (variant, holdout, tier) → outcome.
    let mut cells: Vec<(String, bool, Option<String>, Outcome)> = Vec::new();
    let mut window_end_us: Option<i64> = None;
    for b in &groups {
        let variant = b.column(0).as_string::<i32>();
        let holdout = b.column(1).as_boolean();
        let tier = b.column(2).as_string::<i32>();
        let int = |i: usize, row: usize| b.column(i).as_primitive::<Int64Type>().value(row) as u64;
        let float = |i: usize, row: usize| b.column(i).as_primitive::<Float64Type>().value(row);
        for row in 0..b.num_rows() {
            let customers = int(3, row);
            let o = Outcome {
                customers,
                converted: int(4, row),
                visited: int(5, row),
                prior_buyers: int(6, row),
                repurchased: int(7, row),
                revenue: Moments {
                    count: customers,
                    sum: float(8, row),
                    sum_sq: float(9, row),
                },
                cost: if b.column(10).is_null(row) {
                    0.0
                } else {
                    float(10, row)
                },
            };
            let end = b.column(11).as_primitive::<Int64Type>();
            if !end.is_null(row) {
                window_end_us = window_end_us.max(Some(end.value(row)));
            }
            cells.push((
                variant.value(row).to_string(),
                holdout.value(row),
                (!tier.is_null(row)).then(|| tier.value(row).to_string()),
                o,
            ));
        }
    }
    if cells.is_empty() {
        return Err(CampaignError::NotFound(format!(
            "campaign `{name}` has no recorded contacts: record what was sent first (from its plan, or from delivery receipts)"
        )));
    }
    let mut holdout_all = Outcome::default();
    let mut holdout_tier: BTreeMap<Option<String>, Outcome> = BTreeMap::new();
    let mut treated_all: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut treated_tier: BTreeMap<(String, Option<String>), Outcome> = BTreeMap::new();
    for (variant, holdout, tier, o) in &cells {
        if *holdout {
            holdout_all.add(o);
            holdout_tier.entry(tier.clone()).or_default().add(o);
        } else {
            treated_all.entry(variant.clone()).or_default().add(o);
            treated_tier
                .entry((variant.clone(), tier.clone()))
                .or_default()
                .add(o);
        }
    }
    if holdout_all.customers == 0 {
        return Err(CampaignError::Invalid(format!(
            "campaign `{name}` held nobody back (a holdout of 0%): there is nothing to measure its effect against. Plan it again with a holdout (`holdout = 0.1`), or record receipts that include the held-back customers"
        )));
    }
    if treated_all.is_empty() {
        return Err(CampaignError::Invalid(format!(
            "campaign `{name}` has only held-back customers recorded: record the contacts that were sent too"
        )));
    }
    let overall = treated_all
        .iter()
        .map(|(v, t)| compare(options, v, None, t, &holdout_all))
        .collect::<Result<Vec<_>>>()?;
    let mut by_tier = Vec::new();
    for ((v, tier), t) in &treated_tier {
        if tier.is_none() {
            continue;
        }
        let h = holdout_tier.get(tier).copied().unwrap_or_default();
        if h.customers == 0 {
            continue;
        }
        by_tier.push(compare(options, v, tier.clone(), t, &h)?);
    }
    Ok(Measurement {
        campaign: name.to_string(),
        kpi: options.kpi,
        target: options.target,
        confidence: options.confidence,
        measure_days: options.measure_days,
        visits_known,
        overall,
        by_tier,
        window_end_us,
    })
}

fn compare(
    options: &MeasureOptions,
    variant: &str,
    tier: Option<String>,
    t: &Outcome,
    h: &Outcome,
) -> Result<Comparison> {
    let c = options.confidence;
    let invalid =
        |e: strata_models::inference::InferenceError| CampaignError::Invalid(e.to_string());
    let conversion =
        rate_lift((t.converted, t.customers), (h.converted, h.customers), c).map_err(invalid)?;
    let visit =
        rate_lift((t.visited, t.customers), (h.visited, h.customers), c).map_err(invalid)?;
    let repurchase = (t.prior_buyers > 0 && h.prior_buyers > 0)
        .then(|| {
            rate_lift(
                (t.repurchased, t.prior_buyers),
                (h.repurchased, h.prior_buyers),
                c,
            )
        })
        .transpose()
        .map_err(invalid)?;
    let revenue = mean_lift(t.revenue, h.revenue, c).map_err(invalid)?;
    let n = t.customers as f64;
    let incremental_conversions = conversion.difference * n;
    let incremental_revenue = revenue.difference * n;
    let roi = (t.cost > 0.0).then(|| (incremental_revenue - t.cost) / t.cost);
    let cost_per_incremental_conversion =
        (incremental_conversions > 0.0 && t.cost > 0.0).then(|| t.cost / incremental_conversions);
    let target_met = options
        .target
        .and_then(|target| t.kpi(options.kpi).map(|v| v >= target));
    let headline = match options.kpi {
        Kpi::Conversion => &conversion.cautions,
        Kpi::Visit => &visit.cautions,
        Kpi::Repurchase => repurchase
            .as_ref()
            .map_or(&conversion.cautions, |r| &r.cautions),
        Kpi::RevenuePerCustomer => &revenue.cautions,
    };
    let cautions = headline.iter().map(|c| c.to_string()).collect();
    Ok(Comparison {
        variant: variant.to_string(),
        tier,
        treatment: *t,
        holdout: *h,
        conversion: Some(conversion),
        visit: Some(visit),
        repurchase,
        revenue: Some(revenue),
        incremental_conversions,
        incremental_revenue,
        roi,
        cost_per_incremental_conversion,
        target_met,
        cautions,
    })
}
