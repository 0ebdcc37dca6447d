//! Elementwise maps over 1, 2 or 3 inputs, driven by the strided walker.

use crate::backend::cpu::iter::{Plan, SendPtr};
use crate::dtype::{cast, Element};
use crate::tensor::{Scalar, Tensor};

/// Small all-contiguous operands skip the planner: the common case of small-op
/// overhead (`a + b` on a 3×3) is dominated by bookkeeping, not arithmetic.
fn small_contiguous(ts: &[&Tensor]) -> bool {
    ts[0].numel() < crate::backend::cpu::iter::PAR_MIN && ts.iter().all(|t| t.is_contiguous())
}

/// Writes `f(a)` into `out`. `a` has `out`'s shape (possibly as a broadcast view).
pub(crate) fn map1<A: Element, O: Element>(out: &Tensor, a: &Tensor, f: impl Fn(A) -> O + Sync) {
    if small_contiguous(&[out, a]) {
        // SAFETY: both tensors are contiguous with `n` elements from their offsets.
        unsafe {
            let (o, a) = (out.base::<O>().add(out.offset()), a.base::<A>().add(a.offset()));
            for i in 0..out.numel() {
                *o.add(i) = f(*a.add(i));
            }
        }
        return;
    }
    let plan = Plan::new(out.shape(), [out.layout(), a.layout()], 0);
    let (po, pa) = (SendPtr(out.base::<O>()), SendPtr(a.base::<A>()));
    let body = |offs: [isize; 2], len: usize, st: [isize; 2]| {
        // SAFETY: the plan only yields offsets inside each operand's layout, which
        // fits its storage (Layout invariant 3); each output element belongs to
        // exactly one run, so concurrent runs never write the same element.
        unsafe {
            let o = po.get().offset(offs[0]);
            let a = pa.get().offset(offs[1]);
            if st == [1, 1] {
                for i in 0..len {
                    *o.add(i) = f(*a.add(i));
                }
            } else {
                for i in 0..len as isize {
                    *o.offset(i * st[0]) = f(*a.offset(i * st[1]));
                }
            }
        }
    };
    run(out, &plan, body);
}

/// Writes `f(a, b)` into `out`; `a` and `b` have `out`'s shape.
pub(crate) fn map2<A: Element, B: Element, O: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(A, B) -> O + Sync,
) {
    if small_contiguous(&[out, a, b]) {
        // SAFETY: all three are contiguous with `n` elements from their offsets;
        // element i is read from the inputs before it is written to the output.
        unsafe {
            let o = out.base::<O>().add(out.offset());
            let (a, b) = (a.base::<A>().add(a.offset()), b.base::<B>().add(b.offset()));
            for i in 0..out.numel() {
                *o.add(i) = f(*a.add(i), *b.add(i));
            }
        }
        return;
    }
    let plan = Plan::new(out.shape(), [out.layout(), a.layout(), b.layout()], 0);
    let (po, pa, pb) = (SendPtr(out.base::<O>()), SendPtr(a.base::<A>()), SendPtr(b.base::<B>()));
    let body = |offs: [isize; 3], len: usize, st: [isize; 3]| {
        // SAFETY: as in `map1`. The in-place branch makes one `&mut` slice over an
        // output run that is exactly the `a` run (same address and dtype, checked)
        // and disjoint from the `b` run (checked), so nothing else aliases it.
        unsafe {
            let o = po.get().offset(offs[0]);
            let a = pa.get().offset(offs[1]);
            let b = pb.get().offset(offs[2]);
            match st {
                // In place (`a += b`): the output is the first input. The generic
                // loop below would not vectorise (the compiler's overlap check
                // fails), so the run is handled as one mutable slice.
                [1, 1, 1] if A::DTYPE == O::DTYPE && o as *const u8 == a as *const u8 && !overlaps(o, b, len) => {
                    let os = std::slice::from_raw_parts_mut(o as *mut A, len);
                    let bs = std::slice::from_raw_parts(b, len);
                    for (x, &y) in os.iter_mut().zip(bs) {
                        *(x as *mut A as *mut O) = f(*x, y);
                    }
                }
                [1, 1, 1] => {
                    for i in 0..len {
                        *o.add(i) = f(*a.add(i), *b.add(i));
                    }
                }
                [1, 1, 0] => {
                    let bv = *b;
                    for i in 0..len {
                        *o.add(i) = f(*a.add(i), bv);
                    }
                }
                [1, 0, 1] => {
                    let av = *a;
                    for i in 0..len {
                        *o.add(i) = f(av, *b.add(i));
                    }
                }
                _ => {
                    for i in 0..len as isize {
                        *o.offset(i * st[0]) = f(*a.offset(i * st[1]), *b.offset(i * st[2]));
                    }
                }
            }
        }
    };
    run(out, &plan, body);
}

