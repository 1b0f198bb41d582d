r"""RAdam: rectified Adam 整流 Adam (PyTorch's form).

For each parameter array :math:`\theta` at step :math:`t = 1, 2, \dots`:

.. math::

    g_t &\leftarrow g_t + \lambda\,\theta_{t-1}
        \quad\text{or, decoupled,}\quad \theta_{t-1} \leftarrow (1-\eta\lambda)\,\theta_{t-1}  \quad (1)\\
    m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2                                     \quad (2)\\
    \hat m_t &= m_t / (1-\beta_1^t)                                                 \quad (3)\\
    \rho_\infty &= \frac{2}{1-\beta_2} - 1, \qquad
    \rho_t = \rho_\infty - \frac{2\,t\,\beta_2^t}{1-\beta_2^t}                      \quad (4)\\
    \theta_t &= \theta_{t-1} - \eta\,\hat m_t
        \quad\text{if } \rho_t \le \rho_{\text{thr}}
        \quad (\text{or } \theta_{t-1} - \eta\, m_t, \text{ or no step: see ``unrectified``}) \quad (5)\\
    r_t &= \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}}, \qquad
    l_t = \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}
        \quad\text{or, with eps\_hat False,}\quad l_t = \frac{1}{\sqrt{\hat v_t}+\epsilon} \quad (6)\\
    \theta_t &= \theta_{t-1} - \eta\, r_t\, l_t\, \hat m_t
        \quad\text{if } \rho_t > \rho_{\text{thr}}                                   \quad (7)

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\beta_1, \beta_2` are
``beta1``, ``beta2``, :math:`\epsilon` is ``eps``, :math:`\lambda` is
``weight_decay`` (``decoupled_weight_decay`` picks the form of (1): L2 as
PyTorch's default, decoupled as its ``RAdam(decoupled_weight_decay=True)``),
``eps_hat`` where epsilon goes in (6),
:math:`\rho_{\text{thr}}` is ``rho_threshold``, and ``unrectified`` says what
(5) does: ``"bias_corrected"`` (:math:`\eta\hat m_t`, the paper and PyTorch),
``"raw"`` (:math:`\eta m_t`, the lecture) or ``"none"`` (no step at all, not
even weight decay: the authors' packaged code).  Defaults: ``lr=1e-3,
beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0,
decoupled_weight_decay=False, eps_hat=True, rho_threshold=5,
unrectified="bias_corrected"``.  State: ``m``, ``v``.

:math:`\rho_t` (4) is the length of the simple moving average that the
bias-corrected EMA :math:`\hat v_t` approximates.  While it is small the
variance of the adaptive learning rate :math:`l_t` is large or undefined, so
RAdam takes plain bias-corrected momentum steps (5); afterwards it rescales
the Adam step by the variance rectification term :math:`r_t` (6), which
rises towards 1.  That is an automatic warm-up 自动预热.  For
:math:`\beta_2 = 0.999`: :math:`\rho_1 = 1`, :math:`\rho_5 \approx 4.996`,
:math:`\rho_6 \approx 5.994`, so the first five steps are momentum steps.
:func:`rho` and :func:`rectification` give (4) and (6) for plots.

References: L. Liu et al., "On the Variance of the Adaptive Learning Rate and
Beyond", ICLR 2020, https://arxiv.org/abs/1908.03265 (Algorithm 2).  Agrees
with ``torch.optim.RAdam``.

.. note::
   **The threshold.**  Algorithm 2 of the paper switches at
   :math:`\rho_t > 4`; PyTorch uses :math:`\rho_t > 5` (``rho_threshold=5``
   here) and the authors' packaged code (``radam/radam.py`` of
   https://github.com/LiyuanLucasLiu/RAdam) rectifies when ``N_sma >= 5``,
   which is the same switch (:math:`\rho_t` is never exactly 5).  With
   :math:`\beta_2=0.999` threshold 4 starts rectified steps at :math:`t = 5`
   (:math:`r_5 \approx 0.0173`), threshold 5 at :math:`t = 6`.

.. note::
   **Before the threshold** (``unrectified``).  The paper's Algorithm 2 and
   PyTorch take the un-adapted, bias-corrected momentum step
   :math:`\eta\hat m_t`.  The authors' packaged ``RAdam`` has a flag
   ``degenerated_to_sgd``: when True it does the same (with decoupled decay);
   when False, its default, the step size is -1 and the parameter is left
   alone, decay included, until ``N_sma >= 5``: ``unrectified="none"``.  The
   lecture (chapter 001) writes :math:`\theta_{t+1} = \theta_t - \eta m_t`
   without the bias correction, a step :math:`1-\beta_1^t` times smaller
   (10x at :math:`t=1`): ``unrectified="raw"``.  That code's weight decay is
   decoupled (times lr): ``decoupled_weight_decay=True``.

.. note::
   **Epsilon** (``eps_hat``).  The paper's :math:`l_t = \sqrt{(1-\beta_2^t)/v_t}` has
   no epsilon; PyTorch (and the authors' and Wright's code) add it to
   :math:`\sqrt{v_t}` *before* the bias correction, as (6) does: the
   :math:`\hat\epsilon` of Adam's efficient form, hence the default
   ``eps_hat=True``.  optax's ``radam`` uses Adam's
   :math:`l_t = 1/(\sqrt{\hat v_t}+\epsilon)`: ``eps_hat`` set to False.  optax
   also switches when :math:`\rho_t \ge` its threshold (5), the same switch as
   :math:`\rho_t > 5` in practice.

.. note::
   **The lecture's** :math:`\rho_t` (chapter 001) reads
   :math:`\rho_t = \frac{2}{1-\beta_2} - 2\cdot\frac{1-\beta_2^t}{1-\beta_2} + 1`,
   which is garbled: it lacks the :math:`t\beta_2^t/(1-\beta_2^t)` term
   and gives :math:`\rho_1 = 1999` for :math:`\beta_2 = 0.999` (decreasing
   with :math:`t`), where the paper's :math:`\rho_1 = 1` increases towards
   :math:`\rho_\infty = 1999`.  (4) is the paper's.  Its threshold "ρt ≤ 4" is the paper's, not
   PyTorch's; its early step uses the raw :math:`m_t` (``unrectified="raw"``); its
   rectification term :math:`r(t)` matches (6).
"""

