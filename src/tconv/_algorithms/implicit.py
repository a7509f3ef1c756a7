"""``"implicit"``: convolution as one BLAS multiply per chunk of output rows.

Implicit GEMM on a padded channels-last copy of the input. Flattened to rows
of ``C_in`` values, a stride-1 window's tap ``t`` reads input row
``o + shift(t)`` for output row ``o`` (``shift`` = the tap's offset in the
flattened padded grid): one contiguous block of rows per tap. For a chunk of
output rows, each tap's block is copied into its columns of a bounded buffer
(a plain 2-D copy, no fancy indexing), and one multiply writes the chunk's
outputs in place::

    Y[o0:o1] = [P[o0+shift(0) : o1+shift(0)], P[o0+shift(1) : ...], ...] @ W
               (rows, taps*C_in) @ (taps*C_in, C_out)

A stride ``s`` is first folded into the channels (space to depth: the padded
input reshaped to ``(..., S/s, s, ...)``, the ``s`` phases moved next to
``C_in``), which leaves a stride-1 convolution with ``ceil(k/s)`` taps of
``s**d * C_in`` channels (taps that miss a phase get zero weights). Output
rows are computed over the whole padded grid, so rows past the valid outputs
(the kernel span per axis) are computed and dropped.

Memory: the padded copy of ``x`` (rounded up to the stride), the output grid
(the output plus that margin, returned as a channels-last view), the
rearranged weight and the column buffer (``CHUNK_ELEMENTS`` values, or the
size of input plus output when larger). Inf or NaN inputs with zero-weight
taps (a kernel span not a multiple of the stride) would meet zeros PyTorch
never multiplies; those calls run ``"im2col"``, as do other arrays and dtypes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from array_api_compat import is_numpy_namespace

from .._xp import all_finite
from .im2col import conv_im2col

# Output rows per BLAS call: large enough for BLAS, small enough that the
# rows of every tap stay in cache between calls.
CHUNK_ELEMENTS = 1 << 22
MIN_ROWS = 256


def _fold(plan):
    """Per axis: padded length (a stride multiple) and the folded tap count."""
    needed = [(m - 1) * s + ke for m, s, ke in
              zip(plan.out_size, plan.stride, plan.effective_kernel)]
    grid = [-(-n // s) for n, s in zip(needed, plan.stride)]
    taps = [(d * (k - 1)) // s + 1 for k, s, d in
            zip(plan.kernel_size, plan.stride, plan.dilation)]
    return grid, taps


def _padded(x, plan, grid, group, ci):
    """``(N, *grid, *stride, ci)`` zeros holding group ``group``'s padded input."""
    batch = x.shape[0]
    folded = np.zeros((batch, *grid, *plan.stride, ci), dtype=x.dtype)
    # (N, ci, *S) -> (N, *S, ci)
    source = np.moveaxis(x[:, group * ci:(group + 1) * ci], 1, -1)
    for phase in itertools.product(*map(range, plan.stride)):
        # Padded index q*s + r holds input index q*s + r - lo.
        target, pick = [], []
        for r, s, lo, n, g in zip(phase, plan.stride, plan.offset, plan.in_size, grid):
            first = -(-(lo - r) // s) if lo > r else 0  # smallest q with q*s + r >= lo
            start = first * s + r - lo
            count = max(0, min(g - first, -(-(n - start) // s) if start < n else 0))
            target.append(slice(first, first + count))
            pick.append(slice(start, start + (count - 1) * s + 1 if count else start, s))
        if all(t.stop > t.start for t in target):
            folded[(slice(None), *target, *phase)] = source[(slice(None), *pick)]
    return folded.reshape(batch * math.prod(grid), -1)


def _weights(weight, plan, taps, group, co, ci):
    """``(*taps, s**d * ci, co)`` tap matrices (zeros where a tap misses a phase)."""
    w = np.zeros((*taps, *plan.stride, ci, co), dtype=weight.dtype)
    mine = weight[group * co:(group + 1) * co]  # (co, ci, *k)
    for tap in itertools.product(*map(range, plan.kernel_size)):
        at = [t * d for t, d in zip(tap, plan.dilation)]
        where = (*(a // s for a, s in zip(at, plan.stride)),
                 *(a % s for a, s in zip(at, plan.stride)))
        w[where] = mine[(slice(None), slice(None), *tap)].T
    phantom = math.prod(plan.kernel_size) < math.prod(taps) * math.prod(plan.stride)
    return w.reshape(*taps, -1, co), phantom


def conv_implicit(x, weight, plan, xp):
    if not (is_numpy_namespace(xp) and x.dtype in (np.float32, np.float64)):
        return conv_im2col(x, weight, plan, xp)
    grid, taps = _fold(plan)
    groups, batch = plan.groups, x.shape[0]
    ci, co = plan.in_channels // groups, plan.out_channels // groups
    weights = [_weights(weight, plan, taps, g, co, ci) for g in range(groups)]
    if weights[0][1] and not all_finite(xp, x):
        return conv_im2col(x, weight, plan, xp)
    # Row strides of the flattened grid: a tap's shift is its offset in rows.
    strides = [math.prod(grid[a + 1:]) for a in range(plan.rank)]
    rows_total = batch * math.prod(grid)
    last = (batch - 1) * math.prod(grid) + sum((m - 1) * st for m, st in
                                                zip(plan.out_size, strides)) + 1
    depth = math.prod(plan.stride) * ci
    shifts = [sum(t * st for t, st in zip(tap, strides))
              for tap in itertools.product(*map(range, taps))]
    width = len(shifts) * depth
    out = np.zeros((groups, rows_total, co), dtype=x.dtype)
    budget = max(CHUNK_ELEMENTS, x.size // groups + rows_total * co)
    step = max(MIN_ROWS, budget // width)
    columns = np.empty((min(step, last), width), dtype=x.dtype)
    for g, (w, _) in enumerate(weights):
        flat = _padded(x, plan, grid, g, ci)
        w = w.reshape(width, co)
        for start in range(0, last, step):
            stop = min(start + step, last)
            block = columns[:stop - start]
            for k, shift in enumerate(shifts):
                block[:, k * depth:(k + 1) * depth] = flat[start + shift:stop + shift]
            np.matmul(block, w, out=out[g, start:stop])
    # (G, N*grid, co) -> (N, C_out, *out): a view of the valid rows (a copy for groups).
    out = out.reshape(groups, batch, *grid, co)
    out = out[(slice(None), slice(None), *(slice(0, m) for m in plan.out_size), slice(None))]
    out = np.moveaxis(out, 0, -2)  # (N, *out, G, co)
    out = np.moveaxis(out.reshape(*out.shape[:-2], plan.out_channels), -1, 1)
    return out
