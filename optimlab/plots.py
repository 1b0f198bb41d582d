"""The figures of the lecture, as functions: each returns a matplotlib Figure (``optimlab tour`` saves them).

Every figure has a title, axis labels and a legend naming optimizer and key
hparams; the numbers come from :mod:`optimlab.experiments`, i.e. from the
library's own optimizers.  Notebooks call the same functions.
"""

from __future__ import annotations

import numpy as np

from . import experiments as E
from . import landscapes, schedules
from .optimizers import REGISTRY, get
from .optimizers import muon as muon_module
from .optimizers import radam as radam_module

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
          "#bcbd22", "#393b79", "#637939"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _figure(ncols=1, nrows=1, size=(7.0, 5.0)):
    plt = _plt()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False)
    return fig, axes.ravel()


def contour(ax, f, levels=30, num=300):
    """Log-spaced filled contours of a 2-D landscape on *ax*, with its minima (stars) and saddles (x)."""
    X, Y, Z = f.grid(num)
    shifted = Z - (f.fmin if np.isfinite(f.fmin) else Z.min()) + 1e-3
    if np.all(shifted > 0) and shifted.max() / shifted.min() > 100:
        lv = np.geomspace(shifted.min(), shifted.max(), levels)
        ax.contour(X, Y, shifted, levels=lv, cmap="viridis", linewidths=0.7, alpha=0.55)
    else:
        ax.contour(X, Y, Z, levels=levels, cmap="viridis", linewidths=0.7, alpha=0.55)
    for m in f.minima:
        ax.plot(*m, marker="*", color="gold", markersize=15, markeredgecolor="k", zorder=5)
    for s in f.saddles:
        ax.plot(*s, marker="X", color="k", markersize=9, zorder=5)
    (x0, x1), (y0, y1) = f.window
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def race(landscape="rosenbrock", optimizers=("sgd", "momentum", "adam"), steps=300, hparams=None, noise=0.0,
         ax=None):
    """Trajectories of several optimizers on one contour plot; returns ``(figure, {label: path})``."""
    f = landscapes.get(landscape) if isinstance(landscape, str) else landscape
    fig = None
    if ax is None:
        fig, (ax,) = _figure(size=(7.5, 6.0))
    contour(ax, f)
    paths = {}
    for i, opt in enumerate(optimizers):
        hp = (hparams or {}).get(opt, E.suggested(opt, f.name))
        path = E.trajectory(opt, f, hp, steps, noise=noise)
        lab = E.label(opt, hp)
        paths[lab] = path
        ax.plot(path[:, 0], path[:, 1], "-", color=COLORS[i % len(COLORS)], lw=1.6, label=lab, alpha=0.9)
        ax.plot(*path[-1], "o", color=COLORS[i % len(COLORS)], ms=5)
    ax.plot(*f.start, "ks", ms=6, label="start")
    ax.set_title(f"{f.name}: {steps} steps" + (f", gradient noise {noise:g}" if noise else ""))
    ax.legend(loc="best", fontsize=8)
    return fig, paths


def race_animation(path, landscape="rosenbrock", optimizers=("sgd", "momentum", "adam"), steps=300, frames=60,
                   fps=15):
    """Save an animated GIF of the race to *path* (matplotlib's Pillow writer)."""
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, paths = race(landscape, optimizers, steps)
    ax = fig.axes[0]
    for line in list(ax.lines):
        if line.get_label() not in ("start",) and line.get_marker() in ("None", "o", ""):
            line.remove()
    lines = [ax.plot([], [], "-", color=COLORS[i % len(COLORS)], lw=1.8, label=lab)[0]
             for i, lab in enumerate(paths)]
    heads = [ax.plot([], [], "o", color=COLORS[i % len(COLORS)], ms=6)[0] for i in range(len(paths))]
    ax.legend(loc="best", fontsize=8)
    ticks = np.unique(np.linspace(1, steps + 1, frames).astype(int))

    def draw(k):
        for line, head, p in zip(lines, heads, paths.values()):
            q = p[: min(k, len(p))]
            line.set_data(q[:, 0], q[:, 1])
            head.set_data([q[-1, 0]], [q[-1, 1]])
        ax.set_title(f"{ax.get_title().split(':')[0]}: step {min(k, steps)}")
        return lines + heads

    FuncAnimation(fig, draw, frames=ticks, blit=False).save(path, writer=PillowWriter(fps=fps))
    _plt().close(fig)
    return path


