"""Threads and fork (issue 7, section 1): Python threads sharing rtensor — small
ops under the GIL, large ops that release it, `set_num_threads` changing under
them — never crash or deadlock, and separate tensors give exact results;
`os.fork()` after the thread pool has run leaves a child that computes. Writing
one tensor from two threads at once is the user's data race (docs/design.md,
NOTE [Threads]) and is not tested for values.

Every scenario runs in a subprocess with a timeout, so a deadlock fails the test
instead of hanging the suite."""

import subprocess
import sys
import textwrap

import pytest

# A hang dumps every thread's Python stack (faulthandler) before the timeout,
# so a deadlock names the line it happened on. (Forked children must not call
# faulthandler again: cancelling the parent's watchdog, a thread that did not
# survive the fork, waits for it forever.)
PRELUDE = """
import faulthandler, os, sys, threading
import numpy as np
import rtensor as torch
faulthandler.dump_traceback_later(100, exit=True)
"""


def run(code, timeout=120):
    r = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    assert "panicked" not in r.stderr
    return r.stdout


def test_threads_small_and_large_ops_are_exact():
    # Each thread owns its tensors; the oracle is NumPy on the same inputs.
    out = run("""
        errors = []
        def work(seed):
            rng = np.random.default_rng(seed)
            try:
                for i in range(60):
                    n = 3 if i % 3 else 700          # 700*700 > the GIL-release threshold
                    a = rng.standard_normal((n, n))
                    b = rng.standard_normal((n, n))
                    ta, tb = torch.from_numpy(a), torch.tensor(b)
                    np.testing.assert_allclose((ta + tb).numpy(), a + b, rtol=0, atol=0)
                    np.testing.assert_allclose((ta * tb).sum(0).numpy(), (a * b).sum(0), rtol=1e-9, atol=1e-9)
                    if n == 3:
                        np.testing.assert_allclose((ta @ tb).numpy(), a @ b, rtol=1e-12, atol=1e-12)
            except Exception as e:
                errors.append(repr(e))
        ts = [threading.Thread(target=work, args=(s,)) for s in range(6)]
        for t in ts: t.start()
        for t in ts: t.join()
        print("errors", errors)
    """)
    assert "errors []" in out


def test_set_num_threads_churn_while_threads_compute():
    out = run("""
        stop = False
        def churn():
            k = 0
            while not stop:
                torch.set_num_threads(1 + k % 3)
                k += 1
        errors = []
        def work():
            x = torch.ones(1 << 19)
            try:
                for _ in range(40):
                    assert (x + x).sum().item() == 2 * (1 << 19)
                    assert (x.view(512, 1024) @ torch.ones(1024, 4)).sum().item() == 4 * (1 << 19)
            except Exception as e:
                errors.append(repr(e))
        c = threading.Thread(target=churn); c.start()
        ws = [threading.Thread(target=work) for _ in range(3)]
        for w in ws: w.start()
        for w in ws: w.join()
        stop = True; c.join()
        print("errors", errors)
    """)
    assert "errors []" in out


def test_shared_leaf_backward_from_threads():
    # Gradients accumulate into one leaf from several threads: the total is exact.
    out = run("""
        w = torch.ones(4, requires_grad=True)
        def work():
            for _ in range(50):
                (w * 2).sum().backward()
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts: t.start()
        for t in ts: t.join()
        print(w.grad.tolist())
    """)
    assert "[400.0, 400.0, 400.0, 400.0]" in out


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_fork_after_the_pool_ran():
    out = run("""
        x = torch.ones(1 << 20)
        assert (x + x).sum().item() == 2 << 20        # the pool's helpers have run
        pids = []
        for _ in range(4):
            pid = os.fork()
            if pid == 0:
                try:
                    y = torch.arange(1 << 20, dtype=torch.float64)
                    ok = (y + y).sum().item() == float((1 << 20) * ((1 << 20) - 1))
                    ok = ok and (torch.ones(300, 300) @ torch.ones(300, 300)).sum().item() == 300.0 ** 3
                    os._exit(0 if ok else 3)
                except BaseException:
                    os._exit(4)
            pids.append(pid)
        codes = [os.waitpid(p, 0)[1] for p in pids]
        print("codes", codes)
    """)
    assert "codes [0, 0, 0, 0]" in out


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_fork_while_another_thread_computes():
    out = run("""
        stop = False
        def busy():
            x = torch.ones(1 << 20)
            while not stop:
                (x * 3).sum()
        t = threading.Thread(target=busy); t.start()
        codes = []
        for _ in range(10):
            pid = os.fork()
            if pid == 0:
                ok = (torch.ones(1 << 20) + 1).sum().item() == 2 << 20
                os._exit(0 if ok else 3)
            codes.append(os.waitpid(pid, 0)[1])
        stop = True; t.join()
        print("codes", codes)
    """)
    assert "codes [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" in out


def test_racing_writes_corrupt_only_the_tensor():
    # A data race the user made: values are unspecified, but the process, the
    # allocator and the refcounts must survive, and other tensors stay exact.
    out = run("""
        x = torch.zeros(1 << 18)
        other = torch.arange(10.)
        def writer(v):
            for _ in range(200):
                x.fill_(v)
                x.add_(1)
        ts = [threading.Thread(target=writer, args=(v,)) for v in range(4)]
        for t in ts: t.start()
        for t in ts: t.join()
        assert other.tolist() == [float(i) for i in range(10)]
        del x
        import gc; gc.collect()
        print("alive", torch.ones(3).sum().item())
    """)
    assert "alive 3.0" in out


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_fork_while_another_thread_draws_random_numbers():
    # The default generator's lock is held across fork (NOTE [Fork safety]).
    out = run("""
        stop = False
        def busy():
            while not stop:
                torch.rand(1 << 18)
        t = threading.Thread(target=busy); t.start()
        codes = []
        for _ in range(10):
            pid = os.fork()
            if pid == 0:
                ok = torch.rand(1000).sum().item() > 0 and torch.randn(3).shape == (3,)
                os._exit(0 if ok else 3)
            codes.append(os.waitpid(pid, 0)[1])
        stop = True; t.join()
        print("codes", codes)
    """)
    assert "codes [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]" in out
