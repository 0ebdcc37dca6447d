//! View ops with their derivatives.
//!
//! Reshapes, permutations, expands and flips have closed-form backwards.
//! Every other view (select, slices, diagonal, as_strided, basic indexing,
//! unbind/split) writes its gradient into zeros through the same view
//! ([`embed`], NOTE [View backward]). Gather-like copies (advanced indexing,
//! masked_select) go through the index map ([`index_map`]): apply the same op
//! to a tensor holding `0..n` in the input's shape, and the result says, for
//! each output element, which input element it came from. The backward then
//! scatter-adds the gradient there ([`put_add`]); its own backward is a
//! gather with the same map ([`take`]), so second derivatives work too.

use super::{needs_grad, record1, shape_i64, sum_to};
use crate::autograd::var::Var;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::{self, shape as sh};
use crate::tensor::{Scalar, Tensor};
use std::sync::Arc;

type TensorFn = dyn Fn(&Tensor) -> Result<Tensor> + Send + Sync;

/// For each element of `f(x)`, the row-major index of the element of `x` it
/// came from (an int64 tensor shaped like `f(x)`), on `device` (where `f`'s
/// own operands, such as an index tensor, live).
pub fn index_map(shape: &[usize], device: crate::device::Device, f: &TensorFn) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let ar = ops::creation::arange(Scalar::Int(0), Scalar::Int(n as i64), Scalar::Int(1), DType::I64)?;
    let ar = ops::to_device(&ar, device)?;
    let ar = sh::reshape(&ar, &shape_i64(shape))?;
    Ok(f(&ar)?.contiguous())
}

/// Applies a view or gather-like op `f`, recorded with its backward: a view
/// (its result shares `x`'s storage) embeds the gradient through the view,
/// a gather scatters it through the index map.
pub fn index_map_op(x: &Var, name: &str, f: Arc<TensorFn>) -> Result<Var> {
    let out = f(&x.data)?;
    record_view_or_gather(x, name, out, f)
}

/// `x.as_strided(size, stride, offset)`. Its strides address `x`'s storage,
/// not `x`, so the view function comes from the layouts (NOTE [Untracked
/// views]) and holds for any input layout.
pub fn as_strided(x: &Var, size: &[i64], stride: &[i64], offset: Option<i64>) -> Result<Var> {
    let out = sh::as_strided(&x.data, size, stride, offset)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let Some(f) = view_fn_from_layouts(&x.data, &out)? else {
        crate::bail!(
            Runtime,
            "as_strided: the view with sizes {:?} and strides {:?} reads storage outside its input of shape {} \
             (or the input overlaps itself), so it has no gradient here; call .clone() on the input first",
            size,
            stride,
            crate::layout::fmt_shape(x.data.shape())
        );
    };
    record_view_or_gather(x, "AsStridedBackward0", out, f)
}

/// Records `out = f(x)` (a view or gather of `x`) with its backward.
fn record_view_or_gather(x: &Var, name: &str, out: Tensor, f: Arc<TensorFn>) -> Result<Var> {
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let shape = x.data.shape().to_vec();
    let is_view = out.same_storage(&x.data);
    let (f2, name2) = (f.clone(), name.to_string());
    let v = record1(name, &[Some(x)], out, vec![], move |g, _| {
        let gx =
            if is_view { embed(g, &name2, &shape, f.clone())? } else { put_add(g, &index_map(&shape, g.data.device(), &*f)?, &shape)? };
        Ok(vec![Some(gx)])
    });
    v.mark_view_of(x, f2);
    Ok(v)
}

/// NOTE [View backward]: the gradient of a view `f(x)` is zeros of `x`'s
/// shape with `g` written through the same view: `f` applied to the fresh
/// zeros gives exactly the places the gradient goes (PyTorch's
/// `grad_input.as_strided(...).copy_(grad)`). That is one fill plus a copy of
/// the view's size, where an index map costs 8 bytes per input element and a
/// scatter. It is linear in `g`, and its own backward is the view again, so
/// double backward works. Two cases take the index map instead: a view that
/// may reach an element twice (an `as_strided` with interleaving strides)
/// must add, not write, and an `f` that gives a copy rather than a view of
/// the zeros (the `as_strided` of a strided base) has no place to write.
/// CopySlices uses the same view to zero `g` there ([`zero_view`]).
pub fn embed(g: &Var, name: &str, shape: &[usize], f: Arc<TensorFn>) -> Result<Var> {
    let zeros = g.data.new_zeros(g.data.dtype(), shape);
    let place = f(&zeros)?;
    if !place.same_storage(&zeros) || place.layout().may_overlap() {
        return put_add(g, &index_map(shape, g.data.device(), &*f)?, shape);
    }
    ops::assign("view_backward", &place, ops::Arg::T(&g.data))?;
    if !needs_grad(&[Some(g)]) {
        return Ok(Var::new(zeros));
    }
    // PyTorch's name for the backward of `SelectBackward0` is `SelectBackwardBackward0`.
    let node = format!("{}Backward0", name.strip_suffix('0').unwrap_or(name));
    let name = name.to_string();
    Ok(record1(&node, &[Some(g)], zeros, vec![], move |gg, _| Ok(vec![Some(index_map_op(gg, &name, f.clone())?)])))
}

