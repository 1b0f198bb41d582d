"""Layer 3 for the optimizers beyond Adam: reductions and the behaviour their papers promise."""

import math

import numpy as np
import pytest

from optimlab import landscapes
from optimlab.optimizers import adafactor, adam, adamw, lamb, lion, lookahead, muon, radam, ranger, stable_adamw


def run(module, hparams, steps, f=None, seed=0, noise=0.5):
    """Params after *steps* steps on a noisy Rosenbrock, and the state."""
    f = f or landscapes.rosenbrock()
    rng = np.random.default_rng(seed)
    x, state = f.start.copy(), None
    xs = []
    for _ in range(steps):
        x, state = module.step(x, f.grad(x) + noise * rng.standard_normal(2), state, hparams)
        xs.append(x)
    return np.array(xs), state


# --- Lookahead and Ranger --------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 5])
def test_lookahead_with_alpha_one_is_its_inner_optimizer(k):
    inner = {"lr": 0.01, "beta1": 0.8}
    a, _ = run(lookahead, {"inner": "adam", "inner_hparams": inner, "k": k, "alpha": 1.0}, 40)
    b, _ = run(adam, inner, 40)
    np.testing.assert_array_equal(a, b)


def test_lookahead_with_alpha_zero_returns_to_the_start_every_k_steps():
    xs, _ = run(lookahead, {"inner": "sgd", "inner_hparams": {"lr": 1e-3}, "k": 4, "alpha": 0.0}, 12)
    f = landscapes.rosenbrock()
    for t in (4, 8, 12):
        np.testing.assert_array_equal(xs[t - 1], f.start)
    assert not np.allclose(xs[2], f.start)


def test_lookahead_follows_algorithm_1():
    """Hand transcription of Zhang et al. (2019), Algorithm 1, around plain SGD."""
    f = landscapes.rosenbrock()
    lr, k, alpha = 1e-3, 3, 0.5
    slow = f.start.copy()
    ours, state = f.start.copy(), None
    for outer in range(4):
        fast = slow.copy()
        for i in range(k):
            g = f.grad(fast)
            fast = fast - lr * g
            ours, state = lookahead.step(ours, f.grad(ours), state, {"inner": "sgd", "inner_hparams": {"lr": lr},
                                                                      "k": k, "alpha": alpha})
            if i < k - 1:
                np.testing.assert_allclose(ours, fast, rtol=1e-15)
        slow = slow + alpha * (fast - slow)
        np.testing.assert_allclose(ours, slow, rtol=1e-15)
        np.testing.assert_allclose(state["slots"]["param"]["slow"], slow, rtol=1e-15)


def test_lookahead_alpha_is_on_the_fast_side_unlike_the_lecture():
    """Lecture (ch. 001): slow = a*slow + (1-a)*fast; paper: slow = slow + a*(fast - slow).

    At a = 0.5 they agree; at a = 0.8 the lecture's rule is the paper's with a = 0.2.
    """
    def lecture(alpha, steps=30, k=5, lr=1e-3):
        f = landscapes.rosenbrock()
        slow = fast = f.start.copy()
        out = []
        for t in range(1, steps + 1):
            fast = fast - lr * f.grad(fast)
            if t % k == 0:
                slow = alpha * slow + (1 - alpha) * fast
                fast = slow.copy()
            out.append(fast)
        return np.array(out)

    def paper(alpha):
        return run(lookahead, {"inner": "sgd", "inner_hparams": {"lr": 1e-3}, "k": 5, "alpha": alpha}, 30, noise=0)[0]

    np.testing.assert_allclose(paper(0.5), lecture(0.5), rtol=1e-14)
    np.testing.assert_allclose(paper(0.2), lecture(0.8), rtol=1e-14)
    assert np.abs(paper(0.8) - lecture(0.8)).max() > 1e-3


def test_lookahead_keeps_the_inner_state_across_synchronisations():
    _, state = run(lookahead, {"inner": "adam", "k": 2}, 4)
    assert state["inner"]["optimizer"] == "adam" and state["inner"]["t"] == 4


def test_lookahead_rejects_an_inner_state_of_another_optimizer():
    _, state = run(lookahead, {"inner": "adam", "k": 2}, 3)
    f = landscapes.rosenbrock()
    with pytest.raises(ValueError, match="belongs to optimizer 'adam', not 'sgd'"):
        lookahead.step(f.start, f.grad(f.start), state, {"inner": "sgd"})
    with pytest.raises(ValueError, match="Did you mean 'radam'"):
        lookahead.step(f.start, f.grad(f.start), None, {"inner": "radm"})


