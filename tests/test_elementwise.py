"""Elementwise ops against NumPy: binary arithmetic/comparison/bitwise ops, unary math,
where/clamp/lerp; function, method, operator, in-place and out= forms; broadcasting,
type promotion, Python scalars on either side, and non-contiguous inputs."""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import assume, given, note, strategies as st

import _oracle as O
from _oracle import (ALL_DTYPES, FLOATS, INTEGRAL, NO_EXPAND, NUMERIC, Domain, assert_close,
                     assert_mentions, check_op, compute_np, to_numpy, torch)

nan, inf = math.nan, math.inf


# ======================================================================================
# binary ops
# ======================================================================================
@dataclass(frozen=True)
class Binary:
    name: str                       # torch.<name>, Tensor.<name>, Tensor.<name>_
    np_fn: object
    op: object = None               # Python operator, e.g. operator.add
    iop: object = None              # augmented assignment operator, e.g. operator.iadd
    kind: str = "arith"             # 'arith' | 'truediv' | 'cmp'
    dtypes: tuple = ALL_DTYPES
    no_bool_result: bool = False    # PyTorch refuses the op when the common dtype is bool
    lhs: Domain = Domain()
    rhs: Domain = Domain()
    scalar_kinds: tuple = ("int", "float")
    inplace: bool = True

    def __repr__(self):
        return self.name


_SP = Domain(special=True)
_DIVIDEND = Domain(lo=-16, hi=16, dyadic=True)
_DIVISOR = Domain(lo=-8, hi=8, dyadic=True, nonzero=True)
_BASE = Domain(lo=-4, hi=4)
_EXPONENT = Domain(lo=-3, hi=3, int_lo=0, int_hi=3)

BINARY = [
    Binary("add", np.add, operator.add, operator.iadd, lhs=_SP, rhs=_SP,
           scalar_kinds=("int", "float", "bool")),
    # PyTorch refuses subtraction as soon as one operand is a bool tensor
    Binary("sub", np.subtract, operator.sub, operator.isub, dtypes=NUMERIC, lhs=_SP, rhs=_SP),
    Binary("mul", np.multiply, operator.mul, operator.imul, lhs=_SP, rhs=_SP,
           scalar_kinds=("int", "float", "bool")),
    Binary("div", np.true_divide, operator.truediv, operator.itruediv, kind="truediv",
           lhs=_SP, rhs=_SP),
    Binary("floor_divide", np.floor_divide, operator.floordiv, operator.ifloordiv,
           no_bool_result=True, lhs=_DIVIDEND, rhs=_DIVISOR),
    Binary("remainder", np.remainder, operator.mod, operator.imod, no_bool_result=True,
           lhs=_DIVIDEND, rhs=_DIVISOR),
    Binary("pow", np.power, operator.pow, operator.ipow, no_bool_result=True, lhs=_BASE,
           rhs=_EXPONENT),
    Binary("maximum", np.maximum, lhs=_SP, rhs=_SP, scalar_kinds=(), inplace=False),
    Binary("minimum", np.minimum, lhs=_SP, rhs=_SP, scalar_kinds=(), inplace=False),
    Binary("eq", np.equal, operator.eq, kind="cmp", lhs=_SP, rhs=_SP,
           scalar_kinds=("int", "float", "bool")),
    Binary("ne", np.not_equal, operator.ne, kind="cmp", lhs=_SP, rhs=_SP),
    Binary("lt", np.less, operator.lt, kind="cmp", lhs=_SP, rhs=_SP),
    Binary("le", np.less_equal, operator.le, kind="cmp", lhs=_SP, rhs=_SP),
    Binary("gt", np.greater, operator.gt, kind="cmp", lhs=_SP, rhs=_SP),
    Binary("ge", np.greater_equal, operator.ge, kind="cmp", lhs=_SP, rhs=_SP),
    Binary("bitwise_and", np.bitwise_and, operator.and_, operator.iand, dtypes=INTEGRAL,
           scalar_kinds=("int", "bool")),
    Binary("bitwise_or", np.bitwise_or, operator.or_, operator.ior, dtypes=INTEGRAL,
           scalar_kinds=("int", "bool")),
    Binary("bitwise_xor", np.bitwise_xor, operator.xor, operator.ixor, dtypes=INTEGRAL,
           scalar_kinds=("int", "bool")),
]
BINARY_IDS = [b.name for b in BINARY]
BIN = {b.name: b for b in BINARY}


def binary_types(op: Binary, *operands):
    """(common dtype, result dtype, dtype the oracle computes in)."""
    common = O.result_type(*operands)
    if op.kind == "truediv":
        res = O.true_div_dtype(common)
        return common, res, res
    if op.kind == "cmp":
        return common, "bool", common
    return common, common, common


def valid_common(op: Binary, common: str) -> bool:
    return not (op.no_bool_result and common == "bool")


def _call(op: Binary, form: str):
    if form == "function":
        return lambda a, b: getattr(torch, op.name)(a, b)
    if form == "method":
        return lambda a, b: getattr(a, op.name)(b)
    return op.op


