//! Python values → core values (and a few back): ints, scalars, op arguments,
//! sizes and dims, dtypes and devices; nested data in [`nested`]. The one
//! conversion module of the binding (see the import order in `lib.rs`).

mod nested;
pub use nested::{collect, inferred_dtype, scalars, tensor_from_collected, to_nested, Collected};

use crate::call::guarded;
use crate::tensor::PyTensor;
use crate::types::{PyDType, PyDevice};
use pyo3::exceptions::{PyOverflowError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple, PyType};
use rtensor_core::ops::Arg;
use rtensor_core::{DType, Device, Scalar, Tensor};

/// PyTorch's message for an index-like int that does not fit in `i64`. Each
/// kind of int argument has its own helper here, with its own exception: see
/// NOTE [Python ints] in docs/design.md.
pub const LONG_OVERFLOW: &str = "Overflow when unpacking long long";

/// The error for a Python int that is not an `i64`, used as a scalar operand.
fn operand_overflow(ob: &Bound<'_, PyAny>) -> PyErr {
    if ob.extract::<u64>().is_ok() {
        PyRuntimeError::new_err("value cannot be converted to type int64_t without overflow")
    } else {
        PyOverflowError::new_err("int too big to convert")
    }
}

/// Whether `e` is the `OverflowError` of an int that does not fit.
fn is_overflow(py: Python<'_>, e: &PyErr) -> bool {
    e.is_instance_of::<PyOverflowError>(py)
}

/// An index-like int argument (dim, index, offset, length, seed): PyTorch's
/// `ValueError` when it does not fit in `i64` (NOTE [Python ints]).
pub fn long(ob: &Bound<'_, PyAny>) -> PyResult<i64> {
    ob.extract::<i64>().map_err(|e| if is_overflow(ob.py(), &e) { PyValueError::new_err(LONG_OVERFLOW) } else { e })
}

/// [`long`] of an argument that may be an int or something else
/// (`split(2)` or `split([1, 2])`): `None` when it is not an int.
pub fn scalar_long(ob: &Bound<'_, PyAny>) -> Option<PyResult<i64>> {
    if ob.is_instance_of::<PyInt>()
        || (!ob.is_instance_of::<PyList>()
            && !ob.is_instance_of::<PyTuple>()
            && ob.hasattr("__index__").unwrap_or(false))
    {
        return Some(long(ob));
    }
    None
}

/// [`long`] as an argument type: `fn narrow(dim: Long, start: Long, ...)`.
#[derive(Clone, Copy)]
pub struct Long(pub i64);

impl<'a, 'py> FromPyObject<'a, 'py> for Long {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        long(&ob).map(Long)
    }
}

/// A Python number as a core scalar, `None` when it is not a number, and an
/// error for a Python int out of range (NOTE [Python ints]).
pub fn scalar(ob: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if ob.is_instance_of::<PyBool>() {
        return Ok(Some(Scalar::Bool(ob.is_truthy()?)));
    }
    if ob.is_instance_of::<PyFloat>() {
        return Ok(ob.extract::<f64>().ok().map(Scalar::Float));
    }
    if ob.is_instance_of::<PyInt>() {
        return match ob.extract::<i64>() {
            Ok(i) => Ok(Some(Scalar::Int(i))),
            Err(_) => Err(operand_overflow(ob)),
        };
    }
    Ok(scalar_other(ob))
}

/// NumPy scalars and other numbers.
fn scalar_other(ob: &Bound<'_, PyAny>) -> Option<Scalar> {
    if ob.is_instance_of::<PyList>() || ob.is_instance_of::<PyTuple>() || ob.is_instance_of::<PyTensor>() {
        return None;
    }
    // NumPy scalars and other numbers: ints through __index__, then floats.
    let tname = ob.get_type().name().ok()?.to_string();
    if tname.starts_with("bool") {
        return ob.is_truthy().ok().map(Scalar::Bool);
    }
    if ob.hasattr("__index__").ok()? {
        return ob.extract::<i64>().ok().map(Scalar::Int);
    }
    if ob.hasattr("__float__").ok()? && !ob.is_instance_of::<PyTensor>() {
        return ob.extract::<f64>().ok().map(Scalar::Float);
    }
    None
}

pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

/// An op argument we own: a tensor handle (cheap clone) or a scalar.
pub enum OwnedArg {
    T(Tensor),
    S(Scalar),
}

impl OwnedArg {
    pub fn as_arg(&self) -> Arg<'_> {
        match self {
            OwnedArg::T(t) => Arg::T(t),
            OwnedArg::S(s) => Arg::S(*s),
        }
    }
    pub fn numel(&self) -> usize {
        match self {
            OwnedArg::T(t) => t.numel(),
            OwnedArg::S(_) => 1,
        }
    }
}

/// An autograd-aware op argument we own.
pub enum VarArg {
    V(rtensor_core::autograd::Var),
    S(Scalar),
}

