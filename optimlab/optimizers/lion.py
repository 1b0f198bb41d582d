r"""Lion: evolved sign momentum 符号动量 (the authors' rule, as ``lion_pytorch``).

For each parameter array :math:`\theta` (all operations elementwise):

.. math::

    c_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t                                  \quad (1)\\
    \theta_t &= (1 - \eta\lambda)\,\theta_{t-1} - \eta\, \mathrm{sign}(c_t)      \quad (2)\\
    m_t &= \beta_2 m_{t-1} + (1-\beta_2)\, g_t, \qquad m_0 = 0                  \quad (3)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\lambda` is ``weight_decay`` (decoupled, times
lr).  Defaults: ``lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0``.  State:
one array ``m`` per parameter, half of AdamW's two (tested).

Every coordinate moves by exactly :math:`\eta` (unless :math:`c_t = 0`, where
:math:`\mathrm{sign} = 0`): the update has the largest possible norm for its
size, so Lion wants a learning rate 3-10x smaller than AdamW's and a weight
decay 3-10x larger.  Note the two betas: the update interpolates with
:math:`\beta_1` (1), the memory with :math:`\beta_2` (3).

References: X. Chen et al., "Symbolic Discovery of Optimization Algorithms",
NeurIPS 2023, https://arxiv.org/abs/2302.06675 (Program 1).  Agrees with
``lion_pytorch.Lion``.

.. note::
   The lecture (chapter 002) says Lion's GPU memory use (显存占用) is "nearly
   50% less" than AdamW's.  Half is true of the *optimizer state* only (one
   moment instead of two; the authors' README: "halving the additional memory
   footprint").  GPU memory also holds the weights, the gradients and the
   activations: for a float32 model, weights + gradients + state shrink by 25%,
   and less once activations are counted (errata E002-40).
"""

import numpy as np

from ._base import Rule
from ._hparams import Hparams, Real, decay_rate

NAME = "lion"
FAMILY = "sign"
YEAR = 2023
PAPER = "https://arxiv.org/abs/2302.06675"

HPARAMS = Hparams(
    lr=Real(1e-4, low=0.0),
    beta1=Real(0.9, low=0.0, high=1.0),
    beta2=decay_rate(0.99),
    weight_decay=Real(0.0, low=0.0),
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"m": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    lr, m = hp["lr"], slots["m"]
    c = hp["beta1"] * m + (1.0 - hp["beta1"]) * g  # (1)
    theta = (1.0 - lr * hp["weight_decay"]) * theta - lr * np.sign(c)  # (2)
    return theta, {"m": hp["beta2"] * m + (1.0 - hp["beta2"]) * g}  # (3)


RULE = Rule(NAME, HPARAMS, _init_slots, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
