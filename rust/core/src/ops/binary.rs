//! Binary elementwise ops: arithmetic, comparisons, bitwise, `where`, `lerp`.

use super::{check_writable_out, expand_to, result_type_of, unalias, write_result, Arg};
use crate::bail;
use crate::cpu::elementwise::{map2, map3};
use crate::dtype::{Bool8, Compute, DType, Element, DEFAULT_FLOAT};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::{Scalar, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Rem,
    Pow,
    Maximum,
    Minimum,
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    pub fn name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            FloorDiv => "floor_divide",
            Rem => "remainder",
            Pow => "pow",
            Maximum => "maximum",
            Minimum => "minimum",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
        }
    }

    pub fn from_name(name: &str) -> Option<BinaryOp> {
        use BinaryOp::*;
        [Add, Sub, Mul, Div, FloorDiv, Rem, Pow, Maximum, Minimum, BitAnd, BitOr, BitXor, Eq, Ne, Lt, Le, Gt, Ge]
            .into_iter()
            .find(|op| op.name() == name)
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    fn is_bitwise(self) -> bool {
        matches!(self, BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor)
    }
}

/// The dtype the op computes in, after PyTorch's promotion and op rules.
fn compute_dtype(op: BinaryOp, a: &Arg, b: &Arg) -> Result<DType> {
    let dt = result_type_of(&[*a, *b]);
    let name = op.name();
    if op.is_bitwise() && dt.is_float() {
        bail!(
            Runtime,
            "\"{name}_cpu\" not implemented for '{}': bitwise ops need integer or bool tensors (got {} and {})",
            dt.scalar_name(),
            a.dtype_name(),
            b.dtype_name()
        );
    }
    let is_bool = |x: &Arg| matches!(x, Arg::T(t) if t.dtype() == DType::Bool);
    if op == BinaryOp::Sub && (is_bool(a) || is_bool(b)) {
        bail!(
            Runtime,
            "sub: Subtraction, the `-` operator, with two bool tensors is not supported. \
             Use the `^` or `logical_xor()` operator instead."
        );
    }
    if op == BinaryOp::Div && !dt.is_float() {
        return Ok(DEFAULT_FLOAT);
    }
    Ok(dt)
}

/// `out = a <op> b` with broadcasting and promotion. With `out` given, the
/// result is written into its memory (`torch.add(a, b, out=c)`, `a.add_(b)`).
pub fn binary(op: BinaryOp, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let name = op.name();
    let cdt = compute_dtype(op, &a, &b)?;
    let rdt = if op.is_comparison() { DType::Bool } else { cdt };
    // Fast path: same-shape tensors already in the compute dtype, fresh output.
    if let (Arg::T(x), Arg::T(y), None) = (a, b, out) {
        if x.dtype() == cdt
            && y.dtype() == cdt
            && x.shape() == y.shape()
            && (cdt.is_float() || !matches!(op, BinaryOp::FloorDiv | BinaryOp::Rem))
        {
            // SAFETY: the elementwise kernel below writes every element of `o`.
            let o = unsafe { Tensor::for_overwrite(rdt, x.shape()) };
            crate::with_dtype!(cdt, T, kernel::<T>(op, &o, x, y));
            return Ok(o);
        }
    }
    let shape = broadcast_shapes(name, a.shape(), b.shape())?;
    if !cdt.is_float() && matches!(op, BinaryOp::FloorDiv | BinaryOp::Rem) {
        check_nonzero_divisor(name, &b)?;
    }
    if op == BinaryOp::Pow && !cdt.is_float() {
        if let Arg::S(Scalar::Int(e)) = b {
            if e < 0 {
                bail!(Runtime, "pow: Integers to negative integer powers are not allowed.");
            }
        }
    }
    let out = match out {
        Some(o) => {
            // Name the write as the user wrote it: `add_` in place, `add(out=)` otherwise.
            let inplace = matches!(a, Arg::T(x) if x.same_elements(o));
            let wname = if inplace { format!("{name}_") } else { format!("{name}(out=...)") };
            check_writable_out(&wname, o, &shape, rdt)?;
            o.clone()
        }
        // SAFETY: `write_result` runs the kernel over all of `out` (or over a
        // temporary, when dtypes differ, and then copies all of it in).
        None => unsafe { Tensor::for_overwrite(rdt, &shape) },
    };
    let ta = unalias(expand_to(name, &a.as_tensor(cdt), &shape)?, &out);
    let tb = unalias(expand_to(name, &b.as_tensor(cdt), &shape)?, &out);
    Ok(write_result(&out, rdt, |o| crate::with_dtype!(cdt, T, kernel::<T>(op, o, &ta, &tb))))
}

fn check_nonzero_divisor(name: &str, b: &Arg) -> Result<()> {
    let zero = match b {
        Arg::S(s) => s.to_i64() == 0,
        Arg::T(t) => {
            let t = super::to_dtype(t, DType::I64);
            t.to_vec::<i64>()?.contains(&0)
        }
    };
    if zero {
        bail!(Runtime, "{name}: ZeroDivisionError (integer division by zero)");
    }
    Ok(())
}

