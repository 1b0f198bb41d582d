"""The experiments behind the figures, notebooks and ``optimlab tour``: runs of the library's optimizers.

Nothing here implements an update rule; every step is a call of a registered
optimizer's ``step`` (or of ``optimlab.minimize``/``optimlab.train``).
"""

from __future__ import annotations

import numpy as np

from . import datasets, landscapes
from .mlp import MLP
from .optimizers import get
from .training import train

#: Hyperparameters that make each optimizer behave well on each landscape (tuned by hand; the
#: race, the figures and the summary table use them unless told otherwise).
SUGGESTED = {
    "rosenbrock": {
        "sgd": {"lr": 2e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9}, "nesterov": {"lr": 1e-3, "momentum": 0.9},
        "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 3e-3}, "adadelta": {"lr": 0.03}, "adam": {"lr": 0.05},
        "adamw": {"lr": 0.05, "weight_decay": 0.0}, "amsgrad": {"lr": 0.05}, "adamax": {"lr": 0.05},
        "nadam": {"lr": 0.02}, "radam": {"lr": 5e-3}, "lookahead": {"inner": "adam", "inner_hparams": {"lr": 0.1}},
        "ranger": {"lr": 5e-3}, "lars": {"lr": 2e-3}, "lamb": {"lr": 0.01},
        "stable_adamw": {"lr": 0.05, "weight_decay": 0.0}, "lion": {"lr": 3e-3}, "muon": {"adamw_lr": 0.05},
        "adafactor": {"lr": 3e-3}, "bfgs": {"lr": 0.5}, "lbfgs": {"lr": 0.5},
    },
    "beale": {
        "sgd": {"lr": 0.01}, "momentum": {"lr": 0.005, "momentum": 0.9}, "nesterov": {"lr": 0.005, "momentum": 0.9},
        "adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.01}, "adadelta": {"lr": 1.0}, "adam": {"lr": 0.05},
        "nadam": {"lr": 0.05}, "radam": {"lr": 0.02}, "lion": {"lr": 0.01},
        "lookahead": {"inner": "adam", "inner_hparams": {"lr": 0.05}},
    },
    "ravine": {
        "sgd": {"lr": 1.0}, "momentum": {"lr": 0.5, "momentum": 0.5}, "nesterov": {"lr": 0.5, "momentum": 0.5},
        "adagrad": {"lr": 1.0}, "rmsprop": {"lr": 0.05}, "adadelta": {"lr": 1.0, "eps": 1e-3}, "adam": {"lr": 0.1},
        "nadam": {"lr": 0.1}, "radam": {"lr": 0.2}, "lion": {"lr": 0.03}, "lookahead": {"inner": "momentum",
                                                                   "inner_hparams": {"lr": 0.5, "momentum": 0.5}},
    },
    "saddle": {
        "sgd": {"lr": 0.05}, "momentum": {"lr": 0.05, "momentum": 0.9}, "adagrad": {"lr": 0.3},
        "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.05}, "lion": {"lr": 0.02},
    },
}


def suggested(optimizer, landscape):
    """The suggested hparams for *optimizer* on *landscape* (the optimizer's defaults when none are known)."""
    return dict(SUGGESTED.get(landscape, {}).get(optimizer, {}))


def label(optimizer, hparams=None):
    """``"adam (lr=0.05)"``: the optimizer, its learning rate and any other hparam that differs from the default."""
    module = get(optimizer)
    hparams = dict(hparams or {})
    full = {**module.DEFAULTS, **{k: v for k, v in hparams.items() if k in module.DEFAULTS}}
    shown = []
    for k, v in full.items():
        if isinstance(v, dict) or callable(v) or v is None:
            continue
        if k == "lr" or v != module.DEFAULTS[k]:
            shown.append(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}")
    inner = hparams.get("inner_hparams") or {}
    shown += [f"inner {k}={v:g}" for k, v in inner.items() if isinstance(v, float)]
    return optimizer + (f" ({', '.join(shown)})" if shown else "")


def trajectory(optimizer, f, hparams=None, steps=300, start=None, noise=0.0, seed=0):
    """The iterates ``x_0 ... x_steps`` of *optimizer* on landscape *f* (stops early if it diverges).

    ``noise`` adds Gaussian noise of that standard deviation to every gradient
    (a stand-in for mini-batch noise).  Returns an array ``(n, dim)``.
    """
    module = get(optimizer)
    if isinstance(f, str):
        f = landscapes.get(f)
    hparams = dict(hparams or {})
    if optimizer == "newton":
        hparams.setdefault("hessian", f.hessian)
    rng = np.random.default_rng(seed)
    x = np.array(f.start if start is None else start, dtype=float)
    path, state = [x.copy()], None
    with np.errstate(all="ignore"):
        for _ in range(steps):
            g = f.grad(x) + (noise * rng.standard_normal(x.shape) if noise else 0.0)
            if not np.all(np.isfinite(g)):
                break
            x, state = module.step(x, g, state, hparams, check_finite=False)
            if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e6:
                break
            path.append(x.copy())
    return np.array(path)


