//! The caching allocator (NOTE [wgpu runtime], "Pool").
//!
//! Like PyTorch's CUDA caching allocator, freed buffers are kept and handed
//! out again, so a training step creates no wgpu buffers once warm. Unlike it,
//! blocks are never split: kernels bind whole buffers at offset 0 (views carry
//! their element offset in the metadata), so each allocation is one
//! `wgpu::Buffer` and reuse goes by size class.
//!
//! Reuse is safe without waiting for the GPU: all work on a device goes
//! through one queue in recording order (`queue.rs`), so a buffer freed while
//! a recorded kernel still reads it is only written again by work recorded
//! after that kernel.

use super::context::GpuContext;
use crate::dtype::DType;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const MIB: f64 = 1024.0 * 1024.0;
/// The smallest block: metadata-sized tensors share one class.
pub const MIN_BLOCK: u64 = 256;
/// Up to here classes are powers of two; above, four classes per octave.
pub const SMALL_LIMIT: u64 = 1 << 20;

/// The size class of a request of `bytes`: powers of two up to 1 MiB, then
/// quarter octaves (at most 25% slack), always a multiple of 4 (wgpu's copy
/// alignment).
pub fn size_class(bytes: u64) -> u64 {
    let b = bytes.max(MIN_BLOCK);
    if b <= SMALL_LIMIT {
        return b.next_power_of_two();
    }
    let octave = 63 - b.leading_zeros(); // 2^octave <= b < 2^(octave+1)
    let step = 1u64 << (octave - 2);
    b.div_ceil(step) * step
}

/// Process-wide block ids, reused once their block is destroyed, so live
/// blocks always have distinct ids and the ids stay small (fake addresses).
static IDS: Mutex<(u64, Vec<u64>)> = Mutex::new((0, Vec::new()));

fn new_id() -> u64 {
    let mut ids = IDS.lock().unwrap_or_else(|p| p.into_inner());
    match ids.1.pop() {
        Some(id) => id,
        None => {
            ids.0 += 1;
            ids.0
        }
    }
}

fn free_id(id: u64) {
    IDS.lock().unwrap_or_else(|p| p.into_inner()).1.push(id);
}

/// One wgpu buffer of a size class.
pub(crate) struct Block {
    pub buffer: wgpu::Buffer,
    pub size: u64,
    pub id: u64,
}

impl Drop for Block {
    fn drop(&mut self) {
        free_id(self.id);
    }
}

/// Free blocks by class, and the counters `torch.cuda.memory_*` report.
#[derive(Default)]
pub(crate) struct Pool {
    free: BTreeMap<u64, Vec<Block>>,
    /// Bytes of blocks held by live `GpuBuffer`s (class sizes, as PyTorch counts).
    pub allocated: u64,
    pub peak: u64,
    /// Bytes of free blocks kept for reuse.
    pub cached: u64,
}

impl Pool {
    fn take(&mut self, class: u64) -> Option<Block> {
        let list = self.free.get_mut(&class)?;
        let b = list.pop()?;
        self.cached -= b.size;
        Some(b)
    }

    fn note_alloc(&mut self, size: u64) {
        self.allocated += size;
        self.peak = self.peak.max(self.allocated);
    }

    fn release(&mut self, b: Block) {
        self.allocated -= b.size;
        self.cached += b.size;
        self.free.entry(b.size).or_default().push(b);
    }

    /// Drops every free block (wgpu frees it once no pending work uses it).
    pub fn empty(&mut self) {
        self.free.clear();
        self.cached = 0;
    }
}

fn oom(ctx: &GpuContext, bytes: u64, why: &str) -> Error {
    let p = ctx.pool.lock().unwrap_or_else(|p| p.into_inner());
    Error::runtime(format!(
        "wgpu out of memory: tried to allocate {:.2} MiB; {:.2} MiB allocated, {:.2} MiB cached{why}",
        bytes as f64 / MIB,
        p.allocated as f64 / MIB,
        p.cached as f64 / MIB
    ))
}

