"""The public ``step`` of a fused optimizer, written once: check, lay out, run the kernel, return."""

import numpy as np

from ._engine import finish, prepare, run


def fused_step(module, params, grads, state, hparams, check_finite, threads):
    """Check the inputs, run ``module.kernel`` over every block, return ``(params, state)``."""
    hp = module.HPARAMS.resolve(hparams, f"fused {module.NAME}")
    tree, single, t, buffers, jobs = prepare(module.NAME, params, grads, state, module.SLOTS, check_finite)
    scales = module.scales(hp) if hasattr(module, "scales") else {}
    if state is not None:  # buffers kept divided by an hparam-dependent factor: rescale if it changed
        for slot, factor in scales.items():
            old = state.get("scales", {}).get(slot, factor)
            if old != factor:
                np.multiply(buffers[slot], old / factor, out=buffers[slot])
    t += 1
    run(module.kernel, module.constants(hp, t), jobs, buffers, threads)
    params, new_state = finish(module.NAME, params, tree, t, buffers)
    if scales:
        new_state["scales"] = scales
    return params, new_state


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
