//! Nested Python data <-> tensors: `tensor(data)` walks lists, tuples and
//! sequences into a shape and values ([`collect`]); `tolist()` builds nested
//! lists back ([`to_nested`]).

use super::{scalar, scalar_to_py, LONG_OVERFLOW};
use crate::call::IntoPyResult;
use crate::tensor::PyTensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyTuple};
use rtensor_core::dtype::{Category, DEFAULT_FLOAT, DEFAULT_INT};
use rtensor_core::{ops, DType, Scalar, Tensor};

/// Values collected from nested Python data by [`collect`].
#[derive(Default)]
pub struct Collected {
    pub shape: Vec<usize>,
    pub values: Vec<Scalar>,
    pub category: Option<Category>,
    /// An int past `i64` was read (as a float): an error unless the result
    /// is a float or bool tensor (`tensor(2**100, dtype=float32)` is fine).
    pub big_int: bool,
}

/// PyTorch's limit on nesting in `tensor(data)`; it also bounds the recursion
/// below, so a self-containing list (`l.append(l)`) is an error, not a stack
/// overflow.
const MAX_DIMS: usize = 64;

fn type_name(ob: &Bound<'_, PyAny>) -> String {
    ob.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// Walks nested data into shape + values, as PyTorch's `tensor(data)` does:
/// lists and tuples, other sequences (the `__len__`/`__getitem__` protocol,
/// read item by item so a lying `__len__` reserves nothing and the error of
/// `__getitem__` comes through), numbers, and one-element tensors. The shape
/// is fixed by the first item at each depth; later items must agree
/// (`ValueError` for a length, `TypeError` for a number where a sequence is
/// expected or the reverse); anything else is PyTorch's `RuntimeError:
/// Could not infer dtype of T`.
pub fn collect(ob: &Bound<'_, PyAny>, depth: usize, acc: &mut Collected) -> PyResult<()> {
    if depth > MAX_DIMS {
        return Err(PyValueError::new_err(format!(
            "too many dimensions '{}' (tensor() accepts at most {MAX_DIMS} levels of nesting)",
            type_name(ob)
        )));
    }
    let number = if ob.is_instance_of::<PyInt>() && !ob.is_instance_of::<PyBool>() {
        match ob.extract::<i64>() {
            Ok(i) => Some((Scalar::Int(i), Category::Int)),
            Err(_) => {
                // Too big for i64: kept as a float of an int's category, an
                // error unless the result is a float tensor (NOTE [Python ints]).
                acc.big_int = true;
                Some((Scalar::Float(ob.extract::<f64>()?), Category::Int))
            }
        }
    } else {
        scalar(ob)?.map(|s| (s, s.category()))
    };
    if let Some((s, c)) = number {
        return leaf(acc, depth, s, c, ob);
    }
    if let Ok(t) = ob.cast::<PyTensor>() {
        let t = t.borrow().t.clone();
        if t.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        let s = rtensor_core::ops::shape::reshape(&t, &[]).and_then(|t| t.item()).py()?;
        return leaf(acc, depth, s, s.category(), ob);
    }
    // Lists and tuples (the common case) are walked without the generic sequence protocol.
    if let Ok(list) = ob.cast::<PyList>() {
        enter(acc, depth, list.len(), ob)?;
        for x in list.iter() {
            collect(&x, depth + 1, acc)?;
        }
        return Ok(());
    }
    if let Ok(tup) = ob.cast::<PyTuple>() {
        enter(acc, depth, tup.len(), ob)?;
        for x in tup.iter() {
            collect(&x, depth + 1, acc)?;
        }
        return Ok(());
    }
    if ob.is_instance_of::<pyo3::types::PyString>() {
        return Err(PyTypeError::new_err("new(): invalid data type 'str'"));
    }
    if ob.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err("new(): invalid data type 'bytes'"));
    }
    // PySequence_Check: any class with `__getitem__` that is not a dict.
    // SAFETY: `ob` is a live object; the call only reads its type's slots.
    if unsafe { pyo3::ffi::PySequence_Check(ob.as_ptr()) } == 0 {
        return Err(PyRuntimeError::new_err(format!("Could not infer dtype of {}", type_name(ob))));
    }
    let n = ob.len()?;
    let first = depth == acc.shape.len() && acc.values.is_empty();
    enter(acc, depth, n, ob)?;
    for i in 0..n {
        let x = match ob.get_item(i) {
            Ok(x) => x,
            // PyTorch learns the shape from item 0 and reports a failure there as such.
            Err(_) if i == 0 && first => {
                return Err(PyValueError::new_err(format!(
                    "could not determine the shape of object type '{}'",
                    type_name(ob)
                )))
            }
            Err(e) => return Err(e),
        };
        collect(&x, depth + 1, acc)?;
    }
    Ok(())
}

