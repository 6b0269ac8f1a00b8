//! Segments on a hand-worked shop: every kind of condition, window edges, customers without
//! events, empty values, `not` over missing data, nested segments and cycles. The expected
//! members are worked out by hand from the files below (analysis date 2026-10-31, the latest
//! order day, Asia/Shanghai: windows end at 2026-11-01 00:00 local).

mod props;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use strata_features::AnalyzeConfig;
use strata_segments::{
    Catalog, Clock, SegmentError, catalog, compile_all, explain, members, parse,
};
use strata_store::Workspace;
use strata_testkit::{Shop, rt};

const CUSTOMERS: &str = "customer_id,name,province,registered_at,marketing_consent,phone\n\
A,张三,上海,2025-01-01,是,13800000001\n\
B,李四,北京,2026-10-28,否,13800000002\n\
C,王五,上海市,2024-05-01,是,\n\
D,赵六,广东,2026-01-01,是,13800000004\n";

const ORDERS: &str = "order_id,customer_id,order_time,paid_amount,status,coupon_used\n\
O1,A,2026-10-30 10:00,300,paid,是\n\
O2,A,2026-06-01 10:00,200,paid,否\n\
O3,B,2026-10-29 12:00,50,paid,否\n\
O4,C,2026-01-05 09:00,1000,paid,否\n\
O5,C,2026-10-01 09:00,80,refunded,否\n\
O6,A,2026-10-31 23:30,99,paid,否\n";

const ITEMS: &str = "order_id,line_no,sku,category,brand,paid_amount\n\
O1,1,S1,女装,花西子,200\n\
O1,2,S2,鞋靴,X,100\n\
O2,1,S1,女装,花西子,200\n\
O4,1,S3,鞋靴,Y,1000\n";

const EVENTS: &str = r#"{"customer_id":"A","event_time":"2026-10-28 10:00","event_type":"add_to_cart"}
{"customer_id":"A","event_time":"2026-10-29 10:00","event_type":"login"}
{"customer_id":"A","event_time":"2026-11-05 10:00","event_type":"login"}
{"customer_id":"B","event_time":"2026-10-30 10:00","event_type":"加购"}
{"customer_id":"C","event_time":"2026-10-25 10:00","event_type":"add_to_cart"}
{"customer_id":"C","event_time":"2026-10-24 23:59","event_type":"add_to_cart"}
{"customer_id":"C","event_time":"2026-10-25 10:01","event_type":"page_view","page":"product"}
{"customer_id":"C","event_time":"2026-10-25 10:02","event_type":"page_view","page":"商品详情"}
{"customer_id":"C","event_time":"2026-09-01 10:00","event_type":"login"}
{"customer_id":"D","event_time":"2026-10-20 10:00","event_type":"login"}
{"anonymous_id":"v1","event_time":"2026-10-30 10:00","event_type":"add_to_cart"}
"#;

const REVIEWS: &str = "review_id,order_id,customer_id,created_at,rating,content\n\
R1,O4,C,2026-10-10,1,差\n\
R2,O1,A,2026-10-31,5,好\n";

fn hand_shop() -> Shop {
    let mut shop = strata_testkit::shop(&[
        ("customers", "customers.csv", CUSTOMERS),
        ("orders", "orders.csv", ORDERS),
        ("order_items", "items.csv", ITEMS),
        ("events", "events.jsonl", EVENTS),
        ("reviews", "reviews.csv", REVIEWS),
    ]);
    analyze(&mut shop);
    shop
}

fn analyze(shop: &mut Shop) {
    let ctx = strata_store::session(&shop.ws).unwrap();
    let cfg = AnalyzeConfig {
        timezone: Some("Asia/Shanghai".into()),
        ..AnalyzeConfig::default()
    };
    let profile = rt()
        .block_on(strata_features::compute(&ctx, &cfg, "Asia/Shanghai"))
        .unwrap();
    strata_features::write_profile(&shop.ws, &profile).unwrap();
    shop.ws = Workspace::open(shop.ws.root()).unwrap();
}

fn clock() -> Clock {
    Clock::new(
        NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        chrono_tz::Asia::Shanghai,
    )
}

fn catalog_of(shop: &Shop, rules: &[(&str, &str)]) -> Catalog {
    let segments = rules
        .iter()
        .map(|(n, r)| (n.to_string(), parse(r).unwrap_or_else(|e| panic!("{e}"))))
        .collect();
    let ctx = strata_store::session(&shop.ws).unwrap();
    rt().block_on(catalog::load(&ctx, segments)).unwrap()
}

