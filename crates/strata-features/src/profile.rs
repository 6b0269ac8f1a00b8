//! The customer table (`customer_profile`): the orders pass, item preferences and the
//! customers table put together, one row per customer, with every segment label.

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Builder, Float64Builder, Int64Builder, RecordBatch,
    StringBuilder, TimestampMicrosecondBuilder, UInt8Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{Datelike, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::config::AnalyzeConfig;
use crate::error::{FeatureError, Result};
use crate::kernel::{self, Acc, Partial, PassParams, US_PER_DAY};
use crate::segment::{self, RfmCuts, TypeInputs};

/// The name of the derived table in the workspace and in SQL.
pub const PROFILE_TABLE: &str = "customer_profile";

/// One column of the customer table and what it means.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub data_type: DataType,
    pub doc: &'static str,
}

fn col(name: &'static str, data_type: DataType, doc: &'static str) -> Column {
    Column {
        name,
        data_type,
        doc,
    }
}

fn time() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn money() -> DataType {
    DataType::Decimal128(18, 2)
}

/// Every column of `customer_profile`, in order.
pub static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| {
    use DataType::{Float64, Int64, UInt8, Utf8};
    vec![
        col("customer_id", Utf8, "The customer."),
        col("gender", Utf8, "From the customers table."),
        col(
            "age",
            Int64,
            "Years between birth year and the analysis date's year.",
        ),
        col(
            "province",
            Utf8,
            "Home province from the customers table, else the delivery province of the latest order.",
        ),
        col("city", Utf8, "Home city, same sources as province."),
        col(
            "city_tier",
            Utf8,
            "tier1, new_tier1, tier2 or lower (2024 ranking of Chinese cities).",
        ),
        col(
            "acquisition_channel",
            Utf8,
            "Channel the customer came through, from the customers table.",
        ),
        col("registered_at", time(), "From the customers table."),
        col(
            "first_order_at",
            time(),
            "First paid order up to the analysis date.",
        ),
        col(
            "last_order_at",
            time(),
            "Latest paid order up to the analysis date.",
        ),
        col(
            "orders",
            Int64,
            "Paid orders up to the analysis date (refunded, cancelled and pending orders are not purchases).",
        ),
        col("frequency", Int64, "Repeat purchases: orders − 1."),
        col("refunds", Int64, "Refunded orders."),
        col(
            "recency_days",
            Float64,
            "Days from the latest paid order to the end of the analysis date.",
        ),
        col(
            "tenure_days",
            Float64,
            "Days from the first paid order to the end of the analysis date.",
        ),
        col("monetary", money(), "Total paid for paid orders."),
        col("avg_order_value", Float64, "monetary / orders."),
        col(
            "spend_12m",
            money(),
            "Paid in the 365 days up to the end of the analysis date.",
        ),
        col(
            "aov_trend",
            Float64,
            "Mean value of the latest k = min(3, orders − 1) orders over the mean of the earlier ones, minus 1 (−0.3: recent orders are 30% smaller).",
        ),
        col(
            "gap_mean_days",
            Float64,
            "Mean days between orders: (last − first) / (orders − 1).",
        ),
        col(
            "gap_last_days",
            Float64,
            "Days between the latest order and the one before.",
        ),
        col(
            "discount_share",
            Float64,
            "Discounts / (paid + discounts): the share of list value given away.",
        ),
        col("coupon_rate", Float64, "Share of orders with a coupon."),
        col(
            "festival_share",
            Float64,
            "Share of orders placed in festival windows (shop's local dates).",
        ),
        col(
            "preferred_channel",
            Utf8,
            "Channel of most orders (ties: the channel seen first).",
        ),
        col("preferred_device", Utf8, "Device of most orders."),
        col(
            "preferred_category",
            Utf8,
            "Category with the most item spend.",
        ),
        col("preferred_brand", Utf8, "Brand with the most item spend."),
        col(
            "top_brand_share",
            Float64,
            "Share of item spend on the preferred brand.",
        ),
        col("active_hour", UInt8, "Local hour (0–23) of most orders."),
        col("r_score", UInt8, "Recency score 1–5 (5: most recent)."),
        col("f_score", UInt8, "Frequency score 1–5, from orders."),
        col("m_score", UInt8, "Monetary score 1–5, from monetary."),
        col("rfm", Utf8, "The three scores as one code, like 545."),
        col(
            "rfm_segment",
            Utf8,
            "Named segment from R and F scores: Champions, Loyal, Potential loyalist, New customers, Promising, Need attention, About to sleep, Cannot lose them, At risk, Hibernating.",
        ),
        col(
            "rfm_class",
            Utf8,
            "Eight-type scheme (重要价值 … 一般挽留): R, F and M each high when above the average score of buyers.",
        ),
        col(
            "rule_segment",
            Utf8,
            "loyal, potential_churn or regular, by the reports' rules.",
        ),
        col(
            "spend_tier",
            Utf8,
            "diamond, gold, silver or bronze by spend_12m.",
        ),
        col(
            "customer_type",
            Utf8,
            "brand_loyal, scenario_driven, price_sensitive or mixed, by rules tested in that order.",
        ),
        col(
            "lifecycle",
            Utf8,
            "new, active, won_back, at_risk, dormant, churned, or prospect (no paid order).",
        ),
        col(
            "tag",
            Utf8,
            "Composite tag: province · preferred category · spend level.",
        ),
        col(
            "p_alive",
            Float64,
            "Probability the customer is still active (the purchase model chosen by BIC: BG/NBD or MBG/NBD, on distinct purchase days).",
        ),
        col(
            "expected_purchases_90d",
            Float64,
            "Expected purchase days in the next 90 days.",
        ),
        col(
            "expected_purchases_365d",
            Float64,
            "Expected purchase days in the next 365 days.",
        ),
        col(
            "expected_spend",
            Float64,
            "Expected spend per purchase day (Gamma-Gamma; the customer's own mean when frequency and spend are correlated).",
        ),
        col(
            "clv_12m",
            Float64,
            "Predicted value of the next 12 months: discounted expected purchases × expected spend × margin.",
        ),
    ]
});

