"""TensorFlow 1 and Lua torch published expected values, ported (see ``published_common``).

* TensorFlow 1: literal expectations in ``tensorflow/python/training/*_test.py`` (the versions named
  per case).  TF1 ran them in float16/32/64 with ``assertAllCloseAccordingToType`` (rtol = atol =
  1e-6 for float32/float64); optimlab runs float64 at that tolerance.  TF1's Adam test has no literal
  values (it compares with a NumPy re-implementation), so nothing of it is ported.
* Lua torch: PyTorch's early optimizer tests kept the trajectories that Lua torch's ``optim``
  package produced, in ``pytorch/pytorch`` ``test/optim/lua.out`` (commit 3d80b1371aadfb7c7660fa8881163f2f3c6e5a13),
  written by ``th test.lua > lua.out`` (``test/optim/compare.sh``): for every algorithm and config of
  ``test/optim/tests.json`` (same commit) 100 steps on Rosenbrock from ``(1.5, 1.5)`` in double
  precision, one line ``x y`` per step with 12 decimals.  Rows 1, 2, 3 and 100 of each config are
  copied below.  The gradient is ``test.lua``'s ``drosenbrock`` as written there,
  ``{-400 * x * (y - x^2) - 2 * (1 - x), 200 * x * (y - x^2)}`` -- note ``200 * x * (...)`` in the
  second component, not Rosenbrock's exact ``200 * (...)``: the trajectories were produced with it,
  so it is used here too.  Lua torch's conventions (torch/optim sources of mid-2016):
  ``adam.lua`` uses the epsilon-hat ordering (``stepSize = clr * math.sqrt(biasCorrection2)/biasCorrection1``,
  ``denom = sqrt(v) + epsilon``) and L2 weight decay; ``rmsprop.lua`` between commits 9c08fde
  ("Init rmsprop mean square state 'm' with 1 instead 0", 2016-06-08) and 824152a/0154acd (2016-09-06)
  filled ``state.m`` with 1 -- the lua.out rows show that version (first step 0.0999757, not 0.1) --
  and adds epsilon outside the root; ``adagrad.lua`` adds 1e-10 outside the root; ``adamax.lua`` adds
  epsilon to |g| inside the max; ``nag.lua`` is Sutskever's look-ahead form; ``sgd.lua``'s first
  momentum buffer is the first gradient and its dampening defaults to the momentum.
  Tolerance: atol = 1e-12, twice the printed rounding (5e-13); the rows agree to that rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optimizers import get, nesterov

from published_common import run

# ------------------------------------------------------------------------------------------------
# TensorFlow 1


def test_tf1_rmsprop_without_momentum():
    # tensorflow/tensorflow@16b518595a58a73d3c09f52925756e591fc4ff57
    # tensorflow/python/training/rmsprop_test.py::RMSPropOptimizerTest::testWithoutMomentum
    # RMSPropOptimizer(learning_rate=2.0, decay=0.9, momentum=0.0, epsilon=1.0): the rms slot starts
    # at 1.0 and epsilon goes inside the root (rms_t + epsilon under np.sqrt).  epsilon = 1.0 makes
    # the placement decisive.
    hp = {"lr": 2.0, "rho": 0.9, "momentum": 0.0, "eps": 1.0, "eps_inside_sqrt": True, "initial_mean_square": 1.0}
    params = {"var0": np.array([1.0, 2.0]), "var1": np.array([3.0, 4.0])}
    grads = {"var0": np.array([0.1, 0.1]), "var1": np.array([0.01, 0.01])}
    close = dict(rtol=1e-6, atol=1e-6)
    rmsprop = get("rmsprop")
    # Step 1: the rms accumulators where 1.
    params, state = rmsprop.step(params, grads, None, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["v"], np.array([0.901, 0.901]), **close)
    np.testing.assert_allclose(state["slots"]["var1"]["v"], np.array([0.90001, 0.90001]), **close)
    np.testing.assert_allclose(params["var0"], np.array([1.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1.0)),
                                                         2.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1.0))]), **close)
    np.testing.assert_allclose(params["var1"], np.array([3.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1.0)),
                                                         4.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1.0))]), **close)
    # Step 2: the root mean square accumulators contain the previous update.
    params, state = rmsprop.step(params, grads, state, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["v"], np.array([0.901 * 0.9 + 0.001, 0.901 * 0.9 + 0.001]),
                               **close)
    np.testing.assert_allclose(state["slots"]["var1"]["v"], np.array([0.90001 * 0.9 + 1e-5, 0.90001 * 0.9 + 1e-5]),
                               **close)
    np.testing.assert_allclose(params["var0"], np.array([
        1.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1.0)) - (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1.0)),
        2.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1.0)) - (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1.0))]), **close)
    np.testing.assert_allclose(params["var1"], np.array([
        3.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1.0)) - (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 1e-5 + 1.0)),
        4.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1.0)) - (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 1e-5 + 1.0))]), **close)


def test_tf1_rmsprop_with_momentum():
    # tensorflow/tensorflow@16b518595a58a73d3c09f52925756e591fc4ff57
    # tensorflow/python/training/rmsprop_test.py::RMSPropOptimizerTest::testWithMomentum
    # RMSPropOptimizer(learning_rate=2.0, decay=0.9, momentum=0.5, epsilon=1e-5).  TF's momentum slot
    # holds lr * g / sqrt(rms + eps) summed with momentum; optimlab's buffer b holds g / d, so TF's
    # slot is lr * b (the same while lr is constant).
    hp = {"lr": 2.0, "rho": 0.9, "momentum": 0.5, "eps": 1e-5, "eps_inside_sqrt": True, "initial_mean_square": 1.0}
    params = {"var0": np.array([1.0, 2.0]), "var1": np.array([3.0, 4.0])}
    grads = {"var0": np.array([0.1, 0.1]), "var1": np.array([0.01, 0.01])}
    close = dict(rtol=1e-6, atol=1e-6)
    rmsprop = get("rmsprop")
    # Step 1: rms = 1, mom = 0.
    params, state = rmsprop.step(params, grads, None, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["v"], np.array([0.901, 0.901]), **close)
    np.testing.assert_allclose(state["slots"]["var1"]["v"], np.array([0.90001, 0.90001]), **close)
    np.testing.assert_allclose(2.0 * state["slots"]["var0"]["b"], np.array([(0.1 * 2.0 / np.sqrt(0.901 + 1e-5)),
                                                                              (0.1 * 2.0 / np.sqrt(0.901 + 1e-5))]),
                               **close)
    np.testing.assert_allclose(2.0 * state["slots"]["var1"]["b"],
                               np.array([(0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)),
                                         (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5))]), **close)
    np.testing.assert_allclose(params["var0"], np.array([1.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1e-5)),
                                                         2.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1e-5))]), **close)
    np.testing.assert_allclose(params["var1"], np.array([3.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)),
                                                         4.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5))]), **close)
    # Step 2
    params, state = rmsprop.step(params, grads, state, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["v"], np.array([0.901 * 0.9 + 0.001, 0.901 * 0.9 + 0.001]),
                               **close)
    np.testing.assert_allclose(state["slots"]["var1"]["v"], np.array([0.90001 * 0.9 + 1e-5, 0.90001 * 0.9 + 1e-5]),
                               **close)
    np.testing.assert_allclose(2.0 * state["slots"]["var0"]["b"], np.array([
        0.5 * (0.1 * 2.0 / np.sqrt(0.901 + 1e-5)) + (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1e-5)),
        0.5 * (0.1 * 2.0 / np.sqrt(0.901 + 1e-5)) + (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1e-5))]), **close)
    np.testing.assert_allclose(2.0 * state["slots"]["var1"]["b"], np.array([
        0.5 * (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)) + (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 2e-5)),
        0.5 * (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)) + (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 2e-5))]), **close)
    np.testing.assert_allclose(params["var0"], np.array([
        1.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1e-5))
        - (0.5 * (0.1 * 2.0 / np.sqrt(0.901 + 1e-5)) + (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1e-5))),
        2.0 - (0.1 * 2.0 / np.sqrt(0.901 + 1e-5))
        - (0.5 * (0.1 * 2.0 / np.sqrt(0.901 + 1e-5)) + (0.1 * 2.0 / np.sqrt(0.901 * 0.9 + 0.001 + 1e-5)))]), **close)
    np.testing.assert_allclose(params["var1"], np.array([
        3.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5))
        - (0.5 * (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)) + (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 2e-5))),
        4.0 - (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5))
        - (0.5 * (0.01 * 2.0 / np.sqrt(0.90001 + 1e-5)) + (0.01 * 2.0 / np.sqrt(0.90001 * 0.9 + 2e-5)))]), **close)


#: TF1's Adagrad has no epsilon; optimlab's must be > 0.  Beside sqrt(accum) >= sqrt(0.1) this one is
#: far below half an ulp, so adding it changes no bit (see test_tf1_adagrad_basic).
TF1_NO_EPS = 1e-300


def test_tf1_adagrad_basic():
    # tensorflow/tensorflow@05926e4000818f798a761b81f48929928768e771
    # tensorflow/python/training/adagrad_test.py::AdagradOptimizerTest::doTestBasic (testBasic,
    # testTensorLearningRate and testSharing assert the same numbers).
    # AdagradOptimizer(3.0, initial_accumulator_value=0.1): TF1's Adagrad has no epsilon
    # (var -= lr * g / sqrt(accum)).  optimlab requires eps > 0 (it guards a division); with an
    # accumulator of at least 0.1, sqrt(accum) + 1e-300 == sqrt(accum) exactly in float64, so
    # eps=1e-300 is TF1's formula to the last bit.
    hp = {"lr": 3.0, "initial_accumulator_value": 0.1, "eps": TF1_NO_EPS}
    params = {"var0": np.array([1.0, 2.0]), "var1": np.array([3.0, 4.0])}
    grads = {"var0": np.array([0.1, 0.1]), "var1": np.array([0.01, 0.01])}
    params, _, _ = run("adagrad", params, [grads] * 3, hp)  # Run 3 steps of adagrad
    np.testing.assert_allclose(params["var0"], np.array([-1.6026098728179932, -0.6026098728179932]),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(params["var1"], np.array([2.715679168701172, 3.715679168701172]),
                               rtol=1e-6, atol=1e-6)


def test_tf1_adagrad_sparse_stability():
    # tensorflow/tensorflow@05926e4000818f798a761b81f48929928768e771
    # tensorflow/python/training/adagrad_test.py::AdagradOptimizerTest::testSparseStability
    # AdagradOptimizer(1.0, initial_accumulator_value=0.1), one step from the given var and grads
    # (the sparse slice covers the whole [1, 6] variable).
    var0 = np.array([[0.00872496, -0.106952, 0.110467, 0.226505, -0.0147257, -0.0105945]])
    grads0 = np.array([[-5.91278e-05, 5.31673e-05, -2.5779e-06, 4.29153e-05, -8.4877e-05, -9.48906e-05]])
    var0, state = get("adagrad").step(var0, grads0, None, {"lr": 1.0, "initial_accumulator_value": 0.1,
                                                           "eps": TF1_NO_EPS})
    np.testing.assert_allclose(state["slots"]["param"]["h"], np.array([[0.1, 0.1, 0.1, 0.1, 0.1, 0.1]]),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(var0, np.array([[0.00891194, -0.10712013, 0.11047515, 0.22636929, -0.0144573,
                                                -0.01029443]]), rtol=1e-6, atol=1e-6)


def test_tf1_momentum_basic():
    # tensorflow/tensorflow@06b9206d647e7ccf87eb7dbc95885ed99a7692fc
    # tensorflow/python/training/momentum_test.py::MomentumOptimizerTest::doTestBasic
    # MomentumOptimizer(learning_rate=2.0, momentum=0.9): accum = momentum * accum + g (starting at 0,
    # so the first accumulator is the gradient), var -= lr * accum: optimlab's momentum.
    hp = {"lr": 2.0, "momentum": 0.9}
    params = {"var0": np.array([1.0, 2.0]), "var1": np.array([3.0, 4.0])}
    grads = {"var0": np.array([0.1, 0.1]), "var1": np.array([0.01, 0.01])}
    close = dict(rtol=1e-6, atol=1e-6)
    momentum = get("momentum")
    params, state = momentum.step(params, grads, None, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["b"], np.array([0.1, 0.1]), **close)
    np.testing.assert_allclose(state["slots"]["var1"]["b"], np.array([0.01, 0.01]), **close)
    np.testing.assert_allclose(params["var0"], np.array([1.0 - (0.1 * 2.0), 2.0 - (0.1 * 2.0)]), **close)
    np.testing.assert_allclose(params["var1"], np.array([3.0 - (0.01 * 2.0), 4.0 - (0.01 * 2.0)]), **close)
    params, state = momentum.step(params, grads, state, hp)
    np.testing.assert_allclose(state["slots"]["var0"]["b"], np.array([(0.9 * 0.1 + 0.1), (0.9 * 0.1 + 0.1)]), **close)
    np.testing.assert_allclose(state["slots"]["var1"]["b"], np.array([(0.9 * 0.01 + 0.01), (0.9 * 0.01 + 0.01)]),
                               **close)
    np.testing.assert_allclose(params["var0"], np.array([1.0 - (0.1 * 2.0) - ((0.9 * 0.1 + 0.1) * 2.0),
                                                         2.0 - (0.1 * 2.0) - ((0.9 * 0.1 + 0.1) * 2.0)]), **close)
    np.testing.assert_allclose(params["var1"], np.array([2.98 - ((0.9 * 0.01 + 0.01) * 2.0),
                                                         3.98 - ((0.9 * 0.01 + 0.01) * 2.0)]), **close)


# ------------------------------------------------------------------------------------------------
# Lua torch trajectories (pytorch/pytorch@3d80b1371aadfb7c7660fa8881163f2f3c6e5a13 test/optim/lua.out)


def drosenbrock(t):
    """test/optim/test.lua's gradient, as written there (second component 200 * x * (y - x^2))."""
    x, y = t[0], t[1]
    return np.array([-400 * x * (y - x**2) - 2 * (1 - x), 200 * x * (y - x**2)])


