//! Arithmetic: the number protocol, comparisons, and the generic elementwise
//! entry points the Python layer builds `torch.add(..., out=)`, `x.exp_()` etc. on.

use crate::autograd::note_location;
use crate::call::guarded;
use crate::call::{run, IntoPyResult};
use crate::convert::{arg, var_arg, var_of, OwnedArg, VarArg};
use crate::out::{check_out_grad, finish_out};
use crate::tensor::{wrap, wrap_var, PyTensor};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rtensor_core::autograd::functions::{self as F, VArg};
use rtensor_core::ops::{self, Arg, BinaryOp, UnaryOp};

/// Which side of the operator `self` was on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `self <op> other` (`__add__`).
    Left,
    /// `other <op> self` (`__radd__`).
    Right,
}

/// `self <op> other`, or NotImplemented for operands we do not know.
fn forward(slf: &PyTensor, other: &Bound<'_, PyAny>, op: BinaryOp, side: Side) -> PyResult<Py<PyAny>> {
    let py = other.py();
    let reflected = side == Side::Right;
    if let Ok(o) = other.cast::<PyTensor>() {
        let o = o.borrow();
        // Hot path (`a + b`, no autograd involved): borrow both, no handle clones.
        if slf.meta.is_none() && o.meta.is_none() {
            let (x, y) = if reflected { (&o.t, &slf.t) } else { (&slf.t, &o.t) };
            let r = run(py, x.numel().max(y.numel()), || ops::binary::binary(op, Arg::T(x), Arg::T(y), None))?;
            return Ok(wrap(py, r)?.into_any());
        }
        let (x, y) = if reflected { (o.var(), slf.var()) } else { (slf.var(), o.var()) };
        note_location(py);
        let r = run(py, x.data.numel().max(y.data.numel()), || F::binary(op, VArg::V(&x), VArg::V(&y)))?;
        return Ok(wrap_var(py, r)?.into_any());
    }
    let Some(o) = arg(other)? else { return Ok(py.NotImplemented()) };
    if slf.meta.is_some() {
        let OwnedArg::S(s) = o else { return Ok(py.NotImplemented()) };
        let x = slf.var();
        note_location(py);
        let (a, b) = if reflected { (VArg::S(s), VArg::V(&x)) } else { (VArg::V(&x), VArg::S(s)) };
        let r = run(py, x.data.numel(), || F::binary(op, a, b))?;
        return Ok(wrap_var(py, r)?.into_any());
    }
    let me = OwnedArg::T(slf.t.clone());
    let (x, y) = if reflected { (o.as_arg(), me.as_arg()) } else { (me.as_arg(), o.as_arg()) };
    let r = run(py, me.numel().max(o.numel()), || ops::binary::binary(op, x, y, None))?;
    Ok(wrap(py, r)?.into_any())
}

