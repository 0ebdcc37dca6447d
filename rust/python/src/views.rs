//! View ops as `Tensor` methods: each returns a new `Tensor` over the same storage.

use crate::call::IntoPyResult;
use crate::convert::parse_ints;
use crate::tensor::{wrap, wrap_all, PyTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::ops::shape as sh;

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*shape))]
    fn view(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        if shape.len() == 1 {
            if let Ok(d) = shape.get_item(0)?.cast::<crate::types::PyDType>() {
                if d.get().dt != self.t.dtype() {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "view(dtype) reinterpreting bytes as another dtype is not supported by rtensor",
                    ));
                }
                return wrap(py, self.t.clone());
            }
        }
        wrap(py, sh::view(&self.t, &parse_ints(shape)?).py()?)
    }
    #[pyo3(signature = (*shape))]
    fn reshape(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let s = parse_ints(shape)?;
        let t = &self.t;
        wrap(py, crate::call::run(py, t.numel(), || sh::reshape(t, &s))?)
    }
    fn view_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, sh::view(&self.t, &s).py()?)
    }
    fn reshape_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, sh::reshape(&self.t, &s).py()?)
    }
    #[pyo3(signature = (*dims))]
    fn permute(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::permute(&self.t, &parse_ints(dims)?).py()?)
    }
    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::transpose(&self.t, dim0, dim1).py()?)
    }
    fn swapaxes(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        self.transpose(py, dim0, dim1)
    }
    fn t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::t(&self.t).py()?)
    }
    /// `x.T`: all dims reversed (PyTorch deprecates it for ndim != 2 but allows it).
    #[getter(T)]
    fn big_t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let n = self.t.ndim() as i64;
        let dims: Vec<i64> = (0..n).rev().collect();
        wrap(py, sh::permute(&self.t, &dims).py()?)
    }
    #[getter(mT)]
    fn m_t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        if self.t.ndim() < 2 {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                self.t.ndim()
            )));
        }
        wrap(py, sh::transpose(&self.t, -2, -1).py()?)
    }
    #[pyo3(signature = (*sizes))]
    fn expand(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::expand(&self.t, &parse_ints(sizes)?).py()?)
    }
    fn expand_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let s: Vec<i64> = other.t.shape().iter().map(|&d| d as i64).collect();
        wrap(py, sh::expand(&self.t, &s).py()?)
    }
    fn broadcast_to(&self, py: Python<'_>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::expand(&self.t, &shape).py()?)
    }
    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        match crate::convert::parse_dims(dim)? {
            None => wrap(py, sh::squeeze(&self.t)),
            Some(ds) => wrap(py, sh::squeeze_dims(&self.t, &ds).py()?),
        }
    }
    fn unsqueeze(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::unsqueeze(&self.t, dim).py()?)
    }
    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, py: Python<'_>, start_dim: i64, end_dim: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::flatten(&self.t, start_dim, end_dim).py()?)
    }
    fn ravel(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::reshape(&self.t, &[-1]).py()?)
    }
    fn unflatten(&self, py: Python<'_>, dim: i64, sizes: Vec<i64>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::unflatten(&self.t, dim, &sizes).py()?)
    }
    fn narrow(&self, py: Python<'_>, dim: i64, start: i64, length: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::narrow(&self.t, dim, start, length).py()?)
    }
    fn select(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::select(&self.t, dim, index).py()?)
    }
    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::diagonal(&self.t, offset, dim1, dim2).py()?)
    }
    #[pyo3(signature = (*dims))]
    fn flip(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::flip(&self.t, &parse_ints(dims)?).py()?)
    }
    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(
        &self,
        py: Python<'_>,
        size: Vec<i64>,
        stride: Vec<i64>,
        storage_offset: Option<i64>,
    ) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::as_strided(&self.t, &size, &stride, storage_offset).py()?)
    }
    fn movedim(&self, py: Python<'_>, source: i64, destination: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, sh::movedim(&self.t, source, destination).py()?)
    }
    #[pyo3(signature = (dim=0))]
    fn unbind<'py>(&self, py: Python<'py>, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        wrap_all(py, sh::unbind(&self.t, dim).py()?)
    }
    #[pyo3(signature = (split_size_or_sections, dim=0))]
    fn split<'py>(
        &self,
        py: Python<'py>,
        split_size_or_sections: &Bound<'_, PyAny>,
        dim: i64,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let parts = match split_size_or_sections.extract::<i64>() {
            Ok(s) => sh::split(&self.t, &[s], true, dim),
            Err(_) => sh::split(&self.t, &split_size_or_sections.extract::<Vec<i64>>()?, false, dim),
        };
        wrap_all(py, parts.py()?)
    }
    #[pyo3(signature = (chunks, dim=0))]
    fn chunk<'py>(&self, py: Python<'py>, chunks: i64, dim: i64) -> PyResult<Bound<'py, PyTuple>> {
        wrap_all(py, sh::chunk(&self.t, chunks, dim).py()?)
    }
}
