"""Methods of `rtensor.Tensor` written in Python: the long tail that is not on a
hot path. The class itself (and `+`, indexing, `view`, `shape`...) is in Rust;
these are attached to it once at import."""

import builtins
import copy
import numbers

from . import _C, _tensor_str, return_types
from ._grad_mode import no_grad
from ._C import Tensor
from ._ops import rows as _ops_rows
from ._ops import BINARY, NO_INPLACE, REDUCTIONS, SCANS, UNARY, binary, div_rounding, scaled

_DTYPE_NAMES = {"float32", "float64", "float16", "bfloat16"}


def _method(name):
    def deco(f):
        f.__name__ = name
        f.__qualname__ = f"Tensor.{name}"
        setattr(Tensor, name, f)
        return f
    return deco


def _install_binary(pyname, core):
    def method(self, other, *, alpha=1, rounding_mode=None):
        op = div_rounding(core, rounding_mode) if core == "div" else core
        return binary(op, self, scaled(self, other, alpha))

    def inplace(self, other, *, alpha=1, rounding_mode=None):
        op = div_rounding(core, rounding_mode) if core == "div" else core
        if op == "div_trunc":
            return self.copy_(binary(op, self, scaled(self, other, alpha)))
        return _C.binary_(op, self, scaled(self, other, alpha))

    _method(pyname)(method)
    if pyname not in NO_INPLACE:
        _method(pyname + "_")(inplace)


for _py, _core in BINARY.items():
    _install_binary(_py, _core)


def _install_unary(pyname, core):
    _method(pyname)(lambda self: _C.unary(core, self))
    if pyname not in NO_INPLACE:
        _method(pyname + "_")(lambda self: _C.unary_(core, self))


for _py, _core in UNARY.items():
    _install_unary(_py, _core)


@_method("clamp")
def clamp(self, min=None, max=None):
    return _C.clamp(self, min, max)


@_method("clamp_")
def clamp_(self, min=None, max=None):
    return _C.clamp_(self, min, max)


@_method("where")
def where(self, condition, other):
    return _C.where(condition, self, other)


@_method("lerp")
def lerp(self, end, weight):
    return _C.lerp(self, end, weight)


@_method("lerp_")
def lerp_(self, end, weight):
    return _C.lerp(self, end, weight, self)


# The ternary rows' signatures differ, so their methods are written above;
# their aliases (`clip`) come from the table.
for _row in _ops_rows("ternary"):
    for _alias in _row["aliases"]:
        setattr(Tensor, _alias, getattr(Tensor, _row["name"]))
        if _row["inplace"]:
            setattr(Tensor, _alias + "_", getattr(Tensor, _row["name"] + "_"))


# ---- reductions ---------------------------------------------------------------

def _install_reduction(name):
    one_dim = name == "prod"  # PyTorch's prod takes one int dim, not a tuple

    def method(self, dim=None, keepdim=False, *, dtype=None):
        if one_dim and isinstance(dim, (tuple, list)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({builtins.type(dim).__name__}), but expected one of:\n"
                            " * (*, torch.dtype dtype = None)\n"
                            " * (int dim, bool keepdim = False, *, torch.dtype dtype = None)")
        return _C.reduction(name, self, dim, keepdim, dtype)
    _method(name)(method)


for _name in REDUCTIONS:
    _install_reduction(_name)


def _extreme(self, dim, keepdim, is_max, other):
    if other is not None:
        return binary("maximum" if is_max else "minimum", self, other)
    if dim is None:
        return _C.reduction("max" if is_max else "min", self)
    values, indices = _C.arg_reduce("max" if is_max else "min", self, dim, keepdim)
    return (return_types.max if is_max else return_types.min)(values, indices)


@_method("max")
def max(self, dim=None, keepdim=False, *, other=None):
    if isinstance(dim, Tensor):
        return binary("maximum", self, dim)
    return _extreme(self, dim, keepdim, True, other)


@_method("min")
def min(self, dim=None, keepdim=False, *, other=None):
    if isinstance(dim, Tensor):
        return binary("minimum", self, dim)
    return _extreme(self, dim, keepdim, False, other)


