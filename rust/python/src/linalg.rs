//! Linear algebra: `matmul`, `mm`, `bmm`, `mv`, `dot`, `outer` by name.

use crate::call::guarded;
use crate::call::run;
use crate::convert::var_of;
use crate::tensor::{wrap_var, PyTensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use rtensor_core::autograd::functions::{self as F, Product};

guarded! {
/// `matmul`, `mm`, `bmm`, `mv`, `dot`/`inner`, `outer`/`ger` by name.
#[pyfunction]
pub fn linalg(py: Python<'_>, name: &str, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let op = Product::from_name(name)
        .ok_or_else(|| PyTypeError::new_err(format!("unknown linear algebra op '{name}'")))?;
    let (vx, vy) = (var_of(name, "input", a)?, var_of(name, "other", b)?);
    if vx.requires_grad() || vy.requires_grad() {
        crate::autograd::note_location(py);
    }
    wrap_var(py, run(py, vx.data.numel() + vy.data.numel(), || F::product(op, &vx, &vy))?)
}
}
