//! `strata clv`: the lifetime-value models on any transaction file or summary, outside a
//! workspace (summarize → fit → predict).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use strata_app::clv::{ClvModel, Fitted, PredictRequest, SummarizeRequest};
use strata_app::{Error, Result};
use strata_models::Period;
use strata_store::fsutil::{Visibility, write_atomic};

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
    /// Transactions: a shop's order export (CSV/TSV in UTF-8 or GBK, XLSX, JSON Lines,
    /// Parquet; read as `strata import` reads them), or whitespace-separated columns (CDNOW).
    #[arg(long)]
    pub transactions: PathBuf,
    /// Customer column: a header name, or a 1-based column number. Default: found by the
    /// header names shop exports use (买家ID, customer_id …).
    #[arg(long)]
    pub customer: Option<String>,
    /// Date column (a time after the date is ignored). Default: found by header name (下单时间,
    /// ordered_at …).
    #[arg(long)]
    pub date: Option<String>,
    /// Amount column, for monetary_value. Default: found by header name (实付金额, amount …).
    #[arg(long)]
    pub amount: Option<String>,
    /// Order-status column: only paid orders count (refunded, cancelled and pending are left
    /// out, as `strata analyze` does). Default: found by header name (订单状态, status …).
    #[arg(long)]
    pub status: Option<String>,
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
    #[arg(long, value_parser = crate::date)]
    pub end: Option<chrono::NaiveDate>,
    /// End of calibration (inclusive): adds frequency_holdout and duration_holdout.
    #[arg(long, value_parser = crate::date)]
    pub calibration_end: Option<chrono::NaiveDate>,
    /// Time zone of times without an offset; purchases count by its days.
    #[arg(long, env = "STRATA_TIMEZONE", default_value = strata_store::DEFAULT_TIMEZONE)]
    pub timezone: String,
    /// Amounts are written 1.299,00.
    #[arg(long)]
    pub decimal_comma: bool,
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
        ClvCommand::Summarize(a) => summarize(a),
        ClvCommand::Fit(a) => fit(a),
        ClvCommand::Predict(a) => predict(a),
    }
}

fn model(m: ModelArg) -> ClvModel {
    match m {
        ModelArg::Bgnbd => ClvModel::BgNbd,
        ModelArg::Mbgnbd => ClvModel::MbgNbd,
        ModelArg::Pareto => ClvModel::ParetoNbd,
        ModelArg::Gammagamma => ClvModel::GammaGamma,
    }
}

/// Writes CSV to `out` (atomically) or to standard output.
fn write_csv(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
) -> Result<()> {
    match out {
        Some(p) => {
            let mut failure = None;
            let written = write_atomic(p, Visibility::Public, |f| {
                let mut w = std::io::BufWriter::new(f);
                write(&mut w).map_err(|e| {
                    failure = Some(e);
                    std::io::Error::other("write failed")
                })?;
                std::io::Write::flush(&mut w)
            });
            match (failure, written) {
                (Some(e), _) => Err(e),
                (None, Err(e)) => Err(Error::Io {
                    path: p.to_path_buf(),
                    source: e,
                }),
                (None, Ok(())) => Ok(()),
            }
        }
        None => write(&mut std::io::stdout().lock()),
    }
}

