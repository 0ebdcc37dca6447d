"""Views, indexing and memory sharing.

Oracles: NumPy (the same view ops on an ndarray give the expected values,
element strides and offsets) and hand-worked layouts.  Values are read back
through ``tolist()`` so these tests do not depend on ``numpy()``.

rtensor differs from PyTorch on purpose in two places, both tested here:
negative slice steps (``x[::-1]``) are allowed, and ``flip`` is a view with
negative strides.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import rtensor as torch

# Scaled from the loaded hypothesis profile (conftest.py): 4x its example count.
SETTINGS = settings(deadline=None, max_examples=4 * settings.default.max_examples,
                    suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- helpers


def values(t, dtype=None):
    """The tensor's values as an ndarray, read through tolist() only."""
    return np.array(t.tolist(), dtype=dtype).reshape(tuple(t.shape))


def make(shape, dtype=np.int64):
    """A contiguous numpy base (0, 1, 2, ...) and an rtensor copy of it."""
    a = np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)
    return a, torch.tensor(a.tolist(), dtype=torch.int64 if dtype == np.int64 else torch.float32).reshape(shape)


def np_strides(a):
    return tuple(s // a.itemsize for s in a.strides)


def np_offset(a, base):
    return (a.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // base.itemsize


def torch_is_contiguous(shape, strides):
    """PyTorch's rule: size-1 dims are ignored, an empty tensor is contiguous."""
    if 0 in shape:
        return True
    expected = 1
    for n, s in reversed(list(zip(shape, strides))):
        if n == 1:
            continue
        if s != expected:
            return False
        expected *= n
    return True


def check_layout(t, a, base_t, base_a):
    """t (a view of base_t) has a's shape, values, strides and offset (a a view of base_a)."""
    assert isinstance(t.shape, torch.Size)
    assert tuple(t.shape) == a.shape, (tuple(t.shape), a.shape)
    assert t.dim() == a.ndim
    assert t.numel() == a.size
    np.testing.assert_array_equal(values(t, a.dtype), a)
    assert t.is_contiguous() == torch_is_contiguous(a.shape, np_strides(a)), (t.stride(), a.strides)
    if a.size == 0:
        return
    ts, ns = t.stride(), np_strides(a)
    assert len(ts) == a.ndim
    for d, n in enumerate(a.shape):
        if n > 1:
            assert ts[d] == ns[d], (d, ts, ns)
    off = np_offset(a, base_a)
    assert t.storage_offset() == off
    assert t.data_ptr() == base_t.data_ptr() + off * t.element_size()
    assert t.untyped_storage().data_ptr() == base_t.untyped_storage().data_ptr()


def check_shares(t, a, base_t, base_a, idx, marker):
    """Write through the base and see it in the view, then write through the view and see it in the base."""
    if a.size == 0:
        return
    k = np_offset(a, base_a) + sum(i * s for i, s in zip(idx, np_strides(a)))
    pos = tuple(int(i) for i in np.unravel_index(k, base_a.shape))
    base_t[pos] = marker
    base_a[pos] = marker
    np.testing.assert_array_equal(values(t, a.dtype), a)
    assert t[idx].item() == marker
    base_a[pos] = marker - 1
    t[idx] = marker - 1
    np.testing.assert_array_equal(values(base_t, base_a.dtype), base_a)
    np.testing.assert_array_equal(values(t, a.dtype), a)


def check_copy(c, expected, base_t, base_a):
    """c holds the expected values and does not share memory with base_t."""
    assert tuple(c.shape) == expected.shape
    np.testing.assert_array_equal(values(c, expected.dtype), expected)
    assert c.untyped_storage().data_ptr() != base_t.untyped_storage().data_ptr()
    if c.numel():
        c[(0,) * c.dim()] = -12345
        np.testing.assert_array_equal(values(base_t, base_a.dtype), base_a)


def sizes(max_dims=4, max_side=5, min_dims=0, min_side=1):
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def slice_st(n):
    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    return st.builds(slice, bound, bound, st.sampled_from([None, 1, 2, 3, -1, -2, -3]))


def basic_index(data, shape, allow_int=True):
    """A random basic index (ints, slices with any step, None, Ellipsis) for `shape`."""
    nd = len(shape)

    def item(n):
        choices = [slice_st(n)]
        if allow_int and n > 0:
            choices.append(st.integers(-n, n - 1))
        return data.draw(st.one_of(*choices))

    if data.draw(st.booleans()):  # with an Ellipsis
        n_before = data.draw(st.integers(0, nd))
        n_after = data.draw(st.integers(0, nd - n_before))
        items = [item(n) for n in shape[:n_before]] + [Ellipsis]
        items += [item(n) for n in shape[nd - n_after:]]
    else:
        items = [item(n) for n in shape[: data.draw(st.integers(0, nd))]]
    for _ in range(data.draw(st.integers(0, 2))):
        items.insert(data.draw(st.integers(0, len(items))), None)
    if len(items) == 1 and data.draw(st.booleans()):
        return items[0]
    return tuple(items)


def element_index(data, shape):
    return tuple(data.draw(st.integers(0, n - 1)) for n in shape)


def np_basic(a, idx):
    """a[idx] as an ndarray view (numpy returns a scalar when every dim gets an int)."""
    r = a[idx]
    if not isinstance(r, np.ndarray):
        r = a[(idx if isinstance(idx, tuple) else (idx,)) + (Ellipsis,)]
    return r


def nocopy_reshape(a, shape):
    try:
        return np.reshape(a, shape, copy=False)
    except ValueError:
        return None


# --------------------------------------------------------------------------- hand-worked layouts


@pytest.fixture
def x():
    """arange(24) as (2, 3, 4): strides (12, 4, 1)."""
    return torch.arange(24).view(2, 3, 4)


def test_base_layout(x):
    assert x.stride() == (12, 4, 1)
    assert x.storage_offset() == 0
    assert x.is_contiguous()
    assert x.shape == (2, 3, 4)


@pytest.mark.parametrize(
    "op, shape, strides, offset, contiguous",
    [
        (lambda x: x.select(1, 2), (2, 4), (12, 1), 8, False),
        (lambda x: x.select(-1, -1), (2, 3), (12, 4), 3, False),
        (lambda x: x.select(0, 1), (3, 4), (4, 1), 12, True),
        (lambda x: x[1], (3, 4), (4, 1), 12, True),
        (lambda x: x[-1, 1], (4,), (1,), 16, True),
        (lambda x: x.narrow(2, 1, 2), (2, 3, 2), (12, 4, 1), 1, False),
        (lambda x: x.narrow(0, 1, 1), (1, 3, 4), (12, 4, 1), 12, True),
        (lambda x: x.transpose(0, 2), (4, 3, 2), (1, 4, 12), 0, False),
        (lambda x: x.transpose(-1, -2), (2, 4, 3), (12, 1, 4), 0, False),
        (lambda x: x.mT, (2, 4, 3), (12, 1, 4), 0, False),
        (lambda x: x.permute(2, 0, 1), (4, 2, 3), (1, 12, 4), 0, False),
        (lambda x: x.permute((1, 2, 0)), (3, 4, 2), (4, 1, 12), 0, False),
        (lambda x: x.permute(-1, -2, -3), (4, 3, 2), (1, 4, 12), 0, False),
        (lambda x: x[1, ::2, 1:], (2, 3), (8, 1), 13, False),
        (lambda x: x[:, 1:3, ::3], (2, 2, 2), (12, 4, 3), 4, False),
        (lambda x: x[:, ::-1], (2, 3, 4), (12, -4, 1), 8, False),
        (lambda x: x[..., ::-2], (2, 3, 2), (12, 4, -2), 3, False),
        (lambda x: x[::-1, ::-1, ::-1], (2, 3, 4), (-12, -4, -1), 23, False),
        (lambda x: x[1, -2::-1, 3], (2,), (-4,), 19, False),
        (lambda x: x.flip(0), (2, 3, 4), (-12, 4, 1), 12, False),
        (lambda x: x.flip([0, 2]), (2, 3, 4), (-12, 4, -1), 15, False),
        (lambda x: torch.flip(x, (-1,)), (2, 3, 4), (12, 4, -1), 3, False),
        (lambda x: x.diagonal(), (4, 2), (1, 16), 0, False),
        (lambda x: x.diagonal(0, 1, 2), (2, 3), (12, 5), 0, False),
        (lambda x: x.diagonal(offset=1, dim1=1, dim2=2), (2, 3), (12, 5), 1, False),
        (lambda x: torch.diagonal(x, -1, 1, 2), (2, 2), (12, 5), 4, False),
        (lambda x: x.diagonal(0, 2, 1), (2, 3), (12, 5), 0, False),
        (lambda x: x.expand(5, 2, 3, 4), (5, 2, 3, 4), (0, 12, 4, 1), 0, False),
        (lambda x: x[:, :1].expand(-1, 3, -1), (2, 3, 4), (12, 0, 1), 0, False),
        (lambda x: x.flatten(), (24,), (1,), 0, True),
        (lambda x: x.flatten(1), (2, 12), (12, 1), 0, True),
        (lambda x: x.flatten(0, 1), (6, 4), (4, 1), 0, True),
        (lambda x: x.view(4, 6), (4, 6), (6, 1), 0, True),
        (lambda x: x.view(-1, 8), (3, 8), (8, 1), 0, True),
        (lambda x: x.view((3, -1)), (3, 8), (8, 1), 0, True),
        (lambda x: x.view(torch.Size([6, 4])), (6, 4), (4, 1), 0, True),
        (lambda x: x.reshape(2, 12), (2, 12), (12, 1), 0, True),
        (lambda x: x.reshape(-1), (24,), (1,), 0, True),
        (lambda x: x.unflatten(2, (2, 2)), (2, 3, 2, 2), (12, 4, 2, 1), 0, True),
        (lambda x: x.unflatten(-1, (-1, 2)), (2, 3, 2, 2), (12, 4, 2, 1), 0, True),
        (lambda x: x[1:].view(3, 4), (3, 4), (4, 1), 12, True),
        (lambda x: x[:, 1].view(2, 2, 2), (2, 2, 2), (12, 2, 1), 4, False),
        (lambda x: x.transpose(0, 1).view(3, 2, 2, 2), (3, 2, 2, 2), (4, 12, 2, 1), 0, False),
        (lambda x: x.as_strided((3, 3), (1, 3)), (3, 3), (1, 3), 0, False),
        (lambda x: x.as_strided((2, 2), (4, 1), 5), (2, 2), (4, 1), 5, False),
        (lambda x: torch.as_strided(x, (2, 3), (1, 1), 2), (2, 3), (1, 1), 2, False),
    ],
)
def test_hand_worked_views(x, op, shape, strides, offset, contiguous):
    v = op(x)
    assert v.shape == shape
    for d, n in enumerate(shape):
        if n > 1:
            assert v.stride()[d] == strides[d]
    assert v.storage_offset() == offset
    assert v.is_contiguous() is contiguous
    assert v.data_ptr() == x.data_ptr() + offset * x.element_size()
    assert v.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    # values: element [i, j, ...] sits at offset + sum(i * stride); x holds 0..23
    expected = np.fromfunction(lambda *ix: offset + sum(i * s for i, s in zip(ix, strides)), shape, dtype=np.int64)
    np.testing.assert_array_equal(values(v), expected)


def test_two_dim_transposes():
    m = torch.arange(6).view(2, 3)
    for v in [m.t(), m.T, m.mT, m.transpose(0, 1), m.permute(1, 0)]:
        assert v.shape == (3, 2)
        assert v.stride() == (1, 3)
        assert v.tolist() == [[0, 3], [1, 4], [2, 5]]
        assert not v.is_contiguous()
    v = torch.arange(3)
    assert v.t().shape == (3,) and v.t().tolist() == [0, 1, 2]
    s = torch.tensor(5)
    assert s.t().shape == ()


def test_t_on_3d_raises(x):
    with pytest.raises(RuntimeError):
        x.t()


def test_squeeze_unsqueeze():
    a = torch.arange(12).view(3, 1, 4)
    assert a.stride()[0] == 4 and a.stride()[2] == 1
    s = a.squeeze(1)
    assert s.shape == (3, 4) and s.stride() == (4, 1)
    assert a.squeeze(0).shape == (3, 1, 4)  # not of size 1: no-op
    assert a.squeeze().shape == (3, 4)
    assert a.squeeze(-2).shape == (3, 4)
    assert torch.zeros(1, 1).squeeze().shape == ()
    u = a.unsqueeze(0)
    assert u.shape == (1, 3, 1, 4) and u.is_contiguous()
    assert a.unsqueeze(-1).shape == (3, 1, 4, 1)
    assert a.unsqueeze(-4).shape == (1, 3, 1, 4)
    assert a.unsqueeze(3).shape == (3, 1, 4, 1)
    assert torch.tensor(7).unsqueeze(0).shape == (1,)
    for v in [s, u, a.squeeze(), a.unsqueeze(-1)]:
        assert v.data_ptr() == a.data_ptr()
    with pytest.raises(IndexError):
        a.unsqueeze(4)
    with pytest.raises(IndexError):
        a.squeeze(3)


def test_flatten_unflatten_edge_cases():
    s = torch.tensor(3)
    assert s.flatten().shape == (1,)
    assert s.flatten().tolist() == [3]
    a = torch.arange(6).view(2, 3)
    assert a.unflatten(1, (3, 1)).shape == (2, 3, 1)
    assert a.unflatten(0, torch.Size([1, 2])).shape == (1, 2, 3)
    with pytest.raises(RuntimeError):
        a.unflatten(1, (2, 2))


def test_view_errors():
    a = torch.arange(6).view(2, 3)
    with pytest.raises(RuntimeError):
        a.t().view(-1)
    with pytest.raises(RuntimeError):
        a.t().view(6)
    with pytest.raises(RuntimeError):
        a.view(-1, -1)
    with pytest.raises(RuntimeError):
        a.view(7)
    with pytest.raises(RuntimeError):
        a.view(4, -1)
    with pytest.raises(RuntimeError):
        a.reshape(5)
    with pytest.raises(RuntimeError):
        a[:, ::2].view(4)


def test_view_of_noncontiguous_when_compatible():
    a = torch.arange(24).view(4, 6)
    v = a[:, 2:].view(4, 2, 2)  # splitting a dim is always possible
    assert v.stride() == (6, 2, 1) and v.storage_offset() == 2
    w = a.t().view(3, 2, 4)
    assert w.stride() == (2, 1, 6)
    v[0, 0, 0] = -1
    assert a[0, 2].item() == -1


def test_reshape_view_or_copy():
    a = torch.arange(6).view(2, 3)
    r = a.reshape(3, 2)
    assert r.data_ptr() == a.data_ptr()
    r[0, 0] = 100
    assert a[0, 0].item() == 100
    c = a.t().reshape(-1)
    assert c.tolist() == [100, 3, 1, 4, 2, 5]
    assert c.untyped_storage().data_ptr() != a.untyped_storage().data_ptr()
    assert c.is_contiguous()
    c[0] = -7
    assert a[0, 0].item() == 100
    f = a.t().flatten()
    assert f.tolist() == [100, 3, 1, 4, 2, 5]
    f[1] = -8
    assert a[1, 0].item() == 3


def test_basic_index_items():
    a = torch.arange(12).view(3, 4)
    v = a[None]
    assert v.shape == (1, 3, 4) and v.data_ptr() == a.data_ptr()
    v = a[:, None, 1:3]
    assert v.shape == (3, 1, 2) and v.storage_offset() == 1
    v = a[...]
    assert v is not a and v.shape == (3, 4) and v.data_ptr() == a.data_ptr()
    v = a[..., 1]
    assert v.shape == (3,) and v.stride() == (4,) and v.storage_offset() == 1
    v = a[1, ..., None]
    assert v.shape == (4, 1)
    s = torch.tensor(3.5)
    assert s[()].shape == () and s[()].item() == 3.5
    assert s[None].shape == (1,)
    assert s[...].shape == ()
    e = a[2:1]
    assert e.shape == (0, 4) and e.numel() == 0
    assert a[10:].shape == (0, 4)
    assert a[-100:100].shape == (3, 4)
    assert a[::-1].tolist() == [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]
    assert a[1][2].item() == 6


def test_zero_slice_step_raises():
    a = torch.arange(5)
    with pytest.raises(ValueError):
        a[::0]


def test_index_errors():
    a = torch.arange(12).view(3, 4)
    for idx in [3, -4, (0, 4), (1, -5), (0, 0, 0), (0, 1, None, 2)]:
        with pytest.raises(IndexError):
            a[idx]
    with pytest.raises(IndexError):
        a[torch.tensor([0, 3])]
    with pytest.raises(IndexError):
        a[[0, -4]]
    with pytest.raises(IndexError):
        a[:, [4]]
    with pytest.raises(IndexError):
        torch.tensor(1.0)[0]
    with pytest.raises(IndexError):
        a[3] = 1
    with pytest.raises(IndexError):
        a.select(0, 3)


def test_expand_family():
    b = torch.tensor([1, 2, 3])
    e = b.expand(2, 3)
    assert e.stride() == (0, 1) and e.shape == (2, 3)
    assert e.tolist() == [[1, 2, 3], [1, 2, 3]]
    assert not e.is_contiguous()
    assert b.expand((2, 3)).stride() == (0, 1)
    assert b.expand(torch.Size([4, 3])).shape == (4, 3)
    assert b.expand(2, -1).shape == (2, 3)
    c = torch.arange(3).view(3, 1)
    f = c.expand(3, 4)
    assert f.stride() == (1, 0)
    assert f.tolist() == [[0] * 4, [1] * 4, [2] * 4]
    g = b.expand_as(torch.zeros(5, 3))
    assert g.shape == (5, 3) and g.stride() == (0, 1)
    h = torch.broadcast_to(c, (2, 3, 4))
    assert h.shape == (2, 3, 4) and h.stride() == (0, 1, 0)
    assert c.broadcast_to((3, 2)).stride() == (1, 0)
    # shared memory: writes to the base show in every broadcast copy
    b[1] = 20
    assert e.tolist() == [[1, 20, 3], [1, 20, 3]]
    assert g.data_ptr() == b.data_ptr()
    # one element of an expanded view is one memory location
    e[1, 2] = 30
    assert b.tolist() == [1, 20, 30]
    with pytest.raises(RuntimeError):
        b.expand(4, 2)
    with pytest.raises(RuntimeError):
        b.expand(2)
    with pytest.raises(RuntimeError):
        c.expand(4)


def test_inplace_on_expanded_raises():
    b = torch.tensor([1.0, 2.0, 3.0])
    e = b.expand(2, 3)
    with pytest.raises(RuntimeError):
        e.add_(1)
    with pytest.raises(RuntimeError):
        e += 1
    assert b.tolist() == [1.0, 2.0, 3.0]


def test_flip_is_a_view():
    a = torch.arange(6).view(2, 3)
    f = a.flip(1)
    assert f.tolist() == [[2, 1, 0], [5, 4, 3]]
    assert f.stride() == (3, -1) and f.storage_offset() == 2
    f[0, 0] = 100
    assert a[0, 2].item() == 100
    a[1, 0] = -5
    assert f[1, 2].item() == -5
    g = torch.flip(a, [0, 1])
    assert g.tolist() == [[5, 4, -5], [100, 1, 0]]
    assert g.storage_offset() == 5
    r = a[::-1]
    r[0, 1] = 44
    assert a[1, 1].item() == 44


def test_as_strided():
    base = torch.arange(12)
    v = base[2:]
    w = v.as_strided((2,), (1,))  # storage offset defaults to the view's
    assert w.storage_offset() == 2 and w.tolist() == [2, 3]
    z = v.as_strided((2,), (1,), 0)  # an explicit offset is absolute
    assert z.tolist() == [0, 1]
    o = base.as_strided((3, 2), (1, 1))  # overlapping windows
    assert o.tolist() == [[0, 1], [1, 2], [2, 3]]
    base[1] = 50
    assert o.tolist() == [[0, 50], [50, 2], [2, 3]]
    with pytest.raises(RuntimeError):
        base.as_strided((4, 4), (4, 1))


def test_unbind_split_chunk():
    a = torch.arange(20).view(10, 2)
    parts = a.split(3)
    assert isinstance(parts, tuple)
    assert [p.shape[0] for p in parts] == [3, 3, 3, 1]
    assert [p.storage_offset() for p in parts] == [0, 6, 12, 18]
    assert parts[3].tolist() == [[18, 19]]
    parts = torch.split(a, [2, 8])
    assert [tuple(p.shape) for p in parts] == [(2, 2), (8, 2)]
    parts = a.split(1, dim=1)
    assert [p.stride()[0] for p in parts] == [2, 2]
    assert parts[1].tolist() == [[i] for i in range(1, 20, 2)]
    ch = a.chunk(3)
    assert isinstance(ch, tuple)
    assert [p.shape[0] for p in ch] == [4, 4, 2]
    assert [p.shape[0] for p in torch.chunk(torch.arange(6), 4)] == [2, 2, 2]
    assert [p.shape[1] for p in a.chunk(2, dim=-1)] == [1, 1]
    ub = a.unbind(1)
    assert isinstance(ub, tuple) and len(ub) == 2
    assert ub[0].tolist() == list(range(0, 20, 2)) and ub[0].stride() == (2,)
    ub = torch.unbind(a)
    assert len(ub) == 10 and ub[4].tolist() == [8, 9]
    for p in list(a.split(3)) + list(a.chunk(3)) + list(a.unbind(0)):
        assert p.untyped_storage().data_ptr() == a.untyped_storage().data_ptr()
    a.split(3)[1][0, 0] = -1
    a.chunk(3)[2][1, 1] = -2
    a.unbind(1)[1][0] = -3
    assert a[3, 0].item() == -1 and a[9, 1].item() == -2 and a[0, 1].item() == -3


def test_contiguous():
    a = torch.arange(6).view(2, 3)
    assert a.contiguous() is a
    t = a.t()
    c = t.contiguous()
    assert c.is_contiguous() and c.stride() == (2, 1)
    assert c.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert c.untyped_storage().data_ptr() != a.untyped_storage().data_ptr()
    c[0, 0] = 99
    assert a[0, 0].item() == 0
    r = a[:, ::-1].contiguous()
    assert r.stride() == (3, 1) and r.tolist() == [[2, 1, 0], [5, 4, 3]]
    e = torch.tensor([1, 2]).expand(3, 2).contiguous()
    assert e.stride() == (2, 1) and e.tolist() == [[1, 2]] * 3
    e[0, 0] = 7
    assert e.tolist() == [[7, 2], [1, 2], [1, 2]]


def test_clone():
    a_np = np.arange(6, dtype=np.float32).reshape(2, 3)
    a = torch.arange(6, dtype=torch.float32).view(2, 3)
    for src, e in [(a, a_np), (a.t(), a_np.T), (a[:, ::2], a_np[:, ::2]), (a[::-1], a_np[::-1]),
                   (a.expand(2, 2, 3), np.broadcast_to(a_np, (2, 2, 3)))]:
        c = src.clone()
        assert c.shape == src.shape and c.dtype == torch.float32
        np.testing.assert_array_equal(values(c, np.float32), e)
        assert c.untyped_storage().data_ptr() != a.untyped_storage().data_ptr()
    c = a.clone()
    assert c.is_contiguous() and c.stride() == (3, 1)
    c[0, 0] = 50.0
    assert a[0, 0].item() == 0.0
    a[1, 1] = -1.0
    assert c[1, 1].item() == 4.0


def test_empty_tensors_are_contiguous():
    # PyTorch: a tensor with no elements is contiguous whatever its strides.
    a = torch.arange(6).view(2, 3)
    for v in [a[:0], a[:0].t(), a[:0, ::2], a[:, :0], a.t()[:, :0], torch.zeros(0, 3).t(),
              torch.arange(4).view(1, 2, 2)[:0].transpose(1, 2)]:
        assert v.numel() == 0
        assert v.is_contiguous()
        assert v.contiguous() is v


def test_view_ops_return_new_objects(x):
    for v in [x.view(24), x[:], x.transpose(0, 1), x.reshape(2, 12), x[...], x.permute(0, 1, 2)]:
        assert v is not x
        assert v.data_ptr() == x.data_ptr()


def test_data_ptr_relations():
    a = torch.zeros(10, dtype=torch.float64)
    for k in range(10):
        v = a[k:]
        assert v.storage_offset() == k
        assert v.data_ptr() == a.data_ptr() + 8 * k
    assert a.untyped_storage().nbytes() == 80
    assert a[3:5].untyped_storage().nbytes() == 80
    assert a[3:5].untyped_storage().data_ptr() == a.untyped_storage().data_ptr()
    assert a.clone().untyped_storage().data_ptr() != a.untyped_storage().data_ptr()


# --------------------------------------------------------------------------- hypothesis: chains of view ops


def _op_transpose(data, t, a):
    nd = a.ndim
    if nd == 0:
        return None
    d0, d1 = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    return t.transpose(d0, d1), np.swapaxes(a, d0, d1)


def _op_permute(data, t, a):
    if a.ndim == 0:
        return None
    perm = data.draw(st.permutations(range(a.ndim)))
    v = t.permute(*perm) if data.draw(st.booleans()) else torch.permute(t, tuple(perm))
    return v, np.transpose(a, perm)


def _op_t(data, t, a):
    if a.ndim > 2:
        return None
    return t.t(), a.T


def _op_T_mT(data, t, a):
    if a.ndim < 2:
        return None
    if a.ndim == 2 and data.draw(st.booleans()):
        return t.T, a.T
    return t.mT, np.swapaxes(a, -1, -2)


def _op_getitem(data, t, a):
    idx = basic_index(data, a.shape)
    return t[idx], np_basic(a, idx)


def _op_select(data, t, a):
    if a.ndim == 0:
        return None
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    i = data.draw(st.integers(-n, n - 1))
    return t.select(d, i), np_basic(a, (slice(None),) * (d % a.ndim) + (i,))


def _op_narrow(data, t, a):
    if a.ndim == 0:
        return None
    d = data.draw(st.integers(0, a.ndim - 1))
    n = a.shape[d]
    start = data.draw(st.integers(0, n - 1))
    length = data.draw(st.integers(1, n - start))
    return t.narrow(d, start, length), a[(slice(None),) * d + (slice(start, start + length),)]


def _op_unsqueeze(data, t, a):
    if a.ndim >= 6:
        return None
    d = data.draw(st.integers(-a.ndim - 1, a.ndim))
    return t.unsqueeze(d), np.expand_dims(a, d)


def _op_squeeze(data, t, a):
    if a.ndim == 0 or data.draw(st.booleans()):
        return t.squeeze(), np.squeeze(a)
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    return t.squeeze(d), (np.squeeze(a, d) if a.shape[d] == 1 else a)


def _op_expand(data, t, a):
    if a.ndim >= 6:
        return None
    new = [data.draw(st.integers(1, 3)) for _ in range(data.draw(st.integers(0, 2)))]
    target, arg = list(new), list(new)
    for n in a.shape:
        m = data.draw(st.integers(1, 3)) if n == 1 else n
        target.append(m)
        arg.append(-1 if (m == n and data.draw(st.booleans())) else m)
    if not target or np.prod(target) > 3000:
        return None
    how = data.draw(st.sampled_from(["varargs", "tuple", "broadcast_to", "fn", "expand_as"]))
    if how == "varargs":
        v = t.expand(*arg)
    elif how == "tuple":
        v = t.expand(tuple(arg))
    elif how == "broadcast_to":
        v = t.broadcast_to(tuple(target))
    elif how == "fn":
        v = torch.broadcast_to(t, tuple(target))
    else:
        v = t.expand_as(torch.zeros(tuple(target)))
    return v, np.broadcast_to(a, tuple(target))


def _op_flip(data, t, a):
    if a.ndim == 0:
        return None
    dims = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
    dims = [d - a.ndim if data.draw(st.booleans()) else d for d in dims]
    v = t.flip(dims) if data.draw(st.booleans()) else torch.flip(t, tuple(dims))
    return v, np.flip(a, tuple(dims))


def _op_diagonal(data, t, a):
    if a.ndim < 2:
        return None
    d1, d2 = data.draw(st.permutations(range(a.ndim)))[:2]
    off = data.draw(st.integers(-2, 2))
    r = np.diagonal(a, off, d1, d2)
    if r.size == 0:
        return None
    if data.draw(st.booleans()):
        return t.diagonal(off, d1, d2), r
    return torch.diagonal(t, offset=off, dim1=d1 - a.ndim, dim2=d2), r


def _op_pieces(data, t, a):
    if a.ndim == 0:
        return None
    d = data.draw(st.integers(0, a.ndim - 1))
    n = a.shape[d]
    kind = data.draw(st.sampled_from(["unbind", "split", "chunk"]))
    if kind == "unbind":
        i = data.draw(st.integers(0, n - 1))
        return t.unbind(d)[i], np_basic(a, (slice(None),) * d + (i,))
    if kind == "split":
        size = data.draw(st.integers(1, n))
        starts = list(range(0, n, size))
    else:
        chunks = data.draw(st.integers(1, n))
        size = -(-n // chunks)
        starts = list(range(0, n, size))
    i = data.draw(st.integers(0, len(starts) - 1))
    piece = (t.split(size, d) if kind == "split" else t.chunk(chunks, d))[i]
    return piece, a[(slice(None),) * d + (slice(starts[i], starts[i] + size),)]


def _reshape_target(data, a):
    """A new shape for a: merge a run of adjacent dims or split one, or flatten everything."""
    shape = list(a.shape)
    kind = data.draw(st.sampled_from(["merge", "split", "all"]))
    if kind == "all" or a.ndim == 0:
        return [a.size]
    if kind == "merge":
        i = data.draw(st.integers(0, a.ndim - 1))
        j = data.draw(st.integers(i, a.ndim - 1))
        return shape[:i] + [int(np.prod(shape[i:j + 1]))] + shape[j + 1:]
    i = data.draw(st.integers(0, a.ndim - 1))
    n = shape[i]
    k = data.draw(st.sampled_from([f for f in range(1, n + 1) if n % f == 0]))
    return shape[:i] + [k, n // k] + shape[i + 1:]


def _op_view(data, t, a):
    target = _reshape_target(data, a)
    r = nocopy_reshape(a, target)
    arg = list(target)
    if data.draw(st.booleans()):
        arg[data.draw(st.integers(0, len(arg) - 1))] = -1
    if r is None:
        with pytest.raises(RuntimeError):
            t.view(arg)
        return None
    return (t.view(*arg) if data.draw(st.booleans()) else t.view(tuple(arg))), r


def _op_unflatten(data, t, a):
    if a.ndim == 0:
        return None
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    k = data.draw(st.sampled_from([f for f in range(1, n + 1) if n % f == 0]))
    sizes = (k, -1) if data.draw(st.booleans()) else (k, n // k)
    dd = d % a.ndim
    r = nocopy_reshape(a, a.shape[:dd] + (k, n // k) + a.shape[dd + 1:])
    assert r is not None  # splitting one dim is always a view
    return t.unflatten(d, sizes), r


VIEW_OPS = [_op_transpose, _op_permute, _op_t, _op_T_mT, _op_getitem, _op_select, _op_narrow, _op_unsqueeze,
            _op_squeeze, _op_expand, _op_flip, _op_diagonal, _op_pieces, _op_view, _op_unflatten]


@SETTINGS
@given(shape=sizes(max_dims=4, max_side=5, min_dims=1), data=st.data())
def test_view_chains_match_numpy_and_share_memory(shape, data):
    base_a, base_t = make(shape)
    t, a = base_t, base_a
    for step in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(VIEW_OPS))
        res = op(data, t, a)
        if res is None:
            continue
        t, a = res
        check_layout(t, a, base_t, base_a)
        if a.size == 0:
            return
    check_shares(t, a, base_t, base_a, element_index(data, a.shape), marker=-1000)


@SETTINGS
@given(shape=sizes(max_dims=4, max_side=5, min_dims=1), data=st.data())
def test_reshape_and_flatten_view_iff_numpy_can(shape, data):
    base_a, base_t = make(shape)
    t, a = base_t, base_a
    # first scramble the layout with a couple of view ops
    for _ in range(data.draw(st.integers(0, 3))):
        res = data.draw(st.sampled_from([_op_transpose, _op_getitem, _op_flip, _op_expand, _op_permute]))(data, t, a)
        if res is not None:
            t, a = res
    if a.size == 0 or a.ndim == 0:
        return
    if data.draw(st.booleans()):
        target = _reshape_target(data, a)
        r = t.reshape(target)
    else:
        i = data.draw(st.integers(0, a.ndim - 1))
        j = data.draw(st.integers(i, a.ndim - 1))
        target = a.shape[:i] + (int(np.prod(a.shape[i:j + 1])),) + a.shape[j + 1:]
        r = t.flatten(i, j) if data.draw(st.booleans()) else torch.flatten(t, i - a.ndim, j)
    expected = nocopy_reshape(a, target)
    if expected is not None:
        check_layout(r, expected, base_t, base_a)
        check_shares(r, expected, base_t, base_a, element_index(data, expected.shape), marker=-77)
    else:
        check_copy(r, np.reshape(a, target), base_t, base_a)
        assert r.is_contiguous()


@SETTINGS
@given(shape=sizes(max_dims=4, max_side=4, min_dims=0), data=st.data())
def test_basic_indexing_matches_numpy(shape, data):
    base_a, base_t = make(shape)
    idx = basic_index(data, shape)
    v, e = base_t[idx], np_basic(base_a, idx)
    check_layout(v, e, base_t, base_a)
    if e.size:
        check_shares(v, e, base_t, base_a, element_index(data, e.shape), marker=-5)


@SETTINGS
@given(shape=sizes(max_dims=3, max_side=4, min_dims=1), data=st.data())
def test_contiguous_and_clone_after_views(shape, data):
    base_a, base_t = make(shape)
    t, a = base_t, base_a
    for _ in range(data.draw(st.integers(1, 3))):
        res = data.draw(st.sampled_from([_op_transpose, _op_getitem, _op_flip, _op_expand, _op_diagonal]))(data, t, a)
        if res is not None:
            t, a = res
    c = t.contiguous()
    if torch_is_contiguous(a.shape, np_strides(a)):
        assert c is t
    else:
        assert c.is_contiguous()
        check_copy(c, a.copy(), base_t, base_a)
    k = t.clone()
    assert k.dtype == t.dtype
    check_copy(k, a.copy(), base_t, base_a)


# --------------------------------------------------------------------------- advanced indexing (copies)


def test_advanced_index_examples():
    a_np = np.arange(24).reshape(4, 6)
    a = torch.arange(24).view(4, 6)
    cases = [
        (torch.tensor([0, 2]), [0, 2]),
        ([0, 2], [0, 2]),
        ([-1, 0, -1], [-1, 0, -1]),
        (range(1, 4, 2), list(range(1, 4, 2))),
        ((slice(None), [1, 5]), (slice(None), [1, 5])),
        ((slice(1, 3), torch.tensor([[0, 1], [2, 3]])), (slice(1, 3), np.array([[0, 1], [2, 3]]))),
        (([0, 3], [5, 0]), ([0, 3], [5, 0])),
        ((torch.tensor([[0], [3]]), torch.tensor([1, 2, 4])), (np.array([[0], [3]]), np.array([1, 2, 4]))),
        ((Ellipsis, [2]), (Ellipsis, [2])),
        ((None, [1, 2]), (None, [1, 2])),
        ((slice(None, None, -1), [0, 0]), (slice(None, None, -1), [0, 0])),
        (torch.tensor([], dtype=torch.int64), np.array([], dtype=np.int64)),
    ]
    for ti, ni in cases:
        r = a[ti]
        e = a_np[ni]
        assert tuple(r.shape) == e.shape, (ni, tuple(r.shape), e.shape)
        np.testing.assert_array_equal(values(r, np.int64), e)
        assert r.dtype == torch.int64
        if r.numel():
            assert r.untyped_storage().data_ptr() != a.untyped_storage().data_ptr()
            r[(0,) * r.dim()] = -1
    np.testing.assert_array_equal(values(a), a_np)


def test_advanced_indices_separated_by_slice_go_first():
    a_np = np.arange(60).reshape(3, 4, 5)
    a = torch.arange(60).view(3, 4, 5)
    r = a[[0, 2], :, [1, 3]]
    assert r.shape == (2, 4)
    np.testing.assert_array_equal(values(r), a_np[[0, 2], :, [1, 3]])
    r = a[:, [0, 1], [2, 3]]  # adjacent: stays in place
    assert r.shape == (3, 2)
    np.testing.assert_array_equal(values(r), a_np[:, [0, 1], [2, 3]])
    r = a[torch.tensor([[0], [1]]), 1:3, torch.tensor([0, 4])]
    assert r.shape == (2, 2, 2)
    np.testing.assert_array_equal(values(r), a_np[np.array([[0], [1]]), 1:3, np.array([0, 4])])


def test_int_with_advanced_index_follows_pytorch():
    # PyTorch applies integer indices first (as select), so the remaining
    # advanced index is not "separated": shape (4, 2), whereas NumPy gives (2, 4).
    a = torch.arange(60).view(3, 4, 5)
    r = a[0, :, [0, 1]]
    assert r.shape == (4, 2)
    assert r.tolist() == [[0, 1], [5, 6], [10, 11], [15, 16]]


def test_bool_mask_indexing():
    a_np = np.arange(12).reshape(3, 4)
    a = torch.arange(12).view(3, 4)
    m = (a_np % 3) == 0
    r = a[torch.tensor(m)]
    assert r.shape == (4,)
    assert r.tolist() == [0, 3, 6, 9]
    rows = torch.tensor([True, False, True])
    r = a[rows]
    np.testing.assert_array_equal(values(r), a_np[[True, False, True]])
    r = a[rows, 1:]
    np.testing.assert_array_equal(values(r), a_np[np.array([True, False, True]), 1:])
    cols = torch.tensor([False, True, True, False])
    r = a[:, cols]
    np.testing.assert_array_equal(values(r), a_np[:, [1, 2]])
    r = a[[True, False, True]]
    np.testing.assert_array_equal(values(r), a_np[[0, 2]])
    r = a[torch.zeros(3, 4, dtype=torch.bool)]
    assert r.shape == (0,)
    with pytest.raises(IndexError):
        a[torch.tensor([True, False])]


def _index_array_parts(data, shape):
    """A tuple index mixing slices and broadcastable integer arrays (no bare ints)."""
    nd = len(shape)
    n_used = data.draw(st.integers(1, nd))
    kinds = [data.draw(st.sampled_from(["arr", "slice", "full"])) for _ in range(n_used)]
    if "arr" not in kinds:
        kinds[data.draw(st.integers(0, n_used - 1))] = "arr"
    bshape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
    np_idx, t_idx = [], []
    for k, n in zip(kinds, shape):
        if k == "arr":
            ishape = tuple(1 if data.draw(st.booleans()) else s for s in bshape)
            ishape = ishape[data.draw(st.integers(0, len(ishape) - 1)):] if data.draw(st.booleans()) else ishape
            arr = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(ishape)),
                                              max_size=int(np.prod(ishape)))), dtype=np.int64).reshape(ishape)
            np_idx.append(arr)
            form = data.draw(st.sampled_from(["tensor", "list"])) if arr.ndim == 1 else "tensor"
            t_idx.append(torch.tensor(arr) if form == "tensor" else arr.tolist())
        elif k == "slice":
            s = data.draw(slice_st(n))
            np_idx.append(s)
            t_idx.append(s)
        else:
            np_idx.append(slice(None))
            t_idx.append(slice(None))
    return tuple(np_idx), tuple(t_idx)


@SETTINGS
@given(shape=sizes(max_dims=3, max_side=4, min_dims=1), data=st.data())
def test_advanced_indexing_matches_numpy(shape, data):
    base_a, base_t = make(shape)
    np_idx, t_idx = _index_array_parts(data, shape)
    expected = base_a[np_idx]
    r = base_t[t_idx]
    check_copy(r, expected, base_t, base_a)


@SETTINGS
@given(shape=sizes(max_dims=3, max_side=4, min_dims=1), data=st.data())
def test_bool_mask_matches_numpy(shape, data):
    base_a, base_t = make(shape)
    k = data.draw(st.integers(1, len(shape)))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape[:k])),
                                       max_size=int(np.prod(shape[:k]))))).reshape(shape[:k])
    if data.draw(st.booleans()) or k == len(shape):
        r, expected = base_t[torch.tensor(mask)], base_a[mask]
    else:
        s = data.draw(slice_st(shape[k]))
        r, expected = base_t[torch.tensor(mask), s], base_a[mask, s]
    check_copy(r, expected, base_t, base_a)


