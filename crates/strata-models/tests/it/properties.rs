//! Invariants over random valid inputs (a loop over our own PRNG, no property-testing crate):
//! probabilities in [0, 1], expectations finite, non-negative and non-decreasing in the
//! horizon, P(alive) falling with time since the last purchase and rising with recency, and
//! no NaN or infinity anywhere, including 10,000 repeat purchases and very old customers.

use strata_models::sim::Rng;
use strata_models::{BgNbd, MbgNbd, Model, ModelKind, ParetoNbd};

fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * rng.uniform()).exp()
}

fn random_model(rng: &mut Rng, kind: ModelKind) -> Model {
    let p = [
        log_uniform(rng, 0.02, 20.0),
        log_uniform(rng, 0.05, 200.0),
        log_uniform(rng, 0.05, 20.0),
        log_uniform(rng, 0.05, 200.0),
    ];
    Model::from_params(kind, &p).unwrap()
}

/// A random valid history: sometimes extreme.
fn random_customer(rng: &mut Rng) -> (f64, f64, f64) {
    let t = match rng.next_u64() % 4 {
        0 => log_uniform(rng, 1e-3, 1.0),
        1 => log_uniform(rng, 1.0, 100.0),
        2 => log_uniform(rng, 100.0, 10_000.0),
        _ => 39.0,
    };
    let x = match rng.next_u64() % 5 {
        0 => 0.0,
        1 => (rng.uniform() * 5.0).floor() + 1.0,
        2 => (rng.uniform() * 100.0).floor() + 1.0,
        3 => 10_000.0,
        _ => (log_uniform(rng, 1.0, 3_000.0)).floor(),
    };
    let tx = if x == 0.0 {
        0.0
    } else {
        match rng.next_u64() % 3 {
            0 => t,
            1 => t * (1.0 - 1e-9 * rng.uniform()),
            _ => t * rng.uniform(),
        }
    };
    (x, tx, t)
}

fn check_probability(what: &str, p: f64) {
    assert!(p.is_finite() && (0.0..=1.0).contains(&p), "{what}: {p}");
}

#[test]
fn random_inputs_give_valid_predictions() {
    let mut rng = Rng::new(2024);
    for round in 0..300 {
        for kind in ModelKind::ALL {
            let m = random_model(&mut rng, kind);
            for _ in 0..8 {
                let (x, tx, t) = random_customer(&mut rng);
                let ctx = format!("round {round} {m:?} x={x} tx={tx} T={t}");
                let ll = m.log_likelihood(x, tx, t);
                assert!(
                    ll.is_finite() && ll <= 1e-9 + if x == 0.0 { 0.0 } else { f64::INFINITY },
                    "LL {ctx}: {ll}"
                );
                let pa = m.p_alive(x, tx, t);
                check_probability(&format!("P(alive) {ctx}"), pa);
                let mut prev = 0.0;
                for h in [0.0, 0.5, 1.0, 7.0, 39.0, 52.0, 365.0, 5_000.0] {
                    let e = m.expected_purchases(h, x, tx, t);
                    assert!(e.is_finite() && e >= 0.0, "E[X({h})] {ctx}: {e}");
                    assert!(e >= prev * (1.0 - 1e-10), "E[X({h})] = {e} < {prev} {ctx}");
                    prev = e;
                }
                // P(alive) falls as the customer stays silent longer (T grows, x and t_x fixed)
                // and rises with recency.
                let later = m.p_alive(x, tx, t * 1.5 + 1.0);
                check_probability(&format!("P(alive) later {ctx}"), later);
                assert!(
                    later <= pa * (1.0 + 1e-12) + 1e-300,
                    "P(alive) rose with T: {pa} -> {later} {ctx}"
                );
                if x > 0.0 && tx > 0.0 {
                    let earlier_last = m.p_alive(x, tx * 0.5, t);
                    assert!(
                        earlier_last <= pa * (1.0 + 1e-12) + 1e-300,
                        "P(alive) fell with recency {ctx}"
                    );
                }
                let d = m.dert(0.01, x, tx, t);
                assert!(d.is_finite() && d >= 0.0, "DERT {ctx}: {d}");
            }
            // New-customer quantities.
            let mut prev = 0.0;
            for h in [0.1, 1.0, 10.0, 100.0, 1_000.0] {
                let e = m.expected_purchases_unconditional(h);
                assert!(
                    e.is_finite() && e >= prev * (1.0 - 1e-10),
                    "{m:?} E[X({h})] = {e}"
                );
                prev = e;
                let total: f64 = (0..40)
                    .map(|n| m.prob_n_purchases(n, h))
                    .inspect(|p| check_probability("pmf", *p))
                    .sum();
                assert!(total <= 1.0 + 1e-9, "{m:?} pmf sums to {total} at t = {h}");
            }
        }
    }
}

