//! The canonical tables: every column Strata knows, its Arrow type, the header names shop
//! back-ends export it under, and what it means. Import, storage, SQL and the docs all read this
//! one description, so a column added here is recognised, stored and documented everywhere.

use std::sync::{Arc, OnceLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Money is stored exactly, in hundredths, as `Decimal128(MONEY_PRECISION, MONEY_SCALE)`.
pub const MONEY_PRECISION: u8 = 18;
pub const MONEY_SCALE: i8 = 2;
/// Points in time are UTC instants in microseconds; the shop's time zone lives in the config.
pub const TIME_ZONE: &str = "UTC";

/// How a column is parsed and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, kept verbatim (trimmed).
    Id,
    /// Free text, kept verbatim (trimmed).
    Text,
    /// A value from a vocabulary, normalised to a canonical spelling on import.
    Vocab(Vocab),
    /// A point in time (`Timestamp(µs, UTC)`).
    Time,
    /// An amount of money (`Decimal128(18, 2)`).
    Money,
    /// A whole number (`Int64`).
    Int,
    /// A 1–5 star rating (`Int64`).
    Rating,
    /// Yes or no (`Boolean`).
    Bool,
    /// A JSON object kept as text; JSON Lines fields that match no column are collected here.
    Json,
}

/// Vocabularies whose synonyms import folds into one canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocab {
    Channel,
    Device,
    Payment,
    /// Closed: pending, paid, refunded, cancelled.
    Status,
    /// Closed: female, male, unknown.
    Gender,
    EventType,
    Page,
    Province,
    City,
    /// ISO 4217 code, upper case.
    Currency,
}

impl Kind {
    pub fn data_type(self) -> DataType {
        match self {
            Kind::Id | Kind::Text | Kind::Vocab(_) | Kind::Json => DataType::Utf8,
            Kind::Time => DataType::Timestamp(TimeUnit::Microsecond, Some(TIME_ZONE.into())),
            Kind::Money => DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
            Kind::Int | Kind::Rating => DataType::Int64,
            Kind::Bool => DataType::Boolean,
        }
    }

    /// The name used in the data-model documentation.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Text => "text",
            Kind::Vocab(_) => "vocabulary",
            Kind::Time => "timestamp (UTC, µs)",
            Kind::Money => "decimal(18,2)",
            Kind::Int => "int64",
            Kind::Rating => "int64 (1–5)",
            Kind::Bool => "boolean",
            Kind::Json => "JSON text",
        }
    }
}

/// One column of a canonical table.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// A row without a value here is rejected; a file without the column fails.
    pub required: bool,
    /// Header names recognised for this column, in order of preference, compared after
    /// trimming and ignoring case, spaces, `_` and `-`.
    pub aliases: &'static [&'static str],
    /// Another column whose value is used when this one is absent (orders: `ordered_at` falls
    /// back to `paid_at`, since some exports carry only the payment time).
    pub fallback: Option<&'static str>,
    pub doc: &'static str,
}

/// How rows of a table are identified, so that importing a row twice keeps one.
#[derive(Debug, Clone, Copy)]
pub enum RowKey {
    /// These columns identify the row.
    Columns(&'static [&'static str]),
    /// These columns identify the row when present; rows without them are identified by their
    /// whole content, so an identical row imported twice is still one row.
    ColumnsOrContent(&'static [&'static str]),
}

/// A canonical table.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    /// The word used on the command line (`order-items` for `order_items`).
    pub cli_name: &'static str,
    pub key: RowKey,
    pub fields: &'static [FieldSpec],
    pub doc: &'static str,
}

impl TableSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The Arrow schema of the stored table. Required columns are still nullable in Arrow,
    /// so that files written by other tools with the same columns can be read as parts.
    pub fn schema(&self) -> SchemaRef {
        static SCHEMAS: OnceLock<Vec<SchemaRef>> = OnceLock::new();
        let build = |t: &TableSpec| {
            let fields: Vec<Field> = t
                .fields
                .iter()
                .map(|f| Field::new(f.name, f.kind.data_type(), true))
                .collect();
            Arc::new(Schema::new(fields))
        };
        let all = SCHEMAS.get_or_init(|| TABLES.iter().map(|t| build(t)).collect());
        match TABLES.iter().position(|t| t.name == self.name) {
            Some(at) => Arc::clone(&all[at]),
            // A spec that is not a workspace table ([`TRANSACTIONS`]), read once per file.
            None => build(self),
        }
    }

    /// Column indices of the key.
    pub fn key_indices(&self) -> Vec<usize> {
        let cols = match self.key {
            RowKey::Columns(c) | RowKey::ColumnsOrContent(c) => c,
        };
        cols.iter()
            .map(|c| {
                self.index_of(c)
                    .expect("key columns are fields of their table")
            })
            .collect()
    }
}

