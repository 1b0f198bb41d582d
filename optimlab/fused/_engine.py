"""The machinery shared by the fused steps: checking, flat state buffers, cache-sized blocks, threads.

A fused step is described by a *kernel*: a function that updates one block
in place, ``kernel(c, P, G, S, T1, T2)``, where ``P`` and ``G`` are
1-D views of a block of the params and grads, ``S`` maps slot names to the
same block of the flat state buffers, ``T1``/``T2`` are scratch arrays of
the block's length and ``c`` holds the step's scalar constants.  Every
ufunc in a kernel writes into an existing array (``out=`` or in-place), so a
block is read from memory once, worked on in cache, and written once.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._errors import InputTypeError
from ..optimizers._base import as_tree, check_owner, match_grads

#: Elements per block: 4 arrays of the block (param, grad, two moments) plus two scratch arrays
#: stay within a 2 MiB L2 cache for float32 at 64K and are worth the per-call overhead up to 256K.
BLOCK = 1 << 17
#: Below this many elements a step runs on the calling thread: handing blocks to another thread costs
#: more than it saves, and competes with BLAS threads that are still spinning after a matmul.
MIN_PARALLEL = 1 << 21

_pool = None
_pool_lock = threading.Lock()
_scratch = threading.local()


def default_threads() -> int:
    """``OPTIMLAB_THREADS`` if set, else the number of CPUs (NumPy ufuncs release the GIL)."""
    return max(1, int(os.environ.get("OPTIMLAB_THREADS", os.cpu_count() or 1)))


def _executor(threads):
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < threads:
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="optimlab-fused")
        return _pool


def flat_params(params, dtype=None):
    """Copy *params* into one contiguous buffer and return a dict of views into it (same keys, shapes).

    Fused steps see that the views are adjacent and treat them as one long
    array, like PyTorch's flat-parameter / multi-tensor helpers; use it for
    models with many small arrays.  (The views share memory: updating one
    updates the buffer.)
    """
    tree, _ = as_tree(params)
    dtype = np.dtype(dtype or next(iter(tree.values())).dtype)
    buffer = np.empty(sum(v.size for v in tree.values()), dtype=dtype)
    out, start = {}, 0
    for key, value in tree.items():
        view = buffer[start:start + value.size].reshape(value.shape)
        view[...] = value
        out[key], start = view, start + value.size
    return out


def _segments(arrays):
    """Group consecutive arrays that sit end to end in memory into (start index, stop index) runs."""
    runs, start = [], 0
    for i in range(1, len(arrays) + 1):
        if i == len(arrays) or arrays[i].ctypes.data != arrays[i - 1].ctypes.data + arrays[i - 1].nbytes:
            runs.append((start, i))
            start = i
    return runs


def _merge(arrays, lo, hi):
    """One 1-D array over arrays[lo:hi], which are adjacent in memory and share a dtype."""
    if hi - lo == 1:
        return arrays[lo].reshape(-1)
    total = sum(a.size for a in arrays[lo:hi])
    first = arrays[lo]
    return np.lib.stride_tricks.as_strided(first.reshape(-1), shape=(total,), strides=(first.itemsize,),
                                           writeable=first.flags.writeable)


def prepare(name, params, grads, state, slots, check_finite):
    """Check everything, lay out the work; returns ``(tree, single, t, buffers, jobs)``.

    *jobs* is a list of ``(param_1d, grad_1d, offset)`` covering every element
    once, where ``offset`` locates the piece in the flat state buffers.
    """
    tree, single = as_tree(params)
    gtree = match_grads(tree, grads, single, check_finite)
    dtypes = {v.dtype for v in tree.values()}
    if len(dtypes) != 1:
        raise InputTypeError(f"fused {name} needs all params in one dtype; got {sorted(map(str, dtypes))}")
    dtype = dtypes.pop()
    for key, theta in tree.items():
        if not (theta.flags.c_contiguous and theta.flags.writeable):
            raise ValueError(f"params[{key!r}] must be a writeable C-contiguous array: fused steps update in place")
    sizes = [int(v.size) for v in tree.values()]
    n = sum(sizes)
    if state is None:
        t, buffers = 0, {s: np.zeros(n, dtype) for s in slots}
    else:
        t, buffers = check_state(name, state, list(tree), sizes, slots, dtype)
    thetas = list(tree.values())
    gs = [np.ascontiguousarray(gtree[k], dtype=dtype) for k in tree]
    jobs = []
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    for lo, hi in _segments(thetas):
        # grads must be adjacent over the same run to share it; otherwise split the run per array
        pieces = [(lo, hi)] if hi - lo == 1 or _segments(gs[lo:hi]) == [(0, hi - lo)] else [(i, i + 1) for i in range(lo, hi)]
        for a, b in pieces:
            jobs.append((_merge(thetas, a, b), _merge(gs, a, b), int(offsets[a])))
    return tree, single, t, buffers, jobs


def check_state(name, state, keys, sizes, slots, dtype):
    """A fused state must be this optimizer's, for these keys and sizes; returns ``(t, buffers)``."""
    t = check_owner(state, f"fused_{name}")
    if list(state.get("keys", [])) != keys or list(state.get("sizes", [])) != sizes:
        raise ValueError(f"this state belongs to other params: keys {state.get('keys')} with sizes "
                         f"{state.get('sizes')}, not {keys} with {sizes}")
    buffers = state.get("buffers", {})
    if set(buffers) != set(slots):
        raise ValueError(f"state buffers are {sorted(buffers)}, but fused {name} needs {sorted(slots)}")
    for s, buf in buffers.items():
        if not isinstance(buf, np.ndarray) or buf.shape != (sum(sizes),) or buf.dtype != dtype:
            raise ValueError(f"state buffer {s!r} must be a ({sum(sizes)},) {dtype} array")
    return t, buffers


