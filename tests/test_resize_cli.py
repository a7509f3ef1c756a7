"""``tconv resize-diff``: the reported pixels against direct calls and the real frameworks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tconv
import tconv.onnx
from tconv.cli import main

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")


def run(capsys, *argv):
    """``main(["resize-diff", *argv])``: (exit status, stdout, stderr)."""
    status = main(["resize-diff", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def rows(out: str) -> list[list[str]]:
    """The table under the ``output`` header, split into cells."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["output"])
    table = []
    for line in lines[start + 1:]:
        if not line.startswith("  ") or line.strip().startswith("..."):
            break
        table.append(re.findall(r"\([^)]*\)|\S+", line))
    return table


def test_torch_nearest_against_nearest_exact_1d(capsys):
    status, out, err = run(capsys, "5", "8", "torch:mode=nearest", "torch:mode=nearest-exact")
    assert status == 0 and err == ""
    x = torch.arange(5.0).reshape(1, 1, 5)
    a = torch.nn.functional.interpolate(x, size=8, mode="nearest").ravel().numpy()
    b = torch.nn.functional.interpolate(x, size=8, mode="nearest-exact").ravel().numpy()
    differ = np.flatnonzero(a != b)
    assert f"{len(differ)} of 8 output pixels differ (max |A - B| = 1)" in out
    table = rows(out)
    assert [int(r[0]) for r in table] == differ.tolist()
    for (index, a_source, a_value, b_source, b_value) in table:
        i = int(index)
        assert float(a_value) == a[i] and float(b_value) == b[i]
        # nearest reads floor(i * 5/8); nearest-exact floor((i + 0.5) * 5/8)
        assert a_source == f"{i * 5 / 8:.4g}->{int(a[i])}"
        assert b_source == f"{(i + 0.5) * 5 / 8 - 0.5:.4g}->{int(b[i])}"
    assert table == [["3", "1.875->1", "1", "1.688->2", "2"],
                     ["6", "3.75->3", "3", "3.562->4", "4"]]


def test_torch_bicubic_against_jax_cubic_2d(capsys):
    status, out, _ = run(capsys, "4x4", "5x6", "torch:mode=bicubic",
                         "jax:method=cubic,antialias=false")
    assert status == 0
    x = (10 * np.arange(4)[:, None] + np.arange(4)).astype(np.float64)
    a = torch.nn.functional.interpolate(torch.from_numpy(x)[None, None], size=(5, 6),
                                        mode="bicubic").numpy()[0, 0]
    b = np.asarray(jax.image.resize(x.astype(np.float32), (5, 6), method="cubic",
                                    antialias=False))
    assert "30 of 30 output pixels differ" in out
    largest = float(re.search(r"max \|A - B\| = (\S+)\)", out).group(1))
    assert largest == pytest.approx(np.abs(a - b).max(), rel=1e-3)
    grid = out.split("grid (x: differ, .: agree):\n")[1].splitlines()[:5]
    assert all(line.split() == ["x"] * 6 for line in grid)
    for position, _, a_value, _, b_value in rows(out):
        r, c = map(int, position.strip("()").split(","))
        assert float(a_value) == pytest.approx(a[r, c], rel=1e-3, abs=1e-3)
        assert float(b_value) == pytest.approx(b[r, c], rel=1e-3, abs=1e-3)


def test_grid_marks_exactly_the_disagreeing_pixels(capsys):
    status, out, _ = run(capsys, "3x3", "4x5", "torch:mode=bilinear",
                         "torch:mode=bilinear,align_corners=true", "--signal", "impulse")
    assert status == 0
    x = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    x[0, 0, 1, 1] = 1
    a = torch.nn.functional.interpolate(x, size=(4, 5), mode="bilinear").numpy()[0, 0]
    b = torch.nn.functional.interpolate(x, size=(4, 5), mode="bilinear",
                                        align_corners=True).numpy()[0, 0]
    grid = out.split("grid (x: differ, .: agree):\n")[1].splitlines()[:4]
    marks = np.array([[cell == "x" for cell in line.split()] for line in grid])
    np.testing.assert_array_equal(marks, ~np.isclose(a, b, rtol=1e-9, atol=1e-9))
    assert f"{int(marks.sum())} of 20 output pixels differ" in out
    sources = [r[1] for r in rows(out)]
    assert sources[0] == "(0.625, 0.4)"  # half-pixel: (1.5 * 3/4 - 0.5, 1.5 * 3/5 - 0.5)


def test_equivalent_settings_agree_and_check_passes(capsys):
    status, out, _ = run(capsys, "5", "8", "torch:mode=nearest",
                         "onnx:mode=nearest,coordinate_transformation_mode=asymmetric,"
                         "nearest_mode=floor", "--check")
    assert status == 0
    assert "all 8 output pixels agree" in out


def test_check_fails_when_pixels_differ(capsys):
    status, out, _ = run(capsys, "4", "2", "onnx:mode=nearest",
                         "onnx:mode=nearest,nearest_mode=round_prefer_ceil", "--check")
    assert status == 1
    # 4 -> 2 half_pixel: sources 0.5 and 2.5, ties (docs/rules/onnx.md)
    assert rows(out) == [["0", "0.5->0", "0", "0.5->1", "1"],
                         ["1", "2.5->2", "2", "2.5->3", "3"]]


