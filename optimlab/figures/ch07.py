"""Figures of notebook 07 (written by ``optimlab tour`` into figures/; the notebook shows each once)."""

from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import landscapes, plots, schedules
from ..optimizers import REGISTRY, get
from ..optimizers import muon as muon_module
from ..optimizers import radam as radam_module
from .common import loss_curves, race

COLORS = list(plots.COLORS.values())
_figure = plots.figure
contour = plots.contour
_loss_curves = loss_curves


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


#: file name -> figure function
FIGURES = {
    "07_lion_sign_and_memory.png": lion_sign_and_memory,
    "07_muon_newton_schulz.png": muon_newton_schulz,
}
