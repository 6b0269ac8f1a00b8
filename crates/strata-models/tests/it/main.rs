//! Integration tests of the models: published CDNOW values (from the summary CSV and from the
//! transactions through our summariser), invariants over random inputs, fitting behaviour on
//! simulated data, and input errors.

mod data;
mod errors;
mod fits;
mod properties;
mod published;
