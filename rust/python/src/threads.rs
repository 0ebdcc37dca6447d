//! `set_num_threads` / `get_num_threads`: the core's worker pool size.

use crate::call::guarded;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

guarded! {
#[pyfunction]
pub fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    if !n.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyRuntimeError::new_err(format!(
            "set_num_threads expects an int, but got {}",
            n.get_type().name()?
        )));
    }
    let n = crate::convert::long(n)?;
    if n < 1 {
        return Err(PyRuntimeError::new_err(format!("set_num_threads expects a positive integer, got {n}")));
    }
    rtensor_core::backend::cpu::threads::set_num_threads(n as usize);
    Ok(())
}
}

guarded! {
#[pyfunction]
pub fn get_num_threads() -> usize {
    rtensor_core::backend::cpu::threads::num_threads()
}
}
