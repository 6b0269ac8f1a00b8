//! The overview chapter.

use std::fmt::Display;

use strata_charts::Lang;

texts! {
    title: "概览", "Overview";
    paid_orders: "订单数", "Paid orders";
    revenue: "销售额", "Revenue";
    average_order_value: "客单价", "Average order value";
    repeat_rate: "复购率", "Repeat rate";
    repeat_rate_note: "下单 2 次及以上的买家占比", "buyers with 2+ orders";
    revenue_by_quarter: "季度销售额", "Revenue by quarter";
    buyers_by_quarter: "季度买家：新客与老客", "Buyers by quarter: new and returning";
    new_buyers: "新客（首单在本季度）", "New (first order this quarter)";
    returning_buyers: "老客", "Returning";
    top_provinces: "客户最多的省份（前 12）", "Provinces with most buyers (top 12)";
    devices: "下单设备（订单占比）", "Devices (share of orders)";
    channels: "渠道（订单占比）", "Channels (share of orders)";
    channel_order_value: "各渠道客单价", "Average order value by channel";
}

/// The note under the customer count: how many of them paid.
pub fn with_paid_orders(lang: Lang, buyers: &str) -> String {
    match lang {
        Lang::Zh => format!("{buyers} 位有付款订单"),
        Lang::En => format!("{buyers} with paid orders"),
    }
}

pub fn orders_per_buyer(lang: Lang, orders: f64) -> String {
    match lang {
        Lang::Zh => format!("人均 {orders:.1}"),
        Lang::En => format!("per buyer {orders:.1}"),
    }
}

pub fn last_12_months(lang: Lang, revenue: &str) -> String {
    match lang {
        Lang::Zh => format!("近 12 个月 {revenue}"),
        Lang::En => format!("last 12 months {revenue}"),
    }
}

pub fn partial_quarter(lang: Lang, as_of: impl Display) -> String {
    match lang {
        Lang::Zh => format!("最后一个季度截至分析日 {as_of}。"),
        Lang::En => format!("The last quarter runs to the analysis date, {as_of}."),
    }
}

/// The channels with the largest and the smallest orders, and how far apart they are.
pub fn channel_order_values(
    lang: Lang,
    (high, high_value): (&str, &str),
    (low, low_value): (&str, &str),
    apart: &str,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{high}渠道客单价最高（{high_value}），{low}最低（{low_value}），相差 {apart}。"
        ),
        Lang::En => format!(
            "{high} orders are the largest ({high_value} on average), {low} the smallest ({low_value}): {apart} apart."
        ),
    }
}

/// The warning at the top of the report when the analysis date lies past the latest order.
pub fn past_data(lang: Lang, as_of: impl Display, last: impl Display, days: i64) -> String {
    match lang {
        Lang::Zh => format!(
            "注意：分析日期 {as_of} 之前 {days} 天没有任何订单（最近一笔在 {last}）。\
             所有客户的最近购买间隔都被拉长，流失风险与价值分层会显得像店铺已停止销售；\
             选用数据范围内的分析日期可看到客户当时的状态。"
        ),
        Lang::En => format!(
            "Note: no orders in the {days} day{} before the analysis date {as_of} (the latest is on \
             {last}). Every customer's recency grows, so churn risk and tiers read as if the shop \
             had stopped selling; an analysis date within the data shows customers as they were then.",
            if days == 1 { "" } else { "s" }
        ),
    }
}
