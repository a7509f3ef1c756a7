"""Pictures and animations of ``tconv.explain``: files, sizes, frames and the numbers drawn.

The numbers drawn are read back from the figures' text artists and compared
with results worked by hand or computed by ``torch.nn.functional`` (through
``_torch_ref``); the files are opened with Pillow. Rendering is slow, so the
figures are few and small.
"""

from __future__ import annotations

import doctest
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import _torch_ref as ref
import tconv
from tconv import _draw, _explain
from tconv._draw import animate, draw_explanation, draw_grid, frame_count, new_figure
from tconv.cli import main


def _labels(texts) -> list[str]:
    return [t.get_text() for t in texts]


def _formatted(values) -> list[str]:
    """How a cell shows a number: integers without a decimal point."""
    return [str(int(v)) if float(v).is_integer() else f"{v:.4g}" for v in np.ravel(values)]


def _hatched_cells(figure, hatch: str) -> int:
    """Cells drawn with ``hatch`` (one path per cell in a collection)."""
    return sum(len(c.get_paths()) for ax in figure.axes for c in ax.collections
               if c.get_hatch() == hatch)


# --------------------------------------------------------------------------
# The grid primitive

def test_draw_grid_writes_each_number_and_skips_nan():
    figure, ax = new_figure(5, 3)
    texts = draw_grid(ax, [[1, -2.5, np.nan], [1234.56, 0, 7]], left=1, top=1, gid="g",
                      kinds=[["value", "padding", "cut"], ["inserted", "output_padding",
                                                          "value"]])
    assert _labels(texts) == ["1", "-2.5", "1235", "0", "7"]  # 4 significant digits
    assert {t.get_gid() for t in texts} == {"g"}
    # The centre of cell (row 1, col 2) is at (1 + 2.5, 1 + 1.5) in cells.
    assert texts[-1].get_position() == (3.5, 2.52)
    for hatch in ("///", "xxx", "\\\\\\", "..."):
        assert _hatched_cells(figure, hatch) == 1
    assert figure.dpi == _draw.CELL_PIXELS


# --------------------------------------------------------------------------
# The PNG of tconv.explain

def test_transposed_png_shows_the_output_and_marks_the_cells(tmp_path):
    # x = [1, 2, 3], w = [1, 10, 100], stride 2: full = [1, 10, 102, 20, 203, 30, 300]
    # (SEMANTICS.md 1.2); padding (1, 2) cuts full cells 0 and 6 (cell 5 is given
    # back by output_padding 1), so y = [10, 102, 20, 203, 30].
    e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2, padding=((1, 2),), output_padding=1)
    picture = draw_explanation(e, tmp_path / "e.png")
    with Image.open(picture.path) as image:
        assert image.format == "PNG"
        assert image.size == picture.size
        image.verify()
    width, height = picture.figure.get_size_inches() * picture.figure.dpi
    assert picture.size == (round(width), round(height))
    assert max(picture.size) <= _draw.MAX_PIXELS
    assert _labels(picture.texts["output"]) == ["10", "102", "20", "203", "30"]
    assert _labels(picture.texts["full"]) == ["1", "10", "102", "20", "203", "30", "300"]
    assert _labels(picture.texts["x"]) == ["1", "2", "3"]
    # Zero insertion: [1, 0, 2, 0, 3] padded by ke-1-lo = 1 before and
    # ke-1-hi+op = 1 after; flipped kernel [100, 10, 1].
    assert _labels(picture.texts["zero_insertion"]) == ["0", "1", "0", "2", "0", "3", "0"]
    assert _labels(picture.texts["flipped"]) == ["100", "10", "1"]
    assert _hatched_cells(picture.figure, "xxx") == 2  # cut: full cells 0 and 6
    assert _hatched_cells(picture.figure, "...") == 1  # output_padding: output cell 4
    assert _hatched_cells(picture.figure, "\\\\\\") == 2  # inserted zeros
    assert _hatched_cells(picture.figure, "///") == 2  # padding of the zero-inserted x
    legend = _labels(t for t in picture.figure.axes[0].texts if t.get_gid() == "legend")
    assert legend == ["padding (zeros)", "cropped by padding", "added by output_padding",
                      "inserted zero"]


