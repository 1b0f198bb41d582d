"""Figures of notebook 10, the MLP on MNIST and choosing an optimizer (``optimlab tour`` writes them into figures/).

The shoot-out, the learning-rate sensitivity and the batch-size figures read the fair-tuning results
(:func:`optimlab.tuning.load`: every optimizer's learning rate chosen on the same grid with the same budget,
then re-run with 5 fresh seeds); the troubleshooting figure trains small runs live.  Each ``draw_*``
function takes the data the notebook computed in its own cells; the figure functions of :data:`FIGURES`
recompute it from the module constants, which are the values the notebook spells out.  Nothing here
implements an optimizer.
"""

from __future__ import annotations

import math

import numpy as np

from .. import plots, tuning
from ..mlp import MLP
from ..training import train

#: The optimizers the lecture discusses (chapters 000, 001, 004), in the shoot-out and sensitivity figures.
LECTURE_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw", "radam", "ranger")
BENCHMARKS = ("mnist_b32", "mnist_b256")
#: Line styles that keep coinciding curves apart (Adam and AdamW share their tuned rate at batch 256, and AdamW's
#: decay of 0.01 * lr per step changes almost nothing in 104 steps: without a style of its own AdamW hides Adam).
LINESTYLE = {"adamw": "--", "radam": "-.", "ranger": ":"}


# --- data from the tuning results ----------------------------------------------------------------------------------

def curves(results, benchmark, optimizer, key):
    """The per-epoch curves *key* ("train_loss", "val_loss", "val_acc") of the re-run seeds: array (seeds, epochs)."""
    runs = results["benchmarks"][benchmark]["optimizers"][optimizer]["runs"]
    return np.array([[np.nan if v is None else v for v in run[key]] for run in runs], dtype=float)


def final_test(results, benchmark, optimizer):
    """The final test accuracy of every re-run seed."""
    runs = results["benchmarks"][benchmark]["optimizers"][optimizer]["runs"]
    return np.array([np.nan if run["test_acc"][-1] is None else run["test_acc"][-1] for run in runs], dtype=float)


def sensitivity(results, benchmark, optimizer):
    """``(grid, scores)``: the final validation loss (seed 0, 8 epochs) at every learning rate of the grid (inf =
    diverged)."""
    entry = results["benchmarks"][benchmark]["optimizers"][optimizer]
    scores = np.array([math.inf if s is None else s for s in entry["scores"]], dtype=float)
    return np.array(entry["grid"], dtype=float), scores


def window(results, benchmark, optimizer):
    """How forgiving *optimizer* is about its learning rate: :func:`optimlab.tuning.window` (the width in decades
    of the grid rates whose validation loss is within 20% of the best), the one measure the course uses."""
    return tuning.window(results, benchmark, optimizer, tolerance=0.2)


def summary(results, benchmark, optimizers=None):
    """Rows ``(optimizer, best lr, median, min, max test accuracy)`` (like :func:`optimlab.tuning.table`)."""
    rows = tuning.table(results, benchmark)
    return [r for r in rows if optimizers is None or r[0] in optimizers]


# --- 10_mlp_shootout.png -------------------------------------------------------------------------------------------

