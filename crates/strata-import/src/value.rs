//! Parsing and normalising of single cell values from shop exports (Chinese and international
//! back-ends): points in time, money, integers, booleans, ratings and small vocabularies.
//!
//! Everything here runs once per cell on very large files, so the common paths do not allocate:
//! inputs are scanned by hand, full-width characters are folded on the fly, and only errors and
//! the `String`-returning normalisers allocate. Nothing panics on any input.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// How to read ambiguous values; built once per import.
#[derive(Debug, Clone)]
pub struct ValueOptions {
    /// Naive times are wall-clock in this zone (default Asia/Shanghai).
    pub tz: Tz,
    /// true: "1.299,00" means 1299.00 (European locales).
    pub decimal_comma: bool,
    /// true: "03/04/2026" is 3 April; false (default): month first.
    pub day_first: bool,
    /// Currency to assume when a value carries none ("CNY"); used by callers of `parse_money`.
    pub default_currency: &'static str,
    /// Times later than the import's start plus this many seconds are rejected as typos (a year
    /// off, a day and month swapped); `None` accepts any time. Default: one day.
    pub future_tolerance_secs: Option<i64>,
    /// The import's start in µs since the epoch, which the future check counts from; `None`
    /// reads the clock when the import starts.
    pub now_us: Option<i64>,
}

impl Default for ValueOptions {
    fn default() -> Self {
        ValueOptions {
            tz: chrono_tz::Asia::Shanghai,
            decimal_comma: false,
            day_first: false,
            default_currency: "CNY",
            future_tolerance_secs: Some(86_400),
            now_us: None,
        }
    }
}

/// Whether an id is a number in scientific notation (`2.61012E+17`), as Excel writes an id it
/// has turned into a number: the digits past the fifteenth (past the sixth as shown) are gone.
pub fn is_scientific_id(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    // Excel always writes the sign (`E+17`); an id like `3E10` without it is left alone.
    let Some(exponent) = exponent.strip_prefix('+') else {
        return false;
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Trims Unicode whitespace (including the ideographic space U+3000) plus BOM and zero-width
/// space, which spreadsheet tools leave around cells.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
}

/// Like `trim`, and also drops the text-forcing wrappers spreadsheet exports put around numbers
/// and dates (`="2026-03-01"`, a leading apostrophe); neither is part of the value.
fn trim_cell(s: &str) -> &str {
    let t = trim(s);
    let t = t
        .strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(t);
    let t = t.strip_prefix('\'').unwrap_or(t);
    trim(t)
}

/// Maps full-width ASCII variants and a few look-alikes to ASCII, so "１２９９" reads as "1299"
/// and "−5" (U+2212) as "-5"; other characters pass through.
#[inline]
fn fold_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\t' | '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        _ => c,
    }
}

/// A decimal number as scanned: integer part, up to 18 fraction digits, and whether any digit
/// past those was non-zero (enough for exact rounding to cents and whole-number checks).
#[derive(Debug, Clone, Copy)]
struct Dec {
    int: u128,
    frac: u64,
    frac_digits: u32,
    frac_tail_nonzero: bool,
}

impl Dec {
    fn frac_is_zero(&self) -> bool {
        self.frac == 0 && !self.frac_tail_nonzero
    }

    /// The fraction truncated (or zero-padded) to `want` digits.
    fn frac_scaled(&self, want: u32) -> u64 {
        if self.frac_digits >= want {
            self.frac / 10u64.pow(self.frac_digits - want)
        } else {
            self.frac * 10u64.pow(want - self.frac_digits)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumErr {
    Invalid,
    Grouping,
    Overflow,
}

/// Scans an unsigned decimal number with one decimal mark and optional thousands separators
/// (any of `groups`, one kind per number, strictly in groups of three).
fn scan_number(s: &str, decimal: char, groups: &[char]) -> Result<Dec, NumErr> {
    let mut int: u128 = 0;
    let mut int_digits = 0usize;
    let mut run = 0usize; // digits since the last thousands separator
    let mut group_sep: Option<char> = None;
    let mut in_frac = false;
    let mut frac_seen = 0usize;
    let mut d = Dec {
        int: 0,
        frac: 0,
        frac_digits: 0,
        frac_tail_nonzero: false,
    };
    for raw in s.chars() {
        let c = fold_char(raw);
        if let Some(v) = c.to_digit(10) {
            if in_frac {
                // 18 digits fit a u64; later digits only matter as "was anything non-zero".
                if d.frac_digits < 18 {
                    d.frac = d.frac * 10 + u64::from(v);
                    d.frac_digits += 1;
                } else if v != 0 {
                    d.frac_tail_nonzero = true;
                }
                frac_seen += 1;
            } else {
                int = int
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(u128::from(v)))
                    .ok_or(NumErr::Overflow)?;
                int_digits += 1;
                run += 1;
            }
        } else if c == decimal && !in_frac {
            if group_sep.is_some() && run != 3 {
                return Err(NumErr::Grouping);
            }
            in_frac = true;
        } else if !in_frac && groups.contains(&c) {
            match group_sep {
                None if run == 0 || run > 3 => return Err(NumErr::Grouping),
                None => group_sep = Some(c),
                Some(g) if g != c || run != 3 => return Err(NumErr::Grouping),
                Some(_) => {}
            }
            run = 0;
        } else {
            return Err(NumErr::Invalid);
        }
    }
    if !in_frac && group_sep.is_some() && run != 3 {
        return Err(NumErr::Grouping);
    }
    if frac_seen == 0 && (int_digits == 0 || in_frac) {
        return Err(NumErr::Invalid);
    }
    d.int = int;
    Ok(d)
}

/// Strips one leading sign (ASCII, full-width or U+2212 minus); returns the rest and whether it
/// was a minus.
fn strip_sign(s: &str) -> Option<(&str, bool)> {
    let mut it = s.chars();
    let neg = match it.next().map(fold_char) {
        Some('-') => true,
        Some('+') => false,
        _ => return None,
    };
    Some((it.as_str(), neg))
}

/// ASCII-case-insensitive `strip_prefix`; never splits a char (`get` checks the boundary).
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    if head.eq_ignore_ascii_case(p) {
        s.get(p.len()..)
    } else {
        None
    }
}

/// ASCII-case-insensitive `strip_suffix`.
fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    if tail.eq_ignore_ascii_case(p) {
        s.get(..cut)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const TIME_EXPECTED: &str = "expected a date-time such as 2026-03-01 14:05:00, 2026/3/1 14:05, \
                             an Excel serial date or epoch seconds/milliseconds";
const TIME_RANGE: &str = "expected an Excel serial date (20000 to 80000), epoch seconds \
                          (1e9 to 1e11) or epoch milliseconds (1e11 to 1e14); this number is out \
                          of range for all three";
const OFFSET_EXPECTED: &str = "expected a utc offset such as +08:00, +0800 or Z";

fn time_err() -> String {
    TIME_EXPECTED.to_string()
}

// Chinese date/time characters are folded to these control bytes (never valid input otherwise).
const Y_MARK: u8 = 1; // 年
const M_MARK: u8 = 2; // 月
const D_MARK: u8 = 3; // 日 号
const H_MARK: u8 = 4; // 时 点
const MIN_MARK: u8 = 5; // 分
const S_MARK: u8 = 6; // 秒

/// Longest accepted time text is ~40 bytes; anything longer is not a time.
const TIME_BUF: usize = 64;

/// Folds a time string into ASCII bytes on the stack; None for characters no format uses.
fn fold_time(s: &str, buf: &mut [u8; TIME_BUF]) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        let b = match fold_char(c) {
            '年' => Y_MARK,
            '月' => M_MARK,
            '日' | '号' | '號' => D_MARK,
            '时' | '時' | '点' | '點' => H_MARK,
            '分' => MIN_MARK,
            '秒' => S_MARK,
            c if c.is_ascii() && !c.is_ascii_control() => c as u8,
            _ => return None,
        };
        *buf.get_mut(n)? = b;
        n += 1;
    }
    Some(n)
}

/// A cursor over folded time bytes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_ci(&mut self, word: &[u8]) -> bool {
        match self.b.get(self.i..self.i + word.len()) {
            Some(w) if w.eq_ignore_ascii_case(word) => {
                self.i += word.len();
                true
            }
            _ => false,
        }
    }
    fn skip_spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }
    /// Reads up to `max` (≤ 9) digits; returns the value and how many were read.
    fn digits(&mut self, max: usize) -> (u32, usize) {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        (v, n)
    }
    /// Reads a fraction of a second (at least one digit), truncated to microseconds.
    fn micros(&mut self) -> Option<u32> {
        let (mut v, n) = self.digits(6);
        if n == 0 {
            return None;
        }
        for _ in n..6 {
            v *= 10;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        Some(v)
    }
}

