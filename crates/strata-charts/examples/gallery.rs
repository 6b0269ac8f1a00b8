//! Writes every chart type into one report page, for looking at: `cargo run -p strata-charts
//! --example gallery [path]` (default `/tmp/gallery.html`).

use strata_charts::{
    Annotation, BarChart, Block, Cell, Donut, Format, Heatmap, Kpi, Lang, LineChart, Report,
    Section, Series, Table, XYChart, XYSeries,
};

const MONTHS: [&str; 12] = [
    "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn overview() -> Section {
    Section::new("overview", "概览")
        .with(Block::Kpis(vec![
            Kpi::new("活跃客户", "48,216").note("近 12 个月有购买"),
            Kpi::new("总收入", "¥3,862万").note("较上年 +12.4%"),
            Kpi::new("客单价", "¥286.40"),
            Kpi::new("复购率", "31.7%").note("较上年 +2.1 个百分点"),
        ]))
        .with(Block::Callout(
            "前 20% 的客户贡献了 68.9% 的收入；重要价值客户仅占 9%，却带来 41% 的收入。".into(),
        ))
        .with(Block::Paragraph(
            "本报告基于 2025-01-01 至 2025-12-31 的订单数据。金额为实付金额（不含运费，已扣除退款）。\
             客户按手机号与会员 ID 去重。"
                .into(),
        ))
}

fn regions() -> Section {
    let regions = strings(&["华东", "华南", "华北", "西南", "华中", "东北", "西北"]);
    let gmv = vec![
        12_840_000.0,
        8_920_000.0,
        6_310_000.0,
        4_120_000.0,
        3_870_000.0,
        1_460_000.0,
        1_080_000.0,
    ];
    let by_region = BarChart {
        title: "各地区收入".into(),
        categories: regions.clone(),
        series: vec![Series::new("收入", gmv.clone())],
        format: Format::yuan(0),
        y_label: Some("收入（元）".into()),
        ..BarChart::default()
    };
    let grouped = BarChart {
        title: "各地区客户数：2024 与 2025".into(),
        categories: regions.clone(),
        series: vec![
            Series::new(
                "2024",
                vec![15200.0, 10100.0, 7900.0, 5200.0, 4800.0, 2100.0, 1500.0],
            ),
            Series::new(
                "2025",
                vec![17350.0, 11820.0, 8240.0, 6100.0, 5010.0, 1980.0, 1716.0],
            ),
        ],
        width: 480.0,
        ..BarChart::default()
    };
    let stacked = BarChart {
        title: "每月新老客订单".into(),
        categories: strings(&MONTHS),
        series: vec![
            Series::new(
                "新客",
                (0..12).map(|m| 2200.0 + 300.0 * f64::from(m % 5)).collect(),
            ),
            Series::new(
                "老客",
                (0..12)
                    .map(|m| 3100.0 + 180.0 * f64::from(m) + if m == 10 { 4200.0 } else { 0.0 })
                    .collect(),
            ),
        ],
        stacked: true,
        width: 480.0,
        ..BarChart::default()
    };
    Section::new("regions", "地区与渠道")
        .with(Block::chart_with_caption(
            by_region.to_svg(),
            "华东贡献了 33% 的收入；西北与东北合计不足 7%。",
        ))
        .with(Block::Grid(vec![
            Block::chart(grouped.to_svg()),
            Block::chart(stacked.to_svg()),
        ]))
}

