//! Elementwise ops and their derivatives.

use super::{check_inplace, grad_for, needs_grad, rebase, record1, record1_attrs, scalar_f, sum_to, VArg};
use crate::autograd::var::{SavedVar, Var};
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::{self, BinaryOp, UnaryOp};
use crate::tensor::{Scalar, Tensor};

/// A saved operand: a tensor (version-checked) or a number.
enum SavedArg {
    V(SavedVar),
    S(Scalar),
}

/// An unpacked operand, usable as a `VArg` in formulas.
enum Operand {
    V(Var),
    S(Scalar),
}

impl Operand {
    fn arg(&self) -> VArg<'_> {
        match self {
            Operand::V(v) => VArg::V(v),
            Operand::S(s) => VArg::S(*s),
        }
    }
}

impl SavedArg {
    fn new(a: VArg, what: &str) -> SavedArg {
        match a {
            VArg::V(v) => SavedArg::V(SavedVar::new(v, what)),
            VArg::S(s) => SavedArg::S(s),
        }
    }
    fn get(&self, node: &str) -> Result<Operand> {
        Ok(match self {
            SavedArg::V(s) => Operand::V(s.unpack(node)?),
            SavedArg::S(s) => Operand::S(*s),
        })
    }
}

fn shape_of(a: &VArg) -> Vec<usize> {
    match a {
        VArg::V(v) => v.data.shape().to_vec(),
        VArg::S(_) => vec![],
    }
}

pub fn add(a: &Var, b: &Var) -> Result<Var> {
    binary(BinaryOp::Add, VArg::V(a), VArg::V(b))
}
pub fn sub(a: &Var, b: &Var) -> Result<Var> {
    binary(BinaryOp::Sub, VArg::V(a), VArg::V(b))
}
pub fn mul(a: &Var, b: &Var) -> Result<Var> {
    binary(BinaryOp::Mul, VArg::V(a), VArg::V(b))
}
pub fn div(a: &Var, b: &Var) -> Result<Var> {
    binary(BinaryOp::Div, VArg::V(a), VArg::V(b))
}
pub fn mul_s(a: &Var, s: f64) -> Result<Var> {
    binary(BinaryOp::Mul, VArg::V(a), scalar_f(s))
}
pub fn add_s(a: &Var, s: f64) -> Result<Var> {
    binary(BinaryOp::Add, VArg::V(a), scalar_f(s))
}
pub fn neg(a: &Var) -> Result<Var> {
    unary(UnaryOp::Neg, a)
}
pub fn pow_s(a: &Var, e: f64) -> Result<Var> {
    binary(BinaryOp::Pow, VArg::V(a), scalar_f(e))
}
/// A comparison result used as a 0/1 mask in formulas (never differentiable).
fn cmp(op: BinaryOp, a: VArg, b: VArg) -> Result<Var> {
    Ok(Var::new(ops::binary::binary(op, a.arg(), b.arg(), None)?))
}

