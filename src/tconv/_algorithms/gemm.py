"""``"gemm"``: one large matrix multiply, then the kernel copies added in place.

The scatter method written for speed. The products of every input pixel with
every kernel tap are ONE matrix multiply, the "columns", and tap ``t``'s block
of columns is then added into the strided output slice it lands on (col2im).
Two layouts, chosen by shape:

* channels first, per sample (image rows longer than C_out):
  ``W^T (C_out*taps, C_in) @ x_n (C_in, pixels)`` with both operands in their
  natural layout (no copies), adds along image rows straight into the
  ``(N, C, *S)`` output;
* channels last, batch folded (C_out at least the row length):
  ``(N*pixels, C_in) @ (C_in, taps*C_out)``, one tall multiply, adds along
  channel rows of a ``(N, *S, C)`` buffer that is returned as a view.

When the kernel copies cannot overlap (kernel span within the stride, e.g.
``k == stride``) the adds are plain writes. Depthwise layers (one input
channel per group) skip the multiply: the columns are a broadcast product.
The columns are ``taps / stride^d`` times the output, so samples (then bands
of rows) are processed in chunks that keep them about the size of the output.
"""

from __future__ import annotations

import itertools
import math

from .._geometry import phases
from .._xp import add_at, depend_on, set_at, strided, zeros

# Columns of at least this many elements are never split further.
MIN_CHUNK = 1 << 20


def _chunks(plan, batch):
    """``(batch slice, first-axis input slice)`` pieces whose columns fit the budget.

    Whole samples per piece while one sample's columns fit, else one sample
    and a band of input rows.
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


def conv_transpose_gemm(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    batch, c_in = x.shape[:2]
    ci, co = c_in // groups, plan.out_channels // groups
    taps = math.prod(plan.kernel_size)
    # Each add copies contiguous runs of the innermost axis: make that the longer one.
    channels_last = co >= plan.in_size[-1]
    every = slice(None)
    if channels_last:
        # (G, N, *S, ci) @ (G, ci, co*taps); output (N, *out, G, co), returned as a view.
        x = xp.permute_dims(xp.reshape(x, (batch, groups, ci, *plan.in_size)),
                            (1, 0, *range(3, 3 + rank), 2))
        out = zeros(xp, (batch, *plan.out_size, groups, co), x)
    else:
        # (G, co*taps, ci) @ (G, ci, N, *S); output (G, co, N, *out), for N = 1 the
        # result's own layout.
        x = xp.permute_dims(xp.reshape(x, (batch, groups, ci, *plan.in_size)),
                            (1, 2, 0, *range(3, 3 + rank)))
        out = zeros(xp, (groups, co, batch, *plan.out_size), x)
    w = xp.reshape(weight, (groups, ci, co * taps))
    # Tap-major columns make every tap's block contiguous; worth the weight copy
    # once the multiply has more rows than the weight has input channels.
    tap_major = channels_last and batch * math.prod(plan.in_size) >= ci
    if tap_major:
        w = xp.reshape(xp.permute_dims(xp.reshape(weight, (groups, ci, co, taps)), (0, 1, 3, 2)),
                       (groups, ci, taps * co))
    # Output phases (sub-pixel positions) and, per phase, the taps that feed it.
    combos = [combo for combo in itertools.product(*phases(plan))
              if all(p.taps for p in combo)]
    blocks, reached = {}, False
    for part, rows in _chunks(plan, batch):
        size = (rows.stop - rows.start, *plan.in_size[1:])
        if channels_last:
            piece = xp.reshape(x[(every, part, rows, ...)], (groups, -1, ci))
            columns = piece * w if ci == 1 else xp.matmul(piece, w)
            if tap_major:
                # (G, n, *size, *k, co) -> (*k, n, *size, G, co)
                columns = xp.reshape(columns, (groups, -1, *size, *plan.kernel_size, co))
                columns = xp.permute_dims(columns, (*range(2 + rank, 2 + 2 * rank),
                                                    *range(1, 2 + rank), 0, 2 + 2 * rank))
            else:
                # (G, n, *size, co, *k) -> (*k, n, *size, G, co)
                columns = xp.reshape(columns, (groups, -1, *size, co, *plan.kernel_size))
                columns = xp.permute_dims(columns, (*range(3 + rank, 3 + 2 * rank),
                                                    *range(1, 2 + rank), 0, 2 + rank))
        else:
            piece = xp.reshape(x[(every, every, part, rows, ...)], (groups, ci, -1))
            w_t = xp.permute_dims(w, (0, 2, 1))
            columns = piece * w_t if ci == 1 else xp.matmul(w_t, piece)
            # (G, co, *k, n, *size) -> (*k, G, co, n, *size)
            columns = xp.reshape(columns, (groups, co, *plan.kernel_size, -1, *size))
            columns = xp.permute_dims(columns, (*range(2, 2 + rank), 0, 1,
                                                *range(2 + rank, 3 + 2 * rank)))
        n = part.stop - part.start
        for key, combo in enumerate(combos):
            counts = tuple(p.count for p in combo)
            tap_shifts = list(itertools.product(*(p.taps for p in combo)))
            landing = strided(tuple(p.start for p in combo), counts, plan.stride)
            single = len(tap_shifts) == 1
            # One dense block per output phase, so its adds have unit stride; a phase
            # fed by one tap (no overlap) is written straight into the output.
            if not single and rows.start == 0:
                shape = (n, *counts, groups, co) if channels_last else (groups, co, n, *counts)
                blocks[key] = zeros(xp, shape, x)
            for tap_shift in tap_shifts:
                # Phase output m gets tap t times input i = m + shift (inside this band).
                lows = [max(0, b - sh) for (_, sh), b in zip(tap_shift, (rows.start,) + (0,) * (rank - 1))]
                highs = [min(c, e - sh) for (_, sh), c, e in
                         zip(tap_shift, counts, (rows.stop, *plan.in_size[1:]))]
                if any(lo >= hi for lo, hi in zip(lows, highs)):
                    continue
                reached = True
                i = tuple(slice(lo + sh - b, hi + sh - b) for lo, hi, (_, sh), b in
                          zip(lows, highs, tap_shift, (rows.start,) + (0,) * (rank - 1)))
                tap = tuple(t for t, _ in tap_shift)
                source = columns[(*tap, every, *i, every, every)] if channels_last else columns[
                    (*tap, every, every, every, *i)]
                if single:
                    m = tuple(slice(land.start + lo * step, land.start + (hi - 1) * step + 1, step)
                              for land, lo, hi, step in zip(landing, lows, highs, plan.stride))
                    target = (part, *m, every, every) if channels_last else (every, every, part, *m)
                    out = set_at(xp, out, target, source)
                    continue
                m = tuple(slice(lo, hi) for lo, hi in zip(lows, highs))
                target = (every, *m, every, every) if channels_last else (every, every, every, *m)
                blocks[key] = add_at(xp, blocks[key], target, source)
            if not single and rows.stop == plan.in_size[0]:
                target = (part, *landing, every, every) if channels_last else (
                    every, every, part, *landing)
                out = set_at(xp, out, target, blocks.pop(key))
    if not reached:  # only output_padding zeros: keep x and weight in the graph
        out = depend_on(xp, depend_on(xp, out, x), weight)
    # To (N, G, co, *out): a view, no copy (channels last, or batch after channels).
    if channels_last:
        out = xp.permute_dims(out, (0, rank + 1, rank + 2, *range(1, rank + 1)))
    else:
        out = xp.permute_dims(out, (2, 0, 1, *range(3, 3 + rank)))
    return xp.reshape(out, (batch, plan.out_channels, *plan.out_size))
