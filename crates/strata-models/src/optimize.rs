//! Unconstrained minimisation of smooth functions of a few variables (the models have 3 or 4
//! log-parameters): BFGS with a strong-Wolfe line search (Nocedal & Wright, *Numerical
//! Optimization*, 2nd ed., algorithms 3.5, 3.6 and 6.1), falling back to Nelder–Mead when the
//! line search cannot make progress, and a numerical Hessian of the analytic gradient for
//! standard errors.
//!
//! Near the optimum the function value stops carrying information (a decrease of 1e-16 is
//! below its rounding), so the sufficient-decrease test also accepts the approximate form of
//! Hager & Zhang (2005): a value no worse than `f0 + 1e-12·|f0|` with a derivative that has
//! not overshot, and values closer than that are compared through the slope's sign. Convergence is only claimed when the gradient test or the relative-change test
//! below really holds; a run that stops for any other reason says so.

use serde::Serialize;

/// Why the optimiser stopped. Only the first two mean convergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// The largest gradient component fell below the tolerance.
    GradientNorm,
    /// The objective changed by less than `1e-14` relative and the step by less than `1e-10`
    /// (in log-parameters) over the last iteration: rounding, not the tolerance, stops progress.
    RelativeChange,
    /// The iteration budget ran out.
    MaxIterations,
    /// No step along any direction tried decreased the objective.
    LineSearchFailed,
    /// The objective is not finite at the starting point.
    NonFinite,
}

impl Termination {
    pub fn converged(self) -> bool {
        matches!(
            self,
            Termination::GradientNorm | Termination::RelativeChange
        )
    }
}

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_iter: usize,
    /// Tolerance on the largest gradient component.
    pub gtol: f64,
    /// Largest change of any variable in one line search (the variables are logarithms).
    pub max_step: f64,
}

const FTOL: f64 = 1e-14;
const XTOL: f64 = 1e-10;

/// The result of a minimisation.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
    pub iterations: usize,
    pub evaluations: usize,
    pub termination: Termination,
    /// The BFGS approximation of the inverse Hessian at `x` (row-major `n × n`).
    pub inv_hessian: Vec<f64>,
}

/// An objective with its gradient: returns `f(x)` and writes `∇f(x)` into the slice. Values
/// that are not finite are treated as +∞ (the point is outside the usable region).
pub(crate) trait Objective {
    fn eval(&mut self, x: &[f64], g: &mut [f64]) -> f64;
}

impl<F: FnMut(&[f64], &mut [f64]) -> f64> Objective for F {
    fn eval(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        self(x, g)
    }
}

