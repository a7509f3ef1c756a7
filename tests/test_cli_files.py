"""The command line and files: nothing replaced by surprise, nothing half-written.

Every command that writes is run against an existing output (refused without
``--force``, replaced with it), against its own input (always refused),
against a missing folder (named), and with writers made to fail half way
(the old file survives byte for byte, no temporary file is left). Resource
bombs and crashes are run as a user runs them, in a subprocess with a memory
limit: one line on stderr, a non-zero status, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tconv import images
from tconv.cli import main
from tconv.cli import tour as tour_command

SRC = str(Path(__file__).resolve().parent.parent / "src")
OLD = b"old bytes that must survive"


def run(capsys, *argv):
    """``main(argv)``: (exit status, stdout, stderr)."""
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def last_line(err: str) -> str:
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders (``.name.xxxx``) left in ``folder``."""
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(path)
    return path


@pytest.fixture
def rgba(tmp_path):
    path = tmp_path / "rgba.png"
    Image.fromarray(np.full((4, 5, 4), 200, dtype=np.uint8)).save(path)
    return path


@pytest.fixture
def grey16(tmp_path):
    path = tmp_path / "g16.png"
    Image.fromarray(np.arange(0, 60000, 3000, dtype=np.uint16).reshape(4, 5)).save(path)
    return path


# One small, fast call of every command that writes a file: argv with {out}.
WRITERS = {
    "upsample": ["upsample", "{photo}", "-o", "{out}.png", "--method", "nearest"],
    "upsample-positional": ["upsample", "{photo}", "{out}.png", "--method", "nearest"],
    "compare": ["compare", "{photo}", "-o", "{out}.png", "--scale", "1", "--crop", "0,0,4,4"],
    "explain": ["explain", "--rank", "1", "--png", "{out}.png"],
    "matrix": ["matrix", "--rank", "1", "--png", "{out}.png"],
    "checkerboard": ["checkerboard", "--kernel", "3", "--stride", "2", "--rank", "1",
                     "--png", "{out}.png"],
    "animate": ["animate", "--input", "1,2", "--kernel", "1,10", "-o", "{out}.gif"],
}


def writer_argv(name: str, folder: Path, photo: Path, out: str = "out") -> tuple[list, Path]:
    argv = [arg.format(photo=photo, out=folder / out) for arg in WRITERS[name]]
    target = Path(next(arg for arg in argv if arg.startswith(str(folder / out))))
    return argv, target


# --------------------------------------------------------------------------
# --force, inputs, folders

@pytest.mark.parametrize("name", WRITERS)
def test_existing_output_needs_force_and_is_replaced_with_it(capsys, tmp_path, photo, name):
    argv, target = writer_argv(name, tmp_path, photo)
    target.write_bytes(OLD)
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert re.search(r"error: \S+ '.*out\.\w+' exists; pass --force to replace it$",
                     last_line(err))
    assert target.read_bytes() == OLD
    for flag in ("--force", "-f"):
        target.write_bytes(OLD)
        status, out, err = run(capsys, *argv, flag)
        assert status == 0 and err == "" and f"wrote {target}" in out
        assert target.read_bytes() != OLD and target.stat().st_size > 50
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", WRITERS)
def test_missing_output_folder_is_named(capsys, tmp_path, photo, name):
    argv, _ = writer_argv(name, tmp_path, photo, out="nowhere/out")
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert re.search(r"the folder '.*nowhere' does not exist$", last_line(err))
    assert not (tmp_path / "nowhere").exists()


def test_a_lone_positional_is_the_input_never_the_output(capsys, photo):
    before = photo.read_bytes()
    status, out, err = run(capsys, "upsample", photo)
    assert status == 2 and out == ""
    assert "is read as the input IN, never as the output" in last_line(err)
    status, out, err = run(capsys, "upsample", photo, "--force")
    assert status == 2 and photo.read_bytes() == before


