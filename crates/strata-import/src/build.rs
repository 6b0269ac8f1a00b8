//! Turns rows of text cells into typed Arrow batches of a canonical table. A row either goes in
//! whole or is rejected whole with the column, value and reason.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Decimal128Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::record_batch::RecordBatch;
use strata_store::schema::{MONEY_PRECISION, MONEY_SCALE, TIME_ZONE};
use strata_store::{Kind, TableSpec, Vocab};

use crate::source::RowBuf;
use crate::value::{self, ValueOptions};

/// A row that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

enum Col {
    Str(StringBuilder),
    Time(TimestampMicrosecondBuilder),
    Money(Decimal128Builder),
    Int(Int64Builder),
    Bool(BooleanBuilder),
}

/// A parsed cell, held until every cell of the row has parsed.
enum P {
    Null,
    Raw,
    Text(String),
    Static(&'static str),
    I(i64),
    D(i128),
    B(bool),
}

pub(crate) struct BatchBuilder {
    table: &'static TableSpec,
    cols: Vec<Col>,
    parsed: Vec<P>,
    rows: usize,
    opts: ValueOptions,
    fallback: Vec<Option<usize>>,
    currency: Option<usize>,
    line_no: Option<usize>,
    order_id: Option<usize>,
    /// Next line number per order, for order lines imported without one.
    next_line: HashMap<String, i64>,
}

fn new_col(kind: Kind) -> Col {
    match kind {
        Kind::Id | Kind::Text | Kind::Vocab(_) | Kind::Json => Col::Str(StringBuilder::new()),
        Kind::Time => Col::Time(TimestampMicrosecondBuilder::new().with_timezone(TIME_ZONE)),
        Kind::Money => Col::Money(
            Decimal128Builder::new()
                .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                .expect("the money type is valid"),
        ),
        Kind::Int | Kind::Rating => Col::Int(Int64Builder::new()),
        Kind::Bool => Col::Bool(BooleanBuilder::new()),
    }
}

/// Identifiers as spreadsheets export them: `="0012345"` and `'0012345` keep Excel from
/// turning long numbers into floats; a trailing tab does the same in some Taobao exports.
fn clean_id(s: &str) -> &str {
    let s = s.trim_matches(|c: char| c.is_whitespace());
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.trim();
    }
    s.strip_prefix('\'').unwrap_or(s).trim()
}

