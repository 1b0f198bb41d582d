r"""NAdam: Adam with Nesterov momentum, with Dozat's momentum schedule (PyTorch's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    \mu_t &= \beta_1\,\big(1 - \tfrac12\, 0.96^{\,t\psi}\big), \qquad
        \mu_{t+1} = \beta_1\,\big(1 - \tfrac12\, 0.96^{\,(t+1)\psi}\big)                    \quad (2)\\
    \Pi_t &= \Pi_{t-1}\,\mu_t, \qquad \Pi_0 = 1                                           \quad (3)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t                                             \quad (4)\\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2                                           \quad (5)\\
    d_t &= \sqrt{v_t / (1-\beta_2^t)} + \epsilon                                           \quad (6)\\
    \theta_t &= \theta_{t-1} - \eta\,\frac{1-\mu_t}{1-\Pi_t}\,\frac{g_t}{d_t}
        - \eta\,\frac{\mu_{t+1}}{1-\Pi_t\,\mu_{t+1}}\,\frac{m_t}{d_t}                     \quad (7)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\psi` is
``momentum_decay``, :math:`\lambda` is ``weight_decay``
(``decoupled_weight_decay`` picks the form of (1): L2 as PyTorch's default,
decoupled as its ``NAdam(decoupled_weight_decay=True)`` and Keras 3);
``momentum_schedule=False`` replaces (2) by :math:`\mu_t \equiv \beta_1`.
Defaults: ``lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0,
decoupled_weight_decay=False, momentum_decay=0.004, momentum_schedule=True``.  State: ``m``, ``v`` and the running product
``mu_product`` :math:`\Pi_t` (a number per array, as in PyTorch).

Line (7) is the Nesterov idea applied to Adam: the current gradient gets the
weight of "this step" and the momentum that of the *next* step's coefficient
:math:`\mu_{t+1}`, i.e. the momentum is applied as if already looking ahead.

References: T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
workshop, https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ (Algorithm 2).
Agrees with ``torch.optim.NAdam``.

.. note::
   **The momentum schedule** (``momentum_schedule``).  :math:`\mu_t` warms up
   from :math:`0.5\beta_1` to :math:`\beta_1`; with :math:`\psi = 0.004` (Dozat's
   250-step time constant written as a rate) it takes thousands of steps
   (PyTorch); Keras 3 uses :math:`0.96^t`, i.e. :math:`\psi = 1`
   (``momentum_decay=1.0``), and is at :math:`0.89` within 100 steps.  Simpler write-ups and optax's ``nadam``
   (``scale_by_adam(nesterov=True)``) drop the schedule, :math:`\mu_t \equiv
   \beta_1` (``momentum_schedule=False``); then :math:`\Pi_t = \beta_1^t` and (7)
   becomes :math:`\theta_t = \theta_{t-1} - \eta\,\big(\beta_1 m_t/(1-\beta_1^{t+1}) +
   (1-\beta_1)\, g_t/(1-\beta_1^t)\big)/d_t`.  (``momentum_decay=0`` is not that
   form: it makes :math:`\mu_t \equiv \beta_1/2`.)
"""

import numpy as np

from . import adam
from ._base import Rule
from ._hparams import Bool, Real
from ._math import bias_correction, weight_decay

NAME = "nadam"
FAMILY = "adaptive"
YEAR = 2016
PAPER = "https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ"

# Adam's hparams with a larger default lr, plus the momentum schedule
HPARAMS = adam.HPARAMS.derive(drop=("eps_hat",), lr=Real(2e-3, low=0.0), momentum_decay=Real(0.004, low=0.0),
                              momentum_schedule=Bool(True))
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"m": np.zeros_like(theta), "v": np.zeros_like(theta), "mu_product": 1.0}


def _update(theta, g, slots, t, hp):
    beta1, psi, lr = hp["beta1"], hp["momentum_decay"], hp["lr"]
    theta, g = weight_decay(theta, g, hp)  # (1)
    if hp["momentum_schedule"]:
        mu_t = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))  # (2)
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))  # (2)
    else:
        mu_t = mu_next = beta1
    mu_product = slots["mu_product"] * mu_t  # (3)
    m, v = adam.moments(g, slots, hp)  # (4)-(5)
    d = np.sqrt(v / bias_correction(hp["beta2"], t)) + hp["eps"]  # (6)
    theta = theta - lr * (1.0 - mu_t) / (1.0 - mu_product) * g / d  # (7)
    theta = theta - lr * mu_next / (1.0 - mu_product * mu_next) * m / d  # (7)
    return theta, {"m": m, "v": v, "mu_product": mu_product}


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={**adam.BOUNDS, "mu_product": (0.0, 1.0)})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
