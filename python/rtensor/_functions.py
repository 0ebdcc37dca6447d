"""`rtensor.<op>(...)` function forms with PyTorch's signatures. Most forward to
the compiled `_C` entry points or to the Tensor method of the same name."""

import builtins as _b

from . import _C
from ._C import Tensor
from ._ops import rows as _ops_rows
from ._ops import (BINARY, NO_INPLACE, REDUCTIONS, SCANS, UNARY, _dtype_name, _write_out, binary, check_out_grad,
                   div_rounding, scaled)

__all__ = []


def _export(name, f):
    f.__name__ = name
    f.__qualname__ = name
    globals()[name] = f
    __all__.append(name)


def _make_binary(core):
    def f(input, other, *, alpha=1, rounding_mode=None, out=None):
        op = div_rounding(core, rounding_mode) if core == "div" else core
        return binary(op, input, scaled(input, other, alpha), out)
    return f


for _py, _core in BINARY.items():
    _export(_py, _make_binary(_core))


def _make_unary(core):
    def f(input, *, out=None):
        if out is not None:
            check_out_grad(core, out, input)
        return _C.unary(core, input, out)
    return f


for _py, _core in UNARY.items():
    _export(_py, _make_unary(_core))
    if _py not in NO_INPLACE:
        _export(_py + "_", lambda input, _c=_core: _C.unary_(_c, input))


def clamp(input, min=None, max=None, *, out=None):
    if out is not None:
        check_out_grad("clamp", out, input, min, max)
    return _C.clamp(input, min, max, out)



def lerp(input, end, weight, *, out=None):
    if out is not None:
        check_out_grad("lerp", out, input, end, weight)
    return _C.lerp(input, end, weight, out)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        if out is not None:
            raise TypeError("where(condition) takes no out= argument")
        return condition.nonzero(as_tuple=True)
    r = _C.where(condition, input, other)
    return r if out is None else _write_out("where", out, r)


# ---- reductions and other forwards to the methods (which hold the argument parsing) ----

def _forward(name, has_out):
    def f(input, *args, **kwargs):
        _check_input(name, input)
        out = kwargs.pop("out", None) if has_out else None
        if isinstance(out, Tensor) and name in _OUT_SETS_DTYPE and kwargs.get("dtype") is None:
            kwargs["dtype"] = out.dtype  # PyTorch computes these in out's dtype
        r = getattr(input, name)(*args, **kwargs)
        return r if out is None else _write_out(name, out, r)
    return f


# Ops that take out= in PyTorch, and those of them that compute in out's dtype.
_WITH_OUT = REDUCTIONS + SCANS + ("max", "min", "argmax", "argmin", "std", "var", "norm", "logsumexp", "gather",
                                  "scatter", "scatter_add", "index_select", "masked_select", "nonzero")
# The accumulating ones compute in out's dtype (sum, nansum, prod, cumsum, cumprod).
_OUT_SETS_DTYPE = {r["name"] for r in _ops_rows("reduce") if r["rule"] == "Accumulate"} | set(SCANS)

for _name in _WITH_OUT:
    _export(_name, _forward(_name, True))

for _name in ("masked_fill", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose",
              "permute", "t", "narrow", "select", "diagonal", "flip", "unbind", "split", "chunk",
              "movedim", "swapaxes", "broadcast_to", "as_strided", "clone", "numel", "ravel"):
    _export(_name, _forward(_name, False))


def matmul(input, other, *, out=None):
    r = _C.linalg("matmul", input, other)
    return r if out is None else _write_out("matmul", out, r)


def _make_linalg(name):
    def f(input, other, *, out=None):
        r = _C.linalg(name, input, other)
        return r if out is None else _write_out(name, out, r)
    return f


for _name in ("mm", "bmm", "mv", "dot", "outer", "inner", "ger"):
    _export(_name, _make_linalg(_name))


def _tensor_list(name, tensors):
    if isinstance(tensors, (list, tuple)) and len(tensors) == 0:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def arange(start, end=None, step=None, *, out=None, dtype=None, device=None, requires_grad=False):
    if isinstance(out, Tensor) and dtype is None:
        dtype = out.dtype  # PyTorch computes the values in out's dtype
    r = _C.arange(start, end, step, dtype=dtype, device=device, requires_grad=requires_grad)
    return r if out is None else _write_out("arange", out, r)


