"""``interpolate``: PyTorch's fixed up- and down-sampling, index for index.

Two halves, kept apart as everywhere in tconv:

* **Geometry** (host code: Python ints and NumPy float arithmetic, no ``xp``):
  the output size, then per spatial axis the source indices and weights of
  every output sample (:func:`axis_taps`). It reproduces PyTorch's CPU index
  arithmetic exactly: float32 rounding for float16/float32 inputs, float64 for
  float64 inputs, the ``floorf`` that rounds a float64 source index to float32
  before flooring it, and the shortcuts of its 2-D nearest kernel
  (docs/rules/interpolate.md). Indices and weights are geometry, not data: they are made
  here and handed to the array library as constants.
* **Array math** (:func:`_resample`, written once against ``xp``): separable,
  one axis at a time, ``sum_t take(x, index_t, axis) * weight_t``. Only
  ``take``, ``*`` and ``+``, so PyTorch autograd gives the exact adjoint.

The PyTorch sources this follows: ``aten/src/ATen/native/UpSample.h``
(``area_pixel_compute_scale``, ``area_pixel_compute_source_index``,
``guard_index_and_lambda``, ``nearest_idx``, ``nearest_exact_idx``) and
``aten/src/ATen/native/cpu/UpSampleKernel.cpp`` (``HelperInterp*``,
``_use_vectorized_kernel_cond_2d``/``_3d``).
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass

import numpy as np
from array_api_compat import device, is_numpy_namespace, is_torch_array

from . import _args, _delegate, _limits
from ._cubic import keys_far, keys_near
from ._xp import as_array, compute_dtype, namespace_of

MODES: tuple[str, ...] = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic",
                          "trilinear")
NEAREST_MODES = ("nearest", "nearest-exact")
# Spatial rank each interpolating mode needs (nearest modes take 1, 2 or 3).
MODE_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
CUBIC_A = -0.75  # Keys' a, as PyTorch (antialias=False) and OpenCV


@dataclass(frozen=True)
class InterpolatePlan:
    """Resolved geometry of one ``interpolate`` call.

    ``scale_factor`` is the per-axis value the caller gave (``None`` when
    ``size`` was given): PyTorch maps output to input with ``1/scale_factor``
    then, not with ``in/out``. ``precision`` is PyTorch's ``opmath`` type of
    the index arithmetic (``"float32"`` for float16/float32 data,
    ``"float64"`` for float64). ``nearest_kernel`` names the PyTorch CPU kernel
    that nearest modes would run: ``"generic"`` (``upsample_generic_Nd``) or
    ``"channels_last"`` (the vectorized kernel, with its own index rules).
    """

    mode: str
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    scale_factor: tuple[float, ...] | None
    align_corners: bool
    precision: str
    nearest_kernel: str

    @property
    def rank(self) -> int:
        return len(self.in_size)


# --------------------------------------------------------------------------- geometry

def output_length(size: int, scale_factor: float) -> int:
    """``floor(n * scale_factor)``, in float64 as PyTorch (``5 * 2.99 -> 14``)."""
    return math.floor(float(size) * scale_factor)


def nearest_kernel(out_size: tuple[int, ...], is_channels_last: bool) -> str:
    """Which PyTorch CPU kernel runs a nearest mode (UpSampleKernel.cpp).

    2-D: the vectorized channels-last kernel when the input is channels-last
    with more than 3 channels, or when ``out_H + out_W <= 128``; 3-D: only in
    the channels-last case; 1-D: never. ``is_channels_last`` already includes
    the channel condition. An NCHW-contiguous array is channels-last only when
    every spatial size is 1, where all rules agree, so for NumPy input only
    the size rule matters.
    """
    rank = len(out_size)
    if rank == 2 and (is_channels_last or out_size[0] + out_size[1] <= 128):
        return "channels_last"
    if rank == 3 and is_channels_last:
        return "channels_last"
    return "generic"


def _float(precision: str):
    return np.float32 if precision == "float32" else np.float64


def mapping_scale(size: int, out: int, scale_factor: float | None, align_corners: bool,
                  precision: str):
    """Source step per output step, rounded as PyTorch's ``area_pixel_compute_scale``.

    ``(n - 1)/(out - 1)`` with align_corners (0 when ``out == 1``), else
    ``1/scale_factor`` when one was given, else ``n/out``; computed in
    ``precision`` (a float32 division, or ``1/scale_factor`` in float64 then
    rounded to float32).
    """
    ftype = _float(precision)
    if align_corners:
        return ftype(size - 1) / ftype(out - 1) if out > 1 else ftype(0.0)
    if scale_factor is not None:
        return ftype(1.0 / scale_factor)
    return ftype(size) / ftype(out)


def source_index(scale, out: int, align_corners: bool, *, clamp: bool) -> np.ndarray:
    """Real source coordinate of every output index (``area_pixel_compute_source_index``).

    ``r * i`` with align_corners, else ``r * (i + 0.5) - 0.5`` (half-pixel
    centres), clamped at 0 unless ``clamp`` is False (bicubic). The product
    and difference are rounded once, as PyTorch's compiled (fused)
    multiply-add does: in float32 the float64 evaluation is exact before that
    single rounding; in float64 :func:`_fused_multiply_add` rounds once.
    """
    i = np.arange(out, dtype=np.float64)
    if align_corners:
        src = (np.float64(scale) * i).astype(type(scale))
    elif isinstance(scale, np.float32):
        src = (np.float64(scale) * (i + 0.5) - 0.5).astype(np.float32)
    else:
        src = _fused_multiply_add(np.float64(scale), i + 0.5, -0.5)
    return np.maximum(src, src.dtype.type(0)) if clamp else src


LINEAR_MODES = ("linear", "bilinear", "trilinear")


def _fused_multiply_add(a, b: np.ndarray, c: float) -> np.ndarray:
    """``a*b + c`` in float64 rounded once, as a fused multiply-add does.

    The product is split exactly (Dekker's two-product), then the parts are
    summed with the error of ``p + c`` carried (two-sum). Only the last bit
    differs from ``a*b + c`` rounded twice, but with inf inputs that bit
    decides between a weight of exactly 0 (inf*0 = NaN) and a tiny one.
    """
    split = 134217729.0  # 2**27 + 1
    a_hi = a * split - (a * split - a)
    a_lo = a - a_hi
    b_hi = b * split - (b * split - b)
    b_lo = b - b_hi
    product = a * b
    error = ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    total = product + c
    virtual = total - product
    sum_error = (product - (total - virtual)) + (c - virtual)
    return total + (sum_error + error)


def _floor_f32(values: np.ndarray) -> np.ndarray:
    """PyTorch's ``floorf``: a float64 value is rounded to float32 before the floor."""
    return np.floor(values.astype(np.float32)).astype(np.int64)


def _nearest_channels_last(mode: str, size: int, out: int,
                           scale_factor: float | None) -> np.ndarray:
    """``nearest_idx`` / ``nearest_exact_idx`` of the vectorized kernel.

    Float32 scale whatever the dtype; ``nearest`` copies when ``out == n``
    and takes ``i // 2`` when ``out == 2n``, whatever ``scale_factor`` says.
    """
    i = np.arange(out)
    if mode == "nearest" and out == size:
        return i
    if mode == "nearest" and out == 2 * size:
        return i // 2
    scale = np.float64(mapping_scale(size, out, scale_factor, False, "float32"))
    # nearest: a float32 product; nearest-exact: (i + 0.5) * scale in float64, then floorf.
    src = scale * i if mode == "nearest" else scale * (i + 0.5)
    return np.minimum(_floor_f32(src), size - 1)


def _nearest_generic(mode: str, size: int, out: int, scale_factor: float | None,
                     precision: str) -> np.ndarray:
    """``HelperInterpNearest`` / ``HelperInterpNearestExact`` (no shortcuts)."""
    scale = mapping_scale(size, out, scale_factor, False, precision)
    if mode == "nearest":
        src = source_index(scale, out, True, clamp=False).astype(np.float64)
    else:
        # floorf(src + 0.5): the sum is exact for a float32 src, rounded for float64.
        src = source_index(scale, out, False, clamp=True).astype(np.float64) + 0.5
    return np.minimum(_floor_f32(src), size - 1)


def _floor_and_fraction(src: np.ndarray, size: int):
    """``guard_index_and_lambda``: ``i0 = min(floorf(src), n-1)``, ``t`` clamped to [0, 1]."""
    index = np.minimum(_floor_f32(src), size - 1)
    fraction = np.clip(src - index.astype(src.dtype), 0, 1).astype(src.dtype)
    return index, fraction


def _linear(size, out, scale_factor, align_corners, precision):
    if out == size:
        # PyTorch maps such an axis onto itself whatever scale_factor says, but
        # still adds a weight-0 copy of each sample: inf and NaN become NaN.
        same = np.arange(out)
        return np.stack([same, same]), np.stack([np.ones(out), np.zeros(out)]).astype(
            _float(precision))
    scale = mapping_scale(size, out, scale_factor, align_corners, precision)
    index0, t = _floor_and_fraction(source_index(scale, out, align_corners, clamp=True), size)
    index1 = index0 + (index0 < size - 1)
    return np.stack([index0, index1]), np.stack([1 - t, t])


def _cubic(size, out, scale_factor, align_corners, precision):
    scale = mapping_scale(size, out, scale_factor, align_corners, precision)
    index, t = _floor_and_fraction(source_index(scale, out, align_corners, clamp=False), size)
    indices = np.stack([np.clip(index + tap, 0, size - 1) for tap in (-1, 0, 1, 2)])
    rest = 1 - t  # PyTorch's order of roundings: (1 - t) + 1, not 2 - t
    weights = np.stack([keys_far(t + 1, CUBIC_A), keys_near(t, CUBIC_A),
                        keys_near(rest, CUBIC_A), keys_far(rest + 1, CUBIC_A)])
    return indices, weights


def axis_taps(plan: InterpolatePlan, axis: int):
    """Source indices and weights along one spatial axis.

    Returns ``(indices, weights)``: ``indices`` is an int64 array of shape
    ``(taps, out)`` and output ``i`` is ``sum_t weights[t, i] * x[indices[t, i]]``;
    ``weights`` is ``None`` for a single tap of weight 1 (nearest modes and
    copied axes), else a float array of ``plan.precision``.
    """
    size, out = plan.in_size[axis], plan.out_size[axis]
    scale_factor = None if plan.scale_factor is None else plan.scale_factor[axis]
    if plan.mode in NEAREST_MODES:
        if plan.nearest_kernel == "channels_last":
            return _nearest_channels_last(plan.mode, size, out, scale_factor)[None], None
        return _nearest_generic(plan.mode, size, out, scale_factor, plan.precision)[None], None
    taps = _cubic if plan.mode == "bicubic" else _linear
    return taps(size, out, scale_factor, plan.align_corners, plan.precision)


# --------------------------------------------------------------------------- array math

def _take(xp, x, index, dim: int):
    """``xp.take(x, index, axis=dim)``, by the fastest exact route for PyTorch.

    PyTorch's ``index_select`` (what ``take`` becomes) is fast on inner axes
    but 5x slower than ``gather`` on the last one, where ``gather`` with a
    broadcast index is fastest (measured on 8x64x56x56 float32, 2 threads:
    14.6 ms against 2.6 ms); both copy values, so the results are identical.
    """
    if is_torch_array(x) and dim == x.ndim - 1:
        shape = list(x.shape)
        shape[dim] = int(index.shape[0])
        return x.gather(dim, index.reshape((1,) * dim + (-1,)).expand(shape))
    return xp.take(x, index, axis=dim)


def _resample(xp, x, plan: InterpolatePlan):
    """Apply :func:`axis_taps` axis by axis.

    Shrinking axes go first (less work after them); among equal ratios the
    last axis goes first, as its gather is the slowest per element (NumPy's
    ``take``, PyTorch's ``gather``) and is cheapest on the smaller array.
    """
    where = device(x)
    order = sorted(range(plan.rank), key=lambda a: (plan.out_size[a] / plan.in_size[a], -a))
    in_place = is_numpy_namespace(xp)
    for axis in order:
        indices, weights = axis_taps(plan, axis)
        dim = axis + 2
        if weights is None and plan.out_size[axis] == plan.in_size[axis] and np.array_equal(
                indices[0], np.arange(plan.in_size[axis])):
            continue
        if plan.mode in LINEAR_MODES and plan.out_size[axis] == plan.in_size[axis]:
            # x*1 + x*0 (see _linear) without the gathers: x, but inf and NaN -> NaN.
            if in_place:
                y = x * 0
                y += x
                x = y
            else:
                x = x + x * 0
            continue
        shape = [1] * x.ndim
        shape[dim] = plan.out_size[axis]
        y = None
        for t, index in enumerate(indices):
            term = _take(xp, x, xp.asarray(index, device=where), dim)
            if weights is not None:
                weight = xp.reshape(xp.asarray(weights[t], dtype=x.dtype, device=where),
                                    tuple(shape))
                if in_place:  # term and y are this function's own new arrays
                    term *= weight
                else:
                    term = term * weight
            if y is None:
                y = term
            elif in_place:
                y += term
            else:
                y = y + term
        x = y
    return x


# --------------------------------------------------------------------------- front door

def _check_rank(op: str, x, mode: str) -> int:
    rank = x.ndim - 2
    if mode in MODE_RANK:
        wanted = MODE_RANK[mode]
        if rank != wanted:
            layout = {1: "(N, C, W)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}[wanted]
            message = (f"{op}: mode={mode!r} needs a {wanted + 2}-D input {layout}; x has "
                       f"shape {tuple(x.shape)} ({x.ndim} dims). x must be batched (an "
                       "unbatched input needs a leading batch axis, x[None])")
            raise ValueError(message)
    elif rank not in (1, 2, 3):
        message = (f"{op}: x has shape {tuple(x.shape)} ({x.ndim} dims); mode={mode!r} needs "
                   "a batched (N, C, *S) input with 1, 2 or 3 spatial axes (3, 4 or 5 dims; "
                   "an unbatched input needs a leading batch axis, x[None])")
        raise ValueError(message)
    _args.nonempty(op, "x", x.shape)
    return rank


def align_corners_flag(op: str, mode: str, align_corners) -> bool:
    if align_corners is None:
        return False
    if not isinstance(align_corners, (bool, np.bool_)):
        message = f"{op}: align_corners={align_corners!r} must be None, True or False"
        raise TypeError(message)
    if mode in NEAREST_MODES:
        message = (f"{op}: align_corners={align_corners!r} is only valid with the "
                   f"interpolating modes {', '.join(map(repr, MODE_RANK))}; leave it None "
                   f"for mode={mode!r}")
        raise ValueError(message)
    return bool(align_corners)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def scale_factors(op: str, value, rank: int) -> tuple[float, ...]:
    """``scale_factor`` as ``rank`` finite positive floats."""
    if _is_number(value):
        values = (value,) * rank
    else:
        values = _args.sequence(value)
        if values is None:
            message = (f"{op}: scale_factor={value!r} must be a number or a sequence of "
                       f"{rank} numbers (one per spatial axis)")
            raise TypeError(message)
        if len(values) != rank:
            message = (f"{op}: scale_factor={value!r} has {len(values)} values; give one "
                       f"number or {rank} (one per spatial axis, rank {rank})")
            raise ValueError(message)
        if not all(_is_number(v) for v in values):
            message = (f"{op}: scale_factor={value!r} must hold numbers (int or float) only, "
                       "one per spatial axis")
            raise TypeError(message)
    values = tuple(float(v) for v in values)
    if not all(math.isfinite(v) and v > 0 for v in values):
        message = f"{op}: scale_factor={value!r} must be finite and positive on every axis"
        raise ValueError(message)
    return values


def exactly_one(op: str, size, scale_factor) -> None:
    """Refuse both or neither of ``size`` and ``scale_factor``."""
    if (size is None) == (scale_factor is None):
        given = "both" if size is not None else "neither"
        message = (f"{op}: give exactly one of size and scale_factor; {given} given "
                   f"(size={size!r}, scale_factor={scale_factor!r})")
        raise ValueError(message)


def output_size(op: str, in_size: tuple[int, ...], size, scale_factor):
    """``(out_size, scale_factors or None)`` from exactly one of ``size``/``scale_factor``."""
    rank = len(in_size)
    exactly_one(op, size, scale_factor)
    if size is not None:
        return _args.positive_ints(op, "size", size, rank), None
    factors = scale_factors(op, scale_factor, rank)
    out = tuple(output_length(n, sf) for n, sf in zip(in_size, factors))
    for axis, (n, sf, m) in enumerate(zip(in_size, factors, out)):
        if m < 1:
            message = (f"{op}: scale_factor={scale_factor!r} gives an empty output on spatial "
                       f"axis {axis}: floor({n} * {sf!r}) = {m}; the output must have at "
                       f"least 1 sample per axis, so that axis needs scale_factor >= 1/{n}")
            raise ValueError(message)
    return out, factors


def _is_channels_last(x) -> bool:
    """A PyTorch tensor in channels-last layout with more than 3 channels.

    PyTorch's CPU nearest kernels then use their vectorized variant, whose
    index rules differ (:func:`nearest_kernel`); other libraries have no layout.
    """
    if not is_torch_array(x) or x.ndim not in (4, 5) or x.shape[1] <= 3:
        return False
    torch = sys.modules["torch"]
    layout = torch.channels_last if x.ndim == 4 else torch.channels_last_3d
    return bool(x.is_contiguous(memory_format=layout))


@_args.keywords
def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Up- or down-sample, identical to ``torch.nn.functional.interpolate``.

    Parameters
    ----------
    x : array_like
        Batched ``(N, C, *S)`` with 1, 2 or 3 spatial axes, as in PyTorch;
        NumPy array, nested list, or any array-API array (PyTorch tensors keep
        autograd). The result has ``x``'s library, device and dtype (float16,
        float32, float64); integers and bools are computed in float64.
    size : int or tuple of ints, optional
        Output spatial size: one int for every axis, or one per axis.
    scale_factor : float or tuple of floats, optional
        Multiplier of the spatial size: ``out = floor(n * scale_factor)``. The
        mapping from output to input then uses ``1 / scale_factor`` itself,
        not ``n / out`` (PyTorch's ``recompute_scale_factor=None``). Give
        exactly one of ``size`` and ``scale_factor``.
    mode : str
        ``"nearest"`` (PyTorch's legacy rule, ``floor(i * r)``),
        ``"nearest-exact"`` (pixel centres, as Pillow and ``scipy.ndimage.zoom``),
        ``"linear"`` (1 spatial axis), ``"bilinear"`` (2), ``"bicubic"`` (2),
        ``"trilinear"`` (3).
    align_corners : bool, optional
        Interpolating modes only: map the corner samples of input and output
        onto each other instead of their pixel areas. ``None`` means False.

    Returns
    -------
    array
        ``(N, C, *S_out)``.

    Raises
    ------
    ValueError
        Unknown mode; a mode that doesn't fit the rank of ``x``; unbatched or
        empty ``x``; both or neither of ``size`` and ``scale_factor``; a wrong
        number of per-axis values; non-positive sizes or scale factors; an
        output with an empty axis; ``align_corners`` with a nearest mode; an
        output over ``tconv.get_max_output_bytes()`` (2 GiB by default, see
        :func:`tconv.set_max_output_bytes`), checked before allocating, on
        PyTorch tensors too.
    TypeError
        Non-numeric ``x``; a float size; a non-numeric scale factor; a
        non-bool ``align_corners``.

    Notes
    -----
    Per spatial axis, with input length ``n``, output length ``out`` and
    output index ``i``, the mapping scale is ``r = 1/scale_factor`` when a
    scale factor is given and ``r = n/out`` otherwise; with
    ``align_corners=True`` it is ``r = (n-1)/(out-1)`` (0 when ``out == 1``).

    * nearest: ``x[min(floor(i*r), n-1)]``.
    * nearest-exact: ``x[min(floor((i + 0.5)*r), n-1)]``.
    * linear, and each axis of bilinear and trilinear:
      ``s = max(r*(i + 0.5) - 0.5, 0)`` (``s = r*i`` with align_corners),
      ``i0 = min(floor(s), n-1)``, ``i1 = min(i0 + 1, n-1)``, ``t = s - i0``,
      ``y = (1 - t)*x[i0] + t*x[i1]``. An axis with ``out == n`` is copied
      unchanged, even when ``scale_factor`` is not 1.
    * bicubic: the same ``s`` but without the clamp at 0; taps
      ``x[i0-1 .. i0+2]`` with indices clamped into ``[0, n-1]`` (border
      replicate) and Keys weights with ``a = -0.75``, so results may
      overshoot the input range.

    As on PyTorch's CPU, ``r`` and ``s`` are float32 for float16/float32
    inputs and float64 for float64 (and integer) inputs, and ``s`` is rounded
    to float32 before the floor. For nearest modes on 2-D inputs with
    ``out_H + out_W <= 128`` (or a channels-last PyTorch tensor with more
    than 3 channels) PyTorch runs another kernel, reproduced here too: float32
    ``r`` whatever the dtype, ``(i + 0.5)*r`` without the ``- 0.5 + 0.5``
    round trip for nearest-exact, and for nearest a copy when ``out == n``
    and ``i // 2`` when ``out == 2n``, whatever ``scale_factor`` says. So the
    same sizes can pick different samples in 1-D, 2-D and 3-D, and in
    float32 and float64 (docs/rules/interpolate.md).

    Examples
    --------
    >>> import tconv
    >>> tconv.interpolate([[[1, 2, 3]]], scale_factor=2)
    array([[[1., 1., 2., 2., 3., 3.]]])
    >>> tconv.interpolate([[[0, 1, 2, 3, 4]]], size=3)
    array([[[0., 1., 3.]]])
    >>> tconv.interpolate([[[0, 1, 2, 3, 4]]], size=3, mode="nearest-exact")
    array([[[0., 2., 4.]]])
    >>> tconv.interpolate([[[0, 4]]], size=4, mode="linear")
    array([[[0., 1., 3., 4.]]])
    >>> tconv.interpolate([[[0, 4]]], size=5, mode="linear", align_corners=True)
    array([[[0., 1., 2., 3., 4.]]])
    >>> tconv.interpolate([[[[0, 4], [8, 12]]]], size=(4, 4), mode="bilinear")
    array([[[[ 0.,  1.,  3.,  4.],
             [ 2.,  3.,  5.,  6.],
             [ 6.,  7.,  9., 10.],
             [ 8.,  9., 11., 12.]]]])
    """
    op = "interpolate"
    _args.choice(op, "mode", mode, MODES)
    xp = namespace_of(x)
    x = as_array(op, "x", x, xp)
    _check_rank(op, x, mode)
    align_corners = align_corners_flag(op, mode, align_corners)
    in_size = tuple(int(n) for n in x.shape[2:])
    out_size, factors = output_size(op, in_size, size, scale_factor)
    name, value = ("size", size) if size is not None else ("scale_factor", scale_factor)
    _limits.check_bytes(op, name, value, (*x.shape[:2], *out_size),
                        _limits.itemsize(x) if xp.isdtype(x.dtype, "real floating") else 8,
                        input_bytes=_limits.nbytes(x))
    is_channels_last = _is_channels_last(x)
    x = xp.astype(x, compute_dtype(xp, x), copy=False)
    plan = InterpolatePlan(
        mode=mode, in_size=in_size, out_size=out_size, scale_factor=factors,
        align_corners=align_corners,
        precision="float64" if x.dtype == xp.float64 else "float32",
        nearest_kernel=nearest_kernel(out_size, is_channels_last))
    native = _delegate.interpolate(x, plan)  # PyTorch's kernel on its tensors
    return _resample(xp, x, plan) if native is None else native