def draw_binary_operands(data, op):
    """Two tensor operands for `op` (any dtypes it takes, a broadcasting pair of
    shapes, any layouts): x, y, the broadcast shape, result and compute dtypes."""
    da = data.draw(st.sampled_from(op.dtypes), label="dtype_x")
    db = data.draw(st.sampled_from(op.dtypes), label="dtype_y")
    (sa, sb), out_shape = data.draw(O.broadcast_shapes(2), label="shapes")
    x = data.draw(O.operands(da, sa, op.lhs), label="x")
    y = data.draw(O.operands(db, sb, op.rhs), label="y")
    common, res, compute = binary_types(op, x, y)
    assume(valid_common(op, common))
    return x, y, out_shape, res, compute


@pytest.mark.parametrize("opname", BINARY_IDS)
@given(data=st.data())
def test_binary_tensor_tensor(opname, data):
    op = BIN[opname]
    x, y, _, res, compute = draw_binary_operands(data, op)
    form = data.draw(st.sampled_from(["function", "method"] + (["operator"] if op.op else [])),
                     label="form")
    check_op(_call(op, form), op.np_fn, x, y, check_dtype=res, compute_dtype=compute,
             msg=f"{op.name} {form} {x.layout} {y.layout}")


@pytest.mark.parametrize("opname", [b.name for b in BINARY if b.scalar_kinds])
@given(data=st.data())
def test_binary_tensor_scalar(opname, data):
    """Python scalars on either side are weakly typed (`x + 1`, `2 - x`, `2 ** x`)."""
    op = BIN[opname]
    dt = data.draw(st.sampled_from(op.dtypes), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    kind = data.draw(st.sampled_from(op.scalar_kinds), label="scalar_kind")
    side = data.draw(st.sampled_from(["right", "left"] if op.op else ["right"]), label="side")
    if side == "right":
        x = data.draw(O.operands(dt, shape, op.lhs), label="x")
        # float exponents are exact in every dtype: PyTorch may or may not round a scalar
        # exponent to the tensor's dtype, and pow is sensitive to that
        s = data.draw(O.scalars(kind, op.rhs.replace(dyadic=op.name == "pow")), label="scalar")
    else:
        # PyTorch computes `s / x` as s * reciprocal(x): keep 1/x finite in float16
        dom = op.rhs.replace(min_abs=1e-4) if op.name == "div" else op.rhs
        x = data.draw(O.operands(dt, shape, dom), label="x")
        s = data.draw(O.scalars(kind, op.lhs), label="scalar")
    common, res, compute = binary_types(op, x, s)
    assume(valid_common(op, common))
    if side == "right":
        form = data.draw(st.sampled_from(["function", "method"] + (["operator"] if op.op else [])),
                         label="form")
        check_op(_call(op, form), op.np_fn, x, s, check_dtype=res, compute_dtype=compute,
                 msg=f"{op.name} {form} tensor-scalar {x.layout}")
    else:
        check_op(lambda a, t: op.op(a, t), op.np_fn, s, x, check_dtype=res,
                 compute_dtype=compute, msg=f"{op.name} scalar-tensor {x.layout}")


@pytest.mark.parametrize("opname", [b.name for b in BINARY if b.inplace])
@given(data=st.data())
def test_binary_inplace(opname, data):
    """x.op_(y) returns x itself; `x op= y` keeps the Python object and the storage; a
    result dtype that x cannot hold raises RuntimeError and leaves x untouched."""
    op = BIN[opname]
    dx = data.draw(st.sampled_from(op.dtypes), label="dtype_x")
    dy = data.draw(st.sampled_from(op.dtypes), label="dtype_y")
    (sx, sy), _ = data.draw(O.broadcast_shapes(2, full=(0,)), label="shapes")
    x = data.draw(O.operands(dx, sx, op.lhs, layouts=NO_EXPAND), label="x")
    y = data.draw(O.operands(dy, sy, op.rhs), label="y")
    common, res, compute = binary_types(op, x, y)
    assume(valid_common(op, common))
    form = data.draw(st.sampled_from(["method"] + (["operator"] if op.iop else [])), label="form")
    tx, ty = x.tensor(), y.tensor()
    ptr, ident = tx.data_ptr(), id(tx)
    castable = op.kind == "cmp" or O.can_cast(res, dx)

    def run():
        if form == "method":
            return getattr(tx, op.name + "_")(ty)
        r = tx
        r = op.iop(r, ty)
        return r

    if not castable:
        before = to_numpy(tx)
        with pytest.raises(RuntimeError):
            run()
        np.testing.assert_array_equal(to_numpy(tx), before)
        return
    r = run()
    assert r is tx and id(r) == ident
    assert O.same_storage(tx, ptr)
    with np.errstate(all="ignore"):
        expected = op.np_fn(compute_np(x.array, compute), compute_np(y.array, compute))
    assert_close(tx, expected, dtype=dx, msg=f"{op.name}_ {form} {x.layout}")


@pytest.mark.parametrize("opname", BINARY_IDS)
@given(data=st.data())
def test_binary_out(opname, data):
    """torch.op(x, y, out=z) writes into z's storage and returns z."""
    op = BIN[opname]
    x, y, out_shape, res, compute = draw_binary_operands(data, op)
    z = data.draw(O.operands(res, out_shape, layouts=("contiguous", "permute", "step")),
                  label="out").tensor()
    ptr = z.data_ptr()
    r = getattr(torch, op.name)(x.tensor(), y.tensor(), out=z)
    assert r is z
    assert O.same_storage(z, ptr)
    with np.errstate(all="ignore"):
        expected = op.np_fn(compute_np(x.array, compute), compute_np(y.array, compute))
    assert_close(z, expected, dtype=res, msg=f"{op.name} out=")


@pytest.mark.parametrize("opname", BINARY_IDS)
@given(pair=O.nonbroadcastable_pair())
def test_binary_shape_mismatch(opname, pair):
    op = BIN[opname]
    sa, sb, na, nb = pair
    dt = "int64" if op.dtypes == INTEGRAL else "float32"
    a = torch.ones(sa, dtype=O.tdt(dt))
    b = torch.ones(sb, dtype=O.tdt(dt))
    with pytest.raises(RuntimeError) as ei:
        getattr(torch, op.name)(a, b)
    assert_mentions(ei, na, nb)


@pytest.mark.parametrize("opname", [b.name for b in BINARY if b.inplace])
@given(pair=O.nonbroadcastable_pair())
def test_binary_inplace_shape_mismatch(opname, pair):
    op = BIN[opname]
    sa, sb, na, nb = pair
    dt = "int64" if op.dtypes == INTEGRAL else "float32"
    a = torch.ones(sa, dtype=O.tdt(dt))
    b = torch.ones(sb, dtype=O.tdt(dt))
    with pytest.raises(RuntimeError) as ei:
        getattr(a, op.name + "_")(b)
    assert_mentions(ei, na, nb)


def test_inplace_cannot_broadcast_self():
    x = torch.ones(3)
    with pytest.raises(RuntimeError) as ei:
        x.add_(torch.ones(2, 3))
    assert_mentions(ei, 2, 3)
    with pytest.raises(RuntimeError):
        x += torch.ones(2, 3)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
@pytest.mark.parametrize("dt", FLOATS)
def test_bitwise_rejects_floats(name, dt):
    a = torch.ones(3, dtype=O.tdt(dt))
    b = torch.ones(3, dtype=torch.int64)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(a, b)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(b, a)


def test_bitwise_operators_reject_floats():
    f = torch.ones(2)
    with pytest.raises(RuntimeError):
        f & f
    with pytest.raises(RuntimeError):
        f | torch.ones(2, dtype=torch.int64)
    with pytest.raises(RuntimeError):
        f ^ f
    with pytest.raises(TypeError):
        ~f
    with pytest.raises(RuntimeError):
        torch.bitwise_not(f)


def test_bool_sub_and_neg_raise():
    b = torch.tensor([True, False])
    with pytest.raises(RuntimeError):
        b - b
    with pytest.raises(RuntimeError):
        torch.sub(b, b)
    with pytest.raises(RuntimeError):
        b - torch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).sub_(b)
    with pytest.raises(RuntimeError):
        -b
    with pytest.raises(RuntimeError):
        torch.neg(b)