def test_conv_png_matches_torch(tmp_path):
    x = np.arange(1.0, 10).reshape(3, 3)
    w = np.array([[1.0, 0], [0, -1]])
    e = tconv.explain(x, w, op="conv", stride=2, padding=((1, 0), (0, 1)))
    expected = ref.numpy(ref.conv(ref.tensor(x[None, None]), ref.tensor(w[None, None]),
                                  stride=(2, 2), pads=((1, 0), (0, 1)), dilation=(1, 1),
                                  groups=1))[0, 0]
    picture = draw_explanation(e, str(tmp_path / "c.png"))
    assert _labels(picture.texts["output"]) == _formatted(expected)
    assert _hatched_cells(picture.figure, "///") == 4 + 3  # a row above, a column right
    legend = _labels(t for t in picture.figure.axes[0].texts if t.get_gid() == "legend")
    assert legend == ["padding (zeros)"]
    with Image.open(picture.path) as image:
        assert image.format == "PNG" and image.size == picture.size


def test_draw_explanation_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match="draw_explanation: explanation=dict"):
        draw_explanation({}, tmp_path / "x.png")


def test_missing_matplotlib_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    e = tconv.explain([1, 2], [1, 1])
    with pytest.raises(ImportError, match=r"pip install 'tconv\[viz\]'"):
        draw_explanation(e, tmp_path / "x.png")
    with pytest.raises(ImportError, match=r"animate: drawing needs matplotlib"):
        animate(e, tmp_path / "x.gif")


# --------------------------------------------------------------------------
# Animations

def _gif(path):
    with Image.open(path) as image:
        assert image.format == "GIF"
        return image.n_frames, image.size


def test_scatter_animation_frames_and_last_values(tmp_path):
    # x = [1, 2, 3], w = [1, 10, 100], stride 2, padding 1: 3 scatter steps, so
    # 1 setup + 3 + 1 final = 5 frames; the last shows y = [10, 102, 20, 203, 30].
    e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2, padding=1)
    movie = animate(e, tmp_path / "s.gif")
    assert movie.frames == 5 == frame_count(e)
    assert _gif(movie.path) == (5, movie.size)
    assert len(movie.values) == 5
    np.testing.assert_array_equal(movie.values[-1][0], [10, 102, 20, 203, 30])
    assert _labels(movie.texts["output"]) == ["10", "102", "20", "203", "30"]
    # The setup frame has nothing in the full output; step 1 is x[0] * w at 0..2.
    assert np.isnan(movie.values[0][0]).all()
    np.testing.assert_array_equal(movie.values[1][0], [1, 10, 100] + [np.nan] * 4)
    np.testing.assert_array_equal(movie.values[3][0], [1, 10, 102, 20, 203, 30, 300])


def test_both_views_run_side_by_side(tmp_path):
    # 1x2 input, 3x3 kernel, stride 2, padding "same": output 2x4 (n*s), so the
    # zero-insertion view has 8 windows and the scatter view 2 steps: 1 + 8 + 1.
    x, w = [[1.0, 2]], [[1.0, 2, 3], [4, 5, 6], [7, 8, 9]]
    e = tconv.explain(x, w, stride=2, padding="same")
    expected = ref.numpy(ref.same_conv_transpose(ref.tensor(np.array(x)[None, None]),
                                                 ref.tensor(np.array(w)[None, None]),
                                                 stride=(2, 2), dilation=(1, 1),
                                                 groups=1))[0, 0]
    movie = animate(e, tmp_path / "b.gif", view="both", fps=5)
    assert movie.frames == 10 == frame_count(e, "both")
    assert _gif(movie.path) == (10, movie.size)
    for values in movie.values[-1]:
        np.testing.assert_array_equal(values, expected)
    assert _labels(movie.texts["output"]) == _formatted(expected)
    assert _labels(movie.texts["output:zero-insertion"]) == _formatted(expected)
    # Window k of the zero-insertion view fills output k (row-major).
    assert np.count_nonzero(~np.isnan(movie.values[5][1])) == 5


