r"""Fused Adam (L2 weight decay, PyTorch's form), in place, block by block.

.. math::

    g &\leftarrow g + \lambda\theta, \quad
    m \leftarrow \beta_1 m + (1-\beta_1) g, \quad v \leftarrow \beta_2 v + (1-\beta_2) g^2 \\
    \theta &\leftarrow \theta - s_t\, \frac{m}{\sqrt v + \hat\epsilon_t}, \qquad
    s_t = \frac{\eta\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \quad \hat\epsilon_t = \epsilon\sqrt{1-\beta_2^t}

The last line is :mod:`optimlab.optimizers.adam`'s
:math:`\eta\,\hat m/(\sqrt{\hat v} + \epsilon)` with the two bias corrections
folded into the scalars :math:`s_t` and :math:`\hat\epsilon_t`: the same number
in exact arithmetic, two array operations fewer per step (so it agrees with
the reference to rounding: 1e-12 in float64, a few ulps in float32).  The
moments are updated with the reference's own operations.  See :mod:`optimlab.fused`.
"""

import math
import sys

import numpy as np

from ..optimizers import adam as reference
from ._common import decayed_grad, fused_step

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ("m", "v")


def constants(hp, t):
    root = math.sqrt(1.0 - hp["beta2"] ** t)
    return {"b1": hp["beta1"], "c1": 1.0 - hp["beta1"], "b2": hp["beta2"], "c2": 1.0 - hp["beta2"],
            "step": hp["lr"] * root / (1.0 - hp["beta1"] ** t), "eps": hp["eps"] * root,
            "weight_decay": hp["weight_decay"], "decay": 1.0}


def adam_block(c, P, g, m, v, T1, T2):
    """The moments and the step on one block (shared with fused AdamW); *g* may live in T1."""
    np.multiply(m, c["b1"], out=m)
    np.multiply(g, c["c1"], out=T2)
    np.add(m, T2, out=m)
    np.multiply(g, g, out=T2)
    np.multiply(T2, c["c2"], out=T2)
    np.multiply(v, c["b2"], out=v)
    np.add(v, T2, out=v)
    np.sqrt(v, out=T1)  # g is no longer needed
    np.add(T1, c["eps"], out=T1)
    np.divide(m, T1, out=T1)
    np.multiply(T1, c["step"], out=T1)
    if c["decay"] != 1.0:
        np.multiply(P, c["decay"], out=P)
    np.subtract(P, T1, out=P)


def kernel(c, P, G, S, T1, T2):
    adam_block(c, P, decayed_grad(c, P, G, T1), S["m"], S["v"], T1, T2)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused Adam step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
