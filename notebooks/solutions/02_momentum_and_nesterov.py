"""Solutions to the exercises of notebook 02 (momentum and Nesterov).

Each ``exercise_K()`` computes its answer with optimlab, asserts it against a value derived
independently (a formula, a hand computation or plain linear algebra), and returns it.  The test
suite calls them all.
"""

import numpy as np

import optimlab
from optimlab import experiments as E
from optimlab import landscapes
from optimlab.figures import ch02


def _optimal(kappa):
    lam_min, lam_max = 1 / kappa, 1.0
    gd = {"lr": 2 / (lam_min + lam_max)}
    hb = {"lr": 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2,
          "momentum": ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2}
    return gd, hb


def exercise_1():
    """kappa = 400: GD needs ln(1e6)/ln(401/399) = 2763 steps; the heavy ball's rate alone predicts
    ln(1e6)/ln(21/19) = 138, and the double roots at the spectrum's ends add a transient (a factor ~t
    in front of r^t), so it needs somewhat more: between 138 and 1.5 x 138."""
    kappa = 400.0
    f = landscapes.ravine(condition=kappa, angle=0.5)
    gd, hb = _optimal(kappa)
    pred_gd = np.log(1e6) / np.log((kappa + 1) / (kappa - 1))
    pred_hb = np.log(1e6) / np.log((np.sqrt(kappa) + 1) / (np.sqrt(kappa) - 1))
    n_gd, n_hb = ch02.steps_to_shrink("sgd", gd, f), ch02.steps_to_shrink("momentum", hb, f)
    assert abs(pred_gd - 2763.1) < 0.5 and abs(pred_hb - 138.0) < 0.5
    assert n_gd == int(np.ceil(pred_gd)), (n_gd, pred_gd)
    assert pred_hb < n_hb < 1.5 * pred_hb, (n_hb, pred_hb)
    assert 15 < n_gd / n_hb < np.sqrt(kappa)  # the speed-up: close to, and below, sqrt(kappa) = 20
    return {"gd": {"predicted": pred_gd, "measured": n_gd}, "heavy_ball": {"predicted_rate_only": pred_hb,
                                                                          "measured": n_hb}}


def _rate(name, hp, f, steps=300, window=50):
    module, x, state, dist = optimlab.optimizers.get(name), f.start.copy(), None, []
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x, state = module.step(x, f.grad(x), state, hp, check_finite=False)
            dist.append(np.linalg.norm(x))
    return (dist[-1] / dist[-1 - window]) ** (1 / window), dist[-1]


def exercise_2():
    """lr 3.31 fixed: momentum 0.3 diverges (3.31 > 2(1 + 0.3) = 2.6); 0.669 contracts by 9/11 = 0.818 per step;
    0.9 puts every curvature in the complex band [(1-sqrt .9)^2, (1+sqrt .9)^2]/lr, so it contracts by
    sqrt(0.9) = 0.949: slower than the optimum."""
    kappa = 100.0
    f = landscapes.ravine(condition=kappa, angle=0.5)
    _, hb = _optimal(kappa)
    lr = hb["lr"]
    out = {}
    for mu in (0.3, hb["momentum"], 0.9):
        rate, final = _rate("momentum", {"lr": lr, "momentum": mu}, f, steps=200)
        out[round(mu, 3)] = {"rate": rate, "final_distance": final}
    assert lr * 1.0 > 2 * (1 + 0.3) and out[0.3]["final_distance"] > 1e6  # unstable: diverged
    # the steep mode's roots for mu = 0.3: the larger modulus exceeds 1
    assert np.abs(np.roots([1, -(1 + 0.3 - lr), 0.3])).max() > 1
    assert abs(out[round(hb["momentum"], 3)]["rate"] - 9 / 11) < 0.01
    lo, hi = (1 - np.sqrt(0.9)) ** 2 / lr, (1 + np.sqrt(0.9)) ** 2 / lr
    assert lo < 1 / kappa and 1.0 < hi  # every curvature in [0.01, 1] lies in the complex-root band
    assert abs(out[0.9]["rate"] - np.sqrt(0.9)) < 0.005
    return out


