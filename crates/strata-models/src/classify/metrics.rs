//! Ranking metrics (ROC AUC, ROC curve, average precision, top share, threshold search),
//! probability metrics (Brier, log loss, calibration bins) and a flag lift table.
//!
//! Every ranking metric sorts the rows once by score, descending and stable, and walks the
//! groups of equal scores ("distinct thresholds") from the highest down.

use serde::{Deserialize, Serialize};

/// The sort key of a score: NaN becomes a negative NaN, which `f64::total_cmp` orders below
/// `-inf`, and `-0.0` becomes `0.0`, so that `total_cmp` equality is "same score".
const LOWEST_NAN: f64 = f64::from_bits(0xFFF8_0000_0000_0000);

fn key(score: f64) -> f64 {
    if score.is_nan() {
        LOWEST_NAN
    } else {
        score + 0.0
    }
}

/// `(key, label)` pairs sorted by score descending; ties keep input order. `None` for empty
/// or mismatched input.
fn ranked(scores: &[f64], labels: &[bool]) -> Option<Vec<(f64, bool)>> {
    if scores.is_empty() || scores.len() != labels.len() {
        return None;
    }
    let mut v: Vec<(f64, bool)> = scores
        .iter()
        .zip(labels)
        .map(|(&s, &y)| (key(s), y))
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    Some(v)
}

/// The rows sharing one score.
#[derive(Clone, Copy)]
struct Group {
    score: f64,
    pos: u64,
    neg: u64,
}

/// Groups of equal scores, highest first, with the class totals.
struct Ranking {
    groups: Vec<Group>,
    positives: u64,
    negatives: u64,
}

fn ranking(scores: &[f64], labels: &[bool]) -> Option<Ranking> {
    let sorted = ranked(scores, labels)?;
    let mut groups: Vec<Group> = Vec::new();
    for (s, y) in sorted {
        match groups.last_mut() {
            Some(g) if g.score.to_bits() == s.to_bits() => {
                if y {
                    g.pos += 1;
                } else {
                    g.neg += 1;
                }
            }
            _ => groups.push(Group {
                score: s,
                pos: u64::from(y),
                neg: u64::from(!y),
            }),
        }
    }
    let positives = groups.iter().map(|g| g.pos).sum();
    let negatives = groups.iter().map(|g| g.neg).sum();
    Some(Ranking {
        groups,
        positives,
        negatives,
    })
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting ½ (Mann–Whitney `U / (P·N)`; equals scikit-learn's
/// `roc_auc_score`). The pair count is exact (integers); one division at the end.
///
/// `None` if the input is empty, the lengths differ, or one class is absent.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let r = ranking(scores, labels)?;
    if r.positives == 0 || r.negatives == 0 {
        return None;
    }
    // Twice U: 2·[positive above negative] + [tie], over all pairs.
    let mut negatives_below = u128::from(r.negatives);
    let mut twice_u: u128 = 0;
    for g in &r.groups {
        negatives_below -= u128::from(g.neg);
        twice_u += 2 * u128::from(g.pos) * negatives_below + u128::from(g.pos) * u128::from(g.neg);
    }
    Some(twice_u as f64 / (2.0 * r.positives as f64 * r.negatives as f64))
}

/// One point of a ROC curve: classifying `{score >= threshold}` as positive gives this
/// false-positive rate `FP / N` and true-positive rate `TP / P`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    pub fpr: f64,
    pub tpr: f64,
    /// `+inf` for the first point `(0, 0)` (nothing selected); NaN for a last group of
    /// NaN scores (everything selected). Serialised as `"inf"`/`"NaN"` when not finite.
    #[serde(with = "super::any_f64")]
    pub threshold: f64,
}

