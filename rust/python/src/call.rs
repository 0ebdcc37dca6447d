//! The one way into the core: convert errors, catch panics, release the GIL
//! for big kernels.
//!
//! NOTE [GIL release]: detaching from the interpreter costs roughly a
//! microsecond, which would double the cost of `a + b` on a 3×3 tensor, so we
//! only detach when the op touches at least `DETACH_MIN` elements. Below it the
//! kernel is over before another thread could have used the GIL.

use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use rtensor_core::{Error, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const DETACH_MIN: usize = 1 << 16;

/// Maps a core error to the exception PyTorch raises in the same situation.
pub fn to_py(e: Error) -> PyErr {
    match e.kind {
        ErrorKind::Runtime => PyRuntimeError::new_err(e.msg),
        ErrorKind::Index => PyIndexError::new_err(e.msg),
        ErrorKind::Type => PyTypeError::new_err(e.msg),
        ErrorKind::Value => PyValueError::new_err(e.msg),
    }
}

pub trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for rtensor_core::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A caught panic as a Python exception: a core [`Error`] raised from code
/// without a `Result` (NOTE [Errors that unwind]) becomes the exception it
/// names; anything else is a bug of ours, reported as such.
pub fn panic_to_py(p: Box<dyn std::any::Any + Send>) -> PyErr {
    let p = match p.downcast::<Error>() {
        Ok(e) => return to_py(*e),
        Err(p) => p,
    };
    let what = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    PyRuntimeError::new_err(format!("rtensor internal error (please report it with the code that caused it): {what}"))
}

/// Runs `f` on the core: detached from the interpreter when `work` (elements
/// touched) is large, with panics turned into `RuntimeError`.
pub fn run<R: Send>(py: Python<'_>, work: usize, f: impl FnOnce() -> rtensor_core::Result<R> + Send) -> PyResult<R> {
    let guarded = move || catch_unwind(AssertUnwindSafe(f));
    let r = if work >= DETACH_MIN { py.detach(guarded) } else { guarded() };
    match r {
        Ok(r) => r.map_err(to_py),
        Err(p) => Err(panic_to_py(p)),
    }
}

/// Runs `f` with panics turned into Python exceptions, without the GIL
/// bookkeeping of [`run`]: for binding code that calls into the core outside
/// `run` (conversions, getters).
pub fn guard<R>(f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_to_py(p)))
}

/// Keeps the default panic message off stderr for core errors raised by
/// unwinding (NOTE [Errors that unwind]): they reach the user as exceptions.
/// Every other panic still prints, since it is a bug worth reporting.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<Error>().is_none() {
            default(info);
        }
    }));
}

/// Like [`run`] for work that never fails in the core.
pub fn run_ok<R: Send>(py: Python<'_>, work: usize, f: impl FnOnce() -> R + Send) -> PyResult<R> {
    run(py, work, move || Ok(f()))
}
