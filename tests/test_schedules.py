"""Schedules: pure functions of the step that agree with torch.optim.lr_scheduler to 1e-12."""

import math
import warnings

import numpy as np
import pytest

from optimlab import schedules as S

from conftest import reference

STEPS = 300


def torch_lrs(make, steps=STEPS, lr=0.1):
    torch = reference("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make(torch.optim.lr_scheduler, opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return np.array(out)


CASES = {
    "step": (S.step_decay(0.1, step_size=30, gamma=0.5), lambda L, o: L.StepLR(o, step_size=30, gamma=0.5)),
    "exponential": (S.exponential(0.1, gamma=0.99), lambda L, o: L.ExponentialLR(o, gamma=0.99)),
    "cosine": (S.cosine(0.1, T_max=100, eta_min=1e-3), lambda L, o: L.CosineAnnealingLR(o, T_max=100, eta_min=1e-3)),
    "linear": (S.linear(0.1, start_factor=0.2, end_factor=1.0, total_iters=50),
               lambda L, o: L.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=50)),
    "one_cycle": (S.one_cycle(1.0, total_steps=STEPS), lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS,
                                                                                 cycle_momentum=False)),
    "one_cycle_linear_3phase": (S.one_cycle(0.5, total_steps=STEPS, pct_start=0.25, anneal="linear", three_phase=True),
                                lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS, pct_start=0.25,
                                                          anneal_strategy="linear", three_phase=True,
                                                          cycle_momentum=False)),
    "polynomial": (S.polynomial(0.1, decay_steps=120, power=2.0),
                   lambda L, o: L.PolynomialLR(o, total_iters=120, power=2.0)),
    "cyclic": (S.cyclic(0.01, 0.1, step_size_up=40), lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=40,
                                                                              cycle_momentum=False)),
    "cyclic_asym": (S.cyclic(0.01, 0.1, step_size_up=20, step_size_down=60),
                    lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=20, step_size_down=60, cycle_momentum=False)),
    "warmup_cosine": (S.warmup(S.cosine(0.1, T_max=200), 20, start_factor=0.1),
                      lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=20),
                                                      L.CosineAnnealingLR(o, T_max=200)], milestones=[20])),
    "warmup_step": (S.warmup(S.step_decay(0.1, 50, 0.3), 10, start_factor=0.01),
                    lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.01, total_iters=10),
                                                    L.StepLR(o, 50, 0.3)], milestones=[10])),
    "warmup_exponential": (S.warmup(S.exponential(0.1, 0.995), 15),
                           lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=15),
                                                           L.ExponentialLR(o, 0.995)], milestones=[15])),
}


@pytest.mark.reference
@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch(name):
    ours, make = CASES[name]
    np.testing.assert_allclose(ours(np.arange(STEPS)), torch_lrs(make), rtol=1e-12, atol=1e-15)


