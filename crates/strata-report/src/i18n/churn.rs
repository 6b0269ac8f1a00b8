//! The churn early-warning chapter.

use std::fmt::Display;

use strata_charts::Lang;
use strata_churn::{RiskTier, Scorer};

texts! {
    title: "流失预警", "Churn early warning";
    no_model: "尚未训练流失模型。运行 strata churn train 后再生成报告，本章会给出风险分层、流失信号、模型质量与挽回预算。", "No churn model yet. Run strata churn train, then make the report again: this chapter then shows risk tiers, warning signals, model quality and the win-back budget.";
    no_scores: "客户表里还没有流失评分：运行 strata analyze 后再生成报告。", "The customer table has no churn scores yet: run strata analyze, then make the report again.";
    high_risk_customers: "高风险客户", "High-risk customers";
    value_at_risk: "风险中的价值", "Value at risk";
    value_at_risk_note: "高、中风险客户：流失概率 × 留存后 12 个月价值", "High and medium risk: churn probability × 12-month value if retained";
    model_auc: "模型 ROC AUC", "Model ROC AUC";
    net_value_saved: "挽回预期净收益", "Expected net value saved";
    who_heading: "谁在流失", "Who is slipping away";
    risk_tiers: "风险分层", "Risk tiers";
    high_share_by_segment: "各 RFM 分群的高风险占比", "High-risk share by RFM segment";
    high: "高风险", "High";
    medium: "中风险", "Medium";
    watched: "预警客户", "Watched";
    high_risk: "高风险", "High risk";
    medium_risk: "中风险", "Medium risk";
    mean_probability: "平均流失概率", "Mean churn probability";
    signals_heading: "流失信号", "Warning signals";
    signal: "信号", "Signal";
    share_now: "当前占比", "Share now";
    rate_with: "有信号的流失率", "Churn rate with it";
    rate_without: "无信号的流失率", "Without it";
    ratio: "倍数", "Ratio";
    quality_heading: "模型质量", "Model quality";
    roc_curve: "ROC 曲线（评估集）", "ROC curve (evaluation)";
    false_positive_rate: "误报率", "False-positive rate";
    true_positive_rate: "命中率", "True-positive rate";
    chance: "随机", "Chance";
    calibration: "校准：预测概率与实际流失率", "Calibration: predicted vs actual";
    predicted_probability: "预测流失概率", "Predicted churn probability";
    actual_rate: "实际流失率", "Actual churn rate";
    perfect_calibration: "完美校准", "Perfect calibration";
    method_head: "方法", "Method";
    roc_auc: "ROC AUC", "ROC AUC";
    pr_auc: "PR AUC", "PR AUC";
    top_rate: "前 10% 流失率", "Top-10% churn rate";
    top_recall: "前 10% 召回", "Top-10% recall";
    brier: "Brier", "Brier";
    first_heading: "优先挽回的客户", "Customers to win back first";
    customer: "客户", "Customer";
    churn_risk: "流失风险", "Churn risk";
    value_if_kept: "留存后 12 个月价值", "12-month value if kept";
    net_saved: "预期净收益", "Expected net saved";
    main_reasons: "主要原因（来自模型）", "Main reasons (from the model)";
    playbooks_heading: "挽回方案与预算", "Win-back playbooks and budget";
    playbook: "方案", "Playbook";
    spend_12m: "近 12 个月消费", "12-month spend";
    channel_and_offer: "渠道与权益", "Channel and offer";
    contact_cost: "触达成本", "Contact cost";
}

/// A model's name.
pub fn model_name(lang: Lang, name: Scorer) -> String {
    let (zh, en) = match name {
        Scorer::Trees => ("梯度提升树", "Gradient-boosted trees"),
        Scorer::Logistic => ("逻辑回归（基线）", "Logistic regression (baseline)"),
        Scorer::Recency => ("仅看距上次购买天数", "Recency alone"),
        Scorer::PAlive => ("1 − 活跃概率（BTYD）", "1 − P(alive) (BTYD)"),
    };
    super::tr(lang, zh, en).to_string()
}

/// A risk tier, as the customer table stores it; an unknown value is shown as it is.
pub fn tier_name(lang: Lang, tier: &str) -> String {
    let (zh, en) = match RiskTier::parse(tier) {
        Some(RiskTier::High) => ("高风险", "High"),
        Some(RiskTier::Medium) => ("中风险", "Medium"),
        Some(RiskTier::Low) => ("低风险", "Low"),
        None => return tier.to_string(),
    };
    super::tr(lang, zh, en).to_string()
}

/// Under the high-risk count: their share of those watched, and the medium-risk count.
pub fn high_risk_note(lang: Lang, share: &str, medium: &str) -> String {
    match lang {
        Lang::Zh => format!("{share} 的预警客户 · 中风险 {medium}"),
        Lang::En => format!("{share} of those watched · medium {medium}"),
    }
}

pub fn recency_auc(lang: Lang, auc: f64) -> String {
    match lang {
        Lang::Zh => format!("仅看最近购买：{auc:.3}"),
        Lang::En => format!("recency alone: {auc:.3}"),
    }
}

pub fn contacted(lang: Lang, customers: usize, cost: &str) -> String {
    match lang {
        Lang::Zh => format!("{customers} 位客户，触达成本 {cost}"),
        Lang::En => format!("{customers} customers, contact cost {cost}"),
    }
}

pub fn watched_caption(lang: Lang, days: impl Display) -> String {
    match lang {
        Lang::Zh => format!("预警范围：截至分析日最近 {days} 天内有购买的客户。"),
        Lang::En => {
            format!("Watched: customers who bought in the {days} days up to the analysis date.")
        }
    }
}