@pytest.mark.parametrize("name", ["floor_divide", "remainder"])
def test_integer_division_by_zero_raises(name):
    a = torch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        getattr(torch, name)(a, torch.tensor([1, 0]))


def test_integer_negative_power_raises():
    a = torch.tensor([1, 2, 3])
    with pytest.raises(RuntimeError):
        a ** -1
    with pytest.raises(RuntimeError):
        torch.pow(a, -2)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_need_tensors(name):
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.ones(2), 2)
    with pytest.raises(TypeError):
        getattr(torch, name)(torch.ones(2), [1.0, 2.0])


@pytest.mark.parametrize("opname", BINARY_IDS)
def test_binary_rejects_non_tensor_input(opname):
    op = BIN[opname]
    with pytest.raises(TypeError):
        getattr(torch, op.name)("abc", torch.ones(2))


@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_out_with_no_elements_keeps_storage(shape):
    """A correctly shaped out= is never reallocated, even with zero elements."""
    z = torch.zeros(shape)
    ptr = z.data_ptr()
    r = torch.add(torch.ones(shape), torch.ones(shape), out=z)
    assert r is z
    assert z.data_ptr() == ptr
    assert tuple(z.shape) == shape


def test_out_dtype_that_cannot_hold_result_raises():
    with pytest.raises(RuntimeError):
        torch.add(torch.ones(2), torch.ones(2), out=torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError):
        torch.add(torch.tensor([1, 2]), torch.tensor([1, 2]), out=torch.zeros(2, dtype=torch.bool))
    with pytest.raises(RuntimeError):
        torch.div(torch.tensor([1, 2]), torch.tensor([1, 2]), out=torch.zeros(2, dtype=torch.int64))
    # a wider or same-kind out is fine
    r = torch.add(torch.tensor([1, 2]), torch.tensor([3, 4]), out=torch.zeros(2))
    assert_close(r, np.array([4.0, 6.0]), dtype="float32")
    r = torch.lt(torch.tensor([1.0, 2.0]), 1.5, out=torch.zeros(2, dtype=torch.int32))
    assert_close(r, np.array([1, 0]), dtype="int32")


# ======================================================================================
# unary ops
# ======================================================================================
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _rsqrt(a):
    return 1.0 / np.sqrt(a)


def _relu(a):
    return np.maximum(a, np.zeros((), dtype=a.dtype))


@dataclass(frozen=True)
class Unary:
    name: str
    np_fn: object
    dtypes: tuple = ALL_DTYPES
    result: str = "float"        # 'float' (integral -> float32), 'same', 'bool'
    dom: Domain = Domain()
    inplace: bool = True
    out: bool = True
    op: object = None            # Python operator form (-x, abs(x), ~x)

    def __repr__(self):
        return self.name

    def result_dtype(self, name):
        return {"float": O.float_result(name), "same": name, "bool": "bool"}[self.result]


