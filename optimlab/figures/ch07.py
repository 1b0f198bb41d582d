"""Figures of notebook 07 (Lion and Muon), written by ``optimlab tour`` into figures/.

The notebook runs the same experiments in its cells, with the settings below spelled out, and draws
them with the ``draw_*`` functions; the figure functions here run them with these settings and draw
the same pictures.  Nothing here implements an update rule: every step is ``lion.step``,
``adamw.step`` or ``muon.orthogonalize``.
"""

from __future__ import annotations

import numpy as np

from .. import plots
from ..mlp import MLP
from ..optimizers import adamw, lion, momentum, muon, sgd

#: Lion vs AdamW step sizes: gradients g = scale * (snr + N(0, 1)) per coordinate, SNR on a log grid,
#: REPS coordinates per SNR value, both optimizers at the same lr, no weight decay.
LION = {"snr": (0.01, 10.0, 25), "reps": 40, "steps": 600, "burn_in": 100, "lr": 1e-3, "seed": 0}
#: The MLP whose memory is counted (the lecture's 784-128-10 network, float32).
MEMORY_SIZES = (784, 128, 10)
#: Newton-Schulz band: square Gaussian matrices of these sizes over these seeds, and a well-conditioned one.
MUON = {"sizes": (128, 256), "seeds": 8, "well_conditioned": (20, 12)}
#: The benchmarks of optimlab/data/tuning.json shown in the learning-rate sensitivity figure.
SENSITIVITY = {"benchmarks": ("mnist_b32", "mnist_b256"), "optimizers": ("adamw", "lion", "muon")}


# --- Lion: every coordinate moves by lr --------------------------------------------------------------

def lion_step_sizes(snr=LION["snr"], reps=LION["reps"], steps=LION["steps"], burn_in=LION["burn_in"],
                    lr=LION["lr"], seed=LION["seed"]):
    """RMS over steps of |step| / lr per SNR value, for Lion and AdamW on the same noisy gradients.

    Returns ``(snr_grid, {"lion": rms, "adamw": rms})``.
    """
    snr_grid = np.geomspace(*snr[:2], int(snr[2]))
    r = np.repeat(snr_grid, reps)
    nu = 10.0 ** np.random.default_rng(seed).uniform(-3, 3, r.size)  # noise levels over six decades
    out = {}
    for name, module, hp in (("lion", lion, {"lr": lr}), ("adamw", adamw, {"lr": lr, "weight_decay": 0.0})):
        rng = np.random.default_rng(seed + 1)  # the same gradients for both
        theta, state, sq = np.zeros(r.size), None, np.zeros(r.size)
        for t in range(steps):
            g = nu * (r + rng.standard_normal(r.size))
            new, state = module.step(theta, g, state, hp)
            if t >= burn_in:
                sq += ((new - theta) / lr) ** 2
            theta = new
        out[name] = np.sqrt(sq / (steps - burn_in)).reshape(len(snr_grid), reps).mean(axis=1)
    return snr_grid, out


def adamw_steady_rms(snr, beta1=0.9):
    r"""The steady-state RMS of AdamW's :math:`\hat m/\sqrt{\hat v}` for gradients :math:`\nu\,(r + N(0, 1))` of SNR *snr* = r."""
    snr = np.asarray(snr, dtype=float)
    return np.sqrt(snr**2 + (1 - beta1) / (1 + beta1)) / np.sqrt(snr**2 + 1)


def memory_table(sizes=MEMORY_SIZES, dtype=np.float32):
    """Bytes of weights, gradients and optimizer state for an MLP: ``{optimizer: (weights, grads, state)}``."""
    params = MLP(list(sizes)).init(0, dtype=dtype)
    weights = sum(p.nbytes for p in params.values())
    out = {}
    for name, module in (("sgd", sgd), ("momentum", momentum), ("lion", lion), ("adamw", adamw)):
        state = module.init(params)
        out[name] = (weights, weights, sum(a.nbytes for slots in state["slots"].values() for a in slots.values()))
    return out


