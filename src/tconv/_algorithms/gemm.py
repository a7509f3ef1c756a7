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
from ._channels import chunks


def _chunks(plan, batch):
    """Pieces of (samples, input rows) whose columns stay about the output's size."""
    per_row = math.prod(plan.in_size[1:]) * math.prod(plan.kernel_size) * plan.out_channels
    return chunks(batch, plan.in_size[0], per_row,
                  batch * math.prod(plan.out_size) * plan.out_channels)


def _columns(xp, piece, w, plan, size, layout):
    """Products of every pixel of ``piece`` with every tap, as ``(*k, ...)`` blocks.

    Indexing the result with a tap gives that tap's products in the layout's
    order: ``(n, *size, G, co)`` channels last, ``(G, co, n, *size)`` channels first.
    """
    groups, rank, k = plan.groups, plan.rank, plan.kernel_size
    ci, co = plan.in_channels // groups, plan.out_channels // groups
    if layout.channels_last:
        piece = xp.reshape(piece, (groups, -1, ci))
        columns = piece * w if ci == 1 else xp.matmul(piece, w)
        if layout.tap_major:  # (G, n, *size, *k, co) -> (*k, n, *size, G, co)
            columns = xp.reshape(columns, (groups, -1, *size, *k, co))
            order = (*range(2 + rank, 2 + 2 * rank), *range(1, 2 + rank), 0, 2 + 2 * rank)
        else:  # (G, n, *size, co, *k) -> (*k, n, *size, G, co)
            columns = xp.reshape(columns, (groups, -1, *size, co, *k))
            order = (*range(3 + rank, 3 + 2 * rank), *range(1, 2 + rank), 0, 2 + rank)
        return xp.permute_dims(columns, order)
    piece = xp.reshape(piece, (groups, ci, -1))
    w_t = xp.permute_dims(w, (0, 2, 1))
    columns = piece * w_t if ci == 1 else xp.matmul(w_t, piece)
    # (G, co, *k, n, *size) -> (*k, G, co, n, *size)
    columns = xp.reshape(columns, (groups, co, *k, -1, *size))
    return xp.permute_dims(columns, (*range(2, 2 + rank), 0, 1, *range(2 + rank, 3 + 2 * rank)))


def _tap_ranges(tap_shift, counts, rows, in_size):
    """Phase outputs ``m`` and band inputs ``i = m + shift`` one tap connects.

    Returns ``(m_ranges, i_slices)`` or None when the tap reaches no input of
    this band (the first axis is restricted to ``rows``, relative to its start).
    """
    starts = (rows.start,) + (0,) * (len(counts) - 1)
    stops = (rows.stop, *in_size[1:])
    lows = [max(0, b - sh) for (_, sh), b in zip(tap_shift, starts)]
    highs = [min(c, e - sh) for (_, sh), c, e in zip(tap_shift, counts, stops)]
    if any(lo >= hi for lo, hi in zip(lows, highs)):
        return None
    inputs = tuple(slice(lo + sh - b, hi + sh - b) for lo, hi, (_, sh), b in
                   zip(lows, highs, tap_shift, starts))
    return list(zip(lows, highs)), inputs


class _Layout:
    """Where batch, spatial and channel axes sit in the buffers of one call."""

    def __init__(self, plan, batch):
        ci, co = plan.in_channels // plan.groups, plan.out_channels // plan.groups
        # Each add copies contiguous runs of the innermost axis: make that the longer one.
        self.channels_last = co >= plan.in_size[-1]
        # Tap-major columns make every tap's block contiguous; worth the weight
        # copy once the multiply has more rows than the weight has input channels.
        self.tap_major = self.channels_last and batch * math.prod(plan.in_size) >= ci

    def at(self, batch_part, spatial):
        every = slice(None)
        if self.channels_last:
            return (batch_part, *spatial, every, every)
        return (every, every, batch_part, *spatial)


def conv_transpose_gemm(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    batch = x.shape[0]
    ci, co = plan.in_channels // groups, plan.out_channels // groups
    taps = math.prod(plan.kernel_size)
    layout = _Layout(plan, batch)
    x = xp.reshape(x, (batch, groups, ci, *plan.in_size))
    if layout.channels_last:  # (G, N, *S, ci); output (N, *out, G, co)
        x = xp.permute_dims(x, (1, 0, *range(3, 3 + rank), 2))
        out = zeros(xp, (batch, *plan.out_size, groups, co), x)
    else:  # (G, ci, N, *S); output (G, co, N, *out)
        x = xp.permute_dims(x, (1, 2, 0, *range(3, 3 + rank)))
        out = zeros(xp, (groups, co, batch, *plan.out_size), x)
    w = xp.reshape(weight, (groups, ci, co * taps))
    if layout.tap_major:
        w = xp.reshape(xp.permute_dims(xp.reshape(weight, (groups, ci, co, taps)), (0, 1, 3, 2)),
                       (groups, ci, taps * co))
    # Output phases (sub-pixel positions) that some tap reaches.
    combos = [combo for combo in itertools.product(*phases(plan)) if all(p.taps for p in combo)]
    blocks, reached, every = {}, False, slice(None)
    for part, rows in _chunks(plan, batch):
        size = (rows.stop - rows.start, *plan.in_size[1:])
        piece = x[(every, part, rows, ...) if layout.channels_last else
                  (every, every, part, rows, ...)]
        columns = _columns(xp, piece, w, plan, size, layout)
        for key, combo in enumerate(combos):
            counts = tuple(p.count for p in combo)
            landing = strided(tuple(p.start for p in combo), counts, plan.stride)
            tap_shifts = list(itertools.product(*(p.taps for p in combo)))
            # Each phase sums its taps in a dense block (unit-stride adds); a phase
            # fed by one tap (no overlap) is written straight into the output.
            single = len(tap_shifts) == 1
            if not single and rows.start == 0:
                n = part.stop - part.start
                shape = (n, *counts, groups, co) if layout.channels_last else (
                    groups, co, n, *counts)
                blocks[key] = zeros(xp, shape, x)
            for tap_shift in tap_shifts:
                ranges = _tap_ranges(tap_shift, counts, rows, plan.in_size)
                if ranges is None:
                    continue
                reached = True
                m, inputs = ranges
                source = columns[(*(t for t, _ in tap_shift), *layout.at(every, inputs))]
                if single:
                    spots = tuple(slice(land.start + lo * st, land.start + (hi - 1) * st + 1, st)
                                  for land, (lo, hi), st in zip(landing, m, plan.stride))
                    out = set_at(xp, out, layout.at(part, spots), source)
                else:
                    spots = tuple(slice(lo, hi) for lo, hi in m)
                    blocks[key] = add_at(xp, blocks[key], layout.at(every, spots), source)
            if not single and rows.stop == plan.in_size[0]:
                out = set_at(xp, out, layout.at(part, landing), blocks.pop(key))
    if not reached:  # only output_padding zeros: keep x and weight in the graph
        out = depend_on(xp, depend_on(xp, out, x), weight)
    # To (N, G, co, *out): a view, no copy (channels last, or batch after channels).
    if layout.channels_last:
        out = xp.permute_dims(out, (0, rank + 1, rank + 2, *range(1, rank + 1)))
    else:
        out = xp.permute_dims(out, (2, 0, 1, *range(3, 3 + rank)))
    return xp.reshape(out, (batch, plan.out_channels, *plan.out_size))
