"""`rtensor.autograd`: gradients of outputs with respect to inputs.

The graph and the engine live in the Rust core; this package is the PyTorch-
shaped entry: `backward`, `grad`, anomaly detection, `gradcheck`, and `graph`,
a text/DOT rendering of a backward graph for teaching and debugging."""

from .. import _C
from .._grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from ._checks import gradcheck, gradgradcheck  # noqa: F401
from ._graph import graph  # noqa: F401

Node = _C.Node


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    return _C.backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False, **kwargs):
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
