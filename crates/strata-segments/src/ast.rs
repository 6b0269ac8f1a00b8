//! A parsed rule, and its canonical text: printing a rule and parsing the text gives the same
//! rule (places aside).

use std::fmt;

use chrono::NaiveDate;

/// Where something is in the rule's text, as byte offsets. Two spans always compare equal, so
/// that rules compare by what they say, not by where it was written.
#[derive(Debug, Clone, Copy, Default, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

/// A name as written, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Two or more rules that must all hold (never directly nested in another `And`).
    And(Vec<Rule>),
    /// Two or more rules of which one must hold (never directly nested in another `Or`).
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Cond(Cond),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub kind: CondKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn from_symbol(s: &str) -> Option<CmpOp> {
        Some(match s {
            "=" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }
}

/// A unit of relative time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Hours,
    Days,
    Weeks,
    /// 30 days.
    Months,
}

impl Unit {
    pub fn micros(self) -> i64 {
        const HOUR: i64 = 3_600_000_000;
        match self {
            Unit::Hours => HOUR,
            Unit::Days => 24 * HOUR,
            Unit::Weeks => 7 * 24 * HOUR,
            Unit::Months => 30 * 24 * HOUR,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Weeks => "weeks",
            Unit::Months => "months",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// As written, so that it prints back the same.
    Number(String, Span),
    Text(String, Span),
    Date(NaiveDate, Span),
    /// `30 days ago`: that long before the end of the analysis date.
    Ago(u32, Unit, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Number(_, s) | Value::Text(_, s) | Value::Date(_, s) | Value::Ago(_, _, s) => *s,
        }
    }
}

/// Something that happens to a customer, counted or timed.
#[derive(Debug, Clone, PartialEq)]
pub enum Activity {
    /// An event type (`add_to_cart`).
    Event(Name),
    /// Page views of one page (`page product`).
    Page(Name),
    /// A paid order (`first_time(order)`).
    Order,
}

/// What a column-like condition is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column(Name),
    FirstTime(Activity, Span),
    LastTime(Activity, Span),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Column(n) => n.span,
            Operand::FirstTime(_, s) | Operand::LastTime(_, s) => *s,
        }
    }
}

/// The window a behaviour is counted in; every window ends at the end of the analysis date.
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    Ever,
    Last(u32, Unit),
    /// Local days, both included.
    Between(NaiveDate, NaiveDate),
    Since(NaiveDate),
    Before(NaiveDate),
}

/// How often: `at least 2 times` is `(Ge, 2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freq {
    pub op: CmpOp,
    pub n: u32,
}

impl Freq {
    pub const AT_LEAST_ONCE: Freq = Freq {
        op: CmpOp::Ge,
        n: 1,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemField {
    Category,
    Brand,
    Sku,
}

impl ItemField {
    pub fn column(self) -> &'static str {
        match self {
            ItemField::Category => "category",
            ItemField::Brand => "brand",
            ItemField::Sku => "sku",
        }
    }
}

/// Order lines of a category, brand or SKU (one of several values).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFilter {
    pub field: ItemField,
    pub values: Vec<Value>,
}

/// The kind of behaviour counted.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    Did(Activity),
    Bought {
        item: Option<ItemFilter>,
        coupon: bool,
    },
    Refunded,
    Reviewed {
        rating: Option<(CmpOp, Value)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CondKind {
    Compare {
        left: Operand,
        op: CmpOp,
        right: Value,
    },
    In {
        left: Operand,
        negated: bool,
        values: Vec<Value>,
    },
    Between {
        left: Operand,
        negated: bool,
        low: Value,
        high: Value,
    },
    IsNull {
        left: Operand,
        negated: bool,
    },
    Contains {
        left: Operand,
        negated: bool,
        text: Value,
    },
    /// A true/false column alone.
    Truthy(Operand),
    /// Membership of another saved segment.
    Segment(Name),
    /// `did …`, `bought …`, `refunded …`, `reviewed …`.
    Behaviour {
        verb: Verb,
        negated: bool,
        freq: Freq,
        window: Window,
        excluding_new: bool,
    },
    /// `spent [item] [window] OP amount`.
    Spent {
        item: Option<ItemFilter>,
        window: Window,
        op: CmpOp,
        amount: Value,
    },
    /// A condition that did not parse (its problems are reported); never evaluated.
    Invalid,
}

// ---------------------------------------------------------------------------------------------
// The canonical text.

/// A word as it must be written to read back as the same value.
fn word(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !s.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !crate::parse::is_keyword(s);
    if bare {
        s.to_string()
    } else {
        let escaped = s.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&word(&self.text))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n, _) => f.write_str(n),
            Value::Text(t, _) => f.write_str(&word(t)),
            Value::Date(d, _) => write!(f, "{d}"),
            Value::Ago(n, u, _) => write!(f, "{n} {} ago", u.word()),
        }
    }
}

