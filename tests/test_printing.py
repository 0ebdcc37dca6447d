"""Tests for rtensor._tensor_str: PyTorch-identical tensor reprs.

The module is loaded straight from its file so that these tests run without
the compiled extension.  Expected strings come from PyTorch's own test_print
(test/test_torch.py) and docs where available, otherwise they were worked out
by hand from torch/_tensor_str.py's rules (with ``torch.`` -> ``rtensor.``).
"""

import importlib.util
import math
import pathlib

import numpy as np
import pytest

_PATH = pathlib.Path(__file__).resolve().parents[1] / "python" / "rtensor" / "_tensor_str.py"
_spec = importlib.util.spec_from_file_location("rtensor_tensor_str_under_test", _PATH)
ts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ts)

inf, nan = math.inf, math.nan


@pytest.fixture(autouse=True)
def _default_printoptions():
    ts.set_printoptions(profile="default")
    yield
    ts.set_printoptions(profile="default")


def fmt(values, dtype="float32", **kwargs):
    np_dtype = {"bfloat16": "float32", "bool": "bool"}.get(dtype, dtype)
    return ts.format_tensor(np.asarray(values, dtype=np_dtype), dtype=dtype, **kwargs)


# (values, dtype, expected) -- default print options
CASES = [
    # basics / every dtype
    ([1.0, 2.0, 3.0], "float32", "tensor([1., 2., 3.])"),
    (3.5, "float32", "tensor(3.5000)"),
    ([[1.0, 2.0], [3.0, 4.0]], "float32", "tensor([[1., 2.],\n        [3., 4.]])"),
    ([1.0, 2.0], "float64", "tensor([1., 2.], dtype=rtensor.float64)"),
    ([1.5, 2.25], "float16", "tensor([1.5000, 2.2500], dtype=rtensor.float16)"),
    ([0.1], "float16", "tensor([0.1000], dtype=rtensor.float16)"),
    ([1.5, 2.25], "bfloat16", "tensor([1.5000, 2.2500], dtype=rtensor.bfloat16)"),
    ([1, 2], "int64", "tensor([1, 2])"),
    ([1, -2], "int64", "tensor([ 1, -2])"),
    ([1, 1010], "int64", "tensor([   1, 1010])"),
    ([1000000000], "int64", "tensor([1000000000])"),
    (2341234123412341, "int64", "tensor(2341234123412341)"),
    ([1, 2], "int32", "tensor([1, 2], dtype=rtensor.int32)"),
    ([-3, 7], "int16", "tensor([-3,  7], dtype=rtensor.int16)"),
    ([255, 0], "uint8", "tensor([255,   0], dtype=rtensor.uint8)"),
    ([True], "bool", "tensor([True])"),
    ([True, False], "bool", "tensor([ True, False])"),
    (True, "bool", "tensor(True)"),
    # 0-d special values
    (0.0, "float32", "tensor(0.)"),
    (nan, "float32", "tensor(nan)"),
    (0.00002, "float32", "tensor(2.0000e-05)"),
    # negatives and mixed magnitudes
    ([-1.5, 2.25, -3.125], "float32", "tensor([-1.5000,  2.2500, -3.1250])"),
    ([-0.0, 1.0], "float32", "tensor([-0., 1.])"),
    ([0.5, 100.25], "float32", "tensor([  0.5000, 100.2500])"),
    ([1.0, 1000.0], "float32", "tensor([   1., 1000.])"),
    # scientific notation chosen automatically
    ([1e-5, 1e5], "float32", "tensor([1.0000e-05, 1.0000e+05])"),
    ([1e28, 1e-28], "float32", "tensor([1.0000e+28, 1.0000e-28])"),
    ([0.00002], "float32", "tensor([2.0000e-05])"),
    ([123456789.0], "float32", "tensor([1.2346e+08])"),
    ([0.01, 11], "float32", "tensor([1.0000e-02, 1.1000e+01])"),
    ([1.0, 1010.0], "float32", "tensor([1.0000e+00, 1.0100e+03])"),
    ([1e9, 1.0], "float32", "tensor([1.0000e+09, 1.0000e+00])"),
    # nan / inf
    ([4, inf, 1.5, -inf, 0, nan, 1], "float32",
     "tensor([4.0000,    inf, 1.5000,   -inf, 0.0000,    nan, 1.0000])"),
    ([nan, inf], "float32", "tensor([nan, inf])"),
    ([1.0, nan], "float32", "tensor([1., nan])"),
    ([1e-324, 1e-323, 1e-322, 1e307, 1e308, inf], "float64",
     "tensor([ 0.0000e+00, 9.8813e-324, 9.8813e-323, 1.0000e+307, 1.0000e+308,\n"
     "                inf], dtype=rtensor.float64)"),
    # empty tensors: dtype shown unless it is the default float dtype
    (np.zeros(0), "float32", "tensor([])"),
    (np.zeros(0), "float64", "tensor([], dtype=rtensor.float64)"),
    (np.zeros(0), "int64", "tensor([], dtype=rtensor.int64)"),
    (np.zeros(0), "bool", "tensor([], dtype=rtensor.bool)"),
    (np.zeros((0, 3)), "float32", "tensor([], size=(0, 3))"),
    (np.zeros((2, 0, 3)), "int32", "tensor([], size=(2, 0, 3), dtype=rtensor.int32)"),
    # nested 3-d
    (np.arange(8.0).reshape(2, 2, 2), "float32",
     "tensor([[[0., 1.],\n"
     "         [2., 3.]],\n"
     "\n"
     "        [[4., 5.],\n"
     "         [6., 7.]]])"),
    (np.arange(24).reshape(2, 3, 4) - 10, "int8",
     "tensor([[[-10,  -9,  -8,  -7],\n"
     "         [ -6,  -5,  -4,  -3],\n"
     "         [ -2,  -1,   0,   1]],\n"
     "\n"
     "        [[  2,   3,   4,   5],\n"
     "         [  6,   7,   8,   9],\n"
     "         [ 10,  11,  12,  13]]], dtype=rtensor.int8)"),
    # linewidth wrapping (80 columns)
    (np.arange(30) / 7, "float32",
     "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
     "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
     "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
     "        3.8571, 4.0000, 4.1429])"),
    (np.arange(40).reshape(2, 20) / 3, "float32",
     "tensor([[ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,\n"
     "          2.6667,  3.0000,  3.3333,  3.6667,  4.0000,  4.3333,  4.6667,  5.0000,\n"
     "          5.3333,  5.6667,  6.0000,  6.3333],\n"
     "        [ 6.6667,  7.0000,  7.3333,  7.6667,  8.0000,  8.3333,  8.6667,  9.0000,\n"
     "          9.3333,  9.6667, 10.0000, 10.3333, 10.6667, 11.0000, 11.3333, 11.6667,\n"
     "         12.0000, 12.3333, 12.6667, 13.0000]])"),
    # a suffix that no longer fits on the last line goes on its own line
    (np.arange(9) / 7, "float64",
     "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429],\n"
     "       dtype=rtensor.float64)"),
    # summarisation above threshold (1000 elements), 3 edge items
    (np.zeros(10000), "float32", "tensor([0., 0., 0.,  ..., 0., 0., 0.])"),
    (np.arange(2000), "int64", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (np.arange(10000.0).reshape(100, 100), "float32",
     "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,\n"
     "         9.9000e+01],\n"
     "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.9700e+02, 1.9800e+02,\n"
     "         1.9900e+02],\n"
     "        [2.0000e+02, 2.0100e+02, 2.0200e+02,  ..., 2.9700e+02, 2.9800e+02,\n"
     "         2.9900e+02],\n"
     "        ...,\n"
     "        [9.7000e+03, 9.7010e+03, 9.7020e+03,  ..., 9.7970e+03, 9.7980e+03,\n"
     "         9.7990e+03],\n"
     "        [9.8000e+03, 9.8010e+03, 9.8020e+03,  ..., 9.8970e+03, 9.8980e+03,\n"
     "         9.8990e+03],\n"
     "        [9.9000e+03, 9.9010e+03, 9.9020e+03,  ..., 9.9970e+03, 9.9980e+03,\n"
     "         9.9990e+03]])"),
    (np.ones((100, 100), dtype=np.int64) * 7, "int32",
     "tensor([[7, 7, 7,  ..., 7, 7, 7],\n"
     "        [7, 7, 7,  ..., 7, 7, 7],\n"
     "        [7, 7, 7,  ..., 7, 7, 7],\n"
     "        ...,\n"
     "        [7, 7, 7,  ..., 7, 7, 7],\n"
     "        [7, 7, 7,  ..., 7, 7, 7],\n"
     "        [7, 7, 7,  ..., 7, 7, 7]], dtype=rtensor.int32)"),
]


@pytest.mark.parametrize("values,dtype,expected", CASES)
def test_format(values, dtype, expected):
    assert fmt(values, dtype) == expected


def test_summarized_3d_from_pytorch_test_suite():
    rows = "[[1., 1., 1.,  ..., 1., 1., 1.],\n         [1., 1., 1.,  ..., 1., 1., 1.]]"
    slices = [rows] * 3 + ["..."] + [rows] * 3
    expected = "tensor([" + ",\n\n        ".join(slices) + "])"
    assert fmt(np.ones((100, 2, 10)), "float32") == expected


def test_sci_mode_option():
    ts.set_printoptions(sci_mode=True)
    assert fmt([1e2, 1e-2]) == "tensor([1.0000e+02, 1.0000e-02])"
    assert fmt([1.0, 2.0]) == "tensor([1.0000e+00, 2.0000e+00])"
    # no nonzero finite value: the formatter returns before consulting sci_mode
    assert fmt([0.0, 0.0]) == "tensor([0., 0.])"
    ts.set_printoptions(sci_mode=False)
    assert fmt([1e2, 1e-2]) == "tensor([100.0000,   0.0100])"
    assert fmt([1e-5, 1e5]) == "tensor([     0.0000, 100000.0000])"
    ts.set_printoptions(sci_mode=None)
    assert fmt([1e2, 1e-2]) == "tensor([1.0000e+02, 1.0000e-02])"


def test_precision_and_threshold_docs_examples():
    ts.set_printoptions(precision=2)
    assert fmt([1.12345]) == "tensor([1.12])"
    ts.set_printoptions(threshold=5)
    assert fmt(np.arange(10), "int64") == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    ts.set_printoptions(profile="default")
    assert fmt([1.12345]) == "tensor([1.1235])"
    assert fmt(np.arange(10), "int64") == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


def test_linewidth_option():
    ts.set_printoptions(linewidth=40)
    assert fmt(np.arange(12) * 11, "int64") == (
        "tensor([  0,  11,  22,  33,  44,  55,\n"
        "         66,  77,  88,  99, 110, 121])"
    )


def test_edgeitems_zero():
    ts.set_printoptions(threshold=5, edgeitems=0)
    assert fmt(np.arange(10), "int64") == "tensor([...], size=(10,))"
    assert fmt(np.ones((4, 4))) == "tensor([...], size=(4, 4))"


def test_profiles_and_get_printoptions():
    assert ts.get_printoptions() == {
        "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
    }
    ts.set_printoptions(profile="short")
    assert ts.get_printoptions() == {
        "precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80, "sci_mode": None,
    }
    assert fmt(np.arange(2000), "int64") == "tensor([   0,    1,  ..., 1998, 1999])"
    assert fmt([1.12345]) == "tensor([1.12])"
    ts.set_printoptions(profile="full")
    assert ts.get_printoptions()["threshold"] == math.inf
    full = fmt(np.arange(1001), "int64")
    assert "..." not in full and full.endswith("1000])")
    # explicit options override the profile; sci_mode is reset on every call
    ts.set_printoptions(sci_mode=True)
    ts.set_printoptions(profile="default", precision=6)
    assert ts.get_printoptions()["precision"] == 6
    assert ts.get_printoptions()["sci_mode"] is None
    with pytest.raises(ValueError):
        ts.set_printoptions(profile="bogus")


def test_printoptions_context_manager():
    with ts.printoptions(precision=1):
        assert fmt([1.25, 2.5]) == "tensor([1.2, 2.5])"
    assert fmt([1.25, 2.5]) == "tensor([1.2500, 2.5000])"


def test_suffix_order():
    assert fmt([123.0], suffixes=["requires_grad=True"]) == "tensor([123.], requires_grad=True)"
    assert fmt([2.0, 4.0], suffixes=["grad_fn=<MulBackward0>"]) == (
        "tensor([2., 4.], grad_fn=<MulBackward0>)"
    )
    assert fmt([123], "int64", device="cuda:0") == "tensor([123], device='cuda:0')"
    assert fmt([1.0, 2.0], "float64", device="cuda:0", suffixes=["requires_grad=True"]) == (
        "tensor([1., 2.], device='cuda:0', dtype=rtensor.float64, requires_grad=True)"
    )
    assert fmt(np.zeros((0, 2)), "int32", device="cuda:0", suffixes=["requires_grad=True"]) == (
        "tensor([], device='cuda:0', size=(0, 2), dtype=rtensor.int32,\n"
        "       requires_grad=True)"
    )


def test_default_dtype_float64():
    x = np.array([1e-324, 1e-323, 1e-322, 1e307, 1e308, inf])
    assert ts.format_tensor(x, dtype="float64", default_dtype="float64") == (
        "tensor([ 0.0000e+00, 9.8813e-324, 9.8813e-323, 1.0000e+307, 1.0000e+308,\n"
        "                inf])"
    )
    assert ts.format_tensor(np.array([1.0]), dtype="float32", default_dtype="float64") == (
        "tensor([1.], dtype=rtensor.float32)"
    )
