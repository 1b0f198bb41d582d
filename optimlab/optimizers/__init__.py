"""Every optimizer of optimlab, one module each, behind one registry; and the step contract they share.

>>> from optimlab.optimizers import adam, get, REGISTRY
>>> params, state = adam.step(params, grads, state, {"lr": 1e-2})   # doctest: +SKIP

Each module exposes ``NAME``, ``DEFAULTS``, ``HPARAMS`` (types and ranges),
``FAMILY``, ``YEAR``, ``PAPER``, ``init(params, hparams=None)`` and
``step(params, grads, state=None, hparams=None, *, check_finite=True)``; its
docstring gives the update rule it implements.

The step contract
-----------------

``new_params, new_state = step(params, grads, state, hparams)`` for every
registered optimizer (``optimlab/optimizers/_base.py`` implements it once):

* **params**: a dict ``name -> numpy array`` (its key order is kept) or one
  array; floating dtypes only: float16, float32, float64, and bfloat16 when
  ``ml_dtypes`` is installed.  **grads**: the same keys and shapes, floating.
* **state**: ``None`` before the first step, afterwards exactly what the
  previous step returned (``init(params, hparams)`` gives the state before
  step 1).  It is plain data (dicts, lists, arrays, numbers, strings): the
  optimizer's name, the step counter ``t`` and the slots of every param, so
  ``optimlab.save`` writes it without pickle.
* **hparams**: a dict (missing names take ``DEFAULTS``) or ``None``.
* **Purity**: nothing passed in is modified; new params are fresh arrays.
  (``optimlab.fused`` steps are the one documented exception: in place.)
* **Dtypes**: every new param comes back in its own dtype.  float32 and
  float64 params are computed in their own dtype, with their state in it.
  **Half precision** (float16, bfloat16) is computed in float32 and stored back
  in the param's dtype, as PyTorch's fused kernels compute in float32; its
  state slots are kept in **float32** (unlike PyTorch, which stores them in
  the param's dtype), so a float16 step is exactly the float32 step on the
  same values, rounded to float16, and second moments of gradients below
  float16's resolution (1e-3 squared is 1e-6; times 1 - beta2 it is gone in
  float16) are not lost.  Gradients are cast to the dtype the step computes in.
  Second-order methods compute in float64.

Hyperparameter ranges follow two rules wherever they apply: an **epsilon that
guards a division or a root must be > 0** (with 0 a zero gradient entry gives
0/0), and the **decay rate of a moving average that starts at zero is in
[0, 1)** (at 1 the average never leaves zero; LARS's ``dampening`` likewise,
as its buffer starts at zero).  Every range is in the module's ``HPARAMS``
(``adam.HPARAMS.specs["eps"].describe()``), and the error for a value out of
range states it.

Errors (every one is a ``ValueError``, raised before anything is computed and
naming the argument, key, slot or hparam at fault; nothing is ever modified):

* ``InputTypeError`` (a ``TypeError`` too): the wrong type: a list for an
  array, an integer array, a string for a number, an hparams list;
* ``ValueError``: unknown or misspelt keys and hparams (with suggestions),
  wrong shapes, values out of range, NaN or inf in params, grads or state
  arrays, state slots out of the range the optimizer keeps them in (a
  negative second moment), a step counter beyond 2**53, a state made by
  another optimizer or for other params (other keys, shapes, a Lookahead state
  without its inner state);
* ``StepOverflowError`` (an ``OverflowError`` too): finite gradients too large
  for the dtype the step computes in, or a step whose new params or state would
  be NaN or inf although its inputs are finite (gradients whose squares exceed
  the dtype's maximum, an enormous learning rate).  The step is computed, then
  refused: the inputs are untouched.

``check_finite=False`` turns the NaN/inf checks of inputs and results off, to
show an optimizer diverging.

optimlab's other public functions (training, clipping, schedules,
``minimize``, the MLP, the landscapes, checkpoints, ``radam.rho``,
``muon.orthogonalize``...) check their arguments the same way, naming the
function and the argument.  The pieces of an update rule that a step calls
with values it has already checked (``adam.moments``, ``lars.trust_ratio``,
``lamb.direction``, ``_math.ema``...) do not check them again.
"""

from __future__ import annotations

from types import ModuleType

from .._errors import InputTypeError, suggest
from . import (
    adadelta,
    adafactor,
    adagrad,
    adam,
    adamax,
    adamw,
    amsgrad,
    bfgs,
    lamb,
    lars,
    lbfgs,
    lion,
    lookahead,
    momentum,
    muon,
    nadam,
    nesterov,
    newton,
    radam,
    ranger,
    rmsprop,
    sgd,
    stable_adamw,
)

#: name -> module, in teaching order (the lecture's order of chapters).
REGISTRY: dict[str, ModuleType] = {
    m.NAME: m
    for m in (
        sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw, amsgrad, adamax, nadam, radam,
        lookahead, ranger, lars, lamb, stable_adamw, lion, muon, adafactor, newton, bfgs, lbfgs,
    )
}


def get(name: str) -> ModuleType:
    """The optimizer module registered under *name* (``ValueError`` with suggestions if unknown)."""
    if not isinstance(name, str):
        raise InputTypeError(f"optimizer name must be a string; got {type(name).__name__}")
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; registered: {', '.join(REGISTRY)}." + suggest(name, REGISTRY)
        ) from None


__all__ = ["REGISTRY", "get", *REGISTRY]
