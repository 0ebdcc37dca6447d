"""Autograd semantics, PyTorch's behaviour as the specification.

requires_grad / is_leaf / grad_fn (names, next_functions, repr), which dtypes may require
grad, gradient accumulation and resetting, implicit and explicit output gradients,
retain_graph, hooks, retain_grad, grad modes (no_grad / enable_grad / set_grad_enabled /
inference_mode, as context managers and decorators), in-place rules (leaves, non-leaves,
views, setitem, version counter with and without anomaly detection), detach / .data,
torch.autograd.grad (allow_unused, create_graph), nn.Parameter, numpy() refusal,
torch.autograd.graph, and a memory check of a long training-style loop.

Expected values are hand-worked; expected behaviour (error types and messages, names)
was confirmed against reference PyTorch.
"""
from __future__ import annotations

import gc
import os
import re
import weakref

import numpy as np
import pytest

from _oracle import torch

THIS_FILE = os.path.basename(__file__)


def f64(values, requires_grad=False):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


def arr(t):
    return np.array(t.detach().numpy(), copy=True)


# --------------------------------------------------------------------------------------
# requires_grad / is_leaf / grad_fn
# --------------------------------------------------------------------------------------
def test_requires_grad_defaults_and_propagation():
    a = torch.ones(3)
    assert a.requires_grad is False and a.is_leaf and a.grad_fn is None and a.grad is None
    x = torch.ones(3, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    y = x + a
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    z = a * 2
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None
    # integer / bool results of differentiable inputs never require grad
    for r in (x > 0, x.argmax(), x.long(), x.int()):
        assert not r.requires_grad and r.grad_fn is None


@pytest.mark.parametrize("make", [
    lambda: torch.zeros(2, requires_grad=True),
    lambda: torch.ones(2, 3, requires_grad=True),
    lambda: torch.randn(2, requires_grad=True),
    lambda: torch.rand(2, requires_grad=True),
    lambda: torch.empty(2, requires_grad=True),
    lambda: torch.full((2,), 1.5, requires_grad=True),
    lambda: torch.arange(3.0, requires_grad=True),
    lambda: torch.linspace(0, 1, 3, requires_grad=True),
    lambda: torch.eye(2, requires_grad=True),
    lambda: torch.zeros_like(torch.ones(2), requires_grad=True),
    lambda: torch.ones_like(torch.ones(2), requires_grad=True),
    lambda: torch.tensor([1.0, 2.0], requires_grad=True),
    lambda: torch.tensor(1.5, dtype=torch.float16, requires_grad=True),
    lambda: torch.tensor(1.5, dtype=torch.bfloat16, requires_grad=True),
    lambda: torch.ones(2, dtype=torch.float64).requires_grad_(),
], ids=lambda f: "")
def test_factories_accept_requires_grad(make):
    t = make()
    assert t.requires_grad and t.is_leaf and t.grad_fn is None


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_only_float_tensors_can_require_grad(dtype):
    dt = getattr(torch, dtype)
    t = torch.zeros(2, dtype=dt)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_(True)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 0], dtype=dt, requires_grad=True)
    assert not t.requires_grad
    t.requires_grad_(False)  # turning it off is always fine


def test_requires_grad_flag_only_on_leaves():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    x.requires_grad_(False)
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf


