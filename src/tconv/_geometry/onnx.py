"""ONNX's Conv, ConvTranspose and pooling conventions as integer rules.

Names: ``auto_pad`` (``"NOTSET"``, ``"VALID"``, ``"SAME_UPPER"``,
``"SAME_LOWER"``), ``pads`` (``[b_1..b_d, e_1..e_d]``), ``strides``,
``dilations``, ``group``, ``output_padding``, ``output_shape``
(docs/rules/onnx.md). Plain ints and tuples only: the attributes are read and
checked in :mod:`tconv.onnx` before they reach these rules.
"""

from __future__ import annotations

from .conv import Pads, effective_kernel, full_transpose_length, output_padding_limit
from .pool import pool_length

__all__ = ["AUTO_PADS", "DEFAULTS", "attribute_text", "forward_pads", "half",
           "output_padding_allowed", "output_padding_limit", "pool_lengths", "same_pads",
           "transpose_pads"]

AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")
# Attributes at their defaults are left out of a node's text.
DEFAULTS = {"strides": 1, "dilations": 1, "group": 1, "pads": 0, "output_padding": 0}


def half(total: int) -> int:
    """``total / 2`` rounded toward zero, as onnxruntime's C++ does."""
    return total // 2 if total >= 0 else -(-total // 2)


def same_pads(size: int, k: int, s: int, dil: int, auto_pad: str, *, clamp: bool,
              dilate: bool = True) -> tuple[int, int]:
    """``SAME_*`` pads of Conv and MaxPool: ``ceil(n / s)`` outputs.

    ``total = (out - 1)*s + ke - n``; SAME_UPPER puts the odd unit at the
    end, SAME_LOWER at the start (docs/rules/onnx.md). Conv's text speaks of
    padding only, so a negative total (``ke < s``) is no padding there
    (``clamp``; the reference evaluator and onnxruntime agree: ``x = 1..6``,
    kernel 1, stride 3 gives 1, 4). MaxPool's text gives the unclamped
    formula; onnxruntime and this split a negative total with C truncation,
    ``total/2`` and ``(total + 1)/2``: a negative start pad moves the first
    window in, a negative end pad removes windows, and every window still
    reads the whole input (as onnxruntime's loops do).
    ``dilate=False``: onnxruntime's MaxPool, which counts the undilated
    kernel in ``total``.
    """
    out = -(-size // s)
    total = (out - 1) * s + (effective_kernel(k, dil) if dilate else k) - size
    if clamp:
        total = max(total, 0)
    lo = half(total + 1) if auto_pad == "SAME_LOWER" else half(total)
    return lo, total - lo


def forward_pads(auto_pad: str, explicit: Pads | None, in_size, kernel, stride, dilation, *,
                 clamp: bool, dilate: bool = True) -> Pads:
    """``(before, after)`` per axis of Conv or a pool; ``explicit`` is ``pads`` (NOTSET)."""
    rank = len(in_size)
    if auto_pad == "NOTSET":
        return explicit
    if auto_pad == "VALID":
        return ((0, 0),) * rank
    return tuple(same_pads(n, k, s, d, auto_pad, clamp=clamp, dilate=dilate)
                 for n, k, s, d in zip(in_size, kernel, stride, dilation))


def transpose_pads(who: str, auto_pad: str, explicit: Pads | None, wanted, in_size, kernel,
                   stride, dilation, output_padding, *, ort: bool = False,
                   shown_shape=None) -> tuple[tuple[int, int, int], ...]:
    """Per axis ``(before, after, output_padding)`` of ConvTranspose for the core.

    ``wanted`` is ``output_shape`` (spatial sizes) or ``None``; ``explicit``
    is ``pads`` (NOTSET). With ``total = F - out`` (``F`` counting
    output_padding) negative, the ``-total`` extra positions are zeros at
    the end of the axis (the spec's ``total/2`` read with C truncation): no
    cropping, and the core's output_padding appends them. ``ort``:
    onnxruntime returns the full output ``F`` there for ``SAME_*`` (shorter
    than ``n*s``). ``who`` prefixes the error message.
    """
    rank = len(in_size)
    given = wanted is not None
    if not given:
        if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
            pairs = explicit if auto_pad == "NOTSET" else ((0, 0),) * rank
            return tuple((lo, hi, p) for (lo, hi), p in zip(pairs, output_padding))
        wanted = tuple(n * s for n, s in zip(in_size, stride))
    result = []
    axes = zip(in_size, kernel, stride, dilation, output_padding, wanted)
    for n, k, s, dil, p, out in axes:
        full = full_transpose_length(n, k, s, dil)
        total = full + p - out
        if total >= 0:
            lo = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            result.append((lo, total - lo, p))
            continue
        extra = out - full
        if ort and not given:
            result.append((0, 0, p))
            continue
        if extra >= max(s, dil):
            message = (f"{who}: output_shape={list(wanted)!r} cannot be reached: at most "
                       f"{full + max(s, dil) - 1} on an axis with input size {n}, kernel "
                       f"{k}, strides {s}, dilations {dil} (full output {full})")
            raise ValueError(message)
        result.append((0, 0, extra))
    return tuple(result)


def pool_lengths(sizes, kernel, stride, padding, dilation, ceil_mode: bool, ort: bool):
    """Output lengths of MaxPool, ``None`` on an axis that would have none.

    ``floor_or_ceil((n + pb + pe - ke) / s) + 1``, then with ceil_mode a
    window that would start in the end padding is dropped. The span may be
    negative (padding holds the window): the spec's floor and ceil, and
    onnxruntime's C truncation without ceil_mode (a span of -1 still gives
    one window there, ``ort``).
    """
    outs = []
    for n, k, s, (lo, hi), d in zip(sizes, kernel, stride, padding, dilation):
        span = n + lo + hi - effective_kernel(k, d)
        if ort and not ceil_mode and span < 0:
            out = -(-span // s) + 1  # C truncation toward zero
        else:  # PyTorch's rule, as the spec's floor (or ceil, dropping a start in the end pad)
            out = pool_length(n, k, s, d, lo, hi, ceil_mode)
        outs.append(out if out >= 1 else None)
    return outs


def output_padding_allowed(output_padding, stride) -> bool:
    """onnxruntime's (and the reference's) rule: ``0 <= output_padding < strides``.

    The specification's own bound is PyTorch's ``max(strides, dilations)``
    (:func:`output_padding_limit`).
    """
    return all(0 <= p < s for p, s in zip(output_padding, stride))


def attribute_text(params: dict, rank: int, keep=()) -> list[str]:
    """``name=value`` of a node's attributes, defaults left out (except ``keep``).

    Values are lists as ONNX writes them (``pads`` holds ``2*rank`` values).
    """
    parts = []
    for name, value in params.items():
        scalar = DEFAULTS.get(name)
        default = None if scalar is None else (
            scalar if name == "group" else [scalar] * (2 * rank if name == "pads" else rank))
        if name in keep or value != default:
            parts.append(f"{name}={value!r}")
    return parts
