//! `strata query` and `strata status` as a user runs them: results to files, what the help
//! lists, and derived tables that an import left behind the data.

use std::path::Path;

use calamine::{Reader, open_workbook_auto};

use crate::{import_text, new_workspace, ok, run, stderr, stdout, user_error};

fn import_orders(ws: &Path, dir: &Path, name: &str, rows: &str) {
    let text = format!("订单号,客户ID,下单时间,实付金额,订单状态\n{rows}");
    import_text(ws, dir, "orders", name, &text);
}

#[test]
fn a_customer_table_older_than_the_data_is_named_by_status_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    import_orders(
        &ws,
        dir.path(),
        "o1.csv",
        "O1,A,2026-01-10 20:15,100.00,交易成功\nO2,B,2026-02-01 10:00,50.00,交易成功\n",
    );
    // Before any analysis: the derived table is listed as not computed, the model as none.
    let s = ok(&["-w", w, "status"]);
    assert!(
        s.contains("customer_profile") && s.contains("not computed yet; run `strata analyze`"),
        "{s}"
    );
    assert!(s.contains("none trained; run `strata churn train`"), "{s}");

    ok(&["-w", w, "analyze"]);
    let s = ok(&["-w", w, "status"]);
    let line = s
        .lines()
        .find(|l| l.starts_with("customer_profile"))
        .unwrap_or_else(|| panic!("no customer_profile in\n{s}"));
    assert!(line.ends_with("current"), "{line}");
    let sql = "SELECT count(*) AS n FROM customer_profile";
    let o = run(&["-w", w, "query", sql]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "a current table gives no warning");

    // New orders: the customer table still holds the old values, and says so.
    import_orders(
        &ws,
        dir.path(),
        "o2.csv",
        "O3,C,2026-03-01 09:00,80.00,交易成功\n",
    );
    let o = run(&["-w", w, "query", "-f", "csv", sql]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\n2\n", "the query still runs");
    let e = stderr(&o);
    assert!(
        e.contains("warning: customer_profile is out of date (data was imported after it was computed); `strata analyze` refreshes it"),
        "{e}"
    );
    // Through a subquery too; a query of the canonical tables alone gives no warning.
    let o = run(&[
        "-w",
        w,
        "query",
        "SELECT count(*) FROM orders WHERE customer_id IN (SELECT customer_id FROM customer_profile)",
    ]);
    assert!(stderr(&o).contains("customer_profile is out of date"));
    let o = run(&["-w", w, "query", "SELECT count(*) FROM orders"]);
    assert_eq!(stderr(&o), "");
    // A table function broken down by a customer-table column reads it too; by an order
    // column it does not.
    let o = run(&[
        "-w",
        w,
        "query",
        "SELECT * FROM retention('month', 'purchase', 'segment')",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("customer_profile is out of date"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "-w",
        w,
        "query",
        "SELECT * FROM retention('month', 'purchase', 'channel')",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let s = ok(&["-w", w, "status"]);
    assert!(
        s.contains("out of date: data was imported after it was computed; run `strata analyze`"),
        "{s}"
    );

    ok(&["-w", w, "analyze"]);
    let o = run(&["-w", w, "query", sql]);
    assert_eq!(stderr(&o), "");
}

#[test]
fn query_writes_csv_xlsx_and_parquet_files() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let sql = "SELECT '张三' AS 客户, 1299.5 AS 金额";
    let csv = dir.path().join("结果.csv");
    let out = ok(&["-w", w, "query", "-o", csv.to_str().unwrap(), sql]);
    assert!(out.contains("wrote 1 rows to"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "\u{feff}客户,金额\n张三,1299.5\n",
        "UTF-8 with a BOM, as every export"
    );
    let xlsx = dir.path().join("r.xlsx");
    ok(&["-w", w, "query", "--out", xlsx.to_str().unwrap(), sql]);
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.worksheet_range("query").unwrap();
    assert_eq!(sheet.get_value((1, 0)).unwrap().to_string(), "张三");
    let pq = dir.path().join("r.parquet");
    ok(&["-w", w, "query", "-o", pq.to_str().unwrap(), sql]);
    let bytes = std::fs::read(&pq).unwrap();
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));

    let json = dir.path().join("r.json");
    let e = user_error(&["-w", w, "query", "-o", json.to_str().unwrap(), sql]);
    assert!(
        e.contains("expected a file name ending in .csv, .xlsx or .parquet"),
        "{e}"
    );
    assert!(!json.exists());
    let e = user_error(&["-w", w, "query", "-f", "csv", "-o", "x.csv", sql]);
    assert!(e.contains("--out"), "{e}");
}

#[test]
fn query_help_lists_the_derived_tables_and_table_functions() {
    let help = ok(&["query", "--help"]);
    for name in [
        "customers",
        "order_items",
        "customer_profile",
        "`strata analyze`",
        "funnel(steps",
        "retention(",
        "paths(around",
        "channels()",
        "page_speed()",
        "behaviour_drivers()",
    ] {
        assert!(help.contains(name), "{name} missing from:\n{help}");
    }
}
