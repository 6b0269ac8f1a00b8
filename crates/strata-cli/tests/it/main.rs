//! End-to-end tests of the `strata` binary, as a new user meets it.

mod analyze;
mod behaviour;
mod churn;
mod clv;
mod golden;
mod history;
mod import;
mod query;
mod segment;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use strata_testkit::manifest_dir;

pub fn strata() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_strata"));
    c.env_remove("STRATA_WORKSPACE").env("STRATA_QUIET", "1");
    c
}

pub fn run(args: &[&str]) -> Output {
    strata().args(args).output().expect("strata runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs strata and insists it succeeds; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "strata {args:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Runs strata and insists it fails as a user error (exit 1); returns stderr.
pub fn user_error(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "strata {args:?}:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stderr(&o)
}

pub fn new_workspace(dir: &Path) -> PathBuf {
    let ws = dir.join("ws");
    ok(&["init", ws.to_str().unwrap()]);
    ws
}

/// Writes `text` to `dir/name` and imports it into `table` of `ws`.
pub fn import_text(ws: &Path, dir: &Path, table: &str, name: &str, text: &str) {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    ok(&[
        "-w",
        ws.to_str().unwrap(),
        "import",
        table,
        f.to_str().unwrap(),
    ]);
}

/// Runs a query and returns its CSV output.
pub fn query(ws: &Path, sql: &str) -> String {
    ok(&[
        "--workspace",
        ws.to_str().unwrap(),
        "query",
        "--format",
        "csv",
        sql,
    ])
}

#[test]
fn data_model_doc_is_generated_from_the_schema() {
    let generated = ok(&["schema", "--markdown"]);
    strata_testkit::snapshot::check(
        &manifest_dir().join("../../docs/data-model.md"),
        &generated,
        "STRATA_BLESS=1 cargo test -p strata-cli data_model_doc",
    );
}

#[test]
fn demo_runs_end_to_end_and_imports_every_generated_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let text = ok(&["demo", "--customers", "300", "--out", out.to_str().unwrap()]);
    assert!(text.contains("what was loaded"), "{text}");
    for table in ["customers", "orders", "order_items", "events", "reviews"] {
        assert!(text.contains(&format!("{table}: ")), "{text}");
    }
    assert!(
        !text.contains("all rejected rows"),
        "the demo data must import cleanly:\n{text}"
    );
    assert!(text.contains("analysed 300 customers"), "{text}");
    for report in ["report.html", "report-en.html"] {
        let html = std::fs::read_to_string(out.join(report)).unwrap();
        assert!(html.contains("<svg") && html.len() > 50_000, "{report}");
    }
    assert!(text.contains("open the report"), "{text}");
    let ws = out.join("workspace");
    assert_eq!(
        query(&ws, "SELECT count(*) n FROM customer_profile"),
        "n\n300\n"
    );
    let counts = query(
        &ws,
        "SELECT (SELECT count(*) FROM customers) c, (SELECT count(DISTINCT customer_id) FROM orders) b",
    );
    assert_eq!(
        counts.lines().nth(1).unwrap().split(',').next().unwrap(),
        "300",
        "{counts}"
    );
    // Running the demo again replaces its own folder.
    ok(&["demo", "--customers", "50", "--out", out.to_str().unwrap()]);
    assert_eq!(
        query(&ws, "SELECT count(*) n FROM customers")
            .lines()
            .nth(1),
        Some("50")
    );
}

#[test]
fn demo_will_not_overwrite_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    let e = user_error(&[
        "demo",
        "--customers",
        "10",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(e.contains("was not made by `strata demo`"), "{e}");
    assert!(dir.path().join("precious.txt").exists());
}

#[test]
fn user_errors_say_what_to_do_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let e = user_error(&[
        "--workspace",
        missing.to_str().unwrap(),
        "query",
        "SELECT 1",
    ]);
    assert!(
        e.contains("no strata workspace") && e.contains("strata init"),
        "{e}"
    );

    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let e = user_error(&["-w", w, "import", "shipments", "x.csv"]);
    assert!(e.contains("unknown table `shipments`"), "{e}");
    let e = user_error(&[
        "-w",
        w,
        "import",
        "orders",
        dir.path().join("missing.csv").to_str().unwrap(),
    ]);
    assert!(
        e.contains("missing.csv") && e.contains("No such file"),
        "{e}"
    );
    let e = user_error(&["-w", w, "query", "SELECT nope FROM orders"]);
    assert!(e.contains("nope"), "{e}");
    let e = user_error(&["-w", w, "import", "orders", "x.csv", "--map", "order_id"]);
    assert!(e.contains("expected COLUMN=HEADER"), "{e}");
    let e = user_error(&[
        "-w",
        w,
        "import",
        "orders",
        "x.csv",
        "--timezone",
        "Mars/Base",
    ]);
    assert!(e.contains("unknown time zone `Mars/Base`"), "{e}");
    let e = user_error(&["init", w]);
    assert!(e.contains("already holds a strata workspace"), "{e}");
}

#[test]
fn query_prints_tables_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let t = ok(&["-w", w, "query", "SELECT 1 AS one, 'a' AS letter"]);
    assert!(t.contains("| one | letter |"), "{t}");
    let j = ok(&["-w", w, "query", "-f", "jsonl", "SELECT 1 AS one"]);
    assert_eq!(j.trim(), r#"{"one":1}"#);
    let j = ok(&[
        "-w",
        w,
        "query",
        "-f",
        "json",
        "SELECT count(*) AS n FROM orders",
    ]);
    assert_eq!(j.trim(), r#"[{"n":0}]"#);
}

/// Issue 14: a query failing on its own values (an invalid date, a bad cast, a division by
/// zero) exited 2 with the optimiser's wrapper; it is the user's to fix. A filter with a
/// spelling import folds away gets a note saying what is stored.
#[test]
fn sql_mistakes_in_values_exit_1_and_folded_spellings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    for (sql, says) in [
        (
            "SELECT DATE '2026-13-01'",
            "cannot cast string '2026-13-01'",
        ),
        ("SELECT CAST('abc' AS INT)", "cannot cast string 'abc'"),
        ("SELECT 1/0", "division by zero"),
        (
            "SELECT count(*) FROM orders WHERE ordered_at > '2026-13-01'",
            "dates are written '2026-10-01'",
        ),
    ] {
        let e = user_error(&["-w", w, "query", sql]);
        assert!(
            e.starts_with("error: in the query: ") && e.contains(says),
            "{sql}: {e}"
        );
        assert!(!e.contains("Optimizer rule"), "{e}");
    }
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "订单号,客户ID,下单时间,实付金额,订单状态\nO1,A,2026-01-10 20:15,100.00,交易成功\n",
    )
    .unwrap();
    ok(&["-w", w, "import", "orders", orders.to_str().unwrap()]);
    let o = run(&[
        "-w",
        w,
        "query",
        "-f",
        "csv",
        "SELECT count(*) AS n FROM orders WHERE status = '交易成功'",
    ]);
    assert_eq!(stdout(&o), "n\n0\n");
    assert!(
        stderr(&o).contains(
            "note: status = '交易成功' matches nothing: import stores '交易成功' as 'paid'"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        query(
            &ws,
            "SELECT count(*) AS n FROM orders WHERE status = 'paid'"
        ),
        "n\n1\n"
    );
}
