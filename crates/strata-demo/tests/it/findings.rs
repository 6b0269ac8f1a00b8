//! Reads a generated shop back like an analysis would and checks the findings it must contain.
//!
//! `STRATA_DEMO_STATS_CUSTOMERS=20000 cargo test -p strata-demo --release -- --nocapture
//! findings` measures a bigger shop and prints the shares.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use strata_demo::{DemoConfig, DemoSummary, generate};

const CUSTOMERS_HEADER: &str =
    "客户ID,姓名,性别,出生年份,省份,城市,注册时间,注册渠道,会员等级,手机号,邮箱,营销授权";
const ORDERS_HEADER: &str = "订单编号,买家ID,下单时间,付款时间,实付金额,优惠金额,是否使用优惠券,渠道,下单终端,支付方式,订单状态,退款原因,收货省份,收货城市,商品数量";
const ITEMS_HEADER: &str =
    "order_id,line_no,sku,product_name,category,brand,quantity,unit_price,paid_amount";
const REVIEWS_HEADER: &str = "评价ID,订单编号,买家ID,商品编码,评价时间,评分,评价内容";
const EVENT_KEYS: [&str; 13] = [
    "event_id",
    "customer_id",
    "anonymous_id",
    "event_time",
    "event_type",
    "page",
    "session_id",
    "device",
    "channel",
    "duration_ms",
    "page_load_ms",
    "sku",
    "properties",
];

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn header(rdr: &mut csv::Reader<&[u8]>) -> String {
    rdr.headers().unwrap().iter().collect::<Vec<_>>().join(",")
}

