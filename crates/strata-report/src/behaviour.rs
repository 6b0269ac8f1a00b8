//! The behaviour chapter: where visitors drop out of the funnel, how cohorts come back, which
//! channels and behaviours go with buying, and what slow pages cost.

use strata_behaviour::channels::{self, ChannelRow, DriverRow, SpeedRow};
use strata_behaviour::funnel::{self, Funnel, FunnelSpec, GroupFunnel};
use strata_behaviour::retention::{self, Retention, RetentionSpec};
use strata_behaviour::steps;
use strata_charts::{
    BarChart, Block, Cell, Format, Heatmap, Kpi, Lang, Section, Series, Table, format_value,
};

use crate::query::rows;
use crate::sections::{Cx, HALF, PCT, YUAN, compact_money, pct};
use crate::{ReportError, Result};

fn err(e: strata_behaviour::BehaviourError) -> ReportError {
    match e {
        strata_behaviour::BehaviourError::DataFusion(e) => ReportError::DataFusion(e),
        other => ReportError::Internal(other.to_string()),
    }
}

fn step_name(lang: Lang, step: &str) -> String {
    let zh = match step {
        "home" => "首页",
        "category" => "类目页",
        "product" => "商品详情",
        "cart" => "购物车",
        "checkout" => "结算",
        "paid" => "支付",
        "search" => "搜索",
        _ => return step.to_string(),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => step.to_string(),
    }
}

fn secs(lang: Lang, s: Option<f64>) -> Cell {
    match s {
        None => Cell::Empty,
        Some(s) if s < 120.0 => Cell::text(match lang {
            Lang::Zh => format!("{s:.0} 秒"),
            Lang::En => format!("{s:.0} s"),
        }),
        Some(s) if s < 7200.0 => Cell::text(match lang {
            Lang::Zh => format!("{:.1} 分钟", s / 60.0),
            Lang::En => format!("{:.1} min", s / 60.0),
        }),
        Some(s) => Cell::text(match lang {
            Lang::Zh => format!("{:.1} 小时", s / 3600.0),
            Lang::En => format!("{:.1} h", s / 3600.0),
        }),
    }
}

async fn has_events(cx: &Cx<'_>) -> Result<bool> {
    let r = rows(
        cx.ctx,
        "SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)",
    )
    .await?;
    Ok(r.first(0)? > 0.0)
}