def test_ranger_is_lookahead_over_radam_with_rangers_settings():
    inner = {"lr": 1e-3, "beta1": 0.95, "beta2": 0.999, "eps": 1e-5, "weight_decay": 0.0,
             "decoupled_weight_decay": False, "eps_hat": True, "rho_threshold": 5.0, "unrectified": "bias_corrected"}
    a, sa = run(ranger, None, 40)
    b, sb = run(lookahead, {"inner": "radam", "inner_hparams": inner, "k": 6, "alpha": 0.5}, 40)
    np.testing.assert_array_equal(a, b)
    assert sa["optimizer"] == "ranger" and sa["inner"]["optimizer"] == "radam"
    assert ranger.DEFAULTS == {**inner, "k": 6, "alpha": 0.5}
    c, _ = run(radam, inner, 40)
    np.testing.assert_array_equal(a[:5], c[:5])  # identical until the first synchronisation


def test_muon_routes_the_chosen_matrices_to_adamw():
    """adamw_params (a key list or a predicate) sends 2-D arrays to the AdamW part; the authors' rule is
    the first and last layers."""
    rng = np.random.default_rng(0)
    p = {"W1": rng.standard_normal((8, 6)), "b1": rng.standard_normal(6), "W2": rng.standard_normal((6, 6)),
         "W3": rng.standard_normal((6, 3))}
    assert muon.authors_adamw_keys(p) == ["W1", "W3"]
    inner = {"lr": 3e-3, "beta1": 0.9, "beta2": 0.95, "eps": 1e-10, "weight_decay": 0.0}
    by_list = {"adamw_params": muon.authors_adamw_keys(p), "adamw_lr": 3e-3}
    by_predicate = {"adamw_params": lambda key, w: key in ("W1", "W3"), "adamw_lr": 3e-3}
    a = b = c = p
    sa = sb = sc = sm = None
    m = {"W2": p["W2"]}
    for _ in range(5):
        g = {k: rng.standard_normal(v.shape) for k, v in p.items()}
        a, sa = muon.step(a, g, sa, by_list)
        b, sb = muon.step(b, g, sb, by_predicate)
        c, sc = adamw.step(c, g, sc, inner)
        m, sm = muon.step(m, {"W2": g["W2"]}, sm, {"adamw_lr": 3e-3})
    for k in ("W1", "b1", "W3"):
        np.testing.assert_array_equal(a[k], c[k])
        np.testing.assert_array_equal(b[k], c[k])
    np.testing.assert_array_equal(a["W2"], m["W2"])  # the hidden layer is still Muon's
    assert set(sa["slots"]["W2"]) == {"b"} and set(sa["slots"]["W1"]) == {"m", "v"}
    with pytest.raises(ValueError, match=r"adamw_params.*'W9'"):
        muon.step(p, g, None, {"adamw_params": ["W9"]})
    with pytest.raises(TypeError, match="adamw_params"):
        muon.step(p, g, None, {"adamw_params": "W1"})


def test_muon_layout_only_changes_the_lr_scale():
    rng = np.random.default_rng(1)
    W, G = rng.standard_normal((12, 3)), rng.standard_normal((12, 3))  # tall: (out, in) scale 2, (in, out) scale 1
    out_in, _ = muon.step(W, G, None, {"lr": 0.1, "momentum": 0.0, "nesterov": False})
    in_out, _ = muon.step(W, G, None, {"lr": 0.1, "momentum": 0.0, "nesterov": False, "layout": "in_out"})
    np.testing.assert_allclose(W - out_in, 2.0 * (W - in_out), rtol=1e-12)


# --- LARS and LAMB ---------------------------------------------------------------------------

def test_lamb_step_is_invariant_to_one_layers_gradient_scale():
    rng = np.random.default_rng(0)
    p = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p.items()} for _ in range(10)]
    hp = {"lr": 0.01, "eps": 1e-12, "weight_decay": 0.01}
    a, sa = p, None
    b, sb = p, None
    for g in grads:
        a, sa = lamb.step(a, g, sa, hp)
        b, sb = lamb.step(b, {"W": 1000 * g["W"], "b": g["b"]}, sb, hp)
    np.testing.assert_allclose(b["W"], a["W"], rtol=1e-10)
    np.testing.assert_allclose(b["b"], a["b"], rtol=1e-10)
    step = np.linalg.norm(a["W"] - p["W"])
    assert 0 < step <= 10 * 0.01 * np.linalg.norm(p["W"]) * 1.001  # each step is lr * ||W|| (trust ratio)


def test_lamb_with_trust_ratio_one_is_adamw(monkeypatch):
    monkeypatch.setattr(lamb, "trust_ratio", lambda theta, u: 1.0)
    hp = {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}
    a, _ = run(lamb, hp, 30)
    b, _ = run(adamw, hp, 30)
    np.testing.assert_allclose(a, b, rtol=1e-13)


