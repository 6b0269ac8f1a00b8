//! One DataFusion session over every table of a workspace.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;

use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Result, StoreError};
use crate::schema::TABLES;
use crate::workspace::Workspace;

/// A session in which every table is registered under its name, reading exactly the parts the
/// manifest names (never a folder listing, so uncommitted files stay invisible): the canonical
/// tables always (empty until imported), and derived tables such as `customer_profile` once an
/// analysis has written them.
pub fn session(ws: &Workspace) -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_information_schema(true)
        .with_default_catalog_and_schema("strata", "public");
    let ctx = SessionContext::new_with_config(config);
    for t in TABLES {
        let schema = t.schema();
        let paths = ws.part_paths(t);
        if paths.is_empty() {
            let empty = MemTable::try_new(schema, vec![vec![]])?;
            ctx.register_table(t.name, Arc::new(empty))?;
            continue;
        }
        register(&ctx, t.name, &paths, schema)?;
    }
    for (name, state) in &ws.manifest().tables {
        if TABLES.iter().any(|t| t.name == name) || state.parts.is_empty() {
            continue;
        }
        let paths = ws.part_paths(name.as_str());
        let schema = crate::parts::part_schema(&paths[0])?;
        register(&ctx, name, &paths, schema)?;
    }
    Ok(ctx)
}

fn register(ctx: &SessionContext, name: &str, paths: &[PathBuf], schema: SchemaRef) -> Result<()> {
    {
        let urls = paths
            .iter()
            .map(|p| {
                // A file URL, not a path string: `[`, `*` or `?` in a folder name are not globs.
                let absolute = std::path::absolute(p).map_err(|source| StoreError::Io {
                    path: p.clone(),
                    source,
                })?;
                let url = url::Url::from_file_path(&absolute).map_err(|()| StoreError::Io {
                    path: p.clone(),
                    source: std::io::Error::other("path cannot be a file URL"),
                })?;
                Ok(ListingTableUrl::try_new(url, None)?)
            })
            .collect::<Result<Vec<_>>>()?;
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .with_schema(schema);
        ctx.register_table(name, Arc::new(ListingTable::try_new(config)?))?;
    }
    Ok(())
}
