//! A small runner for sqllogictest `.slt` files over a DataFusion session: the format
//! DataFusion's own SQL tests use, cut to what our tests need. Records are separated by blank
//! lines; `#` starts a comment line.
//!
//! ```text
//! statement ok
//! CREATE VIEW v AS SELECT 1 AS x
//!
//! statement error <fragment of the expected message>
//! SELECT * FROM funnel('home')
//!
//! query TIR [rowsort]
//! SELECT 'a', 1, 0.5
//! ----
//! a 1 0.5
//! ```
//!
//! Unlike the `sqllogictest` crate, an error is matched as a plain fragment of the message, not
//! a regular expression. Expected rows are written by hand: there is no blessing mode.
//!
//! Values are written as this runner prints them, separated by spaces (runs of white space
//! count as one): text as is (`(empty)` for an empty string), `NULL`, integers, floats through
//! Rust's `Display` (`1`, `0.25`, `270`; round in the query where a value is not exact in
//! binary), decimals and times as Arrow displays them. Column types are checked: `T` text, `I`
//! integer, `R` float or decimal, `?` anything else.

use std::path::{Path, PathBuf};

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float32Type, Float64Type};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

/// What a query returned: a type letter per column and the rows as written in `.slt` files.
struct Output {
    types: String,
    rows: Vec<Vec<String>>,
}

async fn run_sql(ctx: &SessionContext, sql: &str) -> Result<Output, DataFusionError> {
    let df = ctx.sql(sql).await?;
    let schema = df.schema().as_arrow().clone();
    let batches = df.collect().await?;
    let types = schema
        .fields()
        .iter()
        .map(|f| column_type(f.data_type()))
        .collect();
    let mut rows = Vec::new();
    for b in &batches {
        rows.extend(batch_rows(b)?);
    }
    Ok(Output { types, rows })
}

fn column_type(t: &DataType) -> char {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => 'T',
        t if t.is_integer() => 'I',
        t if t.is_floating()
            || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
        {
            'R'
        }
        _ => '?',
    }
}

/// A column's value at a row, as written in the `.slt` files.
type Cell<'a> = Box<dyn Fn(usize) -> Result<String, DataFusionError> + 'a>;

fn batch_rows(b: &RecordBatch) -> Result<Vec<Vec<String>>, DataFusionError> {
    let options = FormatOptions::default().with_null("NULL");
    let cells: Vec<Cell> = b
        .columns()
        .iter()
        .map(|c| cell(c, &options))
        .collect::<Result<_, _>>()?;
    (0..b.num_rows())
        .map(|r| cells.iter().map(|f| f(r)).collect())
        .collect()
}

/// How one column's values are written.
fn cell<'a>(c: &'a ArrayRef, options: &'a FormatOptions<'a>) -> Result<Cell<'a>, DataFusionError> {
    let float = |v: f64| format!("{v}");
    Ok(match c.data_type() {
        DataType::Float64 => {
            let a = c.as_primitive::<Float64Type>();
            Box::new(move |r| {
                Ok(if a.is_null(r) {
                    "NULL".into()
                } else {
                    float(a.value(r))
                })
            })
        }
        DataType::Float32 => {
            let a = c.as_primitive::<Float32Type>();
            Box::new(move |r| {
                Ok(if a.is_null(r) {
                    "NULL".into()
                } else {
                    float(f64::from(a.value(r)))
                })
            })
        }
        _ => {
            let f = ArrayFormatter::try_new(c.as_ref(), options)?;
            Box::new(move |r| {
                let s = f.value(r).try_to_string()?;
                Ok(if s.is_empty() && !c.is_null(r) {
                    "(empty)".into()
                } else {
                    s
                })
            })
        }
    })
}

/// The `.slt` files of `folder`, in name order.
pub fn files(folder: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "slt"))
        .collect();
    v.sort();
    v
}

/// One record of a file, with the line it starts on.
#[derive(Debug)]
enum Record {
    Ok {
        line: usize,
        sql: String,
    },
    Error {
        line: usize,
        sql: String,
        fragment: String,
    },
    Query {
        line: usize,
        types: String,
        rowsort: bool,
        sql: String,
        expected: Vec<String>,
    },
}

