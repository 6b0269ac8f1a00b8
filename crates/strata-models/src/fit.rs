//! Maximum-likelihood fitting shared by every model.
//!
//! The objective is lifetimes': the mean negative log-likelihood per customer plus
//! `penalty · Σ θ²` over the parameters θ, minimised over `ln θ` (so parameters stay positive)
//! in a time unit where the largest `T` is 1. Working per customer keeps the tolerance
//! meaningful for any data size; scaling time keeps `α` and `β` of order one (and makes a
//! lifetimes `penalizer_coef` mean the same here). The gradient of every model's likelihood
//! is analytic (see the model modules); the reported log-likelihood is converted back to the
//! caller's time unit.
//!
//! The optimiser is BFGS on the inverse Hessian with a strong-Wolfe line search (Nocedal &
//! Wright, algorithms 3.5/3.6 and 6.1). Near the optimum, function values differ by less than
//! their rounding, so the line search also accepts Hager & Zhang's approximate Wolfe
//! conditions and decides on the slope's sign there. When the line search stalls, Nelder–Mead
//! takes over and BFGS is run again from its end. A run is `converged` only when the largest
//! gradient component is below [`FitOptions::tol`], or when both the objective (1e-14
//! relative) and the step (1e-10) stopped changing; anything else is reported as such
//! ([`crate::Termination`]).
//!
//! The search: each starting point (built-in ones derived from the data's purchase rate, plus
//! [`FitOptions::initial`]) is run on at most [`START_ROWS`] unique rows — a systematic sample
//! of the compressed data when it is larger — the best end point (highest likelihood) is kept,
//! and BFGS continues from it on all rows with the sample's inverse Hessian, which usually
//! needs only a few iterations. Standard errors come from a numerical Hessian (forward
//! differences of the analytic gradient) of the objective at the optimum:
//! `Var(ln θ) = H⁻¹ / N`, `se(θ) = θ·sqrt(Var(ln θ))` (the delta method, as lifetimes does);
//! they are `None` when that Hessian is not positive definite.

use serde::Serialize;

use crate::data::{Rfm, check_rfm, check_weights, resolve_threads};
use crate::error::{ModelError, Result};
use crate::gamma_gamma::{GammaGamma, GammaGammaFit, Spend, independence_check};
use crate::model::{Model, ModelKind};
use crate::optimize::{self, Objective, Settings, Termination};

/// Starting points are explored on at most this many unique rows.
pub const START_ROWS: usize = 20_000;

/// How to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// L2 penalty `penalty · Σ θ²` added to the mean negative log-likelihood (lifetimes'
    /// `penalizer_coef`; the time parameters are taken in the unit where the largest `T` is 1,
    /// as lifetimes does). 0 for plain maximum likelihood.
    pub penalty: f64,
    /// Iterations per optimiser run.
    pub max_iter: usize,
    /// Convergence when every component of the gradient of the objective (mean negative
    /// log-likelihood per customer, with respect to the log-parameters) is below this.
    pub tol: f64,
    /// Worker threads for the likelihood loops; 0 uses every core.
    pub threads: usize,
    /// How many of the built-in starting points to try (at least 1); the best is kept.
    pub starts: usize,
    /// An extra starting point in the caller's units (tried first), e.g. a previous fit.
    pub initial: Option<Vec<f64>>,
    /// Compute standard errors (a few extra likelihood evaluations on all rows).
    pub std_errors: bool,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            penalty: 0.0,
            max_iter: 500,
            tol: 1e-9,
            threads: 0,
            starts: 3,
            initial: None,
            std_errors: true,
        }
    }
}

impl FitOptions {
    fn check(&self) -> Result<()> {
        if !(self.penalty.is_finite() && self.penalty >= 0.0) {
            return Err(ModelError::InvalidOption {
                name: "penalty",
                value: self.penalty,
                expected: "a finite number >= 0",
            });
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ModelError::InvalidOption {
                name: "tol",
                value: self.tol,
                expected: "a finite number > 0",
            });
        }
        Ok(())
    }
}

