"""``tconv upsample``, ``tconv compare`` and ``tconv.images`` on real image files.

Files are read back with Pillow directly (never through ``tconv.images``) and
compared with results computed here: ``tconv.interpolate`` on the stored
values as the CLI promises (itself checked against
``torch.nn.functional.interpolate``), bed-of-nails and nearest built by hand
with NumPy, the transposed method against ``torch.nn.functional.
conv_transpose2d``. The documented storage rule is written out here as well:
clamp to the mode's range, round half to even (``np.rint``).
"""

from __future__ import annotations

import doctest
import importlib.resources
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import tconv
from tconv import images
from tconv.cli import main

ROOT = Path(__file__).resolve().parent.parent
TOP = {"L": 255, "RGB": 255, "RGBA": 255, "I;16": 65535}


def run(capsys, *argv):
    """``main(argv)``: (exit status, stdout, stderr)."""
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stored(values, mode):
    """The documented storage rule: clamp to [0, top], round half to even."""
    dtype = np.uint16 if mode == "I;16" else np.uint8
    return np.rint(np.clip(values, 0, TOP[mode])).astype(dtype)


def pixels(path):
    """(C, H, W) stored integers and the mode of an image file, via Pillow only."""
    with Image.open(path) as image:
        array = np.asarray(image)
        mode = image.mode
    return array.reshape(array.shape[:2] + (-1,)).transpose(2, 0, 1), mode


def sample_pixels():
    with importlib.resources.files("tconv").joinpath("data/sample.png").open("rb") as file:
        return pixels(file)


def save(path, channels_last, mode_check):
    image = Image.fromarray(channels_last)
    assert image.mode == mode_check
    image.save(path)
    return path


def reference_interpolate(values, scale, mode, align_corners=None):
    """tconv.interpolate on (1, C, H, W) float64, checked against torch on the way."""
    x = np.asarray(values, dtype=np.float64)[None]
    ours = np.asarray(tconv.interpolate(x, scale_factor=scale, mode=mode,
                                        align_corners=align_corners))
    theirs = torch.nn.functional.interpolate(torch.from_numpy(x), scale_factor=scale,
                                             mode=mode, align_corners=align_corners)
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-9)
    return ours[0]


@pytest.fixture
def grey16(tmp_path):
    """A 16-bit grey PNG (12x10) using the whole range, with a sharp step."""
    rows, cols = np.mgrid[0:12, 0:10]
    values = (rows * 5000 + cols * 700) % 65536
    values[4:8, 3:7] = 65535          # a bright block: bicubic overshoots around it
    values[0, 0] = 0
    return save(tmp_path / "grey16.png", values.astype(np.uint16), "I;16")


@pytest.fixture
def rgba(tmp_path):
    """An RGBA PNG (9x11) whose alpha varies from transparent to opaque."""
    rows, cols = np.mgrid[0:9, 0:11]
    array = np.stack([rows * 28, cols * 25, (rows * cols) % 256, cols * 25], axis=-1)
    return save(tmp_path / "rgba.png", array.astype(np.uint8), "RGBA")


# --------------------------------------------------------------------------
# The sample image

def test_sample_is_small_rgb_and_shipped_in_the_package():
    resource = images.sample_path()
    assert resource.is_file()
    assert len(resource.read_bytes()) < 8000            # a few KB
    values, mode = sample_pixels()
    assert mode == "RGB" and values.shape == (3, 96, 96)
    assert len(np.unique(values.reshape(3, -1), axis=1).T) > 1000   # a real picture


