//! `strata funnel`, `strata retention` and `strata paths`: behaviour analytics on the events
//! and orders tables.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arrow::array::{AsArray, RecordBatch};
use clap::{Args, ValueEnum};
use serde::Serialize;
use strata_behaviour::funnel::{self, FunnelSpec, Order, Unit};
use strata_behaviour::paths;
use strata_behaviour::retention::{self, CohortBy, Period, RetentionSpec};
use strata_behaviour::steps::Step;
use strata_store::Workspace;

use crate::UserError;
use crate::analyze;
use crate::query::{self, OutputFormat};

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
    #[arg(long)]
    pub from: Option<chrono::NaiveDate>,
    /// … to this day, inclusive.
    #[arg(long)]
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
    let bad = || format!("`{s}`: expected FROM..TO, two days such as 2026-01-01..2026-03-31");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let a = a.trim().parse().map_err(|_| bad())?;
    let b = b.trim().parse().map_err(|_| bad())?;
    if b < a {
        return Err(format!("`{s}`: the range ends before it starts"));
    }
    Ok((a, b))
}

/// Start of a local day, µs UTC.
fn day_start(tz: chrono_tz::Tz, d: chrono::NaiveDate) -> Result<i64> {
    use chrono::TimeZone;
    let t = d.and_hms_opt(0, 0, 0).expect("midnight");
    let local = tz
        .from_local_datetime(&t)
        .earliest()
        .with_context(|| format!("{d} has no midnight in {tz}"))?;
    Ok(local.timestamp_micros())
}

