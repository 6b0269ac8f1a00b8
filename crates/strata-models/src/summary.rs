//! From transactions to the per-customer `(frequency, recency, T, monetary_value)` the models
//! take, the way lifetimes' `summary_data_from_transaction_data` and
//! `calibration_and_holdout_data` build them.
//!
//! Transactions are first collapsed to distinct periods (day, week, calendar month or blocks of
//! N days) per customer, amounts of one period summed. Then, per customer:
//! - `frequency` = distinct periods with a purchase − 1 (repeat purchases);
//! - `recency` = last period − first period;
//! - `T` = period of the observation end − first period;
//! - `monetary` = mean of the per-period sums *excluding the first period* (0 when
//!   `frequency = 0`);
//!
//! with `recency` and `T` divided by `freq_multiplier` (so daily periods with multiplier 7 give
//! weeks, as the CDNOW data set is usually summarised). Periods are counted in whole units:
//! weeks run Monday to Sunday (pandas' `W`), months are calendar months and their differences
//! are whole months (lifetimes divides day counts by an average month of 30.44 days instead),
//! and `Days(n)` blocks are counted from 1970-01-01. Transactions in a period after the
//! observation end's period are ignored.
//!
//! Calendar arithmetic is done here (Howard Hinnant's `days_from_civil`), with no date crate.

use serde::Serialize;

use crate::data::check_lengths;
use crate::error::{ModelError, Result};

/// How transactions are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    /// Monday to Sunday.
    Week,
    /// Calendar month.
    Month,
    /// Blocks of `n` days counted from 1970-01-01 (`n >= 1`).
    Days(u32),
}

/// The unit of the timestamps: time since 1970-01-01 00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Days,
    Seconds,
    Millis,
    /// Microseconds, the unit of the canonical tables' `Timestamp(µs)` columns.
    Micros,
}

impl TimeUnit {
    fn per_day(self) -> i64 {
        match self {
            TimeUnit::Days => 1,
            TimeUnit::Seconds => 86_400,
            TimeUnit::Millis => 86_400_000,
            TimeUnit::Micros => 86_400_000_000,
        }
    }

    fn per_second(self) -> i64 {
        match self {
            TimeUnit::Days => 0,
            TimeUnit::Seconds => 1,
            TimeUnit::Millis => 1_000,
            TimeUnit::Micros => 1_000_000,
        }
    }
}

/// How to summarise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SummaryOptions {
    pub period: Period,
    pub time_unit: TimeUnit,
    /// Seconds added to every timestamp before it is cut into days (the shop's UTC offset, so
    /// days start at local midnight); ignored for [`TimeUnit::Days`].
    pub utc_offset_seconds: i64,
    /// The end of observation (inclusive), a timestamp in `time_unit`; `None` means the latest
    /// transaction.
    pub observation_end: Option<i64>,
    /// `recency` and `T` are divided by this (lifetimes' `freq_multiplier`); 1 keeps periods.
    pub freq_multiplier: f64,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self {
            period: Period::Day,
            time_unit: TimeUnit::Days,
            utc_offset_seconds: 0,
            observation_end: None,
            freq_multiplier: 1.0,
        }
    }
}

/// One row per customer, sorted by customer id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub customers: Vec<u64>,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    /// Mean per-period spend over the repeat periods; `None` when no amounts were given.
    pub monetary: Option<Vec<f64>>,
}

impl Summary {
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }
}

/// A calibration summary with what happened next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationHoldout {
    /// Customers whose first purchase is in or before the calibration end's period.
    pub calibration: Summary,
    /// Distinct periods with a purchase in the holdout window, per calibration customer.
    pub frequency_holdout: Vec<f64>,
    /// Mean per-period spend in the holdout window (0 without purchases); `None` without
    /// amounts. (lifetimes averages single transactions here; periods are used for
    /// consistency with the calibration `monetary`.)
    pub monetary_holdout: Option<Vec<f64>>,
    /// Length of the holdout window: periods from the calibration end's to the observation
    /// end's, divided by `freq_multiplier`.
    pub duration_holdout: f64,
}

