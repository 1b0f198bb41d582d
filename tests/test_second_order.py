"""Newton, BFGS, L-BFGS and optimlab.minimize: the properties their docstrings and the textbook promise."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import optimlab
from optimlab import landscapes
from optimlab.optimizers import bfgs, lbfgs, newton


def random_spd(n, seed, condition=50.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Q @ np.diag(np.geomspace(1.0, condition, n)) @ Q.T, rng.standard_normal(n)


@given(n=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_newton_solves_a_positive_definite_quadratic_in_one_step(n, seed):
    A, b = random_spd(n, seed)
    f = landscapes.Quadratic(0.5 * (A + A.T), b)
    x0 = np.random.default_rng(seed + 1).standard_normal(n)
    x1, _ = newton.step(x0, f.grad(x0), None, {"hessian": f.hessian})
    np.testing.assert_allclose(x1, np.linalg.solve(f.A, b), rtol=1e-8, atol=1e-10)


def test_newton_on_a_dict_of_arrays_uses_the_flattened_hessian():
    A, b = random_spd(5, 0)
    f = landscapes.Quadratic(0.5 * (A + A.T), b)
    flat = lambda p: np.concatenate([p["W"].ravel(), p["v"]])  # noqa: E731
    p = {"W": np.ones((2, 2), np.float32), "v": np.zeros(1)}
    g = f.grad(flat(p))
    new, _ = newton.step(p, {"W": g[:4].reshape(2, 2).astype(np.float32), "v": g[4:]}, None,
                         {"hessian": lambda q: f.hessian(flat(q))})
    assert new["W"].dtype == np.float32
    np.testing.assert_allclose(flat(new), np.linalg.solve(f.A, b), rtol=1e-5)


def test_newton_is_attracted_to_the_saddle_and_the_corrections_escape():
    f = landscapes.saddle()
    x = np.array([-1.0, 0.3])
    plain, _ = newton.step(x, f.grad(x), None, {"hessian": f.hessian})
    np.testing.assert_allclose(plain, [0.0, 0.0], atol=1e-15)  # straight onto the saddle point
    damped, _ = newton.step(x, f.grad(x), None, {"hessian": f.hessian, "damping": 3.0})
    # H + 3I = diag(5, 1): x moves 2/5 of the way to 0, y moves *away*: y + 2y/1
    np.testing.assert_allclose(damped, [-1.0 + 2.0 / 5.0, 0.3 + 0.6], rtol=1e-14)
    free, _ = newton.step(x, f.grad(x), None, {"hessian": f.hessian, "saddle_free": True})
    np.testing.assert_allclose(free, [0.0, 0.6], rtol=1e-14)  # |H| = 2I: x solved, y doubled
    assert f.value(free) < f.value(plain) < f.value(x)  # plain Newton stops at the saddle value 0
    small_damping, _ = newton.step(x, f.grad(x), None, {"hessian": f.hessian, "damping": 0.5})
    assert abs(small_damping[1]) < abs(x[1])  # damping below |lambda_min| = 2 is still attracted in y


def test_minimize_with_newton_stops_on_the_saddle_but_saddle_free_escapes():
    f = landscapes.saddle()
    r = optimlab.minimize(f.fun, [-1.0, 0.3], "newton", {"hessian": f.hessian}, steps=20)
    assert r.converged and np.allclose(r.x, 0) and r.nit == 1  # a "minimum" that is a saddle
    r = optimlab.minimize(f.fun, [-1.0, 0.3], "newton", {"hessian": f.hessian, "saddle_free": True}, steps=20)
    assert r.fun < -1e3 and not r.converged


def test_newton_rejects_a_wrong_hessian():
    with pytest.raises(ValueError, match=r"returned shape \(3, 3\); expected \(2, 2\)"):
        newton.step(np.ones(2), np.ones(2), None, {"hessian": lambda p: np.eye(3)})
    with pytest.raises(ValueError, match="singular"):
        newton.step(np.ones(2), np.ones(2), None, {"hessian": lambda p: np.zeros((2, 2))})
    with pytest.raises(TypeError, match="hparam 'hessian' must be a callable"):
        newton.step(np.ones(2), np.ones(2), None, {"hessian": np.eye(2)})


def test_bfgs_secant_condition_holds_after_every_update():
    f = landscapes.rosenbrock()
    x, state, updates = f.start.copy(), None, 0
    for t in range(1, 40):
        g = f.grad(x)
        trial, new_state = bfgs.step(x, g, state, {"lr": 1.0})
        if t > 1:
            s, y = x - state["x_prev"], g - state["g_prev"]
            if s @ y > 0:
                np.testing.assert_allclose(new_state["H"] @ y, s, rtol=1e-8, atol=1e-12)
                assert np.all(np.linalg.eigvalsh(new_state["H"]) > 0)
                updates += 1
        d = trial - x
        alpha = 1.0
        while f.value(x + alpha * d) > f.value(x) + 1e-4 * alpha * (g @ d):
            alpha *= 0.5
        x, state = x + alpha * d, new_state
    assert updates > 30


@pytest.mark.parametrize("n", [2, 5, 8])
def test_bfgs_terminates_on_a_quadratic_in_n_steps_with_exact_line_search(n):
    A, b = random_spd(n, n, condition=100.0)
    f = landscapes.Quadratic(0.5 * (A + A.T), b)
    x, state = np.zeros(n), None
    for k in range(n):
        g = f.grad(x)
        trial, state = bfgs.step(x, g, state, {"lr": 1.0})
        d = trial - x
        alpha = -(g @ d) / (d @ f.A @ d)  # exact line search on a quadratic
        x = x + alpha * d
    np.testing.assert_allclose(x, np.linalg.solve(f.A, b), rtol=1e-7, atol=1e-9)


def test_lbfgs_is_dense_bfgs_from_the_same_scaled_identity_while_history_is_not_full():
    f = landscapes.Quadratic(*random_spd(6, 3, condition=30.0))
    x, state = np.ones(6), None
    for k in range(8):
        g = f.grad(x)
        trial, state = lbfgs.step(x, g, state, {"lr": 1.0, "history_size": 20})
        pairs = list(zip(state["s"], state["y"]))
        assert len(pairs) == k  # nothing forgotten
        gamma = pairs[-1][0] @ pairs[-1][1] / (pairs[-1][1] @ pairs[-1][1]) if pairs else 1.0
        H = gamma * np.eye(6)
        for s, y in pairs:
            H = bfgs.update_inverse_hessian(H, s, y)
        np.testing.assert_allclose(x - trial, H @ g, rtol=1e-9, atol=1e-12)
        x = x + 0.5 * (trial - x)
    # and on the first two steps (one pair, the same scaling) it is the bfgs module itself
    xa, sa, xb, sb = np.ones(6), None, np.ones(6), None
    for _ in range(2):
        xa, sa = lbfgs.step(xa, f.grad(xa), sa, {"lr": 0.1})
        xb, sb = bfgs.step(xb, f.grad(xb), sb, {"lr": 0.1})
    np.testing.assert_allclose(xa, xb, rtol=1e-12)


def test_lbfgs_forgets_beyond_its_history():
    f = landscapes.Quadratic(*random_spd(4, 1))
    x, state = np.ones(4), None
    for _ in range(10):
        x, state = lbfgs.step(x, f.grad(x), state, {"lr": 0.3, "history_size": 3})
    assert len(state["s"]) == len(state["y"]) == 3


def test_second_order_state_of_other_params_is_rejected():
    _, state = bfgs.step(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="'H' is \\(3, 3\\).*other params"):
        bfgs.step(np.ones(4), np.ones(4), state)
    _, state = lbfgs.step(np.ones(3), np.ones(3))
    _, state = lbfgs.step(np.zeros(3), np.ones(3) * 0.5, state)
    with pytest.raises(ValueError, match="other params"):
        lbfgs.step(np.ones(2), np.ones(2), state)


# Iterations to get within 1e-6 of Rosenbrock's minimum from (-1.2, 1), recorded:
#   newton + armijo 21, bfgs + armijo 38, lbfgs + wolfe 37 (+ armijo 673), adam (lr 0.05, no line search) 2821.
@pytest.mark.slow
def test_second_order_methods_reach_rosenbrocks_minimum_far_faster_than_adam():
    f = landscapes.rosenbrock()
    runs = {
        "newton": optimlab.minimize(f.fun, f.start, "newton", {"hessian": f.hessian}, steps=100),
        "bfgs": optimlab.minimize(f.fun, f.start, "bfgs", steps=100),
        "lbfgs": optimlab.minimize(f.fun, f.start, "lbfgs", steps=100, line_search="wolfe"),
        "lbfgs_armijo": optimlab.minimize(f.fun, f.start, "lbfgs", steps=1000),
        "adam": optimlab.minimize(f.fun, f.start, "adam", {"lr": 0.05}, steps=10000, line_search=None),
    }
    for name, r in runs.items():
        assert np.linalg.norm(r.x - 1.0) < 1e-6, name
    its = {name: r.nit for name, r in runs.items()}
    assert its["newton"] <= 25 and its["bfgs"] <= 45 and its["lbfgs"] <= 45 and its["lbfgs_armijo"] <= 700
    assert its["adam"] >= 2000
    assert max(its["newton"], its["bfgs"], its["lbfgs"]) * 40 < its["adam"]


def test_minimize_result_and_errors():
    f = landscapes.rosenbrock()
    r = optimlab.minimize(f.fun, f.start, "bfgs", steps=5)
    assert r.path.shape == (6, 2) and r.values.shape == (6,) and r.nit == 5 and not r.converged
    np.testing.assert_array_equal(r.path[0], f.start)
    assert np.all(np.diff(r.values) < 0)  # Armijo: every accepted step decreases f
    assert r.nfev >= 6
    with pytest.raises(ValueError, match="line_search"):
        optimlab.minimize(f.fun, f.start, "bfgs", line_search="exact")
    with pytest.raises(ValueError, match="no 'lr'"):
        optimlab.minimize(f.fun, f.start, "lookahead")
    with pytest.raises(ValueError, match="1-D"):
        optimlab.minimize(f.fun, np.ones((2, 2)), "bfgs")
    with pytest.raises(ValueError, match="Did you mean 'bfgs'"):
        optimlab.minimize(f.fun, f.start, "bgfs")


def test_minimize_falls_back_to_the_gradient_when_newton_points_uphill():
    """On x^2 - y^2 at (0.1, 1): d = -(x, y) and g.d = 2y^2 - 2x^2 > 0, so Newton's direction is uphill."""
    f = landscapes.saddle()
    r = optimlab.minimize(f.fun, [0.1, 1.0], "newton", {"hessian": f.hessian}, steps=5)
    assert "fell back to -grad" in r.message
    assert np.all(np.diff(r.values) < 0) and abs(r.x[1]) > 1.0