/// Whether `len` elements at `o` and at `b` share any byte.
fn overlaps<O, B>(o: *mut O, b: *mut B, len: usize) -> bool {
    let (o0, b0) = (o as usize, b as usize);
    let (o1, b1) = (o0 + len * std::mem::size_of::<O>(), b0 + len * std::mem::size_of::<B>());
    o0 < b1 && b0 < o1
}

/// Writes `f(a, b, c)` into `out`; all inputs have `out`'s shape.
pub(crate) fn map3<A: Element, B: Element, C: Element, O: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    c: &Tensor,
    f: impl Fn(A, B, C) -> O + Sync,
) {
    let plan = Plan::new(out.shape(), [out.layout(), a.layout(), b.layout(), c.layout()], 0);
    let ptrs = (SendPtr(out.base::<O>()), SendPtr(a.base::<A>()), SendPtr(b.base::<B>()), SendPtr(c.base::<C>()));
    let body = |offs: [isize; 4], len: usize, st: [isize; 4]| {
        // SAFETY: as in `map1`.
        unsafe {
            let o = ptrs.0.get().offset(offs[0]);
            let a = ptrs.1.get().offset(offs[1]);
            let b = ptrs.2.get().offset(offs[2]);
            let c = ptrs.3.get().offset(offs[3]);
            for i in 0..len as isize {
                *o.offset(i * st[0]) = f(*a.offset(i * st[1]), *b.offset(i * st[2]), *c.offset(i * st[3]));
            }
        }
    };
    run(out, &plan, body);
}

/// Sets every element of `out` to `value`.
pub(crate) fn fill<T: Element>(out: &Tensor, value: T) {
    let plan = Plan::new(out.shape(), [out.layout()], 0);
    let po = SendPtr(out.base::<T>());
    let body = |offs: [isize; 1], len: usize, st: [isize; 1]| {
        // SAFETY: as in `map1`.
        unsafe {
            let o = po.get().offset(offs[0]);
            for i in 0..len as isize {
                *o.offset(i * st[0]) = value;
            }
        }
    };
    run(out, &plan, body);
}

/// Copies `src` (broadcast to `dst`'s shape) into `dst`, converting dtypes.
pub(crate) fn copy_cast(dst: &Tensor, src: &Tensor) {
    crate::with_dtype!(src.dtype(), S, crate::with_dtype!(dst.dtype(), D, map1::<S, D>(dst, src, cast::<S, D>)))
}

pub(crate) fn fill_scalar(dst: &Tensor, value: Scalar) {
    crate::with_dtype!(dst.dtype(), T, fill::<T>(dst, value.to_elem::<T>()))
}

/// Runs a plan in parallel unless the output may have overlapping elements, in
/// which case two threads could write one element: then it stays serial.
fn run<const N: usize>(out: &Tensor, plan: &Plan<N>, body: impl Fn([isize; N], usize, [isize; N]) + Sync) {
    if !out.is_contiguous() && out.layout().may_overlap() {
        plan.for_each(body)
    } else {
        plan.par_for_each(body)
    }
}
