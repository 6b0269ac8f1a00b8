//! Comparing a treated group with a held-out control: differences of rates and of means with
//! confidence intervals and two-sided p-values, the way a campaign is judged.
//!
//! - **Rates** (conversion, repurchase, visit): [`rate_lift`]. The interval on the difference
//!   is Wald's with unpooled variances, `p₁ − p₀ ± z·√(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)`; the test is
//!   the two-proportion z test with the pooled rate under the null; the interval on the
//!   relative lift `p₁/p₀ − 1` is Katz's log-ratio interval. These are what
//!   `statsmodels.stats.proportion` calls `wald`, `ztest` (pooled) and `log` (risk ratio).
//! - **Means** (revenue per customer): [`mean_lift`], Welch's t with Welch–Satterthwaite
//!   degrees of freedom (`scipy.stats.ttest_ind(equal_var=False)`), from sums so that a
//!   million customers need no second pass.
//! - **Too small to tell**: every result says whether the normal approximation it rests on
//!   holds ([`Caution`]); a holdout of 37 customers gets an interval, and the caution.
//!
//! The distribution functions ([`normal_cdf`], [`normal_quantile`], [`student_t_cdf`],
//! [`student_t_quantile`]) are accurate to about 1e-14 and built on [`crate::special`].

use crate::special::{beta_inc, upper_gamma_scaled};

/// Fewer customers than this in a group, and an interval is flagged as too wide to tell.
pub const MIN_GROUP: u64 = 100;
/// Fewer successes (or failures) than this in a group, and the normal approximation behind a
/// rate's interval is flagged as unreliable (the usual `n·p ≥ 5` rule).
pub const MIN_EVENTS: u64 = 5;

/// The complementary error function `erfc(x) = 2/√π ∫ₓ^∞ e^(−t²) dt`.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x > 27.3 {
        return 0.0;
    }
    // Γ(½, x²) = √π·erfc(x), and upper_gamma_scaled(a, z) = e^z z^(−a) Γ(a, z).
    let z = x * x;
    x * (-z).exp() * upper_gamma_scaled(0.5, z) / std::f64::consts::PI.sqrt()
}

/// The standard normal distribution function `Φ(x)`.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// `Φ⁻¹(p)` for `0 < p < 1` (±∞ at 0 and 1, NaN outside): Acklam's rational approximation,
/// refined by two Halley steps on [`normal_cdf`].
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let mut x = if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    for _ in 0..2 {
        // Work on the smaller tail so that the error is relative, not absolute.
        let e = if x < 0.0 {
            normal_cdf(x) - p
        } else {
            (1.0 - p) - normal_cdf(-x)
        };
        let u = e / normal_pdf(x);
        if !u.is_finite() {
            break;
        }
        x -= u / (1.0 + x * u / 2.0);
    }
    x
}

/// Student's t distribution function with `df > 0` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    if df > 1e7 {
        return normal_cdf(t);
    }
    let lower_tail = 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t));
    if t > 0.0 {
        1.0 - lower_tail
    } else {
        lower_tail
    }
}

/// The two-sided tail `P(|T| ≥ |t|)`, without the cancellation of `1 − cdf`.
fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if df > 1e7 {
        return erfc(t.abs() / std::f64::consts::SQRT_2);
    }
    beta_inc(df / 2.0, 0.5, df / (df + t * t))
}

/// The `p` quantile of Student's t with `df > 0` degrees of freedom (bisection on
/// [`student_t_cdf`] to machine precision, from the normal quantile's bracket).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    // t's quantile is above the normal one; widen until the bracket holds it.
    let mut lo = normal_quantile(p).max(0.0);
    let mut hi = (2.0 * lo).max(1.0);
    while student_t_cdf(hi, df) < p && hi < 1e300 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether the interval holds `x` (an interval around 0 means "no effect shown").
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Why an interval should not be taken at its word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Caution {
    /// A group has fewer than [`MIN_GROUP`] customers: the interval is too wide to tell.
    SmallGroup { group: Group, customers: u64 },
    /// A group has fewer than [`MIN_EVENTS`] successes or failures: the normal approximation
    /// behind the interval does not hold.
    FewEvents { group: Group, events: u64 },
}

/// Which side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Treatment,
    Holdout,
}

