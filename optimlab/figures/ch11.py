"""Figures of notebook 11 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def timeline():
    """The optimizer evolution map (the lecture's chapter 002): every registered optimizer by year and family."""
    items = sorted(REGISTRY.items(), key=lambda kv: (kv[1].YEAR, kv[0]))
    families = list(dict.fromkeys(m.FAMILY for _, m in items))
    fig, (ax,) = _figure(size=(11.0, 7.5))
    for i, (name, m) in enumerate(items):
        year = max(m.YEAR, 1945)
        c = COLORS[families.index(m.FAMILY) % len(COLORS)]
        ax.plot([year, 2026], [i, i], color=c, alpha=0.25, lw=6, solid_capstyle="butt")
        ax.plot(year, i, "o", color=c, ms=7)
        ax.annotate(f"{name} ({m.YEAR})", (year, i), xytext=(-6, 0), textcoords="offset points", ha="right",
                    va="center", fontsize=8)
    for fam in families:
        ax.plot([], [], "o", color=COLORS[families.index(fam) % len(COLORS)], label=fam)
    ax.set_yticks([])
    ax.set_xlim(1925, 2027)
    ax.set_xlabel("year of the method (Newton's 1669 drawn at 1945)")
    ax.set_title("Optimizer timeline by era (the lecture's evolution map); colour = family")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


#: file name -> figure function
FIGURES = {
    "11_timeline.png": timeline,
}
