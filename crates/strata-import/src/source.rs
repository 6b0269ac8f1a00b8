//! Readers for the file formats shops export. Each turns its file into rows of text cells in
//! canonical column order, with a line number and a column label for every cell, so the rest of
//! the import never looks at formats again.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use arrow::array::{Array, StringArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use encoding_rs::Encoding;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use serde_json::{Map, Value};
use strata_store::{Kind, TableSpec};

use crate::error::{ImportError, Result};
use crate::mapping::{Mapping, Resolved, check_table, field_for_header, known_headers, resolve};

/// Input file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Xlsx,
    Jsonl,
    Parquet,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "txt" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "parquet" | "pq" => Format::Parquet,
            _ => return None,
        })
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "tsv" => Format::Tsv,
            "xlsx" => Format::Xlsx,
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "parquet" => Format::Parquet,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Xlsx => "xlsx",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
        }
    }
}

/// How to read input files; everything is detected when left unset.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Skip the check that a file's headers do not fit another table better.
    pub no_table_check: bool,
    pub format: Option<Format>,
    pub encoding: Option<&'static Encoding>,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
}

/// One input row. Cells are in canonical column order; `labels` say where each came from.
#[derive(Debug, Default)]
pub(crate) struct RowBuf {
    pub line: u64,
    pub vals: Vec<String>,
    pub present: Vec<bool>,
    pub labels: Vec<String>,
    /// A problem with the row as a whole (undecodable text, bad JSON): (column, value, reason).
    pub bad: Option<(String, String, String)>,
}

impl RowBuf {
    pub fn new(table: &TableSpec) -> RowBuf {
        let n = table.fields.len();
        RowBuf {
            line: 0,
            vals: vec![String::new(); n],
            present: vec![false; n],
            labels: table.fields.iter().map(|f| f.name.to_string()).collect(),
            bad: None,
        }
    }

    fn clear(&mut self) {
        self.present.iter_mut().for_each(|p| *p = false);
        self.bad = None;
    }

    fn set(&mut self, field: usize, value: &str) {
        self.vals[field].clear();
        self.vals[field].push_str(value);
        self.present[field] = true;
    }
}

/// What was learned about a file while reading it, for the import summary.
#[derive(Debug, Clone, Default)]
pub struct SourceInfo {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Rows before the header row (report titles and the like) that were skipped.
    pub preamble_rows: u64,
    /// Input columns that feed no canonical column.
    pub unused_columns: Vec<String>,
    /// The header row as the file has it (CSV, TSV and XLSX).
    pub header: Vec<String>,
}

pub(crate) trait Source {
    /// Reads the next row into `row`; `false` at the end of the input.
    fn next(&mut self, row: &mut RowBuf) -> Result<bool>;
    /// Bytes of the file consumed so far, for progress.
    fn bytes_done(&self) -> u64;
    fn info(&self) -> SourceInfo;
}

pub(crate) fn open(
    path: &Path,
    table: &'static TableSpec,
    mapping: &Mapping,
    opts: &ReadOptions,
) -> Result<Box<dyn Source>> {
    let format = opts
        .format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| ImportError::UnknownFormat {
            path: path.to_path_buf(),
        })?;
    Ok(match format {
        Format::Csv | Format::Tsv => Box::new(CsvSource::open(path, table, mapping, opts, format)?),
        Format::Xlsx => Box::new(XlsxSource::open(path, table, mapping, opts)?),
        Format::Jsonl => Box::new(JsonlSource::open(path, table, mapping)?),
        Format::Parquet => Box::new(ParquetSource::open(
            path,
            table,
            mapping,
            opts.no_table_check,
        )?),
    })
}

fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| ImportError::Open {
        path: path.to_path_buf(),
        source,
    })
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Counts bytes as they are read, for progress.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Where lines start in a text stream, for the line numbers an editor shows. The csv crate's
/// own line count follows `\n` only and loses a line per record in CRLF files (and every line in
/// CR-only files), so rows are numbered here instead: the reader notes each line start as bytes
/// pass through (a line ends at `\n`, `\r\n` or a lone `\r`), and [`Lines::line_at`] turns a
/// record's byte offset into its line. Only starts not yet asked for are kept, so memory is
/// bounded by the lines in the parser's read-ahead buffer.
#[derive(Default)]
struct Lines {
    /// Byte offsets of line starts after the last one asked for, in order.
    starts: std::collections::VecDeque<u64>,
    /// Line of the last offset asked for (1-based).
    line: u64,
}

impl Lines {
    /// The line (1-based) of the byte at `offset`; offsets must come in increasing order.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.starts.front().is_some_and(|&s| s <= offset) {
            self.starts.pop_front();
            self.line += 1;
        }
        self.line + 1
    }
}

struct LineReader<R> {
    inner: R,
    offset: u64,
    after_cr: bool,
    lines: Rc<std::cell::RefCell<Lines>>,
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.borrow_mut();
        let mut last = 0;
        for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
            let at = self.offset + i as u64 + 1;
            // The \n of a \r\n ends no second line. The line starts right after the \r: the
            // csv parser, which stops at the \r, starts the next record at the \n.
            let crlf = buf[i] == b'\n' && self.after_cr && i == last;
            if !crlf {
                lines.starts.push_back(at);
            }
            self.after_cr = buf[i] == b'\r';
            last = i + 1;
        }
        if n > 0 && last < n {
            self.after_cr = false;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Labels for the cells of each canonical column: the header and its position.
fn labels_for(table: &TableSpec, resolved: &Resolved, headers: &[String]) -> Vec<String> {
    table
        .fields
        .iter()
        .zip(&resolved.field_to_col)
        .map(|(f, col)| match col {
            Some(c) => format!(
                "{} (column {})",
                headers[*c].trim_start_matches('\u{feff}').trim(),
                c + 1
            ),
            None => f.name.to_string(),
        })
        .collect()
}

/// Rows inspected for the header row, to get past report titles above the table.
const HEADER_SEARCH_ROWS: usize = 20;

fn header_examples(table: &TableSpec) -> String {
    table
        .fields
        .iter()
        .filter(|f| f.required)
        .flat_map(|f| f.aliases.iter().take(2))
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// CSV and TSV

/// The text encodings a delimited file can be in, as far as cells are concerned. UTF-16 files
/// are transcoded to UTF-8 before parsing.
#[derive(Debug, Clone, Copy)]
enum CellText {
    Utf8,
    /// GBK and GB18030 (a superset). Their multi-byte sequences never contain ASCII bytes
    /// below 0x40, so separators, quotes and line ends can be found in the raw bytes.
    Gb18030,
}

/// Bytes inspected to detect the encoding and the delimiter.
const SNIFF_BYTES: usize = 4 << 20;

#[derive(Debug)]
struct Detected {
    text: CellText,
    /// Set for UTF-16 files, which are transcoded as they are read.
    transcode: Option<&'static Encoding>,
    name: &'static str,
}

fn detect_encoding(
    path: &Path,
    sample: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<Detected> {
    if let Some(enc) = forced {
        if enc == encoding_rs::UTF_8 {
            return Ok(Detected {
                text: CellText::Utf8,
                transcode: None,
                name: "UTF-8",
            });
        }
        if enc == encoding_rs::GBK || enc == encoding_rs::GB18030 {
            return Ok(Detected {
                text: CellText::Gb18030,
                transcode: None,
                name: enc.name(),
            });
        }
        if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            return Ok(Detected {
                text: CellText::Utf8,
                transcode: Some(enc),
                name: enc.name(),
            });
        }
        return Err(ImportError::Encoding {
            path: path.to_path_buf(),
            detail: format!("encoding {} is not supported", enc.name()),
        });
    }
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(Detected {
            text: CellText::Utf8,
            transcode: None,
            name: "UTF-8 (BOM)",
        });
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Ok(Detected {
            text: CellText::Utf8,
            transcode: Some(encoding_rs::UTF_16LE),
            name: "UTF-16LE",
        });
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Ok(Detected {
            text: CellText::Utf8,
            transcode: Some(encoding_rs::UTF_16BE),
            name: "UTF-16BE",
        });
    }
    match std::str::from_utf8(sample) {
        Ok(_) => {
            return Ok(Detected {
                text: CellText::Utf8,
                transcode: None,
                name: "UTF-8",
            });
        }
        // A character cut off by the end of the sample does not make the file invalid.
        Err(e) if e.error_len().is_none() && sample.len() >= SNIFF_BYTES => {
            return Ok(Detected {
                text: CellText::Utf8,
                transcode: None,
                name: "UTF-8",
            });
        }
        Err(_) => {}
    }
    // Not UTF-8: try GB18030 on whole lines of the sample.
    let cut = if sample.len() >= SNIFF_BYTES {
        sample
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(sample.len(), |p| p + 1)
    } else {
        sample.len()
    };
    if encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(&sample[..cut])
        .is_some()
    {
        return Ok(Detected {
            text: CellText::Gb18030,
            transcode: None,
            name: "GBK/GB18030",
        });
    }
    let bad = std::str::from_utf8(sample)
        .err()
        .map_or(0, |e| e.valid_up_to());
    Err(ImportError::Encoding {
        path: path.to_path_buf(),
        detail: format!("it is neither UTF-8 (invalid byte at offset {bad}) nor GBK/GB18030"),
    })
}

fn sniff_delimiter(sample: &[u8]) -> u8 {
    let first_line = sample.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let mut in_quotes = false;
        let mut n = 0;
        for &b in first_line {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == d && !in_quotes {
                n += 1;
            }
        }
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read>>,
    record: csv::ByteRecord,
    text: CellText,
    resolved: Resolved,
    labels: Vec<String>,
    width: usize,
    count: Rc<Cell<u64>>,
    lines: Rc<std::cell::RefCell<Lines>>,
    info: SourceInfo,
}

fn decode(text: CellText, bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    match text {
        CellText::Utf8 => std::str::from_utf8(bytes)
            .ok()
            .map(std::borrow::Cow::Borrowed),
        CellText::Gb18030 => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
        }
    }
}

