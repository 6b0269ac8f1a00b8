//! The segments chapter: the saved segments with their size, revenue share and how they moved
//! since the refresh before. Present only when the workspace has segments.

use strata_charts::{Block, Cell, Format, Section, Table};

use super::Cx;
use crate::Result;
use crate::format::PCT;
use crate::i18n::segments as t;
use crate::query::rows;

pub async fn segments(cx: &Cx<'_>) -> Result<Option<Section>> {
    let lang = cx.lang;
    for table in ["segments", "segment_members", "segment_refreshes"] {
        if cx.ctx.table(table).await.is_err() {
            return Ok(None);
        }
    }
    // The current, not deleted, definitions; each one's latest two refreshes; its members'
    // revenue.
    let r = rows(
        cx.ctx,
        "WITH d AS (
           SELECT name, deleted, row_number() OVER (PARTITION BY name ORDER BY version DESC) AS n
           FROM segments),
         live AS (SELECT name FROM d WHERE n = 1 AND NOT deleted),
         r AS (
           SELECT segment, members, entered, \"left\",
                  row_number() OVER (PARTITION BY segment ORDER BY generation DESC) AS n
           FROM segment_refreshes),
         rev AS (
           SELECT m.segment, CAST(sum(p.monetary) AS DOUBLE) AS revenue
           FROM segment_members m JOIN customer_profile p ON p.customer_id = m.customer_id
           GROUP BY m.segment),
         total AS (
           SELECT count(*) AS customers, CAST(sum(monetary) AS DOUBLE) AS revenue
           FROM customer_profile)
         SELECT l.name, cur.members, CAST(cur.members AS DOUBLE) / nullif(total.customers, 0),
                coalesce(rev.revenue, 0) / nullif(total.revenue, 0),
                cur.entered, cur.\"left\", prev.members
         FROM live l
         JOIN r cur ON cur.segment = l.name AND cur.n = 1
         LEFT JOIN r prev ON prev.segment = l.name AND prev.n = 2
         LEFT JOIN rev ON rev.segment = l.name
         CROSS JOIN total
         ORDER BY cur.members DESC, l.name",
    )
    .await?;
    if r.len() == 0 {
        return Ok(None);
    }
    let (names, members, share, revenue) = (r.text(0)?, r.num(1)?, r.num(2)?, r.num(3)?);
    let (entered, left, prev) = (r.num(4)?, r.num(5)?, r.num(6)?);
    let table = Table {
        headers: vec![
            t::segment(lang),
            t::members(lang),
            t::share_of_customers(lang),
            t::share_of_revenue(lang),
            t::entered(lang),
            t::left(lang),
            t::previous(lang),
        ],
        rows: (0..names.len())
            .map(|i| {
                vec![
                    Cell::text(names[i].clone()),
                    Cell::Number(members[i], Format::Integer),
                    Cell::Bar(share[i], PCT),
                    Cell::Bar(revenue[i], PCT),
                    Cell::Number(entered[i], Format::Integer),
                    Cell::Number(left[i], Format::Integer),
                    if prev[i].is_nan() {
                        Cell::Empty
                    } else {
                        Cell::Number(prev[i], Format::Integer)
                    },
                ]
            })
            .collect(),
        caption: Some(t::caption(lang)),
    };
    Ok(Some(
        Section::new("segments", t::title(lang))
            .with(Block::Paragraph(t::intro(lang)))
            .with(Block::Table(table)),
    ))
}
