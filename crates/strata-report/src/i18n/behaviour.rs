//! The behaviour chapter: funnel, retention, channels, page speed and behaviours.

use strata_charts::Lang;

texts! {
    title: "行为与转化", "Behaviour and conversion";
    no_events: "工作区没有行为事件：导入 events 后，本章会给出转化漏斗、页面速度和行为与转化的关系。", "The workspace has no behaviour events: import events and this chapter adds the funnel, page speed and the behaviours that go with buying.";
    funnel_heading: "转化漏斗", "Conversion funnel";
    funnel_chart: "转化漏斗：到达每一步的客户（1 天内）", "Conversion funnel: customers reaching each step (within a day)";
    step: "步骤", "Step";
    from_previous: "上一步转化", "From previous";
    drop_off: "流失", "Drop-off";
    from_first: "总转化", "From first";
    median_time: "距上一步中位时间", "Median time from previous";
    funnel_caption: "按客户计（匿名访客按访客 ID），步骤须按顺序、自第一步起 1 天内完成，中间可有其他行为。命令行：strata funnel。", "Per customer (anonymous visitors by visitor id); steps in order within a day of the first, other events allowed between. Command line: strata funnel.";
    device: "设备", "Device";
    entered: "进入漏斗", "Entered";
    paid: "到达支付", "Paid";
    conversion: "总转化", "Conversion";
    device_caption: "设备取客户这次尝试第一步所用的设备。", "Device of the first step of the customer's counted attempt.";
    retention_heading: "留存与复购", "Retention and repurchase";
    retention_chart: "留存三角：首购月份之后每月仍有购买的客户比例", "Retention triangle: share of each first-purchase cohort buying in later months";
    months_after: "首购后第几个月 →", "Months after the first purchase →";
    cohort_axis: "首购月份（客户数）", "First-purchase month (customers)";
    retention_partial: "最后一个月尚未结束，其数值偏低。命令行：strata retention。", "The last month is not over yet, so its values are low. Command line: strata retention.";
    retention_command: "命令行：strata retention。", "Command line: strata retention.";
    channels_heading: "渠道", "Channels";
    channel_shares: "各渠道客户与收入占比", "Share of buyers and revenue by channel";
    buyers: "客户", "Buyers";
    revenue: "收入", "Revenue";
    channel_conversion: "各渠道访问转化率", "Session conversion by channel";
    conversion_rate: "转化率", "Conversion";
    channel: "渠道", "Channel";
    orders: "订单", "Orders";
    order_value: "客单价", "Order value";
    repurchase: "复购率", "Repurchase";
    session_conversion: "访问转化", "Session conversion";
    channel_caption: "客户占比：在该渠道下过单的客户（一位客户可计入多个渠道，合计可超过 100%）。复购率：首单来自该渠道的客户中再次购买的比例。访问转化：该渠道的访问中有支付的比例。", "Buyers: customers with an order through the channel (a customer can count in several, so shares add up to more than 100%). Repurchase: of customers whose first order came through the channel, the share who bought again. Session conversion: share of the channel's sessions with a payment.";
    speed_heading: "页面速度", "Page speed";
    speed_chart: "页面加载时间：继续浏览与转化", "Page load time: carrying on and buying";
    carried_on: "页面后继续浏览", "Page views carried on";
    sessions_paid: "访问支付率", "Sessions that paid";
    no_slow_pages: "没有 3 秒以上的页面。", "No pages took 3 s or more.";
    drivers_heading: "行为与转化", "Behaviours that go with buying";
    behaviour: "行为", "Behaviour";
    sessions_with: "有该行为的访问", "Sessions with it";
    conversion_with: "有：转化率", "Conversion with";
    conversion_without: "无：转化率", "Conversion without";
    correlation: "相关系数 r", "Correlation r";
    drivers_caption: "按访问计：行为的多少与这次访问是否支付的皮尔逊相关。这是相关，不是因果：想买的人本来就会多看。", "Per session: Pearson correlation between how much of the behaviour and whether the session paid. Correlation, not cause: people who mean to buy look more anyway.";
}

