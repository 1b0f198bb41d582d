"""Figures of notebook 06, large batches, StableAdamW and fused optimizers (``optimlab tour`` writes them).

Every setting is a module constant with the value the notebook spells out in its cells, so the PNG in
figures/ and the notebook's picture are the same experiment.  Each ``draw_*`` function takes the data the
notebook computed in its own cells; the figure functions of :data:`FIGURES` recompute the same data from
the constants.  The experiments only call registered optimizers' ``step``; the measured timings drawn in
06_fused_adamw.png are quoted (README's CPU table, and a one-off H100 measurement made for the project).
"""

from __future__ import annotations

import numpy as np

from .. import datasets, plots
from ..mlp import MLP
from ..optimizers import adamw, get, lamb, lars, stable_adamw

# --- 06_lars_lamb_trust_ratios.png: per-layer updates and trust ratios on a deep MLP ----------------------

#: A deeper MLP on the MNIST subset, initialised naively with N(0, 0.1^2) weights (biases 0), so that its
#: layers differ; batch 256 (the `mnist_b256` benchmark's), 3 epochs (48 steps), seed 0.
TR_SIZES, TR_INIT_STD, TR_BATCH, TR_EPOCHS, TR_SEED = (784, 256, 128, 64, 10), 0.1, 256, 3, 0
#: momentum SGD at lr 0.1 (at 0.316, its tuned rate for the 784-128-10 He-initialised net, it does not train
#: this one); LARS and LAMB at their rates tuned on `mnist_b256` (LARS with the benchmark's trust coefficient).
TR_RUNS = {"momentum": {"lr": 0.1, "momentum": 0.9},
           "lars": {"lr": 0.316, "trust_coefficient": 0.02},
           "lamb": {"lr": 0.01}}


def trust_ratio_runs(runs=TR_RUNS, sizes=TR_SIZES, std=TR_INIT_STD, batch=TR_BATCH, epochs=TR_EPOCHS, seed=TR_SEED):
    """Per weight matrix and step: the relative update ||dW||/||W|| and (LARS, LAMB) the trust ratio.

    Returns ``{optimizer: {"relative": {layer: array}, "trust": {layer: array}}}``.
    """
    Xtr, ytr, _, _ = datasets.load_mnist()
    net = MLP(list(sizes))
    out = {}
    for name, hp in runs.items():
        opt = get(name)
        resolved = opt.HPARAMS.resolve(hp)
        params, state, rng = net.init(seed=seed, scheme="normal", std=std), None, np.random.default_rng(seed)
        layers = [k for k in params if k.startswith("W")]
        relative, trust = {k: [] for k in layers}, {k: [] for k in layers}
        for _ in range(epochs):
            order = rng.permutation(len(Xtr))
            for i in range(0, len(order), batch):
                idx = order[i:i + batch]
                _, grads = net.loss_and_grads(params, Xtr[idx], ytr[idx])
                for k in layers:
                    if name == "lars":
                        trust[k].append(lars.trust_ratio(params[k], grads[k], resolved))
                    elif name == "lamb":
                        slots = (state["slots"][k] if state else
                                 {"m": np.zeros_like(params[k]), "v": np.zeros_like(params[k])})
                        u, _, _ = lamb.direction(params[k], grads[k], slots, (state["t"] if state else 0) + 1, resolved)
                        trust[k].append(lamb.trust_ratio(params[k], u))
                new, state = opt.step(params, grads, state, hp)
                for k in layers:
                    relative[k].append(np.linalg.norm(new[k] - params[k]) / np.linalg.norm(params[k]))
                params = new
        out[name] = {"relative": {k: np.array(v) for k, v in relative.items()},
                     "trust": {k: np.array(v) for k, v in trust.items() if v}}
    return out


