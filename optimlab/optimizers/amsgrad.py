r"""AMSGrad: Adam with a non-decreasing second moment (PyTorch's ``Adam(amsgrad=True)``).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t                                    \quad (2)\\
    v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2                                  \quad (3)\\
    v^{\max}_t &= \max(v^{\max}_{t-1}, v_t), \qquad v^{\max}_0 = 0                 \quad (4)\\
    \hat m_t &= m_t / (1-\beta_1^t), \qquad \hat v_t = v^{\max}_t / (1-\beta_2^t) \quad (5)\\
    \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)     \quad (6)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay``, with Adam's switches ``decoupled_weight_decay`` (the form
of (1)) and ``eps_hat`` (the paper's ordering, with :math:`v^{\max}_t` in place
of :math:`v_t`, as Keras 3's ``Adam(amsgrad=True)``): see
:mod:`~optimlab.optimizers.adam`.  Defaults (as Adam's): ``lr=1e-3,
beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0,
decoupled_weight_decay=False, eps_hat=False, max_bias_corrected=False``.
``max_bias_corrected`` keeps the max of :math:`\hat v_t` instead (optax).
State: ``m``, ``v`` and ``v_max``.

Why: Reddi et al. show Adam can converge to the *worst* point of a simple
online convex problem, because a rare large gradient is forgotten by the
exponential average :math:`v_t` before it has had its effect; keeping the
running maximum makes the paper's effective step :math:`\eta/\sqrt{v^{\max}_t}`
non-increasing (its Algorithm 2 has no bias correction).  The tests reproduce
that counterexample.  In PyTorch's bias-corrected form (5), which this module
follows, :math:`v^{\max}_t` is divided by :math:`1-\beta_2^t`, which grows, so the
effective step :math:`\eta/\sqrt{\hat v_t}` can still rise while the max stays
put: after one gradient of 1 and 99 of :math:`10^{-3}` it has risen 9.8x
(tested; errata E002-17).

References: S. J. Reddi, S. Kale, S. Kumar, "On the Convergence of Adam and
Beyond", ICLR 2018, https://openreview.net/forum?id=ryQu7f-RZ (Algorithm 2,
arXiv: https://arxiv.org/abs/1904.09237).  Agrees with ``torch.optim.Adam(amsgrad=True)``.

Reduction: while :math:`v_t` never decreases (e.g. growing gradients) AMSGrad
*is* Adam (tested).

.. note::
   **Bias correction and the max.**  The paper's Algorithm 2 has no bias
   correction and takes the max of :math:`v_t` directly.  PyTorch keeps the
   max of the *uncorrected* :math:`v_t` and divides by :math:`1-\beta_2^t`
   afterwards, as (4)-(5) do; this is not the max of the corrected
   :math:`\hat v_t`, which optax's ``amsgrad`` keeps instead
   (``max_bias_corrected`` set to True: :math:`v^{\max}_t = \max(v^{\max}_{t-1},
   v_t/(1-\beta_2^t))`, divided by nothing more).  The two differ early on,
   while :math:`1-\beta_2^t` still grows: the corrected max holds on to the
   large first estimates.  (``eps_hat`` belongs to the uncorrected form: the
   two switches do not combine.)
"""

import numpy as np

from . import adam
from ._base import NONNEGATIVE, Rule
from ._hparams import Bool
from ._math import bias_correction, weight_decay

NAME = "amsgrad"
FAMILY = "adaptive"
YEAR = 2018
PAPER = "https://openreview.net/forum?id=ryQu7f-RZ"

HPARAMS = adam.HPARAMS.derive(max_bias_corrected=Bool(False))
DEFAULTS = HPARAMS.defaults


def _init_slots(theta, hp):
    return {**adam.init_slots(theta, hp), "v_max": np.zeros_like(theta)}


def _check_hparams(tree, hp):
    if hp["eps_hat"] and hp["max_bias_corrected"]:
        raise ValueError("hparams 'eps_hat' and 'max_bias_corrected' are two libraries' forms that do not combine "
                         "(eps_hat works on the uncorrected v); set one of them")


def _update(theta, g, slots, t, hp):
    theta, g = weight_decay(theta, g, hp)  # (1)
    m, v = adam.moments(g, slots, hp)  # (2)-(3)
    if hp["max_bias_corrected"]:  # optax: the max of v_hat, which needs no further correction
        v_max = np.maximum(slots["v_max"], v / bias_correction(hp["beta2"], t))
        m_hat = m / bias_correction(hp["beta1"], t)
        return theta - hp["lr"] * m_hat / (np.sqrt(v_max) + hp["eps"]), {"m": m, "v": v, "v_max": v_max}
    v_max = np.maximum(slots["v_max"], v)  # (4)
    return theta - adam.adam_delta(m, v_max, t, hp), {"m": m, "v": v, "v_max": v_max}  # (5)-(6)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, check_tree=_check_hparams,
            bounds={**adam.BOUNDS, "v_max": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
