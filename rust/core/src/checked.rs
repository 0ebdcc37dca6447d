//! Checked size arithmetic: the one place element counts, byte counts and
//! layout extents are computed from user-supplied numbers.
//!
//! The bounds, and why the kernels may then trust their index arithmetic:
//! see NOTE [Checked sizes] in docs/design.md. [`throw`] and [`or_throw`]
//! raise an error from code without a `Result`: see NOTE [Errors that unwind]
//! in docs/design.md.

use crate::error::{Error, ErrorKind, Result};
use crate::layout::fmt_shape;

/// The most elements a tensor may have (PyTorch's sizes are `int64_t`).
pub const MAX_NUMEL: usize = i64::MAX as usize;

/// The most bytes one buffer may have (`std::alloc::Layout`'s bound).
pub const MAX_BYTES: usize = isize::MAX as usize;

/// Raises `e` from code that cannot return it (NOTE [Errors that unwind]).
pub fn throw(e: Error) -> ! {
    std::panic::panic_any(e)
}

/// Unwraps `r`, raising its error as in [`throw`].
pub fn or_throw<T>(r: Result<T>) -> T {
    r.unwrap_or_else(|e| throw(e))
}

/// Runs `f`, turning an error it raised with [`throw`] back into `Err`;
/// any other panic goes on unwinding. For callers without the binding's
/// guard (Rust tests, embedders).
pub fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => match p.downcast::<Error>() {
            Ok(e) => Err(*e),
            Err(p) => std::panic::resume_unwind(p),
        },
    }
}

/// The number of elements of `shape`, if it is at most [`MAX_NUMEL`].
/// An empty dimension makes the count 0 whatever the others are.
pub fn numel(op: &str, shape: &[usize]) -> Result<usize> {
    if shape.contains(&0) {
        return Ok(0);
    }
    let mut n = 1usize;
    for &d in shape {
        n = match n.checked_mul(d) {
            Some(n) if n <= MAX_NUMEL => n,
            _ => {
                return Err(Error {
                    kind: ErrorKind::Runtime,
                    msg: format!(
                        "{op}: numel: integer multiplication overflow: a tensor of shape {} would have more \
                         than 2**63-1 elements",
                        fmt_shape(shape)
                    ),
                })
            }
        };
    }
    Ok(n)
}

/// Bytes for `numel` elements of `itemsize` bytes, if at most [`MAX_BYTES`].
pub fn nbytes(op: &str, numel: usize, itemsize: usize, shape: &[usize]) -> Result<usize> {
    match numel.checked_mul(itemsize) {
        Some(b) if b <= MAX_BYTES => Ok(b),
        _ => Err(Error::runtime(format!(
            "{op}: Storage size calculation overflowed with sizes={} ({numel} elements of {itemsize} bytes)",
            fmt_shape(shape)
        ))),
    }
}

/// The lowest and highest storage index reached by `shape`/`strides` from
/// `offset`, in `i128` so no sizes and strides a caller can pass overflow it.
/// `None` for a layout without elements.
pub fn extent(shape: &[usize], strides: &[isize], offset: usize) -> Option<(i128, i128)> {
    if shape.contains(&0) {
        return None;
    }
    let (mut lo, mut hi) = (offset as i128, offset as i128);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as i128 - 1) * s as i128;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    Some((lo, hi))
}

/// `a + b` for sizes, or PyTorch's overflow error.
pub fn add(op: &str, a: usize, b: usize) -> Result<usize> {
    a.checked_add(b)
        .filter(|&s| s <= MAX_NUMEL)
        .ok_or_else(|| Error::runtime(format!("{op}: size {a} + {b} overflows int64")))
}

/// A vector with room for `n` elements, or an error instead of the abort
/// `Vec::with_capacity` gives when the allocator refuses.
pub fn vec_with_capacity<T>(op: &str, n: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| alloc_error(op, n.saturating_mul(std::mem::size_of::<T>())))?;
    Ok(v)
}

/// PyTorch's out-of-memory error.
pub fn alloc_error(op: &str, bytes: usize) -> Error {
    Error::runtime(format!(
        "{op}: DefaultCPUAllocator: can't allocate memory: you tried to allocate {bytes} bytes. \
         The request is larger than this machine can provide."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numel_overflow_is_an_error() {
        assert_eq!(numel("t", &[2, 3]).unwrap(), 6);
        assert_eq!(numel("t", &[1 << 62, 0, 1 << 62]).unwrap(), 0);
        assert!(numel("t", &[1 << 31, 1 << 31, 1 << 31]).is_err());
        assert!(numel("t", &[1 << 63]).is_err());
        assert_eq!(numel("t", &[]).unwrap(), 1);
    }

    #[test]
    fn nbytes_overflow_is_an_error() {
        assert!(nbytes("t", 1 << 62, 4, &[1 << 62]).is_err());
        assert_eq!(nbytes("t", 1 << 20, 4, &[1 << 20]).unwrap(), 4 << 20);
    }

    #[test]
    fn extent_does_not_wrap() {
        assert_eq!(extent(&[9], &[1 << 61], 0), Some((0, 8 * (1i128 << 61))));
        assert_eq!(extent(&[3], &[-2], 4), Some((0, 4)));
        assert_eq!(extent(&[0, 5], &[1, 1], 0), None);
        assert_eq!(extent(&[], &[], 7), Some((7, 7)));
    }

    #[test]
    fn huge_vec_is_an_error() {
        assert!(vec_with_capacity::<u64>("t", usize::MAX / 4).is_err());
    }
}
