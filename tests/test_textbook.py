"""Layer 1: each optimizer against a plain-Python transcription of its documented formula.

The transcriptions below use only floats, lists and the ``math`` module, written
line by line from the module docstrings (not from the library's helpers).
Elementwise rules are written for one scalar coordinate and run coordinate by
coordinate; layer-wise rules (norms, factored moments, Newton-Schulz) are
written for a small matrix and a vector held as Python lists.  The library
must agree to 1e-12 over 25 steps.
"""

import math

import numpy as np
import pytest

from optimlab.optimizers import REGISTRY, get

from registry import SETTING_IDS, SETTINGS

STEPS = 25

# ---------------------------------------------------------------------------------------------
# Elementwise rules: step(x, g, s, t, **hp) -> (x, s), with s a dict of floats ({} at first).


def _decay(x, g, lr, weight_decay, decoupled):
    """Weight decay in either convention: L2 into the gradient, or shrink the weight by lr * wd."""
    if decoupled:
        return x - lr * weight_decay * x, g
    return x, g + weight_decay * x


def sgd(x, g, s, t, lr, weight_decay, decoupled_weight_decay):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    return x - lr * g, s


def momentum(x, g, s, t, lr, momentum, dampening, weight_decay, decoupled_weight_decay):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    b = g if t == 1 else momentum * s["b"] + (1 - dampening) * g
    return x - lr * b, {"b": b}


def nesterov(x, g, s, t, lr, momentum, weight_decay, decoupled_weight_decay):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    b = momentum * s.get("b", 0.0) + g
    return x - lr * (g + momentum * b), {"b": b}


def adagrad(x, g, s, t, lr, eps, initial_accumulator_value, lr_decay, weight_decay, decoupled_weight_decay,
            eps_inside_sqrt):
    lr_t = lr / (1 + (t - 1) * lr_decay)
    x, g = _decay(x, g, lr_t, weight_decay, decoupled_weight_decay)
    h = s.get("h", initial_accumulator_value) + g * g
    d = math.sqrt(h + eps) if eps_inside_sqrt else math.sqrt(h) + eps
    return x - lr_t * g / d, {"h": h}


def rmsprop(x, g, s, t, lr, rho, eps, momentum, centered, weight_decay, decoupled_weight_decay, eps_inside_sqrt,
            initial_mean_square):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    v = rho * s.get("v", initial_mean_square) + (1 - rho) * g * g
    gbar = rho * s.get("gbar", 0.0) + (1 - rho) * g
    ms = v - gbar * gbar if centered else v
    d = math.sqrt(ms + eps) if eps_inside_sqrt else math.sqrt(ms) + eps
    b = momentum * s.get("b", 0.0) + g / d
    x = x - lr * b if momentum > 0 else x - lr * g / d
    return x, {"v": v, "gbar": gbar, "b": b}


def adadelta(x, g, s, t, lr, rho, eps, weight_decay, decoupled_weight_decay):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    v = rho * s.get("v", 0.0) + (1 - rho) * g * g
    delta = math.sqrt(s.get("u", 0.0) + eps) / math.sqrt(v + eps) * g
    u = rho * s.get("u", 0.0) + (1 - rho) * delta * delta
    return x - lr * delta, {"v": v, "u": u}


def adam(x, g, s, t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay=False, eps_hat=False, ams=False,
         max_bias_corrected=False):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    if max_bias_corrected:  # optax's amsgrad: the running max of v_hat itself
        vmax = max(s.get("vmax", 0.0), v / (1 - beta2**t))
        return x - lr * (m / (1 - beta1**t)) / (math.sqrt(vmax) + eps), {"m": m, "v": v, "vmax": vmax}
    vmax = max(s.get("vmax", 0.0), v)
    v_used = vmax if ams else v
    if eps_hat:  # Kingma & Ba, section 2: alpha_t = alpha sqrt(1 - b2^t) / (1 - b1^t), eps-hat on sqrt(v)
        alpha_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        return x - alpha_t * m / (math.sqrt(v_used) + eps), {"m": m, "v": v, "vmax": vmax}
    m_hat = m / (1 - beta1**t)
    v_hat = v_used / (1 - beta2**t)
    return x - lr * m_hat / (math.sqrt(v_hat) + eps), {"m": m, "v": v, "vmax": vmax}


