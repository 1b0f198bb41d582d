"""The ``optimlab`` command line."""

import subprocess
import sys

import pytest

from optimlab import __version__
from optimlab.cli import main
from optimlab.optimizers import REGISTRY


def test_list_shows_every_optimizer_with_family_year_paper_and_defaults(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith((" ", "-"))}
    for name, m in REGISTRY.items():
        assert name in rows and m.FAMILY in rows[name] and str(m.YEAR) in rows[name] and m.PAPER in rows[name]
    flat = " ".join(out.split())
    assert "lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01" in flat  # adamw
    assert "rho=0.9, eps=1e-08, momentum=0, centered=False" in flat  # rmsprop


def test_module_entry_point_and_version():
    out = subprocess.run([sys.executable, "-m", "optimlab", "list"], capture_output=True, text=True, check=True)
    assert "radam" in out.stdout
    version = subprocess.run([sys.executable, "-m", "optimlab", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and __version__ in version.stdout


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "list" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["lsit"])


def test_bench_fused_prints_ratios_against_rows_of_the_same_run(capsys):
    assert main(["bench", "fused", "--size", "64K", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "optimlab.fused.adamw" in out and "optimlab.optimizers.adamw (reference)" in out and "np.copyto" in out
    assert "fused vs reference:" in out and "x faster" in out
    rows = [line for line in out.splitlines() if line.startswith("optimlab.fused.adamw")]
    assert rows and rows[0].split()[-1] == "1.00"  # the baseline row


def test_bench_mlp_runs(capsys):
    assert main(["bench", "mlp", "--repeat", "2", "--batch", "16"]) == 0
    out = capsys.readouterr().out
    assert "optimlab MLP + optimizers.sgd" in out and "784-256-256-10" in out


def test_bench_size_parsing():
    from optimlab.bench import parse_size

    assert parse_size("16M") == 16 << 20 and parse_size("300k") == 300 << 10 and parse_size("1000") == 1000
    with pytest.raises(ValueError, match="size"):
        parse_size("lots")
