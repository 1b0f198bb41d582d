"""Layer 4: the step contract (the ``optimlab.optimizers`` docstring), for every registered optimizer.

Parametrised by the single table in ``registry.py``; nothing here names an
optimizer.
"""

import copy
import numbers
import re

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from optimlab import landscapes
from optimlab._plain import pack, unpack
from optimlab.optimizers import REGISTRY, get
from optimlab.optimizers._base import VectorRule

from conftest import deep_equal
from registry import CASES, RAVINE_FRACTION, RAVINE_STEPS, ROSENBROCK_TOL

IDS = [c.name for c in CASES]
params_case = pytest.mark.parametrize("case", CASES, ids=IDS)


def test_registry_table_covers_every_optimizer():
    assert [c.name for c in CASES] == list(REGISTRY)


def no_decay(hparams):
    """*hparams* with every weight decay (also an inner optimizer's) set to 0."""
    out = {k: 0.0 if k.endswith("weight_decay") and not isinstance(v, bool) else v for k, v in hparams.items()}
    if isinstance(out.get("inner_hparams"), dict):
        out["inner_hparams"] = no_decay(out["inner_hparams"])
    return out


# --- hypothesis strategies -------------------------------------------------------------

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
values = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=32)


@st.composite
def problems(draw, dtype=np.float64):
    """A params dict of 1-3 arrays, matching grads, and the number of steps to take."""
    n = draw(st.integers(1, 3))
    params, grads = {}, {}
    for i in range(n):
        shape = draw(shapes)
        params[f"w{i}"] = draw(hnp.arrays(dtype, shape, elements=values))
        grads[f"w{i}"] = draw(hnp.arrays(dtype, shape, elements=values))
    return params, grads, draw(st.integers(1, 4))


def run(module, params, grads, steps, hparams, state=None):
    for _ in range(steps):
        params, state = module.step(params, grads, state, hparams)
    return params, state


# --- module surface ----------------------------------------------------------------------

@params_case
def test_module_exposes_the_contract(case):
    m = get(case.name)
    assert m.NAME == case.name
    assert isinstance(m.DEFAULTS, dict) and m.DEFAULTS == m.HPARAMS.defaults
    assert callable(m.step) and callable(m.init)
    assert isinstance(m.YEAR, int) and m.FAMILY and m.PAPER.startswith("https://")
    doc = m.__doc__
    assert ".. math::" in doc and "(1)" in doc, "the update rule as numbered LaTeX lines"
    assert "References" in doc and ("arxiv.org" in doc or "doi.org" in doc or "https://" in doc)
    assert "Defaults" in doc
    for hp in m.DEFAULTS:
        assert f"``{hp}``" in doc, f"{case.name}: hparam {hp} not mapped to a symbol in the docstring"
    for hp, value in m.DEFAULTS.items():
        if hp in m.HPARAMS.required:
            assert "required" in doc, f"{case.name}: say that {hp} is required"
            continue
        if isinstance(value, bool) or value is None or isinstance(value, str):
            assert f"{hp}={value!r}" in doc.replace("``", "") or f'{hp}="{value}"' in doc, f"default {hp} not stated"
            continue
        stated = re.findall(rf"\b{hp}=([-+]?[0-9.]*[0-9](?:e[-+]?[0-9]+)?)", doc.replace("``", ""))
        assert any(float(s) == value for s in stated), f"{case.name}: default {hp}={value} not stated"


@params_case
def test_defaults_are_accepted_and_used_when_hparams_is_none(case):
    m = get(case.name)
    p, g = {"w": np.linspace(-1, 1, 6).reshape(2, 3)}, {"w": np.linspace(0.5, -2, 6).reshape(2, 3)}
    required = {name: case.hparams[name] for name in m.HPARAMS.required}
    if required:  # hparams without a default (Newton's Hessian) must be given
        with pytest.raises(ValueError, match=f"hparam '{m.HPARAMS.required[0]}' is required"):
            m.step(p, g, None, None)
    a, sa = m.step(p, g, None, required or None)
    b, sb = m.step(p, g, None, {**m.DEFAULTS, **required})
    np.testing.assert_array_equal(a["w"], b["w"])


# --- purity, dtype, init, structure ------------------------------------------------------------

@params_case
@given(problem=problems())
def test_inputs_are_never_mutated(case, problem):
    m = get(case.name)
    params, grads, steps = problem
    hparams = dict(case.hparams)
    _, state = run(m, params, grads, 1, hparams)
    copies = copy.deepcopy((params, grads, state, hparams))
    new_params, new_state = run(m, params, grads, steps, hparams, state)
    for before, after in zip(copies, (params, grads, state, hparams)):
        assert deep_equal(before, after)
    for k in params:  # fresh arrays, not views of the inputs
        assert not np.shares_memory(new_params[k], params[k])
        assert not np.shares_memory(new_params[k], grads[k])


