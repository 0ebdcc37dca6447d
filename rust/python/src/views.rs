//! View ops as `Tensor` methods: each returns a new `Tensor` over the same
//! storage, made by one core entry point (`autograd::functions`, its
//! `view_entry` module for the composite ones), which records the view when
//! autograd is involved. Here: argument conversion, and linking each view to
//! its base object (NOTE [Untracked views]).

use crate::call::guarded;
use crate::call::{run, IntoPyResult};
use crate::convert::{long, parse_dims, parse_ints, scalar_long, Long};
use crate::tensor::{link_view, new_view, wrap, wrap_var, PyTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::autograd::functions::{self as F, view_entry as VE};
use rtensor_core::autograd::Var;
use rtensor_core::ops::shape::{self as sh, Split};
use rtensor_core::Result;

/// Every view of `slf` in `parts` records it as its base (NOTE [Untracked views]).
fn link_views(slf: &Bound<'_, PyTensor>, me: &PyTensor, parts: Py<PyTuple>) -> PyResult<Py<PyTuple>> {
    for p in parts.bind(slf.py()).iter() {
        link_view(slf, me, p.cast_into::<PyTensor>()?.unbind())?;
    }
    Ok(parts)
}

/// A shape as the `i64` sizes `view`/`reshape`/`expand` take.
fn sizes_of(t: &PyTensor) -> Vec<i64> {
    t.t.shape().iter().map(|&d| d as i64).collect()
}

/// An int or a sequence of ints (`movedim`'s `source` and `destination`).
fn int_or_ints(ob: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if ob.is_instance_of::<pyo3::types::PyInt>() {
        return Ok(vec![long(ob)?]);
    }
    ob.try_iter()?.map(|x| long(&x?)).collect()
}

impl PyTensor {
    /// The view `f` (a core entry point) makes of this tensor, wrapped.
    fn via(&self, py: Python<'_>, f: impl FnOnce(&Var) -> Result<Var>) -> PyResult<Py<PyTensor>> {
        wrap_var(py, f(&self.var()).py()?)
    }

    /// The views `f` (`unbind`, `split`, `chunk`) makes of this tensor, wrapped.
    fn via_parts(&self, py: Python<'_>, f: impl FnOnce(&Var) -> Result<Vec<Var>>) -> PyResult<Py<PyTuple>> {
        let objs: Vec<Py<PyTensor>> =
            f(&self.var()).py()?.into_iter().map(|v| wrap_var(py, v)).collect::<PyResult<_>>()?;
        Ok(PyTuple::new(py, objs)?.unbind())
    }

    fn view_v(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        // Sizes first: `x.view(9)` is the hot case; `x.view(dtype)` is the rare one.
        let sizes = match parse_ints(shape) {
            Ok(s) => s,
            Err(e) => {
                let Ok(d) = shape.get_item(0)?.cast_into::<crate::types::PyDType>() else { return Err(e) };
                if d.get().dt != self.t.dtype() {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "view(dtype) reinterpreting bytes as another dtype is not supported by rtensor",
                    ));
                }
                return wrap(py, self.t.clone());
            }
        };
        self.via(py, |x| F::view(x, &sizes))
    }

    /// `reshape` may copy: a big copy runs without the GIL.
    fn reshape_to(&self, py: Python<'_>, sizes: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let x = self.var();
        wrap_var(py, run(py, x.data.numel(), || F::reshape(&x, &sizes))?)
    }

    fn split_v(&self, py: Python<'_>, split_size_or_sections: &Bound<'_, PyAny>, dim: i64) -> PyResult<Py<PyTuple>> {
        match scalar_long(split_size_or_sections) {
            Some(s) => {
                let s = s?;
                self.via_parts(py, |x| VE::split(x, Split::Size(s), dim))
            }
            None => {
                let sizes = split_size_or_sections.extract::<Vec<i64>>()?;
                self.via_parts(py, |x| VE::split(x, Split::Sizes(&sizes), dim))
            }
        }
    }
}

