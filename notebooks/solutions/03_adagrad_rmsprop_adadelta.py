"""Solutions to the exercises of notebook 03 (AdaGrad, RMSprop, Adadelta).

Each ``exercise_N()`` computes its answer with optimlab, asserts it against a value derived independently (a formula,
a hand computation, or an experiment's outcome with honest margins) and returns it.
"""

import numpy as np

import optimlab
from optimlab import landscapes
from optimlab.optimizers import adadelta, adagrad, rmsprop, sgd

NO_EPS = 1e-300  # optimlab requires eps > 0; this one changes none of the sums below: AdaGrad without epsilon


def exercise_1():
    """AdaGrad, constant gradient 5, lr 0.1: the step at t = 100 and the distance after 100 steps."""
    lr, g, T = 0.1, 5.0, 100
    theta, state, path = np.zeros(1), None, [0.0]
    for _ in range(T):
        theta, state = adagrad.step(theta, np.array([g]), state, {"lr": lr, "eps": NO_EPS})
        path.append(float(theta[0]))
    step_100, distance = abs(path[-1] - path[-2]), abs(path[-1])
    # h_t = t g^2, so each step is lr / sqrt(t) whatever g is
    assert np.isclose(step_100, lr / np.sqrt(T), rtol=1e-12)
    # the distance is lr * sum_{t <= T} t^(-1/2), bounded by the integrals 2 sqrt(T+1) - 2 and 2 sqrt(T) - 1
    assert np.isclose(distance, lr * sum(t ** -0.5 for t in range(1, T + 1)), rtol=1e-12)
    assert lr * (2 * np.sqrt(T + 1) - 2) <= distance <= lr * (2 * np.sqrt(T) - 1)
    return step_100, distance  # 0.01, 1.859


def _adagrad_path(f, steps=100, lr=1.0):
    x, state, path = f.start.copy(), None, [f.start.copy()]
    for _ in range(steps):
        x, state = adagrad.step(x, f.grad(x), state, {"lr": lr, "eps": NO_EPS})
        path.append(x)
    return np.array(path)


def exercise_2():
    """Axis-aligned ravine: AdaGrad's trajectory does not depend on the condition number; rotated, it does."""
    aligned = [_adagrad_path(landscapes.ravine(condition=k, angle=0.0)) for k in (100.0, 10_000.0)]
    rotated = [_adagrad_path(landscapes.ravine(condition=k, angle=np.pi / 4)) for k in (100.0, 10_000.0)]
    same = np.abs(aligned[0] - aligned[1]).max()
    differ = np.abs(rotated[0] - rotated[1]).max()
    # derivation 1: the curvature a_i cancels from AdaGrad's update of coordinate i (eps negligible): identical paths
    assert same < 1e-12, same
    # rotated: the coordinates mix both curvatures, nothing cancels
    assert differ > 0.1, differ
    return same, differ


def exercise_3():
    """RMSprop on f = a x^2 / 2 ends in a 2-cycle of amplitude lr / 2, whatever a."""
    lr, out = 0.01, {}
    for a in (0.1, 10.0):
        x, state = np.array([1.0]), None
        for _ in range(5000):
            x, state = rmsprop.step(x, a * x, state, {"lr": lr})
        x2, state = rmsprop.step(x, a * x, state, {"lr": lr})
        out[a] = (float(x[0]), float(x2[0]))
        assert np.isclose(abs(x[0]), lr / 2, rtol=1e-3) and np.isclose(x2[0], -x[0], rtol=1e-3), out[a]
    # the loss at the cycle, a (lr/2)^2 / 2 = a lr^2 / 8, scales with a: final losses compare curvatures, not optimizers
    return out


def exercise_4():
    """RMSprop in CS231n's signature passes optimlab.check; with eps inside the root the checker names the slip."""

    def make(eps_inside=False):
        def rmsprop_cs231n(w, dw, config=None):
            if config is None:
                config = {}
            config.setdefault("learning_rate", 1e-2)
            config.setdefault("decay_rate", 0.99)
            config.setdefault("epsilon", 1e-8)
            config.setdefault("cache", np.zeros_like(w))
            rho = config["decay_rate"]
            config["cache"] = rho * config["cache"] + (1 - rho) * dw**2
            if eps_inside:
                denominator = np.sqrt(config["cache"] + config["epsilon"])
            else:
                denominator = np.sqrt(config["cache"]) + config["epsilon"]
            return w - config["learning_rate"] * dw / denominator, config

        return rmsprop_cs231n

    good = optimlab.check(make(), "rmsprop", signature="cs231n")
    assert good.ok, str(good)
    slip = optimlab.check(make(eps_inside=True), "rmsprop", signature="cs231n")
    assert not slip.ok and any("inside the square root" in d for d in slip.diagnosis), str(slip)
    return str(good), str(slip)


