"""Fused steps: in place, block by block, on threads; agreement with the reference steps."""

import copy

import numpy as np
import pytest

from optimlab import fused
from optimlab.fused import _engine
from optimlab.optimizers import get

NAMES = list(fused.REGISTRY)
SETTINGS = {
    "sgd": {"lr": 0.05, "weight_decay": 0.1},
    "momentum": {"lr": 0.02, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
    "adam": {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
    "adamw": {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.3},
    "lion": {"lr": 0.001, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1},
}
#: The convention switches the fused steps share with their reference steps.
SWITCHES = {
    "sgd": {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
    "momentum": {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.05, "decoupled_weight_decay": True},
    "adam": {"lr": 0.01, "eps": 1e-3, "weight_decay": 0.05, "decoupled_weight_decay": True, "eps_hat": True},
    "adamw": {"lr": 0.01, "eps": 1e-3, "weight_decay": 0.3, "eps_hat": True},
}
CASES = [(name, setting) for name in NAMES for setting in ("defaults", "custom", "switches")
         if setting != "switches" or name in SWITCHES]
EXACT = {"sgd", "momentum", "lion"}  # the same operations as the reference: bit for bit


def model(dtype, rng):
    return {"W1": rng.standard_normal((37, 29)).astype(dtype), "b1": rng.standard_normal(29).astype(dtype),
            "W2": rng.standard_normal((29, 3, 2)).astype(dtype), "s": rng.standard_normal(()).astype(dtype),
            "big": rng.standard_normal(700).astype(dtype)}


@pytest.fixture(params=[97, None], ids=["block97", "default"])
def block(request, monkeypatch):
    monkeypatch.setattr(_engine, "MIN_PARALLEL", 0)  # let small test models use the threads too
    if request.param:
        monkeypatch.setattr(_engine, "BLOCK", request.param)
    return request.param


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name,setting", CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_fused_agrees_with_the_reference_over_100_steps(name, setting, threads, dtype, block):
    rng = np.random.default_rng(0)
    hp = {"defaults": {}, "custom": SETTINGS[name], "switches": SWITCHES.get(name)}[setting]
    ours = model(dtype, rng)
    theirs = copy.deepcopy(ours)
    ids = {k: id(v) for k, v in ours.items()}
    s_f = s_r = None
    for _ in range(100):
        g = {k: rng.standard_normal(v.shape).astype(dtype) for k, v in ours.items()}
        out, s_f = fused.REGISTRY[name].step(ours, g, s_f, hp, threads=threads)
        assert out is ours and all(id(v) == ids[k] for k, v in ours.items())  # in place
        theirs, s_r = get(name).step(theirs, g, s_r, hp)
    for k in ours:
        assert ours[k].dtype == dtype
        scale = max(1.0, float(np.abs(theirs[k]).max()))
        if name in EXACT:
            np.testing.assert_array_equal(ours[k], theirs[k])
        elif dtype == np.float64:
            np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-12, atol=1e-12 * scale)
        else:  # a few ulps of the values' scale
            assert np.abs(ours[k] - theirs[k]).max() <= 4 * np.finfo(np.float32).eps * scale
    assert s_f["t"] == 100


def test_flat_params_are_views_of_one_buffer_and_run_as_one_segment():
    rng = np.random.default_rng(1)
    p = fused.flat_params(model(np.float32, rng))
    base = p["W1"].base if p["W1"].base is not None else p["W1"]
    assert all(np.shares_memory(v, base) for v in p.values())
    g = fused.flat_params({k: np.ones_like(v) for k, v in p.items()})
    _, _, _, _, jobs = _engine.prepare("sgd", p, g, None, (), False)
    assert len(jobs) == 1 and jobs[0][0].size == sum(v.size for v in p.values())
    separate = {k: np.ones_like(v) for k, v in p.items()}  # grads not adjacent: one job per array
    _, _, _, _, jobs = _engine.prepare("sgd", p, separate, None, (), False)
    assert len(jobs) == len(p)
    before = {k: v.copy() for k, v in p.items()}
    fused.sgd.step(p, g, None, {"lr": 0.5})
    for k in p:
        np.testing.assert_allclose(p[k], before[k] - 0.5)


def test_single_array_and_state_round():
    x = np.arange(6.0)
    out, state = fused.adamw.step(x, np.ones(6))
    assert out is x and state["optimizer"] == "fused_adamw" and state["buffers"]["m"].shape == (6,)
    ref, _ = get("adamw").step(np.arange(6.0), np.ones(6))
    np.testing.assert_allclose(x, ref, rtol=1e-14)


def test_bad_input_gets_the_reference_errors_before_anything_changes():
    p = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    g = {"w": np.full((2, 3), 0.1), "b": np.full(3, -0.2)}
    _, state = fused.adam.step(copy.deepcopy(p), g)
    snapshot = copy.deepcopy((p, g))

    def bad(exc, match, params=p, grads=g, st=state, hp=None, **kw):
        with pytest.raises(exc, match=match):
            fused.adam.step(params, grads, st, hp, **kw)

    bad(ValueError, "'b'", grads={"w": g["w"]})
    bad(ValueError, r"grads\['w'\].*shape", grads={**g, "w": np.ones((3, 2))})
    bad(TypeError, r"params\['w'\].*floating", params={**p, "w": np.ones((2, 3), int)})
    bad(ValueError, "unknown hparam 'betas'", hp={"betas": 0.9})
    bad(ValueError, "belongs to optimizer 'fused_sgd'", st=fused.sgd.step(copy.deepcopy(p), g)[1])
    bad(ValueError, "belongs to optimizer 'adam'", st=get("adam").step(p, g)[1])
    bad(ValueError, "other params", params={"w": np.ones((2, 3))}, grads={"w": g["w"]})
    bad(TypeError, "one dtype", params={**p, "b": np.zeros(3, np.float32)})
    bad(ValueError, "C-contiguous", params={**p, "w": np.ones((3, 2)).T})
    nan = g["w"].copy()
    nan[0, 0] = np.nan
    bad(ValueError, "NaN", grads={**g, "w": nan}, check_finite=True)
    for a, b in zip(snapshot, (p, g)):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_nan_check_is_off_by_default_for_speed():
    x = np.ones(3)
    with np.errstate(invalid="ignore"):
        fused.sgd.step(x, np.array([np.nan, 1.0, 1.0]), None, {"lr": 0.1})
    assert np.isnan(x[0]) and x[1] == 0.9