fn segments() -> Section {
    let names = strings(&[
        "重要价值客户",
        "重要发展客户",
        "重要保持客户",
        "重要挽留客户",
        "一般价值客户",
        "一般发展客户",
        "一般保持客户",
        "一般挽留客户",
    ]);
    let revenue = [
        15_830_000.0,
        6_210_000.0,
        5_420_000.0,
        3_880_000.0,
        2_960_000.0,
        1_790_000.0,
        1_370_000.0,
        1_160_000.0,
    ];
    let customers = [
        4339.0, 5210.0, 3920.0, 4870.0, 6610.0, 8120.0, 6480.0, 8667.0,
    ];
    let ranking = BarChart {
        title: "各分群收入".into(),
        categories: names.clone(),
        series: vec![Series::new("收入", revenue.to_vec())],
        horizontal: true,
        format: Format::yuan(0),
        y_label: Some("收入（元）".into()),
        ..BarChart::default()
    };
    let donut = Donut {
        title: "客户数占比".into(),
        slices: names.iter().cloned().zip(customers).collect(),
        width: 480.0,
        ..Donut::default()
    };
    let total_rev: f64 = revenue.iter().sum();
    let total_cust: f64 = customers.iter().sum();
    let table = Table {
        headers: strings(&["分群", "客户数", "客户占比", "收入", "收入占比", "客单价"]),
        rows: (0..names.len())
            .map(|i| {
                vec![
                    Cell::text(names[i].clone()),
                    Cell::Number(customers[i], Format::Integer),
                    Cell::Number(customers[i] / total_cust, Format::Percent(1)),
                    Cell::Number(revenue[i], Format::yuan(0)),
                    Cell::Bar(revenue[i] / total_rev, Format::Percent(1)),
                    Cell::Number(revenue[i] / customers[i] / 3.1, Format::yuan(2)),
                ]
            })
            .collect(),
        caption: Some("客单价 = 收入 ÷ 订单数。分群依据 RFM 三个维度的五分位得分。".into()),
    };
    Section::new("segments", "客户分群")
        .with(Block::Grid(vec![
            Block::chart(donut.to_svg()),
            Block::Callout(
                "重要价值客户仅占 9.0%，贡献 41.0% 的收入。重要挽留客户（4,870 人）\
                 曾经高价值但已 180 天未购买，建议优先召回。"
                    .into(),
            ),
        ]))
        .with(Block::chart(ranking.to_svg()))
        .with(Block::Table(table))
}

fn trends() -> Section {
    let season = |m: usize| match m {
        10 => 2.6,
        5 => 1.5,
        11 => 1.4,
        1 => 0.7,
        _ => 1.0,
    };
    let line = LineChart {
        title: "月度收入".into(),
        x_labels: strings(&MONTHS),
        series: vec![
            Series::new(
                "2025",
                (0..12)
                    .map(|m| 2_900_000.0 * season(m) * (1.0 + m as f64 * 0.01))
                    .collect(),
            ),
            Series::new("2024", (0..12).map(|m| 2_600_000.0 * season(m)).collect()),
        ],
        format: Format::yuan(0),
        y_label: Some("收入".into()),
        ..LineChart::default()
    };
    let daily = LineChart {
        title: "每日订单数（含缺失日）".into(),
        x_labels: (0..120)
            .map(|d| format!("2025-{:02}-{:02}", 3 + d / 30, d % 30 + 1))
            .collect(),
        series: vec![Series::new(
            "订单",
            (0..120)
                .map(|d| {
                    if (40..44).contains(&d) {
                        f64::NAN
                    } else {
                        420.0 + 80.0 * (f64::from(d) / 7.0).sin() + f64::from(d % 7) * 12.0
                    }
                })
                .collect(),
        )],
        markers: false,
        y_min_zero: false,
        ..LineChart::default()
    };
    Section::new("trends", "趋势")
        .with(Block::chart(line.to_svg()))
        .with(Block::chart(daily.to_svg()))
}

