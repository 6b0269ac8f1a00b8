//! The simulated time window, its shopping seasons, and fast date formatting.
//!
//! Times inside the generator are Asia/Shanghai wall-clock times measured from the first
//! midnight of the window (days as `f64` for the purchase processes, seconds or milliseconds as
//! integers once fixed). Formatting goes through a small civil-date routine instead of chrono,
//! because millions of timestamps are written per run.

use std::fmt::Write as _;

use chrono::{Datelike, Months, NaiveDate};

use crate::DemoError;

/// Which seasonal curve a customer follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Season {
    /// Everyday shoppers: busier around Double 11 and 618, quiet at Spring Festival.
    General,
    /// Scenario-driven shoppers: mostly buy at 618, Double 11, Valentine's Day and Double 12.
    Scenario,
}

pub(crate) const SECS_PER_DAY: i64 = 86_400;
/// Shanghai is UTC+8 all year (no daylight saving).
pub(crate) const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600 * 1_000;

/// Chinese New Year's Day (month, day) by year; outside the table, about 5 February.
const SPRING_FESTIVAL: [(i32, u32, u32); 21] = [
    (2015, 2, 19),
    (2016, 2, 8),
    (2017, 1, 28),
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

/// How much more likely acquisition is at the end of the window than at its start.
const ACQUISITION_GROWTH: f64 = 0.3;

#[derive(Debug)]
pub(crate) struct Calendar {
    /// Days from 1970-01-01 to the window's first day.
    pub start_days: i64,
    /// Number of days in the window.
    pub days: usize,
    general: Vec<f64>,
    scenario: Vec<f64>,
    festival: Vec<bool>,
    general_max: f64,
    scenario_max: f64,
    acquisition_cum: Vec<f64>,
    visit_cum: Vec<f64>,
}

impl Calendar {
    /// The window is the `years` years that end with the day `end` (inclusive).
    pub(crate) fn new(end: NaiveDate, years: u32) -> Result<Self, DemoError> {
        if years == 0 || years > 50 {
            return Err(DemoError::InvalidConfig(format!(
                "years must be between 1 and 50, got {years}"
            )));
        }
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        if end.year() < 1971 || end.year() > 9_000 {
            return Err(DemoError::InvalidConfig(format!(
                "end date {end} is outside 1971..9000"
            )));
        }
        let start = end
            .checked_sub_months(Months::new(12 * years))
            .and_then(|d| d.succ_opt())
            .filter(|d| *d > epoch)
            .ok_or_else(|| {
                DemoError::InvalidConfig(format!("{years} years before {end} is before 1970"))
            })?;
        let start_days = (start - epoch).num_days();
        let days = ((end - start).num_days() + 1) as usize;

        let mut general = Vec::with_capacity(days);
        let mut scenario = Vec::with_capacity(days);
        let mut festival = Vec::with_capacity(days);
        for d in 0..days {
            let date = start + chrono::Days::new(d as u64);
            let (g, s, f) = season_of(date);
            general.push(g);
            scenario.push(s);
            festival.push(f);
        }
        let general_max = general.iter().copied().fold(0.0, f64::max);
        let scenario_max = scenario.iter().copied().fold(0.0, f64::max);

        // New customers arrive a little faster every month and follow the general season;
        // anonymous visits follow the season with milder growth.
        let mut acquisition_cum = Vec::with_capacity(days);
        let mut visit_cum = Vec::with_capacity(days);
        let (mut acc, mut vis) = (0.0, 0.0);
        for (d, g) in general.iter().enumerate() {
            let f = d as f64 / days as f64;
            acc += g * (1.0 + ACQUISITION_GROWTH * f);
            vis += g * (1.0 + 0.5 * f);
            acquisition_cum.push(acc);
            visit_cum.push(vis);
        }
        Ok(Self {
            start_days,
            days,
            general,
            scenario,
            festival,
            general_max,
            scenario_max,
            acquisition_cum,
            visit_cum,
        })
    }

    pub(crate) fn span(&self) -> f64 {
        self.days as f64
    }

    pub(crate) fn span_secs(&self) -> i64 {
        self.days as i64 * SECS_PER_DAY
    }

    /// Demand multiplier on day `d` (clamped into the window).
    pub(crate) fn season(&self, season: Season, d: usize) -> f64 {
        let d = d.min(self.days - 1);
        match season {
            Season::General => self.general[d],
            Season::Scenario => self.scenario[d],
        }
    }

    pub(crate) fn season_max(&self, season: Season) -> f64 {
        match season {
            Season::General => self.general_max,
            Season::Scenario => self.scenario_max,
        }
    }

    /// Whether day `d` is inside a shopping festival (618, Double 11, Valentine's, Double 12).
    pub(crate) fn is_festival(&self, d: usize) -> bool {
        self.festival[d.min(self.days - 1)]
    }

    pub(crate) fn acquisition_day(&self, rng: &mut crate::rng::Rng) -> usize {
        rng.cumulative(&self.acquisition_cum)
    }

    pub(crate) fn visit_day(&self, rng: &mut crate::rng::Rng) -> usize {
        rng.cumulative(&self.visit_cum)
    }

    /// (year, month, day) of day `d` of the window.
    pub(crate) fn ymd(&self, d: i64) -> (i64, u32, u32) {
        civil_from_days(self.start_days + d)
    }

    /// `2026/3/1 14:05`: a Taobao-export style order time (no zero padding, no seconds).
    pub(crate) fn write_slash_minute(&self, out: &mut String, secs: i64) {
        let (days, rem) = (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY));
        let (y, m, d) = self.ymd(days);
        let _ = write!(out, "{y}/{m}/{d} {:02}:{:02}", rem / 3600, rem / 60 % 60);
    }

    /// `2026-03-01 14:07:12`.
    pub(crate) fn write_dash(&self, out: &mut String, secs: i64) {
        let (days, rem) = (secs.div_euclid(SECS_PER_DAY), secs.rem_euclid(SECS_PER_DAY));
        let (y, m, d) = self.ymd(days);
        let _ = write!(
            out,
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        );
    }

    /// The UTC epoch milliseconds of a window time given in local milliseconds.
    pub(crate) fn epoch_ms(&self, local_ms: i64) -> i64 {
        self.start_days * SECS_PER_DAY * 1000 + local_ms - SHANGHAI_OFFSET_MS
    }

    /// `yymm` of a window time, the prefix of order numbers.
    pub(crate) fn yymm(&self, secs: i64) -> u64 {
        let (y, m, _) = self.ymd(secs.div_euclid(SECS_PER_DAY));
        (y.rem_euclid(100) * 100) as u64 + u64::from(m)
    }
}

