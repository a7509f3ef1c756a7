"""The files of the commands: inputs read, outputs checked first and written safely.

Every command that writes goes through :func:`write` (one file) or
:func:`write_folder` (``tconv tour``): the output is checked before any work
(:func:`check`: its folder exists, it is not one of the command's inputs, and
an existing file is replaced only with ``--force``), written to a temporary
name beside it, and renamed into place only when the writer succeeded, so a
failed command leaves the old file, or none, never a damaged one.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .. import images
from .._files import OutputError, atomic_output, check_output

# Inputs are decoded into float64 (C, H, W) arrays: larger ones are refused
# from the file's header, before their pixels are decoded.
MAX_INPUT_PIXELS = 2**24

VIZ = ("matplotlib", "PIL")
"""The modules of the ``viz`` extra that drawing commands need."""


# --------------------------------------------------------------------------
# Flags

def add_force(parser, what: str = "the output") -> None:
    """``-f/--force``: replace an existing output (never one of the inputs)."""
    parser.add_argument("-f", "--force", action="store_true",
                        help=f"replace {what} if it exists (an input is never replaced)")


def add_input(parser, what: str) -> None:
    """The input: an optional positional IN, or --input IN; default the sample."""
    parser.add_argument("in_path", nargs="?", metavar="IN",
                        help=f"the image to {what} (default: tconv's sample image, "
                             "RGB 96x96)")
    parser.add_argument("--input", dest="in_flag", metavar="IN",
                        help="the input image, as a flag instead of the positional IN")


def add_input_output(parser, what: str) -> None:
    """``[IN] [OUT]``, ``--input IN``, ``-o OUT``: one positional is always IN."""
    parser.add_argument("in_path", nargs="?", metavar="IN",
                        help=f"the image to {what} (default: tconv's sample image, RGB "
                             "96x96); a single positional is always IN, never OUT")
    parser.add_argument("out_path", nargs="?", metavar="OUT",
                        help="the file to write (or -o OUT)")
    parser.add_argument("--input", dest="in_flag", metavar="IN",
                        help="the input image, as a flag instead of the positional IN")
    parser.add_argument("-o", "--output", dest="out_flag", metavar="OUT",
                        help="the file to write, as a flag instead of the positional OUT")


def input_output(args) -> tuple[str | None, str]:
    """``(input path or None for the sample, output path)`` of :func:`add_input_output`.

    Raises ValueError (exit status 2) when the two cannot be told apart for
    sure: a lone positional is never taken for the output, so ``tconv
    upsample photo.png`` cannot replace the photo.
    """
    paths = [path for path in (args.in_path, args.out_path) if path is not None]
    if args.out_flag is not None:
        if len(paths) == 2:
            message = (f"OUT={paths[1]!r} and --output={args.out_flag!r}: give the output "
                       "once, as OUT or as -o")
            raise ValueError(message)
        in_path, out_path = (paths[0] if paths else None), args.out_flag
    elif len(paths) == 2:
        in_path, out_path = paths
    else:
        given = f" ({paths[0]!r} is read as the input IN, never as the output)" if paths else ""
        message = (f"no output file{given}; name it with -o OUT, or give both IN OUT")
        raise ValueError(message)
    if in_path is not None and args.in_flag is not None:
        message = (f"IN={in_path!r} and --input={args.in_flag!r}: give the input once, as "
                   "IN or as --input (the output is -o OUT)")
        raise ValueError(message)
    return (args.in_flag if in_path is None else in_path), out_path


def input_path(args) -> str | None:
    """The input of :func:`add_input`: IN, --input, or None for the sample."""
    if args.in_path is not None and args.in_flag is not None:
        message = (f"IN={args.in_path!r} and --input={args.in_flag!r}: give the input "
                   "once, as IN or as --input")
        raise ValueError(message)
    return args.in_flag if args.in_flag is not None else args.in_path


def read_input(path: str | None) -> tuple[np.ndarray, str, str]:
    """(values, mode, name) of the input image; file problems become ValueErrors."""
    try:
        values, mode = images.read_image(path, max_pixels=MAX_INPUT_PIXELS)
    except FileNotFoundError:
        message = f"IN={path!r}: no such file"
        raise ValueError(message) from None
    except IsADirectoryError:
        message = f"IN={path!r} is a directory, not an image file"
        raise ValueError(message) from None
    except (OSError, SyntaxError, EOFError, struct.error, zlib.error) as error:
        # PIL.UnidentifiedImageError is an OSError; damaged headers raise the others.
        message = f"IN={path!r}: not an image Pillow can read ({error})"
        raise ValueError(message) from None
    name = images.SAMPLE if path is None else os.path.basename(path)
    return values, mode, name


# --------------------------------------------------------------------------
# Checks before the work

def require(flag: str, modules: Iterable[str] = VIZ) -> None:
    """Raise ImportError (exit status 1) before any work when a drawing module is missing."""
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append("Pillow" if name == "PIL" else name)
    if missing:
        message = (f"{flag} needs {' and '.join(missing)}: pip install 'tconv[viz]' (or "
                   f"pip install {' '.join(missing)})")
        raise ImportError(message)


def check_picture(path, *, flag: str, force: bool) -> Path:
    """:func:`check`, and that matplotlib writes the format ``path``'s extension names."""
    from matplotlib.backend_bases import FigureCanvasBase

    target = check(path, flag=flag, force=force)
    extension = target.suffix.lower().lstrip(".")
    known = FigureCanvasBase.get_supported_filetypes()
    if extension not in known:
        what = f"extension {'.' + extension!r}" if extension else "no extension"
        message = (f"{flag} {os.fspath(path)!r}: {what} names no format matplotlib writes; "
                   f"use .png (or one of {', '.join('.' + name for name in sorted(known))})")
        raise OutputError(message)
    return target