impl std::fmt::Display for Caution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Caution::SmallGroup { group, customers } => write!(
                f,
                "{} of {customers} customers: the interval is too wide to tell (at least {MIN_GROUP} needed)",
                group.word()
            ),
            Caution::FewEvents { group, events } => write!(
                f,
                "{} with {events} conversions (or non-conversions): too few for the interval to be trusted (at least {MIN_EVENTS} needed)",
                group.word()
            ),
        }
    }
}

impl Group {
    pub fn word(self) -> &'static str {
        match self {
            Group::Treatment => "treatment",
            Group::Holdout => "holdout",
        }
    }
}

/// Why a comparison could not be made at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InferenceError {
    #[error("the {} group is empty: nothing to compare", .0.word())]
    EmptyGroup(Group),
    #[error("the {} group has {successes} successes out of {customers}; successes cannot exceed customers", group.word())]
    MoreSuccessesThanCustomers {
        group: Group,
        successes: u64,
        customers: u64,
    },
    #[error("confidence is {0}, expected a number between 0 and 1 (like 0.95)")]
    Confidence(f64),
    #[error("the {} group's {what} is {value}, expected a finite number", group.word())]
    NotFinite {
        group: Group,
        what: &'static str,
        value: f64,
    },
}

/// A rate in the treatment group compared with the holdout.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateLift {
    pub treatment: f64,
    pub holdout: f64,
    /// `treatment − holdout`, in rate units (0.0768 is 7.68 points).
    pub difference: f64,
    pub difference_interval: Interval,
    /// `treatment / holdout − 1`; None when the holdout rate is 0.
    pub relative: Option<f64>,
    /// Katz's interval on the relative lift; None when either group has no success.
    pub relative_interval: Option<Interval>,
    /// The pooled two-proportion z statistic and its two-sided p-value.
    pub z: f64,
    pub p_value: f64,
    pub cautions: Vec<Caution>,
}

/// Compares `successes / customers` in the treatment group with the holdout at `confidence`
/// (0.95 for a 95% interval).
pub fn rate_lift(
    treatment: (u64, u64),
    holdout: (u64, u64),
    confidence: f64,
) -> Result<RateLift, InferenceError> {
    let z_crit = critical_z(confidence)?;
    for (group, (x, n)) in [(Group::Treatment, treatment), (Group::Holdout, holdout)] {
        if n == 0 {
            return Err(InferenceError::EmptyGroup(group));
        }
        if x > n {
            return Err(InferenceError::MoreSuccessesThanCustomers {
                group,
                successes: x,
                customers: n,
            });
        }
    }
    let (x1, n1) = (treatment.0 as f64, treatment.1 as f64);
    let (x0, n0) = (holdout.0 as f64, holdout.1 as f64);
    let (p1, p0) = (x1 / n1, x0 / n0);
    let difference = p1 - p0;
    let se = (p1 * (1.0 - p1) / n1 + p0 * (1.0 - p0) / n0).sqrt();
    let difference_interval = Interval {
        low: difference - z_crit * se,
        high: difference + z_crit * se,
    };
    let pooled = (x1 + x0) / (n1 + n0);
    let se0 = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0)).sqrt();
    let (z, p_value) = if se0 > 0.0 {
        let z = difference / se0;
        (z, erfc(z.abs() / std::f64::consts::SQRT_2))
    } else {
        (0.0, 1.0)
    };
    let relative = (p0 > 0.0).then(|| p1 / p0 - 1.0);
    let relative_interval = (x1 > 0.0 && x0 > 0.0).then(|| {
        let log_ratio = (p1 / p0).ln();
        let se_log = ((1.0 - p1) / x1 + (1.0 - p0) / x0).sqrt();
        Interval {
            low: (log_ratio - z_crit * se_log).exp() - 1.0,
            high: (log_ratio + z_crit * se_log).exp() - 1.0,
        }
    });
    let mut cautions = size_cautions(treatment.1, holdout.1);
    for (group, (x, n)) in [(Group::Treatment, treatment), (Group::Holdout, holdout)] {
        let events = x.min(n - x);
        if n >= MIN_GROUP && events < MIN_EVENTS {
            cautions.push(Caution::FewEvents { group, events });
        }
    }
    Ok(RateLift {
        treatment: p1,
        holdout: p0,
        difference,
        difference_interval,
        relative,
        relative_interval,
        z,
        p_value,
        cautions,
    })
}

/// Sums of a per-customer value over a group: enough for its mean and variance in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    pub count: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    pub fn of(values: impl IntoIterator<Item = f64>) -> Moments {
        let mut m = Moments::default();
        for v in values {
            m.push(v);
        }
        m
    }

    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    /// The sample variance (divided by `count − 1`); 0 for fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            return 0.0;
        }
        let n = self.count as f64;
        ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
    }
}

