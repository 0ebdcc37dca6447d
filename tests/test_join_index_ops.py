"""Joining and indexing ops against NumPy: cat, stack, gather, scatter (tensor and scalar
source, in-place), scatter_add, index_select, masked_fill, masked_select, nonzero
(also as_tuple=True); mixed dtypes, negative dims, 0-d and empty inputs, non-contiguous
inputs and index tensors; bad shapes, dims and dtypes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import _oracle as O
from _oracle import (ALL_DTYPES, FLOATS, INTS, NO_EXPAND, NUMERIC, Domain, assert_close,
                     assert_mentions, compute_np, torch)

side = O.sides(max_side=4)


def _dim(draw, nd, extra=0):
    """A dim for a tensor of rank nd (+extra for stack); 0-d tensors accept 0 and -1."""
    n = max(nd + extra, 1)
    return draw(st.integers(-n, n - 1))


# --------------------------------------------------------------------------------------
# cat / stack
# --------------------------------------------------------------------------------------
def call_join(fn, ts, dim, form, out_shape, res):
    """torch.cat / torch.stack in one of its call forms; `out=` must write into
    the given tensor's storage and return it."""
    if form == "list":
        return fn(ts, dim)
    if form == "tuple_kw":
        return fn(tuple(ts), dim=dim)
    z = O.zeros_out(out_shape, res)
    ptr = z.data_ptr()
    r = fn(ts, dim, out=z)
    assert r is z and O.same_storage(z, ptr)
    return r


