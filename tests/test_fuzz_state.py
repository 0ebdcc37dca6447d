"""Stateful fuzzing of aliasing: tensors and NumPy arrays sharing memory, checked against NumPy mirrors.

The model.  Every block of real memory the pool can reach is a `Store`: a 1-D NumPy "mirror root"
holding what that memory should contain, plus the real address of its element 0 (the anchor).
Every pool entry -- an rtensor tensor or a real NumPy array -- has a mirror: a NumPy view of its
store's root with the layout the entry must have (same offset, shape and strides).  Entries made
by view ops get mirrors made by the same view op applied to the parent's mirror (NumPy slicing,
transpose, flip, ...), or built with `as_strided` from PyTorch's own layout rules (expand,
view/reshape via a port of `computeStride`, as_strided, clone's preserve_format).  Writes are
applied to the mirrors with "read every input before writing" semantics.  Nothing rtensor computes
is used as an expectation, except the address of a fresh allocation (the anchor of a new store).

After every step every live entry must match its mirror: values, shape, dtype, strides (of dims
of size > 1), data address and storage offset (so two entries alias exactly when their mirrors
do), and NumPy's `writeable` flag for arrays.

Overlap rules (what PyTorch does, made exact):
* a write whose source overlaps the destination's memory (other than being the very same view)
  may either give the read-before-write result or raise a RuntimeError that mentions the overlap
  ("memory location"/"overlap"); in the error case nothing may change;
* a write to a destination whose elements share memory (expand) must raise, except a uniform
  value (fill_, zero_, scalar assignment), which may also succeed; destinations that overlap
  themselves without a zero stride (exotic as_strided) are not written (PyTorch: undefined);
* writes to memory imported from a read-only NumPy array raise and change nothing
  (rtensor's rule; PyTorch only warns).

Every step is logged as runnable Python (`t3 = t1[::-1]`, ...); a failure's message ends with the
shrunk script, a ready-made reproducer.

Profiles: the default (make test) is short -- RTENSOR_FUZZ_EXAMPLES (default 20) runs of
RTENSOR_FUZZ_STEPS (default 25) steps.  `make fuzz FUZZ_SECONDS=600` (tools/fuzz.py) runs it for
as long as asked.
"""
from __future__ import annotations

import gc
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import rtensor as torch

MAX_POOL = 12
NP_OF = {torch.float64: np.dtype(np.float64), torch.int64: np.dtype(np.int64)}
DTYPES = [torch.float64, torch.int64]
TNAME = {torch.float64: "torch.float64", torch.int64: "torch.int64"}
NPNAME = {np.dtype(np.float64): "np.float64", np.dtype(np.int64): "np.int64"}
OVERLAP_RE = r"overlap|memory location"
SCALARS = [-3, -2, -1, 0, 1, 2, 3, -1.5, 0.5, 2.0, -2.0]
CRASH_LOG = os.environ.get("RTENSOR_FUZZ_CRASH_LOG")  # set by tools/fuzz.py


class FuzzFailure(AssertionError):
    pass


# ----------------------------------------------------------------------------------------------
# layout helpers on mirrors
# ----------------------------------------------------------------------------------------------
def ptr(a):
    return a.__array_interface__["data"][0]


