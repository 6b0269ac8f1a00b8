//! Simulation of the models, for tests, benchmarks and model checks: a small frozen PRNG
//! (xoshiro256++ seeded through SplitMix64, each customer on its own stream derived from the
//! seed and their index, so results do not depend on the number of threads), the gamma, beta
//! and exponential samplers, and the purchase processes.

use crate::data::{par_ranges, resolve_threads};
use crate::gamma_gamma::GammaGamma;
use crate::model::Model;

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ (Blackman & Vigna).
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator seeded through SplitMix64.
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_add(GOLDEN_GAMMA);
            mix64(state)
        };
        let s = [next(), next(), next(), next()];
        if s == [0; 4] {
            return Self {
                s: [GOLDEN_GAMMA, 1, 2, 3],
            };
        }
        Self { s }
    }

    /// An independent stream for `(seed, index)`.
    pub fn stream(seed: u64, index: u64) -> Self {
        Self::new(mix64(seed ^ 0x5DEE_CE66_D1CE_4E5B) ^ mix64(index.wrapping_add(GOLDEN_GAMMA)))
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1)`: safe to take the logarithm of.
    pub fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with the given rate (mean `1/rate`); +∞ for rate 0.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.open01().ln() / rate
    }

    /// Standard normal (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Gamma with the given shape and rate (Marsaglia & Tsang 2000; shapes below 1 by the
    /// `U^(1/shape)` boost).
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let u = self.open01();
            return self.gamma(shape + 1.0, rate) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.open01();
            if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b).
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        if x + y == 0.0 {
            // Both underflowed (tiny shapes): the mass sits at 0 or 1 in proportion a : b.
            return if self.uniform() < a / (a + b) {
                1.0
            } else {
                0.0
            };
        }
        x / (x + y)
    }
}

/// Simulated customers: the calibration summary and the purchases in a holdout window.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    /// Repeat purchases in `(T, T + holdout]`.
    pub frequency_holdout: Vec<f64>,
}

/// Ages `T` of a cohort acquired uniformly over `[end − max_age, end − min_age]`.
pub fn cohort_ages(n: usize, min_age: f64, max_age: f64, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed ^ 0xA6E5);
    (0..n)
        .map(|_| min_age + (max_age - min_age) * rng.uniform())
        .collect()
}

/// Simulates each customer's purchases from time 0 (the first purchase) to `T + holdout` under
/// `model`, in continuous time. Customer `i` uses stream `(seed, i)`.
pub fn simulate(
    model: &Model,
    ages: &[f64],
    holdout: f64,
    seed: u64,
    threads: usize,
) -> Simulation {
    let n = ages.len();
    let parts = par_ranges(n, resolve_threads(threads), |range| {
        let mut out = (Vec::new(), Vec::new(), Vec::new());
        for i in range {
            let mut rng = Rng::stream(seed, i as u64);
            let (x, tx, xh) = simulate_one(model, ages[i], holdout, &mut rng);
            out.0.push(x);
            out.1.push(tx);
            out.2.push(xh);
        }
        out
    });
    let mut sim = Simulation {
        frequency: Vec::with_capacity(n),
        recency: Vec::with_capacity(n),
        t: ages.to_vec(),
        frequency_holdout: Vec::with_capacity(n),
    };
    for (x, tx, xh) in parts {
        sim.frequency.extend(x);
        sim.recency.extend(tx);
        sim.frequency_holdout.extend(xh);
    }
    sim
}

/// One customer: `(x, t_x, holdout purchases)`.
fn simulate_one(model: &Model, t: f64, holdout: f64, rng: &mut Rng) -> (f64, f64, f64) {
    let end = t + holdout;
    let (mut x, mut tx, mut xh) = (0.0, 0.0, 0.0);
    let mut record = |time: f64| {
        if time <= t {
            x += 1.0;
            tx = time;
        } else {
            xh += 1.0;
        }
    };
    match model {
        Model::BgNbd(crate::BgNbd { r, alpha, a, b })
        | Model::MbgNbd(crate::MbgNbd { r, alpha, a, b }) => {
            let lambda = rng.gamma(*r, *alpha);
            let p = rng.beta(*a, *b);
            // MBG/NBD: the customer may drop out right after the first purchase.
            if matches!(model, Model::MbgNbd(_)) && rng.uniform() < p {
                return (0.0, 0.0, 0.0);
            }
            let mut now = 0.0;
            loop {
                now += rng.exponential(lambda);
                if now > end {
                    break;
                }
                record(now);
                if rng.uniform() < p {
                    break;
                }
            }
        }
        Model::ParetoNbd(crate::ParetoNbd { r, alpha, s, beta }) => {
            let lambda = rng.gamma(*r, *alpha);
            let mu = rng.gamma(*s, *beta);
            let death = rng.exponential(mu);
            let stop = end.min(death);
            let mut now = 0.0;
            loop {
                now += rng.exponential(lambda);
                if now > stop {
                    break;
                }
                record(now);
            }
        }
    }
    (x, tx, xh)
}

/// Mean spend per repeat transaction under the Gamma-Gamma model (0 for `x = 0`): per
/// customer `ν ~ Gamma(q, γ)`, and the mean of `x` draws of `Gamma(p, ν)` is
/// `Gamma(p·x, ν)/x`.
pub fn simulate_spend(model: &GammaGamma, freq: &[f64], seed: u64) -> Vec<f64> {
    freq.iter()
        .enumerate()
        .map(|(i, &x)| {
            if x <= 0.0 {
                return 0.0;
            }
            let mut rng = Rng::stream(seed ^ 0x5BE4D, i as u64);
            let nu = rng.gamma(model.q, model.gamma);
            rng.gamma(model.p * x, nu) / x
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampler_moments() {
        let mut rng = Rng::new(7);
        let n = 200_000;
        for &(shape, rate) in &[(0.243, 4.414), (3.0, 2.0), (15.0, 0.5)] {
            let xs: Vec<f64> = (0..n).map(|_| rng.gamma(shape, rate)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(
                (mean - shape / rate).abs() < 0.02 * shape / rate + 1e-3,
                "{shape} {rate}: {mean}"
            );
            let want_var = shape / (rate * rate);
            assert!(
                (var - want_var).abs() < 0.05 * want_var,
                "{shape} {rate}: {var} vs {want_var}"
            );
        }
        let bs: Vec<f64> = (0..n).map(|_| rng.beta(0.793, 2.426)).collect();
        let mean = bs.iter().sum::<f64>() / n as f64;
        assert!((mean - 0.793 / (0.793 + 2.426)).abs() < 0.003);
    }

    #[test]
    fn streams_are_reproducible() {
        let mut a = Rng::stream(42, 3);
        let mut b = Rng::stream(42, 3);
        let mut c = Rng::stream(42, 4);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}
