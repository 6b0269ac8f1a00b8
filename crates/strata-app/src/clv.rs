//! Lifetime-value models on any transaction file or summary, outside a workspace (summarize →
//! fit → predict), as analysts use them on their own data or on CDNOW.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use strata_models::{
    CalibrationHoldout, ClvOptions, Fit, FitOptions, GammaGammaFit, HoldoutError, ModelKind,
    Period, Predictions, SpendSource, Summary, SummaryOptions, TimeUnit, calibration_and_holdout,
    clv, fit, fit_gamma_gamma, holdout_error, spend_frequencies, summarize,
};

use crate::error::{Error, Result};

/// The models `fit` and `predict` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClvModel {
    BgNbd,
    MbgNbd,
    ParetoNbd,
    /// Spend per purchase (fit only).
    GammaGamma,
}

impl ClvModel {
    fn purchase(self) -> Option<ModelKind> {
        match self {
            ClvModel::BgNbd => Some(ModelKind::BgNbd),
            ClvModel::MbgNbd => Some(ModelKind::MbgNbd),
            ClvModel::ParetoNbd => Some(ModelKind::ParetoNbd),
            ClvModel::GammaGamma => None,
        }
    }
}

/// Days since 1970-01-01 of a date at the start of `text` (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD;
/// a time after it is ignored).
pub fn parse_day(text: &str) -> Option<i64> {
    let t = text.trim();
    let date = t.split([' ', 'T']).next()?;
    let (y, m, d) = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        (&date[..4], &date[4..6], &date[6..])
    } else {
        let mut it = date.split(['-', '/']);
        (it.next()?, it.next()?, it.next()?)
    };
    let d = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(epoch_day(d))
}

fn epoch_day(d: chrono::NaiveDate) -> i64 {
    d.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

/// A table of text cells: header names (or `None` without a header) and rows with line numbers.
struct TextTable {
    header: Option<Vec<String>>,
    rows: Vec<(usize, Vec<String>)>,
}

fn split_line(line: &str, delim: Option<char>) -> Vec<String> {
    match delim {
        // Quoted cells such as "1,299.00" stay whole.
        Some(c) => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(c as u8)
                .flexible(true)
                .from_reader(line.as_bytes());
            r.records()
                .next()
                .and_then(|rec| rec.ok())
                .map(|rec| rec.iter().map(|c| c.trim().to_string()).collect())
                .unwrap_or_default()
        }
        None => line.split_whitespace().map(str::to_string).collect(),
    }
}

/// Reads a table; with `has_header` unknown (`None`), the first line is a header when its cell
/// in `probe` column is not a date.
fn read_table(path: &Path, has_header: Option<bool>, probe: usize) -> Result<TextTable> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::invalid(format!("cannot open {}: {e}", path.display())))?;
    let mut header = None;
    let mut delim = None;
    let mut rows = Vec::new();
    let mut first = true;
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| {
            Error::invalid(format!(
                "{}: line {} is unreadable: {e}",
                path.display(),
                i + 1
            ))
        })?;
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        if first {
            delim = [',', '\t', ';'].into_iter().find(|c| line.contains(*c));
            let cells = split_line(line, delim);
            first = false;
            let is_header = has_header
                .unwrap_or_else(|| cells.get(probe).is_none_or(|c| parse_day(c).is_none()));
            if is_header {
                header = Some(cells);
            } else {
                rows.push((i + 1, cells));
            }
            continue;
        }
        rows.push((i + 1, split_line(line, delim)));
    }
    Ok(TextTable { header, rows })
}

/// The index of a column given by header name or 1-based number.
fn column(path: &Path, table: &TextTable, spec: &str, what: &str) -> Result<usize> {
    if let Some(h) = &table.header
        && let Some(i) = h.iter().position(|c| c.eq_ignore_ascii_case(spec))
    {
        return Ok(i);
    }
    if let Ok(n) = spec.parse::<usize>()
        && n >= 1
    {
        return Ok(n - 1);
    }
    let found = table
        .header
        .as_ref()
        .map(|h| h.join(", "))
        .unwrap_or_else(|| "no header row".into());
    Err(Error::invalid(format!(
        "{}: no {what} column `{spec}`; the columns are: {found} (or give a 1-based number)",
        path.display()
    )))
}

