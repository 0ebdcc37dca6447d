"""A tour of rtensor (`make demo`).

rtensor speaks PyTorch's tensor API, so this is plain PyTorch code: only the
import line differs.  Sections 1-6 follow the study notes 《动手学深度学习笔记
（PyTorch版）》, 二.数据操作, snippet by snippet; sections 7-10 show the rest of
the core library.  Read it top to bottom next to its output.
"""
import numpy as np

import rtensor as torch


def heading(title):
    print(f"\n{'=' * 10} {title} {'=' * 10}")


def note(text):
    print(f"-- {text}")


# --------------------------------------------------------------------------- #
heading("1. 创建Tensor / Creating tensors")

x = torch.empty(5, 3)  # 未初始化: uninitialised memory, contents are whatever was there
note("torch.empty(5, 3): uninitialised, only its shape is meaningful")
print(x.shape)

x = torch.rand(5, 3)  # uniform on [0, 1)
note("torch.rand(5, 3)")
print(x)

x = torch.zeros(5, 3, dtype=torch.long)
note("torch.zeros(5, 3, dtype=torch.long)")
print(x)

x = torch.tensor([5.5, 3])  # 直接根据数据创建: from data
note("torch.tensor([5.5, 3])")
print(x)

# From an existing tensor: new_* reuse its dtype and device unless told otherwise.
x = x.new_ones(5, 3, dtype=torch.float64)  # 返回的tensor默认具有相同的torch.dtype和torch.device
note("x.new_ones(5, 3, dtype=torch.float64)")
print(x)

x = torch.randn_like(x, dtype=torch.float)  # 指定新的数据类型
note("torch.randn_like(x, dtype=torch.float)")
print(x)

note("more factories: arange, linspace, eye, full")
print(torch.arange(0, 10, 2))
print(torch.linspace(0, 1, 5))
print(torch.eye(3))
print(torch.full((2, 3), 7.0))

heading("1b. shape, size(), dtype, device")
print(x.size())
print(x.shape)
# torch.Size 其实就是一个tuple: it supports every tuple operation.
rows, cols = x.size()
print("rows, cols =", rows, cols, "| size(1) =", x.size(1), "| is a tuple:", isinstance(x.size(), tuple))
print("dtype:", x.dtype, "| device:", x.device)
print("zeros(..., dtype=torch.long).dtype:", torch.zeros(2, dtype=torch.long).dtype)

# --------------------------------------------------------------------------- #
heading("2. 算术操作 / Arithmetic")

note("加法形式: x + y, torch.add(x, y), x.add(y) all return a new tensor")
y = torch.rand(5, 3)
print(x + y)
print(torch.add(x, y))
print(x.add(y))

note("加法形式、inplace: y.add_(x) (trailing underscore = in place)")
# adds x to y
y.add_(x)
print(y)

note("可指定输出: torch.add(x, y, out=result)")
result = torch.empty(5, 3)
torch.add(x, y, out=result)
print(result)

note("y += x is y.add_(x): same object, same memory")
id_before = id(y)
y += x
print(id(y) == id_before)  # True

heading("2b. 索引 / Indexing shares memory")
y = x[0, :]
y += 1
print(y)
print(x[0, :])  # 源tensor也被改了: the source tensor changed too

heading("2c. 改变形状 / view, clone, reshape")
y = x.view(15)
z = x.view(-1, 5)  # -1所指的维度可以根据其他维度的值推出来
print(x.size(), y.size(), z.size())

note("view shares data with x; clone() first for a real copy")
x_cp = x.clone().view(15)
x -= 1
print(x)
print(x_cp)

note("reshape: a view when it can be one, otherwise a copy (here: of a transpose)")
print(x.reshape(3, 5).shape, x.t().reshape(15).shape)

heading("2d. item(): a one-element tensor to a Python number")
x = torch.randn(1)
print(x)
print(x.item())

# --------------------------------------------------------------------------- #
heading("3. 广播机制 / Broadcasting")
x = torch.arange(1, 3).view(1, 2)
print(x)
y = torch.arange(1, 4).view(3, 1)
print(y)
print(x + y)  # (1, 2) + (3, 1) -> (3, 2)

# --------------------------------------------------------------------------- #
heading("4. 运算的内存开销 / Memory: which operations allocate")

note("y = y + x allocates a new tensor and rebinds y")
x = torch.tensor([1, 2])
y = torch.tensor([3, 4])
id_before = id(y)
y = y + x
print(id(y) == id_before)  # False

note("y[:] = y + x writes the result into y's memory")
x = torch.tensor([1, 2])
y = torch.tensor([3, 4])
id_before = id(y)
y[:] = y + x
print(id(y) == id_before)  # True

note("out= and the in-place forms keep y too")
id_before = id(y)
torch.add(x, y, out=y)  # y += x, y.add_(x)
print(id(y) == id_before)  # True
y += x
y.add_(x)
print(id(y) == id_before, y)  # True

# --------------------------------------------------------------------------- #
heading("5. Tensor和NumPy相互转换 / NumPy interop")

note("a.numpy() shares memory with the tensor")
a = torch.ones(5)
b = a.numpy()
print(a, b)

