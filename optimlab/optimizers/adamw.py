r"""AdamW: Adam with decoupled weight decay 解耦权重衰减 (PyTorch's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    \theta' &= (1 - \eta\lambda)\, \theta_{t-1}                               \quad (1)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t                                \quad (2)\\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2                              \quad (3)\\
    \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t)    \quad (4)\\
    \theta_t &= \theta' - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)      \quad (5)

Lines (2)-(5) are :mod:`~optimlab.optimizers.adam` with no L2 term; the
code is exactly that: shrink the weights (1), then take an Adam step
(``eps_hat`` set to True gives Adam's (5') instead of (4)-(5), as Keras 3's ``AdamW``).

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay``.  Defaults: ``lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
weight_decay=0.01, eps_hat=False``.  State: ``m``, ``v`` as Adam.

References: I. Loshchilov and F. Hutter, "Decoupled Weight Decay
Regularization", ICLR 2019, https://arxiv.org/abs/1711.05101 (Algorithm 2).
Agrees with ``torch.optim.AdamW``.  Reduction: ``weight_decay=0`` is Adam (tested).

.. note::
   **Decay times lr.**  The paper writes the decay as
   :math:`\theta_t = \theta_{t-1} - \eta_t(\alpha\hat m_t/(\sqrt{\hat v_t}+\epsilon) + \lambda\theta_{t-1})`
   with a separate schedule multiplier :math:`\eta_t` and learning rate
   :math:`\alpha`, so its decay per step is :math:`\eta_t\lambda`, not
   :math:`\alpha\lambda`.  PyTorch (and this module, and the lecture's
   :math:`\theta_{t+1} = (1-\lambda\eta)\theta_t - \dots`) multiply
   :math:`\lambda` by the learning rate itself; with PyTorch's default
   ``weight_decay=0.01`` and ``lr=1e-3`` the weights shrink by
   :math:`10^{-5}` per step.  optax's ``adamw`` does the same as PyTorch.
"""

from . import adam
from ._base import Rule
from ._hparams import Real

NAME = "adamw"
FAMILY = "adaptive"
YEAR = 2017
PAPER = "https://arxiv.org/abs/1711.05101"

HPARAMS = adam.HPARAMS.derive(drop=("decoupled_weight_decay",), weight_decay=Real(0.01, low=0.0))  # always decoupled
DEFAULTS = HPARAMS.defaults


def _update(theta, g, slots, t, hp):
    theta = (1.0 - hp["lr"] * hp["weight_decay"]) * theta  # (1)
    m, v = adam.moments(g, slots, hp)  # (2)-(3)
    return theta - adam.adam_delta(m, v, t, hp), {"m": m, "v": v}  # (4)-(5)


RULE = Rule(NAME, HPARAMS, adam.init_slots, _update, bounds=adam.BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