# --- one function per figure ---------------------------------------------------------------------


def four_optimizers():
    """The lecture's comparison of SGD, Momentum, RMSprop and Adam (CS231n's picture), on two landscapes."""
    fig, axes = _figure(2, size=(7.0, 5.8))
    for ax, name, steps in zip(axes, ("rosenbrock", "beale"), (1500, 1500)):
        race(name, ("sgd", "momentum", "rmsprop", "adam"), steps, ax=ax)
    fig.suptitle("SGD, Momentum, RMSprop and Adam (lecture chapter 000)")
    fig.tight_layout()
    return fig


def saddle():
    """Who escapes the saddle x^2 - y^2 started (almost) on its stable axis, without and with gradient noise."""
    fig, axes = _figure(2, size=(6.5, 5.5))
    opts = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    for ax, noise in zip(axes, (0.0, 0.05)):
        race("saddle", opts, 120, noise=noise, ax=ax)
    fig.suptitle("Saddle point: adaptive methods rescale the tiny y-gradient and escape first")
    fig.tight_layout()
    return fig


def ravine():
    """SGD's zig-zag in an ill-conditioned ravine vs momentum vs AdaGrad/RMSprop."""
    f = landscapes.ravine(condition=50.0, angle=0.4)
    fig, axes = _figure(2, size=(6.5, 5.5))
    hp = {"sgd": {"lr": 1.9}, "momentum": {"lr": 0.5, "momentum": 0.7}, "adagrad": {"lr": 2.0},
          "rmsprop": {"lr": 0.1}}
    _, paths = race(f, tuple(hp), 80, hparams=hp, ax=axes[0])
    axes[0].set_title("ravine, condition number 50, rotated: 80 steps")
    for i, (lab, path) in enumerate(paths.items()):
        axes[1].semilogy(np.maximum(f.value(path), 1e-16), color=COLORS[i], label=lab)
    axes[1].set_xlabel("step")
    axes[1].set_ylabel("loss")
    axes[1].set_title("loss per step")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def effective_lr():
    """AdaGrad's effective learning rate decays like 1/sqrt(t); RMSprop's settles."""
    fig, (ax,) = _figure()
    for i, (opt, hp) in enumerate((("adagrad", {"lr": 0.01}), ("rmsprop", {"lr": 0.01, "rho": 0.9}),
                                   ("rmsprop", {"lr": 0.01, "rho": 0.99}))):
        ax.loglog(np.arange(1, 1001), E.effective_lr(opt, 1000, hparams=hp), color=COLORS[i], label=E.label(opt, hp))
    t = np.arange(1, 1001)
    ax.loglog(t, 0.01 / np.sqrt(t), "k:", label=r"$\eta/\sqrt{t}$")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"effective learning rate $\eta/(\sqrt{h_t}+\epsilon)$")
    ax.set_title("AdaGrad vs RMSprop on N(0,1) gradients")
    ax.legend()
    return fig


def adam_bias_correction():
    """Adam's step size with and without bias correction (constant gradient): the uncorrected first steps are larger."""
    fig, (ax,) = _figure()
    for i, (b1, b2) in enumerate(((0.9, 0.999), (0.9, 0.99))):
        corrected, uncorrected = E.adam_first_steps(b1, b2, 100)
        ax.plot(np.arange(1, 101), corrected, color=COLORS[i], label=f"with bias correction (beta2={b2})")
        ax.plot(np.arange(1, 101), uncorrected, "--", color=COLORS[i], label=f"without (beta2={b2})")
    ax.set_xlabel("step t")
    ax.set_ylabel("|step| / lr")
    ax.set_title("Adam's bias correction: constant gradient g = 1")
    ax.legend()
    return fig


