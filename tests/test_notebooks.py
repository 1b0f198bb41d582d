"""The course book: every notebook is stored executed with current outputs, reads as a lesson, links resolve,
and every exercise's solution runs and checks its answer."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name) and "errata" not in p.name]
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.py"))


def _tools():
    pytest.importorskip("nbformat")
    spec = importlib.util.spec_from_file_location("notebook_tools", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_stored_outputs_are_current(path):
    """Re-executes the notebook (an error fails the test) and compares it with the stored copy."""
    pytest.importorskip("nbclient")
    tools = _tools()
    stored = tools.read(path)
    problems = tools.compare(stored, tools.execute(tools.read(path)))
    assert not problems, f"{path.name} is out of date (python tools/notebooks.py run {path.name}):\n" + \
        "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_notebook_reads_as_a_lesson(path):
    problems = _tools().lint(path)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_every_link_to_an_errata_row_resolves():
    tools = _tools()
    errata = next(p for p in NOTEBOOKS if "errata" in p.name)
    anchors = set(re.findall(r'<a id="(E\d{3}-\d+)">', "\n".join(c.source for c in tools.read(errata).cells)))
    assert len(anchors) >= 70
    for path in CHAPTERS:
        text = "\n".join(c.source for c in tools.read(path).cells)
        for row in re.findall(r"11_errata\.ipynb#(E\d{3}-\d+)", text):
            assert row in anchors, f"{path.name} links to {row}, which the errata notebook does not have"


def _exercises():
    for path in SOLUTIONS:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"(?m)^def (exercise_\d+)\(", text):
            yield path, name


EXERCISES = list(_exercises())


@pytest.mark.parametrize("path,name", EXERCISES, ids=[f"{p.stem[:2]}-{n}" for p, n in EXERCISES])
def test_exercise_solution_runs_and_checks_its_answer(path, name, monkeypatch):
    monkeypatch.chdir(path.parent)
    spec = importlib.util.spec_from_file_location(f"solutions_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    getattr(module, name)()  # each solution asserts its own answer


def test_every_figure_is_listed_and_shown_in_its_notebook():
    from optimlab import figures

    readme = (ROOT / "figures" / "README.md").read_text(encoding="utf-8")
    tools = _tools()
    sources = {p.name[:2]: "\n".join(c.source for c in tools.read(p).cells) for p in NOTEBOOKS}
    for name in figures.FIGURES:
        assert name in readme, f"figures/README.md does not list {name}"
        assert name in sources[name[:2]], f"notebook {name[:2]} does not show {name}"
        assert (ROOT / "figures" / name).exists(), f"figures/{name} is missing: run optimlab tour"
