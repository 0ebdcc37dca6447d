//! The wgpu runtime the GPU backend sits on (NOTE [wgpu runtime] in
//! docs/gpu.md): adapters and devices (`context`), the caching allocator
//! (`pool`), batched asynchronous submission (`queue`), WGSL generated from
//! the op tables (`shader`) and its pipeline cache (`pipelines`), host
//! transfers (`transfer`) and the elementwise launches (`kernels`).
//!
//! The API below is what a `Backend` implementation calls: buffers are
//! [`GpuBuffer`]s (one per storage; `Arc` them), operands are
//! [`View`]s (a buffer and a `Layout`, exactly a tensor's storage and view),
//! and every entry point returns the core's `Error` instead of panicking:
//! no adapter, a lost device, an unsupported dtype or op, out of memory.
//!
//! Device indices are positions in [`adapters()`] (`cuda:0` is the first).

pub mod context;
mod helpers;
mod kernels;
mod pipelines;
pub mod pool;
mod queue;
pub mod shader;
mod transfer;

pub use context::{adapters, context, device_count, is_available, AdapterInfo, Caps, DTypeSupport, GpuContext};
pub use kernels::{binary, copy_cast, download, fill, ternary, unary, View};
pub use pool::{size_class, GpuBuffer};
pub use queue::{grid, BATCH};
pub use transfer::{allocate, narrow, read, upload, widen, write};

use crate::dtype::DType;

/// The wgpu release the runtime is built on (`rtensor.version.wgpu`); kept
/// equal to Cargo.lock's by a test.
pub const WGPU_VERSION: &str = "30.0.2";
use crate::error::Result;

/// Waits until every kernel recorded on `cuda:device` has run.
pub fn synchronize(device: usize) -> Result<()> {
    context(device)?.synchronize()
}

/// How `dtype` is held on `cuda:device`.
pub fn dtype_support(device: usize, dtype: DType) -> Result<DTypeSupport> {
    Ok(context(device)?.dtype_support(dtype))
}

/// Memory counters of one device, as `torch.cuda.memory_*` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    /// Bytes in blocks held by live buffers (size classes).
    pub allocated: u64,
    /// The largest `allocated` since the start or the last `reset_peak`.
    pub max_allocated: u64,
    /// Bytes in free blocks kept for reuse.
    pub cached: u64,
}

pub fn memory_stats(device: usize) -> Result<MemoryStats> {
    let ctx = context(device)?;
    let p = ctx.pool.lock().unwrap_or_else(|p| p.into_inner());
    Ok(MemoryStats { allocated: p.allocated, max_allocated: p.peak, cached: p.cached })
}

pub fn memory_allocated(device: usize) -> Result<u64> {
    Ok(memory_stats(device)?.allocated)
}

pub fn max_memory_allocated(device: usize) -> Result<u64> {
    Ok(memory_stats(device)?.max_allocated)
}

/// `torch.cuda.memory_reserved`: allocated plus cached.
pub fn memory_reserved(device: usize) -> Result<u64> {
    let s = memory_stats(device)?;
    Ok(s.allocated + s.cached)
}

/// `torch.cuda.reset_peak_memory_stats`.
pub fn reset_peak(device: usize) -> Result<()> {
    let ctx = context(device)?;
    let mut p = ctx.pool.lock().unwrap_or_else(|p| p.into_inner());
    p.peak = p.allocated;
    Ok(())
}

/// Frees every cached block (`torch.cuda.empty_cache()`).
pub fn empty_cache(device: usize) -> Result<()> {
    let ctx = context(device)?;
    ctx.pool.lock().unwrap_or_else(|p| p.into_inner()).empty();
    Ok(())
}
