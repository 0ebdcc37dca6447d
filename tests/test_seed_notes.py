"""Every snippet of the user's study notes, section 二.数据操作 (1-6), run with
``import rtensor as torch``.

Source: shared/seed/000_3165d71b38cb8763.txt.  Expected values, shapes,
dtypes and memory sharing are what PyTorch gives, worked out by hand (or by
NumPy from the inputs).  Section 三 (autograd) is not covered here.
"""

import io
from contextlib import redirect_stdout

import numpy as np
import pytest

import rtensor as torch


def values(t, dtype=None):
    return np.array(t.tolist(), dtype=dtype).reshape(tuple(t.shape))


def printed(*objs):
    buf = io.StringIO()
    with redirect_stdout(buf):
        print(*objs)
    return buf.getvalue()


# --------------------------------------------------------------------------- 1. 创建Tensor


def test_1_create_empty():
    x = torch.empty(5, 3)
    assert x.shape == (5, 3)
    assert x.dtype == torch.float32
    assert printed(x).startswith("tensor(")


def test_1_create_rand():
    x = torch.rand(5, 3)
    assert x.shape == (5, 3) and x.dtype == torch.float32
    v = values(x)
    assert (v >= 0).all() and (v < 1).all()


def test_1_create_zeros_long():
    x = torch.zeros(5, 3, dtype=torch.long)
    assert x.dtype == torch.int64
    assert x.tolist() == [[0, 0, 0]] * 5
    assert printed(x) == (
        "tensor([[0, 0, 0],\n"
        "        [0, 0, 0],\n"
        "        [0, 0, 0],\n"
        "        [0, 0, 0],\n"
        "        [0, 0, 0]])\n"
    )


def test_1_create_from_data():
    x = torch.tensor([5.5, 3])
    assert x.dtype == torch.float32
    assert x.shape == (2,)
    assert x.tolist() == [5.5, 3.0]
    assert printed(x) == "tensor([5.5000, 3.0000])\n"


def test_1_create_from_existing():
    x = torch.tensor([5.5, 3])
    x = x.new_ones(5, 3, dtype=torch.float64)  # 返回的tensor默认具有相同的torch.dtype和torch.device
    assert x.dtype == torch.float64
    assert x.device == torch.device("cpu")
    assert x.tolist() == [[1.0, 1.0, 1.0]] * 5
    assert printed(x) == (
        "tensor([[1., 1., 1.],\n"
        "        [1., 1., 1.],\n"
        "        [1., 1., 1.],\n"
        "        [1., 1., 1.],\n"
        "        [1., 1., 1.]], dtype=rtensor.float64)\n"
    )
    x = torch.randn_like(x, dtype=torch.float)  # 指定新的数据类型
    assert x.dtype == torch.float32
    assert x.shape == (5, 3)


def test_1_shape_and_size():
    x = torch.randn_like(torch.ones(5, 3, dtype=torch.float64), dtype=torch.float)
    assert printed(x.size()) == "rtensor.Size([5, 3])\n"
    assert printed(x.shape) == "rtensor.Size([5, 3])\n"
    # 返回的torch.Size其实就是一个tuple, 支持所有tuple的操作
    s = x.size()
    assert isinstance(s, tuple)
    rows, cols = s
    assert (rows, cols) == (5, 3)
    assert s[0] == 5 and s[-1] == 3 and len(s) == 2
    assert s == (5, 3) and tuple(s) == (5, 3)
    assert s.index(3) == 1 and s.count(5) == 1
    assert 3 in s
    assert max(s) == 5 and sum(s) == 8


# --------------------------------------------------------------------------- 2. 算术操作


@pytest.fixture
def xy():
    torch.manual_seed(0)
    x = torch.randn_like(torch.ones(5, 3, dtype=torch.float64), dtype=torch.float)
    y = torch.rand(5, 3)
    return x, y


def test_2_add_forms(xy):
    x, y = xy
    xv, yv = values(x, np.float32), values(y, np.float32)
    expected = xv + yv
    r = torch.add(x, y)
    assert r.dtype == torch.float32 and r.shape == (5, 3)
    np.testing.assert_allclose(values(r), expected, rtol=1e-6)
    np.testing.assert_allclose(values(x + y), expected, rtol=1e-6)
    # inputs untouched
    np.testing.assert_array_equal(values(x, np.float32), xv)
    np.testing.assert_array_equal(values(y, np.float32), yv)


