"""Training loop, clipping, accumulation, weight decay, early stopping, LR finder and checkpoints."""

import copy

import numpy as np
import pytest

import optimlab
from optimlab import datasets, schedules
from optimlab.mlp import MLP
from optimlab.optimizers import REGISTRY, get
from optimlab.training import clip_by_global_norm, clip_by_value, global_norm, lr_range_test, train

from registry import CASES

IDS = [c.name for c in CASES]


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


@pytest.fixture(scope="module")
def small():
    X, y = datasets.blobs(n_per_class=40, seed=0)
    return MLP([2, 16, 3], "tanh"), X, y


# --- clipping ------------------------------------------------------------------------------------

def test_clip_by_global_norm():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}  # global norm 5
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == 5.0 and global_norm(clipped) == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0]) and np.testing.assert_allclose(clipped["b"], [[0.8]])
    same, _ = clip_by_global_norm(g, 10.0)
    assert same is g  # a no-op below the threshold
    np.testing.assert_allclose(clip_by_value(g, 3.5)["b"], [[3.5]])
    assert clip_by_global_norm(np.array([6.0, 8.0]), 5.0)[0].tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(g, 0.0)


@pytest.mark.reference
def test_clip_by_global_norm_matches_torch_up_to_its_epsilon():
    from conftest import reference

    torch = reference("torch")
    rng = np.random.default_rng(0)
    g = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}
    ts = [torch.zeros(v.shape, dtype=torch.float64, requires_grad=True) for v in g.values()]
    for t, v in zip(ts, g.values()):
        t.grad = torch.tensor(v)
    torch.nn.utils.clip_grad_norm_(ts, 1.0)
    ours, _ = clip_by_global_norm(g, 1.0)
    for t, v in zip(ts, ours.values()):
        np.testing.assert_allclose(t.grad.numpy(), v, rtol=1e-5)  # torch divides by norm + 1e-6


# --- the loop ---------------------------------------------------------------------------------------

def test_training_is_deterministic_and_records_history(small):
    net, X, y = small
    a = train(net, net.init(1), X, y, optimizer="adam", hparams={"lr": 0.01}, epochs=3, batch_size=16,
              validation=(X, y), verbose=False)
    b = train(net, net.init(1), X, y, optimizer="adam", hparams={"lr": 0.01}, epochs=3, batch_size=16,
              validation=(X, y), verbose=False)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    steps = 3 * int(np.ceil(len(X) / 16))
    assert len(a.history.step["loss"]) == steps == a.state["t"]
    assert len(a.history.epoch["val_acc"]) == 3 and a.history.epoch["train_loss"][-1] < a.history.epoch["train_loss"][0]
    c = train(net, net.init(1), X, y, optimizer="adam", hparams={"lr": 0.01}, epochs=3, batch_size=16, seed=7,
              verbose=False)
    assert not np.array_equal(c.params["W1"], a.params["W1"])


def test_accumulation_equals_the_large_batch(small):
    """With mean losses, 4 micro-batches of 8 averaged = one batch of 32: same gradient, same lr."""
    net, X, y = small
    p0 = net.init(2)
    big = train(net, p0, X[:96], y[:96], optimizer="momentum", hparams={"lr": 0.1}, epochs=2, batch_size=32,
                verbose=False)
    acc = train(net, p0, X[:96], y[:96], optimizer="momentum", hparams={"lr": 0.1}, epochs=2, batch_size=8,
                accumulate=4, verbose=False)
    for k in p0:
        np.testing.assert_allclose(acc.params[k], big.params[k], rtol=1e-12, atol=1e-14)
    assert acc.state["t"] == big.state["t"] == 6


def test_schedule_drives_the_lr_and_continues_with_the_state(small):
    net, X, y = small
    sched = schedules.warmup(schedules.cosine(0.1, T_max=20), 5)
    r = train(net, net.init(0), X, y, optimizer="sgd", schedule=sched, epochs=2, batch_size=40, verbose=False)
    np.testing.assert_allclose(r.history.step["lr"], sched(np.arange(6)))
    r2 = train(net, r.params, X, y, optimizer="sgd", schedule=sched, epochs=1, batch_size=40, state=r.state,
               verbose=False)
    np.testing.assert_allclose(r2.history.step["lr"], sched(np.arange(6, 9)))
    look = train(net, net.init(0), X, y, optimizer="lookahead", hparams={"inner": "sgd"}, schedule=sched, epochs=1,
                 batch_size=40, verbose=False)  # Lookahead: the schedule sets the inner lr
    np.testing.assert_allclose(look.history.step["lr"], sched(np.arange(3)))