fn concentration() -> Section {
    // Concentration curve: customers sorted by revenue, highest first.
    let lorenz: Vec<(f64, f64)> = (0..=200)
        .map(|i| {
            let x = f64::from(i) / 200.0;
            (x, 1.0 - (1.0 - x).powf(5.2))
        })
        .collect();
    let top20 = 1.0 - 0.8f64.powf(5.2);
    let curve = XYChart {
        title: "收入集中度（洛伦兹曲线）".into(),
        series: vec![XYSeries::new("累计收入占比", lorenz)],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some("累计客户占比（按收入从高到低）".into()),
        y_label: Some("累计收入占比".into()),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("完全平均".into()),
        area: true,
        annotations: vec![Annotation::new(
            0.2,
            top20,
            format!("前 20% 客户 → {:.1}% 收入", top20 * 100.0),
        )],
        ..XYChart::default()
    };
    let roc = XYChart {
        title: "Churn model ROC".into(),
        series: vec![
            XYSeries::new(
                "Gradient boosting (AUC 0.84)",
                (0..=50)
                    .map(|i| {
                        let x = f64::from(i) / 50.0;
                        (x, x.powf(0.28))
                    })
                    .collect(),
            ),
            XYSeries::new(
                "Recency only (AUC 0.71)",
                (0..=50)
                    .map(|i| {
                        let x = f64::from(i) / 50.0;
                        (x, x.powf(0.55))
                    })
                    .collect(),
            ),
        ],
        x_format: Format::Decimal(1),
        y_format: Format::Decimal(1),
        x_label: Some("False positive rate".into()),
        y_label: Some("True positive rate".into()),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("Chance".into()),
        width: 480.0,
        height: 420.0,
        lang: Lang::En,
        ..XYChart::default()
    };
    let calibration = XYChart {
        title: "Calibration".into(),
        series: vec![XYSeries::new(
            "Model",
            (1..=10)
                .map(|i| {
                    let p = (f64::from(i) - 0.5) / 10.0;
                    (p, (p * 0.9 + 0.03).min(1.0))
                })
                .collect(),
        )],
        x_format: Format::Percent(0),
        y_format: Format::Percent(0),
        x_label: Some("Predicted churn probability".into()),
        y_label: Some("Observed churn rate".into()),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("Perfect calibration".into()),
        markers: true,
        width: 480.0,
        height: 420.0,
        lang: Lang::En,
        ..XYChart::default()
    };
    Section::new("concentration", "收入集中度与模型")
        .with(Block::chart(curve.to_svg()))
        .with(Block::Grid(vec![
            Block::chart(roc.to_svg()),
            Block::chart(calibration.to_svg()),
        ]))
}

fn heatmaps() -> Section {
    let rfm = Heatmap {
        title: "RFM 分布：最近购买 × 购买频次（客户数）".into(),
        x_labels: strings(&[
            "F1 (1次)",
            "F2 (2次)",
            "F3 (3-4次)",
            "F4 (5-8次)",
            "F5 (9次+)",
        ]),
        y_labels: strings(&[
            "R5 (≤30天)",
            "R4 (31-90天)",
            "R3 (91-180天)",
            "R2 (181-365天)",
            "R1 (>365天)",
        ]),
        values: (0..5)
            .map(|r| {
                (0..5)
                    .map(|f| {
                        let v = 4200.0 * 0.62f64.powi(f) * (1.0 + 0.35 * f64::from(r))
                            / (1.0 + 0.4 * f64::from((r - f).abs()));
                        Some(v.round())
                    })
                    .collect()
            })
            .collect(),
        x_title: Some("购买频次".into()),
        y_title: Some("最近购买".into()),
        ..Heatmap::default()
    };
    let cohorts = 12;
    let retention = Heatmap {
        title: "Monthly cohort retention".into(),
        x_labels: (0..cohorts).map(|m| format!("M{m}")).collect(),
        y_labels: (0..cohorts).map(|c| format!("2025-{:02}", c + 1)).collect(),
        values: (0..cohorts)
            .map(|c| {
                (0..cohorts - c)
                    .map(|m| {
                        Some(if m == 0 {
                            1.0
                        } else {
                            0.34 * 0.86f64.powi(m - 1) + 0.01 * f64::from(c % 3)
                        })
                    })
                    .collect()
            })
            .collect(),
        format: Format::Percent(0),
        x_title: Some("Months since first purchase".into()),
        lang: Lang::En,
        ..Heatmap::default()
    };
    Section::new("heatmaps", "RFM 与留存")
        .with(Block::chart(rfm.to_svg()))
        .with(Block::chart(retention.to_svg()))
}

