"""Plain data <-> flat dicts of arrays, so that any optimizer state (nested dicts and lists of
arrays, numbers, strings, booleans and None) can be written to ``.npz`` without pickle.

``pack(tree)`` returns ``{"__skeleton__": <JSON text>, "a0": array, "a1": array, ...}``: the
JSON keeps the structure and every scalar exactly (floats are written with ``repr``), arrays are
referred to by name.  ``unpack(pack(tree))`` rebuilds an equal tree.
"""

from __future__ import annotations

import json
import numbers
from typing import Any, Mapping

import numpy as np

from ._errors import InputTypeError

SKELETON = "__skeleton__"


def pack(tree: Any) -> dict:
    """The flat form of *tree*; ``InputTypeError`` for anything that is not plain data (object arrays too)."""
    arrays: dict = {}

    def walk(x):
        if isinstance(x, np.ndarray):
            if x.dtype.hasobject:
                raise InputTypeError("state holds an array of Python objects (dtype object), which cannot be "
                                     "written without pickle; optimizer states hold numeric arrays only")
            name = f"a{len(arrays)}"
            arrays[name] = x
            return {"__array__": name}
        if isinstance(x, Mapping):
            if not all(isinstance(k, str) for k in x):
                raise InputTypeError("state dict keys must be strings")
            return {"__dict__": [[k, walk(v)] for k, v in x.items()]}
        if isinstance(x, (list, tuple)):
            return [walk(v) for v in x]
        if isinstance(x, (bool, np.bool_)):
            return bool(x)
        if isinstance(x, numbers.Integral):
            return int(x)
        if isinstance(x, numbers.Real):
            return {"__float__": repr(float(x))}
        if x is None or isinstance(x, str):
            return x
        raise InputTypeError(f"state holds a {type(x).__name__}, which is not plain data")

    skeleton = json.dumps(walk(tree))
    return {SKELETON: np.array(skeleton), **arrays}


def unpack(flat: Mapping) -> Any:
    """The tree :func:`pack` flattened; ``ValueError`` (saying what is wrong) for anything it did not write."""
    if SKELETON not in flat:
        raise ValueError("not a packed optimlab state: no skeleton entry")

    def walk(x):
        if isinstance(x, dict):
            if set(x) == {"__array__"}:
                return np.asarray(flat[x["__array__"]])
            if set(x) == {"__float__"}:
                return float(x["__float__"])
            if set(x) != {"__dict__"} or not isinstance(x["__dict__"], list):
                raise ValueError(f"unknown node {sorted(x)}")
            pairs = x["__dict__"]
            if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
                raise ValueError("a dict node must hold [key, value] pairs with string keys")
            return {k: walk(v) for k, v in pairs}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if x is None or isinstance(x, (bool, int, str)):
            return x
        raise ValueError(f"unexpected {type(x).__name__} in the skeleton")

    try:
        return walk(json.loads(str(np.asarray(flat[SKELETON]))))
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not a well-formed packed optimlab state ({type(exc).__name__}: {exc})") from None
