//! Import of shop exports into Strata's canonical tables.
//!
//! Reads CSV/TSV (UTF-8, UTF-8 with BOM, GBK/GB18030 and UTF-16 detected without being told),
//! XLSX, JSON Lines and Parquet; recognises English and Chinese headers (see
//! [`strata_store::schema`]) or a user mapping; parses times, money and vocabularies
//! ([`value`]); sends every bad row to a rejects file with file, line, column, value and reason;
//! and commits all good rows at once, folding repeats by the table's key.
//!
//! *Architecture invariant*: an import either commits every good row of every file given, or
//! changes nothing. It never leaves a partly imported file behind.

mod build;
mod error;
mod mapping;
mod merge;
mod source;
pub mod value;
mod zeros;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use strata_store::{HistoryEntry, TableSpec, Workspace};

pub use build::Reject;
pub use error::{ImportError, Result};
pub use mapping::Mapping;
pub use merge::{Counts, CustomerChange};
pub use source::{Format, ReadOptions, SourceInfo};
pub use value::ValueOptions;
pub use zeros::StrippedId;

/// Rows per Arrow batch while parsing.
const BATCH_ROWS: usize = 64 * 1024;
/// Rejects shown in the summary; the rejects file has them all.
const SAMPLE_REJECTS: usize = 10;

/// Everything that shapes an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub values: ValueOptions,
    pub read: ReadOptions,
    pub mapping: Mapping,
    /// Import nothing if any row is rejected.
    pub strict: bool,
    /// Where to write rejected rows; by default `rejects/<table>-<generation>.csv` in the
    /// workspace.
    pub rejects_path: Option<PathBuf>,
    /// An update replaces the stored row whole, emptying the columns its file lacks. By default
    /// it patches: columns the file lacks keep their stored values.
    pub replace_rows: bool,
}

/// Where an import is, for progress bars.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub rows: u64,
}

/// What one input file contributed.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub path: PathBuf,
    pub info: SourceInfo,
    pub read: u64,
    pub rejected: u64,
}

/// What an import did. `read = inserted + updated + duplicated + superseded + rejected`.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub table: &'static str,
    pub files: Vec<FileSummary>,
    pub read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub duplicated: u64,
    /// Rows followed later in the import by another row with the same key: the last one wins.
    pub superseded: u64,
    pub rejected: u64,
    pub rejects_file: Option<PathBuf>,
    pub sample_rejects: Vec<Reject>,
    /// Updated rows that kept the stored values of `kept_columns`, which their file lacks.
    pub patched: u64,
    pub kept_columns: Vec<&'static str>,
    /// Orders that now belong to another customer, and the file that lists them all.
    pub customer_changes: Vec<CustomerChange>,
    pub changes_file: Option<PathBuf>,
    /// Ids without leading zeros that equal an id with them elsewhere in the table (Excel
    /// strips them when it reads an id column as numbers), and the file that lists them all.
    /// The rows are imported: the two may be real, different ids.
    pub stripped_ids: Vec<StrippedId>,
    pub zeros_file: Option<PathBuf>,
    /// Whether the import changed the table; an import that only repeats what is stored (or
    /// whose rows were all rejected with `--strict` off) commits nothing.
    pub committed: bool,
    /// Paid orders with a zero amount (a gift, a full-discount coupon, or a missing amount),
    /// imported and counted here so that the summary says so.
    pub zero_amount_paid: u64,
    /// Refunds exported with a negative amount, stored as refunded orders for what was paid.
    pub negative_refunds: u64,
    pub generation: u64,
    pub rows_after: u64,
    pub seconds: f64,
}

struct RejectSink {
    path: PathBuf,
    out: Option<csv::Writer<BufWriter<File>>>,
    count: u64,
    sample: Vec<Reject>,
}

impl RejectSink {
    fn push(&mut self, r: Reject) -> Result<()> {
        if self.out.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| ImportError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            let f = File::create(&self.path).map_err(|source| ImportError::Io {
                path: self.path.clone(),
                source,
            })?;
            let mut buf = BufWriter::new(f);
            // A byte-order mark so that Excel shows the Chinese text.
            buf.write_all("\u{feff}".as_bytes())
                .map_err(|source| ImportError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            let mut w = csv::Writer::from_writer(buf);
            self.write(&mut w, ["file", "line", "column", "value", "reason"])?;
            self.out = Some(w);
        }
        let line = r.line.to_string();
        let mut w = self.out.take().expect("opened above");
        self.write(&mut w, [&r.file, &line, &r.column, &r.value, &r.reason])?;
        self.out = Some(w);
        self.count += 1;
        if self.sample.len() < SAMPLE_REJECTS {
            self.sample.push(r);
        }
        Ok(())
    }