/// Looks a table up by its stored name or its command-line name.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES
        .iter()
        .find(|t| t.name == name || t.cli_name == name)
        .copied()
}

const fn f(
    name: &'static str,
    kind: Kind,
    required: bool,
    aliases: &'static [&'static str],
    doc: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        required,
        aliases,
        fallback: None,
        doc,
    }
}

const CUSTOMER_ID_ALIASES: &[&str] = &[
    "customer_id",
    "customer",
    "buyer_id",
    "user_id",
    "member_id",
    "客户ID",
    "客户编号",
    "买家ID",
    "买家会员ID",
    "会员ID",
    "会员编号",
    "用户ID",
    "买家会员名",
    "买家昵称",
];
const ORDER_ID_ALIASES: &[&str] = &[
    "order_id",
    "order_no",
    "order_number",
    "订单编号",
    "订单号",
    "主订单编号",
    "订单ID",
];
const PROVINCE_ALIASES: &[&str] = &["province", "state", "省份", "收货省份", "收货人省份", "省"];
const CITY_ALIASES: &[&str] = &["city", "城市", "收货城市", "收货人城市", "市"];
const CHANNEL_ALIASES: &[&str] = &[
    "channel",
    "渠道",
    "订单渠道",
    "下单渠道",
    "订单来源",
    "来源渠道",
];
const DEVICE_ALIASES: &[&str] = &["device", "设备", "终端", "下单终端", "下单设备"];

const ORDERED_AT_ALIASES: &[&str] = &[
    "ordered_at",
    "order_time",
    "order_date",
    "created_at",
    "下单时间",
    "订单创建时间",
    "创建时间",
    "成交时间",
];
const PAID_AT_ALIASES: &[&str] = &[
    "paid_at",
    "payment_time",
    "pay_time",
    "付款时间",
    "支付时间",
];
const PAID_AMOUNT_ALIASES: &[&str] = &[
    "paid_amount",
    "amount",
    "total",
    "order_total",
    "order_amount",
    "payment_amount",
    "实付金额",
    "买家实际支付金额",
    "实收金额",
    "支付金额",
    "订单金额",
    "订单总金额",
];
const STATUS_ALIASES: &[&str] = &["status", "order_status", "订单状态", "交易状态"];

/// A transaction file for the lifetime-value models outside a workspace (`strata clv`): an
/// order export, or any list of who bought when for how much. Not a workspace table (it is
/// not in [`TABLES`]); it reads the same headers as `orders`, without needing an order number.
pub static TRANSACTIONS: TableSpec = TableSpec {
    name: "transactions",
    cli_name: "transactions",
    key: RowKey::ColumnsOrContent(&[]),
    doc: "Who bought when, for how much: one row per purchase.",
    fields: &[
        f(
            "customer_id",
            Kind::Id,
            true,
            CUSTOMER_ID_ALIASES,
            "Who bought.",
        ),
        FieldSpec {
            name: "ordered_at",
            kind: Kind::Time,
            required: true,
            aliases: ORDERED_AT_ALIASES,
            fallback: Some("paid_at"),
            doc: "When; the payment time when the file has only that.",
        },
        f(
            "paid_at",
            Kind::Time,
            false,
            PAID_AT_ALIASES,
            "When it was paid.",
        ),
        f(
            "paid_amount",
            Kind::Money,
            false,
            PAID_AMOUNT_ALIASES,
            "What the customer paid.",
        ),
        f(
            "status",
            Kind::Vocab(Vocab::Status),
            false,
            STATUS_ALIASES,
            "pending, paid, refunded or cancelled; paid when the file has no status column.",
        ),
    ],
};

