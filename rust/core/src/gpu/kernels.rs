//! Elementwise launches: operands as (buffer, layout) views, their metadata,
//! and one dispatch each (NOTE [wgpu runtime], "Metadata").
//!
//! Metadata words (u32; strides are i32 bits):
//!
//! ```text
//! [0] numel  [1] rank  [2..4] fill value (storage bits)  [4..4+rank] shape
//! then per operand k (output first): offset_k, strides_k[0..rank]
//! ```
//!
//! Before that, dims of size 1 are dropped and dims that every operand walks
//! as one are merged (`coalesce`), so a view of contiguous memory, or of
//! memory that is contiguous for every operand after a common permutation,
//! becomes rank 1; when every operand then has stride 1 the contiguous
//! variant runs and the metadata has rank 0 (offsets only).

use super::context::GpuContext;
use super::pool::GpuBuffer;
use super::shader::{device_size, width_of, Family, KernelKey, Variant, HEADER, WORKGROUP};
use super::transfer::{allocate_on, read};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::{BinaryOp, TernaryOp, UnaryOp};
use crate::tensor::Scalar;
use smallvec::SmallVec;
use std::sync::Arc;

/// One operand: the elements of `buf` that `layout` reaches (the `Tensor`
/// of the core is exactly a storage and a layout).
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub buf: &'a GpuBuffer,
    pub layout: &'a Layout,
}

impl<'a> View<'a> {
    pub fn new(buf: &'a GpuBuffer, layout: &'a Layout) -> View<'a> {
        View { buf, layout }
    }
}

/// Drops size-1 dims and merges dim k into k+1 when every operand has
/// `stride[k] == stride[k+1] * shape[k+1]`. Returns the shape and, per
/// operand, its strides.
fn coalesce(shape: &[usize], strides: &[&[isize]]) -> (Vec<usize>, Vec<Vec<isize>>) {
    let keep: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] != 1).collect();
    let mut out_shape: Vec<usize> = Vec::new();
    let mut out_strides: Vec<Vec<isize>> = vec![Vec::new(); strides.len()];
    for &d in &keep {
        let merge = !out_shape.is_empty()
            && strides
                .iter()
                .zip(&out_strides)
                .all(|(s, o)| *o.last().expect("same length") == s[d] * shape[d] as isize);
        if merge {
            *out_shape.last_mut().expect("non-empty") *= shape[d];
            for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
                *o.last_mut().expect("non-empty") = s[d];
            }
        } else {
            out_shape.push(shape[d]);
            for (s, o) in strides.iter().zip(out_strides.iter_mut()) {
                o.push(s[d]);
            }
        }
    }
    (out_shape, out_strides)
}

fn check_view(ctx: &GpuContext, v: &View, what: &str) -> Result<()> {
    if v.buf.device_index() != ctx.index {
        return Err(Error::runtime(format!(
            "Expected all tensors to be on the same device, but found at least two devices, cuda:{} and cuda:{}",
            ctx.index,
            v.buf.device_index()
        )));
    }
    if !v.layout.fits_in(v.buf.len()) {
        return Err(Error::runtime(format!(
            "wgpu {what}: layout {:?} reaches outside a buffer of {} elements",
            v.layout,
            v.buf.len()
        )));
    }
    // WGSL indices are 32-bit.
    if let Some((_, hi)) = v.layout.extent() {
        if hi as u64 > u32::MAX as u64 {
            return Err(Error::runtime(format!(
                "wgpu {what}: element index {hi} does not fit the 32-bit indexing of WGSL kernels"
            )));
        }
    }
    let bytes = v.buf.len() as u64 * device_size(v.buf.dtype()) as u64;
    let max = ctx.limits.max_storage_buffer_binding_size;
    if bytes > max {
        return Err(Error::runtime(format!(
            "wgpu {what}: a {:.1} MiB tensor exceeds the adapter's storage binding limit ({:.1} MiB); \
             chunked binding is not implemented yet",
            bytes as f64 / 1048576.0,
            max as f64 / 1048576.0
        )));
    }
    Ok(())
}

