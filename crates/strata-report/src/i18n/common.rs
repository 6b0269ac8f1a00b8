//! Words several chapters use: column headers and chart series.

texts! {
    customers: "客户数", "Customers";
    buyers: "买家", "Buyers";
    buyer_count: "客户数", "Buyers";
    city_tiers: "城市线级", "City tiers";
    share_of_buyers: "客户占比", "Share of buyers";
    share_of_revenue: "销售额占比", "Share of revenue";
    rfm_segment: "RFM 分群", "RFM segment";
    tier: "等级", "Tier";
    rule_segments: "规则分群", "Rule segments";
    customer_types: "客户类型", "Customer types";
    customers_plain: "客户", "Customers";
}
