//! Fixed vocabularies of the demo shop: names, regions, channels, categories, review phrases.
//!
//! Every string that can end up in `orders.csv` must exist in GBK; the writer refuses anything
//! else, and a unit test checks these tables.

/// Common surnames, most frequent first (weights roughly follow their real shares).
pub(crate) const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "欧阳", "司马",
];

pub(crate) const GIVEN_FEMALE: [&str; 40] = [
    "静", "丽", "敏", "婷", "芳", "娜", "雪", "颖", "琳", "倩", "欣", "怡", "悦", "佳", "雨", "萱",
    "晨", "涵", "梦", "瑶", "蕾", "洁", "玲", "燕", "慧", "娟", "霞", "月", "思", "诗", "彤", "可",
    "馨", "紫", "若", "晓", "嘉", "美", "文", "艳",
];

pub(crate) const GIVEN_MALE: [&str; 40] = [
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "博", "文",
    "志", "建", "国", "海", "子", "轩", "晨", "天",
];

/// (province, weight, cities with weights). Weights are rough shares of online shoppers.
/// A province, its weight, and its cities with weights.
pub(crate) type Region = (&'static str, f64, &'static [(&'static str, f64)]);

pub(crate) const REGIONS: [Region; 24] = [
    ("广东", 13.0, &[("广州", 4.0), ("深圳", 4.0), ("东莞", 2.0)]),
    ("浙江", 9.0, &[("杭州", 6.5), ("宁波", 3.5)]),
    ("江苏", 9.0, &[("南京", 5.0), ("苏州", 5.0)]),
    ("上海", 7.0, &[("上海", 1.0)]),
    ("北京", 6.5, &[("北京", 1.0)]),
    ("山东", 6.0, &[("济南", 4.5), ("青岛", 5.5)]),
    ("四川", 5.5, &[("成都", 1.0)]),
    ("福建", 4.5, &[("福州", 4.5), ("厦门", 5.5)]),
    ("河南", 4.5, &[("郑州", 1.0)]),
    ("湖北", 4.0, &[("武汉", 1.0)]),
    ("湖南", 3.5, &[("长沙", 1.0)]),
    ("河北", 3.0, &[("石家庄", 1.0)]),
    ("陕西", 3.0, &[("西安", 1.0)]),
    ("重庆", 3.0, &[("重庆", 1.0)]),
    ("安徽", 3.0, &[("合肥", 1.0)]),
    ("辽宁", 3.0, &[("沈阳", 5.0), ("大连", 5.0)]),
    ("天津", 2.5, &[("天津", 1.0)]),
    ("江西", 2.0, &[("南昌", 1.0)]),
    ("广西", 2.0, &[("南宁", 1.0)]),
    ("云南", 2.0, &[("昆明", 1.0)]),
    ("山西", 1.5, &[("太原", 1.0)]),
    ("黑龙江", 1.5, &[("哈尔滨", 1.0)]),
    ("贵州", 1.2, &[("贵阳", 1.0)]),
    ("吉林", 1.2, &[("长春", 1.0)]),
];

/// First-tier cities, whose shoppers spend a little more per order.
pub(crate) const TIER_ONE: [&str; 5] = ["上海", "北京", "深圳", "广州", "杭州"];

/// Order channels as the shop back-end names them, and as the tracking SDK names them.
pub(crate) const CHANNELS: [&str; 6] = ["APP", "小程序", "直播", "平台店铺", "私域", "PC"];
pub(crate) const CHANNEL_EVENT: [&str; 6] = [
    "app",
    "mini_program",
    "live_stream",
    "platform",
    "private_domain",
    "pc_web",
];
pub(crate) const CH_MINI: usize = 1;
pub(crate) const CH_LIVE: usize = 2;
pub(crate) const CH_PRIVATE: usize = 4;
pub(crate) const CH_PC: usize = 5;
/// Order value by channel: private domain and app higher, live stream lower.
pub(crate) const CHANNEL_VALUE: [f64; 6] = [1.15, 0.95, 0.72, 1.0, 1.3, 1.05];

pub(crate) const DEVICES: [&str; 4] = ["iOS", "Android", "PC", "鸿蒙"];
pub(crate) const DEVICE_EVENT: [&str; 4] = ["ios", "android", "pc", "harmony"];
pub(crate) const DEV_PC: usize = 2;
/// Shares of a customer's phone, for iOS, Android and HarmonyOS.
pub(crate) const MOBILE_SHARES: [f64; 4] = [0.42, 0.46, 0.0, 0.12];
/// Order value by device: iOS higher than Android.
pub(crate) const DEVICE_VALUE: [f64; 4] = [1.15, 0.9, 1.05, 1.0];

pub(crate) const PAYMENTS: [&str; 4] = ["支付宝", "微信支付", "银行卡", "花呗"];

pub(crate) const STATUS_OK: &str = "交易成功";
pub(crate) const STATUS_REFUNDED: &str = "已退款";
pub(crate) const STATUS_CLOSED: &str = "交易关闭";

pub(crate) const REFUND_REASONS: [&str; 6] = [
    "尺码不合适",
    "质量问题",
    "与描述不符",
    "不想要了",
    "物流太慢",
    "商品破损",
];
pub(crate) const REASON_SIZE: usize = 0;
pub(crate) const REASON_QUALITY: usize = 1;
pub(crate) const REASON_CHANGED_MIND: usize = 3;
pub(crate) const REASON_SLOW: usize = 4;
pub(crate) const REASON_DAMAGED: usize = 5;
/// Refund reasons for orders with sized goods (clothes, shoes, sportswear) and without.
pub(crate) const REASON_WEIGHTS_SIZED: [f64; 6] = [0.44, 0.16, 0.13, 0.14, 0.08, 0.05];
pub(crate) const REASON_WEIGHTS_UNSIZED: [f64; 6] = [0.0, 0.30, 0.22, 0.24, 0.14, 0.10];

pub(crate) const LEVELS: [&str; 4] = ["普通会员", "银卡会员", "金卡会员", "钻石会员"];

pub(crate) const PHONE_PREFIXES: [u64; 14] = [
    138, 139, 135, 136, 137, 150, 151, 158, 159, 186, 187, 177, 188, 199,
];
pub(crate) const EMAIL_DOMAINS: [&str; 5] =
    ["qq.com", "163.com", "126.com", "sina.com", "gmail.com"];

/// A product category: name, whether it is sold in sizes, typical products with list prices
/// in yuan, brand names, and how strongly women and men prefer it.
pub(crate) struct Category {
    pub name: &'static str,
    pub sized: bool,
    pub products: &'static [(&'static str, f64)],
    pub brands: &'static [&'static str],
    pub female_weight: f64,
    pub male_weight: f64,
    pub search_terms: &'static [&'static str],
}

