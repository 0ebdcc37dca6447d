//! Creation functions: `tensor`, `zeros`, `ones`, `empty`, `full`, `arange`,
//! `linspace`, `eye` (random creation is in `random.rs`). Signatures follow
//! PyTorch; the Python package re-exports them as is.

use crate::call::guarded;
use crate::call::{run, run_ok};
use crate::convert::{
    collect, parse_device, parse_opt_dtype, parse_size, scalar, sized, tensor_from_collected, Collected,
};
use crate::tensor::{wrap_new, PyTensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::dtype::{DEFAULT_FLOAT, DEFAULT_INT};
use rtensor_core::ops::{self, creation};
use rtensor_core::{DType, Device, Scalar, Tensor};

/// `rtensor.tensor(data, dtype=None, device=None, requires_grad=False)`: always copies.
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<DType>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    let device = parse_device(device)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        let dt = dtype.unwrap_or(t.dtype());
        let c = run(py, t.numel(), || if dt == t.dtype() { Ok(ops::clone(&t)) } else { Ok(ops::to_dtype(&t, dt)) })?;
        return wrap_new(py, place(py, device, c)?, requires_grad);
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
        let c = run_ok(py, t.numel(), || if dt == t.dtype() { ops::clone(&t) } else { ops::to_dtype(&t, dt) })?;
        return wrap_new(py, place(py, device, c)?, requires_grad);
    }
    let mut c = Collected::default();
    collect(data, 0, &mut c)?;
    wrap_new(py, place(py, device, tensor_from_collected(&c, dtype)?)?, requires_grad)
}

/// `t` (made on the host) on `device`: the one place creation functions
/// move data; a no-op on the CPU.
pub fn place(py: Python<'_>, device: Device, t: Tensor) -> PyResult<Tensor> {
    if device == Device::Cpu {
        return Ok(t);
    }
    run(py, t.numel(), || ops::to_device(&t, device))
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

/// The result of a creation function: a new tensor of `dtype` (or `default`),
/// or, with `out=`, one of out's dtype written into it (resized as in
/// NOTE [Resizing out=]); an explicit `dtype` must then be out's.
#[allow(clippy::too_many_arguments)]
fn created(
    py: Python<'_>,
    name: &str,
    device: Device,
    shape: &[usize],
    dtype: Option<DType>,
    default: DType,
    requires_grad: bool,
    out: Option<&Bound<'_, PyAny>>,
    make: impl Fn(DType) -> rtensor_core::Result<Tensor> + Send + Sync,
) -> PyResult<Py<PyTensor>> {
    let n = shape.iter().fold(1usize, |a, &d| a.saturating_mul(d));
    let Some(out_ob) = out.filter(|o| !o.is_none()) else {
        let t = run(py, n, || make(dtype.unwrap_or(default)))?;
        return wrap_new(py, place(py, device, t)?, requires_grad);
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
    let t = place(py, device, run(py, n, || make(od))?)?;
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
    let (shape, dt, dev) = sized("zeros", args, size, dtype, device)?;
    created(py, "zeros", dev, &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| Tensor::try_zeros_on("zeros", dev, dt, &shape))
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
    let (shape, dt, dev) = sized("ones", args, size, dtype, device)?;
    created(py, "ones", dev, &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| {
        creation::full_on("ones", dev, &shape, Scalar::Int(1), dt)
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
    let (shape, dt, dev) = sized("empty", args, size, dtype, device)?;
    created(py, "empty", dev, &shape, dt, DEFAULT_FLOAT, requires_grad, out, |dt| Tensor::try_zeros_on("empty", dev, dt, &shape))
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
    let dev = parse_device(device)?;
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
    created(py, "full", dev, &shape, dt, default, requires_grad, out, |dt| creation::full_on("full", dev, &shape, v, dt))
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
    let dev = parse_device(device)?;
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
    let t = run(py, 0, || creation::arange(s, e, st, dt))?;
    wrap_new(py, place(py, dev, t)?, requires_grad)
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
    let dev = parse_device(device)?;
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_FLOAT);
    let t = run(py, 0, || creation::linspace(start, end, steps, dt))?;
    wrap_new(py, place(py, dev, t)?, requires_grad)
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
    let dev = parse_device(device)?;
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(PyRuntimeError::new_err(format!("eye(): n and m must be non-negative, got n={n}, m={m}")));
    }
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_FLOAT);
    let t = run(py, 0, || creation::eye(n as usize, m as usize, dt))?;
    wrap_new(py, place(py, dev, t)?, requires_grad)
}
}
