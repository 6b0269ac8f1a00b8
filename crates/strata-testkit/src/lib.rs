//! Fixtures shared by the integration tests of the library crates. For tests only: crates
//! take it as a dev-dependency, it is never published, and nothing in a product build may
//! depend on it.
//!
//! - [`shop`]: a temporary workspace with hand-written files imported through the real import
//!   path ([`strata_import::import`]), every row accepted; [`shop_dir`] does the same for a
//!   folder of fixture files named after their tables.
//! - [`demo_shop`]: a generated demo shop of any size, every file imported.
//! - [`rt`]: the multi-thread tokio runtime the analyses run on.
//! - [`local`]: an Asia/Shanghai wall-clock time as the µs that the tables store.
//! - [`slt`]: a runner for sqllogictest `.slt` files over a DataFusion session.
//! - [`snapshot`]: golden files, rewritten with `STRATA_BLESS=1`.

use std::path::{Path, PathBuf};

use strata_import::{ImportOptions, import};
use strata_store::{Workspace, table};

pub mod slt;
pub mod snapshot;

/// A workspace in a temporary folder, removed when the shop is dropped.
pub struct Shop {
    dir: tempfile::TempDir,
    pub ws: Workspace,
}

impl Shop {
    /// The temporary folder: the imported files and the workspace (`ws/`) live here, and a test
    /// may write more files to import.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A workspace with the given files imported, in order: (table name, file name, contents).
/// Panics if any row is rejected, so a typo in a fixture cannot pass unnoticed.
pub fn shop(files: &[(&str, &str, &str)]) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    for (name, file, text) in files {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        import_all(&ws, name, &path);
    }
    // Reopened, as a reader after the imports would see it.
    let ws = Workspace::open(ws.root()).unwrap();
    Shop { dir, ws }
}

/// A shop from the fixture files of `folder`: each file named after its table
/// (`orders.csv`, `events.jsonl`, …), imported in file-name order; other files are skipped.
pub fn shop_dir(folder: &Path) -> Shop {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let ext = p.extension().and_then(|s| s.to_str()).unwrap_or("");
            matches!(ext, "csv" | "jsonl") && table(stem).is_some()
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no table files in {}", folder.display());
    let texts: Vec<(String, String, String)> = files
        .iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (stem, name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = texts
        .iter()
        .map(|(t, f, s)| (t.as_str(), f.as_str(), s.as_str()))
        .collect();
    shop(&refs)
}

/// A demo shop of `customers` (the demo's default seed and end day, so the same shop every
/// time), every generated file imported through the real import path with no row rejected.
pub fn demo_shop(customers: u64) -> Shop {
    demo_shop_with(&strata_demo::DemoConfig {
        customers,
        ..strata_demo::DemoConfig::default()
    })
}

/// A demo shop generated with `cfg`, every file it wrote imported with no row rejected.
pub fn demo_shop_with(cfg: &strata_demo::DemoConfig) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let f = strata_demo::generate(cfg, &data, &mut |_| {})
        .unwrap()
        .files;
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    for (name, path) in [
        ("customers", &f.customers),
        ("orders", &f.orders),
        ("order_items", &f.order_items),
        ("events", &f.events),
        ("reviews", &f.reviews),
    ] {
        if path.exists() {
            import_all(&ws, name, path);
        }
    }
    let ws = Workspace::open(ws.root()).unwrap();
    Shop { dir, ws }
}

/// Imports `path` into table `name`, insisting that every row is accepted.
fn import_all(ws: &Workspace, name: &str, path: &Path) {
    let s = import(
        ws,
        table(name).unwrap(),
        &[path.to_path_buf()],
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(s.rejected, 0, "{name}: {}", path.display());
}

/// A crate's folder, read when the test runs: the target folder is shared between checkouts,
/// so `env!("CARGO_MANIFEST_DIR")` would name whichever checkout first built the binary.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run through cargo test"))
}

/// The multi-thread runtime the analyses run on, two workers like the machines.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// µs since the epoch of a Shanghai wall-clock time `YYYY-MM-DD HH:MM`.
pub fn local(s: &str) -> i64 {
    let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    (t - chrono::Duration::hours(8))
        .and_utc()
        .timestamp_micros()
}
