"""Figures of notebook 02, momentum and Nesterov (``optimlab tour`` writes them into figures/).

Each function takes the data the notebook computed in its own cells (with the loop and every
hyperparameter in view) and draws it; called without data (as the tour does) it recomputes the same
runs from the module constants below, which are the values the notebook spells out.
"""

from __future__ import annotations

import numpy as np

from .. import landscapes, plots, tuning
from .. import experiments as E
from ..optimizers import get

# --- 02_ravine.png: the rotated ravine of the tuning benchmark -----------------------------------------
RAVINE = {"condition": 100.0, "angle": 0.5}  # curvatures 0.01 and 1
RAVINE_STEPS = 150
RAVINE_MARK = 40  # a dot on each path at this step
RAVINE_SHOWN = 80  # steps of each path drawn on the contour plots


def optimal_gd(lam_min, lam_max):
    """Gradient descent's best fixed learning rate on a quadratic with curvatures in [lam_min, lam_max]."""
    return {"lr": 2.0 / (lam_min + lam_max)}


def optimal_momentum(lam_min, lam_max):
    """Heavy ball's best constant (lr, momentum) on a quadratic with curvatures in [lam_min, lam_max] (Polyak 1964)."""
    kappa = lam_max / lam_min
    return {"lr": 4.0 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2,
            "momentum": ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2}


def ravine_runs(results=None, steps=RAVINE_STEPS):
    """SGD and heavy ball at their optimal settings, and heavy ball with momentum 0.9 at its tuned lr."""
    results = tuning.load() if results is None else results
    lam_min, lam_max = 1 / RAVINE["condition"], 1.0
    tuned = results["benchmarks"]["ravine"]["optimizers"]["momentum"]["best_lr"]
    runs = {"sgd, optimal lr": ("sgd", optimal_gd(lam_min, lam_max)),
            "momentum, optimal lr and momentum": ("momentum", optimal_momentum(lam_min, lam_max)),
            "momentum 0.9, tuned lr": ("momentum", {"lr": tuned, "momentum": 0.9})}
    f = landscapes.ravine(**RAVINE)
    return {label: (name, hp, E.trajectory(name, f, hp, steps)) for label, (name, hp) in runs.items()}


def ravine(runs=None, mark=RAVINE_MARK):
    """The rotated ravine (kappa 100): optimal momentum is visibly and measurably faster than optimal SGD.

    One contour panel per run (so that no path hides another) and the distance to the minimum per step,
    with the two derived rates as grey lines under the measured curves.
    """
    runs = ravine_runs() if runs is None else runs
    f = landscapes.ravine(**RAVINE)
    kappa = RAVINE["condition"]
    fig, axes = plots.figure(2, 2, size=(4.6, 3.7))
    d0 = np.linalg.norm(f.start)
    items = list(runs.items())
    for ax, (label, (name, hp, path)), ls in zip(axes[:3], items, ("-", "-", "--")):
        plots.contour(ax, f, levels=8, num=100)
        text = ", ".join(f"{k}={v:.3g}" for k, v in hp.items())
        ax.plot(path[:RAVINE_SHOWN + 1, 0], path[:RAVINE_SHOWN + 1, 1], ls, color=plots.color(name), lw=1.0,
                label=f"{label} ({text})")
        ax.plot(*path[min(mark, len(path) - 1)], "o", color=plots.color(name), mec="k", ms=7, zorder=7,
                label=f"step {mark}")
        plots.start(ax, f.start)
        ax.set_xlim(-9, 9)
        ax.set_ylim(-9, 9)
        ax.set_title(f"{label}: first {RAVINE_SHOWN} steps", fontsize=9)
    ax = axes[3]
    t = np.arange(RAVINE_STEPS + 1)
    ax.semilogy(t, ((kappa - 1) / (kappa + 1)) ** t, "-", color="0.8", lw=5,
                label=r"derived: $((\kappa-1)/(\kappa+1))^t$")
    ax.semilogy(t, ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** t, "-", color="0.6", lw=5,
                label=r"derived: $((\sqrt{\kappa}-1)/(\sqrt{\kappa}+1))^t$")
    for (label, (name, hp, path)), ls in zip(items, ("-", "-", "--")):
        ax.semilogy(np.linalg.norm(path, axis=1) / d0, ls, color=plots.color(name), lw=1.5, label=label)
    ax.set_ylim(1e-12, 3)
    ax.set_xlabel("step")
    ax.set_ylabel("distance to the minimum / start distance")
    ax.set_title("error per step (grey: the derived rates)", fontsize=9)
    return plots.finish(fig, rf"Ravine, $\kappa$ = {kappa:g}, rotated: optimal momentum shrinks the error far faster "
                             "than SGD at its optimal lr;\nmomentum 0.9 at its tuned lr lies in between and rings",
                        legend_kw={"loc": "lower left", "fontsize": 7})


