//! Ops: check arguments and devices, promote dtypes, broadcast, allocate or
//! validate the output, then make one call on the output device's backend
//! (NOTE [Device seam] in `backend/mod.rs`). One name per op through every layer
//! (Python `add`, `ops::binary(BinaryOp::Add, ..)`, later `AddBackward0`).

pub mod binary;
pub mod creation;
pub mod index;
pub mod join;
pub mod kinds;
pub mod matmul;
pub mod random;
pub mod reduce;
pub mod shape;
pub mod table;
pub mod ternary;
pub mod unary;

use crate::bail;
use crate::device::Device;
use crate::dtype::{result_type, DType, Operand};
use crate::error::Result;
use crate::layout::{fmt_shape, Layout};
use crate::tensor::{Scalar, Tensor};

pub use kinds::{op_table, ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};

/// An op argument: a tensor, or a Python number (weakly typed).
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    T(&'a Tensor),
    S(Scalar),
}

impl Arg<'_> {
    pub fn operand(&self) -> Operand {
        match self {
            Arg::T(t) if t.ndim() == 0 => Operand::ZeroDim(t.dtype()),
            Arg::T(t) => Operand::Dim(t.dtype()),
            Arg::S(s) => Operand::Scalar(s.category()),
        }
    }
    pub fn shape(&self) -> &[usize] {
        match self {
            Arg::T(t) => t.shape(),
            Arg::S(_) => &[],
        }
    }
    /// The argument as a tensor of `dtype` on `device` (a copy only when it
    /// differs: a 0-d CPU tensor or a number moves to the op's device).
    pub fn as_tensor(&self, dtype: DType, device: Device) -> Result<Tensor> {
        match self {
            Arg::T(t) => to_device(&to_dtype(t, dtype), device),
            Arg::S(s) => to_device(&Tensor::scalar(*s, dtype), device),
        }
    }
    pub fn dtype_name(&self) -> String {
        match self {
            Arg::T(t) => t.dtype().to_string(),
            Arg::S(Scalar::Bool(_)) => "bool scalar".into(),
            Arg::S(Scalar::Int(_)) => "int scalar".into(),
            Arg::S(Scalar::Float(_)) => "float scalar".into(),
        }
    }
}

pub fn result_type_of(args: &[Arg]) -> DType {
    let ops: smallvec::SmallVec<[Operand; 4]> = args.iter().map(|a| a.operand()).collect();
    result_type(&ops)
}

/// The device an op on `args` runs on, or PyTorch's error when tensors on two
/// devices meet. A 0-d CPU tensor goes with any device (it is moved, as
/// PyTorch treats it like a number); the op runs on the CPU only when nothing
/// else is anywhere else.
pub fn check_same_device(op: &str, args: &[Arg]) -> Result<Device> {
    common_device(
        op,
        args.iter().filter_map(|a| match a {
            Arg::T(t) => Some((t.device(), t.ndim())),
            Arg::S(_) => None,
        }),
    )
}

/// [`check_same_device`] over (device, ndim) pairs.
fn common_device(op: &str, tensors: impl Iterator<Item = (Device, usize)>) -> Result<Device> {
    let mut found: Option<Device> = None;
    for (d, ndim) in tensors {
        if d == Device::Cpu && ndim == 0 {
            continue;
        }
        match found {
            None => found = Some(d),
            Some(f) if f != d => bail!(
                Runtime,
                "{op}: Expected all tensors to be on the same device, but found at least two devices, {f} and {d}! \
                 Move them with .to(device) first."
            ),
            Some(_) => {}
        }
    }
    Ok(found.unwrap_or(Device::Cpu))
}

/// PyTorch's check that an `out=` or in-place target lives where the op runs.
pub fn check_out_device(op: &str, out: &Tensor, device: Device) -> Result<()> {
    if out.device() != device {
        bail!(Runtime, "{op}: Expected out tensor to have device {device}, but got {} instead", out.device());
    }
    Ok(())
}

/// `t` on `device`: the same tensor if it is there, else a copy (through the
/// host between two devices). This is the one place data changes device.
pub fn to_device(t: &Tensor, device: Device) -> Result<Tensor> {
    if t.device() == device {
        return Ok(t.clone());
    }
    let host = t.to_host()?;
    if device == Device::Cpu {
        return Ok(host);
    }
    crate::backend::of(device).from_host(&host)
}

/// The backend that runs ops writing into `out` (NOTE [Device seam]).
pub(crate) fn backend_of(out: &Tensor) -> &'static dyn crate::backend::Backend {
    crate::backend::of(out.device())
}

/// `t` as `dtype`: the same tensor (a view) if it already is, else a copy.
pub fn to_dtype(t: &Tensor, dtype: DType) -> Tensor {
    if t.dtype() == dtype {
        return t.clone();
    }
    let out = t.new_zeros(dtype, t.shape());
    backend_of(&out).copy(&out, t);
    out
}

/// A contiguous tensor with `t`'s values: `t` itself when already contiguous.
pub fn contiguous(t: &Tensor) -> Tensor {
    if t.is_contiguous() {
        return t.clone();
    }
    clone(t)
}

/// A fresh contiguous copy (`Tensor.clone()`).
pub fn clone(t: &Tensor) -> Tensor {
    let out = t.new_zeros(t.dtype(), t.shape());
    backend_of(&out).copy(&out, t);
    out
}

