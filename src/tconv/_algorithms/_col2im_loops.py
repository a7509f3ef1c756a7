"""The fused col2im loop of ``"col2im"`` (see ``col2im.py``), compiled by numba, cached on disk."""

from __future__ import annotations

import numba
import numpy as np

_SIGNATURES = [f"void({t}[:, :, :, :, :, :, :, ::1], {t}[:, :, :, :, ::1], int64, int64, "
               "int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64)"
               for t in ("float32", "float64")]


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _add(target, source):
    """``target += source``, element by element (no temporary)."""
    for m in range(target.shape[0]):
        target[m] += source[m]


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _put(target, source):
    """``target[:] = source`` for a strided ``target``."""
    for m in range(source.shape[0]):
        target[m] = source[m]


@numba.njit(_SIGNATURES, cache=True, nogil=True, error_model="numpy")
def col2im(cols, out, n0, c0, s_d, s_h, s_w, d_d, d_h, d_w, b_d, b_h, b_w, first, stop):
    """Write the sums of columns ``(C, k_d, k_h, k_w, B, D, H, W)`` into ``out[n0:, c0:]``.

    Output ``o`` receives input ``i = (o + before - t*dilation) / stride`` of
    every tap ``t`` where that is a whole number inside the input; products
    the padding and ``output_padding`` crop are never read. Every output value
    of the planes is written once (0 where no tap lands), so ``out`` needs no
    zeroing. Along a row the outputs are taken one sub-pixel phase at a time,
    so the sums run over contiguous memory. This call fills the planes
    ``first:stop`` of the chunk (plane ``c * B + b``); calls on disjoint
    ranges can run in parallel threads (the GIL is released).
    """
    k_d, k_h, k_w, b_n, d_in, h_in, w_in = cols.shape[1:]
    d_out, h_out, w_out = out.shape[2], out.shape[3], out.shape[4]
    for plane in range(first, stop):
        c, b = plane // b_n, plane % b_n
        target = out[n0 + b, c0 + c]
        buffer = np.empty((w_out + s_w - 1) // s_w, dtype=out.dtype)
        for o_d in range(d_out):
            for o_h in range(h_out):
                row = target[o_d, o_h]
                for phase in range(min(s_w, w_out)):
                    count = (w_out - phase + s_w - 1) // s_w
                    buffer[:count] = 0
                    for td in range(k_d):
                        r_d = o_d + b_d - td * d_d
                        if r_d < 0 or r_d % s_d or r_d // s_d >= d_in:
                            continue
                        for th in range(k_h):
                            r_h = o_h + b_h - th * d_h
                            if r_h < 0 or r_h % s_h or r_h // s_h >= h_in:
                                continue
                            for tw in range(k_w):
                                r_w = phase + b_w - tw * d_w
                                if r_w % s_w:
                                    continue
                                shift = r_w // s_w  # output m of the phase reads m + shift
                                source = cols[c, td, th, tw, b, r_d // s_d, r_h // s_h]
                                lo, hi = max(0, -shift), min(count, w_in - shift)
                                if lo < hi:  # unit-stride slices: the loop vectorizes
                                    _add(buffer[lo:hi], source[lo + shift:hi + shift])
                    _put(row[phase::s_w], buffer[:count])
