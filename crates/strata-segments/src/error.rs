use std::fmt;

use crate::ast::Span;

/// One thing wrong with a rule, at a place in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line and column (in characters) of the start of what is wrong.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Problem {
    pub fn at(text: &str, span: Span, message: impl Into<String>) -> Problem {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Problem {
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Everything wrong with a rule, found at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub rule: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule \"{}\":", self.rule)?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("{0}")]
    Rule(RuleError),
    /// A segment that (through others) uses itself.
    #[error("segment `{name}` would use itself: {path}")]
    Cycle { name: String, path: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("query failed: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("{0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

impl SegmentError {
    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            SegmentError::Rule(_) | SegmentError::Cycle { .. } | SegmentError::Invalid(_) => {
                ErrorKind::Invalid
            }
            SegmentError::NotFound(_) => ErrorKind::NotFound,
            SegmentError::DataFusion(_) | SegmentError::Arrow(_) => ErrorKind::Internal,
        }
    }
}

pub type Result<T, E = SegmentError> = std::result::Result<T, E>;
