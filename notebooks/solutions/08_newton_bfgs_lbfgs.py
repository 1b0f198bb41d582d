"""Solutions to the exercises of notebook 08 (Newton, BFGS and L-BFGS).

Each ``exercise_K()`` computes the answer with optimlab, asserts it against a value derived independently
(a formula or a hand computation), and returns it.
"""

import math

import numpy as np

import optimlab
from optimlab import landscapes
from optimlab.optimizers import bfgs, newton


def exercise_1():
    """From x0 = 0.3 (where f'' < 0) plain Newton climbs to the local maximum; saddle-free Newton goes downhill."""
    w = landscapes.double_well()
    x0 = 0.3
    assert 12 * x0**2 - 4 < 0  # f''(0.3) = -2.92: the model is an upside-down parabola
    ends = {}
    for label, hp in (("plain", {}), ("saddle_free", {"saddle_free": True})):
        x = np.array([x0])
        for _ in range(30):
            x, _ = newton.step(x, w.grad(x), None, {"hessian": w.hessian, **hp})
        ends[label] = float(x[0])
    # the stationary points are the roots of f'(x) = 4x^3 - 4x + 0.3; the middle one is the maximum
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    assert abs(ends["plain"] - roots[1]) < 1e-10 and w.value([ends["plain"]]) > w.value([x0])  # uphill, to the top
    assert abs(ends["saddle_free"] - roots[2]) < 1e-10 and w.value([ends["saddle_free"]]) < w.value([x0])
    return {"plain Newton ends at": ends["plain"], "saddle-free ends at": ends["saddle_free"],
            "f(x0)": w.value([x0]), "f(plain end)": w.value([ends["plain"]])}


def exercise_2():
    """L-BFGS memory on Rosenbrock (Wolfe): going from m = 1 to m = 2 nearly halves the iterations; beyond a few
    pairs more memory does not help systematically (the counts go up and down); m = 50 behaves like dense BFGS."""
    f = landscapes.rosenbrock()
    ms = (1, 2, 4, 7, 10, 50)
    its = {m: optimlab.minimize(f.fun, f.start, "lbfgs", {"history_size": m}, steps=2000, line_search="wolfe").nit
           for m in ms}
    dense = optimlab.minimize(f.fun, f.start, "bfgs", {}, steps=2000, line_search="wolfe").nit
    assert all(n < 2000 for n in its.values())  # all converge
    assert its[1] > 1.5 * max(its[m] for m in ms if m > 1)  # one pair is not enough (78 against at most 42)
    # not monotone: some larger memory needs MORE iterations than a smaller one (here m = 10: 37 > m = 7: 33)
    assert any(its[big] > its[small] for small in ms for big in ms if big > small)
    # the same from 10 starts near the classic one: m = 1 is clearly slower, m = 2 and m = 10 are alike
    starts = [f.start + 0.1 * np.random.default_rng(seed).standard_normal(2) for seed in range(10)]
    medians = {m: float(np.median([optimlab.minimize(f.fun, x0, "lbfgs", {"history_size": m}, steps=2000,
                                                     line_search="wolfe").nit for x0 in starts])) for m in (1, 2, 10)}
    assert medians[1] > 1.5 * medians[10] and abs(medians[2] - medians[10]) <= 0.15 * medians[10]
    # with m = 50 nothing is forgotten (the run stores fewer than 50 pairs), and L-BFGS behaves like dense BFGS
    # (37 iterations each here); the two are not identical: L-BFGS rescales its starting matrix gamma I with the
    # newest pair at every step, BFGS only once
    assert its[50] < 50 and abs(its[50] - dense) <= 5
    return {"lbfgs iterations by history_size": its, "bfgs": dense, "median over 10 starts": medians}


def exercise_3():
    """The BFGS update of B = D^-1 is the inverse of the update of D (Sherman-Morrison-Woodbury)."""
    rng = np.random.default_rng(0)
    n = 6
    R = rng.standard_normal((n, n))
    D = R @ R.T + n * np.eye(n)  # positive definite
    s, y = rng.standard_normal(n), rng.standard_normal(n)
    if s @ y < 0:
        y = -y
    D_new = bfgs.update_inverse_hessian(D, s, y)
    B = np.linalg.inv(D)
    B_new = B - np.outer(B @ s, B @ s) / (s @ B @ s) + np.outer(y, y) / (y @ s)
    np.testing.assert_allclose(B_new @ D_new, np.eye(n), atol=1e-9)
    np.testing.assert_allclose(B_new @ s, y, atol=1e-10)  # the secant condition in the Hessian form: B s = y
    return {"max |B_new D_new - I|": float(np.abs(B_new @ D_new - np.eye(n)).max())}


