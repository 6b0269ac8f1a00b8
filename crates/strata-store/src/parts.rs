//! Parquet part files: how a table's rows are written to disk and read back.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Result, StoreError, io};

/// Rows per Parquet row group: large enough for good compression and scan speed, small
/// enough that writing one does not hold much memory.
const ROW_GROUP_ROWS: usize = 256 * 1024;

/// Writes one part file. Nothing is visible to readers until a transaction commits it.
pub struct PartWriter {
    path: PathBuf,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl PartWriter {
    pub fn create(path: &Path, schema: SchemaRef) -> Result<Self> {
        let file = File::create(path).map_err(io(path))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).expect("level 3 is valid"),
            ))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(|source| {
            StoreError::Parquet {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            writer,
            rows: 0,
        })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.writer
            .write(batch)
            .map_err(|source| StoreError::Parquet {
                path: self.path.clone(),
                source,
            })
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Finishes the file and makes it durable; returns (rows, bytes).
    pub fn finish(self) -> Result<(u64, u64)> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|source| StoreError::Parquet {
                path: path.clone(),
                source,
            })?;
        file.sync_all().map_err(io(&path))?;
        let bytes = file.metadata().map_err(io(&path))?.len();
        Ok((self.rows, bytes))
    }
}

/// Reads a part file, optionally only some columns (by index in the file's schema).
pub fn read_part(
    path: &Path,
    columns: Option<&[usize]>,
    batch_size: usize,
) -> Result<ParquetRecordBatchReader> {
    let perr = |source| StoreError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io(path))?;
    let mut builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(perr)?
        .with_batch_size(batch_size);
    if let Some(cols) = columns {
        let mask = ProjectionMask::roots(builder.parquet_schema(), cols.iter().copied());
        builder = builder.with_projection(mask);
    }
    builder.build().map_err(perr)
}

/// The Arrow schema stored in a part file (how derived tables, whose schema lives in the code
/// that writes them, are registered for SQL).
pub fn part_schema(path: &Path) -> Result<SchemaRef> {
    let file = File::open(path).map_err(io(path))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|source| StoreError::Parquet {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(builder.schema().clone())
}
