//! L2-penalised logistic regression fitted by Newton's method (IRLS), the baseline classifier.
//!
//! # Preparation
//!
//! Missing values (NaN or ±inf) in column `j` are replaced by the mean `f_j` of the column's
//! finite training values (0 if it has none). Each imputed column is then standardised,
//! `z_ij = (x_ij − m_j) / s_j`, by its training mean `m_j` and population standard deviation
//! `s_j` (divisor `n`); a constant column gets `s_j = 0`, `z_ij = 0` and coefficient 0.
//! This is scikit-learn's `SimpleImputer(strategy="mean")` then `StandardScaler()`.
//!
//! # Objective
//!
//! ```text
//! L(β) = Σ_i ℓ(η_i, y_i) + (λ/2) Σ_{j≥1} β_j²,     η_i = β_0 + Σ_j β_j z_ij
//! ℓ(η, 1) = ln(1 + e^{−η}),   ℓ(η, 0) = ln(1 + e^{η})
//! ```
//!
//! with `λ = l2`; the intercept `β_0` is not penalised. This is scikit-learn's
//! `LogisticRegression(C = 1/λ)` on the standardised columns.
//!
//! # Newton's method
//!
//! From `β_0 = logit(P/n)`, `w = 0` (the optimum of the intercept-only model), each iteration
//! computes, with `μ_i = σ(η_i)` and `x_i = (1, z_i)`,
//!
//! ```text
//! g = Σ_i (μ_i − y_i) x_i + λ (0, w)                 (gradient)
//! H = Σ_i μ_i (1 − μ_i) x_i x_iᵀ + λ diag(0, 1, …, 1)  (Hessian, positive definite if λ > 0)
//! ```
//!
//! solves `H d = g` by a Cholesky factorisation (with a small diagonal shift if `H` is not
//! numerically positive definite) and steps `β ← β − t d` with `t = 1, ½, ¼, …` until the
//! objective does not increase. The change of the objective is computed directly, term by
//! term (`ln(1 + σ(η)(e^δ − 1))` for a change `δ` of `η`), not as a difference of two large
//! sums, so the test stays exact near the optimum. The fit has converged when the Newton step
//! is small: `max_j |d_j| <= tol · (1 + max_j |β_j|)`; Newton's quadratic convergence makes
//! the error then of order `tol²`. With `λ > 0` the optimum exists even for perfectly
//! separable data.

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, Result};

/// Options of [`Logistic::fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticOptions {
    /// L2 penalty `λ` on the standardised coefficients (not the intercept); `1/C` in
    /// scikit-learn. 0 fits an unpenalised model (which diverges on separable data: the fit
    /// stops at `max_iter` with `converged = false`).
    pub l2: f64,
    /// Maximum Newton iterations.
    pub max_iter: usize,
    /// Convergence tolerance on the Newton step, relative to `1 + max |β|`.
    pub tol: f64,
}

impl Default for LogisticOptions {
    /// `l2 = 1` (scikit-learn's `C = 1`), 100 iterations, `tol = 1e-8`.
    fn default() -> Self {
        Self {
            l2: 1.0,
            max_iter: 100,
            tol: 1e-8,
        }
    }
}

impl LogisticOptions {
    fn check(&self) -> Result<()> {
        for (name, value) in [("l2", self.l2), ("tol", self.tol)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ModelError::InvalidOption {
                    name,
                    value,
                    expected: "a finite number >= 0",
                });
            }
        }
        Ok(())
    }
}

/// A fitted logistic regression: the coefficients on the standardised scale and what is
/// needed to prepare new rows the way the training rows were. Serialisable, to be saved with
/// the model.
///
/// Feature `j` of a row is prepared as `z_j = (x_j − means[j]) / scales[j]` (0 when
/// `scales[j] == 0`), after replacing a NaN or infinite `x_j` by `impute[j]`; then
/// `logit = intercept + Σ_j coefficients[j] · z_j` and `P(positive) = 1 / (1 + e^{−logit})`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// `β_0`, the logit of a row with every feature at its training mean.
    pub intercept: f64,
    /// `β_j` per feature, on the standardised scale (the change of the logit per training
    /// standard deviation), so their sizes are comparable.
    pub coefficients: Vec<f64>,
    /// Training mean of each (imputed) column.
    pub means: Vec<f64>,
    /// Training population standard deviation of each (imputed) column; 0 for a constant
    /// column, which contributes nothing.
    pub scales: Vec<f64>,
    /// The value that replaces a missing (NaN or infinite) value of each column: the mean of
    /// the column's finite training values, 0 if it had none.
    pub impute: Vec<f64>,
    /// Newton iterations run (Hessian factorisations).
    pub iterations: usize,
    /// Whether the step criterion was met within `max_iter` iterations.
    pub converged: bool,
}

