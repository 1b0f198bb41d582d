"""The step contract, written once: walking a dict of arrays, checking inputs and state.

The contract itself (what ``params``, ``grads``, ``state`` and ``hparams``
may be, which dtypes come back, which errors are raised for what) is stated
in the docstring of :mod:`optimlab.optimizers` and in the README's section
"The step contract"; this module is its implementation.

Most optimizers are *per-array rules*: given one parameter array ``theta``,
its gradient ``g``, that array's slots (moment buffers, ...), the step counter
``t`` and the checked hyperparameters, return the new array and new slots.
:class:`Rule` turns such a function into the public ``init``/``step`` pair;
:class:`VectorRule` does the same for rules on the whole flattened parameter
vector (second-order methods).  A state is::

      {"optimizer": NAME, "t": number of steps taken,
       "slots": {name: {slot_name: array or float, ...}, ...}}

Every check runs before anything is computed, and names the culprit; the
results are checked before they are returned.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from typing import Any, Callable, Mapping

import numpy as np

from .._errors import InputTypeError, StepOverflowError, suggest

#: The key under which a single (non-dict) parameter array is kept in state.
SINGLE_KEY = "param"
#: Slot values that are never negative (second moments, accumulators), for ``Rule(bounds=...)``.
NONNEGATIVE = (0.0, None)
#: The largest step counter a state may hold: beyond 2**53 a float64 no longer counts by ones.
MAX_STEPS = 2**53
#: Floating dtypes narrower than this many bytes (float16, bfloat16) are computed in float32.
_OPMATH_BYTES = 4


# --- dtypes -------------------------------------------------------------------------------------

def is_floating(dtype) -> bool:
    """A NumPy floating dtype, or ``ml_dtypes``' ``bfloat16`` (which NumPy does not class as floating)."""
    dtype = np.dtype(dtype)
    return dtype.kind == "f" or dtype.name == "bfloat16"


def compute_dtype(dtype) -> np.dtype:
    """The dtype a step computes in for params of *dtype*: float32 for half precision, else *dtype* itself.

    float16 and bfloat16 params are updated with float32 arithmetic and stored back
    in their own dtype (PyTorch's "opmath"); their state slots are kept in float32.
    """
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype.itemsize < _OPMATH_BYTES else dtype


def finfo(dtype):
    """``np.finfo`` for any floating dtype this library accepts (``ml_dtypes.finfo`` for bfloat16)."""
    dtype = np.dtype(dtype)
    if dtype.name == "bfloat16":
        import ml_dtypes

        return ml_dtypes.finfo(dtype)
    return np.finfo(dtype)


def all_finite(x) -> bool:
    """True if every entry of the array *x* is finite (an empty array is)."""
    return bool(np.logical_and.reduce(np.isfinite(x), axis=None))