# --- 02_momentum_speedup.png ------------------------------------------------------------------------
KAPPAS = (10, 30, 100, 300, 1000, 3000)
SHRINK = 1e-6


def steps_to_shrink(name, hparams, f, shrink=SHRINK, max_steps=200000):
    """Steps until |theta - theta*| <= shrink * |theta_0 - theta*| on a ravine (minimum at the origin)."""
    module, x, state, n = get(name), f.start.copy(), None, 0
    while np.linalg.norm(x) > shrink * np.linalg.norm(f.start) and n < max_steps:
        x, state = module.step(x, f.grad(x), state, hparams)
        n += 1
    return n


def speedup_rows(kappas=KAPPAS):
    """Rows (kappa, gradient-descent steps, heavy-ball steps), each at its optimal constant settings."""
    rows = []
    for kappa in kappas:
        f = landscapes.ravine(condition=float(kappa), angle=RAVINE["angle"])
        lam_min, lam_max = 1 / kappa, 1.0
        rows.append((kappa, steps_to_shrink("sgd", optimal_gd(lam_min, lam_max), f),
                     steps_to_shrink("momentum", optimal_momentum(lam_min, lam_max), f)))
    return rows


def tuned_speedup(results=None):
    """(kappa, GD steps at its optimal lr / steps of momentum 0.9 at its tuned lr) on the tuning benchmark's ravine."""
    results = tuning.load() if results is None else results
    f = landscapes.ravine(**RAVINE)
    lam_min, lam_max = 1 / RAVINE["condition"], 1.0
    tuned = results["benchmarks"]["ravine"]["optimizers"]["momentum"]["best_lr"]
    gd = steps_to_shrink("sgd", optimal_gd(lam_min, lam_max), f)
    return RAVINE["condition"], gd / steps_to_shrink("momentum", {"lr": tuned, "momentum": 0.9}, f)


