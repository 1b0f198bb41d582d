"""Checkpoints: ``optimlab.save(path, params, state)`` and ``optimlab.load(path)``, as ``.npz`` without pickle.

The file holds the params arrays under ``params/<name>``, the optimizer state
packed by :mod:`optimlab._plain` (its structure as JSON, its arrays as
entries), any extra metadata, and a format marker.  It loads with
``np.load(..., allow_pickle=False)``, so a checkpoint cannot run code.
Arrays come back bit for bit, so a run resumed from a checkpoint continues
exactly as if it had not stopped (tested for every registered optimizer).
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from . import _plain
from ._errors import InputTypeError
from .optimizers._base import SINGLE_KEY, as_tree, is_floating

FORMAT = "optimlab-checkpoint-1"
_MARK = "__optimlab__"


def _path(path, function):
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"{function}: argument 'path' must be a str or os.PathLike; got {type(path).__name__}")
    return os.fspath(path)


def save(path, params, state=None, **meta):
    """Write *params* (a dict of arrays, or one array), optimizer *state* and JSON-able *meta* to *path*.

    ``ValueError`` (``InputTypeError`` for a wrong type) before anything is
    written: params that are not floating arrays or whose names are not
    strings without '/', a state that is not plain data (an object array
    included: it would need pickle), metadata that is not JSON, or a path that
    cannot be written (a missing folder).
    """
    path = _path(path, "save")
    tree, single = as_tree(params)
    entries = {}
    for key, value in tree.items():
        if not isinstance(key, str) or "/" in key:
            raise ValueError(f"save: param names must be strings without '/'; got {key!r}")
        entries[f"params/{key}"] = value
    for key, value in _plain.pack(state).items():
        entries[f"state/{key}"] = value
    header = {"format": FORMAT, "single": single, "order": list(tree), "meta": meta}
    try:
        entries[_MARK] = np.array(json.dumps(header))
    except (TypeError, ValueError) as e:
        raise InputTypeError(f"save: checkpoint metadata must be JSON-serialisable: {e}") from None
    try:
        with open(path, "wb") as f:
            np.savez(f, **entries)
    except OSError as e:
        raise ValueError(f"save: cannot write {path}: {e.strerror or e}") from None


class _Malformed(ValueError):
    """A checkpoint file that is readable but not what :func:`save` writes."""


def _header(z):
    if _MARK not in z.files:
        raise _Malformed(f"it has no {_MARK!r} entry")
    mark = z[_MARK]
    if mark.shape != () or mark.dtype.kind != "U":
        raise _Malformed(f"its {_MARK!r} entry is a {mark.dtype} array of shape {mark.shape}, not a string")
    header = json.loads(str(mark))
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        got = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise _Malformed(f"its format is {got!r}, not {FORMAT!r}")
    order, single, meta = header.get("order"), header.get("single"), header.get("meta")
    if not isinstance(order, list) or not order or not all(isinstance(k, str) and "/" not in k for k in order) \
            or len(set(order)) != len(order):
        raise _Malformed("its header has no list of distinct param names")
    if not isinstance(single, bool) or (single and order != [SINGLE_KEY]):
        raise _Malformed("its header's 'single' flag is not a boolean that fits its params")
    if not isinstance(meta, dict):
        raise _Malformed("its header's 'meta' is not a dict")
    return header


def load(path, with_meta=False):
    """Read a checkpoint: ``(params, state)``, or ``(params, state, meta)`` with ``with_meta=True``.

    Raises one ``ValueError`` naming the file for anything that is not an
    optimlab checkpoint (a foreign ``.npz``, a truncated, corrupted or crafted
    file); it never unpickles.
    """
    path = _path(path, "load")
    if not isinstance(with_meta, bool):
        raise InputTypeError(f"load: argument 'with_meta' must be True or False; got {with_meta!r}")
    try:
        with np.load(path, allow_pickle=False) as z:
            header = _header(z)
            tree = {}
            for key in header["order"]:
                if f"params/{key}" not in z.files:
                    raise _Malformed(f"its header names param {key!r}, which it does not hold")
                tree[key] = z[f"params/{key}"]
                if not is_floating(tree[key].dtype):
                    raise _Malformed(f"its param {key!r} has dtype {tree[key].dtype}, not a floating one")
            state = _plain.unpack({k[len("state/"):]: z[k] for k in z.files if k.startswith("state/")})
    except _Malformed as e:
        raise ValueError(f"{path} is not an optimlab checkpoint: {e}") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            ValueError) as e:
        raise ValueError(f"{path} could not be read as an optimlab checkpoint: {type(e).__name__}: {e}") from None
    params = tree[SINGLE_KEY] if header["single"] else tree
    return (params, state, header["meta"]) if with_meta else (params, state)