impl fmt::Display for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activity::Event(n) => write!(f, "{n}"),
            Activity::Page(n) => write!(f, "page {n}"),
            Activity::Order => f.write_str("order"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Column(n) => write!(f, "{n}"),
            Operand::FirstTime(a, _) => write!(f, "first_time({a})"),
            Operand::LastTime(a, _) => write!(f, "last_time({a})"),
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Ever => f.write_str("ever"),
            Window::Last(n, u) => write!(f, "in last {n} {}", u.word()),
            Window::Between(a, b) => write!(f, "between {a} and {b}"),
            Window::Since(d) => write!(f, "since {d}"),
            Window::Before(d) => write!(f, "before {d}"),
        }
    }
}

impl fmt::Display for ItemFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.field.column())?;
        match &self.values[..] {
            [one] => write!(f, "{one}"),
            many => write!(f, "in ({})", list(many)),
        }
    }
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = |negated: bool| if negated { "not " } else { "" };
        match &self.kind {
            CondKind::Compare { left, op, right } => {
                write!(f, "{left} {} {right}", op.symbol())
            }
            CondKind::In {
                left,
                negated,
                values,
            } => write!(f, "{left} {}in ({})", not(*negated), list(values)),
            CondKind::Between {
                left,
                negated,
                low,
                high,
            } => write!(f, "{left} {}between {low} and {high}", not(*negated)),
            CondKind::IsNull { left, negated } => write!(f, "{left} is {}null", not(*negated)),
            CondKind::Contains {
                left,
                negated,
                text,
            } => write!(f, "{left} {}contains {text}", not(*negated)),
            CondKind::Truthy(left) => write!(f, "{left}"),
            CondKind::Segment(n) => write!(f, "in segment {n}"),
            CondKind::Behaviour {
                verb,
                negated,
                freq,
                window,
                excluding_new,
            } => {
                let mut parts: Vec<String> = Vec::new();
                let head = match verb {
                    Verb::Did(_) => "did",
                    Verb::Bought { .. } => "bought",
                    Verb::Refunded => "refunded",
                    Verb::Reviewed { .. } => "reviewed",
                };
                parts.push(head.into());
                if *negated {
                    parts.push("not".into());
                }
                match verb {
                    Verb::Did(a) => parts.push(a.to_string()),
                    Verb::Bought { item, coupon } => {
                        if let Some(i) = item {
                            parts.push(i.to_string());
                        }
                        if *coupon {
                            parts.push("with coupon".into());
                        }
                    }
                    Verb::Refunded => {}
                    Verb::Reviewed { rating } => {
                        if let Some((op, v)) = rating {
                            parts.push(format!("rating {} {v}", op.symbol()));
                        }
                    }
                }
                if *freq != Freq::AT_LEAST_ONCE {
                    let head = match freq.op {
                        CmpOp::Ge => "at least",
                        CmpOp::Le => "at most",
                        CmpOp::Eq => "exactly",
                        op => op.symbol(),
                    };
                    parts.push(format!("{head} {} times", freq.n));
                }
                if *window != Window::Ever {
                    parts.push(window.to_string());
                }
                if *excluding_new {
                    parts.push("excluding new".into());
                }
                f.write_str(&parts.join(" "))
            }
            CondKind::Spent {
                item,
                window,
                op,
                amount,
            } => {
                f.write_str("spent")?;
                if let Some(i) = item {
                    write!(f, " {i}")?;
                }
                write!(f, " {window} {} {amount}", op.symbol())
            }
            CondKind::Invalid => f.write_str("?"),
        }
    }
}

impl Rule {
    fn fmt_in(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        // Binding strength: or 1, and 2, not 3, condition 4.
        let (own, sep, items): (u8, &str, &[Rule]) = match self {
            Rule::Or(items) => (1, " or ", items),
            Rule::And(items) => (2, " and ", items),
            Rule::Not(inner) => {
                f.write_str("not ")?;
                return inner.fmt_in(f, 3);
            }
            Rule::Cond(c) => {
                // A condition that starts with `not` or reads on with `and` needs no parentheses:
                // the parser takes whole conditions.
                return write!(f, "{c}");
            }
        };
        let paren = own <= parent;
        if paren {
            f.write_str("(")?;
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            item.fmt_in(f, own)?;
        }
        if paren {
            f.write_str(")")?;
        }
        Ok(())
    }

    /// The conditions in the rule, in order.
    pub fn conditions(&self) -> Vec<&Cond> {
        let mut out = Vec::new();
        self.walk(&mut |c| out.push(c));
        out
    }

    fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Cond)) {
        match self {
            Rule::And(items) | Rule::Or(items) => items.iter().for_each(|r| r.walk(f)),
            Rule::Not(inner) => inner.walk(f),
            Rule::Cond(c) => f(c),
        }
    }

    /// The saved segments the rule names.
    pub fn segments(&self) -> Vec<&Name> {
        self.conditions()
            .into_iter()
            .filter_map(|c| match &c.kind {
                CondKind::Segment(n) => Some(n),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_in(f, 0)
    }
}
