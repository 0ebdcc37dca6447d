//! Whole-tensor writes: `Tensor.copy_`, `fill_`, `zero_`.

use crate::call::guarded;
use crate::call::run;
use crate::tensor::PyTensor;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rtensor_core::autograd::functions::{self as F, write as W};
use rtensor_core::ops;

guarded! {
/// `x[:] = src` style copy with broadcasting and casting (`Tensor.copy_`).
#[pyfunction]
pub fn copy_(py: Python<'_>, dst: &Bound<'_, PyTensor>, src: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let s = crate::convert::var_arg("copy_", src)?;
    crate::tensor::track_view_for_write(dst, s.varg().var().is_some_and(|x| x.requires_grad()))?;
    let d = dst.borrow().var();
    let r = run(py, d.data.numel(), || W::copy_(&d, s.varg()))?;
    dst.borrow_mut().meta = r.meta;
    Ok(dst.clone().unbind())
}
}

guarded! {
/// Fills in place (`fill_`, `zero_`), reported under `name`.
#[pyfunction]
#[pyo3(signature = (dst, value, name="fill_"))]
pub fn fill_(
    py: Python<'_>,
    dst: &Bound<'_, PyTensor>,
    value: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<Py<PyTensor>> {
    let s = crate::convert::var_arg(name, value)?;
    if let crate::convert::VarArg::V(v) = &s {
        if v.data.ndim() != 0 {
            return Err(PyRuntimeError::new_err(format!(
                "{name} only supports 0-dimension value tensor but got tensor with {} dimensions.",
                v.data.ndim()
            )));
        }
    }
    crate::tensor::track_view_for_write(dst, s.varg().var().is_some_and(|x| x.requires_grad()))?;
    let d = dst.borrow().var();
    let r = run(py, d.data.numel(), || F::index_put_named(&d, vec![ops::index::IndexItem::Ellipsis], s.varg(), name))?;
    dst.borrow_mut().meta = r.meta;
    Ok(dst.clone().unbind())
}
}
