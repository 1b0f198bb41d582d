"""Figures of notebook 05, warm-up, RAdam, Lookahead and Ranger (``optimlab tour`` writes them).

Every setting is a module constant with the value the notebook spells out in its cells, so the PNG in
figures/ and the notebook's picture are the same experiment.  Each ``draw_*`` function takes the data the
notebook computed in its own cells; the figure functions of :data:`FIGURES` recompute the same data from
the constants (the tour calls them without arguments).  The experiments only call registered optimizers'
``step`` and read :func:`optimlab.tuning.load`'s shipped results.
"""

from __future__ import annotations

import numpy as np

from .. import landscapes, plots, tuning
from ..optimizers import adam, lookahead, radam, sgd

# --- 05_radam_rectification.png: rho_t and r_t ---------------------------------------------------------

#: beta2 values drawn (the default 0.999 and StableAdamW's/fastai's 0.99) and the last step drawn.
RECT_BETA2S = (0.999, 0.99)
RECT_T_MAX = 30_000
#: The measured points: RAdam's step divided by Adam's (both with a negligible eps = 1e-30, beta2 = 0.999) on two gradient
#: streams of very different scale: label -> (mean, standard deviation) of the Gaussian gradients.
RECT_STREAMS = {"gradients N(0, 0.001²)": (0.0, 1e-3), "gradients N(10, 50²)": (10.0, 50.0)}
RECT_STEPS, RECT_DIM, RECT_SEED, RECT_EPS = 3000, 4, 0, 1e-30
#: Steps at which the measured ratio is drawn (all rectified: rho_t > 5).
RECT_SHOWN = (6, 8, 12, 20, 35, 60, 100, 200, 400, 800, 1500, 3000)


def step_ratios(mean, std, steps=RECT_STEPS, dim=RECT_DIM, seed=RECT_SEED, lr=1e-3, eps=RECT_EPS):
    """|RAdam step| / |Adam step| per step (first coordinate), same gradient stream, the same negligible eps.

    The gradients do not depend on the parameters, so every step is taken from 0 and read off directly.
    """
    grads = mean + std * np.random.default_rng(seed).standard_normal((steps, dim))
    hp = {"lr": lr, "eps": eps}
    zero, s_r, s_a, ratios = np.zeros(dim), None, None, []
    for g in grads:
        step_r, s_r = radam.step(zero, g, s_r, hp)
        step_a, s_a = adam.step(zero, g, s_a, hp)
        ratios.append(abs(step_r[0]) / abs(step_a[0]))
    return np.array(ratios)