@_method("argmax")
def argmax(self, dim=None, keepdim=False):
    if self.dtype == _C.bool:
        raise RuntimeError('"argmax_cpu" not implemented for \'Bool\'')
    return _C.arg_reduce("max", self, dim, keepdim)[1]


@_method("argmin")
def argmin(self, dim=None, keepdim=False):
    if self.dtype == _C.bool:
        raise RuntimeError('"argmin_cpu" not implemented for \'Bool\'')
    return _C.arg_reduce("min", self, dim, keepdim)[1]


def _correction(unbiased, correction):
    if correction is not None:
        return float(correction)
    if unbiased is None:
        return 1.0
    return 1.0 if unbiased else 0.0


@_method("var")
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):  # var(unbiased) positional form
        dim, unbiased = None, dim
    return _C.var("var", self, dim, _correction(unbiased, correction), keepdim)


@_method("std")
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return _C.var("std", self, dim, _correction(unbiased, correction), keepdim)


@_method("norm")
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    if p in ("fro", None):
        p = 2.0
    elif p == "nuc":
        raise RuntimeError("norm(): the nuclear norm is not supported by rtensor")
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    elif isinstance(p, Tensor) or not hasattr(p, "__float__"):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {builtins.type(p).__name__}")
    x = self if dtype is None else self.to(dtype)
    return _C.norm(x, float(p), dim, keepdim)


@_method("logsumexp")
def logsumexp(self, dim, keepdim=False):
    return _C.logsumexp(self, dim, keepdim)


def _install_scan(name):
    def method(self, dim, *, dtype=None):
        return _C.scan(name, self, dim, dtype)

    def inplace(self, dim, *, dtype=None):
        return self.copy_(_C.scan(name, self, dim, dtype))
    _method(name)(method)
    _method(name + "_")(inplace)


for _name in SCANS:
    _install_scan(_name)


# ---- linear algebra, joining, indexing ------------------------------------------

for _name in ("matmul", "mm", "bmm", "mv", "dot", "outer", "inner", "ger"):
    _method(_name)(lambda self, other, _n=_name: _C.linalg(_n, self, other))


@_method("gather")
def gather(self, dim, index):
    return _C.gather(self, dim, index)


@_method("scatter")
def scatter(self, dim, index, src=None, *, value=None):
    return _C.scatter(self, dim, index, value if src is None else src, False, False)


@_method("scatter_")
def scatter_(self, dim, index, src=None, *, value=None):
    return _C.scatter(self, dim, index, value if src is None else src, False, True)


@_method("scatter_add")
def scatter_add(self, dim, index, src):
    return _C.scatter(self, dim, index, src, True, False)


@_method("scatter_add_")
def scatter_add_(self, dim, index, src):
    return _C.scatter(self, dim, index, src, True, True)


@_method("index_select")
def index_select(self, dim, index):
    return _C.index_select(self, dim, index)


@_method("masked_fill")
def masked_fill(self, mask, value):
    return _C.masked_fill(self, mask, value, False)


@_method("masked_fill_")
def masked_fill_(self, mask, value):
    return _C.masked_fill(self, mask, value, True)


@_method("masked_select")
def masked_select(self, mask):
    return _C.masked_select(self, mask)


@_method("nonzero")
def nonzero(self, *, as_tuple=False):
    nz = _C.nonzero(self)
    if as_tuple:
        if self.dim() == 0:
            return (nz.new_zeros(nz.shape[0]) if nz.shape[0] else nz.reshape(0),)
        return tuple(nz[:, k] for k in range(nz.shape[1]))
    return nz


@_method("copy_")
def copy_(self, src, non_blocking=False):
    return _C.copy_(self, src)


@_method("fill_")
def fill_(self, value):
    return _C.fill_(self, value)


@_method("zero_")
def zero_(self):
    return _C.fill_(self, 0, "zero_")


# ---- dtype and device conversions --------------------------------------------