/// The records of an `.slt` text; a malformed record is an error naming its line.
fn parse(text: &str) -> Result<Vec<Record>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut records = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let head = lines[i].trim();
        if head.is_empty() || head.starts_with('#') {
            i += 1;
            continue;
        }
        let line = i + 1;
        i += 1;
        let mut sql = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && lines[i].trim() != "----" {
            if !lines[i].trim_start().starts_with('#') {
                sql.push(lines[i]);
            }
            i += 1;
        }
        let sql = sql.join("\n");
        if sql.trim().is_empty() {
            return Err(format!("line {line}: `{head}` has no SQL after it"));
        }
        let words: Vec<&str> = head.split_whitespace().collect();
        match words.as_slice() {
            ["statement", "ok"] => records.push(Record::Ok { line, sql }),
            ["statement", "error", rest @ ..] if !rest.is_empty() => records.push(Record::Error {
                line,
                sql,
                fragment: rest.join(" "),
            }),
            ["query", types, sort @ ..] if sort.is_empty() || sort == ["rowsort"] => {
                if lines.get(i).map(|l| l.trim()) != Some("----") {
                    return Err(format!("line {line}: a query needs `----` before its rows"));
                }
                i += 1;
                let mut expected = Vec::new();
                while i < lines.len() && !lines[i].trim().is_empty() {
                    expected.push(normalise(lines[i]));
                    i += 1;
                }
                records.push(Record::Query {
                    line,
                    types: types.to_string(),
                    rowsort: !sort.is_empty(),
                    sql,
                    expected,
                });
            }
            _ => {
                return Err(format!(
                    "line {line}: `{head}`: expected `statement ok`, `statement error <fragment>` or `query <types> [rowsort]`"
                ));
            }
        }
    }
    Ok(records)
}

/// Runs of white space as one space, as the rows are compared.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs every record of one `.slt` file in `ctx`, in order. The error lists each record that
/// failed: its line, the SQL, what was expected and what came.
pub async fn run_file(path: &Path, ctx: &SessionContext) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path.display();
    let mut failures = Vec::new();
    for record in parse(&text).map_err(|e| format!("{name}: {e}"))? {
        match record {
            Record::Ok { line, sql } => {
                if let Err(e) = run_sql(ctx, &sql).await {
                    failures.push(format!("{name}:{line}: {sql}\nfailed: {e}"));
                }
            }
            Record::Error {
                line,
                sql,
                fragment,
            } => match run_sql(ctx, &sql).await {
                Ok(_) => failures.push(format!(
                    "{name}:{line}: {sql}\nsucceeded, expected an error with `{fragment}`"
                )),
                Err(e) if !e.to_string().contains(&fragment) => failures.push(format!(
                    "{name}:{line}: {sql}\nexpected an error with `{fragment}`, got: {e}"
                )),
                Err(_) => {}
            },
            Record::Query {
                line,
                types,
                rowsort,
                sql,
                mut expected,
            } => {
                let out = match run_sql(ctx, &sql).await {
                    Ok(out) => out,
                    Err(e) => {
                        failures.push(format!("{name}:{line}: {sql}\nfailed: {e}"));
                        continue;
                    }
                };
                let mut got: Vec<String> =
                    out.rows.iter().map(|r| normalise(&r.join(" "))).collect();
                if rowsort {
                    got.sort();
                    expected.sort();
                }
                if out.types != types {
                    failures.push(format!(
                        "{name}:{line}: {sql}\ncolumn types: expected {types}, got {}",
                        out.types
                    ));
                } else if got != expected {
                    failures.push(format!(
                        "{name}:{line}: {sql}\nexpected:\n{}\ngot:\n{}",
                        expected.join("\n"),
                        got.join("\n")
                    ));
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_parse_and_name_their_lines() {
        let text = "# a comment\n\nstatement ok\nCREATE VIEW v AS SELECT 1\n\nstatement error not found\nSELECT * FROM nowhere\n\nquery TI rowsort\nSELECT 'a',\n  1\n----\na   1\n";
        let r = parse(text).unwrap();
        assert_eq!(r.len(), 3);
        assert!(matches!(&r[0], Record::Ok { line: 3, .. }));
        assert!(
            matches!(&r[1], Record::Error { line: 6, fragment, .. } if fragment == "not found")
        );
        match &r[2] {
            Record::Query {
                line,
                types,
                rowsort,
                sql,
                expected,
            } => {
                assert_eq!((*line, types.as_str(), *rowsort), (9, "TI", true));
                assert_eq!(sql, "SELECT 'a',\n  1");
                assert_eq!(expected, &["a 1"]);
            }
            other => panic!("{other:?}"),
        }
        let e = parse("query T\nSELECT 1\n").unwrap_err();
        assert!(e.contains("line 1") && e.contains("----"), "{e}");
        assert!(
            parse("statement maybe\nSELECT 1\n")
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn a_wrong_row_type_or_message_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.slt");
        std::fs::write(
            &path,
            "query IRT\nSELECT 1, 0.25, ''\n----\n1 0.25 (empty)\n\nquery I\nSELECT 2\n----\n3\n\nquery T\nSELECT 2\n----\n2\n\nstatement error no such thing\nSELECT * FROM nowhere\n",
        )
        .unwrap();
        let rt = crate::rt();
        let e = rt
            .block_on(run_file(&path, &SessionContext::new()))
            .unwrap_err();
        assert!(!e.contains("t.slt:1:"), "{e}");
        assert!(
            e.contains("t.slt:6:") && e.contains("expected:\n3\ngot:\n2"),
            "{e}"
        );
        assert!(
            e.contains("t.slt:11:") && e.contains("expected T, got I"),
            "{e}"
        );
        assert!(e.contains("t.slt:16:") && e.contains("nowhere"), "{e}");
    }
}
