//! Settings: `strata.toml` kept with a workspace, the `STRATA_*` environment, and explicit
//! overrides (a command-line flag, an API field), resolved here and only here. Precedence is
//! file < environment < override.

use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use strata_churn::ChurnConfig;
use strata_features::AnalyzeConfig;
use strata_import::ValueOptions;
use strata_store::DEFAULT_TIMEZONE;

use crate::error::{Error, Result};

/// The settings file's name inside a workspace.
pub const FILE: &str = "strata.toml";

/// The file `init` writes, with every setting and its default.
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
# Times later than the import's clock plus this many days are rejected as typos (a wrong year
# would move the analysis date); raise it for shops that export scheduled orders.
future_tolerance_days = 1

[history]
# Earlier generations kept for `strata undo` (their files stay on disk until they fall out).
keep = 10

[segments]
# The secret audience webhooks are signed with (X-Strata-Signature: sha256=HMAC of the body).
# STRATA_WEBHOOK_SECRET in the environment wins; keep this file private if you set it here.
# webhook_secret = "…"

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

/// `strata.toml` as written: every field may be missing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default)]
    pub import: ImportFile,
    #[serde(default)]
    pub history: HistoryFile,
    #[serde(default)]
    pub analyze: AnalyzeConfig,
    #[serde(default)]
    pub churn: ChurnConfig,
    #[serde(default)]
    pub segments: SegmentsFile,
}

/// `[segments]` of the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentsFile {
    /// The secret audience webhooks are signed with (HMAC-SHA256).
    pub webhook_secret: Option<String>,
}

/// `[history]` of the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryFile {
    pub keep: Option<u64>,
}

/// `[import]` of the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub decimal_comma: Option<bool>,
    pub day_first: Option<bool>,
    pub future_tolerance_days: Option<f64>,
}

impl File {
    /// Reads the workspace's settings file, or the defaults when there is none.
    pub fn load(workspace: &Path) -> Result<File> {
        let path = workspace.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::Settings {
                path,
                source: Box::new(e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
            Err(e) => Err(crate::error::io(path)(e)),
        }
    }
}

/// Values that win over the file and the environment, as a front end collects them.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub decimal_comma: Option<bool>,
    pub day_first: Option<bool>,
    pub as_of: Option<NaiveDate>,
}

/// Where environment variables come from: the process (`std::env::var`), or nothing (a server
/// that takes its settings from requests only, a test).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, ignoring empty values.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Every setting, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How import reads values: time zone, currency, decimal comma, day-first dates.
    pub values: ValueOptions,
    /// The customer table's settings; `timezone` is always set and `as_of` as resolved.
    pub analyze: AnalyzeConfig,
    pub churn: ChurnConfig,
    /// Earlier generations a commit keeps for undo.
    pub history_keep: usize,
    /// The secret audience webhooks are signed with: `STRATA_WEBHOOK_SECRET`, else
    /// `[segments] webhook_secret`.
    pub webhook_secret: Option<String>,
}

impl Settings {
    /// Resolves the workspace's settings with the process environment and `overrides`.
    pub fn load(workspace: &Path, overrides: &Overrides) -> Result<Settings> {
        Settings::resolve(File::load(workspace)?, &process_env, overrides)
    }

