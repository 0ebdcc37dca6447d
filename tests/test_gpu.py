"""The GPU device (wgpu, spelled "cuda"): device semantics, errors, and every op
family on the GPU against the CPU backend (the oracle), on small shapes so that
lavapipe (Mesa's software Vulkan) runs them in seconds.

Without an adapter every test here skips with one line saying why and how to get
lavapipe; with RTENSOR_GPU_TESTS_REQUIRED=1 (CI, where .ci/run installs it) a skip
is a failure instead.
"""
from __future__ import annotations

import math
import os
import pathlib
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rtensor as torch

_REASON = torch.wgpu.unavailable_reason()
if _REASON is not None:
    if os.environ.get("RTENSOR_GPU_TESTS_REQUIRED") == "1":
        raise RuntimeError(f"RTENSOR_GPU_TESTS_REQUIRED=1 but no GPU: {_REASON}")
    pytest.skip(f"no wgpu adapter ({_REASON}); `apt-get install mesa-vulkan-drivers` and "
                "RTENSOR_WGPU_ALLOW_SOFTWARE=1 give the lavapipe software GPU", allow_module_level=True)

GPU = torch.device("cuda")
SMALL = settings(max_examples=15, deadline=None)


def same(gpu_result, cpu_result, rtol=1e-5, atol=1e-6):
    """`gpu_result` lives on the GPU and has the CPU backend's values, dtype and shape."""
    assert gpu_result.device.type == "cuda", gpu_result.device
    assert gpu_result.dtype == cpu_result.dtype
    if cpu_result.dtype == torch.bfloat16:  # NumPy has no bfloat16; float32 holds it exactly
        gpu_result, cpu_result = gpu_result.float(), cpu_result.float()
    g, c = gpu_result.cpu().numpy(), cpu_result.numpy()
    assert g.shape == c.shape
    if g.dtype.kind == "f":
        np.testing.assert_allclose(g, c, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(g, c)


# ---- devices as a PyTorch user sees them ------------------------------------------------

def test_device_names_and_aliases():
    for spelling in ("cuda", "wgpu", "gpu"):
        assert torch.device(spelling).type == "cuda"
    assert str(torch.device("gpu:0")) == "cuda:0"
    x = torch.ones(2, 3).to("cuda")
    assert x.device == torch.device("cuda", 0) and x.is_cuda and not x.is_cpu
    assert x.device.type == "cuda" and x.get_device() == 0
    assert torch.ones(2, device="wgpu").is_cuda


def test_d2l_try_gpu_idiom():
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert device.type == "cuda"
    x = torch.arange(6.0, device=device).reshape(2, 3)
    assert (x @ x.T).cpu().tolist() == [[5.0, 14.0], [14.0, 50.0]]


def test_repr_names_the_device():
    assert repr(torch.tensor([1.0, 2.0], device="cuda")) == "tensor([1., 2.], device='cuda:0')"
    x = torch.tensor([1.0], device="cuda", requires_grad=True)
    assert repr(x * 2) == "tensor([2.], device='cuda:0', grad_fn=<MulBackward0>)"


def test_round_trip_and_host_reads():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = torch.from_numpy(a).cuda()
    assert x.cpu().numpy().tolist() == a.tolist()
    assert x.tolist() == a.tolist()
    assert x[1, 2].item() == 6.0
    assert bool(x[0, 1]) is True
    assert x.sum().item() == 66.0


def test_numpy_on_gpu_is_pytorchs_type_error():
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu\(\)"):
        torch.ones(2, device="cuda").numpy()


def test_mixing_devices_is_pytorchs_error():
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        torch.ones(2, device="cuda") + torch.ones(2)
    # 0-d CPU tensors and Python numbers go along, as in PyTorch.
    same(torch.ones(2, device="cuda") + torch.tensor(2.0), torch.ones(2) + 2.0)
    same(torch.ones(2, device="cuda") * 3, torch.ones(2) * 3)


def test_missing_device_index_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"invalid device ordinal 7|wgpu"):
        torch.zeros(1, device="cuda:7")


def test_creation_on_the_device():
    torch.manual_seed(0)
    cpu = torch.rand(5)
    torch.manual_seed(0)
    same(torch.rand(5, device="cuda"), cpu)  # one generator: the same numbers on both devices
    same(torch.zeros(2, 3, device="cuda"), torch.zeros(2, 3))
    same(torch.full((2,), 7, device="cuda"), torch.full((2,), 7))
    same(torch.eye(3, device="cuda"), torch.eye(3))
    same(torch.linspace(0, 1, 5, device="cuda"), torch.linspace(0, 1, 5))
    same(torch.tensor([[1, 2]], device="cuda"), torch.tensor([[1, 2]]))
    same(torch.ones(3, dtype=torch.int32, device="cuda"), torch.ones(3, dtype=torch.int32))


