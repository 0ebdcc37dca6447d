//! Host memory behind a CPU storage: our own allocation, or a NumPy array's.

use super::alloc::{allocate, release, ALIGN};
use crate::checked;
use crate::error::Result;
use std::any::Any;
use std::ptr::NonNull;

enum Owner {
    /// Memory from our allocator, `bytes` long, `ALIGN`-aligned.
    Owned { bytes: usize },
    /// Memory that belongs to someone else (a NumPy array); the box keeps it alive.
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// A host buffer. It never moves or grows, so pointers handed to NumPy stay
/// valid for as long as the storage holding it lives (NOTE [Storage sharing]).
pub struct CpuBuffer {
    ptr: NonNull<u8>,
    owner: Owner,
}

// SAFETY: a `CpuBuffer` owns (or keeps alive, through a `Send + Sync` owner) a
// plain byte buffer; moving it to another thread is fine. Sharing it is
// argued where it is shared, on `Storage` (storage.rs).
unsafe impl Send for CpuBuffer {}
// SAFETY: see above.
unsafe impl Sync for CpuBuffer {}

impl CpuBuffer {
    /// `bytes` of memory (already checked with `checked::nbytes`), zeroed when
    /// `zeroed`; allocation failure is PyTorch's error, never an abort.
    pub(crate) fn allocate(op: &str, bytes: usize, zeroed: bool) -> Result<CpuBuffer> {
        // Huge buffers: calloc maps zero pages for free, so zero them anyway.
        let zeroed = zeroed || bytes >= HUGE_MIN;
        let ptr = if bytes == 0 {
            // A dangling but aligned pointer: never dereferenced for 0 elements.
            NonNull::new(ALIGN as *mut u8).unwrap()
        } else {
            let p = allocate(bytes, zeroed).ok_or_else(|| checked::alloc_error(op, bytes))?;
            advise_huge_pages(p.as_ptr(), bytes);
            p
        };
        Ok(CpuBuffer { ptr, owner: Owner::Owned { bytes } })
    }

    /// Wraps memory that belongs to `owner`.
    ///
    /// # Safety
    /// `ptr` must stay valid (for the reads and writes the storage allows) for
    /// as long as `owner` lives; the owner is dropped only when the buffer is.
    pub unsafe fn foreign(ptr: NonNull<u8>, owner: Box<dyn Any + Send + Sync>) -> CpuBuffer {
        CpuBuffer { ptr, owner: Owner::Foreign(owner) }
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    pub fn is_foreign(&self) -> bool {
        matches!(self.owner, Owner::Foreign(_))
    }
}

impl Drop for CpuBuffer {
    fn drop(&mut self) {
        if let Owner::Owned { bytes } = self.owner {
            if bytes > 0 {
                // SAFETY: allocated by `allocate(bytes, _)` above, and this
                // buffer was its only owner.
                unsafe { release(self.ptr, bytes) };
            }
        }
        // Foreign memory is released when the owner box drops after this.
    }
}

/// Buffers this large are backed by transparent huge pages where the kernel
/// offers them on request: one page fault per 2 MiB instead of per 4 KiB, which
/// halves the cost of writing a fresh 64 MiB result.
const HUGE_MIN: usize = 4 << 20;

#[cfg(target_os = "linux")]
fn advise_huge_pages(p: *mut u8, bytes: usize) {
    if bytes < HUGE_MIN {
        return;
    }
    const PAGE: usize = 4096;
    let start = (p as usize).next_multiple_of(PAGE);
    let end = (p as usize + bytes) / PAGE * PAGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation we own; MADV_HUGEPAGE
        // only changes how the kernel backs it, never its contents. Failure is
        // harmless (the hint is ignored), so the result is not checked.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_p: *mut u8, _bytes: usize) {}