def run(kernel, c, jobs, buffers, threads=None, block=None):
    """Apply *kernel* to every block of every job, spreading the blocks over *threads* threads."""
    threads = threads or default_threads()
    block = block or BLOCK
    blocks = [(P, G, off, a, min(a + block, P.size)) for P, G, off in jobs for a in range(0, P.size, block)]
    if not blocks:
        return
    if threads == 1 or len(blocks) == 1 or sum(P.size for P, *_ in jobs) < MIN_PARALLEL:
        _work(kernel, c, blocks, buffers, block)
        return
    # contiguous shares of roughly equal size, one per thread
    sizes = np.cumsum([hi - lo for *_, lo, hi in blocks])
    cuts = np.searchsorted(sizes, sizes[-1] * np.arange(1, threads) / threads)
    shares = [s for s in np.split(np.arange(len(blocks)), cuts) if len(s)]
    pool = _executor(threads)
    futures = [pool.submit(_work, kernel, c, [blocks[i] for i in share], buffers, block) for share in shares[1:]]
    _work(kernel, c, [blocks[i] for i in shares[0]], buffers, block)
    for f in futures:
        f.result()


def _work(kernel, c, blocks, buffers, block):
    dtype = blocks[0][0].dtype
    scratch = getattr(_scratch, "arrays", None)
    if scratch is None or scratch[0].size < block or scratch[0].dtype != dtype:
        scratch = _scratch.arrays = (np.empty(block, dtype), np.empty(block, dtype))
    for P, G, off, lo, hi in blocks:
        n = hi - lo
        S = {name: buf[off + lo:off + hi] for name, buf in buffers.items()}
        kernel(c, P[lo:hi], G[lo:hi], S, scratch[0][:n], scratch[1][:n])


def finish(name, params, tree, t, buffers):
    """The return value of a fused step: the very *params* object given (updated in place), and the new state."""
    state = {"optimizer": f"fused_{name}", "t": t, "keys": list(tree), "sizes": [int(v.size) for v in tree.values()],
             "buffers": buffers}
    return params, state
