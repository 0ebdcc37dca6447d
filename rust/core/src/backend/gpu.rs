//! The wgpu backend (NOTE [Device seam], NOTE [wgpu runtime] in docs/gpu.md):
//! each method turns tensors into the runtime's `View`s (a buffer and the
//! tensor's own `Layout`, so views stay free) and launches one kernel.
//!
//! NOTE [GPU host fallback]: the families the runtime has no kernel for yet
//! (reductions, arg-reductions, scans, gather/scatter, matmul) run on the CPU
//! backend: operands are read back, the CPU kernel runs, and the result is
//! written into the device output in stream order. It is correct on every
//! dtype the device holds and keeps every op available on the GPU, at the
//! cost of a synchronisation per call. `FALLBACK` names those families, and
//! each one that gets a kernel leaves the list.

use super::cpu::CpuBackend;
use super::{Backend, Buffer, MatDims, ScatterMode};
use crate::checked::or_throw;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::{self, GpuBuffer, View};
use crate::layout::Layout;
use crate::ops::{ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};
use crate::storage::Storage;
use crate::tensor::{Scalar, Tensor};
use std::sync::Arc;

/// The op families that still run through NOTE [GPU host fallback].
pub const FALLBACK: [&str; 6] = ["reduce", "arg_reduce", "scan", "gather", "scatter", "matmul"];

/// Device indices a process may name (`cuda:0` .. `cuda:7`).
pub const MAX_DEVICES: usize = 8;

/// The backend of `cuda:index`.
pub(crate) struct GpuBackend(pub u32);

pub(crate) static GPUS: [GpuBackend; MAX_DEVICES] =
    [GpuBackend(0), GpuBackend(1), GpuBackend(2), GpuBackend(3), GpuBackend(4), GpuBackend(5), GpuBackend(6), GpuBackend(7)];

/// The device buffer of `t`. Only called on tensors the ops layer placed on
/// this backend's device, so another buffer is an internal error.
fn buf(t: &Tensor) -> &GpuBuffer {
    match t.storage().buffer() {
        Buffer::Gpu(b) => b,
        Buffer::Cpu(_) => crate::checked::throw(Error::runtime(format!(
            "internal error: a {} tensor reached the GPU backend",
            t.device()
        ))),
    }
}

fn view(t: &Tensor) -> View<'_> {
    View::new(buf(t), t.layout())
}

/// A contiguous host copy of `t` (a synchronisation point).
fn host(t: &Tensor) -> Tensor {
    or_throw(t.to_host())
}

/// Writes the contiguous host tensor `h` into the contiguous device tensor `dst`.
fn write_back(dst: &Tensor, h: &Tensor) {
    debug_assert!(dst.is_contiguous() && h.is_contiguous());
    or_throw(gpu::write(buf(dst), dst.offset(), bytes_of(h)));
}

/// The bytes of the contiguous host tensor `h`.
fn bytes_of(h: &Tensor) -> &[u8] {
    assert!(h.device() == Device::Cpu && h.is_contiguous(), "internal error: bytes_of a strided or device tensor");
    let n = h.numel() * h.dtype().size();
    // SAFETY: `h` is a contiguous host tensor, so its `numel` elements lie
    // consecutively from its offset inside its storage (Layout's invariants),
    // and the borrow of `h` keeps the storage alive for the slice's lifetime.
    // Nothing writes it meanwhile: the ops layer never runs a kernel into an
    // operand it is reading, and the GIL-free threads only touch their own
    // outputs.
    unsafe { std::slice::from_raw_parts(h.storage().as_ptr().add(h.offset() * h.dtype().size()), n) }
}

/// A host tensor shaped like `t` (same dtype), for a CPU kernel's output.
fn host_like(t: &Tensor) -> Tensor {
    or_throw(Tensor::try_zeros_on("gpu fallback", Device::Cpu, t.dtype(), t.shape()))
}

/// A device tensor holding the contiguous host tensor `h`.
pub(crate) fn upload(index: u32, h: &Tensor) -> Result<Tensor> {
    let h = h.to_host()?;
    let b = gpu::upload(index as usize, h.dtype(), bytes_of(&h))?;
    let len = b.len();
    let storage = Storage::from_buffer(Buffer::Gpu(Arc::new(b)), len, h.dtype());
    Tensor::from_storage(Arc::new(storage), Layout::contiguous(h.shape()))
}

