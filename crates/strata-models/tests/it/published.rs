//! Published values on CDNOW (see `/work/shared/data/cdnow/REFERENCE.md` for the sources:
//! Fader, Hardie & Lee 2005, BTYD 2.4.3, CLVTools 0.12.1, lifetimes 0.11.3), each checked from
//! the rounded summary CSV and from `CDNOW_sample.txt` through our own summariser.
//!
//! Tolerances are the precision printed by the source unless a comment says otherwise. Where a
//! value depends on parameters to more digits than the source prints, the test also pins our
//! own numerics against a value computed independently with mpmath at 40 significant digits
//! (the `MPMATH_*` constants; the formula and inputs are in the comment next to each).

use strata_models::{
    FitOptions, GammaGamma, Model, ModelKind, fit, fit_gamma_gamma, independence_check,
};

use crate::data;

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol} (off by {:e})",
        (got - want).abs()
    );
}

fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got}, want {want} ± {rel:e} relative (off by {:e})",
        ((got - want) / want).abs()
    );
}

/// A named `(frequency, recency, T)` data set.
type Input = (&'static str, Vec<f64>, Vec<f64>, Vec<f64>);

/// Both inputs: the CSV (weeks rounded to 0.01) and the summary of the transactions.
fn inputs() -> Vec<Input> {
    let csv = data::summary_csv();
    let s = data::sample_summary().calibration;
    vec![
        ("csv", csv.frequency, csv.recency, csv.t),
        ("sample", s.frequency, s.recency, s.t),
    ]
}

fn fit_params(kind: ModelKind, x: &[f64], tx: &[f64], t: &[f64]) -> strata_models::Fit {
    let f = fit(kind, x, tx, t, &FitOptions::default()).expect("fits");
    assert!(f.converged, "{kind} did not converge: {:?}", f.termination);
    f
}

// ---------------------------------------------------------------------------------------------
// The summary itself
// ---------------------------------------------------------------------------------------------

#[test]
fn summariser_reproduces_the_cdnow_summary_csv() {
    let csv = data::summary_csv();
    let s = data::sample_summary();
    let c = &s.calibration;
    assert_eq!(c.len(), 2357);
    assert_eq!(c.customers, (1..=2357).collect::<Vec<u64>>());
    for i in 0..c.len() {
        assert_eq!(
            c.frequency[i],
            csv.frequency[i],
            "frequency of customer {}",
            i + 1
        );
        assert_close("recency", c.recency[i], csv.recency[i], 0.005);
        assert_close("T", c.t[i], csv.t[i], 0.005);
    }
    assert_eq!(c.frequency.iter().filter(|&&x| x > 0.0).count(), 946);
    assert_eq!(c.frequency.iter().sum::<f64>(), 2457.0);
    // The holdout window, 1997-10-01 to 1998-06-30, is 273 days.
    assert_close("duration_holdout", s.duration_holdout, 273.0 / 7.0, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// BG/NBD
// ---------------------------------------------------------------------------------------------

const BTYD_BG: [f64; 4] = [0.2425982, 4.4136842, 0.7929899, 2.4261667];
const PAPER_BG: [f64; 4] = [0.243, 4.414, 0.793, 2.426];

#[test]
fn bgnbd_parameters_and_log_likelihood() {
    for (name, x, tx, t) in inputs() {
        let f = fit_params(ModelKind::BgNbd, &x, &tx, &t);
        for (j, (pname, v)) in f.params.iter().enumerate() {
            // The paper prints three decimals.
            assert_close(&format!("{name} {pname} vs paper"), *v, PAPER_BG[j], 0.0005);
            // BTYD prints seven digits, but its optimiser stops where the likelihood is flat to
            // 1e-7 (our log-likelihood at its parameters differs by 1e-7), so `b` can only be
            // matched to the width of that flat region.
            assert_rel(&format!("{name} {pname} vs BTYD"), *v, BTYD_BG[j], 2e-4);
        }
        // REFERENCE.md: compare log-likelihoods within 0.005 (the CSV is 0.003 higher).
        assert_close(
            &format!("{name} LL vs BTYD"),
            f.log_likelihood,
            -9582.429,
            0.005,
        );
        assert_close(
            &format!("{name} LL vs paper"),
            f.log_likelihood,
            -9582.4,
            0.05,
        );
        // Our optimum is at least as good as BTYD's on the same data.
        let btyd = Model::from_params(ModelKind::BgNbd, &BTYD_BG).unwrap();
        let ll_btyd: f64 = (0..x.len())
            .map(|i| btyd.log_likelihood(x[i], tx[i], t[i]))
            .sum();
        assert!(
            f.log_likelihood >= ll_btyd - 1e-6,
            "{name}: {} < {ll_btyd}",
            f.log_likelihood
        );
    }
    // From the transactions the log-likelihood matches BTYD to its three decimals.
    let s = data::sample_summary().calibration;
    let f = fit_params(ModelKind::BgNbd, &s.frequency, &s.recency, &s.t);
    assert_close("sample LL", f.log_likelihood, -9582.429, 0.0005);
    // CLVTools' own estimates on the same transactions (test_correctness_bgnbd.R).
    for (j, want) in [0.2425945, 4.4136019, 0.7929199, 2.4258881]
        .iter()
        .enumerate()
    {
        assert_rel("CLVTools BG/NBD estimate", f.params[j].1, *want, 1e-5);
    }
}

// mpmath, 40 digits, BTYD parameters:
// (a+b+x−1)/(a−1)·[1 − ((α+T)/(α+T+t))^(r+x)·hyp2f1(r+x, b+x, a+b+x−1, t/(α+T+t))] / (1 + …)
const MPMATH_BG_UNCOND: [(f64, f64); 5] = [
    (1.0, 0.053_184_157_748_253_725),
    (3.0, 0.150_630_643_480_274_57),
    (32.0, 1.043_729_657_248_543_7),
    (78.0, 1.857_941_880_002_561_7),
    (52.0, 1.444_004_801_035_927_5),
];
const MPMATH_BG_COND_26: (f64, f64) = (25.756_536_041_055_003, 0.968_852_086_896_899_8); // t_x = 30.85714

#[test]
fn bgnbd_expectations() {
    let btyd = Model::from_params(ModelKind::BgNbd, &BTYD_BG).unwrap();
    // Our numerics against the 40-digit reference.
    for (t, want) in MPMATH_BG_UNCOND {
        assert_rel(
            &format!("E[X({t})] vs mpmath"),
            btyd.expected_purchases_unconditional(t),
            want,
            1e-12,
        );
    }
    assert_rel(
        "E[X(52)|26,..] vs mpmath",
        btyd.expected_purchases(52.0, 26.0, 30.85714, 31.0),
        MPMATH_BG_COND_26.0,
        1e-12,
    );
    assert_rel(
        "P(alive|26,..) vs mpmath",
        btyd.p_alive(26.0, 30.85714, 31.0),
        MPMATH_BG_COND_26.1,
        1e-13,
    );

    for (name, x, tx, t) in inputs() {
        let f = fit_params(ModelKind::BgNbd, &x, &tx, &t);
        // E[X(t)], t = 1, 3, 32, 78 weeks: 0.0532, 0.1506, 1.0437, 1.8576 (Hardie's spreadsheet).
        for (h, want) in [(1.0, 0.0532), (3.0, 0.1506), (32.0, 1.0437)] {
            assert_close(
                &format!("{name} E[X({h})]"),
                f.expected_purchases_unconditional(h),
                want,
                0.00005,
            );
        }
        // At 78 weeks the spreadsheet's value is 3.4e-4 below the exact one for every
        // published parameter set (mpmath with BTYD's parameters: 1.857942; lifetimes checks it
        // to 3 decimals), so it is matched to 5e-4.
        assert_close(
            &format!("{name} E[X(78)]"),
            f.expected_purchases_unconditional(78.0),
            1.8576,
            0.0005,
        );
        // E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226.
        assert_close(
            &format!("{name} E[X(39)|2]"),
            f.expected_purchases(39.0, 2.0, 30.43, 38.86),
            1.226,
            0.0005,
        );
        // E[X(52)] = 1.444004 is printed to 1e-6; with BTYD's parameters we match it to that,
        // with our own fit (equally good likelihood, parameters 1e-4 apart) to 2e-5.
        assert_close(
            &format!("{name} E[X(52)]"),
            f.expected_purchases_unconditional(52.0),
            1.444004,
            2e-5,
        );
        // Customer x=26, t_x=30.857, T=31: E[X(52)|…] = 25.75659, P(alive) = 0.9688523. No
        // published parameter set reproduces the last digits (mpmath: 25.756536 with BTYD's,
        // 25.757357 with CLVTools'), so the printed values are matched to 1e-4 relative, the
        // spread of the parameter sets, and P(alive) to 1e-5.
        for tx26 in [30.857, 30.85714] {
            assert_rel(
                &format!("{name} E[X(52)|26]"),
                f.expected_purchases(52.0, 26.0, tx26, 31.0),
                25.75659,
                1e-4,
            );
            assert_close(
                &format!("{name} P(alive|26)"),
                f.p_alive(26.0, tx26, 31.0),
                0.9688523,
                1e-5,
            );
        }
    }
    assert_close(
        "BTYD params E[X(52)]",
        btyd.expected_purchases_unconditional(52.0),
        1.444004,
        1e-6,
    );
    assert_rel(
        "BTYD params E[X(52)|26]",
        btyd.expected_purchases(52.0, 26.0, 30.85714, 31.0),
        25.75659,
        3e-6,
    );
    assert_close(
        "BTYD params P(alive|26)",
        btyd.p_alive(26.0, 30.85714, 31.0),
        0.9688523,
        5e-7,
    );
}

#[test]
fn bgnbd_pmf_matches_btyd() {
    // lifetimes' test_probability_of_n_purchases_up_to_time_same_as_R_BTYD (paper parameters).
    let m = Model::from_params(ModelKind::BgNbd, &PAPER_BG).unwrap();
    assert_rel("P(X(2)=10)", m.prob_n_purchases(10, 2.0), 1.07869e-07, 5e-6);
    assert_close("P(X(39)=0)", m.prob_n_purchases(0, 39.0), 0.5737864, 5e-8);
    let want = [
        0.0019995214,
        0.0015170236,
        0.0011633150,
        0.0009003148,
        0.0007023638,
        0.0005517902,
        0.0004361913,
        0.0003467171,
        0.0002769613,
        0.0002222260,
    ];
    for (n, w) in (11..21).zip(want) {
        assert_close(
            &format!("P(X(30)={n})"),
            m.prob_n_purchases(n, 30.0),
            w,
            5e-11,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// MBG/NBD
// ---------------------------------------------------------------------------------------------

#[test]
fn mbgnbd_parameters() {
    for (name, x, tx, t) in inputs() {
        let f = fit_params(ModelKind::MbgNbd, &x, &tx, &t);
        for ((pname, v), want) in f.params.iter().zip([0.525, 6.183, 0.891, 1.614]) {
            assert_close(&format!("{name} MBG/NBD {pname}"), *v, want, 0.0005);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pareto/NBD
// ---------------------------------------------------------------------------------------------

const CLVTOOLS_PNBD: [f64; 4] = [0.55315, 10.57633, 0.60625, 11.67150];

#[test]
fn pareto_parameters_log_likelihood_and_standard_errors() {
    let s = data::sample_summary().calibration;
    let f = fit_params(ModelKind::ParetoNbd, &s.frequency, &s.recency, &s.t);
    for ((pname, v), want) in f.params.iter().zip([0.553, 10.578, 0.606, 11.669]) {
        assert_close(&format!("sample {pname} vs paper"), *v, want, 0.0005);
    }
    // CLVTools prints five decimals of estimates that are themselves 2e-4 off its optimum
    // (its likelihood at them is 5e-6 below ours); matched to 3e-4 relative.
    for ((pname, v), want) in f.params.iter().zip(CLVTOOLS_PNBD) {
        assert_rel(&format!("sample {pname} vs CLVTools"), *v, want, 3e-4);
    }
    assert_close("sample LL vs CLVTools", f.log_likelihood, -9594.976, 0.0005);
    assert_close("sample LL vs paper", f.log_likelihood, -9595.0, 0.05);
    let clv = Model::from_params(ModelKind::ParetoNbd, &CLVTOOLS_PNBD).unwrap();
    let ll_clv: f64 = (0..s.len())
        .map(|i| clv.log_likelihood(s.frequency[i], s.recency[i], s.t[i]))
        .sum();
    assert!(f.log_likelihood >= ll_clv);
    // Standard errors: CLVTools' test_correctness_pnbd.R (r, α, s, β).
    let se = f.std_errors.expect("standard errors");
    for (got, want) in se.iter().zip([0.0476264, 0.8427222, 0.1872594, 6.2105448]) {
        assert_rel("Pareto/NBD standard error", *got, want, 2e-4);
    }

    // From the rounded CSV the optimum moves by up to 5e-4 relative (r by 0.0003, β by 0.0011,
    // both far inside one standard error), and the log-likelihood is 0.002 higher.
    let csv = data::summary_csv();
    let f = fit_params(ModelKind::ParetoNbd, &csv.frequency, &csv.recency, &csv.t);
    for ((pname, v), want) in f.params.iter().zip([0.553, 10.578, 0.606, 11.669]) {
        assert_rel(&format!("csv {pname} vs paper"), *v, want, 1e-3);
    }
    assert_close("csv LL", f.log_likelihood, -9594.976, 0.005);
}

// mpmath, 40 digits, CLVTools parameters, numerical integral for A₀:
const MPMATH_PNBD_COND_26: (f64, f64) = (25.456_109_780_596_16, 0.997_873_460_240_282); // t_x = 30.85714
const MPMATH_PNBD_UNCOND_52: f64 = 1.473_389_269_229_549;
// Params (0.55, 10.58, 0.61, 11.67), t = 10, x = 132, t_x = T = 200.
const MPMATH_PNBD_STRESS: f64 = 6.206_051_788_962_932;

#[test]
fn pareto_expectations() {
    let clv = Model::from_params(ModelKind::ParetoNbd, &CLVTOOLS_PNBD).unwrap();
    assert_rel(
        "E[X(52)|26] vs mpmath",
        clv.expected_purchases(52.0, 26.0, 30.85714, 31.0),
        MPMATH_PNBD_COND_26.0,
        1e-12,
    );
    assert_rel(
        "P(alive|26) vs mpmath",
        clv.p_alive(26.0, 30.85714, 31.0),
        MPMATH_PNBD_COND_26.1,
        1e-13,
    );
    assert_rel(
        "E[X(52)] vs mpmath",
        clv.expected_purchases_unconditional(52.0),
        MPMATH_PNBD_UNCOND_52,
        1e-13,
    );

    for (name, x, tx, t) in inputs() {
        let f = fit_params(ModelKind::ParetoNbd, &x, &tx, &t);
        // E[X(52)] = 1.473434: printed to 1e-6, reproduced by our fit of the transactions; the
        // CSV fit is 3e-5 away.
        let tol = if name == "sample" { 1e-6 } else { 5e-5 };
        assert_close(
            &format!("{name} E[X(52)]"),
            f.expected_purchases_unconditional(52.0),
            1.473434,
            tol,
        );
        // x=26, t_x=30.857, T=31: 25.45647 and 0.997874. As for BG/NBD, the last digits depend
        // on parameter digits no source prints (mpmath: 25.45611 with CLVTools' parameters,
        // 25.45734 with the paper's); matched to 1e-4 relative, P(alive) to 1e-5.
        for tx26 in [30.857, 30.85714] {
            assert_rel(
                &format!("{name} E[X(52)|26]"),
                f.expected_purchases(52.0, 26.0, tx26, 31.0),
                25.45647,
                1e-4,
            );
            assert_close(
                &format!("{name} P(alive|26)"),
                f.p_alive(26.0, tx26, 31.0),
                0.997874,
                1e-5,
            );
        }
    }
    // lifetimes' BTYD walkthrough check: P(alive) = 0.9979 ± 0.001 with these parameters.
    let btyd =
        Model::from_params(ModelKind::ParetoNbd, &[0.5534, 10.5802, 0.6061, 11.6562]).unwrap();
    assert_close(
        "BTYD P(alive)",
        btyd.p_alive(26.0, 30.86, 31.0),
        0.9979,
        0.0005,
    );
}

#[test]
fn pareto_numerical_stress_case() {
    // REFERENCE.md: params (0.55, 10.58, 0.61, 11.67), t = 10, t_x = T = 200, x = 132 →
    // 6.2060517889632418 (lifetimes, from scipy's hyp2f1; mpmath gives 6.2060517889629323, so
    // the printed value itself is good to 5e-14 relative).
    let m = Model::from_params(ModelKind::ParetoNbd, &[0.55, 10.58, 0.61, 11.67]).unwrap();
    let e = m.expected_purchases(10.0, 132.0, 200.0, 200.0);
    // (6.206_051_788_963_242 is the f64 nearest to the printed 6.2060517889632418.)
    assert_close("stress vs lifetimes", e, 6.206_051_788_963_242, 1e-12);
    assert_rel("stress vs mpmath", e, MPMATH_PNBD_STRESS, 1e-14);
    // The neighbour lifetimes checks for continuity (x = 133: 6.2528722475748113).
    assert_close(
        "x=133",
        m.expected_purchases(10.0, 133.0, 200.0, 200.0),
        6.252_872_247_574_811,
        1e-12,
    );
    // Just below t_x = T, where A₀ is a difference of nearly equal terms.
    let near = m.expected_purchases(10.0, 132.0, 200.0 - 1e-9, 200.0);
    assert_rel("t_x just below T", near, e, 1e-9);
}

// ---------------------------------------------------------------------------------------------
// Gamma-Gamma
// ---------------------------------------------------------------------------------------------

#[test]
fn gamma_gamma_parameters_and_log_likelihood() {
    let s = data::sample_summary().calibration;
    let m = s.monetary.as_ref().expect("amounts");
    let f = fit_gamma_gamma(&s.frequency, m, &FitOptions::default()).expect("fits");
    assert!(f.converged);
    assert_eq!(f.n, 946.0);
    for ((pname, v), want) in f.params.iter().zip([6.25, 3.74, 15.44]) {
        assert_close(&format!("Gamma-Gamma {pname}"), *v, want, 0.005);
    }
    assert_close("Gamma-Gamma LL", f.log_likelihood, -4055.9177, 0.00005);
    assert_close("population mean", f.model.population_mean(), 35.2, 0.05);
    // CDNOW passes the independence check (Fader & Hardie report r = 0.11).
    let check = independence_check(&s.frequency, m).unwrap();
    assert_close("corr(x, m)", check.correlation, 0.11, 0.005);
    assert!(!check.violated && f.spend_source() == strata_models::SpendSource::GammaGamma);
}

#[test]
fn gamma_gamma_conditional_spend_matches_hardie_spreadsheet() {
    // lifetimes' test_conditional_expected_average_profit: the first ten customers, from
    // Hardie's note 025 spreadsheet (two decimals). The spreadsheet uses the unrounded
    // estimates, which our fit reproduces to the printed precision; with the rounded
    // (6.25, 3.74, 15.44) the population mean moves to 35.22 (lifetimes allows 0.1).
    let s = data::sample_summary().calibration;
    let m = s.monetary.as_ref().expect("amounts");
    let fitted = fit_gamma_gamma(&s.frequency, m, &FitOptions::default())
        .unwrap()
        .model;
    let rounded = GammaGamma::new(6.25, 3.74, 15.44).unwrap();
    let want = [
        24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17,
    ];
    for i in 0..10 {
        let (x, mi) = (s.frequency[i], m[i]);
        assert_close(
            &format!("customer {} (fit)", i + 1),
            fitted.conditional_expected_spend(x, mi),
            want[i],
            0.005,
        );
        assert_close(
            &format!("customer {} (rounded)", i + 1),
            rounded.conditional_expected_spend(x, mi),
            want[i],
            0.05,
        );
    }
}
