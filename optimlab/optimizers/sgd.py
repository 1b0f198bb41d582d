r"""SGD: stochastic gradient descent 随机梯度下降.

The update, for each parameter array :math:`\theta` with gradient :math:`g_t`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    \theta_t &= \theta_{t-1} - \eta\, g_t                               \quad (2)

Symbols to hparams: :math:`\eta` is ``lr`` and :math:`\lambda` is
``weight_decay``; ``decoupled_weight_decay`` picks the form of (1).
Defaults: ``lr=0.01, weight_decay=0, decoupled_weight_decay=False`` (the
learning rate of Keras and CS231n; ``torch.optim.SGD`` defaults to ``lr=1e-3``
since PyTorch 2.2, and optax has no default).

Line (1) is L2 regularisation: the gradient of
:math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2` added to the loss's gradient.
For plain SGD this is the same as shrinking the weights,
:math:`\theta \leftarrow (1-\eta\lambda)\theta` (the decoupled form, Keras's
``weight_decay``): both give :math:`\theta - \eta g - \eta\lambda\theta`, so the
two names are used interchangeably for SGD; with momentum or adaptive
methods they differ (see :func:`optimlab.optimizers._math.weight_decay` and
:mod:`optimlab.optimizers.adamw`).

References: H. Robbins and S. Monro, "A Stochastic Approximation Method",
Ann. Math. Statist. 22(3), 1951, https://doi.org/10.1214/aoms/1177729586 .
Agrees with ``torch.optim.SGD(lr, weight_decay=...)``.

.. note::
   The lecture (chapter 001) writes the same rule as
   :math:`\theta_{t+1} = \theta_t - \eta\nabla L(\theta_t;\mathcal{B}_t)`;
   "stochastic" refers to :math:`g_t` being computed on a mini-batch
   :math:`\mathcal{B}_t`.  Whether the gradient is full-batch or mini-batch is
   the caller's choice: the update is the same.
"""

from ._base import Rule
from ._hparams import Hparams, Real
from ._math import WEIGHT_DECAY, weight_decay

NAME = "sgd"
FAMILY = "first-order"
YEAR = 1951
PAPER = "https://doi.org/10.1214/aoms/1177729586"

HPARAMS = Hparams(lr=Real(0.01, low=0.0), **WEIGHT_DECAY)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {}


def _update(theta, g, slots, t, hp):
    theta, g = weight_decay(theta, g, hp)  # (1)
    return theta - hp["lr"] * g, {}  # (2)


RULE = Rule(NAME, HPARAMS, _init_slots, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
