//! The parser never panics, and a rule it accepts prints to text that parses to the same rule.

use proptest::prelude::*;
use strata_segments::parse;

/// Pieces rules are made of, so that random sequences often parse.
const PIECES: &[&str] = &[
    "a",
    "b",
    "spend_tier",
    "上海",
    "and",
    "or",
    "not",
    "(",
    ")",
    "in",
    "(gold, silver)",
    "between",
    "1",
    "2.5",
    "-3",
    "2026-10-01",
    "\"At risk\"",
    "'x y'",
    "=",
    "!=",
    ">=",
    "<",
    "is",
    "null",
    "contains",
    "did",
    "bought",
    "spent",
    "refunded",
    "reviewed",
    "add_to_cart",
    "page",
    "product",
    "at least",
    "at most",
    "exactly",
    "times",
    "in last 7 days",
    "since",
    "before",
    "ever",
    "excluding new",
    "category",
    "brand",
    "sku",
    "with coupon",
    "rating",
    "<= 2",
    "in segment",
    "first_time(login)",
    "last_time(order)",
    "30 days ago",
    "且",
    "或",
    "非",
    "&&",
    "||",
    "!",
    ",",
    "\n",
];

fn rule_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_parser_never_panics_on_any_text(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn pieces_of_rules_parse_or_fail_cleanly_and_round_trip(text in rule_text()) {
        match parse(&text) {
            Ok(rule) => {
                let printed = rule.to_string();
                let again = parse(&printed);
                prop_assert!(again.is_ok(), "{text:?} printed {printed:?}: {again:?}");
                prop_assert_eq!(again.unwrap(), rule, "{:?} printed {:?}", text, printed);
            }
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.line >= 1 && p.column >= 1);
                }
            }
        }
    }
}
