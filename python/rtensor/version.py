"""`rtensor.version`, shaped like `torch.version`. There is no CUDA or HIP
underneath: the GPU backend is wgpu (Vulkan, Metal, DX12), reported as
``wgpu`` where a ROCm build of PyTorch reports ``hip``."""

from . import _C

__version__ = "0.1.0"
cuda = None
hip = None
wgpu = _C._wgpu_version
