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
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

from . import __version__
from .optimizers import REGISTRY


def _format_default(value) -> str:
    return repr(value) if isinstance(value, (bool, str)) or value is None else f"{value:g}"


def list_table(width: int | None = None) -> str:
    """The text of ``optimlab list``: a row per optimizer, its hparams and defaults wrapped beneath."""
    width = width or shutil.get_terminal_size((100, 24)).columns
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
        size = bench.parse_size(args.size)
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


def _names(text):
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _cmd_tour(args) -> int:
    from .tour import tour

    tour(args.out, quiet=args.quiet)
    return 0


def _cmd_race(args) -> int:
    from .tour import race

    race(args.landscape, _names(args.optimizers), args.steps, args.out, args.gif)
    return 0


def _cmd_train(args) -> int:
    from .tour import train_digits

    train_digits(_names(args.optimizers), args.epochs, args.batch_size, args.out, args.seed)
    return 0


def load_function(spec: str):
    """``"path/to/file.py:name"`` -> the function *name* defined in that file (ValueError if impossible)."""
    import importlib.util
    from pathlib import Path

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
    import json

    from ._check import check

    try:
        fn = load_function(args.function)
        hparams = json.loads(args.hparams) if args.hparams else None
        report = check(fn, args.optimizer, signature=args.signature, hparams=hparams, steps=args.steps)
    except (ValueError, json.JSONDecodeError) as exc:
        print(f"optimlab check: error: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1


def _cmd_tune(args) -> int:
    from . import tuning

    try:
        results = tuning.tune(_names(args.benchmarks) if args.benchmarks else None,
                              _names(args.optimizers) if args.optimizers else tuning.OPTIMIZERS,
                              seeds=args.seeds, quick=args.quick,
                              progress=lambda line: print(line, file=sys.stderr, flush=True))
        path = tuning.save(results, args.out)
    except ValueError as exc:
        print(f"optimlab tune: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optimlab",
        description="optimlab: a pure-NumPy, educational reference implementation of deep-learning optimizers.",
    )
    parser.add_argument("--version", action="version", version=f"optimlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("list", help="list every registered optimizer with its family, year, paper and defaults")
    p.set_defaults(func=_cmd_list)
    b = sub.add_parser("bench", help="time fused vs reference steps (and torch), or the MLP step; prints ratios")
    b.add_argument("what", choices=["fused", "mlp"])
    b.add_argument("--size", default="16M", help="parameters for 'fused' (e.g. 16M, 300K); default 16M")
    b.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    b.add_argument("--optimizer", default="adamw", choices=["sgd", "momentum", "adam", "adamw", "lion"])
    b.add_argument("--repeat", type=int, default=7, help="timed runs per row (the median is reported)")
    b.add_argument("--threads", type=int, default=None, help="threads for the fused step (default: all CPUs)")
    b.add_argument("--batch", type=int, default=128, help="batch size for 'mlp'")
    b.set_defaults(func=_cmd_bench)
    t = sub.add_parser("tour", help="regenerate every figure into figures/ and print a summary table")
    t.add_argument("--out", default="figures", help="folder for the PNGs (default: figures)")
    t.add_argument("--quiet", action="store_true", help="no progress lines")
    t.set_defaults(func=_cmd_tour)
    r = sub.add_parser("race", help="optimizers' trajectories on a landscape's contour plot (PNG, optional GIF)")
    r.add_argument("--landscape", default="rosenbrock", help="rosenbrock, ravine, saddle, beale")
    r.add_argument("--optimizers", default="sgd,momentum,adam", help="comma-separated registry names")
    r.add_argument("--steps", type=int, default=300)
    r.add_argument("--out", default=None, help="PNG path (default: race_<landscape>.png)")
    r.add_argument("--gif", default=None, help="also write an animated GIF here")
    r.set_defaults(func=_cmd_race)
    tr = sub.add_parser("train", help="train the digits MLP with several optimizers; table + loss curves")
    tr.add_argument("--optimizers", default="sgd,adam,ranger", help="comma-separated registry names")
    tr.add_argument("--epochs", type=int, default=10)
    tr.add_argument("--batch-size", type=int, default=32)
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--out", default=None, help="PNG path for the loss curves (default: train_digits.png)")
    tr.set_defaults(func=_cmd_train)
    c = sub.add_parser("check", help="check your own optimizer function against optimlab's and name the slip",
                       description="Runs FUNCTION beside optimlab's OPTIMIZER in float64 on random probes and "
                                   "says whether they agree; if not, which convention or slip reproduces yours. "
                                   "Exit status 0 if it passes, 1 if not, 2 for a usage error.")
    c.add_argument("function", metavar="FILE.py:FUNCTION", help="the file and the name of your step function")
    c.add_argument("optimizer", metavar="OPTIMIZER", help="the registry name to check against (e.g. adam)")
    c.add_argument("--signature", choices=["optimlab", "cs231n"], default="optimlab",
                   help="optimlab: fn(params, grads, state, hparams) -> (params, state); "
                        "cs231n: fn(w, dw, config=None) -> (next_w, config) (default: optimlab)")
    c.add_argument("--hparams", default=None, help='hparams as JSON, e.g. \'{"eps_hat": true}\'')
    c.add_argument("--steps", type=int, default=30, help="steps per probe (default: 30)")
    c.set_defaults(func=_cmd_check)
    tu = sub.add_parser("tune", help="tune every optimizer's learning rate on the same grid, re-run with seeds (JSON)",
                        description="The fair-comparison protocol of optimlab.tuning: each optimizer's learning rate "
                                    "on one shared log grid with the same budget, the best re-run with fresh seeds. "
                                    "The shipped results (optimlab/data/tuning.json) were made with the defaults.")
    tu.add_argument("--benchmarks", default=None, help="comma-separated (default: all of optimlab.tuning.BENCHMARKS)")
    tu.add_argument("--optimizers", default=None, help="comma-separated registry names (default: all first-order)")
    tu.add_argument("--seeds", type=int, default=5, help="re-runs of the best learning rate (default: 5)")
    tu.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run, not a result")
    tu.add_argument("--out", default="tuning.json", help="the JSON file to write (default: tuning.json)")
    tu.set_defaults(func=_cmd_tune)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
