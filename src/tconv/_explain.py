"""Explanations of one convolution or transposed convolution: data and text.

:func:`explain` returns an :class:`Explanation`: every number of one small
single-channel call (the plan, every scatter or sliding-window step, the crop,
the matrix, the zero-insertion view), which the renderers of ``tconv._draw``
and the CLI draw.

:func:`explain_text` (``Explanation.text``) walks through the same example in
words with the numbers: the geometry (the size formula filled in), every step
of the textbook method (for ``conv_transpose`` each input value times the
kernel, added into the output; for ``conv`` each window of the padded input
times the kernel, summed), the crop done by padding and output_padding, the
same result as a product with the convolution matrix, and a check that every
algorithm agrees; plain text, ``width`` columns at most per line.

One model: :func:`build_explanation` computes the structure once (sizes from
the resolved plan of ``tconv._geometry``, the zero-insertion pads from
``tconv._geometry.zero_insertion_pads``, the output from the public op, the
matrix from :func:`tconv.conv_matrix`), and the text here, the pictures and
animations of ``tconv._draw``, the matrix picture, the tour and the explorer
only render its fields; none of them re-derives a size rule or recomputes a
step.
"""

from __future__ import annotations

import functools
import math
import textwrap
from dataclasses import dataclass, field

import numpy as np

from . import _args, _geometry
from ._conv import (
    CONV_ALGORITHMS,
    CONV_TRANSPOSE_ALGORITHMS,
    conv,
    conv_output_shape,
    conv_transpose,
)
from ._matrix import conv_matrix

OPS = ("conv", "conv_transpose")
MIN_WIDTH = 40
# More steps than this are listed one line each, without grids; more than
# STEP_LINES are only counted: an explanation is for reading, not scrolling.
STEP_GRIDS = 16
STEP_LINES = 64
MATRIX_ROWS = 64

_INDENT = "  "


@_args.keywords
def explain_text(x, weight, *, op="conv_transpose", stride=1, padding=0, output_padding=0,
                 dilation=1, width=80) -> str:
    """Explain one single-channel (transposed) convolution, step by step.

    Parameters
    ----------
    x : array_like
        Spatial input only: 1-D ``(n,)`` or 2-D ``(h, w)`` (one channel, no
        batch axis).
    weight : array_like
        Spatial kernel of the same rank as ``x``: ``(k,)`` or ``(kh, kw)``.
    op : {"conv_transpose", "conv"}
        The op to explain: :func:`tconv.conv_transpose` (scatter steps) or
        :func:`tconv.conv` (sliding-window steps).
    stride, padding, dilation
        As in :func:`tconv.conv` / :func:`tconv.conv_transpose`, every
        padding form included.
    output_padding : int or tuple of ints
        ``conv_transpose`` only; must be 0 for ``conv``.
    width : int
        Longest line of the text (at least 40). Grids and matrices that don't
        fit are replaced by a line giving their shape.

    Returns
    -------
    str
        The explanation, lines separated by newlines, no trailing newline.

    Raises
    ------
    ValueError
        Whatever :func:`tconv.conv_transpose` or :func:`tconv.conv` raises for
        these arguments (same messages); ``x`` and ``weight`` that are not
        non-empty 1-D or 2-D arrays of one rank; an unknown ``op``; a
        ``width`` below 40; ``output_padding`` with ``op="conv"``.
    TypeError
        Non-numeric arrays, or a float/bool/str where ints belong (as the
        front doors).

    Notes
    -----
    The size formulas shown are those of ``tconv._geometry``
    (``conv_length``, ``conv_transpose_length``); the sizes printed after them
    are the plan's.

    Examples
    --------
    >>> from tconv._explain import explain_text
    >>> text = explain_text([1, 2, 3], [1, 10, 100], stride=2)
    >>> print(text.splitlines()[0])
    tconv explain: transposed convolution (conv_transpose), 1-D
    >>> print("\\n".join(line for line in text.splitlines() if "lands" in line))
      x[0] = 1: 1 * w lands at positions 0-2
      x[1] = 2: 2 * w lands at positions 2-4
      x[2] = 3: 3 * w lands at positions 4-6
    """
    name = "explain"
    _args.choice(name, "op", op, OPS)
    check_width(name, width)
    explanation = build_explanation(name, x, weight, op=op, stride=stride, padding=padding,
                                    output_padding=output_padding, dilation=dilation)
    return _TextRenderer(explanation, width).render()


def check_width(name: str, width) -> None:
    """Refuse a text width that is not an int of at least :data:`MIN_WIDTH` columns."""
    if not _args.is_int(width):
        message = f"{name}: width={width!r} must be an int (columns, >= {MIN_WIDTH})"
        raise TypeError(message)
    if width < MIN_WIDTH:
        message = f"{name}: width={width!r} is too narrow; it must be >= {MIN_WIDTH}"
        raise ValueError(message)


