//! One type over the three transaction models, and the bulk (all customers) predictions.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::bgnbd::BgNbd;
use crate::chebyshev::Chebyshev;
use crate::data::{check_rfm, par_fill, resolve_threads};
use crate::error::{ModelError, Result};
use crate::mbgnbd::MbgNbd;
use crate::pareto::ParetoNbd;

/// Which transaction model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    BgNbd,
    MbgNbd,
    ParetoNbd,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd];

    /// The usual name: `BG/NBD`, `MBG/NBD`, `Pareto/NBD`.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
        }
    }

    pub fn param_names(self) -> &'static [&'static str; 4] {
        match self {
            ModelKind::BgNbd => &BgNbd::PARAM_NAMES,
            ModelKind::MbgNbd => &MbgNbd::PARAM_NAMES,
            ModelKind::ParetoNbd => &ParetoNbd::PARAM_NAMES,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses `bgnbd`, `bg/nbd`, `bg-nbd`, `mbgnbd`, `pareto`, `paretonbd`, `pnbd` (any case).
impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "bgnbd" | "bg" | "betageo" => Ok(ModelKind::BgNbd),
            "mbgnbd" | "mbg" | "modifiedbetageo" => Ok(ModelKind::MbgNbd),
            "paretonbd" | "pareto" | "pnbd" => Ok(ModelKind::ParetoNbd),
            _ => Err(format!(
                "unknown model `{s}`; expected bgnbd, mbgnbd or pareto"
            )),
        }
    }
}

/// A transaction model with its parameters, in the caller's time unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Model {
    BgNbd(BgNbd),
    MbgNbd(MbgNbd),
    ParetoNbd(ParetoNbd),
}

macro_rules! dispatch {
    ($self:expr, $m:ident => $e:expr) => {
        match $self {
            Model::BgNbd($m) => $e,
            Model::MbgNbd($m) => $e,
            Model::ParetoNbd($m) => $e,
        }
    };
}

/// Per-customer predictions for a horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Predictions {
    /// `P(alive | x, t_x, T)`.
    pub p_alive: Vec<f64>,
    /// `E[X(horizon) | x, t_x, T]`: expected repeat purchases in `(T, T + horizon]`.
    pub expected_purchases: Vec<f64>,
}

