"""The README's Python examples run as written, and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _printed(block, name):
    """What *block* prints when run as a script."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, name, "exec"), {})
    return out.getvalue()


def _agrees(line, comment):
    """A printed line against the comment beside its print: the first example's prose, a "..." prefix, or exact."""
    if comment == "close to [1. 1.], about 1e-8, 2000":  # Adam on Rosenbrock: x, f(x), state["t"]
        *x, value, t = [float(v) for v in line.replace("[", " ").replace("]", " ").split()]
        return np.allclose(x, [1.0, 1.0], atol=1e-3) and 1e-9 < value < 1e-7 and t == 2000
    if comment.endswith("..."):
        return line.startswith(comment[:-3])
    return line == comment


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs_and_prints_what_its_comment_says(index):
    out = _printed(BLOCKS[index], f"README block {index}")
    prints = [line for line in BLOCKS[index].splitlines() if line.startswith("print(")]
    if prints and "#" in prints[0]:  # the first print's comment shows its (one-line) output
        comment = prints[0].split("#", 1)[1].strip()
        assert _agrees(out.splitlines()[0], comment), (out, comment)


def test_check_example_prints_the_diagnosis_shown():
    block = next(b for b in BLOCKS if "optimlab.check(" in b)
    out = _printed(block, "README check example")
    shown = [line[2:] for line in block.splitlines() if line.startswith("# ") and not line.startswith("#   -")]
    assert out.splitlines()[0] == "False 1"
    assert "does not correct the bias of m and v" in out
    assert shown[0] in out
