"""`rtensor.Size`: the shape of a tensor, a tuple subclass like `torch.Size`."""


class Size(tuple):
    """A tuple of ints, printed as ``rtensor.Size([5, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, d in enumerate(sizes):
            if type(d) is not int:  # the common case costs one check per dim
                if isinstance(d, bool) or not hasattr(type(d), "__index__"):
                    raise TypeError(f"rtensor.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(d).__name__}')")
                sizes = sizes[:i] + (d.__index__(),) + sizes[i + 1:]
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"rtensor.Size({list(self)!r})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __reduce__(self):
        return (Size, (tuple(self),))