def elem_strides(m):
    return tuple(s // m.itemsize for s in m.strides)


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


class Store:
    """One block of real memory: its mirror root and the real address of root[0]."""

    _ids = 0

    def __init__(self, root, anchor):
        self.root = root
        self.anchor = anchor
        Store._ids += 1
        self.id = Store._ids


class Entry:
    def __init__(self, name, kind, obj, mirror, store, frame=None, ro=False):
        self.name = name      # name in the reproducer script
        self.kind = kind      # "t" tensor, "a" NumPy array
        self.obj = obj
        self.mirror = mirror  # NumPy view of store.root with the entry's layout
        self.store = store
        self.frame = frame    # tensors: (first element of rtensor's storage in root, its length)
        self.ro = ro          # memory reached read-only


def offset_in(m, store):
    return (ptr(m) - ptr(store.root)) // m.itemsize


def mk_view(store, offset, shape, strides):
    """A mirror: root viewed at element `offset` with element strides (signed)."""
    isz = store.root.itemsize
    base = store.root[offset:] if offset < store.root.size else store.root[store.root.size:]
    return np.lib.stride_tricks.as_strided(base, shape=tuple(shape),
                                           strides=tuple(s * isz for s in strides))


def addresses(m, store):
    a = np.full(m.shape, offset_in(m, store), dtype=np.int64)
    for d, (n, s) in enumerate(zip(m.shape, elem_strides(m))):
        shp = [1] * m.ndim
        shp[d] = n
        a = a + (np.arange(n, dtype=np.int64) * s).reshape(shp)
    return a


def has_dups(addrs):
    flat = np.asarray(addrs).ravel()
    return np.unique(flat).size < flat.size


def zero_stride(m):
    return any(n > 1 and s == 0 for n, s in zip(m.shape, m.strides))


def same_view(e1, e2):
    m1, m2 = e1.mirror, e2.mirror
    if e1.store is not e2.store or m1.shape != m2.shape or ptr(m1) != ptr(m2):
        return False
    return all(n <= 1 or s1 == s2 for n, s1, s2 in zip(m1.shape, m1.strides, m2.strides))


def overlaps(e1, e2):
    if e1.store is not e2.store or e1.mirror.size == 0 or e2.mirror.size == 0:
        return False
    return bool(np.shares_memory(e1.mirror, e2.mirror))


def frame_of_array(m, store):
    """rtensor's storage for from_numpy(arr): from arr's lowest element to its highest."""
    off = offset_in(m, store)
    if m.size == 0:
        return (off, 0)
    lo = off + sum(min(0, (n - 1) * s) for n, s in zip(m.shape, elem_strides(m)))
    hi = off + sum(max(0, (n - 1) * s) for n, s in zip(m.shape, elem_strides(m)))
    return (lo, hi - lo + 1)


def compute_stride(oldshape, oldstride, newshape):
    """PyTorch's at::detail::computeStride: strides of a view with newshape, or None."""
    if len(oldshape) == 0:
        return [1] * len(newshape)
    n = numel(oldshape)
    if n == 0 and list(oldshape) == list(newshape):
        return list(oldstride)
    newstride = [0] * len(newshape)
    if n == 0:
        for d in range(len(newshape) - 1, -1, -1):
            newstride[d] = 1 if d == len(newshape) - 1 else max(newshape[d + 1], 1) * newstride[d + 1]
        return newstride
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1
                             and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return newstride


def contiguous_strides(shape):
    st_, acc = [0] * len(shape), 1
    for d in range(len(shape) - 1, -1, -1):
        st_[d] = acc
        acc *= max(shape[d], 1)
    return st_


def is_contiguous(shape, strides):
    """PyTorch's compute_contiguous."""
    if numel(shape) == 0:
        return True
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1:
            if s != expected:
                return False
            expected *= n
    return True


def non_overlapping_and_dense(shape, strides):
    """PyTorch's compute_non_overlapping_and_dense (what clone's preserve_format keeps)."""
    if len(shape) == 1:
        return shape[0] < 2 or strides[0] == 1
    perm = sorted(range(len(shape)), key=lambda d: (shape[d] < 2, strides[d] if shape[d] >= 2 else 0))
    require = 1
    for d in perm:
        if shape[d] < 2:
            return True
        if strides[d] != require:
            return False
        require *= shape[d]
    return True


def broadcasts_to(src_shape, dst_shape):
    if len(src_shape) > len(dst_shape):
        return False
    for s, d in zip(reversed(src_shape), reversed(dst_shape)):
        if s != 1 and s != d:
            return False
    return True


def broadcast_shape(a, b):
    try:
        return tuple(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        return None


# ----------------------------------------------------------------------------------------------
# reproducer formatting
# ----------------------------------------------------------------------------------------------
def fmt_index(idx):
    def one(i):
        if i is None:
            return "None"
        if i is Ellipsis:
            return "..."
        if isinstance(i, slice):
            s = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
            if i.step is not None:
                s += ":" + str(i.step)
            return s
        if isinstance(i, tuple) and i and i[0] == "lit":
            return i[1]
        return repr(i)
    if not isinstance(idx, tuple):
        idx = (idx,)
    if len(idx) == 0:
        return "()"
    return ", ".join(one(i) for i in idx)


def fmt_scalar(v):
    return repr(v)


# ----------------------------------------------------------------------------------------------
# the state machine
# ----------------------------------------------------------------------------------------------
class AliasMachine(RuleBasedStateMachine):
    steps = 0  # class-wide counter (tools/fuzz.py reports it)

    def __init__(self):
        super().__init__()
        self.pool: list[Entry] = []
        self.log = ["import gc", "import numpy as np", "import rtensor as torch"]
        self.counter = 0

    # -- bookkeeping ---------------------------------------------------------------------------
    def fresh(self, kind):
        self.counter += 1
        return f"{kind}{self.counter}"

    def fail(self, msg):
        script = "\n".join(self.log)
        raise FuzzFailure(f"{msg}\n--- reproducer (steps so far) ---\n{script}\n--- end ---")

    def tensors(self):
        return [e for e in self.pool if e.kind == "t"]

    def arrays(self):
        return [e for e in self.pool if e.kind == "a"]

    def step(self):
        AliasMachine.steps += 1

    def call(self, code, fn, *, must_raise=False, patterns=(), on_success=None):
        """Run fn.  must_raise: a RuntimeError is required.  patterns: regexes an error
        message may match to be accepted when one is allowed but not required."""
        if CRASH_LOG:  # tools/fuzz.py: the script so far survives a crash of this process
            with open(CRASH_LOG, "w") as f:
                f.write("\n".join(self.log + [code, ""]))
        try:
            result = fn()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # PanicException is a BaseException
            msg = str(e)
            ok = isinstance(e, RuntimeError) and (
                must_raise or any(re.search(p, msg, re.I) for p in patterns))
            self.log.append(f"try:\n    {code}\nexcept RuntimeError as e:\n    print(e)  # {msg[:100]!r}")
            if not ok:
                self.fail(f"`{code}` raised {type(e).__name__}: {msg}")
            return None
        self.log.append(code)
        if must_raise:
            self.fail(f"`{code}` succeeded, but a RuntimeError was expected")
        if on_success is not None:
            on_success(result)
        return result

    def add_tensor(self, name, t, mirror, store, frame, ro):
        self.pool.append(Entry(name, "t", t, mirror, store, frame, ro))

    def new_store_from_tensor(self, t, shape, strides, offset_model):
        """A fresh allocation made by rtensor: the anchor is its real address."""
        root = np.zeros(max(1, numel(shape)) if numel(shape) else 0, dtype=NP_OF[t.dtype])
        anchor = None
        if numel(shape) > 0:
            anchor = t.data_ptr() - offset_model * root.itemsize
        return Store(root, anchor)

    # -- the invariant -------------------------------------------------------------------------
    @invariant()
    def everything_matches_its_mirror(self):
        for e in self.pool:
            m, o = e.mirror, e.obj
            if e.kind == "t":
                shape = tuple(o.shape)
                if shape != m.shape:
                    self.fail(f"{e.name}: shape {shape}, expected {m.shape}")
                if o.dtype not in NP_OF or NP_OF[o.dtype] != m.dtype:
                    self.fail(f"{e.name}: dtype {o.dtype}, expected {m.dtype}")
                vals = np.array(o.tolist(), dtype=m.dtype)
                if m.size == 0:
                    vals = vals.reshape(m.shape)
                strides = tuple(o.stride())
            else:
                if o.shape != m.shape or o.dtype != m.dtype:
                    self.fail(f"{e.name}: array {o.shape}/{o.dtype}, expected {m.shape}/{m.dtype}")
                vals = o
                strides = elem_strides(o)
                if bool(o.flags.writeable) == e.ro:
                    self.fail(f"{e.name}: NumPy writeable={o.flags.writeable}, expected {not e.ro}")
            if not np.array_equal(vals, m, equal_nan=True):
                self.fail(f"{e.name}: values\n{vals}\nexpected\n{m}")
            if m.size == 0:
                continue
            want = elem_strides(m)
            if any(n > 1 and s != w for n, s, w in zip(m.shape, strides, want)):
                self.fail(f"{e.name}: strides {strides}, expected {want} (shape {m.shape})")
            off = offset_in(m, e.store)
            if e.store.anchor is not None:
                addr = o.data_ptr() if e.kind == "t" else ptr(o)
                exp = e.store.anchor + off * m.itemsize
                if addr != exp:
                    self.fail(f"{e.name}: data address {addr:#x}, expected {exp:#x} "
                              f"(element {off} of the memory it should alias; "
                              f"off by {(addr - exp) / m.itemsize:+g} elements)")
            if e.kind == "t":
                so = o.storage_offset()
                if so != off - e.frame[0]:
                    self.fail(f"{e.name}: storage_offset {so}, expected {off - e.frame[0]}")

    # -- creation ------------------------------------------------------------------------------
    def draw_shape(self, data, max_dims=3, allow_zero=True):
        nd = data.draw(st.integers(0, max_dims), label="ndim")
        lo = 0 if allow_zero and data.draw(st.integers(0, 9)) == 0 else 1
        return tuple(data.draw(st.lists(st.integers(lo, 4), min_size=nd, max_size=nd), label="shape"))

    def draw_values(self, data, dt, n):
        ints = data.draw(st.lists(st.integers(-9, 9), min_size=n, max_size=n), label="values")
        return np.array(ints, dtype=NP_OF[dt])

    @precondition(lambda self: len(self.pool) < MAX_POOL)
    @rule(data=st.data())
    def new_tensor(self, data):
        self.step()
        dt = data.draw(st.sampled_from(DTYPES))
        shape = self.draw_shape(data)
        vals = self.draw_values(data, dt, numel(shape)).reshape(shape)
        name = self.fresh("t")
        if numel(shape) == 0:
            code = f"{name} = torch.zeros({shape}, dtype={TNAME[dt]})"
            t = self.call(code, lambda: torch.zeros(shape, dtype=dt))
        else:
            code = f"{name} = torch.tensor({vals.tolist()!r}, dtype={TNAME[dt]})"
            t = self.call(code, lambda: torch.tensor(vals.tolist(), dtype=dt))
        store = self.new_store_from_tensor(t, shape, contiguous_strides(shape), 0)
        store.root[...] = vals.ravel()
        mirror = mk_view(store, 0, shape, contiguous_strides(shape))
        self.add_tensor(name, t, mirror, store, (0, numel(shape)), False)

    @precondition(lambda self: len(self.pool) < MAX_POOL)
    @rule(data=st.data())
    def new_array(self, data):
        """A real NumPy array, possibly strided/reversed/transposed, possibly read-only."""
        self.step()
        dt = data.draw(st.sampled_from(DTYPES))
        n = data.draw(st.integers(1, 24), label="buffer length")
        vals = self.draw_values(data, dt, n)
        name = self.fresh("a")
        base = vals.copy()
        store = Store(vals.copy(), ptr(base))
        layout = data.draw(st.sampled_from(["flat", "reversed", "step", "2d", "2d-T", "2d-rev"]))
        if layout == "flat":
            sel, tail = (lambda x: x), ""
        elif layout == "reversed":
            sel, tail = (lambda x: x[::-1]), "[::-1]"
        elif layout == "step":
            k = data.draw(st.sampled_from([2, 3, -2]))
            sel, tail = (lambda x: x[1::k] if k > 0 else x[::k]), (f"[1::{k}]" if k > 0 else f"[::{k}]")
        else:
            r = data.draw(st.sampled_from([d for d in (1, 2, 3, 4) if n % d == 0]))
            c = n // r
            if c > 4:
                sel, tail = (lambda x: x), ""
            elif layout == "2d":
                sel, tail = (lambda x: x.reshape(r, c)), f".reshape({r}, {c})"
            elif layout == "2d-T":
                sel, tail = (lambda x: x.reshape(r, c).T), f".reshape({r}, {c}).T"
            else:
                sel, tail = (lambda x: x.reshape(r, c)[::-1, ::-1]), f".reshape({r}, {c})[::-1, ::-1]"
        arr = sel(base)
        mirror = sel(store.root)
        ro = data.draw(st.integers(0, 4)) == 0
        self.log.append(f"{name} = np.array({vals.tolist()!r}, dtype={NPNAME[vals.dtype]}){tail}")
        if ro:
            arr.setflags(write=False)
            self.log.append(f"{name}.setflags(write=False)")
        self.pool.append(Entry(name, "a", arr, mirror, store, None, ro))

    # -- views ---------------------------------------------------------------------------------
    def draw_basic_index(self, data, shape):
        idx = []
        d = 0
        nd = len(shape)
        used_ellipsis = False
        k = data.draw(st.integers(0, nd + 1), label="index length")
        while len(idx) < k:
            choice = data.draw(st.integers(0, 9))
            if choice == 0:
                if nd + sum(1 for i in idx if i is None) < 4:
                    idx.append(None)
            elif choice == 1 and not used_ellipsis:
                idx.append(Ellipsis)
                used_ellipsis = True
                d = nd - sum(1 for i in idx if i is not None and i is not Ellipsis)  # rest of dims
                d = max(d, 0)
                break
            elif d < nd:
                n = shape[d]
                if choice <= 3 and n > 0:
                    idx.append(data.draw(st.integers(-n, n - 1)))
                else:
                    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
                    idx.append(slice(data.draw(bound), data.draw(bound),
                                     data.draw(st.sampled_from([None, 1, 2, 3, -1, -2]))))
                d += 1
            else:
                break
        return tuple(idx)

    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def make_view(self, data):
        self.step()
        src = data.draw(st.sampled_from(self.tensors()), label="source")
        t, m, nd, shape = src.obj, src.mirror, src.mirror.ndim, src.mirror.shape
        ops = ["slice", "unsqueeze", "expand", "as_strided", "view", "reshape", "contiguous"]
        if nd >= 1:
            ops += ["permute", "transpose", "flip", "narrow", "select"]
        if nd <= 2:
            ops.append("t")
        op = data.draw(st.sampled_from(ops), label="view op")
        name = self.fresh("t")
        frame, store = src.frame, src.store
        new_store = None
        must_raise = False

        if op == "slice":
            idx = self.draw_basic_index(data, shape)
            code = f"{name} = {src.name}[{fmt_index(idx)}]"
            full = idx if Ellipsis in idx else idx + (Ellipsis,)
            mirror = m[full]
            fn = lambda: t[idx]
        elif op == "permute":
            perm = data.draw(st.permutations(range(nd)))
            code = f"{name} = {src.name}.permute({', '.join(map(str, perm))})"
            mirror = m.transpose(perm)
            fn = lambda: t.permute(*perm)
        elif op == "transpose":
            d0 = data.draw(st.integers(-nd, nd - 1))
            d1 = data.draw(st.integers(-nd, nd - 1))
            code = f"{name} = {src.name}.transpose({d0}, {d1})"
            mirror = np.swapaxes(m, d0, d1)
            fn = lambda: t.transpose(d0, d1)
        elif op == "t":
            code = f"{name} = {src.name}.t()"
            mirror = m.T
            fn = lambda: t.t()
        elif op == "flip":
            dims = data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
            dims = [d - nd if data.draw(st.booleans()) else d for d in dims]
            code = f"{name} = {src.name}.flip({tuple(dims)!r})"
            mirror = np.flip(m, axis=tuple(dims))
            fn = lambda: t.flip(tuple(dims))
        elif op == "narrow":
            dim = data.draw(st.integers(0, nd - 1))
            n = shape[dim]
            start = data.draw(st.integers(0, n))
            length = data.draw(st.integers(0, n - start))
            if start > 0 and data.draw(st.booleans()):
                start_arg = start - n  # negative start counts from the end
            else:
                start_arg = start
            code = f"{name} = {src.name}.narrow({dim}, {start_arg}, {length})"
            mirror = m[(slice(None),) * dim + (slice(start, start + length),)]
            fn = lambda: t.narrow(dim, start_arg, length)
        elif op == "select":
            dim = data.draw(st.integers(0, nd - 1))
            n = shape[dim]
            if n == 0:
                return
            i = data.draw(st.integers(-n, n - 1))
            code = f"{name} = {src.name}.select({dim}, {i})"
            mirror = m[(slice(None),) * dim + (i, Ellipsis)]
            fn = lambda: t.select(dim, i)
        elif op == "unsqueeze":
            dim = data.draw(st.integers(-nd - 1, nd))
            code = f"{name} = {src.name}.unsqueeze({dim})"
            mirror = np.expand_dims(m, dim)
            fn = lambda: t.unsqueeze(dim)
        elif op == "expand":
            lead = data.draw(st.lists(st.integers(1, 3), max_size=3 - nd if nd < 3 else 0))
            sizes, strides, args = [], [], []
            for n in lead:
                sizes.append(n)
                strides.append(0)
                args.append(n)
            for n, s in zip(shape, elem_strides(m)):
                if n == 1:
                    k = data.draw(st.integers(1, 3))
                    sizes.append(k)
                    strides.append(0 if k != 1 else s)
                    args.append(k)
                else:
                    sizes.append(n)
                    strides.append(s)
                    args.append(-1 if data.draw(st.booleans()) else n)
            if not args:
                return
            code = f"{name} = {src.name}.expand({', '.join(map(str, args))})"
            mirror = mk_view(store, offset_in(m, store), sizes, strides)
            fn = lambda: t.expand(*args)
        elif op == "as_strided":
            base, length = frame
            if length == 0:
                return
            k = data.draw(st.integers(0, 3))
            sizes = data.draw(st.lists(st.integers(1, 3), min_size=k, max_size=k))
            strides = data.draw(st.lists(st.integers(0, 3), min_size=k, max_size=k))
            extent = sum((n - 1) * s for n, s in zip(sizes, strides))
            if extent > length - 1:
                return
            off = data.draw(st.integers(0, length - 1 - extent))
            code = f"{name} = {src.name}.as_strided({tuple(sizes)!r}, {tuple(strides)!r}, {off})"
            mirror = mk_view(store, base + off, sizes, strides)
            fn = lambda: t.as_strided(tuple(sizes), tuple(strides), off)
        elif op in ("view", "reshape"):
            newshape = self.draw_factorisation(data, numel(shape))
            args = list(newshape)
            if numel(shape) > 0 and args and data.draw(st.booleans()):
                args[data.draw(st.integers(0, len(args) - 1))] = -1
            code = f"{name} = {src.name}.{op}({', '.join(map(str, args))})"
            if op == "view":
                fn = lambda: t.view(*args)
            else:
                fn = lambda: t.reshape(*args)
            ns = compute_stride(list(shape), list(elem_strides(m)), list(newshape))
            if ns is not None:
                mirror = mk_view(store, offset_in(m, store), newshape, ns)
            elif op == "view":
                must_raise = True
                mirror = None
            else:
                new_store, mirror, frame = self.copy_layout(m, newshape, contiguous_strides(newshape))
        elif op == "contiguous":
            code = f"{name} = {src.name}.contiguous()"
            fn = lambda: t.contiguous()
            if is_contiguous(shape, elem_strides(m)):
                mirror = m[...]
            else:
                new_store, mirror, frame = self.copy_layout(m, shape, contiguous_strides(shape))
        else:  # pragma: no cover
            raise AssertionError(op)

        r = self.call(code, fn, must_raise=must_raise)
        if r is None:
            return
        if new_store is not None:
            self.anchor_fresh(new_store, r, mirror)
            self.add_tensor(name, r, mirror, new_store, frame, False)
        else:
            self.add_tensor(name, r, mirror, store, frame, src.ro)

    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def make_view_again(self, data):
        """The same rule once more: view ops get twice the weight of other rules."""
        self.make_view(data)

    def draw_factorisation(self, data, n):
        nd = data.draw(st.integers(0 if n == 1 else 1, 3), label="new ndim")
        if n == 0:
            shape = data.draw(st.lists(st.integers(0, 3), min_size=max(nd, 1), max_size=max(nd, 1)))
            if 0 not in shape:
                shape[0] = 0
            return tuple(shape)
        dims, rest = [], n
        for _ in range(max(nd - 1, 0)):
            divs = [d for d in range(1, rest + 1) if rest % d == 0]
            d = data.draw(st.sampled_from(divs))
            dims.append(d)
            rest //= d
        if nd > 0:
            dims.append(rest)
        return tuple(dims)

    def copy_layout(self, m, shape, strides):
        """A fresh rtensor allocation holding m's values with the given layout (offset 0)."""
        root = np.zeros(numel(shape), dtype=m.dtype)
        store = Store(root, None)
        mirror = mk_view(store, 0, shape, strides)
        mirror[...] = m.reshape(shape) if m.shape != tuple(shape) else m
        return store, mirror, (0, numel(shape))

    def anchor_fresh(self, store, t, mirror):
        if mirror.size > 0:
            store.anchor = t.data_ptr() - offset_in(mirror, store) * mirror.itemsize

    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def clone(self, data):
        self.step()
        src = data.draw(st.sampled_from(self.tensors()), label="source")
        m = src.mirror
        name = self.fresh("t")
        s = elem_strides(m)
        # PyTorch's preserve_format: keep the strides of a non-overlapping, dense input
        # (rtensor allows negative strides; those count as not dense, like PyTorch's check)
        if m.size > 0 and all(x >= 0 for x in s) and non_overlapping_and_dense(m.shape, s):
            strides = s
        else:
            strides = contiguous_strides(m.shape)
        store, mirror, frame = self.copy_layout(m, m.shape, strides)
        r = self.call(f"{name} = {src.name}.clone()", lambda: src.obj.clone())
        self.anchor_fresh(store, r, mirror)
        self.add_tensor(name, r, mirror, store, frame, False)

    # -- NumPy sharing -------------------------------------------------------------------------
    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def to_numpy(self, data):
        self.step()
        src = data.draw(st.sampled_from(self.tensors()), label="source")
        name = self.fresh("a")
        arr = self.call(f"{name} = {src.name}.numpy()", lambda: src.obj.numpy())
        self.pool.append(Entry(name, "a", arr, src.mirror[...], src.store, None, src.ro))

    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "a" for e in self.pool))
    @rule(data=st.data())
    def from_numpy(self, data):
        self.step()
        src = data.draw(st.sampled_from(self.arrays()), label="source")
        name = self.fresh("t")
        t = self.call(f"{name} = torch.from_numpy({src.name})", lambda: torch.from_numpy(src.obj))
        self.add_tensor(name, t, src.mirror[...], src.store,
                        frame_of_array(src.mirror, src.store), src.ro)

    @precondition(lambda self: len(self.pool) < MAX_POOL and any(e.kind == "a" for e in self.pool))
    @rule(data=st.data())
    def numpy_view(self, data):
        self.step()
        src = data.draw(st.sampled_from(self.arrays()), label="source")
        how = data.draw(st.sampled_from(["slice", "T", "flip"] if src.mirror.ndim else ["slice", "T"]))
        name = self.fresh("a")
        if how == "slice":
            idx = tuple(i for i in self.draw_basic_index(data, src.mirror.shape))
            full = idx if Ellipsis in idx else idx + (Ellipsis,)
            code = f"{name} = {src.name}[{fmt_index(full)}]"
            arr, mirror = src.obj[full], src.mirror[full]
        elif how == "T":
            code = f"{name} = {src.name}.T"
            arr, mirror = src.obj.T, src.mirror.T
        else:
            code = f"{name} = np.flip({src.name})"
            arr, mirror = np.flip(src.obj), np.flip(src.mirror)
        self.log.append(code)
        self.pool.append(Entry(name, "a", arr, mirror, src.store, None, src.ro))

    @precondition(lambda self: any(e.kind == "a" and not e.ro for e in self.pool))
    @rule(data=st.data())
    def numpy_write(self, data):
        """Writes made by NumPy must show in every tensor sharing the memory."""
        self.step()
        dst = data.draw(st.sampled_from([e for e in self.arrays() if not e.ro]), label="dest")
        others = [e for e in self.arrays()
                  if broadcasts_to(e.mirror.shape, dst.mirror.shape)
                  and not (dst.mirror.dtype.kind == "i" and e.mirror.dtype.kind == "f")]
        how = data.draw(st.sampled_from(["+=", "*=", "fill", "assign"] if others else ["+=", "*=", "fill"]))
        with np.errstate(all="ignore"):
            if how in ("+=", "*="):
                k = data.draw(st.integers(-2, 3))
                self.log.append(f"{dst.name} {how} {k}")
                if how == "+=":
                    dst.obj += k
                    dst.mirror += k
                else:
                    dst.obj *= k
                    dst.mirror *= k
            elif how == "fill":
                k = data.draw(st.integers(-9, 9))
                self.log.append(f"{dst.name}[...] = {k}")
                dst.obj[...] = k
                dst.mirror[...] = k
            else:
                src = data.draw(st.sampled_from(others), label="value")
                self.log.append(f"{dst.name}[...] = {src.name}")
                dst.obj[...] = src.obj
                dst.mirror[...] = src.mirror

    # -- writes through rtensor ----------------------------------------------------------------
    def write_rules(self, dest_entry, target_mirror, target_addrs, sources, uniform,
                    whole_dest_check=False):
        """(must_raise, patterns, skip) for writing `target` (a view of dest's memory).

        sources: entries read by the op.  whole_dest_check: advanced indexing (index_put_),
        where PyTorch checks overlap against the whole destination tensor."""
        must, patterns = False, []
        if dest_entry.ro:
            if np.asarray(target_addrs).size:
                must = True
            else:
                patterns.append(r"read-only")  # nothing is written: an error is optional
        if has_dups(target_addrs):
            if uniform:
                patterns.append(OVERLAP_RE)
            elif zero_stride(dest_entry.mirror if whole_dest_check else target_mirror):
                must = True
            else:
                return must, patterns, True  # self-overlapping without a zero stride: undefined
        elif zero_stride(target_mirror) or (whole_dest_check and (
                zero_stride(dest_entry.mirror)
                or has_dups(addresses(dest_entry.mirror, dest_entry.store)))):
            # PyTorch's internal-overlap check also refuses empty expanded tensors, and
            # index_put_ refuses an internally overlapping self whatever the index selects
            patterns.append(OVERLAP_RE)
        for s in sources:
            if s is None:
                continue
            if whole_dest_check:
                if overlaps(s, dest_entry):
                    patterns.append(OVERLAP_RE)
            else:
                tgt = Entry("", "t", None, target_mirror, dest_entry.store)
                if overlaps(s, tgt) and not same_view(s, tgt):
                    patterns.append(OVERLAP_RE)
        return must, patterns, False

    def operand_candidates(self, shape):
        return [e for e in self.tensors() if broadcasts_to(e.mirror.shape, shape)]

    def pick_operand(self, data, cands, dst, label, shape=None):
        """An operand: often a view of the destination's memory made for the occasion (flipped,
        transposed, or as_strided at another offset: partial overlaps), else one from the pool,
        half of the time one over the destination's memory."""
        shape = dst.mirror.shape if shape is None else shape
        if data.draw(st.integers(0, 2), label="fresh alias") == 0:
            e = self.alias_view(data, dst, shape)
            if e is not None:
                return e
        if not cands:
            return None
        near = [e for e in cands if e.store is dst.store]
        if near and data.draw(st.booleans(), label="alias the destination"):
            return data.draw(st.sampled_from(near), label=label)
        return data.draw(st.sampled_from(cands), label=label)

    def alias_view(self, data, dst, shape):
        """A temporary view of dst's memory with the given shape (not added to the pool)."""
        m, t = dst.mirror, dst.obj
        nd = m.ndim
        opts = ["as_strided"] if dst.frame[1] > 0 else []
        if tuple(shape) == m.shape and nd >= 1:
            opts.append("flip")
            if any(m.shape[i] == m.shape[j] for i in range(nd) for j in range(i + 1, nd)):
                opts.append("transpose")
        if not opts:
            return None
        op = data.draw(st.sampled_from(opts), label="alias op")
        name = self.fresh("t")
        if op == "flip":
            dims = tuple(data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True)))
            code, fn, mirror = f"{name} = {dst.name}.flip({dims!r})", (lambda: t.flip(dims)), np.flip(m, dims)
        elif op == "transpose":
            i, j = data.draw(st.sampled_from([(i, j) for i in range(nd) for j in range(i + 1, nd)
                                              if m.shape[i] == m.shape[j]]))
            code, fn, mirror = (f"{name} = {dst.name}.transpose({i}, {j})", (lambda: t.transpose(i, j)),
                                np.swapaxes(m, i, j))
        else:
            base, length = dst.frame
            strides = data.draw(st.lists(st.integers(0, 3), min_size=len(shape), max_size=len(shape)))
            extent = sum((n - 1) * s for n, s in zip(shape, strides) if n > 0)
            if extent > length - 1:
                return None
            off = data.draw(st.integers(0, length - 1 - extent))
            sizes = tuple(shape)
            code = f"{name} = {dst.name}.as_strided({sizes!r}, {tuple(strides)!r}, {off})"
            fn = lambda: t.as_strided(sizes, tuple(strides), off)
            mirror = mk_view(dst.store, base + off, sizes, strides)
        obj = self.call(code, fn)
        return Entry(name, "t", obj, mirror, dst.store, dst.frame, dst.ro)

    @precondition(lambda self: any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def inplace(self, data):
        self.step()
        dst = data.draw(st.sampled_from(self.tensors()), label="dest")
        m = dst.mirror
        op = data.draw(st.sampled_from(["add_", "sub_", "mul_", "fill_", "zero_", "copy_"]), label="op")
        cands = self.operand_candidates(m.shape)
        src = None
        scalar = None
        if op == "zero_":
            pass
        elif op == "copy_" or data.draw(st.booleans()):
            if op == "fill_":
                cands = [e for e in cands if e.mirror.ndim == 0]
            src = self.pick_operand(data, cands, dst, "operand", shape=() if op == "fill_" else None)
            if src is None:
                return
        else:
            scalar = data.draw(st.sampled_from(SCALARS), label="scalar")

        dint = m.dtype.kind == "i"
        sfloat = (src is not None and src.mirror.dtype.kind == "f") or isinstance(scalar, float)
        sv = src.mirror.copy() if src is not None else scalar
        if op == "copy_" and dint and sfloat:
            if not np.all(np.isfinite(sv)) or np.any(np.abs(sv) >= 2.0 ** 62):
                return  # float -> int64 of inf/nan/huge: undefined
        must, patterns, skip = self.write_rules(dst, m, addresses(m, dst.store), [src],
                                                uniform=op in ("fill_", "zero_"))
        if skip:
            return
        if op in ("add_", "sub_", "mul_") and dint and sfloat:
            must = True  # result type can't be cast to the desired output type Long
        arg = src.name if src is not None else fmt_scalar(scalar)
        code = f"{dst.name}.{op}({'' if op == 'zero_' else arg})"
        operand = src.obj if src is not None else scalar
        fn = (lambda: dst.obj.zero_()) if op == "zero_" else (lambda: getattr(dst.obj, op)(operand))

        def apply(_):
            old = m.copy()
            with np.errstate(all="ignore"):
                if op == "add_":
                    new = old + sv
                elif op == "sub_":
                    new = old - sv
                elif op == "mul_":
                    new = old * sv
                elif op == "fill_":
                    new = np.broadcast_to(np.asarray(sv), m.shape)
                elif op == "zero_":
                    new = np.zeros(m.shape, m.dtype)
                else:
                    new = np.broadcast_to(np.asarray(sv), m.shape)
                m[...] = np.asarray(new).astype(m.dtype)

        self.call(code, fn, must_raise=must, patterns=patterns, on_success=apply)

    @precondition(lambda self: any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def out_op(self, data):
        """torch.add/sub/mul(a, b, out=c), where c may overlap a or b (or be one of them)."""
        self.step()
        c = data.draw(st.sampled_from(self.tensors()), label="out")
        m = c.mirror
        cands = self.operand_candidates(m.shape)
        a = self.pick_operand(data, cands, c, "a")
        if a is None:
            return
        bcands = [e for e in cands if broadcast_shape(e.mirror.shape, a.mirror.shape) == m.shape]
        b, scalar = None, None
        if data.draw(st.booleans()):
            b = self.pick_operand(data, bcands, c, "b")
        if b is None:
            if broadcast_shape(a.mirror.shape, ()) != m.shape:
                return
            scalar = data.draw(st.sampled_from(SCALARS if a.mirror.dtype.kind == "f" else
                                               [s for s in SCALARS if isinstance(s, int)]))
        op = data.draw(st.sampled_from(["add", "sub", "mul"]))
        must, patterns, skip = self.write_rules(c, m, addresses(m, c.store), [a, b], uniform=False)
        if skip:
            return
        rfloat = a.mirror.dtype.kind == "f" or (b is not None and b.mirror.dtype.kind == "f")
        if rfloat and m.dtype.kind == "i":
            must = True
        av = a.mirror.copy()
        bv = b.mirror.copy() if b is not None else scalar
        barg = b.name if b is not None else fmt_scalar(scalar)
        bobj = b.obj if b is not None else scalar
        code = f"torch.{op}({a.name}, {barg}, out={c.name})"
        fn = lambda: getattr(torch, op)(a.obj, bobj, out=c.obj)

        def apply(_):
            with np.errstate(all="ignore"):
                new = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op](av, bv)
            m[...] = np.asarray(new).astype(m.dtype)

        self.call(code, fn, must_raise=must, patterns=patterns, on_success=apply)

    @precondition(lambda self: any(e.kind == "t" for e in self.pool))
    @rule(data=st.data())
    def setitem(self, data):
        """t[index] = value: ints/slices (a view), index tensors, boolean masks; values may alias t."""
        self.step()
        dst = data.draw(st.sampled_from(self.tensors()), label="dest")
        m = dst.mirror
        kind = data.draw(st.sampled_from(["basic", "index", "mask", "mask0"]), label="index kind")
        addrs = addresses(m, dst.store)
        if kind == "basic":
            idx = self.draw_basic_index(data, m.shape)
            np_idx = idx if Ellipsis in idx else idx + (Ellipsis,)
            t_idx, code_idx = idx, fmt_index(idx)
            advanced = False
        else:
            if m.ndim == 0 or m.shape[0] == 0:
                return
            n = m.shape[0]
            if kind == "index":
                perm = data.draw(st.permutations(range(n)))
                k = data.draw(st.integers(1, n))
                sel = [i - n if data.draw(st.booleans()) else i for i in perm[:k]]
                np_idx = (np.array(sel, dtype=np.int64),)
                t_idx = torch.tensor(sel, dtype=torch.int64)
                code_idx = f"torch.tensor({sel!r})"
            else:
                shape = m.shape if kind == "mask" else m.shape[:1]
                bits = data.draw(st.lists(st.booleans(), min_size=numel(shape), max_size=numel(shape)))
                mask = np.array(bits, dtype=bool).reshape(shape)
                np_idx = (mask,)
                if mask.size:
                    t_idx = torch.tensor(mask.tolist(), dtype=torch.bool)
                    code_idx = f"torch.tensor({mask.tolist()!r})"
                else:  # a nested empty list would lose the dims after the 0
                    t_idx = torch.zeros(shape, dtype=torch.bool)
                    code_idx = f"torch.zeros({shape!r}, dtype=torch.bool)"
            advanced = True
        target = m[np_idx]
        tshape = target.shape
        taddrs = addrs[np_idx]
        cands = self.operand_candidates(tshape)
        src, scalar = None, None
        if data.draw(st.booleans()):
            src = self.pick_operand(data, cands, dst, "value", shape=tshape)
        if src is None:
            scalar = data.draw(st.sampled_from(SCALARS), label="scalar")
        sv = src.mirror.copy() if src is not None else scalar
        if src is not None and m.dtype.kind == "i" and src.mirror.dtype.kind == "f":
            if not np.all(np.isfinite(sv)) or np.any(np.abs(sv) >= 2.0 ** 62):
                return
        if advanced:
            must, patterns, skip = self.write_rules(dst, target, taddrs, [src], uniform=src is None,
                                                    whole_dest_check=True)
            if src is not None and src.mirror.dtype != m.dtype:
                patterns.append(r"dtype|type")  # PyTorch's index_put_ wants equal dtypes
        else:
            must, patterns, skip = self.write_rules(dst, target, taddrs, [src], uniform=src is None)
        if skip:
            return
        arg = src.name if src is not None else fmt_scalar(scalar)
        code = f"{dst.name}[{code_idx}] = {arg}"
        val = src.obj if src is not None else scalar

        def fn():
            dst.obj[t_idx] = val

        def apply(_):
            with np.errstate(all="ignore"):
                m[np_idx] = np.asarray(sv).astype(m.dtype)

        self.call(code, fn, must_raise=must, patterns=patterns, on_success=apply)

    # -- lifetime ------------------------------------------------------------------------------
    @precondition(lambda self: len(self.pool) > 0)
    @rule(data=st.data())
    def delete(self, data):
        self.step()
        i = data.draw(st.integers(0, len(self.pool) - 1), label="victim")
        e = self.pool.pop(i)
        self.log.append(f"del {e.name}")
        del e
        if data.draw(st.booleans()):
            gc.collect()
            self.log.append("gc.collect()")


# ----------------------------------------------------------------------------------------------
# the pytest entry point (short profile) and the long-run driver used by tools/fuzz.py
# ----------------------------------------------------------------------------------------------
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def machine_settings(examples, steps, **kw):
    """Shrinking is off by default: hypothesis needs minutes to shrink these machines, and the
    failure message already carries the steps as a script (tools/fuzz.py keeps the shortest
    script per kind of failure instead)."""
    kw.setdefault("phases", NO_SHRINK)
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    suppress_health_check=list(HealthCheck), **kw)


