//! `strata churn train|evaluate|score`: the churn early-warning model and the win-back list.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use strata_churn::features::Signal;
use strata_churn::train::{Evaluation, Window};
use strata_churn::{ChurnConfig, ChurnModel, SplitKind, TrainOptions};
use strata_features::AnalyzeConfig;
use strata_store::Workspace;

use crate::UserError;
use crate::analyze;
use crate::config::Config;
use crate::query::{self, OutputFormat};

#[derive(Debug, Subcommand)]
pub enum ChurnCommand {
    /// Train the model on one cutoff, evaluate it on a later one, choose risk tiers, save it.
    Train(TrainArgs),
    /// Evaluate the saved model at a cutoff against recency and P(alive).
    Evaluate(EvaluateArgs),
    /// Score customers with the saved model and build the win-back list.
    Score(ScoreArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SplitArg {
    /// Train at cutoff − horizon, evaluate at the cutoff.
    Time,
    /// One cutoff; customers in folds, each scored by a model that never saw it.
    Customers,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Evaluation cutoff (YYYY-MM-DD); with --split customers the one cutoff. Default: one
    /// horizon before the last order day.
    #[arg(long)]
    pub cutoff: Option<chrono::NaiveDate>,
    /// Churned = no purchase within this long after the cutoff: days (90, 90d) or weeks (39w).
    #[arg(long, value_parser = parse_horizon)]
    pub horizon: Option<u32>,
    #[arg(long, value_enum, default_value = "time")]
    pub split: SplitArg,
    /// Folds of the customer split.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Print the evaluation as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Cutoff to evaluate at (default: one horizon before the last order day).
    #[arg(long)]
    pub cutoff: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Score as of this date (default: the day of the latest order).
    #[arg(long, env = "STRATA_AS_OF")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Write the win-back list to this file: .csv (UTF-8 with BOM) or .xlsx.
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,
    /// Rows of the list to print.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Contact budget: in priority order, customers whose contact still fits are kept (cheaper
    /// contacts further down may fill what a costly one left); overrides churn.winback.budget.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Language of reasons, playbooks and offers.
    #[arg(long, value_enum, default_value = "zh", env = "STRATA_LANG")]
    pub lang: LangArg,
}

fn parse_horizon(s: &str) -> std::result::Result<u32, String> {
    let t = s.trim().to_ascii_lowercase();
    let (num, mult) = if let Some(n) = t.strip_suffix('w') {
        (n, 7)
    } else if let Some(n) = t.strip_suffix('d') {
        (n, 1)
    } else {
        (t.as_str(), 1)
    };
    match num.trim().parse::<u32>() {
        Ok(n) if n > 0 && n <= 3650 => Ok(n * mult),
        _ => Err(format!(
            "`{s}`: expected a number of days (90 or 90d) or weeks (39w), at most 10 years"
        )),
    }
}

pub fn run(ws_dir: &Path, cmd: &ChurnCommand) -> Result<()> {
    match cmd {
        ChurnCommand::Train(a) => train(ws_dir, a),
        ChurnCommand::Evaluate(a) => evaluate(ws_dir, a),
        ChurnCommand::Score(a) => score(ws_dir, a),
    }
}

fn settings(ws_dir: &Path) -> Result<(AnalyzeConfig, String, ChurnConfig)> {
    let (analyze, tz) = analyze::settings(ws_dir, None)?;
    let churn = Config::load(ws_dir)?.churn;
    Ok((analyze, tz, churn))
}

fn current(ws: &Workspace) -> Result<ChurnModel> {
    strata_churn::load_current(ws)?.ok_or_else(|| {
        UserError("the workspace has no churn model yet; run `strata churn train` first".into())
            .into()
    })
}

fn train(ws_dir: &Path, a: &TrainArgs) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let (analyze, tz, mut cfg) = settings(ws_dir)?;
    if let Some(h) = a.horizon {
        cfg.horizon_days = h;
    }
    let opts = TrainOptions {
        cutoff: a.cutoff,
        split: match a.split {
            SplitArg::Time => SplitKind::Time,
            SplitArg::Customers => SplitKind::Customers,
        },
        folds: a.folds,
    };
    let started = std::time::Instant::now();
    let ctx = strata_store::session(&ws)?;
    let mut model =
        query::runtime()?.block_on(strata_churn::train(&ctx, &analyze, &tz, &cfg, &opts))?;
    let path = strata_churn::save(&ws, &mut model)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&model.evaluation)?);
        return Ok(());
    }
    println!(
        "trained {} in {:.1}s: gradient-boosted trees ({} trees, {} features) and a logistic baseline",
        model.version,
        started.elapsed().as_secs_f64(),
        model.fitted.trees,
        model.fitted.features.len()
    );
    print_window("training", &model.training);
    match model.split {
        SplitKind::Time => print_window(
            "evaluation (a later cutoff the model never saw)",
            &model.evaluation.window,
        ),
        SplitKind::Customers => print_window(
            &format!(
                "evaluation ({} folds: each customer scored by a model fitted without them)",
                opts.folds
            ),
            &model.evaluation.window,
        ),
    }
    print_evaluation(&model, &model.evaluation);
    println!("saved {}", path.display());
    Ok(())
}

