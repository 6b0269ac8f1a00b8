//! The five import files and how each is encoded.
//!
//! `customers.csv` and `reviews.csv` are UTF-8 with a byte-order mark (as Excel saves them),
//! `orders.csv` is GBK like a Taobao back-end export (GBK bytes go straight into the csv writer:
//! GBK trail bytes are never `,`, `"` or a line break, so quoting still works), `order_items.csv` is plain UTF-8 and
//! `events.jsonl` is JSON Lines written by hand (fixed key order, no intermediate values).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::calendar::{Calendar, write_money, write_money_grouped};
use crate::catalog::Catalog;
use crate::customer::{CustomerOut, Prop, Status};
use crate::data::{self, CATEGORIES};
use crate::{DemoError, DemoFiles};

const BUFFER: usize = 1 << 20;
const BOM: &[u8] = "\u{feff}".as_bytes();

pub(crate) const CUSTOMERS_HEADER: [&str; 12] = [
    "客户ID",
    "姓名",
    "性别",
    "出生年份",
    "省份",
    "城市",
    "注册时间",
    "注册渠道",
    "会员等级",
    "手机号",
    "邮箱",
    "营销授权",
];
pub(crate) const ORDERS_HEADER: [&str; 15] = [
    "订单编号",
    "买家ID",
    "下单时间",
    "付款时间",
    "实付金额",
    "优惠金额",
    "是否使用优惠券",
    "渠道",
    "下单终端",
    "支付方式",
    "订单状态",
    "退款原因",
    "收货省份",
    "收货城市",
    "商品数量",
];
pub(crate) const ITEMS_HEADER: [&str; 9] = [
    "order_id",
    "line_no",
    "sku",
    "product_name",
    "category",
    "brand",
    "quantity",
    "unit_price",
    "paid_amount",
];
pub(crate) const REVIEWS_HEADER: [&str; 7] = [
    "评价ID",
    "订单编号",
    "买家ID",
    "商品编码",
    "评价时间",
    "评分",
    "评价内容",
];

/// Counts of rows written, for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub orders: u64,
    pub order_items: u64,
    pub events: u64,
    pub reviews: u64,
}

pub(crate) struct Writers<'a> {
    files: &'a DemoFiles,
    cal: &'a Calendar,
    catalog: &'a Catalog,
    customers: csv::Writer<BufWriter<File>>,
    /// Receives GBK bytes: every Chinese string of the order file is encoded once, up front.
    orders: csv::Writer<BufWriter<File>>,
    gbk: GbkVocabulary,
    items: csv::Writer<BufWriter<File>>,
    /// `None` when events are not written.
    events: Option<BufWriter<File>>,
    reviews: csv::Writer<BufWriter<File>>,
    line: Vec<u8>,
    field: String,
    customer_id: String,
    skus: Vec<String>,
    pub counts: Counts,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> DemoError + '_ {
    move |source| DemoError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

fn create(path: &Path, bom: bool) -> Result<BufWriter<File>, DemoError> {
    let file = File::create(path).map_err(io_error(path))?;
    let mut w = BufWriter::with_capacity(BUFFER, file);
    if bom {
        w.write_all(BOM).map_err(io_error(path))?;
    }
    Ok(w)
}

fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .buffer_capacity(64 * 1024)
        .from_writer(w)
}

