//! `strata clv`: the lifetime-value models on any transaction file or summary, outside a
//! workspace (summarize → fit → predict), as analysts use them on their own data or on CDNOW.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use strata_models::{
    ClvOptions, FitOptions, ModelKind, Period, SummaryOptions, TimeUnit, calibration_and_holdout,
    clv, fit, fit_gamma_gamma, holdout_error, summarize,
};

use crate::UserError;

#[derive(Debug, Subcommand)]
pub enum ClvCommand {
    /// Build the (frequency, recency, T, monetary_value) summary from transactions.
    Summarize(SummarizeArgs),
    /// Fit a model to a summary and print its parameters, errors and fit statistics.
    Fit(FitArgs),
    /// Per-customer P(alive), expected purchases, expected spend and CLV.
    Predict(PredictArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ModelArg {
    Bgnbd,
    Mbgnbd,
    Pareto,
    Gammagamma,
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// Transactions: CSV/TSV with a header, or whitespace-separated columns without one.
    #[arg(long)]
    pub transactions: PathBuf,
    /// Customer column: a header name, or a 1-based column number.
    #[arg(long)]
    pub customer: String,
    /// Date column (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD; a time after it is ignored).
    #[arg(long)]
    pub date: String,
    /// Amount column, for monetary_value.
    #[arg(long)]
    pub amount: Option<String>,
    /// Purchases are counted once per period.
    #[arg(long, value_enum, default_value = "day")]
    pub period: PeriodArg,
    /// Periods of N days instead (counted from 1970-01-01).
    #[arg(long, value_name = "N")]
    pub period_days: Option<u32>,
    /// Divide recency and T by this (7 with daily periods gives weeks, as CDNOW is usually
    /// summarised).
    #[arg(long, default_value_t = 1.0)]
    pub unit_days: f64,
    /// End of observation (inclusive). Default: the latest transaction.
    #[arg(long)]
    pub end: Option<chrono::NaiveDate>,
    /// End of calibration (inclusive): adds frequency_holdout and duration_holdout.
    #[arg(long)]
    pub calibration_end: Option<chrono::NaiveDate>,
    /// Output CSV (default: standard output).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// Summary CSV with frequency, recency and T (and monetary_value for gammagamma).
    #[arg(long)]
    pub summary: PathBuf,
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// L2 penalty on the parameters.
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Summary CSV with frequency, recency and T (and monetary_value for spend and CLV).
    #[arg(long)]
    pub summary: PathBuf,
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// Horizon of the expected purchases, in the summary's time unit.
    #[arg(long)]
    pub horizon: f64,
    /// Monthly discount rate for CLV.
    #[arg(long, default_value_t = 0.01)]
    pub discount: f64,
    /// Profit margin for CLV (1: revenue).
    #[arg(long, default_value_t = 1.0)]
    pub margin: f64,
    /// CLV horizon in months.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Days per time unit of the summary, as given to `summarize --unit-days` (7 for weeks).
    #[arg(long, default_value_t = 1.0)]
    pub unit_days: f64,
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Output CSV (default: standard output).
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

pub fn run(cmd: &ClvCommand) -> Result<()> {
    match cmd {
        ClvCommand::Summarize(a) => summarize_cmd(a),
        ClvCommand::Fit(a) => fit_cmd(a),
        ClvCommand::Predict(a) => predict_cmd(a),
    }
}

/// Days since 1970-01-01 of a date at the start of `text`.
fn parse_day(text: &str) -> Option<i64> {
    let t = text.trim();
    let date = t.split([' ', 'T']).next()?;
    let (y, m, d) = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        (&date[..4], &date[4..6], &date[6..])
    } else {
        let mut it = date.split(['-', '/']);
        (it.next()?, it.next()?, it.next()?)
    };
    let d = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(
        d.signed_duration_since(chrono::NaiveDate::default())
            .num_days(),
    )
}

fn epoch_day(d: chrono::NaiveDate) -> i64 {
    d.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

/// A table of text cells: header names (or `None` without a header) and rows with line numbers.
struct TextTable {
    header: Option<Vec<String>>,
    rows: Vec<(usize, Vec<String>)>,
    /// `;`-separated files write amounts with a decimal comma.
    decimal_comma: bool,
}

fn split_line(line: &str, delim: Option<char>) -> Vec<String> {
    match delim {
        // Quoted cells such as "1,299.00" stay whole.
        Some(c) => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(c as u8)
                .flexible(true)
                .from_reader(line.as_bytes());
            r.records()
                .next()
                .and_then(|rec| rec.ok())
                .map(|rec| rec.iter().map(|c| c.trim().to_string()).collect())
                .unwrap_or_default()
        }
        None => line.split_whitespace().map(str::to_string).collect(),
    }
}

/// Reads a table; with `has_header` unknown (`None`), the first line is a header when its cell
/// in `probe` column is not a date.
fn read_table(path: &Path, has_header: Option<bool>, probe: usize) -> Result<TextTable> {
    let file = std::fs::File::open(path)
        .map_err(|e| UserError(format!("cannot open {}: {e}", path.display())))?;
    let mut header = None;
    let mut delim = None;
    let mut rows = Vec::new();
    let mut first = true;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line =
            line.with_context(|| format!("{}: line {} is unreadable", path.display(), i + 1))?;
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_line(line, delim);
        if first {
            delim = [',', '\t', ';'].into_iter().find(|c| line.contains(*c));
            let cells = split_line(line, delim);
            first = false;
            let is_header = has_header
                .unwrap_or_else(|| cells.get(probe).is_none_or(|c| parse_day(c).is_none()));
            if is_header {
                header = Some(cells);
            } else {
                rows.push((i + 1, cells));
            }
            continue;
        }
        rows.push((i + 1, cells));
    }
    Ok(TextTable {
        header,
        rows,
        decimal_comma: delim == Some(';'),
    })
}

/// The index of a column given by header name or 1-based number.
fn column(path: &Path, table: &TextTable, spec: &str, what: &str) -> Result<usize> {
    if let Some(h) = &table.header
        && let Some(i) = h.iter().position(|c| c.eq_ignore_ascii_case(spec))
    {
        return Ok(i);
    }
    if let Ok(n) = spec.parse::<usize>()
        && n >= 1
    {
        return Ok(n - 1);
    }
    let found = table
        .header
        .as_ref()
        .map(|h| h.join(", "))
        .unwrap_or_else(|| "no header row".into());
    bail!(UserError(format!(
        "{}: no {what} column `{spec}`; the columns are: {found} (or give a 1-based number)",
        path.display()
    )))
}

fn summarize_cmd(a: &SummarizeArgs) -> Result<()> {
    // Columns all given by number: the first line is a header only if its date cell is not a
    // date (CDNOW-style files have none).
    let numeric = |s: &str| s.parse::<usize>().ok();
    let all_numeric = numeric(&a.customer).is_some()
        && numeric(&a.date).is_some()
        && a.amount.as_deref().is_none_or(|s| numeric(s).is_some());
    let table = if all_numeric {
        let probe = numeric(&a.date).unwrap_or(1).saturating_sub(1);
        read_table(&a.transactions, None, probe)?
    } else {
        read_table(&a.transactions, Some(true), 0)?
    };
    let path = &a.transactions;
    let ci = column(path, &table, &a.customer, "customer")?;
    let di = column(path, &table, &a.date, "date")?;
    let ai = a
        .amount
        .as_deref()
        .map(|s| column(path, &table, s, "amount"))
        .transpose()?;
    let mut ids: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let (mut customers, mut days, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for (line, cells) in &table.rows {
        let cell = |i: usize, what: &str| -> Result<&str> {
            cells.get(i).map(String::as_str).ok_or_else(|| {
                UserError(format!(
                    "{}: line {line}: no {what} (column {}); the line has {} columns",
                    path.display(),
                    i + 1,
                    cells.len()
                ))
                .into()
            })
        };
        let id = cell(ci, "customer")?;
        let day = parse_day(cell(di, "date")?).ok_or_else(|| {
            UserError(format!(
                "{}: line {line}, column {}: `{}` is not a date; expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD",
                path.display(),
                di + 1,
                cells[di]
            ))
        })?;
        let next = ids.len() as u64;
        let c = *index.entry(id.to_string()).or_insert_with(|| {
            ids.push(id.to_string());
            next
        });
        customers.push(c);
        days.push(day);
        if let Some(ai) = ai {
            let text = cell(ai, "amount")?;
            let normal = if table.decimal_comma {
                text.replace('.', "").replace(',', ".")
            } else {
                text.replace(',', "")
            };
            let v: f64 = normal
                .trim_start_matches(['¥', '￥', '$'])
                .parse()
                .map_err(|_| {
                    UserError(format!(
                        "{}: line {line}, column {}: `{text}` is not an amount",
                        path.display(),
                        ai + 1
                    ))
                })?;
            amounts.push(v);
        }
    }
    if customers.is_empty() {
        bail!(UserError(format!("{}: no transactions", path.display())));
    }
    let opts = SummaryOptions {
        period: match (a.period_days, a.period) {
            (Some(n), _) => Period::Days(n),
            (None, PeriodArg::Day) => Period::Day,
            (None, PeriodArg::Week) => Period::Week,
            (None, PeriodArg::Month) => Period::Month,
        },
        time_unit: TimeUnit::Days,
        utc_offset_seconds: 0,
        observation_end: a.end.map(epoch_day),
        freq_multiplier: a.unit_days,
    };
    let amounts = ai.map(|_| amounts.as_slice());
    let mut out: Box<dyn std::io::Write> = match &a.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(&mut out);
    let r = |v: f64| format!("{}", (v * 1e6).round() / 1e6);
    match a.calibration_end {
        None => {
            let s = summarize(&customers, &days, amounts, &opts)
                .map_err(|e| UserError(e.to_string()))?;
            let mut head = vec!["customer_id", "frequency", "recency", "T"];
            if s.monetary.is_some() {
                head.push("monetary_value");
            }
            w.write_record(&head)?;
            for i in 0..s.len() {
                let mut rec = vec![
                    ids[s.customers[i] as usize].clone(),
                    r(s.frequency[i]),
                    r(s.recency[i]),
                    r(s.t[i]),
                ];
                if let Some(m) = &s.monetary {
                    rec.push(r(m[i]));
                }
                w.write_record(&rec)?;
            }
        }
        Some(cal) => {
            let s = calibration_and_holdout(&customers, &days, amounts, epoch_day(cal), &opts)
                .map_err(|e| UserError(e.to_string()))?;
            let c = &s.calibration;
            let mut head = vec!["customer_id", "frequency", "recency", "T"];
            if c.monetary.is_some() {
                head.push("monetary_value");
            }
            head.extend(["frequency_holdout", "duration_holdout"]);
            w.write_record(&head)?;
            for i in 0..c.len() {
                let mut rec = vec![
                    ids[c.customers[i] as usize].clone(),
                    r(c.frequency[i]),
                    r(c.recency[i]),
                    r(c.t[i]),
                ];
                if let Some(m) = &c.monetary {
                    rec.push(r(m[i]));
                }
                rec.push(r(s.frequency_holdout[i]));
                rec.push(r(s.duration_holdout));
                w.write_record(&rec)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// A summary file read back.
struct SummaryFile {
    ids: Vec<String>,
    x: Vec<f64>,
    tx: Vec<f64>,
    t: Vec<f64>,
    monetary: Option<Vec<f64>>,
    holdout: Option<(Vec<f64>, Vec<f64>)>,
}

fn read_summary(path: &Path) -> Result<SummaryFile> {
    let table = read_table(path, Some(true), 0)?;
    let h = table.header.clone().unwrap_or_default();
    let find = |names: &[&str]| {
        h.iter()
            .position(|c| names.iter().any(|n| c.eq_ignore_ascii_case(n)))
    };
    let need = |names: &[&str]| {
        find(names).ok_or_else(|| {
            UserError(format!(
                "{}: no `{}` column; found {}",
                path.display(),
                names[0],
                h.join(", ")
            ))
        })
    };
    let id = find(&["customer_id", "id", "customer"]);
    let (xi, ri, ti) = (
        need(&["frequency", "x"])?,
        need(&["recency", "t_x"])?,
        need(&["T"])?,
    );
    let mi = find(&["monetary_value", "monetary", "m"]);
    let fh = find(&["frequency_holdout"]);
    let dh = find(&["duration_holdout"]);
    let mut s = SummaryFile {
        ids: Vec::new(),
        x: Vec::new(),
        tx: Vec::new(),
        t: Vec::new(),
        monetary: mi.map(|_| Vec::new()),
        holdout: fh.zip(dh).map(|_| (Vec::new(), Vec::new())),
    };
    for (line, cells) in &table.rows {
        let num = |i: usize| -> Result<f64> {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            text.parse::<f64>().map_err(|_| {
                UserError(format!(
                    "{}: line {line}, column {} ({}): `{text}` is not a number",
                    path.display(),
                    i + 1,
                    h.get(i).map(String::as_str).unwrap_or("?")
                ))
                .into()
            })
        };
        s.ids.push(match id {
            Some(i) => cells.get(i).cloned().unwrap_or_default(),
            None => (*line - 1).to_string(),
        });
        s.x.push(num(xi)?);
        s.tx.push(num(ri)?);
        s.t.push(num(ti)?);
        if let (Some(m), Some(mi)) = (s.monetary.as_mut(), mi) {
            m.push(num(mi)?);
        }
        if let (Some((f, d)), Some(fi), Some(di)) = (s.holdout.as_mut(), fh, dh) {
            f.push(num(fi)?);
            d.push(num(di)?);
        }
    }
    if s.x.is_empty() {
        bail!(UserError(format!("{}: no customers", path.display())));
    }
    Ok(s)
}

fn kind(m: ModelArg) -> Option<ModelKind> {
    match m {
        ModelArg::Bgnbd => Some(ModelKind::BgNbd),
        ModelArg::Mbgnbd => Some(ModelKind::MbgNbd),
        ModelArg::Pareto => Some(ModelKind::ParetoNbd),
        ModelArg::Gammagamma => None,
    }
}

fn user(e: strata_models::ModelError) -> anyhow::Error {
    UserError(e.to_string()).into()
}

fn fit_cmd(a: &FitArgs) -> Result<()> {
    let s = read_summary(&a.summary)?;
    let opts = FitOptions {
        penalty: a.penalty,
        ..FitOptions::default()
    };
    let started = std::time::Instant::now();
    let Some(k) = kind(a.model) else {
        let m = s.monetary.as_ref().ok_or_else(|| {
            UserError(format!(
                "{}: gammagamma needs a monetary_value column",
                a.summary.display()
            ))
        })?;
        let f = fit_gamma_gamma(&s.x, m, &opts).map_err(user)?;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&f)?);
        } else {
            print_params("Gamma-Gamma", &f.params, f.std_errors.as_deref());
            println!(
                "log-likelihood {:.4}  AIC {:.2}  BIC {:.2}  customers {}  iterations {}  converged {}  ({:.3}s)",
                f.log_likelihood,
                f.aic,
                f.bic,
                f.n,
                f.iterations,
                f.converged,
                started.elapsed().as_secs_f64()
            );
            println!(
                "frequency–spend correlation {:.3}{}",
                f.independence.correlation,
                if f.independence.violated {
                    " (above 0.3: the independence assumption fails; predict uses each customer's own mean)"
                } else {
                    ""
                }
            );
        }
        return Ok(());
    };
    let f = fit(k, &s.x, &s.tx, &s.t, &opts).map_err(user)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&f)?);
        return Ok(());
    }
    print_params(k.name(), &f.params, f.std_errors.as_deref());
    println!(
        "log-likelihood {:.4}  AIC {:.2}  BIC {:.2}  customers {}  iterations {}  converged {}  ({:.3}s)",
        f.log_likelihood,
        f.aic,
        f.bic,
        f.n,
        f.iterations,
        f.converged,
        started.elapsed().as_secs_f64()
    );
    if let Some((actual, duration)) = &s.holdout {
        let h = duration.first().copied().unwrap_or(0.0);
        let p = f.model.predict(h, &s.x, &s.tx, &s.t, 0).map_err(user)?;
        let e = holdout_error(&s.x, &p.expected_purchases, actual, 7).map_err(user)?;
        println!(
            "holdout ({h} units): predicted {:.1}, actual {:.1}, MAE {:.4}, RMSE {:.4}",
            e.total_predicted, e.total_actual, e.mae, e.rmse
        );
    }
    if !f.converged {
        eprintln!("warning: the fit did not converge ({:?})", f.termination);
    }
    Ok(())
}

