//! Reductions and scans with their derivatives. Every reduction's backward
//! first restores the reduced dims (`unreduce`), then broadcasts.

use super::{div, mul, mul_s, needs_grad, record, record1, shape_i64, sub, where_, VArg};
use crate::autograd::var::{SavedVar, Var};
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::{self, reduce as R, reduce::ReduceOp, BinaryOp, UnaryOp};
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

pub fn sum(x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = R::reduce(ReduceOp::Sum, &x.data, dims, keepdim, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("sum", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let name = if dims.is_none() { "SumBackward0" } else { "SumBackward1" };
    Ok(record1(name, &[Some(x)], out, vec![], move |g, _| {
        Ok(vec![Some(expand_to(&unreduce(g, &shape, &mask, keepdim)?, &shape)?)])
    }))
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

pub fn prod(x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = R::reduce(ReduceOp::Prod, &x.data, dims, keepdim, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("prod", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let sx = SavedVar::new(x, "self");
    let dims_v: Option<Vec<i64>> = dims.map(|d| d.to_vec());
    let name = if dims.is_none() { "ProdBackward0" } else { "ProdBackward1" };
    Ok(record1(name, &[Some(x)], out, vec!["self".into()], move |g, n| {
        // d prod / d x_i is the product of the others: prod / x_i where x_i != 0;
        // at a zero, the product of the non-zeros if it is the only zero, else 0.
        let x = sx.unpack(&n.name)?;
        let d = dims_v.as_deref();
        let eq = |t: &crate::tensor::Tensor, v: i64| {
            ops::binary::binary(BinaryOp::Eq, ops::Arg::T(t), ops::Arg::S(Scalar::Int(v)), None)
        };
        let (zero, one) = (VArg::S(Scalar::Float(0.0)), VArg::S(Scalar::Float(1.0)));
        let is_zero = eq(&x.data, 0)?;
        let safe = where_(&is_zero, one, VArg::V(&x))?;
        let p_nz = prod(&safe, d, true, None)?;
        let zeros = R::reduce(ReduceOp::Sum, &is_zero, d, true, None)?;
        let at_zero = where_(&eq(&zeros, 1)?, VArg::V(&p_nz), zero)?;
        let elsewhere = where_(&eq(&zeros, 0)?, VArg::V(&div(&p_nz, &safe)?), zero)?;
        let d_in = where_(&is_zero, VArg::V(&at_zero), VArg::V(&elsewhere))?;
        let g = unreduce(g, &shape, &mask, keepdim)?;
        Ok(vec![Some(mul(&g, &d_in)?)])
    }))
}

/// `amax`/`amin`: the gradient is shared evenly among the tied extremes.
pub fn amax(x: &Var, dims: Option<&[i64]>, keepdim: bool, is_max: bool) -> Result<Var> {
    let name = if is_max { "AmaxBackward0" } else { "AminBackward0" };
    amax_named(x, dims, keepdim, is_max, name)
}

/// `amax`/`amin` under a given node name (`torch.max(x)` records `MaxBackward1`).
pub fn amax_named(x: &Var, dims: Option<&[i64]>, keepdim: bool, is_max: bool, name: &'static str) -> Result<Var> {
    let op = if is_max { ReduceOp::Amax } else { ReduceOp::Amin };
    let out = R::reduce(op, &x.data, dims, keepdim, None)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let mask = R::reduced_mask("amax", x.data.ndim(), dims)?;
    let shape = x.data.shape().to_vec();
    let (sx, so) = (SavedVar::new(x, "self"), out.clone());
    let dims_v: Option<Vec<i64>> = dims.map(|d| d.to_vec());
    Ok(record1(name, &[Some(x)], out, vec!["self".into(), "result".into()], move |g, n| {
        let x = sx.unpack(&n.name)?;
        let o = Var::new(so.clone());
        let o = unreduce(&o, &shape, &mask, keepdim)?;
        let hit = Var::new(ops::binary::binary(BinaryOp::Eq, ops::Arg::T(&x.data), ops::Arg::T(&o.data), None)?);
        let hit = super::to_dtype(&hit, x.data.dtype())?;
        let count = sum(&hit, dims_v.as_deref(), true, None)?;
        let g = unreduce(g, &shape, &mask, keepdim)?;
        Ok(vec![Some(mul(&hit, &div(&g, &count)?)?)])
    }))
}

/// `max`/`min` along a dim: values (differentiable) and int64 indices.
pub fn max_dim(x: &Var, dim: i64, keepdim: bool, is_max: bool) -> Result<(Var, Var)> {
    let (v, i) = R::arg_extreme(&x.data, dim, keepdim, is_max)?;
    if !needs_grad(&[Some(x)]) || !v.dtype().is_float() {
        return Ok((Var::new(v), Var::new(i)));
    }
    let shape = x.data.shape().to_vec();
    let d = crate::layout::wrap_dim(dim, x.data.ndim())?;
    let idx = i.clone();
    let name = if is_max { "MaxBackward0" } else { "MinBackward0" };
    let vals = record(name, &[Some(x)], vec![v], vec!["indices".into()], move |g, _| {
        let Some(g) = &g[0] else { return Ok(vec![None]) };
        if shape.is_empty() {
            return Ok(vec![Some(g.clone())]);
        }
        let (g, ix) = if keepdim {
            (g.clone(), idx.clone())
        } else {
            (super::unsqueeze(g, d as i64)?, idx.view_of(idx.layout().unsqueeze(d)))
        };
        Ok(vec![Some(super::scatter_into_zeros(&g, d as i64, &ix, &shape)?)])
    })
    .pop()
    .expect("one output");
    Ok((vals, Var::new(i)))
}

pub fn var(x: &Var, dims: Option<&[i64]>, correction: f64, keepdim: bool, take_sqrt: bool) -> Result<Var> {
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
            let s = var(&x, dims_v.as_deref(), correction, true, true)?;
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

/// `cumsum`: the gradient is the reversed cumulative sum of the gradient.
pub fn cumsum(x: &Var, dim: i64, dtype: Option<DType>) -> Result<Var> {
    let out = R::cumulative(&x.data, dim, false, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    Ok(record1("CumsumBackward0", &[Some(x)], out, vec![], move |g, _| {
        let f = super::flip(g, &[dim])?;
        let c = cumsum(&f, dim, None)?;
        Ok(vec![Some(super::flip(&c, &[dim])?)])
    }))
}

/// `cumprod` (differentiable through prod/x where x has no zeros).
pub fn cumprod(x: &Var, dim: i64, dtype: Option<DType>) -> Result<Var> {
    let out = R::cumulative(&x.data, dim, true, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let sx = SavedVar::new(x, "self");
    Ok(record1("CumprodBackward0", &[Some(x)], out, vec!["self".into()], move |g, n| {
        let x = sx.unpack(&n.name)?;
        let c = cumprod(&x, dim, None)?;
        let gc = mul(g, &c)?;
        let f = super::flip(&gc, &[dim])?;
        let r = super::flip(&cumsum(&f, dim, None)?, &[dim])?;
        Ok(vec![Some(div(&r, &x)?)])
    }))
}