impl Backend for GpuBackend {
    fn allocate(&self, _op: &str, dtype: DType, bytes: usize, zeroed: bool) -> Result<Buffer> {
        let len = bytes / dtype.size();
        Ok(Buffer::Gpu(Arc::new(gpu::allocate(self.0 as usize, dtype, len, zeroed)?)))
    }
    fn fill(&self, dst: &Tensor, value: Scalar) {
        or_throw(gpu::fill(view(dst), value))
    }
    fn copy(&self, dst: &Tensor, src: &Tensor) {
        or_throw(gpu::copy_cast(view(dst), view(src)))
    }
    fn unary(&self, op: UnaryOp, dst: &Tensor, x: &Tensor) {
        or_throw(gpu::unary(op, view(dst), view(x)))
    }
    fn binary(&self, op: BinaryOp, dst: &Tensor, x: &Tensor, y: &Tensor) {
        or_throw(gpu::binary(op, view(dst), view(x), view(y)))
    }
    fn ternary(&self, op: TernaryOp, dst: &Tensor, x: &Tensor, y: &Tensor, z: &Tensor) {
        or_throw(gpu::ternary(op, view(dst), view(x), view(y), view(z)))
    }
    fn reduce(&self, op: ReduceOp, dst: &Tensor, x: &Tensor, mask: &[bool]) {
        let out = host_like(dst);
        CpuBackend.reduce(op, &out, &host(x), mask);
        write_back(dst, &out)
    }
    fn arg_reduce(&self, op: ArgReduceOp, values: &Tensor, indices: &Tensor, x: &Tensor, dim: usize) {
        let (v, i) = (host_like(values), host_like(indices));
        CpuBackend.arg_reduce(op, &v, &i, &host(x), dim);
        write_back(values, &v);
        write_back(indices, &i)
    }
    fn scan(&self, op: ScanOp, dst: &Tensor, x: &Tensor, dim: usize) {
        let out = host_like(dst);
        CpuBackend.scan(op, &out, &host(x), dim);
        write_back(dst, &out)
    }
    fn gather(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout) {
        // The offsets address `src`'s storage: bring the whole storage over
        // so they keep their meaning on the host.
        let whole = storage_on_host(src);
        let out = host_like(dst);
        CpuBackend.gather(&out, &whole, offsets, rest);
        write_back(dst, &out)
    }
    fn scatter(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout, mode: ScatterMode) {
        let whole = storage_on_host(dst);
        CpuBackend.scatter(&whole, &host(src), offsets, rest, mode);
        let all = Layout::contiguous(&[dst.storage().len()]);
        let flat = or_throw(Tensor::from_storage(dst.storage().clone(), all));
        write_back(&flat, &whole)
    }
    fn matmul(&self, dst: &Tensor, x: &Tensor, y: &Tensor, dims: MatDims) {
        let out = host_like(dst);
        CpuBackend.matmul(&out, &host(x), &host(y), dims);
        write_back(dst, &out)
    }
    fn to_host(&self, src: &Tensor) -> Result<Tensor> {
        let bytes = gpu::download(view(src))?;
        let out = Tensor::try_zeros_on("to_host", Device::Cpu, src.dtype(), src.shape())?;
        debug_assert_eq!(bytes.len(), out.numel() * out.dtype().size());
        // SAFETY: `out` is a fresh contiguous host tensor of exactly
        // `bytes.len()` bytes (download returns numel elements in the host
        // layout of the dtype), and no one else holds it yet.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.storage().as_ptr(), bytes.len()) };
        Ok(out)
    }
    fn from_host(&self, src: &Tensor) -> Result<Tensor> {
        upload(self.0, src)
    }
}

/// The whole storage of `t` as a 1-D host tensor, so element offsets into
/// the storage mean the same on the host.
fn storage_on_host(t: &Tensor) -> Tensor {
    let all = Layout::contiguous(&[t.storage().len()]);
    let flat = or_throw(Tensor::from_storage(t.storage().clone(), all));
    host(&flat)
}
