"""Input and output files of the commands that read or write images."""

from __future__ import annotations

import os

import numpy as np

from .. import images


def add_input(parser, what: str) -> None:
    """The input: an optional positional IN, or --input IN; default the sample."""
    parser.add_argument("in_path", nargs="?", metavar="IN",
                        help=f"the image to {what} (default: tconv's sample image, "
                             "RGB 96x96)")
    parser.add_argument("--input", dest="in_flag", metavar="IN",
                        help="the input image, as a flag instead of the positional IN")


def read_input(args) -> tuple[np.ndarray, str, str]:
    """(values, mode, name) of the input image; file problems become ValueErrors."""
    if args.in_path is not None and args.in_flag is not None:
        message = (f"IN={args.in_path!r} and --input={args.in_flag!r}: give the input "
                   "once, as IN or as --input")
        raise ValueError(message)
    path = args.in_flag if args.in_flag is not None else args.in_path
    try:
        values, mode = images.read_image(path)
    except FileNotFoundError:
        message = f"IN={path!r}: no such file"
        raise ValueError(message) from None
    except IsADirectoryError:
        message = f"IN={path!r} is a directory, not an image file"
        raise ValueError(message) from None
    except OSError as error:  # PIL.UnidentifiedImageError is an OSError
        message = f"IN={path!r}: not an image Pillow can read ({error})"
        raise ValueError(message) from None
    name = images.SAMPLE if path is None else os.path.basename(path)
    return values, mode, name


def write_output(flag: str, path: str, write):
    """Return ``write()``; Pillow's complaints about ``path`` become ValueErrors."""
    try:
        return write()
    except (OSError, ValueError, KeyError) as error:
        message = (f"{flag}={path!r}: cannot write it ({error}); use a format that holds "
                   "the image's mode, e.g. .png")
        raise ValueError(message) from None


def writing(flag: str, path: str, write):
    """Return ``write()``; a file that cannot be written becomes a ValueError."""
    try:
        return write()
    except OSError as error:
        message = f"{flag}={path!r}: cannot write it ({error.strerror or error})"
        raise ValueError(message) from None
