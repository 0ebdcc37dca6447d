//! View ops as `Tensor` methods: each returns a new `Tensor` over the same
//! storage. Without autograd metadata they are plain layout changes; with it
//! they go through the differentiable versions in `autograd::functions`.

use crate::call::guarded;
use crate::call::IntoPyResult;
use crate::convert::{parse_ints, Long};
use crate::tensor::{link_view, new_view, wrap, wrap_var, PyTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::autograd::functions as F;
use rtensor_core::ops::shape as sh;
use rtensor_core::{Result, Tensor};
use std::sync::Arc;

/// Every view of `slf` in `parts` records it as its base (NOTE [Untracked views]).
fn link_views(slf: &Bound<'_, PyTensor>, me: &PyTensor, parts: Py<PyTuple>) -> PyResult<Py<PyTuple>> {
    for p in parts.bind(slf.py()).iter() {
        link_view(slf, me, p.cast_into::<PyTensor>()?.unbind())?;
    }
    Ok(parts)
}

impl PyTensor {
    /// A view op with the generic index-map backward.
    fn vop(
        &self,
        py: Python<'_>,
        name: &str,
        f: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
    ) -> PyResult<Py<PyTensor>> {
        if self.meta.is_none() {
            return wrap(py, f(&self.t).py()?);
        }
        wrap_var(py, F::index_map_op(&self.var(), name, Arc::new(f)).py()?)
    }

    /// A view whose backward reshapes the gradient back.
    fn shaped(&self, py: Python<'_>, name: &str, out: Tensor) -> PyResult<Py<PyTensor>> {
        if self.meta.is_none() {
            return wrap(py, out);
        }
        wrap_var(py, F::shaped(&self.var(), out, name).py()?)
    }

    fn parts(&self, py: Python<'_>, parts: Vec<Tensor>, dim: i64, squeeze: bool) -> PyResult<Py<PyTuple>> {
        if self.meta.is_none() {
            return Ok(crate::tensor::wrap_all(py, parts)?.unbind());
        }
        let d = rtensor_core::layout::wrap_dim(dim, self.t.ndim()).py()?;
        let mut spans = Vec::new();
        let mut start = 0i64;
        for p in &parts {
            let len = if squeeze { 1 } else { p.shape()[d] as i64 };
            spans.push((start, len));
            start += len;
        }
        let vs = F::split_views(&self.var(), spans, dim, squeeze).py()?;
        let objs: Vec<Py<PyTensor>> = vs.into_iter().map(|v| wrap_var(py, v)).collect::<PyResult<_>>()?;
        Ok(PyTuple::new(py, objs)?.unbind())
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
        let out = me.reshape_v(slf.py(), shape)?;
        link_view(slf, &me, out)
    }
    fn view_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.view_as_v(slf.py(), other)?;
        link_view(slf, &me, out)
    }
    fn reshape_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.reshape_as_v(slf.py(), other)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*dims))]
    fn permute(slf: &Bound<'_, Self>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.permute_v(slf.py(), dims)?;
        link_view(slf, &me, out)
    }
    fn transpose(slf: &Bound<'_, Self>, dim0: Long, dim1: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.transpose_v(slf.py(), dim0.0, dim1.0)?;
        link_view(slf, &me, out)
    }
    fn swapaxes(slf: &Bound<'_, Self>, dim0: Long, dim1: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.swapaxes_v(slf.py(), dim0.0, dim1.0)?;
        link_view(slf, &me, out)
    }
    fn t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.t_v(slf.py())?;
        link_view(slf, &me, out)
    }
    /// `x.T`: all dims reversed (PyTorch deprecates it for ndim != 2 but allows it).
    #[getter(T)]
    fn big_t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.big_t_v(slf.py())?;
        link_view(slf, &me, out)
    }
    #[getter(mT)]
    fn m_t(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.m_t_v(slf.py())?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*sizes))]
    fn expand(slf: &Bound<'_, Self>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.expand_v(slf.py(), sizes)?;
        link_view(slf, &me, out)
    }
    fn expand_as(slf: &Bound<'_, Self>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.expand_as_v(slf.py(), other)?;
        link_view(slf, &me, out)
    }
    fn broadcast_to(slf: &Bound<'_, Self>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.broadcast_to_v(slf.py(), shape)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (dim=None))]
    fn squeeze(slf: &Bound<'_, Self>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.squeeze_v(slf.py(), dim)?;
        link_view(slf, &me, out)
    }
    fn unsqueeze(slf: &Bound<'_, Self>, dim: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.unsqueeze_v(slf.py(), dim.0)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (start_dim=Long(0), end_dim=Long(-1)))]
    fn flatten(slf: &Bound<'_, Self>, start_dim: Long, end_dim: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.flatten_v(slf.py(), start_dim.0, end_dim.0)?;
        link_view(slf, &me, out)
    }
    fn ravel(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.ravel_v(slf.py())?;
        link_view(slf, &me, out)
    }
    fn unflatten(slf: &Bound<'_, Self>, dim: Long, sizes: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.unflatten_v(slf.py(), dim.0, sizes)?;
        link_view(slf, &me, out)
    }
    fn narrow(slf: &Bound<'_, Self>, dim: Long, start: Long, length: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.narrow_v(slf.py(), dim.0, start.0, length.0)?;
        link_view(slf, &me, out)
    }
    fn select(slf: &Bound<'_, Self>, dim: Long, index: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.select_v(slf.py(), dim.0, index.0)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (offset=Long(0), dim1=Long(0), dim2=Long(1)))]
    fn diagonal(slf: &Bound<'_, Self>, offset: Long, dim1: Long, dim2: Long) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.diagonal_v(slf.py(), offset.0, dim1.0, dim2.0)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (*dims))]
    fn flip(slf: &Bound<'_, Self>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if dims.is_empty() {
            return Err(pyo3::exceptions::PyTypeError::new_err("flip() missing 1 required positional arguments: \"dims\""));
        }
        let me = slf.borrow();
        let out = me.flip_v(slf.py(), dims)?;
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
        let out = me.as_strided_v(slf.py(), size, stride, storage_offset.map(|o| o.0))?;
        link_view(slf, &me, out)
    }
    fn movedim(slf: &Bound<'_, Self>, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let me = slf.borrow();
        let out = me.movedim_v(slf.py(), source, destination)?;
        link_view(slf, &me, out)
    }
    #[pyo3(signature = (dim=Long(0)))]
    fn unbind(slf: &Bound<'_, Self>, dim: Long) -> PyResult<Py<PyTuple>> {
        let me = slf.borrow();
        let parts = me.unbind_v(slf.py(), dim.0)?;
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
        let parts = me.chunk_v(slf.py(), chunks.0, dim.0)?;
        link_views(slf, &me, parts)
    }
}
}

impl PyTensor {
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
        let out = sh::view(&self.t, &sizes).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn reshape_v(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let s = parse_ints(shape)?;
        let t = &self.t;
        let out = crate::call::run(py, t.numel(), || sh::reshape(t, &s))?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn view_as_v(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        let out = sh::view(&self.t, &s).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn reshape_as_v(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        let out = sh::reshape(&self.t, &s).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn permute_v(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let d = parse_ints(dims)?;
        if self.meta.is_none() {
            return wrap(py, sh::permute(&self.t, &d).py()?);
        }
        wrap_var(py, F::permute(&self.var(), &d).py()?)
    }
    fn transpose_v(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        if self.meta.is_none() {
            return wrap(py, sh::transpose(&self.t, dim0, dim1).py()?);
        }
        wrap_var(py, F::transpose(&self.var(), dim0, dim1).py()?)
    }
    fn swapaxes_v(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        self.transpose_v(py, dim0, dim1)
    }
    fn t_v(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        sh::t(&self.t).py()?;
        if self.t.ndim() < 2 {
            return self.shaped(py, "TBackward0", self.t.clone());
        }
        self.transpose_v(py, 0, 1)
    }
    /// `x.T`: all dims reversed (PyTorch deprecates it for ndim != 2 but allows it).
    fn big_t_v(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let n = self.t.ndim() as i64;
        let dims: Vec<i64> = (0..n).rev().collect();
        if self.meta.is_none() {
            return wrap(py, sh::permute(&self.t, &dims).py()?);
        }
        wrap_var(py, F::permute(&self.var(), &dims).py()?)
    }
    fn m_t_v(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        if self.t.ndim() < 2 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                self.t.ndim()
            )));
        }
        self.transpose_v(py, -2, -1)
    }
    fn expand_v(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        self.expand_to(py, parse_ints(sizes)?)
    }
    fn expand_as_v(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        self.expand_to(py, other.t.shape().iter().map(|&d| d as i64).collect())
    }
    fn broadcast_to_v(&self, py: Python<'_>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
        self.expand_to(py, shape)
    }
    fn squeeze_v(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let out = match crate::convert::parse_dims(dim)? {
            None => sh::squeeze(&self.t),
            Some(ds) => sh::squeeze_dims(&self.t, &ds).py()?,
        };
        self.shaped(py, "SqueezeBackward0", out)
    }
    fn unsqueeze_v(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyTensor>> {
        let out = sh::unsqueeze(&self.t, dim).py()?;
        self.shaped(py, "UnsqueezeBackward0", out)
    }
    fn flatten_v(&self, py: Python<'_>, start_dim: i64, end_dim: i64) -> PyResult<Py<PyTensor>> {
        let out = sh::flatten(&self.t, start_dim, end_dim).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn ravel_v(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let out = sh::reshape(&self.t, &[-1]).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn unflatten_v(&self, py: Python<'_>, dim: i64, sizes: Vec<i64>) -> PyResult<Py<PyTensor>> {
        let out = sh::unflatten(&self.t, dim, &sizes).py()?;
        self.shaped(py, "ViewBackward0", out)
    }
    fn narrow_v(&self, py: Python<'_>, dim: i64, start: i64, length: i64) -> PyResult<Py<PyTensor>> {
        sh::narrow(&self.t, dim, start, length).py()?;
        self.vop(py, "SliceBackward0", move |t| sh::narrow(t, dim, start, length))
    }
    fn select_v(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyTensor>> {
        sh::select(&self.t, dim, index).py()?;
        self.vop(py, "SelectBackward0", move |t| sh::select(t, dim, index))
    }
    fn diagonal_v(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        sh::diagonal(&self.t, offset, dim1, dim2).py()?;
        self.vop(py, "DiagonalBackward0", move |t| sh::diagonal(t, offset, dim1, dim2))
    }
    fn flip_v(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let d = parse_ints(dims)?;
        if self.meta.is_none() {
            return wrap(py, sh::flip(&self.t, &d).py()?);
        }
        wrap_var(py, F::flip(&self.var(), &d).py()?)
    }
    fn as_strided_v(
        &self,
        py: Python<'_>,
        size: Vec<i64>,
        stride: Vec<i64>,
        storage_offset: Option<i64>,
    ) -> PyResult<Py<PyTensor>> {
        if self.meta.is_none() {
            return wrap(py, sh::as_strided(&self.t, &size, &stride, storage_offset).py()?);
        }
        wrap_var(py, F::as_strided(&self.var(), &size, &stride, storage_offset).py()?)
    }
    /// `movedim(source, destination)` with an int or a sequence of ints for
    /// each, as in PyTorch: the named dims go to their places, the others keep
    /// their order in the remaining places.
    fn movedim_v(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyTensor>> {
        let ints = |ob: &Bound<'_, PyAny>| -> PyResult<Vec<i64>> {
            if ob.is_instance_of::<pyo3::types::PyInt>() {
                return Ok(vec![crate::convert::long(ob)?]);
            }
            ob.try_iter()?.map(|x| crate::convert::long(&x?)).collect()
        };
        let (src, dst) = (ints(source)?, ints(destination)?);
        let n = self.t.ndim();
        let err = |m: String| pyo3::exceptions::PyRuntimeError::new_err(format!("movedim: {m}"));
        if src.len() != dst.len() {
            return Err(err(format!(
                "Invalid source or destination dims: source ({src:?} dims) should contain the same number of dims as destination ({dst:?} dims)"
            )));
        }
        let wrap_all = |v: &[i64], what: &str| -> PyResult<Vec<usize>> {
            let w: Vec<usize> =
                v.iter().map(|&d| rtensor_core::layout::wrap_dim(d, n).py()).collect::<PyResult<_>>()?;
            for (i, d) in w.iter().enumerate() {
                if w[..i].contains(d) {
                    return Err(err(format!("repeated dim in `{what}` ({v:?})")));
                }
            }
            Ok(w)
        };
        let (s, d) = (wrap_all(&src, "source")?, wrap_all(&dst, "destination")?);
        let mut order: Vec<Option<i64>> = vec![None; n];
        for (&si, &di) in s.iter().zip(&d) {
            order[di] = Some(si as i64);
        }
        let mut rest = (0..n).filter(|k| !s.contains(k));
        let order: Vec<i64> = order.into_iter().map(|o| o.unwrap_or_else(|| rest.next().unwrap_or(0) as i64)).collect();
        if self.meta.is_none() {
            return wrap(py, sh::permute(&self.t, &order).py()?);
        }
        wrap_var(py, F::permute(&self.var(), &order).py()?)
    }
    fn unbind_v(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyTuple>> {
        let parts = sh::unbind(&self.t, dim).py()?;
        self.parts(py, parts, dim, true)
    }
    fn split_v(&self, py: Python<'_>, split_size_or_sections: &Bound<'_, PyAny>, dim: i64) -> PyResult<Py<PyTuple>> {
        let parts = match crate::convert::scalar_long(split_size_or_sections) {
            Some(s) => sh::split(&self.t, &[s?], true, dim),
            None => sh::split(&self.t, &split_size_or_sections.extract::<Vec<i64>>()?, false, dim),
        };
        self.parts(py, parts.py()?, dim, false)
    }
    fn chunk_v(&self, py: Python<'_>, chunks: i64, dim: i64) -> PyResult<Py<PyTuple>> {
        let parts = sh::chunk(&self.t, chunks, dim).py()?;
        self.parts(py, parts, dim, false)
    }
}

impl PyTensor {
    fn expand_to(&self, py: Python<'_>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
        if self.meta.is_none() {
            return wrap(py, sh::expand(&self.t, &shape).py()?);
        }
        wrap_var(py, F::expand(&self.var(), &shape).py()?)
    }
}