/// Demand multipliers for one date: (general, scenario, is festival).
fn season_of(date: NaiveDate) -> (f64, f64, bool) {
    let (m, d) = (date.month(), date.day());
    let cny = SPRING_FESTIVAL
        .iter()
        .find(|(y, _, _)| *y == date.year())
        .map_or((2, 5), |(_, m, d)| (*m, *d));
    let cny = NaiveDate::from_ymd_opt(date.year(), cny.0, cny.1).expect("valid festival date");
    let from_cny = (date - cny).num_days();

    // Spring Festival: shops and couriers pause from the eve to the sixth day, and the week
    // before is already slow because parcels would not arrive in time.
    if (-1..=6).contains(&from_cny) {
        return (0.4, 0.15, false);
    }
    if (-10..=-2).contains(&from_cny) {
        return (0.8, 0.25, false);
    }
    match (m, d) {
        (11, 1..=9) => (2.2, 6.0, true),
        (11, 10..=11) => (3.5, 9.0, true),
        (11, _) => (1.15, 0.5, false),
        (6, 1..=15) => (1.7, 4.5, true),
        (6, 16..=18) => (2.6, 7.0, true),
        (12, 10..=12) => (1.6, 5.0, true),
        (2, 12..=14) => (1.2, 5.0, true),
        _ => (1.0, 0.2, false),
    }
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `1,299.00` for 129900 cents (no currency sign).
pub(crate) fn write_money_grouped(out: &mut String, cents: i64) {
    debug_assert!(cents >= 0);
    let yuan = cents / 100;
    let digits = yuan.to_string();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    let _ = write!(out, ".{:02}", cents % 100);
}

/// `30.00` for 3000 cents.
pub(crate) fn write_money(out: &mut String, cents: i64) {
    debug_assert!(cents >= 0);
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::new(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(), 2).unwrap()
    }

    #[test]
    fn window_is_two_whole_years_ending_on_end() {
        let c = cal();
        assert_eq!(c.days, 730);
        assert_eq!(c.ymd(0), (2024, 11, 1));
        assert_eq!(c.ymd(729), (2026, 10, 31));
    }

    #[test]
    fn civil_dates_match_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for z in (-1000..30_000).step_by(7) {
            let d = epoch + chrono::Duration::days(z);
            assert_eq!(
                civil_from_days(z),
                (i64::from(d.year()), d.month(), d.day())
            );
        }
    }

    #[test]
    fn formats_times_and_money() {
        let c = cal();
        let secs = (120 * SECS_PER_DAY) + 14 * 3600 + 5 * 60 + 7;
        let mut s = String::new();
        c.write_slash_minute(&mut s, secs);
        assert_eq!(s, "2025/3/1 14:05");
        s.clear();
        c.write_dash(&mut s, secs);
        assert_eq!(s, "2025-03-01 14:05:07");
        assert_eq!(c.yymm(secs), 2503);
        s.clear();
        write_money_grouped(&mut s, 129_900);
        s.push(' ');
        write_money_grouped(&mut s, 123_456_789);
        s.push(' ');
        write_money_grouped(&mut s, 5);
        s.push(' ');
        write_money(&mut s, 3000);
        assert_eq!(s, "1,299.00 1,234,567.89 0.05 30.00");
        // 2025-03-01 00:00 Shanghai is 2025-02-28 16:00 UTC.
        assert_eq!(c.epoch_ms(120 * SECS_PER_DAY * 1000), 1_740_758_400_000);
    }

    #[test]
    fn seasons_peak_at_double_11_and_dip_at_spring_festival() {
        let c = cal();
        let day = |y, m, d| {
            (NaiveDate::from_ymd_opt(y, m, d).unwrap()
                - NaiveDate::from_ymd_opt(2024, 11, 1).unwrap())
            .num_days() as usize
        };
        assert!(c.season(Season::General, day(2025, 11, 11)) > 3.0);
        assert!(c.season(Season::General, day(2026, 2, 18)) < 0.5);
        assert!(c.is_festival(day(2026, 6, 18)));
        assert!(!c.is_festival(day(2026, 7, 18)));
        assert!(c.season_max(Season::Scenario) >= c.season(Season::Scenario, day(2025, 6, 1)));
    }

    #[test]
    fn rejects_bad_windows() {
        let end = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert!(Calendar::new(end, 0).is_err());
        assert!(Calendar::new(NaiveDate::from_ymd_opt(1971, 6, 1).unwrap(), 2).is_err());
    }
}
