"""``tconv.onnx.resize`` against onnxruntime, the spec's own examples and docs/rules/onnx.md.

Oracle: onnxruntime 1.31 Resize (opset 19), one-node models built here; a
session per attribute set, dtype and rank, cached (shapes are dynamic). Kept
away from the cases where onnxruntime departs from the spec on purpose or by
float32 arithmetic (each excluded case is pinned to the spec by a test below):

* an output shape equal to the input shape: onnxruntime copies the input, even
  when ``scales`` says 1.3 (spec: map with the given scale);
* with antialias, an axis whose output length equals its input length is
  copied; with any mode, an axis whose scale is exactly 1 ignores ``roi``;
* ``keep_aspect_ratio_policy`` with negative ``axes``: onnxruntime does not
  normalise them and keeps those axes' sizes;
* nearest-mode ties and the ``tf_crop_and_resize`` bounds: onnxruntime
  evaluates the source coordinate in float32 and may land on either side of
  an exact tie; here the spec's real-number formula decides.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

import tconv.onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper

MODES = ("nearest", "linear", "cubic")
COORDINATES = ("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
               "asymmetric", "tf_crop_and_resize")
NEAREST = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


@functools.cache
def _session(attrs: tuple, dtype: str, rank: int, present: tuple):
    """An onnxruntime session for one Resize node; ``present``: roi/scales/sizes lengths."""
    kinds = (np.dtype(dtype), np.dtype(np.float32), np.dtype(np.float32), np.dtype(np.int64))
    names, infos = [], []
    for i, (length, kind) in enumerate(zip((rank, *present), kinds)):
        if length is None:
            names.append("")
            continue
        names.append(f"in{i}")
        shape = [None] * rank if i == 0 else [length]
        infos.append(helper.make_tensor_value_info(
            f"in{i}", helper.np_dtype_to_tensor_dtype(kind), shape))
    while names and not names[-1]:
        names.pop()
    out = helper.make_tensor_value_info("Y", helper.np_dtype_to_tensor_dtype(np.dtype(dtype)),
                                        None)
    node = helper.make_node("Resize", names, ["Y"],
                            **{k: list(v) if isinstance(v, tuple) else v for k, v in attrs})
    graph = helper.make_graph([node], "g", infos, [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 10
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session, [n for n in names if n]


def run_ort(X, roi=None, scales=None, sizes=None, **attrs):
    """onnxruntime's Resize of ``X`` (roi and scales as float32, sizes as int64)."""
    inputs = [None if roi is None else np.asarray(roi, np.float32),
              None if scales is None else np.asarray(scales, np.float32),
              None if sizes is None else np.asarray(sizes, np.int64)]
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attrs.items()))
    session, names = _session(key, X.dtype.str, X.ndim,
                              tuple(None if v is None else len(v) for v in inputs))
    feeds = dict(zip(names, [X] + [v for v in inputs if v is not None]))
    return session.run(None, feeds)[0]


# ---------------------------------------------------------------- the oracle's quirks


def _coordinates(n, m, scale, mode, roi, is_ratio):
    """Source coordinates by the spec's formulas, for spotting ties (not as oracle)."""
    x = np.arange(m, dtype=np.float64)
    if mode == "align_corners":
        return x * (n - 1) / max(m - 1, 1)
    if mode == "tf_crop_and_resize":
        a, b = roi
        return a * (n - 1) + x * (b - a) * (n - 1) / (m - 1) if m > 1 else \
            np.full(1, (a + b) / 2 * (n - 1))
    s = m / n if is_ratio else scale
    if mode == "asymmetric":
        return x / s
    if mode == "pytorch_half_pixel" and m == 1:
        return np.zeros(1)
    offset = n / 2 * (1 - m / (s * n)) if mode == "half_pixel_symmetric" else 0.0
    return offset + (x + 0.5) / s - 0.5


def _coordinates32(n, m, scale, mode):
    """The same in float32, in onnxruntime's order of operations."""
    f = np.float32
    x, s = np.arange(m, dtype=f), f(scale)
    if mode == "align_corners":
        return x * f(n - 1) / f(max(m - 1, 1))
    if mode == "asymmetric":
        return x / s
    return (x + f(0.5)) / s - f(0.5)


