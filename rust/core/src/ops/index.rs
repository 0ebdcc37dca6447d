//! Indexing: `t[items]` and `t[items] = v` with basic items (views) and
//! advanced items (integer/bool tensors: copies), plus `index_select`,
//! `masked_*`, `nonzero`, `gather` and `scatter`.
//!
//! Advanced indexing follows NumPy: index tensors broadcast to one shape B;
//! the result is B followed by the remaining dims, except that when all
//! advanced indices are adjacent, B takes their place.

use super::{assign, backend_of, check_no_internal_overlap, expand_to, to_device, to_dtype, Arg};
use crate::backend::ScatterMode;
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::{broadcast_shapes, fmt_shape, for_each_multi_index, wrap_dim, Dims, Layout};
use crate::tensor::{Scalar, Tensor};

#[derive(Clone, Debug)]
pub enum IndexItem {
    Int(i64),
    Slice(Option<i64>, Option<i64>, i64),
    NewAxis,
    Ellipsis,
    Tensor(Tensor),
}

/// The basic part of an index applied as a view, plus the advanced indices
/// (view dim, int64 index tensor) still to apply.
struct Parsed {
    view: Tensor,
    adv: Vec<(usize, Tensor)>,
}

fn parse(t: &Tensor, items: &[IndexItem]) -> Result<Parsed> {
    let consumed: usize = items
        .iter()
        .map(|it| match it {
            IndexItem::Int(_) | IndexItem::Slice(..) => 1,
            IndexItem::Tensor(x) if x.dtype() == DType::Bool => x.ndim(),
            IndexItem::Tensor(_) => 1,
            _ => 0,
        })
        .sum();
    if consumed > t.ndim() {
        bail!(
            Index,
            "too many indices for tensor of dimension {} (got {consumed} indices for a tensor of shape {})",
            t.ndim(),
            fmt_shape(t.shape())
        );
    }
    // Several ellipses are allowed, as in PyTorch: each skips the dims no
    // other item consumes, so only the first skips any unless a later item
    // then finds no dim left (an error, checked below: `x[..., ..., 0]`).
    let mut layout = t.layout().clone();
    let mut adv = Vec::new();
    let mut dim = 0usize;
    for it in items {
        let need = match it {
            IndexItem::Int(_) | IndexItem::Slice(..) => 1,
            IndexItem::Tensor(x) if (x.dtype() == DType::Bool || x.dtype() == DType::U8) => x.ndim(),
            IndexItem::Tensor(_) => 1,
            IndexItem::NewAxis | IndexItem::Ellipsis => 0,
        };
        if dim + need > layout.shape().len() {
            bail!(
                Index,
                "index out of range: dimension {dim} does not exist in a tensor of shape {} (an index after \
                 a second ellipsis)",
                fmt_shape(layout.shape())
            );
        }
        match it {
            IndexItem::Int(i) => layout.select_in_place(dim, *i)?,
            IndexItem::Slice(start, stop, step) => {
                if *step <= 0 && *step == 0 {
                    bail!(Value, "slice step cannot be zero");
                }
                let n = layout.shape()[dim] as i64;
                let (s, len) = super::shape::slice_indices(n, *start, *stop, *step);
                layout.slice_in_place(dim, s, len, *step as isize)?;
                dim += 1;
            }
            IndexItem::NewAxis => {
                layout = layout.unsqueeze(dim);
                dim += 1;
            }
            IndexItem::Ellipsis => dim += t.ndim() - consumed,
            IndexItem::Tensor(x) if (x.dtype() == DType::Bool || x.dtype() == DType::U8) && x.ndim() == 0 => {
                // A 0-d mask adds a dim of size 1 and keeps (True) or drops
                // (False) its one entry, as in NumPy and PyTorch.
                layout = layout.unsqueeze(dim);
                let keep = x.item()?.to_i64() != 0;
                adv.push((dim, Tensor::from_fn::<i64>("index", &[keep as usize], |_| 0)?));
                dim += 1;
            }
            IndexItem::Tensor(x) if x.dtype() == DType::Bool || x.dtype() == DType::U8 => {
                let k = x.ndim();
                let want = &layout.shape()[dim..dim + k];
                if x.shape() != want {
                    bail!(
                        Index,
                        "The shape of the mask {} at index {dim} does not match the shape of the indexed tensor {}",
                        fmt_shape(x.shape()),
                        fmt_shape(layout.shape())
                    );
                }
                let nz = nonzero(x)?;
                for j in 0..k {
                    adv.push((dim + j, nz.view_of(nz.layout().select(1, j as i64)?)));
                }
                dim += k;
            }
            IndexItem::Tensor(x) => {
                if x.dtype().is_float() {
                    bail!(Index, "tensors used as indices must be long, int, byte or bool tensors (got {})", x.dtype());
                }
                adv.push((dim, x.clone()));
                dim += 1;
            }
        }
    }
    Ok(Parsed { view: t.view_of(layout), adv })
}

