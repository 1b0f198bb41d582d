r"""Fused Lion, in place, block by block.

.. math::

    \theta \leftarrow (1-\eta\lambda)\,\theta - \eta\,\mathrm{sign}(\beta_1 m + (1-\beta_1) g), \qquad
    m \leftarrow \beta_2 m + (1-\beta_2) g

The same hparams and the very same floating-point operations as
:mod:`optimlab.optimizers.lion` (so the results agree exactly); one flat
moment buffer.  See :mod:`optimlab.fused`.
"""

import sys

import numpy as np

from ..optimizers import lion as reference
from ._common import fused_step

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ("m",)


def constants(hp, t):
    return {"lr": hp["lr"], "b1": hp["beta1"], "c1": 1.0 - hp["beta1"], "b2": hp["beta2"], "c2": 1.0 - hp["beta2"],
            "decay": 1.0 - hp["lr"] * hp["weight_decay"]}


def kernel(c, P, G, S, T1, T2):
    m = S["m"]
    np.multiply(m, c["b1"], out=T1)
    np.multiply(G, c["c1"], out=T2)
    np.add(T1, T2, out=T1)
    np.sign(T1, out=T1)
    if c["decay"] != 1.0:
        np.multiply(P, c["decay"], out=P)
    np.multiply(T1, c["lr"], out=T1)
    np.subtract(P, T1, out=P)
    np.multiply(m, c["b2"], out=m)
    np.multiply(G, c["c2"], out=T2)
    np.add(m, T2, out=m)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused Lion step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
