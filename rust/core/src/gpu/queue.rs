//! Asynchronous execution (NOTE [wgpu runtime], "Batching").
//!
//! Kernels and copies are recorded into one open command encoder per device
//! and submitted every [`BATCH`] dispatches or at a sync point (a download,
//! `synchronize()`); nothing waits for the GPU except a sync point. Launches
//! are what small-op chains pay for (tracel-ai/burn#3317), so one submit per
//! op would dominate.
//!
//! Each dispatch's metadata (shape, strides, offsets) goes into a per-batch
//! arena: one buffer, slices at the adapter's storage offset alignment,
//! written with `queue.write_buffer` just before the batch is submitted (wgpu
//! applies such writes before the command buffers of that submit). An arena
//! is reused only after its submit has completed, so no recorded kernel ever
//! sees a later kernel's metadata.

use super::context::GpuContext;
use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};
use wgpu::util::DeviceExt;

/// Dispatches recorded before a submit.
pub const BATCH: usize = 64;
/// Bytes of metadata per batch; a batch whose arena is full is submitted early.
const ARENA_BYTES: u64 = 64 * 1024;

struct Arena {
    buffer: wgpu::Buffer,
    data: Vec<u8>,
}

#[derive(Default)]
struct Pending {
    encoder: Option<wgpu::CommandEncoder>,
    dispatches: usize,
    arena: Option<Arena>,
}

pub(crate) struct Stream {
    pending: Mutex<Pending>,
    /// Arenas whose submit completed (filled by `on_submitted_work_done`).
    free_arenas: Arc<Mutex<Vec<wgpu::Buffer>>>,
    align: u64,
}

impl Stream {
    pub fn new(limits: &wgpu::Limits) -> Stream {
        Stream {
            pending: Mutex::new(Pending::default()),
            free_arenas: Arc::new(Mutex::new(Vec::new())),
            align: (limits.min_storage_buffer_offset_alignment as u64).max(4),
        }
    }
}

/// Splits `groups` workgroups into an (x, y) grid with x at most `max_dim`
/// (65535 on most adapters); shaders rebuild the linear id as
/// `wid.y * nwg.x + wid.x` and bounds-check it.
pub fn grid(groups: u64, max_dim: u32) -> (u32, u32) {
    let max = max_dim.max(1) as u64;
    if groups <= max {
        return (groups as u32, 1);
    }
    let y = groups.div_ceil(max);
    let x = groups.div_ceil(y);
    (x as u32, y as u32)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl GpuContext {
    fn new_encoder(&self) -> wgpu::CommandEncoder {
        self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("rtensor") })
    }

    /// Records `f` into the open encoder (copies, clears), in stream order.
    pub(crate) fn record(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) -> Result<()> {
        self.check()?;
        let mut p = lock(&self.stream.pending);
        let enc = p.encoder.get_or_insert_with(|| self.new_encoder());
        f(enc);
        Ok(())
    }

    /// Records one dispatch of `kernel` over `groups` workgroups with
    /// `meta` at binding 0 and `buffers` (whole, offset 0) at bindings 1...
    pub(crate) fn dispatch(
        &self,
        kernel: &super::pipelines::Kernel,
        buffers: &[&wgpu::Buffer],
        meta: &[u32],
        groups: u64,
    ) -> Result<()> {
        self.check()?;
        let (gx, gy) = grid(groups, self.limits.max_compute_workgroups_per_dimension);
        if gy > self.limits.max_compute_workgroups_per_dimension {
            return Err(Error::runtime(format!("wgpu: {groups} workgroups exceed the adapter's grid")));
        }
        let bytes: &[u8] = bytemuck::cast_slice(meta);
        let mut p = lock(&self.stream.pending);
        let size = (bytes.len() as u64).max(4);
        // Where the metadata goes: a slice of the batch's arena, or (larger
        // than an arena) a buffer of its own.
        let own;
        let (meta_buf, meta_off) = if size > ARENA_BYTES {
            own = self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("rtensor meta"),
                contents: bytes,
                usage: wgpu::BufferUsages::STORAGE,
            });
            (&own, 0)
        } else {
            let full = p.arena.as_ref().is_some_and(|a| a.data.len() as u64 + size > ARENA_BYTES);
            if full {
                self.flush_locked(&mut p);
            }
            if p.arena.is_none() {
                let buffer = lock(&self.stream.free_arenas).pop().unwrap_or_else(|| {
                    self.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some("rtensor meta arena"),
                        size: ARENA_BYTES,
                        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
                });
                p.arena = Some(Arena { buffer, data: Vec::with_capacity(4096) });
            }
            let arena = p.arena.as_mut().expect("made above");
            let off = arena.data.len() as u64;
            arena.data.extend_from_slice(bytes);
            let end = (off + size).next_multiple_of(self.stream.align) as usize;
            arena.data.resize(end.min(ARENA_BYTES as usize), 0);
            (&arena.buffer, off)
        };
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: meta_buf,
                offset: meta_off,
                size: wgpu::BufferSize::new(size),
            }),
        }];
        for (k, b) in buffers.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry { binding: k as u32 + 1, resource: b.as_entire_binding() });
        }
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &kernel.layout,
            entries: &entries,
        });
        let p = &mut *p;
        let enc = p.encoder.get_or_insert_with(|| self.new_encoder());
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: None });
            pass.set_pipeline(&kernel.pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(gx, gy, 1);
        }
        p.dispatches += 1;
        if p.dispatches >= BATCH {
            self.flush_locked(p);
        }
        Ok(())
    }

    fn flush_locked(&self, p: &mut Pending) {
        let Some(enc) = p.encoder.take() else {
            return;
        };
        if let Some(arena) = p.arena.take() {
            if !arena.data.is_empty() {
                self.queue.write_buffer(&arena.buffer, 0, &arena.data);
            }
            let free = self.stream.free_arenas.clone();
            let buffer = arena.buffer;
            self.queue.submit([enc.finish()]);
            self.queue.on_submitted_work_done(move || lock(&free).push(buffer));
        } else {
            self.queue.submit([enc.finish()]);
        }
        p.dispatches = 0;
        // Runs completed callbacks (arena recycling) without blocking.
        let _ = self.device.poll(wgpu::PollType::Poll);
    }

    /// Submits everything recorded so far without waiting for it.
    pub fn flush(&self) -> Result<()> {
        self.check()?;
        self.flush_locked(&mut lock(&self.stream.pending));
        Ok(())
    }

    /// Submits everything recorded and waits until the device has run it
    /// (`torch.cuda.synchronize()`).
    pub fn synchronize(&self) -> Result<()> {
        self.flush()?;
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::runtime(format!("wgpu: waiting for cuda:{} failed: {e}", self.index)))?;
        self.check()
    }

    /// Dispatches recorded but not yet submitted (for tests).
    pub fn pending_dispatches(&self) -> usize {
        lock(&self.stream.pending).dispatches
    }
}
