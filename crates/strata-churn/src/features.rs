//! The model's inputs and the warning signals, per customer at a cutoff.
//!
//! Order features come from the customer table computed as of the cutoff
//! ([`strata_features::compute`]), so the churn model and the customer table agree on every
//! definition. Behaviour, feedback and recent-window counts come from three grouped queries over
//! `events`, `reviews` and `orders`, each reading only rows before the cutoff. Missing values are
//! NaN: the trees learn a direction for them, the logistic baseline imputes the training mean.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::prelude::SessionContext;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use strata_charts::Lang;
use strata_features::Profile;

use crate::config::SignalConfig;
use crate::{ChurnError, Result};

pub const US_PER_DAY: f64 = 86_400e6;

/// Where a feature comes from; a model uses a source only when its training data had it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Orders,
    Value,
    Events,
    Reviews,
}

/// Features explained together: a reason names the group, with the customer's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Recency,
    Frequency,
    Spend,
    OrderValue,
    Refunds,
    Discounts,
    Festivals,
    PurchaseModel,
    Login,
    Browsing,
    Sessions,
    Cart,
    Service,
    Contacts,
    Reviews,
}

/// One model input.
#[derive(Debug)]
pub struct FeatureDef {
    pub name: &'static str,
    pub source: Source,
    pub group: Group,
    pub doc: &'static str,
}

const fn f(name: &'static str, source: Source, group: Group, doc: &'static str) -> FeatureDef {
    FeatureDef {
        name,
        source,
        group,
        doc,
    }
}

/// Every feature the model can use, in matrix order.
pub static FEATURES: &[FeatureDef] = &[
    f(
        "recency_days",
        Source::Orders,
        Group::Recency,
        "Days since the latest paid order.",
    ),
    f(
        "tenure_days",
        Source::Orders,
        Group::Frequency,
        "Days since the first paid order.",
    ),
    f(
        "orders",
        Source::Orders,
        Group::Frequency,
        "Paid orders so far.",
    ),
    f(
        "orders_90d",
        Source::Orders,
        Group::Frequency,
        "Paid orders in the 90 days before the cutoff.",
    ),
    f(
        "monetary",
        Source::Orders,
        Group::Spend,
        "Total paid so far.",
    ),
    f(
        "spend_12m",
        Source::Orders,
        Group::Spend,
        "Paid in the 365 days before the cutoff.",
    ),
    f(
        "avg_order_value",
        Source::Orders,
        Group::OrderValue,
        "Mean order value.",
    ),
    f(
        "aov_trend",
        Source::Orders,
        Group::OrderValue,
        "Latest orders' mean value against the earlier ones', minus 1.",
    ),
    f(
        "gap_mean_days",
        Source::Orders,
        Group::Recency,
        "The customer's usual gap between orders, in days.",
    ),
    f(
        "gap_last_days",
        Source::Orders,
        Group::Recency,
        "Days between the two latest orders.",
    ),
    f(
        "gap_ratio",
        Source::Orders,
        Group::Recency,
        "Days since the latest order over the usual gap.",
    ),
    f(
        "refunds",
        Source::Orders,
        Group::Refunds,
        "Refunded orders so far.",
    ),
    f(
        "refunds_recent",
        Source::Orders,
        Group::Refunds,
        "Refunded orders in the feedback window.",
    ),
    f(
        "discount_share",
        Source::Orders,
        Group::Discounts,
        "Discounts over list value.",
    ),
    f(
        "coupon_rate",
        Source::Orders,
        Group::Discounts,
        "Share of orders with a coupon.",
    ),
    f(
        "festival_share",
        Source::Orders,
        Group::Festivals,
        "Share of orders in festival windows.",
    ),
    f(
        "p_alive",
        Source::Value,
        Group::PurchaseModel,
        "Probability still active, from the lifetime-value model.",
    ),
    f(
        "expected_purchases_90d",
        Source::Value,
        Group::PurchaseModel,
        "Purchase days the lifetime-value model expects in 90 days.",
    ),
    f(
        "days_since_login",
        Source::Events,
        Group::Login,
        "Days since the latest login.",
    ),
    f(
        "days_since_visit",
        Source::Events,
        Group::Login,
        "Days since the latest tracked event.",
    ),
    f(
        "browse_minutes",
        Source::Events,
        Group::Browsing,
        "Minutes browsed in the latest browsing window.",
    ),
    f(
        "browse_change",
        Source::Events,
        Group::Browsing,
        "Browsing time of the latest window against the one before, minus 1.",
    ),
    f(
        "sessions",
        Source::Events,
        Group::Sessions,
        "Sessions in the latest session window.",
    ),
    f(
        "session_change",
        Source::Events,
        Group::Sessions,
        "Sessions of the latest window against the one before, minus 1.",
    ),
    f(
        "cart_unpaid_days",
        Source::Events,
        Group::Cart,
        "Days since an add-to-cart with no order after it (within the cart look-back).",
    ),
    f(
        "service_contacts",
        Source::Events,
        Group::Service,
        "Customer-service contacts in the feedback window.",
    ),
    f(
        "contact_engagements",
        Source::Events,
        Group::Contacts,
        "Opens and clicks on the shop's messages in the contact window.",
    ),
    f(
        "negative_reviews",
        Source::Reviews,
        Group::Reviews,
        "Negative reviews in the feedback window.",
    ),
    f(
        "reviews_recent",
        Source::Reviews,
        Group::Reviews,
        "Reviews in the feedback window.",
    ),
];

