"""rtensor: a PyTorch-shaped tensor library with a Rust core.

    import rtensor as torch

The compiled core is `rtensor._C`; this package adds the PyTorch-shaped face:
dtype aliases, `Size`, function forms of every op, and Tensor methods that are
not on a hot path."""


from . import _C
from ._C import (  # noqa: F401
    Generator, Tensor, can_cast, empty, eye, from_numpy, full, get_num_threads, initial_seed,
    linspace, ones, promote_types, rand, randint, randn, randperm, result_type,
    set_num_threads, zeros,
)
from ._C import tensor  # noqa: F401
from ._C import dtype, device  # noqa: F401
from ._size import Size
from . import _tensor  # noqa: F401  (installs Tensor methods)
from . import cuda, return_types, version, wgpu  # noqa: F401
from ._functions import *  # noqa: F401,F403
from ._functions import (  # noqa: F401
    arange, as_tensor, asarray, broadcast_shapes, broadcast_tensors, cat, clamp, clip, concat, concatenate,
    empty_like, full_like, get_default_dtype, hstack, is_floating_point, is_tensor, lerp, matmul,
    normal, ones_like, rand_like, randint_like, randn_like, seed, set_default_dtype, stack, vstack,
    where, zeros_like,
)
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: F401

_C._set_size_type(Size)

default_generator = _C.Generator._default()


def manual_seed(seed):
    """Seeds the default generator; returns it, as PyTorch does."""
    _C.manual_seed(seed)  # int(seed), as PyTorch: '3' and 1.5 are accepted
    return default_generator

# dtypes and PyTorch's aliases for them
bool = _C.bool
uint8 = _C.uint8
int8 = _C.int8
int16 = short = _C.int16
int32 = int = _C.int32
int64 = long = _C.int64
float16 = half = _C.float16
bfloat16 = _C.bfloat16
float32 = float = _C.float32
float64 = double = _C.float64


def _dtype_from_name(name):
    return getattr(_C, name)


from ._grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402,F401
from . import autograd, nn  # noqa: E402,F401

__version__ = "0.1.0"
