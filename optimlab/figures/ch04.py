"""Figures of notebook 04 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def adam_bias_correction():
    """Adam's step size with and without bias correction (constant gradient): the uncorrected first steps are larger."""
    fig, (ax,) = _figure()
    for i, (b1, b2) in enumerate(((0.9, 0.999), (0.9, 0.99))):
        corrected, uncorrected = E.adam_first_steps(b1, b2, 100)
        ax.plot(np.arange(1, 101), corrected, color=COLORS[i], label=f"with bias correction (beta2={b2})")
        ax.plot(np.arange(1, 101), uncorrected, "--", color=COLORS[i], label=f"without (beta2={b2})")
    ax.set_xlabel("step t")
    ax.set_ylabel("|step| / lr")
    ax.set_title("Adam's bias correction: constant gradient g = 1")
    ax.legend()
    return fig


def adamw_vs_l2():
    """Adam + L2 barely decays a weight with noisy gradients; AdamW decays every weight alike."""
    fig, (ax,) = _figure()
    paths = E.decay_experiment()
    for i, (name, lab) in enumerate((("adam", "Adam + L2 (weight_decay=0.1)"), ("adamw", "AdamW (weight_decay=0.1)"))):
        ax.plot(paths[name][:, 0], color=COLORS[i], label=f"{lab}: noisy weight (grad std 10)")
        ax.plot(paths[name][:, 1], "--", color=COLORS[i], label=f"{lab}: quiet weight (grad std 0.01)")
    ax.set_xlabel("step")
    ax.set_ylabel("weight (starts at 1, gradients have mean 0)")
    ax.set_title("Decoupled weight decay (AdamW) vs L2 inside Adam, lr=0.01")
    ax.legend(fontsize=8)
    return fig


#: file name -> figure function
FIGURES = {
    "04_adam_bias_correction.png": adam_bias_correction,
    "04_adamw_vs_l2.png": adamw_vs_l2,
}
