//! Arithmetic: the number protocol, comparisons, and the generic elementwise
//! entry points the Python layer builds `torch.add(..., out=)`, `x.exp_()` etc. on.

use crate::call::run;
use crate::convert::{arg, arg_or_err, OwnedArg};
use crate::tensor::{wrap, PyTensor};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rtensor_core::ops::{self, Arg, BinaryOp, UnaryOp};
use rtensor_core::Tensor;

fn binary_op(py: Python<'_>, op: BinaryOp, a: &OwnedArg, b: &OwnedArg, out: Option<&Tensor>) -> PyResult<Tensor> {
    let work = a.numel().max(b.numel());
    run(py, work, || ops::binary::binary(op, a.as_arg(), b.as_arg(), out))
}

/// `self <op> other`, or NotImplemented for operands we do not know.
fn forward(slf: &PyTensor, other: &Bound<'_, PyAny>, op: BinaryOp, reflected: bool) -> PyResult<Py<PyAny>> {
    let py = other.py();
    // Hot path (`a + b`): borrow both tensors, no handle clones.
    if let Ok(o) = other.cast::<PyTensor>() {
        let o = o.borrow();
        let (x, y) = if reflected { (&o.t, &slf.t) } else { (&slf.t, &o.t) };
        let r = run(py, x.numel().max(y.numel()), || ops::binary::binary(op, Arg::T(x), Arg::T(y), None))?;
        return Ok(wrap(py, r)?.into_any());
    }
    let Some(o) = arg(other) else { return Ok(py.NotImplemented()) };
    let me = OwnedArg::T(slf.t.clone());
    let r = if reflected { binary_op(py, op, &o, &me, None)? } else { binary_op(py, op, &me, &o, None)? };
    Ok(wrap(py, r)?.into_any())
}