/// A mean in the treatment group compared with the holdout.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeanLift {
    pub treatment: f64,
    pub holdout: f64,
    pub difference: f64,
    pub difference_interval: Interval,
    /// `treatment / holdout − 1`; None when the holdout mean is 0.
    pub relative: Option<f64>,
    /// Welch's t, its Welch–Satterthwaite degrees of freedom and two-sided p-value.
    pub t: f64,
    pub df: f64,
    pub p_value: f64,
    pub cautions: Vec<Caution>,
}

/// Compares the mean of a value (revenue per customer) in the treatment group with the
/// holdout by Welch's t at `confidence`.
pub fn mean_lift(
    treatment: Moments,
    holdout: Moments,
    confidence: f64,
) -> Result<MeanLift, InferenceError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(InferenceError::Confidence(confidence));
    }
    for (group, m) in [(Group::Treatment, treatment), (Group::Holdout, holdout)] {
        if m.count == 0 {
            return Err(InferenceError::EmptyGroup(group));
        }
        for (what, value) in [("sum", m.sum), ("sum of squares", m.sum_sq)] {
            if !value.is_finite() {
                return Err(InferenceError::NotFinite { group, what, value });
            }
        }
    }
    let (m1, m0) = (treatment.mean(), holdout.mean());
    let (n1, n0) = (treatment.count as f64, holdout.count as f64);
    let (a, b) = (treatment.variance() / n1, holdout.variance() / n0);
    let se = (a + b).sqrt();
    let difference = m1 - m0;
    // Welch–Satterthwaite; a group of one contributes no variance and no degrees of freedom.
    let denominator = if n1 > 1.0 { a * a / (n1 - 1.0) } else { 0.0 }
        + if n0 > 1.0 { b * b / (n0 - 1.0) } else { 0.0 };
    let df = if denominator > 0.0 {
        (a + b) * (a + b) / denominator
    } else {
        (n1 + n0 - 2.0).max(1.0)
    };
    let (t, p_value, half) = if se > 0.0 {
        let t = difference / se;
        let q = student_t_quantile(0.5 + confidence / 2.0, df);
        (t, student_t_two_sided(t, df), q * se)
    } else {
        (0.0, if difference == 0.0 { 1.0 } else { 0.0 }, 0.0)
    };
    Ok(MeanLift {
        treatment: m1,
        holdout: m0,
        difference,
        difference_interval: Interval {
            low: difference - half,
            high: difference + half,
        },
        relative: (m0 != 0.0).then(|| m1 / m0 - 1.0),
        t,
        df,
        p_value,
        cautions: size_cautions(treatment.count, holdout.count),
    })
}

fn critical_z(confidence: f64) -> Result<f64, InferenceError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(InferenceError::Confidence(confidence));
    }
    Ok(normal_quantile(0.5 + confidence / 2.0))
}

