"""Solutions to the exercises of notebook 01 (gradient descent and SGD).

Each ``exercise_K()`` computes its answer with optimlab, asserts it against a value derived
independently (a formula or a hand computation), and returns it.  The test suite calls them all.
"""

import numpy as np

import optimlab
from optimlab import landscapes, tuning
from optimlab.optimizers import sgd


def _steps_to(f, hparams, shrink=1e-6, max_steps=100000):
    """Steps of gradient descent until |theta - theta*| <= shrink * |theta_0 - theta*| (the minimum is 0)."""
    theta, state, n = f.start.copy(), None, 0
    while np.linalg.norm(theta) > shrink * np.linalg.norm(f.start) and n < max_steps:
        theta, state = sgd.step(theta, f.grad(theta), state, hparams)
        n += 1
    return n


def exercise_1():
    """kappa = 100 at lr = 2/(lmin+lmax): predicted ln(1e6)/ln((k+1)/(k-1)) = 690.8 steps; measured 691."""
    kappa = 100.0
    f = landscapes.ravine(condition=kappa)
    lam_min, lam_max = 1 / kappa, 1.0
    predicted = np.log(1e6) / np.log((kappa + 1) / (kappa - 1))
    measured = _steps_to(f, {"lr": 2 / (lam_min + lam_max)})
    assert abs(predicted - 690.8) < 0.1
    assert measured == int(np.ceil(predicted)), (measured, predicted)
    return {"predicted": predicted, "measured": measured}


def exercise_2():
    """lr = 2/lambda_max = 2: the steep coordinate flips sign with constant size, the flat one shrinks by 0.8 a step.

    Neither converges nor diverges: the loss tends to the steep mode's constant share, lambda_max z_steep^2 / 2.
    """
    f = landscapes.ravine(condition=10.0, angle=0.5)
    lam, Q = np.linalg.eigh(f.A)  # ascending: lam = (0.1, 1.0)
    theta, state = f.start.copy(), None
    z0 = Q.T @ theta
    for _ in range(200):
        theta, state = sgd.step(theta, f.grad(theta), state, {"lr": 2.0})
    z = Q.T @ theta
    assert np.isclose(z[1], z0[1], rtol=1e-9)  # (1 - 2*1)^200 = (+1): back to the start after an even number of steps
    assert np.isclose(z[0], 0.8**200 * z0[0], rtol=1e-6)  # (1 - 2*0.1)^200
    loss = f.value(theta)
    assert np.isclose(loss, 0.5 * lam[1] * z0[1] ** 2, rtol=1e-9)
    return {"steep_start": z0[1], "steep_after_200": z[1], "flat_after_200": z[0], "loss_after_200": loss}


def exercise_3():
    """At lr = 1/lambda_max the factor is 1 - 1/kappa: about kappa steps per e-fold (99.5 for kappa = 100); at
    2/(lmin+lmax) it is (kappa-1)/(kappa+1): about kappa/2 (50.0)."""
    kappa = 100.0
    f = landscapes.ravine(condition=kappa, angle=0.3)
    out = {}
    for label, lr, factor in (("1/L", 1.0, 1 - 1 / kappa), ("2/(mu+L)", 2 / (1 + 1 / kappa), (kappa - 1) / (kappa + 1))):
        theta, state, dist = f.start.copy(), None, []
        for _ in range(400):
            theta, state = sgd.step(theta, f.grad(theta), state, {"lr": lr})
            dist.append(np.linalg.norm(theta))
        rate = (dist[-1] / dist[-101]) ** 0.01
        assert np.isclose(rate, factor, rtol=1e-9), (label, rate, factor)
        out[label] = {"rate": rate, "steps_per_efold": -1 / np.log(rate)}
    assert abs(out["1/L"]["steps_per_efold"] - 99.5) < 0.1 and abs(out["2/(mu+L)"]["steps_per_efold"] - 50.0) < 0.1
    return out


def my_sgd(params, grads, state, hparams):
    """A student's SGD with L2 weight decay (optimlab's signature); inputs are not modified."""
    lr, wd = hparams["lr"], hparams.get("weight_decay", 0.0)
    new = {k: p - lr * (grads[k] + wd * p) for k, p in params.items()}
    return new, {"t": (state or {"t": 0})["t"] + 1}


def my_sgd_without_decay(params, grads, state, hparams):
    """The same, with the weight decay forgotten (a slip for optimlab.check to find)."""
    return {k: p - hparams["lr"] * grads[k] for k, p in params.items()}, state


def exercise_4():
    """The correct SGD passes optimlab.check; the one that forgets weight decay fails on the probe that sets it."""
    good = optimlab.check(my_sgd, "sgd")
    assert good.ok and good.first_bad_step is None, str(good)
    bad = optimlab.check(my_sgd_without_decay, "sgd")
    assert not bad.ok and bad.first_bad_step == 1, str(bad)
    assert "weight" in str(bad).lower() and "decay" in str(bad).lower(), str(bad)
    return {"correct": str(good), "forgot_decay": str(bad)}


def exercise_5():
    """At a shared lr of 1e-3 Adam drops from first to (near) last on Rosenbrock: the shared rate ranks the rate."""
    entry = tuning.load()["benchmarks"]["rosenbrock"]["optimizers"]
    race = ("sgd", "momentum", "rmsprop", "adam")

    def score_at(name, lr):
        grid = entry[name]["grid"]
        i = int(np.argmin([abs(np.log(g / lr)) for g in grid]))
        s = entry[name]["scores"][i]
        return np.inf if s is None else s

    shared = sorted(race, key=lambda o: score_at(o, 1e-3))
    tuned = sorted(race, key=lambda o: score_at(o, entry[o]["best_lr"]))
    assert np.isclose(entry["sgd"]["best_lr"], 1e-3)
    assert tuned[0] == "adam" and shared.index("adam") >= 2, (tuned, shared)  # first when tuned, not in the top two at 1e-3
    assert score_at("adam", 1e-3) > 1e3 * score_at("adam", entry["adam"]["best_lr"])
    return {"ranking_at_lr_1e-3": shared, "ranking_tuned": tuned,
            "adam_gap_at_1e-3": score_at("adam", 1e-3), "adam_gap_tuned": score_at("adam", entry["adam"]["best_lr"])}


def exercise_6():
    """lr 0.2 with batch 2: floor = lr s^2/(2-lr) with s^2 = 1/2, i.e. 0.0556; lr 0.1 with batch 1: 0.0526.

    Doubling the learning rate and the batch together keeps the floor (almost) where it was: for small lr the
    floor is about lr*sigma^2/(2B), a function of lr/B only (the "linear scaling rule" of Goyal et al. 2017).
    """
    rng = np.random.default_rng(0)
    copies, out = 20000, {}
    for lr, B in ((0.2, 2), (0.1, 1)):
        s2 = 1.0 / B
        x, state, tail = np.zeros(copies), None, []
        for t in range(600):
            x, state = sgd.step(x, x + np.sqrt(s2) * rng.standard_normal(copies), state, {"lr": lr})
            if t >= 300:
                tail.append(np.mean(x**2))
        predicted = lr * s2 / (2 - lr)
        measured = float(np.mean(tail))
        assert abs(measured - predicted) < 0.03 * predicted, (lr, B, measured, predicted)
        out[f"lr {lr}, batch {B}"] = {"predicted": predicted, "measured": measured}
    a, b = out["lr 0.2, batch 2"]["predicted"], out["lr 0.1, batch 1"]["predicted"]
    assert np.isclose(a, 1 / 18) and np.isclose(b, 1 / 19) and abs(a / b - 1) < 0.06
    return out
