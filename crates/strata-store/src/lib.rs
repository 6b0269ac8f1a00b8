//! The Strata workspace: the canonical table schemas, the tables kept as Parquet parts under a
//! folder, an atomically swapped manifest and a write lock, and one DataFusion session over it
//! all.
//!
//! This crate knows nothing of file formats shops export (that is `strata-import`) nor of
//! analyses; it stores and serves canonical tables.

mod error;
mod parts;
pub mod schema;
mod session;
mod workspace;

pub use error::{Result, StoreError};
pub use parts::{PartWriter, part_schema, read_part};
pub use schema::{FieldSpec, Kind, RowKey, TABLES, TableSpec, Vocab, table};
pub use session::session;

/// The history operation of a commit that wrote the customer table, so others can tell whether
/// it is older than the latest import.
pub const PROFILE_OPERATION: &str = "analyze";
pub use workspace::{HistoryEntry, Manifest, Part, TableName, TableState, Transaction, Workspace};