impl Model {
    /// A model from its parameters in the order of [`ModelKind::param_names`].
    pub fn from_params(kind: ModelKind, p: &[f64]) -> Result<Model> {
        if p.len() != 4 {
            return Err(ModelError::LengthMismatch {
                column: "params",
                found: p.len(),
                reference: "the model's parameter names",
                expected: 4,
            });
        }
        Ok(match kind {
            ModelKind::BgNbd => Model::BgNbd(BgNbd::new(p[0], p[1], p[2], p[3])?),
            ModelKind::MbgNbd => Model::MbgNbd(MbgNbd::new(p[0], p[1], p[2], p[3])?),
            ModelKind::ParetoNbd => Model::ParetoNbd(ParetoNbd::new(p[0], p[1], p[2], p[3])?),
        })
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            Model::BgNbd(_) => ModelKind::BgNbd,
            Model::MbgNbd(_) => ModelKind::MbgNbd,
            Model::ParetoNbd(_) => ModelKind::ParetoNbd,
        }
    }

    /// `(name, value)` pairs.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        let values = dispatch!(self, m => m.params());
        self.kind()
            .param_names()
            .iter()
            .copied()
            .zip(values)
            .collect()
    }

    /// The log-likelihood of one customer's history.
    pub fn log_likelihood(&self, x: f64, tx: f64, t: f64) -> f64 {
        dispatch!(self, m => m.log_likelihood(x, tx, t))
    }

    /// `P(alive | x, t_x, T)`.
    pub fn p_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        dispatch!(self, m => m.p_alive(x, tx, t))
    }

    /// Expected repeat purchases in `(T, T + horizon]` given the history.
    pub fn expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases(horizon, x, tx, t))
    }

    /// Expected repeat purchases in the next `horizon` for a customer alive at `T` with `x`
    /// repeat purchases (the conditional expectation divided by `P(alive)`).
    pub fn expected_purchases_alive(&self, horizon: f64, x: f64, t: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases_alive(horizon, x, t))
    }

    /// Expected repeat purchases in `(0, horizon]` of a new customer.
    pub fn expected_purchases_unconditional(&self, horizon: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases_unconditional(horizon))
    }

    /// `P(X(horizon) = n)` for a new customer.
    pub fn prob_n_purchases(&self, n: u64, horizon: f64) -> f64 {
        dispatch!(self, m => m.prob_n_purchases(n, horizon))
    }

    /// Discounted expected residual transactions with a continuously compounded discount rate
    /// `delta` per time unit (for an annual rate `d` and weekly data, `δ = ln(1+d)/52`).
    /// Pareto/NBD: FHL (2005b) closed form; BG/NBD and MBG/NBD: the same definition,
    /// `δ ∫₀^∞ e^(−δt) E[X(t) | x, t_x, T] dt`, by quadrature.
    pub fn dert(&self, delta: f64, x: f64, tx: f64, t: f64) -> f64 {
        dispatch!(self, m => m.dert(delta, x, tx, t))
    }

    /// `P(alive)` and expected purchases over `horizon` for every customer (checked input,
    /// parallel over `threads`, 0 = every core).
    pub fn predict(
        &self,
        horizon: f64,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
        threads: usize,
    ) -> Result<Predictions> {
        check_horizon("horizon", horizon)?;
        let n = check_rfm(freq, rec, t)?;
        let threads = resolve_threads(threads);
        let mut p_alive = vec![0.0; n];
        self.p_alive_into(freq, rec, t, threads, &mut p_alive);
        let mut expected = vec![0.0; n];
        self.expected_alive_into(horizon, freq, t, threads, &mut expected);
        expected.iter_mut().zip(&p_alive).for_each(|(e, p)| *e *= p);
        Ok(Predictions {
            p_alive,
            expected_purchases: expected,
        })
    }

    /// [`Model::dert`] for every customer. The costly part (DERT of a customer alive at `T`)
    /// depends only on `(x, T)`: it is interpolated in `T` for frequencies many customers share,
    /// verified to 1e-8 relative (the quadrature behind it is good to about 1e-9), and computed
    /// once per distinct pair otherwise.
    pub fn dert_all(
        &self,
        delta: f64,
        freq: &[f64],
        rec: &[f64],
        t: &[f64],
        threads: usize,
    ) -> Result<Vec<f64>> {
        if !(delta.is_finite() && delta > 0.0) {
            return Err(ModelError::InvalidOption {
                name: "discount rate",
                value: delta,
                expected: "a finite number > 0 (continuously compounded, per time unit)",
            });
        }
        check_rfm(freq, rec, t)?;
        let threads = resolve_threads(threads);
        let alive_part =
            per_customer_smooth_in_t(freq, t, self.time_shift(), threads, 1e-8, |x, tt| {
                // DERT / P(alive) for a customer alive at T.
                match self {
                    Model::ParetoNbd(m) => m.dert(delta, x, tt, tt),
                    Model::BgNbd(m) => crate::bgnbd::discounted_alive(delta, |h| {
                        m.expected_purchases_alive(h, x, tt)
                    }),
                    Model::MbgNbd(m) => crate::bgnbd::discounted_alive(delta, |h| {
                        m.expected_purchases_alive(h, x, tt)
                    }),
                }
            });
        let mut out = vec![0.0; freq.len()];
        self.p_alive_into(freq, rec, t, threads, &mut out);
        out.iter_mut().zip(&alive_part).for_each(|(o, a)| *o *= a);
        Ok(out)
    }
}

/// Frequencies with at least this many customers get a Chebyshev interpolant in bulk
/// predictions (building one costs up to about 240 direct evaluations).
const INTERPOLATE_MIN_CUSTOMERS: usize = 256;

impl Model {
    /// `E[X(horizon) | alive]` for every customer (checked input). For BG/NBD and MBG/NBD this
    /// is `u·g(v)` for each frequency, with `u = horizon/(α+T)`, `v = ln(1+u)` and `ln g`
    /// smooth (analytic near the real axis; `g → r+x` as `u → 0`); frequencies shared by many
    /// customers get a Chebyshev interpolant of `ln g(v)`, accepted only if it reproduces direct
    /// evaluations to 1e-13 between its nodes (so every value is within about 1e-13 relative).
    /// Everyone else is evaluated directly.
    fn expected_alive_into(
        &self,
        horizon: f64,
        freq: &[f64],
        t: &[f64],
        threads: usize,
        out: &mut [f64],
    ) {
        let Some((alpha, interpolants)) = self.expected_alive_interpolants(horizon, freq, t) else {
            return par_fill(out, threads, |i| {
                self.expected_purchases_alive(horizon, freq[i], t[i])
            });
        };
        par_fill(out, threads, |i| {
            let x = freq[i];
            match interpolants.get(x as usize).and_then(Option::as_ref) {
                Some(c) if x < interpolants.len() as f64 => {
                    let u = horizon / (alpha + t[i]);
                    u * c.eval(u.ln_1p()).exp()
                }
                _ => self.expected_purchases_alive(horizon, x, t[i]),
            }
        });
    }

