"""Solutions to the exercises of notebook 04 (Adam and its variants).

Each ``exercise_N()`` computes its answer with optimlab, asserts it against a value derived independently (a formula,
a hand computation, or an experiment's outcome with honest margins) and returns it.
"""

import numpy as np

import optimlab
from optimlab.optimizers import adam, adamax, amsgrad


def exercise_1():
    """Adam's uncorrected first step m_1 / sqrt(v_1) = (1 - beta1) / sqrt(1 - beta2), in units of lr."""
    out = {}
    for beta2 in (0.999, 0.99, 0.9):
        _, state = adam.step(np.zeros(1), np.array([0.37]), None, {"lr": 1e-3, "beta1": 0.9, "beta2": beta2})
        m, v = state["slots"]["param"]["m"][0], state["slots"]["param"]["v"][0]
        out[beta2] = m / np.sqrt(v)
        assert np.isclose(out[beta2], 0.1 / np.sqrt(1 - beta2), rtol=1e-12), out
    # 3.16 (larger than the corrected step 1), 1.0 (the same), 0.316 (smaller)
    return out


def exercise_2():
    """The correction factor of v at t = 10 is 1/(1 - 0.999^10) = 100.45 (10.02 on the step), not 1000."""
    g, t = 3.0, 10
    theta, state = np.zeros(1), None
    for _ in range(t):
        theta, state = adam.step(theta, np.array([g]), state, {"lr": 1e-3})
    v = state["slots"]["param"]["v"][0]
    factor = 1 / (1 - 0.999**t)
    # hand computation: 0.999^10 = 0.990045..., so 1 - 0.999^10 = 0.009955 and the factor is 100.45
    assert abs(factor - 100.45) < 0.01
    assert np.isclose(v * factor, g * g, rtol=1e-12)  # v_hat = E[g^2] = 9 exactly: the correction removes the bias
    assert np.isclose(np.sqrt(factor), 10.02, atol=0.01)  # under the square root: a factor 10 on the step
    assert np.isclose(1 / (1 - 0.999), 1000)  # the lecture's 1000 is the factor at t = 1
    return factor, np.sqrt(factor)


def _cs231n_adam(slip=None):
    def adam_step(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-3)
        config.setdefault("beta1", 0.9)
        config.setdefault("beta2", 0.999)
        config.setdefault("epsilon", 1e-8)
        config.setdefault("m", np.zeros_like(w))
        config.setdefault("v", np.zeros_like(w))
        config.setdefault("t", 0)
        config["t"] += 1
        b1, t = config["beta1"], config["t"]
        b2 = 0.99 if slip == "beta2_099" else config["beta2"]
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * dw**2
        if slip == "no_bias_correction":
            m_hat, v_hat = config["m"], config["v"]
        else:
            m_hat, v_hat = config["m"] / (1 - b1**t), config["v"] / (1 - b2**t)
        next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
        return next_w, config

    return adam_step


def exercise_3():
    """Adam in CS231n's signature agrees with optimlab's adam on every probe."""
    report = optimlab.check(_cs231n_adam(), "adam", signature="cs231n")
    assert report.ok and report.first_bad_step is None, str(report)
    return str(report)


def exercise_4():
    """Planted slips: no bias correction parts at step 1; beta2 hard-coded to 0.99 only at step 2 (v_hat_1 = g^2)."""
    no_bc = optimlab.check(_cs231n_adam("no_bias_correction"), "adam", signature="cs231n")
    assert not no_bc.ok and no_bc.first_bad_step == 1, str(no_bc)
    assert any("does not correct the bias" in d for d in no_bc.diagnosis), str(no_bc)
    beta2 = optimlab.check(_cs231n_adam("beta2_099"), "adam", signature="cs231n")
    # at t = 1, v_hat_1 = (1 - b2) g^2 / (1 - b2) = g^2 for every beta2, so the first step cannot tell them apart
    assert not beta2.ok and beta2.first_bad_step == 2, str(beta2)
    assert any("beta2 = 0.99" in d for d in beta2.diagnosis), str(beta2)
    return str(no_bc), str(beta2)


def _reddi(opt, beta2, C=3.0, T=3000, alpha=0.5):
    x, state = np.zeros(1), None
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        x, state = opt.step(x, np.array([g]), state, {"lr": alpha / np.sqrt(t), "beta1": 0.0, "beta2": beta2})
        x = np.clip(x, -1.0, 1.0)
    return float(x[0])


