"""Figures of notebook 10 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def mlp_shootout(epochs=10):
    """The MLP shoot-out on the real digits: every family's representative, same model and seed."""
    runs = E.mlp_runs(E.SHOOTOUT, epochs=epochs)
    return _loss_curves(runs, "Digits MLP 64-64-10, batch 32, seed 0"), runs


#: file name -> figure function
FIGURES = {
    "10_mlp_shootout.png": lambda: mlp_shootout()[0],
}
