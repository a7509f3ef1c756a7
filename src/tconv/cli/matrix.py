"""``tconv matrix``: a (transposed) convolution as a matrix product, as text or a picture."""

from __future__ import annotations

import argparse
import math
import textwrap

import numpy as np

import tconv

from .._draw_matrix import MAX_CELLS, MAX_INPUT, draw_matrix, matrix_product, number
from . import files, flags

# Text output: larger matrices are only described, pictures are for --png.
MAX_TEXT_COLUMNS = 48
MAX_TEXT_ROWS = MAX_CELLS
# Sizes of a text call are computed from integers; its large side (full output
# or padded input) is bounded before anything is allocated.
MAX_TEXT_VALUES = 2**16


_MATRIX_EPILOG = f"""\
The flags are those of 'tconv explain' (see 'tconv explain --help' for the
value and padding forms). As text, a matrix of at most {MAX_TEXT_ROWS} rows and
{MAX_TEXT_COLUMNS} columns is printed and a larger one only described. The
picture (--png) takes an input of at most {MAX_INPUT} per axis and a matrix of at
most {MAX_CELLS} rows and {MAX_CELLS} columns; an existing FILE is replaced only
with --force.

examples:
  tconv matrix                                   # the classic 2x2 example
  tconv matrix --png matrix.png
  tconv matrix --rank 1 --input-size 4 --kernel 1,2,3 --stride 2 --padding 1
  tconv matrix --op conv --input-size 4x4 --kernel-size 3 --png conv.png
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "matrix", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="the convolution matrix C (conv) or C^T (conv_transpose), with x and y",
        description=textwrap.fill(
            "Show one single-channel transposed convolution (or, with --op conv, "
            "convolution) as a matrix product: y = C^T x (y = C x), with C from "
            "tconv.conv_matrix, x the input and y the op's output, both flattened row "
            "by row. Printed as text, or drawn as a picture with --png.", 78),
        epilog=_MATRIX_EPILOG)
    flags.add_operation_flags(parser, what="show as a matrix")
    parser.add_argument("--png", metavar="FILE",
                        help="draw the product as a picture (needs matplotlib: the viz "
                             "extra) instead of printing it")
    files.add_force(parser, "the --png file")
    parser.set_defaults(run=run, command_parser=parser)


def _shape(shape) -> str:
    return "x".join(map(str, shape))


def _matrix_lines(data: dict) -> list[str]:
    """``y = M x`` as text: one line per row of M, x beside the first rows."""
    matrix, x, y, name = data["matrix"], data["x"], data["y"], data["name"]
    cells = [["." if value == 0 else number(value) for value in row] for row in matrix]
    width = max(len(cell) for row in cells for cell in row)
    y_cells, x_cells = [number(v) for v in y], [number(v) for v in x]
    y_width, x_width = max(map(len, y_cells)), max(map(len, x_cells))
    rows = [" ".join(cell.rjust(width) for cell in row) for row in cells]
    height = max(len(rows), len(x_cells))
    row_width = len(rows[0])
    middle = (height - 1) // 2
    lines = [f"  {'y':>{y_width + 2}}     {name:<{row_width + 2}}     x"]
    x_top = (height - len(x_cells)) // 2
    y_top = (height - len(rows)) // 2
    for line in range(height):
        r, i = line - y_top, line - x_top
        left = (f"[{y_cells[r]:>{y_width}}]" if 0 <= r < len(rows)
                else " " * (y_width + 2))
        body = f"[{rows[r]}]" if 0 <= r < len(rows) else " " * (row_width + 2)
        right = f"[{x_cells[i]:>{x_width}}]" if 0 <= i < len(x_cells) else ""
        equals, dot = ("=", "*") if line == middle else (" ", " ")
        lines.append(f"  {left}  {equals}  {body}  {dot}  {right}".rstrip())
    return lines


def run(args, parser) -> int:
    if args.png is not None:  # what --png needs is checked before any work
        files.require("--png")
        files.check_picture(args.png, flag="--png", force=args.force)
    x, weight = flags.operands(args)
    geometry = {"op": args.op, "stride": args.stride, "padding": args.padding,
                "output_padding": args.output_padding, "dilation": args.dilation}
    if args.png is not None:
        picture = files.write(args.png, lambda temporary: draw_matrix(
            x, weight, temporary, **geometry), flag="--png", force=args.force)
        width, height = picture.size
        print(f"wrote {args.png}: {width}x{height} picture of y = {picture.name} x, "
              f"{picture.name} {picture.matrix.shape[0]}x{picture.matrix.shape[1]}, "
              f"x {_shape(picture.in_shape)}, y {_shape(picture.out_shape)}")
        return 0
    # Text: the sizes first (plain integers), so a matrix too large to print is
    # described without being built, whatever the picture's limits.
    flags.check_size(args, x, weight, limit=MAX_TEXT_VALUES)
    if args.op == "conv":
        out_shape = tconv.conv_output_shape(x.shape, weight.shape, stride=args.stride,
                                            padding=args.padding, dilation=args.dilation)
    else:
        out_shape = tconv.conv_transpose_output_shape(
            x.shape, weight.shape, stride=args.stride, padding=args.padding,
            output_padding=args.output_padding, dilation=args.dilation)
    rows, cols = math.prod(out_shape), x.size
    name = "C" if args.op == "conv" else "C^T"
    print(f"tconv matrix: {args.op}, {x.ndim}-D, x {_shape(x.shape)} -> "
          f"y {_shape(out_shape)}: y = {name} x")
    source = ("the transpose of tconv.conv_matrix of the adjoint convolution"
              if name == "C^T" else "tconv.conv_matrix")
    print(textwrap.fill(f"{name} is {rows}x{cols} ({source}); x and y are flattened row "
                        "by row, zeros shown as '.'; y is the op's own output.", 78))
    if cols > MAX_TEXT_COLUMNS or rows > MAX_TEXT_ROWS:
        too = "wide" if cols > MAX_TEXT_COLUMNS else "tall"
        print(f"({name} is {rows}x{cols}: too {too} to print, at most {MAX_TEXT_ROWS} rows "
              f"and {MAX_TEXT_COLUMNS} columns; draw it with --png FILE if it has at most "
              f"{MAX_CELLS} of each)")
        return 0
    data = matrix_product(x, weight, **geometry)
    print("\n".join(_matrix_lines(data)))
    difference = float(np.max(np.abs(data["matrix"] @ data["x"] - data["y"])))
    print(f"max |{name} x - y| = {difference:g}")
    return 0
