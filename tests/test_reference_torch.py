"""Layer 2: agreement with torch.optim, float64, 60 steps, tensors of three shapes, to 1e-6 relative.

See ``reference_harness.compare``.  Skipped when torch is not installed (CI
installs it, ``pip install .[reference]``, and refuses to skip).
"""

import pytest

from optimlab.optimizers import get

from reference_harness import compare, torch_side
from registry import SETTINGS

from conftest import reference

torch = reference("torch")

SHAPES = [(7,), (4, 5), (2, 3, 4), ()]


pytestmark = [pytest.mark.reference, pytest.mark.usefixtures("torch_float64")]


def _torch_opt(name, params, h):
    O = torch.optim
    betas = (h.get("beta1"), h.get("beta2"))
    return {
        "sgd": lambda: O.SGD(params, lr=h["lr"], weight_decay=h["weight_decay"]),
        "momentum": lambda: O.SGD(params, lr=h["lr"], momentum=h["momentum"], dampening=h["dampening"],
                                  weight_decay=h["weight_decay"]),
        "nesterov": lambda: O.SGD(params, lr=h["lr"], momentum=h["momentum"], nesterov=True,
                                  weight_decay=h["weight_decay"]),
        "adagrad": lambda: O.Adagrad(params, lr=h["lr"], lr_decay=h["lr_decay"], weight_decay=h["weight_decay"],
                                     initial_accumulator_value=h["initial_accumulator_value"], eps=h["eps"]),
        "rmsprop": lambda: O.RMSprop(params, lr=h["lr"], alpha=h["rho"], eps=h["eps"], weight_decay=h["weight_decay"],
                                     momentum=h["momentum"], centered=h["centered"]),
        "adadelta": lambda: O.Adadelta(params, lr=h["lr"], rho=h["rho"], eps=h["eps"], weight_decay=h["weight_decay"]),
        "adam": lambda: O.Adam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                               decoupled_weight_decay=h["decoupled_weight_decay"]),
        "adamw": lambda: O.AdamW(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
        "amsgrad": lambda: O.Adam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                                  amsgrad=True, decoupled_weight_decay=h["decoupled_weight_decay"]),
        "adamax": lambda: O.Adamax(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
        "nadam": lambda: O.NAdam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                                 momentum_decay=h["momentum_decay"], decoupled_weight_decay=h["decoupled_weight_decay"]),
        "radam": lambda: O.RAdam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                                 decoupled_weight_decay=h["decoupled_weight_decay"]),
        "adafactor": lambda: O.Adafactor(params, lr=h["lr"], beta2_decay=h["beta2_decay"], eps=(h["eps1"], h["eps2"]),
                                         d=h["d"], weight_decay=h["weight_decay"], foreach=False),
    }[name]()


TORCH_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad", "adamax",
               "nadam", "radam", "adafactor")
#: Switches PyTorch has a counterpart for, by optimizer (the others are other libraries' conventions, pinned by
#: their published values in test_published_*.py; RAdam's threshold is fixed at 5 in PyTorch).
TORCH_SWITCHES = {name: {"decoupled_weight_decay"} for name in ("adam", "amsgrad", "nadam", "radam")}
SWITCHES = {"decoupled_weight_decay", "eps_inside_sqrt", "initial_mean_square", "eps_hat", "eps_outside_max",
            "momentum_schedule", "unrectified", "rho_threshold", "relative_step", "scale_parameter",
            "max_bias_corrected"}


def _torch_has(name, hp):
    return not (set(hp) & SWITCHES) - TORCH_SWITCHES.get(name, set())


TORCH_SETTINGS = [(name, hp) for name, hp in SETTINGS if name in TORCH_NAMES and _torch_has(name, hp)]


@pytest.mark.parametrize("name,hparams", TORCH_SETTINGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_SETTINGS)])
def test_trajectory_matches_torch(name, hparams):
    module = get(name)
    full = module.HPARAMS.resolve(hparams)
    compare(module, hparams, SHAPES, *torch_side(torch, lambda ts: _torch_opt(name, ts, full)))


def test_every_torch_counterpart_is_checked_with_and_without_weight_decay():
    names = {n for n, _ in TORCH_SETTINGS}
    assert names == set(TORCH_NAMES)
    for name, switches in TORCH_SWITCHES.items():
        for switch in switches:
            assert any(n == name and h.get(switch) for n, h in TORCH_SETTINGS), f"{name}: {switch} not checked"
    for name in names:
        assert (name, {}) in TORCH_SETTINGS, f"{name}: defaults not checked"
        assert any(n == name and h.get("weight_decay") for n, h in TORCH_SETTINGS), f"{name}: no weight-decay setting"