/// The Arrow schema of `customer_profile`.
pub fn profile_schema() -> SchemaRef {
    Arc::new(Schema::new(
        COLUMNS
            .iter()
            .map(|c| Field::new(c.name, c.data_type.clone(), c.name != "customer_id"))
            .collect::<Vec<_>>(),
    ))
}

/// What an analysis used and found, kept with the table (Parquet metadata) so a report can
/// state its definitions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisMeta {
    pub as_of: NaiveDate,
    pub timezone: String,
    /// Exclusive end of the analysis date, UTC µs: orders before it count.
    pub end_us: i64,
    pub customers: u64,
    pub buyers: u64,
    pub orders_scanned: u64,
    /// Orders placed before the end of the analysis date (any status): what the table is made
    /// of. `None` in tables written before it was kept.
    #[serde(default)]
    pub orders_used: Option<u64>,
    /// The local day of the latest order in the data, whatever the analysis date. `None` in
    /// tables written before it was kept.
    #[serde(default)]
    pub last_order_day: Option<NaiveDate>,
    pub rfm_cuts: [[f64; 4]; 3],
    /// Average R, F and M scores of buyers: the eight-type scheme's high/low line.
    pub rfm_means: [f64; 3],
    pub config: AnalyzeConfig,
    pub seconds: f64,
    /// The lifetime-value models, when enabled.
    pub value: Option<crate::value::ValueMeta>,
}

/// The customer table and how it was made.
#[derive(Debug)]
pub struct Profile {
    pub batch: RecordBatch,
    pub meta: AnalysisMeta,
}

/// Item-level preferences of one customer.
#[derive(Debug, Default, Clone)]
struct Prefs {
    category: Option<String>,
    brand: Option<String>,
    brand_share: Option<f64>,
}

/// From the customers table.
#[derive(Debug, Default, Clone)]
struct Person {
    gender: Option<String>,
    birth_year: Option<i64>,
    province: Option<String>,
    city: Option<String>,
    registered_at: Option<i64>,
    acquisition_channel: Option<String>,
}

/// The latest and earliest `ordered_at` (µs), from Parquet statistics where they exist.
async fn order_span(ctx: &SessionContext) -> Result<Option<(i64, i64)>> {
    let batches = ctx
        .sql("SELECT min(ordered_at), max(ordered_at) FROM orders")
        .await?
        .collect()
        .await?;
    let Some(b) = batches.first() else {
        return Ok(None);
    };
    let (lo, hi) = (b.column(0), b.column(1));
    if b.num_rows() == 0 || lo.is_null(0) || hi.is_null(0) {
        return Ok(None);
    }
    let lo = lo
        .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
        .value(0);
    let hi = hi
        .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
        .value(0);
    Ok(Some((lo, hi)))
}

