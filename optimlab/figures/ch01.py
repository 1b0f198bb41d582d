"""Figures of notebook 01, gradient descent and SGD (``optimlab tour`` writes them into figures/).

Each function takes the data the notebook computed in its own cells (with the loop and every
hyperparameter in view) and draws it; called without data (as the tour does) it recomputes the same
runs from the module constants below, which are the values the notebook spells out.
"""

from __future__ import annotations

import numpy as np

from .. import datasets, landscapes, plots, tuning
from .. import experiments as E
from ..mlp import MLP
from ..optimizers import get

# --- 01_contraction.png, 01_learning_rate.png: gradient descent on a quadratic ravine --------------
RAVINE = {"condition": 10.0, "angle": 0.5}  # curvatures lambda_min = 0.1, lambda_max = 1
LAMBDAS = (0.1, 1.0)
LR_STEPS = 60
LEARNING_RATES = {"too small": 0.05, "about right": 2 / (0.1 + 1.0), "too large": 2.2}
SWEEP_LRS = tuple(np.round(np.arange(0.1, 2.31, 0.15), 2))  # the measured points of 01_contraction

# --- 01_minibatch_noise.png: the variance of a mini-batch gradient -----------------------------------
NOISE_NET = (64, 32, 10)
NOISE_TRAIN = {"lr": 0.1, "batch_size": 32, "epochs": 3, "seed": 0}
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
NOISE_DRAWS = 100

