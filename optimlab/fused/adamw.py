r"""Fused AdamW (decoupled weight decay), in place, block by block.

.. math::

    \theta \leftarrow (1 - \eta\lambda)\,\theta - s_t\, \frac{m}{\sqrt v + \hat\epsilon_t}

with the moments (stored without their :math:`1-\\beta` factors) and the folded
scalars of :mod:`optimlab.fused.adam`
(the gradient itself enters the moments, no L2 term).  Agrees with
:mod:`optimlab.optimizers.adamw` to rounding.  See :mod:`optimlab.fused`.
"""

import sys

from ..optimizers import adamw as reference
from . import adam
from ._common import fused_step

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ("m", "v")
scales = adam.scales


def constants(hp, t):
    return {**adam.constants(hp, t), "weight_decay": 0.0, "decay": 1.0 - hp["lr"] * hp["weight_decay"]}


def kernel(c, P, G, S, T1, T2):
    adam.adam_block(c, P, G, S["m"], S["v"], T1, T2)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused AdamW step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
