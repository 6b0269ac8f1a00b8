//! What a campaign is: its audience, channels per pyramid level, offers, contact window,
//! holdout, budget and the KPI it is judged by. Written as TOML (a campaign file) or built
//! from command-line flags; checked here, every problem at once, each naming its setting.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{CampaignError, Result};

/// A way to reach a customer, with what it costs by default and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
    Wechat,
    Ads,
    Call,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Sms,
        Channel::Email,
        Channel::Wechat,
        Channel::Ads,
        Channel::Call,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Wechat => "wechat",
            Channel::Ads => "ads",
            Channel::Call => "call",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        let t = text.trim().to_ascii_lowercase();
        Channel::ALL.into_iter().find(|c| c.word() == t)
    }

    /// The source reports' costs per contact: email 0.8 a send, SMS 0.3 a message, social ads
    /// 1.2 a click, a one-to-one call about 48; a WeChat template message is taken as 0.1.
    /// Settings override them (`[campaigns.costs]`).
    pub fn default_cost(self) -> f64 {
        match self {
            Channel::Sms => 0.3,
            Channel::Email => 0.8,
            Channel::Wechat => 0.1,
            Channel::Ads => 1.2,
            Channel::Call => 48.0,
        }
    }

    /// The contact detail a send through this channel needs, if any.
    pub fn needs(self) -> Option<&'static str> {
        match self {
            Channel::Sms | Channel::Call => Some("phone"),
            Channel::Email => Some("email"),
            Channel::Wechat | Channel::Ads => None,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A level of the reach pyramid: all customers → tiered → core → VIP. A customer's level
/// comes from their spend tier ([`Level::of_tier`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Vip,
    Core,
    Tiered,
    All,
}

impl Level {
    /// From the top of the pyramid down.
    pub const ALL: [Level; 4] = [Level::Vip, Level::Core, Level::Tiered, Level::All];

    pub fn word(self) -> &'static str {
        match self {
            Level::Vip => "vip",
            Level::Core => "core",
            Level::Tiered => "tiered",
            Level::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        let t = text.trim().to_ascii_lowercase();
        Level::ALL.into_iter().find(|l| l.word() == t)
    }

    /// Diamond customers are the VIPs, gold the core, silver and bronze the tiered base;
    /// customers without a spend tier (no purchase in the year) are only in `all`.
    pub fn of_tier(spend_tier: Option<&str>) -> Level {
        match spend_tier {
            Some("diamond") => Level::Vip,
            Some("gold") => Level::Core,
            Some("silver" | "bronze") => Level::Tiered,
            _ => Level::All,
        }
    }

    /// The channels a level may be reached through unless a campaign says otherwise: the
    /// pyramid of the source reports, richer and dearer towards the top.
    pub fn default_channels(self) -> Vec<Channel> {
        match self {
            Level::Vip => vec![Channel::Call, Channel::Wechat, Channel::Sms],
            Level::Core => vec![Channel::Wechat, Channel::Sms, Channel::Email],
            Level::Tiered => vec![Channel::Sms, Channel::Email],
            Level::All => vec![Channel::Email, Channel::Ads],
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// What a campaign is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Share of customers with a paid order in the measurement window.
    Conversion,
    /// Share of customers who had bought before and bought again in the window.
    Repurchase,
    /// Paid revenue in the window per customer (buyers or not).
    RevenuePerCustomer,
    /// Share of customers with any event (a visit) in the window.
    Visit,
}

impl Kpi {
    pub const ALL: [Kpi; 4] = [
        Kpi::Conversion,
        Kpi::Repurchase,
        Kpi::RevenuePerCustomer,
        Kpi::Visit,
    ];

    pub fn word(self) -> &'static str {
        match self {
            Kpi::Conversion => "conversion",
            Kpi::Repurchase => "repurchase",
            Kpi::RevenuePerCustomer => "revenue_per_customer",
            Kpi::Visit => "visit",
        }
    }

    pub fn parse(text: &str) -> Option<Kpi> {
        let t = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Kpi::ALL.into_iter().find(|k| k.word() == t)
    }

    /// Rates are shares (0–1); revenue per customer is money.
    pub fn is_rate(self) -> bool {
        !matches!(self, Kpi::RevenuePerCustomer)
    }
}

impl fmt::Display for Kpi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Who a campaign reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    /// A saved segment.
    pub segment: String,
    /// `members`: everyone in the segment when the plan is made; `entered`: only those who
    /// entered it at its latest refresh (a trigger, as campaigns on entry are).
    pub trigger: Trigger,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Members,
    Entered,
}

