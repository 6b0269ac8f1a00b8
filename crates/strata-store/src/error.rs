//! Errors of the store. User errors (no workspace here, locked, unknown table) are kept apart
//! from internal ones so the command line can exit with 1 or 2 accordingly.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no strata workspace at {path} (create one with `strata init {path}`)", path = .path.display())]
    NotAWorkspace { path: PathBuf },
    #[error("{path} already holds a strata workspace", path = .path.display())]
    AlreadyExists { path: PathBuf },
    #[error("{path} exists and is not empty; choose an empty or new folder for the workspace", path = .path.display())]
    NotEmpty { path: PathBuf },
    #[error("workspace {path} is locked by another writer{holder}; wait for it to finish", path = .path.display())]
    Locked { path: PathBuf, holder: String },
    #[error(
        "unknown table `{0}`; the tables are customers, orders, order_items, events and reviews"
    )]
    UnknownTable(String),
    #[error("workspace manifest {path} is unreadable: {source}", path = .path.display())]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("workspace manifest {path} has format {found}; this strata reads format {expected}", path = .path.display())]
    ManifestVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}", path = .path.display())]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

impl StoreError {
    /// True when the user can fix it (wrong folder, another writer, bad name); false for
    /// failures of the machine or of strata itself.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotAWorkspace { .. }
                | StoreError::AlreadyExists { .. }
                | StoreError::NotEmpty { .. }
                | StoreError::Locked { .. }
                | StoreError::UnknownTable(_)
                | StoreError::ManifestVersion { .. }
        )
    }
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.into();
    move |source| StoreError::Io { path, source }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