    /// File < environment < overrides.
    pub fn resolve(file: File, env: Env<'_>, o: &Overrides) -> Result<Settings> {
        let env_tz = env("STRATA_TIMEZONE");
        let pick = |over: &Option<String>, var: Option<String>, file: &Option<String>| {
            over.clone().or(var).or_else(|| file.clone())
        };
        let mut values = ValueOptions::default();
        if let Some(tz) = pick(&o.timezone, env_tz.clone(), &file.import.timezone) {
            values.tz = timezone(&tz)?;
        }
        if let Some(c) = pick(&o.currency, env("STRATA_CURRENCY"), &file.import.currency) {
            values.default_currency = currency_code(&c)?;
        }
        values.decimal_comma = flag(o.decimal_comma, env, "STRATA_DECIMAL_COMMA")?
            .or(file.import.decimal_comma)
            .unwrap_or(false);
        values.day_first = flag(o.day_first, env, "STRATA_DAY_FIRST")?
            .or(file.import.day_first)
            .unwrap_or(false);
        if let Some(days) = file.import.future_tolerance_days {
            if !(days.is_finite() && (0.0..=36_500.0).contains(&days)) {
                return Err(Error::invalid(format!(
                    "[import] future_tolerance_days = {days}: expected a number of days from 0 \
                     to 36500 (1: times up to a day after the import are accepted)"
                )));
            }
            values.future_tolerance_secs = Some((days * 86_400.0).round() as i64);
        }

        let mut analyze = file.analyze;
        // The analysis reads times in its own zone when the file sets one, else import's.
        let tz = o
            .timezone
            .clone()
            .or(env_tz)
            .or_else(|| analyze.timezone.clone())
            .or(file.import.timezone)
            .unwrap_or_else(|| DEFAULT_TIMEZONE.to_string());
        timezone(&tz)?;
        analyze.timezone = Some(tz);
        if let Some(d) = o.as_of {
            analyze.as_of = Some(d);
        } else if let Some(text) = env("STRATA_AS_OF") {
            analyze.as_of = Some(
                crate::dates::parse_date(&text)
                    .map_err(|e| Error::invalid(format!("STRATA_AS_OF {e}")))?,
            );
        }
        let history_keep = match file.history.keep {
            None => strata_store::DEFAULT_KEEP,
            Some(k) if k <= 1000 => k as usize,
            Some(k) => {
                return Err(Error::invalid(format!(
                    "[history] keep = {k}: expected 0 to 1000 earlier generations (0: no undo)"
                )));
            }
        };
        let webhook_secret = env("STRATA_WEBHOOK_SECRET").or(file.segments.webhook_secret);
        Ok(Settings {
            values,
            analyze,
            churn: file.churn,
            history_keep,
            webhook_secret,
        })
    }

    /// The analysis time zone's name.
    pub fn timezone_name(&self) -> &str {
        self.analyze.timezone.as_deref().unwrap_or(DEFAULT_TIMEZONE)
    }