@pytest.mark.parametrize("argv", [
    ["upsample", "{photo}", "{photo}", "--force"],
    ["upsample", "{photo}", "-o", "{same}", "-f"],
    ["upsample", "--input", "{photo}", "-o", "{photo}", "-f"],
    ["compare", "{photo}", "-o", "{same}", "--force", "--scale", "1"],
])
def test_an_input_is_never_written_even_with_force(capsys, tmp_path, photo, argv):
    before = photo.read_bytes()
    same = tmp_path / "." / "photo.png"  # another spelling of the same file
    status, out, err = run(capsys, *[a.format(photo=photo, same=same) for a in argv])
    assert status == 2 and out == ""
    assert "is also an input of this command; it is never written over" in last_line(err)
    assert photo.read_bytes() == before


@pytest.mark.parametrize(("fixture", "suffix", "match"), [
    ("rgba", ".jpg", "JPEG cannot hold mode RGBA"),
    ("rgba", ".bmp", "BMP cannot hold mode RGBA (it would be stored as 'RGB')"),
    ("grey16", ".gif", "GIF cannot hold mode I;16"),
    ("grey16", ".jpg", "JPEG cannot hold mode I;16 (it cannot store it)"),
    ("photo", ".xyz", "extension '.xyz' names no image format Pillow writes"),
])
def test_a_format_that_cannot_hold_the_mode_is_refused_and_keeps_the_old_file(
        capsys, tmp_path, request, fixture, suffix, match):
    source = request.getfixturevalue(fixture)
    keep = tmp_path / f"keep{suffix}"
    keep.write_bytes(OLD)
    status, out, err = run(capsys, "upsample", source, keep, "--force")
    assert status == 2 and out == ""
    assert f"OUT '{keep}': {match}" in last_line(err)
    assert keep.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_compare_refuses_a_gif_montage(capsys, tmp_path):
    status, _, err = run(capsys, "compare", "-o", tmp_path / "m.gif")
    assert status == 2 and "GIF cannot hold mode RGB" in last_line(err)


def test_formats_that_hold_the_mode_are_written(capsys, tmp_path, grey16, photo):
    for source, name in ((grey16, "g16.tif"), (photo, "grey.gif"), (photo, "grey.jpg")):
        assert run(capsys, "upsample", source, tmp_path / name, "--scale", "1",
                   "--method", "nearest")[0] == 0
    values, mode = images.read_image(tmp_path / "g16.tif")
    assert mode == "I;16" and values.max() == 57000
    with Image.open(tmp_path / "grey.gif") as image:  # a palette of greys, same values
        np.testing.assert_array_equal(np.asarray(image.convert("L")),
                                      np.arange(48).reshape(6, 8))


def test_output_format_probe_agrees_with_pillow_round_trips(tmp_path):
    # The refusals are Pillow's own behaviour: what output_format accepts
    # reads back in the same mode with the same values (lossless formats).
    for suffix in (".png", ".tif", ".bmp", ".gif", ".pgm", ".tga"):
        for mode in images.MODES:
            path = tmp_path / f"x{suffix}"
            values = np.arange(_channels(mode) * 6, dtype=np.float64).reshape(-1, 2, 3) * 9
            try:
                images.output_format(path, mode)
            except ValueError:
                continue
            images.write_image(path, values, mode)
            with Image.open(path) as image:
                back = np.asarray(image.convert("L") if image.mode == "P" else image)
            np.testing.assert_array_equal(back.reshape(2, 3, -1).transpose(2, 0, 1), values)


def _channels(mode: str) -> int:
    return {"L": 1, "RGB": 3, "RGBA": 4, "I;16": 1}[mode]


# --------------------------------------------------------------------------
# Writes that fail half way

def _path_of(args) -> Path:
    """The path a writer was given: its first path-like argument."""
    return Path(next(arg for arg in args if isinstance(arg, (str, os.PathLike))))


def _half_then_fail(*args, **kwargs):
    """A writer that leaves half a file and then fails, as a full disk does."""
    _path_of(args).write_bytes(b"half a fi")
    raise OSError(28, "No space left on device")


