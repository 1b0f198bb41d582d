"""Landscapes: exact gradients/Hessians (against finite differences), stationary points, vectorisation."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from optimlab import landscapes

ALL = [
    landscapes.rosenbrock(),
    landscapes.rosenbrock(a=2.0, b=10.0),
    landscapes.ravine(condition=50.0),
    landscapes.ravine(condition=10.0, angle=0.7),
    landscapes.saddle(),
    landscapes.beale(),
    landscapes.double_well(),
    landscapes.rastrigin(),
    landscapes.rastrigin(amplitude=3.0, dim=3),
    landscapes.Quadratic(np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]), b=[1.0, 0.0, -1.0]),
]
IDS = [f"{f.name}-{i}" for i, f in enumerate(ALL)]


def fd_grad(f, p, h=1e-6):
    e = np.eye(f.dim)
    return np.array([(f.value(p + h * e[i]) - f.value(p - h * e[i])) / (2 * h) for i in range(f.dim)])


def fd_hessian(f, p, h=1e-6):
    e = np.eye(f.dim)
    return np.array([(f.grad(p + h * e[i]) - f.grad(p - h * e[i])) / (2 * h) for i in range(f.dim)])


@pytest.mark.parametrize("f", ALL, ids=IDS)
@given(u=st.lists(st.floats(0, 1), min_size=3, max_size=3))
def test_gradient_and_hessian_match_finite_differences(f, u):
    p = np.array([lo + ui * (hi - lo) for ui, (lo, hi) in zip(u, f.window)])
    scale = 1 + abs(f.value(p))
    np.testing.assert_allclose(f.grad(p), fd_grad(f, p), rtol=1e-5, atol=1e-6 * scale)
    H = f.hessian(p)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=0)
    np.testing.assert_allclose(H, fd_hessian(f, p), rtol=1e-5, atol=1e-5 * (1 + np.abs(H).max()))


@pytest.mark.parametrize("f", ALL, ids=IDS)
def test_vectorised_over_a_grid(f):
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1.5, 1.5, size=(4, 5, f.dim))
    values, grads, hessians = f.value(pts), f.grad(pts), f.hessian(pts)
    assert values.shape == (4, 5) and grads.shape == (4, 5, f.dim) and hessians.shape == (4, 5, f.dim, f.dim)
    for i, j in [(0, 0), (3, 4), (2, 1)]:
        assert values[i, j] == pytest.approx(f.value(pts[i, j]), rel=1e-14)
        np.testing.assert_allclose(grads[i, j], f.grad(pts[i, j]), rtol=1e-14)
        np.testing.assert_allclose(hessians[i, j], f.hessian(pts[i, j]), rtol=1e-14)


@pytest.mark.parametrize("f", ALL, ids=IDS)
def test_recorded_stationary_points(f):
    for m in f.minima:
        np.testing.assert_allclose(f.grad(m), 0, atol=1e-10)
        assert np.linalg.eigvalsh(f.hessian(m)).min() > 0
    for s in f.saddles:
        np.testing.assert_allclose(f.grad(s), 0, atol=1e-10)
        eig = np.linalg.eigvalsh(f.hessian(s))
        assert eig.min() < 0 < eig.max()
    if f.minima:
        assert all(f.value(m) >= f.fmin - 1e-12 for m in f.minima)
    assert f.start.shape == (f.dim,) and len(f.window) == f.dim


def test_known_values():
    r = landscapes.rosenbrock()
    assert r.value([1.0, 1.0]) == 0.0 and r.value([-1.2, 1.0]) == pytest.approx(24.2)
    np.testing.assert_allclose(r.grad([-1.2, 1.0]), [-215.6, -88.0])
    np.testing.assert_allclose(r.hessian([1.0, 1.0]), [[802.0, -400.0], [-400.0, 200.0]])
    b = landscapes.beale()
    assert b.value([3.0, 0.5]) == 0.0 and b.value([0.0, 0.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    value, grad = r.fun(np.array([-1.2, 1.0]))
    assert value == pytest.approx(24.2) and grad.shape == (2,)
    s = landscapes.saddle()
    assert s.value([2.0, 3.0]) == -5.0 and s.minima == () and s.fmin == -np.inf


def test_ravine_condition_number_and_rotation():
    for cond in (1.0, 25.0, 1000.0):
        for angle in (0.0, 0.3, np.pi / 4):
            f = landscapes.ravine(condition=cond, angle=angle)
            assert f.condition_number == pytest.approx(cond, rel=1e-10)
            np.testing.assert_allclose(f.minima[0], 0, atol=1e-12)
    f = landscapes.ravine(condition=25.0, angle=np.pi / 2)  # long axis rotated onto y
    assert f.value([0.0, 1.0]) == pytest.approx(0.5 / 25) and f.value([1.0, 0.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="condition"):
        landscapes.ravine(condition=0.5)


def test_double_well_has_a_local_and_a_global_minimum():
    f = landscapes.double_well(tilt=0.3)
    (glob,), (local,) = f.minima
    assert glob < -0.9 and 0.9 < local < 1.0
    assert f.value([glob]) < f.value([local]) < f.value(f.maximum)
    np.testing.assert_allclose(f.grad(f.maximum), 0, atol=1e-12)
    with pytest.raises(ValueError, match="tilt"):
        landscapes.double_well(tilt=2.0)


def test_grid_for_contour_plots():
    f = landscapes.rosenbrock()
    X, Y, Z = f.grid(50)
    assert X.shape == Y.shape == Z.shape == (50, 50)
    assert Z[10, 20] == pytest.approx(f.value([X[10, 20], Y[10, 20]]))
    with pytest.raises(ValueError, match="2-D"):
        landscapes.double_well().grid()


def test_bad_points_and_names():
    f = landscapes.rosenbrock()
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        f.value(np.zeros(3))
    with pytest.raises(TypeError):
        f.value("ab")
    with pytest.raises(ValueError, match="Did you mean 'rosenbrock'"):
        landscapes.get("rosenbrok")
    assert landscapes.get("ravine", condition=4.0).condition_number == pytest.approx(4.0)
    with pytest.raises(ValueError, match="symmetric"):
        landscapes.Quadratic([[1.0, 2.0], [0.0, 1.0]])


def test_rastrigin_has_a_local_minimum_near_every_integer_point():
    f = landscapes.rastrigin()
    assert f.value([0.0, 0.0]) == 0.0 and f.minima[0].tolist() == [0.0, 0.0]
    # f(x) = 10*2 + sum(x^2 - 10 cos(2 pi x)): at an integer point each cosine is 1, so f = |p|^2
    assert f.value([2.0, -3.0]) == pytest.approx(13.0)
    # small-step gradient descent from (2.3, -2.8) stops in the dent near (2, -3), not at the origin
    x = np.array([2.3, -2.8])
    for _ in range(2000):
        x = x - 1e-3 * f.grad(x)
    assert np.allclose(x, [2, -3], atol=0.05) and f.value(x) > 12
    assert np.all(np.linalg.eigvalsh(f.hessian(x)) > 0)  # a genuine local minimum
    with pytest.raises(ValueError, match="amplitude"):
        landscapes.rastrigin(amplitude=float("nan"))
    with pytest.raises(ValueError, match="'dim'"):
        landscapes.rastrigin(dim=0)
