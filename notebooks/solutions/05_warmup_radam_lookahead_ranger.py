"""Solutions to the exercises of notebook 05 (warm-up, RAdam, Lookahead, Ranger).

Each ``exercise_K()`` computes the answer with optimlab, asserts it against a value derived independently
(a formula written out here, a hand computation, or the outcome of an experiment with honest margins) and
returns it.  The test suite calls every one of them.
"""

import math

import numpy as np

import optimlab
from optimlab import landscapes, tuning
from optimlab.optimizers import adam, get, lookahead, radam


def _rho(t, beta2):
    """rho_t written out from the paper (independent of optimlab's radam.rho)."""
    return (2 / (1 - beta2) - 1) - 2 * t * beta2**t / (1 - beta2**t)


def _r(t, beta2):
    """The rectification term written out from the paper."""
    rho_t, rho_inf = _rho(t, beta2), 2 / (1 - beta2) - 1
    return math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))


def exercise_1():
    """RAdam with beta2 = 0.99 on a constant gradient 1 (lr 0.1): 5 momentum steps of 0.1, then 0.1 * r_6."""
    lr, beta2 = 0.1, 0.99
    # prediction: rho_5 = 4.96 <= 5 < rho_6 = 5.94, so t = 1..5 are momentum steps lr * m_hat = lr * 1 (m_hat of a
    # constant gradient is the gradient), and t = 6 is the first rectified step
    # lr * r_6 * m_hat / sqrt(v_hat) = lr * r_6
    momentum_steps = max(t for t in range(1, 20) if _rho(t, beta2) <= 5)
    assert momentum_steps == 5
    predicted = [lr] * 5 + [lr * _r(t, beta2) for t in (6, 7, 8)]
    theta, state, sizes, adam_sizes = np.zeros(1), None, [], []
    x_a, s_a = np.zeros(1), None
    for _ in range(8):
        new, state = radam.step(theta, np.ones(1), state, {"lr": lr, "beta2": beta2})
        sizes.append(abs(new[0] - theta[0]))
        theta = new
        new_a, s_a = adam.step(x_a, np.ones(1), s_a, {"lr": lr, "beta2": beta2})
        adam_sizes.append(abs(new_a[0] - x_a[0]))
        x_a = new_a
    np.testing.assert_allclose(sizes, predicted, rtol=1e-6)
    # Adam: m_hat = 1 and v_hat = 1 exactly for a constant gradient 1, so every step is lr (eps is negligible)
    np.testing.assert_allclose(adam_sizes, lr, rtol=1e-6)
    assert abs(sizes[5] / lr - 0.0817) < 1e-4  # r_6 for beta2 = 0.99: 8% of Adam's step
    return {"momentum_steps": momentum_steps, "radam_step_sizes": sizes, "adam_step_sizes": adam_sizes}


