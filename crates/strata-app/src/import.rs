//! Import: files into one canonical table, all or nothing, with the options a person gives by
//! name (format, encoding, delimiter, column mapping) checked and resolved here.

use std::path::PathBuf;

use strata_import::{Format, ImportOptions, ImportSummary, Mapping, ReadOptions};
use strata_store::TableSpec;

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::session::Session;

/// An import as a person asks for it.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    /// customers, orders, order-items (order_items), events or reviews.
    pub table: String,
    /// Committed together.
    pub files: Vec<PathBuf>,
    /// Column mappings `COLUMN=HEADER`, on top of `mapping_file`.
    pub map: Vec<String>,
    /// Value mappings `COLUMN:VALUE=CANONICAL` (`status:待评价=paid`), on top of
    /// `mapping_file`.
    pub map_values: Vec<String>,
    /// A TOML mapping file: `[orders] order_id = "单号"`, `[orders.values.status]`.
    pub mapping_file: Option<PathBuf>,
    /// csv, tsv, xlsx, jsonl or parquet, when the extension does not say.
    pub format: Option<String>,
    /// utf-8, gbk, gb18030, utf-16le; detected when not given.
    pub encoding: Option<String>,
    /// One character, or `tab`; detected when not given.
    pub delimiter: Option<String>,
    /// XLSX sheet (default: the first).
    pub sheet: Option<String>,
    /// Import even if the headers fit another table better.
    pub no_table_check: bool,
    /// Import nothing if any row is rejected.
    pub strict: bool,
    /// Where rejected rows go (default: the workspace's rejects folder).
    pub rejects: Option<PathBuf>,
    /// Updates replace stored rows whole instead of keeping the columns the file lacks.
    pub replace_rows: bool,
}

/// The table named `name` (its SQL or its command-line spelling).
pub fn table(name: &str) -> Result<&'static TableSpec> {
    strata_store::table(name).ok_or_else(|| {
        Error::invalid(format!(
            "unknown table `{name}`; expected customers, orders, order-items, events or reviews"
        ))
    })
}

/// The import options of `req` with the session's value settings.
pub fn options(session: &Session, req: &ImportRequest) -> Result<ImportOptions> {
    let table = table(&req.table)?;
    let mut mapping = match &req.mapping_file {
        Some(p) => strata_import::read_mapping(p)?,
        None => Mapping::default(),
    };
    for m in &req.map {
        let (col, header) = m.split_once('=').ok_or_else(|| {
            Error::invalid(format!(
                "column mapping `{m}`: expected COLUMN=HEADER, such as order_id=单号"
            ))
        })?;
        mapping.add(table.name, col.trim(), header.trim())?;
    }
    for v in &req.map_values {
        mapping.add_value_spec(table.name, v)?;
    }
    let format = req
        .format
        .as_deref()
        .map(|f| {
            Format::parse(f).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown format `{f}`; expected csv, tsv, xlsx, jsonl or parquet"
                ))
            })
        })
        .transpose()?;
    let encoding = req
        .encoding
        .as_deref()
        .map(|e| {
            encoding_rs::Encoding::for_label(e.as_bytes()).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown encoding `{e}`; expected utf-8, gbk, gb18030 or utf-16le"
                ))
            })
        })
        .transpose()?;
    let delimiter = req
        .delimiter
        .as_deref()
        .map(|d| match d {
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            d if d.len() == 1 => Ok(d.as_bytes()[0]),
            _ => Err(Error::invalid(format!(
                "delimiter `{d}`: expected one character such as , ; | or `tab`"
            ))),
        })
        .transpose()?;
    Ok(ImportOptions {
        values: session.settings.values.clone(),
        read: ReadOptions {
            no_table_check: req.no_table_check,
            format,
            encoding,
            delimiter,
            sheet: req.sheet.clone(),
        },
        mapping,
        strict: req.strict,
        rejects_path: req.rejects.clone(),
        replace_rows: req.replace_rows,
    })
}

/// Imports the files of `req`; the workspace is unchanged when it fails.
pub fn import(
    session: &Session,
    req: &ImportRequest,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary> {
    let table = table(&req.table)?;
    let opts = options(session, req)?;
    import_files(session, table, &req.files, &opts, progress)
}

/// Imports files with options already resolved.
pub fn import_files(
    session: &Session,
    table: &'static TableSpec,
    files: &[PathBuf],
    opts: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary> {
    strata_import::import(&session.ws, table, files, opts, &mut |p| {
        progress(Progress::Bytes {
            what: table.name,
            done: p.bytes_done,
            total: p.bytes_total,
        })
    })
    .map_err(|e| {
        Error::from(e).context(format!(
            "import into {} failed; the workspace is unchanged",
            table.name
        ))
    })
}