/// `self <op>= other`: written into self's storage; the same object comes back.
fn inplace(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<()> {
    let py = slf.py();
    let o = var_arg(op.name(), other)?;
    crate::tensor::track_view_for_write(slf, o.varg().var().is_some_and(|x| x.requires_grad()))?;
    let v = slf.borrow().var();
    note_location(py);
    let r = run(py, v.data.numel(), || F::binary_(op, &v, o.varg()))?;
    slf.borrow_mut().meta = r.meta;
    Ok(())
}

fn parse_binary(name: &str) -> PyResult<BinaryOp> {
    BinaryOp::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown binary op '{name}'")))
}

fn parse_unary(name: &str) -> PyResult<UnaryOp> {
    UnaryOp::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown unary op '{name}'")))
}

/// The `out=` argument, when one was given (`None` means none).
pub(crate) fn out_arg<'a, 'py>(out: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    out.filter(|o| !o.is_none())
}

/// The broadcast shape of some op arguments (scalars are 0-d), or `None` when
/// they do not broadcast (the op itself then raises the error).
pub(crate) fn broadcast_of(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let mut acc: Vec<usize> = Vec::new();
    for s in shapes {
        acc = rtensor_core::layout::broadcast_shapes("out", &acc, s).ok()?.to_vec();
    }
    Some(acc)
}

fn shape_of(a: &VarArg) -> &[usize] {
    match a {
        VarArg::V(v) => v.data.shape(),
        VarArg::S(_) => &[],
    }
}

guarded! {
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
    let (mut vx, vy) = (var_arg(name, a)?, var_arg(name, b)?);
    if let (VarArg::S(s), VarArg::S(_)) = (&vx, &vy) {
        // `torch.add(1, 2)`: PyTorch makes the input a 0-d tensor (`tensor(3)`);
        // comparisons have no such overload.
        if matches!(name, "eq" | "ne" | "lt" | "le" | "gt" | "ge") {
            return Err(PyTypeError::new_err(format!("{name}(): argument 'input' must be Tensor, not a number")));
        }
        let dt = crate::convert::inferred_dtype(Some(s.category()));
        let t = rtensor_core::ops::creation::full(name, &[], *s, dt).py()?;
        vx = VarArg::V(rtensor_core::autograd::Var::new(t));
    }
    let n = vx.numel().max(vy.numel());
    let Some(out_ob) = out_arg(out) else {
        note_location(py);
        return Ok(wrap_var(py, run(py, n, || F::binary(op, vx.varg(), vy.varg()))?)?.into_any());
    };
    check_out_grad(name, out_ob, &[&vx, &vy])?;
    let (x, y) = (vx.varg().arg(), vy.varg().arg());
    let shape = broadcast_of(&[shape_of(&vx), shape_of(&vy)]);
    finish_out(
        py,
        name,
        out_ob,
        shape.as_deref(),
        n,
        true,
        |o| ops::binary::binary(op, x, y, Some(o)).map(drop),
        || ops::binary::binary(op, x, y, None),
    )
}
}

guarded! {
/// `a.<op>_(b)`: in place, returns `a`.
#[pyfunction]
pub fn binary_(name: &str, a: &Bound<'_, PyTensor>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    inplace(a, b, parse_binary(name)?)?;
    Ok(a.clone().unbind())
}
}

guarded! {
/// `torch.<op>(a, out=None)` for every unary op.
#[pyfunction]
#[pyo3(signature = (name, a, out=None))]
pub fn unary(py: Python<'_>, name: &str, a: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let op = parse_unary(name)?;
    let v = var_of(name, "input", a)?;
    note_location(py);
    let Some(out_ob) = out_arg(out) else {
        return Ok(wrap_var(py, run(py, v.data.numel(), || F::unary(op, &v))?)?.into_any());
    };
    check_out_grad(name, out_ob, &[&VarArg::V(v.clone())])?;
    let t = &v.data;
    finish_out(
        py,
        name,
        out_ob,
        Some(t.shape()),
        t.numel(),
        true,
        |o| ops::unary::unary(op, t, Some(o)).map(drop),
        || ops::unary::unary(op, t, None),
    )
}
}

guarded! {
/// `a.<op>_()`: in place, returns `a`.
#[pyfunction]
pub fn unary_(py: Python<'_>, name: &str, a: &Bound<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    let op = parse_unary(name)?;
    crate::tensor::track_view_for_write(a, false)?;
    let v = a.borrow().var();
    note_location(py);
    let r = run(py, v.data.numel(), || F::unary_(op, &v))?;
    a.borrow_mut().meta = r.meta;
    Ok(a.clone().unbind())
}
}

/// An optional bound (`None` and an absent argument are the same).
fn opt_var_arg(name: &str, ob: Option<&Bound<'_, PyAny>>) -> PyResult<Option<VarArg>> {
    match ob {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => var_arg(name, o).map(Some),
    }
}

