"""Fair comparisons: every optimizer tuned on the same learning-rate grid with the same budget, then re-run.

Ranking optimizers with each at an arbitrary learning rate ranks the learning
rates, not the optimizers.  The protocol here is DeepOBS's (Schneider, Balles
and Hennig, ICLR 2019) and that of "Descending through a Crowded Valley"
(Schmidt, Schneider and Hennig, ICML 2021), at toy scale:

1. for every benchmark and optimizer, run each learning rate of one shared log
   grid (:data:`LR_GRID`: half-decades from 1e-5 to 10) with the benchmark's
   tuning seeds and budget; every other hparam stays at the optimizer's
   default (:data:`FIXED` lists the few that must be set for a benchmark, and
   :data:`FIXED_LANDSCAPE` the changes on the 2-D landscapes; the same for
   every learning rate);
2. keep the learning rate with the best tuning score: the median over the
   tuning seeds of a landscape's final gap to the minimum (seed 0 starts at the
   classic start, others nearby; every gap below :data:`SOLVED` counts as the
   same, so float round-off never decides between two rates that both solve
   the problem), or an MLP's final validation loss (seed 0); ties go to the
   smaller learning rate;
3. re-run that learning rate with S fresh seeds (100, 101, ...: other starts,
   or other initialisations and shuffling), and keep every seed's curve:
   figures show the median and the spread, tables the median and the range.

``optimlab tune`` runs it and writes a small JSON file; the notebooks and
``optimlab tour`` read the shipped copy (:func:`load`), and the test suite runs
the command on a small grid.  What it cannot tell: a lr grid is one hparam of
many (momentum, betas, schedules stay at their defaults), and toy problems
are not ImageNet.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import datasets, landscapes
from .mlp import MLP
from .optimizers import get
from .training import train

#: The shared learning-rate grid: 13 values in half decades, 1e-5 ... 10 (wide enough that the best rates
#: sit inside it: Lion's near 1e-4 on MNIST, Adadelta's near 1, nothing's at either end).
LR_GRID = tuple(float(10.0 ** e) for e in np.arange(-5.0, 1.01, 0.5))
#: The optimizers the benchmarks compare (every first-order optimizer of the registry).
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adamax",
              "nadam", "radam", "lookahead", "ranger", "lars", "lamb", "stable_adamw", "lion", "muon", "adafactor")
#: Non-learning-rate hparams a benchmark needs, the same at every grid point (and why).
FIXED = {
    "lookahead": {"inner": "adam"},  # the paper's and the lecture's main pairing
    "muon": {"layout": "in_out"},  # optimlab's MLP stores W as (fan_in, fan_out): PyTorch's lr scale
    "lars": {"trust_coefficient": 0.02},  # 0.001 (its default) is for very deep nets; the toy nets need more
}
#: Changes to :data:`FIXED` on the 2-D landscapes, whose one parameter is a vector: LARS skips the trust
#: ratio for vectors by default (biases, norms), which would make it plain momentum SGD there.
FIXED_LANDSCAPE = {"lars": {"exclude_vectors": False}}
SHIPPED = Path(__file__).parent / "data" / "tuning.json"
REPORT_SEED = 100  # the re-runs use seeds 100, 101, ...: none of them was used for tuning
SOLVED = 1e-12  # a landscape gap below this is "at the minimum": float round-off, not a better rate


def fixed(name, kind="mlp"):
    """The fixed hparams of *name* on a benchmark of *kind* (``"mlp"`` or ``"landscape"``)."""
    extra = FIXED_LANDSCAPE.get(name, {}) if kind == "landscape" else {}
    return {**FIXED.get(name, {}), **extra}


def with_lr(name, lr, hparams=None, kind="mlp"):
    """*hparams* (default: :func:`fixed` for a benchmark of *kind*) with the learning rate set to *lr* where
    *name* keeps it.

    Lookahead's rate is its inner optimizer's; Muon's AdamW part (biases, and
    on a 2-D landscape everything) follows the same value.
    """
    hp = dict(fixed(name, kind) if hparams is None else hparams)
    if name == "lookahead":
        return {**hp, "inner_hparams": {**(hp.get("inner_hparams") or {}), "lr": lr}}
    if name == "muon":
        return {**hp, "lr": lr, "adamw_lr": lr}
    return {**hp, "lr": lr}


# --- benchmarks ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Landscape:
    """A 2-D landscape: start near its classic start (jittered by the seed), optional gradient noise."""

    name: str
    landscape: str
    steps: int
    kwargs: dict = field(default_factory=dict)
    jitter: float = 0.1  # std of the start's perturbation for seeds > 0
    noise: float = 0.0  # std of Gaussian noise added to every gradient

    kind = "landscape"
    tuning_seeds = (0, 1, 2)

    def run(self, optimizer, hparams, seed, steps=None):
        """The gap f(x_t) - f* after each step (inf from a divergence on)."""
        from .experiments import trajectory

        f = landscapes.get(self.landscape, **self.kwargs)
        steps = steps or self.steps
        rng = np.random.default_rng(seed)
        start = f.start + (self.jitter * rng.standard_normal(f.start.shape) if seed else 0.0)
        path = trajectory(optimizer, f, hparams, steps, start=start, noise=self.noise, seed=seed)
        gap = np.full(steps + 1, np.inf)
        with np.errstate(all="ignore"):
            gap[: len(path)] = np.maximum(f.value(path) - f.fmin, 0.0)
        return {"gap": gap}

    @staticmethod
    def score(result):
        final = result["gap"][-1]
        return float(max(final, SOLVED)) if np.isfinite(final) else math.inf


@dataclass(frozen=True)
class MLPTask:
    """An MLP on a shipped data set; tuned on a validation split of the training set, reported on the test set."""

    name: str
    dataset: str
    sizes: tuple
    epochs: int
    batch_size: int
    activation: str = "relu"

    kind = "mlp"
    tuning_seeds = (0,)

    def data(self):
        loader = {"mnist": datasets.load_mnist, "digits": datasets.load_digits}[self.dataset]
        Xtr, ytr, Xte, yte = loader()
        Xfit, yfit, Xval, yval = datasets.train_test_split(Xtr, ytr, test_fraction=0.2, seed=0)
        return Xfit, yfit, Xval, yval, Xte, yte

    def run(self, optimizer, hparams, seed, epochs=None, data=None):
        """Per-epoch training loss, validation loss/accuracy and test accuracy (NaN from a divergence on)."""
        Xfit, yfit, Xval, yval, Xte, yte = data or self.data()
        epochs = epochs or self.epochs
        net = MLP(list(self.sizes), self.activation)
        out = {key: np.full(epochs, np.nan) for key in ("train_loss", "val_loss", "val_acc", "test_acc")}
        try:
            with np.errstate(all="ignore"):
                run = train(net, net.init(seed=seed), Xfit, yfit, optimizer=optimizer, hparams=hparams, epochs=epochs,
                            batch_size=self.batch_size, validation=(Xval, yval), seed=seed, verbose=False)
        except (ValueError, ArithmeticError):  # the gradients blew up: a diverged run
            return out
        ep = run.history.epoch
        for key in ("train_loss", "val_loss", "val_acc"):
            out[key][: len(ep[key])] = ep[key]
        with np.errstate(all="ignore"):
            out["test_acc"][-1] = net.accuracy(run.params, Xte, yte)
        return out

    @staticmethod
    def score(result):
        final = result["val_loss"][-1]
        return float(final) if np.isfinite(final) else math.inf


#: The benchmarks ``optimlab tune`` runs by default.
BENCHMARKS = {
    "rosenbrock": Landscape("rosenbrock", "rosenbrock", steps=1000),
    "beale": Landscape("beale", "beale", steps=500),
    "ravine": Landscape("ravine", "ravine", steps=300, kwargs={"condition": 100.0, "angle": 0.5}, jitter=0.5),
    "rastrigin": Landscape("rastrigin", "rastrigin", steps=500, jitter=0.5),
    "mnist_b32": MLPTask("mnist_b32", "mnist", (784, 128, 10), epochs=8, batch_size=32),
    "mnist_b256": MLPTask("mnist_b256", "mnist", (784, 128, 10), epochs=8, batch_size=256),
}


# --- the protocol ----------------------------------------------------------------------------------

def _summary(result, points=60):
    """Every curve of a run as a list (downsampled to about *points* values, last value kept)."""
    out = {}
    for key, curve in result.items():
        curve = np.asarray(curve, dtype=float)
        if len(curve) > points:
            idx = np.unique(np.linspace(0, len(curve) - 1, points).round().astype(int))
            out[key + "_steps"] = idx.tolist()
            curve = curve[idx]
        out[key] = [None if not np.isfinite(v) else float(v) for v in curve]
    return out


#: Budgets of ``optimlab tune --quick`` (the test suite's run): steps for landscapes, epochs for MLPs.
QUICK = {"landscape": 60, "mlp": 1}


def tune_one(benchmark, optimizer, grid=LR_GRID, seeds=5, budget=None, data=None):
    """The protocol for one optimizer on one benchmark: a dict ready for JSON (see the module docstring).

    *budget* (optional) replaces the benchmark's steps (landscapes) or epochs (MLPs).
    """
    get(optimizer)  # unknown names fail here
    kwargs = {} if budget is None else ({"steps": budget} if benchmark.kind == "landscape" else {"epochs": budget})
    if benchmark.kind == "mlp":
        kwargs["data"] = data
    scores = []
    for lr in grid:
        hp = with_lr(optimizer, lr, kind=benchmark.kind)
        tried = [benchmark.score(benchmark.run(optimizer, hp, seed, **kwargs)) for seed in benchmark.tuning_seeds]
        scores.append(float(np.median(tried)))
    finite = [s for s in scores if math.isfinite(s)]
    best = grid[scores.index(min(finite))] if finite else None
    hp = None if best is None else with_lr(optimizer, best, kind=benchmark.kind)
    runs = [] if best is None else [benchmark.run(optimizer, hp, seed, **kwargs)
                                    for seed in range(REPORT_SEED, REPORT_SEED + seeds)]
    return {"grid": list(grid), "scores": [s if math.isfinite(s) else None for s in scores], "best_lr": best,
            "hparams": hp,
            "runs": [_summary(r) for r in runs]}


def tune(benchmarks=None, optimizers=OPTIMIZERS, grid=LR_GRID, seeds=5, quick=False, progress=None):
    """Run the protocol for every benchmark x optimizer; returns the results dict (what :func:`save` writes).

    ``quick=True`` uses the small budgets of :data:`QUICK` (a smoke run: the numbers mean little).
    *progress*, if given, is called with a line of text after each optimizer.
    """
    names = list(benchmarks or BENCHMARKS)
    unknown = [b for b in names if b not in BENCHMARKS]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")
    for name in optimizers:
        get(name)
    if not grid or any(not (isinstance(lr, (int, float)) and lr > 0) for lr in grid):
        raise ValueError(f"grid must be a non-empty list of positive learning rates; got {grid!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive integer; got {seeds!r}")
    results = {"protocol": {"grid": list(grid), "seeds": seeds, "fixed": FIXED,
                            "fixed_landscape": FIXED_LANDSCAPE, "quick": bool(quick),
                            "tuned_on": "landscapes: median final gap to the minimum over seeds 0-2; "
                                        "MLPs: final validation loss, seed 0",
                            "reported": f"seeds {REPORT_SEED}..{REPORT_SEED + seeds - 1} at the best learning rate"},
               "benchmarks": {}}
    for bname in names:
        bench = BENCHMARKS[bname]
        data = bench.data() if bench.kind == "mlp" else None
        entry = {"kind": bench.kind, "spec": {k: v for k, v in asdict(bench).items()}, "optimizers": {}}
        budget = QUICK[bench.kind] if quick else None
        for opt in optimizers:
            t0 = time.perf_counter()
            entry["optimizers"][opt] = tune_one(bench, opt, grid, seeds, budget, data)
            if progress:
                best = entry["optimizers"][opt]["best_lr"]
                progress(f"{bname:12s} {opt:13s} best lr {best if best is None else f'{best:.3g}'}  "
                         f"({time.perf_counter() - t0:.1f}s)")
        results["benchmarks"][bname] = entry
    return results


def save(results, path):
    """Write *results* as JSON (compact, a few hundred KB at most)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: folder {path.parent} does not exist")
    path.write_text(json.dumps(results, separators=(",", ":")), encoding="utf-8")
    return path


