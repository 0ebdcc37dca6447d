"""Shared helpers for the property tests: NumPy is the oracle, rtensor is the system under test.

Nothing here ever uses a value computed by rtensor as an expectation.  The pieces:

* dtype tables (names, NumPy storage dtypes, categories) and a pure-Python model of
  PyTorch's type promotion (`promote_types`, `result_type`, `can_cast`), itself checked
  against a hand-worked table in test_promotion.py;
* hypothesis strategies: values per dtype (`arrays`), shapes with 0-d and empty dims
  (`shapes`), broadcast-compatible shape tuples (`broadcast_shapes`), and `operands`,
  which pairs a NumPy oracle array with a recipe that builds an rtensor tensor equal in
  value but laid out differently (permuted/transposed, step-sliced, offset/narrowed,
  flipped, expanded from a size-1 dim, or two of these stacked);
* `check_op`, which builds the tensors, runs the rtensor callable and the NumPy callable,
  and compares shape, dtype and values (NaN-aware, tolerance by dtype) in one call;
* `assert_close` / `assert_mentions` for hand-written checks.

bfloat16 has no NumPy dtype: its oracle arrays are float32 arrays holding bfloat16-exact
values, and tensors are read back through `t.float().numpy()`.

Set RTENSOR_TEST_BACKEND=torch to run the same tests against reference PyTorch (handy to
check the *expectations* when one suspects a test rather than rtensor).
"""
from __future__ import annotations

import importlib
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BACKEND = os.environ.get("RTENSOR_TEST_BACKEND", "rtensor")
torch = importlib.import_module(BACKEND)

# --------------------------------------------------------------------------------------
# dtype tables
# --------------------------------------------------------------------------------------
BOOL = ("bool",)
UINTS = ("uint8",)
SINTS = ("int8", "int16", "int32", "int64")
INTS = UINTS + SINTS
FLOATS = ("float16", "bfloat16", "float32", "float64")
LOW_FLOATS = ("float16", "bfloat16")
NUMERIC = INTS + FLOATS
INTEGRAL = BOOL + INTS  # bool and integer dtypes (bitwise ops)
ALL_DTYPES = BOOL + INTS + FLOATS

NP_DTYPE = {
    "bool": np.dtype(np.bool_),
    "uint8": np.dtype(np.uint8),
    "int8": np.dtype(np.int8),
    "int16": np.dtype(np.int16),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(np.float32),  # carrier: float32 holding bfloat16-exact values
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}
_NP_TO_NAME = {
    np.dtype(np.bool_): "bool",
    np.dtype(np.uint8): "uint8",
    np.dtype(np.int8): "int8",
    np.dtype(np.int16): "int16",
    np.dtype(np.int32): "int32",
    np.dtype(np.int64): "int64",
    np.dtype(np.float16): "float16",
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
}
ITEMSIZE = {
    "bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
    "float16": 2, "bfloat16": 2, "float32": 4, "float64": 8,
}
# machine epsilon of the type and of the type PyTorch accumulates it in on CPU
EPS = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23, "float64": 2.0 ** -52}
ACC_EPS = {"float16": 2.0 ** -23, "bfloat16": 2.0 ** -23, "float32": 2.0 ** -23, "float64": 2.0 ** -52}
# (rtol, atol) used by check_op / assert_close for one elementwise result
TOL = {
    "float16": (2e-3, 1e-3),
    "bfloat16": (1.6e-2, 1e-2),
    "float32": (1e-5, 1e-6),
    "float64": (1e-10, 1e-12),
}


def is_float(name: str) -> bool:
    return name in FLOATS


def is_int(name: str) -> bool:
    return name in INTS


def category(name: str) -> int:
    """0 bool, 1 integer, 2 floating (PyTorch's ordering of kinds)."""
    return 0 if name == "bool" else 1 if name in INTS else 2


def tdt(name: str):
    """rtensor dtype object for a dtype name."""
    return getattr(torch, name)


def dtype_name(dt) -> str:
    """Name of an rtensor dtype object (reverse of `tdt`)."""
    for n in ALL_DTYPES:
        if getattr(torch, n) == dt:
            return n
    raise AssertionError(f"unknown dtype object {dt!r}")


def is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


