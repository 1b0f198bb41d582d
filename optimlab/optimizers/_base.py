"""The step contract, written once: walking a dict of arrays, checking inputs and state.

Most optimizers are *per-array rules*: given one parameter array ``theta``,
its gradient ``g``, that array's slots (moment buffers, ...), the step counter
``t`` and the checked hyperparameters, return the new array and new slots.
:class:`Rule` turns such a function into the public ``init``/``step`` pair of
SPEC.md section 1:

* ``params`` is a dict ``name -> float array`` (key order kept) or one array;
* ``grads`` has the same keys and shapes, finite values;
* ``state`` is ``None`` or what the previous step returned::

      {"optimizer": NAME, "t": number of steps taken,
       "slots": {name: {slot_name: array or float, ...}, ...}}

* nothing passed in is mutated, and every array comes back in its own dtype.

Every check runs before anything is computed, and names the culprit.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Mapping

import numpy as np

from .._errors import InputTypeError, suggest

#: The key under which a single (non-dict) parameter array is kept in state.
SINGLE_KEY = "param"


def _arraylike(x) -> bool:
    """An ndarray, or a NumPy scalar (what arithmetic on a 0-d array returns)."""
    return isinstance(x, (np.ndarray, np.generic))


def as_tree(params: Any) -> tuple[dict, bool]:
    """Return ``(dict of arrays, was_single)``, checking every array is floating."""
    if _arraylike(params):
        tree, single = {SINGLE_KEY: np.asarray(params)}, True
    elif isinstance(params, Mapping):
        tree, single = {k: np.asarray(v) if isinstance(v, np.generic) else v for k, v in params.items()}, False
    else:
        raise InputTypeError(
            f"params must be a numpy array or a mapping name -> numpy array; got {type(params).__name__}"
        )
    if not tree:
        raise ValueError("params is empty: there is nothing to optimize")
    for key, theta in tree.items():
        label = "params" if single else f"params[{key!r}]"
        if not isinstance(theta, np.ndarray):
            raise InputTypeError(
                f"{label} must be a numpy array; got {type(theta).__name__} (use np.asarray(..., dtype=float))"
            )
        if not np.issubdtype(theta.dtype, np.floating):
            raise InputTypeError(
                f"{label} must have a floating dtype (float16, float32, float64); got {theta.dtype}"
            )
    return tree, single


def match_grads(tree: dict, grads: Any, single: bool, check_finite: bool = True) -> dict:
    """Check that *grads* has the structure of *tree*; return it as a dict in tree's key order."""
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
        label = "grads" if single else f"grads[{key!r}]"
        if not isinstance(g, np.ndarray):
            raise InputTypeError(f"{label} must be a numpy array; got {type(g).__name__}")
        if not np.issubdtype(g.dtype, np.floating):
            raise InputTypeError(f"{label} must have a floating dtype; got {g.dtype}")
        if g.shape != tree[key].shape:
            raise ValueError(f"{label} has shape {g.shape} but the param has shape {tree[key].shape}")
        if check_finite and not np.isfinite(g).all():
            raise ValueError(f"{label} contains NaN or inf; refusing to step (pass check_finite=False to allow)")
    return gtree


def check_owner(state: Any, name: str) -> int:
    """*state* must be a dict made by optimizer *name*, with a valid step counter; returns ``t``."""
    if not isinstance(state, Mapping):
        raise InputTypeError(f"state must be None or a dict returned by a step; got {type(state).__name__}")
    owner = state.get("optimizer")
    if owner != name:
        raise ValueError(f"this state belongs to optimizer {owner!r}, not {name!r}")
    t = state.get("t")
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
        raise ValueError(f"state['t'] must be a non-negative integer step count; got {t!r}")
    return int(t)


