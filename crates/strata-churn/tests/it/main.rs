//! Churn early warning on a hand-worked shop: features, signals, labels, reasons and the
//! training cutoffs.

mod signals;