/// `g` with the elements the view `f` covers set to zero: the gradient that
/// CopySlices passes to the base's old values (NOTE [View backward]). Linear
/// in `g`, so its backward is itself.
pub fn zero_view(g: &Var, f: Arc<TensorFn>) -> Result<Var> {
    let out = ops::clone(&g.data);
    let place = f(&out)?;
    if place.same_storage(&out) && !place.layout().may_overlap() {
        ops::assign("CopySlices", &place, ops::Arg::S(Scalar::Int(0)))?;
    } else {
        let idx = sh::reshape(&index_map(out.shape(), out.device(), &*f)?, &[-1])?;
        ops::index::scatter_(
            &sh::reshape(&out, &[-1])?,
            0,
            &idx,
            ops::Arg::S(Scalar::Int(0)),
            super::write::ScatterMode::Assign,
        )?;
    }
    if !needs_grad(&[Some(g)]) {
        return Ok(Var::new(out));
    }
    Ok(record1("CopySlicesBackward0", &[Some(g)], out, vec![], move |gg, _| Ok(vec![Some(zero_view(gg, f.clone())?)])))
}

/// Zeros of `shape` with `g[i]` added at flat position `idx[i]` (repeats add up).
pub fn put_add(g: &Var, idx: &Tensor, shape: &[usize]) -> Result<Var> {
    let n: usize = shape.iter().product();
    let flat = g.data.new_zeros(g.data.dtype(), &[n]);
    let gi = sh::reshape(&g.data.contiguous(), &[-1])?;
    let ii = sh::reshape(idx, &[-1])?;
    ops::index::scatter_(&flat, 0, &ii, ops::Arg::T(&gi), super::write::ScatterMode::Add)?;
    let out = sh::reshape(&flat, &shape_i64(shape))?;
    if !needs_grad(&[Some(g)]) {
        return Ok(Var::new(out));
    }
    let idx = idx.clone();
    Ok(record1("IndexPutBackward0", &[Some(g)], out, vec!["indices".into()], move |gg, _| {
        Ok(vec![Some(take(gg, &idx)?)])
    }))
}

/// `x.flatten()[idx]`, shaped like `idx`.
pub fn take(x: &Var, idx: &Tensor) -> Result<Var> {
    let idx2 = idx.clone();
    let f: Arc<TensorFn> = Arc::new(move |t: &Tensor| {
        let flat = sh::reshape(t, &[-1])?;
        let ii = sh::reshape(&idx2, &[-1])?;
        let picked = ops::index::index(&flat, &[ops::index::IndexItem::Tensor(ii)])?;
        sh::reshape(&picked, &shape_i64(idx2.shape()))
    });
    index_map_op(x, "TakeBackward0", f)
}

pub fn reshape(x: &Var, shape: &[i64]) -> Result<Var> {
    let out = sh::reshape(&x.data, shape)?;
    shaped(x, out, "ViewBackward0")
}

pub fn view(x: &Var, shape: &[i64]) -> Result<Var> {
    let out = sh::view(&x.data, shape)?;
    shaped(x, out, "ViewBackward0")
}

/// Records an op whose backward is "reshape the gradient back".
pub fn shaped(x: &Var, out: Tensor, name: &str) -> Result<Var> {
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let s = shape_i64(x.data.shape());
    let os = shape_i64(out.shape());
    let v = record1(name, &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(reshape(g, &s)?)]));
    v.mark_view_of(x, Arc::new(move |t: &Tensor| sh::reshape(t, &os)));
    Ok(v)
}

pub fn unsqueeze(x: &Var, dim: i64) -> Result<Var> {
    let out = sh::unsqueeze(&x.data, dim)?;
    shaped(x, out, "UnsqueezeBackward0")
}

