"""`rtensor.autograd`: gradients of outputs with respect to inputs.

The graph and the engine live in the Rust core; this package is the PyTorch-
shaped entry: `backward`, `grad`, anomaly detection, `gradcheck`, and `graph`,
a text/DOT rendering of a backward graph for teaching and debugging."""

from .. import _C
from .._grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from ._checks import gradcheck, gradgradcheck  # noqa: F401
from ._graph import graph  # noqa: F401

Node = _C.Node


def _as_tuple(x):
    return (x,) if isinstance(x, _C.Tensor) else tuple(x)


def _outputs_and_grads(outputs, grads):
    """PyTorch's pairing: one gradient (or None) per output; fewer gradients than
    outputs is an error (extra gradients are ignored, as in PyTorch)."""
    outputs = _as_tuple(outputs)
    if grads is None:
        return outputs, None
    grads = _as_tuple(grads)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    return outputs, grads[:len(outputs)]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    if inputs is not None:
        inputs = _as_tuple(inputs.values() if type(inputs) is dict else inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors, grad_tensors = _outputs_and_grads(tensors, grad_tensors)
    return _C.backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False, **kwargs):
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    outputs, grad_outputs = _outputs_and_grads(outputs, grad_outputs)
    return _C.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)


class set_detect_anomaly:
    """Turns anomaly detection on or off. While on, every node records the
    Python `file:line` of its forward op, and every in-place write records
    where it happened, so a failing backward names both."""

    def __init__(self, mode, check_nan=True):
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(bool(mode))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _C._set_anomaly_enabled(self._prev)
        return False


class detect_anomaly(set_detect_anomaly):
    """Context manager form: `with rtensor.autograd.detect_anomaly(): ...`."""

    def __init__(self, check_nan=True):
        super().__init__(True, check_nan)


def is_anomaly_enabled():
    return _C.is_anomaly_enabled()