def test_lamb_and_lars_trust_ratios_by_hand():
    W, g = np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 0.0]])  # ||W|| = 5, ||g|| = 1
    from optimlab.optimizers import lars

    hp = lars.HPARAMS.resolve({"trust_coefficient": 0.001, "weight_decay": 0.5})
    assert lars.trust_ratio(W, g, hp) == pytest.approx(0.001 * 5 / 3.5)  # ||g|| + wd ||W|| = 1 + 2.5
    assert lars.trust_ratio(np.zeros((2, 2)), g, hp) == 1.0
    # optax's denominator: ||g + wd W|| = ||[[2.5, 0], [0, 2]]|| = sqrt(10.25)
    hp_optax = {**hp, "trust_denominator": "update"}
    assert lars.trust_ratio(W, g, hp_optax) == pytest.approx(0.001 * 5 / math.sqrt(10.25))
    assert lamb.trust_ratio(W, 2 * g) == pytest.approx(2.5) and lamb.trust_ratio(W, 0 * g) == 1.0
    # LARS leaves vectors alone: plain momentum SGD, no decay
    out, _ = lars.step({"b": np.array([1.0, 2.0])}, {"b": np.array([0.5, 0.5])}, None, {"lr": 0.1, "weight_decay": 9.0})
    np.testing.assert_allclose(out["b"], [1.0 - 0.1 * 0.5, 2.0 - 0.1 * 0.5])
    # ... unless exclude_vectors=False (optax's masks): trust ratio and decay for the vector too
    out, _ = lars.step({"b": np.array([1.0, 2.0])}, {"b": np.array([0.5, 0.5])}, None,
                       {"lr": 0.1, "weight_decay": 9.0, "exclude_vectors": False})
    r = 0.001 * math.sqrt(5) / (math.sqrt(0.5) + 9 * math.sqrt(5))
    np.testing.assert_allclose(out["b"], [1.0 - 0.1 * r * (0.5 + 9), 2.0 - 0.1 * r * (0.5 + 18)])


# --- StableAdamW -----------------------------------------------------------------------------

def test_stable_adamw_equals_adamw_without_a_spike():
    """Shrinking gradients keep g^2 <= v_hat, so RMS <= 1 at every step and nothing is clipped."""
    hp = {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01}
    base = np.random.default_rng(2).standard_normal((3, 3))
    a, sa, b, sb = {"W": base}, None, {"W": base}, None
    for t in range(1, 31):
        g = {"W": base * 0.97**t}
        a, sa = stable_adamw.step(a, g, sa, hp)
        b, sb = adamw.step(b, g, sb, hp)
        v_hat = sa["slots"]["W"]["v"] / (1 - 0.99**t)
        assert stable_adamw.update_rms(g["W"], v_hat, 1e-6) <= 1.0
        np.testing.assert_array_equal(a["W"], b["W"])


def test_stable_adamw_clips_a_gradient_spike():
    """After quiet steps a spike makes RMS >> 1; the step's lr becomes lr / RMS."""
    hp = {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.0}
    x, state = np.ones(100), None
    quiet = np.full(100, 1e-3)
    for _ in range(50):
        x, state = stable_adamw.step(x, quiet, state, hp)
    spike = np.full(100, 1.0)
    new, _ = stable_adamw.step(x, spike, state, hp)
    # by hand: the moments after the spike, then (3)-(5)
    t = 51
    m = 0.9 * state["slots"]["param"]["m"] + 0.1 * spike
    v = 0.99 * state["slots"]["param"]["v"] + 0.01 * spike**2
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.99**t)
    rms = np.sqrt(np.mean(spike**2 / np.maximum(v_hat, 1e-12)))
    assert rms > 5
    np.testing.assert_allclose(new, x - 0.01 / rms * m_hat / (np.sqrt(v_hat) + 1e-6), rtol=1e-12)
    unclipped, _ = adamw.step(x, spike, {**state, "optimizer": "adamw"}, hp)
    assert np.abs(new - x).max() < np.abs(unclipped - x).max() / 5


# --- Lion -------------------------------------------------------------------------------------

def test_lion_moves_every_coordinate_by_exactly_lr():
    rng = np.random.default_rng(3)
    x, state = {"W": rng.standard_normal((5, 4)), "b": rng.standard_normal(4)}, None
    for _ in range(10):
        g = {k: rng.standard_normal(v.shape) for k, v in x.items()}
        new, state = lion.step(x, g, state, {"lr": 0.01})
        for k in x:
            np.testing.assert_allclose(np.abs(new[k] - x[k]), 0.01, rtol=1e-12)
        x = new