/// A fitted BG/NBD, MBG/NBD or Pareto/NBD model with its diagnostics. The prediction methods
/// ([`Fit::p_alive`] and the rest) delegate to [`Fit::model`].
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    pub kind: ModelKind,
    /// The fitted parameters, in the caller's time unit.
    pub model: Model,
    /// `(name, value)` pairs, e.g. `r, alpha, a, b`.
    pub params: Vec<(&'static str, f64)>,
    /// Standard errors in the order of `params`; `None` when not asked for or when the Hessian
    /// is not positive definite at the optimum (a flat or degenerate likelihood).
    pub std_errors: Option<Vec<f64>>,
    /// Log-likelihood at the optimum (without the penalty), in the caller's time unit.
    pub log_likelihood: f64,
    /// `2k − 2 LL`.
    pub aic: f64,
    /// `k ln N − 2 LL`.
    pub bic: f64,
    /// Customers fitted (sum of weights).
    pub n: f64,
    /// Unique `(x, t_x, T)` rows the likelihood was evaluated on.
    pub unique_rows: usize,
    pub penalty: f64,
    /// Optimiser iterations over all runs (starting points included).
    pub iterations: usize,
    /// Likelihood evaluations over all runs.
    pub evaluations: usize,
    /// Starting points tried.
    pub starts: usize,
    /// True only when the final run met the gradient or relative-change criterion.
    pub converged: bool,
    pub termination: Termination,
}

impl Fit {
    pub fn p_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        self.model.p_alive(x, tx, t)
    }
    /// Expected repeat purchases in `(T, T + horizon]` given the history.
    pub fn expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.model.expected_purchases(horizon, x, tx, t)
    }
    /// Expected repeat purchases in `(0, horizon]` of a new customer.
    pub fn expected_purchases_unconditional(&self, horizon: f64) -> f64 {
        self.model.expected_purchases_unconditional(horizon)
    }
    /// `P(X(horizon) = n)` for a new customer.
    pub fn prob_n_purchases(&self, n: u64, horizon: f64) -> f64 {
        self.model.prob_n_purchases(n, horizon)
    }
    /// Discounted expected residual transactions (continuous discount rate per time unit).
    pub fn dert(&self, delta: f64, x: f64, tx: f64, t: f64) -> f64 {
        self.model.dert(delta, x, tx, t)
    }
    /// `P(alive)` and expected purchases over `horizon` for every customer
    /// ([`Model::predict`]).
    pub fn predict(
        &self,
        horizon: f64,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
        threads: usize,
    ) -> Result<crate::Predictions> {
        self.model.predict(horizon, freq, rec, t, threads)
    }
    /// DERT for every customer ([`Model::dert_all`]).
    pub fn dert_all(
        &self,
        delta: f64,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
        threads: usize,
    ) -> Result<Vec<f64>> {
        self.model.dert_all(delta, freq, rec, t, threads)
    }
    /// The log-likelihood of one customer under the fitted parameters.
    pub fn log_likelihood_of(&self, x: f64, tx: f64, t: f64) -> f64 {
        self.model.log_likelihood(x, tx, t)
    }
}

/// Fits a transaction model to one row per customer.
pub fn fit(
    kind: ModelKind,
    freq: &[f64],
    rec: &[f64],
    t: &[f64],
    opts: &FitOptions,
) -> Result<Fit> {
    fit_impl(kind, freq, rec, t, None, opts)
}

/// Fits a transaction model to rows that each stand for `weights[i]` customers with the same
/// history (Fader & Hardie's aggregated form).
pub fn fit_weighted(
    kind: ModelKind,
    freq: &[f64],
    rec: &[f64],
    t: &[f64],
    weights: &[f64],
    opts: &FitOptions,
) -> Result<Fit> {
    fit_impl(kind, freq, rec, t, Some(weights), opts)
}