/// Days since 1970-01-01 of a civil (proleptic Gregorian) date; `month` 1–12, `day` 1–31.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = i64::from(if month > 2 { month - 3 } else { month + 9 }); // [0, 11]
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = (if z >= 0 { z } else { z - 146_096 }) / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a date, checked (`None` for 2023-02-29 and the like).
pub fn date(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > 31 {
        return None;
    }
    let d = days_from_civil(year, month, day);
    (civil_from_days(d) == (year, month, day)).then_some(d)
}

/// The period index of a timestamp.
fn period_of(ts: i64, opts: &SummaryOptions) -> Result<i64> {
    let shifted = if opts.time_unit == TimeUnit::Days {
        ts
    } else {
        ts.checked_add(
            opts.utc_offset_seconds
                .saturating_mul(opts.time_unit.per_second()),
        )
        .ok_or(ModelError::InvalidOption {
            name: "utc_offset_seconds",
            value: opts.utc_offset_seconds as f64,
            expected: "an offset that keeps timestamps in range",
        })?
    };
    let day = shifted.div_euclid(opts.time_unit.per_day());
    Ok(match opts.period {
        Period::Day => day,
        // 1969-12-29 (day −3) was a Monday.
        Period::Week => (day + 3).div_euclid(7),
        Period::Days(n) => day.div_euclid(i64::from(n.max(1))),
        Period::Month => {
            let (y, m, _) = civil_from_days(day);
            y * 12 + i64::from(m) - 1
        }
    })
}

fn check_options(opts: &SummaryOptions) -> Result<()> {
    if !(opts.freq_multiplier.is_finite() && opts.freq_multiplier > 0.0) {
        return Err(ModelError::InvalidOption {
            name: "freq_multiplier",
            value: opts.freq_multiplier,
            expected: "a finite number > 0",
        });
    }
    if opts.period == Period::Days(0) {
        return Err(ModelError::InvalidOption {
            name: "period days",
            value: 0.0,
            expected: "at least 1 day per period",
        });
    }
    Ok(())
}

/// One transaction reduced to its customer, period and amount.
struct Tx {
    customer: u64,
    period: i64,
    amount: f64,
}

/// Checks and converts the transactions to `(customer, period, amount)`, sorted by customer
/// and period.
fn periods(
    customers: &[u64],
    times: &[i64],
    amounts: Option<&[f64]>,
    opts: &SummaryOptions,
) -> Result<Vec<Tx>> {
    let n = check_lengths(&[("customer", customers.len()), ("time", times.len())]).map_err(
        |e| match e {
            ModelError::Empty { .. } => ModelError::Empty {
                what: "transactions",
            },
            other => other,
        },
    )?;
    if let Some(a) = amounts {
        check_lengths(&[("customer", n), ("amount", a.len())])?;
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let amount = amounts.map_or(0.0, |a| a[i]);
        if !amount.is_finite() {
            return Err(ModelError::InvalidValue {
                column: "amount",
                row: i,
                value: amount,
                expected: "a finite amount",
            });
        }
        out.push(Tx {
            customer: customers[i],
            period: period_of(times[i], opts)?,
            amount,
        });
    }
    out.sort_unstable_by_key(|t| (t.customer, t.period));
    Ok(out)
}

/// Builds the per-customer summary (lifetimes' `summary_data_from_transaction_data`).
/// `customers[i]`, `times[i]` (in `opts.time_unit`) and `amounts[i]` describe transaction `i`.
pub fn summarize(
    customers: &[u64],
    times: &[i64],
    amounts: Option<&[f64]>,
    opts: &SummaryOptions,
) -> Result<Summary> {
    check_options(opts)?;
    let txs = periods(customers, times, amounts, opts)?;
    let end = match opts.observation_end {
        Some(e) => period_of(e, opts)?,
        None => txs.iter().map(|t| t.period).max().unwrap_or(0),
    };
    Ok(summarize_periods(
        &txs,
        end,
        amounts.is_some(),
        opts.freq_multiplier,
        |p| p <= end,
    ))
}