def adamw(x, g, s, t, **hp):
    return adam(x, g, s, t, decoupled_weight_decay=True, **hp)


def amsgrad(x, g, s, t, **hp):
    return adam(x, g, s, t, ams=True, **hp)


def adamax(x, g, s, t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, eps_outside_max):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    if eps_outside_max:  # optax / Keras: u = max(b2 u, |g|), divide by u + eps
        u = max(beta2 * s.get("u", 0.0), abs(g))
        return x - lr / (1 - beta1**t) * m / (u + eps), {"m": m, "u": u}
    u = max(beta2 * s.get("u", 0.0), abs(g) + eps)
    return x - lr / (1 - beta1**t) * m / u, {"m": m, "u": u}


def nadam(x, g, s, t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, momentum_decay,
          momentum_schedule):
    x, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    d = math.sqrt(v / (1 - beta2**t)) + eps
    if not momentum_schedule:  # optax.nadam: b1 m/(1 - b1^(t+1)) + (1 - b1) g/(1 - b1^t)
        step = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1**t)
        return x - lr * step / d, {"m": m, "v": v}
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    prod = s.get("prod", 1.0) * mu
    x = x - lr * (1 - mu) / (1 - prod) * g / d - lr * mu_next / (1 - prod * mu_next) * m / d
    return x, {"prod": prod, "m": m, "v": v}


def radam(x, g, s, t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, eps_hat, rho_threshold,
          unrectified):
    x_decayed, g = _decay(x, g, lr, weight_decay, decoupled_weight_decay)
    m = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > rho_threshold:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        if eps_hat:  # PyTorch: eps on sqrt(v) before the correction
            l = math.sqrt(1 - beta2**t) / (math.sqrt(v) + eps)
        else:  # optax: Adam's 1 / (sqrt(v_hat) + eps)
            l = 1 / (math.sqrt(v / (1 - beta2**t)) + eps)
        return x_decayed - lr * r * l * m_hat, {"m": m, "v": v}
    if unrectified == "none":  # the authors' RAdam(degenerated_to_sgd=False): step_size = -1, p untouched
        return x, {"m": m, "v": v}
    step = m if unrectified == "raw" else m_hat
    return x_decayed - lr * step, {"m": m, "v": v}


def lion(x, g, s, t, lr, beta1, beta2, weight_decay):
    m = s.get("m", 0.0)
    c = beta1 * m + (1 - beta1) * g
    sign = (c > 0) - (c < 0)
    x = (1 - lr * weight_decay) * x - lr * sign
    return x, {"m": beta2 * m + (1 - beta2) * g}


def _lookahead(x, g, s, t, inner, inner_hparams, k, alpha):
    """Zhang et al. (2019), Algorithm 1, around a scalar inner rule."""
    slow = s.get("slow", x)
    x, inner_s = inner(x, g, s.get("inner", {}), t, **inner_hparams)
    if t % k == 0:
        slow = slow + alpha * (x - slow)
        x = slow
    return x, {"slow": slow, "inner": inner_s}


def lookahead(x, g, s, t, inner, inner_hparams, k, alpha):
    rule = ELEMENTWISE[inner]
    return _lookahead(x, g, s, t, rule, {**get(inner).DEFAULTS, **(inner_hparams or {})}, k, alpha)


def ranger(x, g, s, t, k, alpha, **radam_hp):
    return _lookahead(x, g, s, t, radam, radam_hp, k, alpha)


ELEMENTWISE = {f.__name__: f for f in (sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw, amsgrad,
                                       adamax, nadam, radam, lion, lookahead, ranger)}

X0 = [1.5, -0.7, 0.05, 3.0]


def grad_fn(x, i):
    """A smooth, coordinate-dependent gradient (of sum_i s_i/2 (x-c_i)^2 + sin x)."""
    s, c = [1.0, 0.3, 5.0, 0.02][i % 4], [0.5, -2.0, 0.0, 1.0][i % 4]
    return s * (x - c) + math.cos(x)


