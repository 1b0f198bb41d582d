"""The public ``step`` of a fused optimizer, written once: check, lay out, run the kernel, return."""

import numbers

import numpy as np

from ..optimizers._hparams import Bool
from ._engine import check_threads, finish, prepare, run

_CHECK_FINITE = Bool(False)


def fused_step(module, params, grads, state, hparams, check_finite, threads):
    """Check the inputs, run ``module.kernel`` over every block, return ``(params, state)``."""
    hp = module.HPARAMS.resolve(hparams, f"fused {module.NAME}")
    threads = check_threads(threads)
    _CHECK_FINITE.check("check_finite", check_finite, kind="argument")
    tree, single, t, buffers, jobs = prepare(module.NAME, params, grads, state, module.SLOTS, check_finite)
    scales = module.scales(hp) if hasattr(module, "scales") else {}
    old_scales = _old_scales(state, scales) if state is not None else scales
    for slot, factor in scales.items():  # buffers kept divided by an hparam-dependent factor: rescale if it changed
        if old_scales[slot] != factor:
            np.multiply(buffers[slot], old_scales[slot] / factor, out=buffers[slot])
    t += 1
    run(module.kernel, module.constants(hp, t), jobs, buffers, threads)
    params, new_state = finish(module.NAME, params, tree, t, buffers)
    if scales:
        new_state["scales"] = scales
    return params, new_state


def _old_scales(state, scales):
    """The factors a given state's buffers are divided by (the current ones if it records none)."""
    old = state.get("scales", {})
    if not isinstance(old, dict):
        raise ValueError(f"state entry 'scales' must be a dict slot -> factor; got {type(old).__name__}")
    out = {}
    for slot, factor in scales.items():
        value = old.get(slot, factor)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value <= 1:
            raise ValueError(f"state entry 'scales'[{slot!r}] must be a factor 1 - beta in (0, 1]; got {value!r}")
        out[slot] = float(value)
    return out


def weight_decay_constants(hp):
    """``{"weight_decay": L2 coefficient, "decay": factor on theta}`` for the hparam's convention."""
    if hp.get("decoupled_weight_decay"):
        return {"weight_decay": 0.0, "decay": 1.0 - hp["lr"] * hp["weight_decay"]}
    return {"weight_decay": hp["weight_decay"], "decay": 1.0}


def decayed_grad(c, P, G, T):
    """Weight decay as the reference's ``optimizers._math.weight_decay`` does it, returning the gradient to use:
    decoupled (``c["decay"] != 1``), ``P *= decay`` in place; L2, ``T = G + wd * P`` into scratch."""
    if c["decay"] != 1.0:
        np.multiply(P, c["decay"], out=P)
    if not c["weight_decay"]:
        return G
    np.multiply(P, c["weight_decay"], out=T)
    np.add(G, T, out=T)
    return T