/// How to summarise a transaction file.
#[derive(Debug, Clone)]
pub struct SummarizeRequest {
    pub transactions: PathBuf,
    /// Columns by header name or 1-based number. Left out, they are found by the header names
    /// shop exports use (买家ID, 下单时间, 实付金额, 订单状态 …), as an import finds them; a
    /// whitespace-separated file (CDNOW) needs the customer and date named.
    pub customer: Option<String>,
    pub date: Option<String>,
    pub amount: Option<String>,
    /// The order status column: only paid orders are purchases.
    pub status: Option<String>,
    pub period: Period,
    /// Divide recency and T by this (7 with daily periods gives weeks).
    pub unit_days: f64,
    /// End of observation (inclusive); default: the latest transaction.
    pub end: Option<chrono::NaiveDate>,
    /// End of calibration (inclusive): adds the holdout columns.
    pub calibration_end: Option<chrono::NaiveDate>,
    /// Times without an offset are wall-clock times here, and purchases count by its days.
    pub timezone: chrono_tz::Tz,
    /// Amounts are written 1.299,00.
    pub decimal_comma: bool,
}

impl SummarizeRequest {
    /// A request for `transactions` with the given columns and every other choice at its
    /// default (daily periods in days, the default time zone).
    pub fn new(transactions: PathBuf) -> SummarizeRequest {
        SummarizeRequest {
            transactions,
            customer: None,
            date: None,
            amount: None,
            status: None,
            period: Period::Day,
            unit_days: 1.0,
            end: None,
            calibration_end: None,
            timezone: chrono_tz::Asia::Shanghai,
            decimal_comma: false,
        }
    }
}

/// Per-customer (frequency, recency, T, monetary), with holdout counts when asked.
#[derive(Debug)]
pub struct Summarized {
    pub ids: Vec<String>,
    pub summary: Summarised,
    /// Orders left out because they are not paid (refunded, cancelled, pending), by status,
    /// most first.
    pub left_out: Vec<(String, u64)>,
}

#[derive(Debug)]
pub enum Summarised {
    Whole(Summary),
    Split(CalibrationHoldout),
}

/// Purchases read from a transaction file: customer slot, local day and amount of each.
struct Purchases {
    ids: Vec<String>,
    customers: Vec<u64>,
    days: Vec<i64>,
    amounts: Option<Vec<f64>>,
    left_out: Vec<(String, u64)>,
}

impl Purchases {
    fn new() -> Purchases {
        Purchases {
            ids: Vec::new(),
            customers: Vec::new(),
            days: Vec::new(),
            amounts: None,
            left_out: Vec::new(),
        }
    }
}

/// Interns customer ids in order of first appearance.
#[derive(Default)]
struct Ids {
    index: std::collections::HashMap<String, u64>,
}

impl Ids {
    fn slot(&mut self, ids: &mut Vec<String>, id: &str) -> u64 {
        if let Some(&c) = self.index.get(id) {
            return c;
        }
        let c = ids.len() as u64;
        ids.push(id.to_string());
        self.index.insert(id.to_string(), c);
        c
    }
}

/// Reads the transactions and summarises them per customer.
pub fn summarize_file(req: &SummarizeRequest) -> Result<Summarized> {
    let path = &req.transactions;
    let p = if whitespace_separated(path)? {
        read_whitespace(req)?
    } else {
        read_export(req)?
    };
    if p.customers.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no paid transactions{}",
            path.display(),
            if p.left_out.is_empty() {
                String::new()
            } else {
                format!(" (left out: {})", describe_left_out(&p.left_out))
            }
        )));
    }
    let opts = SummaryOptions {
        period: req.period,
        time_unit: TimeUnit::Days,
        utc_offset_seconds: 0,
        observation_end: req.end.map(epoch_day),
        freq_multiplier: req.unit_days,
    };
    let amounts = p.amounts.as_deref();
    let summary = match req.calibration_end {
        None => Summarised::Whole(summarize(&p.customers, &p.days, amounts, &opts)?),
        Some(cal) => Summarised::Split(calibration_and_holdout(
            &p.customers,
            &p.days,
            amounts,
            epoch_day(cal),
            &opts,
        )?),
    };
    Ok(Summarized {
        ids: p.ids,
        summary,
        left_out: p.left_out,
    })
}

