//! One error type for every operation of the layer, sorted by [`ErrorKind`]: the command line
//! maps kinds to exit codes and the server to HTTP statuses, so neither keeps a list of the
//! domain crates' errors. Messages speak of the problem in the user's terms, never of a front
//! end's flags; a front end may add its own hint.

use std::path::PathBuf;

use datafusion::error::DataFusionError;
pub use strata_store::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] strata_store::StoreError),
    #[error(transparent)]
    Import(#[from] strata_import::ImportError),
    #[error(transparent)]
    Features(#[from] strata_features::FeatureError),
    #[error(transparent)]
    Churn(#[from] strata_churn::ChurnError),
    #[error(transparent)]
    Behaviour(#[from] strata_behaviour::BehaviourError),
    #[error(transparent)]
    Report(#[from] strata_report::ReportError),
    #[error(transparent)]
    Demo(#[from] strata_demo::DemoError),
    /// A lifetime-value model on a user's file: its problems are the file's.
    #[error(transparent)]
    Model(#[from] strata_models::ModelError),
    /// SQL the user wrote, or a query of ours.
    #[error(transparent)]
    Query(DataFusionError),
    /// A query that failed on its values: a literal or a cast that does not parse, a division
    /// by zero. The SQL's to fix; the message is the cause without the engine's wrappers.
    #[error("in the query: {0}")]
    QueryValue(String),
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("{path}: invalid settings: {source}", path = .path.display())]
    Settings {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    /// The request or the input is wrong; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// Something asked for is not there.
    #[error("{0}")]
    NotFound(String),
    /// Something an operation needs that the workspace does not have yet.
    #[error("{}", .0.message())]
    Missing(Missing),
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// What was being done when `source` happened.
    #[error("{context}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<DataFusionError> for Error {
    fn from(e: DataFusionError) -> Self {
        match value_error(&e) {
            Some(message) => Error::QueryValue(message),
            None => Error::Query(e),
        }
    }
}

/// What went wrong when a query failed on a value it was given (an invalid date literal, a
/// cast of text that is not a number, a division by zero), in words, without the engine's
/// wrappers ("Optimizer rule 'simplify_expressions' failed"). `None` for other failures.
fn value_error(e: &DataFusionError) -> Option<String> {
    match e {
        DataFusionError::Context(_, inner) | DataFusionError::Diagnostic(_, inner) => {
            value_error(inner)
        }
        DataFusionError::Shared(inner) => value_error(inner),
        DataFusionError::ArrowError(a, _) => arrow_value_error(a),
        DataFusionError::External(x) => x
            .downcast_ref::<arrow::error::ArrowError>()
            .and_then(arrow_value_error)
            .or_else(|| x.downcast_ref::<DataFusionError>().and_then(value_error)),
        _ => None,
    }
}

fn arrow_value_error(e: &arrow::error::ArrowError) -> Option<String> {
    use arrow::error::ArrowError as A;
    const TIMES: &str = "dates are written '2026-10-01' and times '2026-10-01 12:30:00'";
    Some(match e {
        A::DivideByZero => "division by zero (NULLIF(divisor, 0) gives NULL instead)".into(),
        A::ArithmeticOverflow(m) => format!("{}: the result is too large", lower_first(m)),
        A::CastError(m) if m.contains("Date") || m.contains("Timestamp") => {
            format!("{}; {TIMES}", lower_first(m))
        }
        A::CastError(m) => lower_first(m),
        A::ParseError(m) if m.contains("date") || m.contains("timestamp") => {
            format!("{}; {TIMES}", lower_first(m))
        }
        A::ParseError(m) => lower_first(m),
        _ => return None,
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a workspace may not have yet, so that each front end can say how to get it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    ChurnModel,
    Events,
    CustomerTable,
}

impl Missing {
    pub fn message(self) -> &'static str {
        match self {
            Missing::ChurnModel => "the workspace has no churn model yet; train one first",
            Missing::Events => "the workspace has no events; import them first",
            Missing::CustomerTable => "the workspace has no customer table; analyse it first",
        }
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Store(e) => e.kind(),
            Error::Import(e) => e.kind(),
            Error::Features(e) => e.kind(),
            Error::Churn(e) => e.kind(),
            Error::Behaviour(e) => e.kind(),
            Error::Demo(e) => match e {
                strata_demo::DemoError::InvalidConfig(_) => ErrorKind::Invalid,
                _ => ErrorKind::Internal,
            },
            Error::Model(_) | Error::Settings { .. } | Error::Invalid(_) | Error::QueryValue(_) => {
                ErrorKind::Invalid
            }
            Error::Query(e) if is_user_sql_error(e) => ErrorKind::Invalid,
            Error::NotFound(_) | Error::Missing(_) => ErrorKind::NotFound,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            Error::Context { source, .. } => source.kind(),
            Error::Report(_)
            | Error::Query(_)
            | Error::Arrow(_)
            | Error::Io { .. }
            | Error::Internal(_) => ErrorKind::Internal,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }

    /// Says what was being done when this happened.
    pub fn context(self, context: impl Into<String>) -> Self {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// The error below any context.
    pub fn root(&self) -> &Error {
        match self {
            Error::Context { source, .. } => source.root(),
            other => other,
        }
    }

    /// Whether a reader went away (`strata query … | head`): not a failure worth reporting.
    pub fn is_broken_pipe(&self) -> bool {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cur {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return true;
            }
            if let Some(c) = e.downcast_ref::<csv::Error>()
                && matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return true;
            }
            cur = e.source();
        }
        false
    }
}

/// An IO error with the file it happened on.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}

/// Whether a DataFusion error is the SQL's fault (syntax, unknown table or column, types)
/// rather than a failure while running it.
pub fn is_user_sql_error(e: &DataFusionError) -> bool {
    match e {
        DataFusionError::SQL(..)
        | DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_) => true,
        DataFusionError::Context(_, inner) => is_user_sql_error(inner),
        DataFusionError::Diagnostic(_, inner) => is_user_sql_error(inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_domain_errors_through_any_context() {
        let locked = Error::from(strata_store::StoreError::Locked {
            path: "ws".into(),
            holder: String::new(),
        })
        .context("importing orders");
        assert_eq!(locked.kind(), ErrorKind::Conflict);
        assert_eq!(locked.to_string(), "importing orders");
        let sql = Error::from(DataFusionError::Plan("table 'x' not found".into()));
        assert_eq!(sql.kind(), ErrorKind::Invalid);
        let exec = Error::from(DataFusionError::Execution("out of memory".into()));
        assert_eq!(exec.kind(), ErrorKind::Internal);
        let no_model = Error::from(strata_churn::ChurnError::Model("no model".into()));
        assert_eq!(no_model.kind(), ErrorKind::NotFound);
        let missing = io("a.csv")(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        let pipe = io("-")(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).context("x");
        assert!(pipe.is_broken_pipe());
    }

    /// Issue 14: a query failing on its own values exited 2, as if Strata had broken, with the
    /// optimiser's wrapper in the message.
    #[test]
    fn a_query_failing_on_its_values_is_the_users_to_fix() {
        use arrow::error::ArrowError;
        let bad_date = DataFusionError::Context(
            "Optimizer rule 'simplify_expressions' failed".into(),
            Box::new(DataFusionError::ArrowError(
                Box::new(ArrowError::CastError(
                    "Cannot cast string '2026-13-01' to value of Date32 type".into(),
                )),
                None,
            )),
        );
        let e = Error::from(bad_date);
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert_eq!(
            e.to_string(),
            "in the query: cannot cast string '2026-13-01' to value of Date32 type; dates are written '2026-10-01' and times '2026-10-01 12:30:00'"
        );
        let zero = Error::from(DataFusionError::ArrowError(
            Box::new(ArrowError::DivideByZero),
            None,
        ));
        assert_eq!(zero.kind(), ErrorKind::Invalid);
        assert!(zero.to_string().contains("division by zero"), "{zero}");
        // A failure that is not about a value stays internal.
        let io = Error::from(DataFusionError::ArrowError(
            Box::new(ArrowError::IoError(
                "disk".into(),
                std::io::Error::other("disk"),
            )),
            None,
        ));
        assert_eq!(io.kind(), ErrorKind::Internal);
    }
}
