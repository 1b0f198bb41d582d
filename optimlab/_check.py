"""``optimlab.check``: is a student's optimizer right, and if not, which slip makes it wrong?

The user's step function and optimlab's reference step run side by side in
float64 on small random problems ("probes"): the hyperparameters as given,
a probe with every numeric hyperparameter moved away from its usual value (a
large epsilon, other betas, weight decay: the settings under which the usual
slips become visible), and a probe whose learning rate changes mid-run.  The
user's function only ever sees copies, so it cannot disturb the comparison.

When the trajectories part, a catalogue of *variants* is tried: optimlab's
own convention switches (epsilon inside the root, Keras's epsilon-hat, L2 vs
decoupled decay, ...) and common slips (no bias correction, the step counter
off by one, a hard-coded ``beta2 = 0.99``, the wrong sign, Nesterov's
look-ahead forgotten, ...).  Each variant runs a *registered* optimizer with
rewritten hyperparameters, a rewritten state, or a rewritten output (no
optimizer is implemented twice), and the variants that reproduce the user's
trajectory on every probe are reported in words, with the correct line.

Signatures: ``"optimlab"``, ``fn(params, grads, state, hparams) -> (params,
state)`` with a dict of arrays, and ``"cs231n"``, ``fn(w, dw, config=None) ->
(next_w, config)`` for one array, with CS231n's config keys
(``learning_rate``, ``momentum``, ``decay_rate``, ``epsilon``, ``beta1``,
``beta2``); only those are passed and varied in that signature.
"""

from __future__ import annotations

import copy
import itertools
import textwrap
import traceback
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import _args
from ._errors import InputTypeError
from .optimizers import get

SIGNATURES = ("optimlab", "cs231n")
#: optimlab's hparam name -> CS231n's config key.
CS231N_KEYS = {"lr": "learning_rate", "momentum": "momentum", "rho": "decay_rate", "eps": "epsilon",
               "beta1": "beta1", "beta2": "beta2"}
#: Values for the "moved" probe: away from the defaults and from the constants people hard-code.
PROBE_VALUES = {"beta1": 0.8, "beta2": 0.95, "eps": 0.05, "momentum": 0.7, "rho": 0.8, "weight_decay": 0.1,
                "alpha": 0.7, "k": 3, "damping": 0.5, "lr_decay": 0.05, "initial_accumulator_value": 0.05}
#: Constants that are often hard-coded in place of an hparam.
COMMON_CONSTANTS = {"beta1": (0.9,), "beta2": (0.99, 0.999), "eps": (1e-8,), "momentum": (0.9,), "rho": (0.9, 0.99)}
RTOL = 1e-7  # float64 reorderings give ~1e-14; every slip in the catalogue gives > 1e-4 on some probe
SECOND_ORDER = ("newton", "bfgs", "lbfgs")
WRAPPERS = ("lookahead", "ranger")


class UserError(Exception):
    """The user's function raised, returned the wrong thing, or modified its inputs."""

    def __init__(self, message, step=None):
        super().__init__(message)
        self.step = step


# --- the report -------------------------------------------------------------------------------------

@dataclass
class CheckReport:
    """What ``optimlab.check`` found.  ``print(report)`` gives a paragraph a student can read."""

    name: str
    signature: str
    ok: bool
    first_bad_step: int | None
    max_rel_error: float
    diagnosis: list = field(default_factory=list)
    probes: list = field(default_factory=list)  # (label, first bad step or None, max relative error)

    def __bool__(self):
        return self.ok

    def __str__(self):
        probes = "; ".join(label for label, _, _ in self.probes) or "none"
        if self.ok and self.diagnosis:  # equivalent at constant hyperparameters (see the note)
            head = (f"PASS: your {self.name} agrees with optimlab.optimizers.{self.name} while the hyperparameters "
                    f"are constant (probes: {probes}), float64, max relative error {self.max_rel_error:.1e}.")
        elif self.ok:
            head = (f"PASS: your {self.name} agrees with optimlab.optimizers.{self.name} on every probe ({probes}), "
                    f"float64, max relative error {self.max_rel_error:.1e}.")
        else:
            where = (f"first departs at step {self.first_bad_step}" if self.first_bad_step is not None
                     else "could not be compared")
            bad = [label for label, step, _ in self.probes if step is not None]
            head = (f"FAIL: your {self.name} {where}" + (f" (probe: {bad[0]})" if bad else "")
                    + (f"; max relative error {self.max_rel_error:.1e}." if np.isfinite(self.max_rel_error)
                       else "."))
        lines = textwrap.wrap(head, 96)
        for item in self.diagnosis:
            lines += textwrap.wrap(item, 96, initial_indent="  - ", subsequent_indent="    ")
        return "\n".join(lines)


