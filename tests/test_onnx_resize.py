"""``tconv.onnx.resize`` against the reference evaluator, onnxruntime and hand-checked cases.

``runtime="spec"`` (the default) is compared with the ONNX reference
evaluator over random attributes (the backend node test cases are in
test_onnx_node_cases.py), away from the places where the reference is known
wrong: ``pytorch_half_pixel`` with an output length of 1 (the spec says
source 0, the reference -0.5); ``tf_crop_and_resize`` with ``scales`` (it
leaves the text's roi factor out of the output length); linear and cubic
coordinates a rounding step above an integer, where it weights the wrong
pair of neighbours. Negative ``axes``, on which it fails, are given to it
counted from 0.

``runtime="onnxruntime"`` is compared with onnxruntime (one-node models, a
session per attribute set, dtype and rank, cached), away from what it does
not reproduce (each pinned by a test below):

* ``keep_aspect_ratio_policy`` with negative ``axes``: onnxruntime does not
  normalise them and keeps those axes' sizes;
* float32 coordinates within a rounding step of a nearest-mode boundary or
  of the ``tf_crop_and_resize`` bounds, where the last bit of onnxruntime's
  arithmetic (its order of float operations) decides.
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
def _session(attrs: tuple, dtype: str, rank: int, present: tuple, reference=False):
    """An onnxruntime session (or a reference evaluator) for one Resize node;
    ``present``: roi/scales/sizes lengths."""
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
    if reference:
        from onnx.reference import ReferenceEvaluator
        return ReferenceEvaluator(model), [n for n in names if n]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session, [n for n in names if n]


def run_ort(X, roi=None, scales=None, sizes=None, *, reference=False, **attrs):
    """onnxruntime's Resize of ``X`` (roi and scales as float32, sizes as int64);
    the reference evaluator's with ``reference=True``."""
    inputs = [None if roi is None else np.asarray(roi, np.float32),
              None if scales is None else np.asarray(scales, np.float32),
              None if sizes is None else np.asarray(sizes, np.int64)]
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attrs.items()))
    session, names = _session(key, X.dtype.str, X.ndim,
                              tuple(None if v is None else len(v) for v in inputs),
                              reference)
    feeds = dict(zip(names, [X] + [v for v in inputs if v is not None]))
    return session.run(None, feeds)[0]


def run_reference(X, roi=None, scales=None, sizes=None, **attrs):
    """The ONNX reference evaluator's Resize of ``X``."""
    return run_ort(X, roi, scales, sizes, reference=True, **attrs)


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
    """True where float32 rounding decides (see the module docstring)."""
    if tuple(out_shape) == tuple(X_shape):
        return False  # a copy, reproduced
    coordinate = attrs["coordinate_transformation_mode"]
    for i, axis in enumerate(axes):
        n, m = X_shape[axis], out_shape[axis]
        scale = None if scales is None else float(np.float32(scales[i]))
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
# An axis of unchanged length is skipped under antialias, but still extrapolates.
@example({"shape": [4, 2, 2], "axes": [0, 1, 2], "scales": [0.3, 0.6, 1.3], "sizes": None,
          "roi": [-0.3, -0.3, -0.3, 0.6, 0.6, 0.6], "seed": 0,
          "attrs": {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize",
                    "antialias": 1, "exclude_outside": 0, "extrapolation_value": -3.5,
                    "keep_aspect_ratio_policy": "stretch"}})
# A scale-1 axis is skipped whole: no extrapolation there.
@example({"shape": [2, 2], "axes": [0, 1], "scales": None, "sizes": [1, 2],
          "roi": [-0.3, -0.3, 0.6, 0.6], "seed": 0,
          "attrs": {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize",
                    "antialias": 0, "exclude_outside": 0, "extrapolation_value": -3.5,
                    "keep_aspect_ratio_policy": "stretch"}})
def test_resize_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    X = rng.standard_normal(case["shape"]).astype(np.float32)
    attrs = case["attrs"]
    if _is_empty(case):
        with pytest.raises(ValueError, match="onnx.resize: .* empty output"):
            tconv.onnx.resize(X, case["roi"], case["scales"], case["sizes"], **attrs,
                              runtime="onnxruntime")
        return
    expected = run_ort(X, case["roi"], case["scales"], case["sizes"], **attrs)
    actual = tconv.onnx.resize(X, case["roi"], case["scales"], case["sizes"], **attrs,
                               runtime="onnxruntime")
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