def _near_tie(xs, nearest_mode, mode, n, m, scale, coordinate, is_ratio):
    """True where float32 rounding could move the nearest index to the other side."""
    if mode != "nearest":
        return False
    boundary = xs if nearest_mode in ("floor", "ceil") else xs - 0.5
    near = np.abs(boundary - np.round(boundary)) < 1e-5 * np.maximum(1, np.abs(xs))
    if not near.any():
        return False
    # an exact tie is safe when float32 lands on it too: an exactly held scale
    # and the same coordinate in float32
    scale32 = float(np.float32(m / n if is_ratio else scale))
    exact = (scale32 == (m / n if is_ratio else scale)
             and coordinate in ("half_pixel", "asymmetric", "align_corners")
             and np.array_equal(_coordinates32(n, m, scale32, coordinate)[near], xs[near]))
    return not exact


def _oracle_differs(X_shape, out_shape, axes, scales, sizes, roi, attrs):
    """True for the documented cases where onnxruntime departs from the spec."""
    if tuple(out_shape) == tuple(X_shape):
        return True
    coordinate = attrs["coordinate_transformation_mode"]
    for i, axis in enumerate(axes):
        n, m = X_shape[axis], out_shape[axis]
        scale = None if scales is None else float(np.float32(scales[i]))
        if m == n and (attrs.get("antialias") or coordinate == "tf_crop_and_resize"):
            return True
        ranges = None if roi is None else (float(np.float32(roi[i])),
                                           float(np.float32(roi[len(axes) + i])))
        policy = attrs.get("keep_aspect_ratio_policy", "stretch")
        is_ratio = sizes is not None and policy == "stretch"
        if sizes is not None and not is_ratio:  # one scale for every axis
            ratios = [np.float32(m) / np.float32(X_shape[a]) for a, m in zip(axes, sizes)]
            scale = float(min(ratios) if policy == "not_larger" else max(ratios))
        xs = _coordinates(n, m, scale, coordinate, ranges, is_ratio)
        if _near_tie(xs, attrs.get("nearest_mode"), attrs["mode"], n, m, scale, coordinate,
                     is_ratio):
            return True
        if coordinate == "tf_crop_and_resize":
            edge = np.minimum(np.abs(xs), np.abs(xs - (n - 1)))
            if np.any(edge < 1e-4):
                return True
    return False


# ------------------------------------------------------------------- property tests


@st.composite
def resize_cases(draw):
    mode = draw(st.sampled_from(MODES))
    coordinate = draw(st.sampled_from(COORDINATES))
    if mode == "nearest":
        rank = draw(st.sampled_from([1, 2, 3, 4, 4, 4]))
        axes = sorted(draw(st.sets(st.integers(0, rank - 1), min_size=1)))
    else:  # onnxruntime: linear 2-5-D, cubic 2-D, or NCHW with N, C untouched
        rank = draw(st.sampled_from([2, 4, 4, 4] + ([3] if mode == "linear" else [])))
        axes = list(range(rank)) if rank < 4 else [2, 3]
    if draw(st.booleans()) and len(axes) < rank:
        axes_attr = [a - rank if draw(st.booleans()) else a for a in axes]
    else:
        axes_attr = None if len(axes) == rank else axes
    if axes_attr is not None and draw(st.booleans()):
        order = draw(st.permutations(range(len(axes))))
        axes = [axes[i] for i in order]
        axes_attr = [axes_attr[i] for i in order]
    shape = [draw(st.integers(1, 3)) for _ in range(rank)]
    for a in axes:
        shape[a] = draw(st.integers(1, 9))
    antialias = int(mode != "nearest" and draw(st.booleans()))
    exclude = int((mode == "cubic" or antialias) and draw(st.booleans()))
    policy = "stretch"
    if draw(st.booleans()):
        scales = [draw(st.sampled_from([0.3, 0.45, 0.6, 0.8, 1.3, 1.7, 2.0, 2.5, 3.0]))
                  for _ in axes]
        sizes = None
    else:
        scales = None
        sizes = [draw(st.integers(1, 12)) for _ in axes]
        if mode == "nearest" and len(axes) > 1:
            policy = draw(st.sampled_from(["stretch", "stretch", "not_larger", "not_smaller"]))
    roi = None
    if coordinate == "tf_crop_and_resize":
        roi = ([draw(st.sampled_from([-0.3, 0.0, 0.1, 0.25, 0.4])) for _ in axes]
               + [draw(st.sampled_from([0.6, 0.75, 0.9, 1.0, 1.2])) for _ in axes])
    attrs = {"mode": mode, "coordinate_transformation_mode": coordinate,
             "antialias": antialias, "exclude_outside": exclude,
             "extrapolation_value": -3.5, "keep_aspect_ratio_policy": policy}
    if mode == "nearest":
        attrs["nearest_mode"] = draw(st.sampled_from(NEAREST))
    if mode == "cubic":
        attrs["cubic_coeff_a"] = draw(st.sampled_from([-0.75, -0.5, -0.6]))
    if axes_attr is not None:
        attrs["axes"] = axes_attr
    return {"shape": shape, "axes": axes, "scales": scales, "sizes": sizes, "roi": roi,
            "attrs": attrs, "seed": draw(st.integers(0, 2**16))}


