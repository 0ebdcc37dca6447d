//! Data types, the element trait that kernels are generic over, and PyTorch's
//! type-promotion rules.
//!
//! NOTE [Compute types]: kernels never do arithmetic on the storage type directly.
//! Each [`Element`] names a compute type `C` (f32 for f16/bf16/f32, f64 for f64,
//! i64 for every integer and bool) and converts on load and store. One arithmetic
//! implementation per compute type then serves all ten dtypes; the conversions
//! are identities that the optimiser removes for f32, f64 and i64, and integer
//! results truncate back exactly like wrapping machine arithmetic would.

use half::{bf16, f16};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// The dtype categories that weak (Python scalar) promotion compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Int,
    Float,
}

pub const ALL_DTYPES: [DType; 10] = [
    DType::Bool,
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
];

/// PyTorch's default floating dtype (`torch.get_default_dtype()`).
pub const DEFAULT_FLOAT: DType = DType::F32;
pub const DEFAULT_INT: DType = DType::I64;

impl DType {
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// The PyTorch name, as in `torch.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The name PyTorch's kernel errors use ("Float", "Long", ...).
    pub fn scalar_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == name)
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// The values an integer dtype holds (bool and floats: `None`).
    pub fn int_range(self) -> Option<(i64, i64)> {
        Some(match self {
            DType::U8 => (0, u8::MAX as i64),
            DType::I8 => (i8::MIN as i64, i8::MAX as i64),
            DType::I16 => (i16::MIN as i64, i16::MAX as i64),
            DType::I32 => (i32::MIN as i64, i32::MAX as i64),
            DType::I64 => (i64::MIN, i64::MAX),
            _ => return None,
        })
    }

    /// The largest finite value of a float dtype.
    pub fn float_max(self) -> Option<f64> {
        Some(match self {
            DType::F16 => 65504.0,
            DType::BF16 => 3.3895313892515355e38,
            DType::F32 => f32::MAX as f64,
            DType::F64 => f64::MAX,
            _ => return None,
        })
    }

    /// Integer dtypes, bool excluded.
    pub fn is_int(self) -> bool {
        matches!(self, DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    pub fn category(self) -> Category {
        if self == DType::Bool {
            Category::Bool
        } else if self.is_int() {
            Category::Int
        } else {
            Category::Float
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `torch.promote_types`: the smallest dtype both values fit in.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    match (a.is_float(), b.is_float()) {
        (true, false) => a,
        (false, true) => b,
        (true, true) => {
            if matches!((a, b), (F16, BF16) | (BF16, F16)) {
                F32
            } else {
                a.max(b)
            }
        }
        (false, false) => {
            // uint8 mixes with signed types by widening to the next signed type.
            let (u, s) = match (a, b) {
                (U8, s) | (s, U8) => (true, s),
                _ => (false, a.max(b)),
            };
            if u && s == I8 {
                I16
            } else {
                s
            }
        }
    }
}

/// One operand as promotion sees it (`torch.result_type`).
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A tensor with at least one dimension.
    Dim(DType),
    /// A 0-d tensor: it only takes part when its category is higher.
    ZeroDim(DType),
    /// A Python scalar ("wrapped number"): it only contributes a category.
    Scalar(Category),
}

/// PyTorch's result type: dimensioned tensors first, then 0-d tensors, then
/// Python scalars, each only allowed to raise the category.
pub fn result_type(ops: &[Operand]) -> DType {
    let mut dim: Option<DType> = None;
    let mut zero: Option<DType> = None;
    let mut wrapped: Option<DType> = None;
    let merge = |slot: &mut Option<DType>, d: DType| {
        *slot = Some(match *slot {
            None => d,
            Some(s) => promote_types(s, d),
        })
    };
    for op in ops {
        match *op {
            Operand::Dim(d) => merge(&mut dim, d),
            Operand::ZeroDim(d) => merge(&mut zero, d),
            Operand::Scalar(c) => merge(
                &mut wrapped,
                match c {
                    Category::Bool => DType::Bool,
                    Category::Int => DEFAULT_INT,
                    Category::Float => DEFAULT_FLOAT,
                },
            ),
        }
    }
    combine(dim, combine(zero, wrapped)).unwrap_or(DEFAULT_FLOAT)
}

fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (h, None) => h,
        // A float in the higher group wins outright; otherwise the lower group
        // only matters if the higher one is bool or the lower one is a float.
        (Some(h), Some(l)) => Some(if h.is_float() {
            h
        } else if h == DType::Bool || l.is_float() {
            promote_types(h, l)
        } else {
            h
        }),
    }
}

/// Whether a value of dtype `from` may be written into `to` by an op
/// (`torch.can_cast`): never down a category.
pub fn can_cast(from: DType, to: DType) -> bool {
    from.category() <= to.category()
}

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

