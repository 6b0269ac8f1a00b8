//! Chebyshev interpolation of smooth functions on an interval, used to make bulk predictions
//! cheap: a function costing a hypergeometric series per call is sampled at a few dozen nodes
//! and then evaluated with a short Clenshaw recurrence. An interpolant is only returned after
//! it has reproduced the function at points between the nodes to the requested accuracy, so a
//! caller can always fall back to direct evaluation.

/// A Chebyshev series on `[lo, hi]`.
#[derive(Debug, Clone)]
pub(crate) struct Chebyshev {
    lo: f64,
    hi: f64,
    coef: Vec<f64>,
}

impl Chebyshev {
    /// Interpolates `f` on `[lo, hi]` with 8, 16, 32 then 64 Chebyshev nodes until the series
    /// has converged and agrees with `f` to `abs_tol` at the midpoints between nodes; `None` if
    /// it never does or `f` is not finite.
    pub fn fit(f: impl Fn(f64) -> f64, lo: f64, hi: f64, abs_tol: f64) -> Option<Chebyshev> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return None;
        }
        for n in [8usize, 16, 32, 64] {
            let nodes: Vec<f64> = (0..n)
                .map(|j| (std::f64::consts::PI * (j as f64 + 0.5) / n as f64).cos())
                .collect();
            let values: Vec<f64> = nodes.iter().map(|&s| f(Self::to_x(lo, hi, s))).collect();
            if values.iter().any(|v| !v.is_finite()) {
                return None;
            }
            let coef: Vec<f64> = (0..n)
                .map(|k| {
                    let sum: f64 = (0..n)
                        .map(|j| {
                            values[j]
                                * (std::f64::consts::PI * k as f64 * (j as f64 + 0.5) / n as f64)
                                    .cos()
                        })
                        .sum();
                    2.0 * sum / n as f64
                })
                .collect();
            // The last few coefficients bound the truncation error of a converged series.
            let tail = coef[n - 3..].iter().fold(0.0f64, |m, c| m.max(c.abs()));
            if tail > 0.1 * abs_tol {
                continue;
            }
            let cheb = Chebyshev { lo, hi, coef };
            // Check between the nodes, where the interpolation error is largest.
            let ok = (0..n).all(|j| {
                let s = (std::f64::consts::PI * (j as f64 + 1.0) / n as f64).cos();
                let x = Self::to_x(lo, hi, s);
                (cheb.eval(x) - f(x)).abs() <= abs_tol
            });
            if ok {
                return Some(cheb);
            }
        }
        None
    }

    fn to_x(lo: f64, hi: f64, s: f64) -> f64 {
        0.5 * (lo + hi) + 0.5 * (hi - lo) * s
    }

    /// The interpolant at `x` (Clenshaw's recurrence); meant for `x` in `[lo, hi]`.
    #[inline]
    pub fn eval(&self, x: f64) -> f64 {
        let s = (2.0 * x - self.lo - self.hi) / (self.hi - self.lo);
        let (mut b1, mut b2) = (0.0, 0.0);
        for &c in self.coef[1..].iter().rev() {
            let b0 = 2.0 * s * b1 - b2 + c;
            b2 = b1;
            b1 = b0;
        }
        s * b1 - b2 + 0.5 * self.coef[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_smooth_functions_and_refuses_rough_ones() {
        let c = Chebyshev::fit(f64::exp, 0.0, 2.0, 1e-13).unwrap();
        for i in 0..=100 {
            let x = 2.0 * i as f64 / 100.0;
            assert!((c.eval(x) - x.exp()).abs() < 1e-13);
        }
        assert!(Chebyshev::fit(|x: f64| (x - 1.0).abs(), 0.0, 2.0, 1e-12).is_none());
        assert!(Chebyshev::fit(|x: f64| x, 1.0, 1.0, 1e-12).is_none());
    }
}