@pytest.mark.parametrize("module", [bfgs, lbfgs])
def test_curvature_pairs_lost_in_round_off_are_skipped(module):
    # (a) s^T y = 1e-310 is positive but subnormal: rho = 1 / s^T y would overflow float64.
    # (b) s and y nearly orthogonal: s^T y = 1e-38 against |s| |y| = 1e-16, below the 1e-10 margin.
    # (c) a healthy pair (s = y, s^T y = |s| |y|) is kept.
    for s, y, kept in [([1e-155, 0.0], [1e-155, 0.0], False),
                       ([1e-8, 0.0], [1e-30, 1e-8], False),
                       ([1e-3, 0.0], [2e-3, 0.0], True)]:
        x0 = g0 = np.zeros(2)
        _, state = module.step(x0, g0, None, {"lr": 0.0})
        p, state = module.step(x0 + s, g0 + y, state, {"lr": 1.0})
        assert np.all(np.isfinite(p))
        if module is bfgs:
            # kept: H = gamma I with gamma = s^T y / y^T y = 0.5, then the update keeps H y = s
            expected = 0.5 * np.eye(2) if kept else np.eye(2)
            np.testing.assert_allclose(state["H"], expected, rtol=1e-12)
        else:
            assert len(state["s"]) == int(kept)
    assert bfgs.curvature_ok(np.array([1.0, 0.0]), np.array([1.0, 1e-9]))
    assert not bfgs.curvature_ok(np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
