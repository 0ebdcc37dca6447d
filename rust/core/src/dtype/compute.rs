//! Arithmetic on the compute types (see NOTE [Compute types] in `element.rs`).

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
    fn is_inf(self) -> bool;
    /// Rounding to an integer value; the identity on integers.
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    /// Half to even, as `torch.round`.
    fn round(self) -> Self;
    fn trunc(self) -> Self;
    /// `x == 0` (NaN is truthy: false).
    fn is_zero(self) -> bool;
    /// `max(x, 0)` keeping NaN, as `torch.relu`.
    fn relu(self) -> Self;
    /// NaN read as 0 (`nansum`'s load); the identity on integers.
    fn nan_to_zero(self) -> Self;
}

/// The float-only maths of the op tables (`exp(int)` computes in float32, so
/// these never meet an integer).
pub trait FloatC: Compute {
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn ln_1p(self) -> Self;
    fn exp_m1(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn hypot(self, o: Self) -> Self;
    fn is_finite(self) -> bool;
    #[inline(always)]
    fn rsqrt(self) -> Self {
        Self::ONE.div(self.sqrt())
    }
    #[inline(always)]
    fn recip(self) -> Self {
        Self::ONE.div(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        Self::ONE.div(Self::ONE.add(self.neg().exp()))
    }
    /// `log(exp(x) + exp(y))` without overflow: the larger term is factored out.
    #[inline(always)]
    fn logaddexp(self, o: Self) -> Self {
        if self.is_inf() && self == o {
            // Both +inf or both -inf: the difference below would be NaN.
            return self;
        }
        let m = if self > o || o.is_nan() { self } else { o };
        let d = self.sub(o).abs();
        m.add(d.neg().exp().ln_1p())
    }
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
    #[inline(always)]
    fn is_inf(self) -> bool {
        false
    }
    #[inline(always)]
    fn floor(self) -> Self {
        self
    }
    #[inline(always)]
    fn ceil(self) -> Self {
        self
    }
    #[inline(always)]
    fn round(self) -> Self {
        self
    }
    #[inline(always)]
    fn trunc(self) -> Self {
        self
    }
    #[inline(always)]
    fn is_zero(self) -> bool {
        self == 0
    }
    #[inline(always)]
    fn relu(self) -> Self {
        Ord::max(self, 0)
    }
    #[inline(always)]
    fn nan_to_zero(self) -> Self {
        self
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
            #[inline(always)]
            fn is_inf(self) -> bool {
                self.is_infinite()
            }
            #[inline(always)]
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                <$t>::ceil(self)
            }
            #[inline(always)]
            fn round(self) -> Self {
                self.round_ties_even()
            }
            #[inline(always)]
            fn trunc(self) -> Self {
                <$t>::trunc(self)
            }
            #[inline(always)]
            fn is_zero(self) -> bool {
                self == 0.0
            }
            #[inline(always)]
            fn relu(self) -> Self {
                if self > 0.0 || self.is_nan() {
                    self
                } else {
                    0.0
                }
            }
            #[inline(always)]
            fn nan_to_zero(self) -> Self {
                if self.is_nan() {
                    0.0
                } else {
                    self
                }
            }
        }

        impl FloatC for $t {
            float_c_fns!($t; exp, exp2, ln, log2, log10, ln_1p, exp_m1, sqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh);
            #[inline(always)]
            fn hypot(self, o: Self) -> Self {
                <$t>::hypot(self, o)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
        }
    };
}

macro_rules! float_c_fns {
    ($t:ty; $($f:ident),*) => {
        $(
            #[inline(always)]
            fn $f(self) -> Self {
                <$t>::$f(self)
            }
        )*
    };
}
float_compute!(f32);
float_compute!(f64);
