//! The vocabulary backward formulas are written in (the rows of the op tables,
//! NOTE [Op tables]): differentiable helpers that take tensors or numbers,
//! what a formula saved, and the context reductions and scans hand their
//! formulas.

use super::{binary, expand, flip, reshape, scatter_into_zeros, shape_i64, sum, unary, where_, VArg};
use crate::autograd::node::Node;
use crate::autograd::var::{SavedVar, Var};
use crate::error::Result;
use crate::ops::{self, BinaryOp, ReduceOp, ScanOp, UnaryOp};
use crate::tensor::{Scalar, Tensor};
use std::sync::{Arc, OnceLock, Weak};

/// A saved operand, unpacked: a tensor or a Python number.
pub enum Operand {
    V(Var),
    S(Scalar),
}

/// Anything a formula helper takes as an operand: `&Var`, `&Operand`, `&f64`.
pub trait AsArg {
    fn varg(&self) -> VArg<'_>;
}

impl AsArg for Var {
    fn varg(&self) -> VArg<'_> {
        VArg::V(self)
    }
}

impl AsArg for Operand {
    fn varg(&self) -> VArg<'_> {
        match self {
            Operand::V(v) => VArg::V(v),
            Operand::S(s) => VArg::S(*s),
        }
    }
}

impl AsArg for f64 {
    fn varg(&self) -> VArg<'_> {
        VArg::S(Scalar::Float(*self))
    }
}

/// A saved operand: a tensor (version-checked) or a number.
pub enum SavedArg {
    V(SavedVar),
    S(Scalar),
}

impl SavedArg {
    pub fn new(a: VArg, what: &str) -> SavedArg {
        match a {
            VArg::V(v) => SavedArg::V(SavedVar::new(v, what)),
            VArg::S(s) => SavedArg::S(s),
        }
    }
    pub fn unpack(&self, node: &str) -> Result<Operand> {
        Ok(match self {
            SavedArg::V(s) => Operand::V(s.unpack(node)?),
            SavedArg::S(s) => Operand::S(*s),
        })
    }
}

/// A saved forward output: see NOTE [Saved outputs] in docs/design.md.
/// The version check is `SavedVar`'s; only the node link is added.
#[derive(Clone)]
pub struct SavedOutput {
    saved: Arc<SavedVar>,
    link: Arc<OnceLock<(Weak<Node>, usize)>>,
}

/// The node an output belongs to, filled in after the node is recorded. The
/// shared cell is made only when a formula saves its output, so recording an
/// op that saves none (most of them) allocates nothing for it.
#[derive(Default)]
pub struct NodeLink(std::cell::OnceCell<Arc<OnceLock<(Weak<Node>, usize)>>>);

impl NodeLink {
    /// Points the link at `v`'s node (a no-op when `v` was not recorded, or
    /// when nothing saved the output).
    pub fn set(&self, v: &Var) {
        if let Some(cell) = self.0.get() {
            if let Some((node, nr)) = v.grad_fn() {
                let _ = cell.set((Arc::downgrade(&node), nr));
            }
        }
    }
}

impl SavedOutput {
    pub fn new(out: &Tensor, link: &NodeLink) -> SavedOutput {
        let link = link.0.get_or_init(Default::default).clone();
        SavedOutput { saved: Arc::new(SavedVar::new(&Var::new(out.clone()), "result")), link }
    }

    pub fn unpack(&self, node_name: &str) -> Result<Var> {
        let data = self.saved.unpack(node_name)?.data;
        Ok(match self.link.get().and_then(|(w, nr)| w.upgrade().map(|n| (n, *nr))) {
            Some((node, nr)) => Var::from_node(data, node, nr),
            None => Var::new(data),
        })
    }
}

// ---- helpers formulas are written with -------------------------------------------

pub fn add(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    binary(BinaryOp::Add, a.varg(), b.varg())
}
pub fn sub(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    binary(BinaryOp::Sub, a.varg(), b.varg())
}
pub fn mul(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    binary(BinaryOp::Mul, a.varg(), b.varg())
}
pub fn div(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    binary(BinaryOp::Div, a.varg(), b.varg())
}
/// `s - x`.
pub fn rsub(x: &impl AsArg, s: f64) -> Result<Var> {
    binary(BinaryOp::Sub, VArg::S(Scalar::Float(s)), x.varg())
}
pub fn neg(a: &Var) -> Result<Var> {
    unary(UnaryOp::Neg, a)
}
pub fn gt(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    cmp(BinaryOp::Gt, a.varg(), b.varg())
}
pub fn floor_divide(a: &impl AsArg, b: &impl AsArg) -> Result<Var> {
    Ok(Var::new(ops::binary::binary(BinaryOp::FloorDiv, a.varg().arg(), b.varg().arg(), None)?))
}
pub fn zeros_like(g: &Var) -> Result<Var> {
    mul(g, &0.0)
}

