//! Differentiable ops on [`Var`]s: run the core op, and when grad mode is on
//! and an input requires grad, record a node whose formula is itself written
//! with these ops (so `create_graph=True` gives differentiable gradients).
//!
//! One place per op family: `elementwise.rs`, `reduce.rs`, `linalg.rs`,
//! `views.rs`, `index.rs`. Formulas save only what they use; broadcasting is
//! undone in one place, [`sum_to`].

pub mod derivatives;
pub mod elementwise;
pub mod formula;
pub mod index;
pub mod inplace;
pub mod linalg;
pub mod reduce;
pub mod view_entry;
pub mod views;
pub mod write;

pub use derivatives::{arg_reduce, binary, record_ternary, reduce, reduce_named, scan, unary};
pub use elementwise::*;
pub use formula::{add, div, mul, neg, sub};
pub use index::*;
pub use inplace::*;
pub use linalg::*;
pub use reduce::*;
pub use views::*;

use super::node::{Backward, Node, OutputInfo};
use super::var::Var;
use crate::error::Result;
use crate::layout::Dims;
use crate::tensor::{Scalar, Tensor};

/// An op argument: a tensor (maybe requiring grad) or a Python number.
#[derive(Clone, Copy, Debug)]
pub enum VArg<'a> {
    V(&'a Var),
    S(Scalar),
}

impl<'a> VArg<'a> {
    pub fn arg(&self) -> crate::ops::Arg<'a> {
        match *self {
            VArg::V(v) => crate::ops::Arg::T(&v.data),
            VArg::S(s) => crate::ops::Arg::S(s),
        }
    }
    pub fn var(&self) -> Option<&'a Var> {
        match *self {
            VArg::V(v) => Some(v),
            VArg::S(_) => None,
        }
    }
}

/// Whether an op on these inputs must be recorded.
pub fn needs_grad(inputs: &[Option<&Var>]) -> bool {
    super::is_grad_enabled() && inputs.iter().flatten().any(|v| v.requires_grad())
}

type FormulaFn = dyn Fn(&[Option<Var>], &Node) -> Result<Vec<Option<Var>>> + Send + Sync;

/// A backward formula given as a closure over what it saved.
pub struct Formula {
    f: Box<FormulaFn>,
    saved: Vec<String>,
}

impl Backward for Formula {
    fn apply(&self, grads: &[Option<Var>], node: &Node) -> Result<Vec<Option<Var>>> {
        (self.f)(grads, node)
    }
    fn saved(&self) -> Vec<String> {
        self.saved.clone()
    }
}

/// Records a node for `outputs` computed from `inputs` (`None` for numbers)
/// and returns the outputs as Vars carrying it. PyTorch lists a number operand
/// as a `(None, 0)` edge, so numbers stay visible in `next_functions`.
pub fn record(
    name: &str,
    inputs: &[Option<&Var>],
    outputs: Vec<Tensor>,
    saved: Vec<String>,
    f: impl Fn(&[Option<Var>], &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static,
) -> Vec<Var> {
    record_with(name, inputs, outputs, saved, Numbers::Shown, f)
}

/// [`record`] for a single-output op whose number operands are attributes of
/// the op: PyTorch hides those from `next_functions`.
pub fn record_attrs(
    name: &str,
    inputs: &[Option<&Var>],
    out: Tensor,
    saved: Vec<String>,
    f: impl Fn(&[Option<Var>], &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static,
) -> Var {
    record_with(name, inputs, vec![out], saved, Numbers::Hidden, f).pop().expect("one output")
}

/// A single-output formula, skipped when no gradient arrives.
fn single(
    f: impl Fn(&Var, &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static,
) -> impl Fn(&[Option<Var>], &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static {
    move |g, n| match &g[0] {
        Some(g) => f(g, n),
        None => Ok(vec![None; n.next.len()]),
    }
}

/// How a node lists its Python-number operands in `next_functions`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// As `(None, 0)` edges (`x * 2`'s `MulBackward0`).
    Shown,
    /// Not at all: they are attributes of the op (`x ** 2`'s `PowBackward0`).
    Hidden,
}

fn record_with(
    name: &str,
    inputs: &[Option<&Var>],
    outputs: Vec<Tensor>,
    saved: Vec<String>,
    numbers: Numbers,
    f: impl Fn(&[Option<Var>], &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static,
) -> Vec<Var> {
    let next = inputs.iter().map(|v| v.and_then(|v| if v.requires_grad() { v.edge() } else { None })).collect();
    let infos = outputs.iter().map(|t| OutputInfo { shape: t.shape().into(), dtype: t.dtype() }).collect();
    let shapes: Vec<Dims> = inputs.iter().flatten().map(|v| v.data.shape().into()).collect();
    let hidden = inputs.iter().map(|v| numbers == Numbers::Hidden && v.is_none()).collect();
    let node = Node::new(name, Box::new(Formula { f: Box::new(f), saved }), next, infos, shapes, hidden);
    outputs.into_iter().enumerate().map(|(i, t)| Var::from_node(t, node.clone(), i)).collect()
}

/// Records a single-output op.
pub fn record1(
    name: &str,
    inputs: &[Option<&Var>],
    out: Tensor,
    saved: Vec<String>,
    f: impl Fn(&Var, &Node) -> Result<Vec<Option<Var>>> + Send + Sync + 'static,
) -> Var {
    record_with(name, inputs, vec![out], saved, Numbers::Shown, single(f)).pop().expect("one output")
}

/// Sums a broadcast gradient back to `shape` (undoes broadcasting).
pub fn sum_to(g: &Var, shape: &[usize]) -> Result<Var> {
    if g.data.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.data.ndim() - shape.len();
    let mut dims: Vec<i64> = (0..lead as i64).collect();
    for (i, &d) in shape.iter().enumerate() {
        if d == 1 && g.data.shape()[lead + i] != 1 {
            dims.push((lead + i) as i64);
        }
    }
    let s = sum(g, Some(&dims), true, None)?;
    let shape_i: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    reshape(&s, &shape_i)
}

/// The gradient that flows to an input of `shape`, or `None` if it needs none.
pub fn grad_for(next: &Option<super::Edge>, g: impl FnOnce() -> Result<Var>) -> Result<Option<Var>> {
    if next.is_none() {
        return Ok(None);
    }
    g().map(Some)
}

pub(crate) fn scalar_f(v: f64) -> VArg<'static> {
    VArg::S(Scalar::Float(v))
}

pub(crate) fn shape_i64(s: &[usize]) -> Vec<i64> {
    s.iter().map(|&d| d as i64).collect()
}