fn evaluate(ws_dir: &Path, a: &EvaluateArgs) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let model = current(&ws)?;
    let ctx = strata_store::session(&ws)?;
    let ev = query::runtime()?.block_on(strata_churn::evaluate(&ctx, &model, a.cutoff))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&ev)?);
        return Ok(());
    }
    println!("{} (trained at {})", model.version, model.training.cutoff);
    if let Some(c) = &ev.caveat {
        println!("note: {c}");
    }
    print_window("evaluation", &ev.window);
    print_evaluation(&model, &ev);
    Ok(())
}

fn print_window(what: &str, w: &Window) {
    if w.cutoffs.len() > 1 {
        let dates: Vec<String> = w.cutoffs.iter().map(|d| d.to_string()).collect();
        println!(
            "  {what}: {} customer-cutoff rows as of {}, {:.1}% ordered nothing in the next {} days",
            w.customers,
            dates.join(", "),
            w.base_rate * 100.0,
            w.horizon_days
        );
    } else {
        println!(
            "  {what}: {} customers as of {}, {:.1}% ordered nothing in the next {} days",
            w.customers,
            w.cutoff,
            w.base_rate * 100.0,
            w.horizon_days
        );
    }
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or("–".into(), |v| format!("{v:.digits$}"))
}

fn print_evaluation(model: &ChurnModel, ev: &Evaluation) {
    println!();
    println!(
        "  {:<26} {:>8} {:>8} {:>15} {:>12} {:>8}",
        "model", "ROC AUC", "PR AUC", "top-10% churn", "top-10% recall", "Brier"
    );
    for s in &ev.scores {
        let name = match s.name.as_str() {
            "gbt" => "gradient-boosted trees",
            "logistic" => "logistic regression",
            "recency" => "recency alone",
            "p_alive" => "1 − P(alive)",
            other => other,
        };
        let m = &s.summary;
        println!(
            "  {:<26} {:>8} {:>8} {:>15} {:>12} {:>8}",
            name,
            opt(m.roc_auc, 3),
            opt(m.pr_auc, 3),
            opt(m.top.as_ref().map(|t| t.precision * 100.0), 1) + "%",
            opt(m.top.as_ref().map(|t| t.recall * 100.0), 1) + "%",
            opt(m.brier, 3)
        );
    }
    println!();
    println!(
        "  risk tiers: high from {:.3} ({}), medium from {:.3} ({})",
        model.tiers.high, model.tiers.high_rule, model.tiers.medium, model.tiers.medium_rule
    );
    println!(
        "  {:<8} {:>10} {:>8} {:>11} {:>18}",
        "tier", "customers", "share", "churn rate", "churners caught"
    );
    for t in &ev.tiers {
        println!(
            "  {:<8} {:>10} {:>7.1}% {:>10}% {:>17.1}%",
            t.tier,
            t.customers,
            t.share * 100.0,
            opt(t.churn_rate.map(|r| r * 100.0), 1),
            t.cumulative_recall * 100.0
        );
    }
    if !ev.signals.is_empty() {
        println!();
        println!(
            "  {:<62} {:>7} {:>12} {:>12} {:>6}",
            "signal", "share", "churn with", "without", "lift"
        );
        for s in &ev.signals {
            let l = s.lift.as_ref();
            println!(
                "  {:<62} {:>6.1}% {:>11}% {:>11}% {:>6}",
                s.signal.describe(&model.config.signals, false),
                s.prevalence * 100.0,
                opt(l.map(|l| l.with_rate * 100.0), 1),
                opt(l.map(|l| l.without_rate * 100.0), 1),
                opt(l.and_then(|l| l.ratio), 2)
            );
        }
    }
    println!();
    let top: Vec<String> = ev
        .importance
        .iter()
        .take(8)
        .map(|(n, v)| format!("{n} {v:.3}"))
        .collect();
    println!(
        "  strongest features (mean |contribution| to the log-odds): {}",
        top.join(", ")
    );
    println!();
}

