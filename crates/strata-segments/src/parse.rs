//! The rule language's parser: recursive descent over the tokens, recovering at the next
//! `and`, `or` or `)` after a problem so that every problem is found in one pass. It never
//! panics, whatever the text.

use crate::ast::*;
use crate::error::{Problem, RuleError};
use crate::lex::{Tok, Token, lex};

/// Words with a meaning in the grammar; a value spelled like one is printed in quotes.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "between",
    "is",
    "null",
    "contains",
    "segment",
    "did",
    "bought",
    "spent",
    "refunded",
    "reviewed",
    "at",
    "least",
    "most",
    "exactly",
    "times",
    "time",
    "last",
    "ever",
    "since",
    "before",
    "ago",
    "excluding",
    "new",
    "with",
    "coupon",
    "rating",
    "page",
    "category",
    "brand",
    "sku",
    "within",
    "the",
    "且",
    "并且",
    "或",
    "或者",
    "非",
];

pub fn is_keyword(word: &str) -> bool {
    let w = word.to_lowercase();
    KEYWORDS.contains(&w.as_str())
}

/// Parses `text` into a rule, or every problem found.
pub fn parse(text: &str) -> Result<Rule, RuleError> {
    let (rule, problems) = parse_partial(text);
    match rule {
        Some(rule) if problems.is_empty() => Ok(rule),
        _ => Err(RuleError {
            rule: text.to_string(),
            problems,
        }),
    }
}

/// Parses as much as can be understood: the rule (with [`CondKind::Invalid`] where a
/// condition did not parse) and the problems. Name checks run on the partial rule, so that
/// one report holds every problem.
pub fn parse_partial(text: &str) -> (Option<Rule>, Vec<Problem>) {
    let (tokens, mut problems) = lex(text);
    let mut p = Parser {
        text,
        tokens,
        pos: 0,
        problems: Vec::new(),
        depth: 0,
    };
    if p.tokens.is_empty() {
        problems.push(Problem::at(
            text,
            Span::new(0, 0),
            "the rule is empty; expected a condition such as `spend_tier = gold`",
        ));
        return (None, problems);
    }
    let rule = p.or();
    while p.pos < p.tokens.len() {
        let t = p.tokens[p.pos].clone();
        let msg = if t.tok == Tok::RParen {
            "`)` without a matching `(`".to_string()
        } else {
            format!(
                "expected `and`, `or` or the end of the rule, found {}",
                t.tok.describe()
            )
        };
        p.problem(t.span, msg);
        p.pos += 1;
        p.sync();
    }
    problems.extend(p.problems);
    problems.sort_by_key(|p| (p.line, p.column));
    problems.dedup();
    (Some(rule), problems)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    problems: Vec<Problem>,
    /// Parentheses open, so that deep nesting cannot exhaust the stack.
    depth: usize,
}

const MAX_DEPTH: usize = 64;