/// `σ(x) = 1 / (1 + e^{−x})` without overflow.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^x)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `ℓ(η + δ, y) − ℓ(η, y)`, accurate for small `δ`. With `e = ±η` (sign by class) the loss is
/// `softplus(e)`, and `softplus(e + d) − softplus(e) = ln(1 + σ(e)(e^d − 1))`.
fn loss_change(eta: f64, delta: f64, y: bool) -> f64 {
    let (e, d) = if y { (-eta, -delta) } else { (eta, delta) };
    if d.abs() <= 1.0 {
        (sigmoid(e) * d.exp_m1()).ln_1p()
    } else {
        softplus(e + d) - softplus(e)
    }
}

/// Solves `A x = b` for a symmetric `q × q` matrix (row-major, lower triangle used) by
/// Cholesky, `A = L Lᵀ`. If `A` is not numerically positive definite, `δ I` is added with
/// `δ` growing from `1e-12 · max diag`; `None` if that fails too (or on NaN).
fn cholesky_solve(a: &[f64], b: &[f64], q: usize) -> Option<Vec<f64>> {
    let max_diag = (0..q).map(|i| a[i * q + i].abs()).fold(0.0, f64::max);
    let mut shift = 0.0;
    for attempt in 0..8 {
        if attempt > 0 {
            shift = if shift == 0.0 {
                1e-12 * max_diag.max(1e-300)
            } else {
                shift * 100.0
            };
        }
        if let Some(l) = cholesky(a, q, shift, max_diag) {
            // L y = b, then Lᵀ x = y.
            let mut x = b.to_vec();
            for i in 0..q {
                let s: f64 = (0..i).map(|k| l[i * q + k] * x[k]).sum();
                x[i] = (x[i] - s) / l[i * q + i];
            }
            for i in (0..q).rev() {
                let s: f64 = (i + 1..q).map(|k| l[k * q + i] * x[k]).sum();
                x[i] = (x[i] - s) / l[i * q + i];
            }
            if x.iter().all(|v| v.is_finite()) {
                return Some(x);
            }
            return None;
        }
    }
    None
}

/// The Cholesky factor of `A + shift·I`, or `None` if a pivot is not clearly positive.
fn cholesky(a: &[f64], q: usize, shift: f64, max_diag: f64) -> Option<Vec<f64>> {
    let mut l = vec![0.0; q * q];
    for i in 0..q {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * q + k] * l[j * q + k]).sum();
            let v = a[i * q + j] + if i == j { shift } else { 0.0 } - s;
            if i == j {
                if !(v > 1e-13 * max_diag && v.is_finite()) {
                    return None;
                }
                l[i * q + i] = v.sqrt();
            } else {
                l[i * q + j] = v / l[j * q + j];
            }
        }
    }
    Some(l)
}

