"""The machinery shared by the fused steps: checking, flat state buffers, cache-sized blocks, threads.

A fused step is described by a *kernel*: a function that updates one block
in place, ``kernel(c, P, G, S, T1, T2)``, where ``P`` and ``G`` are
1-D views of a block of the params and grads, ``S`` maps slot names to the
same block of the flat state buffers, ``T1``/``T2`` are scratch arrays of
the block's length and ``c`` holds the step's scalar constants.  Every
ufunc in a kernel writes into an existing array (``out=`` or in-place), so a
block is read from memory once, worked on in cache, and written once.

Half-precision params (float16, bfloat16) are computed in float32, as the
reference steps do: each block of params is copied into a float32 scratch
array, updated there and rounded back; the gradients are cast to float32 and
the state buffers are float32.  float32 and float64 params take no extra
pass.  Because params and state are updated in place, no param, state buffer
or gradient may share memory with another param or state buffer (checked).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _args
from .._errors import InputTypeError
from ..optimizers._base import all_finite, as_tree, check_owner, compute_dtype, match_grads
from ..optimizers._hparams import Int

#: Elements per block: 4 arrays of the block (param, grad, two moments) plus two scratch arrays
#: stay within a 2 MiB L2 cache for float32 at 64K and are worth the per-call overhead up to 256K.
BLOCK = 1 << 17
#: Below this many elements a step runs on the calling thread: handing blocks to another thread costs
#: more than it saves, and competes with BLAS threads that are still spinning after a matmul.
MIN_PARALLEL = 1 << 21

_pool = None
_pool_lock = threading.Lock()
_scratch = threading.local()


_THREADS = Int(None, low=1)
_CPUS = os.cpu_count() or 1


def default_threads() -> int:
    """``OPTIMLAB_THREADS`` if set (a positive integer), else the number of CPUs (NumPy ufuncs release the GIL)."""
    text = os.environ.get("OPTIMLAB_THREADS")
    if text is None:
        return _CPUS
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"the environment variable OPTIMLAB_THREADS must be a positive integer; got {text!r}")
    return value


def check_threads(threads) -> int:
    """The *threads* argument of a fused step: ``None`` (:func:`default_threads`) or a positive integer."""
    return default_threads() if threads is None else _THREADS.check("threads", threads, kind="argument")


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
    dtype = _args.floating_dtype("flat_params", "dtype", dtype or next(iter(tree.values())).dtype)
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
        if (i == len(arrays) or arrays[i].dtype != arrays[i - 1].dtype
                or arrays[i].ctypes.data != arrays[i - 1].ctypes.data + arrays[i - 1].nbytes):
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
    dtypes = {v.dtype for v in tree.values()}
    if len(dtypes) != 1:
        raise InputTypeError(f"fused {name} needs all params in one dtype; got {sorted(map(str, dtypes))}")
    dtype = dtypes.pop()
    work = compute_dtype(dtype)  # float32 for half precision: grads and state buffers in it
    gtree = match_grads(tree, grads, single, check_finite, {k: work for k in tree})
    for key, theta in tree.items():
        if not (theta.flags.c_contiguous and theta.flags.writeable):
            raise ValueError(f"params[{key!r}] must be a writeable C-contiguous array: fused steps update in place")
    sizes = [int(v.size) for v in tree.values()]
    n = sum(sizes)
    if state is None:
        t, buffers = 0, {s: np.zeros(n, work) for s in slots}
    else:
        t, buffers = check_state(name, state, list(tree), sizes, slots, work, check_finite)
    thetas = list(tree.values())
    gs = [np.ascontiguousarray(gtree[k]) for k in tree]
    check_no_overlap(name, [(f"params[{k!r}]", "params", v) for k, v in tree.items()]
                     + [(f"grads[{k!r}]", "grads", g) for k, g in zip(tree, gs)]
                     + [(f"state buffer {s!r}", "state", b) for s, b in buffers.items()])
    jobs = []
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    for lo, hi in _segments(thetas):
        # grads must be adjacent over the same run to share it; otherwise split the run per array
        pieces = [(lo, hi)] if hi - lo == 1 or _segments(gs[lo:hi]) == [(0, hi - lo)] else [(i, i + 1) for i in range(lo, hi)]
        for a, b in pieces:
            jobs.append((_merge(thetas, a, b), _merge(gs, a, b), int(offsets[a])))
    return tree, single, t, buffers, jobs


def check_state(name, state, keys, sizes, slots, dtype, check_finite=False):
    """A fused state must be this optimizer's, for these keys and sizes; returns ``(t, buffers)``.

    The buffers are in *dtype* (the compute dtype); ``check_finite`` also refuses NaN/inf in them.
    """
    t = check_owner(state, f"fused_{name}")
    have_keys, have_sizes = state.get("keys"), state.get("sizes")
    if (not isinstance(have_keys, list) or not isinstance(have_sizes, list) or have_keys != keys
            or have_sizes != sizes):
        raise ValueError(f"this state belongs to other params: keys {have_keys} with sizes "
                         f"{have_sizes}, not {keys} with {sizes}")
    buffers = state.get("buffers")
    if not isinstance(buffers, dict) or set(buffers) != set(slots):
        got = sorted(buffers) if isinstance(buffers, dict) else type(buffers).__name__
        raise ValueError(f"state buffers are {got}, but fused {name} needs {sorted(slots)}")
    for s, buf in buffers.items():
        if not isinstance(buf, np.ndarray) or buf.shape != (sum(sizes),) or buf.dtype != dtype:
            raise ValueError(f"state buffer {s!r} must be a ({sum(sizes)},) {dtype} array")
        if not (buf.flags.c_contiguous and buf.flags.writeable):
            raise ValueError(f"state buffer {s!r} must be a writeable C-contiguous array")
        if check_finite and not all_finite(buf):
            raise ValueError(f"state buffer {s!r} contains NaN or inf; refusing to step")
    return t, buffers


def check_no_overlap(name, items):
    """No two arrays of ``items`` (``(label, role, array)``) may share memory, except two gradients.

    Fused steps write params and state buffers in place while they read the
    gradients: one array under two keys would be stepped twice, and a param
    that overlaps a gradient or a buffer would change what is still to be
    read.  Candidates are found by sweeping the arrays' byte ranges (sorted; every array here is
    C-contiguous), then confirmed with ``np.shares_memory``.
    """
    spans = sorted(((a.__array_interface__["data"][0], a.__array_interface__["data"][0] + a.nbytes, label, role, a)
                    for label, role, a in items if a.size), key=lambda span: span[0])
    active = []
    for lo, hi, label, role, a in spans:
        active = [span for span in active if span[1] > lo]
        for _, _, other, other_role, b in active:
            if (role, other_role) != ("grads", "grads") and np.shares_memory(a, b):
                raise ValueError(
                    f"fused {name}: {other} and {label} share memory (the same array under two keys, or "
                    "overlapping views); fused steps update params and state in place, so each param and "
                    "state buffer needs memory of its own: pass copies"
                )
        active.append((lo, hi, label, role, a))


def run(kernel, c, jobs, buffers, threads=None, block=None):
    """Apply *kernel* to every block of every job, spreading the blocks over *threads* threads."""
    threads = check_threads(threads)
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
    work = compute_dtype(dtype)
    half = work != dtype  # then the params' block is worked on in a third, float32 scratch array
    scratch = getattr(_scratch, "arrays", None)
    if scratch is None or len(scratch) < 2 + half or scratch[0].size < block or scratch[0].dtype != work:
        scratch = _scratch.arrays = tuple(np.empty(block, work) for _ in range(2 + half))
    for P, G, off, lo, hi in blocks:
        n = hi - lo
        S = {name: buf[off + lo:off + hi] for name, buf in buffers.items()}
        if half:
            W = scratch[2][:n]
            np.copyto(W, P[lo:hi])
            kernel(c, W, G[lo:hi], S, scratch[0][:n], scratch[1][:n])
            np.copyto(P[lo:hi], W, casting="same_kind")
        else:
            kernel(c, P[lo:hi], G[lo:hi], S, scratch[0][:n], scratch[1][:n])


def finish(name, params, tree, t, buffers):
    """The return value of a fused step: the very *params* object given (updated in place), and the new state."""
    state = {"optimizer": f"fused_{name}", "t": t, "keys": list(tree), "sizes": [int(v.size) for v in tree.values()],
             "buffers": buffers}
    return params, state