_E = Domain(lo=-10, hi=10)
_LOGD = Domain(lo=-5, hi=100)
UNARY = [
    Unary("neg", np.negative, NUMERIC, "same", _SP, op=operator.neg),
    Unary("abs", np.abs, NUMERIC, "same", _SP, op=abs),
    Unary("exp", np.exp, dom=Domain(lo=-10, hi=10, special=True)),
    Unary("log", np.log, dom=_LOGD.replace(special=True)),
    Unary("log1p", np.log1p, dom=Domain(lo=-2, hi=50)),
    Unary("expm1", np.expm1, dom=_E),
    Unary("sqrt", np.sqrt, dom=_LOGD.replace(special=True)),
    Unary("rsqrt", _rsqrt, dom=_LOGD.replace(nonzero=True)),
    Unary("sin", np.sin, dom=_E),
    Unary("cos", np.cos, dom=_E),
    Unary("tan", np.tan, dom=_E),
    Unary("tanh", np.tanh, dom=_E.replace(special=True)),
    Unary("sigmoid", _sigmoid, dom=Domain(lo=-20, hi=20, special=True)),
    Unary("relu", _relu, NUMERIC, "same", _SP, out=False),
    Unary("floor", np.floor, NUMERIC, "same", Domain(lo=-20, hi=20, special=True)),
    Unary("ceil", np.ceil, NUMERIC, "same", Domain(lo=-20, hi=20, special=True)),
    Unary("round", np.round, NUMERIC, "same", Domain(lo=-20, hi=20, dyadic=True)),
    Unary("trunc", np.trunc, NUMERIC, "same", Domain(lo=-20, hi=20, special=True)),
    Unary("sign", np.sign, NUMERIC, "same", Domain(lo=-20, hi=20)),
    Unary("isnan", np.isnan, ALL_DTYPES, "bool", _SP, inplace=False, out=False),
    Unary("isinf", np.isinf, ALL_DTYPES, "bool", _SP, inplace=False, out=False),
    Unary("isfinite", np.isfinite, ALL_DTYPES, "bool", _SP, inplace=False, out=False),
    Unary("bitwise_not", np.invert, INTEGRAL, "same", op=operator.invert),
]
UNARY_IDS = [u.name for u in UNARY]
UN = {u.name: u for u in UNARY}


def _np_unary(op: Unary, a: np.ndarray, dt: str):
    res = op.result_dtype(dt)
    # compute in the result dtype (floats widened to float64): int -> float ops see floats
    src = res if op.result != "bool" else dt
    x = compute_np(a, src)
    with np.errstate(all="ignore"):
        if op.name in ("isnan", "isinf", "isfinite") and x.dtype.kind != "f":
            return {"isnan": np.zeros, "isinf": np.zeros, "isfinite": np.ones}[op.name](
                x.shape, dtype=bool)
        return op.np_fn(x)


@pytest.mark.parametrize("opname", UNARY_IDS)
@given(data=st.data())
def test_unary(opname, data):
    op = UN[opname]
    dt = data.draw(st.sampled_from(op.dtypes), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    x = data.draw(O.operands(dt, shape, op.dom), label="x")
    form = data.draw(st.sampled_from(["function", "method"] + (["operator"] if op.op else [])),
                     label="form")
    fn = {"function": lambda t: getattr(torch, op.name)(t),
          "method": lambda t: getattr(t, op.name)(),
          "operator": op.op}[form]
    check_op(fn, lambda a: _np_unary(op, a, dt), x, check_dtype=op.result_dtype(dt),
             msg=f"{op.name} {form} {x.layout}")


@pytest.mark.parametrize("opname", [u.name for u in UNARY if u.inplace])
@given(data=st.data())
def test_unary_inplace(opname, data):
    op = UN[opname]
    dt = data.draw(st.sampled_from(op.dtypes), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    x = data.draw(O.operands(dt, shape, op.dom, layouts=NO_EXPAND), label="x")
    t = x.tensor()
    ptr = t.data_ptr()
    if op.result_dtype(dt) != dt:  # e.g. int_tensor.exp_()
        before = to_numpy(t)
        with pytest.raises(RuntimeError):
            getattr(t, op.name + "_")()
        np.testing.assert_array_equal(to_numpy(t), before)
        return
    r = getattr(t, op.name + "_")()
    assert r is t
    assert O.same_storage(t, ptr)
    assert_close(t, _np_unary(op, x.array, dt), dtype=dt, msg=f"{op.name}_ {x.layout}")


@pytest.mark.parametrize("opname", [u.name for u in UNARY if u.out])
@given(data=st.data())
def test_unary_out(opname, data):
    op = UN[opname]
    dt = data.draw(st.sampled_from(op.dtypes), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    x = data.draw(O.operands(dt, shape, op.dom), label="x")
    res = op.result_dtype(dt)
    z = O.zeros_out(shape, res)
    ptr = z.data_ptr()
    r = getattr(torch, op.name)(x.tensor(), out=z)
    assert r is z
    assert O.same_storage(z, ptr)
    assert_close(z, _np_unary(op, x.array, dt), dtype=res, msg=f"{op.name} out= {x.layout}")


@pytest.mark.parametrize("opname", UNARY_IDS)
def test_unary_rejects_non_tensor(opname):
    op = UN[opname]
    with pytest.raises(TypeError):
        getattr(torch, op.name)("abc")


@pytest.mark.parametrize("name", ["neg", "abs", "relu", "floor", "ceil", "round", "trunc"])
def test_unary_rejects_bool(name):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor([True, False]))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "sigmoid", "tanh", "rsqrt"])
@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "bool"])
def test_float_unary_inplace_on_integral_raises(name, dt):
    t = torch.ones(3, dtype=O.tdt(dt))
    with pytest.raises(RuntimeError):
        getattr(t, name + "_")()
    with pytest.raises(RuntimeError):
        getattr(torch, name)(t, out=torch.zeros(3, dtype=O.tdt(dt)))