guarded! {
/// `a.clamp_(min, max)`: in place, returns `a`.
#[pyfunction]
#[pyo3(signature = (a, min=None, max=None))]
pub fn clamp_(
    py: Python<'_>,
    a: &Bound<'_, PyTensor>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let v = a.borrow().var();
    let (lo, hi) = (opt_var_arg("clamp", min)?, opt_var_arg("clamp", max)?);
    let bound_grad = [&lo, &hi].iter().any(|b| matches!(b, Some(VarArg::V(x)) if x.requires_grad()));
    crate::tensor::track_view_for_write(a, bound_grad)?;
    note_location(py);
    let r = run(py, v.data.numel(), || F::clamp_(&v, lo.as_ref().map(|x| x.varg()), hi.as_ref().map(|x| x.varg())))?;
    a.borrow_mut().meta = r.meta;
    Ok(a.clone().unbind())
}
}

guarded! {
/// `torch.clamp(a, min, max, out=None)`.
#[pyfunction]
#[pyo3(signature = (a, min=None, max=None, out=None))]
pub fn clamp(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let v = var_of("clamp", "input", a)?;
    let (lo, hi) = (opt_var_arg("clamp", min)?, opt_var_arg("clamp", max)?);
    let (l, h) = (lo.as_ref().map(|x| x.varg()), hi.as_ref().map(|x| x.varg()));
    note_location(py);
    let Some(out_ob) = out_arg(out) else {
        return Ok(wrap_var(py, run(py, v.data.numel(), || F::clamp(&v, l, h))?)?.into_any());
    };
    let me = VarArg::V(v.clone());
    let checked: Vec<&VarArg> = std::iter::once(&me).chain(lo.iter()).chain(hi.iter()).collect();
    check_out_grad("clamp", out_ob, &checked)?;
    let shape = broadcast_of(&checked.iter().map(|a| shape_of(a)).collect::<Vec<_>>());
    let (t, la, ha) = (&v.data, l.map(|x| x.arg()), h.map(|x| x.arg()));
    finish_out(
        py,
        "clamp",
        out_ob,
        shape.as_deref(),
        t.numel(),
        true,
        |o| ops::ternary::clamp(t, la, ha, Some(o)).map(drop),
        || ops::ternary::clamp(t, la, ha, None),
    )
}
}

guarded! {
#[pyfunction]
#[pyo3(name = "where")]
pub fn where_(
    py: Python<'_>,
    cond: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
) -> PyResult<Py<PyTensor>> {
    let c = crate::convert::tensor_arg("where", "condition", cond)?;
    let (a, b) = (var_arg("where", x)?, var_arg("where", y)?);
    note_location(py);
    wrap_var(py, run(py, c.numel(), || F::where_(&c, a.varg(), b.varg()))?)
}
}

guarded! {
/// `torch.lerp(start, end, weight, out=None)`; `out is start` is `start.lerp_(...)`.
#[pyfunction]
#[pyo3(signature = (start, end, weight, out=None))]
pub fn lerp(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (vs, ve, vw) = (var_of("lerp", "input", start)?, var_of("lerp", "end", end)?, var_arg("lerp", weight)?);
    note_location(py);
    let Some(out_ob) = out_arg(out) else {
        return Ok(wrap_var(py, run(py, vs.data.numel(), || F::lerp(&vs, &ve, vw.varg()))?)?.into_any());
    };
    let (s, e, w) = (&vs.data, &ve.data, vw.varg().arg());
    if out_ob.is(start) {
        // `start.lerp_(end, weight)`.
        run(py, s.numel(), || ops::ternary::lerp(s, e, w, Some(s)))?;
        return Ok(out_ob.clone().unbind());
    }
    let (vs, ve) = (VarArg::V(vs.clone()), VarArg::V(ve.clone()));
    check_out_grad("lerp", out_ob, &[&vs, &ve, &vw])?;
    let shape = broadcast_of(&[shape_of(&vs), shape_of(&ve), shape_of(&vw)]);
    finish_out(
        py,
        "lerp",
        out_ob,
        shape.as_deref(),
        s.numel(),
        true,
        |o| ops::ternary::lerp(s, e, w, Some(o)).map(drop),
        || ops::ternary::lerp(s, e, w, None),
    )
}
}

