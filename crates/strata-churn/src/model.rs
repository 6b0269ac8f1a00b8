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
use crate::reasons;
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
            "all {} training customers {} in the horizon; the model needs both churners and buyers (try another cutoff or horizon)",
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

/// The (at most) three reason groups of one customer, strongest first, with their log-odds.
pub type Reasons = Vec<(Group, f64)>;

/// One tree node, flattened for scoring: children by index, the feature as a column of the
/// feature set, and the node's mean prediction (hessian-weighted mean of its leaves).
#[derive(Debug, Clone, Copy)]
struct Flat {
    column: usize,
    split: f64,
    left: u32,
    right: u32,
    missing: u32,
    leaf: bool,
    value: f64,
    mean: f64,
}

/// Scores with path contributions summed by reason group, computed in one walk per tree without
/// materialising a rows × features matrix. Returns the probability and the (at most) three groups
/// that raised the risk most, per row of `rows`.
pub(crate) fn score_paths(
    fitted: &Fitted,
    fs: &FeatureSet,
    rows: &[usize],
) -> Result<(Vec<f64>, Vec<Reasons>)> {
    let columns: Vec<usize> = fitted
        .features
        .iter()
        .map(|name| {
            feature_index(name).ok_or_else(|| {
                ChurnError::Model(format!(
                    "the saved model uses feature `{name}`, which this version of strata does not compute; train the model again"
                ))
            })
        })
        .collect::<Result<_>>()?;
    let groups: Vec<Group> = columns.iter().map(|&c| FEATURES[c].group).collect();
    let mut group_list: Vec<Group> = Vec::new();
    for g in &groups {
        if !group_list.contains(g) {
            group_list.push(*g);
        }
    }
    let group_of: Vec<usize> = groups
        .iter()
        .map(|g| group_list.iter().position(|x| x == g).expect("listed"))
        .collect();
    let trees: Vec<Vec<Flat>> = fitted
        .booster
        .trees
        .iter()
        .map(|t| {
            let means = t.distribute_leaf_weights();
            t.nodes
                .iter()
                .zip(&means)
                .map(|(n, &mean)| Flat {
                    column: if n.is_leaf {
                        0
                    } else {
                        columns[n.split_feature]
                    },
                    split: n.split_value,
                    left: n.left_child as u32,
                    right: n.right_child as u32,
                    missing: n.missing_node as u32,
                    leaf: n.is_leaf,
                    value: f64::from(n.weight_value),
                    mean,
                })
                .collect()
        })
        .collect();
    let feature_group: Vec<Option<usize>> = (0..FEATURES.len())
        .map(|c| columns.iter().position(|&x| x == c).map(|j| group_of[j]))
        .collect();
    let base = fitted.booster.base_score;
    let score_row = |r: usize, sums: &mut Vec<f64>| -> (f64, Reasons) {
        sums.iter_mut().for_each(|s| *s = 0.0);
        let mut logit = base;
        for tree in &trees {
            let mut i = 0usize;
            loop {
                let node = &tree[i];
                if node.leaf {
                    logit += node.value;
                    break;
                }
                let v = fs.columns[node.column][r];
                let child = if v.is_nan() {
                    node.missing
                } else if v < node.split {
                    node.left
                } else {
                    node.right
                } as usize;
                if let Some(g) = feature_group[node.column] {
                    sums[g] += tree[child].mean - node.mean;
                }
                i = child;
            }
        }
        let by_group: Vec<(Group, f64)> = group_list
            .iter()
            .copied()
            .zip(sums.iter().copied())
            .collect();
        let top = reasons::top_three(&by_group, |g| reasons::known(g, fs, r));
        (1.0 / (1.0 + (-logit).exp()), top)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16);
    let chunk = rows.len().div_ceil(threads).max(1);
    let mut probs = vec![0.0; rows.len()];
    let mut top = vec![Vec::new(); rows.len()];
    std::thread::scope(|s| {
        for ((rows, probs), top) in rows
            .chunks(chunk)
            .zip(probs.chunks_mut(chunk))
            .zip(top.chunks_mut(chunk))
        {
            let score_row = &score_row;
            let k = group_list.len();
            s.spawn(move || {
                let mut sums = vec![0.0; k];
                for ((&r, p), t) in rows.iter().zip(probs).zip(top) {
                    let (prob, reasons) = score_row(r, &mut sums);
                    *p = prob;
                    *t = reasons;
                }
            });
        }
    });
    Ok((probs, top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{Context, SIGNALS, Source};

    /// A feature set of `n` rows with pseudo-random values, a third of them missing in some
    /// columns, and labels that depend on two features.
    fn synthetic(n: usize) -> (FeatureSet, Vec<bool>) {
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let columns: Vec<Vec<f64>> = (0..FEATURES.len())
            .map(|j| {
                (0..n)
                    .map(|i| {
                        if j % 4 == 1 && i % 3 == 0 {
                            f64::NAN
                        } else {
                            next() * 100.0
                        }
                    })
                    .collect()
            })
            .collect();
        let labels = (0..n)
            .map(|i| {
                let z =
                    (columns[0][i] - 50.0) / 10.0 + if columns[1][i].is_nan() { 1.0 } else { -0.5 };
                next() < 1.0 / (1.0 + (-z).exp())
            })
            .collect();
        let fs = FeatureSet {
            end_us: 0,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ids: (0..n).map(|i| format!("C{i}")).collect(),
            profile_rows: (0..n).collect(),
            in_population: vec![true; n],
            columns,
            sources: vec![
                Source::Orders,
                Source::Value,
                Source::Events,
                Source::Reviews,
            ],
            signals: vec![vec![false; n]; SIGNALS.len()],
            context: Context {
                value_if_retained: vec![0.0; n],
                ..Context::default()
            },
        };
        (fs, labels)
    }

    #[test]
    fn the_fast_path_walk_matches_the_library_contributions() {
        let (fs, labels) = synthetic(2_000);
        let rows: Vec<usize> = (0..fs.len()).collect();
        let feats = usable_features(&fs);
        let fitted = fit(&fs, &feats, &rows, &labels, &ChurnConfig::default()).unwrap();
        let (probs, top) = score_paths(&fitted, &fs, &rows).unwrap();
        let (lib_probs, contribs) = fitted.explain(&fs, &rows).unwrap();
        let predicted = fitted.predict(&fs, &rows).unwrap().gbt;
        let k = fitted.features.len();
        for j in 0..rows.len() {
            assert!((probs[j] - lib_probs[j]).abs() < 1e-9, "row {j}");
            assert!((probs[j] - predicted[j]).abs() < 1e-9, "row {j}");
            let groups = fitted.group_contributions(&contribs[j * k..(j + 1) * k]);
            let lib_top = reasons::top_three(&groups, |g| reasons::known(g, &fs, rows[j]));
            assert_eq!(top[j].len(), lib_top.len(), "row {j}");
            for (a, b) in top[j].iter().zip(&lib_top) {
                assert_eq!(a.0, b.0, "row {j}");
                assert!((a.1 - b.1).abs() < 1e-9, "row {j}");
            }
        }
        // The model learnt something: the churners score higher on average.
        let mean = |flag: bool| {
            let v: Vec<f64> = (0..rows.len())
                .filter(|&i| labels[i] == flag)
                .map(|i| probs[i])
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(mean(true) > mean(false) + 0.1);
    }
}