fn funnel_blocks(cx: &Cx<'_>, f: &Funnel) -> Vec<Block> {
    let lang = cx.lang;
    let all = &f.all;
    let names: Vec<String> = f.steps.iter().map(|s| step_name(lang, s)).collect();
    let chart = BarChart {
        title: cx.t(
            "转化漏斗：到达每一步的客户（1 天内）",
            "Conversion funnel: customers reaching each step (within a day)",
        ),
        categories: names.clone(),
        series: vec![Series::new(
            cx.t("客户", "Customers"),
            all.steps.iter().map(|s| s.units as f64).collect(),
        )],
        format: Format::Integer,
        lang,
        ..BarChart::default()
    };
    // The step that loses most.
    let worst = all
        .steps
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(j, s)| s.from_previous.map(|p| (j, 1.0 - p)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut blocks = vec![Block::chart(chart.to_svg())];
    if let Some((j, loss)) = worst {
        blocks.push(Block::Callout(match lang {
            Lang::Zh => format!(
                "流失最多的一步：{} → {}，{} 的客户在这里离开（报告中“详情到加购”流失 45%）。",
                names[j - 1],
                names[j],
                pct(loss)
            ),
            Lang::En => format!(
                "The step that loses most: {} → {}, where {} of customers leave (one report: 45% lost from product detail to cart).",
                names[j - 1],
                names[j],
                pct(loss)
            ),
        }));
    }
    blocks.push(Block::Table(Table {
        headers: vec![
            cx.t("步骤", "Step"),
            cx.t("客户", "Customers"),
            cx.t("上一步转化", "From previous"),
            cx.t("流失", "Drop-off"),
            cx.t("总转化", "From first"),
            cx.t("距上一步中位时间", "Median time from previous"),
        ],
        rows: all
            .steps
            .iter()
            .zip(&names)
            .map(|(s, name)| {
                vec![
                    Cell::text(name.clone()),
                    Cell::Number(s.units as f64, Format::Integer),
                    s.from_previous.map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    s.from_previous
                        .map_or(Cell::Empty, |v| Cell::Number(1.0 - v, PCT)),
                    s.from_first.map_or(Cell::Empty, |v| Cell::Bar(v, PCT)),
                    secs(lang, s.median_secs),
                ]
            })
            .collect(),
        caption: Some(cx.t(
            "按客户计（匿名访客按访客 ID），步骤须按顺序、自第一步起 1 天内完成，中间可有其他行为。命令行：strata funnel。",
            "Per customer (anonymous visitors by visitor id); steps in order within a day of the first, other events allowed between. Command line: strata funnel.",
        )),
    }));
    if !f.groups.is_empty() {
        let conv = |g: &GroupFunnel| g.steps.last().and_then(|s| s.from_first).unwrap_or(0.0);
        blocks.push(Block::Table(Table {
            headers: vec![
                cx.t("设备", "Device"),
                cx.t("进入漏斗", "Entered"),
                cx.t("到达支付", "Paid"),
                cx.t("总转化", "Conversion"),
            ],
            rows: f
                .groups
                .iter()
                .map(|g| {
                    vec![
                        Cell::text(crate::label(lang, g.group.as_deref().unwrap_or(""))),
                        Cell::Number(g.steps[0].units as f64, Format::Integer),
                        Cell::Number(
                            g.steps.last().map_or(0.0, |s| s.units as f64),
                            Format::Integer,
                        ),
                        Cell::Bar(conv(g), PCT),
                    ]
                })
                .collect(),
            caption: Some(cx.t(
                "设备取客户这次尝试第一步所用的设备。",
                "Device of the first step of the customer's counted attempt.",
            )),
        }));
    }
    blocks
}

fn retention_blocks(cx: &Cx<'_>, r: &Retention) -> Vec<Block> {
    let lang = cx.lang;
    // The latest twelve cohorts, twelve months on.
    let cohorts: Vec<_> = r.cohorts.iter().rev().take(12).rev().collect();
    let width = 12.min(cohorts.iter().map(|c| c.rate.len()).max().unwrap_or(0));
    let heat = Heatmap {
        title: cx.t(
            "留存三角：首购月份之后每月仍有购买的客户比例",
            "Retention triangle: share of each first-purchase cohort buying in later months",
        ),
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
        x_title: Some(cx.t("首购后第几个月 →", "Months after the first purchase →")),
        y_title: Some(cx.t("首购月份（客户数）", "First-purchase month (customers)")),
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
        lang,
        ..Heatmap::default()
    };
    let mut blocks = vec![Block::chart_with_caption(
        heat.to_svg(),
        if r.last_period_partial {
            cx.t(
                "最后一个月尚未结束，其数值偏低。命令行：strata retention。",
                "The last month is not over yet, so its values are low. Command line: strata retention.",
            )
        } else {
            cx.t(
                "命令行：strata retention。",
                "Command line: strata retention.",
            )
        },
    )];
    let kpis: Vec<Kpi> = r
        .repurchase
        .iter()
        .filter(|x| x.group.is_none())
        .map(|x| {
            Kpi::new(
                match lang {
                    Lang::Zh => format!("{} 天内复购率", x.days),
                    Lang::En => format!("Repurchase within {} days", x.days),
                },
                x.rate.map_or("–".into(), pct),
            )
            .note(match lang {
                Lang::Zh => format!(
                    "{} 位可观察的首购客户",
                    format_value(x.eligible as f64, Format::Integer)
                ),
                Lang::En => format!(
                    "of {} first-time buyers old enough",
                    format_value(x.eligible as f64, Format::Integer)
                ),
            })
        })
        .collect();
    if !kpis.is_empty() {
        blocks.insert(0, Block::Kpis(kpis));
    }
    blocks
}

fn channel_blocks(cx: &Cx<'_>, ch: &[ChannelRow]) -> Vec<Block> {
    let lang = cx.lang;
    if ch.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = ch.iter().map(|c| crate::label(lang, &c.channel)).collect();
    let share = BarChart {
        title: cx.t(
            "各渠道客户与收入占比",
            "Share of buyers and revenue by channel",
        ),
        categories: names.clone(),
        series: vec![
            Series::new(
                cx.t("客户", "Buyers"),
                ch.iter().map(|c| c.buyer_share).collect(),
            ),
            Series::new(
                cx.t("收入", "Revenue"),
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
        grid.push(Block::chart(
            BarChart {
                title: cx.t("各渠道访问转化率", "Session conversion by channel"),
                categories: names.clone(),
                series: vec![Series::new(cx.t("转化率", "Conversion"), conv)],
                horizontal: true,
                format: PCT,
                width: HALF,
                lang,
                ..BarChart::default()
            }
            .to_svg(),
        ));
    }
    vec![
        Block::Grid(grid),
        Block::Table(Table {
            headers: vec![
                cx.t("渠道", "Channel"),
                cx.t("客户", "Buyers"),
                cx.t("订单", "Orders"),
                cx.t("收入", "Revenue"),
                cx.t("客单价", "Order value"),
                cx.t("复购率", "Repurchase"),
                cx.t("访问转化", "Session conversion"),
            ],
            rows: ch
                .iter()
                .zip(&names)
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
            caption: Some(cx.t(
                "客户占比：在该渠道下过单的客户（一位客户可计入多个渠道，合计可超过 100%）。复购率：首单来自该渠道的客户中再次购买的比例。访问转化：该渠道的访问中有支付的比例。",
                "Buyers: customers with an order through the channel (a customer can count in several, so shares add up to more than 100%). Repurchase: of customers whose first order came through the channel, the share who bought again. Session conversion: share of the channel's sessions with a payment.",
            )),
        }),
    ]
}

fn speed_blocks(cx: &Cx<'_>, sp: &[SpeedRow]) -> Vec<Block> {
    let lang = cx.lang;
    if sp.is_empty() {
        return Vec::new();
    }
    let chart = BarChart {
        title: cx.t(
            "页面加载时间：继续浏览与转化",
            "Page load time: carrying on and buying",
        ),
        categories: sp.iter().map(|s| s.bucket.clone()).collect(),
        series: vec![
            Series::new(
                cx.t("页面后继续浏览", "Page views carried on"),
                sp.iter().map(|s| s.continued.unwrap_or(f64::NAN)).collect(),
            ),
            Series::new(
                cx.t("访问支付率", "Sessions that paid"),
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
        (Some(cont), Some(fastest)) => text.push(match lang {
            Lang::Zh => format!(
                "加载 3 秒及以上的页面，继续浏览的比例比最快的页面低 {}。",
                pct(1.0 - cont / fastest)
            ),
            Lang::En => format!(
                "Pages taking 3 s or more keep {} fewer visitors than the fastest pages.",
                pct(1.0 - cont / fastest)
            ),
        }),
        _ => text.push(
            crate::i18n::tr(lang, "没有 3 秒以上的页面。", "No pages took 3 s or more.")
                .to_string(),
        ),
    }
    let slow_paid = weighted(&slow, |s| s.sessions, |s| s.session_conversion);
    let fast_paid = weighted(&fast, |s| s.sessions, |s| s.session_conversion);
    if let (Some(a), Some(b)) = (slow_paid, fast_paid.filter(|b| *b > 0.0)) {
        text.push(match lang {
            Lang::Zh => format!(
                "平均加载 3 秒及以上的访问有 {} 完成支付，更快的访问为 {}：少 {}（报告：超过 3 秒流失 30%）。",
                pct(a),
                pct(b),
                pct(1.0 - a / b)
            ),
            Lang::En => format!(
                "Sessions whose pages took 3 s or more on average paid in {} of cases, faster sessions in {}: {} fewer (the reports: over 3 s loses 30%).",
                pct(a),
                pct(b),
                pct(1.0 - a / b)
            ),
        });
    }
    text.join(" ")
}

fn driver_blocks(cx: &Cx<'_>, d: &[DriverRow]) -> Vec<Block> {
    let lang = cx.lang;
    if d.is_empty() {
        return Vec::new();
    }
    let name = |b: &str| match (b, lang) {
        ("video_views", Lang::Zh) => "观看商品视频".to_string(),
        ("dwell_minutes", Lang::Zh) => "页面停留时长（分钟）".to_string(),
        ("coupon_claims", Lang::Zh) => "领取优惠券".to_string(),
        ("live_watching", Lang::Zh) => "观看直播".to_string(),
        ("video_views", Lang::En) => "Product video views".to_string(),
        ("dwell_minutes", Lang::En) => "Time on pages (minutes)".to_string(),
        ("coupon_claims", Lang::En) => "Coupon claims".to_string(),
        ("live_watching", Lang::En) => "Live-stream watching".to_string(),
        (other, _) => other.to_string(),
    };
    vec![Block::Table(Table {
        headers: vec![
            cx.t("行为", "Behaviour"),
            cx.t("有该行为的访问", "Sessions with it"),
            cx.t("有：转化率", "Conversion with"),
            cx.t("无：转化率", "Conversion without"),
            cx.t("相关系数 r", "Correlation r"),
        ],
        rows: d
            .iter()
            .map(|x| {
                vec![
                    Cell::text(name(&x.behaviour)),
                    Cell::Number(x.sessions as f64, Format::Integer),
                    x.conversion_with.map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    x.conversion_without
                        .map_or(Cell::Empty, |v| Cell::Number(v, PCT)),
                    x.r.map_or(Cell::Empty, |v| Cell::Number(v, Format::Decimal(2))),
                ]
            })
            .collect(),
        caption: Some(cx.t(
            "按访问计：行为的多少与这次访问是否支付的皮尔逊相关。这是相关，不是因果：想买的人本来就会多看。",
            "Per session: Pearson correlation between how much of the behaviour and whether the session paid. Correlation, not cause: people who mean to buy look more anyway.",
        )),
    })]
}

pub async fn behaviour(cx: &Cx<'_>) -> Result<Section> {
    let lang = cx.lang;
    let mut s = Section::new("behaviour", cx.t("行为与转化", "Behaviour and conversion"));
    let events = has_events(cx).await?;
    if events {
        let mut spec = FunnelSpec::new(steps::default_steps());
        spec.by = Some("device".into());
        let f = funnel::funnel(cx.ctx, &spec).await.map_err(err)?;
        if f.all.steps[0].units > 0 {
            s = s.with(Block::Heading(cx.t("转化漏斗", "Conversion funnel")));
            for b in funnel_blocks(cx, &f) {
                s = s.with(b);
            }
        }
    } else {
        s = s.with(Block::Callout(cx.t(
            "工作区没有行为事件：导入 events 后，本章会给出转化漏斗、页面速度和行为与转化的关系。",
            "The workspace has no behaviour events: import events and this chapter adds the funnel, page speed and the behaviours that go with buying.",
        )));
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
    s = s.with(Block::Heading(
        cx.t("留存与复购", "Retention and repurchase"),
    ));
    for b in retention_blocks(cx, &r) {
        s = s.with(b);
    }
    let ch = channels::channels(cx.ctx).await.map_err(err)?;
    if !ch.is_empty() {
        s = s.with(Block::Heading(cx.t("渠道", "Channels")));
        let top = ch
            .iter()
            .max_by(|a, b| a.avg_order_value.total_cmp(&b.avg_order_value));
        if let Some(top) = top {
            s = s.with(Block::Paragraph(match lang {
                Lang::Zh => format!(
                    "客单价最高的渠道：{}（{}）。",
                    crate::label(lang, &top.channel),
                    compact_money(lang, top.avg_order_value)
                ),
                Lang::En => format!(
                    "Highest order value: {} ({}).",
                    crate::label(lang, &top.channel),
                    compact_money(lang, top.avg_order_value)
                ),
            }));
        }
        for b in channel_blocks(cx, &ch) {
            s = s.with(b);
        }
    }
    if events {
        let sp = channels::page_speed(cx.ctx).await.map_err(err)?;
        if !sp.is_empty() {
            s = s.with(Block::Heading(cx.t("页面速度", "Page speed")));
            for b in speed_blocks(cx, &sp) {
                s = s.with(b);
            }
        }
        let d = channels::drivers(cx.ctx).await.map_err(err)?;
        if !d.is_empty() {
            s = s.with(Block::Heading(
                cx.t("行为与转化", "Behaviours that go with buying"),
            ));
            for b in driver_blocks(cx, &d) {
                s = s.with(b);
            }
        }
    }
    Ok(s)
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
