"""Type promotion: torch.promote_types / torch.result_type / can_cast and the dtypes real ops
produce, against hand-worked tables written from PyTorch's documented rules
(tensor_attributes "Type promotion"):

* categories bool < integer < floating; within a category the wider type wins;
  uint8 with int8 needs int16; float16 with bfloat16 needs float32;
* operands rank as dimensioned tensors > zero-dim tensors > Python scalars, and a
  lower-ranked operand only matters when its category is higher than every higher-ranked
  operand's; then the result is big enough for the lower-ranked operands of that category
  (zero-dim tensors keep their dtype; Python floats mean the default float32, Python ints
  int64, Python bools bool);
* in-place ops and out= may not need a cast from floating to integral or to bool.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import _oracle as O
from _oracle import ALL_DTYPES, assert_close, compute_np, torch

B, U8, I8, I16, I32, I64 = "bool", "uint8", "int8", "int16", "int32", "int64"
F16, BF16, F32, F64 = "float16", "bfloat16", "float32", "float64"

# promote_types for every unordered pair, worked out by hand
PROMOTE = {
    (B, B): B, (B, U8): U8, (B, I8): I8, (B, I16): I16, (B, I32): I32, (B, I64): I64,
    (B, F16): F16, (B, BF16): BF16, (B, F32): F32, (B, F64): F64,
    (U8, U8): U8, (U8, I8): I16, (U8, I16): I16, (U8, I32): I32, (U8, I64): I64,
    (U8, F16): F16, (U8, BF16): BF16, (U8, F32): F32, (U8, F64): F64,
    (I8, I8): I8, (I8, I16): I16, (I8, I32): I32, (I8, I64): I64,
    (I8, F16): F16, (I8, BF16): BF16, (I8, F32): F32, (I8, F64): F64,
    (I16, I16): I16, (I16, I32): I32, (I16, I64): I64,
    (I16, F16): F16, (I16, BF16): BF16, (I16, F32): F32, (I16, F64): F64,
    (I32, I32): I32, (I32, I64): I64, (I32, F16): F16, (I32, BF16): BF16, (I32, F32): F32,
    (I32, F64): F64,
    (I64, I64): I64, (I64, F16): F16, (I64, BF16): BF16, (I64, F32): F32, (I64, F64): F64,
    (F16, F16): F16, (F16, BF16): F32, (F16, F32): F32, (F16, F64): F64,
    (BF16, BF16): BF16, (BF16, F32): F32, (BF16, F64): F64,
    (F32, F32): F32, (F32, F64): F64,
    (F64, F64): F64,
}
PAIRS = [(a, b) for a in ALL_DTYPES for b in ALL_DTYPES]


def promoted(a, b):
    return PROMOTE.get((a, b)) or PROMOTE[(b, a)]


def ones(dt, shape=(3,)):
    return torch.ones(shape, dtype=O.tdt(dt))


def test_table_is_complete_and_matches_oracle_model():
    """The hand table and _oracle.promote_types (used by every other test file) agree."""
    assert len(PROMOTE) == 55
    for a, b in PAIRS:
        assert O.promote_types(a, b) == promoted(a, b), (a, b)


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_promote_types(a, b):
    assert torch.promote_types(O.tdt(a), O.tdt(b)) == O.tdt(promoted(a, b))


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_tensor_tensor_op_dtypes(a, b):
    exp = promoted(a, b)
    x, y = ones(a), ones(b)
    assert torch.result_type(x, y) == O.tdt(exp)
    assert (x + y).dtype == O.tdt(exp)
    assert (x * y).dtype == O.tdt(exp)
    assert torch.maximum(x, y).dtype == O.tdt(exp)
    assert torch.where(ones(B), x, y).dtype == O.tdt(exp)
    if B not in (a, b):
        assert (x - y).dtype == O.tdt(exp)
    assert (x / y).dtype == O.tdt(exp if O.is_float(exp) else F32)
    for cmp in ((x == y), (x < y), (x >= y), (x != y)):
        assert cmp.dtype == torch.bool
    if not O.is_float(exp):
        assert (x & y).dtype == O.tdt(exp)
        assert (x | y).dtype == O.tdt(exp)


# (dimensioned dtype, zero-dim dtype, expected result), worked out by hand
ZERO_DIM = [
    (I8, I64, I8),        # same category: the dimensioned tensor decides
    (I32, F64, F64),      # higher category zero-dim: its own dtype is needed
    (I64, F16, F16),
    (U8, F32, F32),
    (F16, F64, F16),      # same category
    (BF16, F32, BF16),
    (F32, F64, F32),
    (U8, I8, U8),         # docs: result_type(uint8 tensor, tensor(1)) == uint8
    (U8, I64, U8),
    (B, I32, I32),        # bool category is lower: promote
    (B, U8, U8),
    (B, F64, F64),
    (I16, B, I16),
    (F32, B, F32),
    (I16, F16, F16),
    (I32, BF16, BF16),
]


@pytest.mark.parametrize("dim_dt,zero_dt,exp", ZERO_DIM,
                         ids=[f"{a}[n]-{b}[]" for a, b, _ in ZERO_DIM])
def test_zero_dim_tensor_ranks_below_dimensioned(dim_dt, zero_dt, exp):
    x = ones(dim_dt)
    z = torch.ones((), dtype=O.tdt(zero_dt))
    assert O.result_type(("dim", dim_dt), ("zero", zero_dt)) == exp  # oracle model agrees
    assert torch.result_type(x, z) == O.tdt(exp)
    assert torch.result_type(z, x) == O.tdt(exp)
    assert (x + z).dtype == O.tdt(exp)
    assert (z + x).dtype == O.tdt(exp)
    assert (x * z).dtype == O.tdt(exp)


# two zero-dim tensors: ordinary promotion
ZERO_ZERO = [(I32, I64, I64), (I32, F16, F16), (F16, BF16, F32), (B, U8, U8), (U8, I8, I16)]


@pytest.mark.parametrize("a,b,exp", ZERO_ZERO, ids=[f"{a}[]-{b}[]" for a, b, _ in ZERO_ZERO])
def test_zero_dim_pairs(a, b, exp):
    x = torch.ones((), dtype=O.tdt(a))
    y = torch.ones((), dtype=O.tdt(b))
    assert torch.result_type(x, y) == O.tdt(exp)
    r = x + y
    assert r.dtype == O.tdt(exp)
    assert tuple(r.shape) == ()


# (tensor dtype, tensor is 0-d, Python scalar, expected), worked out by hand
SCALARS = [
    (I32, False, 1, I32),
    (I8, False, 1, I8),
    (U8, False, 1, U8),
    (I64, False, 1, I64),
    (F16, False, 2.0, F16),
    (BF16, False, 1.5, BF16),
    (F64, False, 1.5, F64),
    (F32, False, 1, F32),
    (I32, False, 2.5, F32),   # higher category scalar: the default float dtype
    (I64, False, 2.5, F32),
    (U8, False, 2.5, F32),
    (B, False, 1, I64),
    (B, False, 1.5, F32),
    (B, False, True, B),
    (I8, False, True, I8),
    (F16, False, True, F16),
    (I32, True, 1, I32),
    (I8, True, 1, I8),
    (I64, True, 2.5, F32),
    (F64, True, 2.5, F64),
    (F16, True, 2.5, F16),
    (B, True, 1, I64),
    (B, True, True, B),
]


@pytest.mark.parametrize("dt,zero,s,exp", SCALARS,
                         ids=[f"{dt}{'[]' if z else '[n]'}-{type(s).__name__}{s}"
                              for dt, z, s, _ in SCALARS])
def test_python_scalars_are_weak(dt, zero, s, exp):
    x = ones(dt, () if zero else (3,))
    assert O.result_type(("zero" if zero else "dim", dt), s) == exp  # oracle model agrees
    assert torch.result_type(x, s) == O.tdt(exp)
    assert torch.result_type(s, x) == O.tdt(exp)
    assert (x + s).dtype == O.tdt(exp)
    assert (s + x).dtype == O.tdt(exp)
    assert (x * s).dtype == O.tdt(exp)
    assert tuple((x + s).shape) == tuple(x.shape)


@pytest.mark.parametrize("dt", [U8, I8, I16, I32, I64, B])
def test_integral_true_division_gives_float32(dt):
    x = ones(dt)
    assert (x / x).dtype == torch.float32
    assert torch.div(x, 2).dtype == torch.float32
    assert (2 / x).dtype == torch.float32
    assert torch.true_divide(x, x).dtype == torch.float32


@pytest.mark.parametrize("dt", [U8, I8, I16, I32, I64])
def test_integral_floor_division_stays_integral(dt):
    x = ones(dt)
    assert (x // 2).dtype == O.tdt(dt)
    assert (x // 2.0).dtype == torch.float32
    assert (x % 2).dtype == O.tdt(dt)
    assert (x ** 2).dtype == O.tdt(dt)
    assert (2 ** x).dtype == O.tdt(dt)
    assert (2.0 ** x).dtype == torch.float32


@pytest.mark.parametrize("dt", ALL_DTYPES)
def test_comparisons_give_bool(dt):
    x = ones(dt)
    for r in (x == x, x != 1, x < 2.5, x <= x, x > 0, x >= True,
              torch.eq(x, x), torch.lt(x, 1), torch.ge(x, x)):
        assert r.dtype == torch.bool


def test_default_dtypes():
    assert torch.tensor([1, 2]).dtype == torch.int64
    assert torch.tensor([1.0, 2.0]).dtype == torch.float32
    assert torch.tensor([True]).dtype == torch.bool
    assert torch.ones(2).dtype == torch.float32
    assert torch.zeros(2).dtype == torch.float32
    assert torch.result_type(1, 1.0) == torch.float32


# (self dtype, other (dtype name for a 1-d tensor, or Python scalar), allowed?)
INPLACE = [
    (I32, 0.5, False),
    (I64, 2.5, False),
    (U8, 1.5, False),
    (B, 1, False),
    (B, True, True),
    (B, I8, False),
    (I32, True, True),
    (I32, 1, True),
    (F16, 2.5, True),
    (BF16, 3, True),
    (F32, F64, True),     # same category: computed wide, cast back to float32
    (F16, F64, True),
    (I8, I64, True),
    (U8, I8, True),       # int16 result cast back to uint8
    (I64, F32, False),
    (I16, F16, False),
    (I32, B, True),
]


@pytest.mark.parametrize("dt,other,ok", INPLACE,
                         ids=[f"{dt}+={o}" for dt, o, _ in INPLACE])
def test_inplace_promotion_rules(dt, other, ok):
    x = ones(dt)
    ptr = x.data_ptr()
    y = ones(other) if isinstance(other, str) else other
    if not ok:
        with pytest.raises(RuntimeError):
            x += y
        with pytest.raises(RuntimeError):
            x.add_(y)
        with pytest.raises(RuntimeError):
            x.mul_(y)
        return
    x += y
    assert x.dtype == O.tdt(dt) and x.data_ptr() == ptr
    x.mul_(y)
    assert x.dtype == O.tdt(dt) and x.data_ptr() == ptr


@pytest.mark.parametrize("dt", [U8, I8, I16, I32, I64])
def test_inplace_true_division_of_integers_raises(dt):
    x = ones(dt)
    with pytest.raises(RuntimeError):
        x /= 2
    with pytest.raises(RuntimeError):
        x.div_(x)


def test_inplace_wider_same_kind_values():
    x = torch.tensor([100, 1], dtype=torch.int8)
    x += torch.tensor([100, 1000])          # computed in int64, wrapped into int8
    assert_close(x, np.array([-56, -23]), dtype=I8)
    f = torch.tensor([1.0, 2.0])
    f += torch.tensor([1e-9, 0.5], dtype=torch.float64)
    assert_close(f, np.array([1.0, 2.5]), dtype=F32, rtol=0, atol=0)


CAN_CAST = [
    (F32, I32, False), (F64, B, False), (I32, B, False), (I64, I8, True), (I32, F16, True),
    (B, I64, True), (F64, F16, True), (U8, I8, True), (BF16, F32, True), (I8, U8, True),
]


@pytest.mark.parametrize("a,b,exp", CAN_CAST, ids=[f"{a}->{b}" for a, b, _ in CAN_CAST])
def test_can_cast(a, b, exp):
    assert O.can_cast(a, b) == exp
    assert torch.can_cast(O.tdt(a), O.tdt(b)) == exp


def test_out_casting_rules():
    with pytest.raises(RuntimeError):
        torch.add(ones(F32), ones(F32), out=ones(I64))
    with pytest.raises(RuntimeError):
        torch.mul(ones(I32), ones(I32), out=ones(B))
    r = torch.add(ones(I32), ones(I32), out=torch.zeros(3, dtype=torch.float64))
    assert r.dtype == torch.float64
    assert_close(r, np.full(3, 2.0), dtype=F64)
    r = torch.mul(ones(F64), ones(F64), out=torch.zeros(3, dtype=torch.float16))
    assert_close(r, np.ones(3), dtype=F16)


_rank = st.sampled_from(["dim", "zero", "scalar"])


@given(data=st.data())
def test_random_operand_mix_matches_model(data):
    """Random dtype/rank combinations: the op's dtype matches the promotion model and the
    values match NumPy computed in that dtype."""
    ops = []
    (s0, s1), _ = data.draw(O.broadcast_shapes(2, min_dims=1, max_dims=2, allow_empty=False),
                           label="shapes")
    for i in range(2):
        rank = data.draw(_rank, label=f"rank{i}")
        if rank == "scalar":
            ops.append(data.draw(st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.25, 2.0]),
                                           st.booleans()), label=f"scalar{i}"))
        else:
            dt = data.draw(st.sampled_from(ALL_DTYPES), label=f"dtype{i}")
            shape = () if rank == "zero" else (s0, s1)[i]
            ops.append(data.draw(O.operands(dt, shape, O.Domain(lo=-5, hi=5)), label=f"t{i}"))
    if all(not isinstance(o, O.Operand) for o in ops):
        ops[0] = data.draw(O.operands("int32", (2,), O.Domain(lo=-5, hi=5)))
    exp = O.result_type(*ops)
    targs = [o.tensor() if isinstance(o, O.Operand) else o for o in ops]
    assert torch.result_type(*targs) == O.tdt(exp)
    r = targs[0] * targs[1]
    vals = [compute_np(o.array if isinstance(o, O.Operand) else o, exp) for o in ops]
    assert_close(r, vals[0] * vals[1], dtype=exp)