def _parse_to(args, kwargs):
    """(device, dtype, copy) from the many forms of `Tensor.to`."""
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")

    def invalid():
        got = ", ".join(builtins.type(a).__module__.split(".")[0] + "." + builtins.type(a).__name__
                        if isinstance(a, (Tensor, _C.dtype, _C.device)) else builtins.type(a).__name__
                        for a in args)
        return TypeError(f"to() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                         " * (device device = None, dtype dtype = None, bool non_blocking = False, bool copy = False)\n"
                         " * (dtype dtype, bool non_blocking = False, bool copy = False)\n"
                         " * (Tensor tensor, bool non_blocking = False, bool copy = False)")

    seen_dtype = seen_device = False
    for a in args:
        if isinstance(a, Tensor):
            if seen_dtype or seen_device:
                raise invalid()
            device, dtype = a.device, a.dtype
            seen_dtype = seen_device = True
        elif isinstance(a, _C.dtype) or a is float or a is int or a is bool:
            if seen_dtype:
                raise invalid()
            dtype, seen_dtype = a, True
        elif isinstance(a, (str, _C.device, int)) and not isinstance(a, bool):
            if seen_device or seen_dtype:
                raise invalid()
            device, seen_device = a, True
        elif isinstance(a, bool):
            pass  # non_blocking positional
        elif a is None:
            if seen_device or seen_dtype:
                raise invalid()
            seen_device = True  # to(None): no device given
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    return device, dtype, copy


@_method("to")
def to(self, *args, **kwargs):
    device, dtype, copy = _parse_to(args, dict(kwargs))
    t = self
    if device is not None:
        t = t._to_device(device, copy and dtype is None)
        copy = copy and t is self
    if dtype is None:
        return t.clone() if copy else t
    return t._to_dtype(dtype, copy)


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
    "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}


@_method("type")
def type(self, dtype=None, non_blocking=False):
    if dtype is None:
        return "rtensor." + _TYPE_NAMES[str(self.dtype).split(".")[1]]
    if isinstance(dtype, str):
        # "torch.DoubleTensor" (or "rtensor.DoubleTensor"), as PyTorch accepts.
        module, _, cls = dtype.rpartition(".")
        names = {v: k for k, v in _TYPE_NAMES.items()}
        if module in ("torch.cuda", "rtensor.cuda") and cls in names:
            return self._to_dtype(getattr(_C, names[cls]), False).cuda()
        if module not in ("torch", "rtensor") or cls not in names:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = getattr(_C, names[cls])
    elif not isinstance(dtype, _C.dtype):
        raise ValueError(f"invalid type: '{getattr(dtype, '__name__', builtins.type(dtype).__name__)}'")
    return self._to_dtype(dtype, False)


for _name, _dt in (("float", "float32"), ("double", "float64"), ("half", "float16"),
                   ("bfloat16", "bfloat16"), ("long", "int64"), ("int", "int32"),
                   ("short", "int16"), ("char", "int8"), ("byte", "uint8"), ("bool", "bool")):
    _method(_name)(lambda self, _d=getattr(_C, _dt): self._to_dtype(_d, False))


@_method("cpu")
def cpu(self, memory_format=None):
    return self.to("cpu")


@_method("cuda")
def cuda(self, device=None, non_blocking=False):
    return self.to("cuda" if device is None else device)


@_method("get_device")
def get_device(self):
    return self.device.index if self.is_cuda else -1


@_method("requires_grad_")
def requires_grad_(self, requires_grad=True):
    self.requires_grad = requires_grad
    return self


