"""``"implicit"``: convolution as one BLAS multiply per chunk of output positions.

Implicit GEMM on a padded copy of the input, channels first: ``P`` is
``(C_in, N * padded pixels)``. For stride 1, output position ``o`` (counted
on the padded grid) reads tap ``t`` at column ``o + shift(t)``, ``shift``
being the tap's offset in the flattened grid, so the tap's inputs for a
chunk of outputs are ONE contiguous block of columns of ``P``. Each tap's
block is copied into its rows of a bounded column buffer (plain 2-D copies
along image rows, no gather), and one multiply writes the chunk's outputs in
place::

    Y[:, o0:o1] = W @ [P[:, o0+shift(0) : o1+shift(0)]; P[:, o0+shift(1) : ...]; ...]
                  (C_out, taps*C_in) @ (taps*C_in, o1-o0)

A stride ``s`` is first folded into the channels (space to depth: padded
input ``q*s + r`` becomes position ``q`` of channel ``(r, c)``), which leaves
a stride-1 convolution with ``(d*(k-1)) // s + 1`` taps of ``s**d * C_in``
channels (taps that miss a phase get zero weights). Outputs are computed
over the whole padded grid, so positions past the valid outputs (the kernel
span per axis) are computed and dropped.

Memory: the padded copy of ``x`` (rounded up to the stride), the output grid
(the output plus that margin, returned as a view), the rearranged weight and
the column buffer (``CHUNK_ELEMENTS`` values, or the size of input plus
output when larger). Inf or NaN inputs with zero-weight taps (a kernel span
not a multiple of the stride, or a dilation) would meet zeros PyTorch never
multiplies; those calls run ``"im2col"``, as do other arrays and dtypes.
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
    """``(s**d * ci, N * prod(grid))``: group ``group``'s padded input, strides folded.

    Row ``(phase, c)``, column ``(n, q)`` holds padded input ``q*s + phase`` of
    channel ``c`` of sample ``n``: channels first, so every copy below moves
    runs along image rows.
    """
    batch = x.shape[0]
    folded = np.zeros((*plan.stride, ci, batch, *grid), dtype=x.dtype)
    source = np.moveaxis(x[:, group * ci:(group + 1) * ci], 1, 0)  # (ci, N, *S)
    every = (slice(None), slice(None))
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
            folded[(*phase, *every, *target)] = source[(*every, *pick)]
    return folded.reshape(math.prod(plan.stride) * ci, -1)


def _weights(weight, plan, taps, group, co, ci):
    """``(co, prod(taps) * s**d * ci)`` tap matrices (zeros where a tap misses a phase)."""
    w = np.zeros((co, *taps, *plan.stride, ci), dtype=weight.dtype)
    mine = weight[group * co:(group + 1) * co]  # (co, ci, *k)
    for tap in itertools.product(*map(range, plan.kernel_size)):
        at = [t * d for t, d in zip(tap, plan.dilation)]
        where = (slice(None), *(a // s for a, s in zip(at, plan.stride)),
                 *(a % s for a, s in zip(at, plan.stride)))
        w[where] = mine[(slice(None), slice(None), *tap)]
    phantom = math.prod(plan.kernel_size) < math.prod(taps) * math.prod(plan.stride)
    return w.reshape(co, -1), phantom


def conv_implicit(x, weight, plan, xp):
    if not (is_numpy_namespace(xp) and x.dtype in (np.float32, np.float64)):
        return conv_im2col(x, weight, plan, xp)
    grid, taps = _fold(plan)
    groups, batch = plan.groups, x.shape[0]
    ci, co = plan.in_channels // groups, plan.out_channels // groups
    weights = [_weights(weight, plan, taps, g, co, ci) for g in range(groups)]
    if weights[0][1] and not all_finite(xp, x):
        return conv_im2col(x, weight, plan, xp)
    # Column strides of the flattened grid: a tap's shift is its offset in columns.
    strides = [math.prod(grid[a + 1:]) for a in range(plan.rank)]
    cols_total = batch * math.prod(grid)
    last = (batch - 1) * math.prod(grid) + sum((m - 1) * st for m, st in
                                                zip(plan.out_size, strides)) + 1
    depth = math.prod(plan.stride) * ci
    shifts = [sum(t * st for t, st in zip(tap, strides))
              for tap in itertools.product(*map(range, taps))]
    width = len(shifts) * depth
    out = np.zeros((plan.out_channels, cols_total), dtype=x.dtype)
    budget = max(CHUNK_ELEMENTS, x.size // groups + cols_total * co)
    step = max(MIN_ROWS, budget // width)
    columns = np.empty((width, min(step, last)), dtype=x.dtype)
    for g, (w, _) in enumerate(weights):
        flat = _padded(x, plan, grid, g, ci)
        for start in range(0, last, step):
            stop = min(start + step, last)
            block = columns[:, :stop - start]
            for k, shift in enumerate(shifts):
                block[k * depth:(k + 1) * depth] = flat[:, start + shift:stop + shift]
            np.matmul(w, block, out=out[g * co:(g + 1) * co, start:stop])
    # (C_out, N*grid) -> (N, C_out, *out): a view of the valid columns.
    out = out.reshape(plan.out_channels, batch, *grid)
    out = out[(slice(None), slice(None), *(slice(0, m) for m in plan.out_size))]
    return np.moveaxis(out, 1, 0)
