"""The loops of ``"compiled"`` (see ``compiled.py``), compiled by numba and cached on disk.

Both take 3-D arrays (lower ranks get leading axes of size 1), a zeroed
output, the geometry as three 3-tuples and the range ``(start, stop)`` of
output rows ``(n, c_out, o_d, o_h)``, flattened, that this call fills. Every
row is written by one call only, so calls on disjoint ranges can run in
parallel threads. Only pairs of an input and an output position that both
exist are multiplied; what PyTorch gets from multiplying padding zeros
(NaN for an inf or NaN weight, in a convolution) is added without reading
any padding.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _axpy(target, source, weight):
    """``target += source * weight``, element by element (no temporary)."""
    for m in range(target.shape[0]):
        target[m] += source[m] * weight


@numba.njit(cache=True, nogil=True, error_model="numpy")
def transposed(x, w, out, stride, dilation, before, tasks):
    """x ``(N, C_in, D, H, W)``, w ``(C_in, C_out/G, *k)``, out ``(N, C_out, *out)``.

    Along the last axis the outputs of one row split into ``stride`` phases;
    output ``p + m*stride`` of phase ``p`` reads input ``m + shift`` at each tap
    of that phase, so a phase is summed in a contiguous buffer with unit-stride
    (vectorized) loops and then written into its interleaved places.
    """
    _, c_in, d_in, h_in, w_in = x.shape
    co_g, k_d, k_h, k_w = w.shape[1], w.shape[2], w.shape[3], w.shape[4]
    c_out, d_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3], out.shape[4]
    ci_g = c_in // (c_out // co_g)
    s_d, s_h, s_w = stride
    buffer = np.empty((w_out + s_w - 1) // s_w, dtype=out.dtype)
    for task in range(tasks[0], tasks[1]):
        row = task % (d_out * h_out)
        n, co = task // (d_out * h_out) // c_out, task // (d_out * h_out) % c_out
        o_d, o_h = row // h_out, row % h_out
        group, j = co // co_g, co % co_g
        for phase in range(min(s_w, w_out)):
            count = (w_out - phase + s_w - 1) // s_w
            buffer[:count] = 0
            for cl in range(ci_g):
                c = group * ci_g + cl
                for td in range(k_d):
                    r_d = o_d + before[0] - td * dilation[0]
                    if r_d < 0:
                        break
                    if r_d % s_d or r_d // s_d >= d_in:
                        continue
                    for th in range(k_h):
                        r_h = o_h + before[1] - th * dilation[1]
                        if r_h < 0:
                            break
                        if r_h % s_h or r_h // s_h >= h_in:
                            continue
                        for tw in range(k_w):
                            r_w = phase + before[2] - tw * dilation[2]
                            if r_w % s_w:
                                continue
                            shift = r_w // s_w
                            weight = w[c, j, td, th, tw]
                            source = x[n, c, r_d // s_d, r_h // s_h]
                            lo, hi = max(0, -shift), min(count, w_in - shift)
                            if lo < hi:  # unit-stride slices: the loop vectorizes
                                _axpy(buffer[lo:hi], source[lo + shift:hi + shift], weight)
            target = out[n, co, o_d, o_h]
            for m in range(count):
                target[phase + m * s_w] = buffer[m]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def forward(x, w, out, stride, dilation, before, tasks):
    """x ``(N, C_in, D, H, W)``, w ``(C_out, C_in/G, *k)``, out ``(N, C_out, *out)``.

    Output ``o`` of a row reads input ``o*stride + shift`` at each tap; the
    padding is not read, but a non-finite weight tap that meets it gives NaN,
    as PyTorch's ``0 * inf`` does.
    """
    c_in, d_in, h_in, w_in = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    c_out, ci_g, k_d, k_h, k_w = w.shape
    d_out, h_out, w_out = out.shape[2], out.shape[3], out.shape[4]
    co_g = c_out // (c_in // ci_g)
    s_w = stride[2]
    for task in range(tasks[0], tasks[1]):
        row = task % (d_out * h_out)
        n, co = task // (d_out * h_out) // c_out, task // (d_out * h_out) % c_out
        o_d, o_h = row // h_out, row % h_out
        group = co // co_g
        target = out[n, co, o_d, o_h]
        for cl in range(ci_g):
            c = group * ci_g + cl
            for td in range(k_d):
                i_d = o_d * stride[0] + td * dilation[0] - before[0]
                inside_d = 0 <= i_d < d_in
                for th in range(k_h):
                    i_h = o_h * stride[1] + th * dilation[1] - before[1]
                    inside = inside_d and 0 <= i_h < h_in
                    for tw in range(k_w):
                        weight = w[co, cl, td, th, tw]
                        # PyTorch multiplies the padding zeros too: an inf or NaN
                        # weight makes NaN wherever it meets padding.
                        padded = weight * 0.0
                        if not inside:
                            if np.isnan(padded):
                                target[:] += padded
                            continue
                        source = x[n, c, i_d, i_h]
                        shift = tw * dilation[2] - before[2]
                        first = max(0, -(shift // s_w))
                        stop = max(first, min(w_out, (w_in - 1 - shift) // s_w + 1))
                        if first < stop:
                            _axpy(target[first:stop],
                                  source[first * s_w + shift:(stop - 1) * s_w + shift + 1:s_w],
                                  weight)
                        if np.isnan(padded):
                            target[:first] += padded
                            target[stop:] += padded
