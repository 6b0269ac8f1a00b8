use std::time::Instant;
use strata_models::sim::{cohort_ages, simulate};
use strata_models::*;
fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let truth = Model::BgNbd(BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap());
    let ages = cohort_ages(1_000_000, 27.0, 39.0, 20_050_101);
    let sim = simulate(&truth, &ages, 0.0, 20_050_101, 1);
    let (x, tx, t) = (&sim.frequency, &sim.recency, &sim.t);
    let opts = FitOptions {
        threads: 1,
        ..FitOptions::default()
    };
    if which == "pred" {
        for _ in 0..3 {
            let t0 = Instant::now();
            let p = truth.predict(39.0, x, tx, t, 1).unwrap();
            eprintln!("bg pred {:?} {}", t0.elapsed(), p.expected_purchases[5]);
        }
    } else if which == "ppred" {
        let m = Model::ParetoNbd(
            ParetoNbd::new(0.5008522115, 9.8896078209, 1.0583518999, 29.5850036704).unwrap(),
        );
        for th in [1, 2] {
            for _ in 0..3 {
                let t0 = Instant::now();
                let p = m.predict(39.0, x, tx, t, th).unwrap();
                eprintln!(
                    "pnbd pred threads {th}: {:?} {}",
                    t0.elapsed(),
                    p.expected_purchases[5]
                );
            }
        }
        for th in [1, 2] {
            let t0 = Instant::now();
            let p = truth.predict(39.0, x, tx, t, th).unwrap();
            eprintln!(
                "bg pred threads {th}: {:?} {}",
                t0.elapsed(),
                p.expected_purchases[5]
            );
        }
    } else if which == "pfit" {
        let t0 = Instant::now();
        let f = fit(ModelKind::ParetoNbd, x, tx, t, &opts).unwrap();
        eprintln!(
            "pareto fit {:?} {:?} it {} ev {}",
            t0.elapsed(),
            f.params,
            f.iterations,
            f.evaluations
        );
    }
}
