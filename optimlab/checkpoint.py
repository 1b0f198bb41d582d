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

FORMAT = "optimlab-checkpoint-1"
_MARK = "__optimlab__"


def save(path, params, state=None, **meta):
    """Write *params* (a dict of arrays, or one array), optimizer *state* and JSON-able *meta* to *path*."""
    single = isinstance(params, np.ndarray)
    tree = {"param": params} if single else dict(params)
    entries = {}
    for key, value in tree.items():
        if not isinstance(key, str) or "/" in key:
            raise ValueError(f"param names must be strings without '/'; got {key!r}")
        entries[f"params/{key}"] = np.asarray(value)
    for key, value in _plain.pack(state).items():
        entries[f"state/{key}"] = value
    header = {"format": FORMAT, "single": single, "order": list(tree), "meta": meta}
    try:
        entries[_MARK] = np.array(json.dumps(header))
    except TypeError as e:
        raise TypeError(f"checkpoint metadata must be JSON-serialisable: {e}") from None
    with open(os.fspath(path), "wb") as f:
        np.savez(f, **entries)


def load(path, with_meta=False):
    """Read a checkpoint: ``(params, state)``, or ``(params, state, meta)`` with ``with_meta=True``.

    Raises ``ValueError`` naming the file if it is not an optimlab checkpoint
    (a foreign ``.npz``, a truncated or corrupted file).
    """
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            if _MARK not in z.files:
                raise ValueError(f"{path} is not an optimlab checkpoint (no {_MARK!r} entry)")
            header = json.loads(str(z[_MARK]))
            if header.get("format") != FORMAT:
                raise ValueError(f"{path}: unknown checkpoint format {header.get('format')!r}; expected {FORMAT!r}")
            tree = {key: z[f"params/{key}"] for key in header["order"]}
            state = _plain.unpack({k[len("state/"):]: z[k] for k in z.files if k.startswith("state/")})
    except ValueError as e:
        if str(e).startswith(path):
            raise
        raise ValueError(f"{path} could not be read as an optimlab checkpoint: {e}") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} could not be read as an optimlab checkpoint: {type(e).__name__}: {e}") from None
    params = tree["param"] if header["single"] else tree
    return (params, state, header["meta"]) if with_meta else (params, state)
