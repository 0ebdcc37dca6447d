"""Backwards of views (NOTE [View backward]): the gradient is written into zeros
through the same view, and CopySlices zeroes or reads it through the view. Each
case runs gradcheck and gradgradcheck (double backward goes through the same
paths), including the fallbacks: an `as_strided` that overlaps itself (adds, via
the index map) and one over a strided base (a gather)."""
import numpy as np
import pytest

import rtensor as torch


def _inp(*shape, seed=0):
    a = np.random.default_rng(seed).uniform(-1.0, 1.0, shape)
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _setitem(x):
    b = x * 2
    b[1:3, ::2] = x[1:3, ::2] * x[0, :3]
    return b * x


def _inplace_through_view(x):
    b = x.clone()
    b.t()[1].mul_(x[:, 0].exp())
    return b * b


def _inplace_view_of_view(x):
    b = x + 0
    b[1:][:, 2:].add_(x[1:, :3] ** 2)
    return b


def _untracked(x):
    y = torch.zeros(4, 5, dtype=torch.float64)
    y[1:3, 0:4:2] = x[:2, :2] * 3
    return y * x


VIEWS = {
    "select": lambda x: x[:, 1] * x[2, :4],
    "step slice": lambda x: x[::2, 1:4] ** 2,
    "negative index": lambda x: x[-1, ::3] ** 2,
    "diagonal": lambda x: x.diagonal(1) ** 2,
    "narrow": lambda x: x.narrow(1, 1, 3) ** 3,
    "unbind": lambda x: x.unbind(1)[2] * x.unbind(0)[1][:4],
    "split": lambda x: x.split(2, 1)[1] ** 2,
    "as_strided": lambda x: x.as_strided((3, 2), (5, 2), 1) ** 2,
    "as_strided overlapping": lambda x: x.as_strided((3, 3), (1, 1), 2) ** 2,
    "as_strided of a transpose": lambda x: x.t().as_strided((3, 2), (5, 2), 1) ** 2,
    "as_strided of a slice": lambda x: x[1:].as_strided((3, 2), (5, 2), 6) ** 2,
    "view of a view": lambda x: x[1:, ::2][0] ** 2,
    "advanced index (gather)": lambda x: x[torch.tensor([0, 2, 2])] ** 2,
    "setitem (CopySlices)": _setitem,
    "in-place through a view": _inplace_through_view,
    "in-place through a view of a view": _inplace_view_of_view,
    "untracked view written": _untracked,
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_gradcheck(name):
    assert torch.autograd.gradcheck(VIEWS[name], (_inp(4, 5),))


# `mul_` saves its old `self`: a snapshot with its own metadata, so the rebase
# after the write does not move the saved value's history (`b = x * 1;
# b.mul_(x)`, second derivatives).
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_gradgradcheck(name):
    assert torch.autograd.gradgradcheck(VIEWS[name], (_inp(4, 5),))


def test_view_gradient_is_zero_outside_the_view():
    x = torch.ones(3, 4, requires_grad=True)
    (x[:, 1] * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    want = np.zeros((3, 4), np.float32)
    want[:, 1] = [1, 2, 3]
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_overlapping_as_strided_adds_up():
    # Elements 1 and 2 are read twice by the view: their gradients add.
    x = torch.zeros(4, requires_grad=True)
    x.as_strided((2, 2), (1, 1)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 1, 0])


def test_double_backward_of_a_view_is_the_view():
    x = torch.rand(3, 4, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad((x[1:, 2] ** 2).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "SliceBackwardBackward0"
    (gg,) = torch.autograd.grad(g.sum(), x)
    want = np.zeros((3, 4))
    want[1:, 2] = 2
    np.testing.assert_allclose(gg.numpy(), want)


def test_copy_slices_gradients():
    # base <- base with base[0] = v: the old base gets g with row 0 zeroed, v gets g[0].
    w = torch.rand(2, 3, requires_grad=True)
    v = torch.rand(3, requires_grad=True)
    b = w * 1
    b[0] = v
    g = torch.arange(6.0).view(2, 3)
    (b * g).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0, 0], [3, 4, 5]])
    np.testing.assert_array_equal(v.grad.numpy(), [0, 1, 2])