# --------------------------------------------------------------------------- __setitem__


def test_setitem_examples():
    a_np = np.zeros((3, 4), dtype=np.float32)
    a = torch.zeros(3, 4)
    ptr = a.data_ptr()
    mask = (np.arange(12).reshape(3, 4) % 5) == 0
    T = torch.tensor
    ops = [  # (rtensor index, numpy index, value)
        (1, 1, 5.0),
        ((slice(None), 1), (slice(None), 1), [1.0, 2.0, 3.0]),
        (slice(1, 3), slice(1, 3), [7.0, 8.0, 9.0, 10.0]),
        ((0, slice(None, None, -1)), (0, slice(None, None, -1)), [1.0, 2.0, 3.0, 4.0]),
        ((Ellipsis, 3), (Ellipsis, 3), -1.0),
        ((slice(None), None, 2), (slice(None), None, 2), [[11.0], [12.0], [13.0]]),
        ([0, 2], [0, 2], 6.0),
        (T([0, 2]), np.array([0, 2]), [[1.0], [2.0]]),
        (([0, 2], [1, 3]), ([0, 2], [1, 3]), [20.0, 21.0]),
        ((slice(None), [0, 3]), (slice(None), [0, 3]), [[30.0], [31.0], [32.0]]),
        (T(mask), mask, 0.5),
        (T([True, False, True]), np.array([True, False, True]), [-2.0, -3.0, -4.0, -5.0]),
        ((range(2), slice(2, None)), ([0, 1], slice(2, None)), [40.0, 41.0]),
    ]
    for t_idx, n_idx, val in ops:
        a[t_idx] = T(val) if isinstance(val, list) else val
        a_np[n_idx] = np.array(val, dtype=np.float32)
        np.testing.assert_array_equal(values(a, np.float32), a_np, err_msg=str(n_idx))
    assert a.data_ptr() == ptr


