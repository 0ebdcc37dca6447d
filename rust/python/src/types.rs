//! `rtensor.dtype` and `rtensor.device` objects.

use crate::call::guarded;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use rtensor_core::dtype::ALL_DTYPES;
use rtensor_core::DType;

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
    pub(crate) fn new(r#type: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<Self> {
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
        // NOTE [GPU is cuda]: wgpu's GPUs are spelled "cuda"; "wgpu" and "gpu" are aliases.
        let name = if name == "wgpu" || name == "gpu" { "cuda".to_string() } else { name };
        if !DEVICE_TYPES.contains(&name.as_str()) {
            return Err(PyRuntimeError::new_err(format!(
                "Expected one of cpu, cuda (alias wgpu, gpu), mps, meta device type at start of device string: {s}"
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
    pub(crate) fn __str__(&self) -> String {
        match self.index {
            Some(i) => format!("{}:{i}", self.r#type),
            None => self.r#type.clone(),
        }
    }
}
}

/// The `rtensor.device` of a core device (`cuda:N` for a wgpu adapter).
pub fn device_obj(py: Python<'_>, d: rtensor_core::Device) -> PyResult<Py<PyDevice>> {
    match d {
        rtensor_core::Device::Cpu => Ok(cpu_device(py)),
        rtensor_core::Device::Gpu(i) => Py::new(py, PyDevice { r#type: "cuda".into(), index: Some(i as i64) }),
    }
}

pub fn cpu_device(py: Python<'_>) -> Py<PyDevice> {
    static CPU: PyOnceLock<Py<PyDevice>> = PyOnceLock::new();
    CPU.get_or_init(py, || Py::new(py, PyDevice { r#type: "cpu".into(), index: None }).expect("device object"))
        .clone_ref(py)
}