/// `refunded 3, cancelled 1`.
pub fn describe_left_out(left_out: &[(String, u64)]) -> String {
    left_out
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a file is whitespace-separated columns (as CDNOW is published) rather than an
/// export the import readers take: a text file whose first lines hold no `,`, tab, `;` or `|`.
fn whitespace_separated(path: &Path) -> Result<bool> {
    use std::io::Read;
    match strata_import::Format::from_path(path) {
        Some(strata_import::Format::Csv) | None => {}
        Some(_) => return Ok(false),
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(crate::error::io(path))?;
    let lines: Vec<&[u8]> = head
        .split(|&b| b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .take(5)
        .collect();
    Ok(!lines.is_empty()
        && lines
            .iter()
            .all(|l| !l.iter().any(|b| matches!(b, b',' | b'\t' | b';' | b'|'))))
}

/// A CDNOW-style file: columns separated by spaces, by header name or number; the first line
/// is a header when its date cell is not a date.
fn read_whitespace(req: &SummarizeRequest) -> Result<Purchases> {
    let path = &req.transactions;
    let named = |spec: &Option<String>, what: &str| {
        spec.clone().ok_or_else(|| {
            Error::invalid(format!(
                "{}: columns separated by spaces have no header names to go by; give the {what} column (a header name or a 1-based number)",
                path.display()
            ))
        })
    };
    let (customer, date) = (named(&req.customer, "customer")?, named(&req.date, "date")?);
    let numeric = |s: &str| s.parse::<usize>().ok();
    let probe = numeric(&date).unwrap_or(1).saturating_sub(1);
    let header = if numeric(&customer).is_some()
        && numeric(&date).is_some()
        && req.amount.as_deref().is_none_or(|s| numeric(s).is_some())
    {
        None
    } else {
        Some(true)
    };
    let table = read_table(path, header, probe)?;
    let ci = column(path, &table, &customer, "customer")?;
    let di = column(path, &table, &date, "date")?;
    let ai = req
        .amount
        .as_deref()
        .map(|s| column(path, &table, s, "amount"))
        .transpose()?;
    let mut p = Purchases::new();
    let mut ids = Ids::default();
    let mut amounts = Vec::new();
    for (line, cells) in &table.rows {
        let cell = |i: usize, what: &str| -> Result<&str> {
            cells.get(i).map(String::as_str).ok_or_else(|| {
                Error::invalid(format!(
                    "{}: line {line}: no {what} (column {}); the line has {} columns",
                    path.display(),
                    i + 1,
                    cells.len()
                ))
            })
        };
        let id = cell(ci, "customer")?;
        let day = parse_day(cell(di, "date")?).ok_or_else(|| {
            Error::invalid(format!(
                "{}: line {line}, column {}: `{}` is not a date; expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD",
                path.display(),
                di + 1,
                cells[di]
            ))
        })?;
        p.customers.push(ids.slot(&mut p.ids, id));
        p.days.push(day);
        if let Some(ai) = ai {
            let text = cell(ai, "amount")?;
            amounts.push(parse_amount(text, req.decimal_comma).ok_or_else(|| {
                Error::invalid(format!(
                    "{}: line {line}, column {}: `{text}` is not an amount",
                    path.display(),
                    ai + 1
                ))
            })?);
        }
    }
    p.amounts = ai.map(|_| amounts);
    Ok(p)
}

/// The columns of the transactions table and what a person calls them.
const TRANSACTION_COLUMNS: [(&str, &str); 4] = [
    ("customer_id", "customer"),
    ("ordered_at", "date"),
    ("paid_amount", "amount"),
    ("status", "status"),
];

/// A shop's export (CSV/TSV in UTF-8, GBK or UTF-16, XLSX, JSON Lines, Parquet) read with the
/// import's readers: headers as an import recognises them, times, money and statuses as it
/// parses them. Only paid orders are purchases, as in the customer table.
fn read_export(req: &SummarizeRequest) -> Result<Purchases> {
    use strata_import::{ImportOptions, Mapping, ReadOptions, ValueOptions};
    let path = &req.transactions;
    let spec = &strata_store::schema::TRANSACTIONS;
    let mut mapping = Mapping::default();
    let given = [&req.customer, &req.date, &req.amount, &req.status];
    for ((field, _), given) in TRANSACTION_COLUMNS.iter().zip(given) {
        let Some(c) = given else { continue };
        match c.trim().parse::<usize>() {
            Ok(n) if n >= 1 => mapping.add_position(spec, field, n - 1)?,
            _ => mapping.add_to(spec, field, c)?,
        }
    }
    let opts = ImportOptions {
        values: ValueOptions {
            tz: req.timezone,
            decimal_comma: req.decimal_comma,
            ..ValueOptions::default()
        },
        read: ReadOptions {
            // An order export fits `orders` better than this table, and is meant.
            no_table_check: true,
            ..ReadOptions::default()
        },
        mapping,
        ..ImportOptions::default()
    };
    let rows = strata_import::read_file(path, spec, &opts).map_err(|e| in_clv_terms(e, path))?;
    // Columns given by number on a file without a header row: its first row was taken as one.
    if let Some(d) = req
        .date
        .as_deref()
        .and_then(|d| d.trim().parse::<usize>().ok())
        && let Some(cell) = rows.info.header.get(d.saturating_sub(1))
        && strata_import::value::parse_time(cell, &opts.values).is_ok()
    {
        return Err(Error::invalid(format!(
            "{}: the first row has a date (`{cell}`) where its header should be; give the file a header row",
            path.display()
        )));
    }
    if rows.rejected > 0 {
        let first: Vec<String> = rows
            .sample_rejects
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "line {}, column {}: `{}`: {}",
                    r.line, r.column, r.value, r.reason
                )
            })
            .collect();
        return Err(Error::invalid(format!(
            "{}: {} of {} rows cannot be read, so nothing was summarised; {}",
            path.display(),
            rows.rejected,
            rows.read,
            first.join("; ")
        )));
    }
    let mut p = Purchases::new();
    let mut ids = Ids::default();
    let mut amounts = Vec::new();
    let mut any_amount = req.amount.is_some();
    let mut left_out: std::collections::BTreeMap<String, u64> = Default::default();
    let col = |b: &arrow::record_batch::RecordBatch, name: &str| {
        b.column_by_name(name)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("the transactions have no {name} column")))
    };
    for b in &rows.batches {
        let id = strata_store::columns::texts(col(b, "customer_id")?.as_ref())?;
        let at = strata_store::columns::i64s(col(b, "ordered_at")?.as_ref())?;
        let amount = strata_store::columns::f64s(col(b, "paid_amount")?.as_ref())?;
        let status = strata_store::columns::texts(col(b, "status")?.as_ref())?;
        for r in 0..b.num_rows() {
            // Paid orders only, as the customer table counts them (no status: paid).
            match status[r].as_deref() {
                None | Some("paid") => {}
                Some(other) => {
                    *left_out.entry(other.to_string()).or_default() += 1;
                    continue;
                }
            }
            let (Some(id), Some(us)) = (id[r].as_deref(), at[r]) else {
                continue;
            };
            let day = chrono::TimeZone::timestamp_micros(&req.timezone, us)
                .single()
                .map(|t| epoch_day(t.date_naive()))
                .ok_or_else(|| Error::Internal(format!("time {us} µs is out of range")))?;
            p.customers.push(ids.slot(&mut p.ids, id));
            p.days.push(day);
            any_amount |= amount[r].is_finite();
            // An order without an amount paid nothing, as the customer table counts it.
            amounts.push(if amount[r].is_finite() {
                amount[r]
            } else {
                0.0
            });
        }
    }
    p.amounts = any_amount.then_some(amounts);
    let mut left_out: Vec<(String, u64)> = left_out.into_iter().collect();
    left_out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    p.left_out = left_out;
    Ok(p)
}

