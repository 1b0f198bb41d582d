"""Figures of notebook 08 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def second_order():
    """Newton, BFGS and L-BFGS (with line search) vs Adam on Rosenbrock: paths and loss per iteration."""
    from .._minimize import minimize

    f = landscapes.rosenbrock()
    runs = {"newton + armijo": minimize(f.fun, f.start, "newton", {"hessian": f.hessian}, steps=100),
            "bfgs + armijo": minimize(f.fun, f.start, "bfgs", steps=100),
            "lbfgs (m=10) + wolfe": minimize(f.fun, f.start, "lbfgs", steps=100, line_search="wolfe"),
            "adam (lr=0.05), no line search": minimize(f.fun, f.start, "adam", {"lr": 0.05}, steps=3000,
                                                       line_search=None)}
    fig, axes = _figure(2, size=(6.5, 5.2))
    contour(axes[0], f)
    for i, (lab, r) in enumerate(runs.items()):
        axes[0].plot(r.path[:, 0], r.path[:, 1], ".-", color=COLORS[i], ms=3, lw=1.2, label=f"{lab} ({r.nit} it.)")
        axes[1].loglog(np.arange(1, len(r.values) + 1), np.maximum(r.values, 1e-20), color=COLORS[i], label=lab)
    axes[0].set_title("Rosenbrock: second-order vs Adam")
    axes[0].legend(fontsize=7)
    axes[1].set_xlabel("iteration")
    axes[1].set_ylabel("f(x)")
    axes[1].set_title("loss per iteration")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig


#: file name -> figure function
FIGURES = {
    "08_second_order_rosenbrock.png": second_order,
}
