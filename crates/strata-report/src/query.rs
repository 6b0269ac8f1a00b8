//! Small helpers to run SQL and read result columns as plain vectors.

use arrow::array::RecordBatch;
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
            let texts = strata_store::columns::texts(b.column(i))?;
            out.extend(texts.into_iter().map(Option::unwrap_or_default));
        }
        Ok(out)
    }

    /// Column `i` as numbers; nulls become NaN (which charts skip).
    pub fn num(&self, i: usize) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(self.len());
        for b in &self.batches {
            out.extend(strata_store::columns::f64s(b.column(i))?);
        }
        Ok(out)
    }

    /// The first value of column `i` as a number (NaN when there is none).
    pub fn first(&self, i: usize) -> Result<f64> {
        Ok(self.num(i)?.first().copied().unwrap_or(f64::NAN))
    }
}
