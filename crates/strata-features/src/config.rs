//! Every threshold the customer table uses, with the reports' defaults. `strata.toml` sets
//! them under `[analyze]`; the report's methods appendix prints the values actually used.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzeConfig {
    /// The analysis date (`2026-10-31`): orders after it are ignored and recency counts up to
    /// the end of that day. Default: the day of the latest order.
    pub as_of: Option<chrono::NaiveDate>,
    /// The shop's time zone, for days, hours and festivals. Default: the import time zone.
    pub timezone: Option<String>,
    pub rfm: RfmConfig,
    pub rules: RuleConfig,
    pub tiers: TierConfig,
    pub types: TypeConfig,
    pub lifecycle: LifecycleConfig,
    pub value: ValueConfig,
    /// Festival and promotion windows as `MM-DD` or `MM-DD..MM-DD` in the shop's time zone.
    pub festivals: Vec<String>,
}

impl Default for AnalyzeConfig {
    fn default() -> Self {
        Self {
            as_of: None,
            timezone: None,
            rfm: RfmConfig::default(),
            rules: RuleConfig::default(),
            tiers: TierConfig::default(),
            types: TypeConfig::default(),
            lifecycle: LifecycleConfig::default(),
            value: ValueConfig::default(),
            festivals: [
                "02-12..02-14", // Valentine's day
                "03-08",        // Women's day (三八节)
                "05-20",        // 520
                "06-01..06-18", // 618
                "11-01..11-11", // Double 11, from the pre-sale
                "12-10..12-12", // Double 12
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmMethod {
    /// Score by quintile of the customers' own values (ties share a score).
    Quantile,
    /// Score by the fixed cut points in `recency_days`, `orders` and `monetary`.
    Fixed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RfmConfig {
    pub method: RfmMethod,
    /// Fixed method: four ascending cut points each. Recency in days (fewer days score
    /// higher), orders, and monetary total.
    pub recency_days: [f64; 4],
    pub orders: [f64; 4],
    pub monetary: [f64; 4],
}

impl Default for RfmConfig {
    fn default() -> Self {
        Self {
            method: RfmMethod::Quantile,
            recency_days: [30.0, 90.0, 180.0, 365.0],
            orders: [1.0, 2.0, 4.0, 8.0],
            monetary: [300.0, 1000.0, 3000.0, 8000.0],
        }
    }
}

/// The reports' rule segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    pub loyal_max_recency_days: f64,
    pub loyal_min_orders: u32,
    pub loyal_min_monetary: f64,
    pub churn_min_recency_days: f64,
    pub churn_max_orders: u32,
    pub churn_max_monetary: f64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        Self {
            loyal_max_recency_days: 30.0,
            loyal_min_orders: 5,
            loyal_min_monetary: 5000.0,
            churn_min_recency_days: 90.0,
            churn_max_orders: 2,
            churn_max_monetary: 1000.0,
        }
    }
}

/// Spending tiers by trailing-12-month spend: diamond above `diamond`, gold from `gold`,
/// silver from `silver`, bronze below.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierConfig {
    pub diamond: f64,
    pub gold: f64,
    pub silver: f64,
}

impl Default for TierConfig {
    fn default() -> Self {
        Self {
            diamond: 5000.0,
            gold: 2000.0,
            silver: 500.0,
        }
    }
}

/// Customer types, tested in this order: brand-loyal, scenario-driven, price-sensitive, else
/// mixed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TypeConfig {
    /// Brand-loyal: at least this many orders and at least this share of item spend on one
    /// brand.
    pub brand_min_orders: u32,
    pub brand_min_share: f64,
    /// Price-sensitive: a coupon on at least this share of orders, or at least this share of
    /// list value given as discount.
    pub coupon_min_rate: f64,
    pub discount_min_share: f64,
    /// Scenario-driven: at least this share of orders in festival windows.
    pub festival_min_share: f64,
}

impl Default for TypeConfig {
    fn default() -> Self {
        Self {
            brand_min_orders: 3,
            brand_min_share: 0.6,
            coupon_min_rate: 0.5,
            discount_min_share: 0.15,
            festival_min_share: 0.4,
        }
    }
}

/// Lifecycle stages by days since the last order (and the first, for new customers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleConfig {
    /// New: first order at most this many days ago.
    pub new_days: f64,
    /// Active: last order at most this many days ago.
    pub active_days: f64,
    /// At risk up to this many days; dormant beyond, up to `churned_days`; churned beyond.
    pub at_risk_days: f64,
    pub churned_days: f64,
    /// Won back: active, and the last order came after a gap of at least this many days.
    pub won_back_gap_days: f64,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            new_days: 30.0,
            active_days: 90.0,
            at_risk_days: 180.0,
            churned_days: 365.0,
            won_back_gap_days: 180.0,
        }
    }
}

/// Lifetime value: the purchase models fitted on daily summaries, and the 12-month CLV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueConfig {
    /// Fit the models and add p_alive, expected purchases and CLV to the customer table.
    pub enabled: bool,
    /// Days held out at the end to check the model's predictions (0: no check).
    pub holdout_days: u32,
    /// Share of revenue that is profit, for CLV (1: CLV in revenue).
    pub margin: f64,
    /// Discount rate per month for CLV.
    pub monthly_discount_rate: f64,
    /// L2 penalty on the model parameters (0: plain maximum likelihood).
    pub penalty: f64,
    /// Fewer buyers than this and no model is fitted.
    pub min_customers: usize,
}

