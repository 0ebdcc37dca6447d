"""Linear algebra against NumPy: matmul / @ (1-d, 2-d, batched with batch broadcasting),
mm, bmm, mv, dot, outer; function, method, operator and out= forms; every dtype they
support on CPU; non-contiguous (e.g. transposed) operands; empty inner/outer dims; shape
and dtype errors."""
from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import _oracle as O
from _oracle import (ALL_DTYPES, FLOATS, INTS, NUMERIC, Domain, assert_close, assert_mentions,
                     compute_np, torch)

VALS = Domain(lo=-4, hi=4, int_lo=-4, int_hi=4)
side = O.sides(max_side=5)


def mm_expected(a, b, dt):
    """NumPy matmul computed exactly (float64 / int64), cast back by assert_close."""
    if O.is_float(dt):
        return np.matmul(compute_np(a, dt), compute_np(b, dt))
    return np.matmul(a.astype(np.int64), b.astype(np.int64))  # wraps like the C kernels


def mm_tol(dt, a, b, k):
    if not O.is_float(dt):
        return None, None
    r0, a0 = O.TOL[dt]
    sa = float(np.abs(a).max()) if a.size else 0.0
    sb = float(np.abs(b).max()) if b.size else 0.0
    return r0, a0 + 4 * O.ACC_EPS[dt] * max(k, 1) * sa * sb


@st.composite
def matmul_case(draw):
    """Operand shapes for torch.matmul covering every rank combination."""
    kind = draw(st.sampled_from(["1d@1d", "2d@1d", "1d@2d", "2d@2d", "nd@nd", "nd@1d", "1d@nd",
                                 "nd@2d", "2d@nd"]))
    n, k, m = draw(side), draw(side), draw(side)
    (ba, bb), _ = draw(O.broadcast_shapes(2, min_dims=1, max_dims=3, max_side=3))
    ba, bb = tuple(ba) or (1,), tuple(bb) or (1,)  # batch dims broadcast, possibly with 1s
    a_shape = {"1": (k,), "2": (n, k), "n": ba + (n, k)}[kind[0]]
    b_shape = {"1": (k,), "2": (k, m), "n": bb + (k, m)}[kind[3]]
    return kind, a_shape, b_shape


@given(data=st.data())
def test_matmul(data):
    kind, sa, sb = data.draw(matmul_case(), label="case")
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    a = data.draw(O.operands(dt, sa, VALS), label="a")
    b = data.draw(O.operands(dt, sb, VALS), label="b")
    form = data.draw(st.sampled_from(["function", "method", "operator"]), label="form")
    fn = {"function": torch.matmul, "method": lambda x, y: x.matmul(y),
          "operator": operator.matmul}[form]
    r = fn(a.tensor(), b.tensor())
    rtol, atol = mm_tol(dt, a.array, b.array, sa[-1])
    assert_close(r, mm_expected(a.array, b.array, dt), dtype=dt, rtol=rtol, atol=atol,
                 msg=f"matmul {kind} {form} {a.layout} {b.layout}")


@given(data=st.data())
def test_matmul_out(data):
    kind, sa, sb = data.draw(matmul_case(), label="case")
    dt = data.draw(st.sampled_from(["float32", "float64", "int64"]), label="dtype")
    a = data.draw(O.operands(dt, sa, VALS), label="a")
    b = data.draw(O.operands(dt, sb, VALS), label="b")
    expected = mm_expected(a.array, b.array, dt)
    z = O.zeros_out(expected.shape, dt)
    ptr = z.data_ptr()
    r = torch.matmul(a.tensor(), b.tensor(), out=z)
    assert r is z and O.same_storage(z, ptr)
    rtol, atol = mm_tol(dt, a.array, b.array, sa[-1])
    assert_close(z, expected, dtype=dt, rtol=rtol, atol=atol, msg=f"matmul out= {kind}")


@given(data=st.data())
def test_mm(data):
    n, k, m = data.draw(side), data.draw(side), data.draw(side)
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    a = data.draw(O.operands(dt, (n, k), VALS), label="a")
    b = data.draw(O.operands(dt, (k, m), VALS), label="b")
    form = data.draw(st.sampled_from(["function", "method", "out"]), label="form")
    expected = mm_expected(a.array, b.array, dt)
    if form == "function":
        r = torch.mm(a.tensor(), b.tensor())
    elif form == "method":
        r = a.tensor().mm(b.tensor())
    else:
        z = O.zeros_out((n, m), dt)
        ptr = z.data_ptr()
        r = torch.mm(a.tensor(), b.tensor(), out=z)
        assert r is z and O.same_storage(z, ptr)
    rtol, atol = mm_tol(dt, a.array, b.array, k)
    assert_close(r, expected, dtype=dt, rtol=rtol, atol=atol, msg=f"mm {form} {a.layout} {b.layout}")


