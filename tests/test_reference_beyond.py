"""Layer 2 for the optimizers beyond Adam: agreement with the reference the README's table names.

float64, 60 steps, several tensors of different shapes, the defaults and a
non-default setting (from ``registry.py``), 1e-6 relative; see
``reference_harness.compare``.  Each reference library is a test-only extra.
"""

import numpy as np
import pytest

from optimlab.optimizers import get

from conftest import reference
from reference_harness import compare, optax_side, torch_side
from registry import BY_NAME

torch = reference("torch")

SHAPES = [(7,), (4, 5), (2, 3, 4), (6, 3)]
MATRICES = [(4, 5), (6, 3), (5, 5), (1, 4)]  # torch's Muon takes 2-D arrays only


pytestmark = [pytest.mark.reference, pytest.mark.usefixtures("torch_float64")]


def settings(name):
    return [{}, BY_NAME[name].hparams]


def full(name, hparams):
    return get(name).HPARAMS.resolve(hparams)


@pytest.mark.parametrize("hparams", settings("lars"), ids=["defaults", "custom"])
def test_lars_matches_pytorch_optimizer(hparams):
    po = reference("pytorch_optimizer")
    h = full("lars", hparams)
    make = lambda ts: po.LARS(ts, lr=h["lr"], weight_decay=h["weight_decay"], momentum=h["momentum"],  # noqa: E731
                              dampening=h["dampening"], trust_coefficient=h["trust_coefficient"],
                              nesterov=h["nesterov"], foreach=False)
    compare(get("lars"), hparams, SHAPES, *torch_side(torch, make))


@pytest.mark.parametrize("hparams", settings("stable_adamw"), ids=["defaults", "custom"])
def test_stable_adamw_matches_optimi(hparams):
    optimi = reference("optimi")
    h = full("stable_adamw", hparams)
    make = lambda ts: optimi.StableAdamW(ts, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],  # noqa: E731
                                         weight_decay=h["weight_decay"], foreach=False, kahan_sum=False)
    compare(get("stable_adamw"), hparams, SHAPES, *torch_side(torch, make))


@pytest.mark.parametrize("hparams", settings("lion"), ids=["defaults", "custom"])
def test_lion_matches_lion_pytorch(hparams):
    lion_pytorch = reference("lion_pytorch")
    h = full("lion", hparams)
    make = lambda ts: lion_pytorch.Lion(ts, lr=h["lr"], betas=(h["beta1"], h["beta2"]),  # noqa: E731
                                        weight_decay=h["weight_decay"])
    compare(get("lion"), hparams, SHAPES, *torch_side(torch, make))


def _newton_schulz_float64(grad, ns_coefficients, ns_steps, eps):
    """torch.optim._muon._zeropower_via_newtonschulz with bfloat16 replaced by float64 (and nothing else)."""
    a, b, c = ns_coefficients
    ortho_grad = grad.to(torch.float64)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad = ortho_grad / ortho_grad.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


@pytest.mark.parametrize("hparams", settings("muon"), ids=["defaults", "custom"])
def test_muon_matches_torch_with_float64_newton_schulz(hparams, monkeypatch):
    """The patch changes only the precision of torch's Newton-Schulz (bfloat16 -> float64)."""
    import torch.optim._muon as torch_muon

    monkeypatch.setattr(torch_muon, "_zeropower_via_newtonschulz", _newton_schulz_float64)
    h = full("muon", hparams)
    make = lambda ts: torch.optim.Muon(ts, lr=h["lr"], weight_decay=h["weight_decay"],  # noqa: E731
                                       momentum=h["momentum"], nesterov=h["nesterov"], ns_steps=h["ns_steps"],
                                       eps=h["eps"])
    compare(get("muon"), hparams, MATRICES, *torch_side(torch, make))


