//! Input checks, the compression of customers to weighted unique `(x, t_x, T)` rows that every
//! fit works on, and the small parallel map the likelihoods and bulk predictions use.
//!
//! Fader and Hardie fit on "all observed combinations of frequency/recency/T" weighted by their
//! counts; with daily or weekly data a million customers collapse to tens of thousands of rows.
//! With continuous times nothing collapses, so the likelihood loops are also split across
//! threads (`std::thread::scope`).

use std::ops::Range;

use crate::error::{ModelError, Result};

/// Rows below which a loop runs on the calling thread: spawning costs more than it saves.
const PARALLEL_MIN_ROWS: usize = 16_384;

/// The number of worker threads to use when the caller says 0 ("as many as the machine has").
pub(crate) fn resolve_threads(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Runs `f` over `0..n` split into one contiguous range per thread and returns the results in
/// range order. Small inputs run on the calling thread.
pub(crate) fn par_ranges<R: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(Range<usize>) -> R + Sync,
) -> Vec<R> {
    par_ranges_min(n, threads, PARALLEL_MIN_ROWS, f)
}

/// [`par_ranges`] for work items heavy enough that `min_items` of them justify threads.
pub(crate) fn par_ranges_min<R: Send>(
    n: usize,
    threads: usize,
    min_items: usize,
    f: impl Fn(Range<usize>) -> R + Sync,
) -> Vec<R> {
    let threads = threads.max(1).min(n.div_ceil(min_items.div_ceil(4)).max(1));
    if threads == 1 || n < min_items.max(2) {
        return vec![f(0..n)];
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                scope.spawn(move || f(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Fills `out[i] = f(i)` in parallel.
pub(crate) fn par_fill(out: &mut [f64], threads: usize, f: impl Fn(usize) -> f64 + Sync) {
    let n = out.len();
    let threads = threads.max(1);
    if threads == 1 || n < PARALLEL_MIN_ROWS {
        out.iter_mut().enumerate().for_each(|(i, o)| *o = f(i));
        return;
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        for (t, part) in out.chunks_mut(chunk).enumerate() {
            let f = &f;
            scope.spawn(move || {
                let base = t * chunk;
                part.iter_mut()
                    .enumerate()
                    .for_each(|(i, o)| *o = f(base + i));
            });
        }
    });
}

/// Checks that the slices are parallel and non-empty.
pub(crate) fn check_lengths(columns: &[(&'static str, usize)]) -> Result<usize> {
    let (first, n) = columns[0];
    for &(name, len) in &columns[1..] {
        if len != n {
            return Err(ModelError::LengthMismatch {
                column: name,
                found: len,
                reference: first,
                expected: n,
            });
        }
    }
    if n == 0 {
        return Err(ModelError::Empty { what: "customers" });
    }
    Ok(n)
}

/// Checks one customer's `(x, t_x, T)`.
pub(crate) fn check_customer(row: usize, x: f64, tx: f64, t: f64) -> Result<()> {
    if !(x.is_finite() && x >= 0.0 && x == x.floor()) {
        return Err(ModelError::InvalidValue {
            column: "frequency",
            row,
            value: x,
            expected: "a whole number >= 0 (repeat purchases)",
        });
    }
    if !(tx.is_finite() && tx >= 0.0) {
        return Err(ModelError::InvalidValue {
            column: "recency",
            row,
            value: tx,
            expected: "a finite number >= 0",
        });
    }
    if !(t.is_finite() && t >= 0.0) {
        return Err(ModelError::InvalidValue {
            column: "T",
            row,
            value: t,
            expected: "a finite number >= 0",
        });
    }
    if tx > t {
        return Err(ModelError::RecencyAfterAge {
            row,
            recency: tx,
            t,
        });
    }
    if x == 0.0 && tx != 0.0 {
        return Err(ModelError::RecencyWithoutRepeat { row, recency: tx });
    }
    Ok(())
}

/// Checks a whole data set and returns the number of customers.
pub(crate) fn check_rfm(freq: &[f64], rec: &[f64], t: &[f64]) -> Result<usize> {
    let n = check_lengths(&[
        ("frequency", freq.len()),
        ("recency", rec.len()),
        ("T", t.len()),
    ])?;
    for i in 0..n {
        check_customer(i, freq[i], rec[i], t[i])?;
    }
    Ok(n)
}

pub(crate) fn check_weights(weights: &[f64], n: usize) -> Result<()> {
    check_lengths(&[("frequency", n), ("weights", weights.len())])?;
    for (row, &w) in weights.iter().enumerate() {
        if !(w.is_finite() && w >= 0.0) {
            return Err(ModelError::InvalidValue {
                column: "weights",
                row,
                value: w,
                expected: "a finite number >= 0 (customers with this history)",
            });
        }
    }
    Ok(())
}

/// Customers compressed to unique `(x, t_x, T)` rows, sorted by `x`, with times divided by
/// the largest `T` (so the parameters the optimiser sees are of order one, as in lifetimes).
#[derive(Debug, Clone)]
pub(crate) struct Rfm {
    /// Index into `xs` of each row's frequency.
    pub group: Vec<u32>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub w: Vec<f64>,
    /// The distinct frequencies, ascending.
    pub xs: Vec<f64>,
    /// Total weight of each distinct frequency.
    pub group_weight: Vec<f64>,
    /// Sum of all weights (customers).
    pub total_weight: f64,
    /// Times were divided by this (the largest T) before fitting.
    pub time_unit: f64,
}

impl Rfm {
    pub fn rows(&self) -> usize {
        self.w.len()
    }

    /// Compresses checked input. Rows with weight 0 are dropped.
    pub fn build(freq: &[f64], rec: &[f64], t: &[f64], weights: Option<&[f64]>) -> Result<Rfm> {
        let n = freq.len();
        let time_unit = t.iter().fold(0.0f64, |m, &v| m.max(v));
        if time_unit <= 0.0 {
            return Err(ModelError::NoElapsedTime);
        }
        // Non-negative floats order like their bit patterns, so the key sorts numerically.
        let mut keys: Vec<(u64, u64, u64, u32)> = (0..n)
            .filter(|&i| weights.is_none_or(|w| w[i] > 0.0))
            .map(|i| (freq[i] as u64, rec[i].to_bits(), t[i].to_bits(), i as u32))
            .collect();
        if keys.is_empty() {
            return Err(ModelError::Empty {
                what: "customers with a positive weight",
            });
        }
        keys.sort_unstable_by_key(|k| (k.0, k.1, k.2));
        let inv = 1.0 / time_unit;
        let mut out = Rfm {
            group: Vec::new(),
            tx: Vec::new(),
            t: Vec::new(),
            w: Vec::new(),
            xs: Vec::new(),
            group_weight: Vec::new(),
            total_weight: 0.0,
            time_unit,
        };
        let mut prev: Option<(u64, u64, u64)> = None;
        for &(x, tx, tt, i) in &keys {
            let wi = weights.map_or(1.0, |w| w[i as usize]);
            if prev == Some((x, tx, tt)) {
                *out.w.last_mut().expect("a row exists") += wi;
            } else {
                if out.xs.last() != Some(&(x as f64)) {
                    out.xs.push(x as f64);
                    out.group_weight.push(0.0);
                }
                out.group.push((out.xs.len() - 1) as u32);
                out.tx.push(f64::from_bits(tx) * inv);
                out.t.push(f64::from_bits(tt) * inv);
                out.w.push(wi);
                prev = Some((x, tx, tt));
            }
            *out.group_weight.last_mut().expect("a group exists") += wi;
            out.total_weight += wi;
        }
        Ok(out)
    }

    /// A systematic sample of about `target` rows (every k-th row of the sorted rows, so every
    /// frequency is represented), with weights kept; the shape of the likelihood per customer
    /// is what matters for a starting point, not its total.
    pub fn subsample(&self, target: usize) -> Rfm {
        let step = self.rows().div_ceil(target.max(1)).max(1);
        let mut out = Rfm {
            group: Vec::new(),
            tx: Vec::new(),
            t: Vec::new(),
            w: Vec::new(),
            xs: Vec::new(),
            group_weight: Vec::new(),
            total_weight: 0.0,
            time_unit: self.time_unit,
        };
        let mut last_group = u32::MAX;
        for i in (0..self.rows()).step_by(step) {
            let g = self.group[i];
            if g != last_group {
                out.xs.push(self.xs[g as usize]);
                out.group_weight.push(0.0);
                last_group = g;
            }
            out.group.push((out.xs.len() - 1) as u32);
            out.tx.push(self.tx[i]);
            out.t.push(self.t[i]);
            out.w.push(self.w[i]);
            *out.group_weight.last_mut().expect("a group exists") += self.w[i];
            out.total_weight += self.w[i];
        }
        out
    }

    /// Weighted mean frequency and mean age, in the scaled time unit.
    pub fn means(&self) -> (f64, f64) {
        let mut sx = 0.0;
        let mut st = 0.0;
        for i in 0..self.rows() {
            sx += self.w[i] * self.xs[self.group[i] as usize];
            st += self.w[i] * self.t[i];
        }
        (sx / self.total_weight, st / self.total_weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_merges_identical_customers() {
        let freq = [0.0, 2.0, 0.0, 2.0, 1.0];
        let rec = [0.0, 3.0, 0.0, 3.0, 1.0];
        let t = [4.0, 8.0, 4.0, 8.0, 5.0];
        let rfm = Rfm::build(&freq, &rec, &t, None).unwrap();
        assert_eq!(rfm.rows(), 3);
        assert_eq!(rfm.xs, vec![0.0, 1.0, 2.0]);
        assert_eq!(rfm.w, vec![2.0, 1.0, 2.0]);
        assert_eq!(rfm.total_weight, 5.0);
        assert_eq!(rfm.t, vec![0.5, 0.625, 1.0]);
    }

    #[test]
    fn checks_name_the_row() {
        let err = check_rfm(&[1.0, 0.0], &[1.0, 2.0], &[3.0, 3.0]).unwrap_err();
        assert_eq!(
            err,
            ModelError::RecencyWithoutRepeat {
                row: 1,
                recency: 2.0
            }
        );
        let err = check_rfm(&[1.5], &[1.0], &[3.0]).unwrap_err();
        assert!(err.to_string().contains("row 0") && err.to_string().contains("1.5"));
        let err = check_rfm(&[1.0], &[4.0], &[3.0]).unwrap_err();
        assert!(matches!(err, ModelError::RecencyAfterAge { row: 0, .. }));
        assert!(matches!(
            check_rfm(&[], &[], &[]),
            Err(ModelError::Empty { .. })
        ));
        assert!(matches!(
            check_rfm(&[1.0], &[1.0, 2.0], &[3.0]),
            Err(ModelError::LengthMismatch { .. })
        ));
    }
}