/// The customer table the model's features need, as of `as_of`.
fn model_profile(
    ctx: &datafusion::prelude::SessionContext,
    model: &ChurnModel,
    as_of: Option<chrono::NaiveDate>,
) -> Result<strata_features::Profile> {
    let mut cfg = model.analyze.clone();
    cfg.as_of = as_of;
    Ok(query::runtime()?.block_on(strata_features::compute(ctx, &cfg, &model.timezone))?)
}

fn score(ws_dir: &Path, a: &ScoreArgs) -> Result<()> {
    for path in &a.export {
        analyze::check_export_path(path)?;
    }
    if let Some(b) = a.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(UserError(format!("--budget {b}: expected an amount ≥ 0")).into());
    }
    let ws = Workspace::open(ws_dir)?;
    let mut model = current(&ws)?;
    if let Some(b) = a.budget {
        model.config.winback.budget = b;
    }
    let started = std::time::Instant::now();
    let ctx = strata_store::session(&ws)?;
    let profile = model_profile(&ctx, &model, a.as_of)?;
    let scores = query::runtime()?.block_on(strata_churn::score(&ctx, &model, &profile))?;
    let zh = matches!(a.lang, LangArg::Zh);
    let count = |t: &str| scores.tier.iter().filter(|x| **x == Some(t)).count();
    let scored = scores.scored();
    println!(
        "scored {scored} customers as of {} with {} in {:.2}s: high risk {} ({:.1}%), medium {} ({:.1}%), low {}",
        scores.fs.as_of,
        model.version,
        started.elapsed().as_secs_f64(),
        count("high"),
        100.0 * count("high") as f64 / scored.max(1) as f64,
        count("medium"),
        100.0 * count("medium") as f64 / scored.max(1) as f64,
        count("low"),
    );
    let signals: Vec<String> = strata_churn::features::SIGNALS
        .iter()
        .filter(|s| scores.fs.has(s.source()))
        .map(|&s: &Signal| {
            let n = (0..scores.fs.len())
                .filter(|&i| scores.risk[i].is_finite() && scores.fs.signal(s)[i])
                .count();
            (n, s)
        })
        // A signal nobody shows has no data behind it (no message opens tracked, say).
        .filter(|(n, _)| *n > 0)
        .map(|(n, s)| {
            format!(
                "{} {:.1}%",
                s.describe(&model.config.signals, zh),
                100.0 * n as f64 / scored.max(1) as f64
            )
        })
        .collect();
    println!("signals: {}", signals.join(" · "));
    let list = strata_churn::winback::build(&model, &scores);
    let cost: f64 = list.budgets.iter().map(|b| b.cost).sum();
    let saved: f64 = list.budgets.iter().map(|b| b.expected_saved).sum();
    println!(
        "win-back list: {} customers, contact cost {cost:.2}, expected value saved {saved:.2}{}{}",
        list.entries.len(),
        if list.not_worth_it > 0 {
            format!(
                "; {} more at risk cost more to contact than they are expected to save",
                list.not_worth_it
            )
        } else {
            String::new()
        },
        if list.over_budget > 0 {
            format!("; {} left off by the budget", list.over_budget)
        } else {
            String::new()
        }
    );
    println!();
    println!(
        "  {:<22} {:>10} {:>12} {:>14} {:>16}",
        "playbook", "customers", "cost", "value at risk", "expected saved"
    );
    for b in &list.budgets {
        let p = &model.config.playbooks[b.playbook];
        println!(
            "  {:<22} {:>10} {:>12.2} {:>14.2} {:>16.2}",
            p.name, b.customers, b.cost, b.value_at_risk, b.expected_saved
        );
    }
    println!();
    let batch = strata_churn::winback::batch(&model, &scores, &list, zh)?;
    if a.top > 0 && batch.num_rows() > 0 {
        let head = batch.slice(0, a.top.min(batch.num_rows()));
        let keep = [
            "rank",
            "customer_id",
            "risk_tier",
            "churn_risk",
            "value_if_retained",
            "playbook",
            "expected_saved",
            "reasons",
        ];
        let idx: Vec<usize> = keep
            .iter()
            .map(|k| head.schema().index_of(k).expect("list column"))
            .collect();
        let head = head.project(&idx)?;
        query::write_batches(&mut std::io::stdout(), &[head], OutputFormat::Table)?;
    }
    let tz: chrono_tz::Tz = model
        .timezone
        .parse()
        .map_err(|_| UserError(format!("time zone `{}` is unknown", model.timezone)))?;
    for path in &a.export {
        let rows = crate::export::write(std::slice::from_ref(&batch), path, tz, "winback")
            .with_context(|| format!("exporting to {}", path.display()))?;
        println!("wrote {rows} customers to {}", path.display());
    }
    Ok(())
}