impl CsvSource {
    fn open(
        path: &Path,
        table: &'static TableSpec,
        mapping: &Mapping,
        opts: &ReadOptions,
        format: Format,
    ) -> Result<CsvSource> {
        let mut file = open_file(path)?;
        let mut sample = Vec::new();
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut sample)
            .map_err(io_err(path))?;
        let detected = detect_encoding(path, &sample, opts.encoding)?;
        let delimiter = opts.delimiter.unwrap_or(match format {
            Format::Tsv => b'\t',
            _ => {
                if detected.transcode.is_some() {
                    // Excel's "Unicode text" export: UTF-16 and tab-separated.
                    let utf8 = detected
                        .transcode
                        .unwrap_or(encoding_rs::UTF_16LE)
                        .decode(&sample)
                        .0;
                    sniff_delimiter(utf8.as_bytes())
                } else {
                    sniff_delimiter(&sample)
                }
            }
        });
        let file = open_file(path)?;
        let count = Rc::new(Cell::new(0));
        let counting = Counting {
            inner: file,
            count: Rc::clone(&count),
        };
        let mut input: Box<dyn Read> = match detected.transcode {
            Some(enc) => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(enc))
                    .build(counting),
            ),
            None => Box::new(counting),
        };
        if matches!(detected.text, CellText::Utf8)
            && detected.transcode.is_none()
            && sample.starts_with(&[0xEF, 0xBB, 0xBF])
        {
            let mut bom = [0u8; 3];
            input.read_exact(&mut bom).map_err(io_err(path))?;
        }
        let lines = Rc::new(std::cell::RefCell::new(Lines::default()));
        let input: Box<dyn Read> = Box::new(LineReader {
            inner: input,
            offset: 0,
            after_cr: false,
            lines: Rc::clone(&lines),
        });
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(input);

        let mut record = csv::ByteRecord::new();
        let mut preamble = 0u64;
        let headers: Vec<String> = loop {
            let more =
                reader
                    .read_byte_record(&mut record)
                    .map_err(|e| ImportError::Unreadable {
                        path: path.to_path_buf(),
                        detail: e.to_string(),
                    })?;
            if !more || preamble as usize >= HEADER_SEARCH_ROWS {
                return Err(ImportError::NoHeader {
                    path: path.to_path_buf(),
                    table: table.name,
                    looked: preamble as usize,
                    examples: header_examples(table),
                });
            }
            let cells: Vec<String> = record
                .iter()
                .map(|b| {
                    decode(detected.text, b).map_or_else(
                        || String::from_utf8_lossy(b).into_owned(),
                        |c| c.into_owned(),
                    )
                })
                .collect();
            if known_headers(table, mapping, &cells) >= 2.min(table.fields.len()) {
                break cells;
            }
            preamble += 1;
        };
        if !opts.no_table_check {
            check_table(table, mapping, &headers, path)?;
        }
        let resolved = resolve(table, mapping, &headers, path)?;
        let labels = labels_for(table, &resolved, &headers);
        Ok(CsvSource {
            path: path.to_path_buf(),
            reader,
            record,
            text: detected.text,
            info: SourceInfo {
                format: format.name(),
                encoding: Some(detected.name),
                preamble_rows: preamble,
                unused_columns: resolved.unused.clone(),
                header: headers.clone(),
            },
            width: headers.len(),
            resolved,
            labels,
            count,
            lines,
        })
    }
}

