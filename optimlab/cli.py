"""The ``optimlab`` command line (argparse, standard library only).

    optimlab list        every registered optimizer: family, year, paper, hparams and defaults
    optimlab bench fused [--size 16M] [--dtype float32]    fused vs reference steps vs torch
    optimlab bench mlp   the MLP training step, optimlab vs torch eager
    optimlab tour        regenerate every figure in figures/ and print a summary table
    optimlab race --landscape rosenbrock --optimizers sgd,momentum,adam --steps 300 [--gif out.gif]
    optimlab train --optimizers sgd,adam,ranger --epochs 10
    optimlab check my_adam.py:adam_step adam [--signature cs231n] [--hparams '{"eps_hat": true}']
    optimlab tune [--benchmarks rosenbrock,mnist_b32] [--optimizers sgd,adam] [--seeds 5] [--quick] [--out FILE]
    optimlab --version

Every bad argument gives one line ``optimlab: error: ...`` on stderr and exit
status 2 (names are checked with close-match suggestions, counts must be
positive, output folders must exist); ``--help`` shows every default.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from pathlib import Path

from . import __version__
from ._errors import suggest
from .optimizers import REGISTRY

SECOND_ORDER = ("newton", "bfgs", "lbfgs")


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every default, but not ``None`` or ``False`` (their help says what they mean) nor twice."""

    def _get_help_string(self, action):
        if action.default in (None, False) or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, ``optimlab: error: ...``, and exit status 2."""

    def error(self, message):
        fail(message)


def error_line(message) -> int:
    """Print ``optimlab: error: <message>`` (one line) on stderr; returns the exit status 2."""
    sys.stderr.write(f"optimlab: error: {' '.join(str(message).split())}\n")
    return 2


def fail(message) -> None:
    """:func:`error_line`, then exit with status 2."""
    sys.exit(error_line(message))


def note(message) -> None:
    """Print ``optimlab: note: <message>`` (one line) on stderr."""
    sys.stderr.write(f"optimlab: note: {' '.join(str(message).split())}\n")


# --- argument types: each raises ArgumentTypeError with a message argparse prints as it is ---------------

def _count(text) -> int:
    """A positive integer (a count: steps, epochs, repeats, a batch size, threads)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _seed(text) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer; got {text!r}")
    return value


def _size(text) -> int:
    from .bench import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _name(kind, valid):
    def check(text):
        if text not in valid:
            raise argparse.ArgumentTypeError(f"unknown {kind} {text!r}; known: {', '.join(valid)}." + suggest(text, valid))
        return text

    check.__name__ = kind
    return check


def _names(text) -> tuple:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _name_list(kind, valid, example):
    """An argparse type: a non-empty comma-separated list of *kind* names, each in ``valid()``."""

    def check(text) -> tuple:
        names = _names(text)
        if not names:
            raise argparse.ArgumentTypeError(f"expected comma-separated {kind} names, e.g. {example}")
        for name in names:
            _name(kind, valid())(name)
        return names

    check.__name__ = kind + "s"
    return check


def _benchmark_names():
    from .tuning import BENCHMARKS  # imported when the argument is parsed: the other commands never need it

    return BENCHMARKS


_optimizers = _name_list("optimizer", lambda: REGISTRY, "sgd,adam")
_benchmarks = _name_list("benchmark", _benchmark_names, "rosenbrock,mnist_b32")


def _output_file(text) -> str:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name")
    if not path.resolve().parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {str(path.parent)!r} does not exist")
    return text


def _output_folder(text) -> str:
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    return text