    /// `α` and the interpolants of [`Self::expected_alive_into`] by frequency; `None` for
    /// Pareto/NBD (closed form) and a zero horizon.
    fn expected_alive_interpolants(
        &self,
        horizon: f64,
        freq: &[f64],
        t: &[f64],
    ) -> Option<(f64, Vec<Option<Chebyshev>>)> {
        let (r, alpha) = match self {
            Model::BgNbd(m) => (m.r, m.alpha),
            Model::MbgNbd(m) => (m.r, m.alpha),
            Model::ParetoNbd(_) => return None,
        };
        if horizon <= 0.0 {
            return None;
        }
        // Customers and the range of T per frequency (frequencies are whole numbers).
        const MAX_X: usize = 100_000;
        let mut stats: Vec<(usize, f64, f64)> = Vec::new();
        for (&x, &tt) in freq.iter().zip(t) {
            if x >= MAX_X as f64 {
                continue;
            }
            let k = x as usize;
            if stats.len() <= k {
                stats.resize(k + 1, (0, f64::INFINITY, f64::NEG_INFINITY));
            }
            let st = &mut stats[k];
            st.0 += 1;
            st.1 = st.1.min(tt);
            st.2 = st.2.max(tt);
        }
        let v_of = |tt: f64| (horizon / (alpha + tt)).ln_1p();
        let interpolants = stats
            .iter()
            .enumerate()
            .map(|(k, &(count, t_min, t_max))| {
                if count < INTERPOLATE_MIN_CUSTOMERS {
                    return None;
                }
                let (lo, hi) = (v_of(t_max), v_of(t_min));
                let pad = 1e-9 * hi.max(1.0);
                let (lo, hi) = if hi - lo < pad {
                    ((lo - pad).max(0.0), hi + pad)
                } else {
                    (lo, hi)
                };
                let x = k as f64;
                let ln_g = |v: f64| {
                    let u = v.exp_m1();
                    // E[X | alive] / u tends to r + x as u → 0.
                    if u > 0.0 {
                        (self.expected_alive_of_u(x, u) / u).ln()
                    } else {
                        (r + x).ln()
                    }
                };
                Chebyshev::fit(ln_g, lo, hi, 1e-13)
            })
            .collect();
        Some((alpha, interpolants))
    }

    /// BG/NBD-family `E[X | alive]` as a function of `u = horizon/(α+T)`.
    fn expected_alive_of_u(&self, x: f64, u: f64) -> f64 {
        match self {
            Model::BgNbd(m) => crate::bgnbd::expected_alive(m.r + x, m.a, m.b + x, u),
            Model::MbgNbd(m) => crate::bgnbd::expected_alive(m.r + x, m.a, m.b + x + 1.0, u),
            Model::ParetoNbd(_) => f64::NAN,
        }
    }

    /// `P(alive)` for every customer (checked input).
    fn p_alive_into(&self, freq: &[f64], rec: &[f64], t: &[f64], threads: usize, out: &mut [f64]) {
        match self {
            Model::ParetoNbd(m) => m.p_alive_into(freq, rec, t, threads, out),
            _ => par_fill(out, threads, |i| self.p_alive(freq[i], rec[i], t[i])),
        }
    }
}

pub(crate) fn check_horizon(name: &'static str, h: f64) -> Result<()> {
    if h.is_finite() && h >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::InvalidOption {
            name,
            value: h,
            expected: "a finite number >= 0 (time units)",
        })
    }
}

impl Model {
    /// The smallest time-unit parameter: functions of `T` in these models are analytic for
    /// `T > −shift`, so `ln(shift + T)` is a good variable to interpolate them in.
    pub(crate) fn time_shift(&self) -> f64 {
        match self {
            Model::BgNbd(m) => m.alpha,
            Model::MbgNbd(m) => m.alpha,
            Model::ParetoNbd(m) => m.alpha.min(m.beta),
        }
    }
}