/// The import's errors about missing columns, in the words of a transaction file (customer,
/// date, amount) rather than of a table mapping.
fn in_clv_terms(e: strata_import::ImportError, path: &Path) -> Error {
    use strata_import::ImportError as I;
    let what = |field: &str| {
        TRANSACTION_COLUMNS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field.to_string(), |(_, w)| w.to_string())
    };
    match e {
        I::MissingColumn {
            field,
            expected,
            found,
            ..
        } => Error::invalid(format!(
            "{}: no {} column; expected a header such as {expected}; the file has: {found}; name the column (a header name or a 1-based number)",
            path.display(),
            what(field)
        )),
        I::MappedColumnMissing {
            field,
            header,
            found,
            ..
        } => Error::invalid(format!(
            "{}: no {} column `{header}`; the columns are: {found} (or give a 1-based number)",
            path.display(),
            what(&field)
        )),
        I::NoHeader { looked, .. } => Error::invalid(format!(
            "{}: no header row among the first {looked} rows names the customer and the date (such as 买家ID, 下单时间 or customer_id, ordered_at); name the columns",
            path.display()
        )),
        other => other.into(),
    }
}

fn parse_amount(text: &str, decimal_comma: bool) -> Option<f64> {
    let normal = if decimal_comma {
        text.replace('.', "").replace(',', ".")
    } else {
        text.replace(',', "")
    };
    normal.trim_start_matches(['¥', '￥', '$']).parse().ok()
}

