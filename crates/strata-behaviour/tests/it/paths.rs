//! Paths around a step, on the funnel module's events (C's stored out of order).
//!
//! Around the cart page: a1 add_to_cart → cart → paid; b1 product → cart → (end); b2 the same;
//! c1 product → cart → paid. Around home: seven sessions start with it and go on to a product
//! page, D's second home follows its first, E's home follows a product page and ends it.

use strata_behaviour::paths::paths;
use strata_behaviour::steps::Step;
use strata_store::session;

use strata_testkit::{rt, shop};

fn pairs(v: &[strata_behaviour::paths::Neighbour]) -> Vec<(String, u64)> {
    v.iter().map(|n| (n.step.clone(), n.count)).collect()
}

#[test]
fn steps_before_and_after_by_hand() {
    let s = shop(&[("events", "events.jsonl", crate::funnel::EVENTS)]);
    let ctx = session(&s.ws).unwrap();
    let rt = rt();
    let p = rt
        .block_on(paths(&ctx, &Step::parse("cart").unwrap(), 10))
        .unwrap();
    assert_eq!(p.occurrences, 4);
    let s = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    };
    assert_eq!(pairs(&p.previous), s(&[("product", 3), ("add_to_cart", 1)]));
    assert_eq!(pairs(&p.next), s(&[("(end)", 2), ("paid", 2)]));
    assert!((p.next[0].share - 0.5).abs() < 1e-12);

    let p = rt
        .block_on(paths(&ctx, &Step::parse("home").unwrap(), 10))
        .unwrap();
    assert_eq!(p.occurrences, 9);
    assert_eq!(
        pairs(&p.previous),
        s(&[("(start)", 7), ("home", 1), ("product", 1)])
    );
    assert_eq!(
        pairs(&p.next),
        s(&[("product", 7), ("(end)", 1), ("home", 1)])
    );
    // Top 1 only.
    let p = rt
        .block_on(paths(&ctx, &Step::parse("home").unwrap(), 1))
        .unwrap();
    assert_eq!(p.next.len(), 1);
}
