//! Rules to DataFusion expressions. Every segment becomes one boolean expression over a wide
//! per-customer table: the customer table's columns, plus one aggregate column per distinct
//! behaviour a rule counts (events, orders, order lines, reviews). The aggregates of all
//! segments are gathered first, so each source table is scanned once for all of them
//! ([`crate::eval`]). Names are checked against a [`Catalog`] of what the workspace holds;
//! every problem in a rule is reported at once, with its place and the nearest valid name.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow::datatypes::DataType;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::logical_expr::{ExprFunctionExt, case};
use datafusion::prelude::*;
use datafusion::scalar::ScalarValue;
use strata_import::value::{norm_channel, norm_device, norm_event_type, norm_page, norm_province};

use crate::ast::*;
use crate::error::{Problem, RuleError, SegmentError};

/// The customer table every segment is evaluated over.
pub const CUSTOMER_TABLE: &str = "customer_profile";

/// What the workspace holds, for checking names and values in rules.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Columns of the customer table, then those of `customers` it lacks, with their types.
    pub columns: Vec<(String, DataType)>,
    /// Which of those come from `customers` (joined in when a rule uses them).
    pub customer_columns: BTreeSet<String>,
    /// Event types known to the vocabulary or seen in the data.
    pub events: Vec<String>,
    /// Page types known to the vocabulary or seen in the data.
    pub pages: Vec<String>,
    /// Categories and brands in the order lines.
    pub categories: Vec<String>,
    pub brands: Vec<String>,
    /// Saved segments by name, parsed.
    pub segments: BTreeMap<String, Rule>,
}

impl Catalog {
    /// A column by name; case does not matter, as in SQL.
    fn column(&self, name: &str) -> Option<(&str, &DataType)> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(n, t)| (n.as_str(), t))
    }
}

/// Closed sets of values of the customer table's derived columns: a value outside is a typo.
fn closed_values(column: &str) -> Option<Vec<&'static str>> {
    use strata_features::segment as s;
    Some(match column {
        "spend_tier" => s::TIERS.to_vec(),
        "rfm_segment" => s::RFM_SEGMENTS.to_vec(),
        "rfm_class" => s::RFM_CLASSES.to_vec(),
        "customer_type" => s::TYPES.to_vec(),
        "lifecycle" => s::STAGES.to_vec(),
        "rule_segment" => vec!["loyal", "potential_churn", "regular"],
        "risk_tier" => vec!["high", "medium", "low"],
        "city_tier" => vec!["tier1", "new_tier1", "tier2", "lower"],
        "gender" => vec!["female", "male", "unknown"],
        _ => return None,
    })
}

/// Folds a value written for `column` the way import folds that column.
fn fold(column: &str, value: &str) -> String {
    match column {
        "preferred_channel" | "acquisition_channel" => norm_channel(value),
        "preferred_device" => norm_device(value),
        "province" => norm_province(value),
        "gender" => strata_import::value::norm_gender(value)
            .map(str::to_string)
            .unwrap_or_else(|_| value.to_string()),
        _ => value.to_string(),
    }
}

/// The analysis date's end and the shop's time zone: what relative windows resolve against.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The end of the analysis date (exclusive), µs since the epoch.
    pub end_us: i64,
    pub tz: Tz,
}

impl Clock {
    /// The analysis date `as_of` in `tz`.
    pub fn new(as_of: NaiveDate, tz: Tz) -> Clock {
        let next = as_of.succ_opt().unwrap_or(as_of);
        Clock {
            end_us: start_of_day(tz, next),
            tz,
        }
    }

    fn day_start(&self, d: NaiveDate) -> i64 {
        start_of_day(self.tz, d)
    }

    /// `[start, end)` of a window, in µs; `None` for no lower bound.
    fn bounds(&self, w: &Window) -> (Option<i64>, i64) {
        match w {
            Window::Ever => (None, self.end_us),
            Window::Last(n, u) => (Some(self.end_us - i64::from(*n) * u.micros()), self.end_us),
            Window::Between(a, b) => (
                Some(self.day_start(*a)),
                self.end_us.min(self.day_start(b.succ_opt().unwrap_or(*b))),
            ),
            Window::Since(d) => (Some(self.day_start(*d)), self.end_us),
            Window::Before(d) => (None, self.end_us.min(self.day_start(*d))),
        }
    }
}