/// `self <op>= other`: written into self's storage; the same object comes back.
fn inplace(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<()> {
    let py = slf.py();
    let o = arg_or_err(op.name(), other)?;
    let t = slf.borrow().t.clone();
    binary_op(py, op, &OwnedArg::T(t.clone()), &o, Some(&t))?;
    Ok(())
}

fn parse_binary(name: &str) -> PyResult<BinaryOp> {
    BinaryOp::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown binary op '{name}'")))
}

fn parse_unary(name: &str) -> PyResult<UnaryOp> {
    UnaryOp::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown unary op '{name}'")))
}

fn out_tensor(out: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Tensor>> {
    match out {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => crate::convert::tensor_arg("out", "out", o).map(Some),
    }
}

/// Writes `r` into `out`'s object when `out` had to be resized (PyTorch resizes
/// an empty `out=` tensor to the result's shape).
fn resize_into(out_ob: &Bound<'_, PyAny>, r: Tensor) -> PyResult<Py<PyAny>> {
    out_ob.cast::<PyTensor>()?.borrow_mut().t = r;
    Ok(out_ob.clone().unbind())
}

/// `torch.<op>(a, b, out=None)` for every binary op.
#[pyfunction]
#[pyo3(signature = (name, a, b, out=None))]
pub fn binary(
    py: Python<'_>,
    name: &str,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let op = parse_binary(name)?;
    let (x, y) = (arg_or_err(name, a)?, arg_or_err(name, b)?);
    if let (OwnedArg::S(_), OwnedArg::S(_)) = (&x, &y) {
        return Err(PyTypeError::new_err(format!("{name}(): at least one argument must be a Tensor")));
    }
    match out_tensor(out)? {
        None => Ok(wrap(py, binary_op(py, op, &x, &y, None)?)?.into_any()),
        Some(o) if o.numel() == 0 && o.ndim() <= 1 => {
            let r = binary_op(py, op, &x, &y, None)?;
            resize_into(out.unwrap(), ops::to_dtype(&r, o.dtype()))
        }
        Some(o) => {
            binary_op(py, op, &x, &y, Some(&o))?;
            Ok(out.unwrap().clone().unbind())
        }
    }
}

/// `a.<op>_(b)`: in place, returns `a`.
#[pyfunction]
pub fn binary_(py: Python<'_>, name: &str, a: &Bound<'_, PyTensor>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let _ = py;
    inplace(a, b, parse_binary(name)?)?;
    Ok(a.clone().unbind())
}

/// `torch.<op>(a, out=None)` for every unary op.
#[pyfunction]
#[pyo3(signature = (name, a, out=None))]
pub fn unary(py: Python<'_>, name: &str, a: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let op = parse_unary(name)?;
    let t = crate::convert::tensor_arg(name, "input", a)?;
    let o = out_tensor(out)?;
    let r = run(py, t.numel(), || ops::unary::unary(op, &t, o.as_ref()))?;
    match out {
        Some(ob) if !ob.is_none() => Ok(ob.clone().unbind()),
        _ => Ok(wrap(py, r)?.into_any()),
    }
}

/// `a.<op>_()`: in place, returns `a`.
#[pyfunction]
pub fn unary_(py: Python<'_>, name: &str, a: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    let op = parse_unary(name)?;
    let t = a.borrow().t.clone();
    run(py, t.numel(), || ops::unary::unary(op, &t, Some(&t)))?;
    Ok(a.clone().unbind())
}

fn opt_arg(name: &str, ob: Option<&Bound<'_, PyAny>>) -> PyResult<Option<OwnedArg>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => arg_or_err(name, o).map(Some),
    }
}

/// `torch.clamp(a, min, max, out=None)`; `inplace` writes into `a`.
#[pyfunction]
#[pyo3(signature = (a, min=None, max=None, out=None, inplace=false))]
pub fn clamp(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
    inplace: bool,
) -> PyResult<Py<PyAny>> {
    let t = crate::convert::tensor_arg("clamp", "input", a)?;
    let (lo, hi) = (opt_arg("clamp", min)?, opt_arg("clamp", max)?);
    let o = if inplace { Some(t.clone()) } else { out_tensor(out)? };
    let r = run(py, t.numel(), || {
        ops::unary::clamp(&t, lo.as_ref().map(|x| x.as_arg()), hi.as_ref().map(|x| x.as_arg()), o.as_ref())
    })?;
    if inplace {
        return Ok(a.clone().unbind());
    }
    match out {
        Some(ob) if !ob.is_none() => Ok(ob.clone().unbind()),
        _ => Ok(wrap(py, r)?.into_any()),
    }
}

#[pyfunction]
#[pyo3(name = "where")]
pub fn where_(
    py: Python<'_>,
    cond: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
) -> PyResult<Py<PyTensor>> {
    let c = crate::convert::tensor_arg("where", "condition", cond)?;
    let (a, b) = (arg_or_err("where", x)?, arg_or_err("where", y)?);
    wrap(py, run(py, c.numel(), || ops::binary::where_(&c, a.as_arg(), b.as_arg()))?)
}

#[pyfunction]
#[pyo3(signature = (start, end, weight, out=None))]
pub fn lerp(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let s = crate::convert::tensor_arg("lerp", "input", start)?;
    let e = crate::convert::tensor_arg("lerp", "end", end)?;
    let w = arg_or_err("lerp", weight)?;
    let o = out_tensor(out)?;
    let r = run(py, s.numel(), || ops::binary::lerp(&s, &e, w.as_arg(), o.as_ref()))?;
    match out {
        Some(ob) if !ob.is_none() => Ok(ob.clone().unbind()),
        _ => Ok(wrap(py, r)?.into_any()),
    }
}

#[pymethods]
impl PyTensor {
    fn __add__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Add, false)
    }
    fn __radd__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Add, true)
    }
    fn __sub__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Sub, false)
    }
    fn __rsub__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Sub, true)
    }
    fn __mul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Mul, false)
    }
    fn __rmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Mul, true)
    }
    fn __truediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Div, false)
    }
    fn __rtruediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Div, true)
    }
    fn __floordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::FloorDiv, false)
    }
    fn __rfloordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::FloorDiv, true)
    }
    fn __mod__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Rem, false)
    }
    fn __rmod__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Rem, true)
    }
    fn __pow__(&self, o: &Bound<'_, PyAny>, _m: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Pow, false)
    }
    fn __rpow__(&self, o: &Bound<'_, PyAny>, _m: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Pow, true)
    }
    fn __and__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitAnd, false)
    }
    fn __rand__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitAnd, true)
    }
    fn __or__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitOr, false)
    }
    fn __ror__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitOr, true)
    }
    fn __xor__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitXor, false)
    }
    fn __rxor__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitXor, true)
    }
    fn __matmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = o.py();
        let Ok(other) = o.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (self.t.clone(), other.borrow().t.clone());
        Ok(wrap(py, run(py, a.numel() + b.numel(), || ops::matmul::matmul(&a, &b))?)?.into_any())
    }
    fn __rmatmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = o.py();
        let Ok(other) = o.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (other.borrow().t.clone(), self.t.clone());
        Ok(wrap(py, run(py, a.numel() + b.numel(), || ops::matmul::matmul(&a, &b))?)?.into_any())
    }

    fn __iadd__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Add)
    }
    fn __isub__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Sub)
    }
    fn __imul__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Mul)
    }
    fn __itruediv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Div)
    }
    fn __ifloordiv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::FloorDiv)
    }
    fn __imod__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Rem)
    }
    fn __ipow__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>, _m: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::Pow)
    }
    fn __iand__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::BitAnd)
    }
    fn __ior__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::BitOr)
    }
    fn __ixor__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, o, BinaryOp::BitXor)
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.t.clone();
        wrap(py, run(py, t.numel(), || ops::unary::unary(UnaryOp::Neg, &t, None))?)
    }
    fn __pos__(slf: &Bound<'_, Self>) -> Py<PyTensor> {
        slf.clone().unbind()
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.t.clone();
        wrap(py, run(py, t.numel(), || ops::unary::unary(UnaryOp::Abs, &t, None))?)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.t.clone();
        if t.dtype().is_float() {
            return Err(PyTypeError::new_err(format!(
                "~ (bitwise_not) is only supported for integer and boolean tensors, got {}",
                t.dtype()
            )));
        }
        let op = if t.dtype() == rtensor_core::DType::Bool { UnaryOp::LogicalNot } else { UnaryOp::BitNot };
        wrap(py, run(py, t.numel(), || ops::unary::unary(op, &t, None))?)
    }

    fn __richcmp__(&self, o: &Bound<'_, PyAny>, cmp: CompareOp) -> PyResult<Py<PyAny>> {
        let op = match cmp {
            CompareOp::Eq => BinaryOp::Eq,
            CompareOp::Ne => BinaryOp::Ne,
            CompareOp::Lt => BinaryOp::Lt,
            CompareOp::Le => BinaryOp::Le,
            CompareOp::Gt => BinaryOp::Gt,
            CompareOp::Ge => BinaryOp::Ge,
        };
        forward(self, o, op, false)
    }

    /// `x.add(y)`-style method entry used by the Python layer for every binary op.
    fn _binary(&self, py: Python<'_>, name: &str, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let op = parse_binary(name)?;
        let o = arg_or_err(name, other)?;
        wrap(py, binary_op(py, op, &OwnedArg::T(self.t.clone()), &o, None)?)
    }
}
