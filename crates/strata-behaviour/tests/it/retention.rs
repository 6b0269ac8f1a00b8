//! Monthly purchase cohorts, Shanghai time.
//!
//! - A: 5 Jan (app), 10 Feb (pc), 1 Apr: cohort January, active in Jan, Feb, Apr.
//! - B: 20 Jan, 25 Jan (live_stream): January; bought again 5 days later.
//! - E: 31 Jan 23:30 local (15:30 UTC, still January in Shanghai): January, nothing since.
//! - C: 3 Feb, 1 May 10:00 (the last order): February, active in Feb and May (87 days apart).
//! - D: 15 Mar, and an order on 10 Apr that was refunded: March only.
//!
//! Triangle: Jan 3 customers [3, 1, 0, 1, 0]; Feb 1 [1, 0, 0, 1]; Mar 1 [1, 0, 0].
//! Repurchase within 30 days: eligible A B E C D (first order 30 days before 1 May 10:00),
//! only B → 1/5. Within 90: A (5 Jan) and B (20 Jan) eligible, E's 31 Jan + 90 days is 1 May
//! 23:30, after the last order; both A (36 days) and B bought again → 2/2. Within 365: none.

use strata_behaviour::retention::{CohortBy, Period, RetentionSpec, retention};
use strata_store::session;

use strata_testkit::{rt, shop};

const ORDERS: &str = "order_id,customer_id,ordered_at,paid_amount,status,channel
A1,A,2026-01-05 10:00,100,paid,app
A2,A,2026-02-10 10:00,100,paid,pc
A3,A,2026-04-01 10:00,100,paid,pc
B1,B,2026-01-20 10:00,100,paid,live_stream
B2,B,2026-01-25 10:00,100,paid,app
E1,E,2026-01-31 23:30,100,paid,app
C1,C,2026-02-03 10:00,100,paid,pc
C2,C,2026-05-01 10:00,100,paid,pc
D1,D,2026-03-15 10:00,100,paid,pc
D2,D,2026-04-10 10:00,100,refunded,pc
";

// The first order's largest line gives the category: A1 clothing (60 of 100), B1 beauty,
// E1 clothing, C1 shoes, D1 beauty.
const ITEMS: &str = "order_id,line_no,category,paid_amount
A1,1,服装,60
A1,2,鞋靴,40
A2,1,鞋靴,100
B1,1,美妆,100
E1,1,服装,100
C1,1,鞋靴,200
D1,1,美妆,100
";

#[test]
fn monthly_cohorts_and_repurchase_by_hand() {
    let s = shop(&[
        ("orders", "orders.csv", ORDERS),
        ("order_items", "items.csv", ITEMS),
    ]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    let r = rt
        .block_on(retention(&ctx, &RetentionSpec::default()))
        .unwrap();
    let rows: Vec<(String, u64, Vec<u64>)> = r
        .cohorts
        .iter()
        .map(|c| (c.cohort.clone(), c.customers, c.active.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-01".to_string(), 3, vec![3, 1, 0, 1, 0]),
            ("2026-02".to_string(), 1, vec![1, 0, 0, 1]),
            ("2026-03".to_string(), 1, vec![1, 0, 0]),
        ]
    );
    assert!((r.cohorts[0].rate[1] - 1.0 / 3.0).abs() < 1e-12);
    assert!(r.last_period_partial, "May has one day of data");
    let rep: Vec<(u32, u64, u64)> = r
        .repurchase
        .iter()
        .map(|x| (x.days, x.eligible, x.repurchased))
        .collect();
    assert_eq!(rep, [(30, 5, 1), (90, 2, 2), (365, 0, 0)]);
    assert_eq!(r.repurchase[2].rate, None);

    // By the first order's channel: A and E came through the app, B through live streaming.
    let spec = RetentionSpec {
        by: Some("channel".into()),
        ..RetentionSpec::default()
    };
    let r = rt.block_on(retention(&ctx, &spec)).unwrap();
    let jan_app = r
        .cohorts
        .iter()
        .find(|c| c.cohort == "2026-01" && c.group.as_deref() == Some("app"))
        .unwrap();
    assert_eq!(jan_app.customers, 2);
    assert_eq!(jan_app.active, [2, 1, 0, 1, 0]);
    let d30 = |g: &str| {
        r.repurchase
            .iter()
            .find(|x| x.days == 30 && x.group.as_deref() == Some(g))
            .map(|x| (x.eligible, x.repurchased))
    };
    assert_eq!(d30("live_stream"), Some((1, 1)));
    assert_eq!(
        d30("pc_web"),
        Some((2, 0)),
        "channel pc is stored as pc_web"
    );

    // By the first order's category: January's clothing buyers are A and E.
    let spec = RetentionSpec {
        by: Some("category".into()),
        ..RetentionSpec::default()
    };
    let r = rt.block_on(retention(&ctx, &spec)).unwrap();
    let cell = |cohort: &str, g: &str| {
        r.cohorts
            .iter()
            .find(|c| c.cohort == cohort && c.group.as_deref() == Some(g))
            .map(|c| c.active.clone())
    };
    assert_eq!(cell("2026-01", "服装"), Some(vec![2, 1, 0, 1, 0]));
    assert_eq!(cell("2026-01", "美妆"), Some(vec![1, 0, 0, 0, 0]));
    assert_eq!(cell("2026-02", "鞋靴"), Some(vec![1, 0, 0, 1]));
    assert_eq!(cell("2026-03", "美妆"), Some(vec![1, 0, 0]));

    // Weekly: 5 January 2026 is a Monday; 31 January (a Saturday) is in the week of the 26th.
    let spec = RetentionSpec {
        period: Period::Week,
        ..RetentionSpec::default()
    };
    let r = rt.block_on(retention(&ctx, &spec)).unwrap();
    assert_eq!(r.cohorts[0].cohort, "2026-01-05");
    assert!(
        r.cohorts
            .iter()
            .any(|c| c.cohort == "2026-01-26" && c.customers == 1)
    );
    assert_eq!(r.cohorts[0].active[0], 1);
    assert_eq!(
        r.cohorts[0].active[5], 1,
        "A again on 10 Feb, five weeks on"
    );

    // Visit cohorts need events.
    let spec = RetentionSpec {
        cohort: CohortBy::Visit,
        ..RetentionSpec::default()
    };
    let e = rt.block_on(retention(&ctx, &spec)).unwrap_err();
    assert!(e.to_string().contains("no events"), "{e}");
}