/// The ROC curve for drawing: one point per distinct score, highest threshold first,
/// starting at `(0, 0)` (threshold `+inf`) and ending at `(1, 1)` (the lowest score), as
/// scikit-learn's `roc_curve(drop_intermediate=False)`.
///
/// When there are more than `max_points` points (`max_points < 2` counts as 2) the curve
/// is thinned, keeping the first and last points: first points in the middle of straight
/// segments are dropped (lossless for drawing), then, if still too many, points are kept
/// evenly spaced along the curve's length (measured as `FPR + TPR`, which runs from 0 to 2,
/// with the finest spacing that fits), so steep and flat stretches get points alike.
///
/// Empty if the input is empty, the lengths differ, or one class is absent (no rate can be
/// defined).
pub fn roc_curve(scores: &[f64], labels: &[bool], max_points: usize) -> Vec<RocPoint> {
    let Some(r) = ranking(scores, labels) else {
        return Vec::new();
    };
    if r.positives == 0 || r.negatives == 0 {
        return Vec::new();
    }
    // (fp, tp, threshold) counts; exact integers for the collinearity test.
    let mut counts = Vec::with_capacity(r.groups.len() + 1);
    counts.push((0u64, 0u64, f64::INFINITY));
    let (mut fp, mut tp) = (0, 0);
    for g in &r.groups {
        fp += g.neg;
        tp += g.pos;
        counts.push((fp, tp, g.score));
    }
    let max_points = max_points.max(2);
    if counts.len() > max_points {
        counts = drop_collinear(&counts);
    }
    let (nn, pp) = (r.negatives as f64, r.positives as f64);
    let point = |&(fp, tp, threshold): &(u64, u64, f64)| RocPoint {
        fpr: fp as f64 / nn,
        tpr: tp as f64 / pp,
        threshold,
    };
    let points: Vec<RocPoint> = counts.iter().map(point).collect();
    if points.len() <= max_points {
        return points;
    }
    thin_by_length(&points, max_points)
}