fn print_params(model: &str, params: &[(&str, f64)], se: Option<&[f64]>) {
    println!("{model}");
    for (i, (name, v)) in params.iter().enumerate() {
        let e = se
            .and_then(|s| s.get(i))
            .map_or("—".to_string(), |e| format!("{e:.6}"));
        println!("  {name:<6} {v:>12.6}  (se {e})");
    }
}

fn predict_cmd(a: &PredictArgs) -> Result<()> {
    let s = read_summary(&a.summary)?;
    let Some(k) = kind(a.model) else {
        bail!(UserError(
            "predict needs a purchase model (bgnbd, mbgnbd or pareto); spend comes from gammagamma on the monetary_value column".into()
        ));
    };
    let opts = FitOptions {
        penalty: a.penalty,
        ..FitOptions::default()
    };
    let f = fit(k, &s.x, &s.tx, &s.t, &opts).map_err(user)?;
    if !f.converged {
        eprintln!("warning: the fit did not converge ({:?})", f.termination);
    }
    let p = f
        .model
        .predict(a.horizon, &s.x, &s.tx, &s.t, 0)
        .map_err(user)?;
    let spend_and_value = match &s.monetary {
        Some(m) => {
            let gg = fit_gamma_gamma(&s.x, m, &opts).map_err(user)?;
            if gg.independence.violated {
                eprintln!(
                    "warning: frequency and spend are correlated (r = {:.3}); spend is each customer's own mean",
                    gg.independence.correlation
                );
            }
            let spend = gg.expected_spend_all(&s.x, m).map_err(user)?;
            let value = clv(
                &f.model,
                &s.x,
                &s.tx,
                &s.t,
                &spend,
                &ClvOptions {
                    months: a.months,
                    periods_per_month: 365.25 / 12.0 / a.unit_days,
                    monthly_discount_rate: a.discount,
                    margin: a.margin,
                },
                0,
            )
            .map_err(user)?;
            Some((spend, value))
        }
        None => None,
    };
    let mut out: Box<dyn std::io::Write> = match &a.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header = vec!["customer_id", "p_alive", "expected_purchases"];
    if spend_and_value.is_some() {
        header.extend(["expected_spend", "clv"]);
    }
    w.write_record(&header)?;
    for i in 0..s.x.len() {
        let mut rec = vec![
            s.ids[i].clone(),
            format!("{:.6}", p.p_alive[i]),
            format!("{:.6}", p.expected_purchases[i]),
        ];
        if let Some((spend, value)) = &spend_and_value {
            rec.push(format!("{:.4}", spend[i]));
            rec.push(format!("{:.4}", value[i]));
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_spellings() {
        assert_eq!(parse_day("19970101"), Some(9862));
        assert_eq!(parse_day("1997-01-01"), Some(9862));
        assert_eq!(parse_day("1997/1/1 10:00"), Some(9862));
        assert_eq!(parse_day("1997-02-30"), None);
        assert_eq!(parse_day("soon"), None);
    }
}