pub fn feature_index(name: &str) -> Option<usize> {
    FEATURES.iter().position(|f| f.name == name)
}

/// The warning signals of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    NoLogin,
    BrowsingDown,
    CartUnpaid,
    SessionsFalling,
    NoEngagement,
    GapOverUsual,
    OrderValueDown,
    Refund,
    NegativeReview,
    ServiceContact,
}

pub const SIGNALS: [Signal; 10] = [
    Signal::NoLogin,
    Signal::BrowsingDown,
    Signal::CartUnpaid,
    Signal::SessionsFalling,
    Signal::NoEngagement,
    Signal::GapOverUsual,
    Signal::OrderValueDown,
    Signal::Refund,
    Signal::NegativeReview,
    Signal::ServiceContact,
];

impl Signal {
    /// Column name in the customer table and the list.
    pub fn key(self) -> &'static str {
        match self {
            Signal::NoLogin => "signal_no_login",
            Signal::BrowsingDown => "signal_browsing_down",
            Signal::CartUnpaid => "signal_cart_unpaid",
            Signal::SessionsFalling => "signal_sessions_falling",
            Signal::NoEngagement => "signal_no_engagement",
            Signal::GapOverUsual => "signal_gap_over_usual",
            Signal::OrderValueDown => "signal_order_value_down",
            Signal::Refund => "signal_refund",
            Signal::NegativeReview => "signal_negative_review",
            Signal::ServiceContact => "signal_service_contact",
        }
    }

    /// What the signal means, with the default thresholds, for the data-model document.
    pub fn doc(self) -> &'static str {
        match self {
            Signal::NoLogin => "No login for 7 days or more (customers who have logged in before).",
            Signal::BrowsingDown => {
                "Browsing time of the last 14 days down 50% or more on the 14 before."
            }
            Signal::CartUnpaid => {
                "The latest add-to-cart 7–30 days ago, with no order since (a newer add-to-cart means the cart is in use)."
            }
            Signal::SessionsFalling => {
                "Sessions of the last 30 days down 50% or more on the 30 before."
            }
            Signal::NoEngagement => {
                "No open or click on the shop's messages in 30 days (customers who engaged before)."
            }
            Signal::GapOverUsual => {
                "Days since the last order over 2× the customer's mean gap between orders."
            }
            Signal::OrderValueDown => {
                "Latest orders' mean value down 30% or more on the earlier ones (aov_trend ≤ −0.3)."
            }
            Signal::Refund => "A refunded order in the last 90 days.",
            Signal::NegativeReview => "A review of 2 stars or fewer in the last 90 days.",
            Signal::ServiceContact => {
                "A customer-service contact (event cs_contact) in the last 90 days."
            }
        }
    }

    pub fn source(self) -> Source {
        match self {
            Signal::NoLogin
            | Signal::BrowsingDown
            | Signal::CartUnpaid
            | Signal::SessionsFalling
            | Signal::NoEngagement
            | Signal::ServiceContact => Source::Events,
            Signal::GapOverUsual | Signal::OrderValueDown | Signal::Refund => Source::Orders,
            Signal::NegativeReview => Source::Reviews,
        }
    }

    /// The definition with the thresholds in use, in Chinese or English.
    pub fn describe(self, c: &SignalConfig, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        match (self, zh) {
            (Signal::NoLogin, true) => format!("连续{}天未登录", c.no_login_days),
            (Signal::NoLogin, false) => format!("No login for {} days", c.no_login_days),
            (Signal::BrowsingDown, true) => format!(
                "近{}天浏览时长比前{}天减少{}以上",
                c.browse_window_days,
                c.browse_window_days,
                pct(c.browse_drop)
            ),
            (Signal::BrowsingDown, false) => format!(
                "Browsing time of the last {} days down {} or more on the {} before",
                c.browse_window_days,
                pct(c.browse_drop),
                c.browse_window_days
            ),
            (Signal::CartUnpaid, true) => format!("加购后{}天未支付", c.cart_unpaid_days),
            (Signal::CartUnpaid, false) => {
                format!("A cart left unpaid for {} days", c.cart_unpaid_days)
            }
            (Signal::SessionsFalling, true) => format!(
                "近{}天访问次数比前{}天减少{}以上",
                c.session_window_days,
                c.session_window_days,
                pct(c.session_drop)
            ),
            (Signal::SessionsFalling, false) => format!(
                "Sessions of the last {} days down {} or more on the {} before",
                c.session_window_days,
                pct(c.session_drop),
                c.session_window_days
            ),
            (Signal::NoEngagement, true) => format!("近{}天未打开或点击营销消息", c.contact_days),
            (Signal::NoEngagement, false) => format!(
                "No open or click on the shop's messages in {} days",
                c.contact_days
            ),
            (Signal::GapOverUsual, true) => {
                format!("距上次下单超过平时间隔的{}倍", c.gap_multiple)
            }
            (Signal::GapOverUsual, false) => format!(
                "Time since the last order over {}× the customer's usual gap",
                c.gap_multiple
            ),
            (Signal::OrderValueDown, true) => format!("客单价下降{}以上", pct(c.aov_drop)),
            (Signal::OrderValueDown, false) => {
                format!("Order value down {} or more", pct(c.aov_drop))
            }
            (Signal::Refund, true) => format!("近{}天有退款或退货", c.feedback_days),
            (Signal::Refund, false) => {
                format!("A refund or return in the last {} days", c.feedback_days)
            }
            (Signal::NegativeReview, true) => {
                format!("近{}天有差评（≤{}星）", c.feedback_days, c.negative_rating)
            }
            (Signal::NegativeReview, false) => format!(
                "A negative review (≤ {} stars) in the last {} days",
                c.negative_rating, c.feedback_days
            ),
            (Signal::ServiceContact, true) => format!("近{}天联系过客服", c.feedback_days),
            (Signal::ServiceContact, false) => format!(
                "A customer-service contact in the last {} days",
                c.feedback_days
            ),
        }
    }
}

