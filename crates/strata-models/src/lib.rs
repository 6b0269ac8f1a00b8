//! Buy-till-you-die customer-lifetime-value models: slices in, numbers out, no IO.
//!
//! - Transaction models: BG/NBD ([`bgnbd`]), MBG/NBD ([`mbgnbd`]) and Pareto/NBD ([`pareto`]),
//!   fitted by maximum likelihood with [`fit`] / [`fit_weighted`] and used through [`Fit`] or
//!   [`Model`] (`P(alive)`, conditional and unconditional expected purchases, `P(X(t) = n)`,
//!   DERT, bulk predictions).
//! - Spend: the Gamma-Gamma model ([`gamma_gamma`], [`fit_gamma_gamma`]) with its
//!   independence check and fallback.
//! - Value and model choice: [`clv()`] (lifetimes' monthly discounted CLV, with a margin),
//!   log-likelihood/AIC/BIC on every fit, and holdout errors ([`holdout_error`],
//!   [`holdout_error_of`]).
//! - Data: [`summary`] builds `(frequency, recency, T, monetary)` from transactions the way
//!   lifetimes does, with a calibration/holdout split; [`sim`] simulates the models.
//!
//! Every fit compresses customers to unique `(x, t_x, T)` rows with weights, works in a time
//! unit where the largest `T` is 1, minimises the mean negative log-likelihood over the
//! log-parameters with analytic gradients (BFGS with a strong-Wolfe line search, Nelder–Mead
//! fallback, several starting points) and reports standard errors from the Hessian. See
//! [`fit`](mod@fit) for the details and each model module for its formulas and paper.
//!
//! Time is whatever unit the caller's `recency` and `T` are in (days, weeks…); parameters such
//! as `alpha` come back in that unit, and horizons are given in it.
//!
//! *Invariant:* functions are pure and deterministic (simulations take a seed); nothing here
//! reads files, clocks or the environment, and only [`data`]-level loops use threads.
//!
//! ```
//! use strata_models::{fit, FitOptions, ModelKind};
//! // Three customers: (repeat purchases, time of last purchase, age), in weeks.
//! let (x, tx, t) = ([2.0, 0.0, 5.0], [30.4, 0.0, 35.0], [38.9, 38.9, 38.9]);
//! # let (x, tx, t) = (x.repeat(40), tx.repeat(40), t.repeat(40));
//! let f = fit(ModelKind::BgNbd, &x, &tx, &t, &FitOptions::default()).unwrap();
//! let p = f.p_alive(2.0, 30.4, 38.9);
//! assert!((0.0..=1.0).contains(&p));
//! ```

pub mod bgnbd;
pub mod clv;
mod data;
mod error;
pub mod fit;
pub mod gamma_gamma;
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
    independence_check,
};
pub use mbgnbd::MbgNbd;
pub use model::{Model, ModelKind, Predictions};
pub use optimize::Termination;
pub use pareto::ParetoNbd;
pub use summary::{
    CalibrationHoldout, Period, Summary, SummaryOptions, TimeUnit, calibration_and_holdout,
    summarize,
};
