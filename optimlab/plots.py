"""Plot styling for the notebooks, the figures and the CLI: one colour per optimizer, and a few drawing helpers.

The helpers draw; they never run an experiment.  Every figure of the course
uses :func:`color` for an optimizer, so Adam is the same red in every picture::

    from optimlab import plots
    plots.style()                                  # once, at the top of a notebook
    fig, (ax,) = plots.figure()
    plots.contour(ax, f)                           # a landscape's contour lines, minima and saddles
    plots.path(ax, points, "adam", "adam (lr=0.1)")  # a trajectory in Adam's colour
    plots.finish(fig, "Adam reaches the minimum first")
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._errors import suggest

#: One colour per registered optimizer, the same in every figure, notebook and CLI plot.  The optimizers
#: that appear together (SGD/momentum/Nesterov; AdaGrad/RMSprop/Adadelta; the Adam family; RAdam,
#: Lookahead and Ranger with Adam; LARS/LAMB/StableAdamW with AdamW; Lion/Muon with AdamW; the
#: second-order methods with Adam) get clearly different hues.
COLORS = {
    "sgd": "#404040",
    "momentum": "#1f77b4",
    "nesterov": "#17becf",
    "adagrad": "#bcbd22",
    "rmsprop": "#2ca02c",
    "adadelta": "#8c564b",
    "adam": "#d62728",
    "adamw": "#ff7f0e",
    "amsgrad": "#e377c2",
    "adamax": "#800000",
    "nadam": "#b8860b",
    "radam": "#9467bd",
    "lookahead": "#393b79",
    "ranger": "#c51b8a",
    "lars": "#008080",
    "lamb": "#66a61e",
    "stable_adamw": "#6a3d9a",
    "lion": "#e6ab02",
    "muon": "#8e0152",
    "adafactor": "#a6761d",
    "newton": "#e7298a",
    "bfgs": "#1b7837",
    "lbfgs": "#4393c3",
}
#: Line styles that tell variants of one optimizer apart (e.g. with/without bias correction).
STYLES = ("-", "--", ":", "-.")


def color(name: str) -> str:
    """The colour of optimizer *name* (a registry name; ``"adam (lr=0.1)"`` also works: the first word counts)."""
    key = str(name).split(" ")[0].split("(")[0]
    if key not in COLORS:
        raise ValueError(f"no colour for {name!r}: colours are defined for {', '.join(COLORS)}." + suggest(key, COLORS))
    return COLORS[key]


def style(dpi=None):
    """Matplotlib defaults for the course: small fonts, light grids, compact PNGs.

    *dpi* defaults to 80 in notebooks (``OPTIMLAB_NOTEBOOK`` set by the notebook
    runner) and 110 for saved figures, so that stored notebooks stay light.
    """
    import matplotlib

    matplotlib.rcParams.update({
        "figure.dpi": dpi or (80 if os.environ.get("OPTIMLAB_NOTEBOOK") else 110),
        "savefig.dpi": 110,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "legend.fontsize": 8,
        "axes.grid": True,
        "grid.alpha": 0.25,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.figsize": (6.4, 4.2),
    })


def _plt():
    import matplotlib.pyplot as plt

    return plt


def figure(ncols=1, nrows=1, size=(5.6, 4.2)):
    """A new figure with ``nrows x ncols`` panels of *size* inches each: ``(fig, list of axes)``."""
    fig, axes = _plt().subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    return fig, list(axes.ravel())


def contour(ax, f, levels=30, num=300, linewidths=0.7, alpha=0.5):
    """Log-spaced contour lines of a 2-D landscape on *ax*, with its minima (gold stars) and saddles (black x).

    Fewer *levels* (and a smaller *num* grid) keep a PNG light.
    """
    X, Y, Z = f.grid(num)
    shifted = Z - (f.fmin if np.isfinite(f.fmin) else Z.min()) + 1e-3
    style = {"cmap": "viridis", "linewidths": linewidths, "alpha": alpha}
    if np.all(shifted > 0) and shifted.max() / shifted.min() > 100:
        ax.contour(X, Y, shifted, levels=np.geomspace(shifted.min(), shifted.max(), levels), **style)
    else:
        ax.contour(X, Y, Z, levels=levels, **style)
    for m in f.minima[:1]:
        ax.plot(*m, marker="*", color="gold", markersize=14, markeredgecolor="k", zorder=5, ls="none")
    for s in f.saddles:
        ax.plot(*s, marker="X", color="k", markersize=8, zorder=5, ls="none")
    (x0, x1), (y0, y1) = f.window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)


def path(ax, points, name, label=None, linestyle="-", markevery=None, marker=None, **kwargs):
    """A trajectory (an ``(n, 2)`` array) in *name*'s colour, with a dot at its end.

    *label* defaults to *name*; ``label=False`` leaves the path out of the legend.  *marker* marks the
    points (every point, or every *markevery*-th).
    """
    points = np.asarray(points)
    c = kwargs.pop("color", color(name))
    label = "_nolegend_" if label is False else (label or name)
    ax.plot(points[:, 0], points[:, 1], linestyle, color=c, lw=kwargs.pop("lw", 1.5), label=label,
            alpha=kwargs.pop("alpha", 0.9), marker=marker or ("." if markevery else None), markevery=markevery,
            ms=kwargs.pop("ms", 4), **kwargs)
    ax.plot(*points[-1], "o", color=c, ms=5, zorder=6)


def start(ax, point, label="start"):
    """The common starting point of a race (a black square)."""
    ax.plot(*np.asarray(point)[:2], "ks", ms=6, label=label, zorder=6)


def band(ax, x, runs, name, label=None, log=False, linestyle="-", quantiles=None):
    """The median of several runs (rows of *runs*) as a line, and their spread shaded, in *name*'s colour.

    The spread is the min-max range, or the given percentiles (e.g. ``quantiles=(10, 90)``).  Missing
    values (NaN, a diverged run) are left out of the median and the spread.
    """
    runs = np.asarray(runs, dtype=float)
    with np.errstate(all="ignore"):
        if log:
            runs = np.where(runs > 0, runs, np.nan)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is a gap in the line
            mid = np.nanmedian(runs, 0)
            if quantiles:
                low, high = np.nanpercentile(runs, quantiles[0], 0), np.nanpercentile(runs, quantiles[1], 0)
            else:
                low, high = np.nanmin(runs, 0), np.nanmax(runs, 0)
    c = color(name)
    ax.plot(x, mid, linestyle, color=c, lw=1.6, label=label or name)
    ax.fill_between(x, low, high, color=c, alpha=0.15, lw=0)
    if log:
        ax.set_yscale("log")


def finish(fig, title=None, legend=True, legend_kw=None):
    """Title, legends on every panel that has labelled lines, and a tight layout; returns *fig*."""
    if title:
        if len(fig.axes) > 1:
            fig.suptitle(title, fontsize=11)
        else:
            fig.axes[0].set_title(title)
    if legend:
        for ax in fig.axes:
            handles, labels = ax.get_legend_handles_labels()
            if labels:
                ax.legend(**{"fontsize": 8, **(legend_kw or {})})
    fig.tight_layout()
    return fig


def save(fig, name, folder="figures", dpi=110):
    """Write *fig* as ``folder/name`` (a PNG with a 128-colour palette, to keep the repository light) and close
    it; returns the path."""
    import io

    from PIL import Image

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"cannot save {name}: folder {folder} does not exist")
    out = folder / name
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, format="png")
    _plt().close(fig)
    image = Image.open(buffer).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(out, optimize=True)
    return out