/// A campaign, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub name: String,
    pub description: Option<String>,
    /// None for a campaign sent elsewhere and recorded from its receipts only.
    pub audience: Option<Audience>,
    /// The channels each pyramid level may be reached through, in order of preference.
    pub channels: BTreeMap<Level, Vec<Channel>>,
    /// The offer per level, spend tier or customer type (`default` for the rest).
    pub offers: BTreeMap<String, String>,
    /// The contact window, local days, both included. None: the day after the analysis date,
    /// for a week.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Days after each contact in which its effect is measured.
    pub measure_days: u32,
    /// The share of the planned audience held back (0 for none), drawn per tier.
    pub holdout: f64,
    /// Makes the holdout reproducible.
    pub seed: u64,
    /// The most the contacts may cost, in the shop's currency.
    pub budget: Option<f64>,
    /// Shares of the budget per customer type (summing to 1); empty: no split.
    pub budget_shares: BTreeMap<String, f64>,
    pub kpi: Kpi,
    /// The KPI's target: a share for rates (0.12 for 12%), money for revenue per customer.
    pub target: Option<f64>,
}

/// The customer types a budget can be split over (strata-features' `customer_type`).
pub const CUSTOMER_TYPES: [&str; 4] =
    ["brand_loyal", "price_sensitive", "scenario_driven", "mixed"];
/// The spend tiers (strata-features' `spend_tier`).
pub const SPEND_TIERS: [&str; 4] = ["diamond", "gold", "silver", "bronze"];

/// The campaign file as written: every field optional, unknown fields refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    pub description: Option<String>,
    pub segment: Option<String>,
    pub trigger: Option<String>,
    pub channels: Option<BTreeMap<String, Vec<String>>>,
    pub offers: Option<BTreeMap<String, String>>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub measure_days: Option<i64>,
    pub holdout: Option<f64>,
    pub seed: Option<i64>,
    pub budget: Option<f64>,
    pub budget_shares: Option<BTreeMap<String, f64>>,
    pub kpi: Option<String>,
    pub target: Option<f64>,
}

