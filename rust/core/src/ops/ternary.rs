//! Ternary elementwise ops (the rows of `ternary_ops!`, NOTE [Op tables]):
//! `where`, `lerp` and `clamp`.

use super::kinds::TernaryOp;
use super::{
    check_out_device, check_same_device, check_writable_out, expand_to, result_type_of, unalias, write_result, Arg,
};
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::{Scalar, Tensor};

/// The broadcast shape of three operands.
fn shape3(op: &str, a: &Arg, b: &Arg, c: &Arg) -> Result<Vec<usize>> {
    let s = broadcast_shapes(op, a.shape(), b.shape())?;
    Ok(broadcast_shapes(op, &s, c.shape())?.to_vec())
}

/// Runs the row's kernel on the three operands, cast to their compute dtypes
/// (`dts`), broadcast, and not aliasing the output.
fn run(op: TernaryOp, args: [Arg; 3], dts: [DType; 3], rdt: DType, out: Option<&Tensor>) -> Result<Tensor> {
    let name = op.name();
    let shape = shape3(name, &args[0], &args[1], &args[2])?;
    let device = check_same_device(name, &args)?;
    let out = match out {
        Some(o) => {
            check_out_device(name, o, device)?;
            check_writable_out(name, o, &shape, rdt)?;
            o.clone()
        }
        // SAFETY: `write_result` runs the kernel over every element of `out`.
        None => unsafe { Tensor::for_overwrite(device, rdt, &shape) },
    };
    let mut ts = Vec::with_capacity(3);
    for (a, dt) in args.iter().zip(dts) {
        ts.push(unalias(expand_to(name, &a.as_tensor(dt, device)?, &shape)?, &out));
    }
    Ok(write_result(&out, rdt, |o| super::backend_of(o).ternary(op, o, &ts[0], &ts[1], &ts[2])))
}

/// `torch.where(cond, x, y)`.
pub fn where_(cond: &Tensor, x: Arg, y: Arg) -> Result<Tensor> {
    if cond.dtype() != DType::Bool && cond.dtype() != DType::U8 {
        bail!(
            Runtime,
            "where: expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype()
        );
    }
    let dt = result_type_of(&[x, y]);
    for a in [x, y] {
        if let Arg::S(s) = a {
            s.check_fits("where", dt)?;
        }
    }
    run(TernaryOp::Where, [Arg::T(cond), x, y], [DType::Bool, dt, dt], dt, None)
}

/// `torch.lerp(start, end, weight)`.
pub fn lerp(start: &Tensor, end: &Tensor, weight: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let dt = result_type_of(&[Arg::T(start), Arg::T(end), weight]);
    let w_dt = match weight {
        Arg::T(w) => w.dtype(),
        Arg::S(_) => start.dtype(),
    };
    if end.dtype() != start.dtype() || w_dt != start.dtype() {
        bail!(
            Runtime,
            "lerp: expected dtype {} for `end` and `weight` but got {} and {}",
            start.dtype(),
            end.dtype(),
            w_dt
        );
    }
    if !start.dtype().is_float() {
        bail!(Runtime, "lerp: expected floating point tensors, got {} and {}", start.dtype(), end.dtype());
    }
    run(TernaryOp::Lerp, [Arg::T(start), Arg::T(end), weight], [dt; 3], dt, out)
}

/// `torch.clamp(a, min, max)`: either bound may be absent, a number or a tensor.
pub fn clamp(a: &Tensor, min: Option<Arg>, max: Option<Arg>, out: Option<&Tensor>) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        bail!(Runtime, "clamp: At least one of 'min' or 'max' must not be None");
    }
    let mut args = vec![Arg::T(a)];
    args.extend(min.iter().copied());
    args.extend(max.iter().copied());
    let dt = result_type_of(&args);
    if dt == DType::Bool && !args[1..].iter().any(|b| matches!(b, Arg::T(_))) {
        // PyTorch's number-bound kernel has no bool form; tensor bounds do.
        bail!(NotImplemented, "\"clamp_scalar_cpu\" not implemented for 'Bool' (a bool tensor with bool bounds)");
    }
    // An absent bound is the dtype's extreme: the kernel is then one row for all cases.
    let (lo, hi) = extremes(dt);
    let lo = min.unwrap_or(Arg::S(lo));
    let hi = max.unwrap_or(Arg::S(hi));
    run(TernaryOp::Clamp, [Arg::T(a), lo, hi], [dt; 3], dt, out)
}

/// The least and greatest values of `dt` (bounds that clamp nothing).
pub fn extremes(dt: DType) -> (Scalar, Scalar) {
    match dt.int_range() {
        Some((lo, hi)) => (Scalar::Int(lo), Scalar::Int(hi)),
        None if dt == DType::Bool => (Scalar::Bool(false), Scalar::Bool(true)),
        None => (Scalar::Float(f64::NEG_INFINITY), Scalar::Float(f64::INFINITY)),
    }
}
