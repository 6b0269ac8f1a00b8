//! One type over the three transaction models, and the bulk (all customers) predictions.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::bgnbd::BgNbd;
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
        par_fill(&mut expected, threads, |i| {
            p_alive[i] * self.expected_purchases_alive(horizon, freq[i], t[i])
        });
        Ok(Predictions {
            p_alive,
            expected_purchases: expected,
        })
    }

    /// [`Model::dert`] for every customer. The costly part depends only on `(x, T)`, so it is
    /// computed once per distinct pair.
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
        let alive_part = per_distinct_xt(freq, t, threads, |x, tt| {
            // DERT / P(alive) for a customer alive at T.
            match self {
                Model::ParetoNbd(m) => m.dert(delta, x, tt, tt),
                Model::BgNbd(m) => {
                    crate::bgnbd::discounted_alive(delta, |h| m.expected_purchases_alive(h, x, tt))
                }
                Model::MbgNbd(m) => {
                    crate::bgnbd::discounted_alive(delta, |h| m.expected_purchases_alive(h, x, tt))
                }
            }
        });
        let mut out = vec![0.0; freq.len()];
        self.p_alive_into(freq, rec, t, threads, &mut out);
        out.iter_mut().zip(&alive_part).for_each(|(o, a)| *o *= a);
        Ok(out)
    }
}

impl Model {
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
