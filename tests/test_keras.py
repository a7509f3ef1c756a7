"""tconv's "same"/"valid" padding against Keras 3 layers (torch backend).

``tconv.conv(padding="same"/"valid")`` must equal Keras's ``Conv{1,2,3}D`` and
``tconv.conv_transpose(padding="same")`` Keras's ``Conv{1,2}DTranspose`` with
the same weights (docs/rules/keras.md). Keras kernels are
``(*k, C_in/groups, C_out)`` (conv) and ``(*k, C_out, C_in)`` (transposed);
both become PyTorch layout by moving the last two axes to the front, reversed,
with no spatial flip. Keras is channels-last; tconv channels-first.

Keras's transposed ``"valid"`` output is ``(n-1)*s + max(ke, s)``: when the
stride exceeds the effective kernel it appends ``s - ke`` zeros that PyTorch's
(and tconv's) ``"valid"`` does not have, so there tconv's result is compared
zero-extended.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tconv
from _tol import assert_close

keras = pytest.importorskip("keras")

if keras.backend.backend() != "torch":  # pragma: no cover - keras imported elsewhere first
    pytest.fail(f"keras was imported with the {keras.backend.backend()!r} backend before "
                "this module could select 'torch' (set KERAS_BACKEND=torch earlier)",
                pytrace=False)

LAYERS = {
    (1, False): keras.layers.Conv1D,
    (2, False): keras.layers.Conv2D,
    (3, False): keras.layers.Conv3D,
    (1, True): keras.layers.Conv1DTranspose,
    (2, True): keras.layers.Conv2DTranspose,
    (3, True): keras.layers.Conv3DTranspose,
}


# --------------------------------------------------------------------------- helpers

def to_numpy(value) -> np.ndarray:
    """Keras output (a torch tensor on this backend) as a float64 NumPy array."""
    return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)


def kernel_to_torch(kernel: np.ndarray) -> np.ndarray:
    """Keras ``(*k, A, B)`` -> PyTorch ``(B, A, *k)`` (2-D: ``transpose(3, 2, 0, 1)``)."""
    rank = kernel.ndim - 2
    return np.transpose(kernel, (rank + 1, rank, *range(rank)))


def to_channels_first(x: np.ndarray) -> np.ndarray:
    rank = x.ndim - 2
    return np.transpose(x, (0, rank + 1, *range(1, rank + 1)))


def to_channels_last(y: np.ndarray) -> np.ndarray:
    rank = y.ndim - 2
    return np.transpose(y, (0, *range(2, rank + 2), 1))


def keras_layer(rank, transposed, kernel, bias, *, strides, padding, dilation_rate=1,
                groups=1, input_shape):
    """A float64 channels-last Keras layer holding ``kernel`` and ``bias``."""
    filters = kernel.shape[-2] if transposed else kernel.shape[-1]
    options = {"filters": filters, "kernel_size": kernel.shape[:rank], "strides": strides,
               "padding": padding, "dilation_rate": dilation_rate,
               "use_bias": bias is not None, "data_format": "channels_last",
               "dtype": "float64"}
    if not transposed:
        options["groups"] = groups
    layer = LAYERS[rank, transposed](**options)
    layer.build(input_shape)
    layer.set_weights([kernel] if bias is None else [kernel, bias])
    return layer


def keras_result(rank, transposed, x, kernel, bias, **options) -> np.ndarray:
    layer = keras_layer(rank, transposed, kernel, bias, input_shape=x.shape, **options)
    return to_numpy(layer(x))


def scale_of(x, kernel) -> float:
    """Bound on the size of any output sum (for the absolute tolerance)."""
    return float(np.max(np.abs(x)) * np.sum(np.abs(kernel)) + 1.0)


def zero_extend(y: np.ndarray, shape) -> np.ndarray:
    """``y`` (channels-last) with zeros appended at the end of each spatial axis."""
    pads = [(0, 0)] + [(0, want - have) for have, want in zip(y.shape[1:-1], shape[1:-1])]
    return np.pad(y, pads + [(0, 0)])


# --------------------------------------------------------------------------- seed cases

SEED_X = np.array([[3, 5, 2, 7], [4, 1, 3, 8], [6, 3, 8, 2], [9, 6, 1, 5]], dtype=np.float64)
SEED_W = np.array([[1, 2, 1], [2, 1, 2], [1, 1, 2]], dtype=np.float64)
SEED_Y = np.array([[55, 52], [57, 50]], dtype=np.float64)
SEED_K = np.array([[1, 2], [2, 1]], dtype=np.float64)

# Worked out by hand.
# valid (0, 0): window rows 0-2, cols 0-2 times the kernel, row by row:
#   3*1 + 5*2 + 2*1  +  4*2 + 1*1 + 3*2  +  6*1 + 3*1 + 8*2  =  15 + 15 + 25  =  55
# valid (1, 1): 1*1 + 3*2 + 8*1  +  3*2 + 8*1 + 2*2  +  6*1 + 1*1 + 5*2  =  15 + 18 + 17  =  50
SEED_CONV_VALID = [[55, 52],
                   [57, 50]]
# same (stride 1, k 3): one zero on every side. (0, 0): the window is
#   [[0, 0, 0], [0, 3, 5], [0, 4, 1]] -> 3*1 + 5*2 + 4*1 + 1*2 = 19
# (3, 3): [[8, 2, 0], [1, 5, 0], [0, 0, 0]] -> 8*1 + 2*2 + 1*2 + 5*1 = 19
# (1, 2): rows 0-2, cols 1-3: 5*1+2*2+7*1 + 1*2+3*1+8*2 + 3*1+8*1+2*2 = 16 + 21 + 15 = 52
SEED_CONV_SAME = [[19, 26, 46, 22],
                  [29, 55, 52, 40],
                  [42, 57, 50, 43],
                  [36, 46, 44, 19]]
# Transposed, valid: every input value times the kernel, pasted at its own
# position and summed. (1, 1) collects one tap of each input:
#   55*k[1,1] + 52*k[1,0] + 57*k[0,1] + 50*k[0,0] = 55 + 104 + 114 + 50 = 323
# (0, 1): 55*k[0,1] + 52*k[0,0] = 110 + 52 = 162
SEED_CONV_T_VALID = [[55, 162, 104],
                     [167, 323, 152],
                     [114, 157, 50]]
# Transposed, same (stride 1): output n*s = 2; ke - s = 1 unit is cropped, at
# the END (odd unit at the end), so the top-left 2x2 block of the full output.
SEED_CONV_T_SAME = [[55, 162],
                    [167, 323]]
# Transposed, same, stride 2 (k = s: no overlap, nothing cropped): each input
# value times the kernel fills its own 2x2 block, e.g. 52*[[1, 2], [2, 1]].
SEED_CONV_T_SAME_S2 = [[55, 110, 52, 104],
                       [110, 55, 104, 52],
                       [57, 114, 50, 100],
                       [114, 57, 100, 50]]


def _hand_check_conv(x, w, pad):
    """Direct textbook loop (a third opinion next to Keras and tconv)."""
    padded = np.pad(x, pad)
    k = w.shape[0]
    n = padded.shape[0] - k + 1
    return [[float(np.sum(padded[i:i + k, j:j + k] * w)) for j in range(n)] for i in range(n)]


def test_seed_hand_numbers_are_right():
    """The literals above are what the textbook loops give (guards typos)."""
    assert _hand_check_conv(SEED_X, SEED_W, 0) == SEED_CONV_VALID
    assert _hand_check_conv(SEED_X, SEED_W, 1) == SEED_CONV_SAME
    full = np.zeros((3, 3))
    for i in range(2):
        for j in range(2):
            full[i:i + 2, j:j + 2] += SEED_Y[i, j] * SEED_K
    assert full.tolist() == SEED_CONV_T_VALID
    assert full[:2, :2].tolist() == SEED_CONV_T_SAME


@pytest.mark.parametrize("padding, expected", [("valid", SEED_CONV_VALID),
                                               ("same", SEED_CONV_SAME)])
def test_seed_conv2d(padding, expected):
    x = SEED_X.reshape(1, 4, 4, 1)
    kernel = SEED_W.reshape(3, 3, 1, 1)
    want = keras_result(2, False, x, kernel, None, strides=1, padding=padding)
    got = tconv.conv(to_channels_first(x), kernel.transpose(3, 2, 0, 1), padding=padding)
    assert isinstance(got, np.ndarray)
    assert_close(want, to_channels_last(np.asarray(expected, dtype=np.float64)[None, None]),
                 what="keras vs hand")
    assert_close(to_channels_last(got), want, what=f"tconv vs keras ({padding})")


@pytest.mark.parametrize("padding, stride, expected", [
    ("valid", 1, SEED_CONV_T_VALID),
    ("same", 1, SEED_CONV_T_SAME),
    ("same", 2, SEED_CONV_T_SAME_S2),
])
def test_seed_conv2d_transpose(padding, stride, expected):
    x = SEED_Y.reshape(1, 2, 2, 1)
    kernel = SEED_K.reshape(2, 2, 1, 1)  # (*k, C_out, C_in)
    want = keras_result(2, True, x, kernel, None, strides=stride, padding=padding)
    got = tconv.conv_transpose(to_channels_first(x), kernel.transpose(3, 2, 0, 1),
                               stride=stride, padding=padding)
    assert_close(want, to_channels_last(np.asarray(expected, dtype=np.float64)[None, None]),
                 what="keras vs hand")
    assert_close(to_channels_last(got), want, what=f"tconv vs keras ({padding}, s={stride})")


def test_seed_unbatched_and_lists():
    """Nested lists in, unbatched (C, H, W) out: same numbers."""
    got = tconv.conv([SEED_X.tolist()], [[SEED_W.tolist()]], padding="same")
    assert_close(got, np.asarray([SEED_CONV_SAME], dtype=np.float64))
    got = tconv.conv_transpose([SEED_Y.tolist()], [[SEED_K.tolist()]], padding="same")
    assert_close(got, np.asarray([SEED_CONV_T_SAME], dtype=np.float64))


# ---------------------------------------------------------------- docs/rules/keras.md rows

TAPS = np.array([1, 10, 100, 1000, 10000], dtype=np.float64)


@pytest.mark.parametrize("n, k, s, d, expected", [
    (7, 3, 2, 1, [210, 432, 654, 76]),
    (6, 3, 2, 1, [321, 543, 65]),
    (6, 4, 2, 1, [3210, 5432, 654]),
    (5, 2, 2, 1, [21, 43, 5]),
    (5, 3, 1, 2, [310, 420, 531, 42, 53]),
])
def test_semantics_same_conv1d(n, k, s, d, expected):
    x = np.arange(1, n + 1, dtype=np.float64).reshape(1, n, 1)
    kernel = TAPS[:k].reshape(k, 1, 1)
    want = keras_result(1, False, x, kernel, None, strides=s, padding="same", dilation_rate=d)
    assert want.ravel().tolist() == expected
    got = tconv.conv(to_channels_first(x), kernel_to_torch(kernel), stride=s, dilation=d,
                     padding="same")
    assert got.ravel().tolist() == expected


@pytest.mark.parametrize("k, s, padding, expected", [
    (3, 2, "valid", [1, 10, 102, 20, 203, 30, 300]),
    (3, 2, "same", [1, 10, 102, 20, 203, 30]),
    (4, 2, "same", [10, 102, 1020, 203, 2030, 300]),
    (5, 2, "same", [10, 102, 1020, 10203, 2030, 20300]),
    (2, 3, "valid", [1, 10, 0, 2, 20, 0, 3, 30, 0]),
    (2, 3, "same", [1, 10, 0, 2, 20, 0, 3, 30, 0]),
    (1, 3, "valid", [1, 0, 0, 2, 0, 0, 3, 0, 0]),
])
def test_semantics_conv1d_transpose(k, s, padding, expected):
    x = np.array([1, 2, 3], dtype=np.float64).reshape(1, 3, 1)
    kernel = TAPS[:k].reshape(k, 1, 1)
    want = keras_result(1, True, x, kernel, None, strides=s, padding=padding)
    assert want.ravel().tolist() == expected
    got = to_channels_last(tconv.conv_transpose(to_channels_first(x), kernel_to_torch(kernel),
                                                stride=s, padding=padding))
    if padding == "valid":  # Keras appends s - ke zeros when s > ke; PyTorch does not
        assert got.shape[1] == (3 - 1) * s + k
        got = zero_extend(got, want.shape)
    assert got.ravel().tolist() == expected


# --------------------------------------------------------------------------- Conv3D cases

@pytest.mark.parametrize("size, k, s, d, padding, groups", [
    ((4, 5, 3), (3, 2, 1), (1, 1, 1), (1, 2, 1), "same", 1),
    ((5, 4, 6), (2, 3, 3), (2, 1, 3), 1, "same", 2),
    ((5, 6, 4), (3, 3, 2), (2, 3, 1), 1, "valid", 1),
    ((6, 5, 5), (2, 2, 2), 1, (2, 1, 2), "valid", 2),
])
def test_conv3d(size, k, s, d, padding, groups):
    rng = np.random.default_rng(3)
    c_in, c_out = 2, 4
    x = rng.standard_normal((2, *size, c_in))
    kernel = rng.standard_normal((*k, c_in // groups, c_out))
    bias = rng.standard_normal(c_out)
    want = keras_result(3, False, x, kernel, bias, strides=s, padding=padding,
                        dilation_rate=d, groups=groups)
    got = tconv.conv(to_channels_first(x), kernel_to_torch(kernel), bias, stride=s,
                     padding=padding, dilation=d, groups=groups)
    assert_close(to_channels_last(got), want, scale=scale_of(x, kernel), what="conv3d")


@pytest.mark.parametrize("size, k, s, padding", [
    ((2, 3, 2), (3, 2, 1), (2, 1, 3), "same"),
    ((3, 2, 2), (2, 3, 4), (2, 2, 2), "same"),
    ((2, 2, 3), (3, 2, 2), (2, 1, 2), "valid"),  # s <= k on every axis
])
def test_conv3d_transpose(size, k, s, padding):
    rng = np.random.default_rng(4)
    c_in, c_out = 3, 2
    x = rng.standard_normal((1, *size, c_in))
    kernel = rng.standard_normal((*k, c_out, c_in))
    bias = rng.standard_normal(c_out)
    want = keras_result(3, True, x, kernel, bias, strides=s, padding=padding)
    got = tconv.conv_transpose(to_channels_first(x), kernel_to_torch(kernel), bias, stride=s,
                               padding=padding)
    assert_close(to_channels_last(got), want, scale=scale_of(x, kernel), what="conv3d_t")


# --------------------------------------------------------------------------- random configs

@st.composite
def conv_configs(draw, max_rank=2):
    """A Conv{1,2}D config Keras accepts: stride > 1 and dilation > 1 never together."""
    rank = draw(st.integers(1, max_rank))
    k = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    if draw(st.booleans()):
        s, d = tuple(draw(st.integers(1, 4)) for _ in range(rank)), (1,) * rank
    else:
        s, d = (1,) * rank, tuple(draw(st.integers(1, 3)) for _ in range(rank))
    padding = draw(st.sampled_from(["same", "valid"]))
    ke = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    if padding == "valid":  # by construction: n >= ke so the output is non-empty
        size = tuple(e + draw(st.integers(0, 6)) for e in ke)
    else:
        size = tuple(draw(st.integers(1, 8)) for _ in range(rank))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    batch = draw(st.integers(1, 2))
    use_bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return {"rank": rank, "k": k, "s": s, "d": d, "padding": padding, "size": size,
            "groups": groups, "c_in": c_in, "c_out": c_out, "batch": batch,
            "use_bias": use_bias, "seed": seed}


def _cfg(rank, k, s, d, padding, size, groups=1, c_in=1, c_out=1, batch=1, use_bias=False,
         seed=0):
    return {"rank": rank, "k": k, "s": s, "d": d, "padding": padding, "size": size,
            "groups": groups, "c_in": c_in, "c_out": c_out, "batch": batch,
            "use_bias": use_bias, "seed": seed}


@settings(max_examples=80, deadline=None)
@given(conv_configs())
@example(_cfg(1, (2,), (3,), (1,), "same", (7,)))           # stride > kernel
@example(_cfg(2, (4, 2), (2, 2), (1, 1), "same", (6, 5)))    # even kernels, odd pad unit
@example(_cfg(1, (3,), (1,), (3,), "same", (2,)))           # dilation > size
@example(_cfg(2, (3, 1), (1, 1), (1, 1), "same", (1, 1), groups=3, c_in=3, c_out=3))
@example(_cfg(2, (2, 3), (4, 1), (1, 1), "valid", (2, 3)))   # stride > kernel, size-1 out
def test_conv_matches_keras(cfg):
    rank, k = cfg["rank"], cfg["k"]
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal((cfg["batch"], *cfg["size"], cfg["c_in"]))
    kernel = rng.standard_normal((*k, cfg["c_in"] // cfg["groups"], cfg["c_out"]))
    bias = rng.standard_normal(cfg["c_out"]) if cfg["use_bias"] else None
    want = keras_result(rank, False, x, kernel, bias, strides=cfg["s"],
                        padding=cfg["padding"], dilation_rate=cfg["d"], groups=cfg["groups"])
    got = tconv.conv(to_channels_first(x), kernel_to_torch(kernel), bias, stride=cfg["s"],
                     padding=cfg["padding"], dilation=cfg["d"], groups=cfg["groups"])
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    expected_shape = tconv.conv_output_shape(cfg["size"], k, stride=cfg["s"],
                                             padding=cfg["padding"], dilation=cfg["d"])
    assert got.shape[2:] == expected_shape
    assert_close(to_channels_last(got), want, scale=scale_of(x, kernel), what=f"conv {cfg}")


@st.composite
def conv_transpose_configs(draw):
    """A Conv{1,2}DTranspose config Keras accepts (no groups on transposed layers)."""
    rank = draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    if draw(st.booleans()):
        s, d = tuple(draw(st.integers(1, 4)) for _ in range(rank)), (1,) * rank
    else:
        s, d = (1,) * rank, tuple(draw(st.integers(1, 3)) for _ in range(rank))
    padding = draw(st.sampled_from(["same", "same", "valid"]))
    size = tuple(draw(st.integers(1, 5)) for _ in range(rank))
    return {"rank": rank, "k": k, "s": s, "d": d, "padding": padding, "size": size,
            "c_in": draw(st.integers(1, 3)), "c_out": draw(st.integers(1, 3)),
            "batch": draw(st.integers(1, 2)), "use_bias": draw(st.booleans()),
            "seed": draw(st.integers(0, 2**32 - 1))}


def _tcfg(rank, k, s, d, padding, size, c_in=1, c_out=1, batch=1, use_bias=False, seed=0):
    return {"rank": rank, "k": k, "s": s, "d": d, "padding": padding, "size": size,
            "c_in": c_in, "c_out": c_out, "batch": batch, "use_bias": use_bias, "seed": seed}


@settings(max_examples=80, deadline=None)
@given(conv_transpose_configs())
@example(_tcfg(1, (2,), (3,), (1,), "same", (3,)))          # stride > kernel: zeros appended
@example(_tcfg(1, (2,), (3,), (1,), "valid", (3,)))         # Keras valid is longer than torch
@example(_tcfg(2, (4, 5), (2, 2), (1, 1), "same", (3, 2)))   # even kernel, crop (1, 1)
@example(_tcfg(2, (3, 3), (1, 1), (2, 3), "same", (2, 1), c_in=2, c_out=3))
@example(_tcfg(2, (1, 1), (3, 2), (1, 1), "valid", (1, 2)))  # bed of nails
def test_conv_transpose_matches_keras(cfg):
    rank, k, s, d = cfg["rank"], cfg["k"], cfg["s"], cfg["d"]
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal((cfg["batch"], *cfg["size"], cfg["c_in"]))
    kernel = rng.standard_normal((*k, cfg["c_out"], cfg["c_in"]))
    bias = rng.standard_normal(cfg["c_out"]) if cfg["use_bias"] else None
    want = keras_result(rank, True, x, kernel, bias, strides=s, padding=cfg["padding"],
                        dilation_rate=d)
    got = tconv.conv_transpose(to_channels_first(x), kernel_to_torch(kernel), bias, stride=s,
                               padding=cfg["padding"], dilation=d)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    got = to_channels_last(got)
    ke = [di * (ki - 1) + 1 for ki, di in zip(k, d)]
    if cfg["padding"] == "same":
        assert got.shape[1:-1] == tuple(n * si for n, si in zip(cfg["size"], s))
    elif any(si > e for si, e in zip(s, ke)):
        # Keras "valid" is (n-1)*s + max(ke, s): s - ke zeros past PyTorch's end
        # (the bias too is only on the part both have; Keras adds it everywhere).
        full = tuple((n - 1) * si + e for n, si, e in zip(cfg["size"], s, ke))
        assert got.shape[1:-1] == full
        assert want.shape[1:-1] == tuple((n - 1) * si + max(e, si)
                                         for n, si, e in zip(cfg["size"], s, ke))
        if bias is not None:
            got = got - bias
        got = zero_extend(got, want.shape)
        if bias is not None:
            got = got + bias
    assert_close(got, want, scale=scale_of(x, kernel), what=f"conv_transpose {cfg}")