def _reference_wrong(case, X_shape):
    """The reference evaluator's known errors: pytorch_half_pixel to length 1 (it
    reads -0.5, the spec 0), tf_crop_and_resize with scales (it ignores the
    text's roi factor in the output length)."""
    attrs = case["attrs"]
    if attrs["coordinate_transformation_mode"] == "tf_crop_and_resize" and \
            case["scales"] is not None:
        return True
    if attrs["coordinate_transformation_mode"] != "pytorch_half_pixel":
        return False
    sizes = [X_shape[a] for a in case["axes"]]
    if case["scales"] is not None:
        return any(np.floor(n * float(np.float32(s))) == 1
                   for n, s in zip(sizes, case["scales"]))
    if attrs["keep_aspect_ratio_policy"] == "stretch":
        return 1 in case["sizes"]
    ratios = [m / n for n, m in zip(sizes, case["sizes"])]
    scale = min(ratios) if attrs["keep_aspect_ratio_policy"] == "not_larger" else max(ratios)
    return any(int(scale * n + 0.5) == 1 for n in sizes)


def _reference_snaps_a_neighbour(case, X_shape):
    """Linear and cubic: the reference finds a coordinate's neighbours at
    ``x + pad``; where ``x`` is a rounding step above an integer ``k`` and
    ``x + pad`` rounds onto ``k + pad``, it weights ``x[k-1], x[k]`` with
    ``(1, 0)`` (reading ``x[k-1]`` for coordinate ``k``). Spot those."""
    from onnx.reference.ops.op_resize import _compute_x_ori
    attrs = case["attrs"]
    if attrs["mode"] == "nearest":
        return False
    sizes = [X_shape[a] for a in case["axes"]]
    if case["scales"] is not None:
        scales = [float(np.float32(s)) for s in case["scales"]]
        outs = [int(n * s) for n, s in zip(sizes, scales)]
    else:
        outs = list(case["sizes"])
        scales = [m / n for n, m in zip(sizes, outs)]
    count = len(sizes)
    for i, (n, m, scale) in enumerate(zip(sizes, outs, scales)):
        roi = None if case["roi"] is None else [np.float32(case["roi"][i]),
                                                np.float32(case["roi"][count + i])]
        if m < 1:
            continue
        xs, _ = _compute_x_ori(attrs["coordinate_transformation_mode"],
                               np.arange(m, dtype=np.float64), scale, n, scale * n, m, roi)
        off = (xs != np.floor(xs))
        for pad in range(1, 12):
            if np.any(off & ((xs + pad) == np.floor(xs + pad))):
                return True
    return False


def _is_empty_spec(case, X_shape):
    sizes = [X_shape[a] for a in case["axes"]]
    if case["scales"] is not None:
        return any(np.floor(n * float(np.float32(s))) < 1 for n, s in zip(sizes, case["scales"]))
    policy = case["attrs"]["keep_aspect_ratio_policy"]
    if policy == "stretch":
        return False
    ratios = [m / n for n, m in zip(sizes, case["sizes"])]
    scale = min(ratios) if policy == "not_larger" else max(ratios)
    return any(int(scale * n + 0.5) < 1 for n in sizes)


@settings(max_examples=300, deadline=None)
@given(resize_cases())
@example({"shape": [2, 9], "axes": [0, 1], "scales": [0.6, 2.5], "sizes": None, "roi": None,
          "seed": 0,
          "attrs": {"mode": "linear", "coordinate_transformation_mode": "half_pixel_symmetric",
                    "antialias": 0, "exclude_outside": 0, "extrapolation_value": -3.5,
                    "keep_aspect_ratio_policy": "stretch"}})
@example({"shape": [7], "axes": [0], "scales": [0.5], "sizes": None, "roi": None, "seed": 0,
          "attrs": {"mode": "nearest", "coordinate_transformation_mode": "half_pixel_symmetric",
                    "nearest_mode": "ceil", "antialias": 0, "exclude_outside": 0,
                    "extrapolation_value": 0.0, "keep_aspect_ratio_policy": "stretch"}})
@example({"shape": [1, 1, 2, 4], "axes": [2, 3], "scales": [0.6, 0.6], "sizes": None,
          "roi": None, "seed": 0,
          "attrs": {"mode": "linear", "coordinate_transformation_mode": "align_corners",
                    "antialias": 0, "exclude_outside": 0, "extrapolation_value": 0.0,
                    "keep_aspect_ratio_policy": "stretch", "axes": [2, 3]}})
