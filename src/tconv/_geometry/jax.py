"""JAX's ``lax`` convolution conventions as integer rules (docs/rules/jax.md).

Names: ``window_strides``/``strides``, ``padding`` (``"SAME"``,
``"SAME_LOWER"``, ``"VALID"`` or ``(low, high)`` pairs), ``rhs_dilation``,
``feature_group_count``, ``dimension_numbers``. Plain ints and tuples only.
"""

from __future__ import annotations

from .conv import effective_kernel, same_pads_conv
from .keras import transpose_pads as _keras_transpose_pads


def conv_pads(padding: str, size: int, k: int, s: int, dil: int) -> tuple[int, int]:
    """``conv_general_dilated``'s word padding as ``(before, after)`` on one axis.

    ``"VALID"``: none; ``"SAME"``: TensorFlow's, the odd unit at the end;
    ``"SAME_LOWER"``: the same total with the odd unit at the start.
    """
    if padding == "VALID":
        return 0, 0
    lo, hi = same_pads_conv(size, k, s, dil)
    return (hi, lo) if padding == "SAME_LOWER" else (lo, hi)


def transpose_cut(size: int, k: int, s: int, dil: int, padding) -> tuple[int, int]:
    """``lax.conv_transpose``'s crop of the full output, ``(start, end)``, one axis.

    ``"SAME"``/``"VALID"`` are Keras's windows with output_padding None
    (whatever the length); a ``(low, high)`` pair pads the zero-inserted
    input, which crops ``ke - 1 - low`` and ``ke - 1 - high`` (negative:
    zeros added).
    """
    if isinstance(padding, str):
        lo, hi, extra = _keras_transpose_pads(size, k, s, dil, padding.lower(), None)
        return lo, hi - extra
    return swap_padding(k, dil, padding)


def swap_padding(k: int, dil: int, pair) -> tuple[int, int]:
    """``(ke - 1 - a, ke - 1 - b)``: ``lax.conv_transpose``'s padding to the crop, and back.

    Padding the zero-inserted input by ``(low, high)`` crops ``ke - 1 - low``
    and ``ke - 1 - high`` from the full output; the map is its own inverse.
    """
    ke = effective_kernel(k, dil)
    a, b = pair
    return ke - 1 - a, ke - 1 - b
