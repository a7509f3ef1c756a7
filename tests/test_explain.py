"""``tconv._explain.explain_text``: the library function behind ``tconv explain``.

Expected numbers are worked by hand (docs/rules/ tables) or come from
``torch.nn.functional``; the errors are the front doors' own.
"""

from __future__ import annotations

import numpy as np
import pytest

from _printed import assert_fits, block, product_picture
from tconv._explain import explain_text


def test_returns_text_without_a_trailing_newline():
    text = explain_text([[55, 52], [57, 50]], [[1, 2], [2, 1]])
    assert text.splitlines()[0] == "tconv explain: transposed convolution (conv_transpose), 2-D"
    assert not text.endswith("\n")


@pytest.mark.parametrize(("output_padding", "expected_ct", "expected_y"), [
    # x = [1, 2, 3], w = [1, 10, 100], stride 2 (docs/rules/pytorch.md). With
    # output_padding 1 and no padding the output reaches past the full output:
    # the last row of C^T is zero.
    (0, [[1, 0, 0], [10, 0, 0], [100, 1, 0], [0, 10, 0], [0, 100, 1], [0, 0, 10],
         [0, 0, 100]], [1, 10, 102, 20, 203, 30, 300]),
    (1, [[1, 0, 0], [10, 0, 0], [100, 1, 0], [0, 10, 0], [0, 100, 1], [0, 0, 10],
         [0, 0, 100], [0, 0, 0]], [1, 10, 102, 20, 203, 30, 300, 0]),
])
def test_transposed_matrix_by_hand(output_padding, expected_ct, expected_y):
    text = explain_text([1, 2, 3], [1, 10, 100], stride=2, output_padding=output_padding)
    matrix, x, y = product_picture(text, "C^T")
    np.testing.assert_array_equal(matrix, expected_ct)
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_array_equal(y, expected_y)


@pytest.mark.parametrize("config", [
    {"stride": 1, "dilation": 2, "output_padding": 1},  # output_padding < dilation only
    {"stride": 3, "dilation": 1, "output_padding": 2, "padding": 1},
    {"stride": 2, "dilation": 2, "output_padding": 1, "padding": ((0, 2),)},
    {"stride": 2, "padding": "same"},
])
def test_one_d_transposed_matches_torch(config):
    torch = pytest.importorskip("torch")
    x, w = [1.0, 2, 3, 4], [1.0, 10, 100]
    text = explain_text(x, w, **config)
    # torch takes symmetric padding only: crop the full output by hand
    # (docs/rules/pytorch.md: y[j] = full[j + before] while inside, else 0).
    stride, dilation = config["stride"], config.get("dilation", 1)
    full = torch.nn.functional.conv_transpose1d(
        torch.tensor([[x]], dtype=torch.float64), torch.tensor([[w]], dtype=torch.float64),
        stride=stride, dilation=dilation)[0, 0].numpy()
    padding = config.get("padding", 0)
    if padding == "same":  # Keras "same", k=3, s=2: out = n*s, crop 0 before (2.2)
        before, out = 0, len(x) * stride
    else:
        before, after = padding[0] if isinstance(padding, tuple) else (padding, padding)
        out = len(full) - before - after + config.get("output_padding", 0)
    expected = np.concatenate([full, np.zeros(out)])[before:before + out]
    np.testing.assert_array_equal(block(text, "Result y").ravel(), expected)
    _, _, y = product_picture(text, "C^T")
    np.testing.assert_array_equal(y, expected)
    assert "max |difference| = 0" in text


def test_conv_with_dilation_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.arange(1.0, 26).reshape(5, 5)
    w = np.array([[1.0, -1], [2, 0]])
    expected = torch.nn.functional.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None],
                                          stride=(1, 2), dilation=2, padding=1)[0, 0].numpy()
    text = explain_text(x, w, op="conv", stride=(1, 2), dilation=2, padding=1)
    np.testing.assert_array_equal(block(text, "Result y"), expected)
    assert "y[0,0] = padded rows 0,2, cols 0,2 times w:" in text


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"stride": 0}, ValueError, "stride"),
    ({"stride": 1.5}, TypeError, "stride"),
    ({"padding": "full"}, ValueError, "padding"),
    ({"output_padding": 1}, ValueError, "output_padding"),
    ({"op": "deconv"}, ValueError, "op"),
    ({"width": 10}, ValueError, "width"),
    ({"op": "conv", "output_padding": 1}, ValueError, "output_padding"),
])
def test_errors_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        explain_text([[1, 2], [3, 4]], [[1, 2], [2, 1]], **kwargs)


@pytest.mark.parametrize(("x", "weight"), [
    ([1, 2, 3], [[1, 2], [3, 4]]),
    ([[[1]]], [[[1]]]),
    ([], [1]),
    ([[float("nan"), 1]], [[1]]),
    ([1, 2], [float("inf")]),
])
def test_operands_must_be_one_or_two_d_of_one_rank(x, weight):
    with pytest.raises(ValueError, match="weight|x"):
        explain_text(x, weight)


def test_non_numbers_are_a_type_error():
    with pytest.raises(TypeError, match="x"):
        explain_text([["a", "b"]], [[1]])


def test_large_examples_are_summarised():
    x = np.arange(1.0, 82).reshape(9, 9)
    text = explain_text(x, np.ones((3, 3)), stride=2)
    assert "81 steps: too many to list; at most 64" in text
    assert "C^T is 361x81: too large to print at 80 columns" in text
    assert "Every algorithm gives the same result" in text
    assert_fits(text)


def test_grids_per_step_stop_after_sixteen_steps():
    text = explain_text(np.ones((5, 5)), np.ones((2, 2)))
    assert "x[4,4] = 1: 1 * w lands at rows 4-5, cols 4-5" in text
    assert "running sum:" not in text
    assert "grids per step are shown for at most 16 steps" in text


@pytest.mark.parametrize("width", [40, 60, 100])
def test_width_is_respected(width):
    text = explain_text(np.arange(1.0, 17).reshape(4, 4), np.arange(1.0, 10).reshape(3, 3),
                        stride=2, padding=1, output_padding=1, width=width)
    assert_fits(text, width)


def test_long_one_d_rows_continue_on_more_lines():
    # Stride 3 = kernel length: the copies x[i] * [1, 10, 100] sit side by side.
    x = np.arange(1.0, 31)
    text = explain_text(x, [1, 10, 100], stride=3)
    np.testing.assert_array_equal(block(text, "Result y").ravel(),
                                  np.outer(x, [1, 10, 100]).ravel())
    assert "too large" not in text.split("Result y")[1].split("\n\n")[0]
    assert_fits(text)