def test_given_input_and_antialias(capsys):
    status, out, _ = run(capsys, "6", "3", "torch:mode=bilinear",
                         "torch:mode=bilinear,antialias=true", "--input", "0,0,9,9,0,0")
    assert status == 0
    x = torch.tensor([[[[0.0, 0, 9, 9, 0, 0]]]], dtype=torch.float64)
    a = torch.nn.functional.interpolate(x, size=(1, 3), mode="bilinear").ravel().numpy()
    b = torch.nn.functional.interpolate(x, size=(1, 3), mode="bilinear",
                                        antialias=True).ravel().numpy()
    expected = np.flatnonzero(~np.isclose(a, b))
    table = rows(out)
    assert [int(r[0]) for r in table] == expected.tolist()
    for index, _, a_value, _, b_value in table:
        assert float(a_value) == pytest.approx(a[int(index)], abs=1e-3)
        assert float(b_value) == pytest.approx(b[int(index)], abs=1e-3)


def test_long_lists_are_cut(capsys):
    status, out, _ = run(capsys, "9x9", "20x20", "keras:interpolation=bicubic",
                         "torch:mode=bicubic")
    assert status == 0
    assert len(rows(out)) == 40
    count = int(re.search(r"(\d+) of 400 output pixels differ", out).group(1))
    assert f"... and {count - 40} more" in out


@pytest.mark.parametrize(("argv", "match"), [
    (["5", "8", "mxnet:mode=nearest", "onnx:mode=nearest"], "not a setting"),
    (["5", "8", "torch:mode", "onnx:mode=nearest"], "is not key=value"),
    (["5", "8", "torch:mode=foo", "onnx:mode=nearest"], "mode='foo' is not known"),
    (["5", "8", "torch:align_corners=true", "onnx:mode=nearest"], "torch needs mode="),
    (["5", "8", "torch:mode=bilinear,align_corners=maybe", "onnx:mode=nearest"],
     "align_corners='maybe' must be true or false"),
    (["5", "8", "jax:method=linear,scale=2", "onnx:mode=nearest"], "unknown key 'scale'"),
    (["5", "8", "onnx:mode=nearest,antialias=2", "onnx:mode=nearest"],
     "antialias='2' must be 0 or 1"),
    (["5", "8", "onnx:mode=cubic,cubic_coeff_a=x", "onnx:mode=nearest"], "must be a number"),
    (["5", "8", "onnx:size=3", "onnx:mode=nearest"], "unknown ONNX Resize attribute"),
    (["5", "8", "onnx:mode=bilinear", "onnx:mode=nearest"], "onnx.resize: mode='bilinear'"),
    (["5", "8x8", "onnx:mode=nearest", "onnx:mode=nearest"], "both be 1-D"),
    (["5", "8", "onnx:mode=nearest", "onnx:mode=nearest", "--input", "1,2"],
     "--input has shape 2; IN says 5"),
    (["5", "0", "onnx:mode=nearest", "onnx:mode=nearest"], "sizes must be positive"),
    (["5", "8", "onnx:mode=nearest,coordinate_transformation_mode=tf_crop_and_resize",
      "onnx:mode=nearest"], "needs roi"),
])
def test_bad_input_is_an_error_with_status_2(capsys, argv, match):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert re.search("tconv resize-diff: error: .*" + match, err)


def test_reported_values_equal_the_library(capsys):
    _, out, _ = run(capsys, "7", "4", "jax:method=linear", "keras:interpolation=bilinear,"
                    "antialias=true")
    x = np.arange(7.0)
    a = tconv.onnx.resize(x, sizes=[4], **tconv.resize_to_onnx("jax", "linear",
                                                               antialias=True))
    b = tconv.onnx.resize(x, sizes=[4], **tconv.resize_to_onnx("keras", "bilinear",
                                                               antialias=True))
    # jax antialiases by default: the two settings are the same
    np.testing.assert_array_equal(a, b)
    assert "all 4 output pixels agree" in out


def test_two_d_input_values(capsys):
    status, out, _ = run(capsys, "2x2", "3x3", "torch:mode=nearest", "torch:mode=nearest-exact",
                         "--input", "1,2;3,4")
    assert status == 0
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    a = torch.nn.functional.interpolate(x, size=(3, 3), mode="nearest").numpy()[0, 0]
    b = torch.nn.functional.interpolate(x, size=(3, 3), mode="nearest-exact").numpy()[0, 0]
    listed = {tuple(map(int, r[0].strip("()").split(","))) for r in rows(out)}
    assert listed == set(zip(*np.nonzero(a != b)))
    assert f"{len(listed)} of 9 output pixels differ" in out


def test_help_lists_the_setting_syntax(capsys):
    status = main(["resize-diff", "--help"])
    out = capsys.readouterr().out
    assert status == 0
    assert "FRAMEWORK:key=value" in out and "onnx:mode=nearest" in out