def _is_empty(case):
    """Whether some output length would be 0 (an error here; onnxruntime returns it)."""
    sizes = [case["shape"][a] for a in case["axes"]]
    f = np.float32
    if case["scales"] is not None:
        return any(np.floor(f(n) * f(s)) < 1 for n, s in zip(sizes, case["scales"]))
    policy = case["attrs"]["keep_aspect_ratio_policy"]
    if policy == "stretch":
        return False
    ratios = [f(m) / f(n) for n, m in zip(sizes, case["sizes"])]
    scale = min(ratios) if policy == "not_larger" else max(ratios)
    return any(np.floor(scale * f(n) + f(0.5)) < 1 for n in sizes)


@settings(max_examples=500, deadline=None)
@given(resize_cases())
@example({"shape": [1, 1, 4, 5], "axes": [2, 3], "scales": [0.6, 0.45], "sizes": None,
          "roi": None, "seed": 0,
          "attrs": {"mode": "cubic", "coordinate_transformation_mode": "half_pixel",
                    "antialias": 1, "exclude_outside": 1, "extrapolation_value": 0.0,
                    "keep_aspect_ratio_policy": "stretch", "cubic_coeff_a": -0.5,
                    "axes": [2, 3]}})
def test_resize_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    X = rng.standard_normal(case["shape"]).astype(np.float32)
    attrs = case["attrs"]
    if _is_empty(case):
        with pytest.raises(ValueError, match="onnx.resize: .* empty output"):
            tconv.onnx.resize(X, case["roi"], case["scales"], case["sizes"], **attrs)
        return
    expected = run_ort(X, case["roi"], case["scales"], case["sizes"], **attrs)
    actual = tconv.onnx.resize(X, case["roi"], case["scales"], case["sizes"], **attrs)
    if attrs["keep_aspect_ratio_policy"] != "stretch" and min(attrs.get("axes", [0])) < 0:
        return  # onnxruntime leaves negative axes out of the policy's scale
    assert actual.shape == expected.shape
    assert actual.dtype == np.float32
    if _oracle_differs(X.shape, expected.shape, case["axes"], case["scales"],
                       case["sizes"], case["roi"], attrs):
        event("not compared: a documented onnxruntime departure")
        return
    event(f"compared: {attrs['mode']}")
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.float16])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("sizes", [[7, 11], [3, 2], [5, 4]])
def test_integer_and_half_dtypes_match_onnxruntime(dtype, mode, sizes):
    rng = np.random.default_rng(sum(sizes))
    X = rng.integers(0, 120, (1, 2, 4, 5)).astype(dtype)
    attrs = {"mode": mode, "axes": [2, 3]}
    expected = run_ort(X, sizes=sizes, **attrs)
    actual = tconv.onnx.resize(X, sizes=sizes, **attrs)
    assert actual.dtype == np.dtype(dtype)
    if dtype == np.float16:
        np.testing.assert_allclose(actual, expected, rtol=2e-3, atol=2e-3)
    else:  # linear on integers truncates toward zero, as onnxruntime does
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32])
@pytest.mark.parametrize("sizes", [[4, 5], [2, 7]])
def test_antialiased_integers_round_like_onnxruntime(dtype, sizes):
    rng = np.random.default_rng(3)
    X = rng.integers(0, 256, (1, 3, 9, 11)).astype(dtype)
    attrs = {"mode": "linear", "antialias": 1, "axes": [2, 3]}
    expected = run_ort(X, sizes=sizes, **attrs).astype(np.int64)
    actual = tconv.onnx.resize(X, sizes=sizes, **attrs).astype(np.int64)
    # onnxruntime rounds after each axis (and uint8 in 22-bit fixed point);
    # here once, at the end: at most 1 apart
    assert np.abs(actual - expected).max() <= 1
    assert np.mean(actual == expected) > 0.8


def test_float64_is_the_float32_result_more_precisely():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((1, 1, 5, 6))
    attrs = {"mode": "cubic", "axes": [2, 3], "antialias": 1, "exclude_outside": 1}
    expected = run_ort(X.astype(np.float32), sizes=[3, 4], **attrs)
    actual = tconv.onnx.resize(X, sizes=[3, 4], **attrs)
    assert actual.dtype == np.float64
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------- docs/rules/onnx.md, hand-checked


