r"""Fused momentum SGD (PyTorch's form), in place, block by block.

.. math::

    b_t = g_t \ (t = 1), \quad b_t = \mu b_{t-1} + (1-\tau) g_t \ (t > 1), \qquad
    \theta_t = \theta_{t-1} - \eta\, b_t, \qquad g_t \leftarrow g_t + \lambda\theta_{t-1}

The same hparams (``decoupled_weight_decay`` included) and the very same
floating-point operations as :mod:`optimlab.optimizers.momentum` (so the
results agree exactly); the buffer
``b`` is one flat array.  See :mod:`optimlab.fused`.
"""

import sys

import numpy as np

from ..optimizers import momentum as reference
from ._common import decayed_grad, fused_step, weight_decay_constants

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ("b",)


def constants(hp, t):
    return {"lr": hp["lr"], "mu": hp["momentum"], "keep": 1.0 - hp["dampening"], **weight_decay_constants(hp),
            "first": t == 1}


def kernel(c, P, G, S, T1, T2):
    g, b = decayed_grad(c, P, G, T1), S["b"]
    if c["first"]:
        np.copyto(b, g)
    else:
        np.multiply(b, c["mu"], out=b)
        np.multiply(g, c["keep"], out=T2)
        np.add(b, T2, out=b)
    np.multiply(b, c["lr"], out=T2)
    np.subtract(P, T2, out=P)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused momentum step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
