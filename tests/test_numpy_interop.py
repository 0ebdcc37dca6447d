"""NumPy interop: Tensor.numpy(), rtensor.from_numpy, rtensor.tensor(ndarray), np.asarray(tensor).

numpy() and from_numpy share memory for every strided layout, negative strides
included (rtensor accepts what PyTorch rejects, pytorch/pytorch#92680), and each
side keeps the other's memory alive.
"""

import gc
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import rtensor as torch

SUPPORTED = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def values(t, dtype=None):
    return np.array(t.tolist(), dtype=dtype).reshape(tuple(t.shape))


def np_base(dtype, shape=(6, 8)):
    n = int(np.prod(shape))
    if dtype == "bool":
        return (np.arange(n) % 3 == 0).reshape(shape)
    return (np.arange(n) % 100).astype(dtype).reshape(shape)


def marker(dtype, k=1):
    if dtype == "bool":
        return bool(k % 2)
    return {"uint8": 200, "int8": -100}.get(dtype, -7 * k)


def addr(a):
    return a.__array_interface__["data"][0]


# A layout is (rtensor transform, numpy transform) applied to the same base.
LAYOUTS = {
    "contiguous": (lambda t: t, lambda a: a),
    "transposed": (lambda t: t.t(), lambda a: a.T),
    "stepped": (lambda t: t[::2, 1::3], lambda a: a[::2, 1::3]),
    "offset": (lambda t: t[1:, 2:], lambda a: a[1:, 2:]),
    "negative": (lambda t: t[::-1, ::-2], lambda a: a[::-1, ::-2]),
    "flipped": (lambda t: t.flip(1), lambda a: a[:, ::-1]),
    "column": (lambda t: t[:, 3], lambda a: a[:, 3]),
    "scalar": (lambda t: t[2, 5], lambda a: a[2, 5, ...]),
    "expanded": (lambda t: t[1:2].expand(3, -1), lambda a: np.broadcast_to(a[1:2], (3, a.shape[1]))),
    "permuted3d": (lambda t: t.view(2, 3, 8).permute(2, 0, 1)[::3],
                   lambda a: a.reshape(2, 3, 8).transpose(2, 0, 1)[::3]),
}


# --------------------------------------------------------------------------- Tensor.numpy()


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("dtype", SUPPORTED)
def test_numpy_shares_memory_for_any_layout(layout, dtype):
    tf, nf = LAYOUTS[layout]
    base_a = np_base(dtype)
    base_t = torch.tensor(base_a)
    t, expected = tf(base_t), nf(base_a)
    arr = t.numpy()
    assert isinstance(arr, np.ndarray)
    assert arr.dtype == np.dtype(dtype)
    assert arr.shape == expected.shape
    np.testing.assert_array_equal(arr, expected)
    for d, n in enumerate(arr.shape):
        if n > 1:
            assert arr.strides[d] == t.stride()[d] * arr.itemsize == expected.strides[d]
    assert addr(arr) == t.data_ptr()
    assert addr(arr) - addr(base_t.numpy()) == addr(expected) - addr(base_a)
    assert np.shares_memory(arr, base_t.numpy())

    idx = tuple(n - 1 for n in arr.shape)
    # tensor -> array
    t[idx] = marker(dtype, 1)
    assert arr[idx] == marker(dtype, 1)
    if layout != "expanded":
        # array -> tensor and base
        arr[(0,) * arr.ndim] = marker(dtype, 2)
        assert t[(0,) * arr.ndim].item() == marker(dtype, 2)
        base_a_after = base_a.copy()
        nf(base_a_after)[idx] = marker(dtype, 1)
        nf(base_a_after)[(0,) * arr.ndim] = marker(dtype, 2)
        np.testing.assert_array_equal(values(base_t, np.dtype(dtype)), base_a_after)


def test_numpy_of_expanded_sees_base_writes():
    b = torch.tensor([1.0, 2.0, 3.0])
    arr = b.expand(4, 3).numpy()
    assert arr.shape == (4, 3) and arr.strides == (0, 4)
    b[1] = 20.0
    np.testing.assert_array_equal(arr, np.broadcast_to(np.array([1.0, 20.0, 3.0], dtype=np.float32), (4, 3)))


def test_numpy_dtype_mapping():
    for name in SUPPORTED:
        assert torch.zeros(2, dtype=getattr(torch, name)).numpy().dtype == np.dtype(name)


def test_numpy_bfloat16_raises():
    with pytest.raises(TypeError):
        torch.zeros(2, dtype=torch.bfloat16).numpy()


def test_numpy_zero_dim_and_empty():
    a = torch.tensor(2.5).numpy()
    assert isinstance(a, np.ndarray) and a.shape == () and a.dtype == np.float32 and a[()] == 2.5
    e = torch.zeros(2, 0, 3).numpy()
    assert e.shape == (2, 0, 3)