# --- 01_rastrigin.png: local minima ------------------------------------------------------------------
RASTRIGIN_STARTS = ((3.2, 2.8), (-2.3, 1.6), (0.6, -3.4), (-4.1, -2.2), (1.4, 4.3), (-0.6, 0.4))
RASTRIGIN_LR, RASTRIGIN_STEPS = 1e-3, 300
WELL_LR, WELL_STEPS, WELL_SETTLE = 0.02, 1000, 200
WELL_NOISES = (0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
WELL_CHAINS = 300

# --- 01_four_optimizers.png, 01_lr_sensitivity.png: the lecture's race, tuned -------------------------
RACE = ("sgd", "momentum", "rmsprop", "adam")
RACE_LANDSCAPES = ("rosenbrock", "beale")


def _ravine():
    return landscapes.ravine(**RAVINE)


def gd_paths(lrs=None, steps=LR_STEPS):
    """Gradient descent (optimlab's ``sgd`` with exact gradients) on the ravine, one path per lr."""
    f, sgd = _ravine(), get("sgd")
    paths = {}
    for label, lr in (lrs or LEARNING_RATES).items():
        x, state, path = f.start.copy(), None, [f.start.copy()]
        for _ in range(steps):
            x, state = sgd.step(x, f.grad(x), state, {"lr": lr})
            path.append(x)
        paths[label] = np.array(path)
    return paths


def measured_contraction(lrs=SWEEP_LRS, steps=LR_STEPS):
    """The per-step factor by which the distance to the minimum shrinks over the last 10 of *steps* steps."""
    out = []
    for lr in lrs:
        path = gd_paths({"": lr}, steps)[""]
        d = np.linalg.norm(path, axis=1)
        out.append((d[-1] / d[-11]) ** 0.1)
    return np.array(out)


def contraction(measured=None):
    """The worst-case contraction factor c(lr) = max_i |1 - lr*lambda_i| against lr, and the measured factors."""
    lo, hi = LAMBDAS
    measured = measured_contraction() if measured is None else measured
    eta = np.linspace(0.0, 2.4, 481)
    fig, (ax,) = plots.figure(size=(6.0, 4.0))
    ax.plot(eta, np.abs(1 - eta * lo), ":", color="0.35", lw=1, label=r"flat direction $|1-\eta\lambda_{\min}|$")
    ax.plot(eta, np.abs(1 - eta * hi), "--", color="0.35", lw=1, label=r"steep direction $|1-\eta\lambda_{\max}|$")
    ax.plot(eta, np.maximum(np.abs(1 - eta * lo), np.abs(1 - eta * hi)), "-", color="0.7", lw=4,
            label=r"worst case $c(\eta)$ (theory)")
    ax.plot(SWEEP_LRS, measured, "o", color=plots.color("sgd"), mec="w", ms=6,
            label=f"measured (sgd.step, last 10 of {LR_STEPS} steps)")
    best = 2 / (lo + hi)
    ax.axvline(best, color="k", lw=0.8)
    ax.axvline(2 / hi, color="k", lw=0.8, ls="--")
    ax.axhline(1.0, color="k", lw=0.5)
    ax.annotate(rf"best $\eta=2/(\lambda_{{\min}}+\lambda_{{\max}})$={best:.2f}" + "\n"
                + rf"$c=(\kappa-1)/(\kappa+1)$={(hi / lo - 1) / (hi / lo + 1):.3f}",
                (best, (hi - lo) / (hi + lo)), (1.05, 0.3), fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.text(2 / hi + 0.03, 0.45, r"$\eta = 2/\lambda_{\max}$:" + "\ndiverges beyond", fontsize=8)
    ax.set_xlim(0, 2.4)
    ax.set_ylim(0, 1.5)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("error multiplied per step")
    return plots.finish(fig, rf"GD on a quadratic ($\kappa$ = {hi / lo:g}): fastest at "
                             r"$2/(\lambda_{\min}+\lambda_{\max})$, unstable beyond $2/\lambda_{\max}$",
                        legend_kw={"loc": "upper left", "fontsize": 7})


def learning_rate(paths=None):
    """Too small crawls, about right converges, too large diverges: paths and loss per step."""
    f = _ravine()
    paths = gd_paths() if paths is None else paths
    fig, axes = plots.figure(2, size=(5.0, 4.2))
    plots.contour(axes[0], f, levels=12, num=150)
    c = plots.color("sgd")
    for (label, p), ls, marker in zip(paths.items(), plots.STYLES, ("o", "s", "^")):
        lr = LEARNING_RATES.get(label)
        name = f"sgd, {label} (lr={lr:.3g})" if lr is not None else f"sgd, {label}"
        shown = p[:16] if label == "too large" else p  # it leaves the window after about 15 steps
        axes[0].plot(shown[:, 0], shown[:, 1], ls, color=c, marker=marker, ms=3, lw=1, label=name)
        loss = np.maximum(f.value(p) - f.fmin, 1e-300)
        axes[1].semilogy(loss, ls, color=c, marker=marker, markevery=6, ms=4, label=name)
    plots.start(axes[0], f.start)
    axes[0].set_title(rf"ravine, $\kappa$ = {RAVINE['condition']:g} (rotated), {LR_STEPS} steps")
    axes[1].set_xlabel("step")
    axes[1].set_ylabel(r"loss $f(\theta_t) - f^*$")
    axes[1].set_title(r"above $2/\lambda_{\max} = 2$ the loss grows every step")
    return plots.finish(fig, "Learning rate: too small crawls, about right converges, too large diverges",
                        legend_kw={"loc": "lower left"})


def minibatch_data(seed=NOISE_TRAIN["seed"]):
    """Train the digits MLP a little with mini-batch SGD, then measure E|g_B - g|^2 for each batch size B."""
    Xtr, ytr, _, _ = datasets.load_digits()
    net, sgd = MLP(list(NOISE_NET)), get("sgd")
    params, state = net.init(seed=seed), None
    rng = np.random.default_rng(seed)
    B = NOISE_TRAIN["batch_size"]
    for _ in range(NOISE_TRAIN["epochs"]):
        order = rng.permutation(len(Xtr))
        for i in range(0, len(order), B):
            idx = order[i:i + B]
            _, grads = net.loss_and_grads(params, Xtr[idx], ytr[idx])
            params, state = sgd.step(params, grads, state, {"lr": NOISE_TRAIN["lr"]})
    G = np.stack([np.concatenate([g.ravel() for g in net.loss_and_grads(params, Xtr[i:i + 1], ytr[i:i + 1])[1].values()])
                  for i in range(len(Xtr))])
    g = G.mean(axis=0)
    sigma2 = float(np.mean(np.sum((G - g) ** 2, axis=1)))
    measured = []
    for b in BATCH_SIZES:
        draws = [np.sum((G[rng.choice(len(G), b, replace=False)].mean(axis=0) - g) ** 2) for _ in range(NOISE_DRAWS)]
        measured.append(float(np.mean(draws)))
    return {"N": len(G), "sigma2": sigma2, "batch_sizes": list(BATCH_SIZES), "measured": measured}


def minibatch_noise(data=None):
    """E|g_B - g|^2 against the batch size B: sigma^2/B (times the finite-population factor)."""
    data = minibatch_data() if data is None else data
    B = np.array(data["batch_sizes"], float)
    N, s2 = data["N"], data["sigma2"]
    fig, (ax,) = plots.figure(size=(6.0, 4.2))
    Bs = np.geomspace(1, B.max(), 200)
    ax.loglog(Bs, s2 / Bs, "--", color="k", lw=1, label=r"$\sigma^2/B$ (independent draws)")
    ax.loglog(Bs, s2 / Bs * (N - Bs) / (N - 1), "-", color="k", lw=1,
              label=r"$\sigma^2/B\cdot(N-B)/(N-1)$ (without replacement)")
    ax.loglog(B, data["measured"], "o", color=plots.color("sgd"), ms=6,
              label=f"measured: mean over {NOISE_DRAWS} random batches")
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"$E\,\|g_B - \nabla L\|^2$")
    ax.annotate(f"B = 1: measured {data['measured'][0]:.3g}, expected " + r"$\sigma^2$" + f" = {s2:.3g}\n"
                f"(N = {N} times the variance of\nthe mean of N independent draws)", (1, data["measured"][0]),
                (1.5, data["measured"][0] / 30), fontsize=8, arrowprops={"arrowstyle": "->"})
    return plots.finish(fig, f"Mini-batch gradient noise falls like 1/B (digits MLP {'-'.join(map(str, NOISE_NET))})")


def rastrigin_paths():
    """Gradient descent from each of RASTRIGIN_STARTS on Rastrigin's function."""
    f, sgd = landscapes.rastrigin(), get("sgd")
    out = []
    for s in RASTRIGIN_STARTS:
        x, state, path = np.array(s, float), None, [np.array(s, float)]
        for _ in range(RASTRIGIN_STEPS):
            x, state = sgd.step(x, f.grad(x), state, {"lr": RASTRIGIN_LR})
            path.append(x)
        out.append(np.array(path))
    return out


def well_data(seed=0):
    """The double well: gradient descent's path from x = 2, and the fraction of noisy chains ending left."""
    f, sgd = landscapes.double_well(), get("sgd")
    x, state, path = f.start.copy(), None, [f.start.copy()]
    for _ in range(WELL_STEPS):
        x, state = sgd.step(x, f.grad(x), state, {"lr": WELL_LR})
        path.append(x)
    rng = np.random.default_rng(seed)
    fractions = []
    for s in WELL_NOISES:
        x, state = np.full((WELL_CHAINS, 1), 2.0), None
        for t in range(WELL_STEPS + WELL_SETTLE):  # noisy steps, then noise-free steps to settle in a minimum
            noise = s * rng.standard_normal(x.shape) if t < WELL_STEPS else 0.0
            x, state = sgd.step(x, f.grad(x) + noise, state, {"lr": WELL_LR})
        fractions.append(float(np.mean(x[:, 0] < f.maximum[0])))
    return {"path": np.array(path)[:, 0], "noises": list(WELL_NOISES), "fractions": fractions}


def rastrigin(paths=None, well=None):
    """Local minima: gradient descent stops in the nearest dent; gradient noise can carry it out."""
    f = landscapes.rastrigin()
    paths = rastrigin_paths() if paths is None else paths
    well = well_data() if well is None else well
    fig, axes = plots.figure(3, size=(4.3, 4.0))
    ax = axes[0]
    X, Y, Z = f.grid(160)
    ax.contourf(X, Y, Z, levels=8, cmap="Greys", alpha=0.5)
    ax.plot(0, 0, marker="*", color="gold", ms=14, mec="k", ls="none", label="global minimum, f = 0")
    for i, p in enumerate(paths):
        plots.path(ax, p, "sgd", "gd paths (start: square)" if i == 0 else "_nolegend_", lw=1.8)
        ax.plot(*p[0], "ks", ms=4)
        ax.annotate(f"{f.value(p[-1]):.1f}", p[-1], (4, -10), textcoords="offset points", fontsize=8)
    ax.set_xlim(-5.12, 5.12)
    ax.set_ylim(-5.12, 5.12)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)
    ax.set_title(f"Rastrigin: gd (lr={RASTRIGIN_LR:g}) from 6 starts ends\nin 6 different dents (final f printed)")
    w = landscapes.double_well()
    xs = np.linspace(-1.8, 2.1, 300)
    axes[1].plot(xs, w.value(xs[:, None]), color="k", lw=1)
    p = well["path"]
    axes[1].plot(p[:60], w.value(p[:60, None]), "o", color=plots.color("sgd"), ms=3,
                 label=f"gd from x = 2 (lr={WELL_LR:g}): first 60 steps")
    axes[1].plot(w.minima[0][0], w.value(w.minima[0]), "*", color="gold", ms=14, mec="k", ls="none",
                 label=f"global minimum x = {w.minima[0][0]:.2f}")
    axes[1].plot(p[-1], w.value([p[-1]]), "X", color=plots.color("sgd"), ms=9, ls="none",
                 label=f"gd ends at x = {p[-1]:.2f} (local)")
    axes[1].set_xlabel("x")
    axes[1].set_ylabel(r"$(x^2-1)^2 + 0.3x$")
    axes[1].set_title("double well: gd stops in the local minimum")
    axes[2].plot(well["noises"], well["fractions"], "o-", color=plots.color("sgd"))
    axes[2].set_xlabel(r"gradient noise std $s$")
    axes[2].set_ylabel("fraction of runs ending in the global minimum")
    axes[2].set_ylim(-0.03, 1.03)
    axes[2].set_title(f"double well, {WELL_CHAINS} sgd runs from x = 2 with\n"
                      rf"gradient noise $N(0, s^2)$, {WELL_STEPS} steps each")
    return plots.finish(fig, "Local minima: gradient descent stops in the nearest one; enough noise can get it out")


