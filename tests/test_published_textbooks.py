"""Course and textbook published expected values (CS231n, d2l.ai), ported (see ``published_common``).

* CS231n (Stanford), assignment 2, ``FullyConnectedNets.ipynb``: the ``expected_next_w`` (and
  velocity / cache / m / v) arrays the notebook prints for ``cs231n/optim.py``'s ``sgd_momentum``,
  ``rmsprop`` and ``adam``.  The notebook ships in the course's assignment archive; the copy read here
  is Burton2000/CS231n-2017@0a0bd0194d9d4606dc864272823c21dba7b0e0f9 ``assignment2/FullyConnectedNets.ipynb``
  (cells "Test SGD+Momentum", "Test RMSProp", "Test Adam").  The notebook asks for relative errors
  "around e-7 or less"; the arrays are printed with 8 decimals, so they are compared with
  atol = 1e-8 (twice the printed rounding).  The sources start from a given optimizer state, which
  is mapped onto optimlab's state explicitly.
* d2l.ai (Dive into Deep Learning), chapter "Optimization Algorithms": the ``epoch 20, x1: ..., x2: ...``
  lines printed by ``d2l.train_2d`` (20 steps from ``(-5, -2)``) under the ``gd_2d``,
  ``momentum_2d``, ``adagrad_2d`` and ``rmsprop_2d`` code cells of d2l-ai/d2l-en
  ``chapter_optimization/{gd,momentum,adagrad,rmsprop}.md`` (PyTorch tab).  The printed output is
  the book's build output (d2l.ai); the values below were read from copies of that output and
  appear identically in the English and Chinese editions.  Printed with ``%f`` (6 decimals):
  compared within 5e-7.
"""

from __future__ import annotations

import numpy as np
import pytest

from published_common import run, state_with

CS231N = "Burton2000/CS231n-2017@0a0bd019 assignment2/FullyConnectedNets.ipynb (CS231n assignment 2)"


def cs231n_inputs(*ranges):
    """The cells' inputs: ``np.linspace(a, b, num=N*D).reshape(N, D)`` with N, D = 4, 5, one per (a, b)."""
    return [np.linspace(a, b, num=4 * 5).reshape(4, 5) for a, b in ranges]


def rel_error(x, y):
    """CS231n's rel_error (FullyConnectedNets.ipynb), used for the notebook's own criterion."""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


