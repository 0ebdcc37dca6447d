"""No Rust panic reaches Python (NOTE [Guarded entry points] in rust/python/src/call.rs).

The core raises some errors by unwinding (NOTE [Errors that unwind]): a copy of a
huge expanded view, a kernel's scratch buffer. Whatever entry point reaches them,
the user must get the exception PyTorch raises (RuntimeError "can't allocate
memory"), never `pyo3_runtime.PanicException` (a BaseException that
`except Exception` misses) and never a crash.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

import rtensor as torch

SRC = pathlib.Path(__file__).resolve().parent.parent / "rust" / "python" / "src"


# ---- every entry point is written inside `guarded!` --------------------------------------

def _strip(code):
    """The source with comments, strings and char literals blanked (braces in them
    would confuse the brace matching below); offsets are kept."""
    out = list(code)
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i) + 2
        elif c == "r" and re.match(r'r#*"', code[i:i + 10]) and not code[i - 1].isalnum():
            hashes = re.match(r'r(#*)"', code[i:]).group(1)
            j = code.find('"' + hashes, i + len(hashes) + 2) + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while code[j] != '"':
                j += 2 if code[j] == "\\" else 1
            j += 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", code[i:i + 4]):
            j = i + len(re.match(r"'(\\.|[^\\'])'", code[i:i + 4]).group(0))
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _guarded_spans(code):
    spans = []
    for m in re.finditer(r"\bguarded!\s*\{", code):
        depth, k = 0, m.end() - 1
        while True:
            if code[k] == "{":
                depth += 1
            elif code[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        spans.append((m.start(), k))
    return spans


def test_every_entry_point_is_guarded():
    files = sorted(SRC.glob("*.rs"))
    assert files, f"no sources under {SRC}"
    unguarded, seen = [], 0
    for f in files:
        code = _strip(f.read_text())
        spans = _guarded_spans(code)
        for m in re.finditer(r"#\[\s*(pyfunction|pymethods)\b", code):
            seen += 1
            if not any(a < m.start() < b for a, b in spans):
                line = code.count("\n", 0, m.start()) + 1
                unguarded.append(f"{f.name}:{line}: #[{m.group(1)}] outside guarded! {{ }}")
    assert seen > 40
    assert not unguarded, "\n".join(unguarded)


# ---- unwinding errors through many entry points ----------------------------------------

# Each case runs in one child process limited to 8 GiB of address space, so every
# allocation of the huge tensors below fails at once. `x` is a 2**17 x 2**17 float32
# view of one element: copying it needs 64 GiB.
_CASES = {
    "clone": "x.clone()",
    "contiguous": "x.contiguous()",
    "t_contiguous": "x.t().contiguous()",
    "reshape_copy": "torch.zeros(2, 1).expand(2, 2**34).t().reshape(-1)",
    "flatten_copy": "torch.zeros(2, 1).expand(2, 2**34).t().flatten()",
    "tolist": "x.tolist()",
    "add_scalar": "x + 1",
    "add_tensor": "x + x",
    "radd": "1 + x",
    "neg": "-x",
    "exp": "x.exp()",
    "to_double": "x.double()",
    "to_dtype_copy": "x.to(torch.float32, copy=True)",
    "tensor_of_tensor": "torch.tensor(x)",
    "Tensor_of_tensor": "torch.Tensor(x)",
    "sum_dim": "x.unsqueeze(2).expand(2**17, 2**17, 2).sum(2)",
    "mean_dim": "x.unsqueeze(2).expand(2**17, 2**17, 2).mean(2)",
    "cat": "torch.cat([x, x])",
    "stack": "torch.stack([x, x])",
    "advanced_index": "x[torch.arange(2**17)]",
    "index_list": "x[[0, 1]].expand(2**17, 2, 2**17).clone()",
    "index_select": "x.index_select(0, torch.arange(2**17))",
    "masked_fill": "x.masked_fill(torch.tensor(True), 1.0)",
    "scatter": "x.scatter(0, torch.zeros(1, 1, dtype=torch.int64), 1.0)",
    "where": "torch.where(x > 0, x, x)",
    "clamp": "x.clamp(0, 1)",
    "lerp": "torch.lerp(x, x, 0.5)",
    "eq": "x == 0",
    "bf16_array": "np.asarray(torch.zeros(1, dtype=torch.bfloat16).expand(2**17, 2**17))",
    "new_tensor": "x.new_tensor(x)",
    "zeros_like": "torch.zeros_like(x)",
    "matmul": "x @ x",
    "backward": "(w.expand(2**17, 2**17) * 2).sum().backward()",
    "autograd_grad": "torch.autograd.grad((w.expand(2**17, 2**17) * 2).sum(), [w])",
    "grad_index_view": "w.expand(2**17, 2**17).narrow(0, 0, 5).sum().backward()",
    "hook": "hooked()",
}

_CHILD = textwrap.dedent(r"""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
    import numpy as np
    import rtensor as torch

    x = torch.zeros(1).expand(2**17, 2**17)
    w = torch.zeros(1, requires_grad=True)

    def hooked():
        v = torch.ones(2, requires_grad=True)
        v.register_hook(lambda g: g.expand(2**16, 2**16, 2).clone()[0, 0])
        (v * 2).sum().backward()

    results = {}
    for name, expr in json.loads(sys.argv[1]).items():
        print(name, flush=True)
        try:
            eval(expr)
            results[name] = ["no error", ""]
        except Exception as e:
            results[name] = [type(e).__name__, str(e)]
        except BaseException as e:  # PanicException
            results[name] = ["BaseException " + type(e).__name__, str(e)]
    print("RESULTS " + json.dumps(results), flush=True)
