//! The types-and-lifecycle chapter.

texts! {
    title: "客户类型与生命周期", "Types and lifecycle";
    customer_type: "客户类型", "Customer type";
    coupon_orders: "用券订单", "Coupon orders";
    festival_orders: "大促订单", "Festival orders";
    top_brand: "首选品牌占比", "Top brand";
    order_value: "客单价", "AOV";
    types_caption: "行业报告：品牌忠诚型 15%、价格敏感型 45%（78% 的订单用券）、场景驱动型 40%。", "The industry report: brand-loyal 15%, price-sensitive 45% (coupons on 78% of orders), scenario-driven 40%.";
    stages: "生命周期阶段", "Lifecycle stages";
    preferred_channel: "首选渠道：客户与销售额占比", "Preferred channel: buyers and revenue";
    active_hour: "最活跃的下单时段（买家数）", "Most active ordering hour (buyers)";
}
