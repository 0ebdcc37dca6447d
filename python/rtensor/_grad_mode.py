"""Grad-mode context managers, usable as decorators too (`torch.no_grad()`)."""

import functools

from . import _C


class _GradMode:
    """Sets grad mode on entry and restores the previous mode on exit."""

    _mode = True

    def __new__(cls, orig_func=None):
        # `@torch.no_grad` without parentheses decorates the function directly.
        if callable(orig_func) and cls in (no_grad, enable_grad):
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func=None):
        pass

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return f(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops inside record no graph (used for parameter updates and evaluation)."""

    _mode = False


class enable_grad(_GradMode):
    """Re-enables recording inside a `no_grad` block."""

    _mode = True


class inference_mode(_GradMode):
    """Like `no_grad` (rtensor has no separate inference tensors)."""

    _mode = False

    def __init__(self, mode=True):
        self._mode = not mode

    def __call__(self, f):
        mode = self._mode

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with inference_mode(not mode):
                return f(*args, **kwargs)
        return wrapper


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` as a call, a context manager or a decorator."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._prev = _C.is_grad_enabled()
        self._mode = mode
        _C._set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, f):
        mode = self._mode
        _C._set_grad_enabled(self._prev)

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return f(*args, **kwargs)
        return wrapper


def is_grad_enabled():
    return _C.is_grad_enabled()
