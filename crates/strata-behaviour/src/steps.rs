//! Funnel steps: what a user writes (`home`, `cart`, `paid`, `page:search`,
//! `event:video_view`) and the predicate over `events` each one means.
//!
//! A bare name that is a page type (home, category, product, cart, checkout, search) is a page
//! view of that page; `paid` is an `order_paid` event; any other bare name is an event type.
//! Names are folded as import folds the `page` and `event_type` columns (`首页` is home,
//! `支付成功` paid, `Add_To_Cart` add_to_cart), so a step matches what the shop's export called
//! it. Predicates are DataFusion expressions, never SQL glued from the user's text.

use arrow::array::{Array, AsArray};
use arrow::datatypes::DataType;
use datafusion::prelude::{Expr, SessionContext, cast, col, lit};
use strata_import::value::{self as vocab, norm_event_type, norm_page};

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
                Ok(Step::Page(norm_page(p)))
            } else {
                Err(bad("the page name is empty or has spaces or punctuation"))
            };
        }
        if let Some(e) = t.strip_prefix("event:") {
            return if name_ok(e) {
                Ok(Step::Event(norm_event_type(e)))
            } else {
                Err(bad("the event name is empty or has spaces or punctuation"))
            };
        }
        if !name_ok(t) {
            return Err(bad("not a name"));
        }
        let page = norm_page(t);
        Ok(if PAGES.contains(&page.as_str()) {
            Step::Page(page)
        } else if t == "paid" {
            Step::Event("order_paid".into())
        } else {
            Step::Event(norm_event_type(t))
        })
    }

    /// A list separated by commas or arrows (`home,cart,paid`, `home>cart>paid`, `home → cart`,
    /// `首页，购物车、支付成功`).
    pub fn parse_list(text: &str) -> Result<Vec<Step>> {
        let steps = split_list(text)
            .map(Step::parse)
            .collect::<Result<Vec<_>>>()?;
        check_count(steps.len())?;
        Ok(steps)
    }

    /// The step as it would be written to mean exactly it: `home`, `page:landing`,
    /// `add_to_cart`, `event:cart` (an event named like a page type).
    pub fn written(&self) -> String {
        match self {
            Step::Page(p) if PAGES.contains(&p.as_str()) => p.clone(),
            Step::Page(p) => format!("page:{p}"),
            Step::Event(_) => {
                let label = self.label();
                if PAGES.contains(&label.as_str()) {
                    format!("event:{label}")
                } else {
                    label
                }
            }
        }
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

/// Names a step can take: the vocabulary's page types and event types with their synonyms,
/// and the pages and event types found in the data.
#[derive(Debug, Default)]
pub struct KnownNames {
    /// Page names and event names as written somewhere (a synonym such as `首页`, or a
    /// name in the data), each with the step it stands for.
    pages: Vec<(String, Step)>,
    events: Vec<(String, Step)>,
    /// Names seen in the data.
    pub data_pages: Vec<String>,
    pub data_events: Vec<String>,
}

impl KnownNames {
    /// The steps found in the data, as a person writes them: page names, then the event types
    /// other than page views.
    pub fn seen_steps(&self) -> Vec<String> {
        let mut seen = self.data_pages.clone();
        seen.extend(
            self.data_events
                .iter()
                .filter(|e| *e != "page_view")
                .map(|e| Step::Event(e.clone()).written()),
        );
        seen
    }

    /// The vocabulary and the distinct pages and event types of `events`.
    pub async fn of(ctx: &SessionContext) -> Result<KnownNames> {
        let mut k = KnownNames::default();
        for &(canon, synonyms) in vocab::PAGES {
            for name in std::iter::once(&canon).chain(synonyms) {
                k.pages
                    .push((name.to_string(), Step::Page(canon.to_string())));
            }
        }
        for &(canon, synonyms) in vocab::EVENT_TYPES {
            for name in std::iter::once(&canon).chain(synonyms) {
                k.events
                    .push((name.to_string(), Step::Event(canon.to_string())));
            }
        }
        // Without an events table there is only the vocabulary.
        let Ok(events) = ctx.table("events").await else {
            return Ok(k);
        };
        let df = events.select(vec![
            cast(col("event_type"), DataType::Utf8).alias("e"),
            cast(col("page"), DataType::Utf8).alias("p"),
        ])?;
        let batches = df.distinct()?.collect().await?;
        for b in &batches {
            let (e, p) = (
                b.column(0).as_string::<i32>(),
                b.column(1).as_string::<i32>(),
            );
            for i in 0..b.num_rows() {
                if e.is_null(i) {
                    continue;
                }
                let e = e.value(i);
                if !k.data_events.iter().any(|x| x == e) {
                    k.data_events.push(e.to_string());
                }
                if e == "page_view"
                    && p.is_valid(i)
                    && !k.data_pages.iter().any(|x| x == p.value(i))
                {
                    k.data_pages.push(p.value(i).to_string());
                }
            }
        }
        k.data_events.sort();
        k.data_pages.sort();
        for p in &k.data_pages {
            k.pages.push((p.clone(), Step::Page(p.clone())));
        }
        for e in &k.data_events {
            k.events.push((e.clone(), Step::Event(e.clone())));
        }
        Ok(k)
    }

    /// Whether `step` is a page or event the vocabulary or the data knows.
    pub fn knows(&self, step: &Step) -> bool {
        match step {
            Step::Page(_) => self.pages.iter().any(|(_, s)| s == step),
            Step::Event(_) => self.events.iter().any(|(_, s)| s == step),
        }
    }

    /// The known step nearest to `written` (edit distance over names and synonyms), written
    /// as a user would, for "did you mean".
    pub fn nearest(&self, written: &str) -> Option<String> {
        let written = written.trim();
        let (candidates, text): (Vec<&(String, Step)>, &str) =
            if let Some(p) = written.strip_prefix("page:") {
                (self.pages.iter().collect(), p)
            } else if let Some(e) = written.strip_prefix("event:") {
                (self.events.iter().collect(), e)
            } else {
                (self.pages.iter().chain(&self.events).collect(), written)
            };
        let text = text.to_lowercase();
        let most = 3.max(text.chars().count() / 2);
        candidates
            .into_iter()
            .map(|(name, step)| (edit_distance(&text, &name.to_lowercase()), step.written()))
            .filter(|(d, _)| *d <= most)
            .min()
            .map(|(_, step)| step)
    }
}

pub use strata_store::names::edit_distance;

/// Errors for a step nobody could mean: a name in neither the vocabulary nor the data. The
/// error names the nearest known name. Costs a scan of `events` only when a step is not in the
/// vocabulary.
pub async fn check_known(ctx: &SessionContext, steps: &[Step]) -> Result<()> {
    let in_vocabulary = |s: &Step| match s {
        Step::Page(p) => PAGES.contains(&p.as_str()),
        Step::Event(e) => vocab::EVENT_TYPES.iter().any(|(c, _)| c == e),
    };
    if steps.iter().all(in_vocabulary) {
        return Ok(());
    }
    let known = KnownNames::of(ctx).await?;
    let Some(s) = steps.iter().find(|s| !known.knows(s)) else {
        return Ok(());
    };
    let written = s.written();
    let what = match s {
        Step::Page(_) => "no page of that name",
        Step::Event(_) => "no page type or event type of that name",
    };
    let hint = match known.nearest(&written) {
        Some(n) => format!("; did you mean `{n}`?"),
        None => String::new(),
    };
    let seen = known.seen_steps();
    Err(BehaviourError::Invalid(format!(
        "step `{written}`: {what} in the events or the vocabulary{hint} (steps in the data: {})",
        if seen.is_empty() {
            "none".to_string()
        } else {
            seen.join(", ")
        }
    )))
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '>', '→', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
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

    #[test]
    fn names_fold_as_import_folds_the_columns() {
        let list = Step::parse_list("首页,商品详情,加入购物车,支付成功,搜索,搜索页").unwrap();
        let labels: Vec<String> = list.iter().map(Step::label).collect();
        assert_eq!(
            labels,
            ["home", "product", "add_to_cart", "paid", "search", "search"]
        );
        assert_eq!(
            list[4],
            Step::Event("search".into()),
            "搜索 is the search event"
        );
        assert_eq!(
            list[5],
            Step::Page("search".into()),
            "搜索页 is the search page"
        );
        assert_eq!(
            Step::parse("Add_To_Cart").unwrap(),
            Step::Event("add_to_cart".into())
        );
        assert_eq!(
            Step::parse("page:详情页").unwrap(),
            Step::Page("product".into())
        );
        assert_eq!(Step::Event("search".into()).written(), "event:search");
        assert_eq!(Step::Page("landing".into()).written(), "page:landing");
        assert_eq!(edit_distance("prodct", "product"), 1);
        assert_eq!(edit_distance("首頁", "首页"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