pub(crate) const CATEGORIES: [Category; 8] = [
    Category {
        name: "服装",
        sized: true,
        products: &[
            ("连衣裙", 259.0),
            ("T恤", 89.0),
            ("衬衫", 159.0),
            ("牛仔裤", 199.0),
            ("针织开衫", 229.0),
            ("羽绒服", 699.0),
            ("卫衣", 169.0),
            ("风衣", 499.0),
            ("阔腿裤", 139.0),
            ("半身裙", 149.0),
        ],
        brands: &["云裳", "素衣坊", "北纬线", "拾光", "棉语", "森屿"],
        female_weight: 0.22,
        male_weight: 0.14,
        search_terms: &["连衣裙", "羽绒服", "卫衣", "牛仔裤"],
    },
    Category {
        name: "美妆",
        sized: false,
        products: &[
            ("精华液", 399.0),
            ("面霜", 329.0),
            ("口红", 219.0),
            ("粉底液", 289.0),
            ("防晒霜", 159.0),
            ("卸妆油", 129.0),
            ("眼霜", 359.0),
            ("面膜", 99.0),
        ],
        brands: &["花见", "水研社", "青黛", "颜究所", "玉肌堂"],
        female_weight: 0.20,
        male_weight: 0.04,
        search_terms: &["精华", "口红", "防晒", "面膜"],
    },
    Category {
        name: "数码",
        sized: false,
        products: &[
            ("蓝牙耳机", 299.0),
            ("充电宝", 129.0),
            ("智能手表", 1299.0),
            ("数据线", 39.0),
            ("机械键盘", 399.0),
            ("平板电脑", 2999.0),
            ("移动硬盘", 459.0),
            ("无线鼠标", 99.0),
        ],
        brands: &["极光", "声浪", "迅驰", "星核", "方寸"],
        female_weight: 0.06,
        male_weight: 0.24,
        search_terms: &["耳机", "充电宝", "手表", "键盘"],
    },
    Category {
        name: "食品",
        sized: false,
        products: &[
            ("坚果礼盒", 129.0),
            ("挂耳咖啡", 69.0),
            ("牛肉干", 59.0),
            ("绿茶", 99.0),
            ("燕麦片", 39.0),
            ("蜂蜜", 79.0),
            ("曲奇饼干", 45.0),
            ("果干", 35.0),
        ],
        brands: &["山野集", "麦香村", "果然鲜", "茶里香", "良食记"],
        female_weight: 0.12,
        male_weight: 0.14,
        search_terms: &["坚果", "咖啡", "零食", "茶叶"],
    },
    Category {
        name: "家居",
        sized: false,
        products: &[
            ("四件套", 299.0),
            ("乳胶枕", 199.0),
            ("香薰蜡烛", 89.0),
            ("收纳箱", 59.0),
            ("保温杯", 129.0),
            ("毛巾套装", 69.0),
            ("地毯", 239.0),
            ("台灯", 169.0),
        ],
        brands: &["木之家", "暖窝", "简居", "拾物"],
        female_weight: 0.12,
        male_weight: 0.10,
        search_terms: &["四件套", "收纳", "保温杯", "台灯"],
    },
    Category {
        name: "母婴",
        sized: false,
        products: &[
            ("纸尿裤", 149.0),
            ("婴儿湿巾", 49.0),
            ("奶瓶", 89.0),
            ("儿童餐椅", 299.0),
            ("婴儿推车", 899.0),
            ("辅食机", 399.0),
            ("爬行垫", 199.0),
        ],
        brands: &["贝乐宝", "小橡果", "暖暖熊", "萌芽"],
        female_weight: 0.10,
        male_weight: 0.06,
        search_terms: &["纸尿裤", "奶瓶", "推车", "湿巾"],
    },
    Category {
        name: "运动",
        sized: true,
        products: &[
            ("跑步鞋", 499.0),
            ("瑜伽垫", 129.0),
            ("运动内衣", 159.0),
            ("速干T恤", 119.0),
            ("登山包", 359.0),
            ("健身手套", 59.0),
            ("跳绳", 39.0),
            ("护膝", 79.0),
        ],
        brands: &["疾风", "跃动", "山径", "律动者", "破风"],
        female_weight: 0.06,
        male_weight: 0.16,
        search_terms: &["跑鞋", "瑜伽", "登山", "运动服"],
    },
    Category {
        name: "鞋包",
        sized: true,
        products: &[
            ("单肩包", 399.0),
            ("双肩包", 259.0),
            ("帆布鞋", 199.0),
            ("乐福鞋", 459.0),
            ("钱包", 229.0),
            ("行李箱", 699.0),
            ("短靴", 559.0),
            ("托特包", 329.0),
        ],
        brands: &["步履", "行者", "拾履", "锦囊", "轻旅"],
        female_weight: 0.12,
        male_weight: 0.12,
        search_terms: &["单肩包", "行李箱", "短靴", "帆布鞋"],
    },
];

