//! `t[key]` and `t[key] = value`, and the index ops built on them.

use crate::call::guarded;
use crate::call::{run, IntoPyResult};
use crate::convert::{tensor_arg, var_arg, var_of, Long, VarArg};
use crate::tensor::{link_view, new_view, track_view_for_write, wrap, wrap_var, PyTensor};
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyEllipsis, PyInt, PyList, PyNone, PyRange, PySlice, PyTuple};
use rtensor_core::autograd::functions as F;
use rtensor_core::autograd::functions::write::{self as W, Output, ScatterMode};
use rtensor_core::ops::index::{self as ix, IndexItem};
use rtensor_core::DType;

/// One element of an index key.
fn item(py: Python<'_>, ob: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if ob.is_instance_of::<PyInt>() && !ob.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(IndexItem::Int(crate::convert::long(ob)?));
    }
    if let Ok(s) = ob.cast::<PySlice>() {
        let (mut start, mut stop, mut step): (pyo3::ffi::Py_ssize_t, pyo3::ffi::Py_ssize_t, pyo3::ffi::Py_ssize_t) =
            (0, 0, 0);
        // SAFETY: `s` is a live slice object; PySlice_Unpack only reads it and writes
        // the three out-parameters. It maps None to the extreme Py_ssize_t values,
        // which `slice_indices` clamps exactly as CPython does.
        if unsafe { pyo3::ffi::PySlice_Unpack(s.as_ptr(), &mut start, &mut stop, &mut step) } < 0 {
            return Err(PyErr::fetch(py));
        }
        return Ok(IndexItem::Slice(Some(start as i64), Some(stop as i64), step as i64));
    }
    if ob.is_instance_of::<pyo3::types::PyString>() {
        // PyTorch tries to make a tensor of it.
        return Err(pyo3::exceptions::PyTypeError::new_err("new(): invalid data type 'str'"));
    }
    if ob.is_instance_of::<PyNone>() {
        return Ok(IndexItem::NewAxis);
    }
    if ob.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if let Ok(t) = ob.cast::<PyTensor>() {
        return Ok(IndexItem::Tensor(t.borrow().t.clone()));
    }
    if ob.is_instance_of::<pyo3::types::PyBool>() {
        // x[True] adds a dim of size 1 (NumPy's rule); x[False] adds an empty
        // one: both are a 0-d boolean mask, as in PyTorch.
        if ob.extract::<bool>()? {
            return Ok(IndexItem::NewAxis);
        }
        let f = rtensor_core::ops::creation::full("index", &[], rtensor_core::Scalar::Bool(false), DType::Bool).py()?;
        return Ok(IndexItem::Tensor(f));
    }
    if ob.is_instance_of::<PyList>() || ob.is_instance_of::<PyRange>() || ob.hasattr("__array_interface__")? {
        let t = crate::creation::tensor(py, ob, None, None, false)?;
        let t = t.borrow(py).t.clone();
        // PyTorch turns a list or array of floats into int64 indices
        // (truncating); a float *tensor* is refused by the core.
        if t.dtype().is_float() {
            return Ok(IndexItem::Tensor(rtensor_core::ops::to_dtype(&t, DType::I64)));
        }
        return Ok(IndexItem::Tensor(t));
    }
    if let Some(rtensor_core::Scalar::Int(i)) = crate::convert::scalar(ob)? {
        return Ok(IndexItem::Int(i));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
        ob.get_type().name()?
    )))
}

/// The right-hand side of `x[key] = value`: a tensor or a number, as in
/// PyTorch, which refuses sequences (`can't assign a list to a
/// torch.FloatTensor`) and unpacks ints as `long long` (NOTE [Python ints]).
fn setitem_value(slf: &Bound<'_, PyTensor>, value: &Bound<'_, PyAny>) -> PyResult<VarArg> {
    if let Ok(t) = value.cast::<PyTensor>() {
        return Ok(VarArg::V(t.borrow().var()));
    }
    if value.is_instance_of::<PyInt>() && !value.is_instance_of::<pyo3::types::PyBool>() {
        return Ok(VarArg::S(rtensor_core::Scalar::Int(crate::convert::long(value)?)));
    }
    match crate::convert::scalar(value)? {
        Some(s) => Ok(VarArg::S(s)),
        None => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "can't assign a {} to a {}",
            value.get_type().fully_qualified_name()?,
            crate::autograd::tensor_type_name(slf.borrow().t.dtype())
        ))),
    }
}

