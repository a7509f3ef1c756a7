"""``"dilate"``: zero insertion, then a stride-1 convolution with the flipped kernel.

Insert ``stride - 1`` zeros between input samples, pad ``ke - 1 - lo`` at the
start (``ke = dilation*(k-1) + 1``; a negative amount crops), pad the end so
the result has ``out_size`` samples, then cross-correlate with the kernel
flipped along every spatial axis and its channel axes swapped (per group).
One axis, ``x = [a, b]``, stride 2, k 3, padding 0::

    0 0 a 0 b 0 0      (2 zeros each side: ke - 1 - 0)
    [w2 w1 w0]         slides with stride 1 -> 5 outputs
"""

from __future__ import annotations

from .._geometry import ConvPlan
from .._xp import set_at, strided, zeros
from .direct import conv_direct


def conv_transpose_dilate(x, weight, plan, xp):
    groups, rank = plan.groups, plan.rank
    dilated_size = tuple((n - 1) * s + 1 for n, s in zip(plan.in_size, plan.stride))
    every = (slice(None), slice(None))
    dilated = zeros(xp, (*x.shape[:2], *dilated_size), x)
    dilated = set_at(xp, dilated, every + strided((0,) * rank, plan.in_size, plan.stride), x)
    # (C_in, C_out/G, *k) -> (C_out, C_in/G, *k), flipped in space.
    c_in, co_g = weight.shape[:2]
    flipped = xp.reshape(weight, (groups, c_in // groups, co_g, *plan.kernel_size))
    flipped = xp.permute_dims(flipped, (0, 2, 1, *range(3, 3 + rank)))
    flipped = xp.reshape(flipped, (groups * co_g, c_in // groups, *plan.kernel_size))
    flipped = xp.flip(flipped, axis=tuple(range(2, 2 + rank)))
    pads = tuple((ke - 1 - lo, m - L + lo) for ke, lo, m, L in
                 zip(plan.effective_kernel, plan.offset, plan.out_size, dilated_size))
    stride1 = ConvPlan("conv", dilated_size, plan.out_size, plan.kernel_size, (1,) * rank,
                       plan.dilation, pads, (0,) * rank, groups, plan.in_channels,
                       plan.out_channels)
    return conv_direct(dilated, flipped, stride1, xp)
