//! Unary elementwise ops and `clamp`.

use super::{check_writable_out, result_type_of, unalias, write_result, Arg};
use crate::bail;
use crate::cpu::elementwise::{map1, map2};
use crate::dtype::{Bool8, Compute, DType, Element, DEFAULT_FLOAT};
use crate::error::Result;
use crate::tensor::Tensor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Floor,
    Ceil,
    Round,
    Trunc,
    Relu,
    BitNot,
    LogicalNot,
    Exp,
    Exp2,
    Log,
    Log2,
    Log10,
    Log1p,
    Expm1,
    Sqrt,
    Rsqrt,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Sigmoid,
    Reciprocal,
    Square,
    IsNan,
    IsInf,
    IsFinite,
}

/// What an op does with dtypes.
enum Kind {
    /// Same dtype in and out; integers allowed.
    Keep,
    /// Integer inputs compute in the default float dtype (`exp(int)` is float32).
    Float,
    /// Any input, bool output.
    Test,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 34] = {
        use UnaryOp::*;
        [
            Neg, Abs, Sign, Floor, Ceil, Round, Trunc, Relu, BitNot, LogicalNot, Exp, Exp2, Log, Log2, Log10, Log1p,
            Expm1, Sqrt, Rsqrt, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Sigmoid, Reciprocal, Square, IsNan,
            IsInf, IsFinite,
        ]
    };

    pub fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "neg",
            Abs => "abs",
            Sign => "sign",
            Floor => "floor",
            Ceil => "ceil",
            Round => "round",
            Trunc => "trunc",
            Relu => "relu",
            BitNot => "bitwise_not",
            LogicalNot => "logical_not",
            Exp => "exp",
            Exp2 => "exp2",
            Log => "log",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Expm1 => "expm1",
            Sqrt => "sqrt",
            Rsqrt => "rsqrt",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Reciprocal => "reciprocal",
            Square => "square",
            IsNan => "isnan",
            IsInf => "isinf",
            IsFinite => "isfinite",
        }
    }

    pub fn from_name(name: &str) -> Option<UnaryOp> {
        UnaryOp::ALL.into_iter().find(|op| op.name() == name)
    }

    fn kind(self) -> Kind {
        use UnaryOp::*;
        match self {
            Neg | Abs | Sign | Floor | Ceil | Round | Trunc | Relu | BitNot | Square => Kind::Keep,
            IsNan | IsInf | IsFinite | LogicalNot => Kind::Test,
            _ => Kind::Float,
        }
    }
}

/// Float maths on the float compute types.
pub trait FloatC: Compute {
    fn apply(op: UnaryOp, x: Self) -> Self;
    fn is_inf(self) -> bool;
}

macro_rules! float_c {
    ($t:ty) => {
        impl FloatC for $t {
            #[inline(always)]
            fn apply(op: UnaryOp, x: $t) -> $t {
                use UnaryOp::*;
                match op {
                    Exp => x.exp(),
                    Exp2 => x.exp2(),
                    Log => x.ln(),
                    Log2 => x.log2(),
                    Log10 => x.log10(),
                    Log1p => x.ln_1p(),
                    Expm1 => x.exp_m1(),
                    Sqrt => x.sqrt(),
                    Rsqrt => 1.0 / x.sqrt(),
                    Sin => x.sin(),
                    Cos => x.cos(),
                    Tan => x.tan(),
                    Asin => x.asin(),
                    Acos => x.acos(),
                    Atan => x.atan(),
                    Sinh => x.sinh(),
                    Cosh => x.cosh(),
                    Tanh => x.tanh(),
                    Sigmoid => 1.0 / (1.0 + (-x).exp()),
                    Reciprocal => 1.0 / x,
                    Floor => x.floor(),
                    Ceil => x.ceil(),
                    Round => x.round_ties_even(),
                    Trunc => x.trunc(),
                    _ => unreachable!("{op:?} is not a float map"),
                }
            }
            #[inline(always)]
            fn is_inf(self) -> bool {
                self.is_infinite()
            }
        }
    };
}
float_c!(f32);
float_c!(f64);