/// Drops every point that lies on the straight line between its neighbours (kept
/// predecessor and next point), exactly, in integer arithmetic.
fn drop_collinear(counts: &[(u64, u64, f64)]) -> Vec<(u64, u64, f64)> {
    let mut out: Vec<(u64, u64, f64)> = Vec::with_capacity(counts.len());
    for (i, &c) in counts.iter().enumerate() {
        if let (Some(&prev), Some(&next)) = (out.last(), counts.get(i + 1)) {
            let d1 = (
                i128::from(c.0) - i128::from(prev.0),
                i128::from(c.1) - i128::from(prev.1),
            );
            let d2 = (
                i128::from(next.0) - i128::from(c.0),
                i128::from(next.1) - i128::from(c.1),
            );
            // Both steps are non-negative in each coordinate, so a zero cross product means
            // the same direction.
            if d1.0 * d2.1 == d1.1 * d2.0 {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Keeps the first and last points and at most `max_points − 2` others, spread evenly along
/// the curve: walking from the first point, a point is kept when the curve length since the
/// last kept point reaches a spacing `h` (length measured as the increase of `FPR + TPR`),
/// with the smallest `h` that fits the budget (found by bisection; the number of points kept
/// can only fall as `h` grows).
fn thin_by_length(points: &[RocPoint], max_points: usize) -> Vec<RocPoint> {
    let length: Vec<f64> = points.iter().map(|p| p.fpr + p.tpr).collect();
    let slots = max_points - 2;
    let interior = &length[1..length.len() - 1];
    // Interior indices kept with spacing h, or None once more than `slots`.
    let keep = |h: f64| -> Option<Vec<usize>> {
        let mut kept = Vec::new();
        let mut last = length[0];
        for (i, &c) in interior.iter().enumerate() {
            if c - last >= h {
                if kept.len() == slots {
                    return None;
                }
                kept.push(i + 1);
                last = c;
            }
        }
        Some(kept)
    };
    // Spacing `hi` always fits (nothing interior reaches the full length 2); `lo` does not.
    let (mut lo, mut hi) = (0.0, length[length.len() - 1] - length[0]);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if keep(mid).is_some() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let kept = keep(hi).unwrap_or_default();
    let mut out = Vec::with_capacity(kept.len() + 2);
    out.push(points[0]);
    out.extend(kept.iter().map(|&i| points[i]));
    out.push(points[points.len() - 1]);
    out
}

/// Average precision, scikit-learn's `average_precision_score`: `Σ_n (R_n − R_{n−1}) P_n`
/// over the distinct thresholds from the highest, `R_0 = 0` (a step function, no
/// interpolation). Only groups containing positives add to the sum.
///
/// `None` if the input is empty, the lengths differ, or there is no positive (recall
/// undefined); 1 when every row is positive.
pub fn average_precision(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let r = ranking(scores, labels)?;
    if r.positives == 0 {
        return None;
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut sum = 0.0;
    for g in &r.groups {
        tp += g.pos;
        fp += g.neg;
        if g.pos > 0 {
            sum += g.pos as f64 * (tp as f64 / (tp + fp) as f64);
        }
    }
    Some(sum / r.positives as f64)
}

/// The rows with the highest scores, as a share of all rows ([`top_share`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopShare {
    /// The share asked for, in `(0, 1]`.
    pub share: f64,
    /// Rows selected: `ceil(share · n)` (at least 1).
    pub count: usize,
    /// The lowest selected score (NaN if the selection reaches NaN scores). Rows outside the
    /// selection may share it: ties at the boundary are broken by input order.
    #[serde(with = "super::any_f64")]
    pub threshold: f64,
    /// Positives among the selected rows / `count`.
    pub precision: f64,
    /// Positives among the selected rows / all positives.
    pub recall: f64,
}

/// Precision and recall of the top `ceil(share × n)` rows by score (sorted descending,
/// stable: among equal scores the earlier row comes first, so the result is deterministic).
/// `share · n` within 1e-9 (relative) of a whole number counts as that number, so
/// `0.1 × 30` selects 3 rows, not 4.
///
/// `None` if the input is empty, the lengths differ, `share` is not in `(0, 1]`, or there is
/// no positive (recall undefined).
pub fn top_share(scores: &[f64], labels: &[bool], share: f64) -> Option<TopShare> {
    if !(share > 0.0 && share <= 1.0) {
        return None;
    }
    let sorted = ranked(scores, labels)?;
    let positives = sorted.iter().filter(|r| r.1).count();
    if positives == 0 {
        return None;
    }
    let n = sorted.len();
    let count = top_count(share, n);
    let tp = sorted[..count].iter().filter(|r| r.1).count();
    Some(TopShare {
        share,
        count,
        threshold: sorted[count - 1].0,
        precision: tp as f64 / count as f64,
        recall: tp as f64 / positives as f64,
    })
}

/// `ceil(share · n)` clamped to `1..=n`, forgiving rounding just above a whole number.
fn top_count(share: f64, n: usize) -> usize {
    let x = share * n as f64;
    let r = x.round();
    let k = if (x - r).abs() <= 1e-9 * r.max(1.0) {
        r
    } else {
        x.ceil()
    };
    (k as usize).clamp(1, n)
}

/// `true` if `probs` and `labels` are non-empty, parallel, and every probability is in
/// `[0, 1]`.
fn valid_probs(probs: &[f64], labels: &[bool]) -> bool {
    !probs.is_empty()
        && probs.len() == labels.len()
        && probs.iter().all(|p| (0.0..=1.0).contains(p))
}

/// Brier score `(1/n) Σ (p_i − y_i)²` (0 is perfect; always predicting the base rate `π`
/// scores `π(1 − π)`).
///
/// `None` if the input is empty, the lengths differ, or a probability is NaN or outside
/// `[0, 1]`.
pub fn brier(probs: &[f64], labels: &[bool]) -> Option<f64> {
    if !valid_probs(probs, labels) {
        return None;
    }
    let sum: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let e = p - f64::from(u8::from(y));
            e * e
        })
        .sum();
    Some(sum / probs.len() as f64)
}

/// Probabilities are clipped to `[CLIP, 1 − CLIP]` in [`log_loss`].
const CLIP: f64 = 1e-15;

/// Mean negative log-likelihood `−(1/n) Σ [y ln p + (1 − y) ln(1 − p)]`, natural log, with
/// `p` clipped to `[1e-15, 1 − 1e-15]` so a confident mistake costs at most about 34.5.
///
/// `None` if the input is empty, the lengths differ, or a probability is NaN or outside
/// `[0, 1]`.
pub fn log_loss(probs: &[f64], labels: &[bool]) -> Option<f64> {
    if !valid_probs(probs, labels) {
        return None;
    }
    let sum: f64 = probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(CLIP, 1.0 - CLIP);
            if y { -p.ln() } else { -(-p).ln_1p() }
        })
        .sum();
    Some(sum / probs.len() as f64)
}