def _row(values, **kwargs):
    X = np.asarray(values, dtype=np.float64)[None]
    return tconv.onnx.resize(X, axes=[1], **kwargs)[0]


def test_semantics_output_size_and_mapping_scale():
    ramp = [0.0, 1.0, 2.0]
    np.testing.assert_allclose(_row(ramp, scales=[1.5], mode="linear"),
                               [0, 0.5, 7 / 6, 11 / 6])
    np.testing.assert_allclose(_row(ramp, sizes=[4], mode="linear"), [0, 0.625, 1.375, 2])
    np.testing.assert_allclose(
        _row(ramp, scales=[1.5], mode="linear",
             coordinate_transformation_mode="half_pixel_symmetric"), [0, 2 / 3, 4 / 3, 2])
    np.testing.assert_allclose(
        _row(ramp, scales=[1.5], mode="linear", coordinate_transformation_mode="align_corners"),
        [0, 2 / 3, 4 / 3, 2])
    # float32 floor(in * scale), as onnxruntime: 10 * 0.7 -> 7, 100 * 0.57 -> 57
    assert _row(np.arange(10.0), scales=[0.7]).shape == (7,)
    assert _row(np.arange(100.0), scales=[0.57]).shape == (57,)
    assert _row(np.arange(5.0), scales=[1.7]).shape == (8,)


def test_semantics_keep_aspect_ratio_policy():
    X = np.zeros((2, 3))
    assert tconv.onnx.resize(X, sizes=[5, 5], keep_aspect_ratio_policy="not_larger").shape \
        == (3, 5)
    assert tconv.onnx.resize(X, sizes=[5, 5], keep_aspect_ratio_policy="not_smaller").shape \
        == (5, 8)
    X = np.zeros((4, 5))
    assert tconv.onnx.resize(X, sizes=[2, 5], keep_aspect_ratio_policy=b"not_larger").shape \
        == (2, 3)


def test_semantics_tf_crop_and_resize_extrapolates():
    row = _row(np.arange(6.0), roi=[0.2, 1.4], sizes=[5], mode="linear",
               coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=-9.0)
    np.testing.assert_allclose(row, [1, 2.5, 4, -9, -9])


def test_semantics_pytorch_half_pixel_to_length_one_reads_source_zero():
    row = _row([0.0, 1.0, 5.0, 2.0], sizes=[1], mode="cubic",
               coordinate_transformation_mode="pytorch_half_pixel")
    np.testing.assert_allclose(row, [0.0])
    # plain half_pixel reads the centre, 1.5, as PyTorch's bicubic does
    np.testing.assert_allclose(_row([0.0, 1.0, 5.0, 2.0], sizes=[1], mode="cubic"), [3.375])


@pytest.mark.parametrize(("nearest_mode", "expected"), [
    ("round_prefer_floor", [0, 2]), ("round_prefer_ceil", [1, 3]),
    ("floor", [0, 2]), ("ceil", [1, 3])])
def test_semantics_nearest_ties(nearest_mode, expected):
    assert _row([0.0, 1.0, 2.0, 3.0], sizes=[2], nearest_mode=nearest_mode).tolist() == expected


def test_semantics_default_nearest_five_to_eight():
    assert _row(np.arange(5.0), sizes=[8]).tolist() == [0, 0, 1, 2, 2, 3, 4, 4]


def test_semantics_cubic_five_to_ten():
    x = [0.0, 1.0, 0.0, 0.0, 5.0]
    np.testing.assert_allclose(
        _row(x, sizes=[10], mode="cubic"),
        [-0.1055, 0.2617, 0.8789, 0.8789, 0.2617, -0.2812, -0.5625, 1.1328, 3.8672, 5.5273],
        atol=1e-4)
    np.testing.assert_allclose(
        _row(x, sizes=[10], mode="cubic", cubic_coeff_a=-0.5, exclude_outside=1),
        [-0.0882, 0.2117, 0.8473, 0.8672, 0.2266, -0.1875, -0.375, 1.1069, 4.0511, 5.4412],
        atol=1e-4)


def test_semantics_antialias_eight_to_three():
    x = np.arange(8.0)
    np.testing.assert_allclose(_row(x, sizes=[3], mode="linear", antialias=1),
                               [0.9767, 3.5, 6.0233], atol=1e-4)
    np.testing.assert_allclose(_row(x, sizes=[3], mode="linear", antialias=1,
                                    exclude_outside=1), [1.1053, 3.5, 5.8947], atol=1e-4)


# ------------------------------------------------- where onnxruntime departs (pinned)