# ---------------------------------------------------------------------------------------------
# Layer-wise rules: step(P, G, S, t, **hp) -> (P, S) for P = {"W": 3x2 list of lists, "b": list of 2}.

def _flat(a):
    return [v for row in a for v in row] if isinstance(a[0], list) else list(a)


def _norm(a):
    return math.sqrt(sum(v * v for v in _flat(a)))


def _map(f, *arrays):
    """Elementwise f over equally shaped lists (or lists of lists)."""
    if isinstance(arrays[0][0], list):
        return [[f(*vals) for vals in zip(*rows)] for rows in zip(*arrays)]
    return [f(*vals) for vals in zip(*arrays)]


def _zeros(a):
    return _map(lambda v: 0.0, a)


def _matmul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


def _transpose(A):
    return [list(col) for col in zip(*A)]


def lars(P, G, S, t, lr, momentum, dampening, nesterov, weight_decay, trust_coefficient, trust_denominator,
         exclude_vectors):
    out, S = {}, dict(S)
    for k in P:
        u = G[k]
        if isinstance(P[k][0], list) or not exclude_vectors:  # by default vectors get no trust ratio or decay
            decayed = _map(lambda g, w: g + weight_decay * w, G[k], P[k])
            w_norm = _norm(P[k])
            if trust_denominator == "update":  # optax: norm of the decayed gradient
                r = trust_coefficient * w_norm / _norm(decayed)
            else:
                r = trust_coefficient * w_norm / (_norm(G[k]) + weight_decay * w_norm)
            u = _map(lambda d: r * d, decayed)
        b = _map(lambda b, u: momentum * b + (1 - dampening) * u, S.get(k, _zeros(u)), u)
        S[k] = b
        step = _map(lambda u, b: u + momentum * b, u, b) if nesterov else b
        out[k] = _map(lambda w, d: w - lr * d, P[k], step)
    return out, S


def lamb(P, G, S, t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay):
    out, S = {}, dict(S)
    if decoupled_weight_decay:  # Keras: shrink the weights first, no decay term in u
        P = {k: _map(lambda w: (1 - lr * weight_decay) * w, P[k]) for k in P}
        weight_decay = 0.0
    for k in P:
        m = _map(lambda m, g: beta1 * m + (1 - beta1) * g, S.get(("m", k), _zeros(P[k])), G[k])
        v = _map(lambda v, g: beta2 * v + (1 - beta2) * g * g, S.get(("v", k), _zeros(P[k])), G[k])
        S[("m", k)], S[("v", k)] = m, v
        u = _map(lambda m, v, w: (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps) + weight_decay * w,
                 m, v, P[k])
        r = _norm(P[k]) / _norm(u)
        out[k] = _map(lambda w, u: w - lr * r * u, P[k], u)
    return out, S


def stable_adamw(P, G, S, t, lr, beta1, beta2, eps, weight_decay):
    out, S = {}, dict(S)
    for k in P:
        m = _map(lambda m, g: beta1 * m + (1 - beta1) * g, S.get(("m", k), _zeros(P[k])), G[k])
        v = _map(lambda v, g: beta2 * v + (1 - beta2) * g * g, S.get(("v", k), _zeros(P[k])), G[k])
        S[("m", k)], S[("v", k)] = m, v
        ratios = _flat(_map(lambda g, v: g * g / max(v / (1 - beta2**t), eps * eps), G[k], v))
        lr_t = lr / max(1.0, math.sqrt(sum(ratios) / len(ratios)))
        out[k] = _map(lambda w, m, v: (1 - lr_t * weight_decay) * w
                      - lr_t * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps), P[k], m, v)
    return out, S


def _newton_schulz(U, steps, eps):
    a, b, c = 3.4445, -4.7750, 2.0315
    tall = len(U) > len(U[0])
    X = _transpose(U) if tall else U
    n = max(_norm(X), eps)
    X = _map(lambda v: v / n, X)
    for _ in range(steps):
        A = _matmul(X, _transpose(X))
        AA = _matmul(A, A)
        B = _map(lambda p, q: b * p + c * q, A, AA)
        X = _map(lambda x, y: a * x + y, X, _matmul(B, X))
    return _transpose(X) if tall else X


