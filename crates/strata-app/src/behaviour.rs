//! Funnels, retention, paths and channels over a workspace, as a person asks for them (steps
//! by name, local days), returning the domain results and their tables.

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use chrono::NaiveDate;
use chrono_tz::Tz;
use strata_behaviour::funnel::{self, Funnel, FunnelSpec, Order, Unit};
use strata_behaviour::paths::{self, Paths};
use strata_behaviour::retention::{self, CohortBy, Period, Retention, RetentionSpec};
use strata_behaviour::steps::Step;

use crate::error::{Error, Missing, Result};
use crate::session::{Session, block_on};

/// The local days `from ..= to` as UTC instants `[start, end)`, µs.
pub fn day_range_us(
    tz: Tz,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Option<i64>, Option<i64>)> {
    let from_us = from.map(|d| day_start_us(tz, d)).transpose()?;
    let to_us = to
        .map(|d| day_start_us(tz, d + chrono::Days::new(1)))
        .transpose()?;
    Ok((from_us, to_us))
}

fn day_start_us(tz: Tz, d: NaiveDate) -> Result<i64> {
    strata_features::clock::day_start_us(tz, d)
        .ok_or_else(|| Error::invalid(format!("{d} has no valid time in {tz}")))
}

fn need_events(session: &Session) -> Result<()> {
    if session.is_empty("events") {
        return Err(Error::Missing(Missing::Events));
    }
    Ok(())
}

/// A funnel as a person asks for it.
#[derive(Debug, Clone)]
pub struct FunnelRequest {
    /// Step names separated by commas.
    pub steps: String,
    pub window_us: i64,
    pub order: Order,
    pub unit: Unit,
    pub by: Option<String>,
    /// First steps on these local days (inclusive).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// A second range of days to compare with.
    pub compare: Option<(NaiveDate, NaiveDate)>,
}

impl Default for FunnelRequest {
    fn default() -> Self {
        FunnelRequest {
            steps: "home,category,product,cart,checkout,paid".into(),
            window_us: 86_400_000_000,
            order: Order::Relaxed,
            unit: Unit::Customer,
            by: None,
            from: None,
            to: None,
            compare: None,
        }
    }
}

impl FunnelRequest {
    fn spec(&self, tz: Tz) -> Result<FunnelSpec> {
        let (from_us, to_us) = day_range_us(tz, self.from, self.to)?;
        Ok(FunnelSpec {
            steps: Step::parse_list(&self.steps)?,
            window_us: self.window_us,
            order: self.order,
            unit: self.unit,
            by: self.by.clone(),
            from_us,
            to_us,
        })
    }
}

/// A funnel, and the one it is compared with.
#[derive(Debug)]
pub struct Funnels {
    /// The asked range first, then the compared one.
    pub funnels: Vec<Funnel>,
    /// One table per funnel (labelled by its range when compared).
    pub tables: Vec<RecordBatch>,
    /// Why a funnel is empty, when one is (a date range outside the events, a step nobody
    /// took).
    pub notes: Vec<String>,
    /// Who a breakdown by a customer column counts (identified customers), and the anonymous
    /// visitors left out of its groups.
    pub denominator: Option<String>,
    pub seconds: f64,
}

