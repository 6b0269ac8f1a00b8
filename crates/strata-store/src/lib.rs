//! The Strata workspace: the canonical table schemas, the tables kept as Parquet parts under a
//! folder, an atomically swapped manifest and a write lock, and one DataFusion session over it
//! all.
//!
//! This crate knows nothing of file formats shops export (that is `strata-import`) nor of
//! analyses; it stores and serves canonical tables.

pub mod columns;
mod error;
pub mod fsutil;
pub mod names;
mod parts;
pub mod schema;
mod session;
mod timezone;
mod workspace;

pub use error::{ErrorKind, Result, StoreError};
pub use parts::{PartWriter, part_schema, read_part};
pub use schema::{FieldSpec, Kind, RowKey, TABLES, TableSpec, Vocab, table};
pub use session::session;
pub use timezone::{DEFAULT_TIMEZONE, parse_timezone};

pub use workspace::{
    DEFAULT_KEEP, HistoryEntry, Manifest, Part, RESTORED_KEY, Snapshot, TableName, TableState,
    Transaction, UNDO_OPERATION, Workspace,
};
