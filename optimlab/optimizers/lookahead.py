r"""Lookahead: "k steps forward, 1 step back" 前瞻, a wrapper over any registered optimizer.

Keep slow weights :math:`\phi` beside the fast weights :math:`\theta` that
the inner optimizer moves.  With :math:`\theta_0 = \phi_0` and a step counter
:math:`t = 1, 2, \dots` of inner steps:

.. math::

    \theta_t &= \text{inner step}(\theta_{t-1}, g_t)                          \quad (1)\\
    \phi &\leftarrow \phi + \alpha\,(\theta_t - \phi)  \quad\text{if } t \bmod k = 0 \quad (2)\\
    \theta_t &\leftarrow \phi  \qquad\qquad\qquad\ \text{if } t \bmod k = 0     \quad (3)

Symbols to hparams: :math:`k` is ``k``, :math:`\alpha` is ``alpha``, the
inner optimizer is ``inner`` (a registry name) with hparams
``inner_hparams`` (a dict, ``None`` for its defaults).  Defaults:
``inner="adam", inner_hparams=None, k=5, alpha=0.5``.  State: the slow
weights ``slow`` per param (in float32 for half-precision params, like every
slot) and the inner optimizer's whole state under ``state["inner"]``, which
must be there and have taken as many steps; the inner state is kept across synchronisations (the
paper's Algorithm 1 leaves the inner optimizer's state alone; resetting it is
a variant the paper also discusses).

Between synchronisations the returned params are the fast weights; right
after one, fast = slow.

References: M. R. Zhang, J. Lucas, G. Hinton, J. Ba, "Lookahead Optimizer:
k steps forward, 1 step back", NeurIPS 2019, https://arxiv.org/abs/1907.08610
(Algorithm 1).

Reductions (tested): ``alpha=1`` is the inner optimizer (the slow weights
jump to the fast ones); with ``k=1`` as well.  ``alpha=0`` never moves.

.. note::
   **Which side alpha is on.**  The paper's (2) is
   :math:`\phi \leftarrow (1-\alpha)\phi + \alpha\theta`.  The lecture
   (chapter 001) writes
   :math:`\theta^{slow}_t = \alpha\,\theta^{slow}_{t-k} + (1-\alpha)\,\theta^{fast}_t`,
   with :math:`\alpha` on the *slow* side: its :math:`\alpha` is this module's
   :math:`1-\alpha`.  The two agree only at :math:`\alpha = 0.5`, the value the
   lecture gives ("通常取值約為 0.5" in chapter 001, "默认情况下为0.5" in chapter
   000), which is also pytorch-optimizer's default (``Lookahead(k=5, alpha=0.5)``)
   and this module's.  The authors' official code (michaelrzhang/lookahead,
   ``la_alpha=0.8``) defaults to 0.8 on the paper's side: the slow weights move
   0.8 of the way to the fast ones (this module with ``alpha=0.8``, tested);
   the same 0.8 read into the lecture's formula would move them only 0.2 of the
   way (errata E001-51).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .._errors import StepOverflowError
from ._base import (SINGLE_KEY, array_label, as_tree, check_finite_tree, check_result, check_state, compute_dtype,
                    ignoring_fp_warnings, match_grads)
from ._hparams import Hparams, Int, OptimizerName, OptionalMapping, Real

NAME = "lookahead"
FAMILY = "wrapper"
YEAR = 2019
PAPER = "https://arxiv.org/abs/1907.08610"

HPARAMS = Hparams(
    inner=OptimizerName("adam"),
    inner_hparams=OptionalMapping(None),
    k=Int(5, low=1),
    alpha=Real(0.5, low=0.0, high=1.0),
)
DEFAULTS = HPARAMS.defaults


def _slots(tree):
    """Fresh slow weights: a copy of each param, in the dtype the steps compute in (float32 for half precision)."""
    return {key: {"slow": theta.astype(compute_dtype(theta.dtype))} for key, theta in tree.items()}


def _interpolate(phi, theta, alpha):
    """Line (2), as an array of phi's dtype (0-d arrays included)."""
    return np.asarray(phi + alpha * (theta - phi), dtype=phi.dtype)


def _inner_state(state, name, t):
    """The inner optimizer's state kept in a Lookahead *state* at step count *t* (refused if missing or out of step)."""
    inner = state.get("inner")
    if not isinstance(inner, Mapping):
        raise ValueError(f"{name} state has no 'inner' part (the inner optimizer's state; got {inner!r}): "
                         f"pass a state returned by {name}.step or {name}.init")
    if inner.get("t") != t:
        raise ValueError(f"{name} state['inner'] has taken {inner.get('t')!r} steps but the {name} state {t}: "
                         "they belong to different runs")
    return inner


def lookahead_step(name, inner, inner_hparams, k, alpha, params, grads, state, check_finite):
    """Lines (1)-(3) around the optimizer module *inner*; the state is tagged with *name*."""
    tree, single = as_tree(params)
    if check_finite:
        check_finite_tree(tree, single)
    match_grads(tree, grads, single, check_finite)
    if state is None:
        t, slots, inner_state = 0, _slots(tree), None
    else:
        t = check_state(state, name, tree, _slots(tree), check_finite)
        slots, inner_state = state["slots"], _inner_state(state, name, t)
    work = {key: theta.astype(compute_dtype(theta.dtype), copy=False) for key, theta in tree.items()}
    try:
        fast, inner_state = inner.step(work[SINGLE_KEY] if single else work, grads, inner_state, inner_hparams,
                                       check_finite=check_finite)  # (1), in the compute dtype
    except StepOverflowError as exc:
        raise StepOverflowError(f"{name}: in the inner step, {exc}") from None
    fast = {SINGLE_KEY: fast} if single else fast
    t += 1
    if t % k == 0:
        with ignoring_fp_warnings(check_finite):
            slow = {key: _interpolate(slots[key]["slow"], fast[key], alpha) for key in tree}  # (2)
        if check_finite:
            for key in tree:
                check_result(name, f"state slot 'slow' of param {key!r}", slow[key])
        fast = {key: phi.copy() for key, phi in slow.items()}  # (3)
        slots = {key: {"slow": phi} for key, phi in slow.items()}
    with ignoring_fp_warnings(check_finite):
        fast = {key: fast[key].astype(theta.dtype, copy=False) for key, theta in tree.items()}  # stored back
    if check_finite:
        for key, theta in fast.items():
            check_result(name, array_label("params", key, single), theta)
    new_state = {"optimizer": name, "t": t, "slots": slots, "inner": inner_state}
    return (fast[SINGLE_KEY] if single else fast), new_state


def init(params, hparams=None):
    """The state before the first step (what ``step`` uses when given ``state=None``)."""
    hp = HPARAMS.resolve(hparams, NAME)
    tree, _ = as_tree(params)
    from . import get

    return {"optimizer": NAME, "t": 0, "slots": _slots(tree), "inner": get(hp["inner"]).init(params, hp["inner_hparams"])}


def step(params, grads, state=None, hparams=None, *, check_finite=True):
    """One Lookahead step (one inner step, and a synchronisation every k); see the module docstring."""
    from . import get

    hp = HPARAMS.resolve(hparams, NAME)
    inner = get(hp["inner"])
    return lookahead_step(NAME, inner, hp["inner_hparams"], hp["k"], hp["alpha"], params, grads, state, check_finite)
