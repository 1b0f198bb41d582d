r"""Adam: adaptive moment estimation 自适应矩估计, with L2 weight decay (PyTorch's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`
(all operations elementwise):

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad m_0 = 0               \quad (2)\\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \qquad v_0 = 0             \quad (3)\\
    \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v_t / (1-\beta_2^t)   \quad (4)\\
    \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon) \quad (5)

or, with ``eps_hat=True`` (the paper's "efficient" ordering), (4)-(5) become

.. math::

    \theta_t = \theta_{t-1} - \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,
        \frac{m_t}{\sqrt{v_t} + \hat\epsilon}, \qquad \hat\epsilon = \epsilon   \quad (5')

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps`` (:math:`\hat\epsilon` with
``eps_hat=True``), :math:`\lambda` is ``weight_decay`` (by default L2: added
to the gradient, so it passes through both moments; ``decoupled_weight_decay``
picks the other form of (1), which makes this AdamW).  Defaults: ``lr=1e-3,
beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0,
decoupled_weight_decay=False, eps_hat=False``.  State: first moment 一阶矩 ``m`` and second moment 二阶矩
``v``.

Line (4) is the bias correction 偏差修正: both moments start at zero, so
early on they underestimate the gradient's moments by the factor
:math:`1-\beta^t` (:func:`optimlab.optimizers._math.bias_correction`).

References: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic
Optimization", ICLR 2015, https://arxiv.org/abs/1412.6980 (Algorithm 1).
Agrees with ``torch.optim.Adam``.

Reductions: :mod:`~optimlab.optimizers.adamw` with ``weight_decay=0`` is Adam;
:mod:`~optimlab.optimizers.amsgrad` equals Adam while :math:`v_t` never
decreases (both tested).

.. note::
   **beta2.**  The lecture's chapter 000 says ``beta2`` is "generally 0.99"
   (beta2一般设为0.99); the paper and PyTorch use 0.999, as does this module
   (chapter 001 says 0.999).  The 0.99 is not CS231n's: its Adam slides, course
   notes and assignment code all say 0.999 (the assignment's 0.99 is RMSprop's
   ``decay_rate``).  The one widely used library whose default Adam had
   ``beta2 = 0.99`` when the chapter was written is fastai v1
   (``AdamW = partial(optim.Adam, betas=(0.9,0.99))``, its ``Learner``'s default
   optimizer); whether the chapter took it from there cannot be told (errata
   E000-16).

.. note::
   **Where epsilon goes** (``eps_hat``).  (5) adds :math:`\epsilon` to
   :math:`\sqrt{\hat v_t}`, as Algorithm 1 and PyTorch do.  The paper's Section 2
   also gives a "more efficient" ordering,
   :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`,
   :math:`\theta_t = \theta_{t-1} - \eta_t m_t/(\sqrt{v_t}+\hat\epsilon)`, used by
   Keras 3 (``Adam(epsilon=1e-7)``), TensorFlow 1 (``AdamOptimizer``) and Lua
   torch (``optim.adam``): ``eps_hat=True``, (5').  It equals (5) only with
   :math:`\hat\epsilon = \epsilon\sqrt{1-\beta_2^t}`; with the same number in
   both places, :math:`\hat\epsilon` is effectively
   :math:`\epsilon/\sqrt{1-\beta_2^t}` in (5)'s terms, about 32x larger at
   :math:`t = 1` for :math:`\beta_2 = 0.999`.

.. note::
   **L2 is not weight decay here.**  Because :math:`\lambda\theta` enters the
   moments, its effect is divided by :math:`\sqrt{\hat v_t}` like any gradient:
   weights with large gradients are barely decayed.  That is why AdamW
   (:mod:`~optimlab.optimizers.adamw`) decouples it; ``decoupled_weight_decay=True``
   here is AdamW (PyTorch's ``Adam(decoupled_weight_decay=True)``, Keras 3's
   ``Adam(weight_decay=...)``).
"""

import math

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Bool, Hparams, Real, decay_rate, epsilon
from ._math import WEIGHT_DECAY, bias_correction, ema, weight_decay

NAME = "adam"
FAMILY = "adaptive"
YEAR = 2014
PAPER = "https://arxiv.org/abs/1412.6980"

HPARAMS = Hparams(
    lr=Real(1e-3, low=0.0),
    beta1=decay_rate(0.9),
    beta2=decay_rate(0.999),
    eps=epsilon(1e-8),
    **WEIGHT_DECAY,
    eps_hat=Bool(False),
)
DEFAULTS = HPARAMS.defaults
#: The ranges the moments stay in (checked in a given state); shared by the optimizers built on Adam.
BOUNDS = {"v": NONNEGATIVE}


def init_slots(theta, hp):
    return {"m": np.zeros_like(theta), "v": np.zeros_like(theta)}


def moments(g, slots, hp):
    """Lines (2)-(3): the new first and second moments."""
    m = ema(slots["m"], g, hp["beta1"])  # (2)
    v = ema(slots["v"], g * g, hp["beta2"])  # (3)
    return m, v


def adam_delta(m, v, t, hp):
    r"""Lines (4)-(5), or (5'): the step :math:`\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)` to subtract."""
    if hp.get("eps_hat"):
        lr_t = hp["lr"] * math.sqrt(bias_correction(hp["beta2"], t)) / bias_correction(hp["beta1"], t)
        return lr_t * m / (np.sqrt(v) + hp["eps"])  # (5')
    m_hat = m / bias_correction(hp["beta1"], t)  # (4)
    v_hat = v / bias_correction(hp["beta2"], t)  # (4)
    return hp["lr"] * m_hat / (np.sqrt(v_hat) + hp["eps"])  # (5)


def _update(theta, g, slots, t, hp):
    theta, g = weight_decay(theta, g, hp)  # (1)
    m, v = moments(g, slots, hp)
    return theta - adam_delta(m, v, t, hp), {"m": m, "v": v}


RULE = Rule(NAME, HPARAMS, init_slots, _update, bounds=BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
