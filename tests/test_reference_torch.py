"""Layer 2: agreement with torch.optim, float64, >= 50 steps, tensors of several shapes.

Both implementations start from the same parameters; at every step each
computes the gradient of the same function at *its own* current parameters
(plus the same noise), and the trajectories must agree to 1e-6 relative.
Skipped when torch is not installed (CI installs it: ``pip install .[reference]``).
"""

import numpy as np
import pytest

from optimlab.optimizers import get

from registry import SETTINGS

from conftest import reference

torch = reference("torch")
pytestmark = pytest.mark.reference

STEPS = 60
SHAPES = [(7,), (4, 5), (2, 3, 4)]
SCALES = [1.0, 0.01, 20.0]  # different gradient magnitudes per tensor


@pytest.fixture(autouse=True)
def _float64_default():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps some scalar state in the default dtype
    yield
    torch.set_default_dtype(old)


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
        "adam": lambda: O.Adam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
        "adamw": lambda: O.AdamW(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
        "amsgrad": lambda: O.Adam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                                  amsgrad=True),
        "adamax": lambda: O.Adamax(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
        "nadam": lambda: O.NAdam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"],
                                 momentum_decay=h["momentum_decay"]),
        "radam": lambda: O.RAdam(params, lr=h["lr"], betas=betas, eps=h["eps"], weight_decay=h["weight_decay"]),
    }[name]()


# PyTorch's RAdam has its threshold fixed at 5: the rho_threshold=4 setting has no counterpart.
TORCH_SETTINGS = [(name, hp) for name, hp in SETTINGS if "rho_threshold" not in hp]


def _grad(p, scale, noise):
    """Gradient of scale * sum(0.5 (p - 0.3)^2 - cos(2p)/2) plus noise, computed in NumPy for both sides."""
    return scale * ((p - 0.3) + np.sin(2 * p)) + noise


@pytest.mark.parametrize("name,hparams", TORCH_SETTINGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_SETTINGS)])
def test_trajectory_matches_torch(name, hparams):
    module = get(name)
    full = module.HPARAMS.resolve(hparams)
    rng = np.random.default_rng(0)
    ours = {f"p{i}": rng.standard_normal(shape) for i, shape in enumerate(SHAPES)}
    theirs = [torch.tensor(p.copy()) for p in ours.values()]
    opt = _torch_opt(name, theirs, full)
    state = None
    for t in range(STEPS):
        noise = [0.1 * s * rng.standard_normal(p.shape) for s, p in zip(SCALES, ours.values())]
        grads = {k: _grad(p, s, n) for (k, p), s, n in zip(ours.items(), SCALES, noise)}
        for tp, s, n in zip(theirs, SCALES, noise):
            tp.grad = torch.from_numpy(_grad(tp.detach().numpy(), s, n))
        ours, state = module.step(ours, grads, state, hparams)
        opt.step()
        for (k, p), tp in zip(ours.items(), theirs):
            assert p.dtype == np.float64
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-6, atol=1e-10,
                                       err_msg=f"{name} {k} step {t + 1}")
    assert state["t"] == STEPS


def test_every_core_optimizer_is_checked_against_torch_with_and_without_weight_decay():
    names = {n for n, _ in TORCH_SETTINGS}
    assert names == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "amsgrad",
                     "adamax", "nadam", "radam"}
    for name in names:
        assert (name, {}) in TORCH_SETTINGS, f"{name}: defaults not checked"
        assert any(n == name and h.get("weight_decay") for n, h in TORCH_SETTINGS), f"{name}: no weight-decay setting"