@pytest.mark.parametrize(("x", "w", "stride", "pads", "dilation"), [
    (np.arange(1.0, 6), np.array([1.0, -1, 2]), (2,), ((0, 1),), (1,)),
    (np.arange(1.0, 10).reshape(3, 3), np.array([[1.0, -1], [2, 0]]), (1, 2),
     ((1, 0), (0, 1)), (2, 1)),
])
def test_conv_animation_slides_the_window(tmp_path, x, w, stride, pads, dilation):
    e = tconv.explain(x, w, op="conv", stride=stride, padding=pads, dilation=dilation)
    expected = ref.numpy(ref.conv(ref.tensor(x[None, None]), ref.tensor(w[None, None]),
                                  stride=stride, pads=pads, dilation=dilation,
                                  groups=1))[0, 0]
    movie = animate(e, tmp_path / "c.gif")
    assert movie.frames == 1 + expected.size + 1
    np.testing.assert_array_equal(movie.values[-1][0], expected)
    assert _labels(movie.texts["output"]) == _formatted(expected)
    assert _gif(movie.path)[0] == movie.frames


@settings(max_examples=4, deadline=None)
@given(n=st.integers(1, 3), k=st.integers(1, 3), s=st.integers(1, 3), d=st.integers(1, 2),
       lo=st.integers(0, 2), op=st.integers(0, 2),
       view=st.sampled_from(["scatter", "zero-insertion"]))
def test_last_frame_is_the_output(tmp_path_factory, n, k, s, d, lo, op, view):
    x = np.arange(1.0, n + 1)
    w = np.arange(1.0, k + 1) * 10
    full = (n - 1) * s + d * (k - 1) + 1
    lo, op = min(lo, full - 1), min(op, max(s, d) - 1)
    e = tconv.explain(x, w, stride=s, dilation=d, padding=((lo, 0),), output_padding=op)
    expected = ref.numpy(ref.conv_transpose(ref.tensor(x[None, None]), ref.tensor(w[None, None]),
                                            stride=(s,), pads=((lo, 0),), output_padding=(op,),
                                            dilation=(d,), groups=1))[0, 0]
    path = tmp_path_factory.mktemp("gif") / "a.gif"
    movie = animate(e, path, view=view, fps=10)
    steps = n if view == "scatter" else expected.size
    assert movie.frames == steps + 2
    assert _gif(path) == (steps + 2, movie.size)
    np.testing.assert_array_equal(movie.values[-1][0], expected)
    assert _labels(movie.texts["output"]) == _formatted(expected)


