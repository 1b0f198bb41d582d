"""Solutions to the exercises of notebook 09 (training techniques: schedules, initialisation, accumulation, ...).

Each ``exercise_K()`` computes its answer with optimlab, asserts it against a value derived
independently (a formula, a hand computation, or an experiment's outcome with honest margins), and
returns it.  The test suite calls them all; each runs in a second or two.
"""

import math

import numpy as np

import optimlab
from optimlab import datasets, schedules, train, tuning
from optimlab.figures import ch09
from optimlab.mlp import MLP
from optimlab.optimizers import get, sgd


def exercise_1():
    """CosineAnnealingLR(T_max=100) stepped once per epoch: after 10 steps 1/2 (1 + cos(pi/10)) = 0.9755 of the rate
    is left; PyTorch's cosine keeps going past T_max, so at epoch 150 the rate is back at half the initial one."""
    s = schedules.cosine(1.0, T_max=100)
    after_10 = s(10)
    assert abs(after_10 - 0.5 * (1 + math.cos(math.pi / 10))) < 1e-12 and after_10 > 0.97
    assert s(100) < 1e-12  # the minimum at T_max
    assert abs(s(150) - 0.5) < 1e-12  # 1/2 (1 + cos(1.5 pi)) = 1/2: rising again
    assert schedules.cosine(1.0, T_max=100, hold=True)(150) == 0.0  # Keras / optax hold the final value
    return {"after 10 epochs": after_10, "epoch 100": s(100), "epoch 150": s(150)}


def exercise_2():
    """Summed micro-batch gradients are k times the mean, so lr / k = 0.025 reproduces batch 96 at lr 0.1 exactly.

    ``train`` draws ``rng = np.random.default_rng(seed)`` once (seed 0) and ``rng.permutation(n)`` every epoch; its
    batch j of 96 is then micro-batches 4j ... 4j + 3 of 24 of that order."""
    X, y, _, _ = datasets.load_mnist()
    X, y = X[:960], y[:960]
    net = MLP([784, 128, 10])
    p0 = net.init(seed=0)
    big = train(net, p0, X, y, optimizer="sgd", hparams={"lr": 0.1}, epochs=1, batch_size=96, seed=0, verbose=False)
    order = np.random.default_rng(0).permutation(len(X))  # train's shuffling of the first epoch with seed 0
    params, state, k, lr = p0, None, 4, 0.1 / 4
    for start in range(0, len(X), 96):
        summed = None
        for j in range(k):
            idx = order[start + 24 * j:start + 24 * (j + 1)]
            _, g = net.loss_and_grads(params, X[idx], y[idx])
            summed = g if summed is None else {name: summed[name] + g[name] for name in g}
        params, state = sgd.step(params, summed, state, {"lr": lr})
    diff = max(float(np.abs(params[name] - big.params[name]).max()) for name in p0)
    assert diff < 1e-12, diff
    return {"lr": lr, "max_difference": diff}


def exercise_3():
    """Xavier on ReLU: E[z_next^2] = n_in Var[W] E[a^2] = n_in * 2/(n_in + n_out) * 1/2 E[z^2]
    = n_in/(n_in + n_out) E[z^2].

    For 1024-512-256-128-64-32 the layers after the first each have n_in = 2 n_out: factor 2/3 per layer, (2/3)^4 =
    0.1975 from z_1 to z_5.  The narrow last layers make each draw's gain random (about +-50%), so the measurement
    averages 20 initialisations on 500 Gaussian inputs (standard error about 5%).
    """
    sizes = [1024, 512, 256, 128, 64, 32]
    predicted = np.prod([n_in / (n_in + n_out) for n_in, n_out in zip(sizes[1:-1], sizes[2:])])
    assert abs(predicted - (2 / 3) ** 4) < 1e-12
    net = MLP(sizes)
    X = np.random.default_rng(0).standard_normal((500, sizes[0]))
    ratios = []
    for seed in range(20):
        p = net.init(seed=seed, scheme="xavier")
        a, z_ms = X, []
        for layer in range(1, len(sizes)):
            z = a @ p[f"W{layer}"] + p[f"b{layer}"]
            z_ms.append(np.mean(z**2))
            a = np.maximum(z, 0.0)
        ratios.append(z_ms[-1] / z_ms[0])
    measured = float(np.mean(ratios))
    assert abs(measured / predicted - 1) < 0.15, (measured, predicted)
    return {"predicted": float(predicted), "measured": measured}


