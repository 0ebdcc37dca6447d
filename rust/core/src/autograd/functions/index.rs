//! Joining and indexing ops with their derivatives.

use super::views::{embed, index_map_op, scatter_into_zeros};
use super::{grad_for, mul, needs_grad, record1, sum_to, VArg};
use crate::autograd::var::Var;
use crate::error::Result;
use crate::ops::{self, index as ix, index::IndexItem, shape as sh};
use crate::tensor::{Scalar, Tensor};
use std::sync::Arc;

pub fn cat(xs: &[Var], dim: i64) -> Result<Var> {
    cat_named(xs, dim, "CatBackward0")
}

fn cat_named(xs: &[Var], dim: i64, name: &'static str) -> Result<Var> {
    let datas: Vec<Tensor> = xs.iter().map(|v| v.data.clone()).collect();
    let out = ops::join::cat(&datas, dim)?;
    let inputs: Vec<Option<&Var>> = xs.iter().map(Some).collect();
    if !needs_grad(&inputs) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    // Where each input landed along the cat dim (empty 1-d inputs are skipped by cat).
    let d = crate::layout::wrap_dim(dim, out.ndim())?;
    let sizes: Vec<Option<usize>> = xs
        .iter()
        .map(|v| {
            if v.data.ndim() == 1 && v.data.numel() == 0 && out.ndim() > 1 {
                None
            } else {
                Some(v.data.shape().get(d).copied().unwrap_or(0))
            }
        })
        .collect();
    Ok(record1(name, &inputs, out, vec![], move |g, n| {
        let mut start = 0i64;
        let mut grads = Vec::with_capacity(sizes.len());
        for (k, sz) in sizes.iter().enumerate() {
            let Some(sz) = *sz else {
                grads.push(None);
                continue;
            };
            let s0 = start;
            grads.push(grad_for(&n.next[k], || narrow(g, d as i64, s0, sz as i64))?);
            start += sz as i64;
        }
        Ok(grads)
    }))
}

pub fn stack(xs: &[Var], dim: i64) -> Result<Var> {
    if xs.is_empty() {
        crate::bail!(Runtime, "stack expects a non-empty TensorList");
    }
    let datas: Vec<Tensor> = xs.iter().map(|v| v.data.clone()).collect();
    if !needs_grad(&xs.iter().map(Some).collect::<Vec<_>>()) {
        return Ok(Var::new(ops::join::stack(&datas, dim)?));
    }
    for (i, t) in datas.iter().enumerate() {
        if t.shape() != datas[0].shape() {
            // The core op words this error; run it for the message.
            ops::join::stack(&datas[..=i], dim)?;
        }
    }
    let d = match xs.first() {
        Some(x) => crate::layout::wrap_insert_dim(dim, x.data.ndim())? as i64,
        None => dim,
    };
    let parts: Vec<Var> = xs.iter().map(|x| super::unsqueeze(x, d)).collect::<Result<_>>()?;
    cat_named(&parts, d, "StackBackward0")
}

pub fn narrow(x: &Var, dim: i64, start: i64, len: i64) -> Result<Var> {
    index_map_op(x, "SliceBackward0", Arc::new(move |t: &Tensor| sh::narrow(t, dim, start, len)))
}

/// `x[items]`: a view for basic items (its backward writes into zeros
/// through the view), a gather for advanced ones (through the index map).
pub fn index(x: &Var, items: Vec<IndexItem>) -> Result<Var> {
    let advanced = items.iter().any(|i| matches!(i, IndexItem::Tensor(_)));
    let name = if advanced {
        "IndexBackward0"
    } else if items.iter().all(|i| matches!(i, IndexItem::Int(_))) {
        "SelectBackward0"
    } else {
        "SliceBackward0"
    };
    index_map_op(x, name, Arc::new(move |t: &Tensor| ix::index(t, &items)))
}

/// `y[items] = v` with autograd: `y`'s history gains a node that routes the
/// gradient of the overwritten positions to `v` and zeros them for old `y`.
pub fn index_put_(y: &Var, items: Vec<IndexItem>, v: VArg) -> Result<Var> {
    index_put_named(y, items, v, "index_put_")
}

/// `index_put_` reported under the user's op name (`copy_`, `fill_`, `zero_`...).
pub fn index_put_named(y: &Var, items: Vec<IndexItem>, v: VArg, op: &str) -> Result<Var> {
    super::check_inplace(y, op)?;
    if !needs_grad(&[Some(y), v.var()]) {
        ix::index_put_op(op, &y.data, &items, v.arg())?;
        y.data.storage().rename_last_write(op);
        return Ok(y.clone());
    }
    let r = ops::clone(&y.data);
    ix::index_put_op(op, &r, &items, v.arg())?;
    let shape = y.data.shape().to_vec();
    let v_shape: Vec<usize> = v.var().map(|t| t.data.shape().to_vec()).unwrap_or_default();
    let snap = Var { data: y.data.clone(), meta: y.meta.clone() };
    // PyTorch's node names: basic-index assignment is a view plus `copy_`
    // (CopySlices), advanced indexing is `index_put_`.
    let node = match op {
        "copy_" => "CopyBackwards",
        "fill_" => "FillBackward0",
        "zero_" => "ZeroBackward0",
        _ if items.iter().any(|i| matches!(i, IndexItem::Tensor(_))) => "IndexPutBackward0",
        _ => "CopySlices",
    };
    let out = record1(node, &[Some(&snap), v.var()], r, vec![], move |g, n| {
        let gy = grad_for(&n.next[0], || {
            let keep = ops::creation::full_on("full", g.data.device(), &shape, Scalar::Int(1), g.data.dtype())?;
            ix::index_put(&keep, &items, ops::Arg::S(Scalar::Int(0)))?;
            mul(g, &Var::new(keep))
        })?;
        let gv = grad_for(&n.next[1], || sum_to(&index(g, items.clone())?, &v_shape))?;
        Ok(vec![gy, gv])
    });
    super::rebase(y, out, op)
}

