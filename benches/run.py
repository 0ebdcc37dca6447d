#!/usr/bin/env python3
"""rtensor vs NumPy (and PyTorch, when installed) on a fixed set of cases.

    python benches/run.py                  # full run (`make bench`), ~1-2 min on 2 cores
    python benches/run.py --quick          # tiny sizes and loops: a smoke test
    python benches/run.py --json out.json  # also write the results as JSON
    python benches/run.py --filter matmul  # only cases whose name contains "matmul"

Every library runs in the same process on the same input data (generated once
by NumPy and handed over with ``from_numpy``).  Each measurement is timeit-style:
the loop count is scaled until one timing takes about ``--target`` seconds, then
the best (minimum) of ``--repeat`` timings is kept.  Before timing, each
statement runs once and its result is compared with NumPy's.

Exit status: 0 when every case ran and agreed with NumPy, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import timeit
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# --------------------------------------------------------------------------- #
# Libraries
# --------------------------------------------------------------------------- #


def _import_rtensor():
    try:
        import rtensor
    except ImportError as exc:  # pragma: no cover - depends on the build
        sys.exit(f"benches/run.py: cannot import rtensor ({exc}); run `make bench`, "
                 "which builds the extension first")
    return rtensor


def _import_torch():
    try:
        import torch
    except Exception:  # ImportError, or a broken install
        return None
    return torch


# --------------------------------------------------------------------------- #
# Inputs: deterministic float32 data, identical for every library
# --------------------------------------------------------------------------- #


def _data(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def numpy_inputs(**shapes: tuple[int, ...]) -> Callable[[Any], dict]:
    """Setup for NumPy: ``{"np": np, name: float32 array of that shape, ...}``."""
    def setup(mod):
        return {"np": mod, **{name: _data(shape, seed)
                              for seed, (name, shape) in enumerate(shapes.items())}}
    return setup


def tensor_inputs(**shapes: tuple[int, ...]) -> Callable[[Any], dict]:
    """Setup for rtensor / PyTorch: ``{"T": module, name: tensor, ...}``, same data as NumPy."""
    def setup(mod):
        return {"T": mod, **{name: mod.from_numpy(_data(shape, seed))
                             for seed, (name, shape) in enumerate(shapes.items())}}
    return setup


# --------------------------------------------------------------------------- #
# The case table
# --------------------------------------------------------------------------- #


@dataclass
class Impl:
    """How one library runs a case: build a namespace, then time ``stmt`` in it."""
    setup: Callable[[Any], dict]
    stmt: str


@dataclass
class Case:
    name: str
    rtensor: Impl
    numpy: Impl
    torch: Impl | None = None  # None: same code as rtensor (the API is PyTorch's)
    work: float = 0.0          # bytes or flops per call, for the throughput column
    unit: str = ""             # "GB/s" or "GFLOP/s"; "" for latency cases

    def __post_init__(self):
        if self.torch is None:
            self.torch = self.rtensor


def case(name: str, shapes: dict, stmt: str, np_stmt: str | None = None,
         torch_stmt: str | None = None, work: float = 0.0, unit: str = "") -> Case:
    """One row: the same float32 inputs (``shapes``) for all libraries."""
    tensors = tensor_inputs(**shapes)
    return Case(name,
                rtensor=Impl(tensors, stmt),
                numpy=Impl(numpy_inputs(**shapes), stmt if np_stmt is None else np_stmt),
                torch=None if torch_stmt is None else Impl(tensors, torch_stmt),
                work=work, unit=unit)


def _count(n: int) -> str:
    return f"{n >> 20}M" if n >= 1 << 20 else f"{n >> 10}K" if n >= 1 << 10 else str(n)


def make_cases(quick: bool) -> list[Case]:
    n = 1 << 16 if quick else 16 << 20        # elements for the elementwise add cases
    s = 256 if quick else 4096                 # square side for broadcast / transpose / sum
    mm = (32, 64, 128) if quick else (256, 1024, 2048)
    f32 = 4
    sq = f"{s}x{s}"
    return [
        # Per-call overhead on tiny tensors.
        case("a + b (3,3)", dict(a=(3, 3), b=(3, 3)), "a + b"),
        case("x[0, :] (5,3)", dict(x=(5, 3)), "x[0, :]"),
        case("x.view(9) (3,3)", dict(x=(3, 3)), "x.view(9)", "x.reshape(9)"),
        case("tensor([1.,2.,3.])", {}, "T.tensor([1., 2., 3.])",
             "np.array([1., 2., 3.], dtype=np.float32)"),
        # Elementwise add, memory bound: read a, read b, write the result.
        case(f"a + b ({_count(n)})", dict(a=(n,), b=(n,)), "a + b",
             work=3 * f32 * n, unit="GB/s"),
        case(f"add(a, b, out=c) ({_count(n)})", dict(a=(n,), b=(n,), c=(n,)),
             "T.add(a, b, out=c)", "np.add(a, b, out=c)", work=3 * f32 * n, unit="GB/s"),
        case(f"a += b ({_count(n)})", dict(a=(n,), b=(n,)), "a += b",
             work=3 * f32 * n, unit="GB/s"),
        # Broadcasting and a transposed (non-contiguous) operand.
        case(f"({s},1) + (1,{s})", dict(a=(s, 1), b=(1, s)), "a + b",
             work=f32 * (s * s + 2 * s), unit="GB/s"),
        case(f"a.t() + b ({sq})", dict(a=(s, s), b=(s, s)), "a.t() + b", "a.T + b",
             work=3 * f32 * s * s, unit="GB/s"),
        # Reductions: read everything once.
        case(f"x.sum() ({sq})", dict(x=(s, s)), "x.sum()", work=f32 * s * s, unit="GB/s"),
        case(f"x.sum(0) ({sq})", dict(x=(s, s)), "x.sum(0)", work=f32 * s * s, unit="GB/s"),
        case(f"x.sum(1) ({sq})", dict(x=(s, s)), "x.sum(1)", work=f32 * s * s, unit="GB/s"),
        # Matrix multiply: 2 n^3 flops.
        *[case(f"matmul ({k}x{k})", dict(a=(k, k), b=(k, k)), "T.matmul(a, b)",
               "np.matmul(a, b)", work=2 * k ** 3, unit="GFLOP/s") for k in mm],
    ]


# --------------------------------------------------------------------------- #
# Timing
# --------------------------------------------------------------------------- #


@dataclass
class Timing:
    best: float | None = None   # seconds per call (min over repeats)
    loops: int = 0
    repeats: int = 0
    error: str | None = None    # exception text, if the case failed
    mismatch: str | None = None # set when the result disagrees with NumPy's

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _timer(impl: Impl, ns: dict) -> timeit.Timer:
    # Bind the inputs to locals of timeit's inner function: the statement then
    # runs with fast local lookups, and augmented assignment (`a += b`) works.
    bind = "; ".join(f"{k} = _ns[{k!r}]" for k in ns) or "pass"
    return timeit.Timer(impl.stmt, setup=bind, globals={"_ns": ns})


def measure(timer: timeit.Timer, target: float, repeat: int) -> tuple[float, int, int]:
    """Best seconds per call, loops per timing, timings taken."""
    number = 1
    while True:
        t = timer.timeit(number)
        if t >= target / 2 or number >= 10 ** 8:
            break
        # Grow towards the target, at most 100x per step so one noisy timing
        # cannot blow up the loop count.
        number = min(number * 100, max(number * 2, math.ceil(number * target / max(t, 1e-9))))
    samples = [t]
    deadline = time.perf_counter() + max(2 * target, 1.0) * repeat / 5
    while len(samples) < repeat and time.perf_counter() < deadline:
        samples.append(timer.timeit(number))
    return min(samples) / number, number, len(samples)


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, np.ndarray) or np.isscalar(x):
        return np.asarray(x)
    return np.asarray(x.numpy())


def _expr(stmt: str):
    try:
        return compile(stmt, "<case>", "eval")
    except SyntaxError:  # a statement such as `a += b`: nothing to compare
        return None


def run_impl(impl: Impl, mod, expected: np.ndarray | None, target: float, repeat: int):
    """Time one library on one case; returns (Timing, its result as an ndarray)."""
    out = Timing()
    result = None
    try:
        ns = impl.setup(mod)
        code = _expr(impl.stmt)
        if code is not None:  # run once: a warm-up and a correctness check
            result = _to_numpy(eval(code, dict(ns)))
            if expected is not None:
                out.mismatch = _compare(result, expected)
        out.best, out.loops, out.repeats = measure(_timer(impl, ns), target, repeat)
    except Exception as exc:  # report and carry on with the other cases
        out.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return out, result


def _compare(got: np.ndarray, want: np.ndarray) -> str | None:
    if got.shape != want.shape:
        return f"shape {got.shape} != numpy's {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != numpy's {want.dtype}"
    scale = float(np.max(np.abs(want))) if want.size else 0.0
    if not np.allclose(got, want, rtol=1e-3, atol=1e-4 * max(scale, 1.0)):
        err = float(np.max(np.abs(got.astype(np.float64) - want)))
        return f"max abs error {err:.3g} (values up to {scale:.3g})"
    return None


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def fmt_time(t: float | None) -> str:
    if t is None:
        return "ERR"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def fmt_rate(c: Case, t: float | None) -> str:
    if not c.unit or t is None or t == 0:
        return ""
    return f"{c.work / t / 1e9:.3g} {c.unit}"


def table(rows: list[tuple[Case, dict[str, Timing]]], libs: list[str]) -> str:
    head = ["case", "rtensor", "numpy", "rtensor/numpy"]
    if "torch" in libs:
        head += ["torch", "torch/numpy"]
    head += ["rtensor throughput"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for c, res in rows:
        rt, nt = res["rtensor"].best, res["numpy"].best
        cells = [c.name, fmt_time(rt), fmt_time(nt), fmt_ratio(rt, nt)]
        if "torch" in libs:
            tt = res["torch"].best
            cells += [fmt_time(tt), fmt_ratio(tt, nt)]
        cells += [fmt_rate(c, rt)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def environment(libs: dict[str, Any]) -> dict:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "versions": {name: getattr(mod, "__version__", "?") for name, mod in libs.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes and loops (smoke test)")
    ap.add_argument("--json", metavar="PATH", help="also write the results to PATH as JSON")
    ap.add_argument("--filter", metavar="TEXT", default="",
                    help="only run cases whose name contains TEXT")
    ap.add_argument("--target", type=float, default=None,
                    help="seconds per timing (default 0.2, --quick 0.005)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="timings per measurement, best kept (default 5, --quick 2)")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    args = ap.parse_args(argv)
    target = args.target if args.target is not None else (0.005 if args.quick else 0.2)
    repeat = max(1, args.repeat if args.repeat is not None else (2 if args.quick else 5))

    libs: dict[str, Any] = {"rtensor": _import_rtensor(), "numpy": np}
    torch = None if args.no_torch else _import_torch()
    if torch is not None:
        libs["torch"] = torch

    env = environment(libs)
    vers = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    print(f"# rtensor benchmarks{' (quick)' if args.quick else ''}\n")
    print(f"{vers}; torch {'not installed' if torch is None else 'included'}; "
          f"Python {env['python']}; {env['cpus']} CPUs; {env['platform']}")
    print(f"float32; best of {repeat} timings of ~{target:g} s each; ratio < 1 means faster "
          "than NumPy\n", flush=True)

    cases = [c for c in make_cases(args.quick) if args.filter in c.name]
    rows: list[tuple[Case, dict[str, Timing]]] = []
    start = time.perf_counter()
    for i, c in enumerate(cases, 1):
        print(f"  [{i}/{len(cases)}] {c.name}", file=sys.stderr, flush=True)
        res: dict[str, Timing] = {}
        # NumPy first: its result is the reference for the others.
        res["numpy"], expected = run_impl(c.numpy, np, None, target, repeat)
        for name in ("rtensor", "torch"):
            if name in libs:
                res[name], _ = run_impl(getattr(c, name), libs[name], expected, target, repeat)
        rows.append((c, res))
    elapsed = time.perf_counter() - start

    print(table(rows, list(libs)))
    problems = [f"- {c.name} [{lib}]: {t.error or 'result differs from numpy: ' + t.mismatch}"
                for c, res in rows for lib, t in res.items() if t.error or t.mismatch]
    if problems:
        print("\nProblems:\n" + "\n".join(problems))
    print(f"\n{len(rows)} cases in {elapsed:.1f} s")

    if args.json:
        doc = {
            "quick": args.quick, "target_s": target, "repeat": repeat, "env": env,
            "results": [{
                "case": c.name, "unit": c.unit or None, "work": c.work or None,
                **{lib: t.as_dict() for lib, t in res.items()},
                "rtensor/numpy": (res["rtensor"].best / res["numpy"].best
                                  if res["rtensor"].best and res["numpy"].best else None),
                **({"torch/numpy": (res["torch"].best / res["numpy"].best
                                    if res["torch"].best and res["numpy"].best else None)}
                   if "torch" in res else {}),
                "rtensor_throughput": (c.work / res["rtensor"].best / 1e9
                                       if c.unit and res["rtensor"].best else None),
            } for c, res in rows],
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
        print(f"wrote {args.json}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