impl<'a> Writers<'a> {
    pub(crate) fn create(
        files: &'a DemoFiles,
        cal: &'a Calendar,
        catalog: &'a Catalog,
        with_events: bool,
    ) -> Result<Self, DemoError> {
        let mut customers = csv_writer(create(&files.customers, true)?);
        customers
            .write_record(CUSTOMERS_HEADER)
            .map_err(csv_error(&files.customers))?;
        let gbk = GbkVocabulary::new().map_err(|text| DemoError::Io {
            path: files.orders.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("internal: {text} cannot be encoded as gbk"),
            ),
        })?;
        let mut orders = csv_writer(create(&files.orders, false)?);
        orders
            .write_record(&gbk.header)
            .map_err(csv_error(&files.orders))?;
        let mut items = csv_writer(create(&files.order_items, false)?);
        items
            .write_record(ITEMS_HEADER)
            .map_err(csv_error(&files.order_items))?;
        let events = if with_events {
            Some(create(&files.events, false)?)
        } else {
            None
        };
        let mut reviews = csv_writer(create(&files.reviews, true)?);
        reviews
            .write_record(REVIEWS_HEADER)
            .map_err(csv_error(&files.reviews))?;
        Ok(Self {
            files,
            cal,
            catalog,
            customers,
            orders,
            gbk,
            items,
            events,
            reviews,
            line: Vec::with_capacity(512),
            field: String::with_capacity(64),
            customer_id: String::new(),
            skus: (0..catalog.products.len()).map(Catalog::sku).collect(),
            counts: Counts::default(),
        })
    }

    /// Writes every row of one customer.
    pub(crate) fn write(&mut self, c: &CustomerOut) -> Result<(), DemoError> {
        self.customer_id.clear();
        let _ = write!(self.customer_id, "C{:08}", c.index + 1);
        self.write_customer(c)
            .map_err(csv_error(&self.files.customers))?;
        self.write_orders(c)
            .map_err(csv_error(&self.files.orders))?;
        self.write_items(c)
            .map_err(csv_error(&self.files.order_items))?;
        self.write_reviews(c)
            .map_err(csv_error(&self.files.reviews))?;
        if self.events.is_some() {
            self.write_events(c).map_err(io_error(&self.files.events))?;
            self.counts.events += c.events.len() as u64;
        }
        self.counts.orders += c.orders.len() as u64;
        self.counts.order_items += c.items.len() as u64;
        self.counts.reviews += c.reviews.len() as u64;
        Ok(())
    }

    /// Flushes everything to disk.
    pub(crate) fn finish(mut self) -> Result<Counts, DemoError> {
        let files = self.files;
        self.orders.flush().map_err(io_error(&files.orders))?;
        self.customers.flush().map_err(io_error(&files.customers))?;
        self.items.flush().map_err(io_error(&files.order_items))?;
        self.reviews.flush().map_err(io_error(&files.reviews))?;
        if let Some(events) = self.events.as_mut() {
            events.flush().map_err(io_error(&files.events))?;
        }
        Ok(self.counts)
    }

    fn write_customer(&mut self, c: &CustomerOut) -> csv::Result<()> {
        let w = &mut self.customers;
        let f = &mut self.field;
        let (province, _, cities) = data::REGIONS[c.region];
        w.write_field(&self.customer_id)?;
        w.write_field(&c.name)?;
        w.write_field(if c.female { "女" } else { "男" })?;
        f.clear();
        let _ = write!(f, "{}", c.birth_year);
        w.write_field(&*f)?;
        w.write_field(province)?;
        w.write_field(cities[c.city].0)?;
        f.clear();
        self.cal.write_dash(f, c.reg_secs);
        w.write_field(&*f)?;
        w.write_field(data::CHANNELS[c.reg_channel])?;
        w.write_field(data::LEVELS[c.level])?;
        f.clear();
        let _ = write!(f, "{}", c.phone);
        w.write_field(&*f)?;
        w.write_field(&c.email)?;
        w.write_field(if c.consent { "是" } else { "否" })?;
        w.write_record(None::<&[u8]>)
    }

    fn write_orders(&mut self, c: &CustomerOut) -> csv::Result<()> {
        let w = &mut self.orders;
        let f = &mut self.field;
        let g = &self.gbk;
        let mut amount = Vec::with_capacity(24);
        for o in &c.orders {
            f.clear();
            let _ = write!(f, "{}", o.id);
            w.write_field(&*f)?;
            w.write_field(&self.customer_id)?;
            f.clear();
            self.cal.write_slash_minute(f, o.secs);
            w.write_field(&*f)?;
            f.clear();
            if o.status != Status::Closed {
                self.cal.write_dash(f, o.pay_secs);
            }
            w.write_field(&*f)?;
            // GBK has no U+00A5, so the amount carries the full-width ￥ that GBK exports use.
            f.clear();
            write_money_grouped(f, o.paid_cents);
            amount.clear();
            amount.extend_from_slice(&g.yen);
            amount.extend_from_slice(f.as_bytes());
            w.write_field(&amount)?;
            f.clear();
            write_money(f, o.discount_cents);
            w.write_field(&*f)?;
            w.write_field(&g.yes_no[usize::from(!o.coupon)])?;
            w.write_field(&g.channels[o.channel])?;
            w.write_field(&g.devices[o.device])?;
            w.write_field(&g.payments[o.payment])?;
            let (status, reason) = match o.status {
                Status::Paid => (0, None),
                Status::Refunded(r) => (1, Some(r)),
                Status::Closed => (2, None),
            };
            w.write_field(&g.statuses[status])?;
            match reason {
                Some(r) => w.write_field(&g.reasons[r])?,
                None => w.write_field("")?,
            }
            w.write_field(&g.provinces[o.ship_region])?;
            w.write_field(&g.cities[o.ship_region][o.ship_city])?;
            f.clear();
            let _ = write!(f, "{}", o.quantity);
            w.write_field(&*f)?;
            w.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    fn write_items(&mut self, c: &CustomerOut) -> csv::Result<()> {
        let w = &mut self.items;
        let f = &mut self.field;
        let mut id = String::new();
        for o in &c.orders {
            id.clear();
            let _ = write!(id, "{}", o.id);
            for (line, item) in c.items[o.items.clone()].iter().enumerate() {
                let p = &self.catalog.products[item.product];
                w.write_field(&id)?;
                f.clear();
                let _ = write!(f, "{}", line + 1);
                w.write_field(&*f)?;
                w.write_field(&self.skus[item.product])?;
                w.write_field(&p.name)?;
                w.write_field(CATEGORIES[p.category].name)?;
                w.write_field(self.catalog.brands[p.brand].name)?;
                f.clear();
                let _ = write!(f, "{}", item.quantity);
                w.write_field(&*f)?;
                f.clear();
                write_money(f, item.unit_cents);
                w.write_field(&*f)?;
                f.clear();
                write_money(f, item.paid_cents);
                w.write_field(&*f)?;
                w.write_record(None::<&[u8]>)?;
            }
        }
        Ok(())
    }

    fn write_reviews(&mut self, c: &CustomerOut) -> csv::Result<()> {
        let w = &mut self.reviews;
        let f = &mut self.field;
        for (i, r) in c.reviews.iter().enumerate() {
            f.clear();
            let _ = write!(f, "R{:08}-{}", c.index + 1, i + 1);
            w.write_field(&*f)?;
            f.clear();
            let _ = write!(f, "{}", c.orders[r.order].id);
            w.write_field(&*f)?;
            w.write_field(&self.customer_id)?;
            w.write_field(&self.skus[r.product])?;
            f.clear();
            self.cal.write_dash(f, r.secs);
            w.write_field(&*f)?;
            f.clear();
            let _ = write!(f, "{}", r.rating);
            w.write_field(&*f)?;
            w.write_field(&c.review_text[r.text.clone()])?;
            w.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    fn write_events(&mut self, c: &CustomerOut) -> std::io::Result<()> {
        let l = &mut self.line;
        let mut n = 0u64;
        for (s_no, s) in c.sessions.iter().enumerate() {
            for e in &c.events[s.events.clone()] {
                n += 1;
                l.clear();
                l.extend_from_slice(b"{\"event_id\":\"E");
                push_padded(l, c.index + 1);
                l.push(b'-');
                push_u64(l, n);
                l.extend_from_slice(b"\",\"customer_id\":");
                match s.visitor {
                    None => {
                        l.push(b'"');
                        l.extend_from_slice(self.customer_id.as_bytes());
                        l.extend_from_slice(b"\",\"anonymous_id\":null");
                    }
                    Some(v) => {
                        l.extend_from_slice(b"null,\"anonymous_id\":\"A");
                        push_padded(l, c.index + 1);
                        l.push(b'-');
                        push_u64(l, u64::from(v) + 1);
                        l.push(b'"');
                    }
                }
                l.extend_from_slice(b",\"event_time\":");
                push_i64(l, self.cal.epoch_ms(e.at_ms));
                l.extend_from_slice(b",\"event_type\":\"");
                l.extend_from_slice(e.kind.as_str().as_bytes());
                l.extend_from_slice(b"\",\"page\":");
                push_opt_str(l, e.page.map(|p| p.as_str()));
                l.extend_from_slice(b",\"session_id\":\"S");
                push_padded(l, c.index + 1);
                l.push(b'-');
                push_u64(l, s_no as u64 + 1);
                l.extend_from_slice(b"\",\"device\":\"");
                l.extend_from_slice(data::DEVICE_EVENT[s.device].as_bytes());
                l.extend_from_slice(b"\",\"channel\":\"");
                l.extend_from_slice(data::CHANNEL_EVENT[s.channel].as_bytes());
                l.extend_from_slice(b"\",\"duration_ms\":");
                push_opt_u32(l, e.duration_ms);
                l.extend_from_slice(b",\"page_load_ms\":");
                push_opt_u32(l, e.load_ms);
                l.extend_from_slice(b",\"sku\":");
                push_opt_str(l, e.sku.map(|p| self.skus[p].as_str()));
                l.extend_from_slice(b",\"properties\":{");
                match e.prop {
                    Prop::None => {}
                    Prop::Category(cat) => push_pair(l, "category", CATEGORIES[cat].name),
                    Prop::Query(cat, term) => {
                        push_pair(l, "query", CATEGORIES[cat].search_terms[term])
                    }
                    Prop::Order(o) => {
                        let order = &c.orders[o];
                        l.extend_from_slice(b"\"order_id\":\"");
                        push_u64(l, order.id);
                        l.extend_from_slice(b"\",\"amount\":");
                        push_u64(l, (order.paid_cents / 100) as u64);
                        l.push(b'.');
                        let cents = (order.paid_cents % 100) as u8;
                        l.push(b'0' + cents / 10);
                        l.push(b'0' + cents % 10);
                    }
                    Prop::Quantity(q) => {
                        l.extend_from_slice(b"\"quantity\":");
                        push_u64(l, u64::from(q));
                    }
                    Prop::Coupon(i) => push_pair(l, "coupon", data::COUPONS[i]),
                    Prop::Room(b) => push_pair(l, "room", self.catalog.brands[b].name),
                    Prop::Share(i) => push_pair(l, "target", data::SHARE_TARGETS[i]),
                    Prop::Cs(i) => push_pair(l, "topic", data::CS_TOPICS[i]),
                    Prop::Login(i) => push_pair(l, "method", data::LOGIN_METHODS[i]),
                }
                l.extend_from_slice(b"}}\n");
                if let Some(out) = self.events.as_mut() {
                    out.write_all(l)?;
                }
            }
        }
        Ok(())
    }
}

/// The Chinese words of `orders.csv`, encoded as GBK once: encoding every row would cost more
/// than generating it.
struct GbkVocabulary {
    header: Vec<Vec<u8>>,
    yen: Vec<u8>,
    yes_no: [Vec<u8>; 2],
    channels: Vec<Vec<u8>>,
    devices: Vec<Vec<u8>>,
    payments: Vec<Vec<u8>>,
    statuses: [Vec<u8>; 3],
    reasons: Vec<Vec<u8>>,
    provinces: Vec<Vec<u8>>,
    cities: Vec<Vec<Vec<u8>>>,
}

impl GbkVocabulary {
    /// Fails with the offending text if something is not in GBK.
    fn new() -> Result<Self, String> {
        let one = |s: &str| -> Result<Vec<u8>, String> {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(s);
            if unmappable {
                Err(s.to_string())
            } else {
                Ok(bytes.into_owned())
            }
        };
        let all = |v: &[&str]| v.iter().map(|s| one(s)).collect::<Result<Vec<_>, _>>();
        Ok(Self {
            header: all(&ORDERS_HEADER)?,
            yen: one("￥")?,
            yes_no: [one("是")?, one("否")?],
            channels: all(&data::CHANNELS)?,
            devices: all(&data::DEVICES)?,
            payments: all(&data::PAYMENTS)?,
            statuses: [
                one(data::STATUS_OK)?,
                one(data::STATUS_REFUNDED)?,
                one(data::STATUS_CLOSED)?,
            ],
            reasons: all(&data::REFUND_REASONS)?,
            provinces: all(&data::REGIONS.map(|r| r.0))?,
            cities: data::REGIONS
                .iter()
                .map(|r| r.2.iter().map(|c| one(c.0)).collect())
                .collect::<Result<Vec<_>, _>>()?,
        })
    }
}

/// Appends a JSON string. Our strings come from fixed tables, but escaping keeps the output
/// valid whatever they hold.
fn push_json_str(l: &mut Vec<u8>, s: &str) {
    l.push(b'"');
    for b in s.bytes() {
        match b {
            b'"' => l.extend_from_slice(b"\\\""),
            b'\\' => l.extend_from_slice(b"\\\\"),
            0..=0x1f => {
                let _ = write!(l, "\\u{b:04x}");
            }
            _ => l.push(b),
        }
    }
    l.push(b'"');
}

fn push_pair(l: &mut Vec<u8>, key: &str, value: &str) {
    push_json_str(l, key);
    l.push(b':');
    push_json_str(l, value);
}

fn push_opt_str(l: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_json_str(l, s),
        None => l.extend_from_slice(b"null"),
    }
}

fn push_opt_u32(l: &mut Vec<u8>, v: Option<u32>) {
    match v {
        Some(v) => push_u64(l, u64::from(v)),
        None => l.extend_from_slice(b"null"),
    }
}

fn push_u64(l: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    l.extend_from_slice(&buf[i..]);
}

fn push_i64(l: &mut Vec<u8>, v: i64) {
    if v < 0 {
        l.push(b'-');
    }
    push_u64(l, v.unsigned_abs());
}

/// At least eight digits, zero-padded, as in customer ids.
fn push_padded(l: &mut Vec<u8>, v: u64) {
    let digits = if v == 0 { 1 } else { v.ilog10() as usize + 1 };
    for _ in digits..8 {
        l.push(b'0');
    }
    push_u64(l, v);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_json_strings() {
        let mut l = Vec::new();
        push_u64(&mut l, 0);
        l.push(b' ');
        push_i64(&mut l, -1_234);
        l.push(b' ');
        push_padded(&mut l, 123);
        l.push(b' ');
        push_padded(&mut l, 123_456_789);
        l.push(b' ');
        push_json_str(&mut l, "a\"b\\c\n服装");
        assert_eq!(
            String::from_utf8(l).unwrap(),
            "0 -1234 00000123 123456789 \"a\\\"b\\\\c\\u000a服装\""
        );
    }
}