def exercise_2():
    """Lookahead over divergent SGD (lr 2.1) on the ravine: k = 5 converges (c = -0.305), k = 4 diverges (c = 1.23)."""
    f = landscapes.ravine(condition=100.0, angle=0.5)
    _, vecs = np.linalg.eigh(f.A)
    flat, steep = vecs[:, 0], vecs[:, 1]
    lr, alpha, steps = 2.1, 0.5, 300
    out = {}
    for k in (5, 4):
        q_steep, q_flat = 1 - lr * 1.0, 1 - lr * 0.01
        c_steep, c_flat = 1 - alpha + alpha * q_steep**k, 1 - alpha + alpha * q_flat**k
        x, state = f.start.copy(), None
        for _ in range(steps):
            x, state = lookahead.step(x, f.grad(x), state, {"inner": "sgd", "inner_hparams": {"lr": lr}, "k": k,
                                                            "alpha": alpha})
        syncs = steps // k  # 300 is a multiple of 5 and 4: x is the slow weights
        np.testing.assert_allclose(x @ steep, (f.start @ steep) * c_steep**syncs, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(x @ flat, (f.start @ flat) * c_flat**syncs, rtol=1e-6)
        out[k] = {"c_steep": c_steep, "c_flat": c_flat, "distance": float(np.linalg.norm(x))}
    start = float(np.linalg.norm(f.start))
    assert abs(out[5]["c_steep"] + 0.305) < 1e-3 and out[5]["distance"] < 0.1 * start   # converges (flat axis last)
    assert out[4]["c_steep"] > 1.2 and out[4]["distance"] > 1e5 * start               # q^4 > 0: no cancellation
    # SGD alone diverges across the ravine: |q| = 1.1 per step
    x, state = f.start.copy(), None
    for _ in range(50):
        x, state = get("sgd").step(x, f.grad(x), state, {"lr": lr})
    assert abs(x @ steep) > 50 * abs(f.start @ steep)
    return out


def exercise_3():
    """rho_1 = 1; rho_t = t - (t^2 - 1) delta / 6 + O(delta^2); within 2% of t for about 0.12 / delta steps."""
    for beta2 in (0.5, 0.9, 0.99, 0.999, 0.9999):
        assert abs(radam.rho(1, beta2) - 1.0) < 1e-9          # (a): 2 beta2/(1-beta2) + 1 - 2 beta2/(1-beta2)
    delta = 1e-3
    t = np.arange(2, 201)
    series = t - (t**2 - 1) * delta / 6
    exact = radam.rho(t, 1 - delta)
    # (b): the remainder is second order: below (t delta)^2 * t / 10 for t delta <= 0.2
    assert np.all(np.abs(exact - series) <= 0.1 * (t * delta) ** 2 * t + 1e-9)
    # (c): rho_t / t >= 0.98  <=>  (t^2 - 1) delta / (6 t) <= 0.02  <=>  t <= about 0.12 / delta = 120
    last = max(int(s) for s in range(1, 1000) if radam.rho(s, 1 - delta) / s >= 0.98)
    assert abs(last - 0.12 / delta) <= 2
    return {"rho_1": 1.0, "steps_within_2_percent": last,
            "max_series_error_t_le_200": float(np.abs(exact - series).max())}


def my_radam(threshold=5):
    """A student's RAdam (PyTorch's form) in optimlab's signature."""

    def step(params, grads, state, hp):
        if state is None:
            state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
                     "v": {k: np.zeros_like(p) for k, p in params.items()}}
        t, b1, b2 = state["t"] + 1, hp["beta1"], hp["beta2"]
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        out, m, v = {}, {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            m[k] = b1 * state["m"][k] + (1 - b1) * g
            v[k] = b2 * state["v"][k] + (1 - b2) * g * g
            m_hat = m[k] / (1 - b1**t)
            if rho_t > threshold:
                r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                out[k] = p - hp["lr"] * r_t * math.sqrt(1 - b2**t) * m_hat / (np.sqrt(v[k]) + hp["eps"])
            else:
                out[k] = p - hp["lr"] * m_hat
        return out, {"t": t, "m": m, "v": v}

    return step


def exercise_4():
    """The student's RAdam passes optimlab.check; with the paper's threshold 4 it departs at step 5 and is named."""
    report = optimlab.check(my_radam(), "radam")
    assert report.ok, str(report)
    report4 = optimlab.check(my_radam(threshold=4), "radam")
    assert not report4.ok and report4.first_bad_step == 5     # rho_5 = 4.996: rectified by 4, not by 5
    assert any("rho_t > 4" in d for d in report4.diagnosis), str(report4)
    return {"threshold_5": str(report), "threshold_4": str(report4)}


def my_lookahead(params, grads, state, hp):
    """Lookahead with the lecture's formula: slow <- alpha * slow + (1 - alpha) * fast (alpha on the slow side)."""
    inner = get(hp["inner"])
    state = state or {"t": 0, "slow": {k: p.copy() for k, p in params.items()}, "inner": None}
    fast, inner_state = inner.step(params, grads, state["inner"], hp["inner_hparams"])
    t, slow = state["t"] + 1, state["slow"]
    if t % hp["k"] == 0:
        a = hp["alpha"]
        slow = {k: a * slow[k] + (1 - a) * fast[k] for k in fast}
        fast = {k: s.copy() for k, s in slow.items()}
    return fast, {"t": t, "slow": slow, "inner": inner_state}


def exercise_5():
    """The lecture's Lookahead fails the check on the probe that moves alpha; its alpha is optimlab's 1 - alpha."""
    report = optimlab.check(my_lookahead, "lookahead")
    assert not report.ok
    assert any("alpha on the slow weights' side" in d for d in report.diagnosis), str(report)
    given = report.probes[0]
    assert given[1] is None, str(report)                    # the given hparams (alpha = 0.5): no departure
    # reproduce the student's alpha = 0.8 with optimlab's alpha = 0.2
    rng = np.random.default_rng(0)
    p0 = {"w": rng.standard_normal(5)}
    hp = {"inner": "adam", "inner_hparams": {"lr": 0.05}, "k": 3}
    a, sa, b, sb = p0, None, p0, None
    for _ in range(12):
        g = {"w": rng.standard_normal(5)}
        a, sa = my_lookahead(a, g, sa, {**hp, "alpha": 0.8})
        b, sb = lookahead.step(b, g, sb, {**hp, "alpha": 0.2})
    np.testing.assert_allclose(a["w"], b["w"], rtol=1e-12, atol=1e-15)
    return {"report": str(report), "optimlab_alpha_for_lecture_0.8": 0.2}


def _window(grid, scores, tolerance=0.2):
    """Width in decades of the grid rates whose score is within *tolerance* of the best (written out here,
    independently of optimlab.tuning.window)."""
    best = min(s for s in scores if s is not None)
    good = [lr for lr, s in zip(grid, scores) if s is not None and s <= best * (1 + tolerance)]
    return math.log10(max(good) / min(good))


def exercise_6():
    """The lr window (decades within 20% of the best validation loss) of Adam, RAdam, Lookahead and Ranger on both
    MNIST benchmarks, and the cost of the common default 1e-3 on mnist_b32: RAdam is not more forgiving than Adam."""
    results = tuning.load()
    out = {}
    for bench in ("mnist_b32", "mnist_b256"):
        entry = results["benchmarks"][bench]["optimizers"]
        for name in ("adam", "radam", "lookahead", "ranger"):
            grid, scores = entry[name]["grid"], entry[name]["scores"]
            width = tuning.window(results, bench, name)
            assert abs(width - _window(grid, scores)) < 1e-12      # the library's measure is the one written out here
            assert abs(2 * width - round(2 * width)) < 1e-9 and 0 <= width <= 2   # half-decade grid steps
            row = {"best_lr": entry[name]["best_lr"], "window_decades": width}
            if bench == "mnist_b32":
                best = min(s for s in scores if s is not None)
                row["default_over_best"] = scores[grid.index(min(grid, key=lambda lr: abs(lr - 1e-3)))] / best
            out[(bench, name)] = row
        # RAdam's built-in warm-up does not widen its window beyond Adam's on either benchmark
        assert out[(bench, "radam")]["window_decades"] <= out[(bench, "adam")]["window_decades"]
    # Ranger's default rate is far from its tuned one: at 1e-3 its validation loss is clearly worse than at its best
    assert out[("mnist_b32", "ranger")]["best_lr"] != 1e-3
    assert out[("mnist_b32", "ranger")]["default_over_best"] > 1.15
    assert abs(out[("mnist_b32", "adam")]["default_over_best"] - 1) < 1e-12     # Adam's tuned rate is the default
    return out