def assert_rows(trajectory, rows):
    """lua.out's rows {row: (x, y)} (1-based: row 1 is after the first step) against *trajectory*, within atol 1e-12."""
    for row, expected in rows.items():
        np.testing.assert_allclose(trajectory[row - 1], expected, rtol=0, atol=1e-12, err_msg=f"row {row}")


LUA = [
    # (id, tests.json config, optimlab optimizer, hparams, pins, {row: (x, y)})
    ("adadelta-default", "adadelta {}", "adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, [],
     {1: (1.496837722340, 1.503162277660), 2: (1.493622773006, 1.506377182755),
      3: (1.490392498649, 1.509607350660), 100: (1.314135937533, 1.685403840107)}),
    ("adadelta-rho", 'adadelta {"rho": 0.95}', "adadelta", {"lr": 1.0, "rho": 0.95, "eps": 1e-6}, [],
     {1: (1.495527864045, 1.504472135954), 2: (1.491058886137, 1.508941023169),
      3: (1.486633055010, 1.513366638826), 100: (1.314578204226, 1.684880891848)}),
    ("adadelta-eps", 'adadelta {"rho": 0.95, "eps": 1e-3}', "adadelta", {"lr": 1.0, "rho": 0.95, "eps": 1e-3}, [],
     {1: (1.358578650716, 1.641421328302), 2: (1.309302868260, 1.690502182790),
      3: (1.303288611448, 1.696244836115), 100: (1.176462543036, 1.755848112526)}),
    ("adadelta-wd", 'adadelta {"weightDecay": 0.2}', "adadelta",
     {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.2}, [],
     {1: (1.496837722340, 1.503162277660), 2: (1.493622755335, 1.506377138288),
      3: (1.490392438457, 1.509607198948), 100: (1.313945121641, 1.684894175873)}),
    ("adagrad-default", "adagrad {}", "adagrad", {"lr": 1e-3, "eps": 1e-10}, [],
     {1: (1.499000000000, 1.501000000000), 2: (1.498295019210, 1.501704977630),
      3: (1.497720463228, 1.502279529449), 100: (1.481798994647, 1.518200402711)}),
    ("adam-default", "adam {}", "adam",
     {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "eps_hat": True}, ["eps_hat"],
     {1: (1.499000000001, 1.500999999999), 2: (1.498000161011, 1.501999838742),
      3: (1.497000590905, 1.502999408190), 100: (1.411295823128, 1.588683222100)}),
    ("adam-lr", 'adam {"learningRate": 1e-4}', "adam", {"lr": 1e-4, "eps": 1e-8, "eps_hat": True}, ["eps_hat"],
     {1: (1.499900000000, 1.500100000000), 2: (1.499800001567, 1.500199998431),
      3: (1.499700005741, 1.500299994250), 100: (1.490102453959, 1.509897390837)}),
    ("adam-beta1", 'adam {"learningRate": 1e-4, "beta1": 0.92}', "adam",
     {"lr": 1e-4, "beta1": 0.92, "eps": 1e-8, "eps_hat": True}, ["eps_hat"],
     {1: (1.499900000000, 1.500100000000), 2: (1.499800001238, 1.500199998760),
      3: (1.499700004538, 1.500299995455), 100: (1.490092739372, 1.509907120027)}),
    ("adam-beta2", 'adam {"learningRate": 1e-4, "beta1": 0.92, "beta2": 0.96}', "adam",
     {"lr": 1e-4, "beta1": 0.92, "beta2": 0.96, "eps": 1e-8, "eps_hat": True}, ["eps_hat"],
     {1: (1.499900000000, 1.500100000000), 2: (1.499800000641, 1.500199999358),
      3: (1.499700002351, 1.500299997646), 100: (1.490034343012, 1.509965604259)}),
    # epsilon=1e-3 makes the ordering decisive: the PyTorch ordering would give 1.4999000002 at row 1.
    ("adam-eps", 'adam {"learningRate": 1e-4, "beta1": 0.92, "beta2": 0.96, "epsilon": 1e-3}', "adam",
     {"lr": 1e-4, "beta1": 0.92, "beta2": 0.96, "eps": 1e-3, "eps_hat": True}, ["eps_hat"],
     {1: (1.499900001109, 1.500099997778), 2: (1.499800002542, 1.500199995548),
      3: (1.499700004905, 1.500299992526), 100: (1.490034371477, 1.509965547084)}),
    ("adam-wd", 'adam {"learningRate": 1e-4, "weightDecay": 0.1}', "adam",
     {"lr": 1e-4, "eps": 1e-8, "eps_hat": True, "weight_decay": 0.1}, ["eps_hat"],
     {1: (1.499900000000, 1.500100000000), 2: (1.499800001566, 1.500199998430),
      3: (1.499700005739, 1.500299994246), 100: (1.490102422955, 1.509897312634)}),
    ("adamax-default", "adamax {}  (learningRate=0.002, epsilon=1e-38)", "adamax", {"lr": 2e-3, "eps": 1e-38}, [],
     {1: (1.498000000000, 1.502000000000), 2: (1.496010602978, 1.503989378377),
      3: (1.494032175686, 1.505967767855), 100: (1.368395144008, 1.631492980311)}),
    ("adamax-lr", 'adamax {"learningRate": 1e-4}', "adamax", {"lr": 1e-4, "eps": 1e-38}, [],
     {1: (1.499900000000, 1.500100000000), 2: (1.499799971606, 1.500200028436),
      3: (1.499699915829, 1.500300084296), 100: (1.489953229244, 1.510046842163)}),
    ("adamax-beta", 'adamax {"learningRate": 1e-4, "beta1": 0.92, "beta2": 0.96}', "adamax",
     {"lr": 1e-4, "beta1": 0.92, "beta2": 0.96, "eps": 1e-38}, [],
     {1: (1.499900000000, 1.500100000000), 2: (1.499799971278, 1.500200028765),
      3: (1.499699914625, 1.500300085502), 100: (1.489943036137, 1.510057050908)}),
    ("adamax-eps", 'adamax {"learningRate": 1e-4, "beta1": 0.92, "beta2": 0.96, "epsilon": 1e-3}', "adamax",
     {"lr": 1e-4, "beta1": 0.92, "beta2": 0.96, "eps": 1e-3}, [],
     {1: (1.499900000222, 1.500099999556), 2: (1.499799971721, 1.500200027876),
      3: (1.499699915291, 1.500300084167), 100: (1.489943059290, 1.510057004662)}),
    ("rmsprop-default", "rmsprop {}  (learningRate=1e-2, alpha=0.99, epsilon=1e-8, m filled with 1)", "rmsprop",
     {"lr": 1e-2, "rho": 0.99, "eps": 1e-8, "initial_mean_square": 1.0}, ["initial_mean_square"],
     {1: (1.400024327306, 1.599902365352), 2: (1.358900981576, 1.640941279483),
      3: (1.336519261216, 1.663227580229), 100: (1.298377974681, 1.686614574776)}),
    ("rmsprop-lr", 'rmsprop {"learningRate": 1e-4}', "rmsprop",
     {"lr": 1e-4, "rho": 0.99, "eps": 1e-8, "initial_mean_square": 1.0}, ["initial_mean_square"],
     {1: (1.499000243273, 1.500999023654), 2: (1.498293567935, 1.501705436295),
      3: (1.497716157531, 1.502282701148), 100: (1.480165969661, 1.519831605100)}),
    ("rmsprop-alpha", 'rmsprop {"learningRate": 1e-4, "alpha": 0.95}', "rmsprop",
     {"lr": 1e-4, "rho": 0.95, "eps": 1e-8, "initial_mean_square": 1.0}, ["initial_mean_square"],
     {1: (1.499552807291, 1.500447129697), 2: (1.499232976990, 1.500766937357),
      3: (1.498968745950, 1.501031155732), 100: (1.487998935489, 1.512000771753)}),
    ("rmsprop-eps", 'rmsprop {"learningRate": 1e-4, "alpha": 0.95, "epsilon": 1e-3}', "rmsprop",
     {"lr": 1e-4, "rho": 0.95, "eps": 1e-3, "initial_mean_square": 1.0}, ["initial_mean_square"],
     {1: (1.499552811725, 1.500447120812), 2: (1.499232983694, 1.500766923919),
      3: (1.498968754203, 1.501031139182), 100: (1.487998973217, 1.512000695760)}),
    ("rmsprop-wd", 'rmsprop {"weightDecay": 0.2}', "rmsprop",
     {"lr": 1e-2, "rho": 0.99, "eps": 1e-8, "weight_decay": 0.2, "initial_mean_square": 1.0},
     ["initial_mean_square"],
     {1: (1.400024294985, 1.599902104854), 2: (1.358876424948, 1.640878053402),
      3: (1.336460850871, 1.663073835425), 100: (1.291985019498, 1.670037098937)}),
    ("sgd-default", "sgd {}  (learningRate=1e-3)", "sgd", {"lr": 1e-3}, [],
     {1: (1.049000000000, 1.725000000000), 2: (1.310983740400, 1.593959129800),
      3: (1.244959815774, 1.626660108372), 100: (1.261621570352, 1.592554504180)}),
    ("sgd-lr", 'sgd {"learningRate": 1e-4}', "sgd", {"lr": 1e-4}, [],
     {1: (1.454900000000, 1.522500000000), 2: (1.420226977554, 1.539791021223),
      3: (1.393030592000, 1.553347191302), 100: (1.269468239956, 1.612436458965)}),
    ("sgd-momentum", 'sgd {"learningRate": 1e-4, "momentum": 0.95, "dampening": 0.9}', "momentum",
     {"lr": 1e-4, "momentum": 0.95, "dampening": 0.9}, [],
     {1: (1.454900000000, 1.522500000000), 2: (1.408587697755, 1.545604102122),
      3: (1.362112090404, 1.568788373371), 100: (1.298650333438, 1.596110748833)}),
    ("sgd-nesterov", 'sgd {"learningRate": 1e-4, "nesterov": true, "momentum": 0.95, "dampening": 0}', "nesterov",
     {"lr": 1e-4, "momentum": 0.95}, [],
     {1: (1.412055000000, 1.543875000000), 2: (1.321625739105, 1.588964154723),
      3: (1.243558315812, 1.627855092636), 100: (1.256090923872, 1.578628894138)}),
    ("sgd-wd", 'sgd {"weightDecay": 0.2}', "sgd", {"lr": 1e-3, "weight_decay": 0.2}, [],
     {1: (1.048700000000, 1.724700000000), 2: (1.310537787479, 1.593282596261),
      3: (1.244533092539, 1.625524695645), 100: (1.247084359521, 1.556253127065)}),
]