def exercise_5():
    """With beta2 = 0.999, v remembers the large gradient and Adam goes to the right end, x = -1."""
    small = _reddi(adam, 1 / (1 + 3.0**2))
    default = _reddi(adam, 0.999)
    # v ~ the mean square over ~1000 steps = (9 + 1 + 1) / 3 = 3.67: the period moves x by (-3 + 1 + 1)/sqrt(3.67) < 0
    assert small > 0.9, small  # the counterexample: the wrong end
    assert default < -0.9, default  # the default beta2: the right end
    return small, default


def exercise_6():
    """Adam + L2 on a weight with no loss gradient: the trajectory does not depend on weight_decay."""
    paths = {}
    for wd in (0.1, 1e-4):
        theta, state, path = np.ones(1), None, [1.0]
        for _ in range(300):
            theta, state = adam.step(theta, np.zeros(1), state, {"lr": 0.01, "weight_decay": wd})
            path.append(float(theta[0]))
        paths[wd] = np.array(path)
    # g_t = wd * theta_t and Adam is invariant to scaling the gradient: the two paths agree up to eps effects
    # (wd * theta >= 1e-4 * 2e-4 = 2e-8 stays above eps = 1e-8 only roughly, hence a small tolerance)
    diff = np.abs(paths[0.1] - paths[1e-4]).max()
    assert diff < 1e-3, diff
    # and the weight collapses: below 0.01 within 300 steps, for a decay that asked for (1 - 0.01 wd)^300
    assert abs(paths[1e-4][-1]) < 0.01 and (1 - 0.01 * 1e-4) ** 300 > 0.999
    return diff, paths[0.1][[50, 100, 200, 300]]


def _my_adamw(l2_slip=False):
    def step(params, grads, state, hp):
        if state is None:
            state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
                     "v": {k: np.zeros_like(p) for k, p in params.items()}}
        t = state["t"] + 1
        b1, b2, lr, eps, wd = hp["beta1"], hp["beta2"], hp["lr"], hp["eps"], hp["weight_decay"]
        new, m, v = {}, {}, {}
        for k, p in params.items():
            g = grads[k]
            if l2_slip:
                g = g + wd * p
            else:
                p = (1 - lr * wd) * p
            m[k] = b1 * state["m"][k] + (1 - b1) * g
            v[k] = b2 * state["v"][k] + (1 - b2) * g * g
            new[k] = p - lr * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + eps)
        return new, {"t": t, "m": m, "v": v}

    return step


def exercise_7():
    """AdamW in optimlab's signature passes; putting the decay into the gradient is named as L2."""
    good = optimlab.check(_my_adamw(), "adamw")
    assert good.ok, str(good)
    slip = optimlab.check(_my_adamw(l2_slip=True), "adamw")
    assert not slip.ok and any("adds weight_decay * theta to the gradient" in d for d in slip.diagnosis), str(slip)
    return str(good), str(slip)


def exercise_8():
    """After 5000 silent steps, one gradient 1e-4 moves Adam and AMSGrad by ~3.15 lr, Adamax by 0.1 lr."""
    out = {}
    for name, opt in (("adam", adam), ("amsgrad", amsgrad), ("adamax", adamax)):
        theta, state = np.zeros(1), None
        for _ in range(5000):
            theta, state = opt.step(theta, np.zeros(1), state, {"lr": 1e-3})
        new, _ = opt.step(theta, np.array([1e-4]), state, {"lr": 1e-3})
        out[name] = abs(new[0] - theta[0]) / 1e-3
    # Adam: m_hat = 0.1 g, v_hat = 0.001 g^2 / (1 - 0.999^5001), step = m_hat / (sqrt(v_hat) + eps) = 3.142
    # (0.1 / sqrt(0.001 / 0.99328) = 3.152 without eps; eps = 1e-8 is 0.3% of sqrt(v_hat) = 3.2e-6 here)
    g = 1e-4
    adam_pred = 0.1 * g / (np.sqrt(0.001 * g * g / (1 - 0.999**5001)) + 1e-8)
    assert np.isclose(out["adam"], adam_pred, rtol=1e-3), out
    assert np.isclose(out["amsgrad"], adam_pred, rtol=1e-3), out  # nothing larger came before: the max is v itself
    # Adamax: u = |g| + eps, m_hat = 0.1 g / (1 - 0.9^5001) = 0.1 g
    assert np.isclose(out["adamax"], 0.1 * 1e-4 / (1e-4 + 1e-8), rtol=1e-6), out
    return out
