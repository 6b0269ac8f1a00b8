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
        e.contains("1 of 2 rows cannot be read")
            && e.contains("line 3, column day (column 2): `yesterday`"),
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
            "--decimal-comma",
        ],
    );
    assert!(s.ends_with("A,1,2,9,7.25\n"), "{s}");
    // Without amounts there is no monetary column, and the summary reads back.
    let h = dir.path().join("tx-no-amounts.csv");
    std::fs::write(&h, "id,date\nA,2026-01-01\nA,2026-01-05\nB,2026-01-02\n").unwrap();
    let out = dir.path().join("s.csv");
    summarize(
        &h,
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

/// A shop's order export as the back-end writes it: GBK, a title row above the header,
/// Chinese headers and statuses, amounts with a currency sign.
const GBK_EXPORT: &str = "订单报表 2026年1月\n\
订单编号,买家ID,下单时间,实付金额,订单状态\n\
O1,张三,2026/1/1 10:00,￥100.00,交易成功\n\
O2,张三,2026/1/5 10:00,￥50.00,已退款\n\
O3,张三,2026/1/8 23:30,￥30.00,交易成功\n\
O4,李四,2026/1/2 09:00,￥20.00,交易关闭\n\
O5,李四,2026/1/3 09:00,￥20.00,交易成功\n\
O6,王五,2026/1/4 09:00,￥20.00,待付款\n";

#[test]
fn summarize_reads_a_gbk_shop_export_and_counts_paid_orders_only() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("订单报表.csv");
    let (gbk, _, bad) = encoding_rs::GBK.encode(GBK_EXPORT);
    assert!(!bad);
    std::fs::write(&f, gbk).unwrap();
    // No column flags: the headers are the ones an import recognises.
    let o = crate::run(&summarize_args(&f, &["--end", "2026-01-10"]));
    assert!(o.status.success(), "{}", crate::stderr(&o));
    // 张三: paid on 1-1 and 1-8 (the refund of 1-5 is no purchase); 李四: paid on 1-3 only (the
    // closed order is none); 王五 never paid.
    assert_eq!(
        crate::stdout(&o),
        "customer_id,frequency,recency,T,monetary_value\n张三,1,7,9,30\n李四,0,0,7,0\n"
    );
    let e = crate::stderr(&o);
    assert!(
        e.contains("3 orders that are not paid were left out (cancelled 1, pending 1, refunded 1)"),
        "{e}"
    );
}

#[test]
fn summarize_reads_an_xlsx_export() {
    let dir = tempfile::tempdir().unwrap();
    let ws = crate::new_workspace(dir.path());
    let xlsx = dir.path().join("orders.xlsx");
    // The workbook comes from `strata query -o`, as a spreadsheet a shop would keep.
    crate::ok(&[
        "-w",
        ws.to_str().unwrap(),
        "query",
        "-o",
        xlsx.to_str().unwrap(),
        "SELECT * FROM (VALUES ('A', '2026-01-01 10:00', 10.5, 'paid'), \
         ('A', '2026-01-04 10:00', 20.5, 'paid'), ('B', '2026-01-02 10:00', 8.0, 'refunded')) \
         AS t(\"会员ID\", \"付款时间\", \"实付金额\", \"订单状态\")",
    ]);
    let s = summarize(&xlsx, &["--end", "2026-01-10"]);
    assert_eq!(
        s,
        "customer_id,frequency,recency,T,monetary_value\nA,1,3,9,20.5\n"
    );
}

/// How many customers of a summary have repeat purchases whose mean spend is 0.
fn free_repeaters(summary: &str) -> usize {
    summary
        .lines()
        .skip(1)
        .filter(|l| {
            let c: Vec<f64> = l.split(',').skip(1).map(|c| c.parse().unwrap()).collect();
            c[0] > 0.0 && c[3] == 0.0
        })
        .count()
}

#[test]
fn predict_takes_the_whole_cdnow_master_file_with_its_free_repeat_purchases() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.csv");
    summarize(
        testdata("CDNOW_master.txt"),
        &[
            "--customer",
            "1",
            "--date",
            "2",
            "--amount",
            "4",
            "--unit-days",
            "7",
            "--end",
            "1998-06-30",
            "-o",
            summary.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.lines().count(), 23_571);
    let fallback = free_repeaters(&text);
    assert!(
        fallback > 0,
        "CDNOW has repeat buyers whose repeats were free"
    );

    let out = dir.path().join("clv.csv");
    let said = ok(&[
        "clv",
        "predict",
        "--summary",
        summary.to_str().unwrap(),
        "--model",
        "bgnbd",
        "--horizon",
        "52",
        "--unit-days",
        "7",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        said.contains(&format!("and {fallback} fallback customers")),
        "{said}"
    );
    let mean = field(&said, "population mean");
    assert!((25.0..50.0).contains(&mean), "{said}");
    let preds = std::fs::read_to_string(&out).unwrap();
    assert_eq!(preds.lines().count(), 23_571);
    for (s, p) in text.lines().zip(preds.lines()).skip(1) {
        let s: Vec<f64> = s.split(',').skip(1).map(|c| c.parse().unwrap()).collect();
        let p: Vec<f64> = p.split(',').skip(1).map(|c| c.parse().unwrap()).collect();
        let (alive, spend, value) = (p[0], p[2], p[3]);
        assert!((0.0..=1.0).contains(&alive), "{p:?}");
        assert!(spend > 0.0 && value.is_finite() && value >= 0.0, "{p:?}");
        if s[0] > 0.0 && s[3] == 0.0 {
            // The fallback: the Gamma-Gamma population mean.
            assert!((spend - mean).abs() < 0.01, "{s:?} {p:?}");
        }
    }
    // The spend model alone fits too, saying whom it left out.
    let o = crate::run(&[
        "clv",
        "fit",
        "--summary",
        summary.to_str().unwrap(),
        "--model",
        "gammagamma",
    ]);
    assert!(o.status.success(), "{}", crate::stderr(&o));
    assert!(
        crate::stderr(&o).contains(&format!(
            "{fallback} repeat customers without a usable mean spend"
        )),
        "{}",
        crate::stderr(&o)
    );
}
