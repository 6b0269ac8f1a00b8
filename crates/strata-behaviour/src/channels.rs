//! Channels, page speed and the behaviours that go with buying: three grouped queries.
//!
//! - Channels: per order channel, buyers and their share, revenue and its share, orders, order
//!   value, and repurchase (of customers whose first paid order came through the channel, the
//!   share with a second); per session channel, the share of sessions with a paid order.
//! - Page speed: page views by load-time bucket, and the share followed by another event in
//!   the same session (the rest are exits), against the fastest bucket; sessions by their
//!   pages' mean load time, and the share that paid.
//! - Behaviour and conversion: per session, video views, dwell time, coupon claims and live
//!   watching against whether the session paid: the correlation (Pearson r of the count with the
//!   0/1 outcome) and the conversion with and without the behaviour. Correlation, not cause.

use arrow::array::RecordBatch;

use datafusion::prelude::SessionContext;
use serde::Serialize;

use crate::Result;

#[derive(Debug, Clone, Serialize)]
pub struct ChannelRow {
    pub channel: String,
    pub buyers: u64,
    pub buyer_share: f64,
    pub orders: u64,
    pub revenue: f64,
    pub revenue_share: f64,
    pub avg_order_value: f64,
    /// Of customers whose first paid order came through this channel, the share who bought again.
    pub repurchase: Option<f64>,
    /// Sessions from this channel, and the share with a paid order (None without events).
    pub sessions: Option<u64>,
    pub session_conversion: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpeedRow {
    pub bucket: String,
    /// Lower bound of the bucket, ms.
    pub from_ms: u64,
    pub page_views: u64,
    /// Share of the page views followed by another event in the session.
    pub continued: Option<f64>,
    /// `1 − continued / continued of the fastest bucket`: the visitors lost to the wait.
    pub loss_vs_fastest: Option<f64>,
    /// Sessions whose pages loaded in this bucket on average, and the share that paid.
    pub sessions: u64,
    pub session_conversion: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverRow {
    pub behaviour: String,
    /// Sessions with the behaviour.
    pub sessions: u64,
    pub conversion_with: Option<f64>,
    pub conversion_without: Option<f64>,
    /// Pearson r between the session's amount of the behaviour and whether it paid.
    pub r: Option<f64>,
}

fn f64_at(b: &RecordBatch, c: usize, r: usize) -> Option<f64> {
    strata_store::columns::f64_at(b.column(c), r)
}

fn str_at(b: &RecordBatch, c: usize, r: usize) -> Option<String> {
    strata_store::columns::text_at(b.column(c), r)
}

async fn rows(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    Ok(ctx.sql(sql).await?.collect().await?)
}

async fn has_rows(ctx: &SessionContext, table: &str) -> Result<bool> {
    let b = rows(
        ctx,
        &format!("SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)"),
    )
    .await?;
    Ok(b.first().and_then(|b| f64_at(b, 0, 0)).unwrap_or(0.0) > 0.0)
}

const PAID: &str = "(status IS NULL OR status = 'paid')";

pub async fn channels(ctx: &SessionContext) -> Result<Vec<ChannelRow>> {
    let sql = format!(
        "WITH o AS (SELECT customer_id, coalesce(channel, '(none)') AS channel, CAST(paid_amount AS DOUBLE) AS amount, ordered_at
                    FROM orders WHERE {PAID} AND customer_id IS NOT NULL),
              firsts AS (SELECT customer_id, channel, count(*) OVER (PARTITION BY customer_id) AS n,
                                row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at) AS k FROM o),
              rep AS (SELECT channel, count(*) AS first_buyers, count(*) FILTER (WHERE n > 1) AS again
                      FROM firsts WHERE k = 1 GROUP BY channel),
              agg AS (SELECT channel, count(DISTINCT customer_id) AS buyers, count(*) AS orders, sum(amount) AS revenue
                      FROM o GROUP BY channel)
         SELECT agg.channel, agg.buyers, agg.orders, agg.revenue,
                CAST(rep.again AS DOUBLE) / rep.first_buyers,
                (SELECT count(DISTINCT customer_id) FROM o), (SELECT sum(amount) FROM o)
         FROM agg LEFT JOIN rep ON rep.channel = agg.channel ORDER BY agg.revenue DESC"
    );
    let mut out = Vec::new();
    for b in rows(ctx, &sql).await? {
        for r in 0..b.num_rows() {
            let buyers = f64_at(&b, 1, r).unwrap_or(0.0);
            let orders = f64_at(&b, 2, r).unwrap_or(0.0);
            let revenue = f64_at(&b, 3, r).unwrap_or(0.0);
            let all_buyers = f64_at(&b, 5, r).unwrap_or(0.0).max(1.0);
            let all_revenue = f64_at(&b, 6, r).unwrap_or(0.0);
            out.push(ChannelRow {
                channel: str_at(&b, 0, r).unwrap_or_default(),
                buyers: buyers as u64,
                buyer_share: buyers / all_buyers,
                orders: orders as u64,
                revenue,
                revenue_share: if all_revenue > 0.0 {
                    revenue / all_revenue
                } else {
                    0.0
                },
                avg_order_value: if orders > 0.0 { revenue / orders } else { 0.0 },
                repurchase: f64_at(&b, 4, r),
                sessions: None,
                session_conversion: None,
            });
        }
    }
    if has_rows(ctx, "events").await? {
        let sql = "SELECT coalesce(channel, '(none)'), count(*), count(*) FILTER (WHERE paid)
                   FROM (SELECT session_id, max(channel) AS channel, bool_or(event_type = 'order_paid') AS paid
                         FROM events WHERE session_id IS NOT NULL GROUP BY session_id)
                   GROUP BY 1";
        for b in rows(ctx, sql).await? {
            for r in 0..b.num_rows() {
                let ch = str_at(&b, 0, r).unwrap_or_default();
                let n = f64_at(&b, 1, r).unwrap_or(0.0);
                let paid = f64_at(&b, 2, r).unwrap_or(0.0);
                match out.iter_mut().find(|c| c.channel == ch) {
                    Some(c) => {
                        c.sessions = Some(n as u64);
                        c.session_conversion = (n > 0.0).then(|| paid / n);
                    }
                    None => out.push(ChannelRow {
                        channel: ch,
                        buyers: 0,
                        buyer_share: 0.0,
                        orders: 0,
                        revenue: 0.0,
                        revenue_share: 0.0,
                        avg_order_value: 0.0,
                        repurchase: None,
                        sessions: Some(n as u64),
                        session_conversion: (n > 0.0).then(|| paid / n),
                    }),
                }
            }
        }
    }
    Ok(out)
}

