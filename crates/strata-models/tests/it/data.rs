//! Loading the CDNOW files in `testdata/` (copied from the lifetimes package, MIT licence).

use std::path::PathBuf;

use strata_models::summary::{date, days_from_civil};
use strata_models::{CalibrationHoldout, SummaryOptions, calibration_and_holdout};

/// Read when the test runs: `env!` would bake in the folder the binary was built in, which is
/// stale when a shared target folder serves a checkout at another path.
fn testdata(name: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("testdata")
        .join(name)
}

/// `cdnow_customers_summary.csv`: 2,357 customers, weeks rounded to 2 decimals.
pub struct Rfm {
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
}

pub fn summary_csv() -> Rfm {
    let text =
        std::fs::read_to_string(testdata("cdnow_customers_summary.csv")).expect("testdata present");
    let mut rfm = Rfm {
        frequency: Vec::new(),
        recency: Vec::new(),
        t: Vec::new(),
    };
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<f64> = line
            .split(',')
            .map(|c| c.trim().parse().expect("number"))
            .collect();
        rfm.frequency.push(cells[1]);
        rfm.recency.push(cells[2]);
        rfm.t.push(cells[3]);
    }
    rfm
}

/// `CDNOW_sample.txt`: one transaction a line — customer id, customer index, date `YYYYMMDD`,
/// quantity, amount.
pub struct Transactions {
    pub customers: Vec<u64>,
    pub days: Vec<i64>,
    pub amounts: Vec<f64>,
}

pub fn sample_transactions() -> Transactions {
    let text = std::fs::read_to_string(testdata("CDNOW_sample.txt")).expect("testdata present");
    let mut tx = Transactions {
        customers: Vec::new(),
        days: Vec::new(),
        amounts: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        let ymd: i64 = cells[2].parse().expect("date");
        let day =
            date(ymd / 10_000, (ymd / 100 % 100) as u32, (ymd % 100) as u32).expect("valid date");
        tx.customers.push(cells[1].parse().expect("customer index"));
        tx.days.push(day);
        tx.amounts.push(cells[4].parse().expect("amount"));
    }
    tx
}

/// Calibration until 1997-09-30 and holdout until 1998-06-30, daily periods in weeks: the
/// summary the published CDNOW numbers use.
pub fn sample_summary() -> CalibrationHoldout {
    let tx = sample_transactions();
    let opts = SummaryOptions {
        observation_end: Some(days_from_civil(1998, 6, 30)),
        freq_multiplier: 7.0,
        ..SummaryOptions::default()
    };
    calibration_and_holdout(
        &tx.customers,
        &tx.days,
        Some(&tx.amounts),
        days_from_civil(1997, 9, 30),
        &opts,
    )
    .expect("sample summarises")
}
