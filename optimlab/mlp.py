r"""A small multilayer perceptron 多层感知机 with hand-written backpropagation (no autograd).

``MLP(sizes, activation)`` holds only the architecture; parameters are a
plain dict ``{"W1": (fan_in, fan_out), "b1": (fan_out,), "W2": ..., ...}``, so
any optimizer of ``optimlab.optimizers`` can train them.

For an input batch :math:`X` (:math:`N \times d_0`) and layers :math:`l = 1 \dots L`:

.. math::

    z_l &= a_{l-1} W_l + b_l, \qquad a_0 = X, \qquad a_l = \sigma(z_l)\ (l < L)     \quad (1)\\
    \text{loss} &= \frac1N \sum_{n} \Big(\log\sum_k e^{z_{L,nk}} - z_{L,n y_n}\Big)
        + \frac{\lambda}{2}\sum_l \lVert W_l\rVert^2                                  \quad (2)\\
    \delta_L &= (\mathrm{softmax}(z_L) - \mathrm{onehot}(y)) / N                       \quad (3)\\
    \nabla W_l &= a_{l-1}^\top \delta_l + \lambda W_l, \quad \nabla b_l = \textstyle\sum_n \delta_{l,n},
    \quad \delta_{l-1} = (\delta_l W_l^\top) \odot \sigma'(z_{l-1})                    \quad (4)

(2) is the mean softmax cross-entropy computed stably (log-sum-exp after
subtracting each row's maximum) plus the optional L2 term (coupled weight
decay, on weights only).  Activations :math:`\sigma`: ``relu``,
``leaky_relu`` (slope 0.01), ``tanh``, ``sigmoid``, and ``mish``,
:math:`z\tanh(\mathrm{softplus}(z))` (Misra 2019, https://arxiv.org/abs/1908.08681,
the activation the Ranger write-ups pair with Ranger).  Initialisation
schemes: ``he`` (:math:`\mathcal N(0, 2/\text{fan\_in})`, for ReLU-like
activations), ``xavier`` (Glorot normal, :math:`\mathcal N(0, 2/(\text{fan\_in}+\text{fan\_out}))`,
for tanh/sigmoid) and ``normal`` (:math:`\mathcal N(0, \text{std}^2)`); biases
start at zero.

:func:`grad_check` compares any ``(loss, grads)`` function with central finite
differences; the tests use it on every activation.
"""

from __future__ import annotations

import numpy as np

from . import _args
from ._errors import InputTypeError, suggest

LEAKY_SLOPE = 0.01


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for any z


def _mish_parts(z):
    t = np.tanh(np.logaddexp(0.0, z))  # tanh(softplus(z)), stable
    return t, z * t


ACTIVATIONS = {
    # name: (sigma(z), sigma'(z))
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),
    "leaky_relu": (lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "mish": (lambda z: _mish_parts(z)[1],
             lambda z: _mish_parts(z)[0] + z * (1.0 - _mish_parts(z)[0] ** 2) * _sigmoid(z)),
}
SCHEMES = ("he", "xavier", "normal")