impl VarArg {
    pub fn varg(&self) -> rtensor_core::autograd::functions::VArg<'_> {
        match self {
            VarArg::V(v) => rtensor_core::autograd::functions::VArg::V(v),
            VarArg::S(s) => rtensor_core::autograd::functions::VArg::S(*s),
        }
    }
    pub fn numel(&self) -> usize {
        match self {
            VarArg::V(v) => v.data.numel(),
            VarArg::S(_) => 1,
        }
    }
}

/// A tensor (with its autograd history) or a number, or a `TypeError`.
pub fn var_arg(op: &str, ob: &Bound<'_, PyAny>) -> PyResult<VarArg> {
    if let Ok(t) = ob.cast::<PyTensor>() {
        return Ok(VarArg::V(t.borrow().var()));
    }
    match scalar(ob)? {
        Some(s) => Ok(VarArg::S(s)),
        None => Err(PyTypeError::new_err(format!(
            "{op}(): argument 'other' must be a Tensor or a number, not {}",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}

pub fn var_of(op: &str, name: &str, ob: &Bound<'_, PyAny>) -> PyResult<rtensor_core::autograd::Var> {
    match ob.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().var()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{op}(): argument '{name}' must be Tensor, not {}",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}

/// A tensor or a number; `None` for anything else (the caller returns
/// NotImplemented); an error for an int out of range (NOTE [Python ints]).
pub fn arg(ob: &Bound<'_, PyAny>) -> PyResult<Option<OwnedArg>> {
    if let Ok(t) = ob.cast::<PyTensor>() {
        return Ok(Some(OwnedArg::T(t.borrow().t.clone())));
    }
    Ok(scalar(ob)?.map(OwnedArg::S))
}

/// Like [`arg`], raising `TypeError` naming the op for unsupported values.
pub fn arg_or_err(op: &str, ob: &Bound<'_, PyAny>) -> PyResult<OwnedArg> {
    arg(ob)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{op}(): argument 'other' must be a Tensor or a number, not {}",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

pub fn tensor_arg(op: &str, name: &str, ob: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    match ob.cast::<PyTensor>() {
        Ok(t) => Ok(t.borrow().t.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{op}(): argument '{name}' must be Tensor, not {}",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}

/// Sizes given as `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(rtensor.Size(...))`.
pub fn parse_size(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if a.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err("argument 'size' (position 1) must be tuple of ints, not bool"));
        }
        if !a.is_instance_of::<PyInt>() {
            if let Ok(seq) = a.cast::<PySequence>() {
                return size_from_seq(seq);
            }
        }
    }
    size_from_seq(args.as_sequence())
}

pub fn size_from_seq(seq: &Bound<'_, PySequence>) -> PyResult<Vec<usize>> {
    // No capacity from `len()`: a sequence may claim any length (2**58), and
    // `Vec::with_capacity` aborts when the allocator refuses. Its items are
    // read one by one, so the error is the one its `__getitem__` raises.
    let mut out = Vec::new();
    let mut raw: Vec<i64> = Vec::new();
    for i in 0..seq.len()? {
        raw.push(seq.get_item(i)?.extract::<i64>().map_err(|_| {
            PyTypeError::new_err("size must be a sequence of ints (e.g. (2, 3)) or ints given as separate arguments")
        })?);
    }
    for &d in &raw {
        if d < 0 {
            return Err(PyRuntimeError::new_err(format!(
                "Trying to create tensor with negative dimension {d}: {raw:?}"
            )));
        }
        out.push(d as usize);
    }
    Ok(out)
}

/// One item of an int list argument: an overflow is PyTorch's `TypeError`
/// naming the position (NOTE [Python ints]); other failures pass through.
fn list_item(ob: &Bound<'_, PyAny>, pos: usize) -> PyResult<i64> {
    ob.extract::<i64>().map_err(|e| {
        if is_overflow(ob.py(), &e) {
            PyTypeError::new_err(format!(
                "argument 'size' failed to unpack the object at pos {} with error \"{LONG_OVERFLOW}\"",
                pos + 1
            ))
        } else {
            e
        }
    })
}

/// Integer list arguments like `view(2, -1)` or `permute((1, 0))`.
pub fn parse_ints(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    // Fast path: every argument is an int (`view(2, 3)`, `view(9)`).
    let mut ints = Vec::with_capacity(args.len());
    for a in args.iter_borrowed() {
        if a.is_instance_of::<PyInt>() {
            ints.push(list_item(&a, ints.len())?);
        } else {
            break;
        }
    }
    if ints.len() == args.len() {
        return Ok(ints);
    }
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if let Ok(i) = a.extract::<i64>() {
            return Ok(vec![i]);
        }
        if let Ok(seq) = a.cast::<PySequence>() {
            // One by one, as in `size_from_seq`: no capacity from a length hint.
            let mut out = Vec::new();
            for x in seq.try_iter()? {
                out.push(list_item(&x?, out.len())?);
            }
            return Ok(out);
        }
    }
    args.iter().enumerate().map(|(i, x)| list_item(&x, i)).collect()
}

/// Dims given as an int, a tuple/list of ints, or None.
pub fn parse_dims(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            if let Ok(i) = o.extract::<i64>() {
                Ok(Some(vec![i]))
            } else {
                Ok(Some(
                    o.extract::<Vec<i64>>()
                        .map_err(|_| PyTypeError::new_err("dim must be an int, a tuple of ints or None"))?,
                ))
            }
        }
    }
}

static SIZE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

guarded! {
/// Called once by `rtensor/__init__.py` with the Python `Size` class.
#[pyfunction]
pub fn _set_size_type(py: Python<'_>, t: Bound<'_, PyType>) -> PyResult<()> {
    if !t.is_subclass_of::<PyTuple>()? {
        return Err(PyTypeError::new_err("_set_size_type expects a subclass of tuple"));
    }
    let _ = SIZE_TYPE.set(py, t.unbind());
    Ok(())
}
}

/// `x.shape`: a `Size` built by `tuple.__new__(Size, shape)` directly (a hot
/// path): `Size.__new__`, written in Python to check user input, would cost
/// more than the rest of `x.shape`, and our dims need no checking.
pub fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tup = PyTuple::new(py, shape)?;
    let Some(t) = SIZE_TYPE.get(py) else { return Ok(tup.into_any()) };
    let args = PyTuple::new(py, [tup])?;
    // SAFETY: `tp_new` is tuple's own slot (read through the stable ABI);
    // `t` is a subclass of tuple (checked in `_set_size_type`), which is what
    // `tuple_new` accepts as its type argument, and `args` a 1-tuple holding a
    // tuple. The result is a new reference or NULL with an exception set.
    unsafe {
        let tuple_type = std::ptr::addr_of_mut!(pyo3::ffi::PyTuple_Type);
        let slot = pyo3::ffi::PyType_GetSlot(tuple_type, pyo3::ffi::Py_tp_new);
        let tp_new: pyo3::ffi::newfunc = std::mem::transmute(slot);
        let obj = tp_new(t.as_ptr() as *mut pyo3::ffi::PyTypeObject, args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, obj)
    }
}

/// Accepts an `rtensor.dtype`, or Python's `float`, `int`, `bool` as PyTorch does.
pub fn parse_dtype(ob: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = ob.cast::<PyDType>() {
        return Ok(d.get().dt);
    }
    if let Ok(t) = ob.cast::<PyType>() {
        let py = ob.py();
        if t.is(py.get_type::<pyo3::types::PyFloat>()) {
            return Ok(DType::F64);
        }
        if t.is(py.get_type::<pyo3::types::PyBool>()) {
            return Ok(DType::Bool);
        }
        if t.is(py.get_type::<pyo3::types::PyInt>()) {
            return Ok(DType::I64);
        }
    }
    Err(PyTypeError::new_err(format!(
        "dtype must be an rtensor.dtype such as rtensor.float32 (or float, int, bool), not {}",
        ob.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into())
    )))
}

pub fn parse_opt_dtype(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => parse_dtype(o).map(Some),
    }
}

