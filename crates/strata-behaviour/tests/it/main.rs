//! Behaviour analytics on hand-worked shops: every expected number was worked out by hand from
//! the rows in each module, not read off the program.

mod channels;
mod funnel;
mod paths;
mod retention;

use strata_import::{ImportOptions, import};
use strata_store::{Workspace, table};

pub struct Shop {
    _dir: tempfile::TempDir,
    pub ws: Workspace,
}

/// A workspace with the given files imported (table name, file name, contents).
pub fn shop(files: &[(&str, &str, &str)]) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("ws")).unwrap();
    for (name, file, text) in files {
        let path = dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        let s = import(
            &ws,
            table(name).unwrap(),
            &[path],
            &ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(s.rejected, 0, "{name}");
    }
    let ws = Workspace::open(ws.root()).unwrap();
    Shop { _dir: dir, ws }
}

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