fn start_of_day(tz: Tz, d: NaiveDate) -> i64 {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    tz.from_local_datetime(&midnight).earliest().map_or_else(
        || midnight.and_utc().timestamp_micros(),
        |t| t.timestamp_micros(),
    )
}

pub(crate) fn ts(us: i64) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(us),
        Some(Arc::from("UTC")),
    ))
}

/// An aggregate column of the wide table, computed from one source.
#[derive(Debug, Clone)]
pub(crate) struct Agg {
    pub alias: String,
    pub expr: Expr,
}

/// Per-line flags and amounts of order lines, for the two-step line aggregates.
#[derive(Debug, Clone)]
pub(crate) struct LineAgg {
    /// Per order: whether a line matches (`max` of 1/0), or what matching lines paid.
    pub order_alias: String,
    pub order_expr: Expr,
}

/// The aggregates every segment needs, shared between them, and the customer columns used.
#[derive(Debug, Clone, Default)]
pub struct Needs {
    pub(crate) events: Vec<Agg>,
    pub(crate) orders: Vec<Agg>,
    pub(crate) lines: Vec<LineAgg>,
    /// Per customer, over the per-order line values.
    pub(crate) line_orders: Vec<Agg>,
    pub(crate) reviews: Vec<Agg>,
    pub(crate) columns: BTreeSet<String>,
    pub(crate) first_seen: bool,
    seen: HashMap<String, String>,
}

impl Needs {
    fn add(
        list: &mut Vec<Agg>,
        seen: &mut HashMap<String, String>,
        prefix: &str,
        key: String,
        expr: Expr,
    ) -> Expr {
        let alias = seen
            .entry(key)
            .or_insert_with(|| {
                let alias = format!("__{prefix}{}", list.len());
                list.push(Agg {
                    alias: alias.clone(),
                    expr: expr.clone(),
                });
                alias
            })
            .clone();
        ident(alias)
    }

    fn line(&mut self, key: String, expr: Expr) -> Expr {
        let alias = self
            .seen
            .entry(key)
            .or_insert_with(|| {
                let alias = format!("__l{}", self.lines.len());
                self.lines.push(LineAgg {
                    order_alias: alias.clone(),
                    order_expr: expr,
                });
                alias
            })
            .clone();
        ident(alias)
    }

    pub fn uses_events(&self) -> bool {
        !self.events.is_empty() || self.first_seen
    }
}

/// One condition of a rule as `explain` shows it: what it says, whether it holds, and the
/// value it looked at.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Nesting: 0 for the rule's own conditions, 1 for those of a segment it names, …
    pub depth: usize,
    pub text: String,
    pub holds: Expr,
    /// What the value shown is (a column, "times", "spent") and its expression.
    pub shown: Option<(String, Expr)>,
}

/// Segments compiled together.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub needs: Needs,
    /// Each segment's membership as a boolean expression over the wide table.
    pub segments: Vec<(String, Expr)>,
}

/// Compiles rules against a catalog.
pub struct Compiler<'a> {
    catalog: &'a Catalog,
    clock: Clock,
    pub needs: Needs,
    /// Compiled saved segments, for `in segment`.
    done: HashMap<String, Expr>,
    /// Segments being compiled, for cycles.
    stack: Vec<String>,
}

struct Cx<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    /// Leaves for `explain`, when collected.
    leaves: Option<Vec<Leaf>>,
    depth: usize,
}

impl Cx<'_> {
    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push(Problem::at(self.text, span, message));
    }
}

fn did_you_mean<'a>(written: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match strata_store::names::nearest(written, known) {
        Some(k) => format!("; did you mean `{k}`?"),
        None => String::new(),
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n, _) => n.parse().ok(),
        _ => None,
    }
}

enum ColType {
    Number,
    Text,
    Time,
    Bool,
}

fn col_type(t: &DataType) -> Option<ColType> {
    Some(match t {
        t if t.is_numeric() => ColType::Number,
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => ColType::Text,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => ColType::Time,
        DataType::Boolean => ColType::Bool,
        _ => return None,
    })
}

