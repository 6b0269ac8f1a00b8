//! The report on a small demo shop, run through the same import and analysis as `strata demo`.

mod structure;

use std::path::PathBuf;

use strata_charts::Lang;
use strata_demo::DemoConfig;
use strata_features::AnalyzeConfig;
use strata_import::{ImportOptions, import};
use strata_store::{Workspace, table};

const TIMEZONE: &str = "Asia/Shanghai";

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A demo shop of `customers`, imported and analysed (no churn model: training one is the
/// CLI's job), in a folder that lives as long as the shop.
pub struct Shop {
    _dir: tempfile::TempDir,
    pub ws: Workspace,
}

pub fn demo_shop(customers: u64) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let cfg = DemoConfig {
        customers,
        ..DemoConfig::default()
    };
    let generated = strata_demo::generate(&cfg, &data, &mut |_| {}).unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    let f = &generated.files;
    let files: [(&str, &PathBuf); 5] = [
        ("customers", &f.customers),
        ("orders", &f.orders),
        ("order_items", &f.order_items),
        ("events", &f.events),
        ("reviews", &f.reviews),
    ];
    for (name, path) in files {
        let s = import(
            &ws,
            table(name).unwrap(),
            std::slice::from_ref(path),
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(s.rejected, 0, "{name}");
    }
    let ws = Workspace::open(ws.root()).unwrap();
    let analyze = AnalyzeConfig {
        timezone: Some(TIMEZONE.to_string()),
        ..AnalyzeConfig::default()
    };
    let ctx = strata_store::session(&ws).unwrap();
    let profile = rt()
        .block_on(strata_features::compute(&ctx, &analyze, TIMEZONE))
        .unwrap();
    strata_features::write_profile(&ws, &profile).unwrap();
    let ws = Workspace::open(ws.root()).unwrap();
    Shop { _dir: dir, ws }
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
