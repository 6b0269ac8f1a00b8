//! Result tables for people and programs: CSV in UTF-8 with a byte-order mark (so Excel shows
//! Chinese text instead of mojibake), XLSX with typed cells, JSON, Parquet; to any writer, or to
//! a file written atomically (a failed export never leaves half a file). CSV and XLSX show times
//! in the shop's local time, as people read them; Parquet keeps the stored types (UTC instants,
//! exact decimals) for the programs that read it. Floating-point numbers in CSV, XLSX and JSON
//! are rounded as people read them ([`rounded`]: money to cents, rates and the rest to four
//! decimals); the workspace's Parquet tables keep full precision.

use std::io::{Seek, Write};
use std::path::Path;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::TimeZone;
use chrono_tz::Tz;
use strata_store::fsutil::{Visibility, write_atomic};

use crate::error::{Error, Result};

/// Excel's sheet row limit, header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

/// A file format for exports, chosen by the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    /// The whole result as JSON (what the analysis returned, not only its table).
    Json,
    /// The table with its Arrow types, zstd-compressed.
    Parquet,
}

/// The formats a table export takes.
pub const TABLE_FORMATS: &[Format] = &[Format::Csv, Format::Xlsx];
/// The formats an analysis result takes.
pub const RESULT_FORMATS: &[Format] = &[Format::Csv, Format::Xlsx, Format::Json];
/// The formats a query result takes.
pub const QUERY_FORMATS: &[Format] = &[Format::Csv, Format::Xlsx, Format::Parquet];

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Parquet => "parquet",
        }
    }

    /// The format of `path`, which must be one of `allowed`.
    pub fn of_path(path: &Path, allowed: &[Format]) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        allowed
            .iter()
            .copied()
            .find(|f| ext.as_deref() == Some(f.extension()))
            .ok_or_else(|| {
                let names: Vec<String> = allowed
                    .iter()
                    .map(|f| format!(".{}", f.extension()))
                    .collect();
                let names = match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => names.join(""),
                };
                Error::invalid(format!(
                    "{}: expected a file name ending in {names}",
                    path.display()
                ))
            })
    }
}

/// What to export: the table, the sheet name it gets in a workbook, and the whole result for
/// JSON.
#[derive(Debug, Clone, Copy)]
pub struct Export<'a> {
    pub batches: &'a [RecordBatch],
    pub sheet: &'a str,
    pub json: Option<&'a serde_json::Value>,
}

impl<'a> Export<'a> {
    pub fn table(batches: &'a [RecordBatch], sheet: &'a str) -> Self {
        Export {
            batches,
            sheet,
            json: None,
        }
    }
}

/// Writes the export to `path` atomically in the format its name says (one of `allowed`);
/// returns the rows written.
pub fn to_path(path: &Path, allowed: &[Format], export: &Export<'_>, tz: Tz) -> Result<u64> {
    let format = Format::of_path(path, allowed)?;
    let rows = write_atomic(path, Visibility::Public, |file| {
        to_writer(file, format, export, tz).map_err(std::io::Error::other)
    })
    .map_err(|e| match e.downcast::<Error>() {
        Ok(inner) => inner.context(format!("exporting to {}", path.display())),
        Err(e) => crate::error::io(path)(e).context(format!("exporting to {}", path.display())),
    })?;
    Ok(rows)
}

/// Writes the export to any seekable writer (a file, a buffer).
pub fn to_writer<W: Write + Seek + Send>(
    out: &mut W,
    format: Format,
    export: &Export<'_>,
    tz: Tz,
) -> Result<u64> {
    match format {
        Format::Csv => write_csv(&rounded(export.batches)?, out, tz),
        Format::Xlsx => write_xlsx(&rounded(export.batches)?, out, tz, export.sheet),
        Format::Json => {
            let rows = export.batches.iter().map(|b| b.num_rows() as u64).sum();
            match export.json {
                Some(v) => {
                    let mut v = v.clone();
                    round_json(&mut v, None);
                    serde_json::to_writer_pretty(&mut *out, &v)
                        .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?
                }
                None => {
                    let mut w = arrow::json::ArrayWriter::new(&mut *out);
                    for b in &rounded(export.batches)? {
                        w.write(b)?;
                    }
                    w.finish()?;
                }
            }
            Ok(rows)
        }
        Format::Parquet => write_parquet(export.batches, out),
    }
}

