//! Customer lifetime value over a horizon, and the holdout checks used to choose a model.
//!
//! CLV follows lifetimes' `customer_lifetime_value`: the horizon is cut into months; month `i`
//! contributes the purchases expected in it, `E[X(t_i)] − E[X(t_{i−1})]` with
//! `t_i = i · periods_per_month`, times the expected spend per purchase and the margin,
//! discounted by `(1 + d)^i` for a monthly rate `d`:
//!
//! ```text
//! CLV = Σ_{i=1..months} (E[X(t_i) | x, t_x, T] − E[X(t_{i−1}) | x, t_x, T]) · spend · margin / (1 + d)^i
//! ```
//!
//! (lifetimes has no margin; `margin = 1` reproduces it). The expected purchases factor into
//! `P(alive) · E[X(t) | alive]` and the second factor depends only on `(x, T)`: it is
//! interpolated in `T` for frequencies many customers share (verified to 1e-10 relative) and
//! computed once per distinct pair otherwise.

use serde::Serialize;

use crate::data::{check_lengths, check_rfm, par_fill, resolve_threads};
use crate::error::{ModelError, Result};
use crate::model::{Model, per_customer_smooth_in_t};

/// The CLV horizon and money terms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClvOptions {
    /// Months of future purchases to count.
    pub months: u32,
    /// Time units (of `recency`/`T`) per month: 30 for days, 4.345 for weeks (lifetimes'
    /// factors), 1 for months.
    pub periods_per_month: f64,
    /// Monthly discount rate `d` (0.01 = 1% a month).
    pub monthly_discount_rate: f64,
    /// Share of revenue that is profit (1 = revenue CLV).
    pub margin: f64,
}

impl Default for ClvOptions {
    /// lifetimes' defaults (12 months, 1% a month) for weekly data, revenue CLV.
    fn default() -> Self {
        Self {
            months: 12,
            periods_per_month: 4.345,
            monthly_discount_rate: 0.01,
            margin: 1.0,
        }
    }
}

impl ClvOptions {
    fn check(&self) -> Result<()> {
        let checks = [
            (
                "periods per month",
                self.periods_per_month,
                self.periods_per_month > 0.0,
            ),
            (
                "monthly discount rate",
                self.monthly_discount_rate,
                self.monthly_discount_rate > -1.0,
            ),
            ("margin", self.margin, true),
        ];
        for (name, value, ok) in checks {
            if !(value.is_finite() && ok) {
                return Err(ModelError::InvalidOption {
                    name,
                    value,
                    expected: "a finite number (periods per month > 0, discount rate > −1)",
                });
            }
        }
        Ok(())
    }
}

/// CLV of every customer; `spend[i]` is the expected value of one purchase of customer `i`
/// (for example [`crate::GammaGammaFit::expected_spend`]).
pub fn clv(
    model: &Model,
    freq: &[f64],
    rec: &[f64],
    t: &[f64],
    spend: &[f64],
    opts: &ClvOptions,
    threads: usize,
) -> Result<Vec<f64>> {
    opts.check()?;
    let n = check_rfm(freq, rec, t)?;
    check_lengths(&[("frequency", n), ("spend", spend.len())])?;
    for (row, &s) in spend.iter().enumerate() {
        if !(s.is_finite() && s >= 0.0) {
            return Err(ModelError::InvalidValue {
                column: "spend",
                row,
                value: s,
                expected: "a finite expected spend >= 0",
            });
        }
    }
    let threads = resolve_threads(threads);
    // The discounted sum depends only on (x, T): interpolated per frequency where many
    // customers share one (to 1e-10), computed once per distinct (x, T) otherwise.
    let discounted =
        per_customer_smooth_in_t(freq, t, model.time_shift(), threads, 1e-10, |x, tt| {
            discounted_purchases_alive(model, x, tt, opts)
        });
    let mut out = vec![0.0; n];
    par_fill(&mut out, threads, |i| {
        model.p_alive(freq[i], rec[i], t[i]) * discounted[i] * spend[i] * opts.margin
    });
    Ok(out)
}

/// CLV of one customer.
pub fn clv_one(model: &Model, x: f64, tx: f64, t: f64, spend: f64, opts: &ClvOptions) -> f64 {
    model.p_alive(x, tx, t) * discounted_purchases_alive(model, x, t, opts) * spend * opts.margin
}

/// `Σ_i (E[X(t_i) | alive] − E[X(t_{i−1}) | alive]) / (1+d)^i`.
fn discounted_purchases_alive(model: &Model, x: f64, t: f64, opts: &ClvOptions) -> f64 {
    let mut total = 0.0;
    let mut prev = 0.0;
    let mut factor = 1.0;
    for i in 1..=opts.months {
        let cum = model.expected_purchases_alive(f64::from(i) * opts.periods_per_month, x, t);
        factor /= 1.0 + opts.monthly_discount_rate;
        total += (cum - prev) * factor;
        prev = cum;
    }
    total
}

/// Mean predicted and actual holdout purchases of the customers with one calibration
/// frequency (the last bin holds every frequency from its `frequency` up).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyBin {
    /// Calibration frequency (lower bound for the last bin).
    pub frequency: u64,
    /// True for the open last bin (`7+` by default).
    pub and_more: bool,
    pub customers: usize,
    pub mean_predicted: f64,
    pub mean_actual: f64,
}