/// `f(x, T)` for every customer, for a positive `f` smooth in `T`. Frequencies shared by many
/// customers get a Chebyshev interpolant of `ln f` in `ln(shift + T)` over their range of `T`,
/// accepted only if it reproduces `f` to `tol` relative between its nodes; the other customers
/// are computed once per distinct `(x, T)`. Interpolants are built in parallel.
pub(crate) fn per_customer_smooth_in_t(
    freq: &[f64],
    t: &[f64],
    shift: f64,
    threads: usize,
    tol: f64,
    f: impl Fn(f64, f64) -> f64 + Sync,
) -> Vec<f64> {
    const MAX_X: usize = 100_000;
    let mut stats: Vec<(usize, f64, f64)> = Vec::new();
    for (&x, &tt) in freq.iter().zip(t) {
        if x >= MAX_X as f64 {
            continue;
        }
        let k = x as usize;
        if stats.len() <= k {
            stats.resize(k + 1, (0, f64::INFINITY, f64::NEG_INFINITY));
        }
        let st = &mut stats[k];
        st.0 += 1;
        st.1 = st.1.min(tt);
        st.2 = st.2.max(tt);
    }
    let candidates: Vec<usize> = (0..stats.len())
        .filter(|&k| stats[k].0 >= INTERPOLATE_MIN_CUSTOMERS)
        .collect();
    // Few candidates but each costs up to ~240 evaluations: one task per candidate.
    let built: Vec<Option<Chebyshev>> =
        crate::data::par_ranges_min(candidates.len(), threads, 1, |range| {
            range
                .map(|j| {
                    let k = candidates[j];
                    let (_, t_min, t_max) = stats[k];
                    let (lo, hi) = ((shift + t_min).ln(), (shift + t_max).ln());
                    let pad = 1e-9 * hi.abs().max(1.0);
                    let (lo, hi) = if hi - lo < pad {
                        (lo - pad, hi + pad)
                    } else {
                        (lo, hi)
                    };
                    Chebyshev::fit(
                        |y| f(k as f64, (y.exp() - shift).max(0.0)).ln(),
                        lo,
                        hi,
                        tol,
                    )
                })
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
    let mut interpolants: Vec<Option<Chebyshev>> = vec![None; stats.len()];
    for (j, c) in built.into_iter().enumerate() {
        interpolants[candidates[j]] = c;
    }
    let mut out = vec![f64::NAN; freq.len()];
    par_fill(&mut out, threads, |i| {
        match interpolants.get(freq[i] as usize) {
            Some(Some(c)) if freq[i] < MAX_X as f64 => c.eval((shift + t[i]).ln()).exp(),
            _ => f64::NAN,
        }
    });
    // Everyone else, once per distinct (x, T).
    let rest: Vec<usize> = (0..freq.len()).filter(|&i| out[i].is_nan()).collect();
    if !rest.is_empty() {
        let rf: Vec<f64> = rest.iter().map(|&i| freq[i]).collect();
        let rt: Vec<f64> = rest.iter().map(|&i| t[i]).collect();
        for (v, &i) in per_distinct_xt(&rf, &rt, threads, f).into_iter().zip(&rest) {
            out[i] = v;
        }
    }
    out
}

/// `f(x, T)` for every customer, computed once per distinct `(x, T)` (in parallel).
pub(crate) fn per_distinct_xt(
    freq: &[f64],
    t: &[f64],
    threads: usize,
    f: impl Fn(f64, f64) -> f64 + Sync,
) -> Vec<f64> {
    let mut keys: Vec<(u64, u64, u32)> = (0..freq.len())
        .map(|i| (freq[i].to_bits(), t[i].to_bits(), i as u32))
        .collect();
    keys.sort_unstable();
    let mut uniq: Vec<(f64, f64)> = Vec::new();
    let mut slot = vec![0u32; freq.len()];
    for (j, &(x, tt, i)) in keys.iter().enumerate() {
        if j == 0 || (keys[j - 1].0, keys[j - 1].1) != (x, tt) {
            uniq.push((f64::from_bits(x), f64::from_bits(tt)));
        }
        slot[i as usize] = (uniq.len() - 1) as u32;
    }
    let mut values = vec![0.0; uniq.len()];
    par_fill(&mut values, threads, |k| f(uniq[k].0, uniq[k].1));
    slot.iter().map(|&k| values[k as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_predictions_interpolate_shared_frequencies_exactly() {
        // A CDNOW-like cohort: many customers per frequency, so the interpolants are built and
        // used; every value must still match the direct evaluation to 1e-13 relative.
        let n = 6_000;
        let freq: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let t: Vec<f64> = (0..n).map(|i| 27.0 + 12.0 * i as f64 / n as f64).collect();
        let rec: Vec<f64> = (0..n)
            .map(|i| if freq[i] == 0.0 { 0.0 } else { t[i] * 0.6 })
            .collect();
        for kind in ModelKind::ALL {
            let params: &[f64] = match kind {
                ModelKind::ParetoNbd => &[0.553, 10.578, 0.606, 11.669],
                _ => &[0.243, 4.414, 0.793, 2.426],
            };
            let m = Model::from_params(kind, params).unwrap();
            let built = match m {
                Model::ParetoNbd(p) => p.p_alive_interpolants(&freq, &rec, &t),
                _ => m.expected_alive_interpolants(39.0, &freq, &t).unwrap().1,
            };
            let expected_built = if kind == ModelKind::ParetoNbd { 1 } else { 3 };
            assert_eq!(
                built.iter().filter(|c| c.is_some()).count(),
                expected_built,
                "{kind}"
            );
            let p = m.predict(39.0, &freq, &rec, &t, 1).unwrap();
            for i in 0..n {
                let (x, tx, tt) = (freq[i], rec[i], t[i]);
                let pa = m.p_alive(x, tx, tt);
                let e = m.expected_purchases(39.0, x, tx, tt);
                assert!((p.p_alive[i] - pa).abs() <= 1e-13 * pa, "{kind} row {i}");
                assert!(
                    (p.expected_purchases[i] - e).abs() <= 1e-13 * e,
                    "{kind} row {i}"
                );
            }
        }
    }

    #[test]
    fn dert_and_clv_interpolate_over_a_wide_range_of_ages() {
        // Ages from half a week to 300 weeks: the interpolants must hold their stated accuracy
        // (DERT 1e-8, CLV 1e-10 relative) against per-customer evaluation.
        let n = 3_000;
        let freq: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
        let t: Vec<f64> = (0..n)
            .map(|i| 0.5 + 300.0 * (i as f64 / n as f64).powi(2))
            .collect();
        let rec: Vec<f64> = (0..n)
            .map(|i| if freq[i] == 0.0 { 0.0 } else { t[i] * 0.7 })
            .collect();
        let delta = 1.15f64.ln() / 52.0;
        let spend = vec![20.0; n];
        let opts = crate::ClvOptions::default();
        for kind in ModelKind::ALL {
            let params: &[f64] = match kind {
                ModelKind::ParetoNbd => &[0.553, 10.578, 0.606, 11.669],
                _ => &[0.243, 4.414, 0.793, 2.426],
            };
            let m = Model::from_params(kind, params).unwrap();
            let all = m.dert_all(delta, &freq, &rec, &t, 1).unwrap();
            let values = crate::clv(&m, &freq, &rec, &t, &spend, &opts, 1).unwrap();
            for i in (0..n).step_by(11) {
                let one = m.dert(delta, freq[i], rec[i], t[i]);
                assert!(
                    (all[i] - one).abs() <= 1e-8 * one,
                    "{kind} DERT row {i}: {} vs {one}",
                    all[i]
                );
                let v = crate::clv_one(&m, freq[i], rec[i], t[i], spend[i], &opts);
                assert!(
                    (values[i] - v).abs() <= 1e-10 * v,
                    "{kind} CLV row {i}: {} vs {v}",
                    values[i]
                );
            }
        }
        // The interpolants are really used: far fewer evaluations than customers.
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let f = |x: f64, tt: f64| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (1.0 + x) * (4.4 + tt).ln()
        };
        let v = per_customer_smooth_in_t(&freq, &t, 4.4, 1, 1e-12, f);
        assert!(calls.into_inner() < n / 2);
        for i in 0..n {
            let want = (1.0 + freq[i]) * (4.4 + t[i]).ln();
            assert!((v[i] - want).abs() <= 1e-12 * want);
        }
    }

    #[test]
    fn kinds_parse() {
        assert_eq!("BG/NBD".parse::<ModelKind>(), Ok(ModelKind::BgNbd));
        assert_eq!("pareto".parse::<ModelKind>(), Ok(ModelKind::ParetoNbd));
        assert_eq!("mbg-nbd".parse::<ModelKind>(), Ok(ModelKind::MbgNbd));
        assert!("gamma".parse::<ModelKind>().is_err());
    }

    #[test]
    fn model_serialises_with_its_name() {
        let m = Model::from_params(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426]).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"model":"bg_nbd","r":0.243,"alpha":4.414,"a":0.793,"b":2.426}"#
        );
        assert!(Model::from_params(ModelKind::ParetoNbd, &[0.5, -1.0, 0.5, 1.0]).is_err());
    }
}
