//! The application layer: every workspace operation that a front end offers, as a function
//! over plain Rust and Arrow values. The command line (`strata-cli`) and the server call these
//! and only these; they parse, call and present, nothing more.
//!
//! - [`settings`]: `strata.toml`, the environment and overrides, resolved in one place.
//! - [`session`]: a workspace opened with its settings; its DataFusion session with every table
//!   and analysis table function; the runtime blocking calls run their queries on.
//! - Operations: [`import`], [`history`] (history, undo, targeted deletes), [`analyze`] (the
//!   customer table, with churn columns, and whether a stored one is current), [`query`] (SQL,
//!   with the stale derived tables it read), [`status`], [`report`], [`churn`], [`behaviour`],
//!   [`clv`] (on files), [`demo`], [`schema`].
//! - [`freshness`]: every derived table and model, and whether each is current.
//! - [`vocabulary`]: notes on queries comparing folded columns with unfolded spellings.
//! - [`dates`]: days as people write them; the analysis date against the data.
//! - [`export`]: CSV with a byte-order mark, XLSX, JSON and Parquet, to any writer or
//!   atomically to a file.
//! - [`error`]: one error type whose [`ErrorKind`] front ends map to exit codes and HTTP
//!   statuses; [`progress`]: what long work reports.
//!
//! Nothing here knows clap, terminals, HTTP or `std::process`.

pub mod analyze;
pub mod behaviour;
pub mod churn;
pub mod clv;
pub mod dates;
pub mod demo;
pub mod error;
pub mod export;
pub mod freshness;
pub mod history;
pub mod import;
pub mod progress;
pub mod query;
pub mod report;
pub mod schema;
pub mod segments;
pub mod session;
pub mod settings;
pub mod status;
pub mod vocabulary;

pub use error::{Error, ErrorKind, Missing, Result};
pub use progress::Progress;
pub use session::{Session, block_on, init};
pub use settings::{Overrides, Settings};
pub use strata_charts::Lang;