def _json_object(text) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at character {exc.pos}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object such as {{\"lr\": 0.1}}; got {text!r}")
    return value


def _format_default(value) -> str:
    return repr(value) if isinstance(value, (bool, str)) or value is None else f"{value:g}"


def list_table(width: int | None = None) -> str:
    """The text of ``optimlab list``: a row per optimizer, its hparams and defaults wrapped beneath."""
    from . import _args

    width = _args.integer("list_table", "width", width, 1, optional=True) or shutil.get_terminal_size((100, 24)).columns
    head = ("optimizer", "family", "year", "paper")
    rows = [(name, m.FAMILY, str(m.YEAR), m.PAPER) for name, m in REGISTRY.items()]
    cols = [max(len(r[i]) for r in rows + [head]) for i in range(3)]
    indent = " " * (cols[0] + 2)
    fmt = "  ".join(f"{{:<{w}}}" for w in cols) + "  {}"
    lines = [fmt.format(*head), indent + "hparams (defaults)", "-" * min(width, 100)]
    for row in rows:
        defaults = REGISTRY[row[0]].DEFAULTS
        hparams = ", ".join(f"{k}={_format_default(v)}" for k, v in defaults.items())
        lines.append(fmt.format(*row))
        lines.extend(textwrap.wrap(hparams, max(40, width - len(indent)), initial_indent=indent,
                                   subsequent_indent=indent))
    return "\n".join(lines)


def _cmd_list(args) -> int:
    print(list_table())
    return 0


def _cmd_bench(args) -> int:
    from . import bench

    print(bench.machine())
    if args.what == "fused":
        size = args.size
        rows = bench.bench_fused(size, args.dtype, args.optimizer, args.repeat, args.threads)
        print(f"{args.optimizer} step on {size:,} {args.dtype} parameters (median of {args.repeat} runs)")
        print(bench.table(rows, baseline="optimlab.fused"))
        torch_fused = next((s for label, s in rows if "fused=True" in label), None)
        fused_s = next(s for label, s in rows if label.startswith("optimlab.fused"))
        ref_s = rows[0][1]
        print(f"\nfused vs reference: {ref_s / fused_s:.1f}x faster")
        if torch_fused:
            foreach = next(s for label, s in rows if "foreach=True" in label)
            print(f"fused vs torch fused=True: {fused_s / torch_fused:.2f}x the time; "
                  f"vs torch foreach=True: {fused_s / foreach:.2f}x the time")
    else:
        rows = bench.bench_mlp(args.batch, repeat=args.repeat)
        print(f"784-256-256-10 MLP, batch {args.batch}, forward + backward + SGD step (median of {args.repeat} runs)")
        print(bench.table(rows, baseline="torch") if len(rows) > 2 else bench.table(rows))
    return 0


def _defaults_text(name) -> str:
    shown = [f"{k}={_format_default(v)}" for k, v in REGISTRY[name].DEFAULTS.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)][:3]
    return ", ".join(shown)


def untuned_race(landscape, optimizers) -> list:
    """The optimizers that ``optimlab race`` runs on *landscape* with their defaults (nothing tuned for it)."""
    from .experiments import suggested

    return [name for name in optimizers if not suggested(name, landscape)]


def untuned_train(optimizers) -> list:
    """The optimizers that ``optimlab train`` runs on the digits MLP with their defaults (nothing tuned for it)."""
    from .experiments import SHOOTOUT

    tuned = {opt for _, opt, _ in SHOOTOUT}
    return [name for name in optimizers if name not in tuned]


def _cmd_tour(args) -> int:
    from .tour import tour

    tour(args.out, quiet=args.quiet)
    return 0


def _cmd_race(args) -> int:
    from .tour import race

    for name in untuned_race(args.landscape, args.optimizers):
        note(f"{name} has no hparams tuned for {args.landscape}: it runs with its defaults ({_defaults_text(name)}), "
             "which may not suit this landscape")
    race(args.landscape, args.optimizers, args.steps, args.out, args.gif)
    return 0