# ======================================================================================
# where / clamp / clip / lerp
# ======================================================================================
def _where_operands(data):
    (sc, sx, sy), _ = data.draw(O.broadcast_shapes(3), label="shapes")
    cond = data.draw(O.operands("bool", sc), label="cond")
    dx = data.draw(st.sampled_from(ALL_DTYPES), label="dtype_x")
    x = data.draw(O.operands(dx, sx, _SP), label="x")
    if data.draw(st.booleans(), label="y_is_scalar"):
        y = data.draw(O.scalars(data.draw(st.sampled_from(["int", "float", "bool"]))), label="y")
    else:
        y = data.draw(O.operands(data.draw(st.sampled_from(ALL_DTYPES)), sy, _SP), label="y")
    return cond, x, y


@given(data=st.data())
def test_where(data):
    cond, x, y = _where_operands(data)
    res = O.result_type(x, y)
    tc, tx = cond.tensor(), x.tensor()
    ty = y.tensor() if isinstance(y, O.Operand) else y
    form = data.draw(st.sampled_from(["function", "method"]), label="form")
    r = torch.where(tc, tx, ty) if form == "function" else tx.where(tc, ty)
    yv = y.array if isinstance(y, O.Operand) else y
    expected = np.where(cond.array, compute_np(x.array, res), compute_np(yv, res))
    assert_close(r, expected, dtype=res, msg=f"where {form} {cond.layout} {x.layout}")


@given(data=st.data())
def test_where_out(data):
    cond, x, y = _where_operands(data)
    if isinstance(y, O.Operand):
        ty, yv, res = y.tensor(), y.array, O.result_type(x, y)
    else:  # out= form: pass the scalar as a 0-d tensor
        yk = O.operand_kind(y)[1]
        ty = O.to_tensor(np.asarray(y), yk)
        yv = O.cast_np(y, yk)  # the value a yk tensor holds (a float becomes float32)
        res = O.result_type(x, ("zero", yk))
    out_shape = np.broadcast_shapes(cond.shape, x.shape, tuple(ty.shape))
    z = O.zeros_out(out_shape, res)
    ptr = z.data_ptr()
    r = torch.where(cond.tensor(), x.tensor(), ty, out=z)
    assert r is z
    assert O.same_storage(z, ptr)
    expected = np.where(cond.array, compute_np(x.array, res), compute_np(yv, res))
    assert_close(z, expected, dtype=res, msg="where out=")


def test_where_errors():
    x = torch.ones(2, 3)
    with pytest.raises(RuntimeError):
        torch.where(torch.tensor([1, 0, 1]), x, x)  # condition must be bool
    with pytest.raises(RuntimeError) as ei:
        torch.where(torch.tensor([True, False]), torch.ones(2), torch.ones(3))
    assert_mentions(ei, 2, 3)


@given(data=st.data())
def test_clamp_scalar_bounds(data):
    dt = data.draw(st.sampled_from(NUMERIC), label="dtype")
    shape = data.draw(O.shapes(), label="shape")
    form = data.draw(st.sampled_from(["clamp", "clip", "method", "method_clip", "out", "inplace"]),
                     label="form")
    layouts = NO_EXPAND if form == "inplace" else O.LAYOUTS
    x = data.draw(O.operands(dt, shape, Domain(lo=-20, hi=20, special=True), layouts=layouts),
                  label="x")
    kind = data.draw(st.sampled_from(["int", "float"]), label="bound_kind")
    which = data.draw(st.sampled_from(["min", "max", "both"]), label="which")
    bdom = Domain(lo=0 if dt == "uint8" else -8, hi=8)
    lo = data.draw(O.scalars(kind, bdom), label="min") if which != "max" else None
    hi = data.draw(O.scalars(kind, bdom), label="max") if which != "min" else None
    res = O.result_type(x, lo, hi)
    a = compute_np(x.array, res)
    with np.errstate(all="ignore"):
        if lo is not None:
            a = np.maximum(a, compute_np(lo, res))
        if hi is not None:
            a = np.minimum(a, compute_np(hi, res))
    t = x.tensor()
    if form == "inplace":
        ptr = t.data_ptr()
        if not O.can_cast(res, dt):
            with pytest.raises(RuntimeError):
                t.clamp_(min=lo, max=hi)
            return
        r = t.clamp_(min=lo, max=hi)
        assert r is t and O.same_storage(t, ptr)
        assert_close(t, a, dtype=dt, msg=f"clamp_ {x.layout}")
        return
    if form == "clamp":
        r = torch.clamp(t, min=lo, max=hi)
    elif form == "clip":
        r = torch.clip(t, lo, hi)
    elif form == "method":
        r = t.clamp(lo, hi)
    elif form == "method_clip":
        r = t.clip(min=lo, max=hi)
    else:
        z = O.zeros_out(shape, res)
        ptr = z.data_ptr()
        r = torch.clamp(t, min=lo, max=hi, out=z)
        assert r is z and O.same_storage(z, ptr)
    assert_close(r, a, dtype=res, msg=f"clamp {form} {x.layout}")


