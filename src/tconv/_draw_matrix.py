"""The convolution-matrix picture: ``y = C^T x`` (or ``y = C x``) drawn as cells.

:func:`draw_matrix` draws one single-channel call of :func:`tconv.conv_transpose`
(or :func:`tconv.conv`) as a matrix product: the output vector ``y`` (the op's
output, flattened row by row), the matrix ``C^T`` (``C`` for a convolution)
from :func:`tconv.conv_matrix`, and the input vector ``x`` (flattened), every
cell with its value, zeros left light::

    [ y ]   [    C^T    ] [ x ]
    [ . ] = [ . . . . . ] [ . ]
    [ . ]   [ . . . . . ] [ . ]

The numbers drawn are the numbers returned on :class:`MatrixPicture`, which
tests compare with the op itself. Sizes are bounded (:data:`MAX_INPUT` per axis,
:data:`MAX_CELLS` rows or columns of the matrix): larger calls are refused,
not drawn unreadably. matplotlib is imported only when drawing.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from . import _args
from ._explain import build_explanation, spatial_array
from ._files import atomic_output
from ._geometry import ConvPlan, resolve_conv, resolve_conv_transpose

OPS = ("conv_transpose", "conv")
MAX_INPUT = 32
"""Largest input size per axis that :func:`draw_matrix` accepts."""
MAX_CELLS = 256
"""Largest number of matrix rows (and of columns) that :func:`draw_matrix` accepts."""

DPI = 100
CELL = 28
"""Side of one cell in pixels for small matrices; larger ones get smaller cells."""
MIN_CELL = 6
MAX_SIDE = 1800
"""The figure's content (in cells times the cell size) stays within this many pixels."""
MIN_WIDTH = 480
NUMBER_CELL = 14
"""Numbers are written in cells at least this many pixels wide; below, colour only."""

# Layout in pixels: margins, the gaps that hold "=" and the product dot, the
# header for the title and the block labels, the footer.
_MARGIN_PX, _GAP_PX, _TOP_PX, _BOTTOM_PX = 40, 40, 76, 20
_ZERO_RGB = (0.957, 0.957, 0.957)
_EDGE = "#c8c8c8"
_COLOURS = {"matrix": (0.24, 0.47, 0.85), "x": (0.93, 0.55, 0.15), "y": (0.20, 0.63, 0.33)}


@dataclass(frozen=True, eq=False)
class MatrixPicture:
    """What :func:`draw_matrix` drew.

    Attributes
    ----------
    op : str
        ``"conv_transpose"`` or ``"conv"``.
    name : str
        ``"C^T"`` (transposed convolution) or ``"C"`` (convolution).
    matrix : ndarray
        The dense matrix drawn, ``(len(y), len(x))``, float64.
    x, y : ndarray
        The input and the op's output, flattened row by row.
    in_shape, out_shape : tuple of int
        Spatial shapes of the input and of the output.
    size : tuple of int
        ``(width, height)`` of the image in pixels.
    has_numbers : bool
        Whether the values are written in the cells (they are unless the
        matrix is too large for readable numbers; then colours show them).
    path : str
        The file written.
    """

    op: str
    name: str
    matrix: np.ndarray = field(repr=False)
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    size: tuple[int, int]
    has_numbers: bool
    path: str


def _plan(op, x, weight, stride, padding, output_padding, dilation) -> ConvPlan:
    geometry = {"stride": stride, "padding": padding, "dilation": dilation,
                "op_name": "draw_matrix"}
    if op == "conv":
        if not _args.is_zero(output_padding):
            message = (f"draw_matrix: output_padding={output_padding!r} is for "
                       "op='conv_transpose' only; leave it 0 for op='conv'")
            raise ValueError(message)
        return resolve_conv(x.shape, weight.shape, **geometry)
    return resolve_conv_transpose(x.shape, weight.shape, output_padding=output_padding,
                                  **geometry)


def number(value: float) -> str:
    """A cell's text: integers plainly, others with 3 significant digits."""
    if float(value).is_integer() and abs(value) < 1e5:
        return str(int(value))
    return f"{value:.3g}"


def draw_grid(axes, values, left: float, top: float, *, colour, has_numbers: bool,
              fontsize: float, zero_text: str = "", name: str = "cell") -> None:
    """Draw ``values`` (2-D) as cells of side 1 from ``(left, top)``, y pointing down.

    Non-zero cells are tinted by ``|value| / max|value|`` in ``colour``, zeros
    are light and hold ``zero_text``; numbers are written when ``has_numbers``,
    each text artist with the gid ``"{name}[row,column]"`` (tests read them).
    """
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    rows, columns = values.shape
    biggest = float(np.abs(values).max()) or 1.0
    # One image for the faces and two line collections for the edges: a
    # 256x256 matrix stays quick to draw (no patch per cell).
    strength = (0.25 + 0.6 * np.abs(values) / biggest)[..., None]
    faces = 1 - strength * (1 - np.array(colour))
    faces[values == 0] = _ZERO_RGB
    limits = axes.get_xlim(), axes.get_ylim()
    axes.imshow(faces, extent=(left, left + columns, top + rows, top),
                interpolation="nearest", aspect="auto")
    axes.hlines(top + np.arange(rows + 1), left, left + columns, colors=_EDGE,
                linewidth=0.5)
    axes.vlines(left + np.arange(columns + 1), top, top + rows, colors=_EDGE,
                linewidth=0.5)
    axes.set_xlim(*limits[0])
    axes.set_ylim(*limits[1])
    if not has_numbers:
        return
    for (row, column), value in np.ndenumerate(values):
        text = number(value) if value != 0 else zero_text
        if text:
            size = min(fontsize, fontsize * 3.2 / max(len(text), 1))
            axes.text(left + column + 0.5, top + row + 0.5, text, ha="center",
                      va="center", fontsize=size, gid=f"{name}[{row},{column}]")