guarded! {
#[pymethods]
impl PyTensor {
    fn __add__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Add, Side::Left)
    }
    fn __radd__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Add, Side::Right)
    }
    fn __sub__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Sub, Side::Left)
    }
    fn __rsub__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Sub, Side::Right)
    }
    fn __mul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Mul, Side::Left)
    }
    fn __rmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Mul, Side::Right)
    }
    fn __truediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Div, Side::Left)
    }
    fn __rtruediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Div, Side::Right)
    }
    fn __floordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::FloorDiv, Side::Left)
    }
    fn __rfloordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::FloorDiv, Side::Right)
    }
    fn __mod__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Rem, Side::Left)
    }
    fn __rmod__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Rem, Side::Right)
    }
    fn __pow__(&self, o: &Bound<'_, PyAny>, _m: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Pow, Side::Left)
    }
    fn __rpow__(&self, o: &Bound<'_, PyAny>, _m: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::Pow, Side::Right)
    }
    fn __and__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitAnd, Side::Left)
    }
    fn __rand__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitAnd, Side::Right)
    }
    fn __or__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitOr, Side::Left)
    }
    fn __ror__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitOr, Side::Right)
    }
    fn __xor__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitXor, Side::Left)
    }
    fn __rxor__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        forward(self, o, BinaryOp::BitXor, Side::Right)
    }
    fn __matmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = o.py();
        let Ok(other) = o.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (self.var(), other.borrow().var());
        note_location(py);
        Ok(wrap_var(py, run(py, a.data.numel() + b.data.numel(), || F::matmul(&a, &b))?)?.into_any())
    }
    fn __rmatmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = o.py();
        let Ok(other) = o.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (other.borrow().var(), self.var());
        note_location(py);
        Ok(wrap_var(py, run(py, a.data.numel() + b.data.numel(), || F::matmul(&a, &b))?)?.into_any())
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
        let v = self.var();
        wrap_var(py, run(py, v.data.numel(), || F::unary(UnaryOp::Neg, &v))?)
    }
    fn __pos__(slf: &Bound<'_, Self>) -> Py<PyTensor> {
        slf.clone().unbind()
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let v = self.var();
        wrap_var(py, run(py, v.data.numel(), || F::unary(UnaryOp::Abs, &v))?)
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
        // `t == ndarray` compares elementwise, as in PyTorch. Only `==`: PyTorch's
        // `!=`, `<`... decline an ndarray (so `t != a` is identity-based True),
        // and an array it cannot take (of strings) is "not equal".
        if matches!(cmp, CompareOp::Eq) && !o.is_instance_of::<PyTensor>() {
            if let Ok(arr) = o.cast::<numpy::PyUntypedArray>() {
                let py = o.py();
                let Ok(t) = crate::numpy::from_numpy_array(arr) else { return Ok(py.NotImplemented()) };
                let other = wrap(py, t)?;
                return forward(self, other.bind(py).as_any(), op, Side::Left);
            }
        }
        forward(self, o, op, Side::Left)
    }

    /// `x.add(y)`-style method entry used by the Python layer for every binary op.
    fn _binary(&self, py: Python<'_>, name: &str, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let op = parse_binary(name)?;
        let o = var_arg(name, other)?;
        let v = self.var();
        note_location(py);
        wrap_var(py, run(py, v.data.numel(), || F::binary(op, VArg::V(&v), o.varg()))?)
    }
}
}

guarded! {
/// `torch.div(a, b, rounding_mode='trunc')`.
#[pyfunction]
pub fn div_trunc(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    let (x, y) = (var_arg("div", a)?, var_arg("div", b)?);
    let n = x.numel().max(y.numel());
    wrap_var(py, run(py, n, || F::div_rounding(x.varg(), y.varg(), F::Rounding::Trunc))?)
}
}
