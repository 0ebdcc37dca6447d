//! Gather/scatter kernels driven by precomputed element offsets.

use crate::backend::cpu::iter::Plan;
use crate::backend::ScatterMode;
use crate::dtype::{Compute, Element};
use crate::layout::Layout;
use crate::tensor::Tensor;

/// For each `b`, copies the sub-tensor of `src` at `offsets[b] + rest` into
/// `dst` at `b * rest.numel()` (dst is contiguous and fresh).
pub(crate) fn gather_blocks(dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout) {
    crate::with_dtype!(src.dtype(), T, gather_blocks_t::<T>(dst, src, offsets, rest))
}

fn gather_blocks_t<T: Element>(dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout) {
    let (pd, ps) = (dst.base::<T>(), src.base::<T>());
    let block = rest.numel();
    if block == 1 {
        for (b, &o) in offsets.iter().enumerate() {
            // SAFETY: offsets (relative to `rest`'s offset) were bounds-checked
            // against src's layout by the op; dst has one slot per offset.
            unsafe { *pd.add(dst.offset() + b) = *ps.offset(rest.offset() as isize + o) };
        }
        return;
    }
    let out_layout = Layout::contiguous(rest.shape());
    let plan = Plan::new(rest.shape(), [&out_layout, rest], 0);
    for (b, &o) in offsets.iter().enumerate() {
        let base_d = (dst.offset() + b * block) as isize;
        plan.for_each(|offs, len, st| {
            for i in 0..len as isize {
                // SAFETY: as above; `rest` addresses elements relative to `o`.
                unsafe { *pd.offset(base_d + offs[0] + i * st[0]) = *ps.offset(o + offs[1] + i * st[1]) };
            }
        });
    }
}

/// The inverse of [`gather_blocks`]: writes block `b` of the contiguous `src`
/// into `dst` at `offsets[b] + rest`, in order: later blocks win on duplicate
/// offsets (`Set`) or add to what is there (`Add`).
pub(crate) fn scatter_blocks(dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout, mode: ScatterMode) {
    crate::with_dtype!(
        src.dtype(),
        T,
        match mode {
            ScatterMode::Assign => scatter_blocks_t::<T>(dst, src, offsets, rest, |_, x| x),
            ScatterMode::Add =>
                scatter_blocks_t::<T>(dst, src, offsets, rest, |o, x| T::from_c(o.to_c().add(x.to_c()))),
        }
    )
}

fn scatter_blocks_t<T: Element>(dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout, f: impl Fn(T, T) -> T) {
    let (pd, ps) = (dst.base::<T>(), src.base::<T>());
    let block = rest.numel();
    if block == 1 {
        for (b, &o) in offsets.iter().enumerate() {
            // SAFETY: offsets were bounds-checked against dst's layout by the
            // op; src is contiguous with one element per offset.
            unsafe {
                let slot = pd.offset(rest.offset() as isize + o);
                *slot = f(*slot, *ps.add(src.offset() + b));
            }
        }
        return;
    }
    let src_layout = Layout::contiguous(rest.shape());
    let plan = Plan::new(rest.shape(), [rest, &src_layout], 0);
    for (b, &o) in offsets.iter().enumerate() {
        let base_s = (src.offset() + b * block) as isize;
        plan.for_each(|offs, len, st| {
            for i in 0..len as isize {
                // SAFETY: offsets were bounds-checked against dst's layout by the op.
                unsafe {
                    let slot = pd.offset(o + offs[0] + i * st[0]);
                    *slot = f(*slot, *ps.offset(base_s + offs[1] + i * st[1]));
                }
            }
        });
    }
}
