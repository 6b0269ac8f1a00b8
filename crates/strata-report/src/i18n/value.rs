//! The value chapter: RFM, the eight-type scheme, rule segments, tiers and concentration.

use strata_charts::Lang;
use strata_features::config::RuleConfig;

texts! {
    title: "客户价值与分层", "Value and tiers";
    rfm_intro: "RFM 用三个数字给每位买家打分：R 近度（距上次购买的天数）、F 频次（订单数）、M 金额（累计消费），各 1–5 分。", "RFM scores each buyer on three numbers, 1 to 5 each: recency (days since the last order), frequency (orders) and monetary value (total spend).";
    rfm_buyers: "RFM 分布：客户数（R 近度 × F 频次）", "RFM: buyers by recency and frequency score";
    rfm_spend: "RFM 分布：人均消费", "RFM: average spend per buyer";
    frequency_score: "F 频次得分 →", "Frequency score →";
    recency_score: "R 近度得分（5 = 最近）", "Recency score (5 = most recent)";
    segments_heading: "RFM 分群与建议动作", "RFM segments and what to do";
    recommended_action: "建议动作", "Recommended action";
    classes_heading: "RFM 八类客户", "The eight-type scheme";
    class: "八类客户", "Eight-type class";
    strategy: "运营策略", "Strategy";
    spend_per_buyer: "人均消费", "Spend per buyer";
    mean_recency: "平均距今天数", "Mean days since last order";
    tiers_heading: "消费等级与集中度", "Tiers and concentration";
    tiers_chart: "消费等级（近 12 个月消费）", "Spending tiers (last 12 months)";
    mean_orders: "平均订单数", "Mean orders";
    concentration: "销售额集中度", "Revenue concentration";
    cumulative_revenue: "累计销售额占比", "Cumulative share of revenue";
    buyers_axis: "买家（按消费从高到低）累计占比", "Share of buyers, biggest spenders first";
    revenue_axis: "累计销售额占比", "Share of revenue";
    equal_spend: "完全平均", "Equal spend";
}

/// Shares of buyers and revenue, as formatted for the text.
pub struct Shares<'a> {
    pub buyers: &'a str,
    pub revenue: &'a str,
}

/// The reports' rule segments against the figures the reports found.
pub fn rule_segments(lang: Lang, r: &RuleConfig, loyal: Shares, churn: Shares) -> String {
    match lang {
        Lang::Zh => format!(
            "忠诚客户（近 {} 天内购买、至少 {} 单、累计消费至少 ¥{}）占买家的 {}，贡献 {} 的销售额（行业报告：8% 的客户贡献 40%）。潜在流失客户（超过 {} 天未购、不超过 {} 单、累计不足 ¥{}）占 {}（报告：25%），只贡献 {} 的销售额。",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            loyal.buyers,
            loyal.revenue,
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary,
            churn.buyers,
            churn.revenue
        ),
        Lang::En => format!(
            "Loyal customers (bought in the last {} days, at least {} orders and ¥{} in all) are {} of buyers and bring {} of revenue (the industry report: 8% bring 40%). Potential churners (nothing for over {} days, at most {} orders, under ¥{} in all) are {} (report: 25%) and bring {}.",
            r.loyal_max_recency_days,
            r.loyal_min_orders,
            r.loyal_min_monetary,
            loyal.buyers,
            loyal.revenue,
            r.churn_min_recency_days,
            r.churn_max_orders,
            r.churn_max_monetary,
            churn.buyers,
            churn.revenue
        ),
    }
}

/// The Lorenz curve's mark at the top fifth.
pub fn top_fifth_mark(lang: Lang, share: &str) -> String {
    match lang {
        Lang::Zh => format!("前 20% 买家 → {share}"),
        Lang::En => format!("top 20% → {share}"),
    }
}

pub fn concentration_text(lang: Lang, top20: &str, top5: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "消费最高的 20% 买家贡献了 {top20} 的销售额（行业报告：68%），前 5% 贡献 {top5}。"
        ),
        Lang::En => format!(
            "The top 20% of buyers bring {top20} of revenue (the industry report: 68%); the top 5% bring {top5}."
        ),
    }
}
