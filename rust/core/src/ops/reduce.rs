//! Reductions: `sum`, `mean`, `prod`, `amax`/`amin`, `max`/`min` with a dim,
//! `argmax`/`argmin`, `var`/`std`, `norm`, `all`/`any`, `logsumexp`, and the
//! scans `cumsum`/`cumprod`.

use super::binary::binary;
use super::kinds::{ArgReduceOp, BinaryOp, ReduceOp, ReduceRule, ScanOp, UnaryOp};
use super::unary::unary;
use super::{to_dtype, Arg};
use crate::bail;
use crate::dtype::{DType, DEFAULT_FLOAT};
use crate::error::Result;
use crate::layout::{fmt_shape, wrap_dim, Dims};
use crate::tensor::{Scalar, Tensor};

/// Which dims a reduction folds: `None` (or an empty list) means all of them.
pub fn reduced_mask(op: &str, ndim: usize, dims: Option<&[i64]>) -> Result<Vec<bool>> {
    let ds = match dims {
        Some(ds) if !ds.is_empty() => ds,
        _ => return Ok(vec![true; ndim]),
    };
    let mut mask = vec![false; ndim];
    for &d in ds {
        let k = wrap_dim(d, ndim)?;
        if ndim == 0 {
            continue;
        }
        if mask[k] {
            bail!(Runtime, "{op}(): dim {k} appears multiple times in the list of dims");
        }
        mask[k] = true;
    }
    Ok(mask)
}

fn out_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Dims {
    let mut out = Dims::new();
    for (k, &d) in shape.iter().enumerate() {
        if !mask[k] {
            out.push(d);
        } else if keepdim {
            out.push(1);
        }
    }
    out
}

/// A fold reduction over `dims` (all when `None`): a row of `reduce_ops!`.
pub fn reduce(op: ReduceOp, t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let name = op.name();
    let mask = reduced_mask(name, t.ndim(), dims)?;
    let shape = out_shape(t.shape(), &mask, keepdim);
    let empty_fold = t.shape().iter().zip(&mask).any(|(&d, &r)| r && d == 0);
    // (dtype folded in, dtype returned)
    let (fdt, rdt) = match op.rule() {
        ReduceRule::Accumulate => {
            let dt = dtype.unwrap_or(if t.dtype().is_float() { t.dtype() } else { DType::I64 });
            (dt, dt)
        }
        ReduceRule::Extreme => {
            if empty_fold {
                if dims.is_none_or(|d| d.is_empty()) {
                    bail!(
                        Runtime,
                        "{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument (input shape {})",
                        fmt_shape(t.shape())
                    );
                }
                bail!(
                    Index,
                    "{name}(): Expected reduction dim {dims:?} to have non-zero size; cannot reduce a tensor of shape {} \
                     over an empty dim because the operation has no identity",
                    fmt_shape(t.shape())
                );
            }
            // Bool folds as uint8: max/min on 0/1 bytes.
            let dt = t.dtype();
            (if dt == DType::Bool { DType::U8 } else { dt }, dt)
        }
        ReduceRule::Logical => (DType::Bool, if t.dtype() == DType::U8 { DType::U8 } else { DType::Bool }),
    };
    let x = to_dtype(t, fdt);
    let out = x.try_new_zeros(name, fdt, &shape)?;
    super::backend_of(&out).reduce(op, &out, &x, &mask);
    Ok(to_dtype(&out, rdt))
}

fn float_dtype(op: &str, t: &Tensor, dtype: Option<DType>) -> Result<DType> {
    let dt = dtype.unwrap_or(t.dtype());
    if !dt.is_float() {
        bail!(
            Runtime,
            "{op}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
            dt.scalar_name()
        );
    }
    Ok(dt)
}

pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let dt = float_dtype("mean", t, dtype)?;
    if matches!(dt, DType::F16 | DType::BF16) {
        // Half types accumulate and divide in float32, rounding once at the end.
        return Ok(to_dtype(&mean(t, dims, keepdim, Some(DType::F32))?, dt));
    }
    let mask = reduced_mask("mean", t.ndim(), dims)?;
    let count: usize = t.shape().iter().zip(&mask).filter(|(_, &r)| r).map(|(&d, _)| d).product();
    let s = reduce(ReduceOp::Sum, t, dims, keepdim, Some(dt))?;
    binary(BinaryOp::Div, Arg::T(&s), Arg::S(Scalar::Float(count as f64)), None)
}

/// `var` with Bessel-style `correction` (1 = unbiased).
pub fn var(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
    let dt = float_dtype("var", t, None)?;
    if dt != DType::F64 {
        // Deviations from a rounded mean would not cancel: compute in float64
        // (PyTorch accumulates float CPU reductions in double too).
        return Ok(to_dtype(&var(&to_dtype(t, DType::F64), dims, correction, keepdim)?, dt));
    }
    let mask = reduced_mask("var", t.ndim(), dims)?;
    let count: usize = t.shape().iter().zip(&mask).filter(|(_, &r)| r).map(|(&d, _)| d).product();
    let m = mean(t, dims, true, None)?;
    let dev = binary(BinaryOp::Sub, Arg::T(t), Arg::T(&m), None)?;
    let sq = binary(BinaryOp::Mul, Arg::T(&dev), Arg::T(&dev), None)?;
    let ss = reduce(ReduceOp::Sum, &sq, dims, keepdim, Some(dt))?;
    let denom = (count as f64 - correction).max(0.0);
    binary(BinaryOp::Div, Arg::T(&ss), Arg::S(Scalar::Float(denom)), None)
}

pub fn std(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
    unary(UnaryOp::Sqrt, &var(t, dims, correction, keepdim)?, None)
}

