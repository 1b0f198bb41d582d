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

SKELETON = "__skeleton__"


def pack(tree: Any) -> dict:
    arrays: dict = {}

    def walk(x):
        if isinstance(x, np.ndarray):
            name = f"a{len(arrays)}"
            arrays[name] = x
            return {"__array__": name}
        if isinstance(x, Mapping):
            if not all(isinstance(k, str) for k in x):
                raise TypeError("state dict keys must be strings")
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
        raise TypeError(f"state holds a {type(x).__name__}, which is not plain data")

    skeleton = json.dumps(walk(tree))
    return {SKELETON: np.array(skeleton), **arrays}


def unpack(flat: Mapping) -> Any:
    if SKELETON not in flat:
        raise ValueError("not a packed optimlab state: no skeleton entry")

    def walk(x):
        if isinstance(x, dict):
            if "__array__" in x:
                return np.asarray(flat[x["__array__"]])
            if "__float__" in x:
                return float(x["__float__"])
            return {k: walk(v) for k, v in x["__dict__"]}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(json.loads(str(np.asarray(flat[SKELETON]))))