@pytest.mark.parametrize("case_id,config,name,hparams,pins,rows", LUA, ids=[c[0] for c in LUA])
def test_lua_torch_trajectory(case_id, config, name, hparams, pins, rows):
    x = np.array([1.5, 1.5])
    _, _, trajectory = run(name, x, (drosenbrock, 100), hparams)
    assert_rows(trajectory, rows)


NAG = [
    # nag.lua (Sutskever's look-ahead form): x += mom * v; g at x (+ wd * x); v = mom * v - clr * g;
    # x -= clr * g, with clr = lr / (1 + nevals * learningRateDecay).  -> nesterov.lookahead_step with
    # the gradient taken at nesterov.lookahead_point; the returned params are nag.lua's x.
    # ("dampening" is read by nag.lua but never used: config 6 of tests.json equals config 5.)
    ("nag-default", "nag {}  (learningRate=1e-3, momentum=0.9)", 1e-3, 0.9, 0.0, 0.0,
     {1: (1.049000000000, 1.725000000000), 2: (1.033255195604, 1.732779302198),
      3: (1.304898662620, 1.596854693818), 100: (1.140773717959, 1.503907009574)}),
    ("nag-lr", 'nag {"learningRate": 1e-4}', 1e-4, 0.9, 0.0, 0.0,
     {1: (1.454900000000, 1.522500000000), 2: (1.388343976501, 1.555691580749),
      3: (1.318855674828, 1.590325099330), 100: (1.262392960766, 1.594504097812)}),
    ("nag-lrdecay", 'nag {"learningRate": 1e-4, "learningRateDecay": 0.1}', 1e-4, 0.9, 0.1, 0.0,
     {1: (1.454900000000, 1.522500000000), 2: (1.390704524092, 1.554515073408),
      3: (1.324281494170, 1.587624446229), 100: (1.268422805361, 1.609444973703)}),
    ("nag-wd", 'nag {"learningRate": 1e-4, "weightDecay": 0.3}', 1e-4, 0.9, 0.0, 0.3,
     {1: (1.454855000000, 1.522455000000), 2: (1.388226475572, 1.555554596462),
      3: (1.318648541007, 1.590050054247), 100: (1.242448153603, 1.544801655590)}),
    ("nag-momentum", 'nag {"learningRate": 1e-4, "momentum": 0.95}', 1e-4, 0.95, 0.0, 0.0,
     {1: (1.454900000000, 1.522500000000), 2: (1.386554225182, 1.556584181909),
      3: (1.313222989608, 1.593133366897), 100: (1.256254599325, 1.579036812441)}),
]


@pytest.mark.parametrize("case_id,config,lr,mom,lrd,wd,rows", NAG, ids=[c[0] for c in NAG])
def test_lua_torch_nag_trajectory(case_id, config, lr, mom, lrd, wd, rows):
    x, state = np.array([1.5, 1.5]), None
    trajectory = []
    for nevals in range(100):
        hp = {"lr": lr / (1 + nevals * lrd), "momentum": mom, "weight_decay": wd}
        phi = nesterov.lookahead_point(x, state, hp)
        x, state = nesterov.lookahead_step(x, drosenbrock(phi), state, hp)
        trajectory.append(x)
    assert_rows(trajectory, rows)