def adamw_vs_l2():
    """Adam + L2 barely decays a weight with noisy gradients; AdamW decays every weight alike."""
    fig, (ax,) = _figure()
    paths = E.decay_experiment()
    for i, (name, lab) in enumerate((("adam", "Adam + L2 (weight_decay=0.1)"), ("adamw", "AdamW (weight_decay=0.1)"))):
        ax.plot(paths[name][:, 0], color=COLORS[i], label=f"{lab}: noisy weight (grad std 10)")
        ax.plot(paths[name][:, 1], "--", color=COLORS[i], label=f"{lab}: quiet weight (grad std 0.01)")
    ax.set_xlabel("step")
    ax.set_ylabel("weight (starts at 1, gradients have mean 0)")
    ax.set_title("Decoupled weight decay (AdamW) vs L2 inside Adam, lr=0.01")
    ax.legend(fontsize=8)
    return fig


def radam_rectification():
    """RAdam's rho_t and its rectification term r_t against the step, with the thresholds 4 and 5."""
    fig, axes = _figure(2, size=(6.0, 4.8))
    t = np.arange(1, 401)
    for i, b2 in enumerate((0.999, 0.99)):
        axes[0].plot(t, radam_module.rho(t, b2), color=COLORS[i], label=f"rho_t, beta2={b2}")
        axes[1].plot(t, radam_module.rectification(t, b2), color=COLORS[i], label=f"r_t, beta2={b2}")
    for thr, style in ((4, ":"), (5, "--")):
        axes[0].axhline(thr, color="k", ls=style, lw=1, label=f"threshold {thr}" + (" (paper)" if thr == 4 else " (PyTorch)"))
    axes[0].set_ylim(0, 60)
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel(r"$\rho_t$")
    axes[0].set_title(r"$\rho_t$: length of the SMA that $\hat v_t$ approximates")
    axes[1].set_xlabel("step t")
    axes[1].set_ylabel(r"$r_t$")
    axes[1].set_title("rectification term (undefined while rho_t <= 4)")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def lookahead_fast_slow():
    """Lookahead's fast weights (every step) and slow weights (every k=5 steps) on the ravine."""
    fast, slow, f = E.lookahead_paths()
    fig, (ax,) = _figure(size=(7.5, 6.0))
    contour(ax, f)
    ax.plot(fast[:, 0], fast[:, 1], ".-", color=COLORS[0], lw=1, ms=3, label="fast weights (momentum, lr=1.8)")
    ax.plot(slow[:, 0], slow[:, 1], "o-", color=COLORS[1], lw=2, ms=6, label="slow weights (k=5, alpha=0.5)")
    ax.set_title("Lookahead: k steps forward, 1 step back")
    ax.legend()
    return fig


def ranger_mlp():
    """Ranger vs RAdam vs Lookahead(Adam) loss curves on the digits MLP."""
    runs = E.mlp_runs([("ranger (lr=3e-3)", "ranger", {"lr": 3e-3}), ("radam (lr=3e-3)", "radam", {"lr": 3e-3}),
                       ("lookahead(adam, lr=3e-3)", "lookahead", {"inner": "adam", "inner_hparams": {"lr": 3e-3}}),
                       ("adam (lr=3e-3)", "adam", {"lr": 3e-3})], epochs=8)
    return _loss_curves(runs, "Ranger = Lookahead over RAdam, digits MLP 64-64-10")