def test_decoupled_weight_decay_on_adam_is_adamws_rule_for_weight_matrices(small):
    net, X, y = small
    hp = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    one = dict(epochs=1, batch_size=len(X), verbose=False)  # one full-batch step: the same gradient everywhere
    a = train(net, net.init(0), X, y, optimizer="adam", hparams=hp, weight_decay=0.1, **one)
    b = train(net, net.init(0), X, y, optimizer="adamw", hparams={**hp, "weight_decay": 0.1}, **one)
    c = train(net, net.init(0), X, y, optimizer="adam", hparams=hp, **one)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(a.params[k], b.params[k], rtol=1e-13)
        np.testing.assert_allclose(a.params[k], c.params[k] - 0.01 * 0.1 * net.init(0)[k], rtol=1e-13)
    np.testing.assert_array_equal(a.params["b1"], c.params["b1"])  # biases are not decayed by the loop


def test_coupled_l2_shrinks_weights(small):
    net, X, y = small
    plain = train(net, net.init(0), X, y, optimizer="sgd", hparams={"lr": 0.1}, epochs=5, verbose=False)
    l2 = train(net, net.init(0), X, y, optimizer="sgd", hparams={"lr": 0.1}, epochs=5, l2=0.1, verbose=False)
    assert np.linalg.norm(l2.params["W1"]) < np.linalg.norm(plain.params["W1"])


def test_clipping_in_the_loop(small):
    net, X, y = small
    p0 = net.init(0, scheme="normal", std=3.0)
    r = train(net, p0, X, y, optimizer="sgd", hparams={"lr": 1.0}, clip_norm=0.5, epochs=1, batch_size=len(X),
              verbose=False)
    assert r.history.step["grad_norm"][0] > 0.5  # recorded before clipping
    step = {k: r.params[k] - p0[k] for k in p0}
    assert global_norm(step) == pytest.approx(1.0 * 0.5, rel=1e-12)  # the clipped gradient has norm 0.5
    v = train(net, p0, X, y, optimizer="sgd", hparams={"lr": 1.0}, clip_value=1e-3, epochs=1, batch_size=len(X),
              verbose=False)
    assert max(np.abs(v.params[k] - p0[k]).max() for k in p0) <= 1e-3 * (1 + 1e-12)


def test_early_stopping_restores_the_best_epoch(small):
    net, X, y = small
    Xv, yv = X[::2], y[::2]
    r = train(net, net.init(0), X, y, optimizer="sgd", hparams={"lr": 2.0}, epochs=40, validation=(Xv, yv),
              early_stopping=2, monitor="val_loss", verbose=False)
    ep = r.history.epoch
    best = int(np.argmin(ep["val_loss"])) + 1
    assert r.stopped_early and r.best_epoch == best and len(ep["val_loss"]) == best + 2
    assert net.loss(r.params, Xv, yv) == pytest.approx(min(ep["val_loss"]))
    with pytest.raises(ValueError, match="needs validation"):
        train(net, net.init(0), X, y, early_stopping=2, verbose=False)


def test_progress_line_is_shown_when_asked_and_silent_otherwise(small, capsys):
    net, X, y = small
    train(net, net.init(0), X, y, epochs=1, verbose=False)
    assert capsys.readouterr().err == ""
    train(net, net.init(0), X, y, epochs=2, verbose=True, validation=(X, y))
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "val_acc" in err and err.endswith("\n")


def test_bad_arguments(small):
    net, X, y = small
    with pytest.raises(ValueError, match="batch_size"):
        train(net, net.init(0), X, y, batch_size=0)
    with pytest.raises(ValueError, match="Did you mean.*'adam'"):
        train(net, net.init(0), X, y, optimizer="adma")
    with pytest.raises(ValueError, match="rows"):
        train(net, net.init(0), X, y[:-1])