/// Writes a summary as CSV: customer_id, frequency, recency, T[, monetary_value][,
/// frequency_holdout, duration_holdout], values rounded to six decimals.
pub fn write_summary(out: &mut dyn Write, s: &Summarized) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let r = |v: f64| format!("{}", (v * 1e6).round() / 1e6);
    let (c, holdout) = match &s.summary {
        Summarised::Whole(c) => (c, None),
        Summarised::Split(h) => (&h.calibration, Some(h)),
    };
    let mut head = vec!["customer_id", "frequency", "recency", "T"];
    if c.monetary.is_some() {
        head.push("monetary_value");
    }
    if holdout.is_some() {
        head.extend(["frequency_holdout", "duration_holdout"]);
    }
    w.write_record(&head).map_err(csv_err)?;
    for i in 0..c.len() {
        let mut rec = vec![
            s.ids[c.customers[i] as usize].clone(),
            r(c.frequency[i]),
            r(c.recency[i]),
            r(c.t[i]),
        ];
        if let Some(m) = &c.monetary {
            rec.push(r(m[i]));
        }
        if let Some(h) = holdout {
            rec.push(r(h.frequency_holdout[i]));
            rec.push(r(h.duration_holdout));
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush().map_err(crate::error::io("output"))?;
    Ok(())
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => crate::error::io("output")(io),
        other => Error::Internal(format!("writing CSV: {other:?}")),
    }
}

/// A summary file read back.
#[derive(Debug)]
pub struct SummaryFile {
    pub ids: Vec<String>,
    pub x: Vec<f64>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub monetary: Option<Vec<f64>>,
    /// Holdout purchases and the holdout's length.
    pub holdout: Option<(Vec<f64>, Vec<f64>)>,
}

