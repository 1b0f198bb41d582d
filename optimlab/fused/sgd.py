r"""Fused SGD: :math:`\theta \leftarrow \theta - \eta\,(g + \lambda\theta)`, in place, block by block.

The same hparams (``decoupled_weight_decay`` included: then
:math:`\theta \leftarrow (1-\eta\lambda)\theta - \eta g`) and the very same
floating-point operations as :mod:`optimlab.optimizers.sgd` (so the results
agree exactly); see
:mod:`optimlab.fused` for what "fused" means here.
"""

import sys

import numpy as np

from ..optimizers import sgd as reference
from ._common import decayed_grad, fused_step, weight_decay_constants

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ()


def constants(hp, t):
    return {"lr": hp["lr"], **weight_decay_constants(hp)}


def kernel(c, P, G, S, T1, T2):
    g = decayed_grad(c, P, G, T1)
    np.multiply(g, c["lr"], out=T2)
    np.subtract(P, T2, out=P)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused SGD step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