fn range_us(
    tz: chrono_tz::Tz,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<(Option<i64>, Option<i64>)> {
    let from_us = from.map(|d| day_start(tz, d)).transpose()?;
    let to_us = to
        .map(|d| day_start(tz, d + chrono::Days::new(1)))
        .transpose()?;
    Ok((from_us, to_us))
}

fn check_output(path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("csv" | "xlsx" | "json")) {
        return Err(UserError(format!(
            "--output {}: expected a file name ending in .csv, .xlsx or .json",
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Writes the batches (CSV, XLSX) or the whole result (JSON) to `path`.
fn write_output(
    path: &Path,
    batches: &[RecordBatch],
    whole: &impl Serialize,
    tz: chrono_tz::Tz,
    sheet: &str,
) -> Result<()> {
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        let tmp = tempfile::Builder::new()
            .prefix(".strata-export")
            .tempfile_in(dir.unwrap_or(Path::new(".")))
            .with_context(|| format!("cannot write to the folder of {}", path.display()))?;
        serde_json::to_writer_pretty(tmp.as_file(), whole)?;
        crate::export::readable_by_all(tmp.as_file())?;
        tmp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        crate::export::write(batches, path, tz, sheet)
            .with_context(|| format!("exporting to {}", path.display()))?;
    }
    println!("wrote {}", path.display());
    Ok(())
}

fn setup(
    ws_dir: &Path,
) -> Result<(
    Workspace,
    datafusion::prelude::SessionContext,
    chrono_tz::Tz,
)> {
    let ws = Workspace::open(ws_dir)?;
    let (_, tz) = analyze::settings(ws_dir, None)?;
    let tz: chrono_tz::Tz = tz
        .parse()
        .map_err(|_| UserError(format!("time zone `{tz}` is unknown")))?;
    let ctx = strata_store::session(&ws)?;
    Ok((ws, ctx, tz))
}

/// Prints the batches; tables show fractions and seconds to three decimals (files keep them
/// whole).
fn print(batches: &[RecordBatch], format: OutputFormat) -> Result<()> {
    if !matches!(format, OutputFormat::Table) {
        return query::write_batches(&mut std::io::stdout(), batches, format);
    }
    let rounded = batches
        .iter()
        .map(|b| {
            let cols = b
                .columns()
                .iter()
                .map(
                    |c| match c.as_primitive_opt::<arrow::datatypes::Float64Type>() {
                        Some(f) => std::sync::Arc::new(arrow::compute::kernels::arity::unary::<
                            _,
                            _,
                            arrow::datatypes::Float64Type,
                        >(f, |v| {
                            (v * 1000.0).round() / 1000.0
                        })) as arrow::array::ArrayRef,
                        None => c.clone(),
                    },
                )
                .collect();
            RecordBatch::try_new(b.schema(), cols)
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    query::write_batches(&mut std::io::stdout(), &rounded, format)
}

pub fn funnel(ws_dir: &Path, a: &FunnelArgs) -> Result<()> {
    if let Some(p) = &a.output {
        check_output(p)?;
    }
    let steps = Step::parse_list(&a.steps)?;
    let (ws, ctx, tz) = setup(ws_dir)?;
    if ws.part_paths("events").is_empty() {
        return Err(UserError(
            "the workspace has no events; import them first (strata import events FILE)".into(),
        )
        .into());
    }
    let (from_us, to_us) = range_us(tz, a.from, a.to)?;
    let spec = FunnelSpec {
        steps,
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
        from_us,
        to_us,
    };
    let rt = query::runtime()?;
    if let Some(k) = a.dropped_at {
        let (ids, anonymous) = rt.block_on(funnel::dropped_at(&ctx, &spec, k))?;
        let labels: Vec<String> = spec.steps.iter().map(Step::label).collect();
        let step = labels.get(k.wrapping_sub(1)).cloned().unwrap_or_default();
        let before = labels.get(k.wrapping_sub(2)).cloned().unwrap_or_default();
        println!(
            "{} customers reached {before} and not {step} (plus {anonymous} anonymous {})",
            ids.len(),
            if spec.unit == Unit::Session {
                "sessions"
            } else {
                "visitors"
            }
        );
        let batch = RecordBatch::try_new(
            std::sync::Arc::new(arrow::datatypes::Schema::new(vec![
                arrow::datatypes::Field::new(
                    "customer_id",
                    arrow::datatypes::DataType::Utf8,
                    false,
                ),
            ])),
            vec![std::sync::Arc::new(arrow::array::StringArray::from(
                ids.clone(),
            ))],
        )?;
        match &a.output {
            Some(p) => write_output(p, &[batch], &ids, tz, "dropped")?,
            None => print(&[batch.slice(0, batch.num_rows().min(20))], a.format)?,
        }
        return Ok(());
    }
    let started = std::time::Instant::now();
    let f = rt.block_on(funnel::funnel(&ctx, &spec))?;
    let mut batches = Vec::new();
    let mut all = vec![f];
    if let Some((c_from, c_to)) = a.compare {
        let mut other = spec.clone();
        (other.from_us, other.to_us) = range_us(tz, Some(c_from), Some(c_to))?;
        all.push(rt.block_on(funnel::funnel(&ctx, &other))?);
        let label = |from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>| {
            format!(
                "{}..{}",
                from.map_or("start".into(), |d| d.to_string()),
                to.map_or("end".into(), |d| d.to_string())
            )
        };
        batches.push(all[0].to_batch(Some(&label(a.from, a.to)))?);
        batches.push(all[1].to_batch(Some(&label(Some(c_from), Some(c_to))))?);
    } else {
        batches.push(all[0].to_batch(None)?);
    }
    if matches!(a.format, OutputFormat::Table) {
        let f = &all[0];
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
            started.elapsed().as_secs_f64(),
            if f.replayed > 0 {
                format!(
                    " ({} whose events were stored out of time order were replayed sorted)",
                    f.replayed
                )
            } else {
                String::new()
            }
        );
        if f.all.steps[0].units == 0 {
            println!(
                "nobody reached the first step ({}); check the step names against `strata query \"SELECT DISTINCT event_type, page FROM events\"`",
                f.steps[0]
            );
        }
    }
    print(&batches, a.format)?;
    if let Some(p) = &a.output {
        write_output(p, &batches, &all, tz, "funnel")?;
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

pub fn retention(ws_dir: &Path, a: &RetentionArgs) -> Result<()> {
    if let Some(p) = &a.output {
        check_output(p)?;
    }
    let (_ws, ctx, tz) = setup(ws_dir)?;
    let spec = RetentionSpec {
        period: match a.cohort {
            PeriodArg::Month => Period::Month,
            PeriodArg::Week => Period::Week,
        },
        cohort: match a.of {
            CohortArg::Purchase => CohortBy::Purchase,
            CohortArg::Visit => CohortBy::Visit,
        },
        by: a.by.clone(),
        timezone: tz.name().to_string(),
        ..RetentionSpec::default()
    };
    let r = query::runtime()?.block_on(retention::retention(&ctx, &spec))?;
    let triangle = r.triangle_batch(a.counts)?;
    let mut batches = vec![triangle];
    if matches!(a.format, OutputFormat::Table) {
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
    print(&batches, a.format)?;
    if !r.repurchase.is_empty() {
        let rep = r.repurchase_batch()?;
        if matches!(a.format, OutputFormat::Table) {
            println!("repurchase: a second paid order within … days of the first");
        }
        print(std::slice::from_ref(&rep), a.format)?;
        batches.push(rep);
    }
    if let Some(p) = &a.output {
        // A file holds one table: the triangle (JSON holds everything).
        write_output(p, &batches[..1], &r, tz, "retention")?;
    }
    Ok(())
}

pub fn paths(ws_dir: &Path, a: &PathsArgs) -> Result<()> {
    if let Some(p) = &a.output {
        check_output(p)?;
    }
    let around = Step::parse(&a.around)?;
    let (ws, ctx, tz) = setup(ws_dir)?;
    if ws.part_paths("events").is_empty() {
        return Err(UserError(
            "the workspace has no events; import them first (strata import events FILE)".into(),
        )
        .into());
    }
    let p = query::runtime()?.block_on(paths::paths(&ctx, &around, a.top))?;
    if matches!(a.format, OutputFormat::Table) {
        println!(
            "{} occurrences of {} in sessions; the steps just before and after",
            p.occurrences, p.around
        );
    }
    let batch = p.to_batch()?;
    print(std::slice::from_ref(&batch), a.format)?;
    if let Some(o) = &a.output {
        write_output(o, &[batch], &p, tz, "paths")?;
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

pub fn channels(ws_dir: &Path, a: &ChannelsArgs) -> Result<()> {
    if let Some(p) = &a.output {
        check_output(p)?;
        if p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            return Err(UserError(format!(
                "--output {}: the channel table goes to .csv or .xlsx; for JSON use -f json",
                p.display()
            ))
            .into());
        }
    }
    let ws = Workspace::open(ws_dir)?;
    let (_, tz) = analyze::settings(ws_dir, None)?;
    let tz: chrono_tz::Tz = tz
        .parse()
        .map_err(|_| UserError(format!("time zone `{tz}` is unknown")))?;
    let table = matches!(a.format, OutputFormat::Table);
    let mut all = Vec::new();
    for (title, function) in [
        (
            "channels: buyers, revenue, order value, repurchase (of customers whose first order came through the channel) and session conversion",
            "channels",
        ),
        (
            "page speed: share of page views followed by another step in the session, by load time",
            "page_speed",
        ),
        (
            "behaviour and conversion per session (correlation, not cause)",
            "behaviour_drivers",
        ),
    ] {
        let batches = query::sql(&ws, &format!("SELECT * FROM {function}()"))?;
        if batches.iter().all(|b| b.num_rows() == 0) {
            continue;
        }
        if table {
            println!("{title}");
        }
        print(&batches, a.format)?;
        all.extend(batches);
    }
    if let Some(p) = &a.output {
        // The channel table (SQL reaches the others: page_speed(), behaviour_drivers()).
        let first: Vec<RecordBatch> = all.into_iter().take(1).collect();
        crate::export::write(&first, p, tz, "channels")
            .with_context(|| format!("exporting to {}", p.display()))?;
        println!("wrote {}", p.display());
    }
    Ok(())
}
