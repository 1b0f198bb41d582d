"""Figures of notebook 03 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def effective_lr():
    """AdaGrad's effective learning rate decays like 1/sqrt(t); RMSprop's settles."""
    fig, (ax,) = _figure()
    for i, (opt, hp) in enumerate((("adagrad", {"lr": 0.01}), ("rmsprop", {"lr": 0.01, "rho": 0.9}),
                                   ("rmsprop", {"lr": 0.01, "rho": 0.99}))):
        ax.loglog(np.arange(1, 1001), E.effective_lr(opt, 1000, hparams=hp), color=COLORS[i], label=E.label(opt, hp))
    t = np.arange(1, 1001)
    ax.loglog(t, 0.01 / np.sqrt(t), "k:", label=r"$\eta/\sqrt{t}$")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"effective learning rate $\eta/(\sqrt{h_t}+\epsilon)$")
    ax.set_title("AdaGrad vs RMSprop on N(0,1) gradients")
    ax.legend()
    return fig


#: file name -> figure function
FIGURES = {
    "03_adagrad_vs_rmsprop_lr.png": effective_lr,
}
