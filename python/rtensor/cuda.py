"""`rtensor.cuda`: PyTorch's name for the GPU, answered by the wgpu backend
(Vulkan, Metal, DX12: any vendor, no CUDA). Same functions as
``rtensor.wgpu``; see there for adapters and the environment variables."""

from .wgpu import (  # noqa: F401
    current_device, device_count, dtypes, empty_cache, get_device_name, get_device_properties, init,
    is_available, is_initialized, manual_seed, manual_seed_all, max_memory_allocated, memory_allocated,
    memory_cached, memory_reserved, reset_peak_memory_stats, set_device, synchronize,
)