def race_paths(results=None):
    """Each race optimizer at its tuned learning rate, from the classic start of each landscape."""
    results = tuning.load() if results is None else results
    out = {}
    for name in RACE_LANDSCAPES:
        entry = results["benchmarks"][name]
        steps = entry["spec"]["steps"]
        f = landscapes.get(name)
        out[name] = {o: E.trajectory(o, f, entry["optimizers"][o]["hparams"], steps) for o in RACE}
    return out


#: the part of each landscape the race pictures show (the paths stay inside it)
RACE_WINDOWS = {"rosenbrock": ((-2.0, 2.0), (-1.0, 3.0)), "beale": ((-0.6, 4.0), (-2.2, 2.0))}


def four_optimizers(results=None, paths=None):
    """The lecture's four-optimizer race (CS231n's picture), each optimizer at its tuned learning rate, one panel each."""
    from matplotlib.lines import Line2D

    results = tuning.load() if results is None else results
    paths = race_paths(results) if paths is None else paths
    fig, axes = plots.figure(len(RACE), len(RACE_LANDSCAPES), size=(3.1, 2.75))
    for row, name in enumerate(RACE_LANDSCAPES):
        f, entry = landscapes.get(name), results["benchmarks"][name]
        for col, o in enumerate(RACE):
            ax = axes[row * len(RACE) + col]
            plots.contour(ax, f, levels=10, num=110, alpha=0.45)
            path = paths[name][o]
            plots.path(ax, path, o, label=False, lw=1.4)
            plots.start(ax, f.start, label=None)
            (x0, x1), (y0, y1) = RACE_WINDOWS[name]
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            gap = f.value(path[-1]) - f.fmin
            ax.set_title(f"{name}: {o} (lr {entry['optimizers'][o]['best_lr']:.3g})\n"
                         f"gap after {len(path) - 1} steps: {gap:.1e}", fontsize=9)
    handles = [Line2D([], [], marker="s", color="k", ls="none", ms=6, label="start (the classic start)"),
               Line2D([], [], marker="o", color="0.3", ls="none", ms=5, label="end of the path"),
               Line2D([], [], marker="*", color="gold", mec="k", ls="none", ms=12, label="global minimum"),
               Line2D([], [], marker="X", color="k", ls="none", ms=8, label="saddle point (Beale)")]
    plots.finish(fig, "The race at tuned learning rates: Adam and momentum reach both minima (Adam closest), "
                      "SGD is still crawling\nalong Rosenbrock's valley, RMSprop stalls short of the minimum "
                      "(one panel per optimizer, the classic start)", legend=False)
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.subplots_adjust(bottom=0.12)
    return fig


