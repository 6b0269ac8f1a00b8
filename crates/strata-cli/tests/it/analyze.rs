//! `strata analyze` and `strata report` as a user runs them: a small shop in, the customer
//! table, its exports and the report out.

use std::path::Path;

use calamine::{Reader, open_workbook_auto};

use crate::{new_workspace, ok, query, run, stderr, stdout, user_error};

fn small_shop(dir: &Path) -> std::path::PathBuf {
    let ws = new_workspace(dir);
    let customers = dir.join("customers.csv");
    std::fs::write(
        &customers,
        "客户ID,性别,省份,城市\nA,女,上海,上海\nB,男,浙江,宁波\nC,女,广东,深圳\n",
    )
    .unwrap();
    let orders = dir.join("orders.csv");
    std::fs::write(
        &orders,
        "订单号,客户ID,下单时间,实付金额,渠道,设备,订单状态\n\
         O1,A,2026-01-10 20:15,100.00,直播,iOS,交易成功\n\
         O2,A,2026-06-15 21:30,300.00,APP,iOS,交易成功\n\
         O3,A,2026-10-01 12:00,200.00,APP,Android,交易成功\n\
         O4,B,2025-03-01 10:00,50.00,平台,Android,交易成功\n\
         O5,B,2025-04-01 10:00,70.00,平台,Android,已退款\n",
    )
    .unwrap();
    let w = ws.to_str().unwrap();
    ok(&["-w", w, "import", "customers", customers.to_str().unwrap()]);
    ok(&["-w", w, "import", "orders", orders.to_str().unwrap()]);
    ws
}

#[test]
fn analyze_builds_the_customer_table_and_exports_it_for_excel() {
    let dir = tempfile::tempdir().unwrap();
    let ws = small_shop(dir.path());
    let w = ws.to_str().unwrap();
    let csv = dir.path().join("客户.csv");
    let xlsx = dir.path().join("customers.xlsx");
    let out = ok(&[
        "-w",
        w,
        "analyze",
        "--as-of",
        "2026-10-31",
        "--export",
        csv.to_str().unwrap(),
        "--export",
        xlsx.to_str().unwrap(),
    ]);
    assert!(
        out.contains("analysed 3 customers (2 with paid orders"),
        "{out}"
    );
    assert!(out.contains("wrote 3 customers to"), "{out}");

    let table = query(
        &ws,
        "SELECT customer_id, orders, refunds, CAST(monetary AS VARCHAR) AS m, lifecycle, \
         preferred_channel FROM customer_profile ORDER BY customer_id",
    );
    assert_eq!(
        table,
        "customer_id,orders,refunds,m,lifecycle,preferred_channel\n\
         A,3,0,600.00,active,app\n\
         B,1,1,50.00,churned,platform\n\
         C,0,0,0.00,prospect,\n"
    );

    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}customer_id,gender,age,province"),
        "BOM and header"
    );
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains("A,female,,上海,上海,tier1"), "{text}");

    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.worksheet_range("customers").unwrap();
    assert_eq!(sheet.height(), 4);
    assert_eq!(sheet.get((0, 0)).unwrap().to_string(), "customer_id");
    let cols: Vec<String> = (0..sheet.width())
        .map(|c| sheet.get((0, c)).unwrap().to_string())
        .collect();
    let orders_col = cols.iter().position(|c| c == "orders").unwrap();
    let row_a = (1..4)
        .find(|&r| *sheet.get((r, 0)).unwrap() == "A")
        .unwrap();
    assert_eq!(sheet.get((row_a, orders_col)).unwrap().to_string(), "3");
    let province = cols.iter().position(|c| c == "province").unwrap();
    assert_eq!(sheet.get((row_a, province)).unwrap().to_string(), "上海");
}

#[test]
fn analyze_refuses_bad_exports_and_settings_before_doing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let ws = small_shop(dir.path());
    let w = ws.to_str().unwrap();
    let e = user_error(&["-w", w, "analyze", "--export", "out.json"]);
    assert!(
        e.contains("expected a file name ending in .csv or .xlsx"),
        "{e}"
    );
    std::fs::write(
        ws.join("strata.toml"),
        "[analyze.tiers]\ndiamond = 100\ngold = 2000\nsilver = 500\n",
    )
    .unwrap();
    let e = user_error(&["-w", w, "analyze"]);
    assert!(e.contains("analyze.tiers"), "{e}");
    let e = user_error(&["-w", w, "analyze", "--as-of", "2001-01-01"]);
    assert!(
        e.contains("no orders on or before") || e.contains("analyze.tiers"),
        "{e}"
    );
}