guarded! {
#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*shape))]
    fn view(slf: &Bound<'_, Self>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        // The hot path (sizes, no autograd) builds the view whole.
        if me.meta.is_none() {
            if let Ok(sizes) = parse_ints(shape) {
                return new_view(slf, &me, sh::view(&me.t, &sizes).py()?);
            }
        }
        let out = me.view_v(slf.py(), shape)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*shape))]
    fn reshape(slf: &Bound<'_, Self>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.reshape_to(slf.py(), parse_ints(shape)?)?;
        link_view(slf, &me, out)
    }
    fn view_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::view(x, &sizes_of(&other)))?;
        link_view(slf, &me, out)
    }
    fn reshape_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.reshape_to(slf.py(), sizes_of(&other))?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*dims))]
    fn permute(slf: &Bound<'_, Self>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = {
            let d = parse_ints(dims)?;
            me.via(slf.py(), |x| F::permute(x, &d))?
        };
        link_view(slf, &me, out)
    }
    fn transpose(slf: &Bound<'_, Self>, dim0: Long, dim1: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::transpose(x, dim0.0, dim1.0))?;
        link_view(slf, &me, out)
    }
    fn swapaxes(slf: &Bound<'_, Self>, dim0: Long, dim1: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::transpose(x, dim0.0, dim1.0))?;
        link_view(slf, &me, out)
    }
    fn t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), VE::t)?;
        link_view(slf, &me, out)
    }
    /// `x.T`: all dims reversed (PyTorch deprecates it for ndim != 2 but allows it).
    #[getter(T)]
    fn big_t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), VE::numpy_t)?;
        link_view(slf, &me, out)
    }
    #[getter(mT)]
    fn m_t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), VE::matrix_t)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*sizes))]
    fn expand(slf: &Bound<'_, Self>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = {
            let s = parse_ints(sizes)?;
            me.via(slf.py(), |x| F::expand(x, &s))?
        };
        link_view(slf, &me, out)
    }
    fn expand_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::expand(x, &sizes_of(&other)))?;
        link_view(slf, &me, out)
    }
    fn broadcast_to(slf: &Bound<'_, Self>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::expand(x, &shape))?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (dim=None))]
    fn squeeze(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = {
            let dims = parse_dims(dim)?;
            me.via(slf.py(), |x| VE::squeeze(x, dims.as_deref()))?
        };
        link_view(slf, &me, out)
    }
    fn unsqueeze(slf: &Bound<'_, Self>, dim: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::unsqueeze(x, dim.0))?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (start_dim=Long(0), end_dim=Long(-1)))]
    fn flatten(slf: &Bound<'_, Self>, start_dim: Long, end_dim: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| VE::flatten(x, start_dim.0, end_dim.0))?;
        link_view(slf, &me, out)
    }
    fn ravel(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), VE::ravel)?;
        link_view(slf, &me, out)
    }
    fn unflatten(slf: &Bound<'_, Self>, dim: Long, sizes: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| VE::unflatten(x, dim.0, &sizes))?;
        link_view(slf, &me, out)
    }
    fn narrow(slf: &Bound<'_, Self>, dim: Long, start: Long, length: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::narrow(x, dim.0, start.0, length.0))?;
        link_view(slf, &me, out)
    }
    fn select(slf: &Bound<'_, Self>, dim: Long, index: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| VE::select(x, dim.0, index.0))?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (offset=Long(0), dim1=Long(0), dim2=Long(1)))]
    fn diagonal(slf: &Bound<'_, Self>, offset: Long, dim1: Long, dim2: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| VE::diagonal(x, offset.0, dim1.0, dim2.0))?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*dims))]
    fn flip(slf: &Bound<'_, Self>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if dims.is_empty() {
            return Err(pyo3::exceptions::PyTypeError::new_err("flip() missing 1 required positional arguments: \"dims\""));
        }
        let me = slf.borrow();
        let out = {
            let d = parse_ints(dims)?;
            me.via(slf.py(), |x| F::flip(x, &d))?
        };
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(
        slf: &Bound<'_, Self>,
        size: Vec<i64>,
        stride: Vec<i64>,
        storage_offset: Option<Long>,
    ) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.via(slf.py(), |x| F::as_strided(x, &size, &stride, storage_offset.map(|o| o.0)))?;
        link_view(slf, &me, out)
    }
    fn movedim(slf: &Bound<'_, Self>, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = {
            let (src, dst) = (int_or_ints(source)?, int_or_ints(destination)?);
            me.via(slf.py(), |x| VE::movedim(x, &src, &dst))?
        };
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (dim=Long(0)))]
    fn unbind(slf: &Bound<'_, Self>, dim: Long) -> PyResult<Py<PyTuple>> {
        let me = slf.borrow();
        let parts = me.via_parts(slf.py(), |x| VE::unbind(x, dim.0))?;
        link_views(slf, &me, parts)
    }
    #[pyo3(signature = (split_size_or_sections, dim=Long(0)))]
    fn split(slf: &Bound<'_, Self>, split_size_or_sections: &Bound<'_, PyAny>, dim: Long) -> PyResult<Py<PyTuple>> {
        let me = slf.borrow();
        let parts = me.split_v(slf.py(), split_size_or_sections, dim.0)?;
        link_views(slf, &me, parts)
    }
    #[pyo3(signature = (chunks, dim=Long(0)))]
    fn chunk(slf: &Bound<'_, Self>, chunks: Long, dim: Long) -> PyResult<Py<PyTuple>> {
        let me = slf.borrow();
        let parts = me.via_parts(slf.py(), |x| VE::chunk(x, chunks.0, dim.0))?;
        link_views(slf, &me, parts)
    }
}
}
