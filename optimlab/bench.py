"""``optimlab bench``: time the fused and reference steps, and the MLP, against yardsticks in the same run.

Every number is the median of repeated runs measured in this process, and
every claim is a ratio to another row of the same table (machines are shared
and noisy; absolute times are printed only for orientation).
"""

from __future__ import annotations

import gc
import platform
import statistics
import time

import numpy as np

from . import _args, fused
from ._errors import InputTypeError
from .mlp import MLP
from .optimizers import get


def parse_size(text) -> int:
    """``"16M"`` -> 16 * 2**20, ``"300K"`` -> 300 * 2**10, ``"1000"`` -> 1000."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InputTypeError(f"size must be a string like 16M or an integer; got {type(text).__name__}")
    text = str(text).strip().upper()
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    try:
        value = int(float(number) * scale)
    except (ValueError, OverflowError):
        raise ValueError(f"size must look like 16M, 300K or 1000; got {text!r}") from None
    if value < 1:
        raise ValueError(f"size must be positive; got {text!r}")
    return value


def _dtype_name(function, dtype) -> str:
    """'float32' or 'float64', from a name or a dtype (the dtypes the benchmarks time)."""
    return _args.choice(function, "dtype", _args.floating_dtype(function, "dtype", dtype).name, ("float32", "float64"))


def median_time(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` over *repeat* runs, after *warmup* untimed runs."""
    _args.function_("median_time", "fn", fn)
    repeat, warmup = _args.integer("median_time", "repeat", repeat, 1), _args.integer("median_time", "warmup", warmup, 0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def bench_fused(size=16 << 20, dtype="float32", optimizer="adamw", repeat=7, threads=None):
    """Rows ``(label, seconds)``: reference step, fused step, array copy, and torch's AdamW paths."""
    f = "bench_fused"
    size, repeat = _args.integer(f, "size", size, 1), _args.integer(f, "repeat", repeat, 1)
    dtype = np.dtype(_dtype_name(f, dtype))
    optimizer = _args.choice(f, "optimizer", optimizer, tuple(fused.REGISTRY))
    threads = fused.check_threads(threads)
    rng = np.random.default_rng(0)
    params = {"w": rng.standard_normal(size, dtype=np.float32).astype(dtype)}
    grads = {"w": rng.standard_normal(size, dtype=np.float32).astype(dtype)}
    hparams = {"lr": 1e-3}
    rows = []

    reference = get(optimizer)
    box = {"p": params, "s": None}

    def ref_step():
        box["p"], box["s"] = reference.step(box["p"], grads, box["s"], hparams, check_finite=False)

    rows.append((f"optimlab.optimizers.{optimizer} (reference)", median_time(ref_step, max(3, repeat // 2))))

    fbox = {"p": {"w": params["w"].copy()}, "s": None}
    module = fused.REGISTRY[optimizer]

    def fused_step():
        _, fbox["s"] = module.step(fbox["p"], grads, fbox["s"], hparams, threads=threads)

    rows.append((f"optimlab.fused.{optimizer} ({threads} threads)",
                 median_time(fused_step, repeat)))
    src, dst = params["w"], np.empty_like(params["w"])
    rows.append(("np.copyto of the params (1 pass)", median_time(lambda: np.copyto(dst, src), repeat)))

    torch = _torch()
    if torch is not None and optimizer in ("adamw", "adam", "sgd"):
        cls = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer]
        for label, kw in (("foreach=True", {"foreach": True}), ("fused=True", {"fused": True})):
            p = torch.from_numpy(params["w"].copy()).requires_grad_(True)
            p.grad = torch.from_numpy(grads["w"])
            opt = cls([p], lr=1e-3, **kw)
            rows.append((f"torch.optim.{cls.__name__}({label})", median_time(opt.step, repeat)))
    return rows


def bench_mlp(batch=128, sizes=(784, 256, 256, 10), repeat=30, dtype="float32"):
    """Rows ``(label, seconds)`` for one forward+backward+SGD step of an MLP: optimlab vs torch eager."""
    f = "bench_mlp"
    batch, repeat = _args.integer(f, "batch", batch, 1), _args.integer(f, "repeat", repeat, 1)
    dtype = _dtype_name(f, dtype)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    net = MLP(sizes, "relu")
    rows = []
    box = {"p": net.init(seed=0, dtype=np.dtype(dtype))}
    sgd = get("sgd")

    def ours():
        _, grads = net.loss_and_grads(box["p"], X, y)
        box["p"], _ = sgd.step(box["p"], grads, None, {"lr": 0.01}, check_finite=False)

    rows.append(("optimlab MLP + optimizers.sgd", median_time(ours, repeat, warmup=3)))
    fbox = {"p": fused.flat_params(net.init(seed=0, dtype=np.dtype(dtype)))}

    def ours_fused():
        _, grads = net.loss_and_grads(fbox["p"], X, y)
        fused.sgd.step(fbox["p"], grads, None, {"lr": 0.01})

    rows.append(("optimlab MLP + fused.sgd", median_time(ours_fused, repeat, warmup=3)))
    torch = _torch()
    if torch is not None:
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers).to(getattr(torch, dtype))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        tX, ty = torch.from_numpy(X), torch.from_numpy(y)
        loss_fn = torch.nn.CrossEntropyLoss()

        def theirs():
            opt.zero_grad()
            loss_fn(model(tX), ty).backward()
            opt.step()

        rows.append(("torch eager (nn.Sequential + SGD)", median_time(theirs, repeat, warmup=3)))
    return rows


def table(rows, baseline=None):
    """Text table: label, median ms, and the ratio to the *baseline* row (the first by default)."""
    base_label, base = rows[0] if baseline is None else next(r for r in rows if r[0].startswith(baseline))
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':{width}}  {'median ms':>10}  {'x ' + base_label[:28]:>32}", "-" * (width + 46)]
    for label, seconds in rows:
        lines.append(f"{label:{width}}  {seconds * 1e3:10.2f}  {seconds / base:32.2f}")
    return "\n".join(lines)


def machine() -> str:
    """One line about where the numbers were measured."""
    import os

    torch = _torch()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}"
            + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ", torch not installed"))
