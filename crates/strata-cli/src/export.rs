//! Writing result tables for spreadsheet users: CSV in UTF-8 with a byte-order mark (so Excel
//! shows Chinese text instead of mojibake) and XLSX with typed cells. Times are written in the
//! shop's local time, as people read them.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::TimeZone;
use chrono_tz::Tz;

/// Excel's sheet row limit, header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

/// The export format, from the file name's extension.
pub fn write(batches: &[RecordBatch], path: &Path, tz: Tz, sheet: &str) -> Result<u64> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    // Write next to the target and rename, so a failed export never leaves half a file.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = tempfile::Builder::new()
        .prefix(".strata-export")
        .tempfile_in(dir.unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot write to the folder of {}", path.display()))?;
    let rows = match ext.as_deref() {
        Some("csv") => write_csv(batches, tmp.path(), tz)?,
        Some("xlsx") => write_xlsx(batches, tmp.path(), tz, sheet)?,
        _ => bail!(crate::UserError(format!(
            "{}: unknown export format; expected a file name ending in .csv or .xlsx",
            path.display()
        ))),
    };
    readable_by_all(tmp.as_file())?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(rows)
}

/// Temporary files are private (0600); a report or export is an ordinary file (0644).
pub fn readable_by_all(file: &std::fs::File) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
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
    if col.is_null(i) {
        return Ok(Cell::Empty);
    }
    Ok(match col.data_type() {
        DataType::Utf8 => Cell::Text(col.as_string::<i32>().value(i).to_string()),
        DataType::Utf8View => Cell::Text(col.as_string_view().value(i).to_string()),
        DataType::LargeUtf8 => Cell::Text(col.as_string::<i64>().value(i).to_string()),
        DataType::Boolean => Cell::Text(col.as_boolean().value(i).to_string()),
        DataType::Int64 => {
            Cell::Number(col.as_primitive::<arrow::datatypes::Int64Type>().value(i) as f64)
        }
        DataType::Int32 => Cell::Number(f64::from(
            col.as_primitive::<arrow::datatypes::Int32Type>().value(i),
        )),
        DataType::UInt8 => Cell::Number(f64::from(
            col.as_primitive::<arrow::datatypes::UInt8Type>().value(i),
        )),
        DataType::UInt32 => Cell::Number(f64::from(
            col.as_primitive::<arrow::datatypes::UInt32Type>().value(i),
        )),
        DataType::UInt64 => {
            Cell::Number(col.as_primitive::<arrow::datatypes::UInt64Type>().value(i) as f64)
        }
        DataType::Float64 => {
            let v = col.as_primitive::<arrow::datatypes::Float64Type>().value(i);
            if v.is_finite() {
                Cell::Number(v)
            } else {
                Cell::Empty
            }
        }
        DataType::Float32 => Cell::Number(f64::from(
            col.as_primitive::<arrow::datatypes::Float32Type>().value(i),
        )),
        DataType::Decimal128(_, scale) => {
            let v = col
                .as_primitive::<arrow::datatypes::Decimal128Type>()
                .value(i);
            Cell::Number(v as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            let us = col
                .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                .value(i);
            let local = tz
                .timestamp_micros(us)
                .single()
                .context("time out of range")?
                .naive_local();
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .expect("valid date")
                .and_hms_opt(0, 0, 0)
                .expect("valid time");
            let serial = (local - epoch).num_microseconds().unwrap_or(0) as f64 / 86_400e6;
            Cell::Time(local.format("%Y-%m-%d %H:%M:%S").to_string(), serial)
        }
        _ => {
            let text = arrow::util::display::array_value_to_string(col, i)?;
            Cell::Text(text)
        }
    })
}

fn write_csv(batches: &[RecordBatch], path: &Path, tz: Tz) -> Result<u64> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    let Some(first) = batches.first() else {
        w.flush()?;
        return Ok(0);
    };
    let schema = first.schema();
    w.write_record(schema.fields().iter().map(|f| f.name().as_str()))?;
    let mut rows = 0u64;
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
            w.write_record(&record)?;
            rows += 1;
        }
    }
    w.flush()?;
    let out = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?
        .sync_all()?;
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

fn write_xlsx(batches: &[RecordBatch], path: &Path, tz: Tz, sheet: &str) -> Result<u64> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let Some(first) = batches.first() else {
        book.add_worksheet().set_name(sheet)?;
        book.save(path)?;
        return Ok(0);
    };
    let schema = first.schema();
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let per_sheet = XLSX_MAX_ROWS - 1;
    let sheets = total.div_ceil(per_sheet).max(1);
    let mut rows = 0u64;
    let mut cells = batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |i| (b, i)));
    for s in 0..sheets {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(if s == 0 {
            sheet.to_string()
        } else {
            format!("{sheet} ({})", s + 1)
        })?;
        for (c, f) in schema.fields().iter().enumerate() {
            ws.write_string_with_format(0, c as u16, f.name(), &bold)?;
            let width = if matches!(f.data_type(), DataType::Timestamp(..)) {
                19.0
            } else {
                14.0
            };
            ws.set_column_width(c as u16, width)?;
        }
        ws.set_freeze_panes(1, 1)?;
        for (r, (b, i)) in (1u32..).zip(cells.by_ref().take(per_sheet)) {
            for (c, col) in b.columns().iter().enumerate() {
                let c = c as u16;
                match cell(col.as_ref(), i, tz)? {
                    Cell::Empty => {}
                    Cell::Number(v) => {
                        ws.write_number(r, c, v)?;
                    }
                    Cell::Text(t) => {
                        ws.write_string(r, c, &t)?;
                    }
                    Cell::Time(_, serial) => {
                        ws.write_number_with_format(r, c, serial, &time)?;
                    }
                }
            }
            rows += 1;
        }
    }
    book.save(path)?;
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
        assert_eq!(
            write(&[batch()], &path, chrono_tz::Asia::Shanghai, "x").unwrap(),
            2
        );
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
        write(&[batch()], &path, chrono_tz::Asia::Shanghai, "customers").unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
        let e = write(&[batch()], &dir.path().join("x.json"), chrono_tz::UTC, "x").unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a file name ending in .csv or .xlsx"),
            "{e}"
        );
        assert!(!dir.path().join("x.json").exists());
    }
}
