"""Build, run and check the course notebooks (needs the test extras: nbformat, nbclient, ipykernel).

    python tools/notebooks.py build notebooks/src.py notebooks/02_momentum.ipynb   # percent script -> notebook
    python tools/notebooks.py export notebooks/02_momentum.ipynb [out.py]           # notebook -> percent script
    python tools/notebooks.py run [notebooks/02_momentum.ipynb ...]                 # execute, store the outputs
    python tools/notebooks.py check [notebooks/02_momentum.ipynb ...]               # are stored outputs current?
    python tools/notebooks.py lint [notebooks/02_momentum.ipynb ...]                # does it read as a lesson?

The notebooks are stored executed, so that they read on the repository page.
``run`` executes each one top to bottom in a fresh kernel (working directory
``notebooks/``, ``OPTIMLAB_NOTEBOOK=1`` so that :func:`optimlab.plots.style`
picks the light notebook resolution) and writes the outputs back, without
timestamps.  ``check`` executes a copy and compares it with the stored one:
the same code, the same text printed (numbers compared to 4 significant
digits, timings ignored) and the same number of figures per cell; the test
suite calls :func:`compare` on every notebook.

Percent scripts: ``# %% [markdown]`` starts a Markdown cell (its lines written
as ``# text``), ``# %%`` a code cell.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL_TIMEOUT = 600


def _nbformat():
    import nbformat

    return nbformat


def from_script(text: str):
    """A notebook from a percent-format script."""
    nbf = _nbformat()
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
            cells.append(nbf.v4.new_markdown_cell(body))
        elif body.strip():
            cells.append(nbf.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def to_script(nb) -> str:
    """A percent-format script from a notebook (the inverse of :func:`from_script`)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            body = "\n".join(("# " + line).rstrip() for line in cell.source.splitlines())
            parts.append("# %% [markdown]\n" + body)
        elif cell.cell_type == "code":
            parts.append("# %%\n" + cell.source)
    return "\n\n".join(parts) + "\n"


def execute(nb, cwd=NOTEBOOKS):
    """Run every cell of *nb* in a fresh kernel (in place); returns *nb*."""
    from nbclient import NotebookClient

    os.environ["OPTIMLAB_NOTEBOOK"] = "1"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # tiny matrices: threads only
        os.environ.setdefault(var, "1")  # contend with each other, which makes runtimes erratic on a busy machine
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    for cell in nb.cells:  # no timestamps: stored notebooks change only when their outputs do
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                out["data"]["image/png"] = compact_png(out["data"]["image/png"])
    return nb


def compact_png(encoded: str) -> str:
    """A base64 PNG re-encoded with a 128-colour palette: a third of the size, the same picture to the eye."""
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB")
    small = image.quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def read(path):
    return _nbformat().read(str(path), as_version=4)


def write(nb, path):
    _nbformat().write(nb, str(path))


_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+")
_TIMING = re.compile(r"\d+(?:\.\d+)?\s?(?:s|ms|seconds)\b")


def _normal(text: str) -> str:
    """Text with timings removed and every decimal number rounded to 4 significant digits."""
    text = _TIMING.sub("<time>", text)
    return _NUMBER.sub(lambda m: f"{float(m.group()):.4g}", text)


def _outputs(cell):
    """What a code cell shows: its normalised text, and how many images."""
    texts, images = [], 0
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            texts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            images += "image/png" in out.data
            if "text/plain" in out.data and "image/png" not in out.data and "text/html" not in out.data:
                texts.append(out.data["text/plain"])
            if "text/markdown" in out.data:
                texts.append(out.data["text/markdown"])
        elif out.output_type == "error":
            texts.append(f"ERROR {out.ename}: {out.evalue}")
    return _normal("".join(texts)), images


def compare(stored, fresh) -> list:
    """Differences between a stored notebook and a fresh execution of it (an empty list when current)."""
    problems = []
    if len(stored.cells) != len(fresh.cells):
        return [f"{len(stored.cells)} cells stored, {len(fresh.cells)} executed"]
    for i, (a, b) in enumerate(zip(stored.cells, fresh.cells)):
        if a.cell_type != "code":
            continue
        if a.get("execution_count") is None:
            problems.append(f"cell {i}: stored without being executed")
            continue
        (text_a, img_a), (text_b, img_b) = _outputs(a), _outputs(b)
        if img_a != img_b:
            problems.append(f"cell {i}: {img_a} figure(s) stored, {img_b} when run")
        if text_a != text_b:
            problems.append(f"cell {i}: stored output differs from a fresh run:\n  stored: {text_a[:300]!r}\n"
                            f"  fresh:  {text_b[:300]!r}")
        if img_a > 1:
            problems.append(f"cell {i}: shows {img_a} figures (each figure once, one per cell)")
    return problems


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
SOLUTIONS = NOTEBOOKS / "solutions"


