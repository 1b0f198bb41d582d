"""PyTorch and Hugging Face published expected values, ported (see ``published_common``).

* pytorch/pytorch ``test/optim/test_lrscheduler.py`` (version 01f9ef32eae5ef513002dd44902c23cbe6be3aae):
  OneCycleLR's literal ``lr_target`` lists (the cosine test computes its targets with a helper, so
  only the two linear ones are literal).
* pytorch/pytorch ``test/optim/test_muon.py::TestMuonVanillaRegression`` (version
  10e8fbd4a32459b3f7c8d0fd810ce5eb01bd4174): frozen float32 values after five Muon steps.
* huggingface/transformers ``tests/optimization/test_optimization.py`` (version
  1001bb00bfeeac965908cdb4ab5c3d7ebe0c774f): ``OptimizationTest::test_adafactor`` (Adafactor with an
  explicit learning rate and no parameter scaling must reach its target) and
  ``ScheduleInitTest::test_schedulers`` (literal learning-rate lists of the warm-up schedules).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import schedules

from published_common import TORCH_MUON_GRADS, TORCH_MUON_P0, run

LRSCHED = "pytorch/pytorch@01f9ef32 test/optim/test_lrscheduler.py::TestLRScheduler::"


def test_torch_onecycle_linear_annealing():
    # LRSCHED + test_onecycle_lr_linear_annealing: OneCycleLR(max_lr=25, final_div_factor=2,
    # total_steps=10, anneal_strategy="linear") (div_factor 25, pct_start 0.3 by default), lr read
    # before each of 10 steps.  PyTorch's phase ends are pct_start*T - 1 = 2 and T - 1 = 9.
    lr_target = [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5]
    schedule = schedules.one_cycle(25, 10, anneal="linear", final_div_factor=2)
    np.testing.assert_allclose([schedule(t) for t in range(10)], lr_target, rtol=1e-12, atol=1e-12)


def test_torch_onecycle_linear_annealing_three_phases():
    # LRSCHED + test_onecycle_lr_linear_annealing_three_phases: OneCycleLR(max_lr=25, div_factor=25,
    # total_steps=10, anneal_strategy="linear", pct_start=0.4, final_div_factor=4, three_phase=True).
    # (The "optax" boundaries would put the peak at step floor(0.4*10) = 4, not 3.)
    lr_target = [1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25]
    schedule = schedules.one_cycle(25, 10, pct_start=0.4, anneal="linear", div_factor=25, final_div_factor=4,
                                   three_phase=True)
    np.testing.assert_allclose([schedule(t) for t in range(10)], lr_target, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# Muon: pytorch/pytorch@10e8fbd4 test/optim/test_muon.py::TestMuonVanillaRegression.
# Setup as the test writes it: torch.manual_seed(42); p = nn.Parameter(torch.randn(8, 4));
# Muon([p], lr=0.02, weight_decay=..., momentum=0.95, nesterov=..., use_gram_newton_schulz=False);
# five steps with p.grad = torch.randn_like(p).  The inputs are stored in published_common.
# The source asserts bit equality (atol=0) with its own implementation, which runs Newton-Schulz in
# bfloat16; optimlab runs it in float64 (see the muon docstring), so the parameters agree only to
# bfloat16 precision: atol = 2e-3 after five steps of size lr * sqrt(8/4) = 0.028.  The momentum
# buffer involves no Newton-Schulz and is compared at float32 precision (1e-6).
# torch's adjust_lr_fn="original" scale is sqrt(max(1, A/B)) with (A, B) = (out, in) = (8, 4).

# Source: pytorch/pytorch@10e8fbd4 test/optim/test_muon.py::TestMuonVanillaRegression

EXPECTED_PARAM_NESTEROV_TRUE = [
    [1.938483476638794, 1.463821530342102, 0.8684228658676147, -2.107022762298584],
    [0.6464439034461975, -1.2333816289901733, -0.05520281195640564, -1.594115972518921],
    [-0.7017418742179871, 1.5892770290374756, -0.3630223572254181, -1.3906430006027222],
    [-0.6950568556785583, -0.6230637431144714, -0.7075115442276001, 0.7674455046653748],
    [1.6756398677825928, -0.14238590002059937, -0.4740765392780304, 0.41970568895339966],
    [-0.75552898645401, 1.045496940612793, 0.8197356462478638, 1.681230068206787],
    [1.2763956785202026, 1.2807981967926025, 0.6196531653404236, 1.2518298625946045],
    [-0.20052097737789154, 0.02047128602862358, -0.25045672059059143, 0.7741371989250183],
]

EXPECTED_PARAM_NESTEROV_FALSE = [
    [1.9527949094772339, 1.4754483699798584, 0.8651961088180542, -2.1447465419769287],
    [0.6431010365486145, -1.2468913793563843, -0.0508497953414917, -1.615515112876892],
    [-0.7089078426361084, 1.601587176322937, -0.370036244392395, -1.3938430547714233],
    [-0.7046897411346436, -0.6338974237442017, -0.6964432597160339, 0.7840660214424133],
    [1.7094919681549072, -0.1214023157954216, -0.4710087776184082, 0.4312562346458435],
    [-0.7728015780448914, 1.0400207042694092, 0.8233118653297424, 1.6969393491744995],
    [1.2878977060317993, 1.301850438117981, 0.6351599097251892, 1.2659329175949097],
    [-0.2075868397951126, 0.010008741170167923, -0.25453078746795654, 0.7897554636001587],
]

EXPECTED_BUF = [
    [-0.11098092794418335, 0.08274538069963455, 0.05440763011574745, 0.022694384679198265],
    [0.06464089453220367, 0.04171084985136986, 0.05522793158888817, -0.024408867582678795],
    [-0.10506078600883484, 0.16549666225910187, -0.036471910774707794, 0.048419296741485596],
    [-0.11045779287815094, 0.2032998502254486, -0.13876627385616302, 0.06581886857748032],
    [-0.14690940082073212, 0.005613995250314474, -0.0447036549448967, 0.0763719230890274],
    [0.0020838298369199038, -0.01441915426403284, -0.09339231252670288, -0.025113143026828766],
    [-0.0352008081972599, -0.03741401806473732, -0.16004668176174164, 0.17050980031490326],
    [-0.09506358951330185, 0.007350748870521784, 0.01989450491964817, 0.16971878707408905],
]

MUON_CASES = [
    # (id, source test, nesterov, weight_decay, layout, expected params, pins)
    ("nesterov-true", "test_vanilla_nesterov_true_matches_pre_diff_baseline", True, 0.1, "out_in",
     EXPECTED_PARAM_NESTEROV_TRUE, ["layout=out_in"]),
    ("nesterov-false", "test_vanilla_nesterov_false_matches_pre_diff_baseline", False, 0.0, "out_in",
     EXPECTED_PARAM_NESTEROV_FALSE, ["layout=out_in"]),
    # The same source numbers, with the weight stored transposed as optimlab's MLP stores W
    # (fan_in, fan_out) = (4, 8): layout="in_out" must give the transposed trajectory.
    ("nesterov-true-in_out", "test_vanilla_nesterov_true_matches_pre_diff_baseline", True, 0.1, "in_out",
     EXPECTED_PARAM_NESTEROV_TRUE, ["layout=in_out"]),
]


@pytest.mark.parametrize("case_id,test,nesterov,weight_decay,layout,expected,pins", MUON_CASES,
                         ids=[c[0] for c in MUON_CASES])
def test_torch_muon_vanilla_regression(case_id, test, nesterov, weight_decay, layout, expected, pins):
    transpose = layout == "in_out"
    orient = (lambda a: np.array(a).T) if transpose else (lambda a: np.array(a))
    hp = {"lr": 0.02, "weight_decay": weight_decay, "momentum": 0.95, "nesterov": nesterov, "ns_steps": 5,
          "layout": layout}
    params = {"p": orient(TORCH_MUON_P0)}
    params, state, _ = run("muon", params, [{"p": orient(g)} for g in TORCH_MUON_GRADS], hp)
    np.testing.assert_allclose(params["p"], orient(expected), rtol=0, atol=2e-3)
    np.testing.assert_allclose(state["slots"]["p"]["b"], orient(EXPECTED_BUF), rtol=0, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Hugging Face Adafactor


def test_hf_adafactor_explicit_lr_no_parameter_scale():
    # huggingface/transformers tests/optimization/test_optimization.py::OptimizationTest::test_adafactor
    # w = [0.1, -0.2, -0.1], target [0.4, 0.2, -0.5], criterion nn.MSELoss() (mean over 3:
    # gradient 2/3 * (w - target)); Adafactor(lr=1e-2, eps=(1e-30, 1e-3), clip_threshold=1.0,
    # decay_rate=-0.8, beta1=None, weight_decay=0.0, relative_step=False, scale_parameter=False,
    # warmup_init=False), 1000 steps; assertListAlmostEqual(w.tolist(), [0.4, 0.2, -0.5], tol=1e-2).
    # HF adds eps[0] = 1e-30 to g**2, optimlab clamps at eps1**2: eps1 = sqrt(1e-30), no difference.
    # (relative_step does not show here: min(1e-2, 1/sqrt(t)) = 1e-2 for t <= 10000.)
    target = np.array([0.4, 0.2, -0.5])
    hp = {"lr": 1e-2, "eps1": math.sqrt(1e-30), "eps2": 1e-3, "d": 1.0, "beta2_decay": -0.8, "weight_decay": 0.0,
          "relative_step": False, "scale_parameter": False}
    w, _, _ = run("adafactor", np.array([0.1, -0.2, -0.1]), (lambda w: 2.0 / 3.0 * (w - target), 1000), hp)
    np.testing.assert_allclose(w, [0.4, 0.2, -0.5], rtol=0, atol=1e-2)  # |a - b| <= tol, as assertListAlmostEqual


# ------------------------------------------------------------------------------------------------
# Hugging Face schedules: huggingface/transformers@1001bb00 tests/optimization/test_optimization.py::
# ScheduleInitTest::test_schedulers.  AdamW(lr=10.0), num_warmup_steps=2, num_training_steps=10; the lr
# is read before each of 10 steps (unwrap_schedule); assertListAlmostEqual(..., tol=1e-2).
# HF's warm-up goes linearly from 0 to lr over 2 steps, then the decay runs over the remaining 8
# steps: optimlab's warmup(schedule, 2, start_factor=0.0) around a schedule of length 8.

HF_SCHEDULES = [
    ("get_linear_schedule_with_warmup", lambda: schedules.linear(10.0, start_factor=1.0, end_factor=0.0, total_iters=8),
     [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25]),
    ("get_cosine_schedule_with_warmup", lambda: schedules.cosine(10.0, 8),
     [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38]),
    # power=2.0, lr_end=1e-7: (lr - lr_end) * (1 - progress)**2 + lr_end
    ("get_polynomial_decay_schedule_with_warmup", lambda: schedules.polynomial(10.0, 8, end_lr=1e-7, power=2.0),
     [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156]),
]


@pytest.mark.parametrize("name,decay,expected_learning_rates", HF_SCHEDULES, ids=[h[0] for h in HF_SCHEDULES])
def test_hf_schedules_with_warmup(name, decay, expected_learning_rates):
    schedule = schedules.warmup(decay(), 2, start_factor=0.0)
    np.testing.assert_allclose([schedule(t) for t in range(10)], expected_learning_rates, rtol=0, atol=1e-2)
