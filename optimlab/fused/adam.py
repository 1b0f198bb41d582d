r"""Fused Adam (PyTorch's form), in place, block by block.

The buffers hold the moments *without* their :math:`1-\beta` factors,
:math:`\tilde m = m/(1-\beta_1)` and :math:`\tilde v = v/(1-\beta_2)`, which
saves two array operations per step:

.. math::

    g &\leftarrow g + \lambda\theta, \qquad
    \tilde m \leftarrow \beta_1 \tilde m + g, \qquad \tilde v \leftarrow \beta_2 \tilde v + g^2 \\
    \theta &\leftarrow \theta - s_t\, \frac{\tilde m}{\sqrt{\tilde v} + \hat\epsilon_t}, \qquad
    s_t = \frac{\eta\,(1-\beta_1)}{1-\beta_1^t}\sqrt{\frac{1-\beta_2^t}{1-\beta_2}}, \quad
    \hat\epsilon_t = \epsilon\sqrt{\frac{1-\beta_2^t}{1-\beta_2}}

which is :mod:`optimlab.optimizers.adam`'s
:math:`\eta\,\hat m/(\sqrt{\hat v} + \epsilon)` with every scalar factor
folded into :math:`s_t` and :math:`\hat\epsilon_t`: the same number in exact
arithmetic, so it agrees with the reference to rounding (1e-12 in float64, a
few ulps in float32).  Adam's switches work here too: ``eps_hat`` makes
:math:`\hat\epsilon_t = \epsilon/\sqrt{1-\beta_2}` and
``decoupled_weight_decay`` shrinks :math:`\theta` by :math:`1-\eta\lambda`
instead of adding :math:`\lambda\theta` to :math:`g` (as fused AdamW).  If the betas change between steps the buffers are
rescaled once.  See :mod:`optimlab.fused`.
"""

import math
import sys

import numpy as np

from ..optimizers import adam as reference
from ._common import decayed_grad, fused_step, weight_decay_constants

NAME = reference.NAME
HPARAMS = reference.HPARAMS
DEFAULTS = reference.DEFAULTS
SLOTS = ("m", "v")


def scales(hp):
    """What the buffers are divided by: m~ = m / (1 - beta1), v~ = v / (1 - beta2)."""
    return {"m": 1.0 - hp["beta1"], "v": 1.0 - hp["beta2"]}


def constants(hp, t):
    c1, c2 = 1.0 - hp["beta1"], 1.0 - hp["beta2"]
    root = math.sqrt((1.0 - hp["beta2"] ** t) / c2)
    # eps_hat: eps sits on sqrt(v) = sqrt(c2) sqrt(v~), so on sqrt(v~) it is eps / sqrt(c2)
    eps = hp["eps"] / math.sqrt(c2) if hp.get("eps_hat") else hp["eps"] * root
    return {"b1": hp["beta1"], "b2": hp["beta2"], "step": hp["lr"] * c1 / (1.0 - hp["beta1"] ** t) * root,
            "eps": eps, **weight_decay_constants(hp)}


def adam_block(c, P, g, m, v, T1, T2):
    """The moments and the step on one block (shared with fused AdamW); *g* may live in T1."""
    np.multiply(m, c["b1"], out=m)
    np.add(m, g, out=m)
    np.multiply(v, c["b2"], out=v)
    np.square(g, out=T2)
    np.add(v, T2, out=v)
    np.sqrt(v, out=T1)  # g is no longer needed
    np.add(T1, c["eps"], out=T1)
    np.divide(m, T1, out=T1)
    np.multiply(T1, c["step"], out=T1)
    if c["decay"] != 1.0:
        np.multiply(P, c["decay"], out=P)
    np.subtract(P, T1, out=P)


def kernel(c, P, G, S, T1, T2):
    g = decayed_grad({**c, "decay": 1.0}, P, G, T1)  # L2 here; a decoupled decay is applied by adam_block
    adam_block(c, P, g, S["m"], S["v"], T1, T2)


def step(params, grads, state=None, hparams=None, *, check_finite=False, threads=None):
    """One fused Adam step, updating *params* in place; returns ``(params, state)``."""
    return fused_step(sys.modules[__name__], params, grads, state, hparams, check_finite, threads)
