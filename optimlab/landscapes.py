r"""Analytic loss landscapes 损失曲面 with exact gradients and Hessians.

Each landscape is an object with

* ``value(p)``, ``grad(p)``, ``hessian(p)`` for points ``p`` of shape
  ``(..., n)`` (a single point ``(n,)``, a batch, or a whole meshgrid stacked
  on the last axis): they return shapes ``(...)``, ``(..., n)`` and
  ``(..., n, n)``; ``fun(p)`` returns ``(value, grad)``;
* ``minima`` (global minimum first), ``saddles``, ``fmin`` (the global
  minimum's value), ``start`` (a suggested starting point) and ``window``
  (a ``(low, high)`` range per coordinate, for plots);
* ``grid(num)`` -> ``(X, Y, Z)`` for a contour plot of a 2-D landscape.

>>> from optimlab import landscapes
>>> f = landscapes.rosenbrock()
>>> f.value(f.minima[0]), f.grad([1.0, 1.0])
(0.0, array([0., 0.]))

Every gradient and Hessian is written out by hand and tested against central
finite differences of ``value`` (and of ``grad``).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod

import numpy as np

from . import _args
from ._errors import InputTypeError, suggest


class Landscape(ABC):
    """Base class: coordinate checking, ``fun``, ``grid``; subclasses give the formulas."""

    name = "landscape"

    def __init__(self, dim, start, window, minima, saddles=()):
        self.dim = dim
        self.start = np.asarray(start, dtype=float)
        self.window = tuple(tuple(map(float, w)) for w in window)
        self.minima = tuple(np.asarray(m, dtype=float) for m in minima)
        self.saddles = tuple(np.asarray(s, dtype=float) for s in saddles)

    # the formulas, each on a float array of shape (..., dim)
    @abstractmethod
    def _value(self, p):
        """f at points p, shape (...)."""

    @abstractmethod
    def _grad(self, p):
        """The gradient at points p, shape (..., dim)."""

    @abstractmethod
    def _hessian(self, p):
        """The Hessian at points p, shape (..., dim, dim)."""

    def _points(self, p):
        try:
            p = np.asarray(p, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InputTypeError(f"{self.name}: points must be real numbers; got {type(p).__name__}") from None
        if p.ndim == 0 or p.shape[-1] != self.dim:
            raise ValueError(f"{self.name} is {self.dim}-dimensional: points need shape (..., {self.dim}); got {p.shape}")
        return p

    def value(self, p):
        """f(p) for points of shape (..., n); a Python float for a single point."""
        out = self._value(self._points(p))
        return float(out) if np.ndim(out) == 0 else out

    def grad(self, p):
        """The exact gradient, shape (..., n)."""
        return self._grad(self._points(p))

    def hessian(self, p):
        """The exact Hessian, shape (..., n, n)."""
        return self._hessian(self._points(p))

    def fun(self, p):
        """``(value, grad)`` at one point, the form ``optimlab.minimize`` takes."""
        return self.value(p), self.grad(p)

    __call__ = value

    @property
    def fmin(self) -> float:
        """The value at the global minimum (``-inf`` if unbounded below)."""
        return self.value(self.minima[0]) if self.minima else -np.inf

    def grid(self, num: int = 200):
        """``(X, Y, Z)`` on a ``num x num`` meshgrid over ``window``, for contour plots."""
        num = _args.integer("grid", "num", num, 2)
        if self.dim != 2:
            raise ValueError(f"grid() is for 2-D landscapes; {self.name} is {self.dim}-D")
        (x0, x1), (y0, y1) = self.window
        X, Y = np.meshgrid(np.linspace(x0, x1, num), np.linspace(y0, y1, num))
        return X, Y, self._value(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"<landscape {self.name} (dim {self.dim})>"


def _hessian2(hxx, hxy, hyy):
    """Stack the three second derivatives of a 2-D function into (..., 2, 2)."""
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


class Rosenbrock(Landscape):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Minimum :math:`f(a, a^2) = 0` at the bottom of a long, curved, flat valley;
    the classic start is :math:`(-1.2, 1)`.  The Hessian at the minimum has
    condition number about 2500 for ``a=1, b=100``.
    """

    name = "rosenbrock"

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a, self.b = _args.real("rosenbrock", "a", a), _args.real("rosenbrock", "b", b, 0.0, low_open=True)
        super().__init__(2, start=(-1.2, 1.0), window=((-2.0, 2.0), (-1.0, 3.0)), minima=[(a, a * a)])

    def _value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * r, 2 * self.b * r], -1)

    def _hessian(self, p):
        x, y = p[..., 0], p[..., 1]
        b = self.b
        return _hessian2(2 - 4 * b * (y - x * x) + 8 * b * x * x, -4 * b * x, 2 * b + 0 * x)


