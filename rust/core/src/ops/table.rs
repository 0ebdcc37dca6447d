//! The op tables: one row per elementwise op, reduction and scan.
//!
//! How the rows become enums, kernels, formulas and Python forms, and how to
//! add an op: NOTE [Op tables] in docs/design.md. This file is the grammar.
//!
//! Row fields, in order:
//! - the variant, PyTorch's name, PyTorch's aliases (`torch.negative`), and
//!   `; no_inplace` where PyTorch has no `x.op_()` (`isnan`, `logaddexp`);
//! - the dtype rule (`ops/kinds.rs` says what each one allows and produces);
//! - the CPU expression over the compute type (`dtype/compute.rs`: `Compute`
//!   methods for every rule, `FloatC` for the float-only rules);
//! - the WGSL expression (over `x`, `y`, `z`, or `a`/`b` for a fold), for the
//!   GPU backend; `""` where the GPU issue has still to write it;
//! - the backward, `none` or `{ |g, dep name, ...| formula }`. `g` is the
//!   incoming gradient; each `dep` (`input`, `other`, `third`, `result`) is a
//!   saved operand, saved only when a gradient that uses it is wanted (saved
//!   results carry no `grad_fn`: no cycle). Formulas are written with the
//!   differentiable functions of `autograd::functions`, so double backward
//!   works. Binary and ternary gradients are summed back to the operand's
//!   shape by the generator (broadcasting); reduction gradients arrive with
//!   the reduced dims restored as size 1 (`red` knows the input's shape).
//!   `node` overrides the autograd node name (default `<Pascal>Backward0`);
//!   `number [k, ..] "Name"` names the node used when operands `k, ..` are
//!   Python numbers (they become attributes, hidden from `next_functions`, as
//!   in PyTorch's `PowBackward0`); reductions name their node with and
//!   without `dim` (`SumBackward0`, `SumBackward1`).

/// Unary elementwise ops: `op(x)`.
#[macro_export]
macro_rules! unary_ops {
    ($gen:ident) => {
        $gen! {
            Neg, "neg", ["negative"], Negate, |x| x.neg(), "-x", { |g| neg(g) };
            Abs, "abs", ["absolute"], Numeric, |x| x.abs(), "abs(x)", { |g, input x| mul(g, &sign(&x)?) };
            Sign, "sign", [], Numeric, |x| x.sign(), "sign(x)", { |g| zeros_like(g) };
            Floor, "floor", [], Numeric, |x| x.floor(), "floor(x)", { |g| zeros_like(g) };
            Ceil, "ceil", [], Numeric, |x| x.ceil(), "ceil(x)", { |g| zeros_like(g) };
            Round, "round", [], Numeric, |x| x.round(), "round(x)", { |g| zeros_like(g) };
            Trunc, "trunc", ["fix"], Numeric, |x| x.trunc(), "trunc(x)", { |g| zeros_like(g) };
            Relu, "relu", [], Numeric, |x| x.relu(), "max(x, 0.0)", { |g, result y| mul(g, &gt(&y, &0.0)?) };
            BitNot, "bitwise_not", [], Integral, |x| x.bit_not(), "~x", none;
            LogicalNot, "logical_not", [], Test, |x| x.is_zero(), "x == 0", none;
            Exp, "exp", [], Float, |x| x.exp(), "exp(x)", { |g, result y| mul(g, &y) };
            Exp2, "exp2", [], Float, |x| x.exp2(), "exp2(x)", { |g, result y| mul(&mul(g, &y)?, &std::f64::consts::LN_2) };
            Log, "log", [], Float, |x| x.ln(), "log(x)", { |g, input x| div(g, &x) };
            Log2, "log2", [], Float, |x| x.log2(), "log2(x)", { |g, input x| div(g, &mul(&x, &std::f64::consts::LN_2)?) };
            Log10, "log10", [], Float, |x| x.log10(), "log(x) * 0.4342944819032518", { |g, input x| div(g, &mul(&x, &std::f64::consts::LN_10)?) };
            Log1p, "log1p", [], Float, |x| x.ln_1p(), "", { |g, input x| div(g, &add(&x, &1.0)?) };
            Expm1, "expm1", [], Float, |x| x.exp_m1(), "", { |g, result y| mul(g, &add(&y, &1.0)?) };
            Sqrt, "sqrt", [], Float, |x| x.sqrt(), "sqrt(x)", { |g, result y| div(g, &mul(&y, &2.0)?) };
            Rsqrt, "rsqrt", [], Float, |x| x.rsqrt(), "inverseSqrt(x)", { |g, input x, result y| mul(g, &mul(&div(&y, &x)?, &-0.5)?) };
            Sin, "sin", [], Float, |x| x.sin(), "sin(x)", { |g, input x| mul(g, &cos(&x)?) };
            Cos, "cos", [], Float, |x| x.cos(), "cos(x)", { |g, input x| neg(&mul(g, &sin(&x)?)?) };
            Tan, "tan", [], Float, |x| x.tan(), "tan(x)", { |g, result y| mul(g, &add(&mul(&y, &y)?, &1.0)?) };
            Asin, "asin", ["arcsin"], Float, |x| x.asin(), "asin(x)", { |g, input x| div(g, &sqrt(&rsub(&mul(&x, &x)?, 1.0)?)?) };
            Acos, "acos", ["arccos"], Float, |x| x.acos(), "acos(x)", { |g, input x| neg(&div(g, &sqrt(&rsub(&mul(&x, &x)?, 1.0)?)?)?) };
            Atan, "atan", ["arctan"], Float, |x| x.atan(), "atan(x)", { |g, input x| div(g, &add(&mul(&x, &x)?, &1.0)?) };
            Sinh, "sinh", [], Float, |x| x.sinh(), "sinh(x)", { |g, input x| mul(g, &cosh(&x)?) };
            Cosh, "cosh", [], Float, |x| x.cosh(), "cosh(x)", { |g, input x| mul(g, &sinh(&x)?) };
            Tanh, "tanh", [], Float, |x| x.tanh(), "tanh(x)", { |g, result y| mul(g, &rsub(&mul(&y, &y)?, 1.0)?) };
            Sigmoid, "sigmoid", [], Float, |x| x.sigmoid(), "1.0 / (1.0 + exp(-x))", { |g, result y| mul(g, &mul(&y, &rsub(&y, 1.0)?)?) };
            Reciprocal, "reciprocal", [], Float, |x| x.recip(), "1.0 / x", { |g, result y| neg(&mul(g, &mul(&y, &y)?)?) };
            Square, "square", [], Any, |x| x.mul(x), "x * x", { |g, input x| mul(g, &mul(&x, &2.0)?) };
            IsNan, "isnan", [; no_inplace], Test, |x| x.is_nan(), "x != x", none;
            IsInf, "isinf", [; no_inplace], Test, |x| x.is_inf(), "", none;
            IsFinite, "isfinite", [; no_inplace], Test, |x| !x.is_nan() && !x.is_inf(), "", none;
        }
    };
}

