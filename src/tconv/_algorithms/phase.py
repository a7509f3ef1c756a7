"""``"phase"``: the sub-pixel decomposition, one matrix multiply per output phase.

Along an axis with stride ``s`` the outputs split into ``s`` interleaved
phases; each phase only ever meets every ``s``-th kernel tap, so it is a
stride-1 correlation of the input with that sub-kernel
(:func:`tconv._geometry.phases`). In ``d`` dimensions there are ``s^d`` phases.
Each gathers its taps' shifted input windows side by side (channels last) and
does ONE matrix multiply, writing its outputs exactly once::

    k=4, s=2:  output  y0 y1 y2 y3 y4 ...
               phase 0 y0    y2    y4   <- taps 0, 2
               phase 1    y1    y3      <- taps 1, 3

For ``k == s`` every phase has one tap and the layer is a single reshape of
one multiply. The gathered windows are bounded by processing the batch in
chunks. Windows reaching past the input read padding zeros; PyTorch never
multiplies those by the weight, so with inf or NaN in the weight each tap's
product is kept only where it read a real sample (``inf * 0`` stays out).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from array_api_compat import device

from .._geometry import phases
from .._xp import all_finite, depend_on, pad_or_crop, set_at, strided, zeros

# Gathered windows of at least this many elements are never split further.
MIN_CHUNK = 1 << 18


def conv_transpose_phase(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    batch, c_in = x.shape[:2]
    ci, co = c_in // groups, plan.out_channels // groups
    axes = phases(plan)
    # Pad the input once so that every phase's shifted window is a plain slice.
    before = [max([0] + [-shift for p in axis for _, shift in p.taps]) for axis in axes]
    after = [max([0] + [shift + p.count - n for p in axis for _, shift in p.taps])
             for axis, n in zip(axes, plan.in_size)]
    # x: (N, G, ci, *S) -> (G, N, *S_padded, ci)
    x = xp.reshape(x, (batch, groups, ci, *plan.in_size))
    x = xp.permute_dims(pad_or_crop(xp, x, tuple(zip(before, after))),
                        (1, 0, *range(3, 3 + rank), 2))
    w = xp.reshape(weight, (groups, ci, co, *plan.kernel_size))
    out = zeros(xp, (batch, *plan.out_size, groups, co), x)
    every = slice(None)
    largest = max(math.prod(len(p.taps) for p in combo) for combo in itertools.product(*axes))
    per_sample = math.prod(p.count for p in (max(a, key=lambda p: p.count) for a in axes))
    step = max(1, max(MIN_CHUNK, batch * math.prod(plan.out_size) * plan.out_channels)
               // max(1, per_sample * largest * c_in))
    reached = False
    is_finite = all_finite(xp, weight)
    for combo in itertools.product(*axes):
        counts = tuple(p.count for p in combo)
        landing = strided(tuple(p.start for p in combo), counts, plan.stride)
        tap_sets = list(itertools.product(*(p.taps for p in combo)))
        if not tap_sets:
            continue  # a phase no tap reaches (kernel span shorter than the stride)
        reached = True
        # (G, taps*ci, co): this phase's sub-kernel, tap-major like the windows.
        sub = xp.stack([w[(every, every, every, *(t for t, _ in taps))] for taps in tap_sets],
                       axis=1)
        sub = xp.reshape(sub, (groups, len(tap_sets) * ci, co))
        for b in range(0, batch, step):
            part = slice(b, min(b + step, batch))
            windows = [x[(every, part, *(slice(sh + lo, sh + lo + c) for (_, sh), lo, c in
                                         zip(taps, before, counts)), every)]
                       for taps in tap_sets]
            if is_finite:
                gathered = xp.reshape(xp.stack(windows, axis=-2),
                                      (groups, -1, len(tap_sets) * ci))
                result = xp.matmul(gathered, sub)  # (G, n*prod(counts), co)
            else:
                result = _masked_sum(xp, windows, w, tap_sets, counts, plan.in_size)
            result = xp.reshape(result, (groups, -1, *counts, co))
            result = xp.permute_dims(result, (*range(1, 2 + rank), 0, 2 + rank))
            out = set_at(xp, out, (part, *landing, every, every), result)
    if not reached:
        out = depend_on(xp, depend_on(xp, out, x), weight)
    # (N, *out, G, co) -> (N, G*co, *out): a channels-last view, no copy.
    out = xp.permute_dims(out, (0, rank + 1, rank + 2, *range(1, rank + 1)))
    return xp.reshape(out, (batch, plan.out_channels, *plan.out_size))


def _masked_sum(xp, windows, w, tap_sets, counts, in_size):
    """Sum of every tap's window times its matrix, each kept only over real samples."""
    every = slice(None)
    groups, ci = windows[0].shape[0], windows[0].shape[-1]
    total = None
    for window, taps in zip(windows, tap_sets):
        product = xp.matmul(xp.reshape(window, (groups, -1, ci)),
                            w[(every, every, every, *(t for t, _ in taps))])
        product = xp.reshape(product, (*window.shape[:-1], -1))
        # Window sample j of this tap reads input j + shift: real when inside.
        mask = np.ones((1,), dtype=bool)
        for (_, shift), count, n in zip(taps, counts, in_size):
            j = np.arange(count) + shift
            mask = np.multiply.outer(mask, (j >= 0) & (j < n))
        mask = xp.asarray(np.reshape(mask, (1, 1, *counts, 1)), device=device(product))
        product = xp.where(mask, product, xp.zeros((), dtype=product.dtype,
                                                    device=device(product)))
        total = product if total is None else total + product
    return xp.reshape(total, (groups, -1, total.shape[-1]))