#[test]
fn an_empty_workspace_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let e = user_error(&["-w", ws.to_str().unwrap(), "analyze"]);
    assert!(e.contains("import them first"), "{e}");
    let e = user_error(&["-w", ws.to_str().unwrap(), "report"]);
    assert!(e.contains("import them first"), "{e}");
}

#[test]
fn report_is_one_offline_file_in_either_language_and_follows_new_imports() {
    let dir = tempfile::tempdir().unwrap();
    let ws = small_shop(dir.path());
    let w = ws.to_str().unwrap();
    let zh = dir.path().join("r.html");
    let out = ok(&["-w", w, "report", "-o", zh.to_str().unwrap()]);
    assert!(out.contains("computing the customer table first"), "{out}");
    let html = std::fs::read_to_string(&zh).unwrap();
    assert!(html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("lang=\"zh-CN\""));
    for needle in [
        "客户洞察报告",
        "概览",
        "客户价值与分层",
        "方法说明",
        "重要价值",
        "<svg",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    let outside = html
        .replace("http://www.w3.org/2000/svg", "")
        .replace("http://www.w3.org/1999/xlink", "");
    assert!(!outside.contains("http://") && !outside.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link"));
    // Two buyers: the top 20% (one buyer, A with 600 of 650) bring 92.3%.
    assert!(html.contains("92.3%"), "concentration figure");

    // Up to date: no recomputation; after a new import, it recomputes.
    let en = dir.path().join("r-en.html");
    let out = ok(&[
        "-w",
        w,
        "report",
        "--lang",
        "en",
        "-o",
        en.to_str().unwrap(),
    ]);
    assert!(!out.contains("computing"), "{out}");
    let html = std::fs::read_to_string(&en).unwrap();
    assert!(html.contains("lang=\"en\"") && html.contains("Customer insight report"));
    assert!(html.contains("Methods"));
    let more = dir.path().join("more.csv");
    std::fs::write(
        &more,
        "订单号,客户ID,下单时间,实付金额\nO9,C,2026-10-30 10:00,999.00\n",
    )
    .unwrap();
    ok(&["-w", w, "import", "orders", more.to_str().unwrap()]);
    let out = ok(&["-w", w, "report", "-o", zh.to_str().unwrap()]);
    assert!(out.contains("computing the customer table first"), "{out}");
    let c = query(
        &ws,
        "SELECT orders FROM customer_profile WHERE customer_id = 'C'",
    );
    assert_eq!(c, "orders\n1\n");
}

#[test]
fn a_workspace_folder_with_glob_characters_still_shows_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("shop[2]*?");
    std::fs::create_dir(&odd).unwrap();
    let ws = small_shop(&odd);
    assert_eq!(query(&ws, "SELECT count(*) AS n FROM orders"), "n\n5\n");
}

/// Issue 14: the analysis date is explained when defaulted, the orders counted are those up to
/// it, a date past the data is warned about (analyze and report), and dates take the forms
/// people write, with errors that name the form expected.
#[test]
fn the_analysis_date_is_explained_counted_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = small_shop(dir.path());
    let w = ws.to_str().unwrap();
    let out = ok(&["-w", w, "analyze"]);
    assert!(
        out.contains("(2 with paid orders, 5 orders) as of 2026-10-01 (the latest order day)"),
        "{out}"
    );
    // O3 (1 Oct) is after 31 July: four orders used, not five.
    let out = ok(&["-w", w, "analyze", "--as-of", "2026/07/31"]);
    assert!(
        out.contains("(2 with paid orders, 4 orders) as of 2026-07-31 (1 later order left out)"),
        "{out}"
    );
    let o = run(&["-w", w, "analyze", "--as-of", "2026-12-31"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: no orders in the 91 days before 2026-12-31 (the latest is on 2026-10-01): scores assume the shop stopped selling"
        ),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("as of 2026-12-31 in"), "{}", stdout(&o));
    // The report warns too, from the stored table as much as from a fresh one.
    for args in [&["report", "--as-of", "2026-12-31"][..], &["report"][..]] {
        let o = run(&[&["-w", w][..], args].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("no orders in the 91 days before 2026-12-31"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let e = user_error(&["-w", w, "analyze", "--as-of", "2026-13-01"]);
    assert!(
        e.contains("`2026-13-01`: no such day") && e.contains("YYYY-MM-DD"),
        "{e}"
    );
    let e = user_error(&["-w", w, "analyze", "--as-of", "31/12/2026"]);
    assert!(e.contains("expected a date as YYYY-MM-DD"), "{e}");
}