/// `Tensor.clone()` with PyTorch's `preserve_format`: a dense,
/// non-overlapping input with positive strides (a transpose or permutation of
/// a contiguous tensor) keeps its strides; anything else becomes contiguous.
/// So `x.t().clone()` is still a transpose, and `.view(-1)` of it fails as in
/// PyTorch.
pub fn clone_preserve(t: &Tensor) -> Tensor {
    let l = t.layout();
    let mut dims: Vec<usize> = (0..l.ndim()).filter(|&k| l.shape()[k] != 1).collect();
    if t.is_contiguous() || l.numel() == 0 || dims.iter().any(|&k| l.strides()[k] <= 0) {
        return clone(t);
    }
    dims.sort_by_key(|&k| l.strides()[k]);
    let mut expected = 1isize;
    for &k in &dims {
        if l.strides()[k] != expected {
            return clone(t);
        }
        expected *= l.shape()[k] as isize;
    }
    // Size-1 dims keep any stride; give them the contiguous one for their place.
    let strides: Vec<isize> = (0..l.ndim()).map(|k| if l.shape()[k] == 1 { 1 } else { l.strides()[k] }).collect();
    let layout = crate::checked::or_throw(Layout::new("clone", l.shape(), &strides, 0));
    let out = t.new_zeros(t.dtype(), &[l.numel()]);
    let out = out.view_of(layout);
    backend_of(&out).copy(&out, t);
    out
}

impl Tensor {
    pub fn contiguous(&self) -> Tensor {
        contiguous(self)
    }
}

/// Broadcast view of `t` to `shape` (stride 0 on new or size-1 dims).
pub fn expand_to(op: &str, t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if t.shape() == shape {
        return Ok(t.clone());
    }
    let want: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    Ok(t.view_of(t.layout().expand(op, &want)?))
}

/// Checks a tensor we are about to write into (`out=`, in-place ops, setitem)
/// and bumps its version (NOTE [Version counter]).
pub fn check_writable_out(op: &str, out: &Tensor, shape: &[usize], result: DType) -> Result<()> {
    if out.shape() != shape {
        bail!(
            Runtime,
            "{op}: output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(out.shape()),
            fmt_shape(shape)
        );
    }
    if !crate::dtype::can_cast(result, out.dtype()) {
        bail!(
            Runtime,
            "{op}: result type {} can't be cast to the desired output type {} \
             (an in-place or out= op cannot change the output's dtype)",
            result.scalar_name(),
            out.dtype().scalar_name()
        );
    }
    check_no_internal_overlap(op, out)?;
    out.storage().check_writable(op)?;
    out.storage().bump_version(op);
    Ok(())
}

pub fn check_no_internal_overlap(op: &str, out: &Tensor) -> Result<()> {
    if out.shape().iter().zip(out.strides()).any(|(&d, &s)| d > 1 && s == 0) {
        bail!(
            Runtime,
            "{op}: unsupported operation: more than one element of the written-to tensor refers to a single \
             memory location (it is an expanded view of shape {}). Please clone() the tensor before performing the operation.",
            fmt_shape(out.shape())
        );
    }
    Ok(())
}

/// If `input` shares memory with `out` other than element for element, an
/// elementwise kernel could read elements it already overwrote: copy the
/// input first (NOTE [Aliasing by address]).
pub fn unalias(input: Tensor, out: &Tensor) -> Tensor {
    if input.overlaps(out) && !input.same_elements(out) {
        clone(&input)
    } else {
        input
    }
}

/// Like [`unalias`] for kernels that do not write element `i` from input
/// element `i` (scatters, `index_put_`): any overlap means a copy.
pub fn unalias_all(input: Tensor, out: &Tensor) -> Tensor {
    if input.overlaps(out) {
        clone(&input)
    } else {
        input
    }
}

/// Runs `compute` into `out` when dtypes match, else into a temporary that is
/// then cast into `out`. Returns `out`.
pub fn write_result(out: &Tensor, dtype: DType, compute: impl FnOnce(&Tensor)) -> Tensor {
    if out.dtype() == dtype {
        compute(out);
    } else {
        let tmp = out.new_zeros(dtype, out.shape());
        compute(&tmp);
        backend_of(out).copy(out, &tmp);
    }
    out.clone()
}

/// `dst[...] = src`: broadcast, cast and write into `dst`'s memory. `src` may
/// be on another device (`copy_` moves data, as in PyTorch).
pub fn assign(op: &str, dst: &Tensor, src: Arg) -> Result<()> {
    check_no_internal_overlap(op, dst)?;
    dst.storage().check_writable(op)?;
    match src {
        Arg::S(s) => {
            s.check_fits(op, dst.dtype())?;
            backend_of(dst).fill(dst, s)
        }
        Arg::T(t) => {
            let t = to_device(t, dst.device())?;
            let src = unalias(expand_to(op, &t, dst.shape())?, dst);
            backend_of(dst).copy(dst, &src);
        }
    }
    dst.storage().bump_version(op);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::common_device;
    use crate::device::Device::{Cpu, Gpu};

    #[test]
    fn devices_must_match_except_cpu_scalars() {
        let pick = |ts: &[(crate::Device, usize)]| common_device("add", ts.iter().copied());
        assert_eq!(pick(&[(Cpu, 2), (Cpu, 0)]).unwrap(), Cpu);
        assert_eq!(pick(&[]).unwrap(), Cpu);
        // A 0-d CPU tensor goes with any device, in either position.
        assert_eq!(pick(&[(Cpu, 0), (Gpu(0), 3)]).unwrap(), Gpu(0));
        assert_eq!(pick(&[(Gpu(1), 0), (Gpu(1), 2)]).unwrap(), Gpu(1));
        let e = pick(&[(Gpu(0), 2), (Cpu, 1)]).unwrap_err();
        assert!(
            e.msg.contains(
                "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu"
            ),
            "{}",
            e.msg
        );
        // A 0-d tensor on a GPU is not a scalar: it does not move.
        assert!(pick(&[(Cpu, 1), (Gpu(0), 0)]).is_err());
        assert!(pick(&[(Gpu(0), 1), (Gpu(1), 1)]).is_err());
    }
}
