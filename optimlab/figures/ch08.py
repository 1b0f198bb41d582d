"""Figures of notebook 08 (Newton, BFGS, L-BFGS), written by ``optimlab tour`` into figures/.

The notebook runs the same experiments in its cells, with the settings below spelled out, and draws
them with the ``draw_*`` functions; the figure functions here run them with these settings and draw
the same pictures.  Every step is a registered optimizer's ``step`` or a call of ``optimlab.minimize``.
"""

from __future__ import annotations

import numpy as np

from .. import landscapes, plots
from .._minimize import minimize
from ..optimizers import newton

#: The race on Rosenbrock: second-order methods with their line searches; Adam at the learning rate
#: tuned for this benchmark in optimlab/data/tuning.json (read at run time); the starts are those of
#: the tuning protocol's re-runs (seeds 100-104: the classic start plus N(0, 0.1^2) jitter).
RACE = {"methods": (("newton", "armijo"), ("bfgs", "armijo"), ("lbfgs", "wolfe")),
        "steps": 1000, "seeds": (100, 101, 102, 103, 104), "jitter": 0.1}
#: Saddle attraction: the saddle x^2 - y^2 from START, and the tilted double well from a grid of starts.
SADDLE = {"start": (-1.0, 0.1), "damping": 3.0, "gd_lr": 0.1, "newton_steps": 5, "gd_steps": 12,
          "well_starts": (-2.0, 2.0, 121), "well_steps": 25, "well_damping": 5.0}


def tuned_adam_lr():
    """Adam's learning rate tuned on the rosenbrock benchmark (optimlab/data/tuning.json)."""
    from ..tuning import load

    return load()["benchmarks"]["rosenbrock"]["optimizers"]["adam"]["best_lr"]


def race_starts(seeds=RACE["seeds"], jitter=RACE["jitter"]):
    """The starting points of the tuning protocol's re-runs on Rosenbrock (as ``tuning.Landscape.run``)."""
    f = landscapes.rosenbrock()
    return [f.start + jitter * np.random.default_rng(seed).standard_normal(2) for seed in seeds]


def race_runs(adam_lr, methods=RACE["methods"], steps=RACE["steps"], starts=None):
    """``{label: [MinimizeResult per start]}`` for the second-order methods and Adam (no line search)."""
    f = landscapes.rosenbrock()
    starts = race_starts() if starts is None else starts
    runs = {}
    for method, search in methods:
        hp = {"hessian": f.hessian} if method == "newton" else {}
        runs[f"{method} + {search}"] = [minimize(f.fun, x0, method, hp, steps=steps, line_search=search)
                                        for x0 in starts]
    runs[f"adam (lr={adam_lr:.3g}, tuned)"] = [minimize(f.fun, x0, "adam", {"lr": adam_lr}, steps=steps,
                                                      line_search=None) for x0 in starts]
    return runs


def draw_second_order_rosenbrock(runs, path_runs=None):
    """Left: paths from the classic start; right: f - f* per iteration, median and range over the starts."""
    f = landscapes.rosenbrock()
    fig, axes = plots.figure(2, size=(4.5, 3.8))
    plots.contour(axes[0], f, levels=12, num=200)  # fewer lines keep the paths readable
    styles = {"newton + armijo": "-", "bfgs + armijo": "--", "lbfgs + wolfe": "-."}
    for label, results in sorted(runs.items(), key=lambda item: not item[0].startswith("adam")):  # Adam underneath
        name = label.split(" ")[0]
        ls = styles.get(label, "-")
        r = (path_runs or {}).get(label, results[0])
        evals = int(np.median([x.nfev for x in results]))
        plots.path(axes[0], r.path, name, f"{label}: {r.nit} it., {r.nfev} f+g evals", linestyle=ls,
                   markevery=1 if r.nit < 100 else None, lw=1.6 if name != "adam" else 1.0)
        length = max(len(x.values) for x in results)
        curves = np.full((len(results), length), np.nan)
        for i, x in enumerate(results):
            curves[i, : len(x.values)] = x.values - f.fmin
        plots.band(axes[1], np.arange(length), curves, name, f"{label} (median {evals} f+g evals)", log=True,
                   linestyle=ls)
    plots.start(axes[0], f.start)
    axes[0].set_title("paths from the classic start (-1.2, 1)")
    axes[0].legend(fontsize=6.5, loc="upper right")
    axes[1].set_xscale("symlog", linthresh=10)
    axes[1].set_xlim(0, max(len(x.values) for rs in runs.values() for x in rs))
    axes[1].set_ylim(1e-22, 1e4)
    axes[1].set_xlabel("iteration (linear to 10, then log)")
    axes[1].set_ylabel("f(x) - f*  (median and range over 5 starts)")
    axes[1].set_title("second-order: 20-45 iterations; tuned Adam: 1000")
    axes[1].legend(fontsize=6.5, loc="lower left")
    return plots.finish(fig, "Rosenbrock: Newton, BFGS, L-BFGS with line searches vs Adam at its tuned lr",
                        legend=False)