/// Load-time buckets, ms: the reports' three-second line among them.
pub const SPEED_BUCKETS: [(u64, &str); 5] = [
    (0, "< 1 s"),
    (1000, "1–2 s"),
    (2000, "2–3 s"),
    (3000, "3–5 s"),
    (5000, "≥ 5 s"),
];

pub async fn page_speed(ctx: &SessionContext) -> Result<Vec<SpeedRow>> {
    if !has_rows(ctx, "events").await? {
        return Ok(Vec::new());
    }
    let sql = "WITH v AS (
                 SELECT page_load_ms,
                        lead(event_time) OVER (PARTITION BY session_id ORDER BY event_time) IS NOT NULL AS continued,
                        event_type
                 FROM events WHERE session_id IS NOT NULL)
               SELECT CASE WHEN page_load_ms < 1000 THEN 0 WHEN page_load_ms < 2000 THEN 1
                           WHEN page_load_ms < 3000 THEN 2 WHEN page_load_ms < 5000 THEN 3 ELSE 4 END AS b,
                      count(*), count(*) FILTER (WHERE continued)
               FROM v WHERE event_type = 'page_view' AND page_load_ms IS NOT NULL
               GROUP BY 1 ORDER BY 1";
    let mut counts = [(0.0, 0.0); 5];
    for b in rows(ctx, sql).await? {
        for r in 0..b.num_rows() {
            let k = f64_at(&b, 0, r).unwrap_or(0.0) as usize;
            counts[k.min(4)] = (
                f64_at(&b, 1, r).unwrap_or(0.0),
                f64_at(&b, 2, r).unwrap_or(0.0),
            );
        }
    }
    let sql = "SELECT CASE WHEN l < 1000 THEN 0 WHEN l < 2000 THEN 1 WHEN l < 3000 THEN 2
                           WHEN l < 5000 THEN 3 ELSE 4 END, count(*), count(*) FILTER (WHERE paid)
               FROM (SELECT avg(page_load_ms) FILTER (WHERE event_type = 'page_view') AS l,
                            bool_or(event_type = 'order_paid') AS paid
                     FROM events WHERE session_id IS NOT NULL GROUP BY session_id)
               WHERE l IS NOT NULL GROUP BY 1";
    let mut sessions = [(0.0, 0.0); 5];
    for b in rows(ctx, sql).await? {
        for r in 0..b.num_rows() {
            let k = f64_at(&b, 0, r).unwrap_or(0.0) as usize;
            sessions[k.min(4)] = (
                f64_at(&b, 1, r).unwrap_or(0.0),
                f64_at(&b, 2, r).unwrap_or(0.0),
            );
        }
    }
    let fastest = counts.iter().find(|(n, _)| *n > 0.0).map(|(n, c)| c / n);
    Ok(SPEED_BUCKETS
        .iter()
        .zip(counts)
        .zip(sessions)
        .filter(|((_, (n, _)), (sn, _))| *n > 0.0 || *sn > 0.0)
        .map(|(((from, name), (n, c)), (sn, sp))| {
            let cont = (n > 0.0).then(|| c / n);
            SpeedRow {
                bucket: name.to_string(),
                from_ms: *from,
                page_views: n as u64,
                continued: cont,
                loss_vs_fastest: cont
                    .zip(fastest.filter(|f| *f > 0.0))
                    .map(|(c, f)| 1.0 - c / f),
                sessions: sn as u64,
                session_conversion: (sn > 0.0).then(|| sp / sn),
            }
        })
        .collect())
}

