r"""Learning-rate schedules 学习率调度 as pure functions of the step.

Each factory returns a :class:`Schedule`: call it with the step number
:math:`t = 0, 1, 2, \dots` (an int, or an array of them for plotting) and
it returns the learning rate for that step.  Nothing is stateful, so a
schedule can be evaluated anywhere, plotted in one call and composed: the
value at step :math:`t` equals what the matching ``torch.optim.lr_scheduler``
gives after :math:`t` calls of ``scheduler.step()`` (tested to 1e-12).

Which to use when (the lecture's chapter 001/004 advice, made precise):

* :func:`constant`: the baseline; fine for Adam on small problems.
* :func:`step_decay`: the classic ResNet recipe (divide by 10 at fixed epochs); simple, needs the
  milestones tuned.
* :func:`exponential`: a smooth version of step decay; the rate ``gamma`` is per step, so it
  compounds fast (0.99 per step is 0.37 after 100 steps).
* :func:`inverse_time` and :func:`polynomial`: slower, algebraic decays (Keras's ``InverseTimeDecay``,
  ``PolynomialDecay``; PyTorch's ``PolynomialLR``).
* :func:`cosine`: anneal smoothly to ``eta_min`` over ``T_max`` steps; the modern default for
  fixed-length training, one hyperparameter fewer than step decay.
* :func:`linear`: a linear ramp of the factor; as warm-up it grows the rate from a fraction.
* :func:`warmup`: a linear warm-up 预热 for the first steps, then any schedule.  Gradual warm-up was
  introduced for large-batch SGD (Goyal et al. 2017) and is standard for Adam-type optimizers on
  Transformers; why it helps is debated: Liu et al. (RAdam) blame the large variance of the adaptive
  learning rate in the first steps, Ma and Yarats (AAAI 2021) the size of the first updates, and an
  untuned linear warm-up over :math:`2/(1-\beta_2)` steps matches RAdam in their experiments.
* :func:`one_cycle`: Smith's one-cycle policy (warm up to ``max_lr``, anneal far below the start):
  fast training with a large peak rate, found with the LR range test.
* :func:`cyclic`: triangular cycles between ``base_lr`` and ``max_lr`` (Smith 2017); can escape
  plateaus, and is the shape the LR range test scans once.
* :func:`reduce_on_plateau`: the metric-driven one (divide the rate when validation loss stops
  improving); stateful by nature, so it is a function with an explicit state.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _args
from ._errors import InputTypeError, StepOverflowError
from .optimizers._base import MAX_STEPS


class Schedule:
    """A learning rate as a pure function of the step; ``schedule(t)`` or ``schedule(array_of_t)``."""

    def __init__(self, fn, name):
        self._fn = fn
        self.name = name

    def __call__(self, t):
        if np.ndim(t) == 0:
            t = _step(t)
            try:
                value = float(self._fn(t))
            except (OverflowError, ZeroDivisionError) as exc:
                value = exc
            if isinstance(value, Exception) or not math.isfinite(value):
                raise StepOverflowError(f"{self.name}: the rate at step {t} is not a finite number "
                                        f"({value}): its arguments are beyond what a float can follow")
            return value
        steps = np.asarray(t)
        return np.array([self(s) for s in steps.ravel()]).reshape(steps.shape)

    def __repr__(self):
        return f"<schedule {self.name}>"


def _step(t) -> int:
    """A step number: an integer >= 0 (an integral float or NumPy number too; not a fraction)."""
    if isinstance(t, np.ndarray):
        t = t[()]
    if isinstance(t, np.generic):
        t = t.item()
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, numbers.Real):
        raise InputTypeError(f"schedule: the step must be an integer >= 0; got {t!r} of type "
                             f"{type(t).__name__}")
    if not (math.isfinite(t) and t == int(t) and 0 <= t < MAX_STEPS):
        raise ValueError(f"schedule: the step must be an integer >= 0 (below 2**53); got {t!r}")
    return int(t)


def _rate(function, name, value):
    """A learning rate or multiplicative factor: a finite real >= 0."""
    return _args.real(function, name, value, 0.0)


def _period(function, name, value):
    """A number of steps: an integer >= 1 (and no more than a step counter can count, 2**53)."""
    return _args.integer(function, name, value, 1, MAX_STEPS)


def constant(lr):
    """The same rate at every step."""
    lr = _rate("constant", "lr", lr)
    return Schedule(lambda t: lr, f"constant(lr={lr:g})")


def step_decay(lr, step_size, gamma=0.1):
    r""":math:`\eta\,\gamma^{\lfloor t/\text{step\_size}\rfloor}` (``torch.optim.lr_scheduler.StepLR``)."""
    lr, step_size, gamma = _rate("step_decay", "lr", lr), _period("step_decay", "step_size", step_size), \
        _rate("step_decay", "gamma", gamma)
    return Schedule(lambda t: lr * gamma ** (t // step_size), f"step_decay(lr={lr:g}, step_size={step_size}, gamma={gamma:g})")


def exponential(lr, gamma):
    r""":math:`\eta\,\gamma^{t}` (``ExponentialLR``)."""
    lr, gamma = _rate("exponential", "lr", lr), _rate("exponential", "gamma", gamma)
    return Schedule(lambda t: lr * gamma**t, f"exponential(lr={lr:g}, gamma={gamma:g})")


def inverse_time(lr, decay_rate, decay_steps=1, staircase=False):
    r""":math:`\eta / (1 + r\,t/D)`: Keras's ``InverseTimeDecay(lr, D, r)``; ``staircase`` uses :math:`\lfloor t/D\rfloor`.

    With :math:`D = 1` it is Lua torch's ``learningRateDecay`` (``lr / (1 + t * decay)``) and the
    rate PyTorch's ``Adagrad(lr_decay=...)`` uses internally.
    """
    lr, decay_rate = _rate("inverse_time", "lr", lr), _rate("inverse_time", "decay_rate", decay_rate)
    decay_steps = _period("inverse_time", "decay_steps", decay_steps)
    staircase = _args.boolean("inverse_time", "staircase", staircase)

    def fn(t):
        p = t // decay_steps if staircase else t / decay_steps
        return lr / (1.0 + decay_rate * p)

    return Schedule(fn, f"inverse_time(lr={lr:g}, decay_rate={decay_rate:g}, decay_steps={decay_steps})")


def cosine(lr, T_max, eta_min=0.0, hold=False):
    r""":math:`\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T_{\max}))` (``CosineAnnealingLR``).

    Past ``T_max`` the cosine continues (the rate rises again), as PyTorch's
    does; with ``hold=True`` it stays at ``eta_min`` from ``T_max`` on, as
    Keras's ``CosineDecay(lr, decay_steps=T_max, alpha=eta_min / lr)`` and
    ``optax.cosine_decay_schedule(lr, T_max, alpha=eta_min / lr)`` do.
    """
    lr, T_max = _rate("cosine", "lr", lr), _period("cosine", "T_max", T_max)
    eta_min, hold = _rate("cosine", "eta_min", eta_min), _args.boolean("cosine", "hold", hold)

    def fn(t):
        t = min(t, T_max) if hold else t
        return eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * t / T_max))

    return Schedule(fn, f"cosine(lr={lr:g}, T_max={T_max}, eta_min={eta_min:g}{', hold' if hold else ''})")


def polynomial(lr, decay_steps, end_lr=0.0, power=1.0, cycle=False):
    r""":math:`(\eta - \eta_{\text{end}})(1 - \min(t, D)/D)^p + \eta_{\text{end}}` over :math:`D` = *decay_steps*.

    ``end_lr=0`` is PyTorch's ``PolynomialLR(total_iters=D, power=p)``; Keras's
    ``PolynomialDecay`` (whose default ``end_learning_rate`` is 1e-4) and
    ``optax.polynomial_schedule`` hold ``end_lr`` after :math:`D` steps.  With
    ``cycle=True`` (Keras, TensorFlow) the rate jumps back up instead: :math:`D`
    is replaced by the first multiple of it that is at least :math:`t`
    (:math:`D\lceil t/D\rceil`, and :math:`D` at :math:`t = 0`), so each restart
    decays from a lower point over a longer stretch.
    """
    lr, decay_steps = _rate("polynomial", "lr", lr), _period("polynomial", "decay_steps", decay_steps)
    end_lr, power = _rate("polynomial", "end_lr", end_lr), _rate("polynomial", "power", power)
    cycle = _args.boolean("polynomial", "cycle", cycle)

    def fn(t):
        D = decay_steps
        if cycle:
            D = decay_steps * max(1, math.ceil(t / decay_steps))
        else:
            t = min(t, D)
        return (lr - end_lr) * (1.0 - t / D) ** power + end_lr

    return Schedule(fn, f"polynomial(lr={lr:g} -> {end_lr:g} over {decay_steps}, power={power:g}"
                        f"{', cycle' if cycle else ''})")


def linear(lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    r"""The factor moves linearly from *start_factor* to *end_factor* over *total_iters* steps (``LinearLR``)."""
    lr, total_iters = _rate("linear", "lr", lr), _period("linear", "total_iters", total_iters)
    start_factor, end_factor = _rate("linear", "start_factor", start_factor), _rate("linear", "end_factor", end_factor)
    return Schedule(lambda t: lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters),
                    f"linear(lr={lr:g}, {start_factor:g} -> {end_factor:g} over {total_iters})")


def warmup(schedule, warmup_steps, start_factor=0.1):
    r"""Linear warm-up from ``start_factor * schedule(0)`` to ``schedule(0)`` over *warmup_steps*, then *schedule*.

    For :math:`t < w`: :math:`\text{schedule}(0)\,(s + (1-s)\,t/w)`; for :math:`t \ge w`:
    :math:`\text{schedule}(t - w)`, i.e. the wrapped schedule starts after the warm-up
    (``SequentialLR([LinearLR(start_factor, total_iters=w), ...], milestones=[w])``).
    """
    _args.function_("warmup", "schedule", schedule)
    warmup_steps = _period("warmup", "warmup_steps", warmup_steps)
    start_factor = _args.real("warmup", "start_factor", start_factor, 0.0, 1.0)
    base = _rate("warmup", "schedule(0)", schedule(0))

    def fn(t):
        if t < warmup_steps:
            return base * (start_factor + (1.0 - start_factor) * t / warmup_steps)
        return schedule(t - warmup_steps)

    return Schedule(fn, f"warmup({warmup_steps}, {getattr(schedule, 'name', repr(schedule))})")


def one_cycle(max_lr, total_steps, pct_start=0.3, anneal="cos", div_factor=25.0, final_div_factor=1e4,
              three_phase=False, boundaries="pytorch", pct_final=0.85):
    """Smith's one-cycle policy (``OneCycleLR`` with ``cycle_momentum=False``).

    From ``max_lr / div_factor`` up to ``max_lr`` over the first ``pct_start`` of
    the steps, then down to ``max_lr / div_factor / final_div_factor``
    (``three_phase`` goes back to the start first).  Where the phases end:

    * ``boundaries="pytorch"``: at steps ``pct_start * T - 1`` and ``T - 1``
      (three phases: ``pct_start * T - 1``, ``2 * pct_start * T - 2``, ``T - 1``), as
      ``torch.optim.lr_scheduler.OneCycleLR``; defined up to the final step
      ``total_steps``, which gives the final rate;
    * ``boundaries="optax"``: at ``floor(pct_start * T)`` and ``T``
      (``optax.cosine_onecycle_schedule``), or ``floor(pct_start * T)``,
      ``floor(pct_final * T)`` and ``T`` with ``three_phase=True``
      (``optax.linear_onecycle_schedule`` with ``anneal="linear"``); the final rate
      holds from ``T`` on.

    The rate never goes past the last phase's end value (no extrapolation).
    """
    f = "one_cycle"
    max_lr, total_steps = _rate(f, "max_lr", max_lr), _period(f, "total_steps", total_steps)
    pct_start = _args.real(f, "pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
    anneal = _args.choice(f, "anneal", anneal, ("cos", "linear"))
    div_factor = _args.real(f, "div_factor", div_factor, 0.0, low_open=True)
    final_div_factor = _args.real(f, "final_div_factor", final_div_factor, 0.0, low_open=True)
    three_phase = _args.boolean(f, "three_phase", three_phase)
    boundaries = _args.choice(f, "boundaries", boundaries, ("pytorch", "optax"))
    pct_final = _args.real(f, "pct_final", pct_final, 0.0, 1.0, low_open=True)
    if boundaries == "optax" and three_phase and not pct_final > pct_start:
        raise ValueError(f"one_cycle: argument 'pct_final' must be above pct_start ({pct_start:g}); got {pct_final!r}")
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    T = total_steps
    if boundaries == "pytorch":
        ends = [pct_start * T - 1, 2 * pct_start * T - 2, T - 1] if three_phase else [pct_start * T - 1, T - 1]
    else:
        ends = [math.floor(pct_start * T), math.floor(pct_final * T), T] if three_phase else [math.floor(pct_start * T), T]
    values = [initial, max_lr, initial, minimum] if three_phase else [initial, max_lr, minimum]

    def anneal_fn(start, end, pct):
        if anneal == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def fn(t):
        if boundaries == "pytorch" and t > T:
            raise ValueError(f"one_cycle is defined up to step {T}; got {t}")
        start_step = 0.0
        for i, end_step in enumerate(ends):
            if t < end_step or (t == end_step and boundaries == "pytorch"):
                pct = (t - start_step) / max(end_step - start_step, 1)
                return anneal_fn(values[i], values[i + 1], pct)
            start_step = end_step
        return values[-1]

    return Schedule(fn, f"one_cycle(max_lr={max_lr:g}, total_steps={total_steps})")


def cyclic(base_lr, max_lr, step_size_up=2000, step_size_down=None):
    """Triangular cycles between *base_lr* and *max_lr* (``CyclicLR(mode="triangular")``)."""
    base_lr, max_lr = _rate("cyclic", "base_lr", base_lr), _rate("cyclic", "max_lr", max_lr)
    step_size_up = _period("cyclic", "step_size_up", step_size_up)
    step_size_down = _args.integer("cyclic", "step_size_down", step_size_down, 1, MAX_STEPS, optional=True)
    down = step_size_up if step_size_down is None else step_size_down
    total = step_size_up + down
    ratio = step_size_up / total

    def fn(t):
        cycle = math.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        return base_lr + (max_lr - base_lr) * scale

    return Schedule(fn, f"cyclic({base_lr:g} <-> {max_lr:g}, up {step_size_up})")


def reduce_on_plateau(metric, lr, state=None, *, mode="min", factor=0.1, patience=10, threshold=1e-4,
                      threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
    """One evaluation of ``ReduceLROnPlateau``: returns ``(new_lr, new_state)``.

    Call it once per evaluation (usually per epoch) with the validation
    *metric* and the current *lr*; ``state`` is ``None`` the first time, then
    what the previous call returned.  The rate is multiplied by *factor* once
    the metric has not improved (by more than *threshold*, relative or
    absolute) for more than *patience* calls, then nothing happens for
    *cooldown* calls; it never goes below *min_lr*.  Same rules as PyTorch's.
    """
    f = "reduce_on_plateau"
    current, lr = _args.number(f, "metric", metric), _rate(f, "lr", lr)
    mode, threshold_mode = _args.choice(f, "mode", mode, ("min", "max")), \
        _args.choice(f, "threshold_mode", threshold_mode, ("rel", "abs"))
    factor = _args.real(f, "factor", factor, 0.0, 1.0, high_open=True)
    patience, cooldown = _args.integer(f, "patience", patience, 0), _args.integer(f, "cooldown", cooldown, 0)
    threshold, min_lr, eps = _rate(f, "threshold", threshold), _rate(f, "min_lr", min_lr), _rate(f, "eps", eps)
    if state is None:
        state = {"best": math.inf if mode == "min" else -math.inf, "num_bad": 0, "cooldown_counter": 0}
    if not isinstance(state, dict) or set(state) != {"best", "num_bad", "cooldown_counter"}:
        raise ValueError(f"{f}: argument 'state' must be None or the dict a previous call returned; got {state!r}")
    best = state["best"]
    if isinstance(best, bool) or not isinstance(best, numbers.Real) or math.isnan(best):
        raise ValueError(f"{f}: argument 'state' holds best={best!r}; a real number (or +-inf) was expected")
    num_bad = _args.integer(f, "state['num_bad']", state["num_bad"], 0)
    cooldown_counter = _args.integer(f, "state['cooldown_counter']", state["cooldown_counter"], 0)
    if mode == "min":
        better = current < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
    else:
        better = current > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
    if better:
        best, num_bad = current, 0
    else:
        num_bad += 1
    if cooldown_counter > 0:
        cooldown_counter -= 1
        num_bad = 0
    if num_bad > patience:
        new_lr = max(lr * factor, min_lr)
        if lr - new_lr > eps:
            lr = new_lr
        cooldown_counter, num_bad = cooldown, 0
    return lr, {"best": best, "num_bad": num_bad, "cooldown_counter": cooldown_counter}
