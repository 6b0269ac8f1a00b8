//! The lifetime-value chapter.

use strata_charts::Lang;

texts! {
    title: "客户终身价值", "Lifetime value";
    predicted_value: "未来 12 个月预测价值", "Predicted value, next 12 months";
    mean_p_alive: "平均活跃概率", "Mean P(alive)";
    purchase_model: "购买模型", "Purchase model";
    holdout_error: "留出期预测误差", "Holdout error";
    expected_days: "预计 12 个月购买天数", "Expected purchase days, 12 months";
    value_per_buyer: "人均 12 个月价值", "12-month value per buyer";
    share_of_value: "价值占比", "Share of value";
    by_segment: "按 RFM 分群", "By RFM segment";
    by_tier: "按消费等级", "By spending tier";
    alive_map: "活跃概率：按订单数与距今天数", "P(alive) by orders and days since the last order";
    orders: "订单数", "Orders";
    since_last_order: "距上次购买", "Since the last order";
    check_heading: "活跃概率与模型检验", "P(alive) and the model check";
    actual: "实际", "Actual";
    predicted: "模型预测", "Predicted";
    week: "周", "Week";
    by_repeats: "留出期人均购买天数：按校准期复购次数", "Holdout purchase days by calibration repeats";
}

pub fn skipped(lang: Lang, why: &str) -> String {
    match lang {
        Lang::Zh => format!("未计算终身价值：{why}"),
        Lang::En => format!("No lifetime value: {why}"),
    }
}

pub fn per_buyer(lang: Lang, value: &str) -> String {
    match lang {
        Lang::Zh => format!("人均 {value}"),
        Lang::En => format!("per buyer {value}"),
    }
}

pub fn below_half(lang: Lang, share: &str) -> String {
    match lang {
        Lang::Zh => format!("{share} 的买家低于 50%"),
        Lang::En => format!("{share} of buyers below 50%"),
    }
}

/// The chosen model's BIC, under its name.
pub fn bic(value: &str) -> String {
    format!("BIC {value}")
}

pub fn predicted_and_actual(lang: Lang, predicted: f64, actual: f64) -> String {
    match lang {
        Lang::Zh => format!("预测 {predicted:.0} 次 / 实际 {actual:.0} 次"),
        Lang::En => format!("{predicted:.0} predicted / {actual:.0} actual"),
    }
}

/// The rows of the P(alive) map: days since the last order.
pub fn recency_bands(lang: Lang) -> Vec<String> {
    match lang {
        Lang::Zh => ["≤30 天", "31–90 天", "91–180 天", "181–365 天", ">365 天"],
        Lang::En => ["≤30 days", "31–90", "91–180", "181–365", ">365"],
    }
    .map(String::from)
    .to_vec()
}

pub fn tracking(lang: Lang, calibration_end: &str) -> String {
    match lang {
        Lang::Zh => format!("留出期检验：累计复购天数（{calibration_end} 之后）"),
        Lang::En => format!("Holdout check: cumulative purchase days after {calibration_end}"),
    }
}

/// The holdout check in numbers.
pub struct Holdout<'a> {
    pub calibration_end: &'a str,
    pub days: f64,
    pub predicted: f64,
    pub actual: f64,
    /// predicted / actual − 1.
    pub gap: f64,
    pub mae: f64,
}

/// What the holdout check found; when the prediction is more than 10% off, why it may be.
pub fn holdout_note(lang: Lang, h: &Holdout) -> String {
    let off = h.gap.abs() > 0.1;
    match lang {
        Lang::Zh => format!(
            "模型在 {} 之前的数据上拟合，预测之后 {:.0} 天的购买天数：预测 {:.0}、实际 {:.0}（{:+.1}%），人均绝对误差 {:.2}。{}",
            h.calibration_end,
            h.days,
            h.predicted,
            h.actual,
            100.0 * h.gap,
            h.mae,
            if off {
                "BTYD（“购买直至流失”）模型不含季节性：留出期若含大促，实际会高于预测，预测宜看作平日基线。"
            } else {
                ""
            }
        ),
        Lang::En => format!(
            "Fitted on the data before {}, the model predicted the next {:.0} days' purchase days: {:.0} predicted, {:.0} actual ({:+.1}%), mean absolute error {:.2} per customer. {}",
            h.calibration_end,
            h.days,
            h.predicted,
            h.actual,
            100.0 * h.gap,
            h.mae,
            if off {
                "Buy-till-you-die models have no seasonality: when the holdout holds big promotions, actual purchases run above the prediction, which is best read as an ordinary-days baseline."
            } else {
                ""
            }
        ),
    }
}
