//! `out=` arguments and `resize_`: PyTorch's rules for writing a result into a
//! tensor the user gave.
//!
//! NOTE [Resizing out=]: an `out=` tensor whose shape differs from the result's
//! is resized in place (with PyTorch's deprecation warning when it had
//! elements), by the rules of `Tensor.resize_`:
//! - when the new element count fits in out's storage from out's storage
//!   offset, out is re-strided to the contiguous layout of the new shape over
//!   the same storage (views of it and NumPy arrays sharing it see the writes);
//! - otherwise, when the storage is rtensor's own (not imported from NumPy) and
//!   nothing else holds it (no view, no `numpy()` array, no autograd record),
//!   out gets a fresh zeroed storage of the new shape;
//! - otherwise it is PyTorch's "Trying to resize storage that is not
//!   resizable": memory shared with someone else is never swapped behind
//!   their back, and a read-only import never becomes writable.
//! The result's dtype must be castable to out's (`can_cast`), checked before
//! anything is resized.

use crate::call::{guarded, run, IntoPyResult};
use crate::convert::VarArg;
use crate::tensor::PyTensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::layout::{contiguous_strides, fmt_shape};
use rtensor_core::{Layout, Tensor};
use std::sync::Arc;

/// Gives `ob` the shape `shape` by the rules of NOTE [Resizing out=].
pub fn resize_tensor(ob: &Bound<'_, PyTensor>, shape: &[usize]) -> PyResult<()> {
    let mut me = ob.try_borrow_mut()?;
    if me.t.shape() == shape {
        return Ok(());
    }
    let layout = Layout::try_contiguous("resize_", shape).py()?;
    let numel = layout.numel();
    let storage = me.t.storage().clone();
    if me.t.offset().checked_add(numel).is_some_and(|end| end <= storage.len()) {
        let l = Layout::new("resize_", shape, &contiguous_strides(shape), me.t.offset()).py()?;
        me.t = me.t.try_view_of("resize_", l).py()?;
        return Ok(());
    }
    // `storage` above is our own extra count. Growing keeps the old contents
    // and the storage offset, as PyTorch's storage reallocation does.
    if Arc::strong_count(&storage) == 2 && storage.is_writable() && !storage.is_foreign() {
        let (off, old_len) = (me.t.offset(), storage.len());
        let old = me.t.try_view_of("resize_", Layout::try_contiguous("resize_", &[old_len]).py()?).py()?;
        drop(storage);
        let end = off.checked_add(numel).ok_or_else(|| PyRuntimeError::new_err("resize_: storage size overflows"))?;
        let fresh = Tensor::try_zeros("resize_", me.t.dtype(), &[end]).py()?;
        let head = fresh.try_view_of("resize_", Layout::new("resize_", &[old_len], &[1], 0).py()?).py()?;
        rtensor_core::ops::assign("resize_", &head, rtensor_core::ops::Arg::T(&old)).py()?;
        drop(old);
        let l = Layout::new("resize_", shape, &contiguous_strides(shape), off).py()?;
        me.t = fresh.try_view_of("resize_", l).py()?;
        me.base = None;
        return Ok(());
    }
    Err(PyRuntimeError::new_err(format!(
        "Trying to resize storage that is not resizable: a tensor of shape {} cannot become {} in place, since its \
         memory is shared (a view, a NumPy array, a saved tensor) or imported from NumPy; pass an out= tensor of \
         the result's shape",
        fmt_shape(me.t.shape()),
        fmt_shape(shape)
    )))
}

/// PyTorch's error for `out=` while grad mode is on and `out` or an argument
/// requires grad.
pub fn check_out_grad(name: &str, out: &Bound<'_, PyAny>, args: &[&VarArg]) -> PyResult<()> {
    if !rtensor_core::autograd::is_grad_enabled() {
        return Ok(());
    }
    let out_rg = out.cast::<PyTensor>().is_ok_and(|o| o.borrow().requires_grad());
    if out_rg || args.iter().any(|a| matches!(a, VarArg::V(v) if v.requires_grad())) {
        return Err(PyRuntimeError::new_err(format!(
            "{name}(): functions with out=... arguments don't support automatic differentiation, but one of the \
             arguments requires grad."
        )));
    }
    Ok(())
}

