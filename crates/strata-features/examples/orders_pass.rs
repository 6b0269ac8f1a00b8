//! Times the customer-table step (the orders pass: per-customer aggregates, modes, latest
//! orders, and RFM quintile scores) on a workspace, for `bench/customer-table/run.sh`.
//!
//! Usage: `orders_pass WORKSPACE AS_OF [REPEATS]`. Prints one JSON line per run with the wall
//! time and checksums that the DuckDB and Polars versions print too, so the script can check
//! that all three computed the same thing.

use std::path::PathBuf;
use std::time::Instant;

use strata_features::{AnalyzeConfig, orders_pass};
use strata_store::{Workspace, session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let ws = PathBuf::from(
        args.next()
            .ok_or("usage: orders_pass WORKSPACE AS_OF [REPEATS]")?,
    );
    let as_of: chrono::NaiveDate = args.next().ok_or("AS_OF missing")?.parse()?;
    let repeats: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(3);
    let ws = Workspace::open(&ws)?;
    let cfg = AnalyzeConfig {
        as_of: Some(as_of),
        ..AnalyzeConfig::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for run in 0..repeats {
        let ctx = session(&ws)?;
        let started = Instant::now();
        let p = rt.block_on(orders_pass(&ctx, &cfg, "Asia/Shanghai", false))?;
        let seconds = started.elapsed().as_secs_f64();
        let mut buyers = 0u64;
        let mut orders = 0u64;
        let mut cents = 0i128;
        let mut cents_12m = 0i128;
        let mut score_sum = [0u64; 3];
        let mut trend_n = 0u64;
        let mut trend_sum = 0.0;
        let mut hour_sum = 0u64;
        for (i, acc) in p.pass.accs.iter().enumerate() {
            let Some(s) = p.scores[i] else { continue };
            buyers += 1;
            orders += u64::from(acc.orders);
            cents += i128::from(acc.total);
            cents_12m += i128::from(acc.total_12m);
            for k in 0..3 {
                score_sum[k] += u64::from(s[k]);
            }
            if let Some(t) = p.derived[i].trend {
                trend_n += 1;
                trend_sum += t;
            }
            let mut best = (0usize, 0u16);
            for (h, &n) in acc.hour.iter().enumerate() {
                if n > best.1 {
                    best = (h, n);
                }
            }
            hour_sum += best.0 as u64;
        }
        println!(
            "{{\"engine\":\"strata\",\"run\":{run},\"seconds\":{seconds:.4},\"rows\":{},\"buyers\":{buyers},\"orders\":{orders},\"revenue\":{:.2},\"revenue_12m\":{:.2},\"r_sum\":{},\"f_sum\":{},\"m_sum\":{},\"cuts\":{:?},\"trend_n\":{trend_n},\"trend_mean\":{:.6},\"hour_sum\":{hour_sum}}}",
            p.pass.rows,
            cents as f64 / 100.0,
            cents_12m as f64 / 100.0,
            score_sum[0],
            score_sum[1],
            score_sum[2],
            [p.cuts.recency, p.cuts.orders, p.cuts.monetary],
            trend_sum / trend_n.max(1) as f64,
        );
    }
    Ok(())
}
