//! Training and evaluation on a split the model never saw, against simple baselines.
//!
//! Time split (the default): features as of the training cutoff, labelled by the horizon after
//! it; evaluated on features as of the evaluation cutoff, one horizon later, labelled by the
//! horizon after that. With the default cutoff the evaluation horizon ends on the last day with
//! orders. Customer split (for short histories such as CDNOW's 78 weeks, where two horizons do not
//! fit): one cutoff, customers in k folds by a hash of their id, every customer scored by the
//! models fitted on the other folds; the saved model is then fitted on all of them.

use chrono::NaiveDate;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};
use strata_features::AnalyzeConfig;
use strata_models::classify::{self, CalibrationBin, Lift, RocPoint, Summary};

use crate::config::ChurnConfig;
use crate::features::{self, FEATURES, FeatureSet, SIGNALS, Signal, Source, feature_index};
use crate::model::{self, Fitted};
use crate::{ChurnError, Result};
use crate::{RiskTier, Scorer};

/// Version of the saved model's layout.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    Time,
    Customers,
}

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Time split: the evaluation cutoff (default: one horizon before the last order day).
    /// Customer split: the one cutoff.
    pub cutoff: Option<NaiveDate>,
    pub split: SplitKind,
    pub folds: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            cutoff: None,
            split: SplitKind::Time,
            folds: 5,
        }
    }
}