def momentum_speedup(rows=None, tuned=None):
    """Steps to shrink the error 1e6-fold against kappa, and the speed-up: it grows like sqrt(kappa).

    *tuned* is ``(kappa, speed-up)`` of momentum 0.9 at its tuned lr (default: :func:`tuned_speedup`).
    """
    rows = speedup_rows() if rows is None else rows
    tuned = tuned_speedup() if tuned is None else tuned
    kappa = np.array([r[0] for r in rows], float)
    gd, hb = np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float)
    fig, axes = plots.figure(2, size=(4.8, 4.0))
    k = np.geomspace(kappa.min(), kappa.max(), 100)
    n = np.log(1 / SHRINK)
    ax = axes[0]
    ax.loglog(k, n / np.log((k + 1) / (k - 1)), "-", color="k", lw=1,
              label=r"GD predicted: $\ln 10^6 / \ln\frac{\kappa+1}{\kappa-1} \approx 6.9\,\kappa$")
    ax.loglog(k, n / np.log((np.sqrt(k) + 1) / (np.sqrt(k) - 1)), "--", color="0.45", lw=1,
              label=r"heavy ball predicted from its rate only, $\approx 6.9\sqrt{\kappa}$")
    ax.loglog(kappa, gd, "o", color=plots.color("sgd"), label="gradient descent, lr 2/(lmin+lmax): measured")
    ax.loglog(kappa, hb, "s", color=plots.color("momentum"),
              label="heavy ball, optimal lr and momentum: measured\n(above its line: the double-root transient)")
    ax.set_xlabel(r"condition number $\kappa$")
    ax.set_ylabel(r"steps to shrink the error $10^6$-fold")
    ax.set_title("steps: GD grows like kappa, heavy ball like sqrt(kappa)")
    ax = axes[1]
    ax.fill_between([kappa.min(), kappa.max()], 2, 3, color="0.85", label="the lecture's \"2-3x\"")
    ax.loglog(k, np.sqrt(k), "--", color="k", lw=1, label=r"$\sqrt{\kappa}$ (the ratio of the two derived rates)")
    below = 1 - gd / hb / np.sqrt(kappa)
    ax.loglog(kappa, gd / hb, "o-", color=plots.color("momentum"),
              label=f"optimal heavy ball / optimal GD, measured:\n{below.min():.0%}-{below.max():.0%} below "
                    + r"$\sqrt{\kappa}$" + " (the heavy ball's transient)")
    ax.plot(*tuned, "D", color=plots.color("momentum"), mfc="w", mew=1.5, ms=8,
            label=f"momentum 0.9 at its tuned lr / optimal GD: {tuned[1]:.1f}x")
    ax.set_xlabel(r"condition number $\kappa$")
    ax.set_ylabel("speed-up")
    ax.set_yticks([2, 3, 5, 10, 20, 50])
    ax.set_yticklabels(["2", "3", "5", "10", "20", "50"])
    ax.minorticks_off()
    ax.set_title("speed-up: not a constant")
    return plots.finish(fig, "At optimal settings momentum's speed-up over GD grows like sqrt(kappa);\n"
                             "it is 2-3x only near kappa = 10, or with the customary momentum 0.9",
                        legend_kw={"loc": "upper left", "fontsize": 7})


# --- 02_overshoot.png: f = x^2/2 from x = 1 -------------------------------------------------------------
OVERSHOOT_STEPS = 160
OVERSHOOT_RUNS = {"gradient descent": ("sgd", {"lr": 0.1}),
                  "momentum 0.5": ("momentum", {"lr": 0.1, "momentum": 0.5}),
                  "momentum 0.9": ("momentum", {"lr": 0.1, "momentum": 0.9}),
                  "nesterov 0.9": ("nesterov", {"lr": 0.1, "momentum": 0.9})}


def overshoot_runs():
    f = landscapes.Quadratic([[1.0]], start=[1.0])
    return {label: E.trajectory(name, f, hp, OVERSHOOT_STEPS)[:, 0] for label, (name, hp) in OVERSHOOT_RUNS.items()}


def overshoot(runs=None):
    """x_t on f = x^2/2: heavy ball overshoots and rings with modulus sqrt(mu); Nesterov's ring is damped harder."""
    runs = overshoot_runs() if runs is None else runs
    fig, (ax,) = plots.figure(size=(7.0, 4.0))
    for (label, x), ls in zip(runs.items(), ("-", "--", "-", "-")):
        name = OVERSHOOT_RUNS[label][0]
        ax.plot(x, ls, color=plots.color(name), lw=1.6, marker="o" if name == "nesterov" else None, ms=2.5, label=label)
    t = np.arange(OVERSHOOT_STEPS + 1)
    for env, shade, ls, text in ((np.sqrt(0.9), "0.35", ":", r"envelope $\pm\sqrt{\mu}^{\,t}$ (momentum 0.9)"),
                                 (np.sqrt(0.9 * (1 - 0.1)), "0.6", "--",
                                  r"envelope $\pm\sqrt{\mu(1-\eta\lambda)}^{\,t}$ (nesterov 0.9)")):
        ax.plot(t, env**t, ls, color=shade, lw=1, label=text)
        ax.plot(t, -(env**t), ls, color=shade, lw=1)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("step")
    ax.set_ylabel(r"$x_t$ (minimum at 0)")
    return plots.finish(fig, r"Overshoot on $x^2/2$, lr 0.1: momentum 0.9 rings past the minimum, Nesterov less",
                        legend_kw={"loc": "upper right", "fontsize": 7})


