//! The `rtensor.Tensor` class: the struct, and the helpers that wrap core
//! results in it and link views to their bases. The bottom of the binding
//! (see the import order in `lib.rs`): every module may use it, and it uses
//! only `call`. Its Python methods live with their op families: attributes
//! and conversions in `attrs.rs`, arithmetic in `arith.rs`, indexing in
//! `indexing.rs`, view ops in `views.rs`.

use crate::call::IntoPyResult;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rtensor_core::autograd::{functions as F, Meta, Var};
use rtensor_core::Tensor;
use std::sync::Arc;

/// NOTE [Tensor and Var]: the Python object holds the data handle and, only
/// when autograd is involved, the shared autograd metadata. `meta: None` is
/// the fast path every op checks first: no graph can be involved.
/// NOTE [Tensor attributes]: PyTorch lets users set attributes on any tensor
/// (`x.foo = 1`); rtensor allows it on Python subclasses (`nn.Parameter`,
/// which have a `__dict__`) but not on plain tensors, by measurement: a
/// `#[pyclass(dict)]` made every new tensor 20-60 ns slower (`a + b` on 3x3:
/// 259 -> 318 ns), and a `__getattr__` fallback made every method lookup about
/// 40 ns slower (`x.view(9)`: 229 -> 270 ns). Small-op overhead is what rtensor
/// promises; an attribute on a plain tensor is rare in practice.
#[pyclass(name = "Tensor", module = "rtensor", subclass, weakref)]
pub struct PyTensor {
    pub t: Tensor,
    pub meta: Option<Arc<Meta>>,
    /// The Python object last returned by `.grad` (see `get_grad`).
    pub grad_cache: Option<Py<PyTensor>>,
    /// For a view, the tensor it views (the root of a chain of views), as
    /// PyTorch's `_base`. See NOTE [Untracked views].
    pub base: Option<Py<PyTensor>>,
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { t, meta: None, grad_cache: None, base: None }
    }
    /// The tensor as autograd sees it (cheap: two reference-count bumps).
    pub fn var(&self) -> Var {
        Var { data: self.t.clone(), meta: self.meta.clone() }
    }
    pub fn requires_grad(&self) -> bool {
        self.meta.is_some() && self.var().requires_grad()
    }
}

/// Wraps a core tensor in a new Python object.
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Py<PyTensor>> {
    Py::new(py, PyTensor::new(t))
}

/// Wraps a Var (data and autograd history) in a new Python object.
pub fn wrap_var(py: Python<'_>, v: Var) -> PyResult<Py<PyTensor>> {
    Py::new(py, PyTensor { t: v.data, meta: v.meta, grad_cache: None, base: None })
}

/// Records that `out` (just made from `slf`, borrowed as `me`) is a view of
/// it, when it shares `slf`'s storage (`reshape` may copy); returns `out`.
pub fn link_view(slf: &Bound<'_, PyTensor>, me: &PyTensor, out: Py<PyTensor>) -> PyResult<Py<PyTensor>> {
    let py = slf.py();
    let mut o = out.bind(py).try_borrow_mut()?;
    if Arc::ptr_eq(me.t.storage(), o.t.storage()) {
        o.base = Some(view_root(slf, me));
    }
    drop(o);
    Ok(out)
}

/// A new Python tensor for `t`, a view of `slf` made without autograd.
pub fn new_view(slf: &Bound<'_, PyTensor>, me: &PyTensor, t: Tensor) -> PyResult<Py<PyTensor>> {
    Py::new(slf.py(), PyTensor { t, meta: None, grad_cache: None, base: Some(view_root(slf, me)) })
}

/// What a view of `slf` records as its `_base`: the root of `slf`'s views.
pub fn view_root(slf: &Bound<'_, PyTensor>, me: &PyTensor) -> Py<PyTensor> {
    match &me.base {
        Some(b) => b.clone_ref(slf.py()),
        None => slf.clone().unbind(),
    }
}

/// Before `slf` is written in place, with grad mode on (NOTE [Untracked views]):
/// - `slf` is a view autograd does not know as one, of a base that requires
///   grad (made under `no_grad`, or before the base required grad): PyTorch
///   forbids the write, and so do we, with its message;
/// - the value requires grad and the base does not: link the view to its base
///   now, so the write gives the base a `CopySlices` history.
pub fn track_view_for_write(slf: &Bound<'_, PyTensor>, value_requires_grad: bool) -> PyResult<()> {
    if !rtensor_core::autograd::is_grad_enabled() {
        return Ok(());
    }
    let py = slf.py();
    let base = {
        let me = slf.try_borrow()?;
        match &me.base {
            Some(b) if !me.requires_grad() && me.var().view_base().is_none() => b.clone_ref(py),
            _ => return Ok(()),
        }
    };
    let base_var = {
        let mut b = base.bind(py).try_borrow_mut()?;
        if b.requires_grad() {
            return Err(PyRuntimeError::new_err(if b.var().is_leaf() {
                "a view of a leaf Variable that requires grad is being used in an in-place operation."
            } else {
                "A view was created in no_grad mode and is being modified inplace with grad mode enabled. \
                 Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your \
                 code by moving both the view and the inplace either both inside the no_grad block (if you \
                 don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
            }));
        }
        // An integer base cannot join the graph.
        if !value_requires_grad || !b.t.dtype().is_float() {
            return Ok(());
        }
        let mut v = b.var();
        v.meta_mut();
        b.meta = v.meta.clone();
        v
    };
    let mut me = slf.try_borrow_mut()?;
    let Some(f) = F::view_fn_from_layouts(&base_var.data, &me.t).py()? else { return Ok(()) };
    let mut v = me.var();
    v.meta_mut();
    v.set_view_base(&base_var, f);
    me.meta = v.meta;
    Ok(())
}

/// Wraps a freshly created tensor, honouring `requires_grad=`.
pub fn wrap_new(py: Python<'_>, t: Tensor, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let mut v = Var::new(t);
    if requires_grad {
        v.set_requires_grad(true).py()?;
    }
    wrap_var(py, v)
}
