"""optimlab: a pure-NumPy, educational reference implementation of deep-learning optimizers.

Every optimizer is a stateless update function in its own module::

    from optimlab.optimizers import adam
    params, state = adam.step(params, grads, state, hparams)

See ``optimlab.optimizers`` (the registry), ``optimlab.landscapes`` (analytic
test functions), ``optimlab.mlp`` (an MLP with hand-written backprop),
``optimlab.datasets``, ``optimlab.schedules``, ``optimlab.train``,
``optimlab.save``/``optimlab.load``, and ``optimlab.check``, which runs a
student's own optimizer beside the reference and names the slip it finds.
Every error is a ``ValueError``; ``InputTypeError`` (also a ``TypeError``) and
``StepOverflowError`` (also an ``OverflowError``) say more.
"""

from . import datasets, landscapes, mlp, optimizers, schedules
from ._check import CheckReport, check
from ._errors import InputTypeError, StepOverflowError
from ._minimize import MinimizeResult, minimize
from .checkpoint import load, save
from .optimizers import REGISTRY, get
from .training import clip_by_global_norm, clip_by_value, lr_range_test, train

__version__ = "0.1.0"

__all__ = [
    "datasets", "landscapes", "mlp", "optimizers", "schedules", "REGISTRY", "get", "minimize", "MinimizeResult",
    "train", "lr_range_test", "clip_by_global_norm", "clip_by_value", "save", "load", "check", "CheckReport",
    "InputTypeError", "StepOverflowError", "__version__",
]
