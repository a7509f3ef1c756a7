"""The separable engine behind ``tconv.onnx.resize`` (ONNX ``Resize``, opset 19).

Every ONNX mode is separable: the output is the input resized along one axis
after another. Per axis the work is two small tables computed from the
formulas of docs/rules/onnx.md, then one gather and a weighted sum::

    output index i --coordinate mode--> source coordinate xs(i)
                   --kernel-----------> taps  j(i, 0..T-1)   (indices into the input)
                                        weights w(i, 0..T-1) (float64)
    y[.., i, ..] = sum_t w(i, t) * x[.., j(i, t), ..]

Nearest has one tap of weight 1 (a plain gather: values are copied, dtype and
all); linear has 2 taps, cubic 4, and antialiasing (downscaling only)
stretches the kernel by ``1/scale`` so that ``ceil(2 * radius / scale)`` taps
are read. Taps outside the input repeat the edge (their index is clamped),
or, with ``exclude_outside``, get weight 0 and the rest are renormalised.

Two arithmetics, chosen by ``Kernel.runtime``:

* ``"spec"``: the specification's formulas in float64, in the order its
  reference implementation evaluates them (``scale`` is the float32 value
  given, or ``out/in`` for ``sizes``; ``output_width = scale * in`` is a
  float, so ``align_corners`` and ``half_pixel_symmetric`` with ``scales``
  use the fractional length; output lengths ``floor(in * scale)`` in
  float64). Exact ties of the nearest modes therefore fall where the
  reference puts them.
* ``"onnxruntime"``: onnxruntime's CPU kernel: float32 throughout, integer
  output length in every formula, output lengths ``floor(in * scale)`` in
  float32, its rounding of the nearest modes.

Weights are float64 in both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._cubic import keys

MODES = ("nearest", "linear", "cubic")
COORDINATE_MODES = ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                    "align_corners", "asymmetric", "tf_crop_and_resize")
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
ASPECT_POLICIES = ("stretch", "not_larger", "not_smaller")


@dataclass(frozen=True)
class AxisPlan:
    """How one axis is resized: sizes, the mapping scale and the roi range."""

    axis: int
    in_size: int
    out_size: int
    scale: float  # the mapping scale: float32 from scales or the policy, else out/in
    roi: tuple[float, float] = (0.0, 1.0)
    ratio: bool = False  # True: the scale is out_size / in_size (sizes given)
    width: float | None = None  # the spec's output_width; None: scale * in_size
    from_sizes: bool = False  # the output length was given (sizes), not a scale


def output_width(plan: AxisPlan) -> float:
    """The spec's ``output_width``: ``scale * in`` (fractional with ``scales``)."""
    return plan.scale * plan.in_size if plan.width is None else plan.width


@dataclass(frozen=True)
class Kernel:
    """The attributes that choose the taps and weights (shared by every axis)."""

    mode: str
    coordinate_mode: str
    nearest_mode: str = "round_prefer_floor"
    cubic_coeff_a: float = -0.75
    exclude_outside: bool = False
    antialias: bool = False
    runtime: str = "spec"  # or "onnxruntime": its float32 arithmetic


# ------------------------------------------------------------------- output sizes


def size_from_scale(in_size: int, scale: float, runtime: str = "spec") -> int:
    """``floor(in * scale)``: float64 by the spec, float32 in onnxruntime.

    ``in=10``, scale 0.7 (float32 0.69999999): spec 6, onnxruntime 7.
    """
    if runtime == "onnxruntime":
        return int(np.floor(np.float32(in_size) * np.float32(scale)))
    return math.floor(float(np.float32(scale)) * in_size)


def aspect_scale(in_sizes, sizes, policy: str, runtime: str = "spec") -> float:
    """``not_larger``/``not_smaller``: one scale, the min or max of ``sizes/in``."""
    if runtime == "onnxruntime":
        ratios = [np.float32(s) / np.float32(n) for n, s in zip(in_sizes, sizes)]
    else:
        ratios = [s / n for n, s in zip(in_sizes, sizes)]
    return float(min(ratios) if policy == "not_larger" else max(ratios))


def size_from_aspect(in_size: int, scale: float, runtime: str = "spec") -> int:
    """``round_int(scale * in)`` (half rounds up): the kept-aspect size."""
    if runtime == "onnxruntime":
        return int(np.floor(np.float32(scale) * np.float32(in_size) + np.float32(0.5)))
    return math.floor(scale * in_size + 0.5)


# ---------------------------------------------------------------- coordinates


