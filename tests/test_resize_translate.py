"""``tconv.resize_to_onnx`` / ``resize_from_onnx``: every row of docs/rules/onnx.md run both ways.

Each framework setting is run in the framework itself (torch
``interpolate``, ``jax.image.resize``, Keras 3 ``keras.ops.image.resize`` and
``UpSampling2D`` on the torch backend) and compared with onnxruntime's
Resize given the translated attributes. Sizes are drawn with
``gcd(in, out) == 1`` for the nearest modes, so no source coordinate is an
exact tie that float32 arithmetic could tip either way (docs/rules/interpolate.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tconv

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
keras = pytest.importorskip("keras")
pytest.importorskip("onnxruntime")

from test_onnx_resize import run_ort

SETTINGS = settings(max_examples=80, deadline=None)
JAX_SETTINGS = settings(max_examples=20, deadline=None)  # one XLA compile per shape

TORCH_ROWS = [
    ("nearest", None, False), ("nearest-exact", None, False),
    ("bilinear", False, False), ("bilinear", True, False), ("bilinear", None, True),
    ("bicubic", False, False), ("bicubic", True, False), ("bicubic", False, True),
]


def _sizes(draw, rank, nearest):
    pairs = []
    for _ in range(rank):
        n = draw(st.integers(1, 9))
        m = draw(st.integers(1, 13).filter(lambda m, n=n: not nearest or math.gcd(n, m) == 1))
        pairs.append((n, m))
    return pairs


@st.composite
def torch_cases(draw):
    mode, align_corners, antialias = draw(st.sampled_from(TORCH_ROWS))
    pairs = _sizes(draw, 2, mode.startswith("nearest"))
    if antialias and pairs[1][1] == 1:
        # torch 2.13's antialiased kernels ignore the H axis when the output
        # width is 1 (2x1 -> 3x1 bicubic: one value repeated): a torch bug
        pairs[1] = (pairs[1][0], 2)
    return mode, align_corners, antialias, pairs, draw(st.integers(0, 2**16))


def _compare(actual, expected):
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@SETTINGS
@given(torch_cases())
def test_torch_2d_rows_match_onnxruntime(case):
    mode, align_corners, antialias, pairs, seed = case
    x = np.random.default_rng(seed).standard_normal((1, 2, *(n for n, _ in pairs)))
    x = x.astype(np.float32)
    size = [m for _, m in pairs]
    options = {} if align_corners is None else {"align_corners": align_corners}
    if antialias:
        options["antialias"] = True
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode,
                                               **options).numpy()
    attrs = tconv.resize_to_onnx("torch", mode, **options)
    _compare(run_ort(x, sizes=size, axes=[2, 3], **attrs), expected)


@SETTINGS
@given(st.sampled_from([("linear", 1), ("trilinear", 3), ("nearest", 1), ("nearest", 3),
                        ("nearest-exact", 3)]),
       st.booleans(), st.data())
def test_torch_1d_and_3d_rows_match_onnxruntime(mode_rank, align_corners, data):
    mode, rank = mode_rank
    pairs = _sizes(data.draw, rank, mode.startswith("nearest"))
    x = np.random.default_rng(rank).standard_normal((1, 1, *(n for n, _ in pairs)))
    x = x.astype(np.float32)
    size = [m for _, m in pairs]
    options = {} if mode.startswith("nearest") else {"align_corners": align_corners}
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode,
                                               **options).numpy()
    attrs = tconv.resize_to_onnx("torch", mode, **options)
    axes = list(range(2, 2 + rank))
    _compare(run_ort(x, sizes=size, axes=axes, **attrs), expected)


def test_torch_scale_factor_maps_with_onnx_scales():
    # scale_factor without recompute: the same mapping scale as ONNX's scales input
    x = np.arange(3.0, dtype=np.float32).reshape(1, 1, 3)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), scale_factor=1.5,
                                               mode="linear").numpy()
    attrs = tconv.resize_to_onnx("torch", "linear")
    _compare(run_ort(x, scales=[1.5], axes=[2], **attrs), expected)


@st.composite
def jax_cases(draw):
    method = draw(st.sampled_from(["nearest", "linear", "cubic"]))
    antialias = draw(st.booleans())
    pairs = _sizes(draw, 2, method == "nearest")
    return method, antialias, pairs, draw(st.integers(0, 2**16))


@JAX_SETTINGS
@given(jax_cases())
def test_jax_rows_match_onnxruntime(case):
    method, antialias, pairs, seed = case
    x = np.random.default_rng(seed).standard_normal((1, 2, *(n for n, _ in pairs)))
    x = x.astype(np.float32)
    size = [m for _, m in pairs]
    expected = np.asarray(jax.image.resize(x, (1, 2, *size), method=method,
                                           antialias=antialias))
    attrs = tconv.resize_to_onnx("jax", method, antialias=antialias)
    _compare(run_ort(x, sizes=size, axes=[2, 3], **attrs), expected)


@st.composite
def keras_cases(draw):
    interpolation = draw(st.sampled_from(["nearest", "bilinear", "bicubic"]))
    antialias = draw(st.booleans())
    pairs = _sizes(draw, 2, interpolation == "nearest")
    if antialias and pairs[1][1] == 1:  # Keras's torch backend: torch's bug, see above
        pairs[1] = (pairs[1][0], 2)
    return interpolation, antialias, pairs, draw(st.integers(0, 2**16))


@SETTINGS
@given(keras_cases())
def test_keras_rows_match_onnxruntime(case):
    interpolation, antialias, pairs, seed = case
    x = np.random.default_rng(seed).standard_normal((1, 2, *(n for n, _ in pairs)))
    x = x.astype(np.float32)
    size = [m for _, m in pairs]
    attrs = tconv.resize_to_onnx("keras", interpolation, antialias=antialias)
    actual = run_ort(x, sizes=size, axes=[2, 3], **attrs)
    if interpolation == "bicubic" and not antialias:
        # Keras's torch backend runs torch's bicubic here (docs/rules/keras.md); the
        # TensorFlow/JAX definition is jax.image.resize's
        expected = np.asarray(jax.image.resize(x, (1, 2, *size), method="cubic",
                                               antialias=False))
        _compare(actual, expected)
        torch_attrs = tconv.resize_to_onnx("torch", "bicubic")
        keras_torch = keras.ops.convert_to_numpy(keras.ops.image.resize(
            x, size, interpolation="bicubic", data_format="channels_first"))
        _compare(run_ort(x, sizes=size, axes=[2, 3], **torch_attrs), keras_torch)
        return
    expected = keras.ops.convert_to_numpy(keras.ops.image.resize(
        x, size, interpolation=interpolation, antialias=antialias,
        data_format="channels_first"))
    _compare(actual, expected)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("factor", [(2, 3), (3, 1)])
def test_keras_upsampling2d_matches_onnxruntime(interpolation, factor):
    x = np.random.default_rng(1).standard_normal((1, 4, 5, 2)).astype(np.float32)
    layer = keras.layers.UpSampling2D(size=factor, interpolation=interpolation)
    expected = keras.ops.convert_to_numpy(layer(x))
    attrs = tconv.resize_to_onnx("keras", interpolation)
    actual = run_ort(x, scales=[float(f) for f in factor], axes=[1, 2], **attrs)
    _compare(actual, expected)


# ---------------------------------------------------------------------- the way back


def _all_settings():
    for rank in (1, 2, 3):
        linear = {1: "linear", 2: "bilinear", 3: "trilinear"}[rank]
        yield "torch", rank, {"mode": "nearest"}
        yield "torch", rank, {"mode": "nearest-exact"}
        for ac in (False, True):
            yield "torch", rank, {"mode": linear, "align_corners": ac, "antialias": False}
    yield "torch", 2, {"mode": "bilinear", "align_corners": False, "antialias": True}
    for ac in (False, True):
        yield "torch", 2, {"mode": "bicubic", "align_corners": ac, "antialias": False}
    yield "torch", 2, {"mode": "bicubic", "align_corners": False, "antialias": True}
    for name in ("nearest", "linear", "cubic"):
        for aa in (False, True) if name != "nearest" else (False,):
            yield "jax", 2, {"method": name, "antialias": aa}
    for framework in ("tf", "keras"):
        for name in ("nearest", "bilinear", "bicubic"):
            for aa in (False, True) if name != "nearest" else (False,):
                yield framework, 2, {"interpolation": name, "antialias": aa}


@pytest.mark.parametrize(("framework", "rank", "flags"), list(_all_settings()))
def test_from_onnx_inverts_to_onnx(framework, rank, flags):
    name = flags.get("mode") or flags.get("method") or flags.get("interpolation")
    options = {k: v for k, v in flags.items() if k not in ("mode", "method", "interpolation")}
    attributes = tconv.resize_to_onnx(framework, name, **options)
    assert tconv.resize_from_onnx(attributes, framework, rank=rank) == flags


def test_from_onnx_reads_defaults_and_bytes():
    assert tconv.resize_from_onnx({"mode": b"linear"}, "torch") == \
        {"mode": "bilinear", "align_corners": False, "antialias": False}
    assert tconv.resize_from_onnx({"mode": "linear"}, "torch", rank=3)["mode"] == "trilinear"
    # exclude_outside does not matter for linear without antialias
    assert tconv.resize_from_onnx({"mode": "linear", "exclude_outside": 1}, "jax") == \
        {"method": "linear", "antialias": False}


@pytest.mark.parametrize(("attributes", "framework", "match"), [
    ({"mode": "nearest"}, "torch", r"closest is \{'mode': 'nearest-exact'\}.*nearest_mode"),
    ({"mode": "cubic"}, "jax", "closest is .*'cubic'.*cubic_coeff_a"),
    ({"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"}, "torch",
     "coordinate_transformation_mode"),
    ({"mode": "linear", "coordinate_transformation_mode": "align_corners"}, "keras",
     "keras setting equals.*half_pixel"),
    ({"mode": "cubic", "cubic_coeff_a": -0.6}, "torch", "cubic_coeff_a"),
])
def test_from_onnx_without_equivalent_names_the_closest(attributes, framework, match):
    with pytest.raises(ValueError, match="resize_from_onnx: no .*" + match):
        tconv.resize_from_onnx(attributes, framework)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: tconv.resize_to_onnx("mxnet", "nearest"), ValueError, "framework='mxnet'"),
    (lambda: tconv.resize_to_onnx("torch", "cubic"), ValueError, "mode='cubic'"),
    (lambda: tconv.resize_to_onnx("torch", "area"), ValueError, "area.*AveragePool"),
    (lambda: tconv.resize_to_onnx("torch", "nearest", align_corners=False), ValueError,
     "align_corners=False is not allowed"),
    (lambda: tconv.resize_to_onnx("torch", "nearest", antialias=True), ValueError,
     "antialias=True is not allowed"),
    (lambda: tconv.resize_to_onnx("torch", "linear", antialias=True), ValueError,
     "antialias=True is not allowed with torch mode 'linear'"),
    (lambda: tconv.resize_to_onnx("torch", "bilinear", align_corners=True, antialias=True),
     ValueError, "no exact ONNX Resize equivalent.*0.3"),
    (lambda: tconv.resize_to_onnx("torch", "bilinear", align_corners=1), TypeError,
     "align_corners=1"),
    (lambda: tconv.resize_to_onnx("jax", "lanczos3"), ValueError, "Lanczos"),
    (lambda: tconv.resize_to_onnx("jax", "linear", align_corners=True), ValueError,
     "torch flag"),
    (lambda: tconv.resize_to_onnx("keras", "area"), ValueError, "AveragePool"),
    (lambda: tconv.resize_to_onnx("keras", "bilinear", antialias="yes"), TypeError,
     "antialias='yes'"),
    (lambda: tconv.resize_from_onnx(["linear"], "torch"), TypeError, "must be a dict"),
    (lambda: tconv.resize_from_onnx({"mode": "linear", "scale": 2}, "torch"), ValueError,
     "unknown keys"),
    (lambda: tconv.resize_from_onnx({"mode": "bilinear"}, "torch"), ValueError,
     "mode='bilinear'"),
    (lambda: tconv.resize_from_onnx({"mode": "linear"}, "torch", rank=4), ValueError,
     "rank=4"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=r"resize_(to|from)_onnx: .*" + match):
        call()


def test_torch_area_recipes_in_the_message_hold():
    # up-sampling by an integer factor: area == nearest; down: area == average pool
    x = torch.arange(6.0).reshape(1, 1, 6)
    area_up = torch.nn.functional.interpolate(x, size=12, mode="area").numpy()
    attrs = tconv.resize_to_onnx("torch", "nearest")
    _compare(run_ort(x.numpy(), sizes=[12], axes=[2], **attrs), area_up)
    area_down = torch.nn.functional.interpolate(x, size=3, mode="area").numpy()
    np.testing.assert_allclose(area_down.ravel(), [0.5, 2.5, 4.5])
