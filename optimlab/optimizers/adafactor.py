r"""Adafactor: a factored second moment, relative step sizes and update clipping (PyTorch's form).

For each parameter array :math:`\theta` (:math:`N` elements) at step :math:`t = 1, 2, \dots`,
with :math:`\mathrm{RMS}(x) = \lVert x\rVert_F/\sqrt{N}`:

.. math::

    \hat\beta_{2,t} &= 1 - t^{c}, \qquad \rho_t = \min(\eta, 1/\sqrt t), \qquad
        \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\,\rho_t                           \quad (1)\\
    \theta' &= (1 - \eta\lambda)\,\theta_{t-1}                                                    \quad (2)\\
    R_t &= \hat\beta_{2,t} R_{t-1} + (1-\hat\beta_{2,t})\,\mathrm{mean}_{\text{cols}}(g_t^2), \quad
    C_t = \hat\beta_{2,t} C_{t-1} + (1-\hat\beta_{2,t})\,\mathrm{mean}_{\text{rows}}(g_t^2)        \quad (3)\\
    \hat V_t &= R_t C_t / \max(\mathrm{mean}(R_t), \epsilon_1)
        \quad\text{(vectors: } \hat V_t = \hat\beta_{2,t}\hat V_{t-1} + (1-\hat\beta_{2,t})\, g_t^2\text{)} \quad (4)\\
    U_t &= g_t / \sqrt{\max(\hat V_t, \epsilon_1^2)}                                               \quad (5)\\
    \theta_t &= \theta' - \frac{\alpha_t}{\max(1, \mathrm{RMS}(U_t)/d)}\, U_t                        \quad (6)

For an array with two or more dimensions, (3)-(4) factor the second moment of
the last two axes: a row vector :math:`R` (mean over columns) and a column
vector :math:`C` (mean over rows), whose outer product divided by their common
total approximates :math:`\mathbb{E}[g^2]`.  An :math:`n \times m` matrix keeps
:math:`n + m` numbers instead of :math:`nm` (tested); leading axes are
batch axes.  Arrays with fewer dimensions keep the full :math:`\hat V`.

Symbols to hparams: :math:`\eta` is ``lr``, :math:`c` is ``beta2_decay``,
:math:`\epsilon_1` is ``eps1`` (``None``: the machine epsilon of the dtype the step computes in,
float32 for half-precision params),
:math:`\epsilon_2` is ``eps2``, :math:`d` is ``d`` (the clipping threshold),
:math:`\lambda` is ``weight_decay``.  Two switches change (1):
``relative_step=False`` takes :math:`\rho_t = \eta` (an explicit learning rate
instead of the relative step :math:`\min(\eta, 1/\sqrt t)`) and
``scale_parameter=False`` takes :math:`\alpha_t = \rho_t` (no scaling by the
parameter's RMS).  Defaults: ``lr=0.01, beta2_decay=-0.8, eps1=None,
eps2=1e-3, d=1.0, weight_decay=0, relative_step=True, scale_parameter=True``.  State: ``row`` and ``col``
for arrays with two or more dimensions, ``v`` otherwise.  There is no first
moment (Adafactor's memory saving; the paper's optional :math:`\beta_1` is not
in PyTorch's version).

References: N. Shazeer and M. Stern, "Adafactor: Adaptive Learning Rates
with Sublinear Memory Cost", ICML 2018, https://arxiv.org/abs/1804.04235
(Algorithms 4-5).  Agrees with ``torch.optim.Adafactor``.

.. note::
   **PyTorch vs the paper.**  The paper's relative step is
   :math:`\rho_t = \min(10^{-2}, 1/\sqrt t)`; PyTorch (and this module) use
   ``lr`` in place of :math:`10^{-2}`.  PyTorch divides by the mean of
   :math:`R` (not by the paper's sum over rows of the unnormalised row sums:
   equivalent, as :math:`R` here holds means), and clamps with
   :math:`\epsilon_1` in the places (4)-(5) show, where the paper adds
   :math:`\epsilon_1` to :math:`g^2`.  The lr-scaled weight decay (2) is
   PyTorch's addition.

.. note::
   **Other libraries** (``relative_step``, ``scale_parameter``, ``d``).  Keras 3's
   ``Adafactor`` computes :math:`\rho_t = \min(\eta, 1/\sqrt t)` whatever its own
   ``relative_step`` flag says (for a constant learning rate the flag changes
   nothing), so it is ``relative_step=True`` here; its ``clip_threshold`` is
   :math:`d`, which may be below 1 (its tests use 0.9).  The Hugging Face
   ``transformers`` and fairseq ``Adafactor(relative_step=False,
   scale_parameter=...)`` use the given learning rate as :math:`\rho_t`
   (``relative_step=False``), optionally without the parameter scale
   (``scale_parameter=False``); optax's ``adafactor(learning_rate=...)`` is
   ``relative_step=False`` with ``multiply_by_parameter_scale`` as
   ``scale_parameter``.  Keras, Hugging Face and optax add :math:`\epsilon_1` to
   :math:`g^2` where PyTorch (and this module) clamp; with their default
   :math:`\epsilon_1 = 10^{-30}` the difference is far below rounding for any
   gradient that is not itself tiny.  optax also factors only arrays whose two
   last dimensions are both at least 128 (``min_dim_size_to_factor``).
"""

