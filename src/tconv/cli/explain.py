"""``tconv explain``: one small (transposed) convolution, step by step, in text."""

from __future__ import annotations

import argparse
import textwrap

from .._draw import draw_explanation
from .._explain import explain, explain_text
from . import files, flags

# The text shows every value of the full output (or padded input): larger
# calls are refused before anything is computed.
MAX_VALUES = 2**16

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


def register(commands) -> None:
    parser = commands.add_parser(
        "explain", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="explain a (transposed) convolution step by step, with the numbers",
        description=textwrap.fill(
            "Explain one single-channel transposed convolution (or, with --op conv, "
            "convolution): the size formula with the numbers, every scatter (or "
            "sliding-window) step, the crop by padding and output_padding, the same "
            "result as a matrix product, and a check that every algorithm agrees. "
            "Output fits 80 columns. --png also draws it.", 78),
        epilog=_EXPLAIN_EPILOG)
    flags.add_operation_flags(parser)
    parser.add_argument("--width", type=int, default=80, metavar="COLUMNS",
                        help="longest output line, at least 40 (default 80)")
    parser.add_argument("--png", metavar="PATH",
                        help="also draw the op into this PNG: input, kernel, full and "
                             "cropped output, zero-insertion view (needs tconv[viz])")
    files.add_force(parser, "the --png file")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    if args.png is not None:  # everything --png needs is checked before any text
        files.require("--png")
        files.check_picture(args.png, flag="--png", force=args.force)
    x, weight = flags.operands(args)
    flags.check_size(args, x, weight, limit=MAX_VALUES)
    geometry = {"op": args.op, "stride": args.stride, "padding": args.padding,
                "output_padding": args.output_padding, "dilation": args.dilation}
    # With --png, a call too large to draw is refused before any text is printed.
    drawn = explain(x, weight, **geometry) if args.png is not None else None
    print(explain_text(x, weight, **geometry, width=args.width))
    if drawn is not None:
        picture = files.write(args.png, lambda temporary: draw_explanation(drawn, temporary),
                              flag="--png", force=args.force)
        width, height = picture.size
        print(f"\nwrote {args.png}: {width}x{height} pixels")
    return 0