macro_rules! unary_helpers {
    ($($f:ident => $op:ident),*) => {
        $(pub fn $f(x: &Var) -> Result<Var> {
            unary(UnaryOp::$op, x)
        })*
    };
}
unary_helpers!(sign => Sign, sin => Sin, cos => Cos, sinh => Sinh, cosh => Cosh, sqrt => Sqrt, exp => Exp,
    log => Log, isnan => IsNan, logical_not => LogicalNot);

/// A comparison as a 0/1 mask (never differentiable).
fn cmp(op: BinaryOp, a: VArg, b: VArg) -> Result<Var> {
    Ok(Var::new(ops::binary::binary(op, a.arg(), b.arg(), None)?))
}

/// `d` with zeros where `x == 0`.
fn zero_where_zero(d: &Var, x: &impl AsArg) -> Result<Var> {
    let m = cmp(BinaryOp::Eq, x.varg(), VArg::S(Scalar::Float(0.0)))?;
    where_(&m.data, VArg::S(Scalar::Float(0.0)), VArg::V(d))
}

/// d(a^b)/da = b a^(b-1), zero where b == 0 (so 0^-1 never appears).
pub fn pow_grad_base(g: &Var, a: &Operand, b: &Operand) -> Result<Var> {
    let bm1 = sub(b, &1.0)?;
    let p = binary(BinaryOp::Pow, a.varg(), VArg::V(&bm1))?;
    let d = zero_where_zero(&mul(&p, b)?, b)?;
    mul(g, &d)
}

/// d(a^b)/db = a^b ln(a), zero where a == 0 (the limit for b > 0).
pub fn pow_grad_exponent(g: &Var, a: &Operand, r: &Var) -> Result<Var> {
    let ln = match a {
        Operand::V(v) => log(v)?,
        Operand::S(s) => Var::new(Tensor::scalar(Scalar::Float(s.to_f64().ln()), r.data.dtype())),
    };
    let d = zero_where_zero(&mul(r, &ln)?, a)?;
    mul(g, &d)
}

/// The share of the gradient `a` gets in `maximum(a, b)` (`wins` = Gt) or
/// `minimum` (Lt): 1 where it wins, 1/2 on ties (as PyTorch), 0 elsewhere.
pub fn win_share(a: &Operand, b: &Operand, wins: BinaryOp) -> Result<Var> {
    let half = mul(&cmp(BinaryOp::Eq, a.varg(), b.varg())?, &0.5)?;
    add(&cmp(wins, a.varg(), b.varg())?, &half)
}

/// Which operand of `where(c, x, y)` a gradient is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// `x`, taken where `c` holds: `where(c, g, 0)`.
    IfTrue,
    /// `y`: `where(c, 0, g)`.
    IfFalse,
}

pub fn where_grad(c: &Operand, g: &Var, branch: Branch) -> Result<Var> {
    let Operand::V(c) = c else { unreachable!("the condition is a tensor") };
    let zero = VArg::S(Scalar::Float(0.0));
    match branch {
        Branch::IfTrue => where_(&c.data, VArg::V(g), zero),
        Branch::IfFalse => where_(&c.data, zero, VArg::V(g)),
    }
}

fn mask_and(a: Var, b: Var) -> Result<Var> {
    cmp(BinaryOp::BitAnd, a.varg(), b.varg())
}

/// `clamp`'s gradient to its input: where `lo <= x <= hi` (PyTorch's `clamp_backward`).
pub fn clamp_grad_input(g: &Var, x: &Operand, lo: &Operand, hi: &Operand) -> Result<Var> {
    let inside = mask_and(cmp(BinaryOp::Ge, x.varg(), lo.varg())?, cmp(BinaryOp::Le, x.varg(), hi.varg())?)?;
    mul(g, &inside)
}

/// To `min`: where `x < min` and `min < max` (else `max` wins).
pub fn clamp_grad_min(g: &Var, x: &Operand, lo: &Operand, hi: &Operand) -> Result<Var> {
    let m = mask_and(cmp(BinaryOp::Lt, x.varg(), lo.varg())?, cmp(BinaryOp::Lt, lo.varg(), hi.varg())?)?;
    mul(g, &m)
}

