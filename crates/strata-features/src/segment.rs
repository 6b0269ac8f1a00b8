//! Value segmentation: RFM scores and the named segments built on them, the reports' rule
//! segments, spending tiers, customer types, lifecycle stages and city tiers. Pure functions of
//! one customer's features and the configured thresholds, so each label can be explained by the
//! numbers beside it in the customer table.

use crate::config::{AnalyzeConfig, RfmConfig, RfmMethod};

/// Cut points for one RFM dimension: four ascending values splitting customers in five.
pub type Cuts = [f64; 4];

/// The `q`-th lower quantile of sorted values: the value at index `floor(q · (n − 1))` (numpy's
/// `method="lower"`, Polars' `interpolation="lower"`). Values are never interpolated, so a cut
/// point is always a value some customer has.
pub fn lower_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = (q * (sorted.len() - 1) as f64).floor() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Quintile cut points (20th, 40th, 60th and 80th lower quantiles) of finite values, found by
/// selection rather than a full sort.
pub fn quintile_cuts(values: &[f64]) -> Cuts {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return [f64::NAN; 4];
    }
    let n = v.len();
    let mut cuts = [0.0; 4];
    // Select from the top down so each selection works on a shrinking prefix.
    let mut hi = n;
    for k in (0..4).rev() {
        let i = ((k + 1) as f64 * 0.2 * (n - 1) as f64).floor() as usize;
        let (_, x, _) = v[..hi].select_nth_unstable_by(i, f64::total_cmp);
        cuts[k] = *x;
        hi = i + 1;
    }
    cuts
}

/// Score 1–5 where more is better: one plus the number of cut points the value exceeds. Ties
/// share a score, so a dimension with many equal values (one-order customers) uses fewer bins.
#[inline]
pub fn score_up(x: f64, cuts: &Cuts) -> u8 {
    1 + cuts.iter().filter(|&&c| x > c).count() as u8
}

/// Score 1–5 where less is better (recency).
#[inline]
pub fn score_down(x: f64, cuts: &Cuts) -> u8 {
    5 - cuts.iter().filter(|&&c| x > c).count() as u8
}

/// The cut points RFM scoring uses, from the data or the configuration.
#[derive(Debug, Clone, Copy)]
pub struct RfmCuts {
    pub recency: Cuts,
    pub orders: Cuts,
    pub monetary: Cuts,
}

impl RfmCuts {
    pub fn new(cfg: &RfmConfig, recency: &[f64], orders: &[f64], monetary: &[f64]) -> RfmCuts {
        match cfg.method {
            RfmMethod::Quantile => RfmCuts {
                recency: quintile_cuts(recency),
                orders: quintile_cuts(orders),
                monetary: quintile_cuts(monetary),
            },
            RfmMethod::Fixed => RfmCuts {
                recency: cfg.recency_days,
                orders: cfg.orders,
                monetary: cfg.monetary,
            },
        }
    }
}

/// The common named segments, from the recency score and the frequency score.
pub fn rfm_segment(r: u8, f: u8) -> &'static str {
    match (r, f) {
        (5, 4..=5) => "Champions",
        (3..=4, 4..=5) => "Loyal",
        (4..=5, 2..=3) => "Potential loyalist",
        (5, 1) => "New customers",
        (4, 1) => "Promising",
        (3, 3) => "Need attention",
        (3, 1..=2) => "About to sleep",
        (1..=2, 5) => "Cannot lose them",
        (1..=2, 3..=4) => "At risk",
        _ => "Hibernating",
    }
}

/// Every named segment, best first, with what the segment means.
pub const RFM_SEGMENTS: [&str; 10] = [
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New customers",
    "Promising",
    "Need attention",
    "About to sleep",
    "Cannot lose them",
    "At risk",
    "Hibernating",
];

/// The Chinese eight-type scheme: each of R, F and M is high when the customer's score is above
/// the average score of all buyers.
pub fn rfm_class(r_high: bool, f_high: bool, m_high: bool) -> &'static str {
    match (m_high, r_high, f_high) {
        (true, true, true) => "重要价值",
        (true, true, false) => "重要发展",
        (true, false, true) => "重要保持",
        (true, false, false) => "重要挽留",
        (false, true, true) => "一般价值",
        (false, true, false) => "一般发展",
        (false, false, true) => "一般保持",
        (false, false, false) => "一般挽留",
    }
}

pub const RFM_CLASSES: [&str; 8] = [
    "重要价值",
    "重要发展",
    "重要保持",
    "重要挽留",
    "一般价值",
    "一般发展",
    "一般保持",
    "一般挽留",
];

