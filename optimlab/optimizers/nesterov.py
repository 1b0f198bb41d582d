r"""Nesterov momentum 涅斯捷罗夫动量, in PyTorch's form and in the look-ahead form.

**PyTorch's form** (what :func:`step` does), for each array :math:`\theta`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    b_t &= \mu\, b_{t-1} + g_t, \qquad b_0 = 0                     \quad (2)\\
    \theta_t &= \theta_{t-1} - \eta\,(g_t + \mu\, b_t)              \quad (3)

with :math:`g_t` the gradient at the current parameters.

**The look-ahead form** (Sutskever et al. 2013, eq. 3-4; what
:func:`lookahead_point` and :func:`lookahead_step` do) keeps a velocity
:math:`v` and evaluates the gradient at the look-ahead point
:math:`\phi_{t-1} = \theta_{t-1} + \mu v_{t-1}`:

.. math::

    v_t &= \mu\, v_{t-1} - \eta\,\big(\nabla L(\phi_{t-1}) + \lambda\,\phi_{t-1}\big), \qquad v_0 = 0  \quad (4)\\
    \theta_t &= \theta_{t-1} + v_t                                                      \quad (5)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\mu` is ``momentum``,
:math:`\lambda` is ``weight_decay``; ``decoupled_weight_decay`` picks the
form of (1) (L2 is PyTorch's, decoupled is Keras 3's ``SGD(nesterov=True,
weight_decay=...)``).  Defaults: ``lr=0.01, momentum=0.9, weight_decay=0,
decoupled_weight_decay=False``.  The look-ahead form takes L2 only (its
equivalence with (1)-(3) is the L2 one).

**Why the two forms are one trajectory.** Write :math:`p_t = \theta_t + \mu v_t`
(the look-ahead point) and :math:`v_t = -\eta b_t`.  Then (4) is (2) with the
gradient taken at :math:`p_{t-1}`, and
:math:`p_t = p_{t-1} - \mu v_{t-1} + (1+\mu) v_t = p_{t-1} + \mu v_t - \eta g_t
= p_{t-1} - \eta (g_t + \mu b_t)`, which is (3).  So PyTorch's parameters
*are* the look-ahead points; with :math:`v_0 = 0` both start at the same
point, and the tests check the two trajectories coincide step by step (for a
constant :math:`\eta`).

References: Y. Nesterov, "A method for solving the convex programming problem
with convergence rate O(1/k^2)", Soviet Math. Dokl. 27, 1983; I. Sutskever et
al., ICML 2013, https://proceedings.mlr.press/v28/sutskever13.html .
Agrees with ``torch.optim.SGD(lr, momentum, nesterov=True, weight_decay)``.

.. note::
   **The lecture's look-ahead point** (chapter 001) is
   :math:`\tilde\theta_t = \theta_t - \gamma m_{t-1}` with
   :math:`\theta_{t+1} = \theta_t - \eta m_t`: the learning rate is missing
   from the look-ahead shift (it should be :math:`\theta_t - \eta\gamma m_{t-1}`,
   i.e. :math:`\theta + \mu v` with :math:`v = -\eta m`).  Chapter 000 gives
   no formula (the slides were images).
"""

import numpy as np

from ._base import Rule, as_tree, check_state, SINGLE_KEY
from ._hparams import Hparams, Real
from ._math import WEIGHT_DECAY, weight_decay

NAME = "nesterov"
FAMILY = "momentum"
YEAR = 1983
PAPER = "https://proceedings.mlr.press/v28/sutskever13.html"

HPARAMS = Hparams(
    lr=Real(0.01, low=0.0),
    momentum=Real(0.9, low=0.0, high=1.0, high_open=True),
    **WEIGHT_DECAY,
)
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {"b": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    mu = hp["momentum"]
    theta, g = weight_decay(theta, g, hp)  # (1)
    b = mu * slots["b"] + g  # (2)
    return theta - hp["lr"] * (g + mu * b), {"b": b}  # (3)


RULE = Rule(NAME, HPARAMS, _init_slots, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)


# --- the look-ahead (Sutskever) form -------------------------------------------------

LOOKAHEAD_NAME = "nesterov_lookahead"
LOOKAHEAD_HPARAMS = HPARAMS.derive(drop=("decoupled_weight_decay",))  # (4) has L2 only


def _init_velocity(theta, hp):
    return {"v": np.zeros_like(theta)}


def _lookahead_update(theta, g, slots, t, hp):
    mu, v = hp["momentum"], slots["v"]
    phi = theta + mu * v
    if hp["weight_decay"]:
        g = g + hp["weight_decay"] * phi
    v = mu * v - hp["lr"] * g  # (4)
    return theta + v, {"v": v}  # (5)


LOOKAHEAD_RULE = Rule(LOOKAHEAD_NAME, LOOKAHEAD_HPARAMS, _init_velocity, _lookahead_update)


def lookahead_point(params, state=None, hparams=None):
    r"""The point :math:`\phi = \theta + \mu v` where the look-ahead form wants its gradient.

    *state* is a look-ahead-form state (from :func:`lookahead_step`) or
    ``None`` (before the first step, :math:`v = 0` and :math:`\phi = \theta`).
    Returns new arrays in the structure of *params*.
    """
    hp = LOOKAHEAD_HPARAMS.resolve(hparams, LOOKAHEAD_NAME)
    tree, single = as_tree(params)
    if state is None:
        phi = {k: theta.copy() for k, theta in tree.items()}
    else:
        check_state(state, LOOKAHEAD_NAME, tree, {k: _init_velocity(p, hp) for k, p in tree.items()})
        phi = {k: theta + hp["momentum"] * state["slots"][k]["v"] for k, theta in tree.items()}
    return phi[SINGLE_KEY] if single else phi


# One step of the look-ahead form, (4)-(5): *grads* must be taken at lookahead_point(params, state).
lookahead_init, lookahead_step = LOOKAHEAD_RULE.init, LOOKAHEAD_RULE.step