def _loss_curves(runs, title):
    fig, axes = _figure(2, size=(6.5, 4.8))
    for i, (lab, r) in enumerate(runs.items()):
        loss = np.array(r.history.step["loss"])
        smooth = np.convolve(loss, np.ones(10) / 10, mode="valid")
        axes[0].semilogy(smooth, color=COLORS[i % len(COLORS)], label=lab)
        axes[1].plot(np.arange(1, len(r.history.epoch["val_acc"]) + 1), r.history.epoch["val_acc"], "o-",
                     color=COLORS[i % len(COLORS)], label=lab)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("training loss (10-step mean)")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("test accuracy")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def trust_ratios():
    """LARS and LAMB trust ratios per layer while training the digits MLP 64-64-32-10."""
    fig, axes = _figure(2, size=(6.5, 4.8))
    for ax, (opt, hp) in zip(axes, (("lars", {"lr": 1.0, "trust_coefficient": 0.02}), ("lamb", {"lr": 0.01}))):
        for i, (layer, r) in enumerate(E.trust_ratio_history(opt, hp).items()):
            ax.semilogy(r, color=COLORS[i], label=layer)
        ax.set_xlabel("step")
        ax.set_ylabel("trust ratio")
        ax.set_title(E.label(opt, hp))
        ax.legend()
    fig.suptitle("Layer-wise trust ratios during training")
    fig.tight_layout()
    return fig


def stable_adamw_spike():
    """StableAdamW clips the step when a gradient spikes after quiet steps; AdamW does not."""
    sizes = E.spike_experiment()
    fig, (ax,) = _figure()
    for i, name in enumerate(sizes):
        ax.semilogy(sizes[name], color=COLORS[i], label=E.label(name, {"lr": 1e-2, "beta2": 0.99}))
    ax.axvline(60, color="k", ls=":", lw=1, label="gradient spike (x1000)")
    ax.set_xlabel("step")
    ax.set_ylabel("RMS of the parameter update")
    ax.set_title("StableAdamW's update clipping (lr_t = lr / max(1, RMS))")
    ax.legend()
    return fig


def lion_sign_and_memory():
    """Lion moves every coordinate by exactly lr; its state is half of AdamW's."""
    fig, axes = _figure(2, size=(6.0, 4.8))
    rng = np.random.default_rng(0)
    scales = np.geomspace(1e-3, 1e1, 2000)
    grads = [scales * (0.3 + rng.standard_normal(2000)) for _ in range(20)]  # 20 noisy steps, a small drift
    out = {}
    for name in ("lion", "adamw"):
        x, state = rng.standard_normal(2000), None
        for g in grads:
            new, state = get(name).step(x, g, state, {"lr": 1e-3, "weight_decay": 0.0})
            out[name], x = np.abs(new - x), new
    bins = np.geomspace(1e-7, 1e-2, 60)
    for i, name in enumerate(out):
        axes[0].hist(np.maximum(out[name], 1e-7), bins=bins, color=COLORS[i], alpha=0.6, label=f"{name} (lr=1e-3)")
    axes[0].set_xscale("log")
    axes[0].set_xlabel("|update| per coordinate at step 20 (noisy gradients)")
    axes[0].set_ylabel("count")
    axes[0].set_title("sign update: every |step| = lr")
    axes[0].legend()
    names = ("sgd", "momentum", "lion", "adamw", "adafactor")
    kb = [E.state_bytes(n) / 1024 for n in names]
    axes[1].bar(names, kb, color=[COLORS[i] for i in range(len(names))])
    axes[1].set_ylabel("optimizer state, KiB (float32)")
    axes[1].set_xlabel("optimizer")
    axes[1].set_title("state for the lecture's 784-128-10 MLP")
    fig.tight_layout()
    return fig