/// Imputation value, mean and population standard deviation of one column (with its
/// missing values imputed); standard deviation 0 for a constant column.
fn column_stats(column: &[f64], index: usize) -> Result<(f64, f64, f64)> {
    let (sum, count) = column
        .iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, c), &v| (s + v, c + 1));
    let fill = if count > 0 { sum / count as f64 } else { 0.0 };
    let value = |v: f64| if v.is_finite() { v } else { fill };
    let n = column.len() as f64;
    let mean = column.iter().map(|&v| value(v)).sum::<f64>() / n;
    let (lo, hi) = column
        .iter()
        .map(|&v| value(v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !(fill.is_finite() && mean.is_finite()) {
        return Err(ModelError::ColumnOverflow { column: index });
    }
    if lo == hi {
        return Ok((fill, mean, 0.0));
    }
    // Scaled by the largest deviation so the squares cannot overflow.
    let big = (hi - mean).abs().max((mean - lo).abs());
    let ss: f64 = column
        .iter()
        .map(|&v| {
            let d = (value(v) - mean) / big;
            d * d
        })
        .sum();
    let sd = big * (ss / n).sqrt();
    if !(sd.is_finite() && big.is_finite()) {
        return Err(ModelError::ColumnOverflow { column: index });
    }
    Ok((fill, mean, sd))
}

impl Logistic {
    /// Fits the model to feature `columns` (one slice per feature, each with one value per
    /// label) and `labels` (`true` = positive). NaN and infinite values are missing. The
    /// [module documentation](crate::classify::logistic) gives the preparation, the objective
    /// and the algorithm.
    ///
    /// Errors: no labels ([`ModelError::Empty`]), no columns ([`ModelError::NoFeatures`]), a
    /// column of the wrong length ([`ModelError::ColumnLength`]), a single class
    /// ([`ModelError::OneClass`]), an invalid option ([`ModelError::InvalidOption`]) or a
    /// column too large to standardise ([`ModelError::ColumnOverflow`]). Not converging is not
    /// an error: see [`Logistic::converged`].
    pub fn fit(columns: &[&[f64]], labels: &[bool], opts: &LogisticOptions) -> Result<Self> {
        opts.check()?;
        let n = labels.len();
        if n == 0 {
            return Err(ModelError::Empty {
                what: "labelled rows",
            });
        }
        if columns.is_empty() {
            return Err(ModelError::NoFeatures);
        }
        if let Some((column, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
            return Err(ModelError::ColumnLength {
                column,
                found: c.len(),
                expected: n,
                per: "label",
            });
        }
        let positives = labels.iter().filter(|&&y| y).count();
        if positives == 0 || positives == n {
            return Err(ModelError::OneClass {
                label: positives == n,
            });
        }

        let p = columns.len();
        let (mut impute, mut means, mut scales) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        for (j, column) in columns.iter().enumerate() {
            (impute[j], means[j], scales[j]) = column_stats(column, j)?;
        }
        // Only non-constant columns enter the optimisation.
        let active: Vec<usize> = (0..p).filter(|&j| scales[j] > 0.0).collect();
        let q = active.len() + 1;
        // Design rows (1, z_i) for the active columns, row-major.
        let mut x = vec![0.0; n * q];
        for i in 0..n {
            x[i * q] = 1.0;
        }
        for (k, &j) in active.iter().enumerate() {
            for (i, &v) in columns[j].iter().enumerate() {
                let v = if v.is_finite() { v } else { impute[j] };
                x[i * q + k + 1] = (v - means[j]) / scales[j];
            }
        }

        let mut beta = vec![0.0; q];
        beta[0] = (positives as f64 / (n - positives) as f64).ln();
        let (iterations, converged) = newton(&x, labels, &mut beta, opts);

        let mut coefficients = vec![0.0; p];
        for (k, &j) in active.iter().enumerate() {
            coefficients[j] = beta[k + 1];
        }
        Ok(Self {
            intercept: beta[0],
            coefficients,
            means,
            scales,
            impute,
            iterations,
            converged,
        })
    }

    /// Number of features the model was fitted on.
    pub fn n_features(&self) -> usize {
        self.coefficients.len()
    }

    /// The standardised value of feature `j` (missing → imputed; constant column → 0).
    fn standardised(&self, j: usize, v: f64) -> f64 {
        let (impute, mean, scale) = (
            self.impute.get(j).copied().unwrap_or(0.0),
            self.means.get(j).copied().unwrap_or(0.0),
            self.scales.get(j).copied().unwrap_or(0.0),
        );
        if scale > 0.0 {
            let v = if v.is_finite() { v } else { impute };
            (v - mean) / scale
        } else {
            0.0
        }
    }

    /// Each feature's share of the logit, `coefficients[j] · z_j`, so that
    /// `logit = intercept + Σ contributions`. `row` holds one value per feature in column
    /// order; like every per-row method it trusts its argument: values past
    /// [`n_features`](Self::n_features) are ignored and absent ones count as missing.
    pub fn contributions(&self, row: &[f64]) -> Vec<f64> {
        self.coefficients
            .iter()
            .enumerate()
            .map(|(j, &c)| {
                if c == 0.0 {
                    0.0
                } else {
                    c * self.standardised(j, row.get(j).copied().unwrap_or(f64::NAN))
                }
            })
            .collect()
    }

    /// The log-odds of the positive class for one row (see
    /// [`contributions`](Self::contributions) for `row`).
    pub fn logit(&self, row: &[f64]) -> f64 {
        self.intercept + self.contributions(row).iter().sum::<f64>()
    }

    /// The probability of the positive class for one row, `σ(logit)`; in `(0, 1)` except
    /// that logits beyond about ±37 round to exactly 1 (or beyond −745 to 0).
    pub fn predict_proba(&self, row: &[f64]) -> f64 {
        sigmoid(self.logit(row))
    }

    /// Probabilities of the positive class for every row of `columns` (one slice per
    /// feature, in the training order, all the same length).
    ///
    /// Errors: a different number of columns than [`n_features`](Self::n_features)
    /// ([`ModelError::FeatureCount`]) or columns of different lengths
    /// ([`ModelError::ColumnLength`]).
    pub fn predict_columns(&self, columns: &[&[f64]]) -> Result<Vec<f64>> {
        if columns.len() != self.n_features() || columns.is_empty() {
            return Err(ModelError::FeatureCount {
                found: columns.len(),
                expected: self.n_features(),
            });
        }
        let n = columns[0].len();
        if let Some((column, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
            return Err(ModelError::ColumnLength {
                column,
                found: c.len(),
                expected: n,
                per: "row of column 0",
            });
        }
        let mut logit = vec![self.intercept; n];
        for (j, (column, &c)) in columns.iter().zip(&self.coefficients).enumerate() {
            if c == 0.0 {
                continue;
            }
            for (l, &v) in logit.iter_mut().zip(column.iter()) {
                *l += c * self.standardised(j, v);
            }
        }
        Ok(logit.into_iter().map(sigmoid).collect())
    }
}

/// Newton iterations on the design `x` (`n × q`, row-major, first column 1) from `beta`;
/// returns (iterations, converged).
fn newton(x: &[f64], labels: &[bool], beta: &mut [f64], opts: &LogisticOptions) -> (usize, bool) {
    let q = beta.len();
    let n = labels.len();
    let l2 = opts.l2;
    let linear = |beta: &[f64], out: &mut [f64]| {
        for (o, row) in out.iter_mut().zip(x.chunks_exact(q)) {
            *o = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        }
    };
    let mut eta = vec![0.0; n];
    linear(beta, &mut eta);
    let mut step_eta = vec![0.0; n];
    let mut g = vec![0.0; q];
    let mut h = vec![0.0; q * q];
    for iteration in 1..=opts.max_iter {
        g.fill(0.0);
        h.fill(0.0);
        for ((row, &e), &y) in x.chunks_exact(q).zip(&eta).zip(labels) {
            let (s, sc) = (sigmoid(e), sigmoid(-e));
            // μ − y, computed without cancellation.
            let r = if y { -sc } else { s };
            let w = s * sc;
            for a in 0..q {
                g[a] += r * row[a];
                let wa = w * row[a];
                for b in 0..=a {
                    h[a * q + b] += wa * row[b];
                }
            }
        }
        for k in 1..q {
            g[k] += l2 * beta[k];
            h[k * q + k] += l2;
        }
        let Some(d) = cholesky_solve(&h, &g, q) else {
            return (iteration, false);
        };
        let d_max = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let beta_max = beta.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let small = d_max <= opts.tol * (1.0 + beta_max);
        // Step halving: accept the first t = 1, ½, … that does not increase the objective.
        linear(&d, &mut step_eta);
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let change: f64 = eta
                .iter()
                .zip(&step_eta)
                .zip(labels)
                .map(|((&e, &u), &y)| loss_change(e, -t * u, y))
                .sum::<f64>()
                + 0.5
                    * l2
                    * beta[1..]
                        .iter()
                        .zip(&d[1..])
                        .map(|(&b, &dk)| t * dk * (t * dk - 2.0 * b))
                        .sum::<f64>();
            if change <= 0.0 {
                accepted = true;
                break;
            }
            if small {
                // At the optimum to rounding: the step is noise, keep β.
                break;
            }
            t *= 0.5;
        }
        if accepted {
            for (b, dk) in beta.iter_mut().zip(&d) {
                *b -= t * dk;
            }
            linear(beta, &mut eta);
        }
        if small {
            return (iteration, true);
        }
        if !accepted {
            // No decrease along the Newton direction: the objective cannot be improved at
            // this precision, but the step criterion was not met.
            return (iteration, false);
        }
    }
    (opts.max_iter, false)
}
