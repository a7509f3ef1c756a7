"""``"im2col"``: convolution as ONE matrix multiply over gathered windows.

Every output pixel's receptive field (taps x C_in values, channels last) is
copied into a row of the "columns" matrix, and a single multiply with the
weight as a ``(taps*C_in, C_out)`` matrix gives all outputs at once::

    (pixels_out, taps*C_in) @ (taps*C_in, C_out) -> (pixels_out, C_out)

The inner dimension is ``taps`` times larger than in ``"direct"``'s per-tap
multiplies, which is what BLAS wants, and the output is written once instead
of accumulated ``taps`` times. The columns are ``taps / stride^d`` times the
input, so samples (then bands of output rows) are processed in chunks that
keep them about the size of the input plus the output.
"""

from __future__ import annotations

import itertools
import math

from .._xp import pad_or_crop, set_at, strided, zeros
from ._channels import chunks


def _chunks(plan, batch):
    """Pieces of (samples, output rows) whose columns stay about input + output."""
    per_row = math.prod(plan.out_size[1:]) * math.prod(plan.kernel_size) * plan.in_channels
    return chunks(batch, plan.out_size[0], per_row,
                  batch * (math.prod(plan.in_size) * plan.in_channels
                           + math.prod(plan.out_size) * plan.out_channels))


def conv_im2col(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    batch = x.shape[0]
    ci, co = plan.in_channels // groups, plan.out_channels // groups
    taps = math.prod(plan.kernel_size)
    # Pad before; at the end keep exactly what the last window reads (crop the rest).
    needed = tuple((m - 1) * s + ke for m, s, ke in
                   zip(plan.out_size, plan.stride, plan.effective_kernel))
    pads = tuple((lo, need - lo - n) for lo, need, n in zip(plan.offset, needed, plan.in_size))
    # (N, G, ci, *S) -> (G, N, *S_padded, ci): channels last, so a window row is contiguous.
    padded = xp.permute_dims(
        pad_or_crop(xp, xp.reshape(x, (batch, groups, ci, *plan.in_size)), pads),
        (1, 0, *range(3, 3 + rank), 2))
    # (G*co, ci, *k) -> (G, taps*ci, co), tap-major like the columns.
    w = xp.reshape(weight, (groups, co, ci, taps))
    w = xp.reshape(xp.permute_dims(w, (0, 3, 2, 1)), (groups, taps * ci, co))
    out = zeros(xp, (batch, *plan.out_size, groups, co), x)
    every = slice(None)
    for part, rows in _chunks(plan, batch):
        size = (rows.stop - rows.start, *plan.out_size[1:])
        first = (rows.start * plan.stride[0],) + (0,) * (rank - 1)
        windows = []
        for tap in itertools.product(*map(range, plan.kernel_size)):
            starts = tuple(f + t * d for f, t, d in zip(first, tap, plan.dilation))
            windows.append(padded[(every, part, *strided(starts, size, plan.stride), every)])
        columns = xp.reshape(xp.stack(windows, axis=-2), (groups, -1, taps * ci))
        result = xp.reshape(xp.matmul(columns, w), (groups, -1, *size, co))
        # (G, n, *size, co) -> (n, *size, G, co)
        result = xp.permute_dims(result, (*range(1, 2 + rank), 0, 2 + rank))
        out = set_at(xp, out, (part, rows, ..., every, every), result)
    # (N, *out, G, co) -> (N, G*co, *out): a channels-last view, no copy.
    out = xp.permute_dims(out, (0, rank + 1, rank + 2, *range(1, rank + 1)))
    return xp.reshape(out, (batch, plan.out_channels, *plan.out_size))