/// The members of each rule.
fn run(shop: &Shop, rules: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let catalog = catalog_of(shop, rules);
    let compiled = compile_all(&catalog, clock(), None).unwrap_or_else(|e| panic!("{e}"));
    let ctx = strata_store::session(&shop.ws).unwrap();
    let m = rt()
        .block_on(members(&ctx, &catalog, &compiled, clock()))
        .unwrap();
    (0..m.segments.len())
        .map(|i| {
            (
                m.segments[i].0.clone(),
                m.ids_of(i).map(str::to_string).collect(),
            )
        })
        .collect()
}

fn one(shop: &Shop, rule: &str) -> Vec<String> {
    run(shop, &[("s", rule)]).remove("s").unwrap()
}

#[test]
fn every_kind_of_condition_against_hand_worked_members() {
    let shop = hand_shop();
    let cases: &[(&str, &[&str])] = &[
        // Window edges: C's add-to-cart at 10-24 23:59 is outside the last 7 days, 10-25 10:00
        // is inside; A's login on 11-05 is after the analysis date and never counts.
        ("did add_to_cart in last 7 days", &["A", "B", "C"]),
        ("did add_to_cart at least 2 times in last 8 days", &["C"]),
        (
            "did add_to_cart in last 7 days and not bought in last 7 days",
            &["C"],
        ),
        ("did 加购 exactly 1 times", &["A", "B"]),
        ("did not login in last 30 days", &["B", "C"]),
        // B registered three days ago: not lapsed, new.
        ("did not login in last 30 days excluding new", &["C"]),
        ("did page product at least 2 times", &["C"]),
        ("did page 商品详情 in last 7 days", &["C"]),
        ("did login since 2026-10-29", &["A"]),
        ("did login between 2026-10-01 and 2026-10-20", &["D"]),
        ("did login before 2026-10-01", &["C"]),
        // Purchases: paid orders only, lines through their orders.
        ("bought category 女装 at least 2 times", &["A"]),
        ("bought category 鞋靴", &["A", "C"]),
        ("bought category in (女装, 鞋靴) in last 30 days", &["A"]),
        ("bought brand 花西子 in last 90 days", &["A"]),
        ("bought sku S3", &["C"]),
        ("bought with coupon", &["A"]),
        ("bought at least 3 times", &["A"]),
        ("bought not in last 90 days", &["C", "D"]),
        ("spent in last 90 days >= 300", &["A"]),
        ("spent brand 花西子 >= 400", &["A"]),
        ("spent category 鞋靴 > 999.99", &["C"]),
        ("refunded in last 90 days", &["C"]),
        ("reviewed rating <= 2 in last 30 days", &["C"]),
        ("reviewed", &["A", "C"]),
        // Columns of the customer table and of customers.
        ("province = 上海", &["A", "C"]),
        ("province = 上海市", &["A", "C"]),
        ("province in (北京, 广东)", &["B", "D"]),
        ("province not in (上海)", &["B", "D"]),
        ("monetary between 500 and 1000", &["A", "C"]),
        ("avg_order_value > 100", &["A", "C"]),
        // Empty values: D has no orders, so no order value; `not` is the complement.
        ("not avg_order_value > 100", &["B", "D"]),
        ("avg_order_value is null", &["D"]),
        ("marketing_consent", &["A", "C", "D"]),
        ("marketing_consent = 否", &["B"]),
        ("phone is null", &["C"]),
        ("name contains 三 or name contains 六", &["A", "D"]),
        ("registered_at >= 2026-01-01", &["B", "D"]),
        ("registered_at <= 2026-01-01", &["A", "C", "D"]),
        ("last_time(login) < 10 days ago", &["C", "D"]),
        ("first_time(order) >= 2026-10-01", &["B"]),
        ("last_time(order) = 2026-10-31", &["A"]),
        ("lifecycle = prospect", &["D"]),
        (
            "(province = 上海 or province = 北京) and not bought category 女装",
            &["B", "C"],
        ),
    ];
    let rules: Vec<(String, &str)> = cases
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (format!("s{i:02}"), *r))
        .collect();
    let rules: Vec<(&str, &str)> = rules.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let got = run(&shop, &rules);
    let mut wrong = Vec::new();
    for (i, (rule, want)) in cases.iter().enumerate() {
        let have = &got[&format!("s{i:02}")];
        if have != want {
            wrong.push(format!("{rule}: expected {want:?}, got {have:?}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn segments_use_segments_and_cycles_are_refused() {
    let shop = hand_shop();
    let got = run(
        &shop,
        &[
            ("vip", "monetary >= 500"),
            ("active_vip", "in segment vip and did login in last 30 days"),
            ("lapsed_vip", "in segment vip and not in segment active_vip"),
        ],
    );
    assert_eq!(got["vip"], ["A", "C"]);
    assert_eq!(got["active_vip"], ["A"]);
    assert_eq!(got["lapsed_vip"], ["C"]);

    let catalog = catalog_of(
        &shop,
        &[
            ("a", "in segment b"),
            ("b", "province = 上海 and in segment c"),
            ("c", "in segment a"),
        ],
    );
    match compile_all(&catalog, clock(), None) {
        Err(SegmentError::Cycle { name, path }) => {
            assert_eq!(name, "a");
            assert_eq!(path, "a → b → c → a");
        }
        other => panic!("expected a cycle, got {other:?}"),
    }
}

#[test]
fn every_problem_is_named_with_its_place_and_the_nearest_name() {
    let shop = hand_shop();
    let catalog = catalog_of(&shop, &[("vip", "monetary >= 500")]);
    let rule = "spend_teir in (diamond, gold) and did add_to_crat in last 7 days\n\
                or bought category 女裝 and in segment vpi and spend_tier = goldd and monetary > lots";
    let e = strata_segments::Compiler::check(&catalog, clock(), None, rule).unwrap_err();
    let SegmentError::Rule(e) = e else {
        panic!("{e}")
    };
    let text: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "1:1: unknown column `spend_teir`; did you mean `spend_tier`?",
            "1:39: unknown event `add_to_crat`; did you mean `add_to_cart`?",
            "2:20: unknown category `女裝`; did you mean `女装`?",
            "2:38: unknown segment `vpi`; did you mean `vip`?",
            "2:59: `goldd` is not a value of `spend_tier`; did you mean `gold`? (expected one of diamond, gold, silver, bronze)",
            "2:80: expected a number for `monetary`, found lots",
        ]
    );
    // A saved segment that names itself.
    let e = strata_segments::Compiler::check(&catalog, clock(), Some("vip"), "in segment vip")
        .unwrap_err();
    assert!(matches!(e, SegmentError::Cycle { .. }), "{e}");
}

#[test]
fn explain_says_which_conditions_hold_with_their_values() {
    let shop = hand_shop();
    let catalog = catalog_of(
        &shop,
        &[
            ("vip", "monetary >= 500"),
            (
                "cart",
                "did add_to_cart in last 7 days and not bought in last 7 days and not in segment vip",
            ),
        ],
    );
    let ctx = strata_store::session(&shop.ws).unwrap();
    let x = rt()
        .block_on(explain(&ctx, &catalog, clock(), "cart", "A"))
        .unwrap();
    assert!(!x.member);
    let lines: Vec<String> = x
        .conditions
        .iter()
        .map(|c| {
            format!(
                "{}{} {} {:?}",
                "  ".repeat(c.depth),
                if c.holds { "yes" } else { "no" },
                c.text,
                c.value
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "yes did add_to_cart in last 7 days Some((\"times\", Some(\"1\")))",
            "yes bought in last 7 days Some((\"times\", Some(\"2\")))",
            "yes in segment vip None",
            "  yes monetary >= 500 Some((\"monetary\", Some(\"599.00\")))",
        ]
    );
    let x = rt()
        .block_on(explain(&ctx, &catalog, clock(), "cart", "C"))
        .unwrap();
    assert!(!x.member, "C is a vip");
    let e = rt()
        .block_on(explain(&ctx, &catalog, clock(), "cart", "Z"))
        .unwrap_err();
    assert!(e.to_string().contains("no customer `Z`"), "{e}");
}

#[test]
fn a_shop_without_events_or_lines_still_evaluates_and_names_what_is_missing() {
    let mut shop = strata_testkit::shop(&[("orders", "orders.csv", ORDERS)]);
    analyze(&mut shop);
    assert_eq!(one(&shop, "did not login in last 30 days"), ["A", "B", "C"]);
    assert_eq!(one(&shop, "bought in last 7 days"), ["A", "B"]);
    let catalog = catalog_of(&shop, &[]);
    let e = strata_segments::Compiler::check(&catalog, clock(), None, "bought category 女装")
        .unwrap_err();
    assert!(e.to_string().contains("import order_items"), "{e}");
}