# --- acceptance: the real digits ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("optimizer,hparams,expected", [
    ("adam", {"lr": 3e-3}, 0.9582),       # recorded: test accuracy after 10 epochs, seed 0
    ("momentum", {"lr": 0.1, "momentum": 0.9}, 0.9582),
])
def test_mlp_on_real_digits_reaches_95_percent(digits, optimizer, hparams, expected):
    Xtr, ytr, Xte, yte = digits
    net = MLP([64, 128, 10])
    r = train(net, net.init(seed=0), Xtr, ytr, optimizer=optimizer, hparams=hparams, epochs=10, batch_size=32,
              validation=(Xte, yte), verbose=False)
    acc = r.history.epoch["val_acc"][-1]
    assert acc >= 0.95
    assert acc == pytest.approx(expected, abs=2e-3)  # deterministic under the seed


# --- LR range test -------------------------------------------------------------------------------------

def test_lr_range_test_finds_a_sensible_rate(digits):
    Xtr, ytr, _, _ = digits
    net = MLP([64, 32, 10])
    p0 = net.init(0)
    before = copy.deepcopy(p0)
    r = lr_range_test(net, p0, Xtr, ytr, optimizer="sgd", lr_min=1e-4, lr_max=100.0, steps=120)
    for k in p0:
        np.testing.assert_array_equal(p0[k], before[k])  # fresh weights are not modified
    assert r.diverged and len(r.lrs) < 120
    assert np.all(np.diff(np.log(r.lrs)) > 0)
    assert 1e-2 <= r.suggestion <= 3.0
    trained = train(net, net.init(0), Xtr, ytr, optimizer="sgd", hparams={"lr": r.suggestion}, epochs=3,
                    verbose=False)
    assert trained.history.epoch["train_acc"][-1] > 0.9


# --- checkpoints -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_resuming_from_a_checkpoint_is_bit_identical(case, tmp_path):
    m = get(case.name)
    rng = np.random.default_rng(0)
    p = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p.items()} for _ in range(12)]
    straight, s1 = p, None
    for g in grads:
        straight, s1 = m.step(straight, g, s1, case.hparams)
    half, s2 = p, None
    for g in grads[:5]:
        half, s2 = m.step(half, g, s2, case.hparams)
    optimlab.save(tmp_path / "ck.npz", half, s2, optimizer=case.name, note="halfway")
    resumed, s3, meta = optimlab.load(tmp_path / "ck.npz", with_meta=True)
    assert meta == {"optimizer": case.name, "note": "halfway"}
    for g in grads[5:]:
        resumed, s3 = m.step(resumed, g, s3, case.hparams)
    for k in p:
        assert resumed[k].dtype == straight[k].dtype
        np.testing.assert_array_equal(resumed[k], straight[k])
    assert s3["t"] == s1["t"] == 12


def test_checkpoint_round_trip_of_a_single_array_and_a_training_run(tmp_path, small):
    net, X, y = small
    r = train(net, net.init(0), X, y, optimizer="nadam", epochs=1, verbose=False)
    optimlab.save(tmp_path / "run.npz", r.params, r.state)
    params, state = optimlab.load(tmp_path / "run.npz")
    a = train(net, r.params, X, y, optimizer="nadam", epochs=1, state=r.state, seed=3, verbose=False)
    b = train(net, params, X, y, optimizer="nadam", epochs=1, state=state, seed=3, verbose=False)
    np.testing.assert_array_equal(a.params["W2"], b.params["W2"])
    optimlab.save(tmp_path / "x.npz", np.arange(3.0), None)
    x, s = optimlab.load(tmp_path / "x.npz")
    assert x.tolist() == [0.0, 1.0, 2.0] and s is None


def test_corrupted_and_foreign_files_give_clear_errors(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.ones(3))
    with pytest.raises(ValueError, match="not an optimlab checkpoint"):
        optimlab.load(foreign)
    good = tmp_path / "good.npz"
    optimlab.save(good, {"w": np.ones(4)}, get("adam").init({"w": np.ones(4)}))
    data = good.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.npz could not be read"):
        optimlab.load(truncated)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x93NUMPY garbage" * 10)
    with pytest.raises(ValueError, match="garbage.npz"):
        optimlab.load(garbage)
    with pytest.raises(ValueError, match="could not be read"):
        optimlab.load(tmp_path / "missing.npz")
    with pytest.raises(TypeError, match="JSON"):
        optimlab.save(tmp_path / "m.npz", {"w": np.ones(2)}, None, bad=object())


def test_every_optimizer_has_a_checkpoint_case():
    assert IDS == list(REGISTRY)
