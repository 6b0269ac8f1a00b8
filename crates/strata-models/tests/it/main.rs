//! Integration tests of the models: published CDNOW values (from the summary CSV and from the
//! transactions through our summariser), invariants over random inputs, fitting behaviour on
//! simulated data, input errors, and the classification metrics and logistic baseline
//! (checked against scikit-learn).

mod classify;
mod data;
mod errors;
mod fits;
mod properties;
mod published;