def draw_lion_sign_and_memory(snr_grid, rms, memory, beta1=0.9):
    """Left: |step|/lr against the gradient's SNR; right: training memory as weights + grads + state."""
    fig, axes = plots.figure(2, size=(5.0, 3.9))
    ax = axes[0]
    ax.semilogx(snr_grid, rms["lion"], "o-", color=plots.color("lion"), ms=4, label=r"lion: sign($\tilde m$), every step = lr")
    ax.semilogx(snr_grid, rms["adamw"], "s", color=plots.color("adamw"), ms=4, label="adamw, measured")
    ax.semilogx(snr_grid, adamw_steady_rms(snr_grid, beta1), "--", color=plots.color("adamw"), lw=1.2,
                label=r"adamw, formula $\sqrt{(r^2+0.053)/(r^2+1)}$")
    ax.set_ylim(0, 1.1)
    ax.set_xlabel(r"signal-to-noise ratio $r = \bar g/\nu$ of a coordinate's gradient")
    ax.set_ylabel("RMS of |step| / lr  (same lr = 1e-3)")
    ax.set_title("Lion's step is lr whatever the gradient;\nAdamW's shrinks to 0.23 lr in noise")
    ax.legend(fontsize=7, loc="lower right")
    ax = axes[1]
    names = list(memory)
    kib = np.array([memory[n] for n in names]) / 1024
    bottom = np.zeros(len(names))
    for j, (part, shade) in enumerate((("weights", "#d9d9d9"), ("gradients", "#a6a6a6"), ("optimizer state", None))):
        colors = [plots.color(n) for n in names] if shade is None else shade
        ax.bar(names, kib[:, j], bottom=bottom, color=colors, edgecolor="k", lw=0.5, label=part if shade else None)
        bottom += kib[:, j]
    for i, total in enumerate(bottom):
        ax.text(i, total + 20, f"{total:.0f}", ha="center", fontsize=8)
    ax.set_ylabel("KiB, float32 (activations not counted)")
    ax.set_xlabel("optimizer (784-128-10 MLP)")
    ax.set_ylim(0, bottom.max() * 1.15)
    ax.set_title("Lion's state is half of AdamW's;\nweights + grads + state: 25% less")
    from matplotlib.patches import Patch

    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="white", edgecolor="k", lw=0.5))
    labels.append("optimizer state (the optimizer's colour)")
    ax.legend(handles, labels, fontsize=7, loc="upper left")
    return plots.finish(fig, legend=False)


def lion_sign_and_memory():
    """07_lion_sign_and_memory.png: Lion's fixed step size, and its memory next to AdamW's."""
    snr_grid, rms = lion_step_sizes()
    return draw_lion_sign_and_memory(snr_grid, rms, memory_table())


# --- Muon: Newton-Schulz gives a band, not ones -------------------------------------------------------

def singular_values(M):
    """Singular values of M, largest first (via the eigenvalues of the smaller Gram matrix: fast, and
    accurate far below the values shown here)."""
    M = np.asarray(M, dtype=float)
    gram = M.T @ M if M.shape[0] >= M.shape[1] else M @ M.T
    return np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0.0, None))[::-1]


def newton_schulz_band(sizes=MUON["sizes"], seeds=MUON["seeds"], well_conditioned=MUON["well_conditioned"]):
    """Singular values before (relative to the Frobenius norm) and after ``muon.orthogonalize`` (5 steps).

    Returns ``{label: [(before, after) for each seed]}`` for the square Gaussians of *sizes* and the
    well-conditioned Gaussian of shape *well_conditioned*, seeds ``0 .. seeds-1``.
    """
    shapes = {f"{n}x{n} Gaussian": (n, n) for n in sizes}
    shapes[f"{well_conditioned[0]}x{well_conditioned[1]} Gaussian"] = tuple(well_conditioned)
    out = {}
    for label, shape in shapes.items():
        out[label] = []
        for seed in range(seeds):
            G = np.random.default_rng(seed).standard_normal(shape)
            out[label].append((singular_values(G) / np.linalg.norm(G), singular_values(muon.orthogonalize(G))))
    return out


