//! Python values → core values: scalars, op arguments, sizes, nested data.

use crate::call::guarded;
use crate::call::IntoPyResult;
use crate::tensor::PyTensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyTuple, PyType};
use rtensor_core::dtype::{Category, DEFAULT_FLOAT, DEFAULT_INT};
use rtensor_core::ops::Arg;
use rtensor_core::{DType, Scalar, Tensor};

/// A Python number as a core scalar, or `None` when it is not a number.
pub fn scalar(ob: &Bound<'_, PyAny>) -> Option<Scalar> {
    if ob.is_instance_of::<PyBool>() {
        return Some(Scalar::Bool(ob.is_truthy().ok()?));
    }
    if ob.is_instance_of::<PyFloat>() {
        return ob.extract::<f64>().ok().map(Scalar::Float);
    }
    if ob.is_instance_of::<PyInt>() {
        return ob.extract::<i64>().ok().map(Scalar::Int);
    }
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
    match scalar(ob) {
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

/// A tensor or a number; `None` for anything else (the caller returns NotImplemented).
pub fn arg(ob: &Bound<'_, PyAny>) -> Option<OwnedArg> {
    if let Ok(t) = ob.cast::<PyTensor>() {
        return Some(OwnedArg::T(t.borrow().t.clone()));
    }
    scalar(ob).map(OwnedArg::S)
}

/// Like [`arg`], raising `TypeError` naming the op for unsupported values.
pub fn arg_or_err(op: &str, ob: &Bound<'_, PyAny>) -> PyResult<OwnedArg> {
    arg(ob).ok_or_else(|| {
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

/// Integer list arguments like `view(2, -1)` or `permute((1, 0))`.
pub fn parse_ints(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    // Fast path: every argument is an int (`view(2, 3)`, `view(9)`).
    let mut ints = Vec::with_capacity(args.len());
    for a in args.iter_borrowed() {
        match a.cast::<PyInt>() {
            Ok(i) => ints.push(i.extract::<i64>()?),
            Err(_) => break,
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
                out.push(x?.extract::<i64>()?);
            }
            return Ok(out);
        }
    }
    args.iter().map(|x| x.extract::<i64>()).collect()
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

/// Values collected from nested Python data by [`collect`].
#[derive(Default)]
pub struct Collected {
    pub shape: Vec<usize>,
    pub values: Vec<Scalar>,
    pub category: Option<Category>,
}

/// PyTorch's limit on nesting in `tensor(data)`; it also bounds the recursion
/// below, so a self-containing list (`l.append(l)`) is an error, not a stack
/// overflow.
const MAX_DIMS: usize = 64;

/// Walks nested lists/tuples of numbers (and tensors) into shape + values.
pub fn collect(ob: &Bound<'_, PyAny>, depth: usize, acc: &mut Collected) -> PyResult<()> {
    if depth > MAX_DIMS {
        return Err(PyValueError::new_err(format!(
            "too many dimensions '{}' (tensor() accepts at most {MAX_DIMS} levels of nesting)",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )));
    }
    if let Some(s) = scalar(ob) {
        if depth != acc.shape.len() {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {depth} (got a number)",
                acc.shape.get(depth).copied().unwrap_or(0)
            )));
        }
        let c = s.category();
        acc.category = Some(acc.category.map_or(c, |a| a.max(c)));
        acc.values.push(s);
        return Ok(());
    }
    if let Ok(t) = ob.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        if t.ndim() == 0 {
            let s = t.item().py()?;
            return collect(&scalar_to_py(ob.py(), s)?.into_bound(ob.py()), depth, acc);
        }
    }
    // Lists and tuples (the common case) are walked without the generic sequence protocol.
    if let Ok(list) = ob.cast::<PyList>() {
        enter(acc, depth, list.len())?;
        for x in list.iter() {
            collect(&x, depth + 1, acc)?;
        }
        return Ok(());
    }
    if let Ok(tup) = ob.cast::<PyTuple>() {
        enter(acc, depth, tup.len())?;
        for x in tup.iter() {
            collect(&x, depth + 1, acc)?;
        }
        return Ok(());
    }
    let seq = if let Ok(seq) = ob.cast::<PySequence>() {
        if ob.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err("new(): invalid data type 'str'"));
        }
        if ob.is_instance_of::<pyo3::types::PyBytes>() || ob.is_instance_of::<pyo3::types::PyByteArray>() {
            return Err(PyTypeError::new_err("new(): invalid data type 'bytes'"));
        }
        seq.clone()
    } else {
        return Err(PyTypeError::new_err(format!(
            "Could not infer dtype of {}",
            ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )));
    };
    let n = seq.len()?;
    enter(acc, depth, n)?;
    for i in 0..n {
        collect(&seq.get_item(i)?, depth + 1, acc)?;
    }
    Ok(())
}

/// Records (or checks) the length of a sequence met at `depth`.
fn enter(acc: &mut Collected, depth: usize, n: usize) -> PyResult<()> {
    if depth == acc.shape.len() {
        if !acc.values.is_empty() {
            return Err(PyValueError::new_err(format!("expected a number at dim {depth}, got a sequence")));
        }
        acc.shape.push(n);
    } else if depth > acc.shape.len() || acc.shape[depth] != n {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {depth} (got {n})",
            acc.shape.get(depth).copied().unwrap_or(0)
        )));
    }
    Ok(())
}

/// The dtype `torch.tensor(data)` infers.
pub fn inferred_dtype(c: Option<Category>) -> DType {
    match c {
        Some(Category::Bool) => DType::Bool,
        Some(Category::Int) => DEFAULT_INT,
        _ => DEFAULT_FLOAT,
    }
}

/// Builds a tensor of `dtype` from collected values.
pub fn tensor_from_collected(c: &Collected, dtype: DType) -> PyResult<Tensor> {
    rtensor_core::with_dtype!(dtype, T, {
        let v: Vec<T> = c.values.iter().map(|s| s.to_elem::<T>()).collect();
        Tensor::from_vec(v, &c.shape).py()
    })
}
