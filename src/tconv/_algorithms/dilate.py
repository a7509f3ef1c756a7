"""``"dilate"``: zero insertion, then a stride-1 convolution with the flipped kernel.

Insert ``stride - 1`` zeros between input samples, pad ``ke - 1 - lo`` at the
start (``ke = dilation*(k-1) + 1``; a negative amount crops), pad the end so
the result has ``out_size`` samples, then cross-correlate with the kernel
flipped along every spatial axis and its channel axes swapped (per group).
One axis, ``x = [a, b]``, stride 2, k 3, padding 0::

    0 0 a 0 b 0 0      (2 zeros each side: ke - 1 - 0)
    [w2 w1 w0]         slides with stride 1 -> 5 outputs

PyTorch never multiplies those zeros by the weight; with inf or NaN in the
weight (``inf * 0`` is NaN) each tap's product is kept only where it read an
input sample.
"""

from __future__ import annotations

import itertools

import numpy as np
from array_api_compat import device

from .._geometry import ConvPlan, zero_inserted_size, zero_insertion_pads
from .._xp import all_finite, pad_or_crop, set_at, strided, zeros
from ._channels import from_groups, tap_matrices, to_groups
from .direct import conv_direct


def conv_transpose_dilate(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    dilated_size = zero_inserted_size(plan)
    every = (slice(None), slice(None))
    dilated = zeros(xp, (*x.shape[:2], *dilated_size), x)
    dilated = set_at(xp, dilated, every + strided((0,) * rank, plan.in_size, plan.stride), x)
    # (C_in, C_out/G, *k) -> (C_out, C_in/G, *k), flipped in space.
    c_in, co_g = weight.shape[:2]
    flipped = xp.reshape(weight, (groups, c_in // groups, co_g, *plan.kernel_size))
    flipped = xp.permute_dims(flipped, (0, 2, 1, *range(3, 3 + rank)))
    flipped = xp.reshape(flipped, (groups * co_g, c_in // groups, *plan.kernel_size))
    flipped = xp.flip(flipped, axis=tuple(range(2, 2 + rank)))
    pads = zero_insertion_pads(plan)
    stride1 = ConvPlan("conv", dilated_size, plan.out_size, plan.kernel_size, (1,) * rank,
                       plan.dilation, pads, (0,) * rank, groups, plan.in_channels,
                       plan.out_channels)
    if all_finite(xp, weight):
        return conv_direct(dilated, flipped, stride1, xp)
    return _conv_real_samples_only(xp, dilated, flipped, stride1, plan)


def _conv_real_samples_only(xp, dilated, flipped, stride1, plan):
    """The stride-1 convolution, each tap's product kept only over input samples.

    PyTorch never multiplies inserted or padding zeros by the weight, so an
    inf or NaN tap must not turn them into NaN: a tap's product is dropped
    wherever its window reads a zero that is not an input sample.
    """
    w = tap_matrices(xp, flipped, plan.groups, transposed=False)
    padded = pad_or_crop(xp, dilated, stride1.pads)
    # Per axis, which samples of the padded, zero-inserted input are real.
    real_axes = []
    for length, n, s, (lo, _) in zip(padded.shape[2:], plan.in_size, plan.stride,
                                     stride1.pads):
        real = np.zeros(length, dtype=bool)
        where = np.arange(n) * s + lo
        real[where[(where >= 0) & (where < length)]] = True
        real_axes.append(real)
    every = (slice(None), slice(None))
    zero = xp.zeros((), dtype=padded.dtype, device=device(padded))
    out = None
    for tap in itertools.product(*map(range, plan.kernel_size)):
        starts = tuple(t * d for t, d in zip(tap, plan.dilation))
        window = padded[every + strided(starts, plan.out_size, (1,) * plan.rank)]
        term = xp.matmul(to_groups(xp, window, plan.groups), w[(..., *tap)])
        mask = np.ones((), dtype=bool)
        for real, start, m in zip(real_axes, starts, plan.out_size):
            mask = np.multiply.outer(mask, real[start:start + m])
        mask = xp.asarray(np.reshape(mask, (1, 1, -1, 1)), device=device(padded))
        term = xp.where(mask, term, zero)
        out = term if out is None else out + term
    return from_groups(xp, out, plan.out_size)