impl Default for ValueConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            holdout_days: 180,
            margin: 1.0,
            monthly_discount_rate: 0.01,
            penalty: 0.0,
            min_customers: 50,
        }
    }
}

/// A festival window as (month, day) bounds, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: (u32, u32),
    pub to: (u32, u32),
}

impl Window {
    /// Parses `MM-DD` or `MM-DD..MM-DD`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let md = |s: &str| -> Result<(u32, u32), String> {
            let (m, d) = s
                .trim()
                .split_once('-')
                .ok_or_else(|| format!("festival `{text}`: expected MM-DD or MM-DD..MM-DD"))?;
            let m: u32 = m
                .parse()
                .map_err(|_| format!("festival `{text}`: month `{m}` is not a number"))?;
            let d: u32 = d
                .parse()
                .map_err(|_| format!("festival `{text}`: day `{d}` is not a number"))?;
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return Err(format!("festival `{text}`: {m:02}-{d:02} is not a date"));
            }
            Ok((m, d))
        };
        let (from, to) = match text.split_once("..") {
            Some((a, b)) => (md(a)?, md(b)?),
            None => {
                let x = md(text)?;
                (x, x)
            }
        };
        if to < from {
            return Err(format!(
                "festival `{text}`: the window ends before it starts (windows cannot cross the new year)"
            ));
        }
        Ok(Window { from, to })
    }

    pub fn contains(&self, month: u32, day: u32) -> bool {
        (month, day) >= self.from && (month, day) <= self.to
    }
}

impl AnalyzeConfig {
    /// Checks values a user may have mistyped; the message names the setting.
    pub fn validate(&self) -> Result<Vec<Window>, String> {
        let ascending = |name: &str, v: &[f64; 4]| {
            if v.windows(2).all(|w| w[0] < w[1]) && v.iter().all(|x| x.is_finite()) {
                Ok(())
            } else {
                Err(format!(
                    "analyze.rfm.{name}: the four cut points must be finite and ascending, found {v:?}"
                ))
            }
        };
        ascending("recency_days", &self.rfm.recency_days)?;
        ascending("orders", &self.rfm.orders)?;
        ascending("monetary", &self.rfm.monetary)?;
        let t = &self.tiers;
        if !(t.silver < t.gold && t.gold < t.diamond) {
            return Err(format!(
                "analyze.tiers: expected silver < gold < diamond, found {} / {} / {}",
                t.silver, t.gold, t.diamond
            ));
        }
        let l = &self.lifecycle;
        if !(l.active_days < l.at_risk_days && l.at_risk_days < l.churned_days) {
            return Err(format!(
                "analyze.lifecycle: expected active_days < at_risk_days < churned_days, found {} / {} / {}",
                l.active_days, l.at_risk_days, l.churned_days
            ));
        }
        for (name, v) in [
            ("types.brand_min_share", self.types.brand_min_share),
            ("types.coupon_min_rate", self.types.coupon_min_rate),
            ("types.discount_min_share", self.types.discount_min_share),
            ("types.festival_min_share", self.types.festival_min_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "analyze.{name}: expected a share between 0 and 1, found {v}"
                ));
            }
        }
        let v = &self.value;
        if !(v.margin.is_finite() && v.margin > 0.0 && v.margin <= 1.0) {
            return Err(format!(
                "analyze.value.margin: expected a share above 0 and at most 1, found {}",
                v.margin
            ));
        }
        if !(v.monthly_discount_rate.is_finite() && (0.0..1.0).contains(&v.monthly_discount_rate)) {
            return Err(format!(
                "analyze.value.monthly_discount_rate: expected a rate from 0 up to 1, found {}",
                v.monthly_discount_rate
            ));
        }
        if !(v.penalty.is_finite() && v.penalty >= 0.0) {
            return Err(format!(
                "analyze.value.penalty: expected a number of at least 0, found {}",
                v.penalty
            ));
        }
        self.festivals.iter().map(|f| Window::parse(f)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_contain() {
        let w = Window::parse("06-01..06-18").unwrap();
        assert!(w.contains(6, 1) && w.contains(6, 18) && !w.contains(6, 19) && !w.contains(5, 31));
        assert_eq!(Window::parse("03-08").unwrap().from, (3, 8));
        assert!(Window::parse("13-01").unwrap_err().contains("not a date"));
        assert!(
            Window::parse("12-30..01-02")
                .unwrap_err()
                .contains("new year")
        );
        assert!(Window::parse("x").unwrap_err().contains("expected MM-DD"));
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        assert_eq!(AnalyzeConfig::default().validate().unwrap().len(), 6);
        let mut c = AnalyzeConfig::default();
        c.tiers.gold = 9000.0;
        assert!(c.validate().unwrap_err().starts_with("analyze.tiers"));
        let mut c = AnalyzeConfig::default();
        c.rfm.orders = [1.0, 1.0, 2.0, 3.0];
        assert!(c.validate().unwrap_err().contains("analyze.rfm.orders"));
    }
}