fn english_and_edge_cases() -> Section {
    let change = BarChart {
        title: "Revenue change by category, YoY".into(),
        categories: strings(&[
            "Skincare",
            "Makeup",
            "Fragrance",
            "Hair care & styling tools (professional line)",
            "Men's grooming",
            "Gift sets",
        ]),
        series: vec![Series::new(
            "Change",
            vec![0.182, -0.064, 0.091, 0.273, -0.128, 0.015],
        )],
        horizontal: true,
        format: Format::Percent(1),
        lang: Lang::En,
        width: 480.0,
        ..BarChart::default()
    };
    let margin = BarChart {
        title: "Monthly margin (k$)".into(),
        categories: strings(&[
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]),
        series: vec![Series::new(
            "Margin",
            vec![
                42.0, 35.5, -12.0, 18.0, 55.0, 61.0, -4.5, 22.0, 30.0, 71.0, 96.0, 58.0,
            ],
        )],
        format: Format::Money {
            symbol: "$",
            decimals: 0,
        },
        lang: Lang::En,
        width: 480.0,
        ..BarChart::default()
    };
    let skus = BarChart {
        title: "50 个商品的销量".into(),
        categories: (1..=50)
            .map(|i| format!("SKU-{i:03} 保湿精华液 {i}0ml"))
            .collect(),
        series: vec![Series::new(
            "销量",
            (1..=50)
                .map(|i| (5000.0 / f64::from(i).powf(0.7)).round())
                .collect(),
        )],
        ..BarChart::default()
    };
    let empty = BarChart {
        title: "退款原因（本期无退款）".into(),
        width: 480.0,
        ..BarChart::default()
    };
    let empty_en = Donut {
        title: "Channel mix".into(),
        lang: Lang::En,
        width: 480.0,
        ..Donut::default()
    };
    let zeros = BarChart {
        title: "All zero".into(),
        categories: strings(&["A", "B", "C"]),
        series: vec![Series::new("x", vec![0.0, 0.0, 0.0])],
        lang: Lang::En,
        width: 480.0,
        ..BarChart::default()
    };
    let single = BarChart {
        title: "<script>alert('single')</script> 单一类目".into(),
        categories: strings(&["<b>唯一</b>"]),
        series: vec![Series::new("x", vec![1234.5])],
        format: Format::Decimal(1),
        width: 480.0,
        ..BarChart::default()
    };
    Section::new("edge-cases", "English labels & edge cases")
        .with(Block::Grid(vec![
            Block::chart(change.to_svg()),
            Block::chart(margin.to_svg()),
        ]))
        .with(Block::chart(skus.to_svg()))
        .with(Block::Grid(vec![
            Block::chart(empty.to_svg()),
            Block::chart(empty_en.to_svg()),
            Block::chart(zeros.to_svg()),
            Block::chart(single.to_svg()),
        ]))
}

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/gallery.html".to_string());
    let report = Report {
        title: "客户洞察报告".into(),
        subtitle: "示例美妆旗舰店 · 2025 年度".into(),
        lang: Lang::Zh,
        generated: "生成于 2026-05-01 10:00（UTC+8）· Strata 0.1.0".into(),
        sections: vec![
            overview(),
            regions(),
            segments(),
            trends(),
            concentration(),
            heatmaps(),
            english_and_edge_cases(),
        ],
        footer: Some(
            "数据来源：店铺订单导出（2025-01-01 至 2025-12-31）。本页面可离线打开。".into(),
        ),
    };
    std::fs::write(&path, report.to_html())?;
    println!("wrote {path}");
    Ok(())
}
