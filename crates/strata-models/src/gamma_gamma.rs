//! The Gamma-Gamma model of spend per transaction: Fader, Hardie & Lee (2005), "RFM and CLV:
//! Using Iso-Value Curves for Customer Base Analysis", *JMR* 42(4), and Fader & Hardie's note
//! "The Gamma-Gamma Model of Monetary Value" (2013, note 025).
//!
//! A customer's transaction values are `z ~ Gamma(p, ν)` (shape, rate) around their mean `p/ν`,
//! and across customers `ν ~ Gamma(q, γ)`. Only repeat customers enter (`x >= 1`), and `m` is
//! the mean of their `x` repeat transactions (the first purchase excluded, same-period amounts
//! summed first — the convention of lifetimes' summariser). The density of the mean is
//!
//! ```text
//! f(m | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^(px) m^(px−1) / (γ + x m)^(px+q)
//! ```
//!
//! (lifetimes' likelihood, note 025 eq. 1a; `γ` is lifetimes' `v`). The fit maximises the sum
//! of its logarithms over `(ln p, ln q, ln γ)` with the analytic gradient.
//!
//! The conditional expected average spend (note 025 eq. 5) is a weighted mean of the population
//! mean `pγ/(q−1)` and the customer's own mean:
//!
//! ```text
//! E[Z | m, x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m = p(γ + x m) / (px + q − 1).
//! ```
//!
//! ## The independence assumption and the fallback
//!
//! The model assumes spend per transaction is independent of how often a customer buys. The
//! fit checks it with the Pearson correlation between `x` and `m` over repeat customers and
//! flags it when `|corr| > 0.3` ([`INDEPENDENCE_THRESHOLD`], the customary "weak correlation"
//! bound used in the lifetimes documentation). When flagged, [`GammaGammaFit::expected_spend`]
//! switches to the fallback: a repeat customer's own mean spend `m` (unbiased for them whatever
//! the correlation, if noisier for small `x`), and for a customer without repeat purchases the
//! population mean of repeat transaction values, `Σ x·m / Σ x` over repeat customers. Shrinking
//! toward one population mean is exactly what correlation makes biased, so the fallback does
//! not shrink. [`GammaGammaFit::gamma_gamma_spend`] always gives the model's value.
//!
//! ## Customers without a usable mean spend
//!
//! Real data has repeat customers whose repeat purchases were all free (CDNOW has zero-amount
//! transactions): their mean spend is 0, which the model's density cannot take. They are not
//! dropped: [`spend_frequencies`] counts them as customers without repeat purchases for the
//! spend model, so the fit leaves them out and [`GammaGammaFit::expected_spend`] gives them
//! what it gives one-time buyers, the population mean (`pγ/(q−1)`, or the fallback's mean
//! above).

use serde::Serialize;

use crate::bgnbd::check_params;
use crate::data::{check_lengths, par_ranges};
use crate::error::{ModelError, Result};
use crate::special::{digamma, ln_gamma};

/// `|corr(x, m)|` above which the independence assumption is flagged.
pub const INDEPENDENCE_THRESHOLD: f64 = 0.3;

/// Gamma-Gamma parameters (`gamma` is lifetimes' `v`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

impl GammaGamma {
    pub const PARAM_NAMES: [&'static str; 3] = ["p", "q", "gamma"];

    /// Checks that every parameter is finite and positive.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<Self> {
        check_params(&Self::PARAM_NAMES, &[p, q, gamma])?;
        Ok(Self { p, q, gamma })
    }

    /// The log-density of one repeat customer's mean spend `m` over `x` transactions.
    pub fn log_likelihood(&self, x: f64, m: f64) -> f64 {
        let Self { p, q, gamma } = *self;
        let px = p * x;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + (px - 1.0) * m.ln()
            + px * x.ln()
            - (px + q) * (x * m + gamma).ln()
    }

    /// The mean spend per transaction across customers, `pγ/(q−1)`; infinite when `q <= 1`.
    pub fn population_mean(&self) -> f64 {
        if self.q > 1.0 {
            self.p * self.gamma / (self.q - 1.0)
        } else {
            f64::INFINITY
        }
    }

    /// `E[Z | m, x]`: the expected spend per transaction of a customer with `x` repeat
    /// purchases of mean value `m` (for `x = 0`, `m` is ignored and this is the population
    /// mean).
    pub fn conditional_expected_spend(&self, x: f64, m: f64) -> f64 {
        let Self { p, q, gamma } = *self;
        let denom = p * x + q - 1.0;
        if x == 0.0 {
            return self.population_mean();
        }
        if denom <= 0.0 {
            return f64::INFINITY;
        }
        p * (gamma + x * m) / denom
    }
}

