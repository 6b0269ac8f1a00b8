//! Features, signals and labels on a hand-worked shop. Every expected number was worked out by
//! hand from the rows below (see the comments), not read off the program.
//!
//! Times are Asia/Shanghai wall-clock times. The cutoff is 2026-03-31, so features see what
//! happened before 2026-04-01 00:00 local, and the 90-day label window is
//! [2026-04-01 00:00, 2026-06-30 00:00) local.

use strata_charts::Lang;
use strata_churn::ChurnConfig;
use strata_churn::features::{self, FeatureSet, Signal};
use strata_features::AnalyzeConfig;
use strata_store::session;
use strata_testkit::{Shop, rt};

// A: paid every 10 days in January (300, 300, 100), a refunded order on 1 Feb, then nothing.
// B: two recent orders, buys again on 15 April.
// C: one order in January 2025: outside the 365-day early-warning population.
// D: an order at 23:00 on the cutoff day (counts) and one on 2 April (only in the label).
// E: buys at 23:59 on 29 June, the last minute of the label window: not churned.
// F: buys at 00:00 on 30 June, the first minute after it: churned.
// G: comes back on 1 May with an order refunded since: not churned (an order is a return).
// H: comes back on 1 May with an order cancelled unpaid: churned.
const ORDERS: &str = "order_id,customer_id,ordered_at,paid_amount,status
A1,A,2026-01-01 10:00,300.00,paid
A2,A,2026-01-11 10:00,300.00,paid
A3,A,2026-01-21 10:00,100.00,paid
A4,A,2026-02-01 10:00,500.00,refunded
B1,B,2026-03-01 10:00,200.00,paid
B2,B,2026-03-25 10:00,220.00,paid
B3,B,2026-04-15 10:00,90.00,paid
C1,C,2025-01-01 10:00,50.00,paid
D1,D,2026-03-31 23:00,80.00,paid
D2,D,2026-04-02 10:00,80.00,paid
E1,E,2026-02-01 10:00,60.00,paid
E2,E,2026-06-29 23:59,60.00,paid
F1,F,2026-02-01 10:00,60.00,paid
F2,F,2026-06-30 00:00,60.00,paid
G1,G,2026-03-10 10:00,70.00,paid
G2,G,2026-05-01 10:00,70.00,refunded
H1,H,2026-03-10 10:00,70.00,paid
H2,H,2026-05-01 10:00,70.00,cancelled
";

// A's behaviour fades: browsing 10 min in the window before last (4–17 March), 3 min in the
// last 14 days (18–31 March): −70%. Sessions: four in 31 Jan–1 Mar, two in 2–31 March: −50%.
// Last login 20 March 12:00, 11.5 days before the cutoff ends. A cart on 20 March with no order
// since (11.5 days). A customer-service contact on 25 March.
// B logged in on 30 March 12:00 (1.5 days) and carted on 24 March, before the order of the 25th.
// An anonymous visitor's events belong to no customer.
const EVENTS: &str = r#"{"event_time":"2026-02-15 12:00","event_type":"page_view","customer_id":"A","session_id":"a1","duration_ms":1000}
{"event_time":"2026-02-20 12:00","event_type":"page_view","customer_id":"A","session_id":"a2","duration_ms":1000}
{"event_time":"2026-02-25 12:00","event_type":"page_view","customer_id":"A","session_id":"a3","duration_ms":1000}
{"event_time":"2026-02-27 12:00","event_type":"page_view","customer_id":"A","session_id":"a4","duration_ms":1000}
{"event_time":"2026-03-10 12:00","event_type":"page_view","customer_id":"A","session_id":"a5","duration_ms":600000}
{"event_time":"2026-03-20 12:00","event_type":"login","customer_id":"A","session_id":"a6"}
{"event_time":"2026-03-20 12:01","event_type":"page_view","customer_id":"A","session_id":"a6","duration_ms":180000}
{"event_time":"2026-03-20 12:05","event_type":"add_to_cart","customer_id":"A","session_id":"a6"}
{"event_time":"2026-03-25 09:00","event_type":"cs_contact","customer_id":"A","session_id":"a6"}
{"event_time":"2026-04-05 09:00","event_type":"login","customer_id":"A","session_id":"a8"}
{"event_time":"2026-03-24 20:00","event_type":"add_to_cart","customer_id":"B","session_id":"b1"}
{"event_time":"2026-03-30 12:00","event_type":"login","customer_id":"B","session_id":"b2"}
{"event_time":"2026-03-30 12:00","event_type":"page_view","anonymous_id":"v1","session_id":"v1"}
"#;