# --- 02_saddle.png: x^2 - y^2 ---------------------------------------------------------------------------
SADDLE_RUNS = {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.05, "momentum": 0.9}, "nesterov": {"lr": 0.05, "momentum": 0.9}}
SADDLE_STEPS, SADDLE_NUDGE, SADDLE_NOISE, SADDLE_SEEDS = 120, 1e-3, 0.05, 20


def saddle_runs():
    """Paths from (-1, 0) and (-1, 1e-3) without noise, and |y_t| of noisy runs from (-1, 0) (SADDLE_SEEDS seeds)."""
    f = landscapes.saddle()
    out = {}
    for name, hp in SADDLE_RUNS.items():
        on_axis = E.trajectory(name, f, hp, SADDLE_STEPS, start=np.array([-1.0, 0.0]))
        nudged = E.trajectory(name, f, hp, SADDLE_STEPS, start=np.array([-1.0, SADDLE_NUDGE]))
        noisy = np.full((SADDLE_SEEDS, SADDLE_STEPS + 1), np.nan)
        for seed in range(SADDLE_SEEDS):
            p = E.trajectory(name, f, hp, SADDLE_STEPS, start=np.array([-1.0, 0.0]), noise=SADDLE_NOISE, seed=seed)
            noisy[seed, :len(p)] = np.abs(p[:, 1])
        out[name] = {"on_axis": on_axis, "nudged": nudged, "noisy_abs_y": noisy}
    return out


def saddle(runs=None):
    """Who escapes the saddle x^2 - y^2 and who stalls: paths, escape after a nudge, escape under gradient noise."""
    runs = saddle_runs() if runs is None else runs
    f = landscapes.saddle()
    fig, axes = plots.figure(3, size=(4.3, 4.0))
    ax = axes[0]
    plots.contour(ax, f, levels=14, num=120, alpha=0.3)
    for name, r in runs.items():
        plots.path(ax, r["nudged"], name, f"{name}, start y = {SADDLE_NUDGE:g}", lw=1.4)
    axis = runs["sgd"]["on_axis"]
    ax.plot(axis[:, 0], axis[:, 1], "k:", lw=2.5, label="all three from y = 0 exactly:\nthey stop at the saddle")
    plots.start(ax, (-1.0, 0.0))
    ax.set_title(r"$f = x^2 - y^2$: lr 0.05, momentum 0.9, no noise", fontsize=9)
    t = np.arange(SADDLE_STEPS + 1)
    for name, r in runs.items():
        y = np.abs(r["nudged"][:, 1])
        axes[1].semilogy(t[:len(y)], y, plots.STYLES[list(runs).index(name)], color=plots.color(name), lw=1.6,
                         label=name)
        plots.band(axes[2], t, r["noisy_abs_y"], name, name, log=True, quantiles=(10, 90),
                   linestyle=plots.STYLES[list(runs).index(name)])
    axes[1].set_title(f"start y = {SADDLE_NUDGE:g}, no noise", fontsize=9)
    axes[2].set_title(f"start y = 0, gradient noise {SADDLE_NOISE:g} ({SADDLE_SEEDS} seeds;\n"
                      "line: median, shading: 10-90th percentile)", fontsize=9)
    for ax in axes[1:]:
        ax.axhline(1.0, color="k", lw=0.6)
        ax.set_ylim(1e-5, 1e3)
        ax.set_xlabel("step")
        ax.set_ylabel("|y|, distance from the stable axis")
    return plots.finish(fig, "Saddle: exactly on the stable axis all three stall; after a nudge or with noise, "
                             "Nesterov and momentum escape about 3x sooner than GD",
                        legend_kw={"loc": "lower right", "fontsize": 7})