def muon(P, G, S, t, lr, momentum, nesterov, ns_steps, eps, weight_decay, layout, adjust_lr, adamw_lr, adamw_beta1,
         adamw_beta2, adamw_eps, adamw_weight_decay, adamw_params):
    out, S = {}, dict(S)
    for k in P:
        matrix = isinstance(P[k][0], list)
        if not matrix or (adamw_params is not None and k in adamw_params):  # AdamW, value by value
            pairs = _map(lambda x, g, st: adamw(x, g, st, t, lr=adamw_lr, beta1=adamw_beta1, beta2=adamw_beta2,
                                                eps=adamw_eps, weight_decay=adamw_weight_decay),
                         P[k], G[k], S.get(k, _map(lambda x: {}, P[k])))
            out[k], S[k] = _map(lambda pair: pair[0], pairs), _map(lambda pair: pair[1], pairs)
            continue
        b = _map(lambda b, g: momentum * b + (1 - momentum) * g, S.get(k, _zeros(P[k])), G[k])
        S[k] = b
        U = _map(lambda g, b: (1 - momentum) * g + momentum * b, G[k], b) if nesterov else b
        O = _newton_schulz(U, ns_steps, eps)
        rows, cols = len(P[k]), len(P[k][0])
        n_out, n_in = (rows, cols) if layout == "out_in" else (cols, rows)  # (fan_in, fan_out) when "in_out"
        scale = math.sqrt(max(1.0, n_out / n_in)) if adjust_lr == "original" else 0.2 * math.sqrt(max(rows, cols))
        out[k] = _map(lambda w, o: (1 - lr * weight_decay) * w - lr * scale * o, P[k], O)
    return out, S


def adafactor(P, G, S, t, lr, beta2_decay, eps1, eps2, d, weight_decay, relative_step, scale_parameter):
    eps1 = 2.220446049250313e-16 if eps1 is None else eps1  # float64 machine epsilon
    w = t**beta2_decay
    out, S = {}, dict(S)
    for k in P:
        N = len(_flat(P[k]))
        rho = min(lr, 1 / math.sqrt(t)) if relative_step else lr
        alpha = max(eps2, _norm(P[k]) / math.sqrt(N)) * rho if scale_parameter else rho
        theta = _map(lambda x: (1 - lr * weight_decay) * x, P[k])
        g2 = _map(lambda g: g * g, G[k])
        if isinstance(P[k][0], list):
            rows, cols = len(g2), len(g2[0])
            R = [(1 - w) * r + w * sum(g2[i]) / cols for i, r in enumerate(S.get(("R", k), [0.0] * rows))]
            C = [(1 - w) * c + w * sum(g2[i][j] for i in range(rows)) / rows
                 for j, c in enumerate(S.get(("C", k), [0.0] * cols))]
            S[("R", k)], S[("C", k)] = R, C
            mean_R = max(sum(R) / rows, eps1)
            V = [[R[i] * C[j] / mean_R for j in range(cols)] for i in range(rows)]
        else:
            V = _map(lambda v, q: (1 - w) * v + w * q, S.get(("V", k), _zeros(g2)), g2)
            S[("V", k)] = V
        U = _map(lambda g, v: g / math.sqrt(max(v, eps1 * eps1)), G[k], V)
        denom = max(1.0, _norm(U) / math.sqrt(N) / d)
        out[k] = _map(lambda x, u: x - alpha / denom * u, theta, U)
    return out, S


LAYERWISE = {f.__name__: f for f in (lars, lamb, stable_adamw, muon, adafactor)}

P0 = {"W": [[1.5, -0.7], [0.05, 3.0], [-1.2, 0.4]], "b": [0.3, -2.0]}


def grad_tree(P):
    return {"W": [[grad_fn(x, 2 * i + j) for j, x in enumerate(row)] for i, row in enumerate(P["W"])],
            "b": [grad_fn(x, i + 1) for i, x in enumerate(P["b"])]}


