//! A saved model applied at a date: probability, tier, signals and three reasons per customer.

use std::sync::Arc;
use strata_charts::Lang;

use arrow::array::{ArrayRef, BooleanBuilder, Float64Builder, RecordBatch, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::SessionContext;
use strata_features::Profile;

use crate::RiskTier;
use crate::features::{self, FeatureSet, Group, SIGNALS};
use crate::reasons;
use crate::train::ChurnModel;
use crate::{ChurnError, Result};

/// Scores of every buyer at one date. Customers outside the early-warning population (no order
/// within `population_days`) have no score.
#[derive(Debug, Clone)]
pub struct Scores {
    pub fs: FeatureSet,
    /// Churn probability per row of `fs` (NaN outside the population).
    pub risk: Vec<f64>,
    pub tier: Vec<Option<RiskTier>>,
    /// Up to three reason groups per row, strongest first, with their log-odds contribution.
    pub reasons: Vec<Vec<(Group, f64)>>,
}

impl Scores {
    pub fn reasons_text(&self, model: &ChurnModel, row: usize, lang: Lang) -> String {
        self.reasons[row]
            .iter()
            .map(|(g, _)| reasons::describe(*g, &self.fs, row, &model.config.signals, lang))
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "；" } else { "; " })
    }

    pub fn scored(&self) -> usize {
        self.risk.iter().filter(|r| r.is_finite()).count()
    }
}

/// Scores the buyers of `profile` (a customer table computed with the model's settings).
pub async fn score(ctx: &SessionContext, model: &ChurnModel, profile: &Profile) -> Result<Scores> {
    let cfg = &model.config;
    let fs = features::build(
        ctx,
        profile,
        &cfg.signals,
        cfg.population_days,
        cfg.winback.margin,
    )
    .await?;
    for source in &model.training.sources {
        if !fs.has(*source) {
            tracing::warn!(
                "the model was trained with {source:?} data, which the workspace has no longer before {}; those features are missing",
                fs.as_of
            );
        }
    }
    score_features(model, fs)
}

/// Scores an already built feature set.
pub fn score_features(model: &ChurnModel, fs: FeatureSet) -> Result<Scores> {
    let rows = fs.population();
    let n = fs.len();
    let mut risk = vec![f64::NAN; n];
    let mut tier = vec![None; n];
    let mut reasons = vec![Vec::new(); n];
    let (probs, mut top) = match model.fitted.contributions {
        crate::config::Contributions::Path => crate::model::score_paths(&model.fitted, &fs, &rows)?,
        crate::config::Contributions::Shapley => {
            let (probs, contribs) = model.fitted.explain(&fs, &rows)?;
            let k = model.fitted.features.len();
            let top = (0..rows.len())
                .map(|j| {
                    let groups = model
                        .fitted
                        .group_contributions(&contribs[j * k..(j + 1) * k]);
                    reasons::top_three(&groups, |g| reasons::known(g, &fs, rows[j]))
                })
                .collect();
            (probs, top)
        }
    };
    for (j, &r) in rows.iter().enumerate() {
        let p = probs[j];
        if !p.is_finite() {
            return Err(ChurnError::internal(format!(
                "the model gave no probability for customer {}",
                fs.ids[r]
            )));
        }
        risk[r] = p;
        tier[r] = Some(model.tiers.of(p));
        reasons[r] = std::mem::take(&mut top[j]);
    }
    Ok(Scores {
        fs,
        risk,
        tier,
        reasons,
    })
}