/// `torch.norm` / `linalg.vector_norm` for p in {inf, -inf, 0, positive floats}.
pub fn norm(t: &Tensor, p: f64, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let dt = if t.dtype().is_float() {
        t.dtype()
    } else {
        bail!(
            Runtime,
            "norm(): input dtype should be either floating point or complex. Got {} instead.",
            t.dtype().scalar_name()
        );
    };
    // Half types accumulate in f32, as PyTorch's opmath does: |x|^p overflows or
    // underflows f16 long before the norm does (16 elements of 16 with p = 3).
    if matches!(dt, DType::F16 | DType::BF16) {
        return Ok(to_dtype(&norm(&to_dtype(t, DType::F32), p, dims, keepdim)?, dt));
    }
    let a = unary(UnaryOp::Abs, t, None)?;
    if p == f64::INFINITY {
        return reduce(ReduceOp::Amax, &a, dims, keepdim, None);
    }
    if p == f64::NEG_INFINITY {
        return reduce(ReduceOp::Amin, &a, dims, keepdim, None);
    }
    if p == 0.0 {
        let nz = binary(BinaryOp::Ne, Arg::T(&a), Arg::S(Scalar::Int(0)), None)?;
        return reduce(ReduceOp::Sum, &nz, dims, keepdim, Some(dt));
    }
    if p == 1.0 {
        return reduce(ReduceOp::Sum, &a, dims, keepdim, None);
    }
    let powed = if p == 2.0 {
        binary(BinaryOp::Mul, Arg::T(&a), Arg::T(&a), None)?
    } else {
        binary(BinaryOp::Pow, Arg::T(&a), Arg::S(Scalar::Float(p)), None)?
    };
    let s = reduce(ReduceOp::Sum, &powed, dims, keepdim, None)?;
    if p == 2.0 {
        unary(UnaryOp::Sqrt, &s, None)
    } else {
        binary(BinaryOp::Pow, Arg::T(&s), Arg::S(Scalar::Float(1.0 / p)), None)
    }
}

/// `torch.logsumexp`, shifted by the max for stability.
pub fn logsumexp(t: &Tensor, dims: &[i64], keepdim: bool) -> Result<Tensor> {
    let x = if t.dtype().is_float() { t.clone() } else { to_dtype(t, DEFAULT_FLOAT) };
    if x.numel() == 0 {
        let e = unary(UnaryOp::Exp, &x, None)?;
        return unary(UnaryOp::Log, &reduce(ReduceOp::Sum, &e, Some(dims), keepdim, None)?, None);
    }
    let m = reduce(ReduceOp::Amax, &x, Some(dims), true, None)?;
    // An infinite max would turn x - m into NaN; shifting by 0 there is exact.
    let finite = unary(UnaryOp::IsFinite, &m, None)?;
    let m = super::ternary::where_(&finite, Arg::T(&m), Arg::S(Scalar::Float(0.0)))?;
    let e = unary(UnaryOp::Exp, &binary(BinaryOp::Sub, Arg::T(&x), Arg::T(&m), None)?, None)?;
    let s = unary(UnaryOp::Log, &reduce(ReduceOp::Sum, &e, Some(dims), keepdim, None)?, None)?;
    let m = if keepdim { m } else { super::shape::squeeze_dims(&m, dims)? };
    binary(BinaryOp::Add, Arg::T(&s), Arg::T(&m), None)
}

/// `max`/`min`/`argmax`/`argmin` along one dim: (values, int64 indices).
pub fn arg_reduce(op: ArgReduceOp, t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let name = op.name();
    let d = wrap_dim(dim, t.ndim())?;
    let x = if t.ndim() == 0 { t.view_of(t.layout().unsqueeze(0)) } else { t.clone() };
    if x.shape()[d] == 0 {
        bail!(
            Index,
            "{name}(): Expected reduction dim {d} to have non-zero size (input shape {})",
            fmt_shape(t.shape())
        );
    }
    let dt = x.dtype();
    let xx = if dt == DType::Bool { to_dtype(&x, DType::U8) } else { x.clone() };
    let mut shape: Dims = x.shape().into();
    shape.remove(d);
    let vals = xx.try_new_zeros(name, xx.dtype(), &shape)?;
    let idx = xx.try_new_zeros(name, DType::I64, &shape)?;
    super::backend_of(&vals).arg_reduce(op, &vals, &idx, &xx, d);
    let vals = to_dtype(&vals, dt);
    if keepdim && t.ndim() > 0 {
        return Ok((vals.view_of(vals.layout().unsqueeze(d)), idx.view_of(idx.layout().unsqueeze(d))));
    }
    Ok((vals, idx))
}

/// `argmax`/`argmin` over all elements (of the flattened tensor).
pub fn arg_reduce_all(op: ArgReduceOp, t: &Tensor) -> Result<Tensor> {
    if t.numel() == 0 {
        let name = match op {
            ArgReduceOp::Max => "argmax",
            ArgReduceOp::Min => "argmin",
        };
        bail!(Index, "{name}(): Expected reduction dim to be specified for input.numel() == 0.");
    }
    let flat = super::shape::reshape(t, &[-1])?;
    Ok(arg_reduce(op, &flat, 0, false)?.1)
}

/// An inclusive scan along `dim` (`cumsum`, `cumprod`); integer inputs
/// accumulate in int64.
pub fn scan(op: ScanOp, t: &Tensor, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let dt = dtype.unwrap_or(if t.dtype().is_float() { t.dtype() } else { DType::I64 });
    let x = to_dtype(t, dt);
    if t.ndim() == 0 {
        return Ok(super::clone(&x));
    }
    let out = x.try_new_zeros(op.name(), dt, t.shape())?;
    super::backend_of(&out).scan(op, &out, &x, d);
    Ok(out)
}
