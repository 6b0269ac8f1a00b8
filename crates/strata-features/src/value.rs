//! Lifetime value in the customer table: buy-till-you-die models (`strata-models`) fitted on
//! daily purchase summaries of the paid orders, with the model chosen by BIC, Gamma-Gamma spend,
//! 12-month CLV, and a calibration/holdout check kept with the table for the report.
//!
//! Time unit: days. Purchases are collapsed to distinct local days per customer, as the
//! literature does, so two orders on one day are one purchase occasion.

use serde::{Deserialize, Serialize};
use strata_models::{
    ClvOptions, FitOptions, ModelKind, Period, SummaryOptions, TimeUnit, calibration_and_holdout,
    clv, fit, fit_gamma_gamma, summarize,
};

use crate::config::ValueConfig;
use crate::kernel::US_PER_DAY;

/// Per-customer value columns, by customer slot; `None` for customers without a purchase or
/// when no model could be fitted.
#[derive(Debug, Default)]
pub struct ValueColumns {
    pub p_alive: Vec<Option<f64>>,
    pub expected_90d: Vec<Option<f64>>,
    pub expected_365d: Vec<Option<f64>>,
    pub expected_spend: Vec<Option<f64>>,
    pub clv_12m: Vec<Option<f64>>,
}

impl ValueColumns {
    /// Every column empty, for `n` customers.
    pub fn empty(n: usize) -> Self {
        ValueColumns {
            p_alive: vec![None; n],
            expected_90d: vec![None; n],
            expected_365d: vec![None; n],
            expected_spend: vec![None; n],
            clv_12m: vec![None; n],
        }
    }
}

/// One candidate model and how it fitted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Candidate {
    pub model: String,
    pub params: Vec<(String, f64)>,
    pub log_likelihood: f64,
    pub aic: f64,
    pub bic: f64,
    pub converged: bool,
}

/// Mean actual against predicted holdout purchases, for one calibration-frequency bin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrequencyCheck {
    pub frequency: String,
    pub customers: u64,
    pub actual: f64,
    pub predicted: f64,
}

/// The calibration/holdout check of the chosen model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HoldoutCheck {
    pub calibration_end: String,
    pub holdout_days: f64,
    pub customers: u64,
    pub actual_total: f64,
    pub predicted_total: f64,
    /// Mean absolute error per customer, in purchases.
    pub mae: f64,
    pub by_frequency: Vec<FrequencyCheck>,
    /// Cumulative repeat purchases by week of the holdout: (week, actual, predicted).
    pub cumulative: Vec<(u32, f64, f64)>,
}

/// What the value step chose and found, kept in the analysis metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValueMeta {
    pub model: String,
    pub candidates: Vec<Candidate>,
    pub spend: Option<SpendMeta>,
    pub holdout: Option<HoldoutCheck>,
    pub config: ValueConfig,
    /// Why there are no value columns, when there are none.
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpendMeta {
    pub params: Vec<(String, f64)>,
    /// Correlation of frequency and mean spend among repeat buyers.
    pub correlation: f64,
    /// `gamma_gamma`, or `own_mean` when the independence check failed.
    pub source: String,
}

fn candidate(f: &strata_models::Fit) -> Candidate {
    Candidate {
        model: f.kind.name().to_string(),
        params: f.params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        log_likelihood: f.log_likelihood,
        aic: f.aic,
        bic: f.bic,
        converged: f.converged,
    }
}

