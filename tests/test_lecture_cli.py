"""optimlab tour / race / train, and the figure functions behind them."""

import re

import pytest

from optimlab.cli import main


@pytest.fixture(autouse=True)
def _agg(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")


def test_race_writes_a_png_and_an_animated_gif(tmp_path, capsys):
    png, gif = tmp_path / "race.png", tmp_path / "race.gif"
    assert main(["race", "--landscape", "beale", "--optimizers", "sgd,adam", "--steps", "40", "--out", str(png),
                 "--gif", str(gif)]) == 0
    out = capsys.readouterr().out
    assert "adam (lr=0.05)" in out and "final loss" in out
    from PIL import Image

    assert Image.open(png).size[0] >= 600
    with Image.open(gif) as im:
        assert im.n_frames > 5


def test_race_rejects_unknown_names(tmp_path, capsys):
    for args, hint in ((["--optimizers", "sgd,adma"], "Did you mean.*'adam'"),
                       (["--landscape", "rosenbrok"], "Did you mean 'rosenbrock'")):
        with pytest.raises(SystemExit) as exit_:
            main(["race", *args, "--steps", "5", "--out", str(tmp_path / "x.png")])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("optimlab: error: ") and err.count("\n") == 1 and re.search(hint, err)
    assert not (tmp_path / "x.png").exists()


def test_train_prints_a_table_and_saves_curves(tmp_path, capsys):
    out = tmp_path / "curves.png"
    assert main(["train", "--optimizers", "sgd,adam", "--epochs", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "test acc" in text and "sgd (lr=0.1)" in text and "adam (lr=0.003)" in text and out.exists()


@pytest.mark.slow
def test_tour_writes_every_figure_with_titles_labels_and_legends(tmp_path, capsys, monkeypatch):
    from optimlab import figures, plots, tuning

    seen = {}
    save = plots.save

    def inspect_then_save(fig, name, *args, **kwargs):
        # every figure: a title, and axis labels on every panel with data
        assert any(ax.get_title() for ax in fig.axes) or fig._suptitle is not None, name
        assert all(ax.get_xlabel() for ax in fig.axes if ax.has_data() and ax.axison), name
        seen[name] = True
        return save(fig, name, *args, **kwargs)

    monkeypatch.setattr(plots, "save", inspect_then_save)
    assert main(["tour", "--out", str(tmp_path), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "tuned on the same grid" in text and "mnist_b32" in text and "rosenbrock" in text
    for bench in tuning.BENCHMARKS:
        assert f"\n{bench} (" in text
    assert set(seen) == set(figures.FIGURES)
    for name in figures.FIGURES:
        assert (tmp_path / name).stat().st_size > 10_000, name
