"""Transposed convolution <-> sub-pixel convolution (stride-1 conv + pixel shuffle).

Along an axis with stride ``s`` the full output of a transposed convolution
splits into ``s`` interleaved phases, and phase ``r`` only ever meets the taps
``t`` with ``t*dilation = r + s*u``: a stride-1 correlation with that
sub-kernel (:func:`tconv._geometry.phases`, which the ``"phase"`` algorithm
runs one multiply at a time). Stacking the ``s^d`` sub-kernels as output
channels gives ONE stride-1 convolution with ``C_out * s^d`` channels and
kernel ``ceil((dilation*(k-1) + 1) / s)`` per axis; pixel shuffle interleaves the
phases back, and a crop removes the transposed convolution's padding::

    k=4, s=2   full output  F0 F1 F2 F3 F4 F5 ...
               phase r=0    F0    F2    F4       <- taps 0, 2
               phase r=1       F1    F3    F5    <- taps 1, 3

With the input zero-padded by ``K - 1`` on each side, the shuffled result is
the full output followed by zeros; the padding of the transposed convolution
is then a crop (``before`` at the start), and whole blocks of ``s`` cropped
samples are instead taken off the convolution's padding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import device

from . import _args, _geometry, _limits
from ._args import check_weight_rank
from ._conv import conv, conv_transpose
from ._xp import as_array, compute_dtype, namespace_of, pad_or_crop

Pads = _geometry.Pads


def _shuffle(xp, y, factors: tuple[int, ...]):
    """Pixel shuffle over the last ``len(factors)`` axes, factor per axis.

    ``(*, C*prod(f), *S) -> (*, C, S_1*f_1, ...)``: output channel ``c`` at
    ``(S_i*f_i + r_i)`` is input channel ``c*prod(f) + flat(r)`` (row-major
    over the phases), which for two equal factors is :func:`tconv.pixel_shuffle`.
    """
    rank = len(factors)
    lead = y.ndim - rank - 1
    *head, channels = y.shape[:lead + 1]
    sizes = y.shape[lead + 1:]
    y = xp.reshape(y, (*head, channels // math.prod(factors), *factors, *sizes))
    axes = [a for i in range(rank) for a in (lead + 1 + rank + i, lead + 1 + i)]
    y = xp.permute_dims(y, (*range(lead + 1), *axes))
    return xp.reshape(y, (*head, channels // math.prod(factors),
                          *(n * f for n, f in zip(sizes, factors))))


def _add_bias(op: str, xp, y, bias, rank: int):
    if bias is None:
        return y
    bias = as_array(op, "bias", bias, xp, like=y)
    channels = y.shape[-rank - 1]
    if tuple(bias.shape) != (channels,):
        message = (f"{op}: bias has shape {tuple(bias.shape)}; it must be ({channels},), one "
                   "value per output channel")
        raise ValueError(message)
    bias = xp.astype(bias, compute_dtype(xp, y, bias), copy=False)
    return xp.astype(y, bias.dtype, copy=False) + xp.reshape(bias, (-1,) + (1,) * rank)


@dataclass(frozen=True, eq=False)
class SubpixelConv:
    """A transposed convolution as ``conv -> pixel shuffle -> crop``.

    Returned by :func:`subpixel_from_transposed`; :meth:`apply` runs it.

    Attributes
    ----------
    weight : array
        ``(C_out * prod(upscale_factor), C_in/groups, *K)``: the stacked
        per-phase sub-kernels, in the conv layout of :func:`tconv.conv`.
    padding : tuple of (before, after) pairs
        Zero padding of the stride-1 convolution.
    upscale_factor : tuple of int
        Pixel-shuffle factor per axis (the stride).
    crop : tuple of (before, after) pairs
        Samples removed from each end of each axis after the shuffle.
    groups : int
        Channel groups of the convolution.
    """

    weight: Any
    padding: Pads
    upscale_factor: tuple[int, ...]
    crop: Pads
    groups: int

    def apply(self, x, bias=None):
        """``crop(shuffle(tconv.conv(x, weight, padding, groups))) + bias``.

        ``x`` is ``(N, C_in, *S)`` or unbatched ``(C_in, *S)``, of any array
        library tconv accepts (PyTorch autograd flows through). ``bias`` is
        the transposed convolution's ``(C_out,)`` bias. Raises ValueError when
        the input is too small for the crop to leave an output.
        """
        op = "SubpixelConv.apply"
        y = conv(x, self.weight, padding=self.padding, groups=self.groups)
        xp, rank = namespace_of(y), len(self.upscale_factor)
        y = _shuffle(xp, y, self.upscale_factor)
        sizes = tuple(y.shape[-rank:])
        if any(n - lo - hi < 1 for n, (lo, hi) in zip(sizes, self.crop)):
            message = (f"{op}: x is too small: its shuffled spatial size {sizes} minus "
                       f"crop={self.crop} leaves an empty axis (the transposed convolution "
                       "has no output for this input either)")
            raise ValueError(message)
        y = pad_or_crop(xp, y, tuple((-lo, -hi) for lo, hi in self.crop))
        return _add_bias(op, xp, y, bias, rank)

    def to_transposed(self, kernel_size=None) -> TransposedConv:
        """:func:`transposed_from_subpixel` of this record."""
        return transposed_from_subpixel(self.weight, self.upscale_factor,
                                        padding=self.padding, crop=self.crop,
                                        groups=self.groups, kernel_size=kernel_size)


@dataclass(frozen=True, eq=False)
class TransposedConv:
    """A transposed convolution's weight and geometry, from :func:`transposed_from_subpixel`.

    Attributes
    ----------
    weight : array
        ``(C_in, C_out/groups, *k)``, PyTorch's transposed layout.
    stride, output_padding : tuple of int
    padding : tuple of (before, after) pairs
    groups : int
    """

    weight: Any
    stride: tuple[int, ...]
    padding: Pads
    output_padding: tuple[int, ...]
    groups: int

    def apply(self, x, bias=None, *, algorithm: str = "auto"):
        """:func:`tconv.conv_transpose` with this record's weight and geometry."""
        return conv_transpose(x, self.weight, bias, stride=self.stride, padding=self.padding,
                              output_padding=self.output_padding, groups=self.groups,
                              algorithm=algorithm)


