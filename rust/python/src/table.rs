//! `_C.op_table()`: the core's op tables (NOTE [Op tables]) as Python sees
//! them; the Python layer builds every method, in-place and function form of
//! the table ops from it, so no op name is typed twice.

use crate::call::guarded;
use pyo3::prelude::*;
use pyo3::types::PyDict;

guarded! {
/// One dict per row: family, name, aliases, rule, differentiable, inplace, wgsl.
#[pyfunction]
pub fn op_table(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    rtensor_core::ops::op_table()
        .into_iter()
        .map(|r| {
            let d = PyDict::new(py);
            d.set_item("family", r.family)?;
            d.set_item("name", r.name)?;
            d.set_item("aliases", r.aliases.to_vec())?;
            d.set_item("rule", r.rule)?;
            d.set_item("differentiable", r.differentiable)?;
            d.set_item("inplace", r.inplace)?;
            d.set_item("wgsl", r.wgsl)?;
            Ok(d)
        })
        .collect()
}
}
