"""Training runs: mini-batches, any registered optimizer, schedules, clipping, accumulation,
weight decay, early stopping, and the LR range test ("LR finder").

>>> from optimlab import datasets, mlp, train, schedules
>>> Xtr, ytr, Xte, yte = datasets.load_digits()
>>> net = mlp.MLP([64, 128, 10])
>>> run = train(net, net.init(seed=0), Xtr, ytr, optimizer="adam", hparams={"lr": 1e-3},
...             epochs=10, validation=(Xte, yte), verbose=False)        # doctest: +SKIP
>>> run.history.epoch["val_acc"][-1]                                     # doctest: +SKIP

Everything is deterministic under ``seed``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from . import _args
from ._errors import InputTypeError, StepOverflowError
from .optimizers import get
from .optimizers._base import as_tree, check_finite_tree, check_owner, ignoring_fp_warnings
from .optimizers._math import norm

# --- gradient clipping -------------------------------------------------------------------------


def global_norm(grads) -> float:
    r""":math:`\sqrt{\sum_k \lVert g_k\rVert^2}` over every array of *grads* (a dict or one floating array).

    Computed in float64 without overflow (entries beyond 1e154 do not make it
    infinite); NaN if a gradient holds NaN, inf if one holds inf.
    """
    tree, _ = as_tree(grads, "grads")
    return norm(np.array([norm(g.astype(np.float64, copy=False)) for g in tree.values()]))


def _clippable(function, grads):
    """*grads* as a tree (floating arrays only), refusing NaN and inf: clipping cannot rescale them."""
    tree, single = as_tree(grads, "grads")
    check_finite_tree(tree, single, "grads", hint=f"{function} cannot clip them (the run has diverged)")
    return tree, single


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by ``max_norm / norm`` when their global norm exceeds *max_norm*.

    Returns ``(clipped, norm_before)``.  The direction is unchanged, the new
    global norm is *max_norm*, and below the threshold the gradients come back
    untouched (the same arrays).  PyTorch's ``clip_grad_norm_`` divides by
    ``norm + 1e-6`` instead, so its clipped norm is a hair below *max_norm*.
    """
    max_norm = _args.real("clip_by_global_norm", "max_norm", max_norm, 0.0, low_open=True)
    tree, single = _clippable("clip_by_global_norm", grads)
    total = global_norm(tree)
    if total <= max_norm:
        return grads, total
    scale = max_norm / total
    clipped = {k: (g * scale).astype(g.dtype, copy=False) for k, g in tree.items()}
    return (next(iter(clipped.values())) if single else clipped), total


