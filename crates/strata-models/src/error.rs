//! The one error type of the crate. Every variant about input names what to fix: the column,
//! the row (0-based position in the slices given) and the value.

/// Why a fit, a prediction or a summary could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// No customers (or no transactions) were given.
    #[error("no {what} to work on: the input is empty")]
    Empty { what: &'static str },
    /// Two input slices that must be parallel have different lengths.
    #[error(
        "`{column}` has {found} values but `{reference}` has {expected}; give one value per customer"
    )]
    LengthMismatch {
        column: &'static str,
        found: usize,
        reference: &'static str,
        expected: usize,
    },
    /// A value is negative, not finite, or not a whole number where one is needed.
    #[error("row {row}: `{column}` is {value}, expected {expected}")]
    InvalidValue {
        column: &'static str,
        row: usize,
        value: f64,
        expected: &'static str,
    },
    /// The last purchase is after the end of the observation window.
    #[error(
        "row {row}: recency {recency} is greater than T {t}; recency (time of the last purchase) must be <= T (age)"
    )]
    RecencyAfterAge { row: usize, recency: f64, t: f64 },
    /// A customer with no repeat purchase must have recency 0.
    #[error(
        "row {row}: frequency is 0 but recency is {recency}; a customer without repeat purchases has recency 0"
    )]
    RecencyWithoutRepeat { row: usize, recency: f64 },
    /// Every customer has age 0, so no time scale can be learnt.
    #[error(
        "every customer has T = 0 (all first purchases at the end of the window); nothing to fit"
    )]
    NoElapsedTime,
    /// The Gamma-Gamma model needs customers with at least one repeat purchase.
    #[error(
        "no customer has a repeat purchase with a positive monetary value; the Gamma-Gamma model needs some"
    )]
    NoRepeatCustomers,
    /// An option is out of its range.
    #[error("option `{name}` is {value}, expected {expected}")]
    InvalidOption {
        name: &'static str,
        value: f64,
        expected: &'static str,
    },
    /// The model parameters are not usable (not finite or not positive).
    #[error("parameter `{name}` is {value}, expected a finite positive number")]
    InvalidParameter { name: &'static str, value: f64 },
    /// The log-likelihood is not finite at any starting point: the data cannot be fitted.
    #[error(
        "the {model} log-likelihood is not finite at any starting point; check the data for extreme values"
    )]
    NotFittable { model: &'static str },
    /// A classifier was given no feature columns ([`crate::classify::Logistic::fit`]).
    #[error("no feature columns given; a classifier needs at least one")]
    NoFeatures,
    /// A feature column does not have one value per label (or per row of the first column).
    #[error("column {column} has {found} values, expected {expected} (one per {per})")]
    ColumnLength {
        column: usize,
        found: usize,
        expected: usize,
        /// What each value should correspond to: `"label"` or `"row of column 0"`.
        per: &'static str,
    },
    /// A prediction was asked with a different number of feature columns than the model has.
    #[error("{found} feature columns given, the model was fitted on {expected}")]
    FeatureCount { found: usize, expected: usize },
    /// Every label has the same value, so there is nothing to tell apart.
    #[error(
        "every label is {label}; a classifier needs both positive (true) and negative (false) examples"
    )]
    OneClass { label: bool },
    /// A feature column's values are so large that its variance overflows.
    #[error(
        "column {column}: values too large to standardise (the variance overflows); rescale the feature"
    )]
    ColumnOverflow { column: usize },
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;