def check_state(state: Any, name: str, tree: dict, expected: dict) -> int:
    """Check that *state* is a state of optimizer *name* for these params; return its ``t``.

    *expected* maps each param key to the slots a fresh init would give
    (used for slot names and shapes).
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
    for key, want in expected.items():
        have = slots[key]
        if not isinstance(have, Mapping) or set(have) != set(want):
            got = sorted(have) if isinstance(have, Mapping) else type(have).__name__
            raise ValueError(
                f"state slots for param {key!r} are {got}, but these hparams need {sorted(want)}"
            )
        for slot, ref in want.items():
            value = have[slot]
            if isinstance(ref, np.ndarray):
                if not isinstance(value, np.ndarray) or value.shape != ref.shape:
                    shape = getattr(value, "shape", type(value).__name__)
                    raise ValueError(
                        f"state slot {slot!r} of param {key!r} has shape {shape}, expected {ref.shape}: "
                        "this state belongs to params of another shape"
                    )
                if value.dtype != ref.dtype:
                    raise ValueError(
                        f"state slot {slot!r} of param {key!r} has dtype {value.dtype} but the param is {ref.dtype}"
                    )
            elif isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"state slot {slot!r} of param {key!r} must be a number; got {value!r}")
    return t


InitSlots = Callable[[np.ndarray, dict], dict]
Update = Callable[[np.ndarray, np.ndarray, dict, int, dict], "tuple[np.ndarray, dict]"]


class Rule:
    """A per-array update rule, made into the public ``init``/``step`` functions.

    ``init_slots(theta, hp)`` gives one array's fresh slots (a dict, maybe
    empty); ``update(theta, g, slots, t, hp)`` gives ``(new_theta, new_slots)``
    for step number ``t`` (1 on the first step).  Neither may modify its
    arguments in place.  With ``keyed=True`` both also receive the array's key
    as a last argument (for rules that treat arrays differently by name), and
    ``check_tree(tree, hp)``, if given, checks the whole dict of params against
    the hparams before anything else is computed.
    """

    def __init__(self, name: str, hparams, init_slots: InitSlots, update: Update, *, keyed: bool = False,
                 check_tree=None):
        self.name = name
        self.hparams = hparams
        self.init_slots = init_slots
        self.update = update
        self.keyed = keyed
        self.check_tree = check_tree

    def _fresh(self, tree: dict, hp: dict) -> dict:
        if self.keyed:
            return {key: self.init_slots(theta, hp, key) for key, theta in tree.items()}
        return {key: self.init_slots(theta, hp) for key, theta in tree.items()}

    def _tree(self, params, hp):
        tree, single = as_tree(params)
        if self.check_tree is not None:
            self.check_tree(tree, hp)
        return tree, single

    def init(self, params: Any, hparams: Mapping | None = None) -> dict:
        """The state before the first step (what ``step`` uses when given ``state=None``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, _ = self._tree(params, hp)
        return {"optimizer": self.name, "t": 0, "slots": self._fresh(tree, hp)}

    def step(self, params, grads, state=None, hparams=None, *, check_finite: bool = True):
        """One optimizer step: returns ``(new_params, new_state)``.

        *params*: a dict name -> floating array, or one array; *grads*: the
        same structure; *state*: ``None`` before the first step, afterwards
        what the previous step returned; *hparams*: a dict (missing names take
        the module's ``DEFAULTS``) or ``None``.  Nothing passed in is
        modified; new arrays come back in the dtype of each param.
        ``check_finite=False`` lets NaN/inf gradients through (for showing
        divergence).  The update rule is in the optimizer module's docstring.
        """
        hp = self.hparams.resolve(hparams, self.name)
        tree, single = self._tree(params, hp)
        gtree = match_grads(tree, grads, single, check_finite)
        fresh = self._fresh(tree, hp)
        if state is None:
            t, slots = 0, fresh
        else:
            t, slots = check_state(state, self.name, tree, fresh), state["slots"]
        t += 1
        new_tree, new_slots = {}, {}
        for key, theta in tree.items():
            g = np.array(gtree[key], dtype=theta.dtype)  # a private copy: slots may keep it
            extra = (key,) if self.keyed else ()
            new_theta, new_slots[key] = self.update(theta, g, dict(slots[key]), t, hp, *extra)
            new_tree[key] = _fresh_array(new_theta, theta)
            new_slots[key] = {s: _like(v, fresh[key][s]) for s, v in new_slots[key].items()}
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


class VectorRule:
    """A rule on the whole parameter vector (second-order methods), made into ``init``/``step``.

    The params are flattened in key order into one float64 vector ``x`` (and
    the grads into ``g``); ``update(x, g, extra, t, hp, params)`` returns
    ``(new_x, new_extra)``, where *extra* is the optimizer's own state (flat
    vectors, matrices, lists of vectors) kept at the top level of the state
    dict, and *params* is the structure as the caller gave it (for a Hessian
    callable).  The new vector is split back into arrays of each param's
    shape and dtype.  ``init_extra(n, hp)`` gives the extra state for ``n``
    parameters; its arrays' shapes are used to check a given state.
    """

    def __init__(self, name: str, hparams, init_extra, update):
        self.name = name
        self.hparams = hparams
        self.init_extra = init_extra
        self.update = update

    def init(self, params: Any, hparams: Mapping | None = None) -> dict:
        """The state before the first step (what ``step`` uses when given ``state=None``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, _ = as_tree(params)
        n = sum(theta.size for theta in tree.values())
        return {"optimizer": self.name, "t": 0, "slots": {k: {} for k in tree}, **self.init_extra(n, hp)}

    def step(self, params, grads, state=None, hparams=None, *, check_finite: bool = True):
        """One step on the flattened parameters: returns ``(new_params, new_state)`` (see ``Rule.step``)."""
        hp = self.hparams.resolve(hparams, self.name)
        tree, single = as_tree(params)
        gtree = match_grads(tree, grads, single, check_finite)
        n = sum(theta.size for theta in tree.values())
        fresh = self.init_extra(n, hp)
        if state is None:
            t, extra = 0, fresh
        else:
            t = check_state(state, self.name, tree, {k: {} for k in tree})
            extra = {key: state.get(key) for key in fresh}
            _check_extra(self.name, extra, fresh, n)
        x = np.concatenate([theta.astype(np.float64).ravel() for theta in tree.values()])
        g = np.concatenate([gtree[k].astype(np.float64).ravel() for k in tree])
        new_x, extra = self.update(x, g, extra, t + 1, hp, params)
        new_tree, start = {}, 0
        for key, theta in tree.items():
            new_tree[key] = new_x[start:start + theta.size].reshape(theta.shape).astype(theta.dtype)
            start += theta.size
        new_state = {"optimizer": self.name, "t": t + 1, "slots": {k: {} for k in tree}, **extra}
        return (new_tree[SINGLE_KEY] if single else new_tree), new_state


def _check_extra(name: str, extra: dict, fresh: dict, n: int) -> None:
    """Shapes of a second-order state's own entries (for *n* parameters), against a fresh one's."""
    for key, ref in fresh.items():
        value = extra[key]
        if isinstance(ref, np.ndarray):
            ok = isinstance(value, np.ndarray) and value.shape == ref.shape
            want = ref.shape
        elif isinstance(ref, list):  # a history of flat vectors
            ok = isinstance(value, list) and all(isinstance(v, np.ndarray) and v.shape == (n,) for v in value)
            want = f"a list of ({n},) arrays"
        else:
            ok, want = value is None or isinstance(value, numbers.Real), "a number"
        if not ok:
            got = getattr(value, "shape", type(value).__name__)
            raise ValueError(f"{name} state entry {key!r} is {got}, expected {want}: it belongs to other params")