/// Start of the local day after `date`, as UTC µs.
fn end_of_day_us(tz: Tz, date: NaiveDate) -> Result<i64> {
    let next = date
        .succ_opt()
        .ok_or_else(|| FeatureError::Config(format!("analysis date {date} is out of range")))?;
    crate::clock::day_start_us(tz, next)
        .ok_or_else(|| FeatureError::Config(format!("{next} has no valid time in {tz}")))
}

fn text_rows(batches: &[RecordBatch], col: usize) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for b in batches {
        let a = b.column(col);
        let cast = arrow::compute::cast(a, &DataType::Utf8).expect("text casts to Utf8");
        let s = cast.as_string::<i32>();
        out.extend((0..s.len()).map(|i| (!s.is_null(i)).then(|| s.value(i).to_string())));
    }
    out
}

async fn item_preferences(
    ctx: &SessionContext,
    end_us: i64,
    index: &hashbrown::HashMap<Box<str>, u32>,
    n: usize,
) -> Result<Vec<Prefs>> {
    let lines = format!(
        "WITH l AS (
           SELECT o.customer_id, i.category, i.brand,
                  CAST(COALESCE(i.paid_amount, i.unit_price * i.quantity) AS DOUBLE) AS amount
           FROM order_items i JOIN orders o ON i.order_id = o.order_id
           WHERE (o.status IS NULL OR o.status = 'paid')
             AND o.ordered_at < to_timestamp_micros({end_us}))"
    );
    let mut prefs = vec![Prefs::default(); n];
    let pick = |what: &str| {
        format!(
            "{lines},
             s AS (SELECT customer_id, {what} AS v, SUM(amount) AS s FROM l
                   WHERE {what} IS NOT NULL GROUP BY customer_id, {what})
             SELECT customer_id, first_value(v ORDER BY s DESC, v ASC) AS v,
                    MAX(s) / NULLIF(SUM(s), 0) AS share
             FROM s GROUP BY customer_id"
        )
    };
    for (what, is_brand) in [("category", false), ("brand", true)] {
        let batches = ctx.sql(&pick(what)).await?.collect().await?;
        let ids = text_rows(&batches, 0);
        let values = text_rows(&batches, 1);
        let mut shares = Vec::new();
        for b in &batches {
            let s = b.column(2).as_primitive::<arrow::datatypes::Float64Type>();
            shares.extend((0..s.len()).map(|i| (!s.is_null(i)).then(|| s.value(i))));
        }
        for ((id, v), share) in ids.into_iter().zip(values).zip(shares) {
            let Some(&at) = id.as_deref().and_then(|id| index.get(id)) else {
                continue;
            };
            let p = &mut prefs[at as usize];
            if is_brand {
                p.brand = v;
                p.brand_share = share;
            } else {
                p.category = v;
            }
        }
    }
    Ok(prefs)
}

async fn people(ctx: &SessionContext) -> Result<(Vec<Option<String>>, Vec<Person>)> {
    let batches = ctx
        .sql(
            "SELECT customer_id, gender, birth_year, province, city, \
             CAST(registered_at AS BIGINT), acquisition_channel FROM customers",
        )
        .await?
        .collect()
        .await?;
    let ids = text_rows(&batches, 0);
    let gender = text_rows(&batches, 1);
    let province = text_rows(&batches, 3);
    let city = text_rows(&batches, 4);
    let channel = text_rows(&batches, 6);
    let ints = |c: usize| {
        let mut out = Vec::new();
        for b in &batches {
            let a = b.column(c).as_primitive::<arrow::datatypes::Int64Type>();
            out.extend((0..a.len()).map(|i| (!a.is_null(i)).then(|| a.value(i))));
        }
        out
    };
    let birth = ints(2);
    let registered = ints(5);
    let people = (0..ids.len())
        .map(|i| Person {
            gender: gender[i].clone(),
            birth_year: birth[i],
            province: province[i].clone(),
            city: city[i].clone(),
            registered_at: registered[i],
            acquisition_channel: channel[i].clone(),
        })
        .collect();
    Ok((ids, people))
}

