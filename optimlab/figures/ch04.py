"""Figures of notebook 04, Adam and its variants (``optimlab tour`` writes them; the notebook shows each once).

Every setting is a module constant with the value the notebook spells out in its cells, so the PNG in
figures/ and the notebook's picture are the same experiment.  The experiments only call the registered
optimizers' ``step``; the uncorrected Adam step is computed from the raw moments m_t, v_t that
``optimlab.optimizers.adam`` keeps in its state.
"""

from __future__ import annotations

import numpy as np

from .. import plots, tuning
from ..optimizers import get

# --- 04_adam_bias_correction.png ---------------------------------------------------------------------

#: A constant gradient g = 1 for BC_STEPS steps, lr 1 (so |step| / lr is the step), beta1 0.9, two beta2.
BC_STEPS, BC_BETA1, BC_BETA2S, BC_EPS = 5000, 0.9, (0.999, 0.99), 1e-8


def adam_moments(beta2, beta1=BC_BETA1, steps=BC_STEPS, g=1.0, eps=BC_EPS):
    """Raw moments m_t, v_t and the corrected step |theta_t - theta_{t-1}| / lr of Adam under a constant gradient."""
    adam = get("adam")
    hp = {"lr": 1.0, "beta1": beta1, "beta2": beta2, "eps": eps}
    x, state, m, v, step = np.zeros(1), None, [], [], []
    for _ in range(steps):
        new, state = adam.step(x, np.array([g]), state, hp)
        m.append(state["slots"]["param"]["m"][0])
        v.append(state["slots"]["param"]["v"][0])
        step.append(abs(new[0] - x[0]))
        x = new
    return np.array(m), np.array(v), np.array(step)


def draw_bias_correction(runs, beta1=BC_BETA1, eps=BC_EPS, g=1.0):
    """Two panels from ``{beta2: (m, v, corrected step)}``: the raw moments, and the step with and without correction."""
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    ax = axes[0]
    any_m = next(iter(runs.values()))[0]
    t = np.arange(1, len(any_m) + 1)
    ax.semilogx(t, np.ones_like(t, dtype=float), color="k", lw=1.0, label=r"corrected $\hat m_t$ and $\sqrt{\hat v_t}$: exactly g")
    ax.semilogx(t, any_m / g, ":", color=plots.color("adam"), lw=2.0, label=rf"raw $m_t$ ($\beta_1$={beta1:g}) = $1-\beta_1^t$")
    styles = ("-", "--")
    for (beta2, (m, v, _)), ls in zip(runs.items(), styles):
        ax.semilogx(t, np.sqrt(v) / abs(g), ls, color=plots.color("adam"), lw=1.8,
                    label=rf"raw $\sqrt{{v_t}}$ ($\beta_2$={beta2:g}) = $\sqrt{{1-\beta_2^t}}$")
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("step t")
    ax.set_ylabel("moment / its true value (constant gradient g = 1)")
    ax.set_title("both raw moments start too small; √v much more so")
    ax = axes[1]
    first = None
    for (beta2, (m, v, step)), ls in zip(runs.items(), styles):
        unc = np.abs(m) / (np.sqrt(v) + eps)
        ax.semilogx(t, unc, ls, color=plots.color("adam"), lw=1.8, label=rf"without correction, $\beta_2$={beta2:g}: $m_t/\sqrt{{v_t}}$")
        k = int(np.argmax(unc))
        ax.annotate(f"{unc[k]:.2f} at t={k + 1}", (k + 1, unc[k]), xytext=(6, 4), textcoords="offset points", fontsize=8)
        first = step if first is None else first
    ax.semilogx(t, first, color="k", lw=1.0, label=r"with correction (either $\beta_2$): $\hat m_t/\sqrt{\hat v_t}$ = 1")
    unc0 = next(iter(runs.values()))
    ax.plot(1, np.abs(unc0[0][0]) / np.sqrt(unc0[1][0]), "o", color=plots.color("adam"), ms=6)
    first_step = np.abs(unc0[0][0]) / np.sqrt(unc0[1][0])
    ax.annotate(rf"t=1: $(1-\beta_1)/\sqrt{{1-\beta_2}}$ = {first_step:.2f}", (1, first_step), xytext=(1.15, 0.35),
                fontsize=8, arrowprops=dict(arrowstyle="->", lw=0.8))
    ax.set_ylim(0, 7.5)
    ax.set_xlabel("step t")
    ax.set_ylabel("|step| / lr")
    ax.set_title("so the uncorrected steps are larger, not smaller")
    axes[0].legend(fontsize=7, loc="lower right")
    axes[1].legend(fontsize=7, loc="upper right")
    return plots.finish(fig, "Adam's bias correction: without it the first steps are up to 6.6x too LARGE "
                             "(constant gradient, β1 = 0.9)", legend=False)


