r"""Muon: momentum orthogonalized by Newton-Schulz, for matrices; AdamW for everything else.

For each **2-D** parameter array :math:`W` (shape :math:`A \times B`):

.. math::

    b_t &= \mu\, b_{t-1} + (1-\mu)\, G_t, \qquad b_0 = 0                               \quad (1)\\
    U_t &= (1-\mu)\, G_t + \mu\, b_t \quad\text{(Nesterov; } U_t = b_t \text{ otherwise)}  \quad (2)\\
    O_t &= \mathrm{NS}_5(U_t) \approx \text{the polar factor } U V^\top \text{ of } U_t = U\Sigma V^\top \quad (3)\\
    W_t &= (1 - \eta\lambda)\, W_{t-1} - \eta\,\sqrt{\max(1, n_{\text{out}}/n_{\text{in}})}\; O_t  \quad (4)

where :math:`\mathrm{NS}_k` (:func:`orthogonalize`) transposes a tall matrix to
wide, normalises :math:`X_0 = U/\max(\lVert U\rVert_F, \epsilon)` and iterates
:math:`k` times the quintic

.. math::

    X \leftarrow aX + (bXX^\top + c(XX^\top)^2)X, \qquad (a, b, c) = (3.4445, -4.7750, 2.0315)  \quad (5)

which maps every singular value :math:`\sigma` of :math:`X` through
:math:`p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5` (:func:`ns_polynomial`) and
leaves the singular vectors alone.  The coefficients maximise the slope at 0,
so small singular values grow fast; the price is that the iteration does not
converge to 1: after 5 steps every singular value that started at
:math:`\sigma/\lVert U\rVert_F \ge 0.01` lands in the band
:math:`[0.68, 1.13]` (tested), where the exact polar factor would give 1.
Singular values that start smaller may end outside it: from about 0.0015 to
0.01 they land between 0.68 and 1.20 (above 1.13 from about 0.003 to 0.005),
and below about 0.0015 they stay under 0.68.
So a well-conditioned input lands in the band (a 20 x 12 Gaussian: 0.68 to
1.12), but the smallest singular values of a square Gaussian matrix stay far
below it (seed 0 of ``numpy.random.default_rng``: 0.085 for 128 x 128, 0.016
for 512 x 512, where a dozen lie below 0.68; tested, errata E002-44).

:math:`n_{\text{out}}/n_{\text{in}}` in (4) is :math:`A/B` with ``layout="out_in"``
(PyTorch's ``Linear.weight``, shape (out, in)) and :math:`B/A` with
``layout="in_out"`` (optimlab's MLP, whose ``W`` has shape (fan_in, fan_out)).
With ``adjust_lr="match_rms_adamw"`` the scale in (4) is instead
:math:`0.2\sqrt{\max(A, B)}` (Moonshot's rule, which gives the update the RMS of a
typical AdamW update: PyTorch's ``adjust_lr_fn="match_rms_adamw"``, Keras 3's
``Muon`` with its ``rms_rate=0.2``).

**Which arrays Muon takes.**  Arrays that are not 2-D (biases, gains,
scalars) always go to :mod:`~optimlab.optimizers.adamw` with the ``adamw_*``
hparams, as the lecture (chapter 002) says.  The authors go further: "Muon
should only be used for hidden weight layers. The input embedding, final
output layer, and any internal gains or biases should be optimized using a
standard method such as AdamW" (Keller Jordan's Muon README).  ``adamw_params``
sends 2-D arrays to AdamW as well: a list of keys, or a predicate
``(key, array) -> bool``; :func:`authors_adamw_keys` gives the authors' rule
for a dict of layers in order (the first and the last 2-D arrays).

Symbols to hparams: :math:`\eta` is ``lr``, :math:`\mu` is ``momentum``,
``nesterov`` selects (2), :math:`k` is ``ns_steps``, :math:`\epsilon` is
``eps``, :math:`\lambda` is ``weight_decay``, ``layout`` reads the shape for
(4) and ``adjust_lr`` picks its scale; the AdamW part uses ``adamw_lr``, ``adamw_beta1``, ``adamw_beta2``,
``adamw_eps``, ``adamw_weight_decay``, and ``adamw_params`` chooses which
2-D arrays it takes.  Defaults: ``lr=0.02, momentum=0.95, nesterov=True,
ns_steps=5, eps=1e-7, weight_decay=0, layout="out_in", adjust_lr="original", adamw_lr=3e-4,
adamw_beta1=0.9, adamw_beta2=0.95, adamw_eps=1e-10, adamw_weight_decay=0,
adamw_params=None`` (the AdamW settings are those of Keller Jordan's
reference code).  State: ``b`` for matrices,
AdamW's ``m``, ``v`` for the rest.

References: K. Jordan et al., "Muon: An optimizer for hidden layers in neural
networks", 2024, https://kellerjordan.github.io/posts/muon/ ; code:
https://github.com/KellerJordan/Muon .  Agrees with ``torch.optim.Muon`` on
2-D arrays when torch's Newton-Schulz is run in float64 (the test patches it).

.. note::
   **Precision.**  PyTorch and the reference code run (5) in bfloat16; this
   module runs it in float64 whatever the parameter's dtype and casts the
   result back, so it agrees with them only to bfloat16 precision unless the
   reference is patched.

.. note::
   **The lr scale** :math:`\sqrt{\max(1, n_{\text{out}}/n_{\text{in}})}` is PyTorch's
   default ``adjust_lr_fn="original"`` (the reference code's
   ``max(1, rows/cols)**0.5``), written for PyTorch's ``Linear`` weights of shape
   ``(out, in)``: ``layout="out_in"``, the default, reads the array's shape that
   way.  optimlab's MLP stores ``W`` as ``(fan_in, fan_out)``; with the default
   layout its wide-to-narrow layers (784 -> 128: scale 2.47) get the scale that
   PyTorch gives the transposed layer, and its narrow-to-wide ones get none.
   Pass ``layout="in_out"`` to apply PyTorch's rule to optimlab's MLP (784 ->
   128: scale 1, as ``torch.optim.Muon`` on the same network).  The
   orthogonalisation itself does not depend on the layout (it commutes with
   transposition).  Weight decay is multiplied by the unscaled ``lr``, as in
   PyTorch.
"""