@given(data=st.data())
def test_bmm(data):
    bsz, n, k, m = (data.draw(side) for _ in range(4))
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    a = data.draw(O.operands(dt, (bsz, n, k), VALS), label="a")
    b = data.draw(O.operands(dt, (bsz, k, m), VALS), label="b")
    r = torch.bmm(a.tensor(), b.tensor()) if data.draw(st.booleans()) else a.tensor().bmm(b.tensor())
    rtol, atol = mm_tol(dt, a.array, b.array, k)
    assert_close(r, mm_expected(a.array, b.array, dt), dtype=dt, rtol=rtol, atol=atol,
                 msg=f"bmm {a.layout} {b.layout}")


@given(data=st.data())
def test_mv(data):
    n, k = data.draw(side), data.draw(side)
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    a = data.draw(O.operands(dt, (n, k), VALS), label="mat")
    v = data.draw(O.operands(dt, (k,), VALS), label="vec")
    r = torch.mv(a.tensor(), v.tensor()) if data.draw(st.booleans()) else a.tensor().mv(v.tensor())
    rtol, atol = mm_tol(dt, a.array, v.array, k)
    assert_close(r, mm_expected(a.array, v.array, dt), dtype=dt, rtol=rtol, atol=atol,
                 msg=f"mv {a.layout} {v.layout}")


@given(data=st.data())
def test_dot(data):
    k = data.draw(side)
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    a = data.draw(O.operands(dt, (k,), VALS), label="a")
    b = data.draw(O.operands(dt, (k,), VALS), label="b")
    r = torch.dot(a.tensor(), b.tensor()) if data.draw(st.booleans()) else a.tensor().dot(b.tensor())
    rtol, atol = mm_tol(dt, a.array, b.array, k)
    assert_close(r, mm_expected(a.array, b.array, dt), dtype=dt, rtol=rtol, atol=atol,
                 msg=f"dot {a.layout} {b.layout}")


@given(data=st.data())
def test_outer(data):
    n, m = data.draw(side), data.draw(side)
    da = data.draw(st.sampled_from(ALL_DTYPES), label="dtype_a")
    db = data.draw(st.sampled_from(ALL_DTYPES), label="dtype_b")
    a = data.draw(O.operands(da, (n,), VALS), label="a")
    b = data.draw(O.operands(db, (m,), VALS), label="b")
    res = O.promote_types(da, db)  # outer is an elementwise product: it promotes
    form = data.draw(st.sampled_from(["function", "method", "out"]), label="form")
    if form == "function":
        r = torch.outer(a.tensor(), b.tensor())
    elif form == "method":
        r = a.tensor().outer(b.tensor())
    else:
        z = O.zeros_out((n, m), res)
        ptr = z.data_ptr()
        r = torch.outer(a.tensor(), b.tensor(), out=z)
        assert r is z and O.same_storage(z, ptr)
    expected = np.multiply.outer(compute_np(a.array, res), compute_np(b.array, res))
    assert_close(r, expected, dtype=res, msg=f"outer {form} {a.layout} {b.layout}")


# --------------------------------------------------------------------------------------
# hand-worked cases
# --------------------------------------------------------------------------------------
def T(v, dt=None):
    return torch.tensor(v, dtype=O.tdt(dt)) if dt else torch.tensor(v)


def test_hand_worked_products():
    A = T([[1.0, 2.0], [3.0, 4.0]])
    v = T([1.0, -1.0])
    assert_close(A @ A, np.array([[7.0, 10.0], [15.0, 22.0]]), dtype="float32")
    assert_close(A @ v, np.array([-1.0, -1.0]), dtype="float32")
    assert_close(v @ A, np.array([-2.0, -2.0]), dtype="float32")
    assert_close(v @ v, np.array(2.0), dtype="float32")
    assert_close(torch.dot(T([1, 2, 3]), T([4, 5, 6])), np.array(32), dtype="int64")
    assert_close(torch.outer(T([1, 2]), T([3, 4, 5])), np.array([[3, 4, 5], [6, 8, 10]]),
                 dtype="int64")
    assert_close(torch.mv(A, v), np.array([-1.0, -1.0]), dtype="float32")
    assert_close(A.t() @ A, np.array([[10.0, 14.0], [14.0, 20.0]]), dtype="float32")
    batch = torch.stack([A, A + 1])
    assert_close(torch.bmm(batch, batch),
                 np.array([[[7.0, 10.0], [15.0, 22.0]], [[16.0, 21.0], [28.0, 37.0]]]),
                 dtype="float32")
    # (2,1,2,2) @ (3,2,1) broadcasts the batch dims to (2,3)
    r = torch.ones(2, 1, 2, 2) @ torch.ones(3, 2, 1)
    assert_close(r, np.full((2, 3, 2, 1), 2.0), dtype="float32")
    # empty inner dimension gives zeros, empty outer dimension gives an empty result
    assert_close(torch.ones(2, 0) @ torch.ones(0, 3), np.zeros((2, 3)), dtype="float32")
    assert_close(torch.ones(0, 4) @ torch.ones(4, 3), np.zeros((0, 3)), dtype="float32")
    # integer products wrap like C
    assert_close(torch.mm(T([[100]], "int8"), T([[2]], "int8")), np.array([[-56]]), dtype="int8")


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def test_matmul_shape_errors_mention_shapes():
    with pytest.raises(RuntimeError) as ei:
        torch.matmul(torch.ones(2, 3), torch.ones(7, 5))
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError) as ei:
        torch.ones(2, 3) @ torch.ones(7)
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError) as ei:
        torch.ones(3) @ torch.ones(7)
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError) as ei:
        torch.ones(3) @ torch.ones(7, 2)
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError) as ei:  # batch dims 4 vs 6 do not broadcast
        torch.matmul(torch.ones(4, 2, 3), torch.ones(6, 3, 5))
    assert_mentions(ei, 4, 6)