def exercise_3():
    """Grid search of max over {lam_min, lam_max} of the spectral radius of M_lambda: the minimum sits at
    (4/(1 + 0.1)^2, (9/11)^2) = (3.306, 0.669) with radius 9/11; a run of momentum.step contracts at that rate.

    The two extremes suffice: inside the complex-root band every curvature has modulus sqrt(mu), and the band
    is an interval, so it covers [lam_min, lam_max] as soon as it covers both ends."""
    kappa = 100.0
    lams = (1 / kappa, 1.0)

    def radius(lr, mu):
        return max(np.abs(np.linalg.eigvals(np.array([[1 + mu - lr * lam, -mu], [1.0, 0.0]]))).max() for lam in lams)

    lrs, mus = np.linspace(2.5, 4.0, 151), np.linspace(0.5, 0.9, 161)
    R = np.array([[radius(lr, mu) for mu in mus] for lr in lrs])
    i, j = np.unravel_index(np.argmin(R), R.shape)
    _, hb = _optimal(kappa)
    assert abs(lrs[i] - hb["lr"]) < 0.02 and abs(mus[j] - hb["momentum"]) < 0.005, (lrs[i], mus[j])
    assert abs(R[i, j] - 9 / 11) < 0.01 and np.isclose(radius(hb["lr"], hb["momentum"]), 9 / 11, atol=1e-6)
    # the whole spectrum, not only its ends, decays at sqrt(mu*) at the optimum
    inner = [np.abs(np.linalg.eigvals(np.array([[1 + hb["momentum"] - hb["lr"] * lam, -hb["momentum"]], [1.0, 0.0]]))).max()
             for lam in np.geomspace(0.011, 0.99, 25)]
    assert np.allclose(inner, 9 / 11, atol=1e-9)
    rate, _ = _rate("momentum", hb, landscapes.ravine(condition=kappa, angle=0.5), steps=150)
    assert abs(rate - 9 / 11) < 0.01, rate
    return {"grid_minimum": (lrs[i], mus[j], R[i, j]), "closed_form": (hb["lr"], hb["momentum"], 9 / 11),
            "measured_rate": rate}


def sgd_momentum(w, dw, config=None):
    """Heavy-ball momentum in CS231n's signature (assignment 2, optim.py), the velocity form."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def exercise_4():
    """The velocity form passes optimlab.check for momentum, with a note: it keeps the lr inside the velocity,
    so it is PyTorch's momentum only while the learning rate is constant."""
    report = optimlab.check(sgd_momentum, "momentum", signature="cs231n")
    assert report.ok and report.first_bad_step is None, str(report)
    text = str(report)
    assert "schedule" in text and "velocity" in text, text
    return text


def my_nesterov(params, grads, state, hparams, slip=False):
    """Nesterov momentum, PyTorch's form: b = mu*b + g; theta -= lr*(g + mu*b) (the slip: theta -= lr*b)."""
    state = state or {"b": {k: np.zeros_like(p) for k, p in params.items()}}
    lr, mu, wd = hparams["lr"], hparams["momentum"], hparams.get("weight_decay", 0.0)
    new, b = {}, {}
    for k, p in params.items():
        g = grads[k] + wd * p
        b[k] = mu * state["b"][k] + g
        new[k] = p - lr * (b[k] if slip else g + mu * b[k])
    return new, {"b": b}


def exercise_5():
    """The PyTorch-form Nesterov passes; the heavy-ball slip is caught at step 1 and named."""
    good = optimlab.check(my_nesterov, "nesterov")
    assert good.ok, str(good)
    bad = optimlab.check(lambda p, g, s, h: my_nesterov(p, g, s, h, slip=True), "nesterov")
    assert not bad.ok and "heavy-ball" in str(bad), str(bad)
    return {"correct": str(good), "heavy_ball_slip": str(bad)}


def exercise_6():
    """Saddle x^2 - y^2 from (-1, 1e-3), lr 0.05: GD multiplies y by 1.1 a step, so |y| > 1 first at step
    ceil(ln 1000 / ln 1.1) = 73; the heavy ball's growth factor is the larger root of r^2 - 2r + 0.9, 1.316,
    which alone predicts 25.1 steps; it needs a little more because its velocity starts at zero (the smaller
    root's component has to die out first)."""
    f = landscapes.saddle()
    start = np.array([-1.0, 1e-3])
    first = {}
    for name, hp in (("sgd", {"lr": 0.05}), ("momentum", {"lr": 0.05, "momentum": 0.9})):
        y = np.abs(E.trajectory(name, f, hp, 150, start=start)[:, 1])
        first[name] = int(np.argmax(y > 1))
    r = max(np.roots([1, -(1 + 0.9 + 2 * 0.05), 0.9]))
    pred_gd, pred_hb = np.log(1000) / np.log(1.1), np.log(1000) / np.log(r)
    assert first["sgd"] == int(np.ceil(pred_gd)) == 73
    assert abs(r - 1.3162) < 1e-4 and pred_hb < first["momentum"] <= pred_hb + 4, (first, pred_hb)
    return {"sgd": first["sgd"], "momentum": first["momentum"], "predicted_sgd": pred_gd,
            "predicted_momentum_rate_only": pred_hb}
