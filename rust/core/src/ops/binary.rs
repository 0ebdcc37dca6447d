//! Binary elementwise ops (the rows of `binary_ops!`, NOTE [Op tables]):
//! promotion and dtype rules, broadcasting, output and aliasing, then the kernel.

use super::kinds::{BinaryOp, BinaryRule};
use super::{
    check_out_device, check_same_device, check_writable_out, expand_to, result_type_of, unalias, write_result, Arg,
};
use crate::bail;
use crate::dtype::{DType, DEFAULT_FLOAT};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::{Scalar, Tensor};

/// The dtype the op computes in and the dtype it returns, after PyTorch's
/// promotion and the row's rule.
pub fn dtypes(op: BinaryOp, a: &Arg, b: &Arg) -> Result<(DType, DType)> {
    let dt = result_type_of(&[*a, *b]);
    let name = op.name();
    let is_bool = |x: &Arg| matches!(x, Arg::T(t) if t.dtype() == DType::Bool);
    Ok(match op.rule() {
        BinaryRule::Division | BinaryRule::Power if dt == DType::Bool => {
            bail!(
                NotImplemented,
                "\"{name}_cpu\" not implemented for 'Bool' (got {} and {})",
                a.dtype_name(),
                b.dtype_name()
            )
        }
        BinaryRule::Arith | BinaryRule::Division | BinaryRule::Power => {
            if op == BinaryOp::Sub && (is_bool(a) || is_bool(b)) {
                bail!(
                    Runtime,
                    "sub: Subtraction, the `-` operator, with two bool tensors is not supported. \
                     Use the `^` or `logical_xor()` operator instead."
                );
            }
            (dt, dt)
        }
        BinaryRule::TrueDiv => {
            let f = if dt.is_float() { dt } else { DEFAULT_FLOAT };
            (f, f)
        }
        BinaryRule::FloatOnly => {
            if !dt.is_float() {
                bail!(
                    NotImplemented,
                    "\"{name}_cpu\" not implemented for '{}': {name} needs floating point operands (got {} and {})",
                    dt.scalar_name(),
                    a.dtype_name(),
                    b.dtype_name()
                );
            }
            (dt, dt)
        }
        BinaryRule::Bitwise => {
            if dt.is_float() {
                bail!(
                    Runtime,
                    "\"{name}_cpu\" not implemented for '{}': bitwise ops need integer or bool tensors (got {} and {})",
                    dt.scalar_name(),
                    a.dtype_name(),
                    b.dtype_name()
                );
            }
            (dt, dt)
        }
        BinaryRule::Compare => (dt, DType::Bool),
    })
}

/// `out = a <op> b` with broadcasting and promotion. With `out` given, the
/// result is written into its memory (`torch.add(a, b, out=c)`, `a.add_(b)`).
pub fn binary(op: BinaryOp, a: Arg, b: Arg, out: Option<&Tensor>) -> Result<Tensor> {
    let name = op.name();
    let (cdt, rdt) = dtypes(op, &a, &b)?;
    let int_division = op.rule() == BinaryRule::Division && !cdt.is_float();
    // Fast path: same-shape tensors already in the compute dtype, fresh output.
    if let (Arg::T(x), Arg::T(y), None) = (a, b, out) {
        let same = x.dtype() == cdt && y.dtype() == cdt && x.shape() == y.shape() && x.device() == y.device();
        if same && !int_division {
            // SAFETY: the elementwise kernel below writes every element of `o`.
            let o = unsafe { Tensor::for_overwrite(x.device(), rdt, x.shape()) };
            super::backend_of(&o).binary(op, &o, x, y);
            return Ok(o);
        }
    }
    let shape = broadcast_shapes(name, a.shape(), b.shape())?;
    let device = check_same_device(name, &[a, b])?;
    if int_division {
        check_nonzero_divisor(name, &b)?;
    }
    if op.rule() == BinaryRule::Power && !cdt.is_float() {
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
            check_out_device(&wname, o, device)?;
            check_writable_out(&wname, o, &shape, rdt)?;
            o.clone()
        }
        // SAFETY: `write_result` runs the kernel over all of `out` (or over a
        // temporary, when dtypes differ, and then copies all of it in).
        None => unsafe { Tensor::for_overwrite(device, rdt, &shape) },
    };
    let ta = unalias(expand_to(name, &a.as_tensor(cdt, device)?, &shape)?, &out);
    let tb = unalias(expand_to(name, &b.as_tensor(cdt, device)?, &shape)?, &out);
    Ok(write_result(&out, rdt, |o| super::backend_of(o).binary(op, o, &ta, &tb)))
}

/// Integer division by zero would trap: PyTorch raises instead. This reads the
/// divisor's values on the host (a synchronisation point for a GPU backend).
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
