"""Solutions to the exercises of notebook 06 (LARS, LAMB, StableAdamW, low precision, fused optimizers).

Each ``exercise_K()`` computes the answer with optimlab, asserts it against a value derived independently
(a formula written out here, a hand count, or the outcome of an experiment with honest margins) and returns
it.  The test suite calls every one of them.
"""

import math

import numpy as np

import optimlab
from optimlab import fused
from optimlab.figures import ch06
from optimlab.optimizers import adamw, lars

HP = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}


def _jump_run(quiet, loud=300, hp=HP, dim=100, scale=1e-3, factor=1000.0, seed=0):
    """The lasting jump of section 4: RMS(step)/lr of AdamW and StableAdamW, and StableAdamW's RMS_t."""
    grads = scale * np.random.default_rng(seed).standard_normal((quiet + loud, dim))
    grads[quiet:] *= factor
    return ch06.spike_runs(grads, hp)  # the notebook's loop: both optimizers' steps, and RMS_t from the state


def _jump_step(t, beta1, beta2):
    """AdamW's step (in units of lr) right after a jump S >> s at step t: (1-b1) sqrt(1-b2^t) / sqrt(1-b2)."""
    return (1 - beta1) * math.sqrt(1 - beta2**t) / math.sqrt(1 - beta2)


def exercise_1():
    """The later the jump, the larger AdamW's step (bias correction of v); StableAdamW's stays about 0.1 lr."""
    out = {}
    for quiet in (100, 5000):
        runs = _jump_run(quiet)
        predicted = _jump_step(quiet + 1, HP["beta1"], HP["beta2"])
        measured = runs["adamw"][quiet]
        # a few percent low: coordinates whose new gradient happens to be tiny keep part of the old v
        assert -0.06 < measured / predicted - 1 < 0.01, (quiet, measured, predicted)
        # StableAdamW at the jump: lr * m_hat / |g| per coordinate, about (1 - beta1) = 0.1
        assert 0.08 < runs["stable_adamw"][quiet] < 0.12
        out[quiet + 1] = {"predicted": predicted, "adamw": measured, "stable_adamw": runs["stable_adamw"][quiet]}
    assert out[5001]["adamw"] > 3 * out[101]["adamw"]        # 3.15 against 0.98
    return out


def exercise_2():
    """beta2 = 0.99: AdamW's jump step is about lr; RMS_t falls below 2 after about 28 steps (0.999: about 120)."""
    out = {}
    for beta2 in (0.99, 0.999):
        hp = {**HP, "beta2": beta2}
        runs = _jump_run(500, hp=hp)
        predicted = _jump_step(501, hp["beta1"], beta2)
        assert -0.06 < runs["adamw"][500] / predicted - 1 < 0.01
        # v_hat after n loud steps ~ S^2 (1 - beta2^n) / (1 - beta2^(500+n)),
        # so RMS_t^2 ~ (1 - beta2^(500+n)) / (1 - beta2^n)
        below = int(np.argmax(runs["rms"][500:] < 2.0))
        n_pred = next(n for n in range(1, 5000) if (1 - beta2 ** (500 + n)) / (1 - beta2**n) < 4.0)
        out[beta2] = {"adamw_jump_step": runs["adamw"][500], "predicted": predicted, "steps_until_rms_below_2": below,
                      "predicted_steps": n_pred}
        # the price in quiet times: v_hat averages about 1/(1 - beta2) squared gradients, so it is noisier.  For
        # N(0, 1) gradients (Var g^2 = 2), a weighted mean with weights w_k = (1-b) b^k / (1-b^t) has variance
        # 2 sum w_k^2 = 2 (1-b)(1-b^2t) / ((1+b)(1-b^t)^2): measured over 2000 coordinates after t = 500 steps
        x, state = np.zeros(2000), None
        for g in np.random.default_rng(1).standard_normal((500, 2000)):
            x, state = adamw.step(x, g, state, hp)
        v_hat = state["slots"]["param"]["v"] / (1 - beta2**500)
        out[beta2]["v_hat_relative_noise"] = float(v_hat.std() / v_hat.mean())
        out[beta2]["predicted_noise"] = math.sqrt(2 * (1 - beta2) * (1 - beta2**1000)
                                                  / ((1 + beta2) * (1 - beta2**500) ** 2))
        assert abs(out[beta2]["v_hat_relative_noise"] / out[beta2]["predicted_noise"] - 1) < 0.15
    for beta2 in out:                          # the noisy RMS_t first dips below 2 a little before the prediction
        predicted, measured = out[beta2]["predicted_steps"], out[beta2]["steps_until_rms_below_2"]
        assert 0.6 * predicted < measured <= 1.1 * predicted
    assert out[0.999]["steps_until_rms_below_2"] > 3 * out[0.99]["steps_until_rms_below_2"]
    assert out[0.99]["v_hat_relative_noise"] > 1.5 * out[0.999]["v_hat_relative_noise"]
    return out