/// `a <op> b` with broadcasting and promotion, recorded for autograd.
pub fn binary(op: BinaryOp, a: VArg, b: VArg) -> Result<Var> {
    let out = ops::binary::binary(op, a.arg(), b.arg(), None)?;
    if !needs_grad(&[a.var(), b.var()]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    record_binary(op, a, b, out)
}

fn record_binary(op: BinaryOp, a: VArg, b: VArg, out: Tensor) -> Result<Var> {
    use BinaryOp::*;
    let inputs = [a.var(), b.var()];
    let (sa, sb) = (shape_of(&a), shape_of(&b));
    let b_needs = b.var().is_some_and(|v| v.requires_grad());
    let a_needs = a.var().is_some_and(|v| v.requires_grad());
    Ok(match op {
        Add => record1("AddBackward0", &inputs, out, vec![], move |g, n| {
            Ok(vec![grad_for(&n.next[0], || sum_to(g, &sa))?, grad_for(&n.next[1], || sum_to(g, &sb))?])
        }),
        Sub => record1("SubBackward0", &inputs, out, vec![], move |g, n| {
            Ok(vec![grad_for(&n.next[0], || sum_to(g, &sa))?, grad_for(&n.next[1], || sum_to(&neg(g)?, &sb))?])
        }),
        Mul => {
            // Save only what the wanted gradients use.
            let keep_a = b_needs.then(|| SavedArg::new(a, "self"));
            let keep_b = a_needs.then(|| SavedArg::new(b, "other"));
            record1("MulBackward0", &inputs, out, saved_names(&keep_a, &keep_b), move |g, n| {
                let ga = grad_for(&n.next[0], || {
                    let b = keep_b.as_ref().expect("saved").get(&n.name)?;
                    sum_to(&binary(Mul, VArg::V(g), b.arg())?, &sa)
                })?;
                let gb = grad_for(&n.next[1], || {
                    let a = keep_a.as_ref().expect("saved").get(&n.name)?;
                    sum_to(&binary(Mul, VArg::V(g), a.arg())?, &sb)
                })?;
                Ok(vec![ga, gb])
            })
        }
        Div => {
            let keep_a = b_needs.then(|| SavedArg::new(a, "self"));
            let keep_b = SavedArg::new(b, "other");
            record1("DivBackward0", &inputs, out, vec!["other".into()], move |g, n| {
                let b = keep_b.get(&n.name)?;
                let ga = grad_for(&n.next[0], || sum_to(&binary(Div, VArg::V(g), b.arg())?, &sa))?;
                let gb = grad_for(&n.next[1], || {
                    // d(a/b)/db = -a / b²
                    let a = keep_a.as_ref().expect("saved").get(&n.name)?;
                    let q = binary(Div, VArg::V(g), b.arg())?;
                    let q = binary(Div, VArg::V(&q), b.arg())?;
                    let t = binary(Mul, VArg::V(&q), a.arg())?;
                    sum_to(&neg(&t)?, &sb)
                })?;
                Ok(vec![ga, gb])
            })
        }
        Pow => {
            let (ka, kb) = (SavedArg::new(a, "self"), SavedArg::new(b, "exponent"));
            let scalar_exp = matches!(b, VArg::S(_));
            let saved = vec!["self".into(), "exponent".into()];
            let f = move |g: &Var, n: &crate::autograd::Node| -> Result<Vec<Option<Var>>> {
                let (a, b) = (ka.get(&n.name)?, kb.get(&n.name)?);
                let ga = grad_for(&n.next[0], || {
                    // b * a^(b-1), zero where b == 0 (so 0^-1 never appears)
                    let bm1 = binary(Sub, b.arg(), VArg::S(Scalar::Int(1)))?;
                    let p = binary(Pow, a.arg(), VArg::V(&bm1))?;
                    let d = binary(Mul, VArg::V(&p), b.arg())?;
                    let d = mask_where(&d, b.arg(), BinaryOp::Eq, 0.0)?;
                    sum_to(&mul(g, &d)?, &sa)
                })?;
                let gb = grad_for(&n.next[1], || {
                    // a^b * ln(a), zero where a == 0 and b >= 0
                    let p = binary(Pow, a.arg(), b.arg())?;
                    let ln = match &a {
                        Operand::V(v) => unary(UnaryOp::Log, v)?,
                        Operand::S(s) => Var::new(Tensor::scalar(Scalar::Float(s.to_f64().ln()), p.data.dtype())),
                    };
                    let d = mul(&p, &ln)?;
                    let d = mask_where(&d, a.arg(), BinaryOp::Eq, 0.0)?;
                    sum_to(&mul(g, &d)?, &sb)
                })?;
                Ok(vec![ga, gb])
            };
            // A number exponent is an attribute of the op, hidden from next_functions.
            if scalar_exp {
                record1_attrs("PowBackward0", &inputs, out, saved, f)
            } else {
                record1("PowBackward1", &inputs, out, saved, f)
            }
        }
        Maximum | Minimum => {
            let (ka, kb) = (SavedArg::new(a, "self"), SavedArg::new(b, "other"));
            let name = if op == Maximum { "MaximumBackward0" } else { "MinimumBackward0" };
            let wins = if op == Maximum { Gt } else { Lt };
            record1(name, &inputs, out, vec!["self".into(), "other".into()], move |g, n| {
                let (a, b) = (ka.get(&n.name)?, kb.get(&n.name)?);
                // Ties split the gradient evenly, as PyTorch does.
                let half = binary(Mul, cmp(Eq, a.arg(), b.arg())?.as_arg(), scalar_f(0.5))?;
                let wa = binary(Add, cmp(wins, a.arg(), b.arg())?.as_arg(), VArg::V(&half))?;
                let wb = binary(Add, cmp(wins, b.arg(), a.arg())?.as_arg(), VArg::V(&half))?;
                Ok(vec![
                    grad_for(&n.next[0], || sum_to(&mul(g, &wa)?, &sa))?,
                    grad_for(&n.next[1], || sum_to(&mul(g, &wb)?, &sb))?,
                ])
            })
        }
        Rem => {
            let (ka, kb) = (SavedArg::new(a, "self"), SavedArg::new(b, "other"));
            record1("RemainderBackward0", &inputs, out, vec![], move |g, n| {
                let ga = grad_for(&n.next[0], || sum_to(g, &sa))?;
                let gb = grad_for(&n.next[1], || {
                    let (a, b) = (ka.get(&n.name)?, kb.get(&n.name)?);
                    let q = Var::new(ops::binary::binary(FloorDiv, a.arg().arg(), b.arg().arg(), None)?);
                    sum_to(&neg(&mul(g, &q)?)?, &sb)
                })?;
                Ok(vec![ga, gb])
            })
        }
        // Comparisons, bitwise ops and floor division have no gradient.
        _ => Var::new(out),
    })
}

fn saved_names(a: &Option<SavedArg>, b: &Option<SavedArg>) -> Vec<String> {
    let mut v = vec![];
    if a.is_some() {
        v.push("self".into());
    }
    if b.is_some() {
        v.push("other".into());
    }
    v
}

/// `d` with zeros where `x <op> value` holds.
fn mask_where(d: &Var, x: VArg, op: BinaryOp, value: f64) -> Result<Var> {
    let m = ops::binary::binary(op, x.arg(), ops::Arg::S(Scalar::Float(value)), None)?;
    where_(&m, VArg::S(Scalar::Float(0.0)), VArg::V(d))
}

impl Var {
    pub fn as_arg(&self) -> VArg<'_> {
        VArg::V(self)
    }
}

