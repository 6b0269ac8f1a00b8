//! Importing real-looking shop exports through the command line.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{new_workspace, ok, query, run, stderr, strata, user_error};

/// A Taobao-style export: GBK, a report title above the header, Chinese headers and values,
/// `￥1,299.00` amounts, mixed time formats, and three broken rows.
const GBK_ORDERS: &str = "订单报表 2026年3月,,,,,,,,\n\
订单编号,买家ID,下单时间,实付金额,订单状态,支付方式,收货省份,收货城市,渠道\n\
1001,C1,2026/3/1 14:05,\"￥1,299.00\",交易成功,支付宝,广东省,深圳市,天猫\n\
1002,C2,2026-03-02 09:00:00,￥88.50,已退款,微信支付,浙江,杭州,直播\n\
1003,C1,not a date,10,交易成功,支付宝,广东,广州,APP\n\
1004,,2026-03-03 10:00,20,交易成功,支付宝,广东,广州,APP\n\
1005,C3,2026-03-04 10:00,abc,交易成功,支付宝,广东,广州,APP\n\
1006,C3,2026-03-05 10:00,12.5,待发货,花呗,北京市,北京,小程序\n\
1007,C4,46082.5,3000,交易成功,银行卡,上海,上海,私域\n";

fn write_gbk(path: &Path, text: &str) {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn gbk_export_with_chinese_headers_and_broken_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let file = dir.path().join("订单.csv");
    write_gbk(&file, GBK_ORDERS);
    let out = ok(&[
        "-w",
        ws.to_str().unwrap(),
        "import",
        "orders",
        file.to_str().unwrap(),
    ]);
    assert!(out.contains("GBK/GB18030"), "{out}");
    assert!(out.contains("skipped 1 rows above the header"), "{out}");
    assert!(
        out.contains("orders: 7 read, 4 imported, 0 updated, 0 duplicated, 3 rejected; 4 rows now"),
        "{out}"
    );

    let got = query(
        &ws,
        "SELECT order_id, customer_id, CAST(paid_amount AS VARCHAR) amount, currency, status, \
         payment_method, province, city, channel, \
         to_char(ordered_at, '%Y-%m-%dT%H:%M:%SZ') at_utc \
         FROM orders ORDER BY order_id",
    );
    assert_eq!(
        got,
        "order_id,customer_id,amount,currency,status,payment_method,province,city,channel,at_utc\n\
         1001,C1,1299.00,CNY,paid,alipay,广东,深圳,platform,2026-03-01T06:05:00Z\n\
         1002,C2,88.50,CNY,refunded,wechat_pay,浙江,杭州,live_stream,2026-03-02T01:00:00Z\n\
         1006,C3,12.50,CNY,paid,huabei,北京,北京,mini_program,2026-03-05T02:00:00Z\n\
         1007,C4,3000.00,CNY,paid,card,上海,上海,private_domain,2026-03-01T04:00:00Z\n"
    );

    // The rejects file names file, line, column, value and reason for each bad row.
    let rejects_dir = ws.join("rejects");
    let rejects_file = std::fs::read_dir(&rejects_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut r = csv::Reader::from_path(&rejects_file).unwrap();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1..4], ["5", "下单时间 (column 3)", "not a date"]);
    assert!(rows[0][4].contains("expected a date-time"), "{:?}", rows[0]);
    assert!(rows[0][0].ends_with("订单.csv"));
    assert_eq!(rows[1][1..4], ["6", "买家ID (column 2)", ""]);
    assert!(rows[1][4].contains("required"), "{:?}", rows[1]);
    assert_eq!(rows[2][1..4], ["7", "实付金额 (column 4)", "abc"]);
}

#[test]
fn reimport_changes_nothing_and_new_values_replace_old() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let file = dir.path().join("orders.csv");
    write_gbk(&file, GBK_ORDERS);
    ok(&["-w", w, "import", "orders", file.to_str().unwrap()]);
    let manifest = |ws: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(ws.join("manifest.json")).unwrap()).unwrap()
    };
    let parts_before = manifest(&ws)["tables"]["orders"].clone();

    let out = ok(&["-w", w, "import", "orders", file.to_str().unwrap()]);
    assert!(
        out.contains("7 read, 0 imported, 0 updated, 4 duplicated, 3 rejected; 4 rows now"),
        "{out}"
    );
    assert_eq!(
        manifest(&ws)["tables"]["orders"],
        parts_before,
        "a re-import rewrites nothing"
    );

    // The shop re-exports with order 1001 refunded and one new order.
    let changed = GBK_ORDERS.replace("\"￥1,299.00\",交易成功", "\"￥1,299.00\",已退款")
        + "1008,C5,2026-03-06 08:00,5,交易成功,支付宝,广东,广州,APP\n";
    write_gbk(&file, &changed);
    let out = ok(&["-w", w, "import", "orders", file.to_str().unwrap()]);
    assert!(
        out.contains("8 read, 1 imported, 1 updated, 3 duplicated, 3 rejected; 5 rows now"),
        "{out}"
    );
    assert_eq!(
        query(
            &ws,
            "SELECT order_id, status FROM orders WHERE order_id IN ('1001', '1008') ORDER BY 1"
        ),
        "order_id,status\n1001,refunded\n1008,paid\n"
    );
}

