"""Figures of notebook 09, training techniques 训练技巧 (``optimlab tour`` writes them into figures/).

Each ``draw_*`` function takes the data the notebook computed in its own cells (with the loop and every
hyperparameter in view) and draws it; each figure function of :data:`FIGURES` recomputes the same runs
from the module constants below, which are the values the notebook spells out.  Nothing here implements
an optimizer: every update is a registered optimizer's ``step`` (or :func:`optimlab.train` /
:func:`optimlab.lr_range_test`).

Schedules are not optimizers, so the schedule pictures use black and grey only; a curve that shows an
optimizer's run uses that optimizer's colour (:func:`optimlab.plots.color`).
"""

from __future__ import annotations

import numpy as np

from .. import datasets, plots, schedules, tuning
from ..mlp import ACTIVATIONS, MLP
from ..optimizers import get
from ..training import lr_range_test

INK, INK2 = "k", "0.5"  # the schedule pictures' colours: black, and grey for a variant


def _no_minor_ticks(fig):
    """Log axes without minor ticks: the decades and the grid stay, and the figure lays out twice as fast."""
    for ax in fig.axes:
        ax.minorticks_off()

# --- 09_schedules.png: every schedule of optimlab.schedules ----------------------------------------------------
SCHED_LR, SCHED_STEPS = 0.1, 300
#: A made-up validation loss per epoch (it improves, then stalls twice) that drives ReduceLROnPlateau in the
#: gallery; the notebook drives it with a real run.
PLATEAU_METRIC = (1.0, 0.8, 0.7, 0.66, 0.65, 0.65, 0.651, 0.652, 0.64, 0.63, 0.63, 0.631, 0.632, 0.633, 0.629,
                  0.628, 0.628, 0.629, 0.63, 0.63)
PLATEAU_FACTOR, PLATEAU_PATIENCE = 0.5, 2


def gallery(lr=SCHED_LR, steps=SCHED_STEPS):
    """The schedules of the figure: a list of ``(title, [(label, schedule), ...])``, one entry per panel."""
    return [
        ("step_decay(lr, 100, gamma=0.3)  [StepLR]", [("", schedules.step_decay(lr, 100, 0.3))]),
        ("exponential(lr, gamma=0.99)  [ExponentialLR]", [("", schedules.exponential(lr, 0.99))]),
        ("cosine(lr, T_max=200)  [CosineAnnealingLR]",
         [("hold=False (PyTorch): rises after T_max", schedules.cosine(lr, 200)),
          ("hold=True (Keras, optax)", schedules.cosine(lr, 200, hold=True))]),
        ("linear(lr, 1 -> 0 over 300)  [LinearLR]", [("", schedules.linear(lr, 1.0, 0.0, steps))]),
        ("polynomial(lr, 300, power=p)  [PolynomialLR]",
         [("power=2", schedules.polynomial(lr, steps, power=2.0)),
          ("power=0.5", schedules.polynomial(lr, steps, power=0.5))]),
        ("cyclic(0.01 <-> lr, up 50)  [CyclicLR]", [("", schedules.cyclic(lr / 10, lr, 50))]),
        ("one_cycle(max_lr=lr, 300)  [OneCycleLR]", [("", schedules.one_cycle(lr, steps))]),
        ("warmup(cosine(lr, 270), 30)  [LinearLR + CosineAnn.]",
         [("", schedules.warmup(schedules.cosine(lr, steps - 30), 30))]),
    ]


def plateau_lrs(metric, lr, factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE):
    """The rate in use during each epoch when ``reduce_on_plateau`` is evaluated after every epoch with *metric*."""
    state, out = None, []
    for m in metric:
        out.append(lr)
        lr, state = schedules.reduce_on_plateau(m, lr, state, factor=factor, patience=patience)
    return np.array(out)


