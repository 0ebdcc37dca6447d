//! Host <-> device copies, with the widening of `shader.rs`'s storage table
//! done on the host: bool/uint8/int8/int16 become one i32 word per element
//! and bfloat16 an f32 (its bits in the top half) on upload, and the reverse
//! on download. Uploads are recorded in the stream (a mapped staging buffer
//! and a copy), so they are ordered after earlier kernels that may still read
//! a recycled block; downloads are sync points.

use super::context::{context, GpuContext};
use super::pool::{allocate_block, GpuBuffer};
use super::shader::device_size;
use crate::dtype::DType;
use crate::error::{Error, Result};
use std::sync::{mpsc, Arc};
use wgpu::util::DeviceExt;

/// Host bytes (the CPU backend's layout of `dt`) as device bytes.
pub fn widen(dt: DType, host: &[u8]) -> Vec<u8> {
    let words: Vec<i32> = match dt {
        DType::Bool => host.iter().map(|&b| (b != 0) as i32).collect(),
        DType::U8 => host.iter().map(|&b| b as i32).collect(),
        DType::I8 => host.iter().map(|&b| b as i8 as i32).collect(),
        DType::I16 => host.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as i32).collect(),
        DType::BF16 => host.chunks_exact(2).map(|c| ((u16::from_le_bytes([c[0], c[1]]) as u32) << 16) as i32).collect(),
        _ => return host.to_vec(),
    };
    bytemuck::cast_slice(&words).to_vec()
}

/// Device bytes of `dt` as host bytes.
pub fn narrow(dt: DType, dev: &[u8]) -> Vec<u8> {
    let words = || dev.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    match dt {
        DType::Bool => words().map(|w| (w != 0) as u8).collect(),
        DType::U8 | DType::I8 => words().map(|w| w as u8).collect(),
        DType::I16 => words().flat_map(|w| (w as i16).to_le_bytes()).collect(),
        DType::BF16 => words().flat_map(|w| ((w as u32 >> 16) as u16).to_le_bytes()).collect(),
        _ => dev.to_vec(),
    }
}

/// A buffer for `len` elements of `dtype` on `cuda:device`, zero-filled when
/// `zeroed` (else unspecified contents: the caller writes every element).
pub fn allocate(device: usize, dtype: DType, len: usize, zeroed: bool) -> Result<GpuBuffer> {
    let ctx = context(device)?;
    allocate_on(&ctx, dtype, len, zeroed)
}

pub(crate) fn allocate_on(ctx: &Arc<GpuContext>, dtype: DType, len: usize, zeroed: bool) -> Result<GpuBuffer> {
    ctx.check()?;
    ctx.require(dtype)?;
    let bytes = (len as u64)
        .checked_mul(device_size(dtype) as u64)
        .ok_or_else(|| Error::runtime(format!("wgpu: {len} elements of {dtype} overflow a buffer size")))?;
    let block = allocate_block(ctx, bytes)?;
    let buf = GpuBuffer::new(ctx.clone(), block, dtype, len);
    if zeroed {
        // New wgpu buffers are zeroed by wgpu, recycled ones are not.
        ctx.record(|enc| enc.clear_buffer(buf.raw(), 0, None))?;
    }
    Ok(buf)
}

/// A new buffer on `cuda:device` holding `host`, the bytes of contiguous
/// elements of `dtype` in the CPU backend's layout.
pub fn upload(device: usize, dtype: DType, host: &[u8]) -> Result<GpuBuffer> {
    let ctx = context(device)?;
    if !host.len().is_multiple_of(dtype.size()) {
        return Err(Error::runtime(format!("upload: {} bytes is not a whole number of {dtype}", host.len())));
    }
    let len = host.len() / dtype.size();
    let buf = allocate_on(&ctx, dtype, len, false)?;
    write(&buf, 0, host)?;
    Ok(buf)
}