def muon_newton_schulz():
    """Singular values before/after Newton-Schulz, and the quintic NS polynomial iterated."""
    fig, axes = _figure(2, size=(6.0, 4.8))
    rng = np.random.default_rng(0)
    G = rng.standard_normal((64, 32)) @ np.diag(np.geomspace(1, 100, 32)) @ rng.standard_normal((32, 32)) / 10
    s_before = np.linalg.svd(G, compute_uv=False)
    axes[0].semilogy(s_before / np.linalg.norm(G), "o-", ms=3, color=COLORS[0], label="G / ||G||_F")
    for k, c in ((1, 1), (3, 2), (5, 3)):
        axes[0].semilogy(np.linalg.svd(muon_module.orthogonalize(G, k), compute_uv=False), "o-", ms=3, color=COLORS[c],
                         label=f"after {k} NS steps")
    axes[0].axhline(1, color="k", ls=":", lw=1, label="exact polar factor (SVD)")
    axes[0].set_xlabel("index")
    axes[0].set_ylabel("singular value")
    axes[0].set_title("Muon's orthogonalize: singular values")
    axes[0].legend(fontsize=8)
    s = np.linspace(0, 1.2, 400)
    for k, c in ((1, 1), (2, 4), (5, 3)):
        axes[1].plot(s, muon_module.ns_polynomial(s, k), color=COLORS[c], label=f"p applied {k}x")
    axes[1].axhspan(0.68, 1.13, color="gold", alpha=0.2, label="band after 5 steps")
    axes[1].plot(s, s, "k:", lw=1)
    axes[1].set_xlabel("sigma (after normalisation)")
    axes[1].set_ylabel("p(sigma)")
    axes[1].set_title("p(s) = 3.4445 s - 4.7750 s^3 + 2.0315 s^5")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig


def second_order():
    """Newton, BFGS and L-BFGS (with line search) vs Adam on Rosenbrock: paths and loss per iteration."""
    from ._minimize import minimize

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
    from .training import lr_range_test

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


def mlp_shootout(epochs=10):
    """The MLP shoot-out on the real digits: every family's representative, same model and seed."""
    runs = E.mlp_runs(E.SHOOTOUT, epochs=epochs)
    return _loss_curves(runs, "Digits MLP 64-64-10, batch 32, seed 0"), runs


def momentum_speedup():
    """Steps to converge on a quadratic vs its condition number: GD ~ kappa, heavy ball ~ sqrt(kappa)."""
    rows = E.momentum_speedup()
    kappa = np.array([r[0] for r in rows], float)
    fig, (ax,) = _figure()
    ax.loglog(kappa, [r[1] for r in rows], "o-", color=COLORS[0], label="gradient descent, lr = 2/(mu+L)")
    ax.loglog(kappa, [r[2] for r in rows], "o-", color=COLORS[1], label="heavy-ball momentum, optimal lr and momentum")
    ax.set_xlabel("condition number kappa")
    ax.set_ylabel("steps to reduce the error 1e6-fold")
    ax.set_title("Momentum's speed-up is ~sqrt(kappa), not a fixed 2-3x (errata)")
    ax.legend()
    return fig


#: file name -> figure function, in the lecture's order (what ``optimlab tour`` writes).
FIGURES = {
    "01_four_optimizers.png": four_optimizers,
    "02_saddle.png": saddle,
    "02_ravine.png": ravine,
    "02_momentum_speedup.png": momentum_speedup,
    "03_adagrad_vs_rmsprop_lr.png": effective_lr,
    "04_adam_bias_correction.png": adam_bias_correction,
    "04_adamw_vs_l2.png": adamw_vs_l2,
    "05_radam_rectification.png": radam_rectification,
    "05_lookahead_fast_slow.png": lookahead_fast_slow,
    "05_ranger_mlp.png": ranger_mlp,
    "06_lars_lamb_trust_ratios.png": trust_ratios,
    "06_stable_adamw_spike.png": stable_adamw_spike,
    "07_lion_sign_and_memory.png": lion_sign_and_memory,
    "07_muon_newton_schulz.png": muon_newton_schulz,
    "08_second_order_rosenbrock.png": second_order,
    "09_schedules.png": all_schedules,
    "09_lr_finder.png": lr_finder,
    "10_mlp_shootout.png": lambda: mlp_shootout()[0],
    "11_timeline.png": timeline,
}