fn kernel<T: Element>(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor) {
    use BinaryOp::*;
    #[inline(always)]
    fn ar<T: Element>(out: &Tensor, a: &Tensor, b: &Tensor, f: impl Fn(T::C, T::C) -> T::C + Sync) {
        map2::<T, T, T>(out, a, b, |x, y| T::from_c(f(x.to_c(), y.to_c())))
    }
    #[inline(always)]
    fn cmp<T: Element>(out: &Tensor, a: &Tensor, b: &Tensor, f: impl Fn(T::C, T::C) -> bool + Sync) {
        map2::<T, T, Bool8>(out, a, b, |x, y| Bool8(f(x.to_c(), y.to_c()) as u8))
    }
    match op {
        Add => ar::<T>(out, a, b, Compute::add),
        Sub => ar::<T>(out, a, b, Compute::sub),
        Mul => ar::<T>(out, a, b, Compute::mul),
        Div => ar::<T>(out, a, b, Compute::div),
        FloorDiv => ar::<T>(out, a, b, Compute::floor_div),
        Rem => ar::<T>(out, a, b, Compute::rem),
        Pow => ar::<T>(out, a, b, Compute::pow),
        Maximum => ar::<T>(out, a, b, Compute::max),
        Minimum => ar::<T>(out, a, b, Compute::min),
        BitAnd => ar::<T>(out, a, b, Compute::bit_and),
        BitOr => ar::<T>(out, a, b, Compute::bit_or),
        BitXor => ar::<T>(out, a, b, Compute::bit_xor),
        Eq => cmp::<T>(out, a, b, |x, y| x == y),
        Ne => cmp::<T>(out, a, b, |x, y| x != y),
        Lt => cmp::<T>(out, a, b, |x, y| x < y),
        Le => cmp::<T>(out, a, b, |x, y| x <= y),
        Gt => cmp::<T>(out, a, b, |x, y| x > y),
        Ge => cmp::<T>(out, a, b, |x, y| x >= y),
    }
}

/// `torch.where(cond, x, y)`.
pub fn where_(cond: &Tensor, x: Arg, y: Arg) -> Result<Tensor> {
    if cond.dtype() != DType::Bool && cond.dtype() != DType::U8 {
        bail!(
            Runtime,
            "where: expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype()
        );
    }
    let dt = result_type_of(&[x, y]);
    for a in [x, y] {
        if let Arg::S(s) = a {
            s.check_fits("where", dt)?;
        }
    }
    let s1 = broadcast_shapes("where", cond.shape(), x.shape())?;
    let shape = broadcast_shapes("where", &s1, y.shape())?;
    let out = Tensor::zeros(dt, &shape);
    let c = expand_to("where", &super::to_dtype(cond, DType::Bool), &shape)?;
    let tx = expand_to("where", &x.as_tensor(dt), &shape)?;
    let ty = expand_to("where", &y.as_tensor(dt), &shape)?;
    crate::with_dtype!(dt, T, map3::<Bool8, T, T, T>(&out, &c, &tx, &ty, |c, x, y| if c.0 != 0 { x } else { y }));
    Ok(out)
}

/// `torch.lerp(start, end, weight)`, PyTorch's two-sided formula for accuracy.
pub fn lerp(start: &Tensor, end: &Tensor, weight: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let dt = result_type_of(&[Arg::T(start), Arg::T(end), weight]);
    let w_dt = match weight {
        Arg::T(w) => w.dtype(),
        Arg::S(_) => start.dtype(),
    };
    if end.dtype() != start.dtype() || w_dt != start.dtype() {
        bail!(
            Runtime,
            "lerp: expected dtype {} for `end` and `weight` but got {} and {}",
            start.dtype(),
            end.dtype(),
            w_dt
        );
    }
    if !start.dtype().is_float() {
        bail!(Runtime, "lerp: expected floating point tensors, got {} and {}", start.dtype(), end.dtype());
    }
    let s1 = broadcast_shapes("lerp", start.shape(), end.shape())?;
    let shape = broadcast_shapes("lerp", &s1, weight.shape())?;
    let out = match out {
        Some(o) => {
            check_writable_out("lerp", o, &shape, dt)?;
            o.clone()
        }
        None => Tensor::zeros(dt, &shape),
    };
    let ts = unalias(expand_to("lerp", &super::to_dtype(start, dt), &shape)?, &out);
    let te = unalias(expand_to("lerp", &super::to_dtype(end, dt), &shape)?, &out);
    let tw = unalias(expand_to("lerp", &weight.as_tensor(dt), &shape)?, &out);
    Ok(write_result(&out, dt, |o| {
        crate::with_float_dtype!(
            dt,
            T,
            map3::<T, T, T, T>(o, &ts, &te, &tw, |s, e, w| {
                let (s, e, w) = (s.to_c(), e.to_c(), w.to_c());
                let half = <<T as Element>::C as Compute>::from_f64(0.5);
                T::from_c(if w.abs() < half {
                    s.add(w.mul(e.sub(s)))
                } else {
                    e.sub(e.sub(s).mul(<T as Element>::C::ONE.sub(w)))
                })
            }),
            unreachable!()
        )
    }))
}
