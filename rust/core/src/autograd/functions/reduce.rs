//! Composite reductions (`mean`, `var`/`std`, `norm`, `logsumexp`) with their
//! derivatives, and the named forms of the table's folds. The folds, arg-
//! reductions and scans themselves are table rows (NOTE [Op tables]).

use super::{div, mul, mul_s, needs_grad, record1, shape_i64, sub, where_, VArg};
use crate::autograd::var::{SavedVar, Var};
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::{self, reduce as R, ArgReduceOp, BinaryOp, ReduceOp, ScanOp, UnaryOp};
use crate::tensor::Scalar;

/// The gradient of a reduction, with the reduced dims put back as size 1.
fn unreduce(g: &Var, in_shape: &[usize], mask: &[bool], keepdim: bool) -> Result<Var> {
    if keepdim || in_shape.is_empty() {
        return Ok(g.clone());
    }
    let shape: Vec<i64> = in_shape.iter().zip(mask).map(|(&d, &m)| if m { 1 } else { d as i64 }).collect();
    super::reshape(g, &shape)
}

fn expand_to(g: &Var, shape: &[usize]) -> Result<Var> {
    super::expand(g, &shape_i64(shape))
}

pub fn mean(x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = R::mean(&x.data, dims, keepdim, dtype)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("mean", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let count: usize = shape.iter().zip(&mask).filter(|(_, &m)| m).map(|(&d, _)| d).product();
    let name = if dims.is_none() { "MeanBackward0" } else { "MeanBackward1" };
    Ok(record1(name, &[Some(x)], out, vec![], move |g, _| {
        let g = mul_s(&unreduce(g, &shape, &mask, keepdim)?, 1.0 / count as f64)?;
        Ok(vec![Some(expand_to(&g, &shape)?)])
    }))
}

/// Which spread `var` computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    Variance,
    /// The square root of the variance (`std`).
    StdDev,
}

pub fn var(x: &Var, dims: Option<&[i64]>, correction: f64, keepdim: bool, spread: Spread) -> Result<Var> {
    let take_sqrt = spread == Spread::StdDev;
    let out = if take_sqrt {
        R::std(&x.data, dims, correction, keepdim)?
    } else {
        R::var(&x.data, dims, correction, keepdim)?
    };
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("var", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let count: usize = shape.iter().zip(&mask).filter(|(_, &m)| m).map(|(&d, _)| d).product();
    let sx = SavedVar::new(x, "self");
    let dims_v: Option<Vec<i64>> = dims.map(|d| d.to_vec());
    let name = if take_sqrt { "StdBackward0" } else { "VarBackward0" };
    Ok(record1(name, &[Some(x)], out, vec!["self".into()], move |g, n| {
        // d var / dx = 2 (x - mean) / (N - correction); d std = that / (2 std).
        let x = sx.unpack(&n.name)?;
        let m = mean(&x, dims_v.as_deref(), true, None)?;
        let dev = sub(&x, &m)?;
        let denom = (count as f64 - correction).max(0.0);
        let g = unreduce(g, &shape, &mask, keepdim)?;
        let d = if take_sqrt {
            let s = var(&x, dims_v.as_deref(), correction, true, Spread::StdDev)?;
            div(&mul_s(&dev, 1.0 / denom)?, &s)?
        } else {
            mul_s(&dev, 2.0 / denom)?
        };
        Ok(vec![Some(mul(&g, &d)?)])
    }))
}

/// `norm(x, p)`, differentiable for p = 2 (and other finite p > 0).
pub fn norm(x: &Var, p: f64, dims: Option<&[i64]>, keepdim: bool) -> Result<Var> {
    let out = R::norm(&x.data, p, dims, keepdim)?;
    if !needs_grad(&[Some(x)]) || p.is_infinite() || p == 0.0 {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("norm", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let sx = SavedVar::new(x, "self");
    let dims_v: Option<Vec<i64>> = dims.map(|d| d.to_vec());
    Ok(record1("LinalgVectorNormBackward0", &[Some(x)], out, vec!["self".into(), "result".into()], move |g, n| {
        // d ||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1), and 0 where the norm is 0.
        let x = sx.unpack(&n.name)?;
        let nrm = norm(&x, p, dims_v.as_deref(), true)?;
        let is_zero = ops::binary::binary(BinaryOp::Eq, ops::Arg::T(&nrm.data), ops::Arg::S(Scalar::Int(0)), None)?;
        let safe = where_(&is_zero, VArg::S(Scalar::Float(1.0)), VArg::V(&nrm))?;
        let d = if p == 2.0 {
            div(&x, &safe)?
        } else if p == 1.0 {
            super::unary(UnaryOp::Sign, &x)?
        } else {
            let a = super::unary(UnaryOp::Abs, &x)?;
            let num = mul(&super::unary(UnaryOp::Sign, &x)?, &super::pow_s(&a, p - 1.0)?)?;
            div(&num, &super::pow_s(&safe, p - 1.0)?)?
        };
        let d = where_(&is_zero, VArg::S(Scalar::Float(0.0)), VArg::V(&d))?;
        Ok(vec![Some(mul(&unreduce(g, &shape, &mask, keepdim)?, &d)?)])
    }))
}

pub fn logsumexp(x: &Var, dims: &[i64], keepdim: bool) -> Result<Var> {
    let out = R::logsumexp(&x.data, dims, keepdim)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("logsumexp", x.data.ndim(), Some(dims))?;
    let shape = x.data.shape().to_vec();
    let sx = SavedVar::new(x, "self");
    let dims_v = dims.to_vec();
    Ok(record1("LogsumexpBackward0", &[Some(x)], out, vec!["self".into()], move |g, n| {
        // softmax(x) along the dims, recomputed from x.
        let x = sx.unpack(&n.name)?;
        let l = logsumexp(&x, &dims_v, true)?;
        let p = super::unary(UnaryOp::Exp, &sub(&x, &l)?)?;
        Ok(vec![Some(mul(&unreduce(g, &shape, &mask, keepdim)?, &p)?)])
    }))
}

pub fn sum(x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    super::reduce(ReduceOp::Sum, x, dims, keepdim, dtype)
}

pub fn prod(x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    super::reduce(ReduceOp::Prod, x, dims, keepdim, dtype)
}

/// `torch.max(x)` / `torch.min(x)` without a dim: `amax`/`amin` over every
/// element, recorded as PyTorch names it (`MaxBackward1`).
pub fn extreme_all(x: &Var, op: ArgReduceOp) -> Result<Var> {
    let (fold, name) = match op {
        ArgReduceOp::Max => (ReduceOp::Amax, "MaxBackward1"),
        ArgReduceOp::Min => (ReduceOp::Amin, "MinBackward1"),
    };
    super::reduce_named(fold, x, None, false, None, Some(name))
}

pub fn cumsum(x: &Var, dim: i64, dtype: Option<DType>) -> Result<Var> {
    super::scan(ScanOp::CumSum, x, dim, dtype)
}
