//! Ordered funnels with a conversion window.
//!
//! A customer (or session) reaches step k when it has events matching steps 1..k in that order
//! with the k-th no later than the window after the first; other events may come between
//! (relaxed order) or not (strict order: each step is the very next event). The first step must
//! fall in the date range; later steps may run past its end by up to the window, so the last
//! days' funnels are not cut short. Each unit counts once, at the furthest step it reached.
//!
//! The fold keeps, per unit and per step, the chain of matched events that reached that step
//! with the latest start. A later start leaves more of the window for the steps still to come,
//! so keeping only it loses nothing: the furthest step a unit reaches is exact, one pass, steps
//! × events work. An event matching several steps (a funnel with a repeated step) advances a
//! chain by one step only: steps are tried from the last down.
//!
//! Breakdowns by an event column (device, channel …) take the value on the event that started
//! the unit's counted chain (first touch); breakdowns by a customer column (region, segment,
//! tier, any column of the customer table) take the customer's value, and count identified
//! customers only: anonymous visitors have no value, and counting them under "(none)" made every
//! group look far better than everyone together. They are reported apart
//! ([`Funnel::anonymous`]).

use std::sync::Arc;

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use datafusion::logical_expr::when;
use datafusion::prelude::{Expr, SessionContext, cast, col, lit};
use datafusion::scalar::ScalarValue;
use serde::Serialize;

use crate::steps::{self, Step};
use crate::stream::{OrderCheck, Strs, UnitIndex, for_each_batch, i64s, ordered_context};
use crate::{BehaviourError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Steps in order; other events may come between them.
    Relaxed,
    /// Each step is the very next event of the customer or session.
    Strict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A logged-in customer, or a visitor by anonymous id.
    Customer,
    /// A session: steps must happen within one.
    Session,
}

#[derive(Debug, Clone)]
pub struct FunnelSpec {
    pub steps: Vec<Step>,
    /// Conversion window from the first step, µs.
    pub window_us: i64,
    pub order: Order,
    pub unit: Unit,
    /// Column to break down by: of `events`, or of the customer table (`customer_profile`,
    /// else `customers`).
    pub by: Option<String>,
    /// First steps from this instant (µs UTC, inclusive) …
    pub from_us: Option<i64>,
    /// … to this one (exclusive).
    pub to_us: Option<i64>,
}

