"""Figures of notebook 01 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def four_optimizers():
    """The lecture's comparison of SGD, Momentum, RMSprop and Adam (CS231n's picture), on two landscapes."""
    fig, axes = _figure(2, size=(7.0, 5.8))
    for ax, name, steps in zip(axes, ("rosenbrock", "beale"), (1500, 1500)):
        race(name, {o: E.suggested(o, name) for o in ("sgd", "momentum", "rmsprop", "adam")}, steps, ax=ax)
    fig.suptitle("SGD, Momentum, RMSprop and Adam (lecture chapter 000)")
    fig.tight_layout()
    return fig


#: file name -> figure function
FIGURES = {
    "01_four_optimizers.png": four_optimizers,
}
