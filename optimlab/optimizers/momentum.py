r"""SGD with momentum 动量 (heavy ball), in PyTorch's form.

For each parameter array :math:`\theta` with gradient :math:`g_t` at step
:math:`t = 1, 2, \dots`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    b_t &= \begin{cases} g_t & t = 1\\ \mu\, b_{t-1} + (1-\tau)\, g_t & t > 1 \end{cases} \quad (2)\\
    \theta_t &= \theta_{t-1} - \eta\, b_t                                          \quad (3)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\mu` is ``momentum``,
:math:`\tau` is ``dampening``, :math:`\lambda` is ``weight_decay``, and
``decoupled_weight_decay`` picks the form of (1): L2 added to the gradient (so
it builds up in the buffer) or a decoupled shrink of the weights (Keras 3's
``SGD(momentum=..., weight_decay=...)``).  Defaults: ``lr=0.01, momentum=0.9,
dampening=0, weight_decay=0, decoupled_weight_decay=False``.  State: the buffer :math:`b` (PyTorch's
``momentum_buffer``), one array per parameter.

References: B. T. Polyak, "Some methods of speeding up the convergence of
iteration methods", USSR Comp. Math. 4(5), 1964,
https://doi.org/10.1016/0041-5553(64)90137-5 ; I. Sutskever et al., "On the
importance of initialization and momentum in deep learning", ICML 2013,
https://proceedings.mlr.press/v28/sutskever13.html .
Agrees with ``torch.optim.SGD(lr, momentum, dampening, weight_decay)``.

Reductions: with ``momentum=0`` and ``dampening=0`` this is exactly
:mod:`~optimlab.optimizers.sgd` (tested).

.. note::
   **The first buffer is the first gradient**, not :math:`(1-\tau) g_1`: this
   is PyTorch's convention, and the reason dampening only acts from step 2.

.. note::
   **Lecture vs. PyTorch vs. Sutskever.**  The lecture (chapters 000/001)
   writes :math:`m_t = \gamma m_{t-1} + g_t,\ \theta_{t+1} = \theta_t - \eta m_t`,
   which is (2)-(3) with :math:`\gamma=\mu`, :math:`\tau=0` (CS231n writes the
   same with ``rho``).  Sutskever et al. write the velocity with the learning
   rate inside, :math:`v_t = \mu v_{t-1} - \eta g_t,\ \theta_t = \theta_{t-1} + v_t`;
   that is :math:`v_t = -\eta b_t` and gives the same trajectory while
   :math:`\eta` is constant, but not under a learning-rate schedule (there the
   old velocity keeps the old rate).
"""

import numpy as np

from ._base import Rule
from ._hparams import Hparams, Real
from ._math import WEIGHT_DECAY, weight_decay

NAME = "momentum"
FAMILY = "momentum"
YEAR = 1964
PAPER = "https://doi.org/10.1016/0041-5553(64)90137-5"

HPARAMS = Hparams(
    lr=Real(0.01, low=0.0),
    momentum=Real(0.9, low=0.0, high=1.0, high_open=True),
    dampening=Real(0.0, low=0.0, high=1.0),
    **WEIGHT_DECAY,
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"b": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    mu, tau = hp["momentum"], hp["dampening"]
    theta, g = weight_decay(theta, g, hp)  # (1)
    b = g if t == 1 else mu * slots["b"] + (1.0 - tau) * g  # (2)
    return theta - hp["lr"] * b, {"b": b}  # (3)


RULE = Rule(NAME, HPARAMS, _init_slots, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
