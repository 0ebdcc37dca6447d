//! Linear algebra: `matmul`, `mm`, `bmm`, `mv`, `dot`, `outer` by name.

use crate::call::guarded;
use crate::call::run;
use crate::convert::{tensor_arg, var_of};
use crate::tensor::{wrap, wrap_var, PyTensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use rtensor_core::autograd::functions as F;
use rtensor_core::ops;

guarded! {
/// `matmul`, `mm`, `bmm`, `mv`, `dot`, `outer` by name.
#[pyfunction]
pub fn linalg(py: Python<'_>, name: &str, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let (vx, vy) = (var_of(name, "input", a)?, var_of(name, "other", b)?);
    if vx.requires_grad() || vy.requires_grad() {
        crate::autograd::note_location(py);
        let r = run(py, vx.data.numel() + vy.data.numel(), || {
            ops::matmul::check(name, &vx.data, &vy.data)?;
            if matches!(name, "outer" | "ger") {
                let col = F::unsqueeze(&vx, 1)?;
                return F::mul(&col, &vy);
            }
            F::matmul(&vx, &vy)
        })?;
        return wrap_var(py, r);
    }
    let x = tensor_arg(name, "input", a)?;
    let y = tensor_arg(name, "other", b)?;
    let f = match name {
        "matmul" => ops::matmul::matmul,
        "mm" => ops::matmul::mm,
        "bmm" => ops::matmul::bmm,
        "mv" => ops::matmul::mv,
        "dot" | "inner" => ops::matmul::dot,
        "outer" | "ger" => ops::matmul::outer,
        _ => return Err(PyTypeError::new_err(format!("unknown linear algebra op '{name}'"))),
    };
    wrap(py, run(py, x.numel() + y.numel(), || f(&x, &y))?)
}
}