/// Broadcasts the index tensors and turns them into element offsets into `view`.
fn adv_offsets(view: &Tensor, adv: &[(usize, Tensor)]) -> Result<(Dims, Vec<isize>, Layout)> {
    let mut bshape: Dims = Dims::new();
    for (_, ix) in adv {
        bshape = broadcast_shapes("index", &bshape, ix.shape()).map_err(|_| {
            let shapes: Vec<String> = adv.iter().map(|(_, t)| fmt_shape(t.shape())).collect();
            crate::error::Error::index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.join(", ")
            ))
        })?;
    }
    let nb: usize = bshape.iter().product();
    // Offsets relative to `view.offset()`, which `rest` (below) keeps.
    let mut offsets: Vec<isize> = crate::checked::vec_with_capacity("index", nb)?;
    offsets.resize(nb, 0);
    for (d, ix) in adv {
        let (n, s) = (view.shape()[*d] as i64, view.strides()[*d]);
        let vals = expand_to("index", &to_dtype(ix, DType::I64), &bshape)?.contiguous().to_vec::<i64>()?;
        for (o, &v) in offsets.iter_mut().zip(&vals) {
            let i = if v < 0 { v + n } else { v };
            if i < 0 || i >= n {
                bail!(Index, "index {v} is out of bounds for dimension {d} with size {n}");
            }
            *o += i as isize * s;
        }
    }
    let mut rest = view.layout().clone();
    for k in (0..view.ndim()).rev() {
        if adv.iter().any(|(d, _)| *d == k) {
            rest = rest.without_dim(k);
        }
    }
    Ok((bshape, offsets, rest))
}

/// Where B lands in the result: at the first advanced dim when they are adjacent.
fn b_position(adv: &[(usize, Tensor)]) -> usize {
    let dims: Vec<usize> = adv.iter().map(|(d, _)| *d).collect();
    let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
    if adjacent {
        dims[0]
    } else {
        0
    }
}

/// Permutation taking [B dims, rest dims] to the final order with B at `p`.
fn final_order(nb: usize, nr: usize, p: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (nb..nb + p).collect();
    order.extend(0..nb);
    order.extend(nb + p..nb + nr);
    order
}

/// `t[items]`: a view for basic items, a copy when any item is a tensor.
pub fn index(t: &Tensor, items: &[IndexItem]) -> Result<Tensor> {
    let Parsed { view, adv } = parse(t, items)?;
    if adv.is_empty() {
        return Ok(view);
    }
    let (bshape, offsets, rest) = adv_offsets(&view, &adv)?;
    let mut shape: Vec<usize> = bshape.to_vec();
    shape.extend(rest.shape().iter());
    let out = t.try_new_zeros("index", t.dtype(), &shape)?;
    backend_of(&out).gather(&out, &view, &offsets, &rest);
    let order = final_order(bshape.len(), rest.ndim(), b_position(&adv));
    Ok(out.view_of(out.layout().permute(&order)?))
}