def draw_radam_rectification(measured, beta2s=RECT_BETA2S, t_max=RECT_T_MAX, shown=RECT_SHOWN):
    """Two panels: rho_t (log-log, up to rho_inf) with the thresholds 4 and 5; r_t with the measured step ratios."""
    fig, axes = plots.figure(2, size=(5.4, 5.0))
    t = np.unique(np.geomspace(1, t_max, 600).astype(int))
    c = plots.color("radam")
    ax = axes[0]
    for b2, ls in zip(beta2s, plots.STYLES):
        rho_inf = 2 / (1 - b2) - 1
        ax.loglog(t, radam.rho(t, b2), ls, color=c, lw=1.8, label=rf"$\rho_t$, $\beta_2$ = {b2:g}")
        ax.axhline(rho_inf, color=c, ls=ls, lw=0.8, alpha=0.6)
        ax.text(1.2, rho_inf * 1.15, rf"$\rho_\infty$ = {rho_inf:g}", color=c, fontsize=8)
    early = t[t <= 300]
    ax.loglog(early, early, color="0.45", lw=1.2, ls="-.", zorder=5, label=r"$\rho = t$ (on top: the early steps)")
    ax.axhline(4, color="k", ls=":", lw=1, label="threshold 4 (paper, Algorithm 2)")
    ax.axhline(5, color="k", ls="--", lw=1, label="threshold 5 (PyTorch, the authors' code)")
    ax.set_ylim(0.8, 6000)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\rho_t$ (length of the simple average that $\hat v_t$ approximates)")
    ax.set_title(r"$\rho_t$ rises from 1 to $\rho_\infty \approx 2/(1-\beta_2)$")
    ax = axes[1]
    for b2, ls in zip(beta2s, plots.STYLES):
        ax.semilogx(t, radam.rectification(t, b2), ls, color=c, lw=1.8, label=rf"$r_t$, $\beta_2$ = {b2:g}")
        ax.semilogx(t, np.minimum(1.0, t * (1 - b2) / 2), ls, color="0.55", lw=1,
                    label=rf"linear warm-up over $2/(1-\beta_2)$ = {2 / (1 - b2):g} steps")
    idx = np.array(shown) - 1
    for (label, ratios), marker in zip(measured.items(), ("o", "x")):
        ax.plot(np.array(shown), ratios[idx], marker, color="k", ms=6 if marker == "o" else 7, mfc="none",
                label=f"measured RAdam step / Adam step, {label}")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"rectification term $r_t$")
    ax.set_title(r"$r_t$: a fixed warm-up schedule (the same for any gradients)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)  # below: the curves fill the panel
    return plots.finish(fig, r"RAdam's $\rho_t$ and $r_t$ depend only on t and $\beta_2$; "
                             r"$r_t$ is undefined while $\rho_t \leq 4$", legend=False)


def radam_rectification():
    """05_radam_rectification.png."""
    return draw_radam_rectification({label: step_ratios(*ms) for label, ms in RECT_STREAMS.items()})


# --- 05_lookahead_fast_slow.png: Lookahead over SGD on the ravine ---------------------------------------

#: The tuning benchmark's ravine (curvatures 1/100 and 1, rotated), SGD at lr 1.9: along the steep axis
#: each step multiplies the error by 1 - 1.9 = -0.9 (a zig-zag), along the flat one by 1 - 0.019.
LA_RAVINE = {"condition": 100.0, "angle": 0.5}
LA_LR, LA_K, LA_ALPHA, LA_STEPS = 1.9, 5, 0.5, 60


def ravine_axes(f):
    """Unit vectors of the ravine's flat and steep axes (eigenvectors of the Hessian, small curvature first)."""
    _, vecs = np.linalg.eigh(f.A)
    return vecs[:, 0], vecs[:, 1]


def lookahead_runs(lr=LA_LR, k=LA_K, alpha=LA_ALPHA, steps=LA_STEPS):
    """SGD alone, and Lookahead over the same SGD: ``{"sgd": path, "fast": path, "slow": [(t, point)],
    "fast_end": [(t, point)]}``; "fast_end" is where the k-th fast step landed before the synchronisation."""
    f = landscapes.ravine(**LA_RAVINE)
    inner = {"lr": lr}
    hp = {"inner": "sgd", "inner_hparams": inner, "k": k, "alpha": alpha}
    x, s_sgd, path_sgd = f.start.copy(), None, [f.start.copy()]
    y, s_la, fast, slow, fast_end = f.start.copy(), None, [f.start.copy()], [(0, f.start.copy())], []
    for t in range(1, steps + 1):
        x, s_sgd = sgd.step(x, f.grad(x), s_sgd, inner)
        path_sgd.append(x)
        if t % k == 0:  # where the inner SGD step lands before Lookahead pulls back (SGD has no state)
            fast_end.append((t, sgd.step(y, f.grad(y), None, inner)[0]))
        y, s_la = lookahead.step(y, f.grad(y), s_la, hp)
        fast.append(y)
        if t % k == 0:
            slow.append((t, s_la["slots"]["param"]["slow"].copy()))
    return {"sgd": np.array(path_sgd), "fast": np.array(fast), "slow": slow, "fast_end": fast_end}


def draw_lookahead(runs, lr=LA_LR, k=LA_K, alpha=LA_ALPHA):
    """Three panels: the paths on the ravine; the coordinate across it (steep axis); the one along it."""
    f = landscapes.ravine(**LA_RAVINE)
    share = "half" if alpha == 0.5 else f"{alpha:g}x"
    flat, steep = ravine_axes(f)
    fig, axes = plots.figure(3, size=(4.2, 3.9))
    c_sgd, c_la = plots.color("sgd"), plots.color("lookahead")
    slow_t = np.array([t for t, _ in runs["slow"]])
    slow = np.array([p for _, p in runs["slow"]])
    end_t = np.array([t for t, _ in runs["fast_end"]])
    ends = np.array([p for _, p in runs["fast_end"]])
    ax = axes[0]
    plots.contour(ax, f, levels=10, num=120)
    ax.plot(*runs["sgd"][:31].T, "-", color=c_sgd, lw=0.8, alpha=0.6, label=f"SGD alone (lr={lr:g}), 30 steps")
    ax.plot(*runs["fast"][:31].T, ":", color=c_la, lw=1.0, label="Lookahead's fast weights")
    ax.plot(*ends[:6].T, "^", color=c_la, ms=5, mfc="none",
            label=f"fast weights after {k} steps (before the pull-back)")
    ax.plot(*slow[:7].T, "o-", color=c_la, lw=2, ms=5, label=f"slow weights (k={k}, alpha={alpha:g})")
    plots.start(ax, f.start)
    shown = np.vstack([runs["sgd"][:31], runs["fast"][:31], ends[:6]])
    (x0, y0), (x1, y1) = shown.min(0) - 0.6, shown.max(0) + 0.6
    half = max(x1 - x0, y1 - y0) / 2
    ax.set_xlim((x0 + x1) / 2 - half, (x0 + x1) / 2 + half)
    ax.set_ylim((y0 + y1) / 2 - half, (y0 + y1) / 2 + half)
    ax.set_title("first 30 steps, zoomed (the minimum is off to the upper right)", fontsize=9)
    for ax, axis, name in ((axes[1], steep, "across the ravine (steep axis, curvature 1)"),
                           (axes[2], flat, "along the ravine (flat axis, curvature 0.01)")):
        ax.axhline(0, color="k", lw=0.6)
        ax.plot(runs["sgd"] @ axis, "-", color=c_sgd, lw=1.0, alpha=0.7, marker=".", ms=3, label="SGD alone")
        ax.plot(runs["fast"] @ axis, ":", color=c_la, lw=1.0, label="Lookahead, fast weights")
        ax.plot(end_t, ends @ axis, "^", color=c_la, ms=5, mfc="none", label=f"fast weights after {k} steps")
        ax.plot(slow_t, slow @ axis, "o", color=c_la, ms=5, label="Lookahead, slow weights")
        ax.set_xlabel("step")
        ax.set_ylabel("coordinate along this axis (minimum at 0)")
        ax.set_title(name)
    return plots.finish(fig, "Lookahead over SGD: the slow weights land between the fast weights' swings "
                             f"(the zig-zag dies); along the ravine they make {share} of SGD's progress per {k} steps",
                        legend_kw={"fontsize": 7, "loc": "best"})


def lookahead_fast_slow():
    """05_lookahead_fast_slow.png."""
    return draw_lookahead(lookahead_runs())


# --- 05_ranger_mlp.png: the fair comparison on MNIST, read from the tuning results ----------------------

#: The optimizers compared (Lookahead's inner optimizer is Adam in the tuning benchmark) and the benchmarks.
RANGER_OPTIMIZERS = ("adam", "radam", "lookahead", "ranger")
RANGER_BENCHMARKS = ("mnist_b32", "mnist_b256")
RANGER_STYLES = {"adam": "-", "radam": "--", "lookahead": "-.", "ranger": ":"}
RANGER_MARKERS = {"adam": "o", "radam": "s", "lookahead": "D", "ranger": "^"}


def draw_ranger_mlp(results, optimizers=RANGER_OPTIMIZERS, benchmarks=RANGER_BENCHMARKS):
    """Three panels from ``optimlab tune`` results: lr sensitivity, validation loss at the tuned lr, test accuracy."""
    fig, axes = plots.figure(3, size=(4.3, 4.0))
    b32 = results["benchmarks"][benchmarks[0]]
    ax = axes[0]
    for name in optimizers:
        r = b32["optimizers"][name]
        scores = np.array([np.nan if s is None else s for s in r["scores"]])
        ax.semilogx(r["grid"], scores, RANGER_STYLES[name], marker=RANGER_MARKERS[name], ms=4,
                    color=plots.color(name), label=f"{name} (best lr {r['best_lr']:.3g})")
        ax.plot(r["best_lr"], min(s for s in scores if np.isfinite(s)), RANGER_MARKERS[name], ms=10, mfc="none",
                color=plots.color(name))
    ax.axvline(1e-3, color="k", lw=0.8, ls=":", label="lr 1e-3 (Adam's, RAdam's and Ranger's default)")
    ax.set_ylim(0.2, 8)
    ax.set_yscale("log")
    _plain_log_ticks(ax.yaxis)
    ax.legend(fontsize=7, loc="upper center")
    ax.set_xlabel("learning rate (Lookahead: its inner Adam's)")
    ax.set_ylabel("final validation loss (tuning seed)")
    ax.set_title(f"{benchmarks[0]}: the tuning grid")
    ax = axes[1]
    for name in optimizers:
        runs = b32["optimizers"][name]["runs"]
        curves = np.array([[np.nan if v is None else v for v in run["val_loss"]] for run in runs])
        epochs = np.arange(1, curves.shape[1] + 1)
        plots.band(ax, epochs, curves, name, f"{name} (lr {b32['optimizers'][name]['best_lr']:.3g})",
                   linestyle=RANGER_STYLES[name])
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation loss")
    ax.set_title(f"{benchmarks[0]}: tuned lr, median and range of {len(runs)} seeds")
    ax.legend(fontsize=7, loc="upper right")
    ax = axes[2]
    for j, bench in enumerate(benchmarks):
        entry = results["benchmarks"][bench]["optimizers"]
        for i, name in enumerate(optimizers):
            acc = [run["test_acc"][-1] for run in entry[name]["runs"] if run["test_acc"][-1] is not None]
            x = i + 5 * j + np.linspace(-0.15, 0.15, len(acc))
            ax.plot(x, acc, RANGER_MARKERS[name], color=plots.color(name), ms=5, mfc="none",
                    label=name if j == 0 else None)
            ax.plot([i + 5 * j - 0.3, i + 5 * j + 0.3], [np.median(acc)] * 2, "-", color=plots.color(name), lw=2)
    ax.set_xticks([1.5, 6.5])
    ax.set_xticklabels(list(benchmarks))
    ax.set_xlabel("benchmark (each optimizer at its tuned lr)")
    ax.set_ylabel("test accuracy after 8 epochs")
    ax.set_title("one mark per fresh seed, bar = median")
    ax.legend(fontsize=7, loc="lower left")
    return plots.finish(fig, "MNIST 784-128-10, every learning rate tuned on the same grid: "
                             "Ranger is not ahead of Adam, RAdam or Lookahead(Adam)", legend=False)


def ranger_mlp(results=None):
    """05_ranger_mlp.png."""
    return draw_ranger_mlp(tuning.load() if results is None else results)


# --- the warm-up experiment of the notebook (not written by the tour) -----------------------------------

#: Adam at lr 0.03 on the MNIST MLP 784-128-10 (30x its tuned 1e-3), batch 32, 150 steps, 3 seeds.
WARMUP_LR, WARMUP_STEPS, WARMUP_BATCH, WARMUP_WARM, WARMUP_SEEDS = 0.03, 150, 32, 100, (0, 1, 2)


def draw_warmup(curves, lr=WARMUP_LR, warm=WARMUP_WARM, smooth=5):
    """Training loss per step (median and range over seeds) of ``{label: (optimizer, runs)}``, log step axis.

    From step *smooth* on, each run is averaged over the last *smooth* steps (mini-batch losses are noisy);
    the first steps are drawn as they are.
    """
    fig, (ax,) = plots.figure(size=(7.0, 4.0))
    for (label, (name, runs)), ls in zip(curves.items(), ("-", "--", ":")):
        runs = np.asarray(runs, dtype=float)
        kernel = np.ones(smooth) / smooth
        smoothed = np.array([np.concatenate([r[:smooth - 1], np.convolve(r, kernel, mode="valid")]) for r in runs])
        plots.band(ax, np.arange(1, runs.shape[1] + 1), smoothed, name, label, log=True, linestyle=ls)
    ax.set_xscale("log")
    ax.axvline(warm, color="k", lw=0.8, ls=":", label=f"end of the warm-up (step {warm})")
    ax.axhline(np.log(10), color="0.5", lw=0.8, ls="-.", label="ln 10: the loss of a uniform guess")
    ax.set_xlabel("step (log scale)")
    ax.set_ylabel(f"mini-batch training loss ({smooth}-step mean, log scale)")
    _plain_log_ticks(ax.yaxis)
    return plots.finish(fig, f"Adam at lr {lr:g}: a warm-up or RAdam prevents the shock of the first steps;\n"
                             f"the warm-up run meets the too-large rate after step {warm} instead", legend_kw={"fontsize": 8})


def _plain_log_ticks(axis):
    """Plain decimal tick labels (0.3, 1, 3) on a log axis instead of 3x10^-1."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


#: file name -> figure function
FIGURES = {
    "05_radam_rectification.png": radam_rectification,
    "05_lookahead_fast_slow.png": lookahead_fast_slow,
    "05_ranger_mlp.png": ranger_mlp,
}
