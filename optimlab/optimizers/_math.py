"""Small formulas shared by several optimizers (written once, tested once)."""

from __future__ import annotations

import math

import numpy as np

from ._hparams import Bool, Real

#: The two weight-decay hparams of every optimizer that offers both conventions.
WEIGHT_DECAY = {"weight_decay": Real(0.0, low=0.0), "decoupled_weight_decay": Bool(False)}


def bias_correction(beta: float, t: int) -> float:
    r"""The Adam-family bias correction 偏差修正 :math:`1 - \beta^t`.

    An exponential moving average started at zero,
    :math:`m_t = \beta m_{t-1} + (1-\beta) g_t`, has
    :math:`\mathbb{E}[m_t] = (1-\beta^t)\,\mathbb{E}[g]` for a stationary
    gradient; dividing by this factor removes the bias toward zero.
    """
    return 1.0 - beta**t


def ema(average, value, beta: float):
    r"""Exponential moving average :math:`\beta a + (1-\beta) x` (a new array)."""
    return beta * average + (1.0 - beta) * value


def weight_decay(theta, g, hp, lr=None):
    r"""Weight decay :math:`\lambda` (``weight_decay``) in the convention ``decoupled_weight_decay`` selects.

    Returns ``(theta, g)``, new arrays where something changed:

    * L2 (``False``, PyTorch's ``weight_decay``): :math:`g \leftarrow g + \lambda\theta`, the gradient
      of :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`, which then passes through the optimizer's
      statistics (momentum, second moments) like any gradient;
    * decoupled (``True``; Keras 3 for every optimizer, PyTorch's ``decoupled_weight_decay=True``):
      :math:`\theta \leftarrow (1 - \eta\lambda)\,\theta` before the update, the gradient untouched.

    *lr* is the :math:`\eta` to multiply by (default ``hp["lr"]``).  For plain SGD the two
    conventions give the same step; for everything with momentum or a per-coordinate scale they differ.
    """
    lam = hp["weight_decay"]
    if not lam:
        return theta, g
    if hp["decoupled_weight_decay"]:
        return (1.0 - (hp["lr"] if lr is None else lr) * lam) * theta, g
    return theta, g + lam * theta


def norm(x) -> float:
    r"""The Frobenius norm :math:`\lVert x\rVert` of an array, as a Python float, without overflow or underflow.

    ``np.linalg.norm`` squares the entries, so an array whose entries are
    finite but beyond the square root of the dtype's maximum (1e154 in
    float64, 1.8e19 in float32) gets an infinite norm, and one whose entries
    are all below the square root of its smallest number gets 0.  This returns
    the plain result when it is safely inside the range, and otherwise
    :math:`s\,\lVert x/s\rVert` with :math:`s = \max|x|` (one more pass).
    """
    x = np.asarray(x)
    with np.errstate(over="ignore", under="ignore"):
        plain = float(np.linalg.norm(x))
    info = np.finfo(x.dtype) if np.issubdtype(x.dtype, np.floating) else np.finfo(np.float64)
    if math.isfinite(plain) and plain >= math.sqrt(float(info.tiny)) / float(info.eps):
        return plain
    if x.size == 0:
        return 0.0
    scale = float(np.max(np.abs(x)))
    if scale == 0.0 or not math.isfinite(scale):
        return scale
    return scale * float(np.linalg.norm(x / scale))