def exercise_3():
    """LARS (momentum 0): ||dw|| = lr * tc * ||w|| * ||g + wd w|| / (||g|| + wd ||w||); optax's denominator: exact."""
    rng = np.random.default_rng(0)
    w, g = rng.standard_normal((20, 10)), 0.1 * rng.standard_normal((20, 10))
    lr, tc = 0.5, 0.01
    out = {}
    for wd in (0.0, 0.01, 0.1, 1.0):
        for denominator in ("grad_plus_decay", "update"):
            hp = {"lr": lr, "momentum": 0.0, "trust_coefficient": tc, "weight_decay": wd,
                  "trust_denominator": denominator}
            new, _ = lars.step({"W": w}, {"W": g}, None, hp)
            step = np.linalg.norm(new["W"] - w)
            if denominator == "grad_plus_decay":
                formula = (lr * tc * np.linalg.norm(w) * np.linalg.norm(g + wd * w)
                           / (np.linalg.norm(g) + wd * np.linalg.norm(w)))
                assert step <= lr * tc * np.linalg.norm(w) * (1 + 1e-12)      # triangle inequality
            else:
                formula = lr * tc * np.linalg.norm(w)
            np.testing.assert_allclose(step, formula, rtol=1e-12)
            out[(wd, denominator)] = step / (lr * tc * np.linalg.norm(w))
    assert out[(0.0, "grad_plus_decay")] == 1.0 or abs(out[(0.0, "grad_plus_decay")] - 1) < 1e-12
    # g along w: equality in the triangle inequality
    new, _ = lars.step({"W": w}, {"W": 0.3 * w}, None,
                       {"lr": lr, "momentum": 0.0, "trust_coefficient": tc, "weight_decay": 0.1})
    np.testing.assert_allclose(np.linalg.norm(new["W"] - w), lr * tc * np.linalg.norm(w), rtol=1e-12)
    return out


def my_stable_adamw(params, grads, state, hp):
    """A student's StableAdamW: AdamW with lr / max(1, RMS(g / sqrt(max(v_hat, eps^2)))) per array."""
    if state is None:
        state = {"t": 0, "m": {k: np.zeros_like(p) for k, p in params.items()},
                 "v": {k: np.zeros_like(p) for k, p in params.items()}}
    t = state["t"] + 1
    b1, b2, eps, lr, wd = hp["beta1"], hp["beta2"], hp["eps"], hp["lr"], hp["weight_decay"]
    out, m, v = {}, {}, {}
    for k, p in params.items():
        g = grads[k]
        m[k] = b1 * state["m"][k] + (1 - b1) * g
        v[k] = b2 * state["v"][k] + (1 - b2) * g * g
        m_hat, v_hat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
        rms = np.sqrt(np.mean(g * g / np.maximum(v_hat, eps * eps)))
        lr_t = lr / max(1.0, rms)
        out[k] = (1 - lr_t * wd) * p - lr_t * m_hat / (np.sqrt(v_hat) + eps)
    return out, {"t": t, "m": m, "v": v}


def exercise_4():
    """The student's StableAdamW passes optimlab.check."""
    report = optimlab.check(my_stable_adamw, "stable_adamw")
    assert report.ok, str(report)
    return str(report)


def my_lars(params, grads, state, hp):
    """A student's LARS in optax's conventions: every array, denominator ||g + wd * w||."""
    if state is None:
        state = {"t": 0, "b": {k: np.zeros_like(p) for k, p in params.items()}}
    out, b = {}, {}
    for k, p in params.items():
        d = grads[k] + hp["weight_decay"] * p
        w_norm, d_norm = np.linalg.norm(p), np.linalg.norm(d)
        r = hp["trust_coefficient"] * w_norm / d_norm if w_norm > 0 and d_norm > 0 else 1.0
        b[k] = hp["momentum"] * state["b"][k] + r * d
        out[k] = p - hp["lr"] * b[k]
    return out, {"t": state["t"] + 1, "b": b}


def exercise_5():
    """optax-style LARS passes with the two switches; without them check names both conventions."""
    report = optimlab.check(my_lars, "lars", hparams={"trust_denominator": "update", "exclude_vectors": False})
    assert report.ok, str(report)
    plain = optimlab.check(my_lars, "lars")
    assert not plain.ok and plain.first_bad_step == 1
    text = " ".join(plain.diagnosis)
    assert "exclude_vectors" in text and "trust_denominator" in text, str(plain)
    return {"with_switches": str(report), "without": str(plain)}


def exercise_6():
    """Fused momentum and Lion: 20 bytes per float32 parameter; Amdahl's bound T_opt/T from the step timed alone."""
    def fused_bytes(module, dtype_bytes=4):
        slots = len(module.SLOTS)
        return dtype_bytes * (2 + slots) + dtype_bytes * (1 + slots)   # read theta, g, slots; write theta, slots

    counts = {name: fused_bytes(fused.REGISTRY[name]) for name in ("sgd", "momentum", "lion", "adamw")}
    assert counts == {"sgd": 12, "momentum": 20, "lion": 20, "adamw": 28}     # hand count: 3, 5, 5, 7 arrays x 4 B
    h100 = {1: {"foreach": (5.54, 27.43), "fused": (2.23, 19.97)},
            16: {"foreach": (5.94, 66.16), "fused": (2.13, 63.41)}}
    bound = {b: r["foreach"][0] / r["foreach"][1] for b, r in h100.items()}    # a free step saves T_opt/T
    measured = {b: 1 - r["fused"][1] / r["foreach"][1] for b, r in h100.items()}
    assert abs(bound[16] - 0.0898) < 1e-3 and abs(bound[1] - 0.2020) < 1e-3
    assert measured[16] < bound[16]            # batch 16: within Amdahl's bound
    assert measured[1] > bound[1]              # batch 1: breaks the bound: the step timed alone understates its cost
    return {"bytes_per_param": counts, "amdahl_bound": bound, "measured_saving": measured}
