"""optax's published expected values, ported (see ``published_common`` for the rules).

Sources: the docstring examples of optax 0.2.8 (the installed reference library; the same examples,
with the same printed values, are in google-deepmind/optax@2edbcbe2390da13983b92cbef94ac0460ecde1c5
``optax/_src/alias.py``), and ``optax/schedules/_schedule_test.py`` at that commit.

Every docstring example minimises ``f(x) = sum(x**2)`` from ``x = [1., 2., 3.]`` (float32 in optax;
float64 here) and prints ``f`` after each of five steps as ``'{:.2E}'``: three significant digits,
so each value is compared within half a unit of its last printed digit.  optax's hyperparameter
defaults (read from its signatures and the chains in ``alias.py``/``transform.py``) are mapped
explicitly in each case.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import schedules

from published_common import printed_tolerance, run

ALIAS = "optax 0.2.8 docstring (google-deepmind/optax@2edbcbe2 optax/_src/alias.py::"

DOCSTRINGS = [
    dict(id="sgd", source=ALIAS + "sgd)", optax="optax.sgd(learning_rate=0.003)",
         optimizer="sgd", hparams={"lr": 0.003}, pins=[],
         printed=["1.38E+01", "1.37E+01", "1.35E+01", "1.33E+01", "1.32E+01"]),
    dict(id="adam", source=ALIAS + "adam)", optax="optax.adam(learning_rate=0.003)  (b1=0.9, b2=0.999, eps=1e-8)",
         optimizer="adam", hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, pins=[],
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="adamw", source=ALIAS + "adamw)",
         optax="optax.adamw(learning_rate=0.003)  (weight_decay=1e-4: add_decayed_weights then "
               "scale_by_learning_rate, i.e. decay lr*wd*theta)",
         optimizer="adamw", hparams={"lr": 0.003, "eps": 1e-8, "weight_decay": 1e-4}, pins=[],
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="amsgrad", source=ALIAS + "amsgrad)",
         # optax's scale_by_amsgrad keeps the max of the *bias-corrected* nu
         # (`nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu_eff)` with nu_eff = bias_correction(nu)):
         # max_bias_corrected=True (PyTorch and Keras keep the max of the uncorrected v).  Here the
         # gradient shrinks by at most 0.3% a step, so the two forms differ by well under 1% of a step
         # of 0.003: the mapping, not the three printed digits, pins it (test_reference_beyond runs optax).
         optax="optax.amsgrad(learning_rate=0.003)", optimizer="amsgrad",
         hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "max_bias_corrected": True},
         pins=["max_bias_corrected"],
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="adagrad", source=ALIAS + "adagrad)",
         # scale_by_rss: `jnp.where(t > 0, jax.lax.rsqrt(t + eps), 0.0)`, accumulator starts at 0.1
         optax="optax.adagrad(learning_rate=1.0)  (initial_accumulator_value=0.1, eps=1e-7 inside the root)",
         optimizer="adagrad",
         hparams={"lr": 1.0, "initial_accumulator_value": 0.1, "eps": 1e-7, "eps_inside_sqrt": True},
         pins=["eps_inside_sqrt"],
         printed=["5.01E+00", "2.40E+00", "1.25E+00", "6.86E-01", "3.85E-01"]),
    dict(id="rmsprop", source=ALIAS + "rmsprop)",
         # scale_by_rms(decay=0.9, eps=1e-8, initial_scale=0., eps_in_sqrt=True): rsqrt(nu + eps)
         optax="optax.rmsprop(learning_rate=0.003)  (decay=0.9, eps=1e-8, initial_scale=0, eps_in_sqrt=True)",
         optimizer="rmsprop",
         hparams={"lr": 0.003, "rho": 0.9, "eps": 1e-8, "eps_inside_sqrt": True, "initial_mean_square": 0.0},
         pins=["eps_inside_sqrt", "initial_mean_square"],
         printed=["1.39E+01", "1.38E+01", "1.37E+01", "1.37E+01", "1.36E+01"]),
    dict(id="adadelta", source=ALIAS + "adadelta)",
         optax="optax.adadelta(learning_rate=10.)  (rho=0.9, eps=1e-6)",
         optimizer="adadelta", hparams={"lr": 10.0, "rho": 0.9, "eps": 1e-6}, pins=[],
         printed=["1.36E+01", "1.32E+01", "1.29E+01", "1.25E+01", "1.21E+01"]),
    dict(id="adamax", source=ALIAS + "adamax)",
         # optax adds eps to |g| inside the max, as PyTorch and optimlab's default do:
         # optax/tree_utils/_tree_math.py::tree_update_infinity_moment
         # `jnp.maximum(jnp.abs(g) + eps, decay * t)`
         optax="optax.adamax(learning_rate=0.003)  (b1=0.9, b2=0.999, eps=1e-8)",
         optimizer="adamax", hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, pins=[],
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="adamaxw", source=ALIAS + "adamaxw)",
         optax="optax.adamaxw(learning_rate=0.003)  (weight_decay=1e-4, decoupled: add_decayed_weights "
               "after scale_by_adamax, before scale_by_learning_rate)",
         optimizer="adamax",
         hparams={"lr": 0.003, "eps": 1e-8, "weight_decay": 1e-4, "decoupled_weight_decay": True},
         pins=["decoupled_weight_decay"],  # (lr*wd = 3e-7 a step: does not show at 3 digits)
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="nadam", source=ALIAS + "nadam)",
         # nadam = functools.partial(adam, nesterov=True): m_hat = b1*m/(1-b1^(t+1)) + (1-b1)*g/(1-b1^t),
         # eps outside sqrt(nu_hat): optimlab's nadam with mu_t == beta1.  With the momentum schedule
         # (today's default) optimlab prints 1.40E+01 first and 1.39E+01 last: this case decides.
         optax="optax.nadam(learning_rate=0.003)  (b1=0.9, b2=0.999, eps=1e-8)",
         optimizer="nadam",
         hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_schedule": False},
         pins=["momentum_schedule=False"],
         printed=["1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01", "1.38E+01"]),
    dict(id="nadamw", source=ALIAS + "nadamw)",
         optax="optax.nadamw(learning_rate=0.003)  (adamw with nesterov=True, weight_decay=1e-4)",
         optimizer="nadam",
         hparams={"lr": 0.003, "eps": 1e-8, "momentum_schedule": False, "weight_decay": 1e-4,
                  "decoupled_weight_decay": True},
         pins=["momentum_schedule=False", "decoupled_weight_decay"],
         printed=["1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01", "1.38E+01"]),
    dict(id="radam", source=ALIAS + "radam)",
         # scale_by_radam(threshold=5.0): `jnp.where(ro >= threshold, _radam_update(...), mu_hat)`:
         # while rho_t < 5 (steps 1-5 for b2=0.999) the update is the bias-corrected m_hat.
         # "raw" (lr*m_t, 10x smaller at t=1) would print 1.40E+01 at steps 1-2, "none" 1.40E+01 throughout.
         optax="optax.radam(learning_rate=0.003)  (b1=0.9, b2=0.999, eps=1e-8, threshold=5)",
         # Its rectified step divides by sqrt(nu_hat) + eps (Adam's placement): eps_hat=False.
         optimizer="radam",
         hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "rho_threshold": 5.0,
                  "unrectified": "bias_corrected", "eps_hat": False},
         pins=["unrectified=bias_corrected", "eps_hat=False"],
         printed=["1.38E+01", "1.37E+01", "1.35E+01", "1.33E+01", "1.32E+01"]),
    dict(id="lamb", source=ALIAS + "lamb)",
         optax="optax.lamb(learning_rate=0.003)  (b1=0.9, b2=0.999, eps=1e-6, weight_decay=0)",
         optimizer="lamb", hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0},
         pins=[], printed=["1.39E+01", "1.38E+01", "1.38E+01", "1.37E+01", "1.36E+01"]),
    dict(id="lion", source=ALIAS + "lion)",
         optax="optax.lion(learning_rate=0.003)  (b1=0.9, b2=0.99, weight_decay=1e-3, decoupled)",
         optimizer="lion", hparams={"lr": 0.003, "beta1": 0.9, "beta2": 0.99, "weight_decay": 1e-3}, pins=[],
         printed=["1.40E+01", "1.39E+01", "1.39E+01", "1.39E+01", "1.38E+01"]),
    dict(id="lars", source=ALIAS + "lars)",
         # chain(add_decayed_weights(0), masked(scale_by_trust_ratio(trust_coefficient=0.001, eps=0),
         # mask=True), scale_by_learning_rate, trace(decay=0.9)): the trust ratio applies to the
         # 1-D params too (mask True), and the lr sits inside the trace (same trajectory for a
         # constant lr).  With exclude_vectors=True (today's default) the vector would take plain
         # momentum steps and f would fall to 1.19E+01: this case decides.  weight_decay=0, so the
         # trust denominator's form does not show; "update" is optax's.
         optax="optax.lars(learning_rate=0.003)  (momentum=0.9, trust_coefficient=0.001, weight_decay=0)",
         optimizer="lars",
         hparams={"lr": 0.003, "momentum": 0.9, "trust_coefficient": 0.001, "weight_decay": 0.0,
                  "exclude_vectors": False, "trust_denominator": "update"},
         pins=["exclude_vectors=False", "trust_denominator=update"],
         printed=["1.40E+01", "1.40E+01", "1.40E+01", "1.40E+01", "1.40E+01"]),
    dict(id="adafactor", source=ALIAS + "adafactor)",
         # optax.adafactor(learning_rate=0.003): decay_rate=0.8 (beta2_t = 1 - t**-0.8),
         # multiply_by_parameter_scale=True (max(eps_scale=1e-3, rms(param))), clipping_threshold=1,
         # eps=1e-30 added to g**2 (optimlab clamps at eps1**2: no difference here), a 3-vector is
         # not factored (min_dim_size_to_factor=128) and the learning rate is explicit.
         # (relative_step=True would give min(0.003, 1/sqrt(t)) = 0.003 as well for these steps;
         # scale_parameter=False would print 1.40E+01 at step 1: this case decides that one.)
         optax="optax.adafactor(learning_rate=0.003)", optimizer="adafactor",
         hparams={"lr": 0.003, "beta2_decay": -0.8, "eps1": math.sqrt(1e-30), "eps2": 1e-3, "d": 1.0,
                  "relative_step": False, "scale_parameter": True},
         pins=["relative_step=False", "scale_parameter=True"],
         printed=["1.39E+01", "1.38E+01", "1.38E+01", "1.37E+01", "1.36E+01"]),
]


@pytest.mark.parametrize("case", DOCSTRINGS, ids=[c["id"] for c in DOCSTRINGS])
def test_optax_docstring_example(case):
    params = np.array([1.0, 2.0, 3.0])
    _, _, trajectory = run(case["optimizer"], params, (lambda x: 2.0 * x, 5), case["hparams"])
    for step, (x, text) in enumerate(zip(trajectory, case["printed"]), start=1):
        value = float(np.sum(x**2))
        # half a unit of the printed digit, plus float32-vs-float64 slack (1e-5 relative)
        assert abs(value - float(text)) <= printed_tolerance(text) + 1e-5 * abs(float(text)), (
            f"step {step}: f = {value:.6g}, optax printed {text}")


# ------------------------------------------------------------------------------------------------
# Schedules: google-deepmind/optax@2edbcbe2 optax/schedules/_schedule_test.py (atol=1e-3 throughout).
# The expected lists are copied as the tests write them (literal lists, or numpy expressions of
# literal fractions).

SCHEDULE_TEST = "google-deepmind/optax@2edbcbe2 optax/schedules/_schedule_test.py::"


OPTAX_COSINE = [
    # (test, decay_steps, alpha, the fractions of pi the test writes, one per count 0, 1, ...).
    # cosine_decay_schedule(0.1, decay_steps, alpha): alpha is a fraction of the initial value, so
    # eta_min = alpha * 0.1; past decay_steps optax holds the final value -> hold=True (PyTorch's
    # CosineAnnealingLR, hold=False, would rise again).  The test's expectation:
    # initial_value * ((1 - alpha) * (0.5 + 0.5 * cos(pi * fraction)) + alpha) (written 0.9 * m + 0.1 for alpha 0.1).
    ("CosineDecayTest::test_decay_count_smaller_count", 10, 0.0,
     [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    ("CosineDecayTest::test_decay_count_greater_count", 5, 0.0,
     [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ("CosineDecayTest::test_decay_count_greater_count_with_alpha", 5, 0.1,
     [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
]


@pytest.mark.parametrize("test,decay_steps,alpha,fractions", OPTAX_COSINE, ids=[c[0] for c in OPTAX_COSINE])
def test_optax_cosine_decay(test, decay_steps, alpha, fractions):
    # SCHEDULE_TEST + test
    initial_value = 0.1
    schedule_fn = schedules.cosine(initial_value, decay_steps, eta_min=alpha * initial_value, hold=True)
    generated_vals = [schedule_fn(count) for count in range(len(fractions))]
    expected_multipliers = (1 - alpha) * (0.5 + 0.5 * np.cos(np.pi * np.array(fractions))) + alpha
    np.testing.assert_allclose(initial_value * expected_multipliers, np.array(generated_vals), atol=1e-3)


def test_optax_polynomial_linear():
    # SCHEDULE_TEST + PolynomialTest::test_linear:
    # polynomial_schedule(init_value=10.0, end_value=20.0, power=1, transition_steps=10), counts 0..14.
    schedule_fn = schedules.polynomial(10.0, 10, end_lr=20.0, power=1.0)
    generated_vals = [schedule_fn(count) for count in range(15)]
    expected_vals = np.array(list(range(10, 20)) + [20] * 5, dtype=np.float32)
    np.testing.assert_allclose(expected_vals, np.array(generated_vals), atol=1e-3)


def test_optax_polynomial_nonlinear():
    # SCHEDULE_TEST + PolynomialTest::test_nonlinear:
    # polynomial_schedule(init_value=25.0, end_value=10.0, power=2, transition_steps=10), counts 0..14.
    schedule_fn = schedules.polynomial(25.0, 10, end_lr=10.0, power=2.0)
    generated_vals = [schedule_fn(count) for count in range(15)]
    expected_vals = np.array([10.0 + 15.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 5, dtype=np.float32)
    np.testing.assert_allclose(expected_vals, np.array(generated_vals), atol=1e-3)


def test_optax_linear_onecycle():
    # SCHEDULE_TEST + OneCycleTest::test_linear: linear_onecycle_schedule(transition_steps=10,
    # peak_value=1000, pct_start=0.3, pct_final=0.7, div_factor=10.0, final_div_factor=100.0),
    # steps 0..11: phase ends at floor(0.3*10)=3, floor(0.7*10)=7 and 10, then held at 1.
    # -> one_cycle(three_phase=True, anneal="linear", boundaries="optax", pct_final=0.7).
    schedule_fn = schedules.one_cycle(1000, 10, pct_start=0.3, anneal="linear", div_factor=10.0,
                                      final_div_factor=100.0, three_phase=True, boundaries="optax", pct_final=0.7)
    generated_vals = [schedule_fn(step) for step in range(12)]
    expected_vals = [100.0, 400.0, 700.0, 1000.0, 775.0, 550.0, 325.0, 100.0, 67.0, 34.0, 1.0, 1.0]
    np.testing.assert_allclose(generated_vals, expected_vals, atol=1e-3)


def test_optax_cosine_onecycle():
    # SCHEDULE_TEST + OneCycleTest::test_cosine: cosine_onecycle_schedule(transition_steps=5,
    # peak_value=1000.0, pct_start=0.4, div_factor=10.0, final_div_factor=100.0), steps 0..6:
    # phase ends at floor(0.4*5)=2 and 5, then held at 1 -> one_cycle(boundaries="optax").
    schedule_fn = schedules.one_cycle(1000.0, 5, pct_start=0.4, anneal="cos", div_factor=10.0,
                                      final_div_factor=100.0, boundaries="optax")
    generated_vals = [schedule_fn(step) for step in range(7)]
    expected_vals = [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0]
    np.testing.assert_allclose(generated_vals, expected_vals, atol=1e-3)
