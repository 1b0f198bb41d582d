"""The commands that make the lecture material: ``optimlab tour``, ``optimlab race``, ``optimlab train``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np


def _agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _fmt_table(head, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([line.format(*head), "-" * (sum(widths) + 2 * (len(widths) - 1))]
                     + [line.format(*map(str, r)) for r in rows])


def tuned_tables(results=None):
    """The tour's summary from the fair-tuning results (``optimlab tune``): one text table per benchmark.

    Rows are sorted best first: the median over the re-run seeds of the final gap to the minimum
    (landscapes) or of the test accuracy (MLPs), with the range over the seeds.
    """
    from . import tuning

    results = results or tuning.load()
    grid = results["protocol"]["grid"]
    seeds = results["protocol"]["seeds"]
    parts = [f"Every optimizer's learning rate tuned on the same grid ({len(grid)} values, {grid[0]:g} ... "
             f"{grid[-1]:.3g}), the best re-run with {seeds} fresh seeds (optimlab tune):"]
    for bench, entry in results["benchmarks"].items():
        landscape = entry["kind"] == "landscape"
        rows = sorted(tuning.table(results, bench), key=lambda r: (r[2] is None, r[2] if landscape else -(r[2] or 0)))
        fmt = (lambda v: f"{v:.2e}") if landscape else (lambda v: f"{v:.3f}")
        edge = (grid[0], grid[-1])
        lines = [(opt, "-" if lr is None else f"{lr:.3g}" + ("*" if lr in edge else ""),
                  "diverged" if med is None else fmt(med), "-" if med is None else f"[{fmt(lo)}, {fmt(hi)}]")
                 for opt, lr, med, lo, hi in rows]
        what = "final gap to the minimum" if landscape else "test accuracy"
        spec = entry["spec"]
        budget = f"{spec['steps']} steps" if landscape else f"{spec['epochs']} epochs, batch {spec['batch_size']}"
        parts.append(f"\n{bench} ({budget}): median {what} over the seeds\n")
        parts.append(_fmt_table(("optimizer", "tuned lr", "median", "range"), lines))
    parts.append("\n* the best rate is at an edge of the grid: the optimum may lie beyond it (on a landscape, a "
                 "rate that large is a jump across the whole window)")
    return "\n".join(parts)


def tour(out="figures", quiet=False, dpi=110):
    """Regenerate every figure of :data:`optimlab.figures.FIGURES` into *out*, then print the tuned summary."""
    _agg()
    from . import figures, plots

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    start = time.perf_counter()
    plots.style()
    for i, (name, fn) in enumerate(figures.FIGURES.items(), start=1):
        t0 = time.perf_counter()
        fig = fn()
        plots.save(fig[0] if isinstance(fig, tuple) else fig, name, out, dpi=dpi)
        say(f"[{i:2d}/{len(figures.FIGURES)}] {out / name}  ({time.perf_counter() - t0:.1f}s)")
    print(tuned_tables())
    print(f"\n{len(figures.FIGURES)} figures written to {out}/ in {time.perf_counter() - start:.0f}s")
    return out


def race(landscape="rosenbrock", optimizers=("sgd", "momentum", "adam"), steps=300, out=None, gif=None):
    """Trajectories on the contour plot, saved as PNG (and optionally an animated GIF); prints where each ended."""
    plt = _agg()
    from . import experiments, figures, landscapes, plots
    from .optimizers import get

    for name in optimizers:
        get(name)  # unknown names fail here, with suggestions
    f = landscapes.get(landscape)
    plots.style()
    runs = {name: experiments.suggested(name, f.name) for name in optimizers}
    fig, paths = figures.race(f, runs, steps)
    out = Path(out or f"race_{landscape}.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    rows = []
    for lab, path in paths.items():
        hit = experiments.steps_to(path, f)
        rows.append((lab, len(path) - 1, f"{f.value(path[-1]):.3e}", "-" if hit is None else hit))
    print(_fmt_table(("optimizer (hparams)", "steps run", "final loss", "steps to 1e-3"), rows))
    print(f"\nwrote {out}")
    if gif:
        figures.race_animation(gif, f, runs, steps)
        print(f"wrote {gif}")
    return out


def train_digits(optimizers=("sgd", "adam", "ranger"), epochs=10, batch_size=32, out=None, seed=0):
    """Train the digits MLP with each optimizer; print a table and save the loss curves."""
    plt = _agg()
    from . import experiments, figures, plots

    suggested = {lab.split(" ")[0]: (opt, hp) for lab, opt, hp in experiments.SHOOTOUT}
    runs = []
    for name in optimizers:
        opt, hp = suggested.get(name, (name, {}))
        runs.append((experiments.label(opt, hp), opt, hp))
    results, seconds = {}, {}
    for lab, opt, hp in runs:
        t0 = time.perf_counter()
        results[lab] = experiments.mlp_runs([(lab, opt, hp)], epochs=epochs, batch_size=batch_size, seed=seed)[lab]
        seconds[lab] = time.perf_counter() - t0
        print(f"trained {lab}", file=sys.stderr, flush=True)
    rows = [(lab, f"{r.history.epoch['train_loss'][-1]:.4f}", f"{r.history.epoch['val_acc'][-1]:.4f}",
             f"{np.argmax(r.history.epoch['val_acc']) + 1}", f"{seconds[lab]:.1f}") for lab, r in results.items()]
    print(f"Digits MLP 64-64-10, {epochs} epochs, batch {batch_size}, seed {seed}:\n")
    print(_fmt_table(("optimizer (hparams)", "train loss", "test acc", "best epoch", "seconds"), rows))
    plots.style()
    fig = figures.loss_curves(results, f"Digits MLP 64-64-10: {', '.join(optimizers)}",
                              names={lab: opt for lab, opt, _ in runs})
    out = Path(out or "train_digits.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"\nwrote {out}")
    return results
