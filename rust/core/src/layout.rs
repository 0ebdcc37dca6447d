//! Shapes, signed strides and the pure view maths over them.
//!
//! A [`Layout`] maps an n-d index `i` to the storage element
//! `offset + Σ i[k] * strides[k]`. Its fields are private; every value of the
//! type satisfies (NOTE [Checked sizes]):
//!
//! 1. `shape.len() == strides.len()`;
//! 2. at most `i64::MAX` elements;
//! 3. if it has elements, every one it reaches has a storage index in
//!    `0..=isize::MAX`.
//!
//! `Layout::new` and `try_contiguous` check these on user-given parts
//! (`as_strided`, NumPy imports); the view maths below derive a layout from a
//! valid one and keep every result inside the elements of its input, so
//! they hold by construction (debug builds re-check). Whether a layout fits a
//! particular storage (`fits_in`) is checked when a tensor is made from it.
//! Property tests: `tests/layout_props.rs`.
//!
//! Strides are signed (NOTE [Signed strides]): `flip` and `x[::-1]` are views and
//! NumPy arrays with negative strides are imported without copying.

use crate::bail;
use crate::checked;
use crate::error::{Error, Result};
use smallvec::SmallVec;

pub type Dims = SmallVec<[usize; 6]>;
pub type Strides = SmallVec<[isize; 6]>;

#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Dims,
    strides: Strides,
    offset: usize,
}

// By hand: `SmallVec::clone` goes through a generic iterator; `from_slice` is a
// memcpy. Layouts are cloned on every view op, so this is on the hot path.
impl Clone for Layout {
    fn clone(&self) -> Layout {
        Layout {
            shape: SmallVec::from_slice(&self.shape),
            strides: SmallVec::from_slice(&self.strides),
            offset: self.offset,
        }
    }
}

/// Row-major strides for `shape`. Saturating: the strides of a shape whose
/// element count overflows are never used to reach an element (such a shape
/// is either rejected by [`checked::numel`] or has an empty dimension).
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = SmallVec::from_elem(0, shape.len());
    let mut acc = 1isize;
    for k in (0..shape.len()).rev() {
        strides[k] = acc;
        acc = acc.saturating_mul(shape[k].max(1).min(isize::MAX as usize) as isize);
    }
    strides
}

