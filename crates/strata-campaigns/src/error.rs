use std::fmt;

/// Why a campaign could not be checked, planned or measured.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Everything wrong with a campaign's settings, found at once.
    #[error("{}", SpecProblems(campaign, problems))]
    Spec {
        campaign: String,
        problems: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

struct SpecProblems<'a>(&'a String, &'a Vec<String>);

impl fmt::Display for SpecProblems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "campaign `{}`:", self.0)?;
        for p in self.1 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl CampaignError {
    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            CampaignError::Spec { .. } | CampaignError::Invalid(_) => ErrorKind::Invalid,
            CampaignError::NotFound(_) => ErrorKind::NotFound,
            CampaignError::DataFusion(_) | CampaignError::Arrow(_) => ErrorKind::Internal,
        }
    }
}

pub type Result<T, E = CampaignError> = std::result::Result<T, E>;