def steps_to(path, f, tol=1e-3):
    """The first step at which the path is within *tol* of the global minimum, or None."""
    if not f.minima:
        return None
    hit = np.flatnonzero(np.linalg.norm(path - f.minima[0], axis=1) < tol)
    return int(hit[0]) if hit.size else None


def adam_first_steps(beta1=0.9, beta2=0.999, steps=50, g=1.0, lr=1.0):
    """Adam's step size with and without bias correction, for a constant gradient *g*.

    Runs :mod:`optimlab.optimizers.adam` and reads its (uncorrected) moments
    from the state: ``(corrected, uncorrected)`` arrays of ``|step|/lr``.
    """
    adam = get("adam")
    x, state = np.zeros(1), None
    corrected, uncorrected = [], []
    hp = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": 1e-8}
    for _ in range(steps):
        new, state = adam.step(x, np.array([g]), state, hp)
        corrected.append(abs(float(new[0] - x[0])) / lr)
        m, v = state["slots"]["param"]["m"][0], state["slots"]["param"]["v"][0]
        uncorrected.append(abs(m / (np.sqrt(v) + 1e-8)))
        x = new
    return np.array(corrected), np.array(uncorrected)


def mlp_runs(runs, epochs=8, batch_size=32, hidden=64, seed=0):
    """Train the digits MLP 64-hidden-10 once per ``(label, optimizer, hparams)``; returns ``{label: TrainResult}``.

    Every run starts from the same initialisation (``seed``) with a fresh optimizer state.
    """
    Xtr, ytr, Xte, yte = datasets.load_digits()
    net = MLP([64, hidden, 10])
    p0 = net.init(seed=seed)
    return {lab: train(net, p0, Xtr, ytr, optimizer=opt, hparams=hp, epochs=epochs, batch_size=batch_size,
                       validation=(Xte, yte), seed=seed, verbose=False) for lab, opt, hp in runs}


SHOOTOUT = [
    ("sgd (lr=0.1)", "sgd", {"lr": 0.1}),
    ("momentum (lr=0.05)", "momentum", {"lr": 0.05}),
    ("nesterov (lr=0.05)", "nesterov", {"lr": 0.05}),
    ("adagrad (lr=0.05)", "adagrad", {"lr": 0.05}),
    ("rmsprop (lr=1e-3)", "rmsprop", {"lr": 1e-3}),
    ("adam (lr=3e-3)", "adam", {"lr": 3e-3}),
    ("adamw (lr=3e-3)", "adamw", {"lr": 3e-3}),
    ("radam (lr=3e-3)", "radam", {"lr": 3e-3}),
    ("ranger (lr=3e-3)", "ranger", {"lr": 3e-3}),
    ("lamb (lr=0.01)", "lamb", {"lr": 0.01}),
    ("lion (lr=3e-4)", "lion", {"lr": 3e-4}),
    ("muon (lr=0.02)", "muon", {"lr": 0.02, "adamw_lr": 3e-3}),
]


def state_bytes(optimizer, sizes=(784, 128, 10), dtype=np.float32):
    """Bytes of optimizer state for the lecture's MLP (arrays only), from a fresh ``init``."""
    net = MLP(list(sizes))
    state = get(optimizer).init(net.init(0, dtype=dtype))
    return sum(a.nbytes for slots in state["slots"].values() for a in slots.values() if isinstance(a, np.ndarray))


def momentum_speedup(conditions=(10, 30, 100, 300, 1000), tol=1e-6, max_steps=200000):
    """Steps of gradient descent vs heavy-ball momentum, each with its optimal constant parameters,
    to shrink the error on ``ravine(condition)`` below *tol*: rows ``(kappa, gd_steps, momentum_steps)``.

    On a quadratic with curvatures in [mu, L], the best GD rate is 2/(mu+L) (error x (k-1)/(k+1) per
    step); heavy ball with lr = 4/(sqrt(L)+sqrt(mu))^2 and momentum ((sqrt(k)-1)/(sqrt(k)+1))^2 contracts
    like (sqrt(k)-1)/(sqrt(k)+1): about sqrt(kappa) times fewer steps.
    """
    rows = []
    for kappa in conditions:
        f = landscapes.ravine(condition=float(kappa))
        mu, L = 1.0 / kappa, 1.0
        runs = {"sgd": {"lr": 2.0 / (mu + L)},
                "momentum": {"lr": 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                             "momentum": ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2}}
        counts = []
        for name, hp in runs.items():
            module, x, state, n = get(name), f.start.copy(), None, 0
            while np.linalg.norm(x) > tol * np.linalg.norm(f.start) and n < max_steps:
                x, state = module.step(x, f.grad(x), state, hp)
                n += 1
            counts.append(n)
        rows.append((kappa, counts[0], counts[1]))
    return rows