def test_same_shape_with_a_scale_maps_with_that_scale():
    # onnxruntime returns the input unchanged; the spec maps with 1/1.3
    row = _row([0.0, 1.0, 2.0], scales=[1.3], mode="linear",
               coordinate_transformation_mode="asymmetric")
    np.testing.assert_allclose(row, [0, 1 / 1.3, 2 / 1.3], rtol=1e-6)


def test_roi_applies_on_an_axis_of_scale_one():
    # onnxruntime ignores roi on an axis whose output length equals the input's
    row = _row(np.arange(6.0), roi=[0.2, 0.8], sizes=[6], mode="linear",
               coordinate_transformation_mode="tf_crop_and_resize")
    np.testing.assert_allclose(row, [1, 1.6, 2.2, 2.8, 3.4, 4])


def test_exact_tie_follows_the_real_number_formula():
    # 7 -> 4, asymmetric: output 2 reads 2 * 7/4 = 3.5, a tie
    assert _row(np.arange(7.0), sizes=[4], coordinate_transformation_mode="asymmetric",
                nearest_mode="round_prefer_ceil").tolist() == [0, 2, 4, 5]
    assert _row(np.arange(7.0), sizes=[4], coordinate_transformation_mode="asymmetric",
                nearest_mode="round_prefer_floor").tolist() == [0, 2, 3, 5]


def test_integer_extrapolation_value_is_clipped_to_the_dtype():
    X = np.array([[10, 20, 30]], dtype=np.uint8)
    for value, fill in ((-3.5, 0), (300.0, 255), (7.9, 7)):
        Y = tconv.onnx.resize(X, roi=[0.5, 1.5], sizes=[3], axes=[1], mode="linear",
                              coordinate_transformation_mode="tf_crop_and_resize",
                              extrapolation_value=value)
        assert Y.dtype == np.uint8
        assert Y.tolist() == [[20, 30, fill]]


def test_exclude_outside_is_accepted_where_it_changes_nothing():
    # onnxruntime refuses it for nearest and for linear without antialias
    X = np.array([[0.0, 4.0, 8.0]])
    for mode in ("nearest", "linear"):
        np.testing.assert_array_equal(
            tconv.onnx.resize(X, sizes=[1, 7], mode=mode, exclude_outside=1),
            tconv.onnx.resize(X, sizes=[1, 7], mode=mode))


def test_any_rank_resizes_batch_and_channel_axes():
    X = np.arange(6.0).reshape(2, 3)
    Y = tconv.onnx.resize(X, scales=[2.0, 1.0])
    np.testing.assert_array_equal(Y, [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]])
    Z = tconv.onnx.resize(np.arange(4.0), sizes=[2], mode="linear")
    np.testing.assert_allclose(Z, [0.5, 2.5])


# ------------------------------------------------- the spec's examples (Operators.md)

GRID2 = np.array([[[[1, 2], [3, 4]]]], dtype=np.float32)
GRID24 = np.array([[[[1, 2, 3, 4], [5, 6, 7, 8]]]], dtype=np.float32)
GRID4 = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)

