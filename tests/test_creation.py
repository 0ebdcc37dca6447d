"""Tensor creation, attributes, dtypes, casting, devices and random numbers.

The oracle is NumPy or values worked out by hand from PyTorch's documented
behaviour; nothing asserted here was produced by rtensor itself.
"""

import gc
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rtensor as torch

# --------------------------------------------------------------------------- helpers

DTYPE_NAMES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]
ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
            "int16": 2, "int8": 1, "uint8": 1, "bool": 1}
FLOATING = {"float32", "float64", "float16", "bfloat16"}


def dt(name):
    return getattr(torch, name)


def values(t):
    """The tensor's values as a NumPy array, read through tolist() only."""
    return np.array(t.tolist()).reshape(tuple(t.shape))


def bf16_round(x):
    """Round float32 values to bfloat16 (round to nearest even), returned as float64."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16 << 16
    return u.astype(np.uint32).view(np.float32).astype(np.float64)


# --------------------------------------------------------------------------- tensor()


def test_tensor_from_nested_lists():
    t = torch.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3)
    assert t.dtype == torch.int64
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert all(type(v) is int for row in t.tolist() for v in row)


@pytest.mark.parametrize(
    "data, dtype_name",
    [
        ([1.0, 2.0], "float32"),
        ([1, 2.5], "float32"),
        ([[1, 2], [3, 4]], "int64"),
        ([True, False], "bool"),
        ([True, 2], "int64"),
        ([True, 2.0], "float32"),
        (3.5, "float32"),
        (7, "int64"),
        (False, "bool"),
        ([], "float32"),
        ([[]], "float32"),
    ],
)
def test_tensor_dtype_inference(data, dtype_name):
    t = torch.tensor(data)
    assert t.dtype == dt(dtype_name)
    assert tuple(t.shape) == np.array(data).shape


def test_tensor_scalars_are_zero_dim():
    for v, typ in [(3.5, float), (7, int), (True, bool)]:
        t = torch.tensor(v)
        assert t.shape == ()
        assert t.dim() == 0
        assert t.numel() == 1
        assert t.item() == v
        assert type(t.item()) is typ
        assert t.tolist() == v


def test_tensor_float32_rounding():
    t = torch.tensor([0.1, 1e-3, 3.3])
    assert t.tolist() == [float(np.float32(v)) for v in [0.1, 1e-3, 3.3]]


def test_tensor_explicit_dtype():
    assert torch.tensor([1, 2], dtype=torch.float64).tolist() == [1.0, 2.0]
    assert torch.tensor([1, 2], dtype=torch.float64).dtype == torch.float64
    # float data into an integer dtype truncates towards zero
    assert torch.tensor([1.7, -1.7, 2.5], dtype=torch.int64).tolist() == [1, -1, 2]
    assert torch.tensor([0, 2], dtype=torch.bool).tolist() == [False, True]
    assert torch.tensor(3, dtype=torch.float16).dtype == torch.float16


@pytest.mark.parametrize("np_dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"])
def test_tensor_from_numpy_keeps_dtype_and_copies(np_dtype):
    a = (np.arange(12) % 5).astype(np_dtype).reshape(3, 4)
    t = torch.tensor(a)
    assert t.dtype == dt(np_dtype)
    assert t.shape == (3, 4)
    np.testing.assert_array_equal(values(t), a)
    before = a.copy()
    a[...] = 1 if np_dtype != "bool" else True
    a[0, 0] = 0
    np.testing.assert_array_equal(values(t), before)  # a copy


def test_tensor_from_noncontiguous_numpy():
    a = np.arange(24, dtype=np.float64).reshape(4, 6)[::-1, 1::2].T
    t = torch.tensor(a)
    np.testing.assert_array_equal(values(t), a)
    assert t.is_contiguous()
    assert t.stride() == (4, 1)


def test_tensor_copies_tensor():
    src = torch.tensor([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.tensor(src)
    assert t.tolist() == [1.0, 2.0]
    assert t.data_ptr() != src.data_ptr()
    src[0] = 9.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_list_copy_independent():
    data = [1.0, 2.0]
    t = torch.tensor(data)
    data[0] = 5.0
    assert t.tolist() == [1.0, 2.0]


def test_tensor_ragged_raises():
    with pytest.raises(ValueError):
        torch.tensor([[1, 2], [3]])


def test_tensor_bad_data_raises():
    with pytest.raises(TypeError):
        torch.tensor("abc")


def test_tensor_requires_grad():
    assert torch.tensor([1.0]).requires_grad is False
    assert torch.tensor([1.0], requires_grad=True).requires_grad is True
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2], requires_grad=True)


# --------------------------------------------------------------------------- as_tensor


def test_as_tensor_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32)
    t = torch.as_tensor(a)
    assert t.dtype == torch.float32
    assert t.data_ptr() == a.ctypes.data
    a[2] = 100.0
    assert t.tolist()[2] == 100.0
    t[3] = -5.0
    assert a[3] == -5.0


def test_as_tensor_numpy_other_dtype_copies():
    a = np.arange(6, dtype=np.float32)
    t = torch.as_tensor(a, dtype=torch.float64)
    assert t.dtype == torch.float64
    a[0] = 50.0
    assert t.tolist()[0] == 0.0


def test_as_tensor_tensor_is_identity():
    t = torch.tensor([1.0, 2.0])
    assert torch.as_tensor(t) is t
    assert torch.as_tensor(t, dtype=torch.float32) is t
    u = torch.as_tensor(t, dtype=torch.int64)
    assert u.dtype == torch.int64
    assert u.tolist() == [1, 2]


def test_as_tensor_list_and_scalar():
    t = torch.as_tensor([[1, 2], [3, 4]])
    assert t.dtype == torch.int64 and t.tolist() == [[1, 2], [3, 4]]
    s = torch.as_tensor(2.5)
    assert s.shape == () and s.dtype == torch.float32 and s.item() == 2.5


# --------------------------------------------------------------------------- factories and sizes

SIZE_FORMS = [
    lambda *s: s,                     # varargs
    lambda *s: (s,),                  # a tuple
    lambda *s: (list(s),),            # a list
    lambda *s: (torch.Size(s),),      # an rtensor.Size
]


@pytest.mark.parametrize("form", range(len(SIZE_FORMS)))
@pytest.mark.parametrize("name", ["empty", "zeros", "ones", "rand", "randn"])
def test_size_forms(name, form):
    args = SIZE_FORMS[form](2, 3)
    t = getattr(torch, name)(*args)
    assert t.shape == (2, 3)
    assert isinstance(t.shape, torch.Size)
    assert t.dtype == torch.float32
    assert t.device == torch.device("cpu")
    assert t.requires_grad is False
    assert t.is_contiguous()
    assert t.stride() == (3, 1)


def test_size_keyword():
    assert torch.zeros(size=(2, 3)).shape == (2, 3)
    assert torch.ones(size=[4]).shape == (4,)


def test_zeros_ones_values():
    np.testing.assert_array_equal(values(torch.zeros(2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(values(torch.ones(2, 3)), np.ones((2, 3)))
    assert torch.zeros(3, dtype=torch.long).tolist() == [0, 0, 0]
    assert torch.ones(2, dtype=torch.bool).tolist() == [True, True]
    assert torch.zeros(2, dtype=torch.bool).tolist() == [False, False]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_factories_honour_dtype(name):
    d = dt(name)
    for t in [torch.empty(2, 3, dtype=d), torch.zeros(2, 3, dtype=d), torch.ones(2, 3, dtype=d),
              torch.full((2, 3), 1, dtype=d)]:
        assert t.dtype == d
        assert t.shape == (2, 3)
        assert t.element_size() == ITEMSIZE[name]
        assert t.nbytes == 6 * ITEMSIZE[name]
    one = True if name == "bool" else 1
    assert torch.ones(2, dtype=d).tolist() == [one, one]
    assert torch.full((2,), 1, dtype=d).tolist() == [one, one]


def test_zero_dim_and_empty_sizes():
    assert torch.zeros(()).shape == ()
    assert torch.zeros([]).shape == ()
    assert torch.zeros(()).numel() == 1
    assert torch.zeros(()).item() == 0.0
    e = torch.zeros(0)
    assert e.shape == (0,) and e.numel() == 0 and e.tolist() == []
    e2 = torch.ones(2, 0, 3)
    assert e2.shape == (2, 0, 3) and e2.numel() == 0


def test_negative_size_raises():
    with pytest.raises(RuntimeError):
        torch.zeros(-1)
    with pytest.raises(RuntimeError):
        torch.empty(2, -3)


def test_bad_size_type_raises():
    with pytest.raises(TypeError):
        torch.zeros(2, 3.0)
    with pytest.raises(TypeError):
        torch.ones("a")


def test_full():
    t = torch.full((2, 3), 7)
    assert t.dtype == torch.int64
    assert t.tolist() == [[7] * 3] * 2
    t = torch.full((2,), 1.5)
    assert t.dtype == torch.float32 and t.tolist() == [1.5, 1.5]
    t = torch.full([3], True)
    assert t.dtype == torch.bool and t.tolist() == [True] * 3
    t = torch.full((2, 2), 2, dtype=torch.float64)
    assert t.dtype == torch.float64 and t.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    t = torch.full(torch.Size([1, 2]), -0.5)
    assert t.tolist() == [[-0.5, -0.5]]


@pytest.mark.parametrize(
    "args, kwargs, expected, dtype_name",
    [
        ((5,), {}, [0, 1, 2, 3, 4], "int64"),
        ((1, 3), {}, [1, 2], "int64"),
        ((10, 0, -3), {}, [10, 7, 4, 1], "int64"),
        ((0, 1, 0.25), {}, [0.0, 0.25, 0.5, 0.75], "float32"),
        ((5.0,), {}, [0.0, 1.0, 2.0, 3.0, 4.0], "float32"),
        ((1, 2.5, 0.5), {}, [1.0, 1.5, 2.0], "float32"),
        ((-1.0, 1.0, 0.5), {}, [-1.0, -0.5, 0.0, 0.5], "float32"),
        ((1, 4), {"dtype": "float64"}, [1.0, 2.0, 3.0], "float64"),
        ((3,), {"dtype": "int32"}, [0, 1, 2], "int32"),
        ((0,), {}, [], "int64"),
        ((3, 3), {}, [], "int64"),
    ],
)
def test_arange(args, kwargs, expected, dtype_name):
    kwargs = {k: dt(v) if k == "dtype" else v for k, v in kwargs.items()}
    t = torch.arange(*args, **kwargs)
    assert t.dtype == dt(dtype_name)
    assert t.shape == (len(expected),)
    assert t.tolist() == expected


@given(start=st.integers(-20, 20), stop=st.integers(-20, 20), step=st.integers(-5, 5).filter(bool))
@settings(deadline=None)
def test_arange_int_matches_numpy(start, stop, step):
    if (stop - start) * step < 0:
        # PyTorch: "upper bound and larger bound inconsistent with step sign"
        with pytest.raises(RuntimeError):
            torch.arange(start, stop, step)
    else:
        assert torch.arange(start, stop, step).tolist() == np.arange(start, stop, step).tolist()


def test_arange_bad_arguments_raise():
    with pytest.raises(RuntimeError):
        torch.arange(0, 5, 0)
    with pytest.raises(RuntimeError):
        torch.arange(5, 0)
    with pytest.raises(RuntimeError):
        torch.arange(0, 5, -1)


@pytest.mark.parametrize(
    "start, end, steps",
    [(0, 1, 5), (-1, 1, 5), (-5, 5, 11), (3, 3, 1), (2, 10, 1), (0, 1, 0), (1, 0, 4), (0, 1, 100)],
)
def test_linspace(start, end, steps):
    t = torch.linspace(start, end, steps)
    assert t.dtype == torch.float32
    assert t.shape == (steps,)
    np.testing.assert_allclose(values(t), np.linspace(start, end, steps), rtol=1e-6, atol=1e-6)


def test_linspace_keywords_and_dtype():
    t = torch.linspace(-5, 5, steps=11, dtype=torch.float64)
    assert t.dtype == torch.float64
    assert t.tolist() == [float(v) for v in range(-5, 6)]


@pytest.mark.parametrize("args, expected", [((3,), np.eye(3)), ((2, 4), np.eye(2, 4)), ((4, 2), np.eye(4, 2)), ((0,), np.eye(0))])
def test_eye(args, expected):
    t = torch.eye(*args)
    assert t.dtype == torch.float32
    assert tuple(t.shape) == expected.shape
    np.testing.assert_array_equal(values(t), expected)


def test_eye_dtype():
    t = torch.eye(2, dtype=torch.int64)
    assert t.dtype == torch.int64 and t.tolist() == [[1, 0], [0, 1]]


# --------------------------------------------------------------------------- random numbers


def test_rand_range_and_stats():
    torch.manual_seed(0)
    t = torch.rand(100_000)
    assert t.dtype == torch.float32 and t.shape == (100_000,)
    v = values(t)
    assert v.min() >= 0.0
    assert v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.01
    assert abs(v.var() - 1 / 12) < 0.005
    counts = np.histogram(v, bins=10, range=(0, 1))[0]
    assert counts.min() > 9000 and counts.max() < 11000


def test_rand_float64():
    t = torch.rand(1000, dtype=torch.float64)
    assert t.dtype == torch.float64
    v = values(t)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert len(np.unique(v)) > 990


def test_randn_stats():
    torch.manual_seed(1)
    t = torch.randn(100_000)
    assert t.dtype == torch.float32
    v = values(t)
    assert abs(v.mean()) < 0.03
    assert abs(v.std() - 1.0) < 0.03
    assert abs((np.abs(v) < 1).mean() - 0.6827) < 0.01


def test_randint():
    torch.manual_seed(2)
    t = torch.randint(3, 10, (100_000,))
    assert t.dtype == torch.int64
    v = values(t)
    assert v.min() == 3 and v.max() == 9
    counts = np.bincount(v - 3)
    assert len(counts) == 7 and counts.min() > 13000 and counts.max() < 15600
    t = torch.randint(5, (3, 4))
    assert t.shape == (3, 4) and t.dtype == torch.int64
    assert 0 <= values(t).min() and values(t).max() < 5
    t = torch.randint(0, 10, size=(6,), dtype=torch.int32)
    assert t.dtype == torch.int32
    t = torch.randint(-5, -2, (200,))
    assert set(t.tolist()) == {-5, -4, -3}


def test_randint_is_64_bit():
    v = values(torch.randint(0, 2**40, (1000,)))
    assert v.min() >= 0 and v.max() < 2**40
    assert v.max() > 2**33


def test_randperm():
    torch.manual_seed(3)
    p = torch.randperm(1000)
    assert p.dtype == torch.int64 and p.shape == (1000,)
    v = p.tolist()
    assert sorted(v) == list(range(1000))
    assert v != list(range(1000))
    assert torch.randperm(0).tolist() == []
    assert torch.randperm(1).tolist() == [0]


def test_normal_forms():
    torch.manual_seed(4)
    t = torch.normal(2.0, 3.0, size=(100_000,))
    assert t.dtype == torch.float32 and t.shape == (100_000,)
    v = values(t)
    assert abs(v.mean() - 2.0) < 0.1
    assert abs(v.std() - 3.0) < 0.1

    t = torch.normal(torch.full((50_000,), 5.0), 2.0)
    assert t.shape == (50_000,)
    v = values(t)
    assert abs(v.mean() - 5.0) < 0.1 and abs(v.std() - 2.0) < 0.1

    t = torch.normal(mean=torch.zeros(50_000), std=torch.full((50_000,), 0.5))
    v = values(t)
    assert abs(v.mean()) < 0.05 and abs(v.std() - 0.5) < 0.05

    # per-element means are honoured
    t = torch.normal(torch.tensor([0.0, 1000.0]), torch.tensor([1e-3, 1e-3]))
    v = values(t)
    assert abs(v[0]) < 0.1 and abs(v[1] - 1000.0) < 0.1


def test_manual_seed_reproducible():
    for fn in [lambda: torch.rand(10), lambda: torch.randn(10), lambda: torch.randint(0, 1000, (10,)),
               lambda: torch.randperm(20), lambda: torch.normal(0.0, 1.0, size=(10,)),
               lambda: torch.rand_like(torch.zeros(10)), lambda: torch.randn_like(torch.zeros(10))]:
        torch.manual_seed(1234)
        a = fn().tolist()
        b = fn().tolist()
        torch.manual_seed(1234)
        c = fn().tolist()
        d = fn().tolist()
        assert a == c and b == d
        assert a != b
        torch.manual_seed(4321)
        assert fn().tolist() != a


def test_manual_seed_returns_generator_and_initial_seed():
    g = torch.manual_seed(77)
    assert isinstance(g, torch.Generator)
    assert torch.initial_seed() == 77


def test_generator():
    g = torch.Generator()
    assert g.manual_seed(5) is g
    assert g.initial_seed() == 5
    a = torch.rand(8, generator=g).tolist()
    g.manual_seed(5)
    assert torch.rand(8, generator=g).tolist() == a
    g2 = torch.Generator().manual_seed(6)
    assert torch.rand(8, generator=g2).tolist() != a
    gd = torch.Generator(device="cpu")
    gd.manual_seed(5)
    assert torch.rand(8, generator=gd).tolist() == a


def test_generator_all_functions():
    def draw(g):
        return [torch.rand(4, generator=g).tolist(), torch.randn(4, generator=g).tolist(),
                torch.randint(0, 100, (4,), generator=g).tolist(), torch.randperm(10, generator=g).tolist(),
                torch.normal(0.0, 1.0, size=(4,), generator=g).tolist()]
    assert draw(torch.Generator().manual_seed(9)) == draw(torch.Generator().manual_seed(9))
    assert draw(torch.Generator().manual_seed(9)) != draw(torch.Generator().manual_seed(10))


def test_generator_independent_of_global_stream():
    torch.manual_seed(11)
    expected = torch.rand(5).tolist()
    torch.manual_seed(11)
    g = torch.Generator().manual_seed(99)
    torch.rand(100, generator=g)
    assert torch.rand(5).tolist() == expected


def test_fresh_generator_matches_default_with_same_seed():
    torch.manual_seed(21)
    a = torch.rand(6).tolist()
    g = torch.Generator().manual_seed(21)
    assert torch.rand(6, generator=g).tolist() == a


# --------------------------------------------------------------------------- *_like and new_*


def test_like_family_keeps_shape_and_dtype():
    x = torch.ones(2, 3, dtype=torch.float64)
    for f in [torch.zeros_like, torch.ones_like, torch.empty_like, torch.rand_like, torch.randn_like]:
        y = f(x)
        assert y.shape == (2, 3) and y.dtype == torch.float64 and y.device == x.device
        assert y.data_ptr() != x.data_ptr()
    assert torch.zeros_like(x).tolist() == [[0.0] * 3] * 2
    assert torch.ones_like(x).tolist() == [[1.0] * 3] * 2
    y = torch.full_like(x, 3)
    assert y.dtype == torch.float64 and y.tolist() == [[3.0] * 3] * 2
    v = values(torch.rand_like(x))
    assert v.min() >= 0 and v.max() < 1


def test_like_family_dtype_override():
    x = torch.zeros(4, dtype=torch.int64)
    assert torch.ones_like(x).tolist() == [1, 1, 1, 1]
    assert torch.ones_like(x, dtype=torch.float32).dtype == torch.float32
    assert torch.randn_like(torch.zeros(3), dtype=torch.float64).dtype == torch.float64
    assert torch.zeros_like(x, dtype=torch.bool).tolist() == [False] * 4
    # full_like casts the fill value to the tensor's (integer) dtype
    assert torch.full_like(x, 2.7).tolist() == [2, 2, 2, 2]


def test_randint_like():
    x = torch.zeros(1000, dtype=torch.int32)
    y = torch.randint_like(x, 10)
    assert y.dtype == torch.int32 and y.shape == (1000,)
    v = values(y)
    assert v.min() >= 0 and v.max() <= 9 and len(set(v.tolist())) == 10
    y = torch.randint_like(x, 5, 8)
    assert set(y.tolist()) == {5, 6, 7}
    y = torch.randint_like(torch.zeros(50), 3)
    assert y.dtype == torch.float32
    assert set(y.tolist()) <= {0.0, 1.0, 2.0}


def test_like_requires_grad_and_device():
    x = torch.zeros(2)
    assert torch.zeros_like(x, requires_grad=True).requires_grad
    assert torch.ones_like(x, device="cpu").device == torch.device("cpu")


def test_new_methods_inherit_dtype():
    x = torch.zeros(2, 2, dtype=torch.float64)
    t = x.new_tensor([1, 2])
    assert t.dtype == torch.float64 and t.tolist() == [1.0, 2.0]
    t = x.new_empty((3,))
    assert t.dtype == torch.float64 and t.shape == (3,)
    t = x.new_zeros(2, 3)
    assert t.dtype == torch.float64 and t.tolist() == [[0.0] * 3] * 2
    t = x.new_zeros((2, 3))
    assert t.shape == (2, 3)
    t = x.new_ones(5, 3)
    assert t.dtype == torch.float64 and t.shape == (5, 3)
    t = x.new_ones([4], dtype=torch.int32)
    assert t.dtype == torch.int32 and t.tolist() == [1] * 4
    t = x.new_full((2, 2), 7)
    assert t.dtype == torch.float64 and t.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    t = x.new_empty(torch.Size([1, 2]), dtype=torch.int8)
    assert t.dtype == torch.int8 and t.shape == (1, 2)


def test_new_tensor_copies():
    a = np.array([1.0, 2.0])
    x = torch.zeros(1, dtype=torch.float32)
    t = x.new_tensor(a)
    assert t.dtype == torch.float32
    a[0] = 10.0
    assert t.tolist() == [1.0, 2.0]
    src = torch.tensor([3.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = x.new_tensor(src)
    src[0] = 0.0
    assert u.tolist() == [3.0, 4.0]


def test_new_methods_requires_grad_and_device():
    x = torch.zeros(2)
    assert x.new_zeros(2, requires_grad=True).requires_grad
    assert x.new_tensor([1.0], requires_grad=True).requires_grad
    assert x.new_ones(2, device="cpu").device == torch.device("cpu")


# --------------------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: torch.empty(2, **kw), lambda **kw: torch.zeros(2, **kw), lambda **kw: torch.ones(2, **kw),
        lambda **kw: torch.full((2,), 1.0, **kw), lambda **kw: torch.rand(2, **kw),
        lambda **kw: torch.randn(2, **kw), lambda **kw: torch.arange(2.0, **kw),
        lambda **kw: torch.linspace(0, 1, 3, **kw), lambda **kw: torch.eye(2, **kw),
        lambda **kw: torch.tensor([1.0], **kw),
    ],
)
def test_keywords_device_requires_grad(make):
    assert make().requires_grad is False
    assert make(requires_grad=True).requires_grad is True
    assert make(device="cpu").device == torch.device("cpu")
    assert make(device=torch.device("cpu")).device.type == "cpu"
    assert make(dtype=torch.float64).dtype == torch.float64


def test_requires_grad_on_integer_raises():
    with pytest.raises(RuntimeError):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)


# --------------------------------------------------------------------------- threads


def test_num_threads():
    old = torch.get_num_threads()
    assert isinstance(old, int) and old >= 1
    try:
        torch.set_num_threads(1)
        assert torch.get_num_threads() == 1
        torch.set_num_threads(2)
        assert torch.get_num_threads() == 2
        assert torch.ones(1000).tolist() == [1.0] * 1000
    finally:
        torch.set_num_threads(old)
    assert torch.get_num_threads() == old


def test_num_threads_non_positive_raises():
    old = torch.get_num_threads()
    try:
        with pytest.raises(RuntimeError):
            torch.set_num_threads(0)
    finally:
        torch.set_num_threads(old)


# --------------------------------------------------------------------------- Size and attributes


def test_size_type_and_repr():
    x = torch.empty(5, 3)
    s = x.size()
    assert isinstance(s, torch.Size) and isinstance(s, tuple)
    assert isinstance(x.shape, torch.Size)
    assert s == (5, 3) and x.shape == (5, 3) and s == x.shape
    assert repr(s) == "rtensor.Size([5, 3])"
    assert repr(torch.empty(()).shape) == "rtensor.Size([])"
    assert repr(torch.Size([7])) == "rtensor.Size([7])"
    a, b = s
    assert (a, b) == (5, 3)
    assert len(s) == 2 and s[0] == 5 and s[-1] == 3
    assert list(s) == [5, 3]
    assert s + (1,) == (5, 3, 1)
    assert isinstance(s[1:], torch.Size) and s[1:] == (3,)
    assert torch.Size([2, 3, 4]).numel() == 24
    assert torch.Size([]) == ()


def test_size_dim_argument():
    x = torch.empty(5, 3, 2)
    assert x.size(0) == 5 and type(x.size(0)) is int
    assert x.size(-1) == 2 and x.size(-3) == 5
    assert x.size(dim=1) == 3
    with pytest.raises(IndexError):
        x.size(3)
    with pytest.raises(IndexError):
        x.size(-4)


def test_dim_ndim_numel():
    x = torch.zeros(2, 3, 4)
    assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24
    assert len(x) == 2
    s = torch.tensor(1.0)
    assert s.dim() == 0 and s.ndim == 0 and s.numel() == 1
    with pytest.raises(TypeError):
        len(s)


def test_dtype_objects():
    assert torch.float is torch.float32
    assert torch.double is torch.float64
    assert torch.half is torch.float16
    assert torch.long is torch.int64
    assert torch.int is torch.int32
    assert torch.short is torch.int16
    assert torch.float32 != torch.float64
    assert len({dt(n) for n in DTYPE_NAMES}) == len(DTYPE_NAMES)
    for n in DTYPE_NAMES:
        assert repr(dt(n)) == "rtensor." + n
        assert str(dt(n)) == "rtensor." + n
        assert dt(n).is_floating_point == (n in FLOATING)
        assert dt(n).itemsize == ITEMSIZE[n]
    assert torch.get_default_dtype() == torch.float32


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_element_size_nbytes_itemsize(name):
    t = torch.zeros(3, 4, dtype=dt(name))
    assert t.element_size() == ITEMSIZE[name]
    assert t.itemsize == ITEMSIZE[name]
    assert t.nbytes == 12 * ITEMSIZE[name]
    assert t.is_floating_point() == (name in FLOATING)
    # nbytes counts the view's elements only
    assert t[1:].nbytes == 8 * ITEMSIZE[name]


def test_device_objects():
    x = torch.zeros(2)
    assert x.device == torch.device("cpu")
    assert str(x.device) == "cpu"
    assert x.device.type == "cpu"
    assert torch.device("cpu").index is None
    assert repr(torch.device("cpu")) == "device(type='cpu')"
    c = torch.device("cuda")
    assert c.type == "cuda" and str(c) == "cuda"
    assert c != torch.device("cpu")
    c1 = torch.device("cuda:1")
    assert c1.type == "cuda" and c1.index == 1 and str(c1) == "cuda:1"
    c0 = torch.device("cuda", 0)
    assert c0.index == 0 and str(c0) == "cuda:0"
    assert repr(c0) == "device(type='cuda', index=0)"


def test_bad_device_string_raises():
    with pytest.raises(RuntimeError):
        torch.device("not_a_device")


_NO_GPU = r"""
import rtensor as torch
assert torch.cuda.is_available() is False and torch.cuda.device_count() == 0
x = torch.ones(2)
for make in (lambda: x.to("cuda"), lambda: x.to(torch.device("cuda")), lambda: x.cuda(),
             lambda: torch.zeros(2, device="cuda"), lambda: torch.ones_like(x, device=torch.device("cuda"))):
    try:
        make()
    except RuntimeError as e:
        assert "wgpu adapter" in str(e), e
    else:
        raise AssertionError("no error without a GPU")
