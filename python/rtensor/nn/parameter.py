"""`nn.Parameter`: a tensor that is a leaf requiring grad, sharing its data."""

from .._C import Tensor


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        from .. import _C
        if data is None:
            data = _C.empty(0)
        self = Tensor.__new__(cls)
        self.data = data.detach()  # as PyTorch: a list or an array has no `detach` (AttributeError)
        if requires_grad:
            self.requires_grad_(True)
        return self

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __deepcopy__(self, memo):
        # As PyTorch's Parameter: a clone of the data, requires_grad kept, no .grad.
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.data.clone(), self.requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach().clone(), self.requires_grad))