def schedules_figure(lr=SCHED_LR, steps=SCHED_STEPS):
    """09_schedules.png: nine schedules, one panel each, in black and grey."""
    fig, axes = plots.figure(3, 3, size=(3.5, 2.35))
    t = np.arange(steps)
    for i, (ax, (title, curves)) in enumerate(zip(axes, gallery(lr, steps))):
        for (label, sched), ls, c in zip(curves, ("-", "--"), (INK, INK2)):
            ax.plot(t, sched(t), ls, color=c, lw=1.5, label=label or None)
        ax.set_title(title, fontsize=8)
        ax.set_xlabel("step t")
        if i % 3 == 0:
            ax.set_ylabel("learning rate")
        ax.set_ylim(0, lr * 1.05)
        ax.set_yticks([0, lr / 2, lr])
        ax.set_xticks([0, 100, 200, 300])
        if len(curves) > 1:
            ax.legend(fontsize=6.5, loc="upper right")
    ax = axes[-1]
    epochs = np.arange(1, len(PLATEAU_METRIC) + 1)
    ax.step(epochs, plateau_lrs(PLATEAU_METRIC, lr), where="post", color=INK, lw=1.5, label="learning rate")
    ax.set_ylim(0, lr * 1.05)
    ax.set_yticks([0, lr / 2, lr])
    twin = ax.twinx()
    twin.plot(epochs, PLATEAU_METRIC, "o--", color=INK2, ms=3, lw=0.8, label="validation loss (made up)")
    twin.set_ylim(0.2, 1.05)
    twin.set_ylabel("validation loss", color=INK2)
    twin.set_xlabel("epoch")
    ax.set_title(f"reduce_on_plateau(factor={PLATEAU_FACTOR:g}, patience={PLATEAU_PATIENCE})", fontsize=8)
    ax.set_xlabel("epoch (one evaluation each)")
    lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(lines, [h.get_label() for h in lines], fontsize=6.5, loc="upper right")
    fig.suptitle(f"Learning-rate schedules of optimlab.schedules (lr = {lr:g}); each equals its "
                 "torch.optim.lr_scheduler counterpart", fontsize=11)
    fig.tight_layout()
    return fig


# --- 09_noise_floor.png: why decay the rate (SGD on a noisy quadratic) -----------------------------------------
#: f(theta) = h/2 theta^2, gradient h theta + sigma xi; RUNS independent copies from theta0, STEPS steps.
NOISE_H, NOISE_SIGMA, NOISE_THETA0, NOISE_RUNS, NOISE_STEPS, NOISE_SEED = 1.0, 1.0, 10.0, 2000, 300, 0


