"""Figures of notebook 03, AdaGrad / RMSprop / Adadelta (``optimlab tour`` writes them; the notebook shows each once).

Every setting is a module constant with the value the notebook spells out in its cells, so the PNG in
figures/ and the notebook's picture are the same experiment.  The experiments only call the registered
optimizers' ``step``; the ravine figure tunes every learning rate with the protocol of :mod:`optimlab.tuning`
(the same grid, starts, scores and tie rule as ``tuning.tune_one`` on ``tuning.Landscape``), running the starts of
one rate side by side as the rows of one array, which gives the same numbers three times faster.
"""

from __future__ import annotations

import numpy as np

from .. import landscapes, plots, tuning
from ..optimizers import get

# --- 03_adagrad_vs_rmsprop_lr.png: the effective learning rate over time -----------------------------

#: The effective-learning-rate experiment: N(0, SIGMA^2) gradients, lr 0.01, and in the second panel the
#: gradients' scale drops 10x at step DROP_AT.
EFF_LR, EFF_SIGMA, EFF_STEPS, EFF_DROP_AT, EFF_DROP, EFF_SEED = 0.01, 0.5, 1000, 500, 0.1, 0
#: The runs: (label, optimizer, hparams); the label names the key hparam.
EFF_RUNS = (("adagrad", "adagrad", {"lr": EFF_LR}),
            ("rmsprop (rho=0.9)", "rmsprop", {"lr": EFF_LR, "rho": 0.9}),
            ("rmsprop (rho=0.99)", "rmsprop", {"lr": EFF_LR, "rho": 0.99}))


def gradient_stream(steps=EFF_STEPS, sigma=EFF_SIGMA, drop_at=None, drop=EFF_DROP, seed=EFF_SEED):
    """The scalar gradients fed to every optimizer: N(0, sigma^2), times *drop* from step *drop_at* on."""
    g = sigma * np.random.default_rng(seed).standard_normal(steps)
    if drop_at is not None:
        g[drop_at:] *= drop
    return g


def effective_lr(optimizer, hparams, grads):
    r"""The effective rate :math:`\eta/(\sqrt{h_t}+\epsilon)` after each step, read from the optimizer's state."""
    module = get(optimizer)
    eps = module.HPARAMS.resolve(hparams)["eps"]
    slot = "h" if optimizer == "adagrad" else "v"
    x, state, out = np.zeros(1), None, []
    for g in grads:
        x, state = module.step(x, np.array([g]), state, hparams)
        out.append(hparams["lr"] / (np.sqrt(state["slots"]["param"][slot][0]) + eps))
    return np.array(out)


def draw_effective_lr(stationary, shifted, lr=EFF_LR, sigma=EFF_SIGMA, drop_at=EFF_DROP_AT, drop=EFF_DROP):
    """Two panels from ``{label: effective-lr array}`` dicts: stationary gradients, and a 10x drop."""
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    styles = {"adagrad": dict(lw=1.8), "rmsprop (rho=0.9)": dict(lw=0.9, alpha=0.55),
              "rmsprop (rho=0.99)": dict(lw=1.8, ls="--")}
    for ax, runs in zip(axes, (stationary, shifted)):
        for label, curve in runs.items():
            t = np.arange(1, len(curve) + 1)
            ax.loglog(t, curve, color=plots.color(label), label=label, **styles.get(label, {}))
    t = np.arange(1, len(next(iter(stationary.values()))) + 1)
    axes[0].loglog(t, lr / (sigma * np.sqrt(t)), "k:", lw=1.2, label=r"$\eta/(\sigma\sqrt{t})$ (AdaGrad, predicted)")
    axes[0].axhline(lr / sigma, color="k", ls="-.", lw=1.0, label=r"$\eta/\sigma$ (RMSprop, predicted)")
    axes[0].set_title(f"stationary gradients N(0, {sigma:g}²)")
    axes[1].axvline(drop_at, color="k", lw=0.8, alpha=0.5)
    axes[1].axhline(lr / (sigma * drop), color="k", ls="-.", lw=1.0,
                    label=rf"$\eta/({drop:g}\sigma)$: the rate the new scale calls for")
    axes[1].set_title(f"the gradients shrink {1 / drop:g}x at step {drop_at}")
    for ax in axes:
        ax.set_xlabel("step t")
        ax.set_ylabel(r"effective learning rate: $\eta/(\sqrt{h_t}+\epsilon)$ or $\eta/(\sqrt{v_t}+\epsilon)$")
    return plots.finish(fig, f"AdaGrad's rate keeps falling like 1/√t; RMSprop's settles at η/RMS(g) "
                             f"and follows a change of scale (lr={lr:g})", legend_kw={"fontsize": 7})


def adagrad_vs_rmsprop_lr():
    """03_adagrad_vs_rmsprop_lr.png."""
    still = gradient_stream()
    shifted = gradient_stream(drop_at=EFF_DROP_AT)
    return draw_effective_lr({label: effective_lr(opt, hp, still) for label, opt, hp in EFF_RUNS},
                             {label: effective_lr(opt, hp, shifted) for label, opt, hp in EFF_RUNS})


