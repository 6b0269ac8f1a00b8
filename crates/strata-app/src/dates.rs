//! Days as people write them, and what an analysis date means against the data: chosen or the
//! latest order day, and whether it lies past the data (then every customer looks lapsed).

use chrono::NaiveDate;
use strata_features::AnalysisMeta;

/// The forms [`parse_date`] takes, for messages.
pub const DATE_FORMS: &str = "YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD)";

/// A calendar day written `2026-10-01`, `2026/10/01`, `2026.10.1`, `20261001` or `2026年10月1日`.
/// The error names the forms accepted, and says when the day does not exist.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let bad = || format!("`{text}`: expected a date as {DATE_FORMS}");
    let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        vec![&t[..4], &t[4..6], &t[6..]]
    } else {
        let t = t.strip_suffix('日').unwrap_or(t);
        t.split(['-', '/', '.', '年', '月']).collect()
    };
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let num = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (num(y, 4), num(m, 2), num(d, 2)) else {
        return Err(bad());
    };
    if y < 1000 {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .ok_or_else(|| format!("`{text}`: no such day; expected a date as {DATE_FORMS}"))
}

/// The analysis date of a customer table and how it came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub date: NaiveDate,
    /// No date was given: the latest order day was taken.
    pub defaulted: bool,
    /// The local day of the latest order in the data, when known.
    pub last_order_day: Option<NaiveDate>,
    /// Orders placed after the analysis date, left out (when known).
    pub later_orders: Option<u64>,
}

impl AsOf {
    pub fn of(meta: &AnalysisMeta) -> AsOf {
        AsOf {
            date: meta.as_of,
            defaulted: meta.config.as_of.is_none(),
            last_order_day: meta.last_order_day,
            later_orders: meta
                .orders_used
                .map(|used| meta.orders_scanned.saturating_sub(used)),
        }
    }

    /// "as of 2026-10-31 (the latest order day)", or the chosen date with the orders it
    /// leaves out.
    pub fn describe(&self) -> String {
        let mut s = format!("as of {}", self.date);
        if self.defaulted {
            s.push_str(" (the latest order day)");
        } else if let Some(n) = self.later_orders.filter(|&n| n > 0) {
            s.push_str(&format!(
                " ({n} later order{} left out)",
                if n == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// Days from the latest order to the end of the analysis date, when the date is past it.
    pub fn days_past_data(&self) -> Option<i64> {
        let last = self.last_order_day?;
        let days = (self.date - last).num_days();
        (days > 0).then_some(days)
    }

    /// A warning when the analysis date lies past the latest order: recency grows for everyone,
    /// so scores read as if the shop had stopped selling.
    pub fn past_data_warning(&self) -> Option<String> {
        let days = self.days_past_data()?;
        let last = self.last_order_day?;
        Some(format!(
            "no orders in the {days} day{} before {} (the latest is on {last}): scores assume the shop stopped selling; an analysis date within the data scores customers as of then",
            if days == 1 { "" } else { "s" },
            self.date,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_take_the_forms_people_write() {
        for text in [
            "2026-10-01",
            "2026/10/01",
            "2026/10/1",
            "2026.10.01",
            "20261001",
            " 2026-10-01 ",
            "2026年10月1日",
        ] {
            assert_eq!(parse_date(text), Ok(day(2026, 10, 1)), "{text}");
        }
        let e = parse_date("01/10/2026").unwrap_err();
        assert!(
            e.contains("`01/10/2026`") && e.contains("YYYY-MM-DD"),
            "{e}"
        );
        let e = parse_date("2026-13-01").unwrap_err();
        assert!(e.contains("no such day") && e.contains("YYYY-MM-DD"), "{e}");
        assert!(parse_date("2026-10").is_err());
        assert!(parse_date("2026-10-01-02").is_err());
        assert!(parse_date("tomorrow").is_err());
        assert!(parse_date("2026-+1-01").is_err());
    }

    #[test]
    fn a_date_past_the_data_is_warned_about_and_a_default_is_explained() {
        let mut a = AsOf {
            date: day(2027, 6, 30),
            defaulted: false,
            last_order_day: Some(day(2027, 5, 1)),
            later_orders: Some(0),
        };
        assert_eq!(a.days_past_data(), Some(60));
        let w = a.past_data_warning().unwrap();
        assert!(
            w.starts_with("no orders in the 60 days before 2027-06-30")
                && w.contains("scores assume the shop stopped selling"),
            "{w}"
        );
        assert_eq!(a.describe(), "as of 2027-06-30");
        a.date = day(2027, 5, 1);
        a.defaulted = true;
        assert_eq!(a.past_data_warning(), None);
        assert_eq!(a.describe(), "as of 2027-05-01 (the latest order day)");
        a.date = day(2027, 4, 1);
        a.defaulted = false;
        a.later_orders = Some(12);
        assert_eq!(a.past_data_warning(), None);
        assert_eq!(a.describe(), "as of 2027-04-01 (12 later orders left out)");
    }
}
