//! The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
//! Alternative to the Pareto/NBD Model", *Marketing Science* 24(2), 275–284.
//!
//! While alive, a customer buys as a Poisson process with rate `λ ~ Gamma(r, α)` (shape, rate);
//! after each *repeat* purchase they drop out with probability `p ~ Beta(a, b)`. A customer's
//! history is `x` repeat purchases, the last at `t_x`, observed for `T` since the first.
//!
//! Likelihood (FHL eq. 6, in the stable form of section 7 of the paper and Hardie's note 004):
//!
//! ```text
//! L = Γ(r+x) α^r / Γ(r) · B(a, b+x) / B(a, b) · (α+T)^−(r+x) · [1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)]
//! ```
//!
//! evaluated as `A₁ + A₂ − (r+x) ln(α+T) + softplus(ln a − ln(b+x−1) + (r+x)(ln(α+T) − ln(α+t_x)))`,
//! which neither overflows nor underflows for any `x`. The gradient with respect to
//! `(ln r, ln α, ln a, ln b)` is analytic (digamma functions for the gamma terms, the logistic
//! function for the softplus).
//!
//! Predictions:
//! - `P(alive | x, t_x, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))`
//!   (Fader, Hardie & Lee, note 021);
//! - `E[X(t) | x, t_x, T] = P(alive) · E[X(t) | alive]` with (FHL eq. 10)
//!   `E[X(t) | alive] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]`,
//!   the hypergeometric function evaluated in log space (see [`crate::special::hyp2f1_ln`]);
//!   where that form is singular (`a` within 1e-6 of 1, or `|a+b+x−1| < 1e-3`) the same
//!   quantity is integrated numerically over the Beta posterior of `p`;
//! - `E[X(t)]` for a new customer (FHL eq. 9) is the same with `x = 0, T = 0`;
//! - `P(X(t) = n)` (FHL eq. 8), with the negative-binomial tail written as a regularised
//!   incomplete beta function instead of one minus a finite sum (which cancels for large `n`);
//! - DERT (discounted expected residual transactions) has no closed form for this model; it is
//!   computed in continuous time as `δ ∫₀^∞ e^(−δt) E[X(t) | x, t_x, T] dt` (the same definition
//!   as the Pareto/NBD DERT of Fader, Hardie & Lee 2005b) by adaptive quadrature.

use serde::Serialize;

use crate::data::{Rfm, par_ranges};
use crate::error::{ModelError, Result};
use crate::special::{
    beta_inc, digamma_diff, hyp2f1_ln, integrate, integrate_from_peak, ln_beta, ln_gamma,
    ln_gamma_ratio, log1pexp, sigmoid,
};

/// BG/NBD parameters in the caller's time unit: `λ ~ Gamma(r, α)`, `p ~ Beta(a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