/// To `max`: where `x > max` or `max < min`.
pub fn clamp_grad_max(g: &Var, x: &Operand, lo: &Operand, hi: &Operand) -> Result<Var> {
    let a = cmp(BinaryOp::Gt, x.varg(), hi.varg())?;
    let b = cmp(BinaryOp::Lt, hi.varg(), lo.varg())?;
    mul(g, &cmp(BinaryOp::BitOr, a.varg(), b.varg())?)
}

// ---- reductions and scans -----------------------------------------------------------

/// What a reduction's formula knows about the fold.
pub struct Reduced {
    pub shape: Vec<usize>,
    pub mask: Vec<bool>,
    pub keepdim: bool,
    pub dims: Option<Vec<i64>>,
}

impl Reduced {
    /// A reduced tensor with its reduced dims restored as size 1.
    pub fn unreduce(&self, t: &Var) -> Result<Var> {
        if self.keepdim || self.shape.is_empty() {
            return Ok(t.clone());
        }
        let s: Vec<i64> = self.shape.iter().zip(&self.mask).map(|(&d, &m)| if m { 1 } else { d as i64 }).collect();
        reshape(t, &s)
    }
    /// A (restored) gradient broadcast to the input's shape.
    pub fn expand(&self, g: &Var) -> Result<Var> {
        expand(g, &shape_i64(&self.shape))
    }
}

/// `prod`: the product of the others: prod / x where x != 0; at a zero, the
/// product of the non-zeros if it is the only zero, else 0.
pub fn prod_grad(g: &Var, red: &Reduced, x: &Var, _r: &Var) -> Result<Var> {
    let d = red.dims.as_deref();
    let eq = |t: &Tensor, v: i64| ops::binary::binary(BinaryOp::Eq, ops::Arg::T(t), ops::Arg::S(Scalar::Int(v)), None);
    let (zero, one) = (VArg::S(Scalar::Float(0.0)), VArg::S(Scalar::Float(1.0)));
    let is_zero = eq(&x.data, 0)?;
    let safe = where_(&is_zero, one, VArg::V(x))?;
    let p_nz = super::reduce(ReduceOp::Prod, &safe, d, true, None)?;
    let zeros = ops::reduce::reduce(ReduceOp::Sum, &is_zero, d, true, None)?;
    let at_zero = where_(&eq(&zeros, 1)?, VArg::V(&p_nz), zero)?;
    let elsewhere = where_(&eq(&zeros, 0)?, VArg::V(&div(&p_nz, &safe)?), zero)?;
    let d_in = where_(&is_zero, VArg::V(&at_zero), VArg::V(&elsewhere))?;
    mul(g, &d_in)
}

/// `amax`/`amin`: shared evenly among the tied extremes.
pub fn extreme_grad(g: &Var, red: &Reduced, x: &Var, r: &Var) -> Result<Var> {
    let r = red.unreduce(&Var::new(r.data.clone()))?;
    let hit = Var::new(ops::binary::binary(BinaryOp::Eq, ops::Arg::T(&x.data), ops::Arg::T(&r.data), None)?);
    let hit = super::to_dtype(&hit, x.data.dtype())?;
    let count = sum(&hit, red.dims.as_deref(), true, None)?;
    mul(&hit, &div(g, &count)?)
}

/// What an arg-reduction's formula knows: where the values came from.
pub struct ArgReduced {
    pub shape: Vec<usize>,
    pub dim: usize,
    pub keepdim: bool,
    pub indices: Tensor,
}

impl ArgReduced {
    /// The values' gradient, put back at the indices they were taken from.
    pub fn scatter(&self, g: &Var) -> Result<Var> {
        if self.shape.is_empty() {
            return Ok(g.clone());
        }
        let (g, ix) = if self.keepdim {
            (g.clone(), self.indices.clone())
        } else {
            (super::unsqueeze(g, self.dim as i64)?, self.indices.view_of(self.indices.layout().unsqueeze(self.dim)))
        };
        scatter_into_zeros(&g, self.dim as i64, &ix, &self.shape)
    }
}

/// What a scan's formula knows.
pub struct Scanned {
    pub dim: i64,
}

impl Scanned {
    /// `cumsum`'s gradient: the reversed cumulative sum.
    pub fn reverse_cumsum(&self, g: &Var) -> Result<Var> {
        let f = flip(g, &[self.dim])?;
        let c = super::scan(ScanOp::CumSum, &f, self.dim, None)?;
        flip(&c, &[self.dim])
    }
}

/// `cumprod` (through prod/x where x has no zeros).
pub fn cumprod_grad(g: &Var, scan: &Scanned, x: &Var, r: &Var) -> Result<Var> {
    let gc = mul(g, r)?;
    div(&scan.reverse_cumsum(&gc)?, x)
}