# --------------------------------------------------------------------------------------
# PyTorch type promotion, written from the documented rules (tensor_attributes.html,
# "Type promotion"): categories bool < integer < floating; operands are grouped into
# dimensioned tensors > zero-dim tensors > Python scalars, and a lower group only matters
# when its category is higher.  Python floats count as the default dtype (float32),
# Python ints as int64, Python bools as bool.
# --------------------------------------------------------------------------------------
_INT_ORDER = ("int8", "int16", "int32", "int64")


def promote_types(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a == "bool":
        return b
    if b == "bool":
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if ca == 1:  # both integers
        if "uint8" in (a, b):
            other = b if a == "uint8" else a
            return "int16" if other == "int8" else other
        return max(a, b, key=_INT_ORDER.index)
    # both floating
    if {a, b} == {"float16", "bfloat16"}:
        return "float32"
    return max(a, b, key=lambda n: ITEMSIZE[n])


def _combine_categories(higher: str | None, lower: str | None) -> str | None:
    # mirrors at::native::combine_categories
    if higher is not None and is_float(higher):
        return higher
    if higher == "bool" or (lower is not None and is_float(lower)):
        return promote_types(higher, lower)
    if higher is not None:
        return higher
    return lower


def operand_kind(x) -> tuple[str, str]:
    """(priority, dtype name) of an operand: priority is 'dim', 'zero' or 'scalar'."""
    if isinstance(x, Operand):
        return ("dim" if x.array.ndim > 0 else "zero", x.dtype)
    if isinstance(x, TypedArray):
        return ("dim" if x.array.ndim > 0 else "zero", x.dtype)
    if isinstance(x, np.ndarray):
        return ("dim" if x.ndim > 0 else "zero", _NP_TO_NAME[x.dtype])
    if isinstance(x, (bool, np.bool_)):
        return ("scalar", "bool")
    if isinstance(x, (int, np.integer)):
        return ("scalar", "int64")
    if isinstance(x, (float, np.floating)):
        return ("scalar", "float32")
    if isinstance(x, tuple) and len(x) == 2 and x[0] in ("dim", "zero", "scalar"):
        return x
    raise TypeError(f"cannot classify operand {x!r}")


def result_type(*operands) -> str:
    """PyTorch's result dtype for an elementwise op over these operands.

    Operands may be Operand / TypedArray / np.ndarray (0-d arrays are zero-dim tensors),
    Python scalars, or explicit ('dim'|'zero'|'scalar', dtype_name) tuples."""
    state = {"dim": None, "zero": None, "scalar": None}
    for x in operands:
        if x is None:
            continue
        prio, name = operand_kind(x)
        state[prio] = promote_types(state[prio], name)
    return _combine_categories(state["dim"], _combine_categories(state["zero"], state["scalar"]))


def can_cast(src: str, dst: str) -> bool:
    """torch.can_cast: no float->integral/bool and no integral->bool."""
    if category(src) > category(dst):
        return False
    return True


def true_div_dtype(common: str) -> str:
    return common if is_float(common) else "float32"


def float_result(name: str) -> str:
    """dtype of a floating unary op (exp, sin, ...) on a tensor of dtype `name`."""
    return name if is_float(name) else "float32"


def sum_dtype(name: str) -> str:
    """dtype of sum/prod/cumsum/cumprod: integral inputs accumulate to int64."""
    return name if is_float(name) else "int64"


# --------------------------------------------------------------------------------------
# NumPy side conversions
# --------------------------------------------------------------------------------------
def round_bf16(x) -> np.ndarray:
    """Round to the nearest bfloat16 (ties to even), returned as float32."""
    a = np.asarray(x, dtype=np.float32)
    u = a.view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    out = (r & 0xFFFFFFFF).astype(np.uint32).view(np.float32).reshape(a.shape)
    return np.where(np.isnan(a), a, out).astype(np.float32)


def cast_np(x, name: str) -> np.ndarray:
    """Emulate `tensor.to(name)` on oracle values (bfloat16 -> float32 carrier)."""
    a = np.asarray(x)
    with np.errstate(all="ignore"):
        if name == "bool":
            return a != 0
        if name == "bfloat16":
            return round_bf16(a.astype(np.float64).astype(np.float32))
        if is_int(name) and a.dtype.kind == "f":
            return np.trunc(a).astype(np.int64).astype(NP_DTYPE[name])
        if is_int(name):
            return a.astype(np.int64).astype(NP_DTYPE[name])  # wraps like a C cast
        return a.astype(NP_DTYPE[name])


def compute_np(x, name: str) -> np.ndarray:
    """Cast to dtype `name` exactly as PyTorch would, then widen floats to float64 for the
    oracle computation (PyTorch computes low-precision floats in float32 and rounds once)."""
    a = cast_np(x, name)
    if is_float(name):
        return a.astype(np.float64)
    return a


def round_to(x, name: str) -> np.ndarray:
    """Round float oracle results to the precision of dtype `name`."""
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        if name == "float16":
            return a.astype(np.float16).astype(np.float64)
        if name == "bfloat16":
            return round_bf16(a.astype(np.float32)).astype(np.float64)
        if name == "float32":
            return a.astype(np.float32).astype(np.float64)
    return a


def _c_array(a) -> np.ndarray:
    """C-contiguous copy that keeps 0-d arrays 0-d (np.ascontiguousarray does not)."""
    return np.array(a, copy=True, order="C")


def to_tensor(arr, name: str | None = None):
    """Contiguous rtensor tensor with the values of `arr` and dtype `name`."""
    arr = _c_array(np.asarray(arr))
    if name is None:
        name = _NP_TO_NAME[arr.dtype]
    if name == "bfloat16":
        return torch.tensor(arr.astype(np.float32), dtype=torch.bfloat16)
    return torch.tensor(arr.astype(NP_DTYPE[name]), dtype=tdt(name))


def to_numpy(t) -> np.ndarray:
    """Copy of a tensor's values as NumPy (bfloat16 read through float32)."""
    assert is_tensor(t), f"expected a tensor, got {type(t).__name__}: {t!r}"
    if dtype_name(t.dtype) == "bfloat16":
        return np.array(t.float().numpy(), copy=True)
    return np.array(t.numpy(), copy=True)


# --------------------------------------------------------------------------------------
# value strategies
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Domain:
    """Which values to draw.  Integer dtypes use [int_lo, int_hi] (default [lo, hi]) clipped
    to the dtype's range; floats use [lo, hi]."""

    lo: float = -50.0
    hi: float = 50.0
    int_lo: int | None = None
    int_hi: int | None = None
    nonzero: bool = False      # exclude 0 (and False)
    dyadic: bool = False       # floats are multiples of 1/4: exact division/rounding ties
    special: bool = False      # floats may be nan / +-inf
    min_abs: float = 0.0       # floats with 0 < |v| < min_abs are replaced by 0

    def replace(self, **kw) -> "Domain":
        d = dict(self.__dict__)
        d.update(kw)
        return Domain(**d)


DEFAULT = Domain()
SPECIAL = Domain(special=True)


def _int_bounds(name: str, dom: Domain) -> tuple[int, int]:
    info = np.iinfo(NP_DTYPE[name])
    lo = dom.int_lo if dom.int_lo is not None else math.ceil(dom.lo)
    hi = dom.int_hi if dom.int_hi is not None else math.floor(dom.hi)
    return max(lo, int(info.min)), min(hi, int(info.max))


def elements(name: str, dom: Domain = DEFAULT) -> st.SearchStrategy:
    """Python values for one element of dtype `name`."""
    if name == "bool":
        return st.just(True) if dom.nonzero else st.booleans()
    if is_int(name):
        lo, hi = _int_bounds(name, dom)
        s = st.integers(lo, hi)
        return s.filter(lambda v: v != 0) if dom.nonzero else s
    if dom.dyadic:
        s = st.integers(int(math.ceil(dom.lo * 4)), int(math.floor(dom.hi * 4))).map(lambda k: k / 4)
    else:
        width = {"float16": 16, "bfloat16": 32, "float32": 32, "float64": 64}[name]
        s = st.floats(dom.lo, dom.hi, width=width, allow_nan=False, allow_infinity=False)
    if dom.min_abs:
        s = s.map(lambda v, m=dom.min_abs: 0.0 if abs(v) < m else v)
    if dom.nonzero:
        s = s.filter(lambda v: v != 0)
    if dom.special:
        s = st.one_of(s, s, s, st.sampled_from([math.nan, math.inf, -math.inf]))
    return s


def arrays(name: str, shape, dom: Domain = DEFAULT) -> st.SearchStrategy:
    """NumPy oracle arrays of dtype `name` (bfloat16 values carried in float32)."""
    s = hnp.arrays(NP_DTYPE[name], tuple(shape), elements=elements(name, dom))
    if name == "bfloat16":
        # rounding keeps nonzero values nonzero (same exponent range as float32)
        return s.map(round_bf16)
    return s


def scalars(kind: str, dom: Domain = DEFAULT) -> st.SearchStrategy:
    """Python scalars: kind 'int', 'float' or 'bool'."""
    if kind == "bool":
        return st.just(True) if dom.nonzero else st.booleans()
    if kind == "int":
        lo = dom.int_lo if dom.int_lo is not None else max(-5, math.ceil(dom.lo))
        hi = dom.int_hi if dom.int_hi is not None else min(5, math.floor(dom.hi))
        s = st.integers(lo, hi)
        return s.filter(lambda v: v != 0) if dom.nonzero else s
    lo, hi = max(dom.lo, -8.0), min(dom.hi, 8.0)
    s = st.integers(int(math.ceil(lo * 4)), int(math.floor(hi * 4))).map(lambda k: k / 4)
    if not dom.dyadic:
        # arbitrary doubles too, but no subnormal-ish magnitudes (PyTorch keeps some scalar
        # operands in double precision, so 1e-300 vs 0.0 would be ambiguous)
        s = st.one_of(s, st.floats(lo, hi, allow_nan=False, allow_infinity=False)
                      .map(lambda v: v if abs(v) >= 1e-3 else 0.0))
    return s.filter(lambda v: v != 0) if dom.nonzero else s


# --------------------------------------------------------------------------------------
# shapes
# --------------------------------------------------------------------------------------
def sides(max_side: int = 4, allow_empty: bool = True) -> st.SearchStrategy:
    """One dimension's size; 0 is possible but rare (1 in ~13)."""
    choices = ([0] if allow_empty else []) + list(range(1, max_side + 1)) * 3
    return st.sampled_from(choices)


def shapes(min_dims: int = 0, max_dims: int = 4, max_side: int = 4, allow_empty: bool = True):
    return st.lists(sides(max_side, allow_empty), min_size=min_dims, max_size=max_dims).map(tuple)


@st.composite
def broadcast_shapes(draw, n: int = 2, min_dims: int = 0, max_dims: int = 4, max_side: int = 4,
                     full: Sequence[int] = (), allow_empty: bool = True):
    """n shapes that broadcast together; returns (list_of_shapes, broadcast_shape).

    Operand indices listed in `full` get the whole broadcast shape (for in-place ops)."""
    out = draw(shapes(min_dims, max_dims, max_side, allow_empty))
    ins = []
    for i in range(n):
        if i in full:
            ins.append(out)
            continue
        k = draw(st.integers(0, len(out)))  # drop k leading dims
        shp = tuple(1 if draw(st.integers(0, 3)) == 0 else d for d in out[k:])
        ins.append(shp)
    res = tuple(np.broadcast_shapes(*ins)) if ins else ()
    return ins, res


@st.composite
def dims_for(draw, nd: int, allow_tuple: bool = True, allow_none: bool = True):
    """None (all dims), an int (possibly negative) or a tuple of distinct dims."""
    kinds = (["none"] if allow_none else []) + ["int"] + (["tuple"] if allow_tuple and nd else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if nd == 0:
        return draw(st.sampled_from([0, -1]))  # a 0-d tensor accepts dim 0 / -1
    if kind == "int":
        return draw(st.integers(-nd, nd - 1))
    dims = draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1, max_size=nd))
    return tuple(d - nd if draw(st.booleans()) else d for d in dims)