def race_spread(results=None):
    """The race from 5 fresh starts per optimizer (the tuning protocol's re-runs): median and range of the gap."""
    results = tuning.load() if results is None else results
    fig, axes = plots.figure(2, size=(4.8, 3.9))
    for ax, name in zip(axes, RACE_LANDSCAPES):
        entry = results["benchmarks"][name]
        low = np.inf
        for o, ls in zip(RACE, plots.STYLES):
            runs = entry["optimizers"][o]["runs"]
            curves = [[np.nan if v is None else v for v in r["gap"]] for r in runs]
            low = min(low, np.nanmin(np.where(np.array(curves, float) > 0, curves, np.nan)))
            plots.band(ax, runs[0]["gap_steps"], curves, o, f"{o} (lr={entry['optimizers'][o]['best_lr']:.3g})",
                       log=True, linestyle=ls)
        ax.axhline(tuning.SOLVED, color="0.5", lw=0.8, ls=(0, (4, 3)))
        ax.text(entry["spec"]["steps"] * 0.02, tuning.SOLVED * 3, f"gap {tuning.SOLVED:g}: \"solved\" for the tuning",
                fontsize=7, color="0.35")
        ax.set_ylim(bottom=low / 5)
        ax.set_xlabel("step")
        ax.set_ylabel(r"gap $f(\theta_t) - f^*$")
        ax.set_title(f"{name}: median and min-max of {len(entry['optimizers'][RACE[0]]['runs'])} fresh starts")
    return plots.finish(fig, "Five fresh starts per optimizer, each at its tuned lr: Adam ends lowest on both "
                             "landscapes, RMSprop stalls", legend_kw={"loc": "center left", "fontsize": 7, "bbox_to_anchor": (0.0, 0.3)})