@given(data=st.data())
def test_clamp_tensor_bounds(data):
    which = data.draw(st.sampled_from(["min", "max", "both"]), label="which")
    (sx, sl, sh), out_shape = data.draw(O.broadcast_shapes(3), label="shapes")
    dx = data.draw(st.sampled_from(NUMERIC), label="dtype_x")
    x = data.draw(O.operands(dx, sx, Domain(lo=-20, hi=20)), label="x")
    lo = hi = None
    if which != "max":
        lo = data.draw(O.operands(data.draw(st.sampled_from(NUMERIC)), sl, Domain(lo=-8, hi=8)),
                       label="min")
    if which != "min":
        hi = data.draw(O.operands(data.draw(st.sampled_from(NUMERIC)), sh, Domain(lo=-8, hi=8)),
                       label="max")
    res = O.result_type(x, lo, hi)
    shape = np.broadcast_shapes(x.shape, *(b.shape for b in (lo, hi) if b is not None))
    tlo = lo.tensor() if lo is not None else None
    thi = hi.tensor() if hi is not None else None
    form = data.draw(st.sampled_from(["function", "method", "clip"]), label="form")
    if form == "function":
        r = torch.clamp(x.tensor(), min=tlo, max=thi)
    elif form == "method":
        r = x.tensor().clamp(min=tlo, max=thi)
    else:
        r = torch.clip(x.tensor(), tlo, thi)
    a = compute_np(x.array, res)
    if lo is not None:
        a = np.maximum(a, compute_np(lo.array, res))
    if hi is not None:
        a = np.minimum(a, compute_np(hi.array, res))
    assert_close(r, np.broadcast_to(a, shape), dtype=res, msg=f"clamp tensors {form}")


def test_clamp_errors():
    with pytest.raises(RuntimeError):
        torch.clamp(torch.ones(2))
    with pytest.raises(RuntimeError):
        torch.clip(torch.ones(2))
    with pytest.raises(TypeError):
        torch.clamp("abc", 0, 1)
    with pytest.raises(RuntimeError) as ei:
        torch.clamp(torch.ones(2), max=torch.ones(3))
    assert_mentions(ei, 2, 3)
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).clamp_(min=0.5)  # float result into int64


@given(data=st.data())
def test_lerp(data):
    dt = data.draw(st.sampled_from(FLOATS), label="dtype")
    w_is_tensor = data.draw(st.booleans(), label="weight_is_tensor")
    (ss, se, sw), out_shape = data.draw(O.broadcast_shapes(3), label="shapes")
    start = data.draw(O.operands(dt, ss, Domain(lo=-10, hi=10)), label="start")
    end = data.draw(O.operands(dt, se, Domain(lo=-10, hi=10)), label="end")
    if w_is_tensor:
        w = data.draw(O.operands(dt, sw, Domain(lo=-1, hi=2)), label="weight")
        wv, tw = w.array, w.tensor()
    else:
        w = data.draw(st.floats(-1, 2), label="weight")
        wv, tw = w, w
        out_shape = np.broadcast_shapes(start.shape, end.shape)
    form = data.draw(st.sampled_from(["function", "method", "inplace", "out"]), label="form")
    s64, e64 = compute_np(start.array, dt), compute_np(end.array, dt)
    w64 = compute_np(wv, dt)
    expected = np.broadcast_to(s64 + w64 * (e64 - s64), out_shape)
    rtol, atol = O.TOL[dt]
    atol = atol + 8 * O.ACC_EPS[dt] * 20  # |start|,|end| <= 10, computed in float32/64
    if form == "function":
        r = torch.lerp(start.tensor(), end.tensor(), tw)
    elif form == "method":
        r = start.tensor().lerp(end.tensor(), tw)
    elif form == "inplace":
        assume(tuple(out_shape) == start.shape and "expand" not in start.layout)
        t = start.tensor()
        ptr = t.data_ptr()
        r = t.lerp_(end.tensor(), tw)
        assert r is t and O.same_storage(t, ptr)
    else:
        z = O.zeros_out(out_shape, dt)
        ptr = z.data_ptr()
        r = torch.lerp(start.tensor(), end.tensor(), tw, out=z)
        assert r is z and O.same_storage(z, ptr)
    assert_close(r, expected, dtype=dt, rtol=rtol, atol=atol, msg=f"lerp {form}")


def test_lerp_errors():
    f32 = torch.ones(2)
    with pytest.raises(RuntimeError):
        torch.lerp(f32, torch.ones(2, dtype=torch.float64), 0.5)  # end dtype differs
    with pytest.raises(RuntimeError):
        torch.lerp(f32, f32, torch.ones(2, dtype=torch.float64))  # weight dtype differs
    with pytest.raises(RuntimeError):
        torch.lerp(torch.tensor([1, 2]), torch.tensor([3, 4]), 0.5)  # integers unsupported
    with pytest.raises(RuntimeError) as ei:
        torch.lerp(torch.ones(2), torch.ones(2), torch.ones(3))
    assert_mentions(ei, 2, 3)


