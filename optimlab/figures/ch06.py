"""Figures of notebook 06 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def trust_ratios():
    """LARS and LAMB trust ratios per layer while training the digits MLP 64-64-32-10."""
    fig, axes = _figure(2, size=(6.5, 4.8))
    for ax, (opt, hp) in zip(axes, (("lars", {"lr": 1.0, "trust_coefficient": 0.02}), ("lamb", {"lr": 0.01}))):
        for i, (layer, r) in enumerate(E.trust_ratio_history(opt, hp).items()):
            ax.semilogy(r, color=COLORS[i], label=layer)
        ax.set_xlabel("step")
        ax.set_ylabel("trust ratio")
        ax.set_title(E.label(opt, hp))
        ax.legend()
    fig.suptitle("Layer-wise trust ratios during training")
    fig.tight_layout()
    return fig


def stable_adamw_spike():
    """StableAdamW clips the step when a gradient spikes after quiet steps; AdamW does not."""
    sizes = E.spike_experiment()
    fig, (ax,) = _figure()
    for i, name in enumerate(sizes):
        ax.semilogy(sizes[name], color=COLORS[i], label=E.label(name, {"lr": 1e-2, "beta2": 0.99}))
    ax.axvline(60, color="k", ls=":", lw=1, label="gradient spike (x1000)")
    ax.set_xlabel("step")
    ax.set_ylabel("RMS of the parameter update")
    ax.set_title("StableAdamW's update clipping (lr_t = lr / max(1, RMS))")
    ax.legend()
    return fig


#: file name -> figure function
FIGURES = {
    "06_lars_lamb_trust_ratios.png": trust_ratios,
    "06_stable_adamw_spike.png": stable_adamw_spike,
}