impl Source for CsvSource {
    fn next(&mut self, row: &mut RowBuf) -> Result<bool> {
        loop {
            let more = self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| ImportError::Unreadable {
                    path: self.path.clone(),
                    detail: e.to_string(),
                })?;
            if !more {
                return Ok(false);
            }
            if self
                .record
                .iter()
                .all(|c| c.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            row.clear();
            row.line = self
                .record
                .position()
                .map_or(0, |p| self.lines.borrow_mut().line_at(p.byte()));
            row.labels.clone_from(&self.labels);
            if self.record.len() > self.width
                && self.record.iter().skip(self.width).any(|c| !c.is_empty())
            {
                row.bad = Some((
                    format!("column {}", self.width + 1),
                    String::from_utf8_lossy(&self.record[self.width]).into_owned(),
                    format!(
                        "the row has {} fields but the header has {}; is a value missing its quotes?",
                        self.record.len(),
                        self.width
                    ),
                ));
                return Ok(true);
            }
            for (fi, col) in self.resolved.field_to_col.iter().enumerate() {
                let Some(c) = *col else { continue };
                let Some(bytes) = self.record.get(c) else {
                    continue;
                };
                match decode(self.text, bytes) {
                    Some(s) => row.set(fi, &s),
                    None => {
                        let enc = match self.text {
                            CellText::Utf8 => "UTF-8",
                            CellText::Gb18030 => "GBK/GB18030",
                        };
                        row.bad = Some((
                            self.labels[fi].clone(),
                            String::from_utf8_lossy(bytes).into_owned(),
                            format!(
                                "not valid {enc} text; if the file is in another encoding, name its encoding"
                            ),
                        ));
                        return Ok(true);
                    }
                }
            }
            return Ok(true);
        }
    }

