//! `strata funnel`, `retention`, `paths`, `channels` and the SQL table functions as a user runs
//! them, on the hand-worked events of strata-behaviour's tests (numbers worked out there).

use crate::{new_workspace, ok, query, user_error};

fn events() -> &'static str {
    let text = include_str!("../../../strata-behaviour/tests/it/funnel.rs");
    let start = text.find("const EVENTS: &str = r#\"").unwrap() + 24;
    let end = start + text[start..].find("\"#;").unwrap();
    &text[start..end]
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().to_string())
        .collect()
}

#[test]
fn funnel_paths_and_sql_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    // No events yet: said plainly.
    let e = user_error(&["-w", w, "funnel"]);
    assert!(e.contains("no events"), "{e}");
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, events()).unwrap();
    ok(&["-w", w, "import", "events", path.to_str().unwrap()]);

    let steps = "home,product,cart,paid";
    let csv = ok(&[
        "-w", w, "funnel", "--steps", steps, "--window", "1h", "-f", "csv",
    ]);
    assert_eq!(column(&csv, "units"), ["7", "6", "3", "2"]);
    assert_eq!(column(&csv, "median_secs")[3], "900.0");
    let csv = ok(&[
        "-w", w, "funnel", "--steps", steps, "--window", "60m", "--order", "strict", "-f", "csv",
    ]);
    assert_eq!(column(&csv, "units"), ["7", "6", "2", "1"]);
    let csv = ok(&[
        "-w", w, "funnel", "--steps", steps, "--window", "1h", "--per", "session", "-f", "csv",
    ]);
    assert_eq!(column(&csv, "units"), ["8", "7", "3", "2"]);
    // Two ranges side by side: the whole day, and first steps from 09:30 to 11:00 only… by day,
    // so the same day twice here.
    let csv = ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        steps,
        "--window",
        "1h",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-02",
        "--compare",
        "2026-03-03..2026-03-09",
        "-f",
        "csv",
    ]);
    assert_eq!(
        column(&csv, "units"),
        ["7", "6", "3", "2", "0", "0", "0", "0"]
    );

    // Who dropped at the cart, to a file.
    let list = dir.path().join("dropped.csv");
    let text = ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        steps,
        "--window",
        "1h",
        "--dropped-at",
        "3",
        "-o",
        list.to_str().unwrap(),
    ]);
    assert!(
        text.contains("2 customers reached product and not cart"),
        "{text}"
    );
    let file = std::fs::read_to_string(&list).unwrap();
    assert_eq!(
        file.trim_start_matches('\u{feff}')
            .lines()
            .collect::<Vec<_>>(),
        ["customer_id", "D", "F"]
    );

    // Paths, and the same analyses through SQL.
    let csv = ok(&["-w", w, "paths", "--around", "cart", "-f", "csv"]);
    assert_eq!(
        column(&csv, "step"),
        ["product", "add_to_cart", "(end)", "paid"]
    );
    let sql = query(
        &ws,
        "SELECT step, units FROM funnel('home,product,cart,paid', '1h') ORDER BY step_no",
    );
    assert_eq!(column(&sql, "units"), ["7", "6", "3", "2"]);
    let sql = query(
        &ws,
        "SELECT count FROM paths('cart') WHERE direction = 'previous' ORDER BY count DESC",
    );
    assert_eq!(column(&sql, "count"), ["3", "1"]);

    // Mistakes are named.
    let e = user_error(&["-w", w, "funnel", "--steps", "home page,cart"]);
    assert!(e.contains("`home page`"), "{e}");
    let e = user_error(&["-w", w, "funnel", "--window", "0"]);
    assert!(e.contains("`0`"), "{e}");
    let e = user_error(&["-w", w, "funnel", "--by", "colour"]);
    assert!(e.contains("breakdown `colour`"), "{e}");
    let e = user_error(&["-w", w, "funnel", "-o", "out.pdf"]);
    assert!(e.contains(".csv, .xlsx or .json"), "{e}");
    let e = user_error(&["-w", w, "query", "SELECT * FROM funnel('home', '1d')"]);
    assert!(e.contains("2 to 32 steps"), "{e}");
    let e = user_error(&["-w", w, "retention"]);
    assert!(e.contains("no paid orders"), "{e}");
}

