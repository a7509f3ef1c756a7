"""``tconv checkerboard``: the overlap analysis of a transposed convolution."""

from __future__ import annotations

import argparse
import math
import textwrap

import numpy as np

import tconv

from .._geometry import stacked_border
from . import files, flags

# The coverage arrays are bounded before the analysis allocates them.
MAX_VALUES = 2**24

_CHECKERBOARD_EPILOG = """\
Coverage = how many input-times-tap products land on each output position
(a transposed convolution of all ones with an all-ones kernel). The interior
(away from the borders by the kernel span) repeats with the stride (the
product of strides for --layers); score = (max - min) / mean over it, 0 when
uniform. The gradient line is the same count for the strided forward
convolution's input gradient (how often each input is read).

examples:
  tconv checkerboard --kernel 3 --stride 2
  tconv checkerboard --kernel 4 --stride 2 --layers 3 --rank 1
  tconv checkerboard --kernel 3 --stride 2 --dilation 2 --rank 1
  tconv checkerboard --kernel 3 --stride 2 --layers 2 --png heatmap.png
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "checkerboard", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="overlap analysis: does a transposed convolution make a checkerboard?",
        description=textwrap.fill(
            "Print the interior coverage pattern (one period) of a transposed "
            "convolution, or of --layers identical ones stacked, its unevenness score, "
            "the verdict and the fixes (tconv.checkerboard); --png draws the coverage "
            "as a heatmap.", 78),
        epilog=_CHECKERBOARD_EPILOG)
    parser.add_argument("--kernel", type=flags.ints, required=True, metavar="INTS",
                        help="kernel size: one int or one per axis, e.g. 3 or 3,4")
    parser.add_argument("--stride", type=flags.ints, required=True, metavar="INTS",
                        help="stride: one int or one per axis")
    parser.add_argument("--layers", type=flags.positive, default=1, metavar="L",
                        help="identical layers stacked (default 1)")
    parser.add_argument("--padding", type=flags.ints, default=0, metavar="INTS",
                        help="padding cropped from each end (default 0)")
    parser.add_argument("--output-padding", type=flags.ints, default=0, metavar="INTS",
                        help="output_padding (default 0)")
    parser.add_argument("--dilation", type=flags.ints, default=1, metavar="INTS",
                        help="spacing of the kernel taps (default 1)")
    parser.add_argument("--rank", type=int, choices=(1, 2), default=2,
                        help="spatial rank (default 2)")
    parser.add_argument("--png", metavar="FILE",
                        help="write a heatmap of the coverage (needs matplotlib: the "
                             "viz extra)")
    files.add_force(parser, "the --png file")
    parser.set_defaults(run=run, command_parser=parser)


def _grid(values) -> list[str]:
    """Rows of a 1-D or 2-D array of counts, right-aligned, two spaces in."""
    rows = np.atleast_2d(values)
    cells = [[f"{value:g}" for value in row] for row in rows]
    width = max(len(cell) for row in cells for cell in row)
    return ["  " + " ".join(cell.rjust(width) for cell in row) for row in cells]


def _estimated_size(args) -> tuple[tuple[int, ...] | None, bool]:
    """About how many coverage values per axis the analysis computes, and whether too many.

    Per axis the pattern repeats every ``stride ** layers`` outputs and the
    stacked kernel spans ``border`` outputs; the analysis runs a few periods
    and borders (see :func:`tconv.checkerboard`), bounded here from above.
    """
    given = (args.kernel, args.stride, args.dilation)
    rank = args.rank
    per_axis = [value if isinstance(value, tuple) else (value,) * rank for value in given]
    if any(len(values) != rank or min(values) < 1 for values in per_axis):
        return None, False  # reported by tconv.checkerboard itself
    sizes = []
    for k, s, d in zip(*per_axis):
        if s > 1 and args.layers * math.log2(s) > 64:
            return None, True
        period, border = s ** args.layers, stacked_border([(k, s, d)] * args.layers)
        sizes.append(4 * border + 5 * period)
    return tuple(sizes), math.prod(sizes) > MAX_VALUES


def run(args, parser) -> int:
    if args.png is not None:  # what --png needs is checked before any work
        files.require("--png")
        files.check_picture(args.png, flag="--png", force=args.force)
    size, is_too_large = _estimated_size(args)
    if is_too_large:
        about = "more than 2**64" if size is None else f"about {'x'.join(map(str, size))}"
        message = (f"--kernel {args.kernel}, --stride {args.stride}, --dilation "
                   f"{args.dilation}, --layers {args.layers}: the analysis would compute "
                   f"{about} coverage values; at most {MAX_VALUES} "
                   "are computed here: use a smaller --stride, --kernel, --dilation or "
                   "--layers")
        raise ValueError(message)
    result = tconv.checkerboard(args.kernel, args.stride, padding=args.padding,
                                output_padding=args.output_padding,
                                dilation=args.dilation, rank=args.rank,
                                layers=args.layers)
    if args.png is not None:  # before printing, so a bad path prints only the error
        files.write(args.png, result.save_heatmap, flag="--png", force=args.force)
    layers = "1 layer" if args.layers == 1 else f"{args.layers} layers stacked"
    print(f"tconv checkerboard: kernel {args.kernel}, stride {args.stride}, padding "
          f"{args.padding}, dilation {args.dilation}, {layers}, {args.rank}-D")
    if args.rank == 1:
        print(f"coverage of {result.in_size[0]} inputs (interior "
              f"{result.interior[0][0]}..{result.interior[0][1] - 1}):")
        print(textwrap.fill(" ".join(f"{v:g}" for v in result.coverage), 78,
                            initial_indent="  ", subsequent_indent="  "))
    period = "x".join(map(str, result.period))
    print(f"interior pattern, one period ({period}), phase 0 first:")
    print("\n".join(_grid(result.phases)))
    print(f"score: {result.score:.4g}  ((max - min) / mean over the interior; 0 = "
          "uniform)")
    same = np.array_equal(result.gradient_phases, result.phases)
    print(f"gradient (inputs read by the strided conv): score "
          f"{result.gradient_score:.4g}"
          + (", same pattern" if same else ", pattern:"))
    if not same:
        print("\n".join(_grid(result.gradient_phases)))
    for line in result.verdict.splitlines():
        print(textwrap.fill(line, 78, subsequent_indent="  "))
    if args.png is not None:
        shape = "x".join(map(str, result.coverage.shape))
        print(f"wrote {args.png}: heatmap of the {shape} coverage, interior boxed in red")
    return 0
