"""``draw_matrix`` and ``tconv matrix``: the numbers drawn are the op's numbers.

Oracles: PyTorch (``torch.nn.functional.conv{1,2}d`` / ``conv_transpose{1,2}d``
in float64): the op's output, and the matrix column by column (column ``j`` of
a linear map is its value on the ``j``-th unit input); and numbers worked by
hand for the classic 2x2 example. The drawn numbers are read back from the
matplotlib text artists, each tagged with the cell it belongs to.
"""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from _printed import CLASSIC_CT
from tconv import _draw_matrix
from tconv._draw_matrix import MAX_CELLS, draw_matrix, matrix_figure, matrix_product
from tconv.cli import main

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

# The classic example worked by hand: each input value times [[1, 2], [2, 1]]
# pasted at its own position of the 3x3 output and summed (C^T: tests/_printed.py).
CLASSIC_X = [[55, 52], [57, 50]]
CLASSIC_W = [[1, 2], [2, 1]]
CLASSIC_Y = [55, 162, 104, 167, 323, 152, 114, 157, 50]


def torch_op(op, x, w, stride, padding, output_padding, dilation):
    """The op on a spatial ``x`` and kernel ``w`` (one channel), by PyTorch, float64."""
    rank = x.ndim
    tx = torch.from_numpy(np.asarray(x, dtype=np.float64))[None, None]
    tw = torch.from_numpy(np.asarray(w, dtype=np.float64))[None, None]
    if op == "conv":
        fn = F.conv1d if rank == 1 else F.conv2d
        y = fn(tx, tw, stride=stride, padding=padding, dilation=dilation)
    else:
        fn = F.conv_transpose1d if rank == 1 else F.conv_transpose2d
        y = fn(tx, tw, stride=stride, padding=padding, output_padding=output_padding,
               dilation=dilation)
    return y[0, 0].numpy()


def torch_matrix(op, x, w, **geometry):
    """The op's matrix, column j = the op on the j-th unit input."""
    columns = []
    for j in range(x.size):
        unit = np.zeros(x.size)
        unit[j] = 1.0
        columns.append(torch_op(op, unit.reshape(x.shape), w, **geometry).ravel())
    return np.stack(columns, axis=1)


def drawn(figure) -> dict:
    """``{gid: float}`` of every number written in a cell."""
    return {text.get_gid(): float(text.get_text()) for text in figure.axes[0].texts
            if text.get_gid()}


def assert_drawn(numbers: dict, name: str, values) -> None:
    """Non-zero cells show their value; zero cells show nothing."""
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    for (row, column), value in np.ndenumerate(values):
        gid = f"{name}[{row},{column}]"
        if value == 0:
            assert gid not in numbers, f"{gid} is zero but shows {numbers[gid]}"
        else:
            assert numbers.get(gid) == value, f"{gid}: drew {numbers.get(gid)}, op {value}"
    shown = [gid for gid in numbers if gid.startswith(f"{name}[")]
    assert len(shown) == np.count_nonzero(values)


# --------------------------------------------------------------------------- numbers

def test_classic_example_by_hand(tmp_path):
    picture = draw_matrix(CLASSIC_X, CLASSIC_W, tmp_path / "m.png")
    assert picture.name == "C^T" and picture.op == "conv_transpose"
    np.testing.assert_array_equal(picture.matrix, CLASSIC_CT)
    np.testing.assert_array_equal(picture.y, CLASSIC_Y)
    np.testing.assert_array_equal(picture.x, [55, 52, 57, 50])
    assert picture.in_shape == (2, 2) and picture.out_shape == (3, 3)
    assert picture.has_numbers
    data = matrix_product(CLASSIC_X, CLASSIC_W)
    numbers = drawn(matrix_figure(data, "t")[0])
    assert_drawn(numbers, "matrix", CLASSIC_CT)
    assert_drawn(numbers, "y", np.array(CLASSIC_Y)[:, None])
    assert_drawn(numbers, "x", np.array([55, 52, 57, 50])[:, None])