/// Customers at one cutoff (or several, stacked) with their labels.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    /// The latest cutoff.
    pub cutoff: NaiveDate,
    /// Every cutoff whose customers are in the window, latest first. Earlier cutoffs are stacked
    /// only when they have the same sources of data as the latest.
    pub cutoffs: Vec<NaiveDate>,
    pub horizon_days: u32,
    /// Rows: one per customer and cutoff (a customer in the population at two stacked cutoffs
    /// counts twice).
    pub customers: usize,
    pub churners: usize,
    pub base_rate: f64,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scored {
    /// `gbt`, `logistic`, `recency` or `p_alive` (1 − P(alive)).
    pub name: Scorer,
    pub summary: Summary,
    pub roc: Vec<RocPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignalEval {
    pub signal: Signal,
    /// Share of the evaluated customers with the signal.
    pub prevalence: f64,
    pub lift: Option<Lift>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TierEval {
    pub tier: RiskTier,
    /// Lowest churn probability in the tier.
    pub threshold: f64,
    pub customers: usize,
    pub share: f64,
    /// Share of the tier's customers who churned (none when the tier is empty).
    pub churn_rate: Option<f64>,
    /// Share of all churners caught by this tier and the ones above it.
    pub cumulative_recall: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evaluation {
    pub window: Window,
    pub scores: Vec<Scored>,
    pub calibration: Vec<CalibrationBin>,
    pub signals: Vec<SignalEval>,
    pub tiers: Vec<TierEval>,
    /// Mean |contribution| to the log-odds per feature, largest first.
    pub importance: Vec<(String, f64)>,
    /// Why the figures are not a plain out-of-sample evaluation, when they are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
}

impl Evaluation {
    pub fn get(&self, name: Scorer) -> Option<&Scored> {
        self.scores.iter().find(|s| s.name == name)
    }

    /// The churn rate of every evaluation customer in `tier` or a higher one, taken together:
    /// what a tier's cut was chosen by (none when nobody is there).
    pub fn rate_from(&self, tier: RiskTier) -> Option<f64> {
        rate_from(&self.tiers, tier)
    }
}

/// The churn rate of the customers of `tier` and the tiers above it, taken together.
pub fn rate_from(tiers: &[TierEval], tier: RiskTier) -> Option<f64> {
    let (mut churned, mut customers) = (0.0, 0usize);
    let rank = |t: RiskTier| RiskTier::ALL.iter().position(|&x| x == t);
    for t in tiers.iter().filter(|t| rank(t.tier) <= rank(tier)) {
        churned += t.churn_rate.unwrap_or(0.0) * t.customers as f64;
        customers += t.customers;
    }
    (customers > 0).then(|| churned / customers as f64)
}

/// Risk tier thresholds on the churn probability, and how each was chosen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tiers {
    pub high: f64,
    pub medium: f64,
    pub high_rule: String,
    pub medium_rule: String,
}

impl Tiers {
    /// What the tiers mean, for a reader who would take "high" for "a probability above 0.9":
    /// each cut is the lowest churn probability at which the evaluation customers at or above
    /// it churned at the target rate taken together (the cumulative churn rate above the cut).
    pub fn explain(&self) -> String {
        format!(
            "risk tiers: high from churn_risk {:.3}: {}; medium from {:.3}: {}. A tier's rate is that of everyone scored at or above its cut taken together, not a probability each of them exceeds",
            self.high, self.high_rule, self.medium, self.medium_rule
        )
    }

    pub fn of(&self, p: f64) -> RiskTier {
        if p >= self.high {
            RiskTier::High
        } else if p >= self.medium {
            RiskTier::Medium
        } else {
            RiskTier::Low
        }
    }
}

/// A trained model with everything needed to use it again and to judge it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChurnModel {
    pub format: u32,
    /// `churn-YYYYMMDDTHHMMSSZ`, also the file name.
    pub version: String,
    pub strata_version: String,
    pub created_at: String,
    pub timezone: String,
    pub split: SplitKind,
    pub training: Window,
    pub evaluation: Evaluation,
    pub tiers: Tiers,
    pub config: ChurnConfig,
    /// The customer-table settings the features were computed with (scoring uses the same).
    pub analyze: AnalyzeConfig,
    pub fitted: Fitted,
}

/// The first and last local days with orders.
pub async fn order_days(ctx: &SessionContext, tz: &str) -> Result<(NaiveDate, NaiveDate)> {
    let tz = strata_store::parse_timezone(tz)?;
    let b = ctx
        .sql("SELECT CAST(min(ordered_at) AS BIGINT), CAST(max(ordered_at) AS BIGINT) FROM orders")
        .await?
        .collect()
        .await?;
    let get = |i: usize| -> Option<i64> {
        let b = b.first()?;
        let a = b.column(i);
        use arrow::array::{Array, AsArray};
        (b.num_rows() > 0 && !a.is_null(0))
            .then(|| a.as_primitive::<arrow::datatypes::Int64Type>().value(0))
    };
    let (Some(lo), Some(hi)) = (get(0), get(1)) else {
        return Err(ChurnError::NoData(
            "the workspace has no orders; import them first (strata import orders FILE)".into(),
        ));
    };
    let day = |us: i64| {
        chrono::TimeZone::timestamp_micros(&tz, us)
            .single()
            .map(|t| t.date_naive())
            .ok_or_else(|| ChurnError::internal("order time out of range"))
    };
    Ok((day(lo)?, day(hi)?))
}

/// Features of every buyer as of `cutoff`.
pub async fn features_at(
    ctx: &SessionContext,
    analyze: &AnalyzeConfig,
    tz: &str,
    cfg: &ChurnConfig,
    cutoff: NaiveDate,
) -> Result<FeatureSet> {
    let mut a = analyze.clone();
    a.as_of = Some(cutoff);
    let profile = strata_features::compute(ctx, &a, tz).await?;
    features::build(
        ctx,
        &profile,
        &cfg.signals,
        cfg.population_days,
        cfg.winback.margin,
    )
    .await
}

/// The population rows of `fs` and their churn labels over the horizon.
async fn labelled(
    ctx: &SessionContext,
    fs: &FeatureSet,
    horizon_days: u32,
) -> Result<(Vec<usize>, Vec<bool>)> {
    let rows = fs.population();
    let ids: Vec<String> = rows.iter().map(|&r| fs.ids[r].clone()).collect();
    let bought = features::bought_within(ctx, &ids, fs.end_us, horizon_days).await?;
    Ok((rows, bought.into_iter().map(|b| !b).collect()))
}

fn window(fs: &FeatureSet, labels: &[bool], horizon_days: u32) -> Window {
    let churners = labels.iter().filter(|&&c| c).count();
    Window {
        cutoff: fs.as_of,
        cutoffs: vec![fs.as_of],
        horizon_days,
        customers: labels.len(),
        churners,
        base_rate: churners as f64 / labels.len().max(1) as f64,
        sources: fs.sources.clone(),
    }
}

fn days_before(d: NaiveDate, days: u32) -> Result<NaiveDate> {
    d.checked_sub_days(chrono::Days::new(days.into()))
        .ok_or_else(|| ChurnError::Config(format!("{days} days before {d} is out of range")))
}

fn days_after(d: NaiveDate, days: u32) -> Result<NaiveDate> {
    d.checked_add_days(chrono::Days::new(days.into()))
        .ok_or_else(|| ChurnError::Config(format!("{days} days after {d} is out of range")))
}

/// Fits and evaluates a churn model on the workspace in `ctx`.
pub async fn train(
    ctx: &SessionContext,
    analyze: &AnalyzeConfig,
    tz: &str,
    cfg: &ChurnConfig,
    opts: &TrainOptions,
) -> Result<ChurnModel> {
    cfg.validate().map_err(ChurnError::Config)?;
    let h = cfg.horizon_days;
    let (first_day, last_day) = order_days(ctx, tz).await?;
    let cutoff = match opts.cutoff {
        Some(c) => c,
        None => days_before(last_day, h)?,
    };
    if days_after(cutoff, h)? > last_day {
        return Err(ChurnError::NoData(format!(
            "the cutoff {cutoff} leaves {} days of orders after it (the last is on {last_day}); the {h}-day horizon needs them all to tell who churned. Use an earlier cutoff or a shorter horizon",
            (last_day - cutoff).num_days().max(0)
        )));
    }
    let (training, eval_fs, eval_rows, eval_labels, fitted, preds) = match opts.split {
        SplitKind::Time => {
            let latest = days_before(cutoff, h)?;
            if latest <= first_day {
                return Err(ChurnError::NoData(format!(
                    "a time split needs two horizons of history after the first order ({first_day}): training at {latest}, evaluating at {cutoff}. Use a shorter horizon, a later cutoff, or a split by customers"
                )));
            }
            // The latest training cutoff and up to train_cutoffs − 1 earlier ones, each a
            // step apart, as long as they leave some history before them.
            let mut sets: Vec<(FeatureSet, Vec<usize>, Vec<bool>)> = Vec::new();
            for i in 0..cfg.train_cutoffs {
                let c = days_before(latest, i * cfg.cutoff_step_days)?;
                if i > 0 && (c - first_day).num_days() < i64::from(cfg.cutoff_step_days) {
                    break;
                }
                let fs = features_at(ctx, analyze, tz, cfg, c).await?;
                // An earlier cutoff without a source the latest has (events tracked only since
                // some date, say) would teach the trees that missing behaviour means an old
                // cutoff; the stack stops there.
                if let Some((latest, _, _)) = sets.first()
                    && fs.sources != latest.sources
                {
                    tracing::info!(
                        "training cutoff {c} has data from {:?}, the latest has {:?}: not stacked",
                        fs.sources,
                        latest.sources
                    );
                    break;
                }
                let (rows, labels) = labelled(ctx, &fs, h).await?;
                sets.push((fs, rows, labels));
            }
            let feats = model::usable_features(&sets[0].0);
            let parts: Vec<(&FeatureSet, &[usize])> =
                sets.iter().map(|(fs, r, _)| (fs, r.as_slice())).collect();
            let labels: Vec<bool> = sets.iter().flat_map(|(_, _, l)| l.clone()).collect();
            let fitted = model::fit_stacked(&parts, &feats, &labels, cfg)?;
            let cutoffs: Vec<NaiveDate> = sets.iter().map(|(fs, _, _)| fs.as_of).collect();
            let (train_fs, rows, _) = sets.swap_remove(0);
            let eval_fs = features_at(ctx, analyze, tz, cfg, cutoff).await?;
            let (erows, elabels) = labelled(ctx, &eval_fs, h).await?;
            let preds = fitted.predict(&eval_fs, &erows)?;
            let mut training = window(&train_fs, &labels, h);
            training.customers = labels.len();
            training.cutoffs = cutoffs;
            drop(rows);
            (training, eval_fs, erows, elabels, fitted, preds)
        }
        SplitKind::Customers => {
            if opts.folds < 2 {
                return Err(ChurnError::Config(format!(
                    "{} folds: a customer split needs at least 2",
                    opts.folds
                )));
            }
            let fs = features_at(ctx, analyze, tz, cfg, cutoff).await?;
            let (rows, labels) = labelled(ctx, &fs, h).await?;
            let feats = model::usable_features(&fs);
            let fold: Vec<usize> = rows
                .iter()
                .map(|&r| (fnv1a(fs.ids[r].as_bytes()) % opts.folds as u64) as usize)
                .collect();
            let mut gbt = vec![f64::NAN; rows.len()];
            let mut logistic = vec![f64::NAN; rows.len()];
            for k in 0..opts.folds {
                let (fit_rows, fit_labels): (Vec<usize>, Vec<bool>) = rows
                    .iter()
                    .zip(&labels)
                    .zip(&fold)
                    .filter(|(_, f)| **f != k)
                    .map(|((r, l), _)| (*r, *l))
                    .unzip();
                let held: Vec<usize> = (0..rows.len()).filter(|&i| fold[i] == k).collect();
                if held.is_empty() {
                    continue;
                }
                let m = model::fit(&fs, &feats, &fit_rows, &fit_labels, cfg)?;
                let held_rows: Vec<usize> = held.iter().map(|&i| rows[i]).collect();
                let p = m.predict(&fs, &held_rows)?;
                for (j, &i) in held.iter().enumerate() {
                    gbt[i] = p.gbt[j];
                    logistic[i] = p.logistic[j];
                }
            }
            let fitted = model::fit(&fs, &feats, &rows, &labels, cfg)?;
            let preds = model::Predictions { gbt, logistic };
            let training = window(&fs, &labels, h);
            (training, fs, rows, labels, fitted, preds)
        }
    };
    let (evaluation, tiers) = assess(&fitted, &eval_fs, &eval_rows, &eval_labels, &preds, cfg)?;
    let now = chrono::Utc::now();
    Ok(ChurnModel {
        format: FORMAT,
        version: format!("churn-{}", now.format("%Y%m%dT%H%M%SZ")),
        strata_version: env!("CARGO_PKG_VERSION").into(),
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        timezone: tz.into(),
        split: opts.split,
        training,
        evaluation,
        tiers,
        config: cfg.clone(),
        analyze: AnalyzeConfig {
            as_of: None,
            ..analyze.clone()
        },
        fitted,
    })
}

/// Evaluates a saved model at `cutoff` (default: one horizon before the last order day),
/// with its own tiers, against the same baselines.
///
/// The model saw every order up to its latest training cutoff plus the horizon (the labels). A
/// cutoff before that overlaps what it learnt from, so the figures come with a caveat; without
/// a cutoff, when the workspace has no later orders yet, the evaluation kept with the model (a
/// later cutoff, or the customer split's held-out folds) is returned instead.
pub async fn evaluate(
    ctx: &SessionContext,
    model: &ChurnModel,
    cutoff: Option<NaiveDate>,
) -> Result<Evaluation> {
    let cfg = &model.config;
    let h = cfg.horizon_days;
    let (_, last_day) = order_days(ctx, &model.timezone).await?;
    let unseen_from = days_after(model.training.cutoff, h)?;
    let cutoff = match cutoff {
        Some(c) => c,
        None => {
            let c = days_before(last_day, h)?;
            if c < unseen_from {
                let mut kept = model.evaluation.clone();
                kept.caveat = Some(format!(
                    "the workspace has no orders the model has not learnt from (a fresh evaluation needs a cutoff from {unseen_from} with {h} days of orders after it; the last order is on {last_day}): this is the evaluation kept with the model, {}",
                    match model.split {
                        SplitKind::Time =>
                            format!("at {}, a cutoff it never saw", kept.window.cutoff),
                        SplitKind::Customers =>
                            "each customer scored by a model fitted without them".to_string(),
                    }
                ));
                return Ok(kept);
            }
            c
        }
    };
    if days_after(cutoff, h)? > last_day {
        return Err(ChurnError::NoData(format!(
            "the cutoff {cutoff} leaves {} days of orders after it (the last is on {last_day}); the model's {h}-day horizon needs them all to tell who churned",
            (last_day - cutoff).num_days().max(0)
        )));
    }
    let fs = features_at(ctx, &model.analyze, &model.timezone, cfg, cutoff).await?;
    let (rows, labels) = labelled(ctx, &fs, h).await?;
    let preds = model.fitted.predict(&fs, &rows)?;
    let (mut evaluation, _) = assess(&model.fitted, &fs, &rows, &labels, &preds, cfg)?;
    evaluation.tiers = tier_table(&preds.gbt, &labels, &model.tiers);
    if cutoff < unseen_from {
        evaluation.caveat = Some(format!(
            "in-sample: the model was trained on outcomes up to {unseen_from} (cutoffs {} with their {h}-day labels), which overlap this evaluation at {cutoff}; these figures are optimistic. Evaluate at {unseen_from} or later for an honest estimate",
            model
                .training
                .cutoffs
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(evaluation)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Metrics of the model and the baselines, signal lifts, tiers and importance.
fn assess(
    fitted: &Fitted,
    fs: &FeatureSet,
    rows: &[usize],
    labels: &[bool],
    preds: &model::Predictions,
    cfg: &ChurnConfig,
) -> Result<(Evaluation, Tiers)> {
    if rows.is_empty() {
        return Err(ChurnError::NoData(format!(
            "no customers to evaluate at {}: nobody had bought within the last {} days",
            fs.as_of, cfg.population_days
        )));
    }
    let mut scores = Vec::new();
    let mut push = |name: Scorer, s: &[f64], probs: bool| {
        if let Some(summary) = classify::summarize(s, labels, probs.then_some(s), 0.1) {
            scores.push(Scored {
                name,
                summary,
                roc: classify::roc_curve(s, labels, 200),
            });
        }
    };
    push(Scorer::Trees, &preds.gbt, true);
    push(Scorer::Logistic, &preds.logistic, true);
    let recency: Vec<f64> = rows.iter().map(|&r| fs.column("recency_days")[r]).collect();
    push(Scorer::Recency, &recency, false);
    if fs.has(Source::Value) {
        let p: Vec<f64> = rows
            .iter()
            .map(|&r| 1.0 - fs.column("p_alive")[r])
            .collect();
        if p.iter().any(|x| x.is_finite()) {
            push(Scorer::PAlive, &p, true);
        }
    }
    let signals = SIGNALS
        .iter()
        .filter(|s| fs.has(s.source()))
        .map(|&s| {
            let flags: Vec<bool> = rows.iter().map(|&r| fs.signal(s)[r]).collect();
            let with = flags.iter().filter(|&&f| f).count();
            SignalEval {
                signal: s,
                prevalence: with as f64 / flags.len() as f64,
                lift: classify::lift_table(&flags, labels),
            }
        })
        // A signal nobody shows has no data behind it (no message opens tracked, say).
        .filter(|s| s.prevalence > 0.0)
        .collect();
    let tiers = choose_tiers(&preds.gbt, labels, cfg);
    // Importance from the contributions of (at most) 20,000 evaluated customers.
    let step = rows.len().div_ceil(20_000).max(1);
    let sample: Vec<usize> = rows.iter().step_by(step).copied().collect();
    let (_, contribs) = fitted.explain(fs, &sample)?;
    let k = fitted.features.len();
    let mut importance: Vec<(String, f64)> = fitted
        .features
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let mean = contribs.chunks(k).map(|c| c[j].abs()).sum::<f64>() / sample.len() as f64;
            (name.clone(), mean)
        })
        .collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1));
    debug_assert!(importance.iter().all(|(n, _)| feature_index(n).is_some()));
    let evaluation = Evaluation {
        window: window(fs, labels, cfg.horizon_days),
        scores,
        calibration: classify::calibration(&preds.gbt, labels, 10),
        signals,
        tiers: tier_table(&preds.gbt, labels, &tiers),
        importance,
        caveat: None,
    };
    Ok((evaluation, tiers))
}

/// High: the lowest probability above which the target share of customers churned; medium
/// likewise with its lower target. Where a target is out of reach, a top share instead.
pub fn choose_tiers(probs: &[f64], labels: &[bool], cfg: &ChurnConfig) -> Tiers {
    let t = &cfg.tiers;
    let pick = |target: f64, share: f64| match classify::threshold_for_precision(
        probs,
        labels,
        target,
        t.min_customers,
    ) {
        Some(th) => (
            th.threshold,
            format!(
                "churn rate ≥ {:.0}% above it in the evaluation ({:.1}% there)",
                target * 100.0,
                th.precision * 100.0
            ),
        ),
        None => {
            let top = classify::top_share(probs, labels, share);
            (
                top.map_or(1.0, |s| s.threshold),
                format!(
                    "a churn rate of {:.0}% was not reached; the top {:.0}% by risk instead",
                    target * 100.0,
                    share * 100.0
                ),
            )
        }
    };
    let (high, high_rule) = pick(t.high_precision, t.high_fallback_share);
    let (medium, medium_rule) = pick(t.medium_precision, t.medium_fallback_share);
    Tiers {
        high,
        medium: medium.min(high),
        high_rule,
        medium_rule,
    }
}

fn tier_table(probs: &[f64], labels: &[bool], tiers: &Tiers) -> Vec<TierEval> {
    let n = probs.len();
    let total_pos = labels.iter().filter(|&&l| l).count().max(1);
    let mut caught = 0;
    RiskTier::ALL
        .iter()
        .map(|&tier| {
            let members: Vec<usize> = (0..n).filter(|&i| tiers.of(probs[i]) == tier).collect();
            let pos = members.iter().filter(|&&i| labels[i]).count();
            caught += pos;
            TierEval {
                tier,
                threshold: match tier {
                    RiskTier::High => tiers.high,
                    RiskTier::Medium => tiers.medium,
                    RiskTier::Low => 0.0,
                },
                customers: members.len(),
                share: members.len() as f64 / n.max(1) as f64,
                churn_rate: (!members.is_empty()).then(|| pos as f64 / members.len() as f64),
                cumulative_recall: caught as f64 / total_pos as f64,
            }
        })
        .collect()
}

/// The documentation of every feature, for the methods appendix.
pub fn feature_docs() -> impl Iterator<Item = (&'static str, &'static str)> {
    FEATURES.iter().map(|f| (f.name, f.doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_from_precision_targets_by_hand() {
        // Scores high to low with labels: the top 4 all churned (precision 1), the top 8 hold
        // 6 churners (0.75), the rest 1 in 4.
        let probs = [
            0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.6, 0.55, 0.4, 0.3, 0.2, 0.1,
        ];
        let labels = [
            true, true, true, true, true, false, true, false, false, true, false, false,
        ];
        let mut cfg = ChurnConfig::default();
        cfg.tiers.min_customers = 2;
        cfg.tiers.high_precision = 1.0;
        cfg.tiers.medium_precision = 0.75;
        let t = choose_tiers(&probs, &labels, &cfg);
        // Precision 1 holds down to 0.7 (5 of 5); 0.75 down to 0.55 (6 of 8).
        assert_eq!(t.high, 0.7);
        assert_eq!(t.medium, 0.55);
        let table = tier_table(&probs, &labels, &t);
        assert_eq!(table[0].customers, 5);
        assert_eq!(table[0].churn_rate, Some(1.0));
        assert_eq!(table[1].customers, 3);
        assert!((table[1].cumulative_recall - 6.0 / 7.0).abs() < 1e-12);
        assert_eq!(table[2].churn_rate, Some(0.25));
        // What the cuts mean: the rate of everyone at or above, not each one's probability.
        assert_eq!(rate_from(&table, RiskTier::High), Some(1.0));
        assert_eq!(rate_from(&table, RiskTier::Medium), Some(0.75));
        let words = t.explain();
        assert!(
            words.contains("high from churn_risk 0.700")
                && words.contains("not a probability each of them exceeds"),
            "{words}"
        );
        // An unreachable target falls back to the top share.
        cfg.tiers.high_precision = 1.0;
        cfg.tiers.min_customers = 6;
        cfg.tiers.high_fallback_share = 0.25;
        let t = choose_tiers(&probs, &labels, &cfg);
        assert_eq!(t.high, 0.85);
        assert!(t.high_rule.contains("top 25%"));
    }
}