fn fit_impl(
    kind: ModelKind,
    freq: &[f64],
    rec: &[f64],
    t: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<Fit> {
    opts.check()?;
    let n = check_rfm(freq, rec, t)?;
    if let Some(w) = weights {
        check_weights(w, n)?;
    }
    let data = Rfm::build(freq, rec, t, weights)?;
    let threads = resolve_threads(opts.threads);
    let unit = data.time_unit;
    // Parameters measured in time units: α (index 1) for every model, β (3) for Pareto/NBD.
    let time_params: &[usize] = match kind {
        ModelKind::ParetoNbd => &[1, 3],
        _ => &[1],
    };
    let to_scaled = |p: &[f64]| -> Vec<f64> {
        let mut q = p.to_vec();
        for &i in time_params {
            q[i] /= unit;
        }
        q
    };
    let mut starts: Vec<Vec<f64>> = Vec::new();
    if let Some(init) = &opts.initial {
        Model::from_params(kind, init)?;
        starts.push(to_scaled(init));
    }
    let builtin: Vec<[f64; 4]> = match kind {
        ModelKind::BgNbd | ModelKind::MbgNbd => crate::bgnbd::starts(&data),
        ModelKind::ParetoNbd => crate::pareto::starts(&data),
    };
    starts.extend(builtin.iter().take(opts.starts.max(1)).map(|s| s.to_vec()));
    let ll_fn = move |d: &Rfm, p: &[f64], g: &mut [f64]| -> f64 {
        match kind {
            ModelKind::BgNbd => crate::bgnbd::ll_grad(d, p, g, threads, false),
            ModelKind::MbgNbd => crate::bgnbd::ll_grad(d, p, g, threads, true),
            ModelKind::ParetoNbd => crate::pareto::ll_grad(d, p, g, threads),
        }
    };
    let sol = solve(
        &data,
        &ll_fn,
        &starts,
        opts,
        kind.name(),
        Rfm::rows,
        |d, k| d.subsample(k),
    )?;
    let mut params = sol.params.clone();
    for &i in time_params {
        params[i] *= unit;
    }
    let model = Model::from_params(kind, &params)?;
    // Back to the caller's time unit: the density of x purchase times scales by unit^−x.
    let sum_wx: f64 = (0..data.rows())
        .map(|i| data.w[i] * data.xs[data.group[i] as usize])
        .sum();
    let log_likelihood = sol.ll - sum_wx * unit.ln();
    let k = params.len() as f64;
    let names = kind.param_names();
    Ok(Fit {
        kind,
        model,
        params: names.iter().copied().zip(params.iter().copied()).collect(),
        std_errors: sol
            .cov_log
            .map(|c| (0..params.len()).map(|i| params[i] * c[i].sqrt()).collect()),
        log_likelihood,
        aic: 2.0 * k - 2.0 * log_likelihood,
        bic: k * data.total_weight.ln() - 2.0 * log_likelihood,
        n: data.total_weight,
        unique_rows: data.rows(),
        penalty: opts.penalty,
        iterations: sol.iterations,
        evaluations: sol.evaluations,
        starts: sol.starts,
        converged: sol.termination.converged(),
        termination: sol.termination,
    })
}

/// Fits the Gamma-Gamma spend model to repeat customers (`frequency > 0`; others are skipped).
/// `monetary` is each customer's mean repeat-purchase value.
pub fn fit_gamma_gamma(freq: &[f64], monetary: &[f64], opts: &FitOptions) -> Result<GammaGammaFit> {
    fit_gamma_gamma_impl(freq, monetary, None, opts)
}

/// [`fit_gamma_gamma`] on rows that each stand for `weights[i]` customers.
pub fn fit_gamma_gamma_weighted(
    freq: &[f64],
    monetary: &[f64],
    weights: &[f64],
    opts: &FitOptions,
) -> Result<GammaGammaFit> {
    fit_gamma_gamma_impl(freq, monetary, Some(weights), opts)
}

fn fit_gamma_gamma_impl(
    freq: &[f64],
    monetary: &[f64],
    weights: Option<&[f64]>,
    opts: &FitOptions,
) -> Result<GammaGammaFit> {
    opts.check()?;
    let data = Spend::build(freq, monetary, weights)?;
    let independence = independence_check(freq, monetary)?;
    let threads = resolve_threads(opts.threads);
    let mut starts: Vec<Vec<f64>> = Vec::new();
    if let Some(init) = &opts.initial {
        GammaGamma::new(
            init.first().copied().unwrap_or(f64::NAN),
            init.get(1).copied().unwrap_or(f64::NAN),
            init.get(2).copied().unwrap_or(f64::NAN),
        )?;
        starts.push(init.clone());
    }
    starts.extend(
        crate::gamma_gamma::starts(&data)
            .iter()
            .take(opts.starts.max(1))
            .map(|s| s.to_vec()),
    );
    let ll_fn =
        move |d: &Spend, p: &[f64], g: &mut [f64]| crate::gamma_gamma::ll_grad(d, p, g, threads);
    let sol = solve(
        &data,
        &ll_fn,
        &starts,
        opts,
        "Gamma-Gamma",
        Spend::rows,
        |d, k| d.subsample(k),
    )?;
    let p = &sol.params;
    let model = GammaGamma::new(p[0], p[1], p[2])?;
    let ll = sol.ll;
    Ok(GammaGammaFit {
        model,
        params: GammaGamma::PARAM_NAMES
            .iter()
            .copied()
            .zip(p.iter().copied())
            .collect(),
        std_errors: sol
            .cov_log
            .map(|c| (0..3).map(|i| p[i] * c[i].sqrt()).collect()),
        log_likelihood: ll,
        aic: 6.0 - 2.0 * ll,
        bic: 3.0 * data.total_weight.ln() - 2.0 * ll,
        n: data.total_weight,
        unique_rows: data.rows(),
        penalty: opts.penalty,
        iterations: sol.iterations,
        evaluations: sol.evaluations,
        converged: sol.termination.converged(),
        termination: sol.termination,
        independence,
        fallback_population_mean: data.mean_transaction_value(),
    })
}

/// The outcome of [`solve`], in the scaled unit.
struct Solution {
    params: Vec<f64>,
    /// Total log-likelihood (scaled unit, no penalty).
    ll: f64,
    /// Diagonal of the covariance of the log-parameters.
    cov_log: Option<Vec<f64>>,
    iterations: usize,
    evaluations: usize,
    starts: usize,
    termination: Termination,
}

/// A data set's total log-likelihood at natural parameters, writing its gradient with respect
/// to the log-parameters.
type LogLikelihood<D> = dyn Fn(&D, &[f64], &mut [f64]) -> f64 + Sync;

/// The penalised mean negative log-likelihood over the log-parameters.
struct MeanNll<'a, D> {
    data: &'a D,
    ll: &'a LogLikelihood<D>,
    weight: f64,
    penalty: f64,
    params: Vec<f64>,
    grad: Vec<f64>,
}