/// The customer table with churn columns when the workspace has a usable model (for
/// `strata analyze`). A model that cannot be read or applied is reported and left out: the
/// customer table does not depend on it.
pub fn with_churn(
    ws: &Workspace,
    ctx: &datafusion::prelude::SessionContext,
    profile: strata_features::Profile,
    cfg: &AnalyzeConfig,
) -> Result<strata_features::Profile> {
    let Some(model) = usable_model(ws) else {
        return Ok(profile);
    };
    match churn_columns(ctx, &model, &profile, cfg) {
        Ok(cols) => {
            let batch = strata_churn::score::append_columns(&profile.batch, cols, &model.version)?;
            Ok(strata_features::Profile {
                batch,
                meta: profile.meta,
            })
        }
        Err(e) if is_user_error(&e) => {
            eprintln!(
                "warning: the churn model {} could not score this data ({e:#}); the customer table goes without churn columns",
                model.version
            );
            Ok(profile)
        }
        Err(e) => Err(e),
    }
}

fn is_user_error(e: &anyhow::Error) -> bool {
    e.downcast_ref::<strata_churn::ChurnError>()
        .is_some_and(|e| e.is_user_error())
        || e.downcast_ref::<UserError>().is_some()
}

/// The current churn model, or None with a warning when there is one that cannot be used (an
/// older format, a damaged file).
pub fn usable_model(ws: &Workspace) -> Option<ChurnModel> {
    match strata_churn::load_current(ws) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "warning: {e}; going on without churn scores (`strata churn train` makes a new model)"
            );
            None
        }
    }
}

/// The churn columns of `profile`, scored with the settings the model was trained with.
fn churn_columns(
    ctx: &datafusion::prelude::SessionContext,
    model: &ChurnModel,
    profile: &strata_features::Profile,
    cfg: &AnalyzeConfig,
) -> Result<Vec<(arrow::datatypes::Field, arrow::array::ArrayRef)>> {
    // Score with the settings the model was trained with, so its features mean the same.
    let same = serde_json::to_value(&model.analyze)?
        == serde_json::to_value(AnalyzeConfig {
            as_of: None,
            ..cfg.clone()
        })?;
    let rt = query::runtime()?;
    let total = profile.batch.num_rows();
    if same {
        let scores = rt.block_on(strata_churn::score(ctx, model, profile))?;
        if scores.fs.profile_rows.iter().any(|&r| r >= total) {
            anyhow::bail!("churn scores do not line up with the customer table");
        }
        return Ok(strata_churn::score::profile_columns(model, &scores, total));
    }
    // A customer table of the model's own settings: its rows are matched to this one's by id.
    let p = model_profile(ctx, model, Some(profile.meta.as_of))?;
    let mut scores = rt.block_on(strata_churn::score(ctx, model, &p))?;
    let ids = profile
        .batch
        .column_by_name("customer_id")
        .context("the customer table has no customer_id")?;
    let ids = arrow::compute::cast(ids, &arrow::datatypes::DataType::Utf8)?;
    use arrow::array::{Array, AsArray};
    let ids = ids.as_string::<i32>();
    let row_of: std::collections::HashMap<&str, usize> = (0..ids.len())
        .filter(|&r| ids.is_valid(r))
        .map(|r| (ids.value(r), r))
        .collect();
    let rows = scores
        .fs
        .ids
        .iter()
        .map(|id| row_of.get(id.as_str()).copied())
        .collect::<Option<Vec<usize>>>()
        .context("the churn model scored customers the customer table does not have")?;
    scores.fs.profile_rows = rows;
    Ok(strata_churn::score::profile_columns(model, &scores, total))
}

#[cfg(test)]
mod tests {
    use super::parse_horizon;

    #[test]
    fn horizons_in_days_or_weeks() {
        assert_eq!(parse_horizon("90").unwrap(), 90);
        assert_eq!(parse_horizon("90d").unwrap(), 90);
        assert_eq!(parse_horizon("39w").unwrap(), 273);
        assert!(parse_horizon("0").unwrap_err().contains("`0`"));
        assert!(parse_horizon("3m").is_err());
    }
}