/// How a number is rounded for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Cents.
    Money,
    /// Four decimals; below 0.001, four significant digits (rates, probabilities, days,
    /// expected counts).
    Measure,
}

/// The precision of a column or JSON field, by its name: amounts of money (revenue, spend,
/// value, CLV, cost, saved, price, amount) to cents, everything else (shares and rates of money
/// too) as a measure.
pub fn precision_of(name: &str) -> Precision {
    const MONEY: [&str; 9] = [
        "amount", "revenue", "spend", "monetary", "value", "clv", "cost", "saved", "price",
    ];
    // Shares and rates of money (revenue_share) are rates; p_value is a probability.
    const MEASURE: [&str; 7] = ["share", "rate", "ratio", "pct", "conversion", "trend", "p_"];
    let n = name.to_ascii_lowercase();
    if MONEY.iter().any(|m| n.contains(m)) && !MEASURE.iter().any(|m| n.contains(m)) {
        Precision::Money
    } else {
        Precision::Measure
    }
}

/// `v` rounded as `p` says; infinities and NaN stay.
pub fn round(v: f64, p: Precision) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    let decimals = match p {
        Precision::Money => 2,
        Precision::Measure if v.abs() >= 1e-3 => 4,
        Precision::Measure => (3 - v.abs().log10().floor() as i32).clamp(4, 15),
    };
    let scale = 10f64.powi(decimals);
    let r = (v * scale).round() / scale;
    if r.is_finite() { r } else { v }
}

/// The batches with every floating-point column rounded by [`precision_of`] its name: what
/// files and terminals show (the stored tables keep every digit).
pub fn rounded(batches: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
    use arrow::array::ArrayRef;
    use arrow::datatypes::Float64Type;
    batches
        .iter()
        .map(|b| {
            let schema = b.schema();
            let cols = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| match c.as_primitive_opt::<Float64Type>() {
                    Some(a) => {
                        let p = precision_of(f.name());
                        std::sync::Arc::new(a.unary::<_, Float64Type>(|v| round(v, p))) as ArrayRef
                    }
                    None => c.clone(),
                })
                .collect();
            Ok(RecordBatch::try_new(schema.clone(), cols)?)
        })
        .collect()
}

/// Rounds every number of a JSON result by the name of the field that holds it (or of the
/// nearest named field above it, for numbers in arrays).
pub fn round_json(v: &mut serde_json::Value, key: Option<&str>) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64() {
                let p = key.map_or(Precision::Measure, precision_of);
                if let Some(r) = serde_json::Number::from_f64(round(x, p)) {
                    *n = r;
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                round_json(item, key);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                round_json(item, Some(k));
            }
        }
        _ => {}
    }
}

/// How query results stream to a terminal, a pipe or an HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// CSV with a header row (no byte-order mark: a pipe, not a spreadsheet).
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// A JSON array of objects.
    Json,
}

/// Writes the batches to `out` as `format`.
pub fn stream(out: &mut dyn Write, batches: &[RecordBatch], format: Stream) -> Result<()> {
    let pipe = |e: std::io::Error| crate::error::io("output")(e);
    let batches = &rounded(batches)?;
    match format {
        Stream::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut *out);
            for b in batches {
                w.write(b).map_err(arrow_io)?;
            }
        }
        Stream::Jsonl => {
            let mut w = arrow::json::LineDelimitedWriter::new(&mut *out);
            for b in batches {
                w.write(b).map_err(arrow_io)?;
            }
            w.finish().map_err(arrow_io)?;
        }
        Stream::Json => {
            let mut w = arrow::json::ArrayWriter::new(&mut *out);
            for b in batches {
                w.write(b).map_err(arrow_io)?;
            }
            w.finish().map_err(arrow_io)?;
        }
    }
    out.flush().map_err(pipe)
}

