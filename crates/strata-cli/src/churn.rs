//! `strata churn train|evaluate|score`: the churn early-warning model and the win-back list.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use strata_app::churn::{ScoreRequest, TrainRequest};
use strata_app::export::{self, Export, TABLE_FORMATS};
use strata_app::{Lang, Overrides, Result, Session};
use strata_churn::train::{Evaluation, Window};
use strata_churn::{ChurnModel, SplitKind};

use crate::output::{OutputFormat, print_batches};
use crate::report::LangArg;

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
    #[arg(long, value_parser = crate::date)]
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
    #[arg(long, value_parser = crate::date)]
    pub cutoff: Option<chrono::NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Score as of this date (default: the day of the latest order).
    #[arg(long, env = "STRATA_AS_OF", value_parser = crate::date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Write the win-back list (a call list: name, masked phone, consent; customers without
    /// marketing consent left off) to this file: .csv (UTF-8 with BOM) or .xlsx, headers in
    /// --lang.
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,
    /// Rows of the list to print.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Contact budget: in priority order, customers whose contact still fits are kept (cheaper
    /// contacts further down may fill what a costly one left); overrides churn.winback.budget.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Language of the list's headers, reasons, playbooks and offers.
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

pub fn run(ws: &Path, cmd: &ChurnCommand) -> Result<()> {
    let session = Session::open(ws, &Overrides::default())?;
    match cmd {
        ChurnCommand::Train(a) => train(&session, a),
        ChurnCommand::Evaluate(a) => evaluate(&session, a),
        ChurnCommand::Score(a) => score(&session, a),
    }
}

pub fn train(session: &Session, a: &TrainArgs) -> Result<()> {
    let req = TrainRequest {
        cutoff: a.cutoff,
        horizon_days: a.horizon,
        split: match a.split {
            SplitArg::Time => SplitKind::Time,
            SplitArg::Customers => SplitKind::Customers,
        },
        folds: a.folds,
    };
    let t = strata_app::churn::train(session, &req)?;
    if a.json {
        return print_json(&t.model.evaluation);
    }
    print_trained(&t, a.folds);
    Ok(())
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| strata_app::Error::Internal(format!("writing JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// What a training says on a terminal.
pub fn print_trained(t: &strata_app::churn::Trained, folds: usize) {
    let model = &t.model;
    println!(
        "trained {} in {:.1}s: gradient-boosted trees ({} trees, {} features) and a logistic baseline",
        model.version,
        t.seconds,
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
                "evaluation ({folds} folds: each customer scored by a model fitted without them)"
            ),
            &model.evaluation.window,
        ),
    }
    print_evaluation(model, &model.evaluation);
    println!("saved {}", t.path.display());
}

fn evaluate(session: &Session, a: &EvaluateArgs) -> Result<()> {
    let (model, ev) = strata_app::churn::evaluate(session, a.cutoff)?;
    if a.json {
        return print_json(&ev);
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
        let name = s.name.describe();
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
    println!("  {}", model.tiers.explain());
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
                s.signal.describe(&model.config.signals, Lang::En),
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

fn score(session: &Session, a: &ScoreArgs) -> Result<()> {
    for path in &a.export {
        export::Format::of_path(path, TABLE_FORMATS)?;
    }
    let lang = Lang::from(a.lang);
    let req = ScoreRequest {
        as_of: a.as_of,
        budget: a.budget,
        lang,
    };
    let s = strata_app::churn::score(session, &req)?;
    crate::analyze::warn(&s.warnings);
    let sum = &s.summary;
    println!(
        "scored {} customers {} with {} in {:.2}s: high risk {} ({:.1}%), medium {} ({:.1}%), low {}",
        sum.scored,
        s.as_of.describe(),
        s.model.version,
        s.seconds,
        sum.high,
        100.0 * sum.share(sum.high),
        sum.medium,
        100.0 * sum.share(sum.medium),
        sum.low,
    );
    println!("{}", s.model.tiers.explain());
    let signals: Vec<String> = sum
        .signals
        .iter()
        .map(|&(sig, n)| {
            format!(
                "{} {:.1}%",
                sig.describe(&s.model.config.signals, lang),
                100.0 * sum.share(n)
            )
        })
        .collect();
    println!("signals: {}", signals.join(" · "));
    let list = &s.list;
    println!(
        "win-back list: {} customers, contact cost {:.2}, expected value saved {:.2}{}{}{}",
        list.entries.len(),
        sum.cost,
        sum.saved,
        if list.no_consent > 0 {
            format!(
                "; {} customers left off: no marketing consent",
                list.no_consent
            )
        } else {
            String::new()
        },
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
        let p = &s.model.config.playbooks[b.playbook];
        println!(
            "  {:<22} {:>10} {:>12.2} {:>14.2} {:>16.2}",
            p.name, b.customers, b.cost, b.value_at_risk, b.expected_saved
        );
    }
    println!();
    let batch = &s.table;
    if a.top > 0 && batch.num_rows() > 0 {
        let head = batch.slice(0, a.top.min(batch.num_rows()));
        let keep = [
            "rank",
            "customer_id",
            "name",
            "phone",
            "risk_tier",
            "churn_risk",
            "value_if_retained",
            "playbook",
            "expected_saved",
            "reasons",
        ];
        let idx: Vec<usize> = keep
            .iter()
            .filter_map(|k| {
                head.schema()
                    .index_of(strata_churn::winback::header(k, lang))
                    .ok()
            })
            .collect();
        print_batches(&[head.project(&idx)?], OutputFormat::Table)?;
    }
    let tz = strata_store::parse_timezone(&s.model.timezone)?;
    for path in &a.export {
        let rows = export::to_path(
            path,
            TABLE_FORMATS,
            &Export::table(std::slice::from_ref(batch), "winback"),
            tz,
        )?;
        println!("wrote {rows} customers to {}", path.display());
    }
    Ok(())
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
