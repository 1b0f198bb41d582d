"""The ``optimlab`` command line (argparse, standard library only).

    optimlab list        every registered optimizer: family, year, paper, hparams and defaults
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optimlab",
        description="optimlab: a pure-NumPy, educational reference implementation of deep-learning optimizers.",
    )
    parser.add_argument("--version", action="version", version=f"optimlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("list", help="list every registered optimizer with its family, year, paper and defaults")
    p.set_defaults(func=_cmd_list)
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
