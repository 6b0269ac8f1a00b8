//! The churn model: gradient-boosted trees (forust-ml) with a logistic-regression baseline,
//! fitted on features as of one or more cutoffs and labelled by the purchases of the horizon
//! after each.

use forust_ml::Matrix;
use forust_ml::gradientbooster::{ContributionsMethod, GradientBooster};
use forust_ml::objective::ObjectiveType;
use serde::{Deserialize, Serialize};
use strata_models::classify::{Logistic, LogisticOptions};

use crate::config::{ChurnConfig, Contributions};
use crate::features::{FEATURES, FeatureSet, Group, feature_index};
use crate::{ChurnError, Result};

/// The fitted models and the features they read, by name.
#[derive(Serialize, Deserialize)]
pub struct Fitted {
    pub features: Vec<String>,
    pub booster: GradientBooster,
    pub logistic: Logistic,
    pub trees: usize,
    pub contributions: Contributions,
}

impl std::fmt::Debug for Fitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fitted")
            .field("features", &self.features)
            .field("trees", &self.trees)
            .finish_non_exhaustive()
    }
}

/// Column-major matrix of the named features over `rows` of `fs`.
pub fn matrix(fs: &FeatureSet, features: &[String], rows: &[usize]) -> Result<Vec<f64>> {
    stacked(&[(fs, rows)], features)
}

/// Column-major matrix of the named features over the rows of several feature sets, one after
/// the other.
pub fn stacked(parts: &[(&FeatureSet, &[usize])], features: &[String]) -> Result<Vec<f64>> {
    let n: usize = parts.iter().map(|(_, r)| r.len()).sum();
    let mut data = Vec::with_capacity(features.len() * n);
    for name in features {
        let i = feature_index(name).ok_or_else(|| {
            ChurnError::Model(format!(
                "the saved model uses feature `{name}`, which this version of strata does not compute; train the model again"
            ))
        })?;
        for (fs, rows) in parts {
            let col = &fs.columns[i];
            data.extend(rows.iter().map(|&r| col[r]));
        }
    }
    Ok(data)
}

/// Features whose source has data in `fs`.
pub fn usable_features(fs: &FeatureSet) -> Vec<String> {
    FEATURES
        .iter()
        .filter(|f| fs.has(f.source))
        .map(|f| f.name.to_string())
        .collect()
}

/// Fits both models on `rows` of `fs` with churn labels `churned` (one per row).
pub fn fit(
    fs: &FeatureSet,
    features: &[String],
    rows: &[usize],
    churned: &[bool],
    cfg: &ChurnConfig,
) -> Result<Fitted> {
    fit_stacked(&[(fs, rows)], features, churned, cfg)
}

/// Fits both models on the rows of several feature sets (one per training cutoff), with one
/// churn label per row in the same order.
pub fn fit_stacked(
    parts: &[(&FeatureSet, &[usize])],
    features: &[String],
    churned: &[bool],
    cfg: &ChurnConfig,
) -> Result<Fitted> {
    let n: usize = parts.iter().map(|(_, r)| r.len()).sum();
    if n != churned.len() {
        return Err(ChurnError::internal("one label per training row"));
    }
    let positives = churned.iter().filter(|&&c| c).count();
    if positives == 0 || positives == churned.len() {
        return Err(ChurnError::NoData(format!(
            "all {} training customers {} in the horizon; the model needs both churners and buyers (try another --cutoff or --horizon)",
            churned.len(),
            if positives == 0 {
                "bought again"
            } else {
                "churned"
            }
        )));
    }
    let data = stacked(parts, features)?;
    let m = Matrix::new(&data, n, features.len());
    let y: Vec<f64> = churned.iter().map(|&c| f64::from(u8::from(c))).collect();
    let mut booster = GradientBooster::default()
        .set_objective_type(ObjectiveType::LogLoss)
        .set_iterations(cfg.trees)
        .set_learning_rate(cfg.learning_rate)
        .set_max_depth(cfg.max_depth)
        .set_min_leaf_weight(cfg.min_leaf_weight)
        .set_initialize_base_score(true);
    booster
        .fit_unweighted(&m, &y, None)
        .map_err(|e| ChurnError::Model(format!("gradient-boosted trees: {e}")))?;
    let trees = booster.trees.len();
    let cols: Vec<&[f64]> = data.chunks(n.max(1)).collect();
    let logistic = Logistic::fit(
        &cols,
        churned,
        &LogisticOptions {
            l2: cfg.logistic_l2,
            ..LogisticOptions::default()
        },
    )?;
    Ok(Fitted {
        features: features.to_vec(),
        booster,
        logistic,
        trees,
        contributions: cfg.contributions,
    })
}

/// Scores of some rows: churn probability from the trees and from the baseline.
#[derive(Debug, Clone)]
pub struct Predictions {
    pub gbt: Vec<f64>,
    pub logistic: Vec<f64>,
}

impl Fitted {
    pub fn predict(&self, fs: &FeatureSet, rows: &[usize]) -> Result<Predictions> {
        let data = matrix(fs, &self.features, rows)?;
        let m = Matrix::new(&data, rows.len(), self.features.len());
        let gbt = self
            .booster
            .predict(&m, true)
            .into_iter()
            .map(sigmoid)
            .collect();
        let cols: Vec<&[f64]> = data.chunks(rows.len().max(1)).collect();
        let logistic = if rows.is_empty() {
            Vec::new()
        } else {
            self.logistic.predict_columns(&cols)?
        };
        Ok(Predictions { gbt, logistic })
    }

    /// Churn probabilities and the per-feature contributions to their log-odds, row-major, one
    /// per feature; with the bias they add up to the log-odds exactly. Path contributions give
    /// each split on the customer's path the change in the node's mean prediction it makes;
    /// Shapley ones are exact tree SHAP values.
    pub fn explain(&self, fs: &FeatureSet, rows: &[usize]) -> Result<(Vec<f64>, Vec<f64>)> {
        let data = matrix(fs, &self.features, rows)?;
        let m = Matrix::new(&data, rows.len(), self.features.len());
        let method = match self.contributions {
            Contributions::Path => ContributionsMethod::Average,
            Contributions::Shapley => ContributionsMethod::Shapley,
        };
        let contribs = self.booster.predict_contributions(&m, method, true);
        let k = self.features.len() + 1;
        let mut probs = Vec::with_capacity(rows.len());
        let mut out = Vec::with_capacity(rows.len() * self.features.len());
        for row in contribs.chunks(k) {
            let logit: f64 = row.iter().sum();
            probs.push(sigmoid(logit));
            out.extend_from_slice(&row[..k - 1]);
        }
        Ok((probs, out))
    }

    /// Contributions summed by reason group, for one row of [`Fitted::explain`]'s output.
    pub fn group_contributions(&self, contribs: &[f64]) -> Vec<(Group, f64)> {
        let mut groups: Vec<(Group, f64)> = Vec::new();
        for (name, c) in self.features.iter().zip(contribs) {
            let g = FEATURES[feature_index(name).expect("checked in matrix")].group;
            match groups.iter_mut().find(|(x, _)| *x == g) {
                Some((_, sum)) => *sum += c,
                None => groups.push((g, *c)),
            }
        }
        groups
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