def cat(tensors, dim=0, *, out=None):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"cat(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    if isinstance(out, Tensor):
        _C._check_out_overlap("cat", out, tensors)
    r = _C.cat(tensors, dim)
    return r if out is None else _write_out("cat", out, r)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    r = _C.stack(_tensor_list("stack", tensors), dim)
    return r if out is None else _write_out("stack", out, r)


def hstack(tensors, *, out=None):
    tensors = [t.reshape(1) if t.dim() == 0 else t for t in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    tensors = _tensor_list("vstack", tensors)
    return cat([t.reshape(1, -1) if t.dim() <= 1 else t for t in tensors], 0, out=out)


# ---- creation -----------------------------------------------------------------

def as_tensor(data, dtype=None, device=None):
    """Shares memory with `data` when it already is a tensor or a NumPy array of
    the requested dtype; copies otherwise."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if hasattr(data, "__array_interface__") and type(data).__module__ == "numpy":
        t = _C.from_numpy(data)
        return t if dtype is None or t.dtype == dtype else t.to(dtype)
    return _C.tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def _type_name(x):
    """A type's name as PyTorch's argument errors spell it (`list`, `numpy.ndarray`)."""
    t = type(x)
    return t.__name__ if t.__module__ in ("builtins", "__main__") else f"{t.__module__}.{t.__qualname__}"


def _check_input(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {_type_name(input)}")


def _like(name, fn):
    def f(input, *args, dtype=None, device=None, requires_grad=False, memory_format=None, **kw):
        _check_input(name, input)
        dt = input.dtype if dtype is None else dtype
        return fn(input.shape, *args, dtype=dt, device=device, requires_grad=requires_grad, **kw)
    f.__name__ = f.__qualname__ = name
    return f


zeros_like = _like("zeros_like", lambda s, **k: _C.zeros(s, **k))
ones_like = _like("ones_like", lambda s, **k: _C.ones(s, **k))
empty_like = _like("empty_like", lambda s, **k: _C.empty(s, **k))
full_like = _like("full_like", lambda s, v, **k: _C.full(s, v, **k))
rand_like = _like("rand_like", lambda s, **k: _C.rand(s, **k))
randn_like = _like("randn_like", lambda s, **k: _C.randn(s, **k))


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    _check_input("randint_like", input)
    if high is None:
        low, high = 0, low
    return _C.randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype, device=device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """`normal(mean, std, size)` with numbers, or elementwise with tensor mean/std."""
    if out is not None and not out.dtype.is_floating_point:
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{_dtype_name(out.dtype)}\'')
    if isinstance(std, Tensor) and (std < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = _C.binary("add", mean, std).shape if size is None else size
        z = _C.randn(shape, generator=generator, dtype=ref.dtype if out is None else out.dtype)
        r = z * std + mean
    else:
        if size is None:
            raise TypeError("normal() missing required argument 'size' when mean and std are numbers")
        r = _C.normal(float(mean), float(std), size, generator=generator, device=device,
                      dtype=dtype if out is None else out.dtype, requires_grad=requires_grad)
    return r if out is None else _write_out("normal", out, r)


def _rebuild(array, dtype, requires_grad):
    t = _C.tensor(array, dtype=dtype)
    t.requires_grad = requires_grad
    return t


# ---- misc ---------------------------------------------------------------------

def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def broadcast_shapes(*shapes):
    from ._size import Size
    out = []
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        if _b.any(d < 0 for d in s):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        n = _b.max(len(out), len(s))
        a = [1] * (n - len(out)) + out
        b = [1] * (n - len(s)) + list(s)
        res = []
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y and 1 not in (x, y):
                raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape. "
                                   f"Mismatch is at dim {i}: {x} vs {y} (shapes {tuple(out)} and {s})")
            res.append(y if x == 1 else x)
        out = res
    return Size(out)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def get_default_dtype():
    return _C.float32


def set_default_dtype(d):
    if not isinstance(d, _C.dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    if d != _C.float32:
        raise NotImplementedError("rtensor's default dtype is float32; set_default_dtype to other dtypes is not supported yet")


def seed():
    import time
    s = time.time_ns() & 0x7FFFFFFFFFFFFFFF
    _C.manual_seed(s)
    return s


# Aliases of the ternary rows (`clip`), from the table; their functions are written above.
for _row in _ops_rows("ternary"):
    for _alias in _row["aliases"]:
        globals()[_alias] = globals()[_row["name"]]