def lint(path) -> list:
    """What keeps a chapter notebook from reading as a lesson (an empty list when it does).

    A chapter notebook opens with the lecture sections it covers and what the
    student can do afterwards; has at least 1,500 words of prose and 3 display
    equations; quotes the lecture at least once in a "The lecture says" box
    linking its row of the errata notebook; ends with a Summary and at least
    4 exercises whose solutions are functions ``exercise_1 ...`` in
    ``notebooks/solutions/<its number>_*.py``; is stored executed, one figure
    per cell at most; and sends nobody to files users do not have.
    """
    path = Path(path)
    nb = read(path)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    text = "\n".join(md)
    problems = []
    if not md or not md[0].lstrip().startswith("# "):
        problems.append("the first cell is not a Markdown title")
    elif "lecture" not in md[0].lower() or "after this notebook" not in md[0].lower():
        problems.append("the first cell does not say which lecture sections it covers and what the student "
                        "can do after it ('After this notebook ...')")
    words = len(_WORD.findall(text))
    if words < 1500:
        problems.append(f"{words} words of prose (at least 1,500)")
    equations = len(re.findall(r"\$\$.+?\$\$", text, re.S))
    if equations < 3:
        problems.append(f"{equations} display equations (at least 3)")
    if not re.search(r"(?im)^#+ .*summary", text):
        problems.append("no Summary section")
    exercises = re.split(r"(?im)^#+ .*exercises", text)
    count = len(re.findall(r"(?im)^(?:#+ |\*\*)exercise \d+", exercises[-1])) if len(exercises) > 1 else 0
    if count < 4:
        problems.append(f"{count} exercises (at least 4, headed 'Exercise 1', 'Exercise 2', ...)")
    number = path.name.split("_")[0]
    sols = sorted(SOLUTIONS.glob(f"{number}_*.py"))
    if not sols:
        problems.append(f"no solutions file notebooks/solutions/{number}_*.py")
    else:
        defined = re.findall(r"(?m)^def (exercise_\d+)\(", sols[0].read_text(encoding="utf-8"))
        if len(defined) < max(4, count):
            problems.append(f"{sols[0].name} defines {len(defined)} exercise functions for {count} exercises")
    if "the lecture says" not in text.lower():
        problems.append("no 'The lecture says' box quoting the lecture")
    if not re.search(r"11_errata\.ipynb#E\d{3}-\d+", text):
        problems.append("no link to a row of the errata notebook (11_errata.ipynb#E001-07 style)")
    try:
        import importlib

        chapter = importlib.import_module(f"optimlab.figures.ch{number}")
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        missing = [name for name in chapter.FIGURES if name not in code and name not in text]
        if missing:
            problems.append(f"does not show (name) its figures {missing}: name each figure file where the "
                            "notebook draws it, e.g. a comment '# figures/02_ravine.png'")
    except ImportError:
        pass
    everything = text + "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    if "../shared" in everything or "SPEC.md" in everything:
        problems.append("refers to ../shared or SPEC.md, which users do not have")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            if cell.get("execution_count") is None and cell.source.strip():
                problems.append(f"cell {i} is stored without being executed")
            if _outputs(cell)[1] > 1:
                problems.append(f"cell {i} shows {_outputs(cell)[1]} figures (one per cell)")
    return problems


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("build", "export", "run", "check", "lint"):
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if command == "build":
        src, out = Path(args[0]), Path(args[1])
        nb = from_script(src.read_text(encoding="utf-8"))
        write(execute(nb), out)
        print(f"wrote {out}")
        return 0
    if command == "export":
        text = to_script(read(args[0]))
        if len(args) > 1:
            Path(args[1]).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    paths = [Path(a) for a in args] or sorted(NOTEBOOKS.glob("*.ipynb"))
    status = 0
    for path in paths:
        if command == "lint":
            problems = lint(path)
            print(f"{path}: " + ("reads as a lesson" if not problems else "\n  ".join([""] + problems)))
            status |= bool(problems)
        elif command == "run":
            write(execute(read(path)), path)
            print(f"ran {path}")
        else:
            problems = compare(read(path), execute(read(path)))
            print(f"{path}: " + ("current" if not problems else "\n  ".join(["OUT OF DATE"] + problems)))
            status |= bool(problems)
    return status


if __name__ == "__main__":
    sys.exit(main())