/// Per-customer facts that are not model inputs but go with a score: for the win-back list.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub rfm_segment: Vec<Option<String>>,
    pub spend_tier: Vec<Option<String>>,
    pub lifecycle: Vec<Option<String>>,
    /// Margin-weighted value of the next 12 months if the customer stays.
    pub value_if_retained: Vec<f64>,
}

/// Features and signals of the customers at one cutoff.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    /// Exclusive end of the cutoff day, UTC µs.
    pub end_us: i64,
    pub as_of: chrono::NaiveDate,
    /// Customers with a paid order, in the customer table's order.
    pub ids: Vec<String>,
    /// Row of each customer in the customer table.
    pub profile_rows: Vec<usize>,
    /// Whether each customer is in the early-warning population (latest order recent enough).
    pub in_population: Vec<bool>,
    /// One column per entry of [`FEATURES`] (NaN where missing).
    pub columns: Vec<Vec<f64>>,
    /// Sources that had data.
    pub sources: Vec<Source>,
    /// One flag column per entry of [`SIGNALS`]; false where the source has no data.
    pub signals: Vec<Vec<bool>>,
    pub context: Context,
}

impl FeatureSet {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn has(&self, source: Source) -> bool {
        self.sources.contains(&source)
    }

    pub fn column(&self, name: &str) -> &[f64] {
        &self.columns[feature_index(name).expect("known feature")]
    }

