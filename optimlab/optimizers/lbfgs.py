r"""L-BFGS: limited-memory BFGS with the two-loop recursion.

On the flattened parameter vector :math:`x` with gradient :math:`g_t`, keep the
last :math:`m` pairs :math:`s_i = x_{i} - x_{i-1}`, :math:`y_i = g_{i+1} - g_{i}`
(only those that pass BFGS's curvature test :math:`s_i^\top y_i > \varepsilon\,\lVert s_i\rVert\lVert y_i\rVert`,
:math:`\varepsilon = 10^{-10}`, with :math:`s_i^\top y_i` not subnormal:
:func:`optimlab.optimizers.bfgs.curvature_ok`) and compute :math:`r = H_t g_t`
without forming :math:`H_t`:

.. math::

    q &\leftarrow g_t;\quad \text{for } i = \text{newest} \dots \text{oldest}:\
        \alpha_i = \rho_i s_i^\top q,\ q \leftarrow q - \alpha_i y_i,
        \quad \rho_i = 1/(y_i^\top s_i)                                              \quad (1)\\
    r &\leftarrow \gamma\, q, \qquad \gamma = \frac{s^\top y}{y^\top y}
        \text{ of the newest pair (1 without pairs)}                                 \quad (2)\\
    &\text{for } i = \text{oldest} \dots \text{newest}:\
        \beta = \rho_i y_i^\top r,\ r \leftarrow r + s_i(\alpha_i - \beta)           \quad (3)\\
    x_t &= x_{t-1} - \eta\, r                                                        \quad (4)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`m` is ``history_size``.
Defaults: ``lr=1.0, history_size=10``.  State (float64): the lists ``s`` and
``y`` of stored pairs (newest last) and ``x_prev``, ``g_prev``; it does not
depend on ``lr``, so a line search may pick the step length.

:math:`r` equals :math:`H g` for the matrix obtained by applying the BFGS
update (:func:`optimlab.optimizers.bfgs.update_inverse_hessian`) with the
stored pairs, oldest first, to :math:`\gamma I` (tested): with
``history_size`` at least the number of iterations nothing is forgotten and
L-BFGS is dense BFGS started from that scaled identity.  Memory is
:math:`2mn` numbers instead of :math:`n^2`.

References: J. Nocedal, "Updating Quasi-Newton Matrices with Limited
Storage", Math. Comp. 35, 1980, https://doi.org/10.1090/S0025-5718-1980-0572855-7 ;
Nocedal and Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4 and eq. 7.20.

.. note::
   **Line search.**  L-BFGS learns its scale :math:`\gamma` and its pairs only
   from steps with :math:`s^\top y > 0` (the others are skipped).  Plain Armijo
   backtracking does not guarantee that; the Wolfe curvature condition does.
   From Rosenbrock's classic start (-1.2, 1) Armijo-only L-BFGS needs 673
   iterations, because 639 of its 673 pairs have :math:`s^\top y \le 0` and the
   stored pairs and :math:`\gamma` freeze; a Wolfe search
   (``optimlab.minimize(..., line_search="wolfe")``) needs 37, dense BFGS with
   Armijo 38 (recorded in the tests).  The crawl depends on the start: from
   nearby starts Armijo-only L-BFGS takes 21-45 iterations, like Wolfe.

.. note::
   PyTorch's ``torch.optim.LBFGS`` uses the same recursion with its own line
   search inside ``step(closure)``; here the line search is the caller's
   (:func:`optimlab.minimize`).
"""

from ._base import VectorRule
from ._hparams import Hparams, Int, Real
from .bfgs import curvature_ok

import numpy as np

NAME = "lbfgs"
FAMILY = "second-order"
YEAR = 1980
PAPER = "https://doi.org/10.1090/S0025-5718-1980-0572855-7"

HPARAMS = Hparams(lr=Real(1.0, low=0.0), history_size=Int(10, low=1))
DEFAULTS = HPARAMS.defaults


def two_loop(g, s_list, y_list):
    """Lines (1)-(3): :math:`H g` for the pairs stored (newest last)."""
    q, alphas = g.copy(), []
    for s, y in zip(reversed(s_list), reversed(y_list)):  # (1)
        alpha = float(s @ q) / float(y @ s)
        q = q - alpha * y
        alphas.append(alpha)
    gamma = float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1]) if s_list else 1.0
    r = gamma * q  # (2)
    for s, y, alpha in zip(s_list, y_list, reversed(alphas)):  # (3)
        beta = float(y @ r) / float(y @ s)
        r = r + s * (alpha - beta)
    return r


def _init_extra(n, hp):
    return {"s": [], "y": [], "x_prev": np.zeros(n), "g_prev": np.zeros(n)}


def _update(x, g, extra, t, hp, params):
    s_list, y_list = list(extra["s"]), list(extra["y"])
    if t > 1:
        s, y = x - extra["x_prev"], g - extra["g_prev"]
        if curvature_ok(s, y):
            s_list, y_list = (s_list + [s])[-hp["history_size"]:], (y_list + [y])[-hp["history_size"]:]
    r = two_loop(g, s_list, y_list)
    return x - hp["lr"] * r, {"s": s_list, "y": y_list, "x_prev": x, "g_prev": g}  # (4)


def _check_extra(extra, n):
    """The stored pairs come in pairs, each with s^T y > 0 (the only ones this module stores)."""
    if len(extra["s"]) != len(extra["y"]):
        raise ValueError(f"lbfgs state holds {len(extra['s'])} vectors 's' but {len(extra['y'])} vectors 'y': "
                         "they are stored in pairs")
    for i, (s, y) in enumerate(zip(extra["s"], extra["y"])):
        if not float(s @ y) > 0:
            raise ValueError(f"lbfgs state pair {i} has s^T y = {float(s @ y):.3g}; only pairs with s^T y > 0 "
                             "are stored (the curvature condition)")


RULE = VectorRule(NAME, HPARAMS, _init_extra, _update, check_extra=_check_extra)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
