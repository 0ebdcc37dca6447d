//! Where owned tensor memory comes from.
//!
//! NOTE [Buffer cache]: a training step allocates and frees the same
//! mid-size buffers (activations, gradients: tens of KiB to a few MiB) over and
//! over. glibc serves those from `mmap` or from the top of the heap and hands
//! them back to the kernel on free, so every step paid page faults and zeroing
//! for memory it had just released (about a tenth of an MLP step's time). Freed
//! buffers between `CACHE_MIN` and `CACHE_MAX` bytes are kept here instead, by
//! size class (bytes rounded up to 4 KiB), up to `CACHE_CAP` bytes in all, and
//! handed out again before asking the allocator. Smaller buffers are cheap in
//! malloc's own caches; larger ones get fresh zero pages from `calloc` (and
//! huge pages, see `storage.rs`), which a cache would only make slower to zero.
//! The cache never grows past its cap, and `empty_cache()` returns it all.

use std::alloc::{alloc, alloc_zeroed, dealloc, Layout};
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::Mutex;

/// Alignment of owned buffers. 16 is what `malloc` guarantees, so
/// `alloc_zeroed` becomes `calloc`, which gets fresh zero pages from the OS for
/// large buffers instead of writing zeros (a larger alignment makes Rust's
/// allocator fall back to aligned malloc + memset: 30 ms for 64 MiB here).
pub const ALIGN: usize = 16;

const CACHE_MIN: usize = 16 << 10;
const CACHE_MAX: usize = 4 << 20;
const CACHE_CAP: usize = 256 << 20;
const CLASS: usize = 4 << 10;

struct Cache {
    /// Size class in bytes → free buffers of exactly that many bytes.
    free: HashMap<usize, Vec<usize>>,
    bytes: usize,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// The cache, unless another thread holds it: then the caller goes straight
/// to the allocator. Nothing ever waits here, so a child forked while some
/// thread held the lock cannot deadlock on its first allocation.
fn lock() -> Option<std::sync::MutexGuard<'static, Option<Cache>>> {
    match CACHE.try_lock() {
        Ok(g) => Some(g),
        Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}

fn cacheable(bytes: usize) -> bool {
    (CACHE_MIN..CACHE_MAX).contains(&bytes)
}

/// The number of bytes actually allocated for a request of `bytes`.
fn class_of(bytes: usize) -> usize {
    if cacheable(bytes) {
        bytes.next_multiple_of(CLASS)
    } else {
        bytes
    }
}

/// The allocation layout of a buffer; `None` when `bytes` is past what one
/// allocation may be (callers check that with `checked::nbytes` first).
fn layout(bytes: usize) -> Option<Layout> {
    Layout::from_size_align(bytes, ALIGN).ok()
}

fn take_cached(bytes: usize) -> Option<NonNull<u8>> {
    if !cacheable(bytes) {
        return None;
    }
    let class = class_of(bytes);
    let mut guard = lock()?;
    let cache = guard.as_mut()?;
    let p = cache.free.get_mut(&class)?.pop()?;
    cache.bytes -= class;
    NonNull::new(p as *mut u8)
}

/// Computes the allocation limit now (NOTE [Fork safety] in `lib.rs`).
pub fn init() {
    limit();
}

/// The most one buffer may take: the machine's memory plus swap.
///
/// NOTE [Allocation limit]: `calloc` of more than the machine has does not
/// always fail: with overcommit (and in some sandboxes) it succeeds, and the
/// process is killed later, when the pages are touched. Linux's default
/// heuristic refuses such "obvious overcommits"; we apply the same rule
/// ourselves, so `zeros(2**40)` raises PyTorch's out-of-memory error on every
/// machine instead of succeeding on some and being killed on others.
fn limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: `sysinfo` fills the struct we pass and reads nothing else.
            let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
            // SAFETY: as above; `info` is a valid, writable `sysinfo`.
            if unsafe { libc::sysinfo(&mut info) } == 0 {
                let unit = (info.mem_unit as usize).max(1);
                let total = (info.totalram as usize).saturating_add(info.totalswap as usize);
                return total.saturating_mul(unit).max(1 << 30);
            }
        }
        usize::MAX
    })
}

/// `bytes` (> 0) of memory aligned to [`ALIGN`], zero-filled when `zeroed`,
/// otherwise with unspecified contents; `None` when the allocator refuses or
/// the request is past [`limit`] (the caller raises PyTorch's out-of-memory
/// error; nothing aborts).
pub fn allocate(bytes: usize, zeroed: bool) -> Option<NonNull<u8>> {
    debug_assert!(bytes > 0);
    if bytes > limit() {
        return None;
    }
    if let Some(p) = take_cached(bytes) {
        if zeroed {
            // SAFETY: the cached buffer is `class_of(bytes) >= bytes` bytes long and owned by
            // nobody else now that it left the cache.
            unsafe { p.as_ptr().write_bytes(0, bytes) };
        }
        return Some(p);
    }
    let l = layout(class_of(bytes))?;
    // SAFETY: `l` has non-zero size.
    let p = unsafe {
        if zeroed {
            alloc_zeroed(l)
        } else {
            alloc(l)
        }
    };
    NonNull::new(p)
}

/// Gives back memory from [`allocate`].
///
/// # Safety
/// `p` must come from `allocate(bytes, _)` with this same `bytes`, and must not
/// be used afterwards.
pub unsafe fn release(p: NonNull<u8>, bytes: usize) {
    let class = class_of(bytes);
    if cacheable(bytes) {
        if let Some(mut guard) = lock() {
            let cache = guard.get_or_insert_with(|| Cache { free: HashMap::new(), bytes: 0 });
            if cache.bytes + class <= CACHE_CAP {
                cache.free.entry(class).or_default().push(p.as_ptr() as usize);
                cache.bytes += class;
                return;
            }
        }
    }
    // SAFETY: allocated by `allocate` with exactly this size class and alignment
    // (so `layout` succeeded for it then and does now).
    unsafe { dealloc(p.as_ptr(), layout(class).unwrap_unchecked()) }
}

/// Returns every cached buffer to the allocator; returns how many bytes.
pub fn empty_cache() -> usize {
    let drained = CACHE.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(cache) = drained else { return 0 };
    for (class, ptrs) in cache.free {
        for p in ptrs {
            // SAFETY: every cached pointer came from `allocate` with this class and
            // alignment, and the cache was its only owner.
            unsafe { dealloc(p as *mut u8, layout(class).unwrap_unchecked()) }
        }
    }
    cache.bytes
}

/// Bytes currently held by the cache (for tests and `memory_stats`-style probes).
pub fn cached_bytes() -> usize {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map_or(0, |c| c.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_and_zeroes() {
        let n = 100_000;
        let p = allocate(n, false).unwrap();
        // SAFETY: p is n bytes long and ours.
        unsafe { p.as_ptr().write_bytes(7, n) };
        unsafe { release(p, n) };
        let q = allocate(n, true).unwrap();
        // SAFETY: q is n bytes long and ours.
        let s = unsafe { std::slice::from_raw_parts(q.as_ptr(), n) };
        assert!(s.iter().all(|&b| b == 0));
        unsafe { release(q, n) };
        assert!(cached_bytes() >= n);
        assert!(empty_cache() >= n);
    }

    #[test]
    fn refusal_is_none() {
        assert!(allocate(1 << 50, true).is_none());
        assert!(allocate(isize::MAX as usize, false).is_none());
    }
}