pub static ORDERS: TableSpec = TableSpec {
    name: "orders",
    cli_name: "orders",
    key: RowKey::Columns(&["order_id"]),
    doc: "One row per order. Importing an order again replaces it.",
    fields: &[
        f(
            "order_id",
            Kind::Id,
            true,
            ORDER_ID_ALIASES,
            "The shop's order number.",
        ),
        f(
            "customer_id",
            Kind::Id,
            true,
            CUSTOMER_ID_ALIASES,
            "Who placed the order.",
        ),
        FieldSpec {
            name: "ordered_at",
            kind: Kind::Time,
            required: true,
            aliases: ORDERED_AT_ALIASES,
            fallback: Some("paid_at"),
            doc: "When the order was placed; the payment time when the export has only that.",
        },
        f(
            "paid_at",
            Kind::Time,
            false,
            PAID_AT_ALIASES,
            "When it was paid; empty for unpaid or cancelled orders.",
        ),
        f(
            "paid_amount",
            Kind::Money,
            true,
            PAID_AMOUNT_ALIASES,
            "What the customer paid for the order, after discounts.",
        ),
        f(
            "currency",
            Kind::Vocab(Vocab::Currency),
            false,
            &["currency", "币种", "货币"],
            "ISO 4217 code; from the column, else the amount's symbol, else the configured default.",
        ),
        f(
            "discount_amount",
            Kind::Money,
            false,
            &[
                "discount_amount",
                "discount",
                "优惠金额",
                "优惠",
                "折扣金额",
                "店铺优惠",
            ],
            "Discount given on the order.",
        ),
        f(
            "coupon_used",
            Kind::Bool,
            false,
            &[
                "coupon_used",
                "used_coupon",
                "coupon",
                "是否使用优惠券",
                "使用优惠券",
                "是否用券",
            ],
            "Whether a coupon was used.",
        ),
        f(
            "channel",
            Kind::Vocab(Vocab::Channel),
            false,
            CHANNEL_ALIASES,
            "Sales channel.",
        ),
        f(
            "device",
            Kind::Vocab(Vocab::Device),
            false,
            DEVICE_ALIASES,
            "Device the order was placed on.",
        ),
        f(
            "payment_method",
            Kind::Vocab(Vocab::Payment),
            false,
            &[
                "payment_method",
                "pay_method",
                "payment",
                "支付方式",
                "付款方式",
            ],
            "How it was paid.",
        ),
        f(
            "status",
            Kind::Vocab(Vocab::Status),
            false,
            STATUS_ALIASES,
            "pending, paid, refunded or cancelled; paid when the export has no status column.",
        ),
        f(
            "return_reason",
            Kind::Text,
            false,
            &[
                "return_reason",
                "refund_reason",
                "退款原因",
                "退货原因",
                "售后原因",
            ],
            "Why it was returned or refunded.",
        ),
        f(
            "province",
            Kind::Vocab(Vocab::Province),
            false,
            PROVINCE_ALIASES,
            "Delivery province, without the 省/市 suffix.",
        ),
        f(
            "city",
            Kind::Vocab(Vocab::City),
            false,
            CITY_ALIASES,
            "Delivery city, without the 市 suffix.",
        ),
        f(
            "item_count",
            Kind::Int,
            false,
            &[
                "item_count",
                "items",
                "quantity",
                "商品数量",
                "宝贝数量",
                "购买数量",
            ],
            "Number of items in the order.",
        ),
    ],
};