@params_case
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(data=st.data())
def test_dtype_is_kept(case, dtype, data):
    m = get(case.name)
    params, grads, steps = data.draw(problems(dtype))
    new_params, state = run(m, params, grads, steps, case.hparams)
    for k in params:
        assert new_params[k].dtype == dtype and new_params[k].shape == params[k].shape
    for slots in state["slots"].values():
        for v in slots.values():
            assert not isinstance(v, np.ndarray) or v.dtype == dtype


@params_case
def test_float16_is_kept_and_its_state_is_float32(case):
    m = get(case.name)
    p = {"w": np.array([0.5, -1.0, 2.0], np.float16)}
    g = {"w": np.array([1.0, -0.5, 2.0], np.float16)}
    out, state = run(m, p, g, 3, case.hparams)  # default epsilons (1e-8 is 0 in float16): computed in float32
    assert out["w"].dtype == np.float16 and np.isfinite(out["w"]).all()
    for slots in state["slots"].values():
        for v in slots.values():
            assert not isinstance(v, np.ndarray) or v.dtype == (np.float64 if case.name in ("bfgs", "lbfgs")
                                                                else np.float32)


@params_case
@given(problem=problems())
def test_zero_gradient_is_a_no_op_without_weight_decay(case, problem):
    m = get(case.name)
    params, grads, steps = problem
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    out, state = run(m, params, zeros, steps, no_decay({**m.DEFAULTS, **case.hparams}))
    for k in params:
        np.testing.assert_array_equal(out[k], params[k])
    assert state["t"] == steps


@params_case
@given(problem=problems())
def test_first_step_with_none_equals_explicit_init(case, problem):
    m = get(case.name)
    params, grads, _ = problem
    a, sa = m.step(params, grads, None, case.hparams)
    b, sb = m.step(params, grads, m.init(params, case.hparams), case.hparams)
    assert deep_equal(a, b)
    assert deep_equal(sa, sb)
    assert m.init(params, case.hparams)["t"] == 0


@params_case
@given(shape=shapes, data=st.data())
def test_single_array_works_like_a_dict(case, shape, data):
    m = get(case.name)
    x = data.draw(hnp.arrays(np.float64, shape, elements=values))
    g = data.draw(hnp.arrays(np.float64, shape, elements=values))
    single, s1 = run(m, x, g, 3, case.hparams)
    as_dict, s2 = run(m, {"w": x}, {"w": g}, 3, case.hparams)
    assert isinstance(single, np.ndarray)
    np.testing.assert_array_equal(single, as_dict["w"])


@params_case
def test_key_order_is_kept_and_arrays_are_independent(case):
    m = get(case.name)
    p = {"z": np.ones(3), "a": np.ones((2, 2)), "m": np.ones(1)}
    g = {"a": np.full((2, 2), 0.5), "m": np.array([2.0]), "z": np.arange(3.0)}  # other order
    out, state = m.step(p, g, None, case.hparams)
    assert list(out) == ["z", "a", "m"] and list(state["slots"]) == ["z", "a", "m"]
    if isinstance(getattr(m, "RULE", None), VectorRule):
        return  # rules on the whole flattened vector couple the arrays by design (second-order)
    alone, _ = m.step({"a": p["a"]}, {"a": g["a"]}, None, case.hparams)
    np.testing.assert_array_equal(out["a"], alone["a"])


@params_case
def test_state_is_plain_data_and_survives_an_npz_round_trip(case, tmp_path):
    m = get(case.name)
    rng = np.random.default_rng(1)
    p = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    g = {k: rng.standard_normal(v.shape) for k, v in p.items()}
    p1, state = run(m, p, g, 3, case.hparams)
    _assert_plain(state)
    np.savez(tmp_path / "s.npz", **pack(state))
    with np.load(tmp_path / "s.npz", allow_pickle=False) as z:
        restored = unpack(dict(z))
    assert deep_equal(restored, state)
    a, _ = m.step(p1, g, state, case.hparams)
    b, _ = m.step(p1, g, restored, case.hparams)
    assert deep_equal(a, b)


# --- bad input -------------------------------------------------------------------------------