def test_to_with_copy_and_dtype():
    x = torch.ones(2, device="cuda")
    assert x.to("cuda") is x
    assert x.to("cuda", copy=True) is not x
    y = x.to("cpu", torch.float64)
    assert y.device.type == "cpu" and y.dtype == torch.float64
    z = torch.ones(2).to(torch.device("cuda:0"), dtype=torch.int32)
    assert z.is_cuda and z.dtype == torch.int32
    assert torch.ones(2).type("torch.cuda.FloatTensor").is_cuda


def test_cuda_module():
    assert torch.cuda.is_available() and torch.cuda.device_count() >= 1
    assert torch.cuda.current_device() == 0
    assert torch.cuda.get_device_name(0) == torch.wgpu.adapters()[0]["name"]
    props = torch.cuda.get_device_properties(0)
    assert props.backend in ("Vulkan", "Metal", "Dx12") and props.limits["max_buffer_size"] > 0
    assert props.dtypes["float32"] == "native" and props.dtypes["bool"] == "widened"
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    x = torch.empty(1 << 20, device="cuda")
    assert torch.cuda.memory_allocated() >= before + 4 * (1 << 20)
    assert torch.cuda.max_memory_allocated() >= torch.cuda.memory_allocated()
    del x
    torch.cuda.empty_cache()
    assert torch.cuda.memory_allocated() == before


def test_wgpu_version_matches_the_lock_file():
    lock = (pathlib.Path(__file__).parents[1] / "Cargo.lock").read_text()
    m = re.search(r'name = "wgpu"\nversion = "([^"]+)"', lock)
    assert m and torch.version.wgpu == m.group(1)


# ---- ops against the CPU backend --------------------------------------------------------

def _views(a):
    """`a` and non-contiguous views of it: transpose, step, negative step, expand."""
    yield a
    if a.dim() >= 2:
        yield a.t()
        yield a[::2, ::-1]
    if a.dim() >= 1 and a.shape[0] > 0:
        yield a.flip(0)
        yield a[:1].expand(3, *a.shape[1:])


UNARY = [r["name"] for r in torch._C.op_table() if r["family"] == "unary"]
BINARY = [r["name"] for r in torch._C.op_table() if r["family"] == "binary"]
# No WGSL yet (docs/gpu.md, Known gaps): these raise NotImplementedError on the GPU.
NO_KERNEL = {"log1p", "expm1", "logaddexp"}
# Vulkan's GLSL.std.450 builtins are loose for these (docs/gpu.md, Known gaps:
# lavapipe's asin is off by 4e-4); own WGSL would bring them to the CPU's ulps.
LOOSE = {"asin": 1e-3, "acos": 1e-3, "atan": 1e-3, "tan": 1e-3, "sinh": 1e-3, "cosh": 1e-3, "tanh": 1e-3}


@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_cpu(name):
    a = torch.linspace(-2.5, 2.5, 12).reshape(3, 4)
    if name in ("acosh",):
        a = a.abs() + 1
    if name in ("asin", "acos", "atanh"):
        a = a / 3
    if name in NO_KERNEL:
        with pytest.raises(NotImplementedError, match=name):
            getattr(a.cuda(), name)()
        return
    for v in _views(a):
        try:
            want = getattr(v, name)()
        except (RuntimeError, TypeError, NotImplementedError):
            continue
        same(getattr(v.cuda(), name)(), want, rtol=LOOSE.get(name, 3e-5), atol=3e-5)


@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_cpu_with_broadcasting(name):
    a = torch.linspace(-3, 3, 12).reshape(3, 4)
    b = torch.linspace(0.5, 2, 4)
    if name in NO_KERNEL:
        with pytest.raises(NotImplementedError, match=name):
            getattr(torch, name)(a.cuda(), b.cuda())
        return
    fn = getattr(torch, name)
    for x, y in ((a, b), (a.t(), b[:3].reshape(3, 1)), (a[::-1], b)):
        try:
            want = fn(x, y)
        except (RuntimeError, TypeError):
            continue
        same(fn(x.cuda(), y.cuda()), want, rtol=3e-5, atol=1e-5)


DTYPES = [torch.float32, torch.int32, torch.int64, torch.int16, torch.int8, torch.uint8, torch.bool,
          torch.float64, torch.float16, torch.bfloat16]