/// A funnel step's name; English shows the step as stored.
pub fn step_name(lang: Lang, step: &str) -> String {
    let zh = match step {
        "home" => "首页",
        "category" => "类目页",
        "product" => "商品详情",
        "cart" => "购物车",
        "checkout" => "结算",
        "paid" => "支付",
        "search" => "搜索",
        _ => return step.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => step.to_string(),
    }
}

/// A duration in seconds, minutes or hours, whichever reads best.
pub fn duration(lang: Lang, s: f64) -> String {
    match lang {
        Lang::Zh if s < 120.0 => format!("{s:.0} 秒"),
        Lang::En if s < 120.0 => format!("{s:.0} s"),
        Lang::Zh if s < 7200.0 => format!("{:.1} 分钟", s / 60.0),
        Lang::En if s < 7200.0 => format!("{:.1} min", s / 60.0),
        Lang::Zh => format!("{:.1} 小时", s / 3600.0),
        Lang::En => format!("{:.1} h", s / 3600.0),
    }
}

/// The funnel step that loses most.
pub fn worst_step(lang: Lang, from: &str, to: &str, lost: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "流失最多的一步：{from} → {to}，{lost} 的客户在这里离开（报告中“详情到加购”流失 45%）。"
        ),
        Lang::En => format!(
            "The step that loses most: {from} → {to}, where {lost} of customers leave (one report: 45% lost from product detail to cart)."
        ),
    }
}

pub fn repurchase_within(lang: Lang, days: impl std::fmt::Display) -> String {
    match lang {
        Lang::Zh => format!("{days} 天内复购率"),
        Lang::En => format!("Repurchase within {days} days"),
    }
}

pub fn first_time_buyers(lang: Lang, eligible: &str) -> String {
    match lang {
        Lang::Zh => format!("{eligible} 位可观察的首购客户"),
        Lang::En => format!("of {eligible} first-time buyers old enough"),
    }
}

pub fn top_order_value(lang: Lang, channel: &str, value: &str) -> String {
    match lang {
        Lang::Zh => format!("客单价最高的渠道：{channel}（{value}）。"),
        Lang::En => format!("Highest order value: {channel} ({value})."),
    }
}

/// How many fewer visitors pages of 3 s and more keep than the fastest pages.
pub fn slow_pages(lang: Lang, fewer: &str) -> String {
    match lang {
        Lang::Zh => format!("加载 3 秒及以上的页面，继续浏览的比例比最快的页面低 {fewer}。"),
        Lang::En => {
            format!("Pages taking 3 s or more keep {fewer} fewer visitors than the fastest pages.")
        }
    }
}

/// Sessions whose pages took 3 s or more on average against faster ones.
pub fn slow_sessions(lang: Lang, slow: &str, fast: &str, fewer: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "平均加载 3 秒及以上的访问有 {slow} 完成支付，更快的访问为 {fast}：少 {fewer}（报告：超过 3 秒流失 30%）。"
        ),
        Lang::En => format!(
            "Sessions whose pages took 3 s or more on average paid in {slow} of cases, faster sessions in {fast}: {fewer} fewer (the reports: over 3 s loses 30%)."
        ),
    }
}

/// A behaviour the drivers table measures.
pub fn driver_name(lang: Lang, behaviour: &str) -> String {
    let (zh, en) = match behaviour {
        "video_views" => ("观看商品视频", "Product video views"),
        "dwell_minutes" => ("页面停留时长（分钟）", "Time on pages (minutes)"),
        "coupon_claims" => ("领取优惠券", "Coupon claims"),
        "live_watching" => ("观看直播", "Live-stream watching"),
        other => return other.to_string(),
    };
    super::tr(lang, zh, en).to_string()
}