/// Province and city of each customer's latest order with a delivery address, for customers
/// the customers table does not place.
async fn order_regions(
    ctx: &SessionContext,
    end_us: i64,
) -> Result<Vec<(String, Option<String>, Option<String>)>> {
    let batches = ctx
        .sql(&format!(
            "SELECT customer_id, last_value(province ORDER BY ordered_at), \
             last_value(city ORDER BY ordered_at) FROM orders \
             WHERE province IS NOT NULL AND (status IS NULL OR status = 'paid') \
             AND ordered_at < to_timestamp_micros({end_us}) GROUP BY customer_id"
        ))
        .await?
        .collect()
        .await?;
    let ids = text_rows(&batches, 0);
    let p = text_rows(&batches, 1);
    let c = text_rows(&batches, 2);
    Ok(ids
        .into_iter()
        .zip(p)
        .zip(c)
        .filter_map(|((id, p), c)| id.map(|id| (id, p, c)))
        .collect())
}

fn argmax(counts: &[u16]) -> Option<usize> {
    let mut best: Option<(usize, u16)> = None;
    for (i, &n) in counts.iter().enumerate() {
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((i, n));
        }
    }
    best.map(|(i, _)| i)
}

/// Per-customer numbers derived from the accumulator.
#[derive(Debug, Clone, Copy, Default)]
pub struct Derived {
    pub recency_days: f64,
    pub tenure_days: f64,
    pub monetary: f64,
    pub spend_12m: f64,
    pub avg: f64,
    pub trend: Option<f64>,
    pub gap_mean: Option<f64>,
    pub gap_last: Option<f64>,
    pub discount_share: f64,
    pub coupon_rate: f64,
    pub festival_share: f64,
}

/// Days, shares and trends of one buyer (`acc.orders > 0`).
pub fn derive(acc: &Acc, end_us: i64) -> Derived {
    let n = acc.orders as f64;
    let day = US_PER_DAY as f64;
    let last = acc.last_t[0];
    let monetary = acc.total as f64 / 100.0;
    let (trend, gap_mean, gap_last) = if acc.orders >= 2 {
        let k = (acc.orders - 1).min(3) as usize;
        let recent: i64 = acc.last_amount[..k].iter().sum();
        let earlier_n = acc.orders as usize - k;
        let earlier = (acc.total - recent) as f64 / earlier_n as f64;
        let recent = recent as f64 / k as f64;
        let trend = (earlier > 0.0).then(|| recent / earlier - 1.0);
        (
            trend,
            Some((last - acc.first) as f64 / day / (n - 1.0)),
            Some((last - acc.last_t[1]) as f64 / day),
        )
    } else {
        (None, None, None)
    };
    let list = acc.total + acc.discount;
    Derived {
        recency_days: (end_us - last) as f64 / day,
        tenure_days: (end_us - acc.first) as f64 / day,
        monetary,
        spend_12m: acc.total_12m as f64 / 100.0,
        avg: monetary / n,
        trend,
        gap_mean,
        gap_last,
        discount_share: if list > 0 {
            acc.discount as f64 / list as f64
        } else {
            0.0
        },
        coupon_rate: acc.coupons as f64 / n,
        festival_share: acc.festival as f64 / n,
    }
}

/// The RFM cut points and scores of buyers, in index order (`None` for non-buyers).
pub fn rfm_scores(
    cfg: &AnalyzeConfig,
    accs: &[Acc],
    derived: &[Derived],
) -> (RfmCuts, Vec<Option<[u8; 3]>>) {
    let mut r = Vec::with_capacity(accs.len());
    let mut f = Vec::with_capacity(accs.len());
    let mut m = Vec::with_capacity(accs.len());
    for (a, d) in accs.iter().zip(derived) {
        if a.orders > 0 {
            r.push(d.recency_days);
            f.push(a.orders as f64);
            m.push(d.monetary);
        }
    }
    let cuts = RfmCuts::new(&cfg.rfm, &r, &f, &m);
    let scores = accs
        .iter()
        .zip(derived)
        .map(|(a, d)| {
            (a.orders > 0).then(|| {
                [
                    segment::score_down(d.recency_days, &cuts.recency),
                    segment::score_up(a.orders as f64, &cuts.orders),
                    segment::score_up(d.monetary, &cuts.monetary),
                ]
            })
        })
        .collect();
    (cuts, scores)
}