class Quadratic(Landscape):
    r"""A quadratic :math:`f(p) = \tfrac12 p^\top A p - b^\top p` in any dimension.

    *A* must be symmetric.  If it is positive definite the unique minimum is
    :math:`A^{-1} b`; if it is indefinite that point is a saddle.
    """

    name = "quadratic"

    def __init__(self, A, b=None, start=None, window=None, name=None):
        A = _args.array("Quadratic", "A", A).astype(float)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.allclose(A, A.T):
            raise ValueError(f"Quadratic needs a symmetric square matrix A; got shape {A.shape}")
        n = A.shape[0]
        self.A = A
        self.b = np.zeros(n) if b is None else _args.array("Quadratic", "b", b).astype(float)
        if self.b.shape != (n,):
            raise ValueError(f"Quadratic: argument 'b' must have shape ({n},); got {self.b.shape}")
        if start is not None and _args.array("Quadratic", "start", start).shape != (n,):
            raise ValueError(f"Quadratic: argument 'start' must have shape ({n},); got {np.shape(start)}")
        if window is not None:
            w = _args.array("Quadratic", "window", window)
            if w.shape != (n, 2) or not (w[:, 0] < w[:, 1]).all():
                raise ValueError(f"Quadratic: argument 'window' must be {n} pairs (low, high) with low < high")
        if name is not None and not isinstance(name, str):
            raise InputTypeError(f"Quadratic: argument 'name' must be a string; got {type(name).__name__}")
        if name:
            self.name = name
        eig = np.linalg.eigvalsh(A)
        stationary = np.linalg.solve(A, self.b) if np.all(eig != 0) else None
        minima = [stationary] if stationary is not None and eig.min() > 0 else []
        saddles = [stationary] if stationary is not None and eig.min() < 0 < eig.max() else []
        start = np.ones(n) if start is None else start
        window = window or [(-2.0, 2.0)] * n
        super().__init__(n, start=start, window=window, minima=minima, saddles=saddles)

    @property
    def condition_number(self) -> float:
        eig = np.abs(np.linalg.eigvalsh(self.A))
        return float(eig.max() / eig.min())

    def _value(self, p):
        return 0.5 * np.einsum("...i,ij,...j->...", p, self.A, p) - p @ self.b

    def _grad(self, p):
        return p @ self.A - self.b  # A is symmetric

    def _hessian(self, p):
        return np.broadcast_to(self.A, p.shape[:-1] + self.A.shape).copy()


def _rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Rosenbrock:
    """Rosenbrock's function (``a=1, b=100``): minimum at ``(a, a**2)``."""
    return Rosenbrock(a, b)


def ravine(condition: float = 25.0, angle: float = 0.0) -> Quadratic:
    r"""An ill-conditioned 2-D quadratic bowl 峡谷: curvatures ``1/condition`` and ``1``.

    :math:`f(p) = \tfrac12 p^\top R\,\mathrm{diag}(1/\kappa, 1)\,R^\top p`, with
    :math:`\kappa` = *condition* and :math:`R` the rotation by *angle*
    (radians).  The long axis (curvature :math:`1/\kappa`) is the x-axis before
    rotation; the minimum is the origin.  Gradient descent needs
    ``lr < 2`` to be stable and then creeps along the long axis at a rate
    ``1 - lr/condition`` per step: the zig-zag that momentum cures.
    """
    condition = _args.real("ravine", "condition", condition, 1.0)
    angle = _args.real("ravine", "angle", angle)
    R = _rotation(angle)
    A = R @ np.diag([1.0 / condition, 1.0]) @ R.T
    A = 0.5 * (A + A.T)
    start = R @ np.array([-8.0, 1.5])
    return Quadratic(A, start=start, window=[(-10.0, 10.0), (-10.0, 10.0)] if angle else [(-10.0, 10.0), (-3.0, 3.0)],
                     name="ravine")