/// One bin of a reliability diagram ([`calibration`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge `i / bins` (included).
    pub lo: f64,
    /// Upper edge `(i + 1) / bins` (excluded, except 1 in the last bin).
    pub hi: f64,
    /// Rows whose probability falls in the bin (never 0: empty bins are omitted).
    pub count: usize,
    /// Mean predicted probability of those rows.
    pub mean_predicted: f64,
    /// Share of those rows that are positive.
    pub observed: f64,
}

/// Reliability diagram: `bins` equal-width bins `[i/bins, (i+1)/bins)` on `[0, 1]` (the last
/// one closed, `[.., 1]`), each with its mean predicted probability and observed positive
/// rate, in increasing order; empty bins are omitted. Matches scikit-learn's
/// `calibration_curve(y, p, n_bins=bins, strategy="uniform")` (`prob_pred`, `prob_true`).
/// A probability is placed by comparing it with the edges `i / bins` exactly, so a bin never
/// holds a value outside its reported `[lo, hi)`.
///
/// Empty if `bins` is 0, the input is empty, the lengths differ, or a probability is NaN or
/// outside `[0, 1]`.
pub fn calibration(probs: &[f64], labels: &[bool], bins: usize) -> Vec<CalibrationBin> {
    if bins == 0 || !valid_probs(probs, labels) {
        return Vec::new();
    }
    let edge = |i: usize| i as f64 / bins as f64;
    let mut count = vec![0usize; bins];
    let mut sum = vec![0.0; bins];
    let mut pos = vec![0usize; bins];
    for (&p, &y) in probs.iter().zip(labels) {
        // p ∈ [0, 1], so the cast is in 0..=bins; then fix any rounding of p · bins.
        let mut i = ((p * bins as f64) as usize).min(bins - 1);
        while i > 0 && p < edge(i) {
            i -= 1;
        }
        while i + 1 < bins && p >= edge(i + 1) {
            i += 1;
        }
        count[i] += 1;
        sum[i] += p;
        pos[i] += usize::from(y);
    }
    (0..bins)
        .filter(|&i| count[i] > 0)
        .map(|i| CalibrationBin {
            lo: edge(i),
            hi: edge(i + 1),
            count: count[i],
            mean_predicted: sum[i] / count[i] as f64,
            observed: pos[i] as f64 / count[i] as f64,
        })
        .collect()
}

/// A score cut-off and what selecting `{score >= threshold}` gives ([`threshold_for_precision`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// One of the scores (never NaN; may be infinite if the scores are).
    #[serde(with = "super::any_f64")]
    pub threshold: f64,
    /// Positives among the selected rows / selected rows.
    pub precision: f64,
    /// Positives among the selected rows / all positives.
    pub recall: f64,
    /// Rows with `score >= threshold`.
    pub count: usize,
}

/// The lowest threshold `t` among the distinct (non-NaN) scores such that `{score >= t}`
/// has at least `min_count` rows and precision `>= target`: the largest selection meeting the
/// precision target.
///
/// Precision is not monotone in `t`, so every distinct threshold is scanned from the highest
/// down and the last one that qualifies is kept (a lower threshold can qualify after a
/// higher one failed). NaN-scored rows are never selected.
///
/// `None` if nothing qualifies, the input is empty, the lengths differ, `target` is NaN, or
/// there is no positive.
pub fn threshold_for_precision(
    scores: &[f64],
    labels: &[bool],
    target: f64,
    min_count: usize,
) -> Option<Threshold> {
    if target.is_nan() {
        return None;
    }
    let r = ranking(scores, labels)?;
    if r.positives == 0 {
        return None;
    }
    let (mut tp, mut count) = (0u64, 0u64);
    let mut best = None;
    for g in r.groups.iter().take_while(|g| !g.score.is_nan()) {
        tp += g.pos;
        count += g.pos + g.neg;
        let precision = tp as f64 / count as f64;
        if count >= min_count as u64 && precision >= target {
            best = Some(Threshold {
                threshold: g.score,
                precision,
                recall: tp as f64 / r.positives as f64,
                count: count as usize,
            });
        }
    }
    best
}

