//! Type promotion queries: `result_type`, `promote_types`, `can_cast`.

use crate::call::guarded;
use pyo3::prelude::*;
use rtensor_core::ops;

guarded! {
/// `torch.result_type(a, b)` and `torch.promote_types` for the Python layer.
#[pyfunction]
pub fn result_type(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<crate::types::PyDType>> {
    let (x, y) = (crate::convert::arg_or_err("result_type", a)?, crate::convert::arg_or_err("result_type", b)?);
    Ok(crate::types::dtype_obj(py, ops::result_type_of(&[x.as_arg(), y.as_arg()])))
}
}

guarded! {
#[pyfunction]
pub fn promote_types(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<Py<crate::types::PyDType>> {
    let (x, y) = (crate::convert::parse_dtype(a)?, crate::convert::parse_dtype(b)?);
    Ok(crate::types::dtype_obj(py, rtensor_core::dtype::promote_types(x, y)))
}
}

guarded! {
#[pyfunction]
pub fn can_cast(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(rtensor_core::dtype::can_cast(crate::convert::parse_dtype(a)?, crate::convert::parse_dtype(b)?))
}
}