def noise_schedules(steps=NOISE_STEPS):
    """The four schedules the noisy-quadratic experiment compares (label -> schedule)."""
    return {"constant lr 0.1": schedules.constant(0.1),
            "constant lr 0.01": schedules.constant(0.01),
            "step: 0.1, x0.1 at step 150": schedules.step_decay(0.1, steps // 2, 0.1),
            "cosine 0.1 -> 0": schedules.cosine(0.1, steps)}


def noisy_quadratic(schedule, h=NOISE_H, sigma=NOISE_SIGMA, theta0=NOISE_THETA0, runs=NOISE_RUNS,
                    steps=NOISE_STEPS, seed=NOISE_SEED):
    """Mean loss h/2 theta^2 over *runs* independent SGD runs after each step (index 0 = the start)."""
    sgd = get("sgd")
    rng = np.random.default_rng(seed)
    theta, state = np.full(runs, theta0), None
    loss = [0.5 * h * np.mean(theta**2)]
    for t in range(steps):
        g = h * theta + sigma * rng.standard_normal(runs)
        theta, state = sgd.step(theta, g, state, {"lr": schedule(t)})
        loss.append(0.5 * h * np.mean(theta**2))
    return np.array(loss)


def noise_floor(lr, h=NOISE_H, sigma=NOISE_SIGMA):
    """The stationary mean loss of SGD at a constant rate on the noisy quadratic: lr sigma^2 / (2 (2 - lr h))."""
    return lr * sigma**2 / (2 * (2 - lr * h))


def draw_noise_floor(curves, h=NOISE_H, sigma=NOISE_SIGMA):
    """09_noise_floor.png from ``{label: mean-loss curve}``."""
    fig, (ax,) = plots.figure(size=(6.4, 4.2))
    styles = (("-", 2.6), ("--", 1.6), ("-.", 1.4), (":", 1.8))
    for (label, curve), (ls, lw) in zip(curves.items(), styles):
        if label.startswith("step"):
            label += " (= constant 0.1 until then)"
        ax.semilogy(np.arange(len(curve)), curve, ls, color=plots.color("sgd"), lw=lw, label=f"sgd, {label}")
    for lr in (0.1, 0.01):
        ax.axhline(noise_floor(lr, h, sigma), color=INK2, lw=0.8, ls=":")
        ax.text(2, noise_floor(lr, h, sigma) * 1.12, f"predicted floor at lr {lr:g}", fontsize=7, color=INK2)
    ax.set_xlabel("step")
    ax.set_ylabel("mean loss over the runs (the minimum is 0)")
    _no_minor_ticks(fig)
    return plots.finish(fig, "A large constant rate is fast but stalls on a noise floor; decaying it gets both")


def noise_floor_figure():
    """09_noise_floor.png."""
    return draw_noise_floor({label: noisy_quadratic(s) for label, s in noise_schedules().items()})


# --- 09_init_scales.png: signals through a deep MLP at initialisation -------------------------------------------
INIT_DEPTH, INIT_WIDTH, INIT_SAMPLES, INIT_SEED = 20, 256, 64, 0
#: (activation, init scheme) pairs: the right and the wrong scheme for ReLU and tanh, and sigmoid with Xavier.
INIT_CASES = (("relu", "he"), ("relu", "xavier"), ("tanh", "xavier"), ("tanh", "he"), ("sigmoid", "xavier"))


def signal_scales(activation, scheme, X, y, depth=INIT_DEPTH, width=INIT_WIDTH, seed=INIT_SEED):
    """Mean square of the pre-activations z_l, and the norm of dLoss/dW_l, for every hidden layer at init."""
    net = MLP([X.shape[1]] + [width] * depth + [10], activation)
    params = net.init(seed=seed, scheme=scheme)
    sigma = ACTIVATIONS[activation][0]
    a, z_ms = X, []
    for layer in range(1, depth + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        z_ms.append(float(np.mean(z**2)))
        a = sigma(z)
    _, grads = net.loss_and_grads(params, X, y)
    g_norm = [float(np.linalg.norm(grads[f"W{layer}"])) for layer in range(1, depth + 1)]
    return np.array(z_ms), np.array(g_norm)


def init_data(samples=INIT_SAMPLES):
    """The first *samples* MNIST training images and labels (the input of the init experiment)."""
    X, y, _, _ = datasets.load_mnist()
    return X[:samples], y[:samples]


#: Not optimizers, so black and greys: the activation sets the shade and the marker, the scheme the line style
#: and the marker fill (filled: the scheme derived for that activation; open: the other one).
_INIT_STYLE = {("relu", "he"): ("k", "-", "o", True), ("relu", "xavier"): ("k", "--", "o", False),
               ("tanh", "xavier"): ("0.5", "-", "^", True), ("tanh", "he"): ("0.5", "--", "^", False),
               ("sigmoid", "xavier"): ("0.7", ":", "D", True)}


def draw_init_scales(scales):
    """09_init_scales.png from ``{(activation, scheme): (z mean squares, gradient norms)}``."""
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    for (act, scheme), (z_ms, g_norm) in scales.items():
        c, ls, m, filled = _INIT_STYLE.get((act, scheme), ("k", "-", ".", True))
        layers = np.arange(1, len(z_ms) + 1)
        style = dict(color=c, marker=m, ms=4.5, lw=1.4, mfc=c if filled else "white", mec=c, mew=1.1,
                     label=f"{act}, {scheme} init")
        axes[0].semilogy(layers, z_ms, ls, **style)
        axes[1].semilogy(layers, g_norm, ls, **style)
    axes[0].set_ylabel(r"mean square of the pre-activations $z_l$")
    axes[0].set_title("forward: the signal")
    axes[1].set_ylabel(r"$\Vert \partial L/\partial W_l \Vert$")
    axes[1].set_title("backward: the gradients")
    depth = len(next(iter(scales.values()))[0])
    for ax in axes:
        ax.set_xlabel(f"hidden layer l (width {INIT_WIDTH})")
        ax.set_xticks([1] + list(range(5, depth + 1, 5)))
    _no_minor_ticks(fig)
    return plots.finish(fig, f"{depth} layers at initialisation: He keeps ReLU's signal at one scale, Xavier shrinks "
                             "it by about half per layer;\nsigmoid's gradients vanish even with Xavier",
                        legend_kw={"fontsize": 7})


def init_scales_figure():
    """09_init_scales.png."""
    X, y = init_data()
    return draw_init_scales({case: signal_scales(*case, X, y) for case in INIT_CASES})


# --- 09_gradient_noise.png: mini-batch gradient noise against the batch size -----------------------------------
#: batch sizes and Monte Carlo draws per batch size: the small batches are cheap and heavy-tailed (a few badly
#: classified images carry much of the variance), so they get more draws; the large ones are costly and steady.
GN_POPULATION, GN_BATCHES, GN_DRAWS, GN_SEED = 500, (1, 4, 16, 64, 256), (200, 100, 60, 40, 20), 0


def flat_grad(grads):
    """All gradient arrays of an MLP as one vector (in a fixed key order)."""
    return np.concatenate([grads[k].ravel() for k in sorted(grads)])


def per_example_sq_norms(net, params, X, y):
    """The squared norm of every example's own loss gradient (all weight and bias arrays together), in one
    batched pass: the forward pass keeps each layer's input a and pre-activation z; going backwards, the
    gradient of example i's loss with respect to W_l is the outer product a_i delta_i, so its squared norm is
    (||a_i||^2 + 1) ||delta_i||^2 with the bias.  Equal (to rounding) to summing the squares of
    ``net.loss_and_grads(params, X[i:i+1], y[i:i+1])`` example by example, which is 500 times slower."""
    phi, dphi = ACTIVATIONS[net.activation]
    a, cache = X, []
    for layer in range(1, net.n_layers + 1):
        z = a @ params[f"W{layer}"] + params[f"b{layer}"]
        cache.append((a, z))
        a = phi(z) if layer < net.n_layers else z
    p = np.exp(a - a.max(axis=1, keepdims=True))
    delta = p / p.sum(axis=1, keepdims=True)
    delta[np.arange(len(y)), y] -= 1.0  # d(loss_i)/d(logits_i): softmax minus one-hot
    sq = np.zeros(len(X))
    for layer in range(net.n_layers, 0, -1):
        a_in, _ = cache[layer - 1]
        sq += (np.sum(a_in**2, axis=1) + 1.0) * np.sum(delta**2, axis=1)
        if layer > 1:
            delta = (delta @ params[f"W{layer}"].T) * dphi(cache[layer - 2][1])
    return sq


def gradient_noise(net, params, X, y, batches=GN_BATCHES, draws=GN_DRAWS, seed=GN_SEED):
    """Monte Carlo E||g_B - g||^2 for each batch size B (*draws[k]* batches of size *batches[k]*, drawn without
    replacement from X), the full gradient's squared norm ||g||^2, and the per-example variance tr(Sigma)
    (from all N examples)."""
    N = len(X)
    g = flat_grad(net.loss_and_grads(params, X, y)[1])
    # g is the mean of the N per-example gradients g_i, so mean ||g_i - g||^2 = mean ||g_i||^2 - ||g||^2
    tr_sigma = float(np.mean(per_example_sq_norms(net, params, X, y)) - g @ g)
    rng = np.random.default_rng(seed)
    measured = []
    for B, n_draws in zip(batches, draws):
        dev = [np.sum((flat_grad(net.loss_and_grads(params, X[idx], y[idx])[1]) - g) ** 2)
               for idx in (rng.choice(N, B, replace=False) for _ in range(n_draws))]
        measured.append(float(np.mean(dev)))
    return np.array(measured), float(g @ g), tr_sigma


def predicted_noise(tr_sigma, B, N):
    """E||g_B - g||^2 for B of N examples drawn without replacement: tr(Sigma)/B (N - B)/(N - 1)."""
    B = np.asarray(B, dtype=float)
    return tr_sigma / B * (N - B) / (N - 1)


def draw_gradient_noise(points, batches=GN_BATCHES, population=GN_POPULATION):
    """09_gradient_noise.png from ``{label: (measured, ||g||^2, tr Sigma)}``."""
    fig, (ax,) = plots.figure(size=(6.4, 4.3))
    B = np.array(batches, dtype=float)
    fine = np.geomspace(B[0], B[-1], 50)
    for (label, (measured, g2, tr_sigma)), c, m in zip(points.items(), (INK, INK2), ("o", "s")):
        ax.loglog(B, measured, m, color=c, ms=6, label=f"{label}: measured E||g_B - g||² ({max(GN_DRAWS)} to "
                                                       f"{min(GN_DRAWS)} draws)")
        ax.loglog(fine, predicted_noise(tr_sigma, fine, population), "-", color=c, lw=1,
                  label=f"{label}: tr(Σ)/B · (N-B)/(N-1)")
        ax.axhline(g2, color=c, ls=":", lw=1, label=f"{label}: ||g||² (the signal); B_noise = {tr_sigma / g2:.0f}")
    ax.set_xlabel(f"batch size B (drawn from N = {population} training images)")
    ax.set_ylabel("squared norm")
    _no_minor_ticks(fig)
    return plots.finish(fig, "Mini-batch gradient noise falls like 1/B (MNIST MLP 784-128-10)",
                        legend_kw={"fontsize": 6.5})


def gradient_noise_points(population=GN_POPULATION, seed=GN_SEED):
    """The two points of the figure: the MLP at initialisation and after one epoch of SGD (lr 0.1, batch 32) on
    the 4000 training images; the noise is measured on the first *population* of them."""
    from ..training import train

    X, y, _, _ = datasets.load_mnist()
    net = MLP([784, 128, 10])
    p0 = net.init(seed=seed)
    p1 = train(net, p0, X, y, optimizer="sgd", hparams={"lr": 0.1}, epochs=1, batch_size=32, seed=seed,
               verbose=False).params
    return net, X[:population], y[:population], {"at initialisation": p0, "after 1 epoch of SGD": p1}


def gradient_noise_figure():
    """09_gradient_noise.png."""
    net, X, y, points = gradient_noise_points()
    return draw_gradient_noise({label: gradient_noise(net, p, X, y) for label, p in points.items()})


# --- 09_flat_vs_sharp.png: an illustration on a made-up 1-D landscape -------------------------------------------
#: f(x) = min(h_s/2 (x - a)^2, h_f/2 (x - b)^2): a sharp minimum at a and a flat one at b, both with loss 0.
FLAT_A, FLAT_HS, FLAT_B, FLAT_HF = -1.0, 50.0, 1.0, 2.0
FLAT_STARTS, FLAT_STEPS, FLAT_SEED = 500, 300, 0
FLAT_LRS = (0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.039, 0.042)
FLAT_NOISES = (0.0, 3.0, 6.0, 10.0)


def two_minima_grad(x, a=FLAT_A, hs=FLAT_HS, b=FLAT_B, hf=FLAT_HF):
    """The gradient of min(h_s/2 (x-a)^2, h_f/2 (x-b)^2), elementwise."""
    sharp = 0.5 * hs * (x - a) ** 2 < 0.5 * hf * (x - b) ** 2
    return np.where(sharp, hs * (x - a), hf * (x - b))


def in_sharp_basin(x, a=FLAT_A, hs=FLAT_HS, b=FLAT_B, hf=FLAT_HF):
    return 0.5 * hs * (x - a) ** 2 < 0.5 * hf * (x - b) ** 2


def two_minima_runs(lr, noise, starts=FLAT_STARTS, steps=FLAT_STEPS, seed=FLAT_SEED):
    """Final positions of *starts* independent SGD runs (starts uniform on [-3, 4]), gradient noise N(0, noise^2)."""
    sgd = get("sgd")
    rng = np.random.default_rng(seed)
    x, state = rng.uniform(-3.0, 4.0, starts), None
    for _ in range(steps):
        x, state = sgd.step(x, two_minima_grad(x) + noise * rng.standard_normal(starts), state, {"lr": lr})
    return x


def draw_flat_vs_sharp(fractions, lrs=FLAT_LRS, example=None):
    """09_flat_vs_sharp.png from ``{noise: fraction in the sharp basin per lr}`` and optional example
    ``{label: final positions}`` for the left panel."""
    fig, axes = plots.figure(2, size=(5.2, 4.0))
    xs = np.linspace(-2.5, 3.0, 600)
    f = np.minimum(0.5 * FLAT_HS * (xs - FLAT_A) ** 2, 0.5 * FLAT_HF * (xs - FLAT_B) ** 2)
    axes[0].plot(xs, f, color=INK, lw=1.5, label="loss f(x)")
    axes[0].set_ylim(0, 6)
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("loss f(x)")
    if example:
        twin = axes[0].twinx()
        for (label, x), c in zip(example.items(), (plots.color("sgd"), "0.7")):
            twin.hist(x, bins=np.linspace(-2.5, 3.0, 56), weights=np.full(len(x), 1.0 / len(x)), color=c,
                      alpha=0.55, label=f"final x: {label}")
        twin.set_ylim(0, 1.0)
        twin.set_ylabel("share of the runs ending in each bin")
        twin.set_xlabel("x")
        lines = axes[0].get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        axes[0].legend(lines, [h.get_label() for h in lines], fontsize=7, loc="upper right")
    axes[0].set_title(f"sharp minimum (curvature {FLAT_HS:g}) and flat one ({FLAT_HF:g}), same loss")
    for (noise, frac), ls in zip(fractions.items(), ("-", "--", "-.", ":")):
        axes[1].plot(lrs, frac, ls, marker="o", ms=3.5, color=plots.color("sgd"), lw=1.4,
                     label="gradient descent (no noise)" if noise == 0 else f"SGD, gradient noise std {noise:g}")
    axes[1].axvline(2 / FLAT_HS, color=INK2, lw=1, ls=":")
    axes[1].text(2 / FLAT_HS + 0.0003, 0.62, "2/h_sharp = 0.04", fontsize=7, color=INK2, ha="left", va="center",
                 rotation=90, transform=axes[1].get_xaxis_transform())
    axes[1].set_xlabel("learning rate")
    axes[1].set_ylabel(f"share of {FLAT_STARTS} runs ending in the sharp basin")
    axes[1].set_title(f"after {FLAT_STEPS} steps from uniform starts on [-3, 4]")
    axes[1].legend(fontsize=7, loc="lower left")
    return plots.finish(fig, "Illustration (made-up 1-D landscape): a large learning rate and gradient noise "
                             "steer SGD away from the sharp minimum", legend=False)


def flat_vs_sharp_figure():
    """09_flat_vs_sharp.png."""
    fractions = {noise: [float(np.mean(in_sharp_basin(two_minima_runs(lr, noise)))) for lr in FLAT_LRS]
                 for noise in FLAT_NOISES}
    example = {"gradient descent, lr 0.02": two_minima_runs(0.02, 0.0),
               "SGD, lr 0.02, noise std 6": two_minima_runs(0.02, 6.0)}
    return draw_flat_vs_sharp(fractions, example=example)


# --- 09_lr_finder.png: the LR range test, done right --------------------------------------------------------------
LRF_OPTIMIZERS = ("sgd", "momentum", "adam")
LRF_MIN, LRF_MAX, LRF_STEPS, LRF_BATCH, LRF_SEED = 1e-6, 10.0, 200, 32, 0
LRF_SKIP, LRF_WINDOW = 10, 0.25  # steps ignored at the start; half-width of the slope window, in decades


def suggest_lr(result, skip=LRF_SKIP, window=LRF_WINDOW):
    """The lr where the smoothed loss of an LR range test falls fastest, measured robustly.

    The slope of the smoothed loss against log10(lr) is taken between the points *window* decades to
    each side (not between neighbouring steps, where the sweep's noise dominates), only after the first
    *skip* steps (where the moving average still holds a handful of losses) and only up to the minimum
    of the smoothed loss.  Returns the lr at the steepest descent; falls back to a tenth of the lr at the
    minimum when the descent is too short to measure.
    """
    s, lrs = np.asarray(result.smoothed), np.asarray(result.lrs)
    i_min = int(np.argmin(s))
    if i_min - skip < 3:
        return float(lrs[i_min] / 10)
    logs = np.log10(lrs)
    w = max(1, int(round(window / (logs[1] - logs[0]))))
    idx = np.arange(skip, i_min + 1)
    lo, hi = np.clip(idx - w, 0, len(s) - 1), np.clip(idx + w, 0, len(s) - 1)
    slope = (s[hi] - s[lo]) / (logs[hi] - logs[lo])
    return float(lrs[idx[int(np.argmin(slope))]])


def lr_finder_data(optimizers=LRF_OPTIMIZERS, batch_size=LRF_BATCH, seed=LRF_SEED):
    """``{optimizer: LRFinderResult}`` on the tuning benchmark's training split (MNIST 784-128-10)."""
    Xfit, yfit, *_ = tuning.BENCHMARKS["mnist_b32"].data()
    net = MLP([784, 128, 10])
    return {opt: lr_range_test(net, net.init(seed=seed), Xfit, yfit, optimizer=opt,
                               hparams=tuning.with_lr(opt, LRF_MIN), lr_min=LRF_MIN, lr_max=LRF_MAX,
                               steps=LRF_STEPS, batch_size=batch_size, seed=seed)
            for opt in optimizers}


def draw_lr_finder(found, tuned):
    """09_lr_finder.png from ``{optimizer: LRFinderResult}`` and ``{optimizer: tuned lr}``."""
    fig, axes = plots.figure(len(found), size=(4.0, 3.6))
    for ax, (opt, r) in zip(axes, found.items()):
        c = plots.color(opt)
        ax.semilogx(r.lrs, r.losses, color=c, alpha=0.25, lw=0.8, label="mini-batch loss")
        ax.semilogx(r.lrs, r.smoothed, color=c, lw=1.8, label=f"{opt}: smoothed loss")
        if r.diverged:
            ax.plot(r.lrs[-1], min(r.smoothed[-1], 3.3), "x", color=c, ms=8, mew=2, label="stopped: diverging")
        ours = suggest_lr(r)
        ax.axvline(ours, color=c, ls="--", lw=1.4, label=f"steepest descent (windowed): {ours:.2g}")
        ax.axvline(r.suggestion, color=c, ls=":", lw=1.2, label=f"lr_range_test's suggestion: {r.suggestion:.2g}")
        ax.axvspan(tuned[opt] / 10**0.25, tuned[opt] * 10**0.25, color=INK2, alpha=0.25, lw=0,
                   label=f"tuned lr (tuning.json): {tuned[opt]:.2g}")
        ax.set_ylim(0, 3.5)
        ax.set_xlabel("learning rate (log scale; one step each)")
        ax.set_ylabel("training loss")
        ax.set_title(opt)
    _no_minor_ticks(fig)
    return plots.finish(fig, f"LR range test, MNIST MLP 784-128-10, batch {LRF_BATCH}: the windowed steepest "
                             "descent lands near the tuned rate", legend_kw={"fontsize": 6.5, "loc": "lower left"})


def tuned_lrs(optimizers=LRF_OPTIMIZERS, benchmark="mnist_b32", results=None):
    """``{optimizer: best lr}`` from the fair-tuning results."""
    results = tuning.load() if results is None else results
    return {opt: results["benchmarks"][benchmark]["optimizers"][opt]["best_lr"] for opt in optimizers}


def lr_finder_figure():
    """09_lr_finder.png."""
    return draw_lr_finder(lr_finder_data(), tuned_lrs())


# --- small pictures the notebook draws from its own runs (not written by the tour) -------------------------------

def draw_curves(ax, curves, names, styles=("-", "--", ":", "-.")):
    """Lines ``{label: y}`` against their index on *ax*, each in the colour of ``names[label]``."""
    for (label, y), ls in zip(curves.items(), styles):
        ax.plot(np.arange(len(y)), y, ls, color=plots.color(names[label]), lw=1.4, label=label)


#: file name -> figure function
FIGURES = {
    "09_schedules.png": schedules_figure,
    "09_noise_floor.png": noise_floor_figure,
    "09_init_scales.png": init_scales_figure,
    "09_gradient_noise.png": gradient_noise_figure,
    "09_flat_vs_sharp.png": flat_vs_sharp_figure,
    "09_lr_finder.png": lr_finder_figure,
}
