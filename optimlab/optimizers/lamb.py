r"""LAMB: layer-wise adaptive moments for batch training (optax's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2  \quad (1)\\
    \hat m_t &= m_t/(1-\beta_1^t), \qquad \hat v_t = v_t/(1-\beta_2^t)                               \quad (2)\\
    u_t &= \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} + \lambda\,\theta_{t-1}                        \quad (3)\\
    r_t &= \frac{\lVert\theta_{t-1}\rVert}{\lVert u_t\rVert}
        \quad (1 \text{ if either norm is } 0)                                                       \quad (4)\\
    \theta_t &= \theta_{t-1} - \eta\, r_t\, u_t                                                      \quad (5)

With ``decoupled_weight_decay`` set to True (Keras 3's ``Lamb(weight_decay=...)``)
the weights are first shrunk, :math:`\theta_{t-1} \leftarrow (1-\eta\lambda)\theta_{t-1}`,
and (3)-(5) run without the :math:`\lambda\theta` term, so the trust ratio
never sees the decay.

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay``.  Defaults: ``lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-6,
weight_decay=0, decoupled_weight_decay=False``.  State: ``m``, ``v``.  Norms are Frobenius norms of the
whole array ("layer"); every array gets a trust ratio, vectors included.

LAMB is LARS's trust ratio (:mod:`~optimlab.optimizers.lars`) on top of the
AdamW direction (3): with :math:`r_t` forced to 1 it *is*
:mod:`~optimlab.optimizers.adamw` (tested), and because (3) is invariant to
the gradient's scale and (4) normalises the step, scaling one layer's gradient
by 1000 leaves its step unchanged (tested).

References: Y. You et al., "Large Batch Optimization for Deep Learning:
Training BERT in 76 minutes", ICLR 2020, https://arxiv.org/abs/1904.00962
(Algorithm 2).  Agrees with ``optax.lamb`` (float64).

.. note::
   **The scaling function.**  The paper writes
   :math:`\phi(\lVert\theta\rVert)/\lVert u\rVert` with a clipping function
   :math:`\phi` (identity in practice) and uses no bias correction in one
   version of its Algorithm 2; optax, NVIDIA's and most implementations use
   the identity and Adam's bias correction, as here.
"""


from . import adam
from ._base import Rule
from ._hparams import epsilon
from ._math import norm

NAME = "lamb"
FAMILY = "layer-wise"
YEAR = 2019
PAPER = "https://arxiv.org/abs/1904.00962"

# Adam's hparams with LAMB's eps; by default the weight decay is part of the direction (3)
HPARAMS = adam.HPARAMS.derive(drop=("eps_hat",), eps=epsilon(1e-6))
DEFAULTS = HPARAMS.defaults


def trust_ratio(theta, u):
    """Line (4) for one array (a Python float)."""
    w_norm, u_norm = norm(theta), norm(u)
    return 1.0 if w_norm == 0.0 or u_norm == 0.0 else w_norm / u_norm


def direction(theta, g, slots, t, hp):
    """Lines (1)-(3) for one array: ``(u, m, v)``, the AdamW direction and the new moments."""
    m, v = adam.moments(g, slots, hp)  # (1)
    u = adam.adam_delta(m, v, t, {**hp, "lr": 1.0}) + hp["weight_decay"] * theta  # (2)-(3)
    return u, m, v


def _update(theta, g, slots, t, hp):
    if hp["decoupled_weight_decay"]:  # Keras: shrink first, keep the decay out of the trust ratio
        theta = (1.0 - hp["lr"] * hp["weight_decay"]) * theta
        hp = {**hp, "weight_decay": 0.0}
    u, m, v = direction(theta, g, slots, t, hp)
    return theta - hp["lr"] * trust_ratio(theta, u) * u, {"m": m, "v": v}  # (4)-(5)


RULE = Rule(NAME, HPARAMS, adam.init_slots, _update, bounds=adam.BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