/// The churn columns of the customer table, one row per row of `profile_rows` total rows
/// (`total`), null for customers without a score.
pub fn profile_columns(
    model: &ChurnModel,
    scores: &Scores,
    total: usize,
) -> Vec<(Field, ArrayRef)> {
    let fs = &scores.fs;
    let mut at = vec![None; total];
    for (i, &r) in fs.profile_rows.iter().enumerate() {
        at[r] = Some(i);
    }
    let mut risk = Float64Builder::with_capacity(total);
    let mut tier = StringBuilder::new();
    let mut zh = StringBuilder::new();
    let mut en = StringBuilder::new();
    let mut value = Float64Builder::with_capacity(total);
    let mut flags: Vec<BooleanBuilder> = SIGNALS.iter().map(|_| BooleanBuilder::new()).collect();
    for slot in &at {
        match slot {
            Some(i) if scores.risk[*i].is_finite() => {
                risk.append_value(scores.risk[*i]);
                tier.append_option(scores.tier[*i].map(RiskTier::as_str));
                zh.append_value(scores.reasons_text(model, *i, Lang::Zh));
                en.append_value(scores.reasons_text(model, *i, Lang::En));
            }
            _ => {
                risk.append_null();
                tier.append_null();
                zh.append_null();
                en.append_null();
            }
        }
        match slot {
            Some(i) => {
                value.append_value(fs.context.value_if_retained[*i]);
                for (b, s) in flags.iter_mut().zip(SIGNALS) {
                    if fs.has(s.source()) {
                        b.append_value(fs.signal(s)[*i]);
                    } else {
                        b.append_null();
                    }
                }
            }
            None => {
                value.append_null();
                for b in &mut flags {
                    b.append_null();
                }
            }
        }
    }
    let mut out: Vec<(Field, ArrayRef)> = vec![
        (
            Field::new("churn_risk", DataType::Float64, true),
            Arc::new(risk.finish()),
        ),
        (
            Field::new("risk_tier", DataType::Utf8, true),
            Arc::new(tier.finish()),
        ),
        (
            Field::new("churn_reasons", DataType::Utf8, true),
            Arc::new(zh.finish()),
        ),
        (
            Field::new("churn_reasons_en", DataType::Utf8, true),
            Arc::new(en.finish()),
        ),
        (
            Field::new("value_if_retained", DataType::Float64, true),
            Arc::new(value.finish()),
        ),
    ];
    for (b, s) in flags.iter_mut().zip(SIGNALS) {
        out.push((
            Field::new(s.key(), DataType::Boolean, true),
            Arc::new(b.finish()),
        ));
    }
    out
}

/// `batch` with the churn columns appended (schema metadata kept).
/// The schema-metadata key of the customer table naming the churn model that scored it.
pub const MODEL_META_KEY: &str = "strata.churn_model";

/// The version of the churn model whose columns a customer table carries, if any.
pub fn scored_with(schema: &arrow::datatypes::Schema) -> Option<&str> {
    schema.metadata().get(MODEL_META_KEY).map(String::as_str)
}

pub fn append_columns(
    batch: &RecordBatch,
    columns: Vec<(Field, ArrayRef)>,
    model_version: &str,
) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
    for (f, a) in columns {
        fields.push(f);
        arrays.push(a);
    }
    let mut metadata = schema.metadata().clone();
    metadata.insert(MODEL_META_KEY.into(), model_version.into());
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    Ok(RecordBatch::try_new(schema, arrays)?)
}

/// Names and meanings of the columns [`profile_columns`] adds, for the data-model document.
pub fn column_docs() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut v = vec![
        (
            "churn_risk",
            "Float64",
            "Probability of no purchase in the model's horizon (gradient-boosted trees); buyers within the early-warning population only.",
        ),
        (
            "risk_tier",
            "Utf8",
            "high, medium or low. High from the lowest churn_risk at which the evaluation customers scored at or above it churned at 90% or more taken together (the cumulative churn rate above the cut), medium at 75% (churn.tiers); a tier is not a probability band: a high-risk customer's own churn_risk may be well below 0.9.",
        ),
        (
            "churn_reasons",
            "Utf8",
            "The three reasons that raised the risk most, in Chinese, from the model's per-feature contributions.",
        ),
        ("churn_reasons_en", "Utf8", "The same reasons in English."),
        (
            "value_if_retained",
            "Float64",
            "Margin-weighted value of the next 12 months if the customer stays: clv_12m / p_alive, else spend_12m × margin.",
        ),
    ];
    for s in SIGNALS {
        v.push((s.key(), "Boolean", s.doc()));
    }
    v
}
