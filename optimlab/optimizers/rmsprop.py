r"""RMSprop: root-mean-square propagation 均方根传播, in PyTorch's form.

For each parameter array :math:`\theta` (all operations elementwise):

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t^2, \qquad v_0 = v_{\text{init}}  \quad (2)\\
    \bar g_t &= \rho\, \bar g_{t-1} + (1-\rho)\, g_t, \qquad \bar g_0 = 0   \quad (3)\ \text{(centered only)}\\
    s_t &= v_t \quad\text{or, centered,}\quad v_t - \bar g_t^2              \quad (4)\\
    d_t &= \sqrt{s_t} + \epsilon \quad\text{or, eps inside,}\quad \sqrt{s_t + \epsilon} \quad (5)\\
    b_t &= \mu\, b_{t-1} + g_t / d_t, \qquad b_0 = 0                        \quad (6)\ (\mu > 0 \text{ only})\\
    \theta_t &= \theta_{t-1} - \eta\, b_t \quad\text{or, if } \mu = 0,\quad \theta_{t-1} - \eta\, g_t / d_t \quad (7)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\rho` is ``rho``
(PyTorch's ``alpha``), :math:`\epsilon` is ``eps``, :math:`\mu` is
``momentum``, ``centered`` selects the centered denominator (an estimate of
the gradient's variance instead of its raw second moment), :math:`\lambda` is
``weight_decay`` (``decoupled_weight_decay`` picks the form of (1)),
``eps_inside_sqrt`` the form of (5), :math:`v_{\text{init}}` is
``initial_mean_square``.  Defaults: ``lr=0.01, rho=0.9, eps=1e-8,
momentum=0, centered=False, weight_decay=0, decoupled_weight_decay=False,
eps_inside_sqrt=False, initial_mean_square=0``.  State: ``v``, plus ``g_bar`` when centered
and ``b`` when ``momentum > 0``.

References: G. Hinton, Neural Networks for Machine Learning, Coursera lecture
6e, 2012, https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf ;
the centered form and momentum follow A. Graves, "Generating Sequences With
Recurrent Neural Networks", 2013, https://arxiv.org/abs/1308.0850 (eq. 38-41).
Agrees with ``torch.optim.RMSprop(alpha=rho, ...)``.

.. note::
   **Defaults and epsilon** (``eps_inside_sqrt``).  PyTorch's default is
   ``alpha=0.99``; this module (and the lecture's :math:`\gamma \approx 0.9`,
   Hinton's slides, Keras 3) use 0.9.  The lecture (chapters 001 and 004) puts
   epsilon inside the root, :math:`\eta/\sqrt{h_t+\epsilon}`, as do Graves
   (2013), TensorFlow 1's ``RMSPropOptimizer`` and Keras 3's ``RMSprop``:
   ``eps_inside_sqrt=True``.  PyTorch, Lua torch and the default here add it
   outside, :math:`\sqrt{v_t}+\epsilon`.

.. note::
   **The starting mean square** (``initial_mean_square``).  PyTorch and Keras
   start :math:`v_0 = 0`, so the first step divides by
   :math:`\sqrt{1-\rho}\,|g_1|` and is :math:`1/\sqrt{1-\rho} \approx 3.2` times
   the later ones; TensorFlow 1's ``RMSPropOptimizer`` (its ``rms`` slot) and
   Lua torch's ``optim.rmsprop`` started at :math:`v_0 = 1`, which damps the
   first steps instead.  TensorFlow 1 also keeps :math:`\eta` inside its
   momentum buffer (``mom = momentum * mom + lr * g / d``), the same
   trajectory as (6)-(7) while :math:`\eta` is constant.

.. note::
   **Weight decay** (``decoupled_weight_decay``): L2 in PyTorch, decoupled and
   times the learning rate in Keras 3.

.. note::
   **Momentum acts on the scaled gradient** :math:`g_t/d_t` (5), not on the
   raw gradient as in momentum SGD; the buffer starts at zero, not at the
   first value as :mod:`~optimlab.optimizers.momentum` does.

.. note::
   :math:`v_t - \bar g_t^2 \ge 0` in exact arithmetic (Jensen), but rounding can
   make it a hair negative; this module clamps it at 0 before the root,
   where PyTorch would return NaN.
"""

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Bool, Hparams, Real, decay_rate, epsilon
from ._math import WEIGHT_DECAY, ema, weight_decay

NAME = "rmsprop"
FAMILY = "adaptive"
YEAR = 2012
PAPER = "https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf"

HPARAMS = Hparams(
    lr=Real(0.01, low=0.0),
    rho=decay_rate(0.9),
    eps=epsilon(1e-8),
    momentum=Real(0.0, low=0.0, high=1.0, high_open=True),
    centered=Bool(False),
    **WEIGHT_DECAY,
    eps_inside_sqrt=Bool(False),
    initial_mean_square=Real(0.0, low=0.0),
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    slots = {"v": np.full_like(theta, hp["initial_mean_square"])}
    if hp["centered"]:
        slots["g_bar"] = np.zeros_like(theta)
    if hp["momentum"] > 0:
        slots["b"] = np.zeros_like(theta)
    return slots


def _update(theta, g, slots, t, hp):
    rho, mu, eps, lr = hp["rho"], hp["momentum"], hp["eps"], hp["lr"]
    theta, g = weight_decay(theta, g, hp)  # (1)
    v = ema(slots["v"], g * g, rho)  # (2)
    new = {"v": v}
    s = v  # (4)
    if hp["centered"]:
        g_bar = new["g_bar"] = ema(slots["g_bar"], g, rho)  # (3)
        s = np.maximum(v - g_bar * g_bar, 0.0)  # (4); >= 0 but for rounding
    d = np.sqrt(s + eps) if hp["eps_inside_sqrt"] else np.sqrt(s) + eps  # (5)
    if mu > 0:
        b = new["b"] = mu * slots["b"] + g / d  # (6)
        return theta - lr * b, new  # (7)
    return theta - lr * g / d, new  # (7)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={"v": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
