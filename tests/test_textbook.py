"""Layer 1: each optimizer against a plain-Python scalar transcription of its documented formula.

The functions below use only floats and the ``math`` module, written line by
line from the module docstrings (not from the library's helpers), and are run
coordinate by coordinate on a small problem.  The library must agree to 1e-12.
"""

import math

import numpy as np
import pytest

from optimlab.optimizers import get

from registry import SETTINGS, SETTING_IDS

STEPS = 25
X0 = [1.5, -0.7, 0.05, 3.0]


def grad_fn(x, i):
    """A smooth, coordinate-dependent gradient (of sum_i s_i/2 (x-c_i)^2 + sin x)."""
    s, c = [1.0, 0.3, 5.0, 0.02][i], [0.5, -2.0, 0.0, 1.0][i]
    return s * (x - c) + math.cos(x)


def tb_sgd(x, i, lr, weight_decay):
    xs = []
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        x = x - lr * g
        xs.append(x)
    return xs


def tb_momentum(x, i, lr, momentum, dampening, weight_decay):
    xs, b = [], 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        b = g if t == 1 else momentum * b + (1 - dampening) * g
        x = x - lr * b
        xs.append(x)
    return xs


def tb_nesterov(x, i, lr, momentum, weight_decay):
    xs, b = [], 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        b = momentum * b + g
        x = x - lr * (g + momentum * b)
        xs.append(x)
    return xs


def tb_adagrad(x, i, lr, eps, initial_accumulator_value, lr_decay, weight_decay):
    xs, h = [], initial_accumulator_value
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        lr_t = lr / (1 + (t - 1) * lr_decay)
        h = h + g * g
        x = x - lr_t * g / (math.sqrt(h) + eps)
        xs.append(x)
    return xs


def tb_rmsprop(x, i, lr, rho, eps, momentum, centered, weight_decay):
    xs, v, gbar, b = [], 0.0, 0.0, 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        v = rho * v + (1 - rho) * g * g
        if centered:
            gbar = rho * gbar + (1 - rho) * g
            d = math.sqrt(v - gbar * gbar) + eps
        else:
            d = math.sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / d
            x = x - lr * b
        else:
            x = x - lr * g / d
        xs.append(x)
    return xs


def tb_adadelta(x, i, lr, rho, eps, weight_decay):
    xs, v, u = [], 0.0, 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        v = rho * v + (1 - rho) * g * g
        delta = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        x = x - lr * delta
        xs.append(x)
    return xs


def tb_adam(x, i, lr, beta1, beta2, eps, weight_decay, decoupled=False, amsgrad=False):
    xs, m, v, vmax = [], 0.0, 0.0, 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i)
        if decoupled:
            x = (1 - lr * weight_decay) * x
        else:
            g = g + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v)
        m_hat = m / (1 - beta1**t)
        v_hat = (vmax if amsgrad else v) / (1 - beta2**t)
        x = x - lr * m_hat / (math.sqrt(v_hat) + eps)
        xs.append(x)
    return xs


def tb_adamw(x, i, **hp):
    return tb_adam(x, i, decoupled=True, **hp)


def tb_amsgrad(x, i, **hp):
    return tb_adam(x, i, amsgrad=True, **hp)


def tb_adamax(x, i, lr, beta1, beta2, eps, weight_decay):
    xs, m, u = [], 0.0, 0.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, abs(g) + eps)
        x = x - lr / (1 - beta1**t) * m / u
        xs.append(x)
    return xs


def tb_nadam(x, i, lr, beta1, beta2, eps, weight_decay, momentum_decay):
    xs, m, v, prod = [], 0.0, 0.0, 1.0
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        prod = prod * mu
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        d = math.sqrt(v / (1 - beta2**t)) + eps
        x = x - lr * (1 - mu) / (1 - prod) * g / d - lr * mu_next / (1 - prod * mu_next) * m / d
        xs.append(x)
    return xs


def tb_radam(x, i, lr, beta1, beta2, eps, weight_decay, rho_threshold):
    xs, m, v = [], 0.0, 0.0
    rho_inf = 2 / (1 - beta2) - 1
    for t in range(1, STEPS + 1):
        g = grad_fn(x, i) + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > rho_threshold:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            l = math.sqrt(1 - beta2**t) / (math.sqrt(v) + eps)
            x = x - lr * r * l * m_hat
        else:
            x = x - lr * m_hat
        xs.append(x)
    return xs


TEXTBOOK = {
    "sgd": tb_sgd, "momentum": tb_momentum, "nesterov": tb_nesterov, "adagrad": tb_adagrad,
    "rmsprop": tb_rmsprop, "adadelta": tb_adadelta, "adam": tb_adam, "adamw": tb_adamw,
    "amsgrad": tb_amsgrad, "adamax": tb_adamax, "nadam": tb_nadam, "radam": tb_radam,
}

@pytest.mark.parametrize("name,hparams", SETTINGS, ids=SETTING_IDS)
def test_library_matches_textbook_formula(name, hparams):
    module = get(name)
    full = {**module.DEFAULTS, **hparams}
    expected = np.array([TEXTBOOK[name](x0, i, **full) for i, x0 in enumerate(X0)]).T  # (steps, coords)

    x, state = np.array(X0), None
    for t in range(STEPS):
        g = np.array([grad_fn(float(xi), i) for i, xi in enumerate(x)])
        x, state = module.step(x, g, state, hparams)
        np.testing.assert_allclose(x, expected[t], rtol=1e-12, atol=1e-14, err_msg=f"{name} step {t + 1}")


def test_every_registered_optimizer_has_a_textbook_transcription():
    from optimlab.optimizers import REGISTRY

    assert set(TEXTBOOK) == set(REGISTRY) == {name for name, _ in SETTINGS}
