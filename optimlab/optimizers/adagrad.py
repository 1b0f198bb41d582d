r"""AdaGrad: adaptive gradient 自适应梯度, in PyTorch's form.

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`
(all operations elementwise):

.. math::

    \eta_t &= \frac{\eta}{1 + (t-1)\,\delta}                                   \quad (1)\\
    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta_t\lambda)\,\theta_{t-1}  \quad (2)\\
    h_t &= h_{t-1} + g_t^2, \qquad h_0 = h_{\text{init}}                      \quad (3)\\
    \theta_t &= \theta_{t-1} - \eta_t\, \frac{g_t}{\sqrt{h_t} + \epsilon}
        \quad\text{or, eps inside,}\quad \theta_{t-1} - \eta_t\, \frac{g_t}{\sqrt{h_t + \epsilon}}  \quad (4)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\delta` is ``lr_decay``,
:math:`h_{\text{init}}` is ``initial_accumulator_value``, :math:`\epsilon` is
``eps``, :math:`\lambda` is ``weight_decay``; ``decoupled_weight_decay``
picks the form of (2) and ``eps_inside_sqrt`` the form of (4).  Defaults:
``lr=0.01, eps=1e-10, initial_accumulator_value=0, lr_decay=0,
weight_decay=0, decoupled_weight_decay=False, eps_inside_sqrt=False``.
State: the sum of squared gradients :math:`h` (PyTorch's ``sum``).

The effective per-coordinate learning rate :math:`\eta_t/(\sqrt{h_t}+\epsilon)`
only ever shrinks: AdaGrad's strength on sparse features and its weakness on
long runs (the lecture's "學習率逐漸趨近于 0", chapter 001).

References: J. Duchi, E. Hazan, Y. Singer, "Adaptive Subgradient Methods for
Online Learning and Stochastic Optimization", JMLR 12, 2011,
https://jmlr.org/papers/v12/duchi11a.html .  Agrees with ``torch.optim.Adagrad``.

.. note::
   **Epsilon inside or outside the root** (``eps_inside_sqrt``).  The lecture
   (chapter 001) writes :math:`\theta_{t+1} = \theta_t - \frac{\eta}{\sqrt{h_t + \epsilon}} g_t`
   with :math:`\epsilon \approx 10^{-8}`, as does Keras 3 (``Adagrad(epsilon=1e-7)``):
   ``eps_inside_sqrt=True``.  PyTorch and the default here use
   :math:`\sqrt{h_t} + \epsilon` with :math:`\epsilon = 10^{-10}`.  The two differ
   only while :math:`h_t` is tiny: with :math:`h_t = 0` (a zero gradient so far)
   the step is :math:`0` either way; with :math:`h_t = 10^{-12}`,
   :math:`\sqrt{h+\epsilon} \approx 10^{-4}` but :math:`\sqrt h + \epsilon \approx 10^{-6}`.
   TensorFlow 1's ``AdagradOptimizer`` has no epsilon but starts the
   accumulator at 0.1 (``initial_accumulator_value=0.1``; Keras 3 too).

.. note::
   **Weight decay** (``decoupled_weight_decay``).  PyTorch's ``weight_decay`` is
   L2 (it accumulates in :math:`h`); Keras 3's is decoupled and multiplied by
   the current learning rate, which here is :math:`\eta_t`.
"""

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Bool, Hparams, Real, epsilon
from ._math import WEIGHT_DECAY, weight_decay

NAME = "adagrad"
FAMILY = "adaptive"
YEAR = 2011
PAPER = "https://jmlr.org/papers/v12/duchi11a.html"

HPARAMS = Hparams(
    lr=Real(0.01, low=0.0),
    eps=epsilon(1e-10),
    initial_accumulator_value=Real(0.0, low=0.0),
    lr_decay=Real(0.0, low=0.0),
    **WEIGHT_DECAY,
    eps_inside_sqrt=Bool(False),
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"h": np.full_like(theta, hp["initial_accumulator_value"])}


def _update(theta, g, slots, t, hp):
    eta_t = hp["lr"] / (1.0 + (t - 1) * hp["lr_decay"])  # (1)
    theta, g = weight_decay(theta, g, hp, lr=eta_t)  # (2)
    h = slots["h"] + g * g  # (3)
    d = np.sqrt(h + hp["eps"]) if hp["eps_inside_sqrt"] else np.sqrt(h) + hp["eps"]
    return theta - eta_t * g / d, {"h": h}  # (4)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={"h": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
