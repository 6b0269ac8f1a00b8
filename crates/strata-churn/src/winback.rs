//! The prioritised win-back list: for each customer at risk, the playbook of their value band and
//! the expected value saved = churn probability × value if retained × save rate − contact cost.
//! It is a call list: customers who have not agreed to marketing contact are left off (and
//! counted), and each row carries the name and the phone, masked, for whoever makes the call.

use std::sync::Arc;
use strata_charts::Lang;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};

use crate::Result;
use crate::RiskTier;
use crate::config::ChurnConfig;
use crate::score::Scores;
use crate::train::ChurnModel;

#[derive(Debug, Clone)]
pub struct Entry {
    /// Row in the scores.
    pub row: usize,
    pub playbook: usize,
    pub risk: f64,
    pub value: f64,
    pub expected_saved: f64,
    pub cost: f64,
}

/// Totals of one playbook on the list.
#[derive(Debug, Clone)]
pub struct Budget {
    pub playbook: usize,
    pub customers: usize,
    pub cost: f64,
    pub expected_saved: f64,
    /// Sum of churn probability × value if retained: what the list's customers put at risk.
    pub value_at_risk: f64,
}

#[derive(Debug, Clone)]
pub struct Winback {
    /// Highest expected value saved first.
    pub entries: Vec<Entry>,
    pub budgets: Vec<Budget>,
    /// Customers in the tiers whose contact would cost more than it is expected to save.
    pub not_worth_it: usize,
    /// Customers worth contacting who are left off because they have not agreed to marketing
    /// contact (no, or not recorded).
    pub no_consent: usize,
    /// Customers left off because the budget ran out.
    pub over_budget: usize,
}

/// One customer who could go on the list.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub row: usize,
    pub tier: RiskTier,
    pub risk: f64,
    pub value_if_retained: f64,
    pub spend_12m: f64,
    /// Agreed to marketing contact (`customers.marketing_consent` is yes); anyone else stays
    /// off the list.
    pub consent: bool,
}

/// Who a customer is and whether they agreed to marketing contact, from the customers table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// `None` when the shop's export did not say.
    pub consent: Option<bool>,
}

/// The list for scored customers; `contacts` has one entry per row of the scores (a customer
/// without one has no recorded consent).
pub fn build(model: &ChurnModel, scores: &Scores, contacts: &[Contact]) -> Winback {
    let fs = &scores.fs;
    let spend = fs.column("spend_12m");
    let candidates = (0..fs.len()).filter_map(|row| {
        Some(Candidate {
            row,
            tier: scores.tier[row]?,
            risk: scores.risk[row],
            value_if_retained: fs.context.value_if_retained[row],
            spend_12m: spend[row],
            consent: contacts.get(row).and_then(|c| c.consent) == Some(true),
        })
    });
    plan(&model.config, candidates)
}

/// A phone number as a call list shows it: the first three and the last four digits, the rest
/// starred (`138****5678`); short numbers keep only their last four. Spaces and dashes go.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let n = chars.len();
    let (head, tail) = match n {
        0..=4 => (0, 0),
        5..=7 => (0, 4),
        _ => (3, 4),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

/// The list from any source of candidates (the scores, or the customer table's columns): the
/// playbook of each one's spend band, the expected value saved, ordered, cut at the budget:
/// walking down the list, a customer whose contact no longer fits is left off and the walk goes
/// on, so cheaper contacts below may still use the rest.
/// Ties keep the candidates' order. Customers without consent are left off before the budget
/// is spent.
pub fn plan(cfg: &ChurnConfig, candidates: impl Iterator<Item = Candidate>) -> Winback {
    let mut entries = Vec::new();
    let mut not_worth_it = 0;
    let mut no_consent = 0;
    for c in candidates {
        if !cfg.winback.tiers.contains(&c.tier) || !c.risk.is_finite() {
            continue;
        }
        let spend = if c.spend_12m.is_finite() {
            c.spend_12m
        } else {
            0.0
        };
        let Some(p) = cfg.playbooks.iter().position(|p| {
            spend >= p.min_spend_12m && p.max_spend_12m.is_none_or(|max| spend < max)
        }) else {
            continue;
        };
        let pb = &cfg.playbooks[p];
        let value = if c.value_if_retained.is_finite() {
            c.value_if_retained.max(0.0)
        } else {
            0.0
        };
        let saved = c.risk * value * pb.save_rate - pb.cost;
        if saved <= 0.0 {
            not_worth_it += 1;
            continue;
        }
        if !c.consent {
            no_consent += 1;
            continue;
        }
        entries.push(Entry {
            row: c.row,
            playbook: p,
            risk: c.risk,
            value,
            expected_saved: saved,
            cost: pb.cost,
        });
    }
    entries.sort_by(|a, b| b.expected_saved.total_cmp(&a.expected_saved));
    let mut over_budget = 0;
    if cfg.winback.budget > 0.0 {
        let mut spent = 0.0;
        entries.retain(|e| {
            if spent + e.cost <= cfg.winback.budget + 1e-9 {
                spent += e.cost;
                true
            } else {
                over_budget += 1;
                false
            }
        });
    }
    let budgets = (0..cfg.playbooks.len())
        .map(|p| {
            let mine = entries.iter().filter(|e| e.playbook == p);
            Budget {
                playbook: p,
                customers: mine.clone().count(),
                cost: mine.clone().map(|e| e.cost).sum(),
                expected_saved: mine.clone().map(|e| e.expected_saved).sum(),
                value_at_risk: mine.map(|e| e.risk * e.value).sum(),
            }
        })
        .collect();
    Winback {
        entries,
        budgets,
        not_worth_it,
        no_consent,
        over_budget,
    }
}

/// The list's columns: the English header (also the key) and the Chinese one.
pub const COLUMNS: &[(&str, &str)] = &[
    ("rank", "排名"),
    ("customer_id", "客户ID"),
    ("name", "姓名"),
    ("phone", "手机号"),
    ("marketing_consent", "营销授权"),
    ("risk_tier", "风险等级"),
    ("churn_risk", "流失概率"),
    ("value_if_retained", "留住后价值"),
    ("spend_12m", "近12个月消费"),
    ("recency_days", "距上次下单天数"),
    ("rfm_segment", "RFM分群"),
    ("playbook", "挽回方案"),
    ("channel", "触达渠道"),
    ("offer", "权益"),
    ("contact_cost", "触达成本"),
    ("expected_saved", "预期挽回价值"),
    ("cumulative_cost", "累计成本"),
    ("reasons", "流失原因"),
];

/// The header of column `key` of the list in `lang`; `key` itself when it is not a column.
pub fn header(key: &str, lang: Lang) -> &str {
    match lang {
        Lang::En => key,
        Lang::Zh => COLUMNS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, zh)| zh),
    }
}