pub(crate) fn check_params(names: &[&'static str], values: &[f64]) -> Result<()> {
    for (&name, &value) in names.iter().zip(values) {
        if !(value.is_finite() && value > 0.0) {
            return Err(ModelError::InvalidParameter { name, value });
        }
    }
    Ok(())
}

impl BgNbd {
    pub const PARAM_NAMES: [&'static str; 4] = ["r", "alpha", "a", "b"];

    /// Checks that every parameter is finite and positive.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        check_params(&Self::PARAM_NAMES, &[r, alpha, a, b])?;
        Ok(Self { r, alpha, a, b })
    }

    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }

    /// The log-likelihood of one customer's history.
    pub fn log_likelihood(&self, x: f64, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, a, b } = *self;
        // ln B(a, b+x) − ln B(a, b) = ln Γ(b+x)/Γ(b) − ln Γ(a+b+x)/Γ(a+b).
        let mut ll = ln_gamma_ratio(r, x) + r * alpha.ln() + ln_gamma_ratio(b, x)
            - ln_gamma_ratio(a + b, x)
            - (r + x) * (alpha + t).ln();
        if x > 0.0 {
            ll +=
                log1pexp(a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + t) / (alpha + tx)).ln());
        }
        ll
    }

    /// The probability that the customer is still alive at `T`.
    pub fn p_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let Self { r, alpha, a, b } = *self;
        let log_odds_dead =
            a.ln() - (b + x - 1.0).ln() + (r + x) * ((t - tx) / (alpha + tx)).ln_1p();
        sigmoid(-log_odds_dead)
    }

    /// Expected repeat purchases in `(T, T + horizon]` given the history (FHL eq. 10).
    pub fn expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.p_alive(x, tx, t) * self.expected_purchases_alive(horizon, x, t)
    }

    /// Expected repeat purchases in the next `horizon` for a customer known to be alive at `T`
    /// with `x` repeat purchases.
    pub fn expected_purchases_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        expected_alive(self.r + x, self.a, self.b + x, horizon / (self.alpha + t))
    }

    /// Expected repeat purchases in `(0, horizon]` of a customer just acquired (FHL eq. 9).
    pub fn expected_purchases_unconditional(&self, horizon: f64) -> f64 {
        expected_alive(self.r, self.a, self.b, horizon / self.alpha)
    }

    /// `P(X(horizon) = n)`: the probability that a new customer makes exactly `n` repeat
    /// purchases in `(0, horizon]` (FHL eq. 8; lifetimes' `probability_of_n_purchases_up_to_time`).
    pub fn prob_n_purchases(&self, n: u64, horizon: f64) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let nf = n as f64;
        let lb = ln_beta(a, b);
        let first = (ln_beta(a, b + nf) - lb + ln_nb_pmf(r, alpha, nf, horizon)).exp();
        if n == 0 {
            return first.clamp(0.0, 1.0);
        }
        let p = horizon / (alpha + horizon);
        let tail = beta_inc(nf, r, p); // P(N >= n) for N ~ NB(r, p)
        let second = (ln_beta(a + 1.0, b + nf - 1.0) - lb).exp() * tail;
        (first + second).clamp(0.0, 1.0)
    }

    /// Discounted expected residual transactions with continuous discount rate `delta` per
    /// time unit: `δ ∫₀^∞ e^(−δt) E[X(t) | x, t_x, T] dt`.
    pub fn dert(&self, delta: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.p_alive(x, tx, t) * discounted_alive(delta, |h| self.expected_purchases_alive(h, x, t))
    }
}

