//! Binary classification: evaluation metrics for scores and probabilities, and a penalised
//! logistic-regression baseline. Written for the churn model (scores per customer, label
//! `true` = churned) but nothing here is churn-specific.
//!
//! # Conventions
//!
//! - `scores: &[f64]` rank rows: higher means more likely positive. Only the order matters
//!   for the ranking metrics. A NaN score is the **lowest** score (below `-inf`); NaN scores
//!   tie with each other, and `-0.0` ties with `0.0`. No threshold `t` selects a NaN-scored
//!   row (`NaN >= t` is false), matching the usual `score >= t` rule.
//! - `probs: &[f64]` are predicted probabilities of the positive class and must lie in
//!   `[0, 1]` (NaN is invalid there).
//! - `labels: &[bool]`: `true` = positive. `P` is the number of positives, `N` of negatives,
//!   `n = P + N`.
//! - The metrics never panic on user data: empty input, slices of different lengths, an
//!   absent class where the metric needs it, or invalid probabilities give `None` (or an
//!   empty `Vec` for the curve and bin functions).
//! - Sorting is `O(n log n)` and stable; nothing is quadratic.
//!
//! # Definitions
//!
//! Let `s⁺` range over the scores of positives and `s⁻` over the scores of negatives.
//!
//! ```text
//! ROC AUC   = (Σ_{s⁺, s⁻} [s⁺ > s⁻] + ½ [s⁺ = s⁻]) / (P · N)              (Mann–Whitney U / PN)
//! AP        = Σ_n (R_n − R_{n−1}) · P_n                                     (R_0 = 0)
//!             over the distinct thresholds t_1 > t_2 > …, with P_n, R_n the precision and
//!             recall of {score >= t_n}
//! Brier     = (1/n) Σ (p_i − y_i)²
//! log loss  = −(1/n) Σ [y_i ln p_i + (1 − y_i) ln(1 − p_i)],   p clipped to [1e-15, 1 − 1e-15]
//! precision = TP / (TP + FP),   recall = TP / P,   TPR = TP / P,   FPR = FP / N
//! ```
//!
//! These equal scikit-learn's `roc_auc_score`, `roc_curve(drop_intermediate=False)`,
//! `average_precision_score`, `brier_score_loss`, `log_loss` and
//! `calibration_curve(strategy="uniform")` (checked to 1e-9 in the tests).
//!
//! The logistic model ([`Logistic`]) minimises, on standardised features `z`,
//!
//! ```text
//! L(b, w) = Σ_i [ln(1 + e^{η_i}) − y_i η_i] + (λ/2) ‖w‖²,    η_i = b + Σ_j w_j z_ij
//! ```
//!
//! (scikit-learn's `LogisticRegression(C = 1/λ)` after `SimpleImputer(strategy="mean")` and
//! `StandardScaler()`) by Newton's method; see [`Logistic::fit`].
//!
//! ```
//! use strata_models::classify::{Logistic, LogisticOptions, roc_auc, summarize};
//! let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let y = [false, false, true, false, true, true];
//! let m = Logistic::fit(&[&x], &y, &LogisticOptions::default()).unwrap();
//! let p = m.predict_columns(&[&x]).unwrap();
//! assert!((roc_auc(&p, &y).unwrap() - 8.0 / 9.0).abs() < 1e-12);
//! let s = summarize(&p, &y, Some(&p), 0.5).unwrap();
//! assert_eq!((s.n, s.positives), (6, 3));
//! ```

pub mod logistic;
pub mod metrics;

pub use logistic::{Logistic, LogisticOptions};
pub use metrics::{
    CalibrationBin, Lift, RocPoint, Summary, Threshold, TopShare, average_precision, brier,
    calibration, lift_table, log_loss, roc_auc, roc_curve, summarize, threshold_for_precision,
    top_share,
};

/// Serde for an `f64` that may be infinite or NaN (thresholds): finite values are numbers,
/// the others the strings `"inf"`, `"-inf"` and `"NaN"`, so they survive a JSON round trip
/// (`serde_json` would write them as `null`, which it cannot read back as a number).
/// Needs a self-describing format (JSON, TOML…).
pub(crate) mod any_f64 {
    use std::fmt;

    use serde::{Deserializer, Serializer, de};

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else if v.is_nan() {
            s.serialize_str("NaN")
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        struct AnyF64;
        impl de::Visitor<'_> for AnyF64 {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a number or one of "inf", "-inf", "NaN""#)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                match v {
                    "inf" => Ok(f64::INFINITY),
                    "-inf" => Ok(f64::NEG_INFINITY),
                    "NaN" => Ok(f64::NAN),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(AnyF64)
    }
}