/// PyTorch's `x[i] = v` converts `v` through a double tensor, so a float16 or
/// bfloat16 target takes any float (out of range is infinity), while other
/// dtypes check the value as every store does.
/// `fill_` checks like every other store.
fn half_store_check(op: &str, s: Scalar, dtype: DType) -> Result<()> {
    if op != "fill_" && matches!(dtype, DType::F16 | DType::BF16) && matches!(s, Scalar::Float(_)) {
        return Ok(());
    }
    s.check_fits(op, dtype)
}

/// `value` without the leading size-1 dims that make it longer than `ndim`:
/// `x[0] = torch.ones(1, 3)` writes a row, as in PyTorch (`slicePrefix1sSize`).
fn strip_leading_ones(value: &Tensor, ndim: usize) -> Tensor {
    let lead = value.shape().iter().take(value.ndim().saturating_sub(ndim)).take_while(|&&d| d == 1).count();
    let dims: Vec<usize> = (0..lead).collect();
    value.view_of(value.layout().squeeze(Some(&dims)))
}

/// `t[items] = value`, writing into `t`'s memory.
pub fn index_put(t: &Tensor, items: &[IndexItem], value: Arg) -> Result<()> {
    index_put_op("index_put", t, items, value)
}

/// [`index_put`] on behalf of `op` (`fill_` is `x[...] = v`), for its errors.
pub fn index_put_op(op: &str, t: &Tensor, items: &[IndexItem], value: Arg) -> Result<()> {
    let Parsed { view, adv } = parse(t, items)?;
    if adv.is_empty() {
        if let Arg::S(s) = value {
            half_store_check(op, s, t.dtype())?;
            check_no_internal_overlap("index_put", &view)?;
            view.storage().check_writable("index_put")?;
            backend_of(&view).fill(&view, s);
            view.storage().bump_version("index_put");
            return Ok(());
        }
        let stripped;
        let value = match value {
            Arg::T(v) if v.ndim() > view.ndim() => {
                stripped = strip_leading_ones(v, view.ndim());
                Arg::T(&stripped)
            }
            other => other,
        };
        return assign("index_put", &view, value);
    }
    check_no_internal_overlap("index_put", &view)?;
    t.storage().check_writable("index_put")?;
    let (bshape, offsets, rest) = adv_offsets(&view, &adv)?;
    let (nb, nr) = (bshape.len(), rest.ndim());
    let order = final_order(nb, nr, b_position(&adv));
    let mut final_shape = vec![0; nb + nr];
    let mut natural: Vec<usize> = bshape.to_vec();
    natural.extend(rest.shape().iter());
    for (k, &o) in order.iter().enumerate() {
        final_shape[k] = natural[o];
    }
    let v = match value {
        Arg::T(x) => to_device(&to_dtype(&strip_leading_ones(x, nb + nr), t.dtype()), t.device())?,
        Arg::S(s) => {
            half_store_check(op, s, t.dtype())?;
            to_device(&Tensor::scalar(s, t.dtype()), t.device())?
        }
    };
    let v = expand_to("index_put", &v, &final_shape).map_err(|e| {
        crate::error::Error::runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {} ({})",
            fmt_shape(v.shape()),
            fmt_shape(&final_shape),
            e.msg
        ))
    })?;
    // Undo the final permutation so blocks line up with the offsets.
    let mut inv = vec![0; order.len()];
    for (k, &o) in order.iter().enumerate() {
        inv[o] = k;
    }
    // A value that shares memory with `t` (`t[idx] = t`) is read in full
    // before anything is written, as NumPy does.
    let src = super::unalias_all(v.view_of(v.layout().permute(&inv)?).contiguous(), &view);
    backend_of(&view).scatter(&view, &src, &offsets, &rest, ScatterMode::Assign);
    t.storage().bump_version("index_put_");
    Ok(())
}