fn word_is(tok: &Tok, words: &[&str]) -> bool {
    matches!(tok, Tok::Word(w) if words.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

fn is_and(tok: &Tok) -> bool {
    *tok == Tok::AndSym || word_is(tok, &["and", "且", "并且"])
}

fn is_or(tok: &Tok) -> bool {
    *tok == Tok::OrSym || word_is(tok, &["or", "或", "或者"])
}

fn is_not(tok: &Tok) -> bool {
    *tok == Tok::NotSym || word_is(tok, &["not", "非"])
}

/// `and`, `or`, `not` in either language.
fn is_connective(word: &str) -> bool {
    let tok = Tok::Word(word.to_string());
    is_and(&tok) || is_or(&tok) || is_not(&tok)
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word.to_lowercase().as_str() {
        "hour" | "hours" | "h" | "小时" => Unit::Hours,
        "day" | "days" | "d" | "天" | "日" => Unit::Days,
        "week" | "weeks" | "w" | "周" | "星期" => Unit::Weeks,
        "month" | "months" | "个月" | "月" => Unit::Months,
        _ => return None,
    })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + k).map(|t| &t.tok)
    }

    fn span(&self) -> Span {
        self.tokens
            .get(self.pos)
            .map_or_else(|| Span::new(self.text.len(), self.text.len()), |t| t.span)
    }

    fn prev_span(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(Span::default(), |t| t.span)
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the rule".to_string(), Tok::describe)
    }

    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push(Problem::at(self.text, span, message));
    }

    fn expected<T>(&mut self, what: &str) -> Option<T> {
        let msg = format!("expected {what}, found {}", self.found());
        let span = self.span();
        self.problem(span, msg);
        None
    }

    fn eat_word(&mut self, words: &[&str]) -> bool {
        if self.peek().is_some_and(|t| word_is(t, words)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Skips to the next `and`, `or` or `)` outside parentheses, or the end.
    fn sync(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::LParen => depth += 1,
                Tok::RParen if depth == 0 => return,
                Tok::RParen => depth -= 1,
                t if depth == 0 && (is_and(t) || is_or(t)) => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn or(&mut self) -> Rule {
        let mut items = vec![self.and()];
        while self.peek().is_some_and(is_or) {
            self.pos += 1;
            items.push(self.and());
        }
        flatten(items, true)
    }

    fn and(&mut self) -> Rule {
        let mut items = vec![self.not()];
        while self.peek().is_some_and(is_and) {
            self.pos += 1;
            items.push(self.not());
        }
        flatten(items, false)
    }

    fn not(&mut self) -> Rule {
        let mut negations = 0;
        while self.peek().is_some_and(is_not) {
            self.pos += 1;
            negations += 1;
        }
        // `not not x` is `x`: a condition is true or false, never unknown.
        let rule = self.primary();
        if negations % 2 == 1 {
            Rule::Not(Box::new(rule))
        } else {
            rule
        }
    }

    fn primary(&mut self) -> Rule {
        if self.peek() == Some(&Tok::LParen) {
            let open = self.span();
            self.pos += 1;
            if self.depth >= MAX_DEPTH {
                self.problem(open, format!("more than {MAX_DEPTH} parentheses deep"));
                self.pos = self.tokens.len();
                return Rule::Cond(invalid(open));
            }
            self.depth += 1;
            let inner = self.or();
            self.depth -= 1;
            if self.peek() == Some(&Tok::RParen) {
                self.pos += 1;
            } else {
                let msg = format!("expected `)` to close the `(`, found {}", self.found());
                let span = self.span();
                self.problem(span, msg);
                self.sync();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                }
            }
            return inner;
        }
        let start = self.span();
        match self.condition() {
            Some(kind) => Rule::Cond(Cond {
                kind,
                span: start.to(self.prev_span()),
            }),
            None => {
                self.sync();
                Rule::Cond(invalid(start))
            }
        }
    }

    fn condition(&mut self) -> Option<CondKind> {
        let Some(tok) = self.peek().cloned() else {
            return self.expected("a condition");
        };
        let Tok::Word(w) = &tok else {
            return self.expected(
                "a condition: a column, `did`, `bought`, `spent`, `refunded`, `reviewed` or `in segment`",
            );
        };
        let lower = w.to_lowercase();
        match lower.as_str() {
            "did" | "bought" | "refunded" | "reviewed" => {
                self.pos += 1;
                self.behaviour(&lower)
            }
            "spent" => {
                self.pos += 1;
                self.spent()
            }
            "in" if self.peek_at(1).is_some_and(|t| word_is(t, &["segment"])) => {
                self.pos += 2;
                let name = self.name("a segment name")?;
                Some(CondKind::Segment(name))
            }
            _ if is_keyword(w) => self.expected(
                "a condition: a column, `did`, `bought`, `spent`, `refunded`, `reviewed` or `in segment`",
            ),
            _ => {
                let left = self.operand()?;
                self.after_operand(left)
            }
        }
    }

    fn operand(&mut self) -> Option<Operand> {
        let span = self.span();
        let Some(Tok::Word(w)) = self.peek().cloned() else {
            return self.expected("a column");
        };
        self.pos += 1;
        let lower = w.to_lowercase();
        if (lower == "first_time" || lower == "last_time") && self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let activity = if self.eat_word(&["order", "orders"]) {
                Activity::Order
            } else {
                self.activity()?
            };
            if self.peek() != Some(&Tok::RParen) {
                return self.expected(&format!("`)` to close `{lower}(`"));
            }
            self.pos += 1;
            let span = span.to(self.prev_span());
            return Some(if lower == "first_time" {
                Operand::FirstTime(activity, span)
            } else {
                Operand::LastTime(activity, span)
            });
        }
        Some(Operand::Column(Name { text: w, span }))
    }

    fn after_operand(&mut self, left: Operand) -> Option<CondKind> {
        let negated = self.peek().is_some_and(is_not)
            && self
                .peek_at(1)
                .is_some_and(|t| word_is(t, &["in", "between", "contains"]));
        if negated {
            self.pos += 1;
        }
        match self.peek().cloned() {
            Some(Tok::Op(op)) if !negated => {
                self.pos += 1;
                let op = CmpOp::from_symbol(op)?;
                let right = self.value()?;
                Some(CondKind::Compare { left, op, right })
            }
            Some(t) if word_is(&t, &["in"]) => {
                self.pos += 1;
                let values = self.list()?;
                Some(CondKind::In {
                    left,
                    negated,
                    values,
                })
            }
            Some(t) if word_is(&t, &["between"]) => {
                self.pos += 1;
                let low = self.value()?;
                if !self.peek().is_some_and(is_and) {
                    return self.expected("`and` between the two ends of `between`");
                }
                self.pos += 1;
                let high = self.value()?;
                Some(CondKind::Between {
                    left,
                    negated,
                    low,
                    high,
                })
            }
            Some(t) if word_is(&t, &["contains"]) => {
                self.pos += 1;
                let text = self.value()?;
                Some(CondKind::Contains {
                    left,
                    negated,
                    text,
                })
            }
            Some(t) if word_is(&t, &["is"]) => {
                self.pos += 1;
                let negated = self.peek().is_some_and(is_not);
                if negated {
                    self.pos += 1;
                }
                if !self.eat_word(&["null", "empty"]) {
                    return self.expected("`null` after `is`");
                }
                Some(CondKind::IsNull { left, negated })
            }
            None | Some(Tok::RParen) => Some(CondKind::Truthy(left)),
            Some(t) if is_and(&t) || is_or(&t) => Some(CondKind::Truthy(left)),
            Some(_) => self.expected(&format!(
                "a comparison after {left} (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `between`, `is null`, `contains`), or `and`/`or`"
            )),
        }
    }

    /// A value: a number, a date, text, a bare word, or `N days ago`.
    fn value(&mut self) -> Option<Value> {
        let span = self.span();
        let tok = self.peek().cloned();
        match tok {
            Some(Tok::Number(n)) => {
                self.pos += 1;
                if let Some(Tok::Word(u)) = self.peek().cloned()
                    && let Some(unit) = unit(&u)
                    && self.peek_at(1).is_some_and(|t| word_is(t, &["ago", "前"]))
                {
                    self.pos += 2;
                    let Some(n) = whole(&n) else {
                        self.problem(
                            span,
                            format!("expected a whole number before `{u} ago`, found `{n}`"),
                        );
                        return None;
                    };
                    return Some(Value::Ago(n, unit, span.to(self.prev_span())));
                }
                Some(Value::Number(n, span))
            }
            Some(Tok::Date(d)) => {
                self.pos += 1;
                Some(Value::Date(d, span))
            }
            Some(Tok::Text(t)) => {
                self.pos += 1;
                Some(Value::Text(t, span))
            }
            // A keyword is a value here (`lifecycle = new`): only the connectives would make
            // the rule read two ways.
            Some(Tok::Word(w)) if !is_connective(&w) => {
                self.pos += 1;
                Some(Value::Text(w, span))
            }
            _ => self.expected("a value (a number, a date, a word or text in quotes)"),
        }
    }

    /// `(v, v, …)`.
    fn list(&mut self) -> Option<Vec<Value>> {
        if self.peek() != Some(&Tok::LParen) {
            return self.expected("`(` and a list of values, like (gold, silver)");
        }
        self.pos += 1;
        let mut values = Vec::new();
        loop {
            values.push(self.value()?);
            match self.peek() {
                Some(Tok::Comma) => self.pos += 1,
                Some(Tok::RParen) => {
                    self.pos += 1;
                    return Some(values);
                }
                _ => return self.expected("`,` or `)` in the list"),
            }
        }
    }

    fn name(&mut self, what: &str) -> Option<Name> {
        let span = self.span();
        match self.peek().cloned() {
            Some(Tok::Word(w)) if !is_keyword(&w) => {
                self.pos += 1;
                Some(Name { text: w, span })
            }
            Some(Tok::Text(t)) => {
                self.pos += 1;
                Some(Name { text: t, span })
            }
            Some(Tok::Number(n)) => {
                self.pos += 1;
                Some(Name { text: n, span })
            }
            _ => self.expected(what),
        }
    }

    /// `page NAME` or an event type.
    fn activity(&mut self) -> Option<Activity> {
        if self.eat_word(&["page"]) {
            return Some(Activity::Page(self.name("a page name after `page`")?));
        }
        Some(Activity::Event(self.name(
            "an event type (add_to_cart, login, …) or `page NAME`",
        )?))
    }

    fn count(&mut self, op: CmpOp) -> Option<Freq> {
        let span = self.span();
        let Some(Tok::Number(n)) = self.peek().cloned() else {
            return self.expected("a number of times");
        };
        self.pos += 1;
        let Some(n) = whole(&n) else {
            self.problem(
                span,
                format!("expected a whole number of times, found `{n}`"),
            );
            return None;
        };
        self.eat_word(&["times", "time", "次"]);
        Some(Freq { op, n })
    }

    fn date(&mut self, after: &str) -> Option<chrono::NaiveDate> {
        match self.peek().cloned() {
            Some(Tok::Date(d)) => {
                self.pos += 1;
                Some(d)
            }
            _ => {
                self.expected::<()>(&format!("a date (2026-10-01) after `{after}`"))?;
                None
            }
        }
    }

    /// `in last N unit`, `between D and D`, `since D`, `before D`, `ever`; `None` when the
    /// next tokens are no window.
    fn window(&mut self) -> Option<Option<Window>> {
        let t = self.peek().cloned();
        let Some(t) = t else { return Some(None) };
        if word_is(&t, &["ever"]) {
            self.pos += 1;
            return Some(Some(Window::Ever));
        }
        if word_is(&t, &["in", "within"]) {
            self.pos += 1;
            self.eat_word(&["the"]);
            if !self.eat_word(&["last", "past"]) {
                self.expected::<()>("`last` (as in `in last 7 days`)")?;
            }
            let span = self.span();
            let Some(Tok::Number(n)) = self.peek().cloned() else {
                self.expected::<()>("a number (as in `in last 7 days`)")?;
                return None;
            };
            self.pos += 1;
            let Some(n) = whole(&n).filter(|&n| n > 0) else {
                self.problem(
                    span,
                    format!("expected a whole number of at least 1, found `{n}`"),
                );
                return None;
            };
            let Some(Tok::Word(u)) = self.peek().cloned() else {
                self.expected::<()>(&format!("days, weeks, months or hours after `{n}`"))?;
                return None;
            };
            let Some(unit) = unit(&u) else {
                self.expected::<()>(&format!("days, weeks, months or hours after `{n}`"))?;
                return None;
            };
            self.pos += 1;
            return Some(Some(Window::Last(n, unit)));
        }
        if word_is(&t, &["between"]) {
            self.pos += 1;
            let a = self.date("between")?;
            if !self.peek().is_some_and(is_and) {
                self.expected::<()>("`and` and the last day of the window")?;
            }
            self.pos += 1;
            let b = self.date("and")?;
            if b < a {
                let span = self.prev_span();
                self.problem(
                    span,
                    format!("the window ends ({b}) before it starts ({a})"),
                );
                return None;
            }
            return Some(Some(Window::Between(a, b)));
        }
        if word_is(&t, &["since", "after"]) {
            self.pos += 1;
            return Some(Some(Window::Since(self.date("since")?)));
        }
        if word_is(&t, &["before"]) {
            self.pos += 1;
            return Some(Some(Window::Before(self.date("before")?)));
        }
        Some(None)
    }

    fn item_filter(&mut self) -> Option<Option<ItemFilter>> {
        let field = match self.peek() {
            Some(t) if word_is(t, &["category"]) => ItemField::Category,
            Some(t) if word_is(t, &["brand"]) => ItemField::Brand,
            Some(t) if word_is(t, &["sku"]) => ItemField::Sku,
            _ => return Some(None),
        };
        self.pos += 1;
        let values = if self.peek().is_some_and(|t| word_is(t, &["in"]))
            && self.peek_at(1) == Some(&Tok::LParen)
        {
            self.pos += 1;
            self.list()?
        } else {
            vec![self.value()?]
        };
        Some(Some(ItemFilter { field, values }))
    }

    fn behaviour(&mut self, verb: &str) -> Option<CondKind> {
        let negated = self.peek().is_some_and(is_not);
        if negated {
            self.pos += 1;
        }
        let mut verb = match verb {
            "did" => Verb::Did(self.activity()?),
            "bought" => Verb::Bought {
                item: None,
                coupon: false,
            },
            "refunded" => Verb::Refunded,
            _ => Verb::Reviewed { rating: None },
        };
        let mut freq: Option<Freq> = None;
        let mut window: Option<Window> = None;
        let mut excluding_new = false;
        loop {
            let span = self.span();
            let Some(t) = self.peek().cloned() else { break };
            if is_and(&t) || is_or(&t) || t == Tok::RParen {
                break;
            }
            let twice = |what: &str, p: &mut Self| {
                p.problem(span, format!("{what} is given twice"));
            };
            if word_is(&t, &["at"]) {
                self.pos += 1;
                let op = if self.eat_word(&["least"]) {
                    CmpOp::Ge
                } else if self.eat_word(&["most"]) {
                    CmpOp::Le
                } else {
                    return self.expected("`least` or `most` after `at`");
                };
                let f = self.count(op)?;
                if freq.replace(f).is_some() {
                    twice("how often", self);
                }
                continue;
            }
            if word_is(&t, &["exactly"]) {
                self.pos += 1;
                let f = self.count(CmpOp::Eq)?;
                if freq.replace(f).is_some() {
                    twice("how often", self);
                }
                continue;
            }
            if let Tok::Op(op) = t {
                self.pos += 1;
                let f = self.count(CmpOp::from_symbol(op)?)?;
                if freq.replace(f).is_some() {
                    twice("how often", self);
                }
                continue;
            }
            if word_is(&t, &["excluding"]) {
                self.pos += 1;
                if !self.eat_word(&["new"]) {
                    return self.expected("`new` after `excluding`");
                }
                excluding_new = true;
                continue;
            }
            if let Verb::Bought { item, coupon } = &mut verb {
                if word_is(&t, &["with"]) {
                    self.pos += 1;
                    if !self.eat_word(&["coupon", "coupons"]) {
                        return self.expected("`coupon` after `with`");
                    }
                    *coupon = true;
                    continue;
                }
                if let Some(f) = self.item_filter()? {
                    if item.replace(f).is_some() {
                        twice("the product filter", self);
                    }
                    continue;
                }
            }
            if let Verb::Reviewed { rating } = &mut verb
                && word_is(&t, &["rating"])
            {
                self.pos += 1;
                let Some(Tok::Op(op)) = self.peek().cloned() else {
                    return self.expected("a comparison after `rating`, as in `rating <= 2`");
                };
                self.pos += 1;
                let v = self.value()?;
                *rating = Some((CmpOp::from_symbol(op)?, v));
                continue;
            }
            if let Some(w) = self.window()? {
                if window.replace(w).is_some() {
                    twice("the time window", self);
                }
                continue;
            }
            return self.expected(match verb {
                Verb::Bought { .. } => {
                    "`and`, `or`, how often (`at least 2 times`), a window (`in last 30 days`), `category`, `brand`, `sku` or `with coupon`"
                }
                Verb::Reviewed { .. } => {
                    "`and`, `or`, how often (`at least 2 times`), a window (`in last 30 days`) or `rating <= 2`"
                }
                _ => "`and`, `or`, how often (`at least 2 times`) or a window (`in last 30 days`)",
            });
        }
        Some(CondKind::Behaviour {
            verb,
            negated,
            freq: freq.unwrap_or(Freq::AT_LEAST_ONCE),
            window: window.unwrap_or(Window::Ever),
            excluding_new,
        })
    }

    fn spent(&mut self) -> Option<CondKind> {
        let mut item = None;
        let mut window = None;
        loop {
            if let Some(f) = self.item_filter()? {
                item = Some(f);
                continue;
            }
            if let Some(w) = self.window()? {
                window = Some(w);
                continue;
            }
            break;
        }
        let Some(Tok::Op(op)) = self.peek().cloned() else {
            return self
                .expected("a comparison and an amount, as in `spent in last 90 days >= 500`");
        };
        self.pos += 1;
        let amount = self.value()?;
        Some(CondKind::Spent {
            item,
            window: window.unwrap_or(Window::Ever),
            op: CmpOp::from_symbol(op)?,
            amount,
        })
    }
}