# ======================================================================================
# storage semantics: y[:] = expr, in-place ops on views
# ======================================================================================
@given(data=st.data())
def test_setitem_slice_writes_into_storage(data):
    dt = data.draw(st.sampled_from(["float32", "float64", "int64", "int32"]), label="dtype")
    shape = data.draw(O.shapes(min_dims=2, max_dims=3), label="shape")
    x = data.draw(O.operands(dt, shape, Domain(lo=-10, hi=10)), label="x")
    transposed_target = data.draw(st.booleans(), label="target_is_view")
    if transposed_target:
        base = torch.zeros(tuple(reversed(shape)), dtype=O.tdt(dt))
        y = base.permute(*reversed(range(len(shape))))
    else:
        base = y = torch.zeros(shape, dtype=O.tdt(dt))
    ptr = y.data_ptr()
    y[:] = x.tensor() * 2 + 1
    assert O.same_storage(y, ptr)
    expected = compute_np(x.array, dt) * 2 + 1
    assert_close(y, expected, dtype=dt)
    assert_close(base, np.transpose(expected) if transposed_target else expected, dtype=dt)


def test_inplace_on_strided_view_updates_base_only_there():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    base = O.to_tensor(a)
    v = base[:, 1::2]
    r = v.mul_(10)
    assert r is v
    exp = a.copy()
    exp[:, 1::2] *= 10
    assert_close(base, exp, dtype="float32")
    w = base.t()
    w += 1
    assert_close(base, exp + 1, dtype="float32")


def test_iadd_keeps_identity_and_storage():
    x = torch.tensor([1.0, 2.0, 3.0])
    ident, ptr = id(x), x.data_ptr()
    x += torch.tensor([1.0, 1.0, 1.0])
    x *= 2
    x -= 1
    x /= 2
    assert id(x) == ident and O.same_storage(x, ptr)
    assert_close(x, np.array([1.5, 2.5, 3.5]), dtype="float32")


# ======================================================================================
# hand-worked cases (literal expectations)
# ======================================================================================
def T(v, dt=None):
    return torch.tensor(v, dtype=O.tdt(dt)) if dt else torch.tensor(v)


