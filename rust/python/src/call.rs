//! The one way into the core: convert errors, catch panics, release the GIL
//! for big kernels (from `DETACH_MIN` elements: see NOTE [GIL release] in
//! docs/design.md).

use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use rtensor_core::{Error, ErrorKind};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const DETACH_MIN: usize = 1 << 16;

/// The stash of Python exceptions raised through the core, at most
/// `STASH_MAX` (see NOTE [Python errors through the core] in docs/design.md).
static STASH: std::sync::Mutex<Vec<(u64, PyErr)>> = std::sync::Mutex::new(Vec::new());
static STASH_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const STASH_MAX: usize = 64;
const STASH_TAG: &str = " [python exception #";

/// A Python exception as a core error that [`to_py`] turns back into it.
pub fn stash(what: &str, e: PyErr) -> Error {
    let id = STASH_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let msg = format!("{what}: {e}{STASH_TAG}{id}]");
    let mut s = STASH.lock().unwrap_or_else(|p| p.into_inner());
    if s.len() >= STASH_MAX {
        s.remove(0);
    }
    s.push((id, e));
    Error::runtime(msg)
}

fn unstash(msg: &str) -> Option<PyErr> {
    let at = msg.rfind(STASH_TAG)?;
    let id: u64 = msg[at + STASH_TAG.len()..].strip_suffix(']')?.parse().ok()?;
    let mut s = STASH.lock().unwrap_or_else(|p| p.into_inner());
    let k = s.iter().position(|(i, _)| *i == id)?;
    Some(s.remove(k).1)
}

/// Maps a core error to the exception PyTorch raises in the same situation.
pub fn to_py(e: Error) -> PyErr {
    if e.msg.contains(STASH_TAG) {
        if let Some(err) = unstash(&e.msg) {
            return err;
        }
    }
    match e.kind {
        ErrorKind::Runtime => PyRuntimeError::new_err(e.msg),
        ErrorKind::Index => PyIndexError::new_err(e.msg),
        ErrorKind::Type => PyTypeError::new_err(e.msg),
        ErrorKind::Value => PyValueError::new_err(e.msg),
        ErrorKind::NotImplemented => pyo3::exceptions::PyNotImplementedError::new_err(e.msg),
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
/// bookkeeping of [`run`]. Every entry point gets it through [`guarded!`];
/// there is no need to call it by hand.
#[inline(always)]
pub fn guard<R>(f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_to_py(p)))
}

/// NOTE [Guarded entry points]: no Rust panic may reach Python. PyO3 turns a
/// panic that escapes a `#[pyfunction]` or a `#[pymethods]` method into
/// `pyo3_runtime.PanicException`, a `BaseException` that `except Exception`
/// misses, and the core raises some of its errors by unwinding (NOTE [Errors
/// that unwind]): `Tensor::zeros`, `ops::clone`, `ops::to_dtype`, kernels'
/// scratch buffers. So every entry point of the binding is written inside
/// `guarded!`, which wraps each function body in [`guard`]:
///
/// ```ignore
/// guarded! {
///     #[pymethods]
///     impl PyTensor {
///         fn clone(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> { ... }
///         fn ndim(&self) -> usize { ... }          // becomes -> PyResult<usize>
///     }
/// }
/// guarded! {
///     #[pyfunction]
///     pub fn zeros(...) -> PyResult<Py<PyTensor>> { ... }
///     #[pyfunction]
///     pub fn manual_seed(seed: i64) { ... }        // becomes -> PyResult<()>
/// }
/// ```
///
/// A body returning `PyResult<T>` keeps its signature; a body returning a
/// plain `T` (or nothing) is given `PyResult<T>`, so that a panic has
/// somewhere to go. `return` and `?` inside a body behave as before (the body
/// becomes a closure of the same return type). On the non-panicking path
/// `catch_unwind` costs nothing measurable and allocates nothing, so hot
/// paths (`a + b`, `x[0, :]`, `shape`) are guarded too. `call::run` guards
/// what it runs as well, so code inside it is covered twice, harmlessly.
///
/// `tests/test_binding_guard.py` checks the sources: every `#[pyfunction]`
/// and every `#[pymethods]` block must be inside a `guarded!`. A function
/// `guarded!` cannot parse (generic type parameters, `where` clauses) is a
/// compile error, not a silent pass.
macro_rules! guarded {
    // An impl block: all of its methods are guarded, then the block's
    // attributes (`#[pymethods]`) see the guarded methods.
    ($(#[$m:meta])* impl $t:ident { $($body:tt)* }) => {
        $crate::call::guarded!(@munch impl [$(#[$m])* impl $t] [] $($body)*);
    };
    (@munch impl [$($head:tt)*] [$($acc:tt)*]) => {
        $($head)* { $($acc)* }
    };
    (@munch free [] [$($acc:tt)*]) => {
        $($acc)*
    };
    // One function at a time; the return type decides the wrapping.
    (@munch $mode:tt $head:tt [$($acc:tt)*]
        $(#[$fm:meta])* $v:vis fn $name:ident $(<$($lt:lifetime),+>)? ($($args:tt)*) -> PyResult<$r:ty> $b:block
        $($rest:tt)*) => {
        $crate::call::guarded!(@munch $mode $head [$($acc)*
            $(#[$fm])* $v fn $name $(<$($lt),+>)? ($($args)*) -> PyResult<$r> {
                $crate::call::guard(move || $b)
            }
        ] $($rest)*);
    };
    (@munch $mode:tt $head:tt [$($acc:tt)*]
        $(#[$fm:meta])* $v:vis fn $name:ident $(<$($lt:lifetime),+>)? ($($args:tt)*) -> $r:ty $b:block
        $($rest:tt)*) => {
        $crate::call::guarded!(@munch $mode $head [$($acc)*
            $(#[$fm])* $v fn $name $(<$($lt),+>)? ($($args)*) -> PyResult<$r> {
                $crate::call::guard(move || {
                    #[allow(unused_mut)]
                    let mut body = move || $b;
                    let r: $r = body();
                    Ok(r)
                })
            }
        ] $($rest)*);
    };
    (@munch $mode:tt $head:tt [$($acc:tt)*]
        $(#[$fm:meta])* $v:vis fn $name:ident $(<$($lt:lifetime),+>)? ($($args:tt)*) $b:block
        $($rest:tt)*) => {
        $crate::call::guarded!(@munch $mode $head [$($acc)*
            $(#[$fm])* $v fn $name $(<$($lt),+>)? ($($args)*) -> PyResult<()> {
                $crate::call::guard(move || {
                    #[allow(unused_mut)]
                    let mut body = move || $b;
                    body();
                    Ok(())
                })
            }
        ] $($rest)*);
    };
    // Free functions (`#[pyfunction]`s), any number of them.
    ($($items:tt)*) => {
        $crate::call::guarded!(@munch free [] [] $($items)*);
    };
}
pub(crate) use guarded;

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