/// Arrow wraps the writer's IO errors; unwrap them so a closed pipe is recognised as one.
fn arrow_io(e: arrow::error::ArrowError) -> Error {
    match e {
        arrow::error::ArrowError::IoError(_, io) => crate::error::io("output")(io),
        arrow::error::ArrowError::ExternalError(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => crate::error::io("output")(*io),
                Err(other) => Error::Arrow(arrow::error::ArrowError::ExternalError(other)),
            }
        }
        other => Error::Arrow(other),
    }
}

/// A cell as the export writes it.
enum Cell {
    Empty,
    Number(f64),
    Text(String),
    /// Local wall-clock time, as text and as an Excel serial day number.
    Time(String, f64),
}

fn cell(col: &dyn Array, i: usize, tz: Tz) -> Result<Cell> {
    use arrow::datatypes as t;
    if col.is_null(i) {
        return Ok(Cell::Empty);
    }
    Ok(match col.data_type() {
        DataType::Utf8 => Cell::Text(col.as_string::<i32>().value(i).to_string()),
        DataType::Utf8View => Cell::Text(col.as_string_view().value(i).to_string()),
        DataType::LargeUtf8 => Cell::Text(col.as_string::<i64>().value(i).to_string()),
        DataType::Boolean => Cell::Text(col.as_boolean().value(i).to_string()),
        DataType::Int64 => Cell::Number(col.as_primitive::<t::Int64Type>().value(i) as f64),
        DataType::Int32 => Cell::Number(f64::from(col.as_primitive::<t::Int32Type>().value(i))),
        DataType::UInt8 => Cell::Number(f64::from(col.as_primitive::<t::UInt8Type>().value(i))),
        DataType::UInt32 => Cell::Number(f64::from(col.as_primitive::<t::UInt32Type>().value(i))),
        DataType::UInt64 => Cell::Number(col.as_primitive::<t::UInt64Type>().value(i) as f64),
        DataType::Float64 => {
            let v = col.as_primitive::<t::Float64Type>().value(i);
            if v.is_finite() {
                Cell::Number(v)
            } else {
                Cell::Empty
            }
        }
        DataType::Float32 => Cell::Number(f64::from(col.as_primitive::<t::Float32Type>().value(i))),
        DataType::Decimal128(_, scale) => {
            let v = col.as_primitive::<t::Decimal128Type>().value(i);
            Cell::Number(v as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let us = col.as_primitive::<t::TimestampMicrosecondType>().value(i);
            let local = tz
                .timestamp_micros(us)
                .single()
                .ok_or_else(|| Error::Internal(format!("time {us} µs is out of range")))?
                .naive_local();
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("Excel's epoch is a valid time");
            let serial = (local - epoch).num_microseconds().unwrap_or(0) as f64 / 86_400e6;
            Cell::Time(local.format("%Y-%m-%d %H:%M:%S").to_string(), serial)
        }
        _ => Cell::Text(arrow::util::display::array_value_to_string(col, i)?),
    })
}

fn write_csv(batches: &[RecordBatch], out: &mut dyn Write, tz: Tz) -> Result<u64> {
    let csv_err = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    let mut out = std::io::BufWriter::new(out);
    out.write_all("\u{feff}".as_bytes())
        .map_err(crate::error::io("output"))?;
    let mut w = csv::Writer::from_writer(out);
    let mut rows = 0u64;
    if let Some(first) = batches.first() {
        let schema = first.schema();
        w.write_record(schema.fields().iter().map(|f| f.name().as_str()))
            .map_err(csv_err)?;
        let mut record: Vec<String> = Vec::new();
        for b in batches {
            for i in 0..b.num_rows() {
                record.clear();
                for c in b.columns() {
                    record.push(match cell(c.as_ref(), i, tz)? {
                        Cell::Empty => String::new(),
                        Cell::Number(v) => format_number(v),
                        Cell::Text(s) | Cell::Time(s, _) => s,
                    });
                }
                w.write_record(&record).map_err(csv_err)?;
                rows += 1;
            }
        }
    }
    w.flush().map_err(crate::error::io("output"))?;
    Ok(rows)
}

/// Shortest text that reads back as the same number, without a trailing `.0` for integers.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn write_parquet<W: Write + Send>(batches: &[RecordBatch], out: &mut W) -> Result<u64> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;
    let pq = |e: parquet::errors::ParquetError| Error::Internal(format!("writing Parquet: {e}"));
    let Some(first) = batches.first() else {
        // No batch, no schema: an empty result of no columns.
        let schema = std::sync::Arc::new(arrow::datatypes::Schema::empty());
        ArrowWriter::try_new(out, schema, None)
            .and_then(ArrowWriter::close)
            .map_err(pq)?;
        return Ok(0);
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let mut w = ArrowWriter::try_new(out, first.schema(), Some(props)).map_err(pq)?;
    let mut rows = 0u64;
    for b in batches {
        w.write(b).map_err(pq)?;
        rows += b.num_rows() as u64;
    }
    w.close().map_err(pq)?;
    Ok(rows)
}

fn write_xlsx<W: Write + Seek + Send>(
    batches: &[RecordBatch],
    out: &mut W,
    tz: Tz,
    sheet: &str,
) -> Result<u64> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let time = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let mut rows = 0u64;
    if let Some(first) = batches.first() {
        let schema = first.schema();
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let per_sheet = XLSX_MAX_ROWS - 1;
        let sheets = total.div_ceil(per_sheet).max(1);
        let mut cells = batches
            .iter()
            .flat_map(|b| (0..b.num_rows()).map(move |i| (b, i)));
        for s in 0..sheets {
            let ws = book.add_worksheet_with_constant_memory().map_err(xlsx)?;
            ws.set_name(if s == 0 {
                sheet.to_string()
            } else {
                format!("{sheet} ({})", s + 1)
            })
            .map_err(xlsx)?;
            for (c, f) in schema.fields().iter().enumerate() {
                ws.write_string_with_format(0, c as u16, f.name(), &bold)
                    .map_err(xlsx)?;
                let width = if matches!(f.data_type(), DataType::Timestamp(..)) {
                    19.0
                } else {
                    14.0
                };
                ws.set_column_width(c as u16, width).map_err(xlsx)?;
            }
            ws.set_freeze_panes(1, 1).map_err(xlsx)?;
            for (r, (b, i)) in (1u32..).zip(cells.by_ref().take(per_sheet)) {
                for (c, col) in b.columns().iter().enumerate() {
                    let c = c as u16;
                    match cell(col.as_ref(), i, tz)? {
                        Cell::Empty => {}
                        Cell::Number(v) => {
                            ws.write_number(r, c, v).map_err(xlsx)?;
                        }
                        Cell::Text(t) => {
                            ws.write_string(r, c, &t).map_err(xlsx)?;
                        }
                        Cell::Time(_, serial) => {
                            ws.write_number_with_format(r, c, serial, &time)
                                .map_err(xlsx)?;
                        }
                    }
                }
                rows += 1;
            }
        }
    } else {
        book.add_worksheet().set_name(sheet).map_err(xlsx)?;
    }
    book.save_to_writer(out).map_err(xlsx)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::{Decimal128Array, StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{Field, Schema};

    fn batch() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("客户", DataType::Utf8, true),
            Field::new("amount", DataType::Decimal128(18, 2), true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![Some("张三, \"VIP\""), None])),
                Arc::new(
                    Decimal128Array::from(vec![Some(129_900), Some(5)])
                        .with_precision_and_scale(18, 2)
                        .unwrap(),
                ),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1_767_225_600_000_000), None])
                        .with_timezone("UTC"),
                ),
            ],
        )
        .unwrap()
    }

    #[test]
    fn csv_has_a_bom_local_times_and_quoted_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let b = [batch()];
        let rows = to_path(
            &path,
            TABLE_FORMATS,
            &Export::table(&b, "x"),
            chrono_tz::Asia::Shanghai,
        );
        assert_eq!(rows.unwrap(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "\u{feff}客户,amount,at\n\"张三, \"\"VIP\"\"\",1299,2026-01-01 08:00:00\n,0.05,\n"
        );
    }

    #[test]
    fn xlsx_reads_back_and_unknown_formats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        let b = [batch()];
        let e = Export::table(&b, "customers");
        to_path(&path, TABLE_FORMATS, &e, chrono_tz::Asia::Shanghai).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
        let json = dir.path().join("x.json");
        let err = to_path(&json, TABLE_FORMATS, &e, chrono_tz::UTC).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a file name ending in .csv or .xlsx"),
            "{err}"
        );
        assert_eq!(err.kind(), crate::ErrorKind::Invalid);
        assert!(!json.exists());
    }

    /// Issue 14: a rate came out as 0.9315986262202447 in CSV and JSON.
    #[test]
    fn numbers_are_rounded_as_people_read_them() {
        use arrow::array::Float64Array;
        assert_eq!(round(0.9315986262202447, Precision::Measure), 0.9316);
        assert_eq!(round(0.000123456, Precision::Measure), 0.0001235);
        assert_eq!(round(123.456789, Precision::Measure), 123.4568);
        assert_eq!(round(1234.5678, Precision::Money), 1234.57);
        assert!(round(f64::NAN, Precision::Money).is_nan());
        assert_eq!(precision_of("clv_12m"), Precision::Money);
        assert_eq!(precision_of("avg_order_value"), Precision::Money);
        assert_eq!(precision_of("p_alive"), Precision::Measure);
        assert_eq!(precision_of("from_previous"), Precision::Measure);
        assert_eq!(precision_of("revenue_share"), Precision::Measure);
        assert_eq!(precision_of("value_at_risk"), Precision::Money);
        let b = RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("from_first", DataType::Float64, true),
                Field::new("expected_spend", DataType::Float64, true),
            ])),
            vec![
                Arc::new(Float64Array::from(vec![Some(0.9315986262202447), None])),
                Arc::new(Float64Array::from(vec![
                    Some(212.33333333333334),
                    Some(5.0),
                ])),
            ],
        )
        .unwrap();
        let mut buf = std::io::Cursor::new(Vec::new());
        to_writer(
            &mut buf,
            Format::Csv,
            &Export::table(std::slice::from_ref(&b), "x"),
            chrono_tz::UTC,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(buf.into_inner()).unwrap(),
            "\u{feff}from_first,expected_spend\n0.9316,212.33\n,5\n"
        );
        let mut out = Vec::new();
        stream(&mut out, &[b], Stream::Jsonl).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"from_first\":0.9316,\"expected_spend\":212.33}\n{\"expected_spend\":5.0}\n"
        );
        let mut v =
            serde_json::json!({"steps": [{"from_first": 0.9315986262202447}], "revenue": 10.005});
        round_json(&mut v, None);
        assert_eq!(
            v,
            serde_json::json!({"steps": [{"from_first": 0.9316}], "revenue": 10.01})
        );
    }

    #[test]
    fn parquet_keeps_the_stored_types_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        let b = [batch()];
        let rows = to_path(
            &path,
            QUERY_FORMATS,
            &Export::table(&b, "x"),
            chrono_tz::Asia::Shanghai,
        );
        assert_eq!(rows.unwrap(), 2);
        let file = std::fs::File::open(&path).unwrap();
        let back: Vec<RecordBatch> =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .build()
                .unwrap()
                .collect::<std::result::Result<_, _>>()
                .unwrap();
        assert_eq!(back, b.to_vec());
        let err = Format::of_path(&dir.path().join("x.json"), QUERY_FORMATS).unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a file name ending in .csv, .xlsx or .parquet"),
            "{err}"
        );
    }

    #[test]
    fn json_writes_the_whole_result_and_a_buffer_takes_any_format() {
        let b = [batch()];
        let whole = serde_json::json!({"steps": 3});
        let e = Export {
            batches: &b,
            sheet: "x",
            json: Some(&whole),
        };
        let mut buf = std::io::Cursor::new(Vec::new());
        to_writer(&mut buf, Format::Json, &e, chrono_tz::UTC).unwrap();
        assert_eq!(
            String::from_utf8(buf.into_inner()).unwrap(),
            "{\n  \"steps\": 3\n}"
        );
        let mut buf = std::io::Cursor::new(Vec::new());
        to_writer(&mut buf, Format::Xlsx, &e, chrono_tz::UTC).unwrap();
        assert_eq!(&buf.get_ref()[..2], b"PK");
    }
}