@st.composite
def configs(draw):
    """A small single-channel call, valid by construction (integer values)."""
    op = draw(st.sampled_from(["conv_transpose", "conv"]))
    rank = draw(st.sampled_from([1, 2]))
    k, s, d, p, op_pad, n = [], [], [], [], [], []
    for _ in range(rank):
        k.append(draw(st.integers(1, 4)))
        s.append(draw(st.integers(1, 3)))
        d.append(draw(st.integers(1, 2)))
        p.append(draw(st.integers(0, d[-1] * (k[-1] - 1))))
        if op == "conv":
            op_pad.append(0)
            low = max(1, d[-1] * (k[-1] - 1) + 1 - 2 * p[-1])
            n.append(draw(st.integers(low, low + 4)))
        else:
            op_pad.append(draw(st.integers(0, max(s[-1], d[-1]) - 1)))
            # the output (n-1)*s + d*(k-1) + 1 - 2p + op must be at least 1
            low = max(1, -(-(2 * p[-1] - d[-1] * (k[-1] - 1) - op_pad[-1]) // s[-1]) + 1)
            n.append(draw(st.integers(low, low + 4)))
    x = np.array(draw(st.lists(st.integers(-9, 9), min_size=math.prod(n),
                               max_size=math.prod(n))), dtype=np.float64).reshape(n)
    w = np.array(draw(st.lists(st.integers(-9, 9), min_size=math.prod(k),
                               max_size=math.prod(k))), dtype=np.float64).reshape(k)
    geometry = {"stride": tuple(s), "padding": tuple(p), "output_padding": tuple(op_pad),
                "dilation": tuple(d)}
    return op, x, w, geometry


@settings(max_examples=40, deadline=None)
@given(configs())
@example(("conv_transpose", np.array([[1.0, -2.0], [3.0, 4.0]]),
          np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
          {"stride": (2, 2), "padding": (1, 1), "output_padding": (1, 1),
           "dilation": (1, 1)}))
@example(("conv_transpose", np.array([1.0, 2.0, 3.0]), np.array([1.0, 10.0]),
          {"stride": (1,), "padding": (0,), "output_padding": (1,), "dilation": (2,)}))
@example(("conv", np.arange(1.0, 7.0), np.array([1.0, 0.0, -1.0]),
          {"stride": (3,), "padding": (2,), "output_padding": (0,), "dilation": (1,)}))
def test_drawn_numbers_are_the_ops_numbers(case):
    op, x, w, geometry = case
    data = matrix_product(x, w, op=op, **geometry)
    expected_y = torch_op(op, x, w, **geometry)
    expected_matrix = torch_matrix(op, x, w, **geometry)
    np.testing.assert_array_equal(data["matrix"], expected_matrix)
    np.testing.assert_array_equal(data["y"], expected_y.ravel())
    np.testing.assert_array_equal(data["x"], x.ravel())
    assert data["out_shape"] == expected_y.shape
    figure, has_numbers = matrix_figure(data, "title")
    # Cells stay wide enough for numbers up to about 100 rows or columns; larger
    # matrices (rare here, up to 130 rows) are drawn in colour only.
    if max(expected_matrix.shape) <= 100:
        assert has_numbers
    if has_numbers:
        numbers = drawn(figure)
        assert_drawn(numbers, "matrix", expected_matrix)
        assert_drawn(numbers, "y", expected_y.ravel()[:, None])
        assert_drawn(numbers, "x", x.ravel()[:, None])


def test_same_padding_by_hand():
    # Full output of [1, 2, 3, 4] with kernel [1, 1, 1], stride 2:
    # 1 1 3 2 5 3 7 4 4; "same" keeps n*stride = 8, dropping the odd one at the end.
    data = matrix_product([1, 2, 3, 4], [1, 1, 1], stride=2, padding="same")
    np.testing.assert_array_equal(data["y"], [1, 1, 3, 2, 5, 3, 7, 4])
    np.testing.assert_array_equal(data["matrix"] @ data["x"], data["y"])
    conv_same = matrix_product(np.arange(1.0, 9.0), [1, 1, 1], op="conv", stride=2,
                               padding="same")
    # conv "same" of length 8, stride 2: 4 windows, the one pad at the end.
    np.testing.assert_array_equal(conv_same["y"], [6, 12, 18, 15])
    np.testing.assert_array_equal(conv_same["matrix"], data["matrix"].T)


def test_large_matrices_are_coloured_without_numbers():
    data = matrix_product(np.ones((12, 12)), np.ones((3, 3)), stride=1)
    assert data["matrix"].shape == (196, 144)
    figure, has_numbers = matrix_figure(data, "t")
    assert not has_numbers and drawn(figure) == {}


# --------------------------------------------------------------------------- files

@pytest.mark.parametrize("x, w, kwargs", [
    (CLASSIC_X, CLASSIC_W, {}),
    ([1, 2, 3, 4, 5], [1, 2, 3], {"op": "conv", "stride": 2}),
    (np.arange(16.0).reshape(4, 4), np.ones((3, 3)),
     {"stride": 2, "padding": 1, "output_padding": 1}),
])
def test_png_is_valid_and_of_the_recorded_size(tmp_path, x, w, kwargs):
    path = tmp_path / "m.png"
    picture = draw_matrix(x, w, path, **kwargs)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == picture.size
    rows, cols = picture.matrix.shape
    cell, width, height = _draw_matrix.layout(rows, cols)
    assert picture.size == (width, height)
    # The cells fit: the matrix and both vectors side by side, the taller of
    # the matrix and x from top to bottom, a full cell size while small.
    assert cell == _draw_matrix.CELL
    assert width >= (cols + 2) * cell and height > max(rows, cols) * cell


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("x, w, kwargs, error, match", [
    (np.ones(33), np.ones(3), {}, ValueError, r"draw_matrix: x has shape \(33,\).*32"),
    (np.ones((17, 17)), np.ones((2, 2)), {"stride": 1}, ValueError,
     rf"draw_matrix: C\^T would be 324x289.*{MAX_CELLS}"),
    (np.ones((17, 17)), np.ones((3, 3)), {"op": "conv"}, ValueError,
     r"draw_matrix: C would be 225x289"),
    (np.ones(3), np.ones((2, 2)), {}, ValueError, r"x has 1 axes.*weight has 2"),
    (np.ones((1, 2, 2)), np.ones((2, 2)), {}, ValueError, r"draw_matrix: x has shape"),
    (np.ones(3), [], {}, ValueError, r"draw_matrix: weight has shape \(0,\)"),
    (np.ones(3), np.ones(2), {"op": "conv2d"}, ValueError, r"draw_matrix: op='conv2d'"),
    (np.ones(3), np.ones(2), {"op": "conv", "output_padding": 1}, ValueError,
     r"output_padding=1 is for op='conv_transpose'"),
    (np.ones(3), np.ones(2), {"stride": 0}, ValueError, r"draw_matrix: stride=0"),
    (np.ones(3), np.ones(2), {"stride": 1.5}, TypeError, r"draw_matrix: stride=1.5"),
    (np.ones(3), np.ones(2), {"output_padding": 2, "stride": 2}, ValueError,
     r"output_padding"),
    (np.ones(3), np.ones(2), {"padding": "full"}, ValueError, r"draw_matrix: padding='full'"),
    (np.ones(2), np.ones(5), {"op": "conv"}, ValueError,
     r"draw_matrix: the output would be empty"),
    (["a", "b"], np.ones(2), {}, TypeError, r"draw_matrix: x must be a numeric array"),
    ([1.0, float("nan")], np.ones(2), {}, ValueError, r"x holds NaN"),
])
def test_bad_input_is_refused(tmp_path, x, w, kwargs, error, match):
    path = tmp_path / "m.png"
    with pytest.raises(error, match=match):
        draw_matrix(x, w, path, **kwargs)
    assert not path.exists()


def test_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"draw_matrix needs matplotlib.*viz"):
        draw_matrix([1, 2], [1, 2], tmp_path / "m.png")


# --------------------------------------------------------------------------- CLI

def run(capsys, *argv):
    status = main(["matrix", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def text_rows(out: str) -> tuple[list, list, list]:
    """(y, matrix rows, x) parsed back from the printed product."""
    ys, rows, xs = [], [], []
    for line in out.splitlines():
        groups = [group.split() for group in line.split("[")[1:]]
        groups = [[item.rstrip("]") for item in group if item not in ("=", "*")]
                  for group in groups]
        groups = [[item for item in group if item] for group in groups]
        if len(groups) >= 2:
            ys.append(float(groups[0][0]))
            rows.append([0.0 if item == "." else float(item) for item in groups[1]])
        if groups and (len(groups) == 3 or len(groups) == 1):
            xs.append(float(groups[-1][0]))
    return ys, rows, xs


def test_cli_prints_the_classic_product(capsys):
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    assert out.startswith("tconv matrix: conv_transpose, 2-D, x 2x2 -> y 3x3: y = C^T x")
    ys, rows, xs = text_rows(out)
    assert ys == CLASSIC_Y and rows == CLASSIC_CT and xs == [55, 52, 57, 50]
    assert "max |C^T x - y| = 0" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_cli_flags_match_torch(capsys):
    status, out, _ = run(capsys, "--rank", "1", "--input=-1,2,3", "--kernel", "1,2,3",
                         "--stride", "2", "--padding", "1", "--output-padding", "1",
                         "--dilation", "1")
    assert status == 0
    x, w = np.array([-1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    geometry = {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    ys, rows, xs = text_rows(out)
    np.testing.assert_array_equal(ys, torch_op("conv_transpose", x, w, **geometry))
    np.testing.assert_array_equal(rows, torch_matrix("conv_transpose", x, w, **geometry))
    assert xs == [-1, 2, 3]


def test_cli_conv(capsys):
    status, out, _ = run(capsys, "--op", "conv", "--input-size", "3x3", "--kernel-size", "2")
    assert status == 0 and "y = C x" in out
    x = np.arange(1.0, 10.0).reshape(3, 3)
    w = np.arange(1.0, 5.0).reshape(2, 2)
    ys, rows, _ = text_rows(out)
    geometry = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}
    np.testing.assert_array_equal(ys, torch_op("conv", x, w, **geometry).ravel())
    np.testing.assert_array_equal(rows, torch_matrix("conv", x, w, **geometry))


def test_cli_wide_matrix_points_to_png(capsys):
    status, out, _ = run(capsys, "--op", "conv", "--input-size", "8x8", "--kernel-size", "3")
    assert status == 0 and "too wide to print" in out and "--png" in out


def test_cli_writes_a_png(capsys, tmp_path):
    path = tmp_path / "matrix.png"
    status, out, err = run(capsys, "--stride", "2", "--png", str(path))
    assert status == 0 and err == "" and f"wrote {path}" in out
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert f"{image.size[0]}x{image.size[1]} picture of y = C^T x" in out


@pytest.mark.parametrize("argv, match", [
    (["--input-size", "33"], "--input-size"),
    (["--input-size", "20x20", "--stride", "2", "--png", "m.png"], "at most 256"),
    (["--op", "conv", "--output-padding", "1"], "output_padding"),
    (["--stride", "x"], "--stride"),
    (["--padding", "wide"], "--padding"),
    (["--rank", "3"], "--rank"),
])
def test_cli_errors(capsys, tmp_path, monkeypatch, argv, match):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert match in err


def test_cli_text_describes_a_matrix_too_large_to_draw(capsys):
    # 20x20 input: C^T is 441x400, beyond the picture's 256; text mode only describes it.
    status, out, err = run(capsys, "--input-size", "20x20")
    assert status == 0 and err == ""
    assert "C^T is 441x400" in out and "too wide to print" in out


@pytest.mark.parametrize(("name", "match"), [
    ("missing/m.png", "the folder .*missing' does not exist"),
    ("m.unknown-format", "extension '.unknown-format' names no format matplotlib writes"),
])
def test_cli_unwritable_png(capsys, tmp_path, name, match):
    status, out, err = run(capsys, "--png", str(tmp_path / name))
    assert status == 2 and out == ""
    assert re.search(f"--png '.*{re.escape(name)}': {match}", err)


def test_existing_png_is_replaced_only_with_force(tmp_path):
    from tconv._files import OutputError

    path = tmp_path / "m.png"
    path.write_bytes(b"old")
    with pytest.raises(OutputError, match="exists; pass --force"):
        draw_matrix(CLASSIC_X, CLASSIC_W, path)
    assert path.read_bytes() == b"old"
    picture = draw_matrix(CLASSIC_X, CLASSIC_W, path, force=True)
    np.testing.assert_array_equal(picture.y, CLASSIC_Y)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png"]


def test_numbers_are_the_explanations():
    data = matrix_product(CLASSIC_X, CLASSIC_W)
    e = data["explanation"]
    np.testing.assert_array_equal(data["matrix"], e.matrix)
    np.testing.assert_array_equal(data["y"], e.output.ravel())
    np.testing.assert_array_equal(e.matrix_output, CLASSIC_Y)
