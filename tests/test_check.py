"""optimlab.check: correct student code passes, deliberate slips are named, broken code gets a clear report.

The student implementations below are written the way a student would write them (plain NumPy, in
both signatures), each with a switch that plants one slip; the checker must name the slip.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import optimlab
from optimlab.optimizers import get


def _zeros(params):
    return {k: np.zeros_like(p) for k, p in params.items()}


# --- students' code: optimlab signature ------------------------------------------------------------

def student_adam(slip=None, decoupled=False):
    """Adam (or AdamW with decoupled=True) from Kingma & Ba's Algorithm 1, with an optional slip."""

    def step(params, grads, state, hp):
        if state is None:
            state = {"t": 0, "m": _zeros(params), "v": _zeros(params)}
        t = state["t"] + 1
        b1, b2, lr, eps, wd = hp["beta1"], hp["beta2"], hp["lr"], hp["eps"], hp["weight_decay"]
        if slip == "beta2_099":
            b2 = 0.99
        if slip == "swap_betas":
            b1, b2 = b2, b1
        out, m, v = {}, {}, {}
        for k, p in params.items():
            g = grads[k]
            if decoupled and slip == "l2_in_adamw":
                g = g + wd * p
            elif decoupled and slip == "decay_without_lr":
                p = p * (1 - wd)
            elif decoupled:
                p = p * (1 - lr * wd)
            elif slip != "ignore_weight_decay":
                g = g + wd * p
            m[k] = b1 * state["m"][k] + (1 - b1) * g
            v[k] = b2 * state["v"][k] + (1 - b2) * g * g
            tc = t + 1 if slip == "t_plus_1" else (t - 1 if slip == "t_from_0" else t)
            if slip == "no_bias_correction":
                m_hat, v_hat = m[k], v[k]
            else:
                m_hat, v_hat = m[k] / (1 - b1**tc), v[k] / (1 - b2**tc)
            if slip == "eps_hat":  # the paper's efficient ordering, as Keras writes it
                delta = lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m[k] / (np.sqrt(v[k]) + eps)
            else:
                delta = lr * m_hat / (np.sqrt(v_hat) + eps)
            out[k] = p + delta if slip == "sign" else p - delta
        return out, {"t": t, "m": m, "v": v}

    return step


