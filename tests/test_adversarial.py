"""Adversarial inputs, class by class: half precision, overflow, hparam ranges, tampered state.

Each test walks one class of bad (or merely extreme) input over every registered
optimizer (the table in ``registry.py``) or every public helper, and asserts
either the clear error (its type, and the argument, key or slot it names, with
nothing changed) or the correct result, derived independently (by hand, or from
the float32/float64 step that the other test layers verify).
"""

import copy

import numpy as np
import pytest

import optimlab
from optimlab import StepOverflowError, fused
from optimlab.optimizers import REGISTRY, get

from conftest import deep_equal
from registry import CASES, defaults_of

IDS = [c.name for c in CASES]
params_case = pytest.mark.parametrize("case", CASES, ids=IDS)
SECOND_ORDER = ("newton", "bfgs", "lbfgs")


def settings(case):
    """The defaults and the registry's non-default setting of *case*."""
    return [("defaults", defaults_of(case)), ("custom", case.hparams)]


def raises_untouched(exc, match, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` raises *exc* matching *match* and leaves its arguments as they were."""
    before = copy.deepcopy(args)
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)
    assert deep_equal(before, args), "arguments were modified before the error"


def quadratic_grad(params, centre, scale, dtype):
    """``scale * (theta - centre)``, the gradient of a bowl, computed in float32 and given in *dtype*."""
    return {k: (scale * (p.astype(np.float32) - centre[k])).astype(dtype) for k, p in params.items()}


# --- half precision -------------------------------------------------------------------------------

def test_adam_float16_on_zero_half_and_tiny_gradients_by_hand():
    # Adam's first step is lr * m_hat / (sqrt(v_hat) + eps) = lr * g / (|g| + eps): 0 for g = 0 and
    # 1e-3 * (1 - 1e-5) for g = 1e-3 (eps = 1e-8 is 1e-5 of |g|).  In float16, eps rounds to 0, which
    # made the zero entry 0/0; computed in float32 it is the exact first step, rounded to float16.
    out, state = get("adam").step(np.ones(3, np.float16), np.array([0, 0.5, 1e-3], np.float16))
    expected = np.array([1.0, 1.0 - 1e-3, 1.0 - 1e-3 * float(np.float16(1e-3)) / (float(np.float16(1e-3)) + 1e-8)])
    np.testing.assert_array_equal(out, expected.astype(np.float16))
    assert out.dtype == np.float16
    assert state["slots"]["param"]["v"].dtype == np.float32  # the state of half-precision params is float32


def _wide(name):
    """The dtype a step computes half precision in: float32, or float64 for the second-order methods."""
    return np.float64 if name in SECOND_ORDER else np.float32


@params_case
@pytest.mark.parametrize("scale", [0.0, 1e-4, 1.0], ids=["zero", "tiny", "ordinary"])
def test_half_precision_step_is_the_wide_step_rounded(case, scale):
    """Every float16 step equals the float32 (float64 for second order) step on the same values, rounded to
    float16, and leaves the very same state: the arithmetic is the wide dtype's, only storage is narrow."""
    m, wide = get(case.name), _wide(case.name)
    for _, hp in settings(case):
        rng = np.random.default_rng(3)
        p16 = {"W": rng.uniform(-2, 2, (4, 3)).astype(np.float16), "b": rng.uniform(-2, 2, 3).astype(np.float16)}
        centre = {k: rng.uniform(-1, 1, v.shape) for k, v in p16.items()}
        state = None
        for _ in range(8):
            g16 = quadratic_grad(p16, centre, scale, np.float16)
            new16, state16 = m.step(p16, g16, state, hp)
            wide_params = {k: v.astype(wide) for k, v in p16.items()}
            wide_grads = {k: v.astype(wide) for k, v in g16.items()}
            new_wide, state_wide = m.step(wide_params, wide_grads, state, hp)
            for k in p16:
                assert new16[k].dtype == np.float16
                np.testing.assert_array_equal(new16[k], new_wide[k].astype(np.float16))
            assert deep_equal(state16, state_wide)
            p16, state = new16, state16


@params_case
@pytest.mark.parametrize("scale", [0.0, 1e-4, 1.0], ids=["zero", "tiny", "ordinary"])
def test_float16_trajectory_follows_the_float32_one(case, scale):
    """20 steps on a bowl: float16 params stay within 20 float16 ulps (of the array's scale) of the float32
    run, never NaN or inf, and a zero gradient without weight decay leaves them exactly where they were."""
    # BFGS and L-BFGS with tiny gradients: a first step of 1e-4 is mostly below float16's resolution, so the
    # float16 run sees other curvature pairs than the float32 run, which jumps to the minimum at step 2: a
    # limit of storing params in float16, not of the arithmetic (exact per step, tested above).  Only
    # finiteness is asserted for them.
    follows = not (scale == 1e-4 and case.name in ("bfgs", "lbfgs"))
    m = get(case.name)
    steps = 20
    for _, hp in settings(case):
        rng = np.random.default_rng(4)
        start = {"W": rng.uniform(-2, 2, (4, 3)), "b": rng.uniform(-2, 2, 3)}
        centre = {k: rng.uniform(-1, 1, v.shape) for k, v in start.items()}
        p16 = {k: v.astype(np.float16) for k, v in start.items()}
        p32 = {k: v.astype(np.float32) for k, v in p16.items()}
        s16 = s32 = None
        for _ in range(steps):
            p16, s16 = m.step(p16, quadratic_grad(p16, centre, scale, np.float16), s16, hp)
            p32, s32 = m.step(p32, quadratic_grad(p32, centre, scale, np.float32), s32, hp)
        for k in p16:
            assert p16[k].dtype == np.float16 and np.isfinite(p16[k]).all()
            ulp = float(np.spacing(np.float16(max(float(np.abs(p32[k]).max()), 0.5))))
            assert not follows or np.abs(p16[k].astype(np.float32) - p32[k]).max() <= steps * ulp, (k, hp)
        if scale == 0.0 and not any(v for n, v in hp.items() if n.endswith("weight_decay") and v is not True):
            inner = hp.get("inner_hparams") or {}
            if not inner.get("weight_decay"):
                for k in p16:
                    np.testing.assert_array_equal(p16[k], start[k].astype(np.float16))


@pytest.mark.parametrize("name", ["sgd", "adam", "lion", "adafactor", "lookahead", "bfgs"])
def test_bfloat16_is_computed_in_float32_too(name):
    ml = pytest.importorskip("ml_dtypes")
    bf16 = np.dtype(ml.bfloat16)
    m = get(name)
    p = np.array([[1.0, -2.0], [0.5, 3.0]]).astype(bf16)
    g = np.array([[0.0, 1e-3], [-0.5, 2.0]]).astype(bf16)
    out, state = m.step(p, g)
    ref, ref_state = m.step(p.astype(_wide(name)), g.astype(_wide(name)))
    assert out.dtype == bf16
    np.testing.assert_array_equal(out.astype(np.float32), ref.astype(bf16).astype(np.float32))
    assert deep_equal(state, ref_state)


# --- overflow ---------------------------------------------------------------------------------------

def test_a_finite_gradient_that_overflows_the_compute_dtype_is_refused():
    p, g = np.ones(2, np.float32), np.full(2, 1e39)
    raises_untouched(StepOverflowError, r"grads has finite entries too large for float32.*1e\+39", get("sgd").step,
                     p, g)
    with pytest.raises(ValueError):  # one except ValueError catches it, as every optimlab error
        get("sgd").step({"w": p}, {"w": g})
    # float16 params compute in float32, so a float32 gradient beyond float16's range is fine when the
    # result fits: 1 - 0.01 * 1e5 = -999
    out, _ = get("sgd").step(np.ones(2, np.float16), np.full(2, 1e5, np.float32))
    np.testing.assert_array_equal(out, np.full(2, -999.0, np.float16))


def test_lars_near_the_float64_maximum_is_computed_by_hand():
    # ||theta|| = ||g|| = 2e300 (their squares overflow): trust ratio 0.001 * 2e300 / 2e300, u = 0.001 * g,
    # b = u on the first step, theta - lr * b = 1e300 * (1 - 1e-3 * 1e-3)
    out, _ = get("lars").step(np.full((2, 2), 1e300), np.full((2, 2), 1e300))
    np.testing.assert_allclose(out, np.full((2, 2), 1e300 * (1 - 1e-6)), rtol=1e-15)


@pytest.mark.parametrize("name", ["lars", "lamb", "adafactor", "muon"])
def test_norms_do_not_overflow_in_float16(name):
    # 300 squared is 9e4, beyond float16's 65504, but the norms are computed in float32: every entry of a
    # uniform array takes the same finite step, downhill (lr=1: Muon's 0.25 is one float16 ulp at 300)
    p = np.full((4, 4), 300.0, np.float16)
    out, _ = get(name).step(p, p, None, {"lr": 1.0})
    assert np.isfinite(out).all() and (out < p).all() and np.unique(out).size == 1


@params_case
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_values_near_the_dtype_maximum_give_a_finite_step_or_a_named_overflow(case, dtype):
    """Params and gradients at a quarter of the dtype's maximum: the step is finite, or raises
    StepOverflowError naming the optimizer and the param or slot, with nothing changed."""
    m = get(case.name)
    big = float(np.finfo(dtype).max) / 4
    p = {"W": np.full((2, 2), big, dtype), "b": np.full(2, -big, dtype)}
    g = {"W": np.full((2, 2), big, dtype), "b": np.full(2, big, dtype)}
    for _, hp in settings(case):
        before = copy.deepcopy((p, g))
        try:
            out, state = m.step(p, g, None, hp)
        except StepOverflowError as exc:
            assert str(exc).startswith(f"{case.name}: ") and ("params['" in str(exc) or "slot" in str(exc)
                                                              or "entry" in str(exc)), str(exc)
        else:
            assert all(np.isfinite(v).all() for v in out.values())
        assert deep_equal(before, (p, g))


def test_an_update_that_overflows_names_the_optimizer_and_the_slot():
    raises_untouched(StepOverflowError, r"^adam: .*state slot 'v' of param 'w'", get("adam").step,
                     {"w": np.ones(2)}, {"w": np.full(2, 1e200)})
    raises_untouched(StepOverflowError, r"^sgd: .*params\['w'\]", get("sgd").step, {"w": np.ones(2)},
                     {"w": np.full(2, 10.0)}, None, {"lr": 1e308})
    # asked not to check, the step lets it through (for showing divergence)
    with np.errstate(over="ignore"):
        out, _ = get("sgd").step(np.ones(2), np.full(2, 10.0), None, {"lr": 1e308}, check_finite=False)
    assert np.isinf(out).all()


# --- hparam ranges ------------------------------------------------------------------------------------

#: hparams named like an epsilon that guard no division: Adafactor's eps2 is a floor on RMS(theta).
NOT_A_GUARD = {("adafactor", "eps2")}
#: decay rates of moving averages that start at zero (1 would freeze them at zero), and LARS's
#: dampening (its buffer starts at zero); Lion's beta1 only interpolates, it averages nothing.
DECAY_RATES = ("rho", "beta1", "beta2", "adamw_beta1", "adamw_beta2", "momentum")


def _epsilons(name, module):
    """The numeric hparams called eps-something (not the eps_* switches) that guard a division."""
    return [hp for hp, spec in module.HPARAMS.specs.items()
            if "eps" in hp and type(spec).__name__ == "Real" and (name, hp) not in NOT_A_GUARD]


@params_case
def test_every_epsilon_that_guards_a_division_must_be_positive(case):
    m = get(case.name)
    required = {name: case.hparams[name] for name in m.HPARAMS.required}
    for name in _epsilons(case.name, m):
        raises_untouched(ValueError, rf"hparam '{name}' must be a real number in \(0, inf\)", m.step,
                         np.ones(2), np.array([0.0, 1.0]), None, {**required, name: 0.0})


@params_case
def test_decay_rates_of_moving_averages_exclude_1(case):
    m = get(case.name)
    for name in m.HPARAMS.specs:
        if name in DECAY_RATES and (case.name, name) != ("lion", "beta1"):
            with pytest.raises(ValueError, match=rf"hparam '{name}' must be a real number in \[0, 1\)"):
                m.step(np.ones(2), np.ones(2), None, {name: 1.0})


def test_rmsprop_rho_1_and_lars_dampening_1_are_refused():
    with pytest.raises(ValueError, match=r"hparam 'rho'.*\[0, 1\); got 1.0"):
        get("rmsprop").step(np.ones(2), np.ones(2), None, {"rho": 1.0})
    with pytest.raises(ValueError, match=r"hparam 'dampening'.*\[0, 1\); got 1.0"):
        get("lars").step(np.ones((2, 2)), np.ones((2, 2)), None, {"dampening": 1.0})


@params_case
def test_zero_entries_beside_nonzero_ones_and_the_smallest_epsilon_stay_finite(case):
    """The smallest positive epsilon still guards a zero gradient entry next to ordinary ones (float64)."""
    m = get(case.name)
    hp = {name: 5e-324 for name in _epsilons(case.name, m)}
    hp.update({name: case.hparams[name] for name in m.HPARAMS.required})
    p = {"W": np.linspace(-1, 1, 6).reshape(2, 3), "b": np.ones(3)}
    g = {"W": np.array([[0.0, 1.0, 0.0], [0.5, 0.0, -2.0]]), "b": np.zeros(3)}
    try:
        out, state = m.step(p, g, None, hp)
        out, state = m.step(out, g, state, hp)
    except StepOverflowError as exc:  # an eps squared underflows to 0 (Adafactor, StableAdamW): said so
        assert "epsilon that rounds to 0" in str(exc)
    else:
        assert all(np.isfinite(v).all() for v in out.values())


def test_the_contract_is_stated_in_the_package_and_no_module_cites_a_missing_spec():
    import optimlab.optimizers as pkg
    from pathlib import Path

    doc = pkg.__doc__
    for phrase in ("float32", "StepOverflowError", "InputTypeError", "eps", "[0, 1)", "check_finite"):
        assert phrase in doc, phrase
    root = Path(optimlab.__file__).parent
    for path in list(root.rglob("*.py")) + [root.parent / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert "SPEC.md" not in text and "../shared" not in text, path
    assert "## The step contract" in (root.parent / "README.md").read_text(encoding="utf-8")


# --- tampered state -----------------------------------------------------------------------------------

def _first_array_slot(state):
    for key, slots in state["slots"].items():
        for slot, value in slots.items():
            if isinstance(value, np.ndarray):
                return key, slot
    return None


def _one_step(m, case):
    """Small params, grads, and the state after one step with the case's hparams."""
    p = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    g = {"W": np.full((2, 3), 0.1), "b": np.full(3, -0.2)}
    return p, g, m.step(p, g, None, case.hparams)[1]


@params_case
def test_nan_or_inf_in_params_or_state_is_refused_naming_it(case):
    m = get(case.name)
    p, g, state = _one_step(m, case)
    bad = p["W"].copy()
    bad[0, 1] = np.nan
    raises_untouched(ValueError, r"params\['W'\] contains NaN", m.step, {**p, "W": bad}, g, state, case.hparams)
    found = _first_array_slot(state) or _first_array_slot(state.get("inner") or {"slots": {}})
    if found:
        key, slot = found
        poisoned = copy.deepcopy(state)
        holder = poisoned if slot in poisoned["slots"][key] else poisoned["inner"]
        holder["slots"][key][slot] = np.full_like(holder["slots"][key][slot], np.inf)
        raises_untouched(ValueError, rf"slot '{slot}' of param '{key}' contains NaN or inf", m.step, p, g,
                         poisoned, case.hparams)
    for name, entry in state.items():  # second-order state entries
        if isinstance(entry, np.ndarray):
            poisoned = {**state, name: np.full_like(entry, np.nan)}
            raises_untouched(ValueError, rf"entry '{name}' contains NaN", m.step, p, g, poisoned, case.hparams)


@params_case
def test_impossible_slot_values_and_step_counts_are_refused(case):
    m = get(case.name)
    p, g, state = _one_step(m, case)
    raises_untouched(ValueError, r"state\['t'\] must be a non-negative integer step count below 2\*\*53", m.step,
                     p, g, {**state, "t": 2**60}, case.hparams)
    bounds = getattr(getattr(m, "RULE", None), "bounds", {})
    for key, slots in state["slots"].items():
        for slot in slots:
            if bounds.get(slot, (None, None))[0] == 0.0:
                tampered = copy.deepcopy(state)
                value = tampered["slots"][key][slot]
                tampered["slots"][key][slot] = -1.0 - value if isinstance(value, float) else value - 1.0
                raises_untouched(ValueError, rf"slot '{slot}' of param '{key}' has values outside \[0",
                                 m.step, p, g, tampered, case.hparams)


def test_every_second_moment_and_accumulator_is_declared_non_negative():
    declared = {name: set(getattr(REGISTRY[name], "RULE").bounds) for name in REGISTRY
                if hasattr(REGISTRY[name], "RULE") and hasattr(REGISTRY[name].RULE, "bounds")}
    assert declared["adam"] == declared["adamw"] == declared["radam"] == declared["lamb"] == {"v"}
    assert declared["amsgrad"] == {"v", "v_max"} and declared["adamax"] == {"u"}
    assert declared["adagrad"] == {"h"} and declared["rmsprop"] == {"v"} and declared["adadelta"] == {"u", "v"}
    assert declared["adafactor"] == {"row", "col", "v"} and declared["nadam"] == {"v", "mu_product"}
    assert declared["stable_adamw"] == {"v"} and "v" in declared["muon"]


@pytest.mark.parametrize("name", ["bfgs", "lbfgs", "newton"])
def test_second_order_state_for_another_shape_of_the_same_size_is_refused(name):
    m = get(name)
    hp = {"hessian": lambda p: np.eye(6)} if name == "newton" else None
    _, state = m.step({"w": np.ones((3, 2))}, {"w": np.ones((3, 2))}, None, hp)
    raises_untouched(ValueError, r"shapes \{'w': \[3, 2\]\}.*other params", m.step, {"w": np.ones((2, 3))},
                     {"w": np.ones((2, 3))}, state, hp)


def test_lbfgs_pairs_must_come_in_pairs_with_positive_curvature():
    m = get("lbfgs")
    _, state = m.step(np.ones(3), np.ones(3))
    _, state = m.step(np.zeros(3), np.full(3, 0.5), state)
    assert len(state["s"]) == 1
    raises_untouched(ValueError, "3 vectors 's' but 1", m.step, np.ones(3), np.ones(3),
                     {**state, "s": state["s"] * 3})
    raises_untouched(ValueError, r"s\^T y = -", m.step, np.ones(3), np.ones(3), {**state, "y": [-state["y"][0]]})


@pytest.mark.parametrize("name", ["lookahead", "ranger"])
def test_a_lookahead_state_without_its_inner_part_is_refused(name):
    m = get(name)
    p, g = np.ones(3), np.full(3, 0.1)
    _, state = m.step(p, g)
    _, state = m.step(p, g, state)
    without = {k: v for k, v in state.items() if k != "inner"}
    raises_untouched(ValueError, "has no 'inner' part", m.step, p, g, without)
    raises_untouched(ValueError, r"state\['inner'\] has taken 1 steps but the .* state 2", m.step, p, g,
                     {**state, "inner": m.step(p, g)[1]["inner"]})


# --- fused steps ------------------------------------------------------------------------------------------

FUSED = list(fused.REGISTRY)


@pytest.mark.parametrize("name", FUSED)
def test_fused_steps_refuse_aliased_and_overlapping_arrays(name):
    m = fused.REGISTRY[name]
    a, g = np.ones(8), np.full(8, 0.5)
    raises_untouched(ValueError, r"params\['w1'\] and params\['w2'\] share memory", m.step, {"w1": a, "w2": a},
                     {"w1": g, "w2": g})
    raises_untouched(ValueError, r"params\['x'\] and params\['y'\] share memory", m.step,
                     {"x": a[:5], "y": a[3:]}, {"x": g[:5], "y": g[3:]})
    raises_untouched(ValueError, r"params and grads share memory|params\['param'\] and grads\['param'\]", m.step,
                     a, a)
    if m.SLOTS:
        x = np.ones(8)
        _, state = m.step(x, g)
        buffers = dict(state["buffers"])
        buffers[m.SLOTS[0]] = x
        raises_untouched(ValueError, rf"state buffer '{m.SLOTS[0]}'.*share memory|share memory.*state buffer", m.step,
                         x, g, {**state, "buffers": buffers})
    # gradients may share memory with each other: they are only read
    p = {"w1": np.ones(4), "w2": np.ones(4)}
    m.step(p, {"w1": g[:4], "w2": g[:4]}, None, {"lr": 0.1})
    ref, _ = get(name).step({"w1": np.ones(4), "w2": np.ones(4)}, {"w1": g[:4], "w2": g[:4]}, None, {"lr": 0.1})
    for k in p:
        np.testing.assert_allclose(p[k], ref[k], rtol=1e-12)


@pytest.mark.parametrize("threads", [-1, 0, "2", 2.0, True])
def test_fused_threads_must_be_a_positive_integer(threads):
    raises_untouched(ValueError, "argument 'threads' must be an integer", fused.adamw.step, np.ones(4),
                     np.ones(4), None, None, threads=threads)


@pytest.mark.parametrize("value", ["two", "0", "-3", "2.5", ""])
def test_optimlab_threads_must_be_a_positive_integer(value, monkeypatch):
    monkeypatch.setenv("OPTIMLAB_THREADS", value)
    raises_untouched(ValueError, "OPTIMLAB_THREADS must be a positive integer", fused.sgd.step, np.ones(4),
                     np.ones(4))
    monkeypatch.setenv("OPTIMLAB_THREADS", " 3 ")
    assert fused.default_threads() == 3


@pytest.mark.parametrize("name", FUSED)
def test_fused_float16_is_computed_in_float32_like_the_reference(name):
    """30 steps of zero, tiny and ordinary float16 gradients: the fused step matches the reference float16
    step (which is the float32 step rounded; see above), SGD, momentum and Lion bit for bit, the Adam
    family to one float16 ulp; the buffers are float32."""
    rng = np.random.default_rng(5)
    p = {"W": rng.standard_normal((37, 29)).astype(np.float16), "b": rng.standard_normal(29).astype(np.float16)}
    ref, s_f, s_r = copy.deepcopy(p), None, None
    for t in range(30):
        g = {k: (rng.standard_normal(v.shape) * (1e-3 if t % 2 else 1.0)).astype(np.float16) for k, v in p.items()}
        g["W"][0, :5] = 0.0
        _, s_f = fused.REGISTRY[name].step(p, g, s_f, None, threads=2)
        ref, s_r = get(name).step(ref, g, s_r)
    for k in p:
        assert p[k].dtype == np.float16 and np.isfinite(p[k]).all()
        if name in ("sgd", "momentum", "lion"):
            np.testing.assert_array_equal(p[k], ref[k])
        else:
            ulps = np.abs(p[k].astype(np.float32) - ref[k]) / np.spacing(np.abs(ref[k])).astype(np.float32)
            assert ulps.max() <= 1
    assert all(b.dtype == np.float32 for b in s_f["buffers"].values())


def test_fused_adam_float16_issue_example_and_overflowing_gradients():
    x = np.ones(3, np.float16)
    fused.adam.step(x, np.array([0, 0.5, 1e-3], np.float16))
    np.testing.assert_array_equal(x, get("adam").step(np.ones(3, np.float16), np.array([0, 0.5, 1e-3],
                                                                                          np.float16))[0])
    raises_untouched(StepOverflowError, "too large for float32", fused.sgd.step, np.ones(2, np.float32),
                     np.full(2, 1e39), None, None, check_finite=True)


# --- checkpoints ----------------------------------------------------------------------------------------

def _crafted(tmp_path, name, header=None, mark=None, **entries):
    """An .npz with an optimlab-looking header (a dict, dumped as JSON) or a raw *mark* entry."""
    import json

    path = tmp_path / name
    marker = np.array(json.dumps(header)) if mark is None else mark
    np.savez(path, __optimlab__=marker, **entries)
    return path


def _header(**changes):
    return {"format": "optimlab-checkpoint-1", "single": False, "order": ["w"], "meta": {}, **changes}


def _skeleton(text):
    return {"params/w": np.ones(2), "state/__skeleton__": np.array(text)}


@pytest.mark.parametrize("name,header,mark,entries", [
    ("list.npz", ["not", "a", "dict"], None, _skeleton("null")),
    ("number.npz", 3, None, _skeleton("null")),
    ("numeric_mark.npz", None, np.arange(3), _skeleton("null")),
    ("format.npz", _header(format="other-2"), None, _skeleton("null")),
    ("order.npz", _header(order="w"), None, _skeleton("null")),
    ("order_int.npz", _header(order=[3]), None, _skeleton("null")),
    ("missing_param.npz", _header(order=["w", "v"]), None, _skeleton("null")),
    ("single.npz", _header(single="yes"), None, _skeleton("null")),
    ("single_key.npz", _header(single=True), None, _skeleton("null")),
    ("meta.npz", _header(meta=[1, 2]), None, _skeleton("null")),
    ("no_skeleton.npz", _header(), None, {"params/w": np.ones(2)}),
    ("deep.npz", _header(), None, _skeleton("[" * 100000 + "]" * 100000)),
    ("deep_dicts.npz", _header(), None, _skeleton('{"__dict__": [["a", ' * 3000 + "1" + "]]}" * 3000)),
    ("missing_array.npz", _header(), None, _skeleton('{"__array__": "a7"}')),
    ("unknown_node.npz", _header(), None, _skeleton('{"__tuple__": [1, 2]}')),
    ("bad_float.npz", _header(), None, _skeleton('{"__float__": "one"}')),
    ("bad_pairs.npz", _header(), None, _skeleton('{"__dict__": [[1, 2, 3]]}')),
    ("int_param.npz", _header(), None, {"params/w": np.arange(2), "state/__skeleton__": np.array("null")}),
    ("object_param.npz", _header(), None, {"params/w": np.array([object()], dtype=object),
                                           "state/__skeleton__": np.array("null")}),
])
def test_load_turns_every_malformed_checkpoint_into_one_value_error(tmp_path, name, header, mark, entries):
    path = _crafted(tmp_path, name, header, mark, **entries)
    with pytest.raises(ValueError, match=rf"{name} (is not an optimlab checkpoint|could not be read)") as info:
        optimlab.load(path)
    assert type(info.value) is ValueError


def test_load_of_other_files_and_bad_arguments(tmp_path):
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match="array.npy could not be read"):
        optimlab.load(npy)
    with pytest.raises(ValueError, match="could not be read"):
        optimlab.load(tmp_path)  # a folder
    with pytest.raises(TypeError, match="argument 'path'"):
        optimlab.load(3)
    good = tmp_path / "good.npz"
    optimlab.save(good, {"w": np.ones(2)})
    with pytest.raises(TypeError, match="argument 'with_meta'"):
        optimlab.load(good, with_meta="yes")


def test_save_refuses_what_load_could_not_read_before_writing(tmp_path):
    p = {"w": np.ones(2)}
    target = tmp_path / "ck.npz"
    with pytest.raises(TypeError, match="dtype object"):
        optimlab.save(target, p, {"optimizer": "x", "slots": {"w": {"m": np.array([None, 1.0], dtype=object)}}})
    with pytest.raises(TypeError, match=r"params\['w'\] must have a floating dtype"):
        optimlab.save(target, {"w": np.array([object()], dtype=object)})
    with pytest.raises(TypeError, match="argument 'path'"):
        optimlab.save(None, p)
    with pytest.raises(ValueError, match="cannot write .*missing"):
        optimlab.save(tmp_path / "missing" / "ck.npz", p)
    with pytest.raises(TypeError, match="JSON"):
        optimlab.save(target, p, None, when=object())
    assert not target.exists()


# --- public helpers: every bad argument gets a clear error naming it -------------------------------------

from optimlab import bench, landscapes, schedules as S  # noqa: E402
from optimlab.mlp import MLP, grad_check  # noqa: E402
from optimlab.optimizers import muon, radam  # noqa: E402
from optimlab.training import clip_by_global_norm, clip_by_value, global_norm, lr_range_test, train  # noqa: E402

_RNG = np.random.default_rng(7)
NET = MLP([4, 5, 3])
P0 = NET.init(seed=0)
X = _RNG.standard_normal((40, 4))
Y = _RNG.integers(0, 3, 40)
SHARED = (P0, X, Y)


def _train(**kw):
    kw.setdefault("epochs", 1)
    return train(NET, kw.pop("params", P0), kw.pop("X", X), kw.pop("y", Y), verbose=False, **kw)


def _nan(a, where=(0, 0)):
    a = np.array(a, dtype=float)
    a[where] = np.nan
    return a


def _lrt(**kw):
    return lr_range_test(NET, P0, kw.pop("X", X), Y, steps=kw.pop("steps", 5), **kw)


BAD_CALLS = [
    # train
    ("train epochs=0", lambda: train(NET, P0, X, Y, epochs=0), "'epochs'"),
    ("train epochs=1.5", lambda: train(NET, P0, X, Y, epochs=1.5), "'epochs'"),
    ("train batch_size=0", lambda: _train(batch_size=0), "'batch_size'"),
    ("train accumulate=-1", lambda: _train(accumulate=-1), "'accumulate'"),
    ("train l2<0", lambda: _train(l2=-0.1), "'l2'"),
    ("train weight_decay<0", lambda: _train(weight_decay=-0.1), "'weight_decay'"),
    ("train weight_decay=nan", lambda: _train(weight_decay=float("nan")), "'weight_decay'"),
    ("train clip_norm=0", lambda: _train(clip_norm=0.0), "'clip_norm'"),
    ("train clip_value=nan", lambda: _train(clip_value=float("nan")), "'clip_value'"),
    ("train patience=0", lambda: _train(early_stopping=0, validation=(X, Y)), "'early_stopping'"),
    ("train patience<0", lambda: _train(early_stopping=-3, validation=(X, Y)), "'early_stopping'"),
    ("train monitor", lambda: _train(monitor="val_accuracy"), "'monitor'.*Did you mean 'val_acc'"),
    ("train seed<0", lambda: _train(seed=-1), "'seed'"),
    ("train verbose", lambda: train(NET, P0, X, Y, verbose="yes"), "'verbose'"),
    ("train schedule", lambda: _train(schedule=0.1), "'schedule'"),
    ("train schedule value", lambda: _train(schedule=lambda t: -1.0), r"'schedule\(0\)'"),
    ("train hparams", lambda: _train(hparams=[("lr", 0.1)]), "'hparams'"),
    ("train bad hparam", lambda: _train(hparams={"lr": -1.0}), "hparam 'lr'"),
    ("train validation", lambda: _train(validation=X), "'validation'"),
    ("train validation nan", lambda: _train(validation=(_nan(X), Y)), r"'validation\[0\]' contains NaN"),
    ("train empty", lambda: _train(X=X[:0], y=Y[:0]), "'X' is empty"),
    ("train X nan", lambda: _train(X=_nan(X)), "'X' contains NaN"),
    ("train X strings", lambda: _train(X=np.array([["a"] * 4] * 40)), "'X' must be an array of numbers"),
    ("train y length", lambda: _train(y=Y[:-1]), "rows"),
    ("train params nan", lambda: _train(params={**P0, "W1": _nan(P0["W1"])}), r"params\['W1'\] contains NaN"),
    ("train params list", lambda: _train(params=list(P0.values())), "'params' must be a dict"),
    ("train model", lambda: train(None, P0, X, Y), "'model' must have a loss_and_grads"),
    ("train state", lambda: _train(state={"optimizer": "sgd", "t": 0, "slots": {}}), "belongs to optimizer 'sgd'"),
    ("train newton", lambda: _train(optimizer="newton"), "hparam 'hessian' is required"),
    # the LR range test
    ("lr_range_test smoothing=0", lambda: _lrt(smoothing=0.0), "'smoothing'"),
    ("lr_range_test steps=0", lambda: _lrt(steps=0), "'steps'"),
    ("lr_range_test lr_min=0", lambda: _lrt(lr_min=0.0), "'lr_min'"),
    ("lr_range_test lr_max<lr_min", lambda: _lrt(lr_min=1.0, lr_max=0.1), "lr_min < lr_max"),
    ("lr_range_test diverge=1", lambda: _lrt(diverge=1.0), "'diverge'"),
    ("lr_range_test batch_size=0", lambda: _lrt(batch_size=0), "'batch_size'"),
    ("lr_range_test empty", lambda: _lrt(X=X[:0]), "'X' is empty"),
    # clipping
    ("clip inf", lambda: clip_by_global_norm({"w": np.array([np.inf, 1.0])}, 1.0), r"grads\['w'\] contains NaN or inf"),
    ("clip nan", lambda: clip_by_value(np.array([np.nan, 1.0]), 1.0), "grads contains NaN or inf"),
    ("clip ints", lambda: clip_by_global_norm({"w": np.array([30, 40])}, 1.0), r"grads\['w'\] must have a floating"),
    ("clip max_norm str", lambda: clip_by_global_norm(np.ones(2), "1"), "'max_norm'"),
    ("clip max_norm inf", lambda: clip_by_global_norm(np.ones(2), float("inf")), "'max_norm'"),
    ("clip clip_value<0", lambda: clip_by_value(np.ones(2), -1.0), "'clip_value'"),
    ("global_norm list", lambda: global_norm([1.0, 2.0]), "grads must be a numpy array or a mapping"),
    # schedules
    ("constant lr<0", lambda: S.constant(-0.1), "constant: argument 'lr'"),
    ("constant lr nan", lambda: S.constant(float("nan")), "'lr'"),
    ("step_decay gamma<0", lambda: S.step_decay(0.1, 10, -0.5), "'gamma'"),
    ("step_decay step_size=2.5", lambda: S.step_decay(0.1, 2.5), "'step_size'"),
    ("exponential gamma nan", lambda: S.exponential(0.1, float("nan")), "'gamma'"),
    ("inverse_time decay_steps=0", lambda: S.inverse_time(0.1, 0.5, decay_steps=0), "'decay_steps'"),
    ("cosine T_max=0", lambda: S.cosine(0.1, 0), "'T_max'"),
    ("cosine eta_min<0", lambda: S.cosine(0.1, 10, eta_min=-1.0), "'eta_min'"),
    ("polynomial power<0", lambda: S.polynomial(0.1, 10, power=-1.0), "'power'"),
    ("linear total_iters=0", lambda: S.linear(0.1, total_iters=0), "'total_iters'"),
    ("warmup schedule", lambda: S.warmup(0.1, 5), "'schedule'"),
    ("warmup start_factor", lambda: S.warmup(S.constant(0.1), 5, start_factor=2.0), "'start_factor'"),
    ("one_cycle pct_start=0", lambda: S.one_cycle(0.1, 100, pct_start=0.0), "'pct_start'"),
    ("one_cycle pct_start=1", lambda: S.one_cycle(0.1, 100, pct_start=1.0), "'pct_start'"),
    ("one_cycle div_factor=0", lambda: S.one_cycle(0.1, 100, div_factor=0.0), "'div_factor'"),
    ("one_cycle final_div_factor=0", lambda: S.one_cycle(0.1, 100, final_div_factor=0), "'final_div_factor'"),
    ("one_cycle anneal", lambda: S.one_cycle(0.1, 100, anneal="cosine"), "'anneal'.*Did you mean 'cos'"),
    ("one_cycle pct_final", lambda: S.one_cycle(0.1, 100, three_phase=True, boundaries="optax", pct_final=0.2),
     "'pct_final'"),
    ("cyclic step_size_down=0", lambda: S.cyclic(0.01, 0.1, 10, step_size_down=0), "'step_size_down'"),
    ("schedule fractional t", lambda: S.constant(0.1)(2.5), r"step must be an integer >= 0.*; got 2.5"),
    ("schedule overflow", lambda: S.exponential(0.1, 1e308)(5), r"exponential.*rate at step 5 is not a finite number"),
    ("schedule huge period", lambda: S.cosine(0.1, 10**30), "'T_max'"),
    ("schedule fractional t array", lambda: S.constant(0.1)(np.array([1, 1.5])), "got 1.5"),
    ("schedule negative t", lambda: S.constant(0.1)(-1), ">= 0"),
    ("schedule t str", lambda: S.constant(0.1)("3"), "step must be an integer"),
    ("plateau metric nan", lambda: S.reduce_on_plateau(float("nan"), 0.1), "'metric'"),
    ("plateau factor=1", lambda: S.reduce_on_plateau(1.0, 0.1, factor=1.0), "'factor'"),
    ("plateau patience<0", lambda: S.reduce_on_plateau(1.0, 0.1, patience=-1), "'patience'"),
    ("plateau state", lambda: S.reduce_on_plateau(1.0, 0.1, {"best": 1.0}), "'state'"),
    # minimize
    ("minimize c1<0", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], c1=-1.0), "'c1'"),
    ("minimize c2<c1", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], line_search="wolfe",
                                                  c1=0.5, c2=0.4), "c1 < c2"),
    ("minimize shrink=1", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], shrink=1.0), "'shrink'"),
    ("minimize max_backtracks=0", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0],
                                                            max_backtracks=0), "'max_backtracks'"),
    ("minimize steps<0", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], steps=-1), "'steps'"),
    ("minimize gtol nan", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], gtol=float("nan")),
     "'gtol'"),
    ("minimize x0 nan", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [np.nan, 0.0]), "'x0' contains NaN"),
    ("minimize fun", lambda: optimlab.minimize(3, [0.0, 0.0]), "'fun' must be a callable"),
    ("minimize fun returns", lambda: optimlab.minimize(lambda x: 1.0, [0.0, 0.0]), "must return \\(value, gradient\\)"),
    ("minimize fun gradient shape", lambda: optimlab.minimize(lambda x: (1.0, np.ones(3)), [0.0, 0.0]),
     "gradient of shape \\(3,\\)"),
    ("minimize NaN everywhere", lambda: optimlab.minimize(lambda x: (np.nan, np.zeros(2)), [0.0, 0.0]),
     "NaN or inf at x0"),
    ("minimize bad hparam", lambda: optimlab.minimize(landscapes.rosenbrock().fun, [0.0, 0.0], "adam", {"lr": -1}),
     "hparam 'lr'"),
    # the MLP
    ("MLP init dtype int", lambda: NET.init(dtype=int), "'dtype' must be a floating dtype"),
    ("MLP init dtype nonsense", lambda: NET.init(dtype="floaty"), "'dtype'"),
    ("MLP init std=0", lambda: NET.init(scheme="normal", std=0.0), "'std'"),
    ("MLP init seed<0", lambda: NET.init(seed=-1), "'seed'"),
    ("MLP sizes str", lambda: MLP("784-10"), "'sizes'"),
    ("MLP sizes bool", lambda: MLP([2, True]), "sizes"),
    ("MLP activation", lambda: MLP([2, 3], activation=3), "'activation'"),
    ("MLP loss l2<0", lambda: NET.loss(P0, X, Y, l2=-1.0), "'l2'"),
    ("MLP loss X nan", lambda: NET.loss(P0, _nan(X), Y), "'X' contains NaN"),
    ("MLP loss no rows", lambda: NET.loss(P0, X[:0], Y[:0]), "no rows"),
    ("MLP params list", lambda: NET.forward(list(P0.values()), X), "params must be a dict"),
    ("grad_check eps=0", lambda: grad_check(lambda p: NET.loss_and_grads(p, X, Y), P0, eps=0.0), "'eps'"),
    ("grad_check fun returns", lambda: grad_check(lambda p: 1.0, P0), r"must return \(loss, \{name: gradient\}\)"),
    ("grad_check max_entries=0", lambda: grad_check(lambda p: NET.loss_and_grads(p, X, Y), P0, max_entries=0),
     "'max_entries'"),
    # landscapes
    ("rosenbrock a nan", lambda: landscapes.rosenbrock(a=float("nan")), "'a'"),
    ("rosenbrock b<0", lambda: landscapes.rosenbrock(b=-1.0), "'b'"),
    ("ravine condition nan", lambda: landscapes.ravine(condition=float("nan")), "'condition'"),
    ("ravine angle inf", lambda: landscapes.ravine(angle=float("inf")), "'angle'"),
    ("double_well tilt nan", lambda: landscapes.double_well(float("nan")), "'tilt'"),
    ("double_well tilt str", lambda: landscapes.double_well("0.3"), "'tilt'"),
    ("Quadratic A nan", lambda: landscapes.Quadratic([[1.0, np.nan], [np.nan, 1.0]]), "'A' contains NaN"),
    ("Quadratic b shape", lambda: landscapes.Quadratic(np.eye(2), b=[1.0, 2.0, 3.0]), "'b' must have shape"),
    ("landscape name", lambda: landscapes.get(3), "landscape name must be a string"),
    ("landscape kwarg", lambda: landscapes.get("ravine", conditon=3.0), "Did you mean 'condition'"),
    ("landscape grid num", lambda: landscapes.rosenbrock().grid(1), "'num'"),
    ("landscape huge point", lambda: landscapes.rosenbrock().value([10**400, 0]), "points must be real numbers"),
    # formula helpers
    ("radam.rho t=0", lambda: radam.rho(0), "'t' must be a step number >= 1"),
    ("radam.rho t=1.5", lambda: radam.rho(1.5), "'t'"),
    ("radam.rho beta2=1", lambda: radam.rho(5, beta2=1.0), "'beta2'"),
    ("radam.rectification array", lambda: radam.rectification(np.arange(3)), "'t'"),
    ("radam.rho t huge", lambda: radam.rho(1e308), "'t'"),
    ("orthogonalize nan", lambda: muon.orthogonalize(_nan(np.eye(2))), "'G' contains NaN"),
    ("orthogonalize steps", lambda: muon.orthogonalize(np.eye(2), steps=-1), "'steps'"),
    ("orthogonalize eps", lambda: muon.orthogonalize(np.eye(2), eps=0.0), "'eps'"),
    ("ns_polynomial steps", lambda: muon.ns_polynomial(0.5, steps=1.5), "'steps'"),
    ("ns_polynomial sigma", lambda: muon.ns_polynomial("half"), "'sigma'"),
    ("ns_polynomial sigma inf", lambda: muon.ns_polynomial(np.inf), "'sigma' contains NaN or inf"),
    ("flat_params dtype", lambda: fused.flat_params({"w": np.ones(2)}, dtype=int), "'dtype'"),
    # optimlab.check and the benchmarks
    ("check seed", lambda: optimlab.check(lambda *a: a, "sgd", seed=-1), "'seed'"),
    ("check hparams", lambda: optimlab.check(lambda *a: a, "sgd", hparams=[("lr", 1.0)]), "'hparams'"),
    ("bench_fused size", lambda: bench.bench_fused(size=0), "'size'"),
    ("bench_fused dtype", lambda: bench.bench_fused(size=8, dtype="float16"), "'dtype'"),
    ("bench_fused threads", lambda: bench.bench_fused(size=8, threads=-2), "'threads'"),
    ("bench_mlp batch", lambda: bench.bench_mlp(batch=0), "'batch'"),
    ("parse_size", lambda: bench.parse_size(None), "size must be"),
    ("parse_size huge", lambda: bench.parse_size("1e400"), "size must look like"),
    ("median_time repeat", lambda: bench.median_time(lambda: None, repeat=0), "'repeat'"),
    ("list_table width", lambda: __import__("optimlab.cli").cli.list_table(width=0), "'width'"),
]


@pytest.mark.parametrize("label,call,match", BAD_CALLS, ids=[b[0] for b in BAD_CALLS])
def test_every_public_helper_names_the_bad_argument(label, call, match):
    before = copy.deepcopy(SHARED)
    with pytest.raises(ValueError, match=match) as info:  # InputTypeError and StepOverflowError are ValueErrors
        call()
    assert "check_finite" not in str(info.value) or label.startswith("clip")  # no flag the helper lacks
    assert deep_equal(before, SHARED)


def test_train_reports_divergence_without_blaming_a_gradient_key():
    for lr in (1e6, 1e200):  # the loss overflows first; the update overflows first
        with pytest.raises(ValueError, match=r"train: the run diverged at step \d+ .*lower the learning rate") as info:
            _train(optimizer="sgd", hparams={"lr": lr}, epochs=20)
        assert "check_finite" not in str(info.value)


def test_clipping_huge_finite_gradients_and_keeping_the_dtype():
    clipped, norm = clip_by_global_norm({"a": np.array([3e200]), "b": np.array([4e200])}, 1.0)
    assert norm == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose([clipped["a"][0], clipped["b"][0]], [0.6, 0.8], rtol=1e-15)
    small = np.array([0.3, -0.4], np.float16)
    out, _ = clip_by_global_norm(small, 0.25)
    assert out.dtype == np.float16 and np.allclose(out, [0.15, -0.2], atol=1e-3)
    np.testing.assert_array_equal(clip_by_value(np.array([-5.0, 0.5, 7.0]), 1.0), [-1.0, 0.5, 1.0])


def test_schedules_accept_integral_steps_of_any_type():
    s = S.exponential(1.0, 0.5)
    assert s(3) == s(3.0) == s(np.int64(3)) == s(np.array(3)) == 0.125
    np.testing.assert_array_equal(s(np.array([0.0, 2.0])), [1.0, 0.25])


def test_minimize_never_accepts_a_nan_trial_point():
    f = landscapes.rosenbrock()

    def fenced(x):  # NaN outside a disc around the start: long trial steps land there
        value, g = f.fun(x)
        return (value, g) if np.linalg.norm(x - f.start) < 0.3 else (np.nan, np.full(2, np.nan))

    for search in ("armijo", "wolfe"):
        r = optimlab.minimize(fenced, f.start, "bfgs", steps=50, line_search=search)
        assert np.isfinite(r.values).all() and np.all(np.diff(r.values) <= 0)
        assert np.all(np.linalg.norm(r.path - f.start, axis=1) < 0.3)
    r = optimlab.minimize(fenced, f.start, "sgd", {"lr": 0.01}, steps=50, line_search=None)
    assert not r.converged and "diverged" in r.message and np.isfinite(r.values).all()


# --- the command line -------------------------------------------------------------------------------------

from optimlab import cli  # noqa: E402

BAD_COMMANDS = [
    (["race", "--optimizers", "sgd,adma"], "argument --optimizers: unknown optimizer 'adma'.*Did you mean.*'adam'"),
    (["race", "--optimizers", ","], "argument --optimizers"),
    (["race", "--landscape", "rosenbrok"], "unknown landscape 'rosenbrok'.*Did you mean 'rosenbrock'"),
    (["race", "--steps", "-5"], "argument --steps: expected a positive integer; got '-5'"),
    (["race", "--steps", "ten"], "argument --steps"),
    (["race", "--out", "{tmp}/missing/race.png"], "argument --out: the folder .*missing.* does not exist"),
    (["race", "--out", "{tmp}"], "argument --out: .* is a folder"),
    (["race", "--gif", "{tmp}/missing/race.gif"], "argument --gif"),
    (["train", "--epochs", "0"], "argument --epochs: expected a positive integer"),
    (["train", "--batch-size", "-3"], "argument --batch-size"),
    (["train", "--seed", "-1"], "argument --seed"),
    (["train", "--optimizers", "lasr"], "Did you mean 'lars'"),
    (["train", "--optimizers", "sgd,bfgs"], "bfgs is a full-batch second-order method.*--allow-second-order"),
    (["train", "--optimizers", "newton", "--allow-second-order"], "newton needs the Hessian"),
    (["train", "--out", "{tmp}/missing/curves.png"], "argument --out"),
    (["bench", "fused", "--size", "16Q"], "argument --size: size must look like 16M"),
    (["bench", "fused", "--size", "0"], "argument --size: size must be positive"),
    (["bench", "fused", "--repeat", "0"], "argument --repeat"),
    (["bench", "fused", "--threads", "0"], "argument --threads"),
    (["bench", "fused", "--optimizer", "adma"], "Did you mean 'adam'"),
    (["bench", "mlp", "--batch", "-3"], "argument --batch"),
    (["bench", "fsed"], "argument what: invalid choice"),
    (["tour", "--out", "{file}"], "argument --out: .* is not a folder"),
    (["check", "{tmp}/student.py:step", "adma"], "argument OPTIMIZER: unknown optimizer 'adma'"),
    (["check", "{tmp}/student.py:step", "sgd", "--hparams", "{{lr: 1}}"], "argument --hparams: not valid JSON"),
    (["check", "{tmp}/student.py:step", "sgd", "--hparams", "[1]"], "argument --hparams: expected a JSON object"),
    (["check", "{tmp}/student.py:step", "sgd", "--hparams", '{{"lr": -1}}'], "hparam 'lr'"),
    (["check", "{tmp}/student.py:step", "sgd", "--steps", "0"], "argument --steps"),
    (["check", "{tmp}/nofile.py:step", "sgd"], "no such file"),
    (["check", "{tmp}/student.py:nope", "sgd"], "has no function 'nope'"),
    (["lsit"], "invalid choice: 'lsit'"),
]


@pytest.mark.parametrize("argv,match", BAD_COMMANDS, ids=[" ".join(a) for a, _ in BAD_COMMANDS])
def test_every_bad_command_line_gets_one_error_line_and_status_2(argv, match, tmp_path, capsys):
    import re

    (tmp_path / "student.py").write_text("def step(w, dw, config=None):\n    return w - 0.01 * dw, config\n")
    (tmp_path / "afile").write_text("")
    argv = [a.format(tmp=tmp_path, file=tmp_path / "afile") for a in argv]
    try:
        status = cli.main(argv)
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    assert status == 2
    assert err.startswith("optimlab: error: ") and err.count("\n") == 1, err  # one line, no traceback
    assert re.search(match, err), err
    assert {p.name for p in tmp_path.iterdir()} == {"student.py", "afile"}  # nothing written


def test_help_shows_every_default():
    import argparse

    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        text = " ".join(sub.format_help().split())  # argparse wraps the help text: compare with single spaces
        for action in sub._actions:
            if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings and action.help:
                assert f"default: {action.default}" in text, (name, action.dest)


def test_race_and_train_say_when_an_optimizer_runs_untuned():
    assert cli.untuned_race("rosenbrock", ("adam", "lars", "newton")) == ["newton"]
    assert cli.untuned_race("saddle", ("adam", "lamb")) == ["lamb"]
    assert "lars" in cli.untuned_train(("sgd", "lars", "adam")) and "sgd" not in cli.untuned_train(("sgd",))


def test_race_prints_the_untuned_note(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert cli.main(["race", "--landscape", "saddle", "--optimizers", "adam,lamb", "--steps", "3",
                     "--out", str(tmp_path / "r.png")]) == 0
    err = capsys.readouterr().err
    assert "optimlab: note: lamb has no hparams tuned for saddle: it runs with its defaults (lr=0.001" in err
    assert "note: adam" not in err


def test_hparams_beyond_float_and_initial_values_beyond_the_dtype_are_refused():
    raises_untouched(ValueError, "hparam 'lr' must be .* got an integer too large for a float", get("adam").step,
                     np.ones(2), np.ones(2), None, {"lr": 10**400})
    # In float64 the step goes through.  By hand, with g = 1: Adagrad's h = 1e300 + 1 = 1e300; RMSprop's
    # v = 0.9 * 1e300 + 0.1 = 9e299 (default rho 0.9); either step is lr / sqrt(slot) ~ 1e-152, far below half
    # an ulp of 1, so the params stay exactly 1.
    for name, hp, slot, after in (("adagrad", {"initial_accumulator_value": 1e300}, "h", 1e300),
                                  ("rmsprop", {"initial_mean_square": 1e300}, "v", 9e299)):
        raises_untouched(StepOverflowError, rf"^{name}: the initial state slot '{slot}' of param 'param' is not finite "
                         "in float32", get(name).step, np.ones(2, np.float32), np.ones(2, np.float32), None, hp)
        with pytest.raises(StepOverflowError, match=f"initial state slot '{slot}'"):
            get(name).init(np.ones(2, np.float16), hp)
        out, state = get(name).step(np.ones(2), np.ones(2), None, hp)  # float64 holds it
        np.testing.assert_array_equal(out, np.ones(2))
        np.testing.assert_allclose(state["slots"]["param"][slot], np.full(2, after), rtol=1e-15)
