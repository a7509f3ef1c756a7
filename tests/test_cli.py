"""``tconv explain`` end to end: the numbers it prints, its flags and its errors.

Expected values come from outside tconv: numbers worked by hand (the classic
2x2 example, the worked tables of docs/rules/) or ``torch.nn.functional``,
never from tconv's own output. The printed blocks are parsed back into numbers
and compared.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tconv
from _printed import CLASSIC_CT, assert_fits, block, product_picture
from tconv.cli import main

# The classic example, worked by hand: each input value times the kernel
# [[1, 2], [2, 1]], pasted at its own position and summed.
#   55*[[1,2],[2,1]] at (0,0), 52*... at (0,1), 57*... at (1,0), 50*... at (1,1)
CLASSIC_RESULT = [[55, 162, 104],
                  [167, 323, 152],
                  [114, 157, 50]]

FLAGS = ("--input", "--input-size", "--kernel", "--kernel-size", "--stride", "--padding",
         "--output-padding", "--dilation", "--rank", "--op", "--width")


def run(capsys, *argv):
    """``main(["explain", *argv])``: (exit status, stdout, stderr)."""
    status = main(["explain", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --------------------------------------------------------------------------
# The classic example (no arguments)

def test_default_prints_the_classic_result(capsys):
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    assert out.startswith("tconv explain: transposed convolution (conv_transpose), 2-D")
    np.testing.assert_array_equal(block(out, "Result y"), CLASSIC_RESULT)
    np.testing.assert_array_equal(block(out, "Full output"), CLASSIC_RESULT)
    # Input and kernel are printed side by side.
    np.testing.assert_array_equal(block(out, "  Input x"), [[55, 52, 1, 2], [57, 50, 2, 1]])


def test_default_fills_in_the_size_formula(capsys):
    _, out, _ = run(capsys)
    assert "out = (n-1)*stride + dilation*(k-1) + 1" in out
    assert "- pad_before - pad_after + output_padding" in out
    # (n-1)*s + d*(k-1) + 1 - 0 - 0 + 0 with n = k = 2, s = d = 1: 3 per axis.
    assert "rows: (2-1)*1 + 1*(2-1) + 1 - 0 - 0 + 0 = 3" in out
    assert "cols: (2-1)*1 + 1*(2-1) + 1 - 0 - 0 + 0 = 3" in out


def test_default_lists_each_scatter_step_with_its_running_sum(capsys):
    _, out, _ = run(capsys)
    steps = [line.strip() for line in out.splitlines() if "* w lands at" in line]
    assert steps == ["x[0,0] = 55: 55 * w lands at rows 0-1, cols 0-1",
                     "x[0,1] = 52: 52 * w lands at rows 0-1, cols 1-2",
                     "x[1,0] = 57: 57 * w lands at rows 1-2, cols 0-1",
                     "x[1,1] = 50: 50 * w lands at rows 1-2, cols 1-2"]
    # After the first step the running sum is 55 * kernel in the top-left corner.
    lines = out.splitlines()
    first = lines.index("  x[0,0] = 55: 55 * w lands at rows 0-1, cols 0-1")
    assert "running sum:" in lines[first + 1]
    assert lines[first + 2].split()[-3:] == ["55", "110", "."]
    assert lines[first + 3].split()[-3:] == ["110", "55", "."]
    # After the last step it is the result.
    last = lines.index("  x[1,1] = 50: 50 * w lands at rows 1-2, cols 1-2")
    sums = [line.split()[-3:] for line in lines[last + 2:last + 5]]
    np.testing.assert_array_equal(np.array(sums, dtype=float), CLASSIC_RESULT)


def test_default_shows_the_transposed_matrix_product(capsys):
    _, out, _ = run(capsys)
    assert "y = C^T x" in out
    matrix, x, y = product_picture(out, "C^T")
    np.testing.assert_array_equal(matrix, CLASSIC_CT)
    np.testing.assert_array_equal(x, [55, 52, 57, 50])
    np.testing.assert_array_equal(y, np.ravel(CLASSIC_RESULT))
    assert "max |C^T x - y| = 0" in out


def test_default_confirms_every_algorithm_agrees(capsys):
    _, out, _ = run(capsys)
    assert "Every algorithm gives the same result: max |difference| = 0" in out
    names = out[out.index("Every algorithm"):]
    for name in tconv.CONV_TRANSPOSE_ALGORITHMS:
        assert name in names


def test_default_fits_80_columns(capsys):
    _, out, _ = run(capsys)
    assert_fits(out)


def test_python_dash_m_runs_explain():
    done = subprocess.run([sys.executable, "-m", "tconv", "explain"], check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "  167 323 152" in done.stdout
    assert "(2-1)*1 + 1*(2-1) + 1 - 0 - 0 + 0 = 3" in done.stdout


# --------------------------------------------------------------------------
# Other cases against torch.nn.functional and hand-worked tables

def test_strided_padded_case_matches_torch(capsys):
    torch = pytest.importorskip("torch")
    x = torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64)
    w = torch.arange(1.0, 10, dtype=torch.float64).reshape(1, 1, 3, 3)
    expected = torch.nn.functional.conv_transpose2d(x, w, stride=2, padding=1,
                                                    output_padding=1)[0, 0].numpy()
    full = torch.nn.functional.conv_transpose2d(x, w, stride=2)[0, 0].numpy()
    status, out, _ = run(capsys, "--input", "1,2;3,4", "--kernel", "1,2,3;4,5,6;7,8,9",
                         "--stride", "2", "--padding", "1", "--output-padding", "1")
    assert status == 0
    np.testing.assert_array_equal(block(out, "Result y"), expected)
    np.testing.assert_array_equal(block(out, "Full output"), full)
    # (2-1)*2 + 1*(3-1) + 1 - 1 - 1 + 1 = 4 per axis
    assert "rows: (2-1)*2 + 1*(3-1) + 1 - 1 - 1 + 1 = 4" in out
    assert "padding 1 before removes full row 0" in out
    assert "output_padding 1 adds back full row 4" in out
    assert "-> output rows 0-3 = full rows 1-4" in out
    matrix, column, y = product_picture(out, "C^T")
    assert matrix.shape == (16, 4)
    np.testing.assert_array_equal(column, [1, 2, 3, 4])
    np.testing.assert_array_equal(y, expected.ravel())
    assert_fits(out)


def test_conv_case_matches_torch(capsys):
    torch = pytest.importorskip("torch")
    x = torch.arange(1.0, 17, dtype=torch.float64).reshape(1, 1, 4, 4)
    w = torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64)
    expected = torch.nn.functional.conv2d(x, w, stride=2, padding=1)[0, 0].numpy()
    status, out, _ = run(capsys, "--op", "conv", "--input-size", "4x4", "--kernel", "1,2;3,4",
                         "--stride", "2", "--padding", "1")
    assert status == 0
    assert out.startswith("tconv explain: convolution (conv), 2-D")
    np.testing.assert_array_equal(block(out, "Result y"), expected)
    # (4 + 1 + 1 - 1*(2-1) - 1) // 2 + 1 = 3 per axis
    assert "rows: (4 + 1 + 1 - 1*(2-1) - 1) // 2 + 1 = 3" in out
    # Window (0, 0) covers the zero padding and x[0, 0] = 1 under tap w[1, 1] = 4.
    assert "y[0,0] = padded rows 0-1, cols 0-1 times w:" in out
    assert "= 0*1 + 0*2 + 0*3 + 1*4 = 4" in out
    matrix, column, y = product_picture(out, "C")
    assert matrix.shape == (9, 16)
    np.testing.assert_array_equal(column, np.arange(1, 17))
    np.testing.assert_array_equal(y, expected.ravel())
    assert "Every algorithm gives the same result: max |difference| = 0" in out
    for name in tconv.CONV_ALGORITHMS:
        assert name in out[out.index("Every algorithm"):]
    assert_fits(out)


@pytest.mark.parametrize("padding", ["0:1,1:0", "(0,1),(1,0)", "(0, 1), (1, 0)"])
def test_conv_per_side_padding_matches_torch_pad(capsys, padding):
    torch = pytest.importorskip("torch")
    x = torch.arange(1.0, 10, dtype=torch.float64).reshape(1, 1, 3, 3)
    w = torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64)
    # F.pad lists the last axis first: (left, right, top, bottom).
    padded = torch.nn.functional.pad(x, (1, 0, 0, 1))
    expected = torch.nn.functional.conv2d(padded, w)[0, 0].numpy()
    status, out, _ = run(capsys, "--op", "conv", "--input-size", "3x3", "--kernel", "1,2;3,4",
                         "--padding", padding)
    assert status == 0
    np.testing.assert_array_equal(block(out, "Result y"), expected)
    assert "padding (before, after) ((0, 1), (1, 0))" in out


@pytest.mark.parametrize(("argv", "expected"), [
    # docs/rules/pytorch.md, x = [1, 2, 3], w = [1, 10, 100], stride 2.
    (["--stride", "2"], [1, 10, 102, 20, 203, 30, 300]),
    (["--stride", "2", "--output-padding", "1"], [1, 10, 102, 20, 203, 30, 300, 0]),
    (["--stride", "2", "--padding", "1"], [10, 102, 20, 203, 30]),
    (["--stride", "2", "--padding", "1", "--output-padding", "1"],
     [10, 102, 20, 203, 30, 300]),
    # docs/rules/keras.md: Keras "same", k = 3, s = 2.
    (["--stride", "2", "--padding", "same"], [1, 10, 102, 20, 203, 30]),
])
def test_one_d_matches_the_worked_table(capsys, argv, expected):
    status, out, _ = run(capsys, "--input", "1,2,3", "--kernel", "1,10,100", *argv)
    assert status == 0
    assert out.startswith("tconv explain: transposed convolution (conv_transpose), 1-D")
    np.testing.assert_array_equal(block(out, "Result y").ravel(), expected)
    _, _, y = product_picture(out, "C^T")
    np.testing.assert_array_equal(y, expected)
    assert "x[1] = 2: 2 * w lands at positions 2-4" in out
    assert_fits(out)


def test_one_d_output_padding_zeros_are_explained(capsys):
    _, out, _ = run(capsys, "--rank", "1", "--stride", "2", "--output-padding", "1")
    # The classic 1-D example: full length (3-1)*2 + 3 = 7, one zero appended.
    assert "positions: (3-1)*2 + 1*(3-1) + 1 - 0 - 0 + 1 = 8" in out
    assert "output_padding 1 adds 1 zero position at the end" in out
    assert "output positions 7: zero" not in out
    assert "output position 7: zero" in out


def test_dilation_matches_torch(capsys):
    torch = pytest.importorskip("torch")
    x = torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64)
    w = torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64)
    expected = torch.nn.functional.conv_transpose2d(x, w, dilation=2, output_padding=1)
    status, out, _ = run(capsys, "--input", "1,2;3,4", "--kernel-size", "2", "--dilation", "2",
                         "--output-padding", "1")
    assert status == 0
    np.testing.assert_array_equal(block(out, "Result y"), expected[0, 0].numpy())
    assert "x[0,0] = 1: 1 * w lands at rows 0,2, cols 0,2" in out
    _, _, y = product_picture(out, "C^T")
    np.testing.assert_array_equal(y, expected[0, 0].numpy().ravel())


def test_input_size_fills_one_to_n_and_infers_rank(capsys):
    # A 1x1 kernel of 1 copies the input: the result is 1..6 in a 2x3 grid.
    status, out, _ = run(capsys, "--input-size", "2x3", "--kernel", "1")
    assert status == 0
    np.testing.assert_array_equal(block(out, "Result y"), [[1, 2, 3], [4, 5, 6]])


def test_rank_two_reads_a_single_row(capsys):
    _, out, _ = run(capsys, "--rank", "2", "--input", "1,2", "--kernel", "1,10")
    assert "2-D" in out.splitlines()[0]
    np.testing.assert_array_equal(block(out, "Result y"), [[1, 12, 20]])


def test_float_and_negative_values(capsys):
    status, out, _ = run(capsys, "--input=-1.5,0.25", "--kernel", "2,4")
    assert status == 0
    # -1.5*[2, 4] + 0.25*[2, 4] shifted by one: [-3, -6 + 0.5, 1]
    np.testing.assert_array_equal(block(out, "Result y").ravel(), [-3, -5.5, 1])


@pytest.mark.parametrize("argv", [
    [],
    ["--op", "conv"],
    ["--rank", "1", "--stride", "3", "--dilation", "2", "--output-padding", "2"],
    ["--input-size", "8x8", "--kernel-size", "3", "--stride", "2", "--padding", "1",
     "--output-padding", "1"],
    ["--input-size", "9", "--kernel-size", "5", "--stride", "3", "--padding", "same"],
    ["--op", "conv", "--input-size", "12x12", "--kernel-size", "4", "--padding", "same"],
    ["--input", "123456,-7.25;0.001,99999", "--kernel", "1.5,-2;3,1000"],
])
def test_every_line_fits_80_columns(capsys, argv):
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert_fits(out)


def test_width_flag_narrows_the_output(capsys):
    status, out, _ = run(capsys, "--input-size", "4x4", "--kernel-size", "3", "--width", "50")
    assert status == 0
    assert_fits(out, 50)
    assert "too large to print" in out


# --------------------------------------------------------------------------
# Help and errors

def test_help_documents_every_flag_with_examples(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for flag in FLAGS:
        assert flag in out
    assert "examples:" in out and "tconv explain --input" in out
    for form in ("0:1,1:0", "(0,1),(1,0)", "same", "valid"):
        assert form in out
    assert_fits(out)


def test_top_level_help_lists_explain(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--help"]) == 0
    assert "explain" in capsys.readouterr().out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"tconv {tconv.__version__}"


def test_no_command_prints_the_help_and_exits_2(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("usage: tconv") and err == ""
    for command in ("explain", "upsample", "compare", "solve", "checkerboard", "tour"):
        assert re.search(rf"^ +{command}\b", out, flags=re.MULTILINE), command


@pytest.mark.parametrize(("argv", "names"), [
    (["--stride", "0"], "stride=0"),
    (["--stride", "two"], "--stride"),
    (["--padding", "foo"], "--padding"),
    (["--padding", "1:2:3"], "--padding"),
    (["--padding", "-1"], "padding"),
    (["--input", "1,2;3"], "--input"),
    (["--input", "1,a"], "--input"),
    (["--input", ""], "--input"),
    (["--input-size", "3x"], "--input-size"),
    (["--input-size", "0"], "--input-size"),
    (["--input-size", "40"], "--input-size"),
    (["--input-size", "2x2x2"], "--input-size"),
    (["--kernel-size", "2x"], "--kernel-size"),
    (["--input", "1,2", "--input-size", "3"], "--input-size"),
    (["--rank", "3"], "--rank"),
    (["--rank", "1", "--input", "1,2;3,4"], "--input"),
    (["--op", "deconv"], "--op"),
    (["--stride", "2", "--output-padding", "2"], "output_padding"),
    (["--op", "conv", "--output-padding", "1"], "output_padding"),
    (["--padding", "same", "--output-padding", "1", "--stride", "2"], "output_padding"),
    (["--padding", "5"], "output would be empty"),
    (["--stride", "1,1,1"], "stride"),
    (["--width", "20"], "width"),
    (["--bogus"], "--bogus"),
])
def test_bad_flags_exit_2_with_a_message_naming_the_parameter(capsys, argv, names):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    assert message.startswith("tconv explain: error: ")
    assert names in message


def test_bad_flag_via_python_dash_m_has_no_traceback():
    env = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "tconv", "explain", "--stride", "0"],
                          check=False, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("tconv explain: error: ")
    assert "stride" in done.stderr
