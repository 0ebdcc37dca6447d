//! `Tensor` attributes (shape, strides, dtype, flags, autograd state) and
//! conversions to Python values (`item`, `tolist`, `int(t)`...), plus the
//! legacy constructor `rtensor.Tensor(...)`.

use crate::call::guarded;
use crate::call::{run, IntoPyResult};
use crate::convert::{make_size, parse_dtype, scalar_to_py, scalars, to_nested};
use crate::tensor::{wrap, wrap_var, PyTensor};
use crate::types::{device_obj, dtype_obj, PyDType, PyDevice};
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::autograd::functions as F;
use rtensor_core::layout::wrap_dim;
use rtensor_core::{DType, Scalar, Tensor};

impl PyTensor {
    /// The value of a one-element tensor for `int(t)` / `float(t)` /
    /// `complex(t)`: PyTorch's `ValueError` for any other size.
    fn one_value(&self) -> PyResult<Scalar> {
        if self.t.numel() != 1 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "only one element tensors can be converted to Python scalars",
            ));
        }
        self.t.item().py()
    }
}

guarded! {
#[pymethods]
impl PyTensor {
    /// `rtensor.Tensor(data)` is PyTorch's legacy constructor: data (a list, an
    /// array) becomes a float32 tensor (the default dtype) whatever its values;
    /// a tensor keeps its dtype. With sizes it allocates float32 like
    /// `torch.Tensor(2, 3)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        if args.is_empty() {
            return Ok(PyTensor::new(Tensor::try_zeros("Tensor", DType::F32, &[0]).py()?));
        }
        let first = args.get_item(0)?;
        if args.len() == 1 && !first.is_instance_of::<pyo3::types::PyInt>() {
            // `Tensor(2.5)`: PyTorch wants a sequence or sizes here.
            if crate::convert::scalar(&first)?.is_some() {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "new(): data must be a sequence (got {})",
                    first.get_type().name()?
                )));
            }
            let dt = if first.cast::<PyTensor>().is_ok() { None } else { Some(DType::F32) };
            let t = crate::creation::tensor(py, &first, dt, None, false)?;
            return Ok(PyTensor::new(t.borrow(py).t.clone()));
        }
        let shape = crate::convert::parse_size(args)?;
        Ok(PyTensor::new(Tensor::try_zeros("Tensor", DType::F32, &shape).py()?))
    }

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t.shape())
    }

    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<crate::convert::Long>) -> PyResult<Bound<'py, PyAny>> {
        let dim = dim.map(|d| d.0);
        match dim {
            None => make_size(py, self.t.shape()),
            Some(d) => {
                if self.t.ndim() == 0 {
                    return Err(PyIndexError::new_err(format!(
                        "Dimension specified as {d} but tensor has no dimensions"
                    )));
                }
                let k = wrap_dim(d, self.t.ndim()).py()?;
                Ok(self.t.shape()[k].into_pyobject(py)?.into_any())
            }
        }
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<crate::convert::Long>) -> PyResult<Bound<'py, PyAny>> {
        let dim = dim.map(|d| d.0);
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any()),
            Some(d) => {
                if self.t.ndim() == 0 {
                    return Err(PyIndexError::new_err(format!(
                        "Dimension specified as {d} but tensor has no dimensions"
                    )));
                }
                let k = wrap_dim(d, self.t.ndim()).py()?;
                Ok(self.t.strides()[k].into_pyobject(py)?.into_any())
            }
        }
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }
    /// The tensor this one is a view of, or None (PyTorch's `_base`).
    #[getter]
    fn _base(&self, py: Python<'_>) -> Option<Py<PyTensor>> {
        self.base.as_ref().map(|b| b.clone_ref(py))
    }
    fn _is_view(&self) -> bool {
        self.base.is_some()
    }
    fn ndimension(&self) -> usize {
        self.t.ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }
    fn numel(&self) -> usize {
        self.t.numel()
    }
    fn nelement(&self) -> usize {
        self.t.numel()
    }
    fn __len__(&self) -> PyResult<usize> {
        match self.t.shape().first() {
            Some(&n) => Ok(n),
            None => Err(PyTypeError::new_err("len() of a 0-d tensor")),
        }
    }
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_obj(py, self.t.dtype())
    }
    #[getter]
    fn device(&self, py: Python<'_>) -> PyResult<Py<PyDevice>> {
        device_obj(py, self.t.device())
    }
    #[getter]
    fn is_cuda(&self) -> bool {
        self.t.device() != rtensor_core::Device::Cpu
    }
    #[getter]
    fn is_cpu(&self) -> bool {
        self.t.device() == rtensor_core::Device::Cpu
    }
    fn element_size(&self) -> usize {
        self.t.dtype().size()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.t.dtype().size()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        self.t.numel() * self.t.dtype().size()
    }
    fn storage_offset(&self) -> usize {
        self.t.offset()
    }
    fn data_ptr(&self) -> usize {
        self.t.data_ptr()
    }
    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }
    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_float()
    }
    fn is_complex(&self) -> bool {
        false
    }
    /// The version counter shared by all views (NOTE [Version counter]).
    #[getter]
    fn _version(&self) -> u64 {
        self.t.version()
    }
    /// Whether two tensors share one storage (used by tests and `untyped_storage`).
    fn _is_view_of(&self, other: PyRef<'_, PyTensor>) -> bool {
        self.t.same_storage(&other.t)
    }
    fn _storage_ptr(&self) -> usize {
        self.t.storage().as_ptr() as usize
    }
    fn _storage_nbytes(&self) -> usize {
        self.t.storage().nbytes()
    }

    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.requires_grad()
    }
    #[setter]
    fn set_requires_grad(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // PyTorch's setter takes only a bool (`x.requires_grad = 'yes'` raises).
        let Ok(value) = value.cast::<pyo3::types::PyBool>().map(|b| b.is_true()) else {
            return Err(PyRuntimeError::new_err("requires_grad must be a bool"));
        };
        let mut v = self.var();
        v.set_requires_grad(value).py()?;
        self.meta = v.meta;
        Ok(())
    }
    #[getter]
    fn is_leaf(&self) -> bool {
        self.var().is_leaf()
    }

    /// A new tensor sharing this one's storage, detached from autograd.
    fn detach(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.t.clone())
    }
    /// Detaches in place: the tensor becomes a leaf that does not require grad.
    fn detach_(slf: &Bound<'_, Self>) -> Py<PyTensor> {
        slf.borrow_mut().meta = None;
        slf.clone().unbind()
    }
    #[getter]
    fn get_data(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.t.clone())
    }
    #[setter]
    fn set_data(&mut self, other: PyRef<'_, PyTensor>) {
        self.t = other.t.clone();
    }

    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, self.t.item().py()?)
    }
    fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let vals = scalars(&self.t)?;
        to_nested(py, &vals, self.t.shape())
    }
    fn __bool__(&self) -> PyResult<bool> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(format!(
                "Boolean value of Tensor with more than one value is ambiguous (shape {:?}); use .any() or .all()",
                self.t.shape()
            )));
        }
        Ok(self.t.item().py()?.to_f64() != 0.0)
    }
    fn __float__(&self) -> PyResult<f64> {
        Ok(self.one_value()?.to_f64())
    }
    /// Python's own `int(float)` for float tensors: NaN is a ValueError,
    /// infinity an OverflowError, and 1e20 stays 100000000000000000000.
    fn __int__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.one_value()? {
            Scalar::Float(f) => pyo3::types::PyFloat::new(py, f).call_method0("__int__"),
            s => Ok(s.to_i64().into_pyobject(py)?.into_any()),
        }
    }
    fn __index__(&self) -> PyResult<i64> {
        if self.t.dtype().is_float() || self.t.numel() != 1 {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(self.t.item().py()?.to_i64())
    }
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn contiguous(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        let py = slf.py();
        if slf.borrow().t.is_contiguous() {
            return Ok(slf.clone().unbind());
        }
        let v = slf.borrow().var();
        wrap_var(py, run(py, v.data.numel(), || F::contiguous(&v))?)
    }

    fn clone(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let v = self.var();
        wrap_var(py, run(py, v.data.numel(), || F::clone(&v))?)
    }

    /// Casts to `dtype` (the same object when nothing changes).
    /// `.to(device)`: the same tensor when already there (unless `copy`),
    /// else a differentiable move (`ToCopyBackward0`).
    fn _to_device(slf: &Bound<'_, Self>, device: &Bound<'_, PyAny>, copy: bool) -> PyResult<Py<PyTensor>> {
        let py = slf.py();
        let d = crate::convert::parse_device(Some(device))?;
        let v = slf.borrow().var();
        if d == v.data.device() && !copy {
            return Ok(slf.clone().unbind());
        }
        wrap_var(py, run(py, v.data.numel(), || if d == v.data.device() { F::clone(&v) } else { F::to_device(&v, d) })?)
    }
    fn _to_dtype(slf: &Bound<'_, Self>, dtype: &Bound<'_, PyAny>, copy: bool) -> PyResult<Py<PyTensor>> {
        let py = slf.py();
        let dt = parse_dtype(dtype)?;
        let v = slf.borrow().var();
        if dt == v.data.dtype() && !copy {
            return Ok(slf.clone().unbind());
        }
        wrap_var(py, run(py, v.data.numel(), || if dt == v.data.dtype() { F::clone(&v) } else { F::to_dtype(&v, dt) })?)
    }
}
}