# --- probes: the problems both sides run on --------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    label: str
    hparams: dict
    steps: int
    lr_factors: tuple = ()  # multiplies hparams["lr"] from the given step on: ((step, factor), ...)

    def hparams_at(self, t):
        factor = 1.0
        for start, f in self.lr_factors:
            if t >= start:
                factor = f
        return self.hparams if factor == 1.0 else {**self.hparams, "lr": self.hparams["lr"] * factor}


class Problem:
    """Starting params and the gradient at step t: random (first order) or of a quadratic (second order)."""

    def __init__(self, name, signature, seed):
        rng = np.random.default_rng(seed)
        if name in SECOND_ORDER:
            self.shapes, self.scales = {"w": (3, 2), "b": (4,)}, None
            n = 10
            Q = rng.standard_normal((n, n))
            self.A = Q @ Q.T / n + np.diag(np.linspace(0.5, 3.0, n))
            self.c = rng.standard_normal(n)
        else:
            shapes = {"w": (4, 3), "b": (5,), "s": ()}
            if signature == "cs231n" or name == "muon":
                shapes = {"w": (4, 3), "v": (6,)} if name != "muon" else {"w": (4, 3), "u": (3, 5), "b": (5,)}
            self.shapes = shapes
            self.scales = {key: scale for key, scale in zip(shapes, (1.0, 1e-3, 30.0))}
            self.noise = rng.standard_normal(10_000)
        self.x0 = {key: rng.standard_normal(shape) for key, shape in self.shapes.items()}
        self.name = name

    def grad(self, x, t):
        if self.scales is None:
            flat = np.concatenate([np.ravel(x[k]) for k in self.shapes])
            g, out, start = self.A @ flat - self.c, {}, 0
            for key, shape in self.shapes.items():
                size = int(np.prod(shape))
                out[key] = g[start:start + size].reshape(shape)
                start += size
            return out
        out, offset = {}, 97 * t
        for key, shape in self.shapes.items():
            size = int(np.prod(shape))
            values = np.take(self.noise, np.arange(offset, offset + size), mode="wrap")
            out[key] = self.scales[key] * values.reshape(shape)
            offset += size
        return out

    def hessian(self, params):
        return self.A


def cs231n_keys(name):
    """The hparams a CS231n-style update for *name* reads from its config (momentum only for momentum SGD)."""
    return [k for k in CS231N_KEYS if k in get(name).DEFAULTS and (k != "momentum" or name in ("momentum",
                                                                                                 "nesterov"))]


def _probes(name, signature, given, problem, steps):
    module = get(name)
    base = {**module.DEFAULTS, **given}
    if "hessian" in module.HPARAMS.specs:
        base["hessian"] = problem.hessian
    if signature == "cs231n":
        varied = {k: v for k, v in PROBE_VALUES.items() if k in cs231n_keys(name)}
    else:
        varied = {k: v for k, v in PROBE_VALUES.items() if k in module.DEFAULTS}
    if name == "lookahead":  # the inner optimizer's own hparams are moved too
        inner = get(base["inner"])
        base["inner_hparams"] = dict(base["inner_hparams"] or {})
        moved_inner = {k: v for k, v in PROBE_VALUES.items() if k in inner.DEFAULTS}
        moved = {**base, **{k: v for k, v in varied.items() if k not in given},
                 "inner_hparams": {**moved_inner, **base["inner_hparams"]}}
    else:
        moved = {**base, **{k: v for k, v in varied.items() if k not in given}}
    probes = [Probe("the given hparams", base, steps)]
    if moved != base:
        shown = ", ".join(f"{k}={v:g}" for k, v in moved.items() if k in varied and k not in given)
        probes.append(Probe(f"moved hparams ({shown})", moved, steps))
    if "lr" in base and name not in SECOND_ORDER:
        probes.append(Probe("a learning-rate schedule (lr x0.3 from step 8, x2 from step 15)", moved, steps,
                            ((8, 0.3), (15, 2.0))))
    return probes


