//! Benchmark of the CLV models on simulated CDNOW-like data (not a test; see `bench/clv/`).
//!
//! Simulates customers from the BG/NBD process with the CDNOW parameters (r = 0.243,
//! α = 4.414, a = 0.793, b = 2.426), ages uniform in [27, 39] weeks (a cohort acquired over
//! 12 weeks, as in CDNOW) in continuous time, writes the summary CSV for lifetimes, then times
//! the BG/NBD and Pareto/NBD fits and the predictions for every customer, and writes the
//! results as JSON for `bench/clv/lifetimes_bench.py` to compare against.
//!
//! ```text
//! cargo run --release -p strata-models --example bench_clv -- [--customers N] [--pareto-subset N]
//!     [--out DIR] [--seed S] [--threads T]
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use strata_models::sim::{cohort_ages, simulate};
use strata_models::{
    BgNbd, ClvOptions, Fit, FitOptions, Model, ModelKind, clv, fit, holdout_error,
};

struct Args {
    customers: usize,
    pareto_subset: usize,
    out: PathBuf,
    seed: u64,
    threads: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        customers: 1_000_000,
        pareto_subset: 100_000,
        out: std::env::temp_dir().join("strata-bench-clv"),
        seed: 20_050_101,
        threads: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--customers" => {
                args.customers = value()?.parse().map_err(|e| format!("--customers: {e}"))?
            }
            "--pareto-subset" => {
                args.pareto_subset = value()?
                    .parse()
                    .map_err(|e| format!("--pareto-subset: {e}"))?
            }
            "--out" => args.out = PathBuf::from(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--threads" => {
                args.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn params_json(f: &Fit) -> String {
    let inner: Vec<String> = f
        .params
        .iter()
        .map(|(n, v)| format!("\"{n}\": {v}"))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.out)?;
    let truth = Model::BgNbd(BgNbd::new(0.243, 4.414, 0.793, 2.426)?);

    let t0 = Instant::now();
    let ages = cohort_ages(args.customers, 27.0, 39.0, args.seed);
    let sim = simulate(&truth, &ages, 39.0, args.seed, args.threads);
    let sim_s = t0.elapsed().as_secs_f64();
    let repeaters = sim.frequency.iter().filter(|&&x| x > 0.0).count();
    println!(
        "simulated {} customers in {sim_s:.2} s ({repeaters} repeat buyers, {} repeat purchases)",
        args.customers,
        sim.frequency.iter().sum::<f64>()
    );

    let csv = args.out.join("summary.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(w, "frequency,recency,T")?;
        for i in 0..args.customers {
            writeln!(w, "{},{},{}", sim.frequency[i], sim.recency[i], sim.t[i])?;
        }
    }
    println!("wrote {}", csv.display());

    let opts = FitOptions {
        threads: args.threads,
        ..FitOptions::default()
    };
    let (x, tx, t) = (&sim.frequency, &sim.recency, &sim.t);

    let t0 = Instant::now();
    let bg = fit(ModelKind::BgNbd, x, tx, t, &opts)?;
    let bg_s = t0.elapsed().as_secs_f64();
    println!(
        "BG/NBD fit, {} customers ({} unique rows): {bg_s:.3} s, {} iterations, {} evaluations, converged {}, LL {:.3}, params {}",
        args.customers,
        bg.unique_rows,
        bg.iterations,
        bg.evaluations,
        bg.converged,
        bg.log_likelihood,
        params_json(&bg)
    );

    let t0 = Instant::now();
    let pnbd = fit(ModelKind::ParetoNbd, x, tx, t, &opts)?;
    let pnbd_s = t0.elapsed().as_secs_f64();
    println!(
        "Pareto/NBD fit, {} customers: {pnbd_s:.3} s, {} iterations, {} evaluations, converged {}, LL {:.3}, params {}",
        args.customers,
        pnbd.iterations,
        pnbd.evaluations,
        pnbd.converged,
        pnbd.log_likelihood,
        params_json(&pnbd)
    );

    let k = args.pareto_subset.min(args.customers);
    let t0 = Instant::now();
    let pnbd_sub = fit(ModelKind::ParetoNbd, &x[..k], &tx[..k], &t[..k], &opts)?;
    let pnbd_sub_s = t0.elapsed().as_secs_f64();
    println!(
        "Pareto/NBD fit, first {k} customers: {pnbd_sub_s:.3} s, converged {}, LL {:.3}, params {}",
        pnbd_sub.converged,
        pnbd_sub.log_likelihood,
        params_json(&pnbd_sub)
    );

    let t0 = Instant::now();
    let bg_pred = bg.model.predict(39.0, x, tx, t, args.threads)?;
    let bg_pred_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let pnbd_pred = pnbd.model.predict(39.0, x, tx, t, args.threads)?;
    let pnbd_pred_s = t0.elapsed().as_secs_f64();
    println!(
        "predictions (P(alive) and E[X(39)] for {} customers): BG/NBD {bg_pred_s:.3} s, Pareto/NBD {pnbd_pred_s:.3} s",
        args.customers
    );

    // Value for everyone: DERT at 15% a year and lifetimes-style 12-month CLV at a flat spend.
    let delta = 1.15f64.ln() / 52.0;
    let t0 = Instant::now();
    let bg_dert = bg.model.dert_all(delta, x, tx, t, args.threads)?;
    let bg_dert_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let pnbd_dert = pnbd.model.dert_all(delta, x, tx, t, args.threads)?;
    let pnbd_dert_s = t0.elapsed().as_secs_f64();
    let spend = vec![35.0; args.customers];
    let t0 = Instant::now();
    let bg_clv = clv(
        &bg.model,
        x,
        tx,
        t,
        &spend,
        &ClvOptions::default(),
        args.threads,
    )?;
    let bg_clv_s = t0.elapsed().as_secs_f64();
    println!(
        "DERT (15%/year) for {} customers: BG/NBD {bg_dert_s:.3} s, Pareto/NBD {pnbd_dert_s:.3} s; 12-month CLV (BG/NBD) {bg_clv_s:.3} s; totals {:.0} / {:.0} / {:.0}",
        args.customers,
        bg_dert.iter().sum::<f64>(),
        pnbd_dert.iter().sum::<f64>(),
        bg_clv.iter().sum::<f64>()
    );

    // Predictions of the first customers, for the Python script to recompute with lifetimes'
    // formulas at the same parameters.
    let check = args.customers.min(20_000);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(
            args.out.join("rust_predictions.csv"),
        )?);
        writeln!(
            w,
            "p_alive_bgnbd,expected_bgnbd,p_alive_pareto,expected_pareto"
        )?;
        for i in 0..check {
            writeln!(
                w,
                "{},{},{},{}",
                bg_pred.p_alive[i],
                bg_pred.expected_purchases[i],
                pnbd_pred.p_alive[i],
                pnbd_pred.expected_purchases[i]
            )?;
        }
    }

    let bg_err = holdout_error(x, &bg_pred.expected_purchases, &sim.frequency_holdout, 7)?;
    let pnbd_err = holdout_error(x, &pnbd_pred.expected_purchases, &sim.frequency_holdout, 7)?;
    println!(
        "holdout (39 weeks): actual {:.0}, BG/NBD predicted {:.0} (MAE {:.4}), Pareto/NBD predicted {:.0} (MAE {:.4})",
        bg_err.total_actual,
        bg_err.total_predicted,
        bg_err.mae,
        pnbd_err.total_predicted,
        pnbd_err.mae
    );

    let json = format!(
        "{{\n  \"customers\": {},\n  \"pareto_subset\": {k},\n  \"unique_rows\": {},\n  \"bgnbd_fit_s\": {bg_s:.4},\n  \"bgnbd_params\": {},\n  \"bgnbd_ll\": {:.6},\n  \"pareto_fit_s\": {pnbd_s:.4},\n  \"pareto_params\": {},\n  \"pareto_subset_fit_s\": {pnbd_sub_s:.4},\n  \"pareto_subset_params\": {},\n  \"pareto_subset_ll\": {:.6},\n  \"bgnbd_predict_s\": {bg_pred_s:.4},\n  \"pareto_predict_s\": {pnbd_pred_s:.4},\n  \"bgnbd_dert_s\": {bg_dert_s:.4},\n  \"pareto_dert_s\": {pnbd_dert_s:.4},\n  \"bgnbd_clv_s\": {bg_clv_s:.4},\n  \"prediction_horizon\": 39.0,\n  \"predictions_checked\": {check}\n}}\n",
        args.customers,
        bg.unique_rows,
        params_json(&bg),
        bg.log_likelihood,
        params_json(&pnbd),
        params_json(&pnbd_sub),
        pnbd_sub.log_likelihood,
    );
    std::fs::write(args.out.join("rust_results.json"), json)?;
    println!("wrote {}", args.out.join("rust_results.json").display());
    Ok(())
}
