"""Command line: ``tconv COMMAND [flags]``.

A thin argparse front end over the public API: each subcommand parses its
flags into Python values, calls the library, and prints. Errors never end in a
traceback: bad flags are argparse errors, and the ``ValueError``/``TypeError``
messages of the library are printed as ``tconv COMMAND: error: ...`` with exit
status 2.

A new subcommand is one ``_add_<name>(commands)`` function that adds its
subparser and sets the defaults ``run`` (a function ``(args, parser) -> int``)
and ``command_parser`` (the subparser, for error messages); register it in
``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap

import numpy as np

from . import __version__, images
from .explain import explain_text

# Explanations are for small examples; larger ones are refused, not truncated.
MAX_SIZE = 32
# tconv upsample computes in float64 (8 bytes per value); a larger output is
# refused before the work starts rather than failing for memory half way.
MAX_OUTPUT_PIXELS = 64 * 2**20

_CLASSIC = {  # rank -> (input, kernel) shown when none is given
    2: ([[55, 52], [57, 50]], [[1, 2], [2, 1]]),
    1: ([1, 2, 3], [1, 10, 100]),
}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PAIR = r"\((-?\d+),(-?\d+)\)"


# --------------------------------------------------------------------------
# Flag value parsers: text -> Python value, or ArgumentTypeError (exit 2).

def _values(text: str) -> np.ndarray:
    """``"55,52;57,50"`` -> 2-D array (rows by ``;``); ``"1,2,3"`` -> 1-D."""
    rows = text.split(";")
    table = []
    for row in rows:
        items = [item.strip() for item in row.split(",")]
        bad = [item for item in items if not re.fullmatch(_NUMBER, item)]
        if bad:
            message = (f"{text!r}: {bad[0]!r} is not a number; write values separated by "
                       "',' and rows by ';', e.g. \"55,52;57,50\"")
            raise argparse.ArgumentTypeError(message)
        table.append([float(item) for item in items])
    lengths = sorted({len(row) for row in table})
    if len(lengths) > 1:
        message = (f"{text!r}: the rows have different lengths {lengths}; every row needs "
                   "the same number of values")
        raise argparse.ArgumentTypeError(message)
    array = np.array(table)
    return array[0] if len(rows) == 1 else array


def _sizes(text: str) -> tuple[int, ...]:
    """``"3x3"``, ``"3,3"`` or ``"3"`` -> positive ints."""
    items = re.split(r"[x,]", text.strip().lower())
    if not all(re.fullmatch(r"\d+", item.strip()) for item in items):
        message = (f"{text!r} is not a size; write one positive int per axis separated "
                   "by 'x', e.g. 3x3 (or one int for every axis)")
        raise argparse.ArgumentTypeError(message)
    sizes = tuple(int(item) for item in items)
    if min(sizes) < 1:
        message = f"{text!r}: sizes must be positive (>= 1)"
        raise argparse.ArgumentTypeError(message)
    return sizes


def _ints(text: str) -> int | tuple[int, ...]:
    """``"2"`` -> 2; ``"2,1"`` -> (2, 1). Values are checked by the library."""
    items = [item.strip() for item in text.split(",")]
    if not all(re.fullmatch(r"-?\d+", item) for item in items):
        message = (f"{text!r} is not an int or a comma-separated list of ints (one per "
                   "axis), e.g. 2 or 2,1")
        raise argparse.ArgumentTypeError(message)
    values = tuple(int(item) for item in items)
    return values[0] if len(values) == 1 else values


def _padding(text: str):
    """Every padding form of the library, spelled for a shell.

    ``same``/``valid``; ``1`` (every side); ``1,2`` (per axis, both sides);
    ``0:1,1:0`` or ``(0,1),(1,0)`` ((before, after) per axis). Items may mix
    ``p`` and ``before:after``: ``1,0:1``.
    """
    compact = re.sub(r"\s+", "", text).lower()
    if compact in ("same", "valid"):
        return compact
    if re.fullmatch(rf"{_PAIR}(,{_PAIR})*", compact):
        return tuple((int(a), int(b)) for a, b in re.findall(_PAIR, compact))
    items = compact.split(",")
    if all(re.fullmatch(r"-?\d+(:-?\d+)?", item) for item in items):
        if not any(":" in item for item in items):
            values = tuple(int(item) for item in items)
            return values[0] if len(values) == 1 else values
        pairs = [item.split(":") if ":" in item else (item, item) for item in items]
        return tuple((int(a), int(b)) for a, b in pairs)
    message = (f"{text!r} is not a padding; use an int (1), one int per axis (1,2), "
               "(before, after) per axis as 0:1,1:0 or (0,1),(1,0), 'same' or 'valid'")
    raise argparse.ArgumentTypeError(message)


# --------------------------------------------------------------------------
# tconv explain

_EXPLAIN_EPILOG = """\
values and sizes:
  --input "55,52;57,50"    rows separated by ';', values within a row by ','
                           (no ';' means 1-D, unless --rank 2 makes it a row)
  --input-size 3x3         fill that shape with 1, 2, 3, ... (one int: every
                           axis); --kernel and --kernel-size work the same way
  A leading minus needs '=': --input=-1,2;3,4
  Without values the classic example is used: input 55,52;57,50 and kernel
  1,2;2,1 in 2-D, input 1,2,3 and kernel 1,10,100 in 1-D.