# keep_aspect_ratio_policy: one scale, mapped with its fractional width (an
# output of length 1 too).
@example({"shape": [1, 2, 1, 6], "axes": [0, 1, 2, 3], "scales": None, "sizes": [1, 2, 1, 4],
          "roi": [-0.3, -0.3, -0.3, -0.3, 0.6, 0.6, 0.6, 0.6], "seed": 0,
          "attrs": {"mode": "nearest", "coordinate_transformation_mode": "tf_crop_and_resize",
                    "antialias": 0, "exclude_outside": 0, "extrapolation_value": -3.5,
                    "keep_aspect_ratio_policy": "not_larger",
                    "nearest_mode": "round_prefer_floor"}})
def test_resize_matches_the_reference_evaluator(case):
    rng = np.random.default_rng(case["seed"])
    X = rng.standard_normal(case["shape"]).astype(np.float32)
    attrs = case["attrs"]
    args = (X, case["roi"], case["scales"], case["sizes"])
    if _reference_wrong(case, X.shape):
        event("not compared: the reference evaluator is known wrong here")
        return
    if not _is_empty_spec(case, X.shape) and _reference_snaps_a_neighbour(case, X.shape):
        event("not compared: the reference reads the wrong neighbour (x + pad rounds)")
        return
    if _is_empty_spec(case, X.shape):
        with pytest.raises(ValueError, match="onnx.resize: .* empty output"):
            tconv.onnx.resize(*args, **attrs)
        return
    # the reference fails on negative axes: it is given them counted from 0
    normal = dict(attrs, **({"axes": [a % X.ndim for a in attrs["axes"]]}
                            if "axes" in attrs else {}))
    expected = run_reference(*args, **normal)
    actual = tconv.onnx.resize(*args, **attrs)
    event(f"compared: {attrs['mode']}")
    assert actual.dtype == np.float32
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.float16])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("sizes", [[7, 11], [3, 2], [5, 4]])
def test_integer_and_half_dtypes_match_onnxruntime(dtype, mode, sizes):
    rng = np.random.default_rng(sum(sizes))
    X = rng.integers(0, 120, (1, 2, 4, 5)).astype(dtype)
    attrs = {"mode": mode, "axes": [2, 3]}
    expected = run_ort(X, sizes=sizes, **attrs)
    actual = tconv.onnx.resize(X, sizes=sizes, **attrs, runtime="onnxruntime")
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
    actual = tconv.onnx.resize(X, sizes=sizes, **attrs, runtime="onnxruntime")
    actual = actual.astype(np.int64)
    # onnxruntime rounds after each axis (and uint8 in 22-bit fixed point);
    # here once, at the end: at most 1 apart
    assert np.abs(actual - expected).max() <= 1
    assert np.mean(actual == expected) > 0.8


def test_float64_is_the_float32_result_more_precisely():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((1, 1, 5, 6))
    attrs = {"mode": "cubic", "axes": [2, 3], "antialias": 1, "exclude_outside": 1}
    expected = run_ort(X.astype(np.float32), sizes=[3, 4], **attrs)
    actual = tconv.onnx.resize(X, sizes=[3, 4], **attrs, runtime="onnxruntime")
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
    # align_corners with scales: the spec divides by in*scale - 1 = 3.5,
    # onnxruntime by the integer length - 1 = 3
    np.testing.assert_allclose(
        _row(ramp, scales=[1.5], mode="linear", coordinate_transformation_mode="align_corners"),
        [0, 2 / 3.5, 4 / 3.5, 6 / 3.5])
    np.testing.assert_allclose(
        _row(ramp, scales=[1.5], mode="linear", coordinate_transformation_mode="align_corners",
             runtime="onnxruntime"), [0, 2 / 3, 4 / 3, 2])
    # floor(in * scale) of the float32 scale: exact by the spec (10 * 0.69999999
    # -> 6), in float32 by onnxruntime (-> 7)
    for n, scale, spec, runtime in ((10, 0.7, 6, 7), (100, 0.57, 56, 57), (5, 1.7, 8, 8)):
        assert _row(np.arange(float(n)), scales=[scale]).shape == (spec,)
        assert _row(np.arange(float(n)), scales=[scale], runtime="onnxruntime").shape == \
            (runtime,)
        assert run_ort(np.zeros((1, n), np.float32), scales=[scale], axes=[1]).shape == \
            (1, runtime)


