//! A workspace opened for work: its folder, its resolved settings, and a DataFusion session in
//! which every table and every analysis table function (`funnel(…)`, `retention(…)` …) is
//! registered. Also the one runtime the layer's blocking functions run their queries on.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;
use strata_store::Workspace;

use crate::error::{Error, Result};
use crate::settings::{Overrides, Settings};

/// Runs `future` to completion on the layer's runtime. Callers are plain threads: the command
/// line's main thread, a server's blocking pool; never a task of an async runtime.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    static RUNTIME: OnceLock<std::io::Result<tokio::runtime::Runtime>> = OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("strata-query")
            .build()
    });
    match rt {
        Ok(rt) => Ok(rt.block_on(future)),
        Err(e) => Err(Error::Internal(format!(
            "cannot start the query runtime: {e}"
        ))),
    }
}

/// A workspace with its settings; the DataFusion session is made on demand, over the state
/// the workspace had when it was opened.
#[derive(Debug)]
pub struct Session {
    pub ws: Workspace,
    pub settings: Settings,
}

impl Session {
    /// Opens the workspace at `root` and resolves its settings (file, environment, overrides).
    pub fn open(root: &Path, overrides: &Overrides) -> Result<Session> {
        let settings = Settings::load(root, overrides)?;
        let ws = Workspace::open(root)?.with_keep(settings.history_keep);
        Ok(Session { ws, settings })
    }

    pub fn root(&self) -> &Path {
        self.ws.root()
    }

    /// The workspace as it is now (after a write this session made or another process did).
    pub fn reopen(&mut self) -> Result<()> {
        let root: PathBuf = self.ws.root().to_path_buf();
        self.ws = Workspace::open(&root)?.with_keep(self.settings.history_keep);
        Ok(())
    }

    /// A DataFusion session over every table, with the analyses as table functions.
    pub fn context(&self) -> Result<SessionContext> {
        let ctx = strata_store::session(&self.ws)?;
        strata_behaviour::sql::register(&ctx, self.settings.timezone_name());
        Ok(ctx)
    }

    /// Runs SQL over the workspace.
    pub fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        let ctx = self.context()?;
        Ok(block_on(async {
            let df = ctx.sql(sql).await?;
            df.collect().await
        })??)
    }

    /// Whether a table has no rows.
    pub fn is_empty(&self, table: &str) -> bool {
        self.ws.part_paths(table).is_empty()
    }
}

/// Creates a workspace at `dir` with a settings file holding every default.
pub fn init(dir: &Path) -> Result<()> {
    Workspace::init(dir)?;
    let path = dir.join(crate::settings::FILE);
    std::fs::write(&path, crate::settings::TEMPLATE).map_err(crate::error::io(path))
}