@given(data=st.data())
def test_cat(data):
    shape = data.draw(O.shapes(min_dims=1, max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd)
    d = dim % nd
    k = data.draw(st.integers(1, 4), label="num_tensors")
    mixed = data.draw(st.booleans(), label="mixed_dtypes")
    dt0 = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    parts = []
    for i in range(k):
        dt = data.draw(st.sampled_from(ALL_DTYPES)) if mixed else dt0
        shp = list(shape)
        shp[d] = data.draw(side)
        parts.append(data.draw(O.operands(dt, tuple(shp)), label=f"t{i}"))
    res = O.result_type(*parts)
    expected = np.concatenate([compute_np(p.array, res) for p in parts], axis=d)
    form = data.draw(st.sampled_from(["list", "tuple_kw", "out"]), label="form")
    ts = [p.tensor() for p in parts]
    r = call_join(torch.cat, ts, dim, form, expected.shape, res)
    assert_close(r, expected, dtype=res, msg=f"cat dim={dim} {[p.layout for p in parts]}")


@given(data=st.data())
def test_stack(data):
    shape = data.draw(O.shapes(max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd, extra=1)
    k = data.draw(st.integers(1, 4), label="num_tensors")
    mixed = data.draw(st.booleans(), label="mixed_dtypes")
    dt0 = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    parts = [data.draw(O.operands(data.draw(st.sampled_from(ALL_DTYPES)) if mixed else dt0,
                                  shape), label=f"t{i}") for i in range(k)]
    res = O.result_type(*parts)
    expected = np.stack([compute_np(p.array, res) for p in parts], axis=dim % (nd + 1))
    ts = [p.tensor() for p in parts]
    form = data.draw(st.sampled_from(["list", "tuple_kw", "out"]), label="form")
    r = call_join(torch.stack, ts, dim, form, expected.shape, res)
    assert_close(r, expected, dtype=res, msg=f"stack dim={dim} {[p.layout for p in parts]}")


def test_cat_stack_hand_worked():
    a = torch.tensor([[1, 2], [3, 4]])
    b = torch.tensor([[5, 6]])
    assert_close(torch.cat([a, b]), np.array([[1, 2], [3, 4], [5, 6]]), dtype="int64")
    assert_close(torch.cat([a, a.t()], dim=1), np.array([[1, 2, 1, 3], [3, 4, 2, 4]]), dtype="int64")
    assert_close(torch.cat([a, torch.tensor([[0.5, 1.5]])], -2),
                 np.array([[1, 2], [3, 4], [0.5, 1.5]]), dtype="float32")
    assert_close(torch.stack([torch.tensor([1, 2]), torch.tensor([3, 4])], dim=1),
                 np.array([[1, 3], [2, 4]]), dtype="int64")
    assert_close(torch.stack([torch.tensor(1), torch.tensor(2.5)]), np.array([1.0, 2.5]),
                 dtype="float32")
    assert_close(torch.stack([torch.tensor([True]), torch.tensor([2], dtype=torch.int8)], -1),
                 np.array([[1, 2]]), dtype="int8")


def test_cat_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.cat([torch.ones(2, 3), torch.ones(2, 4)])
    assert_mentions(ei, 3, 4)
    with pytest.raises(RuntimeError) as ei:
        torch.cat([torch.ones(2, 3), torch.ones(5, 4)], dim=1)
    assert_mentions(ei, 2, 5)
    with pytest.raises(RuntimeError):
        torch.cat([torch.ones(2, 3), torch.ones(3)])  # different ranks
    with pytest.raises(RuntimeError):
        torch.cat([torch.tensor(1.0), torch.tensor(2.0)])  # 0-d tensors
    with pytest.raises(ValueError):
        torch.cat([])
    with pytest.raises(IndexError):
        torch.cat([torch.ones(2, 3), torch.ones(2, 3)], dim=2)
    with pytest.raises(IndexError):
        torch.cat([torch.ones(2, 3)], dim=-3)
    with pytest.raises(TypeError):
        torch.cat(torch.ones(2), 0.5)


def test_stack_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.stack([torch.ones(2, 3), torch.ones(2, 4)])
    assert_mentions(ei, 3, 4)
    with pytest.raises(RuntimeError):
        torch.stack([])
    with pytest.raises(IndexError):
        torch.stack([torch.ones(2), torch.ones(2)], dim=2)
    with pytest.raises(IndexError):
        torch.stack([torch.ones(2), torch.ones(2)], dim=-3)


# --------------------------------------------------------------------------------------
# gather / scatter / scatter_add
# --------------------------------------------------------------------------------------
def _index_array(draw, shape, hi, dt="int64"):
    """Index values in [0, hi) of the given shape, as an Operand with a drawn layout."""
    arr = draw(O.arrays("int64", shape, Domain(int_lo=0, int_hi=max(hi - 1, 0))))
    return draw(O.with_layout(arr, dt), label="index")


@given(data=st.data())
def test_gather(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd)
    x = data.draw(O.operands(dt, shape), label="x")
    if nd == 0:
        idx = data.draw(O.with_layout(np.array(0, dtype=np.int64)), label="index")
        expected = x.array
    else:
        d = dim % nd
        ishape = [data.draw(side) if i == d else data.draw(st.integers(0, s))
                  for i, s in enumerate(shape)]
        if shape[d] == 0:
            ishape[d] = 0
        idx = _index_array(data.draw, tuple(ishape), shape[d])
        sub = x.array[tuple(slice(None) if i == d else slice(0, ishape[i]) for i in range(nd))]
        expected = np.take_along_axis(sub, idx.array, axis=d)
    form = data.draw(st.sampled_from(["function", "method", "kw"]), label="form")
    if form == "function":
        r = torch.gather(x.tensor(), dim, idx.tensor())
    elif form == "method":
        r = x.tensor().gather(dim, idx.tensor())
    else:
        r = torch.gather(x.tensor(), dim=dim, index=idx.tensor())
    assert_close(r, expected, dtype=dt, msg=f"gather dim={dim} {x.layout} idx {idx.layout}")


def _unique_index(draw, idx_shape, d, size):
    """Index of shape idx_shape whose entries along dim d are distinct values in [0, size)."""
    seed = draw(st.integers(0, 2 ** 32 - 1), label="index_seed")
    rng = np.random.default_rng(seed)
    full = list(idx_shape)
    full[d] = size
    perm = np.argsort(rng.random(full), axis=d)
    take = [slice(None)] * len(idx_shape)
    take[d] = slice(0, idx_shape[d])
    return perm[tuple(take)].astype(np.int64)


def _scatter_np(a, d, idx, src, add=False):
    out = a.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[d] = idx[pos]
        v = src[pos] if np.ndim(src) == idx.ndim else src
        if add:
            out[tuple(tgt)] += v
        else:
            out[tuple(tgt)] = v
    return out


@given(data=st.data())
def test_scatter(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(min_dims=1, max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd)
    d = dim % nd
    ishape = tuple(data.draw(st.integers(0, s)) for s in shape)  # distinct targets: <= size
    idx_arr = _unique_index(data.draw, ishape, d, shape[d])
    idx = data.draw(O.with_layout(idx_arr), label="index")
    form = data.draw(st.sampled_from(["function", "method", "inplace", "value", "value_inplace"]),
                     label="form")
    inplace = form.endswith("inplace")
    x = data.draw(O.operands(dt, shape, layouts=NO_EXPAND if inplace else O.LAYOUTS), label="x")
    a = compute_np(x.array, dt)
    if form.startswith("value"):
        kind = "bool" if dt == "bool" else "int" if O.is_int(dt) else "float"
        src = data.draw(O.scalars(kind, Domain(lo=0, hi=5) if dt == "uint8" else Domain()),
                        label="value")
        expected = _scatter_np(a, d, idx.array, compute_np(src, dt))
        t_src = src
    else:
        sshape = tuple(i + data.draw(st.integers(0, 1)) for i in ishape)
        s_op = data.draw(O.operands(dt, sshape), label="src")
        expected = _scatter_np(a, d, idx.array, compute_np(s_op.array, dt))
        t_src = s_op.tensor()
    t = x.tensor()
    if form == "function":
        r = torch.scatter(t, dim, idx.tensor(), t_src)
    elif form in ("method", "value"):
        r = t.scatter(dim, idx.tensor(), t_src)
    else:
        ptr = t.data_ptr()
        r = t.scatter_(dim, idx.tensor(), t_src)
        assert r is t and O.same_storage(t, ptr)
    assert_close(r, expected, dtype=dt, msg=f"scatter {form} dim={dim} {x.layout} {idx.layout}")
    if not inplace:
        assert_close(t, a, dtype=dt, msg="out-of-place scatter left its input alone")


@given(data=st.data())
def test_scatter_add(data):
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    shape = data.draw(O.shapes(max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd)
    form = data.draw(st.sampled_from(["function", "method", "inplace"]), label="form")
    x = data.draw(O.operands(dt, shape, Domain(lo=-20, hi=20),
                             layouts=NO_EXPAND if form == "inplace" else O.LAYOUTS), label="x")
    if nd == 0:
        idx = data.draw(O.with_layout(np.array(0, dtype=np.int64)), label="index")
        s_op = data.draw(O.operands(dt, (), Domain(lo=-20, hi=20)), label="src")
        d = 0
    else:
        d = dim % nd
        ishape = [data.draw(side) if i == d else data.draw(st.integers(0, s))
                  for i, s in enumerate(shape)]
        if shape[d] == 0:
            ishape[d] = 0
        idx = _index_array(data.draw, tuple(ishape), shape[d])  # duplicates allowed
        sshape = tuple(i + data.draw(st.integers(0, 1)) for i in ishape)
        s_op = data.draw(O.operands(dt, sshape, Domain(lo=-20, hi=20)), label="src")
    acc = "int64" if O.is_int(dt) else "float64"
    a = compute_np(x.array, acc)
    if nd == 0:
        expected = a + compute_np(s_op.array, acc)
    else:
        expected = _scatter_np(a, d, idx.array, compute_np(s_op.array, acc), add=True)
    t = x.tensor()
    if form == "function":
        r = torch.scatter_add(t, dim, idx.tensor(), s_op.tensor())
    elif form == "method":
        r = t.scatter_add(dim, idx.tensor(), s_op.tensor())
    else:
        ptr = t.data_ptr()
        r = t.scatter_add_(dim, idx.tensor(), s_op.tensor())
        assert r is t and O.same_storage(t, ptr)
    rtol = atol = None
    if O.is_float(dt):
        # accumulation may round once per added element in the tensor's own dtype
        rtol, atol = O.TOL[dt]
        atol += 2 * O.EPS[dt] * (float(np.abs(compute_np(s_op.array, acc)).sum()) + 20)
    assert_close(r, expected, dtype=dt, rtol=rtol, atol=atol,
                 msg=f"scatter_add {form} dim={dim} {x.layout} {idx.layout}")


def test_gather_scatter_hand_worked():
    src = torch.tensor([[1, 2], [3, 4]])
    assert_close(torch.gather(src, 1, torch.tensor([[0, 0], [1, 0]])),
                 np.array([[1, 1], [4, 3]]), dtype="int64")
    assert_close(torch.gather(src, 0, torch.tensor([[1, 0]])), np.array([[3, 2]]), dtype="int64")
    z = torch.zeros(3, 4)
    r = z.scatter(0, torch.tensor([[0, 1, 2, 0]]), torch.arange(1.0, 11.0).reshape(2, 5))
    assert_close(r, np.array([[1, 0, 0, 4], [0, 2, 0, 0], [0, 0, 3, 0]], dtype=np.float64),
                 dtype="float32")
    r = torch.zeros(2, 4).scatter(1, torch.tensor([[2], [3]]), 1.23)
    assert_close(r, np.array([[0, 0, 1.23, 0], [0, 0, 0, 1.23]]), dtype="float32")
    r = torch.zeros(5).scatter_add(0, torch.tensor([0, 1, 0, 4, 0]), torch.ones(5))
    assert_close(r, np.array([3.0, 1.0, 0.0, 0.0, 1.0]), dtype="float32")


def test_gather_errors():
    x = torch.ones(3, 4)
    with pytest.raises(RuntimeError) as ei:
        torch.gather(x, 0, torch.tensor([[0, 5]]))
    assert_mentions(ei, 5, 3)
    with pytest.raises(RuntimeError):
        torch.gather(x, 1, torch.tensor([[-1]]))
    with pytest.raises(RuntimeError):
        torch.gather(x, 0, torch.tensor([[0.0]]))  # float index
    with pytest.raises(RuntimeError):
        torch.gather(x, 0, torch.tensor([0, 1]))  # rank mismatch
    with pytest.raises(RuntimeError):
        torch.gather(x, 1, torch.zeros(5, 1, dtype=torch.int64))  # index bigger than input
    with pytest.raises(IndexError):
        torch.gather(x, 2, torch.zeros(1, 1, dtype=torch.int64))


def test_scatter_errors():
    x = torch.zeros(3, 4)
    idx = torch.tensor([[0, 1]])
    with pytest.raises(RuntimeError):
        x.scatter(0, idx, torch.ones(1, 2, dtype=torch.float64))  # src dtype differs
    with pytest.raises(RuntimeError) as ei:
        x.scatter(0, torch.tensor([[7]]), torch.ones(1, 1))
    assert_mentions(ei, 7)
    with pytest.raises(RuntimeError) as ei:
        x.clone().scatter_(0, torch.tensor([[7]]), 1.0)
    assert_mentions(ei, 7)
    with pytest.raises(RuntimeError):
        x.scatter(0, torch.tensor([[0.0]]), torch.ones(1, 1))  # float index
    with pytest.raises(RuntimeError):
        x.scatter(0, idx, torch.ones(1, 1))  # index larger than src
    with pytest.raises(RuntimeError):
        x.scatter(0, torch.tensor([0]), torch.ones(1))  # rank mismatch
    with pytest.raises(IndexError):
        x.scatter(2, idx, torch.ones(1, 2))


def test_scatter_add_errors():
    x = torch.zeros(3)
    with pytest.raises(RuntimeError) as ei:
        x.scatter_add(0, torch.tensor([5]), torch.ones(1))
    assert_mentions(ei, 5)
    with pytest.raises(RuntimeError):
        x.scatter_add(0, torch.tensor([0]), torch.ones(1, dtype=torch.float64))
    with pytest.raises(IndexError):
        x.scatter_add(1, torch.tensor([0]), torch.ones(1))


# --------------------------------------------------------------------------------------
# index_select
# --------------------------------------------------------------------------------------
@given(data=st.data())
def test_index_select(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(max_dims=3), label="shape")
    nd = len(shape)
    dim = _dim(data.draw, nd)
    size = shape[dim % nd] if nd else 1
    idx_dt = data.draw(st.sampled_from(["int64", "int32"]), label="index_dtype")
    zero_d_index = size > 0 and data.draw(st.booleans(), label="0-d index")
    # a 0-d input takes exactly one index (0)
    n = 0 if size == 0 else 1 if nd == 0 else data.draw(st.integers(0, 5), label="index_len")
    idx_arr = data.draw(O.arrays("int64", () if zero_d_index else (n,),
                                 Domain(int_lo=0, int_hi=max(size - 1, 0))))
    idx = data.draw(O.with_layout(idx_arr, idx_dt), label="index")
    x = data.draw(O.operands(dt, shape), label="x")
    if nd == 0:
        expected = x.array
    else:
        expected = np.take(x.array, idx_arr.reshape(-1), axis=dim % nd)
    form = data.draw(st.sampled_from(["function", "method", "out"]), label="form")
    if form == "function":
        r = torch.index_select(x.tensor(), dim, idx.tensor())
    elif form == "method":
        r = x.tensor().index_select(dim, idx.tensor())
    else:
        z = O.zeros_out(np.shape(expected), dt)
        ptr = z.data_ptr()
        r = torch.index_select(x.tensor(), dim, idx.tensor(), out=z)
        assert r is z and O.same_storage(z, ptr)
    assert_close(r, expected, dtype=dt, msg=f"index_select dim={dim} {x.layout} {idx.layout}")


def test_index_select_errors():
    x = torch.ones(3, 4)
    with pytest.raises(IndexError):
        torch.index_select(x, 0, torch.tensor([5]))
    with pytest.raises(IndexError):
        torch.index_select(x, 0, torch.tensor([-1]))
    with pytest.raises((IndexError, RuntimeError)):  # PyTorch's error type varies by path
        torch.index_select(x, 1, torch.tensor([4]))
    with pytest.raises(IndexError):
        torch.index_select(x, 0, torch.tensor([[0]]))  # index must be a vector
    with pytest.raises(RuntimeError):
        torch.index_select(x, 0, torch.tensor([0.0]))
    with pytest.raises(IndexError):
        torch.index_select(x, 2, torch.tensor([0]))


# --------------------------------------------------------------------------------------
# masked_fill / masked_select
# --------------------------------------------------------------------------------------
def _fill_value(draw, dt):
    kind = "bool" if dt == "bool" else "int" if O.is_int(dt) else draw(
        st.sampled_from(["int", "float"]))
    v = draw(O.scalars(kind, Domain(lo=0, hi=5) if dt == "uint8" else Domain()), label="value")
    as_tensor = draw(st.booleans(), label="value_is_0d_tensor")
    if as_tensor:
        return v, O.to_tensor(O.cast_np(v, dt), dt)
    return v, v


@given(data=st.data())
def test_masked_fill(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    form = data.draw(st.sampled_from(["function", "method", "inplace"]), label="form")
    full = (0,) if form == "inplace" else ()
    (sx, sm), out_shape = data.draw(O.broadcast_shapes(2, full=full), label="shapes")
    x = data.draw(O.operands(dt, sx, layouts=NO_EXPAND if form == "inplace" else O.LAYOUTS),
                  label="x")
    m = data.draw(O.operands("bool", sm), label="mask")
    v, tv = _fill_value(data.draw, dt)
    expected = np.where(m.array, O.cast_np(v, dt), x.array)
    t = x.tensor()
    if form == "function":
        r = torch.masked_fill(t, m.tensor(), tv)
    elif form == "method":
        r = t.masked_fill(m.tensor(), tv)
    else:
        ptr = t.data_ptr()
        r = t.masked_fill_(m.tensor(), tv)
        assert r is t and O.same_storage(t, ptr)
    assert_close(r, np.broadcast_to(expected, out_shape), dtype=dt,
                 msg=f"masked_fill {form} {x.layout} {m.layout}")


@given(data=st.data())
def test_masked_select(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    (sx, sm), out_shape = data.draw(O.broadcast_shapes(2), label="shapes")
    x = data.draw(O.operands(dt, sx), label="x")
    m = data.draw(O.operands("bool", sm), label="mask")
    expected = np.broadcast_to(x.array, out_shape)[np.broadcast_to(m.array, out_shape)]
    if data.draw(st.booleans(), label="function_form"):
        r = torch.masked_select(x.tensor(), m.tensor())
    else:
        r = x.tensor().masked_select(m.tensor())
    assert_close(r, expected.reshape(-1), dtype=dt, msg=f"masked_select {x.layout} {m.layout}")


def test_masked_hand_worked():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    m = torch.tensor([[True, False], [False, True]])
    assert_close(x.masked_fill(m, -1.0), np.array([[-1.0, 2.0], [3.0, -1.0]]), dtype="float32")
    assert_close(x.masked_fill(torch.tensor([False, True]), torch.tensor(9.0)),
                 np.array([[1.0, 9.0], [3.0, 9.0]]), dtype="float32")
    # the out-of-place form broadcasts self against the mask
    assert_close(torch.tensor(5.0).masked_fill(torch.tensor([True, False]), 1.0),
                 np.array([1.0, 5.0]), dtype="float32")
    assert_close(torch.tensor([[1, 2]]).masked_fill(torch.tensor([[True], [False]]), 0),
                 np.array([[0, 0], [1, 2]]), dtype="int64")
    assert_close(torch.masked_select(x, m), np.array([1.0, 4.0]), dtype="float32")
    assert_close(torch.masked_select(x, torch.tensor([True, False])), np.array([1.0, 3.0]),
                 dtype="float32")
    assert_close(torch.masked_select(torch.tensor(3.0), torch.tensor(True)), np.array([3.0]),
                 dtype="float32")


def test_masked_fill_errors():
    x = torch.ones(2, 3)
    with pytest.raises(RuntimeError):
        x.masked_fill(torch.tensor([1, 0, 1]), 0.0)  # mask must be bool
    with pytest.raises(RuntimeError) as ei:
        x.masked_fill(torch.tensor([True, False, True, False]), 0.0)
    assert_mentions(ei, 3, 4)
    with pytest.raises(RuntimeError):
        torch.ones(3).masked_fill_(torch.ones(2, 3, dtype=torch.bool), 0.0)  # cannot grow self
    with pytest.raises(RuntimeError):
        x.masked_fill(torch.ones(3, dtype=torch.bool), torch.tensor([1.0]))  # value must be 0-d


def test_masked_select_errors():
    x = torch.ones(2, 3)
    with pytest.raises(RuntimeError):
        torch.masked_select(x, torch.tensor([1, 0, 1]))
    with pytest.raises(RuntimeError) as ei:
        torch.masked_select(x, torch.tensor([True, False, True, False]))
    assert_mentions(ei, 3, 4)


# --------------------------------------------------------------------------------------
# nonzero
# --------------------------------------------------------------------------------------
@given(data=st.data())
def test_nonzero(data):
    dt = data.draw(st.sampled_from(ALL_DTYPES), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    x = data.draw(O.operands(dt, shape, Domain(lo=-2, hi=2, special=True, dyadic=True)),
                  label="x")
    nz = x.array != 0  # NaN counts as nonzero
    form = data.draw(st.sampled_from(["function", "method", "as_tuple", "method_as_tuple"]),
                     label="form")
    t = x.tensor()
    if form in ("function", "method"):
        r = torch.nonzero(t) if form == "function" else t.nonzero()
        assert_close(r, np.argwhere(nz), dtype="int64",
                     msg=f"nonzero {x.layout}")
    else:
        r = torch.nonzero(t, as_tuple=True) if form == "as_tuple" else t.nonzero(as_tuple=True)
        expected = np.nonzero(np.atleast_1d(nz))
        assert isinstance(r, tuple)
        assert_close(r, list(expected), dtype="int64", msg=f"nonzero(as_tuple) {x.layout}")


def test_nonzero_hand_worked():
    r = torch.nonzero(torch.tensor([[1, 0], [0, 2]]))
    assert_close(r, np.array([[0, 0], [1, 1]]), dtype="int64")
    rows, cols = torch.tensor([[0.0, 3.0], [float("nan"), 0.0]]).nonzero(as_tuple=True)
    assert_close(rows, np.array([0, 1]), dtype="int64")
    assert_close(cols, np.array([1, 0]), dtype="int64")
    assert_close(torch.nonzero(torch.tensor(5)), np.zeros((1, 0), dtype=np.int64), dtype="int64")
    (only,) = torch.nonzero(torch.tensor(5), as_tuple=True)
    assert_close(only, np.array([0]), dtype="int64")
    assert_close(torch.nonzero(torch.zeros(2, 0)), np.zeros((0, 2), dtype=np.int64), dtype="int64")


def test_nonzero_rejects_non_tensor():
    with pytest.raises(TypeError):
        torch.nonzero([1, 0, 1])