fn norm_inf(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn identity(n: usize) -> Vec<f64> {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    m
}

/// BFGS, then Nelder–Mead and BFGS again if the line search fails.
pub(crate) fn minimize(
    f: &mut impl Objective,
    x0: &[f64],
    h0: Option<&[f64]>,
    settings: &Settings,
) -> Outcome {
    let first = bfgs(f, x0, h0, settings);
    if first.termination.converged()
        || first.termination == Termination::NonFinite
        || first.termination == Termination::MaxIterations
    {
        return first;
    }
    // The line search stalled: Nelder–Mead does not need a descent direction; a last BFGS
    // run from its end checks (and usually reaches) the gradient criterion.
    let n = x0.len();
    let mut g = vec![0.0; n];
    let mut fv = |x: &[f64]| {
        let v = f.eval(x, &mut g);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let (x_nm, _f_nm, it_nm, ev_nm) = nelder_mead(&mut fv, &first.x, 0.05, settings.max_iter * 20);
    let mut second = bfgs(f, &x_nm, None, settings);
    second.iterations += first.iterations + it_nm;
    second.evaluations += first.evaluations + ev_nm;
    if second.f <= first.f || second.termination.converged() {
        second
    } else {
        Outcome {
            iterations: second.iterations,
            evaluations: second.evaluations,
            ..first
        }
    }
}

/// BFGS on the inverse Hessian with a strong-Wolfe line search.
pub(crate) fn bfgs(
    f: &mut impl Objective,
    x0: &[f64],
    h0: Option<&[f64]>,
    settings: &Settings,
) -> Outcome {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut fx = f.eval(&x, &mut g);
    let mut evaluations = 1;
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Outcome {
            x,
            f: f64::INFINITY,
            g,
            iterations: 0,
            evaluations,
            termination: Termination::NonFinite,
            inv_hessian: identity(n),
        };
    }
    let mut h = h0.map(<[f64]>::to_vec).unwrap_or_else(|| identity(n));
    let mut scaled = h0.is_some();
    let mut termination = Termination::MaxIterations;
    let mut iterations = 0;
    let mut restarted = false;
    let mut d = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    while iterations < settings.max_iter {
        if norm_inf(&g) <= settings.gtol {
            termination = Termination::GradientNorm;
            break;
        }
        iterations += 1;
        for i in 0..n {
            d[i] = -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>();
        }
        let mut d0 = dot(&g, &d);
        if d0 >= 0.0 || !d0.is_finite() {
            h = identity(n);
            scaled = false;
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi);
            d0 = dot(&g, &d);
        }
        // The first step of an unscaled run is kept short: the gradient's size says nothing
        // about the distance to the optimum.
        let mut alpha_max = settings.max_step / norm_inf(&d);
        let alpha0 = if scaled {
            1.0f64.min(alpha_max)
        } else {
            (1.0 / norm_inf(&g)).min(1.0).min(alpha_max)
        };
        alpha_max = alpha_max.max(alpha0);
        let found = line_search(
            f,
            &x,
            fx,
            &d,
            d0,
            alpha0,
            alpha_max,
            &mut x_new,
            &mut g_new,
            &mut evaluations,
        );
        let Some(f_new) = found else {
            if restarted || !scaled && h0.is_none() && iterations == 1 {
                termination = Termination::LineSearchFailed;
                break;
            }
            // Retry once along the steepest descent with a fresh Hessian.
            h = identity(n);
            scaled = false;
            restarted = true;
            continue;
        };
        restarted = false;
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let f_old = fx;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        let sy = dot(&s, &y);
        let yy = dot(&y, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * yy.sqrt() {
            if !scaled {
                // Nocedal & Wright (6.20): scale the initial matrix before the first update.
                let gamma = sy / yy;
                h.iter_mut().for_each(|v| *v *= gamma);
                scaled = true;
            }
            bfgs_update(&mut h, &s, &y, sy);
        }
        if norm_inf(&g) <= settings.gtol {
            termination = Termination::GradientNorm;
            break;
        }
        if (f_old - fx).abs() <= FTOL * fx.abs().max(1.0) && norm_inf(&s) <= XTOL {
            termination = Termination::RelativeChange;
            break;
        }
    }
    Outcome {
        x,
        f: fx,
        g,
        iterations,
        evaluations,
        termination,
        inv_hessian: h,
    }
}

/// `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ` with `ρ = 1 / (yᵀ s)`.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
        .collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] +=
                -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

/// Strong-Wolfe line search along `d` (Nocedal & Wright algorithm 3.5 with zoom 3.6).
/// On success, `x_new`/`g_new` hold the accepted point and its gradient, and its value is
/// returned.
#[allow(clippy::too_many_arguments)]
fn line_search(
    f: &mut impl Objective,
    x: &[f64],
    f0: f64,
    d: &[f64],
    d0: f64,
    alpha0: f64,
    alpha_max: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
    evaluations: &mut usize,
) -> Option<f64> {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    // Rounding of a sum over a million customers reaches ~1e-14 relative; stay well above it.
    let eps_f = 1e-12 * f0.abs().max(1e-300);
    let mut phi = |alpha: f64, x_new: &mut [f64], g_new: &mut [f64]| -> (f64, f64) {
        for i in 0..x.len() {
            x_new[i] = x[i] + alpha * d[i];
        }
        *evaluations += 1;
        let v = f.eval(x_new, g_new);
        let slope = dot(g_new, d);
        if v.is_finite() && slope.is_finite() {
            (v, slope)
        } else {
            (f64::INFINITY, f64::NAN)
        }
    };
    // Armijo, or the approximate version (Hager & Zhang) once values are at rounding level.
    let sufficient = |alpha: f64, v: f64, slope: f64| {
        v <= f0 + C1 * alpha * d0 || (v <= f0 + eps_f && slope <= (1.0 - 2.0 * C1) * d0.abs())
    };
    let curvature = |slope: f64| slope.abs() <= -C2 * d0;

    let mut a_prev = 0.0;
    let mut f_prev = f0;
    let mut s_prev = d0;
    let mut alpha = alpha0;
    for i in 0..40 {
        let (v, slope) = phi(alpha, x_new, g_new);
        if !sufficient(alpha, v, slope) || (i > 0 && v > f_prev + eps_f) {
            return zoom(
                &mut phi,
                &sufficient,
                &curvature,
                eps_f,
                a_prev,
                alpha,
                f_prev,
                s_prev,
                v,
                slope,
                x_new,
                g_new,
            );
        }
        if curvature(slope) {
            return Some(v);
        }
        if slope >= 0.0 {
            return zoom(
                &mut phi,
                &sufficient,
                &curvature,
                eps_f,
                alpha,
                a_prev,
                v,
                slope,
                f_prev,
                s_prev,
                x_new,
                g_new,
            );
        }
        if alpha >= alpha_max {
            // The step is capped and still descending: take it.
            return Some(v);
        }
        a_prev = alpha;
        f_prev = v;
        s_prev = slope;
        alpha = (alpha * 4.0).min(alpha_max);
    }
    None
}