def draw_trust_ratios(results, runs=TR_RUNS):
    """Three panels: momentum SGD's relative update per layer; LARS's and LAMB's trust ratios per layer."""
    fig, axes = plots.figure(3, size=(4.3, 3.9))
    layers = list(results["momentum"]["relative"])
    styles = dict(zip(layers, plots.STYLES))
    ax = axes[0]
    for k, curve in results["momentum"]["relative"].items():
        ax.semilogy(np.arange(1, len(curve) + 1), curve, styles[k], color=plots.color("momentum"), lw=1.5, label=k)
    ax.set_ylabel(r"relative update $\|\Delta W\| / \|W\|$")
    ax.set_title(f"momentum SGD, one global lr ({runs['momentum']['lr']:g}):\nthe last layer moves ~10x faster")
    notes = {"lars": "W1's ratio ~20-100x W4's: it undoes the spread",
             "lamb": "about equal across layers (equal weight scales);\nrises as Adam's direction shrinks"}
    for ax, name, what in ((axes[1], "lars", r"$\eta_{tr}\|W\| / \|g\|$"), (axes[2], "lamb", r"$\|W\| / \|u\|$")):
        for k, curve in results[name]["trust"].items():
            ax.semilogy(np.arange(1, len(curve) + 1), curve, styles[k], color=plots.color(name), lw=1.5, label=k)
        ax.set_ylabel(f"trust ratio {what}")
        hp = ", ".join(f"{key}={val:g}" for key, val in runs[name].items())
        ax.set_title(f"{name} ({hp}):\n{notes[name]}", fontsize=9)
    for ax in axes:
        ax.set_xlabel("step (batch 256)")
    return plots.finish(fig, "MLP 784-256-128-64-10, N(0, 0.1²) init: one global rate moves the last layer ~10x faster "
                             "than the first; LARS's per-layer trust ratios undo that", legend_kw={"fontsize": 7, "loc": "best"})


def trust_ratios():
    """06_lars_lamb_trust_ratios.png."""
    return draw_trust_ratios(trust_ratio_runs())


# --- 06_stable_adamw_spike.png: a jump in gradient scale after quiet steps -------------------------------

#: 100 coordinates (one tensor) of N(0, 0.001^2) gradients for 500 steps, then 1000x larger: for 300 more steps
#: (a lasting jump), or for one step only (a single spike).  The same hparams for both optimizers, AdamW's
#: defaults with no decay, so that the clipping is the only difference.
SPIKE_DIM, SPIKE_QUIET, SPIKE_LOUD, SPIKE_SCALE, SPIKE_SEED = 100, 500, 300, 1e-3, 0
SPIKE_FACTOR = 1000.0
SPIKE_HP = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}


def spike_gradients(lasting=True, dim=SPIKE_DIM, quiet=SPIKE_QUIET, loud=SPIKE_LOUD, scale=SPIKE_SCALE,
                    factor=SPIKE_FACTOR, seed=SPIKE_SEED):
    """The gradient stream: quiet steps, then a jump by *factor* lasting *loud* steps (or one step)."""
    g = scale * np.random.default_rng(seed).standard_normal((quiet + loud, dim))
    if lasting:
        g[quiet:] *= factor
    else:
        g[quiet] *= factor
    return g


def spike_runs(grads, hp=SPIKE_HP):
    """RMS of each step divided by lr, for AdamW and StableAdamW, and StableAdamW's RMS_t (from its state)."""
    out = {}
    for name, opt in (("adamw", adamw), ("stable_adamw", stable_adamw)):
        x, state, sizes, rms = np.zeros(grads.shape[1]), None, [], []
        for t, g in enumerate(grads, start=1):
            new, state = opt.step(x, g, state, hp)
            sizes.append(np.sqrt(np.mean((new - x) ** 2)) / hp["lr"])
            if name == "stable_adamw":
                v_hat = state["slots"]["param"]["v"] / (1 - hp["beta2"] ** t)
                rms.append(stable_adamw.update_rms(g, v_hat, hp["eps"]))
            x = new
        out[name] = np.array(sizes)
    out["rms"] = np.array(rms)
    return out


