r"""Fused optimizers in NumPy: one pass over memory per step instead of one per operation.

A reference step such as :func:`optimlab.optimizers.adamw.step` is written as
whole-array expressions (``beta1 * m + (1 - beta1) * g`` ...).  Each
operation reads its inputs from memory and writes a temporary: about a dozen
full passes over the parameters per step, which is why "fused" kernels (one
CUDA kernel, or PyTorch's ``fused=True`` CPU kernel) are faster.  The NumPy
version of the same lesson: cut the flat arrays into cache-sized blocks, run
the whole update on one block with ``out=`` ufuncs into reused scratch
arrays, then move to the next block.  Each element of the params, grads and
moments then travels between memory and the CPU once per step; the blocks
are spread over the CPU cores (NumPy ufuncs release the GIL).

``optimlab.fused.<name>.step(params, grads, state=None, hparams=None)`` for
``sgd``, ``momentum``, ``adam``, ``adamw`` and ``lion``, with the same hparams
as the reference step of the same name, and:

* **updates ``params`` in place** (the one documented exception to the
  purity of optimlab's steps) and returns them, with the new state;
* keeps the moments in flat contiguous buffers (state ``buffers``), updated
  in place as well: the previous state object is spent;
* agrees with the reference step: float64 to 1e-12, float32 to a few ulps
  (the Adam family folds the bias corrections into two scalars, which rounds
  differently; SGD, momentum and Lion perform the very same operations and
  agree exactly);
* checks keys, shapes, dtypes and state like the reference steps, but **not**
  NaN/inf in the gradients by default (that costs a pass over memory): pass
  ``check_finite=True`` to have it (it also refuses finite gradients that
  overflow the compute dtype, and NaN/inf in the state buffers; the results
  are not checked, as they are written in place).  All params must share one
  dtype and be writeable C-contiguous arrays, and no param, gradient or state
  buffer may share memory with a param or state buffer (one array under two
  keys would be stepped twice): refused with a ``ValueError`` naming both;
* computes float16 and bfloat16 params in float32, block by block, with float32
  state buffers, as the reference steps do (and agrees with them as above);
* runs on ``threads`` threads: a positive integer, or ``None`` for the
  environment variable ``OPTIMLAB_THREADS`` (a positive integer) or else the
  number of CPUs.

:func:`flat_params` lays a model's params out in one buffer (a dict of
views), which lets the blocks run across array boundaries.
"""

from . import adam, adamw, lion, momentum, sgd
from ._engine import check_threads, default_threads, flat_params

REGISTRY = {m.NAME: m for m in (sgd, momentum, adam, adamw, lion)}

__all__ = ["REGISTRY", "flat_params", "default_threads", "check_threads", *REGISTRY]
