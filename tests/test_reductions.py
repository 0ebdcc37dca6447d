"""Reductions against NumPy: sum, mean, prod, max/min (full and with dim -> (values,
indices)), amax, amin, argmax, argmin, std, var, norm, all, any, cumsum, cumprod,
logsumexp; dim as int or tuple, negative dims, keepdim, 0-d and empty inputs, every dtype
an op supports, non-contiguous inputs."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import _oracle as O
from _oracle import (ALL_DTYPES, FLOATS, NUMERIC, Domain, assert_close, assert_mentions,
                     compute_np, dims_for, np_axis, torch)

nan, inf = math.nan, math.inf


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def reduced_sizes(shape, dim):
    ax = np_axis(dim, len(shape))
    if ax is None:
        return list(shape)
    return [shape[d] for d in ax]


def _quiet(fn, *a, **k):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def _logsumexp(a, axis, keepdims):
    return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))


def _all(a, axis, keepdims):
    return np.all(a != 0, axis=axis, keepdims=keepdims)


def _any(a, axis, keepdims):
    return np.any(a != 0, axis=axis, keepdims=keepdims)


@dataclass(frozen=True)
class Red:
    name: str
    np_fn: object                 # f(array, axis, keepdims)
    dtypes: tuple
    result: str                   # 'same' | 'acc' (int64 for integral) | 'float' | 'bool_u8'
    dom: Domain = Domain()
    tuple_dims: bool = True
    nonempty: bool = False        # no identity: reducing an empty extent is an error
    tol: str = "exact"            # 'exact' | 'sum' | 'mean' | 'prod' | 'lse'
    max_side: int = 4

    def __repr__(self):
        return self.name

    def result_dtype(self, dt):
        if self.result == "same":
            return dt
        if self.result == "acc":
            return O.sum_dtype(dt)
        if self.result == "float":
            return O.float_result(dt)
        return "uint8" if dt == "uint8" else "bool"

    def compute_dtype(self, dt):
        return dt if self.result in ("same", "bool_u8") else self.result_dtype(dt)


def _npred(f):
    return lambda a, axis, keepdims: f(a, axis=axis, keepdims=keepdims)


REDUCTIONS = [
    Red("sum", _npred(np.sum), ALL_DTYPES, "acc", tol="sum"),
    Red("mean", _npred(np.mean), FLOATS, "same", tol="mean"),
    Red("prod", _npred(np.prod), ALL_DTYPES, "acc", Domain(lo=-2, hi=2, int_lo=-3, int_hi=3),
        tuple_dims=False, tol="prod", max_side=3),
    Red("amax", _npred(np.max), ALL_DTYPES, "same", O.SPECIAL, nonempty=True),
    Red("amin", _npred(np.min), ALL_DTYPES, "same", O.SPECIAL, nonempty=True),
    Red("all", _all, ALL_DTYPES, "bool_u8", O.SPECIAL),
    Red("any", _any, ALL_DTYPES, "bool_u8", O.SPECIAL),
    Red("logsumexp", _logsumexp, ALL_DTYPES, "float", Domain(lo=-20, hi=20), tol="lse"),
]


def tolerance(kind, dt_res, arr, n_reduced):
    """(rtol, atol) for a reduction result of dtype dt_res over oracle values arr."""
    if not O.is_float(dt_res):
        return None, None
    r0, a0 = O.TOL[dt_res]
    acc = O.ACC_EPS[dt_res]
    with np.errstate(all="ignore"):
        finite = np.abs(arr[np.isfinite(arr)]) if arr.size else np.zeros(0)
    scale = float(finite.max()) if finite.size else 0.0
    total = float(finite.sum()) if finite.size else 0.0
    if kind == "sum":
        return r0, a0 + 8 * acc * total
    if kind == "mean":
        return r0, a0 + 8 * acc * scale
    if kind == "prod":
        return r0 + 4 * acc * max(n_reduced, 1), a0
    if kind == "lse":
        return r0, a0 + 8 * acc * max(scale, 1.0)
    return r0, a0


def n_reduced(shape, dim):
    return int(np.prod(reduced_sizes(shape, dim))) if shape else 1


# --------------------------------------------------------------------------------------
# generic reductions
# --------------------------------------------------------------------------------------
RED = {r.name: r for r in REDUCTIONS}


@pytest.mark.parametrize("opname", list(RED))
@given(data=st.data())
def test_reduction(opname, data):
    op = RED[opname]
    dt = data.draw(st.sampled_from(op.dtypes), label="dtype")
    shape = data.draw(O.shapes(max_side=op.max_side), label="shape")
    dim = data.draw(dims_for(len(shape), allow_tuple=op.tuple_dims,
                             allow_none=op.name != "logsumexp"), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim") if dim is not None else False
    if op.nonempty:
        assume(all(s > 0 for s in reduced_sizes(shape, dim)) and (dim is not None or
                                                                  np.prod(shape) > 0))
    x = data.draw(O.operands(dt, shape, op.dom), label="x")
    res = op.result_dtype(dt)
    form = data.draw(st.sampled_from(["function", "method"]), label="form")
    t = x.tensor()
    if dim is None:
        r = getattr(torch, op.name)(t) if form == "function" else getattr(t, op.name)()
    elif form == "function":
        r = getattr(torch, op.name)(t, dim, keepdim=keepdim)
    else:
        r = getattr(t, op.name)(dim=dim, keepdim=keepdim)
    a = compute_np(x.array, op.compute_dtype(dt))
    expected = _quiet(op.np_fn, a, np_axis(dim, len(shape)), keepdim)
    rtol, atol = tolerance(op.tol, res, a, n_reduced(shape, dim))
    assert_close(r, expected, dtype=res, rtol=rtol, atol=atol,
                 msg=f"{op.name}(dim={dim}, keepdim={keepdim}) {form} {x.layout}")


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_full_max_min(name, data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(allow_empty=False), label="shape")
    x = data.draw(O.operands(dt, shape, O.SPECIAL), label="x")
    t = x.tensor()
    r = getattr(torch, name)(t) if data.draw(st.booleans()) else getattr(t, name)()
    expected = (np.max if name == "max" else np.min)(compute_np(x.array, dt))
    assert_close(r, expected, dtype=dt, msg=f"{name}() {x.layout}")


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min_with_dim_named_tuple(name, data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    nd = len(shape)
    dim = data.draw(dims_for(nd, allow_tuple=False, allow_none=False), label="dim")
    assume(all(s > 0 for s in reduced_sizes(shape, dim)))
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = data.draw(O.operands(dt, shape, O.SPECIAL), label="x")
    t = x.tensor()
    form = data.draw(st.sampled_from(["function", "method", "positional"]), label="form")
    if form == "function":
        r = getattr(torch, name)(t, dim=dim, keepdim=keepdim)
    elif form == "method":
        r = getattr(t, name)(dim=dim, keepdim=keepdim)
    else:
        r = getattr(torch, name)(t, dim, keepdim)
    assert isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert r.values is values or r.values.data_ptr() == values.data_ptr()
    assert r.indices is indices or r.indices.data_ptr() == indices.data_ptr()
    a = compute_np(x.array, dt)
    ax = np_axis(dim, nd)
    npf = np.max if name == "max" else np.min
    exp_values = npf(a, axis=ax, keepdims=keepdim)
    assert_close(r.values, exp_values, dtype=dt, msg=f"{name}(dim={dim}).values {x.layout}")
    assert O.dtype_name(r.indices.dtype) == "int64"
    assert tuple(r.indices.shape) == np.shape(exp_values)
    idx = O.to_numpy(r.indices)
    if nd == 0:
        assert idx.tolist() == 0
        return
    d = ax[0]
    assert ((idx >= 0) & (idx < shape[d])).all(), idx
    idx_k = idx if keepdim else np.expand_dims(idx, d)
    picked = np.take_along_axis(a, idx_k, axis=d)
    picked = picked if keepdim else np.squeeze(picked, d)
    assert_close(r.values, picked, dtype=dt, msg="indices point at the extreme values")


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
def test_argmax_argmin(name, data):
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    nd = len(shape)
    dim = data.draw(dims_for(nd, allow_tuple=False), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim") if dim is not None else False
    assume(all(s > 0 for s in reduced_sizes(shape, dim)) and (dim is not None or
                                                              np.prod(shape) > 0))
    # small integer-valued data: plenty of ties, and the first occurrence must win
    x = data.draw(O.operands(dt, shape, Domain(lo=-3, hi=3, dyadic=True)), label="x")
    t = x.tensor()
    if dim is None:
        r = getattr(torch, name)(t) if data.draw(st.booleans()) else getattr(t, name)()
    else:
        r = getattr(torch, name)(t, dim=dim, keepdim=keepdim)
    a = compute_np(x.array, dt)
    npf = np.argmax if name == "argmax" else np.argmin
    if dim is None or nd == 0:
        expected = np.asarray(npf(a.reshape(-1)))
        if keepdim:
            expected = expected.reshape((1,) * nd)
    else:
        expected = npf(a, axis=dim % nd, keepdims=keepdim)
    assert_close(r, expected, dtype="int64", msg=f"{name}(dim={dim}) {x.layout}")


@pytest.mark.parametrize("name", ["std", "var"])
@given(data=st.data())
def test_std_var(name, data):
    dt = data.draw(st.sampled_from(FLOATS), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    nd = len(shape)
    dim = data.draw(dims_for(nd), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim") if dim is not None else False
    spec = data.draw(st.sampled_from(["default", "unbiased=True", "unbiased=False",
                                      "correction=0", "correction=1", "correction=2"]),
                     label="spec")
    ddof = {"default": 1, "unbiased=True": 1, "unbiased=False": 0, "correction=0": 0,
            "correction=1": 1, "correction=2": 2}[spec]
    n = n_reduced(shape, dim)
    assume(n - ddof > 0)  # the degenerate divisor is covered by hand-worked cases
    x = data.draw(O.operands(dt, shape, Domain(lo=-20, hi=20)), label="x")
    kw = {}
    if spec.startswith("unbiased"):
        kw["unbiased"] = spec.endswith("True")
    elif spec.startswith("correction"):
        kw["correction"] = ddof
    t = x.tensor()
    fn = getattr(torch, name)
    if dim is None:
        r = fn(t, **kw) if data.draw(st.booleans()) else getattr(t, name)(**kw)
    else:
        r = fn(t, dim=dim, keepdim=keepdim, **kw) if data.draw(st.booleans()) else \
            getattr(t, name)(dim, keepdim=keepdim, **kw)
    a = compute_np(x.array, dt)
    npf = np.std if name == "std" else np.var
    expected = _quiet(npf, a, axis=np_axis(dim, nd), ddof=ddof, keepdims=keepdim)
    r0, a0 = O.TOL[dt]
    scale = max(float(np.abs(a).max()) if a.size else 0.0, 1.0)
    acc = O.ACC_EPS[dt]
    atol = a0 + 64 * acc * (scale ** 2 if name == "var" else scale)
    assert_close(r, expected, dtype=dt, rtol=max(r0, 64 * acc), atol=atol,
                 msg=f"{name}(dim={dim}, {spec}, keepdim={keepdim}) {x.layout}")


@given(data=st.data())
def test_norm(data):
    dt = data.draw(st.sampled_from(FLOATS), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    nd = len(shape)
    p = data.draw(st.sampled_from([None, 1, 2, 3, inf, "fro"]), label="p")
    dim = data.draw(dims_for(nd, allow_tuple=p != "fro" or nd >= 2), label="dim")
    if p in (None, "fro") and isinstance(dim, tuple):
        assume(len(dim) <= 2)  # 'fro' over more than two dims is not a vector norm
    keepdim = data.draw(st.booleans(), label="keepdim") if dim is not None else False
    if p == inf:
        assume(n_reduced(shape, dim) > 0 and (dim is not None or np.prod(shape) > 0))
    x = data.draw(O.operands(dt, shape, Domain(lo=-20, hi=20)), label="x")
    t = x.tensor()
    kw = {} if p is None else {"p": p}
    if dim is not None:
        kw.update(dim=dim, keepdim=keepdim)
    r = torch.norm(t, **kw) if data.draw(st.booleans()) else t.norm(**kw)
    a = np.abs(compute_np(x.array, dt))
    ax = np_axis(dim, nd)
    if p == inf:
        expected = np.max(a, axis=ax, keepdims=keepdim)
    elif p == 1:
        expected = np.sum(a, axis=ax, keepdims=keepdim)
    else:
        pp = 2 if p in (None, "fro") else p
        expected = np.sum(a ** pp, axis=ax, keepdims=keepdim) ** (1.0 / pp)
    r0, a0 = O.TOL[dt]
    total = float(a.sum()) if a.size else 0.0
    assert_close(r, expected, dtype=dt, rtol=max(r0, 16 * O.ACC_EPS[dt]),
                 atol=a0 + 8 * O.ACC_EPS[dt] * total, msg=f"norm(p={p}, dim={dim}) {x.layout}")


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@given(data=st.data())
def test_cumsum_cumprod(name, data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    dom = Domain() if name == "cumsum" else Domain(lo=-2, hi=2, int_lo=-3, int_hi=3)
    shape = data.draw(O.shapes(max_side=4 if name == "cumsum" else 3), label="shape")
    nd = len(shape)
    dim = data.draw(dims_for(nd, allow_tuple=False, allow_none=False), label="dim")
    x = data.draw(O.operands(dt, shape, dom), label="x")
    as_f64 = data.draw(st.booleans(), label="dtype_kwarg")
    res = "float64" if as_f64 else O.sum_dtype(dt)
    t = x.tensor()
    kw = {"dtype": torch.float64} if as_f64 else {}
    r = getattr(torch, name)(t, dim, **kw) if data.draw(st.booleans()) else \
        getattr(t, name)(dim=dim, **kw)
    a = compute_np(x.array, res)
    npf = np.cumsum if name == "cumsum" else np.cumprod
    expected = a if nd == 0 else _quiet(npf, a, axis=dim % nd)
    n = shape[dim % nd] if nd else 1
    rtol, atol = tolerance("sum" if name == "cumsum" else "prod", res, a, n)
    assert_close(r, expected, dtype=res, rtol=rtol, atol=atol,
                 msg=f"{name}(dim={dim}) {x.layout}")


# --------------------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------------------
DIM_CALLS = {
    "sum": lambda t, d: torch.sum(t, d),
    "mean": lambda t, d: torch.mean(t, d),
    "prod": lambda t, d: torch.prod(t, d),
    "max": lambda t, d: torch.max(t, d),
    "min": lambda t, d: torch.min(t, d),
    "amax": lambda t, d: torch.amax(t, d),
    "amin": lambda t, d: torch.amin(t, d),
    "argmax": lambda t, d: torch.argmax(t, d),
    "argmin": lambda t, d: torch.argmin(t, d),
    "std": lambda t, d: torch.std(t, d),
    "var": lambda t, d: torch.var(t, d),
    "norm": lambda t, d: torch.norm(t, dim=d),
    "all": lambda t, d: torch.all(t, d),
    "any": lambda t, d: torch.any(t, d),
    "cumsum": lambda t, d: torch.cumsum(t, d),
    "cumprod": lambda t, d: torch.cumprod(t, d),
    "logsumexp": lambda t, d: torch.logsumexp(t, d),
}


@pytest.mark.parametrize("name", list(DIM_CALLS))
@pytest.mark.parametrize("bad", [2, -3, 5])
def test_dim_out_of_range_raises_index_error(name, bad):
    with pytest.raises(IndexError) as ei:
        DIM_CALLS[name](torch.ones(2, 3), bad)
    assert_mentions(ei, bad)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "std", "var", "logsumexp", "all"])
def test_repeated_dim_raises(name):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.ones(2, 3), (0, 0))
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.ones(2, 3), (1, -1))


@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "bool"])
def test_mean_of_integral_raises(dt):
    t = torch.ones(3, dtype=O.tdt(dt))
    with pytest.raises(RuntimeError):
        t.mean()
    with pytest.raises(RuntimeError):
        torch.mean(t, 0)


@pytest.mark.parametrize("name", ["std", "var", "norm"])
@pytest.mark.parametrize("dt", ["int64", "int8", "bool"])
def test_float_only_reductions_reject_integral(name, dt):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.ones(3, dtype=O.tdt(dt)))


def test_argmax_rejects_bool():
    with pytest.raises(RuntimeError):
        torch.argmax(torch.tensor([True, False]))


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_full_extreme_of_empty_raises(name):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.ones(0))


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin", "argmax", "argmin"])
def test_extreme_over_empty_dim_raises_index_error(name):
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.ones(0, 3), 0)
    # reducing a non-empty dim of an empty tensor is fine
    r = getattr(torch, name)(torch.ones(0, 3), 1)
    r = r[0] if isinstance(r, tuple) else r
    assert tuple(r.shape) == (0,)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logsumexp"])
def test_dim_is_required(name):
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.ones(3))


# --------------------------------------------------------------------------------------
# hand-worked cases
# --------------------------------------------------------------------------------------
def T(v, dt=None):
    return torch.tensor(v, dtype=O.tdt(dt)) if dt else torch.tensor(v)


M = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
HAND = [
    ("sum_all", lambda: T(M).sum(), 21.0, "float32"),
    ("sum_dim0", lambda: T(M).sum(0), [5.0, 7.0, 9.0], "float32"),
    ("sum_dim_neg_keepdim", lambda: T(M).sum(-1, keepdim=True), [[6.0], [15.0]], "float32"),
    ("sum_tuple", lambda: T(M).sum((0, 1)), 21.0, "float32"),
    ("sum_list_dims", lambda: T(M).sum(dim=[1, 0]), 21.0, "float32"),
    ("sum_int32_is_int64", lambda: T([1, 2, 3], "int32").sum(), 6, "int64"),
    ("sum_uint8_no_wrap", lambda: T([200, 100], "uint8").sum(), 300, "int64"),
    ("sum_bool_counts", lambda: T([True, False, True]).sum(), 2, "int64"),
    ("sum_dtype_kwarg", lambda: T([1, 2]).sum(dtype=torch.float64), 3.0, "float64"),
    ("sum_empty", lambda: torch.ones(0).sum(), 0.0, "float32"),
    ("sum_empty_dim", lambda: torch.ones(2, 0).sum(1), [0.0, 0.0], "float32"),
    ("sum_zero_dim_tensor_dim0", lambda: T(3.0).sum(0), 3.0, "float32"),
    ("mean_dim", lambda: T(M).mean(1), [2.0, 5.0], "float32"),
    ("mean_empty_is_nan", lambda: torch.ones(0).mean(), nan, "float32"),
    ("mean_float16", lambda: T([1.0, 2.0], "float16").mean(), 1.5, "float16"),
    ("prod_int", lambda: T([[1, 2], [3, 4]]).prod(), 24, "int64"),
    ("prod_int8_is_int64", lambda: T([100, 100], "int8").prod(), 10000, "int64"),
    ("prod_bool", lambda: T([True, True]).prod(), 1, "int64"),
    ("prod_empty", lambda: torch.ones(0).prod(), 1.0, "float32"),
    ("prod_dim", lambda: T(M).prod(1), [6.0, 120.0], "float32"),
    ("amax_tuple", lambda: T(M).amax((0, 1)), 6.0, "float32"),
    ("amin_dim", lambda: T(M).amin(0), [1.0, 2.0, 3.0], "float32"),
    ("max_nan", lambda: T([1.0, nan, 3.0]).max(), nan, "float32"),
    ("amin_nan", lambda: T([1.0, nan, 3.0]).amin(), nan, "float32"),
    ("argmax_nan", lambda: T([1.0, nan, 3.0]).argmax(), 1, "int64"),
    ("argmax_first_tie", lambda: T([1, 3, 3, 0]).argmax(), 1, "int64"),
    ("argmin_first_tie", lambda: T([[2, 0, 0], [0, 5, 0]]).argmin(1), [1, 0], "int64"),
    ("argmax_flat", lambda: T([[1, 9], [9, 2]]).argmax(), 1, "int64"),
    ("argmax_keepdim", lambda: T([[1, 9], [9, 2]]).argmax(1, keepdim=True), [[1], [0]], "int64"),
    ("var_default_unbiased", lambda: T([1.0, 2.0, 3.0, 4.0]).var(), 5.0 / 3.0, "float32"),
    ("var_unbiased_false", lambda: T([1.0, 2.0, 3.0, 4.0]).var(unbiased=False), 1.25, "float32"),
    ("var_correction_2", lambda: T([1.0, 2.0, 3.0, 4.0]).var(correction=2), 2.5, "float32"),
    ("std_dim", lambda: T([[1.0, 3.0], [2.0, 2.0]]).std(1), [math.sqrt(2.0), 0.0], "float32"),
    ("std_single_is_nan", lambda: T([1.0]).std(), nan, "float32"),
    ("var_single_correction0", lambda: T([1.0]).var(correction=0), 0.0, "float32"),
    # low-precision inputs are accumulated in float32: constant data has exactly zero spread
    ("std_constant_float16", lambda: T([1.865, 1.865, 1.865], "float16").std(), 0.0, "float16"),
    ("var_constant_bfloat16", lambda: T([0.1, 0.1, 0.1, 0.1, 0.1], "bfloat16").var(), 0.0, "bfloat16"),
    ("norm_default", lambda: T([3.0, 4.0]).norm(), 5.0, "float32"),
    ("norm_p1", lambda: torch.norm(T([3.0, -4.0]), p=1), 7.0, "float32"),
    ("norm_inf", lambda: torch.norm(T([3.0, -4.0]), p=inf), 4.0, "float32"),
    ("norm_fro", lambda: T([[3.0, 0.0], [0.0, 4.0]]).norm(p="fro"), 5.0, "float32"),
    ("norm_dim", lambda: T([[3.0, 4.0], [6.0, 8.0]]).norm(dim=1), [5.0, 10.0], "float32"),
    ("all_float", lambda: T([1.0, nan, -2.0]).all(), True, "bool"),
    ("all_false", lambda: T([1, 0]).all(), False, "bool"),
    ("any_dim", lambda: T([[0, 0], [0, 1]]).any(1), [False, True], "bool"),
    ("all_uint8_is_uint8", lambda: T([1, 2], "uint8").all(), 1, "uint8"),
    ("any_uint8_is_uint8", lambda: T([0, 0], "uint8").any(0), 0, "uint8"),
    ("all_empty", lambda: torch.ones(0).all(), True, "bool"),
    ("any_empty", lambda: torch.ones(0).any(), False, "bool"),
    ("cumsum", lambda: T([1, 2, 3]).cumsum(0), [1, 3, 6], "int64"),
    ("cumsum_int8_is_int64", lambda: T([100, 100], "int8").cumsum(0), [100, 200], "int64"),
    ("cumsum_bool", lambda: T([True, False, True]).cumsum(0), [1, 1, 2], "int64"),
    ("cumsum_dim1", lambda: T(M).cumsum(1), [[1.0, 3.0, 6.0], [4.0, 9.0, 15.0]], "float32"),
    ("cumprod", lambda: T([1.0, 2.0, 3.0]).cumprod(0), [1.0, 2.0, 6.0], "float32"),
    ("cumprod_neg_dim", lambda: T([[1, 2], [3, 4]]).cumprod(-2), [[1, 2], [3, 8]], "int64"),
    ("logsumexp", lambda: torch.logsumexp(T([0.0, 0.0]), 0), math.log(2.0), "float32"),
    ("logsumexp_large", lambda: torch.logsumexp(T([1000.0, 1000.0]), 0), 1000.0 + math.log(2.0), "float32"),
    ("logsumexp_neg_inf", lambda: torch.logsumexp(T([-inf, 0.0]), 0), 0.0, "float32"),
    ("logsumexp_all_neg_inf", lambda: torch.logsumexp(T([-inf, -inf]), 0), -inf, "float32"),
    ("logsumexp_int", lambda: torch.logsumexp(T([0, 0]), 0), math.log(2.0), "float32"),
    ("logsumexp_empty", lambda: torch.logsumexp(torch.ones(0), 0), -inf, "float32"),
    ("logsumexp_keepdim", lambda: T([[0.0, 0.0]]).logsumexp(1, keepdim=True), [[math.log(2.0)]], "float32"),
]


@pytest.mark.parametrize("fn,expected,dt", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_hand_worked(fn, expected, dt):
    exp = np.array(expected, dtype=np.float64 if O.is_float(dt) else None)
    assert_close(fn(), exp, dtype=dt, rtol=1e-6, atol=1e-6)


def test_max_dim_hand_worked():
    r = torch.max(T([[1.0, 7.0, 3.0], [9.0, 2.0, 9.0]]), 1)
    assert isinstance(r, tuple)
    assert_close(r.values, np.array([7.0, 9.0]), dtype="float32")
    assert_close(r.indices, np.array([1, 0]), dtype="int64")
    v, i = r
    assert_close(v, np.array([7.0, 9.0]), dtype="float32")
    assert_close(r[1], np.array([1, 0]), dtype="int64")
    r = T([[1.0, 7.0], [9.0, 2.0]]).min(dim=0, keepdim=True)
    assert_close(r.values, np.array([[1.0, 2.0]]), dtype="float32")
    assert_close(r.indices, np.array([[0, 1]]), dtype="int64")
    r = T(3.0).max(0)
    assert_close(r.values, np.array(3.0), dtype="float32")
    assert_close(r.indices, np.array(0), dtype="int64")
