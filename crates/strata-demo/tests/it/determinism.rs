//! Same seed, same bytes; another seed, other bytes.

use std::path::Path;

use strata_demo::{DemoConfig, generate};

fn run(seed: u64, dir: &Path) -> Vec<Vec<u8>> {
    let cfg = DemoConfig {
        customers: 300,
        seed,
        ..DemoConfig::default()
    };
    let summary = generate(&cfg, dir, &mut |_| {}).unwrap();
    let f = &summary.files;
    [
        &f.customers,
        &f.orders,
        &f.order_items,
        &f.events,
        &f.reviews,
    ]
    .iter()
    .map(|p| std::fs::read(p).unwrap())
    .collect()
}

#[test]
fn same_seed_gives_identical_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = run(7, a.path());
    let second = run(7, b.path());
    for (x, y) in first.iter().zip(&second) {
        assert!(!x.is_empty());
        assert!(x == y, "files differ for the same seed");
    }
}

#[test]
fn different_seed_gives_different_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = run(7, a.path());
    let second = run(8, b.path());
    for (x, y) in first.iter().zip(&second) {
        assert!(x != y, "a file is the same for two seeds");
    }
}

#[test]
fn progress_is_reported_and_counts_match() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        customers: 5000,
        ..DemoConfig::default()
    };
    let mut calls = Vec::new();
    let s = generate(&cfg, dir.path(), &mut |n| calls.push(n)).unwrap();
    assert_eq!(calls, vec![4096, 5000]);
    assert_eq!(s.customers, 5000);
    let lines = |p: &Path| {
        std::fs::read(p)
            .unwrap()
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
    };
    assert_eq!(lines(&s.files.customers), 5001);
    assert_eq!(lines(&s.files.orders), s.orders + 1);
    assert_eq!(lines(&s.files.order_items), s.order_items + 1);
    assert_eq!(lines(&s.files.events), s.events);
    assert!(s.orders > 5000 && s.events > s.orders && s.reviews > 0);
}

#[test]
fn rejects_a_zero_year_window() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        years: 0,
        ..DemoConfig::default()
    };
    let err = generate(&cfg, dir.path(), &mut |_| {}).unwrap_err();
    assert!(
        err.to_string().starts_with("invalid demo configuration"),
        "{err}"
    );
}

#[test]
fn without_events_the_orders_are_the_same_and_no_events_are_written() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let full = run(7, a.path());
    let cfg = DemoConfig {
        customers: 300,
        seed: 7,
        events: false,
        ..DemoConfig::default()
    };
    let s = generate(&cfg, b.path(), &mut |_| {}).unwrap();
    assert_eq!(s.events, 0);
    assert!(!s.files.events.exists());
    assert!(
        std::fs::read(&s.files.orders).unwrap() == full[1],
        "orders differ"
    );
    assert!(
        std::fs::read(&s.files.order_items).unwrap() == full[2],
        "items differ"
    );
    assert!(
        std::fs::read(&s.files.reviews).unwrap() == full[4],
        "reviews differ"
    );
}
