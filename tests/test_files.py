"""tconv._files: outputs are checked first and written atomically."""

from __future__ import annotations

import doctest
import os
import stat

import pytest

from tconv import _files
from tconv._files import OutputError, atomic_output, check_output


def test_examples_pass() -> None:
    result = doctest.testmod(_files, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_existing_file_needs_force(tmp_path) -> None:
    target = tmp_path / "keep.png"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match=r"--output .*keep\.png.* exists; pass --force"):
        check_output(target, flag="--output")
    assert check_output(target, force=True) == target


def test_input_is_never_an_output_even_with_force(tmp_path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"pixels")
    with pytest.raises(OutputError, match="OUT .*also an input"):
        check_output(tmp_path / "." / "photo.png", force=True, inputs=[photo], flag="OUT")


def test_missing_folder_is_named(tmp_path) -> None:
    with pytest.raises(OutputError, match="folder .*nowhere.* does not exist"):
        check_output(tmp_path / "nowhere" / "x.png")


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path) -> None:
    target = tmp_path / "keep.jpg"
    target.write_bytes(b"precious")
    with (pytest.raises(RuntimeError, match="encoder failed"),
          atomic_output(target, force=True) as temporary):
        temporary.write_bytes(b"half")
        raise RuntimeError("encoder failed")
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.jpg"]


def test_empty_write_is_refused(tmp_path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(OutputError, match="nothing was written"), atomic_output(target):
        pass
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_success_replaces_with_suffix_and_plain_mode(tmp_path) -> None:
    target = tmp_path / "out.png"
    seen = []
    with atomic_output(target) as temporary:
        seen.append(temporary)
        assert temporary.suffix == ".png"
        assert temporary.parent == tmp_path
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert not seen[0].exists()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
