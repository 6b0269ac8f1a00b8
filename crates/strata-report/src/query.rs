//! Small helpers to run SQL and read result columns as plain vectors.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type};
use datafusion::prelude::SessionContext;

use crate::Result;

/// The result of a query, column by column.
#[derive(Debug, Default)]
pub struct Rows {
    batches: Vec<RecordBatch>,
}

pub async fn rows(ctx: &SessionContext, sql: &str) -> Result<Rows> {
    let batches = ctx.sql(sql).await?.collect().await?;
    Ok(Rows { batches })
}

impl Rows {
    pub fn len(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Column `i` as text; nulls become empty strings.
    pub fn text(&self, i: usize) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(self.len());
        for b in &self.batches {
            let a = arrow::compute::cast(b.column(i), &DataType::Utf8)?;
            let s = a.as_string::<i32>();
            out.extend((0..s.len()).map(|r| {
                if s.is_null(r) {
                    String::new()
                } else {
                    s.value(r).to_string()
                }
            }));
        }
        Ok(out)
    }

    /// Column `i` as numbers; nulls become NaN (which charts skip).
    pub fn num(&self, i: usize) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.len());
        for b in &self.batches {
            let a = arrow::compute::cast(b.column(i), &DataType::Float64)?;
            let s = a.as_primitive::<Float64Type>();
            out.extend((0..s.len()).map(|r| if s.is_null(r) { f64::NAN } else { s.value(r) }));
        }
        Ok(out)
    }

    /// The first value of column `i` as a number (NaN when there is none).
    pub fn first(&self, i: usize) -> Result<f64> {
        Ok(self.num(i)?.first().copied().unwrap_or(f64::NAN))
    }
}