def test_2_add_inplace(xy):
    x, y = xy
    expected = values(x, np.float32) + values(y, np.float32)
    ptr, ident = y.data_ptr(), id(y)
    out = y.add_(x)  # adds x to y
    assert out is y
    assert id(y) == ident and y.data_ptr() == ptr
    np.testing.assert_allclose(values(y), expected, rtol=1e-6)


def test_2_add_out(xy):
    x, y = xy
    expected = values(x, np.float32) + values(y, np.float32)
    result = torch.empty(5, 3)
    ptr = result.data_ptr()
    r = torch.add(x, y, out=result)
    assert r is result
    assert result.data_ptr() == ptr
    np.testing.assert_allclose(values(result), expected, rtol=1e-6)


def test_2_indexing_shares_memory(xy):
    x, _ = xy
    before = values(x, np.float32)
    y = x[0, :]
    y += 1
    expected_row = before[0] + np.float32(1)
    np.testing.assert_allclose(values(y), expected_row, rtol=1e-6)
    np.testing.assert_allclose(values(x[0, :]), expected_row, rtol=1e-6)  # 源tensor也被改了
    np.testing.assert_array_equal(values(x, np.float32)[1:], before[1:])
    assert y.data_ptr() == x.data_ptr()


def test_2_view(xy):
    x, _ = xy
    y = x.view(15)
    z = x.view(-1, 5)  # -1所指的维度可以根据其他维度的值推出来
    assert x.size() == (5, 3) and y.size() == (15,) and z.size() == (3, 5)
    assert printed(x.size(), y.size(), z.size()) == "rtensor.Size([5, 3]) rtensor.Size([15]) rtensor.Size([3, 5])\n"
    # view 与源 Tensor 共享 data
    flat = values(x, np.float32).reshape(-1)
    np.testing.assert_array_equal(values(y, np.float32), flat)
    np.testing.assert_array_equal(values(z, np.float32), flat.reshape(3, 5))
    y[4] = 100.0
    assert x[1, 1].item() == 100.0 and z[0, 4].item() == 100.0
    x[4, 2] = -100.0
    assert y[14].item() == -100.0 and z[2, 4].item() == -100.0
    assert id(y) != id(x)  # 二者id（内存地址）并不一致


def test_2_clone_then_view(xy):
    x, _ = xy
    before = values(x, np.float32)
    x_cp = x.clone().view(15)
    x -= 1
    np.testing.assert_allclose(values(x), before - np.float32(1), rtol=1e-6)
    np.testing.assert_array_equal(values(x_cp, np.float32), before.reshape(15))
    assert x_cp.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


def test_2_item():
    x = torch.randn(1)
    assert x.shape == (1,)
    v = x.item()
    assert type(v) is float
    assert v == x.tolist()[0]
    assert torch.tensor([2.5]).item() == 2.5
    assert printed(torch.tensor([2.5])) == "tensor([2.5000])\n"


# --------------------------------------------------------------------------- 3. 广播机制


def test_3_broadcasting():
    x = torch.arange(1, 3).view(1, 2)
    assert x.tolist() == [[1, 2]]
    assert printed(x) == "tensor([[1, 2]])\n"
    y = torch.arange(1, 4).view(3, 1)
    assert y.tolist() == [[1], [2], [3]]
    assert printed(y) == "tensor([[1],\n        [2],\n        [3]])\n"
    z = x + y
    assert z.shape == (3, 2)
    assert z.dtype == torch.int64
    assert z.tolist() == [[2, 3], [3, 4], [4, 5]]
    assert printed(z) == "tensor([[2, 3],\n        [3, 4],\n        [4, 5]])\n"


# --------------------------------------------------------------------------- 4. 运算的内存开销


def test_4_new_result_gets_new_id():
    x = torch.tensor([1, 2])
    y = torch.tensor([3, 4])
    id_before = id(y)
    y = y + x
    assert (id(y) == id_before) is False
    assert y.tolist() == [4, 6]


