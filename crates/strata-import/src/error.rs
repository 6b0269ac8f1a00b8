//! Errors that stop a whole import. A bad row never does: it becomes a [`crate::Reject`].

use std::path::PathBuf;

use strata_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read {path}: {source}", path = .path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {detail}", path = .path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path}: cannot tell its text encoding: {detail}; name it: utf-8, gbk, gb18030 or utf-16le", path = .path.display())]
    Encoding { path: PathBuf, detail: String },
    #[error("{path}: cannot tell the format from the name; name it: csv, tsv, xlsx, jsonl or parquet", path = .path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{path}: no header row for table `{table}` among the first {looked} rows: none names two of its columns (such as {examples}); map its columns to the table's (COLUMN=HEADER)", path = .path.display())]
    NoHeader {
        path: PathBuf,
        table: &'static str,
        looked: usize,
        examples: String,
    },
    #[error("{path}: no column for `{table}.{field}`; expected a header such as {expected}; the file has: {found}; map one as {field}=HEADER", path = .path.display())]
    MissingColumn {
        path: PathBuf,
        table: &'static str,
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error("{path}: the mapping names column `{header}` for `{field}`, but the file has no such column; it has: {found}", path = .path.display())]
    MappedColumnMissing {
        path: PathBuf,
        field: String,
        header: String,
        found: String,
    },
    #[error("{path}: its headers fit table `{better}` ({better_count} columns) better than `{table}` ({count}); import it into `{better}`, or turn the table check off if `{table}` is meant", path = .path.display())]
    WrongTable {
        path: PathBuf,
        table: &'static str,
        count: usize,
        better: &'static str,
        better_cli: &'static str,
        better_count: usize,
    },
    #[error("{path}: every one of its {rows} rows was rejected, so nothing was imported (is it the right table or mapping?); the reasons are in {rejects}", path = .path.display(), rejects = .rejects.display())]
    AllRejected {
        path: PathBuf,
        rows: u64,
        rejects: PathBuf,
    },
    #[error("mapping: {detail}")]
    Mapping { detail: String },
    #[error("{rejected} rows rejected in a strict import, so nothing was imported; the rejects are in {rejects}", rejects = .rejects.display())]
    Strict { rejected: u64, rejects: PathBuf },
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
}

impl ImportError {
    pub fn kind(&self) -> strata_store::ErrorKind {
        use strata_store::ErrorKind;
        match self {
            ImportError::Store(e) => e.kind(),
            ImportError::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            ImportError::Arrow(_) | ImportError::Io { .. } => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        }
    }

    pub fn is_user_error(&self) -> bool {
        self.kind().is_user_error()
    }
}

pub type Result<T, E = ImportError> = std::result::Result<T, E>;
