"""Gradients of every differentiable op, checked against independent oracles.

`check_grad(torch_fn, numpy_fn, *args)` does, in one call (tinygrad style):

* forward: runs `torch_fn` on tensors built from `args` and `numpy_fn` on their NumPy
  twins, and compares the results (shape, dtype kind, values);
* backward: draws a random cotangent `g` for each output, asks rtensor for the
  vector-Jacobian product (through `Tensor.backward` or `torch.autograd.grad`), and
  compares it with central finite differences of L(x) = sum(g * numpy_fn(x)) computed in
  float64 by NumPy *in this file* (rtensor.autograd.gradcheck is never the oracle).

Differentiable inputs are `Diff`s: an `_oracle.Operand` (values + a recipe for a usually
non-contiguous tensor: permuted, transposed, step-sliced, narrowed, flipped, expanded)
plus a mode: "leaf" makes the laid-out tensor itself a leaf (`requires_grad_()` on a
view), "view" makes the contiguous base the leaf and lets the gradient flow through the
layout ops to the view, whose `.grad` is read through `retain_grad()`.  `Const`s are
non-differentiable arguments (indices, masks) that reach both sides.

Points where a function is not differentiable (relu/abs at 0, clamp at its bounds,
max/min ties) are kept out of the drawn values so finite differences are meaningful.

The second half has second-order checks (`create_graph=True`, then differentiating the
analytic first derivative written by hand in NumPy) and `gradcheck`/`gradgradcheck`.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

import _oracle as O
from _oracle import Operand, assert_close, dims_for, np_axis, torch

F64 = "float64"


# --------------------------------------------------------------------------------------
# argument wrappers
# --------------------------------------------------------------------------------------
@dataclass
class Diff:
    """A differentiable input: oracle values + layout recipe + how it becomes a leaf."""

    op: Operand
    mode: str = "leaf"  # "leaf" | "view"

    @property
    def array(self):
        return self.op.array

    @property
    def shape(self):
        return self.op.array.shape

    def __repr__(self):
        return f"Diff({self.op!r}, mode={self.mode})"


@dataclass
class Const:
    """A non-differentiable argument: an Operand / ndarray (becomes a tensor) or anything."""

    value: Any

    def torch_arg(self):
        if isinstance(self.value, Operand):
            return self.value.tensor()
        if isinstance(self.value, np.ndarray):
            return O.to_tensor(self.value)
        return self.value

    def numpy_arg(self):
        if isinstance(self.value, Operand):
            return self.value.array
        return self.value


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _seed(*parts) -> int:
    return zlib.crc32(repr(parts).encode())


def _cotangent(rng, shape, name):
    """A random cotangent (NumPy values rounded to `name`) and an equal tensor laid out
    contiguously, transposed, flipped or expanded (stride 0) at random."""
    g = O.cast_np(rng.standard_normal(shape), name).astype(np.float64)
    kind = int(rng.integers(0, 3))
    if kind == 1 and g.ndim >= 2:
        return g, O.to_tensor(np.swapaxes(g, 0, -1), name).transpose(0, -1)
    if kind == 1 and g.ndim == 1 and g.shape[0] > 1:
        return g, O.to_tensor(g[::-1], name).flip(0)
    if kind == 2 and g.ndim >= 1 and g.shape[0] > 1:
        g = np.ascontiguousarray(np.broadcast_to(g[:1], g.shape))
        return g, O.to_tensor(g[:1], name).expand(*g.shape)
    return g, O.to_tensor(g, name)


def _build_input(d: Diff):
    """(tensor passed to the op, tensor whose grad we read)."""
    if d.mode == "leaf":
        t = d.op.tensor()
        t.requires_grad_(True)
        assert t.is_leaf and t.requires_grad
        return t
    base = O.to_tensor(d.op.base, d.op.dtype).requires_grad_(True)
    t = base
    for _, fn in d.op.steps:
        t = fn(t)
    if d.op.steps:
        assert not t.is_leaf and t.requires_grad
        t.retain_grad()
    return t


def _loss(numpy_fn, n_args, cots):
    with np.errstate(all="ignore"):
        outs = _as_tuple(numpy_fn(*n_args))
    return math.fsum(float(np.sum(g * np.asarray(o, dtype=np.float64))) for g, o in zip(cots, outs))


def numeric_vjp(numpy_fn, n_args, diff_idx, cots, eps):
    """Central differences of L = sum(g * f(x)) w.r.t. each differentiable argument."""
    res = {}
    for i in diff_idx:
        a = np.asarray(n_args[i], dtype=np.float64)
        num = np.zeros(a.shape, dtype=np.float64)
        flat = num.reshape(-1)
        for k in range(a.size):
            vals = []
            for delta in (eps, -eps):
                pert = a.copy()
                pert.reshape(-1)[k] += delta
                args = list(n_args)
                args[i] = pert
                vals.append(_loss(numpy_fn, args, cots))
            flat[k] = (vals[0] - vals[1]) / (2 * eps)
        res[i] = num
    return res


def check_grad(torch_fn: Callable, numpy_fn: Callable, *args, rtol=None, atol=None,
               grad_rtol=1e-5, grad_atol=1e-7, eps=1e-6, api=None, msg=""):
    """Forward against `numpy_fn`, backward against central finite differences.

    args: Diff / Operand (differentiable), Const (tensor or value given to both sides) or
    a plain Python value (passed to both sides unchanged).  Returns the outputs."""
    args = [Diff(a) if isinstance(a, Operand) else a for a in args]
    t_args, n_args, diff_idx, wrt = [], [], [], []
    for i, a in enumerate(args):
        if isinstance(a, Diff):
            t = _build_input(a)
            t_args.append(t)
            n_args.append(a.array.astype(np.float64))
            diff_idx.append(i)
            wrt.append(t)
        elif isinstance(a, Const):
            t_args.append(a.torch_arg())
            n_args.append(a.numpy_arg())
        else:
            t_args.append(a)
            n_args.append(a)
    assert diff_idx, "check_grad needs at least one differentiable input"

    # ---- forward
    with np.errstate(all="ignore"):
        expected = _as_tuple(numpy_fn(*n_args))
    outs = _as_tuple(torch_fn(*t_args))
    assert len(outs) == len(expected), f"{msg}: {len(outs)} outputs, expected {len(expected)}"
    for j, (o, e) in enumerate(zip(outs, expected)):
        assert_close(o.detach(), np.asarray(e, dtype=np.float64), rtol=rtol, atol=atol, msg=f"{msg} output {j}")
        assert o.requires_grad, f"{msg}: output {j} does not require grad"

    # ---- cotangents (deterministic per example, rounded to the output dtype)
    seed = _seed(msg, [a.shape for a in args if isinstance(a, Diff)],
                 [tuple(o.shape) for o in outs])
    rng = np.random.default_rng(seed)
    cots, cot_tensors = [], []
    for o in outs:
        g, gt = _cotangent(rng, tuple(o.shape), O.dtype_name(o.dtype))
        cots.append(g)
        cot_tensors.append(gt)
    if api is None:
        api = "grad" if rng.integers(0, 2) else "backward"

    # ---- analytic VJP
    if api == "grad":
        got = torch.autograd.grad(list(outs), wrt, cot_tensors, allow_unused=True)
    else:
        torch.autograd.backward(list(outs), cot_tensors)
        got = [t.grad for t in wrt]
    num = numeric_vjp(numpy_fn, n_args, diff_idx, cots, eps)

    scale = max(1.0, _abs_loss(numpy_fn, n_args, cots))
    for i, t, gi in zip(diff_idx, wrt, got):
        a = args[i]
        label = f"{msg} grad of arg {i} ({a.op.layout}, {a.mode}, via {api})"
        assert gi is not None, f"{label}: gradient is None"
        assert O.dtype_name(gi.dtype) == a.op.dtype, f"{label}: grad dtype {gi.dtype}"
        assert tuple(gi.shape) == a.shape, f"{label}: grad shape {tuple(gi.shape)} != {a.shape}"
        ana = O.to_numpy(gi.detach()).astype(np.float64)
        tol = grad_rtol if O.dtype_name(gi.dtype) == F64 else max(grad_rtol, 1e-6)
        np.testing.assert_allclose(ana, num[i], rtol=tol, atol=grad_atol * scale, err_msg=label)
    return outs


def _abs_loss(numpy_fn, n_args, cots):
    with np.errstate(all="ignore"):
        outs = _as_tuple(numpy_fn(*n_args))
    return float(sum(np.sum(np.abs(g * np.asarray(o, dtype=np.float64))) for g, o in zip(cots, outs)))


# --------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------
MODES = ("leaf", "view")


def small_shapes(min_dims=0, max_dims=3, max_side=3, allow_empty=False):
    return O.shapes(min_dims, max_dims, max_side, allow_empty)


@st.composite
def diffs(draw, shape, lo=-3.0, hi=3.0, kinks=(), margin=1e-3, layouts=O.LAYOUTS, name=F64):
    """A Diff of the given shape with values in [lo, hi], at least `margin` away from
    every point in `kinks`.  Without kinks this is `_oracle.operands` (expand included)."""
    shape = tuple(shape)
    if kinks:
        elems = st.floats(lo, hi, allow_nan=False, allow_infinity=False).filter(
            lambda v: all(abs(v - k) > margin for k in kinks))
        arr = draw(hnp.arrays(np.float64, shape, elements=elems))
        op = draw(O.with_layout(O.cast_np(arr, name), name, layouts=[l for l in layouts if l != "expand"]))
    else:
        op = draw(O.operands(name, shape, O.Domain(lo=lo, hi=hi), layouts=layouts))
    return Diff(op, draw(st.sampled_from(MODES)))


def grid_values(draw, n, lo, hi):
    """n distinct values, spaced (hi - lo) / n apart, in random order.  The 0.37 offset
    keeps every value well away from 0 for symmetric ranges (kink of |x|, relu, p=1)."""
    perm = draw(st.permutations(range(n))) if n else []
    step = (hi - lo) / max(n, 1)
    return np.array([lo + step * (p + 0.37) for p in perm], dtype=np.float64)


@st.composite
def distinct_diffs(draw, shape, lo=-5.0, hi=5.0):
    """A Diff whose values are pairwise distinct (no ties for max/min/amax)."""
    shape = tuple(shape)
    arr = grid_values(draw, int(np.prod(shape, dtype=np.int64)), lo, hi).reshape(shape)
    op = draw(O.with_layout(arr, F64))
    return Diff(op, draw(st.sampled_from(MODES)))


def reduced_count(shape, dim):
    ax = np_axis(dim, len(shape))
    if ax is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[d] for d in ax], dtype=np.int64))


# --------------------------------------------------------------------------------------
# elementwise unary
# --------------------------------------------------------------------------------------
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


UNARY = {
    # name: (torch fn, numpy fn, lo, hi, kinks)
    "neg": (lambda x: -x, lambda a: -a, -5, 5, ()),
    "neg_fn": (lambda x: torch.neg(x), lambda a: -a, -5, 5, ()),
    "exp": (lambda x: x.exp(), np.exp, -4, 4, ()),
    "log": (lambda x: torch.log(x), np.log, 0.1, 10, ()),
    "log1p": (lambda x: x.log1p(), np.log1p, -0.9, 10, ()),
    "expm1": (lambda x: torch.expm1(x), np.expm1, -4, 4, ()),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, 0.1, 10, ()),
    "rsqrt": (lambda x: torch.rsqrt(x), lambda a: 1 / np.sqrt(a), 0.1, 10, ()),
    "sin": (lambda x: x.sin(), np.sin, -6, 6, ()),
    "cos": (lambda x: torch.cos(x), np.cos, -6, 6, ()),
    "tan": (lambda x: x.tan(), np.tan, -1.2, 1.2, ()),
    "tanh": (lambda x: torch.tanh(x), np.tanh, -4, 4, ()),
    "sigmoid": (lambda x: x.sigmoid(), _sigmoid, -8, 8, ()),
    "sigmoid_fn": (lambda x: torch.sigmoid(x), _sigmoid, -8, 8, ()),
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0), -3, 3, (0.0,)),
    "relu_fn": (lambda x: torch.relu(x), lambda a: np.maximum(a, 0), -3, 3, (0.0,)),
    "abs": (lambda x: x.abs(), np.abs, -3, 3, (0.0,)),
    "abs_fn": (lambda x: torch.abs(x), np.abs, -3, 3, (0.0,)),
    "reciprocal": (lambda x: x.reciprocal(), lambda a: 1 / a, -5, 5, (0.0,)),
    "clone": (lambda x: x.clone(), lambda a: a.copy(), -5, 5, ()),
    "clone_fn": (lambda x: torch.clone(x), lambda a: a.copy(), -5, 5, ()),
    "square_via_mul": (lambda x: x * x, lambda a: a * a, -5, 5, ()),
    "pow_2": (lambda x: x ** 2, lambda a: a ** 2, -5, 5, ()),
    "pow_3_int": (lambda x: x.pow(3), lambda a: a ** 3, -3, 3, ()),
    "pow_2.5_pos": (lambda x: x ** 2.5, lambda a: a ** 2.5, 0.1, 4, ()),
    "pow_-1.5_pos": (lambda x: torch.pow(x, -1.5), lambda a: a ** -1.5, 0.2, 4, ()),
    "pow_0.5_pos": (lambda x: x ** 0.5, np.sqrt, 0.1, 4, ()),
    "pow_0": (lambda x: x ** 0, lambda a: np.ones_like(a), -3, 3, ()),
    "pow_1": (lambda x: x ** 1, lambda a: a.copy(), -3, 3, ()),
    "rpow_2.5": (lambda x: 2.5 ** x, lambda a: 2.5 ** a, -3, 3, ()),
    "pow_scalar_base_fn": (lambda x: torch.pow(1.7, x), lambda a: 1.7 ** a, -3, 3, ()),
    "clamp_both": (lambda x: torch.clamp(x, -1.0, 1.5), lambda a: np.clip(a, -1.0, 1.5),
                   -3, 3, (-1.0, 1.5)),
    "clamp_min": (lambda x: x.clamp(min=0.5), lambda a: np.maximum(a, 0.5), -3, 3, (0.5,)),
    "clamp_max": (lambda x: x.clamp(max=-0.25), lambda a: np.minimum(a, -0.25), -3, 3, (-0.25,)),
    "clip_int_bounds": (lambda x: x.clip(-1, 2), lambda a: np.clip(a, -1, 2), -3, 3, (-1.0, 2.0)),
    "add_scalar": (lambda x: x + 2.5, lambda a: a + 2.5, -5, 5, ()),
    "radd_scalar": (lambda x: 2 + x, lambda a: 2 + a, -5, 5, ()),
    "sub_scalar": (lambda x: x - 1.5, lambda a: a - 1.5, -5, 5, ()),
    "rsub_scalar": (lambda x: 3 - x, lambda a: 3 - a, -5, 5, ()),
    "mul_scalar": (lambda x: x * -1.5, lambda a: a * -1.5, -5, 5, ()),
    "rmul_scalar": (lambda x: 3 * x, lambda a: 3 * a, -5, 5, ()),
    "div_scalar": (lambda x: x / 4.0, lambda a: a / 4.0, -5, 5, ()),
    "rdiv_scalar": (lambda x: 2.0 / x, lambda a: 2.0 / a, 0.3, 5, ()),
    "chain": (lambda x: (x.sin() * x.exp()).tanh() + x.sigmoid() * 2,
              lambda a: np.tanh(np.sin(a) * np.exp(a)) + _sigmoid(a) * 2, -2, 2, ()),
    "reuse_input": (lambda x: x * x.exp() - x / 3,
                    lambda a: a * np.exp(a) - a / 3, -2, 2, ()),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary(name, data):
    tfn, nfn, lo, hi, kinks = UNARY[name]
    shape = data.draw(O.shapes(0, 4, 3, allow_empty=True), label="shape")
    x = data.draw(diffs(shape, lo, hi, kinks, margin=0.05), label="x")
    check_grad(tfn, nfn, x, msg=name)


# --------------------------------------------------------------------------------------
# elementwise binary with broadcasting
# --------------------------------------------------------------------------------------
BINARY = {
    # name: (torch fn, numpy fn, (lo, hi) of a, (lo, hi) of b, b kinks)
    "add": (lambda a, b: a + b, np.add, (-5, 5), (-5, 5), ()),
    "add_fn": (lambda a, b: torch.add(a, b), np.add, (-5, 5), (-5, 5), ()),
    "add_alpha": (lambda a, b: torch.add(a, b, alpha=-2.5), lambda a, b: a - 2.5 * b,
                  (-5, 5), (-5, 5), ()),
    "sub": (lambda a, b: a - b, np.subtract, (-5, 5), (-5, 5), ()),
    "sub_fn": (lambda a, b: torch.sub(a, b), np.subtract, (-5, 5), (-5, 5), ()),
    "mul": (lambda a, b: a * b, np.multiply, (-5, 5), (-5, 5), ()),
    "mul_fn": (lambda a, b: torch.mul(a, b), np.multiply, (-5, 5), (-5, 5), ()),
    "div": (lambda a, b: a / b, np.divide, (-5, 5), (-4, 4), (0.0,)),
    "div_fn": (lambda a, b: torch.div(a, b), np.divide, (-5, 5), (-4, 4), (0.0,)),
    "pow_tensor": (lambda a, b: a ** b, np.power, (0.2, 3), (-2, 2), ()),
    "pow_tensor_fn": (lambda a, b: torch.pow(a, b), np.power, (0.2, 3), (-2, 2), ()),
    "mixed": (lambda a, b: (a * b + a / (b * b + 1)).exp() - b,
              lambda a, b: np.exp(a * b + a / (b * b + 1)) - b, (-1, 1), (-1, 1), ()),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcast(name, data):
    tfn, nfn, ra, rb, kinks = BINARY[name]
    (sa, sb), _ = data.draw(O.broadcast_shapes(2, 0, 3, 3), label="shapes")
    a = data.draw(diffs(sa, *ra), label="a")
    b = data.draw(diffs(sb, *rb, kinks=kinks, margin=0.2 if kinks else 1e-3), label="b")
    check_grad(tfn, nfn, a, b, msg=name, grad_rtol=1e-5 if name != "div" else 1e-4)


@given(data=st.data())
def test_same_tensor_both_operands(data):
    # x op x: both uses of x must accumulate into one gradient
    shape = data.draw(small_shapes())
    x = data.draw(diffs(shape, 0.5, 3))
    check_grad(lambda t: t * t + t / t + t ** t - t,
               lambda a: a * a + a / a + a ** a - a, x, msg="x*x+x/x+x**x-x")


@pytest.mark.parametrize("which", ["maximum", "minimum"])
@given(data=st.data())
def test_maximum_minimum(which, data):
    (sa, sb), _ = data.draw(O.broadcast_shapes(2, 0, 3, 3, allow_empty=False), label="shapes")
    na, nb = int(np.prod(sa, dtype=np.int64)), int(np.prod(sb, dtype=np.int64))
    vals = grid_values(data.draw, na + nb, -4, 4)  # all distinct: no ties after broadcasting
    a = Diff(data.draw(O.with_layout(vals[:na].reshape(sa), F64)), data.draw(st.sampled_from(MODES)))
    b = Diff(data.draw(O.with_layout(vals[na:].reshape(sb), F64)), data.draw(st.sampled_from(MODES)))
    tfn = getattr(torch, which)
    check_grad(tfn, getattr(np, which), a, b, msg=which)


@given(data=st.data())
def test_where(data):
    (sc, sa, sb), _ = data.draw(O.broadcast_shapes(3, 0, 3, 3), label="shapes")
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    c = Const(data.draw(O.with_layout(cond, "bool")))
    a = data.draw(diffs(sa), label="a")
    b = data.draw(diffs(sb), label="b")
    check_grad(lambda c_, x, y: torch.where(c_, x, y), lambda c_, x, y: np.where(c_, x, y),
               c, a, b, msg="where")
    check_grad(lambda c_, x: torch.where(c_, x, 0.5), lambda c_, x: np.where(c_, x, 0.5),
               c, a, msg="where scalar other")


# --------------------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------------------
def _call_dim(fn, x, dim, keepdim, **kw):
    if dim is None:
        return fn(x, **kw)
    return fn(x, dim, keepdim=keepdim, **kw)


@pytest.mark.parametrize("name", ["sum", "mean", "sum_method", "mean_method"])
@given(data=st.data())
def test_sum_mean(name, data):
    empty_ok = name.startswith("sum")
    shape = data.draw(O.shapes(0, 4, 3, allow_empty=empty_ok), label="shape")
    dim = data.draw(dims_for(len(shape)), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = data.draw(diffs(shape), label="x")
    op = name.split("_")[0]
    nfn = np.sum if op == "sum" else np.mean
    if name.endswith("method"):
        tfn = lambda t: _call_dim(getattr(type(t), op), t, dim, keepdim)  # noqa: E731
    else:
        tfn = lambda t: _call_dim(getattr(torch, op), t, dim, keepdim)  # noqa: E731
    ax = np_axis(dim, len(shape))
    check_grad(tfn, lambda a: nfn(a, axis=ax, keepdims=keepdim and dim is not None),
               x, msg=f"{name} dim={dim} keepdim={keepdim}")


@given(data=st.data())
def test_prod(data):
    # prod is a polynomial, so zeros (single and repeated) are fair game for the oracle
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    x = data.draw(diffs(shape, -2, 2), label="x")
    # The gradient away from zeros is prod / x_i (PyTorch's formula): exact unless
    # the product underflows, which tiny non-zero inputs (5e-324) make it do.
    a = x.op.array
    assume(not np.any((a != 0) & (np.abs(a) < 1e-10)))
    if data.draw(st.booleans(), label="full"):
        check_grad(lambda t: t.prod(), np.prod, x, msg="prod()")
        return
    dim = data.draw(dims_for(len(shape), allow_tuple=False, allow_none=False), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    ax = np_axis(dim, len(shape))
    check_grad(lambda t: torch.prod(t, dim, keepdim=keepdim),
               lambda a: np.prod(a, axis=ax, keepdims=keepdim), x, msg=f"prod dim={dim}")


@pytest.mark.parametrize("zeros", [1, 2])
def test_prod_with_zeros_exact(zeros):
    # hand-worked: d/dx_i prod(x) = prod of the others
    vals = [2.0, 0.0, 3.0, -1.5] if zeros == 1 else [2.0, 0.0, 3.0, 0.0]
    x = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
    x.prod().backward()
    exp = [0.0, -9.0, 0.0, 0.0] if zeros == 1 else [0.0, 0.0, 0.0, 0.0]
    np.testing.assert_array_equal(x.grad.numpy(), exp)
    y = torch.tensor([[2.0, 0.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    y.prod(1).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0.0, 2.0], [4.0, 3.0]])


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(data=st.data())
def test_amax_amin(name, data):
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    dim = data.draw(dims_for(len(shape)), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = data.draw(distinct_diffs(shape), label="x")
    nfn = np.max if name == "amax" else np.min
    ax = np_axis(dim, len(shape))
    if dim is None:
        tfn = lambda t: getattr(torch, name)(t)  # noqa: E731
        keepdim = False
    else:
        tfn = lambda t: getattr(torch, name)(t, dim, keepdim=keepdim)  # noqa: E731
    check_grad(tfn, lambda a: nfn(a, axis=ax, keepdims=keepdim), x, msg=f"{name} {dim}")


def test_amax_ties_split_evenly():
    # PyTorch (documented for amax/amin): the gradient is spread evenly over equal maxima
    x = torch.tensor([1.0, 3.0, 3.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.amax(x, 0).backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.5, 0.5, 0.0])
    y = torch.tensor([[1.0, 1.0], [0.0, -1.0]], dtype=torch.float64, requires_grad=True)
    torch.amin(y, 1).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [[0.5, 0.5], [0.0, 1.0]])


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min(name, data):
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    x = data.draw(distinct_diffs(shape), label="x")
    nfn = np.max if name == "max" else np.min
    if data.draw(st.booleans(), label="full"):
        check_grad(lambda t: getattr(t, name)(), nfn, x, msg=f"{name}()")
        return
    dim = data.draw(dims_for(len(shape), allow_tuple=False, allow_none=False), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    ax = np_axis(dim, len(shape))

    def tfn(t):
        res = getattr(torch, name)(t, dim, keepdim=keepdim)
        assert not res.indices.requires_grad
        return res.values

    check_grad(tfn, lambda a: nfn(a, axis=ax, keepdims=keepdim), x, msg=f"{name} dim={dim}")


@pytest.mark.parametrize("name", ["var", "std"])
@given(data=st.data())
def test_var_std(name, data):
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    dim = data.draw(dims_for(len(shape)), label="dim")
    correction = data.draw(st.sampled_from([0, 1]), label="correction")
    keepdim = data.draw(st.booleans(), label="keepdim")
    n = reduced_count(shape, dim)
    assume(n > correction)
    if name == "std":
        x = data.draw(distinct_diffs(shape, -3, 3), label="x")  # std'(0) is infinite
        if correction == 0:
            assume(n >= 2)
    else:
        x = data.draw(diffs(shape), label="x")
    ax = np_axis(dim, len(shape))
    nfn = np.var if name == "var" else np.std
    kd = keepdim and dim is not None

    def tfn(t):
        f = getattr(torch, name)
        if dim is None:
            return f(t, correction=correction)
        return f(t, dim, correction=correction, keepdim=keepdim)

    check_grad(tfn, lambda a: nfn(a, axis=ax, ddof=correction, keepdims=kd), x,
               msg=f"{name} dim={dim} correction={correction}")


def test_var_unbiased_kwarg():
    x = torch.tensor([1.0, 2.0, 4.0], dtype=torch.float64, requires_grad=True)
    x.var(unbiased=False).backward()
    # d/dx_i (1/n) sum (x - m)^2 = 2 (x_i - m) / n, m = 7/3
    np.testing.assert_allclose(x.grad.numpy(), [2 * (1 - 7 / 3) / 3, 2 * (2 - 7 / 3) / 3, 2 * (4 - 7 / 3) / 3])


@pytest.mark.parametrize("p", [2, 1])
@given(data=st.data())
def test_norm(p, data):
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    dim = data.draw(dims_for(len(shape)), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = data.draw(distinct_diffs(shape, -3, 3), label="x")  # no zeros: kink of |x| and of ||x||
    ax = np_axis(dim, len(shape))
    kd = keepdim and dim is not None

    def nfn(a):
        if p == 2:
            return np.sqrt(np.sum(a * a, axis=ax, keepdims=kd))
        return np.sum(np.abs(a), axis=ax, keepdims=kd)

    def tfn(t):
        if dim is None:
            return t.norm(p=p) if p != 2 else t.norm()
        return torch.norm(t, p=p, dim=dim, keepdim=keepdim)

    check_grad(tfn, nfn, x, msg=f"norm p={p} dim={dim}")


@given(data=st.data())
def test_logsumexp(data):
    shape = data.draw(O.shapes(0, 3, 3, allow_empty=False), label="shape")
    dim = data.draw(dims_for(len(shape), allow_none=False), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = data.draw(diffs(shape, -20, 20), label="x")
    ax = np_axis(dim, len(shape))

    def nfn(a):
        m = np.max(a, axis=ax, keepdims=True)
        r = np.log(np.sum(np.exp(a - m), axis=ax, keepdims=True)) + m
        return r if keepdim else np.squeeze(r, axis=ax) if ax is not None else r.reshape(())

    check_grad(lambda t: torch.logsumexp(t, dim, keepdim=keepdim), nfn, x, msg=f"logsumexp {dim}")


@given(data=st.data())
def test_cumsum(data):
    shape = data.draw(O.shapes(0, 3, 4, allow_empty=True), label="shape")
    nd = len(shape)
    dim = data.draw(st.integers(-max(nd, 1), max(nd, 1) - 1), label="dim")
    x = data.draw(diffs(shape), label="x")
    ax = dim % nd if nd else None

    def nfn(a):
        return np.cumsum(a, axis=ax) if nd else a.copy()

    if data.draw(st.booleans()):
        check_grad(lambda t: torch.cumsum(t, dim), nfn, x, msg=f"cumsum {dim}")
    else:
        check_grad(lambda t: t.cumsum(dim=dim), nfn, x, msg=f"cumsum {dim}")


# --------------------------------------------------------------------------------------
# linear algebra
# --------------------------------------------------------------------------------------
@st.composite
def matmul_shapes(draw):
    kind = draw(st.sampled_from(["1@1", "2@2", "2@1", "1@2", "batched", "nd@1", "1@nd"]))
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    if kind == "1@1":
        return kind, (k,), (k,)
    if kind == "2@2":
        return kind, (n, k), (k, m)
    if kind == "2@1":
        return kind, (n, k), (k,)
    if kind == "1@2":
        return kind, (k,), (k, m)
    (ba, bb), _ = draw(O.broadcast_shapes(2, 0, 2, 3, allow_empty=False))
    if kind == "batched":
        return kind, ba + (n, k), bb + (k, m)
    if kind == "nd@1":
        return kind, ba + (n, k), (k,)
    return kind, (k,), bb + (k, m)


@given(data=st.data())
def test_matmul(data):
    kind, sa, sb = data.draw(matmul_shapes(), label="shapes")
    a = data.draw(diffs(sa), label="a")
    b = data.draw(diffs(sb), label="b")
    op = data.draw(st.sampled_from(["fn", "operator", "method"]))
    tfn = {"fn": torch.matmul, "operator": lambda x, y: x @ y,
           "method": lambda x, y: x.matmul(y)}[op]
    check_grad(tfn, np.matmul, a, b, msg=f"matmul {kind} {sa}@{sb}")


@given(data=st.data())
def test_mm_mv_dot_outer(data):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    a = data.draw(diffs((n, k)), label="a")
    b = data.draw(diffs((k, m)), label="b")
    v = data.draw(diffs((k,)), label="v")
    w = data.draw(diffs((k,)), label="w")
    u = data.draw(diffs((n,)), label="u")
    check_grad(torch.mm, np.matmul, a, b, msg="mm")
    check_grad(lambda x, y: x.mm(y), np.matmul, a, b, msg="Tensor.mm")
    check_grad(torch.mv, np.matmul, a, v, msg="mv")
    check_grad(lambda x, y: x.mv(y), np.matmul, a, v, msg="Tensor.mv")
    check_grad(torch.dot, np.dot, v, w, msg="dot")
    check_grad(lambda x, y: x.dot(y), np.dot, v, w, msg="Tensor.dot")
    check_grad(torch.outer, np.outer, u, w, msg="outer")
    check_grad(lambda x, y: x.outer(y), np.outer, u, w, msg="Tensor.outer")


def test_matmul_hand_worked():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[0.5], [-1.0]], dtype=torch.float64, requires_grad=True)
    (a @ b).sum().backward()
    # dL/dA = 1 @ B^T, dL/dB = A^T @ 1
    np.testing.assert_array_equal(a.grad.numpy(), [[0.5, -1.0], [0.5, -1.0]])
    np.testing.assert_array_equal(b.grad.numpy(), [[4.0], [6.0]])


# --------------------------------------------------------------------------------------
# views and shape ops
# --------------------------------------------------------------------------------------
@given(data=st.data())
def test_view_reshape(data):
    shape = data.draw(O.shapes(0, 3, 4, allow_empty=True), label="shape")
    n = int(np.prod(shape, dtype=np.int64))
    cands = [(n,), (-1,), (1, n), (n, 1), (1, -1, 1)]
    if len(shape) >= 2:
        cands += [(shape[0], -1), tuple(reversed(shape)), (-1, shape[-1])]
    if n == 0:
        cands = [c for c in cands if -1 not in c]
    new = data.draw(st.sampled_from(cands), label="new")
    npnew = new  # NumPy reads -1 the same way
    # view needs a viewable layout: use a contiguous leaf for view, any layout for reshape
    xc = Diff(O.contiguous(data.draw(O.arrays(F64, shape, O.Domain(-3, 3)))),
              data.draw(st.sampled_from(MODES)))
    check_grad(lambda t: t.view(*new), lambda a: a.reshape(npnew), xc, msg=f"view {new}")
    check_grad(lambda t: t.view(new), lambda a: a.reshape(npnew), xc, msg=f"view tuple {new}")
    x = data.draw(diffs(shape), label="x")
    check_grad(lambda t: t.reshape(*new), lambda a: a.reshape(npnew), x, msg=f"reshape {new}")
    check_grad(lambda t: torch.reshape(t, new), lambda a: a.reshape(npnew), x, msg="torch.reshape")
    check_grad(lambda t: t.flatten(), lambda a: a.reshape(-1), x, msg="flatten")


@given(data=st.data())
def test_transpose_permute_t(data):
    shape = data.draw(O.shapes(1, 4, 3), label="shape")
    nd = len(shape)
    x = data.draw(diffs(shape), label="x")
    i = data.draw(st.integers(-nd, nd - 1))
    j = data.draw(st.integers(-nd, nd - 1))
    check_grad(lambda t: t.transpose(i, j), lambda a: np.swapaxes(a, i, j), x, msg=f"transpose {i},{j}")
    check_grad(lambda t: torch.transpose(t, i, j) * 2, lambda a: np.swapaxes(a, i, j) * 2, x,
               msg="torch.transpose")
    perm = tuple(data.draw(st.permutations(range(nd))))
    check_grad(lambda t: t.permute(*perm), lambda a: np.transpose(a, perm), x, msg=f"permute {perm}")
    check_grad(lambda t: torch.permute(t, perm), lambda a: np.transpose(a, perm), x, msg="torch.permute")
    if nd <= 2:
        check_grad(lambda t: t.t(), lambda a: a.T, x, msg="t()")


@given(data=st.data())
def test_expand(data):
    (small,), big = data.draw(O.broadcast_shapes(1, 0, 4, 3), label="shapes")
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2), label="lead")
    target = tuple(lead) + tuple(big)
    x = data.draw(diffs(small), label="x")
    # new leading dims must be given; an existing dim may be -1 (kept as is)
    n_new = len(target) - len(small)
    spec = tuple(s if k < n_new or not data.draw(st.booleans()) else -1
                 for k, s in enumerate(target))
    check_grad(lambda t: t.expand(*spec) if spec else t.expand(spec), lambda a: np.broadcast_to(a, target).copy(), x,
               msg=f"expand {small}->{spec}")
    check_grad(lambda t: t.expand(target) * 1.5, lambda a: np.broadcast_to(a, target) * 1.5, x,
               msg="expand tuple")


@st.composite
def slice_index(draw, shape, allow_negative_step=True):
    steps = [1, 2, 3] + ([-1, -2] if allow_negative_step else [])
    idx = []
    for s in shape:
        kind = draw(st.sampled_from(["all", "slice", "slice", "int"] if s else ["all", "slice"]))
        if kind == "all":
            idx.append(slice(None))
        elif kind == "int":
            idx.append(draw(st.integers(-s, s - 1)))
        else:
            start = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-s - 1, s + 1)))
            idx.append(slice(start, stop, draw(st.sampled_from(steps))))
    n_used = draw(st.integers(0, len(idx)))
    return tuple(idx[:n_used])


@given(data=st.data())
def test_basic_slicing(data):
    shape = data.draw(O.shapes(1, 3, 5), label="shape")
    x = data.draw(diffs(shape), label="x")
    idx = data.draw(slice_index(shape, allow_negative_step=False), label="idx")
    check_grad(lambda t: t[idx], lambda a: np.array(a[idx]), x, msg=f"x[{idx}]")


@given(data=st.data())
def test_slicing_negative_steps(data):
    # rtensor extension (docs/design.md "Signed strides"): x[::-1] is a view; PyTorch
    # refuses negative steps, so the oracle is NumPy's slicing semantics.
    shape = data.draw(O.shapes(1, 3, 5), label="shape")
    x = data.draw(diffs(shape), label="x")
    idx = data.draw(slice_index(shape), label="idx")
    check_grad(lambda t: t[idx], lambda a: np.array(a[idx]), x, msg=f"x[{idx}]")
    check_grad(lambda t: t[::-1], lambda a: a[::-1].copy(), x, msg="x[::-1]")
    check_grad(lambda t: t[1::2], lambda a: a[1::2].copy(), x, msg="x[1::2]")
    check_grad(lambda t: t[::-2] * 3, lambda a: a[::-2] * 3, x, msg="x[::-2]*3")


def test_slicing_hand_worked():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64, requires_grad=True)
    y = x[::-1] * torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 4.0, 3.0, 2.0, 1.0])
    x.grad = None
    (x[1::2] * 10).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 10.0, 0.0, 10.0, 0.0])


@given(data=st.data())
def test_select_narrow_flip(data):
    shape = data.draw(O.shapes(1, 4, 4), label="shape")
    nd = len(shape)
    x = data.draw(diffs(shape), label="x")
    d = data.draw(st.integers(-nd, nd - 1), label="dim")
    size = shape[d]
    dims = tuple(data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                                    unique_by=lambda v: v % nd)))
    check_grad(lambda t: t.flip(dims), lambda a: np.flip(a, [k % nd for k in dims]).copy(), x,
               msg=f"flip {dims}")
    check_grad(lambda t: torch.flip(t, dims), lambda a: np.flip(a, [k % nd for k in dims]).copy(),
               x, msg="torch.flip")
    if size:
        i = data.draw(st.integers(-size, size - 1), label="i")
        check_grad(lambda t: t.select(d, i), lambda a: np.take(a, i, axis=d), x, msg=f"select {d},{i}")
        check_grad(lambda t: torch.select(t, d, i), lambda a: np.take(a, i, axis=d), x, msg="torch.select")
    start = data.draw(st.integers(0, size), label="start")
    length = data.draw(st.integers(0, size - start), label="length")
    check_grad(lambda t: t.narrow(d, start, length),
               lambda a: np.take(a, range(start, start + length), axis=d), x,
               msg=f"narrow {d},{start},{length}")
    check_grad(lambda t: torch.narrow(t, d, start, length),
               lambda a: np.take(a, range(start, start + length), axis=d), x, msg="torch.narrow")


@given(data=st.data())
def test_diagonal(data):
    shape = data.draw(O.shapes(2, 4, 4), label="shape")
    nd = len(shape)
    x = data.draw(diffs(shape), label="x")
    d1 = data.draw(st.integers(-nd, nd - 1), label="d1")
    d2 = data.draw(st.integers(-nd, nd - 1).filter(lambda v: v % nd != d1 % nd), label="d2")
    off = data.draw(st.integers(-3, 3), label="offset")
    check_grad(lambda t: t.diagonal(off, d1, d2),
               lambda a: np.diagonal(a, off, d1 % nd, d2 % nd).copy(), x,
               msg=f"diagonal {off},{d1},{d2}")
    check_grad(lambda t: torch.diagonal(t, offset=off, dim1=d1, dim2=d2),
               lambda a: np.diagonal(a, off, d1 % nd, d2 % nd).copy(), x, msg="torch.diagonal")


@given(data=st.data())
def test_unbind_split_chunk(data):
    shape = data.draw(O.shapes(1, 3, 5), label="shape")
    nd = len(shape)
    x = data.draw(diffs(shape), label="x")
    d = data.draw(st.integers(-nd, nd - 1), label="dim")
    n = shape[d]
    ax = d % nd
    if n:
        check_grad(lambda t: t.unbind(d), lambda a: tuple(np.take(a, i, axis=ax) for i in range(n)),
                   x, msg=f"unbind {d}")
        check_grad(lambda t: torch.unbind(t, d),
                   lambda a: tuple(np.take(a, i, axis=ax) for i in range(n)), x, msg="torch.unbind")
    size = data.draw(st.integers(1, 4), label="split size")
    bounds = list(range(size, n, size))
    check_grad(lambda t: t.split(size, d), lambda a: tuple(np.split(a, bounds, axis=ax)) if n else
               (a,), x, msg=f"split {size},{d}")
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3), label="cuts"))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    check_grad(lambda t: torch.split(t, sizes, d), lambda a: tuple(np.split(a, cuts, axis=ax)),
               x, msg=f"split {sizes},{d}")
    chunks = data.draw(st.integers(1, 4), label="chunks")
    if n == 0:
        return
    csize = -(-n // chunks) if n else 1
    cb = list(range(csize, n, csize))
    check_grad(lambda t: t.chunk(chunks, d), lambda a: tuple(np.split(a, cb, axis=ax)) if n else (a,),
               x, msg=f"chunk {chunks},{d}")


def test_split_only_some_outputs_used():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=torch.float64, requires_grad=True)
    a, b, c = x.split(2)
    (b * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 3.0, 3.0, 0.0])
    x.grad = None
    parts = x.unbind(0)
    (parts[0] * parts[4]).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 0.0, 0.0, 0.0, 1.0])


@given(data=st.data())
def test_squeeze_unsqueeze(data):
    shape = data.draw(O.shapes(0, 4, 2), label="shape")
    nd = len(shape)
    x = data.draw(diffs(shape), label="x")
    check_grad(lambda t: t.squeeze(), lambda a: np.squeeze(a).copy(), x, msg="squeeze()")
    if nd:
        d = data.draw(st.integers(-nd, nd - 1), label="dim")
        nsq = (lambda a: np.squeeze(a, d).copy()) if shape[d] == 1 else (lambda a: a.copy())
        check_grad(lambda t: t.squeeze(d), nsq, x, msg=f"squeeze {d}")
        check_grad(lambda t: torch.squeeze(t, d), nsq, x, msg=f"torch.squeeze {d}")
    u = data.draw(st.integers(-nd - 1, nd), label="unsqueeze dim")
    check_grad(lambda t: t.unsqueeze(u), lambda a: np.expand_dims(a, u).copy(), x, msg=f"unsqueeze {u}")
    check_grad(lambda t: torch.unsqueeze(t, u) * 2, lambda a: np.expand_dims(a, u) * 2, x,
               msg="torch.unsqueeze")


@given(data=st.data())
def test_cat_stack(data):
    base = data.draw(O.shapes(1, 3, 3), label="shape")
    nd = len(base)
    d = data.draw(st.integers(-nd, nd - 1), label="dim")
    k = data.draw(st.integers(1, 3), label="count")
    shapes = []
    for _ in range(k):
        s = list(base)
        s[d] = data.draw(st.integers(0, 3))
        shapes.append(tuple(s))
    xs = [data.draw(diffs(s), label=f"x{i}") for i, s in enumerate(shapes)]
    check_grad(lambda *ts: torch.cat(ts, d), lambda *as_: np.concatenate(as_, axis=d % nd), *xs,
               msg=f"cat dim={d} {shapes}")
    check_grad(lambda *ts: torch.cat(list(ts), dim=d), lambda *as_: np.concatenate(as_, axis=d % nd),
               *xs, msg="cat list")
    sd = data.draw(st.integers(-nd - 1, nd), label="stack dim")
    ys = [data.draw(diffs(base), label=f"y{i}") for i in range(k)]
    check_grad(lambda *ts: torch.stack(ts, sd), lambda *as_: np.stack(as_, axis=sd), *ys,
               msg=f"stack dim={sd}")


def test_cat_same_tensor_twice():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    (torch.cat([x, x]) * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])


# --------------------------------------------------------------------------------------
# gather / scatter / indexing / masks
# --------------------------------------------------------------------------------------
def np_gather(a, dim, idx):
    out = np.zeros(idx.shape, dtype=np.float64)
    for pos in np.ndindex(*idx.shape):
        src = list(pos)
        src[dim] = idx[pos]
        out[pos] = a[tuple(src)]
    return out


def np_scatter(a, dim, idx, src, add):
    out = np.array(a, dtype=np.float64, copy=True)
    for pos in np.ndindex(*idx.shape):
        dst = list(pos)
        dst[dim] = idx[pos]
        if add:
            out[tuple(dst)] += src[pos]
        else:
            out[tuple(dst)] = src[pos]
    return out


@given(data=st.data())
def test_gather(data):
    shape = data.draw(O.shapes(1, 3, 4, allow_empty=False), label="shape")
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1), label="dim")
    ishape = tuple(data.draw(st.integers(1, 4)) if k == d % nd else data.draw(st.integers(1, s))
                   for k, s in enumerate(shape))
    idx = data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[d] - 1)), label="idx")
    x = data.draw(diffs(shape), label="x")
    ci = Const(data.draw(O.with_layout(idx, "int64")))
    check_grad(lambda t, i: torch.gather(t, d, i), lambda a, i: np_gather(a, d % nd, i), x, ci,
               msg=f"gather dim={d}")
    check_grad(lambda t, i: t.gather(d, i), lambda a, i: np_gather(a, d % nd, i), x, ci,
               msg="Tensor.gather")


@st.composite
def scatter_case(draw, unique):
    shape = draw(O.shapes(1, 3, 4, allow_empty=False))
    nd = len(shape)
    d = draw(st.integers(-nd, nd - 1))
    ax = d % nd
    ishape = tuple(draw(st.integers(1, s)) if k != ax else draw(st.integers(1, s if unique else 5))
                   for k, s in enumerate(shape))
    idx = np.zeros(ishape, dtype=np.int64)
    # one line along `dim` at a time; distinct targets per line for plain scatter
    other = [range(s) for k, s in enumerate(ishape) if k != ax]
    for pos in np.ndindex(*[len(r) for r in other]):
        line = draw(st.lists(st.integers(0, shape[ax] - 1), min_size=ishape[ax], max_size=ishape[ax],
                             unique=unique))
        for j, v in enumerate(line):
            full = list(pos)
            full.insert(ax, j)
            idx[tuple(full)] = v
    # src as large as index (PyTorch's scatter backward mis-shapes the src gradient when src
    # is larger than index, so that case is left out)
    return shape, d, idx, ishape


@pytest.mark.parametrize("add", [False, True])
@given(data=st.data())
def test_scatter_and_scatter_add(add, data):
    shape, d, idx, sshape = data.draw(scatter_case(unique=not add), label="case")
    x = data.draw(diffs(shape), label="self")
    s = data.draw(diffs(sshape), label="src")
    ci = Const(data.draw(O.with_layout(idx, "int64")))
    nd = len(shape)

    def nfn(a, i, b):
        return np_scatter(a, d % nd, i, b[tuple(slice(0, k) for k in i.shape)], add)

    if add:
        check_grad(lambda t, i, u: torch.scatter_add(t, d, i, u), nfn, x, ci, s, msg=f"scatter_add {d}")
        check_grad(lambda t, i, u: t.scatter_add(d, i, u), nfn, x, ci, s, msg="Tensor.scatter_add")
    else:
        check_grad(lambda t, i, u: torch.scatter(t, d, i, u), nfn, x, ci, s, msg=f"scatter {d}")
        check_grad(lambda t, i, u: t.scatter(d, i, u), nfn, x, ci, s, msg="Tensor.scatter")


def test_scatter_add_repeated_hand_worked():
    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    src = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([0, 2, 0, 0])
    y = x.scatter_add(0, idx, src)
    np.testing.assert_array_equal(y.detach().numpy(), [8.0, 0.0, 2.0])
    (y * torch.tensor([10.0, 20.0, 30.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(src.grad.numpy(), [10.0, 30.0, 10.0, 10.0])


@given(data=st.data())
def test_index_select(data):
    shape = data.draw(O.shapes(1, 3, 4, allow_empty=False), label="shape")
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1), label="dim")
    idx = data.draw(hnp.arrays(np.int64, (data.draw(st.integers(0, 6)),),
                               elements=st.integers(0, shape[d] - 1)), label="idx")
    x = data.draw(diffs(shape), label="x")
    ci = Const(data.draw(O.with_layout(idx, "int64")))
    check_grad(lambda t, i: torch.index_select(t, d, i), lambda a, i: np.take(a, i, axis=d % nd),
               x, ci, msg=f"index_select {d}")
    check_grad(lambda t, i: t.index_select(d, i), lambda a, i: np.take(a, i, axis=d % nd),
               x, ci, msg="Tensor.index_select")


@given(data=st.data())
def test_advanced_indexing_repeated(data):
    shape = data.draw(O.shapes(1, 3, 4, allow_empty=False), label="shape")
    x = data.draw(diffs(shape), label="x")
    n0 = shape[0]
    idx = data.draw(hnp.arrays(np.int64, data.draw(O.shapes(1, 2, 5, allow_empty=False)),
                               elements=st.integers(-n0, n0 - 1)), label="idx")
    ci = Const(data.draw(O.with_layout(idx, "int64")))
    check_grad(lambda t, i: t[i], lambda a, i: a[i], x, ci, msg="x[idx]")
    lst = [int(v) for v in idx.reshape(-1)]
    check_grad(lambda t: t[lst], lambda a: a[lst], x, msg=f"x[{lst}]")
    if len(shape) >= 2:
        n1 = shape[1]
        j = data.draw(hnp.arrays(np.int64, idx.shape, elements=st.integers(0, n1 - 1)), label="j")
        cj = Const(O.contiguous(j))
        check_grad(lambda t, i, k: t[i, k], lambda a, i, k: a[i, k], x, ci, cj, msg="x[idx, j]")
        check_grad(lambda t, k: t[:, k], lambda a, k: a[:, k], x, cj, msg="x[:, j]")
    mask = data.draw(hnp.arrays(np.bool_, shape), label="mask")
    check_grad(lambda t, m: t[m], lambda a, m: a[m], x, Const(O.contiguous(mask)), msg="x[mask]")


def test_advanced_indexing_accumulates_hand_worked():
    x = torch.tensor([10.0, 20.0, 30.0], dtype=torch.float64, requires_grad=True)
    y = x[torch.tensor([0, 2, 0, 0, 1, 2])]
    (y * torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 5.0, 8.0])


@given(data=st.data())
def test_masked_fill_masked_select(data):
    (sx, sm), bshape = data.draw(O.broadcast_shapes(2, 0, 3, 3, full=(0,)), label="shapes")
    x = data.draw(diffs(sx), label="x")
    mask = data.draw(hnp.arrays(np.bool_, sm), label="mask")
    cm = Const(data.draw(O.with_layout(mask, "bool")))
    val = data.draw(st.sampled_from([0.0, -1.5, 2]), label="value")
    check_grad(lambda t, m: t.masked_fill(m, val), lambda a, m: np.where(m, val, a), x, cm,
               msg="masked_fill")
    check_grad(lambda t, m: torch.masked_fill(t, m, val), lambda a, m: np.where(m, val, a), x, cm,
               msg="torch.masked_fill")
    # masked_select broadcasts self and mask together
    (sa, sb), bs = data.draw(O.broadcast_shapes(2, 0, 3, 3), label="select shapes")
    y = data.draw(diffs(sa), label="y")
    m2 = data.draw(hnp.arrays(np.bool_, sb), label="mask2")
    check_grad(lambda t, m: torch.masked_select(t, m),
               lambda a, m: np.broadcast_to(a, bs)[np.broadcast_to(m, bs)].copy(),
               y, Const(O.contiguous(m2)), msg="masked_select")
    check_grad(lambda t, m: t.masked_select(m),
               lambda a, m: np.broadcast_to(a, bs)[np.broadcast_to(m, bs)].copy(),
               y, Const(O.contiguous(m2)), msg="Tensor.masked_select")


# --------------------------------------------------------------------------------------
# dtype casts
# --------------------------------------------------------------------------------------
@given(data=st.data())
def test_casts(data):
    shape = data.draw(small_shapes(), label="shape")
    x32 = data.draw(diffs(shape, -2, 2, name="float32"), label="x32")
    x64 = data.draw(diffs(shape, -2, 2), label="x64")
    # float32 leaf -> double -> float64 math: grad comes back as float32
    check_grad(lambda t: t.double().sin() * 2, lambda a: np.sin(a) * 2, x32, msg="float->double",
               rtol=1e-6, atol=1e-7)
    check_grad(lambda t: t.to(torch.float64).exp(), np.exp, x32, msg="to(float64)", rtol=1e-6, atol=1e-7)
    # float64 leaf -> float: the derivative of a cast is the identity
    check_grad(lambda t: t.float(), lambda a: a.copy(), x64, msg="double->float")
    check_grad(lambda t: t.to(torch.float32) * 3, lambda a: a * 3, x64, msg="to(float32)")
    check_grad(lambda t: t.float().double() + t, lambda a: 2 * a, x64, msg="round trip",
               rtol=1e-6, atol=1e-7)


def test_cast_grad_dtype_hand_worked():
    x = torch.tensor([1.0, 2.0], dtype=torch.float32, requires_grad=True)
    y = x.double() * torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert y.dtype == torch.float64
    y.sum().backward()
    assert x.grad.dtype == torch.float32
    np.testing.assert_array_equal(x.grad.numpy(), np.array([3.0, 4.0], dtype=np.float32))


# --------------------------------------------------------------------------------------
# second order: grad(create_graph=True) then differentiate again
# --------------------------------------------------------------------------------------
def fd_vjp(fn, a, v, eps=1e-6):
    """Central differences of sum(v * fn(a)) w.r.t. a (NumPy, float64)."""
    out = np.zeros_like(a)
    for k in range(a.size):
        p, m = a.copy(), a.copy()
        p.reshape(-1)[k] += eps
        m.reshape(-1)[k] -= eps
        out.reshape(-1)[k] = (np.sum(v * fn(p)) - np.sum(v * fn(m))) / (2 * eps)
    return out


SECOND_ORDER = {
    # name: (torch f (returns the scalar-valued sum(u * y)), hand-written df/dx in NumPy, lo, hi)
    "sin*x^2": (lambda x, u: (u * x.sin() * x * x).sum(),
                lambda a, u: u * (np.cos(a) * a * a + 2 * a * np.sin(a)), -2, 2),
    "exp": (lambda x, u: (u * x.exp()).sum(), lambda a, u: u * np.exp(a), -2, 2),
    "tanh": (lambda x, u: (u * x.tanh()).sum(), lambda a, u: u * (1 - np.tanh(a) ** 2), -2, 2),
    "sigmoid": (lambda x, u: (u * x.sigmoid()).sum(),
                lambda a, u: u * _sigmoid(a) * (1 - _sigmoid(a)), -3, 3),
    "log": (lambda x, u: (u * x.log()).sum(), lambda a, u: u / a, 0.3, 3),
    "pow3": (lambda x, u: (u * x ** 3).sum(), lambda a, u: u * 3 * a ** 2, -2, 2),
    "reciprocal": (lambda x, u: (u / x).sum(), lambda a, u: -u / a ** 2, 0.3, 3),
    "sqrt": (lambda x, u: (u * x.sqrt()).sum(), lambda a, u: u * 0.5 / np.sqrt(a), 0.3, 3),
    "sum^2": (lambda x, u: (x.sum() ** 2) * u.sum(),
              lambda a, u: np.full_like(a, 2 * a.sum() * u.sum()), -2, 2),
    "mean*x": (lambda x, u: (u * x * x.mean()).sum(),
               lambda a, u: u * a.mean() + np.sum(u * a) / a.size, -2, 2),
    "var": (lambda x, u: x.var() * u.sum(),
            lambda a, u: 2 * (a - a.mean()) / (a.size - 1) * u.sum(), -2, 2),
    "logsumexp": (lambda x, u: torch.logsumexp(x, 0) * u.sum(),
                  lambda a, u: np.exp(a - np.log(np.sum(np.exp(a)))) * u.sum(), -2, 2),
    "norm": (lambda x, u: x.norm() * u.sum(), lambda a, u: a / np.sqrt(np.sum(a * a)) * u.sum(),
             0.5, 2),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
@given(data=st.data())
def test_second_order_elementwise_and_reductions(name, data):
    tf, df, lo, hi = SECOND_ORDER[name]
    n = data.draw(st.integers(2, 5), label="n")
    a = data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(lo, hi)), label="x")
    u = data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(-2, 2)), label="u")
    w = np.random.default_rng(_seed(name, n)).standard_normal(n)
    x = torch.tensor(a, requires_grad=True)
    (g1,) = torch.autograd.grad(tf(x, torch.tensor(u)), [x], create_graph=True)
    assert g1.requires_grad, "create_graph=True must give a differentiable gradient"
    np.testing.assert_allclose(g1.detach().numpy(), df(a, u), rtol=1e-9, atol=1e-10)
    (g2,) = torch.autograd.grad((g1 * torch.tensor(w)).sum(), [x])
    expected = fd_vjp(lambda z: df(z, u), a, w)
    np.testing.assert_allclose(g2.numpy(), expected, rtol=1e-5, atol=1e-6)


@given(data=st.data())
def test_second_order_two_inputs(data):
    # f(x, y) = sum(exp(x) * y^2): df/dx = exp(x) y^2, df/dy = 2 exp(x) y
    n = data.draw(st.integers(1, 4))
    a = data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(-1, 1)))
    b = data.draw(hnp.arrays(np.float64, (n,), elements=st.floats(-1, 1)))
    x = torch.tensor(a, requires_grad=True)
    y = torch.tensor(b, requires_grad=True)
    gx, gy = torch.autograd.grad((x.exp() * y * y).sum(), [x, y], create_graph=True)
    # atol covers subnormal inputs (b = 5e-324), where one rounding is a 20% relative error
    np.testing.assert_allclose(gx.detach().numpy(), np.exp(a) * b * b, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(gy.detach().numpy(), 2 * np.exp(a) * b, rtol=1e-12, atol=1e-300)
    v = np.linspace(-1, 1, n)
    hx, hy = torch.autograd.grad((gy * torch.tensor(v)).sum(), [x, y])
    # mixed and pure second derivatives, by finite differences of the hand-written gy
    np.testing.assert_allclose(hx.numpy(), fd_vjp(lambda z: 2 * np.exp(z) * b, a, v), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hy.numpy(), fd_vjp(lambda z: 2 * np.exp(a) * z, b, v), rtol=1e-5, atol=1e-7)


@given(data=st.data())
def test_second_order_matmul(data):
    # L(A) = sum((A @ B)^2): dL/dA = 2 (A B) B^T
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    a = data.draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-2, 2)))
    b = data.draw(hnp.arrays(np.float64, (k, m), elements=st.floats(-2, 2)))
    A = torch.tensor(a, requires_grad=True)
    B = torch.tensor(b, requires_grad=True)
    (gA,) = torch.autograd.grad(((A @ B) ** 2).sum(), [A], create_graph=True)
    np.testing.assert_allclose(gA.detach().numpy(), 2 * (a @ b) @ b.T, rtol=1e-10, atol=1e-10)
    W = np.random.default_rng(_seed(n, k, m)).standard_normal((n, k))
    hA, hB = torch.autograd.grad((gA * torch.tensor(W)).sum(), [A, B])
    np.testing.assert_allclose(hA.numpy(), fd_vjp(lambda z: 2 * (z @ b) @ b.T, a, W), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hB.numpy(), fd_vjp(lambda z: 2 * (a @ z) @ z.T, b, W), rtol=1e-5, atol=1e-6)


def test_third_order_hand_worked():
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    y = x ** 4
    (g1,) = torch.autograd.grad(y, [x], create_graph=True)
    (g2,) = torch.autograd.grad(g1, [x], create_graph=True)
    (g3,) = torch.autograd.grad(g2, [x])
    assert g1.item() == 32.0 and g2.item() == 48.0 and g3.item() == 48.0


def test_backward_create_graph_populates_differentiable_grad():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    np.testing.assert_array_equal(g.detach().numpy(), [3.0, 12.0])
    (h,) = torch.autograd.grad(g.sum(), [x])
    np.testing.assert_array_equal(h.numpy(), [6.0, 12.0])


# --------------------------------------------------------------------------------------
# gradcheck / gradgradcheck
# --------------------------------------------------------------------------------------
def _inp(*shape, seed=0, lo=-1.0, hi=1.0):
    a = np.random.default_rng(seed).uniform(lo, hi, shape)
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


GRADCHECK_FNS = {
    "tanh*exp": (lambda x: x.tanh() * x.exp(), lambda: (_inp(3, 2),)),
    "matmul": (lambda a, b: a @ b, lambda: (_inp(2, 3, seed=1), _inp(3, 4, seed=2))),
    "softmax-ish": (lambda x: x.exp() / x.exp().sum(1, keepdim=True), lambda: (_inp(2, 3, seed=3),)),
    "logsumexp": (lambda x: torch.logsumexp(x, 1), lambda: (_inp(3, 4, seed=4),)),
    "broadcast": (lambda a, b: a * b + b, lambda: (_inp(3, 1, seed=5), _inp(4, seed=6))),
    "indexing": (lambda x: x[[0, 0, 2]].sum(0) * x[1], lambda: (_inp(3, 2, seed=7),)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK_FNS))
def test_gradcheck_passes(name):
    fn, make = GRADCHECK_FNS[name]
    assert torch.autograd.gradcheck(fn, make()) is True


@pytest.mark.parametrize("name", sorted(GRADCHECK_FNS))
def test_gradgradcheck_passes(name):
    fn, make = GRADCHECK_FNS[name]
    assert torch.autograd.gradgradcheck(fn, make()) is True


def test_gradgradcheck_cube_sum():
    assert torch.autograd.gradgradcheck(lambda a: (a * a * a).sum(), (_inp(2, 2),)) is True


def test_gradcheck_catches_wrong_gradient():
    # x * x.detach() has value x^2 but an analytic gradient of x (the detached factor is a
    # constant to autograd): the numerical derivative is 2x, so gradcheck must object
    def wrong(x):
        return x * x.detach()

    x = _inp(4, lo=0.5, hi=2.0)
    with pytest.raises(RuntimeError):
        torch.autograd.gradcheck(wrong, (x,))
    assert torch.autograd.gradcheck(wrong, (x,), raise_exception=False) is False


def test_as_strided_backward_on_non_contiguous_input():
    # as_strided addresses the storage: through base.t() the gradient must still land
    # on the storage positions it read (hand-worked with NumPy's flat indexing).
    g = np.random.default_rng(5)
    base = torch.tensor(g.standard_normal((4, 6)), requires_grad=True)
    W = g.standard_normal((3, 2))
    y = base.t().as_strided((3, 2), (1, 6), 1)
    np.testing.assert_array_equal(y.detach().numpy(), base.detach().numpy().ravel()[[[1, 7], [2, 8], [3, 9]]])
    (y * torch.tensor(W)).sum().backward()
    want = np.zeros(24)
    for i in range(3):
        for j in range(2):
            want[1 + i + 6 * j] += W[i, j]
    np.testing.assert_allclose(base.grad.numpy().ravel(), want)
    # and against finite differences
    assert torch.autograd.gradcheck(lambda b: b.t().as_strided((3, 2), (1, 6), 1),
                                    (torch.tensor(g.standard_normal((4, 6)), requires_grad=True),))


def test_as_strided_overlapping_windows_accumulate():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    x[1:].as_strided((2, 2), (1, 1)).sum().backward()   # windows [2,3], [3,4] of x[1:]
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 2.0, 1.0])


def test_as_strided_outside_input_has_no_gradient():
    x = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="as_strided"):
        x[:3].as_strided((4,), (1,))  # reads x's storage past the end of x[:3]
    with torch.no_grad():             # without autograd it is just a view
        assert x[:3].as_strided((4,), (1,)).shape == (4,)


def test_gather_index_select_second_order_with_repeats():
    # Repeated indices accumulate in the backward; its own backward is a gather.
    x = torch.tensor(np.random.default_rng(2).standard_normal((4, 3)), requires_grad=True)
    idx = torch.tensor([[0, 0, 3], [2, 2, 2]])
    assert torch.autograd.gradgradcheck(lambda t: (torch.gather(t, 0, idx) ** 2), (x,))
    sel = torch.tensor([3, 1, 3, 3])
    assert torch.autograd.gradgradcheck(lambda t: (t.index_select(0, sel) ** 2), (x,))
    assert torch.autograd.gradgradcheck(lambda t: (t.index_select(1, torch.tensor([2, 2])) ** 2), (x,))
    # hand-worked first order: d/dx sum(index_select) counts each row's uses
    y = torch.ones(4, 3, requires_grad=True)
    y.index_select(0, sel).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy()[:, 0], [0.0, 1.0, 0.0, 3.0])
