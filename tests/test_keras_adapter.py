"""``tconv.keras`` against the real Keras 3 layers (torch backend, float64).

``conv``, ``conv_transpose`` and ``upsampling`` take Keras's names, kernel
layouts and data formats and must equal ``Conv{1,2,3}D``,
``Conv{1,2,3}DTranspose`` and ``UpSampling{1,2,3}D`` holding the same
weights, including Keras's transposed window rule (docs/rules/keras.md, every
row of its table below). Bicubic up-sampling follows TensorFlow's definition
(docs/rules/keras.md, "Where the backends differ"), which Keras's torch backend does not use: it is
checked by hand-derived values and against JAX's ``scale_and_translate``.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tconv
import tconv.keras
from _tol import assert_close

keras = pytest.importorskip("keras")

if keras.backend.backend() != "torch":  # pragma: no cover - keras imported elsewhere first
    pytest.fail(f"keras was imported with the {keras.backend.backend()!r} backend",
                pytrace=False)

CONV = {1: keras.layers.Conv1D, 2: keras.layers.Conv2D, 3: keras.layers.Conv3D}
CONV_T = {1: keras.layers.Conv1DTranspose, 2: keras.layers.Conv2DTranspose,
          3: keras.layers.Conv3DTranspose}
UPSAMPLING = {1: keras.layers.UpSampling1D, 2: keras.layers.UpSampling2D,
              3: keras.layers.UpSampling3D}
FORMATS = ("channels_last", "channels_first")
SMALL = settings(max_examples=100, deadline=None)


def to_numpy(value) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)


def run_layer(layer, x, weights=None) -> np.ndarray:
    layer.build(x.shape)
    if weights is not None:
        layer.set_weights(weights)
    return to_numpy(layer(x))


def input_shape(n, rank, channels, data_format, spatial):
    spatial = tuple(spatial)
    if data_format == "channels_last":
        return (n, *spatial, channels)
    return (n, channels, *spatial)


def keras_conv(x, kernel, bias, **options):
    rank = kernel.ndim - 2
    layer = CONV[rank](filters=kernel.shape[-1], kernel_size=kernel.shape[:rank],
                       use_bias=bias is not None, dtype="float64", **options)
    return run_layer(layer, x, [kernel] if bias is None else [kernel, bias])


def keras_conv_transpose(x, kernel, bias, **options):
    rank = kernel.ndim - 2
    layer = CONV_T[rank](filters=kernel.shape[-2], kernel_size=kernel.shape[:rank],
                         use_bias=bias is not None, dtype="float64", **options)
    return run_layer(layer, x, [kernel] if bias is None else [kernel, bias])


def scale_of(x, kernel) -> float:
    return float(np.max(np.abs(x)) * np.sum(np.abs(kernel)) + 1.0)


# --------------------------------------------------------------------------- strategies

@st.composite
def strides_and_dilation(draw, rank):
    """Per-axis strides and dilation rates, never both above 1 (Keras's rule)."""
    if draw(st.booleans()):
        return draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank)), [1] * rank
    return [1] * rank, draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))


# --------------------------------------------------------------------------- conv