def spatial_array(name: str, what: str, value) -> np.ndarray:
    """``value`` as a finite, non-empty 1-D or 2-D float64 array (one channel).

    ``name`` is the calling function and ``what`` the argument, for messages.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError) as error:
        message = f"{name}: {what} must be a numeric array; could not read it ({error})"
        raise TypeError(message) from None
    if array.ndim not in (1, 2) or 0 in array.shape:
        message = (f"{name}: {what} has shape {array.shape}; {name} takes one channel, "
                   "spatial axes only: a non-empty 1-D (n,) or 2-D (h, w) array")
        raise ValueError(message)
    if not np.all(np.isfinite(array)):
        # NaN would spread through the matrix product (0 * NaN) but not the op.
        message = f"{name}: {what} holds NaN or infinity; every value must be finite"
        raise ValueError(message)
    # A copy: the explanation freezes its arrays, never the caller's.
    return array.copy()


# --------------------------------------------------------------------------
# Formatting helpers: numbers, index ranges, grids, side-by-side blocks.

def number(value: float) -> str:
    """A value as the explanations print it: integers plainly, others to 4 digits.

    >>> number(3.0), number(-0.5), number(1 / 3)
    ('3', '-0.5', '0.3333')
    """
    if np.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def _span(start: int, count: int, step: int = 1) -> str:
    """Indices ``start, start+step, ...`` (``count`` of them) in words."""
    last = start + (count - 1) * step
    if count == 1:
        return str(start)
    if step == 1:
        return f"{start}-{last}"
    if count <= 4:
        return ",".join(str(start + i * step) for i in range(count))
    return f"{start}-{last} every {step}"


def _indices(axis: str, start: int, count: int, step: int = 1) -> str:
    """``"row 0"``, ``"rows 0-1"``: ``count`` indices of ``axis`` in words."""
    return f"{axis}{'s' if count > 1 else ''} {_span(start, count, step)}"


def _prose(text: str, width: int, indent: str = "", more: str = "") -> list[str]:
    """Words of ``text`` wrapped at ``width``; later lines start with ``indent + more``."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + more,
                         break_long_words=False, break_on_hyphens=False)


def _grid(array: np.ndarray, blank=None, cell: int = 0) -> list[str]:
    """Right-aligned cells (at least ``cell`` wide); ``.`` where ``blank`` is true."""
    array = np.atleast_2d(array)
    cells = [[number(v) for v in row] for row in array]
    if blank is not None:
        for row, mask in zip(cells, np.atleast_2d(blank)):
            for j, is_blank in enumerate(mask):
                if is_blank:
                    row[j] = "."
    cell = max(cell, *(len(c) for row in cells for c in row))
    return [" ".join(c.rjust(cell) for c in row) for row in cells]


def _shape(shape) -> str:
    """``"3x3"``, or ``"length 3"`` for one axis."""
    return "x".join(map(str, shape)) if len(shape) > 1 else f"length {shape[0]}"


def _beside(blocks: list[list[str]], width: int, gap: int = 4) -> list[str]:
    """Blocks (title line first) next to each other, or one below the other."""
    widths = [max(map(len, b)) for b in blocks]
    if len(_INDENT) + sum(widths) + gap * (len(blocks) - 1) > width:
        lines = []
        for block in blocks:
            lines += [_INDENT + line for line in block]
        return lines
    height = max(map(len, blocks))
    lines = []
    for i in range(height):
        parts = [(b[i] if i < len(b) else "").ljust(w) for b, w in zip(blocks, widths)]
        lines.append((_INDENT + (" " * gap).join(parts)).rstrip())
    return lines