@_method("type_as")
def type_as(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {builtins.type(other).__name__}")
    return self.to(other.dtype)


# ---- new_* constructors -------------------------------------------------------

def _like_kwargs(self, dtype, device):
    return dict(dtype=self.dtype if dtype is None else dtype, device=device)


@_method("new_tensor")
def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return _C.tensor(data, requires_grad=requires_grad, **_like_kwargs(self, dtype, device))


@_method("new_empty")
def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return _C.empty(*size, requires_grad=requires_grad, **_like_kwargs(self, dtype, device))


@_method("new_zeros")
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    return _C.zeros(*size, requires_grad=requires_grad, **_like_kwargs(self, dtype, device))


@_method("new_ones")
def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return _C.ones(*size, requires_grad=requires_grad, **_like_kwargs(self, dtype, device))


@_method("new_full")
def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    return _C.full(size, fill_value, requires_grad=requires_grad, **_like_kwargs(self, dtype, device))


# ---- storage, printing, Python protocols ----------------------------------------

class UntypedStorage:
    """What `Tensor.untyped_storage()` returns: enough to compare memory."""

    def __init__(self, t):
        self._t = t

    def data_ptr(self):
        return self._t._storage_ptr()

    def nbytes(self):
        return self._t._storage_nbytes()

    def size(self):
        return self._t._storage_nbytes()

    def __len__(self):
        return self._t._storage_nbytes()


@_method("untyped_storage")
def untyped_storage(self):
    return UntypedStorage(self)


@_method("__repr__")
def __repr__(self, *, tensor_contents=None):
    name = str(self.dtype).split(".")[1]
    x = self.detach()
    shape, summarize = tuple(x.shape), None
    if x.numel() == 0:
        x = x.reshape(0)  # (0, 2**62) has no values; format_tensor prints the shape
    elif x.numel() > _tensor_str.PRINT_OPTS.threshold:
        # Only the edge items are printed: cut the tensor down to e + 1 of each
        # end of every long dim (so the formatter still puts "..." in the
        # middle) instead of asking NumPy for 2**62 values.
        # One advanced index per dim (broadcast against each other), so only
        # the kept corner values are ever gathered.
        e = _tensor_str.PRINT_OPTS.edgeitems
        key = []
        for d, n in enumerate(shape):
            keep = list(range(e + 1)) + list(range(n - e - 1, n)) if n > 2 * e + 2 else list(range(n))
            key.append(_C.tensor(keep, device=x.device).reshape([-1 if j == d else 1 for j in range(len(shape))]))
        x = x[tuple(key)]
        summarize = True
    arr = (x.float() if name == "bfloat16" else x).cpu().numpy()
    suffixes = []
    if self.grad_fn is not None:
        suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    device = str(self.device) if self.is_cuda else None
    return _tensor_str.format_tensor(arr, dtype=name, device=device, suffixes=suffixes, shape=shape,
                                     summarize=summarize)


Tensor.__str__ = __repr__


@_method("__format__")
def __format__(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


@_method("__iter__")
def __iter__(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


@_method("__reversed__")
def __reversed__(self):
    return self.flip(0)


@_method("__contains__")
def __contains__(self, element):
    if not isinstance(element, (Tensor, numbers.Number)):
        raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{builtins.type(element)}.")
    return bool((self == element).any())


@_method("__reduce_ex__")
def __reduce_ex__(self, protocol):
    from ._functions import _rebuild
    return (_rebuild, (self.detach().numpy().copy() if str(self.dtype) != "rtensor.bfloat16" else self.float().numpy().copy(), self.dtype, self.requires_grad))


@_method("__deepcopy__")
def __deepcopy__(self, memo):
    """As PyTorch: leaves only; tensors sharing a storage share one copied storage (so
    a copied view is a view of the copied base); `requires_grad` and `.grad` are kept."""
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
            "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
            "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
    if id(self) in memo:
        return memo[id(self)]
    with no_grad():
        nbytes = self._storage_nbytes()
        key = ("rtensor.storage", self._storage_ptr(), nbytes, self.dtype)
        storage = memo.get(key) if nbytes else None
        if storage is None:  # the whole storage, copied once per deepcopy call
            storage = self.detach().as_strided((nbytes // self.element_size(),), (1,), 0).clone()
            if nbytes:
                memo[key] = storage
        new = storage.as_strided(self.shape, self.stride(), self.storage_offset())
    if self.requires_grad:
        new.requires_grad_()
    if self.grad is not None:
        new.grad = self.grad.__deepcopy__(memo)
    if getattr(self, "__dict__", None) and hasattr(new, "__dict__"):  # attributes set on the tensor
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
    memo[id(self)] = new
    return new


# NumPy interop as in PyTorch: `ndarray.__add__(tensor)` defers to the tensor (so
# `ndarray + tensor` is the tensor's to answer), and a ufunc NumPy computes on a
# tensor operand (`np.sqrt(t)`, `t + ndarray`, which our `__add__` leaves to NumPy)
# comes back as a Tensor.
Tensor.__array_priority__ = 1000


@_method("__array_wrap__")
def __array_wrap__(self, array, context=None, return_scalar=False):
    inputs = context[1] if context is not None else (self,)
    if _C.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        # NumPy computed on a tensor's values: its graph would be lost silently.
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    return _C.from_numpy(array)

