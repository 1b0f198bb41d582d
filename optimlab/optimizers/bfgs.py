r"""BFGS: a quasi-Newton method 拟牛顿法 with a dense inverse-Hessian approximation.

On the flattened parameter vector :math:`x` with gradient :math:`g_t` (at
:math:`x_{t-1}`), and :math:`H_0 = I`:

.. math::

    s &= x_{t-1} - x_{t-2}, \qquad y = g_t - g_{t-1}, \qquad \rho = 1/(y^\top s)  \quad (1)\\
    H_0 &\leftarrow \frac{s^\top y}{y^\top y}\, I \quad\text{before the first update}          \quad (2)\\
    H_t &= (I - \rho\, s y^\top)\, H_{t-1}\, (I - \rho\, y s^\top) + \rho\, s s^\top
        \quad\text{if } s^\top y > \varepsilon\,\lVert s\rVert\lVert y\rVert,\ \text{else } H_t = H_{t-1}   \quad (3)\\
    x_t &= x_{t-1} - \eta\, H_t\, g_t                                                          \quad (4)

(1)-(3) are skipped on the first step, which is a gradient step.  Symbols to
hparams: :math:`\eta` is ``lr``.  Defaults: ``lr=1.0``.  State (float64): the
inverse-Hessian approximation ``H`` (:math:`n\times n`), and the previous
point and gradient ``x_prev``, ``g_prev``.  The state does not depend on
``lr``, so a line search may choose the step length afterwards
(:func:`optimlab.minimize` does).

After every update the **secant condition** :math:`H_t y = s` holds (tested):
the approximation reproduces the observed change of gradient.  (3) keeps
:math:`H` positive definite as long as :math:`s^\top y > 0`, which a Wolfe line
search guarantees and which is checked here otherwise, with the margin
:math:`\varepsilon = 10^{-10}` relative to :math:`\lVert s\rVert\lVert y\rVert`
and :math:`s^\top y` at least the smallest normal float64 (2.2e-308)
(:func:`curvature_ok`): a pair whose curvature is lost in round-off (nearly
orthogonal :math:`s` and :math:`y`, or, after the method has converged, an
:math:`s^\top y` so small that it is subnormal and its reciprocal :math:`\rho`
overflows) is skipped instead of poisoning :math:`H`.  With exact line
searches on an :math:`n`-dimensional quadratic BFGS terminates in at most
:math:`n` steps (tested).

References: Nocedal and Wright, *Numerical Optimization*, 2nd ed., Springer
2006, ch. 6.1 (eq. 6.17 and the scaling 6.20),
https://doi.org/10.1007/978-0-387-40065-5 ; C. G. Broyden, R. Fletcher,
D. Goldfarb, D. F. Shanno, 1970.

.. note::
   The lecture (chapter 001) writes the update as
   :math:`D_{t+1} = (I - \rho s y^\top) D_t (I - \rho y s^\top) + \rho s s^\top`
   with :math:`\theta_{t+1} = \theta_t - D_t \nabla L_t`: the same formula, where
   (4) uses the freshly updated matrix (the usual order: update with the
   newest pair, then step).
"""

import numpy as np

from ._base import VectorRule
from ._hparams import Hparams, Real

NAME = "bfgs"
FAMILY = "second-order"
YEAR = 1970
PAPER = "https://doi.org/10.1007/978-0-387-40065-5"

HPARAMS = Hparams(lr=Real(1.0, low=0.0))
DEFAULTS = HPARAMS.defaults


def update_inverse_hessian(H, s, y):
    """Line (3): the BFGS update of an inverse-Hessian approximation with the pair (s, y)."""
    rho = 1.0 / float(y @ s)
    V = np.eye(len(s)) - rho * np.outer(y, s)
    return V.T @ H @ V + rho * np.outer(s, s)


#: The curvature margin of (3): pairs with s^T y <= CURVATURE_MARGIN * ||s|| ||y|| are skipped.
CURVATURE_MARGIN = 1e-10


def curvature_ok(s, y) -> bool:
    """The curvature condition of (3) with round-off margins.

    ``s @ y > CURVATURE_MARGIN * |s| |y|`` and ``s @ y`` is a normal float64
    (at least ``np.finfo(np.float64).tiny``), so that :math:`\rho = 1/(s^\top y)`
    is finite and not dominated by round-off.
    """
    sy = float(s @ y)
    return sy >= np.finfo(np.float64).tiny and sy > CURVATURE_MARGIN * float(np.linalg.norm(s)) * float(np.linalg.norm(y))


def _init_extra(n, hp):
    return {"H": np.eye(n), "x_prev": np.zeros(n), "g_prev": np.zeros(n)}


def _update(x, g, extra, t, hp, params):
    H = extra["H"]
    if t > 1:
        s, y = x - extra["x_prev"], g - extra["g_prev"]  # (1)
        if curvature_ok(s, y):
            if t == 2:
                H = float(s @ y) / float(y @ y) * np.eye(len(x))  # (2)
            H = update_inverse_hessian(H, s, y)  # (3)
    return x - hp["lr"] * (H @ g), {"H": H, "x_prev": x, "g_prev": g}  # (4)


RULE = VectorRule(NAME, HPARAMS, _init_extra, _update)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
