//! Entry points of the ops that write a tensor, in place or into a copy:
//! `copy_`, `masked_fill(_)`, `scatter(_)`/`scatter_add(_)`. Each picks
//! between the plain kernel (no autograd involved) and the recorded graph, so
//! the binding calls one function per op (see NOTE [Binding layers] in
//! rust/python/src/lib.rs).

use super::{check_inplace, index_put_, index_put_named, needs_grad, rebase, VArg};
use crate::autograd::var::Var;
use crate::error::Result;
use crate::ops::{self, index as ix, index::IndexItem};
use crate::tensor::{Scalar, Tensor};

/// Whether an op returns a new tensor (`masked_fill`) or writes its input
/// (`masked_fill_`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    New,
    InPlace,
}

pub use crate::backend::ScatterMode;

/// `dst.copy_(src)` (broadcasting and casting): a plain write, or, when
/// autograd is involved, a recorded `CopyBackwards`. Returns `dst` with its
/// new history.
pub fn copy_(dst: &Var, src: VArg) -> Result<Var> {
    if !needs_grad(&[Some(dst), src.var()]) {
        ops::assign("copy_", &dst.data, src.arg())?;
        return Ok(dst.clone());
    }
    index_put_named(dst, vec![IndexItem::Ellipsis], src, "copy_")
}

/// `masked_fill(x, mask, value)` (broadcast to the shape of both) or
/// `masked_fill_` (in `x`, with `x`'s new history returned).
pub fn masked_fill(out: Output, x: &Var, mask: &Tensor, value: Scalar) -> Result<Var> {
    match out {
        Output::New => super::masked_fill(x, mask, value),
        Output::InPlace if needs_grad(&[Some(x)]) => {
            let m = ops::expand_to("masked_fill_", mask, x.data.shape())?;
            index_put_(x, vec![IndexItem::Tensor(m.contiguous())], VArg::S(value))
        }
        Output::InPlace => {
            ix::masked_fill_(&x.data, mask, value)?;
            Ok(x.clone())
        }
    }
}

/// `scatter`/`scatter_add` along `dim` at `index`, into a copy of `x` or
/// (`Output::InPlace`) into `x`, with `x`'s new history returned.
pub fn scatter(out: Output, mode: ScatterMode, x: &Var, dim: i64, index: &Tensor, src: VArg) -> Result<Var> {
    match out {
        Output::New => super::scatter(x, dim, index, src, mode),
        Output::InPlace if needs_grad(&[Some(x), src.var()]) => {
            let r = super::scatter(x, dim, index, src, mode)?;
            check_inplace(x, "scatter_")?;
            rebase(x, r, "scatter_")
        }
        Output::InPlace => {
            ix::scatter_(&x.data, dim, index, src.arg(), mode)?;
            Ok(x.clone())
        }
    }
}
