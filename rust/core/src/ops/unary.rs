//! Unary elementwise ops (the rows of `unary_ops!`, NOTE [Op tables]): dtype
//! rules, output and aliasing, then the kernel.

use super::kinds::{UnaryOp, UnaryRule};
use super::{check_out_device, check_writable_out, unalias, write_result};
use crate::bail;
use crate::dtype::{DType, DEFAULT_FLOAT};
use crate::error::Result;
use crate::tensor::Tensor;

/// The dtype `op` computes in and the dtype it returns, for input dtype `dt`.
pub fn dtypes(op: UnaryOp, dt: DType) -> Result<(DType, DType)> {
    let name = op.name();
    let refuse_bool = || -> Result<()> {
        if dt == DType::Bool {
            bail!(Runtime, "\"{name}_cpu\" not implemented for 'Bool' (convert with .int() or .float() first)")
        }
        Ok(())
    };
    Ok(match op.rule() {
        UnaryRule::Negate => {
            if dt == DType::Bool {
                bail!(
                    Runtime,
                    "{name}: Negation, the `-` operator, on a bool tensor is not supported. \
                     If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
                );
            }
            (dt, dt)
        }
        UnaryRule::Numeric => {
            refuse_bool()?;
            (dt, dt)
        }
        UnaryRule::Any => (dt, dt),
        UnaryRule::Float => {
            let f = if dt.is_float() { dt } else { DEFAULT_FLOAT };
            (f, f)
        }
        UnaryRule::Test => (dt, DType::Bool),
        UnaryRule::Integral => {
            if dt.is_float() {
                bail!(
                    Runtime,
                    "\"{name}_cpu\" not implemented for '{}': `~` needs an integer or bool tensor",
                    dt.scalar_name()
                );
            }
            (dt, dt)
        }
    })
}

/// `op(a)`, written into `out` when given (`torch.exp(a, out=o)`, `a.exp_()`).
pub fn unary(op: UnaryOp, a: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    let (cdt, rdt) = dtypes(op, a.dtype())?;
    // On bool, `bitwise_not` is `logical_not` (bool arithmetic is on 0/1 in i64).
    let op = if op == UnaryOp::BitNot && cdt == DType::Bool { UnaryOp::LogicalNot } else { op };
    let out = match out {
        Some(o) => {
            check_out_device(op.name(), o, a.device())?;
            check_writable_out(op.name(), o, a.shape(), rdt)?;
            o.clone()
        }
        // SAFETY: `write_result` below writes every element of `out`.
        None => unsafe { Tensor::for_overwrite(a.device(), rdt, a.shape()) },
    };
    let input = unalias(super::to_dtype(a, cdt), &out);
    Ok(write_result(&out, rdt, |o| super::backend_of(o).unary(op, o, &input)))
}
