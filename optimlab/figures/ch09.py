"""Figures of notebook 09 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

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


def all_schedules(steps=300, lr=0.1):
    """Every learning-rate schedule of optimlab.schedules on one page."""
    items = [
        ("constant", schedules.constant(lr)),
        ("step_decay(step_size=100, gamma=0.3)", schedules.step_decay(lr, 100, 0.3)),
        ("exponential(gamma=0.99)", schedules.exponential(lr, 0.99)),
        ("cosine(T_max=300)", schedules.cosine(lr, 300)),
        ("linear warm-up(0.1 -> 1, 50 steps)", schedules.linear(lr, 0.1, 1.0, 50)),
        ("warmup(30) + cosine(T_max=270)", schedules.warmup(schedules.cosine(lr, 270), 30)),
        ("one_cycle(max_lr=0.1)", schedules.one_cycle(lr, steps)),
        ("cyclic(0.01 <-> 0.1, up 50)", schedules.cyclic(0.01, lr, 50)),
    ]
    fig, axes = _figure(4, 2, size=(4.2, 3.0))
    t = np.arange(steps)
    for ax, (name, sched), c in zip(axes, items, COLORS):
        ax.plot(t, sched(t), color=c)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step")
        ax.set_ylabel("lr")
    fig.suptitle("Learning-rate schedules (optimlab.schedules; each equals its torch.optim.lr_scheduler)")
    fig.tight_layout()
    return fig


def lr_finder():
    """The LR range test on the digits MLP: loss against a log-uniform sweep of the learning rate."""
    from ..training import lr_range_test

    net, p0, Xtr, ytr, _, _ = E.digits_mlp()
    fig, (ax,) = _figure()
    for i, (opt, lo, hi) in enumerate((("sgd", 1e-4, 100.0), ("adam", 1e-6, 1.0))):
        r = lr_range_test(net, p0, Xtr, ytr, optimizer=opt, lr_min=lo, lr_max=hi, steps=150)
        ax.semilogx(r.lrs, r.losses, color=COLORS[i], alpha=0.3)
        ax.semilogx(r.lrs, r.smoothed, color=COLORS[i], label=f"{opt}: suggested lr {r.suggestion:.2g}")
        ax.axvline(r.suggestion, color=COLORS[i], ls=":")
    ax.set_ylim(0, 4)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("mini-batch loss (smoothed)")
    ax.set_title("LR range test (LR finder), digits MLP 64-64-10")
    ax.legend()
    return fig


#: file name -> figure function
FIGURES = {
    "09_schedules.png": all_schedules,
    "09_lr_finder.png": lr_finder,
}