impl CampaignFile {
    /// Reads a campaign file; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<CampaignFile> {
        toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                    format!("{origin}:{line}:{column}")
                })
                .unwrap_or_else(|| origin.to_string());
            CampaignError::Invalid(format!("{place}: {}", e.message()))
        })
    }

    /// Fields set here replace those of `base` (flags over a file).
    pub fn over(self, base: CampaignFile) -> CampaignFile {
        CampaignFile {
            description: self.description.or(base.description),
            segment: self.segment.or(base.segment),
            trigger: self.trigger.or(base.trigger),
            channels: self.channels.or(base.channels),
            offers: self.offers.or(base.offers),
            start: self.start.or(base.start),
            end: self.end.or(base.end),
            measure_days: self.measure_days.or(base.measure_days),
            holdout: self.holdout.or(base.holdout),
            seed: self.seed.or(base.seed),
            budget: self.budget.or(base.budget),
            budget_shares: self.budget_shares.or(base.budget_shares),
            kpi: self.kpi.or(base.kpi),
            target: self.target.or(base.target),
        }
    }

    /// Checks every field and gives the campaign, or every problem at once.
    pub fn check(self, name: &str) -> Result<Campaign> {
        let mut problems = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            problems.push("the campaign needs a name".to_string());
        }
        let audience = match (self.segment, self.trigger.as_deref()) {
            (Some(s), t) => {
                let trigger = match t.map(|t| t.trim().to_ascii_lowercase()) {
                    None => Trigger::Members,
                    Some(t) if t == "members" => Trigger::Members,
                    Some(t) if t == "entered" || t == "entry" => Trigger::Entered,
                    Some(t) => {
                        problems.push(format!(
                            "`trigger` is `{t}`, expected `members` (everyone in the segment) or `entered` (those who entered it at its latest refresh)"
                        ));
                        Trigger::Members
                    }
                };
                Some(Audience {
                    segment: s.trim().to_string(),
                    trigger,
                })
            }
            (None, Some(_)) => {
                problems.push("`trigger` is set but `segment` is not: name the segment whose entries trigger the campaign".into());
                None
            }
            (None, None) => None,
        };
        let mut channels: BTreeMap<Level, Vec<Channel>> = Level::ALL
            .into_iter()
            .map(|l| (l, l.default_channels()))
            .collect();
        for (level, list) in self.channels.unwrap_or_default() {
            let Some(l) = Level::parse(&level) else {
                problems.push(format!(
                    "`channels.{level}`: no pyramid level `{level}`, expected one of vip, core, tiered, all"
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for c in &list {
                match Channel::parse(c) {
                    Some(c) if !parsed.contains(&c) => parsed.push(c),
                    Some(_) => {}
                    None => problems.push(format!(
                        "`channels.{level}`: no channel `{c}`, expected sms, email, wechat, ads or call"
                    )),
                }
            }
            channels.insert(l, parsed);
        }
        let offers = self.offers.unwrap_or_default();
        for key in offers.keys() {
            let k = key.as_str();
            if k != "default"
                && Level::parse(k).is_none()
                && !SPEND_TIERS.contains(&k)
                && !CUSTOMER_TYPES.contains(&k)
            {
                problems.push(format!(
                    "`offers.{k}`: offers are given per pyramid level (vip, core, tiered, all), spend tier ({}), customer type ({}) or `default`",
                    SPEND_TIERS.join(", "),
                    CUSTOMER_TYPES.join(", ")
                ));
            }
        }
        let date = |field: &str, v: Option<String>, problems: &mut Vec<String>| {
            v.and_then(|s| {
                let t = s.trim().replace('/', "-");
                NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                    .map_err(|_| {
                        problems.push(format!(
                            "`{field}` is `{s}`, expected a date like 2026-11-01"
                        ))
                    })
                    .ok()
            })
        };
        let start = date("start", self.start, &mut problems);
        let end = date("end", self.end, &mut problems);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            problems.push(format!(
                "`end` ({e}) is before `start` ({s}): the contact window would be empty"
            ));
        }
        let measure_days = match self.measure_days {
            None => 14,
            Some(d) if (1..=365).contains(&d) => d as u32,
            Some(d) => {
                problems.push(format!(
                    "`measure_days` is {d}, expected a number of days from 1 to 365"
                ));
                14
            }
        };
        let holdout = match self.holdout {
            None => 0.1,
            Some(h) if (0.0..=0.9).contains(&h) => h,
            Some(h) => {
                problems.push(format!(
                    "`holdout` is {h}, expected the share held back, from 0 to 0.9 (0.1 holds back 10%)"
                ));
                0.1
            }
        };
        let seed = match self.seed {
            None => xxhash_rust::xxh3::xxh3_64(name.as_bytes()),
            Some(s) if s >= 0 => s as u64,
            Some(s) => {
                problems.push(format!(
                    "`seed` is {s}, expected a whole number of 0 or more"
                ));
                0
            }
        };
        if let Some(b) = self.budget
            && !(b.is_finite() && b > 0.0)
        {
            problems.push(format!(
                "`budget` is {b}, expected an amount above 0 (leave it out for no budget)"
            ));
        }
        let budget_shares = self.budget_shares.unwrap_or_default();
        if !budget_shares.is_empty() {
            for (k, v) in &budget_shares {
                if !CUSTOMER_TYPES.contains(&k.as_str()) {
                    problems.push(format!(
                        "`budget_shares.{k}`: no customer type `{k}`, expected {}",
                        CUSTOMER_TYPES.join(", ")
                    ));
                }
                if !(v.is_finite() && *v >= 0.0) {
                    problems.push(format!(
                        "`budget_shares.{k}` is {v}, expected a share from 0 to 1"
                    ));
                }
            }
            let total: f64 = budget_shares.values().sum();
            if (total - 1.0).abs() > 1e-6 {
                problems.push(format!(
                    "`budget_shares` add up to {total}, expected 1 (like brand_loyal = 0.25, price_sensitive = 0.45, scenario_driven = 0.30)"
                ));
            }
            if self.budget.is_none() {
                problems.push(
                    "`budget_shares` is set but `budget` is not: give the budget to split".into(),
                );
            }
        }
        let kpi = match self.kpi.as_deref() {
            None => Kpi::Conversion,
            Some(k) => Kpi::parse(k).unwrap_or_else(|| {
                problems.push(format!(
                    "`kpi` is `{k}`, expected conversion, repurchase, revenue_per_customer or visit"
                ));
                Kpi::Conversion
            }),
        };
        if let Some(t) = self.target {
            let ok = if kpi.is_rate() {
                (0.0..=1.0).contains(&t)
            } else {
                t.is_finite() && t >= 0.0
            };
            if !ok {
                problems.push(if kpi.is_rate() {
                    format!(
                        "`target` is {t}, expected a share from 0 to 1 for {kpi} (0.12 for 12%)"
                    )
                } else {
                    format!("`target` is {t}, expected an amount of 0 or more for {kpi}")
                });
            }
        }
        if !problems.is_empty() {
            return Err(CampaignError::Spec {
                campaign: name.to_string(),
                problems,
            });
        }
        Ok(Campaign {
            name: name.to_string(),
            description: self.description,
            audience,
            channels,
            offers,
            start,
            end,
            measure_days,
            holdout,
            seed,
            budget: self.budget,
            budget_shares,
            kpi,
            target: self.target,
        })
    }
}

