//! The methods appendix: every definition and threshold the numbers rest on.

use std::fmt::Display;

use strata_charts::Lang;
use strata_features::config::{LifecycleConfig, RuleConfig, TierConfig, TypeConfig};
use strata_features::value::ValueMeta;

use crate::format::pct;

texts! {
    title: "方法说明", "Methods";
    item: "项目", "Item";
    definition: "定义与阈值", "Definition and thresholds";
    caption: "所有阈值可在工作区的 strata.toml [analyze] 中修改；客户表的每一列见 docs/data-model.md。", "Every threshold is set in the workspace's strata.toml under [analyze]; every column of the customer table is described in docs/data-model.md.";
    analysis_date: "分析日期", "Analysis date";
    purchase: "购买", "Purchase";
    purchase_text: "状态为已付款（或未注明状态）的订单；退款、取消、待付款订单不算购买，退款单独计数", "an order with status paid (or no status); refunded, cancelled and pending orders are not purchases, refunds are counted apart";
    rfm: "R / F / M", "R / F / M";
    rfm_text: "R：距分析日结束的天数；F：付款订单数；M：付款金额合计", "R: days from the last paid order to the end of the analysis date; F: paid orders; M: total paid";
    rfm_scoring: "RFM 打分方法", "RFM scoring";
    quantile_scoring: "按买家自身数值的五分位切分（下分位数：排序后第 floor(q·(n−1)) 个值），并列值同分", "quintiles of the buyers' own values (lower quantiles: the value at floor(q·(n−1)) when sorted); ties share a score";
    fixed_scoring: "按 strata.toml 中的固定切分点", "fixed cut points from strata.toml";
    r_cuts: "R 切分点（天）", "R cut points (days)";
    f_cuts: "F 切分点（单）", "F cut points (orders)";
    m_cuts: "M 切分点", "M cut points";
    rfm_segments: "RFM 分群", "RFM segments";
    rfm_segments_text: "由 R 与 F 得分确定：冠军 R5F4–5；忠诚 R3–4F4–5；潜力 R4–5F2–3；新客户 R5F1；有望 R4F1；需要关注 R3F3；即将沉睡 R3F1–2；不能失去 R1–2F5；流失风险 R1–2F3–4；沉睡 R1–2F1–2", "from the R and F scores: Champions R5 F4–5; Loyal R3–4 F4–5; Potential loyalist R4–5 F2–3; New customers R5 F1; Promising R4 F1; Need attention R3 F3; About to sleep R3 F1–2; Cannot lose them R1–2 F5; At risk R1–2 F3–4; Hibernating R1–2 F1–2";
    eight_types: "八类客户", "Eight-type scheme";
    spending_tiers: "消费等级", "Spending tiers";
    festival_windows: "大促窗口", "Festival windows";
    lifecycle: "生命周期", "Lifecycle";
    lifetime_value: "终身价值", "Lifetime value";
    not_enabled: "未启用", "not enabled";
    city_tiers_text: "按 2024 年城市商业魅力排行：一线 4 城、新一线 15 城、二线 30 城，其余为三线及以下", "by the 2024 ranking of Chinese cities: 4 tier-1, 15 new tier-1, 30 tier-2 cities; the rest tier 3 and below";
    data: "数据", "Data";
}

pub fn analysis_date_text(lang: Lang, as_of: impl Display, timezone: &str) -> String {
    match lang {
        Lang::Zh => format!("{as_of}（之后的订单不计入；时区 {timezone}）"),
        Lang::En => format!("{as_of} (later orders are ignored; time zone {timezone})"),
    }
}

/// The eight-type scheme, with the buyers' mean R, F and M scores.
pub fn eight_types_text(lang: Lang, [r, f, m]: [f64; 3]) -> String {
    match lang {
        Lang::Zh => format!(
            "R、F、M 得分高于全体买家平均分（R {r:.2}、F {f:.2}、M {m:.2}）记为“高”；M 高为“重要”，R 高 F 高为“价值”，R 高 F 低为“发展”，R 低 F 高为“保持”，R 低 F 低为“挽留”"
        ),
        Lang::En => format!(
            "a score above the buyers' average (R {r:.2}, F {f:.2}, M {m:.2}) counts as high; high M is 重要 (important), else 一般 (general); high R and F: 价值 (value), high R low F: 发展 (develop), low R high F: 保持 (keep), low R and F: 挽留 (win back)"
        ),
    }
}

pub fn rule_segments_text(lang: Lang, r: &RuleConfig) -> String {
    match lang {
        Lang::Zh => format!(
            "忠诚：距今 ≤ {} 天、≥ {} 单、累计 ≥ ¥{}；潜在流失：距今 > {} 天、≤ {} 单、累计 < ¥{}；其余为其他客户",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary
        ),
        Lang::En => format!(
            "loyal: last order ≤ {} days ago, ≥ {} orders, ≥ ¥{} in all; potential churn: > {} days, ≤ {} orders, < ¥{}; everyone else regular",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary
        ),
    }
}