""")


@pytest.fixture(scope="module")
def unwinding_results():
    if sys.platform != "linux":
        pytest.skip("RLIMIT_AS is only reliable on Linux")
    p = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(_CASES)], capture_output=True, text=True,
                       timeout=600, env={**os.environ, "RTENSOR_NUM_THREADS": "2"})
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULTS ")]
    assert p.returncode == 0 and lines, (
        f"the child died (exit {p.returncode}) after case {p.stdout.splitlines()[-1:]}\n{p.stderr[-3000:]}")
    assert "panicked" not in p.stderr, p.stderr[-3000:]
    return json.loads(lines[0][len("RESULTS "):])


@pytest.mark.parametrize("case", sorted(_CASES))
def test_unwinding_error_is_a_runtime_error(unwinding_results, case):
    kind, msg = unwinding_results[case]
    assert kind == "RuntimeError", (kind, msg)
    assert "can't allocate memory" in msg, msg
    assert "internal error" not in msg and "panicked" not in msg, msg


# ---- user input that used to reach a Rust panic or `unwrap` in the binding ---------------

def test_stride_of_a_0d_tensor_is_an_index_error():
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        torch.tensor(1.0).stride(0)
    with pytest.raises(IndexError):
        torch.tensor(1.0).size(0)


def test_from_numpy_with_strides_past_the_address_space():
    np = pytest.importorskip("numpy")
    a = np.zeros(2)
    bad = np.lib.stride_tricks.as_strided(a, shape=(2**40, 2), strides=(2**40, 8))
    with pytest.raises(RuntimeError, match="spans more memory"):
        torch.from_numpy(bad)


def test_split_of_a_0d_tensor_raises_runtime_error():
    with pytest.raises(RuntimeError):
        torch.tensor(1.0).split(1)


# ---- out= over memory rtensor must not write (rtensor is stricter than PyTorch here) -----

def test_out_of_a_read_only_array_is_never_made_writable():
    """PyTorch writes through a read-only import; rtensor refuses (its memory may be a
    read-only mapping), and resizing never swaps in writable memory."""
    np = pytest.importorskip("numpy")
    n = np.zeros(2, dtype=np.float32)
    n.flags.writeable = False
    t = torch.from_numpy(n)
    with pytest.raises(RuntimeError):
        torch.add(torch.ones(3), 1, out=t[:0])
    with pytest.raises(RuntimeError):
        torch.add(torch.ones(1), 1, out=t[:0])
    assert n.tolist() == [0.0, 0.0]




def test_out_sharing_its_storage_is_not_grown_into_new_memory():
    """PyTorch grows a storage shared with other views; rtensor never swaps the memory
    of a tensor something else shares (NOTE [Resizing out=])."""
    base = torch.zeros(2)
    o = base[1:].resize_(0)
    with pytest.raises(RuntimeError, match="Trying to resize storage that is not resizable"):
        torch.add(torch.ones(5), 1, out=o)
    assert o.shape == (0,) and base.tolist() == [0.0, 0.0]


def test_C_binary_and_unary_check_out_requires_grad_themselves():
    w = torch.zeros(2, requires_grad=True)
    for call in (lambda: torch._C.binary("add", torch.ones(2), 1, w), lambda: torch._C.unary("exp", torch.ones(2), w)):
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            call()
    assert w.tolist() == [0.0, 0.0]


def test_C_backward_with_empty_inputs_raises():
    a = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        torch._C.backward([(a * 2).sum()], None, None, False, [])
    with pytest.raises(RuntimeError, match="got 1 tensors and 2 gradients"):
        torch._C.backward([(a * 2).sum()], [torch.tensor(1.0), torch.tensor(1.0)])
