//! `strata churn` as a user runs it: train on the demo shop and on CDNOW, score, export the
//! win-back list, see the scores in the customer table and the report.

use std::path::Path;

use calamine::{Reader, open_workbook_auto};
use serde_json::Value;

use crate::{new_workspace, ok, query, run, stderr, stdout, user_error};

fn auc(eval: &Value, name: &str) -> f64 {
    eval["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {eval}"))["summary"]["roc_auc"]
        .as_f64()
        .unwrap()
}

#[test]
fn the_demo_shop_trains_a_model_that_beats_recency_and_scores_customers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    // The demo trains the model itself (strata churn train), then analyses and reports.
    let text = ok(&[
        "demo",
        "--customers",
        "3000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(text.contains("trained churn-"), "{text}");
    let ws = out.join("workspace");
    let w = ws.to_str().unwrap();

    // The quality bar: evaluated on a later cutoff than any it trained on.
    let eval: Value = serde_json::from_str(&ok(&["-w", w, "churn", "evaluate", "--json"])).unwrap();
    let (gbt, recency) = (auc(&eval, "gbt"), auc(&eval, "recency"));
    assert!(gbt >= 0.80, "ROC AUC {gbt}");
    assert!(gbt > recency + 0.02, "trees {gbt} vs recency {recency}");
    assert!(auc(&eval, "logistic") > 0.7);
    // Tiers: the high tier churns more than the medium, the medium more than the low.
    let tiers = eval["tiers"].as_array().unwrap();
    let rate = |i: usize| tiers[i]["churn_rate"].as_f64().unwrap();
    assert!(rate(0) > rate(1) && rate(1) > rate(2), "{tiers:?}");

    // The customer table carries the scores, tiers, reasons and signals.
    let counts = query(
        &ws,
        "SELECT count(churn_risk), count(*) FILTER (WHERE risk_tier = 'high'),
                count(*) FILTER (WHERE churn_risk < 0 OR churn_risk > 1),
                count(*) FILTER (WHERE churn_risk IS NOT NULL AND churn_reasons IS NULL),
                count(*) FILTER (WHERE signal_no_login)
         FROM customer_profile",
    );
    let row: Vec<i64> = counts
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(row[0] > 1000 && row[1] > 0, "{counts}");
    assert_eq!(row[2], 0, "probabilities stay in [0, 1]");
    assert_eq!(row[3], 0, "every score comes with reasons");
    assert!(row[4] > 0);

    // Scoring is reproducible, and the list goes to CSV and XLSX.
    let csv = dir.path().join("winback.csv");
    let xlsx = dir.path().join("winback.xlsx");
    let first = ok(&[
        "-w",
        w,
        "churn",
        "score",
        "--export",
        csv.to_str().unwrap(),
        "--export",
        xlsx.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(first.contains("win-back list:"), "{first}");
    // A call list: customers who did not agree to marketing contact are left off, and counted.
    assert!(
        first.contains("customers left off: no marketing consent"),
        "{first}"
    );
    let a = std::fs::read(&csv).unwrap();
    ok(&[
        "-w",
        w,
        "churn",
        "score",
        "--export",
        csv.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(
        a,
        std::fs::read(&csv).unwrap(),
        "scoring twice gives the same list"
    );
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    let header = text.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert!(
        header.starts_with(
            "rank,customer_id,name,phone,marketing_consent,risk_tier,churn_risk,value_if_retained"
        ),
        "{header}"
    );
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let cols: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let rows = &cols;
    assert!(!rows.is_empty());
    // Ordered by expected value saved, and the cumulative cost adds up.
    let at = |name: &str| h.iter().position(|x| x == name).unwrap();
    let saved: Vec<f64> = cols
        .iter()
        .map(|c| c[at("expected_saved")].parse().unwrap())
        .collect();
    assert!(saved.windows(2).all(|w| w[0] >= w[1]));
    let cost: f64 = cols
        .iter()
        .map(|c| c[at("contact_cost")].parse::<f64>().unwrap())
        .sum();
    let last: f64 = cols.last().unwrap()[at("cumulative_cost")].parse().unwrap();
    assert!((cost - last).abs() < 1e-6 * cost.max(1.0));
    // Each row has the name and the phone, masked, and everyone on it agreed to be contacted.
    let phone = regex::Regex::new(r"^\d{3}\*{4}\d{4}$").unwrap();
    for c in &cols {
        assert!(!c[at("name")].is_empty(), "{c:?}");
        assert!(phone.is_match(&c[at("phone")]), "{c:?}");
        assert_eq!(c[at("marketing_consent")], "yes", "{c:?}");
    }
    let refused = query(
        &ws,
        "SELECT customer_id FROM customers WHERE marketing_consent = false",
    );
    let refused: std::collections::HashSet<&str> = refused.lines().skip(1).collect();
    assert!(refused.len() > 10, "the demo has customers who said no");
    assert!(
        cols.iter()
            .all(|c| !refused.contains(c[at("customer_id")].as_str())),
        "no one who said no is on the list"
    );
    // Headers in the report's language: Chinese by default.
    let zh = dir.path().join("挽回名单.csv");
    ok(&["-w", w, "churn", "score", "--export", zh.to_str().unwrap()]);
    let text = std::fs::read_to_string(&zh).unwrap();
    assert!(
        text.starts_with("\u{feff}排名,客户ID,姓名,手机号,营销授权,风险等级,流失概率"),
        "{}",
        text.lines().next().unwrap()
    );
    assert!(text.lines().nth(1).unwrap().contains(",是,"), "{text:.300}");
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.worksheet_range("winback").unwrap();
    assert_eq!(sheet.height(), rows.len() + 1);

    // A budget cuts the list; the report has the chapter in both languages.
    let cut = ok(&["-w", w, "churn", "score", "--budget", "10", "--top", "0"]);
    assert!(cut.contains("left off by the budget"), "{cut}");
    // Issue 14: the date is explained, the tiers too, and a date past the data is warned about.
    assert!(cut.contains("(the latest order day)"), "{cut}");
    assert!(
        cut.contains("risk tiers: high from churn_risk")
            && cut.contains("not a probability each of them exceeds"),
        "{cut}"
    );
    let late = run(&[
        "-w",
        w,
        "churn",
        "score",
        "--as-of",
        "2027/04/30",
        "--top",
        "0",
    ]);
    assert_eq!(late.status.code(), Some(0), "{}", stderr(&late));
    assert!(
        stderr(&late).contains(
            "warning: no orders in the 181 days before 2027-04-30 (the latest is on 2026-10-31): scores assume the shop stopped selling"
        ),
        "{}",
        stderr(&late)
    );
    assert!(
        stdout(&late).contains("customers as of 2027-04-30 with"),
        "{}",
        stdout(&late)
    );
    let html = std::fs::read_to_string(out.join("report-en.html")).unwrap();
    assert!(html.contains("Churn early warning") && html.contains("Customers to win back first"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("流失预警") && html.contains("挽回方案与预算"));

    // With no orders after the evaluation, `evaluate` is the honest one, no caveat; at a cutoff
    // whose outcomes the model learnt from, it says the figures are in-sample.
    assert!(eval.get("caveat").is_none(), "{}", eval["caveat"]);
    let models = ws.join("models/churn");
    let version = std::fs::read_to_string(models.join("current")).unwrap();
    let model: Value =
        serde_json::from_slice(&std::fs::read(models.join(format!("{version}.json"))).unwrap())
            .unwrap();
    let trained_at = model["training"]["cutoff"].as_str().unwrap();
    let text = ok(&["-w", w, "churn", "evaluate", "--cutoff", trained_at]);
    assert!(text.contains("note: in-sample"), "{text}");

    // Other customer-table settings than the model's: the scores are matched by customer.
    let risks =
        "SELECT customer_id, churn_risk, risk_tier FROM customer_profile ORDER BY customer_id";
    let before = query(&ws, risks);
    let toml = ws.join("strata.toml");
    let settings = std::fs::read_to_string(&toml).unwrap();
    assert!(settings.contains("method = \"quantile\""));
    std::fs::write(
        &toml,
        settings.replace("method = \"quantile\"", "method = \"fixed\""),
    )
    .unwrap();
    ok(&["-w", w, "analyze"]);
    assert_eq!(before, query(&ws, risks));

    // A damaged model does not stop the customer table or the report: a warning, no churn columns.
    std::fs::write(models.join(format!("{version}.json")), "{\"format\": 1}").unwrap();
    let o = run(&["-w", w, "analyze"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:"), "{}", stderr(&o));
    // The demo's segment on risk tiers cannot be evaluated without them: it is skipped and
    // said, and the others are refreshed.
    assert!(
        stderr(&o).contains("warning: segment 高价值流失预警 was not refreshed")
            && stderr(&o).contains("unknown column `risk_tier`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("refreshed 3 segments"),
        "{}",
        stdout(&o)
    );
    let e = user_error(&["-w", w, "query", "SELECT churn_risk FROM customer_profile"]);
    assert!(e.contains("churn_risk"), "{e}");
    assert_eq!(
        query(&ws, "SELECT count(*) FROM customer_profile")
            .lines()
            .count(),
        2
    );
    let o = run(&[
        "-w",
        w,
        "report",
        "--lang",
        "en",
        "-o",
        dir.path().join("r.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// CDNOW_master.txt as an orders CSV (one order per line; the data has no order numbers).
fn cdnow_orders(dir: &Path) -> std::path::PathBuf {
    let src = crate::manifest_dir().join("../strata-models/testdata/CDNOW_master.txt");
    let text = std::fs::read_to_string(src).unwrap();
    let mut csv = String::from("order_id,customer_id,ordered_at,paid_amount\n");
    for (i, line) in text.lines().enumerate() {
        let p: Vec<&str> = line.split_whitespace().collect();
        let d = p[1];
        if !d.bytes().all(|b| b.is_ascii_digit()) {
            continue; // the header line
        }
        csv.push_str(&format!(
            "{i},{},{}-{}-{},{}\n",
            p[0],
            &d[..4],
            &d[4..6],
            &d[6..],
            p[3]
        ));
    }
    let path = dir.join("cdnow.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn on_cdnow_the_model_beats_recency_and_p_alive() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    ok(&[
        "-w",
        w,
        "import",
        "orders",
        cdnow_orders(dir.path()).to_str().unwrap(),
    ]);
    // The papers' split: calibration to 1997-09-30, churned = no purchase in the next 39 weeks
    // (to 1998-06-30). Two horizons do not fit in 78 weeks, so customers are split in folds.
    let eval: Value = serde_json::from_str(&ok(&[
        "-w",
        w,
        "churn",
        "train",
        "--split",
        "customers",
        "--cutoff",
        "1997-09-30",
        "--horizon",
        "39w",
        "--json",
    ]))
    .unwrap();
    assert_eq!(eval["window"]["customers"], 23_570);
    assert_eq!(eval["window"]["horizon_days"], 273);
    let (gbt, recency, alive) = (
        auc(&eval, "gbt"),
        auc(&eval, "recency"),
        auc(&eval, "p_alive"),
    );
    assert!(
        gbt > recency && gbt > alive,
        "trees {gbt}, recency {recency}, 1 − P(alive) {alive}"
    );
    assert!(gbt > 0.76, "{gbt}");

    // No orders after 1998-06-30: `evaluate` shows the held-out folds' evaluation kept with the
    // model rather than score the customers it was fitted on.
    let again: Value =
        serde_json::from_str(&ok(&["-w", w, "churn", "evaluate", "--json"])).unwrap();
    assert!(
        again["caveat"]
            .as_str()
            .unwrap()
            .contains("kept with the model"),
        "{}",
        again["caveat"]
    );
    assert_eq!(auc(&again, "gbt"), gbt);
}

#[test]
fn churn_commands_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = new_workspace(dir.path());
    let w = ws.to_str().unwrap();
    let e = user_error(&["-w", w, "churn", "score"]);
    assert!(e.contains("strata churn train"), "{e}");
    let e = user_error(&["-w", w, "churn", "train"]);
    assert!(e.contains("no orders"), "{e}");
    let e = user_error(&["-w", w, "churn", "train", "--horizon", "3m"]);
    assert!(e.contains("`3m`"), "{e}");
    let orders = dir.path().join("o.csv");
    std::fs::write(
        &orders,
        "order_id,customer_id,ordered_at,paid_amount\n1,A,2026-01-01,10\n2,B,2026-03-01,10\n",
    )
    .unwrap();
    ok(&["-w", w, "import", "orders", orders.to_str().unwrap()]);
    // Two months of orders hold neither two 90-day horizons nor one.
    let e = user_error(&["-w", w, "churn", "train"]);
    assert!(e.contains("horizon"), "{e}");
    let e = user_error(&["-w", w, "churn", "score", "--export", "list.pdf"]);
    assert!(e.contains(".csv or .xlsx"), "{e}");
    // A broken model file is reported, not a crash.
    let models = ws.join("models/churn");
    std::fs::create_dir_all(&models).unwrap();
    std::fs::write(models.join("current"), "churn-x").unwrap();
    std::fs::write(
        models.join("churn-x.json"),
        "{\"format\": 1, \"version\": 3}",
    )
    .unwrap();
    let o = run(&["-w", w, "churn", "score"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("train the model again"),
        "{}",
        stderr(&o)
    );
}