def test_numpy_array_keeps_storage_alive():
    t = torch.arange(1000, dtype=torch.float64)
    arr = t.numpy()
    view_arr = t[10:].view(5, 198)[::2, ::-1].numpy()
    del t
    gc.collect()
    junk = [torch.full((1000,), -1.0, dtype=torch.float64) for _ in range(20)]
    np.testing.assert_array_equal(arr, np.arange(1000, dtype=np.float64))
    np.testing.assert_array_equal(view_arr, np.arange(10, 1000, dtype=np.float64).reshape(5, 198)[::2, ::-1])
    arr += 1
    assert arr[0] == 1.0 and view_arr[0, -1] == 11.0
    del junk


def test_numpy_survives_tensor_of_view_deleted():
    base = torch.zeros(4, 4)
    v = base[1:, ::2]
    arr = v.numpy()
    del base, v
    gc.collect()
    arr[...] = 3.0
    np.testing.assert_array_equal(arr, np.full((3, 2), 3.0, dtype=np.float32))


def test_numpy_requires_grad_raises():
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        t.numpy()
    d = t.detach()
    arr = d.numpy()
    assert addr(arr) == t.data_ptr()
    arr[0] = 5.0
    assert t.detach()[0].item() == 5.0


def test_inplace_ops_show_in_numpy():
    t = torch.zeros(3)
    arr = t.numpy()
    t.add_(2)
    np.testing.assert_array_equal(arr, [2.0, 2.0, 2.0])
    t += 1
    np.testing.assert_array_equal(arr, [3.0, 3.0, 3.0])
    t[1:] = torch.tensor([7.0, 8.0])
    np.testing.assert_array_equal(arr, [3.0, 7.0, 8.0])


# --------------------------------------------------------------------------- rtensor.from_numpy


NP_LAYOUTS = {
    "contiguous": lambda a: a,
    "transposed": lambda a: a.T,
    "stepped": lambda a: a[::2, 1::3],
    "offset": lambda a: a[1:, 2:],
    "negative": lambda a: a[::-1, ::-3],
    "neg_transposed": lambda a: a[:, ::-1].T[1:],
    "column": lambda a: a[:, 3],
    "scalar": lambda a: a[2, 5, ...],
    "fortran": lambda a: np.asfortranarray(a),
    "zero_stride": lambda a: np.lib.stride_tricks.as_strided(a[1], shape=(3, a.shape[1]), strides=(0, a.itemsize)),
    "empty": lambda a: a[3:3],
}


@pytest.mark.parametrize("layout", list(NP_LAYOUTS))
@pytest.mark.parametrize("dtype", SUPPORTED)
def test_from_numpy_shares_memory(layout, dtype):
    base = np_base(dtype)
    a = NP_LAYOUTS[layout](base)
    t = torch.from_numpy(a)
    assert t.dtype == getattr(torch, dtype)
    assert tuple(t.shape) == a.shape
    assert isinstance(t.shape, torch.Size)
    np.testing.assert_array_equal(values(t, a.dtype), a)
    if a.size == 0:
        return
    for d, n in enumerate(a.shape):
        if n > 1:
            assert t.stride()[d] * a.itemsize == a.strides[d]
    assert t.data_ptr() == addr(a)
    idx = tuple(n - 1 for n in a.shape)
    a[idx] = marker(dtype, 1)
    assert t[idx].item() == marker(dtype, 1)
    if layout != "zero_stride":
        t[(0,) * a.ndim] = marker(dtype, 2)
        assert a[(0,) * a.ndim] == marker(dtype, 2)
        np.testing.assert_array_equal(values(t, a.dtype), a)


def test_from_numpy_negative_strides_layout():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)[::-1, ::-2]
    t = torch.from_numpy(a)
    assert t.stride() == (-4, -2)
    assert t.tolist() == [[11.0, 9.0], [7.0, 5.0], [3.0, 1.0]]
    assert not t.is_contiguous()
    t[0, 0] = -1.0
    assert a[0, 0] == -1.0


@settings(deadline=None, max_examples=2 * settings.default.max_examples, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), dtype=st.sampled_from(SUPPORTED))
def test_from_numpy_random_strided_arrays(data, dtype):
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    base = np_base(dtype, shape)
    idx = tuple(data.draw(st.builds(slice, st.none() | st.integers(-6, 6), st.none() | st.integers(-6, 6),
                                    st.sampled_from([None, 1, 2, -1, -2, -3]))) for _ in shape)
    a = base[idx]
    if data.draw(st.booleans()):
        a = a.transpose(data.draw(st.permutations(range(a.ndim))))
    t = torch.from_numpy(a)
    assert tuple(t.shape) == a.shape
    np.testing.assert_array_equal(values(t, a.dtype), a)
    if a.size:
        assert t.data_ptr() == addr(a)
        for d, n in enumerate(a.shape):
            if n > 1:
                assert t.stride()[d] * a.itemsize == a.strides[d]
        back = t.numpy()
        assert addr(back) == addr(a)
        for d, n in enumerate(a.shape):
            if n > 1:
                assert back.strides[d] == a.strides[d]
        k = tuple(data.draw(st.integers(0, n - 1)) for n in a.shape)
        t[k] = marker(dtype, 3)
        assert a[k] == marker(dtype, 3)
        flat = (addr(a[k + (Ellipsis,)]) - addr(base)) // base.itemsize
        assert base.reshape(-1)[flat] == marker(dtype, 3)


