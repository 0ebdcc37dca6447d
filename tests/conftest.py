"""pytest configuration: hypothesis profiles and import path for the shared helpers.

HYPOTHESIS_PROFILE=ci (default): 40 examples per property, no deadline.
HYPOTHESIS_PROFILE=dev: 10 examples per property, for quick local iterations.
HYPOTHESIS_PROFILE=thorough: 300 examples per property, for hunting rare failures.
"""
import os
import sys

from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

_common = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile("ci", max_examples=40, **_common)
settings.register_profile("dev", max_examples=10, **_common)
settings.register_profile("thorough", max_examples=300, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
