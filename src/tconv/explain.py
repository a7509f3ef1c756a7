"""Text explanations of one convolution or transposed convolution.

:func:`explain_text` walks through a small single-channel example with the
numbers: the geometry (the size formula filled in), every step of the
textbook method (for ``conv_transpose`` each input value times the kernel,
added into the output; for ``conv`` each window of the padded input times the
kernel, summed), the crop done by padding and output_padding, the same result
as a product with the convolution matrix, and a check that every algorithm
agrees.

All sizes come from the resolved plan (``tconv._geometry``) and every result
from the public ops, so this module renders; it never re-derives a size rule.
Plain text only, ``width`` columns at most per line.
"""

from __future__ import annotations

import math
import textwrap

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
    >>> import tconv.explain
    >>> text = tconv.explain.explain_text([1, 2, 3], [1, 10, 100], stride=2)
    >>> print(text.splitlines()[0])
    tconv explain: transposed convolution (conv_transpose), 1-D
    >>> print("\\n".join(line for line in text.splitlines() if "lands" in line))
      x[0] = 1: 1 * w lands at positions 0-2
      x[1] = 2: 2 * w lands at positions 2-4
      x[2] = 3: 3 * w lands at positions 4-6
    """
    name = "explain"
    _args.choice(name, "op", op, OPS)
    if not _args.is_int(width):
        message = f"{name}: width={width!r} must be an int (columns, >= {MIN_WIDTH})"
        raise TypeError(message)
    if width < MIN_WIDTH:
        message = f"{name}: width={width!r} is too narrow; it must be >= {MIN_WIDTH}"
        raise ValueError(message)
    x = _spatial_array(name, "x", x)
    weight = _spatial_array(name, "weight", weight)
    if x.ndim != weight.ndim:
        message = (f"{name}: x has {x.ndim} axes {x.shape} but weight has {weight.ndim} "
                   f"{weight.shape}; give both 1-D or both 2-D")
        raise ValueError(message)
    if op == "conv" and not _args.is_zero(output_padding):
        message = (f"{name}: output_padding={output_padding!r} applies only to "
                   "op='conv_transpose'; leave it 0 for op='conv'")
        raise ValueError(message)
    # The front door validates (same errors as the library) and computes the result.
    x4, w4 = x[None], weight[None, None]
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    if op == "conv":
        result = np.asarray(conv(x4, w4, **geometry))[0]
        plan = _geometry.resolve_conv(x.shape, weight.shape, **geometry)
    else:
        geometry["output_padding"] = output_padding
        result = np.asarray(conv_transpose(x4, w4, **geometry))[0]
        plan = _geometry.resolve_conv_transpose(x.shape, weight.shape, **geometry)
    return _Explanation(plan, x, weight, result, geometry, width).render()


def _spatial_array(name: str, what: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError) as error:
        message = f"{name}: {what} could not be read as a numeric array ({error})"
        raise TypeError(message) from None
    if array.ndim not in (1, 2) or 0 in array.shape:
        message = (f"{name}: {what} has shape {array.shape}; explain takes one channel, "
                   "spatial axes only: a non-empty 1-D (n,) or 2-D (h, w) array")
        raise ValueError(message)
    if not np.all(np.isfinite(array)):
        # NaN would spread through the matrix product (0 * NaN) but not the op.
        message = f"{name}: {what} holds NaN or infinity; explain takes finite numbers"
        raise ValueError(message)
    return array


# --------------------------------------------------------------------------
# Formatting helpers: numbers, index ranges, grids, side-by-side blocks.

def _number(value: float) -> str:
    """Integers without a decimal point, other values to 4 significant digits."""
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
    cells = [[_number(v) for v in row] for row in array]
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
        cell = max(len(_number(v)) for v in array)
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
# The explanation itself.

class _Explanation:
    """Renders the sections of one explanation; every number comes from ``plan``."""

    def __init__(self, plan, x, weight, result, geometry, width):
        self.plan, self.x, self.weight, self.result = plan, x, weight, result
        self.geometry, self.width = geometry, width
        self.axes = ("position",) if plan.rank == 1 else ("row", "col")

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

    def where(self, starts, counts, steps) -> str:
        """"rows 0-1, cols 0-1" for one landing place or window."""
        return ", ".join(_indices(axis, a, c, s) for axis, a, c, s in
                         zip(self.axes, starts, counts, steps))

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
        if isinstance(self.geometry["padding"], str):
            lines.append(f"{_INDENT}(padding {self.geometry['padding']!r} resolved to the "
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
        return _beside([_titled_grid(f"Input x ({_shape(self.x.shape)}):", self.x, self.width),
                        _titled_grid(f"Kernel w ({_shape(self.weight.shape)}):", self.weight,
                                     self.width)], self.width)

    def scatter_steps(self) -> list[str]:
        plan, x, weight = self.plan, self.x, self.weight
        steps = x.size
        lines = _prose(f"Scatter: x[i] * w is added at i*stride ({steps} steps, into "
                       f"the full output, {_shape(plan.full_size)}):", self.width)
        full = np.zeros(plan.full_size)
        touched = np.zeros(plan.full_size, dtype=bool)
        states = []
        for position in np.ndindex(*x.shape):
            # Input i times tap t lands at i*stride + t*dilation (tconv._geometry).
            starts = tuple(i * s for i, s in zip(position, plan.stride))
            where = tuple(slice(a, a + e, d) for a, e, d in
                          zip(starts, plan.effective_kernel, plan.dilation))
            added = np.zeros(plan.full_size)
            added[where] = x[position] * weight
            full = full + added
            mask = np.zeros(plan.full_size, dtype=bool)
            mask[where] = True
            touched = touched | mask
            states.append((position, starts, added, mask, full, touched))
        self.full = full
        title = f"Full output ({_shape(plan.full_size)}, before padding and output_padding):"
        full_block = [""] + _titled_grid(title, full, self.width)
        if steps > STEP_LINES:
            return lines + [(f"{_INDENT}({steps} steps: too many to list; at most "
                            f"{STEP_LINES})")] + full_block
        # One cell width for every step, so the grids line up from step to step.
        cell = max(len(_number(v)) for state in states for v in
                   np.concatenate([state[2].ravel(), state[4].ravel()]))
        for position, starts, added, mask, running, seen in states:
            v = _number(x[position])
            lines.append(f"{_INDENT}x[{self.index(position)}] = {v}: {v} * w lands at "
                         + self.where(starts, plan.kernel_size, plan.dilation))
            if steps <= STEP_GRIDS:
                lines += self.step_grids(added, ~mask, running, ~seen, cell)
        if steps > STEP_GRIDS:
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
        for a, axis in enumerate(self.axes):
            (lo, hi), op = plan.pads[a], plan.output_padding[a]
            full, out = plan.full_size[a], plan.out_size[a]
            # Output j is full[j + lo] while j + lo < full, else a zero (SEMANTICS 1.2):
            # output_padding first gives back what the end padding cut, then zeros.
            kept = max(min(lo + out, full) - lo, 0)
            back = min(op, hi)
            zeros = out - kept
            pieces = []
            if lo:
                pieces.append(f"padding {lo} before removes full {_indices(axis, 0, lo)}")
            if hi:
                pieces.append(f"padding {hi} after removes full "
                              f"{_indices(axis, full - hi, hi)}")
            if back:
                pieces.append(f"output_padding {op} adds back full "
                              f"{_indices(axis, full - hi, back)}")
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
        plan = self.plan
        padded_size = tuple(n + lo + hi for n, (lo, hi) in zip(plan.in_size, plan.pads))
        padded = np.zeros(padded_size)
        inside = tuple(slice(lo, lo + n) for n, (lo, _) in zip(plan.in_size, plan.pads))
        padded[inside] = self.x
        self.padded = padded
        if all(lo == hi == 0 for lo, hi in plan.pads):
            return ["No padding: the windows slide over x itself."]
        is_pad = np.ones(padded_size, dtype=bool)
        is_pad[inside] = False
        title = f"Padded input ({_shape(padded_size)}, . = zero padding):"
        return _titled_grid(title, padded, self.width, is_pad)

    def window_steps(self) -> list[str]:
        plan, padded, weight = self.plan, self.padded, self.weight
        steps = math.prod(plan.out_size)
        lines = _prose(f"Sliding window: y[i] = sum(padded window at i*stride times w) "
                       f"({steps} steps):", self.width)
        if steps > STEP_LINES:
            return lines + [(f"{_INDENT}({steps} steps: too many to list; at most "
                            f"{STEP_LINES})")]
        for position in np.ndindex(*plan.out_size):
            # Output i reads padded index i*stride + t*dilation for tap t (tconv._geometry).
            starts = tuple(i * s for i, s in zip(position, plan.stride))
            where = tuple(slice(a, a + e, d) for a, e, d in
                          zip(starts, plan.effective_kernel, plan.dilation))
            window = padded[where]
            total = float((window * weight).sum())
            lines.append(f"{_INDENT}y[{self.index(position)}] = padded "
                         + self.where(starts, plan.kernel_size, plan.dilation) + " times w:")
            if weight.size <= 25:
                terms = [f"{_number(v)}*{_number(t)}" for v, t in
                         zip(window.ravel(), weight.ravel())]
                products = _wrap(f"{_INDENT * 2}= ", terms, self.width)
                tail = f" = {_number(total)}"
                if len(products[-1]) + len(tail) <= self.width:
                    products[-1] += tail
                else:
                    products.append(f"{_INDENT * 2}{tail.lstrip()}")
                lines += products
            else:
                lines.append(f"{_INDENT * 2}= {_number(total)}")
        return lines

    def result_block(self) -> list[str]:
        plan = self.plan
        name = "conv_transpose" if plan.is_transposed else "conv"
        title = f"Result y = {name}(x, w) ({_shape(plan.out_size)}):"
        return _titled_grid(title, self.result, self.width)

    def matrix(self) -> np.ndarray:
        """Dense ``C`` (conv) or ``C^T`` (transposed) from :func:`tconv.conv_matrix`."""
        plan, w4 = self.plan, self.weight[None, None]
        if not plan.is_transposed:
            return conv_matrix((1, *plan.in_size), w4, stride=plan.stride, padding=plan.pads,
                               dilation=plan.dilation).toarray()
        # The adjoint convolution reads the output back into the input's windows.
        # Its end pad is what the full output keeps past the output; where the
        # output reaches past the full output (output_padding) that is negative,
        # so pad 0 and keep only the first n windows: extra windows add rows only.
        pads = tuple((lo, max(full - lo - out, 0)) for (lo, _), full, out in
                     zip(plan.pads, plan.full_size, plan.out_size))
        geometry = {"stride": plan.stride, "padding": pads, "dilation": plan.dilation}
        windows = conv_output_shape(plan.out_size, plan.kernel_size, **geometry)
        c = conv_matrix((1, *plan.out_size), w4, **geometry).toarray()
        c = c.reshape(*windows, -1)[tuple(slice(0, n) for n in plan.in_size)]
        return c.reshape(math.prod(plan.in_size), -1).T

    def matrix_product(self) -> list[str]:
        plan = self.plan
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
        matrix = self.matrix()
        product = matrix @ self.x.ravel()
        difference = float(np.max(np.abs(product - self.result.ravel())))
        body = self.product_picture(name, matrix, self.x.ravel(), product)
        if body is None:
            body = [(f"{_INDENT}({name} is {rows}x{cols}: too large to print at "
                    f"{self.width} columns)")]
        check = f"max |{name} x - y| = {_number(difference)}"
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
        plan = self.plan
        x4, w4 = self.x[None], self.weight[None, None]
        if plan.is_transposed:
            names, run = CONV_TRANSPOSE_ALGORITHMS, conv_transpose
        else:
            names, run = CONV_ALGORITHMS, conv
        difference = max(float(np.max(np.abs(np.asarray(run(x4, w4, **self.geometry,
                                                              algorithm=name))[0]
                                             - self.result)))
                         for name in names)
        scale = max(float(np.max(np.abs(self.result))), 1.0)
        verdict = ("Every algorithm gives the same result"
                   if difference <= 1e-12 * scale * self.weight.size
                   else "The algorithms DISAGREE")
        shown = _number(difference) if difference == 0 else f"{difference:.1e}"
        return ([f"{verdict}: max |difference| = {shown}"]
                + _prose(f"({', '.join(names)})", self.width, _INDENT))


__all__ = ["explain_text"]
