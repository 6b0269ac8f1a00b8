//! The customer table on a hand-worked shop: every number below was worked out by hand from
//! the rows in this file (see the comments), not read off the program.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Decimal128Type, Float64Type, Int64Type, UInt8Type};
use strata_features::{AnalyzeConfig, PROFILE_TABLE, compute, read_meta, write_profile};
use strata_import::{ImportOptions, import};
use strata_store::{Workspace, session, table};
use strata_testkit::Shop;

const CUSTOMERS: &str =
    "customer_id,gender,birth_year,province,city,registered_at,acquisition_channel
A,female,1990,上海,上海,2025-01-01 10:00,app
B,male,1980,浙江,宁波,2024-06-01 09:00,live
C,female,,,,2026-10-01 08:00,mini program
";

// Times are Asia/Shanghai wall-clock times; the analysis date is 2026-10-31, so the
// analysis ends at 2026-11-01 00:00 local and O7 is ignored.
const ORDERS: &str = "order_id,customer_id,ordered_at,paid_amount,discount_amount,coupon_used,channel,device,status,province,city
O1,A,2026-01-10 20:15,100.00,0,false,app,ios,paid,,
O2,A,2026-06-15 21:30,300.00,100.00,true,app,ios,paid,,
O3,A,2026-10-01 12:00,200.00,0,true,mini program,android,paid,,
O4,A,2026-10-20 12:00,999.00,0,false,app,ios,refunded,,
O5,B,2025-03-01 10:00,50.00,,,platform,android,paid,,
O6,D,2026-10-31 23:30,80.00,20.00,yes,live,ios,paid,广东,深圳
O7,D,2026-11-05 10:00,500.00,,,app,ios,paid,,
";

const ITEMS: &str = "order_id,line_no,sku,category,brand,quantity,paid_amount
O1,1,S1,服装,BrandX,1,60.00
O1,2,S2,鞋靴,BrandY,1,40.00
O2,1,S1,服装,BrandX,3,300.00
O3,1,S3,美妆,BrandZ,1,200.00
O4,1,S3,美妆,BrandZ,5,999.00
";

fn shop() -> Shop {
    strata_testkit::shop(&[
        ("customers", "customers.csv", CUSTOMERS),
        ("orders", "orders.csv", ORDERS),
        ("order_items", "order_items.csv", ITEMS),
    ])
}

fn config() -> AnalyzeConfig {
    AnalyzeConfig {
        as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()),
        ..AnalyzeConfig::default()
    }
}

async fn profile(ws: &Workspace, cfg: &AnalyzeConfig) -> strata_features::Profile {
    compute(&session(ws).unwrap(), cfg, "Asia/Shanghai")
        .await
        .unwrap()
}

/// The row of customer `id`.
fn row(b: &RecordBatch, id: &str) -> usize {
    let ids = b.column_by_name("customer_id").unwrap().as_string::<i32>();
    (0..ids.len()).find(|&i| ids.value(i) == id).unwrap()
}

fn text(b: &RecordBatch, col: &str, id: &str) -> Option<String> {
    let a = b.column_by_name(col).unwrap().as_string::<i32>();
    let i = row(b, id);
    (!a.is_null(i)).then(|| a.value(i).to_string())
}

fn float(b: &RecordBatch, col: &str, id: &str) -> Option<f64> {
    let a = b.column_by_name(col).unwrap().as_primitive::<Float64Type>();
    let i = row(b, id);
    (!a.is_null(i)).then(|| a.value(i))
}

fn int(b: &RecordBatch, col: &str, id: &str) -> Option<i64> {
    let a = b.column_by_name(col).unwrap().as_primitive::<Int64Type>();
    let i = row(b, id);
    (!a.is_null(i)).then(|| a.value(i))
}

fn small(b: &RecordBatch, col: &str, id: &str) -> Option<u8> {
    let a = b.column_by_name(col).unwrap().as_primitive::<UInt8Type>();
    let i = row(b, id);
    (!a.is_null(i)).then(|| a.value(i))
}