def _pillow_fails_on_files(monkeypatch):
    """Image.save fails half way on files (a probe into memory still works)."""
    save = Image.Image.save

    def failing(self, fp, *args, **kwargs):
        if isinstance(fp, (str, os.PathLike)):
            _half_then_fail(fp)
        return save(self, fp, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "save", failing)


FAILING = {
    "upsample": None,  # Pillow itself, under images.write_image's own atomic write
    "compare": None,
    "explain": "tconv.cli.explain.draw_explanation",
    "matrix": "tconv.cli.matrix.draw_matrix",
    "animate": "tconv.cli.animate.animate",
}


@pytest.mark.parametrize("name", FAILING)
def test_a_write_failing_half_way_leaves_the_old_file(capsys, tmp_path, photo, monkeypatch,
                                                      name):
    argv, target = writer_argv(name, tmp_path, photo)
    target.write_bytes(OLD)
    if FAILING[name] is None:
        _pillow_fails_on_files(monkeypatch)
    else:
        monkeypatch.setattr(FAILING[name], _half_then_fail)
    status, out, err = run(capsys, *argv, "--force")
    assert status == 1 and "wrote" not in out
    assert re.search(r"'.*out\.\w+': cannot write it \(No space left on device\)$",
                     last_line(err))
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_write_image_failing_half_way_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.png"
    target.write_bytes(OLD)
    _pillow_fails_on_files(monkeypatch)
    with pytest.raises(OSError, match="No space left"):
        images.write_image(target, np.zeros((1, 2, 2)), "L")
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


def test_checkerboard_heatmap_failing_half_way_leaves_no_file(capsys, tmp_path, monkeypatch):
    from tconv._checkerboard import CheckerboardResult

    monkeypatch.setattr(CheckerboardResult, "save_heatmap",
                        lambda self, path: _half_then_fail(path))
    status, out, err = run(capsys, "checkerboard", "--kernel", "3", "--stride", "2",
                           "--png", tmp_path / "h.png")
    assert status == 1 and out == "" and "cannot write it" in last_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_rename_leaves_the_old_file(capsys, tmp_path, photo, monkeypatch):
    target = tmp_path / "out.png"
    target.write_bytes(OLD)

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied", str(destination))

    monkeypatch.setattr(os, "replace", refuse)
    status, out, err = run(capsys, "upsample", photo, target, "--force")
    assert status == 1 and "wrote" not in out
    assert "cannot write it (Permission denied)" in last_line(err)
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


