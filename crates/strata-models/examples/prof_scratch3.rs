use std::time::Instant;
use strata_models::sim::Rng;
use strata_models::*;
fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * rng.uniform()).exp()
}
fn main() {
    let mut rng = Rng::new(2024);
    let mut worst: Vec<(f64, String)> = Vec::new();
    let mut totals = [0.0f64; 6];
    for _round in 0..60 {
        for kind in ModelKind::ALL {
            let p = [
                log_uniform(&mut rng, 0.02, 20.0),
                log_uniform(&mut rng, 0.05, 200.0),
                log_uniform(&mut rng, 0.05, 20.0),
                log_uniform(&mut rng, 0.05, 200.0),
            ];
            let m = Model::from_params(kind, &p).unwrap();
            for _ in 0..8 {
                let t = log_uniform(&mut rng, 1e-3, 1e4);
                let x = (log_uniform(&mut rng, 1.0, 10000.0)).floor();
                let tx = t * rng.uniform();
                let ops: [(&str, Box<dyn Fn() -> f64>); 5] = [
                    ("palive", Box::new(|| m.p_alive(x, tx, t))),
                    (
                        "exp",
                        Box::new(|| {
                            m.expected_purchases(365.0, x, tx, t)
                                + m.expected_purchases(5000.0, x, tx, t)
                        }),
                    ),
                    ("dert", Box::new(|| m.dert(0.01, x, tx, t))),
                    ("ll", Box::new(|| m.log_likelihood(x, tx, t))),
                    (
                        "pmf",
                        Box::new(|| (0..40).map(|n| m.prob_n_purchases(n, 1000.0)).sum::<f64>()),
                    ),
                ];
                for (k, (name, f)) in ops.iter().enumerate() {
                    let t0 = Instant::now();
                    let v = f();
                    let e = t0.elapsed().as_secs_f64();
                    totals[k] += e;
                    worst.push((e, format!("{name} {m:?} x={x} tx={tx} T={t} -> {v}")));
                }
            }
        }
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    for w in &worst[..8] {
        eprintln!("{:.4}s {}", w.0, w.1);
    }
    eprintln!("totals palive/exp/dert/ll/pmf: {totals:?}");
}