pub(crate) const ADJECTIVES: [&str; 10] = [
    "经典款",
    "新款",
    "轻薄",
    "加厚",
    "简约",
    "升级版",
    "限定",
    "基础款",
    "复古",
    "高端",
];

/// Review topics. The analysis should find these themes in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Topic {
    Quality,
    Service,
    Delivery,
    Packaging,
    Size,
    Price,
}

pub(crate) const TOPICS: [Topic; 6] = [
    Topic::Quality,
    Topic::Service,
    Topic::Delivery,
    Topic::Packaging,
    Topic::Size,
    Topic::Price,
];

/// Topic weights of negative reviews by year: 2025 and before mostly slow delivery, from 2026
/// mostly damaged parcels (the trend the feedback analysis should find).
pub(crate) const NEGATIVE_TOPICS_EARLY: [f64; 6] = [0.16, 0.10, 0.44, 0.10, 0.10, 0.10];
pub(crate) const NEGATIVE_TOPICS_LATE: [f64; 6] = [0.16, 0.10, 0.10, 0.44, 0.10, 0.10];
pub(crate) const POSITIVE_TOPICS: [f64; 6] = [0.34, 0.15, 0.20, 0.06, 0.10, 0.15];

pub(crate) fn review_phrases(topic: Topic, positive: bool) -> &'static [&'static str] {
    match (topic, positive) {
        (Topic::Quality, true) => &[
            "质量很好，做工精细",
            "质量不错,和描述一致",
            "用料扎实，质量超出预期",
            "做工很好，质量没得说",
        ],
        (Topic::Quality, false) => &[
            "质量很差，用了两天就坏了",
            "做工粗糙,质量一般",
            "质量不行，有明显瑕疵",
            "和图片差距大，质量堪忧",
        ],
        (Topic::Service, true) => &[
            "客服很耐心，回复及时",
            "客服态度好,解答很详细",
            "售后客服处理得很快",
        ],
        (Topic::Service, false) => &[
            "客服态度很差，问了半天没人回",
            "售后客服一直推脱,体验很差",
            "客服回复太慢，问题也没解决",
        ],
        (Topic::Delivery, true) => &[
            "物流很快，第二天就到了",
            "发货速度快,快递给力",
            "物流速度超快，点赞",
        ],
        (Topic::Delivery, false) => &[
            "物流太慢了，等了一个多星期才到",
            "快递速度太慢,催了好几次",
            "发货慢，物流速度让人失望",
            "物流信息好几天不更新，太慢了",
        ],
        (Topic::Packaging, true) => &["包装很用心，完好无损", "包装严实,没有任何破损"],
        (Topic::Packaging, false) => &[
            "包装破损严重，盒子都压扁了",
            "收到时外包装破了,商品有磕碰",
            "快递包装太简陋，到手已经破损",
            "外箱破损，里面的东西也坏了",
        ],
        (Topic::Size, true) => &[
            "尺码标准，穿着合身",
            "尺码合适,版型好看",
            "按平时尺码买的，刚刚好",
        ],
        (Topic::Size, false) => &[
            "尺码偏小，穿不上",
            "尺码不准,大了一号",
            "尺码和描述不一致，只能退了",
        ],
        (Topic::Price, true) => &[
            "价格实惠，性价比很高",
            "活动价很划算,值得购买",
            "这个价格买到很满意",
        ],
        (Topic::Price, false) => &[
            "价格太贵了，不值这个价",
            "刚买就降价,价格保护也不给",
            "性价比不高，价格虚高",
        ],
    }
}