def np_axis(dim, nd):
    """NumPy axis for a torch dim argument (0-d tensors reduce over 'nothing')."""
    if dim is None or nd == 0:
        return None
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(sorted(d % nd for d in dims))


@st.composite
def nonbroadcastable_pair(draw, max_dims: int = 3):
    """Two shapes that do NOT broadcast; returns (a, b, size_a, size_b) where size_a and
    size_b are the two distinct, conflicting sizes (both > 1)."""
    nd = draw(st.integers(1, max_dims))
    a = list(draw(st.lists(st.integers(1, 3), min_size=nd, max_size=nd)))
    b = list(a)
    d = draw(st.integers(0, nd - 1))
    sa, sb = draw(st.sampled_from([(2, 3), (3, 5), (4, 7), (5, 2)]))
    a[d], b[d] = sa, sb
    return tuple(a), tuple(b), sa, sb


# --------------------------------------------------------------------------------------
# operands: oracle array + a recipe for a (usually non-contiguous) tensor of equal value
# --------------------------------------------------------------------------------------
LAYOUTS = ("contiguous", "permute", "transpose", "step", "offset", "flip", "expand")
NO_EXPAND = tuple(l for l in LAYOUTS if l != "expand")  # for tensors written in place


def _sentinel(name: str):
    return True if name == "bool" else 77 if is_int(name) else -77.5