def test_an_interrupted_write_leaves_nothing_and_exits_130(capsys, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        _path_of(args).write_bytes(b"par")
        raise KeyboardInterrupt

    monkeypatch.setattr("tconv.cli.explain.draw_explanation", interrupted)
    status, _, err = run(capsys, "explain", "--png", tmp_path / "e.png")
    assert status == 130 and last_line(err) == "tconv explain: interrupted"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# tconv tour: a folder

def _fake_tour(folder):
    for name in ("index.html", "a.png", "b.gif"):
        (Path(folder) / name).write_text(name)
    return Path(folder) / "index.html"


def test_tour_folder_appears_whole_and_needs_force_to_replace(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(tour_command, "write_tour", _fake_tour)
    target = tmp_path / "tour"
    status, out, err = run(capsys, "tour", "-o", target)
    assert status == 0 and err == ""
    assert out == f"wrote {target / 'index.html'} and 2 pictures beside it; open it in a browser\n"
    assert sorted(p.name for p in target.iterdir()) == ["a.png", "b.gif", "index.html"]
    (target / "index.html").write_text("mine")
    (target / "notes.txt").write_text("kept")
    status, out, err = run(capsys, "tour", "-o", target)
    assert status == 2 and "holds a tour already (index.html); pass --force" in last_line(err)
    assert (target / "index.html").read_text() == "mine"
    assert run(capsys, "tour", "-o", target, "--force")[0] == 0
    assert (target / "index.html").read_text() == "index.html"
    assert (target / "notes.txt").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_tour_refuses_to_replace_other_files_of_the_same_name(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(tour_command, "write_tour", _fake_tour)
    (tmp_path / "a.png").write_text("mine")
    status, _, err = run(capsys, "tour", "-o", tmp_path)
    assert status == 2 and "holds 'a.png' already; pass --force" in last_line(err)
    assert (tmp_path / "a.png").read_text() == "mine" and not (tmp_path / "index.html").exists()
    assert leftovers(tmp_path) == []


def test_tour_failing_half_way_leaves_no_folder(capsys, tmp_path, monkeypatch):
    def half(folder):
        (Path(folder) / "index.html").write_text("<html>")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tour_command, "write_tour", half)
    status, _, err = run(capsys, "tour", "-o", tmp_path / "tour")
    assert status == 1 and "cannot write it there (No space left on device)" in last_line(err)
    assert list(tmp_path.iterdir()) == []
    status, _, err = run(capsys, "tour", "-o", tmp_path / "no" / "tour")
    assert status == 2 and "the folder" in err and "no' does not exist" in last_line(err)


# --------------------------------------------------------------------------
# Before the work: the drawing extra, the sizes

@pytest.mark.parametrize("argv", [
    ["explain", "--png", "e.png"],
    ["matrix", "--png", "m.png"],
    ["checkerboard", "--kernel", "3", "--stride", "2", "--png", "c.png"],
    ["animate", "-o", "a.gif"],
    ["tour", "-o", "tour"],
])
def test_missing_drawing_extra_is_reported_before_any_work(capsys, tmp_path, monkeypatch,
                                                           argv):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, out, err = run(capsys, *argv)
    assert status == 1 and out == ""
    assert "pip install 'tconv[viz]'" in last_line(err) and "matplotlib" in last_line(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "match"), [
    (["explain", "--stride", "100000"], r"the full output would be 100002x100002 .*--stride"),
    (["explain", "--op", "conv", "--padding", "100000"], r"padded input would be .*--padding"),
    (["animate", "--rank", "1", "--stride", "5000", "-o", "a.gif"], "full output would be"),
    (["matrix", "--stride", "100000"], "full output would be"),
    (["checkerboard", "--kernel", "3", "--stride", "100000"], "--stride 100000.*at most"),
    (["checkerboard", "--kernel", "3", "--stride", "2", "--layers", "1000"],
     "--layers 1000: .*more than 2\\*\\*64"),
    (["resize-diff", "5", "1000000000", "torch:mode=nearest", "torch:mode=bilinear"],
     "OUT=1000000000 is 1000000000 values; at most"),
    (["resize-diff", "100000x100000", "5x5", "torch:mode=nearest", "torch:mode=bilinear"],
     "IN=100000x100000"),
])
def test_calls_too_large_are_refused_before_allocating(capsys, tmp_path, monkeypatch, argv,
                                                       match):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert re.search(match, last_line(err))


def test_matrix_text_describes_what_the_picture_would_refuse(capsys):
    status, out, err = run(capsys, "matrix", "--rank", "1", "--input-size", "4", "--stride",
                           "100")
    assert status == 0 and err == ""
    assert "C^T is 303x4: too tall to print" in out


# --------------------------------------------------------------------------
# As a user runs them: subprocesses with a memory limit

def _limited():  # 4 GiB of address space: a runaway allocation fails at once
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def tconv(*argv, cwd=None):
    # One BLAS thread: thread buffers on a many-core machine would eat the limit.
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                      "MKL_NUM_THREADS")}
    env = {**os.environ, **threads, "PYTHONPATH": SRC, "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "tconv", *argv], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd, check=False,
                          preexec_fn=_limited)


@pytest.mark.parametrize(("argv", "match"), [
    (["checkerboard", "--kernel", "3", "--stride", "100000"], "--stride 100000"),
    (["explain", "--stride", "100000"], "--stride 100000"),
    (["solve", "7", "14", "--layers", "1000"], "layers"),
    (["resize-diff", "5", "1000000000", "torch:mode=nearest", "torch:mode=bilinear"],
     "OUT=1000000000"),
])
def test_resource_bombs_end_in_one_line_without_a_traceback(argv, match):
    done = tconv(*argv)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    line = last_line(done.stderr)
    assert line.startswith(f"tconv {argv[0]}: error: ") and match in line


