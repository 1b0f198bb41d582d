"""Solutions to the exercises of notebook 07 (Lion and Muon).

Each ``exercise_K()`` computes the answer with optimlab, asserts it against a value derived independently
(a formula or a hand computation), and returns it.
"""

import math

import numpy as np

import optimlab
from optimlab.optimizers import lion, muon


def _flip_step(beta1, beta2, warmup=2000):
    """Steps of g = -1 after `warmup` steps of g = +1 until Lion's update changes sign (theta starts rising)."""
    theta, state, hp = np.zeros(1), None, {"lr": 1e-3, "beta1": beta1, "beta2": beta2}
    for _ in range(warmup):
        theta, state = lion.step(theta, np.ones(1), state, hp)
    for k in range(1, 10_000):
        new, state = lion.step(theta, -np.ones(1), state, hp)
        if new[0] > theta[0]:  # sign(c) = -1: the step goes up
            return k
        theta = new
    raise AssertionError("the update never flipped")


def exercise_1():
    """Lion's update flips after 60 steps of reversed gradient; with beta1 = beta2 = 0.9 after 7."""
    # derivation: after the warm-up m0 = 1 - beta2**2000 (~1); after k-1 steps of -1, m = beta2**(k-1) (m0 + 1) - 1;
    # the k-th update uses c = beta1 m + (1 - beta1)(-1), negative once beta2**(k-1) < (1/beta1) / (m0 + 1)
    def predicted(beta1, beta2, warmup=2000):
        m0 = 1 - beta2**warmup
        return math.floor(math.log((1 / beta1) / (m0 + 1)) / math.log(beta2)) + 2

    lion_default, signum = _flip_step(0.9, 0.99), _flip_step(0.9, 0.9)
    assert lion_default == predicted(0.9, 0.99) == 60
    assert signum == predicted(0.9, 0.9) == 7
    # Lion's long memory makes its direction persist ~8x longer through a reversal (it ignores short-lived flips)
    return {"lion (0.9, 0.99)": lion_default, "beta1 = beta2 = 0.9": signum}


def exercise_2():
    """k Newton-Schulz steps lift values down to ~1.07 * 0.68 / a**k; more steps leave fewer values behind."""
    a = muon.NS_COEFFICIENTS[0]
    s = np.geomspace(1e-6, 1.0, 400_001)
    G = np.random.default_rng(0).standard_normal((128, 128))
    out = {}
    for k in (3, 5, 7):
        threshold = s[np.argmax(muon.ns_polynomial(s, k) >= 0.68)]
        linear = 0.68 / a**k
        assert 1.0 < threshold / linear < 1.1  # the last steps are not quite linear: a constant ~1.07 above
        below = int((np.linalg.svd(muon.orthogonalize(G, k), compute_uv=False) < 0.68).sum())
        out[k] = {"threshold": float(threshold), "linear estimate": linear, "values below 0.68": below}
    counts = [out[k]["values below 0.68"] for k in (3, 5, 7)]
    assert counts[0] > counts[1] > counts[2] == 0  # 16, 2, 0 for this matrix
    return out


def exercise_3():
    """The fixed point of p in (0, 1) is s* = 0.8680 with p'(s*) = -1.58: repelling, so the values keep oscillating."""
    a, b, c = muon.NS_COEFFICIENTS
    # p(s) = s  <=>  c s^4 + b s^2 + (a - 1) = 0, a quadratic in s^2
    s2 = (-b - math.sqrt(b * b - 4 * c * (a - 1))) / (2 * c)
    star = math.sqrt(s2)
    roots = [r.real for r in np.roots([c, 0, b, 0, a - 1, 0]) if abs(r.imag) < 1e-12 and 0 < r.real < 1]
    assert len(roots) == 1 and abs(roots[0] - star) < 1e-12
    slope = a + 3 * b * star**2 + 5 * c * star**4
    assert abs(slope + 1.582) < 1e-3 and abs(slope) > 1  # repelling
    # consequence: more steps do not shrink the band [0.682, 1.134] for inputs >= 0.01
    s = np.geomspace(0.01, 1.0, 20_001)
    widths = [float(np.ptp(muon.ns_polynomial(s, k))) for k in (5, 20, 50)]
    assert all(abs(w - widths[0]) < 1e-6 for w in widths)
    return {"fixed point": star, "p'(fixed point)": slope, "band width after 5, 20, 50 steps": widths}


