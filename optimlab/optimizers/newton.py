r"""Newton's method 牛顿法, with optional damping and a saddle-free (positive-definite) correction.

On the flattened parameter vector :math:`x` (all arrays, in key order), with
gradient :math:`g_t` and Hessian :math:`H_t = \nabla^2 L(x_{t-1})`:

.. math::

    \tilde H_t &= H_t + \delta I
        \quad\text{or, saddle-free,}\quad V|\Lambda|V^\top + \delta I
        \quad (H_t = V\Lambda V^\top)                                    \quad (1)\\
    d_t &= -\tilde H_t^{-1} g_t                                          \quad (2)\\
    x_t &= x_{t-1} + \eta\, d_t                                          \quad (3)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\delta` is ``damping``,
``saddle_free`` replaces the eigenvalues of :math:`H` by their absolute values,
and ``hessian`` is a callable ``params -> (n, n) array`` giving :math:`H` at
the current params (given in the same structure as ``params``).  Defaults:
``lr=1.0, damping=0, saddle_free=False``; ``hessian=None`` means it is
required (there is no default Hessian).  State: the step counter only.  Computed in float64.

On a quadratic :math:`\tfrac12 x^\top A x - b^\top x` with :math:`A` positive
definite, one step with ``lr=1`` lands on the minimum :math:`A^{-1}b` (tested).

**Saddles.**  Newton's step solves :math:`\nabla L = 0` for the local
quadratic model, so it is attracted to *any* stationary point: on
:math:`x^2 - y^2` it jumps onto the saddle in one step (tested).  Two fixes
are available and tested: damping :math:`\delta` larger than the most negative
eigenvalue's magnitude makes :math:`\tilde H` positive definite
(Levenberg-Marquardt style), and ``saddle_free=True`` uses :math:`|H|`
(Dauphin et al. 2014), which keeps Newton's step size in every direction but
turns the negative-curvature directions into descent directions.

References: J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
Springer 2006, ch. 3.3 and 3.4, https://doi.org/10.1007/978-0-387-40065-5 ;
Y. Dauphin et al., "Identifying and attacking the saddle point problem in
high-dimensional non-convex optimization", NeurIPS 2014,
https://arxiv.org/abs/1406.2572 .  Use :func:`optimlab.minimize` for a
line search.

.. note::
   The lecture (chapter 001) writes :math:`\theta_{t+1} = \theta_t - H^{-1}\nabla L`
   and notes the non-positive-definite risk; this module is that formula with
   ``lr=1, damping=0`` and offers the two standard corrections.
"""

import numpy as np

from .._errors import InputTypeError
from ._base import VectorRule
from ._hparams import Bool, Function, Hparams, Real

NAME = "newton"
FAMILY = "second-order"
YEAR = 1669
PAPER = "https://doi.org/10.1007/978-0-387-40065-5"

HPARAMS = Hparams(
    lr=Real(1.0, low=0.0),
    damping=Real(0.0, low=0.0),
    saddle_free=Bool(False),
    hessian=Function(None, required=True),
)
DEFAULTS = HPARAMS.defaults


def modified_hessian(H, damping=0.0, saddle_free=False):
    r"""Line (1): :math:`H + \delta I`, or :math:`V|\Lambda|V^\top + \delta I`."""
    H = 0.5 * (H + H.T)
    if saddle_free:
        lam, V = np.linalg.eigh(H)
        H = (V * np.abs(lam)) @ V.T
    return H + damping * np.eye(len(H))


def _init_extra(n, hp):
    return {}


def _update(x, g, extra, t, hp, params):
    value = hp["hessian"](params)
    try:
        H = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputTypeError(f"hparams['hessian'] returned a {type(value).__name__}, not an array of numbers") from None
    if H.shape != (x.size, x.size):
        raise ValueError(f"hparams['hessian'] returned shape {H.shape}; expected ({x.size}, {x.size})")
    if not np.isfinite(H).all():
        raise ValueError("hparams['hessian'] returned a matrix with NaN or inf entries")
    try:
        d = -np.linalg.solve(modified_hessian(H, hp["damping"], hp["saddle_free"]), g)  # (2)
    except np.linalg.LinAlgError:
        raise ValueError("the (modified) Hessian is singular here: add damping") from None
    return x + hp["lr"] * d, {}  # (3)


RULE = VectorRule(NAME, HPARAMS, _init_extra, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
