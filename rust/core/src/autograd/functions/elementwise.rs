//! Elementwise entry points that are not a plain table row: `where`, `lerp`
//! and `clamp` (ternary rows with optional or non-tensor operands), dtype
//! casts, copies, and in-place forms. The formulas themselves are the table
//! rows (`ops/table.rs`, generated in `derivatives.rs`).

use super::formula::{mul, AsArg};
use super::{binary, check_inplace, needs_grad, rebase, record1, record_ternary, scalar_f, unary, VArg};
use crate::autograd::var::Var;
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::{self, BinaryOp, UnaryOp};
use crate::tensor::Tensor;

pub fn mul_s(a: &Var, s: f64) -> Result<Var> {
    mul(a, &s)
}
pub fn add_s(a: &Var, s: f64) -> Result<Var> {
    binary(BinaryOp::Add, VArg::V(a), scalar_f(s))
}
pub fn pow_s(a: &Var, e: f64) -> Result<Var> {
    binary(BinaryOp::Pow, VArg::V(a), scalar_f(e))
}

impl Var {
    pub fn as_arg(&self) -> VArg<'_> {
        self.varg()
    }
    pub fn square(&self) -> Result<Var> {
        mul(self, self)
    }
}

/// `torch.where(cond, x, y)`.
pub fn where_(cond: &Tensor, x: VArg, y: VArg) -> Result<Var> {
    let out = ops::ternary::where_(cond, x.arg(), y.arg())?;
    let c = Var::new(cond.clone());
    Ok(record_ternary(ops::TernaryOp::Where, [VArg::V(&c), x, y], out))
}

/// `torch.lerp(start, end, weight)`.
pub fn lerp(start: &Var, end: &Var, weight: VArg) -> Result<Var> {
    let out = ops::ternary::lerp(&start.data, &end.data, weight.arg(), None)?;
    Ok(record_ternary(ops::TernaryOp::Lerp, [VArg::V(start), VArg::V(end), weight], out))
}

/// `torch.clamp(x, min, max)`: bounds may be absent, numbers or tensors.
pub fn clamp(x: &Var, lo: Option<VArg>, hi: Option<VArg>) -> Result<Var> {
    let out = ops::ternary::clamp(&x.data, lo.map(|a| a.arg()), hi.map(|a| a.arg()), None)?;
    // The formulas see an absent bound as one that never clamps.
    let (l, h) = ops::ternary::extremes(out.dtype());
    Ok(record_ternary(ops::TernaryOp::Clamp, [VArg::V(x), lo.unwrap_or(VArg::S(l)), hi.unwrap_or(VArg::S(h))], out))
}

/// `x.clamp_(min, max)` with autograd.
pub fn clamp_(x: &Var, lo: Option<VArg>, hi: Option<VArg>) -> Result<Var> {
    check_inplace(x, "clamp_")?;
    let grad = needs_grad(&[Some(x), lo.and_then(|a| a.var()), hi.and_then(|a| a.var())]);
    if !grad {
        ops::ternary::clamp(&x.data, lo.map(|a| a.arg()), hi.map(|a| a.arg()), Some(&x.data))?;
        return Ok(x.clone());
    }
    // The formula must not save the tensor about to be overwritten.
    let snap = snapshot(x);
    rebase(x, clamp(&snap, lo, hi)?, "clamp_")
}

