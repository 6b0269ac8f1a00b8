//! The behaviour chapter: where visitors drop out of the funnel, how cohorts come back, which
//! channels and behaviours go with buying, and what slow pages cost.

use strata_behaviour::channels::{self, ChannelRow, DriverRow, SpeedRow};
use strata_behaviour::funnel::{self, Funnel, FunnelSpec, GroupFunnel};
use strata_behaviour::retention::{self, Retention, RetentionSpec};
use strata_behaviour::steps;
use strata_charts::{
    BarChart, Block, Cell, Format, Heatmap, Kpi, Lang, Section, Series, Table, format_value,
};

use super::{Cx, HALF};
use crate::format::{PCT, YUAN, compact_money, pct};
use crate::i18n::{behaviour as t, common, label};
use crate::query::rows;
use crate::{ReportError, Result};

pub async fn behaviour(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let mut s = Section::new("behaviour", t::title(lang));
    let events = has_events(cx).await?;
    if events {
        let mut spec = FunnelSpec::new(steps::default_steps());
        spec.by = Some("device".into());
        let f = funnel::funnel(cx.ctx, &spec).await.map_err(err)?;
        if f.all.steps[0].units > 0 {
            s.blocks.push(Block::Heading(t::funnel_heading(lang)));
            s.blocks.extend(funnel_blocks(cx, &f));
        }
    } else {
        s.blocks.push(Block::Callout(t::no_events(lang)));
    }
    let r = retention::retention(
        cx.ctx,
        &RetentionSpec {
            timezone: cx.meta.timezone.clone(),
            ..RetentionSpec::default()
        },
    )
    .await
    .map_err(err)?;
    s.blocks.push(Block::Heading(t::retention_heading(lang)));
    s.blocks.extend(retention_blocks(cx, &r));
    let ch = channels::channels(cx.ctx).await.map_err(err)?;
    if !ch.is_empty() {
        s.blocks.push(Block::Heading(t::channels_heading(lang)));
        let top = ch
            .iter()
            .max_by(|a, b| a.avg_order_value.total_cmp(&b.avg_order_value));
        if let Some(top) = top {
            s.blocks.push(Block::Paragraph(t::top_order_value(
                lang,
                &label(lang, &top.channel),
                &compact_money(lang, top.avg_order_value),
            )));
        }
        s.blocks.extend(channel_blocks(cx, &ch));
    }
    if events {
        let sp = channels::page_speed(cx.ctx).await.map_err(err)?;
        if !sp.is_empty() {
            s.blocks.push(Block::Heading(t::speed_heading(lang)));
            s.blocks.extend(speed_blocks(cx, &sp));
        }
        let d = channels::drivers(cx.ctx).await.map_err(err)?;
        if !d.is_empty() {
            s.blocks.push(Block::Heading(t::drivers_heading(lang)));
            s.blocks.extend(driver_blocks(cx, &d));
        }
    }
    Ok(s)
}

fn err(e: strata_behaviour::BehaviourError) -> ReportError {
    match e {
        strata_behaviour::BehaviourError::DataFusion(e) => ReportError::DataFusion(e),
        other => ReportError::Internal(other.to_string()),
    }
}

fn secs(lang: Lang, s: Option<f64>) -> Cell {
    s.map_or(Cell::Empty, |s| Cell::text(t::duration(lang, s)))
}

async fn has_events(cx: &Cx<'_>) -> Result<bool> {
    let r = rows(
        cx.ctx,
        "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)",
    )
    .await?;
    Ok(r.first(0)? > 0.0)
}