# grad_fn names reported by reference PyTorch for these expressions
GRAD_FN_NAMES = [
    ("x + y", "AddBackward0"), ("x - y", "SubBackward0"), ("x * y", "MulBackward0"),
    ("x / y", "DivBackward0"), ("x + 1", "AddBackward0"), ("x * 2", "MulBackward0"),
    ("x.sum()", "SumBackward0"), ("x.sum(0)", "SumBackward1"), ("x.mean()", "MeanBackward0"),
    ("x.mean(0)", "MeanBackward1"), ("x.exp()", "ExpBackward0"), ("x.pow(2)", "PowBackward0"),
    ("x ** y", "PowBackward1"), ("x.relu()", "ReluBackward0"), ("x.sigmoid()", "SigmoidBackward0"),
    ("x.abs()", "AbsBackward0"), ("x.max()", "MaxBackward1"), ("x.max(0)[0]", "MaxBackward0"),
    ("x.var()", "VarBackward0"), ("x.std()", "StdBackward0"), ("x.expand(2, 3)", "ExpandBackward0"),
    ("x.unsqueeze(0)", "UnsqueezeBackward0"), ("x.view(3, 1)", "ViewBackward0"),
    ("x.reshape(3, 1)", "ViewBackward0"), ("x[1:]", "SliceBackward0"), ("x[0]", "SelectBackward0"),
    ("x.t()", "TBackward0"), ("x.double()", "ToCopyBackward0"), ("x.clone()", "CloneBackward0"),
    ("x.norm()", "LinalgVectorNormBackward0"), ("torch.amax(x)", "AmaxBackward0"),
    ("torch.cat([x, y])", "CatBackward0"), ("torch.stack([x, y])", "StackBackward0"),
    ("x.clamp(0, 1)", "ClampBackward1"), ("torch.where(x > 0, x, y)", "WhereBackward0"),
    ("x.cumsum(0)", "CumsumBackward0"), ("torch.logsumexp(x, 0)", "LogsumexpBackward0"),
    ("x.tanh()", "TanhBackward0"), ("x.sin()", "SinBackward0"), ("x.log()", "LogBackward0"),
    ("x.sqrt()", "SqrtBackward0"), ("-x", "NegBackward0"), ("x.prod()", "ProdBackward0"),
    ("x.prod(0)", "ProdBackward1"), ("x.flip(0)", "FlipBackward0"), ("x @ y", "DotBackward0"),
]


@pytest.mark.parametrize("expr,name", GRAD_FN_NAMES, ids=[e for e, _ in GRAD_FN_NAMES])
def test_grad_fn_names(expr, name):
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = torch.tensor([1.5, 2.0, 0.25], requires_grad=True)
    r = eval(expr)
    assert r.grad_fn is not None
    assert r.grad_fn.name() == name


# In-place ops on a non-leaf: names reported by reference PyTorch.
INPLACE_GRAD_FN_NAMES = [
    ("y[0] = 5.0", "CopySlices"), ("y[1:] = x[:2]", "CopySlices"),
    ("y[torch.tensor([0, 2])] = 5.0", "IndexPutBackward0"), ("y.copy_(x * 3)", "CopyBackwards"),
    ("y.fill_(2.0)", "FillBackward0"), ("y.zero_()", "ZeroBackward0"),
]


@pytest.mark.parametrize("stmt,name", INPLACE_GRAD_FN_NAMES, ids=[e for e, _ in INPLACE_GRAD_FN_NAMES])
def test_inplace_grad_fn_names(stmt, name):
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * 1
    exec(stmt)
    assert y.grad_fn.name() == name


def test_grad_fn_type_names():
    # PyTorch: each node kind is its own class, named like the node
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    assert type((x + x).grad_fn).__name__ == "AddBackward0"
    assert type(x.sum().grad_fn).__name__ == "SumBackward0"
    assert type((x * 2).grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"


def node_name(n):
    # PyTorch's AccumulateGrad.name() is "torch::autograd::AccumulateGrad"
    return n.name().split("::")[-1]


def test_grad_fn_repr_and_next_functions():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    s = x + y
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-fA-F]+>", repr(s.grad_fn)), repr(s.grad_fn)
    nf = s.grad_fn.next_functions
    assert isinstance(nf, tuple) and len(nf) == 2
    for (node, idx), leaf in zip(nf, (x, y)):
        assert idx == 0
        assert node_name(node) == "AccumulateGrad"
        assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-fA-F]+>", repr(node))
        assert node.variable.data_ptr() == leaf.data_ptr()
        assert node.next_functions == ()
    # a constant operand has no edge: (None, 0)
    m = x * 2
    assert node_name(m.grad_fn.next_functions[0][0]) == "AccumulateGrad"
    assert m.grad_fn.next_functions[1] == (None, 0)
    # chains: mean -> mul -> (AccumulateGrad x, AccumulateGrad y)
    loss = (x * y).mean()
    assert loss.grad_fn.name() == "MeanBackward0"
    (mul_node, _), = loss.grad_fn.next_functions
    assert mul_node.name() == "MulBackward0"
    assert [node_name(n) for n, _ in mul_node.next_functions] == ["AccumulateGrad"] * 2
    # an operand that does not require grad contributes a None edge
    c = torch.ones(2)
    assert (x * c).grad_fn.next_functions[1] == (None, 0)


def test_pow_scalar_next_functions_has_one_edge():
    # PyTorch: x.pow(2).grad_fn.next_functions == ((AccumulateGrad, 0),): the scalar
    # exponent is not an input of PowBackward0
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    nf = x.pow(2).grad_fn.next_functions
    assert len(nf) == 1 and node_name(nf[0][0]) == "AccumulateGrad"


