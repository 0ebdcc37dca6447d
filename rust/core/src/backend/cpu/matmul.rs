//! Matrix products: our own f32 kernels on x86-64 (NOTE [Own sgemm]), the
//! `gemm` crate for f64/f16 and other CPUs (any strides, runtime SIMD
//! dispatch), a plain loop for the other dtypes. Threads come from our pool
//! (NOTE [Thread pool]).

use super::sgemm;
use crate::backend::cpu::iter::Plan;
use crate::dtype::{Compute, DType, Element};
use crate::layout::Layout;
use crate::tensor::Tensor;

/// One (m×k)·(k×n) product; strides in elements, row then column.
#[derive(Clone, Copy)]
pub struct MatDims {
    pub m: usize,
    pub n: usize,
    pub k: usize,
}

/// `out[b] = a[b] @ b[b]` for every batch index. `out` is contiguous with
/// shape batch + (m, n); `a` and `b` are views with shapes batch + (m, k) and
/// batch + (k, n) (batch dims may be broadcast, stride 0).
pub(crate) fn batched_matmul(out: &Tensor, a: &Tensor, b: &Tensor, d: MatDims) {
    let nb = out.ndim() - 2;
    let batch: Vec<usize> = out.shape()[..nb].to_vec();
    // The batch dims of each operand (a and b may be broadcast to `batch`).
    let sub = |t: &Tensor| crate::checked::or_throw(Layout::new("matmul", &batch, &t.strides()[..nb], t.offset()));
    let (lo, la, lb) = (sub(out), sub(a), sub(b));
    let st = [&out.strides()[nb..], &a.strides()[nb..], &b.strides()[nb..]];
    let mut offsets: Vec<[isize; 3]> = Vec::new();
    Plan::new(&batch, [&lo, &la, &lb], 0).for_each(|offs, len, step| {
        for i in 0..len as isize {
            offsets.push([offs[0] + i * step[0], offs[1] + i * step[1], offs[2] + i * step[2]]);
        }
    });
    let threads = crate::backend::cpu::threads::num_threads();
    // One big product splits itself over the threads (inside `one`); many small
    // ones run a whole product per thread.
    let big = d.m * d.n * d.k >= 96 * 96 * 96;
    if big || offsets.len() == 1 || threads == 1 {
        for &o in &offsets {
            one(out, a, b, o, st, d, threads);
        }
    } else {
        crate::backend::cpu::threads::for_each_index(offsets.len(), |i| one(out, a, b, offsets[i], st, d, 1));
    }
}

/// One product, on up to `threads` threads.
fn one(out: &Tensor, a: &Tensor, b: &Tensor, offs: [isize; 3], st: [&[isize]; 3], d: MatDims, threads: usize) {
    if d.m == 0 || d.n == 0 {
        return;
    }
    let dt = out.dtype();
    if dt == DType::F32 {
        if let Some(isa) = sgemm::detect() {
            let p = sgemm::Problem {
                m: d.m,
                n: d.n,
                k: d.k,
                a: a.base::<f32>().wrapping_offset(offs[1]),
                rsa: st[1][0],
                csa: st[1][1],
                b: b.base::<f32>().wrapping_offset(offs[2]),
                rsb: st[2][0],
                csb: st[2][1],
                c: out.base::<f32>().wrapping_offset(offs[0]),
                rsc: st[0][0],
                csc: st[0][1],
            };
            // SAFETY: `detect` vouched for the ISA; the three pointers address
            // m×k, k×n and m×n matrices inside their storages with these strides
            // (the op checked shapes and layouts); `out` is fresh, so it overlaps
            // neither input and nobody else sees it yet.
            return unsafe { sgemm::sgemm(isa, p, threads) };
        }
    }
    // Other dtypes and CPUs: split C's rows into one block per thread.
    let blocks = if d.m * d.n * d.k >= 96 * 96 * 96 { threads.min(d.m) } else { 1 };
    let rows = d.m.div_ceil(blocks.max(1));
    crate::backend::cpu::threads::for_each_index(d.m.div_ceil(rows), |i| {
        let r0 = (i * rows) as isize;
        let dd = MatDims { m: rows.min(d.m - i * rows), ..d };
        let o = [offs[0] + r0 * st[0][0], offs[1] + r0 * st[1][0], offs[2]];
        match dt {
            DType::F32 => gemm_one::<f32>(out, a, b, o, st, dd),
            DType::F64 => gemm_one::<f64>(out, a, b, o, st, dd),
            DType::F16 => gemm_one::<half::f16>(out, a, b, o, st, dd),
            _ => crate::with_dtype!(dt, T, naive::<T>(out, a, b, o, st, dd)),
        }
    });
}

fn gemm_one<T: Element>(out: &Tensor, a: &Tensor, b: &Tensor, offs: [isize; 3], st: [&[isize]; 3], d: MatDims) {
    let zero = T::from_f64(0.0);
    let one = T::from_f64(1.0);
    // SAFETY: the three pointers address m×n, m×k and k×n matrices inside their
    // tensors' storages with the given strides (the op checked the shapes and the
    // layouts fit their storages); `out` is fresh and does not alias `a` or `b`.
    // With `read_dst = false` gemm never reads the (initialised) output.
    unsafe {
        gemm::gemm::<T>(
            d.m,
            d.n,
            d.k,
            out.base::<T>().offset(offs[0]),
            st[0][1],
            st[0][0],
            false,
            a.base::<T>().offset(offs[1]),
            st[1][1],
            st[1][0],
            b.base::<T>().offset(offs[2]),
            st[2][1],
            st[2][0],
            zero,
            one,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

fn naive<T: Element>(out: &Tensor, a: &Tensor, b: &Tensor, offs: [isize; 3], st: [&[isize]; 3], d: MatDims) {
    let (po, pa, pb) = (out.base::<T>(), a.base::<T>(), b.base::<T>());
    for i in 0..d.m as isize {
        for j in 0..d.n as isize {
            let mut acc = <T::C as Compute>::ZERO;
            for p in 0..d.k as isize {
                // SAFETY: indices stay within the m×k and k×n matrices described above.
                unsafe {
                    let x = (*pa.offset(offs[1] + i * st[1][0] + p * st[1][1])).to_c();
                    let y = (*pb.offset(offs[2] + p * st[2][0] + j * st[2][1])).to_c();
                    acc = acc.add(x.mul(y));
                }
            }
            // SAFETY: (i, j) is inside the output matrix.
            unsafe { *po.offset(offs[0] + i * st[0][0] + j * st[0][1]) = T::from_c(acc) };
        }
    }
}
