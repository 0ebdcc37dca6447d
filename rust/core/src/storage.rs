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

use crate::backend::cpu::buffer::CpuBuffer;
use crate::backend::Buffer;
use crate::bail;
use crate::checked;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::layout::Layout;
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// One buffer of `len` elements of `dtype` on one device (NOTE [Device seam]),
/// plus what every view of it shares whatever the device: the version
/// counter, the writable flag and the last-writer record.
///
/// `Storage` is `Send` and `Sync` because its buffer is. Sharing means several
/// threads may hold `&Storage` and write through the buffer. Rtensor's own
/// kernels never write one element from two threads (outputs that may overlap
/// run on one thread, see `Layout::may_overlap`). Concurrent writes from two
/// *Python* threads to the same tensor are a data race exactly as they are in
/// NumPy and PyTorch; we document this rather than lock every element access.
pub struct Storage {
    buffer: Buffer,
    len: usize,
    dtype: DType,
    writable: bool,
    version: AtomicU64,
    /// The op (and, in anomaly mode, the Python location) of the last in-place
    /// write, so autograd's version error can name it.
    last_write: std::sync::Mutex<Option<String>>,
}

impl Storage {
    /// A zero-filled buffer on `device` for the elements of `layout` (a
    /// contiguous layout: its element count is the length). Zeroing large
    /// buffers is free (the allocator maps zero pages), and it means `empty()`
    /// never exposes uninitialised memory. Fails with PyTorch's errors when the
    /// byte count overflows or the memory cannot be had (NOTE [Checked sizes]).
    pub fn zeros(op: &str, device: Device, dtype: DType, layout: &Layout) -> Result<Storage> {
        Storage::new(op, device, dtype, layout, true)
    }

    /// A buffer whose contents are unspecified, for an op that writes every
    /// element before anything reads it (elementwise and matmul results): it
    /// skips the memset of a recycled buffer (NOTE [Buffer cache]).
    ///
    /// # Safety
    /// The caller must write all elements before the storage is read or
    /// shared with anyone.
    pub unsafe fn uninit(op: &str, device: Device, dtype: DType, layout: &Layout) -> Result<Storage> {
        Storage::new(op, device, dtype, layout, false)
    }

    fn new(op: &str, device: Device, dtype: DType, layout: &Layout, zeroed: bool) -> Result<Storage> {
        let len = layout.numel();
        let bytes = checked::nbytes(op, len, dtype.size(), layout.shape())?;
        let buffer = crate::backend::of(device).allocate(op, dtype, bytes, zeroed)?;
        Ok(Storage::with_buffer(buffer, len, dtype, true))
    }

    /// A storage over a device buffer the backend has just filled.
    pub(crate) fn from_buffer(buffer: Buffer, len: usize, dtype: DType) -> Storage {
        Storage::with_buffer(buffer, len, dtype, true)
    }

    fn with_buffer(buffer: Buffer, len: usize, dtype: DType, writable: bool) -> Storage {
        Storage { buffer, len, dtype, writable, version: AtomicU64::new(0), last_write: std::sync::Mutex::new(None) }
    }

    /// A host storage holding `v`.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Result<Storage> {
        let layout = Layout::try_contiguous("from_vec", &[v.len()])?;
        // SAFETY: the copy below writes all `v.len()` elements before anyone sees `s`.
        let s = unsafe { Storage::uninit("from_vec", Device::Cpu, T::DTYPE, &layout)? };
        // SAFETY: `s` was just allocated on the host with room for `v.len()`
        // elements of `T` (its dtype), suitably aligned, and nobody else can see it yet.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), s.typed_ptr::<T>(), v.len()) };
        Ok(s)
    }

    /// Wraps host memory that belongs to `owner`.
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
        // SAFETY: forwarded to the caller.
        let buffer = Buffer::Cpu(unsafe { CpuBuffer::foreign(ptr, owner) });
        Storage::with_buffer(buffer, len, dtype, writable)
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
        self.buffer.device()
    }
    pub fn buffer(&self) -> &Buffer {
        &self.buffer
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
        match &self.buffer {
            Buffer::Cpu(b) => b.is_foreign(),
            Buffer::Gpu(_) => false,
        }
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

    /// Base address, for `data_ptr()` and aliasing checks (on the host: the
    /// pointer the NumPy export hands out).
    pub fn address(&self) -> usize {
        self.buffer.address()
    }

    /// Host base pointer, for the NumPy export and the CPU kernels. Only
    /// host storage has one: the `ops` layer sends other devices' storage to
    /// their own backend (NOTE [Device seam]).
    pub fn as_ptr(&self) -> *mut u8 {
        match &self.buffer {
            Buffer::Cpu(b) => b.as_ptr(),
            Buffer::Gpu(_) => crate::checked::throw(crate::error::Error::runtime(
                "internal error: host pointer of a GPU storage (a CPU kernel was handed a GPU tensor)",
            )),
        }
    }

    /// Typed host base pointer. Panics only on an internal dtype mix-up (a bug).
    pub fn typed_ptr<T: Element>(&self) -> *mut T {
        assert_eq!(T::DTYPE, self.dtype, "internal error: storage dtype mismatch");
        self.as_ptr() as *mut T
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
