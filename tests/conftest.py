import importlib
import os

# One BLAS/OpenMP thread per test process, set before numpy is first imported: the suite runs one worker per
# core (pytest-xdist), and the arrays here are small, so more threads only contend (up to 15x slower).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np
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


def deep_equal(a, b):
    """Two trees of arrays, numbers and strings are equal, bit for bit and dtype for dtype (NaN equals NaN)."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


@pytest.fixture
def torch_float64():
    """torch's default dtype set to float64 for the test (it keeps some scalar state, e.g. NAdam's
    mu_product, in the default dtype), restored afterwards."""
    torch = reference("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(old)