/// Parses a point in time into microseconds since the Unix epoch (UTC).
pub fn parse_time(s: &str, o: &ValueOptions) -> Result<i64, String> {
    let t = trim_cell(s);
    if t.is_empty() {
        return Err(format!("{TIME_EXPECTED}, got an empty value"));
    }
    let mut buf = [0u8; TIME_BUF];
    let n = fold_time(t, &mut buf).ok_or_else(time_err)?;
    let b = buf.get(..n).unwrap_or(&[]);
    if let Some(r) = parse_numeric_time(b, o) {
        return r;
    }
    parse_text_time(b, o)
}

/// Plain numbers: yyyymmdd, yyyymmddhhmmss, Excel serials and epoch seconds/milliseconds.
/// None when `b` is not a plain number.
fn parse_numeric_time(b: &[u8], o: &ValueOptions) -> Option<Result<i64, String>> {
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, b),
    };
    let mut dots = 0;
    for &c in digits {
        match c {
            b'0'..=b'9' => {}
            b'.' => dots += 1,
            _ => return None,
        }
    }
    if dots > 1
        || digits.first().is_none_or(|c| !c.is_ascii_digit())
        || digits.last().is_none_or(|c| !c.is_ascii_digit())
    {
        return None;
    }
    let looks_dated = digits.starts_with(b"19") || digits.starts_with(b"20");
    if !neg && dots == 0 && looks_dated && (digits.len() == 8 || digits.len() == 14) {
        // Compact forms from payment back-ends. A 14-digit epoch-ms value would lie past 2286,
        // so reading those as yyyymmddhhmmss is the only plausible meaning.
        let mut c = Cur { b: digits, i: 0 };
        let (y, _) = c.digits(4);
        let (mo, _) = c.digits(2);
        let (d, _) = c.digits(2);
        let (h, _) = c.digits(2);
        let (mi, _) = c.digits(2);
        let (sec, _) = c.digits(2);
        return Some(to_instant(y as i32, mo, d, (h, mi, sec, 0), None, o.tz));
    }
    let s = std::str::from_utf8(digits).ok()?;
    let dec = match scan_number(s, '.', &[]) {
        Ok(d) => d,
        Err(_) => return Some(Err(TIME_RANGE.to_string())),
    };
    if neg {
        return Some(Err(TIME_RANGE.to_string()));
    }
    let int = dec.int;
    let r = if (20_000..80_000).contains(&int) || (int == 80_000 && dec.frac_is_zero()) {
        excel_serial(int as i64, &dec, o.tz)
    } else if (1_000_000_000..100_000_000_000).contains(&int) {
        Ok(int as i64 * 1_000_000 + dec.frac_scaled(6) as i64)
    } else if (100_000_000_000..100_000_000_000_000).contains(&int) {
        Ok(int as i64 * 1_000 + dec.frac_scaled(3) as i64)
    } else {
        Err(TIME_RANGE.to_string())
    };
    Some(r)
}

/// Excel 1900 date system: from serial 61 on (all of our range), day 0 is 1899-12-30 because
/// Lotus counted a fake 1900-02-29. Unix day 0 is serial 25569.
fn excel_serial(day: i64, dec: &Dec, tz: Tz) -> Result<i64, String> {
    // Excel keeps times to the millisecond; rounding there undoes the float noise of
    // serials such as 45000.5868055556.
    let den = 10u128.pow(dec.frac_digits);
    let ms = (u128::from(dec.frac) * 86_400_000 + den / 2) / den;
    let naive_us = (day - 25_569) * 86_400_000_000 + ms as i64 * 1_000;
    let ndt = DateTime::from_timestamp_micros(naive_us)
        .ok_or_else(time_err)?
        .naive_utc();
    Ok(localize(ndt, tz))
}

/// Dates and date-times written out with separators.
fn parse_text_time(b: &[u8], o: &ValueOptions) -> Result<i64, String> {
    let mut c = Cur { b, i: 0 };
    let (a, alen) = c.digits(4);
    let (y, mo, d, marked) = match alen {
        4 => {
            let sep = c.bump().ok_or_else(time_err)?;
            if !matches!(sep, b'-' | b'/' | b'.' | Y_MARK) {
                return Err(time_err());
            }
            let (m, ml) = c.digits(2);
            let want = if sep == Y_MARK { M_MARK } else { sep };
            if ml == 0 || !c.eat(want) {
                return Err(time_err());
            }
            let (d, dl) = c.digits(2);
            if dl == 0 {
                return Err(time_err());
            }
            // 日 is customary after the day but sometimes dropped.
            let marked = sep == Y_MARK && c.eat(D_MARK);
            (a as i32, m, d, marked)
        }
        1 | 2 => {
            let sep = c.bump().ok_or_else(time_err)?;
            if !matches!(sep, b'/' | b'-' | b'.') {
                return Err(time_err());
            }
            let (second, l2) = c.digits(2);
            if l2 == 0 || !c.eat(sep) {
                return Err(time_err());
            }
            let (yv, yl) = c.digits(4);
            let y = match yl {
                4 => yv,
                // Excel's default US format "m/d/yy"; POSIX strptime's pivot for %y.
                2 if yv < 69 => 2000 + yv,
                2 => 1900 + yv,
                _ => return Err(time_err()),
            };
            // The configured order wins unless only the other order can be a real date.
            let (m, d) = if o.day_first {
                if second > 12 && a <= 12 {
                    (a, second)
                } else {
                    (second, a)
                }
            } else if a > 12 && second <= 12 {
                (second, a)
            } else {
                (a, second)
            };
            (y as i32, m, d, false)
        }
        _ => return Err(time_err()),
    };

    let spaced = c.skip_spaces() > 0;
    if c.done() {
        return to_instant(y, mo, d, (0, 0, 0, 0), None, o.tz);
    }
    let t_sep = !spaced && (c.eat(b'T') || c.eat(b't'));
    if !(spaced || t_sep || marked) {
        return Err(time_err());
    }
    let clock = parse_clock(&mut c)?;
    c.skip_spaces();
    let offset = parse_offset(&mut c)?;
    c.skip_spaces();
    if !c.done() {
        return Err(time_err());
    }
    to_instant(y, mo, d, clock, offset, o.tz)
}

/// hh:mm[:ss[.ffffff]] or 14时05分[30秒], with an optional AM/PM; values are not yet validated
/// except for the 12-hour clock.
fn parse_clock(c: &mut Cur) -> Result<(u32, u32, u32, u32), String> {
    let (h, hl) = c.digits(2);
    if hl == 0 {
        return Err(time_err());
    }
    let (mi, s, us) = if c.eat(b':') {
        let (mi, ml) = c.digits(2);
        if ml != 2 {
            return Err(time_err());
        }
        let (mut s, mut us) = (0, 0);
        if c.eat(b':') {
            let (sv, sl) = c.digits(2);
            if sl != 2 {
                return Err(time_err());
            }
            s = sv;
            if c.eat(b'.') || c.eat(b',') {
                us = c.micros().ok_or_else(time_err)?;
            }
        }
        (mi, s, us)
    } else if c.eat(H_MARK) {
        let (mi, ml) = c.digits(2);
        if ml == 0 || !c.eat(MIN_MARK) {
            return Err(time_err());
        }
        let (sv, sl) = c.digits(2);
        if sl > 0 && !c.eat(S_MARK) {
            return Err(time_err());
        }
        (mi, sv, 0)
    } else {
        return Err(time_err());
    };
    let save = c.i;
    c.skip_spaces();
    let pm = if c.eat_ci(b"pm") || c.eat_ci(b"p.m.") {
        Some(true)
    } else if c.eat_ci(b"am") || c.eat_ci(b"a.m.") {
        Some(false)
    } else {
        c.i = save;
        None
    };
    let h = match pm {
        None => h,
        Some(_) if !(1..=12).contains(&h) => {
            return Err(format!(
                "expected an hour from 1 to 12 before am/pm, but got {h}"
            ));
        }
        Some(pm) => h % 12 + if pm { 12 } else { 0 },
    };
    Ok((h, mi, s, us))
}

/// Z, UTC, GMT, +08:00, +0800, +08, +8, optionally after UTC/GMT; seconds east of UTC.
fn parse_offset(c: &mut Cur) -> Result<Option<i32>, String> {
    if c.eat(b'Z') || c.eat(b'z') {
        return Ok(Some(0));
    }
    let named = c.eat_ci(b"utc") || c.eat_ci(b"gmt");
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return Ok(named.then_some(0));
    };
    let (v, l) = c.digits(4);
    let (h, m) = match l {
        1 | 2 => {
            if c.eat(b':') {
                let (m, ml) = c.digits(2);
                if ml != 2 {
                    return Err(OFFSET_EXPECTED.to_string());
                }
                (v, m)
            } else {
                (v, 0)
            }
        }
        4 => (v / 100, v % 100),
        _ => return Err(OFFSET_EXPECTED.to_string()),
    };
    if h > 23 || m > 59 {
        return Err(OFFSET_EXPECTED.to_string());
    }
    Ok(Some(sign * (h * 3600 + m * 60) as i32))
}

