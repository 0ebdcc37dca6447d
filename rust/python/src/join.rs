//! Joining tensors: `cat`, `stack`.

use crate::call::guarded;
use crate::call::run;
use crate::convert::{var_of, Long};
use crate::tensor::{wrap_var, PyTensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use rtensor_core::autograd::{functions as F, Var};

fn var_list(op: &str, seq: &Bound<'_, PyAny>) -> PyResult<Vec<Var>> {
    if seq.cast::<PyTensor>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "{op}(): argument 'tensors' must be a tuple or list of Tensors, not Tensor"
        )));
    }
    seq.try_iter()?.map(|x| var_of(op, "tensors", &x?)).collect()
}

guarded! {
#[pyfunction]
#[pyo3(signature = (tensors, dim=Long(0)))]
pub fn cat(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: Long) -> PyResult<Py<PyTensor>> {
    let dim = dim.0;
    let vs = var_list("cat", tensors)?;
    let n = vs.iter().map(|t| t.data.numel()).sum();
    wrap_var(py, run(py, n, || F::cat(&vs, dim))?)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (tensors, dim=Long(0)))]
pub fn stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: Long) -> PyResult<Py<PyTensor>> {
    let dim = dim.0;
    let vs = var_list("stack", tensors)?;
    let n = vs.iter().map(|t| t.data.numel()).sum();
    wrap_var(py, run(py, n, || F::stack(&vs, dim))?)
}
}