    fn bytes_done(&self) -> u64 {
        self.count.get()
    }

    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// XLSX

struct XlsxSource {
    rows: Vec<(u64, Vec<Option<String>>)>,
    at: usize,
    resolved: Resolved,
    labels: Vec<String>,
    size: u64,
    info: SourceInfo,
}

fn column_letters(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn cell_text(d: &calamine::Data) -> Option<String> {
    use calamine::Data;
    match d {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(format!("{f}")),
        Data::Bool(b) => Some(b.to_string()),
        // Excel keeps dates as serial numbers in the sheet's local time; the time parser reads
        // serials in the configured zone.
        Data::DateTime(dt) => Some(format!("{}", dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => Some(format!("#{e:?}")),
    }
}

impl XlsxSource {
    fn open(
        path: &Path,
        table: &'static TableSpec,
        mapping: &Mapping,
        opts: &ReadOptions,
    ) -> Result<XlsxSource> {
        use calamine::Reader;
        let unreadable = |detail: String| ImportError::Unreadable {
            path: path.to_path_buf(),
            detail,
        };
        let size = std::fs::metadata(path)
            .map_err(|source| ImportError::Open {
                path: path.to_path_buf(),
                source,
            })?
            .len();
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook(path).map_err(|e: calamine::XlsxError| {
                unreadable(format!("not a readable XLSX workbook: {e}"))
            })?;
        let names = wb.sheet_names();
        let sheet = match &opts.sheet {
            Some(s) if names.contains(s) => s.clone(),
            Some(s) => {
                return Err(unreadable(format!(
                    "no sheet named `{s}`; the sheets are {}",
                    names.join(", ")
                )));
            }
            None => names
                .first()
                .cloned()
                .ok_or_else(|| unreadable("the workbook has no sheets".into()))?,
        };
        let range = wb
            .worksheet_range(&sheet)
            .map_err(|e| unreadable(format!("sheet `{sheet}`: {e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| r as u64);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let mut all: Vec<(u64, Vec<Option<String>>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| (first_row + i as u64 + 1, r.iter().map(cell_text).collect()))
            .collect();
        let mut header_at = None;
        for (i, (_, cells)) in all.iter().take(HEADER_SEARCH_ROWS).enumerate() {
            let texts: Vec<String> = cells
                .iter()
                .map(|c| c.clone().unwrap_or_default())
                .collect();
            if known_headers(table, mapping, &texts) >= 2.min(table.fields.len()) {
                header_at = Some(i);
                break;
            }
        }
        let Some(h) = header_at else {
            return Err(ImportError::NoHeader {
                path: path.to_path_buf(),
                table: table.name,
                looked: all.len().min(HEADER_SEARCH_ROWS),
                examples: header_examples(table),
            });
        };
        let headers: Vec<String> = all[h]
            .1
            .iter()
            .map(|c| c.clone().unwrap_or_default())
            .collect();
        if !opts.no_table_check {
            check_table(table, mapping, &headers, path)?;
        }
        let resolved = resolve(table, mapping, &headers, path)?;
        let labels = table
            .fields
            .iter()
            .zip(&resolved.field_to_col)
            .map(|(f, col)| match col {
                Some(c) => format!(
                    "{} (column {})",
                    headers[*c].trim(),
                    column_letters(first_col + c)
                ),
                None => f.name.to_string(),
            })
            .collect();
        all.drain(..=h);
        Ok(XlsxSource {
            rows: all,
            at: 0,
            info: SourceInfo {
                format: "xlsx",
                encoding: None,
                preamble_rows: h as u64,
                unused_columns: resolved.unused.clone(),
                header: headers.clone(),
            },
            resolved,
            labels,
            size,
        })
    }
}

impl Source for XlsxSource {
    fn next(&mut self, row: &mut RowBuf) -> Result<bool> {
        while let Some((line, cells)) = self.rows.get(self.at) {
            self.at += 1;
            if cells
                .iter()
                .all(|c| c.as_deref().is_none_or(|s| s.trim().is_empty()))
            {
                continue;
            }
            row.clear();
            row.line = *line;
            row.labels.clone_from(&self.labels);
            for (fi, col) in self.resolved.field_to_col.iter().enumerate() {
                if let Some(Some(Some(v))) = col.map(|c| cells.get(c)) {
                    row.set(fi, v);
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    fn bytes_done(&self) -> u64 {
        if self.rows.is_empty() {
            self.size
        } else {
            self.size * self.at as u64 / self.rows.len() as u64
        }
    }

    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

struct JsonlSource {
    path: PathBuf,
    table: &'static TableSpec,
    reader: BufReader<Counting<File>>,
    count: Rc<Cell<u64>>,
    line: u64,
    buf: Vec<u8>,
    /// Key → canonical column, learned as keys are met (lines may differ in their keys).
    keys: HashMap<String, Option<usize>>,
    mapping: Mapping,
    properties: Option<usize>,
    unused: BTreeSet<String>,
}

impl JsonlSource {
    fn open(path: &Path, table: &'static TableSpec, mapping: &Mapping) -> Result<JsonlSource> {
        let file = open_file(path)?;
        let count = Rc::new(Cell::new(0));
        Ok(JsonlSource {
            path: path.to_path_buf(),
            table,
            reader: BufReader::with_capacity(
                1 << 20,
                Counting {
                    inner: file,
                    count: Rc::clone(&count),
                },
            ),
            count,
            line: 0,
            buf: Vec::new(),
            keys: HashMap::new(),
            mapping: mapping.clone(),
            properties: table.fields.iter().position(|f| f.kind == Kind::Json),
            unused: BTreeSet::new(),
        })
    }

    fn field_for(&mut self, key: &str) -> Option<usize> {
        if let Some(f) = self.keys.get(key) {
            return *f;
        }
        let found = field_for_header(self.table, &self.mapping, key);
        self.keys.insert(key.to_string(), found);
        found
    }
}

fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

impl Source for JsonlSource {
    fn next(&mut self, row: &mut RowBuf) -> Result<bool> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| ImportError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            row.clear();
            row.line = self.line;
            for (l, f) in row.labels.iter_mut().zip(self.table.fields) {
                l.clear();
                l.push_str(f.name);
            }
            let obj: Map<String, Value> = match serde_json::from_slice(&self.buf) {
                Ok(o) => o,
                Err(e) => {
                    let text = String::from_utf8_lossy(&self.buf);
                    let shown: String = text.trim_end().chars().take(80).collect();
                    row.bad = Some((
                        format!("character {}", e.column()),
                        shown,
                        format!("expected one JSON object per line: {e}"),
                    ));
                    return Ok(true);
                }
            };
            let mut extras = Map::new();
            for (k, v) in obj {
                match self.field_for(&k) {
                    Some(fi) if Some(fi) == self.properties => match v {
                        Value::Object(m) => extras.extend(m),
                        Value::Null => {}
                        other => {
                            extras.insert(k, other);
                        }
                    },
                    Some(fi) => {
                        if let Some(t) = json_text(&v) {
                            row.labels[fi].clone_from(&k);
                            row.set(fi, &t);
                        }
                    }
                    None if self.properties.is_some() => {
                        extras.insert(k, v);
                    }
                    None => {
                        if self.unused.len() < 50 {
                            self.unused.insert(k);
                        }
                    }
                }
            }
            if let (Some(p), false) = (self.properties, extras.is_empty()) {
                row.set(p, &Value::Object(extras).to_string());
            }
            return Ok(true);
        }
    }

    fn bytes_done(&self) -> u64 {
        self.count.get()
    }

    fn info(&self) -> SourceInfo {
        SourceInfo {
            format: "jsonl",
            encoding: Some("UTF-8"),
            preamble_rows: 0,
            unused_columns: self.unused.iter().cloned().collect(),
            header: Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parquet

struct ParquetSource {
    reader: ParquetRecordBatchReader,
    path: PathBuf,
    resolved: Resolved,
    labels: Vec<String>,
    batch: Option<(RecordBatch, Vec<Option<StringArray>>)>,
    at: usize,
    line: u64,
    rows_total: u64,
    size: u64,
    info: SourceInfo,
}

impl ParquetSource {
    fn open(
        path: &Path,
        table: &'static TableSpec,
        mapping: &Mapping,
        no_table_check: bool,
    ) -> Result<ParquetSource> {
        let unreadable = |detail: String| ImportError::Unreadable {
            path: path.to_path_buf(),
            detail,
        };
        let file = open_file(path)?;
        let size = file.metadata().map_err(io_err(path))?.len();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| unreadable(format!("not a readable Parquet file: {e}")))?
            .with_batch_size(8192);
        let rows_total = builder.metadata().file_metadata().num_rows().max(0) as u64;
        let headers: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        if !no_table_check {
            check_table(table, mapping, &headers, path)?;
        }
        let resolved = resolve(table, mapping, &headers, path)?;
        let labels = labels_for(table, &resolved, &headers);
        let reader = builder.build().map_err(|e| unreadable(e.to_string()))?;
        Ok(ParquetSource {
            reader,
            path: path.to_path_buf(),
            info: SourceInfo {
                format: "parquet",
                encoding: None,
                preamble_rows: 0,
                unused_columns: resolved.unused.clone(),
                header: headers.clone(),
            },
            resolved,
            labels,
            batch: None,
            at: 0,
            line: 0,
            rows_total,
            size,
        })
    }
}

impl Source for ParquetSource {
    fn next(&mut self, row: &mut RowBuf) -> Result<bool> {
        loop {
            if let Some((batch, cols)) = &self.batch
                && self.at < batch.num_rows()
            {
                let i = self.at;
                self.at += 1;
                self.line += 1;
                row.clear();
                row.line = self.line;
                row.labels.clone_from(&self.labels);
                for (fi, col) in cols.iter().enumerate() {
                    if let Some(a) = col
                        && a.is_valid(i)
                    {
                        row.set(fi, a.value(i));
                    }
                }
                return Ok(true);
            }
            let Some(batch) = self.reader.next() else {
                return Ok(false);
            };
            let batch = batch.map_err(|e| ImportError::Unreadable {
                path: self.path.clone(),
                detail: e.to_string(),
            })?;
            let cols = self
                .resolved
                .field_to_col
                .iter()
                .map(|c| {
                    c.map(|c| {
                        let a = arrow::compute::cast(batch.column(c), &DataType::Utf8)?;
                        Ok::<_, arrow::error::ArrowError>(
                            a.as_any()
                                .downcast_ref::<StringArray>()
                                .cloned()
                                .unwrap_or_else(|| StringArray::new_null(a.len())),
                        )
                    })
                    .transpose()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ImportError::Unreadable {
                    path: self.path.clone(),
                    detail: format!("a column cannot be read as text: {e}"),
                })?;
            self.batch = Some((batch, cols));
            self.at = 0;
        }
    }

    fn bytes_done(&self) -> u64 {
        (self.size * self.line.min(self.rows_total))
            .checked_div(self.rows_total)
            .unwrap_or(self.size)
    }

    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_sniffing_ignores_quoted_separators() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,b,c\";d;e\n"), b';');
    }

    #[test]
    fn excel_column_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn encoding_detection() {
        let p = Path::new("x.csv");
        let (gbk, _, _) = encoding_rs::GBK.encode("订单编号,买家ID\n1,2\n");
        assert_eq!(detect_encoding(p, &gbk, None).unwrap().name, "GBK/GB18030");
        assert_eq!(
            detect_encoding(p, "订单编号".as_bytes(), None)
                .unwrap()
                .name,
            "UTF-8"
        );
        assert_eq!(
            detect_encoding(p, b"\xEF\xBB\xBFa", None).unwrap().name,
            "UTF-8 (BOM)"
        );
        assert_eq!(
            detect_encoding(p, b"\xFF\xFEa\x00", None).unwrap().name,
            "UTF-16LE"
        );
        let err = detect_encoding(p, b"ab\xFF\xFF\xFFcd", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("neither UTF-8 (invalid byte at offset 2) nor GBK"),
            "{err}"
        );
    }
}