def load(path=None):
    """The results written by :func:`save` (default: the copy shipped with optimlab, from ``optimlab tune``)."""
    path = Path(path) if path is not None else SHIPPED
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"no tuning results at {path}; run `optimlab tune --out {path}`") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not a tuning results file: {exc}") from None


def window(results, benchmark, optimizer, tolerance=0.2):
    """How forgiving an optimizer is about its learning rate: the width, in decades, of the grid rates whose
    tuning score is within *tolerance* (relative) of its best score (0 when only the best rate qualifies).

    For a landscape the score is the final gap to the minimum (floored at :data:`SOLVED`), for an MLP the
    final validation loss, both as tuned (see the module docstring).
    """
    r = results["benchmarks"][benchmark]["optimizers"][optimizer]
    scores = [s for s in r["scores"] if s is not None]
    if not scores:
        return 0.0
    best = min(scores)
    good = [lr for lr, s in zip(r["grid"], r["scores"]) if s is not None and s <= best * (1 + tolerance)]
    return float(np.log10(max(good) / min(good)))


def table(results, benchmark):
    """Rows ``(optimizer, best lr, median, min, max of the final metric over the seeds)`` for one benchmark.

    The metric is the final gap for a landscape and the final test accuracy for an MLP; a diverged or
    untunable optimizer has ``None`` entries.
    """
    entry = results["benchmarks"][benchmark]
    key = "gap" if entry["kind"] == "landscape" else "test_acc"
    rows = []
    for opt, r in entry["optimizers"].items():
        finals = [run[key][-1] for run in r["runs"] if run[key][-1] is not None]
        if finals:
            rows.append((opt, r["best_lr"], float(np.median(finals)), float(min(finals)), float(max(finals))))
        else:
            rows.append((opt, r["best_lr"], None, None, None))
    return rows