# --- running the two sides -------------------------------------------------------------------------

def _frozen(tree):
    return {k: np.array(v, dtype=np.float64, copy=True) for k, v in tree.items()}


def _clone(hp):
    """A deep copy of hparams that keeps callables (a Hessian function) as they are."""
    return {k: v if callable(v) else copy.deepcopy(v) for k, v in hp.items()}


def _user_path(fn, signature, problem, probe, name):
    """The user's trajectory: a list of param dicts after each step (raises UserError)."""
    keys = list(problem.shapes)
    if signature == "cs231n":
        passed = cs231n_keys(name)
        x, configs, path = _frozen(problem.x0), {k: None for k in keys}, []
        for t in range(1, probe.steps + 1):
            hp = probe.hparams_at(t)
            g = problem.grad(x, t)
            new = {}
            for k in keys:
                config = configs[k]
                if config is None:
                    config = {}
                for ours in passed:
                    config[CS231N_KEYS[ours]] = hp[ours]
                w, dw = x[k].copy(), g[k].copy()
                dw_before = dw.copy()
                out = _call(fn, (w, dw, config), t, k)
                if not np.array_equal(dw, dw_before, equal_nan=True):
                    raise UserError(f"your function modified dw (the gradient of {k!r}) in place at step {t}; "
                                    "it must only read it", t)
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise UserError(f"your function returned {_kind(out)} at step {t}; a CS231n update returns "
                                    "(next_w, config)", t)
                next_w, configs[k] = out
                new[k] = _check_array(next_w, x[k].shape, f"next_w (for {k!r})", t)
                if not isinstance(configs[k], dict):
                    raise UserError(f"your function returned a config of type {type(configs[k]).__name__} at "
                                    f"step {t}; it must return the config dict", t)
            x = new
            path.append(x)
        return path
    x, state, path = _frozen(problem.x0), None, []
    for t in range(1, probe.steps + 1):
        hp = probe.hparams_at(t)
        g = problem.grad(x, t)
        args = (_frozen(x), _frozen(g), state, _clone(hp))
        before = (_frozen(args[0]), _frozen(args[1]), _clone(hp))
        out = _call(fn, args, t)
        for what, passed, kept in (("params", args[0], before[0]), ("grads", args[1], before[1])):
            if any(not np.array_equal(passed[k], kept[k], equal_nan=True) for k in kept):
                raise UserError(f"your function modified {what} in place at step {t}; an optimlab step returns "
                                f"new arrays and leaves its inputs alone (write theta = theta - ..., not "
                                f"theta -= ...)", t)
        if args[3] != before[2]:
            raise UserError(f"your function modified hparams at step {t}; it must only read them", t)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise UserError(f"your function returned {_kind(out)} at step {t}; an optimlab step returns "
                            "(params, state)", t)
        new, state = out
        if not isinstance(new, dict) or set(new) != set(keys):
            got = sorted(new) if isinstance(new, dict) else _kind(new)
            raise UserError(f"your function returned params {got} at step {t}; expected a dict with keys {keys}", t)
        x = {k: _check_array(new[k], x[k].shape, f"params[{k!r}]", t) for k in keys}
        path.append(x)
    return path


def _kind(value):
    return f"a {type(value).__name__}" + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else "")


def _call(fn, args, t, key=None):
    try:
        return fn(*args)
    except Exception as exc:  # the student's code: report it, do not crash
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        where = f" (line {frames[-1].lineno} of {frames[-1].filename}: {frames[-1].line})" if frames else ""
        on = f" for {key!r}" if key else ""
        raise UserError(f"your function raised {type(exc).__name__}: {exc} at step {t}{on}{where}", t) from None


def _check_array(value, shape, what, t):
    if not isinstance(value, (np.ndarray, np.generic, float, int)) or isinstance(value, bool):
        raise UserError(f"your function returned {what} as {_kind(value)} at step {t}; expected a numpy array", t)
    value = np.asarray(value)
    if value.shape != shape:
        raise UserError(f"your function returned {what} with shape {value.shape} at step {t}; expected {shape}", t)
    if not np.issubdtype(value.dtype, np.floating):
        raise UserError(f"your function returned {what} with dtype {value.dtype} at step {t}; expected float64", t)
    return value.astype(np.float64, copy=True)