def my_lion(params, grads, state, hparams):
    """Lion, written from the update rule (what the student writes)."""
    b1, b2, lr, wd = hparams["beta1"], hparams["beta2"], hparams["lr"], hparams["weight_decay"]
    state = state or {"m": {k: np.zeros_like(p) for k, p in params.items()}}
    new, m = {}, {}
    for k, p in params.items():
        c = b1 * state["m"][k] + (1 - b1) * grads[k]
        new[k] = p - lr * (np.sign(c) + wd * p)
        m[k] = b2 * state["m"][k] + (1 - b2) * grads[k]
    return new, {"m": m}


def my_lion_slip(params, grads, state, hparams):
    """The classic slip: the sign of the updated momentum m_t instead of the interpolation c_t."""
    b2, lr, wd = hparams["beta2"], hparams["lr"], hparams["weight_decay"]
    state = state or {"m": {k: np.zeros_like(p) for k, p in params.items()}}
    new, m = {}, {}
    for k, p in params.items():
        m[k] = b2 * state["m"][k] + (1 - b2) * grads[k]
        new[k] = p - lr * (np.sign(m[k]) + wd * p)
    return new, {"m": m}


def exercise_4():
    """my_lion passes optimlab.check; the sign-of-the-memory slip fails and is named."""
    report = optimlab.check(my_lion, "lion")
    assert report.ok, str(report)
    slip = optimlab.check(my_lion_slip, "lion")
    assert not slip.ok and "momentum" in str(slip)
    return {"correct": str(report), "slip": str(slip)}


def _bfloat16(x):
    """Round to the nearest bfloat16 (ties to even): keep the top 16 bits of each float32 after rounding."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


def my_newton_schulz(G, steps=5, rounding=None):
    """The quintic Newton-Schulz iteration, optionally rounding every intermediate matrix."""
    a, b, c = 3.4445, -4.7750, 2.0315
    r = rounding or (lambda x: x)
    X = np.asarray(G, dtype=np.float64)
    tall = X.shape[0] > X.shape[1]
    X = r(X.T if tall else X)
    X = r(X / np.linalg.norm(X))
    for _ in range(steps):
        A = r(X @ X.T)
        B = r(b * A + c * r(A @ A))
        X = r(a * X + r(B @ X))
    return X.T if tall else X


def exercise_5():
    """My Newton-Schulz equals muon.orthogonalize; in bfloat16 the singular values move by < 0.05 and stay in the band."""
    G = np.random.default_rng(3).standard_normal((64, 16))
    mine = my_newton_schulz(G)
    np.testing.assert_allclose(mine, muon.orthogonalize(G), atol=1e-12)
    s64 = np.linalg.svd(mine, compute_uv=False)
    s16 = np.linalg.svd(my_newton_schulz(G, rounding=_bfloat16).astype(np.float64), compute_uv=False)
    assert 0.68 <= s64.min() and s64.max() <= 1.14  # a well-conditioned 64 x 16: the band
    assert np.abs(s16 - s64).max() < 0.05 and 0.6 < s16.min() and s16.max() < 1.2  # 0.025 here
    return {"float64": s64, "bfloat16": s16, "max difference": float(np.abs(s16 - s64).max())}


def exercise_6():
    """match_rms_adamw: RMS(update) = 0.2 * lr * (band factor), i.e. within 0.2 * [0.68, 1.13] * lr."""
    n1, n2, lr = 784, 128, 0.02
    rng = np.random.default_rng(0)
    W, G = rng.standard_normal((n1, n2)), rng.standard_normal((n1, n2))
    new, _ = muon.step({"W": W}, {"W": G}, None, {"lr": lr, "adjust_lr": "match_rms_adamw"})
    rms = float(np.sqrt(np.mean((new["W"] - W) ** 2)) / lr)
    predicted = 0.2 * math.sqrt(max(n1, n2)) / math.sqrt(max(n1, n2))  # scale times the RMS of an exact U V^T
    assert predicted == 0.2
    assert 0.2 * 0.68 <= rms <= 0.2 * 1.134
    return {"RMS / lr": rms, "exact orthogonal": predicted}
