//! The GPU runtime's queries for `rtensor.cuda` / `rtensor.wgpu` (pure
//! Python modules built on these): adapters, device count, synchronisation,
//! memory counters and the dtype table. Device indices are checked here so
//! the core sees only indices that exist.

use crate::call::{guarded, to_py};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rtensor_core::dtype::ALL_DTYPES;
use rtensor_core::gpu;

/// `index` as a device index that exists; otherwise the runtime's error,
/// which says what is visible and how to get an adapter.
fn device_index(index: i64) -> PyResult<usize> {
    if index < 0 {
        return Err(PyRuntimeError::new_err(format!("Invalid device index {index}: must not be negative")));
    }
    gpu::context(index as usize).map_err(to_py)?;
    Ok(index as usize)
}

guarded! {
#[pyfunction]
pub fn _gpu_device_count() -> usize {
    gpu::device_count()
}
}

guarded! {
#[pyfunction]
pub fn _gpu_adapters(py: Python<'_>) -> PyResult<Vec<Py<PyDict>>> {
    gpu::adapters()
        .into_iter()
        .map(|a| {
            let d = PyDict::new(py);
            d.set_item("name", &a.name)?;
            d.set_item("backend", &a.backend)?;
            d.set_item("device_type", &a.device_type)?;
            d.set_item("driver", &a.driver)?;
            d.set_item("driver_info", &a.driver_info)?;
            d.set_item("vendor", a.vendor)?;
            d.set_item("device", a.device)?;
            d.set_item("is_software", a.is_software)?;
            let l = PyDict::new(py);
            l.set_item("max_buffer_size", a.limits.max_buffer_size)?;
            l.set_item("max_storage_buffer_binding_size", a.limits.max_storage_buffer_binding_size)?;
            l.set_item("max_compute_workgroups_per_dimension", a.limits.max_compute_workgroups_per_dimension)?;
            l.set_item("max_compute_invocations_per_workgroup", a.limits.max_compute_invocations_per_workgroup)?;
            l.set_item("max_compute_workgroup_storage_size", a.limits.max_compute_workgroup_storage_size)?;
            d.set_item("limits", l)?;
            let f = a.features;
            d.set_item("shader_f16", f.contains(wgpu::Features::SHADER_F16))?;
            d.set_item("shader_f64", f.contains(wgpu::Features::SHADER_F64))?;
            d.set_item("shader_int64", f.contains(wgpu::Features::SHADER_INT64))?;
            Ok(d.unbind())
        })
        .collect()
}
}

guarded! {
#[pyfunction]
pub fn _gpu_synchronize(py: Python<'_>, index: i64) -> PyResult<()> {
    let i = device_index(index)?;
    py.detach(|| gpu::synchronize(i)).map_err(to_py)
}
}

guarded! {
#[pyfunction]
pub fn _gpu_memory_stats(index: i64) -> PyResult<(u64, u64, u64)> {
    let s = gpu::memory_stats(device_index(index)?).map_err(to_py)?;
    Ok((s.allocated, s.max_allocated, s.cached))
}
}

guarded! {
#[pyfunction]
pub fn _gpu_reset_peak(index: i64) -> PyResult<()> {
    gpu::reset_peak(device_index(index)?).map_err(to_py)
}
}

guarded! {
#[pyfunction]
pub fn _gpu_empty_cache(index: i64) -> PyResult<()> {
    gpu::empty_cache(device_index(index)?).map_err(to_py)
}
}

guarded! {
/// `{dtype name: "native" | "widened" | "unavailable: <why>"}` for one device.
#[pyfunction]
pub fn _gpu_dtypes(py: Python<'_>, index: i64) -> PyResult<Py<PyDict>> {
    let i = device_index(index)?;
    let d = PyDict::new(py);
    for &dt in ALL_DTYPES.iter() {
        let s = match gpu::dtype_support(i, dt).map_err(to_py)? {
            gpu::DTypeSupport::Native => "native".to_string(),
            gpu::DTypeSupport::Widened => "widened".to_string(),
            gpu::DTypeSupport::Unavailable(why) => format!("unavailable: {why}"),
        };
        d.set_item(dt.name(), s)?;
    }
    Ok(d.unbind())
}
}

guarded! {
/// Why `cuda:0` cannot be used (None when it can): the skip line of the GPU tests.
#[pyfunction]
pub fn _gpu_unavailable_reason() -> Option<String> {
    gpu::context(0).err().map(|e| e.to_string())
}
}