import math
import numbers

import numpy as np

from . import adam
from ._base import MAX_STEPS, Rule
from ._hparams import Bool, Choice, Real
from ._math import bias_correction, weight_decay

NAME = "radam"
FAMILY = "adaptive"
YEAR = 2019
PAPER = "https://arxiv.org/abs/1908.03265"

# Adam's hparams (eps_hat defaults to True: PyTorch's RAdam adds eps before the bias correction), plus the threshold
HPARAMS = adam.HPARAMS.derive(eps_hat=Bool(True), rho_threshold=Real(5.0, low=4.0),
                              unrectified=Choice("bias_corrected", ("bias_corrected", "raw", "none")))
DEFAULTS = HPARAMS.defaults


def _check(function, t, beta2):
    """Step numbers t >= 1 (an int, or an array of integral values) and a beta2 in [0, 1)."""
    beta2 = HPARAMS.specs["beta2"].check("beta2", beta2, kind=f"{function}: argument")
    if isinstance(t, numbers.Integral) and not isinstance(t, (bool, np.bool_)):
        if not 1 <= t <= MAX_STEPS:
            raise ValueError(f"{function}: argument 't' must be a step number >= 1 (up to 2**53); got {t!r}")
        return int(t), beta2
    steps = np.asarray(t)
    if steps.dtype.kind not in "iuf" or not (np.isfinite(steps) & (steps == np.round(steps)) & (steps >= 1)
                                             & (steps <= MAX_STEPS)).all():
        raise ValueError(f"{function}: argument 't' must hold step numbers >= 1 (integers up to 2**53); got {t!r}")
    return steps.astype(float), beta2


def rho(t, beta2=0.999):
    r""":math:`\rho_t` of (4): the approximated SMA length at step *t* (int >= 1 or array)."""
    t, beta2 = _check("rho", t, beta2)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)


def rectification(t, beta2=0.999):
    r""":math:`r_t` of (6) at step *t* (NaN where :math:`\rho_t \le 4`, where it is undefined)."""
    t, beta2 = _check("rectification", t, beta2)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = np.asarray(rho(t, beta2), dtype=float)
    with np.errstate(invalid="ignore"):
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    r = np.where(rho_t > 4, r, np.nan)
    return float(r) if r.ndim == 0 else r


def _update(theta, g, slots, t, hp):
    beta2, lr = hp["beta2"], hp["lr"]
    decayed, g = weight_decay(theta, g, hp)  # (1)
    m, v = adam.moments(g, slots, hp)  # (2)
    if rho(t, beta2) <= hp["rho_threshold"]:  # (4)
        if hp["unrectified"] == "none":
            return theta.copy(), {"m": m, "v": v}  # (5): no step, not even the decoupled shrink
        m_hat = m if hp["unrectified"] == "raw" else m / bias_correction(hp["beta1"], t)  # (3)
        return decayed - lr * m_hat, {"m": m, "v": v}  # (5)
    m_hat = m / bias_correction(hp["beta1"], t)  # (3)
    r_t = rectification(t, beta2)  # (6)
    if hp["eps_hat"]:
        l_t = math.sqrt(bias_correction(beta2, t)) / (np.sqrt(v) + hp["eps"])  # (6)
    else:
        l_t = 1.0 / (np.sqrt(v / bias_correction(beta2, t)) + hp["eps"])  # (6), optax's
    return decayed - lr * r_t * l_t * m_hat, {"m": m, "v": v}  # (7)


RULE = Rule(NAME, HPARAMS, adam.init_slots, _update, bounds=adam.BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
