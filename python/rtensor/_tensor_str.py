"""PyTorch-compatible tensor printing (pure Python + numpy).

Reproduces the output of ``repr(torch_tensor)`` (torch/_tensor_str.py in
PyTorch 2.x) with the dtype prefix ``rtensor.`` instead of ``torch.``.

The Tensor class hands over a numpy array holding its values (bfloat16 as
float32, float16 as float16) together with the rtensor dtype name, and gets
the full ``tensor(...)`` string back from :func:`format_tensor`.
"""

import contextlib
import dataclasses
import math
from typing import Any, Dict, Optional

import numpy as np

__all__ = [
    "PRINT_OPTS",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]

FLOAT_DTYPES = ("float32", "float64", "float16", "bfloat16")
DTYPES = FLOAT_DTYPES + ("int64", "int32", "int16", "int8", "uint8", "bool")
DTYPE_PREFIX = "rtensor."


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: Optional[bool] = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing (same semantics as ``torch.set_printoptions``).

    ``profile`` ("default", "short" or "full") is applied first and the
    explicit options override it.  Like PyTorch, ``sci_mode`` is always reset
    (to ``None``, i.e. automatic, unless given).
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"Invalid profile: {profile}. the profile must be one of "
                "'default', 'short', 'full'"
            )
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> Dict[str, Any]:
    """Current print options, as a dict usable as ``set_printoptions(**d)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides the common width / notation for every element of a tensor."""

    def __init__(self, values, floating):
        # ``values``: numpy array of the (possibly summarised) data.
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        prec = PRINT_OPTS.precision

        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return

        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            # No valid number: int_mode, width 1 and sci_mode stays False
            # (PRINT_OPTS.sci_mode is deliberately not consulted here).
            return
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        absvals = np.abs(vals.astype(np.float64))
        vmin, vmax = float(absvals.min()), float(absvals.max())
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)

        for v in vals.tolist():
            if self.sci_mode:
                width = len(f"{v:.{prec}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1  # room for the trailing "."
            else:
                width = len(f"{v:.{prec}f}")
            self.max_width = max(self.max_width, width)

    def width(self):
        return self.max_width

    def format(self, value):
        prec = PRINT_OPTS.precision
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{prec}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{prec}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized_data(a):
    """The edge items of every dimension (what the user will see)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        # Python slicing on purpose: with edgeitems == 0, a[-0:] is everything.
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    rows = range(a.shape[0])
    if a.shape[0] > 2 * e:
        rows = list(range(e)) + list(range(a.shape[0] - e, a.shape[0]))
    return np.stack([_summarized_data(a[i]) for i in rows])


def _vector_str(a, indent, summarize, fmt):
    e = PRINT_OPTS.edgeitems
    # Each element takes its width plus ", ".
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width() + 2))))
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = (
            [fmt.format(v) for v in a[:e].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-e:].tolist()]
        )
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        slices = (
            [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(e)]
            + ["..."]
            + [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)]
        )
    else:
        slices = [_tensor_str_with_formatter(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _tensor_str(a, indent, dtype, summarize=None):
    """The bracketed body of the repr (no ``tensor(`` prefix, no suffixes)."""
    if a.size == 0:
        return "[]"
    if summarize is None:
        summarize = a.size > PRINT_OPTS.threshold
    floating = dtype in FLOAT_DTYPES
    if floating:
        # PyTorch formats half/bfloat16 via float(); float32 values are then
        # formatted as Python floats (doubles) through .tolist().
        a = a.astype(np.float64 if dtype == "float64" else np.float32, copy=False)
    elif dtype == "bool":
        a = a.astype(np.bool_)
    fmt = _Formatter(_summarized_data(a) if summarize else a, floating)
    return _tensor_str_with_formatter(a, indent, summarize, fmt)


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    # (sic) PyTorch's length estimate of the last line, kept for exactness.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    arr,
    *,
    dtype,
    device=None,
    suffixes=(),
    size_for_empty=None,
    default_dtype="float32",
    prefix="tensor(",
    shape=None,
    summarize=None,
):
    """Return exactly what PyTorch's ``repr(tensor)`` prints.

    Args:
        arr: numpy array with the tensor's values and shape (bfloat16 given as
            float32, float16 as float16).
        dtype: rtensor dtype name, e.g. "float32", "int64", "bool".
        device: device string to show (e.g. "cuda:0"), or None to show none.
            The caller decides when a device is shown (PyTorch shows it when
            it differs from the default device). Rendered as ``device='...'``
            before every other suffix, as in PyTorch.
        suffixes: further already-formatted suffixes, placed after the dtype
            (e.g. ``"grad_fn=<AddBackward0>"`` or ``"requires_grad=True"``).
        size_for_empty: shape to print for an empty tensor; defaults to
            ``arr.shape``.
        default_dtype: the current default floating dtype name.
        prefix: text before the data, ``"tensor("`` for plain tensors.
        shape: the tensor's shape when ``arr`` holds only its edge items (a
            huge tensor is cut down before it meets NumPy); also the shape
            printed for an empty tensor.
        summarize: True when ``arr`` was cut down that way (print "...");
            None decides by ``arr.size``.
    """
    if dtype not in DTYPES:
        raise ValueError(f"unsupported dtype for printing: {dtype!r}")
    arr = np.asarray(arr)
    indent = len(prefix)
    out = []
    if device is not None:
        out.append(f"device='{device}'")
    dtype_str = "dtype=" + DTYPE_PREFIX + dtype
    if arr.size == 0:
        if size_for_empty is None:
            size_for_empty = arr.shape if shape is None else shape
        shape = tuple(int(s) for s in size_for_empty)
        if len(shape) != 1:
            out.append("size=" + str(shape))
        # No element can tell the dtype, so anything but the default float
        # dtype (int64 and bool included) is shown.
        if dtype != default_dtype:
            out.append(dtype_str)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            out.append("size=" + str(tuple(int(s) for s in (arr.shape if shape is None else shape))))
        if dtype not in (default_dtype, "int64", "bool"):
            out.append(dtype_str)
        body = _tensor_str(arr, indent, dtype, summarize)
    out.extend(suffixes)
    return _add_suffixes(prefix + body, out, indent)