def _cmd_train(args) -> int:
    from .tour import train_digits

    for name in args.optimizers:
        if name == "newton":
            fail("newton needs the Hessian of the loss, which the digits MLP does not provide; try it on a "
                 "landscape: optimlab race --optimizers newton")
        if name in SECOND_ORDER and not args.allow_second_order:
            fail(f"{name} is a full-batch second-order method: on the MLP it would keep curvature from noisy "
                 "mini-batch gradients over thousands of parameters (slow, and it diverges); race it on a "
                 "landscape instead, or pass --allow-second-order to run it anyway")
    for name in untuned_train(args.optimizers):
        note(f"{name} has no hparams tuned for the digits MLP: it trains with its defaults "
             f"({_defaults_text(name)}), which may learn little")
    train_digits(args.optimizers, args.epochs, args.batch_size, args.out, args.seed)
    return 0


def load_function(spec: str):
    """``"path/to/file.py:name"`` -> the function *name* defined in that file (ValueError if impossible)."""
    import importlib.util
    from pathlib import Path

    if not isinstance(spec, str):
        raise ValueError(f"expected FILE.py:FUNCTION as a string; got {type(spec).__name__}")
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise ValueError(f"expected FILE.py:FUNCTION, got {spec!r}")
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"no such file: {path}")
    module_spec = importlib.util.spec_from_file_location(f"optimlab_check_{file.stem}", file)
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:  # the student's file: say what went wrong in it
        raise ValueError(f"importing {path} raised {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        defined = sorted(k for k, v in vars(module).items() if callable(v) and getattr(v, "__module__", "") ==
                         module.__name__)
        raise ValueError(f"{path} has no function {name!r}" + (f" (it defines: {', '.join(defined)})" if defined
                                                                 else ""))
    return fn


def _cmd_check(args) -> int:
    from ._check import check

    fn = load_function(args.function)
    report = check(fn, args.optimizer, signature=args.signature, hparams=args.hparams, steps=args.steps)
    print(report)
    return 0 if report.ok else 1


