"""``tconv matrix``: a (transposed) convolution as a matrix product, as text or a picture."""

from __future__ import annotations

import argparse
import textwrap

import numpy as np

from .._draw_matrix import MAX_CELLS, MAX_INPUT, draw_matrix, matrix_product, number
from . import flags

# Text output: wider matrices are only described, pictures are for --png.
MAX_TEXT_COLUMNS = 48


_MATRIX_EPILOG = f"""\
The flags are those of 'tconv explain' (see 'tconv explain --help' for the
value and padding forms). The input is at most {MAX_INPUT} per axis and the
matrix at most {MAX_CELLS} rows and {MAX_CELLS} columns.

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
    x, weight = flags.operands(args)
    geometry = {"op": args.op, "stride": args.stride, "padding": args.padding,
                "output_padding": args.output_padding, "dilation": args.dilation}
    data = matrix_product(x, weight, **geometry)  # bad values are reported as such
    if args.png is not None:
        try:
            picture = draw_matrix(x, weight, args.png, **geometry)
        except (OSError, ValueError) as error:  # the path: missing folder, unknown format
            message = f"--png={args.png!r}: cannot write it ({error})"
            raise ValueError(message) from None
        width, height = picture.size
        print(f"wrote {args.png}: {width}x{height} picture of y = {picture.name} x, "
              f"{picture.name} {picture.matrix.shape[0]}x{picture.matrix.shape[1]}, "
              f"x {_shape(picture.in_shape)}, y {_shape(picture.out_shape)}")
        return 0
    rows, cols = data["matrix"].shape
    name = data["name"]
    print(f"tconv matrix: {args.op}, {x.ndim}-D, x {_shape(data['in_shape'])} -> "
          f"y {_shape(data['out_shape'])}: y = {name} x")
    source = ("the transpose of tconv.conv_matrix of the adjoint convolution"
              if name == "C^T" else "tconv.conv_matrix")
    print(textwrap.fill(f"{name} is {rows}x{cols} ({source}); x and y are flattened row "
                        "by row, zeros shown as '.'; y is the op's own output.", 78))
    if cols > MAX_TEXT_COLUMNS:
        print(f"({name} has {cols} columns: too wide to print; draw it with --png FILE)")
        return 0
    print("\n".join(_matrix_lines(data)))
    difference = float(np.max(np.abs(data["matrix"] @ data["x"] - data["y"])))
    print(f"max |{name} x - y| = {difference:g}")
    return 0
