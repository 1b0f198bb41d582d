r"""StableAdamW: AdamW with per-array update clipping by the RMS of :math:`g^2/\hat v` (optimi's form).

For each parameter array :math:`\theta` (with :math:`N` elements) at step
:math:`t = 1, 2, \dots`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \quad (1)\\
    \hat m_t &= m_t/(1-\beta_1^t), \qquad \hat v_t = v_t/(1-\beta_2^t)                                 \quad (2)\\
    \mathrm{RMS}_t &= \sqrt{\tfrac1N \textstyle\sum_i g_{t,i}^2 / \max(\hat v_{t,i}, \epsilon^2)}        \quad (3)\\
    \eta_t &= \eta / \max(1, \mathrm{RMS}_t)                                                          \quad (4)\\
    \theta_t &= (1 - \eta_t\lambda)\,\theta_{t-1} - \eta_t\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)    \quad (5)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay`` (decoupled, times the clipped rate :math:`\eta_t`).
Defaults: ``lr=1e-3, beta1=0.9, beta2=0.99, eps=1e-6, weight_decay=0.01``.
State: ``m``, ``v``.

:math:`\mathrm{RMS}_t` (3) is about 1 while :math:`\hat v` tracks the gradient's
scale.  When a gradient spikes after quiet steps, :math:`\hat v` lags behind
(it is an average over about :math:`1/(1-\beta_2)` steps), the Adam step would
be far too large, and (4) divides the learning rate by the size of the
surprise: Adafactor's update clipping applied to AdamW.  Without a spike
(:math:`\mathrm{RMS}_t \le 1`) this is exactly :mod:`~optimlab.optimizers.adamw`
(tested).

References: M. Wortsman et al., "Stable and low-precision training for
large-scale vision-language models", NeurIPS 2023,
https://arxiv.org/abs/2304.13013 (Algorithm 2); B. Warner, optimi,
https://optimi.benjaminwarner.dev/optimizers/stableadamw/ .  Agrees with
``optimi.StableAdamW(foreach=False)``.

.. note::
   **Debiased betas.**  The paper and optimi write the bias correction into
   the betas, :math:`\hat\beta_t = \beta\,(1-\beta^{t-1})/(1-\beta^t)`, and keep
   :math:`\hat m_t, \hat v_t` directly as the averages; that is algebraically
   the same as (1)-(2).  The paper clips with :math:`\max(\hat v, \epsilon^2)`
   as in (3); its default :math:`\beta_2` is 0.99 (not AdamW's 0.999), as here.

.. note::
   **Not the RMS of the gradient.**  The lecture (chapter 002) calls
   :math:`\mathrm{RMS}_t` the root mean square of the gradient (梯度的均方根) and
   says it reflects the strength of the current gradient signal.  (3) is the RMS
   of :math:`g/\sqrt{\hat v}`, a dimensionless ratio: about 1 while
   :math:`\hat v` tracks the gradient's scale, whatever that scale is, and large
   only when the gradient is large *compared with its recent history*.
   Gradients of size :math:`10^{-3}` and :math:`10^{3}` both give
   :math:`\mathrm{RMS}_1 = 1` and the plain AdamW step (tested; errata E002-32).
"""

import math

import numpy as np

from . import adam
from ._base import Rule
from ._hparams import Real, decay_rate, epsilon
from ._math import bias_correction

NAME = "stable_adamw"
FAMILY = "adaptive"
YEAR = 2023
PAPER = "https://arxiv.org/abs/2304.13013"

# Adam's hparams with StableAdamW's defaults; the decay is decoupled, times the clipped lr (5)
HPARAMS = adam.HPARAMS.derive(drop=("decoupled_weight_decay", "eps_hat"), beta2=decay_rate(0.99),
                              eps=epsilon(1e-6), weight_decay=Real(0.01, low=0.0))
DEFAULTS = HPARAMS.defaults


def update_rms(g, v_hat, eps):
    r"""Line (3): :math:`\sqrt{\mathrm{mean}(g^2/\max(\hat v, \epsilon^2))}` (a Python float)."""
    return math.sqrt(float(np.mean(g * g / np.maximum(v_hat, eps * eps))))


def _update(theta, g, slots, t, hp):
    eps = hp["eps"]
    m, v = adam.moments(g, slots, hp)  # (1)
    m_hat = m / bias_correction(hp["beta1"], t)  # (2)
    v_hat = v / bias_correction(hp["beta2"], t)  # (2)
    lr_t = hp["lr"] / max(1.0, update_rms(g, v_hat, eps))  # (3)-(4)
    theta = (1.0 - lr_t * hp["weight_decay"]) * theta - lr_t * m_hat / (np.sqrt(v_hat) + eps)  # (5)
    return theta, {"m": m, "v": v}


RULE = Rule(NAME, HPARAMS, adam.init_slots, _update, bounds=adam.BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
