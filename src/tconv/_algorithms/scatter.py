"""``"scatter"``: the textbook transposed convolution, written for reading.

Every input value is multiplied by the whole kernel and the product is added
into the output, input ``i`` landing at ``i*stride``; tap ``t`` of that copy
sits ``t*dilation`` further on. One axis, ``x = [a, b]``, kernel
``[w0, w1, w2]``, stride 2::

    a*w0  a*w1  a*w2
                b*w0  b*w1  b*w2
    ----------------------------- +
    full output, length (n-1)*stride + dilation*(k-1) + 1

Then ``padding`` crops the full output at both ends and ``output_padding``
appends at the end. To be usable as well as readable, the loop runs over the
kernel taps, not the input pixels: at tap ``t`` every input pixel at once is
mixed over channels by ``w[:, :, t]`` and lands on the strided output slice
``t*dilation, t*dilation + stride, ...``.
"""

from __future__ import annotations

import itertools

from .._xp import add_at, strided, zeros
from ._channels import from_groups, tap_matrices, to_groups


def conv_transpose_scatter(x, weight, plan, xp):
    groups = plan.groups
    w = tap_matrices(xp, weight, groups, transposed=True)
    x_groups = to_groups(xp, x, groups)
    # The buffer holds the full output, plus zeros where output_padding reaches past it.
    buffer = tuple(max(f, lo + m) for f, lo, m in zip(plan.full_size, plan.offset, plan.out_size))
    full = zeros(xp, (x.shape[0], plan.out_channels, *buffer), x)
    every = (slice(None), slice(None))
    for tap in itertools.product(*map(range, plan.kernel_size)):
        # Every input value times this tap of the kernel ...
        products = from_groups(xp, xp.matmul(x_groups, w[(..., *tap)]), plan.in_size)
        # ... lands at i*stride + tap*dilation.
        starts = tuple(t * d for t, d in zip(tap, plan.dilation))
        full = add_at(xp, full, every + strided(starts, plan.in_size, plan.stride), products)
    # padding crops the start; the window of out_size samples is the output.
    return full[every + strided(plan.offset, plan.out_size, (1,) * plan.rank)]
