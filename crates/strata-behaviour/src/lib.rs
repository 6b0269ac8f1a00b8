//! Behaviour analytics: where visitors and customers drop out, how cohorts come back, which
//! channels and behaviours go with buying.
//!
//! - [`steps`]: funnel steps from names (`home`, `cart`, `paid`, `event:video_view`) to
//!   DataFusion predicates over `events`.
//! - [`funnel`]: ordered funnels with a conversion window, relaxed or strict order, per customer
//!   or per session, broken down by an event column (first touch) or a customer column, with the
//!   median time between steps and the list of who dropped at a step.
//! - [`retention`]: cohorts by first purchase or first visit, the share active in each later
//!   period (the triangle), and repurchase within 30/90/365 days.
//! - [`paths`]: the most common steps just before and after an event, within sessions.
//! - [`stream`]: the ordered scan these share: one pass over the events in stored order with a
//!   small state per customer or session, and a second pass, sorted, for the few whose events
//!   were not stored in time order.

mod by;
pub mod channels;
pub mod funnel;
pub mod paths;
pub mod retention;
pub mod sql;
pub mod steps;
pub mod stream;

/// Why a behaviour analysis could not be done.
#[derive(Debug, thiserror::Error)]
pub enum BehaviourError {
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// A step, window, column or date the user can fix; the message names it.
    #[error("{0}")]
    Invalid(String),
    /// The workspace lacks the data the analysis needs.
    #[error("{0}")]
    NoData(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl BehaviourError {
    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            BehaviourError::Invalid(_) => ErrorKind::Invalid,
            BehaviourError::NoData(_) => ErrorKind::NotFound,
            _ => ErrorKind::Internal,
        }
    }

    /// Whether the user can fix it (exit code 1) rather than a bug or an environment failure.
    pub fn is_user_error(&self) -> bool {
        self.kind().is_user_error()
    }
}

pub type Result<T, E = BehaviourError> = std::result::Result<T, E>;