/// The check of the independence of frequency and spend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndependenceCheck {
    /// Pearson correlation between frequency and mean spend over repeat customers (0 when
    /// either is constant).
    pub correlation: f64,
    /// Repeat customers it is computed on.
    pub customers: usize,
    /// The threshold on `|correlation|` ([`INDEPENDENCE_THRESHOLD`]).
    pub threshold: f64,
    /// `|correlation| > threshold`: the Gamma-Gamma expectations are suspect and
    /// [`GammaGammaFit::expected_spend`] uses the fallback.
    pub violated: bool,
}

/// Pearson correlation of frequency and monetary value over customers with `x > 0`.
pub fn independence_check(freq: &[f64], monetary: &[f64]) -> Result<IndependenceCheck> {
    check_lengths(&[("frequency", freq.len()), ("monetary", monetary.len())])?;
    let pairs: Vec<(f64, f64)> = freq
        .iter()
        .zip(monetary)
        .filter(|&(&x, &m)| x > 0.0 && m > 0.0)
        .map(|(&x, &m)| (x, m))
        .collect();
    if pairs.is_empty() {
        return Err(ModelError::NoRepeatCustomers);
    }
    let n = pairs.len() as f64;
    let (mx, mm) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, m)| (a + x / n, b + m / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, m) in &pairs {
        sxy += (x - mx) * (m - mm);
        sxx += (x - mx) * (x - mx);
        syy += (m - mm) * (m - mm);
    }
    let correlation = if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        0.0
    };
    Ok(IndependenceCheck {
        correlation,
        customers: pairs.len(),
        threshold: INDEPENDENCE_THRESHOLD,
        violated: correlation.abs() > INDEPENDENCE_THRESHOLD,
    })
}

/// Frequencies for the spend model: those of customers without a usable mean spend (0, negative
/// or not a number, with repeat purchases) set to 0, so the fit leaves them out and
/// [`GammaGammaFit::expected_spend`] gives them the population mean. Also how many such repeat
/// customers there were.
pub fn spend_frequencies(freq: &[f64], monetary: &[f64]) -> (Vec<f64>, usize) {
    let mut unusable = 0;
    let x = freq
        .iter()
        .zip(monetary)
        .map(|(&x, &m)| {
            if x > 0.0 && !(m.is_finite() && m > 0.0) {
                unusable += 1;
                0.0
            } else {
                x
            }
        })
        .collect();
    (x, unusable)
}

/// Where a spend estimate comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendSource {
    /// The Gamma-Gamma conditional expectation.
    GammaGamma,
    /// The fallback: own mean for repeat customers, population mean otherwise.
    OwnMean,
}

/// A fitted Gamma-Gamma model with its diagnostics.
#[derive(Debug, Clone, Serialize)]
pub struct GammaGammaFit {
    pub model: GammaGamma,
    /// `(name, value)` in the order `p, q, gamma`.
    pub params: Vec<(&'static str, f64)>,
    /// Standard errors in the same order; `None` when the Hessian is not positive definite.
    pub std_errors: Option<Vec<f64>>,
    pub log_likelihood: f64,
    pub aic: f64,
    pub bic: f64,
    /// Repeat customers fitted (sum of weights).
    pub n: f64,
    /// Unique `(x, m)` rows the likelihood was evaluated on.
    pub unique_rows: usize,
    pub penalty: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub converged: bool,
    pub termination: crate::Termination,
    pub independence: IndependenceCheck,
    /// The fallback's spend for a customer without repeat purchases: mean repeat transaction
    /// value `Σ x·m / Σ x` over the repeat customers fitted.
    pub fallback_population_mean: f64,
}

impl GammaGammaFit {
    /// Which estimate [`Self::expected_spend`] uses.
    pub fn spend_source(&self) -> SpendSource {
        if self.independence.violated || self.model.q.is_nan() || self.model.q <= 1.0 {
            SpendSource::OwnMean
        } else {
            SpendSource::GammaGamma
        }
    }

    /// The recommended spend per transaction: the Gamma-Gamma conditional expectation, or the
    /// fallback when the independence check failed or `q <= 1` (infinite population mean).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        match self.spend_source() {
            SpendSource::GammaGamma => self.model.conditional_expected_spend(x, m),
            SpendSource::OwnMean => {
                if x > 0.0 && m > 0.0 {
                    m
                } else {
                    self.fallback_population_mean
                }
            }
        }
    }

    /// The Gamma-Gamma conditional expectation, whatever the independence check says.
    pub fn gamma_gamma_spend(&self, x: f64, m: f64) -> f64 {
        self.model.conditional_expected_spend(x, m)
    }

    /// [`Self::expected_spend`] for every customer.
    pub fn expected_spend_all(&self, freq: &[f64], monetary: &[f64]) -> Result<Vec<f64>> {
        check_lengths(&[("frequency", freq.len()), ("monetary", monetary.len())])?;
        Ok(freq
            .iter()
            .zip(monetary)
            .map(|(&x, &m)| self.expected_spend(x, m))
            .collect())
    }
}