EXAMPLES = int(os.environ.get("RTENSOR_FUZZ_EXAMPLES", "20"))
STEPS = int(os.environ.get("RTENSOR_FUZZ_STEPS", "25"))

TestAliasing = AliasMachine.TestCase
TestAliasing.settings = machine_settings(EXAMPLES, STEPS, report_multiple_bugs=False)


def test_compute_stride_port():
    """The oracle's port of computeStride on cases worked out from PyTorch's behaviour."""
    assert compute_stride([2, 3], [3, 1], [6]) == [1]
    assert compute_stride([2, 3], [1, 2], [6]) is None           # x.t().view(6) fails
    assert compute_stride([2, 3], [1, 2], [3, 2]) is None
    assert compute_stride([3, 2], [1, 3], [3, 2, 1]) == [1, 3, 3]
    assert compute_stride([2, 3], [0, 1], [6]) is None            # expanded rows
    assert compute_stride([2, 3], [0, 0], [6]) == [0]             # fully expanded
    assert compute_stride([4], [2], [2, 2]) == [4, 2]
    assert compute_stride([2, 1, 3], [3, 7, 1], [6]) == [1]       # size-1 dims are ignored
    assert compute_stride([], [], [1, 1]) == [1, 1]
    assert compute_stride([0, 3], [3, 1], [3, 0]) == [1, 1]
    assert non_overlapping_and_dense([3, 2], [1, 3]) and not non_overlapping_and_dense([2, 2], [1, 1])