/// The reports' rule segments: `loyal`, `potential_churn` or `regular`.
pub fn rule_segment(
    cfg: &AnalyzeConfig,
    recency_days: f64,
    orders: u32,
    monetary: f64,
) -> &'static str {
    let r = &cfg.rules;
    if recency_days <= r.loyal_max_recency_days
        && orders >= r.loyal_min_orders
        && monetary >= r.loyal_min_monetary
    {
        "loyal"
    } else if recency_days > r.churn_min_recency_days
        && orders <= r.churn_max_orders
        && monetary < r.churn_max_monetary
    {
        "potential_churn"
    } else {
        "regular"
    }
}

/// Spending tier by trailing-12-month spend.
pub fn spend_tier(cfg: &AnalyzeConfig, spend_12m: f64) -> &'static str {
    let t = &cfg.tiers;
    if spend_12m > t.diamond {
        "diamond"
    } else if spend_12m >= t.gold {
        "gold"
    } else if spend_12m >= t.silver {
        "silver"
    } else {
        "bronze"
    }
}

pub const TIERS: [&str; 4] = ["diamond", "gold", "silver", "bronze"];

/// What the type rules look at.
#[derive(Debug, Clone, Copy)]
pub struct TypeInputs {
    pub orders: u32,
    pub top_brand_share: Option<f64>,
    pub coupon_rate: f64,
    pub discount_share: f64,
    pub festival_share: f64,
}

/// Customer type by explainable rules, tested in order: brand-loyal, scenario-driven,
/// price-sensitive, else mixed. Scenario comes before price because festival buyers use the
/// festival's coupons: their coupon rate is high for the occasion, not for the price.
pub fn customer_type(cfg: &AnalyzeConfig, x: TypeInputs) -> &'static str {
    let t = &cfg.types;
    if x.orders >= t.brand_min_orders && x.top_brand_share.is_some_and(|s| s >= t.brand_min_share) {
        "brand_loyal"
    } else if x.festival_share >= t.festival_min_share {
        "scenario_driven"
    } else if x.coupon_rate >= t.coupon_min_rate || x.discount_share >= t.discount_min_share {
        "price_sensitive"
    } else {
        "mixed"
    }
}

pub const TYPES: [&str; 4] = ["brand_loyal", "price_sensitive", "scenario_driven", "mixed"];

/// Lifecycle stage at the analysis date.
pub fn lifecycle(
    cfg: &AnalyzeConfig,
    tenure_days: f64,
    recency_days: f64,
    gap_last_days: Option<f64>,
) -> &'static str {
    let l = &cfg.lifecycle;
    if tenure_days <= l.new_days {
        "new"
    } else if recency_days <= l.active_days {
        if gap_last_days.is_some_and(|g| g >= l.won_back_gap_days) {
            "won_back"
        } else {
            "active"
        }
    } else if recency_days <= l.at_risk_days {
        "at_risk"
    } else if recency_days <= l.churned_days {
        "dormant"
    } else {
        "churned"
    }
}

/// Stages in lifecycle order; `prospect` is a known customer without a paid order.
pub const STAGES: [&str; 7] = [
    "new", "active", "won_back", "at_risk", "dormant", "churned", "prospect",
];

/// Spend level word for composite tags, from the tier.
pub fn spend_level(tier: &str) -> &'static str {
    match tier {
        "diamond" | "gold" => "高消费",
        "silver" => "中消费",
        _ => "低消费",
    }
}