/// Repeat customers compressed to unique `(x, m)` rows sorted by `x`.
#[derive(Debug, Clone)]
pub(crate) struct Spend {
    pub group: Vec<u32>,
    pub ln_m: Vec<f64>,
    pub m: Vec<f64>,
    pub w: Vec<f64>,
    pub xs: Vec<f64>,
    pub group_weight: Vec<f64>,
    pub total_weight: f64,
}

impl Spend {
    /// Checks and compresses; customers with `x = 0` are skipped (the model is for repeat
    /// customers), and every repeat customer must have a positive monetary value.
    pub fn build(freq: &[f64], monetary: &[f64], weights: Option<&[f64]>) -> Result<Spend> {
        let n = check_lengths(&[("frequency", freq.len()), ("monetary", monetary.len())])?;
        if let Some(w) = weights {
            crate::data::check_weights(w, n)?;
        }
        let mut keys = Vec::new();
        for i in 0..n {
            let (x, m) = (freq[i], monetary[i]);
            if !(x.is_finite() && x >= 0.0 && x == x.floor()) {
                return Err(ModelError::InvalidValue {
                    column: "frequency",
                    row: i,
                    value: x,
                    expected: "a whole number >= 0 (repeat purchases)",
                });
            }
            if x == 0.0 || weights.is_some_and(|w| w[i] == 0.0) {
                continue;
            }
            if !(m.is_finite() && m > 0.0) {
                return Err(ModelError::InvalidValue {
                    column: "monetary",
                    row: i,
                    value: m,
                    expected: "a positive mean spend for a customer with repeat purchases",
                });
            }
            keys.push((x as u64, m.to_bits(), i));
        }
        if keys.is_empty() {
            return Err(ModelError::NoRepeatCustomers);
        }
        keys.sort_unstable();
        let mut out = Spend {
            group: Vec::new(),
            ln_m: Vec::new(),
            m: Vec::new(),
            w: Vec::new(),
            xs: Vec::new(),
            group_weight: Vec::new(),
            total_weight: 0.0,
        };
        let mut prev = None;
        for &(x, mb, i) in &keys {
            let wi = weights.map_or(1.0, |w| w[i]);
            if prev == Some((x, mb)) {
                *out.w.last_mut().expect("a row exists") += wi;
            } else {
                if out.xs.last() != Some(&(x as f64)) {
                    out.xs.push(x as f64);
                    out.group_weight.push(0.0);
                }
                let m = f64::from_bits(mb);
                out.group.push((out.xs.len() - 1) as u32);
                out.m.push(m);
                out.ln_m.push(m.ln());
                out.w.push(wi);
                prev = Some((x, mb));
            }
            *out.group_weight.last_mut().expect("a group exists") += wi;
            out.total_weight += wi;
        }
        Ok(out)
    }

    pub fn rows(&self) -> usize {
        self.w.len()
    }

    pub fn subsample(&self, target: usize) -> Spend {
        let step = self.rows().div_ceil(target.max(1)).max(1);
        let mut out = Spend {
            group: Vec::new(),
            ln_m: Vec::new(),
            m: Vec::new(),
            w: Vec::new(),
            xs: Vec::new(),
            group_weight: Vec::new(),
            total_weight: 0.0,
        };
        let mut last = u32::MAX;
        for i in (0..self.rows()).step_by(step) {
            let g = self.group[i];
            if g != last {
                out.xs.push(self.xs[g as usize]);
                out.group_weight.push(0.0);
                last = g;
            }
            out.group.push((out.xs.len() - 1) as u32);
            out.m.push(self.m[i]);
            out.ln_m.push(self.ln_m[i]);
            out.w.push(self.w[i]);
            *out.group_weight.last_mut().expect("a group exists") += self.w[i];
            out.total_weight += self.w[i];
        }
        out
    }

    /// `Σ w x m / Σ w x`: the mean repeat transaction value.
    pub fn mean_transaction_value(&self) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..self.rows() {
            let x = self.xs[self.group[i] as usize];
            num += self.w[i] * x * self.m[i];
            den += self.w[i] * x;
        }
        num / den
    }
}

