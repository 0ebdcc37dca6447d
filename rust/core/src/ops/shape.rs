//! View ops at the tensor level: thin wrappers over the layout maths in
//! `layout.rs` (which keeps every result inside the storage), plus `reshape`,
//! which copies only when no view exists.

use crate::bail;
use crate::error::Result;
use crate::layout::{fmt_shape, infer_shape, wrap_dim, wrap_insert_dim, Dims, Layout};
use crate::tensor::Tensor;

pub fn view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let shape = infer_shape("view", shape, t.numel(), t.shape())?;
    match t.layout().view_strides(&shape) {
        Some(strides) => Ok(t.view_of(t.layout().with_shape(&shape, strides))),
        None => bail!(
            Runtime,
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across \
             two contiguous subspaces): cannot view shape {} with strides {:?} as {}. Use .reshape(...) instead.",
            fmt_shape(t.shape()),
            t.strides(),
            fmt_shape(&shape)
        ),
    }
}

/// A view when the strides allow one, otherwise a contiguous copy.
pub fn reshape(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let dims = infer_shape("reshape", shape, t.numel(), t.shape())?;
    match t.layout().view_strides(&dims) {
        Some(strides) => Ok(t.view_of(t.layout().with_shape(&dims, strides))),
        None => {
            let c = super::clone(t);
            Ok(c.view_of(Layout::contiguous(&dims)))
        }
    }
}

pub fn permute(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let n = t.ndim();
    if dims.len() != n {
        bail!(
            Runtime,
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the \
             desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {}",
            dims.len()
        );
    }
    let ds: Vec<usize> = dims.iter().map(|&d| wrap_dim(d, n)).collect::<Result<_>>()?;
    Ok(t.view_of(t.layout().permute(&ds)?))
}

pub fn transpose(t: &Tensor, d0: i64, d1: i64) -> Result<Tensor> {
    let n = t.ndim();
    let (a, b) = (wrap_dim(d0, n)?, wrap_dim(d1, n)?);
    Ok(t.view_of(t.layout().transpose(a, b)))
}

/// `Tensor.t()`: only for tensors of rank <= 2.
pub fn t(t: &Tensor) -> Result<Tensor> {
    if t.ndim() > 2 {
        bail!(
            Runtime,
            "t() expects a tensor with <= 2 dimensions, but self is {}D (shape {})",
            t.ndim(),
            fmt_shape(t.shape())
        );
    }
    if t.ndim() < 2 {
        return Ok(t.clone());
    }
    transpose(t, 0, 1)
}

pub fn expand(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    Ok(t.view_of(t.layout().expand("expand", shape)?))
}

pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_insert_dim(dim, t.ndim())?;
    Ok(t.view_of(t.layout().unsqueeze(d)))
}

pub fn squeeze(t: &Tensor) -> Tensor {
    t.view_of(t.layout().squeeze(None))
}

pub fn squeeze_dims(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let n = t.ndim();
    if n == 0 {
        for &d in dims {
            wrap_dim(d, 0)?;
        }
        return Ok(t.clone());
    }
    let ds = unique_dims("squeeze", dims, n)?;
    Ok(t.view_of(t.layout().squeeze(Some(&ds))))
}

pub fn flatten(t: &Tensor, start: i64, end: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        return reshape(t, &[1]);
    }
    let (s, e) = (wrap_dim(start, t.ndim())?, wrap_dim(end, t.ndim())?);
    if s > e {
        bail!(Runtime, "flatten() has invalid args: start_dim ({start}) cannot come after end_dim ({end})");
    }
    let mut shape: Vec<i64> = t.shape()[..s].iter().map(|&d| d as i64).collect();
    shape.push(t.shape()[s..=e].iter().product::<usize>() as i64);
    shape.extend(t.shape()[e + 1..].iter().map(|&d| d as i64));
    reshape(t, &shape)
}

pub fn unflatten(t: &Tensor, dim: i64, sizes: &[i64]) -> Result<Tensor> {
    if t.ndim() == 0 {
        bail!(Runtime, "unflatten: Cannot unflatten a 0-dimensional tensor");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let inner = infer_shape("unflatten", sizes, t.shape()[d], &t.shape()[d..=d])?;
    let mut shape: Vec<i64> = t.shape()[..d].iter().map(|&x| x as i64).collect();
    shape.extend(inner.iter().map(|&x| x as i64));
    shape.extend(t.shape()[d + 1..].iter().map(|&x| x as i64));
    view(t, &shape)
}

pub fn narrow(t: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() == 0 {
        bail!(Runtime, "narrow() cannot be applied to a 0-dim tensor.");
    }
    Ok(t.view_of(t.layout().narrow("narrow", d, start, length)?))
}

pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        bail!(Index, "select() cannot be applied to a 0-dim tensor.");
    }
    let d = wrap_dim(dim, t.ndim())?;
    Ok(t.view_of(t.layout().select(d, index)?))
}

