//! The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), "Counting Your Customers:
//! Who Are They and What Will They Do Next?", *Management Science* 33(1), 1–24, with the
//! likelihood of Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model and Related
//! Expressions" (2005, note 009) and the DERT of Fader, Hardie & Lee (2005b), "RFM and CLV:
//! Using Iso-Value Curves for Customer Base Analysis", *JMR* 42(4), 415–430.
//!
//! While alive a customer buys as a Poisson process with rate `λ ~ Gamma(r, α)`; their
//! lifetime is exponential with rate `μ ~ Gamma(s, β)`. The likelihood of `(x, t_x, T)` is
//!
//! ```text
//! L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s·I ],
//! I = ∫_{t_x}^{T} (α+y)^−(r+x) (β+y)^−(s+1) dy,
//! ```
//!
//! (the second term is death at some `y` between the last purchase and `T`). Fader & Hardie
//! write `s·I = s/(r+s+x) · A₀` with `A₀` a difference of two Gauss hypergeometric functions
//! whose argument `|α−β|/(max(α,β)+y)` is below 1. Here the antiderivative is taken after
//! Euler's transformation, which leaves a series of positive terms with ratio below that
//! argument and no large intermediate values for any `x`:
//!
//! ```text
//! α ≥ β:  I = [H(t_x) − H(T)] / (r+s+x),  H(y) = (α+y)^−(r+x) (β+y)^−s · G(r+x; r+s+x+1; (α−β)/(α+y))
//! α < β:                                  H(y) = (α+y)^−(r+x−1) (β+y)^−(s+1) · G(s+1; r+s+x+1; (β−α)/(β+y))
//! G(c; d; w) = Σ_k (c)_k/(d)_k w^k = ₂F₁(1, c; d; w)
//! ```
//!
//! Everything is combined in log space (so `x = 10,000` or `t_x = T` are fine: `I = 0` exactly
//! when `t_x = T`). The gradient with respect to the log-parameters is analytic: the series is
//! differentiated term by term in `c`, `d` and `w`. When the argument exceeds 0.98 (one of `α`,
//! `β` is fifty times the other and the customer is young), `I` and its derivatives are
//! integrated numerically instead.
//!
//! Predictions (note 009 and FHL 2005b):
//! - `P(alive) = (α+T)^−(r+x) (β+T)^−s / [(α+T)^−(r+x) (β+T)^−s + s·I]`;
//! - `E[X(t) | x, t_x, T] = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)]`
//!   (the limit `(r+x)(β+T)/(α+T) · ln(1 + t/(β+T))` at `s = 1`);
//! - `E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)]`;
//! - `P(X(t) = n) = NB(n; r, α/(α+t)) (β/(β+t))^s + s α^r β^s Γ(r+n)/(Γ(r) n!) ∫₀^t τ^n (α+τ)^−(r+n) (β+τ)^−(s+1) dτ`
//!   (dropping out at `τ < t` after `n` purchases; integrated numerically);
//! - `DERT(δ) = α^r β^s δ^(s−1) Γ(r+x+1) Ψ(s, s; δ(β+T)) / (Γ(r) (α+T)^(r+x+1) L)` (FHL 2005b
//!   eq. 2), computed as `P(alive) · (r+x)/(α+T) · (β+T) · K(1−s, δ(β+T))` with
//!   `K(a, z) = e^z z^−a Γ(a, z) = ∫₀^∞ (1+v)^(a−1) e^(−zv) dv` (see
//!   [`crate::special::upper_gamma_scaled`]), which is the same expression without overflow.

use serde::Serialize;

use crate::bgnbd::{check_params, ln_nb_pmf};
use crate::chebyshev::Chebyshev;
use crate::data::{Rfm, par_ranges};
use crate::error::Result;
use crate::special::{digamma, integrate_from_peak, ln_gamma, upper_gamma_scaled};

/// Pareto/NBD parameters in the caller's time unit: `λ ~ Gamma(r, α)`, `μ ~ Gamma(s, β)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ParetoNbd {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

/// Frequencies with at least this many one-time buyers get an interpolant of `P(alive)` in
/// bulk predictions.
const INTERPOLATE_MIN_CUSTOMERS: usize = 256;

/// Above this series argument the integral is computed by quadrature.
const W_MAX: f64 = 0.98;

