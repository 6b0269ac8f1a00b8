//! `strata.toml`: settings kept with a workspace. Precedence is file < environment < flag;
//! clap handles the last two, this file the first.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The file `strata init` writes, with every setting and its default.
pub const TEMPLATE: &str = r#"# Strata workspace settings. Command-line flags and STRATA_* environment variables override
# these.

[import]
# Time zone of times written without an offset (most shop exports).
timezone = "Asia/Shanghai"
# Currency of amounts written without a symbol or code.
currency = "CNY"
# true when amounts are written like 1.299,00 (European locales).
decimal_comma = false
# true when dates like 03/04/2026 mean 3 April.
day_first = false

[analyze]
# Analysis date; default: the day of the latest order.
# as_of = "2026-10-31"
# Festival and promotion windows (local dates), for festival_share and scenario-driven buyers.
festivals = ["02-12..02-14", "03-08", "05-20", "06-01..06-18", "11-01..11-11", "12-10..12-12"]

[analyze.rfm]
# quantile: scores 1-5 by quintiles of the customers' own values; fixed: by the cut points below.
method = "quantile"
recency_days = [30, 90, 180, 365]
orders = [1, 2, 4, 8]
monetary = [300, 1000, 3000, 8000]

[analyze.rules]
# The reports' rule segments.
loyal_max_recency_days = 30
loyal_min_orders = 5
loyal_min_monetary = 5000
churn_min_recency_days = 90
churn_max_orders = 2
churn_max_monetary = 1000

[analyze.tiers]
# By spend in the last 12 months: diamond above, gold from, silver from; bronze below.
diamond = 5000
gold = 2000
silver = 500

[analyze.types]
# Tested in order: brand-loyal, scenario-driven (festival share), price-sensitive, else mixed.
brand_min_orders = 3
brand_min_share = 0.6
coupon_min_rate = 0.5
discount_min_share = 0.15
festival_min_share = 0.4

[analyze.lifecycle]
# Days: new = first order within new_days; active/at risk/dormant/churned by days since the
# last order; won back = active after a gap of at least won_back_gap_days.
new_days = 30
active_days = 90
at_risk_days = 180
churned_days = 365
won_back_gap_days = 180

[analyze.value]
# Lifetime value: BG/NBD or MBG/NBD (chosen by BIC) on distinct purchase days, Gamma-Gamma spend.
enabled = true
# Days held out at the end to check the model's predictions (0: no check).
holdout_days = 180
# Share of revenue that is profit (1: CLV in revenue) and the monthly discount rate.
margin = 1.0
monthly_discount_rate = 0.01
# L2 penalty on the model parameters; fewer buyers than min_customers and no model is fitted.
penalty = 0.0
min_customers = 50

[churn]
# Churned = no purchase in this many days after the cutoff (strata churn train --horizon).
horizon_days = 90
# Early warning covers buyers whose last order is at most this old (0: every buyer).
population_days = 365
# Time split: this many training cutoffs, cutoff_step_days apart, the latest one horizon before
# the evaluation cutoff (several seasons of examples generalise better than one).
train_cutoffs = 4
cutoff_step_days = 30
# Gradient-boosted trees, and the L2 penalty of the logistic-regression baseline.
trees = 100
learning_rate = 0.1
max_depth = 3
min_leaf_weight = 5
logistic_l2 = 1.0
# Reasons from path contributions (fast) or exact tree SHAP values ("shapley", slower).
contributions = "path"

[churn.signals]
# The reports' warning signals (days, shares of the window before).
no_login_days = 7
browse_drop = 0.5
browse_window_days = 14
cart_unpaid_days = 7
cart_lookback_days = 30
session_drop = 0.5
session_window_days = 30
contact_events = ["email_open", "email_click", "sms_click", "push_open", "push_click"]
contact_days = 30
gap_multiple = 2
aov_drop = 0.3
feedback_days = 90
negative_rating = 2
service_event = "cs_contact"

[churn.tiers]
# High and medium risk start where the customers above churned at these rates in the
# evaluation; where a rate is out of reach, the top shares instead.
high_precision = 0.9
medium_precision = 0.75
high_fallback_share = 0.1
medium_fallback_share = 0.3
min_customers = 20

[churn.winback]
# Tiers on the win-back list, a budget for contact costs (0: none; in priority order, a customer
# whose contact no longer fits is skipped and cheaper ones below may still fit), the margin on spend.
tiers = ["high", "medium"]
budget = 0
margin = 1.0

# Playbooks by 12-month spend, first match wins. Costs per customer contacted, save rates assumed.
[[churn.playbooks]]
name = "high_value"
label_zh = "高价值流失客户"
label_en = "High-value lapsing"
min_spend_12m = 5000
channel = "phone"
offer_zh = "专属客服1对1回访，赠送定制化礼品，满500减100定向优惠券"
offer_en = "One-to-one call-back, a personalised gift, a 100-off-500 coupon"
cost = 48
save_rate = 0.35

[[churn.playbooks]]
name = "potential"
label_zh = "潜力流失客户"
label_en = "Potential lapsing"
min_spend_12m = 1000
max_spend_12m = 5000
channel = "app_push+email"
offer_zh = "个性化商品清单，满200免运费"
offer_en = "A personalised product list and free shipping over 200"
cost = 0.8
save_rate = 0.15

[[churn.playbooks]]
name = "low_value"
label_zh = "低价值客户"
label_en = "Low value"
min_spend_12m = 0
max_spend_12m = 1000
channel = "sms"
offer_zh = "自动提醒"
offer_en = "Automated reminder only"
cost = 0.3
save_rate = 0.05
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub import: ImportConfig,
    #[serde(default)]
    pub analyze: strata_features::AnalyzeConfig,
    #[serde(default)]
    pub churn: strata_churn::ChurnConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub decimal_comma: Option<bool>,
    pub day_first: Option<bool>,
}

impl Config {
    /// Reads `strata.toml` from the workspace, or the defaults when there is none.
    pub fn load(workspace: &Path) -> Result<Config> {
        let path = workspace.join("strata.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("{}: invalid settings", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_valid_and_complete() {
        let c: Config = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(c.import.timezone.as_deref(), Some("Asia/Shanghai"));
        assert_eq!(c.import.decimal_comma, Some(false));
        let d = strata_features::AnalyzeConfig::default();
        assert_eq!(c.analyze.festivals, d.festivals);
        assert_eq!(
            c.analyze.rules.loyal_min_monetary,
            d.rules.loyal_min_monetary
        );
        assert_eq!(c.analyze.tiers.silver, d.tiers.silver);
        assert_eq!(c.analyze.rfm.monetary, d.rfm.monetary);
        assert_eq!(
            c.analyze.lifecycle.won_back_gap_days,
            d.lifecycle.won_back_gap_days
        );
        assert_eq!(
            c.analyze.types.festival_min_share,
            d.types.festival_min_share
        );
        assert_eq!(c.analyze.value.holdout_days, d.value.holdout_days);
        assert_eq!(c.analyze.value.min_customers, d.value.min_customers);
        c.analyze.validate().unwrap();
        assert_eq!(c.churn, strata_churn::ChurnConfig::default());
    }
}