/// Binary elementwise ops: `op(x, y)` with broadcasting and promotion.
#[macro_export]
macro_rules! binary_ops {
    ($gen:ident) => {
        $gen! {
            Add, "add", [], Arith, |x, y| x.add(y), "x + y", { |g| Ok(g.clone()), |g| Ok(g.clone()) };
            Sub, "sub", ["subtract"], Arith, |x, y| x.sub(y), "x - y", { |g| Ok(g.clone()), |g| neg(g) };
            Mul, "mul", ["multiply"], Arith, |x, y| x.mul(y), "x * y", { |g, other b| mul(g, &b), |g, input a| mul(g, &a) };
            Div, "div", ["divide", "true_divide"], TrueDiv, |x, y| x.div(y), "x / y", {
                |g, other b| div(g, &b),
                |g, other b, result r| neg(&div(&mul(g, &r)?, &b)?)
            };
            FloorDiv, "floor_divide", [], Division, |x, y| x.floor_div(y), "floor(x / y)", none;
            Rem, "remainder", [], Division, |x, y| x.rem(y), "x - floor(x / y) * y", {
                |g| Ok(g.clone()),
                |g, input a, other b| neg(&mul(g, &floor_divide(&a, &b)?)?)
            };
            Pow, "pow", [], Power, |x, y| x.pow(y), "pow(x, y)", {
                node "PowBackward1"; number [1] "PowBackward0";
                |g, input a, other b| pow_grad_base(g, &a, &b),
                |g, input a, result r| pow_grad_exponent(g, &a, &r)
            };
            Maximum, "maximum", [], Arith, |x, y| x.max(y), "max(x, y)", {
                |g, input a, other b| mul(g, &win_share(&a, &b, BinaryOp::Gt)?),
                |g, input a, other b| mul(g, &win_share(&b, &a, BinaryOp::Gt)?)
            };
            Minimum, "minimum", [], Arith, |x, y| x.min(y), "min(x, y)", {
                |g, input a, other b| mul(g, &win_share(&a, &b, BinaryOp::Lt)?),
                |g, input a, other b| mul(g, &win_share(&b, &a, BinaryOp::Lt)?)
            };
            Hypot, "hypot", [], FloatOnly, |x, y| x.hypot(y), "length(vec2(x, y))", {
                |g, input a, result r| mul(g, &div(&a, &r)?),
                |g, other b, result r| mul(g, &div(&b, &r)?)
            };
            LogAddExp, "logaddexp", [; no_inplace], FloatOnly, |x, y| x.logaddexp(y), "", {
                |g, input a, result r| mul(g, &exp(&sub(&a, &r)?)?),
                |g, other b, result r| mul(g, &exp(&sub(&b, &r)?)?)
            };
            BitAnd, "bitwise_and", [], Bitwise, |x, y| x.bit_and(y), "x & y", none;
            BitOr, "bitwise_or", [], Bitwise, |x, y| x.bit_or(y), "x | y", none;
            BitXor, "bitwise_xor", [], Bitwise, |x, y| x.bit_xor(y), "x ^ y", none;
            Eq, "eq", [], Compare, |x, y| x == y, "x == y", none;
            Ne, "ne", ["not_equal"], Compare, |x, y| x != y, "x != y", none;
            Lt, "lt", ["less"], Compare, |x, y| x < y, "x < y", none;
            Le, "le", ["less_equal"], Compare, |x, y| x <= y, "x <= y", none;
            Gt, "gt", ["greater"], Compare, |x, y| x > y, "x > y", none;
            Ge, "ge", ["greater_equal"], Compare, |x, y| x >= y, "x >= y", none;
        }
    };
}

