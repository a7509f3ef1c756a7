"""``"col2im"``: one matrix multiply over the channels, then a fused, parallel col2im.

For NumPy float32/float64 arrays without groups (numba installed): samples
(or, for one large sample, output channels) are taken in chunks whose
columns ``W^T (C_out*taps, C_in) @ x (C_in, samples*pixels)`` fit one
preallocated buffer of at most ``BUFFER`` values (more only when a single
output channel of one sample needs it); ``np.matmul`` writes into it, and a
compiled loop (numba, no GIL, one range of ``(sample, output channel)``
planes per thread) writes every output value once as the sum of the columns
that land on it, skipping what the padding and ``output_padding`` crop away.
Only real products of an input and a weight are added (no padding zero is
multiplied), so inf and NaN give PyTorch's results. Extra memory: the
buffer (holding a transposed copy of the chunk's input next to its columns
when a chunk has several samples). Other arrays, dtypes and grouped layers
run ``"gemm"``.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from array_api_compat import is_numpy_namespace

from .compiled import thread_count, thread_pool
from .gemm import conv_transpose_gemm

# Values of the column buffer (16 MB of float32).
BUFFER = 1 << 22


@functools.cache
def _kernel():
    """The compiled col2im loop, or None without numba (imported on first use)."""
    try:
        from ._col2im_loops import col2im
    except ImportError:
        return None
    return col2im


def available(x, plan, xp) -> bool:
    """Whether ``"col2im"`` runs its own path on ``x`` (else it runs ``"gemm"``)."""
    return (is_numpy_namespace(xp) and x.dtype in (np.float32, np.float64)
            and plan.groups == 1 and _kernel() is not None)


def _three_d(values, fill):
    return (fill,) * (3 - len(values)) + tuple(values)


def _fill(kernel, cols, out, n0, c0, geometry):
    """Run the col2im loop over the chunk's planes, one contiguous range per thread."""
    planes = cols.shape[0] * cols.shape[4]
    threads = min(thread_count(), planes)
    if threads <= 1:
        kernel(cols, out, n0, c0, *geometry, 0, planes)
        return
    bounds = [planes * t // threads for t in range(threads + 1)]
    futures = [thread_pool(threads).submit(kernel, cols, out, n0, c0, *geometry, lo, hi)
               for lo, hi in itertools.pairwise(bounds)]
    for future in futures:
        future.result()


def conv_transpose_col2im(x, weight, plan, xp):
    if not available(x, plan, xp):
        return conv_transpose_gemm(x, weight, plan, xp)
    kernel = _kernel()
    batch, c_in, c_out = x.shape[0], plan.in_channels, plan.out_channels
    k = _three_d(plan.kernel_size, 1)
    size = _three_d(plan.in_size, 1)
    taps, pixels = math.prod(k), math.prod(size)
    x = np.ascontiguousarray(x).reshape(batch, c_in, pixels)
    w_t = np.reshape(weight, (c_in, c_out * taps)).T  # a view; BLAS reads it transposed
    out = np.empty((batch, c_out, *_three_d(plan.out_size, 1)), dtype=x.dtype)
    geometry = (*_three_d(plan.stride, 1), *_three_d(plan.dilation, 1),
                *_three_d(plan.offset, 0))
    per_sample = (c_out * taps + c_in) * pixels
    if c_out * taps * pixels <= BUFFER:
        samples, channels = max(1, min(batch, BUFFER // per_sample)), c_out
    else:
        samples, channels = 1, max(1, BUFFER // (taps * pixels))
    grouped = samples > 1  # several samples: their inputs copied side by side first
    buffer = np.empty(samples * pixels * (channels * taps + (c_in if grouped else 0)),
                      dtype=x.dtype)
    for n0 in range(0, batch, samples):
        n = min(samples, batch - n0)
        if grouped:
            rhs = buffer[:c_in * n * pixels].reshape(c_in, n, pixels)
            np.copyto(rhs, x[n0:n0 + n].transpose(1, 0, 2))
            rhs = rhs.reshape(c_in, n * pixels)
            free = buffer[c_in * samples * pixels:]
        else:
            rhs, free = x[n0], buffer
        for c0 in range(0, c_out, channels):
            c = min(channels, c_out - c0)
            cols = free[:c * taps * n * pixels].reshape(c * taps, n * pixels)
            with np.errstate(all="ignore"):  # inf and NaN propagate as in PyTorch
                np.matmul(w_t[c0 * taps:(c0 + c) * taps], rhs, out=cols)
            _fill(kernel, cols.reshape(c, *k, n, *size), out, n0, c0, geometry)
    return out.reshape(batch, c_out, *plan.out_size)
