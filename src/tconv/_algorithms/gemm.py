"""``"gemm"``: one large matrix multiply, then the kernel copies added in place.

The scatter method written for speed. With channels last, the products of
every input pixel with every kernel tap are ONE matrix multiply::

    (pixels, C_in) @ (C_in, taps * C_out) -> (pixels, taps, C_out)   "columns"

and tap ``t``'s column block is then added into the strided output slice it
lands on (col2im). When the kernel equals the stride there is no overlap and
the adds are a pure rearrangement. The columns are ``taps / stride^d`` times
the output, so the batch (then the first spatial axis) is processed in chunks
that keep them about the size of the output.
"""

from __future__ import annotations

import itertools
import math

from .._xp import add_at, set_at, strided, zeros

# Columns of at least this many elements are never split further.
MIN_CHUNK = 1 << 18


def _chunks(plan, batch):
    """``(batch slice, first-axis input slice)`` pieces whose columns fit the budget.

    Whole samples per piece while one sample's columns fit, else one sample and
    a band of input rows at a time.
    """
    per_row = math.prod(plan.in_size[1:]) * math.prod(plan.kernel_size) * plan.out_channels
    rows = plan.in_size[0]
    budget = max(batch * math.prod(plan.out_size) * plan.out_channels, MIN_CHUNK)
    if per_row * rows <= budget:
        step = budget // (per_row * rows)
        for b in range(0, batch, step):
            yield slice(b, min(b + step, batch)), slice(0, rows)
        return
    step = max(1, budget // per_row)
    for b in range(batch):
        for r in range(0, rows, step):
            yield slice(b, b + 1), slice(r, min(r + step, rows))


def _channels_last(plan) -> bool:
    """Whether the adds should move channel rows (else spatial rows).

    Each add copies contiguous runs of the innermost axis; pick the layout
    whose innermost run is longer.
    """
    return plan.out_channels // plan.groups >= plan.in_size[-1]


def conv_transpose_gemm(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    batch, c_in = x.shape[:2]
    ci, co = c_in // groups, plan.out_channels // groups
    taps = math.prod(plan.kernel_size)
    space = tuple(range(3, 3 + rank))
    x = xp.reshape(x, (batch, groups, ci, *plan.in_size))
    w = xp.reshape(weight, (groups, ci, co, taps))
    buffer = tuple(max(f, lo + m) for f, lo, m in zip(plan.full_size, plan.offset, plan.out_size))
    channels_last = _channels_last(plan)
    if channels_last:
        # (pixels, ci) @ (ci, taps*co); output (N, *full, G, co).
        x = xp.permute_dims(x, (1, 0, *space, 2))
        w = xp.reshape(xp.permute_dims(w, (0, 1, 3, 2)), (groups, ci, taps * co))
        full = zeros(xp, (batch, *buffer, groups, co), x)
    else:
        # (taps*co, ci) @ (ci, pixels); output (G, co, N, *full).
        x = xp.permute_dims(x, (1, 2, 0, *space))
        w = xp.reshape(xp.permute_dims(w, (0, 3, 2, 1)), (groups, taps * co, ci))
        full = zeros(xp, (groups, co, batch, *buffer), x)
    every = slice(None)
    # Without overlap each output position gets at most one product: write, don't add.
    place = add_at if plan.copies_overlap else set_at
    for batch_part, row_part in _chunks(plan, batch):
        size = (row_part.stop - row_part.start, *plan.in_size[1:])
        first = (row_part.start,) + (0,) * (rank - 1)
        if channels_last:
            piece = x[(every, batch_part, row_part, ...)]
            n = piece.shape[1]
            columns = xp.matmul(xp.reshape(piece, (groups, -1, ci)), w)
            # (G, n, *size, *k, co) -> (*k, n, *size, G, co)
            columns = xp.reshape(columns, (groups, n, *size, *plan.kernel_size, co))
            columns = xp.permute_dims(columns, (*range(2 + rank, 2 + 2 * rank),
                                                *range(1, 2 + rank), 0, 2 + 2 * rank))
        else:
            piece = x[(every, every, batch_part, row_part, ...)]
            n = piece.shape[2]
            columns = xp.matmul(w, xp.reshape(piece, (groups, ci, -1)))
            # (G, *k, co, n, *size) -> (*k, G, co, n, *size)
            columns = xp.reshape(columns, (groups, *plan.kernel_size, co, n, *size))
            columns = xp.permute_dims(columns, (*range(1, 1 + rank), 0,
                                                *range(1 + rank, 3 + 2 * rank)))
        for tap in itertools.product(*map(range, plan.kernel_size)):
            # Every input pixel times this tap lands at i*stride + tap*dilation.
            starts = tuple(f * s + t * d for f, s, t, d in
                           zip(first, plan.stride, tap, plan.dilation))
            landing = strided(starts, size, plan.stride)
            target = ((batch_part, *landing, ...) if channels_last else
                      (every, every, batch_part, *landing))
            full = place(xp, full, target, columns[(*tap, ...)])
    crop = strided(plan.offset, plan.out_size, (1,) * rank)
    if channels_last:
        # (N, *out, G, co) -> (N, G, co, *out)
        window = xp.permute_dims(full[(every, *crop, ...)], (0, rank + 1, rank + 2, *range(1, rank + 1)))
    else:
        # (G, co, N, *out) -> (N, G, co, *out)
        window = xp.permute_dims(full[(every, every, every, *crop)], (2, 0, 1, *space))
    # Merging G and co is a view: the result keeps the buffer's layout, no copy.
    return xp.reshape(window, (batch, plan.out_channels, *plan.out_size))
