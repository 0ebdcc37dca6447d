"""`rtensor.nn`: for now `Parameter`; modules and losses are a later issue."""

from .parameter import Parameter  # noqa: F401
