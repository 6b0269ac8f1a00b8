//! Buy-till-you-die customer-lifetime-value models: slices in, numbers out, no IO.
//!
//! # What is here
//!
//! - **Transaction models**: BG/NBD ([`bgnbd`]), MBG/NBD ([`mbgnbd`]) and Pareto/NBD
//!   ([`pareto`]), fitted by maximum likelihood with [`fit()`] / [`fit_weighted`] and used
//!   through [`Fit`] or [`Model`]: `P(alive)`, conditional and unconditional expected
//!   purchases, `P(X(t) = n)`, DERT, and bulk predictions for every customer
//!   ([`Model::predict`], [`Model::dert_all`]). Each model module gives its formulas and paper.
//! - **Spend**: the Gamma-Gamma model ([`gamma_gamma`], [`fit_gamma_gamma`]) with its
//!   frequency–spend independence check (flagged when `|r| > 0.3`) and a documented fallback
//!   ([`GammaGammaFit::expected_spend`]).
//! - **Value and model choice**: [`clv()`] (lifetimes' monthly discounted CLV, with a margin),
//!   log-likelihood, AIC and BIC on every fit, and holdout errors by calibration frequency
//!   ([`holdout_error`], [`holdout_error_of`]).
//! - **Data**: [`summary`] builds `(frequency, recency, T, monetary)` from transactions the
//!   way lifetimes does, with a calibration/holdout split and chrono-free calendar periods;
//!   [`sim`] simulates every model from a seed.
//! - **Classification** ([`classify`]): metrics for scores and probabilities (ROC AUC and
//!   curve, average precision, top-share precision/recall, Brier, log loss, calibration bins,
//!   a precision-target threshold, flag lift) and an L2-penalised logistic-regression
//!   baseline fitted by Newton's method, for the churn model.
//! - **Inference** ([`inference`]): a treated group against a holdout, for rates (Wald
//!   interval, pooled z test, Katz's ratio interval) and means (Welch's t), with cautions when
//!   a group is too small to tell.
//! - **Numerics**: [`special`] (log-gamma, digamma, a stable Gauss hypergeometric function,
//!   incomplete beta and gamma functions, adaptive quadrature), written here so the crate
//!   depends only on `serde` and `thiserror`.
//!
//! # Conventions
//!
//! - Time is whatever unit the caller's `recency` and `T` are in (days, weeks…); `alpha` and
//!   `beta` come back in that unit and horizons are given in it. Frequencies are repeat
//!   purchases (whole numbers), recency is the time of the last purchase since the first.
//! - Input is checked: an invalid value is a [`ModelError`] naming the column, the row (its
//!   position in the slices) and the value. Per-customer methods on the model types trust
//!   their arguments (they are the inner loops); the bulk functions check.
//! - Fits ([`fit`](mod@fit) has the details): customers are compressed to unique
//!   `(x, t_x, T)` rows with weights; time is scaled so the largest `T` is 1; the mean negative
//!   log-likelihood plus an optional L2 penalty (lifetimes' `penalizer_coef`) is minimised over
//!   the log-parameters with analytic gradients, by BFGS with a strong-Wolfe line search
//!   (Nelder–Mead when the line search stalls), from several starting points; `converged` is
//!   true only when the gradient or relative-change criterion was met; standard errors come
//!   from a numerical Hessian of the analytic gradient.
//! - Likelihood loops and bulk predictions run on `threads` worker threads
//!   (`std::thread::scope`; 0 means every core).
//!
//! *Invariant:* functions are pure and deterministic (simulations take a seed); nothing here
//! reads files, clocks or the environment.
//!
//! ```
//! use strata_models::{fit, FitOptions, ModelKind};
//! // Customers as (repeat purchases, time of last purchase, age), in weeks.
//! let (x, tx, t) = ([2.0, 0.0, 5.0], [30.4, 0.0, 35.0], [38.9, 38.9, 38.9]);
//! # let (x, tx, t) = (x.repeat(40), tx.repeat(40), t.repeat(40));
//! let f = fit(ModelKind::BgNbd, &x, &tx, &t, &FitOptions::default()).unwrap();
//! let p = f.p_alive(2.0, 30.4, 38.9);
//! let e = f.expected_purchases(52.0, 2.0, 30.4, 38.9);
//! assert!((0.0..=1.0).contains(&p) && e > 0.0);
//! ```

pub mod bgnbd;
mod chebyshev;
pub mod classify;
pub mod clv;
mod data;
mod error;
pub mod fit;
pub mod gamma_gamma;
pub mod inference;
pub mod mbgnbd;
mod model;
mod optimize;
pub mod pareto;
pub mod sim;
pub mod special;
pub mod summary;

pub use bgnbd::BgNbd;
pub use clv::{
    ClvOptions, FrequencyBin, HoldoutError, clv, clv_one, holdout_error, holdout_error_of,
};
pub use error::{ModelError, Result};
pub use fit::{Fit, FitOptions, fit, fit_gamma_gamma, fit_gamma_gamma_weighted, fit_weighted};
pub use gamma_gamma::{
    GammaGamma, GammaGammaFit, INDEPENDENCE_THRESHOLD, IndependenceCheck, SpendSource,
    independence_check, spend_frequencies,
};
pub use mbgnbd::MbgNbd;
pub use model::{Model, ModelKind, Predictions};
pub use optimize::Termination;
pub use pareto::ParetoNbd;
pub use summary::{
    CalibrationHoldout, Period, Summary, SummaryOptions, TimeUnit, calibration_and_holdout,
    summarize,
};
