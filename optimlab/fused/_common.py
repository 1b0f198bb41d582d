"""The public ``step`` of a fused optimizer, written once: check, lay out, run the kernel, return."""

import numpy as np

from ._engine import finish, prepare, run


def fused_step(module, params, grads, state, hparams, check_finite, threads):
    """Check the inputs, run ``module.kernel`` over every block, return ``(params, state)``."""
    hp = module.HPARAMS.resolve(hparams, f"fused {module.NAME}")
    tree, single, t, buffers, jobs = prepare(module.NAME, params, grads, state, module.SLOTS, check_finite)
    t += 1
    run(module.kernel, module.constants(hp, t), jobs, buffers, threads)
    return finish(module.NAME, params, tree, t, buffers)


def decayed_grad(c, P, G, T):
    """L2 weight decay into scratch: ``T = G + wd * P`` (the reference's ``g + wd * theta``), or G itself."""
    if not c["weight_decay"]:
        return G
    np.multiply(P, c["weight_decay"], out=T)
    np.add(G, T, out=T)
    return T
