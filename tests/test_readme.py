"""The README's Python examples run as written, and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index):
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(BLOCKS[index], f"README block {index}", "exec"), {})


def test_check_example_prints_the_diagnosis_shown():
    block = next(b for b in BLOCKS if "optimlab.check(" in b)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README check example", "exec"), {})
    shown = [line[2:] for line in block.splitlines() if line.startswith("# ") and not line.startswith("#   -")]
    assert out.getvalue().splitlines()[0] == "False 1"
    assert "does not correct the bias of m and v" in out.getvalue()
    assert shown[0] in out.getvalue()