def draw_spike(lasting, single, quiet=SPIKE_QUIET, factor=SPIKE_FACTOR, hp=SPIKE_HP, window=(400, 800)):
    """Three panels: step sizes under a lasting jump; StableAdamW's RMS_t; step sizes under a single spike."""
    fig, axes = plots.figure(3, size=(4.3, 3.9))
    lo, hi = window
    t = np.arange(1, len(lasting["adamw"]) + 1)
    sel = (t >= lo) & (t <= hi)

    def pair(ax, runs, every):
        ax.semilogy(t[sel], runs["adamw"][sel], "-", color=plots.color("adamw"), lw=3.0, alpha=0.8, label="adamw")
        ax.semilogy(t[sel], runs["stable_adamw"][sel], "--", color=plots.color("stable_adamw"), lw=1.3,
                    marker="o", markevery=every, ms=3.5, label="stable_adamw (dashed, on top)")
        ax.axvline(quiet + 1, color="k", lw=0.8, ls=":")
        ax.set_xlabel("step")
        ax.set_ylabel(r"RMS of the step / lr")

    pair(axes[0], lasting, 25)
    axes[0].set_title(f"gradients {factor:g}x larger from step {quiet + 1} on")
    ax = axes[1]
    ax.semilogy(t[sel], lasting["rms"][sel], "-", color=plots.color("stable_adamw"), lw=1.5,
                label=r"$\mathrm{RMS}_t$ of $g/\sqrt{\hat v}$")
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="1: no clipping below")
    ax.axvline(quiet + 1, color="k", lw=0.8, ls=":")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\mathrm{RMS}_t$  (lr is divided by max(1, RMS$_t$))")
    ax.set_title(r"the surprise: $\hat v$ takes ~$1/(1-\beta_2)$ steps to catch up")
    pair(axes[2], single, 4)
    axes[2].set_xlim(quiet - 20, quiet + 60)
    axes[2].set_title(f"a single step {factor:g}x larger (step {quiet + 1})")
    text = ", ".join(f"{k} {v:g}" for k, v in hp.items() if k != "weight_decay")
    axes[0].text(0.02, 0.02, f"both: {text}, no decay", transform=axes[0].transAxes, fontsize=7)
    return plots.finish(fig, r"StableAdamW bounds the step while $\hat v$ lags a jump in gradient scale; "
                             "it clips the surprising step, not the momentum", legend_kw={"fontsize": 7, "loc": "best"})


def stable_adamw_spike():
    """06_stable_adamw_spike.png."""
    return draw_spike(spike_runs(spike_gradients(True)), spike_runs(spike_gradients(False)))


# --- the float16 experiment of the notebook (not written by the tour) -------------------------------------

#: AdamW (no decay) on Rosenbrock, lr 0.05, 3000 steps; params kept in float64, or rounded after every step.
LOWP_LR, LOWP_STEPS = 0.05, 3000
LOWP_STYLES = {"float64": ("-", 2.5, 0.5), "float32": ("--", 1.3, 1.0), "bfloat16": (":", 1.6, 1.0),
               "float16": ("-.", 1.3, 1.0)}