def draw_shootout(results, optimizers=LECTURE_OPTIMIZERS):
    """Validation loss per epoch (median and min-max of 5 seeds) at batch 32 and 256, and the final test accuracy."""
    fig, axes = plots.figure(3, size=(4.0, 3.5))
    for ax, bench in zip(axes[:2], BENCHMARKS):
        spec = results["benchmarks"][bench]["spec"]
        for opt in optimizers:
            runs = curves(results, bench, opt, "val_loss")
            lr = results["benchmarks"][bench]["optimizers"][opt]["best_lr"]
            plots.band(ax, np.arange(1, runs.shape[1] + 1), runs, opt, label=f"{opt} (lr={lr:.3g})",
                       linestyle=LINESTYLE.get(opt, "-"))
        ax.set_ylim(0.2, 0.8)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation loss (median, min-max of 5 seeds)")
        ax.set_title(f"batch {spec['batch_size']}: {spec['epochs']} epochs, tuned lr")
        ax.legend(fontsize=6.5, loc="upper right")
    ax = axes[2]
    for i, opt in enumerate(optimizers):
        for j, (bench, marker) in enumerate(zip(BENCHMARKS, ("o", "s"))):
            acc = final_test(results, bench, opt)
            y = i + (j - 0.5) * 0.3
            ax.plot([np.nanmin(acc), np.nanmax(acc)], [y, y], "-", color=plots.color(opt), lw=1.5)
            ax.plot(np.nanmedian(acc), y, marker, color=plots.color(opt), ms=6,
                    mfc=plots.color(opt) if j == 0 else "white",
                    label=("batch 32" if j == 0 else "batch 256") if i == 0 else None)
    ax.set_yticks(range(len(optimizers)))
    ax.set_yticklabels(optimizers)
    ax.set_ylim(len(optimizers) + 0.6, -0.6)  # top to bottom, with a free row at the bottom for the legend
    ax.set_xlabel("test accuracy (median; bar = min-max of 5 seeds)")
    ax.set_title("final test accuracy")
    ax.legend(fontsize=7, loc="lower left")
    grid = results["protocol"]["grid"]
    spread = max(100 * (max(np.nanmedian(final_test(results, b, o)) for o in optimizers)
                        - min(np.nanmedian(final_test(results, b, o)) for o in optimizers)) for b in BENCHMARKS)
    low = f"1e{round(math.log10(grid[0]))}" if grid[0] < 1e-3 else f"{grid[0]:g}"
    return plots.finish(fig, f"Each optimizer at its own best learning rate ({len(grid)} rates from {low} to "
                             f"{grid[-1]:g}, chosen by validation loss): the medians lie within {spread:.1f} points",
                        legend=False)


def mlp_shootout(results=None):
    """10_mlp_shootout.png; returns ``(figure, rows)`` with rows ``{benchmark: summary rows}`` of the lecture's
    optimizers."""
    results = tuning.load() if results is None else results
    return draw_shootout(results), {b: summary(results, b, LECTURE_OPTIMIZERS) for b in BENCHMARKS}


# --- 10_lr_sensitivity.png -----------------------------------------------------------------------------------------

def draw_sensitivity(results, optimizers=LECTURE_OPTIMIZERS, cap=3.0):
    """Final validation loss against the learning rate, one line per optimizer, batch 32 and 256 side by side."""
    fig, axes = plots.figure(2, size=(4.6, 3.9))
    for ax, bench in zip(axes, BENCHMARKS):
        for opt in optimizers:
            grid, scores = sensitivity(results, bench, opt)
            shown = np.minimum(scores, cap)
            c = plots.color(opt)
            ax.loglog(grid, shown, LINESTYLE.get(opt, "-"), marker=".", color=c, lw=2.4 if opt == "adam" else 1.3,
                      label=opt)
            best = int(np.argmin(scores))
            ax.plot(grid[best], scores[best], "o", color=c, ms=7, mec="k", mew=0.6)
            over = scores >= cap
            ax.plot(grid[over], np.full(over.sum(), cap), "x", color=c, ms=6)
        ax.axhline(math.log(10), color="0.5", lw=0.8, ls=":")
        ax.text(1.2e-4, math.log(10) * 1.04, "ln 10: chance", fontsize=7, color="0.4")
        spec = results["benchmarks"][bench]["spec"]
        ax.set_title(f"batch {spec['batch_size']}, {spec['epochs']} epochs (circle: best; x: >= {cap:g} or diverged)",
                     fontsize=9)
        ax.set_xlabel("learning rate")
        ax.set_ylabel("final validation loss (seed 0)")
        ax.set_ylim(0.2, cap * 1.15)
        ax.set_yticks([0.2, 0.3, 0.5, 1.0, 2.0, 3.0])
        ax.set_yticklabels(["0.2", "0.3", "0.5", "1", "2", "3"])
        ax.minorticks_off()
    widths = [window(results, b, o) for b in BENCHMARKS for o in optimizers]
    return plots.finish(fig, "Each optimizer shown, Adam included, has a window of good rates (validation loss "
                             f"within 20% of its best)\n{min(widths):g} to {max(widths):g} decades wide; the windows "
                             "sit at different rates", legend_kw={"fontsize": 7, "loc": "lower left"})