@SMALL
@given(data=st.data())
def test_conv_matches_keras(data):
    rank = data.draw(st.integers(1, 3), label="rank")
    data_format = data.draw(st.sampled_from(FORMATS), label="data_format")
    paddings = ["valid", "same"] + (["causal"] if rank == 1 else [])
    padding = data.draw(st.sampled_from(paddings), label="padding")
    groups = data.draw(st.integers(1, 3), label="groups")
    c_in = groups * data.draw(st.integers(1, 2), label="c_in/groups")
    c_out = groups * data.draw(st.integers(1, 2), label="c_out/groups")
    ks = data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank), label="k")
    strides, dilation = data.draw(strides_and_dilation(rank), label="strides, dilation")
    spans = [d * (k - 1) + 1 for k, d in zip(ks, dilation)]
    sizes = [span + data.draw(st.integers(0, 4)) for span in spans]
    use_bias = data.draw(st.booleans(), label="bias")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = rng.standard_normal(input_shape(2, rank, c_in, data_format, sizes))
    kernel = rng.standard_normal((*ks, c_in // groups, c_out))
    bias = rng.standard_normal(c_out) if use_bias else None
    options = {"strides": strides, "padding": padding, "dilation_rate": dilation,
               "groups": groups, "data_format": data_format}
    want = keras_conv(x, kernel, bias, **options)
    got = tconv.keras.conv(x, kernel, bias, **options)
    assert_close(got, want, scale=scale_of(x, kernel), what=f"conv {options}")


def test_conv_causal_literal():
    """docs/rules/keras.md: x=[1,2,3,4], k=3 -> [100, 210, 321, 432]."""
    x = np.arange(1.0, 5.0).reshape(1, 4, 1)
    kernel = np.array([1.0, 10.0, 100.0]).reshape(3, 1, 1)
    want = np.array([100.0, 210.0, 321.0, 432.0]).reshape(1, 4, 1)
    assert_close(keras_conv(x, kernel, None, padding="causal"), want, what="keras")
    assert_close(tconv.keras.conv(x, kernel, padding="causal"), want, what="tconv.keras")


@pytest.mark.parametrize("n, k, s, d, expected", [
    (7, 3, 2, 1, [210, 432, 654, 76]),
    (6, 3, 2, 1, [321, 543, 65]),
    (6, 4, 2, 1, [3210, 5432, 654]),
    (5, 2, 2, 1, [21, 43, 5]),
    (5, 3, 1, 2, [310, 420, 531, 42, 53]),
])
def test_conv_same_rows(n, k, s, d, expected):
    """docs/rules/keras.md's table of forward "same" convolutions."""
    x = np.arange(1.0, n + 1).reshape(1, 1, n)
    kernel = (10.0 ** np.arange(k)).reshape(k, 1, 1)
    options = {"strides": s, "dilation_rate": d, "padding": "same",
               "data_format": "channels_first"}
    want = np.asarray(expected, dtype=np.float64).reshape(1, 1, -1)
    assert_close(keras_conv(x, kernel, None, **options), want, what="keras")
    assert_close(tconv.keras.conv(x, kernel, **options), want, what="tconv.keras")


# --------------------------------------------------------------------------- conv_transpose

@SMALL
@given(data=st.data())
def test_conv_transpose_matches_keras(data):
    rank = data.draw(st.integers(1, 3), label="rank")
    data_format = data.draw(st.sampled_from(FORMATS), label="data_format")
    padding = data.draw(st.sampled_from(["valid", "same"]), label="padding")
    c_in, c_out = data.draw(st.integers(1, 3), label="c_in"), data.draw(st.integers(1, 3))
    ks = data.draw(st.lists(st.integers(1, 5), min_size=rank, max_size=rank), label="k")
    strides, dilation = data.draw(strides_and_dilation(rank), label="strides, dilation")
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank), label="n")
    output_padding = None
    if data.draw(st.booleans(), label="with output_padding"):
        output_padding = [data.draw(st.integers(0, s - 1)) for s in strides]
        if padding == "same":
            # An axis of length (n-1)*s + ke % 2 + op == 0 is an error (tested below).
            spans = [d * (k - 1) + 1 for k, d in zip(ks, dilation)]
            sizes = [max(n, 2) if span % 2 == 0 and op == 0 else n
                     for n, span, op in zip(sizes, spans, output_padding)]
    use_bias = data.draw(st.booleans(), label="bias")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = rng.standard_normal(input_shape(2, rank, c_in, data_format, sizes))
    kernel = rng.standard_normal((*ks, c_out, c_in))
    bias = rng.standard_normal(c_out) if use_bias else None
    options = {"strides": strides, "padding": padding, "output_padding": output_padding,
               "dilation_rate": dilation, "data_format": data_format}
    want = keras_conv_transpose(x, kernel, bias, **options)
    got = tconv.keras.conv_transpose(x, kernel, bias, **options)
    assert_close(got, want, scale=scale_of(x, kernel), what=f"conv_transpose {options}")