def layout(rows: int, cols: int) -> tuple[int, int, int]:
    """``(cell, width, height)`` in pixels of the picture of a ``rows x cols`` matrix.

    The cells (the matrix and the two vectors, ``max(rows, cols)`` tall) get
    at most :data:`MAX_SIDE` pixels per side; the title, labels, signs and
    margins a fixed number of pixels around them.
    """
    height = max(rows, cols)
    cell = int(max(MIN_CELL, min(CELL, MAX_SIDE // max(cols + 2, height))))
    width = max(round((cols + 2) * cell + 2 * _GAP_PX + 2 * _MARGIN_PX), MIN_WIDTH)
    return cell, width, round(height * cell + _TOP_PX + _BOTTOM_PX)


def matrix_figure(picture_data: dict, title: str):
    """The matplotlib Figure of the product, and whether numbers are written."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrix, x, y = picture_data["matrix"], picture_data["x"], picture_data["y"]
    rows, cols = matrix.shape
    cell, width_px, height_px = layout(rows, cols)
    has_numbers = cell >= NUMBER_CELL
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    # Axes units are cells; fixed pixel amounts are divided by the cell size.
    width, height_all = width_px / cell, height_px / cell
    gap, top_all = _GAP_PX / cell, _TOP_PX / cell
    axes.set_xlim(0, width)
    axes.set_ylim(height_all, 0)
    axes.set_axis_off()
    point = 72 / DPI  # points per pixel
    fontsize = cell * point * 0.48
    left = (width - (cols + 2 + 2 * gap)) / 2
    height = max(rows, cols)
    blocks = [("y", y[:, None], left), ("matrix", matrix, left + 1 + gap),
              ("x", x[:, None], left + 1 + gap + cols + gap)]
    labels = {"y": f"y ({len(y)})", "matrix": f"{picture_data['name']} ({rows}x{cols})",
              "x": f"x ({len(x)})"}
    for key, values, start in blocks:
        top = top_all + (height - values.shape[0]) / 2
        draw_grid(axes, values, start, top, colour=_COLOURS[key], has_numbers=has_numbers,
                  fontsize=fontsize, name=key)
        axes.text(start + values.shape[1] / 2, top - 4 / cell, labels[key], ha="center",
                  va="bottom", fontsize=12)
    middle = top_all + height / 2
    axes.text(left + 1 + gap / 2, middle, "=", ha="center", va="center", fontsize=16)
    axes.text(left + 1 + gap + cols + gap / 2, middle, "\u00b7", ha="center",
              va="center", fontsize=24)
    lines = title.splitlines()
    title_size = max(8.0, min(13.0, width_px / max(map(len, lines)) * point * 1.6))
    axes.text(width / 2, 26 / cell, title, ha="center", va="center", fontsize=title_size,
              linespacing=1.3)
    return figure, has_numbers


def _geometry_text(plan: ConvPlan) -> str:
    def ints(values):
        return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))

    parts = [f"kernel {ints(plan.kernel_size)}", f"stride {ints(plan.stride)}"]
    sides = {side for pair in plan.pads for side in pair}
    if len(sides) == 1 and sides != {0}:
        parts.append(f"padding {sides.pop()}")
    elif len(sides) > 1:
        parts.append("padding " + ", ".join(f"{lo}:{hi}" for lo, hi in plan.pads))
    if any(plan.output_padding):
        parts.append(f"output_padding {ints(plan.output_padding)}")
    if any(d != 1 for d in plan.dilation):
        parts.append(f"dilation {ints(plan.dilation)}")
    return ", ".join(parts)


def matrix_product(x, weight, *, op="conv_transpose", stride=1, padding=0, output_padding=0,
                   dilation=1) -> dict:
    """Validated numbers of the picture: ``matrix``, ``x``, ``y``, ``plan``, ``name``.

    Read from the call's :class:`tconv.Explanation` (also returned, as
    ``"explanation"``). ``y`` is the op's own output (not the product); the sizes are checked
    against :data:`MAX_INPUT` and :data:`MAX_CELLS` before anything is built.
    """
    _args.choice("draw_matrix", "op", op, OPS)
    x = spatial_array("draw_matrix", "x", x)
    weight = spatial_array("draw_matrix", "weight", weight)
    if x.ndim != weight.ndim:
        message = (f"draw_matrix: x has {x.ndim} axes {x.shape} but weight has "
                   f"{weight.ndim} {weight.shape}; give both 1-D or both 2-D")
        raise ValueError(message)
    if max(x.shape) > MAX_INPUT:
        message = (f"draw_matrix: x has shape {x.shape}; the matrix picture takes at most "
                   f"{MAX_INPUT} inputs per axis")
        raise ValueError(message)
    plan = _plan(op, x, weight, stride, padding, output_padding, dilation)
    rows, cols = math.prod(plan.out_size), math.prod(plan.in_size)
    if max(rows, cols) > MAX_CELLS:
        name = "C^T" if plan.is_transposed else "C"
        message = (f"draw_matrix: {name} would be {rows}x{cols} (output {plan.out_size}, "
                   f"input {plan.in_size}); at most {MAX_CELLS} rows and {MAX_CELLS} "
                   "columns are drawn: use a smaller input")
        raise ValueError(message)
    # The numbers are the explanation's (one model for the text and every picture).
    e = build_explanation("draw_matrix", x, weight, op=op, stride=plan.stride,
                          padding=plan.pads, dilation=plan.dilation,
                          output_padding=plan.output_padding if plan.is_transposed else 0)
    return {"matrix": e.matrix, "x": e.x.ravel().copy(), "y": e.output.ravel().copy(),
            "plan": e.plan,
            "name": "C^T" if plan.is_transposed else "C", "in_shape": plan.in_size,
            "out_shape": plan.out_size, "explanation": e}


def draw_matrix(x, weight, path, *, op="conv_transpose", stride=1, padding=0,
                output_padding=0, dilation=1, force: bool = False) -> MatrixPicture:
    """Draw ``y = C^T x`` (or ``y = C x`` for a convolution) as a PNG of cells.

    The output vector ``y`` (the op's output, flattened row by row), the matrix
    (:func:`tconv.conv_matrix`'s ``C``, transposed for ``conv_transpose``) and
    the input vector ``x`` (flattened), each cell with its value and zeros
    light, titled with the geometry.

    Parameters
    ----------
    x : array_like
        Spatial input only: ``(n,)`` or ``(h, w)`` (one channel, no batch),
        at most :data:`MAX_INPUT` (32) per axis.
    weight : array_like
        Spatial kernel of the same rank: ``(k,)`` or ``(kh, kw)``.
    path : str or os.PathLike
        The PNG to write (any format matplotlib writes, by extension).
    op : {"conv_transpose", "conv"}
        Which op's matrix: ``C^T`` for :func:`tconv.conv_transpose`, ``C`` for
        :func:`tconv.conv`.
    stride, padding, output_padding, dilation
        As in the op (every padding form, including ``"same"``);
        ``output_padding`` for ``conv_transpose`` only.
    force : bool
        Replace ``path`` if it exists; otherwise that is an error. The file is
        written to a temporary name and renamed into place when complete.

    Returns
    -------
    MatrixPicture
        The matrix, vectors and image size drawn.

    Raises
    ------
    ValueError
        Whatever the op raises for these arguments (as ``draw_matrix: ...``);
        ``x`` and ``weight`` not non-empty 1-D or 2-D of one rank, or not
        finite; an unknown ``op``; ``x`` larger than 32 per axis or a matrix
        with more than :data:`MAX_CELLS` (256) rows or columns; ``path``
        exists and ``force`` is false (``tconv._files.OutputError``).
    TypeError
        Non-numeric arrays, or a float/bool where an int belongs.
    ImportError
        matplotlib is missing (install the ``viz`` extra).

    Examples
    --------
    >>> import os, tempfile
    >>> from tconv._draw_matrix import draw_matrix
    >>> path = os.path.join(tempfile.mkdtemp(), "matrix.png")
    >>> picture = draw_matrix([1, 2], [1, 10, 100], path, stride=2)
    >>> picture.matrix
    array([[  1.,   0.],
           [ 10.,   0.],
           [100.,   1.],
           [  0.,  10.],
           [  0., 100.]])
    >>> picture.y
    array([  1.,  10., 102.,  20., 200.])
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        message = ("draw_matrix needs matplotlib: pip install 'tconv[viz]' "
                   "(or pip install matplotlib)")
        raise ImportError(message) from None
    data = matrix_product(x, weight, op=op, stride=stride, padding=padding,
                          output_padding=output_padding, dilation=dilation)
    title = (f"{op}, {_geometry_text(data['plan'])}\ny = {data['name']} x: "
             f"x {'x'.join(map(str, data['in_shape']))} -> "
             f"y {'x'.join(map(str, data['out_shape']))}, flattened row by row")
    figure, has_numbers = matrix_figure(data, title)
    with atomic_output(path, force=force, flag="path") as temporary:
        figure.savefig(temporary)
    width, height = (round(v) for v in figure.get_size_inches() * DPI)
    return MatrixPicture(op=op, name=data["name"], matrix=data["matrix"], x=data["x"],
                         y=data["y"], in_shape=data["in_shape"], out_shape=data["out_shape"],
                         size=(width, height), has_numbers=has_numbers, path=os.fspath(path))