def adam_bias_correction():
    """04_adam_bias_correction.png."""
    return draw_bias_correction({beta2: adam_moments(beta2) for beta2 in BC_BETA2S})


# --- 04_adamw_vs_l2.png ------------------------------------------------------------------------------

#: Weights that all start at 1: a "noisy" one whose loss gradient is N(0, NOISY_STD^2) noise (no pull
#: anywhere), a "quiet" one with no loss gradient at all.  DECAY_COPIES independent copies of each.
DECAY_LR, DECAY_WD, DECAY_STEPS, DECAY_COPIES, NOISY_STD, DECAY_SEED = 0.01, 0.1, 1000, 200, 10.0, 0
#: The quiet weight under Adam + L2 again, with a 100x smaller weight decay (its curve is the same).
SMALL_WD = 0.001


def decay_runs(optimizer, weight_decay=DECAY_WD, lr=DECAY_LR, steps=DECAY_STEPS, copies=DECAY_COPIES,
               noisy_std=NOISY_STD, seed=DECAY_SEED):
    """``(steps+1, copies, 2)`` weights: column 0 the noisy weights, column 1 the quiet ones."""
    noise = noisy_std * np.random.default_rng(seed).standard_normal((steps, copies))
    module, w, state = get(optimizer), np.ones((copies, 2)), None
    out = [w]
    for t in range(steps):
        grads = np.stack([noise[t], np.zeros(copies)], axis=1)
        w, state = module.step(w, grads, state, {"lr": lr, "weight_decay": weight_decay})
        out.append(w)
    return np.array(out)


def draw_decay(adam_l2, adamw, adam_small, lr=DECAY_LR, wd=DECAY_WD, small=SMALL_WD):
    """The noisy weights (left) and the quiet ones (right) under Adam + L2 and AdamW, with the decay asked for."""
    fig, axes = plots.figure(2, size=(5.0, 4.0))
    steps = np.arange(adam_l2.shape[0])
    target = (1 - lr * wd) ** steps
    ax = axes[0]
    for name, runs, label in (("adam", adam_l2, f"Adam + L2 (weight_decay={wd:g} added to the gradient)"),
                              ("adamw", adamw, f"AdamW (decoupled, weight_decay={wd:g})")):
        plots.band(ax, steps, np.percentile(runs[:, :, 0], [10, 50, 90], axis=1), name, label=f"{label}: median, 10-90 %")
    ax.lines[-1].set_linewidth(3.0)  # AdamW's median lies on the target curve: wide underneath, the target thin on top
    ax.plot(steps, target, "k:", lw=1.3, zorder=6, label=r"$(1-\eta\lambda)^t$, the decay asked for")
    ax.set_title(f"noisy weights: loss gradient N(0, {NOISY_STD:g}²), no pull anywhere", fontsize=9)
    ax = axes[1]
    ax.plot(steps, np.median(adam_l2[:, :, 1], axis=1), "-", color=plots.color("adam"), lw=1.8,
            label=f"Adam + L2, weight_decay={wd:g}")
    ax.plot(steps, np.median(adam_small[:, :, 1], axis=1), "o", color=plots.color("adam"), ms=3.5, markevery=(20, 40),
            label=f"Adam + L2, weight_decay={small:g}: the same curve")
    ax.plot(steps, np.median(adamw[:, :, 1], axis=1), "s", color=plots.color("adamw"), ms=4.5, mfc="white", markevery=50,
            label=f"AdamW, weight_decay={wd:g}: on the dotted curve")
    ax.plot(steps, target, "k:", lw=1.3, zorder=2, label=r"$(1-\eta\lambda)^t$, the decay asked for")
    ax.set_title("quiet weights: no loss gradient at all", fontsize=9)
    top = 0.45 + float(np.percentile(adam_l2[:, :, 0], 90, axis=1).max())  # room for the legends above the bands
    for ax in axes:
        ax.set_xlabel("step")
        ax.set_ylim(-0.05, top)
        ax.set_ylabel(f"weight (starts at 1; lr = {lr:g}; {adam_l2.shape[1]} copies)")
    return plots.finish(fig, "L2 inside Adam is divided by √v̂: noisy weights hardly decay, quiet ones collapse whatever "
                             "λ is;\nAdamW shrinks every weight by (1 − ηλ) per step",
                        legend_kw={"fontsize": 7, "loc": "upper right"})


