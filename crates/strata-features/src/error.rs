use thiserror::Error;

pub type Result<T, E = FeatureError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum FeatureError {
    #[error("{0}")]
    Store(#[from] strata_store::StoreError),
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A setting the user can fix; the message names it.
    #[error("{0}")]
    Config(String),
    /// Nothing to analyse.
    #[error("{0}")]
    NoData(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl FeatureError {
    pub(crate) fn internal(msg: impl Into<String>) -> Self {
        FeatureError::Internal(msg.into())
    }

    /// Whether the user can fix it (exit code 1) rather than a bug or an environment failure.
    pub fn is_user_error(&self) -> bool {
        match self {
            FeatureError::Store(e) => e.is_user_error(),
            FeatureError::Config(_) | FeatureError::NoData(_) => true,
            _ => false,
        }
    }
}