def source_coordinates(plan: AxisPlan, coordinate_mode: str,
                       runtime: str = "spec") -> np.ndarray:
    """``xs(i)`` for every output index ``i`` (docs/rules/onnx.md), float64 values.

    ``runtime="spec"``: the spec's formulas in float64 with the fractional
    ``output_width``; ``"onnxruntime"``: float32, the integer output length.
    """
    if runtime == "onnxruntime":
        return _coordinates_ort(plan, coordinate_mode).astype(np.float64)
    if runtime == "onnxruntime-exact":
        return _coordinates_exact(plan, coordinate_mode)
    y = np.arange(plan.out_size, dtype=np.float64)
    n, m, scale = plan.in_size, plan.out_size, float(plan.scale)
    width = output_width(plan)
    # length_resized == 1: the given size 1, or a scale giving a width of 1
    single = m == 1 and (plan.from_sizes or plan.ratio or width <= 1)
    if coordinate_mode == "align_corners":
        return np.zeros(m) if single else y * (n - 1) / (width - 1)
    if coordinate_mode == "tf_crop_and_resize":
        # roi is a float32 tensor: its difference and start*(in-1) are float32
        start, end = np.float32(plan.roi[0]), np.float32(plan.roi[1])
        first = float(start * np.float32(n - 1))
        if single:
            return np.full(1, float((end - start) * np.float32(n - 1)) / 2 + first)
        return y * float(end - start) * (n - 1) / (width - 1) + first
    if coordinate_mode == "asymmetric":
        return y / scale
    if coordinate_mode == "pytorch_half_pixel" and single:
        return np.zeros(1)  # the spec's 0 (the reference evaluator says -0.5)
    if coordinate_mode == "half_pixel_symmetric":
        offset = n / 2 * (1 - m / width)
        return offset + (y + 0.5) / scale - 0.5
    return (y + 0.5) / scale - 0.5


def _coordinates_exact(plan: AxisPlan, coordinate_mode: str) -> np.ndarray:
    """onnxruntime's formulas (integer output length) in float64, exact ratios.

    For its linear and cubic kernels, whose float32 rounding moves results by
    an ulp either way: near-real coordinates reproduce its integer results
    (truncated toward zero) where float32 ones land a step below an integer.
    """
    x = np.arange(plan.out_size, dtype=np.float64)
    n, m = plan.in_size, plan.out_size
    if coordinate_mode == "align_corners":
        return x * (n - 1) / (m - 1) if m > 1 else np.zeros(1)
    if coordinate_mode == "tf_crop_and_resize":
        start, end = plan.roi
        if m == 1:
            return np.full(1, (start + end) / 2 * (n - 1))
        return start * (n - 1) + x * (end - start) * (n - 1) / (m - 1)
    if coordinate_mode == "pytorch_half_pixel" and m == 1:
        return np.zeros(1)
    if coordinate_mode == "asymmetric":
        return x * n / m if plan.ratio else x / plan.scale
    if plan.ratio:  # half_pixel family with s = out/in: symmetric adds 0
        return ((2 * x + 1) * n - m) / (2 * m)
    xs = (x + 0.5) / plan.scale - 0.5
    if coordinate_mode == "half_pixel_symmetric":
        xs += n / 2 * (1 - m / (plan.scale * n))
    return xs


def _coordinates_ort(plan: AxisPlan, coordinate_mode: str) -> np.ndarray:
    """onnxruntime's source coordinates: float32, in its order of operations."""
    f = np.float32
    y = np.arange(plan.out_size, dtype=f)
    n, m, scale = f(plan.in_size), f(plan.out_size), f(plan.scale)
    one, half = f(1), f(0.5)
    if coordinate_mode == "align_corners":
        return np.zeros(plan.out_size, f) if plan.out_size == 1 else y * (n - one) / (m - one)
    if coordinate_mode == "tf_crop_and_resize":
        start, end = f(plan.roi[0]), f(plan.roi[1])
        if plan.out_size == 1:
            return np.full(1, f(half * (start + end) * (n - one)), f)
        return start * (n - one) + (y * (end - start) * (n - one)) / (m - one)
    if coordinate_mode == "asymmetric":
        return y / scale
    if coordinate_mode == "pytorch_half_pixel" and plan.out_size == 1:
        return np.zeros(1, f)
    if coordinate_mode == "half_pixel_symmetric":
        adjustment = m / (scale * n)
        offset = n / f(2) * (one - adjustment)
        return offset + (y + half) / scale - half
    return (y + half) / scale - half


def _nearest(xs: np.ndarray, nearest_mode: str, runtime: str = "spec") -> np.ndarray:
    """The nearest input index of each coordinate (before clamping)."""
    if runtime == "spec":
        index = _nearest_spec(xs, nearest_mode)
    elif nearest_mode == "floor":
        index = np.floor(xs)
    elif nearest_mode == "ceil":
        index = np.ceil(xs)
    else:  # std::round: halves away from zero
        away = np.sign(xs) * np.floor(np.abs(xs) + 0.5)
        if nearest_mode == "round_prefer_ceil":
            index = away
        else:  # x == int(x) + 0.5 goes down
            index = np.where(xs == np.trunc(xs) + 0.5, np.floor(xs), away)
    return index.astype(np.int64)