#[test]
fn retention_and_channels_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let orders = dir.path().join("orders.csv");
    // A: January (app), again in February and April; B: January twice; C: February and May.
    std::fs::write(
        &orders,
        "order_id,customer_id,ordered_at,paid_amount,channel
A1,A,2026-01-05 10:00,100,app
A2,A,2026-02-10 10:00,300,app
A3,A,2026-04-01 10:00,100,app
B1,B,2026-01-20 10:00,100,live_stream
B2,B,2026-01-25 10:00,100,live_stream
C1,C,2026-02-03 10:00,200,app
C2,C,2026-05-01 10:00,200,app
",
    )
    .unwrap();
    ok(&["-w", w, "import", "orders", orders.to_str().unwrap()]);
    let csv = ok(&["-w", w, "retention", "--counts", "-f", "csv"]);
    let triangle: Vec<&str> = csv.lines().take(3).collect();
    assert_eq!(
        triangle,
        [
            "cohort,customers,m0,m1,m2,m3,m4",
            "2026-01,2,2,1,0,1,0",
            "2026-02,1,1,0,0,1,",
        ]
    );
    let json = dir.path().join("r.json");
    ok(&["-w", w, "retention", "-o", json.to_str().unwrap()]);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["cohorts"][0]["customers"], 2);
    let csv = ok(&["-w", w, "channels", "-f", "csv"]);
    // app: A and C, 5 orders, ¥900; live stream: B, 2 orders, ¥200.
    assert_eq!(column(&csv, "channel")[..2], ["app", "live_stream"]);
    assert_eq!(column(&csv, "orders")[..2], ["5", "2"]);
    let sql = query(&ws, "SELECT revenue FROM channels() WHERE channel = 'app'");
    assert_eq!(column(&sql, "revenue"), ["900.0"]);
}

/// Issue 14: funnel steps fold like import and unknown ones name the nearest known step; a date
/// range after the data says so; dates take slashes; a breakdown by a customer column counts
/// identified customers and says so.
#[test]
fn funnel_names_steps_dates_and_denominators() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, events()).unwrap();
    ok(&["-w", w, "import", "events", path.to_str().unwrap()]);
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "customer_id,province\nA,上海\nB,上海\nC,浙江\nD,浙江\nE,北京\nF,北京\n",
    )
    .unwrap();
    ok(&["-w", w, "import", "customers", customers.to_str().unwrap()]);

    let e = user_error(&["-w", w, "funnel", "--steps", "home,prodct,paid"]);
    assert!(
        e.contains("step `prodct`") && e.contains("did you mean `product`?"),
        "{e}"
    );
    let csv = ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "首页,商品详情,购物车,支付成功",
        "--window",
        "1h",
        "-f",
        "csv",
    ]);
    assert_eq!(column(&csv, "units"), ["7", "6", "3", "2"]);
    assert_eq!(column(&csv, "step"), ["home", "product", "cart", "paid"]);
    // Rates to four decimals in CSV, JSON and files (6/7 was 0.8571428571428571).
    assert_eq!(column(&csv, "from_previous")[1], "0.8571");
    let json = dir.path().join("f.json");
    ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "home,product,cart,paid",
        "--window",
        "1h",
        "-o",
        json.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(text.contains("\"from_previous\": 0.8571,"), "{text}");
    let file = dir.path().join("f.csv");
    ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "home,product,cart,paid",
        "--window",
        "1h",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&file).unwrap().contains(",0.8571,"));

    let o = crate::run(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "home,product",
        "--from",
        "2026/10/01",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let err = crate::stderr(&o);
    assert!(
        err.contains(
            "no events on or after 2026-10-01: the events run from 2026-03-02 to 2026-03-02"
        ),
        "{err}"
    );
    assert!(!crate::stdout(&o).contains("check the step names"));
    let e = user_error(&["-w", w, "funnel", "--from", "1/10/2026"]);
    assert!(e.contains("expected a date as YYYY-MM-DD"), "{e}");
    let e = user_error(&["-w", w, "funnel", "--compare", "2026/03/01..2026-02-30"]);
    assert!(e.contains("`2026-02-30`: no such day"), "{e}");

    let text = ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "home,product,cart,paid",
        "--window",
        "1h",
        "--by",
        "province",
    ]);
    assert!(
        text.contains(
            "by province: rates are out of the 6 identified customers who reached home, the only ones with a province; 1 anonymous visitor reached it too and is counted apart as (anonymous)"
        ),
        "{text}"
    );
    let csv = ok(&[
        "-w",
        w,
        "funnel",
        "--steps",
        "home,product,cart,paid",
        "--window",
        "1h",
        "--by",
        "province",
        "-f",
        "csv",
    ]);
    let groups = column(&csv, "province");
    assert_eq!(groups.first().map(String::as_str), Some("(all identified)"));
    assert_eq!(groups.last().map(String::as_str), Some("(anonymous)"));
    assert!(!groups.iter().any(|g| g == "(none)"), "{csv}");
    assert_eq!(column(&csv, "units")[..4], ["6", "5", "3", "2"]);
}