SPEC_EXAMPLES = {
    "resize_upsample_scales_nearest": (
        GRID2, {"scales": [1, 1, 2, 3]},
        [[1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4]]),
    "resize_downsample_scales_nearest": (GRID24, {"scales": [1, 1, 0.6, 0.6]}, [[1, 3]]),
    "resize_upsample_sizes_nearest": (
        GRID2, {"sizes": [1, 1, 7, 8]}, [[1] * 4 + [2] * 4] * 4 + [[3] * 4 + [4] * 4] * 3),
    "resize_downsample_sizes_nearest": (GRID24, {"sizes": [1, 1, 1, 3]}, [[1, 2, 4]]),
    "resize_upsample_scales_linear": (
        GRID2, {"scales": [1, 1, 2, 2], "mode": "linear"},
        [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5],
         [3, 3.25, 3.75, 4]]),
    "resize_upsample_scales_linear_align_corners": (
        GRID2, {"scales": [1, 1, 2, 2], "mode": "linear",
                "coordinate_transformation_mode": "align_corners"},
        [[1, 1.33333333, 1.66666667, 2], [1.66666667, 2, 2.33333333, 2.66666667],
         [2.33333333, 2.66666667, 3, 3.33333333], [3, 3.33333333, 3.66666667, 4]]),
    "resize_downsample_scales_linear": (
        GRID24, {"scales": [1, 1, 0.6, 0.6], "mode": "linear"}, [[2.6666665, 4.3333331]]),
    # The next two: the spec's printed numbers ([[1, 3.142857]] and [[1, 2.39519159,
    # 3.79038317], ...]) come from the reference evaluator, which divides by the
    # unrounded in*scale (docs/rules/onnx.md, align_corners); onnxruntime and the spec
    # text use the integer output length, as here: typed in from onnxruntime.
    "resize_downsample_scales_linear_align_corners": (
        GRID24, {"scales": [1, 1, 0.6, 0.6], "mode": "linear",
                 "coordinate_transformation_mode": "align_corners"}, [[1, 4]]),
    "resize_downsample_scales_cubic": (
        GRID4, {"scales": [1, 1, 0.8, 0.8], "mode": "cubic"},
        [[1.47119141, 2.78125, 4.08251953], [6.71142578, 8.02148438, 9.32275391],
         [11.91650391, 13.2265625, 14.52783203]]),
    "resize_downsample_scales_cubic_align_corners": (
        GRID4, {"scales": [1, 1, 0.8, 0.8], "mode": "cubic",
                "coordinate_transformation_mode": "align_corners"},
        [[1, 2.5, 4], [7, 8.5, 10], [13, 14.5, 16]]),
    "resize_downsample_sizes_cubic": (
        GRID4, {"sizes": [1, 1, 3, 3], "mode": "cubic"},
        [[1.63078704, 3.00462963, 4.37847222], [7.12615741, 8.5, 9.87384259],
         [12.62152778, 13.99537037, 15.36921296]]),
    "resize_downsample_scales_cubic_A_n0p5_exclude_outside": (
        GRID4, {"scales": [1, 1, 0.8, 0.8], "mode": "cubic", "cubic_coeff_a": -0.5,
                "exclude_outside": 1},
        [[1.36812675, 2.6695014, 4.0133367], [6.57362535, 7.875, 9.2188353],
         [11.94896657, 13.25034122, 14.59417652]]),
    "resize_tf_crop_and_resize": (
        GRID4, {"roi": [0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8], "sizes": [1, 1, 3, 3],
                "mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"},
        [[7.6000004, 7.9, 8.2], [8.8, 9.1, 9.400001], [10, 10.3, 10.6]]),
    "resize_tf_crop_and_resize_extrapolation_value": (
        GRID4, {"roi": [0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7], "sizes": [1, 1, 3, 3],
                "mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize",
                "extrapolation_value": 10.0},
        [[7.6000004, 10, 10], [12.400001, 10, 10], [10, 10, 10]]),
    "resize_downsample_sizes_linear_pytorch_half_pixel": (
        GRID4, {"sizes": [1, 1, 3, 1], "mode": "linear",
                "coordinate_transformation_mode": "pytorch_half_pixel"},
        [[1.6666666], [7], [12.333333]]),
    "resize_upsample_sizes_nearest_floor_align_corners": (
        GRID4, {"sizes": [1, 1, 8, 8], "coordinate_transformation_mode": "align_corners",
                "nearest_mode": "floor"},
        [[r * 4 + c for c in (1, 1, 1, 2, 2, 3, 3, 4)] for r in (0, 0, 0, 1, 1, 2, 2, 3)]),
    "resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric": (
        GRID4, {"sizes": [1, 1, 8, 8], "coordinate_transformation_mode": "asymmetric",
                "nearest_mode": "round_prefer_ceil"},
        [[r * 4 + c for c in (1, 2, 2, 3, 3, 4, 4, 4)] for r in (0, 1, 1, 2, 2, 3, 3, 3)]),
    "resize_upsample_sizes_nearest_ceil_half_pixel": (
        GRID4, {"sizes": [1, 1, 8, 8], "nearest_mode": "ceil"},
        [[r * 4 + c for c in (1, 2, 2, 3, 3, 4, 4, 4)] for r in (0, 1, 1, 2, 2, 3, 3, 3)]),
    "resize_downsample_scales_linear_antialias": (
        GRID4, {"scales": [1, 1, 0.6, 0.6], "mode": "linear", "antialias": 1},
        [[2.875, 4.5], [9.375, 11]]),
    "resize_downsample_sizes_linear_antialias": (
        GRID4, {"sizes": [1, 1, 3, 3], "mode": "linear", "antialias": 1},
        [[2.3636363, 3.590909, 4.818182], [7.2727275, 8.5, 9.727273],
         [12.181818, 13.409091, 14.636364]]),
    "resize_downsample_scales_cubic_antialias": (
        GRID4, {"scales": [1, 1, 0.6, 0.6], "mode": "cubic", "antialias": 1},
        [[2.5180721, 4.2858863], [9.589329, 11.357142]]),
    "resize_downsample_sizes_cubic_antialias": (
        GRID4, {"sizes": [1, 1, 3, 3], "mode": "cubic", "antialias": 1},
        [[1.7750092, 3.1200073, 4.4650054], [7.1550016, 8.5, 9.844998],
         [12.534994, 13.8799925, 15.224991]]),
    "resize_upsample_sizes_nearest_not_larger": (
        GRID2, {"sizes": [7, 8], "axes": [2, 3], "keep_aspect_ratio_policy": "not_larger"},
        [[1] * 4 + [2] * 3] * 4 + [[3] * 4 + [4] * 3] * 3),
    "resize_upsample_sizes_nearest_not_smaller": (
        # scale max(7/2, 8/2) = 4: 8 x 8 (the spec's comment prints 7 of the 8 rows)
        GRID2, {"sizes": [7, 8], "axes": [2, 3], "keep_aspect_ratio_policy": "not_smaller"},
        [[1] * 4 + [2] * 4] * 4 + [[3] * 4 + [4] * 4] * 4),
    "resize_downsample_sizes_nearest_not_larger": (
        GRID24, {"sizes": [1, 3], "axes": [2, 3], "keep_aspect_ratio_policy": "not_larger"},
        [[1, 3]]),
    "resize_downsample_sizes_nearest_not_smaller": (
        GRID24, {"sizes": [1, 3], "axes": [2, 3], "keep_aspect_ratio_policy": "not_smaller"},
        [[1, 2, 4], [5, 6, 8]]),
    "resize_downsample_scales_linear_half_pixel_symmetric": (
        np.array([[[[1, 2, 3, 4]]]], dtype=np.float32),
        {"scales": [1, 1, 1, 0.6], "mode": "linear",
         "coordinate_transformation_mode": "half_pixel_symmetric"}, [[1.6666667, 3.3333333]]),
    "resize_upsample_scales_linear_half_pixel_symmetric": (
        GRID2, {"scales": [1, 1, 2.3, 2.94], "mode": "linear",
                "coordinate_transformation_mode": "half_pixel_symmetric"},
        [[1, 1.15986395, 1.5, 1.84013605, 2],
         [1.56521738, 1.72508133, 2.06521738, 2.40535343, 2.56521738],
         [2.43478262, 2.59464657, 2.93478262, 3.27491867, 3.43478262],
         [3, 3.15986395, 3.5, 3.84013605, 4]]),
    "resize_upsample_scales_cubic_asymmetric (first and last rows)": (
        GRID4, {"scales": [1, 1, 2, 2], "mode": "cubic",
                "coordinate_transformation_mode": "asymmetric"},
        {0: [1, 1.40625, 2, 2.5, 3, 3.59375, 4, 4.09375],
         7: [13.375, 13.78125, 14.375, 14.875, 15.375, 15.96875, 16.375, 16.46875]}),
    "resize_upsample_scales_cubic (first row)": (
        GRID4, {"scales": [1, 1, 2, 2], "mode": "cubic"},
        {0: [0.47265625, 0.76953125, 1.24609375, 1.875, 2.28125, 2.91015625, 3.38671875,
             3.68359375]}),
    "resize_upsample_sizes_cubic (first row)": (
        GRID4, {"sizes": [1, 1, 9, 10], "mode": "cubic"},
        {0: [0.45507922, 0.64057922, 0.97157922, 1.42257922, 1.90732922, 2.22332922,
             2.70807922, 3.15907922, 3.49007922, 3.67557922]}),
    "resize_upsample_scales_cubic_A_n0p5_exclude_outside (first row)": (
        GRID4, {"scales": [1, 1, 2, 2], "mode": "cubic", "cubic_coeff_a": -0.5,
                "exclude_outside": 1},
        {0: [0.55882353, 0.81494204, 1.35698249, 1.89705882, 2.39705882, 2.93713516,
             3.47917561, 3.73529412]}),
}