pub fn index_select(t: &Tensor, dim: i64, idx: &Tensor) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    if idx.dtype().is_float() || idx.dtype() == DType::Bool {
        bail!(Runtime, "index_select(): Expected dtype int32/int64 for index, got {}", idx.dtype());
    }
    if idx.ndim() > 1 {
        bail!(
            Index,
            "index_select(): Index is supposed to be a vector of int64 or int32 (got {} of shape {})",
            idx.dtype(),
            fmt_shape(idx.shape())
        );
    }
    if let Ok(vals) = to_dtype(idx, DType::I64).contiguous().to_vec::<i64>() {
        let n = t.shape().get(d).copied().unwrap_or(1) as i64;
        if let Some(bad) = vals.iter().find(|&&v| v < 0 || v >= n) {
            bail!(Index, "index_select(): index {bad} is out of range for dimension {d} with size {n}");
        }
    }
    let mut items: Vec<IndexItem> = vec![IndexItem::Slice(None, None, 1); d];
    let ix = if idx.ndim() == 0 { idx.view_of(idx.layout().unsqueeze(0)) } else { idx.clone() };
    items.push(IndexItem::Tensor(ix));
    if t.ndim() == 0 {
        return index(&t.view_of(t.layout().unsqueeze(0)), &items).and_then(|r| super::shape::reshape(&r, &[]));
    }
    index(t, &items)
}

/// Indices of the non-zero elements: an (n, ndim) int64 tensor, row-major order.
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let b = to_dtype(t, DType::Bool).contiguous().to_vec::<crate::dtype::Bool8>()?;
    let mut coords: Vec<i64> = Vec::new();
    let mut count = 0;
    for_each_multi_index(t.shape(), |idx, lin| {
        if b[lin].0 != 0 {
            coords.extend(idx.iter().map(|&i| i as i64));
            count += 1;
        }
    });
    to_device(&Tensor::from_vec(coords, &[count, t.ndim()])?, t.device())
}

fn broadcast_mask(op: &str, t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        bail!(Runtime, "{op}: expected mask dtype to be Bool but got {}", mask.dtype().scalar_name());
    }
    expand_to(op, mask, t.shape()).map_err(|e| {
        crate::error::Error::runtime(format!(
            "{op}: the mask of shape {} cannot be broadcast to the tensor of shape {} ({})",
            fmt_shape(mask.shape()),
            fmt_shape(t.shape()),
            e.msg
        ))
    })
}

pub fn masked_select(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let shape = broadcast_shapes("masked_select", t.shape(), mask.shape())?;
    let tb = expand_to("masked_select", t, &shape)?;
    let mb = broadcast_mask("masked_select", &tb, mask)?;
    // Flattened first so the result is 1-d even for 0-d inputs.
    let flat_t = super::shape::reshape(&tb, &[-1])?;
    let flat_m = super::shape::reshape(&mb, &[-1])?;
    index(&flat_t, &[IndexItem::Tensor(flat_m.contiguous())])
}

/// In-place `masked_fill_`: `t[mask] = value` with the mask broadcast to `t`.
pub fn masked_fill_(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    let mb = broadcast_mask("masked_fill_", t, mask)?;
    value.check_fits("masked_fill_", t.dtype())?;
    check_no_internal_overlap("masked_fill_", t)?;
    t.storage().check_writable("masked_fill_")?;
    let mb = to_device(&mb, t.device())?;
    let v = to_device(&Tensor::scalar(value, t.dtype()), t.device())?;
    let v = expand_to("masked_fill_", &v, t.shape())?;
    backend_of(t).ternary(crate::ops::TernaryOp::Where, t, &mb, &v, t);
    t.storage().bump_version("masked_fill_");
    Ok(())
}

/// Checks `gather`/`scatter` shapes and returns the wrapped dim.
fn check_gather(op: &str, t: &Tensor, dim: i64, index: &Tensor) -> Result<usize> {
    let d = wrap_dim(dim, t.ndim())?;
    // PyTorch's gather also takes int32 indices; scatter wants int64.
    if index.dtype() != DType::I64 && !(op == "gather" && index.dtype() == DType::I32) {
        bail!(Runtime, "{op}(): Expected dtype int64 for index, got {}", index.dtype());
    }
    if index.ndim() != t.ndim().max(1) && !(t.ndim() == 0 && index.ndim() == 0) {
        bail!(
            Runtime,
            "{op}(): Index tensor must have the same number of dimensions as input tensor (index shape {}, input shape {})",
            fmt_shape(index.shape()),
            fmt_shape(t.shape())
        );
    }
    for k in 0..t.ndim() {
        if k != d && index.shape()[k] > t.shape()[k] {
            bail!(
                Runtime,
                "{op}(): Size does not match at dimension {k} expected index {} to be smaller than self {} apart from dimension {d}",
                fmt_shape(index.shape()),
                fmt_shape(t.shape())
            );
        }
    }
    Ok(d)
}

