//! The lifetime-value chapter: the model, CLV by segment and tier, the P(alive) map and the
//! holdout check.

use strata_charts::{
    BarChart, Block, Cell, Format, Heatmap, Kpi, LineChart, Section, Series, Table, format_value,
};
use strata_features::value::{HoldoutCheck, ValueMeta};

use super::{Cx, HALF};
use crate::Result;
use crate::format::{PCT, YUAN, compact_money, pct};
use crate::i18n::clv::{self as t, Holdout};
use crate::i18n::{common, label};
use crate::query::{Rows, rows};

pub async fn lifetime_value(cx: &Cx<'_>) -> Result<Option<Section>> {
    let lang = cx.lang;
    let Some(v) = cx.meta.value.as_ref() else {
        return Ok(None);
    };
    let s = Section::new("clv", t::title(lang));
    if let Some(why) = &v.skipped {
        return Ok(Some(s.with(Block::Callout(t::skipped(lang, why)))));
    }
    let kpis = kpis(cx, v).await?;
    let seg = rows(cx.ctx, &by("rfm_segment")).await?;
    let tier = rows(cx.ctx, &by("spend_tier")).await?;
    let alive = alive_map(cx).await?;
    let s = s
        .with(Block::Kpis(kpis))
        .with(Block::Heading(t::by_segment(lang)))
        .with(Block::Table(value_table(
            cx,
            &seg,
            common::rfm_segment(lang),
        )?))
        .with(Block::Heading(t::by_tier(lang)))
        .with(Block::Table(value_table(cx, &tier, common::tier(lang))?));
    let Some(h) = &v.holdout else {
        return Ok(Some(s.with(Block::Grid(vec![alive]))));
    };
    let mut grid = vec![alive];
    grid.extend(holdout_charts(cx, h));
    Ok(Some(
        s.with(Block::Heading(t::check_heading(lang)))
            .with(Block::Grid(grid))
            .with(Block::Callout(holdout_note(cx, h))),
    ))
}

/// Predicted value, P(alive), the purchase model and (with a holdout) its error.
async fn kpis(cx: &Cx<'_>, v: &ValueMeta) -> Result<Vec<Kpi>> {
    let lang = cx.lang;
    let k = rows(
        cx.ctx,
        "SELECT sum(clv_12m), avg(clv_12m), avg(p_alive),
                CAST(count(*) FILTER (WHERE p_alive < 0.5) AS DOUBLE) / count(*),
                sum(expected_purchases_365d)
         FROM customer_profile WHERE p_alive IS NOT NULL",
    )
    .await?;
    let chosen = v
        .candidates
        .iter()
        .find(|c| c.model == v.model)
        .map(|c| c.bic)
        .unwrap_or(f64::NAN);
    let mut kpis = vec![
        Kpi::new(t::predicted_value(lang), compact_money(lang, k.first(0)?))
            .note(t::per_buyer(lang, &format_value(k.first(1)?, YUAN))),
        Kpi::new(t::mean_p_alive(lang), pct(k.first(2)?))
            .note(t::below_half(lang, &pct(k.first(3)?))),
        Kpi::new(t::purchase_model(lang), v.model.clone())
            .note(t::bic(&format_value(chosen, Format::Integer))),
    ];
    if let Some(h) = &v.holdout {
        let error = if h.actual_total > 0.0 {
            format!(
                "{:+.1}%",
                100.0 * (h.predicted_total / h.actual_total - 1.0)
            )
        } else {
            "—".to_string()
        };
        kpis.push(
            Kpi::new(t::holdout_error(lang), error).note(t::predicted_and_actual(
                lang,
                h.predicted_total,
                h.actual_total,
            )),
        );
    }
    Ok(kpis)
}

/// Value by one column of the customer table, most valuable group first.
fn by(col: &str) -> String {
    format!(
        "SELECT coalesce({col}, ''), count(*), avg(p_alive), avg(expected_purchases_365d),
                avg(clv_12m), sum(clv_12m) / sum(sum(clv_12m)) OVER ()
         FROM customer_profile WHERE p_alive IS NOT NULL GROUP BY 1 ORDER BY 5 DESC"
    )
}