def student_amsgrad(slip=None):
    def step(params, grads, state, hp):
        if state is None:
            state = {"t": 0, "m": _zeros(params), "v": _zeros(params), "vmax": _zeros(params)}
        t = state["t"] + 1
        out, m, v, vmax = {}, {}, {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            m[k] = hp["beta1"] * state["m"][k] + (1 - hp["beta1"]) * g
            v[k] = hp["beta2"] * state["v"][k] + (1 - hp["beta2"]) * g * g
            vmax[k] = v[k] if slip == "forgot_max" else np.maximum(state["vmax"][k], v[k])
            out[k] = p - hp["lr"] * (m[k] / (1 - hp["beta1"] ** t)) / (np.sqrt(vmax[k] / (1 - hp["beta2"] ** t))
                                                                      + hp["eps"])
        return out, {"t": t, "m": m, "v": v, "vmax": vmax}

    return step


def student_momentum(slip=None):
    """Heavy ball as PyTorch writes it (b = mu*b + g, b_1 = g), or Nesterov's form with slip="nesterov"."""

    def step(params, grads, state, hp):
        first = state is None
        state = state or {"b": _zeros(params)}
        out, b = {}, {}
        mu, lr = hp["momentum"], hp["lr"]
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            if slip == "ema":
                b[k] = mu * state["b"][k] + (1 - mu) * g
            else:
                b[k] = g if first and slip != "nesterov" else mu * state["b"][k] + g
            out[k] = p - lr * (g + mu * b[k]) if slip == "nesterov" else p - lr * b[k]
        return out, {"b": b}

    return step


def student_nesterov(slip=None):
    def step(params, grads, state, hp):
        state = state or {"b": _zeros(params)}
        out, b = {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            b[k] = hp["momentum"] * state["b"][k] + g
            out[k] = p - hp["lr"] * b[k] if slip == "heavy_ball" else p - hp["lr"] * (g + hp["momentum"] * b[k])
        return out, {"b": b}

    return step


def student_sgd(slip=None):
    def step(params, grads, state, hp):
        out = {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            out[k] = p + hp["lr"] * g if slip == "sign" else p - hp["lr"] * g
        return out, state

    return step


def student_adagrad(slip=None):
    def step(params, grads, state, hp):
        t = 1 if state is None else state["t"] + 1
        h0 = state["h"] if state else {k: np.full_like(p, hp["initial_accumulator_value"]) for k, p in params.items()}
        lr = hp["lr"] / (1 + (t - 1) * hp["lr_decay"])
        out, h = {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            h[k] = h0[k] + g * g
            d = np.sqrt(h[k] + hp["eps"]) if slip == "eps_inside" else np.sqrt(h[k]) + hp["eps"]
            out[k] = p - lr * g / d
        return out, {"t": t, "h": h}

    return step


def student_radam(slip=None):
    def step(params, grads, state, hp):
        state = state or {"t": 0, "m": _zeros(params), "v": _zeros(params)}
        t, b1, b2 = state["t"] + 1, hp["beta1"], hp["beta2"]
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        threshold = 4 if slip == "threshold_4" else 5
        out, m, v = {}, {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            m[k] = b1 * state["m"][k] + (1 - b1) * g
            v[k] = b2 * state["v"][k] + (1 - b2) * g * g
            m_hat = m[k] / (1 - b1**t)
            if rho > threshold:
                r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
                out[k] = p - hp["lr"] * r * np.sqrt(1 - b2**t) / (np.sqrt(v[k]) + hp["eps"]) * m_hat
            else:
                out[k] = p - hp["lr"] * (m[k] if slip == "raw" else m_hat)
        return out, {"t": t, "m": m, "v": v}

    return step


def student_lion(slip=None):
    def step(params, grads, state, hp):
        state = state or {"m": _zeros(params)}
        out, m = {}, {}
        b1, b2, lr = hp["beta1"], hp["beta2"], hp["lr"]
        for k, p in params.items():
            g, m_old = grads[k], state["m"][k]
            m[k] = (b1 if slip == "beta1_memory" else b2) * m_old + (1 - (b1 if slip == "beta1_memory" else b2)) * g
            c = m[k] if slip == "sign_of_memory" else b1 * m_old + (1 - b1) * g
            out[k] = (1 - lr * hp["weight_decay"]) * p - lr * np.sign(c)
        return out, {"m": m}

    return step


def student_lookahead(slip=None):
    """Lookahead around optimlab's own inner step (students reuse library steps, as the notebooks do)."""

    def step(params, grads, state, hp):
        inner = get(hp["inner"])
        state = state or {"t": 0, "slow": {k: p.copy() for k, p in params.items()}, "inner": None}
        fast, inner_state = inner.step(params, grads, state["inner"], hp["inner_hparams"])
        t, slow = state["t"] + 1, state["slow"]
        if t % hp["k"] == 0:
            a = hp["alpha"]
            if slip == "alpha_on_slow_side":
                slow = {k: a * slow[k] + (1 - a) * fast[k] for k in fast}
            else:
                slow = {k: slow[k] + a * (fast[k] - slow[k]) for k in fast}
            fast = {k: v.copy() for k, v in slow.items()}
        return fast, {"t": t, "slow": slow, "inner": inner_state}

    return step


# --- students' code: CS231n signature (assignment 2's optim.py) ------------------------------------

def cs231n_sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw  # CS231n's own sgd updates w in place
    return w, config


def cs231n_sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def cs231n_rmsprop(slip=None):
    def rmsprop(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-2)
        config.setdefault("decay_rate", 0.99)
        config.setdefault("epsilon", 1e-8)
        config.setdefault("cache", np.zeros_like(w))
        rho = 0.9 if slip == "rho_09" else config["decay_rate"]
        config["cache"] = rho * config["cache"] + (1 - rho) * dw**2
        if slip == "eps_inside":
            next_w = w - config["learning_rate"] * dw / np.sqrt(config["cache"] + config["epsilon"])
        else:
            next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
        return next_w, config

    return rmsprop


def cs231n_adam(slip=None):
    def adam(w, dw, config=None):
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
        b1, b2, t = config["beta1"], config["beta2"], config["t"]
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * dw**2
        if slip == "no_bias_correction":
            mt, vt = config["m"], config["v"]
        else:
            mt, vt = config["m"] / (1 - b1**t), config["v"] / (1 - b2**t)
        next_w = w - config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"])
        return next_w, config

    return adam


# --- correct code passes ---------------------------------------------------------------------------

PASSING = [
    ("adam", student_adam(), "optimlab"),
    ("adamw", student_adam(decoupled=True), "optimlab"),
    ("amsgrad", student_amsgrad(), "optimlab"),
    ("momentum", student_momentum(), "optimlab"),
    ("nesterov", student_nesterov(), "optimlab"),
    ("sgd", student_sgd(), "optimlab"),
    ("adagrad", student_adagrad(), "optimlab"),
    ("radam", student_radam(), "optimlab"),
    ("lion", student_lion(), "optimlab"),
    ("lookahead", student_lookahead(), "optimlab"),
    ("sgd", cs231n_sgd, "cs231n"),
    ("rmsprop", cs231n_rmsprop(), "cs231n"),
    ("adam", cs231n_adam(), "cs231n"),
]


@pytest.mark.parametrize("name,fn,signature", PASSING, ids=[f"{n}-{s}" for n, _, s in PASSING])
def test_correct_implementations_pass(name, fn, signature):
    report = optimlab.check(fn, name, signature=signature)
    assert report.ok, str(report)
    assert report.first_bad_step is None and report.max_rel_error < 1e-9
    assert str(report).startswith("PASS") and not report.diagnosis


def test_velocity_form_momentum_passes_with_a_note():
    """CS231n's v = mu*v - lr*dw; w += v is PyTorch's momentum while lr is constant (it differs under a schedule)."""
    report = optimlab.check(cs231n_sgd_momentum, "momentum", signature="cs231n")
    assert report.ok and report.first_bad_step is None and report.max_rel_error < 1e-9
    assert len(report.diagnosis) == 1 and "learning rate inside the velocity" in report.diagnosis[0]
    assert "schedule" in str(report)


def velocity_momentum(params, grads, state, hparams):
    """The velocity form in optimlab's signature (params include a 0-d array, whose velocity stays 0-d)."""
    mu, lr, wd = hparams.get("momentum", 0.9), hparams["lr"], hparams.get("weight_decay", 0.0)
    new, velocity = {}, {}
    for k in params:
        v = mu * (state or {}).get(k, np.zeros_like(params[k])) - lr * (grads[k] + wd * params[k])
        velocity[k], new[k] = v, params[k] + v
    return new, velocity


def test_velocity_form_momentum_in_optimlabs_signature_passes_with_the_same_note():
    report = optimlab.check(velocity_momentum, "momentum")
    assert report.ok and report.max_rel_error < 1e-9
    assert len(report.diagnosis) == 1 and "learning rate inside the velocity" in report.diagnosis[0]


# --- each planted slip is flagged and named -------------------------------------------------------

SLIPS = [
    # (optimizer, implementation, signature, words the diagnosis must contain, first bad step or None)
    ("adam", student_adam("no_bias_correction"), "optimlab", "does not correct the bias", 1),
    ("adam", student_adam("t_plus_1"), "optimlab", "one too high", 1),
    ("adam", student_adam("beta2_099"), "optimlab", "beta2 = 0.99 whatever", 2),  # at t = 1, v_hat = g^2 anyway
    ("adam", student_adam("swap_betas"), "optimlab", "swaps beta1 and beta2", 2),
    ("adam", student_adam("sign"), "optimlab", "the wrong way", 1),
    ("adam", student_adam("ignore_weight_decay"), "optimlab", "ignores weight_decay", None),
    ("adam", student_adam("eps_hat"), "optimlab", "before the bias correction", None),
    ("adamw", student_adam("l2_in_adamw", decoupled=True), "optimlab", "adds weight_decay * theta to the gradient",
     None),
    ("adamw", student_adam("decay_without_lr", decoupled=True), "optimlab", "instead of lr * weight_decay", 1),
    ("amsgrad", student_amsgrad("forgot_max"), "optimlab", "forgets the running maximum", None),
    ("momentum", student_momentum("ema"), "optimlab", "averages the gradients", 1),
    ("momentum", student_momentum("nesterov"), "optimlab", "Nesterov momentum where heavy-ball", 1),
    ("nesterov", student_nesterov("heavy_ball"), "optimlab", "heavy-ball momentum (theta -= lr*b) where Nesterov",
     1),
    ("sgd", student_sgd("sign"), "optimlab", "the wrong way", 1),
    ("adagrad", student_adagrad("eps_inside"), "optimlab", "inside the square root", None),
    ("radam", student_radam("threshold_4"), "optimlab", "rho_t > 4", 5),
    ("radam", student_radam("raw"), "optimlab", "raw m_t", 1),
    ("lion", student_lion("sign_of_memory"), "optimlab", "sign of the updated momentum", None),
    ("lion", student_lion("beta1_memory"), "optimlab", "updates the momentum with beta1", None),
    ("lookahead", student_lookahead("alpha_on_slow_side"), "optimlab", "alpha on the slow weights' side", None),
    ("rmsprop", cs231n_rmsprop("eps_inside"), "cs231n", "inside the square root", None),
    ("rmsprop", cs231n_rmsprop("rho_09"), "cs231n", "uses rho = 0.9 whatever config['decay_rate']", None),
    ("adam", cs231n_adam("no_bias_correction"), "cs231n", "does not correct the bias", 1),
]


@pytest.mark.parametrize("name,fn,signature,words,first", SLIPS,
                         ids=[f"{n}-{w[:24]}" for n, _, _, w, _ in SLIPS])
def test_planted_slips_are_flagged_and_named(name, fn, signature, words, first):
    report = optimlab.check(fn, name, signature=signature)
    assert not report.ok, str(report)
    assert report.first_bad_step is not None and report.max_rel_error > 1e-6
    if first is not None:
        assert report.first_bad_step == first, str(report)
    assert any(words in d for d in report.diagnosis), str(report)
    assert str(report).startswith("FAIL") and words in str(report).replace("\n    ", " ")


def test_conventions_are_told_apart_from_bugs_and_can_be_checked_against():
    report = optimlab.check(student_adam("eps_hat"), "adam")
    assert report.diagnosis[0].startswith("Convention:") and "Keras" in report.diagnosis[0]
    assert optimlab.check(student_adam("eps_hat"), "adam", hparams={"eps_hat": True}).ok
    assert optimlab.check(student_adagrad("eps_inside"), "adagrad", hparams={"eps_inside_sqrt": True}).ok


def test_two_slips_at_once_are_found_together():
    def adam_two_slips(params, grads, state, hp):  # no bias correction and beta2 hard-coded to 0.99
        state = state or {"m": _zeros(params), "v": _zeros(params)}
        out, m, v = {}, {}, {}
        for k, p in params.items():
            g = grads[k] + hp["weight_decay"] * p
            m[k] = hp["beta1"] * state["m"][k] + (1 - hp["beta1"]) * g
            v[k] = 0.99 * state["v"][k] + 0.01 * g * g
            out[k] = p - hp["lr"] * m[k] / (np.sqrt(v[k]) + hp["eps"])
        return out, {"m": m, "v": v}

    report = optimlab.check(adam_two_slips, "adam")
    assert not report.ok
    text = " ".join(report.diagnosis)
    assert "does not correct the bias" in text and "beta2 = 0.99" in text


def test_an_unknown_slip_gets_the_first_differing_value():
    def odd(params, grads, state, hp):
        return {k: p - hp["lr"] * np.tanh(grads[k]) for k, p in params.items()}, state

    report = optimlab.check(odd, "sgd")
    assert not report.ok and report.first_bad_step == 1
    assert "No known slip" in report.diagnosis[0] and "in your code" in report.diagnosis[0]


# --- broken code gets a clear report, not a traceback from optimlab ---------------------------------

def test_a_function_that_raises_is_reported():
    def broken(params, grads, state, hp):
        return {k: p - hp["learning_rate"] * grads[k] for k, p in params.items()}, state  # KeyError

    report = optimlab.check(broken, "sgd")
    assert not report.ok and report.first_bad_step == 1
    assert "raised KeyError: 'learning_rate' at step 1" in report.diagnosis[0]
    assert "hp[\"learning_rate\"]" in report.diagnosis[0]  # the offending line is quoted


def test_wrong_shapes_and_return_types_are_reported():
    def wrong_shape(params, grads, state, hp):
        return {k: (p - hp["lr"] * grads[k]).ravel()[:1] for k, p in params.items()}, state

    def no_state(params, grads, state, hp):
        return {k: p - hp["lr"] * grads[k] for k, p in params.items()}

    def cs231n_bare(w, dw, config=None):
        return w - 1e-2 * dw

    assert "shape" in optimlab.check(wrong_shape, "sgd").diagnosis[0]
    assert "returned a dict" in optimlab.check(no_state, "sgd").diagnosis[0]
    report = optimlab.check(cs231n_bare, "sgd", signature="cs231n")
    assert not report.ok and "(next_w, config)" in report.diagnosis[0]


def test_mutating_the_inputs_is_reported():
    def in_place(params, grads, state, hp):
        for k in params:
            params[k] -= hp["lr"] * grads[k]
        return params, state

    def grads_in_place(w, dw, config=None):
        config = config or {}
        dw *= config["learning_rate"]
        return w - dw, config

    report = optimlab.check(in_place, "sgd")
    assert not report.ok and "modified params in place" in report.diagnosis[0]
    report = optimlab.check(grads_in_place, "sgd", signature="cs231n")
    assert not report.ok and "modified dw" in report.diagnosis[0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the student's own 0/0, on purpose
def test_nan_from_counting_steps_from_zero_is_explained():
    report = optimlab.check(student_adam("t_from_0"), "adam")
    assert not report.ok and report.first_bad_step == 1
    assert "NaN or inf at step 1" in report.diagnosis[0] and "t = 0 divides by zero" in report.diagnosis[0]


def test_check_rejects_bad_arguments():
    with pytest.raises(TypeError, match="function"):
        optimlab.check("adam", "adam")
    with pytest.raises(ValueError, match="unknown optimizer 'adma'"):
        optimlab.check(student_adam(), "adma")
    with pytest.raises(ValueError, match="signature"):
        optimlab.check(student_adam(), "adam", signature="d2l")
    with pytest.raises(ValueError, match="cs231n signature"):
        optimlab.check(cs231n_sgd, "lookahead", signature="cs231n")
    with pytest.raises(ValueError, match="unknown hparam 'betta1'"):
        optimlab.check(student_adam(), "adam", hparams={"betta1": 0.5})


def test_second_order_methods_are_checked_on_a_quadratic():
    def newton(params, grads, state, hp):
        keys = list(params)
        x = np.concatenate([params[k].ravel() for k in keys])
        g = np.concatenate([grads[k].ravel() for k in keys])
        H = hp["hessian"](params) + hp["damping"] * np.eye(x.size)
        x = x - hp["lr"] * np.linalg.solve(H, g)
        out, i = {}, 0
        for k in keys:
            out[k] = x[i:i + params[k].size].reshape(params[k].shape)
            i += params[k].size
        return out, state

    assert optimlab.check(newton, "newton").ok


def test_optimlab_check_command(tmp_path):
    source = textwrap.dedent('''
        import numpy as np

        def good(w, dw, config=None):
            config = config or {}
            return w - config["learning_rate"] * dw, config

        def bad(w, dw, config=None):
            config = config or {}
            return w + config["learning_rate"] * dw, config
    ''')
    path = tmp_path / "student.py"
    path.write_text(source)
    run = lambda *a: subprocess.run([sys.executable, "-m", "optimlab", "check", *a], capture_output=True,  # noqa
                                    text=True)
    ok = run(f"{path}:good", "sgd", "--signature", "cs231n")
    assert ok.returncode == 0 and ok.stdout.startswith("PASS"), ok.stderr
    bad = run(f"{path}:bad", "sgd", "--signature", "cs231n")
    assert bad.returncode == 1 and "the wrong way" in bad.stdout
    missing = run(f"{path}:nope", "sgd")
    assert missing.returncode == 2 and "has no function 'nope'" in missing.stderr