# --- 02_small_pits.png: the tilted double well (x^2 - 1)^2 + 0.3x from x = 2 ---------------------------
PITS_STEPS, PITS_SHOWN = 2000, 150
PITS_RUNS = {"gradient descent": ("sgd", {"lr": 0.01}),
             "momentum 0.5": ("momentum", {"lr": 0.01, "momentum": 0.5}),
             "momentum 0.9": ("momentum", {"lr": 0.01, "momentum": 0.9}),
             "momentum 0.95": ("momentum", {"lr": 0.01, "momentum": 0.95})}


def pits_runs():
    """x_t of each PITS_RUNS setting on the double well, from x = 2."""
    f = landscapes.double_well()
    return {label: E.trajectory(name, f, hp, PITS_STEPS)[:, 0] for label, (name, hp) in PITS_RUNS.items()}


def small_pits(runs=None):
    """The double well: gradient descent stops in the local minimum; momentum 0.9 rolls over the barrier."""
    runs = pits_runs() if runs is None else runs
    f = landscapes.double_well()
    fig, axes = plots.figure(2, size=(4.6, 3.8))
    xs = np.linspace(-1.9, 2.1, 300)
    ax = axes[0]
    ax.plot(xs, f.value(xs[:, None]), color="k", lw=1)
    marks = ((2.0, "start x = 2", "ks"), (f.maximum[0], "barrier", "k^"), (f.minima[1][0], "local minimum", "ko"),
             (f.minima[0][0], "global minimum", "k*"))
    for x, text, style in marks:
        ax.plot(x, f.value([x]), style, ms=7 if style != "k*" else 11, mfc="gold" if style == "k*" else "k")
        ax.annotate(text, (x, f.value([x])), (0, 9), textcoords="offset points", fontsize=8,
                    ha="right" if x == 2.0 else "center")
    ax.set_xlabel("x")
    ax.set_ylabel(r"$(x^2-1)^2 + 0.3x$")
    ax.set_title("the tilted double well", fontsize=9)
    ax = axes[1]
    for value, text in ((f.minima[0][0], "global minimum"), (f.maximum[0], "barrier"), (f.minima[1][0], "local minimum")):
        ax.axhline(value, color="0.6", lw=0.8, ls="--")
        ax.text(PITS_SHOWN, value - 0.07, text, fontsize=7, color="0.35", ha="right", va="top")
    for (label, x), ls in zip(runs.items(), ("-", "--", "-", ":")):
        name = PITS_RUNS[label][0]
        ax.plot(x[:PITS_SHOWN + 1], ls, color=plots.color(name), lw=1.6 if ls != "-" or name == "sgd" else 2.2,
                label=f"{label}: ends at x = {x[-1]:.2f}")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$x_t$")
    ax.set_title(f"first {PITS_SHOWN} of {PITS_STEPS} steps, lr 0.01", fontsize=9)
    return plots.finish(fig, "Small pits: momentum 0.9 rolls over the barrier into the global minimum;\n"
                             "momentum 0.5 stops short, momentum 0.95 swings back over it",
                        legend_kw={"loc": "center right", "fontsize": 7})


#: file name -> figure function (what ``optimlab tour`` writes)
FIGURES = {
    "02_ravine.png": ravine,
    "02_momentum_speedup.png": momentum_speedup,
    "02_overshoot.png": overshoot,
    "02_saddle.png": saddle,
    "02_small_pits.png": small_pits,
}