def lr_sensitivity(results=None):
    """10_lr_sensitivity.png."""
    return draw_sensitivity(tuning.load() if results is None else results)


# --- 10_batch_size.png ---------------------------------------------------------------------------------------------

def draw_batch_size(results):
    """Per optimizer: how the tuned rate moved from batch 32 to 256, and the test accuracy at both."""
    opts = [o for o in results["benchmarks"]["mnist_b32"]["optimizers"]
            if results["benchmarks"]["mnist_b32"]["optimizers"][o]["best_lr"]
            and results["benchmarks"]["mnist_b256"]["optimizers"][o]["best_lr"]]
    ratio = {o: math.log10(results["benchmarks"]["mnist_b256"]["optimizers"][o]["best_lr"]
                           / results["benchmarks"]["mnist_b32"]["optimizers"][o]["best_lr"]) for o in opts}
    order = sorted(opts, key=lambda o: ratio[o])
    fig, axes = plots.figure(2, size=(5.0, 4.8))
    ax = axes[0]
    ax.barh(range(len(order)), [ratio[o] for o in order], color=[plots.color(o) for o in order], height=0.7)
    for value, label, ls in ((math.log10(8), "x8: linear scaling (Goyal et al.)", "--"),
                             (math.log10(math.sqrt(8)), "x2.8: square-root scaling", ":"), (0.0, "unchanged", "-")):
        ax.axvline(value, color="k", ls=ls, lw=1, label=label)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize=7)
    ax.set_xlabel("log10(tuned lr at batch 256 / tuned lr at batch 32)  (grid step: 0.5)")
    ax.set_title("batch 32 -> 256: how far the tuned rate moved")
    ax.legend(fontsize=6.5, loc="lower right")
    ax = axes[1]
    acc32 = {o: np.nanmedian(final_test(results, "mnist_b32", o)) for o in opts}
    acc256 = {o: np.nanmedian(final_test(results, "mnist_b256", o)) for o in opts}
    order2 = sorted(opts, key=lambda o: acc32[o])
    for i, o in enumerate(order2):
        ax.plot([acc32[o], acc256[o]], [i, i], "-", color=plots.color(o), lw=1.2)
        ax.plot(acc32[o], i, "o", color=plots.color(o), ms=5)
        ax.plot(acc256[o], i, "s", color=plots.color(o), mfc="none", ms=6)
    ax.plot([], [], "o", color="k", ms=5, label="batch 32")
    ax.plot([], [], "s", color="k", mfc="none", ms=6, label="batch 256")
    ax.set_yticks(range(len(order2)))
    ax.set_yticklabels(order2, fontsize=7)
    ax.set_xlabel("median test accuracy (5 seeds), 8 epochs at each batch size")
    ax.set_title("same epochs, 8x fewer steps at batch 256")
    ax.legend(fontsize=7, loc="lower right")
    change = np.array([acc256[o] - acc32[o] for o in opts])
    return plots.finish(fig, "Changing the batch size moves the best learning rate (re-tune it);\nat equal epochs "
                             f"batch 256 costs {np.sum(change < 0)} of {len(opts)} optimizers accuracy (median "
                             f"{100 * np.median(change):+.1f} points)", legend=False)


def batch_size(results=None):
    """10_batch_size.png."""
    return draw_batch_size(tuning.load() if results is None else results)


# --- 10_troubleshooting.png: "the loss is not decreasing" ----------------------------------------------------------
TROUBLE_N, TROUBLE_VAL, TROUBLE_EPOCHS, TROUBLE_LR, TROUBLE_SEED = 1000, 400, 3, 1e-3, 0