import math

import numpy as np

from .._errors import InputTypeError, suggest
from . import adam, adamw
from ._base import Rule, as_tree, is_floating
from ._hparams import Bool, Choice, Hparams, Int, KeySelector, Real, decay_rate, epsilon
from ._math import norm

NAME = "muon"
FAMILY = "matrix"
YEAR = 2024
PAPER = "https://kellerjordan.github.io/posts/muon/"

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)

HPARAMS = Hparams(
    lr=Real(0.02, low=0.0),
    momentum=Real(0.95, low=0.0, high=1.0, high_open=True),
    nesterov=Bool(True),
    ns_steps=Int(5, low=0, high=99),
    eps=epsilon(1e-7),
    weight_decay=Real(0.0, low=0.0),
    layout=Choice("out_in", ("out_in", "in_out")),
    adjust_lr=Choice("original", ("original", "match_rms_adamw")),
    adamw_lr=Real(3e-4, low=0.0),
    adamw_beta1=decay_rate(0.9),
    adamw_beta2=decay_rate(0.95),
    adamw_eps=epsilon(1e-10),
    adamw_weight_decay=Real(0.0, low=0.0),
    adamw_params=KeySelector(None),
)
DEFAULTS = HPARAMS.defaults


def orthogonalize(G, steps=5, eps=1e-7):
    """Lines (3)/(5): the quintic Newton-Schulz iteration on a 2-D array, run in float64.

    Returns an array of G's shape and (floating) dtype whose singular vectors are G's
    and whose singular values are all near 1 (in a band, not exactly 1).
    """
    G = np.asarray(G)
    if G.ndim != 2:
        raise ValueError(f"orthogonalize needs a 2-D array; got shape {G.shape}")
    if G.dtype.kind not in "fiu" and not is_floating(G.dtype):
        raise InputTypeError(f"orthogonalize: argument 'G' must be an array of numbers; got dtype {G.dtype}")
    if not np.isfinite(G).all():
        raise ValueError("orthogonalize: argument 'G' contains NaN or inf")
    steps = HPARAMS.specs["ns_steps"].check("steps", steps, kind="orthogonalize: argument")
    eps = HPARAMS.specs["eps"].check("eps", eps, kind="orthogonalize: argument")
    a, b, c = NS_COEFFICIENTS
    X = G.astype(np.float64)
    tall = X.shape[0] > X.shape[1]
    if tall:
        X = X.T
    X = X / max(norm(X), eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X  # (5)
    if tall:
        X = X.T
    return X.astype(G.dtype if np.issubdtype(G.dtype, np.floating) else np.float64)


def ns_polynomial(sigma, steps=1):
    r"""What ``steps`` Newton-Schulz iterations do to a singular value: :math:`p^{\circ k}(\sigma)`."""
    steps = HPARAMS.specs["ns_steps"].check("steps", steps, kind="ns_polynomial: argument")
    try:
        s = np.asarray(sigma, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputTypeError(f"ns_polynomial: argument 'sigma' must be numbers; got {type(sigma).__name__}") from None
    if not np.isfinite(s).all():
        raise ValueError("ns_polynomial: argument 'sigma' contains NaN or inf")
    a, b, c = NS_COEFFICIENTS
    with np.errstate(over="ignore", invalid="ignore"):  # the polynomial of a huge sigma is huge: inf says so
        for _ in range(steps):
            s = a * s + b * s**3 + c * s**5
    return s


def authors_adamw_keys(params):
    """The keys the Muon authors send to AdamW although they are 2-D: the first and the last 2-D arrays.

    For a dict of layers in order (``W1, b1, W2, b2, ...``) that is the input
    layer (the MLP's stand-in for an input embedding) and the output head;
    pass the result as ``adamw_params``.  (Non-2-D arrays go to AdamW anyway.)
    """
    tree, _ = as_tree(params)
    matrices = [key for key, theta in tree.items() if theta.ndim == 2]
    return sorted({matrices[0], matrices[-1]}, key=matrices.index) if matrices else []


def uses_adamw(key, theta, hp):
    """True if the array *theta* under *key* is updated by the AdamW part."""
    if theta.ndim != 2:
        return True
    chosen = hp["adamw_params"]
    if chosen is None:
        return False
    return bool(chosen(key, theta)) if callable(chosen) else key in chosen


def _check_tree(tree, hp):
    chosen = hp["adamw_params"]
    if chosen is not None and not callable(chosen):
        unknown = sorted(k for k in chosen if k not in tree)
        if unknown:
            raise ValueError(f"hparam 'adamw_params' names {unknown}, which are not params (params: {list(tree)})."
                             + suggest(unknown[0], tree))


def _adamw_hparams(hp):
    return {"lr": hp["adamw_lr"], "beta1": hp["adamw_beta1"], "beta2": hp["adamw_beta2"], "eps": hp["adamw_eps"],
            "weight_decay": hp["adamw_weight_decay"], "eps_hat": False}


def _init_slots(theta, hp, key):
    return adamw.RULE.init_slots(theta, hp) if uses_adamw(key, theta, hp) else {"b": np.zeros_like(theta)}


def _update(W, G, slots, t, hp, key):
    if uses_adamw(key, W, hp):
        return adamw.RULE.update(W, G, slots, t, _adamw_hparams(hp))
    mu, lr = hp["momentum"], hp["lr"]
    b = mu * slots["b"] + (1.0 - mu) * G  # (1)
    U = (1.0 - mu) * G + mu * b if hp["nesterov"] else b  # (2)
    O = orthogonalize(U, hp["ns_steps"], hp["eps"])  # (3)
    n_out, n_in = W.shape if hp["layout"] == "out_in" else W.shape[::-1]
    if hp["adjust_lr"] == "original":
        scale = math.sqrt(max(1.0, n_out / n_in))
    else:  # match_rms_adamw
        scale = 0.2 * math.sqrt(max(n_out, n_in))
    W = (1.0 - lr * hp["weight_decay"]) * W - lr * scale * O  # (4)
    return W, {"b": b}


RULE = Rule(NAME, HPARAMS, _init_slots, _update, keyed=True, check_tree=_check_tree, bounds=adam.BOUNDS)
init, step = RULE.init, RULE.step  # the public contract (see optimlab.optimizers)