/// A move to `device` (`.to(device)`, `.cuda()`, `.cpu()`); the gradient is
/// moved back to the source device, as PyTorch's `ToCopyBackward0` does.
pub fn to_device(x: &Var, device: crate::device::Device) -> Result<Var> {
    if x.data.device() == device {
        return Ok(x.clone());
    }
    let out = ops::to_device(&x.data, device)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let from = x.data.device();
    Ok(record1("ToCopyBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(to_device(g, from)?)])))
}

/// A dtype cast; the gradient is cast back.
pub fn to_dtype(x: &Var, dtype: DType) -> Result<Var> {
    if x.data.dtype() == dtype {
        return Ok(x.clone());
    }
    let out = ops::to_dtype(&x.data, dtype);
    if !needs_grad(&[Some(x)]) || !dtype.is_float() {
        return Ok(Var::new(out));
    }
    let from = x.data.dtype();
    Ok(record1("ToCopyBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(to_dtype(g, from)?)])))
}

/// `Tensor.clone()`: keeps a dense permuted input's strides (`preserve_format`).
pub fn clone(x: &Var) -> Result<Var> {
    copy_of(x, ops::clone_preserve(&x.data))
}

/// `Tensor.contiguous()` of a non-contiguous tensor: a row-major copy.
pub fn contiguous(x: &Var) -> Result<Var> {
    copy_of(x, ops::clone(&x.data))
}

fn copy_of(x: &Var, out: Tensor) -> Result<Var> {
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    Ok(record1("CloneBackward0", &[Some(x)], out, vec![], |g, _| Ok(vec![Some(g.clone())])))
}

/// A copy of `a` to run an in-place op's recorded form on. It has its own
/// metadata, with `a`'s history: the rebase that follows changes `a`'s
/// history, which must not change what the formula saved.
fn snapshot(a: &Var) -> Var {
    match a.grad_fn() {
        Some((n, nr)) => Var::from_node(ops::clone(&a.data), n, nr),
        None => Var { data: ops::clone(&a.data), meta: a.meta.clone() },
    }
}

/// `a.<op>_(b)` with autograd: when recording, the op runs out of place on a
/// snapshot of `a` (so formulas may save it) and the result is written back.
pub fn binary_(op: BinaryOp, a: &Var, b: VArg) -> Result<Var> {
    check_inplace(a, op.name())?;
    if !needs_grad(&[Some(a), b.var()]) {
        ops::binary::binary(op, ops::Arg::T(&a.data), b.arg(), Some(&a.data))?;
        return Ok(a.clone());
    }
    let snap = snapshot(a);
    let r = binary(op, VArg::V(&snap), b)?;
    if r.data.shape() != a.data.shape() {
        bail!(
            Runtime,
            "{}_: output with shape {:?} doesn't match the broadcast shape {:?}",
            op.name(),
            a.data.shape(),
            r.data.shape()
        );
    }
    rebase(a, r, &format!("{}_", op.name()))
}

/// `a.<op>_()` with autograd.
pub fn unary_(op: UnaryOp, a: &Var) -> Result<Var> {
    check_inplace(a, op.name())?;
    if !needs_grad(&[Some(a)]) {
        ops::unary::unary(op, &a.data, Some(&a.data))?;
        return Ok(a.clone());
    }
    let snap = snapshot(a);
    let r = unary(op, &snap)?;
    rebase(a, r, &format!("{}_", op.name()))
}

/// `torch.div(a, b, rounding_mode=...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// True division (`rounding_mode=None`).
    None,
    /// Toward zero (`'trunc'`): not differentiable, as in PyTorch.
    Trunc,
    /// Toward negative infinity (`'floor'`): `floor_divide`.
    Floor,
}

/// `torch.div` with a rounding mode. `trunc` is computed in floating point and
/// truncated, then cast back for integer inputs, as PyTorch does.
pub fn div_rounding(a: VArg, b: VArg, mode: Rounding) -> Result<Var> {
    match mode {
        Rounding::None => binary(BinaryOp::Div, a, b),
        Rounding::Floor => binary(BinaryOp::FloorDiv, a, b),
        Rounding::Trunc => {
            let dt = ops::result_type_of(&[a.arg(), b.arg()]);
            let q = ops::binary::binary(BinaryOp::Div, a.arg(), b.arg(), None)?;
            let t = ops::unary::unary(UnaryOp::Trunc, &q, None)?;
            Ok(Var::new(if dt.is_float() { t } else { ops::to_dtype(&t, dt) }))
        }
    }
}
