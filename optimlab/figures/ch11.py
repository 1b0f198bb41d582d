"""Figures of notebook 11, the errata (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

from __future__ import annotations

from .. import plots
from ..optimizers import REGISTRY

#: Dates and attributions of the lecture that the errata corrected: optimizer -> (the lecture's year or
#: None, the errata row, a short note drawn beside the optimizer's row).
LECTURE_DATES = {
    "momentum": (1999, "E004-33", "004 cites Qian 1999; Polyak's heavy ball is 1964"),
    "adagrad": (None, "E001-09", "001/002: 'the first' per-parameter adaptive rate; Jacobs 1988 was earlier"),
    "adamw": (2019, "E002-15", "002: 'proposed in 2019' (ICLR 2019); arXiv Nov. 2017"),
    "lookahead": (None, "E000-30", "000: 'proposed by Hinton'; Zhang, Lucas, Hinton, Ba"),
}
#: Earlier work the lecture's "first" claims overlook: (label, year, errata row).
PRECURSORS = [
    ("delta-bar-delta, per-weight rates (Jacobs)", 1988, "E001-09"),
    ("Rprop, per-weight step sizes (Riedmiller & Braun)", 1993, "E002-49"),
]
#: The x-axis starts here; older methods (Newton's, 1669) are drawn at this year with their true year in the label.
AXIS_START = 1948


def timeline():
    """Every registered optimizer at its year, in its colour; the lecture's wrong dates and "firsts" marked."""
    items = sorted(REGISTRY.items(), key=lambda kv: (kv[1].YEAR, kv[0]))
    rows = [(name, m.YEAR) for name, m in items]
    rows += [(label, year) for label, year, _ in PRECURSORS]
    rows.sort(key=lambda r: (r[1], r[0]))
    fig, (ax,) = plots.figure(size=(10.0, 7.6))
    for i, (name, year) in enumerate(rows):
        known = name in REGISTRY
        c = plots.color(name) if known else "#9e9e9e"
        x = max(year, AXIS_START)
        ax.plot(x, i, "o" if year >= AXIS_START else "<", color=c, ms=7, zorder=4)
        ax.annotate(f"{name} ({year})", (x, i), xytext=(-7, 0), textcoords="offset points", ha="right",
                    va="center", fontsize=8, color="k" if known else "#616161")
        if name in LECTURE_DATES:
            claimed, row, note = LECTURE_DATES[name]
            if claimed is not None:
                ax.plot(claimed, i, "o", mfc="white", mec=c, mew=1.5, ms=7, zorder=5)
                ax.annotate("", xy=(x, i), xytext=(claimed, i),
                            arrowprops={"arrowstyle": "->", "color": c, "lw": 1.2, "shrinkA": 4, "shrinkB": 4})
            ax.annotate(f"{note} [{row}]", (max(x, claimed or x), i), xytext=(9, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=7.5, color="#b2182b")
    ax.plot([], [], "o", color="#4d4d4d", label="the method's year (paper, arXiv or first release)")
    ax.plot([], [], "o", mfc="white", mec="#4d4d4d", label="the year the lecture gives, where it differs")
    ax.plot([], [], "o", color="#9e9e9e", label="earlier work a 'first' in the lecture overlooks")
    ax.set_yticks([])
    ax.set_ylim(-1, len(rows))
    ax.set_xlim(AXIS_START - 22, 2080)  # room on the right for the notes
    ax.set_xticks(range(1940, 2030, 10))
    ax.set_xlabel("year (Newton's method, 1669, drawn at the left edge)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", visible=False)
    return plots.finish(fig, "The lecture's dates, checked: most are right; momentum is Polyak's (1964),\n"
                             "per-weight adaptive rates predate AdaGrad by 23 years, AdamW dates from 2017",
                        legend=False)


#: file name -> figure function
FIGURES = {
    "11_timeline.png": timeline,
}
