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
    /// The workspace changed under the analysis; running it again will do.
    #[error("{0}")]
    Changed(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl FeatureError {
    pub(crate) fn internal(msg: impl Into<String>) -> Self {
        FeatureError::Internal(msg.into())
    }

    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            FeatureError::Store(e) => e.kind(),
            FeatureError::Config(_) => ErrorKind::Invalid,
            FeatureError::NoData(_) => ErrorKind::NotFound,
            FeatureError::Changed(_) => ErrorKind::Conflict,
            _ => ErrorKind::Internal,
        }
    }

    /// Whether the user can fix it (exit code 1) rather than a bug or an environment failure.
    pub fn is_user_error(&self) -> bool {
        self.kind().is_user_error()
    }
}