    fn write<const N: usize>(
        &self,
        w: &mut csv::Writer<BufWriter<File>>,
        rec: [&str; N],
    ) -> Result<()> {
        w.write_record(rec).map_err(|e| ImportError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })
    }

    fn close(&mut self) -> Result<()> {
        if let Some(mut w) = self.out.take() {
            w.flush().map_err(|source| ImportError::Io {
                path: self.path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Imports `files` into `table`, all or nothing.
pub fn import(
    ws: &Workspace,
    table: &'static TableSpec,
    files: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ImportSummary> {
    let started = Instant::now();
    // Every file must be there before anything is read, so a typo fails fast.
    let mut bytes_total = 0;
    for f in files {
        let meta = std::fs::metadata(f).map_err(|source| ImportError::Open {
            path: f.clone(),
            source,
        })?;
        if meta.is_dir() {
            return Err(ImportError::Unreadable {
                path: f.clone(),
                detail: "is a folder; give the files in it".into(),
            });
        }
        bytes_total += meta.len();
    }

    let txn = ws.begin()?;
    let generation = txn.generation();
    let mut rejects = RejectSink {
        path: opts.rejects_path.clone().unwrap_or_else(|| {
            ws.root()
                .join("rejects")
                .join(format!("{}-{generation:06}.csv", table.name))
        }),
        out: None,
        count: 0,
        sample: Vec::new(),
    };
    let rejects_dir_existed = rejects.path.parent().is_some_and(Path::exists);
    let result = import_rows(table, files, opts, progress, txn, &mut rejects, bytes_total);
    // A failed import leaves no trace in the workspace, not even its rejects; with --strict the
    // rejects are what the user needs to see, so they stay.
    if let Err(e) = &result
        && !matches!(
            e,
            ImportError::Strict { .. } | ImportError::AllRejected { .. }
        )
        && opts.rejects_path.is_none()
    {
        rejects.out = None;
        let _ = std::fs::remove_file(&rejects.path);
        if !rejects_dir_existed && let Some(dir) = rejects.path.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    let mut summary = result?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Reads, stages and commits; the caller owns the rejects so it can clean them up on failure.
fn import_rows(
    table: &'static TableSpec,
    files: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(&Progress),
    mut txn: strata_store::Transaction,
    rejects: &mut RejectSink,
    bytes_total: u64,
) -> Result<ImportSummary> {
    let generation = txn.generation();
    let mut stager = merge::Stager::new(table, &mut txn, opts.replace_rows)?;
    let mut zeros = zeros::ZeroCheck::new(table);
    let mut builder =
        build::BatchBuilder::new(table, opts.values.clone(), opts.mapping.value_maps(table));
    let mut row = source::RowBuf::new(table);
    let mut summaries = Vec::new();
    let mut bytes_before = 0;
    let mut rows = 0u64;

    for path in files {
        let mut src = source::open(path, table, &opts.mapping, &opts.read)?;
        let label = path.display().to_string();
        let (mut read, mut rejected) = (0u64, 0u64);
        while src.next(&mut row)? {
            read += 1;
            if let Err(r) = builder.push(&row, &label) {
                rejected += 1;
                rejects.push(r)?;
            }
            if builder.len() >= BATCH_ROWS {
                let (batch, masks) = builder.finish();
                zeros.add(&batch);
                stager.add(&batch, &masks)?;
            }
            if read % 8192 == 0 {
                progress(&Progress {
                    bytes_done: bytes_before + src.bytes_done(),
                    bytes_total,
                    rows: rows + read,
                });
            }
        }
        if read > 0 && rejected == read && !opts.strict {
            rejects.close()?;
            return Err(ImportError::AllRejected {
                path: path.clone(),
                rows: read,
                rejects: rejects.path.clone(),
            });
        }
        bytes_before += std::fs::metadata(path).map_or(0, |m| m.len());
        rows += read;
        summaries.push(FileSummary {
            path: path.clone(),
            info: src.info(),
            read,
            rejected,
        });
    }
    if builder.len() > 0 {
        let (batch, masks) = builder.finish();
        zeros.add(&batch);
        stager.add(&batch, &masks)?;
    }
    rejects.close()?;
    progress(&Progress {
        bytes_done: bytes_total,
        bytes_total,
        rows,
    });
    if opts.strict && rejects.count > 0 {
        return Err(ImportError::Strict {
            rejected: rejects.count,
            rejects: rejects.path.clone(),
        });
    }

    let stripped_ids = zeros.finish(&txn)?;
    let counts = stager.finish(&mut txn)?;
    let read: u64 = summaries.iter().map(|s| s.read).sum();
    let mut record = BTreeMap::new();
    record.insert("read".to_string(), read);
    record.insert("inserted".to_string(), counts.inserted);
    record.insert("updated".to_string(), counts.updated);
    record.insert("duplicated".to_string(), counts.duplicated);
    record.insert("rejected".to_string(), rejects.count);
    for (name, n) in [
        ("superseded", counts.superseded),
        ("patched", counts.patched),
        ("customer_changes", counts.customer_changes.len() as u64),
        ("stripped_zero_ids", stripped_ids.len() as u64),
        ("zero_amount_paid", builder.zero_amount_paid),
        ("negative_refunds", builder.negative_refunds),
    ] {
        if n > 0 {
            record.insert(name.to_string(), n);
        }
    }
    txn.record(HistoryEntry {
        generation,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        operation: "import".into(),
        table: table.name.into(),
        sources: files.iter().map(|p| p.display().to_string()).collect(),
        counts: record,
    });
    debug_assert_eq!(
        read,
        counts.inserted + counts.updated + counts.duplicated + counts.superseded + rejects.count
    );
    let changes_file = if counts.customer_changes.is_empty() {
        None
    } else {
        let path = rejects.path.with_file_name(format!(
            "{}-{generation:06}-customer-changes.csv",
            table.name
        ));
        write_customer_changes(&path, &counts.customer_changes)?;
        Some(path)
    };
    let zeros_file = if stripped_ids.is_empty() {
        None
    } else {
        let path = rejects
            .path
            .with_file_name(format!("{}-{generation:06}-stripped-zeros.csv", table.name));
        write_stripped_ids(&path, &stripped_ids)?;
        Some(path)
    };
    // Nothing new: the workspace stays as it is, without a generation that changes nothing.
    let committed = counts.inserted + counts.updated > 0;
    let (generation, rows_after) = if committed {
        let manifest = txn.commit()?;
        let rows = manifest.tables.get(table.name).map_or(0, |t| t.rows());
        (generation, rows)
    } else {
        let base = txn.base();
        let rows = base.tables.get(table.name).map_or(0, |t| t.rows());
        (base.generation, rows)
    };
    Ok(ImportSummary {
        table: table.name,
        files: summaries,
        read,
        inserted: counts.inserted,
        updated: counts.updated,
        duplicated: counts.duplicated,
        superseded: counts.superseded,
        rejected: rejects.count,
        rejects_file: (rejects.count > 0).then(|| rejects.path.clone()),
        sample_rejects: std::mem::take(&mut rejects.sample),
        patched: counts.patched,
        kept_columns: counts.kept_columns,
        customer_changes: counts.customer_changes,
        changes_file,
        stripped_ids,
        zeros_file,
        committed,
        zero_amount_paid: builder.zero_amount_paid,
        negative_refunds: builder.negative_refunds,
        generation,
        rows_after,
        seconds: 0.0,
    })
}

/// Lists ids that look like others with their leading zeros stripped, as CSV for Excel.
fn write_stripped_ids(path: &Path, ids: &[StrippedId]) -> Result<()> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = Vec::from("\u{feff}column,id,same_with_zeros\n".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for s in ids {
            w.write_record([s.column, &s.id, &s.with_zeros])
                .map_err(|e| io(std::io::Error::other(e)))?;
        }
        w.flush().map_err(io)?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, out).map_err(io)
}

/// Lists orders that changed customer, as CSV with a byte-order mark (for Excel).
fn write_customer_changes(path: &Path, changes: &[CustomerChange]) -> Result<()> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = Vec::from("\u{feff}order_id,old_customer_id,new_customer_id\n".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for c in changes {
            w.write_record([&c.order_id, &c.from, &c.to])
                .map_err(|e| io(std::io::Error::other(e)))?;
        }
        w.flush().map_err(io)?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, out).map_err(io)
}

/// A file read into typed rows of a table, outside any workspace.
#[derive(Debug, Clone)]
pub struct FileRows {
    pub batches: Vec<arrow::record_batch::RecordBatch>,
    pub info: SourceInfo,
    /// Rows read, good and bad.
    pub read: u64,
    pub rejected: u64,
    /// The first few rejected rows.
    pub sample_rejects: Vec<Reject>,
}

/// Reads one file into typed rows of `table` with the import's readers (encodings, formats,
/// header names, value parsing), without a workspace: how `strata clv` reads a shop's own
/// exports. Bad rows are counted and sampled, not written anywhere; the caller decides.
pub fn read_file(path: &Path, table: &'static TableSpec, opts: &ImportOptions) -> Result<FileRows> {
    let mut src = source::open(path, table, &opts.mapping, &opts.read)?;
    let mut builder =
        build::BatchBuilder::new(table, opts.values.clone(), opts.mapping.value_maps(table));
    let mut row = source::RowBuf::new(table);
    let label = path.display().to_string();
    let (mut batches, mut read, mut rejected) = (Vec::new(), 0u64, 0u64);
    let mut sample_rejects = Vec::new();
    while src.next(&mut row)? {
        read += 1;
        if let Err(r) = builder.push(&row, &label) {
            rejected += 1;
            if sample_rejects.len() < SAMPLE_REJECTS {
                sample_rejects.push(r);
            }
        }
        if builder.len() >= BATCH_ROWS {
            batches.push(builder.finish().0);
        }
    }
    if builder.len() > 0 {
        batches.push(builder.finish().0);
    }
    Ok(FileRows {
        batches,
        info: src.info(),
        read,
        rejected,
        sample_rejects,
    })
}

/// Reads a mapping file (TOML, see [`Mapping::from_toml`]).
pub fn read_mapping(path: &Path) -> Result<Mapping> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    Mapping::from_toml(&text, path)
}