def draw_low_precision(curves, lr=LOWP_LR):
    """f(x_t) - f* per step for each storage precision of the params, ``{label: array}``."""
    fig, (ax,) = plots.figure(size=(7.0, 4.0))
    for label, gap in curves.items():
        ls, lw, alpha = LOWP_STYLES.get(label.split()[0], ("-", 1.2, 1.0))
        ax.semilogy(np.arange(len(gap)), np.maximum(gap, 1e-30), ls, color=plots.color("adamw"), lw=lw, alpha=alpha,
                    label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(r"$f(x_t) - f^*$ (Rosenbrock)")
    return plots.finish(fig, f"AdamW (lr {lr:g}), params rounded after every step: each precision stalls at its grid",
                        legend_kw={"fontsize": 8})


# --- 06_fused_adamw.png: memory traffic, the README's CPU timings, and the H100 measurement ---------------

#: Bytes moved per float32 parameter by one AdamW step: the reference chain (counted in the notebook), the
#: fused step (read theta, g, m, v; write theta, m, v) and one copy of the params (read 4, write 4).
FUSED_BYTES = {"reference\nchain": 144, "fused": 28, "one copy\nof the params": 8}
#: README ("Performance: fused optimizers"): `optimlab bench fused --repeat 9`, AdamW step on 16,777,216
#: float32 parameters, AMD EPYC with 2 CPUs, NumPy 2.4.6, torch 2.13.0+cpu (2 threads), median ms.
FUSED_CPU_MS = {"optimlab reference": 175.31, "torch foreach=True": 118.33, "optimlab fused (2 threads)": 16.81,
                "torch fused=True": 9.79, "np.copyto (1 pass)": 4.97}
#: The project's one-off H100 measurement (one NVIDIA H100 80GB HBM3, PyTorch 2.11.0+cu130, eager mode; a
#: GPT-2-small-shaped decoder, 163.1M float32 params in 149 tensors, sequence 1024, bf16 autocast, float32
#: master weights and AdamW state; CUDA-event medians of 50 step runs / 20 train-step runs after 5 warm-ups):
#: batch -> {variant: (optimizer step alone ms, whole train step ms)}.
H100_MS = {1: {"foreach": (5.54, 27.43), "fused": (2.23, 19.97)},
           4: {"foreach": (5.72, 34.15), "fused": (2.49, 27.52)},
           8: {"foreach": (5.50, 38.01), "fused": (2.10, 34.92)},
           16: {"foreach": (5.94, 66.16), "fused": (2.13, 63.41)}}


def fused_adamw(bytes_per_param=FUSED_BYTES, cpu_ms=FUSED_CPU_MS, h100=H100_MS):
    """06_fused_adamw.png: counted traffic, the README's CPU step times, the H100 train-step times."""
    fig, axes = plots.figure(3, size=(4.3, 4.0))
    c = plots.color("adamw")
    ax = axes[0]
    names = list(bytes_per_param)
    ax.bar(range(len(names)), list(bytes_per_param.values()), color=[c, c, "0.6"], alpha=0.85)
    for i, v in enumerate(bytes_per_param.values()):
        ax.text(i, v + 3, f"{v} B", ha="center", fontsize=8)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, fontsize=8)
    ax.set_xlabel("AdamW step")
    ax.set_ylabel("bytes of memory traffic per float32 parameter")
    ax.set_title("AdamW step: counted traffic")
    ax = axes[1]
    names = list(cpu_ms)
    colors = [c if "optimlab" in n else ("0.35" if "torch" in n else "0.6") for n in names]
    ax.barh(range(len(names)), list(cpu_ms.values()), color=colors, alpha=0.85)
    for i, v in enumerate(cpu_ms.values()):
        ax.text(v + 2, i, f"{v:g} ms", va="center", fontsize=7)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 215)
    ax.set_xlabel("median ms per AdamW step, 16M float32 params")
    ax.set_title("2-core CPU (the README's table)")
    ax = axes[2]
    batches = list(h100)
    x = np.arange(len(batches))
    for j, (variant, hatch) in enumerate((("foreach", ""), ("fused", "//"))):
        step = np.array([h100[b][variant][0] for b in batches])
        total = np.array([h100[b][variant][1] for b in batches])
        pos = x + (j - 0.5) * 0.38
        ax.bar(pos, total - step, 0.36, color="0.75", hatch=hatch, edgecolor="0.3",
               label=f"{variant}: rest of the train step")
        ax.bar(pos, step, 0.36, bottom=total - step, color=c, hatch=hatch, edgecolor="0.3",
               label=f"{variant}: optimizer step (timed alone)")
    for i, b in enumerate(batches):
        gain = 1 - h100[b]["fused"][1] / h100[b]["foreach"][1]
        ax.text(i, h100[b]["foreach"][1] + 1.5, f"-{gain:.0%}", ha="center", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels([str(b) for b in batches])
    ax.set_xlabel("batch (sequences of 1024 tokens)")
    ax.set_ylabel("ms per training step")
    ax.set_ylim(0, 80)
    ax.set_title("one H100, GPT-2-small shape (one-off)")
    return plots.finish(fig, "Fusing AdamW: 5x less memory traffic, 2.5x faster steps; the whole training step "
                             "gains 27% at batch 1 and 4% at batch 16", legend_kw={"fontsize": 7, "loc": "upper left"})


#: file name -> figure function
FIGURES = {
    "06_lars_lamb_trust_ratios.png": trust_ratios,
    "06_stable_adamw_spike.png": stable_adamw_spike,
    "06_fused_adamw.png": fused_adamw,
}