/// Ternary elementwise ops: `op(x, y, z)`.
#[macro_export]
macro_rules! ternary_ops {
    ($gen:ident) => {
        $gen! {
            // where(condition, x, y): the condition is bool and never differentiable.
            Where, "where", [; no_inplace], Select, |c, x, y| if c { x } else { y }, "select(z, y, x)", {[
                none,
                { |g, input c| where_grad(&c, g, true) },
                { |g, input c| where_grad(&c, g, false) }
            ]};
            // PyTorch's two-sided formula, exact at both ends.
            Lerp, "lerp", [], Float3, |s, e, w| lerp_c(s, e, w), "mix(x, y, z)", {
                node "LerpBackward1"; number [2] "LerpBackward0";
                [
                    { |g, third w| mul(g, &rsub(&w, 1.0)?) },
                    { |g, third w| mul(g, &w) },
                    { |g, input s, other e| mul(g, &sub(&e, &s)?) }
                ]
            };
            // clamp(x, min, max); an absent bound is the dtype's extreme.
            Clamp, "clamp", ["clip"], Arith3, |x, lo, hi| if x.is_nan() { x } else { x.max(lo).min(hi) }, "clamp(x, y, z)", {
                node "ClampBackward0"; number [1, 2] "ClampBackward1";
                [
                    { |g, input x, other lo, third hi| clamp_grad_input(g, &x, &lo, &hi) },
                    { |g, input x, other lo, third hi| clamp_grad_min(g, &x, &lo, &hi) },
                    { |g, input x, other lo, third hi| clamp_grad_max(g, &x, &lo, &hi) }
                ]
            };
        }
    };
}

/// Fold reductions over a set of dims: `init`, `load` (applied to each
/// element), `combine` (associative: folds run pairwise and in parallel).
#[macro_export]
macro_rules! reduce_ops {
    ($gen:ident) => {
        $gen! {
            Sum, "sum", Accumulate, ZERO, |x| x, |a, b| a.add(b), "a + b", {
                node "SumBackward0"; dims "SumBackward1";
                |g, red| red.expand(g)
            };
            NanSum, "nansum", Accumulate, ZERO, |x| x.nan_to_zero(), |a, b| a.add(b), "a + select(b, 0.0, b != b)", {
                node "NansumBackward0"; dims "NansumBackward0";
                |g, red, input x| mul(&red.expand(g)?, &logical_not(&isnan(&x)?)?)
            };
            Prod, "prod", Accumulate, ONE, |x| x, |a, b| a.mul(b), "a * b", {
                node "ProdBackward0"; dims "ProdBackward1";
                |g, red, input x, result r| prod_grad(g, &red, &x, &r)
            };
            Amax, "amax", Extreme, LOWEST, |x| x, |a, b| a.max(b), "max(a, b)", {
                node "AmaxBackward0"; dims "AmaxBackward0";
                |g, red, input x, result r| extreme_grad(g, &red, &x, &r)
            };
            Amin, "amin", Extreme, HIGHEST, |x| x, |a, b| a.min(b), "min(a, b)", {
                node "AminBackward0"; dims "AminBackward0";
                |g, red, input x, result r| extreme_grad(g, &red, &x, &r)
            };
            All, "all", Logical, ONE, |x| x, |a, b| a.bit_and(b), "a & b", none;
            Any, "any", Logical, ZERO, |x| x, |a, b| a.bit_or(b), "a | b", none;
        }
    };
}

/// Arg-reductions along one dim: (values, int64 indices). `better(v, best)`
/// says whether `v` replaces the running best; NaN wins and the first of
/// equal values is kept (PyTorch's rule).
#[macro_export]
macro_rules! arg_reduce_ops {
    ($gen:ident) => {
        $gen! {
            Max, "max", |v, b| !b.is_nan() && (v > b || v.is_nan()), "", { node "MaxBackward0"; |g, arg| arg.scatter(g) };
            Min, "min", |v, b| !b.is_nan() && (v < b || v.is_nan()), "", { node "MinBackward0"; |g, arg| arg.scatter(g) };
        }
    };
}

/// Inclusive scans along one dim; integer inputs accumulate in int64.
#[macro_export]
macro_rules! scan_ops {
    ($gen:ident) => {
        $gen! {
            CumSum, "cumsum", |a, b| a.add(b), "a + b", { |g, scan| scan.reverse_cumsum(g) };
            CumProd, "cumprod", |a, b| a.mul(b), "a * b", { |g, scan, input x, result r| cumprod_grad(g, &scan, &x, &r) };
        }
    };
}