fn value_table(cx: &Cx<'_>, r: &Rows, head: String) -> Result<Table> {
    let lang = cx.lang;
    let (names, n, pa, e, clv, share) = (
        r.text(0)?,
        r.num(1)?,
        r.num(2)?,
        r.num(3)?,
        r.num(4)?,
        r.num(5)?,
    );
    Ok(Table {
        headers: vec![
            head,
            common::buyers(lang),
            t::mean_p_alive(lang),
            t::expected_days(lang),
            t::value_per_buyer(lang),
            t::share_of_value(lang),
        ],
        rows: (0..names.len())
            .map(|i| {
                vec![
                    Cell::text(label(lang, &names[i])),
                    Cell::Number(n[i], Format::Integer),
                    Cell::Number(pa[i], PCT),
                    Cell::Number(e[i], Format::Decimal(1)),
                    Cell::Number(clv[i], YUAN),
                    Cell::Bar(share[i], PCT),
                ]
            })
            .collect(),
        caption: None,
    })
}

/// P(alive) by orders and days since the last order.
async fn alive_map(cx: &Cx<'_>) -> Result<Block> {
    let lang = cx.lang;
    let m = rows(
        cx.ctx,
        "SELECT CASE WHEN orders = 1 THEN 0 WHEN orders = 2 THEN 1 WHEN orders = 3 THEN 2
                     WHEN orders <= 5 THEN 3 WHEN orders <= 9 THEN 4 ELSE 5 END AS fb,
                CASE WHEN recency_days <= 30 THEN 0 WHEN recency_days <= 90 THEN 1
                     WHEN recency_days <= 180 THEN 2 WHEN recency_days <= 365 THEN 3 ELSE 4 END AS rb,
                avg(p_alive)
         FROM customer_profile WHERE p_alive IS NOT NULL GROUP BY 1, 2",
    )
    .await?;
    let mut grid = vec![vec![None; 6]; 5];
    for ((f, r), p) in m.num(0)?.iter().zip(m.num(1)?).zip(m.num(2)?) {
        grid[r as usize][*f as usize] = Some(p);
    }
    let map = Heatmap {
        title: t::alive_map(lang),
        x_labels: ["1", "2", "3", "4–5", "6–9", "10+"]
            .map(String::from)
            .to_vec(),
        y_labels: t::recency_bands(lang),
        values: grid,
        format: Format::Percent(0),
        x_title: Some(t::orders(lang)),
        y_title: Some(t::since_last_order(lang)),
        cell_text: true,
        color_range: Some((0.0, 1.0)),
        width: HALF,
        lang,
        ..Heatmap::default()
    };
    Ok(Block::chart(map.to_svg()))
}

/// The holdout check: cumulative purchase days week by week, and by calibration repeats.
fn holdout_charts(cx: &Cx<'_>, h: &HoldoutCheck) -> [Block; 2] {
    let lang = cx.lang;
    let tracking = LineChart {
        title: t::tracking(lang, &h.calibration_end),
        x_labels: h.cumulative.iter().map(|c| format!("{}", c.0)).collect(),
        series: vec![
            Series::new(t::actual(lang), h.cumulative.iter().map(|c| c.1).collect()),
            Series::new(
                t::predicted(lang),
                h.cumulative.iter().map(|c| c.2).collect(),
            ),
        ],
        x_label: Some(t::week(lang)),
        y_min_zero: true,
        width: HALF,
        lang,
        ..LineChart::default()
    };
    let by_freq = BarChart {
        title: t::by_repeats(lang),
        categories: h.by_frequency.iter().map(|b| b.frequency.clone()).collect(),
        series: vec![
            Series::new(
                t::actual(lang),
                h.by_frequency.iter().map(|b| b.actual).collect(),
            ),
            Series::new(
                t::predicted(lang),
                h.by_frequency.iter().map(|b| b.predicted).collect(),
            ),
        ],
        format: Format::Decimal(1),
        width: HALF,
        lang,
        ..BarChart::default()
    };
    [
        Block::chart(tracking.to_svg()),
        Block::chart(by_freq.to_svg()),
    ]
}

fn holdout_note(cx: &Cx<'_>, h: &HoldoutCheck) -> String {
    let gap = if h.actual_total > 0.0 {
        h.predicted_total / h.actual_total - 1.0
    } else {
        0.0
    };
    t::holdout_note(
        cx.lang,
        &Holdout {
            calibration_end: &h.calibration_end,
            days: h.holdout_days,
            predicted: h.predicted_total,
            actual: h.actual_total,
            gap,
            mae: h.mae,
        },
    )
}