/// Arithmetic on the three compute types (f32, f64, i64). Integer division
/// by zero is checked by the caller before any kernel runs, so these never panic.
pub trait Compute: Copy + Send + Sync + PartialOrd + PartialEq + 'static + std::fmt::Debug {
    const ZERO: Self;
    const ONE: Self;
    /// Identities of `max` and `min` (-inf/+inf for floats, extremes for ints).
    const LOWEST: Self;
    const HIGHEST: Self;
    const IS_FLOAT: bool;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    /// Python's `//`: rounds toward negative infinity.
    fn floor_div(self, o: Self) -> Self;
    /// Python's `%`: the result has the divisor's sign.
    fn rem(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    /// NaN-propagating maximum (`torch.maximum`).
    fn max(self, o: Self) -> Self;
    fn min(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    fn is_nan(self) -> bool;
    fn bit_and(self, o: Self) -> Self;
    fn bit_or(self, o: Self) -> Self;
    fn bit_xor(self, o: Self) -> Self;
    fn bit_not(self) -> Self;
}

impl Compute for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const LOWEST: Self = i64::MIN;
    const HIGHEST: Self = i64::MAX;
    const IS_FLOAT: bool = false;
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as i64
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self.wrapping_sub(o)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self.wrapping_mul(o)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        if o == 0 {
            0
        } else {
            self.wrapping_div(o)
        }
    }
    #[inline(always)]
    fn floor_div(self, o: Self) -> Self {
        if o == 0 {
            return 0;
        }
        let q = self.wrapping_div(o);
        if self.wrapping_rem(o) != 0 && ((self < 0) != (o < 0)) {
            q - 1
        } else {
            q
        }
    }
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        if o == 0 {
            return 0;
        }
        let r = self.wrapping_rem(o);
        if r != 0 && ((r < 0) != (o < 0)) {
            r + o
        } else {
            r
        }
    }
    #[inline(always)]
    fn pow(self, o: Self) -> Self {
        if o < 0 {
            match self {
                1 => 1,
                -1 => {
                    if o % 2 == 0 {
                        1
                    } else {
                        -1
                    }
                }
                _ => 0,
            }
        } else {
            self.wrapping_pow(Ord::min(o, u32::MAX as i64) as u32)
        }
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        Ord::max(self, o)
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        Ord::min(self, o)
    }
    #[inline(always)]
    fn neg(self) -> Self {
        self.wrapping_neg()
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.wrapping_abs()
    }
    #[inline(always)]
    fn sign(self) -> Self {
        self.signum()
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        false
    }
    #[inline(always)]
    fn bit_and(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn bit_or(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn bit_xor(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn bit_not(self) -> Self {
        !self
    }
}

macro_rules! float_compute {
    ($t:ty) => {
        impl Compute for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            const IS_FLOAT: bool = true;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                // NumPy's npy_divmod: exact for values like 1.0 // 0.1 == 9.0.
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    div -= 1.0;
                }
                if div != 0.0 {
                    let f = div.floor();
                    if div - f > 0.5 {
                        f + 1.0
                    } else {
                        f
                    }
                } else {
                    (0.0 as $t).copysign(self / o)
                }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                let m = self % o;
                if m != 0.0 {
                    if (o < 0.0) != (m < 0.0) {
                        m + o
                    } else {
                        m
                    }
                } else {
                    (0.0 as $t).copysign(o)
                }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                self.powf(o)
            }
            #[inline(always)]
            fn max(self, o: Self) -> Self {
                if self.is_nan() || self > o {
                    self
                } else if o.is_nan() {
                    o
                } else {
                    o
                }
            }
            #[inline(always)]
            fn min(self, o: Self) -> Self {
                if self.is_nan() || self < o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    self
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn bit_and(self, _: Self) -> Self {
                unreachable!("bitwise ops are rejected for floats before dispatch")
            }
            fn bit_or(self, _: Self) -> Self {
                unreachable!("bitwise ops are rejected for floats before dispatch")
            }
            fn bit_xor(self, _: Self) -> Self {
                unreachable!("bitwise ops are rejected for floats before dispatch")
            }
            fn bit_not(self) -> Self {
                unreachable!("bitwise ops are rejected for floats before dispatch")
            }
        }
    };
}
float_compute!(f32);
float_compute!(f64);

/// Runs `$body` with `$T` bound to the element type of `$dt`.
#[macro_export]
macro_rules! with_dtype {
    ($dt:expr, $T:ident, $body:expr) => {{
        use $crate::dtype::DType;
        match $dt {
            DType::Bool => {
                type $T = $crate::dtype::Bool8;
                $body
            }
            DType::U8 => {
                type $T = u8;
                $body
            }
            DType::I8 => {
                type $T = i8;
                $body
            }
            DType::I16 => {
                type $T = i16;
                $body
            }
            DType::I32 => {
                type $T = i32;
                $body
            }
            DType::I64 => {
                type $T = i64;
                $body
            }
            DType::F16 => {
                type $T = half::f16;
                $body
            }
            DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
        }
    }};
}

/// Like [`with_dtype!`] for the floating dtypes only; other dtypes reach `$else`.
#[macro_export]
macro_rules! with_float_dtype {
    ($dt:expr, $T:ident, $body:expr, $else:expr) => {{
        use $crate::dtype::DType;
        match $dt {
            DType::F16 => {
                type $T = half::f16;
                $body
            }
            DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $else,
        }
    }};
}
