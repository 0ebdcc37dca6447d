//! `matmul` and its fixed-rank relatives (`mm`, `bmm`, `mv`, `dot`, `outer`).

use super::{expand_to, to_dtype};
use crate::backend::MatDims;
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;

fn same_dtype(op: &str, a: &Tensor, b: &Tensor) -> Result<DType> {
    if a.dtype() != b.dtype() {
        bail!(
            Runtime,
            "{op}: expected m1 and m2 to have the same dtype, but got: {} != {}",
            a.dtype().name(),
            b.dtype().name()
        );
    }
    if a.dtype() == DType::Bool {
        bail!(Runtime, "{op}: \"addmm_impl_cpu_\" not implemented for 'Bool'");
    }
    Ok(a.dtype())
}

/// `torch.matmul` with NumPy's rules for 1-d operands and batch broadcasting.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let dt = same_dtype("matmul", a, b)?;
    super::check_same_device("matmul", &[super::Arg::T(a), super::Arg::T(b)])?;
    let (ra, rb) = (a.ndim(), b.ndim());
    if ra == 0 || rb == 0 {
        bail!(
            Runtime,
            "matmul: both arguments need at least 1 dimension, but got {}D and {}D tensors (shapes {} and {})",
            ra,
            rb,
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        );
    }
    // Promote 1-d operands to matrices, remember which dims to drop afterwards.
    let a2 = if ra == 1 { a.view_of(a.layout().unsqueeze(0)) } else { a.clone() };
    let b2 = if rb == 1 { b.view_of(b.layout().unsqueeze(1)) } else { b.clone() };
    let (m, k) = (a2.shape()[a2.ndim() - 2], a2.shape()[a2.ndim() - 1]);
    let (k2, n) = (b2.shape()[b2.ndim() - 2], b2.shape()[b2.ndim() - 1]);
    if k != k2 {
        bail!(
            Runtime,
            "matmul: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}); input shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        );
    }
    let batch = broadcast_shapes("matmul", &a2.shape()[..a2.ndim() - 2], &b2.shape()[..b2.ndim() - 2])?;
    let mut sa = batch.to_vec();
    sa.extend([m, k]);
    let mut sb = batch.to_vec();
    sb.extend([k, n]);
    let mut so = batch.to_vec();
    so.extend([m, n]);
    let ea = expand_to("matmul", &a2, &sa)?;
    let eb = expand_to("matmul", &b2, &sb)?;
    let out = if k > 0 {
        // SAFETY: batched_matmul writes every element of `out` when k > 0.
        unsafe { Tensor::for_overwrite(a.device(), dt, &so) }
    } else {
        a.try_new_zeros("matmul", dt, &so)?
    };
    if m * n > 0 && k > 0 {
        super::backend_of(&out).matmul(&out, &ea, &eb, MatDims { m, n, k });
    }
    let mut shape = batch.to_vec();
    if ra > 1 {
        shape.push(m);
    }
    if rb > 1 {
        shape.push(n);
    }
    let shape: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    super::shape::view(&out, &shape)
}

fn check_rank(op: &str, t: &Tensor, rank: usize, what: &str) -> Result<()> {
    if t.ndim() != rank {
        bail!(
            Runtime,
            "{op}: {what} must be a {rank}D tensor, but got a {}D tensor of shape {}",
            t.ndim(),
            fmt_shape(t.shape())
        );
    }
    Ok(())
}

/// The rank rules of `mm`, `bmm`, `mv`, `dot` (which otherwise are `matmul`) and `outer`.
pub fn check(name: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    match name {
        "mm" => {
            check_rank("mm", a, 2, "self")?;
            check_rank("mm", b, 2, "mat2")
        }
        "bmm" => {
            check_rank("bmm", a, 3, "batch1")?;
            check_rank("bmm", b, 3, "batch2")?;
            if a.shape()[0] != b.shape()[0] {
                bail!(
                    Runtime,
                    "bmm: batch1 and batch2 must have the same batch size, got shapes {} and {}",
                    fmt_shape(a.shape()),
                    fmt_shape(b.shape())
                );
            }
            Ok(())
        }
        "mv" => {
            check_rank("mv", a, 2, "self")?;
            check_rank("mv", b, 1, "vec")
        }
        "dot" | "inner" => {
            if a.ndim() != 1 || b.ndim() != 1 {
                bail!(Runtime, "dot: 1D tensors expected, but got {}D and {}D tensors", a.ndim(), b.ndim());
            }
            if a.numel() != b.numel() {
                bail!(
                    Runtime,
                    "dot: inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                    a.numel(),
                    b.numel(),
                    a.numel(),
                    b.numel()
                );
            }
            Ok(())
        }
        "outer" | "ger" => {
            if a.ndim() != 1 || b.ndim() != 1 {
                bail!(
                    Runtime,
                    "outer: expected 1D tensors, but got shapes {} and {}",
                    fmt_shape(a.shape()),
                    fmt_shape(b.shape())
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check("mm", a, b)?;
    matmul(a, b)
}

pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check("bmm", a, b)?;
    matmul(a, b)
}

pub fn mv(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    check("mv", a, v)?;
    matmul(a, v)
}

pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check("dot", a, b)?;
    matmul(a, b)
}

pub fn outer(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check("outer", a, b)?;
    let dt = crate::dtype::promote_types(a.dtype(), b.dtype());
    let col = to_dtype(a, dt);
    let col = col.view_of(col.layout().unsqueeze(1));
    let row = to_dtype(b, dt);
    super::binary::binary(super::BinaryOp::Mul, super::Arg::T(&col), super::Arg::T(&row), None)
}