def clip_by_value(grads, clip_value):
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` (changes the direction)."""
    clip_value = _args.real("clip_by_value", "clip_value", clip_value, 0.0, low_open=True)
    tree, single = _clippable("clip_by_value", grads)
    clipped = {k: np.clip(g, -clip_value, clip_value) for k, g in tree.items()}
    return next(iter(clipped.values())) if single else clipped


# --- the training loop ---------------------------------------------------------------------------


@dataclass
class History:
    """Per optimizer step: ``loss``, ``lr``, ``grad_norm``; per epoch: ``train_loss``, ``train_acc``,
    ``val_loss``, ``val_acc``, ``lr``, ``seconds``."""

    step: dict = field(default_factory=lambda: {"loss": [], "lr": [], "grad_norm": []})
    epoch: dict = field(default_factory=lambda: {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": [],
                                                 "lr": [], "seconds": []})


@dataclass
class TrainResult:
    params: dict  # the final params (the best ones if early stopping restored them)
    state: dict  # the optimizer state after the last step
    history: History
    best_epoch: int | None = None  # 1-based epoch with the best monitored value (with validation)
    stopped_early: bool = False


def _check_data(function, model, params, X, y, methods=("loss_and_grads",)):
    """The model, params and data every training helper needs, checked; returns ``(X, y)`` as arrays."""
    for method in methods:
        if not callable(getattr(model, method, None)):
            raise InputTypeError(f"{function}: argument 'model' must have a {method}() method (like "
                                 f"optimlab.mlp.MLP); got {type(model).__name__}")
    if not isinstance(params, Mapping):
        raise InputTypeError(f"{function}: argument 'params' must be a dict name -> array (e.g. net.init()); got "
                             f"{type(params).__name__}")
    tree, _ = as_tree(params)
    check_finite_tree(tree, False, hint=f"{function} cannot start from them")
    X, y = _args.array(function, "X", X), _args.array(function, "y", y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{function}: X and y must hold one row and one label per example; got shapes "
                         f"{X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    return X, y


def _check_optimizer(function, optimizer, hparams):
    """The optimizer module and a copy of the hparams (checked against its specs, lr included)."""
    module = get(optimizer)
    _args.mapping(function, "hparams", hparams)
    hparams = dict(hparams or {})
    module.HPARAMS.resolve(hparams, module.NAME)
    return module, hparams


def _diverged(function, t, epoch, what, lr):
    return ValueError(f"{function}: the run diverged at step {t}{f' (epoch {epoch})' if epoch else ''}: {what} "
                      f"became NaN or inf; lower the learning rate (it was {lr:g}) or clip the gradients")


def _lr_of(module, hparams):
    if "lr" in module.DEFAULTS:
        return hparams.get("lr", module.DEFAULTS["lr"])
    inner = get(hparams.get("inner", module.DEFAULTS.get("inner")))  # lookahead: the inner optimizer's lr
    return (hparams.get("inner_hparams") or {}).get("lr", inner.DEFAULTS["lr"])


def _with_lr(module, hparams, lr):
    if "lr" in module.DEFAULTS:
        return {**hparams, "lr": lr}
    return {**hparams, "inner_hparams": {**(hparams.get("inner_hparams") or {}), "lr": lr}}


class _Progress:
    """A one-line progress display on stderr, shown once a run has taken more than a couple of seconds."""

    def __init__(self, verbose, after=2.0):
        self.verbose, self.after, self.start, self.shown = verbose, after, time.perf_counter(), False

    def update(self, text, final=False):
        elapsed = time.perf_counter() - self.start
        if self.verbose is False or (self.verbose is None and elapsed < self.after):
            return
        sys.stderr.write(f"\r{text}  [{elapsed:.1f}s]" + ("\n" if final else ""))
        sys.stderr.flush()
        self.shown = not final


def train(model, params, X, y, *, optimizer="adam", hparams=None, epochs=10, batch_size=32, schedule=None,
          clip_norm=None, clip_value=None, accumulate=1, l2=0.0, weight_decay=0.0, validation=None,
          early_stopping=None, monitor="val_loss", restore_best=True, seed=0, state=None, verbose=None):
    """Train *model* (e.g. :class:`optimlab.mlp.MLP`) from *params* on ``(X, y)``; returns a :class:`TrainResult`.

    * ``optimizer``/``hparams``: any registered optimizer by name, with its hparams.
    * ``schedule``: a function step -> lr (see :mod:`optimlab.schedules`), overriding ``hparams["lr"]``
      at every optimizer step (for Lookahead, the inner optimizer's lr).
    * ``batch_size`` and ``accumulate``: each optimizer step averages the gradients of ``accumulate``
      mini-batches of ``batch_size`` (gradient accumulation 梯度累积).  With mean losses and equal
      micro-batches this *is* one step on a batch of ``accumulate * batch_size``: the same gradient,
      so the large-batch run needs no change of learning rate (tested).  The lecture (chapter 001,
      "如累積 4 步，學習率 ×4") says to multiply the rate by the number of accumulated steps; that does
      not reproduce the large batch in either convention: with averaged (mean-loss) micro-batch
      gradients, as here and in the usual ``loss / k`` recipe, it makes the step k times too large,
      and summed micro-batch gradients are already k times the mean, so at k times the rate the step
      is k**2 times too large (16x for k = 4).  "lr x k" is a different statement: Goyal et al.'s
      linear-scaling rule (https://arxiv.org/abs/1706.02677), for moving from a recipe tuned at a
      small batch (batch b, rate eta) to batch k*b, by accumulation or otherwise: one step at k*eta
      then approximates k small steps at eta, to first order in eta, which is why it needs a warm-up
      and fails at large rates (errata E001-62).
    * ``clip_norm`` (global norm) / ``clip_value``: gradient clipping 梯度裁剪, after accumulation.
    * ``l2``: coupled L2 in the loss (its gradient goes through the optimizer); ``weight_decay``:
      decoupled decay of the weight matrices (arrays with 2+ dims), ``theta -= lr * weight_decay *
      theta_before_step``, for any optimizer (Adam + ``weight_decay`` is AdamW's rule).
    * ``validation=(X_val, y_val)`` is evaluated every epoch; ``early_stopping=patience`` stops when
      ``monitor`` (``"val_loss"`` or ``"val_acc"``) has not improved for that many epochs, and with
      ``restore_best`` returns the best epoch's params.
    * ``seed`` fixes the shuffling; ``state`` continues from an earlier optimizer state (the step
      counter, and so the schedule, continue too); ``verbose``: None shows a progress line only for
      runs longer than ~2 s, True always, False never.
    """
    f = "train"
    module, hparams = _check_optimizer(f, optimizer, hparams)
    X, y = _check_data(f, model, params, X, y, ("loss_and_grads", "loss", "accuracy"))
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("accumulate", accumulate)):
        _args.integer(f, name, value, 1)
    _args.function_(f, "schedule", schedule, optional=True)
    clip_norm = _args.real(f, "clip_norm", clip_norm, 0.0, low_open=True, optional=True)
    clip_value = _args.real(f, "clip_value", clip_value, 0.0, low_open=True, optional=True)
    l2, weight_decay = _args.real(f, "l2", l2, 0.0), _args.real(f, "weight_decay", weight_decay, 0.0)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise InputTypeError(f"{f}: argument 'validation' must be a pair (X_val, y_val); got "
                                 f"{type(validation).__name__}")
        Xv, yv = _args.array(f, "validation[0]", validation[0]), _args.array(f, "validation[1]", validation[1])
        if Xv.ndim == 0 or len(Xv) != len(yv):
            raise ValueError(f"{f}: validation X has shape {Xv.shape} but y has {yv.shape}: one label per row")
    early_stopping = _args.integer(f, "early_stopping", early_stopping, 1, optional=True)
    monitor = _args.choice(f, "monitor", monitor, ("val_loss", "val_acc"))
    _args.boolean(f, "restore_best", restore_best)
    _args.seed(f, seed)
    if verbose is not None:
        _args.boolean(f, "verbose", verbose)
    if early_stopping is not None and validation is None:
        raise ValueError("early_stopping needs validation=(X_val, y_val)")
    if state is not None:
        check_owner(state, module.NAME)
    rng = np.random.default_rng(seed)
    history = History()
    progress = _Progress(verbose)
    best, best_epoch, best_params, bad_epochs, stopped = None, None, None, 0, False
    t = state["t"] if state else 0
    n = len(X)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n)
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        for first in range(0, len(batches), accumulate):
            group = batches[first:first + accumulate]
            loss, grads = 0.0, None
            for idx in group:
                with ignoring_fp_warnings():  # a diverging run is detected below, and said so
                    batch_loss, batch_grads = model.loss_and_grads(params, X[idx], y[idx], l2=l2)
                loss += batch_loss / len(group)
                grads = batch_grads if grads is None else {k: grads[k] + batch_grads[k] for k in grads}
            if len(group) > 1:
                grads = {k: g / len(group) for k, g in grads.items()}
            grad_norm = global_norm(grads)
            lr = schedule(t) if schedule is not None else _lr_of(module, hparams)
            if schedule is not None:
                lr = _args.real(f, f"schedule({t})", lr, 0.0)
            if not (np.isfinite(loss) and np.isfinite(grad_norm)):
                raise _diverged(f, t + 1, epoch, "the loss" if not np.isfinite(loss) else "the gradients", lr)
            if clip_norm is not None:
                grads, _ = clip_by_global_norm(grads, clip_norm)
            if clip_value is not None:
                grads = clip_by_value(grads, clip_value)
            try:
                new_params, state = module.step(params, grads, state, _with_lr(module, hparams, lr))
            except StepOverflowError as exc:
                raise StepOverflowError(f"{_diverged(f, t + 1, epoch, 'the update', lr)} ({exc})") from None
            if weight_decay:
                new_params = {k: v - lr * weight_decay * params[k] if v.ndim >= 2 else v for k, v in new_params.items()}
            params, t = new_params, t + 1
            for key, value in (("loss", loss), ("lr", lr), ("grad_norm", grad_norm)):
                history.step[key].append(float(value))
            progress.update(f"epoch {epoch}/{epochs}  step {t}  loss {loss:.4f}  lr {lr:.3g}")
        ep = history.epoch
        ep["lr"].append(float(lr))
        with ignoring_fp_warnings():
            ep["train_loss"].append(model.loss(params, X, y, l2=l2))
            ep["train_acc"].append(model.accuracy(params, X, y))
        if validation is not None:
            Xv, yv = validation
            with ignoring_fp_warnings():
                ep["val_loss"].append(model.loss(params, Xv, yv, l2=l2))
                ep["val_acc"].append(model.accuracy(params, Xv, yv))
            value = ep[monitor][-1]
            if best is None or (value < best if monitor == "val_loss" else value > best):
                best, best_epoch, best_params, bad_epochs = value, epoch, params, 0
            else:
                bad_epochs += 1
        ep["seconds"].append(time.perf_counter() - start)
        summary = f"epoch {epoch}/{epochs}  train_loss {ep['train_loss'][-1]:.4f}  train_acc {ep['train_acc'][-1]:.4f}"
        if validation is not None:
            summary += f"  val_loss {ep['val_loss'][-1]:.4f}  val_acc {ep['val_acc'][-1]:.4f}"
        progress.update(summary)
        if early_stopping is not None and bad_epochs >= early_stopping:
            stopped = True
            break
    progress.update(summary + ("  (early stop)" if stopped else ""), final=True)
    if stopped and restore_best and best_params is not None:
        params = best_params
    return TrainResult(params, state, history, best_epoch, stopped)


# --- the LR range test ----------------------------------------------------------------------------


@dataclass
class LRFinderResult:
    lrs: np.ndarray  # the learning rates tried, one per step
    losses: np.ndarray  # the mini-batch loss at each
    smoothed: np.ndarray  # bias-corrected exponential moving average of the losses
    suggestion: float  # lr at the steepest descent of the smoothed curve
    diverged: bool


def lr_range_test(model, params, X, y, *, optimizer="sgd", hparams=None, lr_min=1e-6, lr_max=10.0, steps=100,
                  batch_size=32, seed=0, smoothing=0.05, diverge=4.0):
    """The LR range test 学习率范围测试 (Smith 2017; fastai's ``lr_find``).

    From *params* (not modified), take *steps* optimizer steps with the learning
    rate growing log-uniformly from *lr_min* to *lr_max*, one mini-batch each,
    and record the loss; stop early once the smoothed loss exceeds *diverge*
    times its minimum (or is not finite).  The suggestion is the rate where
    the smoothed loss falls fastest against log(lr), before its minimum: a
    rate that still trains quickly and stably.
    """
    f = "lr_range_test"
    module, hparams = _check_optimizer(f, optimizer, hparams)
    X, y = _check_data(f, model, params, X, y)
    lr_min = _args.real(f, "lr_min", lr_min, 0.0, low_open=True)
    lr_max = _args.real(f, "lr_max", lr_max, 0.0, low_open=True)
    if not lr_min < lr_max:
        raise ValueError(f"need 0 < lr_min < lr_max; got {lr_min!r}, {lr_max!r}")
    steps, batch_size = _args.integer(f, "steps", steps, 1), _args.integer(f, "batch_size", batch_size, 1)
    _args.seed(f, seed)
    smoothing = _args.real(f, "smoothing", smoothing, 0.0, 1.0, low_open=True)
    diverge = _args.real(f, "diverge", diverge, 1.0, low_open=True)
    lrs_all = lr_min * (lr_max / lr_min) ** (np.arange(steps) / max(steps - 1, 1))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    state, avg, best = None, 0.0, np.inf
    lrs, losses, smoothed, diverged = [], [], [], False
    for i, lr in enumerate(lrs_all):
        start = (i * batch_size) % len(X)
        if start + batch_size > len(X):
            order = rng.permutation(len(X))
        idx = np.take(order, range(start, start + batch_size), mode="wrap")
        with np.errstate(all="ignore"):
            loss, grads = model.loss_and_grads(params, X[idx], y[idx])
        if not np.isfinite(loss):
            diverged = True
            break
        avg = smoothing * loss + (1 - smoothing) * avg
        s = avg / (1 - (1 - smoothing) ** (i + 1))
        lrs.append(lr), losses.append(loss), smoothed.append(s)
        best = min(best, s)
        if s > diverge * best:
            diverged = True
            break
        with np.errstate(all="ignore"):
            params, state = module.step(params, grads, state, _with_lr(module, hparams, float(lr)), check_finite=False)
    lrs, losses, smoothed = np.array(lrs), np.array(losses), np.array(smoothed)
    upto = int(np.argmin(smoothed)) + 1 if len(smoothed) else 0
    if upto >= 3:
        slope = np.gradient(smoothed[:upto], np.log(lrs[:upto]))
        suggestion = float(lrs[int(np.argmin(slope))])
    else:
        suggestion = float(lrs[0] if len(lrs) else lr_min)
    return LRFinderResult(lrs, losses, smoothed, suggestion, diverged)
