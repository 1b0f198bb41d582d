"""``optimlab.minimize``: run any registered optimizer on a function, with an optional Armijo line search.

The notebooks and figures use it to compare Newton, BFGS and L-BFGS with
first-order methods on the analytic landscapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .optimizers import get


@dataclass
class MinimizeResult:
    """What :func:`minimize` returns: the end point, and the whole path for plots."""

    x: np.ndarray
    fun: float
    grad: np.ndarray
    nit: int  # optimizer steps taken
    nfev: int  # calls of fun (line-search trials included)
    converged: bool  # gradient norm reached gtol
    message: str
    path: np.ndarray = field(repr=False)  # (nit + 1, n): x_0 ... x_nit
    values: np.ndarray = field(repr=False)  # (nit + 1,): fun at each point of path


def _search(fun, x, value, d, slope, alpha, kind, c1, c2, shrink, max_trials):
    """A step length along d: Armijo backtracking, or a weak-Wolfe bracketing search.

    Returns ``(found, alpha, f(x + alpha d), grad there, number of fun calls)``.
    """
    lo, hi = 0.0, np.inf
    for calls in range(1, max_trials + 1):
        new_value, new_g = fun(x + alpha * d)
        if new_value > value + c1 * alpha * slope:  # sufficient decrease fails: too long
            hi = alpha
        elif kind == "wolfe" and float(new_g @ d) < c2 * slope:  # still steeply downhill: too short
            lo = alpha
        else:
            return True, alpha, new_value, new_g, calls
        if kind == "armijo":
            alpha *= shrink
        else:
            alpha = 0.5 * (lo + hi) if np.isfinite(hi) else 2.0 * lo
    return False, alpha, new_value, new_g, max_trials


def minimize(fun, x0, method="bfgs", hparams=None, steps=100, line_search="armijo", gtol=1e-8, c1=1e-4, c2=0.9,
             shrink=0.5, max_backtracks=60) -> MinimizeResult:
    r"""Minimise ``fun`` from ``x0`` with the optimizer registered as *method*.

    ``fun(x)`` returns ``(value, gradient)`` for a 1-D array ``x`` (a
    landscape's ``fun`` does).  Each iteration asks the optimizer for its step
    *direction* ``d`` (its step with ``lr=1``); without a line search the
    point moves by ``lr * d`` (the optimizer's own step), with
    ``line_search="armijo"`` by ``alpha * d`` where ``alpha`` starts at the
    optimizer's ``lr`` and is multiplied by *shrink* until the sufficient
    decrease condition :math:`f(x + \alpha d) \le f(x) + c_1 \alpha\, g^\top d`
    holds; ``line_search="wolfe"`` also requires the curvature condition
    :math:`\nabla f(x + \alpha d)^\top d \ge c_2\, g^\top d` and lengthens the
    step (doubling, then bisecting a bracket) until both hold, which lets
    quasi-Newton methods, L-BFGS above all, learn the curvature along long
    valleys.  If ``d`` is not a descent direction (:math:`g^\top d \ge 0`, e.g.
    Newton at a point where the Hessian is indefinite) the iteration falls back
    to ``d = -g`` and says so in the message.  Stops when
    :math:`\lVert g\rVert \le` *gtol* or after *steps* iterations.

    For Newton pass the Hessian: ``hparams={"hessian": f.hessian}``.
    """
    if line_search not in ("armijo", "wolfe", None):
        raise ValueError(f"line_search must be 'armijo', 'wolfe' or None; got {line_search!r}")
    module = get(method)
    hparams = dict(hparams or {})
    if line_search and "lr" not in module.DEFAULTS:
        raise ValueError(f"{method} has no 'lr' hparam, so a line search cannot scale its step")
    x = np.array(x0, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a 1-D array; got shape {x.shape}")
    value, g = fun(x)
    nfev, state, path, values, fallbacks = 1, None, [x.copy()], [float(value)], 0
    message = f"stopped after {steps} steps"
    for _ in range(steps):
        if np.linalg.norm(g) <= gtol:
            break
        if line_search is None:
            x, state = module.step(x, np.asarray(g, float), state, hparams)
            value, g = fun(x)
            nfev += 1
        else:
            trial, state = module.step(x, np.asarray(g, float), state, {**hparams, "lr": 1.0})
            d = trial - x
            slope = float(g @ d)
            if not slope < 0:
                d, slope, fallbacks = -np.asarray(g, float), -float(g @ g), fallbacks + 1
            alpha = hparams.get("lr", module.DEFAULTS["lr"])
            found, alpha, new_value, new_g, calls = _search(fun, x, value, d, slope, alpha, line_search, c1, c2,
                                                            shrink, max_backtracks)
            nfev += calls
            if not found:
                message = "the line search found no acceptable step"
                break
            x, value, g = x + alpha * d, new_value, new_g
        path.append(x.copy())
        values.append(float(value))
    converged = bool(np.linalg.norm(g) <= gtol)
    if converged:
        message = f"gradient norm <= {gtol:g}"
    if fallbacks:
        message += f" ({fallbacks} steps fell back to -grad: not a descent direction)"
    return MinimizeResult(x, float(value), np.asarray(g), len(path) - 1, nfev, converged, message,
                          np.array(path), np.array(values))