fn summarize(a: &SummarizeArgs) -> Result<()> {
    let req = SummarizeRequest {
        customer: a.customer.clone(),
        date: a.date.clone(),
        amount: a.amount.clone(),
        status: a.status.clone(),
        period: match (a.period_days, a.period) {
            (Some(n), _) => Period::Days(n),
            (None, PeriodArg::Day) => Period::Day,
            (None, PeriodArg::Week) => Period::Week,
            (None, PeriodArg::Month) => Period::Month,
        },
        unit_days: a.unit_days,
        end: a.end,
        calibration_end: a.calibration_end,
        timezone: strata_store::parse_timezone(&a.timezone)?,
        decimal_comma: a.decimal_comma,
        ..SummarizeRequest::new(a.transactions.clone())
    };
    let s = strata_app::clv::summarize_file(&req)?;
    if !s.left_out.is_empty() {
        let n: u64 = s.left_out.iter().map(|(_, n)| n).sum();
        eprintln!(
            "note: {n} orders that are not paid were left out ({})",
            strata_app::clv::describe_left_out(&s.left_out)
        );
    }
    write_csv(a.out.as_deref(), |w| strata_app::clv::write_summary(w, &s))
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

fn fit(a: &FitArgs) -> Result<()> {
    let s = strata_app::clv::read_summary(&a.summary)?;
    let started = std::time::Instant::now();
    match strata_app::clv::fit_summary(&s, model(a.model), a.penalty, &a.summary)? {
        Fitted::Spend {
            fit: f,
            no_usable_spend,
        } => {
            if no_usable_spend > 0 {
                eprintln!(
                    "note: {no_usable_spend} repeat customers without a usable mean spend (0: free repeat purchases) were left out of the fit"
                );
            }
            if a.json {
                return print_json(&f);
            }
            print_params("Gamma-Gamma", &f.params, f.std_errors.as_deref());
            print_stats(
                &[f.log_likelihood, f.aic, f.bic],
                f.n,
                f.iterations,
                f.converged,
                started,
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
        Fitted::Purchases {
            kind,
            fit: f,
            holdout,
        } => {
            if a.json {
                return print_json(&f);
            }
            print_params(kind.name(), &f.params, f.std_errors.as_deref());
            print_stats(
                &[f.log_likelihood, f.aic, f.bic],
                f.n,
                f.iterations,
                f.converged,
                started,
            );
            if let Some((h, e)) = holdout {
                println!(
                    "holdout ({h} units): predicted {:.1}, actual {:.1}, MAE {:.4}, RMSE {:.4}",
                    e.total_predicted, e.total_actual, e.mae, e.rmse
                );
            }
            if !f.converged {
                eprintln!("warning: the fit did not converge ({:?})", f.termination);
            }
        }
    }
    Ok(())
}

/// The fit statistics line: log-likelihood, AIC, BIC, then counts and time.
fn print_stats(
    ll_aic_bic: &[f64; 3],
    n: f64,
    iterations: usize,
    converged: bool,
    started: std::time::Instant,
) {
    let [ll, aic, bic] = *ll_aic_bic;
    println!(
        "log-likelihood {ll:.4}  AIC {aic:.2}  BIC {bic:.2}  customers {n}  iterations {iterations}  converged {converged}  ({:.3}s)",
        started.elapsed().as_secs_f64()
    );
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

fn predict(a: &PredictArgs) -> Result<()> {
    let s = strata_app::clv::read_summary(&a.summary)?;
    let req = PredictRequest {
        model: model(a.model),
        horizon: a.horizon,
        monthly_discount_rate: a.discount,
        margin: a.margin,
        months: a.months,
        unit_days: a.unit_days,
        penalty: a.penalty,
    };
    let p = strata_app::clv::predict_summary(&s, &req)?;
    crate::analyze::warn(&p.warnings);
    write_csv(a.out.as_deref(), |w| {
        strata_app::clv::write_predictions(w, &s, &p)
    })?;
    // The summary goes beside the predictions: on standard output when they went to a file,
    // on standard error when they are standard output.
    let summary = predict_summary_line(&p, s.x.len(), a.horizon);
    match &a.out {
        Some(out) => println!("{summary}; wrote {}", out.display()),
        None => eprintln!("{summary}"),
    }
    Ok(())
}

/// What a prediction did, in one line: customers, model, and how spend was estimated.
fn predict_summary_line(p: &strata_app::clv::Predicted, customers: usize, horizon: f64) -> String {
    let mut line = format!(
        "predicted {customers} customers with {} over {horizon} units",
        p.model.name()
    );
    if let Some(sp) = &p.spend {
        let source = match sp.source {
            strata_models::SpendSource::GammaGamma => "Gamma-Gamma",
            strata_models::SpendSource::OwnMean => "own mean spend (Gamma-Gamma assumptions fail)",
        };
        line.push_str(&format!(
            "; spend from {source}, population mean {:.2} for {} one-time buyers and {} fallback customers (repeat purchases with no usable mean spend)",
            sp.population_mean, sp.one_time, sp.fallback
        ));
    }
    line
}
