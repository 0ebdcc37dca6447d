//! Reduction kernels: folds over a set of dims, arg-reductions and scans along one dim.

use crate::backend::cpu::iter::{Plan, SendPtr, PAR_MIN};
use crate::dtype::Element;
use crate::layout::{contiguous_strides, Layout};
use crate::tensor::Tensor;

/// Folds `load(x)` for the elements of `input` over the dims marked in
/// `reduced` with `f`, starting from `init`.
/// Returns one accumulator per kept element, in row-major order of the kept dims.
/// `f` must be associative: runs are folded in 8 interleaved lanes (so the
/// compiler vectorises them) and large inputs are split over threads.
pub(crate) fn fold<T: Element>(
    input: &Tensor,
    reduced: &[bool],
    init: T::C,
    load: impl Fn(T::C) -> T::C + Sync + Copy,
    f: impl Fn(T::C, T::C) -> T::C + Sync + Copy,
) -> Vec<T::C> {
    let shape = input.shape();
    let kept: Vec<usize> = (0..shape.len()).filter(|&k| !reduced[k]).map(|k| shape[k]).collect();
    let out_numel: usize = kept.iter().product();
    let kept_strides = contiguous_strides(&kept);
    let mut acc_strides = Vec::with_capacity(shape.len());
    let mut j = 0;
    for &r in reduced {
        if r {
            acc_strides.push(0);
        } else {
            acc_strides.push(kept_strides[j]);
            j += 1;
        }
    }
    let acc_layout = crate::checked::or_throw(Layout::new("reduce", shape, &acc_strides, 0));
    let plan = Plan::new(shape, [input.layout(), &acc_layout], 0);
    let src = SendPtr(input.base::<T>());
    let work = |acc: &mut Vec<T::C>, piece: Option<&crate::backend::cpu::iter::Piece>| {
        let accp = acc.as_mut_ptr();
        let body = |offs: [isize; 2], len: usize, st: [isize; 2]| {
            // SAFETY: input offsets come from the plan over a valid layout; the
            // accumulator offsets index `acc`, which has one slot per kept element.
            unsafe {
                let p = src.get().offset(offs[0]);
                let a = accp.offset(offs[1]);
                if st[1] == 0 {
                    *a = f(*a, fold_run::<T>(p, len, st[0], init, load, f));
                } else {
                    for i in 0..len as isize {
                        let slot = a.offset(i * st[1]);
                        *slot = f(*slot, load((*p.offset(i * st[0])).to_c()));
                    }
                }
            }
        };
        match piece {
            None => plan.for_each(body),
            Some(pc) => plan.run_piece(pc, body),
        }
    };
    let threads = crate::backend::cpu::threads::num_threads();
    if plan.numel < PAR_MIN || threads <= 1 || out_numel > (1 << 16) {
        let mut acc = filled(out_numel, init);
        work(&mut acc, None);
        return acc;
    }
    let pieces = plan.pieces(threads);
    let partials: Vec<std::sync::Mutex<Vec<T::C>>> =
        pieces.iter().map(|_| std::sync::Mutex::new(filled(out_numel, init))).collect();
    crate::backend::cpu::threads::for_each_index(pieces.len(), |i| {
        let mut acc = partials[i].lock().unwrap_or_else(|e| e.into_inner());
        work(&mut acc, Some(&pieces[i]));
    });
    let partials = partials.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()));
    let mut acc = filled(out_numel, init);
    for part in partials {
        for (a, p) in acc.iter_mut().zip(part) {
            *a = f(*a, p);
        }
    }
    acc
}

/// Runs longer than this are folded pairwise: halves folded separately, then
/// combined. A float32 sum of n elements then errs by O(log n) roundings of
/// a block sum instead of O(n) (`ones(1).expand(10**8).sum()` is exactly
/// 1e8, not 2**24), at the cost of one extra call per 4096 elements.
const PAIRWISE_BLOCK: usize = 4096;

/// `n` copies of `v`; an allocation failure raises (NOTE [Errors that unwind]).
fn filled<C: Copy>(n: usize, v: C) -> Vec<C> {
    let mut acc = crate::checked::or_throw(crate::checked::vec_with_capacity("reduce", n));
    acc.resize(n, v);
    acc
}

/// Folds one run of `len` elements at stride `stride`. `init` must be the
/// identity of `f` (it starts every lane and every pairwise half).
///
/// # Safety
/// `p.offset(i * stride)` must be a valid element for every `i < len`.
#[inline(always)]
unsafe fn fold_run<T: Element>(
    p: *const T,
    len: usize,
    stride: isize,
    init: T::C,
    load: impl Fn(T::C) -> T::C + Copy,
    f: impl Fn(T::C, T::C) -> T::C + Copy,
) -> T::C {
    if len > PAIRWISE_BLOCK {
        let half = (len / 2).next_multiple_of(PAIRWISE_BLOCK).min(len);
        // SAFETY: both halves are sub-runs of the caller's run.
        return unsafe {
            f(
                fold_run_pairwise::<T>(p, half, stride, init, load, f),
                fold_run_pairwise::<T>(p.offset(half as isize * stride), len - half, stride, init, load, f),
            )
        };
    }
    // SAFETY: forwarded.
    unsafe { fold_block::<T>(p, len, stride, init, load, f) }
}

