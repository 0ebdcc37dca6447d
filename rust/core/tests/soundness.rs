//! The core as a Rust API: bad layouts, sizes and writes made through the
//! public functions are errors (or, for the infallible-looking ones, a panic
//! carrying the core `Error`: NOTE [Errors that unwind]), never an access
//! outside a buffer. There is no Miri or sanitizer on the stable toolchain, so
//! these tests pin the checks themselves; valgrind covers the Python side
//! (`make memcheck`).

use rtensor_core::ops::{self, shape, Arg};
use rtensor_core::{DType, Error, ErrorKind, Layout, Scalar, Storage, Tensor};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::Arc;

/// The core error a panicking call unwound with.
fn unwound<R>(f: impl FnOnce() -> R) -> Error {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected the call to raise"),
        Err(p) => *p.downcast::<Error>().expect("the panic payload is a core Error"),
    }
}

#[test]
fn layout_new_checks_its_invariants() {
    assert!(Layout::new("t", &[2, 3], &[3], 0).is_err(), "ranks differ");
    assert!(Layout::new("t", &[1 << 40, 1 << 40], &[0, 0], 0).is_err(), "numel overflows");
    assert!(Layout::new("t", &[9], &[1 << 61], 0).is_err(), "extent past isize::MAX");
    assert!(Layout::new("t", &[3], &[-1], 1).is_err(), "reaches index -1");
    assert!(Layout::new("t", &[3], &[-1], 2).is_ok());
    assert!(Layout::new("t", &[0, 1 << 62], &[1, 1], 0).is_ok(), "empty layouts reach nothing");
    assert!(Layout::try_contiguous("t", &[1 << 32, 1 << 32]).is_err());
}

#[test]
fn views_outside_the_storage_are_refused() {
    let t = Tensor::zeros(DType::F32, &[4]);
    let bad = Layout::new("t", &[5], &[1], 0).unwrap();
    assert_eq!(t.try_view_of("t", bad.clone()).unwrap_err().kind, ErrorKind::Runtime);
    assert_eq!(unwound(|| t.view_of(bad)).kind, ErrorKind::Runtime);
    let shifted = Layout::new("t", &[2], &[2], 3).unwrap();
    assert!(t.try_view_of("t", shifted).is_err());
    assert!(shape::as_strided(&t, &[9], &[1 << 61], None).is_err());
    assert!(shape::as_strided(&t, &[1 << 62, 4], &[0, 1], None).is_err());
    assert!(shape::as_strided(&t, &[2], &[1], Some(3)).is_err());
}

#[test]
fn slices_and_narrows_check_their_arithmetic() {
    let l = Layout::contiguous(&[2, 3]);
    assert!(l.slice(0, 2, 1, 1).is_err(), "start past the end");
    assert!(l.slice(0, 0, 3, 1).is_err(), "too many elements");
    assert!(l.slice(0, 1, 2, -1).is_ok());
    assert!(l.slice(0, 1, 3, -1).is_err(), "runs below 0");
    assert!(l.slice(5, 0, 1, 1).is_err(), "no such dim");
    assert!(l.narrow("narrow", 0, 1, i64::MAX).is_err(), "start + length overflows");
    assert!(l.narrow("narrow", 0, i64::MAX, 2).is_err());
    assert!(l.narrow("narrow", 0, i64::MIN, 1).is_err());
    assert!(l.select(0, i64::MIN).is_err());
    assert_eq!(shape::slice_indices(3, None, None, i64::MAX), (0, 1));
    assert_eq!(shape::slice_indices(3, None, None, i64::MIN), (2, 1));
    assert_eq!(shape::slice_indices(3, Some(i64::MIN), Some(i64::MAX), i64::MAX), (0, 1));
}

