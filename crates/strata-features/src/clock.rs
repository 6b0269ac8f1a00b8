//! Local days and hours of UTC instants, fast: the per-customer pass asks for them once per
//! order, hundreds of millions of times, where a time-zone database lookup costs ~50 ns.
//! Offsets are looked up once per UTC hour of the analysed span and kept in a table.

use chrono::{Datelike, Offset, TimeZone};
use chrono_tz::Tz;

use crate::config::Window;

const US_PER_HOUR: i64 = 3_600_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Local-time facts about instants between `start` and `end` (µs since the epoch, UTC).
#[derive(Debug)]
pub struct Clock {
    tz: Tz,
    base_hour: i64,
    /// Offset from UTC in seconds, per UTC hour from `base_hour`.
    offsets: Vec<i32>,
    base_day: i64,
    /// Whether each local day from `base_day` falls in a festival window.
    festival: Vec<bool>,
    windows: Vec<Window>,
}

impl Clock {
    pub fn new(tz: Tz, start_us: i64, end_us: i64, windows: Vec<Window>) -> Clock {
        let end_us = end_us.max(start_us);
        let base_hour = start_us.div_euclid(US_PER_HOUR);
        let hours = (end_us.div_euclid(US_PER_HOUR) - base_hour + 1) as usize;
        let offsets = (0..hours as i64)
            .map(|h| offset_at(tz, (base_hour + h) * 3600))
            .collect();
        let mut clock = Clock {
            tz,
            base_hour,
            offsets,
            base_day: 0,
            festival: Vec::new(),
            windows,
        };
        let first_day = clock.local_secs(start_us).div_euclid(SECS_PER_DAY);
        let last_day = clock.local_secs(end_us).div_euclid(SECS_PER_DAY);
        clock.base_day = first_day;
        clock.festival = (first_day..=last_day)
            .map(|d| clock.day_is_festival(d))
            .collect();
        clock
    }

    /// Seconds since the epoch in local wall-clock time.
    #[inline]
    pub fn local_secs(&self, us: i64) -> i64 {
        let h = us.div_euclid(US_PER_HOUR) - self.base_hour;
        let offset = if h >= 0 && (h as usize) < self.offsets.len() {
            self.offsets[h as usize]
        } else {
            offset_at(self.tz, us.div_euclid(1_000_000))
        };
        us.div_euclid(1_000_000) + i64::from(offset)
    }

    /// Local hour of day, 0–23.
    #[inline]
    pub fn hour(&self, us: i64) -> u8 {
        (self.local_secs(us).div_euclid(3600).rem_euclid(24)) as u8
    }

    /// Local day number (days since 1970-01-01 in local time).
    #[inline]
    pub fn day(&self, us: i64) -> i64 {
        self.local_secs(us).div_euclid(SECS_PER_DAY)
    }

    /// Whether the local day of `us` falls in a festival window.
    #[inline]
    pub fn is_festival(&self, us: i64) -> bool {
        let d = self.day(us) - self.base_day;
        if d >= 0 && (d as usize) < self.festival.len() {
            self.festival[d as usize]
        } else {
            self.day_is_festival(self.day(us))
        }
    }

    /// Local hour and festival flag together, with one offset lookup.
    #[inline]
    pub fn hour_and_festival(&self, us: i64) -> (u8, bool) {
        let local = self.local_secs(us);
        let hour = local.div_euclid(3600).rem_euclid(24) as u8;
        let day = local.div_euclid(SECS_PER_DAY);
        let d = day - self.base_day;
        let festival = if d >= 0 && (d as usize) < self.festival.len() {
            self.festival[d as usize]
        } else {
            self.day_is_festival(day)
        };
        (hour, festival)
    }

    fn day_is_festival(&self, day: i64) -> bool {
        let Some(date) = chrono::DateTime::from_timestamp(day * SECS_PER_DAY, 0) else {
            return false;
        };
        let (m, d) = (date.month(), date.day());
        self.windows.iter().any(|w| w.contains(m, d))
    }
}

fn offset_at(tz: Tz, secs: i64) -> i32 {
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => tz
            .offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
        None => 0,
    }
}

/// The first instant of local day `date` in `tz`, µs UTC: midnight, or where clocks jump
/// forward at midnight, the first minute that exists. `None` for a day with no valid time.
pub fn day_start_us(tz: chrono_tz::Tz, date: chrono::NaiveDate) -> Option<i64> {
    use chrono::TimeZone;
    (0..24 * 60).find_map(|minutes| {
        let start = date.and_hms_opt(minutes / 60, minutes % 60, 0)?;
        tz.from_local_datetime(&start)
            .earliest()
            .map(|t| t.timestamp_micros())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn shanghai_hours_days_and_festivals() {
        let w = vec![Window::parse("11-01..11-11").unwrap()];
        let c = Clock::new(
            chrono_tz::Asia::Shanghai,
            us("2025-01-01T00:00:00Z"),
            us("2026-12-31T00:00:00Z"),
            w,
        );
        // 16:30 UTC on 31 October is 00:30 on 1 November in Shanghai: a festival day.
        let t = us("2025-10-31T16:30:00Z");
        assert_eq!(c.hour(t), 0);
        assert!(c.is_festival(t));
        assert!(!c.is_festival(us("2025-10-31T15:59:59Z")));
        assert!(c.is_festival(us("2026-11-11T15:59:59Z")));
        assert!(!c.is_festival(us("2026-11-11T16:00:00Z")));
        // Outside the table the answers are the same, only slower.
        assert_eq!(c.hour(us("2030-06-01T04:00:00Z")), 12);
        assert!(c.is_festival(us("2030-11-05T04:00:00Z")));
        for t in [
            "2025-10-31T16:30:00Z",
            "2025-10-31T15:59:59Z",
            "2030-11-05T04:00:00Z",
        ] {
            assert_eq!(
                c.hour_and_festival(us(t)),
                (c.hour(us(t)), c.is_festival(us(t)))
            );
        }
    }

    #[test]
    fn daylight_saving_time_moves_the_hour() {
        let c = Clock::new(
            chrono_tz::Europe::Berlin,
            us("2026-01-01T00:00:00Z"),
            us("2026-12-31T00:00:00Z"),
            vec![],
        );
        assert_eq!(c.hour(us("2026-01-15T12:00:00Z")), 13);
        assert_eq!(c.hour(us("2026-07-15T12:00:00Z")), 14);
        // The switch: 01:00 UTC on 29 March 2026 is 03:00 CEST.
        assert_eq!(c.hour(us("2026-03-29T00:59:00Z")), 1);
        assert_eq!(c.hour(us("2026-03-29T01:00:00Z")), 3);
    }
}