/// The summary of the transactions whose period passes `keep`, observed until period `end`.
fn summarize_periods(
    txs: &[Tx],
    end: i64,
    with_amounts: bool,
    mult: f64,
    keep: impl Fn(i64) -> bool,
) -> Summary {
    let mut s = Summary {
        customers: Vec::new(),
        frequency: Vec::new(),
        recency: Vec::new(),
        t: Vec::new(),
        monetary: with_amounts.then(Vec::new),
    };
    let mut i = 0;
    while i < txs.len() {
        let c = txs[i].customer;
        let mut j = i;
        let mut first = None;
        let mut last = 0;
        let mut periods = 0u64;
        let mut repeat_sum = 0.0;
        let mut prev_period = None;
        while j < txs.len() && txs[j].customer == c {
            let tx = &txs[j];
            j += 1;
            if !keep(tx.period) {
                continue;
            }
            if first.is_none() {
                first = Some(tx.period);
            }
            if prev_period != Some(tx.period) {
                periods += 1;
                prev_period = Some(tx.period);
                last = tx.period;
            }
            if Some(tx.period) != first {
                repeat_sum += tx.amount;
            }
        }
        i = j;
        let Some(first) = first else { continue };
        let freq = periods - 1;
        s.customers.push(c);
        s.frequency.push(freq as f64);
        s.recency.push((last - first) as f64 / mult);
        s.t.push((end - first) as f64 / mult);
        if let Some(m) = s.monetary.as_mut() {
            m.push(if freq > 0 {
                repeat_sum / freq as f64
            } else {
                0.0
            });
        }
    }
    s
}

/// Splits the transactions at `calibration_end` (lifetimes' `calibration_and_holdout_data`):
/// the calibration summary is observed until the calibration end's period (customers whose
/// first purchase is later are left out), and the holdout window runs to the observation end
/// (`opts.observation_end`, or the latest transaction). The cut is made on periods: the whole
/// period containing `calibration_end` belongs to the calibration.
pub fn calibration_and_holdout(
    customers: &[u64],
    times: &[i64],
    amounts: Option<&[f64]>,
    calibration_end: i64,
    opts: &SummaryOptions,
) -> Result<CalibrationHoldout> {
    check_options(opts)?;
    let txs = periods(customers, times, amounts, opts)?;
    let cal = period_of(calibration_end, opts)?;
    let end = match opts.observation_end {
        Some(e) => period_of(e, opts)?,
        None => txs.iter().map(|t| t.period).max().unwrap_or(cal),
    };
    if end < cal {
        return Err(ModelError::InvalidOption {
            name: "observation_end",
            value: end as f64,
            expected: "a time at or after the calibration end",
        });
    }
    let calibration = summarize_periods(&txs, cal, amounts.is_some(), opts.freq_multiplier, |p| {
        p <= cal
    });
    let holdout = summarize_holdout(&txs, cal, end);
    // Both are sorted by customer; walk them together.
    let mut frequency_holdout = vec![0.0; calibration.len()];
    let mut monetary_holdout = amounts.map(|_| vec![0.0; calibration.len()]);
    let mut k = 0;
    for (idx, &c) in calibration.customers.iter().enumerate() {
        while k < holdout.len() && holdout[k].0 < c {
            k += 1;
        }
        if k < holdout.len() && holdout[k].0 == c {
            let (_, periods, total) = holdout[k];
            frequency_holdout[idx] = periods as f64;
            if let Some(m) = monetary_holdout.as_mut() {
                m[idx] = total / periods as f64;
            }
        }
    }
    Ok(CalibrationHoldout {
        calibration,
        frequency_holdout,
        monetary_holdout,
        duration_holdout: (end - cal) as f64 / opts.freq_multiplier,
    })
}

