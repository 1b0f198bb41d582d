"""Hyperparameter specs: defaults, types and allowed ranges, checked in one place.

An optimizer module declares its hyperparameters once::

    HPARAMS = Hparams(
        lr=Real(1e-3, low=0.0),
        beta1=Real(0.9, low=0.0, high=1.0, high_open=True),
        centered=Bool(False),
    )
    DEFAULTS = HPARAMS.defaults

and every step calls ``HPARAMS.resolve(hparams)``, which fills in defaults,
rejects unknown names (suggesting the closest valid one) and checks every
value's type and range, naming the hyperparameter, the allowed range and the
value given.  Values come back as plain Python ``float``/``int``/``bool``/``str``
so that arithmetic with them never changes an array's dtype.

Two ranges recur and are written once (the rules of the step contract, see
:mod:`optimlab.optimizers`): :func:`epsilon` for an epsilon that guards a
division or a root (> 0: with 0 a zero gradient gives 0/0), and
:func:`decay_rate` for the decay rate of an exponential moving average that
starts at zero (in [0, 1): at 1 the average never leaves zero).  The
``Real``, ``Int``, ``Bool`` and ``Choice`` specs also check the arguments of
optimlab's other public functions (``kind`` names what is checked).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Mapping

from .._errors import InputTypeError, suggest


@dataclass(frozen=True)
class Real:
    """A real number in [low, high] (either end may be open or absent)."""

    default: float | None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    optional: bool = False  # None allowed (meaning documented by the optimizer)

    def describe(self) -> str:
        if self.low is None and self.high is None:
            text = "a finite real number"
        else:
            lo = "(-inf" if self.low is None else ("(" if self.low_open else "[") + f"{self.low:g}"
            hi = "inf)" if self.high is None else f"{self.high:g}" + (")" if self.high_open else "]")
            text = f"a real number in {lo}, {hi}"
        return text + (" or None" if self.optional else "")

    def check(self, name: str, value: Any, kind: str = "hparam") -> float | None:
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InputTypeError(
                f"{kind} {name!r} must be {self.describe()}; got {value!r} of type {type(value).__name__}"
            )
        try:
            value = float(value)
        except OverflowError:  # an int beyond float's range
            raise ValueError(f"{kind} {name!r} must be {self.describe()}; got an integer too large for a float") \
                from None
        bad = not math.isfinite(value)
        if self.low is not None:
            bad |= value < self.low or (self.low_open and value == self.low)
        if self.high is not None:
            bad |= value > self.high or (self.high_open and value == self.high)
        if bad:
            raise ValueError(f"{kind} {name!r} must be {self.describe()}; got {value!r}")
        return value


def epsilon(default: float | None, optional: bool = False) -> Real:
    """An epsilon that guards a division or a square root: a real number > 0 (or None if *optional*)."""
    return Real(default, low=0.0, low_open=True, optional=optional)


def decay_rate(default: float) -> Real:
    """The decay rate of an exponential moving average that starts at zero: in [0, 1).

    At 1 the average would stay at its starting zero forever (and a division
    by its root would divide by epsilon alone).
    """
    return Real(default, low=0.0, high=1.0, high_open=True)


@dataclass(frozen=True)
class Int:
    """An integer in [low, high] (either end may be absent)."""

    default: int
    low: int | None = None
    high: int | None = None

    def describe(self) -> str:
        lo = "-inf" if self.low is None else str(self.low)
        hi = "inf" if self.high is None else str(self.high)
        return f"an integer in [{lo}, {hi}]"

    def check(self, name: str, value: Any, kind: str = "hparam") -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise InputTypeError(
                f"{kind} {name!r} must be {self.describe()}; got {value!r} of type {type(value).__name__}"
            )
        value = int(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ValueError(f"{kind} {name!r} must be {self.describe()}; got {value!r}")
        return value


@dataclass(frozen=True)
class Bool:
    """True or False (Python or NumPy bool; not 0/1)."""

    default: bool

    def describe(self) -> str:
        return "True or False"

    def check(self, name: str, value: Any, kind: str = "hparam") -> bool:
        if type(value).__name__ not in ("bool", "bool_"):
            raise InputTypeError(
                f"{kind} {name!r} must be True or False; got {value!r} of type {type(value).__name__}"
            )
        return bool(value)


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    default: str
    choices: tuple

    def describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def check(self, name: str, value: Any, kind: str = "hparam") -> str:
        if not isinstance(value, str):
            raise InputTypeError(
                f"{kind} {name!r} must be {self.describe()}; got {value!r} of type {type(value).__name__}"
            )
        if value not in self.choices:
            raise ValueError(
                f"{kind} {name!r} must be {self.describe()}; got {value!r}." + suggest(value, self.choices)
            )
        return value


@dataclass(frozen=True)
class OptimizerName:
    """The name of a registered optimizer (checked against the registry when used)."""

    default: str

    def describe(self) -> str:
        return "the name of a registered optimizer"

    def check(self, name: str, value: Any) -> str:
        from . import REGISTRY  # the registry imports the modules that use this spec

        if not isinstance(value, str):
            raise InputTypeError(f"hparam {name!r} must be an optimizer name (str); got {type(value).__name__}")
        if value not in REGISTRY:
            raise ValueError(
                f"hparam {name!r} must be a registered optimizer ({', '.join(REGISTRY)}); got {value!r}."
                + suggest(value, REGISTRY)
            )
        return value


@dataclass(frozen=True)
class OptionalMapping:
    """A dict (checked by whoever uses it) or None."""

    default: None = None

    def describe(self) -> str:
        return "a dict or None"

    def check(self, name: str, value: Any, kind: str = "hparam"):
        if value is not None and not isinstance(value, Mapping):
            raise InputTypeError(f"{kind} {name!r} must be a dict or None; got {type(value).__name__}")
        return value


@dataclass(frozen=True)
class KeySelector:
    """None, a collection of param keys (list, tuple, set), or a predicate ``(key, array) -> bool``."""

    default: None = None

    def describe(self) -> str:
        return "None, a list of param keys, or a callable (key, array) -> bool"

    def check(self, name: str, value: Any):
        if value is None or callable(value):
            return value
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise InputTypeError(f"hparam {name!r} must be {self.describe()}; got {value!r}")
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise InputTypeError(f"hparam {name!r} must hold param keys (strings); got {bad[0]!r}")
        return frozenset(value)


@dataclass(frozen=True)
class Function:
    """A callable (e.g. a Hessian function); ``required`` ones have no default."""

    default: Any = None
    required: bool = False

    def describe(self) -> str:
        return "a callable"

    def check(self, name: str, value: Any, kind: str = "hparam"):
        if value is None and not self.required:
            return None
        if not callable(value):
            raise InputTypeError(f"{kind} {name!r} must be a callable; got {type(value).__name__}")
        return value


class Hparams:
    """An optimizer's hyperparameter specification (name -> spec), in declaration order."""

    def __init__(self, **specs):
        self.specs = dict(specs)

    def derive(self, drop=(), **specs) -> "Hparams":
        """A new specification: these specs without *drop*, with *specs* replaced or added (order kept)."""
        for name in drop:
            if name not in self.specs:
                raise KeyError(name)
        kept = {name: spec for name, spec in self.specs.items() if name not in drop}
        return Hparams(**{**kept, **specs})

    @property
    def defaults(self) -> dict:
        return {name: spec.default for name, spec in self.specs.items()}

    def resolve(self, hparams: Mapping | None, owner: str = "") -> dict:
        """Merge *hparams* over the defaults and check every value.

        Never mutates *hparams*.  Raises ``ValueError`` for an unknown name
        (with the closest valid names), and ``ValueError``/``TypeError``
        (:class:`InputTypeError`) for a value of the wrong type or range.
        """
        if hparams is None:
            hparams = {}
        if not isinstance(hparams, Mapping):
            raise InputTypeError(
                f"hparams must be a mapping (dict) or None; got {type(hparams).__name__}"
            )
        where = f" for {owner}" if owner else ""
        for name in hparams:
            if name not in self.specs:
                raise ValueError(
                    f"unknown hparam {name!r}{where}; valid names are {', '.join(self.specs)}."
                    + suggest(name, self.specs)
                )
        out = {}
        for name, spec in self.specs.items():
            if name in hparams:
                out[name] = spec.check(name, hparams[name])
            elif getattr(spec, "required", False):
                raise ValueError(f"hparam {name!r} is required{where}: {spec.describe()}")
            else:
                out[name] = spec.default
        return out

    @property
    def required(self) -> list:
        """Names of the hparams that have no default."""
        return [name for name, spec in self.specs.items() if getattr(spec, "required", False)]