def log_softmax(logits):
    """Row-wise log-softmax, computed stably."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


class MLP:
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]`` with one activation between layers."""

    def __init__(self, sizes, activation="relu"):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise InputTypeError(f"MLP: argument 'sizes' must be a list of layer widths; got {type(sizes).__name__}")
        sizes = list(sizes)
        if len(sizes) < 2 or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
                                     for s in sizes):
            raise ValueError(f"sizes must be two or more positive integers (input, hidden..., classes); got {sizes}")
        if not isinstance(activation, str):
            raise InputTypeError(f"MLP: argument 'activation' must be a string; got {type(activation).__name__}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}."
                             + suggest(activation, ACTIVATIONS))
        self.sizes = [int(s) for s in sizes]
        self.activation = activation

    @property
    def n_layers(self):
        return len(self.sizes) - 1

    def __repr__(self):
        return f"MLP({'-'.join(map(str, self.sizes))}, activation={self.activation!r})"

    def n_params(self):
        return sum(a * b + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def init(self, seed=0, scheme="he", std=0.01, dtype=np.float64):
        """Fresh parameters ``{"W1", "b1", ...}``: weights drawn by *scheme*, biases zero, in a floating *dtype*."""
        _args.seed("MLP.init", seed)
        if not isinstance(scheme, str) or scheme not in SCHEMES:
            raise ValueError(f"unknown init scheme {scheme!r}; known: {', '.join(SCHEMES)}." + suggest(scheme, SCHEMES))
        std = _args.real("MLP.init", "std", std, 0.0, low_open=True)
        dtype = _args.floating_dtype("MLP.init", "dtype", dtype)  # integer weights would all round to zero
        rng = np.random.default_rng(seed)
        params = {}
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            scale = {"he": np.sqrt(2.0 / fan_in), "xavier": np.sqrt(2.0 / (fan_in + fan_out)), "normal": std}[scheme]
            params[f"W{l}"] = (scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            params[f"b{l}"] = np.zeros(fan_out, dtype=dtype)
        return params

    def _check(self, params, X):
        if not isinstance(params, dict):
            raise InputTypeError(f"params must be a dict {{'W1': ..., 'b1': ...}}; got {type(params).__name__}")
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            for key, shape in ((f"W{l}", (fan_in, fan_out)), (f"b{l}", (fan_out,))):
                if key not in params:
                    raise ValueError(f"params has no {key!r} for {self}")
                if np.shape(params[key]) != shape:
                    raise ValueError(f"params[{key!r}] has shape {np.shape(params[key])}; {self} needs {shape}")
        X = _args.array(type(self).__name__, "X", X, nonempty=False)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}); got {X.shape}")
        return X

    def _forward(self, params, X):
        """Line (1), keeping every pre-activation z_l and activation a_l for the backward pass."""
        sigma = ACTIVATIONS[self.activation][0]
        a, cache = X, []
        for l in range(1, self.n_layers + 1):
            z = a @ params[f"W{l}"] + params[f"b{l}"]
            cache.append((a, z))
            a = sigma(z) if l < self.n_layers else z
        return a, cache

    def forward(self, params, X):
        """The logits, shape (n, classes)."""
        return self._forward(params, self._check(params, X))[0]

    def predict(self, params, X):
        return self.forward(params, X).argmax(axis=1)

    def accuracy(self, params, X, y):
        return float(np.mean(self.predict(params, X) == np.asarray(y)))

    def loss(self, params, X, y, l2=0.0):
        """Line (2) only."""
        return self.loss_and_grads(params, X, y, l2, grads=False)[0]

    def loss_and_grads(self, params, X, y, l2=0.0, grads=True):
        """Lines (2)-(4): ``(mean cross-entropy + L2 term, {name: gradient})``."""
        X = self._check(params, X)
        l2 = _args.real("MLP.loss", "l2", l2, 0.0)
        if len(X) == 0:
            raise ValueError("X has no rows: the mean loss of no examples is undefined")
        y = np.asarray(y)
        if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
            raise InputTypeError(f"y must be {len(X)} integer labels; got dtype {y.dtype}, shape {y.shape}")
        if y.min() < 0 or y.max() >= self.sizes[-1]:
            raise ValueError(f"labels must be in 0..{self.sizes[-1] - 1}; got {y.min()}..{y.max()}")
        logits, cache = self._forward(params, X)
        n = len(X)
        logp = log_softmax(logits)
        loss = -logp[np.arange(n), y].mean()  # (2)
        if l2:
            loss += 0.5 * l2 * sum(float(np.sum(params[f"W{l}"] ** 2)) for l in range(1, self.n_layers + 1))
        if not grads:
            return float(loss), None
        delta = np.exp(logp)
        delta[np.arange(n), y] -= 1.0
        delta /= n  # (3)
        dsigma = ACTIVATIONS[self.activation][1]
        out = {}
        for l in range(self.n_layers, 0, -1):  # (4)
            a_prev, _ = cache[l - 1]
            W = params[f"W{l}"]
            out[f"W{l}"] = a_prev.T @ delta + (l2 * W if l2 else 0.0)
            out[f"b{l}"] = delta.sum(axis=0)
            if l > 1:
                delta = (delta @ W.T) * dsigma(cache[l - 2][1])
        return float(loss), {k: out[k].astype(params[k].dtype, copy=False) for k in params}


def grad_check(fun, params, eps=1e-6, max_entries=None, seed=0):
    """Relative error of the gradients returned by ``fun(params) -> (loss, grads)`` vs central differences.

    Returns ``{name: ||g - g_fd|| / (||g|| + ||g_fd||)}`` (0 where both are 0),
    using float64 copies of *params*.  ``max_entries`` checks only that many
    randomly chosen entries per array (for big layers).  Below about 1e-7 the
    gradients are right; around 1e-2 or above they are wrong.
    """
    _args.function_("grad_check", "fun", fun)
    if not isinstance(params, dict) or not params:
        raise InputTypeError(f"grad_check: argument 'params' must be a non-empty dict of arrays; got "
                             f"{type(params).__name__}")
    eps = _args.real("grad_check", "eps", eps, 0.0, 1.0, low_open=True)  # a finite-difference step
    max_entries = _args.integer("grad_check", "max_entries", max_entries, 1, optional=True)
    _args.seed("grad_check", seed)
    base = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    out = fun(base)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict) and set(out[1]) >= set(base)):
        raise InputTypeError("grad_check: fun(params) must return (loss, {name: gradient}) with a gradient for "
                             f"every param; got {type(out).__name__}")
    grads = out[1]
    rng = np.random.default_rng(seed)
    errors = {}
    for key, value in base.items():
        flat_idx = np.arange(value.size)
        if max_entries is not None and value.size > max_entries:
            flat_idx = rng.choice(value.size, max_entries, replace=False)
        g = np.asarray(grads[key], dtype=np.float64).ravel()[flat_idx]
        fd = np.empty(len(flat_idx))
        for j, i in enumerate(flat_idx):
            idx = np.unravel_index(i, value.shape)
            old = value[idx]
            value[idx] = old + eps
            plus = fun(base)[0]
            value[idx] = old - eps
            minus = fun(base)[0]
            value[idx] = old
            fd[j] = (plus - minus) / (2 * eps)
        denom = np.linalg.norm(g) + np.linalg.norm(fd)
        errors[key] = float(np.linalg.norm(g - fd) / denom) if denom > 0 else 0.0
    return errors
