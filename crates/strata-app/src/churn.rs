//! Churn early warning: train and evaluate the model, score customers, build the win-back list
//! and the summaries a person reads first.

use std::path::PathBuf;

use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use strata_charts::Lang;
use strata_churn::features::{SIGNALS, Signal};
use strata_churn::train::Evaluation;
use strata_churn::winback::{Contact, Winback};
use strata_churn::{ChurnModel, RiskTier, Scores, SplitKind, TrainOptions};

use crate::dates::AsOf;
use crate::error::{Error, Missing, Result};
use crate::session::{Session, block_on};

/// A training as a person asks for it.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// Evaluation cutoff (with a customer split, the one cutoff); default: one horizon before
    /// the last order day.
    pub cutoff: Option<NaiveDate>,
    /// Overrides `churn.horizon_days`.
    pub horizon_days: Option<u32>,
    pub split: SplitKind,
    pub folds: usize,
}

impl Default for TrainRequest {
    fn default() -> Self {
        TrainRequest {
            cutoff: None,
            horizon_days: None,
            split: SplitKind::Time,
            folds: 5,
        }
    }
}

/// A trained and saved model.
#[derive(Debug)]
pub struct Trained {
    pub model: ChurnModel,
    pub path: PathBuf,
    pub seconds: f64,
}

/// Trains the churn model, evaluates it and saves it as the workspace's current one.
pub fn train(session: &Session, req: &TrainRequest) -> Result<Trained> {
    let s = &session.settings;
    let mut cfg = s.churn.clone();
    if let Some(h) = req.horizon_days {
        cfg.horizon_days = h;
    }
    let opts = TrainOptions {
        cutoff: req.cutoff,
        split: req.split,
        folds: req.folds,
    };
    let started = std::time::Instant::now();
    let ctx = session.context()?;
    let mut model = block_on(strata_churn::train(
        &ctx,
        &s.analyze,
        s.timezone_name(),
        &cfg,
        &opts,
    ))??;
    let path = strata_churn::save(&session.ws, &mut model)?;
    Ok(Trained {
        model,
        path,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The workspace's current model, or an error saying there is none.
pub fn current(session: &Session) -> Result<ChurnModel> {
    strata_churn::load_current(&session.ws)?.ok_or(Error::Missing(Missing::ChurnModel))
}

/// The current model evaluated at `cutoff` (default: one horizon before the last order day).
pub fn evaluate(session: &Session, cutoff: Option<NaiveDate>) -> Result<(ChurnModel, Evaluation)> {
    let model = current(session)?;
    let ctx = session.context()?;
    let ev = block_on(strata_churn::evaluate(&ctx, &model, cutoff))??;
    Ok((model, ev))
}

/// A scoring as a person asks for it.
#[derive(Debug, Clone, Default)]
pub struct ScoreRequest {
    /// Score as of this day (default: the latest order day).
    pub as_of: Option<NaiveDate>,
    /// Contact budget; overrides `churn.winback.budget`.
    pub budget: Option<f64>,
    /// Language of reasons, playbooks and offers in the list.
    pub lang: Lang,
}

/// Everyone scored, the win-back list, and its summary.
#[derive(Debug)]
pub struct Scored {
    pub model: ChurnModel,
    pub scores: Scores,
    pub list: Winback,
    /// The win-back list as a table, in priority order, with headers and texts in the
    /// request's language.
    pub table: RecordBatch,
    pub summary: ScoreSummary,
    /// The scoring date, and whether it was the default.
    pub as_of: AsOf,
    /// Things the user should know about the scores (a date past the data).
    pub warnings: Vec<String>,
    pub seconds: f64,
}

/// What a person reads first about a scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSummary {
    pub scored: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    /// The warning signals with data behind them, how many scored customers show each.
    pub signals: Vec<(Signal, usize)>,
    /// Contact cost and expected value saved of the whole list.
    pub cost: f64,
    pub saved: f64,
    /// Customers worth contacting left off the list: no marketing consent recorded.
    pub no_consent: usize,
}

impl ScoreSummary {
    /// Share of the scored customers, 0–1.
    pub fn share(&self, n: usize) -> f64 {
        n as f64 / self.scored.max(1) as f64
    }
}

/// Scores every buyer of the population with the current model and builds the win-back list.
pub fn score(session: &Session, req: &ScoreRequest) -> Result<Scored> {
    if let Some(b) = req.budget
        && !(b.is_finite() && b >= 0.0)
    {
        return Err(Error::invalid(format!(
            "budget {b}: expected an amount ≥ 0"
        )));
    }
    let mut model = current(session)?;
    if let Some(b) = req.budget {
        model.config.winback.budget = b;
    }
    let started = std::time::Instant::now();
    let ctx = session.context()?;
    let profile = crate::analyze::model_profile(&ctx, &model, req.as_of)?;
    let as_of = AsOf::of(&profile.meta);
    let scores = block_on(strata_churn::score(&ctx, &model, &profile))??;
    let seconds = started.elapsed().as_secs_f64();
    let contacts = contacts(session, &scores.fs.ids)?;
    let list = strata_churn::winback::build(&model, &scores, &contacts);
    let table = strata_churn::winback::batch(&model, &scores, &list, &contacts, req.lang)?;
    let summary = summarise(&scores, &list);
    Ok(Scored {
        model,
        scores,
        list,
        table,
        summary,
        as_of,
        warnings: as_of.past_data_warning().into_iter().collect(),
        seconds,
    })
}

fn summarise(scores: &Scores, list: &Winback) -> ScoreSummary {
    let count = |t: RiskTier| scores.tier.iter().filter(|x| **x == Some(t)).count();
    let signals = SIGNALS
        .iter()
        .filter(|s| scores.fs.has(s.source()))
        .map(|&s| {
            let n = (0..scores.fs.len())
                .filter(|&i| scores.risk[i].is_finite() && scores.fs.signal(s)[i])
                .count();
            (s, n)
        })
        // A signal nobody shows has no data behind it (no message opens tracked, say).
        .filter(|(_, n)| *n > 0)
        .collect();
    ScoreSummary {
        scored: scores.scored(),
        high: count(RiskTier::High),
        medium: count(RiskTier::Medium),
        low: count(RiskTier::Low),
        signals,
        cost: list.budgets.iter().map(|b| b.cost).sum(),
        saved: list.budgets.iter().map(|b| b.expected_saved).sum(),
        no_consent: list.no_consent,
    }
}

/// Name, phone and marketing consent of each of `ids` from the customers table (empty for a
/// customer it does not have).
fn contacts(session: &Session, ids: &[String]) -> Result<Vec<Contact>> {
    let batches =
        session.sql("SELECT customer_id, name, phone, marketing_consent FROM customers")?;
    let mut by_id = std::collections::HashMap::new();
    for b in &batches {
        let texts = |i: usize| strata_store::columns::texts(b.column(i).as_ref());
        let (id, name, phone) = (texts(0)?, texts(1)?, texts(2)?);
        let consent = b
            .column(3)
            .as_any()
            .downcast_ref::<arrow::array::BooleanArray>()
            .ok_or_else(|| Error::Internal("marketing_consent is not a boolean column".into()))?;
        for (r, id) in id.into_iter().enumerate() {
            let Some(id) = id else { continue };
            let consent = arrow::array::Array::is_valid(consent, r).then(|| consent.value(r));
            by_id.insert(
                id,
                Contact {
                    name: name[r].clone(),
                    phone: phone[r].clone(),
                    consent,
                },
            );
        }
    }
    Ok(ids
        .iter()
        .map(|id| by_id.remove(id).unwrap_or_default())
        .collect())
}