@dataclass
class TypedArray:
    """A NumPy array tagged with an rtensor dtype name (needed for bfloat16)."""

    array: np.ndarray
    dtype: str

    def tensor(self):
        return to_tensor(self.array, self.dtype)


@dataclass
class Operand:
    """Oracle values plus how to build an equal-valued tensor.

    `base` is uploaded contiguously, then each (label, fn) in `steps` is applied in order."""

    array: np.ndarray
    dtype: str
    base: np.ndarray
    steps: list = field(default_factory=list)

    @property
    def shape(self):
        return self.array.shape

    @property
    def ndim(self):
        return self.array.ndim

    @property
    def layout(self) -> str:
        return "+".join(lbl for lbl, _ in self.steps) or "contiguous"

    def tensor(self):
        t = to_tensor(self.base, self.dtype)
        for _, fn in self.steps:
            t = fn(t)
        return t

    def __repr__(self):
        return (f"Operand(dtype={self.dtype}, shape={self.array.shape}, layout={self.layout}, "
                f"values={self.array.tolist()!r})")


def _layout_step(draw, a: np.ndarray, layout: str, name: str):
    """Return (b, label, fn) with fn(tensor_equal_to(b)) equal in value to a."""
    nd = a.ndim
    if layout == "permute":
        perm = tuple(draw(st.permutations(range(nd))))
        inv = tuple(int(i) for i in np.argsort(perm))
        b = _c_array(np.transpose(a, perm))
        return b, f"permute{inv}", lambda t: t.permute(*inv)
    if layout == "transpose":
        i = draw(st.integers(0, nd - 1))
        j = draw(st.integers(0, nd - 1).filter(lambda v: v != i))
        b = _c_array(np.swapaxes(a, i, j))
        if nd == 2 and draw(st.booleans()):
            return b, "t()", lambda t: t.t()
        return b, f"transpose({i},{j})", lambda t: t.transpose(i, j)
    if layout == "step":
        d = draw(st.integers(0, nd - 1))
        s = draw(st.integers(2, 3))
        start = draw(st.integers(0, 1))
        n = a.shape[d]
        big_shape = list(a.shape)
        big_shape[d] = start + n * s
        big = np.full(big_shape, _sentinel(name), dtype=a.dtype)
        idx = [slice(None)] * nd
        idx[d] = slice(start, start + n * s, s)
        big[tuple(idx)] = a
        tidx = tuple([slice(None)] * d + [slice(start, None, s)])
        return big, f"[{'...,' if d else ''}{start}::{s}]@dim{d}", lambda t: t[tidx]
    if layout == "offset":
        d = draw(st.integers(0, nd - 1))
        before = draw(st.integers(1, 2))
        after = draw(st.integers(0, 1))
        n = a.shape[d]
        big_shape = list(a.shape)
        big_shape[d] = before + n + after
        big = np.full(big_shape, _sentinel(name), dtype=a.dtype)
        idx = [slice(None)] * nd
        idx[d] = slice(before, before + n)
        big[tuple(idx)] = a
        if draw(st.booleans()):
            return big, f"narrow({d},{before},{n})", lambda t: t.narrow(d, before, n)
        tidx = tuple([slice(None)] * d + [slice(before, before + n)])
        return big, f"slice{before}:{before + n}@dim{d}", lambda t: t[tidx]
    if layout == "flip":
        dims = tuple(sorted(draw(st.sets(st.integers(0, nd - 1), min_size=1, max_size=nd))))
        b = _c_array(np.flip(a, dims))
        return b, f"flip{list(dims)}", lambda t: t.flip(list(dims))
    raise AssertionError(layout)