@params_case
def test_bad_input_raises_a_clear_error_before_anything_changes(case):
    m = get(case.name)
    p = {"w": np.ones((2, 3)), "b": np.zeros(3)}
    g = {"w": np.full((2, 3), 0.1), "b": np.full(3, -0.2)}
    _, state = m.step(p, g, None, case.hparams)
    snapshot = copy.deepcopy((p, g, state))

    def bad(exc, match, params=p, grads=g, st=state, hparams=case.hparams):
        with pytest.raises(exc, match=match):
            m.step(params, grads, st, hparams)

    bad(ValueError, "'b'", grads={"w": g["w"]})                                     # missing key
    bad(ValueError, "'bias'", grads={**g, "bias": g["b"]})                           # extra key
    bad(ValueError, r"grads\['w'\].*shape", grads={**g, "w": np.ones((3, 2))})      # shape
    bad(TypeError, r"params\['w'\].*floating", params={**p, "w": np.ones((2, 3), int)})  # integer params
    bad(TypeError, r"params\['w'\].*numpy array", params={**p, "w": [[1.0] * 3] * 2})  # not an array
    nan = g["w"].copy(); nan[1, 2] = np.nan
    bad(ValueError, r"grads\['w'\].*NaN", grads={**g, "w": nan})
    inf = g["b"].copy(); inf[0] = -np.inf
    bad(ValueError, r"grads\['b'\].*inf", grads={**g, "b": inf})
    other = "sgd" if case.name != "sgd" else "adam"
    _, foreign = get(other).step(p, g, None, None)
    bad(ValueError, f"belongs to optimizer '{other}'", st=foreign)
    _, other_keys = m.step({"v": p["w"]}, {"v": g["w"]}, None, case.hparams)
    bad(ValueError, "other params", st=other_keys)
    _, other_shapes = m.step({"w": np.ones((3, 3)), "b": np.zeros(3)}, {"w": np.ones((3, 3)), "b": np.ones(3)},
                             None, case.hparams)
    if any(isinstance(v, np.ndarray) for v in other_shapes["slots"]["w"].values()):
        bad(ValueError, r"'w'.*shape", st=other_shapes)
    hp_name = next(iter(m.DEFAULTS))  # e.g. "lr"
    bad(ValueError, f"unknown hparam '{hp_name}x'.*Did you mean '{hp_name}'", hparams={hp_name + "x": 0.1})
    real = next(n for n, spec in m.HPARAMS.specs.items() if type(spec).__name__ == "Real" and spec.low == 0.0)
    bad(ValueError, f"hparam '{real}'.*got -0.1", hparams={real: -0.1})
    bad(TypeError, f"hparam '{real}'.*str", hparams={real: "0.1"})
    bad(TypeError, "hparams must be a mapping", hparams=[("lr", 0.1)])
    bad(TypeError, "state must be None or a dict", st=[1, 2])
    assert deep_equal(snapshot, (p, g, state))


@params_case
def test_every_hparam_range_is_checked(case):
    m = get(case.name)
    p, g = np.ones(2), np.ones(2)
    required = {name: case.hparams[name] for name in m.HPARAMS.required}
    for name, spec in m.HPARAMS.specs.items():
        for bad in _bad_values(spec):
            with pytest.raises(ValueError, match=f"hparam '{name}'"):
                m.step(p, g, None, {**required, name: bad})
        if name not in required:
            m.step(p, g, None, {**required, name: spec.default})


def _bad_values(spec):
    kind = type(spec).__name__
    if kind == "Real":
        out = [float("nan"), True] + ([] if spec.optional else [None])
        if spec.low is not None:
            out.append(spec.low - 1.0)
            if spec.low_open:
                out.append(spec.low)
        if spec.high is not None:
            out.append(spec.high + 1.0)
            if spec.high_open:
                out.append(spec.high)
        return out
    if kind == "Bool":
        return [1, "yes", None]
    if kind == "Int":
        return [1.5, True] + ([spec.low - 1] if spec.low is not None else []) + ([spec.high + 1] if spec.high else [])
    if kind == "OptimizerName":
        return ["adma", 3, None]
    if kind == "OptionalMapping":
        return [[("lr", 0.1)], "lr=0.1"]
    if kind == "Function":
        return [3.0, "f"] + ([None] if spec.required else [])
    if kind == "Choice":
        return [spec.default.upper() + "x", 3, None]
    if kind == "KeySelector":
        return ["W1", [3], 3.0]
    raise AssertionError(f"no bad values known for a {kind} hparam")


# --- behaviour on landscapes -------------------------------------------------------------

@params_case
def test_reduces_the_loss_on_the_ravine(case):
    m = get(case.name)
    f = landscapes.ravine(condition=25.0, angle=0.5)
    x, state = f.start, None
    for _ in range(RAVINE_STEPS):
        x, state = m.step(x, f.grad(x), state, case.ravine)
    assert f.value(x) < RAVINE_FRACTION * f.value(f.start)


@pytest.mark.slow
@params_case
def test_converges_on_rosenbrock_within_budget(case):
    m = get(case.name)
    f = landscapes.rosenbrock()
    x, state = f.start, None
    for t in range(1, case.rosenbrock_budget + 1):
        x, state = m.step(x, f.grad(x), state, case.rosenbrock)
        if np.linalg.norm(x - f.minima[0]) < ROSENBROCK_TOL:
            break
    assert np.linalg.norm(x - f.minima[0]) < ROSENBROCK_TOL, f"{case.name}: {x} after {t} steps"


# --- helpers --------------------------------------------------------------------------------------

def _assert_plain(x):
    if isinstance(x, dict):
        for k, v in x.items():
            assert isinstance(k, str)
            _assert_plain(v)
    elif isinstance(x, list):
        for v in x:
            _assert_plain(v)
    else:
        assert x is None or isinstance(x, (np.ndarray, numbers.Number, str)) and not isinstance(x, np.generic)