def adamw_vs_l2():
    """04_adamw_vs_l2.png."""
    return draw_decay(decay_runs("adam"), decay_runs("adamw"), decay_runs("adam", weight_decay=SMALL_WD))


# --- 04_amsgrad_reddi.png ----------------------------------------------------------------------------

#: Reddi et al.'s online problem: f_t(x) = C x when t mod 3 = 1, else -x, x in [-1, 1]; lr_t = alpha/sqrt(t),
#: beta1 = 0, beta2 = 1/(1 + C^2) (their Theorem 1).
REDDI_C, REDDI_STEPS, REDDI_ALPHA = 3.0, 3000, 0.5
REDDI_HPARAMS = {"beta1": 0.0, "beta2": 1.0 / (1.0 + REDDI_C**2)}


def reddi_gradient(t, C=REDDI_C):
    """The gradient of f_t at step t = 1, 2, ...: C once every three steps, -1 otherwise."""
    return C if t % 3 == 1 else -1.0


def reddi_run(optimizer, hparams=None, C=REDDI_C, steps=REDDI_STEPS, alpha=REDDI_ALPHA):
    """``(x_t before each step, loss f_t(x_t))`` for the projected online run (clip to [-1, 1])."""
    module, x, state = get(optimizer), np.zeros(1), None
    hp = {"beta1": 0.0, "beta2": 1.0 / (1.0 + C * C), **(hparams or {})}
    xs, losses = [], []
    for t in range(1, steps + 1):
        g = reddi_gradient(t, C)
        xs.append(x[0])
        losses.append(g * x[0])
        x, state = module.step(x, np.array([g]), state, {**hp, "lr": alpha / np.sqrt(t)})
        x = np.clip(x, -1.0, 1.0)
    return np.array(xs), np.array(losses)


def average_regret(losses, C=REDDI_C):
    """R_T / T against the best fixed point x = -1 (whose loss over 3 steps is 2 - C)."""
    t = np.arange(1, len(losses) + 1)
    best = np.cumsum([-reddi_gradient(k, C) for k in t])  # f_k(-1) = -g_k
    return (np.cumsum(losses) - best) / t


def draw_reddi(runs, C=REDDI_C):
    """x_t (left) and the average regret R_T/T (right) for ``{label: (xs, losses)}``."""
    fig, axes = plots.figure(2, size=(5.0, 3.9))
    for label, (xs, losses) in runs.items():
        t = np.arange(1, len(xs) + 1)
        axes[0].semilogx(t, xs, color=plots.color(label), lw=1.6, label=label)
        axes[1].loglog(t, average_regret(losses, C), color=plots.color(label), lw=1.6, label=label)
    axes[0].axhline(-1, color="k", ls=":", lw=1.0, label="the best point, x = −1")
    axes[0].set_xlabel("step t")
    axes[0].set_ylabel("x_t")
    axes[0].set_title("where the iterate goes")
    axes[1].set_xlabel("T")
    axes[1].set_ylabel(r"average regret $R_T/T$")
    axes[1].set_title("Adam's average regret stays near 0.67; AMSGrad's → 0")
    hp = REDDI_HPARAMS
    return plots.finish(fig, f"Reddi et al.'s counterexample (C = {C:g}, β1 = {hp['beta1']:g}, "
                             f"β2 = 1/(1+C²) = {hp['beta2']:.2f}, lr = {REDDI_ALPHA:g}/√t): Adam goes to the wrong end",
                        legend_kw={"fontsize": 8})