/// `op(a)`, recorded for autograd.
pub fn unary(op: UnaryOp, a: &Var) -> Result<Var> {
    let out = ops::unary::unary(op, &a.data, None)?;
    if !needs_grad(&[Some(a)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    use UnaryOp::*;
    let name = format!("{}Backward0", pascal(op.name()));
    let x = SavedVar::new(a, "self");
    let formula = move |g: &Var, n: &crate::autograd::Node| -> Result<Vec<Option<Var>>> {
        let x = x.unpack(&n.name)?;
        let u = |o: UnaryOp| unary(o, &x);
        let d = match op {
            Neg => return Ok(vec![Some(neg(g)?)]),
            Exp => mul(g, &u(Exp)?)?,
            Exp2 => mul_s(&mul(g, &u(Exp2)?)?, std::f64::consts::LN_2)?,
            Log => div(g, &x)?,
            Log2 => div(g, &mul_s(&x, std::f64::consts::LN_2)?)?,
            Log10 => div(g, &mul_s(&x, std::f64::consts::LN_10)?)?,
            Log1p => div(g, &add_s(&x, 1.0)?)?,
            Expm1 => mul(g, &u(Exp)?)?,
            Sqrt => div(g, &mul_s(&u(Sqrt)?, 2.0)?)?,
            Rsqrt => mul(g, &mul_s(&div(&u(Rsqrt)?, &x)?, -0.5)?)?,
            Sin => mul(g, &u(Cos)?)?,
            Cos => neg(&mul(g, &u(Sin)?)?)?,
            Tan => mul(g, &add_s(&u(Tan)?.square()?, 1.0)?)?,
            Asin => div(g, &unary(Sqrt, &neg(&add_s(&x.square()?, -1.0)?)?)?)?,
            Acos => neg(&div(g, &unary(Sqrt, &neg(&add_s(&x.square()?, -1.0)?)?)?)?)?,
            Atan => div(g, &add_s(&x.square()?, 1.0)?)?,
            Sinh => mul(g, &u(Cosh)?)?,
            Cosh => mul(g, &u(Sinh)?)?,
            Tanh => mul(g, &neg(&add_s(&u(Tanh)?.square()?, -1.0)?)?)?,
            Sigmoid => {
                let s = u(Sigmoid)?;
                mul(g, &mul(&s, &neg(&add_s(&s, -1.0)?)?)?)?
            }
            Reciprocal => neg(&div(g, &x.square()?)?)?,
            Square => mul(g, &mul_s(&x, 2.0)?)?,
            Relu => mul(g, &cmp(BinaryOp::Gt, VArg::V(&x), VArg::S(Scalar::Int(0)))?)?,
            Abs => mul(g, &u(Sign)?)?,
            // Piecewise constant: the gradient is zero.
            Sign | Floor | Ceil | Round | Trunc => mul_s(g, 0.0)?,
            IsNan | IsInf | IsFinite | BitNot | LogicalNot => unreachable!("not differentiable"),
        };
        Ok(vec![Some(d)])
    };
    Ok(record1(&name, &[Some(a)], out, vec!["self".into()], formula))
}

impl Var {
    pub fn square(&self) -> Result<Var> {
        mul(self, self)
    }
}

/// `Add` → `Add`, `sigmoid` → `Sigmoid`, `log1p` → `Log1p` (PyTorch's node names).
fn pascal(s: &str) -> String {
    s.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// `torch.where(cond, x, y)`.
pub fn where_(cond: &Tensor, x: VArg, y: VArg) -> Result<Var> {
    let out = ops::binary::where_(cond, x.arg(), y.arg())?;
    if !needs_grad(&[x.var(), y.var()]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let (sx, sy) = (shape_of(&x), shape_of(&y));
    let c = cond.clone();
    Ok(record1("WhereBackward0", &[x.var(), y.var()], out, vec!["condition".into()], move |g, n| {
        let zero = VArg::S(Scalar::Float(0.0));
        Ok(vec![
            grad_for(&n.next[0], || sum_to(&where_(&c, VArg::V(g), zero)?, &sx))?,
            grad_for(&n.next[1], || sum_to(&where_(&c, zero, VArg::V(g))?, &sy))?,
        ])
    }))
}

/// `clamp(x, min, max)` with number bounds: the gradient passes where x is inside.
pub fn clamp(x: &Var, lo: Option<Scalar>, hi: Option<Scalar>) -> Result<Var> {
    let out = ops::unary::clamp(&x.data, lo.map(ops::Arg::S), hi.map(ops::Arg::S), None)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let sx = SavedVar::new(x, "self");
    Ok(record1("ClampBackward1", &[Some(x)], out, vec!["self".into()], move |g, n| {
        let x = sx.unpack(&n.name)?;
        let mut keep = Var::new(crate::ops::creation::full("full", x.data.shape(), Scalar::Bool(true), DType::Bool)?);
        if let Some(l) = lo {
            keep = cmp(BinaryOp::BitAnd, keep.as_arg(), cmp(BinaryOp::Ge, VArg::V(&x), VArg::S(l))?.as_arg())?;
        }
        if let Some(h) = hi {
            keep = cmp(BinaryOp::BitAnd, keep.as_arg(), cmp(BinaryOp::Le, VArg::V(&x), VArg::S(h))?.as_arg())?;
        }
        Ok(vec![Some(mul(g, &keep)?)])
    }))
}

/// A dtype cast; the gradient is cast back.
pub fn to_dtype(x: &Var, dtype: DType) -> Result<Var> {
    if x.data.dtype() == dtype {
        return Ok(x.clone());
    }
    let out = ops::to_dtype(&x.data, dtype);
    if !needs_grad(&[Some(x)]) || !dtype.is_float() {
        return Ok(Var::new(out));
    }
    let from = x.data.dtype();
    Ok(record1("ToCopyBackward0", &[Some(x)], out, vec![], move |g, _| Ok(vec![Some(to_dtype(g, from)?)])))
}

/// `clone()`: a copy that stays in the graph.
/// `Tensor.clone()`: keeps a dense permuted input's strides (`preserve_format`).
pub fn clone(x: &Var) -> Result<Var> {
    copy_of(x, ops::clone_preserve(&x.data))
}

/// `Tensor.contiguous()` of a non-contiguous tensor: a row-major copy.
pub fn contiguous(x: &Var) -> Result<Var> {
    copy_of(x, ops::clone(&x.data))
}

fn copy_of(x: &Var, out: Tensor) -> Result<Var> {
    if !needs_grad(&[Some(x)]) {
        return Ok(Var::new(out));
    }
    Ok(record1("CloneBackward0", &[Some(x)], out, vec![], |g, _| Ok(vec![Some(g.clone())])))
}

/// `a.<op>_(b)` with autograd: when recording, the op runs out of place on a
/// snapshot of `a` (so formulas may save it) and the result is written back.
pub fn binary_(op: BinaryOp, a: &Var, b: VArg) -> Result<Var> {
    check_inplace(a, op.name())?;
    if !needs_grad(&[Some(a), b.var()]) {
        ops::binary::binary(op, ops::Arg::T(&a.data), b.arg(), Some(&a.data))?;
        return Ok(a.clone());
    }
    let snap = Var { data: ops::clone(&a.data), meta: a.meta.clone() };
    let r = binary(op, VArg::V(&snap), b)?;
    if r.data.shape() != a.data.shape() {
        bail!(
            Runtime,
            "{}_: output with shape {:?} doesn't match the broadcast shape {:?}",
            op.name(),
            a.data.shape(),
            r.data.shape()
        );
    }
    rebase(a, r, &format!("{}_", op.name()))
}

/// `a.<op>_()` with autograd.
pub fn unary_(op: UnaryOp, a: &Var) -> Result<Var> {
    check_inplace(a, op.name())?;
    if !needs_grad(&[Some(a)]) {
        ops::unary::unary(op, &a.data, Some(&a.data))?;
        return Ok(a.clone());
    }
    let snap = Var { data: ops::clone(&a.data), meta: a.meta.clone() };
    let r = unary(op, &snap)?;
    rebase(a, r, &format!("{}_", op.name()))
}