// A wrote a one-star review in the window; B a five-star one; D a one-star review after it.
const REVIEWS: &str = "review_id,customer_id,created_at,rating,content
R1,A,2026-03-01 09:00,1,太慢了
R2,B,2026-03-26 09:00,5,很好
R3,D,2026-04-03 09:00,1,差
";

fn shop() -> Shop {
    strata_testkit::shop(&[
        ("orders", "orders.csv", ORDERS),
        ("events", "events.jsonl", EVENTS),
        ("reviews", "reviews.csv", REVIEWS),
    ])
}

fn at(fs: &FeatureSet, id: &str) -> usize {
    fs.ids.iter().position(|x| x == id).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn features_signals_and_labels_match_the_hand_worked_shop() {
    let s = shop();
    let ctx = session(&s.ws).unwrap();
    let cfg = ChurnConfig::default();
    let mut analyze = AnalyzeConfig::default();
    analyze.value.enabled = false;
    let cutoff = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let rt = rt();
    let fs = rt
        .block_on(strata_churn::train::features_at(
            &ctx,
            &analyze,
            "Asia/Shanghai",
            &cfg,
            cutoff,
        ))
        .unwrap();

    // Every buyer up to the cutoff; E2, F2, B3 and D2 come later and change nothing here.
    let mut ids = fs.ids.clone();
    ids.sort();
    assert_eq!(ids, ["A", "B", "C", "D", "E", "F", "G", "H"]);
    let (a, b, c, d) = (at(&fs, "A"), at(&fs, "B"), at(&fs, "C"), at(&fs, "D"));

    // A: last paid order 21 Jan 10:00 → 1 Apr 00:00 is 69 days 14 hours.
    let recency = 69.0 + 14.0 / 24.0;
    assert!(close(fs.column("recency_days")[a], recency));
    assert!(close(fs.column("gap_mean_days")[a], 10.0));
    assert!(close(fs.column("gap_ratio")[a], recency / 10.0));
    // Latest two orders (300, 100) against the first (300): 200 / 300 − 1.
    assert!(close(fs.column("aov_trend")[a], -1.0 / 3.0));
    assert!(close(fs.column("orders")[a], 3.0));
    assert!(close(fs.column("orders_90d")[a], 3.0));
    assert!(close(fs.column("refunds_recent")[a], 1.0));
    assert!(close(fs.column("days_since_login")[a], 11.5));
    assert!(close(fs.column("browse_minutes")[a], 3.0));
    assert!(close(fs.column("browse_change")[a], -0.7));
    assert!(close(fs.column("sessions")[a], 2.0));
    assert!(close(fs.column("session_change")[a], -0.5));
    // The cart of 20 March 12:05 with no order after it.
    assert!(close(fs.column("cart_unpaid_days")[a], 11.5 - 5.0 / 1440.0));
    assert!(close(fs.column("service_contacts")[a], 1.0));
    assert!(close(fs.column("negative_reviews")[a], 1.0));
    for sig in [
        Signal::NoLogin,
        Signal::BrowsingDown,
        Signal::CartUnpaid,
        Signal::SessionsFalling,
        Signal::GapOverUsual,
        Signal::OrderValueDown,
        Signal::Refund,
        Signal::NegativeReview,
        Signal::ServiceContact,
    ] {
        assert!(fs.signal(sig)[a], "A should show {sig:?}");
    }
    // Nobody has message opens or clicks, so nobody can have stopped engaging.
    assert!(!fs.signal(Signal::NoEngagement)[a]);

    // B: recent, growing orders, logged in 1.5 days ago, the cart was bought on the 25th.
    assert!(close(fs.column("days_since_login")[b], 1.5));
    assert!(fs.column("cart_unpaid_days")[b].is_nan());
    assert!(close(fs.column("aov_trend")[b], 0.1));
    assert!(close(fs.column("gap_mean_days")[b], 24.0));
    assert!(fs.column("browse_change")[b].is_nan());
    assert!(close(fs.column("negative_reviews")[b], 0.0));
    for (i, sig) in features::SIGNALS.iter().enumerate() {
        assert!(!fs.signals[i][b], "B should not show {sig:?}");
    }

    // D's order at 23:00 on the cutoff day counts: an hour before the end.
    assert!(close(fs.column("recency_days")[d], 1.0 / 24.0));
    // D has no events: behaviour unknown rather than zero.
    assert!(fs.column("days_since_visit")[d].is_nan());
    assert!(!fs.signal(Signal::NoLogin)[d]);

    // C last bought 455 days before the cutoff: past early warning.
    assert!(!fs.in_population[c]);
    assert_eq!(fs.population().len(), 7);

    // Labels: who bought in [1 Apr, 30 Jun) local.
    let rows = fs.population();
    let ids: Vec<String> = rows.iter().map(|&r| fs.ids[r].clone()).collect();
    let bought = rt
        .block_on(features::bought_within(&ctx, &ids, fs.end_us, 90))
        .unwrap();
    let churned: Vec<(&str, bool)> = ids
        .iter()
        .zip(&bought)
        .map(|(id, b)| (id.as_str(), !b))
        .collect();
    for (id, expected) in [
        ("A", true),
        ("B", false),
        ("D", false),
        ("E", false),
        ("F", true),
        ("G", false),
        ("H", true),
    ] {
        let got = churned.iter().find(|(i, _)| *i == id).unwrap().1;
        assert_eq!(got, expected, "churn label of {id}");
    }
}

#[test]
fn reasons_speak_in_the_customers_own_numbers() {
    let s = shop();
    let ctx = session(&s.ws).unwrap();
    let cfg = ChurnConfig::default();
    let mut analyze = AnalyzeConfig::default();
    analyze.value.enabled = false;
    let cutoff = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let fs = rt()
        .block_on(strata_churn::train::features_at(
            &ctx,
            &analyze,
            "Asia/Shanghai",
            &cfg,
            cutoff,
        ))
        .unwrap();
    let a = at(&fs, "A");
    let sc = &cfg.signals;
    use strata_churn::features::Group;
    use strata_churn::reasons::describe;
    assert_eq!(
        describe(Group::Recency, &fs, a, sc, Lang::En),
        "70 days since last order, usual gap 10"
    );
    assert_eq!(
        describe(Group::Recency, &fs, a, sc, Lang::Zh),
        "距上次下单70天，平时间隔10天"
    );
    assert_eq!(
        describe(Group::OrderValue, &fs, a, sc, Lang::En),
        "recent orders 33% smaller"
    );
    assert_eq!(
        describe(Group::Browsing, &fs, a, sc, Lang::En),
        "browsing time down 70% (last 14 days vs the 14 before)"
    );
    assert_eq!(describe(Group::Login, &fs, a, sc, Lang::Zh), "12天未登录");
    assert_eq!(
        describe(Group::Cart, &fs, a, sc, Lang::En),
        "cart left unpaid for 11 days"
    );
    assert_eq!(
        describe(Group::Reviews, &fs, a, sc, Lang::En),
        "1 negative review(s) in 90 days"
    );
    let e = at(&fs, "E");
    assert_eq!(
        describe(Group::Recency, &fs, e, sc, Lang::En),
        "59 days since the only order"
    );

    // D has no events and the purchase model is off: those groups have nothing to say, so they
    // are never given as reasons, however the trees route the missing values.
    use strata_churn::reasons::{known, top_three};
    let d = at(&fs, "D");
    assert!(known(Group::Recency, &fs, d));
    assert!(!known(Group::Login, &fs, d));
    assert!(!known(Group::Browsing, &fs, d));
    assert!(!known(Group::PurchaseModel, &fs, d));
    assert!(known(Group::Login, &fs, a));
    let groups = [
        (Group::Login, 0.9),
        (Group::PurchaseModel, 0.8),
        (Group::Recency, 0.5),
        (Group::Spend, -0.2),
        (Group::Frequency, 0.1),
        (Group::OrderValue, 0.05),
    ];
    let top: Vec<Group> = top_three(&groups, |g| known(g, &fs, d))
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    assert_eq!(top, [Group::Recency, Group::Frequency, Group::OrderValue]);
}

#[test]
fn earlier_training_cutoffs_without_the_latest_ones_data_are_not_stacked() {
    // Horizon 30 days: evaluation at 31 May (30 days before the last order), training cutoffs
    // 1 May, 1 April, 2 March and 31 January. Events start on 15 February, so on 31 January the
    // shop has no behaviour data: stacking it would teach the trees that missing behaviour means
    // "an old cutoff". It is left out.
    let s = shop();
    let ctx = session(&s.ws).unwrap();
    let mut cfg = ChurnConfig {
        horizon_days: 30,
        min_leaf_weight: 1.0,
        ..ChurnConfig::default()
    };
    cfg.tiers.min_customers = 1;
    let mut analyze = AnalyzeConfig::default();
    analyze.value.enabled = false;
    let model = rt()
        .block_on(strata_churn::train(
            &ctx,
            &analyze,
            "Asia/Shanghai",
            &cfg,
            &strata_churn::TrainOptions::default(),
        ))
        .unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    assert_eq!(model.evaluation.window.cutoff, day(5, 31));
    assert_eq!(model.training.cutoffs, [day(5, 1), day(4, 1), day(3, 2)]);
    use strata_churn::features::Source;
    assert_eq!(
        model.training.sources,
        [Source::Orders, Source::Events, Source::Reviews]
    );
}
