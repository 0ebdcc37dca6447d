"""`rtensor.cuda`: present so PyTorch code runs unchanged. rtensor's GPU backend
(wgpu: Vulkan, Metal, DX12) is a later release; until then nothing is available."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored: there is no GPU generator yet."""


def manual_seed_all(seed):
    """Accepted and ignored: there is no GPU generator yet."""
