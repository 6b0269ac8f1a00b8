//! Churn early warning: who is slipping away, why, and what to do about it.
//!
//! - [`features`]: the model's inputs and the reports' warning signals per customer at a cutoff,
//!   from the customer table computed as of that day plus events, reviews and recent orders.
//! - [`model`]: gradient-boosted trees (the `forust-ml` crate) and a logistic-regression
//!   baseline, fitted on one cutoff and labelled by the following horizon's purchases.
//! - [`train`]: the time split (train on one cutoff, evaluate on a later one the model never
//!   saw) or a customer split (k folds at one cutoff), the evaluation against simple baselines,
//!   and the risk tiers chosen from it. The result is a [`ChurnModel`], saved in the workspace.
//! - [`score`]: a saved model applied at any date, with the top three reasons per customer in
//!   words from the model's own per-feature contributions; [`winback`]: the prioritised list.

pub mod config;
pub mod features;
pub mod model;
pub mod reasons;
pub mod score;
pub mod store;
pub mod train;
pub mod winback;

pub use config::ChurnConfig;
pub use score::{Scores, score};
pub use store::{load_current, save};
pub use train::{ChurnModel, SplitKind, TrainOptions, evaluate, train};

/// Why churn work could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ChurnError {
    #[error(transparent)]
    Features(#[from] strata_features::FeatureError),
    #[error("{0}")]
    Store(#[from] strata_store::StoreError),
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("logistic baseline: {0}")]
    Baseline(#[from] strata_models::ModelError),
    /// A setting or option the user can fix; the message names it.
    #[error("{0}")]
    Config(String),
    /// Not enough data for what was asked.
    #[error("{0}")]
    NoData(String),
    /// No model saved, or a saved model that cannot be used.
    #[error("{0}")]
    Model(String),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ChurnError {
    pub(crate) fn internal(msg: impl Into<String>) -> Self {
        ChurnError::Internal(msg.into())
    }

    /// Whether the user can fix it (exit code 1) rather than a bug or an environment failure.
    pub fn is_user_error(&self) -> bool {
        match self {
            ChurnError::Features(e) => e.is_user_error(),
            ChurnError::Store(e) => e.is_user_error(),
            ChurnError::Config(_) | ChurnError::NoData(_) | ChurnError::Model(_) => true,
            _ => false,
        }
    }
}

pub type Result<T, E = ChurnError> = std::result::Result<T, E>;
