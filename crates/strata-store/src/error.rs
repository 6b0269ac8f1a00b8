//! Errors of the store, and the [`ErrorKind`] every Strata error is sorted into, so that the
//! command line's exit codes and the server's HTTP statuses come from one place.

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
    #[error("{}", unreachable_message(*generation, *current, *oldest))]
    Unreachable {
        generation: u64,
        current: u64,
        oldest: Option<u64>,
    },
    #[error("unknown time zone `{0}`; expected an IANA name such as Asia/Shanghai or UTC")]
    UnknownTimezone(String),
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

/// What kind of failure an error is, for the people and programs that act on it: the command
/// line exits with 1 for the first three and 2 for `Internal`; the server answers 400, 404, 409
/// and 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input, a setting or a request is wrong; the message says what to fix.
    Invalid,
    /// Something asked for is not there (a workspace, a model, the data an analysis needs).
    NotFound,
    /// The request clashes with the workspace's state: another writer holds the lock, the
    /// folder is taken, the data changed meanwhile. Trying again later may succeed.
    Conflict,
    /// A failure of the machine or of Strata itself.
    Internal,
}

impl ErrorKind {
    /// Whether the user can do something about it (every kind but `Internal`).
    pub fn is_user_error(self) -> bool {
        self != ErrorKind::Internal
    }
}

impl StoreError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NotAWorkspace { .. } => ErrorKind::NotFound,
            StoreError::AlreadyExists { .. }
            | StoreError::NotEmpty { .. }
            | StoreError::Locked { .. } => ErrorKind::Conflict,
            StoreError::UnknownTable(_)
            | StoreError::ManifestVersion { .. }
            | StoreError::UnknownTimezone(_)
            | StoreError::Unreachable { .. } => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        }
    }

    /// True when the user can fix it (wrong folder, another writer, bad name); false for
    /// failures of the machine or of strata itself.
    pub fn is_user_error(&self) -> bool {
        self.kind().is_user_error()
    }
}

fn unreachable_message(generation: u64, current: u64, oldest: Option<u64>) -> String {
    if generation >= current {
        return format!(
            "cannot go back to generation {generation}: the workspace is at generation {current}; expected an earlier one"
        );
    }
    match oldest {
        Some(o) => format!(
            "cannot go back to generation {generation}: it is no longer kept; the oldest generation undo can reach is {o} (the workspace keeps the last few, `[history] keep` in strata.toml)"
        ),
        None => format!(
            "cannot go back to generation {generation}: the workspace keeps no earlier generations (`[history] keep` in strata.toml)"
        ),
    }
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.into();
    move |source| StoreError::Io { path, source }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