impl Campaign {
    /// The offer for a customer: the most specific of customer type, spend tier, level, then
    /// `default`.
    pub fn offer_for(
        &self,
        level: Level,
        spend_tier: Option<&str>,
        customer_type: Option<&str>,
    ) -> Option<&str> {
        customer_type
            .and_then(|t| self.offers.get(t))
            .or_else(|| spend_tier.and_then(|t| self.offers.get(t)))
            .or_else(|| self.offers.get(level.word()))
            .or_else(|| self.offers.get("default"))
            .map(String::as_str)
    }

    /// The campaign as a TOML file that [`CampaignFile::from_toml`] reads back.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        if let Some(d) = &self.description {
            out += &format!("description = {}\n", q(d));
        }
        if let Some(a) = &self.audience {
            out += &format!("segment = {}\n", q(&a.segment));
            if a.trigger == Trigger::Entered {
                out += "trigger = \"entered\"\n";
            }
        }
        out += &format!("kpi = \"{}\"\n", self.kpi);
        if let Some(t) = self.target {
            out += &format!("target = {t}\n");
        }
        if let Some(s) = self.start {
            out += &format!("start = \"{s}\"\n");
        }
        if let Some(e) = self.end {
            out += &format!("end = \"{e}\"\n");
        }
        out += &format!("measure_days = {}\n", self.measure_days);
        out += &format!("holdout = {}\n", self.holdout);
        out += &format!("seed = {}\n", self.seed as i64);
        if let Some(b) = self.budget {
            out += &format!("budget = {b}\n");
        }
        out += "\n[channels]\n";
        for (l, list) in &self.channels {
            let words: Vec<String> = list.iter().map(|c| format!("\"{c}\"")).collect();
            out += &format!("{l} = [{}]\n", words.join(", "));
        }
        if !self.offers.is_empty() {
            out += "\n[offers]\n";
            for (k, v) in &self.offers {
                out += &format!("{} = {}\n", q(k), q(v));
            }
        }
        if !self.budget_shares.is_empty() {
            out += "\n[budget_shares]\n";
            for (k, v) in &self.budget_shares {
                out += &format!("{k} = {v}\n");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_checks_and_round_trips() {
        let text = r#"
description = "双11 召回"
segment = "高价值流失预警"
kpi = "conversion"
target = 0.12
start = "2026-11-01"
end = "2026/11/07"
holdout = 0.2
seed = 7
budget = 50000

[channels]
vip = ["call", "sms"]
all = ["email"]

[offers]
diamond = "100 off 500"
default = "free shipping over 200"

[budget_shares]
brand_loyal = 0.25
price_sensitive = 0.45
scenario_driven = 0.30
"#;
        let c = CampaignFile::from_toml(text, "c.toml")
            .unwrap()
            .check("winback")
            .unwrap();
        assert_eq!(c.audience.as_ref().unwrap().segment, "高价值流失预警");
        assert_eq!(c.channels[&Level::Vip], vec![Channel::Call, Channel::Sms]);
        assert_eq!(c.channels[&Level::Core], Level::Core.default_channels());
        assert_eq!(c.end, NaiveDate::from_ymd_opt(2026, 11, 7));
        assert_eq!(
            c.offer_for(Level::Vip, Some("diamond"), None),
            Some("100 off 500")
        );
        assert_eq!(
            c.offer_for(Level::Core, Some("gold"), Some("mixed")),
            Some("free shipping over 200")
        );
        let again = CampaignFile::from_toml(&c.to_toml(), "again")
            .unwrap()
            .check("winback")
            .unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let file = CampaignFile {
            holdout: Some(1.5),
            budget: Some(-3.0),
            kpi: Some("sales".into()),
            channels: Some(BTreeMap::from([(
                "gold".to_string(),
                vec!["sms".to_string()],
            )])),
            start: Some("2026-11-10".into()),
            end: Some("2026-11-01".into()),
            ..Default::default()
        };
        let e = file.check("x").unwrap_err().to_string();
        for want in [
            "`holdout` is 1.5",
            "`budget` is -3",
            "`kpi` is `sales`",
            "`channels.gold`: no pyramid level",
            "`end` (2026-11-01) is before `start`",
        ] {
            assert!(e.contains(want), "{want} missing from {e}");
        }
    }

    #[test]
    fn file_errors_say_where() {
        let e = CampaignFile::from_toml("holdout = 0.1\nbudgt = 5\n", "c.toml").unwrap_err();
        let e = e.to_string();
        assert!(e.starts_with("c.toml:2:1:"), "{e}");
        assert!(e.contains("budgt"), "{e}");
    }

    #[test]
    fn levels_follow_spend_tiers() {
        assert_eq!(Level::of_tier(Some("diamond")), Level::Vip);
        assert_eq!(Level::of_tier(Some("bronze")), Level::Tiered);
        assert_eq!(Level::of_tier(None), Level::All);
    }
}