def lr_sensitivity(results=None):
    """Final gap against the learning rate on the tuning grid (median of the tuning seeds), one line per optimizer.

    Scores are floored at ``tuning.SOLVED`` (a gap below it counts as solved); a diverged rate is an x, each
    optimizer's on its own row above the plot.
    """
    results = tuning.load() if results is None else results
    fig, axes = plots.figure(2, size=(5.0, 4.2))
    top = 1e4
    for ax, name in zip(axes, RACE_LANDSCAPES):
        entry = results["benchmarks"][name]
        for k, (o, marker) in enumerate(zip(RACE, ("o", "s", "^", "D"))):
            r = entry["optimizers"][o]
            grid = np.array(r["grid"])
            score = np.array([np.nan if s is None else s for s in r["scores"]])
            c = plots.color(o)
            ax.loglog(grid, score, "-", marker=marker, color=c, ms=4, label=o)
            gone = np.isnan(score)
            ax.plot(grid[gone], np.full(gone.sum(), top * 6.0 ** k), "x", color=c, ms=6, mew=1.5)
            ax.plot(r["best_lr"], np.nanmin(score), marker, color=c, ms=11, mfc="none", mew=1.5)
        ax.axhline(top / 2, color="k", lw=0.5)
        ax.text(results["protocol"]["grid"][0], top * 6.0 ** 4, "x = diverged (one row per optimizer)", fontsize=7)
        ax.axhspan(tuning.SOLVED / 3, tuning.SOLVED * 1.5, color="0.9", lw=0)
        ax.text(results["protocol"]["grid"][0], tuning.SOLVED * 3, f"solved: gap < {tuning.SOLVED:g} (all equal)",
                fontsize=7, color="0.3")
        ax.set_ylim(tuning.SOLVED / 3, top * 6.0 ** 5)
        ax.set_xlabel("learning rate (the shared tuning grid: 13 rates from 1e-5 to 10)")
        ax.set_ylabel(f"final gap after {entry['spec']['steps']} steps (median of 3 tuning starts)")
        ax.set_title(f"{name}: open marker = the tuned lr")
    return plots.finish(fig, "Each optimizer has its own good rates, up to 2.5 decades apart: a shared lr would rank "
                             "the rate, not the optimizer",
                        legend_kw={"loc": "lower left", "bbox_to_anchor": (0.0, 0.07)})


#: file name -> figure function (what ``optimlab tour`` writes)
FIGURES = {
    "01_contraction.png": contraction,
    "01_learning_rate.png": learning_rate,
    "01_minibatch_noise.png": minibatch_noise,
    "01_rastrigin.png": rastrigin,
    "01_four_optimizers.png": four_optimizers,
    "01_race_spread.png": race_spread,
    "01_lr_sensitivity.png": lr_sensitivity,
}