@pytest.mark.parametrize("dt", DTYPES, ids=str)
def test_every_dtype_round_trips_casts_and_adds(dt):
    a = torch.tensor([[0, 1, 2], [3, 100, 7]]).to(dt)
    g = a.cuda()
    same(g, a)
    same(g.t(), a.t())
    same(g.to(torch.float32), a.to(torch.float32))
    same(torch.float32 and (g + g), a + a)
    same(g == g.flip(1), a == a.flip(1))


@SMALL
@given(st.integers(0, 3), st.integers(0, 4), st.sampled_from(["sum", "mean", "amax", "prod"]),
       st.booleans())
def test_reductions_match_cpu(n, m, red, keepdim):
    a = torch.arange(float(n * m)).reshape(n, m) / 7 - 0.5
    for dim in (None, 0, 1):
        if dim is None:
            if red == "amax" and a.numel() == 0:
                continue
            same(getattr(a.cuda(), red)(), getattr(a, red)(), rtol=1e-5)
        else:
            if red == "amax" and a.shape[dim] == 0:
                continue
            same(getattr(a.cuda(), red)(dim, keepdim=keepdim), getattr(a, red)(dim, keepdim=keepdim), rtol=1e-5)


def test_arg_reductions_scans_and_matmul_match_cpu():
    torch.manual_seed(3)
    a = torch.randn(4, 5)
    g = a.cuda()
    same(g.argmax(1), a.argmax(1))
    v, i = g.max(0)
    vc, ic = a.max(0)
    same(v, vc), same(i, ic)
    same(g.cumsum(1), a.cumsum(1))
    b = torch.randn(5, 3)
    same(g @ b.cuda(), a @ b, rtol=1e-5)
    same(g.t() @ g, a.t() @ a, rtol=1e-5)
    batch = torch.randn(2, 3, 4)
    same(batch.cuda() @ g, batch @ a, rtol=1e-5)


def test_indexing_and_setitem_match_cpu():
    a = torch.arange(20.0).reshape(4, 5)
    g = a.cuda()
    same(g[1], a[1])
    same(g[:, 1:4:2], a[:, 1:4:2])
    idx = torch.tensor([3, 0, 3])
    same(g[idx.cuda()], a[idx])
    same(g[g > 7], a[a > 7])
    same(g.masked_fill(g > 10, -1.0), a.masked_fill(a > 10, -1.0))
    h, c = g.clone(), a.clone()
    h[1:3, 0] = 9.0
    c[1:3, 0] = 9.0
    same(h, c)
    same(torch.cat([g, g[:1]]), torch.cat([a, a[:1]]))
    same(torch.stack([g[0], g[1]]), torch.stack([a[0], a[1]]))


def test_views_share_memory_on_the_device():
    g = torch.zeros(3, 4, device="cuda")
    v = g[1]
    v.add_(5)
    assert g.cpu()[1].tolist() == [5.0] * 4
    assert g.t().data_ptr() == g.data_ptr() and g.data_ptr() != torch.zeros(1).data_ptr()


# ---- autograd ---------------------------------------------------------------------------

def test_gradients_land_on_the_parameters_device():
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], device="cuda", requires_grad=True)
    x = torch.tensor([[1.0, 2.0]], device="cuda")
    loss = ((x @ w).relu() ** 2).sum()
    loss.backward()
    assert w.grad.is_cuda
    wc = w.detach().cpu().requires_grad_()
    ((x.cpu() @ wc).relu() ** 2).sum().backward()
    same(w.grad, wc.grad)


def test_to_device_is_differentiable():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device.type == "cpu" and x.grad.tolist() == [2.0, 4.0, 6.0]


def test_softmax_regression_trains_the_same_on_both_devices():
    torch.manual_seed(0)
    X = torch.randn(64, 4)
    y = (X[:, 0] + X[:, 1] > 0).long()

    def train(device):
        torch.manual_seed(1)
        W = torch.normal(0, 0.01, size=(4, 2)).to(device).requires_grad_()
        b = torch.zeros(2, device=device, requires_grad=True)
        Xd, yd = X.to(device), y.to(device)
        for _ in range(20):
            z = Xd @ W + b
            p = z.exp() / z.exp().sum(1, keepdim=True)
            loss = -p[torch.arange(64, device=device), yd].log().mean()
            loss.backward()
            with torch.no_grad():
                W -= 0.5 * W.grad
                b -= 0.5 * b.grad
                W.grad.zero_()
                b.grad.zero_()
        return loss.item(), (z.argmax(1) == yd).float().mean().item()

    (lc, ac), (lg, ag) = train("cpu"), train("cuda")
    assert math.isclose(lc, lg, rel_tol=1e-4) and ac == ag and ac > 0.8
