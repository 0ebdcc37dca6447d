"""`rtensor.wgpu`: the GPU backend under its own name. rtensor's GPU device is
spelled ``"cuda"`` whatever the vendor (as ROCm builds of PyTorch do on AMD
GPUs), so ``rtensor.cuda`` is this module under PyTorch's name; here the same
functions sit beside what is really underneath: the wgpu adapters (Vulkan,
Metal, DX12) and their limits.

Software adapters (Mesa lavapipe, WARP, SwiftShader) are used only with
``RTENSOR_WGPU_ALLOW_SOFTWARE=1``; ``RTENSOR_WGPU_ADAPTER`` picks one adapter by
index or name substring. Device indices (``cuda:N``) are positions in
``adapters()``.
"""

from collections import namedtuple as _namedtuple

from . import _C

#: The wgpu version the core was built with (``rtensor.version.wgpu``).
version = _C._wgpu_version


def adapters():
    """Every visible adapter, in device-index order: a list of dicts with
    ``name``, ``backend`` (Vulkan/Metal/Dx12), ``device_type``
    (DiscreteGpu/IntegratedGpu/VirtualGpu/Cpu/Other), ``driver``,
    ``driver_info``, ``vendor``, ``device``, ``is_software``, ``limits`` and the
    shader features ``shader_f16``/``shader_f64``/``shader_int64``."""
    return _C._gpu_adapters()


def is_available():
    return _C._gpu_device_count() > 0


def device_count():
    return _C._gpu_device_count()


def unavailable_reason():
    """Why ``cuda:0`` cannot be used, with how to get an adapter; None if it can."""
    return _C._gpu_unavailable_reason()


_current = 0


def _index(device):
    """The device index of ``device`` (None, an int, a string or a device)."""
    if device is None:
        return _current
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    d = _C.device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return _current if d.index is None else d.index


def current_device():
    return _current


def set_device(device):
    global _current
    i = _index(device)
    _C._gpu_memory_stats(i)  # raises for a device that does not exist
    _current = i


def get_device_name(device=None):
    return _props(_index(device))["name"]


_Properties = _namedtuple(
    "_WgpuDeviceProperties",
    "name backend type driver driver_info vendor_id device_id is_software total_memory limits dtypes",
)


def _props(i):
    a = adapters()
    if not 0 <= i < len(a):
        _C._gpu_memory_stats(i)  # the runtime's error: what exists and how to get one
    return a[i]


def get_device_properties(device=None):
    """The adapter behind ``cuda:N``: wgpu backend, type, driver, limits and
    which dtypes are native, widened or unavailable (PyTorch reports HIP here
    on ROCm; rtensor reports wgpu). ``total_memory`` is the largest buffer the
    adapter allows (wgpu does not report memory size)."""
    i = _index(device)
    a = _props(i)
    return _Properties(a["name"], a["backend"], a["device_type"], a["driver"], a["driver_info"], a["vendor"],
                       a["device"], a["is_software"], a["limits"]["max_buffer_size"], a["limits"], dtypes(i))


def dtypes(device=None):
    """``{dtype name: "native" | "widened" | "unavailable: <why>"}`` for one device."""
    return _C._gpu_dtypes(_index(device))


def synchronize(device=None):
    """Waits until every op queued on the device has run."""
    _C._gpu_synchronize(_index(device))


def memory_allocated(device=None):
    return _C._gpu_memory_stats(_index(device))[0]


def max_memory_allocated(device=None):
    return _C._gpu_memory_stats(_index(device))[1]


def memory_reserved(device=None):
    a, _, cached = _C._gpu_memory_stats(_index(device))
    return a + cached


def memory_cached(device=None):
    return _C._gpu_memory_stats(_index(device))[2]


def reset_peak_memory_stats(device=None):
    _C._gpu_reset_peak(_index(device))


def empty_cache():
    """Frees the blocks the caching allocator keeps for reuse, on every device."""
    for i in range(device_count()):
        _C._gpu_empty_cache(i)


def manual_seed(seed):
    """Seeds the generator GPU random numbers are drawn from. They are drawn
    on the host and moved, so this is rtensor's one generator: the CPU and
    the GPU give the same numbers for one seed."""
    _C.manual_seed(seed)


def manual_seed_all(seed):
    manual_seed(seed)


def init():
    """Creates the device now rather than at its first use."""
    if is_available():
        _C._gpu_memory_stats(_current)


def is_initialized():
    return is_available()