/// The total weighted log-likelihood and its gradient with respect to `(ln p, ln q, ln γ)`.
pub(crate) fn ll_grad(data: &Spend, params: &[f64], grad: &mut [f64], threads: usize) -> f64 {
    let (p, q, v) = (params[0], params[1], params[2]);
    let (lg_q, dg_q) = (ln_gamma(q), digamma(q));
    let ln_v = v.ln();
    let mut ll = 0.0;
    let mut g = [0.0; 3];
    for (k, &x) in data.xs.iter().enumerate() {
        let w = data.group_weight[k];
        let px = p * x;
        let ln_x = x.ln();
        ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + px * ln_x + q * ln_v);
        g[0] += w * x * (digamma(px + q) - digamma(px) + ln_x);
        g[1] += w * (digamma(px + q) - dg_q + ln_v);
        g[2] += w * q / v;
    }
    let parts = par_ranges(data.rows(), threads, |range| {
        let mut ll = 0.0;
        let mut g = [0.0; 3];
        for i in range {
            let x = data.xs[data.group[i] as usize];
            let w = data.w[i];
            let px = p * x;
            let denom = x * data.m[i] + v;
            let l_d = denom.ln();
            ll += w * ((px - 1.0) * data.ln_m[i] - (px + q) * l_d);
            g[0] += w * x * (data.ln_m[i] - l_d);
            g[1] -= w * l_d;
            g[2] -= w * (px + q) / denom;
        }
        (ll, g)
    });
    for (pll, pg) in parts {
        ll += pll;
        for j in 0..3 {
            g[j] += pg[j];
        }
    }
    grad[0] = g[0] * p;
    grad[1] = g[1] * q;
    grad[2] = g[2] * v;
    ll
}

/// Starting points: lifetimes' default (every log-parameter 0.1) and moment-based ones.
pub(crate) fn starts(data: &Spend) -> Vec<[f64; 3]> {
    let mean = data.mean_transaction_value();
    vec![
        [1.0, 3.0, 2.0 * mean],
        [0.1f64.exp(); 3],
        [5.0, 4.0, 0.6 * mean],
        [0.5, 1.5, mean],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_customers_with_free_repeat_purchases_fall_back_to_the_population_mean() {
        let (x, unusable) = spend_frequencies(&[2.0, 0.0, 3.0, 1.0], &[10.0, 0.0, 0.0, f64::NAN]);
        assert_eq!(x, [2.0, 0.0, 0.0, 0.0]);
        assert_eq!(unusable, 2);
    }

    #[test]
    fn single_customer_log_likelihood_by_hand() {
        // p = 1, q = 2, γ = 1, x = 1, m = 1: f = Γ(3)/(Γ(1)Γ(2)) · 1 · 1 · 1 / 2³ = 1/4.
        let m = GammaGamma::new(1.0, 2.0, 1.0).unwrap();
        assert!((m.log_likelihood(1.0, 1.0) - 0.25f64.ln()).abs() < 1e-14);
        // E[Z | m = 1, x = 1] = p(γ + x m)/(px + q − 1) = 2/2 = 1.
        assert!((m.conditional_expected_spend(1.0, 1.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let freq = [1.0, 2.0, 2.0, 5.0, 9.0];
        let money = [10.0, 35.5, 12.0, 22.0, 70.0];
        let data = Spend::build(&freq, &money, None).unwrap();
        let lp = [6.25f64.ln(), 3.74f64.ln(), 15.44f64.ln()];
        let p: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
        let mut g = [0.0; 3];
        let ll = ll_grad(&data, &p, &mut g, 1);
        let model = GammaGamma::new(p[0], p[1], p[2]).unwrap();
        let direct: f64 = freq
            .iter()
            .zip(&money)
            .map(|(&x, &m)| model.log_likelihood(x, m))
            .sum();
        assert!((ll - direct).abs() < 1e-10);
        for j in 0..3 {
            let h = 1e-6;
            let f = |l: [f64; 3]| {
                let q: Vec<f64> = l.iter().map(|v| v.exp()).collect();
                ll_grad(&data, &q, &mut [0.0; 3], 1)
            };
            let mut up = lp;
            up[j] += h;
            let mut dn = lp;
            dn[j] -= h;
            let fd = (f(up) - f(dn)) / (2.0 * h);
            assert!(
                (fd - g[j]).abs() < 1e-6 * fd.abs().max(1.0),
                "j={j}: {fd} vs {}",
                g[j]
            );
        }
    }

    #[test]
    fn correlation_is_flagged() {
        let freq = [1.0, 2.0, 3.0, 4.0, 0.0];
        let money = [10.0, 20.0, 30.0, 41.0, 0.0];
        let c = independence_check(&freq, &money).unwrap();
        assert!(c.violated && c.correlation > 0.99 && c.customers == 4);
        let c = independence_check(&[1.0, 2.0, 3.0, 4.0], &[10.0, 30.0, 30.0, 10.0]).unwrap();
        assert!(!c.violated && c.correlation.abs() < 1e-12);
    }
}