padding forms:
  1                        one on every side of every axis
  1,2                      per axis: 1 on both sides of rows, 2 of cols
  0:1,1:0  or  (0,1),(1,0) (before, after) per axis
  same, valid              TensorFlow/Keras "same" (out = in * stride for
                           conv_transpose), no padding

examples:
  tconv explain
  tconv explain --input "1,2;3,4" --kernel "1,2,3;4,5,6;7,8,9" \\
                --stride 2 --padding 1 --output-padding 1
  tconv explain --rank 1 --stride 2 --padding same
  tconv explain --op conv --input-size 4x4 --kernel-size 3 --padding 0:1,1:0
"""


def _add_explain(commands) -> None:
    parser = commands.add_parser(
        "explain", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="explain a (transposed) convolution step by step, with the numbers",
        description=textwrap.fill(
            "Explain one single-channel transposed convolution (or, with --op conv, "
            "convolution): the size formula with the numbers, every scatter (or "
            "sliding-window) step, the crop by padding and output_padding, the same "
            "result as a matrix product, and a check that every algorithm agrees. "
            "Output fits 80 columns.", 78),
        epilog=_EXPLAIN_EPILOG)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=_values, metavar="VALUES",
                        help='input values, e.g. "55,52;57,50" (default: the classic '
                             "example)")
    source.add_argument("--input-size", type=_sizes, metavar="SIZE",
                        help="input shape filled with 1..N, e.g. 3x3 or 5")
    kernel = parser.add_mutually_exclusive_group()
    kernel.add_argument("--kernel", type=_values, metavar="VALUES",
                        help='kernel values, e.g. "1,2;2,1"')
    kernel.add_argument("--kernel-size", type=_sizes, metavar="SIZE",
                        help="kernel shape filled with 1..K, e.g. 3 or 3x2")
    parser.add_argument("--stride", type=_ints, default=1, metavar="INTS",
                        help="stride: one int or one per axis, e.g. 2 or 2,1 (default 1)")
    parser.add_argument("--padding", type=_padding, default="valid", metavar="PADDING",
                        help="padding, any form below (default valid)")
    parser.add_argument("--output-padding", type=_ints, default=0, metavar="INTS",
                        help="output_padding (conv_transpose only): one int or one per "
                             "axis, each < max(stride, dilation) (default 0)")
    parser.add_argument("--dilation", type=_ints, default=1, metavar="INTS",
                        help="spacing of the kernel taps: one int or one per axis "
                             "(default 1)")
    parser.add_argument("--rank", type=int, choices=(1, 2),
                        help="spatial rank; inferred from the values or sizes given, "
                             "else 2")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose",
                        help="the op to explain (default conv_transpose)")
    parser.add_argument("--width", type=int, default=80, metavar="COLUMNS",
                        help="longest output line, at least 40 (default 80)")
    parser.set_defaults(run=_run_explain, command_parser=parser)


def _rank(args) -> int:
    """--rank, else the largest rank the values or multi-axis sizes show, else 2."""
    if args.rank is not None:
        return args.rank
    evidence = {"--input": args.input, "--kernel": args.kernel}
    ranks = {flag: a.ndim for flag, a in evidence.items() if a is not None}
    sizes = {"--input-size": args.input_size, "--kernel-size": args.kernel_size}
    ranks.update({flag: len(s) for flag, s in sizes.items() if s is not None and len(s) > 1})
    for flag, rank in ranks.items():
        if rank > 2:
            message = (f"{flag} {'x'.join(map(str, sizes[flag]))} has {rank} sizes; explain "
                       "shows 1-D and 2-D examples (one or two sizes)")
            raise ValueError(message)
    return max(ranks.values(), default=2)


def _operand(flag: str, values, size_flag: str, sizes, default, rank: int) -> np.ndarray:
    """One operand from its values or its size, shaped for ``rank``."""
    if values is not None:
        if values.ndim > rank:
            message = (f"{flag} has {values.shape[0]} rows (2-D) but the rank is {rank}; "
                       "drop --rank 1 or give one row")
            raise ValueError(message)
        array = values.reshape((1,) * (rank - values.ndim) + values.shape)
        what = flag
    elif sizes is not None:
        if len(sizes) not in (1, rank):
            message = (f"{size_flag} {'x'.join(map(str, sizes))} has {len(sizes)} sizes; "
                       f"give one int or {rank} (the rank)")
            raise ValueError(message)
        shape = sizes * rank if len(sizes) == 1 else sizes
        array = np.arange(1, np.prod(shape) + 1, dtype=np.float64).reshape(shape)
        what = size_flag
    else:
        return np.array(default, dtype=np.float64)
    if max(array.shape) > MAX_SIZE:
        message = (f"{what}: shape {'x'.join(map(str, array.shape))} is too large to "
                   f"explain; at most {MAX_SIZE} per axis")
        raise ValueError(message)
    return array


def _run_explain(args, parser) -> int:
    rank = _rank(args)
    x_default, weight_default = _CLASSIC[rank]
    x = _operand("--input", args.input, "--input-size", args.input_size, x_default, rank)
    weight = _operand("--kernel", args.kernel, "--kernel-size", args.kernel_size,
                      weight_default, rank)
    text = explain_text(x, weight, op=args.op, stride=args.stride, padding=args.padding,
                        output_padding=args.output_padding, dilation=args.dilation,
                        width=args.width)
    print(text)
    return 0


# --------------------------------------------------------------------------
# tconv upsample, tconv compare

def _scale(text: str) -> int | float:
    """``"2"`` -> 2, ``"2.5"`` -> 2.5 (``"2.0"`` -> 2). Values are checked by images."""
    if not re.fullmatch(_NUMBER, text.strip()):
        message = f"{text!r} is not a number; write the factor for both axes, e.g. 2 or 1.5"
        raise argparse.ArgumentTypeError(message)
    value = float(text)
    return int(value) if value.is_integer() else value


def _crop(text: str) -> tuple[int, ...]:
    """``"10,20,32,32"`` -> (10, 20, 32, 32). Whether it fits is checked by images."""
    items = [item.strip() for item in text.split(",")]
    if len(items) != 4 or not all(re.fullmatch(r"\d+", item) for item in items):
        message = (f"{text!r} is not a crop; write X,Y,W,H: left column, top row, width "
                   "and height in pixels, e.g. 10,20,32,32")
        raise argparse.ArgumentTypeError(message)
    return tuple(int(item) for item in items)


def _add_input(parser, what: str) -> None:
    """The input: an optional positional IN, or --input IN; default the sample."""
    parser.add_argument("in_path", nargs="?", metavar="IN",
                        help=f"the image to {what} (default: tconv's sample image, "
                             "RGB 96x96)")
    parser.add_argument("--input", dest="in_flag", metavar="IN",
                        help="the input image, as a flag instead of the positional IN")


def _read_input(args) -> tuple[np.ndarray, str, str]:
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


def _write_output(flag: str, path: str, write):
    """Return ``write()``; Pillow's complaints about ``path`` become ValueErrors."""
    try:
        return write()
    except (OSError, ValueError, KeyError) as error:
        message = (f"{flag}={path!r}: cannot write it ({error}); use a format that holds "
                   "the image's mode, e.g. .png")
        raise ValueError(message) from None