def exercise_5():
    """AdaGrad in optimlab's signature (PyTorch's form) passes; the Keras form passes against eps_inside_sqrt=True."""

    def make(eps_inside=False):
        def my_adagrad(params, grads, state, hparams):
            if state is None:
                state = {"t": 0, "h": {k: np.full_like(p, hparams["initial_accumulator_value"]) for k, p in params.items()}}
            t = state["t"] + 1
            lr = hparams["lr"] / (1 + (t - 1) * hparams["lr_decay"])
            new, h = {}, {}
            for k, p in params.items():
                g = grads[k] + hparams["weight_decay"] * p
                h[k] = state["h"][k] + g * g
                if eps_inside:
                    d = np.sqrt(h[k] + hparams["eps"])
                else:
                    d = np.sqrt(h[k]) + hparams["eps"]
                new[k] = p - lr * g / d
            return new, {"t": t, "h": h}

        return my_adagrad

    report = optimlab.check(make(), "adagrad")
    assert report.ok, str(report)
    keras = make(eps_inside=True)
    assert not optimlab.check(keras, "adagrad").ok  # PyTorch's form is the default
    keras_report = optimlab.check(keras, "adagrad", hparams={"eps_inside_sqrt": True})
    assert keras_report.ok, str(keras_report)
    return str(report), str(keras_report)


def exercise_6():
    """A coordinate with a gradient one step in 100 keeps a ~sqrt(100) = 10 times larger AdaGrad rate."""
    rng = np.random.default_rng(0)
    T = 10_000
    theta, state = np.zeros(2), None
    for _ in range(T):
        g = rng.standard_normal(2)
        g[1] *= rng.random() < 0.01
        theta, state = adagrad.step(theta, g, state, {"lr": 0.01})
    h = state["slots"]["param"]["h"]
    ratio = float(np.sqrt(h[0] / h[1]))  # rate_rare / rate_frequent = sqrt(h_frequent / h_rare)
    # h_frequent ~ T E[g^2] = 10,000, h_rare ~ 0.01 T E[g^2] = 100 (about 100 terms, so ~10% sampling noise)
    assert 8.0 < ratio < 12.5, ratio
    return ratio


def _sparse(opt, lr, noise, steps=2000, copies=200, seed=0):
    probs = np.array([1.0, 0.03, 0.003])
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal((copies, 3))
    X = rng.standard_normal((steps, copies, 3)) * (rng.random((steps, copies, 3)) < probs)
    y = np.sum(X * w_true, axis=2) + noise * rng.standard_normal((steps, copies))
    w, state = np.zeros((copies, 3)), None
    for t in range(steps):
        residual = np.sum(w * X[t], axis=1) - y[t]
        w, state = opt.step(w, residual[:, None] * X[t], state, {"lr": lr})
    return np.median(np.abs(w - w_true), axis=0)


def exercise_7():
    """Without label noise constant-rate SGD has no noise floor on the frequent weight; with noise it does."""
    errors = {(name, noise): _sparse(opt, 0.316, noise) for name, opt in (("sgd", sgd), ("adagrad", adagrad))
              for noise in (0.0, 0.1)}
    # no noise: every example is consistent with w*, a constant rate converges to it exactly (to rounding)
    assert errors[("sgd", 0.0)][0] < 1e-8, errors
    # noise 0.1: the constant rate keeps jittering; AdaGrad's decaying per-coordinate rate anneals it
    assert errors[("sgd", 0.1)][0] > 0.02 and errors[("adagrad", 0.1)][0] < 0.5 * errors[("sgd", 0.1)][0], errors
    return errors


def exercise_8():
    """Adadelta's step under a constant gradient grows like sqrt((1 - rho) eps t)."""
    rho, eps, T = 0.9, 1e-6, 4000
    theta, state, sizes = np.zeros(1), None, []
    for _ in range(T):
        new, state = adadelta.step(theta, np.array([1.0]), state, {"rho": rho, "eps": eps})
        sizes.append(abs(new[0] - theta[0]))
        theta = new
    predicted = np.sqrt((1 - rho) * eps * T)  # 0.02
    assert abs(sizes[-1] / predicted - 1) < 0.03, (sizes[-1], predicted)
    steps_to_01 = 0.1**2 / ((1 - rho) * eps)  # (1 - rho) eps t = 0.01  ->  t = 100,000 steps
    assert np.isclose(steps_to_01, 1e5)
    return sizes[-1], predicted, steps_to_01