def trouble_cases(X, y, Xval, yval, seed=TROUBLE_SEED):
    """``{case: (net, params, X, y, X_val, y_val, hparams)}``: a healthy run and five broken ones (all Adam)."""
    relu = MLP([784, 128, 10])
    deep_sigmoid = MLP([784, 128, 128, 128, 10], "sigmoid")
    shuffled = np.random.default_rng(seed).permutation(y)
    return {
        "healthy: relu, He init, lr 1e-3": (relu, relu.init(seed=seed), X, y, Xval, yval, {"lr": 1e-3}),
        "lr too large (0.316)": (relu, relu.init(seed=seed), X, y, Xval, yval, {"lr": 0.316}),
        "lr too small (1e-5)": (relu, relu.init(seed=seed), X, y, Xval, yval, {"lr": 1e-5}),
        "vanishing gradients: 3 sigmoid layers, N(0, 0.01^2) init":
            (deep_sigmoid, deep_sigmoid.init(seed=seed, scheme="normal", std=0.01), X, y, Xval, yval, {"lr": 1e-3}),
        "data bug: pixels 0..255, not 0..1": (relu, relu.init(seed=seed), 255 * X, y, 255 * Xval, yval, {"lr": 1e-3}),
        "data bug: labels shuffled": (relu, relu.init(seed=seed), X, shuffled, Xval, yval, {"lr": 1e-3}),
    }


def trouble_runs(cases, epochs=TROUBLE_EPOCHS, seed=TROUBLE_SEED):
    """``{case: TrainResult}``: each case trained with Adam, batch 32."""
    out = {}
    for name, (net, params, X, y, Xv, yv, hp) in cases.items():
        with np.errstate(all="ignore"):
            out[name] = train(net, params, X, y, optimizer="adam", hparams=hp, epochs=epochs, batch_size=32,
                              validation=(Xv, yv), seed=seed, verbose=False)
    return out


def draw_troubleshooting(runs):
    """One panel per case: the training loss per step (the healthy run in grey behind), final accuracies in the
    corner."""
    fig, axes = plots.figure(3, 2, size=(3.4, 2.4))
    healthy = np.array(next(iter(runs.values())).history.step["loss"])
    for ax, (name, r) in zip(axes, runs.items()):
        loss = np.array(r.history.step["loss"])
        ax.semilogy(healthy, color="0.75", lw=1, label="healthy run")
        ax.semilogy(loss, color=plots.color("adam"), lw=1.0, label="adam: this run")
        ax.axhline(math.log(10), color="0.4", ls=":", lw=0.8)
        ep = r.history.epoch
        ax.text(0.98, 0.95, f"train acc {ep['train_acc'][-1]:.2f}\nval acc {ep['val_acc'][-1]:.2f}",
                transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
                bbox={"facecolor": "white", "alpha": 0.8, "lw": 0})
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("step (batch 32)")
        ax.set_ylabel("training loss (mini-batch)")
        ax.set_ylim(0.05, 400)
        ax.minorticks_off()
    axes[0].legend(fontsize=7, loc="lower left")
    return plots.finish(fig, "\"My loss is not decreasing\": six runs of the MNIST MLP and their symptoms "
                             "(dotted: ln 10, the loss of a uniform guess)", legend=False)


def troubleshooting_data(n=TROUBLE_N, n_val=TROUBLE_VAL):
    """The cases on the first *n* images of the tuning benchmark's training split, validated on the first *n_val*
    of its 800 validation images."""
    Xfit, yfit, Xval, yval, _, _ = tuning.BENCHMARKS["mnist_b32"].data()
    return trouble_cases(Xfit[:n], yfit[:n], Xval[:n_val], yval[:n_val])


def troubleshooting():
    """10_troubleshooting.png."""
    return draw_troubleshooting(trouble_runs(troubleshooting_data()))


#: file name -> figure function
FIGURES = {
    "10_mlp_shootout.png": mlp_shootout,
    "10_lr_sensitivity.png": lr_sensitivity,
    "10_batch_size.png": batch_size,
    "10_troubleshooting.png": troubleshooting,
}
