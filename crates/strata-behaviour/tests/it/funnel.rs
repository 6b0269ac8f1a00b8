//! Funnel home → product → cart → paid with a one-hour window.
//!
//! - A: home 10:00, product 10:05, an add-to-cart 10:08, cart 10:10, paid 10:20: all four
//!   (times between steps 300, 300, 600 s). Strict order: the add-to-cart between product and
//!   cart breaks the chain, so two steps.
//! - B: home 10:00 (mobile), product 10:30, cart 11:30 (90 minutes after home: too late); then
//!   a new session: home 12:00 (pc), product 12:10, cart 12:50: three steps, counted on the
//!   12:00 chain, so B's device is pc (600, 2400 s).
//! - C: stored out of order (paid first in the file): home 09:00, product 09:10, cart 09:20,
//!   paid 09:40 once sorted: all four (600, 600, 1200 s).
//! - D: home 08:00, home 08:30, product 09:20: the second home leaves 50 minutes, so two steps
//!   (3000 s). Keeping the first home would lose the product view.
//! - E: product 10:00, then home 10:05: one step (the order matters).
//! - F: home 10:00, product 11:00, exactly the window: two steps (3600 s).
//! - G has no events. An anonymous visitor V: home 10:00, product 10:02: two steps (120 s).
//!
//! Relaxed, per customer: 7 start; product 6 (A B C D F V); cart 3 (A B C); paid 2 (A C).
//! Median time to product: 120 300 600 600 3000 3600 → 600; to cart: 300 600 2400 → 600; to
//! paid: 600 1200 → 900.

use strata_behaviour::funnel::{FunnelSpec, Order, Unit, dropped_at, funnel};
use strata_behaviour::steps::Step;
use strata_store::session;

use strata_testkit::{local, rt, shop};

/// Also the events of the paths module.
pub const EVENTS: &str = r#"{"customer_id":"A","event_time":"2026-03-02 10:00","event_type":"page_view","page":"home","session_id":"a1","device":"mobile"}
{"customer_id":"A","event_time":"2026-03-02 10:05","event_type":"page_view","page":"product","session_id":"a1","device":"mobile"}
{"customer_id":"A","event_time":"2026-03-02 10:08","event_type":"add_to_cart","session_id":"a1","device":"mobile"}
{"customer_id":"A","event_time":"2026-03-02 10:10","event_type":"page_view","page":"cart","session_id":"a1","device":"mobile"}
{"customer_id":"A","event_time":"2026-03-02 10:20","event_type":"order_paid","session_id":"a1","device":"mobile"}
{"customer_id":"B","event_time":"2026-03-02 10:00","event_type":"page_view","page":"home","session_id":"b1","device":"mobile"}
{"customer_id":"B","event_time":"2026-03-02 10:30","event_type":"page_view","page":"product","session_id":"b1","device":"mobile"}
{"customer_id":"B","event_time":"2026-03-02 11:30","event_type":"page_view","page":"cart","session_id":"b1","device":"mobile"}
{"customer_id":"B","event_time":"2026-03-02 12:00","event_type":"page_view","page":"home","session_id":"b2","device":"pc"}
{"customer_id":"B","event_time":"2026-03-02 12:10","event_type":"page_view","page":"product","session_id":"b2","device":"pc"}
{"customer_id":"B","event_time":"2026-03-02 12:50","event_type":"page_view","page":"cart","session_id":"b2","device":"pc"}
{"customer_id":"C","event_time":"2026-03-02 09:40","event_type":"order_paid","session_id":"c1","device":"app"}
{"customer_id":"C","event_time":"2026-03-02 09:00","event_type":"page_view","page":"home","session_id":"c1","device":"app"}
{"customer_id":"C","event_time":"2026-03-02 09:10","event_type":"page_view","page":"product","session_id":"c1","device":"app"}
{"customer_id":"C","event_time":"2026-03-02 09:20","event_type":"page_view","page":"cart","session_id":"c1","device":"app"}
{"customer_id":"D","event_time":"2026-03-02 08:00","event_type":"page_view","page":"home","session_id":"d1","device":"pc"}
{"customer_id":"D","event_time":"2026-03-02 08:30","event_type":"page_view","page":"home","session_id":"d1","device":"pc"}
{"customer_id":"D","event_time":"2026-03-02 09:20","event_type":"page_view","page":"product","session_id":"d1","device":"pc"}
{"customer_id":"E","event_time":"2026-03-02 10:00","event_type":"page_view","page":"product","session_id":"e1","device":"pc"}
{"customer_id":"E","event_time":"2026-03-02 10:05","event_type":"page_view","page":"home","session_id":"e1","device":"pc"}
{"customer_id":"F","event_time":"2026-03-02 10:00","event_type":"page_view","page":"home","session_id":"f1","device":"pc"}
{"customer_id":"F","event_time":"2026-03-02 11:00","event_type":"page_view","page":"product","session_id":"f1","device":"pc"}
{"anonymous_id":"V","event_time":"2026-03-02 10:00","event_type":"page_view","page":"home","session_id":"v1","device":"mobile"}
{"anonymous_id":"V","event_time":"2026-03-02 10:02","event_type":"page_view","page":"product","session_id":"v1","device":"mobile"}
"#;

