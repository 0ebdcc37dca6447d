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
use rtensor_core::autograd::{functions as F, Var};
use rtensor_core::ops::{reduce, reduce::ReduceOp};

fn reduce_op(name: &str) -> PyResult<ReduceOp> {
    Ok(match name {
        "sum" => ReduceOp::Sum,
        "prod" => ReduceOp::Prod,
        "amax" | "max" => ReduceOp::Amax,
        "amin" | "min" => ReduceOp::Amin,
        "all" => ReduceOp::All,
        "any" => ReduceOp::Any,
        _ => return Err(PyTypeError::new_err(format!("unknown reduction '{name}'"))),
    })
}

guarded! {
/// Fold reductions and `mean`: `name(a, dim=None, keepdim=False, dtype=None)`.
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
    let op = if name == "mean" { None } else { Some(reduce_op(name)?) };
    let d = dims.as_deref();
    let r = run(py, v.data.numel(), || match op {
        None => F::mean(&v, d, keepdim, dt),
        Some(ReduceOp::Sum) => F::sum(&v, d, keepdim, dt),
        Some(ReduceOp::Prod) => F::prod(&v, d, keepdim, dt),
        Some(ReduceOp::Amax) if name == "max" => F::amax_named(&v, d, keepdim, true, "MaxBackward1"),
        Some(ReduceOp::Amin) if name == "min" => F::amax_named(&v, d, keepdim, false, "MinBackward1"),
        Some(ReduceOp::Amax) => F::amax(&v, d, keepdim, true),
        Some(ReduceOp::Amin) => F::amax(&v, d, keepdim, false),
        Some(op) => reduce::reduce(op, &v.data, d, keepdim, dt).map(Var::new),
    })?;
    wrap_var(py, r)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (a, dim=None, correction=1.0, keepdim=false, take_sqrt=false))]
pub fn var(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    dim: Option<&Bound<'_, PyAny>>,
    correction: f64,
    keepdim: bool,
    take_sqrt: bool,
) -> PyResult<Py<PyTensor>> {
    let v = var_of(if take_sqrt { "std" } else { "var" }, "input", a)?;
    let dims = parse_dims(dim)?;
    wrap_var(py, run(py, v.data.numel(), || F::var(&v, dims.as_deref(), correction, keepdim, take_sqrt))?)
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
/// `max`/`min` along a dim: (values, indices). With `dim=None`, argmax/argmin of all.
#[pyfunction]
#[pyo3(signature = (a, dim, keepdim, is_max))]
pub fn arg_extreme<'py>(
    py: Python<'py>,
    a: &Bound<'_, PyAny>,
    dim: Option<Long>,
    keepdim: bool,
    is_max: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let dim = dim.map(|d| d.0);
    let x = var_of(if is_max { "max" } else { "min" }, "input", a)?;
    let (v, i) = match dim {
        Some(d) => run(py, x.data.numel(), || F::max_dim(&x, d, keepdim, is_max))?,
        None => {
            let i = run(py, x.data.numel(), || reduce::arg_extreme_all(&x.data, is_max))?;
            (Var::new(i.clone()), Var::new(i))
        }
    };
    PyTuple::new(py, [wrap_var(py, v)?, wrap_var(py, i)?])
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (a, dim, prod, dtype=None))]
pub fn cumulative(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    dim: Long,
    prod: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let dim = dim.0;
    let v = var_of(if prod { "cumprod" } else { "cumsum" }, "input", a)?;
    let dt = parse_opt_dtype(dtype)?;
    wrap_var(py, run(py, v.data.numel(), || if prod { F::cumprod(&v, dim, dt) } else { F::cumsum(&v, dim, dt) })?)
}
}