def ignoring_fp_warnings(active: bool = True):
    """Silence NumPy's overflow/invalid/divide warnings while *active*: the results are checked afterwards."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore") if active else contextlib.nullcontext()


# --- params and grads ------------------------------------------------------------------------------

def _arraylike(x) -> bool:
    """An ndarray, or a NumPy scalar (what arithmetic on a 0-d array returns)."""
    return isinstance(x, (np.ndarray, np.generic))


def array_label(what: str, key, single: bool) -> str:
    """How messages name one array: ``params`` for a single array, ``params['w']`` in a dict."""
    return what if single else f"{what}[{key!r}]"


def as_tree(params: Any, name: str = "params") -> tuple[dict, bool]:
    """Return ``(dict of arrays, was_single)``, checking every array is floating (*name* labels the messages)."""
    if _arraylike(params):
        tree, single = {SINGLE_KEY: np.asarray(params)}, True
    elif isinstance(params, Mapping):
        tree, single = {k: np.asarray(v) if isinstance(v, np.generic) else v for k, v in params.items()}, False
    else:
        raise InputTypeError(
            f"{name} must be a numpy array or a mapping name -> numpy array; got {type(params).__name__}"
        )
    if not tree:
        raise ValueError(f"{name} is empty: there is nothing to optimize")
    for key, theta in tree.items():
        label = array_label(name, key, single)
        if not isinstance(theta, np.ndarray):
            raise InputTypeError(
                f"{label} must be a numpy array; got {type(theta).__name__} (use np.asarray(..., dtype=float))"
            )
        if not is_floating(theta.dtype):
            raise InputTypeError(
                f"{label} must have a floating dtype (float16, float32, float64); got {theta.dtype}"
            )
    return tree, single


def check_finite_tree(tree: dict, single: bool, name: str = "params",
                      hint: str = "refusing to step (pass check_finite=False to allow)") -> None:
    """Every array of *tree* must be finite (``ValueError`` naming the first that is not, then *hint*)."""
    for key, x in tree.items():
        if not all_finite(x):
            raise ValueError(f"{array_label(name, key, single)} contains NaN or inf; {hint}")


def match_grads(tree: dict, grads: Any, single: bool, check_finite: bool = True, dtypes: Mapping | None = None) -> dict:
    """Check that *grads* has the structure of *tree*; return it as a dict in tree's key order.

    With *dtypes* (key -> dtype) each gradient comes back cast to that dtype
    (the same object if it already has it).  ``check_finite`` refuses NaN/inf
    (``ValueError``) and finite values that overflow in the cast
    (:class:`~optimlab._errors.StepOverflowError`).
    """
    if single:
        if not _arraylike(grads):
            raise InputTypeError(
                f"params is a single array, so grads must be one too; got {type(grads).__name__}"
            )
        gtree = {SINGLE_KEY: np.asarray(grads)}
    else:
        if not isinstance(grads, Mapping):
            raise InputTypeError(f"grads must be a mapping like params; got {type(grads).__name__}")
        missing = [k for k in tree if k not in grads]
        extra = [k for k in grads if k not in tree]
        if missing:
            raise ValueError(f"grads has no entry for param {missing[0]!r} (missing: {missing})")
        if extra:
            raise ValueError(
                f"grads has key {extra[0]!r}, which is not a param (params: {list(tree)})."
                + suggest(extra[0], tree)
            )
        gtree = {k: grads[k] for k in tree}
    gtree = {k: np.asarray(g) if isinstance(g, np.generic) else g for k, g in gtree.items()}
    for key, g in gtree.items():
        label = array_label("grads", key, single)
        if not isinstance(g, np.ndarray):
            raise InputTypeError(f"{label} must be a numpy array; got {type(g).__name__}")
        if not is_floating(g.dtype):
            raise InputTypeError(f"{label} must have a floating dtype; got {g.dtype}")
        if g.shape != tree[key].shape:
            raise ValueError(f"{label} has shape {g.shape} but the param has shape {tree[key].shape}")
    for key, g in gtree.items():
        label = array_label("grads", key, single)
        if dtypes is not None:
            with ignoring_fp_warnings(check_finite):
                gtree[key] = np.asarray(g, dtype=dtypes[key])
        if check_finite and not all_finite(gtree[key]):
            if gtree[key] is not g and all_finite(g):
                top = float(np.max(np.abs(g.astype(np.float64))))
                raise StepOverflowError(
                    f"{label} has finite entries too large for {gtree[key].dtype}, the dtype this step computes "
                    f"in (up to {top:.3g}; {gtree[key].dtype} holds up to {float(finfo(gtree[key].dtype).max):.3g}): "
                    "scale the loss or the gradients down, or use params of a wider dtype"
                )
            raise ValueError(f"{label} contains NaN or inf; refusing to step (pass check_finite=False to allow)")
    return gtree


# --- state -----------------------------------------------------------------------------------------

def check_owner(state: Any, name: str) -> int:
    """*state* must be a dict made by optimizer *name*, with a valid step counter; returns ``t``."""
    if not isinstance(state, Mapping):
        raise InputTypeError(f"state must be None or a dict returned by a step; got {type(state).__name__}")
    owner = state.get("optimizer")
    if owner != name:
        raise ValueError(f"this state belongs to optimizer {owner!r}, not {name!r}")
    t = state.get("t")
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 0 <= t < MAX_STEPS:
        raise ValueError(f"state['t'] must be a non-negative integer step count below 2**53; got {t!r}")
    return int(t)


def _check_slot_value(where: str, value, ref, check_finite: bool, bounds) -> None:
    """One slot (or second-order state entry) against a fresh one: kind, shape, dtype, finiteness, range."""
    if isinstance(ref, np.ndarray):
        if not isinstance(value, np.ndarray) or value.shape != ref.shape:
            shape = getattr(value, "shape", type(value).__name__)
            raise ValueError(f"{where} has shape {shape}, expected {ref.shape}: "
                             "this state belongs to params of another shape")
        if value.dtype != ref.dtype:
            raise ValueError(f"{where} has dtype {value.dtype}, expected {ref.dtype} (the dtype the step computes "
                             "in: the param's own, float32 for float16/bfloat16 params)")
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a number; got {value!r}")
    if bounds is not None and np.size(value):
        lo, hi = (float(value.min()), float(value.max())) if isinstance(value, np.ndarray) else (value, value)
        finite = math.isfinite(lo) and math.isfinite(hi)  # min and max carry any NaN or inf along
    else:
        finite = all_finite(value) if check_finite else True
    if check_finite and not finite:
        raise ValueError(f"{where} contains NaN or inf; refusing to step (pass check_finite=False to allow)")
    if bounds is not None and np.size(value) and finite:
        low, high = bounds
        if (low is not None and lo < low) or (high is not None and hi > high):
            span = f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"
            raise ValueError(f"{where} has values outside {span} (from {lo:.3g} to {hi:.3g}), which this "
                             "optimizer never produces: the state was altered")


def check_state(state: Any, name: str, tree: dict, expected: dict, check_finite: bool = True,
                bounds: Mapping | None = None) -> int:
    """Check that *state* is a state of optimizer *name* for these params; return its ``t``.

    *expected* maps each param key to the slots a fresh init would give
    (used for slot names, shapes and dtypes); *bounds* maps slot names to the
    ``(low, high)`` range their values always stay in (``None``: unbounded),
    e.g. ``{"v": (0.0, None)}`` for a second moment.  ``check_finite`` also
    refuses NaN/inf in the slots.
    """
    t = check_owner(state, name)
    slots = state.get("slots")
    if not isinstance(slots, Mapping):
        raise ValueError("state has no 'slots' dict; it was not made by optimlab")
    missing = [k for k in tree if k not in slots]
    extra = [k for k in slots if k not in tree]
    if missing or extra:
        raise ValueError(
            f"this state belongs to other params: it has no slots for {missing} and has slots for {extra}"
        )
    bounds = bounds or {}
    for key, want in expected.items():
        have = slots[key]
        if not isinstance(have, Mapping) or set(have) != set(want):
            got = sorted(have) if isinstance(have, Mapping) else type(have).__name__
            raise ValueError(
                f"state slots for param {key!r} are {got}, but these hparams need {sorted(want)}"
            )
        for slot, ref in want.items():
            _check_slot_value(f"state slot {slot!r} of param {key!r}", have[slot], ref, check_finite,
                              bounds.get(slot))
    return t


def check_result(name: str, where: str, value) -> None:
    """A step's new param or slot *value* must be finite (it came from finite inputs), else StepOverflowError."""
    if isinstance(value, np.ndarray):
        if all_finite(value):
            return
        dtype = value.dtype
    elif math.isfinite(value):
        return
    else:
        dtype = np.dtype(np.float64)
    raise StepOverflowError(
        f"{name}: the step would make {where} NaN or inf although params, grads and state are finite: a value "
        f"beyond the range of {dtype} (largest {float(finfo(dtype).max):.3g}), from gradients or squared "
        "gradients that large, a huge learning rate, or an epsilon that rounds to 0 in this dtype; nothing was "
        "changed"
    )


