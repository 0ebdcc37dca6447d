//! `rtensor.dtype` and `rtensor.device` objects.

use crate::call::guarded;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use rtensor_core::dtype::ALL_DTYPES;
use rtensor_core::{DType, Device};

#[pyclass(name = "dtype", module = "rtensor", frozen, eq, hash, skip_from_py_object)]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub struct PyDType {
    pub dt: DType,
}

guarded! {
#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("rtensor.{}", self.dt.name())
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dt.is_float()
    }
    #[getter]
    fn is_complex(&self) -> bool {
        false
    }
    #[getter]
    fn is_signed(&self) -> bool {
        !matches!(self.dt, DType::Bool | DType::U8)
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.dt.size()
    }
    /// Pickling support: dtypes are looked up by name on load.
    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py.import("rtensor")?.getattr("_dtype_from_name")?;
        Ok((f.unbind(), (self.dt.name().to_string(),)))
    }
}
}

/// The one `rtensor.float32` (etc.) object per dtype, so `t.dtype is rtensor.float32`.
pub fn dtype_obj(py: Python<'_>, dt: DType) -> Py<PyDType> {
    static OBJS: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();
    let objs = OBJS.get_or_init(py, || {
        ALL_DTYPES.iter().map(|&d| Py::new(py, PyDType { dt: d }).expect("dtype object")).collect()
    });
    objs[ALL_DTYPES.iter().position(|&d| d == dt).unwrap()].clone_ref(py)
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

#[pyclass(name = "device", module = "rtensor", frozen, eq, hash, skip_from_py_object)]
#[derive(PartialEq, Eq, Hash, Clone)]
pub struct PyDevice {
    #[pyo3(get)]
    pub r#type: String,
    #[pyo3(get)]
    pub index: Option<i64>,
}

const DEVICE_TYPES: [&str; 4] = ["cpu", "cuda", "mps", "meta"];

guarded! {
#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (r#type, index=None))]
    fn new(r#type: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<Self> {
        if let Ok(d) = r#type.cast::<PyDevice>() {
            return Ok(d.get().clone());
        }
        let negative = || PyRuntimeError::new_err("Device index must not be negative");
        if let Ok(i) = r#type.extract::<i64>() {
            if i < 0 {
                return Err(negative());
            }
            return Ok(PyDevice { r#type: "cuda".into(), index: Some(i) });
        }
        let s: String = r#type.extract()?;
        let (name, idx) = match s.split_once(':') {
            Some((n, i)) => {
                // PyTorch's grammar: the index is plain decimal digits.
                let invalid = || PyRuntimeError::new_err(format!("Invalid device string: '{s}'"));
                if i.is_empty() || !i.bytes().all(|b| b.is_ascii_digit()) || index.is_some() {
                    return Err(invalid());
                }
                (n.to_string(), Some(i.parse::<i64>().map_err(|_| invalid())?))
            }
            None => {
                if index.is_some_and(|i| i < 0) {
                    return Err(negative());
                }
                (s.clone(), index)
            }
        };
        if !DEVICE_TYPES.contains(&name.as_str()) {
            return Err(PyRuntimeError::new_err(format!(
                "Expected one of cpu, cuda, mps, meta device type at start of device string: {s}"
            )));
        }
        Ok(PyDevice { r#type: name, index: idx })
    }
    fn __repr__(&self) -> String {
        match self.index {
            Some(i) => format!("device(type='{}', index={i})", self.r#type),
            None => format!("device(type='{}')", self.r#type),
        }
    }
    fn __str__(&self) -> String {
        match self.index {
            Some(i) => format!("{}:{i}", self.r#type),
            None => self.r#type.clone(),
        }
    }
}
}

pub fn cpu_device(py: Python<'_>) -> Py<PyDevice> {
    static CPU: PyOnceLock<Py<PyDevice>> = PyOnceLock::new();
    CPU.get_or_init(py, || Py::new(py, PyDevice { r#type: "cpu".into(), index: None }).expect("device object"))
        .clone_ref(py)
}

/// Parses a `device=` argument. Only the CPU exists until the wgpu backend lands.
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
        _ => Err(PyRuntimeError::new_err(format!(
            "device '{}' is not available: this build of rtensor runs on the CPU only \
             (rtensor.cuda.is_available() is False; the wgpu GPU backend is a later release). \
             Use device='cpu' or guard the code with `if rtensor.cuda.is_available():`",
            d.__str__()?
        ))),
    }
}
