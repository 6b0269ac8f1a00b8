//! The report on a small demo shop, run through the same import and analysis as `strata demo`.

mod structure;

use strata_charts::Lang;
use strata_features::AnalyzeConfig;
use strata_store::Workspace;
use strata_testkit::{Shop, rt};

const TIMEZONE: &str = "Asia/Shanghai";

/// A demo shop of `customers`, imported and analysed (no churn model: training one is the
/// application layer's job).
pub fn demo_shop(customers: u64) -> Shop {
    let mut shop = strata_testkit::demo_shop(customers);
    analyze(&mut shop, None);
    shop
}

/// Computes and stores the customer table as of `as_of` (default: the latest order day).
fn analyze(shop: &mut Shop, as_of: Option<chrono::NaiveDate>) {
    let analyze = AnalyzeConfig {
        timezone: Some(TIMEZONE.to_string()),
        as_of,
        ..AnalyzeConfig::default()
    };
    let ctx = strata_store::session(&shop.ws).unwrap();
    let profile = rt()
        .block_on(strata_features::compute(&ctx, &analyze, TIMEZONE))
        .unwrap();
    strata_features::write_profile(&shop.ws, &profile).unwrap();
    shop.ws = Workspace::open(shop.ws.root()).unwrap();
}

/// The report on `shop` in `lang`, without the generated-at line.
pub fn report(shop: &Shop, lang: Lang) -> String {
    let meta = strata_features::read_meta(&shop.ws).unwrap().unwrap();
    let ctx = strata_store::session(&shop.ws).unwrap();
    rt().block_on(strata_report::render(
        &ctx,
        &meta,
        None,
        lang,
        String::new(),
    ))
    .unwrap()
}

#[test]
fn a_report_past_the_data_says_so_at_the_top() {
    let mut shop = demo_shop(200);
    assert!(
        !report(&shop, Lang::En).contains("no orders in the"),
        "none within the data"
    );
    assert!(
        !report(&shop, Lang::Zh).contains("没有任何订单"),
        "none within the data"
    );
    let meta = strata_features::read_meta(&shop.ws).unwrap().unwrap();
    let last = meta.last_order_day.unwrap();
    let late = last + chrono::Days::new(60);
    analyze(&mut shop, Some(late));
    let en = report(&shop, Lang::En);
    let expected = format!(
        "no orders in the 60 days before the analysis date {late} (the latest is on {last})"
    );
    let at = en.find(&expected).expect(&expected);
    assert!(
        at < en.find("Paid orders").unwrap(),
        "the warning comes first"
    );
    let zh = report(&shop, Lang::Zh);
    assert!(
        zh.contains(&format!("分析日期 {late} 之前 60 天没有任何订单")),
        "zh"
    );
}