/// The zoom phase: `lo` satisfies sufficient decrease and has the lower value; the minimiser
/// lies between `lo` and `hi`.
#[allow(clippy::too_many_arguments)]
fn zoom(
    phi: &mut impl FnMut(f64, &mut [f64], &mut [f64]) -> (f64, f64),
    sufficient: &impl Fn(f64, f64, f64) -> bool,
    curvature: &impl Fn(f64) -> bool,
    eps_f: f64,
    mut lo: f64,
    mut hi: f64,
    mut f_lo: f64,
    mut s_lo: f64,
    mut f_hi: f64,
    mut s_hi: f64,
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Option<f64> {
    let mut best: Option<(f64, f64)> = None; // (alpha, value) of the best acceptable point
    for _ in 0..30 {
        let width = hi - lo;
        if width.abs() <= 1e-16 * lo.abs().max(hi.abs()).max(1e-300) {
            break;
        }
        let mut alpha = cubic_min(lo, f_lo, s_lo, hi, f_hi, s_hi).unwrap_or(lo + 0.5 * width);
        // Keep the trial well inside the bracket so the bracket shrinks.
        let (a, b) = if lo < hi { (lo, hi) } else { (hi, lo) };
        let margin = 0.1 * (b - a);
        if !(alpha > a + margin && alpha < b - margin) {
            alpha = lo + 0.5 * width;
        }
        let (v, slope) = phi(alpha, x_new, g_new);
        // Values decide only where they differ by more than rounding (`eps_f`); below that the
        // sign of the slope, which stays accurate, says on which side the minimiser is.
        if !sufficient(alpha, v, slope) || v > f_lo + eps_f {
            hi = alpha;
            f_hi = v;
            s_hi = slope;
        } else {
            if curvature(slope) {
                return Some(v);
            }
            if best.is_none_or(|(_, bv)| v <= bv) {
                best = Some((alpha, v));
            }
            if slope * (hi - lo) >= 0.0 {
                hi = lo;
                f_hi = f_lo;
                s_hi = s_lo;
            }
            lo = alpha;
            f_lo = v;
            s_lo = slope;
        }
    }
    // The bracket collapsed without the curvature condition: accept the best point with
    // sufficient decrease, if any, so progress is not thrown away.
    let (alpha, _) = best?;
    let (v, _) = phi(alpha, x_new, g_new);
    Some(v)
}

/// The minimiser of the cubic interpolating values and slopes at `a` and `b`.
fn cubic_min(a: f64, fa: f64, sa: f64, b: f64, fb: f64, sb: f64) -> Option<f64> {
    if !(fa.is_finite() && fb.is_finite() && sa.is_finite() && sb.is_finite()) {
        return None;
    }
    let d1 = sa + sb - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - sa * sb;
    if disc < 0.0 {
        return None;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let denom = sb - sa + 2.0 * d2;
    if denom == 0.0 {
        return None;
    }
    let t = b - (b - a) * (sb + d2 - d1) / denom;
    t.is_finite().then_some(t)
}

/// Nelder–Mead with the standard coefficients; returns `(x, f, iterations, evaluations)`.
/// It stops when the values across the simplex agree to 1e-15 relative and the simplex is
/// smaller than 1e-10, or after `max_iter` iterations.
pub(crate) fn nelder_mead(
    f: &mut impl FnMut(&[f64]) -> f64,
    x0: &[f64],
    step: f64,
    max_iter: usize,
) -> (Vec<f64>, f64, usize, usize) {
    let n = x0.len();
    let mut simplex: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] += step;
        simplex.push(p);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| f(p)).collect();
    let mut evaluations = n + 1;
    let mut iterations = 0;
    while iterations < max_iter {
        iterations += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let spread = (values[n] - values[0]).abs();
        let size = simplex[1..]
            .iter()
            .map(|p| {
                p.iter()
                    .zip(&simplex[0])
                    .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
            })
            .fold(0.0f64, f64::max);
        if spread <= 1e-15 * values[0].abs().max(1e-300) && size <= 1e-10 {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (simplex[n][j] - centroid[j]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = f(&xr);
        evaluations += 1;
        if fr < values[0] {
            let xe = along(-2.0);
            let fe = f(&xe);
            evaluations += 1;
            if fe < fr {
                simplex[n] = xe;
                values[n] = fe;
            } else {
                simplex[n] = xr;
                values[n] = fr;
            }
        } else if fr < values[n - 1] {
            simplex[n] = xr;
            values[n] = fr;
        } else {
            let (xc, fc) = if fr < values[n] {
                let xc = along(-0.5);
                let fc = f(&xc);
                (xc, fc)
            } else {
                let xc = along(0.5);
                let fc = f(&xc);
                (xc, fc)
            };
            evaluations += 1;
            if fc < values[n].min(fr) {
                simplex[n] = xc;
                values[n] = fc;
            } else {
                for i in 1..=n {
                    let p: Vec<f64> = (0..n)
                        .map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]))
                        .collect();
                    values[i] = f(&p);
                    simplex[i] = p;
                    evaluations += 1;
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    (simplex[best].clone(), values[best], iterations, evaluations)
}

/// The Hessian by forward differences of the analytic gradient, symmetrised; `g0` is the
/// gradient at `x`.
pub(crate) fn hessian(f: &mut impl Objective, x: &[f64], g0: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut hess = vec![0.0; n * n];
    let mut xp = x.to_vec();
    let mut gp = vec![0.0; n];
    for j in 0..n {
        let h = 1e-6 * x[j].abs().max(1.0);
        xp[j] = x[j] + h;
        f.eval(&xp, &mut gp);
        xp[j] = x[j];
        for i in 0..n {
            hess[i * n + j] = (gp[i] - g0[i]) / h;
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (hess[i * n + j] + hess[j * n + i]);
            hess[i * n + j] = m;
            hess[j * n + i] = m;
        }
    }
    hess
}

/// The inverse of a symmetric positive-definite matrix by Cholesky, or `None` when it is not
/// positive definite.
pub(crate) fn inverse_spd(m: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = m[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum.is_nan() || sum <= 0.0 || sum.is_infinite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    // Invert L, then inv(M) = inv(L)ᵀ inv(L).
    let mut li = vec![0.0; n * n];
    for i in 0..n {
        li[i * n + i] = 1.0 / l[i * n + i];
        for j in 0..i {
            let mut sum = 0.0;
            for k in j..i {
                sum -= l[i * n + k] * li[k * n + j];
            }
            li[i * n + j] = sum / l[i * n + i];
        }
    }
    let mut inv = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            inv[i * n + j] = (i.max(j)..n).map(|k| li[k * n + i] * li[k * n + j]).sum();
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            max_iter: 500,
            gtol: 1e-10,
            max_step: 10.0,
        }
    }

    #[test]
    fn bfgs_minimises_rosenbrock() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let out = minimize(&mut f, &[-1.2, 1.0], None, &settings());
        assert!(out.termination.converged(), "{:?}", out.termination);
        assert!((out.x[0] - 1.0).abs() < 1e-8 && (out.x[1] - 1.0).abs() < 1e-8);
    }

    #[test]
    fn non_finite_regions_are_avoided() {
        // ln-barrier: infinite for x <= 0; the minimum is at x = 1.
        let mut f = |x: &[f64], g: &mut [f64]| {
            if x[0] <= 0.0 {
                g[0] = f64::NAN;
                return f64::NAN;
            }
            g[0] = 1.0 - 1.0 / x[0];
            x[0] - x[0].ln()
        };
        let out = minimize(&mut f, &[8.0], None, &settings());
        assert!(out.termination.converged());
        assert!((out.x[0] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let mut f = |x: &[f64]| (x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2);
        let (x, v, _, _) = nelder_mead(&mut f, &[0.0, 0.0], 0.5, 10_000);
        assert!(v < 1e-14 && (x[0] - 3.0).abs() < 1e-7 && (x[1] + 1.0).abs() < 1e-7);
    }

    #[test]
    fn non_convergence_is_reported() {
        let mut f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * x[0];
            x[0] * x[0]
        };
        let s = Settings {
            max_iter: 0,
            ..settings()
        };
        let out = bfgs(&mut f, &[5.0], None, &s);
        assert!(!out.termination.converged());
    }

    #[test]
    fn spd_inverse() {
        let m = [4.0, 2.0, 2.0, 3.0];
        let inv = inverse_spd(&m, 2).unwrap();
        let want = [3.0 / 8.0, -2.0 / 8.0, -2.0 / 8.0, 4.0 / 8.0];
        for (a, b) in inv.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
        assert!(inverse_spd(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