/// The orders pass with its derived numbers and RFM scores: the customer-table step that the
/// benchmark measures. Customers in index order of `pass`.
#[derive(Debug)]
pub struct OrdersPass {
    pub pass: Partial,
    pub as_of: NaiveDate,
    pub timezone: String,
    /// Exclusive end of the analysis date, UTC µs.
    pub end_us: i64,
    /// The local day of the latest order in the data (it may be after the analysis date).
    pub last_order_day: NaiveDate,
    pub derived: Vec<Derived>,
    pub cuts: RfmCuts,
    pub scores: Vec<Option<[u8; 3]>>,
}

/// Folds the `orders` table into per-customer numbers and RFM scores.
pub async fn orders_pass(
    ctx: &SessionContext,
    cfg: &AnalyzeConfig,
    default_timezone: &str,
    keep_purchases: bool,
) -> Result<OrdersPass> {
    let started = Instant::now();
    let windows = cfg.validate().map_err(FeatureError::Config)?;
    let tz_name = cfg.timezone.as_deref().unwrap_or(default_timezone);
    let tz: Tz = strata_store::parse_timezone(tz_name)?;
    let Some((first_us, last_us)) = order_span(ctx).await? else {
        return Err(FeatureError::NoData(
            "the workspace has no orders; import them first (strata import orders FILE)".into(),
        ));
    };
    let last_order_day = tz
        .timestamp_micros(last_us)
        .single()
        .map(|t| t.date_naive())
        .ok_or_else(|| FeatureError::internal("latest order time out of range"))?;
    let as_of = cfg.as_of.unwrap_or(last_order_day);
    let end_us = end_of_day_us(tz, as_of)?;
    if end_us <= first_us {
        return Err(FeatureError::NoData(format!(
            "no orders on or before the analysis date {as_of}; the first order is later"
        )));
    }
    let clock = Arc::new(Clock::new(tz, first_us, last_us.min(end_us), windows));
    let params = PassParams {
        end_us,
        start_12m_us: end_us - 365 * US_PER_DAY,
        clock,
        keep_purchases,
    };
    let pass: Partial = kernel::scan_orders(ctx, params).await?;
    let derived: Vec<Derived> = pass
        .accs
        .iter()
        .map(|a| {
            if a.orders > 0 {
                derive(a, end_us)
            } else {
                Derived::default()
            }
        })
        .collect();
    let (cuts, scores) = rfm_scores(cfg, &pass.accs, &derived);
    tracing::info!(
        rows = pass.rows,
        customers = pass.accs.len(),
        seconds = started.elapsed().as_secs_f64(),
        "orders pass done"
    );
    Ok(OrdersPass {
        pass,
        as_of,
        timezone: tz_name.to_string(),
        end_us,
        last_order_day,
        derived,
        cuts,
        scores,
    })
}

