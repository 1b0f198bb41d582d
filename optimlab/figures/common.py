"""Figure builders shared by several chapters and the CLI: races on a landscape, and loss curves of MLP runs."""

from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import landscapes, plots


def race(f, runs, steps, ax=None, noise=0.0, title=None):
    """Trajectories of several optimizers on one contour plot; returns ``(figure or None, {label: path})``.

    *f* is a landscape or its name; *runs* maps an optimizer name to its hparams (or a label to
    ``(optimizer, hparams)``).  Every path starts at ``f.start``.
    """
    f = landscapes.get(f) if isinstance(f, str) else f
    fig = None
    if ax is None:
        fig, (ax,) = plots.figure(size=(6.0, 5.0))
    plots.contour(ax, f)
    paths = {}
    for key, spec in runs.items():
        name, hp = spec if isinstance(spec, tuple) else (key, spec)
        points = E.trajectory(name, f, hp, steps, noise=noise)
        label = E.label(name, hp) if not isinstance(spec, tuple) else key
        paths[label] = points
        plots.path(ax, points, name, label)
    plots.start(ax, f.start)
    ax.set_title(title or f"{f.name}: {steps} steps" + (f", gradient noise {noise:g}" if noise else ""))
    ax.legend(loc="best", fontsize=7)
    return fig, paths


def race_animation(out, f, runs, steps, frames=60, fps=15):
    """Save an animated GIF of :func:`race` to *out* (matplotlib's Pillow writer)."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    f = landscapes.get(f) if isinstance(f, str) else f
    fig, (ax,) = plots.figure(size=(6.0, 5.0))
    plots.contour(ax, f)
    paths = {E.label(name, hp): (name, E.trajectory(name, f, hp, steps)) for name, hp in runs.items()}
    lines = [ax.plot([], [], "-", color=plots.color(name), lw=1.8, label=label)[0]
             for label, (name, _) in paths.items()]
    heads = [ax.plot([], [], "o", color=plots.color(name), ms=6)[0] for name, _ in paths.values()]
    plots.start(ax, f.start)
    ax.legend(loc="best", fontsize=7)
    ticks = np.unique(np.linspace(1, steps + 1, frames).astype(int))

    def draw(k):
        for line, head, (_, p) in zip(lines, heads, paths.values()):
            q = p[: min(k, len(p))]
            line.set_data(q[:, 0], q[:, 1])
            head.set_data([q[-1, 0]], [q[-1, 1]])
        ax.set_title(f"{f.name}: step {min(k, steps)}")
        return lines + heads

    FuncAnimation(fig, draw, frames=ticks, blit=False).save(out, writer=PillowWriter(fps=fps))
    plots._plt().close(fig)
    return out


def loss_curves(runs, title, names=None):
    """Training loss per step (10-step mean) and test accuracy per epoch of several ``train`` results.

    *runs* maps a label to a :class:`~optimlab.training.TrainResult`; *names* maps a label to the
    optimizer whose colour it gets (default: the label's first word).
    """
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    for label, r in runs.items():
        name = (names or {}).get(label, label)
        loss = np.array(r.history.step["loss"])
        smooth = np.convolve(loss, np.ones(10) / 10, mode="valid")
        axes[0].semilogy(smooth, color=plots.color(name), label=label, lw=1.3)
        acc = r.history.epoch["val_acc"]
        axes[1].plot(np.arange(1, len(acc) + 1), acc, "o-", color=plots.color(name), label=label, ms=3)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("training loss (10-step mean)")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("test accuracy")
    return plots.finish(fig, title)