def _cmd_tune(args) -> int:
    from . import tuning

    results = tuning.tune(args.benchmarks, args.optimizers or tuning.OPTIMIZERS, seeds=args.seeds, quick=args.quick,
                          progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"wrote {tuning.save(results, args.out)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    formatter = _Formatter
    parser = _Parser(
        prog="optimlab",
        description="optimlab: a pure-NumPy, educational reference implementation of deep-learning optimizers.",
    )
    parser.add_argument("--version", action="version", version=f"optimlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("list", help="list every registered optimizer with its family, year, paper and defaults",
                       formatter_class=formatter)
    p.set_defaults(func=_cmd_list)
    from .fused import REGISTRY as FUSED
    from .landscapes import LANDSCAPES

    b = sub.add_parser("bench", help="time fused vs reference steps (and torch), or the MLP step; prints ratios",
                       formatter_class=formatter)
    b.add_argument("what", choices=["fused", "mlp"], help="what to time")
    b.add_argument("--size", type=_size, default="16M", help="parameters for 'fused' (e.g. 16M, 300K, 1000)")
    b.add_argument("--dtype", default="float32", choices=["float32", "float64"], help="dtype for 'fused'")
    b.add_argument("--optimizer", type=_name("fused optimizer", list(FUSED)), default="adamw",
                   help=f"fused optimizer for 'fused' ({', '.join(FUSED)})")
    b.add_argument("--repeat", type=_count, default=7, help="timed runs per row (the median is reported)")
    b.add_argument("--threads", type=_count, default=None, help="threads for the fused step (default: all CPUs)")
    b.add_argument("--batch", type=_count, default=128, help="batch size for 'mlp'")
    b.set_defaults(func=_cmd_bench)
    t = sub.add_parser("tour", help="regenerate every figure into figures/ and print a summary table",
                       formatter_class=formatter)
    t.add_argument("--out", type=_output_folder, default="figures", help="folder for the PNGs (created if needed)")
    t.add_argument("--quiet", action="store_true", help="no progress lines")
    t.set_defaults(func=_cmd_tour)
    r = sub.add_parser("race", help="optimizers' trajectories on a landscape's contour plot (PNG, optional GIF)",
                       formatter_class=formatter)
    r.add_argument("--landscape", type=_name("landscape", list(LANDSCAPES)), default="rosenbrock",
                   help=f"one of {', '.join(LANDSCAPES)}")
    r.add_argument("--optimizers", type=_optimizers, default="sgd,momentum,adam", help="comma-separated registry names")
    r.add_argument("--steps", type=_count, default=300, help="steps per optimizer")
    r.add_argument("--out", type=_output_file, default=None, help="PNG path (default: race_<landscape>.png)")
    r.add_argument("--gif", type=_output_file, default=None, help="also write an animated GIF here")
    r.set_defaults(func=_cmd_race)
    tr = sub.add_parser("train", help="train the digits MLP with several optimizers; table + loss curves",
                        formatter_class=formatter)
    tr.add_argument("--optimizers", type=_optimizers, default="sgd,adam,ranger", help="comma-separated registry names")
    tr.add_argument("--epochs", type=_count, default=10, help="passes over the training set")
    tr.add_argument("--batch-size", type=_count, default=32, help="mini-batch size")
    tr.add_argument("--seed", type=_seed, default=0, help="seed for the initialisation and the shuffling")
    tr.add_argument("--out", type=_output_file, default=None, help="PNG path for the loss curves "
                                                                  "(default: train_digits.png)")
    tr.add_argument("--allow-second-order", action="store_true",
                    help="run bfgs/lbfgs on the MLP anyway (full-batch methods on mini-batches: slow, diverge)")
    tr.set_defaults(func=_cmd_train)
    c = sub.add_parser("check", help="check your own optimizer function against optimlab's and name the slip",
                       formatter_class=formatter,
                       description="Runs FUNCTION beside optimlab's OPTIMIZER in float64 on random probes and "
                                   "says whether they agree; if not, which convention or slip reproduces yours. "
                                   "Exit status 0 if it passes, 1 if not, 2 for a usage error.")
    c.add_argument("function", metavar="FILE.py:FUNCTION", help="the file and the name of your step function")
    c.add_argument("optimizer", metavar="OPTIMIZER", type=_name("optimizer", REGISTRY),
                   help="the registry name to check against (e.g. adam)")
    c.add_argument("--signature", choices=["optimlab", "cs231n"], default="optimlab",
                   help="optimlab: fn(params, grads, state, hparams) -> (params, state); "
                        "cs231n: fn(w, dw, config=None) -> (next_w, config)")
    c.add_argument("--hparams", type=_json_object, default=None, help='hparams as JSON, e.g. \'{"eps_hat": true}\'')
    c.add_argument("--steps", type=_count, default=30, help="steps per probe")
    c.set_defaults(func=_cmd_check)
    tu = sub.add_parser("tune", help="tune every optimizer's learning rate on the same grid, re-run with seeds (JSON)",
                        formatter_class=formatter,
                        description="The fair-comparison protocol of optimlab.tuning: each optimizer's learning rate "
                                    "on one shared log grid with the same budget, the best re-run with fresh seeds. "
                                    "The shipped results (optimlab/data/tuning.json) were made with the defaults.")
    tu.add_argument("--benchmarks", type=_benchmarks, default=None,
                    help="comma-separated (default: all of optimlab.tuning.BENCHMARKS)")
    tu.add_argument("--optimizers", type=_optimizers, default=None,
                    help="comma-separated registry names (default: every first-order optimizer)")
    tu.add_argument("--seeds", type=_count, default=5, help="re-runs of the best learning rate")
    tu.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, not a result")
    tu.add_argument("--out", type=_output_file, default="tuning.json", help="the JSON file to write")
    tu.set_defaults(func=_cmd_tune)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status (2, after one ``optimlab: error:`` line, for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except ValueError as exc:  # every optimlab error about an argument's value (InputTypeError included)
        return error_line(exc)
    except OSError as exc:  # an output file that cannot be written
        return error_line(f"{exc.filename}: {exc.strerror or exc}" if exc.filename else exc)


if __name__ == "__main__":
    sys.exit(main())