def _weight(op: str, weight, groups, *, transposed: bool):
    """``(xp, weight as a floating array, rank, groups)``; groups divides the channels."""
    xp = namespace_of(weight)
    weight = as_array(op, "weight", weight, xp)
    weight = xp.astype(weight, compute_dtype(xp, weight), copy=False)
    rank = check_weight_rank(op, weight, transposed=transposed)
    _args.nonempty(op, "weight", weight.shape)
    groups = _args.positive_int(op, "groups", groups)
    if weight.shape[0] % groups:
        message = (f"{op}: groups={groups} does not divide weight.shape[0]="
                   f"{weight.shape[0]} (weight shape {tuple(weight.shape)})")
        raise ValueError(message)
    return xp, weight, rank, groups


def _tap_index(axis: tuple[_geometry.AxisPhase, ...], s: int, big_k: int, k: int) -> np.ndarray:
    """Per axis, which tap of the transposed kernel fills sub-kernel slot ``(r, a)``.

    Flat index ``r*K + a``; ``k`` (one past the last tap: a zero slot) where
    no tap lands. Phase ``r`` meets input ``m - u`` with tap ``t`` where
    ``shift = -u``; as a correlation over an input padded by ``K - 1`` that
    is slot ``a = K - 1 - u``.
    """
    index = np.full(s * big_k, k, dtype=np.int64)
    for phase in axis:
        for t, shift in phase.taps:
            index[phase.start * big_k + big_k - 1 + shift] = t
    return index