/// Parses a `device=` argument: `cpu`, or `cuda[:N]` (aliases `wgpu`, `gpu`)
/// for a wgpu adapter that exists (NOTE [GPU is cuda] in docs/design.md).
pub fn parse_device(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    let Some(ob) = ob else { return Ok(Device::Cpu) };
    if ob.is_none() {
        return Ok(Device::Cpu);
    }
    let d = if let Ok(d) = ob.cast::<PyDevice>() {
        d.get().clone()
    } else if ob.is_instance_of::<PyString>() || ob.extract::<i64>().is_ok() {
        PyDevice::new(ob, None)?
    } else {
        return Err(PyTypeError::new_err(format!(
            "device must be a string like 'cpu' or an rtensor.device, not {}",
            ob.get_type().name()?
        )));
    };
    match d.r#type.as_str() {
        "cpu" => Ok(Device::Cpu),
        "cuda" => {
            let i = d.index.unwrap_or(0);
            // Creates the device on first use; names what exists otherwise.
            rtensor_core::gpu::context(i as usize).map_err(crate::call::to_py)?;
            Ok(Device::Gpu(i as u32))
        }
        _ => Err(PyRuntimeError::new_err(format!(
            "device '{}' is not available: rtensor has the devices cpu and cuda (any GPU through wgpu)",
            d.__str__()?
        ))),
    }
}

/// Shared front of the sized creation functions: parses size, dtype, device.
/// The size comes either positionally or as `size=`, exactly once.
pub fn sized(
    name: &str,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<usize>, Option<DType>, Device)> {
    let device = parse_device(device)?;
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
    Ok((shape, parse_opt_dtype(dtype)?, device))
}
