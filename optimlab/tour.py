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


def tour(out="figures", quiet=False, dpi=110):
    """Regenerate every figure of :data:`optimlab.figures.FIGURES` into *out*, then print a summary table."""
    plt = _agg()
    from . import experiments, figures, plots

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = (lambda *a: None) if quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    start = time.perf_counter()
    shootout = None
    plots.style()
    for i, (name, fn) in enumerate(figures.FIGURES.items(), start=1):
        t0 = time.perf_counter()
        if name.startswith("10_mlp_shootout"):
            fig, shootout = figures.ch10.mlp_shootout()
        else:
            fig = fn()
        fig.savefig(out / name, dpi=dpi)
        plt.close(fig)
        say(f"[{i:2d}/{len(figures.FIGURES)}] {out / name}  ({time.perf_counter() - t0:.1f}s)")
    say("summary: optimizers on the landscapes ...")
    rows = [(lab, land, "-" if n is None else n, f"{loss:.2e}") for lab, land, n, loss in experiments.landscape_table()]
    print("\nSteps to within 1e-3 of the minimum (budget 3000; '-' = not reached), and the final loss:\n")
    print(_fmt_table(("optimizer (hparams)", "landscape", "steps", "final loss"), rows))
    print("\nDigits MLP 64-64-10, 10 epochs, batch 32, seed 0:\n")
    mlp_rows = [(lab, f"{r.history.epoch['train_loss'][-1]:.4f}", f"{r.history.epoch['val_acc'][-1]:.4f}")
                for lab, r in shootout.items()]
    print(_fmt_table(("optimizer (hparams)", "final train loss", "test accuracy"), mlp_rows))
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