def test_muon_in_out_layout_is_torchs_rule_on_the_transposed_weights(monkeypatch):
    """optimlab's MLP stores W as (fan_in, fan_out); with layout="in_out" Muon on W^T equals torch's Muon on W."""
    import torch.optim._muon as torch_muon

    monkeypatch.setattr(torch_muon, "_zeropower_via_newtonschulz", _newton_schulz_float64)
    rng = np.random.default_rng(3)
    W = {f"W{i}": rng.standard_normal(shape) for i, shape in enumerate([(6, 3), (3, 7), (5, 5)])}  # (out, in)
    tensors = [torch.tensor(w.copy()) for w in W.values()]
    opt = torch.optim.Muon(tensors, lr=0.05, weight_decay=0.0)
    ours, state = {k: w.T.copy() for k, w in W.items()}, None  # (in, out)
    for _ in range(20):
        G = {k: rng.standard_normal(w.shape) for k, w in W.items()}
        for tensor, g in zip(tensors, G.values()):
            tensor.grad = torch.tensor(g)
        opt.step()
        ours, state = get("muon").step(ours, {k: g.T.copy() for k, g in G.items()}, state,
                                       {"lr": 0.05, "layout": "in_out"})
    for (k, w), tensor in zip(ours.items(), tensors):
        np.testing.assert_allclose(w.T, tensor.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


def test_muon_non_matrix_arrays_follow_adamw():
    from optimlab.optimizers import adamw, muon

    h = BY_NAME["muon"].hparams
    inner = {"lr": h["adamw_lr"], "weight_decay": h["adamw_weight_decay"], "beta1": 0.9, "beta2": 0.95, "eps": 1e-10}
    rng = np.random.default_rng(0)
    p = {"bias": rng.standard_normal(5), "gain": rng.standard_normal(()), "kernel": rng.standard_normal((2, 2, 3))}
    s_m = s_a = None
    q = p
    for _ in range(20):
        g = {k: rng.standard_normal(v.shape) for k, v in p.items()}
        p, s_m = muon.step(p, g, s_m, h)
        q, s_a = adamw.step(q, g, s_a, inner)
        for k in p:
            np.testing.assert_array_equal(p[k], q[k])


@pytest.mark.parametrize("hparams", settings("lamb"), ids=["defaults", "custom"])
def test_lamb_matches_optax(hparams):
    h, optax = full("lamb", hparams), reference("optax")
    tx = optax.lamb(learning_rate=h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"], weight_decay=h["weight_decay"])
    compare(get("lamb"), hparams, SHAPES, *optax_side(reference("jax"), optax, tx))


#: Other optimizers in optax's conventions: (optimlab name, hparams, optax transformation from the full hparams)
OPTAX_FORMS = [
    ("nadam", {"lr": 0.01, "beta1": 0.8, "momentum_schedule": False},
     lambda o, h: o.nadam(h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"])),
    ("radam", {"lr": 0.01, "beta2": 0.95, "eps": 1e-3, "eps_hat": False},
     lambda o, h: o.radam(h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"])),
    ("amsgrad", {"lr": 0.01, "beta2": 0.95, "eps": 1e-3, "max_bias_corrected": True},
     lambda o, h: o.amsgrad(h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"])),
    ("adamax", {"lr": 0.01, "beta1": 0.8, "eps": 1e-3},
     lambda o, h: o.adamax(h["lr"], b1=h["beta1"], b2=h["beta2"], eps=h["eps"])),
    ("lars", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.1, "trust_coefficient": 0.01,
              "trust_denominator": "update", "exclude_vectors": False},
     lambda o, h: o.lars(h["lr"], weight_decay=h["weight_decay"], trust_coefficient=h["trust_coefficient"],
                         momentum=h["momentum"])),
    ("lars", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "trust_denominator": "update", "exclude_vectors": False},
     lambda o, h: o.lars(h["lr"], trust_coefficient=h["trust_coefficient"], momentum=h["momentum"], nesterov=True)),
]


@pytest.mark.parametrize("name,hparams,make", OPTAX_FORMS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(OPTAX_FORMS)])
def test_optax_conventions_match_optax(name, hparams, make):
    optax = reference("optax")
    tx = make(optax, full(name, hparams))
    compare(get(name), hparams, SHAPES, *optax_side(reference("jax"), optax, tx))


LOOKAHEAD_SETTINGS = [
    ({}, lambda ts: torch.optim.Adam(ts, lr=1e-3)),
    (BY_NAME["lookahead"].hparams, lambda ts: torch.optim.SGD(ts, lr=0.02, momentum=0.9, weight_decay=0.05)),
    ({"inner": "radam", "inner_hparams": {"lr": 0.01}, "k": 6, "alpha": 0.3}, lambda ts: torch.optim.RAdam(ts, lr=0.01)),
]


@pytest.mark.parametrize("hparams,inner", LOOKAHEAD_SETTINGS, ids=["adam", "momentum", "radam"])
def test_lookahead_matches_pytorch_optimizer(hparams, inner):
    po = reference("pytorch_optimizer")
    h = full("lookahead", hparams)
    make = lambda ts: po.Lookahead(inner(ts), k=h["k"], alpha=h["alpha"], pullback_momentum="none")  # noqa: E731
    compare(get("lookahead"), hparams, SHAPES, *torch_side(torch, make))


def test_every_beyond_adam_first_order_optimizer_has_a_reference_test():
    tests = [n for n in globals() if n.startswith("test_") and "_matches_" in n]
    for name in ("lars", "lamb", "stable_adamw", "lion", "muon", "lookahead"):
        assert any(t.startswith(f"test_{name}_matches_") for t in tests), name
        assert BY_NAME[name].hparams, f"{name}: no non-default setting"