/// `ln P(N = n)` for `N ~ NB(r, α/(α+t))`: the purchases in `t` of a gamma-mixed Poisson.
pub(crate) fn ln_nb_pmf(r: f64, alpha: f64, n: f64, t: f64) -> f64 {
    if t == 0.0 {
        return if n == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    ln_gamma(r + n) - ln_gamma(r) - ln_gamma(n + 1.0)
        + r * (alpha / (alpha + t)).ln()
        + n * (t / (alpha + t)).ln()
}

/// `E[X(t) | alive]` for the BG/NBD family: purchases of a customer with `λ ~ Gamma(A, ·)` and
/// drop-out probability `p ~ Beta(a, bp)` after each purchase, over a horizon `u` measured in
/// units of the gamma rate (`u = t / (α+T)`):
/// `E_p[(1 − (1 + p·u)^−A) / p] = C/(a−1) · [1 − (1−z)^A ₂F₁(A, bp; C; z)]`, with
/// `C = a + bp − 1` and `z = u/(1+u)`.
pub(crate) fn expected_alive(big_a: f64, a: f64, bp: f64, u: f64) -> f64 {
    if u.is_nan() || big_a.is_nan() || a.is_nan() || bp.is_nan() {
        return f64::NAN;
    }
    if u <= 0.0 {
        return 0.0;
    }
    if u.is_infinite() {
        return if a > 1.0 {
            (a + bp - 1.0) / (a - 1.0)
        } else {
            f64::INFINITY
        };
    }
    let c = a + bp - 1.0;
    let z = u / (1.0 + u);
    // C is negative (−1 < C < 0) for a customer without repeat purchases when a + b < 1; the
    // hypergeometric form still holds there, with ₂F₁ possibly negative, except within 1e-3
    // of the pole at C = 0 (and where a = 1), which the quadrature covers.
    if c.abs() > 1e-3 && (a - 1.0).abs() > 1e-6 {
        let (lf, sf) = hyp2f1_ln(big_a, bp, c, z);
        if lf.is_finite() && sf != 0.0 {
            let lq = big_a * (-z).ln_1p() + lf;
            let one_minus_q = if sf > 0.0 {
                -lq.exp_m1()
            } else {
                1.0 + lq.exp()
            };
            let v = c / (a - 1.0) * one_minus_q;
            if v.is_finite() && v >= 0.0 {
                return v;
            }
        }
    }
    expected_alive_quadrature(big_a, a, bp, u)
}

/// The same expectation integrated over the Beta density of `p`; `p = v^(1/a)` removes the
/// `p^(a−1)` singularity at 0.
fn expected_alive_quadrature(big_a: f64, a: f64, bp: f64, u: f64) -> f64 {
    let norm = (-(a.ln()) - ln_beta(a, bp)).exp();
    let integrand = |v: f64| {
        let p = v.powf(1.0 / a);
        if p <= 0.0 {
            return [big_a * u];
        }
        if p >= 1.0 {
            // A sliver at p = 1 (the weight is 0 there, or an integrable spike for bp < 1).
            return [0.0];
        }
        let g = -(-big_a * (p * u).ln_1p()).exp_m1() / p;
        [((bp - 1.0) * (-p).ln_1p()).exp() * g]
    };
    let [v] = if bp >= 1.0 {
        // Decreasing in v; for a large bp (many purchases) it is a spike at 0 of width about
        // (1/(bp + A·u))^a.
        let scale = (1.0 / (bp + big_a * u)).powf(a).min(1.0);
        integrate_from_peak(integrand, 0.0, 1.0, scale, 1e-12)
    } else {
        integrate(integrand, 0.0, 1.0, 1e-12, 4_000)
    };
    norm * v
}

/// `δ ∫₀^∞ e^(−δt) f(t) dt` for a non-decreasing `f` with `f(0) = 0`, by adaptive quadrature
/// after `t = s/δ` and `s = w/(1−w)`.
pub(crate) fn discounted_alive(delta: f64, f: impl Fn(f64) -> f64) -> f64 {
    if delta.is_nan() || delta <= 0.0 || delta.is_infinite() {
        return f64::NAN;
    }
    let [v] = integrate(
        |w| {
            if w >= 1.0 {
                return [0.0];
            }
            let om = 1.0 - w;
            let s = w / om;
            let e = (-s).exp();
            if e == 0.0 {
                return [0.0];
            }
            [e * f(s / delta) / (om * om)]
        },
        0.0,
        1.0,
        1e-9,
        400,
    );
    v
}

/// Per-frequency terms of the BG/NBD log-likelihood that do not depend on `t_x` or `T`.
struct GroupTerms {
    /// `ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)` (per customer).
    constant: f64,
    d_r: f64,
    d_a: f64,
    d_b: f64,
    /// `ln a − ln(b + x − 1)`.
    ln_odds: f64,
}

/// The total weighted log-likelihood over compressed (time-scaled) data and its gradient with
/// respect to the log-parameters. `mbg` selects the MBG/NBD variant (drop-out also possible
/// right after the first purchase).
pub(crate) fn ll_grad(
    data: &Rfm,
    params: &[f64],
    grad: &mut [f64],
    threads: usize,
    mbg: bool,
) -> f64 {
    let (r, alpha, a, b) = (params[0], params[1], params[2], params[3]);
    let ln_alpha = alpha.ln();
    let ln_a = a.ln();
    // MBG/NBD: B(a, b+x+1)/B(a, b) and odds a/(b+x); BG/NBD: B(a, b+x)/B(a, b) and a/(b+x−1).
    let shift = if mbg { 1.0 } else { 0.0 };
    let groups: Vec<GroupTerms> = data
        .xs
        .iter()
        .map(|&x| {
            let bx = b + x + shift;
            // Ratios of gamma functions, not differences of their logarithms: far out (a and
            // b near 1e17, where a search for a degenerate drop-out may go) the differences
            // are rounding noise and the search follows it (issue 14: 10,000 iterations).
            let step = x + shift;
            let ab = digamma_diff(a + b, step);
            GroupTerms {
                constant: ln_gamma_ratio(r, x) + r * ln_alpha + ln_gamma_ratio(b, step)
                    - ln_gamma_ratio(a + b, step),
                d_r: digamma_diff(r, x) + ln_alpha,
                d_a: -ab,
                d_b: digamma_diff(b, step) - ab,
                ln_odds: ln_a - (bx - 1.0).ln(),
            }
        })
        .collect();
    let mut ll = 0.0;
    let mut g = [0.0; 4];
    for (k, gt) in groups.iter().enumerate() {
        let w = data.group_weight[k];
        ll += w * gt.constant;
        g[0] += w * gt.d_r;
        g[1] += w * r / alpha;
        g[2] += w * gt.d_a;
        g[3] += w * gt.d_b;
    }
    let parts = par_ranges(data.rows(), threads, |range| {
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        for i in range {
            let gi = data.group[i] as usize;
            let x = data.xs[gi];
            let w = data.w[i];
            let rx = r + x;
            let at = alpha + data.t[i];
            let l_t = at.ln();
            ll -= w * rx * l_t;
            g[0] -= w * l_t;
            g[1] -= w * rx / at;
            if x > 0.0 || mbg {
                let atx = alpha + data.tx[i];
                let l_tx = atx.ln();
                let ln_d = groups[gi].ln_odds + rx * (l_t - l_tx);
                // softplus(ln_d) and its derivative σ(ln_d) from one exponential.
                let (sp, sig) = if ln_d > 0.0 {
                    let e = (-ln_d).exp();
                    (ln_d + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = ln_d.exp();
                    (e.ln_1p(), e / (1.0 + e))
                };
                let ws = w * sig;
                ll += w * sp;
                g[0] += ws * (l_t - l_tx);
                g[1] += ws * rx * (1.0 / at - 1.0 / atx);
                g[2] += ws / a;
                g[3] -= ws / (b + x + shift - 1.0);
            }
        }
        (ll, g)
    });
    for (pll, pg) in parts {
        ll += pll;
        for j in 0..4 {
            g[j] += pg[j];
        }
    }
    grad[0] = g[0] * r;
    grad[1] = g[1] * alpha;
    grad[2] = g[2] * a;
    grad[3] = g[3] * b;
    ll
}

/// Starting points in the scaled time unit (largest `T` = 1).
pub(crate) fn starts(data: &Rfm) -> Vec<[f64; 4]> {
    let (mean_x, mean_t) = data.means();
    let rate = (mean_x / mean_t.max(1e-9)).max(1e-3);
    vec![
        // Moderately heterogeneous rates with the observed mean, drop-out about 1/4.
        [1.0, 1.0 / rate, 1.0, 3.0],
        // lifetimes' default start: every log-parameter 0.1.
        [0.1f64.exp(); 4],
        // Very heterogeneous rates, frequent drop-out.
        [0.3, 0.3 / rate, 0.7, 2.0],
        [2.0, 2.0 / rate, 0.5, 5.0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const CDNOW: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    /// Issue 14: with an analysis date past the data the search for BG/NBD went to a
    /// drop-out probability without spread (`a`, `b` near 1e17). There the likelihood must
    /// tend to its limit, `B(a, b+x)/B(a, b) → q^x` with `q = b/(a+b)`; as a difference of
    /// log-gammas it was rounding noise (positive log-likelihoods, 10,000 iterations).
    #[test]
    fn log_likelihood_tends_to_its_limit_for_a_drop_out_without_spread() {
        let (r, alpha) = (0.7, 23.0);
        for scale in [1e8, 1e13, 1e17] {
            let (a, b) = (0.0625 * scale, 0.9375 * scale);
            let m = BgNbd::new(r, alpha, a, b).unwrap();
            let data = Rfm::build(
                &[0.0, 1.0, 5.0, 40.0],
                &[0.0, 30.0, 200.0, 600.0],
                &[400.0, 400.0, 400.0, 600.0],
                None,
            )
            .unwrap();
            let mut grad = [0.0; 4];
            // Times in units of the largest T (600): alpha scales, each customer gains 600^x.
            let total =
                ll_grad(&data, &[r, alpha / 600.0, a, b], &mut grad, 1, false) - 46.0 * 600f64.ln();
            let mut sum = 0.0;
            for (x, tx) in [(0.0, 0.0), (1.0, 30.0), (5.0, 200.0), (40.0, 600.0)] {
                let t = 400.0f64.max(tx);
                let q: f64 = 0.9375;
                let mut want = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + x * q.ln()
                    - (r + x) * (alpha + t).ln();
                if x > 0.0 {
                    want += log1pexp((a / b).ln() + (r + x) * ((alpha + t) / (alpha + tx)).ln());
                }
                let got = m.log_likelihood(x, tx, t);
                assert!(
                    (got - want).abs() < 1e-6 * want.abs(),
                    "scale {scale} x {x}: {got} vs {want}"
                );
                assert!(got < 0.0);
                sum += want;
            }
            assert!(
                total < 0.0 && (total - sum).abs() < 1e-6 * sum.abs(),
                "{total} vs {sum}"
            );
            // The slope along (ln a, ln b) together, which only narrows the spread, vanishes.
            assert!((grad[2] + grad[3]).abs() < 1e-6, "{grad:?}");
        }
    }

    #[test]
    fn single_customer_log_likelihood_by_hand() {
        // r = α = a = b = 1, x = 1, t_x = 1, T = 2:
        // L = Γ(2)/Γ(1) · 1 · B(1,2)/B(1,1) · [(1/3)² + (1/1)·(1/2)²]
        //   = 1 · (1/2) · (1/9 + 1/4) = 13/72.
        let m = BgNbd::new(1.0, 1.0, 1.0, 1.0).unwrap();
        assert!((m.log_likelihood(1.0, 1.0, 2.0) - (13.0f64 / 72.0).ln()).abs() < 1e-14);
        // x = 0, T = 2: L = (α/(α+T))^r = 1/3.
        assert!((m.log_likelihood(0.0, 0.0, 2.0) - (1.0f64 / 3.0).ln()).abs() < 1e-14);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let freq = [0.0, 1.0, 3.0, 7.0, 0.0, 25.0];
        let rec = [0.0, 2.0, 10.0, 30.0, 0.0, 31.0];
        let t = [39.0, 38.0, 30.0, 35.0, 12.0, 32.0];
        let data = Rfm::build(&freq, &rec, &t, None).unwrap();
        for mbg in [false, true] {
            let lp = [0.3f64.ln(), 0.2f64.ln(), 0.8f64.ln(), 2.5f64.ln()];
            let p: Vec<f64> = lp.iter().map(|v| v.exp()).collect();
            let mut g = [0.0; 4];
            ll_grad(&data, &p, &mut g, 1, mbg);
            for j in 0..4 {
                let h = 1e-6;
                let mut up = lp;
                up[j] += h;
                let mut dn = lp;
                dn[j] -= h;
                let f = |l: [f64; 4]| {
                    let q: Vec<f64> = l.iter().map(|v| v.exp()).collect();
                    ll_grad(&data, &q, &mut [0.0; 4], 1, mbg)
                };
                let fd = (f(up) - f(dn)) / (2.0 * h);
                assert!(
                    (fd - g[j]).abs() < 1e-6 * fd.abs().max(1.0),
                    "mbg={mbg} j={j}: {fd} vs {}",
                    g[j]
                );
            }
        }
    }

    #[test]
    fn compressed_likelihood_equals_sum_over_customers() {
        let freq = [0.0, 1.0, 1.0, 4.0];
        let rec = [0.0, 2.0, 2.0, 20.0];
        let t = [30.0, 25.0, 25.0, 39.0];
        let data = Rfm::build(&freq, &rec, &t, None).unwrap();
        // In the scaled unit (T / 39) alpha is alpha / 39.
        let p = [CDNOW.r, CDNOW.alpha / 39.0, CDNOW.a, CDNOW.b];
        let ll_scaled = ll_grad(&data, &p, &mut [0.0; 4], 1, false);
        // Scaling time changes each customer's likelihood by the Jacobian 39^x.
        let jac: f64 = freq.iter().map(|x| x * 39f64.ln()).sum();
        let direct: f64 = (0..4)
            .map(|i| CDNOW.log_likelihood(freq[i], rec[i], t[i]))
            .sum();
        assert!(
            (ll_scaled - jac - direct).abs() < 1e-10,
            "{ll_scaled} {jac} {direct}"
        );
    }

    #[test]
    fn quadrature_agrees_with_hypergeometric_form() {
        for &(big_a, a, bp, u) in &[
            (0.243, 0.793, 2.426, 1.2),
            (2.243, 0.793, 4.426, 0.4),
            (26.2, 0.79, 28.4, 1.6),
            (0.5, 1.7, 0.9, 9.0),
        ] {
            let hyp = expected_alive(big_a, a, bp, u);
            let quad = expected_alive_quadrature(big_a, a, bp, u);
            assert!(
                (hyp - quad).abs() < 1e-9 * hyp,
                "{big_a} {a} {bp} {u}: {hyp} vs {quad}"
            );
        }
        // a + b < 1 and x = 0: C = a + b − 1 < 0 and ₂F₁ can be negative (mpmath: 0.69774328).
        let neg = expected_alive(0.5, 0.3, 0.4, 2.0);
        assert!((neg - 0.697_743_281_863_658_4).abs() < 1e-11, "{neg}");
        // a = 1 exactly: only the quadrature path is valid; check continuity.
        let near = expected_alive(0.5, 1.0 + 1e-4, 2.0, 3.0);
        let at = expected_alive(0.5, 1.0, 2.0, 3.0);
        assert!((near - at).abs() < 1e-3 * at);
    }

    #[test]
    fn pmf_sums_to_one() {
        let total: f64 = (0..400).map(|n| CDNOW.prob_n_purchases(n, 39.0)).sum();
        assert!((total - 1.0).abs() < 1e-10, "{total}");
    }
}