#[test]
fn import_killed_midway_leaves_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let small = dir.path().join("small.csv");
    std::fs::write(
        &small,
        "order_id,customer_id,ordered_at,paid_amount\nA1,C1,2026-01-01,10\n",
    )
    .unwrap();
    ok(&["-w", w, "import", "orders", small.to_str().unwrap()]);
    let manifest_before = std::fs::read(ws.join("manifest.json")).unwrap();

    let big = dir.path().join("big.csv");
    let mut text = String::from("order_id,customer_id,ordered_at,paid_amount,status\n");
    for i in 0..400_000 {
        text.push_str(&format!(
            "B{i},C{},2026-02-01 10:{:02}:00,{}.50,paid\n",
            i % 5000,
            i % 60,
            i % 900
        ));
    }
    std::fs::write(&big, text).unwrap();

    let mut child = strata()
        .args(["-w", w, "import", "orders", big.to_str().unwrap()])
        .spawn()
        .unwrap();
    // Wait until the import has started writing its part, then kill it without warning.
    let orders_dir = ws.join("tables/orders");
    let started = Instant::now();
    loop {
        let files = std::fs::read_dir(&orders_dir).unwrap().count();
        if files > 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never started"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(
        std::fs::read(ws.join("manifest.json")).unwrap(),
        manifest_before
    );
    assert_eq!(query(&ws, "SELECT count(*) AS n FROM orders"), "n\n1\n");

    // The next import is not blocked, cleans up, and lands everything.
    let out = ok(&["-w", w, "import", "orders", big.to_str().unwrap()]);
    assert!(out.contains("400000 imported"), "{out}");
    assert_eq!(
        query(&ws, "SELECT count(*) AS n FROM orders"),
        "n\n400001\n"
    );
    let files = std::fs::read_dir(&orders_dir).unwrap().count();
    assert_eq!(files, 2, "leftovers of the killed import are removed");
}

#[test]
fn a_file_that_cannot_be_read_fails_and_names_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let no_header = dir.path().join("x.csv");
    std::fs::write(&no_header, "a,b,c\n1,2,3\n").unwrap();
    let e = user_error(&["-w", w, "import", "orders", no_header.to_str().unwrap()]);
    assert!(e.contains("x.csv: no header row for table `orders`"), "{e}");
    assert!(e.contains("the workspace is unchanged"), "{e}");

    let missing_col = dir.path().join("y.csv");
    std::fs::write(
        &missing_col,
        "订单编号,下单时间,实付金额,客人\n1,2026-01-01,3,Z9\n",
    )
    .unwrap();
    let e = user_error(&["-w", w, "import", "orders", missing_col.to_str().unwrap()]);
    assert!(
        e.contains("no column for `orders.customer_id`") && e.contains("--map customer_id=HEADER"),
        "{e}"
    );

    // With a mapping it goes in.
    let o = run(&[
        "-w",
        w,
        "import",
        "orders",
        missing_col.to_str().unwrap(),
        "--map",
        "customer_id=客人",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let bad_xlsx = dir.path().join("z.xlsx");
    std::fs::write(&bad_xlsx, "this is not a zip").unwrap();
    let e = user_error(&["-w", w, "import", "orders", bad_xlsx.to_str().unwrap()]);
    assert!(
        e.contains("z.xlsx") && e.contains("not a readable XLSX"),
        "{e}"
    );

    let strict = dir.path().join("s.csv");
    std::fs::write(
        &strict,
        "order_id,customer_id,ordered_at,paid_amount\nS1,C1,2026-01-01,1\nS2,C1,yesterday,1\n",
    )
    .unwrap();
    let e = user_error(&[
        "-w",
        w,
        "import",
        "orders",
        strict.to_str().unwrap(),
        "--strict",
    ]);
    assert!(e.contains("1 rows rejected in a strict import"), "{e}");
    assert_eq!(
        query(
            &ws,
            "SELECT count(*) AS n FROM orders WHERE order_id LIKE 'S%'"
        ),
        "n\n0\n"
    );
}

#[test]
fn a_file_meant_for_another_table_is_refused_before_it_overwrites_anything() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let file = dir.path().join("orders.csv");
    write_gbk(&file, GBK_ORDERS);
    // An order export has a buyer id, so it could pass for a customer list; it must not.
    let e = user_error(&["-w", w, "import", "customers", file.to_str().unwrap()]);
    assert!(
        e.contains("fit table `orders`") && e.contains("strata import orders"),
        "{e}"
    );
    assert_eq!(query(&ws, "SELECT count(*) AS n FROM customers"), "n\n0\n");
    // Meant on purpose, it goes in.
    ok(&[
        "-w",
        w,
        "import",
        "customers",
        file.to_str().unwrap(),
        "--no-table-check",
    ]);

    // Events as orders: no header to check in JSON Lines, but every row fails, so nothing lands.
    let events = dir.path().join("events.jsonl");
    std::fs::write(
        &events,
        "{\"customer_id\":\"C1\",\"event_time\":\"2026-01-01\",\"event_type\":\"login\"}\n",
    )
    .unwrap();
    let e = user_error(&["-w", w, "import", "orders", events.to_str().unwrap()]);
    assert!(e.contains("every one of its 1 rows was rejected"), "{e}");
    assert_eq!(query(&ws, "SELECT count(*) AS n FROM orders"), "n\n0\n");
}
