"""``"direct"``: convolution as a sum over kernel taps of strided windows.

``y[i] = sum_t x_padded[i*stride + t*dilation] * w[t]``: for each tap the
input samples it reads form one strided slice of the padded input, mixed over
channels by one matrix multiply.
"""

from __future__ import annotations

import itertools

from .._xp import pad_or_crop, strided
from ._channels import from_groups, tap_matrices, to_groups


def conv_direct(x, weight, plan, xp):
    groups = plan.groups
    w = tap_matrices(xp, weight, groups, transposed=False)
    # Pad before; at the end keep exactly what the last window reads (crop the rest).
    needed = tuple((m - 1) * s + ke for m, s, ke in
                   zip(plan.out_size, plan.stride, plan.effective_kernel))
    pads = tuple((lo, need - lo - n) for lo, need, n in zip(plan.offset, needed, plan.in_size))
    padded = pad_or_crop(xp, x, pads)
    every = (slice(None), slice(None))
    out = None
    for tap in itertools.product(*map(range, plan.kernel_size)):
        starts = tuple(t * d for t, d in zip(tap, plan.dilation))
        window = padded[every + strided(starts, plan.out_size, plan.stride)]
        term = xp.matmul(to_groups(xp, window, groups), w[(..., *tap)])
        out = term if out is None else out + term
    return from_groups(xp, out, plan.out_size)
