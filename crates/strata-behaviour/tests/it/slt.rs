//! The SQL table functions (`funnel(…)`, `retention(…)`, `paths(…)`, `channels()`,
//! `page_speed()`, `behaviour_drivers()`) against the hand-written `.slt` files in `tests/slt/`,
//! over the shop in `tests/slt/shop/`. Each file runs in a fresh session.

use strata_store::session;
use strata_testkit::{manifest_dir, rt, shop_dir, slt};

#[test]
fn sql_table_functions_match_the_slt_files() {
    let dir = manifest_dir().join("tests").join("slt");
    let shop = shop_dir(&dir.join("shop"));
    let files = slt::files(&dir);
    assert!(files.len() >= 4, "slt files in {}", dir.display());
    let rt = rt();
    let mut failed = Vec::new();
    for file in &files {
        let ctx = session(&shop.ws).unwrap();
        strata_behaviour::sql::register(&ctx, "Asia/Shanghai");
        // The error names the file and line of each failed record.
        if let Err(e) = rt.block_on(slt::run_file(file, &ctx)) {
            failed.push(e);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
