"""Run an optimlab optimizer and a reference implementation side by side.

Both start from the same parameters; at every step each computes the gradient
of the same function at *its own* current parameters (plus the same noise),
and their trajectories must agree step by step.
"""

import numpy as np

SCALES = [1.0, 0.01, 20.0, 3.0]  # a different gradient magnitude per tensor


def grad_at(p, scale, noise):
    """Gradient of scale * sum(0.5 (p - 0.3)^2 - cos(2p)/2) plus noise (NumPy, for both sides)."""
    return scale * ((p - 0.3) + np.sin(2 * p)) + noise


def compare(module, hparams, shapes, start, step, *, steps=60, seed=0, rtol=1e-6, atol=1e-10):
    """Feed both sides the same gradient function for *steps* steps, comparing every step.

    ``start(list of float64 arrays) -> handle`` sets the reference up;
    ``step(handle, list of grads as a function of its params) -> list of arrays`` takes one
    reference step: it receives ``grads_for(params_list)`` and must return its new params.
    """
    rng = np.random.default_rng(seed)
    ours = {f"p{i}": rng.standard_normal(shape) for i, shape in enumerate(shapes)}
    handle = start([p.copy() for p in ours.values()])
    state = None
    for t in range(steps):
        noise = [0.1 * s * rng.standard_normal(p.shape) for s, p in zip(SCALES, ours.values())]

        def grads_for(params_list, noise=noise):
            return [np.asarray(grad_at(np.asarray(p, dtype=np.float64), s, n)) for p, s, n in zip(params_list, SCALES, noise)]

        ours, state = module.step(ours, dict(zip(ours, grads_for(list(ours.values())))), state, hparams)
        theirs = step(handle, grads_for)
        for (k, p), q in zip(ours.items(), theirs):
            assert p.dtype == np.float64
            np.testing.assert_allclose(p, np.asarray(q), rtol=rtol, atol=atol, err_msg=f"{module.NAME} {k} step {t + 1}")
    assert state["t"] == steps
    return ours, state


def torch_side(torch, make_optimizer):
    """``(start, step)`` for a ``torch.optim``-style optimizer built by ``make_optimizer(tensors)``."""

    def start(arrays):
        tensors = [torch.tensor(a) for a in arrays]
        return tensors, make_optimizer(tensors)

    def step(handle, grads_for):
        tensors, opt = handle
        for tp, g in zip(tensors, grads_for([tp.detach().numpy() for tp in tensors])):
            tp.grad = torch.from_numpy(g)
        opt.step()
        return [tp.detach().numpy().copy() for tp in tensors]

    return start, step


def optax_side(jax, optax, tx):
    """``(start, step)`` for an optax ``GradientTransformation`` *tx*, run in float64 (``jax_enable_x64``)."""
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    def start(arrays):
        params = [jnp.asarray(a, dtype=jnp.float64) for a in arrays]
        return {"params": params, "state": tx.init(params)}

    def step(handle, grads_for):
        grads = [jnp.asarray(g) for g in grads_for([np.asarray(p) for p in handle["params"]])]
        updates, handle["state"] = tx.update(grads, handle["state"], handle["params"])
        handle["params"] = optax.apply_updates(handle["params"], updates)
        assert handle["params"][0].dtype == jnp.float64
        return [np.asarray(p) for p in handle["params"]]

    return start, step