def amsgrad_reddi():
    """04_amsgrad_reddi.png."""
    return draw_reddi({"adam": reddi_run("adam"), "amsgrad": reddi_run("amsgrad")})


# --- 04_adam_family_lr.png: the variants, each tuned (read from the shipped tuning results) -------------

#: The benchmark (784-128-10 MLP on the 5,000-image MNIST subset, batch 32, 8 epochs) and the optimizers shown.
FAMILY_BENCHMARK = "mnist_b32"
FAMILY = ("sgd", "adam", "adamw", "amsgrad", "adamax", "nadam")
#: The variants whose lr curves coincide with Adam's at small rates: drawn as their ratio to Adam's score instead.
TWINS = ("adamw", "amsgrad", "nadam")
#: A marker and a line style each.
FAMILY_STYLES = {"sgd": ("o", "-"), "adam": ("o", "-"), "adamw": ("s", "--"), "amsgrad": ("^", ":"),
                 "adamax": ("D", "-"), "nadam": ("v", "-.")}


def draw_family(results, benchmark=FAMILY_BENCHMARK, names=FAMILY, twins=TWINS):
    """Three panels from the tuning results: validation loss against lr (SGD, Adam and the variants that differ),
    the near-twins' scores relative to Adam's at each lr, and every optimizer's test accuracy at its tuned lr."""
    entry = results["benchmarks"][benchmark]["optimizers"]
    fig, axes = plots.figure(3, size=(4.1, 4.0))
    base = np.array([np.nan if s is None else s for s in entry["adam"]["scores"]], dtype=float)
    for i, name in enumerate(names):
        r = entry[name]
        marker, ls = FAMILY_STYLES.get(name, ("o", "-"))
        scores = np.array([np.nan if s is None else s for s in r["scores"]], dtype=float)
        label = f"{name} (best lr {r['best_lr']:.3g})"
        if name in twins:
            axes[1].semilogx(r["grid"], scores / base, ls, marker=marker, color=plots.color(name), ms=5, mfc="none", lw=1.3,
                             label=label)
        else:
            axes[0].semilogx(r["grid"], scores, ls, marker=marker, color=plots.color(name), ms=4, mfc="none", lw=1.3,
                             label=label)
        acc = np.array([run["test_acc"][-1] for run in r["runs"]], dtype=float)
        med = np.median(acc)
        axes[2].errorbar(i, med, yerr=[[med - acc.min()], [acc.max() - med]], fmt=marker, color=plots.color(name),
                         capsize=4, ms=6)
    axes[0].set_ylim(0.2, 3.5)
    axes[0].set_xlabel("learning rate (the same grid for every optimizer)")
    axes[0].set_ylabel("final validation loss (tuning seed)")
    axes[0].set_title("learning-rate sensitivity")
    axes[1].axhline(1.0, color="0.4", lw=1.0, ls="-", label="adam (best lr 0.001): ratio 1")
    axes[1].set_xlabel("learning rate")
    axes[1].set_ylabel("final validation loss / Adam's at the same lr")
    axes[1].set_title("the near-twins differ from Adam only at large lr")
    axes[2].set_xticks(range(len(names)))
    axes[2].set_xticklabels(names)
    axes[2].set_xlabel("optimizer (each at its tuned learning rate)")
    axes[2].set_ylabel("test accuracy (median, range of 5 seeds)")
    axes[2].set_title("tuned: medians within about one point")
    spec = results["benchmarks"][benchmark]["spec"]
    return plots.finish(fig, f"Tuned on the same grid, SGD and Adam's variants end within about the seed spread of each "
                             f"other\n(MNIST 784-128-10 MLP, batch {spec['batch_size']}, {spec['epochs']} epochs, "
                             f"5 fresh seeds at each tuned lr)",
                        legend_kw={"fontsize": 7})


def adam_family_lr():
    """04_adam_family_lr.png (from the shipped ``optimlab tune`` results)."""
    return draw_family(tuning.load())


#: file name -> figure function
FIGURES = {
    "04_adam_bias_correction.png": adam_bias_correction,
    "04_adamw_vs_l2.png": adamw_vs_l2,
    "04_amsgrad_reddi.png": amsgrad_reddi,
    "04_adam_family_lr.png": adam_family_lr,
}