/// Validates the fields and turns them into UTC microseconds; without an offset the wall clock
/// is read in `tz`.
fn to_instant(
    y: i32,
    mo: u32,
    d: u32,
    (h, mi, s, us): (u32, u32, u32, u32),
    offset: Option<i32>,
    tz: Tz,
) -> Result<i64, String> {
    let date = NaiveDate::from_ymd_opt(y, mo, d).ok_or_else(|| {
        format!("expected a real calendar date, but {y:04}-{mo:02}-{d:02} does not exist")
    })?;
    let ndt = date.and_hms_micro_opt(h, mi, s, us).ok_or_else(|| {
        format!(
            "expected a real time of day (hours 0-23, minutes and seconds 0-59), \
             but {h:02}:{mi:02}:{s:02} does not exist"
        )
    })?;
    Ok(match offset {
        Some(off) => ndt.and_utc().timestamp_micros() - i64::from(off) * 1_000_000,
        None => localize(ndt, tz),
    })
}

/// Wall-clock time in `tz` to UTC microseconds. In a DST fold the earlier instant wins; in a
/// gap the time is read with the offset in force before the gap, which moves it forward by the
/// gap's length (02:30 in a 02:00→03:00 gap becomes 03:30), as java.time and zoneinfo do.
fn localize(ndt: NaiveDateTime, tz: Tz) -> i64 {
    match tz.from_local_datetime(&ndt) {
        LocalResult::Single(dt) => dt.timestamp_micros(),
        LocalResult::Ambiguous(a, b) => a.timestamp_micros().min(b.timestamp_micros()),
        LocalResult::None => {
            // A day earlier is safely before the transition (zones never change twice a day).
            let before = ndt.checked_sub_days(Days::new(1)).unwrap_or(ndt);
            let off = tz.offset_from_utc_datetime(&before).fix().local_minus_utc();
            ndt.and_utc().timestamp_micros() - i64::from(off) * 1_000_000
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Money and numbers
// ---------------------------------------------------------------------------------------------

const MONEY_EXPECTED: &str = "expected an amount such as ¥1,299.00, 1299元, $12.50 or (12.50)";
const MONEY_EXPECTED_DC: &str = "expected an amount such as €1.299,00, 1299元, $12,50 or (12,50)";

/// The example amounts follow the configured decimal mark, so the hint never contradicts it.
fn money_expected(decimal_comma: bool) -> &'static str {
    if decimal_comma {
        MONEY_EXPECTED_DC
    } else {
        MONEY_EXPECTED
    }
}

/// Currency symbols, words and codes (matched as prefix or suffix, ASCII case-insensitively).
/// Longer tokens come first so "US$" wins over "$" and "美元" over "元"; a lone ¥ is CNY
/// because these exports are mostly Chinese.
const CURRENCY_TOKENS: &[(&str, &str)] = &[
    ("人民币", "CNY"),
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("RMB", "CNY"),
    ("CNY", "CNY"),
    ("USD", "USD"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("HKD", "HKD"),
    ("美元", "USD"),
    ("欧元", "EUR"),
    ("英镑", "GBP"),
    ("日元", "JPY"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("元", "CNY"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("$", "USD"),
    ("＄", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("￡", "GBP"),
    ("円", "JPY"),
];

fn strip_currency_prefix(s: &str) -> Option<(&str, &'static str)> {
    // Most cells are bare numbers: skip the token scan for them.
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    CURRENCY_TOKENS
        .iter()
        .find_map(|&(tok, code)| strip_prefix_ci(s, tok).map(|rest| (rest, code)))
}

fn strip_currency_suffix(s: &str) -> Option<(&str, &'static str)> {
    if s.as_bytes().last().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    CURRENCY_TOKENS
        .iter()
        .find_map(|&(tok, code)| strip_suffix_ci(s, tok).map(|rest| (rest, code)))
}

/// Accounting negatives: "(12.50)", also with full-width parentheses.
fn strip_parens(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('(').or_else(|| s.strip_prefix('（'))?;
    inner.strip_suffix(')').or_else(|| inner.strip_suffix('）'))
}

/// Scans an amount's digits. With `decimal_comma`, a lone '.' that cannot be a thousands
/// separator ("12.50") is read as a decimal point, since machine-written numbers always use '.'.
fn scan_amount(t: &str, decimal_comma: bool) -> Result<Dec, NumErr> {
    if !decimal_comma {
        return scan_number(t, '.', &[',', ' ']);
    }
    match scan_number(t, ',', &['.', ' ']) {
        Err(NumErr::Grouping) => {
            let (mut dots, mut commas) = (0, 0);
            for c in t.chars().map(fold_char) {
                dots += usize::from(c == '.');
                commas += usize::from(c == ',');
            }
            if dots == 1 && commas == 0 {
                scan_number(t, '.', &[' '])
            } else {
                Err(NumErr::Grouping)
            }
        }
        r => r,
    }
}

fn grouping_err(decimal_comma: bool) -> String {
    if decimal_comma {
        "expected an amount such as 1.299,00; thousands separators must split the digits into \
         groups of three"
            .to_string()
    } else {
        "expected an amount such as 1,299.00; thousands separators must split the digits into \
         groups of three"
            .to_string()
    }
}

/// Parses money into an amount in hundredths (cents/fen), rounding half away from zero past
/// 2 decimals, and the currency if a symbol or code was present.
pub fn parse_money(s: &str, o: &ValueOptions) -> Result<(i64, Option<&'static str>), String> {
    let expected = money_expected(o.decimal_comma);
    let mut t = trim_cell(s);
    if t.is_empty() {
        return Err(format!("{expected}, got an empty value"));
    }
    let mut neg = false;
    let mut signed = false;
    if let Some(inner) = strip_parens(t) {
        neg = true;
        signed = true;
        t = trim(inner);
    }
    // A sign and a currency may come in either order before the number: "-¥12", "¥-12".
    let mut currency: Option<&'static str> = None;
    loop {
        if let Some((rest, minus)) = strip_sign(t) {
            if signed {
                return Err(format!("{expected}, with at most one sign"));
            }
            signed = true;
            neg = minus;
            t = trim(rest);
        } else if let Some((rest, code)) = currency
            .is_none()
            .then(|| strip_currency_prefix(t))
            .flatten()
        {
            currency = Some(code);
            t = trim(rest);
        } else {
            break;
        }
    }
    if let Some((rest, code)) = strip_currency_suffix(t) {
        if currency.is_some_and(|c| c != code) {
            return Err(format!("{expected}, with one currency (found two)"));
        }
        currency = Some(code);
        t = trim(rest);
    }
    let dec = match scan_amount(t, o.decimal_comma) {
        Ok(d) => d,
        Err(NumErr::Grouping) => return Err(grouping_err(o.decimal_comma)),
        Err(NumErr::Invalid) => return Err(expected.to_string()),
        Err(NumErr::Overflow) => return Err(money_overflow()),
    };
    // Hundredths plus the third decimal, which alone decides half-away-from-zero rounding.
    let three = dec.frac_scaled(3);
    let cents = dec
        .int
        .checked_mul(100)
        .and_then(|v| v.checked_add(u128::from(three / 10 + u64::from(three % 10 >= 5))))
        .ok_or_else(money_overflow)?;
    let signed_cents = i128::try_from(cents).map_err(|_| money_overflow())?;
    let signed_cents = if neg { -signed_cents } else { signed_cents };
    let v = i64::try_from(signed_cents).map_err(|_| money_overflow())?;
    Ok((v, currency))
}

fn money_overflow() -> String {
    "expected an amount within ±92233720368547758.07; this one is too large".to_string()
}

const INT_EXPECTED: &str = "expected a whole number such as 12 or 1,200";

fn int_overflow() -> String {
    "expected a whole number between -9223372036854775808 and 9223372036854775807; this one is \
     too large"
        .to_string()
}

/// Parses a whole number: "12", "-1,200", "12.0" are fine; "12.5" is an error.
pub fn parse_int(s: &str) -> Result<i64, String> {
    let t = trim_cell(s);
    if t.is_empty() {
        return Err(format!("{INT_EXPECTED}, got an empty value"));
    }
    let (t, neg) = match strip_sign(t) {
        Some((rest, neg)) => (trim(rest), neg),
        None => (t, false),
    };
    let dec = match scan_number(t, '.', &[',', ' ']) {
        Ok(d) => d,
        Err(NumErr::Grouping) => {
            return Err(format!(
                "{INT_EXPECTED}; thousands separators must split the digits into groups of three"
            ));
        }
        Err(NumErr::Invalid) => return Err(INT_EXPECTED.to_string()),
        Err(NumErr::Overflow) => return Err(int_overflow()),
    };
    if !dec.frac_is_zero() {
        return Err(format!("{INT_EXPECTED}, got a fraction"));
    }
    let v = i128::try_from(dec.int).map_err(|_| int_overflow())?;
    i64::try_from(if neg { -v } else { v }).map_err(|_| int_overflow())
}

// ---------------------------------------------------------------------------------------------
// Booleans and ratings
// ---------------------------------------------------------------------------------------------

/// Accepted spellings of booleans (matched like the vocabularies below).
const BOOLS: &[(bool, &[&str])] = &[
    (
        true,
        &[
            "是",
            "有",
            "对",
            "對",
            "true",
            "yes",
            "y",
            "1",
            "t",
            "on",
            "已使用",
        ],
    ),
    (
        false,
        &[
            "否",
            "无",
            "無",
            "错",
            "錯",
            "false",
            "no",
            "n",
            "0",
            "f",
            "off",
            "未使用",
        ],
    ),
];

/// Parses a yes/no value.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    let t = trim_cell(s);
    BOOLS
        .iter()
        .find(|(_, words)| words.iter().any(|w| key_eq(t, w)))
        .map(|&(v, _)| v)
        .ok_or_else(|| {
            "expected a yes/no value such as 是/否, 有/无, true/false, yes/no, y/n or 1/0"
                .to_string()
        })
}

const RATING_EXPECTED: &str = "expected a rating from 1 to 5, such as 5, 4.0, 5星, 五星 or \
                               好评/中评/差评";
/// Review verdicts that stand for a star count.
const RATING_WORDS: &[(&str, i64)] = &[("好评", 5), ("中评", 3), ("差评", 1)];
const CN_DIGITS: &[(&str, i64)] = &[
    ("一", 1),
    ("二", 2),
    ("两", 2),
    ("三", 3),
    ("四", 4),
    ("五", 5),
];
const RATING_SUFFIXES: &[&str] = &["颗星", "星", "分", "stars", "star"];

/// Parses a 1..=5 rating.
pub fn parse_rating(s: &str) -> Result<i64, String> {
    let t = trim_cell(s);
    if let Some(&(_, v)) = RATING_WORDS.iter().find(|(w, _)| *w == t) {
        return Ok(v);
    }
    let core = RATING_SUFFIXES
        .iter()
        .find_map(|suf| strip_suffix_ci(t, suf))
        .map_or(t, trim);
    let v = match CN_DIGITS.iter().find(|(w, _)| *w == core) {
        Some(&(_, v)) => v,
        None => parse_int(core).map_err(|_| RATING_EXPECTED.to_string())?,
    };
    if (1..=5).contains(&v) {
        Ok(v)
    } else {
        Err(RATING_EXPECTED.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------

/// Sales channels: (canonical, synonyms).
pub const CHANNELS: &[(&str, &[&str])] = &[
    ("app", &["APP", "手机App", "客户端", "app"]),
    (
        "mini_program",
        &[
            "小程序",
            "微信小程序",
            "mini program",
            "miniprogram",
            "mini_program",
            "wechat mini program",
        ],
    ),
    (
        "live_stream",
        &[
            "直播",
            "抖音直播",
            "直播间",
            "快手直播",
            "live",
            "livestream",
            "live stream",
            "live_stream",
        ],
    ),
    (
        "platform",
        &[
            "平台",
            "平台店铺",
            "天猫",
            "淘宝",
            "京东",
            "拼多多",
            "tmall",
            "taobao",
            "jd",
            "marketplace",
            "platform",
        ],
    ),
    (
        "private_domain",
        &[
            "私域",
            "社群",
            "企业微信",
            "微信群",
            "私域社群",
            "private domain",
            "private_domain",
            "community",
        ],
    ),
    (
        "pc_web",
        &[
            "PC", "PC端", "网页", "官网", "web", "pc", "desktop", "pc_web", "website",
        ],
    ),
];

/// Devices: (canonical, synonyms).
pub const DEVICES: &[(&str, &[&str])] = &[
    ("ios", &["iOS", "iPhone", "iPad", "苹果"]),
    ("android", &["Android", "安卓"]),
    ("pc", &["PC", "电脑", "Windows", "Mac", "macOS", "desktop"]),
    ("harmony", &["鸿蒙", "HarmonyOS", "harmony"]),
    ("mini_program", &["小程序", "微信小程序"]),
];

/// Payment methods: (canonical, synonyms).
pub const PAYMENTS: &[(&str, &[&str])] = &[
    ("alipay", &["支付宝", "alipay"]),
    (
        "wechat_pay",
        &["微信", "微信支付", "wechat", "wechat pay", "wxpay"],
    ),
    (
        "card",
        &[
            "银行卡",
            "信用卡",
            "储蓄卡",
            "card",
            "credit card",
            "debit card",
            "visa",
            "mastercard",
            "unionpay",
            "银联",
        ],
    ),
    ("huabei", &["花呗", "蚂蚁花呗", "huabei"]),
    ("cod", &["货到付款", "cod", "cash on delivery"]),
    ("paypal", &["paypal"]),
    ("other", &["其他", "其它", "other"]),
];

/// Order statuses (closed): (canonical, synonyms). Taobao's compound statuses are included
/// with ASCII commas; full-width commas fold to them when matching.
pub const STATUSES: &[(&str, &[&str])] = &[
    (
        "pending",
        &["待付款", "未付款", "等待买家付款", "unpaid", "pending"],
    ),
    (
        "paid",
        &[
            "已付款",
            "交易成功",
            "已完成",
            "已发货",
            "待发货",
            "已签收",
            "买家已付款",
            "卖家已发货",
            "交易完成",
            "等待卖家发货",
            "买家已付款,等待卖家发货",
            "卖家已发货,等待买家确认",
            "paid",
            "completed",
            "complete",
            "shipped",
            "delivered",
            "success",
            "fulfilled",
        ],
    ),
    (
        "refunded",
        &[
            "已退款",
            "退款成功",
            "退货退款",
            "售后完成",
            "全额退款",
            "refunded",
            "returned",
            "refund",
            "partially refunded",
        ],
    ),
    (
        "cancelled",
        &[
            "已取消",
            "交易关闭",
            "订单关闭",
            "取消",
            "cancelled",
            "canceled",
            "closed",
            "void",
            "voided",
        ],
    ),
];

/// Behaviour event types: (canonical, synonyms).
pub const EVENT_TYPES: &[(&str, &[&str])] = &[
    (
        "page_view",
        &["浏览", "访问", "页面浏览", "pageview", "page view", "view"],
    ),
    (
        "add_to_cart",
        &["加购", "加入购物车", "add to cart", "addtocart", "cart_add"],
    ),
    (
        "order_paid",
        &[
            "支付成功",
            "付款",
            "下单支付",
            "purchase",
            "order_paid",
            "paid",
        ],
    ),
    ("login", &["登录", "log in", "signin", "sign_in"]),
    ("search", &["搜索"]),
    (
        "video_view",
        &["看视频", "视频播放", "video view", "video_play"],
    ),
    ("coupon_claim", &["领券", "领取优惠券", "coupon claim"]),
    ("live_watch", &["看直播", "观看直播", "live watch"]),
    ("share", &["分享"]),
    ("comment", &["评论"]),
    (
        "cs_contact",
        &["咨询客服", "联系客服", "customer service", "cs contact"],
    ),
];

/// Page types: (canonical, synonyms).
pub const PAGES: &[(&str, &[&str])] = &[
    ("home", &["首页", "homepage", "index", "home"]),
    (
        "category",
        &["分类", "类目页", "分类页", "list", "listing", "category"],
    ),
    (
        "product",
        &[
            "商品详情",
            "详情页",
            "商品页",
            "pdp",
            "detail",
            "product_detail",
            "product",
        ],
    ),
    ("cart", &["购物车", "cart", "basket"]),
    (
        "checkout",
        &["结算", "结算页", "确认订单", "下单页", "checkout"],
    ),
    ("search", &["搜索页", "search"]),
];

/// Genders (closed): (canonical, synonyms). An empty value also reads as unknown.
pub const GENDERS: &[(&str, &[&str])] = &[
    (
        "female",
        &["女", "f", "female", "woman", "女性", "w", "女士"],
    ),
    ("male", &["男", "m", "male", "man", "男性", "先生"]),
    (
        "unknown",
        &[
            "未知", "保密", "unknown", "u", "other", "其他", "-", "n/a", "null",
        ],
    ),
];

/// Chars of a vocabulary key: full-width folded, ASCII-lowercased, and any run of spaces, '_'
/// and '-' read as one '_', so "Mini-Program", "mini program" and "MINI_PROGRAM" are equal.
fn key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut prev_sep = false;
    s.chars().filter_map(move |c| {
        let c = fold_char(c).to_ascii_lowercase();
        let sep = matches!(c, ' ' | '_' | '-');
        let out = if !sep {
            Some(c)
        } else if prev_sep {
            None
        } else {
            Some('_')
        };
        prev_sep = sep;
        out
    })
}

fn key_eq(a: &str, b: &str) -> bool {
    key_chars(a).eq(key_chars(b))
}

/// The canonical value whose name or synonym matches `s`.
fn lookup(
    table: &'static [(&'static str, &'static [&'static str])],
    s: &str,
) -> Option<&'static str> {
    let t = trim(s);
    table
        .iter()
        .find(|(canon, syns)| key_eq(t, canon) || syns.iter().any(|w| key_eq(t, w)))
        .map(|&(canon, _)| canon)
}

/// Unknown open-vocabulary values: trimmed, full-width folded, lowercased, whitespace runs → '_'.
fn fallback(s: &str) -> String {
    let t = trim(s);
    let mut out = String::with_capacity(t.len());
    let mut prev_space = false;
    for c in t.chars().map(fold_char) {
        if c.is_whitespace() {
            if !prev_space {
                out.push('_');
            }
            prev_space = true;
        } else {
            prev_space = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn open(table: &'static [(&'static str, &'static [&'static str])], s: &str) -> String {
    lookup(table, s).map_or_else(|| fallback(s), str::to_string)
}

fn closed(
    table: &'static [(&'static str, &'static [&'static str])],
    what: &str,
    s: &str,
) -> Result<&'static str, String> {
    lookup(table, s).ok_or_else(|| {
        let names: Vec<&str> = table.iter().map(|&(canon, _)| canon).collect();
        format!(
            "expected {what}: one of {} (or a known synonym)",
            names.join(", ")
        )
    })
}