#[test]
fn sizes_that_overflow_are_errors() {
    assert!(Tensor::try_zeros("t", DType::F32, &[1 << 62]).is_err(), "bytes overflow");
    assert!(Tensor::try_zeros("t", DType::F32, &[1 << 31, 1 << 31, 1 << 31]).is_err(), "numel overflows");
    assert!(Tensor::try_zeros("t", DType::U8, &[1 << 50]).is_err(), "more than the machine has");
    assert!(Tensor::from_fn::<f32>("t", &[1 << 62], |_| 0.0).is_err());
    let one = Tensor::zeros(DType::F32, &[1]);
    assert!(shape::expand(&one, &[1 << 32, 1 << 32]).is_err());
    assert!(shape::view(&Tensor::zeros(DType::F32, &[0]), &[1 << 32, 1 << 32]).is_err());
    assert!(shape::view(&one, &[7, 0x6DB6_DB6D_B6DB_6DB7]).is_err(), "7 * n wraps to 1");
    assert!(ops::creation::arange(Scalar::Int(0), Scalar::Int(i64::MAX), Scalar::Int(1), DType::I64).is_err());
    let big = shape::expand(&Tensor::zeros(DType::F32, &[1, 1]), &[1 << 62, 1]).unwrap();
    assert!(ops::join::cat(&[big.clone(), big.clone(), big.clone(), big], 0).is_err());
    assert_eq!(unwound(|| Tensor::zeros(DType::F32, &[1 << 62])).kind, ErrorKind::Runtime);
}

#[test]
fn stored_values_must_fit_the_dtype() {
    assert!(Scalar::Int(300).check_fits("t", DType::U8).is_err());
    assert!(Scalar::Int(-1).check_fits("t", DType::U8).is_ok(), "wraps, as in PyTorch");
    assert!(Scalar::Int(-256).check_fits("t", DType::U8).is_err());
    assert!(Scalar::Float(f64::NAN).check_fits("t", DType::I32).is_err());
    assert!(Scalar::Float(1e300).check_fits("t", DType::F32).is_err());
    assert!(Scalar::Float(f64::INFINITY).check_fits("t", DType::F16).is_ok());
    assert!(ops::creation::full("full", &[2], Scalar::Int(1 << 40), DType::I32).is_err());
}

#[test]
fn read_only_memory_is_never_written() {
    let backing: Box<[f32]> = vec![1.0f32; 4].into_boxed_slice();
    let ptr = NonNull::new(backing.as_ptr() as *mut u8).unwrap();
    // SAFETY: `backing` is 4 f32s, aligned, and lives in the owner box until
    // the storage drops; the storage is read-only, so nothing writes it.
    let storage = unsafe { Storage::from_foreign(ptr, 4, DType::F32, false, Box::new(backing)) };
    let t = Tensor::from_storage(Arc::new(storage), Layout::contiguous(&[4])).unwrap();
    assert!(ops::assign("copy_", &t, Arg::S(Scalar::Float(2.0))).is_err());
    assert!(ops::binary::binary(ops::BinaryOp::Add, Arg::T(&t), Arg::S(Scalar::Int(1)), Some(&t)).is_err());
    assert!(ops::index::index_put(&t, &[ops::index::IndexItem::Int(0)], Arg::S(Scalar::Int(3))).is_err());
    assert_eq!(t.to_vec::<f32>().unwrap(), vec![1.0; 4]);
}

#[test]
fn overlapping_inputs_are_read_before_the_output_is_written() {
    // Two storages over the same memory, as two imports of one NumPy array.
    let a = Tensor::from_vec(vec![-2.0f64, -1.0], &[2]).unwrap();
    let ptr = NonNull::new(a.storage().as_ptr()).unwrap();
    let keep = a.clone();
    // SAFETY: the memory belongs to `a`'s storage, which `keep` (moved into
    // the owner box) keeps alive as long as the second storage lives.
    let alias = unsafe { Storage::from_foreign(ptr, 2, DType::F64, true, Box::new(SendTensor(keep))) };
    let b = Tensor::from_storage(Arc::new(alias), Layout::contiguous(&[2])).unwrap();
    let flipped = shape::flip(&b, &[0]).unwrap();
    ops::binary::binary(ops::BinaryOp::Add, Arg::T(&a), Arg::T(&flipped), Some(&a)).unwrap();
    assert_eq!(a.to_vec::<f64>().unwrap(), vec![-3.0, -3.0], "NumPy's a + a[::-1]");
}

struct SendTensor(#[allow(dead_code)] Tensor);
