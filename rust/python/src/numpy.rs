//! Zero-copy exchange with NumPy, both ways (NOTE [Storage sharing]).
//!
//! `t.numpy()` builds an ndarray over the tensor's storage whose `base` is a
//! `StorageOwner` holding an `Arc` of the storage: the memory lives until both
//! the tensor and the array are gone. `from_numpy(a)` does the reverse: the
//! storage's foreign owner holds a reference to `a`. Any strides work in both
//! directions, negative ones included (PyTorch refuses those on import).

use crate::call::guarded;
use crate::tensor::{wrap, PyTensor};
use numpy::npyffi::{self, npy_intp, NPY_ARRAY_WRITEABLE, NPY_TYPES, PY_ARRAY_API};
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use rtensor_core::{DType, Layout, Storage, Tensor};
use std::ptr::NonNull;
use std::sync::Arc;

/// The `base` of arrays returned by `Tensor.numpy()`: keeps the storage alive.
#[pyclass(module = "rtensor._C", frozen)]
pub struct StorageOwner {
    _storage: Arc<Storage>,
}

fn npy_type(dt: DType) -> Option<NPY_TYPES> {
    Some(match dt {
        DType::Bool => NPY_TYPES::NPY_BOOL,
        DType::U8 => NPY_TYPES::NPY_UBYTE,
        DType::I8 => NPY_TYPES::NPY_BYTE,
        DType::I16 => NPY_TYPES::NPY_SHORT,
        DType::I32 => NPY_TYPES::NPY_INT,
        DType::I64 => NPY_TYPES::NPY_LONGLONG,
        DType::F16 => NPY_TYPES::NPY_HALF,
        DType::F32 => NPY_TYPES::NPY_FLOAT,
        DType::F64 => NPY_TYPES::NPY_DOUBLE,
        DType::BF16 => return None,
    })
}

/// An ndarray sharing `t`'s memory.
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    if t.device() != rtensor_core::Device::Cpu {
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.device()
        )));
    }
    let dt = t.dtype();
    let Some(ty) = npy_type(dt) else {
        return Err(PyTypeError::new_err(
            "Got unsupported ScalarType BFloat16: NumPy has no bfloat16; use t.float().numpy()",
        ));
    };
    let item = dt.size() as isize;
    let mut dims: Vec<npy_intp> = t.shape().iter().map(|&d| d as npy_intp).collect();
    let mut strides: Vec<npy_intp> = t.strides().iter().map(|&s| (s * item) as npy_intp).collect();
    let owner = Py::new(py, StorageOwner { _storage: t.storage().clone() })?;
    let flags = if t.storage().is_writable() { NPY_ARRAY_WRITEABLE } else { 0 };
    // SAFETY: the data pointer is the view's first element inside a live storage;
    // shape and byte strides describe exactly the elements of the view, all of
    // which lie inside the storage (Layout invariant 3). The descriptor matches the
    // element type. `SetBaseObject` steals the reference to `owner`, which keeps the
    // storage (and so the pointer) alive for the life of the array; storage is
    // never reallocated.
    unsafe {
        let descr = PY_ARRAY_API.PyArray_DescrFromType(py, ty as _);
        // Wrapping: an empty view's offset may lie past the buffer (PyTorch keeps
        // a slice's start as its offset), and NumPy never reads through it.
        let data = t.storage().as_ptr().wrapping_add(t.offset() * dt.size());
        let arr = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type),
            descr,
            dims.len() as _,
            dims.as_mut_ptr(),
            strides.as_mut_ptr(),
            data as *mut _,
            flags,
            std::ptr::null_mut(),
        );
        if arr.is_null() {
            return Err(PyErr::fetch(py));
        }
        if PY_ARRAY_API.PyArray_SetBaseObject(py, arr as *mut npyffi::PyArrayObject, owner.into_ptr()) < 0 {
            pyo3::ffi::Py_DECREF(arr);
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, arr))
    }
}

fn dtype_of(kind: u8, size: usize) -> Option<DType> {
    Some(match (kind, size) {
        (b'b', 1) => DType::Bool,
        (b'u', 1) => DType::U8,
        (b'i', 1) => DType::I8,
        (b'i', 2) => DType::I16,
        (b'i', 4) => DType::I32,
        (b'i', 8) => DType::I64,
        (b'f', 2) => DType::F16,
        (b'f', 4) => DType::F32,
        (b'f', 8) => DType::F64,
        _ => return None,
    })
}