/// Sales channel, canonical per `CHANNELS`; unknown values come back as lowercase snake_case.
pub fn norm_channel(s: &str) -> String {
    open(CHANNELS, s)
}

/// Device, canonical per `DEVICES`; unknown values come back as lowercase snake_case.
pub fn norm_device(s: &str) -> String {
    open(DEVICES, s)
}

/// Payment method, canonical per `PAYMENTS`; unknown values come back as lowercase snake_case.
pub fn norm_payment(s: &str) -> String {
    open(PAYMENTS, s)
}

/// Event type, canonical per `EVENT_TYPES`; unknown values come back as lowercase snake_case.
pub fn norm_event_type(s: &str) -> String {
    open(EVENT_TYPES, s)
}

/// Page type, canonical per `PAGES`; unknown values come back as lowercase snake_case.
pub fn norm_page(s: &str) -> String {
    open(PAGES, s)
}

/// Order status, one of `STATUSES`; an error names the accepted values.
pub fn norm_status(s: &str) -> Result<&'static str, String> {
    closed(STATUSES, "an order status", s)
}

/// Gender, one of `GENDERS` (an empty cell is "unknown"); an error names the accepted values.
pub fn norm_gender(s: &str) -> Result<&'static str, String> {
    if trim(s).is_empty() {
        return Ok("unknown");
    }
    closed(GENDERS, "a gender", s)
}

