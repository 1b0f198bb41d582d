"""Every optimizer of optimlab, one module each, behind one registry.

>>> from optimlab.optimizers import adam, get, REGISTRY
>>> params, state = adam.step(params, grads, state, {"lr": 1e-2})   # doctest: +SKIP

Each module exposes ``NAME``, ``DEFAULTS``, ``HPARAMS`` (types and ranges),
``FAMILY``, ``YEAR``, ``PAPER``, ``init(params, hparams=None)`` and
``step(params, grads, state=None, hparams=None)``; its docstring gives the
update rule it implements.
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