    pub fn signal(&self, s: Signal) -> &[bool] {
        &self.signals[SIGNALS.iter().position(|&x| x == s).expect("known signal")]
    }

    /// Rows of the population, in order.
    pub fn population(&self) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.in_population[i]).collect()
    }
}

fn profile_column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a arrow::array::ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| ChurnError::internal(format!("customer table has no column {name}")))
}

fn num_column(batch: &RecordBatch, name: &str) -> Result<Vec<f64>> {
    Ok(strata_store::columns::f64s(profile_column(batch, name)?)?)
}

fn text_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>> {
    Ok(strata_store::columns::texts(profile_column(batch, name)?)?)
}

fn time_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(strata_store::columns::i64s(profile_column(batch, name)?)?)
}

/// Rows of a grouped query keyed by customer id: the values of columns 1.. as numbers.
async fn keyed(
    ctx: &SessionContext,
    sql: &str,
    index: &HashMap<&str, usize>,
    width: usize,
) -> Result<(Vec<Vec<f64>>, usize)> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let n = index.len();
    let mut out = vec![vec![f64::NAN; n]; width];
    let mut seen = 0;
    for b in &batches {
        let ids = arrow::compute::cast(b.column(0), &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        let cols = (1..=width)
            .map(|c| arrow::compute::cast(b.column(c), &DataType::Float64))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for r in 0..b.num_rows() {
            seen += 1;
            if ids.is_null(r) {
                continue;
            }
            let Some(&row) = index.get(ids.value(r)) else {
                continue;
            };
            for (c, col) in cols.iter().enumerate() {
                let a = col.as_primitive::<Float64Type>();
                if !a.is_null(r) {
                    out[c][row] = a.value(r);
                }
            }
        }
    }
    Ok((out, seen))
}

fn ts(us: f64) -> String {
    format!("to_timestamp_micros({})", us as i64)
}