/// Reads a summary CSV with frequency, recency and T (and monetary_value, holdout columns).
pub fn read_summary(path: &Path) -> Result<SummaryFile> {
    let table = read_table(path, Some(true), 0)?;
    let h = table.header.clone().unwrap_or_default();
    let find = |names: &[&str]| {
        h.iter()
            .position(|c| names.iter().any(|n| c.eq_ignore_ascii_case(n)))
    };
    let need = |names: &[&str]| {
        find(names).ok_or_else(|| {
            Error::invalid(format!(
                "{}: no `{}` column; found {}",
                path.display(),
                names[0],
                h.join(", ")
            ))
        })
    };
    let id = find(&["customer_id", "id", "customer"]);
    let (xi, ri, ti) = (
        need(&["frequency", "x"])?,
        need(&["recency", "t_x"])?,
        need(&["T"])?,
    );
    let mi = find(&["monetary_value", "monetary", "m"]);
    let fh = find(&["frequency_holdout"]);
    let dh = find(&["duration_holdout"]);
    let mut s = SummaryFile {
        ids: Vec::new(),
        x: Vec::new(),
        tx: Vec::new(),
        t: Vec::new(),
        monetary: mi.map(|_| Vec::new()),
        holdout: fh.zip(dh).map(|_| (Vec::new(), Vec::new())),
    };
    for (line, cells) in &table.rows {
        let num = |i: usize| -> Result<f64> {
            let text = cells.get(i).map(String::as_str).unwrap_or("");
            text.parse::<f64>().map_err(|_| {
                Error::invalid(format!(
                    "{}: line {line}, column {} ({}): `{text}` is not a number",
                    path.display(),
                    i + 1,
                    h.get(i).map(String::as_str).unwrap_or("?")
                ))
            })
        };
        s.ids.push(match id {
            Some(i) => cells.get(i).cloned().unwrap_or_default(),
            None => (*line - 1).to_string(),
        });
        s.x.push(num(xi)?);
        s.tx.push(num(ri)?);
        s.t.push(num(ti)?);
        if let (Some(m), Some(mi)) = (s.monetary.as_mut(), mi) {
            m.push(num(mi)?);
        }
        if let (Some((f, d)), Some(fi), Some(di)) = (s.holdout.as_mut(), fh, dh) {
            f.push(num(fi)?);
            d.push(num(di)?);
        }
    }
    if s.x.is_empty() {
        return Err(Error::invalid(format!("{}: no customers", path.display())));
    }
    Ok(s)
}

/// A fitted model.
#[derive(Debug)]
pub enum Fitted {
    Purchases {
        kind: ModelKind,
        fit: Box<Fit>,
        /// The holdout check, when the summary has holdout columns: the holdout's length in
        /// the summary's unit and the error.
        holdout: Option<(f64, HoldoutError)>,
    },
    Spend {
        fit: Box<GammaGammaFit>,
        /// Repeat customers left out of the fit: no usable mean spend (0, free repeat
        /// purchases).
        no_usable_spend: usize,
    },
}

/// Fits `model` to the summary.
pub fn fit_summary(s: &SummaryFile, model: ClvModel, penalty: f64, path: &Path) -> Result<Fitted> {
    let opts = FitOptions {
        penalty,
        ..FitOptions::default()
    };
    let Some(kind) = model.purchase() else {
        let m = s.monetary.as_ref().ok_or_else(|| {
            Error::invalid(format!(
                "{}: gammagamma needs a monetary_value column",
                path.display()
            ))
        })?;
        let (x, no_usable_spend) = spend_frequencies(&s.x, m);
        return Ok(Fitted::Spend {
            fit: Box::new(fit_gamma_gamma(&x, m, &opts)?),
            no_usable_spend,
        });
    };
    let f = fit(kind, &s.x, &s.tx, &s.t, &opts)?;
    let holdout = match &s.holdout {
        Some((actual, duration)) => {
            let h = duration.first().copied().unwrap_or(0.0);
            let p = f.model.predict(h, &s.x, &s.tx, &s.t, 0)?;
            Some((h, holdout_error(&s.x, &p.expected_purchases, actual, 7)?))
        }
        None => None,
    };
    Ok(Fitted::Purchases {
        kind,
        fit: Box::new(f),
        holdout,
    })
}

/// What `predict` needs beyond the summary.
#[derive(Debug, Clone)]
pub struct PredictRequest {
    pub model: ClvModel,
    /// Horizon of the expected purchases, in the summary's unit.
    pub horizon: f64,
    pub monthly_discount_rate: f64,
    pub margin: f64,
    pub months: u32,
    /// Days per unit of the summary.
    pub unit_days: f64,
    pub penalty: f64,
}

/// Per-customer predictions, with spend and CLV when the summary has spend.
#[derive(Debug)]
pub struct Predicted {
    pub model: ModelKind,
    pub predictions: Predictions,
    pub spend_and_value: Option<(Vec<f64>, Vec<f64>)>,
    /// How spend was estimated, when the summary has spend.
    pub spend: Option<SpendSummary>,
    /// Said to the user, not failures: a fit that did not converge, correlated spend.
    pub warnings: Vec<String>,
}