fn cents(s: &str) -> i64 {
    let s = s.trim_start_matches('￥').replace(',', "");
    let (yuan, frac) = s.split_once('.').expect("two decimals");
    assert_eq!(frac.len(), 2, "{s}");
    yuan.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

/// `2026/3/1 14:05`
fn slash_time(s: &str) -> NaiveDateTime {
    let (date, time) = s.split_once(' ').unwrap();
    let mut d = date.split('/').map(|x| x.parse::<u32>().unwrap());
    let (y, m, day) = (d.next().unwrap(), d.next().unwrap(), d.next().unwrap());
    assert!(
        !date.contains("/0"),
        "month and day are not zero-padded: {s}"
    );
    let (h, min) = time.split_once(':').unwrap();
    NaiveDate::from_ymd_opt(y as i32, m, day)
        .unwrap()
        .and_hms_opt(h.parse().unwrap(), min.parse().unwrap(), 0)
        .unwrap()
}

fn dash_time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn is_festival(d: NaiveDate) -> bool {
    matches!(
        (d.month(), d.day()),
        (11, 1..=11) | (6, 1..=18) | (12, 10..=12) | (2, 12..=14)
    )
}

struct OrderRow {
    buyer: String,
    time: NaiveDateTime,
    paid: i64,
    coupon: bool,
    status: String,
    reason: String,
    channel: String,
    device: String,
    quantity: u32,
}

#[derive(Default)]
struct SessionState {
    known: bool,
    last_ms: i64,
    product: bool,
    cart: bool,
    video: bool,
    paid: bool,
    /// The latest page view: (funnel step, slow) — an exit if nothing follows.
    last_page: Option<(usize, bool)>,
    login_first: bool,
    events: u32,
}

#[derive(Debug, Default)]
struct Findings {
    customers: usize,
    orders: usize,
    orders_per_customer: f64,
    refund_share: f64,
    closed_share: f64,
    size_share_of_refunds: f64,
    coupon_share: f64,
    inferred_types: [f64; 4],
    price_sensitive_coupon_share: f64,
    loyal_share: f64,
    loyal_revenue_share: f64,
    churn_share: f64,
    top20_revenue_share: f64,
    one_time_share: f64,
    max_orders: usize,
    product_to_cart_loss: f64,
    slow_exit_ratio: f64,
    slow_page_share: f64,
    video_conversion: f64,
    plain_conversion: f64,
    anonymous_session_share: f64,
    events_per_order: f64,
    female_evening_share: f64,
    male_noon_share: f64,
    positive_review_share: f64,
    review_share: f64,
    slow_delivery_2025: f64,
    damaged_2025: f64,
    slow_delivery_2026: f64,
    damaged_2026: f64,
    size_refund_reviews_mention_size: f64,
    aov_by_channel: Vec<(String, f64)>,
    aov_ios: f64,
    aov_android: f64,
    live_share_first_year: f64,
    live_share_second_year: f64,
    double11_day_factor: f64,
    spring_festival_day_factor: f64,
}

fn measure(summary: &DemoSummary, end: NaiveDate) -> Findings {
    let files = &summary.files;
    let mut f = Findings::default();

    // customers.csv: UTF-8 with BOM.
    let bytes = std::fs::read(&files.customers).unwrap();
    assert!(bytes.starts_with(BOM));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(header(&mut rdr), CUSTOMERS_HEADER);
    let mut female = HashMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        assert!(r[0].starts_with('C') && r[0].len() == 9, "{}", &r[0]);
        assert!(["男", "女"].contains(&&r[2]));
        let year: i32 = r[3].parse().unwrap();
        assert!((1965..=2006).contains(&year));
        dash_time(&r[6]);
        assert_eq!(r[9].len(), 11);
        assert!(["是", "否"].contains(&&r[11]));
        female.insert(r[0].to_string(), &r[2] == "女");
    }
    f.customers = female.len();

    // orders.csv: GBK.
    let bytes = std::fs::read(&files.orders).unwrap();
    let text = encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(&bytes)
        .expect("orders.csv is valid GBK");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(header(&mut rdr), ORDERS_HEADER);
    let mut orders: HashMap<String, OrderRow> = HashMap::new();
    let mut order_ids = Vec::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let id = r[0].to_string();
        assert!(
            (16..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
        assert!(female.contains_key(&r[1]), "unknown buyer {}", &r[1]);
        let time = slash_time(&r[2]);
        let status = r[10].to_string();
        assert!(["交易成功", "已退款", "交易关闭"].contains(&status.as_str()));
        if status == "交易关闭" {
            assert!(r[3].is_empty());
        } else {
            let pay = dash_time(&r[3]);
            let delay = (pay - time).num_seconds();
            // The order time is shown without seconds.
            assert!(
                (0..=300).contains(&delay),
                "payment {delay} s after the order"
            );
        }
        assert!(r[4].starts_with('￥'));
        assert_eq!(status == "已退款", !r[11].is_empty());
        let row = OrderRow {
            buyer: r[1].to_string(),
            time,
            paid: cents(&r[4]),
            coupon: &r[6] == "是",
            status,
            reason: r[11].to_string(),
            channel: r[7].to_string(),
            device: r[8].to_string(),
            quantity: r[14].parse().unwrap(),
        };
        cents(&r[5]);
        assert!(
            orders.insert(id.clone(), row).is_none(),
            "duplicate order id {id}"
        );
        order_ids.push(id);
    }
    f.orders = orders.len();

    // order_items.csv: lines add up to their orders.
    let bytes = std::fs::read(&files.order_items).unwrap();
    assert!(!bytes.starts_with(BOM));
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(header(&mut rdr), ITEMS_HEADER);
    let mut line_sum: HashMap<String, (i64, u32)> = HashMap::new();
    let mut brands: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let o = orders.get(&r[0]).expect("line of a known order");
        assert!(r[2].starts_with("SKU"));
        let qty: u32 = r[6].parse().unwrap();
        let (unit, paid) = (cents(&r[7]), cents(&r[8]));
        assert!(paid >= 0 && paid <= unit * i64::from(qty) + 1);
        let e = line_sum.entry(r[0].to_string()).or_default();
        e.0 += paid;
        e.1 += qty;
        if o.status == "交易成功" {
            *brands
                .entry(o.buyer.clone())
                .or_default()
                .entry(r[5].to_string())
                .or_default() += 1;
        }
    }
    for (id, o) in &orders {
        let (sum, qty) = line_sum[id];
        assert_eq!(sum, o.paid, "lines of order {id}");
        assert_eq!(qty, o.quantity, "quantity of order {id}");
    }

    // Order shares.
    let n = orders.len() as f64;
    let refunded: Vec<&OrderRow> = orders.values().filter(|o| o.status == "已退款").collect();
    f.refund_share = refunded.len() as f64 / n;
    f.closed_share = orders.values().filter(|o| o.status == "交易关闭").count() as f64 / n;
    f.size_share_of_refunds =
        refunded.iter().filter(|o| o.reason == "尺码不合适").count() as f64 / refunded.len() as f64;
    f.coupon_share = orders.values().filter(|o| o.coupon).count() as f64 / n;
    f.orders_per_customer = n / f.customers as f64;

    // Value segments over successful orders.
    struct Agg {
        count: usize,
        all: usize,
        total: i64,
        last: NaiveDate,
        coupons: usize,
        festival: usize,
    }
    let mut per: HashMap<&str, Agg> = HashMap::new();
    for o in orders.values() {
        let a = per.entry(o.buyer.as_str()).or_insert(Agg {
            count: 0,
            all: 0,
            total: 0,
            last: NaiveDate::MIN,
            coupons: 0,
            festival: 0,
        });
        a.all += 1;
        if o.status == "交易成功" {
            a.count += 1;
            a.total += o.paid;
            a.last = a.last.max(o.time.date());
            a.coupons += usize::from(o.coupon);
            a.festival += usize::from(is_festival(o.time.date()));
        }
    }
    assert_eq!(
        per.len(),
        f.customers,
        "every customer bought at least once"
    );
    let revenue: i64 = per.values().map(|a| a.total).sum();
    let recency = |a: &Agg| (end - a.last).num_days();
    let loyal: Vec<&Agg> = per
        .values()
        .filter(|a| a.count > 0 && recency(a) <= 30 && a.count >= 5 && a.total >= 500_000)
        .collect();
    f.loyal_share = loyal.len() as f64 / f.customers as f64;
    f.loyal_revenue_share = loyal.iter().map(|a| a.total).sum::<i64>() as f64 / revenue as f64;
    f.churn_share = per
        .values()
        .filter(|a| (a.count == 0 || recency(a) > 90) && a.count <= 2 && a.total < 100_000)
        .count() as f64
        / f.customers as f64;
    let mut totals: Vec<i64> = per.values().map(|a| a.total).collect();
    totals.sort_unstable_by(|a, b| b.cmp(a));
    let top = totals.len() / 5;
    f.top20_revenue_share = totals[..top].iter().sum::<i64>() as f64 / revenue as f64;
    f.one_time_share = per.values().filter(|a| a.all == 1).count() as f64 / f.customers as f64;
    f.max_orders = per.values().map(|a| a.all).max().unwrap();

    // Customer types as a rule-based analysis would infer them, for customers with ≥ 3
    // successful orders: coupon hunters, festival shoppers, brand stickers, others.
    let mut types = [0usize; 4];
    let (mut ps_orders, mut ps_coupons) = (0, 0);
    for (buyer, a) in &per {
        if a.count < 3 {
            continue;
        }
        let t = if a.coupons * 2 >= a.count {
            ps_orders += a.count;
            ps_coupons += a.coupons;
            1
        } else if a.festival * 2 >= a.count {
            2
        } else {
            let b = &brands[*buyer];
            let mut counts: Vec<u32> = b.values().copied().collect();
            counts.sort_unstable_by(|x, y| y.cmp(x));
            let top2: u32 = counts.iter().take(2).sum();
            let all: u32 = counts.iter().sum();
            if f64::from(top2) >= 0.75 * f64::from(all) {
                0
            } else {
                3
            }
        };
        types[t] += 1;
    }
    let classified: usize = types.iter().sum();
    for (share, count) in f.inferred_types.iter_mut().zip(types) {
        *share = count as f64 / classified as f64;
    }
    f.price_sensitive_coupon_share = ps_coupons as f64 / ps_orders as f64;

    // Channels, devices, seasons.
    let mut by_channel: HashMap<&str, (i64, usize)> = HashMap::new();
    let mut by_device: HashMap<&str, (i64, usize)> = HashMap::new();
    let first_year_end = end - chrono::Days::new(365);
    let (mut live1, mut all1, mut live2, mut all2) = (0, 0, 0, 0);
    let mut per_day: HashMap<NaiveDate, usize> = HashMap::new();
    for o in orders.values() {
        if o.status == "交易成功" {
            let c = by_channel.entry(o.channel.as_str()).or_default();
            c.0 += o.paid;
            c.1 += 1;
            let d = by_device.entry(o.device.as_str()).or_default();
            d.0 += o.paid;
            d.1 += 1;
        }
        let live = usize::from(o.channel == "直播");
        if o.time.date() <= first_year_end {
            live1 += live;
            all1 += 1;
        } else {
            live2 += live;
            all2 += 1;
        }
        *per_day.entry(o.time.date()).or_default() += 1;
    }
    let aov = |m: &HashMap<&str, (i64, usize)>, k: &str| m[k].0 as f64 / m[k].1 as f64 / 100.0;
    let mut channels: Vec<(String, f64)> = by_channel
        .keys()
        .map(|k| (k.to_string(), aov(&by_channel, k)))
        .collect();
    channels.sort_by(|a, b| b.1.total_cmp(&a.1));
    f.aov_by_channel = channels;
    f.aov_ios = aov(&by_device, "iOS");
    f.aov_android = aov(&by_device, "Android");
    f.live_share_first_year = live1 as f64 / all1 as f64;
    f.live_share_second_year = live2 as f64 / all2 as f64;
    let mean_day = n / per_day.len() as f64;
    let days_mean = |dates: &[NaiveDate]| {
        dates
            .iter()
            .map(|d| per_day.get(d).copied().unwrap_or(0))
            .sum::<usize>() as f64
            / dates.len() as f64
    };
    let double11: Vec<NaiveDate> = (1..=11)
        .map(|d| NaiveDate::from_ymd_opt(2025, 11, d).unwrap())
        .collect();
    let spring: Vec<NaiveDate> = (16..=23)
        .map(|d| NaiveDate::from_ymd_opt(2026, 2, d).unwrap())
        .collect();
    f.double11_day_factor = days_mean(&double11) / mean_day;
    f.spring_festival_day_factor = days_mean(&spring) / mean_day;

    // events.jsonl
    let text = std::fs::read_to_string(&files.events).unwrap();
    let mut sessions: HashMap<String, SessionState> = HashMap::new();
    let (mut slow_exit, mut slow_all, mut fast_exit, mut fast_all) =
        (0usize, 0usize, 0usize, 0usize);
    let mut events = 0usize;
    let mut event_ids = HashSet::new();
    let (mut fem_evening, mut fem_all, mut male_noon, mut male_all) = (0, 0, 0, 0);
    let mut paid_orders_seen = HashSet::new();
    let pages = ["home", "category", "product", "cart", "checkout"];
    let mut close_page = |last: Option<(usize, bool)>, exit: bool| {
        if let Some((_, slow)) = last {
            match (slow, exit) {
                (true, e) => {
                    slow_all += 1;
                    slow_exit += usize::from(e);
                }
                (false, e) => {
                    fast_all += 1;
                    fast_exit += usize::from(e);
                }
            }
        }
    };
    for line in text.lines() {
        events += 1;
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = v.as_object().unwrap();
        for k in EVENT_KEYS {
            assert!(obj.contains_key(k), "missing {k} in {line}");
        }
        assert!(event_ids.insert(obj["event_id"].as_str().unwrap().to_string()));
        let at = obj["event_time"].as_i64().unwrap();
        let kind = obj["event_type"].as_str().unwrap();
        let sid = obj["session_id"].as_str().unwrap().to_string();
        let customer = obj["customer_id"].as_str();
        assert_eq!(customer.is_some(), obj["anonymous_id"].is_null());
        let s = sessions.entry(sid).or_insert_with(|| SessionState {
            known: customer.is_some(),
            last_ms: i64::MIN,
            login_first: kind == "login",
            ..SessionState::default()
        });
        assert!(
            at >= s.last_ms,
            "events out of time order in a session: {line}"
        );
        s.last_ms = at;
        s.events += 1;
        match kind {
            "page_view" => {
                let page = obj["page"].as_str().unwrap();
                let step = pages.iter().position(|p| *p == page).unwrap();
                let slow = obj["page_load_ms"].as_u64().unwrap() > 3000;
                let previous = s.last_page.replace((step, slow));
                close_page(previous, false);
                s.product |= page == "product";
                s.cart |= page == "cart";
            }
            "video_view" => s.video = true,
            "order_paid" => {
                s.paid = true;
                let id = obj["properties"]["order_id"].as_str().unwrap();
                assert!(orders.contains_key(id), "order_paid for unknown order {id}");
                paid_orders_seen.insert(id.to_string());
            }
            "login" => {
                let local = chrono::DateTime::from_timestamp_millis(at + 8 * 3_600_000).unwrap();
                let hour = local.naive_utc().time().format("%H").to_string();
                let h: u32 = hour.parse().unwrap();
                if female[customer.unwrap()] {
                    fem_all += 1;
                    fem_evening += usize::from((20..22).contains(&h));
                } else {
                    male_all += 1;
                    male_noon += usize::from((12..14).contains(&h));
                }
            }
            "add_to_cart" | "search" | "coupon_claim" | "live_watch" | "share" | "cs_contact" => {}
            other => panic!("unexpected event type {other}"),
        }
    }
    for s in sessions.values() {
        close_page(s.last_page, !s.paid);
        if s.known {
            assert!(
                s.login_first,
                "a known customer's session starts with login"
            );
        }
    }
    let paid_count = orders.values().filter(|o| o.status != "交易关闭").count();
    assert_eq!(
        paid_orders_seen.len(),
        paid_count,
        "every paid order has an order_paid event"
    );
    f.slow_page_share = slow_all as f64 / (slow_all + fast_all) as f64;
    f.slow_exit_ratio = (slow_exit as f64 / slow_all as f64) / (fast_exit as f64 / fast_all as f64);
    let with_product: Vec<&SessionState> = sessions.values().filter(|s| s.product).collect();
    f.product_to_cart_loss =
        1.0 - with_product.iter().filter(|s| s.cart).count() as f64 / with_product.len() as f64;
    let conv = |v: &[&SessionState]| v.iter().filter(|s| s.paid).count() as f64 / v.len() as f64;
    let video: Vec<&SessionState> = with_product.iter().copied().filter(|s| s.video).collect();
    let plain: Vec<&SessionState> = with_product.iter().copied().filter(|s| !s.video).collect();
    f.video_conversion = conv(&video);
    f.plain_conversion = conv(&plain);
    f.anonymous_session_share =
        sessions.values().filter(|s| !s.known).count() as f64 / sessions.len() as f64;
    f.events_per_order = events as f64 / n;
    f.female_evening_share = fem_evening as f64 / fem_all as f64;
    f.male_noon_share = male_noon as f64 / male_all as f64;

    // reviews.csv: UTF-8 with BOM.
    let bytes = std::fs::read(&files.reviews).unwrap();
    assert!(bytes.starts_with(BOM));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(header(&mut rdr), REVIEWS_HEADER);
    let (mut reviews, mut positive) = (0, 0);
    let mut negative_topics: HashMap<(i32, &str), usize> = HashMap::new();
    let mut negative_by_year: HashMap<i32, usize> = HashMap::new();
    let (mut size_reviews, mut size_mentions) = (0, 0);
    let mut with_comma = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let o = orders.get(&r[1]).expect("review of a known order");
        assert_eq!(o.buyer, &r[2]);
        assert_ne!(o.status, "交易关闭");
        let at = dash_time(&r[4]);
        assert!(at > o.time);
        let rating: u8 = r[5].parse().unwrap();
        assert!((1..=5).contains(&rating));
        let text = &r[6];
        with_comma += usize::from(text.contains(','));
        reviews += 1;
        if rating >= 4 {
            positive += 1;
        } else {
            let year = at.year();
            *negative_by_year.entry(year).or_default() += 1;
            if text.contains("物流") || text.contains("快递速度") || text.contains("发货慢")
            {
                *negative_topics.entry((year, "slow")).or_default() += 1;
            }
            if text.contains("破损") || text.contains("破了") {
                *negative_topics.entry((year, "damaged")).or_default() += 1;
            }
        }
        if o.reason == "尺码不合适" {
            size_reviews += 1;
            size_mentions += usize::from(text.contains("尺码"));
        }
    }
    assert!(with_comma > 0, "some review texts contain commas");
    f.positive_review_share = positive as f64 / reviews as f64;
    f.review_share = reviews as f64 / paid_count as f64;
    let topic = |y: i32, t: &str| {
        negative_topics.get(&(y, t)).copied().unwrap_or(0) as f64
            / negative_by_year.get(&y).copied().unwrap_or(1) as f64
    };
    f.slow_delivery_2025 = topic(2025, "slow");
    f.damaged_2025 = topic(2025, "damaged");
    f.slow_delivery_2026 = topic(2026, "slow");
    f.damaged_2026 = topic(2026, "damaged");
    f.size_refund_reviews_mention_size = size_mentions as f64 / size_reviews.max(1) as f64;
    f
}