    /// The analysis time zone.
    pub fn timezone(&self) -> Tz {
        timezone(self.timezone_name()).unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

fn timezone(name: &str) -> Result<Tz> {
    Ok(strata_store::parse_timezone(name)?)
}

fn flag(over: Option<bool>, env: Env<'_>, name: &str) -> Result<Option<bool>> {
    if over.is_some() {
        return Ok(over);
    }
    let Some(text) = env(name) else {
        return Ok(None);
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" => Ok(Some(true)),
        "0" | "false" | "no" | "n" | "off" => Ok(Some(false)),
        _ => Err(Error::invalid(format!(
            "{name} `{text}`: expected true or false"
        ))),
    }
}

/// Currencies that amounts without a symbol may be in.
pub const CURRENCIES: &[&str] = &[
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "SGD", "KRW", "AUD", "CAD", "CHF", "MYR",
    "THB", "IDR", "VND", "PHP", "INR", "NZD",
];

fn currency_code(s: &str) -> Result<&'static str> {
    let up = s.trim().to_ascii_uppercase();
    CURRENCIES
        .iter()
        .find(|k| **k == up)
        .copied()
        .ok_or_else(|| {
            Error::invalid(format!(
                "unknown currency `{s}`; expected an ISO code such as {}",
                CURRENCIES.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_valid_and_complete() {
        let c: File = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(c.import.timezone.as_deref(), Some(DEFAULT_TIMEZONE));
        assert_eq!(c.import.decimal_comma, Some(false));
        assert_eq!(c.analyze, AnalyzeConfig::default());
        c.analyze.validate().unwrap();
        assert_eq!(c.churn, ChurnConfig::default());
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn file(text: &str) -> File {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn file_then_environment_then_overrides() {
        let f = || file("[import]\ntimezone = \"Europe/Berlin\"\ncurrency = \"EUR\"\n");
        let none = env_of(&[]);
        let s = Settings::resolve(f(), &none, &Overrides::default()).unwrap();
        assert_eq!(s.values.tz, chrono_tz::Europe::Berlin);
        assert_eq!(s.values.default_currency, "EUR");
        assert_eq!(s.timezone_name(), "Europe/Berlin");
        let env = env_of(&[("STRATA_TIMEZONE", "UTC"), ("STRATA_DAY_FIRST", "1")]);
        let s = Settings::resolve(f(), &env, &Overrides::default()).unwrap();
        assert_eq!(s.values.tz, chrono_tz::UTC);
        assert_eq!(s.timezone_name(), "UTC");
        assert!(s.values.day_first);
        let o = Overrides {
            timezone: Some("Asia/Tokyo".into()),
            day_first: Some(false),
            ..Overrides::default()
        };
        let s = Settings::resolve(f(), &env, &o).unwrap();
        assert_eq!(s.values.tz, chrono_tz::Asia::Tokyo);
        assert!(!s.values.day_first);
        let s = Settings::resolve(File::default(), &none, &Overrides::default()).unwrap();
        assert_eq!(s.timezone_name(), DEFAULT_TIMEZONE);
    }

    #[test]
    fn the_analysis_zone_of_the_file_wins_over_imports_but_not_over_the_environment() {
        let f = || file("[import]\ntimezone = \"UTC\"\n[analyze]\ntimezone = \"Asia/Tokyo\"\n");
        let none = env_of(&[]);
        let s = Settings::resolve(f(), &none, &Overrides::default()).unwrap();
        assert_eq!(s.timezone_name(), "Asia/Tokyo");
        assert_eq!(s.values.tz, chrono_tz::UTC);
        let env = env_of(&[("STRATA_TIMEZONE", "Europe/Paris")]);
        let s = Settings::resolve(f(), &env, &Overrides::default()).unwrap();
        assert_eq!(s.timezone_name(), "Europe/Paris");
    }

    #[test]
    fn bad_values_name_the_setting() {
        let none = env_of(&[]);
        let e = Settings::resolve(
            file("[import]\ncurrency = \"XXX\"\n"),
            &none,
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown currency `XXX`"), "{e}");
        let env = env_of(&[("STRATA_DECIMAL_COMMA", "maybe")]);
        let e = Settings::resolve(File::default(), &env, &Overrides::default()).unwrap_err();
        assert!(
            e.to_string().contains("STRATA_DECIMAL_COMMA `maybe`"),
            "{e}"
        );
        let env = env_of(&[("STRATA_TIMEZONE", "Mars/Base")]);
        let e = Settings::resolve(File::default(), &env, &Overrides::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Invalid);
        let env = env_of(&[("STRATA_AS_OF", "soon")]);
        let e = Settings::resolve(File::default(), &env, &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains("STRATA_AS_OF `soon`"), "{e}");
        let e = Settings::resolve(
            file("[import]\nfuture_tolerance_days = -1\n"),
            &none,
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("[import] future_tolerance_days = -1: expected a number of days"),
            "{e}"
        );
    }

    #[test]
    fn future_tolerance_is_a_day_unless_the_file_says_otherwise() {
        let none = env_of(&[]);
        let s = Settings::resolve(File::default(), &none, &Overrides::default()).unwrap();
        assert_eq!(s.values.future_tolerance_secs, Some(86_400));
        let f = file("[import]\nfuture_tolerance_days = 7\n");
        let s = Settings::resolve(f, &none, &Overrides::default()).unwrap();
        assert_eq!(s.values.future_tolerance_secs, Some(7 * 86_400));
        let f = file("[import]\nfuture_tolerance_days = 0.5\n");
        let s = Settings::resolve(f, &none, &Overrides::default()).unwrap();
        assert_eq!(s.values.future_tolerance_secs, Some(43_200));
    }
}