def _size(values) -> str:
    return f"{values.shape[-1]}x{values.shape[-2]}"


_UPSAMPLE_EPILOG = """\
methods:
  nearest, nearest-exact, bilinear, bicubic
                     tconv.interpolate (= torch.nn.functional.interpolate);
                     any --scale >= 1; --align-corners for bilinear, bicubic
  bed-of-nails       tconv.bed_of_nails: each pixel at the top-left of its
                     block, zeros (black, transparent) elsewhere
  transposed         tconv.conv_transpose with the fixed --kernel (bilinear or
                     nearest) of tconv.upsampling_kernel, per channel
                     (groups=C); bilinear darkens the outermost rows/columns
  bed-of-nails and transposed need an integer --scale.

values:
  Modes L, RGB, RGBA (8-bit) and I;16 (16-bit grey) are read and written back
  in the same mode; others (P, CMYK, LA, ...) are refused: convert first. The
  ops run in float64 on the stored values (0..255 or 0..65535); the result is
  clamped to that range and rounded half to even. Bicubic overshoots near
  edges are clamped (the count is reported). Alpha is up-sampled like the
  other channels, with the same method (not premultiplied). Write a lossless
  format (.png, .tif) to keep the values.

IN and OUT go next to each other, before or after the flags; or give the input
as --input IN.

examples:
  tconv upsample out.png                       # the sample, bilinear, x2
  tconv upsample photo.png big.png --method bicubic --scale 4
  tconv upsample photo.png big.png --method nearest-exact --scale 1.5
  tconv upsample big.png --input photo.png --method transposed --kernel nearest
"""