def second_order_rosenbrock():
    """08_second_order_rosenbrock.png: the race, Adam at its tuned learning rate."""
    adam_lr = tuned_adam_lr()
    f = landscapes.rosenbrock()
    runs = race_runs(adam_lr)
    paths = {label: minimize(f.fun, f.start, label.split(" ")[0],
                             {"hessian": f.hessian} if label.startswith("newton") else
                             ({"lr": adam_lr} if label.startswith("adam") else {}),
                             steps=RACE["steps"], line_search=None if label.startswith("adam") else label.split()[-1])
             for label in runs}
    return draw_second_order_rosenbrock(runs, paths)


# --- L-BFGS with Armijo only vs Wolfe -----------------------------------------------------------------

def line_search_runs(steps=2000):
    """L-BFGS on Rosenbrock from the classic start with each line search: ``{search: MinimizeResult}``."""
    f = landscapes.rosenbrock()
    return {search: minimize(f.fun, f.start, "lbfgs", {}, steps=steps, line_search=search)
            for search in ("armijo", "wolfe")}


#: The two L-BFGS runs share L-BFGS's colour; Armijo is a thick translucent band underneath, Wolfe a dashed line
#: with a dot per iteration on top, so that neither hides the other where the paths coincide.
SEARCH_STYLES = {"armijo": {"linestyle": "-", "lw": 5.0, "alpha": 0.35},
                 "wolfe": {"linestyle": "--", "lw": 1.4, "alpha": 1.0, "marker": "o", "ms": 3}}


def draw_lbfgs_line_search(runs):
    """Left: the two paths; right: the step length per iteration, pairs with s^T y <= 0 marked."""
    f = landscapes.rosenbrock()
    fig, axes = plots.figure(2, size=(4.4, 3.7))
    plots.contour(axes[0], f, levels=12, num=200)  # fewer lines keep the paths readable
    title = ""
    for search, r in runs.items():
        st = dict(SEARCH_STYLES[search])
        ls = st.pop("linestyle")
        plots.path(axes[0], r.path, "lbfgs", f"lbfgs + {search}: {r.nit} iterations", linestyle=ls,
                   markevery=1 if "marker" in st else None, **st)
        S = np.diff(r.path, axis=0)
        Y = np.diff([f.grad(p) for p in r.path], axis=0)
        bad = (S * Y).sum(1) <= 0
        k = np.arange(1, len(S) + 1)
        length = np.linalg.norm(S, axis=1)
        axes[1].loglog(k, length, ls, color=plots.color("lbfgs"), label=f"lbfgs + {search}: |step|", **st)
        if search == "armijo":
            axes[1].loglog(k[bad], length[bad], "x", color="k", ms=3.5, mew=0.8,
                           label="armijo pair with s^T y <= 0 (not stored)")
            title = f"Armijo: {bad.sum()} of {len(S)} pairs rejected, steps frozen"
    plots.start(axes[0], f.start)
    axes[0].set_title("from the classic start (-1.2, 1)")
    axes[0].legend(fontsize=7, loc="lower right")
    axes[1].set_xlabel("iteration")
    axes[1].set_ylabel("step length |x_k - x_(k-1)|")
    axes[1].set_title(title)
    axes[1].legend(fontsize=7, loc="lower left")
    return plots.finish(fig, "L-BFGS needs the Wolfe curvature condition: with Armijo alone it can stall",
                        legend=False)


def lbfgs_line_search():
    """08_lbfgs_line_search.png: L-BFGS + Armijo crawls from Rosenbrock's classic start, + Wolfe does not."""
    return draw_lbfgs_line_search(line_search_runs())


# --- saddles attract Newton ---------------------------------------------------------------------------

def saddle_paths(start=SADDLE["start"], damping=SADDLE["damping"], gd_lr=SADDLE["gd_lr"],
                 newton_steps=SADDLE["newton_steps"], gd_steps=SADDLE["gd_steps"]):
    """Paths on x^2 - y^2: plain Newton, damped Newton, saddle-free Newton, gradient descent."""
    from ..optimizers import sgd

    s = landscapes.saddle()
    paths = {}
    for label, hp in (("newton", {}), (f"newton, damping={damping:g}", {"damping": damping}),
                      ("newton, saddle_free", {"saddle_free": True})):
        x, pts = np.array(start, dtype=float), [np.array(start, dtype=float)]
        for _ in range(newton_steps):
            x, _ = newton.step(x, s.grad(x), None, {"hessian": s.hessian, **hp})
            pts.append(x)
        paths[label] = np.array(pts)
    x, state, pts = np.array(start, dtype=float), None, [np.array(start, dtype=float)]
    for _ in range(gd_steps):
        x, state = sgd.step(x, s.grad(x), state, {"lr": gd_lr})
        pts.append(x)
    paths[f"sgd (lr={gd_lr:g})"] = np.array(pts)
    return paths