# --------------------------------------------------------------------------------------
# .grad: accumulation, zeroing, resetting
# --------------------------------------------------------------------------------------
def test_gradient_accumulates_across_backward_calls():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 4.0, 6.0])
    g = x.grad
    (x * 3).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [5.0, 7.0, 9.0])
    # accumulation is in place: the earlier reference sees the sum too (as in PyTorch)
    np.testing.assert_array_equal(arr(g), [5.0, 7.0, 9.0])
    assert x.grad.dtype == torch.float64 and not x.grad.requires_grad


def test_grad_attribute_is_the_same_object():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad is x.grad


def test_grad_zero_():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad.zero_()
    np.testing.assert_array_equal(arr(x.grad), [0.0, 0.0])
    (x * 3).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [3.0, 3.0])


def test_grad_data_zero_():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad.data.zero_()
    np.testing.assert_array_equal(arr(x.grad), [0.0, 0.0])
    (x * 3).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [3.0, 3.0])


def test_grad_set_to_none_and_assigned():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 5).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [5.0, 5.0])
    x.grad = f64([10.0, 20.0])
    (x * 1).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [11.0, 21.0])
    with pytest.raises(RuntimeError):
        x.grad = f64([1.0, 2.0, 3.0])  # wrong size


def test_non_leaf_grad_is_none():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    (y * y).sum().backward()
    assert y.grad is None
    np.testing.assert_array_equal(arr(x.grad), [18.0, 36.0])


# --------------------------------------------------------------------------------------
# backward: implicit / explicit gradients, retain_graph, inputs=
# --------------------------------------------------------------------------------------
def test_non_scalar_backward_needs_gradient():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    # PyTorch accepts any single-element output, 0-d or not
    z = (x * 2).sum().reshape(1, 1)
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_backward_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (torch.ones(2) * 2).sum().backward()


