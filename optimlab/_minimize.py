"""``optimlab.minimize``: run any registered optimizer on a function, with an optional Armijo line search.

The notebooks and figures use it to compare Newton, BFGS and L-BFGS with
first-order methods on the analytic landscapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _args
from ._errors import InputTypeError
from .optimizers import get
from .optimizers._base import ignoring_fp_warnings


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


def _evaluate(fun, x, where):
    """``fun(x)`` as ``(float value, float64 gradient of x's shape)``; refuses anything else, naming *where*."""
    with ignoring_fp_warnings():  # what fun returns is checked by every caller
        out = fun(x)
    if not isinstance(out, tuple) or len(out) != 2:
        raise InputTypeError(f"minimize: fun must return (value, gradient); at {where} it returned a "
                             f"{type(out).__name__}")
    value, g = out
    try:
        value, g = float(value), np.asarray(g, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputTypeError(f"minimize: fun must return a real value and an array gradient; at {where} it "
                             f"returned {type(out[0]).__name__} and {type(out[1]).__name__}") from None
    if g.shape != x.shape:
        raise ValueError(f"minimize: fun returned a gradient of shape {g.shape} at {where}; x has shape {x.shape}")
    return value, g


def _finite(value, g):
    return bool(np.isfinite(value) and np.isfinite(g).all())


def _search(fun, x, value, d, slope, alpha, kind, c1, c2, shrink, max_trials):
    """A step length along d: Armijo backtracking, or a weak-Wolfe bracketing search.

    Returns ``(found, alpha, f(x + alpha d), grad there, number of fun calls)``.  A trial point
    where ``fun`` is NaN or inf counts as too long (it never satisfies the conditions).
    """
    lo, hi = 0.0, np.inf
    for calls in range(1, max_trials + 1):
        new_value, new_g = _evaluate(fun, x + alpha * d, "a line-search trial point")
        if not (_finite(new_value, new_g) and new_value <= value + c1 * alpha * slope):  # too long
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

    For Newton pass the Hessian: ``hparams={"hessian": f.hessian}``.  Every argument is checked
    (``0 < c1 < c2 < 1``, ``0 < shrink < 1``, ...), and so is what ``fun`` returns: a value and
    gradient that are not finite at ``x0`` raise ``ValueError``; a line-search trial point where they
    are not finite is too long; without a line search the iteration stops at the last finite point
    and says so.
    """
    f = "minimize"
    _args.function_(f, "fun", fun)
    if line_search is not None:
        line_search = _args.choice(f, "line_search", line_search, ("armijo", "wolfe"))
    module = get(method)
    hparams = dict(_args.mapping(f, "hparams", hparams) or {})
    resolved = module.HPARAMS.resolve(hparams, module.NAME)
    if line_search and "lr" not in module.DEFAULTS:
        raise ValueError(f"{method} has no 'lr' hparam, so a line search cannot scale its step")
    if line_search and not resolved["lr"] > 0:
        raise ValueError(f"minimize: the line search starts from hparam 'lr', which must be > 0; got {resolved['lr']!r}")
    x = _args.array(f, "x0", x0, kinds="fiu").astype(np.float64)
    if x.ndim != 1:
        raise ValueError(f"x0 must be a 1-D array; got shape {x.shape}")
    steps = _args.integer(f, "steps", steps, 0)
    gtol = _args.real(f, "gtol", gtol, 0.0)
    c1 = _args.real(f, "c1", c1, 0.0, 1.0, low_open=True, high_open=True)
    c2 = _args.real(f, "c2", c2, 0.0, 1.0, low_open=True, high_open=True)
    if line_search == "wolfe" and not c1 < c2:
        raise ValueError(f"minimize: the Wolfe conditions need c1 < c2; got c1={c1!r}, c2={c2!r}")
    shrink = _args.real(f, "shrink", shrink, 0.0, 1.0, low_open=True, high_open=True)
    max_backtracks = _args.integer(f, "max_backtracks", max_backtracks, 1)
    value, g = _evaluate(fun, x, "x0")
    if not _finite(value, g):
        raise ValueError(f"minimize: fun returned a value or gradient that is NaN or inf at x0 = {x.tolist()}")
    nfev, state, path, values, fallbacks = 1, None, [x.copy()], [float(value)], 0
    message = f"stopped after {steps} steps"
    for _ in range(steps):
        if np.linalg.norm(g) <= gtol:
            break
        if line_search is None:
            new_x, state = module.step(x, g, state, hparams)
            new_value, new_g = _evaluate(fun, new_x, f"step {len(path)}")
            nfev += 1
            if not _finite(new_value, new_g):
                message = f"fun is NaN or inf at step {len(path)}: the iteration diverged (lower the lr)"
                break
            x, value, g = new_x, new_value, new_g
        else:
            trial, state = module.step(x, g, state, {**hparams, "lr": 1.0})
            d = trial - x
            slope = float(g @ d)
            if not slope < 0:
                d, slope, fallbacks = -g, -float(g @ g), fallbacks + 1
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