pub type Key = smallvec::SmallVec<[IndexItem; 4]>;

pub fn parse_key(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Key> {
    let mut items = Key::new();
    if let Ok(tup) = key.cast::<PyTuple>() {
        for k in tup.iter() {
            items.push(item(py, &k)?);
        }
    } else {
        items.push(item(py, key)?);
    }
    Ok(items)
}

/// Applies one int or slice to `layout` at `dim`; `None` when `ob` is neither.
fn basic_step(ob: &Bound<'_, PyAny>, layout: &mut rtensor_core::Layout, dim: &mut usize) -> Option<PyResult<()>> {
    if ob.is_exact_instance_of::<PyInt>() {
        let i = match crate::convert::long(ob) {
            Ok(i) => i,
            Err(e) => return Some(Err(e)),
        };
        return Some(layout.select_in_place(*dim, i).py());
    }
    let s = ob.cast::<PySlice>().ok()?;
    let (mut start, mut stop, mut step): (pyo3::ffi::Py_ssize_t, pyo3::ffi::Py_ssize_t, pyo3::ffi::Py_ssize_t) =
        (0, 0, 0);
    // SAFETY: as in `item`.
    if unsafe { pyo3::ffi::PySlice_Unpack(s.as_ptr(), &mut start, &mut stop, &mut step) } < 0 {
        return Some(Err(PyErr::fetch(ob.py())));
    }
    let n = *layout.shape().get(*dim)? as i64;
    let (first, len) = rtensor_core::ops::shape::slice_indices(n, Some(start as i64), Some(stop as i64), step as i64);
    if let Err(e) = layout.slice_in_place(*dim, first, len, step as isize) {
        return Some(Err(crate::call::to_py(e)));
    }
    *dim += 1;
    Some(Ok(()))
}

/// `x[i, a:b]`-style keys made only of ints and slices: applied straight to the
/// layout, without building an index list. `None` means "take the general path".
fn basic_fast(t: &rtensor_core::Tensor, key: &Bound<'_, PyAny>) -> Option<PyResult<rtensor_core::Tensor>> {
    let mut layout = t.layout().clone();
    let mut dim = 0usize;
    if let Ok(tup) = key.cast::<PyTuple>() {
        if tup.len() > t.ndim() {
            return None;
        }
        for k in tup.iter() {
            if let Err(e) = basic_step(&k, &mut layout, &mut dim)? {
                return Some(Err(e));
            }
        }
    } else {
        if t.ndim() == 0 {
            return None;
        }
        if let Err(e) = basic_step(key, &mut layout, &mut dim)? {
            return Some(Err(e));
        }
    }
    Some(Ok(t.view_of(layout)))
}

guarded! {
#[pymethods]
impl PyTensor {
    fn __getitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        // The hot path (ints and slices, no autograd) builds the view whole.
        if me.meta.is_none() {
            if let Some(r) = basic_fast(&me.t, key) {
                return new_view(slf, &me, r?);
            }
        }
        let out = me.getitem(slf.py(), key)?;
        link_view(slf, &me, out)
    }

    fn __setitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = slf.py();
        let items = parse_key(py, key)?;
        let v = setitem_value(slf, value)?;
        track_view_for_write(slf, v.varg().var().is_some_and(|x| x.requires_grad()))?;
        let me = slf.borrow().var();
        crate::autograd::note_location(py);
        let r = run(py, me.data.numel(), || F::index_put_(&me, items.to_vec(), v.varg()))?;
        slf.borrow_mut().meta = r.meta;
        Ok(())
    }
}
}

impl PyTensor {
    fn getitem(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let items = parse_key(py, key)?;
        if self.meta.is_some() {
            let v = self.var();
            return wrap_var(py, run(py, v.data.numel(), || F::index(&v, items.to_vec()))?);
        }
        let t = &self.t;
        let advanced = items.iter().any(|i| matches!(i, IndexItem::Tensor(_)));
        let r = if advanced { run(py, t.numel(), || ix::index(t, &items))? } else { ix::index(t, &items).py()? };
        wrap(py, r)
    }
}

