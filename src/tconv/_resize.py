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

Source coordinates and weights are float64, from the formulas as written
(with ``sizes``, the scale is the exact ratio ``out/in``), so exact ties of
the nearest modes are resolved as the spec says. onnxruntime computes them in
float32 and may land on either side of a tie; output sizes, where the spec
leaves the rounding of ``in * scale`` open, follow onnxruntime (float32).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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
    ratio: bool = False  # True: the scale is exactly out_size / in_size (sizes given)


@dataclass(frozen=True)
class Kernel:
    """The attributes that choose the taps and weights (shared by every axis)."""

    mode: str
    coordinate_mode: str
    nearest_mode: str = "round_prefer_floor"
    cubic_coeff_a: float = -0.75
    exclude_outside: bool = False
    antialias: bool = False


# ------------------------------------------------------------------- output sizes


def size_from_scale(in_size: int, scale: float) -> int:
    """``floor(in * scale)`` in float32, as onnxruntime (docs/rules/onnx.md)."""
    return int(np.floor(np.float32(in_size) * np.float32(scale)))


def aspect_scale(in_sizes, sizes, policy: str) -> float:
    """``not_larger``/``not_smaller``: one scale, the min or max of ``sizes/in``."""
    ratios = [np.float32(s) / np.float32(n) for n, s in zip(in_sizes, sizes)]
    return float(min(ratios) if policy == "not_larger" else max(ratios))


def size_from_aspect(in_size: int, scale: float) -> int:
    """``floor(scale * in + 0.5)``: the kept-aspect size (half rounds up)."""
    return int(np.floor(np.float32(scale) * np.float32(in_size) + np.float32(0.5)))


# ---------------------------------------------------------------- coordinates


def source_coordinates(plan: AxisPlan, coordinate_mode: str) -> np.ndarray:
    """``xs(i)`` for every output index ``i`` (docs/rules/onnx.md), in float64.

    With ``sizes`` (``plan.ratio`` set) the scale is the exact ratio
    ``out/in``, so ``x * in / out`` is one rounding away from the real value
    and exact ties (``4 -> 2``: sources 0.5 and 2.5) stay ties.
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
        return np.zeros(1)  # the spec's 0 (docs/rules/onnx.md)
    if coordinate_mode == "asymmetric":
        return x * n / m if plan.ratio else x / plan.scale
    if plan.ratio:  # half_pixel family with s = out/in: symmetric adds 0
        return ((2 * x + 1) * n - m) / (2 * m)
    xs = (x + 0.5) / plan.scale - 0.5
    if coordinate_mode == "half_pixel_symmetric":
        xs += n / 2 * (1 - m / (plan.scale * n))
    return xs


def _nearest(xs: np.ndarray, nearest_mode: str) -> np.ndarray:
    """The nearest input index of each coordinate (before clamping)."""
    if nearest_mode == "floor":
        index = np.floor(xs)
    elif nearest_mode == "ceil":
        index = np.ceil(xs)
    elif nearest_mode == "round_prefer_ceil":
        index = np.floor(xs + 0.5)
    else:  # round_prefer_floor: x.5 goes down
        index = np.ceil(xs - 0.5)
    return index.astype(np.int64)


def _keys(t: np.ndarray, a: float) -> np.ndarray:
    """The Keys cubic kernel ``W(t)`` with coefficient ``a`` (docs/rules/onnx.md)."""
    t = np.abs(t)
    inner = ((a + 2) * t - (a + 3)) * t * t + 1
    outer = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return np.where(t <= 1, inner, np.where(t < 2, outer, 0.0))


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
    xs = source_coordinates(plan, kernel.coordinate_mode)
    outside = None
    if kernel.coordinate_mode == "tf_crop_and_resize":
        outside = (xs < 0) | (xs > n - 1)
    if kernel.mode == "nearest":
        taps = np.clip(_nearest(xs, kernel.nearest_mode), 0, n - 1)
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
        weights = _keys(t, kernel.cubic_coeff_a)
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


def resize(x: np.ndarray, plans, kernel: Kernel, extrapolation_value: float):
    """Resize ``x`` (already float64, or any dtype for nearest) axis by axis.

    ``plans`` lists the resized axes; the others are left alone.
    """
    mask = None
    for plan in plans:
        taps, weights, outside = axis_table(plan, kernel)
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