# docs/rules/keras.md: x = [1, 2, 3], kernel taps 1, 10, 100, ...
TABLE_2_2 = [
    (3, 2, "valid", None, [1, 10, 102, 20, 203, 30, 300]),
    (3, 2, "same", None, [1, 10, 102, 20, 203, 30]),
    (4, 2, "same", None, [10, 102, 1020, 203, 2030, 300]),
    (5, 2, "same", None, [10, 102, 1020, 10203, 2030, 20300]),
    (2, 3, "valid", None, [1, 10, 0, 2, 20, 0, 3, 30, 0]),
    (2, 3, "same", None, [1, 10, 0, 2, 20, 0, 3, 30, 0]),
    (1, 3, "valid", None, [1, 0, 0, 2, 0, 0, 3, 0, 0]),
    (3, 2, "same", 0, [10, 102, 20, 203, 30]),
    (3, 2, "same", 1, [1, 10, 102, 20, 203, 30]),
    (4, 2, "same", 0, [102, 1020, 203, 2030]),
    (4, 2, "same", 1, [10, 102, 1020, 203, 2030]),
    (5, 3, "same", 2, [10, 100, 1002, 10020, 200, 2003, 20030, 300, 3000]),
    (3, 2, "valid", 1, [1, 10, 102, 20, 203, 30, 300, 0]),
    (2, 3, "valid", 2, [1, 10, 0, 2, 20, 0, 3, 30, 0, 0]),
]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("k, s, padding, output_padding, expected", TABLE_2_2)
def test_conv_transpose_table_rows(k, s, padding, output_padding, expected, data_format):
    shape = (1, 3, 1) if data_format == "channels_last" else (1, 1, 3)
    x = np.array([1.0, 2.0, 3.0]).reshape(shape)
    kernel = (10.0 ** np.arange(k)).reshape(k, 1, 1)
    options = {"strides": s, "padding": padding, "output_padding": output_padding,
               "data_format": data_format}
    want = np.asarray(expected, dtype=np.float64)
    want = want.reshape((1, -1, 1) if data_format == "channels_last" else (1, 1, -1))
    assert_close(keras_conv_transpose(x, kernel, None, **options), want, what="keras")
    assert_close(tconv.keras.conv_transpose(x, kernel, **options), want, what="tconv.keras")


def test_conv_transpose_dilated_same_is_torch_crop():
    """Last row of 2.2: k=3, d=2, s=1, "same" == PyTorch padding 2 (crop 2/2)."""
    x = np.array([1.0, 2.0, 3.0]).reshape(1, 1, 3)
    kernel = np.array([1.0, 10.0, 100.0]).reshape(3, 1, 1)
    options = {"padding": "same", "dilation_rate": 2, "data_format": "channels_first"}
    want = tconv.conv_transpose(x, kernel.transpose(2, 1, 0), padding=2, dilation=2)
    assert want.shape == (1, 1, 3)
    assert_close(keras_conv_transpose(x, kernel, None, **options), want, what="keras")
    assert_close(tconv.keras.conv_transpose(x, kernel, **options), want, what="tconv.keras")


def test_conv_transpose_bias_and_2d_layout():
    """Bias after the window; (*k, C_out, C_in) kernel; channels_last 2-D."""
    x = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    kernel = np.arange(1.0, 19.0).reshape(3, 1, 3, 2) / 4     # C_out=3, C_in=2
    bias = np.array([1.0, -2.0, 0.5])
    options = {"strides": (3, 2), "padding": "same"}
    want = keras_conv_transpose(x, kernel, bias, **options)
    assert want.shape == (1, 6, 4, 3)
    assert_close(tconv.keras.conv_transpose(x, kernel, bias, **options), want)