def test_4_slice_assignment_keeps_id():
    x = torch.tensor([1, 2])
    y = torch.tensor([3, 4])
    id_before = id(y)
    ptr_before = y.data_ptr()
    y[:] = y + x
    assert (id(y) == id_before) is True
    assert y.data_ptr() == ptr_before
    assert y.tolist() == [4, 6]

    id_before = id(y)
    torch.add(x, y, out=y)  # y += x, y.add_(x)
    assert (id(y) == id_before) is True
    assert y.data_ptr() == ptr_before
    assert y.tolist() == [5, 8]

    y += x
    assert id(y) == id_before and y.data_ptr() == ptr_before
    assert y.tolist() == [6, 10]
    y.add_(x)
    assert id(y) == id_before and y.data_ptr() == ptr_before
    assert y.tolist() == [7, 12]


def test_4_view_has_its_own_id():
    x = torch.tensor([1, 2, 3, 4])
    v = x.view(2, 2)
    assert id(v) != id(x)
    assert v.data_ptr() == x.data_ptr()


# --------------------------------------------------------------------------- 5. Tensor和NumPy相互转换


def test_5_numpy():
    a = torch.ones(5)
    b = a.numpy()
    assert printed(a, b) == "tensor([1., 1., 1., 1., 1.]) [1. 1. 1. 1. 1.]\n"
    a += 1
    assert printed(a, b) == "tensor([2., 2., 2., 2., 2.]) [2. 2. 2. 2. 2.]\n"
    b += 1
    assert printed(a, b) == "tensor([3., 3., 3., 3., 3.]) [3. 3. 3. 3. 3.]\n"
    assert b.dtype == np.float32


def test_5_from_numpy_and_tensor():
    a = np.ones(5)
    b = torch.from_numpy(a)
    assert printed(a, b) == "[1. 1. 1. 1. 1.] tensor([1., 1., 1., 1., 1.], dtype=rtensor.float64)\n"
    a += 1
    assert printed(a, b) == "[2. 2. 2. 2. 2.] tensor([2., 2., 2., 2., 2.], dtype=rtensor.float64)\n"
    b += 1
    assert printed(a, b) == "[3. 3. 3. 3. 3.] tensor([3., 3., 3., 3., 3.], dtype=rtensor.float64)\n"

    c = torch.tensor(a)  # 总是会进行数据拷贝
    a += 1
    assert printed(a, c) == "[4. 4. 4. 4. 4.] tensor([3., 3., 3., 3., 3.], dtype=rtensor.float64)\n"
    assert c.dtype == torch.float64


# --------------------------------------------------------------------------- 6. Tensor on GPU


def test_6_gpu_block_runs_where_a_gpu_is():
    x = torch.tensor([1.0, 2.0])
    if not torch.cuda.is_available():
        pytest.skip("no wgpu adapter: the block is skipped, as in the notes; tests/test_gpu.py says how to get one")
    # 以下代码只有在PyTorch GPU版本上才会执行
    out = ""
    if torch.cuda.is_available():
        device = torch.device("cuda")  # GPU
        y = torch.ones_like(x, device=device)  # 直接创建一个在GPU上的Tensor
        x = x.to(device)  # 等价于 .to("cuda")
        z = x + y
        out += printed(z)
        out += printed(z.to("cpu", torch.double))  # to()还可以同时更改数据类型
    assert out == "tensor([2., 3.], device='cuda:0')\ntensor([2., 3.], dtype=rtensor.float64)\n"


def test_6_gpu_block_body_on_cpu_device():
    # The same body with the CPU as device: values and dtypes as PyTorch gives them.
    x = torch.tensor([1.0, 2.0])
    device = torch.device("cpu")
    y = torch.ones_like(x, device=device)
    x = x.to(device)
    z = x + y
    assert printed(z) == "tensor([2., 3.])\n"
    w = z.to("cpu", torch.double)
    assert w.dtype == torch.float64
    assert w.tolist() == [2.0, 3.0]
    assert printed(w) == "tensor([2., 3.], dtype=rtensor.float64)\n"
