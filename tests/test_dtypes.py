"""The dtype rule: floats kept, ints and bools computed in float64, NumPy promotion.

The public rule: "Floating dtypes are kept (float16, float32, float64). Integer and bool
inputs are computed in float64. Mixed dtypes follow NumPy's promotion." Nested
lists are NumPy input.
"""

from __future__ import annotations

import numpy as np
import pytest

import tconv
from _cases import case
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")

OPS = {
    "conv_transpose": (tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS),
    "conv": (tconv.conv, tconv.CONV_ALGORITHMS),
}
CASES = {
    "conv_transpose": case(True, (4, 3), 3, stride=2, padding=((1, 0), 1), output_padding=1,
                           groups=2, in_channels=2, out_channels=4, has_bias=True),
    "conv": case(False, (5, 4), 3, stride=(2, 1), padding=((1, 0), 1), dilation=(1, 2),
                 groups=2, in_channels=2, out_channels=4, has_bias=True),
}
FLOATS = ["float16", "float32", "float64"]


def _reference(kind, x, weight, bias):
    """float64 torch reference and its tolerance scale."""
    return ref.expected_and_scale(CASES[kind], np.asarray(x, dtype=np.float64),
                                  np.asarray(weight, dtype=np.float64),
                                  None if bias is None else np.asarray(bias, dtype=np.float64))


@pytest.fixture(params=list(OPS))
def kind(request):
    return request.param


@pytest.mark.parametrize("dtype", FLOATS)
def test_numpy_float_dtype_is_kept_and_values_are_close(kind, dtype):
    """float16 too, within the float16 tolerance of a float64 reference."""
    op, algorithms = OPS[kind]
    c = CASES[kind]
    x, weight, bias = c.arrays(np.dtype(dtype))
    expected, scale = _reference(kind, x, weight, bias)
    for name in algorithms:
        got = op(x, weight, bias, algorithm=name, **c.kwargs())
        assert isinstance(got, np.ndarray) and got.dtype == np.dtype(dtype), (name, got.dtype)
        assert_close(got, expected, dtype=dtype, scale=scale, what=f"{name} {dtype}")


@pytest.mark.parametrize("dtype", FLOATS)
def test_torch_float_dtype_is_kept_and_values_are_close(kind, dtype):
    op, algorithms = OPS[kind]
    c = CASES[kind]
    arrays = c.arrays(np.dtype(dtype))
    expected, scale = _reference(kind, *arrays)
    x, weight, bias = (torch.from_numpy(a) for a in arrays)
    for name in algorithms:
        got = op(x, weight, bias, algorithm=name, **c.kwargs())
        assert isinstance(got, torch.Tensor) and got.dtype == getattr(torch, dtype), name
        assert_close(ref.numpy(got), expected, dtype=dtype, scale=scale,
                     what=f"{name} {dtype}")


def _small_ints(c, dtype):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, c.x_shape).astype(dtype)
    weight = rng.integers(-3, 4, c.weight_shape).astype(dtype)
    bias = rng.integers(-3, 4, c.out_channels).astype(dtype)
    return x, weight, bias


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_numpy_ints_and_bools_are_computed_in_float64(kind, dtype):
    op, algorithms = OPS[kind]
    c = CASES[kind]
    x, weight, bias = _small_ints(c, np.int64)
    x, weight = x.astype(dtype), weight.astype(dtype)  # bool: any non-zero is True
    expected, _ = _reference(kind, x, weight, bias)
    for name in algorithms:
        got = op(x, weight, bias, algorithm=name, **c.kwargs())
        assert isinstance(got, np.ndarray) and got.dtype == np.float64, (name, got.dtype)
        assert_close(got, expected, what=f"{name} {dtype}")


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_torch_ints_are_computed_in_float64(kind, dtype):
    op, algorithms = OPS[kind]
    c = CASES[kind]
    x, weight, bias = _small_ints(c, np.int64)
    x, weight = x.astype(dtype), weight.astype(dtype)
    expected, _ = _reference(kind, x, weight, bias)
    for name in algorithms:
        got = op(torch.from_numpy(x), torch.from_numpy(weight), torch.from_numpy(bias),
                 algorithm=name, **c.kwargs())
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64, name
        assert_close(ref.numpy(got), expected, what=f"{name} {dtype}")


def test_nested_lists_give_numpy_float64(kind):
    op, algorithms = OPS[kind]
    c = CASES[kind]
    x, weight, bias = _small_ints(c, np.int64)
    expected, _ = _reference(kind, x, weight, bias)
    for name in algorithms:
        got = op(x.tolist(), weight.tolist(), bias.tolist(), algorithm=name, **c.kwargs())
        assert isinstance(got, np.ndarray) and got.dtype == np.float64, name
        assert_close(got, expected, what=name)
    floats = [[0.5, 1.5, -2.0]]  # unbatched (C=1, 3)
    got = tconv.conv_transpose(floats, [[[1.0, 10.0]]], stride=2)
    assert got.dtype == np.float64 and got.tolist() == [[0.5, 5.0, 1.5, 15.0, -2.0, -20.0]]
    assert tconv.conv(floats, [[[1, 10]]]).tolist() == [[15.5, -18.5]]


@pytest.mark.parametrize("dtypes, result", [
    (("float32", "float64", None), "float64"),
    (("float64", "float32", None), "float64"),
    (("float32", "float32", "float64"), "float64"),
    (("float16", "float32", None), "float32"),
    (("float16", "float16", "float32"), "float32"),
    (("int64", "float32", None), "float64"),
    (("float32", "int32", "float32"), "float64"),
], ids=str)
@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_mixed_dtypes_follow_numpy_promotion(kind, dtypes, result, library):
    op, algorithms = OPS[kind]
    c = CASES[kind]
    x, weight, bias = _small_ints(c, np.int64)
    bias_dtype = dtypes[2] or dtypes[0]
    arrays = (x.astype(dtypes[0]), weight.astype(dtypes[1]), bias.astype(bias_dtype))
    assert np.result_type(*(a.dtype if a.dtype.kind == "f" else np.float64 for a in arrays)) \
        == np.dtype(result)  # the rule as NumPy states it
    expected, _ = _reference(kind, *arrays)
    if library == "torch":
        arrays = tuple(torch.from_numpy(a) for a in arrays)
    for name in algorithms:
        got = op(*arrays, algorithm=name, **c.kwargs())
        got_dtype = str(got.dtype).removeprefix("torch.")
        assert got_dtype == result, f"{name}: {dtypes} gave {got_dtype}, expected {result}"
        assert_close(ref.numpy(got) if library == "torch" else got, expected, what=name)