pub static CUSTOMERS: TableSpec = TableSpec {
    name: "customers",
    cli_name: "customers",
    key: RowKey::Columns(&["customer_id"]),
    doc: "One row per customer: who they are. Importing a customer again replaces the row.",
    fields: &[
        f(
            "customer_id",
            Kind::Id,
            true,
            CUSTOMER_ID_ALIASES,
            "The shop's customer or member id.",
        ),
        f(
            "name",
            Kind::Text,
            false,
            &["name", "customer_name", "姓名", "客户姓名", "收货人"],
            "Name (personal data).",
        ),
        f(
            "gender",
            Kind::Vocab(Vocab::Gender),
            false,
            &["gender", "sex", "性别"],
            "female, male or unknown.",
        ),
        f(
            "birth_year",
            Kind::Int,
            false,
            &["birth_year", "出生年份", "出生年"],
            "Year of birth.",
        ),
        f(
            "province",
            Kind::Vocab(Vocab::Province),
            false,
            PROVINCE_ALIASES,
            "Home province.",
        ),
        f(
            "city",
            Kind::Vocab(Vocab::City),
            false,
            CITY_ALIASES,
            "Home city.",
        ),
        f(
            "registered_at",
            Kind::Time,
            false,
            &[
                "registered_at",
                "signup_at",
                "created_at",
                "注册时间",
                "入会时间",
                "开卡时间",
            ],
            "When the customer registered or was first seen.",
        ),
        f(
            "acquisition_channel",
            Kind::Vocab(Vocab::Channel),
            false,
            &[
                "acquisition_channel",
                "signup_channel",
                "channel",
                "注册渠道",
                "来源渠道",
                "渠道",
            ],
            "Channel the customer came through.",
        ),
        f(
            "member_level",
            Kind::Text,
            false,
            &["member_level", "level", "tier", "会员等级", "会员级别"],
            "Membership level as the shop names it.",
        ),
        f(
            "phone",
            Kind::Text,
            false,
            &["phone", "mobile", "手机号", "手机", "手机号码", "联系电话"],
            "Phone number (personal data).",
        ),
        f(
            "email",
            Kind::Text,
            false,
            &["email", "e-mail", "邮箱", "电子邮箱"],
            "Email address (personal data).",
        ),
        f(
            "marketing_consent",
            Kind::Bool,
            false,
            &[
                "marketing_consent",
                "consent",
                "opt_in",
                "营销授权",
                "是否同意营销",
                "接受营销",
            ],
            "Whether the customer agreed to marketing contact.",
        ),
    ],
};

pub static ORDER_ITEMS: TableSpec = TableSpec {
    name: "order_items",
    cli_name: "order-items",
    key: RowKey::Columns(&["order_id", "line_no"]),
    doc: "One row per order line. Without a line-number column, lines are numbered 1, 2, … per \
          order in file order.",
    fields: &[
        f(
            "order_id",
            Kind::Id,
            true,
            ORDER_ID_ALIASES,
            "The order the line belongs to.",
        ),
        f(
            "line_no",
            Kind::Int,
            false,
            &["line_no", "line", "item_no", "行号", "序号"],
            "Line number within the order.",
        ),
        f(
            "sku",
            Kind::Id,
            false,
            &[
                "sku",
                "sku_id",
                "product_id",
                "item_id",
                "商品编码",
                "商家编码",
                "商品ID",
                "宝贝ID",
            ],
            "Product or SKU id.",
        ),
        f(
            "product_name",
            Kind::Text,
            false,
            &[
                "product_name",
                "product",
                "title",
                "item_name",
                "商品名称",
                "商品标题",
                "宝贝标题",
            ],
            "Product title.",
        ),
        f(
            "category",
            Kind::Text,
            false,
            &["category", "类目", "商品类目", "品类"],
            "Product category.",
        ),
        f("brand", Kind::Text, false, &["brand", "品牌"], "Brand."),
        f(
            "quantity",
            Kind::Int,
            false,
            &["quantity", "qty", "数量", "购买数量"],
            "Units bought.",
        ),
        f(
            "unit_price",
            Kind::Money,
            false,
            &["unit_price", "price", "单价", "商品单价"],
            "Price of one unit.",
        ),
        f(
            "paid_amount",
            Kind::Money,
            false,
            &[
                "paid_amount",
                "amount",
                "line_total",
                "实付金额",
                "商品实付金额",
                "小计",
            ],
            "What was paid for the line.",
        ),
    ],
};

