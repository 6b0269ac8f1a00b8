//! The reproducible random draw behind holdouts: a number in [0, 1) from a seed and a
//! customer id, the same on every machine and in every version (XXH3-64 with the seed; the
//! top 53 bits as a fraction). A customer keeps their draw across re-plans of a campaign, so
//! a re-plan does not move people between groups; another seed gives an independent draw.
//!
//! [`draw_udf`] makes it a DataFusion function, `strata_draw(seed, customer_id)`, so that the
//! plan stays a DataFusion plan (and runs where DataFusion runs).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::DataType;
use datafusion::common::{Result as DfResult, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// A customer's draw under `seed`, uniform in [0, 1).
pub fn draw(seed: u64, customer_id: &str) -> f64 {
    let h = xxhash_rust::xxh3::xxh3_64_with_seed(customer_id.as_bytes(), seed);
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// The name the function is registered under.
pub const DRAW_FUNCTION: &str = "strata_draw";

#[derive(Debug, PartialEq, Eq, Hash)]
struct Draw {
    signature: Signature,
}

impl ScalarUDFImpl for Draw {
    fn name(&self) -> &str {
        DRAW_FUNCTION
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [seed, ids] = args.args.as_slice() else {
            return exec_err!("strata_draw takes a seed and a customer id");
        };
        let seed = match seed {
            ColumnarValue::Scalar(ScalarValue::Int64(Some(s))) => *s as u64,
            ColumnarValue::Scalar(ScalarValue::UInt64(Some(s))) => *s,
            other => return exec_err!("strata_draw's seed must be a whole number, not {other:?}"),
        };
        let ids: ArrayRef = ids.to_array(args.number_rows)?;
        let ids = arrow::compute::cast(&ids, &DataType::Utf8)?;
        let ids = ids.as_string::<i32>();
        let out: Float64Array = (0..ids.len())
            .map(|i| (!ids.is_null(i)).then(|| draw(seed, ids.value(i))))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `strata_draw(seed, customer_id)` as a DataFusion function.
pub fn draw_udf() -> ScalarUDF {
    ScalarUDF::new_from_impl(Draw {
        signature: Signature::any(2, Volatility::Immutable),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_stable_uniform_and_seeded() {
        // The same seed and id give the same draw; another seed another one.
        assert_eq!(draw(42, "C000001"), draw(42, "C000001"));
        assert_ne!(draw(42, "C000001"), draw(43, "C000001"));
        let n = 100_000;
        let below: usize = (0..n)
            .filter(|i| draw(7, &format!("C{i:06}")) < 0.1)
            .count();
        // 10% ± 5 standard deviations (0.3 points).
        assert!((9_500..=10_500).contains(&below), "{below}");
        for i in 0..1000 {
            let d = draw(1, &i.to_string());
            assert!((0.0..1.0).contains(&d));
        }
    }
}
