"""Op tables shared by the method forms (`x.add(y)`) and the function forms
(`rtensor.add(x, y, out=z)`): one name per op, as in the Rust core."""

import numbers
import warnings

from . import _C

# NOTE [Op tables] (docs/design.md; rows in rust/core/src/ops/table.rs): the op tables are the
# one list of table ops; every method, in-place and function form below is made
# from `_C.op_table()`, so an op name is typed once, in its row.
OP_TABLE = tuple(_C.op_table())


def rows(family):
    return [r for r in OP_TABLE if r["family"] == family]


def _names(family):
    """Python name (the op's name and each PyTorch alias) -> core name."""
    out = {}
    for r in rows(family):
        out[r["name"]] = r["name"]
        out.update((a, r["name"]) for a in r["aliases"])
    return out


# Python name -> core BinaryOp / UnaryOp name.
BINARY = _names("binary")
UNARY = _names("unary")

# Ops that have no in-place form in PyTorch (`isnan_`, `logaddexp_`).
NO_INPLACE = {py for fam in ("unary", "binary") for r in rows(fam) if not r["inplace"]
              for py in (r["name"], *r["aliases"])}

# Ops whose second argument must be a tensor in PyTorch: the float-only ops and
# maximum/minimum (their Python-number forms are `clamp`).
TENSOR_ONLY = {r["name"] for r in rows("binary") if r["rule"] == "FloatOnly"} | {"maximum", "minimum"}

# Fold reductions with `dim`/`keepdim`/`dtype` (the reduce table, and `mean`).
REDUCTIONS = tuple(r["name"] for r in rows("reduce")) + ("mean",)
SCANS = tuple(r["name"] for r in rows("scan"))


def scaled(input, other, alpha):
    """`other * alpha` for `add(input, other, alpha=)` / `sub(...)`, after PyTorch's
    checks of alpha against the result dtype."""
    if type(alpha) is int and alpha == 1:  # the default: nothing to check
        return other
    if isinstance(input, _C.Tensor) or isinstance(other, _C.Tensor):
        dt = _C.result_type(input, other)
        if isinstance(alpha, bool) and dt != _C.bool:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        if dt == _C.bool:
            alpha = bool(alpha)
        is_float = isinstance(alpha, numbers.Real) and not isinstance(alpha, numbers.Integral)
        if is_float and not dt.is_floating_point:
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if alpha == 1:
        return other
    return other * alpha


def div_rounding(name, rounding_mode):
    if rounding_mode is None:
        return name
    if rounding_mode == "floor":
        return "floor_divide"
    if rounding_mode == "trunc":
        return "div_trunc"
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