impl FunnelSpec {
    pub fn new(steps: Vec<Step>) -> FunnelSpec {
        FunnelSpec {
            steps,
            window_us: 86_400_000_000,
            order: Order::Relaxed,
            unit: Unit::Customer,
            by: None,
            from_us: None,
            to_us: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepStats {
    pub step: String,
    /// Units that reached this step.
    pub units: u64,
    /// Of those at the previous step, the share that reached this one.
    pub from_previous: Option<f64>,
    /// Of those at the first step, the share that reached this one.
    pub from_first: Option<f64>,
    /// Median time from the previous step, seconds.
    pub median_secs: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupFunnel {
    /// The breakdown value; None for everyone together (or a missing value in a breakdown,
    /// shown as "(none)").
    pub group: Option<String>,
    pub steps: Vec<StepStats>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub steps: Vec<String>,
    pub window_secs: f64,
    pub order: Order,
    pub unit: Unit,
    pub by: Option<String>,
    /// Everyone; with a breakdown by a customer column, identified customers (or their
    /// sessions) only: an anonymous visitor has no value of it.
    pub all: GroupFunnel,
    /// One per breakdown value, largest first.
    pub groups: Vec<GroupFunnel>,
    /// With a breakdown by a customer column: the anonymous visitors (or sessions without a
    /// customer), counted apart from every group and from `all`.
    pub anonymous: Option<GroupFunnel>,
    /// Units whose events were not stored in time order (replayed sorted).
    pub replayed: usize,
}

/// Where a breakdown column lives.
#[derive(Debug, Clone)]
enum By {
    Event(String),
    Customer { table: &'static str, column: String },
}

async fn resolve_by(ctx: &SessionContext, name: &str) -> Result<By> {
    let name = crate::by::alias(name);
    let events = crate::by::columns_of(ctx, "events")
        .await
        .unwrap_or_default();
    let internal = ["event_time", "properties", "customer_id", "anonymous_id"];
    if events.iter().any(|c| c == name) && !internal.contains(&name) {
        return Ok(By::Event(name.to_string()));
    }
    if let Some(table) = crate::by::customer_table_of(ctx, name).await {
        return Ok(By::Customer {
            table,
            column: name.to_string(),
        });
    }
    let profile = crate::by::columns_of(ctx, "customer_profile")
        .await
        .unwrap_or_default();
    Err(BehaviourError::Invalid(format!(
        "breakdown `{name}`: no such column in events ({}) or the customer table{}",
        events
            .iter()
            .filter(|c| !internal.contains(&c.as_str()))
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        if profile.is_empty() {
            " (run `strata analyze` for region, segment, tier and the other customer columns)"
                .to_string()
        } else {
            " (region, segment, tier, province, city_tier, rfm_segment, spend_tier, lifecycle, …)"
                .to_string()
        }
    )))
}

pub(crate) fn ts(us: i64) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(us),
        Some(Arc::from("UTC")),
    ))
}

/// The per-unit folding state of a funnel.
struct Fold {
    k: usize,
    tri: usize,
    window: i64,
    strict: bool,
    /// Per unit and step: the chain's first event time (i64::MIN: no chain), its event time at
    /// this step, its breakdown value and its times between steps (seconds).
    start: Vec<i64>,
    reach: Vec<i64>,
    group: Vec<u32>,
    delta: Vec<f32>,
    /// Strict order: the steps whose chains end at the unit's latest event.
    live: Vec<u32>,
}

impl Fold {
    fn new(k: usize, window: i64, strict: bool) -> Fold {
        Fold {
            k,
            tri: k * (k - 1) / 2,
            window,
            strict,
            start: Vec::new(),
            reach: Vec::new(),
            group: Vec::new(),
            delta: Vec::new(),
            live: Vec::new(),
        }
    }

    fn ensure(&mut self, u: usize) {
        if u * self.k >= self.start.len() {
            let n = (u + 1).max(self.start.len() / self.k * 2).max(1024);
            self.start.resize(n * self.k, i64::MIN);
            self.reach.resize(n * self.k, 0);
            self.group.resize(n * self.k, 0);
            self.delta.resize(n * self.tri, 0.0);
            self.live.resize(n, 0);
        }
    }

    fn reset(&mut self, u: usize) {
        self.ensure(u);
        let k = self.k;
        self.start[u * k..(u + 1) * k].fill(i64::MIN);
        self.live[u] = 0;
    }

    /// Folds one event of unit `u` at time `t` matching the steps in `mask`.
    #[inline]
    fn push(&mut self, u: usize, t: i64, mask: u32, g: u32) {
        self.ensure(u);
        let k = self.k;
        let base = u * k;
        let live = self.live[u];
        let mut new_live = 0u32;
        if mask >> 1 != 0 {
            for j in (1..k).rev() {
                if mask >> j & 1 == 0 {
                    continue;
                }
                let prev = base + j - 1;
                let s = self.start[prev];
                let ready = if self.strict {
                    live >> (j - 1) & 1 == 1
                } else {
                    s != i64::MIN
                };
                if ready && t - s <= self.window {
                    self.start[base + j] = s;
                    self.group[base + j] = self.group[prev];
                    let d = ((t - self.reach[prev]) as f64 / 1e6) as f32;
                    let (from, to) = (
                        u * self.tri + (j - 1) * j.saturating_sub(2) / 2,
                        u * self.tri + j * (j - 1) / 2,
                    );
                    self.delta.copy_within(from..from + j - 1, to);
                    self.delta[to + j - 1] = d;
                    self.reach[base + j] = t;
                    new_live |= 1 << j;
                }
            }
        }
        if mask & 1 == 1 {
            self.start[base] = t;
            self.reach[base] = t;
            self.group[base] = g;
            new_live |= 1;
        }
        if self.strict {
            self.live[u] = new_live;
        }
    }

    /// The furthest step (0-based) unit `u` reached, if it started the funnel.
    fn level(&self, u: usize) -> Option<usize> {
        if u * self.k >= self.start.len() {
            return None;
        }
        (0..self.k)
            .rev()
            .find(|&j| self.start[u * self.k + j] != i64::MIN)
    }

    fn deltas(&self, u: usize, level: usize) -> &[f32] {
        let at = u * self.tri + level * level.saturating_sub(1) / 2;
        &self.delta[at..at + level]
    }
}

/// What the scan projects, by position: unit, time, step mask, then optional group and customer.
struct Scan {
    df: datafusion::prelude::DataFrame,
    has_group: bool,
    has_customer: bool,
}

async fn scan(ctx: &SessionContext, spec: &FunnelSpec, by: Option<&By>) -> Result<Scan> {
    let ordered = ordered_context(ctx);
    let df = ordered.table("events").await?;
    let unit = match spec.unit {
        Unit::Customer => datafusion::functions::core::expr_fn::coalesce(vec![
            col("customer_id"),
            datafusion::functions::string::expr_fn::concat(vec![lit("anon:"), col("anonymous_id")]),
        ]),
        Unit::Session => col("session_id"),
    };
    let mut filter = unit.clone().is_not_null();
    if let Some(from) = spec.from_us {
        filter = filter.and(col("event_time").gt_eq(ts(from)));
    }
    if let Some(to) = spec.to_us {
        filter = filter.and(col("event_time").lt(ts(to.saturating_add(spec.window_us))));
    }
    if spec.order == Order::Relaxed {
        let any = spec
            .steps
            .iter()
            .map(Step::predicate)
            .reduce(Expr::or)
            .expect("at least two steps");
        filter = filter.and(any);
    }
    let mut mask = lit(0i64);
    for (i, s) in spec.steps.iter().enumerate() {
        let mut p = s.predicate();
        if i == 0
            && let Some(to) = spec.to_us
        {
            p = p.and(col("event_time").lt(ts(to)));
        }
        mask = mask + when(p, lit(1i64 << i)).otherwise(lit(0i64))?;
    }
    let mut exprs = vec![
        cast(unit, DataType::Utf8View).alias("u"),
        cast(col("event_time"), DataType::Int64).alias("t"),
        mask.alias("m"),
    ];
    let has_group = matches!(by, Some(By::Event(_)));
    if let Some(By::Event(c)) = by {
        exprs.push(cast(col(c.as_str()), DataType::Utf8View).alias("g"));
    }
    let has_customer = spec.unit == Unit::Session && matches!(by, Some(By::Customer { .. }));
    if has_customer {
        exprs.push(cast(col("customer_id"), DataType::Utf8View).alias("c"));
    }
    let df = df.filter(filter)?.select(exprs)?;
    Ok(Scan {
        df,
        has_group,
        has_customer,
    })
}

/// One row of the scan, decoded.
struct Row<'a> {
    unit: &'a str,
    t: i64,
    mask: u32,
    group: Option<&'a str>,
    customer: Option<&'a str>,
}

fn rows<'a>(
    b: &'a RecordBatch,
    scan_has_group: bool,
    scan_has_customer: bool,
    mut f: impl FnMut(Row<'a>) -> Result<()>,
) -> Result<()> {
    let units = Strs::new(b.column(0))?;
    let ts = i64s(b.column(1))?;
    let masks = i64s(b.column(2))?;
    let groups = if scan_has_group {
        Some(Strs::new(b.column(3))?)
    } else {
        None
    };
    let customers = if scan_has_customer {
        Some(Strs::new(b.column(3 + usize::from(scan_has_group)))?)
    } else {
        None
    };
    for i in 0..b.num_rows() {
        let Some(unit) = units.get(i) else { continue };
        if ts.is_null(i) {
            continue;
        }
        f(Row {
            unit,
            t: ts.value(i),
            mask: masks.value(i) as u32,
            group: groups.as_ref().and_then(|g| g.get(i)),
            customer: customers.as_ref().and_then(|c| c.get(i)),
        })?;
    }
    Ok(())
}

const NO_GROUP: u32 = u32::MAX;
/// A customer breakdown's unit without a customer: an anonymous visitor or session.
const ANONYMOUS: u32 = u32::MAX - 1;

/// The folded funnel: per-unit chains and the names behind the indices.
struct Folded {
    fold: Fold,
    units: UnitIndex,
    /// Breakdown values seen on events.
    groups: crate::stream::Interner,
    /// Session mode with a customer breakdown: the customer of each session.
    customers: crate::stream::Interner,
    customer_of: Vec<u32>,
    by: Option<By>,
    replayed: usize,
}

async fn run(ctx: &SessionContext, spec: &FunnelSpec) -> Result<Folded> {
    let by = match &spec.by {
        Some(name) => Some(resolve_by(ctx, name).await?),
        None => None,
    };
    run_by(ctx, spec, by).await
}

async fn run_by(ctx: &SessionContext, spec: &FunnelSpec, by: Option<By>) -> Result<Folded> {
    steps::check_count(spec.steps.len())?;
    steps::check_known(ctx, &spec.steps).await?;
    if spec.window_us <= 0 {
        return Err(BehaviourError::Invalid(
            "the conversion window must be longer than zero".into(),
        ));
    }
    if let (Some(a), Some(b)) = (spec.from_us, spec.to_us)
        && a >= b
    {
        return Err(BehaviourError::Invalid(
            "the date range is empty: its start is not before its end".into(),
        ));
    }
    let k = spec.steps.len();
    let mut f = Folded {
        fold: Fold::new(k, spec.window_us, spec.order == Order::Strict),
        units: UnitIndex::default(),
        groups: Default::default(),
        customers: Default::default(),
        customer_of: Vec::new(),
        by,
        replayed: 0,
    };
    let mut order = OrderCheck::default();
    let s = scan(ctx, spec, f.by.as_ref()).await?;
    let (has_group, has_customer) = (s.has_group, s.has_customer);
    {
        let Folded {
            fold,
            units,
            groups,
            customers,
            customer_of,
            ..
        } = &mut f;
        for_each_batch(s.df, |b| {
            rows(b, has_group, has_customer, |r| {
                let u = units.index(r.unit);
                if has_customer {
                    note_customer(customer_of, customers, u, r.customer);
                }
                if !order.accept(u, r.t) {
                    return Ok(());
                }
                let g = r.group.map_or(NO_GROUP, |g| groups.intern(g));
                fold.push(u as usize, r.t, r.mask, g);
                Ok(())
            })
        })
        .await?;
    }
    if order.count > 0 {
        // Second pass: only the units seen out of order, sorted by time (ties keep stored
        // order), replayed from scratch.
        let s = scan(ctx, spec, f.by.as_ref()).await?;
        let mut held: Vec<(u32, i64, u64, u32, u32)> = Vec::new();
        let mut seq = 0u64;
        let Folded {
            fold,
            units,
            groups,
            ..
        } = &mut f;
        for_each_batch(s.df, |b| {
            rows(b, has_group, has_customer, |r| {
                seq += 1;
                let Some(u) = units.units.get(r.unit) else {
                    return Ok(());
                };
                if order.disordered[u as usize] {
                    let g = r.group.map_or(NO_GROUP, |g| groups.intern(g));
                    held.push((u, r.t, seq, r.mask, g));
                }
                Ok(())
            })
        })
        .await?;
        held.sort_unstable_by_key(|&(u, t, seq, _, _)| (u, t, seq));
        let mut last = u32::MAX;
        for (u, t, _, mask, g) in held {
            if u != last {
                fold.reset(u as usize);
                last = u;
            }
            fold.push(u as usize, t, mask, g);
        }
        f.replayed = order.count;
    }
    Ok(f)
}

fn note_customer(
    customer_of: &mut Vec<u32>,
    customers: &mut crate::stream::Interner,
    u: u32,
    customer: Option<&str>,
) {
    let u = u as usize;
    if customer_of.len() <= u {
        customer_of.resize(u + 1, NO_GROUP);
    }
    if customer_of[u] == NO_GROUP
        && let Some(c) = customer
    {
        customer_of[u] = customers.intern(c);
    }
}

/// Each unit's value of a customer column, as indices into the returned names.
async fn customer_groups(ctx: &SessionContext, f: &Folded) -> Result<(Vec<u32>, Vec<String>)> {
    let Some(By::Customer { table, column }) = &f.by else {
        return Err(BehaviourError::Internal("not a customer breakdown".into()));
    };
    let df = ctx.table(*table).await?.select(vec![
        cast(col("customer_id"), DataType::Utf8View).alias("c"),
        cast(col(column.as_str()), DataType::Utf8View).alias("v"),
    ])?;
    let batches = df.collect().await?;
    // Customer id → value index.
    let mut names = crate::stream::Interner::default();
    let mut value_of: hashbrown::HashMap<String, u32> = hashbrown::HashMap::new();
    for b in &batches {
        let ids = Strs::new(b.column(0))?;
        let vals = Strs::new(b.column(1))?;
        for i in 0..b.num_rows() {
            if let (Some(id), Some(v)) = (ids.get(i), vals.get(i)) {
                value_of.insert(id.to_string(), names.intern(v));
            }
        }
    }
    let n = f.units.units.len();
    let groups = (0..n)
        .map(|u| {
            let id = match f.customer_of.get(u) {
                Some(&c) if c != NO_GROUP => Some(f.customers.name(c)),
                _ if f.customer_of.is_empty() => {
                    let unit = f.units.units.name(u as u32);
                    (!unit.starts_with("anon:")).then_some(unit)
                }
                _ => None,
            };
            match id {
                Some(id) => value_of.get(id).copied().unwrap_or(NO_GROUP),
                None => ANONYMOUS,
            }
        })
        .collect();
    Ok((
        groups,
        (0..names.len() as u32)
            .map(|g| names.name(g).to_string())
            .collect(),
    ))
}

/// Computes a funnel over the `events` table of `ctx`.
pub async fn funnel(ctx: &SessionContext, spec: &FunnelSpec) -> Result<Funnel> {
    let f = run(ctx, spec).await?;
    let k = spec.steps.len();
    let n = f.units.units.len();
    let (unit_group, group_names): (Vec<u32>, Vec<String>) = match &f.by {
        None => (vec![NO_GROUP; n], Vec::new()),
        Some(By::Event(_)) => (
            (0..n)
                .map(|u| match f.fold.level(u) {
                    Some(l) => f.fold.group[u * k + l],
                    None => NO_GROUP,
                })
                .collect(),
            (0..f.groups.len() as u32)
                .map(|g| f.groups.name(g).to_string())
                .collect(),
        ),
        Some(By::Customer { .. }) => customer_groups(ctx, &f).await?,
    };
    // Slots: one per value, then no value, then anonymous (customer breakdowns only).
    let n_groups = group_names.len();
    let mut reached = vec![vec![0u64; k]; n_groups + 2];
    let mut times: Vec<Vec<Vec<f32>>> = vec![vec![Vec::new(); k]; n_groups + 2];
    for (u, &g) in unit_group.iter().enumerate() {
        let Some(level) = f.fold.level(u) else {
            continue;
        };
        let slot = match g {
            NO_GROUP => n_groups,
            ANONYMOUS => n_groups + 1,
            g => g as usize,
        };
        let d = f.fold.deltas(u, level);
        for j in 0..=level {
            reached[slot][j] += 1;
            if j > 0 {
                times[slot][j].push(d[j - 1]);
            }
        }
    }
    let labels: Vec<String> = spec.steps.iter().map(Step::label).collect();
    let make = |group: Option<String>, reached: &[u64], times: &mut [Vec<f32>]| GroupFunnel {
        group,
        steps: (0..k)
            .map(|j| StepStats {
                step: labels[j].clone(),
                units: reached[j],
                from_previous: (j > 0 && reached[j - 1] > 0)
                    .then(|| reached[j] as f64 / reached[j - 1] as f64),
                from_first: (reached[0] > 0).then(|| reached[j] as f64 / reached[0] as f64),
                median_secs: if j > 0 { median(&mut times[j]) } else { None },
            })
            .collect(),
    };
    // A customer column has no value for anonymous units: they are counted apart, so that a
    // group's rates and `all` share one denominator (identified customers).
    let by_customer = matches!(f.by, Some(By::Customer { .. }));
    let counted = if by_customer {
        n_groups + 1
    } else {
        n_groups + 2
    };
    let mut all_reached = vec![0u64; k];
    let mut all_times: Vec<Vec<f32>> = vec![Vec::new(); k];
    for (r, t) in reached.iter().zip(&times).take(counted) {
        for j in 0..k {
            all_reached[j] += r[j];
            all_times[j].extend_from_slice(&t[j]);
        }
    }
    let all = make(None, &all_reached, &mut all_times);
    let anonymous = by_customer.then(|| {
        make(
            Some(ANONYMOUS_LABEL.to_string()),
            &reached[n_groups + 1],
            &mut times[n_groups + 1],
        )
    });
    let mut groups = Vec::new();
    if f.by.is_some() {
        let names = group_names.into_iter().chain(["(none)".to_string()]);
        for (slot, name) in names.enumerate() {
            if reached[slot][0] > 0 {
                groups.push(make(Some(name), &reached[slot], &mut times[slot]));
            }
        }
        groups.sort_by(|a, b| b.steps[0].units.cmp(&a.steps[0].units));
    }
    Ok(Funnel {
        steps: labels,
        window_secs: spec.window_us as f64 / 1e6,
        order: spec.order,
        unit: spec.unit,
        by: spec.by.clone(),
        all,
        groups,
        anonymous,
        replayed: f.replayed,
    })
}

/// The table's label of the anonymous units of a customer breakdown.
pub const ANONYMOUS_LABEL: &str = "(anonymous)";
/// The table's label of everyone counted (identified units only in a customer breakdown).
pub const ALL_LABEL: &str = "(all)";
/// The same, in a customer breakdown.
pub const ALL_IDENTIFIED_LABEL: &str = "(all identified)";

/// Who reached step `step - 1` (1-based) but not `step`: logged-in customers, for activation,
/// sorted; and how many anonymous visitors dropped there too.
pub async fn dropped_at(
    ctx: &SessionContext,
    spec: &FunnelSpec,
    step: usize,
) -> Result<(Vec<String>, usize)> {
    let k = spec.steps.len();
    if step < 2 || step > k {
        return Err(BehaviourError::Invalid(format!(
            "drop-off at step {step}: expected a step from 2 to {k} (those who reached the one before and not it)"
        )));
    }
    let mut spec = spec.clone();
    spec.by = None;
    let session = spec.unit == Unit::Session;
    // Per session, the customer of each session is needed: a customer breakdown carries it.
    let by = session.then(|| By::Customer {
        table: "customers",
        column: "customer_id".into(),
    });
    let f = run_by(ctx, &spec, by).await?;
    let mut ids = hashbrown::HashSet::new();
    let mut anonymous = 0;
    for u in 0..f.units.units.len() {
        if f.fold.level(u) != Some(step - 2) {
            continue;
        }
        let id = if session {
            match f.customer_of.get(u) {
                Some(&c) if c != NO_GROUP => Some(f.customers.name(c)),
                _ => None,
            }
        } else {
            let id = f.units.units.name(u as u32);
            (!id.starts_with("anon:")).then_some(id)
        };
        match id {
            Some(id) => {
                ids.insert(id.to_string());
            }
            None => anonymous += 1,
        }
    }
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    Ok((ids, anonymous))
}

fn median(v: &mut [f32]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let mid = n / 2;
    let (_, &mut hi, _) = v.select_nth_unstable_by(mid, f32::total_cmp);
    if n % 2 == 1 {
        Some(f64::from(hi))
    } else {
        let lo = v[..mid].iter().copied().fold(f32::NEG_INFINITY, f32::max);
        Some((f64::from(lo) + f64::from(hi)) / 2.0)
    }
}

impl Funnel {
    /// One row per breakdown value (or everyone) and step, for tables and files. `label`
    /// names the date range when two are compared.
    pub fn to_batch(&self, label: Option<&str>) -> Result<RecordBatch> {
        use arrow::array::{Float64Builder, StringBuilder, UInt32Builder, UInt64Builder};
        use arrow::datatypes::{Field, Schema};
        let mut range = StringBuilder::new();
        let mut group = StringBuilder::new();
        let mut no = UInt32Builder::new();
        let mut step = StringBuilder::new();
        let mut units = UInt64Builder::new();
        let mut prev = Float64Builder::new();
        let mut first = Float64Builder::new();
        let mut drop = Float64Builder::new();
        let mut median = Float64Builder::new();
        let sets: Vec<&GroupFunnel> = if self.groups.is_empty() && self.anonymous.is_none() {
            vec![&self.all]
        } else {
            std::iter::once(&self.all)
                .chain(&self.groups)
                .chain(&self.anonymous)
                .collect()
        };
        let all_label = if self.anonymous.is_some() {
            ALL_IDENTIFIED_LABEL
        } else {
            ALL_LABEL
        };
        for g in sets {
            for (j, s) in g.steps.iter().enumerate() {
                range.append_option(label);
                group.append_value(g.group.as_deref().unwrap_or(all_label));
                no.append_value(j as u32 + 1);
                step.append_value(&s.step);
                units.append_value(s.units);
                prev.append_option(s.from_previous);
                first.append_option(s.from_first);
                drop.append_option(s.from_previous.map(|p| 1.0 - p));
                median.append_option(s.median_secs);
            }
        }
        let mut fields = Vec::new();
        let mut cols: Vec<arrow::array::ArrayRef> = Vec::new();
        if label.is_some() {
            fields.push(Field::new("range", DataType::Utf8, true));
            cols.push(Arc::new(range.finish()));
        }
        if self.by.is_some() {
            fields.push(Field::new(
                self.by.as_deref().unwrap_or("group"),
                DataType::Utf8,
                false,
            ));
            cols.push(Arc::new(group.finish()));
        }
        for (f, c) in [
            (
                Field::new("step_no", DataType::UInt32, false),
                Arc::new(no.finish()) as _,
            ),
            (
                Field::new("step", DataType::Utf8, false),
                Arc::new(step.finish()) as _,
            ),
            (
                Field::new("units", DataType::UInt64, false),
                Arc::new(units.finish()) as _,
            ),
            (
                Field::new("from_previous", DataType::Float64, true),
                Arc::new(prev.finish()) as _,
            ),
            (
                Field::new("from_first", DataType::Float64, true),
                Arc::new(first.finish()) as _,
            ),
            (
                Field::new("drop_off", DataType::Float64, true),
                Arc::new(drop.finish()) as _,
            ),
            (
                Field::new("median_secs", DataType::Float64, true),
                Arc::new(median.finish()) as _,
            ),
        ] {
            fields.push(f);
            cols.push(c);
        }
        Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)?)
    }
}
