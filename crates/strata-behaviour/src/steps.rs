//! Funnel steps: what a user writes (`home`, `cart`, `paid`, `page:search`,
//! `event:video_view`) and the predicate over `events` each one means.
//!
//! A bare name that is a page type (home, category, product, cart, checkout, search) is a page
//! view of that page; `paid` is an `order_paid` event; any other bare name is an event type.
//! Predicates are DataFusion expressions, never SQL glued from the user's text.

use datafusion::prelude::{Expr, col, lit};

use crate::{BehaviourError, Result};

/// Page types the `page` column holds for page views.
pub const PAGES: [&str; 6] = ["home", "category", "product", "cart", "checkout", "search"];

/// The reports' funnel.
pub const DEFAULT_STEPS: [&str; 6] = ["home", "category", "product", "cart", "checkout", "paid"];

/// Most steps a funnel may have (one bit each in a 32-bit mask).
pub const MAX_STEPS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A page view of this page type.
    Page(String),
    /// An event of this type.
    Event(String),
}

impl Step {
    /// Parses one step as written on the command line.
    pub fn parse(text: &str) -> Result<Step> {
        let t = text.trim();
        let bad = |why: &str| {
            BehaviourError::Invalid(format!(
                "step `{text}`: {why}; expected a page type ({}), `paid`, an event type such as add_to_cart, or page:NAME / event:NAME",
                PAGES.join(", ")
            ))
        };
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        if let Some(p) = t.strip_prefix("page:") {
            return if name_ok(p) {
                Ok(Step::Page(p.to_string()))
            } else {
                Err(bad("the page name is empty or has spaces or punctuation"))
            };
        }
        if let Some(e) = t.strip_prefix("event:") {
            return if name_ok(e) {
                Ok(Step::Event(e.to_string()))
            } else {
                Err(bad("the event name is empty or has spaces or punctuation"))
            };
        }
        if !name_ok(t) {
            return Err(bad("not a name"));
        }
        Ok(if PAGES.contains(&t) {
            Step::Page(t.to_string())
        } else if t == "paid" {
            Step::Event("order_paid".into())
        } else {
            Step::Event(t.to_string())
        })
    }

    /// A list separated by commas or arrows (`home,cart,paid`, `home>cart>paid`, `home → cart`).
    pub fn parse_list(text: &str) -> Result<Vec<Step>> {
        let steps = text
            .split([',', '>', '→'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Step::parse)
            .collect::<Result<Vec<_>>>()?;
        check_count(steps.len())?;
        Ok(steps)
    }

    /// Short name for tables: the page type, or the event type.
    pub fn label(&self) -> String {
        match self {
            Step::Page(p) => p.clone(),
            Step::Event(e) if e == "order_paid" => "paid".into(),
            Step::Event(e) => e.clone(),
        }
    }

    /// The rows of `events` this step matches.
    pub fn predicate(&self) -> Expr {
        match self {
            Step::Page(p) => col("event_type")
                .eq(lit("page_view"))
                .and(col("page").eq(lit(p.as_str()))),
            Step::Event(e) => col("event_type").eq(lit(e.as_str())),
        }
    }
}

pub fn check_count(n: usize) -> Result<()> {
    if !(2..=MAX_STEPS).contains(&n) {
        return Err(BehaviourError::Invalid(format!(
            "a funnel needs 2 to {MAX_STEPS} steps, got {n}"
        )));
    }
    Ok(())
}

/// The reports' default funnel, home → category → product → cart → checkout → paid.
pub fn default_steps() -> Vec<Step> {
    DEFAULT_STEPS
        .iter()
        .map(|s| Step::parse(s).expect("default steps parse"))
        .collect()
}

/// The label of an event for paths: the page type of a page view, else the event type.
pub fn event_label(event_type: &str, page: Option<&str>) -> String {
    match (event_type, page) {
        ("page_view", Some(p)) if !p.is_empty() => p.to_string(),
        ("order_paid", _) => "paid".to_string(),
        (e, _) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_pages_events_or_errors() {
        assert_eq!(Step::parse("cart").unwrap(), Step::Page("cart".into()));
        assert_eq!(
            Step::parse("paid").unwrap(),
            Step::Event("order_paid".into())
        );
        assert_eq!(
            Step::parse("add_to_cart").unwrap(),
            Step::Event("add_to_cart".into())
        );
        assert_eq!(
            Step::parse("page:landing").unwrap(),
            Step::Page("landing".into())
        );
        assert_eq!(
            Step::parse("event:cart").unwrap(),
            Step::Event("cart".into())
        );
        let e = Step::parse("home page").unwrap_err().to_string();
        assert!(e.contains("`home page`") && e.contains("page:NAME"), "{e}");
        assert!(Step::parse("event:").is_err());
        let list = Step::parse_list("home > product → cart, paid").unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list[3].label(), "paid");
        assert!(Step::parse_list("home").is_err());
        assert_eq!(default_steps().len(), 6);
    }
}