def binary(core, a, b, out=None):
    if core in TENSOR_ONLY and not isinstance(b, _C.Tensor):
        raise TypeError(f"{core}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if core == "div_trunc":
        r = _C.div_trunc(a, b)
        return r if out is None else _write_out("div", out, r)
    if out is not None:
        check_out_grad(core, out, a, b)
    return _C.binary(core, a, b, out)


# ---- out= ---------------------------------------------------------------------
# NOTE [out= in the Python layer]: every function form written in Python writes
# its result through `_write_out`, which checks out='s dtype and autograd state as
# PyTorch does, resizes a wrongly shaped out, and returns it. Ops whose out= is
# handled in Rust (`_C.binary`, `_C.unary`, ...) only get `check_out_grad` here.

# dtype -> (PyTorch's ScalarType name, its C++ type name), as in PyTorch's messages.
_DTYPE_NAMES = {
    "float32": ("Float", "float"), "float64": ("Double", "double"), "float16": ("Half", "c10::Half"),
    "bfloat16": ("BFloat16", "c10::BFloat16"), "int64": ("Long", "long int"), "int32": ("Int", "int"),
    "int16": ("Short", "short int"), "int8": ("Char", "signed char"), "uint8": ("Byte", "unsigned char"),
    "bool": ("Bool", "bool"),
}

# Ops whose out= may have any dtype the result can be cast to (PyTorch's can_cast);
# every other op needs out's dtype to equal the result's.
_OUT_CASTS = {"mean", "std", "var", "logsumexp", "outer", "ger", "cat", "stack", "div"}

# PyTorch's wording where it is not "Expected out tensor to have dtype {rc}, but got {oc} instead".
_OUT_DTYPE_MESSAGES = {
    "amax": "Expected the dtype for input and out to match, but got {r} for input's dtype and {o} for out's dtype.",
    "amin": "Expected the dtype for input and out to match, but got {r} for input's dtype and {o} for out's dtype.",
    "where": "Expected out type to be {r} but got {o}",
    "dot": "result dtype {o} does not match input dtype {r}",
    "mv": "addmv input tensors must have the same dtype, but got {o}, {r}, and {r}",
    "inner": "tensordot: Expected the output tensor to have dtype {r}, but got an output tensor with dtype {o}",
    "index_select": "index_select(): self and result must have the same scalar type",
    "masked_select": "masked_select(): self and result must have the same scalar type",
    "nonzero": "nonzero: Expected out tensor to have scalar type {r} but got scalar type{o}",
    "logsumexp": "logsumexp(): Expected floating point type for result tensor, but got: {o}",
    "cat": "torch.cat(): input types can't be cast to the desired output type {o}",
    "stack": "torch.cat(): input types can't be cast to the desired output type {o}",
}


def _dtype_name(dt, c_name=False):
    return _DTYPE_NAMES[str(dt).split(".")[1]][1 if c_name else 0]


def _check_out_dtype(name, out, result):
    res, got = result.dtype, out.dtype
    if name in ("all", "any"):
        if got not in (_C.bool, _C.uint8):
            raise RuntimeError(f"{name} only supports bool tensor for result, got: {_dtype_name(got)}")
        return
    if name in _OUT_CASTS:
        if _C.can_cast(res, got):
            return
        default = "result type {r} can't be cast to the desired output type {o}"
    elif res == got:
        return
    else:
        default = "Expected out tensor to have dtype {rc}, but got {oc} instead"
    msg = _OUT_DTYPE_MESSAGES.get(name, default).format(
        r=_dtype_name(res), o=_dtype_name(got), rc=_dtype_name(res, True), oc=_dtype_name(got, True))
    raise (TypeError if name in ("cat", "stack") else RuntimeError)(msg)


def check_out_grad(name, out, *args):
    """PyTorch's error for out= while grad mode is on and out or an argument requires grad."""
    if _C.is_grad_enabled() and any(isinstance(t, _C.Tensor) and t.requires_grad for t in (out, *args)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def _write_out(name, out, result):
    """Writes `result` (a tensor, or a tuple of them for max/min) into `out` and returns out."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors, "
                            f"not {type(out).__name__}")
        pairs = list(zip(out, result))
    else:
        pairs = [(out, result)]
    for o, r in pairs:
        if not isinstance(o, _C.Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(o).__name__}")
        check_out_grad(name, o, r)
        _check_out_dtype(name, o, r)
    for o, r in pairs:
        if o.shape != r.shape:
            if not hasattr(_C, "_resize_out"):
                raise RuntimeError(f"{name}(): out= has shape {list(o.shape)} but the result has shape "
                                   f"{list(r.shape)}, and rtensor cannot resize out= tensors yet")
            if o.numel() != 0:
                warnings.warn(
                    f"An output with one or more elements was resized since it had shape {list(o.shape)}, "
                    f"which does not match the required output shape {list(r.shape)}. This behavior is "
                    "deprecated, and in a future PyTorch release outputs will not be resized unless they "
                    "have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, "
                    "to zero elements with t.resize_(0).", UserWarning, stacklevel=3)
            _C._resize_out(o, r.shape)
        _C.copy_(o, r)
    return type(result)(*out) if isinstance(result, tuple) else out