pub fn index_select(x: &Var, dim: i64, index: &Tensor) -> Result<Var> {
    let out = ix::index_select(&x.data, dim, index)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let i = index.clone();
    if x.data.ndim() == 0 {
        return index_map_op(x, "IndexSelectBackward0", Arc::new(move |t: &Tensor| ix::index_select(t, dim, &i)));
    }
    // The backward is a scatter-add along `dim` with the index spread over
    // the gradient's shape (O(output), not O(input)).
    let d = crate::layout::wrap_dim(dim, x.data.ndim())?;
    let shape = x.data.shape().to_vec();
    Ok(record1("IndexSelectBackward0", &[Some(x)], out, vec!["index".into()], move |g, _| {
        let mut along = vec![1i64; g.data.ndim()];
        along[d] = -1;
        let gshape: Vec<i64> = g.data.shape().iter().map(|&k| k as i64).collect();
        let spread = sh::expand(&sh::reshape(&i, &along)?, &gshape)?.contiguous();
        Ok(vec![Some(scatter_into_zeros(g, d as i64, &spread, &shape)?)])
    }))
}

pub fn gather(x: &Var, dim: i64, index: &Tensor) -> Result<Var> {
    let out = ix::gather(&x.data, dim, index)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let (i, shape) = (index.clone(), x.data.shape().to_vec());
    Ok(record1("GatherBackward0", &[Some(x)], out, vec!["index".into()], move |g, _| {
        Ok(vec![Some(scatter_into_zeros(g, dim, &i, &shape)?)])
    }))
}

pub fn masked_select(x: &Var, mask: &Tensor) -> Result<Var> {
    let m = mask.clone();
    index_map_op(x, "MaskedSelectBackward0", Arc::new(move |t: &Tensor| ix::masked_select(t, &m)))
}

/// Out-of-place `masked_fill`: the gradient is zero where the mask is set.
pub fn masked_fill(x: &Var, mask: &Tensor, value: Scalar) -> Result<Var> {
    let shape = crate::layout::broadcast_shapes("masked_fill", x.data.shape(), mask.shape())?;
    let out = ops::clone(&ops::expand_to("masked_fill", &x.data, &shape)?);
    ix::masked_fill_(&out, mask, value)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let (m, xs) = (mask.clone(), x.data.shape().to_vec());
    Ok(record1("MaskedFillBackward0", &[Some(x)], out, vec!["mask".into()], move |g, _| {
        let z = super::where_(
            &ops::expand_to("masked_fill", &m, g.data.shape())?,
            VArg::S(Scalar::Float(0.0)),
            VArg::V(g),
        )?;
        Ok(vec![Some(sum_to(&z, &xs)?)])
    }))
}

/// Out-of-place `scatter`/`scatter_add` of a tensor `src`.
pub fn scatter(x: &Var, dim: i64, index: &Tensor, src: VArg, mode: super::write::ScatterMode) -> Result<Var> {
    let out = ops::clone(&x.data);
    ix::scatter_(&out, dim, index, src.arg(), mode)?;
    let add = mode == super::write::ScatterMode::Add;
    if !needs_grad(&[Some(x), src.var()]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let i = index.clone();
    let name = if add { "ScatterAddBackward0" } else { "ScatterBackward0" };
    let src_shape: Vec<usize> = src.var().map(|s| s.data.shape().to_vec()).unwrap_or_default();
    Ok(record1(name, &[Some(x), src.var()], out, vec!["index".into()], move |g, n| {
        let gx = grad_for(&n.next[0], || {
            if add {
                return Ok(g.clone());
            }
            // Overwritten positions get no gradient from the old values.
            let keep = ops::creation::full_on("full", g.data.device(), g.data.shape(), Scalar::Int(1), g.data.dtype())?;
            ix::scatter_(&keep, dim, &i, ops::Arg::S(Scalar::Int(0)), super::write::ScatterMode::Assign)?;
            mul(g, &Var::new(keep))
        })?;
        let gs = grad_for(&n.next[1], || {
            let picked = gather(g, dim, &i)?;
            if picked.data.shape() == src_shape.as_slice() {
                return Ok(picked);
            }
            // src may be larger than index: only its leading block was used.
            let items: Vec<IndexItem> =
                i.shape().iter().map(|&k| IndexItem::Slice(Some(0), Some(k as i64), 1)).collect();
            embed(&picked, "SliceBackward0", &src_shape, Arc::new(move |t: &Tensor| ix::index(t, &items)))
        })?;
        Ok(vec![gx, gs])
    }))
}

/// Splits outputs of `unbind`/`split`/`chunk` into separately recorded views.
pub fn split_views(x: &Var, parts: Vec<(i64, i64)>, dim: i64, kind: super::view_entry::Parts) -> Result<Vec<Var>> {
    use super::view_entry::Parts;
    parts
        .into_iter()
        .map(|(start, len)| match kind {
            Parts::Selected => {
                index_map_op(x, "UnbindBackward0", Arc::new(move |t: &Tensor| sh::select(t, dim, start)))
            }
            Parts::Narrowed => {
                index_map_op(x, "SplitBackward0", Arc::new(move |t: &Tensor| sh::narrow(t, dim, start, len)))
            }
        })
        .collect()
}