pub fn permute(x: &Var, dims: &[i64]) -> Result<Var> {
    let out = sh::permute(&x.data, dims)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let n = x.data.ndim();
    let mut inv = vec![0i64; n];
    for (i, &d) in dims.iter().enumerate() {
        inv[crate::layout::wrap_dim(d, n)?] = i as i64;
    }
    let d = dims.to_vec();
    let v = record1("PermuteBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(permute(g, &inv)?)]));
    v.mark_view_of(x, Arc::new(move |t: &Tensor| sh::permute(t, &d)));
    Ok(v)
}

pub fn transpose(x: &Var, d0: i64, d1: i64) -> Result<Var> {
    let out = sh::transpose(&x.data, d0, d1)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let v = record1("TransposeBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(transpose(g, d0, d1)?)]));
    v.mark_view_of(x, Arc::new(move |t: &Tensor| sh::transpose(t, d0, d1)));
    Ok(v)
}

pub fn expand(x: &Var, shape: &[i64]) -> Result<Var> {
    let out = sh::expand(&x.data, shape)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let s = x.data.shape().to_vec();
    Ok(record1("ExpandBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(sum_to(g, &s)?)])))
}

pub fn flip(x: &Var, dims: &[i64]) -> Result<Var> {
    let out = sh::flip(&x.data, dims)?;
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    let d = dims.to_vec();
    let d2 = d.clone();
    let v = record1("FlipBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(flip(g, &d)?)]));
    v.mark_view_of(x, Arc::new(move |t: &Tensor| sh::flip(t, &d2)));
    Ok(v)
}

/// Adds `g` into zeros of `shape` along `dim` at `index`: the backward of
/// `gather` (and of `index_select`, `max`/`min` along a dim). A scatter-add
/// costs O(index), where the generic index map would cost O(shape); it is
/// itself recorded, so double backward works (its backward is a gather).
pub fn scatter_into_zeros(g: &Var, dim: i64, index: &Tensor, shape: &[usize]) -> Result<Var> {
    let zeros = Var::new(g.data.new_zeros(g.data.dtype(), shape));
    super::scatter(&zeros, dim, index, super::VArg::V(g), super::write::ScatterMode::Add)
}

/// NOTE [Untracked views]: a view made while its base did not require grad
/// carries no autograd link to it (views are free on the fast path). When such
/// a view is later written in place with a value that requires grad
/// (`Y = zeros(2, 2); Y[0][1] = w.sum()`), PyTorch gives the base a
/// `CopySlices` history. The binding keeps the base object (`_base`) and asks
/// for the relation here, rebuilt from the two layouts. On a tensor laid out
/// like `base` the view is the same strides at the same distance from the
/// first element; on a contiguous one it is that too when `base` is
/// contiguous. Otherwise each storage position of `base` is labelled with its
/// row-major index, and the view gathers the labels. Returns None when the
/// relation is not one-to-one (an overlapping base) or the view reaches
/// outside its base (`as_strided`).
pub fn view_fn_from_layouts(base: &Tensor, view: &Tensor) -> Result<Option<Arc<TensorFn>>> {
    if !Arc::ptr_eq(base.storage(), view.storage()) || base.layout().may_overlap() {
        return Ok(None);
    }
    let (bl, vl) = (base.layout().clone(), view.layout().clone());
    let shift = vl.offset() as isize - bl.offset() as isize;
    // `vl` moved onto `t`, a tensor laid out like `base` (an empty view may
    // start anywhere, so its offset is clamped).
    let same_place = move |t: &Tensor| {
        let offset = (t.offset() as isize + shift).max(0) as usize;
        t.with_checked_layout("as_strided", Layout::new("as_strided", vl.shape(), vl.strides(), offset)?)
    };
    if base.is_contiguous() {
        let n = base.numel() as isize;
        let (lo, hi) = (bl.offset() as isize, bl.offset() as isize + n - 1);
        if view.layout().extent().is_some_and(|(a, b)| a < lo || b > hi) {
            return Ok(None);
        }
        return Ok(Some(Arc::new(move |t: &Tensor| same_place(&t.contiguous()))));
    }
    // Label only the storage range the two layouts reach, shifted to start at 0.
    let (bl, vl) = (base.layout(), view.layout());
    let ext = [bl.extent(), vl.extent()];
    let lo = ext.iter().flatten().map(|e| e.0).min().unwrap_or(0);
    let hi = ext.iter().flatten().map(|e| e.1).max().unwrap_or(-1);
    let shifted = |l: &Layout| Layout::new("view", l.shape(), l.strides(), (l.offset() as isize - lo).max(0) as usize);
    let labels = ops::creation::full("full", &[(hi - lo + 1) as usize], Scalar::Int(-1), DType::I64)?;
    let at_base = Tensor::from_storage(labels.storage().clone(), shifted(bl)?)?;
    let ar = ops::creation::arange(Scalar::Int(0), Scalar::Int(base.numel() as i64), Scalar::Int(1), DType::I64)?;
    ops::assign("view", &at_base, ops::Arg::T(&sh::reshape(&ar, &shape_i64(base.shape()))?))?;
    let idx = Tensor::from_storage(labels.storage().clone(), shifted(vl)?)?.contiguous();
    if idx.to_vec::<i64>()?.iter().any(|&i| i < 0) {
        return Ok(None);
    }
    let (shape, strides) = (shape_i64(view.shape()), bl.strides().to_vec());
    Ok(Some(Arc::new(move |t: &Tensor| {
        if t.strides() == strides.as_slice() {
            return same_place(t);
        }
        let flat = sh::reshape(&t.contiguous(), &[-1])?;
        let picked = ops::index::index(&flat, &[ops::index::IndexItem::Tensor(sh::reshape(&idx, &[-1])?)])?;
        sh::reshape(&picked, &shape)
    })))
}