fn within(name: &str, value: f64, lo: f64, hi: f64) {
    assert!(
        (lo..=hi).contains(&value),
        "{name} = {value:.3}, expected {lo}..{hi}"
    );
}

#[test]
fn findings_are_in_the_files() {
    let customers = std::env::var("STRATA_DEMO_STATS_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        customers,
        ..DemoConfig::default()
    };
    let started = Instant::now();
    let summary = generate(&cfg, dir.path(), &mut |_| {}).unwrap();
    let elapsed = started.elapsed();
    let f = measure(&summary, cfg.end);
    println!("generated {customers} customers in {elapsed:.2?}: {summary:#?}");
    println!("{f:#?}");

    within("orders per customer", f.orders_per_customer, 8.0, 12.0);
    within("refund share", f.refund_share, 0.06, 0.10);
    within("cancelled share", f.closed_share, 0.01, 0.03);
    within("size share of refunds", f.size_share_of_refunds, 0.22, 0.34);
    within(
        "price-sensitive coupon share",
        f.price_sensitive_coupon_share,
        0.70,
        0.90,
    );
    within("loyal share", f.loyal_share, 0.05, 0.10);
    within("loyal revenue share", f.loyal_revenue_share, 0.33, 0.47);
    within("potential churn share", f.churn_share, 0.20, 0.30);
    within("top 20% revenue share", f.top20_revenue_share, 0.58, 0.72);
    within("one-time buyers", f.one_time_share, 0.15, 0.50);
    assert!(f.max_orders >= 50, "a few customers buy 50+ times");
    within("product to cart loss", f.product_to_cart_loss, 0.40, 0.50);
    within("slow pages", f.slow_page_share, 0.12, 0.18);
    within("slow page exit ratio", f.slow_exit_ratio, 1.15, 1.45);
    assert!(f.video_conversion > 1.3 * f.plain_conversion);
    within("anonymous sessions", f.anonymous_session_share, 0.2, 0.3);
    within("events per order", f.events_per_order, 15.0, 25.0);
    assert!(f.female_evening_share > 0.15 && f.male_noon_share > 0.15);
    within("positive reviews", f.positive_review_share, 0.57, 0.67);
    within("reviewed orders", f.review_share, 0.25, 0.35);
    assert!(f.slow_delivery_2025 > 1.5 * f.damaged_2025);
    assert!(f.damaged_2026 > 1.5 * f.slow_delivery_2026);
    assert!(f.size_refund_reviews_mention_size > 0.9);
    assert!(f.aov_ios > f.aov_android);
    let aov = |c: &str| f.aov_by_channel.iter().find(|x| x.0 == c).unwrap().1;
    assert!(aov("私域") > aov("平台店铺") && aov("APP") > aov("平台店铺"));
    assert!(aov("直播") < aov("平台店铺"));
    assert!(f.live_share_second_year > f.live_share_first_year);
    assert!(f.double11_day_factor > 2.0 && f.spring_festival_day_factor < 0.7);
    // Inferred types, among customers with ≥ 3 orders (where brand-loyal customers, who buy
    // more often, are over-represented): all three show up in clearly separate groups.
    within("inferred brand-loyal", f.inferred_types[0], 0.10, 0.45);
    within("inferred price-sensitive", f.inferred_types[1], 0.25, 0.65);
    within("inferred scenario-driven", f.inferred_types[2], 0.10, 0.45);
}