/// Computes the customer table from the workspace tables registered in `ctx`.
pub async fn compute(
    ctx: &SessionContext,
    cfg: &AnalyzeConfig,
    default_timezone: &str,
) -> Result<Profile> {
    let started = Instant::now();
    let OrdersPass {
        mut pass,
        as_of,
        timezone: tz_name,
        end_us,
        last_order_day,
        mut derived,
        cuts,
        mut scores,
    } = orders_pass(ctx, cfg, default_timezone, cfg.value.enabled).await?;

    // Customers known only from the customers table join as prospects.
    let (person_ids, persons) = people(ctx).await?;
    let mut person_of: Vec<Option<usize>> = vec![None; pass.accs.len()];
    for (row, id) in person_ids.iter().enumerate() {
        let Some(id) = id else { continue };
        let at = match pass.index.get(id.as_str()) {
            Some(&i) => i as usize,
            None => {
                let i = pass.accs.len();
                pass.index.insert(id.as_str().into(), i as u32);
                pass.ids.push(id.as_str().into());
                pass.accs.push(Acc::default());
                person_of.push(None);
                i
            }
        };
        person_of[at] = Some(row);
    }
    let n = pass.accs.len();
    let prefs = item_preferences(ctx, end_us, &pass.index, n).await?;
    let mut fallback_region: Vec<Option<(Option<String>, Option<String>)>> = vec![None; n];
    let unplaced = (0..n).any(|i| {
        pass.accs[i].orders > 0 && person_of[i].is_none_or(|p| persons[p].province.is_none())
    });
    if unplaced {
        for (id, p, c) in order_regions(ctx, end_us).await? {
            if let Some(&at) = pass.index.get(id.as_str()) {
                fallback_region[at as usize] = Some((p, c));
            }
        }
    }

    derived.resize(n, Derived::default());
    scores.resize(n, None);
    let (value_cols, value_meta) = if cfg.value.enabled {
        let tz: Tz = strata_store::parse_timezone(&tz_name)?;
        let offset = chrono::DateTime::from_timestamp_micros(end_us)
            .map(|t| {
                tz.offset_from_utc_datetime(&t.naive_utc())
                    .fix()
                    .local_minus_utc()
            })
            .unwrap_or(0);
        let purchases = std::mem::take(&mut pass.purchases);
        let (c, m) = crate::value::estimate(&purchases, n, end_us, i64::from(offset), &cfg.value);
        (c, Some(m))
    } else {
        (crate::value::ValueColumns::empty(n), None)
    };
    let buyers = scores.iter().flatten().count();
    let mut means = [0.0f64; 3];
    for s in scores.iter().flatten() {
        for k in 0..3 {
            means[k] += f64::from(s[k]);
        }
    }
    for m in &mut means {
        *m /= buyers.max(1) as f64;
    }

    let mut b = Builders::new(n);
    for i in 0..n {
        let acc = &pass.accs[i];
        let d = &derived[i];
        let person = person_of[i].map(|p| &persons[p]);
        let pref = &prefs[i];
        b.id.append_value(&pass.ids[i]);
        b.gender
            .append_option(person.and_then(|p| p.gender.as_deref()));
        b.age.append_option(
            person
                .and_then(|p| p.birth_year)
                .map(|y| i64::from(as_of.year()) - y),
        );
        let (province, city) = match person.filter(|p| p.province.is_some()) {
            Some(p) => (p.province.clone(), p.city.clone()),
            None => fallback_region[i].clone().unwrap_or((None, None)),
        };
        b.province.append_option(province.as_deref());
        b.city.append_option(city.as_deref());
        b.city_tier
            .append_option(city.as_deref().map(segment::city_tier));
        b.acquisition
            .append_option(person.and_then(|p| p.acquisition_channel.as_deref()));
        b.registered
            .append_option(person.and_then(|p| p.registered_at));
        b.refunds.append_value(i64::from(acc.refunds));
        b.orders.append_value(i64::from(acc.orders));
        b.p_alive.append_option(value_cols.p_alive[i]);
        b.expected_90d.append_option(value_cols.expected_90d[i]);
        b.expected_365d.append_option(value_cols.expected_365d[i]);
        b.expected_spend.append_option(value_cols.expected_spend[i]);
        b.clv_12m.append_option(value_cols.clv_12m[i]);
        let Some([r, f, m]) = scores[i] else {
            b.append_prospect();
            continue;
        };
        b.first.append_value(acc.first);
        b.last.append_value(acc.last_t[0]);
        b.frequency.append_value(i64::from(acc.orders) - 1);
        b.recency.append_value(d.recency_days);
        b.tenure.append_value(d.tenure_days);
        b.monetary.append_value(i128::from(acc.total));
        b.avg.append_value(d.avg);
        b.spend_12m.append_value(i128::from(acc.total_12m));
        b.trend.append_option(d.trend);
        b.gap_mean.append_option(d.gap_mean);
        b.gap_last.append_option(d.gap_last);
        b.discount_share.append_value(d.discount_share);
        b.coupon_rate.append_value(d.coupon_rate);
        b.festival_share.append_value(d.festival_share);
        b.channel
            .append_option(argmax(&acc.channel).and_then(|s| pass.channels.name(s)));
        b.device
            .append_option(argmax(&acc.device).and_then(|s| pass.devices.name(s)));
        b.category.append_option(pref.category.as_deref());
        b.brand.append_option(pref.brand.as_deref());
        b.brand_share.append_option(pref.brand_share);
        b.hour.append_option(argmax(&acc.hour).map(|h| h as u8));
        b.r.append_value(r);
        b.f.append_value(f);
        b.m.append_value(m);
        b.rfm.append_value(format!("{r}{f}{m}"));
        b.segment.append_value(segment::rfm_segment(r, f));
        b.class.append_value(segment::rfm_class(
            f64::from(r) > means[0],
            f64::from(f) > means[1],
            f64::from(m) > means[2],
        ));
        b.rule.append_value(segment::rule_segment(
            cfg,
            d.recency_days,
            acc.orders,
            d.monetary,
        ));
        let tier = segment::spend_tier(cfg, d.spend_12m);
        b.tier.append_value(tier);
        b.kind.append_value(segment::customer_type(
            cfg,
            TypeInputs {
                orders: acc.orders,
                top_brand_share: pref.brand_share,
                coupon_rate: d.coupon_rate,
                discount_share: d.discount_share,
                festival_share: d.festival_share,
            },
        ));
        b.stage.append_value(segment::lifecycle(
            cfg,
            d.tenure_days,
            d.recency_days,
            d.gap_last,
        ));
        b.tag.append_value(format!(
            "{} · {} · {}",
            province.as_deref().unwrap_or("未知地区"),
            pref.category.as_deref().unwrap_or("未知品类"),
            segment::spend_level(tier)
        ));
    }
    let meta = AnalysisMeta {
        as_of,
        timezone: tz_name,
        end_us,
        customers: n as u64,
        buyers: buyers as u64,
        orders_scanned: pass.rows,
        orders_used: Some(pass.rows_used),
        last_order_day: Some(last_order_day),
        rfm_cuts: [cuts.recency, cuts.orders, cuts.monetary],
        rfm_means: means,
        config: cfg.clone(),
        seconds: started.elapsed().as_secs_f64(),
        value: value_meta,
    };
    let batch = b.finish(&meta)?;
    Ok(Profile { batch, meta })
}