fn whole(n: &str) -> Option<u32> {
    n.parse::<u32>().ok()
}

fn invalid(span: Span) -> Cond {
    Cond {
        kind: CondKind::Invalid,
        span,
    }
}

/// One rule from a list joined by `and` (`or` when `any`), merging nested lists of the same
/// kind so that a rule has one shape however it was parenthesised.
fn flatten(items: Vec<Rule>, any: bool) -> Rule {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match (item, any) {
            (Rule::Or(inner), true) | (Rule::And(inner), false) => out.extend(inner),
            (other, _) => out.push(other),
        }
    }
    if any { Rule::Or(out) } else { Rule::And(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        let rule = parse(text).unwrap_or_else(|e| panic!("{e}"));
        let printed = rule.to_string();
        let again = parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert_eq!(again, rule, "{printed}");
        printed
    }

    #[test]
    fn the_issue_examples_parse_and_print_canonically() {
        assert_eq!(
            round("spend_tier IN (diamond, gold) AND churn_risk >= 0.6"),
            "spend_tier in (diamond, gold) and churn_risk >= 0.6"
        );
        assert_eq!(
            round("rfm_segment = \"At risk\""),
            "rfm_segment = \"At risk\""
        );
        assert_eq!(
            round("province = 上海 且 active_hour between 20 and 22"),
            "province = 上海 and active_hour between 20 and 22"
        );
        assert_eq!(
            round(
                "did add_to_cart at least 1 times in last 7 days and did not order_paid in last 7 days"
            ),
            "did add_to_cart in last 7 days and did not order_paid in last 7 days"
        );
        assert_eq!(
            round(
                "bought category in (女装, 鞋靴) at least 2 times between 2026-01-01 and 2026-06-30"
            ),
            "bought category in (女装, 鞋靴) at least 2 times between 2026-01-01 and 2026-06-30"
        );
        assert_eq!(
            round("reviewed rating <= 2 in last 30 days"),
            "reviewed rating <= 2 in last 30 days"
        );
        assert_eq!(
            round("spent brand 花西子 in last 90 days >= 500"),
            "spent brand 花西子 in last 90 days >= 500"
        );
        assert_eq!(
            round("last_time(login) < 30 days ago"),
            "last_time(login) < 30 days ago"
        );
        assert_eq!(
            round("first_time(page product) >= 2026-10-01"),
            "first_time(page product) >= 2026-10-01"
        );
        assert_eq!(
            round("did not login in last 30 days excluding new"),
            "did not login in last 30 days excluding new"
        );
        assert_eq!(
            round("in segment vip and not in segment \"已 触达\""),
            "in segment vip and not in segment \"已 触达\""
        );
        assert_eq!(
            round("bought with coupon >= 3 times in last 90 days"),
            "bought with coupon at least 3 times in last 90 days"
        );
        assert_eq!(
            round("refunded since 2026-09-01"),
            "refunded since 2026-09-01"
        );
        assert_eq!(round("signal_cart_unpaid"), "signal_cart_unpaid");
        assert_eq!(round("tag not contains 服装"), "tag not contains 服装");
        assert_eq!(round("churn_risk is not null"), "churn_risk is not null");
    }

    #[test]
    fn keywords_are_values_after_a_comparison() {
        // `new` is a keyword (`excluding new`) and also a lifecycle stage.
        assert_eq!(round("lifecycle = new"), "lifecycle = \"new\"");
        assert_eq!(
            round("lifecycle in (new, active) or x = last"),
            "lifecycle in (\"new\", active) or x = \"last\""
        );
        // The connectives still end a value rather than being one.
        assert!(parse("lifecycle = and").is_err());
        assert!(parse("lifecycle in (new, or)").is_err());
    }

    #[test]
    fn precedence_and_parentheses() {
        assert_eq!(round("a or b and not c"), "a or b and not c");
        assert_eq!(round("(a or b) and c"), "(a or b) and c");
        assert_eq!(round("((a and b) and c)"), "a and b and c");
        assert_eq!(round("not (a or b)"), "not (a or b)");
        assert_eq!(round("!(a || b) && c"), "not (a or b) and c");
        let r = parse("a or b and c").unwrap();
        assert!(matches!(&r, Rule::Or(items) if items.len() == 2));
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let e = parse("spend_tier in (diamond, gold and did add_to_cart in last 7 dayz or x >")
            .unwrap_err();
        let text: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("1:30: expected `,` or `)` in the list, found `and`"),
            "{text:?}"
        );
        assert!(
            text[1]
                .starts_with("1:60: expected days, weeks, months or hours after `7`, found `dayz`"),
            "{text:?}"
        );
        assert!(text[2].starts_with("1:71: expected a value"), "{text:?}");
        assert!(text[2].ends_with("found the end of the rule"), "{text:?}");

        let e = parse("a = 1\n  and (b = 2").unwrap_err();
        assert_eq!(
            e.problems[0].to_string(),
            "2:13: expected `)` to close the `(`, found the end of the rule"
        );
        let e = parse("").unwrap_err();
        assert!(e.problems[0].message.contains("empty"));
        let e = parse("a = 1 )").unwrap_err();
        assert!(e.problems[0].message.contains("without a matching"), "{e}");
        let e = parse("and").unwrap_err();
        assert!(
            e.problems[0].message.contains("expected a condition"),
            "{e}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        let e = parse(&text).unwrap_err();
        assert!(e.problems[0].message.contains("parentheses deep"), "{e}");
        let text = "not ".repeat(10_001) + "a";
        assert_eq!(parse(&text).unwrap().to_string(), "not a");
    }
}