@pytest.mark.parametrize("name", list(SPEC_EXAMPLES))
def test_spec_examples(name):
    X, kwargs, expected = SPEC_EXAMPLES[name]
    Y = tconv.onnx.resize(X, **kwargs)[0, 0]
    assert Y.dtype == np.float32
    if isinstance(expected, dict):
        for row, values in expected.items():
            np.testing.assert_allclose(Y[row], values, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_allclose(Y, expected, rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------- bad input

X4 = np.zeros((1, 1, 4, 4), dtype=np.float32)

BAD = [
    ({"scales": [1, 1, 2, 2], "sizes": [1, 1, 8, 8]}, ValueError, "exactly one of scales"),
    ({}, ValueError, "exactly one of scales and sizes; got neither"),
    ({"scales": [], "sizes": []}, ValueError, "got neither"),
    ({"scales": [2, 2]}, ValueError, r"scales=\[2, 2\] has 2 values; it needs 4"),
    ({"sizes": [8, 8], "axes": [2]}, ValueError, "sizes=.* has 2 values; it needs 1"),
    ({"sizes": [1, 1, 0, 8]}, ValueError, "sizes=.* must be positive"),
    ({"sizes": [1.0, 1, 8, 8]}, TypeError, "sizes=.* must be a 1-D list of ints"),
    ({"scales": [1, 1, -2, 2]}, ValueError, "scales=.* must be positive"),
    ({"scales": [1, 1, 0.1, 2]}, ValueError, "empty output"),
    ({"scales": [2.0] * 4, "mode": "bilinear"}, ValueError, "onnx.resize: mode='bilinear'"),
    ({"scales": [2.0] * 4, "coordinate_transformation_mode": "tf_half_pixel_for_nn"},
     ValueError, "coordinate_transformation_mode"),
    ({"scales": [2.0] * 4, "nearest_mode": "round"}, ValueError, "nearest_mode='round'"),
    ({"scales": [2.0] * 4, "keep_aspect_ratio_policy": "fit"}, ValueError,
     "keep_aspect_ratio_policy"),
    ({"scales": [2.0] * 4, "keep_aspect_ratio_policy": "not_larger"}, ValueError,
     "applies to sizes only"),
    ({"scales": [0.5] * 4, "antialias": 1}, ValueError, "antialias=1 needs mode"),
    ({"scales": [2.0] * 4, "antialias": 2, "mode": "linear"}, ValueError, "antialias=2"),
    ({"scales": [2.0] * 4, "exclude_outside": True}, ValueError, "exclude_outside=True"),
    ({"scales": [2.0] * 4, "cubic_coeff_a": "a"}, TypeError, "cubic_coeff_a='a'"),
    ({"scales": [2.0] * 4, "extrapolation_value": float("nan")}, ValueError,
     "extrapolation_value=nan"),
    ({"sizes": [8, 8], "coordinate_transformation_mode": "tf_crop_and_resize", "axes": [2, 3]},
     ValueError, "needs roi"),
    ({"sizes": [8, 8], "roi": [0, 1], "axes": [2, 3],
          "coordinate_transformation_mode": "tf_crop_and_resize"}, ValueError,
     "roi=.* has 2 values; it needs 4"),
    ({"sizes": [8], "axes": [4]}, ValueError, r"axes=\[4\] must lie in \[-4, 3\]"),
    ({"sizes": [8, 8], "axes": [3, -1]}, ValueError, "names an axis twice"),
    ({"sizes": [8], "axes": [2.0]}, TypeError, "axes=.* non-empty list of ints"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD)
def test_bad_input_names_the_attribute(kwargs, error, match):
    with pytest.raises(error, match="onnx.resize: .*" + match if not match.startswith(
            "onnx.resize") else match):
        tconv.onnx.resize(X4, **kwargs)


@pytest.mark.parametrize(("X", "kwargs", "error", "match"), [
    (np.zeros((2, 2), np.int64), {"sizes": [3, 3]}, TypeError, "dtype int64"),
    (np.zeros((2, 2), bool), {"sizes": [3, 3]}, TypeError, "dtype bool"),
    (np.array([["a"]]), {"sizes": [3, 3]}, TypeError, "numeric array"),
    (np.zeros((2, 2), np.uint8), {"sizes": [3, 3], "mode": "cubic"}, TypeError,
     "floating X"),
    (np.float32(1.0), {"sizes": []}, ValueError, "at least one axis"),
    (np.zeros((0, 2), np.float32), {"sizes": [3, 3]}, ValueError, "empty axis"),
])
def test_bad_x(X, kwargs, error, match):
    with pytest.raises(error, match="onnx.resize: .*" + match):
        tconv.onnx.resize(X, **kwargs)


def test_onnxruntime_refuses_what_is_refused_here():
    # nearest with antialias, and scales with a keep-aspect policy, fail in onnxruntime too
    X = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(Exception, match="anti-aliasing"):
        run_ort(X, scales=[1, 1, 0.5, 0.5], mode="nearest", antialias=1)
    with pytest.raises(Exception, match="keep_aspect_ratio_policy"):
        run_ort(X, scales=[1, 1, 2, 2], keep_aspect_ratio_policy="not_larger")
