"""Op tables shared by the method forms (`x.add(y)`) and the function forms
(`rtensor.add(x, y, out=z)`): one name per op, as in the Rust core."""

from . import _C

# Python name -> core BinaryOp name.
BINARY = {
    "add": "add", "sub": "sub", "subtract": "sub", "mul": "mul", "multiply": "mul",
    "div": "div", "divide": "div", "true_divide": "div", "floor_divide": "floor_divide",
    "remainder": "remainder", "pow": "pow", "maximum": "maximum", "minimum": "minimum",
    "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
    "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge",
    "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge",
}

# Python name -> core UnaryOp name.
UNARY = {
    name: name
    for name in (
        "neg", "abs", "sign", "floor", "ceil", "round", "trunc", "relu", "bitwise_not",
        "logical_not", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt",
        "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "sigmoid", "reciprocal", "square", "isnan", "isinf", "isfinite",
    )
}
UNARY.update(negative="neg", absolute="abs", fix="trunc", arcsin="asin", arccos="acos", arctan="atan")

# Ops that have no in-place form in PyTorch (they change dtype).
NO_INPLACE = {"isnan", "isinf", "isfinite"}

# Ops whose second argument must be a tensor in PyTorch.
TENSOR_ONLY = {"maximum", "minimum"}


def scaled(other, alpha):
    """`other * alpha` for `add(..., alpha=)` / `sub(..., alpha=)`."""
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
        r = _C.binary("div", a, b)
        dt = _C.result_type(a, b)
        r = _C.unary("trunc", r)
        if not dt.is_floating_point:
            r = r.to(dt)
        if out is not None:
            return out.copy_(r)
        return r
    return _C.binary(core, a, b, out)