def test_semantics_keep_aspect_ratio_policy():
    X = np.zeros((2, 3))
    assert tconv.onnx.resize(X, sizes=[5, 5], keep_aspect_ratio_policy="not_larger").shape \
        == (3, 5)
    assert tconv.onnx.resize(X, sizes=[5, 5], keep_aspect_ratio_policy="not_smaller").shape \
        == (5, 8)
    X = np.zeros((4, 5))
    assert tconv.onnx.resize(X, sizes=[2, 5], keep_aspect_ratio_policy=b"not_larger").shape \
        == (2, 3)


def test_tf_crop_and_resize_with_scales_scales_the_crop():
    # The text: output length floor(in * (roi_end - roi_start) * scale); the
    # reference evaluator and onnxruntime use floor(in * scale).
    X = np.arange(8.0, dtype=np.float32)[None]
    kwargs = {"roi": [0.25, 0.75], "scales": [2.0], "axes": [1], "mode": "linear",
              "coordinate_transformation_mode": "tf_crop_and_resize"}
    Y = tconv.onnx.resize(X, **kwargs)[0]
    np.testing.assert_allclose(Y, 1.75 + np.arange(8) * 3.5 / 7, rtol=1e-6)
    expected = run_ort(X, **kwargs)
    assert expected.shape == (1, 16)
    np.testing.assert_allclose(tconv.onnx.resize(X, **kwargs, runtime="onnxruntime"),
                               expected, rtol=1e-6)
    assert run_reference(X, **kwargs).shape == (1, 16)


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
    # the spec maps with 1/1.3; onnxruntime returns the input unchanged
    kwargs = {"scales": [1.3], "mode": "linear",
              "coordinate_transformation_mode": "asymmetric"}
    row = _row([0.0, 1.0, 2.0], **kwargs)
    np.testing.assert_allclose(row, [0, 1 / 1.3, 2 / 1.3], rtol=1e-6)
    X = np.array([[0.0, 1.0, 2.0]], np.float32)
    expected = run_ort(X, axes=[1], **kwargs)
    assert expected.tolist() == [[0, 1, 2]]
    assert tconv.onnx.resize(X, axes=[1], **kwargs, runtime="onnxruntime").tolist() == \
        expected.tolist()


def test_roi_applies_on_an_axis_of_scale_one():
    # onnxruntime ignores roi on an axis whose output length equals the input's
    kwargs = {"roi": [0.2, 0.8], "sizes": [6], "mode": "linear",
              "coordinate_transformation_mode": "tf_crop_and_resize"}
    row = _row(np.arange(6.0), **kwargs)
    np.testing.assert_allclose(row, [1, 1.6, 2.2, 2.8, 3.4, 4])
    X = np.arange(12.0, dtype=np.float32).reshape(2, 6)
    expected = run_ort(X, axes=[1], **kwargs)
    np.testing.assert_array_equal(expected, X)
    np.testing.assert_array_equal(
        tconv.onnx.resize(X, axes=[1], **kwargs, runtime="onnxruntime"), expected)