def check(path, *, flag: str, force: bool, inputs: Iterable = ()) -> Path:
    """:func:`tconv._files.check_output` before the work (the write checks again)."""
    return check_output(path, force=force, inputs=[p for p in inputs if p is not None],
                        flag=flag)


# --------------------------------------------------------------------------
# Writing

def _reason(error: OSError) -> str:
    """The reason of an OSError without the temporary file's name."""
    return error.strerror or type(error).__name__


def write(path, writer: Callable[[Path], object], *, flag: str, force: bool,
          inputs: Iterable = ()):
    """Return ``writer(temporary)``; the temporary file becomes ``path`` on success.

    The temporary path is beside ``path`` with the same suffix (so writers
    that pick the format from the name work) and does not exist when
    ``writer`` is called (so a writer that itself refuses existing files, or
    writes atomically, works too). An OSError of the writer (a full disk,
    no permission) is raised again with a message naming ``flag`` and
    ``path`` instead of the temporary name (exit status 1).
    """
    try:
        with atomic_output(path, force=force, inputs=[p for p in inputs if p is not None],
                           flag=flag) as temporary:
            temporary.unlink()
            return writer(temporary)
    except OSError as error:
        message = f"{flag} {os.fspath(path)!r}: cannot write it ({_reason(error)})"
        raise OSError(error.errno, message) from None


def check_folder(path, *, flag: str, force: bool) -> Path:
    """Check an output folder before the work: its parent exists, it is not a file,
    and it holds no ``index.html`` unless ``force``."""
    target = Path(os.fspath(path))
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        message = f"{flag} {os.fspath(path)!r}: the folder {os.fspath(parent)!r} does not exist"
        raise OutputError(message)
    if target.exists() and not target.is_dir():
        message = f"{flag} {os.fspath(path)!r} is a file, not a folder; give a folder name"
        raise OutputError(message)
    if (target / "index.html").exists() and not force:
        message = (f"{flag} {os.fspath(path)!r} holds a tour already (index.html); pass "
                   "--force to replace its files")
        raise OutputError(message)
    return target


def write_folder(path, writer: Callable[[Path], object], *, flag: str, force: bool):
    """Return ``writer(temporary_folder)``; then move its files into the folder ``path``.

    A new folder appears whole (one rename); in an existing folder each file
    is replaced by a rename, and a file already there is replaced only with
    ``force``. On any error the temporary folder is removed and ``path`` is
    as it was.
    """
    target = check_folder(path, flag=flag, force=force)
    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o777 & ~umask)
        try:
            result = writer(temporary)
        except OSError as error:
            message = f"{flag} {os.fspath(path)!r}: cannot write it there ({_reason(error)})"
            raise OSError(error.errno, message) from None
        if not target.exists():
            os.rename(temporary, target)
            return result
        names = sorted(item.name for item in temporary.iterdir())
        clashes = [name for name in names if (target / name).exists()]
        if clashes and not force:
            message = (f"{flag} {os.fspath(path)!r} holds {clashes[0]!r} already; pass "
                       "--force to replace it")
            raise OutputError(message)
        for name in names:
            os.replace(temporary / name, target / name)
        return result
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(temporary)