def test_setitem_keeps_identity():
    x = torch.tensor([1, 2])
    y = torch.tensor([3, 4])
    id_before, ptr_before = id(y), y.data_ptr()
    y[:] = y + x
    assert id(y) == id_before and y.data_ptr() == ptr_before
    assert y.tolist() == [4, 6]
    y[...] = 0
    assert id(y) == id_before and y.tolist() == [0, 0]


def test_setitem_through_view_reaches_base():
    a = torch.zeros(3, 4)
    v = a.t()[1:, ::-1]
    v[0] = torch.tensor([1.0, 2.0, 3.0])
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[:, 1] = [3.0, 2.0, 1.0]
    np.testing.assert_array_equal(values(a, np.float32), expected)


def test_setitem_dtype_conversion():
    a = torch.zeros(3, dtype=torch.int64)
    a[0] = 2.7
    a[1:] = torch.tensor([1.9, -1.9])
    assert a.tolist() == [2, 1, -1]
    f = torch.zeros(2)
    f[:] = torch.tensor([1, 2])
    assert f.tolist() == [1.0, 2.0] and f.dtype == torch.float32


def test_setitem_shape_mismatch_raises():
    a = torch.zeros(3, 4)
    with pytest.raises(RuntimeError):
        a[0] = torch.ones(3)
    with pytest.raises(RuntimeError):
        a[[0, 1]] = torch.ones(3, 4)