/// Behaviours measured per session: name and the SQL amount per event row.
const DRIVERS: [(&str, &str); 4] = [
    (
        "video_views",
        "CASE WHEN event_type = 'video_view' THEN 1 ELSE 0 END",
    ),
    (
        "dwell_minutes",
        "CASE WHEN event_type = 'page_view' THEN coalesce(duration_ms, 0) / 60000.0 ELSE 0 END",
    ),
    (
        "coupon_claims",
        "CASE WHEN event_type = 'coupon_claim' THEN 1 ELSE 0 END",
    ),
    (
        "live_watching",
        "CASE WHEN event_type = 'live_watch' THEN 1 ELSE 0 END",
    ),
];

pub async fn drivers(ctx: &SessionContext) -> Result<Vec<DriverRow>> {
    if !has_rows(ctx, "events").await? {
        return Ok(Vec::new());
    }
    let inner: Vec<String> = DRIVERS
        .iter()
        .map(|(n, e)| format!("CAST(sum({e}) AS DOUBLE) AS {n}"))
        .collect();
    let mut outer = Vec::new();
    for (n, _) in DRIVERS {
        outer.push(format!("count(*) FILTER (WHERE {n} > 0)"));
        outer.push(format!("avg(y) FILTER (WHERE {n} > 0)"));
        outer.push(format!("avg(y) FILTER (WHERE {n} = 0)"));
        outer.push(format!("corr({n}, y)"));
    }
    let sql = format!(
        "WITH s AS (SELECT {}, CASE WHEN bool_or(event_type = 'order_paid') THEN 1.0 ELSE 0.0 END AS y
                    FROM events WHERE session_id IS NOT NULL GROUP BY session_id)
         SELECT {} FROM s",
        inner.join(", "),
        outer.join(", ")
    );
    let b = rows(ctx, &sql).await?;
    let Some(b) = b.first().filter(|b| b.num_rows() > 0) else {
        return Ok(Vec::new());
    };
    Ok(DRIVERS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| DriverRow {
            behaviour: name.to_string(),
            sessions: f64_at(b, 4 * i, 0).unwrap_or(0.0) as u64,
            conversion_with: f64_at(b, 4 * i + 1, 0),
            conversion_without: f64_at(b, 4 * i + 2, 0),
            r: f64_at(b, 4 * i + 3, 0).filter(|r| r.is_finite()),
        })
        .filter(|d| d.sessions > 0)
        .collect())
}