fn cents(b: &RecordBatch, col: &str, id: &str) -> i128 {
    b.column_by_name(col)
        .unwrap()
        .as_primitive::<Decimal128Type>()
        .value(row(b, id))
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_worked_shop() {
    let shop = shop();
    let p = profile(&shop.ws, &config()).await;
    let b = &p.batch;
    assert_eq!(b.num_rows(), 4, "A, B and D buy; C is a prospect");
    assert_eq!(p.meta.buyers, 3);

    // A: O1–O3 paid, O4 refunded.
    assert_eq!(int(b, "orders", "A"), Some(3));
    assert_eq!(int(b, "frequency", "A"), Some(2));
    assert_eq!(int(b, "refunds", "A"), Some(1));
    assert_eq!(cents(b, "monetary", "A"), 60_000);
    assert_eq!(cents(b, "spend_12m", "A"), 60_000);
    close(float(b, "avg_order_value", "A"), 200.0);
    // 1 Oct 12:00 → 1 Nov 00:00 is 30.5 days.
    close(float(b, "recency_days", "A"), 30.5);
    // 10 Jan 00:00 → 1 Nov 00:00 is 22 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 = 295
    // days, less 20h15m.
    close(float(b, "tenure_days", "A"), 295.0 - 20.25 / 24.0);
    close(
        float(b, "gap_mean_days", "A"),
        (295.0 - 20.25 / 24.0 - 30.5) / 2.0,
    );
    // 15 Jun 21:30 → 1 Oct 12:00: 108 days less 9.5 hours.
    close(float(b, "gap_last_days", "A"), 108.0 - 9.5 / 24.0);
    // k = min(3, 3 − 1) = 2: latest two average 250, the earlier one 100.
    close(float(b, "aov_trend", "A"), 1.5);
    close(float(b, "discount_share", "A"), 100.0 / 700.0);
    close(float(b, "coupon_rate", "A"), 2.0 / 3.0);
    close(float(b, "festival_share", "A"), 1.0 / 3.0);
    assert_eq!(text(b, "preferred_channel", "A").as_deref(), Some("app"));
    assert_eq!(text(b, "preferred_device", "A").as_deref(), Some("ios"));
    // Hours 20, 21 and 12 once each: the earliest hour wins a tie.
    assert_eq!(small(b, "active_hour", "A"), Some(12));
    // Items of paid orders: 服装 360, 美妆 200, 鞋靴 40; BrandX 360 of 600.
    assert_eq!(text(b, "preferred_category", "A").as_deref(), Some("服装"));
    assert_eq!(text(b, "preferred_brand", "A").as_deref(), Some("BrandX"));
    close(float(b, "top_brand_share", "A"), 0.6);
    assert_eq!(
        text(b, "customer_type", "A").as_deref(),
        Some("brand_loyal")
    );
    assert_eq!(int(b, "age", "A"), Some(36));
    assert_eq!(text(b, "city_tier", "A").as_deref(), Some("tier1"));
    assert_eq!(text(b, "spend_tier", "A").as_deref(), Some("silver"));
    assert_eq!(text(b, "lifecycle", "A").as_deref(), Some("active"));
    assert_eq!(text(b, "rule_segment", "A").as_deref(), Some("regular"));
    assert_eq!(text(b, "tag", "A").as_deref(), Some("上海 · 服装 · 中消费"));

    // Quintile cut points over three buyers are the values at floor(q·2): recency
    // [0.02, 0.02, 30.5, 30.5], orders [1, 1, 1, 1], monetary [50, 50, 80, 80].
    assert_eq!(text(b, "rfm", "A").as_deref(), Some("355"));
    assert_eq!(text(b, "rfm", "B").as_deref(), Some("111"));
    assert_eq!(text(b, "rfm", "D").as_deref(), Some("513"));
    assert_eq!(text(b, "rfm_segment", "A").as_deref(), Some("Loyal"));
    assert_eq!(text(b, "rfm_segment", "B").as_deref(), Some("Hibernating"));
    assert_eq!(
        text(b, "rfm_segment", "D").as_deref(),
        Some("New customers")
    );
    // Average scores R 3, F 7/3, M 3; high means above average.
    assert_eq!(text(b, "rfm_class", "A").as_deref(), Some("重要保持"));
    assert_eq!(text(b, "rfm_class", "D").as_deref(), Some("一般发展"));
    assert_eq!(text(b, "rfm_class", "B").as_deref(), Some("一般挽留"));

    // B: one small order 609.6 days ago.
    close(float(b, "recency_days", "B"), 610.0 - 10.0 / 24.0);
    assert_eq!(cents(b, "spend_12m", "B"), 0);
    assert_eq!(
        text(b, "rule_segment", "B").as_deref(),
        Some("potential_churn")
    );
    assert_eq!(text(b, "lifecycle", "B").as_deref(), Some("churned"));
    assert_eq!(text(b, "spend_tier", "B").as_deref(), Some("bronze"));
    assert_eq!(text(b, "customer_type", "B").as_deref(), Some("mixed"));
    assert_eq!(float(b, "aov_trend", "B"), None);
    assert_eq!(
        text(b, "preferred_channel", "B").as_deref(),
        Some("platform")
    );

    // D is not in the customers table: placed by its order; O7 is after the analysis date.
    assert_eq!(int(b, "orders", "D"), Some(1));
    assert_eq!(cents(b, "monetary", "D"), 8_000);
    close(float(b, "recency_days", "D"), 0.5 / 24.0);
    close(float(b, "discount_share", "D"), 0.2);
    assert_eq!(text(b, "province", "D").as_deref(), Some("广东"));
    assert_eq!(text(b, "city_tier", "D").as_deref(), Some("tier1"));
    assert_eq!(text(b, "lifecycle", "D").as_deref(), Some("new"));
    assert_eq!(
        text(b, "customer_type", "D").as_deref(),
        Some("price_sensitive")
    );
    assert_eq!(
        text(b, "preferred_channel", "D").as_deref(),
        Some("live_stream")
    );

    // C never bought.
    assert_eq!(int(b, "orders", "C"), Some(0));
    assert_eq!(text(b, "lifecycle", "C").as_deref(), Some("prospect"));
    assert_eq!(text(b, "rfm", "C"), None);
    assert_eq!(
        text(b, "acquisition_channel", "C").as_deref(),
        Some("mini_program")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_is_stored_queryable_and_replaced_whole() {
    let shop = shop();
    let p = profile(&shop.ws, &config()).await;
    write_profile(&shop.ws, &p).unwrap();
    write_profile(&shop.ws, &p).unwrap();
    let ws = Workspace::open(shop.ws.root()).unwrap();
    assert_eq!(ws.parts(PROFILE_TABLE).len(), 1);
    let files = std::fs::read_dir(ws.root().join("tables").join(PROFILE_TABLE))
        .unwrap()
        .count();
    assert_eq!(files, 2, "the replaced part is kept for undo");
    // Without kept generations the replaced part is deleted at once.
    let bare = Workspace::open(shop.ws.root()).unwrap().with_keep(0);
    write_profile(&bare, &p).unwrap();
    write_profile(&bare, &p).unwrap();
    let files = std::fs::read_dir(ws.root().join("tables").join(PROFILE_TABLE))
        .unwrap()
        .count();
    assert_eq!(files, 1, "the replaced part is deleted");
    let ws = Workspace::open(shop.ws.root()).unwrap();
    let meta = read_meta(&ws).unwrap().unwrap();
    // An import that commits while a table is computed makes the table stale: it is refused.
    let old = Workspace::open(ws.root()).unwrap();
    let p2 = profile(&old, &config()).await;
    let more = shop.dir().join("more.csv");
    std::fs::write(
        &more,
        "order_id,customer_id,ordered_at,paid_amount\nO9,C,2026-10-30 10:00,9.00\n",
    )
    .unwrap();
    import(
        &ws,
        table("orders").unwrap(),
        &[more],
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let e = write_profile(&old, &p2).unwrap_err();
    assert!(
        e.is_user_error() && e.to_string().contains("analyse again"),
        "{e}"
    );
    assert_eq!(meta.as_of.to_string(), "2026-10-31");
    assert_eq!(meta.rfm_cuts[2], [50.0, 50.0, 80.0, 80.0]);
    let ctx = session(&ws).unwrap();
    let out = ctx
        .sql("SELECT customer_id FROM customer_profile WHERE rfm_segment = 'Loyal'")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(out[0].column(0).as_string::<i32>().value(0), "A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn later_analysis_dates_and_fixed_cut_points() {
    let shop = shop();
    // As of 5 Nov, O7 counts: D has two orders, 580 in all.
    let mut cfg = config();
    cfg.as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 5);
    cfg.rfm.method = strata_features::config::RfmMethod::Fixed;
    let b = profile(&shop.ws, &cfg).await.batch;
    assert_eq!(int(&b, "orders", "D"), Some(2));
    assert_eq!(cents(&b, "monetary", "D"), 58_000);
    // Fixed cuts: recency [30, 90, 180, 365] → 0.58 days scores 5; orders [1, 2, 4, 8] →
    // 2 orders exceed one cut → 2; monetary [300, 1000, 3000, 8000] → 580 scores 2.
    assert_eq!(text(&b, "rfm", "D").as_deref(), Some("522"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_workspace_and_bad_settings_are_user_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let e = compute(&session(&ws).unwrap(), &config(), "Asia/Shanghai")
        .await
        .unwrap_err();
    assert!(e.is_user_error());
    assert!(e.to_string().contains("import them first"), "{e}");
    let shop = shop();
    let e = compute(&session(&shop.ws).unwrap(), &config(), "Mars/Olympus")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Mars/Olympus"), "{e}");
    let mut cfg = config();
    cfg.festivals = vec!["11-31..11-01".into()];
    let e = compute(&session(&shop.ws).unwrap(), &cfg, "Asia/Shanghai")
        .await
        .unwrap_err();
    assert!(
        e.is_user_error() && e.to_string().contains("11-31..11-01"),
        "{e}"
    );
    cfg = config();
    cfg.as_of = chrono::NaiveDate::from_ymd_opt(2020, 1, 1);
    let e = compute(&session(&shop.ws).unwrap(), &cfg, "Asia/Shanghai")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no orders on or before"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_value_on_a_demo_shop_is_fitted_checked_and_sane() {
    let shop = strata_testkit::demo_shop_with(&strata_demo::DemoConfig {
        customers: 600,
        events: false,
        ..strata_demo::DemoConfig::default()
    });
    let ws = &shop.ws;
    let p = profile(ws, &AnalyzeConfig::default()).await;
    let v = p.meta.value.as_ref().unwrap();
    assert_eq!(v.skipped, None);
    assert!(
        ["BG/NBD", "MBG/NBD"].contains(&v.model.as_str()),
        "{}",
        v.model
    );
    assert_eq!(v.candidates.len(), 2);
    let chosen = v.candidates.iter().find(|c| c.model == v.model).unwrap();
    assert!(
        v.candidates
            .iter()
            .all(|c| chosen.bic <= c.bic || !c.converged)
    );
    let h = v.holdout.as_ref().unwrap();
    assert!(h.customers > 100 && h.actual_total > 0.0 && h.predicted_total > 0.0);
    assert_eq!(h.cumulative.len(), 25);
    assert!(
        h.cumulative
            .windows(2)
            .all(|w| w[1].1 >= w[0].1 && w[1].2 >= w[0].2)
    );

    let b = &p.batch;
    let col = |name: &str| {
        b.column_by_name(name)
            .unwrap()
            .as_primitive::<Float64Type>()
            .clone()
    };
    let (alive, e90, e365, clv) = (
        col("p_alive"),
        col("expected_purchases_90d"),
        col("expected_purchases_365d"),
        col("clv_12m"),
    );
    let orders = b
        .column_by_name("orders")
        .unwrap()
        .as_primitive::<Int64Type>();
    let mut buyers = 0;
    for i in 0..b.num_rows() {
        if orders.value(i) == 0 {
            assert!(alive.is_null(i), "prospects have no value");
            continue;
        }
        buyers += 1;
        let pa = alive.value(i);
        assert!((0.0..=1.0).contains(&pa), "p_alive {pa}");
        assert!(e90.value(i) >= 0.0 && e365.value(i) >= e90.value(i));
        assert!(clv.value(i).is_finite() && clv.value(i) >= 0.0);
    }
    assert_eq!(buyers as u64, p.meta.buyers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_few_buyers_for_a_model_say_so() {
    let shop = shop();
    let p = profile(&shop.ws, &config()).await;
    let v = p.meta.value.unwrap();
    assert!(v.skipped.unwrap().contains("at least 50"));
    assert!(p.batch.column_by_name("clv_12m").unwrap().is_null(0));
}

/// Issue 14: an analysis date two months after the last order (nobody buying in between) sent
/// the BG/NBD fit into rounding noise: a positive log-likelihood, no convergence, 10,000
/// iterations (31 s instead of 0.6 on the 20,000-customer demo).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn value_models_converge_for_an_analysis_date_past_the_data() {
    let shop = strata_testkit::demo_shop_with(&strata_demo::DemoConfig {
        customers: 1000,
        events: false,
        ..strata_demo::DemoConfig::default()
    });
    let cfg = AnalyzeConfig {
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
        ..AnalyzeConfig::default()
    };
    let p = profile(&shop.ws, &cfg).await;
    assert_eq!(p.meta.last_order_day.unwrap().to_string(), "2026-10-31");
    let v = p.meta.value.as_ref().unwrap();
    assert_eq!(v.candidates.len(), 2);
    for c in &v.candidates {
        assert!(c.converged, "{} did not converge", c.model);
        assert!(c.log_likelihood < 0.0, "{}: {}", c.model, c.log_likelihood);
    }
    assert!(v.holdout.is_some());
}

/// Issue 14: the order count reported with an earlier analysis date included the orders after
/// it. Here O7 (5 Nov) is after 31 Oct: seven orders read, six used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_after_the_analysis_date_are_not_counted_as_used() {
    let shop = shop();
    let m = profile(&shop.ws, &config()).await.meta;
    assert_eq!(m.orders_scanned, 7);
    assert_eq!(m.orders_used, Some(6));
    assert_eq!(m.last_order_day.unwrap().to_string(), "2026-11-05");
    let mut cfg = config();
    cfg.as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30);
    let m = profile(&shop.ws, &cfg).await.meta;
    assert_eq!(m.orders_used, Some(7));
}
