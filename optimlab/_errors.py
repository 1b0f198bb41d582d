"""Exceptions raised on bad input.

Every check in optimlab raises ``ValueError`` (or a subclass) so that one
``except ValueError`` catches them all.  Type problems raise
:class:`InputTypeError`, which is *both* a ``TypeError`` and a ``ValueError``
(as NumPy's ``AxisError`` is both an ``IndexError`` and a ``ValueError``), and
numbers too large for the dtype a step computes in raise
:class:`StepOverflowError`, both an ``OverflowError`` and a ``ValueError``.
"""

from __future__ import annotations

import difflib


class InputTypeError(TypeError, ValueError):
    """An argument has the wrong type (e.g. an integer array, a string lr)."""


class StepOverflowError(OverflowError, ValueError):
    """A step would leave the range of its dtype although every input is finite.

    Raised by the reference steps for finite gradients that overflow when cast
    to the dtype the step computes in, and for updates whose new params or
    state would be NaN or inf (a squared gradient beyond the dtype's maximum,
    an enormous learning rate...).  Nothing has been changed when it is raised.
    """


def suggest(name: str, valid) -> str:
    """A ' Did you mean ...?' hint for a misspelt *name*, or ''."""
    close = difflib.get_close_matches(str(name), list(valid), n=3, cutoff=0.5)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