/// Fits, chooses and predicts. `purchases` are (customer slot, UTC µs, cents) of paid orders
/// before `end_us`; `n` is the number of customer slots; `utc_offset` the shop's offset in
/// seconds at the analysis date.
pub fn estimate(
    purchases: &[(u32, i64, i64)],
    n: usize,
    end_us: i64,
    utc_offset: i64,
    cfg: &ValueConfig,
) -> (ValueColumns, ValueMeta) {
    let mut cols = ValueColumns::empty(n);
    let mut meta = ValueMeta {
        model: String::new(),
        candidates: Vec::new(),
        spend: None,
        holdout: None,
        config: cfg.clone(),
        skipped: None,
    };
    let customers: Vec<u64> = purchases.iter().map(|p| u64::from(p.0)).collect();
    let times: Vec<i64> = purchases.iter().map(|p| p.1).collect();
    let amounts: Vec<f64> = purchases.iter().map(|p| p.2 as f64 / 100.0).collect();
    let opts = SummaryOptions {
        period: Period::Day,
        time_unit: TimeUnit::Micros,
        utc_offset_seconds: utc_offset,
        observation_end: Some(end_us - 1),
        freq_multiplier: 1.0,
    };
    let summary = match summarize(&customers, &times, Some(&amounts), &opts) {
        Ok(s) => s,
        Err(e) => {
            meta.skipped = Some(format!("the purchase summary failed: {e}"));
            return (cols, meta);
        }
    };
    if summary.len() < cfg.min_customers {
        meta.skipped = Some(format!(
            "{} buyers; lifetime value needs at least {}",
            summary.len(),
            cfg.min_customers
        ));
        return (cols, meta);
    }
    let (x, tx, t) = (&summary.frequency, &summary.recency, &summary.t);
    let fit_opts = FitOptions {
        penalty: cfg.penalty,
        ..FitOptions::default()
    };
    let mut fits = Vec::new();
    for kind in [ModelKind::BgNbd, ModelKind::MbgNbd] {
        match fit(kind, x, tx, t, &fit_opts) {
            Ok(f) => {
                meta.candidates.push(candidate(&f));
                if f.converged {
                    fits.push(f);
                }
            }
            Err(e) => tracing::warn!(model = kind.name(), "fit failed: {e}"),
        }
    }
    let Some(best) = fits.into_iter().min_by(|a, b| a.bic.total_cmp(&b.bic)) else {
        meta.skipped = Some("no purchase model converged on this data".into());
        return (cols, meta);
    };
    meta.model = best.kind.name().to_string();

    let monetary = summary
        .monetary
        .clone()
        .unwrap_or_else(|| vec![0.0; x.len()]);
    // Repeat buyers whose repeat orders were free (mean spend 0) cannot enter the spend model;
    // they are fitted as one-time buyers and get the population's expected spend.
    let (x_spend, _) = strata_models::spend_frequencies(x, &monetary);
    let spend: Vec<f64> = match fit_gamma_gamma(&x_spend, &monetary, &fit_opts) {
        Ok(gg) => {
            meta.spend = Some(SpendMeta {
                params: gg.params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                correlation: gg.independence.correlation,
                source: match gg.spend_source() {
                    strata_models::SpendSource::GammaGamma => "gamma_gamma".into(),
                    strata_models::SpendSource::OwnMean => "own_mean".into(),
                },
            });
            gg.expected_spend_all(&x_spend, &monetary)
                .unwrap_or_else(|_| monetary.clone())
        }
        Err(e) => {
            // Too few repeat buyers for a spend model: everyone's mean order value.
            tracing::warn!("spend model not fitted: {e}");
            let mean = amounts.iter().sum::<f64>() / amounts.len().max(1) as f64;
            vec![mean; x.len()]
        }
    };
    let p90 = best.model.predict(90.0, x, tx, t, 0);
    let p365 = best.model.predict(365.0, x, tx, t, 0);
    let value = clv(
        &best.model,
        x,
        tx,
        t,
        &spend,
        &ClvOptions {
            months: 12,
            periods_per_month: 365.25 / 12.0,
            monthly_discount_rate: cfg.monthly_discount_rate,
            margin: cfg.margin,
        },
        0,
    );
    if let (Ok(p90), Ok(p365), Ok(value)) = (p90, p365, value) {
        for (i, &c) in summary.customers.iter().enumerate() {
            let c = c as usize;
            cols.p_alive[c] = Some(p90.p_alive[i]);
            cols.expected_90d[c] = Some(p90.expected_purchases[i]);
            cols.expected_365d[c] = Some(p365.expected_purchases[i]);
            cols.expected_spend[c] = Some(spend[i]);
            cols.clv_12m[c] = Some(value[i]);
        }
    }
    meta.holdout = holdout(&customers, &times, &opts, end_us, best.kind, &fit_opts, cfg);
    (cols, meta)
}

