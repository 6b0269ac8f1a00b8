//! `strata funnel`, `strata retention`, `strata paths` and `strata channels`: behaviour
//! analytics on the events and orders tables.

use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use clap::{Args, ValueEnum};
use strata_app::behaviour::{ChannelTable, FunnelRequest, RetentionRequest};
use strata_app::export::{self, Export, RESULT_FORMATS, TABLE_FORMATS};
use strata_app::{Overrides, Result, Session};
use strata_behaviour::funnel::{Order, Unit};
use strata_behaviour::retention::{CohortBy, Period};

use crate::output::{OutputFormat, print_batches};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrderArg {
    /// Steps in order; other events may come between them.
    Relaxed,
    /// Each step is the very next event.
    Strict,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PerArg {
    /// Each customer (or anonymous visitor) once.
    Customer,
    /// Each session once; steps must happen within it.
    Session,
}

#[derive(Debug, Args)]
pub struct FunnelArgs {
    /// Steps, in order, separated by commas: page types (home, category, product, cart,
    /// checkout, search), `paid`, event types (add_to_cart …), or page:NAME / event:NAME.
    #[arg(long, default_value = "home,category,product,cart,checkout,paid")]
    pub steps: String,
    /// Conversion window from the first step: 30m, 2h, 1d, 7d.
    #[arg(long, default_value = "1d", value_parser = parse_duration)]
    pub window: i64,
    #[arg(long, value_enum, default_value = "relaxed")]
    pub order: OrderArg,
    /// Count each customer or each session.
    #[arg(long, value_enum, default_value = "customer")]
    pub per: PerArg,
    /// Break down by a column: of events (device, channel …) by the first step's value, or of
    /// the customer table (region, segment, tier, city_tier, lifecycle, risk_tier …).
    #[arg(long)]
    pub by: Option<String>,
    /// First steps from this day (YYYY-MM-DD, local time) …
    #[arg(long, value_parser = crate::date)]
    pub from: Option<chrono::NaiveDate>,
    /// … to this day, inclusive.
    #[arg(long, value_parser = crate::date)]
    pub to: Option<chrono::NaiveDate>,
    /// A second date range to compare with: FROM..TO (days, inclusive).
    #[arg(long, value_parser = parse_range)]
    pub compare: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// List who reached the step before this one (1-based) and not this one.
    #[arg(long, value_name = "STEP")]
    pub dropped_at: Option<usize>,
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also write the result to a file: .csv, .xlsx or .json.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    Month,
    Week,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CohortArg {
    /// First paid order; active = a paid order in the period.
    Purchase,
    /// First event; active = any event in the period.
    Visit,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Cohorts by month or week (Monday first) of the first purchase or visit.
    #[arg(long, value_enum, default_value = "month")]
    pub cohort: PeriodArg,
    #[arg(long = "of", value_enum, default_value = "purchase")]
    pub of: CohortArg,
    /// Break down by `channel` (of the first order or visit), `category` (of the first order)
    /// or a column of the customer table (acquisition_channel, region, tier …).
    #[arg(long)]
    pub by: Option<String>,
    /// Show counts of active customers instead of shares.
    #[arg(long)]
    pub counts: bool,
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also write the result to a file: .csv, .xlsx or .json.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// The step to look around: a page type, `paid`, an event type, page:NAME or event:NAME.
    #[arg(long)]
    pub around: String,
    /// How many steps to list on each side.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also write the result to a file: .csv, .xlsx or .json.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `30m`, `2h`, `1d`, `90s`, `1w` in microseconds.
pub fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    strata_behaviour::sql::parse_window(s).ok_or_else(|| {
        format!(
            "`{s}`: expected a duration such as 30m, 2h, 1d or 7d (more than zero, at most a year)"
        )
    })
}

fn parse_range(s: &str) -> std::result::Result<(chrono::NaiveDate, chrono::NaiveDate), String> {
    let (a, b) = s.split_once("..").ok_or_else(|| {
        format!("`{s}`: expected FROM..TO, two days such as 2026-01-01..2026-03-31")
    })?;
    let a = crate::date(a)?;
    let b = crate::date(b)?;
    if b < a {
        return Err(format!("`{s}`: the range ends before it starts"));
    }
    Ok((a, b))
}

fn open(ws: &Path) -> Result<Session> {
    Session::open(ws, &Overrides::default())
}

/// Writes the result to `path`: its table (CSV, XLSX) or the whole result (JSON).
fn write_output(
    session: &Session,
    path: &Path,
    tables: &[RecordBatch],
    whole: &impl serde::Serialize,
    sheet: &str,
) -> Result<()> {
    let json = serde_json::to_value(whole)
        .map_err(|e| strata_app::Error::Internal(format!("writing JSON: {e}")))?;
    let e = Export {
        batches: tables,
        sheet,
        json: Some(&json),
    };
    export::to_path(path, RESULT_FORMATS, &e, session.settings.timezone())?;
    println!("wrote {}", path.display());
    Ok(())
}

fn check_output(path: Option<&PathBuf>) -> Result<()> {
    if let Some(p) = path {
        export::Format::of_path(p, RESULT_FORMATS)?;
    }
    Ok(())
}

pub fn funnel(ws: &Path, a: &FunnelArgs) -> Result<()> {
    check_output(a.output.as_ref())?;
    let session = open(ws)?;
    let req = FunnelRequest {
        steps: a.steps.clone(),
        window_us: a.window,
        order: match a.order {
            OrderArg::Relaxed => Order::Relaxed,
            OrderArg::Strict => Order::Strict,
        },
        unit: match a.per {
            PerArg::Customer => Unit::Customer,
            PerArg::Session => Unit::Session,
        },
        by: a.by.clone(),
        from: a.from,
        to: a.to,
        compare: a.compare,
    };
    if let Some(k) = a.dropped_at {
        let d = strata_app::behaviour::dropped_at(&session, &req, k)?;
        println!(
            "{} customers reached {} and not {} (plus {} anonymous {})",
            d.ids.len(),
            d.before,
            d.step,
            d.anonymous,
            if d.unit == Unit::Session {
                "sessions"
            } else {
                "visitors"
            }
        );
        match &a.output {
            Some(p) => write_output(
                &session,
                p,
                std::slice::from_ref(&d.table),
                &d.ids,
                "dropped",
            )?,
            None => print_batches(&[d.table.slice(0, d.table.num_rows().min(20))], a.format)?,
        }
        return Ok(());
    }
    let r = strata_app::behaviour::funnel(&session, &req)?;
    if a.format.is_table() {
        let f = &r.funnels[0];
        println!(
            "funnel {} per {}, window {}, {} order, in {:.2}s{}",
            f.steps.join(" → "),
            match f.unit {
                Unit::Customer => "customer",
                Unit::Session => "session",
            },
            describe_secs(f.window_secs),
            match f.order {
                Order::Relaxed => "relaxed",
                Order::Strict => "strict",
            },
            r.seconds,
            if f.replayed > 0 {
                format!(
                    " ({} whose events were stored out of time order were replayed sorted)",
                    f.replayed
                )
            } else {
                String::new()
            }
        );
        if let Some(d) = &r.denominator {
            println!("{d}");
        }
    }
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    print_batches(&r.tables, a.format)?;
    if let Some(p) = &a.output {
        write_output(&session, p, &r.tables, &r.funnels, "funnel")?;
    }
    Ok(())
}

fn describe_secs(s: f64) -> String {
    if s >= 86_400.0 && (s / 86_400.0).fract() == 0.0 {
        format!("{}d", s / 86_400.0)
    } else if s >= 3600.0 && (s / 3600.0).fract() == 0.0 {
        format!("{}h", s / 3600.0)
    } else if s >= 60.0 && (s / 60.0).fract() == 0.0 {
        format!("{}m", s / 60.0)
    } else {
        format!("{s}s")
    }
}

pub fn retention(ws: &Path, a: &RetentionArgs) -> Result<()> {
    check_output(a.output.as_ref())?;
    let session = open(ws)?;
    let req = RetentionRequest {
        period: match a.cohort {
            PeriodArg::Month => Period::Month,
            PeriodArg::Week => Period::Week,
        },
        cohort: match a.of {
            CohortArg::Purchase => CohortBy::Purchase,
            CohortArg::Visit => CohortBy::Visit,
        },
        by: a.by.clone(),
    };
    let r = strata_app::behaviour::retention(&session, &req)?;
    let triangle = r.triangle_batch(a.counts)?;
    if a.format.is_table() {
        println!(
            "{} cohorts by first {}, {} active in each later {}{}",
            match r.period {
                Period::Month => "monthly",
                Period::Week => "weekly",
            },
            match r.cohort_by {
                CohortBy::Purchase => "paid order",
                CohortBy::Visit => "visit",
            },
            if a.counts { "customers" } else { "share" },
            match r.period {
                Period::Month => "month (m0 is the first)",
                Period::Week => "week (w0 is the first)",
            },
            if r.last_period_partial {
                "; the last period is not over"
            } else {
                ""
            }
        );
    }
    print_batches(std::slice::from_ref(&triangle), a.format)?;
    if !r.repurchase.is_empty() {
        let rep = r.repurchase_batch()?;
        if a.format.is_table() {
            println!("repurchase: a second paid order within … days of the first");
        }
        print_batches(std::slice::from_ref(&rep), a.format)?;
    }
    if let Some(p) = &a.output {
        // A file holds one table: the triangle (JSON holds everything).
        write_output(
            &session,
            p,
            std::slice::from_ref(&triangle),
            &r,
            "retention",
        )?;
    }
    Ok(())
}

pub fn paths(ws: &Path, a: &PathsArgs) -> Result<()> {
    check_output(a.output.as_ref())?;
    let session = open(ws)?;
    let p = strata_app::behaviour::paths(&session, &a.around, a.top)?;
    if a.format.is_table() {
        println!(
            "{} occurrences of {} in sessions; the steps just before and after",
            p.occurrences, p.around
        );
    }
    let batch = p.to_batch()?;
    print_batches(std::slice::from_ref(&batch), a.format)?;
    if let Some(o) = &a.output {
        write_output(&session, o, &[batch], &p, "paths")?;
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct ChannelsArgs {
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also write the channel table to a file: .csv or .xlsx.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn channels(ws: &Path, a: &ChannelsArgs) -> Result<()> {
    if let Some(p) = &a.output {
        export::Format::of_path(p, TABLE_FORMATS).map_err(|e| {
            e.context("the channel table goes to .csv or .xlsx; for JSON use -f json")
        })?;
    }
    let session = open(ws)?;
    let tables = strata_app::behaviour::channels(&session)?;
    for (t, batches) in &tables {
        if a.format.is_table() {
            println!(
                "{}",
                match t {
                    ChannelTable::Channels =>
                        "channels: buyers, revenue, order value, repurchase (of customers whose first order came through the channel) and session conversion",
                    ChannelTable::PageSpeed =>
                        "page speed: share of page views followed by another step in the session, by load time",
                    ChannelTable::BehaviourDrivers =>
                        "behaviour and conversion per session (correlation, not cause)",
                }
            );
        }
        print_batches(batches, a.format)?;
    }
    if let Some(p) = &a.output {
        // The channel table (SQL reaches the others: page_speed(), behaviour_drivers()).
        let first: &[RecordBatch] = tables
            .iter()
            .find(|(t, _)| *t == ChannelTable::Channels)
            .map_or(&[], |(_, b)| b.as_slice());
        export::to_path(
            p,
            TABLE_FORMATS,
            &Export::table(first, "channels"),
            session.settings.timezone(),
        )?;
        println!("wrote {}", p.display());
    }
    Ok(())
}
