"""The autograd-free MLP (gradients vs finite differences) and the data sets."""

import numpy as np
import pytest

from optimlab import datasets
from optimlab.mlp import ACTIVATIONS, MLP, grad_check, log_softmax


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradients_match_central_differences(activation, l2):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 4, 9)
    net = MLP([5, 7, 6, 4], activation)
    params = net.init(seed=1, scheme="xavier")
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}  # nonzero biases too
    errors = grad_check(lambda p: net.loss_and_grads(p, X, y, l2=l2), params)
    assert set(errors) == set(params)
    assert max(errors.values()) < 1e-6, errors


def test_grad_check_catches_a_wrong_gradient():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    net = MLP([3, 4, 2], "tanh")

    def wrong(p):
        loss, grads = net.loss_and_grads(p, X, y)
        return loss, {**grads, "W1": grads["W1"] * 1.01}

    errors = grad_check(wrong, net.init(0), max_entries=5)
    assert errors["W1"] > 1e-3 and errors["W2"] < 1e-7


def test_activations_by_hand():
    z = np.array([-2.0, 0.5])
    sigma = {name: f(z) for name, (f, _) in ACTIVATIONS.items()}
    np.testing.assert_allclose(sigma["relu"], [0.0, 0.5])
    np.testing.assert_allclose(sigma["leaky_relu"], [-0.02, 0.5])
    np.testing.assert_allclose(sigma["sigmoid"], 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(sigma["mish"], z * np.tanh(np.log1p(np.exp(z))), rtol=1e-14)
    big = np.array([-800.0, 800.0])  # no overflow warnings, right limits
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"][0](big), [0.0, 1.0])
    np.testing.assert_allclose(ACTIVATIONS["mish"][0](big), [0.0, 800.0], atol=1e-300)


def test_loss_is_stable_and_matches_the_definition():
    logits = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    lp = log_softmax(logits)
    assert np.all(np.isfinite(lp))
    np.testing.assert_allclose(lp[1], np.log(np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()), rtol=1e-14)
    net = MLP([2, 3])
    p = {"W1": np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]]), "b1": np.array([0.0, 0.0, 1.0])}
    X, y = np.array([[1.0, 1.0]]), np.array([1])
    z = np.array([1.0, 2.0, 0.0])
    assert net.loss(p, X, y) == pytest.approx(np.log(np.exp(z).sum()) - 2.0)
    assert net.loss(p, X, y, l2=0.5) == pytest.approx(np.log(np.exp(z).sum()) - 2.0 + 0.25 * 6.0)


def test_loss_at_init_is_about_log_classes():
    X, y, _, _ = datasets.load_digits()
    net = MLP([64, 128, 10])
    assert net.loss(net.init(0, scheme="normal", std=1e-3), X, y) == pytest.approx(np.log(10), abs=1e-3)
    assert net.loss(net.init(0, scheme="he"), X, y) == pytest.approx(np.log(10), abs=0.3)


def test_init_schemes_and_layout():
    net = MLP([64, 128, 10])
    p = net.init(seed=3)
    assert list(p) == ["W1", "b1", "W2", "b2"] and p["W1"].shape == (64, 128) and p["b2"].shape == (10,)
    assert net.n_params() == sum(v.size for v in p.values()) == 64 * 128 + 128 + 128 * 10 + 10
    assert np.std(p["W1"]) == pytest.approx(np.sqrt(2 / 64), rel=0.05)
    assert np.std(MLP([64, 128, 10]).init(3, "xavier")["W1"]) == pytest.approx(np.sqrt(2 / 192), rel=0.05)
    assert np.all(p["b1"] == 0)
    np.testing.assert_array_equal(net.init(seed=3)["W2"], p["W2"])  # deterministic
    assert net.init(0, dtype=np.float32)["W1"].dtype == np.float32


def test_mlp_errors():
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        MLP([2, 3], "rleu")
    with pytest.raises(ValueError, match="sizes"):
        MLP([2])
    net = MLP([2, 3])
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape"):
        net.forward({"W1": np.ones((3, 3)), "b1": np.ones(3)}, np.ones((1, 2)))
    with pytest.raises(ValueError, match="X must have shape"):
        net.forward(net.init(), np.ones((1, 5)))
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        net.loss_and_grads(net.init(), np.ones((1, 2)), np.array([3]))
    with pytest.raises(ValueError, match="Did you mean 'he'"):
        net.init(scheme="hee")


def test_digits_are_the_real_uci_digits():
    images, labels = datasets.digits_raw()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert images[0].tolist()[0] == [0, 0, 5, 13, 9, 1, 0, 0]  # the well-known first "0"
    Xtr, ytr, Xte, yte = datasets.load_digits()
    assert Xtr.shape[1] == 64 and len(Xtr) + len(Xte) == 1797 and 0 <= Xtr.min() and Xtr.max() <= 1
    assert abs(len(Xte) - 360) <= 5 and np.all(np.bincount(yte) >= 34)  # stratified
    again = datasets.load_digits()
    np.testing.assert_array_equal(again[0], Xtr)
    other = datasets.load_digits(seed=1)
    assert not np.array_equal(other[0], Xtr)


def test_mnist_like_is_the_digits_at_28x28():
    Xtr, ytr, Xte, yte = datasets.mnist_like()
    assert Xtr.shape[1] == 784 and 0 <= Xtr.min() and Xtr.max() <= 1
    small, ysmall, _, _ = datasets.load_digits(flatten=False)
    np.testing.assert_array_equal(ytr, ysmall)
    big = Xtr.reshape(-1, 28, 28)
    # averaging the 28x28 image over 3.5x3.5 blocks returns close to the 8x8 original
    coarse = datasets._resize_bilinear(big[:20], 8)
    assert np.abs(coarse - small[:20]).mean() < 0.05


@pytest.mark.parametrize("make,classes", [(datasets.spirals, 3), (datasets.moons, 2), (datasets.blobs, 3)])
def test_synthetic_sets(make, classes):
    X, y = make(seed=4)
    assert X.ndim == 2 and X.shape[1] == 2 and len(np.unique(y)) == classes
    np.testing.assert_array_equal(make(seed=4)[0], X)
    assert not np.array_equal(make(seed=5)[0], X)