/// Python slice semantics (`start:stop:step`, any nonzero step) along `dim`.
pub fn slice(t: &Tensor, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Tensor> {
    if step == 0 {
        bail!(Value, "slice step cannot be zero");
    }
    let n = t.shape()[dim] as i64;
    let (start, len) = slice_indices(n, start, stop, step);
    Ok(t.view_of(t.layout().slice(dim, start, len, step as isize)?))
}

/// CPython's `PySlice_AdjustIndices`: (first index, number of elements).
/// In `i128`, so any `i64` start, stop and step (`x[::sys.maxsize]`,
/// `x[::-2**63]`) is clamped without overflow.
pub fn slice_indices(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> (usize, usize) {
    let (n, start, stop, step) = (n as i128, start.map(i128::from), stop.map(i128::from), step as i128);
    let clamp = |v: i128, lo: i128, hi: i128| v.max(lo).min(hi);
    let norm = |v: i128| if v < 0 { v + n } else { v };
    let (start, stop) = if step > 0 {
        (clamp(start.map_or(0, norm), 0, n), clamp(stop.map_or(n, norm), 0, n))
    } else {
        (
            clamp(start.map_or(n - 1, norm), -1, n - 1),
            clamp(stop.map_or(-1, |v| if v < 0 { v + n } else { v }), -1, n - 1),
        )
    };
    let len = if step > 0 {
        if stop > start {
            (stop - start + step - 1) / step
        } else {
            0
        }
    } else if start > stop {
        (start - stop + (-step) - 1) / (-step)
    } else {
        0
    };
    (start.max(0) as usize, len as usize)
}

/// Wraps `dims` and rejects repeats (each would be applied twice).
fn unique_dims(op: &str, dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let ds: Vec<usize> = dims.iter().map(|&d| wrap_dim(d, ndim)).collect::<Result<_>>()?;
    for (i, d) in ds.iter().enumerate() {
        if ds[..i].contains(d) {
            bail!(Runtime, "{op}(): dim {d} appears multiple times in the list of dims {dims:?}");
        }
    }
    Ok(ds)
}

pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let ds = unique_dims("flip", dims, t.ndim())?;
    if t.ndim() == 0 {
        return Ok(t.clone());
    }
    Ok(t.view_of(t.layout().flip(&ds)))
}

pub fn diagonal(t: &Tensor, offset: i64, d1: i64, d2: i64) -> Result<Tensor> {
    if t.ndim() < 2 {
        bail!(
            Index,
            "diagonal(): Dimension out of range (expected a tensor with at least 2 dimensions, got shape {})",
            fmt_shape(t.shape())
        );
    }
    let (a, b) = (wrap_dim(d1, t.ndim())?, wrap_dim(d2, t.ndim())?);
    Ok(t.view_of(t.layout().diagonal(offset, a, b)?))
}

pub fn as_strided(t: &Tensor, size: &[i64], stride: &[i64], offset: Option<i64>) -> Result<Tensor> {
    if size.iter().any(|&d| d < 0) {
        bail!(Runtime, "as_strided: negative sizes are not allowed, got {size:?}");
    }
    let off = offset.unwrap_or(t.offset() as i64);
    if off < 0 {
        bail!(Runtime, "as_strided: Tensor: invalid storage offset {off}");
    }
    let shape: Dims = size.iter().map(|&d| d as usize).collect();
    let strides: Vec<isize> = stride.iter().map(|&s| s as isize).collect();
    t.with_checked_layout("as_strided", Layout::new("as_strided", &shape, &strides, off as usize)?)
}

/// How `split` cuts a dim.
#[derive(Clone, Copy, Debug)]
pub enum Split<'a> {
    /// Chunks of this size; the last may be shorter.
    Size(i64),
    /// Chunks of these sizes, which must add up to the dim.
    Sizes(&'a [i64]),
}

/// `split` with one size or a list of sizes.
pub fn split(t: &Tensor, how: Split<'_>, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        bail!(Runtime, "split expects at least a 1-dimensional tensor (got a 0-d tensor)");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    let sizes: Vec<i64> = match how {
        Split::Size(s) => {
            if s <= 0 && n > 0 {
                bail!(Runtime, "split(): split_size can only be 0 if dimension size is 0, but got split_size={s} for dimension of size {n}");
            }
            if n == 0 {
                vec![0]
            } else {
                (0..n).step_by(s as usize).map(|st| s.min(n - st)).collect()
            }
        }
        Split::Sizes(sizes) => {
            if sizes.iter().map(|&s| s as i128).sum::<i128>() != n as i128 || sizes.iter().any(|&s| s < 0) {
                bail!(
                Runtime,
                "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}"
            );
            }
            sizes.to_vec()
        }
    };
    let mut start = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for s in sizes {
        out.push(t.view_of(t.layout().narrow("split", d, start, s)?));
        start += s;
    }
    Ok(out)
}

pub fn chunk(t: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        bail!(Runtime, "chunk expects at least a 1-dimensional tensor");
    }
    if chunks <= 0 {
        bail!(Runtime, "chunk expects `chunks` to be greater than 0, got: {chunks}");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    let size = ((n as i128 + chunks as i128 - 1) / chunks as i128).max(1) as i64;
    split(t, Split::Size(size), dim)
}

pub fn unbind(t: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() == 0 {
        bail!(Index, "unbind(): dimension specified as 0 but tensor has no dimensions");
    }
    (0..t.shape()[d] as i64).map(|i| Ok(t.view_of(t.layout().select(d, i)?))).collect()
}

pub fn movedim(t: &Tensor, src: i64, dst: i64) -> Result<Tensor> {
    let n = t.ndim();
    let (s, d) = (wrap_dim(src, n)?, wrap_dim(dst, n)?);
    let mut order: Vec<i64> = (0..n as i64).filter(|&k| k as usize != s).collect();
    order.insert(d, s as i64);
    permute(t, &order)
}

pub fn shape_of(t: &Tensor) -> Dims {
    t.shape().into()
}