/// A value of `vocab` as import stores it: the canonical spelling, or for a closed vocabulary
/// an error naming the accepted values. What a query must compare a vocabulary column with.
pub fn norm_vocab(vocab: strata_store::schema::Vocab, s: &str) -> Result<String, String> {
    use strata_store::schema::Vocab;
    Ok(match vocab {
        Vocab::Channel => norm_channel(s),
        Vocab::Device => norm_device(s),
        Vocab::Payment => norm_payment(s),
        Vocab::EventType => norm_event_type(s),
        Vocab::Page => norm_page(s),
        Vocab::Province => norm_province(s),
        Vocab::City => norm_city(s),
        Vocab::Status => norm_status(s)?.to_string(),
        Vocab::Gender => norm_gender(s)?.to_string(),
        Vocab::Currency => s.trim().to_ascii_uppercase(),
    })
}

/// Administrative suffixes of provincial names, longest first.
const PROVINCE_SUFFIXES: &[&str] = &[
    "维吾尔自治区",
    "特别行政区",
    "特別行政區",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "省",
];
/// Municipalities, whose provincial name ends in 市.
const MUNICIPALITIES: &[&str] = &["北京", "上海", "天津", "重庆"];

/// "广东省"→"广东", "上海市"→"上海", "广西壮族自治区"→"广西", "香港特别行政区"→"香港";
/// anything else comes back trimmed.
pub fn norm_province(s: &str) -> String {
    let t = trim(s);
    for suf in PROVINCE_SUFFIXES {
        if let Some(stem) = t.strip_suffix(suf)
            && stem.chars().count() >= 2
        {
            return stem.to_string();
        }
    }
    if let Some(stem) = t.strip_suffix('市')
        && MUNICIPALITIES.contains(&stem)
    {
        return stem.to_string();
    }
    t.to_string()
}