def test_sample_is_what_the_script_draws():
    spec = importlib.util.spec_from_file_location("make_sample",
                                                  ROOT / "scripts" / "make_sample.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    drawn = np.asarray(script.sample()).transpose(2, 0, 1)
    np.testing.assert_array_equal(drawn, sample_pixels()[0])


def test_read_image_defaults_to_the_sample():
    values, mode = images.read_image()
    assert mode == "RGB" and values.dtype == np.float64
    np.testing.assert_array_equal(values, sample_pixels()[0])


# --------------------------------------------------------------------------
# tconv upsample: interpolate methods

@pytest.mark.parametrize("method", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("scale", [2, 3])
def test_upsample_sample_equals_interpolate_clamped_and_rounded(capsys, tmp_path, method,
                                                                 scale):
    out = tmp_path / "out.png"
    status, text, err = run(capsys, "upsample", "-o", out, "--method", method, "--scale", scale)
    assert status == 0, err
    assert err == ""
    assert text.startswith(f"wrote {out}: RGB {96 * scale}x{96 * scale} from sample.png 96x96")
    got, mode = pixels(out)
    assert mode == "RGB"
    assert got.shape == (3, 96 * scale, 96 * scale)
    x, _ = sample_pixels()
    expected = stored(reference_interpolate(x, scale, method), "RGB")
    np.testing.assert_array_equal(got, expected)


def test_bicubic_overshoot_is_clamped_and_reported(capsys, tmp_path):
    out = tmp_path / "out.png"
    status, text, _ = run(capsys, "upsample", "-o", out, "--method", "bicubic", "--scale", 2)
    assert status == 0
    x, _ = sample_pixels()
    raw = reference_interpolate(x, 2, "bicubic")
    outside = np.count_nonzero((np.rint(raw) < 0) | (np.rint(raw) > 255))
    assert outside > 0                       # the sample's hard edges make it overshoot
    assert f"note: {outside} of {raw.size} values fell outside 0..255 and were clamped" in text
    got, _ = pixels(out)
    assert got[raw > 255.5].min() == 255 and got[raw < -0.5].max() == 0


@pytest.mark.parametrize("method", ["bilinear", "bicubic"])
def test_align_corners(capsys, tmp_path, method):
    out = tmp_path / "out.png"
    status, _, err = run(capsys, "upsample", "-o", out, "--method", method, "--scale", 2,
                         "--align-corners")
    assert status == 0, err
    x, _ = sample_pixels()
    expected = stored(reference_interpolate(x, 2, method, align_corners=True), "RGB")
    np.testing.assert_array_equal(pixels(out)[0], expected)


@pytest.mark.parametrize(("method", "scale", "size"), [
    ("nearest", 1.5, 144), ("nearest-exact", 2.5, 240), ("bilinear", 1.25, 120),
    ("bicubic", 3.0, 288),
])
def test_non_integer_scale_for_interpolate_methods(capsys, tmp_path, method, scale, size):
    out = tmp_path / "out.png"
    status, _, err = run(capsys, "upsample", "-o", out, "--method", method, "--scale", scale)
    assert status == 0, err
    got, _ = pixels(out)
    assert got.shape == (3, size, size)               # floor(96 * scale)
    x, _ = sample_pixels()
    np.testing.assert_array_equal(got, stored(reference_interpolate(x, scale, method), "RGB"))


def test_positional_and_flag_input_and_defaults_agree(capsys, tmp_path):
    sample = tmp_path / "sample.png"
    sample.write_bytes(images.sample_path().read_bytes())
    outs = [tmp_path / f"{name}.png" for name in ("positional", "flag", "default")]
    assert run(capsys, "upsample", sample, outs[0], "--scale", 2)[0] == 0
    assert run(capsys, "upsample", "--input", sample, "--scale", 2, "-o", outs[1])[0] == 0
    assert run(capsys, "upsample", "-o", outs[2])[0] == 0      # defaults: sample, bilinear, x2
    first = pixels(outs[0])[0]
    for out in outs[1:]:
        np.testing.assert_array_equal(pixels(out)[0], first)
    x, _ = sample_pixels()
    np.testing.assert_array_equal(first, stored(reference_interpolate(x, 2, "bilinear"), "RGB"))


# --------------------------------------------------------------------------
# Other modes: 16-bit grey, 8-bit grey, RGBA

def test_grey16_round_trip_keeps_16_bits(capsys, tmp_path, grey16):
    out = tmp_path / "out.png"
    status, text, err = run(capsys, "upsample", grey16, out, "--method", "bicubic",
                            "--scale", 2)
    assert status == 0, err
    assert "I;16 20x24 from grey16.png 10x12" in text
    got, mode = pixels(out)
    assert mode == "I;16" and got.dtype == np.uint16
    x, _ = pixels(grey16)
    raw = reference_interpolate(x, 2, "bicubic")
    assert raw.max() > 65535.5 and raw.min() < -0.5   # overshoot on both sides
    np.testing.assert_array_equal(got, stored(raw, "I;16"))
    assert np.count_nonzero((got > 255) & (got < 65535)) > 100   # not squeezed to 8 bits


def test_grey16_nearest_scale_one_is_lossless(capsys, tmp_path, grey16):
    out = tmp_path / "same.png"
    assert run(capsys, "upsample", grey16, out, "--method", "nearest", "--scale", 1)[0] == 0
    np.testing.assert_array_equal(pixels(out)[0], pixels(grey16)[0])
    assert pixels(out)[1] == "I;16"


def test_grey8_bed_of_nails(capsys, tmp_path):
    source = save(tmp_path / "grey.png", (np.arange(35).reshape(5, 7) * 7 + 3).astype(np.uint8),
                  "L")
    out = tmp_path / "out.png"
    status, _, err = run(capsys, "upsample", source, out, "--method", "bed-of-nails",
                         "--scale", 3)
    assert status == 0, err
    got, mode = pixels(out)
    assert mode == "L" and got.shape == (1, 15, 21)
    expected = np.zeros((1, 15, 21), dtype=np.uint8)
    expected[:, ::3, ::3] = pixels(source)[0]             # each value top-left, zeros elsewhere
    np.testing.assert_array_equal(got, expected)


def test_rgba_alpha_is_upsampled_with_the_same_method(capsys, tmp_path, rgba):
    out = tmp_path / "out.png"
    status, _, err = run(capsys, "upsample", rgba, out, "--method", "bilinear", "--scale", 2)
    assert status == 0, err
    got, mode = pixels(out)
    assert mode == "RGBA" and got.shape == (4, 18, 22)
    x, _ = pixels(rgba)
    for channel in range(4):                           # alpha like any other channel
        expected = stored(reference_interpolate(x[channel:channel + 1], 2, "bilinear"), "RGBA")
        np.testing.assert_array_equal(got[channel:channel + 1], expected)
    assert len(np.unique(got[3])) > 20                 # alpha really varies


# --------------------------------------------------------------------------
# bed-of-nails and transposed on the sample

def test_bed_of_nails_on_the_sample(capsys, tmp_path):
    out = tmp_path / "out.png"
    assert run(capsys, "upsample", "-o", out, "--method", "bed-of-nails", "--scale", 4)[0] == 0
    got, mode = pixels(out)
    assert mode == "RGB" and got.shape == (3, 384, 384)
    x, _ = sample_pixels()
    expected = np.zeros_like(got)
    expected[:, ::4, ::4] = x
    np.testing.assert_array_equal(got, expected)


def torch_transposed(x, kernel, scale):
    """torch's conv_transpose2d with tconv.upsampling_kernel's fixed kernel, per channel."""
    weight, stride, padding = tconv.upsampling_kernel(kernel, scale, rank=2)
    channels, height, width = x.shape
    weights = torch.from_numpy(np.asarray(weight, dtype=np.float64)).repeat(channels, 1, 1, 1)
    layer = torch.nn.ConvTranspose2d(channels, channels, weights.shape[-1], stride=stride,
                                     padding=padding, groups=channels, bias=False,
                                     dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(weights)
        y = layer(torch.from_numpy(np.asarray(x, dtype=np.float64))[None],
                  output_size=(height * scale, width * scale))
    return y[0].numpy()


def test_transposed_nearest_kernel_is_nearest_everywhere(capsys, tmp_path):
    out = tmp_path / "out.png"
    status, text, err = run(capsys, "upsample", "-o", out, "--method", "transposed", "--kernel",
                            "nearest", "--scale", 3)
    assert status == 0, err
    assert "transposed (nearest kernel), scale 3" in text
    got, _ = pixels(out)
    x, _ = sample_pixels()
    np.testing.assert_array_equal(got, x.repeat(3, axis=1).repeat(3, axis=2))


def test_transposed_bilinear_kernel_matches_torch_and_bilinear_inside(capsys, tmp_path):
    out = tmp_path / "out.png"
    status, text, err = run(capsys, "upsample", "-o", out, "--method", "transposed", "--scale", 2)
    assert status == 0, err
    assert "transposed (bilinear kernel), scale 2" in text
    got, mode = pixels(out)
    assert mode == "RGB" and got.shape == (3, 192, 192)
    x, _ = sample_pixels()
    # Scale 2: the taps are 1/16, 3/16, 9/16, so every sum is exact in float64 and
    # torch's result rounds to the very same integers.
    raw = torch_transposed(x, "bilinear", 2)
    np.testing.assert_array_equal(got, stored(raw, "RGB"))
    # Away from the one-pixel border it is bilinear interpolation; on it, darker.
    bilinear = stored(reference_interpolate(x, 2, "bilinear"), "RGB")
    np.testing.assert_array_equal(got[:, 1:-1, 1:-1], bilinear[:, 1:-1, 1:-1])
    assert got[:, 0].astype(int).sum() < bilinear[:, 0].astype(int).sum()


def test_transposed_bilinear_scale_3_matches_torch(tmp_path):
    x, _ = sample_pixels()
    ours = images.upsample(x, "transposed", 3)
    np.testing.assert_allclose(ours, torch_transposed(x, "bilinear", 3), rtol=0, atol=1e-9)
    inside = np.s_[:, 3:-3, 3:-3]
    np.testing.assert_allclose(ours[inside], reference_interpolate(x, 3, "bilinear")[inside],
                               rtol=0, atol=1e-9)


# --------------------------------------------------------------------------
# tconv compare

# Layout, worked by hand from the constants of tconv.images (MARGIN 8, GAP 8,
# HEADER 20, LABEL 16, 4 columns, 8 tiles = 2 rows): for the default 48x48 crop
# at scale 4 the tiles are 192x192, so the montage is
#   8 + 4*192 + 3*8 + 8 = 808 wide and 8 + 20 + 2*(16 + 192) + 8 + 8 = 460 high;
# tile i sits at column i % 4, row i // 4, its picture at
#   left = 8 + column*(192 + 8), top = 8 + 20 + row*(16 + 192 + 8) + 16.
def tile(array, index, size=192):
    row, column = divmod(index, 4)
    left, top = 8 + column * (size + 8), 8 + 20 + row * (16 + size + 8) + 16
    return array[top:top + size, left:left + size].transpose(2, 0, 1)


def test_compare_writes_the_montage_with_the_expected_size(capsys, tmp_path):
    out = tmp_path / "montage.png"
    status, text, err = run(capsys, "compare", "-o", out)
    assert status == 0, err
    assert text.strip() == (f"wrote {out}: 808x460 montage of 7 methods on the 48x48 crop "
                            "at (24, 24) of sample.png, scale 4")
    with Image.open(out) as image:
        assert image.mode == "RGB" and image.size == (808, 460)
        sheet = np.asarray(image)
    x, _ = sample_pixels()
    crop = x[:, 24:72, 24:72]
    # Tiles 1..7: nearest, nearest-exact, bilinear, bicubic, bed-of-nails, transposed x2.
    np.testing.assert_array_equal(tile(sheet, 1), crop.repeat(4, axis=1).repeat(4, axis=2))
    np.testing.assert_array_equal(tile(sheet, 3),
                                  stored(reference_interpolate(crop, 4, "bilinear"), "RGB"))
    np.testing.assert_array_equal(tile(sheet, 4),
                                  stored(reference_interpolate(crop, 4, "bicubic"), "RGB"))
    nails = np.zeros((3, 192, 192), dtype=np.uint8)
    nails[:, ::4, ::4] = crop
    np.testing.assert_array_equal(tile(sheet, 5), nails)
    np.testing.assert_array_equal(tile(sheet, 6),
                                  stored(torch_transposed(crop, "bilinear", 4), "RGB"))
    # Tile 0: the whole 96x96 sample, centred in its 192x192 tile, crop outlined in red.
    overview = tile(sheet, 0)[:, 48:144, 48:144]
    np.testing.assert_array_equal(overview[:, 30:60, 30:60], x[:, 30:60, 30:60])
    np.testing.assert_array_equal(overview[:, 23, 23:73].T, [[230, 0, 0]] * 50)


def test_compare_with_crop_scale_and_an_input_file(capsys, tmp_path, grey16):
    out = tmp_path / "montage.png"
    status, text, err = run(capsys, "compare", grey16, "--scale", 2, "--crop", "1,2,8,9",
                            "-o", out)
    assert status == 0, err
    assert "on the 8x9 crop at (1, 2) of grey16.png, scale 2" in text
    # Tiles 16x18 pictures in 128-wide tiles (the minimum, for the titles):
    #   8 + 4*128 + 3*8 + 8 = 552 by 8 + 20 + 2*(16 + 18) + 8 + 8 = 112.
    with Image.open(out) as image:
        assert image.mode == "RGB" and image.size == (552, 112)
        sheet = np.asarray(image)
    # The nearest tile (1): 16-bit values shown as 8-bit greys, v / 257 rounded.
    x, _ = pixels(grey16)
    crop = x[:, 2:11, 1:9].astype(np.float64)
    picture = sheet[8 + 20 + 16:8 + 20 + 16 + 18, 8 + 136 + 56:8 + 136 + 56 + 16]
    grey = np.rint(crop.repeat(2, axis=1).repeat(2, axis=2)[0] / 257)
    np.testing.assert_array_equal(picture, np.stack([grey] * 3, axis=-1))


def test_compare_rgba_is_composited_on_the_background(capsys, tmp_path, rgba):
    out = tmp_path / "montage.png"
    assert run(capsys, "compare", "--input", rgba, "--scale", 3, "-o", out)[0] == 0
    with Image.open(out) as image:
        assert image.mode == "RGB"
        # 11x9 crop at scale 3: 33x27 pictures in 128-wide tiles.
        assert image.size == (552, 8 + 20 + 2 * (16 + 27) + 8 + 8)


# --------------------------------------------------------------------------
# The library functions

@pytest.mark.parametrize(("value", "expected"), [
    (-3.0, 0), (-0.5, 0), (0.5, 0), (1.5, 2), (2.5, 2), (3.5, 4), (254.5, 254),
    (254.51, 255), (255.5, 255), (1e9, 255),
])
def test_to_stored_clamps_and_rounds_half_to_even(value, expected):
    assert images.to_stored([[[value]]], "L")[0, 0, 0] == expected


def test_to_stored_16_bit():
    got = images.to_stored([[[65534.5, 65535.4, 70000.0, 256.5]]], "I;16")
    assert got.dtype == np.uint16
    assert got.tolist() == [[[65534, 65535, 65535, 256]]]


def test_images_docstring_examples_pass():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [test for test in finder.find(images) if test.examples]
    assert len(tests) >= 8
    for test in tests:
        runner.run(test)
    assert runner.failures == 0


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: images.upsample(np.ones((1, 2, 2)), "lanczos", 2), ValueError, "method='lanczos'"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "transposed", 2.5), ValueError, "scale=2.5"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "bed-of-nails", 1.5), ValueError,
     "scale=1.5"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "nearest", 0.5), ValueError, "scale=0.5"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "nearest", "2"), TypeError, "scale='2'"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "nearest", True), TypeError, "scale=True"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "bilinear", 2, kernel="nearest"),
     ValueError, "kernel='nearest'"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "transposed", 2, kernel="cubic"),
     ValueError, "kernel='cubic'"),
    (lambda: images.upsample(np.ones((1, 2, 2)), "nearest", 2, align_corners=True),
     ValueError, "align_corners"),
    (lambda: images.upsample(np.ones((2, 2)), "nearest", 2), ValueError, "values"),
    (lambda: images.to_stored(np.ones((1, 2, 2)), "P"), ValueError, "mode='P'"),
    (lambda: images.montage(np.ones((1, 4, 4)), "L", 2.5), ValueError, "scale=2.5"),
    (lambda: images.montage(np.ones((1, 4, 4)), "L", 2, crop=(0, 0, 5, 4)), ValueError,
     r"crop=\(0, 0, 5, 4\).*inside the 4x4 image"),
    (lambda: images.montage(np.ones((1, 4, 4)), "L", 2, crop=(0, 0, 2)), ValueError,
     r"crop=\(0, 0, 2\) must be 4 non-negative ints"),
    (lambda: images.montage(np.ones((1, 4, 4)), "L", 2, crop=2), ValueError, "crop=2"),
    (lambda: images.montage(np.ones((1, 4, 4)), "L", "2"), TypeError, "scale='2'"),
    (lambda: images.montage(np.ones((1, 4, 4)), "P", 2), ValueError, "mode='P'"),
])
def test_library_errors_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_missing_pillow_names_the_viz_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)     # "import PIL" now fails
    with pytest.raises(ImportError, match=r"tconv\[viz\]"):
        images.read_image()
    status, out, err = run(capsys, "compare", "-o", tmp_path / "m.png")
    assert status == 1 and out == ""
    assert "Traceback" not in err
    assert err.strip().startswith("tconv compare: error: ") and "viz" in err


