"""Memory tests: long loops keep RSS flat, and NumPy sharing frees exactly what it should.

* 10,000 steps of an autograd training loop (linear regression: `requires_grad` leaves,
  `backward`, an in-place SGD update under `no_grad`, `grad.zero_()`): after a warm-up of 500
  steps, RSS may grow by less than TRAIN_BOUND (16 MiB).  A leaked graph node per step (a few
  hundred bytes) would break it by far; a leaked 64x1 float64 activation per step is 5 MiB.
* 100,000 `numpy()` / `from_numpy` round trips of 1 KiB buffers, deleting the tensor first and
  the array first (25,000 of each of four patterns): RSS may grow by less than ROUNDTRIP_BOUND
  (8 MiB) after a 2,000-iteration warm-up; leaking one buffer per iteration would be 100 MiB.
  Cheap exact checks come first: refcounts of imported arrays and weakrefs to tensors and arrays
  return to their starting values as soon as the last sharer dies (no gc needed).

RSS is read from /proc/self/statm (Linux); the RSS tests are skipped where it does not exist.
Runtime: about 1 s for the training loop and 1-2 s for the round trips on the 2-core machine.
"""
from __future__ import annotations

import gc
import os
import sys
import weakref

import numpy as np
import pytest

import rtensor as torch

MiB = 1 << 20
TRAIN_STEPS = 10_000
TRAIN_WARMUP = 500
TRAIN_BOUND = 16 * MiB
ROUNDTRIPS = 100_000
ROUNDTRIP_WARMUP = 2_000
ROUNDTRIP_BOUND = 8 * MiB

_statm = "/proc/self/statm"
needs_statm = pytest.mark.skipif(not os.path.exists(_statm), reason="needs /proc/self/statm")


def rss():
    with open(_statm) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ----------------------------------------------------------------------------------------------
# exact lifetime checks (refcounts and weakrefs)
# ----------------------------------------------------------------------------------------------
def test_from_numpy_holds_exactly_one_reference_while_any_view_lives():
    a = np.arange(128, dtype=np.float64)
    base = sys.getrefcount(a)
    t = torch.from_numpy(a)
    held = sys.getrefcount(a) - base
    assert held >= 1
    v = t[1:]
    u = v.t() if v.dim() == 2 else v.flip(0)
    del t
    assert sys.getrefcount(a) - base == held
    del v
    assert sys.getrefcount(a) - base == held
    assert u[0].item() == 127.0
    del u
    assert sys.getrefcount(a) == base


def test_imported_array_dies_with_its_last_tensor():
    a = np.arange(16, dtype=np.float64)
    wa = weakref.ref(a)
    t = torch.from_numpy(a)
    del a
    assert wa() is not None
    v = t[::-1]
    del t
    assert wa() is not None and v[0].item() == 15.0
    del v
    assert wa() is None  # freed at once, without gc.collect()


def test_numpy_of_tensor_outlives_tensor_and_is_freed_with_last_array():
    t = torch.arange(16, dtype=torch.float64)
    wt = weakref.ref(t)
    a = t.numpy()
    owner = a.base
    owner_refs = sys.getrefcount(owner)
    wa = weakref.ref(a)
    b = a[::2]
    del t
    gc.collect()
    # the tensor object may die here (the array's base holds the storage, not the tensor)
    del wt
    assert a[15] == 15.0 and b[7] == 14.0
    a[0] = -1.0
    assert b[0] == -1.0
    del a
    assert wa() is not None  # b is a view of a
    del b
    assert wa() is None
    assert sys.getrefcount(owner) == owner_refs - 1  # only our local name is left
    del owner


def test_chain_numpy_from_numpy_both_deletion_orders():
    for order in ("tensor-first", "array-first"):
        t = torch.arange(8, dtype=torch.int64)
        a = t.numpy()
        u = torch.from_numpy(a)
        wa = weakref.ref(a)
        wu = weakref.ref(u)
        if order == "tensor-first":
            del t, u
            assert wu() is None
            assert wa() is not None and a.sum() == 28
            del a
            assert wa() is None
        else:
            del a
            assert wa() is not None  # u holds it
            assert u.sum().item() == 28 and t.sum().item() == 28
            u.add_(1)
            assert t.sum().item() == 36
            del u
            assert wa() is None
            assert t.sum().item() == 36


# ----------------------------------------------------------------------------------------------
# RSS over long loops
# ----------------------------------------------------------------------------------------------
def _train(steps, X, y, w, b, lr=0.05):
    loss = None
    for _ in range(steps):
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    return loss.item()


@needs_statm
def test_rss_flat_over_10000_training_steps():
    torch.manual_seed(0)
    X = torch.randn(64, 3, dtype=torch.float64)
    y = X @ torch.tensor([[1.5], [-2.0], [0.5]], dtype=torch.float64) + 0.25
    w = torch.zeros(3, 1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    first = _train(TRAIN_WARMUP, X, y, w, b)
    gc.collect()
    before = rss()
    last = _train(TRAIN_STEPS - TRAIN_WARMUP, X, y, w, b)
    gc.collect()
    grown = rss() - before
    print(f"\ntraining: RSS {before / MiB:.1f} MiB -> {(before + grown) / MiB:.1f} MiB "
          f"over {TRAIN_STEPS - TRAIN_WARMUP} steps (growth {grown / MiB:+.2f} MiB, bound "
          f"{TRAIN_BOUND / MiB:.0f} MiB); loss {first:.3g} -> {last:.3g}")
    assert last < 1e-8  # it really trained (the data is noise-free)
    assert w.grad_fn is None and w.is_leaf and w.grad is not None
    assert grown < TRAIN_BOUND, f"RSS grew by {grown / MiB:.1f} MiB over the training loop"


def _roundtrips(n):
    """n iterations over four patterns; each allocates and frees a 1 KiB buffer."""
    for i in range(n):
        k = i & 3
        if k == 0:    # tensor -> numpy, delete the tensor first
            t = torch.zeros(128, dtype=torch.float64)
            a = t.numpy()
            del t
            a[0] = 1.0
            del a
        elif k == 1:  # tensor -> numpy, delete the array first
            t = torch.zeros(128, dtype=torch.float64)
            a = t.numpy()
            del a
            t[0] = 1.0
            del t
        elif k == 2:  # numpy -> tensor, delete the array first
            a = np.zeros(128)
            t = torch.from_numpy(a)
            del a
            t[0] = 1.0
            del t
        else:         # numpy -> tensor -> numpy, delete the tensor first
            a = np.zeros(128)
            t = torch.from_numpy(a)
            b = t.numpy()
            del t
            del a
            b[0] = 1.0
            del b


@needs_statm
def test_rss_flat_over_100000_numpy_roundtrips():
    _roundtrips(ROUNDTRIP_WARMUP)
    gc.collect()
    before = rss()
    _roundtrips(ROUNDTRIPS)
    gc.collect()
    grown = rss() - before
    print(f"\nround trips: RSS {before / MiB:.1f} MiB -> {(before + grown) / MiB:.1f} MiB over "
          f"{ROUNDTRIPS} iterations (growth {grown / MiB:+.2f} MiB, bound {ROUNDTRIP_BOUND / MiB:.0f} MiB)")
    assert grown < ROUNDTRIP_BOUND, f"RSS grew by {grown / MiB:.1f} MiB over the round trips"