def test_mp4_without_ffmpeg_is_refused_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(_draw, "ffmpeg_path", lambda: None)
    e = tconv.explain([1, 2], [1, 1])
    with pytest.raises(ValueError, match=r"\.mp4 needs ffmpeg.*install ffmpeg.*\.gif"):
        animate(e, tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_mp4_has_every_frame(tmp_path, capsys):
    # imageio-ffmpeg (test extra) brings an ffmpeg binary when none is on PATH;
    # its frame counter decodes the file, so the count is ffmpeg's, not ours.
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "a.mp4"
    assert main(["animate", "--input", "1,2,3", "--kernel", "1,10", "--stride", "2",
                 "-o", str(path), "--fps", "4"]) == 0
    out = capsys.readouterr().out
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 1 + 3 + 1  # setup, one frame per input value, the cropped output
    assert seconds == pytest.approx(frames / 4, abs=0.01)
    assert out.startswith(f"wrote {path}: 5 frames of ")


@pytest.mark.parametrize(("explain_kwargs", "kwargs", "error", "match"), [
    ({}, {"view": "diagonal"}, ValueError, "animate: view='diagonal'"),
    ({"op": "conv"}, {"view": "both"}, ValueError, "view='both' is for conv_transpose"),
    ({}, {"fps": 0}, ValueError, "fps=0"),
    ({}, {"fps": "2"}, TypeError, "fps='2'"),
    ({}, {"path": "x.avi"}, ValueError, r"extension of path='\.avi'.*\.gif"),
])
def test_bad_animation_arguments(tmp_path, explain_kwargs, kwargs, error, match):
    e = tconv.explain([1, 2, 3], [1, 1], **explain_kwargs)
    path = tmp_path / kwargs.pop("path", "x.gif")
    with pytest.raises(error, match=match):
        animate(e, path, **kwargs)


def test_too_many_frames_are_refused():
    e = tconv.explain(np.ones((20, 20)), np.ones((2, 2)))
    assert frame_count(e) == 402
    with pytest.raises(ValueError, match="402 frames.*at most 400"):
        animate(e, "never.gif")


# --------------------------------------------------------------------------
# The command line

def test_cli_explain_png(tmp_path, capsys):
    path = tmp_path / "e.png"
    assert main(["explain", "--rank", "1", "--stride", "2"]) == 0
    text = capsys.readouterr().out
    assert main(["explain", "--rank", "1", "--stride", "2", "--png", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(text)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert out.endswith(f"wrote {path}: {image.size[0]}x{image.size[1]} pixels\n")


def test_cli_explain_png_too_large_prints_nothing_first(tmp_path, capsys):
    # Full output (30 - 1) * 3 + 5 = 92 > 64 per axis: refused before the text.
    path = tmp_path / "big.png"
    argv = ["explain", "--rank", "1", "--input-size", "30", "--kernel-size", "5",
            "--stride", "3"]
    assert main(argv) == 0  # the text alone is fine
    capsys.readouterr()
    assert main([*argv, "--png", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "length 92, too large to explain; at most 64 per axis" in err
    assert not path.exists()


def test_cli_animate(tmp_path, capsys):
    path = tmp_path / "a.gif"
    status = main(["animate", "--input", "1,2", "--kernel", "1,10", "--stride", "2",
                   "--view", "zero-insertion", "-o", str(path)])
    out = capsys.readouterr().out
    assert status == 0
    frames, (width, height) = _gif(path)
    assert frames == 1 + 4 + 1  # output [1, 10, 2, 20]: four windows
    assert out == (f"wrote {path}: 6 frames of {width}x{height} pixels "
                   "(zero-insertion view, 2 fps)\n")


@pytest.mark.parametrize(("argv", "match"), [
    (["--input-size", "40", "-o", "x.gif"], "--input-size: shape 40x40 is too large.*32"),
    (["-o", "x.mp4"], "needs ffmpeg"),
    (["--op", "conv", "--view", "both", "-o", "x.gif"], "view='both'"),
    (["--fps", "fast", "-o", "x.gif"], "'fast' is not a number of frames per second"),
    (["--stride", "0", "-o", "x.gif"], "stride=0"),
    ([], "the following arguments are required: -o/--output"),
    # The CLI's own check (--output) or the library's (tconv._files), whichever runs first.
    (["-o", "missing-dir/x.gif"],
     "missing-dir/x.gif'?: (cannot write it|the folder 'missing-dir' does not exist)"),
])
def test_cli_animate_errors(tmp_path, monkeypatch, capsys, argv, match):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_draw, "ffmpeg_path", lambda: None)
    assert main(["animate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("tconv animate: error: ")
    assert re.search(match, err)


def test_cli_png_without_matplotlib_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["explain", "--png", str(tmp_path / "e.png")]) == 1
    assert "pip install 'tconv[viz]'" in capsys.readouterr().err


@pytest.mark.parametrize("module", [_draw, _explain], ids=lambda m: m.__name__)
def test_module_examples_pass(module):
    # Private modules are not in tconv.__all__, so test_docs does not run these.
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failed == 0