pub static EVENTS: TableSpec = TableSpec {
    name: "events",
    cli_name: "events",
    key: RowKey::ColumnsOrContent(&["event_id"]),
    doc: "Behaviour events from the site, app or mini-program. Each row needs a customer_id or an \
          anonymous_id. Rows without event_id are identified by their whole content.",
    fields: &[
        f(
            "event_id",
            Kind::Id,
            false,
            &["event_id", "id", "事件ID"],
            "Unique id of the event, if the tracker gives one.",
        ),
        f(
            "customer_id",
            Kind::Id,
            false,
            &[
                "customer_id",
                "user_id",
                "member_id",
                "客户ID",
                "用户ID",
                "会员ID",
            ],
            "Logged-in customer.",
        ),
        f(
            "anonymous_id",
            Kind::Id,
            false,
            &[
                "anonymous_id",
                "device_id",
                "visitor_id",
                "anon_id",
                "访客ID",
                "设备ID",
            ],
            "Visitor or device id for visitors not logged in.",
        ),
        f(
            "event_time",
            Kind::Time,
            true,
            &[
                "event_time",
                "time",
                "timestamp",
                "ts",
                "event_at",
                "时间",
                "事件时间",
                "发生时间",
            ],
            "When it happened.",
        ),
        f(
            "event_type",
            Kind::Vocab(Vocab::EventType),
            true,
            &["event_type", "event", "type", "事件", "事件类型", "行为"],
            "What happened: page_view, add_to_cart, order_paid, login, search, video_view, …",
        ),
        f(
            "page",
            Kind::Vocab(Vocab::Page),
            false,
            &["page", "page_type", "页面", "页面类型"],
            "For page views: home, category, product, cart, checkout, search.",
        ),
        f(
            "session_id",
            Kind::Id,
            false,
            &["session_id", "session", "会话ID"],
            "Session the event belongs to.",
        ),
        f(
            "device",
            Kind::Vocab(Vocab::Device),
            false,
            DEVICE_ALIASES,
            "Device.",
        ),
        f(
            "channel",
            Kind::Vocab(Vocab::Channel),
            false,
            CHANNEL_ALIASES,
            "Channel.",
        ),
        f(
            "duration_ms",
            Kind::Int,
            false,
            &["duration_ms", "dwell_ms", "停留时长"],
            "Time spent, in milliseconds.",
        ),
        f(
            "page_load_ms",
            Kind::Int,
            false,
            &["page_load_ms", "load_ms", "加载时长"],
            "Page load time, in milliseconds.",
        ),
        f(
            "sku",
            Kind::Id,
            false,
            &["sku", "product_id", "商品编码", "商品ID"],
            "Product involved, if any.",
        ),
        f(
            "properties",
            Kind::Json,
            false,
            &["properties", "props", "属性"],
            "Other fields, as a JSON object.",
        ),
    ],
};

pub static REVIEWS: TableSpec = TableSpec {
    name: "reviews",
    cli_name: "reviews",
    key: RowKey::ColumnsOrContent(&["review_id"]),
    doc: "Product reviews. Rows without review_id are identified by their whole content.",
    fields: &[
        f(
            "review_id",
            Kind::Id,
            false,
            &["review_id", "id", "评价ID", "评论ID"],
            "Unique id of the review.",
        ),
        f(
            "order_id",
            Kind::Id,
            false,
            ORDER_ID_ALIASES,
            "Order reviewed.",
        ),
        f(
            "customer_id",
            Kind::Id,
            true,
            CUSTOMER_ID_ALIASES,
            "Who wrote it.",
        ),
        f(
            "sku",
            Kind::Id,
            false,
            &["sku", "product_id", "商品编码", "商品ID", "宝贝ID"],
            "Product reviewed.",
        ),
        f(
            "created_at",
            Kind::Time,
            true,
            &[
                "created_at",
                "review_time",
                "reviewed_at",
                "评价时间",
                "评论时间",
            ],
            "When it was written.",
        ),
        f(
            "rating",
            Kind::Rating,
            false,
            &["rating", "score", "stars", "评分", "星级", "评价等级"],
            "1–5 stars; 好评/中评/差评 read as 5/3/1.",
        ),
        f(
            "content",
            Kind::Text,
            false,
            &[
                "content",
                "review",
                "text",
                "comment",
                "评价内容",
                "评论内容",
                "评价",
            ],
            "What it says.",
        ),
    ],
};

/// Every canonical table, in the order data flows through a shop.
pub static TABLES: &[&TableSpec] = &[&CUSTOMERS, &ORDERS, &ORDER_ITEMS, &EVENTS, &REVIEWS];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fallbacks_and_names_are_consistent() {
        for t in TABLES {
            assert_eq!(t.schema().fields().len(), t.fields.len());
            t.key_indices();
            for fs in t.fields {
                if let Some(fb) = fs.fallback {
                    assert!(
                        t.field(fb).is_some(),
                        "{}.{} falls back to a missing column",
                        t.name,
                        fs.name
                    );
                }
                assert!(
                    !fs.aliases.is_empty(),
                    "{}.{} has no header names",
                    t.name,
                    fs.name
                );
            }
            assert!(std::ptr::eq(table(t.cli_name).unwrap(), *t));
        }
    }
}