impl<D> Objective for MeanNll<'_, D> {
    fn eval(&mut self, theta: &[f64], g: &mut [f64]) -> f64 {
        for (p, t) in self.params.iter_mut().zip(theta) {
            *p = t.exp();
        }
        if self.params.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
            return f64::NAN;
        }
        let ll = (self.ll)(self.data, &self.params, &mut self.grad);
        if !ll.is_finite() || self.grad.iter().any(|v| !v.is_finite()) {
            return f64::NAN;
        }
        let mut f = -ll / self.weight;
        for ((gi, p), dll) in g.iter_mut().zip(&self.params).zip(&self.grad) {
            let p2 = p * p;
            f += self.penalty * p2;
            *gi = -dll / self.weight + 2.0 * self.penalty * p2;
        }
        f
    }
}

fn mean_nll<'a, D: WeightOf>(
    data: &'a D,
    ll: &'a LogLikelihood<D>,
    penalty: f64,
    n_params: usize,
) -> MeanNll<'a, D> {
    MeanNll {
        data,
        ll,
        weight: data.total_weight(),
        penalty,
        params: vec![0.0; n_params],
        grad: vec![0.0; n_params],
    }
}

fn solve<D>(
    data: &D,
    ll: &LogLikelihood<D>,
    starts: &[Vec<f64>],
    opts: &FitOptions,
    model_name: &'static str,
    rows: impl Fn(&D) -> usize,
    subsample: impl Fn(&D, usize) -> D,
) -> Result<Solution>
where
    D: WeightOf + Sync,
{
    let n_params = starts[0].len();
    let settings = Settings {
        max_iter: opts.max_iter,
        gtol: opts.tol,
        max_step: 5.0,
    };
    let sample = (rows(data) > START_ROWS).then(|| subsample(data, START_ROWS));
    let explore: &D = sample.as_ref().unwrap_or(data);
    let objective = |d| mean_nll(d, ll, opts.penalty, n_params);
    let mut iterations = 0;
    let mut evaluations = 0;
    let mut best: Option<optimize::Outcome> = None;
    for start in starts {
        let x0: Vec<f64> = start.iter().map(|v| v.ln()).collect();
        let mut obj = objective(explore);
        let out = optimize::minimize(&mut obj, &x0, None, &settings);
        iterations += out.iterations;
        evaluations += out.evaluations;
        if out.f.is_finite() && best.as_ref().is_none_or(|b| out.f < b.f) {
            best = Some(out);
        }
    }
    let Some(mut best) = best else {
        return Err(ModelError::NotFittable { model: model_name });
    };
    let mut full = objective(data);
    if sample.is_some() {
        let out = optimize::minimize(&mut full, &best.x, Some(&best.inv_hessian), &settings);
        iterations += out.iterations;
        evaluations += out.evaluations;
        if out.f.is_finite() {
            best = out;
        } else {
            // Re-evaluate the sample optimum on all rows so the reported values are honest.
            let mut g = vec![0.0; n_params];
            let f = full.eval(&best.x, &mut g);
            evaluations += 1;
            if !f.is_finite() {
                return Err(ModelError::NotFittable { model: model_name });
            }
            best.f = f;
            best.g = g;
            best.termination = if optimize_converged(&best.g, opts.tol) {
                Termination::GradientNorm
            } else {
                Termination::LineSearchFailed
            };
        }
    }
    let params: Vec<f64> = best.x.iter().map(|v| v.exp()).collect();
    let penalty_term: f64 = params.iter().map(|p| opts.penalty * p * p).sum();
    let weight = data.total_weight();
    let ll_total = -(best.f - penalty_term) * weight;
    let cov_log = if opts.std_errors {
        let h = optimize::hessian(&mut full, &best.x, &best.g);
        evaluations += n_params;
        optimize::inverse_spd(&h, n_params)
            .map(|inv| {
                (0..n_params)
                    .map(|i| inv[i * n_params + i] / weight)
                    .collect::<Vec<f64>>()
            })
            .filter(|d| d.iter().all(|v| v.is_finite() && *v >= 0.0))
    } else {
        None
    };
    Ok(Solution {
        params,
        ll: ll_total,
        cov_log,
        iterations,
        evaluations,
        starts: starts.len(),
        termination: best.termination,
    })
}

fn optimize_converged(g: &[f64], tol: f64) -> bool {
    g.iter().all(|v| v.abs() <= tol)
}

/// Data sets know their total weight (customers).
trait WeightOf {
    fn total_weight(&self) -> f64;
}

impl WeightOf for Rfm {
    fn total_weight(&self) -> f64 {
        self.total_weight
    }
}

impl WeightOf for Spend {
    fn total_weight(&self) -> f64 {
        self.total_weight
    }
}