/// How the spend per purchase was estimated.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendSummary {
    pub source: SpendSource,
    /// What a customer without a usable mean spend gets: the Gamma-Gamma population mean
    /// `pγ/(q−1)` (or, when the model's assumptions fail, the mean repeat purchase).
    pub population_mean: f64,
    /// Customers without repeat purchases (the model gives them the population mean).
    pub one_time: usize,
    /// Repeat customers without a usable mean spend (0: free repeat purchases), who get the
    /// population mean as well: the fallback.
    pub fallback: usize,
}

pub fn predict_summary(s: &SummaryFile, req: &PredictRequest) -> Result<Predicted> {
    let Some(kind) = req.model.purchase() else {
        return Err(Error::invalid(
            "predict needs a purchase model (bgnbd, mbgnbd or pareto); spend comes from gammagamma on the monetary_value column",
        ));
    };
    let opts = FitOptions {
        penalty: req.penalty,
        ..FitOptions::default()
    };
    let mut warnings = Vec::new();
    let f = fit(kind, &s.x, &s.tx, &s.t, &opts)?;
    if !f.converged {
        warnings.push(format!("the fit did not converge ({:?})", f.termination));
    }
    let predictions = f.model.predict(req.horizon, &s.x, &s.tx, &s.t, 0)?;
    let mut spend_summary = None;
    let spend_and_value = match &s.monetary {
        Some(m) => {
            // Repeat customers whose mean spend is 0 (free repeat purchases, as CDNOW has)
            // cannot enter the spend model; they get the population mean, like one-time buyers.
            let (x, fallback) = spend_frequencies(&s.x, m);
            let gg = fit_gamma_gamma(&x, m, &opts)?;
            if gg.independence.violated {
                warnings.push(format!(
                    "frequency and spend are correlated (r = {:.3}); spend is each customer's own mean",
                    gg.independence.correlation
                ));
            }
            let spend = gg.expected_spend_all(&x, m)?;
            spend_summary = Some(SpendSummary {
                source: gg.spend_source(),
                population_mean: gg.expected_spend(0.0, 0.0),
                one_time: s.x.iter().filter(|&&x| x == 0.0).count(),
                fallback,
            });
            let value = clv(
                &f.model,
                &s.x,
                &s.tx,
                &s.t,
                &spend,
                &ClvOptions {
                    months: req.months,
                    periods_per_month: 365.25 / 12.0 / req.unit_days,
                    monthly_discount_rate: req.monthly_discount_rate,
                    margin: req.margin,
                },
                0,
            )?;
            Some((spend, value))
        }
        None => None,
    };
    Ok(Predicted {
        model: kind,
        predictions,
        spend_and_value,
        spend: spend_summary,
        warnings,
    })
}

/// Writes predictions as CSV: customer_id, p_alive, expected_purchases[, expected_spend, clv].
pub fn write_predictions(out: &mut dyn Write, s: &SummaryFile, p: &Predicted) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["customer_id", "p_alive", "expected_purchases"];
    if p.spend_and_value.is_some() {
        header.extend(["expected_spend", "clv"]);
    }
    w.write_record(&header).map_err(csv_err)?;
    for i in 0..s.x.len() {
        let mut rec = vec![
            s.ids[i].clone(),
            format!("{:.6}", p.predictions.p_alive[i]),
            format!("{:.6}", p.predictions.expected_purchases[i]),
        ];
        if let Some((spend, value)) = &p.spend_and_value {
            rec.push(format!("{:.4}", spend[i]));
            rec.push(format!("{:.4}", value[i]));
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush().map_err(crate::error::io("output"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_spellings() {
        assert_eq!(parse_day("19970101"), Some(9862));
        assert_eq!(parse_day("1997-01-01"), Some(9862));
        assert_eq!(parse_day("1997/1/1 10:00"), Some(9862));
        assert_eq!(parse_day("1997-02-30"), None);
        assert_eq!(parse_day("soon"), None);
    }

    #[test]
    fn amounts_with_symbols_thousands_and_decimal_commas() {
        assert_eq!(parse_amount("¥1,299.50", false), Some(1299.5));
        assert_eq!(parse_amount("1.299,50", true), Some(1299.5));
        assert_eq!(parse_amount("soon", false), None);
    }
}