def test_vector_jacobian_product():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x  # J = diag(2x)
    y.backward(f64([1.0, 0.1, 0.01]))
    np.testing.assert_allclose(arr(x.grad), [2.0, 0.4, 0.06], rtol=1e-15)
    # matrix output, non-contiguous gradient
    a = f64([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = f64([[1.0, 3.0], [2.0, 4.0]]).t()  # [[1, 2], [3, 4]] stored transposed
    (a.exp()).backward(w)
    np.testing.assert_allclose(arr(a.grad), np.exp([[1.0, 2.0], [3.0, 4.0]]) * [[1, 2], [3, 4]],
                               rtol=1e-14)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (a * 2).backward(f64([1.0, 2.0]))


def test_retain_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    x.grad = None
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(arr(x.grad), 2 * (e + e * np.array([1.0, 2.0])), rtol=1e-14)


def test_retain_graph_autograd_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    torch.autograd.grad(y, [x])
    with pytest.raises(RuntimeError, match="second time"):
        torch.autograd.grad(y, [x])
    y = (x * x).sum()
    (g1,) = torch.autograd.grad(y, [x], retain_graph=True)
    (g2,) = torch.autograd.grad(y, [x])
    np.testing.assert_array_equal(arr(g1), arr(g2))
    assert x.grad is None  # autograd.grad does not accumulate into .grad


def test_backward_inputs_restricts_accumulation():
    x = f64([1.0, 2.0], requires_grad=True)
    z = f64([3.0, 4.0], requires_grad=True)
    (x * z).sum().backward(inputs=[x])
    np.testing.assert_array_equal(arr(x.grad), [3.0, 4.0])
    assert z.grad is None


def test_autograd_backward_function_with_multiple_roots():
    x = f64([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = x * x
    torch.autograd.backward([a, b], [f64([1.0, 1.0]), f64([1.0, 10.0])])
    np.testing.assert_array_equal(arr(x.grad), [2.0 + 2.0, 2.0 + 40.0])


def test_shared_subexpression_diamond():
    x = f64([2.0], requires_grad=True)
    a = x * 3
    b = a * a + a.exp() + a  # three uses of a
    b.backward(f64([1.0]))
    # db/dx = 3 * (2a + e^a + 1), a = 6
    np.testing.assert_allclose(arr(x.grad), [3 * (12 + np.exp(6.0) + 1)], rtol=1e-14)


# --------------------------------------------------------------------------------------
# hooks and retain_grad
# --------------------------------------------------------------------------------------
def test_hooks_order_and_replacement():
    log = []
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: log.append(("y1", g.tolist())))
    y.register_hook(lambda g: (log.append(("y2", g.tolist())), g * 2)[1])
    y.register_hook(lambda g: log.append(("y3", g.tolist())))
    x.register_hook(lambda g: log.append(("x", g.tolist())))
    (y * y).sum().backward()
    # dL/dy = 2y = [6, 12]; the second hook doubles it for everything downstream
    assert log == [("y1", [6.0, 12.0]), ("y2", [6.0, 12.0]), ("y3", [12.0, 24.0]),
                   ("x", [36.0, 72.0])]
    np.testing.assert_array_equal(arr(x.grad), [36.0, 72.0])


def test_leaf_hook_changes_what_is_accumulated():
    x = f64([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [6.0, 6.0])


def test_hook_handle_remove():
    x = f64([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 100)
    h.remove()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0])


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        torch.ones(2).register_hook(lambda g: g)


def test_retain_grad_non_leaf():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [6.0, 12.0])
    np.testing.assert_array_equal(arr(x.grad), [18.0, 36.0])
    assert not x.retains_grad  # leaves keep .grad anyway; retains_grad stays False
    x.retain_grad()
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        torch.ones(2).retain_grad()


def test_retain_grad_sees_hooked_gradient():
    # PyTorch >= 2.0: the retained .grad is the gradient after the tensor's hooks ran
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    y.sum().backward()
    np.testing.assert_array_equal(arr(y.grad), [2.0, 2.0])
    np.testing.assert_array_equal(arr(x.grad), [6.0, 6.0])


def test_retain_grad_accumulates():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(arr(y.grad), [12.0, 24.0])


# --------------------------------------------------------------------------------------
# grad modes
# --------------------------------------------------------------------------------------
def test_no_grad_context_manager():
    x = torch.ones(2, requires_grad=True)
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_no_grad_decorator():
    @torch.no_grad()
    def f(t):
        return t * 2, torch.is_grad_enabled()

    x = torch.ones(2, requires_grad=True)
    y, enabled = f(x)
    assert not y.requires_grad and not enabled and torch.is_grad_enabled()
    assert f.__name__ == "f"


def test_no_grad_bare_decorator():
    # PyTorch >= 2.0 also accepts @torch.no_grad without parentheses
    @torch.no_grad
    def f(t):
        return t * 2

    assert not f(torch.ones(2, requires_grad=True)).requires_grad


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError("boom")
    assert torch.is_grad_enabled()


def test_nesting_with_enable_grad():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            y = x * 2
        z = x * 2
        assert not torch.is_grad_enabled()
    assert y.requires_grad and not z.requires_grad

    @torch.enable_grad()
    def g(t):
        return t * 2

    with torch.no_grad():
        assert g(x).requires_grad
        assert not torch.is_grad_enabled()


def test_set_grad_enabled():
    x = torch.ones(2, requires_grad=True)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()
    with torch.set_grad_enabled(True):
        assert (x * 2).requires_grad
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()
    with torch.no_grad():
        with torch.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not torch.is_grad_enabled()


def test_inference_mode():
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert not torch.is_grad_enabled()
        y = x * 2
    assert not y.requires_grad and torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert (x * 2).requires_grad

    @torch.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and torch.is_grad_enabled()


def test_autograd_namespace_grad_modes():
    assert torch.autograd.no_grad is torch.no_grad
    assert torch.autograd.enable_grad is torch.enable_grad
    with torch.autograd.no_grad():
        assert not torch.is_grad_enabled()


# --------------------------------------------------------------------------------------
# in-place rules
# --------------------------------------------------------------------------------------
def test_inplace_update_of_leaf_under_no_grad():
    w = f64([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    lr = 0.1
    with torch.no_grad():
        w -= lr * w.grad
    np.testing.assert_allclose(arr(w), [0.8, 1.6], rtol=1e-15)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    with torch.no_grad():
        w[0] = 10.0
        w.mul_(2)
    np.testing.assert_allclose(arr(w), [20.0, 3.2], rtol=1e-15)
    assert w.is_leaf and w.requires_grad
    # the next step still differentiates the updated leaf
    w.grad = None
    (w * w).sum().backward()
    np.testing.assert_allclose(arr(w.grad), [40.0, 6.4], rtol=1e-15)


@pytest.mark.parametrize("op", [
    lambda w: w.add_(1), lambda w: w.mul_(2), lambda w: w.zero_(),
    lambda w: w.__isub__(1.0), lambda w: w.__setitem__(0, 5.0), lambda w: w.exp_(),
    lambda w: w[:1].add_(1),
], ids=["add_", "mul_", "zero_", "isub", "setitem", "exp_", "view add_"])
def test_inplace_on_leaf_requiring_grad_raises(op):
    w = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        op(w)
    np.testing.assert_array_equal(arr(w), [1.0, 2.0])


def test_sgd_via_data_outside_no_grad():
    w = f64([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad
    np.testing.assert_allclose(arr(w), [0.8, 1.6], rtol=1e-15)
    assert w.requires_grad and w.is_leaf


INPLACE_NONLEAF = [
    # (op applied to y = 2x, d op(u)/du as a NumPy function of u)
    ("add_(1.5)", lambda u: np.ones_like(u)),
    ("sub_(0.5)", lambda u: np.ones_like(u)),
    ("mul_(3.0)", lambda u: np.full_like(u, 3.0)),
    ("div_(4.0)", lambda u: np.full_like(u, 0.25)),
    ("pow_(2)", lambda u: 2 * u),
    ("exp_()", np.exp),
    ("log_()", lambda u: 1 / u),
    ("sqrt_()", lambda u: 0.5 / np.sqrt(u)),
    ("sin_()", np.cos),
    ("tanh_()", lambda u: 1 - np.tanh(u) ** 2),
    ("sigmoid_()", lambda u: np.exp(-u) / (1 + np.exp(-u)) ** 2),
    ("relu_()", lambda u: (u > 0).astype(float)),
    ("abs_()", np.sign),
    ("neg_()", lambda u: -np.ones_like(u)),
    ("reciprocal_()", lambda u: -1 / u ** 2),
    ("clamp_(0.5, 3.0)", lambda u: ((u > 0.5) & (u < 3.0)).astype(float)),
    ("clamp_(max=3.0)", lambda u: (u < 3.0).astype(float)),
    ("clamp_(min=2.5)", lambda u: (u > 2.5).astype(float)),
    ("clip_(0.5, 3.0)", lambda u: ((u > 0.5) & (u < 3.0)).astype(float)),
    ("fill_(2.0)", np.zeros_like),
    ("zero_()", np.zeros_like),
    ("copy_(torch.ones(3, dtype=torch.float64))", np.zeros_like),
    ("masked_fill_(torch.tensor([True, False, True]), 1.0)", lambda u: np.array([0.0, 1.0, 0.0])),
    ("mul_(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))", lambda u: np.array([1.0, 2.0, 3.0])),
]


@pytest.mark.parametrize("op,deriv", INPLACE_NONLEAF, ids=[o for o, _ in INPLACE_NONLEAF])
def test_inplace_on_non_leaf(op, deriv):
    xv = np.array([0.3, 1.2, 2.1])
    x = f64(xv, requires_grad=True)
    y = x * 2
    eval("y." + op)
    assert y.requires_grad and not y.is_leaf
    y.sum().backward()
    np.testing.assert_allclose(arr(x.grad), 2 * deriv(2 * xv), rtol=1e-12, atol=1e-15)


def test_inplace_add_on_non_leaf_hand_worked():
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 2
    y.add_(1)
    assert y.grad_fn is not None and y.grad_fn.name() == "AddBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), np.full((2, 3), 2.0))


def test_setitem_on_non_leaf():
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 2
    y[:, 0] = 0
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [[0.0, 2.0, 2.0], [0.0, 2.0, 2.0]])


def test_setitem_with_differentiable_value():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    w = f64([1.0, 10.0, 100.0], requires_grad=True)
    y = x * 1
    y[1] = w[2]
    (y * f64([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(arr(w.grad), [0.0, 0.0, 2.0])


def test_setitem_into_plain_tensor_makes_it_part_of_graph():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    c = torch.zeros(3, dtype=torch.float64)
    c[0] = x[1] * 2
    assert c.requires_grad and not c.is_leaf
    c.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [0.0, 2.0, 0.0])
    d = torch.zeros(3, dtype=torch.float64)
    x.grad = None
    d.add_(x * x)
    d.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 4.0, 6.0])


def test_inplace_through_view_of_non_leaf():
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 2
    v = y[0]
    v.mul_(3)
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [[6.0, 6.0, 6.0], [2.0, 2.0, 2.0]])
    x.grad = None
    y = x * 2
    y[1:] *= 5
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [[2.0, 2.0, 2.0], [10.0, 10.0, 10.0]])


def test_setitem_reading_itself():
    x = f64([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.clone()
    y[0] = y[1] * 3
    y.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [[0.0, 0.0], [4.0, 4.0]])


def test_inplace_without_saved_dependency_is_fine():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y + 1  # AddBackward saves nothing
    y.add_(1)
    z.sum().backward()
    np.testing.assert_array_equal(arr(x.grad), [2.0, 2.0, 2.0])


@pytest.mark.parametrize("op,name", [("add_(1)", "add_"), ("mul_(2)", "mul_"), ("sub_(1)", "sub_"),
                                     ("zero_()", "zero_"), ("exp_()", "exp_")])
def test_version_counter_error(op, name):
    x = torch.ones(2, requires_grad=True)
    a = x.exp()
    b = a.sin()  # saves a
    eval("a." + op)
    with pytest.raises(RuntimeError) as e:
        b.sum().backward()
    msg = str(e.value)
    assert "modified by an inplace operation" in msg
    assert name in msg


def test_version_counter_error_via_detached_alias():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x.sin()  # saves x
    x.detach().add_(1)  # same storage, bumps the shared version
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_version_counter_mul_saves_operand():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("op,name", [
    (lambda a: a.add_(1), "add_"),
    (lambda a: a.mul_(2), "mul_"),
    (lambda a: a.__setitem__(0, 5.0), ""),
], ids=["add_", "mul_", "setitem"])
def test_version_counter_error_with_anomaly_names_this_file(op, name):
    # the in-place op is called from a lambda in this file, so the location recorded for
    # it (and for the forward sin) must point here, not into rtensor's own wrappers
    x = torch.ones(2, requires_grad=True)
    with torch.autograd.set_detect_anomaly(True):
        a = x.exp()
        b = a.sin()
        op(a)
        with pytest.raises(RuntimeError) as e:
            b.sum().backward()
    msg = str(e.value)
    assert "modified by an inplace operation" in msg
    assert name in msg
    assert THIS_FILE in msg, msg


def test_detect_anomaly_context_manager_restores():
    x = torch.ones(2, requires_grad=True)
    with torch.autograd.detect_anomaly():
        a = x.exp()
        b = a.sin()
        a.add_(1)
        with pytest.raises(RuntimeError) as e:
            b.sum().backward()
    assert THIS_FILE in str(e.value), str(e.value)
    assert not torch.autograd.is_anomaly_enabled()


# --------------------------------------------------------------------------------------
# detach / .data / numpy
# --------------------------------------------------------------------------------------
def test_detach_shares_storage_and_has_no_grad():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None and d.grad is None
    assert d.data_ptr() == y.data_ptr()
    dx = x.detach()
    dx[0] = 7.0  # visible through x
    np.testing.assert_array_equal(arr(x), [7.0, 2.0, 3.0])
    assert x.requires_grad
    # detached results do not carry gradients back
    (x * dx).sum().backward()
    np.testing.assert_array_equal(arr(x.grad), arr(dx))


def test_data_shares_storage():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    d[0] = 9.0
    np.testing.assert_array_equal(arr(x), [9.0, 2.0, 3.0])
    x.data.zero_()
    np.testing.assert_array_equal(arr(x), [0.0, 0.0, 0.0])
    assert x.requires_grad and x.is_leaf
    x.data = f64([5.0, 6.0])
    assert tuple(x.shape) == (2,) and x.requires_grad
    np.testing.assert_array_equal(arr(x), [5.0, 6.0])


def test_numpy_on_tensor_requiring_grad_raises():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    with pytest.raises(RuntimeError):
        (x * 2).numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 1.0])
    with torch.no_grad():  # PyTorch only refuses while grad mode is on
        np.testing.assert_array_equal(x.numpy(), [1.0, 1.0])


def test_item_and_tolist_work_with_grad():
    x = f64([1.5, 2.5], requires_grad=True)
    assert x.sum().item() == 4.0
    assert x.tolist() == [1.5, 2.5]


# --------------------------------------------------------------------------------------
# torch.autograd.grad
# --------------------------------------------------------------------------------------
def test_autograd_grad_basic_and_grad_outputs():
    x = f64([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * x).sum(), [x])
    np.testing.assert_array_equal(arr(g), [2.0, 4.0])
    assert not g.requires_grad
    (g,) = torch.autograd.grad(x * 2, x, f64([1.0, 2.0]))
    np.testing.assert_array_equal(arr(g), [2.0, 4.0])
    (g,) = torch.autograd.grad([(x * 2).sum(), (x * 3).sum()], [x])
    np.testing.assert_array_equal(arr(g), [5.0, 5.0])


def test_autograd_grad_allow_unused():
    x = f64([1.0, 2.0], requires_grad=True)
    z = f64([3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        torch.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = torch.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    np.testing.assert_array_equal(arr(gx), [2.0, 2.0])
    assert gz is None


def test_autograd_grad_of_non_differentiable_output_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad((torch.ones(2) * 2).sum(), [torch.ones(2, requires_grad=True)])


def test_autograd_grad_wrt_intermediate():
    x = f64([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    gh, gx = torch.autograd.grad(y, [h, x])
    np.testing.assert_array_equal(arr(gh), [6.0, 12.0])
    np.testing.assert_array_equal(arr(gx), [18.0, 36.0])


# --------------------------------------------------------------------------------------
# nn.Parameter
# --------------------------------------------------------------------------------------
def test_parameter():
    t = torch.ones(3)
    p = torch.nn.Parameter(t)
    assert isinstance(p, torch.Tensor) and isinstance(p, torch.nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p.data_ptr() == t.data_ptr()
    p.data[0] = 5.0
    np.testing.assert_array_equal(t.numpy(), [5.0, 1.0, 1.0])
    assert repr(p).startswith("Parameter containing:\n")
    assert "requires_grad=True" in repr(p)
    (p * p).sum().backward()
    np.testing.assert_array_equal(arr(p.grad), [10.0, 2.0, 2.0])
    # results of ops on a Parameter are plain tensors
    assert type(p * 2) is torch.Tensor
    assert type(p.detach()) is torch.Tensor
    q = torch.nn.Parameter(torch.ones(2), requires_grad=False)
    assert not q.requires_grad and repr(q).startswith("Parameter containing:")


def test_parameter_of_int_tensor_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        torch.nn.Parameter(torch.ones(2, dtype=torch.int64))


def test_parameter_sgd_step():
    p = torch.nn.Parameter(f64([1.0, -2.0]))
    (p * p).sum().backward()
    with torch.no_grad():
        p -= 0.25 * p.grad
    p.grad.zero_()
    np.testing.assert_array_equal(arr(p), [0.5, -1.0])
    assert isinstance(p, torch.nn.Parameter) and p.is_leaf and p.requires_grad


# --------------------------------------------------------------------------------------
# torch.autograd.graph (rtensor's text / DOT rendering of a backward graph)
# --------------------------------------------------------------------------------------
def test_graph_text_and_dot():
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    loss = ((x * w).exp() + x).sum()
    text = torch.autograd.graph(loss)
    assert isinstance(text, str)
    for name in ("SumBackward0", "AddBackward0", "ExpBackward0", "MulBackward0", "AccumulateGrad"):
        assert name in text, text
    dot = torch.autograd.graph(loss, format="dot")
    assert dot.lstrip().startswith("digraph"), dot
    assert "AccumulateGrad" in dot and "->" in dot and dot.rstrip().endswith("}")
    # leaves and constants have no graph; the function says so instead of failing
    assert isinstance(torch.autograd.graph(x), str)
    with pytest.raises(ValueError):
        torch.autograd.graph(loss, format="svg")


# --------------------------------------------------------------------------------------
# memory
# --------------------------------------------------------------------------------------
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.parametrize("size", [3, 1000])
def test_training_loop_does_not_leak(size):
    w = torch.randn(size, requires_grad=True)

    def run(n):
        for _ in range(n):
            loss = (w * w).sum()
            loss.backward()
            w.grad = None

    run(1000)  # warm-up: allocator pools, caches
    gc.collect()
    before = _rss_bytes()
    run(10_000)
    gc.collect()
    grown = _rss_bytes() - before
    # a leaked graph per step would cost >= 10,000 * size * 4 bytes (40 MB at size 1000)
    assert grown < 20 * 2 ** 20, f"RSS grew by {grown / 2 ** 20:.1f} MiB over 10,000 steps"


def test_graph_is_freed_after_backward():
    # intermediate tensors are not kept alive by a graph that has been run and dropped
    x = torch.randn(4, requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h)
    loss = (h * h).sum()
    del h
    loss.backward()
    del loss
    gc.collect()
    assert ref() is None


def test_grad_fn_classes_are_node_subclasses():
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    a, b = (x + 1).grad_fn, (x + 2).grad_fn
    assert type(a) is type(b)  # one class per node name, made once
    assert isinstance(a, torch.autograd.Node)
    assert repr(a).startswith("<AddBackward0 object at 0x")
    with pytest.raises(TypeError):
        type(a)(1)  # only rtensor makes nodes


# NOTE [Untracked views]: views of tensors that do not require grad, written in
# place with values that do. Expected values are hand-worked (and match PyTorch).

def test_write_through_view_of_plain_tensor_builds_copyslices():
    K = torch.tensor([1.0, 2.0], requires_grad=True)
    Y = torch.zeros(2, 2)
    Y[0][1] = (K * 3).sum()          # getitem view, then setitem on it
    assert Y.requires_grad and Y.grad_fn.name() == "CopySlices"
    Y[1].copy_(K)                    # copy_ into a row view
    Y.sum().backward()
    np.testing.assert_array_equal(K.grad.numpy(), [4.0, 4.0])   # 3 from the sum, 1 from the copy
    np.testing.assert_array_equal(Y.detach().numpy(), [[0.0, 9.0], [1.0, 2.0]])


def test_corr2d_from_scratch_with_chained_indexing():
    # D2L's corr2d, written with Y[i][j] instead of Y[i, j]
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], requires_grad=True)
    Y = torch.zeros(2, 2)
    for i in range(2):
        for j in range(2):
            Y[i][j] = (X[i:i + 2, j:j + 2] * K).sum()
    np.testing.assert_array_equal(Y.detach().numpy(), [[19.0, 25.0], [37.0, 43.0]])
    Y.sum().backward()
    # dY.sum/dK[a, b] = sum of X over the four windows shifted by (a, b)
    np.testing.assert_array_equal(K.grad.numpy(), [[8.0, 12.0], [20.0, 24.0]])


def test_inplace_add_through_transposed_view_of_plain_tensor():
    x = torch.zeros(3, 4)
    w = torch.arange(3.0, requires_grad=True)
    x.t()[1].add_(w * 2)
    assert x.grad_fn is not None
    (x * torch.arange(12.0).reshape(3, 4)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 10.0, 18.0])   # 2 * x-weights at column 1


def test_untracked_view_writes_stay_plain_without_grad():
    w = torch.ones(2, requires_grad=True)
    Y = torch.zeros(2, 2)
    with torch.no_grad():
        Y[0][0:2] = w
    assert not Y.requires_grad and Y.grad_fn is None
    Y[1][0:2] = torch.ones(2)        # value without grad: nothing to record
    assert not Y.requires_grad


def test_base_attribute():
    x = torch.arange(12.0).reshape(3, 4)
    assert x._base is not None       # reshape of a contiguous arange is a view
    y = torch.zeros(3, 4)
    assert y._base is None and not y._is_view()
    assert y.view(12)._base is y and y[0]._base is y and y.t()._base is y
    assert y[0][1:]._base is y       # the root of a chain of views
    assert y[torch.tensor([0, 2])]._base is None   # advanced indexing copies
    assert y.t().reshape(12)._base is None          # a reshape that has to copy
    assert all(p._base is y for p in y.unbind(0))


def test_view_made_under_no_grad_cannot_be_written_with_grad_on():
    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        v = x[:2]
        v.mul_(2)                     # fine inside no_grad
    with pytest.raises(RuntimeError, match="view of a leaf Variable that requires grad"):
        v.add_(1)
    y = x * 1
    with torch.no_grad():
        w = y[:2]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        w.zero_()
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        w[0] = 5.0
    np.testing.assert_array_equal(x.detach().numpy(), [2.0, 2.0, 1.0])


def test_scatter_into_view_of_plain_tensor():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    Y = torch.zeros(3, 3)
    Y[0].scatter_(0, torch.tensor([2, 0]), w * 5)
    np.testing.assert_array_equal(Y.detach().numpy()[0], [10.0, 0.0, 5.0])
    (Y * torch.arange(9.0).reshape(3, 3)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [10.0, 0.0])   # 5 * weights at (0,2) and (0,0)
