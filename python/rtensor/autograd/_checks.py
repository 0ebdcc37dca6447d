"""`gradcheck` and `gradgradcheck`: analytical gradients against central
finite differences in float64, with PyTorch's signature and tolerances."""

import numpy as np

from .. import _C


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _diff_inputs(inputs):
    return [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]


def _numerical_jacobian(fn, inputs, idx, out_index, eps):
    """d out[out_index] / d inputs[idx], one column per input element."""
    x = inputs[idx]
    flat = x.detach().contiguous()
    n = flat.numel()
    cols = []
    for k in range(n):
        base = flat.numpy().reshape(-1)
        orig = base[k]
        vals = []
        for delta in (eps, -eps):
            base[k] = orig + delta
            args = list(inputs)
            args[idx] = flat.view(x.shape)
            with _no_grad():
                out = _as_tuple(fn(*args))[out_index]
            vals.append(out.detach().numpy().astype(np.float64).reshape(-1).copy())
        base[k] = orig
        cols.append((vals[0] - vals[1]) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def _analytical_jacobian(fn, inputs, idx, out_index):
    args = list(inputs)
    out = _as_tuple(fn(*args))[out_index]
    m = out.numel()
    rows = []
    for j in range(m):
        g = _C.zeros(out.shape, dtype=out.dtype)
        g.view(-1)[j] = 1.0
        (gi,) = _C.grad([out], [args[idx]], [g], True, False, True)
        rows.append(np.zeros(args[idx].numel()) if gi is None else gi.detach().numpy().astype(np.float64).reshape(-1))
    return np.stack(rows, axis=0) if rows else np.zeros((0, 0))


class _no_grad:
    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kwargs):
    """True when every analytical Jacobian matches central differences."""
    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    for i in _diff_inputs(inputs):
        if inputs[i].dtype != _C.float64:
            import warnings
            warnings.warn("gradcheck: input is not float64; finite differences will be inaccurate")
        for o in range(len(outs)):
            num = _numerical_jacobian(func, inputs, i, o, eps)
            if not outs[o].requires_grad:
                # No graph: the function is treated as constant in this input,
                # so its numerical gradient must be zero (PyTorch's check).
                if not np.allclose(num, 0, rtol=rtol, atol=atol):
                    if raise_exception:
                        raise RuntimeError(f"Numerical gradient for function expected to be zero "
                                           f"(output {o} does not require grad, input {i}):\n{num}")
                    return False
                continue
            ana = _analytical_jacobian(func, inputs, i, o)
            if num.shape != ana.shape or not np.allclose(ana, num.T if num.shape != ana.shape else num, rtol=rtol, atol=atol):
                if raise_exception:
                    raise RuntimeError(
                        f"Jacobian mismatch for output {o} with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{ana}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **kwargs):
    """gradcheck of the first derivative (needs create_graph support)."""
    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [_C.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, requires_grad=True) for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    diff = _diff_inputs(inputs)

    def first_grads(*args):
        xs, gos = list(args[:len(inputs)]), args[len(inputs):]
        prev = _C.is_grad_enabled()
        _C._set_grad_enabled(True)
        try:
            # Finite differences call this with plain (perturbed) tensors.
            for i in diff:
                if not xs[i].requires_grad:
                    xs[i] = xs[i].detach().requires_grad_(True)
            o = _as_tuple(func(*xs))
            gs = _C.grad(list(o), [xs[i] for i in diff], list(gos), True, True, True)
        finally:
            _C._set_grad_enabled(prev)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