def test_from_numpy_keeps_array_alive():
    a = np.arange(10.0)[::2]
    t = torch.from_numpy(a)
    del a
    gc.collect()
    junk = [np.full(10, -1.0) for _ in range(50)]
    assert t.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    t[0] = 5.0
    assert t.tolist()[0] == 5.0
    v = t[1:].view(2, 2)
    del t
    gc.collect()
    assert v.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    del junk


def test_from_numpy_refcount_released():
    a = np.arange(6.0)
    before = sys.getrefcount(a)
    t = torch.from_numpy(a)
    assert sys.getrefcount(a) > before
    v = t[2:]
    del t
    gc.collect()
    assert sys.getrefcount(a) > before  # the view still holds the storage
    del v
    gc.collect()
    assert sys.getrefcount(a) == before


@pytest.mark.parametrize("dtype", [">f4", ">f8", ">i8", ">i4"])
def test_from_numpy_non_native_byte_order_raises(dtype):
    # PyTorch raises ValueError ("given numpy array has byte order different from the
    # native byte order"), as does rtensor.
    a = np.arange(4).astype(dtype)
    with pytest.raises(ValueError, match="byte order"):
        torch.from_numpy(a)


@pytest.mark.parametrize("make", [
    lambda: np.zeros(3, dtype=np.complex64),
    lambda: np.zeros(3, dtype=np.complex128),
    lambda: np.zeros(3, dtype=np.uint16),
    lambda: np.array([1, "a", None], dtype=object),
    lambda: np.array(["ab", "cd"]),
    lambda: np.array([b"ab"]),
])
def test_from_numpy_unsupported_dtype_raises(make):
    with pytest.raises(TypeError):
        torch.from_numpy(make())


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError):
        torch.from_numpy([1.0, 2.0])


# --------------------------------------------------------------------------- tensor(ndarray), asarray


@pytest.mark.parametrize("dtype", SUPPORTED)
def test_tensor_of_ndarray_copies(dtype):
    a = np_base(dtype)[::-1, 1::2]
    t = torch.tensor(a)
    assert t.dtype == getattr(torch, dtype)
    np.testing.assert_array_equal(values(t, a.dtype), a)
    assert t.data_ptr() != addr(a)
    expected = a.copy()
    a[...] = marker(dtype, 2)
    np.testing.assert_array_equal(values(t, a.dtype), expected)


def test_np_asarray_shares_memory():
    t = torch.arange(6, dtype=torch.float32).view(2, 3)
    a = np.asarray(t)
    assert a.dtype == np.float32 and a.shape == (2, 3)
    np.testing.assert_array_equal(a, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert addr(a) == t.data_ptr()
    a[0, 0] = 10.0
    assert t[0, 0].item() == 10.0
    b = np.asarray(t.t())
    np.testing.assert_array_equal(b, np.array([[10.0, 3.0], [1.0, 4.0], [2.0, 5.0]], dtype=np.float32))
    c = np.asarray(t, dtype=np.float64)
    assert c.dtype == np.float64
    np.testing.assert_array_equal(c, [[10.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    d = np.array(t)
    d[0, 0] = -1.0
    assert t[0, 0].item() == 10.0


def test_numpy_functions_accept_tensors():
    t = torch.tensor([[1, 2], [3, 4]])
    assert np.sum(np.asarray(t)) == 10
    assert np.asarray(torch.tensor(True)).dtype == np.bool_


# --------------------------------------------------------------------------- the study-notes snippets


def test_notes_numpy_shares_with_tensor():
    a = torch.ones(5)
    b = a.numpy()
    assert a.tolist() == [1.0] * 5
    np.testing.assert_array_equal(b, np.ones(5, dtype=np.float32))
    a += 1
    assert a.tolist() == [2.0] * 5
    np.testing.assert_array_equal(b, np.full(5, 2.0, dtype=np.float32))
    b += 1
    assert a.tolist() == [3.0] * 5
    np.testing.assert_array_equal(b, np.full(5, 3.0, dtype=np.float32))
    assert b.dtype == np.float32


def test_notes_from_numpy_shares_with_array():
    a = np.ones(5)
    b = torch.from_numpy(a)
    assert b.dtype == torch.float64
    assert b.tolist() == [1.0] * 5
    a += 1
    assert b.tolist() == [2.0] * 5
    b += 1
    assert b.tolist() == [3.0] * 5
    np.testing.assert_array_equal(a, np.full(5, 3.0))
    c = torch.tensor(a)
    a += 1
    np.testing.assert_array_equal(a, np.full(5, 4.0))
    assert c.tolist() == [3.0] * 5
    assert c.dtype == torch.float64
