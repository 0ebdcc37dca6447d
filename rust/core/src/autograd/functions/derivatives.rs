//! The backward formulas of the op tables, generated from their rows (NOTE [Op
//! tables]): the single place each derivative is written, as PyTorch's
//! `derivatives.yaml`. Each family's entry point runs the forward op and, when
//! an input requires grad, records a node whose formula is the row's.

#![allow(unused_variables, unused_mut)] // rows name operands they may not use; optional clauses

use super::formula::*;
use super::{grad_for, needs_grad, record, record_attrs, sum_to, VArg};
use crate::autograd::node::Node;
use crate::autograd::var::{SavedVar, Var};
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::{self, ArgReduceOp, BinaryOp, ReduceOp, ScanOp, TernaryOp, UnaryOp};
use crate::tensor::Tensor;

/// `Add` → `Add`, `log1p` → `Log1p`, `logical_not` → `LogicalNot`.
fn pascal(s: &str) -> String {
    s.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// The row's node name as a `&'static str`, built once per row: recording
/// runs on every differentiable op, so it must not format a string each time.
macro_rules! node_name {
    ($name:literal) => {{
        static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        NAME.get_or_init(|| format!("{}Backward0", pascal($name))).as_str()
    }};
    ($name:literal, $node:literal) => {
        $node
    };
}

// ---- unary ------------------------------------------------------------------------------

macro_rules! unary_dep {
    (input, $a:expr, $out:expr, $link:expr) => {
        UnaryDep::Input(SavedVar::new($a, "self"))
    };
    (result, $a:expr, $out:expr, $link:expr) => {
        UnaryDep::Result(SavedOutput::new($out, $link))
    };
}

enum UnaryDep {
    Input(SavedVar),
    Result(SavedOutput),
}

impl UnaryDep {
    fn unpack(&self, node: &str) -> Result<Var> {
        match self {
            UnaryDep::Input(s) => s.unpack(node),
            UnaryDep::Result(s) => s.unpack(node),
        }
    }
    fn name(&self) -> String {
        match self {
            UnaryDep::Input(_) => "self".into(),
            UnaryDep::Result(_) => "result".into(),
        }
    }
}

macro_rules! unary_grad_arm {
    (none, $name:literal, $a:expr, $out:expr) => {
        Var::new($out)
    };
    ({ $(node $node:literal;)? |$g:ident $(, $dep:ident $b:ident)*| $e:expr }, $name:literal, $a:expr, $out:expr) => {{
        let link = NodeLink::default();
        $(let $b = unary_dep!($dep, $a, &$out, &link);)*
        let saved = vec![$($b.name()),*];
        let v = record(node_name!($name $(, $node)?), &[Some($a)], vec![$out], saved, move |grads, n: &Node| {
            let Some($g) = &grads[0] else { return Ok(vec![None]) };
            $(let $b = $b.unpack(&n.name)?;)*
            Ok(vec![Some($e?)])
        })
        .pop()
        .expect("one output");
        link.set(&v);
        v
    }};
}

macro_rules! gen_unary_grad {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        fn record_unary(op: UnaryOp, a: &Var, out: Tensor) -> Var {
            match op {
                $(UnaryOp::$V => unary_grad_arm!($grad, $name, a, out),)*
            }
        }
    };
}
crate::unary_ops!(gen_unary_grad);

