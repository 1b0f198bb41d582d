"""Layer 3: reductions between optimizers, and behaviour the papers promise."""

import numpy as np
import pytest

from optimlab import landscapes
from optimlab.optimizers import adam, adamw, amsgrad, momentum, nesterov, radam, sgd


def trajectory(module, hparams, steps=40, f=None, x0=None, grad_noise=0.0, seed=0):
    """Iterates of *module* on landscape *f* (Rosenbrock by default)."""
    f = f or landscapes.rosenbrock()
    rng = np.random.default_rng(seed)
    x, state, xs = np.array(f.start if x0 is None else x0, dtype=float), None, []
    for _ in range(steps):
        g = f.grad(x) + grad_noise * rng.standard_normal(x.shape)
        x, state = module.step(x, g, state, hparams)
        xs.append(x)
    return np.array(xs)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_momentum_zero_is_sgd(weight_decay):
    hp = {"lr": 1e-3, "weight_decay": weight_decay}
    a = trajectory(momentum, {**hp, "momentum": 0.0, "dampening": 0.0}, grad_noise=1.0)
    b = trajectory(sgd, hp, grad_noise=1.0)
    np.testing.assert_array_equal(a, b)


def test_momentum_dampening_only_acts_from_the_second_step():
    x, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    x1, s = momentum.step(x, g, None, {"lr": 0.1, "dampening": 0.5})
    np.testing.assert_allclose(x1, x - 0.1 * g, rtol=0, atol=0)  # b_1 = g_1, undamped
    x2, _ = momentum.step(x1, g, s, {"lr": 0.1, "dampening": 0.5})
    np.testing.assert_allclose(x2, x1 - 0.1 * (0.9 * g + 0.5 * g), rtol=1e-15)


def test_adamw_without_decay_is_adam():
    hp = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    a = trajectory(adamw, {**hp, "weight_decay": 0.0}, grad_noise=1.0)
    b = trajectory(adam, hp, grad_noise=1.0)
    np.testing.assert_array_equal(a, b)


def test_adamw_decay_is_decoupled_from_the_moments():
    """AdamW's decay shrinks the weights by lr*wd exactly; Adam+L2 feeds wd*theta through the moments."""
    x, g = np.array([2.0, -3.0]), np.zeros(2)
    shrunk, _ = adamw.step(x, g, None, {"lr": 0.1, "weight_decay": 0.5})
    np.testing.assert_allclose(shrunk, (1 - 0.05) * x, rtol=1e-15)  # zero gradient: m = v = 0
    l2, _ = adam.step(x, g, None, {"lr": 0.1, "weight_decay": 0.5})
    np.testing.assert_allclose(l2, x - 0.1 * np.sign(x), rtol=1e-6)  # first Adam step has size lr


def test_amsgrad_equals_adam_while_v_never_decreases():
    rng = np.random.default_rng(3)
    x_a = x_b = np.array([3.0, -2.0])
    s_a = s_b = None
    base = rng.standard_normal(2)
    for t in range(1, 30):
        g = base * t  # growing gradients: v_t increases every step
        x_a, s_a = adam.step(x_a, g, s_a, None)
        x_b, s_b = amsgrad.step(x_b, g, s_b, None)
        np.testing.assert_array_equal(x_a, x_b)
        np.testing.assert_array_equal(s_b["slots"]["param"]["v_max"], s_b["slots"]["param"]["v"])
    # once the gradient shrinks, v decreases and AMSGrad keeps the old maximum: smaller steps
    g = base * 0.01
    x_a2, _ = adam.step(x_a, g, s_a, None)
    x_b2, _ = amsgrad.step(x_b, g, s_b, None)
    assert np.all(np.abs(x_b2 - x_b) < np.abs(x_a2 - x_a))


