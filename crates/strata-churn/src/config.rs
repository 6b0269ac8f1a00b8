//! Every churn setting with the reports' defaults. `strata.toml` sets them under `[churn]`;
//! the model file and the report's methods appendix keep the values actually used.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnConfig {
    /// A customer has churned when they buy nothing in this many days after the cutoff.
    pub horizon_days: u32,
    /// Early warning covers buyers whose latest order is at most this many days old at the
    /// cutoff; older ones are past warning (their lifecycle says dormant or churned). 0: all.
    pub population_days: u32,
    /// Training cutoffs of the time split, `cutoff_step_days` apart, the latest one horizon
    /// before the evaluation cutoff. Several seasons of examples make the model less tied to
    /// the one season a single cutoff sees.
    pub train_cutoffs: u32,
    pub cutoff_step_days: u32,
    /// Gradient-boosted trees: boosting rounds, learning rate, depth, and the least hessian
    /// weight a leaf may hold.
    pub trees: usize,
    pub learning_rate: f32,
    pub max_depth: usize,
    pub min_leaf_weight: f32,
    /// How reasons are attributed: `path` (each split's change along the customer's path to
    /// the feature split on; fast) or `shapley` (exact tree SHAP values; slower).
    pub contributions: Contributions,
    /// L2 penalty of the logistic-regression baseline, on standardised features.
    pub logistic_l2: f64,
    pub signals: SignalConfig,
    pub tiers: TierConfig,
    pub winback: WinbackConfig,
    /// Matched in order; the first whose spend range holds the customer's 12-month spend wins.
    pub playbooks: Vec<Playbook>,
}

impl Default for ChurnConfig {
    fn default() -> Self {
        Self {
            horizon_days: 90,
            population_days: 365,
            train_cutoffs: 4,
            cutoff_step_days: 30,
            trees: 100,
            learning_rate: 0.1,
            max_depth: 3,
            min_leaf_weight: 5.0,
            contributions: Contributions::Path,
            logistic_l2: 1.0,
            signals: SignalConfig::default(),
            tiers: TierConfig::default(),
            winback: WinbackConfig::default(),
            playbooks: default_playbooks(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contributions {
    Path,
    Shapley,
}

/// The warning signals of the reports, each a flag per customer at the scoring date.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SignalConfig {
    /// No login for at least this many days (customers who have logged in before).
    pub no_login_days: f64,
    /// Browsing time of the last `browse_window_days` down by at least this share on the
    /// window before.
    pub browse_drop: f64,
    pub browse_window_days: f64,
    /// A cart added at least this many days ago and no order since …
    pub cart_unpaid_days: f64,
    /// … counted when the cart is at most this old.
    pub cart_lookback_days: f64,
    /// Sessions of the last `session_window_days` down by at least this share on the window before.
    pub session_drop: f64,
    pub session_window_days: f64,
    /// Event types that record an open or click on a message the shop sent.
    pub contact_events: Vec<String>,
    /// No open or click on contacts in this many days (customers who engaged before).
    pub contact_days: f64,
    /// Days since the latest order over this multiple of the customer's own mean gap.
    pub gap_multiple: f64,
    /// Mean value of the latest orders down by at least this share on the earlier ones.
    pub aov_drop: f64,
    /// Refunds, negative reviews and service contacts count within this many days.
    pub feedback_days: f64,
    /// Reviews with at most this many stars are negative.
    pub negative_rating: i64,
    /// Event type of a customer-service contact.
    pub service_event: String,
}

impl Default for SignalConfig {
    fn default() -> Self {
        Self {
            no_login_days: 7.0,
            browse_drop: 0.5,
            browse_window_days: 14.0,
            cart_unpaid_days: 7.0,
            cart_lookback_days: 30.0,
            session_drop: 0.5,
            session_window_days: 30.0,
            contact_events: [
                "email_open",
                "email_click",
                "sms_click",
                "push_open",
                "push_click",
            ]
            .map(String::from)
            .to_vec(),
            contact_days: 30.0,
            gap_multiple: 2.0,
            aov_drop: 0.3,
            feedback_days: 90.0,
            negative_rating: 2,
            service_event: "cs_contact".into(),
        }
    }
}

/// How risk tiers are cut from the evaluation: the lowest score at which the customers above
/// it churn at least at the target rate (precision). Where a target cannot be met, the tier
/// falls back to a share of the customers with the highest scores.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TierConfig {
    pub high_precision: f64,
    pub medium_precision: f64,
    pub high_fallback_share: f64,
    pub medium_fallback_share: f64,
    /// A tier needs at least this many evaluation customers above its threshold.
    pub min_customers: usize,
}

impl Default for TierConfig {
    fn default() -> Self {
        Self {
            high_precision: 0.9,
            medium_precision: 0.75,
            high_fallback_share: 0.1,
            medium_fallback_share: 0.3,
            min_customers: 20,
        }
    }
}

/// The win-back list: expected value saved = churn probability × value if retained × save
/// rate − contact cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WinbackConfig {
    /// Risk tiers that go on the list.
    pub tiers: Vec<crate::RiskTier>,
    /// Contact budget (0: no limit). In priority order each customer whose contact still fits
    /// is kept; one that does not fit is left off and cheaper contacts further down may still
    /// fill what remains.
    pub budget: f64,
    /// Share of revenue kept as margin, for the value if retained when no lifetime-value model
    /// ran (otherwise the model's margin applies).
    pub margin: f64,
}

impl Default for WinbackConfig {
    fn default() -> Self {
        Self {
            tiers: vec![crate::RiskTier::High, crate::RiskTier::Medium],
            budget: 0.0,
            margin: 1.0,
        }
    }
}

/// What to do for customers at risk in one value band.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    pub name: String,
    /// Names shown in the report and the list.
    pub label_zh: String,
    pub label_en: String,
    /// 12-month spend band, inclusive below and exclusive above (`max` absent: no upper bound).
    #[serde(default)]
    pub min_spend_12m: f64,
    #[serde(default)]
    pub max_spend_12m: Option<f64>,
    pub channel: String,
    pub offer_zh: String,
    pub offer_en: String,
    /// Cost of contacting one customer, offer included, in the shop's currency.
    pub cost: f64,
    /// Assumed share of contacted customers at risk who stay because of it.
    pub save_rate: f64,
}