/// The element count of a shape that is already known to be valid (the shape
/// of an existing layout). Shapes from users go through [`checked::numel`].
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Formats a shape the way PyTorch messages do: `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// Normalises a possibly negative `dim` for a tensor of rank `ndim`.
/// Like PyTorch, a 0-d tensor accepts dims -1 and 0.
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        bail!(Index, "Dimension out of range (expected to be in range of [{}, {}], but got {dim})", -n, n - 1);
    }
    Ok(if dim < 0 { (dim + n) as usize } else { dim as usize })
}

/// Like [`wrap_dim`] for positions where a new dim may be inserted (`unsqueeze`).
pub fn wrap_insert_dim(dim: i64, ndim: usize) -> Result<usize> {
    wrap_dim(dim, ndim + 1)
}

/// The broadcast shape of two shapes (NumPy's rules), or PyTorch's error.
pub fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = SmallVec::from_elem(0, n);
    for k in 0..n {
        let da = if k + a.len() >= n { a[k + a.len() - n] } else { 1 };
        let db = if k + b.len() >= n { b[k + b.len() - n] } else { 1 };
        out[k] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            bail!(
                Runtime,
                "{op}: the size of tensor a ({da}) must match the size of tensor b ({db}) at \
                 non-singleton dimension {k}; shapes {} and {} cannot be broadcast together",
                fmt_shape(a),
                fmt_shape(b)
            );
        };
    }
    Ok(out)
}

impl Layout {
    /// A layout from user-given parts (`as_strided`, an imported NumPy array),
    /// checked against the invariants of the type: equal ranks, at most
    /// `i64::MAX` elements, every reachable index in `0..=isize::MAX`. Whether it
    /// fits a particular storage is checked when a tensor is made from it.
    pub fn new(op: &str, shape: &[usize], strides: &[isize], offset: usize) -> Result<Layout> {
        if shape.len() != strides.len() {
            bail!(Runtime, "{op}: mismatch in length of strides and shape ({} vs {})", strides.len(), shape.len());
        }
        checked::numel(op, shape)?;
        if let Some((lo, hi)) = checked::extent(shape, strides, offset) {
            if lo < 0 || hi > isize::MAX as i128 {
                bail!(
                    Runtime,
                    "{op}: sizes {}, strides {strides:?} and storage offset {offset} reach storage index {} , \
                     outside any possible storage",
                    fmt_shape(shape),
                    if lo < 0 { lo } else { hi }
                );
            }
        } else if offset > isize::MAX as usize {
            bail!(Runtime, "{op}: storage offset {offset} is out of range");
        }
        Ok(Layout { shape: Dims::from_slice(shape), strides: Strides::from_slice(strides), offset })
    }

    /// Made by the view maths below from a valid layout; valid by construction.
    fn derived(shape: Dims, strides: Strides, offset: usize) -> Layout {
        let l = Layout { shape, strides, offset };
        debug_assert!(Layout::new("derived", &l.shape, &l.strides, l.offset).is_ok(), "invalid layout {l:?}");
        l
    }

    /// The row-major layout of `shape`, or PyTorch's error if its element count
    /// overflows.
    pub fn try_contiguous(op: &str, shape: &[usize]) -> Result<Layout> {
        checked::numel(op, shape)?;
        Ok(Layout { shape: Dims::from_slice(shape), strides: contiguous_strides(shape), offset: 0 })
    }

    /// Like [`Layout::try_contiguous`] for shapes that come from existing
    /// tensors; an overflowing shape raises (NOTE [Errors that unwind]).
    pub fn contiguous(shape: &[usize]) -> Layout {
        checked::or_throw(Layout::try_contiguous("contiguous", shape))
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Storage index of element `[0, 0, ...]`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }

    /// PyTorch's `is_contiguous`: row-major, ignoring the strides of size-1 dims.
    pub fn is_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let mut expected = 1isize;
        for k in (0..self.ndim()).rev() {
            let d = self.shape[k];
            if d != 1 {
                if self.strides[k] != expected {
                    return false;
                }
                expected *= d as isize;
            }
        }
        true
    }

    /// The lowest and highest storage element this layout reaches, if any.
    /// Both fit in `isize` (invariant of the type).
    pub fn extent(&self) -> Option<(isize, isize)> {
        checked::extent(&self.shape, &self.strides, self.offset).map(|(lo, hi)| (lo as isize, hi as isize))
    }

    /// True when every element this layout reaches lies in a storage of
    /// `storage_len` elements.
    pub fn fits_in(&self, storage_len: usize) -> bool {
        match self.extent() {
            None => true,
            Some((lo, hi)) => lo >= 0 && (hi as usize) < storage_len,
        }
    }

    /// True when two distinct indices may reach the same element (stride 0 on a
    /// dim of size > 1, or strides that interleave). Conservative: it may say
    /// true for exotic `as_strided` layouts that do not actually overlap.
    pub fn may_overlap(&self) -> bool {
        let mut dims: SmallVec<[(usize, usize); 6]> = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&d, _)| d > 1)
            .map(|(&d, &s)| (d, s.unsigned_abs()))
            .collect();
        dims.sort_by_key(|&(_, s)| s);
        let mut span = 0usize; // highest offset reachable by the smaller-stride dims
        for (d, s) in dims {
            if s == 0 || s <= span {
                return true;
            }
            span += (d - 1) * s;
        }
        false
    }

    /// Element offset of a multi-index. Callers index in range; an index out
    /// of range gives a meaningless (but non-overflowing) number, and
    /// `Tensor`'s accessors never dereference one.
    pub fn offset_of(&self, index: &[usize]) -> isize {
        let mut off = self.offset as isize;
        for (i, s) in index.iter().zip(&self.strides) {
            off = off.wrapping_add((*i as isize).wrapping_mul(*s));
        }
        off
    }

    pub fn permute(&self, dims: &[usize]) -> Result<Layout> {
        let n = self.ndim();
        let mut seen: SmallVec<[bool; 6]> = SmallVec::from_elem(false, n);
        if dims.len() != n {
            bail!(
                Runtime,
                "permute(sparse_coo): number of dimensions in the tensor input does not match \
                 the length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {}",
                dims.len()
            );
        }
        for &d in dims {
            if d >= n || seen[d] {
                bail!(Runtime, "permute(): duplicate or out-of-range dims {dims:?} for a tensor of rank {n}");
            }
            seen[d] = true;
        }
        Ok(Layout::derived(
            dims.iter().map(|&d| self.shape[d]).collect(),
            dims.iter().map(|&d| self.strides[d]).collect(),
            self.offset,
        ))
    }

    /// Swaps two dims (already wrapped by the caller; out-of-range dims panic).
    pub fn transpose(&self, d0: usize, d1: usize) -> Layout {
        let mut l = self.clone();
        if self.ndim() > 0 {
            l.shape.swap(d0, d1);
            l.strides.swap(d0, d1);
        }
        l
    }

    /// `x[start::step]` along `dim`, keeping `len` elements; `step` may be
    /// negative (NOTE [Signed strides]). Checked: every kept index must lie in
    /// the dim.
    pub fn slice(&self, dim: usize, start: usize, len: usize, step: isize) -> Result<Layout> {
        let mut l = self.clone();
        l.slice_in_place(dim, start, len, step)?;
        Ok(l)
    }

    pub fn slice_in_place(&mut self, dim: usize, start: usize, len: usize, step: isize) -> Result<()> {
        let Some(&size) = self.shape.get(dim) else {
            bail!(Index, "slice: dim {dim} is out of range for a tensor of rank {}", self.ndim());
        };
        if step == 0 {
            bail!(Value, "slice step cannot be zero");
        }
        if len > 0 {
            let last = start as i128 + (len as i128 - 1) * step as i128;
            if start >= size || last < 0 || last >= size as i128 {
                bail!(
                    Index,
                    "slice: {len} elements from index {start} with step {step} leave dimension {dim} of size {size}"
                );
            }
            self.offset = (self.offset as isize + start as isize * self.strides[dim]) as usize;
        } else if start <= size {
            // PyTorch keeps the start as the offset of an empty slice
            // (`zeros(4)[1:1].storage_offset() == 1`), when it is a valid index.
            let moved =
                (start as isize).checked_mul(self.strides[dim]).and_then(|d| (self.offset as isize).checked_add(d));
            if let Some(o) = moved.filter(|&o| o >= 0) {
                self.offset = o as usize;
            }
        }
        // Cannot overflow when len > 1 (the product is within the extent); for
        // len <= 1 the stride is never used to reach an element.
        self.strides[dim] = self.strides[dim].checked_mul(step).unwrap_or(self.strides[dim]);
        self.shape[dim] = len;
        Ok(())
    }

    pub fn narrow(&self, op: &str, dim: usize, start: i64, length: i64) -> Result<Layout> {
        let size = self.shape[dim] as i64;
        if start < -size || start > size {
            bail!(Index, "{op}: start out of range (expected to be in range of [{}, {size}], but got {start})", -size);
        }
        let start = if start < 0 { start + size } else { start };
        if length < 0 {
            bail!(Runtime, "{op}: length must be non-negative, got {length}");
        }
        if length > size - start {
            bail!(
                Runtime,
                "{op}: start ({start}) + length ({length}) exceeds dimension size ({size}) of a tensor of shape {}",
                fmt_shape(&self.shape)
            );
        }
        self.slice(dim, start as usize, length as usize, 1)
    }

    pub fn select(&self, dim: usize, index: i64) -> Result<Layout> {
        let mut l = self.clone();
        l.select_in_place(dim, index)?;
        Ok(l)
    }

    pub fn select_in_place(&mut self, dim: usize, index: i64) -> Result<()> {
        let Some(&size) = self.shape.get(dim) else {
            bail!(Index, "select: dim {dim} is out of range for a tensor of rank {}", self.ndim());
        };
        let size = size as i64;
        let i = if index < 0 { index.saturating_add(size) } else { index };
        if i < 0 || i >= size {
            bail!(Index, "index {index} is out of bounds for dimension {dim} with size {size}");
        }
        self.offset = (self.offset as isize + i as isize * self.strides[dim]) as usize;
        self.shape.remove(dim);
        self.strides.remove(dim);
        Ok(())
    }

    /// Inserts a size-1 dim at `dim` (already wrapped by the caller).
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        // Any stride is valid for a size-1 dim; this one keeps the result
        // contiguous whenever the input was.
        let s = if dim < self.ndim() { self.strides[dim].saturating_mul(self.shape[dim] as isize) } else { 1 };
        l.shape.insert(dim, 1);
        l.strides.insert(dim, s);
        l
    }

    /// Removes the given dims when they have size 1 (PyTorch ignores the others).
    pub fn squeeze(&self, dims: Option<&[usize]>) -> Layout {
        let mut l = Layout { shape: Dims::new(), strides: Strides::new(), offset: self.offset };
        for k in 0..self.ndim() {
            let listed = dims.is_none_or(|ds| ds.contains(&k));
            if !(listed && self.shape[k] == 1) {
                l.shape.push(self.shape[k]);
                l.strides.push(self.strides[k]);
            }
        }
        l
    }

    /// Broadcast to `shape` (stride 0 for new and size-1 dims). `-1` keeps a size.
    pub fn expand(&self, op: &str, shape: &[i64]) -> Result<Layout> {
        let n = shape.len();
        if n < self.ndim() {
            bail!(
                Runtime,
                "{op}: the number of sizes provided ({n}) must be greater or equal to the number \
                 of dimensions in the tensor ({}), shape {}",
                self.ndim(),
                fmt_shape(&self.shape)
            );
        }
        let lead = n - self.ndim();
        let mut l = Layout { shape: Dims::new(), strides: Strides::new(), offset: self.offset };
        for (k, &want) in shape.iter().enumerate() {
            if k < lead {
                if want < 0 {
                    bail!(Runtime, "{op}: the expanded size of the tensor ({want}) isn't allowed in a leading, non-existing dimension {k}");
                }
                l.shape.push(want as usize);
                l.strides.push(0);
                continue;
            }
            let (have, stride) = (self.shape[k - lead], self.strides[k - lead]);
            if want == -1 || want as usize == have {
                l.shape.push(have);
                l.strides.push(stride);
            } else if have == 1 && want >= 0 {
                l.shape.push(want as usize);
                l.strides.push(0);
            } else {
                bail!(
                    Runtime,
                    "{op}: the expanded size of the tensor ({want}) must match the existing size ({have}) \
                     at non-singleton dimension {k}. Target sizes: {shape:?}. Tensor sizes: {}",
                    fmt_shape(&self.shape)
                );
            }
        }
        checked::numel(op, &l.shape)?;
        Ok(l)
    }

    /// The same layout with a different shape and strides (from
    /// [`Layout::view_strides`]), reaching the same elements.
    pub fn with_shape(&self, shape: &[usize], strides: Strides) -> Layout {
        Layout::derived(shape.into(), strides, self.offset)
    }

    /// Strides for viewing this layout as `shape` without copying, if possible
    /// (PyTorch's `computeStride`: dims may only be split or merged inside runs
    /// of memory-contiguous dims).
    pub fn view_strides(&self, shape: &[usize]) -> Option<Strides> {
        let numel = self.numel();
        if numel == 0 || self.ndim() == 0 {
            return Some(contiguous_strides(shape));
        }
        let mut new_strides: Strides = SmallVec::from_elem(0, shape.len());
        let mut view_d = shape.len() as isize - 1;
        let mut chunk_base = *self.strides.last().unwrap();
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..self.ndim()).rev() {
            tensor_numel *= self.shape[tensor_d];
            let chunk_ends = tensor_d == 0
                || (self.shape[tensor_d - 1] != 1
                    && self.strides[tensor_d - 1] as i128 != tensor_numel as i128 * chunk_base as i128);
            if chunk_ends {
                while view_d >= 0 && (view_numel < tensor_numel || shape[view_d as usize] == 1) {
                    new_strides[view_d as usize] = (view_numel as isize).saturating_mul(chunk_base);
                    view_numel *= shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base = self.strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }

    pub fn flip(&self, dims: &[usize]) -> Layout {
        let mut l = self.clone();
        for &d in dims {
            if self.shape[d] > 0 {
                l.offset = (l.offset as isize + (self.shape[d] as isize - 1) * self.strides[d]) as usize;
            }
            l.strides[d] = -self.strides[d];
        }
        l
    }

    pub fn diagonal(&self, offset: i64, d1: usize, d2: usize) -> Result<Layout> {
        if d1 == d2 {
            bail!(Runtime, "diagonal dimensions cannot be identical {d1}, {d2}");
        }
        let (n1, n2, off) = (self.shape[d1] as i128, self.shape[d2] as i128, offset as i128);
        let len = if off >= 0 { n1.min(n2 - off) } else { (n1 + off).min(n2) }.max(0) as usize;
        let mut start = self.offset as isize;
        if len > 0 {
            start += if off >= 0 { off as isize * self.strides[d2] } else { (-off) as isize * self.strides[d1] };
        }
        let mut l = Layout { shape: Dims::new(), strides: Strides::new(), offset: start as usize };
        for k in 0..self.ndim() {
            if k != d1 && k != d2 {
                l.shape.push(self.shape[k]);
                l.strides.push(self.strides[k]);
            }
        }
        l.shape.push(len);
        // Saturating: the sum can only overflow when len <= 1, where it is unused.
        l.strides.push(self.strides[d1].saturating_add(self.strides[d2]));
        Ok(l)
    }

    /// The layout with `dim` removed (the outer loop of a reduction along it).
    pub fn without_dim(&self, dim: usize) -> Layout {
        let mut l = self.clone();
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }

    /// The layout restricted to its first `k` dims (the batch dims of a matmul).
    pub fn leading(&self, k: usize) -> Layout {
        Layout::derived(self.shape[..k].into(), self.strides[..k].into(), self.offset)
    }
}

/// Resolves a single `-1` in a requested shape (`view(-1, 5)`).
pub fn infer_shape(op: &str, requested: &[i64], numel: usize, from: &[usize]) -> Result<Dims> {
    let mut infer = None;
    let mut known = 1usize;
    let invalid = || {
        Error::runtime(format!(
            "{op}: shape '{requested:?}' is invalid for input of size {numel} (input shape {})",
            fmt_shape(from)
        ))
    };
    for (k, &d) in requested.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                bail!(Runtime, "{op}: only one dimension can be inferred");
            }
            infer = Some(k);
        } else if d < 0 {
            bail!(Runtime, "{op}: invalid shape dimension {d}");
        } else {
            // Saturating: a product past `numel` is invalid however far past it is.
            known = known.saturating_mul(d as usize);
        }
    }
    if requested.contains(&0) {
        known = 0;
    }
    let mut shape: Dims = requested.iter().map(|&d| d.max(0) as usize).collect();
    match infer {
        Some(k) => {
            if known == 0 || numel % known != 0 {
                return Err(invalid());
            }
            shape[k] = numel / known;
        }
        None if known != numel => return Err(invalid()),
        None => {}
    }
    Ok(shape)
}

impl From<Error> for String {
    fn from(e: Error) -> String {
        e.msg
    }
}

/// Calls `f(index, linear)` for every multi-index of `shape` in row-major order.
pub fn for_each_multi_index(shape: &[usize], mut f: impl FnMut(&[usize], usize)) {
    let n: usize = shape.iter().product();
    let mut idx = vec![0usize; shape.len()];
    for lin in 0..n {
        f(&idx, lin);
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
}