/// The list as a table, for printing and export, with headers and texts in `lang`; `contacts`
/// as for [`build`].
pub fn batch(
    model: &ChurnModel,
    scores: &Scores,
    list: &Winback,
    contacts: &[Contact],
    lang: Lang,
) -> Result<RecordBatch> {
    let zh = lang == Lang::Zh;
    let fs = &scores.fs;
    let pbs = &model.config.playbooks;
    let e = &list.entries;
    let text = |f: &dyn Fn(&crate::winback::Entry) -> Option<String>| -> ArrayRef {
        Arc::new(e.iter().map(f).collect::<StringArray>())
    };
    let num = |f: &dyn Fn(&crate::winback::Entry) -> f64| -> ArrayRef {
        Arc::new(e.iter().map(|x| Some(f(x))).collect::<Float64Array>())
    };
    let contact = |row: usize| contacts.get(row);
    let mut cumulative = 0.0;
    let cum: ArrayRef = Arc::new(
        e.iter()
            .map(|x| {
                cumulative += x.cost;
                Some(cumulative)
            })
            .collect::<Float64Array>(),
    );
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    let columns: Vec<(&str, DataType, ArrayRef)> = vec![
        (
            "rank",
            DataType::UInt64,
            Arc::new((1..=e.len() as u64).map(Some).collect::<UInt64Array>()),
        ),
        (
            "customer_id",
            DataType::Utf8,
            text(&|x| Some(fs.ids[x.row].clone())),
        ),
        (
            "name",
            DataType::Utf8,
            text(&|x| contact(x.row).and_then(|c| c.name.clone())),
        ),
        (
            "phone",
            DataType::Utf8,
            text(&|x| {
                contact(x.row)
                    .and_then(|c| c.phone.as_deref())
                    .map(mask_phone)
            }),
        ),
        (
            "marketing_consent",
            DataType::Utf8,
            text(&|x| {
                contact(x.row).and_then(|c| c.consent).map(|yes| {
                    match (yes, zh) {
                        (true, true) => "是",
                        (false, true) => "否",
                        (true, false) => "yes",
                        (false, false) => "no",
                    }
                    .to_string()
                })
            }),
        ),
        (
            "risk_tier",
            DataType::Utf8,
            text(&|x| scores.tier[x.row].map(|t| t.as_str().to_string())),
        ),
        (
            "churn_risk",
            DataType::Float64,
            num(&|x| (x.risk * 1e4).round() / 1e4),
        ),
        (
            "value_if_retained",
            DataType::Float64,
            num(&|x| round2(x.value)),
        ),
        (
            "spend_12m",
            DataType::Float64,
            num(&|x| round2(fs.column("spend_12m")[x.row])),
        ),
        (
            "recency_days",
            DataType::Float64,
            num(&|x| (fs.column("recency_days")[x.row] * 10.0).round() / 10.0),
        ),
        (
            "rfm_segment",
            DataType::Utf8,
            text(&|x| fs.context.rfm_segment[x.row].clone()),
        ),
        (
            "playbook",
            DataType::Utf8,
            text(&|x| {
                let p = &pbs[x.playbook];
                Some(if zh {
                    p.label_zh.clone()
                } else {
                    p.label_en.clone()
                })
            }),
        ),
        (
            "channel",
            DataType::Utf8,
            text(&|x| Some(pbs[x.playbook].channel.clone())),
        ),
        (
            "offer",
            DataType::Utf8,
            text(&|x| {
                let p = &pbs[x.playbook];
                Some(if zh {
                    p.offer_zh.clone()
                } else {
                    p.offer_en.clone()
                })
            }),
        ),
        ("contact_cost", DataType::Float64, num(&|x| x.cost)),
        (
            "expected_saved",
            DataType::Float64,
            num(&|x| round2(x.expected_saved)),
        ),
        ("cumulative_cost", DataType::Float64, cum),
        (
            "reasons",
            DataType::Utf8,
            text(&|x| Some(scores.reasons_text(model, x.row, lang))),
        ),
    ];
    debug_assert!(
        columns
            .iter()
            .map(|(k, _, _)| *k)
            .eq(COLUMNS.iter().map(|(k, _)| *k))
    );
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, t, _)| Field::new(header(n, lang), t.clone(), true))
            .collect::<Vec<_>>(),
    ));
    Ok(RecordBatch::try_new(
        schema,
        columns.into_iter().map(|(_, _, a)| a).collect(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(row: usize, tier: RiskTier, risk: f64, value: f64, spend: f64) -> Candidate {
        Candidate {
            row,
            tier,
            risk,
            value_if_retained: value,
            spend_12m: spend,
            consent: true,
        }
    }

    #[test]
    fn customers_without_marketing_consent_are_left_off_and_counted() {
        let mut cfg = ChurnConfig::default();
        // The budget pays for one call-back: the consenting customer gets it, not the one
        // above who never agreed to be contacted.
        cfg.winback.budget = 48.5;
        let list = plan(
            &cfg,
            [
                Candidate {
                    consent: false,
                    ..c(0, RiskTier::High, 0.9, 20_000.0, 9_000.0)
                },
                c(1, RiskTier::High, 0.8, 10_000.0, 6_000.0),
                // Not worth contacting: counted as that, not as lacking consent.
                Candidate {
                    consent: false,
                    ..c(2, RiskTier::High, 0.9, 5.0, 5.0)
                },
            ]
            .into_iter(),
        );
        let rows: Vec<usize> = list.entries.iter().map(|e| e.row).collect();
        assert_eq!(rows, [1]);
        assert_eq!(list.no_consent, 1);
        assert_eq!(list.not_worth_it, 1);
        assert_eq!(list.over_budget, 0);
    }

    #[test]
    fn phones_are_masked_to_the_first_three_and_last_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("+86 138 1234 5678"), "+86*******5678");
        assert_eq!(mask_phone("5551234"), "***1234");
        assert_eq!(mask_phone("1234"), "****");
        assert_eq!(mask_phone(""), "");
        assert_eq!(header("reasons", Lang::Zh), "流失原因");
        assert_eq!(header("reasons", Lang::En), "reasons");
    }

    #[test]
    fn expected_value_saved_by_hand() {
        let mut cfg = ChurnConfig::default();
        let list = plan(
            &cfg,
            [
                // High value: 0.8 × 10,000 × 0.35 − 48 = 2,752.
                c(0, RiskTier::High, 0.8, 10_000.0, 6_000.0),
                // Potential: 0.5 × 2,000 × 0.15 − 0.8 = 149.2.
                c(1, RiskTier::Medium, 0.5, 2_000.0, 1_500.0),
                // Low value: 0.9 × 100 × 0.05 − 0.3 = 4.2.
                c(2, RiskTier::High, 0.9, 100.0, 100.0),
                // Low value, tiny: 0.9 × 5 × 0.05 − 0.3 < 0, not worth a message.
                c(3, RiskTier::High, 0.9, 5.0, 5.0),
                // Low risk is not on the list.
                c(4, RiskTier::Low, 0.1, 50_000.0, 9_000.0),
            ]
            .into_iter(),
        );
        let got: Vec<(usize, f64)> = list
            .entries
            .iter()
            .map(|e| (e.row, e.expected_saved))
            .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, 0);
        assert!((got[0].1 - 2_752.0).abs() < 1e-9);
        assert!((got[1].1 - 149.2).abs() < 1e-9);
        assert!((got[2].1 - 4.2).abs() < 1e-9);
        assert_eq!(list.not_worth_it, 1);
        assert_eq!(list.budgets[0].customers, 1);
        assert!((list.budgets[0].value_at_risk - 8_000.0).abs() < 1e-9);
        // A budget of 48.5 pays for the call-back only.
        cfg.winback.budget = 48.5;
        let cut = plan(
            &cfg,
            [
                c(0, RiskTier::High, 0.8, 10_000.0, 6_000.0),
                c(1, RiskTier::Medium, 0.5, 2_000.0, 1_500.0),
            ]
            .into_iter(),
        );
        assert_eq!(cut.entries.len(), 1);
        assert_eq!(cut.over_budget, 1);
    }
}
