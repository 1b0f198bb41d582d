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


VERDICTS = ("correct", "convention difference", "garbled", "wrong", "misattributed", "overclaim",
            "opinion stated as fact", "not checkable")


def test_errata_counts_match_the_rows():
    """The totals written in the errata notebook and the README are those of the rows themselves."""
    tools = _tools()
    errata = next(p for p in NOTEBOOKS if "errata" in p.name)
    md = "\n".join(c.source for c in tools.read(errata).cells if c.cell_type == "markdown")
    rows = re.split(r"^### (E\d{3})-\d+ ", md, flags=re.M)[1:]
    chapters = {"E000": "000/003", "E001": "001", "E002": "002", "E004": "004"}
    tally, kinds = {}, {}
    for chapter, body in zip(rows[::2], rows[1::2]):
        verdict = re.search(r"^- \*\*Verdict:\*\* \*\*([a-z ]+)\*\*", body, re.M).group(1)
        kind = re.search(r"^- \*\*Kind:\*\* ([a-z/]+)", body, re.M).group(1)
        assert verdict in VERDICTS, verdict
        tally[chapters[chapter], verdict] = tally.get((chapters[chapter], verdict), 0) + 1
        kinds[kind] = kinds.get(kind, 0) + 1
    per_chapter = {c: sum(n for (ch, _), n in tally.items() if ch == c) for c in chapters.values()}
    total = sum(per_chapter.values())
    per_verdict = {v: sum(n for (_, vv), n in tally.items() if vv == v) for v in VERDICTS}
    # the glance table
    for v in VERDICTS:
        cells = re.search(rf"^\| {v} \|(.*)\|$", md, re.M).group(1).split("|")
        assert [int(x) for x in cells] == [tally.get((c, v), 0) for c in chapters.values()] + [per_verdict[v]], v
    # the introduction
    intro = " ".join(md.split())
    assert (f"What is checked: {total} claims**, {per_chapter['000/003']} from chapter 000/003, "
            f"{per_chapter['001']} from chapter 001, {per_chapter['002']} from chapter 002 and "
            f"{per_chapter['004']} from chapter 004") in intro
    phrases = {"formula": "how a method behaves ({} rows)", "default": "a default value ({})", "number": "a number ({})",
               "history/attribution": '({}, "history/attribution")', "benchmark": "a benchmark result ({})",
               "code": "what a code snippet does ({})", "advice": "learning-rate guidance ({})"}
    assert set(kinds) == set(phrases)
    for kind, n in kinds.items():
        assert phrases[kind].format(n) in intro, f"kind {kind}: {n} rows"
    n_tests = len(re.findall(r"^def test_", (ROOT / "tests" / "test_errata.py").read_text(), re.M))
    assert f"pinned by {n_tests} tests" in intro
    # the README
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (f"checks {total} claims of the lecture ({per_chapter['000/003']} from chapter 000, "
            f"{per_chapter['001']} from 001, {per_chapter['002']} from 002, {per_chapter['004']} from 004") in readme
    words = ("correct", "convention differences", "garbled", "wrong", "misattributed", "overclaims",
             "opinions stated as fact", "not checkable")
    assert ", ".join(f"{per_verdict[v]} {w}" for v, w in zip(VERDICTS, words)) in readme
    assert f"({n_tests} tests named after the rows)" in readme