pub(crate) const POSITIVE_ENDINGS: [&str; 5] = ["", "，推荐购买", "，会回购的", "，给个好评", "。"];
pub(crate) const NEGATIVE_ENDINGS: [&str; 4] = ["", "，不推荐", "，很失望", "。"];

pub(crate) const LOGIN_METHODS: [&str; 4] = ["password", "sms", "wechat", "face_id"];
pub(crate) const SHARE_TARGETS: [&str; 3] = ["wechat", "moments", "weibo"];
pub(crate) const CS_TOPICS: [&str; 4] = ["物流", "尺码", "售后", "发票"];
pub(crate) const COUPONS: [&str; 5] = [
    "满99减10",
    "满199减30",
    "满299减50",
    "满499减80",
    "无门槛5元",
];

/// Session start hours: a shared daily curve, with women busiest 20–22h and men 12–14h.
pub(crate) const HOUR_BASE: [f64; 24] = [
    0.35, 0.18, 0.08, 0.05, 0.04, 0.06, 0.15, 0.35, 0.60, 0.80, 0.95, 1.00, 1.05, 1.05, 0.95, 0.90,
    0.90, 0.95, 1.05, 1.20, 1.35, 1.40, 1.20, 0.70,
];
pub(crate) const PEAK_FEMALE: [usize; 2] = [20, 21];
pub(crate) const PEAK_MALE: [usize; 2] = [12, 13];
pub(crate) const PEAK_BOOST: f64 = 2.2;

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk_ok(s: &str) -> bool {
        let (_, _, errors) = encoding_rs::GBK.encode(s);
        !errors
    }

    #[test]
    fn order_file_vocabulary_is_gbk() {
        let mut all: Vec<&str> = Vec::new();
        all.extend(CHANNELS);
        all.extend(DEVICES);
        all.extend(PAYMENTS);
        all.extend(REFUND_REASONS);
        all.extend([STATUS_OK, STATUS_REFUNDED, STATUS_CLOSED, "是", "否", "￥"]);
        for (p, _, cities) in REGIONS {
            all.push(p);
            all.extend(cities.iter().map(|(c, _)| *c));
        }
        for s in all {
            assert!(gbk_ok(s), "{s} is not in GBK");
        }
    }

    #[test]
    fn yen_sign_u00a5_is_not_in_gbk() {
        // Why orders.csv uses the full-width ￥ (U+FFE5) that GBK exports carry.
        assert!(!gbk_ok("¥"));
        assert!(gbk_ok("￥"));
    }

    #[test]
    fn tables_are_consistent() {
        for c in &CATEGORIES {
            assert!((4..=6).contains(&c.brands.len()), "{}", c.name);
            assert!(!c.products.is_empty());
        }
    }
}