/// Fits the chosen model on the purchases before `end − holdout_days` and compares its
/// predictions with what the customers then did.
fn holdout(
    customers: &[u64],
    times: &[i64],
    opts: &SummaryOptions,
    end_us: i64,
    kind: ModelKind,
    fit_opts: &FitOptions,
    cfg: &ValueConfig,
) -> Option<HoldoutCheck> {
    let days = cfg.holdout_days;
    if days == 0 {
        return None;
    }
    let cal_end = end_us - i64::from(days) * US_PER_DAY;
    let first = times.iter().copied().min()?;
    if cal_end - first < i64::from(days) * US_PER_DAY {
        return None; // less history before the holdout than the holdout itself
    }
    let split = calibration_and_holdout(customers, times, None, cal_end - 1, opts).ok()?;
    let cal = &split.calibration;
    if cal.len() < cfg.min_customers {
        return None;
    }
    let f = fit(kind, &cal.frequency, &cal.recency, &cal.t, fit_opts).ok()?;
    let duration = split.duration_holdout;
    let pred = f
        .model
        .predict(duration, &cal.frequency, &cal.recency, &cal.t, 0)
        .ok()?;
    let actual = &split.frequency_holdout;
    let n = cal.len();
    let mae = actual
        .iter()
        .zip(&pred.expected_purchases)
        .map(|(a, p)| (a - p).abs())
        .sum::<f64>()
        / n as f64;
    let mut bins = [(0u64, 0.0f64, 0.0f64); 8];
    for ((&f, &a), &p) in cal
        .frequency
        .iter()
        .zip(actual)
        .zip(&pred.expected_purchases)
    {
        let b = (f as usize).min(7);
        bins[b].0 += 1;
        bins[b].1 += a;
        bins[b].2 += p;
    }
    let by_frequency = bins
        .iter()
        .enumerate()
        .filter(|(_, b)| b.0 > 0)
        .map(|(k, b)| FrequencyCheck {
            frequency: if k == 7 { "7+".into() } else { k.to_string() },
            customers: b.0,
            actual: b.1 / b.0 as f64,
            predicted: b.2 / b.0 as f64,
        })
        .collect();

    // Cumulative tracking by week: actual distinct purchase days of calibration customers after
    // the calibration end, against the model's expectation summed over a sample of them.
    let weeks = (days / 7).max(1);
    let day_of = |t: i64| (t / 1_000_000 + opts.utc_offset_seconds).div_euclid(86_400);
    let cal_day = day_of(cal_end - 1);
    let in_cal: std::collections::HashSet<u64> = cal.customers.iter().copied().collect();
    let mut seen = std::collections::HashSet::new();
    let mut per_week = vec![0.0; weeks as usize];
    for (&c, &t) in customers.iter().zip(times) {
        if t < cal_end || t >= end_us || !in_cal.contains(&c) {
            continue;
        }
        let d = day_of(t) - cal_day - 1;
        if d >= 0 && seen.insert((c, d)) {
            let w = (d / 7) as usize;
            if w < per_week.len() {
                per_week[w] += 1.0;
            }
        }
    }
    let stride = n.div_ceil(20_000).max(1);
    let sample: Vec<usize> = (0..n).step_by(stride).collect();
    let scale = n as f64 / sample.len() as f64;
    let mut cumulative = Vec::with_capacity(weeks as usize);
    let mut acc = 0.0;
    for w in 1..=weeks {
        acc += per_week[w as usize - 1];
        let h = f64::from(w * 7).min(duration);
        let predicted: f64 = sample
            .iter()
            .map(|&i| f.expected_purchases(h, cal.frequency[i], cal.recency[i], cal.t[i]))
            .sum::<f64>()
            * scale;
        cumulative.push((w, acc, predicted));
    }
    let date =
        chrono::DateTime::from_timestamp_micros(cal_end - 1 + opts.utc_offset_seconds * 1_000_000)
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default();
    Some(HoldoutCheck {
        calibration_end: date,
        holdout_days: duration,
        customers: n as u64,
        actual_total: actual.iter().sum(),
        predicted_total: pred.expected_purchases.iter().sum(),
        mae,
        by_frequency,
        cumulative,
    })
}
