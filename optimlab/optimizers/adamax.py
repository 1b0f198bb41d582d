r"""Adamax: Adam with the infinity norm (PyTorch's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad m_0 = 0               \quad (2)\\
    u_t &= \max(\beta_2\, u_{t-1},\ |g_t| + \epsilon), \qquad u_0 = 0        \quad (3)\\
    \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}    \quad (4)

or, with ``eps_outside_max`` set to True, :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` in (3)
and :math:`u_t + \epsilon` in the denominator of (4).

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay`` (``decoupled_weight_decay`` picks the form of (1): L2 as
PyTorch, or decoupled as Keras 3).  Defaults: ``lr=2e-3, beta1=0.9,
beta2=0.999, eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
eps_outside_max=False``.  State: ``m`` and the exponentially weighted
infinity norm ``u`` (PyTorch's ``exp_inf``).

Adam's :math:`v_t` is an :math:`L^2` average of past gradients; letting the
exponent go to infinity gives the max in (3), which needs no bias correction.

References: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic
Optimization", ICLR 2015, https://arxiv.org/abs/1412.6980 (Section 7.1,
Algorithm 2).  Agrees with ``torch.optim.Adamax``.

.. note::
   **Epsilon.**  Algorithm 2 has no :math:`\epsilon`: :math:`u_t = \max(\beta_2
   u_{t-1}, |g_t|)`, which divides by zero for a coordinate whose gradients have
   all been zero.  PyTorch adds :math:`\epsilon` to :math:`|g_t|` *inside* the
   max, as (3) does, and so does optax (``optax.adamax``).  Keras 3's ``Adamax``
   keeps :math:`u_t = \max(\beta_2 u_{t-1}, |g_t|)` and adds
   :math:`\epsilon` to it in the denominator: ``eps_outside_max`` set to True.
   The two differ only where :math:`|g|` is comparable to :math:`\epsilon`.
"""

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Bool, Hparams, Real, decay_rate, epsilon
from ._math import WEIGHT_DECAY, bias_correction, ema, weight_decay

NAME = "adamax"
FAMILY = "adaptive"
YEAR = 2014
PAPER = "https://arxiv.org/abs/1412.6980"

HPARAMS = Hparams(
    lr=Real(2e-3, low=0.0),
    beta1=decay_rate(0.9),
    beta2=decay_rate(0.999),
    eps=epsilon(1e-8),
    **WEIGHT_DECAY,
    eps_outside_max=Bool(False),
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"m": np.zeros_like(theta), "u": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    theta, g = weight_decay(theta, g, hp)  # (1)
    m = ema(slots["m"], g, hp["beta1"])  # (2)
    lr_t = hp["lr"] / bias_correction(hp["beta1"], t)
    if hp["eps_outside_max"]:
        u = np.maximum(hp["beta2"] * slots["u"], np.abs(g))  # (3)
        return theta - lr_t * m / (u + hp["eps"]), {"m": m, "u": u}  # (4)
    u = np.maximum(hp["beta2"] * slots["u"], np.abs(g) + hp["eps"])  # (3)
    return theta - lr_t * m / u, {"m": m, "u": u}  # (4)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={"u": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