def test_bare_tconv_prints_the_help_and_exits_2():
    done = tconv()
    assert done.returncode == 2 and done.stderr == ""
    assert done.stdout.startswith("usage: tconv") and "commands:" in done.stdout


def test_python_dash_m_keeps_a_lone_positional_as_input(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "photo.png")
    before = (tmp_path / "photo.png").read_bytes()
    done = tconv("upsample", "photo.png", cwd=tmp_path)
    assert done.returncode == 2 and "never as the output" in done.stderr
    assert (tmp_path / "photo.png").read_bytes() == before


def test_an_unexpected_error_is_one_line(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("tconv.cli.solve.tconv.solve", broken)
    status, out, err = run(capsys, "solve", "7", "14")
    assert status == 1 and out == ""
    assert last_line(err) == ("tconv solve: error: unexpected RuntimeError: boom (a bug in "
                              "tconv; please report it with the command line: tconv solve "
                              "7 14)")


@pytest.mark.parametrize(("error", "reason"), [
    (MemoryError, "needs more memory than is available"),
    (RecursionError, "nests too deeply"),
    (OverflowError, "holds a number too large to compute with"),
])
def test_resource_errors_name_the_command_line(capsys, monkeypatch, error, reason):
    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr("tconv.cli.solve.tconv.solve", failing)
    status, _, err = run(capsys, "solve", "7", "14", "--layers", "3")
    assert status == 2
    assert last_line(err) == (f"tconv solve: error: the call {reason} ({error.__name__}); "
                              "use smaller sizes, strides or counts (given: solve 7 14 "
                              "--layers 3)")


def test_an_os_error_names_the_file(capsys, monkeypatch, tmp_path):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/somewhere/file")

    monkeypatch.setattr("tconv.cli.solve.tconv.solve", denied)
    status, _, err = run(capsys, "solve", "7", "14")
    assert status == 1
    assert last_line(err) == "tconv solve: error: /somewhere/file: Permission denied"


# --------------------------------------------------------------------------
# Inputs: damaged files and huge headers end in one message

def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header promises width x height grey pixels, with a tiny body."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(width + 1))) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("size", "match"), [
    ((5000, 5000), r"is 5000x5000 = 25000000 pixels; at most max_pixels=16777216 are read"),
    ((40000, 40000), r"is refused by Pillow's size limit"),
])
def test_an_image_header_promising_huge_sizes_is_refused_before_decoding(
        capsys, tmp_path, size, match):
    source = tmp_path / "huge.png"
    source.write_bytes(_png_header_only(*size))
    status, out, err = run(capsys, "upsample", source, "-o", tmp_path / "out.png")
    assert status == 2 and out == ""
    assert re.search(rf"read_image: path='.*huge\.png' {match}", last_line(err))


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on corrupt metadata
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_damaged_input_images_end_in_one_message(tmp_path_factory, data):
    fmt = data.draw(st.sampled_from(["PNG", "GIF", "BMP", "TIFF", "JPEG"]), label="format")
    buffer = io.BytesIO()
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(buffer, format=fmt)
    raw = bytearray(buffer.getvalue())
    for _ in range(data.draw(st.integers(1, 3), label="flips")):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    raw = raw[:data.draw(st.integers(0, len(raw)), label="cut")]
    folder = tmp_path_factory.mktemp("damaged")
    source = folder / f"in.{fmt.lower()}"
    source.write_bytes(bytes(raw))
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["upsample", str(source), "-o", str(folder / "out.png"),
                       "--method", "nearest", "--scale", "1"])
    assert status in (0, 2), err.getvalue()
    if status == 2:
        assert "Traceback" not in err.getvalue()
        assert "in." in last_line(err.getvalue())
        assert not (folder / "out.png").exists()


def test_cli_module_examples_pass():
    import doctest

    module = sys.modules[main.__module__]  # tconv.cli.main, the module
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
