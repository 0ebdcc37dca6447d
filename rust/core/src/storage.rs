//! Reference-counted, typed, untyped-in-memory buffers shared by all views.
//!
//! NOTE [Storage sharing]: a [`Storage`] is always held in an `Arc`; every view,
//! every `numpy()` array exported from a tensor and every tensor imported with
//! `from_numpy` holds one strong count, so the memory lives until the last of
//! them is gone, whichever dies first. Storage is never reallocated, so raw
//! pointers handed to NumPy stay valid for the life of the `Arc`.
//!
//! NOTE [Version counter]: `version` is bumped by every in-place write made through
//! rtensor. It is shared by every view because it lives on the storage (PyTorch
//! keeps it on the storage impl for the same reason). Autograd compares it with
//! the version a saved tensor recorded. Writes made through NumPy bypass it.

use crate::backend::cpu::alloc::{allocate, release, ALIGN};
use crate::bail;
use crate::checked;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::layout::Layout;
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

enum Owner {
    /// Memory from our allocator, `bytes` long, `ALIGN`-aligned.
    Owned { bytes: usize },
    /// Memory that belongs to someone else (a NumPy array); the box keeps it alive.
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

pub struct Storage {
    ptr: NonNull<u8>,
    len: usize,
    dtype: DType,
    device: Device,
    writable: bool,
    version: AtomicU64,
    /// The op (and, in anomaly mode, the Python location) of the last in-place
    /// write, so autograd's version error can name it.
    last_write: std::sync::Mutex<Option<String>>,
    owner: Owner,
}

// SAFETY: `Storage` owns (or keeps alive) a plain byte buffer; moving it to another
// thread is fine. Sharing (`Sync`) means several threads may hold `&Storage` and
// write through `ptr`. Rtensor's own kernels never write one element from two
// threads (outputs that may overlap run on one thread, see `Layout::may_overlap`).
// Concurrent writes from two *Python* threads to the same tensor are a data race
// exactly as they are in NumPy and PyTorch; we document this rather than lock
// every element access.
unsafe impl Send for Storage {}
// SAFETY: see above.
unsafe impl Sync for Storage {}

impl Storage {
    /// A zero-filled buffer for the elements of `layout` (a contiguous layout:
    /// its element count is the length). Zeroing large buffers is free (the
    /// allocator maps zero pages), and it means `empty()` never exposes
    /// uninitialised memory. Fails with PyTorch's errors when the byte count
    /// overflows or the memory cannot be had (NOTE [Checked sizes]).
    pub fn zeros(op: &str, dtype: DType, layout: &Layout) -> Result<Storage> {
        Storage::owned(op, dtype, layout, true)
    }

    /// A buffer whose contents are unspecified, for an op that writes every
    /// element before anything reads it (elementwise and matmul results): it
    /// skips the memset of a recycled buffer (NOTE [Buffer cache]).
    ///
    /// # Safety
    /// The caller must write all elements before the storage is read or
    /// shared with anyone.
    pub unsafe fn uninit(op: &str, dtype: DType, layout: &Layout) -> Result<Storage> {
        Storage::owned(op, dtype, layout, false)
    }

    fn owned(op: &str, dtype: DType, layout: &Layout, zeroed: bool) -> Result<Storage> {
        let len = layout.numel();
        let bytes = checked::nbytes(op, len, dtype.size(), layout.shape())?;
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
        Ok(Storage {
            ptr,
            len,
            dtype,
            device: Device::Cpu,
            writable: true,
            version: AtomicU64::new(0),
            last_write: std::sync::Mutex::new(None),
            owner: Owner::Owned { bytes },
        })
    }

    pub fn from_vec<T: Element>(v: Vec<T>) -> Result<Storage> {
        // SAFETY: the copy below writes all `v.len()` elements before anyone sees `s`.
        let s = unsafe { Storage::uninit("from_vec", T::DTYPE, &Layout::try_contiguous("from_vec", &[v.len()])?)? };
        // SAFETY: `s` was just allocated with room for `v.len()` elements of `T`
        // (its dtype), suitably aligned, and nobody else can see it yet.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), s.ptr.as_ptr() as *mut T, v.len()) };
        Ok(s)
    }

    /// Wraps memory that belongs to `owner`.
    ///
    /// # Safety
    /// `ptr` must be valid for reads (and writes, if `writable`) of `len`
    /// elements of `dtype`, aligned for `dtype`, for as long as `owner` lives;
    /// the owner is dropped only when the storage is.
    pub unsafe fn from_foreign(
        ptr: NonNull<u8>,
        len: usize,
        dtype: DType,
        writable: bool,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Storage {
        Storage {
            ptr,
            len,
            dtype,
            device: Device::Cpu,
            writable,
            version: AtomicU64::new(0),
            last_write: std::sync::Mutex::new(None),
            owner: Owner::Foreign(owner),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn device(&self) -> Device {
        self.device
    }
    pub fn nbytes(&self) -> usize {
        self.len * self.dtype.size()
    }
    pub fn is_writable(&self) -> bool {
        self.writable
    }
    /// True for memory that belongs to someone else (a NumPy array): it can
    /// never be reallocated (`resize_` refuses, as PyTorch does for NumPy).
    pub fn is_foreign(&self) -> bool {
        matches!(self.owner, Owner::Foreign(_))
    }
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }
    /// Records an in-place write by `op` (NOTE [Version counter]).
    pub fn bump_version(&self, op: &str) {
        self.version.fetch_add(1, Ordering::Relaxed);
        let what = match crate::context::anomaly_location() {
            Some(loc) => format!("{op} (at {loc})"),
            None => op.to_string(),
        };
        *self.last_write.lock().unwrap_or_else(|e| e.into_inner()) = Some(what);
    }

    /// Renames the last write (for ops built on another, e.g. `zero_` on `index_put_`).
    pub fn rename_last_write(&self, op: &str) {
        let mut w = self.last_write.lock().unwrap_or_else(|e| e.into_inner());
        let loc = w.as_deref().and_then(|s| s.find(" (at ").map(|i| s[i..].to_string())).unwrap_or_default();
        *w = Some(format!("{op}{loc}"));
    }

    /// The op that made the last in-place write, if any.
    pub fn last_write(&self) -> Option<String> {
        self.last_write.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Base address, for `data_ptr()` and the NumPy export.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Typed base pointer. Panics only on an internal dtype mix-up (a bug).
    pub fn typed_ptr<T: Element>(&self) -> *mut T {
        assert_eq!(T::DTYPE, self.dtype, "internal error: storage dtype mismatch");
        self.ptr.as_ptr() as *mut T
    }

    pub fn check_writable(&self, op: &str) -> Result<()> {
        if !self.writable {
            bail!(
                Runtime,
                "{op}: the tensor's memory is read-only (it was imported from a read-only NumPy array); \
                 clone() it before writing"
            );
        }
        Ok(())
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

impl Drop for Storage {
    fn drop(&mut self) {
        if let Owner::Owned { bytes } = self.owner {
            if bytes > 0 {
                // SAFETY: allocated by `allocate(bytes, _)` in `zeros` or `uninit`,
                // and this storage was its only owner.
                unsafe { release(self.ptr, bytes) };
            }
        }
        // Foreign memory is released when the owner box drops after this.
    }
}
