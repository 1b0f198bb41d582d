import importlib
import os

import pytest

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")


def reference(module_name: str):
    """Import a reference library, or skip the calling test module if it is absent.

    With ``OPTIMLAB_REQUIRE_REFERENCE=1`` (set by ``.ci/run``) a missing
    reference library is an error instead, so CI cannot pass by skipping.
    """
    if os.environ.get("OPTIMLAB_REQUIRE_REFERENCE") == "1":
        return importlib.import_module(module_name)
    return pytest.importorskip(module_name)
