"""Checking the arguments of optimlab's public functions, written once.

The helpers beside the steps (training, schedules, ``minimize``, the MLP, the
landscapes, checkpoints) check their arguments with the same specs as the
optimizers' hyperparameters (:mod:`optimlab.optimizers._hparams`), so every
message has one form: ``"train: argument 'epochs' must be an integer in [1,
inf]; got 0"``, an :class:`~optimlab._errors.InputTypeError` for a wrong type
and a ``ValueError`` for a value out of range, raised before anything is
computed.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._errors import InputTypeError
from .optimizers._base import is_floating
from .optimizers._hparams import Bool, Choice, Function, Int, OptionalMapping, Real


def _kind(function: str) -> str:
    return f"{function}: argument"


def real(function: str, name: str, value: Any, low=None, high=None, *, low_open=False, high_open=False,
         optional=False) -> float | None:
    """A finite real number in the given range (``None`` too if *optional*), as a Python float."""
    return Real(None, low, high, low_open, high_open, optional).check(name, value, _kind(function))


def integer(function: str, name: str, value: Any, low=None, high=None, *, optional=False) -> int | None:
    """An integer (not a bool, not a float) in [low, high], as a Python int (``None`` too if *optional*)."""
    if value is None and optional:
        return None
    return Int(None, low, high).check(name, value, _kind(function))


def boolean(function: str, name: str, value: Any) -> bool:
    """True or False (Python or NumPy bool)."""
    return Bool(False).check(name, value, _kind(function))


def choice(function: str, name: str, value: Any, choices) -> str:
    """One of *choices* (strings), with a suggestion for a misspelt one."""
    return Choice(None, tuple(choices)).check(name, value, _kind(function))


def function_(function: str, name: str, value: Any, *, optional=False):
    """A callable (``None`` too if *optional*)."""
    return Function(None, required=not optional).check(name, value, _kind(function))


def mapping(function: str, name: str, value: Any):
    """A dict (any mapping) or None."""
    return OptionalMapping().check(name, value, _kind(function))


def seed(function: str, value: Any) -> int | None:
    """A random seed: ``None`` or a non-negative integer."""
    return integer(function, "seed", value, 0, optional=True)


def floating_dtype(function: str, name: str, value: Any) -> np.dtype:
    """A floating dtype (float16, float32, float64; bfloat16 with ml_dtypes), given as a dtype, type or name."""
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or not is_floating(dtype):
        raise InputTypeError(f"{function}: argument {name!r} must be a floating dtype (float16, float32, float64); "
                             f"got {value!r}")
    return dtype


def array(function: str, name: str, value: Any, *, ndim=None, finite=True, nonempty=True,
          kinds="fiu") -> np.ndarray:
    """An array-like of numbers (dtype kinds *kinds*: float, int, unsigned), with the given *ndim*, non-empty
    and finite unless told otherwise; returned as an ndarray."""
    try:
        out = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(f"{function}: argument {name!r} must be an array of numbers; got "
                             f"{type(value).__name__} ({exc})") from None
    if out.dtype.kind not in kinds and not (is_floating(out.dtype) and "f" in kinds):
        raise InputTypeError(f"{function}: argument {name!r} must be an array of numbers; got dtype {out.dtype}")
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{function}: argument {name!r} must have {ndim} dimension{'s' * (ndim != 1)}; "
                         f"got shape {out.shape}")
    if nonempty and out.size == 0:
        raise ValueError(f"{function}: argument {name!r} is empty")
    if finite and out.dtype.kind == "f" and not np.isfinite(out).all():
        raise ValueError(f"{function}: argument {name!r} contains NaN or inf")
    return out


def number(function: str, name: str, value: Any) -> float:
    """Any finite real number (a NumPy 0-d array or scalar included), as a Python float."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{function}: argument {name!r} must be a real number; got {type(value).__name__}")
    return real(function, name, value)