impl ParetoNbd {
    pub const PARAM_NAMES: [&'static str; 4] = ["r", "alpha", "s", "beta"];

    /// Checks that every parameter is finite and positive.
    pub fn new(r: f64, alpha: f64, s: f64, beta: f64) -> Result<Self> {
        check_params(&Self::PARAM_NAMES, &[r, alpha, s, beta])?;
        Ok(Self { r, alpha, s, beta })
    }

    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }

    /// The log-likelihood of one customer's history.
    pub fn log_likelihood(&self, x: f64, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let (ln_b, _) = ln_bracket::<false>(r, alpha, s, beta, x, tx, t);
        ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln() + ln_b
    }

    /// The probability that the customer is still alive at `T`.
    pub fn p_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let (ln_b, _) = ln_bracket::<false>(r, alpha, s, beta, x, tx, t);
        let ln_h0 = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        (ln_h0 - ln_b).exp().min(1.0)
    }

    /// [`Self::p_alive`] for every customer (inputs already checked). For customers whose last
    /// purchase is their first (`t_x = 0`, most one-time buyers) `P(alive)` depends only on `x`
    /// and `T`: `H(0)` is computed once per frequency, and frequencies shared by many such
    /// customers get a Chebyshev interpolant of `ln P(alive)` in `ln(min(α,β) + T)`, accepted
    /// only if it reproduces direct evaluations to 1e-13 between its nodes.
    pub(crate) fn p_alive_into(
        &self,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
        threads: usize,
        out: &mut [f64],
    ) {
        let interpolants = self.p_alive_interpolants(freq, rec, t);
        let shift = self.alpha.min(self.beta);
        crate::data::par_fill(out, threads, |i| {
            let (x, tx, tt) = (freq[i], rec[i], t[i]);
            if tx == 0.0
                && let Some(Some(c)) = interpolants.get(x as usize)
            {
                return c.eval((shift + tt).ln()).exp().min(1.0);
            }
            self.p_alive(x, tx, tt)
        });
    }

    /// The interpolants of [`Self::p_alive_into`], indexed by frequency.
    pub(crate) fn p_alive_interpolants(
        &self,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
    ) -> Vec<Option<Chebyshev>> {
        const MAX_X: usize = 1024;
        let Self { r, alpha, s, beta } = *self;
        let mut stats: Vec<(usize, f64, f64)> = Vec::new();
        for ((&x, &tx), &tt) in freq.iter().zip(rec).zip(t) {
            if tx != 0.0 || x >= MAX_X as f64 {
                continue;
            }
            let k = x as usize;
            if stats.len() <= k {
                stats.resize(k + 1, (0, f64::INFINITY, f64::NEG_INFINITY));
            }
            let st = &mut stats[k];
            st.0 += 1;
            st.1 = st.1.min(tt);
            st.2 = st.2.max(tt);
        }
        let shift = alpha.min(beta);
        stats
            .iter()
            .enumerate()
            .map(|(k, &(count, t_min, t_max))| {
                if count < INTERPOLATE_MIN_CUSTOMERS {
                    return None;
                }
                let x = k as f64;
                let h0 = ln_h::<false>(r, alpha, s, beta, x, 0.0);
                let ln_p = |y: f64| {
                    let tt = y.exp() - shift;
                    if tt <= 0.0 {
                        return 0.0;
                    }
                    let (ln_b, _) = bracket_given_h_tx::<false>(r, alpha, s, beta, x, 0.0, tt, h0);
                    (-(r + x) * (alpha + tt).ln() - s * (beta + tt).ln() - ln_b).min(0.0)
                };
                let (lo, hi) = ((shift + t_min).ln(), (shift + t_max).ln());
                let pad = 1e-9 * hi.abs().max(1.0);
                let (lo, hi) = if hi - lo < pad {
                    (lo - pad, hi + pad)
                } else {
                    (lo, hi)
                };
                Chebyshev::fit(ln_p, lo, hi, 1e-13)
            })
            .collect()
    }

    /// Expected repeat purchases in `(T, T + horizon]` given the history.
    pub fn expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.p_alive(x, tx, t) * self.expected_purchases_alive(horizon, x, t)
    }

    /// Expected repeat purchases in the next `horizon` for a customer alive at `T`.
    pub fn expected_purchases_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        (r + x) * (beta + t) / (alpha + t) * lifetime_integral(s, horizon / (beta + t))
    }

    /// Expected repeat purchases in `(0, horizon]` of a customer just acquired.
    pub fn expected_purchases_unconditional(&self, horizon: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        r * beta / alpha * lifetime_integral(s, horizon / beta)
    }

    /// `P(X(horizon) = n)` for a customer just acquired.
    pub fn prob_n_purchases(&self, n: u64, horizon: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let nf = n as f64;
        if horizon <= 0.0 {
            return if n == 0 { 1.0 } else { 0.0 };
        }
        let alive = (ln_nb_pmf(r, alpha, nf, horizon) + s * (beta / (beta + horizon)).ln()).exp();
        // Dropping out at τ in (0, t) after exactly n purchases: ∫ e^φ with
        // φ(τ) = n ln τ − (r+n) ln(α+τ) − (s+1) ln(β+τ), which has one maximum: τ·(α+τ)(β+τ)·φ'
        // is a quadratic with one positive root.
        let phi = |tau: f64| {
            let base = -(r + nf) * (alpha + tau).ln() - (s + 1.0) * (beta + tau).ln();
            if n == 0 { base } else { nf * tau.ln() + base }
        };
        let k2 = r + s + 1.0;
        let b1 = nf * (alpha + beta) - (r + nf) * beta - (s + 1.0) * alpha;
        let root = (b1 + (b1 * b1 + 4.0 * k2 * nf * alpha * beta).sqrt()) / (2.0 * k2);
        let peak = root.clamp(0.0, horizon);
        let d1 = |tau: f64| {
            let lead = if n == 0 { 0.0 } else { nf / tau };
            lead - (r + nf) / (alpha + tau) - (s + 1.0) / (beta + tau)
        };
        let d2 = |tau: f64| {
            let lead = if n == 0 { 0.0 } else { -nf / (tau * tau) };
            lead + (r + nf) / ((alpha + tau) * (alpha + tau))
                + (s + 1.0) / ((beta + tau) * (beta + tau))
        };
        let at = peak.max(1e-300);
        let scale = (1.0 / d1(at).abs())
            .min(1.0 / d2(at).abs().sqrt())
            .min(horizon);
        let top = phi(at);
        let f = |tau: f64| {
            [if tau > 0.0 || n == 0 {
                (phi(tau) - top).exp()
            } else {
                0.0
            }]
        };
        let [left] = integrate_from_peak(f, peak, 0.0, scale, 1e-13);
        let [right] = integrate_from_peak(f, peak, horizon, scale, 1e-13);
        let integral = right - left;
        let ln_front = s.ln() + r * alpha.ln() + s * beta.ln() + ln_gamma(r + nf)
            - ln_gamma(r)
            - ln_gamma(nf + 1.0);
        let dead = if integral > 0.0 {
            (ln_front + top + integral.ln()).exp()
        } else {
            0.0
        };
        (alive + dead).clamp(0.0, 1.0)
    }

    /// Discounted expected residual transactions (FHL 2005b eq. 2) with continuous discount
    /// rate `delta` per time unit.
    pub fn dert(&self, delta: f64, x: f64, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, s, beta } = *self;
        let bt = beta + t;
        self.p_alive(x, tx, t) * (r + x) / (alpha + t)
            * bt
            * upper_gamma_scaled(1.0 - s, delta * bt)
    }
}