def velocity_momentum(w, dw, config=None):
    """Momentum in CS231n's velocity form: u = mu u - lr g; w = w + u (the student's implementation, CS231n's
    signature ``fn(w, dw, config) -> (next_w, config)``; CS231n calls the velocity v)."""
    config = dict(config or {})
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def exercise_4():
    """The velocity form equals optimlab's b = mu b + g; theta -= lr b whenever lr is constant (u = -lr b), so check
    passes with a note; under a schedule the velocity keeps the old rate: with lr 0.1 -> 0.01 at step 20 the two
    paths agree on steps 1..20 and part at step 21, the first step taken at the new rate."""
    report = optimlab.check(velocity_momentum, "momentum", signature="cs231n")
    assert report.ok and any("velocity" in d for d in report.diagnosis), str(report)
    schedule = schedules.step_decay(0.1, step_size=20, gamma=0.1)
    momentum = get("momentum")
    ours, theirs = np.array([1.0]), np.array([1.0])
    state, config, paths = None, {"momentum": 0.9}, ([], [])
    for t in range(40):
        ours, state = momentum.step(ours, ours.copy(), state, {"lr": schedule(t), "momentum": 0.9})  # grad of x^2/2
        config["learning_rate"] = schedule(t)
        theirs, config = velocity_momentum(theirs, theirs.copy(), config)
        paths[0].append(float(ours[0]))
        paths[1].append(float(theirs[0]))
    diff = np.abs(np.array(paths[0]) - np.array(paths[1]))
    first = int(np.argmax(diff > 1e-12)) + 1  # 1-based step
    assert diff[:20].max() < 1e-12 and first == 21, (diff[:22], first)
    return {"check_ok": report.ok, "note": report.diagnosis[0], "first_different_step": first,
            "gap_after_40_steps": float(diff[-1])}


def exercise_5():
    """With batch B the noise variance is sigma^2 / B, so the floor is eta sigma^2 / (2 B (2 - eta h)): a function of
    eta / B up to the factor (2 - eta h).  (0.1, 1): 0.0263; (0.4, 4): 0.0313, within 20% (+18.75%: 1.9 / 1.6, from the
    factor 2 - eta h); (0.1, 4): a quarter."""
    h, sigma = 1.0, 1.0

    def floor(eta, B):
        return eta * sigma**2 / (2 * B * (2 - eta * h))

    measured = {}
    for eta, B in ((0.1, 1), (0.4, 4), (0.1, 4)):
        curve = ch09.noisy_quadratic(schedules.constant(eta), h=h, sigma=sigma / np.sqrt(B), theta0=0.0,
                                     runs=4000, steps=600, seed=1)
        measured[(eta, B)] = float(np.mean(curve[200:]))
        assert abs(measured[(eta, B)] / floor(eta, B) - 1) < 0.06, (eta, B, measured[(eta, B)], floor(eta, B))
    same = measured[(0.4, 4)] / measured[(0.1, 1)]
    quarter = measured[(0.1, 4)] / measured[(0.1, 1)]
    predicted_same = floor(0.4, 4) / floor(0.1, 1)  # (2 - 0.1) / (2 - 0.4) = 1.1875
    assert abs(predicted_same - 1.1875) < 1e-12 and same < 1.2 and abs(same / predicted_same - 1) < 0.03, same
    assert 0.22 < quarter < 0.28, quarter
    return {"measured": measured, "ratio_same_eta_over_B": same, "ratio_4x_batch": quarter}


def exercise_6():
    """The windowed steepest-descent rule on two more optimizers at batch 32 (a 100-step sweep, to keep it short):
    within one decade of the tuned rate for RMSprop (4.0e-3 vs 1e-3); more than a decade above it for Lion (4.0e-3 vs
    1e-4).  Lion's steps are sign(.) * lr in every coordinate, whatever the gradient's size, so in a short sweep its
    loss falls fastest at rates that are too large for 8 epochs of training."""
    results = tuning.load()
    Xfit, yfit, *_ = tuning.BENCHMARKS["mnist_b32"].data()
    net = MLP([784, 128, 10])
    out = {}
    for opt in ("rmsprop", "lion"):
        r = optimlab.lr_range_test(net, net.init(seed=0), Xfit, yfit, optimizer=opt, lr_min=1e-6, lr_max=10.0,
                                   steps=100, batch_size=32, seed=0)
        tuned = results["benchmarks"]["mnist_b32"]["optimizers"][opt]["best_lr"]
        out[opt] = (ch09.suggest_lr(r), tuned, float(np.log10(ch09.suggest_lr(r) / tuned)))
    assert abs(out["rmsprop"][2]) <= 1.0, out
    assert out["lion"][2] > 1.0, out
    return out