/// `(customer, distinct periods, total amount)` of purchases in periods `(cal, end]`.
fn summarize_holdout(txs: &[Tx], cal: i64, end: i64) -> Vec<(u64, u64, f64)> {
    let mut out: Vec<(u64, u64, f64)> = Vec::new();
    let mut prev: Option<(u64, i64)> = None;
    for tx in txs.iter().filter(|t| t.period > cal && t.period <= end) {
        if out.last().is_none_or(|l| l.0 != tx.customer) {
            out.push((tx.customer, 0, 0.0));
        }
        let last = out.last_mut().expect("pushed above");
        if prev != Some((tx.customer, tx.period)) {
            last.1 += 1;
            prev = Some((tx.customer, tx.period));
        }
        last.2 += tx.amount;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(date(2023, 2, 29), None);
        assert_eq!(date(2024, 2, 29), Some(19_782));
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn reference_example_daily() {
        // REFERENCE.md: daily periods, end 2015-02-07.
        let d = |m, day| days_from_civil(2015, m, day);
        let customers = [1, 1, 2, 3, 3, 3];
        let times = [d(2, 1), d(2, 6), d(1, 1), d(1, 1), d(1, 2), d(1, 5)];
        let opts = SummaryOptions {
            observation_end: Some(d(2, 7)),
            ..SummaryOptions::default()
        };
        let s = summarize(&customers, &times, None, &opts).unwrap();
        assert_eq!(s.customers, vec![1, 2, 3]);
        assert_eq!(s.frequency, vec![1.0, 0.0, 2.0]);
        assert_eq!(s.recency, vec![5.0, 0.0, 4.0]);
        assert_eq!(s.t, vec![6.0, 37.0, 37.0]);
    }

    #[test]
    fn same_period_purchases_are_merged_and_first_excluded_from_monetary() {
        let customers = [7, 7, 7, 7];
        let times = [0, 0, 3, 3]; // two purchases on day 0, two on day 3
        let amounts = [10.0, 5.0, 4.0, 6.0];
        let s = summarize(
            &customers,
            &times,
            Some(&amounts),
            &SummaryOptions::default(),
        )
        .unwrap();
        assert_eq!(s.frequency, vec![1.0]);
        assert_eq!(s.monetary, Some(vec![10.0]));
    }

    #[test]
    fn weeks_start_on_monday_and_months_are_calendar_months() {
        // 2024-01-07 is a Sunday, 2024-01-08 a Monday.
        let sun = days_from_civil(2024, 1, 7);
        let opts = SummaryOptions {
            period: Period::Week,
            ..SummaryOptions::default()
        };
        let s = summarize(&[1, 1], &[sun - 6, sun], None, &opts).unwrap();
        assert_eq!(s.frequency, vec![0.0]);
        let s = summarize(&[1, 1], &[sun, sun + 1], None, &opts).unwrap();
        assert_eq!((s.frequency[0], s.recency[0]), (1.0, 1.0));
        let opts = SummaryOptions {
            period: Period::Month,
            observation_end: Some(days_from_civil(2024, 12, 31)),
            ..SummaryOptions::default()
        };
        let s = summarize(
            &[1, 1],
            &[days_from_civil(2024, 1, 31), days_from_civil(2024, 3, 1)],
            None,
            &opts,
        )
        .unwrap();
        assert_eq!((s.frequency[0], s.recency[0], s.t[0]), (1.0, 2.0, 11.0));
    }

    #[test]
    fn seconds_with_offset_cut_days_at_local_midnight() {
        // 2024-01-01 23:30 UTC is 2024-01-02 07:30 in UTC+8.
        let ts = days_from_civil(2024, 1, 1) * 86_400 + 23 * 3600 + 1800;
        let day0 = days_from_civil(2024, 1, 2) * 86_400 + 3600; // 01:00 UTC = 09:00 local
        let opts = SummaryOptions {
            time_unit: TimeUnit::Seconds,
            utc_offset_seconds: 8 * 3600,
            ..SummaryOptions::default()
        };
        let s = summarize(&[1, 1], &[ts, day0], None, &opts).unwrap();
        assert_eq!(s.frequency, vec![0.0]);
    }

    #[test]
    fn holdout_counts_periods_after_the_calibration_end() {
        let customers = [1, 1, 1, 2, 3];
        let times = [0, 5, 12, 3, 11];
        let amounts = [1.0, 2.0, 3.0, 4.0, 5.0];
        let opts = SummaryOptions {
            observation_end: Some(20),
            ..SummaryOptions::default()
        };
        let ch = calibration_and_holdout(&customers, &times, Some(&amounts), 10, &opts).unwrap();
        // Customer 3 first bought after the calibration end: not in the calibration summary.
        assert_eq!(ch.calibration.customers, vec![1, 2]);
        assert_eq!(ch.calibration.frequency, vec![1.0, 0.0]);
        assert_eq!(ch.calibration.t, vec![10.0, 7.0]);
        assert_eq!(ch.frequency_holdout, vec![1.0, 0.0]);
        assert_eq!(ch.monetary_holdout, Some(vec![3.0, 0.0]));
        assert_eq!(ch.duration_holdout, 10.0);
    }
}
