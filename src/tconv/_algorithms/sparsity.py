"""The sparsity structure of a convolution plan's matrix ``C`` (index arrays).

``C[(co, i), (ci, j)] = w[co, ci, t]`` wherever ``j = i*stride + t*dilation
- lo`` lies inside the input; :func:`matrix_structure` gives the row, column
and weight index of every entry. Shared by ``tconv.conv_matrix`` and the
matrix algorithm.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .._geometry import ConvPlan


@lru_cache(maxsize=64)
def matrix_structure(plan: ConvPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """``(rows, cols, weight_index, shape)`` of the matrix of a convolution plan.

    ``weight_index`` indexes the flattened weight ``(C_out, C_in/G, *k)``.
    Transposed plans are turned into the convolution they are the adjoint of.
    """
    plan = plan.as_conv()
    # Per axis, every (window i, tap t, input j) triple with j inside the input.
    axis_triples = []
    for windows, m, k, s, d, lo in zip(plan.out_size, plan.in_size, plan.kernel_size,
                                     plan.stride, plan.dilation, plan.offset):
        i, t = np.meshgrid(np.arange(windows), np.arange(k), indexing="ij")
        j = i * s + t * d - lo
        inside = (j >= 0) & (j < m)
        axis_triples.append((i[inside], t[inside], j[inside]))
    # Combine the axes: every choice of one triple per axis.
    choice = np.indices([len(tr[0]) for tr in axis_triples]).reshape(plan.rank, -1)
    pick = [[tr[c][choice[a]] for a, tr in enumerate(axis_triples)] for c in range(3)]
    out_index = np.ravel_multi_index(pick[0], plan.out_size)
    tap_index = np.ravel_multi_index(pick[1], plan.kernel_size)
    in_index = np.ravel_multi_index(pick[2], plan.in_size)
    # Channels: output co reads the C_in/G inputs of its group.
    groups = plan.groups
    ci_g = plan.in_channels // groups
    co = np.arange(plan.out_channels)[:, None, None]
    ci_local = np.arange(ci_g)[None, :, None]
    ci = (co // (plan.out_channels // groups)) * ci_g + ci_local
    n_out, n_in, n_taps = math.prod(plan.out_size), math.prod(plan.in_size), math.prod(
        plan.kernel_size)
    rows, cols, weight_index = (a.ravel() for a in np.broadcast_arrays(
        co * n_out + out_index, ci * n_in + in_index,
        (co * ci_g + ci_local) * n_taps + tap_index))
    shape = (plan.out_channels * n_out, plan.in_channels * n_in)
    for array in (rows, cols, weight_index):
        array.flags.writeable = False
    return rows, cols, weight_index, shape