def _add_upsample(commands) -> None:
    parser = commands.add_parser(
        "upsample", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="up-sample an image file with one method",
        description=textwrap.fill(
            "Up-sample an image (default: the sample image) by --scale with one of "
            "tconv's fixed up-sampling methods and write it in the same mode and bit "
            "depth.", 78),
        epilog=_UPSAMPLE_EPILOG)
    _add_input(parser, "up-sample")
    parser.add_argument("out_path", metavar="OUT",
                        help="the file to write; its extension picks the format (.png)")
    parser.add_argument("--method", choices=images.METHODS, default="bilinear",
                        metavar="M", help=f"one of {', '.join(images.METHODS)} "
                                          "(default bilinear)")
    parser.add_argument("--scale", type=_scale, default=2, metavar="S",
                        help="factor for both axes, >= 1; an integer for bed-of-nails "
                             "and transposed (default 2)")
    parser.add_argument("--kernel", choices=images.KERNELS, metavar="K",
                        help="fixed kernel of --method transposed: bilinear (default) "
                             "or nearest")
    parser.add_argument("--align-corners", action="store_true",
                        help="align_corners=True (bilinear and bicubic only)")
    parser.set_defaults(run=_run_upsample, command_parser=parser)


def _run_upsample(args, parser) -> int:
    values, mode, name = _read_input(args)
    height, width = (math.floor(size * args.scale) for size in values.shape[1:])
    if height * width > MAX_OUTPUT_PIXELS:
        message = (f"scale={args.scale} would make the {_size(values)} input "
                   f"{width}x{height} pixels; at most {MAX_OUTPUT_PIXELS // 2**20} "
                   "megapixels are written (a smaller --scale or a crop of the input)")
        raise ValueError(message)
    result = images.upsample(values, args.method, args.scale, kernel=args.kernel,
                             align_corners=True if args.align_corners else None)
    clamped = _write_output("OUT", args.out_path,
                            lambda: images.write_image(args.out_path, result, mode))
    method = args.method
    if method == "transposed":
        method += f" ({args.kernel or 'bilinear'} kernel)"
    print(f"wrote {args.out_path}: {mode} {_size(result)} from {name} {_size(values)}, "
          f"{method}, scale {args.scale}")
    if clamped:
        top = images.MAX_VALUE[mode]
        print(f"note: {clamped} of {result.size} values fell outside 0..{top} and were "
              "clamped")
    return 0