def test_matmul_zero_dim_raises():
    with pytest.raises(RuntimeError):
        torch.matmul(torch.tensor(2.0), torch.ones(3))
    with pytest.raises(RuntimeError):
        torch.ones(3) @ torch.tensor(2.0)


def test_mm_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.mm(torch.ones(2, 3), torch.ones(7, 5))
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError):
        torch.mm(torch.ones(3), torch.ones(3, 5))  # self must be a matrix
    with pytest.raises(RuntimeError):
        torch.mm(torch.ones(2, 3), torch.ones(3))
    with pytest.raises(RuntimeError):
        torch.mm(torch.ones(2, 2, 3), torch.ones(3, 4))


def test_bmm_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.bmm(torch.ones(2, 4, 3), torch.ones(2, 7, 5))
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError) as ei:  # no broadcasting of the batch dim
        torch.bmm(torch.ones(2, 4, 3), torch.ones(5, 3, 6))
    assert_mentions(ei, 2, 5)
    with pytest.raises(RuntimeError):
        torch.bmm(torch.ones(4, 3), torch.ones(3, 4))  # must be 3-d


def test_mv_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.mv(torch.ones(2, 3), torch.ones(7))
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError):
        torch.mv(torch.ones(3), torch.ones(3))
    with pytest.raises(RuntimeError):
        torch.mv(torch.ones(2, 3), torch.ones(3, 1))


def test_dot_errors():
    with pytest.raises(RuntimeError) as ei:
        torch.dot(torch.ones(3), torch.ones(7))
    assert_mentions(ei, 3, 7)
    with pytest.raises(RuntimeError):
        torch.dot(torch.ones(3, 1), torch.ones(3, 1))  # 1-d only


def test_outer_errors():
    with pytest.raises(RuntimeError):
        torch.outer(torch.ones(3, 1), torch.ones(3))
    with pytest.raises(RuntimeError):
        torch.outer(torch.ones(3), torch.ones(()))


@pytest.mark.parametrize("name,shapes", [
    ("matmul", ((2, 3), (3, 4))), ("mm", ((2, 3), (3, 4))), ("bmm", ((2, 2, 3), (2, 3, 4))),
    ("mv", ((2, 3), (3,))), ("dot", ((3,), (3,))),
])
def test_mixed_dtypes_raise(name, shapes):
    """No type promotion in matrix products: operands must share a dtype."""
    a = torch.ones(shapes[0])
    b = torch.ones(shapes[1], dtype=torch.float64)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(a, b)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.ones(shapes[0], dtype=torch.int64), torch.ones(shapes[1]))


@pytest.mark.parametrize("name,shapes", [
    ("matmul", ((2, 3), (3, 4))), ("mm", ((2, 3), (3, 4))), ("bmm", ((2, 2, 3), (2, 3, 4))),
    ("mv", ((2, 3), (3,))), ("dot", ((3,), (3,))),
])
def test_bool_products_raise(name, shapes):
    a = torch.ones(shapes[0], dtype=torch.bool)
    b = torch.ones(shapes[1], dtype=torch.bool)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(a, b)


@pytest.mark.parametrize("name", ["matmul", "mm", "bmm", "mv", "dot", "outer"])
def test_non_tensor_argument_raises_type_error(name):
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.ones(2, 2), "abc")


# --- the f32 kernels (NOTE [Own sgemm]) at their tile, slice and thread edges ---