def _usable(layout: str, nd: int) -> bool:
    if layout == "contiguous":
        return True
    if layout in ("permute", "transpose"):
        return nd >= 2
    return nd >= 1


def _more_steps(draw, cur, name, layouts, steps_outer, budget):
    for _ in range(budget):
        more = [l for l in layouts if l not in ("contiguous", "expand") and _usable(l, cur.ndim)]
        if not more or not draw(st.booleans()):
            break
        cur, lbl, fn = _layout_step(draw, cur, draw(st.sampled_from(more)), name)
        steps_outer.append((lbl, fn))
    return cur


@st.composite
def operands(draw, name: str, shape, dom: Domain = DEFAULT, layouts: Sequence[str] = LAYOUTS,
             max_steps: int = 2):
    """An Operand of dtype `name` and shape `shape` whose tensor is (usually) non-contiguous."""
    shape = tuple(shape)
    nd = len(shape)
    first = draw(st.sampled_from([l for l in layouts if _usable(l, nd)]))
    steps_outer = []  # outermost first
    if first == "expand":
        bdims = draw(st.sets(st.integers(0, nd - 1), min_size=1, max_size=nd))
        small_shape = tuple(1 if i in bdims else s for i, s in enumerate(shape))
        small = draw(arrays(name, small_shape, dom))
        a = _c_array(np.broadcast_to(small, shape))
        if 0 in bdims and draw(st.booleans()):
            src = _c_array(small.reshape(small_shape[1:]))  # new leading dim
        else:
            src = small
        steps_outer.append((f"expand{shape}<-{src.shape}", lambda t, s=shape: t.expand(*s)))
        cur = src
    else:
        a = draw(arrays(name, shape, dom))
        cur = a
        if first != "contiguous":
            cur, lbl, fn = _layout_step(draw, cur, first, name)
            steps_outer.append((lbl, fn))
    if first != "contiguous":
        cur = _more_steps(draw, cur, name, layouts, steps_outer, max_steps - 1)
    return Operand(array=a, dtype=name, base=_c_array(cur), steps=steps_outer[::-1])


