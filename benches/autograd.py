"""Autograd benchmarks: rtensor against hand-written NumPy and, when installed,
PyTorch, in one run. `python benches/autograd.py [--quick]` prints a table.

Cases:
  - one backward step on a (3,3) leaf: `x.grad = None; (x * x + 2).sum().backward()`
  - one epoch of a D2L-style MLP (64 -> 256 -> 10, ReLU, cross-entropy, SGD,
    batch 256) on scikit-learn's bundled digits data (1,797 images; skipped
    when scikit-learn is missing).
  - backwards of views of a (4096, 4096) leaf: `x[:, 0].sum()`, `x[::2].sum()`
    and `sum(x[:, t] for t in range(64))`, each next to `x.clone()` in the
    same run (a view's backward should cost about a zero-fill plus a copy of
    the view, so a small multiple of one clone). `--views` runs only these."""

import argparse
import importlib
import timeit

import numpy as np


def load_digits():
    from sklearn.datasets import load_digits as ld
    d = ld()
    x = (d.data - d.data.mean(0)) / (d.data.std(0) + 1e-8)
    return x.astype(np.float32), d.target.astype(np.int64)


def tiny_step(T):
    x = T.rand(3, 3, requires_grad=True)

    def step():
        x.grad = None
        (x * x + 2).sum().backward()
    return step


def tiny_step_numpy():
    x = np.random.rand(3, 3).astype(np.float32)

    def step():
        y = x * x + 2
        _ = y.sum()
        return 2 * x  # d/dx sum(x*x + 2)
    return step


def mlp_epoch(T, X, y, batch=256, lr=0.1):
    g = np.random.default_rng(0)
    W1 = T.tensor(g.normal(0, 0.01, (64, 256)).astype(np.float32), requires_grad=True)
    b1 = T.zeros(256, requires_grad=True)
    W2 = T.tensor(g.normal(0, 0.01, (256, 10)).astype(np.float32), requires_grad=True)
    b2 = T.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]
    Xt, yt = T.tensor(X), T.tensor(y)
    n = X.shape[0]

    def epoch():
        for i in range(0, n, batch):
            xb, yb = Xt[i:i + batch], yt[i:i + batch]
            h = (xb @ W1 + b1).relu()
            logits = h @ W2 + b2
            lse = logits.logsumexp(1)
            loss = (lse - logits.gather(1, yb.view(-1, 1)).view(-1)).mean()
            loss.backward()
            with T.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad.zero_()
    return epoch


def mlp_epoch_numpy(X, y, batch=256, lr=0.1):
    g = np.random.default_rng(0)
    W1 = g.normal(0, 0.01, (64, 256)).astype(np.float32)
    b1 = np.zeros(256, np.float32)
    W2 = g.normal(0, 0.01, (256, 10)).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    n = X.shape[0]

    def epoch():
        nonlocal W1, b1, W2, b2
        for i in range(0, n, batch):
            xb, yb = X[i:i + batch], y[i:i + batch]
            z = xb @ W1 + b1
            h = np.maximum(z, 0)
            logits = h @ W2 + b2
            m = logits.max(1, keepdims=True)
            p = np.exp(logits - m)
            p /= p.sum(1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1
            d = p / len(yb)
            gW2, gb2 = h.T @ d, d.sum(0)
            dh = (d @ W2.T) * (z > 0)
            gW1, gb1 = xb.T @ dh, dh.sum(0)
            W1 -= lr * gW1
            b1 -= lr * gb1
            W2 -= lr * gW2
            b2 -= lr * gb2
    return epoch


def view_backward(T, view, n=4096):
    x = T.rand(n, n, requires_grad=True)

    def step():
        x.grad = None
        view(x).sum().backward()
    return step


def clone_of(T, n=4096):
    x = T.rand(n, n)
    return lambda: x.clone()


VIEW_CASES = (
    ("x[:, 0].sum() backward", lambda x: x[:, 0]),
    ("x[::2].sum() backward", lambda x: x[::2]),
    ("sum(x[:, t] for t < 64) backward", lambda x: sum(x[:, t] for t in range(64))),
)


def view_rows(rtensor, torch, quick):
    number, repeat = (1, 1) if quick else (3, 3)
    rows = []
    for name, view in VIEW_CASES:
        r = best(view_backward(rtensor, view), number, repeat)
        tt = best(view_backward(torch, view), number, repeat) if torch is not None else None
        rows.append((name, r, tt))
    # The reference is cheap: more runs make its minimum steadier.
    r = best(clone_of(rtensor), 3 * number, 2 * repeat)
    tt = best(clone_of(torch), 3 * number, 2 * repeat) if torch is not None else None
    return rows, (r, tt)


def print_views(rows, clone):
    print("| case (x: 4096x4096 float32) | rtensor | rtensor / own x.clone() | torch | torch/rtensor |")
    print("|---|---:|---:|---:|---:|")
    for name, r, tt in rows + [("x.clone()", *clone)]:
        tcol = fmt(tt) if tt is not None else "n/a"
        ratio = f"{tt / r:.2f}x" if tt is not None else "n/a"
        print(f"| {name} | {fmt(r)} | {r / clone[0]:.2f}x | {tcol} | {ratio} |")


def best(f, number, repeat=5):
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def fmt(t):
    return f"{t * 1e6:.1f} µs" if t < 1e-3 else f"{t * 1e3:.2f} ms"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--views", action="store_true", help="only the view-backward cases")
    args = ap.parse_args(argv)
    import rtensor
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        torch = None
    print_views(*view_rows(rtensor, torch, args.quick))
    if args.views:
        return 0
    try:
        X, y = load_digits()
    except ImportError:
        print("(scikit-learn is not installed: MLP epoch skipped)")
        X = None
    print()
    n_tiny, n_mlp = (200, 1) if args.quick else (20000, 5)
    rows = []
    cases = [("backward step (3,3)", tiny_step_numpy, tiny_step)]
    if X is not None:
        cases.append(("MLP epoch 64-256-10 (digits)", lambda: mlp_epoch_numpy(X, y), lambda T: mlp_epoch(T, X, y)))
    for name, make_np, make in cases:
        number = n_tiny if "step" in name else n_mlp
        r = best(make(rtensor), number)
        nump = best(make_np(), number)
        tt = best(make(torch), number) if torch is not None else None
        rows.append((name, r, nump, tt))
    print("| case | rtensor | hand-written NumPy | torch | torch/rtensor |")
    print("|---|---:|---:|---:|---:|")
    for name, r, nump, tt in rows:
        tcol = fmt(tt) if tt is not None else "n/a"
        ratio = f"{tt / r:.2f}x" if tt is not None else "n/a"
        print(f"| {name} | {fmt(r)} | {fmt(nump)} | {tcol} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