def test_torch_tensors_keep_autograd():
    torch = pytest.importorskip("torch")
    x = torch.arange(1.0, 7.0, dtype=torch.float64).reshape(1, 3, 2).requires_grad_()
    kernel = torch.ones(2, 1, 2, dtype=torch.float64)
    y = tconv.keras.conv_transpose(x, kernel, strides=3)
    assert isinstance(y, torch.Tensor) and y.shape == (1, 9, 1)
    y.sum().backward()
    assert torch.equal(x.grad, torch.full((1, 3, 2), 2.0, dtype=torch.float64))
    image = torch.arange(4.0).reshape(1, 2, 2, 1).requires_grad_()
    y = tconv.keras.upsampling(image, 2, "bicubic")
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float32 and y.shape == (1, 4, 4, 1)
    assert_close(y.detach().numpy(), tconv.keras.upsampling(image.detach().numpy(), 2, "bicubic"),
                 dtype=np.float32)
    y.sum().backward()
    assert image.grad is not None


# --------------------------------------------------------------------------- upsampling

@SMALL
@given(data=st.data())
def test_upsampling_matches_keras(data):
    rank = data.draw(st.integers(1, 3), label="rank")
    data_format = data.draw(st.sampled_from(FORMATS), label="data_format")
    interpolation = "nearest"
    if rank == 2:
        interpolation = data.draw(st.sampled_from(["nearest", "bilinear"]), label="mode")
    size = data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank), label="size")
    if rank == 1:
        size = size[0]
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank), label="S")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = rng.standard_normal(input_shape(2, rank, data.draw(st.integers(1, 3)), data_format,
                                        sizes))
    options = {"size": size, "data_format": data_format}
    if rank == 2:
        options["interpolation"] = interpolation
    if rank == 1:  # UpSampling1D has no data_format: it is always (N, steps, C)
        layer_x = x if data_format == "channels_last" else x.transpose(0, 2, 1)
        want = run_layer(UPSAMPLING[1](size=size, dtype="float64"), layer_x)
        want = want if data_format == "channels_last" else want.transpose(0, 2, 1)
    else:
        want = run_layer(UPSAMPLING[rank](dtype="float64", **options), x)
    got = tconv.keras.upsampling(x, **options)
    assert_close(got, want, scale=float(np.max(np.abs(x))) + 1, what=f"upsampling {options}")


def test_bicubic_literal():
    """TF bicubic of [0, 4] by 2, by hand: Keys a=-0.5, outside taps dropped.

    Output 0 samples input -0.25: taps 0 (distance 0.25, weight 111/128) and
    1 (1.25, -9/128), renormalised by 102/128: 4 * -9/102 = -6/17. Output 1
    samples 0.25: weights 111/128 and 29/128 over 140/128: 4 * 29/140 = 29/35.
    The other two mirror these.
    """
    x = np.array([0.0, 4.0]).reshape(1, 1, 2, 1)            # channels_last, H=1, W=2
    got = tconv.keras.upsampling(x, (1, 2), "bicubic")
    want = np.array([-6 / 17, 29 / 35, 4 - 29 / 35, 4 + 6 / 17]).reshape(1, 1, 4, 1)
    assert_close(got, want)


@settings(max_examples=10, deadline=None)
@given(h=st.integers(1, 5), w=st.integers(1, 5), fh=st.integers(1, 4), fw=st.integers(1, 4),
       seed=st.integers(0, 2**32 - 1))
def test_bicubic_matches_jax_scale_and_translate(h, w, fh, fw, seed):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    want = jax.image.scale_and_translate(x, (2, 3, h * fh, w * fw), (2, 3), np.array([fh, fw]),
                                         np.zeros(2), "cubic", antialias=False)
    got = tconv.keras.upsampling(x, (fh, fw), "bicubic", data_format="channels_first")
    assert_close(got, np.asarray(want), scale=float(np.max(np.abs(x))) + 1)