/// How well predicted holdout purchases match the actual ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutError {
    pub customers: usize,
    /// Mean absolute error per customer.
    pub mae: f64,
    /// Root mean squared error per customer.
    pub rmse: f64,
    pub total_predicted: f64,
    pub total_actual: f64,
    /// By calibration frequency 0, 1, …, 6, 7+ (lifetimes'
    /// `plot_calibration_purchases_vs_holdout_purchases`).
    pub by_frequency: Vec<FrequencyBin>,
}

/// Compares predicted and actual holdout purchases, overall and by calibration frequency
/// `0..max_bin` with a last bin `max_bin+` (7 in lifetimes' plot).
pub fn holdout_error(
    freq_cal: &[f64],
    predicted: &[f64],
    actual: &[f64],
    max_bin: u64,
) -> Result<HoldoutError> {
    let n = check_lengths(&[
        ("frequency", freq_cal.len()),
        ("predicted", predicted.len()),
        ("actual", actual.len()),
    ])?;
    for (column, values) in [
        ("predicted", predicted),
        ("actual", actual),
        ("frequency", freq_cal),
    ] {
        if let Some((row, &value)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(ModelError::InvalidValue {
                column,
                row,
                value,
                expected: "a finite number >= 0",
            });
        }
    }
    let bins = max_bin as usize + 1;
    let mut count = vec![0usize; bins];
    let mut sum_pred = vec![0.0; bins];
    let mut sum_act = vec![0.0; bins];
    let (mut abs, mut sq, mut tp, mut ta) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let e = predicted[i] - actual[i];
        abs += e.abs();
        sq += e * e;
        tp += predicted[i];
        ta += actual[i];
        let b = (freq_cal[i] as u64).min(max_bin) as usize;
        count[b] += 1;
        sum_pred[b] += predicted[i];
        sum_act[b] += actual[i];
    }
    let by_frequency = (0..bins)
        .map(|b| FrequencyBin {
            frequency: b as u64,
            and_more: b == bins - 1,
            customers: count[b],
            mean_predicted: if count[b] > 0 {
                sum_pred[b] / count[b] as f64
            } else {
                0.0
            },
            mean_actual: if count[b] > 0 {
                sum_act[b] / count[b] as f64
            } else {
                0.0
            },
        })
        .collect();
    Ok(HoldoutError {
        customers: n,
        mae: abs / n as f64,
        rmse: (sq / n as f64).sqrt(),
        total_predicted: tp,
        total_actual: ta,
        by_frequency,
    })
}

/// Predicts each customer's purchases over their holdout duration with `model` and compares
/// them with the actual holdout purchases (see [`holdout_error`]).
#[allow(clippy::too_many_arguments)]
pub fn holdout_error_of(
    model: &Model,
    freq_cal: &[f64],
    rec_cal: &[f64],
    t_cal: &[f64],
    duration_holdout: &[f64],
    freq_holdout: &[f64],
    threads: usize,
) -> Result<HoldoutError> {
    let n = check_rfm(freq_cal, rec_cal, t_cal)?;
    check_lengths(&[
        ("frequency", n),
        ("duration_holdout", duration_holdout.len()),
        ("frequency_holdout", freq_holdout.len()),
    ])?;
    if let Some((row, &value)) = duration_holdout
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(ModelError::InvalidValue {
            column: "duration_holdout",
            row,
            value,
            expected: "a finite duration >= 0",
        });
    }
    let threads = resolve_threads(threads);
    let mut predicted = vec![0.0; n];
    par_fill(&mut predicted, threads, |i| {
        model.expected_purchases(duration_holdout[i], freq_cal[i], rec_cal[i], t_cal[i])
    });
    holdout_error(freq_cal, &predicted, freq_holdout, 7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelKind;

    #[test]
    fn clv_with_one_month_is_discounted_expectation() {
        let m = Model::from_params(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426]).unwrap();
        let opts = ClvOptions {
            months: 1,
            periods_per_month: 4.345,
            monthly_discount_rate: 0.01,
            margin: 0.3,
        };
        let v = clv_one(&m, 2.0, 30.43, 38.86, 35.0, &opts);
        let want = m.expected_purchases(4.345, 2.0, 30.43, 38.86) * 35.0 * 0.3 / 1.01;
        assert!((v - want).abs() < 1e-12 * want);
        let all = clv(
            &m,
            &[2.0, 0.0],
            &[30.43, 0.0],
            &[38.86, 38.86],
            &[35.0, 20.0],
            &opts,
            1,
        )
        .unwrap();
        assert!((all[0] - v).abs() < 1e-15);
    }

    #[test]
    fn holdout_bins() {
        let e = holdout_error(
            &[0.0, 0.0, 1.0, 9.0],
            &[0.5, 0.0, 1.0, 4.0],
            &[1.0, 0.0, 2.0, 3.0],
            7,
        )
        .unwrap();
        assert_eq!(e.customers, 4);
        assert!((e.mae - (0.5 + 0.0 + 1.0 + 1.0) / 4.0).abs() < 1e-15);
        assert_eq!(e.by_frequency.len(), 8);
        assert_eq!(e.by_frequency[0].customers, 2);
        assert!((e.by_frequency[0].mean_actual - 0.5).abs() < 1e-15);
        assert!(e.by_frequency[7].and_more && e.by_frequency[7].customers == 1);
    }
}