# --------------------------------------------------------------------------
# Bad input: exit 2, a message naming the parameter, no traceback

@pytest.fixture
def odd_files(tmp_path):
    palette = Image.new("P", (8, 8))
    palette.save(tmp_path / "palette.png")
    Image.new("CMYK", (8, 8)).save(tmp_path / "cmyk.tif")
    Image.new("LA", (8, 8)).save(tmp_path / "grey_alpha.png")
    (tmp_path / "notes.png").write_text("not an image\n")
    return tmp_path


@pytest.mark.parametrize(("argv", "names"), [
    (["upsample", "-o", "{out}", "--method", "lanczos"], "--method"),
    (["upsample", "-o", "{out}", "--method", "bed-of-nails", "--scale", "2.5"], "scale=2.5"),
    (["upsample", "-o", "{out}", "--method", "transposed", "--scale", "1.5"], "scale=1.5"),
    (["upsample", "-o", "{out}", "--scale", "0"], "scale=0"),
    (["upsample", "-o", "{out}", "--scale", "0.5"], "scale=0.5"),
    (["upsample", "-o", "{out}", "--scale", "two"], "--scale"),
    (["upsample", "-o", "{out}", "--scale", "1e9"], "scale=1000000000 would make the 96x96 input"),
    (["upsample", "{dir}/missing.png", "{out}"], "IN='{dir}/missing.png': no such file"),
    (["upsample", "--input", "{dir}/missing.png", "-o", "{out}"], "IN='{dir}/missing.png'"),
    (["upsample", "{dir}/notes.png", "{out}"], "IN='{dir}/notes.png'"),
    (["upsample", "{dir}", "{out}"], "IN="),
    (["upsample", "{dir}/palette.png", "{out}"], "mode 'P'"),
    (["upsample", "{dir}/cmyk.tif", "{out}"], "mode 'CMYK'"),
    (["upsample", "{dir}/grey_alpha.png", "{out}"], "mode 'LA'"),
    (["upsample", "-o", "{out}", "--kernel", "nearest"], "kernel='nearest'"),
    (["upsample", "-o", "{out}", "--method", "transposed", "--kernel", "cubic"], "--kernel"),
    (["upsample", "-o", "{out}", "--method", "nearest", "--align-corners"], "align_corners"),
    (["upsample", "{dir}/palette.png", "{out}", "--input", "{dir}/cmyk.tif"], "--input"),
    (["upsample", "{dir}/a.png", "{dir}/b.png", "{dir}/c.png"], "unrecognized"),
    (["upsample"], "no output file; name it with -o OUT"),
    (["upsample", "{dir}/rgba.png"], "'{dir}/rgba.png' is read as the input IN, never as the"),
    (["upsample", "-o", "{dir}/out.unknown"], "OUT '{dir}/out.unknown': extension '.unknown'"),
    (["upsample", "-o", "{dir}/out.jpg", "--input", "{dir}/rgba.png"],
     "OUT '{dir}/out.jpg': JPEG cannot hold mode RGBA"),
    (["upsample", "{dir}/rgba.png", "{dir}/rgba.png", "--force"],
     "OUT '{dir}/rgba.png' is also an input"),
    (["upsample", "{dir}/notes.png", "-o", "{dir}/palette.png"],
     "OUT '{dir}/palette.png' exists; pass --force"),
    (["upsample", "-o", "{dir}/nowhere/out.png"], "the folder '{dir}/nowhere' does not exist"),
    (["compare"], "-o/--output"),
    (["compare", "-o", "{out}", "--scale", "2.5"], "scale=2.5"),
    (["compare", "-o", "{out}", "--crop", "90,90,20,20"], "crop=(90, 90, 20, 20)"),
    (["compare", "-o", "{out}", "--crop", "1,2,3"], "--crop"),
    (["compare", "-o", "{out}", "--crop", "0,0,0,5"], "crop=(0, 0, 0, 5)"),
    (["compare", "-o", "{out}", "--crop", "0,0,96,96", "--scale", "16"], "scale=16"),
    (["compare", "{dir}/palette.png", "-o", "{out}"], "mode 'P'"),
    (["compare", "{dir}/missing.png", "-o", "{out}"], "IN='{dir}/missing.png'"),
    (["compare", "-o", "{dir}/montage.unknown"], "--output '{dir}/montage.unknown'"),
    (["compare", "-o", "{dir}/montage.gif"], "GIF cannot hold mode RGB"),
    (["compare", "{dir}/palette.png", "-o", "{dir}/palette.png", "-f"], "is also an input"),
])
def test_bad_input_exits_2_naming_the_parameter(capsys, odd_files, rgba, argv, names):
    fill = {"dir": str(odd_files), "out": str(odd_files / "out.png")}
    status, out, err = run(capsys, *[arg.format(**fill) for arg in argv])
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"tconv {argv[0]}: error: ")
    assert names.format(**fill) in message
    assert not (odd_files / "out.png").exists()


# --------------------------------------------------------------------------
# As a user runs them

@pytest.mark.parametrize("argv", [["upsample", "-o", "out.png"], ["compare", "-o", "out.png"]])
def test_python_dash_m_needs_only_the_output(tmp_path, argv):
    done = subprocess.run([sys.executable, "-m", "tconv", *argv], check=False,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("wrote out.png: ")
    with Image.open(tmp_path / "out.png") as image:
        assert image.size == ((192, 192) if argv[0] == "upsample" else (808, 460))


def test_help_lists_methods_modes_and_examples(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    status, out, _ = run(capsys, "upsample", "--help")
    assert status == 0
    for word in (*images.METHODS, "--kernel", "--align-corners", "I;16", "RGBA",
                 "half to even", "clamped", "tconv upsample photo.png big.png", "--force"):
        assert word in out
    assert max(len(line) for line in out.splitlines()) <= 80
    status, out, _ = run(capsys, "compare", "--help")
    assert status == 0
    assert "--crop X,Y,W,H" in out and "tconv compare -o montage.png" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out
    assert "upsample" in listing and "compare" in listing