def _titled_grid(title: str, array: np.ndarray, width: int, blank=None) -> list[str]:
    """``title`` then the grid indented; a long 1-D row continues on more lines.

    A 2-D grid too wide for ``width`` becomes a line giving its shape.
    """
    grid = _grid(array, blank)
    room = width - 2 * len(_INDENT)  # room left when the block is itself indented
    if array.ndim == 1 and len(grid[0]) > room:
        cell = max(len(number(v)) for v in array)
        per_line = max((room + 1) // (cell + 1), 1)
        grid = [_grid(array[i:i + per_line], None if blank is None else blank[i:i + per_line],
                      cell)[0] for i in range(0, array.size, per_line)]
    if len(grid[0]) > room:
        return [title, (f"{_INDENT}(too large to print at {width} columns: shape "
                       f"{_shape(array.shape)})")]
    return [title] + [_INDENT + line for line in grid]


def _wrap(first: str, pieces: list[str], width: int, joiner: str = " + ") -> list[str]:
    """``first`` followed by ``pieces`` joined, continued on indented lines."""
    lines, line = [], first
    indent = " " * min(len(first), width // 2)
    for i, piece in enumerate(pieces):
        text = piece if i == 0 else joiner + piece
        if len(line) + len(text) > width and line.strip():
            lines.append(line.rstrip())
            line = indent + (piece if i == 0 else joiner.lstrip() + piece)
        else:
            line += text
    lines.append(line)
    return lines


# --------------------------------------------------------------------------
# The text: a rendering of an Explanation, section by section.

class _TextRenderer:
    """Renders the sections of one :class:`Explanation` as text; computes nothing."""

    def __init__(self, explanation: Explanation, width: int):
        self.e, self.plan, self.width = explanation, explanation.plan, width
        self.axes = ("position",) if self.plan.rank == 1 else ("row", "col")

    def render(self) -> str:
        sections = [self.header(), self.sizes(), self.operands()]
        if self.plan.is_transposed:
            sections += [self.scatter_steps(), self.crop()]
        else:
            sections += [self.padded_input(), self.window_steps()]
        sections += [self.result_block(), self.matrix_product(), self.agreement()]
        lines = []
        for section in sections:
            if section:
                lines += section + [""]
        # Grids are measured before they are drawn; this only folds a long label.
        folded = []
        for line in lines:
            indent = line[:len(line) - len(line.lstrip())]
            folded += (_prose(line.strip(), self.width, indent, "  ")
                       if len(line) > self.width else [line])
        return "\n".join(folded).rstrip("\n")

    # -- helpers ----------------------------------------------------------

    def where(self, starts) -> str:
        """"rows 0-1, cols 0-1": the taps of one landing place or window."""
        return ", ".join(_indices(axis, a, k, d) for axis, a, k, d in
                         zip(self.axes, starts, self.plan.kernel_size, self.plan.dilation))

    def index(self, position) -> str:
        return ",".join(map(str, position))

    # -- sections ---------------------------------------------------------

    def header(self) -> list[str]:
        plan = self.plan
        if plan.is_transposed:
            return [f"tconv explain: transposed convolution (conv_transpose), {plan.rank}-D",
                    "(each input value times the kernel, added into the output)"]
        return [f"tconv explain: convolution (conv), {plan.rank}-D",
                "(each window of the padded input times the kernel, summed)"]

    def sizes(self) -> list[str]:
        plan = self.plan
        lines = ["Geometry, per axis (n input, k kernel size):",
                 (f"{_INDENT}input {_shape(plan.in_size)}, kernel {_shape(plan.kernel_size)}, "
                 f"stride {plan.stride}, dilation {plan.dilation}"),
                 f"{_INDENT}padding (before, after) {plan.pads}"
                 + (f", output_padding {plan.output_padding}" if plan.is_transposed else "")]
        if isinstance(self.e.arguments["padding"], str):
            lines.append(f"{_INDENT}(padding {self.e.arguments['padding']!r} resolved to the "
                         "values above)")
        if plan.is_transposed:
            lines += [f"{_INDENT}out = (n-1)*stride + dilation*(k-1) + 1",
                      f"{_INDENT}      - pad_before - pad_after + output_padding"]
        else:
            lines += [f"{_INDENT}out = (n + pad_before + pad_after - dilation*(k-1) - 1)",
                      f"{_INDENT}      // stride + 1"]
        for a, axis in enumerate(self.axes):
            n, k, s, d = plan.in_size[a], plan.kernel_size[a], plan.stride[a], plan.dilation[a]
            (lo, hi), out = plan.pads[a], plan.out_size[a]
            if plan.is_transposed:
                filled = (f"({n}-1)*{s} + {d}*({k}-1) + 1 - {lo} - {hi} + "
                          f"{plan.output_padding[a]} = {out}")
            else:
                filled = f"({n} + {lo} + {hi} - {d}*({k}-1) - 1) // {s} + 1 = {out}"
            lines += _prose(f"{axis}s: {filled}", self.width, _INDENT, " " * 6)
        if plan.is_transposed:
            lines.append(f"{_INDENT}full (uncropped) output {_shape(plan.full_size)}, "
                         f"output {_shape(plan.out_size)}")
        else:
            lines.append(f"{_INDENT}output {_shape(plan.out_size)}")
        return lines

    def operands(self) -> list[str]:
        x, weight = self.e.x, self.e.weight
        return _beside([_titled_grid(f"Input x ({_shape(x.shape)}):", x, self.width),
                        _titled_grid(f"Kernel w ({_shape(weight.shape)}):", weight,
                                     self.width)], self.width)

    def scatter_steps(self) -> list[str]:
        plan, steps = self.plan, self.e.steps
        lines = _prose(f"Scatter: x[i] * w is added at i*stride ({len(steps)} steps, into "
                       f"the full output, {_shape(plan.full_size)}):", self.width)
        title = f"Full output ({_shape(plan.full_size)}, before padding and output_padding):"
        full_block = [""] + _titled_grid(title, self.e.full, self.width)
        if len(steps) > STEP_LINES:
            return lines + [(f"{_INDENT}({len(steps)} steps: too many to list; at most "
                            f"{STEP_LINES})")] + full_block
        added = [step.placed(plan.full_size) for step in steps]
        # One cell width for every step, so the grids line up from step to step.
        cell = max(len(number(v)) for values, step in zip(added, steps)
                   for v in np.concatenate([values.ravel(), step.running.ravel()]))
        touched = np.zeros(plan.full_size, dtype=bool)
        for step, values in zip(steps, added):
            landed = step.mask(plan.full_size)
            touched = touched | landed
            v = number(step.value)
            lines.append(f"{_INDENT}x[{self.index(step.index)}] = {v}: {v} * w lands at "
                         + self.where(step.positions[0]))
            if len(steps) <= STEP_GRIDS:
                lines += self.step_grids(values, ~landed, step.running, ~touched, cell)
        if len(steps) > STEP_GRIDS:
            lines.append(f"{_INDENT}(grids per step are shown for at most {STEP_GRIDS} "
                         "steps)")
        return lines + full_block

    def step_grids(self, added, added_blank, running, running_blank, cell) -> list[str]:
        """What one step adds and the running sum, beside or below each other."""
        adds = _grid(added, added_blank, cell)
        total = _grid(running, running_blank, cell)
        room = self.width - 2 * len(_INDENT)
        if len(adds[0]) > room - len("running sum: "):
            return [(f"{_INDENT * 2}(the {_shape(added.shape)} grids are too large to print "
                    f"at {self.width} columns)")]
        if self.plan.rank == 1:
            return [f"{_INDENT * 2}adds:        {adds[0]}",
                    f"{_INDENT * 2}running sum: {total[0]}"]
        return [_INDENT + line for line in
                _beside([["adds:"] + [_INDENT + line for line in adds],
                         ["running sum:"] + [_INDENT + line for line in total]],
                        self.width - len(_INDENT))]

    def crop(self) -> list[str]:
        plan = self.plan
        if all(lo == hi == 0 for lo, hi in plan.pads) and not any(plan.output_padding):
            return ["No padding and no output_padding: the output is the full output."]
        lines = _prose("Crop: padding removes from the full output, output_padding adds "
                       "at the end:", self.width)
        for axis, c in zip(self.axes, self.e.crop):
            lo, hi, op = c.before, c.after, c.output_padding
            kept = c.kept[1] - c.kept[0]
            back, zeros = len(c.restored), len(c.appended)
            pieces = []
            if lo:
                pieces.append(f"padding {lo} before removes full {_indices(axis, 0, lo)}")
            if hi:
                pieces.append(f"padding {hi} after removes full "
                              f"{_indices(axis, c.full - hi, hi)}")
            if back:
                pieces.append(f"output_padding {op} adds back full "
                              f"{_indices(axis, c.restored[0], back)}")
            if zeros:
                source = f"output_padding {op}" if op - back else "the window"
                pieces.append(f"{source} adds {zeros} zero {axis}{'s' if zeros > 1 else ''} "
                              "at the end")
            if kept:
                result = (f"output {_indices(axis, 0, kept)} = full "
                          f"{_indices(axis, lo, kept)}")
            else:
                result = f"no full {axis} is kept"
            if zeros:
                result += f"; output {_indices(axis, kept, zeros)}: zero"
            lines += _prose(f"{axis}s: " + "; ".join(pieces), self.width, _INDENT, "  ")
            lines += _prose(f"-> {result}", self.width, _INDENT * 3, "   ")
        return lines

    def padded_input(self) -> list[str]:
        if all(lo == hi == 0 for lo, hi in self.plan.pads):
            return ["No padding: the windows slide over x itself."]
        title = f"Padded input ({_shape(self.e.full.shape)}, . = zero padding):"
        return _titled_grid(title, self.e.full, self.width, self.e.is_padding)

    def window_steps(self) -> list[str]:
        steps, weight = self.e.steps, self.e.weight
        lines = _prose(f"Sliding window: y[i] = sum(padded window at i*stride times w) "
                       f"({len(steps)} steps):", self.width)
        if len(steps) > STEP_LINES:
            return lines + [(f"{_INDENT}({len(steps)} steps: too many to list; at most "
                            f"{STEP_LINES})")]
        for step in steps:
            lines.append(f"{_INDENT}y[{self.index(step.index)}] = padded "
                         + self.where(step.positions[0]) + " times w:")
            if weight.size <= 25:
                terms = [f"{number(v)}*{number(t)}" for v, t in
                         zip(step.window.ravel(), weight.ravel())]
                products = _wrap(f"{_INDENT * 2}= ", terms, self.width)
                tail = f" = {number(step.value)}"
                if len(products[-1]) + len(tail) <= self.width:
                    products[-1] += tail
                else:
                    products.append(f"{_INDENT * 2}{tail.lstrip()}")
                lines += products
            else:
                lines.append(f"{_INDENT * 2}= {number(step.value)}")
        return lines

    def result_block(self) -> list[str]:
        plan = self.plan
        name = "conv_transpose" if plan.is_transposed else "conv"
        title = f"Result y = {name}(x, w) ({_shape(plan.out_size)}):"
        return _titled_grid(title, self.e.output, self.width)

    def matrix_product(self) -> list[str]:
        plan, e = self.plan, self.e
        name = "C^T" if plan.is_transposed else "C"
        rows, cols = math.prod(plan.out_size), math.prod(plan.in_size)
        if plan.is_transposed:
            text = (f"As a matrix product: y = C^T x, where C ({cols}x{rows}) is the "
                    "matrix of conv(y, w) with this stride, padding and dilation "
                    "(tconv.conv_matrix); x and y flattened row by row:")
        else:
            text = (f"As a matrix product: y = C x, where C ({rows}x{cols}) is "
                    "tconv.conv_matrix(x.shape, w) with this stride, padding and "
                    "dilation; x and y flattened row by row:")
        difference = float(np.max(np.abs(e.matrix_output - e.output.ravel())))
        body = self.product_picture(name, e.matrix, e.x.ravel(), e.matrix_output)
        if body is None:
            body = [(f"{_INDENT}({name} is {rows}x{cols}: too large to print at "
                    f"{self.width} columns)")]
        check = f"max |{name} x - y| = {number(difference)}"
        return _prose(text, self.width) + body + [f"{_INDENT}{check}"]

    def product_picture(self, name, matrix, x, y):
        """``[C] @ [x] = [y]`` drawn as columns, or None when it won't fit."""
        if matrix.shape[0] > MATRIX_ROWS:
            return None
        columns = [[f"[{line}]" for line in _grid(matrix, matrix == 0)],
                   [f"[{line}]" for line in _grid(x[:, None])],
                   [f"[{line}]" for line in _grid(y[:, None])]]
        titles = [f"{name} (. = 0)", "x", "y"]
        height = max(map(len, columns))
        # Centre the shorter columns, as a product is written by hand.
        columns = [[""] * ((height - len(c)) // 2) + c for c in columns]
        widths = [max(len(t), *map(len, c)) for t, c in zip(titles, columns)]
        middle = (height - 1) // 2
        lines = [(_INDENT + (" " * 5).join(t.ljust(w) for t, w in zip(titles, widths))).rstrip()]
        for i in range(height):
            cells = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(columns, widths)]
            at, equals = ("  @  ", "  =  ") if i == middle else (" " * 5, " " * 5)
            lines.append((_INDENT + cells[0] + at + cells[1] + equals + cells[2]).rstrip())
        if max(map(len, lines)) > self.width:
            return None
        return lines

    def agreement(self) -> list[str]:
        differences = self.e.algorithm_differences
        difference = max(differences.values())
        scale = max(float(np.max(np.abs(self.e.output))), 1.0)
        verdict = ("Every algorithm gives the same result"
                   if difference <= 1e-12 * scale * self.e.weight.size
                   else "The algorithms DISAGREE")
        shown = number(difference) if difference == 0 else f"{difference:.1e}"
        return ([f"{verdict}: max |difference| = {shown}"]
                + _prose(f"({', '.join(differences)})", self.width, _INDENT))


# --------------------------------------------------------------------------
# The structured explanation: every number of one call, for renderers and tests.

# x and weight longer than MAX_SIZE on an axis are refused; so is a call whose
# large side (full output, padded input, zero-inserted input or output) is
# longer than MAX_GRID: a picture of it would be unreadable.
MAX_SIZE = 32
MAX_GRID = 2 * MAX_SIZE

Position = tuple[int, ...]


def dense_matrix(plan: _geometry.ConvPlan, weight: np.ndarray) -> np.ndarray:
    """Dense ``C`` (conv) or ``C^T`` (transposed) from :func:`tconv.conv_matrix`.

    ``weight`` is the spatial kernel (one channel).
    """
    w4 = weight[None, None]
    if not plan.is_transposed:
        return conv_matrix((1, *plan.in_size), w4, stride=plan.stride, padding=plan.pads,
                           dilation=plan.dilation).toarray()
    # The adjoint convolution (the plan's as_conv) reads the output back into
    # the input's windows. Its end pad is negative where the output reaches
    # past the full output (output_padding): conv_matrix takes no negative pad,
    # so pad 0 there and keep only the first n windows (extra ones add rows only).
    adjoint = plan.as_conv()
    pads = tuple((lo, max(hi, 0)) for lo, hi in adjoint.pads)
    geometry = {"stride": plan.stride, "padding": pads, "dilation": plan.dilation}
    windows = conv_output_shape(plan.out_size, plan.kernel_size, **geometry)
    c = conv_matrix((1, *plan.out_size), w4, **geometry).toarray()
    c = c.reshape(*windows, -1)[tuple(slice(0, n) for n in plan.in_size)]
    return c.reshape(math.prod(plan.in_size), -1).T


@dataclass(frozen=True, eq=False)
class Step:
    """One step of the textbook method: a kernel copy landing, or one window.

    Attributes
    ----------
    index : tuple of int
        Scatter steps (``conv_transpose``): the input position ``i``. Window
        steps (``conv``, and the zero-insertion view): the output position.
    value : float
        Scatter: ``x[i]``. Window: the output value, the sum of ``products``.
    positions : tuple of tuple of int
        One cell per kernel tap, taps in row-major order. Scatter: the cells of
        the full output (``Explanation.full``) that ``x[i] * w[t]`` is added
        to, ``i*stride + t*dilation``. Window: the cells the taps read, in the
        coordinates of the grid the window slides over (the padded input for
        ``conv``, ``ZeroInsertion.input`` for the zero-insertion view).
    contribution : numpy.ndarray
        Kernel-shaped. Scatter: ``x[i] * w``, the values added at
        ``positions``. Window: the products of the values read and the
        kernel (``window * kernel``).
    running : numpy.ndarray or None
        Scatter: the full output after this step (the running sum); the last
        step's is ``Explanation.full``. Window steps: None.
    window : numpy.ndarray or None
        Window steps: the kernel-shaped values read at ``positions``.
        Scatter: None.
    """

    index: Position
    value: float
    positions: tuple[Position, ...]
    contribution: np.ndarray
    running: np.ndarray | None = None
    window: np.ndarray | None = None

    def mask(self, shape) -> np.ndarray:
        """Boolean grid of ``shape``, true at ``positions``."""
        mask = np.zeros(shape, dtype=bool)
        mask[tuple(np.array(self.positions).T)] = True
        return mask

    def placed(self, shape) -> np.ndarray:
        """Grid of ``shape`` holding ``contribution`` at ``positions``, zeros elsewhere.

        Scatter: what this step adds to the full output.
        """
        grid = np.zeros(shape)
        grid[tuple(np.array(self.positions).T)] = self.contribution.ravel()
        return grid


@dataclass(frozen=True)
class AxisCrop:
    """How one axis of a transposed convolution's full output becomes the output.

    Output ``j`` is ``full[j + before]`` while that is inside the full output,
    else zero (docs/rules/pytorch.md).

    Attributes
    ----------
    full, out : int
        Length of the full output and of the output.
    before, after, output_padding : int
        The plan's padding pair and output_padding on this axis.
    kept : tuple of int
        ``(start, stop)``: full cells ``start .. stop-1`` are outputs
        ``0 .. stop-start-1``.
    cut : tuple of int
        Full cells that are not in the output (removed by padding).
    restored : tuple of int
        Full cells that ``after`` alone would remove and output_padding gives
        back.
    appended : tuple of int
        Output cells past the end of the full output: zeros.
    added : tuple of int
        Output cells that exist because of output_padding (the last
        ``output_padding`` of them; ``restored`` and ``appended`` ones).
    """

    full: int
    out: int
    before: int
    after: int
    output_padding: int
    kept: tuple[int, int]
    cut: tuple[int, ...]
    restored: tuple[int, ...]
    appended: tuple[int, ...]
    added: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class ZeroInsertion:
    """A transposed convolution as zero insertion, padding and a stride-1 convolution.

    ``stride - 1`` zeros go between neighbouring input values, the result is
    padded by ``dilation*(k-1) - before`` at the start and
    ``dilation*(k-1) - after + output_padding`` at the end (a negative pad
    removes cells), and the flipped kernel slides over it with stride 1 and
    the same dilation: window ``j`` gives output ``j``.

    Attributes
    ----------
    input : numpy.ndarray
        The zero-inserted, padded input; ``out + dilation*(k-1)`` per axis.
    is_inserted : numpy.ndarray of bool
        Cells holding inserted zeros (between input values).
    is_padding : numpy.ndarray of bool
        Cells of padding (before the first or after the last input value).
    sources : dict
        Input position -> its cell in ``input``, for the input values that
        are inside it (all but those a negative pad removes).
    pads : tuple of (int, int)
        ``(before, after)`` per axis; negative means cells removed.
    kernel : numpy.ndarray
        The flipped kernel (every axis reversed).
    windows : tuple of Step
        One window step per output position, row-major.
    """

    input: np.ndarray
    is_inserted: np.ndarray
    is_padding: np.ndarray
    sources: dict
    pads: tuple[tuple[int, int], ...]
    kernel: np.ndarray
    windows: tuple[Step, ...]


@dataclass(frozen=True, eq=False)
class Explanation:
    """Every number of one single-channel convolution or transposed convolution.

    Built by :func:`tconv.explain`; the sizes come from the plan the ops use
    and ``output`` from the op itself. Spatial arrays only (no batch or
    channel axes), float64.

    Attributes
    ----------
    op : str
        ``"conv_transpose"`` or ``"conv"``.
    plan : ConvPlan
        The resolved geometry (``tconv._geometry``): sizes, stride, dilation,
        ``(before, after)`` pads, output_padding.
    x, weight, output : numpy.ndarray
        The operands and the op's result.
    full : numpy.ndarray
        ``conv_transpose``: the full (uncropped) output, ``plan.full_size``.
        ``conv``: the padded input the windows slide over.
    is_padding : numpy.ndarray of bool
        Cells of ``full`` that are padding: for ``conv`` the zeros around
        ``x``; for ``conv_transpose`` the full-output cells the padding cuts.
    steps : tuple of Step
        ``conv_transpose``: one scatter step per input position; ``conv``:
        one window step per output position; row-major.
    crop : tuple of AxisCrop or None
        Per axis, how the full output becomes the output (``conv_transpose``
        only).
    matrix : numpy.ndarray
        Dense ``C`` (``conv``) or ``C^T`` (``conv_transpose``), the matrix of
        :func:`tconv.conv_matrix`, with ``output.ravel() == matrix @ x.ravel()``.
    zero_insertion : ZeroInsertion or None
        The zero-insertion view (``conv_transpose`` only).
    arguments : dict
        stride, padding, dilation (and output_padding) as given.
    matrix_output : numpy.ndarray
        ``matrix @ x.ravel()``: the output computed as the matrix product
        (flattened), which equals ``output.ravel()``.
    algorithm_differences : dict
        Computed on first use: for every algorithm of the op (all of
        ``tconv.CONV_TRANSPOSE_ALGORITHMS`` or ``tconv.CONV_ALGORITHMS``), the
        largest absolute difference of its result from ``output``.

    Every renderer (the text, ``tconv explain --png``, ``tconv animate``, the
    tour, the explorer) draws these fields; none of them recomputes the op.

    Examples
    --------
    >>> import tconv
    >>> e = tconv.explain([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2, padding=((1, 0), (0, 0)))
    >>> e.full
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> e.output
    array([[1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> e.crop[0].cut, e.crop[0].kept
    ((0,), (1, 4))
    >>> print(e.text().splitlines()[0])
    tconv explain: transposed convolution (conv_transpose), 2-D
    """

    op: str
    plan: _geometry.ConvPlan
    x: np.ndarray
    weight: np.ndarray
    output: np.ndarray
    full: np.ndarray
    is_padding: np.ndarray
    steps: tuple[Step, ...]
    crop: tuple[AxisCrop, ...] | None
    matrix: np.ndarray
    zero_insertion: ZeroInsertion | None
    arguments: dict = field(repr=False)
    matrix_output: np.ndarray = field(repr=False)

    @functools.cached_property
    def algorithm_differences(self) -> dict[str, float]:
        """Per algorithm name, ``max |its result - output|`` (run on first use)."""
        x4, w4 = self.x[None], self.weight[None, None]
        if self.plan.is_transposed:
            names, run = CONV_TRANSPOSE_ALGORITHMS, conv_transpose
        else:
            names, run = CONV_ALGORITHMS, conv
        return {name: float(np.max(np.abs(np.asarray(run(x4, w4, **self.arguments,
                                                          algorithm=name))[0]
                                          - self.output)))
                for name in names}

    def text(self, width: int = 80) -> str:
        """The explanation in words with the numbers, as ``tconv explain`` prints it.

        A rendering of this explanation's fields (nothing is recomputed).

        Parameters
        ----------
        width : int
            Longest line (at least 40).

        Returns
        -------
        str
            Lines separated by newlines, no trailing newline.
        """
        check_width("explain", width)
        return _TextRenderer(self, width).render()

    def __repr__(self) -> str:
        plan = self.plan
        return (f"Explanation(op={self.op!r}, x {_shape(plan.in_size)}, kernel "
                f"{_shape(plan.kernel_size)}, stride {plan.stride}, pads {plan.pads}, "
                f"output_padding {plan.output_padding}, dilation {plan.dilation}, "
                f"output {_shape(plan.out_size)}, {len(self.steps)} steps)")


@_args.keywords
def explain(x, weight, *, op="conv_transpose", stride=1, padding=0, output_padding=0,
            dilation=1) -> Explanation:
    """Every step and number of one single-channel (transposed) convolution.

    Parameters
    ----------
    x : array_like
        Spatial input only: 1-D ``(n,)`` or 2-D ``(h, w)`` (one channel, no
        batch axis), at most 32 per axis.
    weight : array_like
        Spatial kernel of the same rank: ``(k,)`` or ``(kh, kw)``, at most 32
        per axis.
    op : {"conv_transpose", "conv"}
        :func:`tconv.conv_transpose` (scatter steps) or :func:`tconv.conv`
        (sliding-window steps).
    stride, padding, output_padding, dilation
        As in :func:`tconv.conv_transpose` / :func:`tconv.conv`, every
        padding form included; output_padding must be 0 for ``conv``.

    Returns
    -------
    Explanation
        ``output`` equals the op's result; ``steps`` replay it (the last
        scatter step's running sum is ``full``), ``matrix`` is the dense
        :func:`tconv.conv_matrix` (``C``, or ``C^T`` for the transposed op),
        ``zero_insertion`` the stride-1 view of a transposed convolution;
        ``.text(width)`` is what ``tconv explain`` prints. Drawn by
        ``tconv explain --png`` and ``tconv animate``.

    Raises
    ------
    ValueError
        Whatever the op raises for these arguments (same messages); ``x`` or
        ``weight`` not 1-D or 2-D of one rank, or longer than 32 on an axis;
        a full output, padded input or output longer than 64 on an axis; an
        unknown ``op``; output_padding with ``op="conv"``.
    TypeError
        Non-numeric arrays, or a float/bool/str where ints belong.

    Notes
    -----
    Input ``i`` times tap ``t`` lands on full-output cell ``i*stride +
    t*dilation``, and output ``j`` of a convolution reads padded-input cells
    ``j*stride + t*dilation``: the index relation of ``tconv._geometry``.

    Examples
    --------
    >>> import tconv
    >>> e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2)
    >>> e.output
    array([  1.,  10., 102.,  20., 203.,  30., 300.])
    >>> step = e.steps[1]
    >>> step.index, step.value, step.positions
    ((1,), 2.0, ((2,), (3,), (4,)))
    >>> step.running
    array([  1.,  10., 102.,  20., 200.,   0.,   0.])
    >>> e.zero_insertion.input
    array([0., 0., 1., 0., 2., 0., 3., 0., 0.])
    >>> e.matrix @ e.x
    array([  1.,  10., 102.,  20., 203.,  30., 300.])
    >>> c = tconv.explain([1, 2, 3, 4], [1, -1], op="conv", padding=((0, 1),))
    >>> c.full
    array([1., 2., 3., 4., 0.])
    >>> for s in c.steps:
    ...     print(s.index, s.positions, s.window, s.value)
    (0,) ((0,), (1,)) [1. 2.] -1.0
    (1,) ((1,), (2,)) [2. 3.] -1.0
    (2,) ((2,), (3,)) [3. 4.] -1.0
    (3,) ((3,), (4,)) [4. 0.] 4.0
    """
    name = "explain"
    explanation = build_explanation(name, x, weight, op=op, stride=stride, padding=padding,
                                    output_padding=output_padding, dilation=dilation,
                                    limit=MAX_SIZE)
    plan = explanation.plan
    large = explanation.full.shape
    for what, size in (("the full output" if plan.is_transposed else "the padded input",
                        large), ("the output", plan.out_size)):
        if max(size) > MAX_GRID:
            message = (f"{name}: {what} would be {_shape(size)}, too large to explain; at "
                       f"most {MAX_GRID} per axis (input {_shape(plan.in_size)}, stride "
                       f"{plan.stride}, padding {plan.pads}, dilation {plan.dilation})")
            raise ValueError(message)
    return explanation


def build_explanation(name: str, x, weight, *, op="conv_transpose", stride=1, padding=0,
                      output_padding=0, dilation=1, limit=None) -> Explanation:
    """Validate one call and compute its :class:`Explanation` (no size limit on the grids).

    ``name`` prefixes the messages; ``limit`` (an int) refuses ``x`` or
    ``weight`` longer than that on any axis before anything is computed.
    :func:`explain` adds its own limits; :func:`explain_text` and
    ``tconv._draw_matrix`` call this directly.
    """
    _args.choice(name, "op", op, OPS)
    x = spatial_array(name, "x", x)
    weight = spatial_array(name, "weight", weight)
    if x.ndim != weight.ndim:
        message = (f"{name}: x has {x.ndim} axes {x.shape} but weight has {weight.ndim} "
                   f"{weight.shape}; give both 1-D or both 2-D")
        raise ValueError(message)
    if limit is not None:
        for what, array in (("x", x), ("weight", weight)):
            if max(array.shape) > limit:
                message = (f"{name}: {what} has shape {array.shape}, too large to explain; "
                           f"at most {limit} per axis")
                raise ValueError(message)
    if op == "conv" and not _args.is_zero(output_padding):
        message = (f"{name}: output_padding={output_padding!r} applies only to "
                   "op='conv_transpose'; leave it 0 for op='conv'")
        raise ValueError(message)
    # The front door validates (same errors as the library) and computes the result.
    x4, w4 = x[None], weight[None, None]
    arguments = {"stride": stride, "padding": padding, "dilation": dilation}
    if op == "conv":
        output = np.asarray(conv(x4, w4, **arguments))[0]
        plan = _geometry.resolve_conv(x.shape, weight.shape, **arguments)
    else:
        arguments["output_padding"] = output_padding
        output = np.asarray(conv_transpose(x4, w4, **arguments))[0]
        plan = _geometry.resolve_conv_transpose(x.shape, weight.shape, **arguments)
    if plan.is_transposed:
        steps = scatter_steps(plan, x, weight)
        full = steps[-1].running
        crop = tuple(axis_crop(plan, a) for a in range(plan.rank))
        is_padding = np.ones(plan.full_size, dtype=bool)
        is_padding[tuple(slice(*c.kept) for c in crop)] = False
        zero_insertion = zero_insertion_view(plan, x, weight)
    else:
        large = tuple(n + lo + hi for n, (lo, hi) in zip(plan.in_size, plan.pads))
        inside = tuple(slice(lo, lo + n) for n, (lo, _) in zip(plan.in_size, plan.pads))
        full = np.zeros(large)
        full[inside] = x
        is_padding = np.ones(large, dtype=bool)
        is_padding[inside] = False
        steps = window_steps(full, weight, plan.out_size, plan.stride, plan.dilation)
        crop = zero_insertion = None
    matrix = dense_matrix(plan, weight)
    matrix_output = matrix @ x.ravel()
    for array in (x, weight, output, full, is_padding, matrix_output):
        array.flags.writeable = False
    return Explanation(op, plan, x, weight, output, full, is_padding, steps, crop, matrix,
                       zero_insertion, arguments, matrix_output)


def _taps(starts: Position, plan_kernel, dilation) -> tuple[Position, ...]:
    """Cells ``start + t*dilation`` for every tap ``t``, row-major."""
    return tuple(tuple(a + t * d for a, t, d in zip(starts, tap, dilation))
                 for tap in np.ndindex(*plan_kernel))


def scatter_steps(plan, x, weight) -> tuple[Step, ...]:
    """One step per input value, row-major: its kernel copy and the running sum."""
    steps, full = [], np.zeros(plan.full_size)
    for position in np.ndindex(*x.shape):
        # Input i times tap t lands at i*stride + t*dilation (tconv._geometry).
        starts = tuple(i * s for i, s in zip(position, plan.stride))
        where = tuple(slice(a, a + e, d) for a, e, d in
                      zip(starts, plan.effective_kernel, plan.dilation))
        contribution = x[position] * weight
        full = full.copy()
        full[where] += contribution
        full.flags.writeable = contribution.flags.writeable = False
        steps.append(Step(position, float(x[position]),
                          _taps(starts, plan.kernel_size, plan.dilation), contribution, full))
    return tuple(steps)


def window_steps(grid, kernel, out_size, stride, dilation) -> tuple[Step, ...]:
    """One step per output: ``kernel`` times the cells of ``grid`` it covers, summed."""
    steps = []
    spans = tuple((k - 1) * d + 1 for k, d in zip(kernel.shape, dilation))
    for position in np.ndindex(*out_size):
        starts = tuple(j * s for j, s in zip(position, stride))
        where = tuple(slice(a, a + e, d) for a, e, d in zip(starts, spans, dilation))
        window = grid[where].copy()
        products = window * kernel
        window.flags.writeable = products.flags.writeable = False
        steps.append(Step(position, float(products.sum()),
                          _taps(starts, kernel.shape, dilation), products, window=window))
    return tuple(steps)


def axis_crop(plan, a: int) -> AxisCrop:
    """How axis ``a`` of the full output becomes the output."""
    (lo, hi), op = plan.pads[a], plan.output_padding[a]
    full, out = plan.full_size[a], plan.out_size[a]
    # Output j is full[j + lo] while j + lo < full, else a zero (docs/rules/pytorch.md).
    stop = max(min(lo + out, full), lo)
    restored = tuple(range(max(full - hi, lo), stop)) if hi else ()
    return AxisCrop(full, out, lo, hi, op, (lo, stop),
                    tuple(c for c in range(full) if not lo <= c < stop), restored,
                    tuple(range(stop - lo, out)), tuple(range(max(out - op, 0), out)))


def zero_insertion_view(plan, x, weight) -> ZeroInsertion:
    """The zero-inserted, padded input (pads from the plan) and its stride-1 windows."""
    pads = _geometry.zero_insertion_pads(plan)
    size = _geometry.zero_insertion_size(plan)
    grid = np.zeros(size)
    # Dilated-input cell p (0 <= p <= (n-1)*stride) is grid cell p + pad_before.
    dilated = _geometry.zero_inserted_size(plan)
    is_padding = np.ones(size, dtype=bool)
    is_inserted = np.zeros(size, dtype=bool)
    inside = tuple(slice(max(b, 0), min(b + d, m)) for (b, _), d, m in zip(pads, dilated, size))
    is_padding[inside] = False
    is_inserted[inside] = True
    sources = {}
    for position in np.ndindex(*x.shape):
        cell = tuple(b + i * s for (b, _), i, s in zip(pads, position, plan.stride))
        if all(0 <= c < m for c, m in zip(cell, size)):
            grid[cell] = x[position]
            is_inserted[cell] = False
            sources[position] = cell
    kernel = weight[(slice(None, None, -1),) * weight.ndim].copy()
    windows = window_steps(grid, kernel, plan.out_size, (1,) * plan.rank, plan.dilation)
    for array in (grid, is_inserted, is_padding, kernel):
        array.flags.writeable = False
    return ZeroInsertion(grid, is_inserted, is_padding, sources, pads, kernel, windows)


__all__ = ["AxisCrop", "Explanation", "Step", "ZeroInsertion", "build_explanation",
           "check_width", "dense_matrix", "explain", "explain_text", "number", "spatial_array"]