/// City tier (the 2024 ranking of Chinese cities by commercial attractiveness): `tier1`,
/// `new_tier1`, `tier2` or `lower`; `None` for an unknown city.
pub fn city_tier(city: &str) -> &'static str {
    const TIER1: [&str; 4] = ["北京", "上海", "广州", "深圳"];
    const NEW_TIER1: [&str; 15] = [
        "成都", "杭州", "重庆", "苏州", "武汉", "西安", "南京", "长沙", "天津", "郑州", "东莞",
        "无锡", "宁波", "青岛", "合肥",
    ];
    const TIER2: [&str; 30] = [
        "佛山",
        "沈阳",
        "昆明",
        "济南",
        "厦门",
        "福州",
        "温州",
        "大连",
        "哈尔滨",
        "长春",
        "泉州",
        "石家庄",
        "南宁",
        "金华",
        "贵阳",
        "南昌",
        "常州",
        "嘉兴",
        "珠海",
        "南通",
        "惠州",
        "太原",
        "中山",
        "徐州",
        "绍兴",
        "台州",
        "烟台",
        "兰州",
        "潍坊",
        "临沂",
    ];
    let c = city.trim_end_matches('市');
    if TIER1.contains(&c) {
        "tier1"
    } else if NEW_TIER1.contains(&c) {
        "new_tier1"
    } else if TIER2.contains(&c) {
        "tier2"
    } else {
        "lower"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_are_lower_quantiles_and_ties_share_scores() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        // floor(0.2·9)=1 → 2, floor(0.4·9)=3 → 4, floor(0.6·9)=5 → 6, floor(0.8·9)=7 → 8.
        assert_eq!(quintile_cuts(&v), [2.0, 4.0, 6.0, 8.0]);
        let scores: Vec<u8> = v
            .iter()
            .map(|&x| score_up(x, &[2.0, 4.0, 6.0, 8.0]))
            .collect();
        assert_eq!(scores, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        let down: Vec<u8> = v
            .iter()
            .map(|&x| score_down(x, &[2.0, 4.0, 6.0, 8.0]))
            .collect();
        assert_eq!(down, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
        // Half the customers bought once: they all score 1, nobody scores 2.
        let orders = [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
        let cuts = quintile_cuts(&orders);
        assert_eq!(cuts, [1.0, 1.0, 2.0, 5.0]);
        assert_eq!(score_up(1.0, &cuts), 1);
        assert_eq!(score_up(2.0, &cuts), 3);
        assert_eq!(score_up(13.0, &cuts), 5);
        assert!(quintile_cuts(&[f64::NAN]).iter().all(|c| c.is_nan()));
        assert_eq!(lower_quantile(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }

    #[test]
    fn every_cell_of_the_rf_grid_has_one_segment() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                seen.insert(rfm_segment(r, f));
            }
        }
        assert_eq!(seen.len(), RFM_SEGMENTS.len());
        assert_eq!(rfm_segment(5, 5), "Champions");
        assert_eq!(rfm_segment(1, 1), "Hibernating");
        assert_eq!(rfm_segment(1, 5), "Cannot lose them");
        assert_eq!(rfm_class(true, false, true), "重要发展");
        assert_eq!(rfm_class(false, false, false), "一般挽留");
    }

    #[test]
    fn rules_tiers_types_and_stages_follow_the_thresholds() {
        let c = AnalyzeConfig::default();
        assert_eq!(rule_segment(&c, 30.0, 5, 5000.0), "loyal");
        assert_eq!(rule_segment(&c, 31.0, 5, 5000.0), "regular");
        assert_eq!(rule_segment(&c, 91.0, 2, 999.0), "potential_churn");
        assert_eq!(rule_segment(&c, 90.0, 2, 999.0), "regular");
        assert_eq!(spend_tier(&c, 5000.01), "diamond");
        assert_eq!(spend_tier(&c, 5000.0), "gold");
        assert_eq!(spend_tier(&c, 499.99), "bronze");
        let x = TypeInputs {
            orders: 3,
            top_brand_share: Some(0.6),
            coupon_rate: 0.9,
            discount_share: 0.0,
            festival_share: 0.0,
        };
        assert_eq!(customer_type(&c, x), "brand_loyal");
        let x = TypeInputs { orders: 2, ..x };
        assert_eq!(customer_type(&c, x), "price_sensitive");
        let x = TypeInputs {
            festival_share: 0.5,
            ..x
        };
        assert_eq!(
            customer_type(&c, x),
            "scenario_driven",
            "festival before price"
        );
        let x = TypeInputs {
            coupon_rate: 0.1,
            festival_share: 0.1,
            ..x
        };
        assert_eq!(customer_type(&c, x), "mixed");
        assert_eq!(lifecycle(&c, 10.0, 10.0, None), "new");
        assert_eq!(lifecycle(&c, 400.0, 10.0, Some(200.0)), "won_back");
        assert_eq!(lifecycle(&c, 400.0, 10.0, Some(20.0)), "active");
        assert_eq!(lifecycle(&c, 400.0, 100.0, None), "at_risk");
        assert_eq!(lifecycle(&c, 400.0, 200.0, None), "dormant");
        assert_eq!(lifecycle(&c, 400.0, 366.0, None), "churned");
        assert_eq!(city_tier("上海市"), "tier1");
        assert_eq!(city_tier("宁波"), "new_tier1");
        assert_eq!(city_tier("太原"), "tier2");
        assert_eq!(city_tier("Springfield"), "lower");
    }
}