HAND = [
    ("floordiv_int_signs", lambda: T([-7, 7]) // T([2, -2]), [-4, -4], "int64"),
    ("remainder_int_signs", lambda: T([-7, 7]) % T([2, -2]), [1, -1], "int64"),
    ("remainder_float_python_sign", lambda: T([-7.5, 7.5]) % 2, [0.5, 1.5], "float32"),
    ("floordiv_float_negative", lambda: T([7.5]) // -2, [-4.0], "float32"),
    ("int_truediv", lambda: T([7, -7]) / T([2, 2]), [3.5, -3.5], "float32"),
    ("int_div_by_zero", lambda: T([1, -1, 0]) / 0, [inf, -inf, nan], "float32"),
    ("float_div_zero", lambda: T([0.0, 1.0]) / 0.0, [nan, inf], "float32"),
    ("rsub_scalar", lambda: 2 - T([1, 5]), [1, -3], "int64"),
    ("rpow_int_scalar", lambda: 2 ** T([0, 3]), [1, 8], "int64"),
    ("rpow_float_scalar", lambda: 2.5 ** T([0, 2]), [1.0, 6.25], "float32"),
    ("rtruediv_scalar", lambda: 1 / T([2, 4]), [0.5, 0.25], "float32"),
    ("rfloordiv_scalar", lambda: 7 // T([2, -2]), [3, -4], "int64"),
    ("rmod_scalar", lambda: 7 % T([2, -2]), [1, -1], "int64"),
    ("pow_int", lambda: T([2, 3]) ** 2, [4, 9], "int64"),
    ("pow_float_exp_on_int", lambda: T([4, 9]) ** 0.5, [2.0, 3.0], "float32"),
    ("pow_tensor_int_neg_base", lambda: torch.pow(T([-2, 3]), T([3, 2])), [-8, 9], "int64"),
    ("round_half_even", lambda: torch.round(T([0.5, 1.5, 2.5, -0.5, -1.5])),
     [0.0, 2.0, 2.0, -0.0, -2.0], "float32"),
    ("trunc_floor_ceil", lambda: torch.stack([torch.trunc(T([-1.5, 1.5])), torch.floor(T([-1.5, 1.5])),
                                              torch.ceil(T([-1.5, 1.5]))]),
     [[-1.0, 1.0], [-2.0, 1.0], [-1.0, 2.0]], "float32"),
    ("bool_add_is_or", lambda: T([True, False, False]) + T([True, True, False]), [True, True, False], "bool"),
    ("bool_mul_is_and", lambda: T([True, False]) * T([True, True]), [True, False], "bool"),
    ("bool_plus_int_scalar", lambda: T([True, False]) + 1, [2, 1], "int64"),
    ("bool_div", lambda: T([True, False]) / T([True, True]), [1.0, 0.0], "float32"),
    ("int8_add_wraps", lambda: T([100], "int8") + T([100], "int8"), [-56], "int8"),
    ("uint8_neg_wraps", lambda: -T([1, 0], "uint8"), [255, 0], "uint8"),
    ("uint8_sub_wraps", lambda: T([1], "uint8") - T([2], "uint8"), [255], "uint8"),
    ("xor_bool", lambda: T([True, False]) ^ T([True, True]), [False, True], "bool"),
    ("and_or_int", lambda: torch.stack([T([12]) & T([10]), T([12]) | T([10]), T([12]) ^ T([10])]),
     [[8], [14], [6]], "int64"),
    ("invert_int", lambda: ~T([0, 5, -1]), [-1, -6, 0], "int64"),
    ("invert_uint8", lambda: ~T([0, 5], "uint8"), [255, 250], "uint8"),
    ("invert_bool", lambda: ~T([True, False]), [False, True], "bool"),
    ("clamp_int_float_bound", lambda: torch.clamp(T([1, 2, 3]), min=1.5), [1.5, 2.0, 3.0], "float32"),
    ("clamp_min_gt_max", lambda: torch.clamp(T([0.0, 5.0]), min=3.0, max=1.0), [1.0, 1.0], "float32"),
    ("clamp_nan_propagates", lambda: torch.clamp(T([nan, 5.0]), min=0.0, max=1.0), [nan, 1.0], "float32"),
    ("clip_alias", lambda: torch.clip(T([-2, 0, 7]), -1, 5), [-1, 0, 5], "int64"),
    ("where_scalar_promotes", lambda: torch.where(T([True, False]), T([1, 2]), 2.5), [1.0, 2.5], "float32"),
    ("where_broadcast", lambda: torch.where(T([[True], [False]]), T([1, 2]), T([10])),
     [[1, 2], [10, 10]], "int64"),
    ("lerp_scalar_weight", lambda: torch.lerp(T([1.0, 2.0]), T([3.0, 6.0]), 0.25), [1.5, 3.0], "float32"),
    ("lerp_tensor_weight", lambda: torch.lerp(T([0.0, 0.0]), T([4.0, 8.0]), T([0.5, 2.0])), [2.0, 16.0], "float32"),
    ("sign", lambda: torch.sign(T([-3.0, 0.0, 2.0])), [-1.0, 0.0, 1.0], "float32"),
    ("sign_int", lambda: torch.sign(T([-3, 0, 2])), [-1, 0, 1], "int64"),
    ("abs_int", lambda: torch.abs(T([-3, 0, 2], "int16")), [3, 0, 2], "int16"),
    ("nan_eq", lambda: T([nan]) == T([nan]), [False], "bool"),
    ("nan_ne", lambda: T([nan]) != T([nan]), [True], "bool"),
    ("nan_lt", lambda: T([nan, 1.0]) < 2.0, [False, True], "bool"),
    ("maximum_nan", lambda: torch.maximum(T([nan, 1.0]), T([0.0, 2.0])), [nan, 2.0], "float32"),
    ("minimum_mixed_dtype", lambda: torch.minimum(T([1, 5]), T([2.5, 2.5])), [1.0, 2.5], "float32"),
    ("sigmoid_zero", lambda: torch.sigmoid(T([0.0, 0])), [0.5, 0.5], "float32"),
    ("sigmoid_int", lambda: torch.sigmoid(T([0])), [0.5], "float32"),
    ("relu", lambda: torch.relu(T([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0], "float32"),
    ("relu_int", lambda: torch.relu(T([-1, 2])), [0, 2], "int64"),
    ("exp_log_int", lambda: torch.log(torch.exp(T([0, 1]))), [0.0, 1.0], "float32"),
    ("sqrt_int", lambda: torch.sqrt(T([4, 9])), [2.0, 3.0], "float32"),
    ("rsqrt", lambda: torch.rsqrt(T([4.0, 0.25, 0.0])), [0.5, 2.0, inf], "float32"),
    ("log_special", lambda: torch.log(T([0.0, -1.0, inf])), [-inf, nan, inf], "float32"),
    ("log1p_expm1", lambda: torch.stack([torch.log1p(T([0.0, -1.0])), torch.expm1(T([0.0, -inf]))]),
     [[0.0, -inf], [0.0, -1.0]], "float32"),
    ("isnan_isinf_isfinite", lambda: torch.stack([torch.isnan(T([nan, inf, 1.0])),
                                                  torch.isinf(T([nan, -inf, 1.0])),
                                                  torch.isfinite(T([nan, inf, 1.0]))]),
     [[True, False, False], [False, True, False], [False, False, True]], "bool"),
    ("isnan_int", lambda: torch.isnan(T([1, 2])), [False, False], "bool"),
    ("add_alpha", lambda: torch.add(T([1.0, 2.0]), T([1.0, 1.0]), alpha=2), [3.0, 4.0], "float32"),
    ("sub_alpha", lambda: torch.sub(T([1.0, 2.0]), T([1.0, 1.0]), alpha=3), [-2.0, -1.0], "float32"),
    ("float16_times_2_stays", lambda: T([1.5], "float16") * 2.0, [3.0], "float16"),
    ("int32_plus_1_stays", lambda: T([1], "int32") + 1, [2], "int32"),
    ("int_times_float_scalar", lambda: T([2], "int16") * 2.5, [5.0], "float32"),
    ("scalar_compare_int_float", lambda: T([1, 2, 3]) >= 2.5, [False, False, True], "bool"),
    ("cmp_mixed_tensor", lambda: T([1, 2], "int8") == T([1.0, 2.5], "float64"), [True, False], "bool"),
]


@pytest.mark.parametrize("fn,expected,dt", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_hand_worked(fn, expected, dt):
    assert_close(fn(), np.array(expected, dtype=np.float64 if O.is_float(dt) else None), dtype=dt,
                 rtol=1e-6, atol=1e-6)