const CUSTOMERS: &str = "customer_id,province
A,上海
B,上海
C,浙江
D,浙江
E,北京
F,北京
G,北京
";

fn spec() -> FunnelSpec {
    let mut s = FunnelSpec::new(Step::parse_list("home,product,cart,paid").unwrap());
    s.window_us = 3_600_000_000;
    s
}

fn counts(f: &strata_behaviour::funnel::GroupFunnel) -> Vec<u64> {
    f.steps.iter().map(|s| s.units).collect()
}

#[test]
fn relaxed_funnel_per_customer_by_hand() {
    let s = shop(&[
        ("events", "events.jsonl", EVENTS),
        ("customers", "customers.csv", CUSTOMERS),
    ]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    let f = rt.block_on(funnel(&ctx, &spec())).unwrap();
    assert_eq!(counts(&f.all), [7, 6, 3, 2]);
    assert_eq!(f.replayed, 1, "C's events were stored out of order");
    let st = &f.all.steps;
    assert_eq!(st[1].median_secs, Some(600.0));
    assert_eq!(st[2].median_secs, Some(600.0));
    assert_eq!(st[3].median_secs, Some(900.0));
    assert_eq!(st[0].median_secs, None);
    assert!((st[1].from_previous.unwrap() - 6.0 / 7.0).abs() < 1e-12);
    assert!((st[2].from_previous.unwrap() - 0.5).abs() < 1e-12);
    assert!((st[3].from_first.unwrap() - 2.0 / 7.0).abs() < 1e-12);

    // Strict order: A stops at product (an add-to-cart came between), B's 12:00 chain is
    // unbroken.
    let mut strict = spec();
    strict.order = Order::Strict;
    let f = rt.block_on(funnel(&ctx, &strict)).unwrap();
    assert_eq!(counts(&f.all), [7, 6, 2, 1]);

    // First touch: B counts under pc, where its counted chain began.
    let mut by = spec();
    by.by = Some("device".into());
    let f = rt.block_on(funnel(&ctx, &by)).unwrap();
    let group = |name: &str| {
        f.groups
            .iter()
            .find(|g| g.group.as_deref() == Some(name))
            .map(counts)
            .unwrap_or_default()
    };
    // mobile: A (4), V (2); pc: B (3), D (2), E (1), F (2); app: C (4).
    assert_eq!(group("mobile"), [2, 2, 1, 1]);
    assert_eq!(group("pc"), [4, 3, 1, 0]);
    assert_eq!(group("app"), [1, 1, 1, 1]);
    assert_eq!(counts(&f.all), [7, 6, 3, 2]);

    // A customer column (issue 14): identified customers only, the anonymous visitor V apart;
    // before, V counted as "(none)" and in the total.
    let mut by = spec();
    by.by = Some("province".into());
    let f = rt.block_on(funnel(&ctx, &by)).unwrap();
    let group = |name: &str| {
        f.groups
            .iter()
            .find(|g| g.group.as_deref() == Some(name))
            .map(counts)
            .unwrap_or_default()
    };
    assert_eq!(group("上海"), [2, 2, 2, 1]);
    assert_eq!(group("浙江"), [2, 2, 1, 1]);
    assert_eq!(group("北京"), [2, 1, 0, 0]);
    assert_eq!(group("(none)"), Vec::<u64>::new());
    assert_eq!(counts(&f.all), [6, 5, 3, 2]);
    assert_eq!(counts(f.anonymous.as_ref().unwrap()), [1, 1, 0, 0]);
    use arrow::array::AsArray;
    let t = f.to_batch(None).unwrap();
    let labels = arrow::compute::cast(t.column(0), &arrow::datatypes::DataType::Utf8).unwrap();
    let labels = labels.as_string::<i32>();
    assert_eq!(labels.value(0), "(all identified)");
    assert_eq!(labels.value(t.num_rows() - 1), "(anonymous)");
    // Per session the same: sessions without a customer apart.
    by.unit = Unit::Session;
    let f = rt.block_on(funnel(&ctx, &by)).unwrap();
    assert_eq!(counts(&f.all), [7, 6, 3, 2]);
    assert_eq!(counts(f.anonymous.as_ref().unwrap()), [1, 1, 0, 0]);
    // An event column keeps everyone together.
    let mut by = spec();
    by.by = Some("device".into());
    assert!(rt.block_on(funnel(&ctx, &by)).unwrap().anonymous.is_none());
}

/// Issue 14: `--steps home,prodct,paid` gave zeros. Steps fold as import folds the columns, and
/// a name neither the vocabulary nor the data knows is an error naming the nearest one.
#[test]
fn steps_fold_like_import_and_unknown_ones_name_the_nearest() {
    let s = shop(&[("events", "events.jsonl", EVENTS)]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    let mut zh = spec();
    zh.steps = Step::parse_list("首页，商品详情、购物车,支付成功").unwrap();
    let f = rt.block_on(funnel(&ctx, &zh)).unwrap();
    assert_eq!(counts(&f.all), [7, 6, 3, 2]);
    assert_eq!(f.steps, ["home", "product", "cart", "paid"]);
    for (steps, nearest) in [
        ("home,prodct,paid", "`product`"),
        ("home,product,piad", "`paid`"),
        ("home,首頁", "`home`"),
        ("home,event:add_to_crat", "`add_to_cart`"),
    ] {
        let mut bad = spec();
        bad.steps = Step::parse_list(steps).unwrap();
        let e = rt.block_on(funnel(&ctx, &bad)).unwrap_err();
        assert!(e.is_user_error());
        let e = e.to_string();
        assert!(
            e.contains(&format!("did you mean {nearest}?")),
            "{steps}: {e}"
        );
        assert!(e.contains("steps in the data: cart, home, product"), "{e}");
    }
    // A name of the vocabulary is a step even when the data has none of it: zeros, no error.
    let mut video = spec();
    video.steps = Step::parse_list("home,video_view").unwrap();
    assert_eq!(
        counts(&rt.block_on(funnel(&ctx, &video)).unwrap().all),
        [7, 0]
    );
    // Paths too.
    let e = rt
        .block_on(strata_behaviour::paths::paths(
            &ctx,
            &Step::parse("crat").unwrap(),
            3,
        ))
        .unwrap_err();
    assert!(e.to_string().contains("did you mean `cart`?"), "{e}");
}

#[test]
fn sessions_ranges_and_who_dropped() {
    let s = shop(&[("events", "events.jsonl", EVENTS)]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    // Per session: B's two sessions count apart (b1 two steps, b2 three).
    let mut per_session = spec();
    per_session.unit = Unit::Session;
    let f = rt.block_on(funnel(&ctx, &per_session)).unwrap();
    assert_eq!(counts(&f.all), [8, 7, 3, 2]);

    // First steps from 09:30 to 11:00: C and D start earlier, B's 12:00 home is too late, so
    // B counts on its 10:00 chain (two steps); later steps may run past 11:00 by the window.
    let mut range = spec();
    range.from_us = Some(local("2026-03-02 09:30"));
    range.to_us = Some(local("2026-03-02 11:00"));
    let f = rt.block_on(funnel(&ctx, &range)).unwrap();
    // A (4), B (2), E (1), F (2), V (2).
    assert_eq!(counts(&f.all), [5, 4, 1, 1]);

    // Who reached product but not cart: D and F, and the visitor.
    let (ids, anonymous) = rt.block_on(dropped_at(&ctx, &spec(), 3)).unwrap();
    assert_eq!(ids, ["D", "F"]);
    assert_eq!(anonymous, 1);
    let e = rt.block_on(dropped_at(&ctx, &spec(), 1)).unwrap_err();
    assert!(e.to_string().contains("2 to 4"), "{e}");

    // Mistakes are named.
    let mut bad = spec();
    bad.by = Some("colour".into());
    let e = rt.block_on(funnel(&ctx, &bad)).unwrap_err().to_string();
    assert!(
        e.contains("breakdown `colour`") && e.contains("device"),
        "{e}"
    );
    let mut bad = spec();
    bad.window_us = 0;
    assert!(rt.block_on(funnel(&ctx, &bad)).is_err());
}

#[test]
fn a_repeated_step_needs_two_events() {
    // home → home → product: one event never counts for two steps, so only D (homes at 08:00
    // and 08:30) reaches the second step, 1800 s after the first. Its product view at 09:20 is
    // 80 minutes after the chain's first home: outside the window. B's two homes are two
    // hours apart.
    let s = shop(&[("events", "events.jsonl", EVENTS)]);
    let ctx = session(&s.ws).unwrap();
    let mut spec = FunnelSpec::new(Step::parse_list("home,home,product").unwrap());
    spec.window_us = 3_600_000_000;
    let f = rt().block_on(funnel(&ctx, &spec)).unwrap();
    assert_eq!(counts(&f.all), [7, 1, 0]);
    assert_eq!(f.all.steps[1].median_secs, Some(1800.0));
    assert_eq!(f.all.steps[2].median_secs, None);
    // With two hours, D's chain reaches the product view.
    spec.window_us = 2 * 3_600_000_000;
    let f = rt().block_on(funnel(&ctx, &spec)).unwrap();
    assert_eq!(counts(&f.all), [7, 2, 1]);
}
