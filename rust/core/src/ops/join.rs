//! `cat` and `stack`.

use super::result_type_of;
use crate::bail;
use crate::error::Result;
use crate::layout::{fmt_shape, wrap_dim, wrap_insert_dim};
use crate::tensor::Tensor;

pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        bail!(Value, "cat(): expected a non-empty list of Tensors");
    }
    // PyTorch skips legacy 1-d empty tensors of shape [0] when joining.
    let parts: Vec<&Tensor> = tensors.iter().filter(|t| !(t.ndim() == 1 && t.numel() == 0)).collect();
    let args: Vec<super::Arg> = tensors.iter().map(super::Arg::T).collect();
    let dt = result_type_of(&args);
    let device = super::check_same_device("cat", &args)?;
    if parts.is_empty() {
        return Tensor::try_zeros_on("cat", device, dt, &[0]);
    }
    let first = parts[0];
    if first.ndim() == 0 {
        bail!(Runtime, "cat(): zero-dimensional tensor (at position 0) cannot be concatenated");
    }
    let d = wrap_dim(dim, first.ndim())?;
    let mut total = 0;
    for (i, t) in parts.iter().enumerate() {
        if t.ndim() != first.ndim() {
            bail!(
                Runtime,
                "cat(): Tensors must have same number of dimensions: got {} and {} (shapes {} and {})",
                first.ndim(),
                t.ndim(),
                fmt_shape(first.shape()),
                fmt_shape(t.shape())
            );
        }
        for k in 0..t.ndim() {
            if k != d && t.shape()[k] != first.shape()[k] {
                bail!(
                    Runtime,
                    "cat(): Sizes of tensors must match except in dimension {d}. Expected size {} but got size {} for tensor number {i} in the list (shapes {} and {})",
                    first.shape()[k],
                    t.shape()[k],
                    fmt_shape(first.shape()),
                    fmt_shape(t.shape())
                );
            }
        }
        total = crate::checked::add("cat", total, t.shape()[d])?;
    }
    let mut shape = first.shape().to_vec();
    shape[d] = total;
    let out = Tensor::try_zeros_on("cat", device, dt, &shape)?;
    let mut start = 0;
    for t in parts {
        let n = t.shape()[d];
        let dst = out.view_of(out.layout().slice(d, start, n, 1)?);
        super::backend_of(&dst).copy(&dst, t);
        start += n;
    }
    Ok(out)
}

pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        bail!(Runtime, "stack expects a non-empty TensorList");
    }
    let d = wrap_insert_dim(dim, tensors[0].ndim())?;
    for (i, t) in tensors.iter().enumerate() {
        if t.shape() != tensors[0].shape() {
            bail!(
                Runtime,
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                fmt_shape(tensors[0].shape()),
                fmt_shape(t.shape())
            );
        }
    }
    let parts: Vec<Tensor> = tensors.iter().map(|t| t.view_of(t.layout().unsqueeze(d))).collect();
    cat(&parts, d as i64)
}