# ---------------------------------------------------------------------------------------------
# Rules on the whole vector (second-order): step(x, g, S, t, **hp) -> (x, S), x a list of 3 floats,
# on f(x) = 1/2 x^T A x - b^T x + sum(cos x_i), whose Hessian is A - diag(cos x).

A3 = [[3.0, 1.0, 0.5], [1.0, 2.0, 0.0], [0.5, 0.0, 1.5]]
B3 = [1.0, -1.0, 0.5]
V0 = [1.2, -0.8, 2.0]


def vec_grad(x):
    return [sum(A3[i][j] * x[j] for j in range(3)) - B3[i] - math.sin(x[i]) for i in range(3)]


def vec_hessian(x):
    return [[A3[i][j] - (math.cos(x[i]) if i == j else 0.0) for j in range(3)] for i in range(3)]


def _dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def _solve(M, r):
    """Gaussian elimination with partial pivoting."""
    n = len(r)
    M = [row[:] + [r[i]] for i, row in enumerate(M)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(M[i][c]))
        M[c], M[p] = M[p], M[c]
        for i in range(c + 1, n):
            f = M[i][c] / M[c][c]
            M[i] = [a - f * b for a, b in zip(M[i], M[c])]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (M[i][n] - sum(M[i][j] * x[j] for j in range(i + 1, n))) / M[i][i]
    return x


