//! The way back from a bad import: history, undo, targeted deletes.

use crate::{new_workspace, ok, query, user_error};

const ORDERS: &str = "order_id,customer_id,order_time,paid_amount,status\n\
                      A1,C1,2026-09-01,100,paid\n\
                      A2,C1,2026-09-15,50,paid\n\
                      A3,C2,2026-10-01,80,cancelled\n";

fn count(ws: &std::path::Path, sql: &str) -> String {
    query(ws, sql)
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn undo_takes_back_a_bad_import_and_can_itself_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, ORDERS).unwrap();
    ok(&["--workspace", w, "import", "orders", good.to_str().unwrap()]);
    ok(&["--workspace", w, "analyze", "--as-of", "2026-10-31"]);
    // A wrong export lands on top: new orders and changed amounts.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "order_id,customer_id,order_time,paid_amount\nA1,C1,2026-09-01,999\nB1,C9,2026-10-02,5\n",
    )
    .unwrap();
    ok(&["--workspace", w, "import", "orders", bad.to_str().unwrap()]);
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "4");

    let h = ok(&["--workspace", w, "history"]);
    let lines: Vec<&str> = h.lines().collect();
    assert!(lines[0].starts_with("* #3"), "{h}");
    assert!(
        lines[0].contains("import") && lines[0].contains("bad.csv"),
        "{h}"
    );
    assert!(
        lines[1].starts_with("↩ #2") && lines[1].contains("analyze"),
        "{h}"
    );

    let out = ok(&["--workspace", w, "undo"]);
    assert!(out.contains("back to generation 2"), "{out}");
    assert!(out.contains("undone: #3 import orders"), "{out}");
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "3");
    assert_eq!(
        count(
            &ws,
            "SELECT CAST(paid_amount AS VARCHAR) FROM orders WHERE order_id = 'A1'"
        ),
        "100.00"
    );
    // The customer table computed before the bad import is current again.
    let report = dir.path().join("r.html");
    let out = ok(&[
        "--workspace",
        w,
        "report",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(!out.contains("computing the customer table first"), "{out}");
    let h = ok(&["--workspace", w, "history"]);
    assert!(h.contains("(undone)"), "{h}");

    // Undo the undo: the bad import is back.
    ok(&["--workspace", w, "undo", "--to", "3"]);
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "4");
}

#[test]
fn undo_refuses_what_it_cannot_reach() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let e = user_error(&["--workspace", w, "undo"]);
    assert!(e.contains("nothing to undo"), "{e}");
    std::fs::write(ws.join("strata.toml"), "[history]\nkeep = 1\n").unwrap();
    let f = dir.path().join("o.csv");
    for i in 0..3 {
        std::fs::write(
            &f,
            format!("order_id,customer_id,order_time,paid_amount\nA{i},C1,2026-09-01,1\n"),
        )
        .unwrap();
        ok(&["--workspace", w, "import", "orders", f.to_str().unwrap()]);
    }
    let e = user_error(&["--workspace", w, "undo", "--to", "1"]);
    assert!(
        e.contains("the oldest generation undo can reach is 2"),
        "{e}"
    );
    let e = user_error(&["--workspace", w, "undo", "--to", "7"]);
    assert!(e.contains("the workspace is at generation 3"), "{e}");
    std::fs::write(ws.join("strata.toml"), "[history]\nkeep = 5000\n").unwrap();
    let e = user_error(&["--workspace", w, "undo"]);
    assert!(e.contains("[history] keep = 5000"), "{e}");
}

#[test]
fn delete_with_a_dry_run_first() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let f = dir.path().join("o.csv");
    std::fs::write(&f, ORDERS).unwrap();
    ok(&["--workspace", w, "import", "orders", f.to_str().unwrap()]);
    let cond = "status = 'cancelled' OR ordered_at < '2026-09-10'";
    let out = ok(&[
        "--workspace",
        w,
        "delete",
        "orders",
        "--where",
        cond,
        "--dry-run",
    ]);
    assert!(
        out.contains("2 of 3 rows match; nothing deleted (dry run)"),
        "{out}"
    );
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "3");
    let out = ok(&["--workspace", w, "delete", "orders", "--where", cond]);
    assert!(out.contains("deleted 2 of 3 rows (generation 2"), "{out}");
    assert_eq!(count(&ws, "SELECT order_id FROM orders"), "A2");
    let h = ok(&["--workspace", w, "history"]);
    assert!(
        h.contains("delete   orders  where status = 'cancelled'"),
        "{h}"
    );
    let out = ok(&[
        "--workspace",
        w,
        "delete",
        "orders",
        "--where",
        "paid_amount > 1000",
    ]);
    assert!(out.contains("no rows match"), "{out}");
    ok(&["--workspace", w, "undo"]);
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "3");

    // Bad conditions say what is wrong and where.
    let e = user_error(&[
        "--workspace",
        w,
        "delete",
        "orders",
        "--where",
        "colour = 'red'",
    ]);
    assert!(
        e.contains("delete from orders where `colour = 'red'`"),
        "{e}"
    );
    assert!(e.contains("colour"), "{e}");
    let e = user_error(&[
        "--workspace",
        w,
        "delete",
        "orders",
        "--where",
        "paid_amount + 1",
    ]);
    assert!(
        e.contains("expected a condition that is true or false"),
        "{e}"
    );
    let e = user_error(&["--workspace", w, "delete", "orders", "--where", " "]);
    assert!(e.contains("--where true"), "{e}");
    let e = user_error(&[
        "--workspace",
        w,
        "delete",
        "orders",
        "--where",
        "status = 'paid",
    ]);
    assert!(e.contains("delete from orders"), "{e}");
    let e = user_error(&[
        "--workspace",
        w,
        "delete",
        "customer_profile",
        "--where",
        "true",
    ]);
    assert!(e.contains("unknown table `customer_profile`"), "{e}");
    assert_eq!(count(&ws, "SELECT count(*) AS n FROM orders"), "3");
}