pub fn spending_tiers_text(lang: Lang, t: &TierConfig) -> String {
    let (diamond, gold, silver) = (t.diamond, t.gold, t.silver);
    match lang {
        Lang::Zh => format!(
            "按分析日前 365 天的消费：钻石 > ¥{diamond}，黄金 ¥{gold}–{diamond}，白银 ¥{silver}–{gold}，青铜 < ¥{silver}"
        ),
        Lang::En => format!(
            "by spend in the 365 days to the analysis date: diamond > ¥{diamond}, gold ¥{gold}–{diamond}, silver ¥{silver}–{gold}, bronze < ¥{silver}"
        ),
    }
}

pub fn customer_types_text(lang: Lang, t: &TypeConfig) -> String {
    let (brand, festival) = (pct(t.brand_min_share), pct(t.festival_min_share));
    let (coupon, discount) = (pct(t.coupon_min_rate), pct(t.discount_min_share));
    let orders = t.brand_min_orders;
    match lang {
        Lang::Zh => format!(
            "依次判断：品牌忠诚型（≥ {orders} 单且单一品牌占商品消费 ≥ {brand}）；场景驱动型（大促期订单 ≥ {festival}）；价格敏感型（用券订单 ≥ {coupon} 或折扣占原价 ≥ {discount}）；其余为混合型"
        ),
        Lang::En => format!(
            "tested in order: brand-loyal (≥ {orders} orders and one brand ≥ {brand} of item spend); scenario-driven (festival orders ≥ {festival}); price-sensitive (coupon on ≥ {coupon} of orders or discounts ≥ {discount} of list value); else mixed"
        ),
    }
}

pub fn lifecycle_text(lang: Lang, l: &LifecycleConfig) -> String {
    match lang {
        Lang::Zh => format!(
            "新客：首单 ≤ {} 天；活跃：距今 ≤ {} 天（其中上一次间隔 ≥ {} 天的为已召回）；有风险：≤ {} 天；沉睡：≤ {} 天；已流失：更久；未购买：无付款订单",
            l.new_days, l.active_days, l.won_back_gap_days, l.at_risk_days, l.churned_days
        ),
        Lang::En => format!(
            "new: first order ≤ {} days ago; active: last order ≤ {} days ago (won back when the gap before it was ≥ {} days); at risk: ≤ {} days; dormant: ≤ {} days; churned: longer; prospect: no paid order",
            l.new_days, l.active_days, l.won_back_gap_days, l.at_risk_days, l.churned_days
        ),
    }
}

/// How lifetime value is computed, with the models compared; `None` when it is off.
pub fn lifetime_value_text(lang: Lang, value: Option<&ValueMeta>) -> String {
    let Some(v) = value else {
        return not_enabled(lang);
    };
    let candidates = v
        .candidates
        .iter()
        .map(|c| format!("{} BIC {:.0}", c.model, c.bic))
        .collect::<Vec<_>>()
        .join(super::tr(lang, "，", ", "));
    let correlation = v
        .spend
        .as_ref()
        .map_or("—".to_string(), |s| format!("{:.2}", s.correlation));
    let (model, margin) = (&v.model, v.config.margin);
    let discount = pct(v.config.monthly_discount_rate);
    match lang {
        Lang::Zh => format!(
            "付款订单按本地日期去重为购买天数；BG/NBD 与 MBG/NBD 以最大似然拟合（解析梯度、多起点），按 BIC 选择：{model}（{candidates}）；消费额用 Gamma-Gamma（频次与客单相关系数 {correlation}，|r| > 0.3 时改用本人均值）；12 个月价值 = 每月预期购买天数 × 预期客单 × 毛利率 {margin} ，按月折现 {discount}"
        ),
        Lang::En => format!(
            "paid orders collapsed to distinct local purchase days; BG/NBD and MBG/NBD fitted by maximum likelihood (analytic gradients, several starts) and chosen by BIC: {model} ({candidates}); spend per day by Gamma-Gamma (frequency–spend correlation {correlation}; own mean when |r| > 0.3); 12-month value = expected purchase days per month × expected spend × margin {margin}, discounted {discount} a month"
        ),
    }
}

pub fn data_text(lang: Lang, orders: u64, customers: u64, buyers: u64, seconds: f64) -> String {
    match lang {
        Lang::Zh => format!(
            "扫描订单 {orders} 行；客户 {customers} 位，其中有付款订单 {buyers} 位；计算用时 {seconds:.2} 秒"
        ),
        Lang::En => format!(
            "{orders} order rows scanned; {customers} customers, {buyers} with paid orders; computed in {seconds:.2}s"
        ),
    }
}