/// Records one elementwise kernel over `views` (output first), all of one shape.
fn launch(what: &str, family: Family, dtypes: &[DType], views: &[View], value: [u32; 2]) -> Result<()> {
    let ctx: &Arc<GpuContext> = views[0].buf.context();
    ctx.check()?;
    let shape = views[0].layout.shape();
    for v in views {
        if v.layout.shape() != shape {
            return Err(Error::runtime(format!(
                "wgpu {what}: operand shape {:?} differs from the output's {:?} (broadcast first)",
                v.layout.shape(),
                shape
            )));
        }
        check_view(ctx, v, what)?;
        ctx.require(v.buf.dtype())?;
    }
    let numel = views[0].layout.numel();
    if numel == 0 {
        return Ok(());
    }
    if numel > i32::MAX as usize {
        return Err(Error::runtime(format!(
            "wgpu {what}: {numel} elements exceed the 2^31 that one kernel launch indexes"
        )));
    }
    let strides: Vec<&[isize]> = views.iter().map(|v| v.layout.strides()).collect();
    let (cshape, cstrides) = coalesce(shape, &strides);
    let contiguous = cshape.len() <= 1 && cstrides.iter().all(|s| s.iter().all(|&x| x == 1));
    let (variant, rank) = if contiguous { (Variant::Contiguous, 0) } else { (Variant::Strided, cshape.len()) };
    // Operands on one buffer share its binding (slot 0: the output's).
    let mut slots: SmallVec<[u8; 4]> = SmallVec::new();
    let mut bound: Vec<&wgpu::Buffer> = Vec::new();
    let mut ids: Vec<u64> = Vec::new();
    for v in views {
        let slot = match ids.iter().position(|&id| id == v.buf.id()) {
            Some(s) => s,
            None => {
                ids.push(v.buf.id());
                bound.push(v.buf.raw());
                ids.len() - 1
            }
        };
        slots.push(slot as u8);
    }
    let key = KernelKey { family, dtypes: SmallVec::from_slice(dtypes), variant, slots };
    let pipeline = ctx.pipeline(&key)?;
    let mut meta: Vec<u32> = Vec::with_capacity(HEADER + rank + views.len() * (rank + 1));
    meta.extend([numel as u32, rank as u32, value[0], value[1]]);
    if !contiguous {
        meta.extend(cshape.iter().map(|&d| d as u32));
    }
    for (v, st) in views.iter().zip(&cstrides) {
        meta.push(v.layout.offset() as u32);
        if !contiguous {
            for &s in st {
                let s = i32::try_from(s).map_err(|_| {
                    Error::runtime(format!("wgpu {what}: stride {s} does not fit the kernels' 32-bit strides"))
                })?;
                meta.push(s as u32);
            }
        }
    }
    ctx.dispatch(&pipeline, &bound, &meta, (numel as u64).div_ceil(WORKGROUP as u64))
}

/// Every element of `dst` becomes `value`, converted as the CPU backend
/// converts it (`Scalar::to_elem`).
pub fn fill(dst: View, value: Scalar) -> Result<()> {
    let dt = dst.buf.dtype();
    let words: [u32; 2] = if dt == DType::F16 {
        // The f16 kernel reads an f32 holding the (exact) f16 value.
        let h: half::f16 = value.to_elem();
        [h.to_f32().to_bits(), 0]
    } else {
        let host = crate::with_dtype!(dt, T, bytemuck::bytes_of(&value.to_elem::<T>()).to_vec());
        let dev = super::transfer::widen(dt, &host);
        let lo = u32::from_le_bytes([dev[0], dev[1], dev[2], dev[3]]);
        let hi = if dev.len() >= 8 { u32::from_le_bytes([dev[4], dev[5], dev[6], dev[7]]) } else { 0 };
        [lo, hi]
    };
    launch("fill", Family::Fill(width_of(dt)), &[], &[dst], words)
}

/// `dst[i] = src[i]` converted to `dst`'s dtype with `Tensor.to(dtype)`'s
/// rules; any layouts of one shape (broadcast `src` with stride 0).
pub fn copy_cast(dst: View, src: View) -> Result<()> {
    let (dd, sd) = (dst.buf.dtype(), src.buf.dtype());
    if dd == sd {
        launch("copy", Family::CopyRaw(width_of(dd)), &[], &[dst, src], [0; 2])
    } else {
        launch("copy", Family::Cast, &[dd, sd], &[dst, src], [0; 2])
    }
}

/// `dst = op(x)`; `x` in the op's compute dtype, `dst` in its result dtype
/// (the ops layer's `unary::dtypes`).
pub fn unary(op: UnaryOp, dst: View, x: View) -> Result<()> {
    launch(op.name(), Family::Unary(op), &[dst.buf.dtype(), x.buf.dtype()], &[dst, x], [0; 2])
}

/// `dst = op(x, y)`; `x` and `y` broadcast to `dst`'s shape and in the
/// compute dtype (`binary::dtypes`). Integer division by zero must have been
/// refused by the caller (it gives 0 here).
pub fn binary(op: BinaryOp, dst: View, x: View, y: View) -> Result<()> {
    let d = [dst.buf.dtype(), x.buf.dtype(), y.buf.dtype()];
    launch(op.name(), Family::Binary(op), &d, &[dst, x, y], [0; 2])
}

/// `dst = op(x, y, z)`; for `where`, `x` is the bool condition.
pub fn ternary(op: TernaryOp, dst: View, x: View, y: View, z: View) -> Result<()> {
    let d = [dst.buf.dtype(), x.buf.dtype(), y.buf.dtype(), z.buf.dtype()];
    launch(op.name(), Family::Ternary(op), &d, &[dst, x, y, z], [0; 2])
}

/// The elements of `src` in row-major order as host bytes (the CPU layout
/// of its dtype). A strided view is first copied into a contiguous
/// temporary on the device. A sync point.
pub fn download(src: View) -> Result<Vec<u8>> {
    let ctx = src.buf.context();
    check_view(ctx, &src, "download")?;
    let n = src.layout.numel();
    if n == 0 {
        return Ok(Vec::new());
    }
    if src.layout.is_contiguous() {
        return read(src.buf, src.layout.offset(), n);
    }
    let tmp = allocate_on(ctx, src.buf.dtype(), n, false)?;
    let tl = Layout::contiguous(src.layout.shape());
    copy_cast(View::new(&tmp, &tl), src)?;
    read(&tmp, 0, n)
}