/// Keeps a NumPy array alive from inside the core (which knows no Python).
struct ArrayOwner(#[allow(dead_code)] Py<PyAny>);

/// A tensor sharing `a`'s memory, any strides.
pub fn from_numpy_array(a: &Bound<'_, PyUntypedArray>) -> PyResult<Tensor> {
    let descr = a.dtype();
    let (kind, size) = (descr.kind(), descr.itemsize());
    let Some(dt) = dtype_of(kind, size) else {
        return Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type {}. The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.",
            descr.str()?
        )));
    };
    if descr.is_native_byteorder() == Some(false) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "given numpy array has byte order different from the native byte order (dtype {}). Conversion between \
             byte orders is currently not supported; use a.astype(a.dtype.newbyteorder('=')) first",
            descr.str()?
        )));
    }
    let shape: Vec<usize> = a.shape().to_vec();
    let bstrides: Vec<isize> = a.strides().to_vec();
    let item = size as isize;
    // SAFETY: reading fields of a live ndarray object we hold a reference to.
    let (data, writable) = unsafe {
        let raw = &*a.as_array_ptr();
        (raw.data as *mut u8, raw.flags & NPY_ARRAY_WRITEABLE != 0)
    };
    if bstrides.iter().any(|s| s % item != 0) {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate \
             the memory.",
        ));
    }
    if (data as usize) % size != 0 {
        return Err(PyTypeError::new_err(
            "from_numpy: the array's data or strides are not aligned to its element size; pass a.copy()",
        ));
    }
    let empty = shape.contains(&0);
    let mut strides: Vec<isize> = bstrides.iter().map(|s| s / item).collect();
    // The storage spans the lowest to the highest element the array reaches,
    // computed wide: `as_strided` arrays may claim any strides.
    let (mut lo, mut hi) = (0i128, 0i128);
    if !empty {
        for (&d, &s) in shape.iter().zip(&strides) {
            let span = (d as i128 - 1) * s as i128;
            if span < 0 {
                lo += span
            } else {
                hi += span
            }
        }
    } else {
        strides = rtensor_core::layout::contiguous_strides(&shape).to_vec();
    }
    if (hi - lo + 1) * item as i128 > isize::MAX as i128 {
        return Err(PyRuntimeError::new_err(format!(
            "from_numpy: an array of shape {shape:?} and strides {bstrides:?} spans more memory than can exist"
        )));
    }
    let (lo, hi) = (lo as isize, hi as isize);
    let len = if !empty { (hi - lo + 1) as usize } else { 0 };
    let base = if !empty { data.wrapping_offset(lo * item) } else { data };
    let owner = Box::new(ArrayOwner(a.clone().into_any().unbind()));
    let base = NonNull::new(base).ok_or_else(|| PyRuntimeError::new_err("from_numpy: null data pointer"))?;
    // SAFETY: `base` is the lowest element the array reaches and `len` elements
    // from it cover every element it reaches; the array keeps that memory alive
    // and `owner` keeps the array alive until the storage drops. Alignment and
    // element size were checked above.
    let storage = Arc::new(unsafe { Storage::from_foreign(base, len, dt, writable, owner) });
    let layout = Layout::new("from_numpy", &shape, &strides, (-lo) as usize).map_err(crate::call::to_py)?;
    Tensor::from_storage(storage, layout).map_err(crate::call::to_py)
}

guarded! {
#[pyfunction]
pub fn from_numpy(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let arr = a.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected np.ndarray (got {})",
            a.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    wrap(py, from_numpy_array(arr)?)
}
}

guarded! {
#[pymethods]
impl PyTensor {
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(&self, py: Python<'py>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        if self.requires_grad() && rtensor_core::autograd::is_grad_enabled() && !force {
            return Err(PyRuntimeError::new_err(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
            ));
        }
        to_numpy(py, &self.t)
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if self.requires_grad() && rtensor_core::autograd::is_grad_enabled() {
            return Err(PyRuntimeError::new_err(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
            ));
        }
        let t = if self.t.dtype() == DType::BF16 {
            rtensor_core::ops::to_dtype(&self.t, DType::F32)
        } else {
            self.t.clone()
        };
        let mut arr = to_numpy(py, &t)?;
        if copy == Some(true) {
            arr = arr.call_method0("copy")?;
        }
        match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,)),
            _ => Ok(arr),
        }
    }
}
}