/// "杭州市"→"杭州"; a two-character name such as "沙市" keeps its 市.
pub fn norm_city(s: &str) -> String {
    let t = trim(s);
    match t.strip_suffix('市') {
        Some(stem) if t.chars().count() >= 3 => stem.to_string(),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh() -> ValueOptions {
        ValueOptions::default()
    }
    fn ny() -> ValueOptions {
        ValueOptions {
            tz: chrono_tz::America::New_York,
            ..ValueOptions::default()
        }
    }
    fn utc() -> ValueOptions {
        ValueOptions {
            tz: chrono_tz::UTC,
            ..ValueOptions::default()
        }
    }
    fn eu() -> ValueOptions {
        ValueOptions {
            decimal_comma: true,
            day_first: true,
            ..ValueOptions::default()
        }
    }

    // Worked by hand: 1970-01-01 → 2026-01-01 is 56 years with 14 leap days = 20454 days;
    // + Jan 31 + Feb 28 = 20513 days → 1_772_323_200 s at 2026-03-01T00:00Z; + 6:05 (21_900 s)
    // = 1_772_345_100 s at 2026-03-01T06:05Z, which is 14:05 in Shanghai (+08:00).
    const BASE: i64 = 1_772_345_100_000_000;
    // 2026-03-01 00:00 in Shanghai = 2026-02-28T16:00Z = 1_772_323_200 - 28_800 s.
    const MIDNIGHT: i64 = 1_772_294_400_000_000;
    const SEC: i64 = 1_000_000;

    fn t(s: &str) -> i64 {
        match parse_time(s, &sh()) {
            Ok(v) => v,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }
    fn t_err(s: &str, o: &ValueOptions) -> String {
        match parse_time(s, o) {
            Ok(v) => panic!("{s:?} parsed as {v}"),
            Err(e) => e,
        }
    }

    #[test]
    fn time_iso_with_offset() {
        assert_eq!(t("2026-03-01T14:05:00+08:00"), BASE);
        assert_eq!(t("2026-03-01T06:05:00Z"), BASE);
        assert_eq!(t("2026-03-01T06:05:00z"), BASE);
        assert_eq!(t("2026-03-01T01:05:00-05:00"), BASE);
        assert_eq!(t("2026-03-01T06:05:00.123456Z"), BASE + 123_456);
        assert_eq!(t("2026-03-01T06:05:00.5Z"), BASE + 500_000);
        // Digits past microseconds are truncated.
        assert_eq!(t("2026-03-01T06:05:00.123456789Z"), BASE + 123_456);
        assert_eq!(t("2026-03-01T14:05:00.000+0800"), BASE);
        assert_eq!(t("2026-03-01 14:05:00 +0800"), BASE);
        assert_eq!(t("2026-03-01 14:05:00 +08"), BASE);
        assert_eq!(t("2026-03-01 06:05:00 UTC"), BASE);
        assert_eq!(t("2026-03-01 14:05:00 GMT+8"), BASE);
        // The offset wins over the configured zone.
        assert_eq!(parse_time("2026-03-01T06:05:00Z", &ny()), Ok(BASE));
    }

    #[test]
    fn time_naive_forms() {
        assert_eq!(t("2026-03-01 14:05:00"), BASE);
        assert_eq!(t("2026-03-01 14:05"), BASE);
        assert_eq!(t("2026-03-01T14:05:00"), BASE);
        assert_eq!(t("2026-03-01 14:05:00.250"), BASE + 250_000);
        assert_eq!(t("2026-03-01"), MIDNIGHT);
        assert_eq!(t("2026/3/1 14:05"), BASE);
        assert_eq!(t("2026/03/01 14:05:09"), BASE + 9 * SEC);
        assert_eq!(t("2026/3/1"), MIDNIGHT);
        assert_eq!(t("2026.3.1"), MIDNIGHT);
        assert_eq!(t("2026年3月1日 14:05"), BASE);
        assert_eq!(t("2026年3月1日14:05"), BASE);
        assert_eq!(t("2026年03月01日 14时05分09秒"), BASE + 9 * SEC);
        assert_eq!(t("2026年3月1日"), MIDNIGHT);
        assert_eq!(t("20260301"), MIDNIGHT);
        assert_eq!(t("20260301140509"), BASE + 9 * SEC);
        assert_eq!(t("03/01/2026 14:05"), BASE);
        assert_eq!(t("3/1/26 14:05"), BASE);
        assert_eq!(t("  2026-03-01 14:05:00\t"), BASE);
        assert_eq!(t("=\"2026-03-01 14:05:00\""), BASE);
        assert_eq!(t("'2026-03-01"), MIDNIGHT);
    }

    #[test]
    fn time_full_width() {
        assert_eq!(t("２０２６－０３－０１　１４：０５"), BASE);
        assert_eq!(t("２０２６年３月１日"), MIDNIGHT);
    }

    #[test]
    fn time_am_pm() {
        assert_eq!(t("03/01/2026 2:05 PM"), BASE);
        assert_eq!(t("03/01/2026 2:05:00pm"), BASE);
        assert_eq!(t("03/01/2026 12:00 AM"), MIDNIGHT);
        assert_eq!(t("03/01/2026 12:00 pm"), MIDNIGHT + 12 * 3600 * SEC);
        assert!(t_err("03/01/2026 13:05 PM", &sh()).contains("1 to 12"));
    }

    #[test]
    fn time_day_month_order() {
        // 2026-01-03 14:05 Shanghai: 20454 + 2 days = 1_767_398_400 s, + 50_700 - 28_800.
        let jan3 = 1_767_420_300 * SEC;
        assert_eq!(parse_time("03/01/2026 14:05", &eu()), Ok(jan3));
        assert_eq!(parse_time("03.01.2026 14:05", &eu()), Ok(jan3));
        // First number > 12 must be the day: 2026-12-25 00:00 Shanghai = 20812 days - 8 h.
        let dec25 = 1_798_128_000 * SEC;
        assert_eq!(parse_time("25/12/2026", &sh()), Ok(dec25));
        assert_eq!(parse_time("25/12/2026", &eu()), Ok(dec25));
        // And with day_first, a second number > 12 must be the day.
        assert_eq!(parse_time("12/25/2026", &eu()), Ok(dec25));
        assert!(t_err("13/13/2026", &sh()).contains("does not exist"));
    }

    #[test]
    fn time_excel_serial() {
        // 45000 - 25569 = 19431 days after 1970-01-01 = 2023-03-15; midnight in Shanghai.
        let d = 1_678_838_400 * SEC;
        assert_eq!(t("45000"), d - 8 * 3600 * SEC);
        assert_eq!(t("45000.5"), d - 8 * 3600 * SEC + 12 * 3600 * SEC);
        assert_eq!(parse_time("45000.25", &utc()), Ok(d + 6 * 3600 * SEC));
        // 14:05 is 0.58680555… of a day; Excel's 15-digit noise rounds to the millisecond.
        assert_eq!(
            parse_time("45000.5868055556", &utc()),
            Ok(d + (14 * 3600 + 5 * 60) * SEC)
        );
        // Serial 25569 is the Unix epoch (checks the Lotus 1900-02-29 offset).
        assert_eq!(parse_time("25569", &utc()), Ok(0));
        assert!(parse_time("20000", &utc()).is_ok());
        assert!(parse_time("80000", &utc()).is_ok());
        assert!(t_err("80000.5", &utc()).contains("out of range"));
        assert!(t_err("19999", &utc()).contains("out of range"));
    }

    #[test]
    fn time_epoch() {
        assert_eq!(t("1772345100"), BASE);
        assert_eq!(t("1772345100.5"), BASE + 500_000);
        assert_eq!(t("1772345100123"), BASE + 123_000);
        // A fraction of a millisecond is kept to the microsecond.
        assert_eq!(t("1772345100123.9"), BASE + 123_900);
        assert_eq!(t("1000000000"), 1_000_000_000 * SEC);
        assert_eq!(t("100000000000"), 100_000_000_000 * 1000);
        // Epoch readings are instants: the zone does not matter.
        assert_eq!(parse_time("1772345100", &ny()), Ok(BASE));
    }

    #[test]
    fn time_numeric_out_of_range() {
        for s in [
            "0",
            "12",
            "2026",
            "123456",
            "999999999",
            "100000000000000",
            "-1772345100",
            "12345678",
            "9223372036854775807",
            "99999999999999999999999999999999999999999999",
        ] {
            let e = t_err(s, &sh());
            assert!(e.contains("out of range for all three"), "{s}: {e}");
        }
    }

    #[test]
    fn time_dst_new_york() {
        let o = ny();
        // 2026-03-08 is the spring-forward day (02:00 → 03:00). Before the gap: EST, 06:30Z.
        assert_eq!(parse_time("2026-03-08 01:30", &o), Ok(1_772_951_400 * SEC));
        // In the gap: shifted forward by an hour = 03:30 EDT = 07:30Z.
        assert_eq!(parse_time("2026-03-08 02:30", &o), Ok(1_772_955_000 * SEC));
        assert_eq!(parse_time("2026-03-08 03:30", &o), Ok(1_772_955_000 * SEC));
        // 2026-11-01 falls back (02:00 EDT → 01:00 EST); 01:30 happens twice: earlier (EDT).
        assert_eq!(parse_time("2026-11-01 00:30", &o), Ok(1_793_507_400 * SEC));
        assert_eq!(parse_time("2026-11-01 01:30", &o), Ok(1_793_511_000 * SEC));
        assert_eq!(parse_time("2026-11-01 02:30", &o), Ok(1_793_518_200 * SEC));
        // Excel serials are wall-clock too: 2026-03-08 is serial 25569 + 20520 = 46089.
        assert_eq!(parse_time("46089.10416666667", &o), Ok(1_772_955_000 * SEC));
    }

    #[test]
    fn time_errors() {
        let o = sh();
        assert!(t_err("", &o).contains("empty"));
        assert!(t_err("   ", &o).contains("empty"));
        assert!(t_err("2026-02-30", &o).contains("2026-02-30 does not exist"));
        assert!(t_err("2026-02-29 10:00", &o).contains("does not exist"));
        assert!(t_err("2026-03-01 25:00", &o).contains("25:00:00 does not exist"));
        assert!(t_err("2026-03-01 14:60", &o).contains("does not exist"));
        assert!(t_err("2026-03-01 14:05:61", &o).contains("does not exist"));
        assert!(t_err("20260230", &o).contains("does not exist"));
        assert_eq!(t_err("2026-03-01 14:05 +25:00", &o), OFFSET_EXPECTED);
        assert_eq!(t_err("2026-03-01 14:05:00 ++08", &o), OFFSET_EXPECTED);
        assert_eq!(t_err("2026-03-01 14:05:00 +123", &o), OFFSET_EXPECTED);
        for s in [
            "yesterday",
            "2026-03",
            "2026-03-01T",
            "2026-03-0114:05",
            "2026-03/01",
            "2026-03-01 14",
            "2026-03-01 14:5",
            "2026-03-01 14:05:00.",
            "2026-03-01 14:05 CST",
            "2026年3月114:05",
            "45000,5",
            "1.2.3",
            "03/01/202",
            "🙂",
            &"2026-03-01 14:05:00 ".repeat(5),
        ] {
            assert_eq!(t_err(s, &o), TIME_EXPECTED, "{s}");
        }
    }

    fn m(s: &str, o: &ValueOptions) -> (i64, Option<&'static str>) {
        match parse_money(s, o) {
            Ok(v) => v,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }
    fn m_err(s: &str, o: &ValueOptions) -> String {
        match parse_money(s, o) {
            Ok(v) => panic!("{s:?} parsed as {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn money_formats() {
        let o = sh();
        let cny = Some("CNY");
        assert_eq!(m("¥1,299.00", &o), (129_900, cny));
        assert_eq!(m("￥1,299.00", &o), (129_900, cny));
        assert_eq!(m("¥ 1,299.00", &o), (129_900, cny));
        assert_eq!(m("1299", &o), (129_900, None));
        assert_eq!(m("1,299", &o), (129_900, None));
        assert_eq!(m("1,234,567.89", &o), (123_456_789, None));
        assert_eq!(m("1299元", &o), (129_900, cny));
        assert_eq!(m("1299 元", &o), (129_900, cny));
        assert_eq!(m("RMB 1299", &o), (129_900, cny));
        assert_eq!(m("rmb1299", &o), (129_900, cny));
        assert_eq!(m("人民币1299", &o), (129_900, cny));
        assert_eq!(m("CNY1,299.5", &o), (129_950, cny));
        assert_eq!(m("1299 CNY", &o), (129_900, cny));
        assert_eq!(m("$12.50", &o), (1_250, Some("USD")));
        assert_eq!(m("US$12.50", &o), (1_250, Some("USD")));
        assert_eq!(m("12.50 usd", &o), (1_250, Some("USD")));
        assert_eq!(m("12美元", &o), (1_200, Some("USD")));
        assert_eq!(m("£3", &o), (300, Some("GBP")));
        assert_eq!(m("GBP 3", &o), (300, Some("GBP")));
        assert_eq!(m("€3", &o), (300, Some("EUR")));
        assert_eq!(m("JPY 1200", &o), (120_000, Some("JPY")));
        assert_eq!(m("HK$5", &o), (500, Some("HKD")));
        assert_eq!(m("HKD 5.5", &o), (550, Some("HKD")));
        assert_eq!(m(" 12.5 ", &o), (1_250, None));
        assert_eq!(m(".5", &o), (50, None));
        assert_eq!(m("0", &o), (0, None));
        assert_eq!(m("=\"12.50\"", &o), (1_250, None));
    }

    #[test]
    fn money_signs() {
        let o = sh();
        assert_eq!(m("-12.50", &o), (-1_250, None));
        assert_eq!(m("+12.50", &o), (1_250, None));
        assert_eq!(m("−12.50", &o), (-1_250, None));
        assert_eq!(m("(12.50)", &o), (-1_250, None));
        assert_eq!(m("（12.50）", &o), (-1_250, None));
        assert_eq!(m("(¥12.50)", &o), (-1_250, Some("CNY")));
        assert_eq!(m("-¥12.50", &o), (-1_250, Some("CNY")));
        assert_eq!(m("¥-12.50", &o), (-1_250, Some("CNY")));
        assert!(m_err("--12", &o).contains("one sign"));
        assert!(m_err("(-12.50)", &o).contains("one sign"));
        assert!(m_err("-¥-12", &o).contains("one sign"));
    }

    #[test]
    fn money_rounding() {
        // Third decimal decides, half away from zero.
        let o = sh();
        assert_eq!(m("12.345", &o).0, 1_235);
        assert_eq!(m("12.344999", &o).0, 1_234);
        assert_eq!(m("-12.345", &o).0, -1_235);
        assert_eq!(m("0.005", &o).0, 1);
        assert_eq!(m("-0.005", &o).0, -1);
        assert_eq!(m("0.0049999999999999999999999", &o).0, 0);
        assert_eq!(m("1.995", &o).0, 200);
    }

    #[test]
    fn money_decimal_comma() {
        let o = eu();
        assert_eq!(m("€12,50", &o), (1_250, Some("EUR")));
        assert_eq!(m("12,50 €", &o), (1_250, Some("EUR")));
        assert_eq!(m("1.299,00", &o), (129_900, None));
        assert_eq!(m("1 299,00", &o), (129_900, None));
        assert_eq!(m("1\u{a0}299,00", &o), (129_900, None));
        assert_eq!(m("1.299", &o), (129_900, None));
        // A lone '.' that cannot group thousands is a machine-written decimal point.
        assert_eq!(m("12.50", &o), (1_250, None));
        assert!(m_err("1.29,00", &o).contains("groups of three"));
        assert_eq!(m_err("1,299.00", &o), MONEY_EXPECTED_DC);
        assert!(m_err("", &o).starts_with(MONEY_EXPECTED_DC));
    }

    #[test]
    fn money_full_width() {
        let o = sh();
        assert_eq!(m("１２９９", &o), (129_900, None));
        assert_eq!(m("￥１，２９９．００", &o), (129_900, Some("CNY")));
        assert_eq!(m("－１２．５", &o), (-1_250, None));
    }

    #[test]
    fn money_errors() {
        let o = sh();
        assert!(m_err("", &o).contains("empty"));
        assert!(m_err(" ", &o).contains("empty"));
        assert!(m_err("1,29", &o).contains("groups of three"));
        assert!(m_err("1,2999", &o).contains("groups of three"));
        assert!(m_err("1234,567", &o).contains("groups of three"));
        assert!(m_err("1,299 000", &o).contains("groups of three"));
        assert!(m_err("$12 EUR", &o).contains("one currency"));
        for s in [
            "abc", "¥", "12.", "1.2.3", "12a", "12.50.", "$$12", "(12.50", ".",
        ] {
            assert_eq!(m_err(s, &o), MONEY_EXPECTED, "{s}");
        }
    }

    #[test]
    fn money_limits() {
        let o = sh();
        assert_eq!(m("92233720368547758.07", &o).0, i64::MAX);
        assert_eq!(m("-92233720368547758.08", &o).0, i64::MIN);
        assert!(m_err("92233720368547758.08", &o).contains("too large"));
        assert!(m_err("92233720368547758.075", &o).contains("too large"));
        assert!(m_err("-92233720368547758.09", &o).contains("too large"));
        assert!(m_err(&"9".repeat(60), &o).contains("too large"));
        assert_eq!(m(&format!("1.{}", "9".repeat(60)), &o).0, 200);
        assert_eq!(m(&format!("1.{}", "0".repeat(60)), &o).0, 100);
    }

    #[test]
    fn ints() {
        assert_eq!(parse_int("12"), Ok(12));
        assert_eq!(parse_int(" 1,200 "), Ok(1_200));
        assert_eq!(parse_int("12.0"), Ok(12));
        assert_eq!(parse_int("12.000"), Ok(12));
        assert_eq!(parse_int("-5"), Ok(-5));
        assert_eq!(parse_int("+5"), Ok(5));
        assert_eq!(parse_int("１２"), Ok(12));
        assert_eq!(parse_int("-1,200"), Ok(-1_200));
        assert_eq!(parse_int("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert!(
            parse_int("9223372036854775808")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            parse_int("-9223372036854775809")
                .unwrap_err()
                .contains("too large")
        );
        assert!(
            parse_int(&"9".repeat(50))
                .unwrap_err()
                .contains("too large")
        );
        assert!(parse_int("12.5").unwrap_err().contains("fraction"));
        assert!(
            parse_int("12.0000000000000000000001")
                .unwrap_err()
                .contains("fraction")
        );
        assert!(parse_int("1,20").unwrap_err().contains("groups of three"));
        assert!(parse_int("").unwrap_err().contains("empty"));
        assert_eq!(parse_int("abc"), Err(INT_EXPECTED.to_string()));
        assert_eq!(parse_int("12."), Err(INT_EXPECTED.to_string()));
        assert_eq!(parse_int("--1"), Err(INT_EXPECTED.to_string()));
    }

    #[test]
    fn bools() {
        for s in [
            "是",
            "有",
            "对",
            "true",
            "TRUE",
            "Yes",
            "y",
            "1",
            "T",
            "on",
            "已使用",
            "１",
        ] {
            assert_eq!(parse_bool(s), Ok(true), "{s}");
        }
        for s in [
            "否",
            "无",
            "错",
            "false",
            "False",
            "NO",
            "n",
            "0",
            "f",
            "OFF",
            "未使用",
        ] {
            assert_eq!(parse_bool(s), Ok(false), "{s}");
        }
        for s in ["", "maybe", "2", "是的吗"] {
            assert!(parse_bool(s).unwrap_err().contains("yes/no"), "{s}");
        }
    }

    #[test]
    fn ratings() {
        for (s, v) in [
            ("1", 1),
            ("5", 5),
            ("4.0", 4),
            ("５", 5),
            ("5星", 5),
            ("3 星", 3),
            ("五星", 5),
            ("一星", 1),
            ("4分", 4),
            ("5 stars", 5),
            ("1 Star", 1),
            ("好评", 5),
            ("中评", 3),
            ("差评", 1),
        ] {
            assert_eq!(parse_rating(s), Ok(v), "{s}");
        }
        for s in [
            "0",
            "6",
            "4.5",
            "-1",
            "",
            "great",
            "六星",
            "星",
            "9223372036854775807",
        ] {
            assert_eq!(parse_rating(s), Err(RATING_EXPECTED.to_string()), "{s}");
        }
    }

    #[test]
    fn statuses() {
        for (s, v) in [
            ("待付款", "pending"),
            ("等待买家付款", "pending"),
            ("UNPAID", "pending"),
            ("交易成功", "paid"),
            ("已发货", "paid"),
            ("买家已付款，等待卖家发货", "paid"),
            ("Completed", "paid"),
            ("fulfilled", "paid"),
            ("退款成功", "refunded"),
            ("Refunded", "refunded"),
            ("partially_refunded", "refunded"),
            ("交易关闭", "cancelled"),
            ("Canceled", "cancelled"),
            ("VOID", "cancelled"),
            (" cancelled ", "cancelled"),
        ] {
            assert_eq!(norm_status(s), Ok(v), "{s}");
        }
        let e = norm_status("lost").unwrap_err();
        assert_eq!(
            e,
            "expected an order status: one of pending, paid, refunded, cancelled (or a known \
             synonym)"
        );
        assert!(norm_status("").is_err());
    }

    #[test]
    fn genders() {
        for (s, v) in [
            ("女", "female"),
            ("F", "female"),
            ("Female", "female"),
            ("w", "female"),
            ("女性", "female"),
            ("男", "male"),
            ("M", "male"),
            ("man", "male"),
            ("未知", "unknown"),
            ("保密", "unknown"),
            ("U", "unknown"),
            ("Other", "unknown"),
            ("-", "unknown"),
            ("—", "unknown"),
            ("", "unknown"),
        ] {
            assert_eq!(norm_gender(s), Ok(v), "{s}");
        }
        let e = norm_gender("x").unwrap_err();
        assert!(e.contains("female, male, unknown"), "{e}");
    }

    #[test]
    fn open_vocabularies() {
        assert_eq!(norm_channel("APP"), "app");
        assert_eq!(norm_channel("手机App"), "app");
        assert_eq!(norm_channel("微信小程序"), "mini_program");
        assert_eq!(norm_channel("Mini Program"), "mini_program");
        assert_eq!(norm_channel("mini-program"), "mini_program");
        assert_eq!(norm_channel("抖音直播"), "live_stream");
        assert_eq!(norm_channel("Live Stream"), "live_stream");
        assert_eq!(norm_channel("天猫"), "platform");
        assert_eq!(norm_channel("JD"), "platform");
        assert_eq!(norm_channel("企业微信"), "private_domain");
        assert_eq!(norm_channel("PC端"), "pc_web");
        assert_eq!(norm_channel("Website"), "pc_web");
        assert_eq!(norm_channel("ＡＰＰ"), "app");
        assert_eq!(norm_channel("  Offline  Store "), "offline_store");
        assert_eq!(norm_channel("线下门店"), "线下门店");

        assert_eq!(norm_device("iPhone"), "ios");
        assert_eq!(norm_device("IOS"), "ios");
        assert_eq!(norm_device("安卓"), "android");
        assert_eq!(norm_device("Windows"), "pc");
        assert_eq!(norm_device("Mac"), "pc");
        assert_eq!(norm_device("鸿蒙"), "harmony");
        assert_eq!(norm_device("HarmonyOS"), "harmony");
        assert_eq!(norm_device("小程序"), "mini_program");
        assert_eq!(norm_device("Smart TV"), "smart_tv");

        assert_eq!(norm_payment("支付宝"), "alipay");
        assert_eq!(norm_payment("WeChat Pay"), "wechat_pay");
        assert_eq!(norm_payment("wxpay"), "wechat_pay");
        assert_eq!(norm_payment("Credit Card"), "card");
        assert_eq!(norm_payment("银联"), "card");
        assert_eq!(norm_payment("蚂蚁花呗"), "huabei");
        assert_eq!(norm_payment("Cash on Delivery"), "cod");
        assert_eq!(norm_payment("PayPal"), "paypal");
        assert_eq!(norm_payment("其他"), "other");
        assert_eq!(norm_payment("Apple Pay"), "apple_pay");

        assert_eq!(norm_event_type("浏览"), "page_view");
        assert_eq!(norm_event_type("Page View"), "page_view");
        assert_eq!(norm_event_type("加入购物车"), "add_to_cart");
        assert_eq!(norm_event_type("AddToCart"), "add_to_cart");
        assert_eq!(norm_event_type("purchase"), "order_paid");
        assert_eq!(norm_event_type("Log In"), "login");
        assert_eq!(norm_event_type("搜索"), "search");
        assert_eq!(norm_event_type("视频播放"), "video_view");
        assert_eq!(norm_event_type("领取优惠券"), "coupon_claim");
        assert_eq!(norm_event_type("观看直播"), "live_watch");
        assert_eq!(norm_event_type("分享"), "share");
        assert_eq!(norm_event_type("评论"), "comment");
        assert_eq!(norm_event_type("联系客服"), "cs_contact");
        assert_eq!(norm_event_type("Wishlist Add"), "wishlist_add");

        assert_eq!(norm_page("首页"), "home");
        assert_eq!(norm_page("Index"), "home");
        assert_eq!(norm_page("类目页"), "category");
        assert_eq!(norm_page("PDP"), "product");
        assert_eq!(norm_page("product_detail"), "product");
        assert_eq!(norm_page("Basket"), "cart");
        assert_eq!(norm_page("确认订单"), "checkout");
        assert_eq!(norm_page("搜索页"), "search");
        assert_eq!(norm_page("About Us"), "about_us");
    }

    #[test]
    fn every_synonym_maps_to_its_canonical() {
        let tables: [&[(&str, &[&str])]; 7] = [
            CHANNELS,
            DEVICES,
            PAYMENTS,
            STATUSES,
            EVENT_TYPES,
            PAGES,
            GENDERS,
        ];
        for table in tables {
            for &(canon, syns) in table {
                assert_eq!(lookup(table, canon), Some(canon));
                for syn in syns {
                    assert_eq!(lookup(table, syn), Some(canon), "{syn}");
                    assert_eq!(lookup(table, &syn.to_uppercase()), Some(canon), "{syn}");
                }
            }
        }
    }

    #[test]
    fn provinces_and_cities() {
        for (s, v) in [
            ("广东省", "广东"),
            ("上海市", "上海"),
            ("北京市", "北京"),
            ("重庆市", "重庆"),
            ("广西壮族自治区", "广西"),
            ("内蒙古自治区", "内蒙古"),
            ("新疆维吾尔自治区", "新疆"),
            ("宁夏回族自治区", "宁夏"),
            ("西藏自治区", "西藏"),
            ("香港特别行政区", "香港"),
            ("澳门特别行政区", "澳门"),
            ("黑龙江省", "黑龙江"),
            (" 浙江 ", "浙江"),
            ("杭州市", "杭州市"),
            ("California", "California"),
            ("省", "省"),
            ("", ""),
        ] {
            assert_eq!(norm_province(s), v, "{s}");
        }
        assert_eq!(norm_city("杭州市"), "杭州");
        assert_eq!(norm_city(" 石家庄市 "), "石家庄");
        assert_eq!(norm_city("沙市"), "沙市");
        assert_eq!(norm_city("杭州"), "杭州");
        assert_eq!(norm_city("市"), "市");
        assert_eq!(norm_city(""), "");
    }

    /// Random-ish strings from an alphabet of everything the scanners care about; no function
    /// may panic, and successful times must be in the representable range.
    #[test]
    fn no_panic_on_noise() {
        const ALPHABET: &[&str] = &[
            "0",
            "1",
            "2",
            "5",
            "9",
            "12",
            "2026",
            "45000",
            "-",
            "+",
            ".",
            ",",
            ":",
            "/",
            " ",
            "T",
            "Z",
            "z",
            "年",
            "月",
            "日",
            "时",
            "分",
            "秒",
            "¥",
            "￥",
            "$",
            "€",
            "£",
            "元",
            "RMB",
            "US$",
            "HK$",
            "(",
            ")",
            "（",
            "）",
            "１",
            "９",
            "，",
            "．",
            "－",
            "　",
            "AM",
            "pm",
            "UTC",
            "星",
            "五",
            "好评",
            "是",
            "市",
            "省",
            "自治区",
            "=\"",
            "\"",
            "'",
            "é",
            "🙂",
            "\u{0}",
            "\t",
            "\u{feff}",
            "e",
            "x",
            "9999999999999999999",
            "_",
            "\u{2212}",
        ];
        let opts = [sh(), ny(), eu(), utc()];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            // Knuth's MMIX LCG; the high bits are the well-mixed ones.
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut s = String::new();
        for i in 0..40_000 {
            s.clear();
            let len = next() % 12;
            for _ in 0..len {
                s.push_str(ALPHABET[next() % ALPHABET.len()]);
            }
            let o = &opts[i % opts.len()];
            if let Ok(v) = parse_time(&s, o) {
                assert!(v.abs() < 400_000_000_000_000_000, "{s:?} → {v}");
            }
            let _ = parse_money(&s, o);
            let _ = parse_int(&s);
            let _ = parse_bool(&s);
            if let Ok(r) = parse_rating(&s) {
                assert!((1..=5).contains(&r), "{s:?}");
            }
            let _ = norm_channel(&s);
            let _ = norm_device(&s);
            let _ = norm_payment(&s);
            let _ = norm_event_type(&s);
            let _ = norm_page(&s);
            let _ = norm_status(&s);
            let _ = norm_gender(&s);
            let _ = norm_province(&s);
            let _ = norm_city(&s);
        }
    }

    /// Valid inputs with one character changed must not panic either.
    #[test]
    fn no_panic_on_mutations() {
        let seeds = [
            "2026-03-01T14:05:00.123+08:00",
            "2026年3月1日 14时05分09秒",
            "03/01/2026 2:05 PM",
            "45000.5868055556",
            "20260301140509",
            "¥1,299.00",
            "(US$1,234,567.89)",
            "1.299,00 €",
        ];
        let subs = [
            '0', '9', '.', ',', ':', '-', ' ', '年', '￥', '１', 'Z', '+', '🙂',
        ];
        for o in [sh(), eu(), ny()] {
            for seed in seeds {
                for (pos, _) in seed.char_indices() {
                    for sub in subs {
                        let mut s: String = seed.get(..pos).unwrap_or("").to_string();
                        s.push(sub);
                        let rest = seed.get(pos..).unwrap_or("");
                        s.push_str(rest.chars().skip(1).collect::<String>().as_str());
                        let _ = parse_time(&s, &o);
                        let _ = parse_money(&s, &o);
                        let _ = parse_int(&s);
                        let _ = parse_rating(&s);
                    }
                }
            }
        }
    }
}
