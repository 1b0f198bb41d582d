"""The one table that drives the generic tests: (optimizer, test hparams, budgets).

Every registered optimizer has exactly one row (a test checks that), so a new
optimizer is covered by every generic test (purity, dtype, zero gradient,
init, bad input, state, convergence) as soon as it is added here.

* ``hparams``: a non-default setting used by the generic tests;
* ``rosenbrock``: hparams and step budget to get within ``ROSENBROCK_TOL`` of
  Rosenbrock's minimum from its classic start (-1.2, 1);
* ``ravine``: hparams with which ``RAVINE_STEPS`` steps cut the loss on
  ``ravine(condition=25, angle=0.5)`` below ``RAVINE_FRACTION`` of its start.
"""

from dataclasses import dataclass, field

import numpy as np

from optimlab import landscapes


@dataclass(frozen=True)
class Case:
    name: str
    hparams: dict
    rosenbrock: dict
    rosenbrock_budget: int
    ravine: dict = field(default_factory=dict)


ROSENBROCK_TOL = 1e-2
RAVINE_STEPS = 500
RAVINE_FRACTION = 1e-3

CASES = [
    Case("sgd", {"lr": 0.05, "weight_decay": 0.1}, {"lr": 2e-3}, 6000, {"lr": 1.0}),
    Case("momentum", {"lr": 0.02, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05},
         {"lr": 1e-3, "momentum": 0.9}, 1200, {"lr": 0.5, "momentum": 0.5}),
    Case("nesterov", {"lr": 0.03, "momentum": 0.7, "weight_decay": 0.05},
         {"lr": 1e-3, "momentum": 0.9}, 1200, {"lr": 0.5, "momentum": 0.5}),
    Case("adagrad", {"lr": 0.1, "eps": 1e-6, "initial_accumulator_value": 0.1, "lr_decay": 0.05, "weight_decay": 0.05},
         {"lr": 0.5}, 6500, {"lr": 1.0}),
    Case("rmsprop", {"lr": 0.005, "rho": 0.95, "momentum": 0.5, "centered": True, "weight_decay": 0.05},
         {"lr": 3e-4, "momentum": 0.9}, 1200, {"lr": 0.05}),
    # Adadelta's step does not shrink by itself (its units come from past steps):
    # with lr=1 it wanders on Rosenbrock; lr < 1 lets it settle.
    Case("adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.05}, {"lr": 0.03}, 11000,
         {"lr": 1.0, "eps": 1e-3}),
    Case("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05}, {"lr": 0.05}, 1600,
         {"lr": 0.1}),
    Case("adamw", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.3}, {"lr": 0.05, "weight_decay": 0.0},
         1600, {"lr": 0.1}),
    Case("amsgrad", {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.05}, {"lr": 0.05}, 2300, {"lr": 0.1}),
    Case("adamax", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4, "weight_decay": 0.05}, {"lr": 0.05}, 3600,
         {"lr": 0.2}),
    Case("nadam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.05, "momentum_decay": 0.1},
         {"lr": 0.02}, 4000, {"lr": 0.1}),
    # RAdam's first steps are un-normalised momentum steps: on Rosenbrock's
    # steep start (|g| ~ 230) lr >= 0.01 throws it far away.
    Case("radam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.05}, {"lr": 5e-3}, 9000, {"lr": 0.2}),
    Case("lookahead", {"inner": "momentum", "inner_hparams": {"lr": 0.02, "weight_decay": 0.05}, "k": 3, "alpha": 0.8},
         {"inner": "adam", "inner_hparams": {"lr": 0.1}}, 1500,
         {"inner": "momentum", "inner_hparams": {"lr": 0.5, "momentum": 0.5}}),
    Case("ranger", {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.05, "k": 4, "alpha": 0.6},
         {"lr": 5e-3}, 9000, {"lr": 0.3}),
    Case("lars", {"lr": 0.05, "momentum": 0.8, "dampening": 0.2, "nesterov": True, "weight_decay": 0.05,
                  "trust_coefficient": 0.01}, {"lr": 2e-3}, 700, {"lr": 0.5, "momentum": 0.5}),
    Case("lamb", {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-4, "weight_decay": 0.05}, {"lr": 0.01}, 2600,
         {"lr": 0.03}),
    Case("stable_adamw", {"lr": 0.02, "beta1": 0.8, "beta2": 0.9, "eps": 1e-4, "weight_decay": 0.1},
         {"lr": 0.05, "weight_decay": 0.0}, 800, {"lr": 0.05, "weight_decay": 0.0}),
    Case("lion", {"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "weight_decay": 0.1}, {"lr": 3e-3}, 1100, {"lr": 0.03}),
    # Muon sends these 1-D landscapes' params to its AdamW part: adamw_lr is what matters there.
    Case("muon", {"lr": 0.05, "momentum": 0.9, "nesterov": False, "ns_steps": 3, "weight_decay": 0.05,
                  "adamw_lr": 0.01, "adamw_weight_decay": 0.05}, {"adamw_lr": 0.05}, 400, {"adamw_lr": 0.1}),
    # Adafactor's step is relative (about lr * RMS(theta) per step): it needs a small lr to settle.
    Case("adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps1": 1e-20, "eps2": 1e-2, "d": 2.0, "weight_decay": 0.05},
         {"lr": 0.003}, 12500, {"lr": 0.05}),
    # Second-order steps here take no line search (optimlab.minimize adds one); see test_second_order.py.
    Case("newton", {"lr": 0.5, "damping": 0.5, "saddle_free": True, "hessian": lambda p: _diag_hessian(p)},
         {"hessian": landscapes.rosenbrock().hessian}, 10, {"hessian": landscapes.ravine(25.0, 0.5).hessian}),
    Case("bfgs", {"lr": 0.3}, {"lr": 0.5}, 120, {"lr": 1.0}),
    Case("lbfgs", {"lr": 0.3, "history_size": 3}, {"lr": 0.5}, 120, {"lr": 1.0}),
]


def _diag_hessian(params):
    """A positive-definite Hessian for params of any structure (the generic tests' stand-in)."""
    arrays = params.values() if isinstance(params, dict) else [params]
    n = sum(np.size(a) for a in arrays)
    return np.diag(np.linspace(1.0, 3.0, n))

BY_NAME = {c.name: c for c in CASES}


#: Extra non-default settings for the formula checks (textbook and reference layers).
EXTRA_SETTINGS = [
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.9, "eps": 1e-4}),
    ("radam", {"rho_threshold": 4.0}),  # the paper's threshold (no PyTorch counterpart)
    # the convention switches (each library's form; see the README's "Reproducing another library")
    ("sgd", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("momentum", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("nesterov", {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adagrad", {"lr": 0.1, "eps": 1e-3, "lr_decay": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True,
                 "eps_inside_sqrt": True}),
    ("rmsprop", {"eps": 1e-3, "eps_inside_sqrt": True, "initial_mean_square": 1.0, "weight_decay": 0.1,
                 "decoupled_weight_decay": True}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "eps": 1e-3, "eps_inside_sqrt": True}),
    ("adadelta", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adam", {"lr": 0.05, "eps": 1e-3, "eps_hat": True}),
    ("adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adamw", {"lr": 0.05, "eps": 1e-3, "eps_hat": True, "weight_decay": 0.1}),
    ("amsgrad", {"lr": 0.05, "beta2": 0.9, "eps": 1e-3, "eps_hat": True, "weight_decay": 0.1,
                 "decoupled_weight_decay": True}),
    ("amsgrad", {"lr": 0.05, "beta2": 0.9, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("amsgrad", {"lr": 0.05, "beta2": 0.9, "eps": 1e-3, "max_bias_corrected": True}),
    ("lamb", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {"lr": 0.05, "beta2": 0.9, "eps": 1e-3, "eps_hat": False}),
    ("muon", {"adjust_lr": "match_rms_adamw", "weight_decay": 0.1}),
    ("adamax", {"lr": 0.05, "eps": 1e-2, "eps_outside_max": True, "weight_decay": 0.1,
                "decoupled_weight_decay": True}),
    ("nadam", {"lr": 0.05, "momentum_schedule": False}),
    ("nadam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {"lr": 0.05, "unrectified": "raw"}),
    ("radam", {"lr": 0.05, "unrectified": "none", "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("ranger", {"lr": 0.05, "unrectified": "none", "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("lars", {"lr": 0.05, "weight_decay": 0.1, "trust_denominator": "update", "exclude_vectors": False}),
    ("muon", {"layout": "in_out", "adamw_params": ["W"], "adamw_lr": 0.01}),
    ("muon", {"layout": "in_out", "lr": 0.05}),
    ("adafactor", {"lr": 0.05, "relative_step": False, "d": 0.5}),
    ("adafactor", {"lr": 0.05, "relative_step": False, "scale_parameter": False, "weight_decay": 0.1}),
]

#: (name, hparams) pairs: every optimizer's defaults, its non-default case, and the extras.
def defaults_of(case):
    """The default setting: no hparams, but for those without a default (Newton's Hessian)."""
    from optimlab.optimizers import get

    return {name: case.hparams[name] for name in get(case.name).HPARAMS.required}


SETTINGS = [s for c in CASES for s in ((c.name, defaults_of(c)), (c.name, c.hparams))] + EXTRA_SETTINGS
SETTING_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SETTINGS)]