struct Builders {
    id: StringBuilder,
    gender: StringBuilder,
    age: Int64Builder,
    province: StringBuilder,
    city: StringBuilder,
    city_tier: StringBuilder,
    acquisition: StringBuilder,
    registered: TimestampMicrosecondBuilder,
    first: TimestampMicrosecondBuilder,
    last: TimestampMicrosecondBuilder,
    orders: Int64Builder,
    frequency: Int64Builder,
    refunds: Int64Builder,
    recency: Float64Builder,
    tenure: Float64Builder,
    monetary: Decimal128Builder,
    avg: Float64Builder,
    spend_12m: Decimal128Builder,
    trend: Float64Builder,
    gap_mean: Float64Builder,
    gap_last: Float64Builder,
    discount_share: Float64Builder,
    coupon_rate: Float64Builder,
    festival_share: Float64Builder,
    channel: StringBuilder,
    device: StringBuilder,
    category: StringBuilder,
    brand: StringBuilder,
    brand_share: Float64Builder,
    hour: UInt8Builder,
    r: UInt8Builder,
    f: UInt8Builder,
    m: UInt8Builder,
    rfm: StringBuilder,
    segment: StringBuilder,
    class: StringBuilder,
    rule: StringBuilder,
    tier: StringBuilder,
    kind: StringBuilder,
    stage: StringBuilder,
    tag: StringBuilder,
    p_alive: Float64Builder,
    expected_90d: Float64Builder,
    expected_365d: Float64Builder,
    expected_spend: Float64Builder,
    clv_12m: Float64Builder,
}

impl Builders {
    fn new(n: usize) -> Self {
        let s = || StringBuilder::with_capacity(n, n * 8);
        let i = || Int64Builder::with_capacity(n);
        let f = || Float64Builder::with_capacity(n);
        let u = || UInt8Builder::with_capacity(n);
        let t = || TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
        let d = || {
            Decimal128Builder::with_capacity(n)
                .with_precision_and_scale(18, 2)
                .expect("valid decimal type")
        };
        Builders {
            id: s(),
            gender: s(),
            age: i(),
            province: s(),
            city: s(),
            city_tier: s(),
            acquisition: s(),
            registered: t(),
            first: t(),
            last: t(),
            orders: i(),
            frequency: i(),
            refunds: i(),
            recency: f(),
            tenure: f(),
            monetary: d(),
            avg: f(),
            spend_12m: d(),
            trend: f(),
            gap_mean: f(),
            gap_last: f(),
            discount_share: f(),
            coupon_rate: f(),
            festival_share: f(),
            channel: s(),
            device: s(),
            category: s(),
            brand: s(),
            brand_share: f(),
            hour: u(),
            r: u(),
            f: u(),
            m: u(),
            rfm: s(),
            segment: s(),
            class: s(),
            rule: s(),
            tier: s(),
            kind: s(),
            stage: s(),
            tag: s(),
            p_alive: f(),
            expected_90d: f(),
            expected_365d: f(),
            expected_spend: f(),
            clv_12m: f(),
        }
    }