fn sql_list(items: &[String]) -> String {
    if items.is_empty() {
        return "''".into();
    }
    items
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds the features and signals of every buyer in `profile` (a customer table computed as of
/// the cutoff). `population_days` limits the early-warning population (0: every buyer).
pub async fn build(
    ctx: &SessionContext,
    profile: &Profile,
    signals: &SignalConfig,
    population_days: u32,
    margin: f64,
) -> Result<FeatureSet> {
    let batch = &profile.batch;
    let end = profile.meta.end_us as f64;
    let all_ids = text_column(batch, "customer_id")?;
    let orders_all = num_column(batch, "orders")?;
    let mut profile_rows = Vec::new();
    let mut ids = Vec::new();
    for (row, (id, orders)) in all_ids.iter().zip(&orders_all).enumerate() {
        if let Some(id) = id
            && *orders >= 1.0
        {
            profile_rows.push(row);
            ids.push(id.clone());
        }
    }
    let n = ids.len();
    let pick = |v: Vec<f64>| profile_rows.iter().map(|&r| v[r]).collect::<Vec<f64>>();
    let pick_text = |v: Vec<Option<String>>| {
        profile_rows
            .iter()
            .map(|&r| v[r].clone())
            .collect::<Vec<_>>()
    };

    let mut columns = vec![vec![f64::NAN; n]; FEATURES.len()];
    let mut set = |name: &str, v: Vec<f64>| columns[feature_index(name).expect("feature")] = v;
    let recency = pick(num_column(batch, "recency_days")?);
    let gap_mean = pick(num_column(batch, "gap_mean_days")?);
    let orders = pick(orders_all.clone());
    let spend_12m = pick(num_column(batch, "spend_12m")?);
    let aov_trend = pick(num_column(batch, "aov_trend")?);
    set(
        "gap_ratio",
        recency
            .iter()
            .zip(&gap_mean)
            .map(|(r, g)| if *g > 0.0 { r / g } else { f64::NAN })
            .collect(),
    );
    set("recency_days", recency.clone());
    set("gap_mean_days", gap_mean.clone());
    set("orders", orders);
    set("spend_12m", spend_12m.clone());
    set("aov_trend", aov_trend.clone());
    for name in [
        "tenure_days",
        "monetary",
        "avg_order_value",
        "gap_last_days",
        "refunds",
        "discount_share",
        "coupon_rate",
        "festival_share",
        "p_alive",
        "expected_purchases_90d",
    ] {
        set(name, pick(num_column(batch, name)?));
    }
    let last_order = {
        let t = time_column(batch, "last_order_at")?;
        profile_rows.iter().map(|&r| t[r]).collect::<Vec<_>>()
    };
    let mut sources = vec![Source::Orders];
    // The value model's columns are there only when it was fitted (not skipped for this data).
    let has_value = profile
        .meta
        .value
        .as_ref()
        .is_some_and(|v| v.skipped.is_none());
    if has_value {
        sources.push(Source::Value);
    }

    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let day = US_PER_DAY;
    let s = signals;

    // Recent orders: paid and refunded counts in their windows.
    let (recent, _) = keyed(
        ctx,
        &format!(
            "SELECT customer_id,
               sum(CASE WHEN (status IS NULL OR status = 'paid') AND ordered_at >= {o90} THEN 1 ELSE 0 END),
               sum(CASE WHEN status = 'refunded' AND ordered_at >= {fb} THEN 1 ELSE 0 END)
             FROM orders WHERE ordered_at >= {lo} AND ordered_at < {end}
             GROUP BY customer_id",
            o90 = ts(end - 90.0 * day),
            fb = ts(end - s.feedback_days * day),
            lo = ts(end - 90f64.max(s.feedback_days) * day),
            end = ts(end),
        ),
        &index,
        2,
    )
    .await?;
    let zero_nan = |v: &[f64]| {
        v.iter()
            .map(|x| if x.is_nan() { 0.0 } else { *x })
            .collect::<Vec<_>>()
    };
    set("orders_90d", zero_nan(&recent[0]));
    let refunds_recent = zero_nan(&recent[1]);
    set("refunds_recent", refunds_recent.clone());

    // Behaviour.
    let bw = s.browse_window_days * day;
    let sw = s.session_window_days * day;
    let contact_types = sql_list(&s.contact_events);
    let (ev, ev_rows) = keyed(
        ctx,
        &format!(
            "SELECT customer_id,
               CAST(max(CASE WHEN event_type = 'login' THEN event_time END) AS BIGINT),
               CAST(max(event_time) AS BIGINT),
               sum(CASE WHEN event_time >= {b1} THEN coalesce(duration_ms, 0) ELSE 0 END),
               sum(CASE WHEN event_time >= {b2} AND event_time < {b1} THEN coalesce(duration_ms, 0) ELSE 0 END),
               count(DISTINCT CASE WHEN event_time >= {s1} THEN session_id END),
               count(DISTINCT CASE WHEN event_time >= {s2} AND event_time < {s1} THEN session_id END),
               CAST(max(CASE WHEN event_type = 'add_to_cart' THEN event_time END) AS BIGINT),
               sum(CASE WHEN event_type = '{svc}' AND event_time >= {fb} THEN 1 ELSE 0 END),
               sum(CASE WHEN event_type IN ({contact_types}) AND event_time >= {ct} THEN 1 ELSE 0 END),
               sum(CASE WHEN event_type IN ({contact_types}) THEN 1 ELSE 0 END)
             FROM events WHERE customer_id IS NOT NULL AND event_time < {end}
             GROUP BY customer_id",
            b1 = ts(end - bw),
            b2 = ts(end - 2.0 * bw),
            s1 = ts(end - sw),
            s2 = ts(end - 2.0 * sw),
            svc = s.service_event.replace('\'', "''"),
            fb = ts(end - s.feedback_days * day),
            ct = ts(end - s.contact_days * day),
            end = ts(end),
        ),
        &index,
        10,
    )
    .await?;
    let has_events = ev_rows > 0;
    let mut flags = vec![vec![false; n]; SIGNALS.len()];
    let flag_at = |sig: Signal| SIGNALS.iter().position(|&x| x == sig).expect("signal");
    if has_events {
        sources.push(Source::Events);
        let since = |t: f64| {
            if t.is_nan() {
                f64::NAN
            } else {
                (end - t) / day
            }
        };
        let login: Vec<f64> = ev[0].iter().map(|&t| since(t)).collect();
        let visit: Vec<f64> = ev[1].iter().map(|&t| since(t)).collect();
        let mut browse = vec![f64::NAN; n];
        let mut browse_change = vec![f64::NAN; n];
        let mut sessions = vec![f64::NAN; n];
        let mut session_change = vec![f64::NAN; n];
        let mut cart = vec![f64::NAN; n];
        let mut service = vec![0.0; n];
        let mut contacts = vec![f64::NAN; n];
        let change = |now: f64, before: f64| {
            if before > 0.0 {
                now / before - 1.0
            } else {
                f64::NAN
            }
        };
        for i in 0..n {
            if ev[1][i].is_nan() {
                // No events for this customer: behaviour unknown, no behaviour signal.
                continue;
            }
            let (b_now, b_before) = (ev[2][i], ev[3][i]);
            browse[i] = b_now / 60_000.0;
            browse_change[i] = change(b_now, b_before);
            let (s_now, s_before) = (ev[4][i], ev[5][i]);
            sessions[i] = s_now;
            session_change[i] = change(s_now, s_before);
            let cart_t = ev[6][i];
            let ordered_since = last_order[i].is_some_and(|o| o as f64 >= cart_t);
            if !cart_t.is_nan() && !ordered_since && end - cart_t <= s.cart_lookback_days * day {
                cart[i] = (end - cart_t) / day;
            }
            service[i] = ev[7][i];
            if ev[9][i] > 0.0 {
                contacts[i] = ev[8][i];
            }
            flags[flag_at(Signal::NoLogin)][i] = login[i] >= s.no_login_days;
            flags[flag_at(Signal::BrowsingDown)][i] =
                b_before > 0.0 && b_now <= (1.0 - s.browse_drop) * b_before;
            flags[flag_at(Signal::CartUnpaid)][i] = cart[i] >= s.cart_unpaid_days;
            flags[flag_at(Signal::SessionsFalling)][i] =
                s_before > 0.0 && s_now <= (1.0 - s.session_drop) * s_before;
            flags[flag_at(Signal::NoEngagement)][i] = ev[9][i] > 0.0 && ev[8][i] == 0.0;
            flags[flag_at(Signal::ServiceContact)][i] = service[i] > 0.0;
        }
        set("days_since_login", login);
        set("days_since_visit", visit);
        set("browse_minutes", browse);
        set("browse_change", browse_change);
        set("sessions", sessions);
        set("session_change", session_change);
        set("cart_unpaid_days", cart);
        set("service_contacts", service);
        set("contact_engagements", contacts);
    }

    // Feedback.
    let (rv, rv_rows) = keyed(
        ctx,
        &format!(
            "SELECT customer_id,
               sum(CASE WHEN rating <= {neg} THEN 1 ELSE 0 END),
               count(*)
             FROM reviews WHERE created_at >= {fb} AND created_at < {end}
             GROUP BY customer_id",
            neg = s.negative_rating,
            fb = ts(end - s.feedback_days * day),
            end = ts(end),
        ),
        &index,
        2,
    )
    .await?;
    drop(index);
    let has_reviews = rv_rows > 0 || reviews_exist(ctx, end).await?;
    if has_reviews {
        sources.push(Source::Reviews);
        let neg = zero_nan(&rv[0]);
        for (i, &v) in neg.iter().enumerate() {
            flags[flag_at(Signal::NegativeReview)][i] = v > 0.0;
        }
        set("negative_reviews", neg);
        set("reviews_recent", zero_nan(&rv[1]));
    }

    for i in 0..n {
        flags[flag_at(Signal::GapOverUsual)][i] =
            gap_mean[i] > 0.0 && recency[i] > s.gap_multiple * gap_mean[i];
        flags[flag_at(Signal::OrderValueDown)][i] = aov_trend[i] <= -s.aov_drop;
        flags[flag_at(Signal::Refund)][i] = refunds_recent[i] > 0.0;
    }

    let in_population = recency
        .iter()
        .map(|&r| population_days == 0 || r <= population_days as f64)
        .collect();

    // Value if retained: the lifetime-value model's 12-month value given the customer is alive
    // (E[value] = P(alive) · E[value | alive], exactly, since a lapsed customer brings nothing);
    // without the model, the last 12 months' spend × margin.
    let clv = pick(num_column(batch, "clv_12m")?);
    let p_alive = pick(num_column(batch, "p_alive")?);
    let value_if_retained = (0..n)
        .map(|i| {
            if clv[i].is_finite() && p_alive[i] > 1e-3 {
                clv[i] / p_alive[i]
            } else {
                let m = profile
                    .meta
                    .value
                    .as_ref()
                    .map_or(margin, |_| profile.meta.config.value.margin);
                spend_12m[i].max(0.0) * m
            }
        })
        .collect();

    Ok(FeatureSet {
        end_us: profile.meta.end_us,
        as_of: profile.meta.as_of,
        ids,
        in_population,
        columns,
        sources,
        signals: flags,
        context: Context {
            rfm_segment: pick_text(text_column(batch, "rfm_segment")?),
            spend_tier: pick_text(text_column(batch, "spend_tier")?),
            lifecycle: pick_text(text_column(batch, "lifecycle")?),
            value_if_retained,
        },
        profile_rows,
    })
}

/// Whether any review was written before the cutoff (a shop with reviews where nobody wrote one
/// in the window still has the feature, at zero).
async fn reviews_exist(ctx: &SessionContext, end: f64) -> Result<bool> {
    let b = ctx
        .sql(&format!(
            "SELECT count(*) FROM reviews WHERE created_at < {}",
            ts(end)
        ))
        .await?
        .collect()
        .await?;
    Ok(b.first()
        .is_some_and(|b| b.num_rows() > 0 && b.column(0).as_primitive::<Int64Type>().value(0) > 0))
}

/// Which customers ordered in `[end, end + horizon)`: the churn label is the complement.
///
/// Any order that was not cancelled counts (paid, pending or refunded): a customer who came back
/// and ordered has not lapsed, even if the export shows the order refunded since. A cancelled
/// order is an unpaid one and does not count.
pub async fn bought_within(
    ctx: &SessionContext,
    ids: &[String],
    end_us: i64,
    horizon_days: u32,
) -> Result<Vec<bool>> {
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let end = end_us as f64;
    let (rows, _) = keyed(
        ctx,
        &format!(
            "SELECT customer_id, count(*) FROM orders
             WHERE (status IS NULL OR status <> 'cancelled') AND ordered_at >= {} AND ordered_at < {}
             GROUP BY customer_id",
            ts(end),
            ts(end + horizon_days as f64 * US_PER_DAY)
        ),
        &index,
        1,
    )
    .await?;
    Ok(rows[0].iter().map(|v| *v > 0.0).collect())
}