/// The `out=` object as a tensor, or PyTorch's TypeError.
pub fn out_object<'a, 'py>(name: &str, out: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyTensor>> {
    out.cast::<PyTensor>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}(): argument 'out' must be Tensor, not {}",
            out.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

/// Writes an op's result into `out_ob`. When out already has the result's
/// `shape`, `into` computes straight into it (the core checks the dtype);
/// otherwise `fresh` computes the result, its dtype is checked against out's,
/// out is resized (NOTE [Resizing out=]; with PyTorch's deprecation warning
/// when `warn` and out had elements) and the result copied in.
pub fn finish_out<'py>(
    py: Python<'py>,
    name: &str,
    out_ob: &Bound<'py, PyAny>,
    shape: Option<&[usize]>,
    work: usize,
    warn: bool,
    into: impl FnOnce(&Tensor) -> rtensor_core::Result<()> + Send,
    fresh: impl FnOnce() -> rtensor_core::Result<Tensor> + Send,
) -> PyResult<Py<PyAny>> {
    let out = out_object(name, out_ob)?;
    let o = out.borrow().t.clone();
    if shape == Some(o.shape()) {
        run(py, work, || into(&o))?;
        return Ok(out_ob.clone().unbind());
    }
    drop(o);
    let r = run(py, work, fresh)?;
    let od = out.borrow().t.dtype();
    if !rtensor_core::dtype::can_cast(r.dtype(), od) {
        return Err(PyRuntimeError::new_err(format!(
            "result type {} can't be cast to the desired output type {}",
            r.dtype().scalar_name(),
            od.scalar_name()
        )));
    }
    let old = out.borrow().t.shape().to_vec();
    if warn && old.iter().product::<usize>() != 0 {
        let msg = format!(
            "An output with one or more elements was resized since it had shape {}, which does not match the \
             required output shape {}. This behavior is deprecated, and in a future PyTorch release outputs will \
             not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing \
             it, inplace, to zero elements with t.resize_(0).",
            fmt_shape(&old),
            fmt_shape(r.shape())
        );
        let msg = std::ffi::CString::new(msg).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &msg, 2)?;
    }
    resize_tensor(out, r.shape())?;
    let o = out.borrow().t.clone();
    run(py, work, || rtensor_core::ops::assign(name, &o, rtensor_core::ops::Arg::T(&r)))?;
    Ok(out_ob.clone().unbind())
}

guarded! {
/// `_C._resize_out(out, shape)`: resizes `out` in place for `out=` semantics
/// (NOTE [Resizing out=]); the Python layer's `_write_out` calls it.
#[pyfunction]
pub fn _resize_out(out: &Bound<'_, PyAny>, shape: &Bound<'_, PyAny>) -> PyResult<()> {
    let shape = crate::convert::parse_size(&PyTuple::new(shape.py(), [shape])?)?;
    resize_tensor(out_object("out", out)?, &shape)
}
}

guarded! {
/// `_C._check_out_overlap(name, out, inputs)`: PyTorch's error when `out`
/// shares memory with an input of an op that cannot write in place over its
/// inputs (`cat([a, b], out=a)`); overlap by address (NOTE [Aliasing by address]).
#[pyfunction]
pub fn _check_out_overlap(name: &str, out: PyRef<'_, PyTensor>, inputs: &Bound<'_, PyAny>) -> PyResult<()> {
    for x in inputs.try_iter()? {
        let x = x?;
        if let Ok(t) = x.cast::<PyTensor>() {
            if t.borrow().t.overlaps(&out.t) && out.t.numel() > 0 {
                return Err(PyRuntimeError::new_err(format!(
                    "{name}(): unsupported operation: some elements of the input tensor and the written-to tensor \
                     refer to a single memory location. Please clone() the tensor before performing the operation."
                )));
            }
        }
    }
    Ok(())
}
}

guarded! {
#[pymethods]
impl PyTensor {
    /// `x.resize_(*sizes)`: as PyTorch, by the rules of NOTE [Resizing out=].
    #[pyo3(signature = (*sizes))]
    fn resize_(slf: &Bound<'_, Self>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if slf.borrow().requires_grad() {
            return Err(PyRuntimeError::new_err("cannot resize variables that require grad"));
        }
        let shape = crate::convert::parse_size(sizes)?;
        resize_tensor(slf, &shape)?;
        Ok(slf.clone().unbind())
    }
}
}
