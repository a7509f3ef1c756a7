"""Algorithm registries and the ``"auto"`` choice.

Each algorithm is ``f(x, weight, plan, xp) -> array``: ``x`` batched and
validated, ``weight`` in PyTorch layout, ``plan`` the resolved geometry, no
bias (the front door adds it).
"""

from __future__ import annotations

import math

from .col2im import conv_transpose_col2im
from .compiled import conv_compiled, conv_transpose_compiled
from .compiled import loaded as compiled_available
from .dilate import conv_transpose_dilate
from .direct import conv_direct
from .gemm import conv_transpose_gemm
from .im2col import conv_im2col
from .implicit import conv_implicit
from .matrix import matrix_product
from .phase import conv_transpose_phase
from .scatter import conv_transpose_scatter

CONV = {
    "direct": conv_direct,
    "matrix": matrix_product,
    "im2col": conv_im2col,
    "compiled": conv_compiled,
    "implicit": conv_implicit,
}

CONV_TRANSPOSE = {
    "scatter": conv_transpose_scatter,
    "matrix": matrix_product,
    "dilate": conv_transpose_dilate,
    "gemm": conv_transpose_gemm,
    "phase": conv_transpose_phase,
    "compiled": conv_transpose_compiled,
    "col2im": conv_transpose_col2im,
}


# Below this many multiply-adds (the whole batch's) a NumPy call is all Python
# overhead, and the plain tap loop has the least of it.
TINY_WORK = 100_000

# "col2im" beat "gemm" on large ungrouped 2-D layers with at least 16x16 input
# pixels and an output up to 16M values (docs/benchmarks.md, round 3).
COL2IM_WORK = 1_000_000_000
COL2IM_OUTPUT = 16_000_000


def choose(registry: dict, plan, batch: int, *, numpy: bool = True) -> str:
    """The algorithm ``"auto"`` runs for ``plan``, by the measurements in docs/benchmarks.md.

    Transposed: ``"gemm"`` (one large matrix multiply, then col2im) was the
    fastest or within noise of it on every layer of the benchmark suite but
    two kinds: depthwise layers (one input and one output channel per group),
    where ``"phase"`` avoids the ``taps``-times larger columns and was 15-20%
    faster, and tiny NumPy calls (under ``TINY_WORK`` multiply-adds for the
    whole batch), where ``"scatter"`` has the least overhead. The work counts
    the batch: the autoencoder decoder layers of ``benchmarks.layers`` are
    tiny per sample but not at batch 64, where ``"scatter"`` was 2x slower
    than ``"gemm"``. On PyTorch tensors each of scatter's per-tap operations
    costs a dispatch, and ``"gemm"`` was faster at every size measured (1.1-7x
    on those layers), so ``"scatter"`` is never chosen there.
    Depthwise layers (one input channel per group, at most 4 outputs per
    group) on NumPy float32/float64 run ``"compiled"`` when numba is
    installed: its vectorized loops were 2-10x faster than ``"phase"`` there
    (CenterNet's IDA layers, interleaved in one process) and need no buffer.
    Conv on NumPy without groups: ``"implicit"`` (windows copied tap by tap
    from a padded channels-first input into a bounded buffer, one multiply per
    chunk; strides folded into channels) was 1.5-4x faster than ``"im2col"``
    on the ``benchmarks.conv`` layers (interleaved, one process); with groups
    its per-group loop lost to ``"im2col"`` (7x on ResNeXt's 32 groups).
    Transposed, ungrouped 2-D layers on NumPy with numba, at least ``COL2IM_WORK``
    multiply-adds, 16x16 input pixels and at most ``COL2IM_OUTPUT`` output
    values run ``"col2im"`` (one multiply into a bounded buffer, then a
    compiled parallel col2im): 0-20% faster than ``"gemm"`` on the DCGAN
    (16x16 input, batch 64) and U-Net up-convolutions, interleaved in one
    process; on smaller inputs (4x4, 8x8) and the 157 MB output of U-Net's
    last layer at batch 4 it lost or varied run to run.
    Otherwise ``"im2col"`` (one multiply over gathered windows), except for a
    single sample whose windows are long (taps * C_in/groups >= 800), where the
    per-tap multiplies of ``"direct"`` are already large and skip the copy
    (measured on six encoder shapes; the benchmark suite times transposed
    convolutions only).
    """
    per_group_in = plan.in_channels // plan.groups
    per_group_out = plan.out_channels // plan.groups
    if numpy and compiled_available() and per_group_in == 1 and per_group_out <= 4:
        return "compiled"
    if registry is not CONV_TRANSPOSE:
        if numpy and plan.groups == 1:
            return "implicit"
        window = math.prod(plan.kernel_size) * plan.in_channels // plan.groups
        return "direct" if batch == 1 and window >= 800 else "im2col"
    work = (math.prod(plan.in_size) * plan.in_channels * per_group_out
            * math.prod(plan.kernel_size))
    if numpy and work * batch < TINY_WORK:
        return "scatter"
    if plan.groups > 1 and per_group_in == 1 and per_group_out == 1:
        return "phase"
    if (numpy and compiled_available() and plan.groups == 1 and plan.rank == 2
            and work * batch >= COL2IM_WORK and math.prod(plan.in_size) >= 256
            and batch * plan.out_channels * math.prod(plan.out_size) <= COL2IM_OUTPUT):
        return "col2im"
    return "gemm"