@st.composite
def with_layout(draw, arr, name: str | None = None, layouts: Sequence[str] = NO_EXPAND,
                max_steps: int = 2):
    """An Operand holding exactly the values of `arr` (e.g. index tensors), laid out by a
    drawn layout (no expand: the values are given)."""
    arr = np.asarray(arr)
    name = name or _NP_TO_NAME[arr.dtype]
    a = cast_np(arr, name)
    first = draw(st.sampled_from([l for l in layouts if l != "expand" and _usable(l, a.ndim)]))
    steps_outer = []
    cur = a
    if first != "contiguous":
        cur, lbl, fn = _layout_step(draw, cur, first, name)
        steps_outer.append((lbl, fn))
        cur = _more_steps(draw, cur, name, layouts, steps_outer, max_steps - 1)
    return Operand(array=a, dtype=name, base=_c_array(cur), steps=steps_outer[::-1])


def contiguous(arr, name: str | None = None) -> Operand:
    arr = np.asarray(arr)
    name = name or _NP_TO_NAME[arr.dtype]
    arr = cast_np(arr, name)
    return Operand(array=arr, dtype=name, base=arr, steps=[])


# --------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------
def _category_of_np(a: np.ndarray) -> int:
    return 0 if a.dtype == np.bool_ else 1 if a.dtype.kind in "iu" else 2