/// Storage offsets addressed by `index` along `d` (checked), row-major over index.
fn gather_offsets(op: &str, t: &Tensor, d: usize, index: &Tensor) -> Result<Vec<isize>> {
    let ix = to_dtype(index, DType::I64).contiguous().to_vec::<i64>()?;
    let n = t.shape().get(d).copied().unwrap_or(1) as i64;
    let mut offs = Vec::with_capacity(ix.len());
    let mut err = None;
    for_each_multi_index(index.shape(), |idx, lin| {
        // Unlike `x[idx]`, gather/scatter do not wrap negative indices (PyTorch).
        let v = ix[lin];
        let i = v;
        if (i < 0 || i >= n) && err.is_none() {
            err = Some(v);
        }
        let mut o = t.offset() as isize;
        for (k, &ik) in idx.iter().enumerate() {
            let pos = if k == d { i } else { ik as i64 };
            // Wrapping: an out-of-range index is reported below, its offset unused.
            o = o.wrapping_add((pos as isize).wrapping_mul(t.strides().get(k).copied().unwrap_or(0)));
        }
        offs.push(o);
    });
    if let Some(v) = err {
        bail!(Runtime, "{op}(): index {v} is out of bounds for dimension {d} with size {n}");
    }
    Ok(offs)
}

pub fn gather(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let d = check_gather("gather", t, dim, index)?;
    let offs = gather_offsets("gather", t, d, index)?;
    let out = t.try_new_zeros("gather", t.dtype(), index.shape())?;
    backend_of(&out).gather(&out, t, &offs, &Layout::contiguous(&[]));
    Ok(out)
}

/// In-place `scatter_`/`scatter_add_`: `t[index[i]][j] (op)= src[i][j]` along `dim`.
pub fn scatter_(t: &Tensor, dim: i64, index: &Tensor, src: Arg, mode: ScatterMode) -> Result<()> {
    let op = match mode {
        ScatterMode::Assign => "scatter_",
        ScatterMode::Add => "scatter_add_",
    };
    let d = check_gather(op, t, dim, index)?;
    check_no_internal_overlap(op, t)?;
    t.storage().check_writable(op)?;
    let offs = gather_offsets(op, t, d, index)?;
    let vals = match src {
        Arg::T(s) => {
            if s.dtype() != t.dtype() {
                bail!(Runtime, "{op}(): Expected self.dtype to be equal to src.dtype ({} vs {})", t.dtype(), s.dtype());
            }
            let ok = (0..index.ndim()).all(|k| index.shape()[k] <= s.shape().get(k).copied().unwrap_or(1));
            if !ok {
                bail!(
                    Runtime,
                    "{op}(): Expected index {} to be smaller than src {}",
                    fmt_shape(index.shape()),
                    fmt_shape(s.shape())
                );
            }
            // The src elements at the index's positions, row-major.
            let items: Vec<IndexItem> =
                index.shape().iter().map(|&n| IndexItem::Slice(Some(0), Some(n as i64), 1)).collect();
            crate::ops::index::index(s, &items)?.contiguous()
        }
        Arg::S(v) => {
            v.check_fits(op, t.dtype())?;
            let s = Tensor::scalar(v, t.dtype());
            s.view_of(s.layout().expand(op, &index.shape().iter().map(|&d| d as i64).collect::<Vec<_>>())?).contiguous()
        }
    };
    // `src` may be `t` itself: read it in full before anything is written.
    let vals = super::unalias_all(to_device(&vals, t.device())?, t);
    backend_of(t).scatter(t, &vals, &offs, &Layout::contiguous(&[]), mode);
    t.storage().bump_version(op);
    Ok(())
}
