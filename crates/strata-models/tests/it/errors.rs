//! Invalid input is rejected with an error that names the row, the column and the value;
//! nothing panics.

use strata_models::{
    ClvOptions, FitOptions, Model, ModelError, ModelKind, SummaryOptions, clv, fit,
    fit_gamma_gamma, summarize,
};

fn fit_err(x: &[f64], tx: &[f64], t: &[f64]) -> ModelError {
    fit(ModelKind::BgNbd, x, tx, t, &FitOptions::default()).unwrap_err()
}

#[test]
fn negative_values_name_row_and_value() {
    let e = fit_err(&[1.0, 2.0], &[1.0, -3.0], &[5.0, 5.0]);
    assert_eq!(
        e.to_string(),
        "row 1: `recency` is -3, expected a finite number >= 0"
    );
    let e = fit_err(&[1.0, -2.0], &[1.0, 3.0], &[5.0, 5.0]);
    assert!(
        matches!(
            e,
            ModelError::InvalidValue {
                column: "frequency",
                row: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = fit_err(&[1.0, 2.0], &[1.0, 3.0], &[5.0, f64::NAN]);
    assert!(
        matches!(
            e,
            ModelError::InvalidValue {
                column: "T",
                row: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn recency_after_age_is_rejected() {
    let e = fit_err(&[0.0, 3.0], &[0.0, 7.5], &[5.0, 7.0]);
    assert_eq!(
        e.to_string(),
        "row 1: recency 7.5 is greater than T 7; recency (time of the last purchase) must be <= T (age)"
    );
}

#[test]
fn frequency_zero_with_recency_is_rejected() {
    let e = fit_err(&[0.0], &[2.0], &[5.0]);
    assert_eq!(
        e.to_string(),
        "row 0: frequency is 0 but recency is 2; a customer without repeat purchases has recency 0"
    );
}

#[test]
fn fractional_frequency_is_rejected() {
    let e = fit_err(&[1.5], &[2.0], &[5.0]);
    assert!(e.to_string().contains("whole number"), "{e}");
}

#[test]
fn empty_and_mismatched_input() {
    assert_eq!(
        fit_err(&[], &[], &[]).to_string(),
        "no customers to work on: the input is empty"
    );
    let e = fit_err(&[1.0, 2.0], &[1.0], &[5.0, 5.0]);
    assert_eq!(
        e.to_string(),
        "`recency` has 1 values but `frequency` has 2; give one value per customer"
    );
    assert!(matches!(
        fit_err(&[0.0], &[0.0], &[0.0]),
        ModelError::NoElapsedTime
    ));
    let e = summarize(&[], &[], None, &SummaryOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no transactions to work on: the input is empty"
    );
}

#[test]
fn options_and_parameters_are_checked() {
    let opts = FitOptions {
        penalty: -1.0,
        ..FitOptions::default()
    };
    let e = fit(ModelKind::ParetoNbd, &[1.0], &[1.0], &[2.0], &opts).unwrap_err();
    assert!(matches!(
        e,
        ModelError::InvalidOption {
            name: "penalty",
            ..
        }
    ));
    let e = Model::from_params(ModelKind::BgNbd, &[0.2, 0.0, 1.0, 1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "parameter `alpha` is 0, expected a finite positive number"
    );
    let m = Model::from_params(ModelKind::BgNbd, &[0.2, 4.0, 1.0, 1.0]).unwrap();
    let e = m.predict(f64::NAN, &[1.0], &[1.0], &[2.0], 1).unwrap_err();
    assert!(matches!(
        e,
        ModelError::InvalidOption {
            name: "horizon",
            ..
        }
    ));
    let e = clv(
        &m,
        &[1.0],
        &[1.0],
        &[2.0],
        &[-5.0],
        &ClvOptions::default(),
        1,
    )
    .unwrap_err();
    assert!(matches!(
        e,
        ModelError::InvalidValue {
            column: "spend",
            row: 0,
            ..
        }
    ));
}

#[test]
fn gamma_gamma_needs_repeat_customers_with_positive_spend() {
    let e = fit_gamma_gamma(&[0.0, 0.0], &[0.0, 0.0], &FitOptions::default()).unwrap_err();
    assert_eq!(e, ModelError::NoRepeatCustomers);
    let e = fit_gamma_gamma(&[0.0, 2.0], &[0.0, -4.0], &FitOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ModelError::InvalidValue {
                column: "monetary",
                row: 1,
                ..
            }
        ),
        "{e}"
    );
}