/// Writes `host` (contiguous elements in the CPU layout) into `dst` from
/// element `start` on, in stream order.
pub fn write(dst: &GpuBuffer, start: usize, host: &[u8]) -> Result<()> {
    let ctx = dst.context();
    let dt = dst.dtype();
    let n = host.len() / dt.size();
    if !host.len().is_multiple_of(dt.size()) || start.checked_add(n).is_none_or(|e| e > dst.len()) {
        return Err(Error::runtime(format!(
            "write: {} bytes at element {start} do not fit a buffer of {} x {dt}",
            host.len(),
            dst.len()
        )));
    }
    if n == 0 {
        return Ok(());
    }
    let mut dev = widen(dt, host);
    let mut off = (start * device_size(dt)) as u64;
    // Copies move whole 4-byte words: an f16 run starting or ending mid-word
    // would clobber its neighbour, so those go through a read-modify-write.
    if !off.is_multiple_of(4) || !dev.len().is_multiple_of(4) {
        let lo = off / 4 * 4;
        let hi = (off + dev.len() as u64).div_ceil(4) * 4;
        let mut words = read_bytes(dst, lo, hi - lo)?;
        let at = (off - lo) as usize;
        words[at..at + dev.len()].copy_from_slice(&dev);
        dev = words;
        off = lo;
    }
    let staging = ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("rtensor upload"),
        contents: &dev,
        usage: wgpu::BufferUsages::COPY_SRC,
    });
    ctx.record(|enc| enc.copy_buffer_to_buffer(&staging, 0, dst.raw(), off, dev.len() as u64))
}

/// `len` device bytes of `src` from byte `off` (both multiples of 4). A sync point.
pub(crate) fn read_bytes(src: &GpuBuffer, off: u64, len: u64) -> Result<Vec<u8>> {
    let ctx = src.context();
    if len == 0 {
        return Ok(Vec::new());
    }
    let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("rtensor download"),
        size: len,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    ctx.record(|enc| enc.copy_buffer_to_buffer(src.raw(), off, &staging, 0, len))?;
    ctx.flush()?;
    let (tx, rx) = mpsc::channel();
    staging.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    // Another thread's poll may run our callback, and our poll may return
    // before it ran: wait on the channel, polling, until it answers.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    let answer = loop {
        ctx.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::runtime(format!("wgpu: waiting for cuda:{} failed: {e}", ctx.index)))?;
        ctx.check()?;
        match rx.recv_timeout(std::time::Duration::from_millis(1)) {
            Ok(r) => break r,
            Err(_) if std::time::Instant::now() < deadline => continue,
            Err(_) => return Err(Error::runtime(format!("wgpu: cuda:{} did not finish a read-back", ctx.index))),
        }
    };
    answer.map_err(|e| Error::runtime(format!("wgpu: reading back from cuda:{} failed: {e}", ctx.index)))?;
    let out = staging
        .get_mapped_range(..)
        .map_err(|e| Error::runtime(format!("wgpu: mapping a read-back buffer failed: {e:?}")))?
        .to_vec();
    staging.unmap();
    Ok(out)
}

/// Elements `[start, start + n)` of `src` as host bytes (CPU layout). A sync point.
pub fn read(src: &GpuBuffer, start: usize, n: usize) -> Result<Vec<u8>> {
    let dt = src.dtype();
    if start.checked_add(n).is_none_or(|e| e > src.len()) {
        return Err(Error::runtime(format!(
            "read: elements {start}..{} are outside a buffer of {}",
            start.saturating_add(n),
            src.len()
        )));
    }
    let sz = device_size(dt) as u64;
    let (off, end) = (start as u64 * sz, (start + n) as u64 * sz);
    let (lo, hi) = (off / 4 * 4, end.div_ceil(4) * 4);
    let bytes = read_bytes(src, lo, hi - lo)?;
    let at = (off - lo) as usize;
    Ok(narrow(dt, &bytes[at..at + (end - off) as usize]))
}