def test_amsgrad_fixes_adam_on_reddi_counterexample():
    """Reddi et al. (2018), Theorem 1: f_t(x) = C x if t % 3 == 1 else -x on [-1, 1], C = 3.

    The best point is x = -1.  With beta1 = 0, beta2 = 1/(1+C^2) and lr = 0.5/sqrt(t),
    Adam drifts to x = +1 (the worst point): the rare gradient C is forgotten
    by v before its effect is felt.  AMSGrad goes to -1.
    """
    C = 3.0
    hp = {"beta1": 0.0, "beta2": 1 / (1 + C * C), "eps": 1e-8}
    ends = {}
    for module in (adam, amsgrad):
        x, state, xs = np.array([0.0]), None, []
        for t in range(1, 6001):
            g = np.array([C if t % 3 == 1 else -1.0])
            x, state = module.step(x, g, state, {**hp, "lr": 0.5 / np.sqrt(t)})
            x = np.clip(x, -1.0, 1.0)  # projection onto the feasible set
            xs.append(x[0])
        ends[module.NAME] = np.mean(xs[-300:])
    assert ends["adam"] > 0.99  # the wrong end
    assert ends["amsgrad"] < -0.95  # the right end


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_nesterov_forms_give_one_trajectory(weight_decay):
    """PyTorch's parameters are the look-ahead points theta + mu*v of the Sutskever form."""
    f = landscapes.rosenbrock()
    hp = {"lr": 5e-4, "momentum": 0.9, "weight_decay": weight_decay}
    p, s_p = f.start.copy(), None  # PyTorch form
    theta, s_la = f.start.copy(), None  # look-ahead form
    np.testing.assert_array_equal(nesterov.lookahead_point(theta, s_la, hp), p)
    for _ in range(200):
        p, s_p = nesterov.step(p, f.grad(p), s_p, hp)
        phi = nesterov.lookahead_point(theta, s_la, hp)
        theta, s_la = nesterov.lookahead_step(theta, f.grad(phi), s_la, hp)
        np.testing.assert_allclose(nesterov.lookahead_point(theta, s_la, hp), p, rtol=1e-12, atol=1e-14)
    assert f.value(p) < f.value(f.start)


def test_nesterov_lookahead_point_is_theta_plus_mu_v():
    theta = np.array([1.0, 2.0])
    _, s = nesterov.lookahead_step(theta, np.array([1.0, -1.0]), None, {"lr": 0.1, "momentum": 0.5})
    v = s["slots"]["param"]["v"]
    np.testing.assert_array_equal(v, [-0.1, 0.1])
    np.testing.assert_array_equal(nesterov.lookahead_point(theta, s, {"momentum": 0.5}), theta + 0.5 * v)


def test_radam_rho_table():
    assert radam.rho(1) == pytest.approx(1.0, abs=1e-9)
    assert radam.rho(5) == pytest.approx(4.996, abs=1e-3)
    assert radam.rho(6) == pytest.approx(5.994, abs=1e-3)
    assert radam.rho(10**6) == pytest.approx(2 / (1 - 0.999) - 1)
    t = np.arange(1, 2000)
    assert np.all(np.diff(radam.rho(t)) > 0)  # rho_t rises towards rho_inf = 1999
    r = radam.rectification(t)
    assert np.all(np.isnan(r[:4])) and not np.isnan(r[4])  # defined only where rho_t > 4, i.e. t >= 5
    # r_5 by hand: sqrt(0.996 * 2.996 * 1999 / (1995 * 1997 * 4.996)) = 0.01731
    assert radam.rectification(5) == pytest.approx(0.01731, abs=1e-5)
    assert np.all(np.diff(r[4:]) > 0) and r[-1] < 1 and radam.rectification(10**6) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("threshold,first_adaptive", [(5.0, 6), (4.0, 5)])
def test_radam_is_bias_corrected_momentum_sgd_before_the_threshold(threshold, first_adaptive):
    rng = np.random.default_rng(0)
    beta1, lr = 0.9, 0.01
    x, state, m = rng.standard_normal(4), None, np.zeros(4)
    for t in range(1, 9):
        g = rng.standard_normal(4)
        new, state = radam.step(x, g, state, {"lr": lr, "rho_threshold": threshold})
        m = beta1 * m + (1 - beta1) * g
        sgd_step = x - lr * m / (1 - beta1**t)
        if t < first_adaptive:
            np.testing.assert_allclose(new, sgd_step, rtol=1e-13)
        else:
            assert not np.allclose(new, sgd_step, rtol=1e-3)
        x = new


def test_radam_approaches_adam_late_in_training():
    """Once r_t ~ 1, a RAdam step is an Adam step (up to where eps sits)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(3)
    s_r = s_a = None
    for _ in range(20000):
        g = rng.standard_normal(3)
        xr, s_r = radam.step(x, g, s_r, {"lr": 0.0})
        _, s_a = adam.step(x, g, s_a, {"lr": 0.0})
    g = rng.standard_normal(3)
    xr, _ = radam.step(x, g, s_r, {"lr": 1e-3})
    xa, _ = adam.step(x, g, s_a, {"lr": 1e-3})
    np.testing.assert_allclose(xr - x, (xa - x) * radam.rectification(20001), rtol=1e-6)


def test_sgd_zigzags_in_the_ravine_and_momentum_fixes_it():
    """The lecture's picture: on an ill-conditioned bowl, momentum beats plain SGD at the same lr."""
    f = landscapes.ravine(condition=100.0)
    plain = trajectory(sgd, {"lr": 1.9}, steps=100, f=f)
    heavy = trajectory(momentum, {"lr": 1.0, "momentum": 0.8}, steps=100, f=f)
    assert np.all(np.diff(np.sign(plain[:20, 1])) != 0)  # the short axis flips sign every step
    assert f.value(heavy[-1]) < 1e-3 * f.value(plain[-1])