/// A number met at `depth`.
fn leaf(acc: &mut Collected, depth: usize, s: Scalar, c: Category, ob: &Bound<'_, PyAny>) -> PyResult<()> {
    if depth < acc.shape.len() {
        return Err(PyTypeError::new_err(format!(
            "tensor(): expected a sequence of length {} at dim {depth}, got {} (not a sequence)",
            acc.shape[depth],
            type_name(ob)
        )));
    }
    if depth > acc.shape.len() {
        // Cannot happen: `enter` records every depth above a leaf.
        return Err(PyRuntimeError::new_err("tensor(): inconsistent nesting"));
    }
    acc.category = Some(acc.category.map_or(c, |a| a.max(c)));
    acc.values.push(s);
    Ok(())
}

/// Records (or checks) the length of a sequence met at `depth`.
fn enter(acc: &mut Collected, depth: usize, n: usize, ob: &Bound<'_, PyAny>) -> PyResult<()> {
    if depth == acc.shape.len() {
        if !acc.values.is_empty() {
            return Err(PyTypeError::new_err(format!(
                "tensor(): expected a number at dim {depth}, got a sequence ('{}' object cannot be interpreted as a number)",
                type_name(ob)
            )));
        }
        acc.shape.push(n);
    } else {
        expect_len(acc, depth, n)?;
    }
    Ok(())
}

fn expect_len(acc: &Collected, depth: usize, n: usize) -> PyResult<()> {
    if acc.shape.get(depth) != Some(&n) {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {depth} (got {n})",
            acc.shape.get(depth).copied().unwrap_or(0)
        )));
    }
    Ok(())
}

/// The dtype `torch.tensor(data)` infers.
pub fn inferred_dtype(c: Option<Category>) -> DType {
    match c {
        Some(Category::Bool) => DType::Bool,
        Some(Category::Int) => DEFAULT_INT,
        _ => DEFAULT_FLOAT,
    }
}

/// Builds a tensor from collected values: of `dtype` when the user named one
/// (the values must then fit its range: PyTorch's "value cannot be converted
/// to type uint8 without overflow"), else of the dtype the values infer.
pub fn tensor_from_collected(c: &Collected, dtype: Option<DType>) -> PyResult<Tensor> {
    let explicit = dtype.is_some();
    let dtype = dtype.unwrap_or(inferred_dtype(c.category));
    if c.big_int && dtype.is_int() {
        return Err(PyValueError::new_err(LONG_OVERFLOW));
    }
    if explicit && dtype.is_int() {
        for s in &c.values {
            s.check_fits("tensor", dtype).py()?;
        }
    }
    rtensor_core::with_dtype!(dtype, T, {
        let v: Vec<T> = c.values.iter().map(|s| s.to_elem::<T>()).collect();
        Tensor::from_vec(v, &c.shape).py()
    })
}

pub fn to_nested<'py>(py: Python<'py>, vals: &[Scalar], shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    if shape.is_empty() {
        return Ok(scalar_to_py(py, vals[0])?.into_bound(py));
    }
    let n = shape[0];
    let step = if n == 0 { 0 } else { vals.len() / n };
    let items: Vec<Bound<'py, PyAny>> =
        (0..n).map(|i| to_nested(py, &vals[i * step..(i + 1) * step], &shape[1..])).collect::<PyResult<_>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

/// All values as scalars, row-major.
pub fn scalars(t: &Tensor) -> PyResult<Vec<Scalar>> {
    let dt = t.dtype();
    Ok(if dt == DType::Bool {
        ops::to_dtype(t, DType::Bool)
            .to_vec::<rtensor_core::dtype::Bool8>()
            .py()?
            .into_iter()
            .map(|b| Scalar::Bool(b.0 != 0))
            .collect()
    } else if dt.is_float() {
        ops::to_dtype(t, DType::F64).to_vec::<f64>().py()?.into_iter().map(Scalar::Float).collect()
    } else {
        ops::to_dtype(t, DType::I64).to_vec::<i64>().py()?.into_iter().map(Scalar::Int).collect()
    })
}
