r"""Ranger: Lookahead over RAdam (Less Wright's 2019 optimizer), as that composition.

.. math::

    \theta_t &= \text{RAdam step}(\theta_{t-1}, g_t)        \quad (1)\\
    \phi &\leftarrow \phi + \alpha\,(\theta_t - \phi),\quad \theta_t \leftarrow \phi
        \quad\text{if } t \bmod k = 0                          \quad (2)

Line (1) is :mod:`~optimlab.optimizers.radam` (whose docstring has the
rectified update), line (2) is :mod:`~optimlab.optimizers.lookahead`; this
module only fixes Ranger's settings and passes them to the two.

Symbols to hparams: RAdam's :math:`\eta, \beta_1, \beta_2, \epsilon,
\lambda, \rho_{\text{thr}}` are ``lr``, ``beta1``, ``beta2``, ``eps``,
``weight_decay``, ``rho_threshold`` (with RAdam's switches
``decoupled_weight_decay``, ``eps_hat`` and ``unrectified``); Lookahead's :math:`k, \alpha`
are ``k``, ``alpha``.  Defaults (Ranger's, not RAdam's): ``lr=1e-3,
beta1=0.95, beta2=0.999, eps=1e-5, weight_decay=0,
decoupled_weight_decay=False, eps_hat=True, rho_threshold=5,
unrectified="bias_corrected", k=6, alpha=0.5``.
State: Lookahead's (slow weights, and RAdam's state under ``"inner"``).

References: L. Wright, "New Deep Learning Optimizer, Ranger: Synergistic
combination of RAdam + LookAhead for the best of both", 2019,
https://github.com/lessw2020/Ranger-Deep-Learning-Optimizer ; the parts:
https://arxiv.org/abs/1908.03265 (RAdam), https://arxiv.org/abs/1907.08610
(Lookahead).  Tested equal to ``lookahead`` with ``inner="radam"``.

.. note::
   **Gradient centralization** (Yong et al. 2020, added to Ranger in 2020) is
   not part of this module: it subtracts each output unit's mean gradient,
   which depends on a weight layout convention (PyTorch's ``(out, in)`` vs
   this library's ``(fan_in, fan_out)``).  The lecture's chapters describe the
   2019 Ranger, which is what this is.  Its threshold is PyTorch/RAdam-code's
   5; Wright's original code also used 5.  That code (``ranger/ranger.py``)
   decays the weights decoupled, ``p -= weight_decay * lr * p``
   (``decoupled_weight_decay=True`` here), and takes the bias-corrected
   momentum step before the threshold (the default ``unrectified``).

.. note::
   **Ranger's defaults changed after its first release.**  The code of
   2019-08-18 (the version Wright's Medium post of 2019-08-20 describes) had
   ``betas=(.9, 0.999), eps=1e-8``; :math:`\beta_1 = 0.95` arrived on
   2019-08-28 ("beta default of .95 instead of .90 based on testing with
   ImageWoof") and :math:`\epsilon = 10^{-5}` on 2019-08-31, and the threshold
   was briefly 4 (from 2019-08-26) before becoming the parameter
   ``N_sma_threshhold=5``.  This module's defaults are those of the later 2019
   code (k = 6, alpha = 0.5, beta1 = 0.95, eps = 1e-5, threshold 5), also
   pytorch-optimizer's ``Ranger``'s; ``beta1=0.9, eps=1e-8`` give the first
   release's betas and epsilon (errata E000-37).
"""

from . import lookahead, radam
from ._hparams import Hparams, Int, Real, decay_rate, epsilon

NAME = "ranger"
FAMILY = "wrapper"
YEAR = 2019
PAPER = "https://github.com/lessw2020/Ranger-Deep-Learning-Optimizer"

HPARAMS = Hparams(
    **{**radam.HPARAMS.specs, "beta1": decay_rate(0.95), "eps": epsilon(1e-5)},
    k=Int(6, low=1),
    alpha=Real(0.5, low=0.0, high=1.0),
)
DEFAULTS = HPARAMS.defaults


def split(hp):
    """Ranger's hparams as ``(radam_hparams, k, alpha)``."""
    inner = {name: hp[name] for name in radam.HPARAMS.specs}
    return inner, hp["k"], hp["alpha"]


def init(params, hparams=None):
    """The state before the first step (what ``step`` uses when given ``state=None``)."""
    inner, _, _ = split(HPARAMS.resolve(hparams, NAME))
    return {**lookahead.init(params, {"inner": "radam", "inner_hparams": inner}), "optimizer": NAME}


def step(params, grads, state=None, hparams=None, *, check_finite=True):
    """One Ranger step: a RAdam step, and a Lookahead synchronisation every k; see the module docstring."""
    inner, k, alpha = split(HPARAMS.resolve(hparams, NAME))
    return lookahead.lookahead_step(NAME, radam, inner, k, alpha, params, grads, state, check_finite)
