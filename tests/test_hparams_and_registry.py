"""Hyperparameter checking and the registry (the shared mechanics, tested once)."""

import numpy as np
import pytest

import optimlab
from optimlab.optimizers import REGISTRY, adam, get, rmsprop, sgd
from optimlab.optimizers._hparams import Bool, Choice, Hparams, Int, Real

SPEC = Hparams(
    lr=Real(0.1, low=0.0),
    beta=Real(0.9, low=0.0, high=1.0, high_open=True),
    eps=Real(1e-8, low=0.0, low_open=True),
    k=Int(5, low=1),
    flag=Bool(False),
    kind=Choice("adam", ("adam", "sgd")),
)


def test_defaults_fill_in_and_values_come_back_as_python_types():
    out = SPEC.resolve({"lr": np.float32(0.5), "k": np.int64(3), "flag": np.bool_(True), "beta": 0})
    assert out == {"lr": 0.5, "beta": 0.0, "eps": 1e-8, "k": 3, "flag": True, "kind": "adam"}
    assert type(out["lr"]) is float and type(out["k"]) is int and type(out["flag"]) is bool
    assert SPEC.resolve(None) == SPEC.defaults


@pytest.mark.parametrize("name,value,message", [
    ("beta", 1.0, r"hparam 'beta' must be a real number in \[0, 1\); got 1.0"),
    ("beta", -0.1, r"\[0, 1\)"),
    ("eps", 0.0, r"hparam 'eps' must be a real number in \(0, inf\); got 0.0"),
    ("lr", float("inf"), "hparam 'lr'"),
    ("k", 0, r"hparam 'k' must be an integer in \[1, inf\]; got 0"),
    ("kind", "adma", "Did you mean 'adam'"),
])
def test_out_of_range_values_name_the_hparam_and_range(name, value, message):
    with pytest.raises(ValueError, match=message):
        SPEC.resolve({name: value})


@pytest.mark.parametrize("name,value", [("lr", "0.1"), ("lr", True), ("k", 2.0), ("flag", 1), ("kind", 3)])
def test_wrong_types_are_type_errors_and_value_errors(name, value):
    with pytest.raises(TypeError, match=f"hparam '{name}'"):
        SPEC.resolve({name: value})
    with pytest.raises(ValueError, match=f"hparam '{name}'"):
        SPEC.resolve({name: value})


def test_unknown_hparam_suggests_the_closest_name():
    with pytest.raises(ValueError, match=r"unknown hparam 'betas1'.*Did you mean 'beta1'"):
        adam.step(np.ones(2), np.ones(2), None, {"betas1": 0.9})
    with pytest.raises(ValueError, match=r"unknown hparam 'alpha' for rmsprop"):
        rmsprop.step(np.ones(2), np.ones(2), None, {"alpha": 0.9})  # PyTorch's name is rho here


def test_hparams_are_not_mutated():
    hp = {"lr": 0.1}
    adam.step(np.ones(2), np.ones(2), None, hp)
    assert hp == {"lr": 0.1}


def test_registry_and_get():
    assert list(REGISTRY)[:3] == ["sgd", "momentum", "nesterov"]
    assert get("adam") is adam and optimlab.get("adam") is adam
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        get("Adam ")
    with pytest.raises(TypeError):
        get(3)


def test_state_step_counter_is_checked():
    x, g = np.ones(2), np.ones(2)
    _, s = adam.step(x, g)
    for bad in (-1, 1.5, True, None):
        with pytest.raises(ValueError, match=r"state\['t'\]"):
            adam.step(x, g, {**s, "t": bad})


def test_state_from_other_hparams_is_named():
    x, g = np.ones(2), np.ones(2)
    _, s = rmsprop.step(x, g, None, {"centered": False})
    with pytest.raises(ValueError, match=r"these hparams need \['g_bar', 'v'\]"):
        rmsprop.step(x, g, s, {"centered": True})


def test_empty_params_and_wrong_structures():
    with pytest.raises(ValueError, match="empty"):
        adam.step({}, {})
    with pytest.raises(TypeError, match="params must be"):
        adam.step([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="grads must be one too"):
        adam.step(np.ones(2), {"param": np.ones(2)})
    with pytest.raises(TypeError, match="grads must be a mapping"):
        adam.step({"w": np.ones(2)}, np.ones(2))
    with pytest.raises(TypeError, match=r"grads\['w'\] must have a floating dtype"):
        adam.step({"w": np.ones(2)}, {"w": np.ones(2, int)})


def test_check_finite_can_be_turned_off_to_show_divergence():
    g = np.array([np.inf, 1.0])
    out, _ = sgd.step(np.ones(2), g, None, {"lr": 0.1}, check_finite=False)
    assert np.isneginf(out[0]) and out[1] == pytest.approx(0.9)