@dataclass(frozen=True)
class Variant:
    """A way of computing the step other than optimlab's reference, described for a student."""

    says: str  # what the user's code does
    fix: str  # the line optimlab uses (or how to check against this convention)
    kind: str = "slip"  # "slip", "convention" (another library's or the lecture's form) or "equivalent"
    optimizer: str | None = None  # run this registered optimizer instead
    hparams: Callable | None = None  # hp -> hp
    state: Callable | None = None  # (state, first, hp, hp_prev) -> state, before each step
    output: Callable | None = None  # (x_prev, x_new) -> x

    def combine(self, other):
        if sum(v is not None for v in (self.optimizer, other.optimizer)) > 1 or \
                sum(v is not None for v in (self.state, other.state)) > 1 or \
                sum(v is not None for v in (self.output, other.output)) > 1:
            return None
        hp = _compose(self.hparams, other.hparams)
        kind = "slip" if "slip" in (self.kind, other.kind) else "convention"
        return Variant(f"{self.says}, and {other.says}", f"{self.fix}; and {other.fix}", kind,
                       self.optimizer or other.optimizer, hp, self.state or other.state, self.output or other.output)


def _compose(f, g):
    if f is None or g is None:
        return f or g
    return lambda hp: g(f(hp))


def _reference_path(name, problem, probe, variant=None):
    """optimlab's trajectory for *name* (or a variant of it) on one probe."""
    module = get(variant.optimizer if variant and variant.optimizer else name)
    accepted = set(module.HPARAMS.specs)
    x, state, path, hp_prev = _frozen(problem.x0), None, [], None
    with np.errstate(all="ignore"):
        for t in range(1, probe.steps + 1):
            hp = probe.hparams_at(t)
            if variant and variant.hparams:
                hp = variant.hparams(dict(hp))
            hp = {k: v for k, v in hp.items() if k in accepted}
            if variant and variant.state:
                state = variant.state(state if state is not None else module.init(x, hp), t == 1, hp, hp_prev)
            g = problem.grad(x, t)
            new, state = module.step(x, g, state, hp, check_finite=False)
            if variant and variant.output:
                new = {k: variant.output(x[k], new[k]) for k in x}
            x, hp_prev = new, hp
            path.append(x)
    return path


def _compare(ours, theirs, x0):
    """(first step whose relative error exceeds RTOL or None, max relative error) of two trajectories."""
    first, worst = None, 0.0
    for t, (a, b) in enumerate(zip(ours, theirs), start=1):
        err = 0.0
        for k in b:
            scale = max(float(np.max(np.abs(b[k] - x0[k]), initial=0.0)), 1e-12 * float(np.max(np.abs(x0[k]),
                                                                                              initial=1.0)), 1e-300)
            diff = np.abs(np.asarray(a[k]) - b[k])
            if not np.all(np.isfinite(a[k])) or not np.all(np.isfinite(b[k])):
                same_nan = np.array_equal(np.isfinite(a[k]), np.isfinite(b[k]))
                diff = np.where(np.isfinite(a[k]) & np.isfinite(b[k]), diff, 0.0 if same_nan else np.inf)
            err = max(err, float(np.max(diff, initial=0.0)) / scale)
        worst = max(worst, err)
        if first is None and not err <= RTOL:
            first = t
    return first, worst


# --- the catalogue of conventions and slips ---------------------------------------------------------

def _set(**values):
    return lambda hp: {**hp, **values}


def _t_shift(offset):
    def state(s, first, hp, hp_prev):
        return {**s, "t": s["t"] + offset} if first else s
    return state


def _t_fixed(value):
    return lambda s, first, hp, hp_prev: {**s, "t": value - 1}


def _lr_inside_buffer(slot):
    """The buffer holds -lr * b (velocity form): when lr changes, the old buffer keeps the old lr."""

    def state(s, first, hp, hp_prev):
        if first or hp_prev is None or hp_prev["lr"] == hp["lr"]:
            return s
        ratio = hp_prev["lr"] / hp["lr"]
        slots = {k: {n: (np.asarray(v * ratio) if n == slot else v) for n, v in sl.items()}  # 0-d stays an array
                 for k, sl in s["slots"].items()}
        return {**s, "slots": slots}

    return state


