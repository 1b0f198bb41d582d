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

import numpy as np

from .optimizers import get

# --- gradient clipping -------------------------------------------------------------------------


def global_norm(grads) -> float:
    r""":math:`\sqrt{\sum_k \lVert g_k\rVert^2}` over every array of *grads* (a dict or one array)."""
    arrays = grads.values() if isinstance(grads, dict) else [grads]
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by ``max_norm / norm`` when their global norm exceeds *max_norm*.

    Returns ``(clipped, norm_before)``.  The direction is unchanged, the new
    global norm is *max_norm*, and below the threshold the gradients come back
    untouched (the same arrays).  PyTorch's ``clip_grad_norm_`` divides by
    ``norm + 1e-6`` instead, so its clipped norm is a hair below *max_norm*.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0; got {max_norm!r}")
    norm = global_norm(grads)
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    if isinstance(grads, dict):
        return {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}, norm
    return (grads * scale).astype(grads.dtype, copy=False), norm


def clip_by_value(grads, clip_value):
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` (changes the direction)."""
    if not clip_value > 0:
        raise ValueError(f"clip_value must be > 0; got {clip_value!r}")
    if isinstance(grads, dict):
        return {k: np.clip(g, -clip_value, clip_value) for k, g in grads.items()}
    return np.clip(grads, -clip_value, clip_value)


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
    module = get(optimizer)
    hparams = dict(hparams or {})
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("accumulate", accumulate)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if monitor not in ("val_loss", "val_acc"):
        raise ValueError(f"monitor must be 'val_loss' or 'val_acc'; got {monitor!r}")
    if early_stopping is not None and validation is None:
        raise ValueError("early_stopping needs validation=(X_val, y_val)")
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
                batch_loss, batch_grads = model.loss_and_grads(params, X[idx], y[idx], l2=l2)
                loss += batch_loss / len(group)
                grads = batch_grads if grads is None else {k: grads[k] + batch_grads[k] for k in grads}
            if len(group) > 1:
                grads = {k: g / len(group) for k, g in grads.items()}
            norm = global_norm(grads)
            if clip_norm is not None:
                grads, _ = clip_by_global_norm(grads, clip_norm)
            if clip_value is not None:
                grads = clip_by_value(grads, clip_value)
            lr = schedule(t) if schedule is not None else _lr_of(module, hparams)
            new_params, state = module.step(params, grads, state, _with_lr(module, hparams, lr))
            if weight_decay:
                new_params = {k: v - lr * weight_decay * params[k] if v.ndim >= 2 else v for k, v in new_params.items()}
            params, t = new_params, t + 1
            for key, value in (("loss", loss), ("lr", lr), ("grad_norm", norm)):
                history.step[key].append(float(value))
            progress.update(f"epoch {epoch}/{epochs}  step {t}  loss {loss:.4f}  lr {lr:.3g}")
        ep = history.epoch
        ep["lr"].append(float(lr))
        ep["train_loss"].append(model.loss(params, X, y, l2=l2))
        ep["train_acc"].append(model.accuracy(params, X, y))
        if validation is not None:
            Xv, yv = validation
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
    if not 0 < lr_min < lr_max:
        raise ValueError(f"need 0 < lr_min < lr_max; got {lr_min!r}, {lr_max!r}")
    module = get(optimizer)
    hparams = dict(hparams or {})
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
