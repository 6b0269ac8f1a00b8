//! Page speed and behaviour correlations on four sessions, worked by hand.
//!
//! - s1: home (0.5 s), product (4 s), then nothing: home carried on, product was the exit.
//!   Mean load 2.25 s; no payment.
//! - s2: home (0.8 s), a video view, a payment: home carried on. Mean 0.8 s; paid.
//! - s3: product (3.5 s), nothing else: an exit. Mean 3.5 s; no payment.
//! - s4: home (1.5 s), a coupon claim: home carried on. Mean 1.5 s; no payment.
//!
//! Page views under 1 s: 2, both carried on; 1–2 s: 1, carried on; 3–5 s: 2, none did, a loss
//! of 100% against the fastest. Sessions by mean load: < 1 s one (paid), 1–2 s one, 2–3 s one
//! (no page view there), 3–5 s one.
//! Video views: only s2, which paid: conversion 1 with, 0 of 3 without, r = 1. Coupon claims:
//! only s4: 0 with, 1 of 3 without; r = −0.25 / 0.75 = −1/3.

use strata_behaviour::channels::{drivers, page_speed};
use strata_store::session;

use strata_testkit::{rt, shop};

const EVENTS: &str = r#"{"customer_id":"A","event_time":"2026-03-02 10:00","event_type":"page_view","page":"home","session_id":"s1","page_load_ms":500}
{"customer_id":"A","event_time":"2026-03-02 10:01","event_type":"page_view","page":"product","session_id":"s1","page_load_ms":4000}
{"customer_id":"B","event_time":"2026-03-02 11:00","event_type":"page_view","page":"home","session_id":"s2","page_load_ms":800}
{"customer_id":"B","event_time":"2026-03-02 11:01","event_type":"video_view","session_id":"s2"}
{"customer_id":"B","event_time":"2026-03-02 11:02","event_type":"order_paid","session_id":"s2"}
{"customer_id":"C","event_time":"2026-03-02 12:00","event_type":"page_view","page":"product","session_id":"s3","page_load_ms":3500}
{"customer_id":"D","event_time":"2026-03-02 13:00","event_type":"page_view","page":"home","session_id":"s4","page_load_ms":1500}
{"customer_id":"D","event_time":"2026-03-02 13:01","event_type":"coupon_claim","session_id":"s4"}
"#;

/// bucket, page views, continued, sessions, session conversion
type Speed<'a> = (&'a str, u64, Option<f64>, u64, Option<f64>);

#[test]
fn page_speed_and_behaviour_correlations_by_hand() {
    let s = shop(&[("events", "events.jsonl", EVENTS)]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    let sp = rt.block_on(page_speed(&ctx)).unwrap();
    let got: Vec<Speed> = sp
        .iter()
        .map(|r| {
            (
                r.bucket.as_str(),
                r.page_views,
                r.continued,
                r.sessions,
                r.session_conversion,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("< 1 s", 2, Some(1.0), 1, Some(1.0)),
            ("1–2 s", 1, Some(1.0), 1, Some(0.0)),
            ("2–3 s", 0, None, 1, Some(0.0)),
            ("3–5 s", 2, Some(0.0), 1, Some(0.0)),
        ]
    );
    assert_eq!(sp[3].loss_vs_fastest, Some(1.0));
    assert_eq!(sp[1].loss_vs_fastest, Some(0.0));

    let d = rt.block_on(drivers(&ctx)).unwrap();
    let video = d.iter().find(|x| x.behaviour == "video_views").unwrap();
    assert_eq!(video.sessions, 1);
    assert_eq!(video.conversion_with, Some(1.0));
    assert_eq!(video.conversion_without, Some(0.0));
    assert!((video.r.unwrap() - 1.0).abs() < 1e-12);
    let coupon = d.iter().find(|x| x.behaviour == "coupon_claims").unwrap();
    assert_eq!(coupon.conversion_with, Some(0.0));
    assert!((coupon.conversion_without.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert!((coupon.r.unwrap() + 1.0 / 3.0).abs() < 1e-12);
    // Nobody watched a live stream and no page had a dwell time: those rows are left out.
    assert!(d.iter().all(|x| x.behaviour != "live_watching"));
}
