//! The report's chapters, one module each: every chapter runs its queries and lays out KPIs,
//! charts and tables, in named parts (one function per figure, table or subsection). Their
//! words come from `crate::i18n`.

mod behaviour;
mod churn;
mod clv;
mod methods;
mod overview;
mod segments;
mod types;
mod value;

pub use behaviour::behaviour;
pub use churn::churn;
pub use clv::lifetime_value;
pub use methods::methods;
pub use overview::overview;
pub use segments::segments;
pub use types::types_and_lifecycle;
pub use value::value;

use datafusion::prelude::SessionContext;
use strata_charts::{BarChart, Lang, Series};
use strata_features::AnalysisMeta;

use crate::Result;
use crate::format::PCT;
use crate::i18n::{common, label};
use crate::query::rows;

/// What every chapter needs.
pub struct Cx<'a> {
    pub ctx: &'a SessionContext,
    pub meta: &'a AnalysisMeta,
    pub lang: Lang,
}

impl Cx<'_> {
    fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// Paid orders up to the analysis date, as a SQL condition on `orders`.
    fn paid(&self) -> String {
        format!(
            "(status IS NULL OR status = 'paid') AND ordered_at < to_timestamp_micros({})",
            self.meta.end_us
        )
    }

    fn local(&self, col: &str) -> String {
        format!(
            "({col} AT TIME ZONE '{}')",
            self.meta.timezone.replace('\'', "''")
        )
    }
}

/// Half-width charts for two-column grids.
const HALF: f64 = 480.0;

/// Shares of customers and revenue by one column of the customer table.
struct Split {
    names: Vec<String>,
    customers: Vec<f64>,
    customer_share: Vec<f64>,
    revenue_share: Vec<f64>,
    avg_monetary: Vec<f64>,
    avg_recency: Vec<f64>,
    avg_orders: Vec<f64>,
}

/// The split of buyers by `col`, in the order `order` names (others after, largest first).
async fn split(cx: &Cx<'_>, col: &str, order: &[&str]) -> Result<Split> {
    let r = rows(
        cx.ctx,
        &format!(
            "SELECT coalesce({col}, ''), count(*),
                    CAST(count(*) AS DOUBLE) / sum(count(*)) OVER (),
                    sum(CAST(monetary AS DOUBLE)) / sum(sum(CAST(monetary AS DOUBLE))) OVER (),
                    avg(CAST(monetary AS DOUBLE)), avg(recency_days), avg(orders)
             FROM customer_profile WHERE orders > 0 GROUP BY 1"
        ),
    )
    .await?;
    let names = r.text(0)?;
    let mut idx: Vec<usize> = (0..names.len()).collect();
    let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
    let customers = r.num(1)?;
    idx.sort_by(|&a, &b| {
        rank(&names[a])
            .cmp(&rank(&names[b]))
            .then(customers[b].total_cmp(&customers[a]))
    });
    let pick = |v: Vec<f64>| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    Ok(Split {
        names: idx.iter().map(|&i| names[i].clone()).collect(),
        customers: pick(customers.clone()),
        customer_share: pick(r.num(2)?),
        revenue_share: pick(r.num(3)?),
        avg_monetary: pick(r.num(4)?),
        avg_recency: pick(r.num(5)?),
        avg_orders: pick(r.num(6)?),
    })
}

/// The customer-share against revenue-share chart of a split.
fn share_chart(cx: &Cx<'_>, title: String, s: &Split, width: f64) -> BarChart {
    BarChart {
        title,
        categories: s.names.iter().map(|n| label(cx.lang, n)).collect(),
        series: vec![
            Series::new(common::share_of_buyers(cx.lang), s.customer_share.clone()),
            Series::new(common::share_of_revenue(cx.lang), s.revenue_share.clone()),
        ],
        horizontal: true,
        format: PCT,
        width,
        lang: cx.lang,
        ..BarChart::default()
    }
}