def test_bicubic_keeps_float32_and_constants():
    x = np.full((1, 3, 2, 1), 2.5, dtype=np.float32)
    y = tconv.keras.upsampling(x, 3, "bicubic")
    assert y.dtype == np.float32 and y.shape == (1, 9, 6, 1)
    assert_close(y, np.full((1, 9, 6, 1), 2.5), dtype=np.float32)


# --------------------------------------------------------------------------- errors

def test_output_padding_not_below_strides():
    x, kernel = np.ones((1, 3, 1)), np.ones((3, 1, 1))
    with pytest.raises(ValueError):
        CONV_T[1](filters=1, kernel_size=3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding"):
        tconv.keras.conv_transpose(x, kernel, strides=2, output_padding=2)


@pytest.mark.parametrize("transposed", [False, True])
def test_strides_with_dilation(transposed):
    x, kernel = np.ones((1, 9, 1)), np.ones((3, 1, 1))
    layers = CONV_T if transposed else CONV
    with pytest.raises(ValueError):
        layers[1](filters=1, kernel_size=3, strides=2, dilation_rate=2)
    func = tconv.keras.conv_transpose if transposed else tconv.keras.conv
    with pytest.raises(ValueError, match="dilation_rate"):
        func(x, kernel, strides=2, dilation_rate=2)


def test_groups_divisibility():
    with pytest.raises(ValueError):
        CONV[1](filters=3, kernel_size=1, groups=2)
    with pytest.raises(ValueError, match="groups"):            # filters 3, groups 2
        tconv.keras.conv(np.ones((1, 4, 2)), np.ones((1, 1, 3)), groups=2)
    with pytest.raises(ValueError, match="groups"):            # C_in 3, groups 2
        tconv.keras.conv(np.ones((1, 4, 3)), np.ones((1, 1, 2)), groups=2)


@pytest.mark.parametrize("func, args, options, name", [
    (tconv.keras.conv, ((1, 4, 1), (2, 1, 1)), {"padding": "full"}, "padding"),
    (tconv.keras.conv, ((1, 4, 4, 1), (2, 2, 1, 1)), {"padding": "causal"}, "causal"),
    (tconv.keras.conv, ((1, 4, 1), (2, 1, 1)), {"data_format": "NCHW"}, "data_format"),
    (tconv.keras.conv_transpose, ((1, 4, 1), (2, 1, 1)), {"padding": "causal"}, "padding"),
    (tconv.keras.conv_transpose, ((1, 4, 1), (2, 1, 1)), {"data_format": "nhwc"},
     "data_format"),
    (tconv.keras.upsampling, ((1, 4, 4, 1),), {"interpolation": "lanczos9"}, "interpolation"),
    (tconv.keras.upsampling, ((1, 4, 1),), {"interpolation": "bilinear"}, "interpolation"),
    (tconv.keras.upsampling, ((1, 4, 1),), {"data_format": "channels_middle"}, "data_format"),
    (tconv.keras.upsampling, ((1, 4, 1),), {"size": 0}, "size"),
])
def test_bad_options(func, args, options, name):
    with pytest.raises(ValueError, match=name):
        func(*(np.ones(shape) for shape in args), **options)


def test_empty_transposed_output_is_an_error():
    """"same", even ke, output_padding 0, n = 1: Keras's length (n-1)*s + 0 is 0."""
    with pytest.raises(ValueError):
        tconv.keras.conv_transpose(np.ones((1, 1, 1)), np.ones((2, 1, 1)), strides=2,
                                   padding="same", output_padding=0)


def test_case_insensitive_options_as_keras():
    x, kernel = np.arange(1.0, 5.0).reshape(1, 4, 1), np.ones((2, 1, 1))
    assert_close(tconv.keras.conv(x, kernel, padding="SAME", data_format="Channels_Last"),
                 tconv.keras.conv(x, kernel, padding="same"))