fn cmp(l: Expr, op: CmpOp, r: Expr) -> Expr {
    match op {
        CmpOp::Eq => l.eq(r),
        CmpOp::Ne => l.not_eq(r),
        CmpOp::Lt => l.lt(r),
        CmpOp::Le => l.lt_eq(r),
        CmpOp::Gt => l.gt(r),
        CmpOp::Ge => l.gt_eq(r),
    }
}

/// True only when `e` is true: a condition on an empty value is false.
fn definite(e: Expr) -> Expr {
    e.is_true()
}

fn and_all(items: Vec<Expr>) -> Expr {
    items.into_iter().reduce(Expr::and).unwrap_or(lit(true))
}

fn window_filter(c: Expr, (start, end): (Option<i64>, i64)) -> Expr {
    let upper = c.clone().lt(ts(end));
    match start {
        Some(s) => c.gt_eq(ts(s)).and(upper),
        None => upper,
    }
}

fn window_key((start, end): (Option<i64>, i64)) -> String {
    format!("{start:?}..{end}")
}

impl<'a> Compiler<'a> {
    pub fn new(catalog: &'a Catalog, clock: Clock) -> Compiler<'a> {
        Compiler {
            catalog,
            clock,
            needs: Needs::default(),
            done: HashMap::new(),
            stack: Vec::new(),
        }
    }

    /// Checks a rule against the catalog without keeping what it needs: every problem, with
    /// those of the parser, at once.
    pub fn check(
        catalog: &Catalog,
        clock: Clock,
        name: Option<&str>,
        text: &str,
    ) -> Result<Rule, SegmentError> {
        let (rule, mut problems) = crate::parse::parse_partial(text);
        let mut c = Compiler::new(catalog, clock);
        if let Some(name) = name {
            c.stack.push(name.to_string());
        }
        if let Some(rule) = &rule {
            let mut cx = Cx {
                text,
                problems: Vec::new(),
                leaves: None,
                depth: 0,
            };
            match c.rule(rule, &mut cx) {
                Ok(_) => {}
                Err(e) => return Err(e),
            }
            problems.extend(cx.problems);
        }
        problems.sort_by_key(|p| (p.line, p.column));
        problems.dedup();
        match rule {
            Some(rule) if problems.is_empty() => Ok(rule),
            _ => Err(SegmentError::Rule(RuleError {
                rule: text.to_string(),
                problems,
            })),
        }
    }

    /// Compiles the saved segment `name` (and those it names); its membership expression.
    pub fn segment(&mut self, name: &str) -> Result<Expr, SegmentError> {
        if let Some(e) = self.done.get(name) {
            return Ok(e.clone());
        }
        if let Some(at) = self.stack.iter().position(|s| s == name) {
            let mut path: Vec<&str> = self.stack[at..].iter().map(String::as_str).collect();
            path.push(name);
            return Err(SegmentError::Cycle {
                name: self.stack[0].clone(),
                path: path.join(" → "),
            });
        }
        let Some(rule) = self.catalog.segments.get(name) else {
            return Err(SegmentError::NotFound(format!(
                "no segment `{name}`{}",
                did_you_mean(name, self.catalog.segments.keys().map(String::as_str))
            )));
        };
        let text = rule.to_string();
        self.stack.push(name.to_string());
        let mut cx = Cx {
            text: &text,
            problems: Vec::new(),
            leaves: None,
            depth: 0,
        };
        let e = self.rule(rule, &mut cx);
        self.stack.pop();
        let e = e?;
        if !cx.problems.is_empty() {
            // A saved rule that no longer fits the data (a column gone after a new analysis).
            let problems = std::mem::take(&mut cx.problems);
            return Err(SegmentError::Rule(RuleError {
                rule: format!("{name}: {text}"),
                problems,
            }));
        }
        self.done.insert(name.to_string(), e.clone());
        Ok(e)
    }

    /// The conditions of saved segment `name` for `explain`, each with the value it looked at.
    pub fn leaves(&mut self, name: &str) -> Result<Vec<Leaf>, SegmentError> {
        let Some(rule) = self.catalog.segments.get(name) else {
            return Err(SegmentError::NotFound(format!("no segment `{name}`")));
        };
        let text = rule.to_string();
        self.stack.push(name.to_string());
        let mut cx = Cx {
            text: &text,
            problems: Vec::new(),
            leaves: Some(Vec::new()),
            depth: 0,
        };
        let r = self.rule(rule, &mut cx);
        self.stack.pop();
        r?;
        Ok(cx.leaves.unwrap_or_default())
    }

    fn rule(&mut self, rule: &Rule, cx: &mut Cx<'_>) -> Result<Expr, SegmentError> {
        Ok(match rule {
            Rule::And(items) => {
                let mut out = Vec::new();
                for r in items {
                    out.push(self.rule(r, cx)?);
                }
                and_all(out)
            }
            Rule::Or(items) => {
                let mut out = Vec::new();
                for r in items {
                    out.push(self.rule(r, cx)?);
                }
                out.into_iter().reduce(Expr::or).unwrap_or(lit(false))
            }
            Rule::Not(inner) => self.rule(inner, cx)?.not(),
            Rule::Cond(c) => {
                let (holds, shown) = self.cond(c, cx)?;
                let holds = definite(holds);
                if let Some(leaves) = &mut cx.leaves {
                    leaves.push(Leaf {
                        depth: cx.depth,
                        text: c.to_string(),
                        holds: holds.clone(),
                        shown,
                    });
                    if let CondKind::Segment(n) = &c.kind
                        && cx.depth < 3
                        && let Some(inner) = self.catalog.segments.get(&n.text).cloned()
                    {
                        let text = inner.to_string();
                        let mut sub = Cx {
                            text: &text,
                            problems: Vec::new(),
                            leaves: Some(Vec::new()),
                            depth: cx.depth + 1,
                        };
                        self.stack.push(n.text.clone());
                        let r = self.rule(&inner, &mut sub);
                        self.stack.pop();
                        r?;
                        if let (Some(leaves), Some(sub)) = (&mut cx.leaves, sub.leaves) {
                            leaves.extend(sub);
                        }
                    }
                }
                holds
            }
        })
    }

    /// A condition's expression (may be null where a value is missing) and what `explain`
    /// shows beside it.
    fn cond(
        &mut self,
        c: &Cond,
        cx: &mut Cx<'_>,
    ) -> Result<(Expr, Option<(String, Expr)>), SegmentError> {
        let bad = (lit(false), None);
        Ok(match &c.kind {
            CondKind::Invalid => bad,
            CondKind::Segment(n) => {
                if !self.catalog.segments.contains_key(&n.text) {
                    let hint =
                        did_you_mean(&n.text, self.catalog.segments.keys().map(String::as_str));
                    cx.problem(n.span, format!("unknown segment `{}`{hint}", n.text));
                    return Ok(bad);
                }
                (self.segment(&n.text)?, None)
            }
            CondKind::Compare { left, op, right } => {
                let Some((e, t, column)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                let shown = Some((left.to_string(), e.clone()));
                let Some(r) = self.compare(&e, &t, column.as_deref(), *op, right, cx) else {
                    return Ok((lit(false), shown));
                };
                (r, shown)
            }
            CondKind::In {
                left,
                negated,
                values,
            } => {
                let Some((e, t, column)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                let shown = Some((left.to_string(), e.clone()));
                let mut any = Vec::new();
                for v in values {
                    if let Some(x) = self.compare(&e, &t, column.as_deref(), CmpOp::Eq, v, cx) {
                        any.push(definite(x));
                    }
                }
                let r = any.into_iter().reduce(Expr::or).unwrap_or(lit(false));
                // `not in` is false for an empty value, as `in` is.
                let r = if *negated {
                    e.clone().is_not_null().and(r.not())
                } else {
                    r
                };
                (r, shown)
            }
            CondKind::Between {
                left,
                negated,
                low,
                high,
            } => {
                let Some((e, t, column)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                let shown = Some((left.to_string(), e.clone()));
                let lo = self.compare(&e, &t, column.as_deref(), CmpOp::Ge, low, cx);
                let hi = self.compare(&e, &t, column.as_deref(), CmpOp::Le, high, cx);
                let (Some(lo), Some(hi)) = (lo, hi) else {
                    return Ok((lit(false), shown));
                };
                let r = lo.and(hi);
                (if *negated { r.not() } else { r }, shown)
            }
            CondKind::IsNull { left, negated } => {
                let Some((e, _, _)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                let shown = Some((left.to_string(), e.clone()));
                (
                    if *negated {
                        e.is_not_null()
                    } else {
                        e.is_null()
                    },
                    shown,
                )
            }
            CondKind::Contains {
                left,
                negated,
                text,
            } => {
                let Some((e, t, _)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                let shown = Some((left.to_string(), e.clone()));
                if !matches!(t, ColType::Text) {
                    cx.problem(
                        left.span(),
                        format!("`contains` needs a text column; {left} is not text"),
                    );
                    return Ok(bad);
                }
                let needle = match text {
                    Value::Text(s, _) | Value::Number(s, _) => s.clone(),
                    other => {
                        cx.problem(
                            other.span(),
                            format!("expected text after `contains`, found {other}"),
                        );
                        return Ok(bad);
                    }
                };
                let r = strpos(e, lit(needle)).gt(lit(0i64));
                (if *negated { r.not() } else { r }, shown)
            }
            CondKind::Truthy(left) => {
                let Some((e, t, _)) = self.operand(left, cx) else {
                    return Ok(bad);
                };
                if !matches!(t, ColType::Bool) {
                    cx.problem(
                        left.span(),
                        format!("{left} alone is a condition only for a true/false column; expected a comparison such as `{left} = …`"),
                    );
                    return Ok(bad);
                }
                (e.clone(), Some((left.to_string(), e)))
            }
            CondKind::Behaviour {
                verb,
                negated,
                freq,
                window,
                excluding_new,
            } => {
                let bounds = self.clock.bounds(window);
                let Some(count) = self.count(verb, bounds, cx) else {
                    return Ok(bad);
                };
                let count = coalesce(vec![count, lit(0i64)]);
                let mut r = cmp(count.clone(), freq.op, lit(i64::from(freq.n)));
                if *negated {
                    r = r.not();
                }
                if *excluding_new && let Some(start) = bounds.0 {
                    self.needs.first_seen = true;
                    r = r.and(ident("__first_seen").lt(ts(start)));
                }
                (r, Some(("times".into(), count)))
            }
            CondKind::Spent {
                item,
                window,
                op,
                amount,
            } => {
                let Some(n) = num(amount) else {
                    cx.problem(
                        amount.span(),
                        format!("expected an amount after `{}`, found {amount}", op.symbol()),
                    );
                    return Ok(bad);
                };
                let bounds = self.clock.bounds(window);
                let sum = match item {
                    None => {
                        let f = window_filter(ident("ordered_at"), bounds).and(paid());
                        let e = sum(cast(ident("paid_amount"), DataType::Float64))
                            .filter(f)
                            .build()?;
                        Needs::add(
                            &mut self.needs.orders,
                            &mut self.needs.seen,
                            "o",
                            format!("spent|{}", window_key(bounds)),
                            e,
                        )
                    }
                    Some(item) => {
                        let Some(pred) = self.item_pred(item, cx) else {
                            return Ok(bad);
                        };
                        let per_order = self.needs.line(
                            format!("amount|{pred}"),
                            sum(cast(ident("line_amount"), DataType::Float64))
                                .filter(pred)
                                .build()?,
                        );
                        let f = window_filter(ident("ordered_at"), bounds);
                        let e = sum(per_order.clone()).filter(f).build()?;
                        Needs::add(
                            &mut self.needs.line_orders,
                            &mut self.needs.seen,
                            "lo",
                            format!("spent|{per_order}|{}", window_key(bounds)),
                            e,
                        )
                    }
                };
                let sum = coalesce(vec![sum, lit(0f64)]);
                (cmp(sum.clone(), *op, lit(n)), Some(("spent".into(), sum)))
            }
        })
    }

    /// An operand as an expression over the wide table, its type, and the column name.
    fn operand(&mut self, o: &Operand, cx: &mut Cx<'_>) -> Option<(Expr, ColType, Option<String>)> {
        match o {
            Operand::Column(n) => {
                let catalog = self.catalog;
                let Some((name, t)) = catalog.column(&n.text) else {
                    let name = n.text.as_str();
                    let hint =
                        did_you_mean(name, self.catalog.columns.iter().map(|(n, _)| n.as_str()));
                    let hint = if hint.is_empty() && self.catalog.columns.is_empty() {
                        " (run `strata analyze` first: segments use the customer table)".to_string()
                    } else {
                        hint
                    };
                    cx.problem(n.span, format!("unknown column `{name}`{hint}"));
                    return None;
                };
                let Some(ct) = col_type(t) else {
                    cx.problem(
                        n.span,
                        format!("column `{name}` ({t}) cannot be used in a rule"),
                    );
                    return None;
                };
                self.needs.columns.insert(name.to_string());
                Some((ident(name), ct, Some(name.to_string())))
            }
            Operand::FirstTime(a, _) | Operand::LastTime(a, _) => {
                let first = matches!(o, Operand::FirstTime(..));
                let end = self.clock.end_us;
                let (agg, key, src) = match a {
                    Activity::Order => (
                        if first {
                            min(ident("ordered_at"))
                        } else {
                            max(ident("ordered_at"))
                        },
                        format!("time|order|{first}"),
                        0,
                    ),
                    _ => {
                        let pred = self.activity(a, cx)?;
                        let f = pred.clone();
                        let t = ident("event_time");
                        (
                            (if first { min(t) } else { max(t) })
                                .filter(f)
                                .build()
                                .ok()?,
                            format!("time|{pred}|{first}"),
                            1,
                        )
                    }
                };
                let agg = if src == 0 {
                    agg.filter(paid().and(ident("ordered_at").lt(ts(end))))
                        .build()
                        .ok()?
                } else {
                    agg
                };
                let e = if src == 0 {
                    Needs::add(&mut self.needs.orders, &mut self.needs.seen, "o", key, agg)
                } else {
                    Needs::add(&mut self.needs.events, &mut self.needs.seen, "e", key, agg)
                };
                Some((e, ColType::Time, None))
            }
        }
    }

    /// `left OP value`, typed by the column; `None` (with a problem) when the value does not fit.
    fn compare(
        &mut self,
        e: &Expr,
        t: &ColType,
        column: Option<&str>,
        op: CmpOp,
        v: &Value,
        cx: &mut Cx<'_>,
    ) -> Option<Expr> {
        let what = column.unwrap_or("the time");
        match t {
            ColType::Number => {
                let Some(n) = num(v) else {
                    cx.problem(
                        v.span(),
                        format!("expected a number for `{what}`, found {v}"),
                    );
                    return None;
                };
                Some(cmp(cast(e.clone(), DataType::Float64), op, lit(n)))
            }
            ColType::Text => {
                let raw = match v {
                    Value::Text(s, _) | Value::Number(s, _) => s.clone(),
                    Value::Date(d, _) => d.to_string(),
                    Value::Ago(..) => {
                        cx.problem(v.span(), format!("expected a value of `{what}`, found {v}"));
                        return None;
                    }
                };
                let value = column.map_or(raw.clone(), |c| fold(c, &raw));
                if let Some(c) = column
                    && let Some(known) = closed_values(c)
                    && !known.contains(&value.as_str())
                {
                    // Case slips are forgiven where the spelling is otherwise exact.
                    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&value)) {
                        return Some(cmp(e.clone(), op, lit(k.to_string())));
                    }
                    let hint = did_you_mean(&value, known.iter().copied());
                    cx.problem(
                        v.span(),
                        format!(
                            "`{raw}` is not a value of `{c}`{hint} (expected one of {})",
                            known.join(", ")
                        ),
                    );
                    return None;
                }
                Some(cmp(e.clone(), op, lit(value)))
            }
            ColType::Time => {
                let (lo, hi) = match v {
                    Value::Date(d, _) => (
                        self.clock.day_start(*d),
                        self.clock.day_start(d.succ_opt().unwrap_or(*d)),
                    ),
                    Value::Ago(n, u, _) => {
                        let at = self.clock.end_us - i64::from(*n) * u.micros();
                        (at, at)
                    }
                    _ => {
                        cx.problem(v.span(), format!("expected a date (2026-10-01) or a time such as `30 days ago` for `{what}`, found {v}"));
                        return None;
                    }
                };
                // A date is its whole local day: `<= 2026-10-01` includes that day.
                Some(match op {
                    CmpOp::Eq if lo == hi => e.clone().eq(ts(lo)),
                    CmpOp::Eq => e.clone().gt_eq(ts(lo)).and(e.clone().lt(ts(hi))),
                    CmpOp::Ne if lo == hi => e.clone().not_eq(ts(lo)),
                    CmpOp::Ne => e.clone().lt(ts(lo)).or(e.clone().gt_eq(ts(hi))),
                    CmpOp::Lt => e.clone().lt(ts(lo)),
                    CmpOp::Ge => e.clone().gt_eq(ts(lo)),
                    CmpOp::Le if lo == hi => e.clone().lt_eq(ts(lo)),
                    CmpOp::Le => e.clone().lt(ts(hi)),
                    CmpOp::Gt if lo == hi => e.clone().gt(ts(lo)),
                    CmpOp::Gt => e.clone().gt_eq(ts(hi)),
                })
            }
            ColType::Bool => {
                let b = match v {
                    Value::Text(s, _) | Value::Number(s, _) => {
                        strata_import::value::parse_bool(s).ok()
                    }
                    _ => None,
                };
                let Some(b) = b else {
                    cx.problem(
                        v.span(),
                        format!("expected true or false for `{what}`, found {v}"),
                    );
                    return None;
                };
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    cx.problem(
                        v.span(),
                        format!("`{what}` is true or false: compare it with = or !="),
                    );
                    return None;
                }
                Some(cmp(e.clone(), op, lit(b)))
            }
        }
    }

    /// The event filter of an activity.
    fn activity(&mut self, a: &Activity, cx: &mut Cx<'_>) -> Option<Expr> {
        match a {
            Activity::Event(n) => {
                let ev = norm_event_type(&n.text);
                if !self.catalog.events.contains(&ev) {
                    let hint =
                        did_you_mean(&n.text, self.catalog.events.iter().map(String::as_str));
                    cx.problem(n.span, format!("unknown event `{}`{hint}", n.text));
                    return None;
                }
                Some(ident("event_type").eq(lit(ev)))
            }
            Activity::Page(n) => {
                let page = norm_page(&n.text);
                if !self.catalog.pages.contains(&page) {
                    let hint = did_you_mean(&n.text, self.catalog.pages.iter().map(String::as_str));
                    cx.problem(n.span, format!("unknown page `{}`{hint}", n.text));
                    return None;
                }
                Some(
                    ident("event_type")
                        .eq(lit("page_view"))
                        .and(ident("page").eq(lit(page))),
                )
            }
            Activity::Order => Some(lit(true)),
        }
    }

    /// The line filter of a category, brand or SKU condition.
    fn item_pred(&mut self, item: &ItemFilter, cx: &mut Cx<'_>) -> Option<Expr> {
        let known = match item.field {
            ItemField::Category => Some(&self.catalog.categories),
            ItemField::Brand => Some(&self.catalog.brands),
            ItemField::Sku => None,
        };
        let mut any = Vec::new();
        let mut ok = true;
        for v in &item.values {
            let s = match v {
                Value::Text(s, _) | Value::Number(s, _) => s.clone(),
                other => {
                    cx.problem(
                        other.span(),
                        format!("expected a {} name, found {other}", item.field.column()),
                    );
                    ok = false;
                    continue;
                }
            };
            if let Some(known) = known
                && !known.contains(&s)
            {
                let hint = did_you_mean(&s, known.iter().map(String::as_str));
                let none = if known.is_empty() {
                    " (the order lines have none; import order_items)"
                } else {
                    ""
                };
                cx.problem(
                    v.span(),
                    format!("unknown {} `{s}`{hint}{none}", item.field.column()),
                );
                ok = false;
                continue;
            }
            any.push(ident(item.field.column()).eq(lit(s)));
        }
        ok.then(|| any.into_iter().reduce(Expr::or).unwrap_or(lit(false)))
    }

    /// How many times a behaviour happened in `bounds`, as an aggregate column.
    fn count(&mut self, verb: &Verb, bounds: (Option<i64>, i64), cx: &mut Cx<'_>) -> Option<Expr> {
        let wk = window_key(bounds);
        match verb {
            Verb::Did(a) => {
                let pred = self.activity(a, cx)?;
                let f = pred.clone().and(window_filter(ident("event_time"), bounds));
                let e = count(lit(1)).filter(f).build().ok()?;
                Some(Needs::add(
                    &mut self.needs.events,
                    &mut self.needs.seen,
                    "e",
                    format!("did|{pred}|{wk}"),
                    e,
                ))
            }
            Verb::Refunded => {
                let f = ident("status")
                    .eq(lit("refunded"))
                    .and(window_filter(ident("ordered_at"), bounds));
                let e = count(lit(1)).filter(f).build().ok()?;
                Some(Needs::add(
                    &mut self.needs.orders,
                    &mut self.needs.seen,
                    "o",
                    format!("refunded|{wk}"),
                    e,
                ))
            }
            Verb::Reviewed { rating } => {
                let mut f = window_filter(ident("created_at"), bounds);
                let mut key = format!("reviewed|{wk}");
                if let Some((op, v)) = rating {
                    let Some(n) = num(v).filter(|n| (1.0..=5.0).contains(n)) else {
                        cx.problem(
                            v.span(),
                            format!("expected a rating from 1 to 5, found {v}"),
                        );
                        return None;
                    };
                    f = f.and(cmp(cast(ident("rating"), DataType::Float64), *op, lit(n)));
                    key.push_str(&format!("|{}{n}", op.symbol()));
                }
                let e = count(lit(1)).filter(f).build().ok()?;
                Some(Needs::add(
                    &mut self.needs.reviews,
                    &mut self.needs.seen,
                    "r",
                    key,
                    e,
                ))
            }
            Verb::Bought { item: None, coupon } => {
                let mut f = paid().and(window_filter(ident("ordered_at"), bounds));
                if *coupon {
                    f = f.and(ident("coupon_used").is_true());
                }
                let e = count(lit(1)).filter(f).build().ok()?;
                Some(Needs::add(
                    &mut self.needs.orders,
                    &mut self.needs.seen,
                    "o",
                    format!("bought|{coupon}|{wk}"),
                    e,
                ))
            }
            Verb::Bought {
                item: Some(item),
                coupon,
            } => {
                let pred = self.item_pred(item, cx)?;
                let flag = self.needs.line(
                    format!("flag|{pred}"),
                    max(case(pred.clone())
                        .when(lit(true), lit(1i64))
                        .otherwise(lit(0i64))
                        .ok()?),
                );
                let mut f = flag
                    .clone()
                    .eq(lit(1i64))
                    .and(window_filter(ident("ordered_at"), bounds));
                if *coupon {
                    f = f.and(ident("coupon_used").is_true());
                }
                let e = count(lit(1)).filter(f).build().ok()?;
                Some(Needs::add(
                    &mut self.needs.line_orders,
                    &mut self.needs.seen,
                    "lo",
                    format!("bought|{flag}|{coupon}|{wk}"),
                    e,
                ))
            }
        }
    }
}

/// A paid order: a purchase, as the customer table counts them.
pub(crate) fn paid() -> Expr {
    ident("status").eq(lit("paid"))
}

/// Compiles every saved segment of the catalog (or those in `only`) with what they share.
pub fn compile_all(
    catalog: &Catalog,
    clock: Clock,
    only: Option<&[String]>,
) -> Result<Compiled, SegmentError> {
    let mut c = Compiler::new(catalog, clock);
    let mut segments = Vec::new();
    for name in catalog.segments.keys() {
        if only.is_some_and(|o| !o.contains(name)) {
            continue;
        }
        let e = c.segment(name)?;
        segments.push((name.clone(), e));
    }
    Ok(Compiled {
        needs: c.needs,
        segments,
    })
}
