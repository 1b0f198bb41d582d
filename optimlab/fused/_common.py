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


def decayed_grad(c, P, G, T):
    """L2 weight decay into scratch: ``T = G + wd * P`` (the reference's ``g + wd * theta``), or G itself."""
    if not c["weight_decay"]:
        return G
    np.multiply(P, c["weight_decay"], out=T)
    np.add(G, T, out=T)
    return T