def test_lion_state_is_half_of_adamw():
    p = {"W": np.ones((8, 4)), "b": np.ones(4)}
    count = lambda s: sum(a.size for slots in s["slots"].values() for a in slots.values())  # noqa: E731
    assert count(lion.init(p)) == 36 and count(adamw.init(p)) == 72
    assert all(len(slots) == 1 for slots in lion.init(p)["slots"].values())


# --- Muon ---------------------------------------------------------------------------------------

def _well_conditioned(shape, seed=0):
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((shape[0], shape[0])))
    V, _ = np.linalg.qr(rng.standard_normal((shape[1], shape[1])))
    S = np.zeros(shape)
    r = min(shape)
    S[:r, :r] = np.diag(np.linspace(1.0, 3.0, r))  # condition number 3
    return U @ S @ V.T


@pytest.mark.parametrize("shape", [(8, 8), (6, 10), (12, 5)])
def test_orthogonalize_lands_singular_values_in_the_documented_band(shape):
    G = _well_conditioned(shape)
    O = muon.orthogonalize(G)
    s = np.linalg.svd(O, compute_uv=False)
    assert s.min() > 0.68 and s.max() < 1.135  # the band [0.6818, 1.1344] (see test_ns_polynomial...)
    U, _, Vt = np.linalg.svd(G, full_matrices=False)
    np.testing.assert_allclose(np.linalg.svd(U @ Vt, compute_uv=False), 1.0, rtol=1e-12)  # the exact polar factor
    # same singular vectors as G: O = U diag(s') V^T
    S_prime = U.T @ O @ Vt.T
    np.testing.assert_allclose(S_prime, np.diag(np.diag(S_prime)), atol=1e-10)
    # the singular values are the NS polynomial applied to G's, normalised by ||G||_F
    sigma = np.linalg.svd(G, compute_uv=False) / np.linalg.norm(G)
    np.testing.assert_allclose(np.sort(np.diag(S_prime)), np.sort(muon.ns_polynomial(sigma, 5)), rtol=1e-10)


def test_orthogonalize_tall_and_wide_agree_with_transposes():
    G = np.random.default_rng(1).standard_normal((7, 3))
    np.testing.assert_allclose(muon.orthogonalize(G), muon.orthogonalize(G.T).T, rtol=1e-14)
    assert muon.orthogonalize(np.zeros((3, 4))).tolist() == np.zeros((3, 4)).tolist()
    assert muon.orthogonalize(G.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="2-D"):
        muon.orthogonalize(np.ones(3))


def test_ns_polynomial_coefficients():
    assert muon.ns_polynomial(1.0) == pytest.approx(3.4445 - 4.7750 + 2.0315)
    s = np.linspace(1e-3, 0.5, 50)
    assert np.all(muon.ns_polynomial(s, 1) > s)  # slope 3.4445 at 0: small singular values grow
    band = muon.ns_polynomial(np.linspace(0.01, 1.0, 100001), 5)  # any normalised singular value >= 0.01
    assert 0.6817 < band.min() < 0.6819 and 1.1343 < band.max() < 1.1345


def test_muon_step_by_hand():
    W = np.arange(6.0).reshape(3, 2)  # tall: lr scale sqrt(3/2)
    G = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    hp = {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}
    new, state = muon.step(W, G, None, hp)
    b = 0.1 * G
    U = 0.1 * G + 0.9 * b
    expected = (1 - 0.1 * 0.1) * W - 0.1 * np.sqrt(1.5) * muon.orthogonalize(U)
    np.testing.assert_allclose(new, expected, rtol=1e-14)
    np.testing.assert_allclose(state["slots"]["param"]["b"], b, rtol=1e-15)


# --- Adafactor -------------------------------------------------------------------------------

def test_adafactor_state_is_factored():
    p = {"W": np.ones((30, 20)), "K": np.ones((4, 5, 6)), "b": np.ones(20)}
    state = adafactor.init(p)
    sizes = {k: sum(a.size for a in slots.values()) for k, slots in state["slots"].items()}
    assert sizes == {"W": 30 + 20, "K": 4 * (5 + 6), "b": 20}


def test_adafactor_factored_second_moment_is_exact_for_rank_one_squares():
    """If g^2 = r c^T (rank one), R C / mean(R) reproduces g^2 exactly."""
    r, c = np.array([1.0, 4.0, 9.0]), np.array([1.0, 0.25])
    g = np.sqrt(np.outer(r, c))
    out, state = adafactor.step(np.ones((3, 2)), g, None, {"lr": 0.01})
    row, col = state["slots"]["param"]["row"], state["slots"]["param"]["col"]
    np.testing.assert_allclose(row * col / row.mean(), g**2, rtol=1e-14)
    # then U = g / |g| = 1 everywhere, RMS(U) = 1, alpha = max(1e-3, RMS(theta)=1) * min(lr, 1)
    np.testing.assert_allclose(out, 1 - 0.01, rtol=1e-14)