/// Computes the funnel (and the compared range's).
pub fn funnel(session: &Session, req: &FunnelRequest) -> Result<Funnels> {
    let tz = session.settings.timezone();
    let spec = req.spec(tz)?;
    need_events(session)?;
    let ctx = session.context()?;
    let started = std::time::Instant::now();
    let mut funnels = vec![block_on(funnel::funnel(&ctx, &spec))??];
    let mut tables = Vec::new();
    match req.compare {
        Some((c_from, c_to)) => {
            let mut other = spec.clone();
            (other.from_us, other.to_us) = day_range_us(tz, Some(c_from), Some(c_to))?;
            funnels.push(block_on(funnel::funnel(&ctx, &other))??);
            tables.push(funnels[0].to_batch(Some(&range_label(req.from, req.to)))?);
            tables.push(funnels[1].to_batch(Some(&range_label(Some(c_from), Some(c_to))))?);
        }
        None => tables.push(funnels[0].to_batch(None)?),
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut notes = Vec::new();
    let ranges =
        std::iter::once((req.from, req.to)).chain(req.compare.map(|(a, b)| (Some(a), Some(b))));
    for (f, (from, to)) in funnels.iter().zip(ranges) {
        if f.all.steps[0].units == 0 {
            notes.push(why_empty(session, &ctx, f, from, to)?);
        }
    }
    let denominator = denominator(&funnels[0]);
    Ok(Funnels {
        funnels,
        tables,
        notes,
        denominator,
        seconds,
    })
}

/// For a breakdown by a customer column: what its rates are out of, and the anonymous units
/// shown apart.
fn denominator(f: &Funnel) -> Option<String> {
    let anonymous = f.anonymous.as_ref()?;
    let by = f.by.as_deref().unwrap_or("the breakdown");
    let n = |g: &strata_behaviour::funnel::GroupFunnel| g.steps.first().map_or(0, |s| s.units);
    let (all, anon) = (n(&f.all), n(anonymous));
    let who = match (f.unit, all == 1) {
        (Unit::Customer, true) => "identified customer",
        (Unit::Customer, false) => "identified customers",
        (Unit::Session, true) => "session of an identified customer",
        (Unit::Session, false) => "sessions of identified customers",
    };
    let apart = match (f.unit, anon == 1) {
        (Unit::Customer, true) => "anonymous visitor reached it too and is",
        (Unit::Customer, false) => "anonymous visitors reached it too and are",
        (Unit::Session, true) => "anonymous session reached it too and is",
        (Unit::Session, false) => "anonymous sessions reached it too and are",
    };
    Some(format!(
        "by {by}: rates are out of the {all} {who} who reached {}, the only ones with a {by}; {anon} {apart} counted apart as {}",
        f.steps[0],
        funnel::ANONYMOUS_LABEL
    ))
}

/// Why nobody reached the first step: the days asked lie outside the events, or the step
/// was not taken (with the steps the data has).
fn why_empty(
    session: &Session,
    ctx: &datafusion::prelude::SessionContext,
    f: &Funnel,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<String> {
    let range = match (from, to) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        (Some(a), None) => format!("on or after {a}"),
        (None, Some(b)) => format!("up to {b}"),
        (None, None) => String::new(),
    };
    if let Some((first, last)) = event_days(session)? {
        let before = to.is_some_and(|t| t < first);
        let after = from.is_some_and(|d| d > last);
        if before || after {
            return Ok(format!(
                "no events {range}: the events run from {first} to {last}"
            ));
        }
    }
    let known = block_on(strata_behaviour::steps::KnownNames::of(ctx))??;
    let seen = known.seen_steps();
    let when = if range.is_empty() {
        range
    } else {
        format!(" {range}")
    };
    Ok(format!(
        "nobody reached the first step ({}){when}; the steps in the data are {}",
        f.steps[0],
        if seen.is_empty() {
            "none".to_string()
        } else {
            seen.join(", ")
        }
    ))
}

/// The local days of the first and the latest event.
fn event_days(session: &Session) -> Result<Option<(NaiveDate, NaiveDate)>> {
    let tz = session.settings.timezone();
    let batches = session.sql(
        "SELECT CAST(min(event_time) AS BIGINT), CAST(max(event_time) AS BIGINT) FROM events",
    )?;
    let Some(b) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Ok(None);
    };
    let us = strata_store::columns::i64s(b.column(0).as_ref())?
        .into_iter()
        .zip(strata_store::columns::i64s(b.column(1).as_ref())?)
        .next();
    let day = |t: i64| {
        use chrono::TimeZone;
        tz.timestamp_micros(t).single().map(|d| d.date_naive())
    };
    Ok(match us {
        Some((Some(a), Some(b))) => day(a).zip(day(b)),
        _ => None,
    })
}

fn range_label(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    format!(
        "{}..{}",
        from.map_or("start".into(), |d| d.to_string()),
        to.map_or("end".into(), |d| d.to_string())
    )
}