pub fn signals_caption(lang: Lang, cutoff: impl Display, horizon_days: impl Display) -> String {
    match lang {
        Lang::Zh => format!(
            "流失率来自模型评估：{cutoff} 时有信号与无信号客户在之后 {horizon_days} 天内未再购买的比例。倍数低于 1 的信号多见于活跃客户（活跃的人才会加购、评价、找客服），单看不说明风险；模型把所有信号放在一起衡量。"
        ),
        Lang::En => format!(
            "Churn rates from the model's evaluation: the share of customers with and without the signal at {cutoff} who bought nothing in the next {horizon_days} days. Signals with a ratio below 1 are common among active customers (only active customers cart, review or call service), so alone they say little; the model weighs all signals together."
        ),
    }
}

/// How a time-split model was trained and evaluated.
pub fn time_split(
    lang: Lang,
    cutoffs: &[String],
    rows: impl Display,
    horizon_days: impl Display,
    evaluated: impl Display,
) -> String {
    match lang {
        Lang::Zh => format!(
            "模型用 {} 的特征训练（共 {rows} 行客户×截止日；标签：之后 {horizon_days} 天内是否下单），在它从未见过的 {evaluated} 上评估。",
            cutoffs.join("、")
        ),
        Lang::En => format!(
            "Trained on features as of {} ({rows} customer-cutoff rows; label: no order in the next {horizon_days} days) and evaluated at {evaluated}, which it never saw.",
            cutoffs.join(", ")
        ),
    }
}

pub fn customer_split(lang: Lang, cutoff: impl Display) -> String {
    match lang {
        Lang::Zh => format!("截至 {cutoff} 的客户分组交叉验证：每位客户由没见过他的模型评分。"),
        Lang::En => format!(
            "Cross-validated by customer at {cutoff}: each customer scored by a model fitted without them."
        ),
    }
}

/// The evaluation set and where the risk tiers start, with what a cut means: the churn rate
/// of everyone at or above it taken together (`high_rate`, `medium_rate`).
pub fn evaluation(
    lang: Lang,
    customers: impl Display,
    churned: &str,
    (high, high_rate): (f64, &str),
    (medium, medium_rate): (f64, &str),
) -> String {
    match lang {
        Lang::Zh => format!(
            "评估客户 {customers} 位，流失率 {churned}。高风险从概率 {high:.2} 起：评估中概率不低于此值的客户合计流失率达 {high_rate}；中风险从 {medium:.2} 起，合计流失率达 {medium_rate}。分层看的是切点以上这群人合计的流失率，不是每位客户各自的流失概率。"
        ),
        Lang::En => format!(
            "{customers} customers evaluated, {churned} churned. High risk from probability {high:.2}: of the evaluation customers scored at least that, {high_rate} churned taken together; medium from {medium:.2}, where it was {medium_rate}. A tier is the churn rate of everyone above its cut, not a probability each of its customers exceeds."
        ),
    }
}

pub fn first_caption(lang: Lang, customers: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "按预期净收益排序的前 10 位（共 {customers} 位）。完整名单：strata churn score --export 名单.xlsx"
        ),
        Lang::En => format!(
            "Top 10 of {customers} by expected net value saved. The whole list: strata churn score --export list.xlsx"
        ),
    }
}

pub fn budget_caption(lang: Lang, not_worth_it: impl Display) -> String {
    match lang {
        Lang::Zh => format!(
            "预期净收益 = 流失概率 × 留存后 12 个月价值 × 挽回率 − 触达成本，只列出为正的客户（另有 {not_worth_it} 位触达成本高于预期收益）。挽回率与成本在 strata.toml 的 [[churn.playbooks]] 中设置。"
        ),
        Lang::En => format!(
            "Expected net saved = churn probability × 12-month value if retained × save rate − contact cost, for customers where it is positive ({not_worth_it} more would cost more than they are expected to save). Save rates and costs are set in strata.toml under [[churn.playbooks]]."
        ),
    }
}

/// How the model was made, in numbers.
pub struct Method<'a> {
    pub horizon_days: u32,
    pub trees: usize,
    pub features: usize,
    /// Exact tree SHAP rather than path contributions.
    pub shapley: bool,
    /// The strongest features with their mean |contribution|.
    pub strongest: &'a [String],
    pub version: &'a str,
}

pub fn method(lang: Lang, m: &Method) -> String {
    match lang {
        Lang::Zh => format!(
            "方法：流失 = 截止日之后 {} 天内没有购买。梯度提升树（forust-ml，{} 棵树，{} 个特征）与逻辑回归基线在同一评估集上比较。每位客户的原因来自模型自身的逐特征贡献（{}），按特征组合并后取推高风险最多的三组。影响最大的特征（平均 |贡献|）：{}。模型 {}。",
            m.horizon_days,
            m.trees,
            m.features,
            if m.shapley {
                "精确的树 SHAP 值"
            } else {
                "路径贡献：客户沿每棵树走过的每次分裂使预测变化多少，记在分裂所用的特征上"
            },
            m.strongest.join("、"),
            m.version
        ),
        Lang::En => format!(
            "Method: churned = no purchase in the {} days after the cutoff. Gradient-boosted trees (forust-ml, {} trees, {} features) and a logistic-regression baseline are compared on the same evaluation customers. Each customer's reasons come from the model's own per-feature contributions ({}), summed by feature group; the three groups that raised the risk most are shown. Strongest features (mean |contribution|): {}. Model {}.",
            m.horizon_days,
            m.trees,
            m.features,
            if m.shapley {
                "exact tree SHAP values"
            } else {
                "path contributions: how much each split on the customer's way down each tree moves the prediction, booked to the feature split on"
            },
            m.strongest.join(", "),
            m.version
        ),
    }
}
