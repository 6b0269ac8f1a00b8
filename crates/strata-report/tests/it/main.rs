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
    let analyze = AnalyzeConfig {
        timezone: Some(TIMEZONE.to_string()),
        ..AnalyzeConfig::default()
    };
    let ctx = strata_store::session(&shop.ws).unwrap();
    let profile = rt()
        .block_on(strata_features::compute(&ctx, &analyze, TIMEZONE))
        .unwrap();
    strata_features::write_profile(&shop.ws, &profile).unwrap();
    shop.ws = Workspace::open(shop.ws.root()).unwrap();
    shop
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