class Saddle(Landscape):
    r"""The saddle :math:`f(x, y) = x^2 - y^2` 鞍点: a saddle at the origin, unbounded below in y.

    Started on (or very near) the x-axis, gradient descent slides to the
    saddle and stalls there; anything that breaks the symmetry escapes along y.
    """

    name = "saddle"

    def __init__(self):
        super().__init__(2, start=(-1.0, 1e-3), window=((-1.5, 1.5), (-1.5, 1.5)), minima=[], saddles=[(0.0, 0.0)])

    def _value(self, p):
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def _grad(self, p):
        return np.stack([2 * p[..., 0], -2 * p[..., 1]], -1)

    def _hessian(self, p):
        one = np.ones(p.shape[:-1])
        return _hessian2(2 * one, 0 * one, -2 * one)


def saddle() -> Saddle:
    """The saddle x**2 - y**2."""
    return Saddle()


class Beale(Landscape):
    r"""Beale's function :math:`\sum_{i=1}^3 (c_i - x + x y^i)^2`, :math:`c = (1.5, 2.25, 2.625)`.

    Global minimum :math:`f(3, 0.5) = 0`; a saddle at :math:`(0, 1)`; sharp
    curved valleys and flat plateaus, a favourite for optimizer animations.
    """

    name = "beale"
    C = (1.5, 2.25, 2.625)

    def __init__(self):
        super().__init__(2, start=(1.0, 1.5), window=((-4.5, 4.5), (-4.5, 4.5)), minima=[(3.0, 0.5)], saddles=[(0.0, 1.0)])

    def _terms(self, p):
        """r_i, its first derivatives and second derivatives, for i = 1, 2, 3."""
        x, y = p[..., 0], p[..., 1]
        for i, c in enumerate(self.C, start=1):
            r = c - x + x * y**i
            rx, ry = y**i - 1, i * x * y ** (i - 1)
            rxy = i * y ** (i - 1)
            ryy = i * (i - 1) * x * y ** (i - 2) if i > 1 else 0 * x
            yield r, rx, ry, rxy, ryy

    def _value(self, p):
        return sum(r * r for r, *_ in self._terms(p))

    def _grad(self, p):
        gx = sum(2 * r * rx for r, rx, *_ in self._terms(p))
        gy = sum(2 * r * ry for r, rx, ry, *_ in self._terms(p))
        return np.stack([gx, gy], -1)

    def _hessian(self, p):
        hxx = sum(2 * rx * rx for r, rx, *_ in self._terms(p))  # r_xx = 0
        hxy = sum(2 * (rx * ry + r * rxy) for r, rx, ry, rxy, _ in self._terms(p))
        hyy = sum(2 * (ry * ry + r * ryy) for r, rx, ry, rxy, ryy in self._terms(p))
        return _hessian2(hxx, hxy, hyy)


def beale() -> Beale:
    """Beale's function: minimum at (3, 0.5)."""
    return Beale()