/// The reports' three playbooks (high-value lapsed over 5000 a year; potential lapsed;
/// low value). Costs from the reports: a win-back about 48 a customer, email 0.8, SMS 0.3.
pub fn default_playbooks() -> Vec<Playbook> {
    vec![
        Playbook {
            name: "high_value".into(),
            label_zh: "高价值流失客户".into(),
            label_en: "High-value lapsing".into(),
            min_spend_12m: 5000.0,
            max_spend_12m: None,
            channel: "phone".into(),
            offer_zh: "专属客服1对1回访，赠送定制化礼品，满500减100定向优惠券".into(),
            offer_en: "One-to-one call-back, a personalised gift, a 100-off-500 coupon".into(),
            cost: 48.0,
            save_rate: 0.35,
        },
        Playbook {
            name: "potential".into(),
            label_zh: "潜力流失客户".into(),
            label_en: "Potential lapsing".into(),
            min_spend_12m: 1000.0,
            max_spend_12m: Some(5000.0),
            channel: "app_push+email".into(),
            offer_zh: "个性化商品清单，满200免运费".into(),
            offer_en: "A personalised product list and free shipping over 200".into(),
            cost: 0.8,
            save_rate: 0.15,
        },
        Playbook {
            name: "low_value".into(),
            label_zh: "低价值客户".into(),
            label_en: "Low value".into(),
            min_spend_12m: 0.0,
            max_spend_12m: Some(1000.0),
            channel: "sms".into(),
            offer_zh: "自动提醒".into(),
            offer_en: "Automated reminder only".into(),
            cost: 0.3,
            save_rate: 0.05,
        },
    ]
}