def test_cs231n_sgd_momentum():
    # CS231N, cell "Test SGD+Momentum": sgd_momentum(w, dw, config={'learning_rate': 1e-3, 'velocity': v}),
    # momentum 0.9 (cs231n/optim.py default): v = 0.9 * v - lr * dw; next_w = w + v.
    # optimlab's momentum keeps b = -v / lr; a state after t >= 1 steps makes b_t = mu * b_{t-1} + g.
    w, dw, v = cs231n_inputs((-0.4, 0.6), (-0.6, 0.4), (0.6, 0.9))
    hp = {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0}
    state = state_with("momentum", w, hp, t=1, b=-v / 1e-3)
    next_w, state = run("momentum", w, [dw], hp, state)[:2]
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    np.testing.assert_allclose(next_w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(-1e-3 * state["slots"]["param"]["b"], expected_velocity, rtol=0, atol=1e-8)
    assert rel_error(expected_next_w, next_w) < 1e-7


def test_cs231n_rmsprop():
    # CS231N, cell "Test RMSProp": rmsprop(w, dw, config={'learning_rate': 1e-2, 'cache': cache}),
    # decay_rate 0.99, epsilon 1e-8 (cs231n/optim.py defaults): cache = 0.99 * cache + 0.01 * dw**2;
    # next_w = w - lr * dw / (sqrt(cache) + eps) (epsilon outside the root, PyTorch's placement).
    w, dw, cache = cs231n_inputs((-0.4, 0.6), (-0.6, 0.4), (0.6, 0.9))
    hp = {"lr": 1e-2, "rho": 0.99, "eps": 1e-8}
    state = state_with("rmsprop", w, hp, t=1, v=cache)
    next_w, state = run("rmsprop", w, [dw], hp, state)[:2]
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.asarray([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    np.testing.assert_allclose(next_w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(state["slots"]["param"]["v"], expected_cache, rtol=0, atol=1e-8)


def test_cs231n_adam():
    # CS231N, cell "Test Adam": adam(w, dw, config={'learning_rate': 1e-2, 'm': m, 'v': v, 't': 5}),
    # beta1 0.9, beta2 0.999, epsilon 1e-8; cs231n's adam increments t before use (t = 6 here) and
    # bias-corrects m and v, epsilon outside the root: optimlab's adam from a state with t = 5.
    w, dw, m, v = cs231n_inputs((-0.4, 0.6), (-0.6, 0.4), (0.6, 0.9), (0.7, 0.5))
    hp = {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    state = state_with("adam", w, hp, t=5, m=m, v=v)
    next_w, state = run("adam", w, [dw], hp, state)[:2]
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    np.testing.assert_allclose(next_w, expected_next_w, rtol=0, atol=1e-8)
    np.testing.assert_allclose(state["slots"]["param"]["v"], expected_v, rtol=0, atol=1e-8)
    np.testing.assert_allclose(state["slots"]["param"]["m"], expected_m, rtol=0, atol=1e-8)
    assert state["t"] == 6


# ------------------------------------------------------------------------------------------------
# d2l.ai: train_2d runs 20 steps from x1, x2 = -5, -2 (state s1 = s2 = 0) and prints
# f'epoch {i + 1}, x1: {float(x1):f}, x2: {float(x2):f}'.

D2L = "d2l-ai/d2l-en chapter_optimization/"

D2L_CASES = [
    # (id, source cell, objective's gradient, optimlab optimizer, hparams, pins, printed x1, x2)
    ("gd-eta0.1", D2L + "gd.md, gd_2d on f = x1**2 + 2*x2**2, eta = 0.1",
     lambda x: np.array([2 * x[0], 4 * x[1]]), "sgd", {"lr": 0.1}, [], ("-0.057646", "-0.000073")),
    ("gd-eta0.4", D2L + "momentum.md, gd_2d on f = 0.1*x1**2 + 2*x2**2, eta = 0.4",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "sgd", {"lr": 0.4}, [], ("-0.943467", "-0.000073")),
    ("gd-eta0.6", D2L + "momentum.md, gd_2d, eta = 0.6 (diverges along x2)",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "sgd", {"lr": 0.6}, [], ("-0.387814", "-1673.365109")),
    # momentum_2d: v = beta * v + g (v0 = 0, so v1 = g1: PyTorch's first buffer); x -= eta * v
    ("momentum-beta0.5", D2L + "momentum.md, momentum_2d, eta, beta = 0.6, 0.5",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "momentum", {"lr": 0.6, "momentum": 0.5}, [],
     ("0.007188", "0.002553")),
    ("momentum-beta0.25", D2L + "momentum.md, momentum_2d, eta, beta = 0.6, 0.25",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "momentum", {"lr": 0.6, "momentum": 0.25}, [],
     ("-0.126340", "-0.186632")),
    # adagrad_2d: s += g**2; x -= eta / math.sqrt(s + eps) * g with eps = 1e-6: epsilon inside the root
    ("adagrad-eta0.4", D2L + "adagrad.md, adagrad_2d, eta = 0.4",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "adagrad", {"lr": 0.4, "eps": 1e-6, "eps_inside_sqrt": True},
     ["eps_inside_sqrt"], ("-2.382563", "-0.158591")),
    ("adagrad-eta2", D2L + "adagrad.md, adagrad_2d, eta = 2",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "adagrad", {"lr": 2.0, "eps": 1e-6, "eps_inside_sqrt": True},
     ["eps_inside_sqrt"], ("-0.002295", "-0.000000")),
    # rmsprop_2d: s = gamma * s + (1 - gamma) * g**2; x -= eta / math.sqrt(s + eps) * g, eps = 1e-6.
    # Near the end g1**2 is comparable with eps, so the placement shows in x1's printed digits.
    ("rmsprop", D2L + "rmsprop.md, rmsprop_2d, eta, gamma = 0.4, 0.9",
     lambda x: np.array([0.2 * x[0], 4 * x[1]]), "rmsprop",
     {"lr": 0.4, "rho": 0.9, "eps": 1e-6, "eps_inside_sqrt": True}, ["eps_inside_sqrt"],
     ("-0.010599", "0.000000")),
]


@pytest.mark.parametrize("case_id,source,grad,name,hparams,pins,printed", D2L_CASES, ids=[c[0] for c in D2L_CASES])
def test_d2l_train_2d(case_id, source, grad, name, hparams, pins, printed):
    x = np.array([-5.0, -2.0])
    x, _, _ = run(name, x, (grad, 20), hparams)
    for value, text in zip(x, printed):
        assert abs(value - float(text)) <= 5e-7, f"{source}: got {value:f}, d2l printed {text}"