def _value_for(data, shape):
    """A scalar, or an int tensor broadcastable to `shape`."""
    if data.draw(st.booleans()):
        return data.draw(st.integers(-100, -1)), None
    vshape = list(shape[data.draw(st.integers(0, len(shape))):])
    vshape = [1 if data.draw(st.booleans()) else n for n in vshape]
    arr = np.array(data.draw(st.lists(st.integers(-100, -1), min_size=int(np.prod(vshape)),
                                      max_size=int(np.prod(vshape)))), dtype=np.int64).reshape(vshape)
    return torch.tensor(arr), arr


@SETTINGS
@given(shape=sizes(max_dims=3, max_side=4, min_dims=1), data=st.data())
def test_setitem_basic_matches_numpy(shape, data):
    base_a, base_t = make(shape)
    ptr = base_t.data_ptr()
    idx = basic_index(data, shape)
    target_shape = np.asarray(base_a[idx]).shape
    tv, nv = _value_for(data, target_shape)
    base_t[idx] = tv
    base_a[idx] = tv if nv is None else nv
    np.testing.assert_array_equal(values(base_t), base_a)
    assert base_t.data_ptr() == ptr


@SETTINGS
@given(shape=sizes(max_dims=3, max_side=4, min_dims=1), data=st.data())
def test_setitem_advanced_matches_numpy(shape, data):
    base_a, base_t = make(shape)
    ptr = base_t.data_ptr()
    d = data.draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    rows = [r - n if data.draw(st.booleans()) else r for r in rows]
    prefix = tuple(data.draw(slice_st(m)) for m in shape[:d])
    form = data.draw(st.sampled_from(["tensor", "list", "mask"]))
    if form == "mask":
        m = np.zeros(n, dtype=bool)
        m[rows] = True
        np_idx, t_idx = prefix + (m,), prefix + (torch.tensor(m),)
    else:
        np_idx = prefix + (np.array(rows),)
        t_idx = prefix + ((torch.tensor(rows),) if form == "tensor" else (rows,))
    target_shape = base_a[np_idx].shape
    tv, nv = _value_for(data, target_shape)
    base_t[t_idx] = tv
    base_a[np_idx] = tv if nv is None else nv
    np.testing.assert_array_equal(values(base_t), base_a)
    assert base_t.data_ptr() == ptr