/// The funnel chart, the step that loses most, the steps table and the devices table.
fn funnel_blocks(cx: &Cx<'_>, f: &Funnel) -> Vec<Block> {
    let lang = cx.lang;
    let names: Vec<String> = f.steps.iter().map(|s| t::step_name(lang, s)).collect();
    let chart = BarChart {
        title: t::funnel_chart(lang),
        categories: names.clone(),
        series: vec![Series::new(
            common::customers_plain(lang),
            f.all.steps.iter().map(|s| s.units as f64).collect(),
        )],
        format: Format::Integer,
        lang,
        ..BarChart::default()
    };
    let worst = f
        .all
        .steps
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(j, s)| s.from_previous.map(|p| (j, 1.0 - p)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut blocks = vec![Block::chart(chart.to_svg())];
    if let Some((j, loss)) = worst {
        blocks.push(Block::Callout(t::worst_step(
            lang,
            &names[j - 1],
            &names[j],
            &pct(loss),
        )));
    }
    blocks.push(Block::Table(step_table(cx, f, &names)));
    if !f.groups.is_empty() {
        blocks.push(Block::Table(device_table(cx, &f.groups)));
    }
    blocks
}

fn step_table(cx: &Cx<'_>, f: &Funnel, names: &[String]) -> Table {
    let lang = cx.lang;
    Table {
        headers: vec![
            t::step(lang),
            common::customers_plain(lang),
            t::from_previous(lang),
            t::drop_off(lang),
            t::from_first(lang),
            t::median_time(lang),
        ],
        rows: f
            .all
            .steps
            .iter()
            .zip(names)
            .map(|(s, name)| {
                vec![
                    Cell::text(name.clone()),
                    Cell::Number(s.units as f64, Format::Integer),
                    s.from_previous
                        .map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    s.from_previous
                        .map_or(Cell::Empty, |v| Cell::Number(1.0 - v, PCT)),
                    s.from_first.map_or(Cell::Empty, |v| Cell::Bar(v, PCT)),
                    secs(lang, s.median_secs),
                ]
            })
            .collect(),
        caption: Some(t::funnel_caption(lang)),
    }
}

fn device_table(cx: &Cx<'_>, groups: &[GroupFunnel]) -> Table {
    let lang = cx.lang;
    let conv = |g: &GroupFunnel| g.steps.last().and_then(|s| s.from_first).unwrap_or(0.0);
    Table {
        headers: vec![
            t::device(lang),
            t::entered(lang),
            t::paid(lang),
            t::conversion(lang),
        ],
        rows: groups
            .iter()
            .map(|g| {
                vec![
                    Cell::text(label(lang, g.group.as_deref().unwrap_or(""))),
                    Cell::Number(g.steps[0].units as f64, Format::Integer),
                    Cell::Number(
                        g.steps.last().map_or(0.0, |s| s.units as f64),
                        Format::Integer,
                    ),
                    Cell::Bar(conv(g), PCT),
                ]
            })
            .collect(),
        caption: Some(t::device_caption(lang)),
    }
}

/// Repurchase KPIs over the retention triangle.
fn retention_blocks(cx: &Cx<'_>, r: &Retention) -> Vec<Block> {
    let lang = cx.lang;
    let caption = if r.last_period_partial {
        t::retention_partial(lang)
    } else {
        t::retention_command(lang)
    };
    let mut blocks = vec![Block::chart_with_caption(
        retention_map(cx, r).to_svg(),
        caption,
    )];
    let kpis: Vec<Kpi> = r
        .repurchase
        .iter()
        .filter(|x| x.group.is_none())
        .map(|x| {
            Kpi::new(
                t::repurchase_within(lang, x.days),
                x.rate.map_or("–".into(), pct),
            )
            .note(t::first_time_buyers(
                lang,
                &format_value(x.eligible as f64, Format::Integer),
            ))
        })
        .collect();
    if !kpis.is_empty() {
        blocks.insert(0, Block::Kpis(kpis));
    }
    blocks
}

/// The latest twelve cohorts, twelve months on.
fn retention_map(cx: &Cx<'_>, r: &Retention) -> Heatmap {
    let cohorts: Vec<_> = r.cohorts.iter().rev().take(12).rev().collect();
    let width = 12.min(cohorts.iter().map(|c| c.rate.len()).max().unwrap_or(0));
    Heatmap {
        title: t::retention_chart(cx.lang),
        x_labels: (0..width).map(|i| format!("M{i}")).collect(),
        y_labels: cohorts
            .iter()
            .map(|c| format!("{} ({})", c.cohort, c.customers))
            .collect(),
        values: cohorts
            .iter()
            .map(|c| (0..width).map(|i| c.rate.get(i).copied()).collect())
            .collect(),
        format: PCT,
        x_title: Some(t::months_after(cx.lang)),
        y_title: Some(t::cohort_axis(cx.lang)),
        cell_text: true,
        // M0 is 100% by definition; the scale shows the later months.
        color_range: Some((
            0.0,
            cohorts
                .iter()
                .flat_map(|c| c.rate.iter().skip(1).take(width))
                .copied()
                .fold(0.01, f64::max),
        )),
        lang: cx.lang,
        ..Heatmap::default()
    }
}

/// Channel shares and conversion side by side, then the channels table.
fn channel_blocks(cx: &Cx<'_>, ch: &[ChannelRow]) -> Vec<Block> {
    let lang = cx.lang;
    if ch.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = ch.iter().map(|c| label(lang, &c.channel)).collect();
    let share = BarChart {
        title: t::channel_shares(lang),
        categories: names.clone(),
        series: vec![
            Series::new(t::buyers(lang), ch.iter().map(|c| c.buyer_share).collect()),
            Series::new(
                t::revenue(lang),
                ch.iter().map(|c| c.revenue_share).collect(),
            ),
        ],
        horizontal: true,
        format: PCT,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    let conv: Vec<f64> = ch
        .iter()
        .map(|c| c.session_conversion.unwrap_or(f64::NAN))
        .collect();
    let mut grid = vec![Block::chart(share.to_svg())];
    if conv.iter().any(|v| v.is_finite()) {
        let chart = BarChart {
            title: t::channel_conversion(lang),
            categories: names.clone(),
            series: vec![Series::new(t::conversion_rate(lang), conv)],
            horizontal: true,
            format: PCT,
            width: HALF,
            lang,
            ..BarChart::default()
        };
        grid.push(Block::chart(chart.to_svg()));
    }
    vec![
        Block::Grid(grid),
        Block::Table(channel_table(cx, ch, &names)),
    ]
}

fn channel_table(cx: &Cx<'_>, ch: &[ChannelRow], names: &[String]) -> Table {
    let lang = cx.lang;
    Table {
        headers: vec![
            t::channel(lang),
            t::buyers(lang),
            t::orders(lang),
            t::revenue(lang),
            t::order_value(lang),
            t::repurchase(lang),
            t::session_conversion(lang),
        ],
        rows: ch
            .iter()
            .zip(names)
            .map(|(c, n)| {
                vec![
                    Cell::text(n.clone()),
                    Cell::Number(c.buyers as f64, Format::Integer),
                    Cell::Number(c.orders as f64, Format::Integer),
                    Cell::Bar(c.revenue, YUAN),
                    Cell::Number(c.avg_order_value, YUAN),
                    c.repurchase.map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    c.session_conversion
                        .map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                ]
            })
            .collect(),
        caption: Some(t::channel_caption(lang)),
    }
}

fn speed_blocks(cx: &Cx<'_>, sp: &[SpeedRow]) -> Vec<Block> {
    let lang = cx.lang;
    if sp.is_empty() {
        return Vec::new();
    }
    let chart = BarChart {
        title: t::speed_chart(lang),
        categories: sp.iter().map(|s| s.bucket.clone()).collect(),
        series: vec![
            Series::new(
                t::carried_on(lang),
                sp.iter().map(|s| s.continued.unwrap_or(f64::NAN)).collect(),
            ),
            Series::new(
                t::sessions_paid(lang),
                sp.iter()
                    .map(|s| s.session_conversion.unwrap_or(f64::NAN))
                    .collect(),
            ),
        ],
        format: PCT,
        width: HALF,
        lang,
        ..BarChart::default()
    };
    vec![Block::Grid(vec![
        Block::chart(chart.to_svg()),
        Block::Paragraph(speed_text(lang, sp)),
    ])]
}

/// Page views of 3 s and more against the fastest bucket, and sessions whose pages took 3 s or
/// more on average against the faster sessions, in a sentence each.
fn speed_text(lang: Lang, sp: &[SpeedRow]) -> String {
    let (slow, fast): (Vec<&SpeedRow>, Vec<&SpeedRow>) = sp.iter().partition(|s| s.from_ms >= 3000);
    let weighted =
        |rows: &[&SpeedRow], n: fn(&SpeedRow) -> u64, v: fn(&SpeedRow) -> Option<f64>| {
            let (num, den) = rows
                .iter()
                .filter_map(|s| v(s).map(|x| (x * n(s) as f64, n(s) as f64)))
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            (den > 0.0).then(|| num / den)
        };
    let mut text = Vec::new();
    let fastest = sp.iter().find_map(|s| s.continued).filter(|f| *f > 0.0);
    match (weighted(&slow, |s| s.page_views, |s| s.continued), fastest) {
        (Some(cont), Some(fastest)) => text.push(t::slow_pages(lang, &pct(1.0 - cont / fastest))),
        _ => text.push(t::no_slow_pages(lang)),
    }
    let slow_paid = weighted(&slow, |s| s.sessions, |s| s.session_conversion);
    let fast_paid = weighted(&fast, |s| s.sessions, |s| s.session_conversion);
    if let (Some(a), Some(b)) = (slow_paid, fast_paid.filter(|b| *b > 0.0)) {
        text.push(t::slow_sessions(lang, &pct(a), &pct(b), &pct(1.0 - a / b)));
    }
    text.join(" ")
}

/// How much of each behaviour goes with paying, per session.
fn driver_blocks(cx: &Cx<'_>, d: &[DriverRow]) -> Vec<Block> {
    let lang = cx.lang;
    if d.is_empty() {
        return Vec::new();
    }
    vec![Block::Table(Table {
        headers: vec![
            t::behaviour(lang),
            t::sessions_with(lang),
            t::conversion_with(lang),
            t::conversion_without(lang),
            t::correlation(lang),
        ],
        rows: d
            .iter()
            .map(|x| {
                vec![
                    Cell::text(t::driver_name(lang, &x.behaviour)),
                    Cell::Number(x.sessions as f64, Format::Integer),
                    x.conversion_with
                        .map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    x.conversion_without
                        .map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    x.r.map_or(Cell::Empty, |v| Cell::Number(v, Format::Decimal(2))),
                ]
            })
            .collect(),
        caption: Some(t::drivers_caption(lang)),
    })]
}
#[cfg(test)]
mod tests {
    use super::*;

    fn row(from_ms: u64, views: u64, cont: f64, sessions: u64, conv: f64) -> SpeedRow {
        SpeedRow {
            bucket: format!("{from_ms}"),
            from_ms,
            page_views: views,
            continued: Some(cont),
            loss_vs_fastest: None,
            sessions,
            session_conversion: Some(conv),
        }
    }

    #[test]
    fn slow_pages_and_sessions_against_the_fast_ones() {
        // Page views of 3 s and more: (10 × 0.5 + 30 × 0.7) / 40 = 0.65 carried on, against
        // 0.9 for the fastest: 27.8% fewer. Sessions: slow (2 × 0.1 + 8 × 0.2) / 10 = 0.18,
        // fast (10 × 0.4 + 10 × 0.2) / 20 = 0.3: 40% fewer.
        let sp = [
            row(0, 100, 0.9, 10, 0.4),
            row(1000, 50, 0.8, 10, 0.2),
            row(3000, 10, 0.5, 2, 0.1),
            row(5000, 30, 0.7, 8, 0.2),
        ];
        assert_eq!(
            speed_text(Lang::En, &sp),
            "Pages taking 3 s or more keep 27.8% fewer visitors than the fastest pages. \
             Sessions whose pages took 3 s or more on average paid in 18.0% of cases, faster \
             sessions in 30.0%: 40.0% fewer (the reports: over 3 s loses 30%)."
        );
        // No slow pages at all.
        assert_eq!(speed_text(Lang::En, &sp[..2]), "No pages took 3 s or more.");
    }
}
