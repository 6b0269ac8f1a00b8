//! `strata clv` on CDNOW, against the published values (../shared/data/cdnow/REFERENCE.md).

use std::path::{Path, PathBuf};

use crate::{ok, user_error};

/// `strata clv summarize --transactions FILE` with the `rest` of the arguments; its stdout.
fn summarize(file: impl AsRef<Path>, rest: &[&str]) -> String {
    ok(&summarize_args(file.as_ref(), rest))
}

/// The same, insisting on a user error; its stderr.
fn summarize_error(file: impl AsRef<Path>, rest: &[&str]) -> String {
    user_error(&summarize_args(file.as_ref(), rest))
}

fn summarize_args<'a>(file: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["clv", "summarize", "--transactions", file.to_str().unwrap()];
    args.extend_from_slice(rest);
    args
}

fn testdata(name: &str) -> PathBuf {
    crate::manifest_dir()
        .join("../strata-models/testdata")
        .join(name)
}

fn field(line: &str, name: &str) -> f64 {
    let at = line
        .find(name)
        .unwrap_or_else(|| panic!("{name} in {line}"))
        + name.len();
    line[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn summarize_reproduces_the_published_cdnow_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("summary.csv");
    summarize(
        testdata("CDNOW_sample.txt"),
        &[
            "--customer",
            "2",
            "--date",
            "3",
            "--amount",
            "5",
            "--period",
            "day",
            "--unit-days",
            "7",
            "--end",
            "1998-06-30",
            "--calibration-end",
            "1997-09-30",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let ours = std::fs::read_to_string(&out).unwrap();
    let published = std::fs::read_to_string(testdata("cdnow_customers_summary.csv")).unwrap();
    let ours: Vec<Vec<f64>> = ours
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|c| c.parse().unwrap()).collect())
        .collect();
    let published: Vec<Vec<f64>> = published
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(ours.len(), 2357);
    assert_eq!(ours.len(), published.len());
    for (a, b) in ours.iter().zip(&published) {
        for k in 0..3 {
            assert!((a[k] - b[k]).abs() <= 0.005, "{a:?} vs {b:?}");
        }
        assert_eq!(a[5], 39.0, "duration_holdout");
    }
    let repeaters = ours.iter().filter(|r| r[0] > 0.0).count();
    let repeats: f64 = ours.iter().map(|r| r[0]).sum();
    assert_eq!((repeaters, repeats), (946, 2457.0));

    // BG/NBD and Gamma-Gamma from our own summary.
    let fit = ok(&[
        "clv",
        "fit",
        "--summary",
        out.to_str().unwrap(),
        "--model",
        "bgnbd",
    ]);
    assert!(
        (field(&fit, "log-likelihood") + 9582.43).abs() < 0.01,
        "{fit}"
    );
    assert!((field(&fit, " r ") - 0.2426).abs() < 5e-4, "{fit}");
    assert!(fit.contains("converged true"), "{fit}");
    let gg = ok(&[
        "clv",
        "fit",
        "--summary",
        out.to_str().unwrap(),
        "--model",
        "gammagamma",
    ]);
    assert!(
        (field(&gg, "log-likelihood") + 4055.9177).abs() < 0.005,
        "{gg}"
    );
    assert!(
        (field(&gg, " p ") - 6.25).abs() < 0.01 && (field(&gg, " q ") - 3.74).abs() < 0.01,
        "{gg}"
    );
}

#[test]
fn fit_and_predict_on_the_published_summary() {
    let summary = testdata("cdnow_customers_summary.csv");
    let s = summary.to_str().unwrap();
    let json = ok(&["clv", "fit", "--summary", s, "--model", "pareto", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        (v["log_likelihood"].as_f64().unwrap() + 9594.976).abs() < 0.005,
        "{json}"
    );
    assert_eq!(v["converged"], true);
    assert_eq!(v["params"][0][0], "r");
    assert!((v["params"][0][1].as_f64().unwrap() - 0.55315).abs() < 1e-3);
    assert!(v["std_errors"].as_array().unwrap().len() == 4);

    let mbg = ok(&["clv", "fit", "--summary", s, "--model", "mbgnbd"]);
    assert!((field(&mbg, " r ") - 0.525).abs() < 2e-3, "{mbg}");

    let pred = ok(&[
        "clv",
        "predict",
        "--summary",
        s,
        "--model",
        "bgnbd",
        "--horizon",
        "39",
    ]);
    let first = pred.lines().nth(1).unwrap();
    // Customer 1 (x=2, t_x=30.43, T=38.86): E[X(39)] = 1.226 in the paper.
    let cells: Vec<&str> = first.split(',').collect();
    assert_eq!(cells[0], "1");
    assert!(
        (cells[2].parse::<f64>().unwrap() - 1.226).abs() < 0.002,
        "{first}"
    );
    assert_eq!(pred.lines().count(), 2358);

    let e = user_error(&[
        "clv",
        "predict",
        "--summary",
        s,
        "--model",
        "gammagamma",
        "--horizon",
        "1",
    ]);
    assert!(e.contains("needs a purchase model"), "{e}");
    let e = user_error(&["clv", "fit", "--summary", s, "--model", "gammagamma"]);
    assert!(e.contains("monetary_value"), "{e}");
}

#[test]
fn bad_transaction_files_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("tx.csv");
    std::fs::write(&f, "buyer,day,amount\nA,2026-01-01,10\nB,yesterday,5\n").unwrap();
    let e = summarize_error(&f, &["--customer", "buyer", "--date", "day"]);
    assert!(
        e.contains("line 3, column 2: `yesterday` is not a date"),
        "{e}"
    );
    let e = summarize_error(&f, &["--customer", "client", "--date", "day"]);
    assert!(
        e.contains("no customer column `client`") && e.contains("buyer, day, amount"),
        "{e}"
    );
}

#[test]
fn quoted_amounts_decimal_commas_headers_and_no_amounts() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("tx.csv");
    // A quoted amount with a thousands separator; columns given by number on a file with a
    // header row.
    std::fs::write(
        &f,
        "id,date,amount\nA,2026-01-01,\"1,299.00\"\nA,2026-01-05,\"1,000.00\"\nB,2026-01-02,5\n",
    )
    .unwrap();
    let s = summarize(
        &f,
        &[
            "--customer",
            "1",
            "--date",
            "2",
            "--amount",
            "3",
            "--end",
            "2026-01-10",
        ],
    );
    assert_eq!(
        s,
        "customer_id,frequency,recency,T,monetary_value\nA,1,4,9,1000\nB,0,0,8,0\n"
    );
    let g = dir.path().join("tx-semicolon.csv");
    std::fs::write(
        &g,
        "id;date;amount\nA;2026-01-01;12,50\nA;2026-01-03;7,25\n",
    )
    .unwrap();
    let s = summarize(
        &g,
        &[
            "--customer",
            "id",
            "--date",
            "date",
            "--amount",
            "amount",
            "--end",
            "2026-01-10",
        ],
    );
    assert!(s.ends_with("A,1,2,9,7.25\n"), "{s}");
    // Without amounts there is no monetary column, and the summary reads back.
    let out = dir.path().join("s.csv");
    summarize(
        &f,
        &[
            "--customer",
            "id",
            "--date",
            "date",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("customer_id,frequency,recency,T\n"),
        "{text}"
    );
    let o = crate::run(&[
        "clv",
        "fit",
        "--summary",
        out.to_str().unwrap(),
        "--model",
        "bgnbd",
    ]);
    let e = crate::stderr(&o);
    assert!(
        !e.contains("is not a number"),
        "the summary must read back: {e}"
    );
    assert!(crate::stdout(&o).contains("BG/NBD"));
}