def test_antialias_leaves_an_axis_of_unchanged_length_in_onnxruntime():
    # axis 2: 3 -> floor(3 * 1.2) = 3, mapped with scale 1.2 by the spec
    X = np.random.default_rng(2).standard_normal((1, 1, 3, 6)).astype(np.float32)
    kwargs = {"scales": [1.2, 0.5], "axes": [2, 3], "mode": "cubic", "antialias": 1}
    expected = run_ort(X, **kwargs)
    np.testing.assert_allclose(tconv.onnx.resize(X, **kwargs, runtime="onnxruntime"),
                               expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(tconv.onnx.resize(X, **kwargs), expected, atol=1e-3)


def test_exact_tie_follows_the_real_number_formula():
    # 7 -> 4, asymmetric: output 2 reads 2 * 7/4 = 3.5, a tie
    assert _row(np.arange(7.0), sizes=[4], coordinate_transformation_mode="asymmetric",
                nearest_mode="round_prefer_ceil").tolist() == [0, 2, 4, 5]
    assert _row(np.arange(7.0), sizes=[4], coordinate_transformation_mode="asymmetric",
                nearest_mode="round_prefer_floor").tolist() == [0, 2, 3, 5]


@pytest.mark.parametrize(("n", "kwargs", "spec", "onnxruntime"), [
    # half_pixel_symmetric + floor, 7 -> 3 at scale 0.5: output 0 reads exactly 1
    (7, {"scales": [0.5], "coordinate_transformation_mode": "half_pixel_symmetric",
         "nearest_mode": "ceil"}, [1, 3, 5], [1, 3, 5]),
])
def test_nearest_at_integer_coordinates(n, kwargs, spec, onnxruntime):
    X = np.arange(float(n), dtype=np.float32)[None]
    assert tconv.onnx.resize(X, axes=[1], **kwargs)[0].tolist() == spec
    assert run_ort(X, axes=[1], **kwargs)[0].tolist() == onnxruntime
    assert tconv.onnx.resize(X, axes=[1], **kwargs, runtime="onnxruntime")[0].tolist() == \
        onnxruntime


def test_nearest_keep_aspect_ratio_2d():
    # 4 x 6 to sizes 7 x 10, not_larger: scale 5/3 on both axes; output row 2
    # reads exactly row 1 (half_pixel, ceil), as the reference and onnxruntime
    X = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    kwargs = {"sizes": [7, 10], "keep_aspect_ratio_policy": "not_larger",
              "nearest_mode": "ceil"}
    Y = tconv.onnx.resize(X, **kwargs)
    assert Y.shape == (7, 10)
    assert Y[:, 0].tolist() == [0, 6, 6, 12, 18, 18, 18]
    np.testing.assert_array_equal(Y, run_ort(X, **kwargs))
    np.testing.assert_array_equal(Y, run_reference(X, **kwargs))


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
    X = np.array([[0.0, 4.0, 8.0]], np.float32)
    for mode in ("nearest", "linear"):
        np.testing.assert_array_equal(
            tconv.onnx.resize(X, sizes=[1, 7], mode=mode, exclude_outside=1),
            tconv.onnx.resize(X, sizes=[1, 7], mode=mode))
        with pytest.raises(ValueError, match="onnx.resize: exclude_outside=1 .*refused by "
                                             "onnxruntime"):
            tconv.onnx.resize(X, sizes=[1, 7], mode=mode, exclude_outside=1,
                              runtime="onnxruntime")
        with pytest.raises(Exception, match="exclude_outside"):
            run_ort(X, sizes=[1, 7], mode=mode, exclude_outside=1)


def test_any_rank_resizes_batch_and_channel_axes():
    X = np.arange(6.0).reshape(2, 3)
    Y = tconv.onnx.resize(X, scales=[2.0, 1.0])
    np.testing.assert_array_equal(Y, [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]])
    Z = tconv.onnx.resize(np.arange(4.0), sizes=[2], mode="linear")
    np.testing.assert_allclose(Z, [0.5, 2.5])


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
    ({"scales": [2.0] * 4, "exclude_outside": 2}, ValueError, "exclude_outside=2"),
    ({"scales": [2.0] * 4, "exclude_outside": np.array([1])}, TypeError,
     r"exclude_outside=array\(\[1\]\) must be the int 0 or 1"),
    ({"scales": [0.5] * 4, "mode": "linear", "antialias": np.array(1)}, TypeError,
     "antialias=array"),
    ({"scales": [2.0] * 4, "roi": "abc"}, TypeError, "roi='abc' must be a 1-D list"),
    ({"scales": [2.0] * 4, "roi": [0, 0, 0]}, ValueError, "roi=.* has 3 values; it needs 8"),
    ({"scales": {2.0, 1.0, 3.0, 4.0}}, TypeError, "scales=.* got set"),
    ({"sizes": {1: 1, 2: 1, 3: 8, 4: 8}}, TypeError, "sizes=.* got dict"),
    ({"sizes": [[1, 1], [8, 8]]}, TypeError, "sizes=.* must be a 1-D list of ints"),
    ({"scales": [2.0] * 4, "runtime": "ort"}, ValueError, "runtime='ort' is not known"),
    ({"sizes": [1, 1, 10**6, 10**6]}, ValueError,
     r"sizes=.* of shape \(1, 1, 1000000, 1000000\) \(8000000000000 bytes"),
    ({"scales": [1, 1, 1e5, 1e5]}, ValueError,
     "scales=.* bytes.*over the limit.*set_max_output_bytes"),
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


def test_huge_output_is_refused_before_allocating():
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="sizes=|output shape"):
            tconv.onnx.resize(np.zeros((2, 2), np.float32), sizes=[10**9, 10**9])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10**7


def test_onnxruntime_refuses_what_is_refused_here():
    # nearest with antialias, and scales with a keep-aspect policy, fail in onnxruntime too
    X = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(Exception, match="anti-aliasing"):
        run_ort(X, scales=[1, 1, 0.5, 0.5], mode="nearest", antialias=1)
    with pytest.raises(Exception, match="keep_aspect_ratio_policy"):
        run_ort(X, scales=[1, 1, 2, 2], keep_aspect_ratio_policy="not_larger")