# --- 03_ravine_axis_vs_rotated.png: per-coordinate scaling vs the orientation of the ravine ----------

#: Two ravines with the same curvatures (1/100 and 1), axis-aligned and rotated by 45 degrees; 300 steps.
RAVINE_CONDITION, RAVINE_ANGLES, RAVINE_STEPS = 100.0, (0.0, np.pi / 4), 300
#: The tuning protocol of :mod:`optimlab.tuning` (``tuning.Landscape`` with jitter 0.5): seed 0 starts at the
#: classic start, other seeds N(0, 0.5^2) away from it; rates scored on seeds 0-2, the best re-run on 100-104.
RAVINE_JITTER, RAVINE_TUNING_SEEDS, RAVINE_REPORT_SEEDS = 0.5, (0, 1, 2), tuple(range(100, 105))
#: The optimizers tuned (the notebook's table) and those drawn (each at its own tuned learning rate).
RAVINE_TUNED = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta")
RAVINE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop")
#: Also drawn on the axis-aligned ravine: AdaGrad at the largest rate of the grid, which solves it fastest.
RAVINE_EXTRA = ("adagrad", 10.0)


def ravine_gaps(optimizer, lr, angle, seeds, condition=RAVINE_CONDITION, steps=RAVINE_STEPS, jitter=RAVINE_JITTER):
    """``(len(seeds), steps + 1)`` gaps f(x_t) - f*, one row per start; inf from a divergence (|x| > 1e6) on.

    The starts run side by side as the rows of one array (every optimizer here acts elementwise, so the rows never
    interact); the same starts and scores as ``tuning.Landscape("ravine", ..., jitter=0.5)``.
    """
    f = landscapes.ravine(condition=condition, angle=angle)
    x = np.array([f.start + (jitter * np.random.default_rng(s).standard_normal(2) if s else 0.0) for s in seeds])
    module, state, alive, gaps = get(optimizer), None, np.ones(len(seeds), bool), [f.value(x)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, state = module.step(x, f.grad(x), state, {"lr": lr}, check_finite=False)
            alive &= np.all(np.isfinite(x), axis=1) & (np.abs(x).max(axis=1) <= 1e6)
            gaps.append(np.where(alive, f.value(x), np.inf))
    return np.array(gaps).T


def tune_ravine(optimizer, angle, grid=tuning.LR_GRID):
    """The protocol for one optimizer on one ravine: scores on the grid, the best rate (ties: the smaller), fresh runs."""
    scores = [float(np.median(np.maximum(ravine_gaps(optimizer, lr, angle, RAVINE_TUNING_SEEDS)[:, -1], tuning.SOLVED)))
              for lr in grid]
    best = grid[int(np.argmin(scores))]
    return {"grid": list(grid), "scores": scores, "best_lr": best,
            "gaps": ravine_gaps(optimizer, best, angle, RAVINE_REPORT_SEEDS)}


def tune_ravines(optimizers=RAVINE_TUNED, angles=RAVINE_ANGLES):
    """``{angle: {optimizer: tune_ravine result}}``."""
    return {angle: {opt: tune_ravine(opt, angle) for opt in optimizers} for angle in angles}


def ravine_path(optimizer, lr, angle, condition=RAVINE_CONDITION, steps=RAVINE_STEPS):
    """The iterates of *optimizer* at *lr* from the ravine's classic start (seed 0 of the benchmark)."""
    f = landscapes.ravine(condition=condition, angle=angle)
    module, x, state, path = get(optimizer), f.start.copy(), None, [f.start.copy()]
    for _ in range(steps):
        x, state = module.step(x, f.grad(x), state, {"lr": lr})
        path.append(x)
    return np.array(path)


#: Paths overlap along the valley floor: a line style and width each, so that none hides another.
PATH_STYLES = {"sgd": dict(lw=2.6), "momentum": dict(lw=1.1), "adagrad": dict(linestyle="--", lw=1.6),
               "rmsprop": dict(linestyle=":", lw=2.0)}


def draw_ravines(tuned, paths, extra=None, condition=RAVINE_CONDITION, floor=1e-16):
    """Paths (top row) and the gap to the minimum over 5 starts (bottom row) for each ravine.

    *extra* (optional) is ``(optimizer, lr, gaps)`` drawn dashed in the axis-aligned gap panel.
    """
    angles = list(tuned)
    fig, axes = plots.figure(len(angles), 2, size=(3.9, 3.0))
    for col, angle in enumerate(angles):
        f = landscapes.ravine(condition=condition, angle=angle)
        top, bottom = axes[col], axes[len(angles) + col]
        plots.contour(top, f, levels=8, num=120)  # few levels: a light PNG
        for opt in paths[angle]:
            lr = tuned[angle][opt]["best_lr"]
            plots.path(top, paths[angle][opt], opt, f"{opt} (lr={lr:.3g})", **PATH_STYLES.get(opt, {}))
            gaps = np.maximum(tuned[angle][opt]["gaps"], floor)
            plots.band(bottom, np.arange(gaps.shape[1]), gaps, opt, f"{opt} (lr={lr:.3g})", log=True)
        if extra is not None and angle == 0:
            opt, lr, gaps = extra
            plots.band(bottom, np.arange(gaps.shape[1]), np.maximum(gaps, floor), opt, f"{opt} (lr={lr:.3g}, also solves)",
                       log=True, linestyle="--")
        bottom.axhline(tuning.SOLVED, color="0.5", ls=":", lw=1.0, label=f"solved ({tuning.SOLVED:g})")
        plots.start(top, f.start)
        kind = "axis-aligned" if angle == 0 else f"rotated {np.degrees(angle):.0f}°"
        top.set_title(f"{kind} ravine, condition number {condition:g}")
        bottom.set_ylim(floor / 3, 10)
        bottom.set_xlabel("step")
        bottom.set_ylabel("f(x) − f*: median, range of 5 starts")
        bottom.set_title(f"{kind}: gap (floor {floor:g})")
    return plots.finish(fig, "Per-coordinate scaling solves the axis-aligned ravine, not the rotated one; momentum "
                             "solves both\n(each optimizer's lr tuned on the same grid, per ravine)",
                        legend_kw={"fontsize": 7})


def ravine_axis_vs_rotated():
    """03_ravine_axis_vs_rotated.png."""
    tuned = tune_ravines()
    paths = {a: {o: ravine_path(o, tuned[a][o]["best_lr"], a) for o in RAVINE_OPTIMIZERS} for a in RAVINE_ANGLES}
    opt, lr = RAVINE_EXTRA
    return draw_ravines(tuned, paths, extra=(opt, lr, ravine_gaps(opt, lr, 0.0, RAVINE_REPORT_SEEDS)))


# --- 03_adadelta_slow_start.png: the step of Adadelta under a constant gradient ----------------------

#: Adadelta with its defaults (rho 0.9, lr 1) under a constant gradient, for two epsilons and two gradient sizes.
ADADELTA_STEPS, ADADELTA_RHO = 1000, 0.9
ADADELTA_RUNS = ((1e-6, 1.0), (1e-6, 100.0), (1e-4, 1.0))  # (eps, gradient)


def adadelta_steps(eps, g, steps=ADADELTA_STEPS, rho=ADADELTA_RHO):
    """|theta_t - theta_{t-1}| of Adadelta (lr 1) for a constant gradient *g*."""
    module, x, state, out = get("adadelta"), np.zeros(1), None, []
    for _ in range(steps):
        new, state = module.step(x, np.array([g]), state, {"eps": eps, "rho": rho})
        out.append(abs(new[0] - x[0]))
        x = new
    return np.array(out)


def draw_adadelta(runs, rho=ADADELTA_RHO):
    """|step| per step for each ``(eps, g) -> array``, with the first step and the large-t law sqrt((1-rho) eps t)."""
    fig, (ax,) = plots.figure(size=(6.4, 4.2))
    for i, ((eps, g), steps) in enumerate(runs.items()):
        t = np.arange(1, len(steps) + 1)
        style = dict(ls="none", marker="o", ms=3, markevery=0.08, alpha=0.8) if g != 1.0 else dict(lw=1.8)
        if eps != 1e-6:
            style["ls"] = "--"
        ax.loglog(t, steps, color=plots.color("adadelta"), label=f"adadelta: eps={eps:g}, gradient {g:g}", **style)
    for eps in sorted({eps for eps, _ in runs}):
        ax.loglog(t, np.sqrt((1 - rho) * eps * t), "k:", lw=1.1)
        ax.plot(1, np.sqrt(eps / (1 - rho)), "k>", ms=7)
    ax.plot([], [], "k:", label=r"large-$t$ law $\sqrt{(1-\rho)\,\epsilon\, t}$")
    ax.plot([], [], "k>", ls="none", label=r"first step $\sqrt{\epsilon/(1-\rho)}$")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$|\Delta\theta_t|$ (lr = 1)")
    return plots.finish(fig, "Adadelta's first step is √(ε/(1−ρ)), then it grows like √((1−ρ)εt),\n"
                             "whatever the gradient's size (constant gradient, rho = 0.9)")


def adadelta_slow_start():
    """03_adadelta_slow_start.png."""
    return draw_adadelta({(eps, g): adadelta_steps(eps, g) for eps, g in ADADELTA_RUNS})


#: file name -> figure function
FIGURES = {
    "03_adagrad_vs_rmsprop_lr.png": adagrad_vs_rmsprop_lr,
    "03_ravine_axis_vs_rotated.png": ravine_axis_vs_rotated,
    "03_adadelta_slow_start.png": adadelta_slow_start,
}