/// `[1 − (1 + v)^−(s−1)] / (s−1)`, which is `E[min(lifetime, t)]·μ-scale` in the expectations
/// (with its limit `ln(1 + v)` at `s = 1`).
fn lifetime_integral(s: f64, v: f64) -> f64 {
    let l = v.ln_1p();
    if (s - 1.0).abs() < 1e-12 {
        l
    } else {
        -(-(s - 1.0) * l).exp_m1() / (s - 1.0)
    }
}

/// `G(c; d; w) = Σ_k (c)_k/(d)_k w^k` for `0 <= w < 1`, `d > c > 0`, as `ln G` and, when
/// `GRAD`, the derivatives of `ln G` with respect to `c`, `d` and `w`. `None` when the series
/// does not converge in 20,000 terms.
#[inline]
fn g_series<const GRAD: bool>(c: f64, d: f64, w: f64) -> Option<(f64, [f64; 3])> {
    if w == 0.0 {
        return Some((0.0, [0.0, 0.0, c / d]));
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    let (mut hc, mut hd) = (0.0, 0.0);
    let (mut sc, mut sd, mut sw) = (0.0, 0.0, 0.0);
    // Relative truncation error below 1e-17, for the derivatives (terms weighted by up to k)
    // as well as the value.
    let tail = if GRAD {
        1e-17 * (1.0 - w) * (1.0 - w) / w
    } else {
        1e-17 * (1.0 - w) / w
    };
    let mut k = 0.0;
    for block in 0..5_000 {
        // Four terms per convergence check; one division per term.
        for _ in 0..4 {
            let (ck, dk) = (c + k, d + k);
            if GRAD {
                // 1/(c+k) and 1/(d+k) from one division.
                let inv = 1.0 / (ck * dk);
                term *= ck * ck * inv * w;
                hc += dk * inv;
                hd += ck * inv;
                sc += term * hc;
                sd += term * hd;
                sw += term * (k + 1.0);
            } else {
                term *= ck / dk * w;
            }
            sum += term;
            k += 1.0;
        }
        // The ratios stay below w, so the rest (even weighted by k) is below this bound.
        if term * (if GRAD { k + 1.0 } else { 1.0 }) <= tail * sum {
            return Some((sum.ln(), [sc / sum, -sd / sum, sw / (w * sum)]));
        }
        if block == 4_999 {
            break;
        }
    }
    None
}

/// `ln H(y)` and its derivatives with respect to `(r, α, s, β)`, or `None` where the series
/// is not used.
type LnH = Option<(f64, [f64; 4])>;

/// `ln H(y)` and its derivatives with respect to `(r, α, s, β)`; `None` past [`W_MAX`].
#[inline]
fn ln_h<const GRAD: bool>(
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
    x: f64,
    y: f64,
) -> Option<(f64, [f64; 4])> {
    ln_h_with_logs::<GRAD>(r, alpha, s, beta, x, y, (alpha + y).ln(), (beta + y).ln())
}

/// [`ln_h`] given `ln(α+y)` and `ln(β+y)`.
#[inline]
#[allow(clippy::too_many_arguments)]
fn ln_h_with_logs<const GRAD: bool>(
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
    x: f64,
    y: f64,
    la: f64,
    lb: f64,
) -> Option<(f64, [f64; 4])> {
    let ay = alpha + y;
    let by = beta + y;
    let d = r + s + x + 1.0;
    if alpha >= beta {
        let w = (alpha - beta) / ay;
        if w > W_MAX {
            return None;
        }
        let (lg, [gc, gd, gw]) = g_series::<GRAD>(r + x, d, w)?;
        let v = -(r + x) * la - s * lb + lg;
        if !GRAD {
            return Some((v, [0.0; 4]));
        }
        Some((
            v,
            [
                -la + gc + gd,
                -(r + x) / ay + gw * by / (ay * ay),
                -lb + gd,
                -s / by - gw / ay,
            ],
        ))
    } else {
        let w = (beta - alpha) / by;
        if w > W_MAX {
            return None;
        }
        let (lg, [gc, gd, gw]) = g_series::<GRAD>(s + 1.0, d, w)?;
        let v = -(r + x - 1.0) * la - (s + 1.0) * lb + lg;
        if !GRAD {
            return Some((v, [0.0; 4]));
        }
        Some((
            v,
            [
                -la + gd,
                -(r + x - 1.0) / ay - gw / by,
                -lb + gc + gd,
                -(s + 1.0) / by + gw * ay / (by * by),
            ],
        ))
    }
}

/// `ln B` with `B = (α+T)^−(r+x) (β+T)^−s + s·I`, and (when `GRAD`) its derivatives with respect
/// to `(r, α, s, β)`.
#[inline]
pub(crate) fn ln_bracket<const GRAD: bool>(
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
    x: f64,
    tx: f64,
    t: f64,
) -> (f64, [f64; 4]) {
    let h_tx = if tx < t {
        ln_h::<GRAD>(r, alpha, s, beta, x, tx)
    } else {
        None
    };
    bracket_given_h_tx::<GRAD>(r, alpha, s, beta, x, tx, t, h_tx)
}

/// [`ln_bracket`] with `H(t_x)` already computed (it is shared by every customer with the same
/// `x` and `t_x`, such as all one-time buyers).
#[inline]
#[allow(clippy::too_many_arguments)]
fn bracket_given_h_tx<const GRAD: bool>(
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
    x: f64,
    tx: f64,
    t: f64,
    h_tx: Option<(f64, [f64; 4])>,
) -> (f64, [f64; 4]) {
    let (lat, lbt) = ((alpha + t).ln(), (beta + t).ln());
    let ln_h0 = -(r + x) * lat - s * lbt;
    let dh0 = [-lat, -(r + x) / (alpha + t), -lbt, -s / (beta + t)];
    if tx >= t {
        return (ln_h0, dh0);
    }
    let a = r + s + x;
    // (I, dI) scaled by e^−m, and m.
    let (m, i, di) = match (
        h_tx,
        ln_h_with_logs::<GRAD>(r, alpha, s, beta, x, t, lat, lbt),
    ) {
        (Some((l1, d1)), Some((l2, d2))) => {
            let m = ln_h0.max(l1);
            let e1 = (l1 - m).exp();
            let e2 = (l2 - m).exp();
            let i = ((e1 - e2) / a).max(0.0);
            let mut di = [0.0; 4];
            if GRAD {
                for j in 0..4 {
                    di[j] = (e1 * d1[j] - e2 * d2[j]) / a;
                }
                di[0] -= i / a;
                di[2] -= i / a;
            }
            (m, i, di)
        }
        _ => {
            let (lq, q, dq) = integral_by_quadrature::<GRAD>(r, alpha, s, beta, x, tx, t);
            let m = ln_h0.max(lq);
            let scale = (lq - m).exp();
            (m, q * scale, dq.map(|v| v * scale))
        }
    };
    let e0 = (ln_h0 - m).exp();
    let b = e0 + s * i;
    let ln_b = m + b.ln();
    if !GRAD {
        return (ln_b, [0.0; 4]);
    }
    let mut db = [0.0; 4];
    for j in 0..4 {
        db[j] = (e0 * dh0[j] + s * di[j]) / b;
    }
    db[2] += i / b;
    (ln_b, db)
}

/// `I` and its derivatives by adaptive quadrature, scaled by the integrand at `t_x` (its
/// largest value): returns `(ln scale, I/scale, dI/scale)`.
fn integral_by_quadrature<const GRAD: bool>(
    r: f64,
    alpha: f64,
    s: f64,
    beta: f64,
    x: f64,
    tx: f64,
    t: f64,
) -> (f64, f64, [f64; 4]) {
    let log_f = |y: f64| -(r + x) * (alpha + y).ln() - (s + 1.0) * (beta + y).ln();
    let l0 = log_f(tx);
    // The integrand falls from t_x at the rate |d log f / dy|; for large x that is a spike.
    let rate = (r + x) / (alpha + tx) + (s + 1.0) / (beta + tx);
    let v = integrate_from_peak(
        |y| {
            let f = (log_f(y) - l0).exp();
            if GRAD {
                [
                    f,
                    -f * (alpha + y).ln(),
                    -f * (r + x) / (alpha + y),
                    -f * (beta + y).ln(),
                    -f * (s + 1.0) / (beta + y),
                ]
            } else {
                [f, 0.0, 0.0, 0.0, 0.0]
            }
        },
        tx,
        t,
        1.0 / rate,
        1e-13,
    );
    (l0, v[0], [v[1], v[2], v[3], v[4]])
}

/// The total weighted log-likelihood over compressed (time-scaled) data and its gradient with
/// respect to the log-parameters.
pub(crate) fn ll_grad(data: &Rfm, params: &[f64], grad: &mut [f64], threads: usize) -> f64 {
    let (r, alpha, s, beta) = (params[0], params[1], params[2], params[3]);
    let (lg_r, dg_r) = (ln_gamma(r), digamma(r));
    let (ln_alpha, ln_beta) = (alpha.ln(), beta.ln());
    let mut ll = 0.0;
    let mut g = [0.0; 4];
    for (k, &x) in data.xs.iter().enumerate() {
        let w = data.group_weight[k];
        ll += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + s * ln_beta);
        g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
        g[1] += w * r / alpha;
        g[2] += w * ln_beta;
        g[3] += w * s / beta;
    }
    let parts = par_ranges(data.rows(), threads, |range| {
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        // Rows are sorted by (x, t_x, T): consecutive rows often share H(t_x).
        let mut cached: Option<(u32, f64, LnH)> = None;
        for i in range {
            let group = data.group[i];
            let x = data.xs[group as usize];
            let (tx, t) = (data.tx[i], data.t[i]);
            let h_tx = match cached {
                _ if tx >= t => None,
                Some((g, c_tx, h)) if g == group && c_tx == tx => h,
                _ => {
                    let h = ln_h::<true>(r, alpha, s, beta, x, tx);
                    cached = Some((group, tx, h));
                    h
                }
            };
            let (ln_b, db) = bracket_given_h_tx::<true>(r, alpha, s, beta, x, tx, t, h_tx);
            let w = data.w[i];
            ll += w * ln_b;
            for j in 0..4 {
                g[j] += w * db[j];
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
    grad[2] = g[2] * s;
    grad[3] = g[3] * beta;
    ll
}

/// Starting points in the scaled time unit (largest `T` = 1).
pub(crate) fn starts(data: &Rfm) -> Vec<[f64; 4]> {
    let (mean_x, mean_t) = data.means();
    let rate = (mean_x / mean_t.max(1e-9)).max(1e-3);
    vec![
        [1.0, 1.0 / rate, 1.0, 1.0],
        [0.5, 0.5 / rate, 0.5, 0.5],
        [0.1f64.exp(); 4],
        [2.0, 2.0 / rate, 2.0, 4.0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_customer_log_likelihood_by_hand() {
        // r = α = s = β = 1, x = 1, t_x = 1, T = 2:
        // L = Γ(2)/Γ(1) · [(3)^−2 (3)^−1 + ∫₁² (1+y)^−4 dy] = 1/27 + (1/3)(1/8 − 1/27) = 43/648.
        let m = ParetoNbd::new(1.0, 1.0, 1.0, 1.0).unwrap();
        assert!((m.log_likelihood(1.0, 1.0, 2.0) - (43.0f64 / 648.0).ln()).abs() < 1e-14);
        // α = 2 > β = 1, x = 0, T = 1: L = 2 · [1/(3·2) + ∫₀¹ dy/((2+y)(1+y)²)]
        //   = 2 · [1/6 + ln(3/4) + 1/2] = 4/3 + 2 ln(3/4).
        let m = ParetoNbd::new(1.0, 2.0, 1.0, 1.0).unwrap();
        let want = 4.0 / 3.0 + 2.0 * 0.75f64.ln();
        assert!((m.log_likelihood(0.0, 0.0, 1.0) - want.ln()).abs() < 1e-14);
        // α = 1 < β = 2, x = 0, T = 1: L = 2 · [1/(2·3) + ∫₀¹ dy/((1+y)(2+y)²)]
        //   = 2 · [1/6 + 2 ln 2 − ln 3 − 1/6] = 2 ln(4/3).
        let m = ParetoNbd::new(1.0, 1.0, 1.0, 2.0).unwrap();
        let want = 2.0 * (4.0f64 / 3.0).ln();
        assert!((m.log_likelihood(0.0, 0.0, 1.0) - want.ln()).abs() < 1e-14);
    }

    #[test]
    fn quadrature_resolves_the_spike_of_a_frequent_buyer() {
        // Regression: β is 336 times α, so the integral is done numerically, and with
        // x = 10,000 its integrand is a spike 2e-4 wide at t_x, which a plain Gauss–Kronrod
        // rule over [t_x, T] stepped over (I = 0, log-likelihood −∞). Reference: mpmath at 50
        // digits with the hypergeometric form of I.
        let m = ParetoNbd::new(
            0.121_005_412_387_057_66,
            0.490_378_449_136_149_36,
            3.035_918_904_915_625,
            164.680_587_938_899_83,
        )
        .unwrap();
        let ll = m.log_likelihood(10_000.0, 1.58, 39.0);
        assert!((ll - 74_808.775_527_736_18).abs() < 1e-9 * ll, "{ll}");
        let ll = m.log_likelihood(10_000.0, 3.165_138_921_639_894, 39.0);
        assert!((ll - 69_124.174_756_828_47).abs() < 1e-9 * ll, "{ll}");
        // P(alive) is about 1e-12800: zero in floating point, but never NaN or 1.
        assert_eq!(m.p_alive(10_000.0, 1.58, 39.0), 0.0);
    }

    #[test]
    fn series_and_quadrature_agree() {
        for &(r, alpha, s, beta, x, tx, t) in &[
            (0.55, 10.58, 0.61, 11.67, 3.0, 10.0, 39.0),
            (0.55, 1.0, 0.61, 11.67, 0.0, 0.0, 39.0),
            (2.5, 20.0, 1.3, 3.0, 40.0, 5.0, 30.0),
        ] {
            let (lb, db) = ln_bracket::<true>(r, alpha, s, beta, x, tx, t);
            let (lq, q, dq) = integral_by_quadrature::<true>(r, alpha, s, beta, x, tx, t);
            let lat = (alpha + t).ln();
            let lbt = (beta + t).ln();
            let ln_h0 = -(r + x) * lat - s * lbt;
            let h0 = ln_h0.exp();
            let b = h0 + s * q * lq.exp();
            assert!((lb - b.ln()).abs() < 1e-11, "{lb} vs {}", b.ln());
            let dh0 = [-lat, -(r + x) / (alpha + t), -lbt, -s / (beta + t)];
            for j in 0..4 {
                let mut d = h0 * dh0[j] + s * dq[j] * lq.exp();
                if j == 2 {
                    d += q * lq.exp();
                }
                let want = d / b;
                assert!(
                    (db[j] - want).abs() < 1e-9 * want.abs().max(1e-3),
                    "j={j}: {} vs {want}",
                    db[j]
                );
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let freq = [0.0, 1.0, 3.0, 7.0, 0.0, 25.0, 130.0];
        let rec = [0.0, 2.0, 10.0, 30.0, 0.0, 31.0, 38.0];
        let t = [39.0, 38.0, 30.0, 35.0, 12.0, 32.0, 38.5];
        let data = Rfm::build(&freq, &rec, &t, None).unwrap();
        for lp0 in [
            [0.55f64.ln(), 0.27f64.ln(), 0.61f64.ln(), 0.30f64.ln()],
            [0.55f64.ln(), 0.40f64.ln(), 0.61f64.ln(), 0.10f64.ln()],
            // β fifty times α: the quadrature path for the young customers.
            [0.9f64.ln(), 0.01f64.ln(), 1.4f64.ln(), 0.9f64.ln()],
        ] {
            let p: Vec<f64> = lp0.iter().map(|v| v.exp()).collect();
            let mut g = [0.0; 4];
            ll_grad(&data, &p, &mut g, 1);
            for j in 0..4 {
                let h = 1e-6;
                let f = |l: [f64; 4]| {
                    let q: Vec<f64> = l.iter().map(|v| v.exp()).collect();
                    ll_grad(&data, &q, &mut [0.0; 4], 1)
                };
                let mut up = lp0;
                up[j] += h;
                let mut dn = lp0;
                dn[j] -= h;
                let fd = (f(up) - f(dn)) / (2.0 * h);
                assert!(
                    (fd - g[j]).abs() < 1e-6 * fd.abs().max(1.0),
                    "{lp0:?} j={j}: {fd} vs {}",
                    g[j]
                );
            }
        }
    }

    #[test]
    fn dert_closed_form_equals_discounted_expectation() {
        let m = ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap();
        for &(delta, x, tx, t) in &[
            (0.0015, 2.0, 30.43, 38.86),
            (0.05, 0.0, 0.0, 38.86),
            (0.3, 26.0, 30.86, 31.0),
        ] {
            let closed = m.dert(delta, x, tx, t);
            let numeric = m.p_alive(x, tx, t)
                * crate::bgnbd::discounted_alive(delta, |h| m.expected_purchases_alive(h, x, t));
            assert!(
                (closed - numeric).abs() < 1e-7 * closed,
                "{closed} vs {numeric}"
            );
        }
    }

    #[test]
    fn pmf_sums_to_one() {
        let m = ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap();
        let total: f64 = (0..300).map(|n| m.prob_n_purchases(n, 39.0)).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let mean: f64 = (0..300)
            .map(|n| n as f64 * m.prob_n_purchases(n, 39.0))
            .sum();
        assert!((mean - m.expected_purchases_unconditional(39.0)).abs() < 1e-8);
    }
}
