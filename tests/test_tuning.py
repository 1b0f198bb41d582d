"""The fair-comparison protocol: the command runs on a small grid, and the shipped results hold what theory says."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from optimlab import landscapes, tuning


def test_tune_command_on_a_small_grid(tmp_path):
    out = tmp_path / "t.json"
    run = subprocess.run([sys.executable, "-m", "optimlab", "tune", "--quick", "--benchmarks", "beale,mnist_b256",
                          "--optimizers", "sgd,adam,lookahead", "--seeds", "2", "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert results["protocol"]["grid"] == list(tuning.LR_GRID) and results["protocol"]["quick"]
    for bench in ("beale", "mnist_b256"):
        entry = results["benchmarks"][bench]
        assert set(entry["optimizers"]) == {"sgd", "adam", "lookahead"}
        for opt, r in entry["optimizers"].items():
            assert len(r["scores"]) == len(tuning.LR_GRID) and r["best_lr"] in tuning.LR_GRID
            finite = [s for s in r["scores"] if s is not None]
            assert r["scores"][tuning.LR_GRID.index(r["best_lr"])] == min(finite)  # the best score wins
            assert len(r["runs"]) == 2
    assert results["benchmarks"]["beale"]["optimizers"]["lookahead"]["hparams"]["inner_hparams"]["lr"] == \
        results["benchmarks"]["beale"]["optimizers"]["lookahead"]["best_lr"]
    bad = subprocess.run([sys.executable, "-m", "optimlab", "tune", "--benchmarks", "rosenbrok", "--out", str(out)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("optimlab: error:") and "Did you mean 'rosenbrock'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_with_lr_puts_the_rate_where_each_optimizer_keeps_it():
    assert tuning.with_lr("adam", 0.1) == {"lr": 0.1}
    assert tuning.with_lr("lookahead", 0.1) == {"inner": "adam", "inner_hparams": {"lr": 0.1}}
    assert tuning.with_lr("muon", 0.1) == {"layout": "in_out", "lr": 0.1, "adamw_lr": 0.1}


def test_lars_on_a_landscape_applies_its_trust_ratio_to_the_one_parameter_vector():
    # With the default exclude_vectors=True, LARS leaves 1-D arrays to plain momentum SGD; a 2-D landscape's
    # only parameter is such a vector, so the landscape benchmarks switch the exclusion off.
    assert tuning.with_lr("lars", 0.1) == {"trust_coefficient": 0.02, "lr": 0.1}
    assert tuning.with_lr("lars", 0.1, kind="landscape") == {"trust_coefficient": 0.02, "exclude_vectors": False,
                                                              "lr": 0.1}
    bench = tuning.BENCHMARKS["rosenbrock"]
    lars = bench.run("lars", tuning.with_lr("lars", 0.1, kind="landscape"), seed=0, steps=1)["gap"]
    momentum = bench.run("momentum", {"lr": 0.1}, seed=0, steps=1)["gap"]
    # step 1 from (-1.2, 1): LARS moves by lr * 0.02 * |x| = 0.1 * 0.02 * 1.562 = 0.003124 along -g/|g|
    f = landscapes.get("rosenbrock")
    g = f.grad(f.start)
    x1 = f.start - 0.1 * 0.02 * np.linalg.norm(f.start) * g / np.linalg.norm(g)
    np.testing.assert_allclose(lars[1], f.value(x1) - f.fmin, rtol=1e-12)
    assert abs(lars[1] - momentum[1]) > 1.0


@pytest.fixture(scope="module")
def shipped():
    return tuning.load()


def test_shipped_results_cover_every_benchmark_and_optimizer(shipped):
    assert set(shipped["benchmarks"]) == set(tuning.BENCHMARKS)
    assert not shipped["protocol"]["quick"] and shipped["protocol"]["grid"] == list(tuning.LR_GRID)
    for entry in shipped["benchmarks"].values():
        assert set(entry["optimizers"]) == set(tuning.OPTIMIZERS)
        for r in entry["optimizers"].values():
            assert len(r["runs"]) == shipped["protocol"]["seeds"] or r["best_lr"] is None


def _median_final(shipped, bench, opt, key):
    finals = [run[key][-1] for run in shipped["benchmarks"][bench]["optimizers"][opt]["runs"]]
    return float(np.median([math.inf if v is None else v for v in finals]))


def test_shipped_results_agree_with_theory_on_the_ravine(shipped):
    """On an ill-conditioned quadratic, tuned heavy-ball momentum beats tuned gradient descent by orders of
    magnitude (Polyak: its contraction is (sqrt(k)-1)/(sqrt(k)+1) per step against GD's (k-1)/(k+1))."""
    assert _median_final(shipped, "ravine", "momentum", "gap") < 1e-4 * _median_final(shipped, "ravine", "sgd", "gap")


def test_shipped_mnist_results_are_real_learning(shipped):
    """Every tuned optimizer learns MNIST far above chance (10%); tuned Adam and momentum reach ~90%+."""
    for opt in tuning.OPTIMIZERS:
        acc = _median_final(shipped, "mnist_b32", opt, "test_acc")
        assert acc > 0.5, (opt, acc)
    assert _median_final(shipped, "mnist_b32", "adam", "test_acc") > 0.88
    assert _median_final(shipped, "mnist_b32", "momentum", "test_acc") > 0.88


def test_window_measures_the_width_of_the_good_learning_rates():
    results = {"benchmarks": {"b": {"optimizers": {"x": {"grid": [1e-3, 1e-2, 1e-1, 1.0],
                                                          "scores": [2.0, 1.1, 1.0, None]}}}}}
    assert tuning.window(results, "b", "x") == pytest.approx(1.0)  # 1e-2 and 1e-1 are within 20% of the best
    assert tuning.window(results, "b", "x", tolerance=0.05) == 0.0
    assert tuning.window(results, "b", "x", tolerance=1.5) == pytest.approx(2.0)


def test_landscape_scores_treat_gaps_below_solved_as_ties():
    assert tuning.Landscape.score({"gap": np.array([1.0, 3e-20])}) == tuning.SOLVED
    assert tuning.Landscape.score({"gap": np.array([1.0, 2e-12])}) == pytest.approx(2e-12)
    assert tuning.Landscape.score({"gap": np.array([1.0, np.inf])}) == math.inf
