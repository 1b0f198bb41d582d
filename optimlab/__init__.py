"""optimlab: a pure-NumPy, educational reference implementation of deep-learning optimizers.

Every optimizer is a stateless update function in its own module::

    from optimlab.optimizers import adam
    params, state = adam.step(params, grads, state, hparams)

See ``optimlab.optimizers`` (the registry), ``optimlab.landscapes`` (analytic
test functions) and SPEC.md for the contract.
"""

from . import landscapes, optimizers
from ._minimize import MinimizeResult, minimize
from .optimizers import REGISTRY, get

__version__ = "0.1.0"

__all__ = ["landscapes", "optimizers", "REGISTRY", "get", "minimize", "MinimizeResult", "__version__"]
