use std::time::Instant;
use strata_models::*;
fn main() {
    let m = ParetoNbd::new(
        0.12100541238705766,
        0.49037844913614936,
        3.035918904915625,
        164.68058793889983,
    )
    .unwrap();
    for tx in [1.58, 3.165138921639894, 10.0, 30.0, 38.0, 39.0] {
        eprintln!(
            "tx {tx}: palive {:e} ll {}",
            m.p_alive(10000.0, tx, 39.0),
            m.log_likelihood(10000.0, tx, 39.0)
        );
    }
    let bg = Model::BgNbd(BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap());
    for (x, tx, t) in [
        (2.0, 30.43, 38.86),
        (0.0, 0.0, 0.01),
        (10000.0, 9999.0, 10000.0),
        (5.0, 1.0, 1e4),
    ] {
        let t0 = Instant::now();
        let d = bg.dert(0.01, x, tx, t);
        eprintln!("bg dert {x} {tx} {t}: {d} in {:?}", t0.elapsed());
    }
    let p = Model::ParetoNbd(ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap());
    let t0 = Instant::now();
    let s: f64 = (0..40).map(|n| p.prob_n_purchases(n, 100.0)).sum();
    eprintln!("pareto pmf 40: {s} in {:?}", t0.elapsed());
}
