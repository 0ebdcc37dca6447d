//! Device backends: where a tensor's bytes live and the kernels that read
//! and write them.
//!
//! NOTE [Device seam]: everything above this module is device-free. A
//! [`Storage`](crate::storage::Storage) holds one [`Buffer`] (the bytes on one
//! device) next to the device-independent version counter, writable flag and
//! last-writer record; a `Layout` says which elements a view sees, so a view of
//! a GPU tensor costs what a view of a CPU one does. The `ops` layer validates,
//! promotes, broadcasts, checks devices (`ops::check_same_device`) and
//! allocates the output, then makes one call on the [`Backend`] of the
//! output's device. The trait takes the op enums of `ops/kinds.rs`, not one
//! method per op, so a new table row adds an arm inside each backend (its
//! `match` has no wildcard: a row without a kernel does not compile) and never
//! a trait method; a new device is one more `Buffer` variant and one more
//! `Backend` implementation.
//!
//! Ops that must see values on the host (index bounds and offsets, `nonzero`,
//! `item`, `tolist`) ask for them with [`Backend::to_host`] (`Tensor::to_vec`
//! and `Tensor::item` go through it): those calls are exactly the places where
//! an asynchronous device has to synchronise. Random numbers and `arange` are
//! made on the host and moved (`Backend::from_host`), so every device draws
//! the same values from one seed.
//!
//! Autograd never sees a backend: its formulas are ops (candle and burn keep
//! autodiff above the backend for the same reason).

pub mod cpu;
pub mod gpu;

use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::{ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};
use crate::tensor::{Scalar, Tensor};

pub use cpu::matmul::MatDims;

/// The bytes of one storage, on one device.
pub enum Buffer {
    Cpu(cpu::buffer::CpuBuffer),
    /// A block of the wgpu caching allocator; `Arc` because the runtime's
    /// buffers are shared with queued work, not because storages share it.
    Gpu(std::sync::Arc<crate::gpu::GpuBuffer>),
}

impl Buffer {
    pub fn device(&self) -> Device {
        match self {
            Buffer::Cpu(_) => Device::Cpu,
            Buffer::Gpu(b) => Device::Gpu(b.device_index() as u32),
        }
    }

    /// An address for aliasing checks (NOTE [Aliasing by address]) and
    /// `data_ptr()`: the host address on the CPU, the runtime's fake address
    /// (far above user space, distinct per live buffer) on a GPU.
    pub fn address(&self) -> usize {
        match self {
            Buffer::Cpu(b) => b.as_ptr() as usize,
            Buffer::Gpu(b) => b.address(),
        }
    }
}

/// How a scatter combines a value with the element already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterMode {
    /// The value replaces it (`scatter_`, `index_put_`); later writes win.
    Assign,
    /// The value is added (`scatter_add_`); duplicates accumulate.
    Add,
}

/// One device's storage and kernels (NOTE [Device seam]).
///
/// Every kernel receives operands the `ops` layer has already checked: they
/// are on this backend's device, broadcast to the output's shape (except
/// where a method says otherwise), and the output is writable and does not
/// overlap an input other than element for element. Kernels do not fail:
/// anything a user can get wrong was rejected before the call.
pub(crate) trait Backend: Sync {
    /// A buffer for `len` elements of `dtype` (`bytes` is their checked byte
    /// count), zero-filled when `zeroed`, else with unspecified contents.
    fn allocate(&self, op: &str, dtype: DType, bytes: usize, zeroed: bool) -> Result<Buffer>;
    /// Every element of `dst` becomes `value`.
    fn fill(&self, dst: &Tensor, value: Scalar);
    /// `dst[i] = src[i]` converted to `dst`'s dtype, any layouts.
    fn copy(&self, dst: &Tensor, src: &Tensor);
    fn unary(&self, op: UnaryOp, dst: &Tensor, x: &Tensor);
    fn binary(&self, op: BinaryOp, dst: &Tensor, x: &Tensor, y: &Tensor);
    fn ternary(&self, op: TernaryOp, dst: &Tensor, x: &Tensor, y: &Tensor, z: &Tensor);
    /// Folds `x` over the dims marked in `mask` into the contiguous `dst`.
    fn reduce(&self, op: ReduceOp, dst: &Tensor, x: &Tensor, mask: &[bool]);
    /// The extreme of each line of `x` along `dim` and its first index, into
    /// the contiguous `values` and int64 `indices`.
    fn arg_reduce(&self, op: ArgReduceOp, values: &Tensor, indices: &Tensor, x: &Tensor, dim: usize);
    /// Inclusive scan of `x` along `dim` into the contiguous `dst`.
    fn scan(&self, op: ScanOp, dst: &Tensor, x: &Tensor, dim: usize);
    /// For each `b`, the block of `src` at element `offsets[b]` laid out as
    /// `rest` goes to the contiguous `dst` at `b * rest.numel()`. Offsets were
    /// bounds-checked on the host.
    fn gather(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout);
    /// The inverse of `gather`: block `b` of the contiguous `src` goes to
    /// `dst` at `offsets[b] + rest`, combined as `mode` says, in order.
    fn scatter(&self, dst: &Tensor, src: &Tensor, offsets: &[isize], rest: &Layout, mode: ScatterMode);
    /// `dst[b] = x[b] @ y[b]` over broadcast batch dims; `dst` contiguous.
    fn matmul(&self, dst: &Tensor, x: &Tensor, y: &Tensor, dims: MatDims);
    /// A contiguous CPU tensor with `src`'s values: the synchronisation point.
    fn to_host(&self, src: &Tensor) -> Result<Tensor>;
    /// A contiguous tensor on this device with the values of the CPU tensor `src`.
    fn from_host(&self, src: &Tensor) -> Result<Tensor>;
}

/// The backend that owns `device`'s memory.
pub(crate) fn of(device: Device) -> &'static dyn Backend {
    match device {
        Device::Cpu => &cpu::CpuBackend,
        Device::Gpu(i) => match gpu::GPUS.get(i as usize) {
            Some(b) => b,
            None => crate::checked::throw(crate::error::Error::runtime(format!(
                "device {device}: rtensor supports at most {} GPU devices",
                gpu::MAX_DEVICES
            ))),
        },
    }
}
