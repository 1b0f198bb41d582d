r"""Adadelta 自适应增量, in PyTorch's form.

For each parameter array :math:`\theta` (all operations elementwise):

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad v_0 = 0                        \quad (2)\\
    \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\; g_t       \quad (3)\\
    u_t &= \rho\, u_{t-1} + (1-\rho)\, \Delta_t^2, \qquad u_0 = 0                   \quad (4)\\
    \theta_t &= \theta_{t-1} - \eta\, \Delta_t                                      \quad (5)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\rho` is ``rho``,
:math:`\epsilon` is ``eps``, :math:`\lambda` is ``weight_decay``
(``decoupled_weight_decay`` picks the form of (1): L2 as PyTorch, or
decoupled as Keras 3).  Defaults: ``lr=1.0, rho=0.9, eps=1e-6,
weight_decay=0, decoupled_weight_decay=False``.  State: ``v`` (mean
squared gradient, PyTorch's ``square_avg``) and ``u`` (mean squared update,
``acc_delta``).

The ratio of the two RMS values in (3) gives the update the units of the
parameter (Zeiler's "unit correction"), so the paper has no learning rate:
that is ``lr=1.0``.

References: M. D. Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012,
https://arxiv.org/abs/1212.5701 (Algorithm 1).  Agrees with ``torch.optim.Adadelta``.

.. note::
   Here, unlike in AdaGrad/RMSprop, epsilon is **inside** both roots, as in the
   paper and in PyTorch.  Because :math:`u_0 = 0` and :math:`v_1 = (1-\rho)g_1^2`, the
   first step is about :math:`\eta\sqrt{\epsilon/(1-\rho)}` per coordinate whatever the
   gradient's scale (:math:`3.2\times10^{-3}` for the defaults), and over the next
   thousands of steps it grows only like :math:`\sqrt{(1-\rho)\epsilon t}` (0.01 at
   :math:`t = 1000` for a constant gradient): Adadelta starts slowly.
"""

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Hparams, Real, decay_rate, epsilon
from ._math import WEIGHT_DECAY, ema, weight_decay

NAME = "adadelta"
FAMILY = "adaptive"
YEAR = 2012
PAPER = "https://arxiv.org/abs/1212.5701"

HPARAMS = Hparams(
    lr=Real(1.0, low=0.0),
    rho=decay_rate(0.9),
    eps=epsilon(1e-6),
    **WEIGHT_DECAY,
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"v": np.zeros_like(theta), "u": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    rho, eps = hp["rho"], hp["eps"]
    theta, g = weight_decay(theta, g, hp)  # (1)
    v = ema(slots["v"], g * g, rho)  # (2)
    delta = np.sqrt(slots["u"] + eps) / np.sqrt(v + eps) * g  # (3)
    u = ema(slots["u"], delta * delta, rho)  # (4)
    return theta - hp["lr"] * delta, {"v": v, "u": u}  # (5)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={"v": NONNEGATIVE, "u": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
