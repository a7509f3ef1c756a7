"""Algorithm registries and the ``"auto"`` choice.

Each algorithm is ``f(x, weight, plan, xp) -> array``: ``x`` batched and
validated, ``weight`` in PyTorch layout, ``plan`` the resolved geometry, no
bias (the front door adds it).
"""

from __future__ import annotations

from .dilate import conv_transpose_dilate
from .direct import conv_direct
from .gemm import conv_transpose_gemm
from .matrix import matrix_product
from .phase import conv_transpose_phase
from .scatter import conv_transpose_scatter

CONV = {
    "direct": conv_direct,
    "matrix": matrix_product,
}

CONV_TRANSPOSE = {
    "scatter": conv_transpose_scatter,
    "matrix": matrix_product,
    "dilate": conv_transpose_dilate,
    "gemm": conv_transpose_gemm,
    "phase": conv_transpose_phase,
}


def choose(registry: dict, plan) -> str:
    """The algorithm ``"auto"`` runs for ``plan``.

    Transposed: ``"gemm"``, one large matrix multiply then col2im, was the
    fastest or within a few percent of it on the benchmark suite
    (``docs/benchmarks.md``); the per-tap methods run many small multiplies
    and ``"phase"`` wastes work on small inputs and skinny outputs. Conv:
    ``"direct"``.
    """
    return "gemm" if registry is CONV_TRANSPOSE else "direct"