_COMPARE_EPILOG = """\
The montage has one tile per method, each the crop up-sampled by --scale on its
own (so the crop's edges show each method's border handling), titled, after a
tile with the whole input and the crop outlined in red:
  nearest, nearest-exact, bilinear, bicubic, bed-of-nails,
  transposed: bilinear, transposed: nearest (the two fixed --kernel choices)
Stored values are shown as a viewer would: 16-bit grey mapped to 8 bits, RGBA
over the light grey background. The montage is RGB.

examples:
  tconv compare -o montage.png                 # the sample, x4
  tconv compare photo.png --scale 8 --crop 100,40,32,32 -o montage.png
"""


def _add_compare(commands) -> None:
    parser = commands.add_parser(
        "compare", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="draw every up-sampling method side by side, as one labelled image",
        description=textwrap.fill(
            "Up-sample one crop of an image (default: the sample image) with every "
            "method of 'tconv upsample' and write a labelled montage of the results.",
            78),
        epilog=_COMPARE_EPILOG)
    _add_input(parser, "crop")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="the montage file to write (.png)")
    parser.add_argument("--scale", type=_scale, default=4, metavar="S",
                        help="integer factor for both axes (default 4)")
    parser.add_argument("--crop", type=_crop, metavar="X,Y,W,H",
                        help="left column, top row, width and height of the crop "
                             f"(default: the central crop, at most {images.DEFAULT_CROP}"
                             f"x{images.DEFAULT_CROP})")
    parser.set_defaults(run=_run_compare, command_parser=parser)


def _run_compare(args, parser) -> int:
    values, mode, name = _read_input(args)
    sheet = images.montage(values, mode, args.scale, crop=args.crop, name=name)
    _write_output("--output", args.output, lambda: sheet.save(args.output))
    x, y, width, height = args.crop or images.central_crop(values.shape[1:])
    print(f"wrote {args.output}: {sheet.width}x{sheet.height} montage of "
          f"{len(images.MONTAGE_TILES)} methods on the {width}x{height} crop at "
          f"({x}, {y}) of {name}, scale {args.scale}")
    return 0


# --------------------------------------------------------------------------

_COMMANDS = (_add_explain, _add_upsample, _add_compare)


def build_parser() -> argparse.ArgumentParser:
    """The ``tconv`` parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="tconv",
        description="Exact transposed convolution, explained. Run 'tconv COMMAND --help' "
                    "for a command's flags.")
    parser.add_argument("--version", action="version", version=f"tconv {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                     required=True)
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv=None) -> int:
    """Run ``tconv`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 2 for bad flags or values the library rejects, 1 when an
        optional dependency is missing (the message goes to stderr as
        ``tconv COMMAND: error: ...``).

    Examples
    --------
    >>> from tconv.cli import main
    >>> main(["explain", "--rank", "1", "--width", "60"])  # doctest: +ELLIPSIS
    tconv explain: transposed convolution (conv_transpose), 1-D
    ...
    0
    """
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        command = args.command_parser
        if unknown:
            # Reported by the subcommand, whose usage lists the flags it knows.
            command.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as stop:  # --help, --version and argparse's own errors
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return args.run(args, command)
    except BrokenPipeError:
        # The reader left early (`tconv explain | head`): exit quietly, as the
        # Python docs advise (signal module, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, TypeError) as error:
        # The library's messages name the parameter, the value and what is valid.
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        # An optional dependency is missing (Pillow for upsample and compare);
        # the message names the extra that brings it.
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
