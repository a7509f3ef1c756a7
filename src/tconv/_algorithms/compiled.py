"""``"compiled"``: the scatter and gather loops, compiled with numba.

For NumPy float32/float64 arrays, each output row ``(n, c_out, o_d, o_h)``
is one task (the rows are split over the CPUs in threads). It sums, over the
input channels of its group and the kernel taps that reach it, input rows
times the tap's weight: for a convolution output ``o`` reads input
``o*stride + tap*dilation - before``; transposed, the row's outputs are
taken one sub-pixel phase at a time (output ``p + m*stride`` reads input
``m + shift``), so every inner loop runs over contiguous memory. Only pairs
whose both ends lie inside the arrays are visited, so:

* no column buffer, no padded copy: the extra memory is one output row
  beyond the output (and contiguous copies of ``x``/``weight`` when they are
  views);
* a padding zero is never multiplied by a weight, so inf and NaN inputs and
  weights give PyTorch's results.

It has no matrix multiply, so it runs at a scalar loop's rate: the fastest
method where each output sees few input channels (depthwise and small
groups, tiny layers), far behind the BLAS of ``"gemm"``/``"im2col"`` on
wide layers. The compiled functions are cached on disk (numba's
``cache=True``), so only the first process after an install compiles them.
Other arrays and dtypes, or a missing numba, fall back to the ``xp`` code of
``"phase"`` (transposed) and ``"direct"`` (convolution).
"""

from __future__ import annotations

import functools
import itertools
import math
import os

import numpy as np
from array_api_compat import is_numpy_namespace

from .direct import conv_direct
from .phase import conv_transpose_phase


@functools.cache
def _kernels():
    """The compiled-loop module, or None without numba (imported on first use)."""
    try:
        from . import _loops
    except ImportError:
        return None
    return _loops


def loaded() -> bool:
    """Whether numba is installed (the compiled loops then load on first use)."""
    return _kernels() is not None


def available(x, xp) -> bool:
    """Whether the compiled loops can run on ``x`` (NumPy float32/float64, numba present)."""
    return is_numpy_namespace(xp) and x.dtype in (np.float32, np.float64) and loaded()


def _three_d(values, fill):
    """Per-axis values padded in front to three axes."""
    return (fill,) * (3 - len(values)) + tuple(values)


# Calls with fewer multiply-adds than this run on the calling thread alone.
THREADED_WORK = 200_000


@functools.cache
def thread_pool(threads: int):
    # Imported here: concurrent.futures (and the logging it loads) would add
    # to every `import tconv`.
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(threads, thread_name_prefix="tconv")


def thread_count() -> int:
    """CPUs this process may use (the loops release the GIL), at most ``NUMBA_NUM_THREADS``."""
    affinity = getattr(os, "sched_getaffinity", None)
    usable = len(affinity(0)) if affinity else (os.cpu_count() or 1)
    limit = os.environ.get("NUMBA_NUM_THREADS", "")
    return max(1, min(usable, int(limit))) if limit.isdigit() else usable


def _run(kernel, x, weight, plan, work):
    """Call ``kernel`` on 3-D views of ``x``, ``weight`` and a zero output.

    The output rows are split into one contiguous range per thread.
    """
    lead = (1,) * (3 - plan.rank)
    x5 = np.ascontiguousarray(x).reshape(*x.shape[:2], *lead, *x.shape[2:])
    w5 = np.ascontiguousarray(weight).reshape(*weight.shape[:2], *lead, *weight.shape[2:])
    out = np.zeros((x.shape[0], plan.out_channels, *lead, *plan.out_size), dtype=x.dtype)
    geometry = (_three_d(plan.stride, 1), _three_d(plan.dilation, 1), _three_d(plan.offset, 0))
    tasks = x.shape[0] * plan.out_channels * math.prod(out.shape[2:4])
    threads = min(thread_count(), tasks) if work >= THREADED_WORK else 1
    if threads <= 1:
        kernel(x5, w5, out, *geometry, (0, tasks))
    else:
        bounds = [tasks * t // threads for t in range(threads + 1)]
        futures = [thread_pool(threads).submit(kernel, x5, w5, out, *geometry, (lo, hi))
                   for lo, hi in itertools.pairwise(bounds)]
        for future in futures:
            future.result()
    return out.reshape(x.shape[0], plan.out_channels, *plan.out_size)


def _work(x, weight) -> int:
    """Multiply-adds of the call, at most (every tap meets every input pixel)."""
    return math.prod(x.shape) * math.prod(weight.shape[1:])


def conv_transpose_compiled(x, weight, plan, xp):
    if not available(x, xp):
        return conv_transpose_phase(x, weight, plan, xp)
    return _run(_kernels().transposed, x, weight, plan, _work(x, weight))


def conv_compiled(x, weight, plan, xp):
    if not available(x, xp):
        return conv_direct(x, weight, plan, xp)
    return _run(_kernels().forward, x, weight, plan, _work(x, weight) // weight.shape[1])
