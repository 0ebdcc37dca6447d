//! Reductions and scans: `sum`/`prod`/`amax`/.../`mean`, `var`/`std`, `norm`,
//! `logsumexp`, `max`/`min` along a dim, `cumsum`/`cumprod`.

use crate::call::guarded;
use crate::call::{run, IntoPyResult};
use crate::convert::parse_opt_dtype;
use crate::convert::{parse_dims, var_of, Long};
use crate::tensor::{wrap, wrap_var, PyTensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::autograd::functions::Spread;
use rtensor_core::autograd::{functions as F, Var};
use rtensor_core::ops::{reduce, ArgReduceOp, ReduceOp, ScanOp};

fn unknown(family: &str, name: &str) -> PyErr {
    PyTypeError::new_err(format!("unknown {family} '{name}'"))
}

guarded! {
/// Fold reductions (the rows of the core's reduce table), `mean`, and
/// `max`/`min` of all elements: `name(a, dim=None, keepdim=False, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (name, a, dim=None, keepdim=false, dtype=None))]
pub fn reduction(
    py: Python<'_>,
    name: &str,
    a: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let v = var_of(name, "input", a)?;
    let dims = parse_dims(dim)?;
    let dt = parse_opt_dtype(dtype)?;
    let d = dims.as_deref();
    let r = if name == "mean" {
        run(py, v.data.numel(), || F::mean(&v, d, keepdim, dt))?
    } else if let Some(op) = ArgReduceOp::from_name(name) {
        run(py, v.data.numel(), || F::extreme_all(&v, op))?
    } else {
        let op = ReduceOp::from_name(name).ok_or_else(|| unknown("reduction", name))?;
        run(py, v.data.numel(), || F::reduce(op, &v, d, keepdim, dt))?
    };
    wrap_var(py, r)
}
}

guarded! {
/// `var`/`std` (`name`) with Bessel-style `correction`.
#[pyfunction]
#[pyo3(signature = (name, a, dim=None, correction=1.0, keepdim=false))]
pub fn var(
    py: Python<'_>,
    name: &str,
    a: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    correction: f64,
    keepdim: bool,
) -> PyResult<Py<PyTensor>> {
    let spread = match name {
        "var" => Spread::Variance,
        "std" => Spread::StdDev,
        _ => return Err(unknown("spread", name)),
    };
    let v = var_of(name, "input", a)?;
    let dims = parse_dims(dim)?;
    wrap_var(py, run(py, v.data.numel(), || F::var(&v, dims.as_deref(), correction, keepdim, spread))?)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (a, p=2.0, dim=None, keepdim=false))]
pub fn norm(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    p: f64,
    dim: Option<&Bound<'_, PyAny>>,
    keepdim: bool,
) -> PyResult<Py<PyTensor>> {
    let v = var_of("norm", "input", a)?;
    let dims = parse_dims(dim)?;
    if !v.data.dtype().is_float() {
        return wrap(py, reduce::norm(&v.data, p, dims.as_deref(), keepdim).py()?);
    }
    wrap_var(py, run(py, v.data.numel(), || F::norm(&v, p, dims.as_deref(), keepdim))?)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (a, dim, keepdim=false))]
pub fn logsumexp(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    dim: &Bound<'_, PyAny>,
    keepdim: bool,
) -> PyResult<Py<PyTensor>> {
    let v = var_of("logsumexp", "input", a)?;
    let dims = parse_dims(Some(dim))?.unwrap_or_default();
    wrap_var(py, run(py, v.data.numel(), || F::logsumexp(&v, &dims, keepdim))?)
}
}

guarded! {
/// `max`/`min` (`name`) along a dim: (values, indices). With `dim=None`,
/// argmax/argmin of all elements (indices twice).
#[pyfunction]
#[pyo3(signature = (name, a, dim, keepdim))]
pub fn arg_reduce<'py>(
    py: Python<'py>,
    name: &str,
    a: &Bound<'_, PyAny>,
    dim: Option<Long>,
    keepdim: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let op = ArgReduceOp::from_name(name).ok_or_else(|| unknown("arg-reduction", name))?;
    let x = var_of(name, "input", a)?;
    let (v, i) = match dim {
        Some(d) => run(py, x.data.numel(), || F::arg_reduce(op, &x, d.0, keepdim))?,
        None => {
            let i = run(py, x.data.numel(), || reduce::arg_reduce_all(op, &x.data))?;
            (Var::new(i.clone()), Var::new(i))
        }
    };
    PyTuple::new(py, [wrap_var(py, v)?, wrap_var(py, i)?])
}
}

guarded! {
/// Scans (`cumsum`, `cumprod`: the rows of the core's scan table).
#[pyfunction]
#[pyo3(signature = (name, a, dim, dtype=None))]
pub fn scan(
    py: Python<'_>,
    name: &str,
    a: &Bound<'_, PyAny>,
    dim: Long,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let op = ScanOp::from_name(name).ok_or_else(|| unknown("scan", name))?;
    let v = var_of(name, "input", a)?;
    let dt = parse_opt_dtype(dtype)?;
    wrap_var(py, run(py, v.data.numel(), || F::scan(op, &v, dim.0, dt))?)
}
}