#: Matrix shapes are not optimizers: they are told apart by marker and shade of grey (the colours belong to
#: the optimizers; the Muon curve is Muon's).
SHAPE_STYLES = (("o", "0.0"), ("^", "0.45"), ("s", "0.65"))
BAND = (0.68, 1.13)


def draw_muon_newton_schulz(band):
    """Left: the 5-step map of a singular value, with seed 0's matrices on it; right: the smallest value per seed."""
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    ax = axes[0]
    s = np.geomspace(1e-7, 1.0, 800)
    ax.axhspan(*BAND, color="0.88", lw=0, label="band [0.68, 1.13]")
    ax.axvline(0.01, color="k", ls=":", lw=1)
    ax.text(0.012, 0.05, r"$\sigma/\|M\|_F = 0.01$", fontsize=7, rotation=90)
    cubic = s.copy()
    for _ in range(5):
        cubic = 1.5 * cubic - 0.5 * cubic**3
    ax.semilogx(s, cubic, "--", color="0.5", lw=1.2, label="cubic NS (1.5s - 0.5s^3), 5 steps")
    ax.semilogx(s, muon.ns_polynomial(s, 5), "-", color=plots.color("muon"), lw=1.5,
                label="Muon's quintic, 5 steps")
    for (label, runs), (marker, shade) in zip(band.items(), SHAPE_STYLES):
        before, after = runs[0]
        ax.semilogx(before, after, marker, ms=3.5, mfc="none", mec=shade, alpha=0.9, label=f"{label} (seed 0)")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xlabel(r"singular value before, $\sigma/\|M\|_F$")
    ax.set_ylabel("singular value after orthogonalize (exact polar factor: 1)")
    ax.set_ylim(0, 1.3)
    ax.set_title("Each singular value goes through p five times")
    ax.legend(fontsize=6.5, loc="upper left")
    ax = axes[1]
    ax.axhspan(*BAND, color="0.88", lw=0)
    for i, ((label, runs), (marker, shade)) in enumerate(zip(band.items(), SHAPE_STYLES)):
        lows = [after.min() for _, after in runs]
        highs = [after.max() for _, after in runs]
        x = i + np.linspace(-0.15, 0.15, len(runs))
        ax.semilogy(x, lows, marker, color=shade, ms=5, label="smallest" if i == 0 else None)
        ax.semilogy(x, highs, marker, color=shade, ms=5, mfc="none", label="largest" if i == 0 else None)
        ax.text(i, 1.25e-3, f"smallest:\n{min(lows):.2g} - {max(lows):.2g}", ha="center", fontsize=7)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks(range(len(band)))
    ax.set_xticklabels(list(band), fontsize=8)
    ax.set_xlabel("matrix (one column of dots per shape)")
    ax.set_xlim(-0.5, len(band) - 0.5)
    ax.set_ylim(1e-3, 3)
    ax.set_ylabel("singular value after 5 steps (one dot per seed)")
    ax.set_title(f"Smallest and largest over {len(next(iter(band.values())))} seeds:\n"
                 "square Gaussians leave the band")
    ax.legend(fontsize=7, loc="upper right")
    return plots.finish(fig, legend=False)


def muon_newton_schulz():
    """07_muon_newton_schulz.png: the band after 5 Newton-Schulz steps, and where it does not hold."""
    return draw_muon_newton_schulz(newton_schulz_band())


# --- the fair MLP comparison, read from tuning.json ----------------------------------------------------