class DoubleWell(Landscape):
    r"""A tilted 1-D double well :math:`f(x) = (x^2 - 1)^2 + c\,x` 双势阱.

    For :math:`0 < c < 8/(3\sqrt3)` it has a global minimum near :math:`x=-1`,
    a *local* minimum near :math:`x=+1` and a local maximum in between: started
    at ``x = 2``, gradient descent stops in the local minimum while enough
    momentum carries over the barrier.  The stationary points are the real
    roots of :math:`4x^3 - 4x + c` (computed, then polished by Newton's method).
    """

    name = "double_well"

    def __init__(self, tilt: float = 0.3):
        tilt = _args.real("double_well", "tilt", tilt)
        if not 0 < tilt < 8 / (3 * np.sqrt(3)):
            raise ValueError(f"double_well: tilt must be in (0, {8 / (3 * np.sqrt(3)):.4f}) for two minima; got {tilt!r}")
        self.c = float(tilt)
        roots = np.sort(np.roots([4.0, 0.0, -4.0, self.c]).real)
        for _ in range(3):  # Newton polish: f'(x)/f''(x)
            roots = roots - (4 * roots**3 - 4 * roots + self.c) / (12 * roots**2 - 4)
        left, middle, right = roots
        self.maximum = np.array([middle])
        super().__init__(1, start=(2.0,), window=((-2.0, 2.0),), minima=[(left,), (right,)])

    def _value(self, p):
        x = p[..., 0]
        return (x * x - 1) ** 2 + self.c * x

    def _grad(self, p):
        x = p[..., :1]
        return 4 * x**3 - 4 * x + self.c

    def _hessian(self, p):
        x = p[..., :1, None]
        return 12 * x**2 - 4


def double_well(tilt: float = 0.3) -> DoubleWell:
    """A tilted 1-D double well with a global and a local minimum."""
    return DoubleWell(tilt)


class Rastrigin(Landscape):
    r"""Rastrigin's function :math:`f(p) = A n + \sum_i \big(p_i^2 - A\cos(2\pi p_i)\big)` 多峰函数.

    A bowl covered in a regular egg-box of local minima: with :math:`A = 10`
    there is one near every integer point of :math:`[-5.12, 5.12]^2` (121 of
    them), and only :math:`f(0) = 0` is global.  Gradient methods stop in the
    nearest dent unless their steps (or their noise, or their momentum) are large
    enough to hop over the ridges: the picture for "local minima" that the
    smooth landscapes cannot give.  ``amplitude`` is :math:`A`.
    """

    name = "rastrigin"

    def __init__(self, amplitude: float = 10.0, dim: int = 2):
        self.A = _args.real("rastrigin", "amplitude", amplitude, 0.0, low_open=True)
        dim = _args.integer("rastrigin", "dim", dim, 1)
        super().__init__(dim, start=(3.2,) + (2.8,) * (dim - 1), window=((-5.12, 5.12),) * dim,
                         minima=[(0.0,) * dim])

    def _value(self, p):
        return self.A * p.shape[-1] + np.sum(p * p - self.A * np.cos(2 * np.pi * p), axis=-1)

    def _grad(self, p):
        return 2 * p + 2 * np.pi * self.A * np.sin(2 * np.pi * p)

    def _hessian(self, p):
        d = 2 + 4 * np.pi**2 * self.A * np.cos(2 * np.pi * p)
        return d[..., :, None] * np.eye(p.shape[-1])


def rastrigin(amplitude: float = 10.0, dim: int = 2) -> Rastrigin:
    """Rastrigin's multimodal function: global minimum 0 at the origin, a local minimum near every integer point."""
    return Rastrigin(amplitude, dim)


#: name -> factory, for the CLI and notebooks.
LANDSCAPES = {
    "rosenbrock": rosenbrock,
    "ravine": ravine,
    "saddle": saddle,
    "beale": beale,
    "double_well": double_well,
    "rastrigin": rastrigin,
}


def get(name: str, **kwargs) -> Landscape:
    """The landscape called *name*, built with *kwargs* (``ValueError`` with suggestions if unknown)."""
    if not isinstance(name, str):
        raise InputTypeError(f"landscape name must be a string; got {type(name).__name__}")
    if name not in LANDSCAPES:
        raise ValueError(f"unknown landscape {name!r}; known: {', '.join(LANDSCAPES)}." + suggest(name, LANDSCAPES))
    factory = LANDSCAPES[name]
    accepted = list(inspect.signature(factory).parameters)
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        raise ValueError(f"landscape {name!r} takes {accepted or 'no arguments'}; got {unknown[0]!r}."
                         + suggest(unknown[0], accepted))
    return factory(**kwargs)