def my_lbfgs(params, grads, state, hparams, scale=True):
    """L-BFGS as an optimlab step function, with the two-loop recursion (what the student writes)."""
    keys = list(params)
    x = np.concatenate([np.ravel(params[k]) for k in keys])
    g = np.concatenate([np.ravel(grads[k]) for k in keys])
    state = state or {"s": [], "y": [], "x_prev": None, "g_prev": None}
    S, Y = list(state["s"]), list(state["y"])
    if state["x_prev"] is not None:
        s, y = x - state["x_prev"], g - state["g_prev"]
        if s @ y > 0:  # keep only pairs with positive curvature
            m = hparams["history_size"]
            S, Y = (S + [s])[-m:], (Y + [y])[-m:]
    q, alphas = g.copy(), []
    for s, y in zip(reversed(S), reversed(Y)):  # newest first
        alpha = (s @ q) / (y @ s)
        q = q - alpha * y
        alphas.append(alpha)
    gamma = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1]) if (S and scale) else 1.0
    r = gamma * q
    for s, y, alpha in zip(S, Y, reversed(alphas)):  # oldest first
        beta = (y @ r) / (y @ s)
        r = r + s * (alpha - beta)
    x_new = x - hparams["lr"] * r
    out, i = {}, 0
    for k in keys:
        size = np.size(params[k])
        out[k] = x_new[i:i + size].reshape(np.shape(params[k]))
        i += size
    return out, {"s": S, "y": Y, "x_prev": x, "g_prev": g}


def exercise_4():
    """my_lbfgs passes optimlab.check; without the gamma scaling it departs at step 2."""
    report = optimlab.check(my_lbfgs, "lbfgs")
    assert report.ok, str(report)
    unscaled = optimlab.check(lambda p, g, st, hp: my_lbfgs(p, g, st, hp, scale=False), "lbfgs")
    assert not unscaled.ok and unscaled.first_bad_step == 2  # the first step has no pair, so gamma = 1 anyway
    return {"correct": str(report), "without gamma": str(unscaled)}


def exercise_5():
    """For exp(x) - 2x: x* = ln 2, C = L'''/(2 L'') = 1/2, and Newton's eps_{k+1} / eps_k^2 tends to 1/2."""
    star = math.log(2.0)
    C = math.exp(star) / (2 * math.exp(star))  # L'' = L''' = e^x
    assert C == 0.5
    hessian = lambda x: np.array([[math.exp(float(x[0]))]])  # noqa: E731
    x, errors = np.array([1.0]), [1.0 - star]
    while errors[-1] > 1e-7:
        x, _ = newton.step(x, np.exp(x) - 2.0, None, {"hessian": hessian})
        errors.append(abs(float(x[0]) - star))
    ratios = [e1 / e0**2 for e0, e1 in zip(errors, errors[1:])]
    assert abs(ratios[-1] - C) < 0.01 * C  # within 1%
    assert len(errors) <= 6  # 0.31 -> 0.047 -> 1.1e-3 -> 6e-7 -> ...: digits double
    return {"errors": errors, "ratios": ratios}


def exercise_6():
    """(A kron G) vec(M) = vec(A M G^T) for row-major vec; the inverse acts as A^-1 M G^-1; cost 1e12 vs 2e9."""
    rng = np.random.default_rng(0)
    d_in, d_out = 7, 4
    MA, MG = rng.standard_normal((d_in, d_in)), rng.standard_normal((d_out, d_out))
    A, G = MA @ MA.T + np.eye(d_in), MG @ MG.T + np.eye(d_out)
    M = rng.standard_normal((d_in, d_out))
    np.testing.assert_allclose(np.kron(A, G) @ M.ravel(), (A @ M @ G.T).ravel(), atol=1e-10)
    np.testing.assert_allclose(np.linalg.solve(np.kron(A, G), M.ravel()),
                               (np.linalg.inv(A) @ M @ np.linalg.inv(G)).ravel(), atol=1e-10)
    n = 1000  # multiply-adds: the Kronecker matrix times a vector vs two small products
    big, small = (n * n) ** 2, n * n * n + n * n * n
    assert big == 10**12 and small == 2 * 10**9
    return {"kron matvec": big, "A M G^T": small}
