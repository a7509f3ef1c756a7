"""``tconv animate``: a (transposed) convolution step by step, as a GIF or MP4."""

from __future__ import annotations

import argparse
import textwrap

from .._draw import FORMATS, MAX_FRAMES, VIEWS, animate
from .._explain import MAX_GRID, MAX_SIZE, explain
from . import files, flags

_ANIMATE_EPILOG = f"""\
The flags for the values and the geometry are those of 'tconv explain' (see
'tconv explain --help' for the value and padding forms).

frames:
  1 setup frame + one per step + 1 final frame (the cropped output). Steps:
  scatter, one per input value; zero-insertion, one per output value (the
  flipped kernel sliding with stride 1 over the zero-inserted, padded input);
  both, the larger of the two, one view above the other; --op conv, one per
  output value (the window sliding over the padded input).
  At most {MAX_FRAMES} frames; input and kernel at most {MAX_SIZE} per axis, the
  full output, padded input and output at most {MAX_GRID}.

output (replaced only with --force; written under a temporary name and
renamed when complete):
  .gif  written with Pillow
  .mp4  written with ffmpeg: the one on PATH, else imageio-ffmpeg's
        (pip install imageio-ffmpeg)

examples:
  tconv animate -o scatter.gif
  tconv animate --rank 1 --stride 2 --padding 1 --view both -o both.gif
  tconv animate --input-size 3x3 --kernel-size 3 --stride 2 --padding same \\
                --view zero-insertion -o zeros.gif
  tconv animate --op conv --input-size 5x5 --kernel-size 3 --stride 2 -o conv.gif
"""


def _fps(text: str) -> float:
    """``"2"`` -> 2.0; the range is checked by :func:`tconv._draw.animate`."""
    try:
        return float(text)
    except ValueError:
        message = f"{text!r} is not a number of frames per second, e.g. 2 or 0.5"
        raise argparse.ArgumentTypeError(message) from None


def register(commands) -> None:
    parser = commands.add_parser(
        "animate", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="animate a (transposed) convolution step by step (GIF, or MP4 with ffmpeg)",
        description=textwrap.fill(
            "Animate one single-channel transposed convolution (or, with --op conv, "
            "convolution): frame by frame each kernel copy landing in the output with "
            "the running sum (scatter view), or the flipped kernel sliding over the "
            "zero-inserted input (zero-insertion view), then the cropped output.", 78),
        epilog=_ANIMATE_EPILOG)
    flags.add_operation_flags(parser, what="animate")
    parser.add_argument("-o", "--output", required=True, metavar="PATH",
                        help=f"where the animation goes: {' or '.join(FORMATS)}")
    parser.add_argument("--view", choices=VIEWS, default="scatter",
                        help="scatter (default), zero-insertion (conv_transpose only), "
                             "or both")
    parser.add_argument("--fps", type=_fps, default=2.0, metavar="FPS",
                        help="frames per second, 0.1 to 30 (default 2)")
    files.add_force(parser, "the --output file")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    files.require("tconv animate")
    files.check(args.output, flag="--output", force=args.force)
    x, weight = flags.operands(args)
    flags.check_size(args, x, weight, limit=MAX_GRID * MAX_GRID)
    explanation = explain(x, weight, op=args.op, stride=args.stride, padding=args.padding,
                          output_padding=args.output_padding, dilation=args.dilation)
    movie = files.write(args.output, lambda temporary: animate(
        explanation, temporary, view=args.view, fps=args.fps),
        flag="--output", force=args.force)
    width, height = movie.size
    print(f"wrote {args.output}: {movie.frames} frames of {width}x{height} pixels "
          f"({args.view} view, {args.fps:g} fps)")
    return 0