a += 1
print(a, b)
b += 1
print(a, b)

note("torch.from_numpy(a) shares memory with the array")
a = np.ones(5)
b = torch.from_numpy(a)
print(a, b)

a += 1
print(a, b)
b += 1
print(a, b)

note("torch.tensor(a) always copies")
c = torch.tensor(a)
a += 1
print(a, c)

note("a negative-stride array: PyTorch refuses it, rtensor shares it")
n = np.arange(6.)[::-1]
t = torch.from_numpy(n)  # PyTorch: ValueError (negative strides are not supported)
print("numpy strides (bytes):", n.strides, "| tensor stride (elements):", t.stride())
n[0] = 100.0
print(t)  # the tensor sees the write to the array
t[5] = -1.0
print(n)  # and the array sees the write to the tensor
print("t.numpy() is the same memory:", np.shares_memory(t.numpy(), n))

# --------------------------------------------------------------------------- #
heading("6. Tensor on GPU / devices")

# 以下代码只有在PyTorch GPU版本上才会执行 (runs only where a GPU is available)
if torch.cuda.is_available():
    device = torch.device("cuda")          # GPU
    y = torch.ones_like(x, device=device)  # 直接创建一个在GPU上的Tensor
    x = x.to(device)                       # 等价于 .to("cuda")
    z = x + y
    print(z)
    print(z.to("cpu", torch.double))       # to()还可以同时更改数据类型

print("torch.cuda.is_available():", torch.cuda.is_available())
note("the same code on the CPU")
device = torch.device("cpu")
y = torch.ones_like(x, device=device)
x = x.to(device)
z = x + y
print(z, z.device)
print(z.to("cpu", torch.double))  # to() can change device and dtype at once

# --------------------------------------------------------------------------- #
heading("7. Reductions")
x = torch.arange(12.0).view(3, 4)
print(x)
print(x.sum(), x.mean(), x.max())
print(x.sum(dim=0))
print(x.mean(dim=1, keepdim=True))
values, indices = x.max(dim=1)  # with dim: (values, indices)
print(values, indices)

# --------------------------------------------------------------------------- #
heading("8. matmul, cat, stack")
a = torch.arange(6.0).view(2, 3)
b = torch.ones(3, 2)
print(a @ b)
print(torch.matmul(a, a.t()))  # (2, 3) @ (3, 2) -> (2, 2)
print(torch.cat((a, a), dim=0).shape, torch.cat((a, a), dim=1).shape)
print(torch.stack((a, a)).shape)

# --------------------------------------------------------------------------- #
heading("9. Advanced indexing and boolean masks")
x = torch.arange(12).view(3, 4)
print(x)
print(x[[0, 2]])                                        # rows 0 and 2
print(x[:, [1, 3]])                                     # columns 1 and 3
print(x[torch.tensor([0, 2]), torch.tensor([1, 3])])    # elements (0, 1) and (2, 3)
note("unlike slicing, advanced indexing copies")
rows = x[[0, 2]]
rows += 100
print(x[0])  # unchanged
note("boolean masks select, and assign, elementwise")
mask = x > 5
print(mask)
print(x[mask])
x[mask] = 0
print(x)

# --------------------------------------------------------------------------- #
heading("10. Errors explain themselves")
try:
    torch.ones(2, 3) + torch.ones(4)
except Exception as e:  # PyTorch raises RuntimeError here
    print(f"{type(e).__name__}: {e}")

# --------------------------------------------------------------------------- #
heading("11. Autograd (三.自动求梯度 in the notes)")
x = torch.ones(2, 2, requires_grad=True)
print(x)
print(x.grad_fn)
y = x + 2
print(y)
print(y.grad_fn)
print(x.is_leaf, y.is_leaf)
z = y * y * 3
out = z.mean()
print(z, out)
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
out.backward()
print(x.grad)
out2 = x.sum()
out2.backward()
print(x.grad)          # gradients accumulate
out3 = x.sum()
x.grad.data.zero_()
out3.backward()
print(x.grad)
note("y.backward(w) is the vector-Jacobian product")
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = 2 * x
z = y.view(2, 2)
v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
z.backward(v)
print(x.grad)
note("the backward graph, as text")
print(torch.autograd.graph((x * x + 2).sum()))
note("a teaching error: an in-place op destroyed a value backward needs")
a = x.exp()
b = a.sin()
a.add_(1)
try:
    b.sum().backward()
except RuntimeError as e:
    print(f"RuntimeError: {e}")
note("training y = 2x - 3.4z + 4.2 from scratch")
torch.manual_seed(0)
features = torch.randn(1000, 2)
labels = features @ torch.tensor([2.0, -3.4]) + 4.2
w = torch.zeros(2, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
for epoch in range(3):
    for i in range(0, 1000, 10):
        X, Y = features[i:i + 10], labels[i:i + 10]
        loss = ((X @ w + bias - Y) ** 2 / 2).sum()
        loss.backward()
        with torch.no_grad():
            for p in (w, bias):
                p -= 0.03 * p.grad / 10
                p.grad.zero_()
print("w =", w.detach(), "b =", bias.detach())

print("\nEnd of the tour.")