def draw_lr_sensitivity(results, benchmarks=SENSITIVITY["benchmarks"], optimizers=SENSITIVITY["optimizers"]):
    """Final validation loss against the learning rate (the tuning grid), one panel per benchmark."""
    fig, axes = plots.figure(len(benchmarks), size=(4.4, 3.6))
    for ax, bench in zip(axes, benchmarks):
        entry = results["benchmarks"][bench]["optimizers"]
        for i, (style, name) in enumerate(zip(plots.STYLES, optimizers)):
            r = entry[name]
            grid = np.array(r["grid"])
            scores = np.array([np.nan if v is None else v for v in r["scores"]])
            ax.semilogx(grid, scores, style, marker="o", ms=3.5, color=plots.color(name),
                        label=f"{name} (best lr {r['best_lr']:.3g}: ring)")
            if r["best_lr"] is not None:  # a ring per optimizer, smaller on top: rings at one rate stay visible
                ax.plot(r["best_lr"], scores[list(grid).index(r["best_lr"])], "o", ms=16 - 4 * i, mfc="none",
                        mec=plots.color(name), mew=1.8)
        ax.set_yscale("log")
        ax.set_xlabel("learning rate (the shared grid)")
        ax.set_ylabel("validation loss after 8 epochs (seed 0)")
        ax.set_title(bench.replace("mnist_b", "MNIST MLP, batch "))
        ax.legend(fontsize=7)
    ratios = [results["benchmarks"][b]["optimizers"]["adamw"]["best_lr"] / results["benchmarks"][b]["optimizers"]["lion"]["best_lr"]
              for b in benchmarks if "adamw" in optimizers and "lion" in optimizers]
    title = "Learning-rate sensitivity (the tuning grid, 8 epochs)"
    if ratios:
        title += f": Lion's best lr is {min(ratios):.0f}-{max(ratios):.0f}x below AdamW's"
    return plots.finish(fig, title, legend=False)


def draw_tuned_curves(results, benchmarks=SENSITIVITY["benchmarks"], optimizers=SENSITIVITY["optimizers"]):
    """Training (dashed) and validation (solid) loss per epoch at each optimizer's tuned lr: median and range of
    the five re-runs stored in tuning.json."""
    fig, axes = plots.figure(len(benchmarks), size=(4.4, 3.6))
    for ax, bench in zip(axes, benchmarks):
        entry = results["benchmarks"][bench]["optimizers"]
        for name in optimizers:
            r = entry[name]
            epochs = np.arange(1, len(r["runs"][0]["val_loss"]) + 1)
            for key, style, what in (("val_loss", "-", "validation"), ("train_loss", "--", "training")):
                curves = [[np.nan if v is None else v for v in run[key]] for run in r["runs"]]
                plots.band(ax, epochs, curves, name, f"{name} (lr {r['best_lr']:.3g}), {what}", log=True,
                           linestyle=style)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"loss (median and range of {len(r['runs'])} seeds)")
        ax.set_title(bench.replace("mnist_b", "MNIST MLP, batch "))
        ax.legend(fontsize=6.5, loc="lower left", ncol=1)
    return plots.finish(fig, "At their tuned learning rates: Muon and AdamW fit best, Lion lags (toy scale)",
                        legend=False)


def mlp_tuned_curves():
    """07_mlp_tuned_curves.png: loss curves of AdamW, Lion and Muon at their tuned learning rates (tuning.json)."""
    from ..tuning import load

    return draw_tuned_curves(load())


def mlp_lr_sensitivity():
    """07_mlp_lr_sensitivity.png: the learning-rate grids of AdamW, Lion and Muon (optimlab/data/tuning.json)."""
    from ..tuning import load

    return draw_lr_sensitivity(load())


#: file name -> figure function
FIGURES = {
    "07_lion_sign_and_memory.png": lion_sign_and_memory,
    "07_muon_newton_schulz.png": muon_newton_schulz,
    "07_mlp_lr_sensitivity.png": mlp_lr_sensitivity,
    "07_mlp_tuned_curves.png": mlp_tuned_curves,
}