fn size_cautions(treatment: u64, holdout: u64) -> Vec<Caution> {
    [(Group::Treatment, treatment), (Group::Holdout, holdout)]
        .into_iter()
        .filter(|&(_, n)| n < MIN_GROUP)
        .map(|(group, customers)| Caution::SmallGroup { group, customers })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn distribution_functions_match_published_values() {
        // scipy.stats.norm and scipy.special.erfc (SciPy 1.16).
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-14));
        assert!(close(normal_cdf(-3.0), 1.349_898_031_630_094_5e-3, 1e-12));
        assert!(close(normal_cdf(-10.0), 7.619_853_024_160_47e-24, 1e-10));
        assert!(close(erfc(0.5), 0.479_500_122_186_953_5, 1e-13));
        assert!(close(erfc(3.0), 2.209_049_699_858_544e-5, 1e-12));
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-14));
        assert!(close(
            normal_quantile(0.995),
            2.575_829_303_548_900_4,
            1e-14
        ));
        assert!(close(normal_quantile(1e-10), -6.361_340_902_404_056, 1e-12));
        assert_eq!(normal_quantile(0.5), 0.0);
        // scipy.stats.t.ppf / cdf.
        assert!(close(
            student_t_quantile(0.975, 10.0),
            2.228_138_851_986_274,
            1e-12
        ));
        assert!(close(
            student_t_quantile(0.975, 1.0),
            12.706_204_736_174_694,
            1e-12
        ));
        assert!(close(
            student_t_quantile(0.025, 30.0),
            -2.042_272_456_301_238,
            1e-12
        ));
        assert!(close(
            student_t_cdf(2.0, 5.0),
            0.949_030_260_585_070_6,
            1e-13
        ));
        assert!(close(
            student_t_cdf(-1.5, 3.5),
            0.108_909_093_507_672_51,
            1e-12
        ));
    }

    #[test]
    fn a_hand_worked_rate_comparison() {
        // 60 of 400 against 30 of 400: p₁ = 0.15, p₀ = 0.075, se = √(0.15·0.85/400 +
        // 0.075·0.925/400) = 0.0220794…, pooled 0.1125, se₀ = √(0.1125·0.8875·2/400) = 0.022343…
        let r = rate_lift((60, 400), (30, 400), 0.95).unwrap();
        assert!(close(r.difference, 0.075, 1e-12));
        let se = (0.15f64 * 0.85 / 400.0 + 0.075 * 0.925 / 400.0).sqrt();
        assert!(close(
            r.difference_interval.low,
            0.075 - 1.959_963_984_540_054 * se,
            1e-12
        ));
        let se0 = (0.1125f64 * 0.8875 * 2.0 / 400.0).sqrt();
        assert!(close(r.z, 0.075 / se0, 1e-12));
        assert!(close(r.relative.unwrap(), 1.0, 1e-12));
        assert!(r.cautions.is_empty());
        assert!(!r.difference_interval.contains(0.0));
    }

    #[test]
    fn small_groups_and_rare_events_are_flagged_not_hidden() {
        let r = rate_lift((3, 37), (40, 2000), 0.95).unwrap();
        assert_eq!(
            r.cautions,
            vec![Caution::SmallGroup {
                group: Group::Treatment,
                customers: 37
            }]
        );
        assert!(r.cautions[0].to_string().contains("too wide to tell"));
        let r = rate_lift((2, 500), (9, 500), 0.95).unwrap();
        assert_eq!(
            r.cautions,
            vec![Caution::FewEvents {
                group: Group::Treatment,
                events: 2
            }]
        );
        let r = rate_lift((0, 500), (0, 500), 0.95).unwrap();
        assert_eq!((r.z, r.p_value, r.relative), (0.0, 1.0, None));
        assert!(r.relative_interval.is_none());
    }

    #[test]
    fn bad_input_is_an_error_that_says_what() {
        let e = rate_lift((5, 0), (1, 10), 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the treatment group is empty: nothing to compare"
        );
        let e = rate_lift((5, 10), (11, 10), 0.95).unwrap_err();
        assert!(
            e.to_string()
                .contains("holdout group has 11 successes out of 10")
        );
        let e = rate_lift((5, 10), (1, 10), 95.0).unwrap_err();
        assert!(e.to_string().contains("confidence is 95"));
        let e = mean_lift(Moments::of([1.0, f64::NAN]), Moments::of([1.0]), 0.95).unwrap_err();
        assert!(e.to_string().contains("treatment group's sum is NaN"));
    }

    #[test]
    fn welch_matches_a_hand_worked_case() {
        // Means 3.5 and 3.6, variances 3.5 and 9.3; worked by hand from Welch's formulas.
        let a = Moments::of([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = Moments::of([2.0, 2.0, 2.0, 3.0, 9.0]);
        let m = mean_lift(a, b, 0.95).unwrap();
        assert!(close(a.variance(), 3.5, 1e-12));
        assert!(close(b.variance(), 9.3, 1e-12));
        let (va, vb) = (3.5 / 6.0, 9.3 / 5.0);
        let df = (va + vb) * (va + vb) / (va * va / 5.0 + vb * vb / 4.0);
        assert!(close(m.df, df, 1e-12));
        assert!(close(m.t, -0.1 / (va + vb).sqrt(), 1e-12));
        let q = student_t_quantile(0.975, df);
        assert!(close(
            m.difference_interval.high,
            -0.1 + q * (va + vb).sqrt(),
            1e-12
        ));
        // scipy.stats.ttest_ind([1,2,3,4,5,6], [2,2,2,3,9], equal_var=False).
        assert!(close(m.t, -0.063_974_756_276_635, 1e-12));
        assert!(close(m.df, 6.398_887_644_999_165, 1e-12));
        assert!(close(m.p_value, 0.950_942_441_413_999_2, 1e-12));
        assert!(close(
            m.difference_interval.low,
            -3.867_749_731_146_158_6,
            1e-12
        ));
        assert_eq!(m.cautions.len(), 2);
    }

    /// The Hillstrom e-mail experiment's arms (`../shared/data/hillstrom`), each e-mail against
    /// no e-mail, checked against statsmodels 0.14 (`confint_proportions_2indep` with
    /// `method="wald"` and `"log"`, `proportions_ztest`) and `scipy.stats.ttest_ind`
    /// (`equal_var=False`) on the file. The campaign tests run the same from the file itself.
    #[test]
    fn hillstrom_arms_match_statsmodels_and_scipy() {
        let no_email = 21_306;
        // (visits, conversions, spend sum, spend sum of squares) per arm.
        let mens = (3_894, 267, 30_311.69, 6_759_024.497_3);
        let womens = (3_238, 189, 23_038.11, 4_911_446.576_3);
        let control = (2_262, 122, 13_908.33, 2_870_050.362_1);
        struct Want {
            diff: (f64, f64),
            ratio: (f64, f64),
            z: f64,
            p: f64,
        }
        let check = |what: &str, r: RateLift, w: Want| {
            let i = r.difference_interval;
            let rel = r.relative_interval.unwrap();
            for (name, got, want) in [
                ("low", i.low, w.diff.0),
                ("high", i.high, w.diff.1),
                ("ratio low", rel.low, w.ratio.0),
                ("ratio high", rel.high, w.ratio.1),
                ("z", r.z, w.z),
                ("p", r.p_value, w.p),
            ] {
                assert!(
                    close(got, want, 1e-9),
                    "{what} {name}: {got} against {want}"
                );
            }
        };
        let visit = rate_lift((mens.0, 21_307), (control.0, no_email), 0.95).unwrap();
        assert!(close(visit.treatment, 0.182_756_840_474_961_27, 1e-14));
        assert!(close(visit.holdout, 0.106_167_276_823_430_02, 1e-14));
        check(
            "mens visit",
            visit,
            Want {
                diff: (0.069_953_501_218_108_38, 0.083_225_626_084_954_11),
                ratio: (0.640_384_888_480_000_1, 0.806_425_964_714_953),
                z: 22.486_040_827_192_82,
                p: 5.685_165_482_802_317e-112,
            },
        );
        check(
            "mens conversion",
            rate_lift((mens.1, 21_307), (control.1, no_email), 0.95).unwrap(),
            Want {
                diff: (0.005_000_171_380_452_312, 0.008_609_841_658_779_076),
                ratio: (0.767_984_078_010_420_6, 1.708_842_442_743_053),
                z: 7.385_114_410_925_771,
                p: 1.523_223_500_595_542_7e-13,
            },
        );
        check(
            "womens conversion",
            rate_lift((womens.1, 21_387), (control.1, no_email), 0.95).unwrap(),
            Want {
                diff: (0.001_498_677_821_402_234_3, 0.004_723_437_200_768_281),
                ratio: (0.230_105_219_526_297_14, 0.936_269_445_118_094_4),
                z: 3.779_560_958_357_85,
                p: 0.000_157_105_129_106_684_48,
            },
        );
        let moments = |n: u64, (_, _, sum, sum_sq): (u64, u64, f64, f64)| Moments {
            count: n,
            sum,
            sum_sq,
        };
        let spend = mean_lift(moments(21_307, mens), moments(no_email, control), 0.95).unwrap();
        assert!(close(spend.treatment, 1.422_616_511_005_773, 1e-12));
        assert!(close(spend.holdout, 0.652_789_355_111_236_1, 1e-12));
        for (name, got, want) in [
            ("t", spend.t, 5.300_140_358_411_669),
            ("df", spend.df, 36_671.157_977_360_51),
            ("p", spend.p_value, 1.163_814_968_225_482e-7),
            (
                "low",
                spend.difference_interval.low,
                0.485_139_732_568_407_6,
            ),
            (
                "high",
                spend.difference_interval.high,
                1.054_514_579_220_665_8,
            ),
        ] {
            // Sums of squares lose a few digits against scipy's two-pass variance.
            assert!(
                close(got, want, 1e-8),
                "mens spend {name}: {got} against {want}"
            );
        }
        let spend = mean_lift(moments(21_387, womens), moments(no_email, control), 0.95).unwrap();
        assert!(close(spend.t, 3.256_371_576_025_392, 1e-8));
        assert!(close(spend.df, 40_064.884_406_530_67, 1e-8));
        assert!(close(spend.p_value, 0.001_129_397_102_363_249_5, 1e-8));
    }
}