@_args.keywords
def subpixel_from_transposed(weight, stride, *, padding=0, output_padding=0, dilation=1,
                             groups=1) -> SubpixelConv:
    """Rewrite a transposed convolution as one stride-1 convolution plus pixel shuffle.

    ``conv_transpose(x, weight, stride=s, padding=..., output_padding=...,
    dilation=..., groups=...)`` equals ``SubpixelConv.apply(x)`` for every
    input: a convolution with ``C_out * prod(s)`` output channels and kernel
    ``K = ceil((dilation*(k-1)+1) / s)`` per axis, then pixel shuffle by
    ``s`` (per axis), then a crop.

    Parameters
    ----------
    weight : array_like
        ``(C_in, C_out/groups, *k)``, PyTorch's transposed layout, with 1, 2
        or 3 kernel axes. NumPy, PyTorch (autograd flows into the result) or
        any array-API array; lists become NumPy.
    stride : int or tuple of d ints
        The transposed convolution's stride: the pixel-shuffle factor.
    padding, output_padding, dilation, groups
        As in :func:`tconv.conv_transpose` (any padding form, including
        ``"same"``; ``output_size`` is not a parameter since the result is
        for every input size: give the output_padding it implies).

    Returns
    -------
    SubpixelConv
        ``weight`` ``(C_out*prod(s), C_in/groups, *K)``, conv ``padding``,
        ``upscale_factor``, ``crop``, ``groups``, and ``.apply(x, bias=None)``.

    Raises
    ------
    ValueError
        A weight without 1-3 kernel axes, groups not dividing its channels,
        non-positive stride or dilation, negative padding, output_padding not
        below ``max(stride, dilation)``.
    TypeError
        Non-numeric weight, a float/bool/str where ints belong.

    Notes
    -----
    Full output sample ``q = s*m + r`` is ``sum_u x[m - u] * w[t]`` over the
    taps with ``t*dilation = r + s*u`` (:func:`tconv._geometry.phases`), so
    phase ``r``'s sub-kernel, correlated with ``x`` padded by ``K - 1``,
    holds ``w[t]`` at ``K - 1 - u``. Slots that no tap fills (dilation > 1,
    or a kernel span not a multiple of ``s``) are zeros. The crop is the transposed
    padding (``before`` at the start), shortened by whole ``s``-blocks that
    the convolution's padding leaves out instead.

    Examples
    --------
    >>> import tconv
    >>> sub = tconv.subpixel_from_transposed([[[1, 10, 100]]], 2, padding=1,
    ...                                      output_padding=1)
    >>> sub.weight                      # phase 0: taps 2, 0; phase 1: tap 1
    array([[[100.,   1.]],
    <BLANKLINE>
           [[  0.,  10.]]])
    >>> sub.padding, sub.upscale_factor, sub.crop
    (((1, 1),), (2,), ((1, 1),))
    >>> sub.apply([[1, 2, 3]])
    array([[ 10., 102.,  20., 203.,  30., 300.]])
    >>> tconv.conv_transpose([[1, 2, 3]], [[[1, 10, 100]]], stride=2, padding=1,
    ...                      output_padding=1)
    array([[ 10., 102.,  20., 203.,  30., 300.]])
    """
    op = "subpixel_from_transposed"
    xp, weight, rank, groups = _weight(op, weight, groups, transposed=True)
    kernel = tuple(int(k) for k in weight.shape[2:])
    stride = _args.positive_ints(op, "stride", stride, rank)
    dilation = _args.positive_ints(op, "dilation", dilation, rank)
    pads, _ = _geometry.resolve_padding(op, padding, (1,) * rank, kernel, stride, dilation,
                                        transposed=True)
    # The decomposition holds for every input size; validate (and resolve "same"
    # and output_padding) on an input long enough for any padding and all phases.
    size = max(2, *((lo + hi) // s + 2 for (lo, hi), s in zip(pads, stride)))
    plan = _geometry.resolve_conv_transpose(
        (size,) * rank, kernel, stride=stride, padding=padding, output_padding=output_padding,
        dilation=dilation, groups=groups, in_channels=weight.shape[0],
        out_channels=weight.shape[1] * groups, op_name=op)
    # Phases of the uncropped output (padding 0): phase r starts at full sample r.
    full = _geometry.resolve_conv_transpose((size,) * rank, kernel, stride=stride,
                                            dilation=dilation, op_name=op)
    big = tuple(_geometry.subpixel_kernel_length(ke, s)
                for ke, s in zip(plan.effective_kernel, stride))
    shape = (plan.out_channels * math.prod(stride), plan.in_channels // groups, *big)
    if _limits.exceeds(shape, _limits.itemsize(weight)):
        name, value = (("stride", stride) if math.prod(stride) >= math.prod(big)
                       or max(dilation) == 1 else ("dilation", dilation))
        _limits.check_bytes(op, name, value, shape, _limits.itemsize(weight),
                            what="a sub-pixel weight")
    w = pad_or_crop(xp, weight, ((0, 1),) * rank)  # one zero slot past the last tap
    for axis, (phase_axis, s, big_k, k) in enumerate(zip(_geometry.phases(full), stride, big,
                                                         kernel)):
        index = xp.asarray(_tap_index(phase_axis, s, big_k, k), device=device(w))
        w = xp.take(w, index, axis=2 + axis)
    c_in, c_out = plan.in_channels, plan.out_channels
    ci, co = c_in // groups, c_out // groups
    # (G, ci, co, s1, K1, s2, K2, ...) -> (G, co, s1, s2, ..., ci, K1, K2, ...)
    w = xp.reshape(w, (groups, ci, co, *(v for pair in zip(stride, big) for v in pair)))
    w = xp.permute_dims(w, (0, 2, *(3 + 2 * i for i in range(rank)), 1,
                            *(4 + 2 * i for i in range(rank))))
    w = xp.reshape(w, (c_out * math.prod(stride), ci, *big))
    conv_pads, crop = zip(*(_geometry.subpixel_pads(lo, hi, p, s, ke, big_k)
                            for (lo, hi), p, s, ke, big_k in
                            zip(plan.pads, plan.output_padding, stride, plan.effective_kernel,
                                big)))
    return SubpixelConv(w, tuple(conv_pads), stride, tuple(crop), groups)


def _crop(op: str, crop, rank: int) -> Pads:
    """``crop`` as ``rank`` non-negative ``(before, after)`` pairs (no strings)."""
    items = _args.sequence(crop)
    if items is not None and items and all(_args.sequence(v) is not None for v in items):
        if len(items) != rank or any(len(v) != 2 for v in items):
            message = (f"{op}: crop={crop!r} must hold {rank} (before, after) pairs, one "
                       "per spatial axis")
            raise ValueError(message)
        flat = _args.nonnegative_ints(op, "crop", [v for pair in items for v in pair],
                                      2 * rank)
        return tuple(zip(flat[::2], flat[1::2]))
    if isinstance(crop, str):
        message = (f"{op}: crop={crop!r} must be an int, {rank} ints or {rank} (before, "
                   "after) pairs")
        raise TypeError(message)
    return tuple((v, v) for v in _args.nonnegative_ints(op, "crop", crop, rank))


@_args.keywords
def transposed_from_subpixel(weight, upscale_factor, *, padding=0, crop=0, groups=1,
                             kernel_size=None) -> TransposedConv:
    """The transposed convolution equal to ``conv -> pixel shuffle -> crop``, where one exists.

    The inverse of :func:`subpixel_from_transposed`: phase ``r``'s sub-kernel
    ``v_r`` becomes taps ``r, r + s, r + 2s, ...`` of one stride-``s``
    kernel of length ``s*K`` (``w[r + s*u] = v_r[K - 1 - u]``), with dilation 1.

    Parameters
    ----------
    weight : array_like
        ``(C_out * prod(s), C_in/groups, *K)``: the convolution's weight, whose
        output channel ``c*prod(s) + flat(r)`` is phase ``r`` of channel ``c``
        (pixel-shuffle order).
    upscale_factor : int or tuple of d ints
        Pixel-shuffle factor ``s`` per axis: the stride of the result.
    padding : int, tuple of d ints, tuple of d pairs, or str
        Padding of the stride-1 convolution (``"same"`` and ``"valid"`` too).
    crop : int, tuple of d ints, or tuple of d (before, after) pairs
        Samples removed from each end after the shuffle.
    groups : int
        Channel groups of the convolution.
    kernel_size : int or tuple of d ints, optional
        Keep only the first ``kernel_size`` taps (each in ``s*(K-1)+1 ..
        s*K``); the dropped ones must be zero. Default ``s*K``.

    Returns
    -------
    TransposedConv
        ``weight`` ``(C_in, C_out/groups, *k)``, ``stride``, ``padding``
        (pairs), ``output_padding``, ``groups``, and ``.apply(x, bias=None)``.

    Raises
    ------
    ValueError
        No transposed convolution is equal: convolution padding ``before >
        K - 1 + crop_before / s`` (the result would start with zeros), or
        more trailing zeros than an output_padding below ``s`` appends; a
        channel count that ``prod(s)`` or ``groups`` does not divide; a
        ``kernel_size`` out of range or dropping non-zero taps; bad values
        as elsewhere.
    TypeError
        Non-numeric weight, a float/bool where ints belong, a string crop.

    Notes
    -----
    Per axis, with conv padding ``(pl, pr)`` and crop ``(cl, cr)``: the
    transposed padding is ``before = cl + s*(K-1-pl)`` and ``after - op =
    s*(K-1-pr) + cr - (s*K - k)``; a negative right side becomes
    ``output_padding``.

    Examples
    --------
    >>> import tconv
    >>> back = tconv.transposed_from_subpixel([[[100, 1]], [[0, 10]]], 2, padding=1,
    ...                                       crop=1, kernel_size=3)
    >>> back.weight, back.stride, back.padding, back.output_padding
    (array([[[  1.,  10., 100.]]]), (2,), ((1, 0),), (0,))
    >>> back.apply([[1, 2, 3]])
    array([[ 10., 102.,  20., 203.,  30., 300.]])
    """
    op = "transposed_from_subpixel"
    xp, weight, rank, groups = _weight(op, weight, groups, transposed=False)
    big = tuple(int(k) for k in weight.shape[2:])
    factors = _args.positive_ints(op, "upscale_factor", upscale_factor, rank)
    phase_count = math.prod(factors)
    if weight.shape[0] % (phase_count * groups):
        message = (f"{op}: weight.shape[0]={weight.shape[0]} must be divisible by "
                   f"prod(upscale_factor) * groups = {phase_count} * {groups} "
                   f"(upscale_factor={factors}, weight shape {tuple(weight.shape)})")
        raise ValueError(message)
    pads, _ = _geometry.resolve_padding(op, padding, (1,) * rank, big, (1,) * rank,
                                        (1,) * rank, transposed=False)
    crop_form = _crop(op, crop, rank)
    full = tuple(s * k for s, k in zip(factors, big))
    kernel = full if kernel_size is None else _args.positive_ints(op, "kernel_size",
                                                                  kernel_size, rank)
    if any(not s * (k_big - 1) < k <= s * k_big for s, k_big, k in zip(factors, big, kernel)):
        ranges = ", ".join(f"{s * (k_big - 1) + 1}..{s * k_big}" for s, k_big in
                           zip(factors, big))
        message = (f"{op}: kernel_size={kernel_size!r} is out of range; with sub-kernel "
                   f"{big} and upscale_factor={factors} each axis allows {ranges}")
        raise ValueError(message)
    new_pads, output_padding = [], []
    for axis, ((pl, pr), (cl, cr), s, k_big, k) in enumerate(zip(pads, crop_form, factors,
                                                                  big, kernel)):
        lo = cl + s * (k_big - 1 - pl)
        tail = s * (k_big - 1 - pr) + cr - (s * k_big - k)
        if lo < 0 or -tail >= s:
            why = ("the result would start with zeros that no transposed convolution "
                   f"writes (padding before {pl} > K - 1 + crop before / s = "
                   f"{k_big - 1} + {cl}/{s})" if lo < 0 else
                   f"it would end with {-tail} zeros, more than output_padding < {s} appends")
            message = (f"{op}: no transposed convolution equals this sub-pixel convolution "
                       f"on axis {axis} (padding={padding!r}, crop={crop!r}): {why}")
            raise ValueError(message)
        new_pads.append((lo, max(tail, 0)))
        output_padding.append(max(-tail, 0))
    c_out, ci = weight.shape[0] // phase_count, weight.shape[1]
    co = c_out // groups
    # (G, co, s1..sd, ci, K1..Kd), K flipped -> (G, ci, co, K1, s1, K2, s2, ...)
    w = xp.reshape(weight, (groups, co, *factors, ci, *big))
    w = xp.flip(w, axis=tuple(range(3 + rank, 3 + 2 * rank)))
    w = xp.permute_dims(w, (0, 2 + rank, 1, *(v for i in range(rank) for v in
                                              (3 + rank + i, 2 + i))))
    w = xp.reshape(w, (groups * ci, co, *full))
    if kernel != full:
        for axis, k in enumerate(kernel):
            tail_taps = w[(slice(None), slice(None), *(slice(None),) * axis, slice(k, None))]
            if bool(xp.any(tail_taps != 0)):
                message = (f"{op}: kernel_size={kernel_size!r} would drop non-zero taps; "
                           f"taps {k}.. of axis {axis} (of the full kernel {full}) must be "
                           "zero")
                raise ValueError(message)
        w = pad_or_crop(xp, w, tuple((0, k - f) for k, f in zip(kernel, full)))
    return TransposedConv(w, factors, tuple(new_pads), tuple(output_padding), groups)