/// `op(a)`, written into `out` when given (`torch.exp(a, out=o)`, `a.exp_()`).
pub fn unary(op: UnaryOp, a: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    let name = op.name();
    let dt = a.dtype();
    let (cdt, rdt) = match op.kind() {
        Kind::Keep => (dt, dt),
        Kind::Test => (dt, DType::Bool),
        Kind::Float => {
            let f = if dt.is_float() { dt } else { DEFAULT_FLOAT };
            (f, f)
        }
    };
    match op {
        UnaryOp::Neg if dt == DType::Bool => bail!(
            Runtime,
            "neg: Negation, the `-` operator, on a bool tensor is not supported. \
             If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        ),
        UnaryOp::Abs
        | UnaryOp::Relu
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Trunc
        | UnaryOp::Sign
            if dt == DType::Bool =>
        {
            bail!(Runtime, "\"{name}_cpu\" not implemented for 'Bool' (convert with .int() or .float() first)")
        }
        UnaryOp::BitNot if dt.is_float() => bail!(
            Runtime,
            "\"bitwise_not_cpu\" not implemented for '{}': `~` needs an integer or bool tensor",
            dt.scalar_name()
        ),
        _ => {}
    }
    let out = match out {
        Some(o) => {
            check_writable_out(name, o, a.shape(), rdt)?;
            o.clone()
        }
        // SAFETY: `write_result` below writes every element of `out`.
        None => unsafe { Tensor::for_overwrite(rdt, a.shape()) },
    };
    let input = unalias(super::to_dtype(a, cdt), &out);
    Ok(write_result(&out, rdt, |o| run(op, o, &input)))
}

fn run(op: UnaryOp, out: &Tensor, a: &Tensor) {
    let dt = a.dtype();
    if dt.is_float() {
        crate::with_float_dtype!(dt, T, float_kernel::<T>(op, out, a), unreachable!())
    } else {
        crate::with_dtype!(dt, T, int_kernel::<T>(op, out, a))
    }
}

fn keep<T: Element>(out: &Tensor, a: &Tensor, f: impl Fn(T::C) -> T::C + Sync) {
    map1::<T, T>(out, a, |x| T::from_c(f(x.to_c())))
}

fn test<T: Element>(out: &Tensor, a: &Tensor, f: impl Fn(T::C) -> bool + Sync) {
    map1::<T, Bool8>(out, a, |x| Bool8(f(x.to_c()) as u8))
}

fn float_kernel<T: Element>(op: UnaryOp, out: &Tensor, a: &Tensor)
where
    T::C: FloatC,
{
    use UnaryOp::*;
    match op {
        Neg => keep::<T>(out, a, Compute::neg),
        Abs => keep::<T>(out, a, Compute::abs),
        Sign => keep::<T>(out, a, Compute::sign),
        Square => keep::<T>(out, a, |x| x.mul(x)),
        Relu => keep::<T>(out, a, |x| if x > T::C::ZERO || x.is_nan() { x } else { T::C::ZERO }),
        IsNan => test::<T>(out, a, |x| x.is_nan()),
        IsInf => test::<T>(out, a, |x| x.is_inf()),
        IsFinite => test::<T>(out, a, |x| !x.is_nan() && !x.is_inf()),
        LogicalNot => test::<T>(out, a, |x| x == T::C::ZERO),
        BitNot => unreachable!("rejected before dispatch"),
        // Each arm is its own closure so the op is fixed at compile time.
        Exp => keep::<T>(out, a, |x| FloatC::apply(Exp, x)),
        Exp2 => keep::<T>(out, a, |x| FloatC::apply(Exp2, x)),
        Log => keep::<T>(out, a, |x| FloatC::apply(Log, x)),
        Log2 => keep::<T>(out, a, |x| FloatC::apply(Log2, x)),
        Log10 => keep::<T>(out, a, |x| FloatC::apply(Log10, x)),
        Log1p => keep::<T>(out, a, |x| FloatC::apply(Log1p, x)),
        Expm1 => keep::<T>(out, a, |x| FloatC::apply(Expm1, x)),
        Sqrt => keep::<T>(out, a, |x| FloatC::apply(Sqrt, x)),
        Rsqrt => keep::<T>(out, a, |x| FloatC::apply(Rsqrt, x)),
        Sin => keep::<T>(out, a, |x| FloatC::apply(Sin, x)),
        Cos => keep::<T>(out, a, |x| FloatC::apply(Cos, x)),
        Tan => keep::<T>(out, a, |x| FloatC::apply(Tan, x)),
        Asin => keep::<T>(out, a, |x| FloatC::apply(Asin, x)),
        Acos => keep::<T>(out, a, |x| FloatC::apply(Acos, x)),
        Atan => keep::<T>(out, a, |x| FloatC::apply(Atan, x)),
        Sinh => keep::<T>(out, a, |x| FloatC::apply(Sinh, x)),
        Cosh => keep::<T>(out, a, |x| FloatC::apply(Cosh, x)),
        Tanh => keep::<T>(out, a, |x| FloatC::apply(Tanh, x)),
        Sigmoid => keep::<T>(out, a, |x| FloatC::apply(Sigmoid, x)),
        Reciprocal => keep::<T>(out, a, |x| FloatC::apply(Reciprocal, x)),
        Floor => keep::<T>(out, a, |x| FloatC::apply(Floor, x)),
        Ceil => keep::<T>(out, a, |x| FloatC::apply(Ceil, x)),
        Round => keep::<T>(out, a, |x| FloatC::apply(Round, x)),
        Trunc => keep::<T>(out, a, |x| FloatC::apply(Trunc, x)),
    }
}

fn int_kernel<T: Element>(op: UnaryOp, out: &Tensor, a: &Tensor) {
    use UnaryOp::*;
    let is_bool = T::DTYPE == DType::Bool;
    match op {
        Neg => keep::<T>(out, a, Compute::neg),
        Abs => keep::<T>(out, a, Compute::abs),
        Sign => keep::<T>(out, a, Compute::sign),
        Square => keep::<T>(out, a, |x| x.mul(x)),
        Relu => keep::<T>(out, a, |x| Compute::max(x, T::C::ZERO)),
        BitNot if is_bool => keep::<T>(out, a, |x| if x == T::C::ZERO { T::C::ONE } else { T::C::ZERO }),
        BitNot => keep::<T>(out, a, Compute::bit_not),
        Floor | Ceil | Round | Trunc => map1::<T, T>(out, a, |x| x),
        IsNan | IsInf => test::<T>(out, a, |_| false),
        IsFinite => test::<T>(out, a, |_| true),
        LogicalNot => test::<T>(out, a, |x| x == T::C::ZERO),
        _ => unreachable!("{op:?} on integers is computed in floating point"),
    }
}

/// `torch.clamp(a, min, max)`: either bound may be absent, a scalar or a tensor.
pub fn clamp(a: &Tensor, min: Option<Arg>, max: Option<Arg>, out: Option<&Tensor>) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        bail!(Runtime, "clamp: At least one of 'min' or 'max' must not be None");
    }
    let mut args = vec![Arg::T(a)];
    args.extend(min.iter().copied());
    args.extend(max.iter().copied());
    let dt = result_type_of(&args);
    let mut shape: Vec<usize> = a.shape().to_vec();
    for b in min.iter().chain(max.iter()) {
        shape = crate::layout::broadcast_shapes("clamp", &shape, b.shape())?.to_vec();
    }
    let out = match out {
        Some(o) => {
            check_writable_out("clamp", o, &shape, dt)?;
            o.clone()
        }
        None => Tensor::zeros(dt, &shape),
    };
    let x = unalias(super::expand_to("clamp", &super::to_dtype(a, dt), &shape)?, &out);
    let lo = min.map(|m| super::expand_to("clamp", &m.as_tensor(dt), &shape)).transpose()?;
    let hi = max.map(|m| super::expand_to("clamp", &m.as_tensor(dt), &shape)).transpose()?;
    Ok(write_result(&out, dt, |o| {
        crate::with_dtype!(dt, T, {
            let f = |x: T, b: T, upper: bool| {
                let (x, b) = (x.to_c(), b.to_c());
                T::from_c(if x.is_nan() {
                    x
                } else if upper {
                    Compute::min(x, b)
                } else {
                    Compute::max(x, b)
                })
            };
            match (&lo, &hi) {
                (Some(l), Some(h)) => {
                    map2::<T, T, T>(o, &x, l, |x, b| f(x, b, false));
                    map2::<T, T, T>(o, o, h, |x, b| f(x, b, true));
                }
                (Some(l), None) => map2::<T, T, T>(o, &x, l, |x, b| f(x, b, false)),
                (None, Some(h)) => map2::<T, T, T>(o, &x, h, |x, b| f(x, b, true)),
                (None, None) => unreachable!(),
            }
        })
    }))
}
