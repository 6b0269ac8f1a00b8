//! Turns rows of text cells into typed Arrow batches of a canonical table. A row either goes in
//! whole or is rejected whole with the column, value and reason.

use std::collections::{BTreeMap, HashMap};
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
    /// When the import started (µs), and the times after which are rejected as in the future.
    now: i64,
    not_after: Option<i64>,
    /// The orders table's amount and status columns, for the checks across cells.
    paid_amount: Option<usize>,
    status: Option<usize>,
    /// Paid orders with a zero amount among the rows built.
    pub zero_amount_paid: u64,
    /// Refunds exported with a negative amount, stored as refunded orders with the amount.
    pub negative_refunds: u64,
    /// Per row appended, the columns its file had (bit per field), so that an update keeps the
    /// stored values of the others.
    masks: Vec<u64>,
    /// Columns that are always there: key columns and numbered lines (generated when missing).
    always: u64,
    /// The money columns.
    money: u64,
    /// Per column, values the user maps to others (`--map-value status:待评价=paid`).
    value_maps: Vec<Option<BTreeMap<String, String>>>,
}

/// How to read an unknown vocabulary value as a known one.
fn map_hint(table: &str, column: &str, value: &str) -> String {
    format!(
        "to read `{value}` as one of them, map it: --map-value {column}:{value}=VALUE, or \
         [{table}.values.{column}] \"{value}\" = \"VALUE\" in the mapping file"
    )
}

/// The bit of field `i` in a row's column mask; tables have at most 64 columns.
pub(crate) fn bit(i: usize) -> u64 {
    1u64 << i
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
    pub fn new(
        table: &'static TableSpec,
        opts: ValueOptions,
        value_maps: Vec<Option<BTreeMap<String, String>>>,
    ) -> BatchBuilder {
        let now = opts
            .now_us
            .unwrap_or_else(|| chrono::Utc::now().timestamp_micros());
        BatchBuilder {
            table,
            cols: table.fields.iter().map(|f| new_col(f.kind)).collect(),
            parsed: table.fields.iter().map(|_| P::Null).collect(),
            rows: 0,
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
            now,
            not_after: opts
                .future_tolerance_secs
                .map(|t| now.saturating_add(t.saturating_mul(1_000_000))),
            paid_amount: (table.name == "orders")
                .then(|| table.index_of("paid_amount"))
                .flatten(),
            status: (table.name == "orders")
                .then(|| table.index_of("status"))
                .flatten(),
            zero_amount_paid: 0,
            negative_refunds: 0,
            masks: Vec::new(),
            value_maps,
            money: table
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.kind == Kind::Money)
                .fold(0, |m, (i, _)| m | bit(i)),
            always: table
                .key_indices()
                .into_iter()
                .chain(table.index_of("line_no"))
                .fold(0, |m, i| m | bit(i)),
            opts,
        }
    }

    /// The columns `row` has: read from its file, or derived from what it has (the currency of
    /// an amount, keys). A column filled from its fallback (the payment time from the order
    /// time) is not had: a new row takes the fallback, an updated one keeps its stored value.
    fn mask(&self, row: &RowBuf) -> u64 {
        let mut m = self.always;
        for (fi, &present) in row.present.iter().enumerate() {
            if present {
                m |= bit(fi);
            }
        }
        // The currency goes with the amounts: it is read from them when not given.
        if let Some(ci) = self.currency
            && m & self.money != 0
        {
            m |= bit(ci);
        }
        m
    }

    /// Why a time `t` (µs) read from `cell` is refused as in the future.
    fn future(&self, cell: &str, limit: i64) -> String {
        let (tz, now) = (self.opts.tz, self.now);
        let shown = |us: i64| {
            chrono::DateTime::from_timestamp_micros(us)
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        };
        let days = (limit - now) as f64 / 86_400e6;
        format!(
            "`{cell}` is in the future: this import runs at {} ({tz}) and accepts times up to {} \
             later; a future time is usually a typo (the year, or day and month swapped) and would \
             move the analysis date. Fix the row, or allow more with [import] \
             future_tolerance_days in strata.toml",
            shown(now),
            if (days - 1.0).abs() < 1e-9 {
                "1 day".to_string()
            } else {
                format!("{days} days")
            }
        )
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
            // A value the user mapped reads as its target, copied (never read back raw).
            let mapped = raw.and_then(|s| {
                self.value_maps[fi]
                    .as_ref()
                    .and_then(|m| m.get(&crate::mapping::value_key(s)))
                    .cloned()
            });
            if mapped.is_some() {
                src = usize::MAX;
            }
            let raw = mapped.as_deref().or(raw);
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
            let bad =
                |reason: String| reject(Some(if src == usize::MAX { fi } else { src }), s, reason);
            self.parsed[fi] = match f.kind {
                Kind::Id => {
                    let id = clean_id(s);
                    if id.is_empty() {
                        return Err(bad(format!("`{}` is required but empty", f.name)));
                    }
                    if value::is_scientific_id(id) {
                        return Err(bad(format!(
                            "`{id}` is an id in scientific notation: Excel turned a long id into a \
                             number and kept only its first 15 digits, so different {}s would \
                             become one. Export the column as text (in Excel, set the column's \
                             format to Text before opening or pasting the data, or import the CSV \
                             with that column as Text), or use the file from the shop's back-end",
                            f.name.trim_end_matches("_id")
                        )));
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
                Kind::Time => {
                    let t = value::parse_time(s, &self.opts).map_err(bad)?;
                    if let Some(limit) = self.not_after
                        && t > limit
                    {
                        return Err(bad(self.future(s, limit)));
                    }
                    P::I(t)
                }
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
                    Vocab::Status => P::Static(value::norm_status(s).map_err(|e| {
                        bad(format!("{e}; {}", map_hint(self.table.name, f.name, s)))
                    })?),
                    Vocab::Gender => P::Static(value::norm_gender(s).map_err(|e| {
                        bad(format!("{e}; {}", map_hint(self.table.name, f.name, s)))
                    })?),
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
        if let (Some(ai), Some(si)) = (self.paid_amount, self.status)
            && let P::D(cents) = self.parsed[ai]
        {
            let refunded = matches!(self.parsed[si], P::Static("refunded"));
            if cents < 0 && refunded {
                // A refund exported as a negative amount: the order, refunded, for what was paid.
                self.parsed[ai] = P::D(-cents);
                self.negative_refunds += 1;
            } else if cents < 0 {
                let shown = row.vals[ai].trim().to_string();
                return Err(reject(
                    Some(ai),
                    &shown,
                    "a negative amount on an order that is not refunded; a refund belongs in the \
                     status column (退款成功, refunded), with the amount that was paid"
                        .into(),
                ));
            } else if cents == 0 && matches!(self.parsed[si], P::Static("paid")) {
                self.zero_amount_paid += 1;
            }
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
        self.masks.push(self.mask(row));
        Ok(())
    }

    /// Takes the rows appended so far as a batch, with each row's column mask.
    pub fn finish(&mut self) -> (RecordBatch, Vec<u64>) {
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
        let batch = RecordBatch::try_new(self.table.schema(), arrays)
            .expect("builders follow the table schema");
        (batch, std::mem::take(&mut self.masks))
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
