//! Labels of stored values (channels, segments, tiers) and the recommended action for each
//! segment and type. Values the table stores in Chinese (the eight-type scheme, regions,
//! categories) stay as they are in both languages, with a gloss in English.

use strata_charts::Lang;

use super::tr;

/// A stored value's label in the report's language; unknown values are shown as stored.
pub fn label(lang: Lang, value: &str) -> String {
    let pair = match value {
        // Channels and devices.
        "app" => ("APP", "App"),
        "mini_program" => ("小程序", "Mini-program"),
        "live_stream" => ("直播", "Live stream"),
        "platform" => ("平台店铺", "Platform store"),
        "private_domain" => ("私域", "Private domain"),
        "pc_web" => ("PC端", "PC web"),
        "ios" => ("iOS", "iOS"),
        "android" => ("Android", "Android"),
        "pc" => ("PC", "PC"),
        "harmony" => ("鸿蒙", "HarmonyOS"),
        // RFM segments.
        "Champions" => ("冠军客户", "Champions"),
        "Loyal" => ("忠诚客户", "Loyal"),
        "Potential loyalist" => ("潜力客户", "Potential loyalist"),
        "New customers" => ("新客户", "New customers"),
        "Promising" => ("有望客户", "Promising"),
        "Need attention" => ("需要关注", "Need attention"),
        "About to sleep" => ("即将沉睡", "About to sleep"),
        "Cannot lose them" => ("不能失去", "Cannot lose them"),
        "At risk" => ("流失风险", "At risk"),
        "Hibernating" => ("沉睡客户", "Hibernating"),
        // Eight-type scheme.
        "重要价值" => ("重要价值", "重要价值 Important value"),
        "重要发展" => ("重要发展", "重要发展 Important to develop"),
        "重要保持" => ("重要保持", "重要保持 Important to keep"),
        "重要挽留" => ("重要挽留", "重要挽留 Important to win back"),
        "一般价值" => ("一般价值", "一般价值 General value"),
        "一般发展" => ("一般发展", "一般发展 General to develop"),
        "一般保持" => ("一般保持", "一般保持 General to keep"),
        "一般挽留" => ("一般挽留", "一般挽留 General to win back"),
        // Rule segments, tiers, types, stages, city tiers.
        "loyal" => ("忠诚客户（规则）", "Loyal (rule)"),
        "potential_churn" => ("潜在流失（规则）", "Potential churn (rule)"),
        "regular" => ("其他客户", "Everyone else"),
        "diamond" => ("钻石", "Diamond"),
        "gold" => ("黄金", "Gold"),
        "silver" => ("白银", "Silver"),
        "bronze" => ("青铜", "Bronze"),
        "brand_loyal" => ("品牌忠诚型", "Brand-loyal"),
        "price_sensitive" => ("价格敏感型", "Price-sensitive"),
        "scenario_driven" => ("场景驱动型", "Scenario-driven"),
        "mixed" => ("混合型", "Mixed"),
        "new" => ("新客", "New"),
        "active" => ("活跃", "Active"),
        "won_back" => ("已召回", "Won back"),
        "at_risk" => ("有风险", "At risk"),
        "dormant" => ("沉睡", "Dormant"),
        "churned" => ("已流失", "Churned"),
        "prospect" => ("未购买", "Prospect"),
        "tier1" => ("一线城市", "Tier 1"),
        "new_tier1" => ("新一线城市", "New tier 1"),
        "tier2" => ("二线城市", "Tier 2"),
        "lower" => ("三线及以下", "Tier 3 and below"),
        "" => ("未知", "Unknown"),
        other => return other.to_string(),
    };
    tr(lang, pair.0, pair.1).to_string()
}

/// What to do for each RFM segment.
pub fn segment_action(lang: Lang, segment: &str) -> &'static str {
    let (zh, en) = match segment {
        "Champions" => (
            "VIP 专属权益、新品优先体验、邀请老带新",
            "Reward them: VIP perks, early access to new products, referrals",
        ),
        "Loyal" => (
            "会员积分加倍，交叉销售高客单品类",
            "Upsell higher-value categories; double loyalty points",
        ),
        "Potential loyalist" => (
            "推荐加入会员，个性化推荐提升复购",
            "Offer membership; personalised picks to build frequency",
        ),
        "New customers" => (
            "新客欢迎旅程，首单后 7 天内发复购券",
            "Onboarding journey; a second-order coupon within 7 days",
        ),
        "Promising" => (
            "品牌故事内容，限时小额优惠",
            "Brand content and a small time-limited offer",
        ),
        "Need attention" => (
            "按偏好限时推荐，回访满意度",
            "Time-limited picks from their preferences; ask for feedback",
        ),
        "About to sleep" => (
            "推送热销品与个性化优惠，防止沉睡",
            "Best sellers and a personalised offer before they lapse",
        ),
        "Cannot lose them" => (
            "一对一回访、专属礼品、满 500 减 100 券",
            "One-to-one call-back, a gift and a 100-off-500 coupon",
        ),
        "At risk" => (
            "个性化召回短信/邮件，包邮等挽回权益",
            "Personalised win-back SMS or email; free shipping",
        ),
        "Hibernating" => (
            "低成本自动提醒，仅在大促时触达",
            "Low-cost automated reminders; contact around big promotions only",
        ),
        _ => ("—", "—"),
    };
    tr(lang, zh, en)
}

/// What to do for each type of the eight-type scheme.
pub fn class_action(lang: Lang, class: &str) -> &'static str {
    let (zh, en) = match class {
        "重要价值" => ("保持：VIP 专属服务与权益", "Keep: VIP service and perks"),
        "重要发展" => (
            "提频：会员体系与复购激励",
            "Raise frequency: membership, repurchase incentives",
        ),
        "重要保持" => (
            "唤回：近期未购，主动一对一关怀",
            "Recall: quiet lately, reach out one to one",
        ),
        "重要挽留" => (
            "挽回：高价值正在流失，优先挽回",
            "Win back first: high value slipping away",
        ),
        "一般价值" => (
            "提客单：交叉销售与搭配推荐",
            "Raise basket size: cross-sell and bundles",
        ),
        "一般发展" => (
            "培育：首购后引导与新人礼",
            "Nurture: post-purchase journey, welcome gift",
        ),
        "一般保持" => ("促活：定向优惠券", "Reactivate: targeted coupons"),
        "一般挽留" => ("低成本触达或暂不投入", "Low-cost contact or none"),
        _ => ("—", "—"),
    };
    tr(lang, zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_label_has_both_languages_and_an_action() {
        for s in strata_features::segment::RFM_SEGMENTS {
            assert_ne!(label(Lang::Zh, s), s, "{s} untranslated");
            assert_ne!(segment_action(Lang::En, s), "—", "{s} has no action");
        }
        for c in strata_features::segment::RFM_CLASSES {
            assert_ne!(class_action(Lang::Zh, c), "—", "{c} has no action");
            assert!(label(Lang::En, c).contains(' '), "{c} has no gloss");
        }
        for v in strata_features::segment::TIERS
            .iter()
            .chain(&strata_features::segment::TYPES)
            .chain(&strata_features::segment::STAGES)
        {
            assert_ne!(label(Lang::Zh, v), *v, "{v} untranslated");
        }
        assert_eq!(label(Lang::En, "华东"), "华东");
    }
}