def double_well_ends(starts=SADDLE["well_starts"], steps=SADDLE["well_steps"], damping=SADDLE["well_damping"]):
    """Where Newton ends on the tilted double well from each start: ``(x0, {label: end points})``."""
    f = landscapes.double_well()
    x0 = np.linspace(*starts[:2], int(starts[2]))
    ends = {}
    for label, hp in (("newton", {}), ("newton, saddle_free", {"saddle_free": True}),
                      (f"newton, damping={damping:g}", {"damping": damping})):
        ends[label] = np.empty_like(x0)
        for i, start in enumerate(x0):
            x = np.array([start])
            for _ in range(steps):
                x, _ = newton.step(x, f.grad(x), None, {"hessian": f.hessian, **hp})
            ends[label][i] = x[0]
    return x0, ends


#: Where a start ends on the double well: not optimizers, so black, grey and an open circle.
END_STYLES = {"global minimum": {"color": "k", "mfc": "k"}, "local minimum": {"color": "0.6", "mfc": "0.6"},
              "local maximum": {"color": "k", "mfc": "white"}}


def draw_saddle_attraction(paths, x0, ends):
    """Left: the saddle x^2 - y^2 and four paths; right: the end point of Newton on the double well."""
    fig, axes = plots.figure(2, size=(4.8, 4.2))
    s = landscapes.saddle()
    plots.contour(axes[0], s, levels=21)
    for (label, pts), ls, marker in zip(paths.items(), ("-", "--", "-.", ":"), ("o", "s", "^", ".")):
        name = "sgd" if label.startswith("sgd") else "newton"  # one colour per optimizer: variants differ in style
        plots.path(axes[0], pts, name, False, linestyle=ls)
        axes[0].plot(pts[:, 0], pts[:, 1], ls, marker=marker, ms=5, color=plots.color(name), label=label,
                     mfc="white" if marker != "." else None)
    plots.start(axes[0], paths[next(iter(paths))][0])
    axes[0].set_title("x^2 - y^2: plain Newton jumps onto the saddle")
    axes[0].legend(fontsize=7, loc="lower right")
    f = landscapes.double_well()
    ax = axes[1]
    concave = np.sqrt(1 / 3)
    ax.axvspan(-concave, concave, color="0.92", lw=0)
    ax.text(0, 3.6, "f'' < 0", ha="center", fontsize=7)
    xs = np.linspace(-2, 2, 400)
    ax.plot(xs, f.value(xs[:, None]), color="0.45", lw=1.2)
    points = {"global minimum": f.minima[0][0], "local minimum": f.minima[1][0], "local maximum": f.maximum[0]}
    for label, where in points.items():
        ax.plot(where, f.value([where]), "o", mec="k", ms=7, zorder=5, **{k: v for k, v in END_STYLES[label].items()
                                                                          if k != "color"})
    for row, (label, end) in enumerate(ends.items()):
        y = -1.0 - 0.8 * row
        ax.text(-2.0, y + 0.25, label, fontsize=7)
        for name, where in points.items():
            hit = np.abs(end - where) < 1e-6
            st = END_STYLES[name]
            if name == "local maximum":
                ax.plot(x0[hit], np.full(hit.sum(), y), "o", ms=4, mec=st["color"], mfc=st["mfc"], mew=0.8,
                        label=f"ends at the {name}" if row == 0 else None)
            else:
                ax.plot(x0[hit], np.full(hit.sum(), y), "|", color=st["color"], ms=9, mew=2,
                        label=f"ends at the {name}" if row == 0 else None)
    ax.set_ylim(-3.2, 4.0)
    ax.set_xlim(-2.05, 2.05)
    ax.set_xlabel("x (start x0 for the rows below the curve)")
    ax.set_ylabel("f(x) = (x^2 - 1)^2 + 0.3x")
    ax.set_title(f"where {len(x0)} starts end after {SADDLE['well_steps']} steps:\n"
                 "plain Newton climbs to the maximum from where f'' < 0")
    ax.legend(fontsize=7, loc="upper center")
    return plots.finish(fig, legend=False)


def saddle_attraction():
    """08_saddle_attraction.png: Newton goes to any stationary point; damping and |H| cure it."""
    x0, ends = double_well_ends()
    return draw_saddle_attraction(saddle_paths(), x0, ends)


#: file name -> figure function
FIGURES = {
    "08_saddle_attraction.png": saddle_attraction,
    "08_lbfgs_line_search.png": lbfgs_line_search,
    "08_second_order_rosenbrock.png": second_order_rosenbrock,
}
