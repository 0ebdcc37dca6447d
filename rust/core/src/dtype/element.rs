//! Storage element types and the conversions between them.
//!
//! NOTE [Compute types]: kernels never do arithmetic on the storage type directly.
//! Each [`Element`] names a compute type `C` (f32 for f16/bf16/f32, f64 for f64,
//! i64 for every integer and bool) and converts on load and store. One arithmetic
//! implementation per compute type then serves all ten dtypes; the conversions
//! are identities that the optimiser removes for f32, f64 and i64, and integer
//! results truncate back exactly like wrapping machine arithmetic would.

use super::compute::Compute;
use super::DType;
use half::{bf16, f16};

/// A bool stored as one byte. Any non-zero byte reads as true, so foreign
/// memory can never hold an invalid value (Rust's `bool` would make that UB).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Bool8(pub u8);

/// A storage element type. See NOTE [Compute types].
pub trait Element: Copy + Send + Sync + 'static + std::fmt::Debug + bytemuck::Pod {
    const DTYPE: DType;
    type C: Compute;
    fn to_c(self) -> Self::C;
    fn from_c(c: Self::C) -> Self;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
}

/// Converts between element types as `Tensor.to(dtype)` does.
#[inline(always)]
pub fn cast<S: Element, D: Element>(x: S) -> D {
    if S::DTYPE.is_float() || D::DTYPE.is_float() {
        D::from_f64(x.to_f64())
    } else {
        D::from_i64(x.to_i64())
    }
}

macro_rules! int_element {
    ($t:ty, $dt:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            type C = i64;
            #[inline(always)]
            fn to_c(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_c(c: i64) -> Self {
                c as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                // Through i64 so that out-of-range values wrap as in C/PyTorch.
                (v as i64) as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
        }
    };
}
int_element!(u8, U8);
int_element!(i8, I8);
int_element!(i16, I16);
int_element!(i32, I32);
int_element!(i64, I64);

impl Element for Bool8 {
    const DTYPE: DType = DType::Bool;
    type C = i64;
    #[inline(always)]
    fn to_c(self) -> i64 {
        (self.0 != 0) as i64
    }
    #[inline(always)]
    fn from_c(c: i64) -> Self {
        Bool8((c != 0) as u8)
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        (self.0 != 0) as u8 as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        Bool8((v != 0.0) as u8)
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        (self.0 != 0) as i64
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        Bool8((v != 0) as u8)
    }
}

macro_rules! float_element {
    ($t:ty, $dt:ident, $c:ty, $to:expr, $from:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            type C = $c;
            #[inline(always)]
            fn to_c(self) -> $c {
                $to(self)
            }
            #[inline(always)]
            fn from_c(c: $c) -> Self {
                $from(c)
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                $to(self) as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                $from(v as $c)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                $to(self) as i64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                $from(v as $c)
            }
        }
    };
}
float_element!(f32, F32, f32, |x| x, |c| c);
float_element!(f64, F64, f64, |x| x, |c| c);
float_element!(f16, F16, f32, f16::to_f32, f16::from_f32);
float_element!(bf16, BF16, f32, bf16::to_f32, bf16::from_f32);