#[test]
fn frequent_buyers_stay_finite() {
    // 10,000 repeat purchases, last one just before T, T large; every model and both orders
    // of α and β for Pareto/NBD.
    let models = [
        Model::BgNbd(BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap()),
        Model::MbgNbd(MbgNbd::new(0.525, 6.183, 0.891, 1.614).unwrap()),
        Model::ParetoNbd(ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap()),
        Model::ParetoNbd(ParetoNbd::new(0.553, 11.669, 0.606, 10.578).unwrap()),
        Model::ParetoNbd(ParetoNbd::new(10.465, 7.985_651_81e-3, 3.0516, 2.820).unwrap()),
    ];
    for m in models {
        for &(x, tx, t) in &[
            (10_000.0, 9_999.9, 10_000.0),
            (10_000.0, 10_000.0, 10_000.0),
            (10_000.0, 5_000.0, 10_000.0),
            (10_000.0, 1.0, 1_000_000.0),
            (400.0, 5.0, 6.0),
            (500.0, 1.0, 37.0),
            (500.0, 4.0, 37.0),
        ] {
            let pa = m.p_alive(x, tx, t);
            check_probability(&format!("{m:?} {x} {tx} {t}"), pa);
            let e = m.expected_purchases(52.0, x, tx, t);
            assert!(e.is_finite() && e >= 0.0, "{m:?} {x} {tx} {t}: {e}");
            assert!(m.log_likelihood(x, tx, t).is_finite());
            assert!(m.dert(0.002, x, tx, t).is_finite());
        }
    }
    // CLVTools' regression case: P(alive) that produced NaN in a previous implementation.
    let m = ParetoNbd::new(0.5143, 2.8845, 0.2856, 14.1087).unwrap();
    for (x, tx, t) in [
        (221.0, 103.42857, 103.57143),
        (254.0, 97.14286, 97.28571),
        (161.0, 94.71429, 98.0),
        (204.0, 98.57143, 99.42857),
    ] {
        check_probability("CLVTools PAlive case", m.p_alive(x, tx, t));
    }
}

#[test]
fn a_frequent_buyer_who_went_quiet_is_probably_gone() {
    // x = 10,000 purchases up to t_x = 100, then silence until T = 10,000: P(alive) must be
    // tiny but not NaN; with t_x = T it must be (close to) 1.
    for m in [
        Model::BgNbd(BgNbd::new(0.243, 4.414, 0.793, 2.426).unwrap()),
        Model::ParetoNbd(ParetoNbd::new(0.553, 10.578, 0.606, 11.669).unwrap()),
    ] {
        let gone = m.p_alive(10_000.0, 100.0, 10_000.0);
        assert!(gone.is_finite() && gone < 1e-10, "{m:?}: {gone}");
        let active = m.p_alive(10_000.0, 10_000.0, 10_000.0);
        assert!(active > 0.99, "{m:?}: {active}");
    }
}

#[test]
fn bulk_predictions_equal_single_ones() {
    let mut rng = Rng::new(77);
    let n = 40_000; // above the parallel threshold
    let mut freq = Vec::with_capacity(n);
    let mut rec = Vec::with_capacity(n);
    let mut t = Vec::with_capacity(n);
    for _ in 0..n {
        let (x, tx, tt) = random_customer(&mut rng);
        freq.push(x);
        rec.push(tx);
        t.push(tt);
    }
    for kind in ModelKind::ALL {
        let m = random_model(&mut rng, kind);
        let bulk = m.predict(39.0, &freq, &rec, &t, 2).unwrap();
        for i in (0..n).step_by(97) {
            let pa = m.p_alive(freq[i], rec[i], t[i]);
            let e = m.expected_purchases(39.0, freq[i], rec[i], t[i]);
            assert!(
                (bulk.p_alive[i] - pa).abs() <= 1e-13 * pa.max(1e-300),
                "{kind} row {i}"
            );
            assert!(
                (bulk.expected_purchases[i] - e).abs() <= 1e-12 * e.max(1e-300),
                "{kind} row {i}"
            );
        }
    }
}
