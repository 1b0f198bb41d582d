r"""LARS: layer-wise adaptive rate scaling 逐层自适应学习率 (pytorch-optimizer's form).

For each parameter array :math:`\theta` with more than one dimension (a
weight matrix or kernel):

.. math::

    r &= \frac{\eta_{\text{tr}}\, \lVert\theta_{t-1}\rVert}{\lVert g_t\rVert + \lambda \lVert\theta_{t-1}\rVert}
         \quad\text{or}\quad \frac{\eta_{\text{tr}}\, \lVert\theta_{t-1}\rVert}{\lVert g_t + \lambda\theta_{t-1}\rVert}
         \quad (1 \text{ if } \lVert\theta\rVert = 0 \text{ or the denominator is } 0)   \quad (1)\\
    u_t &= r\,(g_t + \lambda\,\theta_{t-1})                                           \quad (2)\\
    b_t &= \mu\, b_{t-1} + (1-\tau)\, u_t, \qquad b_0 = 0                              \quad (3)\\
    \theta_t &= \theta_{t-1} - \eta\, b_t
        \quad\text{(or, with Nesterov, } \theta_{t-1} - \eta\,(u_t + \mu b_t)\text{)}   \quad (4)

Arrays with one dimension or none (biases, gains, scalars) skip (1)-(2):
:math:`u_t = g_t`, no trust ratio and no weight decay, then (3)-(4); with
``exclude_vectors=False`` every array goes through (1)-(4).

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\mu` is ``momentum``,
:math:`\tau` is ``dampening``, ``nesterov`` selects the Nesterov form,
:math:`\lambda` is ``weight_decay``, :math:`\eta_{\text{tr}}` is
``trust_coefficient``, ``trust_denominator`` picks the denominator of (1)
(``"grad_plus_decay"``: :math:`\lVert g\rVert + \lambda\lVert\theta\rVert`, or
``"update"``: :math:`\lVert g + \lambda\theta\rVert`), ``exclude_vectors`` says
whether arrays with ndim <= 1 skip (1)-(2).  Defaults: ``lr=1e-3,
momentum=0.9, dampening=0, nesterov=False, weight_decay=0,
trust_coefficient=0.001, trust_denominator="grad_plus_decay",
exclude_vectors=True``.  State: the buffer
``b`` per array (none when ``momentum=0``).  Norms are Frobenius norms of the
whole array ("layer").

The trust ratio makes the step of each layer proportional to its weight norm
(:math:`\lVert \eta u\rVert \approx \eta\,\eta_{\text{tr}}\lVert\theta\rVert`), whatever
its gradient's scale: the cure for layers whose gradients are tiny or huge
relative to their weights, which is what breaks large-batch SGD.

References: Y. You, I. Gitman, B. Ginsburg, "Large Batch Training of
Convolutional Networks", 2017, https://arxiv.org/abs/1708.03888 (Algorithm 1).
Agrees with ``pytorch_optimizer.LARS``.

.. note::
   **Conventions.**  The paper's Algorithm 1 puts the global learning rate
   inside the momentum, :math:`v = m v + \gamma_t \eta_{\text{tr}}\lVert w\rVert/(\lVert g\rVert +
   \beta\lVert w\rVert)\,(g + \beta w)`, and applies LARS to every layer; this
   module follows pytorch-optimizer (``lr`` outside the buffer, which gives the
   same trajectory while the learning rate is constant; 1-D arrays excluded,
   as is usual for biases and normalisation gains).  Unlike
   ``torch.optim.SGD``, the buffer starts at zero and dampening applies from
   the first step.  optax's ``lars`` applies the trust ratio and the decay to
   every array by default (``exclude_vectors=False``) and divides by the norm
   of the decayed gradient, :math:`\lVert g + \lambda\theta\rVert`
   (``trust_denominator="update"``, from ``add_decayed_weights`` followed by
   ``scale_by_trust_ratio``); the two denominators agree when :math:`\lambda = 0`.
"""

import numpy as np

from ._base import Rule
from ._hparams import Bool, Choice, Hparams, Real
from ._math import norm

NAME = "lars"
FAMILY = "layer-wise"
YEAR = 2017
PAPER = "https://arxiv.org/abs/1708.03888"

HPARAMS = Hparams(
    lr=Real(1e-3, low=0.0),
    momentum=Real(0.9, low=0.0, high=1.0, high_open=True),
    dampening=Real(0.0, low=0.0, high=1.0, high_open=True),  # 1 would keep the buffer at its starting 0
    nesterov=Bool(False),
    weight_decay=Real(0.0, low=0.0),
    trust_coefficient=Real(0.001, low=0.0),
    trust_denominator=Choice("grad_plus_decay", ("grad_plus_decay", "update")),
    exclude_vectors=Bool(True),
)
DEFAULTS = HPARAMS.defaults


def trust_ratio(theta, g, hp):
    """Line (1) for one array (a Python float)."""
    lam = hp["weight_decay"]
    w_norm = norm(theta)
    if hp["trust_denominator"] == "update":
        denominator = norm(g + lam * theta)
    else:
        denominator = norm(g) + lam * w_norm
    if w_norm == 0.0 or denominator == 0.0:
        return 1.0
    return hp["trust_coefficient"] * w_norm / denominator


def _init_slots(theta, hp):
    return {"b": np.zeros_like(theta)} if hp["momentum"] > 0 else {}


def _update(theta, g, slots, t, hp):
    mu, lr = hp["momentum"], hp["lr"]
    u = g
    if theta.ndim > 1 or not hp["exclude_vectors"]:
        u = trust_ratio(theta, g, hp) * (g + hp["weight_decay"] * theta)  # (1)-(2)
    if mu == 0:
        return theta - lr * u, {}
    b = mu * slots["b"] + (1.0 - hp["dampening"]) * u  # (3)
    if hp["nesterov"]:
        return theta - lr * (u + mu * b), {"b": b}  # (4)
    return theta - lr * b, {"b": b}  # (4)


RULE = Rule(NAME, HPARAMS, _init_slots, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
