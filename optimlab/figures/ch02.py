"""Figures of notebook 02 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import landscapes, plots, schedules
from ..optimizers import REGISTRY, get
from ..optimizers import muon as muon_module
from ..optimizers import radam as radam_module
from .common import loss_curves, race

COLORS = list(plots.COLORS.values())
_figure = plots.figure
contour = plots.contour
_loss_curves = loss_curves


def saddle():
    """Who escapes the saddle x^2 - y^2 started (almost) on its stable axis, without and with gradient noise."""
    fig, axes = _figure(2, size=(6.5, 5.5))
    opts = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    for ax, noise in zip(axes, (0.0, 0.05)):
        race("saddle", {o: E.suggested(o, "saddle") for o in opts}, 120, noise=noise, ax=ax)
    fig.suptitle("Saddle point: adaptive methods rescale the tiny y-gradient and escape first")
    fig.tight_layout()
    return fig


def ravine():
    """SGD's zig-zag in an ill-conditioned ravine vs momentum vs AdaGrad/RMSprop."""
    f = landscapes.ravine(condition=50.0, angle=0.4)
    fig, axes = _figure(2, size=(6.5, 5.5))
    hp = {"sgd": {"lr": 1.9}, "momentum": {"lr": 0.5, "momentum": 0.7}, "adagrad": {"lr": 2.0},
          "rmsprop": {"lr": 0.1}}
    _, paths = race(f, hp, 80, ax=axes[0])
    axes[0].set_title("ravine, condition number 50, rotated: 80 steps")
    for i, (lab, path) in enumerate(paths.items()):
        axes[1].semilogy(np.maximum(f.value(path), 1e-16), color=COLORS[i], label=lab)
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("loss")
    axes[1].set_title("loss per step")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def momentum_speedup():
    """Steps to converge on a quadratic vs its condition number: GD ~ kappa, heavy ball ~ sqrt(kappa)."""
    rows = E.momentum_speedup()
    kappa = np.array([r[0] for r in rows], float)
    fig, (ax,) = _figure()
    ax.loglog(kappa, [r[1] for r in rows], "o-", color=COLORS[0], label="gradient descent, lr = 2/(mu+L)")
    ax.loglog(kappa, [r[2] for r in rows], "o-", color=COLORS[1], label="heavy-ball momentum, optimal lr and momentum")
    ax.set_xlabel("condition number kappa")
    ax.set_ylabel("steps to reduce the error 1e6-fold")
    ax.set_title("Momentum's speed-up is ~sqrt(kappa), not a fixed 2-3x (errata)")
    ax.legend()
    return fig


#: file name -> figure function
FIGURES = {
    "02_saddle.png": saddle,
    "02_ravine.png": ravine,
    "02_momentum_speedup.png": momentum_speedup,
}
