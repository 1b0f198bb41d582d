"""Keras 3's published expected values, ported (see ``published_common`` for the rules).

Source: keras-team/keras @ 3422977a5e38fb2f7709aaa9a08e47f0c43d0f60, ``keras/src/optimizers/*_test.py``
and ``keras/src/optimizers/schedules/learning_rate_schedule_test.py``.  Keras is not installed: the
numbers below are copied from those files.

Keras conventions, read from the optimizer sources next to each test (same commit):

* ``weight_decay=`` on every optimizer is decoupled and multiplied by the learning rate, applied
  *before* the update (``base_optimizer.py::_apply_weight_decay``:
  ``variable.assign(variable - variable * wd * lr)``)  ->  ``decoupled_weight_decay=True``;
* Adam/AdamW/AMSGrad use the epsilon-hat ordering (``adam.py::update_step``:
  ``alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)`` ...
  ``ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon))``)  ->  ``eps_hat=True``;
* Adagrad and RMSprop put epsilon inside the root (``adagrad.py``:
  ``ops.sqrt(ops.add(accumulator, self.epsilon))``; ``rmsprop.py``:
  ``denominator = velocity - ops.square(average_grad) + self.epsilon`` /
  ``ops.add(velocity, self.epsilon)``)  ->  ``eps_inside_sqrt=True``;
* Nadam's momentum schedule is PyTorch's with ``momentum_decay=1``
  (``nadam.py``: ``u_t = beta_1 * (1.0 - 0.5 * (ops.power(decay, local_step)))`` with ``decay = 0.96``);
* default epsilons are 1e-7, Adagrad's default ``initial_accumulator_value`` is 0.1, RMSprop's rho 0.9.

Every golden test runs one step with gradient 0.01 on ``x = ones(10)``, then checks ``golden[i]``
before each of five steps with gradient ``arange(0.1, 1.1, 0.1)`` (rtol = atol = 5e-4).  Keras ran
them in float32 (or the backend's float); optimlab runs float64, which matches at that tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import schedules
from optimlab.optimizers import get, muon


KERAS = "keras-team/keras@3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 keras/src/optimizers/"

# ------------------------------------------------------------------------------------------------
# test_correctness_with_golden


GOLDEN = [
    dict(
        id="adagrad",
        source=KERAS + "adagrad_test.py::AdagradTest::test_correctness_with_golden",
        keras="Adagrad(learning_rate=0.2, initial_accumulator_value=0.3, epsilon=1e-6)",
        optimizer="adagrad",
        hparams={"lr": 0.2, "initial_accumulator_value": 0.3, "eps": 1e-6, "eps_inside_sqrt": True},
        pins=["eps_inside_sqrt"],  # (eps=1e-6 against an accumulator >= 0.3: the placement is below tolerance)
        golden=np.array(
            [[0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
             [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
             [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
             [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
             [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825]]
        ),
    ),
    dict(
        id="amsgrad",
        source=KERAS + "adam_test.py::AdamTest::test_correctness_with_golden",
        keras="Adam(amsgrad=True)  (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)",
        optimizer="amsgrad",
        hparams={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "eps_hat": True},
        # Keras keeps v_hat = max(v_hat, v) of the uncorrected v, as optimlab; with epsilon=1e-7 the
        # eps-hat ordering is below the tolerance here (the mapping, not the numbers, pins it).
        pins=["eps_hat"],
        golden=np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10)),
    ),
    dict(
        id="adamw",
        source=KERAS + "adamw_test.py::AdamWTest::test_correctness_with_golden",
        keras="AdamW(learning_rate=1.0, weight_decay=0.5, epsilon=2)",
        optimizer="adamw",
        hparams={"lr": 1.0, "weight_decay": 0.5, "beta1": 0.9, "beta2": 0.999, "eps": 2.0, "eps_hat": True},
        pins=["eps_hat"],  # epsilon=2 makes the ordering decisive
        golden=np.array(
            [[0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
             [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
             [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
             [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
             [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159]]
        ),
    ),
    dict(
        id="rmsprop-centered",
        source=KERAS + "rmsprop_test.py::RMSpropTest::test_correctness_with_golden",
        keras="RMSprop(centered=True)  (learning_rate=0.001, rho=0.9, epsilon=1e-7)",
        optimizer="rmsprop",
        hparams={"lr": 1e-3, "rho": 0.9, "eps": 1e-7, "centered": True, "eps_inside_sqrt": True},
        pins=["eps_inside_sqrt"],  # (eps=1e-7 against v - gbar^2 >= 9e-6: below tolerance here)
        golden=np.tile([[0.9967], [0.9933], [0.9908], [0.9885], [0.9864]], (1, 10)),
    ),
    dict(
        id="adadelta",
        source=KERAS + "adadelta_test.py::AdadeltaTest::test_correctness_with_golden",
        keras="Adadelta(learning_rate=1.0, rho=0.8, epsilon=1e-6)",
        optimizer="adadelta",
        hparams={"lr": 1.0, "rho": 0.8, "eps": 1e-6},
        pins=[],
        golden=np.tile([[0.9978], [0.9947], [0.9915], [0.9882], [0.9849]], (1, 10)),
    ),
    dict(
        id="adamax",
        source=KERAS + "adamax_test.py::AdamaxTest::test_correctness_with_golden",
        # Keras adds epsilon to u outside the max (adamax.py: ops.multiply((1 - beta_1_power),
        # ops.add(u, self.epsilon))); optimlab's default adds it to |g| inside the max.  With
        # |g| >= 0.01 and eps = 1e-6 the two differ by a relative 1e-4 of a step: below 5e-4.
        keras="Adamax(learning_rate=0.2, beta_1=0.85, beta_2=0.95, epsilon=1e-6)",
        optimizer="adamax",
        hparams={"lr": 0.2, "beta1": 0.85, "beta2": 0.95, "eps": 1e-6},
        pins=[],
        golden=np.array(
            [[0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
             [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
             [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
             [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
             [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126]]
        ),
    ),
    dict(
        id="nadam",
        source=KERAS + "nadam_test.py::NadamTest::test_correctness_with_golden",
        keras="Nadam(learning_rate=0.5, beta_1=0.5, beta_2=0.67, epsilon=1e-5)",
        optimizer="nadam",
        hparams={"lr": 0.5, "beta1": 0.5, "beta2": 0.67, "eps": 1e-5, "momentum_decay": 1.0},
        pins=[],  # Keras's 0.96**t schedule is PyTorch's with momentum_decay=1
        golden=np.array(
            [[0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
             [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
             [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
             [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
             [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454]]
        ),
    ),
    dict(
        id="sgd",
        source=KERAS + "sgd_test.py::SGDTest::test_correctness_with_golden",
        # SGD(nesterov=True) with Keras's default momentum=0.0: sgd.py skips the momentum branch
        # (`if self.momentum != 0`), so this is plain SGD with learning_rate=0.01.
        keras="SGD(nesterov=True)  (learning_rate=0.01, momentum=0.0)",
        optimizer="sgd",
        hparams={"lr": 0.01},
        pins=[],
        golden=np.array(
            [[0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999,
              0.9999, 0.9999], [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939,
              0.9929, 0.9919, 0.9909, 0.9899], [0.9979, 0.9959, 0.9939, 0.9919,
              0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799], [0.9969, 0.9939,
              0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
             [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679,
              0.9639, 0.9599]]
        ),
    ),
    dict(
        id="lion",
        source=KERAS + "lion_test.py::LionTest::test_correctness_with_golden",
        keras="Lion()  (learning_rate=0.001, beta_1=0.9, beta_2=0.99)",
        optimizer="lion",
        hparams={"lr": 1e-3, "beta1": 0.9, "beta2": 0.99},
        pins=[],
        golden=np.tile([[0.999], [0.998], [0.997], [0.996], [0.995]], (1, 10)),
    ),
    dict(
        id="lamb",
        source=KERAS + "lamb_test.py::LambTest::test_correctness_with_golden",
        keras="Lamb()  (learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)",
        optimizer="lamb",
        hparams={"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7},
        pins=[],
        golden=np.tile([[0.999], [0.9982], [0.9974], [0.9965], [0.9955]], (1, 10)),
    ),
    dict(
        id="adafactor",
        source=KERAS + "adafactor_test.py::AdafactorTest::test_correctness_with_golden",
        # Keras's rho_t is min(lr, 1/sqrt(t)) whatever its relative_step flag (adafactor.py:
        # `rho_t = ops.minimum(lr, 1 / ops.sqrt(local_step))` is unconditional); with lr=0.5 it
        # bites from step 5 on (1/sqrt(5) < 0.5), which golden[4] checks -> relative_step=True.
        # Keras adds epsilon_1 to g^2 where optimlab clamps at eps1^2: with |g| >= 0.01 neither
        # matters; eps1 = sqrt(epsilon_1) gives the floor the same size.
        keras="Adafactor(learning_rate=0.5, beta_2_decay=-0.65, epsilon_1=1e-15, epsilon_2=1e-4, "
        "clip_threshold=0.9, relative_step=False)",
        optimizer="adafactor",
        hparams={"lr": 0.5, "beta2_decay": -0.65, "eps1": math.sqrt(1e-15), "eps2": 1e-4, "d": 0.9,
                 "relative_step": True, "scale_parameter": True},
        pins=["adafactor d<1", "relative_step=True", "scale_parameter=True"],
        golden=np.array(
            [[0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55],
             [0.3031, 0.3026, 0.3025, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024, 0.3024],
             [0.1671, 0.1665, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663, 0.1663],
             [0.0923, 0.0916, 0.0915, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914, 0.0914],
             [0.0554, 0.0548, 0.0546, 0.0546, 0.0546, 0.0546, 0.0546, 0.0545, 0.0545, 0.0545]]
        ),
    ),
]


@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_keras_correctness_with_golden(case):
    module = get(case["optimizer"])
    x = np.ones([10], dtype=np.float64)
    grads = np.arange(0.1, 1.1, 0.1)
    first_grads = np.full((10,), 0.01)
    x, state = module.step(x, first_grads, None, case["hparams"])
    for i in range(5):
        np.testing.assert_allclose(x, case["golden"][i], rtol=5e-4, atol=5e-4, err_msg=f"golden[{i}]")
        x, state = module.step(x, grads, state, case["hparams"])


# ------------------------------------------------------------------------------------------------
# test_single_step: vars [1, 2, 3, 4], grads [1, 6, 7, 2], learning_rate=0.5, rtol = atol = 1e-4.

SINGLE = [
    ("sgd", "sgd_test.py::SGDTest::test_single_step", "SGD(learning_rate=0.5)",
     {"lr": 0.5}, [], [0.5, -1.0, -0.5, 3.0]),
    ("adam", "adam_test.py::AdamTest::test_single_step", "Adam(learning_rate=0.5)",
     {"lr": 0.5, "eps": 1e-7, "eps_hat": True}, ["eps_hat"], [0.5, 1.5, 2.5, 3.5]),
    ("adamw", "adamw_test.py::AdamWTest::test_single_step", "AdamW(learning_rate=0.5)  (weight_decay=0.004)",
     {"lr": 0.5, "weight_decay": 0.004, "eps": 1e-7, "eps_hat": True}, ["eps_hat"], [0.4980, 1.4960, 2.494, 3.492]),
    ("rmsprop", "rmsprop_test.py::RMSpropTest::test_single_step", "RMSprop(learning_rate=0.5)",
     {"lr": 0.5, "rho": 0.9, "eps": 1e-7, "eps_inside_sqrt": True}, ["eps_inside_sqrt"],
     [-0.5811, 0.4189, 1.4189, 2.4189]),
    ("adagrad", "adagrad_test.py::AdagradTest::test_single_step", "Adagrad(learning_rate=0.5)",
     {"lr": 0.5, "initial_accumulator_value": 0.1, "eps": 1e-7, "eps_inside_sqrt": True}, ["eps_inside_sqrt"],
     [0.5233, 1.5007, 2.5005, 3.5061]),
    ("adadelta", "adadelta_test.py::AdadeltaTest::test_single_step", "Adadelta(learning_rate=0.5)",
     {"lr": 0.5, "rho": 0.95, "eps": 1e-7}, [], [0.9993, 1.9993, 2.9993, 3.9993]),
    ("adamax", "adamax_test.py::AdamaxTest::test_single_step", "Adamax(learning_rate=0.5)",
     {"lr": 0.5, "eps": 1e-7}, [], [0.5, 1.5, 2.5, 3.5]),
    ("nadam", "nadam_test.py::NadamTest::test_single_step", "Nadam(learning_rate=0.5)",
     {"lr": 0.5, "eps": 1e-7, "momentum_decay": 1.0}, [], [0.4686, 1.4686, 2.4686, 3.4686]),
    ("lion", "lion_test.py::LionTest::test_single_step", "Lion(learning_rate=0.5)",
     {"lr": 0.5}, [], [0.5, 1.5, 2.5, 3.5]),
    ("lamb", "lamb_test.py::LambTest::test_single_step", "Lamb(learning_rate=0.5)",
     {"lr": 0.5, "eps": 1e-7}, [], [-0.3693, 0.6306, 1.6306, 2.6306]),
    ("adafactor", "adafactor_test.py::AdafactorTest::test_single_step_1d", "Adafactor(learning_rate=0.5)",
     {"lr": 0.5, "eps1": math.sqrt(1e-30)}, [], [-0.3693, 0.6307, 1.6307, 2.6307]),
]


@pytest.mark.parametrize("name,test,keras,hparams,pins,expected", SINGLE, ids=[s[0] for s in SINGLE])
def test_keras_single_step(name, test, keras, hparams, pins, expected):
    # source: KERAS + test
    grads = np.array([1.0, 6.0, 7.0, 2.0])
    params = np.array([1.0, 2.0, 3.0, 4.0])
    params, _ = get(name).step(params, grads, None, hparams)
    np.testing.assert_allclose(params, expected, rtol=1e-4, atol=1e-4)


def test_keras_adafactor_single_step_2d():
    # keras-team/keras keras/src/optimizers/adafactor_test.py::AdafactorTest::test_single_step_2d
    # Adafactor(learning_rate=0.5): a 2x2 array is factored (row and column means), as optimlab does.
    grads = np.array([[1.0, 6.0], [7.0, 2.0]])
    params = np.array([[1.0, 2.0], [3.0, 4.0]])
    params, _ = get("adafactor").step(params, grads, None, {"lr": 0.5, "eps1": math.sqrt(1e-30)})
    np.testing.assert_allclose(params, [[0.7007, -0.0081], [1.2492, 3.4407]], rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------------------------
# test_weight_decay: a scalar 2.0 with a zero gradient goes through three fresh optimizers
# (learning_rate=1.0, weight_decay=0.004); Keras expects assertAlmostEqual(var1, 1.9760959, decimal=6),
# i.e. |diff| < 1.5e-6 (np.testing.assert_almost_equal).  With a zero gradient only the decay acts:
# decoupled it is 2 * (1 - 0.004)**3; as L2 the gradient 0.008 would go through each optimizer's
# normalisation and the variable would end elsewhere (Adam, Adamax, Nadam and RMSprop below 1,
# Adagrad near 1.925, Adadelta near 1.996).  Only for plain SGD are the two forms the same.

WEIGHT_DECAY = [
    ("sgd", "sgd_test.py::SGDTest::test_weight_decay",
     {"lr": 1.0, "weight_decay": 0.004, "decoupled_weight_decay": True},
     ["decoupled_weight_decay"]),  # (for plain SGD, L2 gives the same numbers)
    ("adam", "adam_test.py::AdamTest::test_weight_decay",
     {"lr": 1.0, "weight_decay": 0.004, "decoupled_weight_decay": True, "eps": 1e-7, "eps_hat": True},
     ["decoupled_weight_decay", "eps_hat"]),
    ("adamw", "adamw_test.py::AdamWTest::test_weight_decay",
     {"lr": 1.0, "weight_decay": 0.004, "eps": 1e-7, "eps_hat": True}, ["eps_hat"]),
    ("rmsprop", "rmsprop_test.py::RMSpropTest::test_weight_decay",
     {"lr": 1.0, "rho": 0.9, "eps": 1e-7, "eps_inside_sqrt": True, "weight_decay": 0.004,
      "decoupled_weight_decay": True},
     ["decoupled_weight_decay", "eps_inside_sqrt"]),
    ("adagrad", "adagrad_test.py::AdagradTest::test_weight_decay",
     {"lr": 1.0, "initial_accumulator_value": 0.1, "eps": 1e-7, "eps_inside_sqrt": True, "weight_decay": 0.004,
      "decoupled_weight_decay": True},
     ["decoupled_weight_decay", "eps_inside_sqrt"]),
    ("adadelta", "adadelta_test.py::AdadeltaTest::test_weight_decay",
     {"lr": 1.0, "rho": 0.95, "eps": 1e-7, "weight_decay": 0.004, "decoupled_weight_decay": True},
     ["decoupled_weight_decay"]),
    ("adamax", "adamax_test.py::AdamaxTest::test_weight_decay",
     {"lr": 1.0, "eps": 1e-7, "weight_decay": 0.004, "decoupled_weight_decay": True},
     ["decoupled_weight_decay"]),
    ("nadam", "nadam_test.py::NadamTest::test_weight_decay",
     {"lr": 1.0, "eps": 1e-7, "momentum_decay": 1.0, "weight_decay": 0.004, "decoupled_weight_decay": True},
     ["decoupled_weight_decay"]),
    ("lion", "lion_test.py::LionTest::test_weight_decay", {"lr": 1.0, "weight_decay": 0.004}, []),
    ("adafactor", "adafactor_test.py::AdafactorTest::test_weight_decay",
     {"lr": 1.0, "weight_decay": 0.004, "eps1": math.sqrt(1e-30)}, []),
    # Keras decays LAMB decoupled before the update (base_optimizer.py::_apply_weight_decay; lamb.py's
    # update_step never reads weight_decay), so the trust ratio never sees the decay.
    ("lamb", "lamb_test.py::LambTest::test_weight_decay",
     {"lr": 1.0, "eps": 1e-7, "weight_decay": 0.004, "decoupled_weight_decay": True},
     ["decoupled_weight_decay"]),
]


@pytest.mark.parametrize("name,test,hparams,pins", WEIGHT_DECAY, ids=[w[0] for w in WEIGHT_DECAY])
def test_keras_weight_decay(name, test, hparams, pins):
    # source: KERAS + test
    var1 = np.array(2.0)
    grads = np.zeros(())
    for _ in range(3):  # optimizer_1, optimizer_2, optimizer_3: each a fresh optimizer
        var1, _ = get(name).step(var1, grads, None, hparams)
    np.testing.assert_almost_equal(float(var1), 1.9760959, decimal=6)


# ------------------------------------------------------------------------------------------------
# Muon (keras/src/optimizers/muon_test.py)


def test_keras_muon_newton_schulz():
    # keras-team/keras keras/src/optimizers/muon_test.py::MuonTest::test_Newton_Schulz
    # Muon().zeropower_via_newtonschulz5(x, 5) with Keras's (a, b, c) = (3.4445, -4.7750, 2.0315),
    # optimlab's as well; Keras normalises by ||x|| + 1e-7, optimlab by max(||x||, eps): same here.
    tensor_input = np.array([[0.2499, 0.9105], [0.2655, 0.8824]])
    except_output = np.array([[-0.4422, 0.6457], [0.7285, 0.2968]])
    output = muon.orthogonalize(tensor_input, 5)
    np.testing.assert_allclose(output, except_output, rtol=1e-3, atol=1e-3)


def test_keras_muon_adamw_single_step():
    # keras-team/keras keras/src/optimizers/muon_test.py::MuonTest::test_adamw_single_step
    # Muon() then update_step(grads, vars, 0.5) on a 1-D variable: the AdamW branch with lr 0.5
    # (adam_lr_ratio=1), adam_beta_1=0.9, adam_beta_2=0.999, epsilon=1e-7 and no weight decay
    # (update_step bypasses _apply_weight_decay).  Keras's AdamW branch uses the eps-hat ordering,
    # optimlab's muon AdamW the PyTorch one: at step 1 with eps=1e-7 they agree to 1e-7.
    grads = np.array([1.0, 6.0, 7.0, 2.0])
    params = {"test_vars": np.array([1.0, 2.0, 3.0, 4.0])}
    hp = {"adamw_lr": 0.5, "adamw_beta1": 0.9, "adamw_beta2": 0.999, "adamw_eps": 1e-7, "adamw_weight_decay": 0.0}
    params, _ = muon.step(params, {"test_vars": grads}, None, hp)
    np.testing.assert_allclose(params["test_vars"], [0.5, 1.5, 2.5, 3.5], rtol=1e-4, atol=1e-4)


def test_keras_muon_single_step():
    # keras-team/keras keras/src/optimizers/muon_test.py::MuonTest::test_muon_single_step
    # Muon(learning_rate=0.5, weight_decay=0) then update_step(grads, vars, 0.5) on a 2x2 variable.
    # Keras's buffer is m = mu*m + g (no 1-mu) and its Nesterov input g + mu*m: a multiple of
    # optimlab's, and Newton-Schulz normalises it away.  Keras scales the update by the Moonlight
    # rule rms_rate * sqrt(max(A, B)) with rms_rate = 0.2 (muon.py::lr_adjust): adjust_lr="match_rms_adamw".
    grads = np.array([[1.0, 6.0], [7.0, 2.0]])
    params = np.array([[1.0, 2.0], [3.0, 4.0]])
    hp = {"lr": 0.5, "weight_decay": 0.0, "momentum": 0.95, "nesterov": True, "ns_steps": 5,
          "adjust_lr": "match_rms_adamw"}
    out, _ = muon.step({"w": params}, {"w": grads}, None, hp)
    np.testing.assert_allclose(out["w"], [[0.988775, 1.887053], [2.873428, 3.97035]], rtol=1e-2, atol=1e-2)


def test_keras_muon_weight_decay():
    # keras-team/keras keras/src/optimizers/muon_test.py::MuonTest::test_muon_weight_decay and
    # ::test_adamw_weight_decay: Muon(learning_rate=1.0, weight_decay=0.01) decays a 2-D variable by
    # lr * weight_decay; Muon(learning_rate=1.0, adam_weight_decay=0.01) decays a scalar (AdamW
    # branch) by lr * adam_weight_decay.  Expected, as the source writes it:
    # `expected_variable = variable - variable * weight_decay` (rtol = atol = 1e-4).
    # With a zero gradient optimlab's Muon/AdamW updates are zero, so only the decay acts.
    variable = np.array([[1.0, 2.0], [3.0, 4.0]])
    weight_decay = 0.01
    out, _ = muon.step({"w": variable}, {"w": np.zeros((2, 2))}, None, {"lr": 1.0, "weight_decay": weight_decay})
    np.testing.assert_allclose(out["w"], variable - variable * weight_decay, rtol=1e-4, atol=1e-4)

    scalar = np.array(2.0)
    hp = {"adamw_lr": 1.0, "adamw_weight_decay": weight_decay}
    out, _ = muon.step({"b": scalar}, {"b": np.zeros(())}, None, hp)
    np.testing.assert_allclose(out["b"], scalar - scalar * weight_decay, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------------------------
# Schedules: keras-team/keras keras/src/optimizers/schedules/learning_rate_schedule_test.py.
# Keras's expectations are written as closed forms of the test's own literals; they are copied as
# written.  assertAllClose(x, y, 1e-6): atol = rtol = 1e-6.  PolynomialDecay's default
# end_learning_rate is 1e-4; with cycle=True Keras multiplies decay_steps by ceil(step/decay_steps)
# (at least 1).

SCHED = "keras-team/keras@3422977a5e38fb2f7709aaa9a08e47f0c43d0f60 keras/src/optimizers/schedules/" \
        "learning_rate_schedule_test.py::"

KERAS_POLYNOMIAL = [
    # (test, lr, decay_steps, end_lr, power, cycle, step, expected)
    ("LinearDecayTest::test_halfway", 0.05, 10, 0.0, 1.0, False, 5, 0.05 * 0.5),
    ("LinearDecayTest::test_end", 0.05, 10, 0.001, 1.0, False, 10, 0.001),
    ("LinearDecayTest::test_halfway_with_end", 0.05, 10, 0.001, 1.0, False, 5, (0.05 + 0.001) * 0.5),
    ("LinearDecayTest::test_beyond_end", 0.05, 10, 0.001, 1.0, False, 15, 0.001),
    ("LinearDecayTest::test_beyond_end_with_cycle", 0.05, 10, 0.001, 1.0, True, 15, (0.05 - 0.001) * 0.25 + 0.001),
    ("SqrtDecayTest::test_halfway", 0.05, 10, 0.0, 0.5, False, 5, 0.05 * 0.5**0.5),
    ("SqrtDecayTest::test_end", 0.05, 10, 0.001, 0.5, False, 10, 0.001),
    ("SqrtDecayTest::test_halfway_with_end", 0.05, 10, 0.001, 0.5, False, 5, (0.05 - 0.001) * 0.5**0.5 + 0.001),
    ("SqrtDecayTest::test_beyond_end", 0.05, 10, 0.001, 0.5, False, 15, 0.001),
    ("SqrtDecayTest::test_beyond_end_with_cycle", 0.05, 10, 0.001, 0.5, True, 15,
     (0.05 - 0.001) * 0.25**0.5 + 0.001),
    ("SqrtDecayTest::test_begin_with_cycle", 0.001, 10, 1e-4, 1.0, True, 0, 0.001),
]


@pytest.mark.parametrize("test,lr,decay_steps,end_lr,power,cycle,step,expected", KERAS_POLYNOMIAL,
                         ids=[p[0] for p in KERAS_POLYNOMIAL])
def test_keras_polynomial_decay(test, lr, decay_steps, end_lr, power, cycle, step, expected):
    # pins: schedules.polynomial (and cycle=True for the *_with_cycle cases)
    schedule = schedules.polynomial(lr, decay_steps, end_lr=end_lr, power=power, cycle=cycle)
    np.testing.assert_allclose(schedule(step), expected, rtol=1e-6, atol=1e-6)


def test_keras_exponential_decay():
    # SCHED + ExponentialDecayTest::test_continuous: ExponentialDecay(0.05, 10, 0.96) at step 5,
    # expected = 0.05 * 0.96 ** (5.0 / 10.0).  optimlab's exponential() has a per-step rate:
    # gamma = 0.96 ** (1 / 10).
    np.testing.assert_allclose(schedules.exponential(0.05, 0.96 ** (1 / 10))(5), 0.05 * 0.96 ** (5.0 / 10.0),
                               rtol=1e-6, atol=1e-6)
    # SCHED + ExponentialDecayTest::test_staircase: ExponentialDecay(0.1, 3, 0.96, staircase=True)
    # is step decay: 0.1 at steps 1 and 2, 0.1 * 0.96 ** (100 // 3) at step 100.
    staircase = schedules.step_decay(0.1, 3, 0.96)
    for step, expected in [(1, 0.1), (2, 0.1), (100, 0.1 * 0.96 ** (100 // 3))]:
        np.testing.assert_allclose(staircase(step), expected, rtol=1e-6, atol=1e-6)


def test_keras_inverse_time_decay():
    # SCHED + InverseTimeDecayTest::test_decay and ::test_staircase: InverseTimeDecay(0.1, k=10, 0.96),
    # expected = initial_lr / (1 + i / k * decay_rate) and, staircase, initial_lr / (1 + decay_rate * (i // k)).
    smooth = schedules.inverse_time(0.1, 0.96, decay_steps=10)
    stairs = schedules.inverse_time(0.1, 0.96, decay_steps=10, staircase=True)
    for i in range(11):
        np.testing.assert_allclose(smooth(i), 0.1 / (1 + i / 10 * 0.96), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(stairs(i), 0.1 / (1 + 0.96 * (i // 10)), rtol=1e-6, atol=1e-6)


def _np_cosine_decay(step, decay_steps, alpha=0.0):
    # SCHED + CosineDecayTest::np_cosine_decay, the test's own reference, as written there
    step = min(step, decay_steps)
    completed_fraction = step / decay_steps
    decay = 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    return (1.0 - alpha) * decay + alpha


@pytest.mark.parametrize("alpha", [0.0, 0.1], ids=["test_decay", "test_alpha"])
def test_keras_cosine_decay_holds_after_decay_steps(alpha):
    # SCHED + CosineDecayTest::test_decay and ::test_alpha: CosineDecay(1.0, 1000, alpha) at steps
    # 0, 250, ..., 1250 (past the end it holds): cosine(lr, T_max, eta_min=alpha * lr, hold=True).
    schedule = schedules.cosine(1.0, 1000, eta_min=alpha * 1.0, hold=True)
    for step in range(0, 1500, 250):
        np.testing.assert_allclose(schedule(step), _np_cosine_decay(step, 1000, alpha), rtol=1e-6, atol=1e-6)