def _flip(x_prev, x_new):
    return 2.0 * x_prev - x_new


def _catalogue(name, probes, signature):
    """Variants worth trying for optimizer *name* under these probes."""
    module = get(name)
    specs, hps = module.HPARAMS.specs, [p.hparams for p in probes]
    out = []

    def has(key):
        return key in specs and (signature == "optimlab" or key in CS231N_KEYS)

    def varies(key, value):
        return any(hp.get(key) != value for hp in hps)

    def called(key):  # the hparam as the user's code names it
        return f"config[{CS231N_KEYS[key]!r}]" if signature == "cs231n" else f"hparams[{key!r}]"

    # a switch of optimlab's own: another library's (or the lecture's) form
    switches = {
        "eps_inside_sqrt": ("adds epsilon inside the square root, 1/sqrt(v + eps) (the lecture's form, Keras, "
                            "TensorFlow 1)", "PyTorch's form is g / (sqrt(v) + eps)"),
        "eps_hat": ("adds epsilon to sqrt(v_t) before the bias correction (the Adam paper's 'efficient' ordering, "
                    "Keras, TensorFlow 1, Lua torch)", "Algorithm 1 and PyTorch divide by sqrt(v_hat) + eps"),
        "decoupled_weight_decay": ("uses the other weight-decay convention (decoupled theta -= lr*wd*theta vs "
                                   "L2 g += wd*theta)", "see the module's note on weight decay"),
        "eps_outside_max": ("adds epsilon to u outside the max (Keras)", "PyTorch takes max(beta2*u, |g| + eps)"),
        "momentum_schedule": ("uses a constant mu_t = beta1 instead of Dozat's momentum schedule (optax's nadam)",
                              "PyTorch's mu_t = beta1 (1 - 0.5 * 0.96**(t * momentum_decay))"),
        "exclude_vectors": ("treats 1-D arrays with the trust ratio too (optax)",
                            "pytorch-optimizer skips the trust ratio for arrays with ndim <= 1"),
        "relative_step": ("uses the other Adafactor step size (relative min(lr, 1/sqrt t) vs explicit lr)",
                          "see the module's note"),
        "scale_parameter": ("toggles Adafactor's parameter scale max(eps2, RMS(theta))", "see the module's note"),
        "nesterov": ("toggles the Nesterov form", "check the nesterov hparam"),
        "centered": ("toggles the centered denominator", "check the centered hparam"),
    }
    for key, (says, fix) in switches.items():
        if key in specs:
            value = hps[0][key]
            how = (f"; check(..., hparams={{{key!r}: {not value}}}) checks against that form"
                   if signature == "optimlab" else "")
            out.append(Variant(says, fix + how, "convention" if key not in ("nesterov", "centered") else "slip",
                               hparams=_set(**{key: not value})))
    if "initial_mean_square" in specs:
        out.append(Variant("starts the mean square at 1 (TensorFlow 1, Lua torch)", "PyTorch starts v at 0"
                           + ("; check(..., hparams={'initial_mean_square': 1.0}) checks against TF1's form"
                              if signature == "optimlab" else ""),
                           "convention", hparams=_set(initial_mean_square=1.0)))
    if has("trust_denominator") and signature == "optimlab":
        other = "update" if hps[0]["trust_denominator"] == "grad_plus_decay" else "grad_plus_decay"
        out.append(Variant(f"divides the trust ratio by {'||g + wd*w||' if other == 'update' else '||g|| + wd*||w||'}",
                           f"check(..., hparams={{'trust_denominator': {other!r}}}) checks against that form.",
                           "convention", hparams=_set(trust_denominator=other)))
    if has("unrectified"):
        out.append(Variant("steps with the raw m_t (no bias correction) before the rectification starts (the "
                           "lecture's form)", "the paper and PyTorch use m_hat_t = m_t / (1 - beta1**t) there",
                           "convention", hparams=_set(unrectified="raw")))
        out.append(Variant("takes no step at all before the rectification starts (the authors' RAdam with "
                           "degenerated_to_sgd=False)", "PyTorch steps by lr * m_hat_t there", "convention",
                           hparams=_set(unrectified="none")))
    if has("rho_threshold") and varies("rho_threshold", 4.0):
        out.append(Variant("switches to the rectified step when rho_t > 4 (the paper's Algorithm 2)",
                           "PyTorch and the authors' code switch at rho_t > 5", "convention",
                           hparams=_set(rho_threshold=4.0)))
    if has("layout") and signature == "optimlab":
        other = "in_out" if hps[0]["layout"] == "out_in" else "out_in"
        out.append(Variant("reads the weight's shape the other way round for the lr scale sqrt(max(1, out/in))",
                           f"check(..., hparams={{'layout': {other!r}}}) checks against that layout.",
                           "convention", hparams=_set(layout=other)))

    # the Adam family's step counter
    if name in ("adam", "adamw", "amsgrad"):
        out.append(Variant("does not correct the bias of m and v", "m_hat = m / (1 - beta1**t) and "
                           "v_hat = v / (1 - beta2**t), with t = 1 on the first step", state=_t_fixed(10**9)))
        out.append(Variant("uses the step counter one too high in the bias correction (t + 1)",
                           "count t = 1, 2, ... and use that t in 1 - beta**t", state=_t_shift(1)))
    if name == "amsgrad":
        out.append(Variant("forgets the running maximum of v (that is plain Adam)",
                           "v_max = max(v_max, v_t), and divide by sqrt(v_max / (1 - beta2**t)) + eps",
                           optimizer="adam"))
    if name == "adamw":
        out.append(Variant("adds weight_decay * theta to the gradient (L2, as Adam with weight decay does) "
                           "instead of decaying the weights", "theta = theta * (1 - lr * weight_decay) before the "
                           "Adam step, with the gradient untouched", optimizer="adam",
                           hparams=_set(decoupled_weight_decay=False)))
    decoupled = [hp for hp in hps if hp.get("weight_decay") and (
        name in ("adamw", "lion", "stable_adamw", "adafactor", "muon") or hp.get("decoupled_weight_decay"))]
    if decoupled:
        out.append(Variant("decays the weights by weight_decay instead of lr * weight_decay",
                           "theta = theta * (1 - lr * weight_decay)",
                           hparams=lambda hp: {**hp, "weight_decay": hp["weight_decay"] / hp["lr"]}))
    if has("weight_decay") and varies("weight_decay", 0.0):
        out.append(Variant("ignores weight_decay", "apply hparams['weight_decay'] as the module docstring says",
                           hparams=_set(weight_decay=0.0)))

    # momentum forms
    if name in ("momentum", "nesterov", "lars") or (name == "rmsprop" and any(hp["momentum"] for hp in hps)):
        slot = "b"
        out.append(Variant("keeps the learning rate inside the velocity (v = mu*v - lr*g; theta += v: "
                           "Sutskever et al., CS231n)", "this equals optimlab's b = mu*b + g; theta -= lr*b "
                           "whenever the learning rate is constant, so it is fine unless you use a schedule",
                           "equivalent", state=_lr_inside_buffer(slot)))
    if name == "momentum":
        out.append(Variant("averages the gradients (b = mu*b + (1 - mu)*g from b = 0, an EMA) instead of summing "
                           "them", "b = mu*b + g (PyTorch's SGD, the lecture's m_t = gamma*m_{t-1} + g_t)",
                           hparams=lambda hp: {**hp, "lr": hp["lr"] * (1 - hp["momentum"])}))
        out.append(Variant("damps the gradient by (1 - momentum) from step 2 (PyTorch's dampening=momentum)",
                           "b = mu*b + g", hparams=lambda hp: {**hp, "dampening": hp["momentum"]}))
        out.append(Variant("computes Nesterov momentum where heavy-ball momentum was asked for",
                           "theta -= lr * b with b = mu*b + g", optimizer="nesterov"))
    if name == "nesterov":
        out.append(Variant("computes heavy-ball momentum (theta -= lr*b) where Nesterov was asked for",
                           "theta -= lr * (g + mu*b): the gradient plus the momentum of the next step",
                           optimizer="momentum", hparams=_set(dampening=0.0)))
    if name == "lion":
        out.append(Variant("takes the sign of the updated momentum m_t (beta2) instead of the interpolation "
                           "c_t = beta1*m_{t-1} + (1 - beta1)*g_t", "theta -= lr * sign(beta1*m + (1 - beta1)*g), "
                           "then m = beta2*m + (1 - beta2)*g", hparams=lambda hp: {**hp, "beta1": hp["beta2"]}))
        out.append(Variant("takes the sign of the old momentum m_{t-1}, without the current gradient",
                           "theta -= lr * sign(beta1*m + (1 - beta1)*g)", hparams=_set(beta1=1.0)))
        out.append(Variant("updates the momentum with beta1 instead of beta2",
                           "m = beta2*m + (1 - beta2)*g", hparams=lambda hp: {**hp, "beta2": hp["beta1"]}))
    if name in WRAPPERS:
        out.append(Variant("puts alpha on the slow weights' side (slow = alpha*slow + (1 - alpha)*fast, the "
                           "lecture's form)", "slow = slow + alpha*(fast - slow) (Zhang et al., Algorithm 1)",
                           hparams=lambda hp: {**hp, "alpha": 1.0 - hp["alpha"]}))
        out.append(Variant("synchronises every k + 1 steps", "synchronise when t % k == 0, t counted from 1",
                           hparams=lambda hp: {**hp, "k": hp["k"] + 1}))
    if name == "lamb":
        out.append(Variant("leaves out the trust ratio (that is AdamW)", "theta -= lr * ||theta|| / ||u|| * u",
                           optimizer="adamw"))
    if name == "stable_adamw":
        out.append(Variant("leaves out the update clipping (that is AdamW)",
                           "lr_t = lr / max(1, RMS(g**2 / max(v_hat, eps**2)))", optimizer="adamw"))

    # hard-coded constants, swapped betas, ignored hparams
    for key, values in COMMON_CONSTANTS.items():
        for value in values:
            if has(key) and varies(key, value):
                out.append(Variant(f"uses {key} = {value:g} whatever {called(key)} says", f"read {called(key)}",
                                   hparams=_set(**{key: value})))
    if has("beta1") and has("beta2"):
        out.append(Variant("swaps beta1 and beta2", "m uses beta1, v uses beta2",
                           hparams=lambda hp: {**hp, "beta1": hp["beta2"], "beta2": hp["beta1"]}))
    for key, spec in specs.items():
        default = getattr(spec, "default", None)
        if has(key) and isinstance(default, (int, float)) and not isinstance(default, bool) and varies(key, default):
            if key not in COMMON_CONSTANTS and key != "weight_decay":
                out.append(Variant(f"ignores {called(key)} (uses its default {default:g})",
                                   f"read {called(key)}", hparams=_set(**{key: default})))
    if "lr" in specs and any(p.lr_factors for p in probes):
        out.append(Variant(f"uses a fixed learning rate, ignoring {called('lr')} (so a schedule has no effect)",
                           f"read {called('lr')} at every step", hparams=_set(lr=hps[0]["lr"])))
    out.append(Variant("moves the params the wrong way (theta + step instead of theta - step)",
                       "subtract the step: theta = theta - lr * ...", output=_flip))
    return out