impl BatchBuilder {
    pub fn new(table: &'static TableSpec, opts: ValueOptions) -> BatchBuilder {
        BatchBuilder {
            table,
            cols: table.fields.iter().map(|f| new_col(f.kind)).collect(),
            parsed: table.fields.iter().map(|_| P::Null).collect(),
            rows: 0,
            opts,
            fallback: table
                .fields
                .iter()
                .map(|f| f.fallback.and_then(|fb| table.index_of(fb)))
                .collect(),
            currency: table.index_of("currency"),
            line_no: (table.name == "order_items")
                .then(|| table.index_of("line_no"))
                .flatten(),
            order_id: table.index_of("order_id"),
            next_line: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    /// Parses one row and appends it, or says why it cannot be imported.
    pub fn push(&mut self, row: &RowBuf, file: &str) -> Result<(), Reject> {
        let reject = |fi: Option<usize>, value: &str, reason: String| Reject {
            file: file.to_string(),
            line: row.line,
            column: fi.map_or_else(String::new, |i| row.labels[i].clone()),
            value: value.chars().take(200).collect(),
            reason,
        };
        if let Some((column, value, reason)) = &row.bad {
            return Err(Reject {
                file: file.to_string(),
                line: row.line,
                column: column.clone(),
                value: value.chars().take(200).collect(),
                reason: reason.clone(),
            });
        }
        let mut detected_currency: Option<&'static str> = None;
        for (fi, f) in self.table.fields.iter().enumerate() {
            // A cell is missing when empty; a column with a fallback reads the fallback's cell.
            let mut src = fi;
            let mut raw = row.present[fi]
                .then(|| row.vals[fi].trim())
                .filter(|s| !s.is_empty());
            if raw.is_none()
                && let Some(fb) = self.fallback[fi]
            {
                src = fb;
                raw = row.present[fb]
                    .then(|| row.vals[fb].trim())
                    .filter(|s| !s.is_empty());
            }
            let Some(s) = raw else {
                if f.required {
                    return Err(reject(
                        Some(fi),
                        "",
                        format!("`{}` is required but empty", f.name),
                    ));
                }
                self.parsed[fi] = match f.kind {
                    Kind::Vocab(Vocab::Status) => P::Static("paid"),
                    _ => P::Null,
                };
                continue;
            };
            let bad = |reason: String| reject(Some(src), s, reason);
            self.parsed[fi] = match f.kind {
                Kind::Id => {
                    let id = clean_id(s);
                    if id.is_empty() {
                        return Err(bad(format!("`{}` is required but empty", f.name)));
                    }
                    if id.len() == s.len() && src == fi {
                        P::Raw
                    } else {
                        P::Text(id.to_string())
                    }
                }
                // Raw reads the cell at append time; a fallback's cell must be copied.
                Kind::Text if src == fi => P::Raw,
                Kind::Text => P::Text(s.to_string()),
                Kind::Json => {
                    if serde_json::from_str::<serde_json::Value>(s).is_err() {
                        return Err(bad("expected a JSON object".into()));
                    }
                    P::Text(s.to_string())
                }
                Kind::Time => P::I(value::parse_time(s, &self.opts).map_err(bad)?),
                Kind::Money => {
                    let (cents, cur) = value::parse_money(s, &self.opts).map_err(bad)?;
                    if f.name == "paid_amount" {
                        detected_currency = cur;
                    }
                    P::D(i128::from(cents))
                }
                Kind::Int => P::I(value::parse_int(s).map_err(bad)?),
                Kind::Rating => P::I(value::parse_rating(s).map_err(bad)?),
                Kind::Bool => P::B(value::parse_bool(s).map_err(bad)?),
                Kind::Vocab(v) => match v {
                    Vocab::Channel => P::Text(value::norm_channel(s)),
                    Vocab::Device => P::Text(value::norm_device(s)),
                    Vocab::Payment => P::Text(value::norm_payment(s)),
                    Vocab::EventType => P::Text(value::norm_event_type(s)),
                    Vocab::Page => P::Text(value::norm_page(s)),
                    Vocab::Province => P::Text(value::norm_province(s)),
                    Vocab::City => P::Text(value::norm_city(s)),
                    Vocab::Status => P::Static(value::norm_status(s).map_err(bad)?),
                    Vocab::Gender => P::Static(value::norm_gender(s).map_err(bad)?),
                    Vocab::Currency => {
                        let code = s.to_ascii_uppercase();
                        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                            return Err(bad(
                                "expected a three-letter currency code such as CNY or USD".into(),
                            ));
                        }
                        P::Text(code)
                    }
                },
            };
        }
        if let Some(ci) = self.currency
            && matches!(self.parsed[ci], P::Null)
        {
            self.parsed[ci] = P::Static(detected_currency.unwrap_or(self.opts.default_currency));
        }
        if self.table.name == "events" {
            let has = |name: &str| {
                self.table
                    .index_of(name)
                    .is_some_and(|i| !matches!(self.parsed[i], P::Null))
            };
            if !has("customer_id") && !has("anonymous_id") {
                return Err(reject(
                    None,
                    "",
                    "an event needs a customer_id or an anonymous_id".into(),
                ));
            }
        }
        if let (Some(li), Some(oi)) = (self.line_no, self.order_id) {
            let order = match &self.parsed[oi] {
                P::Text(t) => t.clone(),
                _ => clean_id(&row.vals[oi]).to_string(),
            };
            let next = self.next_line.entry(order).or_insert(1);
            match self.parsed[li] {
                P::I(n) => *next = (*next).max(n + 1),
                _ => {
                    self.parsed[li] = P::I(*next);
                    *next += 1;
                }
            }
        }
        for (fi, col) in self.cols.iter_mut().enumerate() {
            let p = std::mem::replace(&mut self.parsed[fi], P::Null);
            match (col, p) {
                (Col::Str(b), P::Raw) => b.append_value(row.vals[fi].trim()),
                (Col::Str(b), P::Text(t)) => b.append_value(t),
                (Col::Str(b), P::Static(t)) => b.append_value(t),
                (Col::Str(b), _) => b.append_null(),
                (Col::Time(b), P::I(v)) => b.append_value(v),
                (Col::Time(b), _) => b.append_null(),
                (Col::Money(b), P::D(v)) => b.append_value(v),
                (Col::Money(b), _) => b.append_null(),
                (Col::Int(b), P::I(v)) => b.append_value(v),
                (Col::Int(b), _) => b.append_null(),
                (Col::Bool(b), P::B(v)) => b.append_value(v),
                (Col::Bool(b), _) => b.append_null(),
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Takes the rows appended so far as a batch.
    pub fn finish(&mut self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::Time(b) => Arc::new(b.finish()),
                    Col::Money(b) => Arc::new(b.finish()),
                    Col::Int(b) => Arc::new(b.finish()),
                    Col::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.table.schema(), arrays).expect("builders follow the table schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_id_wrappers_are_removed() {
        assert_eq!(clean_id("=\"0012345\""), "0012345");
        assert_eq!(clean_id("'0012345"), "0012345");
        assert_eq!(clean_id(" 123\t"), "123");
        assert_eq!(clean_id("A-1"), "A-1");
    }
}
