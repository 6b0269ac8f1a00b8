//! "Nice" axis ticks (multiples of 1, 2 or 5 × 10^k) and the linear map from data to pixels.

use crate::format::decimals_for;

/// Axis ticks: evenly spaced round values that cover the data range.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// The tick values, ascending; the first and last bound the axis.
    pub values: Vec<f64>,
    /// The distance between neighbouring ticks.
    pub step: f64,
}

impl Ticks {
    pub fn min(&self) -> f64 {
        self.values.first().copied().unwrap_or(0.0)
    }

    pub fn max(&self) -> f64 {
        self.values.last().copied().unwrap_or(1.0)
    }

    /// The largest absolute tick value, which decides units such as 万 or M.
    pub(crate) fn max_abs(&self) -> f64 {
        self.min().abs().max(self.max().abs())
    }
}

/// Ticks covering `lo..=hi` with about `target` intervals, at a step of 1, 2 or 5 × 10^k.
/// `nice_ticks(0.0, 873.0, 5)` gives 0, 200, …, 1000. An empty range is widened (0..0 becomes
/// 0..1) and non-finite bounds give 0..1.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    nice_ticks_min_step(lo, hi, target, 0.0)
}

/// [`nice_ticks`] with a lower bound on the step, so that counts never get ticks at 0.5.
pub(crate) fn nice_ticks_min_step(lo: f64, hi: f64, target: usize, min_step: f64) -> Ticks {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    if lo == hi {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() * 0.1;
            let keep_sign = lo > 0.0;
            lo -= pad;
            hi += pad;
            if keep_sign {
                lo = lo.max(0.0);
            }
        }
    }
    let target = target.clamp(1, 20) as f64;
    let mut step = nice_step((hi - lo) / target).max(min_step);
    let mut start = (lo / step + 1e-9).floor();
    let mut end = (hi / step - 1e-9).ceil();
    // Ranges far from zero relative to their width run out of float precision; a coarser step
    // keeps the tick count bounded.
    while end - start > 60.0 || !(end - start).is_finite() {
        step *= 10.0;
        start = (lo / step + 1e-9).floor();
        end = (hi / step - 1e-9).ceil();
        if !step.is_finite() {
            return Ticks {
                values: vec![0.0, 1.0],
                step: 1.0,
            };
        }
    }
    if end <= start {
        end = start + 1.0;
    }
    let count = (end - start) as usize;
    let places = 10f64.powi(i32::from(decimals_for(step)));
    let values = (0..=count)
        .map(|i| (((start + i as f64) * step * places).round() / places) + 0.0)
        .collect();
    Ticks { values, step }
}

/// The nice number nearest `raw` on a log scale: 1, 2, 5 or 10 times a power of ten (the
/// thresholds are the geometric means √2, √10 and √50, as in d3).
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm >= 50f64.sqrt() {
        10.0
    } else if norm >= 10f64.sqrt() {
        5.0
    } else if norm >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    nice * magnitude
}

/// A linear map from the data interval `d0..d1` to the pixel interval `r0..r1`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Linear {
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Linear { d0, d1, r0, r1 }
    }

    pub fn map(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_to_873_gives_steps_of_200() {
        let t = nice_ticks(0.0, 873.0, 5);
        assert_eq!(t.values, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(t.step, 200.0);
    }

    #[test]
    fn fractions_and_negatives_are_clean() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(-37.0, 112.0, 3);
        assert_eq!(t.step, 50.0);
        assert_eq!(t.values, vec![-50.0, 0.0, 50.0, 100.0, 150.0]);
        let t = nice_ticks(0.6, 0.93, 4);
        assert_eq!(t.values, vec![0.6, 0.7, 0.8, 0.9, 1.0]);
    }

    #[test]
    fn every_step_is_one_two_or_five_times_a_power_of_ten() {
        for (lo, hi) in [(0.0, 7.0), (3.0, 4_567.0), (-0.013, 0.02), (1e6, 9.9e7)] {
            for target in 2..9 {
                let t = nice_ticks(lo, hi, target);
                let m = t.step / 10f64.powf(t.step.log10().floor());
                assert!(
                    [1.0, 2.0, 5.0].iter().any(|n| (m - n).abs() < 1e-6),
                    "{lo}..{hi}: {t:?}"
                );
                assert!(t.min() <= lo && t.max() >= hi, "{lo}..{hi}: {t:?}");
            }
        }
    }

    #[test]
    fn degenerate_ranges_do_not_panic() {
        assert_eq!(
            nice_ticks(0.0, 0.0, 5).values,
            vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        assert_eq!(nice_ticks(f64::NAN, 3.0, 5).max(), 1.0);
        let t = nice_ticks(500.0, 500.0, 5);
        assert!(t.min() <= 500.0 && t.max() >= 500.0 && t.values.len() >= 2);
        let t = nice_ticks(1e12, 1e12 + 1e-3, 5);
        assert!(t.values.len() >= 2 && t.values.len() <= 62);
        assert_eq!(
            nice_ticks_min_step(0.0, 2.0, 5, 1.0).values,
            vec![0.0, 1.0, 2.0]
        );
    }
}