def _matches(name, problem, probes, user_paths, variant):
    for probe, user in zip(probes, user_paths):
        if user is None:
            continue
        try:
            path = _reference_path(name, problem, probe, variant)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError):
            return False
        if _compare(user, path, problem.x0)[0] is not None:
            return False
    return True


# --- the public function ----------------------------------------------------------------------------

def check(fn, name, *, signature="optimlab", hparams=None, steps=30, seed=0):
    """Run the user's optimizer *fn* beside optimlab's *name* and say whether (and how) they differ.

    *fn* has the signature ``"optimlab"`` (``fn(params, grads, state, hparams) -> (params, state)``,
    params a dict of float64 arrays) or ``"cs231n"`` (``fn(w, dw, config=None) -> (next_w, config)``).
    *hparams* (optional) sets hparams for every probe (switches included, e.g. ``{"eps_hat": True}`` to
    check against Keras's Adam).  Returns a :class:`CheckReport`: ``ok``, ``first_bad_step``,
    ``max_rel_error``, ``diagnosis`` (sentences) and ``str(report)``.
    """
    if not callable(fn):
        raise InputTypeError(f"check needs a function to check; got {type(fn).__name__}")
    module = get(name)
    _args.mapping("check", "hparams", hparams)
    _args.seed("check", seed)
    if seed is None:
        raise ValueError("check: argument 'seed' must be an integer (the probes must be reproducible); got None")
    if signature not in SIGNATURES:
        raise ValueError(f"signature must be one of {SIGNATURES}; got {signature!r}")
    if signature == "cs231n" and (name in SECOND_ORDER or name in WRAPPERS or name in ("muon", "adafactor")):
        raise ValueError(f"the cs231n signature updates one array with CS231n's config keys; {name!r} needs "
                         "the optimlab signature")
    placeholders = {k: (lambda params: None) for k in module.HPARAMS.required}  # the probes supply Newton's Hessian
    resolved = module.HPARAMS.resolve({**placeholders, **(hparams or {})}, name)  # checks names, types and ranges
    given = {k: resolved[k] for k in (hparams or {})}
    if signature == "cs231n":
        unknown = [k for k in given if k not in cs231n_keys(name)]
        if unknown:
            raise ValueError(f"the cs231n signature passes only {cs231n_keys(name)} for {name}; cannot set {unknown}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")

    problem = Problem(name, signature, seed)
    probes = _probes(name, signature, given, problem, steps)
    report = CheckReport(name, signature, True, None, 0.0)
    user_paths, failing = [], []
    for probe in probes:
        try:
            user = _user_path(fn, signature, problem, probe, name)
        except UserError as exc:
            report.ok, report.max_rel_error = False, float("nan")
            report.first_bad_step = exc.step
            report.probes.append((probe.label, exc.step, float("nan")))
            report.diagnosis.append(str(exc))
            return report
        first, worst = _compare(user, _reference_path(name, problem, probe), problem.x0)
        user_paths.append(user)
        report.probes.append((probe.label, first, worst))
        report.max_rel_error = max(report.max_rel_error, worst)
        if first is not None:
            failing.append((probe, first, user))
            if report.first_bad_step is None:
                report.first_bad_step = first
    if not failing:
        return report

    variants = _catalogue(name, probes, signature)
    found = [v for v in variants if _matches(name, problem, probes, user_paths, v)]
    if not found:  # two slips at once
        combos = (a.combine(b) for a, b in itertools.combinations(variants, 2))
        found = [v for v in combos if v is not None and _matches(name, problem, probes, user_paths, v)][:3]
    if found and all(v.kind == "equivalent" for v in found):
        report.ok, report.first_bad_step = True, None
        report.max_rel_error = max((worst for _, first, worst in report.probes if first is None), default=0.0)
        report.probes = [(label, None, worst) for label, first, worst in report.probes]
        report.diagnosis += [f"Note: your code {v.says}; {v.fix}." for v in found]
        return report
    report.ok = False
    for v in found:
        lead = {"slip": "Your code", "convention": "Convention: your code", "equivalent": "Note: your code"}[v.kind]
        report.diagnosis.append(f"{lead} {v.says}. Correct line: {v.fix}" if v.kind == "slip"
                                else f"{lead} {v.says}. {v.fix}")
    if not found:
        probe, first, user = failing[0]
        bad = [t for t, x in enumerate(user, start=1) if not all(np.all(np.isfinite(v)) for v in x.values())]
        if bad:
            hint = (" A bias correction 1 - beta**t evaluated with t = 0 divides by zero: count t = 1, 2, ... "
                    "and increment it before using it." if name in ("adam", "adamw", "amsgrad", "nadam", "radam",
                                                                     "adamax", "ranger") else "")
            report.diagnosis.append(f"Your step returned NaN or inf at step {bad[0]} (probe: {probe.label}), "
                                    f"where optimlab's stays finite.{hint}")
            return report
        ref = _reference_path(name, problem, probe)[first - 1]
        key = max(ref, key=lambda k: float(np.max(np.abs(np.asarray(user[first - 1][k]) - ref[k]), initial=0.0)))
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(user[first - 1][key] - ref[key]))),
                                                     ref[key].shape))
        report.diagnosis.append(
            f"No known slip reproduces your trajectory.  At step {first} of the probe with {probe.label}, "
            f"params[{key!r}]{list(idx) if idx else ''} is {float(user[first - 1][key][idx]):.10g} in your code "
            f"and {float(ref[key][idx]):.10g} in optimlab's; compare your lines with the update rule in "
            f"help(optimlab.optimizers.{name}).")
    return report
