"""Figures of notebook 05 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def radam_rectification():
    """RAdam's rho_t and its rectification term r_t against the step, with the thresholds 4 and 5."""
    fig, axes = _figure(2, size=(6.0, 4.8))
    t = np.arange(1, 401)
    for i, b2 in enumerate((0.999, 0.99)):
        axes[0].plot(t, radam_module.rho(t, b2), color=COLORS[i], label=f"rho_t, beta2={b2}")
        axes[1].plot(t, radam_module.rectification(t, b2), color=COLORS[i], label=f"r_t, beta2={b2}")
    for thr, style in ((4, ":"), (5, "--")):
        axes[0].axhline(thr, color="k", ls=style, lw=1, label=f"threshold {thr}" + (" (paper)" if thr == 4 else " (PyTorch)"))
    axes[0].set_ylim(0, 60)
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel(r"$\rho_t$")
    axes[0].set_title(r"$\rho_t$: length of the SMA that $\hat v_t$ approximates")
    axes[1].set_xlabel("step t")
    axes[1].set_ylabel(r"$r_t$")
    axes[1].set_title("rectification term (undefined while rho_t <= 4)")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def lookahead_fast_slow():
    """Lookahead's fast weights (every step) and slow weights (every k=5 steps) on the ravine."""
    fast, slow, f = E.lookahead_paths()
    fig, (ax,) = _figure(size=(7.5, 6.0))
    contour(ax, f)
    ax.plot(fast[:, 0], fast[:, 1], ".-", color=COLORS[0], lw=1, ms=3, label="fast weights (momentum, lr=1.8)")
    ax.plot(slow[:, 0], slow[:, 1], "o-", color=COLORS[1], lw=2, ms=6, label="slow weights (k=5, alpha=0.5)")
    ax.set_title("Lookahead: k steps forward, 1 step back")
    ax.legend()
    return fig


def ranger_mlp():
    """Ranger vs RAdam vs Lookahead(Adam) loss curves on the digits MLP."""
    runs = E.mlp_runs([("ranger (lr=3e-3)", "ranger", {"lr": 3e-3}), ("radam (lr=3e-3)", "radam", {"lr": 3e-3}),
                       ("lookahead(adam, lr=3e-3)", "lookahead", {"inner": "adam", "inner_hparams": {"lr": 3e-3}}),
                       ("adam (lr=3e-3)", "adam", {"lr": 3e-3})], epochs=8)
    return _loss_curves(runs, "Ranger = Lookahead over RAdam, digits MLP 64-64-10")


#: file name -> figure function
FIGURES = {
    "05_radam_rectification.png": radam_rectification,
    "05_lookahead_fast_slow.png": lookahead_fast_slow,
    "05_ranger_mlp.png": ranger_mlp,
}