assert x.tolist() == [1.0, 1.0]
print("ok")
"""


def test_cuda_unavailable():
    # A process that sees no adapter (RTENSOR_WGPU_ADAPTER matching nothing):
    # is_available() is False and every move to "cuda" raises a RuntimeError
    # that says what was found and how to get an adapter.
    import os
    import subprocess
    import sys
    env = dict(os.environ, RTENSOR_WGPU_ADAPTER="no-such-adapter-anywhere")
    r = subprocess.run([sys.executable, "-c", _NO_GPU], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_item():
    assert torch.tensor([[2.5]]).item() == 2.5
    assert type(torch.tensor([[2.5]]).item()) is float
    assert torch.tensor(0.1).item() == float(np.float32(0.1))
    assert torch.tensor(0.1, dtype=torch.float64).item() == 0.1
    assert torch.tensor([3]).item() == 3 and type(torch.tensor([3]).item()) is int
    assert torch.tensor(True).item() is True
    assert torch.tensor([7], dtype=torch.uint8).item() == 7
    assert torch.tensor(-3, dtype=torch.int8).item() == -3
    assert torch.tensor(1.5, dtype=torch.float16).item() == 1.5
    assert torch.tensor(1.5, dtype=torch.bfloat16).item() == 1.5
    assert torch.arange(6).view(2, 3)[1, 2].item() == 5


def test_item_errors():
    with pytest.raises(RuntimeError):
        torch.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError):
        torch.zeros(0).item()


def test_tolist():
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor(5).tolist() == 5
    assert torch.zeros(2, 0).tolist() == [[], []]
    assert torch.tensor([True, False]).tolist() == [True, False]
    assert all(type(v) is bool for v in torch.tensor([True, False]).tolist())
    assert all(type(v) is float for v in torch.tensor([1.0, 2.0]).tolist())
    assert all(type(v) is int for v in torch.tensor([1, 2], dtype=torch.int16).tolist())


# --------------------------------------------------------------------------- casting


CAST_METHODS = {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
                "long": "int64", "int": "int32", "short": "int16", "bool": "bool"}


@pytest.mark.parametrize("method", list(CAST_METHODS))
def test_cast_methods(method):
    x = torch.tensor([0.0, 1.0, -2.0, 3.0])
    y = getattr(x, method)()
    assert y.dtype == dt(CAST_METHODS[method])
    expected = [False, True, True, True] if method == "bool" else [0, 1, -2, 3]
    assert y.tolist() == expected
    assert x.dtype == torch.float32


def test_cast_float_to_int_truncates():
    x = torch.tensor([1.7, -1.7, 2.5, -0.5, 0.0])
    for target in [torch.int64, torch.int32, torch.int16, torch.int8]:
        assert x.to(target).tolist() == [1, -1, 2, 0, 0]


def test_cast_values_against_numpy():
    v = np.array([0.1, 1.1, -3.3, 65504.0, 1e-5, 123.456], dtype=np.float64)
    x = torch.tensor(v)
    np.testing.assert_array_equal(values(x.float()), v.astype(np.float32))
    v32 = v.astype(np.float32)
    x32 = torch.tensor(v32)
    np.testing.assert_array_equal(values(x32.half()), v32.astype(np.float16))
    np.testing.assert_array_equal(values(x32.to(torch.bfloat16)), bf16_round(v32))
    np.testing.assert_array_equal(values(x32.half().float()), v32.astype(np.float16).astype(np.float32))
    b = torch.tensor([True, False, True])
    assert b.float().tolist() == [1.0, 0.0, 1.0]
    assert b.long().tolist() == [1, 0, 1]
    i = torch.tensor([0, 3, -1])
    assert i.bool().tolist() == [False, True, True]
    assert i.double().tolist() == [0.0, 3.0, -1.0]
    assert torch.tensor([300, -1]).to(torch.int16).tolist() == [300, -1]
    assert torch.tensor([200]).to(torch.uint8).tolist() == [200]


def test_to_and_type():
    x = torch.tensor([1.5, 2.5])
    assert x.to(torch.float32) is x
    assert x.to("cpu") is x
    assert x.to(torch.device("cpu")) is x
    assert x.to("cpu", torch.float32) is x
    assert x.cpu() is x
    y = x.to(torch.float32, copy=True)
    assert y is not x and y.data_ptr() != x.data_ptr() and y.tolist() == [1.5, 2.5]
    d = x.to("cpu", torch.double)
    assert d.dtype == torch.float64 and d.tolist() == [1.5, 2.5]
    d = x.to(device="cpu", dtype=torch.float64)
    assert d.dtype == torch.float64
    d = x.to(dtype=torch.int64)
    assert d.tolist() == [1, 2]
    other = torch.zeros(1, dtype=torch.int32)
    o = x.to(other)
    assert o.dtype == torch.int32 and o.tolist() == [1, 2]
    assert x.to(torch.zeros(3)) is x
    t = x.type(torch.float64)
    assert t.dtype == torch.float64 and t.tolist() == [1.5, 2.5]
    assert x.type(torch.int32).dtype == torch.int32


def test_to_new_dtype_is_a_copy():
    x = torch.tensor([1.0, 2.0])
    y = x.to(torch.float64)
    assert y is not x
    y[0] = 100.0
    assert x.tolist() == [1.0, 2.0]


def test_cast_of_noncontiguous_view():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = torch.tensor(a)
    y = x.t().to(torch.int64)
    assert y.shape == (4, 3)
    np.testing.assert_array_equal(values(y), a.T.astype(np.int64))


def test_bad_dtype_arguments_raise_typeerror():
    with pytest.raises(TypeError):
        torch.zeros(2, dtype="float32")
    with pytest.raises(TypeError):
        torch.zeros(2, dtype=np.float32)
    with pytest.raises(TypeError):
        torch.ones(2, dtype=3)
    with pytest.raises(TypeError):
        torch.tensor([1.0], dtype="float64")
    with pytest.raises(TypeError):
        torch.ones(2).to(dtype="float32")
    with pytest.raises(TypeError):
        torch.arange(3, dtype=np.int64)


def test_gc_of_many_tensors():
    # allocation and release stay sane across many short-lived tensors
    for _ in range(200):
        t = torch.ones(100)
        del t
    gc.collect()
    assert torch.full((3,), math.pi, dtype=torch.float64).tolist() == [math.pi] * 3


@pytest.mark.parametrize("call,value", [
    (lambda out: torch.zeros(2, 3, out=out), 0.0),
    (lambda out: torch.ones(2, 3, out=out), 1.0),
    (lambda out: torch.empty(2, 3, out=out), None),
    (lambda out: torch.full((2, 3), 7, out=out), 7.0),
])
def test_creation_out_writes_into_out(call, value):
    out = torch.full((2, 3), -5.0)
    ptr = out.data_ptr()
    r = call(out)
    assert r is out and out.data_ptr() == ptr          # same object, same memory
    if value is not None:
        np.testing.assert_array_equal(out.numpy(), np.full((2, 3), value))
    # an empty out= is resized; out's dtype is kept
    e = torch.empty(0, dtype=torch.int64)
    assert torch.ones(4, out=e) is e and e.shape == (4,) and e.dtype == torch.int64
    np.testing.assert_array_equal(e.numpy(), [1, 1, 1, 1])


def test_creation_out_wrong_shape_is_resized():
    # PyTorch resizes out= of a factory to the requested shape (NOTE [Resizing out=]).
    out = torch.zeros(2, 3)
    assert torch.ones(3, out=out) is out
    assert out.shape == (3,) and out.tolist() == [1.0, 1.0, 1.0]
