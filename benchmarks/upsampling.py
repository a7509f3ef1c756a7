"""Side-by-side timings of the fixed up-sampling ops and their partners: tconv vs PyTorch.

``python -m benchmarks.upsampling`` (from the repository root) times, on
layer shapes of published networks (ResNet stem pooling, SegNet
pooling/unpooling, 3D U-Net, ESPCN/EDSR sub-pixel layers, decoder
up-sampling):

* ``tconv`` on NumPy arrays, ``tconv`` on PyTorch tensors, and
  ``torch.nn.functional`` (under ``torch.no_grad()``) for ``max_pool``,
  ``max_unpool``, ``pixel_shuffle``, ``pixel_unshuffle``, ``bed_of_nails``
  (against ``max_unpool`` with every index at its block's first position)
  and, when the package has it, ``interpolate`` (nearest, bilinear,
  bicubic);
* after checking that every output equals PyTorch's (exactly for the
  rearrangements and pooling, within the float32 tolerance of
  ``tests/_tol.py`` for interpolation);
* with the same thread count for every library (``--threads``, default 2:
  PyTorch intra-op threads, one inter-op thread, BLAS threads through
  threadpoolctl when installed; tconv's NumPy element-wise work is
  single-threaded by NumPy's nature);
* interleaved: a warm-up call each, then rounds of one call each with the
  order rotated every round; medians are reported.

The table gives milliseconds and ``torch/tconv`` = PyTorch's time divided by
tconv's (> 1: tconv is faster). Options: ``--repeats``, ``--dtype``,
``--filter a,b`` (cases whose name contains a or b), ``--quick`` (3
rounds). The exit status is 1 when an output disagreed.
"""

from __future__ import annotations

import os

# As in ``python -m benchmarks``: idle OpenMP/OpenBLAS threads of one library must not
# spin on the cores while the next one is timed. Read when the libraries load.
for _name, _value in {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "20"}.items():
    os.environ.setdefault(_name, _value)

import argparse
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import tconv

from . import runner

TOLERANCE = {"float32": 2e-5, "float64": 1e-12}  # as tests/_tol.py


@dataclass
class Case:
    """One timed operation: inputs from a seed, the tconv call and PyTorch's."""

    name: str
    shape: tuple
    inputs: Callable  # (rng, dtype, torch) -> dict of NumPy arrays
    ours: Callable  # (arrays) -> array, arrays of either library
    theirs: Callable  # (torch, F, tensors) -> tensor
    exact: bool = True


def _normal(shape):
    return lambda rng, dtype, torch: {"x": rng.standard_normal(shape).astype(dtype)}


def _pooled(shape, kernel, rank):
    """Values and indices of a max pooling of a random ``shape`` input (torch's)."""
    def make(rng, dtype, torch):
        pool = getattr(torch.nn.functional, f"max_pool{rank}d")
        x = torch.from_numpy(rng.standard_normal(shape).astype(dtype))
        values, indices = pool(x, kernel, return_indices=True)
        return {"x": values.numpy(), "indices": indices.numpy()}
    return make


def _first_positions(shape, scale):
    """Input and max_unpool indices putting each value at its block's first position."""
    def make(rng, dtype, torch):
        out = tuple(n * s for n, s in zip(shape[2:], scale))
        grid = np.meshgrid(*[np.arange(n) * s for n, s in zip(shape[2:], scale)],
                           indexing="ij")
        flat = np.ravel_multi_index(tuple(grid), out)
        return {"x": rng.standard_normal(shape).astype(dtype),
                "indices": np.broadcast_to(flat, shape).copy()}
    return make