/// [`fold_run`] behind a call boundary (recursion cannot be inlined).
///
/// # Safety
/// As for [`fold_run`].
#[inline(never)]
unsafe fn fold_run_pairwise<T: Element>(
    p: *const T,
    len: usize,
    stride: isize,
    init: T::C,
    load: impl Fn(T::C) -> T::C + Copy,
    f: impl Fn(T::C, T::C) -> T::C + Copy,
) -> T::C {
    // SAFETY: forwarded.
    unsafe { fold_run::<T>(p, len, stride, init, load, f) }
}

/// Folds at most a block: 8 interleaved lanes on unit stride, so the
/// compiler vectorises it.
///
/// # Safety
/// As for [`fold_run`].
#[inline(always)]
unsafe fn fold_block<T: Element>(
    p: *const T,
    len: usize,
    stride: isize,
    init: T::C,
    load: impl Fn(T::C) -> T::C,
    f: impl Fn(T::C, T::C) -> T::C,
) -> T::C {
    const LANES: usize = 8;
    // SAFETY: the caller guarantees every offset read below is valid.
    unsafe {
        if stride == 1 {
            let mut lanes = [init; LANES];
            let full = len / LANES * LANES;
            let mut i = 0;
            while i < full {
                for (l, lane) in lanes.iter_mut().enumerate() {
                    *lane = f(*lane, load((*p.add(i + l)).to_c()));
                }
                i += LANES;
            }
            let mut r = init;
            for lane in lanes {
                r = f(r, lane);
            }
            for k in full..len {
                r = f(r, load((*p.add(k)).to_c()));
            }
            r
        } else {
            let mut r = init;
            for i in 0..len as isize {
                r = f(r, load((*p.offset(i * stride)).to_c()));
            }
            r
        }
    }
}

/// For each line along `dim`, the extreme value and its first index
/// (`better(a, b)` says whether `a` should replace the current best `b`).
pub(crate) fn arg_reduce<T: Element>(
    input: &Tensor,
    dim: usize,
    better: impl Fn(T::C, T::C) -> bool,
) -> (Vec<T>, Vec<i64>) {
    let n = input.shape()[dim];
    let s = input.strides()[dim];
    let outer = input.layout().without_dim(dim);
    let out_layout = Layout::contiguous(outer.shape());
    let m = outer.numel();
    let mut vals: Vec<T> = crate::checked::or_throw(crate::checked::vec_with_capacity("max", m));
    let mut idxs: Vec<i64> = crate::checked::or_throw(crate::checked::vec_with_capacity("max", m));
    idxs.resize(m, 0);
    // SAFETY: filled below for every output slot (n > 0 is checked by the op).
    let vp = vals.spare_capacity_mut().as_mut_ptr() as *mut T;
    let src = input.base::<T>();
    let plan = Plan::new(outer.shape(), [&out_layout, &outer], 0);
    plan.for_each(|offs, len, st| {
        for i in 0..len as isize {
            // SAFETY: offsets from the plan are valid for `input` and `out_layout`;
            // the line along `dim` stays inside `input`'s layout.
            unsafe {
                let base = src.offset(offs[1] + i * st[1]);
                let mut best = (*base).to_c();
                let mut bi = 0i64;
                for k in 1..n as isize {
                    let v = (*base.offset(k * s)).to_c();
                    if better(v, best) {
                        best = v;
                        bi = k as i64;
                    }
                }
                let o = (offs[0] + i * st[0]) as usize;
                *vp.add(o) = T::from_c(best);
                idxs[o] = bi;
            }
        }
    });
    // SAFETY: every one of the `m` slots was written above.
    unsafe { vals.set_len(m) };
    (vals, idxs)
}

/// Inclusive scan along `dim` into the contiguous `out` (same shape as `input`).
pub(crate) fn scan<T: Element>(out: &Tensor, input: &Tensor, dim: usize, f: impl Fn(T::C, T::C) -> T::C) {
    let n = input.shape()[dim];
    let (si, so) = (input.strides()[dim], out.strides()[dim]);
    let outer_in = input.layout().without_dim(dim);
    let outer_out = out.layout().without_dim(dim);
    let (src, dst) = (input.base::<T>(), out.base::<T>());
    let plan = Plan::new(outer_in.shape(), [&outer_out, &outer_in], 0);
    plan.for_each(|offs, len, st| {
        for i in 0..len as isize {
            // SAFETY: both lines stay inside their layouts; `out` is a fresh
            // tensor that does not alias `input`.
            unsafe {
                let pi = src.offset(offs[1] + i * st[1]);
                let po = dst.offset(offs[0] + i * st[0]);
                if n == 0 {
                    continue;
                }
                let mut acc = (*pi).to_c();
                *po = T::from_c(acc);
                for k in 1..n as isize {
                    acc = f(acc, (*pi.offset(k * si)).to_c());
                    *po.offset(k * so) = T::from_c(acc);
                }
            }
        }
    });
}
