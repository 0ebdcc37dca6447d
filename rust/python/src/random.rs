//! Random creation (`rand`, `randn`, `randint`, `randperm`, `normal`) and
//! `torch.Generator`: streams from the core's xoshiro generators.

use crate::call::guarded;
use crate::call::IntoPyResult;
use crate::convert::{parse_device, parse_opt_dtype, parse_size, sized};
use crate::creation::place;
use crate::tensor::{wrap_new, PyTensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rtensor_core::dtype::{DEFAULT_FLOAT, DEFAULT_INT};
use rtensor_core::ops::random;
use rtensor_core::Tensor;
use std::sync::Mutex;

/// `torch.Generator`: an independent random stream, or (for
/// `rtensor.default_generator`) a handle on the global one.
#[pyclass(name = "Generator", module = "rtensor")]
pub struct PyGenerator {
    /// `None` for the default generator, which lives in the core.
    own: Option<Mutex<random::Generator>>,
}

impl PyGenerator {
    fn with<R>(&self, f: impl FnOnce(&mut random::Generator) -> R) -> R {
        match &self.own {
            Some(m) => f(&mut m.lock().unwrap_or_else(|e| e.into_inner())),
            None => random::with_gen(None, f),
        }
    }
}

guarded! {
#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        parse_device(device)?;
        Ok(PyGenerator { own: Some(Mutex::new(random::Generator::new(67280421310721))) })
    }
    #[staticmethod]
    fn _default() -> Self {
        PyGenerator { own: None }
    }
    fn manual_seed<'py>(slf: PyRef<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<PyRef<'py, Self>> {
        let seed = seed_of(seed)?;
        slf.with(|g| *g = random::Generator::new(seed));
        Ok(slf)
    }
    fn initial_seed(&self) -> u64 {
        self.with(|g| g.initial_seed())
    }
    fn seed(&self) -> u64 {
        let s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        self.with(|g| *g = random::Generator::new(s));
        s
    }
}
}

guarded! {
#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<()> {
    random::manual_seed(seed_of(seed)?);
    Ok(())
}
}

/// A seed as PyTorch reads one: `int(seed)`, then any value from `-2**63` to
/// `2**64 - 1` (negatives wrap), else `ValueError` (NOTE [Python ints]).
fn seed_of(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    let py = seed.py();
    let i = py.get_type::<pyo3::types::PyInt>().call1((seed,))?;
    if let Ok(v) = i.extract::<i64>() {
        return Ok(v as u64);
    }
    i.extract::<u64>().map_err(|_| pyo3::exceptions::PyValueError::new_err(crate::convert::LONG_OVERFLOW))
}

guarded! {
#[pyfunction]
pub fn initial_seed() -> u64 {
    random::default_generator().lock().unwrap_or_else(|e| e.into_inner()).initial_seed()
}
}

/// Runs a sampler with the user's generator or the default one.
fn sample(
    generator: Option<&Bound<'_, PyGenerator>>,
    f: impl FnOnce(Option<&mut random::Generator>) -> rtensor_core::Result<Tensor>,
) -> PyResult<Tensor> {
    match generator {
        Some(g) => g.borrow().with(|g| f(Some(g))).py(),
        None => f(None).py(),
    }
}

guarded! {
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn rand(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<&Bound<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    let (shape, dt, dev) = sized("rand", args, size, dtype, device)?;
    let dt = dt.unwrap_or(DEFAULT_FLOAT);
    wrap_new(py, place(py, dev, sample(generator, |g| random::rand(&shape, dt, g))?)?, requires_grad)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn randn(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<&Bound<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    let (shape, dt, dev) = sized("randn", args, size, dtype, device)?;
    let dt = dt.unwrap_or(DEFAULT_FLOAT);
    wrap_new(py, place(py, dev, sample(generator, |g| random::randn(&shape, dt, g))?)?, requires_grad)
}
}

guarded! {
/// `randint(high, size)` or `randint(low, high, size)`.
#[pyfunction]
#[pyo3(signature = (*args, generator=None, dtype=None, device=None, requires_grad=false, size=None))]
#[allow(clippy::too_many_arguments)]
pub fn randint(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    generator: Option<&Bound<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    size: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let dev = parse_device(device)?;
    let mut ints: Vec<i64> = Vec::new();
    let mut shape_ob = size.cloned();
    for a in args.iter() {
        if a.is_instance_of::<pyo3::types::PyFloat>() {
            let got: Vec<String> =
                args.iter().map(|x| x.get_type().name().map(|n| n.to_string()).unwrap_or_default()).collect();
            return Err(PyTypeError::new_err(format!(
                "randint() received an invalid combination of arguments - got ({}), but expected one of: \
                 (int high, tuple of ints size) or (int low, int high, tuple of ints size)",
                got.join(", ")
            )));
        }
        if let Some(i) = crate::convert::scalar_long(&a) {
            ints.push(i?);
        } else {
            shape_ob = Some(a);
        }
    }
    let (low, high) = match ints.as_slice() {
        [h] => (0, *h),
        [l, h] => (*l, *h),
        _ => return Err(PyTypeError::new_err("randint() expects (high, size) or (low, high, size)")),
    };
    let shape_ob = shape_ob.ok_or_else(|| PyTypeError::new_err("randint() missing required argument 'size'"))?;
    let shape = parse_size(&PyTuple::new(py, [shape_ob])?)?;
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_INT);
    wrap_new(py, place(py, dev, sample(generator, |g| random::randint(low, high, &shape, dt, g))?)?, requires_grad)
}
}

guarded! {
#[pyfunction]
#[pyo3(signature = (n, *, generator=None, dtype=None, device=None, requires_grad=false))]
pub fn randperm(
    py: Python<'_>,
    n: i64,
    generator: Option<&Bound<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    let dev = parse_device(device)?;
    if n < 0 {
        return Err(PyRuntimeError::new_err(format!("randperm(): n must be non-negative, got {n}")));
    }
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_INT);
    wrap_new(py, place(py, dev, sample(generator, |g| random::randperm(n as usize, dt, g))?)?, requires_grad)
}
}

guarded! {
/// `normal(mean, std, size)` with float mean/std (tensor forms are in Python).
#[pyfunction]
#[pyo3(signature = (mean, std, size, *, generator=None, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn normal(
    py: Python<'_>,
    mean: f64,
    std: f64,
    size: &Bound<'_, PyAny>,
    generator: Option<&Bound<'_, PyGenerator>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    let dev = parse_device(device)?;
    let shape = parse_size(&PyTuple::new(py, [size])?)?;
    let dt = parse_opt_dtype(dtype)?.unwrap_or(DEFAULT_FLOAT);
    wrap_new(py, place(py, dev, sample(generator, |g| random::normal(mean, std, &shape, dt, g))?)?, requires_grad)
}
}