/// Who reached the step before `step` (1-based) and not `step`.
#[derive(Debug)]
pub struct Dropped {
    pub ids: Vec<String>,
    /// Anonymous visitors (or sessions) who dropped there too; they have no id to act on.
    pub anonymous: usize,
    pub before: String,
    pub step: String,
    pub unit: Unit,
    /// `customer_id`, one row per customer.
    pub table: RecordBatch,
}

pub fn dropped_at(session: &Session, req: &FunnelRequest, step: usize) -> Result<Dropped> {
    let spec = req.spec(session.settings.timezone())?;
    need_events(session)?;
    let ctx = session.context()?;
    let (ids, anonymous) = block_on(funnel::dropped_at(&ctx, &spec, step))??;
    let labels: Vec<String> = spec.steps.iter().map(Step::label).collect();
    let label = |k: usize| labels.get(k.wrapping_sub(1)).cloned().unwrap_or_default();
    let table = RecordBatch::try_new(
        std::sync::Arc::new(Schema::new(vec![Field::new(
            "customer_id",
            DataType::Utf8,
            false,
        )])),
        vec![std::sync::Arc::new(StringArray::from(ids.clone())) as ArrayRef],
    )?;
    Ok(Dropped {
        ids,
        anonymous,
        before: label(step.wrapping_sub(1)),
        step: label(step),
        unit: spec.unit,
        table,
    })
}

/// A retention analysis as a person asks for it.
#[derive(Debug, Clone, Default)]
pub struct RetentionRequest {
    pub period: Period,
    pub cohort: CohortBy,
    pub by: Option<String>,
}

pub fn retention(session: &Session, req: &RetentionRequest) -> Result<Retention> {
    let spec = RetentionSpec {
        period: req.period,
        cohort: req.cohort,
        by: req.by.clone(),
        timezone: session.settings.timezone_name().to_string(),
        ..RetentionSpec::default()
    };
    let ctx = session.context()?;
    Ok(block_on(retention::retention(&ctx, &spec))??)
}

/// The most common steps just before and after `around` within sessions.
pub fn paths(session: &Session, around: &str, top: usize) -> Result<Paths> {
    let around = Step::parse(around)?;
    need_events(session)?;
    let ctx = session.context()?;
    Ok(block_on(paths::paths(&ctx, &around, top))??)
}

/// The channel analyses, each a table function any SQL can call too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelTable {
    /// Buyers, revenue, order value, repurchase and session conversion per channel.
    Channels,
    /// Page views followed by another step, by load time.
    PageSpeed,
    /// Behaviours per session and conversion.
    BehaviourDrivers,
}

impl ChannelTable {
    pub const ALL: [ChannelTable; 3] = [
        ChannelTable::Channels,
        ChannelTable::PageSpeed,
        ChannelTable::BehaviourDrivers,
    ];

    /// The table function's name.
    pub fn function(self) -> &'static str {
        match self {
            ChannelTable::Channels => "channels",
            ChannelTable::PageSpeed => "page_speed",
            ChannelTable::BehaviourDrivers => "behaviour_drivers",
        }
    }
}

/// The channel analyses that have rows.
pub fn channels(session: &Session) -> Result<Vec<(ChannelTable, Vec<RecordBatch>)>> {
    let mut out = Vec::new();
    for t in ChannelTable::ALL {
        let batches = session.sql(&format!("SELECT * FROM {}()", t.function()))?;
        if batches.iter().any(|b| b.num_rows() > 0) {
            out.push((t, batches));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_are_whole_days_in_the_zone() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let (from, to) = day_range_us(chrono_tz::Asia::Shanghai, Some(d), Some(d)).unwrap();
        // 2026-03-01 00:00 in Shanghai is 2026-02-28 16:00 UTC.
        assert_eq!(from, Some(1_772_294_400_000_000));
        assert_eq!(to.unwrap() - from.unwrap(), 86_400_000_000);
        // São Paulo skipped midnight on 2018-11-04: the day starts at 01:00.
        let d = NaiveDate::from_ymd_opt(2018, 11, 4).unwrap();
        let (from, _) = day_range_us(chrono_tz::America::Sao_Paulo, Some(d), None).unwrap();
        assert_eq!(from, Some(1_541_300_400_000_000));
    }
}