def _nearest_spec(xs: np.ndarray, nearest_mode: str) -> np.ndarray:
    """The spec's nearest pixel as its reference implementation picks it.

    The two neighbours are found at ``x + 1`` (the edge padding), so a
    coordinate a rounding step above an integer ``k`` (``1.0000000000000002``)
    still has neighbours ``k - 1, k``; an exact integer is itself; otherwise
    ``nearest_mode`` chooses by the fraction ``x - floor(x)`` (``.5`` goes
    down for round_prefer_floor, up for round_prefer_ceil).
    """
    shifted = xs + 1.0
    base = np.floor(shifted)
    left = np.where(shifted == base, base - 2, base - 1)
    fraction = xs - np.floor(xs)
    if nearest_mode == "round_prefer_floor":
        right = fraction > 0.5
    elif nearest_mode == "round_prefer_ceil":
        right = fraction >= 0.5
    else:
        right = np.full(xs.shape, nearest_mode == "ceil")
    right = right | (xs == np.floor(xs))
    return left + right


def _triangle(t: np.ndarray) -> np.ndarray:
    return np.maximum(1.0 - np.abs(t), 0.0)


def axis_table(plan: AxisPlan, kernel: Kernel):
    """``(taps, weights, outside)`` for one axis.

    ``taps`` is ``(out, T)`` int64 indices into the input (already clamped),
    ``weights`` ``(out, T)`` float64 (``None`` for nearest: one tap, copied),
    ``outside`` a boolean ``(out,)`` marking the outputs that
    ``tf_crop_and_resize`` replaces by ``extrapolation_value`` (``None``
    otherwise).
    """
    n = plan.in_size
    runtime = kernel.runtime
    if runtime == "onnxruntime" and kernel.mode != "nearest":
        runtime = "onnxruntime-exact"
    xs = source_coordinates(plan, kernel.coordinate_mode, runtime)
    outside = None
    if kernel.coordinate_mode == "tf_crop_and_resize":
        outside = (xs < 0) | (xs > n - 1)
    if kernel.mode == "nearest":
        taps = np.clip(_nearest(xs, kernel.nearest_mode, kernel.runtime), 0, n - 1)
        return taps[:, None], None, outside
    radius = 1.0 if kernel.mode == "linear" else 2.0
    stretch = 1.0
    if kernel.antialias and plan.scale < 1:
        stretch = float(plan.scale)  # the kernel is widened by 1/scale
    support = radius / stretch
    count = math.ceil(2 * support)
    first = np.floor(xs - support) + 1
    taps = first[:, None].astype(np.int64) + np.arange(count)
    t = (taps - xs[:, None]) * stretch
    if kernel.mode == "linear":
        weights = _triangle(t)
    else:
        weights = keys(t, kernel.cubic_coeff_a)
    if kernel.exclude_outside:
        weights = np.where((taps < 0) | (taps > n - 1), 0.0, weights)
    if kernel.exclude_outside or stretch != 1.0:
        total = weights.sum(axis=1, keepdims=True)
        # every tap outside (only where tf_crop_and_resize extrapolates anyway)
        weights = weights / np.where(total == 0, 1.0, total)
    return np.clip(taps, 0, n - 1), weights, outside


def apply_axis(x: np.ndarray, axis: int, taps: np.ndarray, weights) -> np.ndarray:
    """Gather ``x`` at ``taps`` along ``axis`` and sum the taps with ``weights``."""
    if weights is None:
        return np.take(x, taps[:, 0], axis=axis)
    gathered = np.take(x, taps, axis=axis)  # axis -> (out, T)
    shape = (1,) * axis + weights.shape + (1,) * (x.ndim - axis - 1)
    return (gathered * weights.reshape(shape)).sum(axis=axis + 1)


def resize(x: np.ndarray, plans, kernel: Kernel, extrapolation_value: float,
           unresampled=()):
    """Resize ``x`` (already float64, or any dtype for nearest) axis by axis.

    ``plans`` lists the resized axes; the others are left alone, except those
    in ``unresampled``: axes whose values are kept as they are but whose
    ``tf_crop_and_resize`` positions outside the input still take
    ``extrapolation_value`` (onnxruntime's antialiased path, which skips an
    axis of unchanged length but not its extrapolation).
    """
    mask = None
    for plan in [*plans, *unresampled]:
        taps, weights, outside = axis_table(plan, kernel)
        if plan in plans:
            x = apply_axis(x, plan.axis, taps, weights)
        if outside is not None and outside.any():
            shape = [1] * x.ndim
            shape[plan.axis] = plan.out_size
            outside = outside.reshape(shape)
            mask = outside if mask is None else mask | outside
    if mask is not None:
        fill = np.float64(extrapolation_value)
        if x.dtype.kind in "iu":  # onnxruntime casts; clipped here, never wrapped
            info = np.iinfo(x.dtype)
            fill = np.clip(np.trunc(fill), info.min, info.max)
        x = np.where(mask, fill.astype(x.dtype), x)
    return x


def restore_dtype(y: np.ndarray, dtype: np.dtype, antialias: bool) -> np.ndarray:
    """The float64 result in X's dtype, integers as onnxruntime makes them.

    Linear on integers truncates toward zero; antialiased resizing rounds
    (half away from zero). Both are clipped to the dtype's range.
    """
    if dtype.kind not in "iu":
        return y.astype(dtype)
    if antialias:
        y = np.sign(y) * np.floor(np.abs(y) + 0.5)
    info = np.iinfo(dtype)
    return np.clip(np.trunc(y), info.min, info.max).astype(dtype)