impl ChurnConfig {
    /// Checks every setting; the message names the one to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.horizon_days == 0 {
            return Err("churn.horizon_days must be at least 1".into());
        }
        if self.train_cutoffs == 0 || self.train_cutoffs > 24 {
            return Err(format!(
                "churn.train_cutoffs = {}: expected 1 to 24",
                self.train_cutoffs
            ));
        }
        if self.train_cutoffs > 1 && self.cutoff_step_days == 0 {
            return Err("churn.cutoff_step_days must be at least 1".into());
        }
        if self.trees == 0 || self.trees > 5000 {
            return Err(format!("churn.trees = {}: expected 1 to 5000", self.trees));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(format!(
                "churn.learning_rate = {}: expected a number in (0, 1], such as 0.1",
                self.learning_rate
            ));
        }
        if self.max_depth == 0 || self.max_depth > 12 {
            return Err(format!(
                "churn.max_depth = {}: expected 1 to 12",
                self.max_depth
            ));
        }
        if !(self.min_leaf_weight.is_finite() && self.min_leaf_weight >= 0.0) {
            return Err(format!(
                "churn.min_leaf_weight = {}: expected a number ≥ 0",
                self.min_leaf_weight
            ));
        }
        if !(self.logistic_l2.is_finite() && self.logistic_l2 >= 0.0) {
            return Err(format!(
                "churn.logistic_l2 = {}: expected a number ≥ 0",
                self.logistic_l2
            ));
        }
        let s = &self.signals;
        for (name, v) in [
            ("no_login_days", s.no_login_days),
            ("browse_window_days", s.browse_window_days),
            ("cart_unpaid_days", s.cart_unpaid_days),
            ("cart_lookback_days", s.cart_lookback_days),
            ("session_window_days", s.session_window_days),
            ("contact_days", s.contact_days),
            ("gap_multiple", s.gap_multiple),
            ("feedback_days", s.feedback_days),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!(
                    "churn.signals.{name} = {v}: expected a positive number"
                ));
            }
        }
        for (name, v) in [
            ("browse_drop", s.browse_drop),
            ("session_drop", s.session_drop),
            ("aov_drop", s.aov_drop),
        ] {
            if !(v > 0.0 && v < 1.0) {
                return Err(format!(
                    "churn.signals.{name} = {v}: expected a share between 0 and 1, such as 0.5"
                ));
            }
        }
        if s.cart_lookback_days < s.cart_unpaid_days {
            return Err(format!(
                "churn.signals.cart_lookback_days = {} is shorter than cart_unpaid_days = {}",
                s.cart_lookback_days, s.cart_unpaid_days
            ));
        }
        let t = &self.tiers;
        for (name, v) in [
            ("high_precision", t.high_precision),
            ("medium_precision", t.medium_precision),
            ("high_fallback_share", t.high_fallback_share),
            ("medium_fallback_share", t.medium_fallback_share),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(format!(
                    "churn.tiers.{name} = {v}: expected a share in (0, 1]"
                ));
            }
        }
        if t.medium_precision > t.high_precision {
            return Err(format!(
                "churn.tiers.medium_precision = {} is above high_precision = {}; the high tier must be the stricter",
                t.medium_precision, t.high_precision
            ));
        }
        if t.medium_fallback_share < t.high_fallback_share {
            return Err(format!(
                "churn.tiers.medium_fallback_share = {} is below high_fallback_share = {}",
                t.medium_fallback_share, t.high_fallback_share
            ));
        }
        if !(self.winback.budget.is_finite() && self.winback.budget >= 0.0) {
            return Err(format!(
                "churn.winback.budget = {}: expected an amount ≥ 0 (0: no limit)",
                self.winback.budget
            ));
        }
        if !(self.winback.margin > 0.0 && self.winback.margin <= 1.0) {
            return Err(format!(
                "churn.winback.margin = {}: expected a share in (0, 1]",
                self.winback.margin
            ));
        }
        if self.playbooks.is_empty() {
            return Err("churn.playbooks is empty; give at least one playbook".into());
        }
        for (i, p) in self.playbooks.iter().enumerate() {
            let at = format!("churn.playbooks[{i}] ({})", p.name);
            if !(p.cost.is_finite() && p.cost >= 0.0) {
                return Err(format!("{at}: cost = {}: expected an amount ≥ 0", p.cost));
            }
            if !(p.save_rate > 0.0 && p.save_rate <= 1.0) {
                return Err(format!(
                    "{at}: save_rate = {}: expected a share in (0, 1]",
                    p.save_rate
                ));
            }
            if let Some(max) = p.max_spend_12m
                && max <= p.min_spend_12m
            {
                return Err(format!(
                    "{at}: max_spend_12m = {max} is not above min_spend_12m = {}",
                    p.min_spend_12m
                ));
            }
        }
        Ok(())
    }

    /// The playbook for a customer with this 12-month spend, if one matches.
    pub fn playbook_for(&self, spend_12m: f64) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| {
            spend_12m >= p.min_spend_12m && p.max_spend_12m.is_none_or(|max| spend_12m < max)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_playbooks_cover_every_spend() {
        let c = ChurnConfig::default();
        c.validate().unwrap();
        assert_eq!(c.playbook_for(6000.0).unwrap().name, "high_value");
        assert_eq!(c.playbook_for(5000.0).unwrap().name, "high_value");
        assert_eq!(c.playbook_for(4999.99).unwrap().name, "potential");
        assert_eq!(c.playbook_for(999.0).unwrap().name, "low_value");
        assert_eq!(c.playbook_for(0.0).unwrap().name, "low_value");
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let mut c = ChurnConfig::default();
        c.signals.browse_drop = 50.0;
        assert!(c.validate().unwrap_err().contains("browse_drop = 50"));
        let mut c = ChurnConfig::default();
        c.tiers.medium_precision = 0.95;
        assert!(c.validate().unwrap_err().contains("medium_precision"));
        // Unknown tier names fail as the settings are read, naming the tiers there are.
        let e = serde_json::from_str::<ChurnConfig>(r#"{"winback": {"tiers": ["urgent"]}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`urgent`") && e.contains("`high`"), "{e}");
        let mut c = ChurnConfig::default();
        c.playbooks[1].max_spend_12m = Some(10.0);
        assert!(
            c.validate()
                .unwrap_err()
                .contains("playbooks[1] (potential)")
        );
    }
}
