//! The MBG/NBD model of Batislam, Denizel & Filiztekin (2007), "Empirical validation and
//! comparison of models for customer base analysis", *International Journal of Research in
//! Marketing* 24(3), 201–209, as implemented by lifetimes' `ModifiedBetaGeoFitter` (and
//! BTYDplus' MBG/NBD).
//!
//! It is the BG/NBD model (see [`crate::bgnbd`]) except that a customer may also drop out right
//! after the *first* purchase, so a customer with no repeat purchase is not certainly alive.
//!
//! Likelihood:
//!
//! ```text
//! L = Γ(r+x) α^r / Γ(r) · B(a, b+x+1) / B(a, b) · (α+T)^−(r+x) · [1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)]
//! ```
//!
//! evaluated with the same softplus form and analytic gradient as BG/NBD.
//!
//! Predictions:
//! - `P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))` (Batislam et al., appendix A eq. 5);
//! - `E[X(t) | x, t_x, T] = P(alive) · (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))]`
//!   (Wagner & Hoppe 2008), evaluated like the BG/NBD one;
//! - `E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]`;
//! - `P(X(t) = n) = B(a, b+n+1)/B(a,b) · NB(n) + B(a+1, b+n)/B(a,b) · P(NB ≥ n)` (lifetimes);
//! - DERT in continuous time by quadrature, as for BG/NBD.

use serde::Serialize;

use crate::bgnbd::{check_params, discounted_alive, expected_alive, ln_nb_pmf};
use crate::error::Result;
use crate::special::{beta_inc, ln_beta, ln_gamma_ratio, log1pexp, sigmoid};

/// MBG/NBD parameters in the caller's time unit: `λ ~ Gamma(r, α)`, `p ~ Beta(a, b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MbgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl MbgNbd {
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
        ln_gamma_ratio(r, x) + r * alpha.ln() + ln_gamma_ratio(b, x + 1.0)
            - ln_gamma_ratio(a + b, x + 1.0)
            - (r + x) * (alpha + t).ln()
            + log1pexp(a.ln() - (b + x).ln() + (r + x) * ((alpha + t) / (alpha + tx)).ln())
    }

    /// The probability that the customer is still alive at `T`.
    pub fn p_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let log_odds_dead = a.ln() - (b + x).ln() + (r + x) * ((t - tx) / (alpha + tx)).ln_1p();
        sigmoid(-log_odds_dead)
    }

    /// Expected repeat purchases in `(T, T + horizon]` given the history.
    pub fn expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.p_alive(x, tx, t) * self.expected_purchases_alive(horizon, x, t)
    }

    /// Expected repeat purchases in the next `horizon` for a customer alive at `T`.
    pub fn expected_purchases_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        expected_alive(
            self.r + x,
            self.a,
            self.b + x + 1.0,
            horizon / (self.alpha + t),
        )
    }

    /// Expected repeat purchases in `(0, horizon]` of a customer just acquired.
    pub fn expected_purchases_unconditional(&self, horizon: f64) -> f64 {
        self.b / (self.a + self.b)
            * expected_alive(self.r, self.a, self.b + 1.0, horizon / self.alpha)
    }

    /// `P(X(horizon) = n)` for a customer just acquired.
    pub fn prob_n_purchases(&self, n: u64, horizon: f64) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let nf = n as f64;
        let lb = ln_beta(a, b);
        let first = (ln_beta(a, b + nf + 1.0) - lb + ln_nb_pmf(r, alpha, nf, horizon)).exp();
        let p = horizon / (alpha + horizon);
        let tail = if n == 0 { 1.0 } else { beta_inc(nf, r, p) };
        let second = (ln_beta(a + 1.0, b + nf) - lb).exp() * tail;
        (first + second).clamp(0.0, 1.0)
    }

    /// Discounted expected residual transactions, continuous discount rate `delta` per time
    /// unit: `δ ∫₀^∞ e^(−δt) E[X(t) | x, t_x, T] dt`.
    pub fn dert(&self, delta: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.p_alive(x, tx, t) * discounted_alive(delta, |h| self.expected_purchases_alive(h, x, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_customer_log_likelihood_by_hand() {
        // r = α = a = b = 1, x = 1, t_x = 1, T = 2:
        // L = 1 · B(1,3)/B(1,1) · (1/3)² · [1 + (1/2)·(3/2)²] = (1/3)(1/9)(17/8) = 17/216.
        let m = MbgNbd::new(1.0, 1.0, 1.0, 1.0).unwrap();
        assert!((m.log_likelihood(1.0, 1.0, 2.0) - (17.0f64 / 216.0).ln()).abs() < 1e-14);
        // x = 0, T = 2: L = B(1,2)/B(1,1) · (1/3) · [1 + 1·3] = (1/2)(1/3)(4) = 2/3.
        assert!((m.log_likelihood(0.0, 0.0, 2.0) - (2.0f64 / 3.0).ln()).abs() < 1e-14);
    }

    #[test]
    fn new_customer_is_alive_with_probability_b_over_a_plus_b() {
        let m = MbgNbd::new(0.525, 6.183, 0.891, 1.614).unwrap();
        assert!((m.p_alive(0.0, 0.0, 0.0) - 1.614 / (0.891 + 1.614)).abs() < 1e-15);
        let total: f64 = (0..400).map(|n| m.prob_n_purchases(n, 39.0)).sum();
        assert!((total - 1.0).abs() < 1e-10, "{total}");
    }
}