/// Positive rates with and without a flag ([`lift_table`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lift {
    /// Rows with the flag set.
    pub with_count: usize,
    /// Positive rate among them.
    pub with_rate: f64,
    /// Rows without the flag.
    pub without_count: usize,
    /// Positive rate among them.
    pub without_rate: f64,
    /// `with_rate / without_rate`; `None` when `without_rate` is 0.
    pub ratio: Option<f64>,
}

/// How much more often rows with a flag (say "no order in 90 days") are positive than rows
/// without it: `with_rate / without_rate`.
///
/// `None` if the input is empty, the lengths differ, or every row (or no row) has the flag,
/// since then one of the rates is undefined.
pub fn lift_table(flags: &[bool], labels: &[bool]) -> Option<Lift> {
    if flags.is_empty() || flags.len() != labels.len() {
        return None;
    }
    let (mut with, mut with_pos, mut without, mut without_pos) = (0usize, 0usize, 0usize, 0usize);
    for (&f, &y) in flags.iter().zip(labels) {
        if f {
            with += 1;
            with_pos += usize::from(y);
        } else {
            without += 1;
            without_pos += usize::from(y);
        }
    }
    if with == 0 || without == 0 {
        return None;
    }
    let with_rate = with_pos as f64 / with as f64;
    let without_rate = without_pos as f64 / without as f64;
    Some(Lift {
        with_count: with,
        with_rate,
        without_count: without,
        without_rate,
        ratio: (without_pos > 0).then(|| with_rate / without_rate),
    })
}

/// The headline metrics of a classifier on one data set ([`summarize`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Rows.
    pub n: usize,
    /// Positive rows.
    pub positives: usize,
    /// `positives / n`.
    pub base_rate: f64,
    /// [`roc_auc`]; `None` when one class is absent.
    pub roc_auc: Option<f64>,
    /// [`average_precision`] (area under the precision–recall step curve); `None` without
    /// positives.
    pub pr_auc: Option<f64>,
    /// [`top_share`] at the share asked for; `None` without positives.
    pub top: Option<TopShare>,
    /// [`brier`] of the probabilities, when given.
    pub brier: Option<f64>,
    /// [`log_loss`] of the probabilities, when given.
    pub log_loss: Option<f64>,
}

/// [`Summary`] of `scores` (ranking metrics) and, when given, `probs` (Brier and log loss;
/// often the same slice as `scores`), with the precision and recall of the top `top` share.
///
/// `None` if the input is empty, the lengths differ, `top` is not in `(0, 1]`, or `probs`
/// is given but has a NaN or a value outside `[0, 1]`.
pub fn summarize(
    scores: &[f64],
    labels: &[bool],
    probs: Option<&[f64]>,
    top: f64,
) -> Option<Summary> {
    if scores.is_empty() || scores.len() != labels.len() || !(top > 0.0 && top <= 1.0) {
        return None;
    }
    let (brier, log_loss) = match probs {
        Some(p) => (Some(brier(p, labels)?), Some(log_loss(p, labels)?)),
        None => (None, None),
    };
    let n = labels.len();
    let positives = labels.iter().filter(|&&y| y).count();
    Some(Summary {
        n,
        positives,
        base_rate: positives as f64 / n as f64,
        roc_auc: roc_auc(scores, labels),
        pr_auc: average_precision(scores, labels),
        top: top_share(scores, labels, top),
        brier,
        log_loss,
    })
}
