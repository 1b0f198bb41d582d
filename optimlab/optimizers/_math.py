"""Small formulas shared by several optimizers (written once, tested once)."""

from __future__ import annotations


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