import math

import numpy as np

from ._base import NONNEGATIVE, Rule
from ._hparams import Bool, Hparams, Real, epsilon
from ._math import norm

NAME = "adafactor"
FAMILY = "adaptive"
YEAR = 2018
PAPER = "https://arxiv.org/abs/1804.04235"

HPARAMS = Hparams(
    lr=Real(0.01, low=0.0),
    beta2_decay=Real(-0.8, high=0.0),
    eps1=epsilon(None, optional=True),
    eps2=Real(1e-3, low=0.0),
    d=Real(1.0, low=0.0, low_open=True),
    weight_decay=Real(0.0, low=0.0),
    relative_step=Bool(True),
    scale_parameter=Bool(True),
)
DEFAULTS = HPARAMS.defaults


def rms(x):
    """Root mean square of an array (a Python float)."""
    return norm(x) / math.sqrt(max(x.size, 1))


def _init_slots(theta, hp):
    if theta.ndim > 1:
        return {"row": np.zeros(theta.shape[:-1] + (1,), theta.dtype),
                "col": np.zeros(theta.shape[:-2] + (1, theta.shape[-1]), theta.dtype)}
    return {"v": np.zeros_like(theta)}


def _update(theta, g, slots, t, hp):
    eps1 = np.finfo(theta.dtype).eps if hp["eps1"] is None else hp["eps1"]
    w = float(t ** hp["beta2_decay"])  # 1 - beta2_hat
    rho_t = min(hp["lr"], 1.0 / np.sqrt(t)) if hp["relative_step"] else hp["lr"]  # (1)
    alpha = max(hp["eps2"], rms(theta)) * rho_t if hp["scale_parameter"] else rho_t  # (1)
    theta_prime = (1.0 - hp["lr"] * hp["weight_decay"]) * theta  # (2)
    g2 = g * g
    if theta.ndim > 1:
        row = (1.0 - w) * slots["row"] + w * g2.mean(axis=-1, keepdims=True)  # (3)
        col = (1.0 - w) * slots["col"] + w * g2.mean(axis=-2, keepdims=True)  # (3)
        v_hat = row * col / np.maximum(row.mean(axis=-2, keepdims=True), eps1)  # (4)
        new = {"row": row, "col": col}
    else:
        v_hat = (1.0 - w) * slots["v"] + w * g2  # (4)
        new = {"v": v_hat}
    U = g / np.sqrt(np.maximum(v_hat, eps1 * eps1))  # (5)
    return theta_prime - alpha / max(1.0, rms(U) / hp["d"]) * U, new  # (6)


RULE = Rule(NAME, HPARAMS, _init_slots, _update, bounds={"row": NONNEGATIVE, "col": NONNEGATIVE, "v": NONNEGATIVE})
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