    /// The order columns of a customer without a paid order.
    fn append_prospect(&mut self) {
        self.first.append_null();
        self.last.append_null();
        self.frequency.append_null();
        self.recency.append_null();
        self.tenure.append_null();
        self.monetary.append_value(0);
        self.avg.append_null();
        self.spend_12m.append_value(0);
        for b in [
            &mut self.trend,
            &mut self.gap_mean,
            &mut self.gap_last,
            &mut self.discount_share,
            &mut self.coupon_rate,
            &mut self.festival_share,
            &mut self.brand_share,
        ] {
            b.append_null();
        }
        for b in [
            &mut self.channel,
            &mut self.device,
            &mut self.category,
            &mut self.brand,
            &mut self.rfm,
            &mut self.segment,
            &mut self.class,
            &mut self.rule,
            &mut self.kind,
            &mut self.tag,
        ] {
            b.append_null();
        }
        self.tier.append_value("bronze");
        self.stage.append_value("prospect");
        self.hour.append_null();
        self.r.append_null();
        self.f.append_null();
        self.m.append_null();
    }

    fn finish(mut self, meta: &AnalysisMeta) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.gender.finish()),
            Arc::new(self.age.finish()),
            Arc::new(self.province.finish()),
            Arc::new(self.city.finish()),
            Arc::new(self.city_tier.finish()),
            Arc::new(self.acquisition.finish()),
            Arc::new(self.registered.finish()),
            Arc::new(self.first.finish()),
            Arc::new(self.last.finish()),
            Arc::new(self.orders.finish()),
            Arc::new(self.frequency.finish()),
            Arc::new(self.refunds.finish()),
            Arc::new(self.recency.finish()),
            Arc::new(self.tenure.finish()),
            Arc::new(self.monetary.finish()),
            Arc::new(self.avg.finish()),
            Arc::new(self.spend_12m.finish()),
            Arc::new(self.trend.finish()),
            Arc::new(self.gap_mean.finish()),
            Arc::new(self.gap_last.finish()),
            Arc::new(self.discount_share.finish()),
            Arc::new(self.coupon_rate.finish()),
            Arc::new(self.festival_share.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.device.finish()),
            Arc::new(self.category.finish()),
            Arc::new(self.brand.finish()),
            Arc::new(self.brand_share.finish()),
            Arc::new(self.hour.finish()),
            Arc::new(self.r.finish()),
            Arc::new(self.f.finish()),
            Arc::new(self.m.finish()),
            Arc::new(self.rfm.finish()),
            Arc::new(self.segment.finish()),
            Arc::new(self.class.finish()),
            Arc::new(self.rule.finish()),
            Arc::new(self.tier.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.stage.finish()),
            Arc::new(self.tag.finish()),
            Arc::new(self.p_alive.finish()),
            Arc::new(self.expected_90d.finish()),
            Arc::new(self.expected_365d.finish()),
            Arc::new(self.expected_spend.finish()),
            Arc::new(self.clv_12m.finish()),
        ];
        let schema = profile_schema();
        let mut metadata = schema.metadata().clone();
        metadata.insert(
            META_KEY.to_string(),
            serde_json::to_string(meta).expect("analysis metadata serialises"),
        );
        let schema = Arc::new(Schema::new_with_metadata(schema.fields().clone(), metadata));
        Ok(RecordBatch::try_new(schema, columns)?)
    }
}

/// Parquet/Arrow schema metadata key holding [`AnalysisMeta`] as JSON.
pub const META_KEY: &str = "strata.analysis";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_its_first_minute() {
        // Beirut jumps from 00:00 to 01:00 on 30 March 2025.
        let d = NaiveDate::from_ymd_opt(2025, 3, 29).unwrap();
        let end = end_of_day_us(chrono_tz::Asia::Beirut, d).unwrap();
        let expected = chrono::DateTime::parse_from_rfc3339("2025-03-29T22:00:00Z")
            .unwrap()
            .timestamp_micros();
        assert_eq!(end, expected);
        let shanghai = end_of_day_us(chrono_tz::Asia::Shanghai, d).unwrap();
        assert_eq!(
            shanghai,
            chrono::DateTime::parse_from_rfc3339("2025-03-29T16:00:00Z")
                .unwrap()
                .timestamp_micros()
        );
    }
}