# --- per-array rules ---------------------------------------------------------------------------------

InitSlots = Callable[[np.ndarray, dict], dict]
Update = Callable[[np.ndarray, np.ndarray, dict, int, dict], "tuple[np.ndarray, dict]"]


class Rule:
    """A per-array update rule, made into the public ``init``/``step`` functions.

    ``init_slots(theta, hp)`` gives one array's fresh slots (a dict, maybe
    empty); ``update(theta, g, slots, t, hp)`` gives ``(new_theta, new_slots)``
    for step number ``t`` (1 on the first step).  Neither may modify its
    arguments in place; both see ``theta`` and ``g`` in the compute dtype
    (:func:`compute_dtype`).  With ``keyed=True`` both also receive the array's key
    as a last argument (for rules that treat arrays differently by name), and
    ``check_tree(tree, hp)``, if given, checks the whole dict of params against
    the hparams before anything else is computed.  ``bounds`` maps slot names
    to the ``(low, high)`` range the rule keeps them in (checked in a given
    state, e.g. ``{"v": (0.0, None)}``).
    """

    def __init__(self, name: str, hparams, init_slots: InitSlots, update: Update, *, keyed: bool = False,
                 check_tree=None, bounds: Mapping | None = None):
        self.name = name
        self.hparams = hparams
        self.init_slots = init_slots
        self.update = update
        self.keyed = keyed
        self.check_tree = check_tree
        self.bounds = dict(bounds or {})

    def _fresh(self, tree: dict, hp: dict, check: bool = False) -> dict:
        """Fresh slots for every array, in the compute dtype of its param; with *check*, refuse non-finite ones
        (an initial value from the hparams beyond the dtype's range)."""
        work = {key: theta.astype(compute_dtype(theta.dtype), copy=False) for key, theta in tree.items()}
        extra = (lambda key: (key,)) if self.keyed else (lambda key: ())
        with ignoring_fp_warnings():
            fresh = {key: self.init_slots(theta, hp, *extra(key)) for key, theta in work.items()}
        for key, slots in fresh.items() if check else ():
            for slot, value in slots.items():
                if not all_finite(value):
                    raise StepOverflowError(f"{self.name}: the initial state slot {slot!r} of param {key!r} is not "
                                            f"finite in {work[key].dtype}: an initial value in the hparams is beyond "
                                            "that dtype's range")
        return fresh

    def _tree(self, params, hp):
        tree, single = as_tree(params)
        if self.check_tree is not None:
            self.check_tree(tree, hp)
        return tree, single

    def init(self, params: Any, hparams: Mapping | None = None) -> dict:
        """The state before the first step (what ``step`` uses when given ``state=None``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, _ = self._tree(params, hp)
        return {"optimizer": self.name, "t": 0, "slots": self._fresh(tree, hp, check=True)}

    def step(self, params, grads, state=None, hparams=None, *, check_finite: bool = True):
        """One optimizer step: returns ``(new_params, new_state)``.

        *params*: a dict name -> floating array, or one array; *grads*: the
        same structure; *state*: ``None`` before the first step, afterwards
        what the previous step returned; *hparams*: a dict (missing names take
        the module's ``DEFAULTS``) or ``None``.  Nothing passed in is
        modified; new params come back in the dtype of each param (float16 and
        bfloat16 are computed in float32, and their state is kept in float32).
        ``check_finite=False`` lets NaN/inf in and out (for showing
        divergence).  The update rule is in the optimizer module's docstring;
        the contract in :mod:`optimlab.optimizers`.
        """
        hp = self.hparams.resolve(hparams, self.name)
        tree, single = self._tree(params, hp)
        if check_finite:
            check_finite_tree(tree, single)
        dtypes = {key: compute_dtype(theta.dtype) for key, theta in tree.items()}
        gtree = match_grads(tree, grads, single, check_finite, dtypes)
        fresh = self._fresh(tree, hp, check=check_finite and state is None)
        if state is None:
            t, slots = 0, fresh
        else:
            t = check_state(state, self.name, tree, fresh, check_finite, self.bounds)
            slots = state["slots"]
        t += 1
        new_tree, new_slots = {}, {}
        with ignoring_fp_warnings(check_finite):
            for key, theta in tree.items():
                g = gtree[key]
                given = grads if single else grads[key]
                if np.may_share_memory(g, given):
                    g = g.copy()  # a private copy: slots may keep it
                extra = (key,) if self.keyed else ()
                work = theta.astype(dtypes[key], copy=False)
                new_theta, new_slots[key] = self.update(work, g, dict(slots[key]), t, hp, *extra)
                new_tree[key] = _fresh_array(new_theta, theta)
                new_slots[key] = {s: _like(v, fresh[key][s]) for s, v in new_slots[key].items()}
                if check_finite:
                    check_result(self.name, array_label("params", key, single), new_tree[key])
                    for s, v in new_slots[key].items():
                        check_result(self.name, f"state slot {s!r} of param {key!r}", v)
        new_state = {"optimizer": self.name, "t": t, "slots": new_slots}
        return (new_tree[SINGLE_KEY] if single else new_tree), new_state


def _like(value, ref):
    """*value* as the kind of slot *ref* is: an array of ref's dtype (0-d included), or a float."""
    if isinstance(ref, np.ndarray):
        return np.asarray(value).astype(ref.dtype, copy=False)
    return float(value)


def _fresh_array(value: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """*value* in theta's dtype, never the very object that was passed in."""
    value = np.asarray(value).astype(theta.dtype, copy=False)
    return value.copy() if value is theta else value


# --- rules on the whole vector ---------------------------------------------------------------------

class VectorRule:
    """A rule on the whole parameter vector (second-order methods), made into ``init``/``step``.

    The params are flattened in key order into one float64 vector ``x`` (and
    the grads into ``g``); ``update(x, g, extra, t, hp, params)`` returns
    ``(new_x, new_extra)``, where *extra* is the optimizer's own state (flat
    vectors, matrices, lists of vectors) kept at the top level of the state
    dict, and *params* is the structure as the caller gave it (for a Hessian
    callable).  The new vector is split back into arrays of each param's
    shape and dtype.  ``init_extra(n, hp)`` gives the extra state for ``n``
    parameters; its arrays' shapes are used to check a given state, and
    ``check_extra(extra, n)``, if given, checks what shapes cannot (e.g. that
    stored curvature pairs have :math:`s^\\top y > 0`).  The state also records
    every param's shape (``"shapes"``), so a state made for params of another
    shape but the same size is refused.
    """

    def __init__(self, name: str, hparams, init_extra, update, check_extra=None):
        self.name = name
        self.hparams = hparams
        self.init_extra = init_extra
        self.update = update
        self.check_extra = check_extra

    @staticmethod
    def _shapes(tree):
        return {key: list(theta.shape) for key, theta in tree.items()}

    def init(self, params: Any, hparams: Mapping | None = None) -> dict:
        """The state before the first step (what ``step`` uses when given ``state=None``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, _ = as_tree(params)
        n = sum(theta.size for theta in tree.values())
        return {"optimizer": self.name, "t": 0, "slots": {k: {} for k in tree}, "shapes": self._shapes(tree),
                **self.init_extra(n, hp)}

    def step(self, params, grads, state=None, hparams=None, *, check_finite: bool = True):
        """One step on the flattened parameters: returns ``(new_params, new_state)`` (see ``Rule.step``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, single = as_tree(params)
        if check_finite:
            check_finite_tree(tree, single)
        gtree = match_grads(tree, grads, single, check_finite, {k: np.float64 for k in tree})
        n = sum(theta.size for theta in tree.values())
        fresh = self.init_extra(n, hp)
        shapes = self._shapes(tree)
        if state is None:
            t, extra = 0, fresh
        else:
            t = check_state(state, self.name, tree, {k: {} for k in tree})
            extra = {key: state.get(key) for key in fresh}
            _check_extra(self.name, extra, fresh, n, check_finite)
            have = state.get("shapes")
            if not isinstance(have, Mapping) or {k: list(v) for k, v in have.items()
                                                 if isinstance(v, (list, tuple))} != shapes:
                raise ValueError(f"{self.name} state was made for params of shapes {have!r}, not {shapes}: "
                                 "it belongs to other params")
            if self.check_extra is not None:
                self.check_extra(extra, n)
        x = np.concatenate([theta.astype(np.float64).ravel() for theta in tree.values()])
        g = np.concatenate([gtree[k].ravel() for k in tree])
        with ignoring_fp_warnings(check_finite):
            new_x, extra = self.update(x, g, extra, t + 1, hp, params)
            new_tree, start = {}, 0
            for key, theta in tree.items():
                new_tree[key] = new_x[start:start + theta.size].reshape(theta.shape).astype(theta.dtype)
                start += theta.size
        if check_finite:
            for key, value in new_tree.items():
                check_result(self.name, array_label("params", key, single), value)
            for key, value in extra.items():
                for v in (value if isinstance(value, list) else [value]):
                    if v is not None:
                        check_result(self.name, f"state entry {key!r}", v)
        new_state = {"optimizer": self.name, "t": t + 1, "slots": {k: {} for k in tree}, "shapes": shapes, **extra}
        return (new_tree[SINGLE_KEY] if single else new_tree), new_state


def _check_extra(name: str, extra: dict, fresh: dict, n: int, check_finite: bool) -> None:
    """Shapes (and finiteness) of a second-order state's own entries (for *n* parameters), against a fresh one's."""
    for key, ref in fresh.items():
        value = extra[key]
        if isinstance(ref, np.ndarray):
            ok = isinstance(value, np.ndarray) and value.shape == ref.shape and value.dtype == ref.dtype
            want = f"a {ref.shape} {ref.dtype} array"
            entries = [value] if ok else []
        elif isinstance(ref, list):  # a history of flat vectors
            ok = isinstance(value, list) and all(isinstance(v, np.ndarray) and v.shape == (n,) and
                                                 v.dtype == np.float64 for v in value)
            want = f"a list of ({n},) float64 arrays"
            entries = value if ok else []
        else:
            ok = value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))
            want, entries = "a number", [value] if value is not None and ok else []
        if not ok:
            got = getattr(value, "shape", type(value).__name__)
            raise ValueError(f"{name} state entry {key!r} is {got}, expected {want}: it belongs to other params")
        if check_finite and not all(all_finite(v) for v in entries):
            raise ValueError(f"{name} state entry {key!r} contains NaN or inf; refusing to step "
                             "(pass check_finite=False to allow)")