def cases() -> list[Case]:
    found = [
        Case("max_pool2d k3 s2 p1 (ResNet stem)", (8, 64, 112, 112), _normal((8, 64, 112, 112)),
             lambda a: tconv.max_pool(a["x"], 3, 2, 1),
             lambda torch, F, a: F.max_pool2d(a["x"], 3, 2, 1)),
        Case("max_pool2d k2 +indices (SegNet)", (8, 64, 112, 112), _normal((8, 64, 112, 112)),
             lambda a: tconv.max_pool(a["x"], 2, return_indices=True),
             lambda torch, F, a: F.max_pool2d(a["x"], 2, return_indices=True)),
        Case("max_pool1d k3 s2 p1", (16, 64, 4096), _normal((16, 64, 4096)),
             lambda a: tconv.max_pool(a["x"], 3, 2, 1),
             lambda torch, F, a: F.max_pool1d(a["x"], 3, 2, 1)),
        Case("max_pool3d k2 (3D U-Net)", (2, 32, 32, 64, 64), _normal((2, 32, 32, 64, 64)),
             lambda a: tconv.max_pool(a["x"], 2),
             lambda torch, F, a: F.max_pool3d(a["x"], 2)),
        Case("max_unpool2d k2 (SegNet)", (8, 64, 56, 56), _pooled((8, 64, 112, 112), 2, 2),
             lambda a: tconv.max_unpool(a["x"], a["indices"], 2),
             lambda torch, F, a: F.max_unpool2d(a["x"], a["indices"], 2)),
        Case("max_unpool3d k2", (2, 32, 16, 32, 32), _pooled((2, 32, 32, 64, 64), 2, 3),
             lambda a: tconv.max_unpool(a["x"], a["indices"], 2),
             lambda torch, F, a: F.max_unpool3d(a["x"], a["indices"], 2)),
        Case("pixel_shuffle r2", (8, 256, 64, 64), _normal((8, 256, 64, 64)),
             lambda a: tconv.pixel_shuffle(a["x"], 2),
             lambda torch, F, a: F.pixel_shuffle(a["x"], 2)),
        Case("pixel_shuffle r4 (EDSR x4)", (1, 48, 256, 256), _normal((1, 48, 256, 256)),
             lambda a: tconv.pixel_shuffle(a["x"], 4),
             lambda torch, F, a: F.pixel_shuffle(a["x"], 4)),
        Case("pixel_unshuffle r2", (8, 64, 128, 128), _normal((8, 64, 128, 128)),
             lambda a: tconv.pixel_unshuffle(a["x"], 2),
             lambda torch, F, a: F.pixel_unshuffle(a["x"], 2)),
        Case("bed_of_nails 2x2 (vs max_unpool)", (8, 64, 56, 56),
             _first_positions((8, 64, 56, 56), (2, 2)),
             lambda a: tconv.bed_of_nails(a["x"], 2),
             lambda torch, F, a: F.max_unpool2d(a["x"], a["indices"], 2)),
        Case("bed_of_nails 2x2x2 (vs max_unpool)", (2, 32, 16, 32, 32),
             _first_positions((2, 32, 16, 32, 32), (2, 2, 2)),
             lambda a: tconv.bed_of_nails(a["x"], 2),
             lambda torch, F, a: F.max_unpool3d(a["x"], a["indices"], 2)),
    ]
    if hasattr(tconv, "interpolate"):
        for mode in ("nearest", "bilinear", "bicubic"):
            corners = {} if mode == "nearest" else {"align_corners": False}
            found.append(Case(
                f"interpolate {mode} x2", (8, 64, 56, 56), _normal((8, 64, 56, 56)),
                lambda a, mode=mode, corners=corners: tconv.interpolate(
                    a["x"], scale_factor=2, mode=mode, **corners),
                lambda torch, F, a, mode=mode, corners=corners: F.interpolate(
                    a["x"], scale_factor=2, mode=mode, **corners),
                exact=(mode == "nearest")))
    return found


def _as_numpy(result):
    return [np.asarray(r.numpy() if hasattr(r, "numpy") else r)
            for r in (result if isinstance(result, tuple) else (result,))]


def _agree(got, expected, exact: bool, dtype: str) -> str | None:
    """None when ``got`` equals ``expected``; else what differs."""
    for g, e in zip(_as_numpy(got), _as_numpy(expected)):
        if g.shape != e.shape or g.dtype != e.dtype:
            return f"shape/dtype {g.shape} {g.dtype} != {e.shape} {e.dtype}"
        if exact:
            if not np.array_equal(g, e, equal_nan=True):
                return f"{int(np.sum(g != e))} elements differ"
        else:
            tol = TOLERANCE[dtype]
            bad = np.abs(g.astype(np.float64) - e) > tol * (1 + np.abs(e))
            if bad.any():
                return f"{int(bad.sum())} elements out of tolerance"
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.upsampling",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--dtype", choices=sorted(TOLERANCE), default="float32")
    parser.add_argument("--filter", default="", help="comma-separated name fragments")
    parser.add_argument("--quick", action="store_true", help="3 rounds per case")
    parser.add_argument("--cooldown", type=float, default=0.002)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    with contextlib.suppress(RuntimeError):  # only settable before parallel work
        torch.set_num_interop_threads(1)
    limits = contextlib.nullcontext()
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
    F = torch.nn.functional
    repeats = 3 if args.quick else args.repeats
    wanted = [w for w in args.filter.split(",") if w]
    selected = [c for c in cases() if not wanted or any(w in c.name for w in wanted)]

    print(f"tconv {tconv.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          f"{args.dtype}, {args.threads} threads, {repeats} interleaved rounds, medians")
    header = (f"{'case':38} {'input shape':20} {'tconv np':>9} {'tconv pt':>9} {'torch':>9} "
              f"{'torch/np':>9} {'torch/pt':>9}")
    print(header)
    print("-" * len(header))
    failed = False
    with limits:
        for case in selected:
            arrays = case.inputs(np.random.default_rng(0), np.dtype(args.dtype), torch)
            tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
            with torch.no_grad():
                expected = case.theirs(torch, F, tensors)
                problems = [p for p in (
                    _agree(case.ours(arrays), expected, case.exact, args.dtype),
                    _agree(case.ours(tensors), expected, case.exact, args.dtype)) if p]
                if problems:
                    failed = True
                    print(f"{case.name:38} OUTPUT MISMATCH: {'; '.join(problems)}")
                    continue
                calls = {"np": lambda c=case, a=arrays: c.ours(a),
                         "pt": lambda c=case, t=tensors: c.ours(t),
                         "torch": lambda c=case, t=tensors: c.theirs(torch, F, t)}
                medians = runner.interleaved_medians(calls, repeats, args.cooldown)
            ms = {k: v * 1e3 for k, v in medians.items()}
            print(f"{case.name:38} {case.shape!s:20} {ms['np']:9.2f} {ms['pt']:9.2f} "
                  f"{ms['torch']:9.2f} {ms['torch'] / ms['np']:9.2f} "
                  f"{ms['torch'] / ms['pt']:9.2f}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