def test_schedules_by_hand():
    assert S.step_decay(1.0, 10, 0.5)(25) == 0.25
    assert S.cosine(1.0, 10)(5) == pytest.approx(0.5) and S.cosine(1.0, 10)(10) == pytest.approx(0.0)
    assert S.linear(1.0, 0.5, 1.0, 4)(2) == 0.75 and S.linear(1.0, 0.5, 1.0, 4)(100) == 1.0
    w = S.warmup(S.constant(0.2), 4, start_factor=0.0)
    assert [w(t) for t in range(6)] == [0.0, 0.05, 0.1, pytest.approx(0.15), 0.2, 0.2]
    c = S.cyclic(0.0, 1.0, step_size_up=2)
    assert [c(t) for t in range(6)] == [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    oc = S.one_cycle(1.0, 100)
    assert oc(0) == pytest.approx(1 / 25) and max(oc(np.arange(101))) == pytest.approx(1.0)
    assert oc(99) == pytest.approx(1 / 25 / 1e4)
    assert S.exponential(1.0, 0.5)(np.array([[0, 1], [2, 3]])).tolist() == [[1.0, 0.5], [0.25, 0.125]]
    assert "cosine" in repr(S.cosine(1.0, 10))


def test_one_cycle_does_not_extrapolate_past_its_last_phase():
    """At t = total_steps PyTorch's linear three-phase formula would go below zero; the rate stays at the end."""
    for anneal in ("cos", "linear"):
        for three in (False, True):
            oc = S.one_cycle(0.5, 300, pct_start=0.25, anneal=anneal, three_phase=three)
            assert oc(300) == pytest.approx(0.5 / 25 / 1e4) and min(oc(np.arange(301))) > 0
            oc = S.one_cycle(0.5, 300, pct_start=0.25, anneal=anneal, three_phase=three, boundaries="optax")
            assert oc(300) == oc(1000) == pytest.approx(0.5 / 25 / 1e4)


def test_new_schedules_by_hand():
    c = S.cosine(1.0, 10, eta_min=0.1, hold=True)
    assert c(10) == c(15) == pytest.approx(0.1) and S.cosine(1.0, 10, eta_min=0.1)(15) == pytest.approx(0.55)
    p = S.polynomial(1.0, 10, end_lr=0.0, power=1.0)
    assert [p(t) for t in (0, 5, 10, 20)] == [1.0, 0.5, 0.0, 0.0]
    q = S.polynomial(1.0, 10, end_lr=0.0, power=1.0, cycle=True)
    assert [q(t) for t in (0, 5, 10)] == [1.0, 0.5, 0.0] and q(15) == pytest.approx(0.25)  # D = 20 at t = 15
    oc = S.one_cycle(1.0, 10, pct_start=0.3, anneal="linear", boundaries="optax")
    assert oc(0) == pytest.approx(0.04) and oc(3) == pytest.approx(1.0)  # the peak at floor(0.3 * 10) = 3


OPTAX_STEPS = 200


def _optax(make):
    reference("jax").config.update("jax_enable_x64", True)
    schedule = make(reference("optax"))
    return np.array([float(schedule(t)) for t in range(OPTAX_STEPS)])


OPTAX_CASES = {
    "cosine_hold": (S.cosine(0.1, T_max=120, eta_min=0.002, hold=True),
                    lambda o: o.cosine_decay_schedule(0.1, decay_steps=120, alpha=0.02)),
    "polynomial": (S.polynomial(0.1, decay_steps=150, end_lr=0.01, power=2.0),
                   lambda o: o.polynomial_schedule(0.1, 0.01, power=2.0, transition_steps=150)),
    "one_cycle_cos": (S.one_cycle(0.5, 150, pct_start=0.25, boundaries="optax"),
                      lambda o: o.cosine_onecycle_schedule(150, 0.5, pct_start=0.25)),
    "one_cycle_linear": (S.one_cycle(0.5, 170, pct_start=0.3, anneal="linear", three_phase=True,
                                     boundaries="optax", pct_final=0.8),
                         lambda o: o.linear_onecycle_schedule(170, 0.5, pct_start=0.3, pct_final=0.8)),
}


@pytest.mark.reference
@pytest.mark.parametrize("name", list(OPTAX_CASES))
def test_schedule_matches_optax(name):
    ours, make = OPTAX_CASES[name]
    np.testing.assert_allclose(ours(np.arange(OPTAX_STEPS)), _optax(make), rtol=1e-12, atol=1e-15)


def test_schedule_errors():
    with pytest.raises(ValueError, match="T_max"):
        S.cosine(0.1, 0)
    with pytest.raises(ValueError, match=">= 0"):
        S.constant(0.1)(-1)
    with pytest.raises(ValueError, match="defined up to step 10"):
        S.one_cycle(1.0, 10)(11)


@pytest.mark.reference
@pytest.mark.parametrize("kwargs", [
    {},
    {"mode": "max", "factor": 0.5, "patience": 2, "cooldown": 3, "min_lr": 0.004},
    {"threshold_mode": "abs", "threshold": 0.05, "patience": 1},
])
def test_reduce_on_plateau_matches_torch(kwargs):
    torch = reference("torch")
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.standard_normal(60),
                              np.linspace(0.5, 0.2, 10), np.full(30, 0.2)])
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    lr, state = 0.1, None
    for m in metrics:
        lr, state = S.reduce_on_plateau(m, lr, state, **kwargs)
        opt.step()
        theirs.step(float(m))
        assert lr == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
    assert lr < 0.1  # it did reduce


def test_reduce_on_plateau_by_hand():
    lr, state = 1.0, None
    seen = []
    for m in [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]:
        lr, state = S.reduce_on_plateau(m, lr, state, patience=1, factor=0.5)
        seen.append(lr)
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert state["best"] == 0.5 and math.isfinite(state["best"])
