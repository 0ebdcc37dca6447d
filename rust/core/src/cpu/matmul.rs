//! Matrix products: the `gemm` crate for f32/f64/f16 (any strides, runtime
//! SIMD dispatch, threads), a plain loop for the other dtypes.

use crate::dtype::{Compute, DType, Element};
use crate::iter::Plan;
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
pub fn batched_matmul(out: &Tensor, a: &Tensor, b: &Tensor, d: MatDims) {
    let nb = out.ndim() - 2;
    let batch: Vec<usize> = out.shape()[..nb].to_vec();
    let sub =
        |t: &Tensor| Layout { shape: batch.clone().into(), strides: t.strides()[..nb].into(), offset: t.offset() };
    let (lo, la, lb) = (sub(out), sub(a), sub(b));
    let (sa, sb, so) = (&a.strides()[nb..], &b.strides()[nb..], &out.strides()[nb..]);
    let plan = Plan::new(&batch, [&lo, &la, &lb], 0);
    let dt = out.dtype();
    // Large single products use every thread inside gemm; many small ones run one
    // after another (each is too small to be worth splitting).
    // Waking the pool costs tens of microseconds: only worth it for big products.
    let par = d.m * d.n * d.k >= 128 * 128 * 128 && crate::threads::num_threads() > 1;
    let run = || {
        plan.for_each(|offs, len, st| {
            for i in 0..len as isize {
                let (oo, oa, ob) = (offs[0] + i * st[0], offs[1] + i * st[1], offs[2] + i * st[2]);
                match dt {
                    DType::F32 => gemm_one::<f32>(out, a, b, [oo, oa, ob], [so, sa, sb], d, par),
                    DType::F64 => gemm_one::<f64>(out, a, b, [oo, oa, ob], [so, sa, sb], d, par),
                    DType::F16 => gemm_one::<half::f16>(out, a, b, [oo, oa, ob], [so, sa, sb], d, par),
                    _ => crate::with_dtype!(dt, T, naive::<T>(out, a, b, [oo, oa, ob], [so, sa, sb], d)),
                }
            }
        })
    };
    // Entering the pool hands the work to a worker thread and parks this one:
    // two context switches (~10 µs), paid only when gemm will really split.
    if par {
        crate::threads::install(run)
    } else {
        run()
    }
}

fn gemm_one<T: Element>(
    out: &Tensor,
    a: &Tensor,
    b: &Tensor,
    offs: [isize; 3],
    st: [&[isize]; 3],
    d: MatDims,
    par: bool,
) {
    let zero = T::from_f64(0.0);
    let one = T::from_f64(1.0);
    let parallelism = if par { gemm::Parallelism::Rayon(0) } else { gemm::Parallelism::None };
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
            parallelism,
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
