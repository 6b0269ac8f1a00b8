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

/// A customer's churn risk tier, cut from the model's evaluation (see [`train::Tiers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskTier {
    High,
    Medium,
    Low,
}

impl RiskTier {
    /// Highest risk first.
    pub const ALL: [RiskTier; 3] = [RiskTier::High, RiskTier::Medium, RiskTier::Low];

    /// The tier a stored name (`high`, `medium`, `low`) stands for.
    pub fn parse(name: &str) -> Option<RiskTier> {
        RiskTier::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The name stored in tables and settings: `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::High => "high",
            RiskTier::Medium => "medium",
            RiskTier::Low => "low",
        }
    }
}

impl std::fmt::Display for RiskTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A way of ranking customers by churn risk that an evaluation compares: the model, its
/// baseline, and the two rules of thumb it must beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scorer {
    /// The gradient-boosted trees (the model itself).
    #[serde(rename = "gbt")]
    Trees,
    /// The logistic-regression baseline.
    Logistic,
    /// Days since the last order alone.
    Recency,
    /// 1 − P(alive) of the buy-till-you-die model.
    PAlive,
}

impl Scorer {
    /// The name stored in saved models: `gbt`, `logistic`, `recency`, `p_alive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scorer::Trees => "gbt",
            Scorer::Logistic => "logistic",
            Scorer::Recency => "recency",
            Scorer::PAlive => "p_alive",
        }
    }

    /// What people call it.
    pub fn describe(self) -> &'static str {
        match self {
            Scorer::Trees => "gradient-boosted trees",
            Scorer::Logistic => "logistic regression",
            Scorer::Recency => "recency alone",
            Scorer::PAlive => "1 − P(alive)",
        }
    }
}

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

    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            ChurnError::Features(e) => e.kind(),
            ChurnError::Store(e) => e.kind(),
            ChurnError::Config(_) | ChurnError::NoData(_) => ErrorKind::Invalid,
            ChurnError::Model(_) => ErrorKind::NotFound,
            _ => ErrorKind::Internal,
        }
    }

    /// Whether the user can fix it (exit code 1) rather than a bug or an environment failure.
    pub fn is_user_error(&self) -> bool {
        self.kind().is_user_error()
    }
}

pub type Result<T, E = ChurnError> = std::result::Result<T, E>;