/// `op(a)`, recorded for autograd.
pub fn unary(op: UnaryOp, a: &Var) -> Result<Var> {
    let out = ops::unary::unary(op, &a.data, None)?;
    if !needs_grad(&[Some(a)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    Ok(record_unary(op, a, out))
}

// ---- binary and ternary: operands may be numbers --------------------------------------

/// The operands a binary or ternary formula may save, each saved at most once.
#[derive(Default)]
struct Slots {
    input: Option<SavedArg>,
    other: Option<SavedArg>,
    third: Option<SavedArg>,
    result: Option<SavedOutput>,
}

impl Slots {
    fn names(&self) -> Vec<String> {
        let present = [self.input.is_some(), self.other.is_some(), self.third.is_some(), self.result.is_some()];
        let names = ["self", "other", "third", "result"];
        let mut v = Vec::with_capacity(present.iter().filter(|&&p| p).count());
        v.extend(names.iter().zip(present).filter(|(_, p)| *p).map(|(n, _)| n.to_string()));
        v
    }
}

macro_rules! save_slot {
    (input, $s:ident, $args:expr, $out:expr, $link:expr) => {
        if $s.input.is_none() {
            $s.input = Some(SavedArg::new($args[0], "self"));
        }
    };
    (other, $s:ident, $args:expr, $out:expr, $link:expr) => {
        if $s.other.is_none() {
            $s.other = Some(SavedArg::new($args[1], "other"));
        }
    };
    (third, $s:ident, $args:expr, $out:expr, $link:expr) => {
        if $s.third.is_none() {
            $s.third = Some(SavedArg::new($args[2], "third"));
        }
    };
    (result, $s:ident, $args:expr, $out:expr, $link:expr) => {
        if $s.result.is_none() {
            $s.result = Some(SavedOutput::new($out, $link));
        }
    };
}

macro_rules! unpack_slot {
    (input, $s:ident, $n:expr) => {
        $s.input.as_ref().expect("saved").unpack(&$n.name)?
    };
    (other, $s:ident, $n:expr) => {
        $s.other.as_ref().expect("saved").unpack(&$n.name)?
    };
    (third, $s:ident, $n:expr) => {
        $s.third.as_ref().expect("saved").unpack(&$n.name)?
    };
    (result, $s:ident, $n:expr) => {
        $s.result.as_ref().expect("saved").unpack(&$n.name)?
    };
}

/// Saves what slot `k`'s formula uses, when input `k` wants a gradient.
macro_rules! save_for {
    (none, $k:expr, $s:ident, $args:expr, $out:expr, $link:expr) => {};
    ({ |$g:ident $(, $dep:ident $b:ident)*| $e:expr }, $k:expr, $s:ident, $args:expr, $out:expr, $link:expr) => {
        if $args[$k].var().is_some_and(|v| v.requires_grad()) {
            $(save_slot!($dep, $s, $args, $out, $link);)*
        }
    };
}

/// Slot `k`'s gradient, summed back to operand `k`'s shape.
macro_rules! grad_of {
    (none, $k:expr, $s:ident, $gin:expr, $n:expr, $shapes:expr) => {
        None
    };
    ({ |$g:ident $(, $dep:ident $b:ident)*| $e:expr }, $k:expr, $s:ident, $gin:expr, $n:expr, $shapes:expr) => {
        grad_for(&$n.next[$k], || {
            let $g: &Var = $gin;
            $(let $b = unpack_slot!($dep, $s, $n);)*
            sum_to(&$e?, &$shapes[$k])
        })?
    };
}

/// Records an elementwise op whose formula slots are `$slot`s.
macro_rules! record_slots {
    ($name:literal, [$($node:literal)?], [$([$($pos:literal),*] $num:literal)?], [$($k:expr => $slot:tt),*], $args:expr, $out:expr) => {{
        let args = $args;
        let link = NodeLink::default();
        let mut s = Slots::default();
        $(save_for!($slot, $k, s, args, &$out, &link);)*
        let shapes: Vec<Vec<usize>> = args.iter().map(|a| a.arg().shape().to_vec()).collect();
        // With `number`, number operands are attributes of the op (hidden edges).
        let mut name = node_name!($name $(, $node)?);
        let mut hide = false;
        $(if [$($pos),*].iter().all(|&k: &usize| args[k].var().is_none()) {
            name = $num;
            hide = true;
        })?
        let inputs: Vec<Option<&Var>> = args.iter().map(|a| a.var()).collect();
        let saved = s.names();
        let f = move |grads: &[Option<Var>], n: &Node| -> Result<Vec<Option<Var>>> {
            let Some(g) = &grads[0] else { return Ok(vec![None; n.next.len()]) };
            Ok(vec![$(grad_of!($slot, $k, s, g, n, shapes)),*])
        };
        let v = if hide { record_attrs(name, &inputs, $out, saved, f) } else { record(name, &inputs, vec![$out], saved, f).pop().expect("one output") };
        link.set(&v);
        v
    }};
}

macro_rules! binary_grad_arm {
    (none, $name:literal, $args:expr, $out:expr) => {
        Var::new($out)
    };
    ({ $(node $node:literal;)? $(number [$($pos:literal),*] $num:literal;)? |$g0:ident $(, $d0:ident $b0:ident)*| $e0:expr, |$g1:ident $(, $d1:ident $b1:ident)*| $e1:expr }, $name:literal, $args:expr, $out:expr) => {
        record_slots!($name, [$($node)?], [$([$($pos),*] $num)?], [
            0 => { |$g0 $(, $d0 $b0)*| $e0 },
            1 => { |$g1 $(, $d1 $b1)*| $e1 }
        ], $args, $out)
    };
}

macro_rules! gen_binary_grad {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        fn record_binary(op: BinaryOp, args: [VArg; 2], out: Tensor) -> Var {
            match op {
                $(BinaryOp::$V => binary_grad_arm!($grad, $name, args, out),)*
            }
        }
    };
}
crate::binary_ops!(gen_binary_grad);

/// `a <op> b` with broadcasting and promotion, recorded for autograd.
pub fn binary(op: BinaryOp, a: VArg, b: VArg) -> Result<Var> {
    let out = ops::binary::binary(op, a.arg(), b.arg(), None)?;
    if !needs_grad(&[a.var(), b.var()]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    Ok(record_binary(op, [a, b], out))
}

macro_rules! ternary_grad_arm {
    ({ $(node $node:literal;)? $(number [$($pos:literal),*] $num:literal;)? [$s0:tt, $s1:tt, $s2:tt] }, $name:literal, $args:expr, $out:expr) => {
        record_slots!($name, [$($node)?], [$([$($pos),*] $num)?], [0 => $s0, 1 => $s1, 2 => $s2], $args, $out)
    };
}

macro_rules! gen_ternary_grad {
    ($($V:ident, $name:literal, [$($alias:literal),* $(; $flag:ident)?], $rule:ident, |$x:ident, $y:ident, $z:ident| $cpu:expr, $wgsl:literal, $grad:tt;)*) => {
        /// Records the ternary op `op(args)` = `out` (computed by the caller).
        pub fn record_ternary(op: TernaryOp, args: [VArg; 3], out: Tensor) -> Var {
            if !needs_grad(&[args[0].var(), args[1].var(), args[2].var()]) || !out.dtype().is_float() {
                return Var::new(out);
            }
            match op {
                $(TernaryOp::$V => ternary_grad_arm!($grad, $name, args, out),)*
            }
        }
    };
}
crate::ternary_ops!(gen_ternary_grad);

// ---- reductions -----------------------------------------------------------------------

macro_rules! reduce_grad_arm {
    (none, $name:literal, $x:expr, $out:expr, $red:expr, $named:expr) => {
        Var::new($out)
    };
    ({ node $node:literal; dims $dnode:literal; |$g:ident, $r:ident $(, $dep:ident $b:ident)*| $e:expr }, $name:literal, $x:expr, $out:expr, $red:expr, $named:expr) => {{
        let red: Reduced = $red;
        let name = $named.unwrap_or(if red.dims.is_none() { $node } else { $dnode });
        let link = NodeLink::default();
        $(let $b = unary_dep!($dep, $x, &$out, &link);)*
        let saved = vec![$($b.name()),*];
        let v = record(name, &[Some($x)], vec![$out], saved, move |grads, n: &Node| {
            let Some(g) = &grads[0] else { return Ok(vec![None]) };
            let $g = &red.unreduce(g)?;
            let $r = &red;
            $(let $b = $b.unpack(&n.name)?;)*
            Ok(vec![Some($e?)])
        })
        .pop()
        .expect("one output");
        link.set(&v);
        v
    }};
}

macro_rules! gen_reduce_grad {
    ($($V:ident, $name:literal, $rule:ident, $init:ident, |$x:ident| $load:expr, |$a:ident, $b:ident| $f:expr, $wgsl:literal, $grad:tt;)*) => {
        fn record_reduce(op: ReduceOp, x: &Var, out: Tensor, red: Reduced, named: Option<&'static str>) -> Var {
            match op {
                $(ReduceOp::$V => reduce_grad_arm!($grad, $name, x, out, red, named),)*
            }
        }
    };
}
crate::reduce_ops!(gen_reduce_grad);

/// A fold reduction (`sum`, `prod`, `amax`, ...), recorded for autograd.
pub fn reduce(op: ReduceOp, x: &Var, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    reduce_named(op, x, dims, keepdim, dtype, None)
}

/// [`reduce`] under another node name (`torch.max(x)` is `amax` recorded as
/// `MaxBackward1`).
pub fn reduce_named(
    op: ReduceOp,
    x: &Var,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
    named: Option<&'static str>,
) -> Result<Var> {
    let out = ops::reduce::reduce(op, &x.data, dims, keepdim, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    let mask = ops::reduce::reduced_mask(op.name(), x.data.ndim(), dims)?;
    let red = Reduced { shape: x.data.shape().to_vec(), mask, keepdim, dims: dims.map(|d| d.to_vec()) };
    Ok(record_reduce(op, x, out, red, named))
}

// ---- arg-reductions and scans ---------------------------------------------------------

macro_rules! gen_arg_reduce_grad {
    ($($V:ident, $name:literal, |$v:ident, $b:ident| $better:expr, $wgsl:literal, { node $node:literal; |$g:ident, $arg:ident| $e:expr };)*) => {
        fn record_arg_reduce(op: ArgReduceOp, x: &Var, values: Tensor, arg: ArgReduced) -> Var {
            match op {
                $(ArgReduceOp::$V => record($node, &[Some(x)], vec![values], vec!["indices".into()], move |grads, _| {
                    let Some($g) = &grads[0] else { return Ok(vec![None]) };
                    let $arg = &arg;
                    Ok(vec![Some($e?)])
                })
                .pop()
                .expect("one output"),)*
            }
        }
    };
}
crate::arg_reduce_ops!(gen_arg_reduce_grad);

/// `max`/`min` along a dim: values (differentiable) and int64 indices.
pub fn arg_reduce(op: ArgReduceOp, x: &Var, dim: i64, keepdim: bool) -> Result<(Var, Var)> {
    let (v, i) = ops::reduce::arg_reduce(op, &x.data, dim, keepdim)?;
    if !needs_grad(&[Some(x)]) || !v.dtype().is_float() {
        return Ok((Var::new(v), Var::new(i)));
    }
    let dim = if x.data.ndim() == 0 { 0 } else { crate::layout::wrap_dim(dim, x.data.ndim())? };
    let arg = ArgReduced { shape: x.data.shape().to_vec(), dim, keepdim, indices: i.clone() };
    Ok((record_arg_reduce(op, x, v, arg), Var::new(i)))
}

macro_rules! gen_scan_grad {
    ($($V:ident, $name:literal, |$a:ident, $b:ident| $f:expr, $wgsl:literal, { |$g:ident, $sc:ident $(, $dep:ident $bb:ident)*| $e:expr };)*) => {
        fn record_scan(op: ScanOp, x: &Var, out: Tensor, scan: Scanned) -> Var {
            match op {
                $(ScanOp::$V => {
                    let link = NodeLink::default();
                    $(let $bb = unary_dep!($dep, x, &out, &link);)*
                    let saved = vec![$($bb.name()),*];
                    let v = record(node_name!($name), &[Some(x)], vec![out], saved, move |grads, n: &Node| {
                        let Some($g) = &grads[0] else { return Ok(vec![None]) };
                        let $sc = &scan;
                        $(let $bb = $bb.unpack(&n.name)?;)*
                        Ok(vec![Some($e?)])
                    })
                    .pop()
                    .expect("one output");
                    link.set(&v);
                    v
                })*
            }
        }
    };
}
crate::scan_ops!(gen_scan_grad);

/// `cumsum`/`cumprod` along `dim`, recorded for autograd.
pub fn scan(op: ScanOp, x: &Var, dim: i64, dtype: Option<DType>) -> Result<Var> {
    let out = ops::reduce::scan(op, &x.data, dim, dtype)?;
    if !needs_grad(&[Some(x)]) || !out.dtype().is_float() {
        return Ok(Var::new(out));
    }
    Ok(record_scan(op, x, out, Scanned { dim }))
}