KERNEL_SIDES = st.sampled_from([1, 2, 7, 11, 12, 13, 16, 17, 31, 32, 33, 65, 97, 130, 257])


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    old = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(old)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the thread count holds for every example
@given(data=st.data())
def test_float32_kernel_edges(data, threads):
    """Sizes around the 12×32 / 6×16 tiles, the 256-deep k slices and the thread
    splits, on strided, transposed and reversed operands."""
    n, k, m = data.draw(KERNEL_SIDES, "n"), data.draw(KERNEL_SIDES, "k"), data.draw(KERNEL_SIDES, "m")
    a = data.draw(O.operands("float32", (n, k), VALS), label="a")
    b = data.draw(O.operands("float32", (k, m), VALS), label="b")
    r = a.tensor() @ b.tensor()
    rtol, atol = mm_tol("float32", a.array, b.array, k)
    assert_close(r, mm_expected(a.array, b.array, "float32"), dtype="float32", rtol=rtol, atol=atol,
                 msg=f"{n}x{k}x{m} {a.layout} {b.layout} threads={threads}")


@pytest.mark.parametrize("layout", ["contiguous", "a.T", "b.T", "flipped"])
def test_float32_big_products_pack(layout, threads):
    """At least 256 in every dimension: both operands are packed into panels."""
    g = np.random.default_rng(7)
    an = g.standard_normal((300, 270)).astype(np.float32)
    bn = g.standard_normal((270, 260)).astype(np.float32)
    if layout == "a.T":
        a = torch.tensor(np.ascontiguousarray(an.T)).t()
        b = torch.tensor(bn)
    elif layout == "b.T":
        a, b = torch.tensor(an), torch.tensor(np.ascontiguousarray(bn.T)).t()
    elif layout == "flipped":
        a = torch.tensor(an[::-1].copy()).flip(0)
        b = torch.tensor(bn[:, ::-1].copy()).flip(1)
    else:
        a, b = torch.tensor(an), torch.tensor(bn)
    want = an.astype(np.float64) @ bn.astype(np.float64)
    np.testing.assert_allclose((a @ b).numpy(), want, rtol=1e-4, atol=1e-3)


def test_batched_small_products_split_over_threads(threads):
    """Many products below the split threshold run one per thread."""
    g = np.random.default_rng(3)
    an = g.standard_normal((37, 9, 20)).astype(np.float32)
    bn = g.standard_normal((20, 11)).astype(np.float32)
    want = an.astype(np.float64) @ bn.astype(np.float64)
    np.testing.assert_allclose((torch.tensor(an) @ torch.tensor(bn)).numpy(), want, rtol=1e-5, atol=1e-4)
    # float64 goes through the gemm crate, split by rows.
    big = g.standard_normal((200, 150))
    np.testing.assert_allclose((torch.tensor(big) @ torch.tensor(big.T)).numpy(), big @ big.T, rtol=1e-12,
                               atol=1e-10)


def test_concurrent_products_from_python_threads():
    """Python threads release the GIL in big products; a busy pool makes the
    second caller run alone, and every result is still right."""
    from concurrent.futures import ThreadPoolExecutor
    g = np.random.default_rng(11)
    pairs = [(g.standard_normal((200, 180)).astype(np.float32), g.standard_normal((180, 190)).astype(np.float32))
             for _ in range(8)]

    def run(pair):
        a, b = pair
        return [(torch.tensor(a) @ torch.tensor(b)).numpy() for _ in range(5)]

    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(run, pairs))
    for (a, b), got in zip(pairs, results):
        want = a.astype(np.float64) @ b.astype(np.float64)
        for r in got:
            np.testing.assert_allclose(r, want, rtol=1e-4, atol=1e-3)


_OTHER_PATHS_SCRIPT = r"""
import numpy as np, rtensor as torch
g = np.random.default_rng(1)
for threads in (1, 2):
    torch.set_num_threads(threads)
    for m, k, n in [(1, 1, 1), (13, 257, 33), (97, 256, 10), (64, 9, 300), (260, 270, 300)]:
        a, b = g.standard_normal((m, k)).astype(np.float32), g.standard_normal((k, n)).astype(np.float32)
        want = a.astype(np.float64) @ b.astype(np.float64)
        for ta, tb in [(torch.tensor(a), torch.tensor(b)),
                       (torch.tensor(np.ascontiguousarray(a.T)).t(), torch.tensor(np.ascontiguousarray(b.T)).t()),
                       (torch.tensor(a[::-1].copy()).flip(0), torch.tensor(b[:, ::-1].copy()).flip(1))]:
            np.testing.assert_allclose((ta @ tb).numpy(), want, rtol=1e-4, atol=1e-3 * np.sqrt(k))
print("ok")
"""


@pytest.mark.parametrize("path", ["avx2", "off"])
def test_float32_products_on_other_cpus_paths(path):
    """RTENSOR_SGEMM picks the kernel an AVX2-only CPU uses, or the gemm crate
    (any other CPU): both must agree with NumPy too."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, RTENSOR_SGEMM=path)
    r = subprocess.run([sys.executable, "-c", _OTHER_PATHS_SCRIPT], env=env, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