def assert_close(actual, expected, *, dtype=None, rtol=None, atol=None, msg: str = ""):
    """Compare a tensor (or tuple/list of tensors) to NumPy expectations.

    `dtype` (name or tuple of names) is checked exactly when given; float expectations are
    rounded to the actual float dtype before a NaN-aware allclose; integral/bool results
    must match exactly."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"expected a tuple, got {type(actual).__name__}"
        assert len(actual) == len(expected), f"length {len(actual)} != {len(expected)}"
        dts = dtype if isinstance(dtype, (tuple, list)) else [dtype] * len(expected)
        for i, (a, e, d) in enumerate(zip(actual, expected, dts)):
            assert_close(a, e, dtype=d, rtol=rtol, atol=atol, msg=f"{msg} [item {i}]")
        return
    assert is_tensor(actual), f"{msg}: expected a tensor, got {type(actual).__name__}: {actual!r}"
    expected = np.asarray(expected)
    got = dtype_name(actual.dtype)
    if dtype is not None:
        assert got == dtype, f"{msg}: dtype is {got}, expected {dtype}"
    else:
        assert category(got) == _category_of_np(expected), (
            f"{msg}: result dtype {got} has the wrong kind for expected {expected.dtype}")
    assert tuple(actual.shape) == expected.shape, (
        f"{msg}: shape {tuple(actual.shape)} != expected {expected.shape}")
    act = to_numpy(actual)
    assert act.shape == expected.shape, f"{msg}: numpy() shape {act.shape} != {expected.shape}"
    if is_float(got):
        r0, a0 = TOL[got]
        exp = round_to(expected.astype(np.float64), got)
        np.testing.assert_allclose(
            act.astype(np.float64), exp,
            rtol=r0 if rtol is None else rtol, atol=a0 if atol is None else atol,
            equal_nan=True, err_msg=msg)
    else:
        exp = cast_np(expected, got)
        np.testing.assert_array_equal(act, exp, err_msg=msg)


def _torch_arg(x):
    if isinstance(x, (Operand, TypedArray)):
        return x.tensor()
    if isinstance(x, np.ndarray):
        return to_tensor(x)
    return x


def _numpy_arg(x, compute_dtype):
    if isinstance(x, (Operand, TypedArray)):
        a = x.array
    elif is_tensor(x):
        a = to_numpy(x)
    elif isinstance(x, (np.ndarray, bool, int, float, np.generic)):
        a = x
    else:
        return x  # lists of dims, None, strings ... passed through unchanged
    if compute_dtype is not None:
        return compute_np(a, compute_dtype)
    a = np.asarray(a) if not isinstance(a, (bool, int, float)) else a
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a.astype(np.float64)
    return a


def check_op(torch_fn: Callable, numpy_fn: Callable, *args, atol=None, rtol=None,
             check_dtype=None, compute_dtype: str | None = None, msg: str = ""):
    """Build tensors for `args`, run both callables and compare the results.

    args: Operand / TypedArray (built with their layout), np.ndarray (contiguous tensor of
    the same dtype), or anything else (Python scalars, dims ...) passed to both sides.
    NumPy receives oracle arrays cast to `compute_dtype` when given (floats widened to
    float64), otherwise floats widened to float64 and others unchanged.
    Returns (result, torch_args)."""
    t_args = [_torch_arg(a) for a in args]
    n_args = [_numpy_arg(a, compute_dtype) for a in args]
    with np.errstate(all="ignore"):
        expected = numpy_fn(*n_args)
    actual = torch_fn(*t_args)
    assert_close(actual, expected, dtype=check_dtype, rtol=rtol, atol=atol, msg=msg)
    return actual, t_args


def assert_mentions(err, *fragments):
    """The exception text contains each fragment; ints must appear as whole numbers."""
    text = str(err.value if hasattr(err, "value") else err)
    for f in fragments:
        if isinstance(f, int):
            assert re.search(rf"(?<!\d){f}(?!\d)", text), f"message {text!r} does not mention {f}"
        else:
            assert f in text, f"message {text!r} does not mention {f!r}"


def same_storage(t, ptr) -> bool:
    """t still uses the storage that had data_ptr `ptr`.  Tensors with no elements are not
    checked here (their pointer is meaningless); test_elementwise has a dedicated,
    deterministic test for that case."""
    return t.numel() == 0 or t.data_ptr() == ptr


def zeros_out(shape, name: str):
    """A zero tensor to pass as out=."""
    return torch.zeros(tuple(shape), dtype=tdt(name))
