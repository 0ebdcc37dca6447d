//! Module-level functions: creation, random, reductions, linear algebra, joining.
//! Signatures follow PyTorch; the Python package re-exports most of them as is.

use crate::call::guarded;
use crate::call::{run, run_ok, IntoPyResult};
use crate::convert::{
    collect, inferred_dtype, parse_dims, parse_size, scalar, tensor_arg, tensor_from_collected, Collected,
};
use crate::convert::{var_of, Long};
use crate::tensor::{wrap, wrap_new, wrap_var, PyTensor};
use crate::types::{parse_device, parse_opt_dtype};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::autograd::{functions as F, Var};
use rtensor_core::dtype::{DEFAULT_FLOAT, DEFAULT_INT};
use rtensor_core::ops::{self, creation, reduce, reduce::ReduceOp};
use rtensor_core::{DType, Scalar, Tensor};

/// `rtensor.tensor(data, dtype=None, device=None, requires_grad=False)`: always copies.
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<DType>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    parse_device(device)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        let dt = dtype.unwrap_or(t.dtype());
        return wrap_new(py, if dt == t.dtype() { ops::clone(&t) } else { ops::to_dtype(&t, dt) }, requires_grad);
    }
    // A NumPy scalar (`np.float64(1.5)`, `np.int32(7)`) keeps its dtype, as a
    // 0-d array does (np.float64 is also a Python float: look before `collect`).
    let np_scalar;
    let data = if is_numpy_scalar(data)? {
        np_scalar = py.import("numpy")?.call_method1("asarray", (data,))?;
        &np_scalar
    } else {
        data
    };
    if let Ok(arr) = data.cast::<numpy::PyUntypedArray>() {
        let t = crate::numpy::from_numpy_array(arr)?;
        let dt = dtype.unwrap_or(t.dtype());
        return wrap_new(
            py,
            run_ok(py, t.numel(), || if dt == t.dtype() { ops::clone(&t) } else { ops::to_dtype(&t, dt) })?,
            requires_grad,
        );
    }
    let mut c = Collected::default();
    collect(data, 0, &mut c)?;
    let dt = dtype.unwrap_or(inferred_dtype(c.category));
    wrap_new(py, tensor_from_collected(&c, dt, dtype.is_some())?, requires_grad)
}

/// Whether `ob` is a NumPy scalar (`np.generic`); plain Python numbers and
/// lists, the common data, are ruled out without asking NumPy.
fn is_numpy_scalar(ob: &Bound<'_, PyAny>) -> PyResult<bool> {
    use pyo3::types::{PyBool, PyFloat, PyInt, PyList};
    if ob.is_exact_instance_of::<PyList>()
        || ob.is_exact_instance_of::<PyTuple>()
        || ob.is_exact_instance_of::<PyFloat>()
        || ob.is_exact_instance_of::<PyInt>()
        || ob.is_exact_instance_of::<PyBool>()
        || ob.cast::<PyTensor>().is_ok()
    {
        return Ok(false);
    }
    static GENERIC: pyo3::sync::PyOnceLock<Py<pyo3::types::PyType>> = pyo3::sync::PyOnceLock::new();
    let py = ob.py();
    let generic = GENERIC.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("numpy")?.getattr("generic")?.cast_into::<pyo3::types::PyType>()?.unbind())
    })?;
    ob.is_instance(generic.bind(py))
}

guarded! {
#[pyfunction]
#[pyo3(name = "tensor", signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn py_tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyTensor>> {
    let _ = pin_memory;
    tensor(py, data, parse_opt_dtype(dtype)?, device, requires_grad)
}
}

/// Shared front of the sized creation functions: parses size, dtype, device.
/// The size comes either positionally or as `size=`, exactly once.
pub(crate) fn sized(
    name: &str,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<usize>, Option<DType>)> {
    parse_device(device)?;
    let shape = match size.filter(|s| !s.is_none()) {
        Some(_) if !args.is_empty() => {
            return Err(PyTypeError::new_err(format!("{name}() got multiple values for argument 'size'")))
        }
        Some(s) => parse_size(&PyTuple::new(args.py(), [s])?)?,
        None if args.is_empty() => {
            return Err(PyTypeError::new_err(format!("{name}() missing 1 required positional arguments: \"size\"")))
        }
        None => parse_size(args)?,
    };
    Ok((shape, parse_opt_dtype(dtype)?))
}

/// The result of a creation function: a new tensor of `dtype` (or `default`),
/// or, with `out=`, one of out's dtype written into it (resized as in
/// NOTE [Resizing out=]); an explicit `dtype` must then be out's.
#[allow(clippy::too_many_arguments)]
fn created(
    py: Python<'_>,
    name: &str,
    shape: &[usize],
    dtype: Option<DType>,
    default: DType,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
    make: impl Fn(DType) -> rtensor_core::Result<Tensor> + Send + Sync,
) -> PyResult<Py<PyTensor>> {
    let n = shape.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    let Some(out_ob) = crate::arith::out_arg(out) else {
        return wrap_new(py, run(py, n, || make(dtype.unwrap_or(default)))?, requires_grad);
    };
    crate::out::check_out_grad(name, out_ob, &[])?;
    let od = crate::out::out_object(name, out_ob)?.borrow().t.dtype();
    if let Some(d) = dtype.filter(|&d| d != od) {
        return Err(PyRuntimeError::new_err(format!(
            "dtype {} does not match dtype of out parameter ({})",
            d.scalar_name(),
            od.scalar_name()
        )));
    }
    let t = run(py, n, || make(od))?;
    let r = crate::out::finish_out(
        py,
        name,
        out_ob,
        Some(shape),
        n,
        false,
        |o| ops::assign(name, o, ops::Arg::T(&t)),
        || Ok(t.clone()),
    )?;
    Ok(r.bind(py).cast::<PyTensor>()?.clone().unbind())
}