guarded! {
#[pyfunction]
pub fn index_select(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    dim: Long,
    index: &Bound<'_, PyAny>,
) -> PyResult<Py<PyTensor>> {
    let dim = dim.0;
    let v = var_of("index_select", "input", a)?;
    let i = tensor_arg("index_select", "index", index)?;
    wrap_var(py, run(py, v.data.numel(), || F::index_select(&v, dim, &i))?)
}
}

guarded! {
#[pyfunction]
pub fn masked_select(py: Python<'_>, a: &Bound<'_, PyAny>, mask: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let v = var_of("masked_select", "input", a)?;
    let m = tensor_arg("masked_select", "mask", mask)?;
    wrap_var(py, run(py, v.data.numel(), || F::masked_select(&v, &m))?)
}
}

guarded! {
/// `masked_fill` (a copy) or `masked_fill_` (in place) depending on `inplace`.
#[pyfunction]
pub fn masked_fill(
    py: Python<'_>,
    a: &Bound<'_, PyTensor>,
    mask: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    inplace: bool,
) -> PyResult<Py<PyTensor>> {
    let out = if inplace { Output::InPlace } else { Output::New };
    if out == Output::InPlace {
        track_view_for_write(a, false)?;
    }
    let m = tensor_arg("masked_fill", "mask", mask)?;
    let v = match crate::convert::arg(value)? {
        Some(crate::convert::OwnedArg::S(s)) => s,
        Some(crate::convert::OwnedArg::T(vt)) if vt.ndim() == 0 => vt.item().py()?,
        Some(crate::convert::OwnedArg::T(vt)) => {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                vt.ndim()
            )))
        }
        None => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "masked_fill() received an invalid combination of arguments - got (Tensor, {}), but expected one \
                 of: (Tensor mask, Tensor value) or (Tensor mask, Number value)",
                value.get_type().name()?
            )))
        }
    };
    let me = a.borrow().var();
    let r = run(py, me.data.numel(), || W::masked_fill(out, &me, &m, v))?;
    written(a, out, r)
}
}

/// The result of an op that writes `a` in place (its new history goes to
/// `a`, which is returned) or returns a new tensor.
fn written(a: &Bound<'_, PyTensor>, out: Output, r: rtensor_core::autograd::Var) -> PyResult<Py<PyTensor>> {
    match out {
        Output::InPlace => {
            a.borrow_mut().meta = r.meta;
            Ok(a.clone().unbind())
        }
        Output::New => wrap_var(a.py(), r),
    }
}

guarded! {
#[pyfunction]
pub fn nonzero(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let t = tensor_arg("nonzero", "input", a)?;
    wrap(py, run(py, t.numel(), || ix::nonzero(&t))?)
}
}

guarded! {
#[pyfunction]
pub fn gather(py: Python<'_>, a: &Bound<'_, PyAny>, dim: Long, index: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let dim = dim.0;
    let v = var_of("gather", "input", a)?;
    let i = tensor_arg("gather", "index", index)?;
    wrap_var(py, run(py, i.numel(), || F::gather(&v, dim, &i))?)
}
}

guarded! {
/// `scatter`/`scatter_add` (copies) and their in-place forms.
#[pyfunction]
pub fn scatter(
    py: Python<'_>,
    a: &Bound<'_, PyTensor>,
    dim: Long,
    index: &Bound<'_, PyAny>,
    src: &Bound<'_, PyAny>,
    add: bool,
    inplace: bool,
) -> PyResult<Py<PyTensor>> {
    let mode = if add { ScatterMode::Add } else { ScatterMode::Assign };
    let out = if inplace { Output::InPlace } else { Output::New };
    let vs = var_arg("scatter", src)?;
    if out == Output::InPlace {
        track_view_for_write(a, matches!(&vs, VarArg::V(x) if x.requires_grad()))?;
    }
    let i = tensor_arg("scatter", "index", index)?;
    let me = a.borrow().var();
    let r = run(py, i.numel(), || W::scatter(out, mode, &me, dim.0, &i, vs.varg()))?;
    written(a, out, r)
}
}
