//! Entry points of the view ops that are not a single formula of `views.rs`:
//! each runs the layout change and, when autograd is involved, records it
//! under PyTorch's node name, so the binding calls one function per op (see
//! NOTE [Binding layers] in rust/python/src/lib.rs). Without autograd each is
//! the plain `ops::shape` view.

use super::{index_map_op, needs_grad, permute, reshape, shaped, split_views, transpose};
use crate::autograd::var::Var;
use crate::bail;
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::shape::{self as sh, Split};
use crate::tensor::Tensor;
use std::sync::Arc;

/// `x.select(dim, index)`.
pub fn select(x: &Var, dim: i64, index: i64) -> Result<Var> {
    index_map_op(x, "SelectBackward0", Arc::new(move |t: &Tensor| sh::select(t, dim, index)))
}

/// `x.diagonal(offset, dim1, dim2)`.
pub fn diagonal(x: &Var, offset: i64, dim1: i64, dim2: i64) -> Result<Var> {
    index_map_op(x, "DiagonalBackward0", Arc::new(move |t: &Tensor| sh::diagonal(t, offset, dim1, dim2)))
}

/// `x.squeeze()` (every size-1 dim) or `x.squeeze(dims)`.
pub fn squeeze(x: &Var, dims: Option<&[i64]>) -> Result<Var> {
    let out = match dims {
        None => sh::squeeze(&x.data),
        Some(ds) => sh::squeeze_dims(&x.data, ds)?,
    };
    shaped(x, out, "SqueezeBackward0")
}

pub fn flatten(x: &Var, start_dim: i64, end_dim: i64) -> Result<Var> {
    shaped(x, sh::flatten(&x.data, start_dim, end_dim)?, "ViewBackward0")
}

pub fn unflatten(x: &Var, dim: i64, sizes: &[i64]) -> Result<Var> {
    shaped(x, sh::unflatten(&x.data, dim, sizes)?, "ViewBackward0")
}

pub fn ravel(x: &Var) -> Result<Var> {
    reshape(x, &[-1])
}

/// `x.t()`: a transpose for a matrix, the tensor itself (as a `TBackward0`
/// view) below rank 2, an error above.
pub fn t(x: &Var) -> Result<Var> {
    sh::t(&x.data)?;
    if x.data.ndim() < 2 {
        return shaped(x, x.data.clone(), "TBackward0");
    }
    transpose(x, 0, 1)
}

/// `x.T`: all dims reversed (PyTorch deprecates it for ndim != 2 but allows it).
pub fn numpy_t(x: &Var) -> Result<Var> {
    let dims: Vec<i64> = (0..x.data.ndim() as i64).rev().collect();
    permute(x, &dims)
}

/// `x.mT`: the last two dims swapped.
pub fn matrix_t(x: &Var) -> Result<Var> {
    if x.data.ndim() < 2 {
        bail!(
            Runtime,
            "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
            x.data.ndim()
        );
    }
    transpose(x, -2, -1)
}

/// `movedim(source, destination)`: the named dims go to their places, the
/// others keep their order in the remaining places.
pub fn movedim(x: &Var, src: &[i64], dst: &[i64]) -> Result<Var> {
    let n = x.data.ndim();
    if src.len() != dst.len() {
        bail!(
            Runtime,
            "movedim: Invalid source or destination dims: source ({src:?} dims) should contain the same number of dims as destination ({dst:?} dims)"
        );
    }
    let wrap_all = |v: &[i64], what: &str| -> Result<Vec<usize>> {
        let w: Vec<usize> = v.iter().map(|&d| wrap_dim(d, n)).collect::<Result<_>>()?;
        for (i, d) in w.iter().enumerate() {
            if w[..i].contains(d) {
                bail!(Runtime, "movedim: repeated dim in `{what}` ({v:?})");
            }
        }
        Ok(w)
    };
    let (s, d) = (wrap_all(src, "source")?, wrap_all(dst, "destination")?);
    let mut order: Vec<Option<i64>> = vec![None; n];
    for (&si, &di) in s.iter().zip(&d) {
        order[di] = Some(si as i64);
    }
    let mut rest = (0..n).filter(|k| !s.contains(k));
    let order: Vec<i64> = order.into_iter().map(|o| o.unwrap_or_else(|| rest.next().unwrap_or(0) as i64)).collect();
    permute(x, &order)
}

/// `x.unbind(dim)`: views of each index along `dim`.
pub fn unbind(x: &Var, dim: i64) -> Result<Vec<Var>> {
    parts(x, sh::unbind(&x.data, dim)?, dim, Parts::Selected)
}

/// `x.split(size or sizes, dim)`.
pub fn split(x: &Var, how: Split<'_>, dim: i64) -> Result<Vec<Var>> {
    parts(x, sh::split(&x.data, how, dim)?, dim, Parts::Narrowed)
}

/// `x.chunk(chunks, dim)`.
pub fn chunk(x: &Var, chunks: i64, dim: i64) -> Result<Vec<Var>> {
    parts(x, sh::chunk(&x.data, chunks, dim)?, dim, Parts::Narrowed)
}

/// How the views of a split sit in `x` along `dim`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// One index each, the dim dropped (`unbind`).
    Selected,
    /// Consecutive ranges, the dim kept (`split`, `chunk`).
    Narrowed,
}

/// The pieces of `x` along `dim` as Vars: plain views, or, with autograd,
/// each recorded as a view of `x` at its span.
fn parts(x: &Var, parts: Vec<Tensor>, dim: i64, kind: Parts) -> Result<Vec<Var>> {
    if !needs_grad(&[Some(x)]) {
        return Ok(parts.into_iter().map(Var::new).collect());
    }
    let d = wrap_dim(dim, x.data.ndim())?;
    let mut spans = Vec::with_capacity(parts.len());
    let mut start = 0i64;
    for p in &parts {
        let len = if kind == Parts::Selected { 1 } else { p.shape()[d] as i64 };
        spans.push((start, len));
        start += len;
    }
    split_views(x, spans, dim, kind)
}