def _symmetric_eig(M, sweeps=60):
    """Jacobi eigenvalue iteration: (eigenvalues, eigenvectors as columns)."""
    n = len(M)
    M = [row[:] for row in M]
    V = [[float(i == j) for j in range(n)] for i in range(n)]
    for _ in range(sweeps):
        for p in range(n):
            for q in range(p + 1, n):
                if abs(M[p][q]) < 1e-300:
                    continue
                theta = (M[q][q] - M[p][p]) / (2 * M[p][q])
                t = (1 if theta >= 0 else -1) / (abs(theta) + math.sqrt(theta * theta + 1))
                c = 1 / math.sqrt(t * t + 1)
                s = t * c
                for k in range(n):
                    mkp, mkq = M[k][p], M[k][q]
                    M[k][p], M[k][q] = c * mkp - s * mkq, s * mkp + c * mkq
                for k in range(n):
                    mpk, mqk = M[p][k], M[q][k]
                    M[p][k], M[q][k] = c * mpk - s * mqk, s * mpk + c * mqk
                for k in range(n):
                    vkp, vkq = V[k][p], V[k][q]
                    V[k][p], V[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    return [M[i][i] for i in range(n)], V


def newton(x, g, S, t, lr, damping, saddle_free, hessian):
    H = vec_hessian(x)
    if saddle_free:
        lam, V = _symmetric_eig(H)
        H = [[sum(V[i][k] * abs(lam[k]) * V[j][k] for k in range(3)) for j in range(3)] for i in range(3)]
    H = [[H[i][j] + (damping if i == j else 0.0) for j in range(3)] for i in range(3)]
    d = _solve(H, [-v for v in g])
    return [xi + lr * di for xi, di in zip(x, d)], S


def _curvature_ok(s, y):
    # Nocedal & Wright's curvature condition s^T y > 0, with bfgs.py's stated round-off margins:
    # above 1e-10 |s| |y| and not below the smallest normal float64, 2**-1022
    sy = _dot(s, y)
    return sy >= 2.0 ** -1022 and sy > 1e-10 * math.sqrt(_dot(s, s)) * math.sqrt(_dot(y, y))


def _bfgs_update(H, s, y):
    rho = 1 / _dot(y, s)
    n = len(s)
    V = [[float(i == j) - rho * y[i] * s[j] for j in range(n)] for i in range(n)]  # I - rho y s^T
    VT_H = [[sum(V[k][i] * H[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return [[sum(VT_H[i][k] * V[k][j] for k in range(n)) + rho * s[i] * s[j] for j in range(n)] for i in range(n)]


def bfgs(x, g, S, t, lr):
    H = S.get("H", [[float(i == j) for j in range(3)] for i in range(3)])
    if t > 1:
        s = [a - b for a, b in zip(x, S["x"])]
        y = [a - b for a, b in zip(g, S["g"])]
        if _curvature_ok(s, y):
            if t == 2:
                gamma = _dot(s, y) / _dot(y, y)
                H = [[gamma * float(i == j) for j in range(3)] for i in range(3)]
            H = _bfgs_update(H, s, y)
    d = [sum(H[i][j] * g[j] for j in range(3)) for i in range(3)]
    return [xi - lr * di for xi, di in zip(x, d)], {"H": H, "x": x, "g": g}


def lbfgs(x, g, S, t, lr, history_size):
    pairs = list(S.get("pairs", []))
    if t > 1:
        s = [a - b for a, b in zip(x, S["x"])]
        y = [a - b for a, b in zip(g, S["g"])]
        if _curvature_ok(s, y):
            pairs = (pairs + [(s, y)])[-history_size:]
    q, alphas = list(g), []
    for s, y in reversed(pairs):
        a = _dot(s, q) / _dot(y, s)
        q = [qi - a * yi for qi, yi in zip(q, y)]
        alphas.append(a)
    gamma = _dot(pairs[-1][0], pairs[-1][1]) / _dot(pairs[-1][1], pairs[-1][1]) if pairs else 1.0
    r = [gamma * qi for qi in q]
    for (s, y), a in zip(pairs, reversed(alphas)):
        beta = _dot(y, r) / _dot(y, s)
        r = [ri + si * (a - beta) for ri, si in zip(r, s)]
    return [xi - lr * ri for xi, ri in zip(x, r)], {"pairs": pairs, "x": x, "g": g}


WHOLE_VECTOR = {f.__name__: f for f in (newton, bfgs, lbfgs)}


# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,hparams", SETTINGS, ids=SETTING_IDS)
def test_library_matches_textbook_formula(name, hparams):
    module = get(name)
    full = module.HPARAMS.resolve(hparams)
    if name in ELEMENTWISE:
        xs, states = list(X0), [{} for _ in X0]
        x, state = np.array(X0), None
        for t in range(1, STEPS + 1):
            for i in range(len(xs)):
                xs[i], states[i] = ELEMENTWISE[name](xs[i], grad_fn(xs[i], i), states[i], t, **full)
            x, state = module.step(x, np.array([grad_fn(float(v), i) for i, v in enumerate(x)]), state, hparams)
            np.testing.assert_allclose(x, xs, rtol=1e-12, atol=1e-14, err_msg=f"{name} step {t}")
    elif name in WHOLE_VECTOR:
        if "hessian" in full:  # Newton: both sides use the problem's own Hessian
            hessian = lambda p: np.array(vec_hessian(list(p)))  # noqa: E731
            full, hparams = {**full, "hessian": hessian}, {**hparams, "hessian": hessian}
        xs, S = list(V0), {}
        x, state = np.array(V0), None
        for t in range(1, STEPS + 1):
            xs, S = WHOLE_VECTOR[name](xs, vec_grad(xs), S, t, **full)
            x, state = module.step(x, np.array(vec_grad(list(x))), state, hparams)
            np.testing.assert_allclose(x, xs, rtol=1e-12, atol=1e-14, err_msg=f"{name} step {t}")
    else:
        P, S = P0, {}
        ours, state = {k: np.array(v) for k, v in P0.items()}, None
        for t in range(1, STEPS + 1):
            P, S = LAYERWISE[name](P, grad_tree(P), S, t, **full)
            tree = {k: v.tolist() for k, v in ours.items()}
            ours, state = module.step(ours, {k: np.array(v) for k, v in grad_tree(tree).items()}, state, hparams)
            for k in P:
                np.testing.assert_allclose(ours[k], P[k], rtol=1e-12, atol=1e-14, err_msg=f"{name} {k} step {t}")


def test_every_registered_optimizer_has_a_textbook_transcription():
    assert set(ELEMENTWISE) | set(LAYERWISE) | set(WHOLE_VECTOR) == set(REGISTRY)
    assert {name for name, _ in SETTINGS} == set(REGISTRY)