guarded! {
#[pyfunction]
#[pyo3(signature = (*args, size=None, dtype=None, device=None, requires_grad=false, out=None))]
pub fn zeros(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let (shape, dt) = sized("zeros", args, size, dtype, device)?;
    created(py, "zeros", &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| Tensor::try_zeros("zeros", dt, &shape))
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (*args, size=None, dtype=None, device=None, requires_grad=false, out=None))]
pub fn ones(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let (shape, dt) = sized("ones", args, size, dtype, device)?;
    created(py, "ones", &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| {
        creation::full("ones", &shape, Scalar::Int(1), dt)
    })
}
}

guarded! {
/// `empty` returns zeroed memory: as cheap as uninitialised (the allocator maps
/// zero pages) and never exposes stale data.
#[pyfunction]
#[pyo3(signature = (*args, size=None, dtype=None, device=None, requires_grad=false, out=None, pin_memory=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
pub fn empty(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
    pin_memory: bool,
    memory_format: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let _ = (pin_memory, memory_format);
    let (shape, dt) = sized("empty", args, size, dtype, device)?;
    created(py, "empty", &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| Tensor::try_zeros("empty", dt, &shape))
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false, out=None))]
pub fn full(
    py: Python<'_>,
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    parse_device(device)?;
    let shape = parse_size(&PyTuple::new(size.py(), [size])?)?;
    let v = scalar(fill_value)?
        .or_else(|| fill_value.cast::<PyTensor>().ok().and_then(|t| t.borrow().t.item().ok()))
        .ok_or_else(|| PyTypeError::new_err("full(): fill_value must be a number"))?;
    let default = match v {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DEFAULT_INT,
        Scalar::Float(_) => DEFAULT_FLOAT,
    };
    let dt = parse_opt_dtype(dtype)?;
    created(py, "full", &shape, dt, default, requires_grad, out, |dt| creation::full("full", &shape, v, dt))
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, dtype=None, device=None, requires_grad=false))]
pub fn arange(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    parse_device(device)?;
    let num = |o: &Bound<'_, PyAny>| -> PyResult<Scalar> {
        scalar(o)?
            .or_else(|| o.cast::<PyTensor>().ok().and_then(|t| t.borrow().t.item().ok()))
            .ok_or_else(|| PyTypeError::new_err("arange(): start, end and step must be numbers"))
    };
    let (s, e) = match end {
        Some(e) if !e.is_none() => (num(start)?, num(e)?),
        _ => (Scalar::Int(0), num(start)?),
    };
    let st = match step {
        Some(x) if !x.is_none() => num(x)?,
        _ => Scalar::Int(1),
    };
    let any_float = [s, e, st].iter().any(|x| matches!(x, Scalar::Float(_)));
    let dt = parse_opt_dtype(dtype)?.unwrap_or(if any_float { DEFAULT_FLOAT } else { DEFAULT_INT });
    wrap_new(py, run(py, 0, || creation::arange(s, e, st, dt))?, requires_grad)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype=None, device=None, requires_grad=false))]
pub fn linspace(
    py: Python<'_>,
    start: f64,
    end: f64,
    steps: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    parse_device(device)?;
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_FLOAT);
    wrap_new(py, run(py, 0, || creation::linspace(start, end, steps, dt))?, requires_grad)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (n, m=None, *, dtype=None, device=None, requires_grad=false))]
pub fn eye(
    py: Python<'_>,
    n: i64,
    m: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    parse_device(device)?;
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(PyRuntimeError::new_err(format!("eye(): n and m must be non-negative, got n={n}, m={m}")));
    }
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_FLOAT);
    wrap_new(py, run(py, 0, || creation::eye(n as usize, m as usize, dt))?, requires_grad)
}
}

guarded! {
#[pyfunction]
pub fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    if !n.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyRuntimeError::new_err(format!(
            "set_num_threads expects an int, but got {}",
            n.get_type().name()?
        )));
    }
    let n = crate::convert::long(n)?;
    if n < 1 {
        return Err(PyRuntimeError::new_err(format!("set_num_threads expects a positive integer, got {n}")));
    }
    rtensor_core::threads::set_num_threads(n as usize);
    Ok(())
}
}

guarded! {
#[pyfunction]
pub fn get_num_threads() -> usize {
    rtensor_core::threads::num_threads()
}
}

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
    let (x, y) = (crate::types::parse_dtype(a)?, crate::types::parse_dtype(b)?);
    Ok(crate::types::dtype_obj(py, rtensor_core::dtype::promote_types(x, y)))
}
}

guarded! {
#[pyfunction]
pub fn can_cast(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(rtensor_core::dtype::can_cast(crate::types::parse_dtype(a)?, crate::types::parse_dtype(b)?))
}
}

guarded! {
/// `x[:] = src` style copy with broadcasting and casting (`Tensor.copy_`).
#[pyfunction]
pub fn copy_(py: Python<'_>, dst: &Bound<'_, PyTensor>, src: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let s = crate::convert::var_arg("copy_", src)?;
    crate::tensor::track_view_for_write(dst, s.varg().var().is_some_and(|x| x.requires_grad()))?;
    let d = dst.borrow().var();
    if !rtensor_core::autograd::functions::needs_grad(&[Some(&d), s.varg().var()]) {
        run(py, d.data.numel(), || ops::assign("copy_", &d.data, s.varg().arg()))?;
        return Ok(dst.clone().unbind());
    }
    let r =
        run(py, d.data.numel(), || F::index_put_named(&d, vec![ops::index::IndexItem::Ellipsis], s.varg(), "copy_"))?;
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