/// The usage of every pooled buffer: kernels bind it as storage, copies read
/// and write it.
pub(crate) const USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);

/// A block of at least `bytes` bytes: a cached one of the same class, else a
/// new buffer; on failure the cache is emptied and the allocation retried
/// once, then a `RuntimeError` in PyTorch's words. Never aborts.
pub(crate) fn allocate_block(ctx: &GpuContext, bytes: u64) -> Result<Block> {
    let max = ctx.limits.max_buffer_size;
    if bytes > max {
        let why = format!(" (the adapter's largest buffer is {:.2} MiB)", max as f64 / MIB);
        return Err(oom(ctx, bytes, &why));
    }
    // A class above the limit falls back to the exact (4-aligned) size.
    let mut class = size_class(bytes);
    if class > max {
        class = bytes.div_ceil(4) * 4;
    }
    {
        let mut p = ctx.pool.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = p.take(class) {
            p.note_alloc(b.size);
            return Ok(b);
        }
    }
    for attempt in 0..2 {
        let scope = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rtensor"),
            size: class,
            usage: USAGE,
            mapped_at_creation: false,
        });
        match pollster::block_on(scope.pop()) {
            None => {
                let mut p = ctx.pool.lock().unwrap_or_else(|p| p.into_inner());
                p.note_alloc(class);
                return Ok(Block { buffer, size: class, id: new_id() });
            }
            Some(_) if attempt == 0 => {
                drop(buffer);
                // Cached blocks may be what fills the device: free and retry.
                ctx.synchronize()?;
                ctx.pool.lock().unwrap_or_else(|p| p.into_inner()).empty();
            }
            Some(e) => return Err(oom(ctx, bytes, &format!(" ({e})"))),
        }
    }
    unreachable!("the loop returns on its second attempt")
}

/// A tensor's memory on one device: `len` elements of `dtype` in the device
/// representation of `shader::storage_of(dtype)`. Returns its block to the
/// pool when dropped. `Send + Sync` (wgpu handles are); share it with `Arc`.
pub struct GpuBuffer {
    ctx: Arc<GpuContext>,
    block: Option<Block>,
    dtype: DType,
    len: usize,
}

/// Fake addresses: far above any user-space pointer, 1 TiB apart (more than
/// any buffer), so `byte_range` overlap checks between two distinct live
/// buffers are always false and within one buffer are exact.
const ADDRESS_BASE: u64 = 1 << 56;
const ADDRESS_STRIDE: u64 = 1 << 40;

impl GpuBuffer {
    pub(crate) fn new(ctx: Arc<GpuContext>, block: Block, dtype: DType, len: usize) -> GpuBuffer {
        GpuBuffer { ctx, block: Some(block), dtype, len }
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Elements (not bytes).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `cuda:N` index.
    pub fn device_index(&self) -> usize {
        self.ctx.index
    }

    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    /// Unique among live buffers (ids are reused after a block is destroyed).
    pub fn id(&self) -> u64 {
        self.block().id
    }

    /// A stand-in for a host address, for aliasing checks and `data_ptr()`.
    pub fn address(&self) -> usize {
        (ADDRESS_BASE + self.id() * ADDRESS_STRIDE) as usize
    }

    /// Bytes of the underlying block (its size class).
    pub fn capacity(&self) -> u64 {
        self.block().size
    }

    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.block().buffer
    }

    fn block(&self) -> &Block {
        self.block.as_ref().expect("a GpuBuffer holds its block until dropped")
    }
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuBuffer(cuda:{}, {} x {}, id {})", self.ctx.index, self.len, self.dtype, self.id())
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if let Some(b) = self.block.take() {
            self.ctx.pool.lock().unwrap_or_else(|p| p.into_inner()).release(b);
        }
    }
}
