//! Reading Arrow columns as plain vectors, whatever their stored type: the one place that
//! casts, so analyses and the report read numbers, text and times the same way.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use arrow::error::ArrowError;

/// The column as numbers; nulls (and values that do not cast) become NaN.
pub fn f64s(col: &dyn Array) -> Result<Vec<f64>, ArrowError> {
    let a = arrow::compute::cast(col, &DataType::Float64)?;
    let a = a.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) })
        .collect())
}

/// The column as text; nulls become `None`.
pub fn texts(col: &dyn Array) -> Result<Vec<Option<String>>, ArrowError> {
    let a = arrow::compute::cast(col, &DataType::Utf8)?;
    let a = a.as_string::<i32>();
    Ok((0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
        .collect())
}

/// The column as 64-bit integers (a timestamp as its count of units); nulls become `None`.
pub fn i64s(col: &dyn Array) -> Result<Vec<Option<i64>>, ArrowError> {
    let a = arrow::compute::cast(col, &DataType::Int64)?;
    let a = a.as_primitive::<Int64Type>();
    Ok((0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i)))
        .collect())
}

/// One value of the column as a number (`None` for null or out of range).
pub fn f64_at(col: &dyn Array, row: usize) -> Option<f64> {
    if row >= col.len() {
        return None;
    }
    f64s(&col.slice(row, 1))
        .ok()?
        .first()
        .copied()
        .filter(|v| !v.is_nan())
}

/// One value of the column as text (`None` for null or out of range).
pub fn text_at(col: &dyn Array, row: usize) -> Option<String> {
    if row >= col.len() {
        return None;
    }
    texts(&col.slice(row, 1)).ok()?.into_iter().next().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Int32Array, StringArray};

    #[test]
    fn numbers_text_and_nulls_of_any_type() {
        let d = Decimal128Array::from(vec![Some(129_900), None])
            .with_precision_and_scale(18, 2)
            .unwrap();
        let f = f64s(&d).unwrap();
        assert_eq!(f[0], 1299.0);
        assert!(f[1].is_nan());
        let i = Int32Array::from(vec![Some(7), None]);
        assert_eq!(texts(&i).unwrap(), vec![Some("7".to_string()), None]);
        assert_eq!(i64s(&i).unwrap(), vec![Some(7), None]);
        let s = StringArray::from(vec![Some("a"), None]);
        assert_eq!(text_at(&s, 0).as_deref(), Some("a"));
        assert_eq!(text_at(&s, 1), None);
        assert_eq!(text_at(&s, 9), None);
        assert_eq!(f64_at(&d, 0), Some(1299.0));
        assert_eq!(f64_at(&d, 1), None);
    }
}
