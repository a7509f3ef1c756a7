"""Pictures and animations of an :class:`tconv.Explanation` (matplotlib, Pillow).

Everything drawn is read from the explanation, whose numbers are the op's: this
module lays grids out and colours cells, it computes nothing. matplotlib is
imported lazily with the Agg backend (no display needed) through
:func:`require_viz`, which explains how to install the ``viz`` extra when it
is missing.

Layout unit: one grid cell. A figure is ``W x H`` cells, drawn on one axes
whose data coordinates are cells (x to the right, y down), and saved at
``dpi = CELL_PIXELS`` with ``figsize = (W, H)`` "inches", so a cell is exactly
``CELL_PIXELS`` pixels and one cell is 72 points wide for font sizes.

Conventions every picture keeps: text drawn by matplotlib (DejaVu Sans) at
readable sizes; the kernel's window shaded blue in zero-insertion views; the
last frame of an animation held for :data:`HOLD_SECONDS`; the legend in its
own band below the panels, never over them; files written through
``tconv._files.atomic_output`` (``force`` to replace one).

:func:`draw_grid` is the reusable primitive: a grid of values at a place, each
cell coloured by its kind (``KINDS``), with its number as a text artist whose
gid names the grid (tests read numbers back from those artists).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._explain import Explanation, number
from ._files import atomic_output

VIEWS = ("scatter", "zero-insertion", "both")
FORMATS = (".gif", ".mp4")
# An animation longer than this is refused: nobody watches 400 frames of one op.
MAX_FRAMES = 400
# Pixels per cell: as large as fits MAX_PIXELS per side, never below MIN_CELL.
CELL_PIXELS = 48
MIN_CELL = 12
MAX_PIXELS = 1600
POINTS = 72  # points per cell (a cell is one "inch")

# Kinds of cells: (face colour, hatch, legend label). "value" is an ordinary cell.
KINDS = {
    "value": ("#ffffff", "", None),
    "padding": ("#d9d9d9", "///", "padding (zeros)"),
    "cut": ("#f6c3c3", "xxx", "cropped by padding"),
    "output_padding": ("#bcd9f6", "...", "added by output_padding"),
    "inserted": ("#fff0a8", "\\\\\\", "inserted zero"),
}
HIGHLIGHT = "#f28e1c"  # edge of the cells of the current step
WINDOW, WINDOW_ALPHA = "#3b6fd4", 0.28  # wash over the kernel's window
WINDOW_LABEL = "kernel window"
# The last frame of an animation stays this long (or one frame, if longer).
HOLD_SECONDS = 3.0
FILLED = "#e6f2dc"  # face of cells that already hold a value in an animation
_EDGE = "#555555"


def require_viz(name: str):
    """Import matplotlib and Pillow, or explain how to get them.

    Returns the ``matplotlib`` module. ``name`` is the calling function, for
    the message.
    """
    try:
        import matplotlib
        import PIL  # noqa: F401  (Pillow writes the GIFs and PNGs)
    except ImportError as error:
        message = (f"{name}: drawing needs matplotlib and Pillow ({error}); install them "
                   "with: pip install 'tconv[viz]'")
        raise ImportError(message) from None
    return matplotlib


# --------------------------------------------------------------------------
# The primitive: one grid of values


def draw_grid(ax, values, *, left: float = 0.0, top: float = 0.0, kinds=None,
              highlight=None, filled=None, title: str | None = None,
              gid: str | None = None, fontsize: float | None = None,
              shade=None) -> list:
    """Draw ``values`` as a grid of numbered cells on ``ax`` (data units = cells).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose data coordinates are cells, y pointing down (as the
        figures of :func:`draw_explanation` set them up).
    values : array_like
        1-D (drawn as one row) or 2-D numbers. NaN draws an empty cell.
    left, top : float
        Where the grid's top-left corner goes.
    kinds : array_like of str, optional
        A key of ``KINDS`` per cell (default all ``"value"``): padding, cut,
        output_padding and inserted cells get their own colour and hatch.
    highlight : array_like of bool, optional
        Cells drawn with a thick orange edge (the current step).
    filled : array_like of bool, optional
        ``"value"`` cells drawn with a light green face (already computed).
    shade : array_like of bool, optional
        Cells under a translucent blue wash: the kernel's window.
    title : str, optional
        Text just above the grid.
    gid : str, optional
        Set as the gid of every number's text artist (and of the title).
    fontsize : float, optional
        Points; by default as large as the longest number allows.

    Returns
    -------
    list of matplotlib.text.Text
        The numbers' text artists, row-major (empty cells have none).

    Examples
    --------
    >>> from tconv._draw import draw_grid, new_figure
    >>> figure, ax = new_figure(4, 2)
    >>> texts = draw_grid(ax, [[1, 2.5], [3, float("nan")]], left=1, top=0, gid="demo")
    >>> [t.get_text() for t in texts]
    ['1', '2.5', '3']
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    shape = values.shape
    kinds = np.broadcast_to(np.atleast_2d(np.asarray("value" if kinds is None else kinds)),
                            shape)
    highlight = np.broadcast_to(np.atleast_2d(False if highlight is None else highlight),
                                shape)
    filled = np.broadcast_to(np.atleast_2d(False if filled is None else filled), shape)
    labels = [[None if np.isnan(v) else number(v) for v in row] for row in values]
    longest = max((len(label) for row in labels for label in row if label), default=1)
    if fontsize is None:
        fontsize = cell_fontsize(longest)
    if title:
        ax.text(left, top - 0.15, title, ha="left", va="bottom", fontsize=TITLE_POINTS,
                gid=gid)
    # One collection per kind (a hatch belongs to a whole collection): far
    # faster to add and draw than a patch per cell.
    cells: dict[tuple[str, str, str], list] = {}
    texts = []
    for (r, c), kind in np.ndenumerate(kinds):
        face, hatch, _ = KINDS[kind]
        if kind == "value" and filled[r, c]:
            face = FILLED
        cells.setdefault((kind, face, hatch), []).append(Rectangle((left + c, top + r), 1, 1))
        if labels[r][c] is not None:
            texts.append(ax.text(left + c + 0.5, top + r + 0.52, labels[r][c], ha="center",
                                 va="center", fontsize=fontsize, gid=gid,
                                 bbox={"facecolor": face, "edgecolor": "none", "pad": 0.5}
                                 if hatch else None))
    for (_, face, hatch), rectangles in cells.items():
        ax.add_collection(PatchCollection(rectangles, facecolor=face, edgecolor=_EDGE,
                                          hatch=hatch or None, linewidth=1.0),
                          autolim=False)
    if shade is not None:
        shade = np.broadcast_to(np.atleast_2d(shade), shape)
        washed = [Rectangle((left + c, top + r), 1, 1) for r, c in zip(*np.nonzero(shade))]
        if washed:
            ax.add_collection(PatchCollection(washed, facecolor=WINDOW, edgecolor="none",
                                              alpha=WINDOW_ALPHA, zorder=2.5),
                              autolim=False)
            rows, cols = np.nonzero(shade)
            ax.add_patch(Rectangle((left + cols.min(), top + rows.min()),
                                   cols.max() - cols.min() + 1, rows.max() - rows.min() + 1,
                                   facecolor="none", edgecolor=WINDOW, linewidth=2.5,
                                   zorder=3.5))
    marked = [Rectangle((left + c + 0.04, top + r + 0.04), 0.92, 0.92)
              for r, c in zip(*np.nonzero(highlight))]
    if marked:
        ax.add_collection(PatchCollection(marked, facecolor="none", edgecolor=HIGHLIGHT,
                                          linewidth=3.0, zorder=3), autolim=False)
    return texts


TITLE_POINTS = 20.0
_CHAR = 0.6  # average glyph width / font size, DejaVu Sans digits and letters


def cell_fontsize(characters: int) -> float:
    """Points that fit ``characters`` glyphs in 85% of a cell (at most 22)."""
    return min(22.0, 0.85 * POINTS / (_CHAR * max(characters, 1)))


def text_cells(text: str, points: float = TITLE_POINTS) -> float:
    """Approximate width of ``text`` in cells at ``points``."""
    return len(text) * _CHAR * points / POINTS


def new_figure(width: float, height: float, cell_pixels: int = CELL_PIXELS):
    """A ``width x height``-cell figure and its axes (cells as data units, y down).

    Returns ``(figure, ax)``; ``figure.dpi`` is ``cell_pixels``, so the saved
    image is ``round(width * cell_pixels) x round(height * cell_pixels)``
    pixels. No pyplot: the figure belongs to the caller, not to a global list.
    """
    require_viz("draw")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=cell_pixels)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    _reset_axes(ax, width, height)
    return figure, ax


def _reset_axes(ax, width: float, height: float) -> None:
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()


# --------------------------------------------------------------------------
# Layout: panels (a title and a grid) in rows


@dataclass
class Panel:
    """One titled grid: what :func:`draw_grid` draws, and its size in cells."""

    key: str
    title: str
    values: np.ndarray
    kinds: np.ndarray | None = None
    highlight: np.ndarray | None = None
    filled: np.ndarray | None = None
    fontsize: float | None = None
    shade: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return np.atleast_2d(self.values).shape

    @property
    def width(self) -> float:
        return max(self.shape[1], text_cells(self.title))


_MARGIN = 0.5
_GAP = 1.0
_TITLE = 0.8  # cells above a grid for its title
_LINE = 0.9  # one line of caption or legend


class Layout:
    """Where the panels of each row go, and the figure's size in cells.

    ``rows`` are lists of panels drawn left to right; a row wider than
    ``max_width`` cells is wrapped. A caption line goes on top, the legend of
    the kinds used at the bottom.
    """

    def __init__(self, rows: Sequence[Sequence[Panel]], caption_lines: int = 2,
                 max_width: float = 48.0):
        wrapped = []
        for row in rows:
            line, width = [], 0.0
            for panel in row:
                if line and width + _GAP + panel.width > max_width:
                    wrapped.append(line)
                    line, width = [], 0.0
                width += (_GAP if line else 0.0) + panel.width
                line.append(panel)
            if line:
                wrapped.append(line)
        self.rows = wrapped
        self.caption_lines = caption_lines
        row_widths = [sum(p.width for p in row) + _GAP * (len(row) - 1) for row in wrapped]
        used = {kind for row in wrapped for p in row if p.kinds is not None
                for kind in np.unique(np.asarray(p.kinds, dtype=str))}
        self.legend = [kind for kind, (_, _, label) in KINDS.items() if label and kind in used]
        if any(p.shade is not None for row in wrapped for p in row):
            self.legend.append("window")
        legend = [_legend_entry(kind)[2] for kind in self.legend] or [""]
        self.legend_width = max(1.5 + text_cells(label, LEGEND_POINTS) for label in legend)
        content = max(row_widths + [self.legend_width * 2, 12.0])
        self.width = float(np.ceil(content + 2 * _MARGIN))
        self.places = []
        top = _MARGIN + caption_lines * _LINE
        for row, row_width in zip(wrapped, row_widths):
            top += _TITLE
            left = _MARGIN
            height = max(p.shape[0] for p in row)
            for panel in row:
                self.places.append((panel, left, top))
                left += panel.width + _GAP
            top += height + _GAP * 0.6
        self.legend_top = top
        per_line = max(int((self.width - 2 * _MARGIN) // self.legend_width), 1)
        self.legend_lines = -(-len(self.legend) // per_line)
        self.height = float(np.ceil(top + self.legend_lines * _LINE + _MARGIN))

    @classmethod
    def squarest(cls, rows: Sequence[Sequence[Panel]], caption_lines: int = 2) -> Layout:
        """The wrapping whose figure is closest to square (smallest longer side)."""
        widest = max(p.width for row in rows for p in row)
        longest = max(sum(p.width + _GAP for p in row) for row in rows)
        candidates = [cls(rows, caption_lines, w) for w in
                      np.linspace(max(widest, 24.0), max(longest, 24.0), 8)]
        return min(candidates, key=lambda layout: (max(layout.width, layout.height),
                                                   layout.height))

    def cell_pixels(self) -> int:
        """Pixels per cell: CELL_PIXELS, less when the figure would pass MAX_PIXELS."""
        fit = int(MAX_PIXELS // max(self.width, self.height))
        return max(min(CELL_PIXELS, fit), MIN_CELL)

    def draw(self, ax, caption: Sequence[str], panels: Sequence[Panel] | None = None
             ) -> dict[str, list]:
        """Draw every panel, the caption and the legend; texts per panel key.

        ``panels`` replace the layout's own, in the same order and of the same
        shapes (the frames of an animation).
        """
        _reset_axes(ax, self.width, self.height)
        for i, line in enumerate(caption[:self.caption_lines]):
            points = min(CAPTION_POINTS, (self.width - 2 * _MARGIN) * POINTS / (
                _CHAR * max(len(line), 1)))
            ax.text(_MARGIN, _MARGIN + (i + 0.5) * _LINE, line, ha="left", va="center",
                    fontsize=points, gid="caption")
        texts = {}
        places = self.places if panels is None else [
            (panel, left, top) for panel, (_, left, top) in zip(panels, self.places)]
        for panel, left, top in places:
            texts[panel.key] = draw_grid(ax, panel.values, left=left, top=top,
                                         kinds=panel.kinds, highlight=panel.highlight,
                                         filled=panel.filled, title=panel.title,
                                         gid=panel.key, fontsize=panel.fontsize,
                                         shade=panel.shade)
        self.draw_legend(ax)
        return texts

    def draw_legend(self, ax) -> None:
        from matplotlib.patches import Rectangle

        left, top = _MARGIN, self.legend_top
        for kind in self.legend:
            face, hatch, label = _legend_entry(kind)
            if left + self.legend_width > self.width - _MARGIN + 1e-9:
                left, top = _MARGIN, top + _LINE
            ax.add_patch(Rectangle((left, top + 0.1), 1.0, 0.7, facecolor=face, hatch=hatch,
                                   edgecolor=_EDGE, linewidth=1.0))
            if kind == "window":
                ax.add_patch(Rectangle((left, top + 0.1), 1.0, 0.7, facecolor=WINDOW,
                                       alpha=WINDOW_ALPHA, edgecolor="none"))
            ax.text(left + 1.2, top + 0.45, label, ha="left", va="center",
                    fontsize=LEGEND_POINTS, gid="legend")
            left += self.legend_width


CAPTION_POINTS = 22.0
LEGEND_POINTS = 18.0


def _legend_entry(kind: str) -> tuple[str, str, str]:
    """(face, hatch, label) of a legend entry: a kind of cell, or the kernel window."""
    if kind == "window":
        return KINDS["value"][0], "", WINDOW_LABEL
    return KINDS[kind]


# --------------------------------------------------------------------------
# What the cells are


def _axis_kinds(shape, per_axis: Sequence[Sequence[int]], kind: str) -> np.ndarray:
    """``kind`` on every cell whose index on some axis is listed for that axis."""
    kinds = np.full(shape, "value", dtype=object)
    for a, cells in enumerate(per_axis):
        index = [slice(None)] * len(shape)
        index[a] = list(cells)
        kinds[tuple(index)] = kind
    return kinds


def _kinds(mask: np.ndarray, kind: str) -> np.ndarray:
    return np.where(mask, kind, "value").astype(object)


def _output_kinds(e: Explanation) -> np.ndarray | None:
    if e.crop is None:
        return None
    return _axis_kinds(e.output.shape, [c.added for c in e.crop], "output_padding")


def _zero_kinds(e: Explanation) -> np.ndarray:
    z = e.zero_insertion
    kinds = _kinds(z.is_padding, "padding")
    kinds[z.is_inserted] = "inserted"
    return kinds


def _mask(shape, cells) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for cell in cells:
        mask[cell] = True
    return mask


def window_mask(shape, step) -> np.ndarray:
    """Cells of the box a window step's taps span (taps and the gaps of dilation)."""
    mask = np.zeros(shape, dtype=bool)
    first, last = step.positions[0], step.positions[-1]
    mask[tuple(slice(a, b + 1) for a, b in zip(first, last))] = True
    return mask


def _size(shape) -> str:
    return "x".join(map(str, shape))


def _header(e: Explanation) -> list[str]:
    plan = e.plan
    name = ("conv_transpose" if plan.is_transposed else "conv") + f" {plan.rank}-D"
    first = (f"{name}: x {_size(plan.in_size)}, kernel {_size(plan.kernel_size)}, stride "
             f"{_flat(plan.stride)}, dilation {_flat(plan.dilation)}")
    pads = ", ".join(f"{lo}:{hi}" for lo, hi in plan.pads)
    second = f"padding (before:after) {pads}"
    if plan.is_transposed:
        second += (f", output_padding {_flat(plan.output_padding)}; full "
                   f"{_size(plan.full_size)} -> output {_size(plan.out_size)}")
    else:
        second += f"; output {_size(plan.out_size)}"
    return [first, second]


def _flat(values) -> str:
    return ",".join(map(str, values))


# --------------------------------------------------------------------------
# The still picture


@dataclass(frozen=True, eq=False)
class Picture:
    """What :func:`draw_explanation` wrote: the file, its pixel size, the figure.

    ``texts`` maps each panel key (``"x"``, ``"weight"``, ``"full"``,
    ``"output"``, ...) to its numbers' text artists.
    """

    path: str
    size: tuple[int, int]
    figure: object
    texts: dict


def _picture_rows(e: Explanation) -> list[list[Panel]]:
    x = Panel("x", f"input x ({_size(e.x.shape)})", e.x)
    weight = Panel("weight", f"kernel w ({_size(e.weight.shape)})", e.weight)
    output = Panel("output", f"output y ({_size(e.output.shape)})", e.output,
                   _output_kinds(e))
    if not e.plan.is_transposed:
        padded = Panel("full", f"padded input ({_size(e.full.shape)})", e.full,
                       _kinds(e.is_padding, "padding"))
        return [[x, padded, weight, output]]
    full = Panel("full", f"full output ({_size(e.full.shape)})", e.full,
                 _kinds(e.is_padding, "cut"))
    z = e.zero_insertion
    zeros = Panel("zero_insertion",
                  f"zero-inserted, padded x ({_size(z.input.shape)}); window of y[0]",
                  z.input, _zero_kinds(e), shade=window_mask(z.input.shape, z.windows[0]))
    flipped = Panel("flipped", "flipped kernel", z.kernel)
    return [[x, weight, full, output], [zeros, flipped]]


def draw_explanation(explanation: Explanation, path, *, force: bool = False) -> Picture:
    """Write a PNG of one op: input, kernel, (full) output and the zero-insertion view.

    Parameters
    ----------
    explanation : Explanation
        From :func:`tconv.explain`.
    path : str or path-like
        Where the PNG goes (written to a temporary name, renamed when done).
    force : bool
        Replace ``path`` if it exists; otherwise that is an error.

    Returns
    -------
    Picture
        ``path``, ``size`` (width, height in pixels) and the figure.

    Raises
    ------
    ImportError
        matplotlib or Pillow is missing (``pip install 'tconv[viz]'``).
    TypeError
        ``explanation`` is not an :class:`Explanation`.
    ValueError
        ``path`` exists and ``force`` is false, or its folder does not exist
        (``tconv._files.OutputError``).

    Notes
    -----
    ``conv_transpose``: input, kernel, the full output with the cells padding
    cuts, the output with the cells output_padding adds; below, the
    zero-inserted padded input (inserted zeros and padding marked) and the
    flipped kernel whose stride-1 windows give the output. ``conv``: input,
    padded input (padding marked), kernel, output.

    Examples
    --------
    >>> import os, tempfile, tconv
    >>> from tconv._draw import draw_explanation
    >>> e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2, padding=1)
    >>> picture = draw_explanation(e, os.path.join(tempfile.mkdtemp(), "e.png"))
    >>> [t.get_text() for t in picture.texts["output"]]
    ['10', '102', '20', '203', '30']
    """
    _check_explanation("draw_explanation", explanation)
    layout = Layout.squarest(_picture_rows(explanation))
    pixels = layout.cell_pixels()
    figure, ax = new_figure(layout.width, layout.height, pixels)
    texts = layout.draw(ax, _header(explanation))
    path = os.fspath(path)
    with atomic_output(path, force=force, flag="path") as temporary:
        figure.savefig(temporary, format="png", dpi=pixels)
    return Picture(path, figure.canvas.get_width_height(), figure, texts)


def _check_explanation(name: str, explanation) -> None:
    if not isinstance(explanation, Explanation):
        message = (f"{name}: explanation={type(explanation).__name__} must be a "
                   "tconv.Explanation (from tconv.explain(...))")
        raise TypeError(message)


# --------------------------------------------------------------------------
# Animation


@dataclass(frozen=True, eq=False)
class Animation:
    """What :func:`animate` wrote.

    Attributes
    ----------
    path : str
    frames : int
        Number of frames: ``1 + steps + 1`` (setup, one per step, final).
    size : tuple of int
        (width, height) of every frame in pixels.
    values : tuple of tuple of numpy.ndarray
        Per frame, per view shown, the numbers of the result grid (NaN: not
        drawn yet): the running full output (scatter) or the output so far
        (windows); the last frame's are the op's output.
    figure : matplotlib.figure.Figure
        The last frame.
    texts : dict
        The last frame's text artists per panel key.
    durations : tuple of int
        Milliseconds each frame is shown: ``1000 / fps``, except the last
        frame, held for :data:`HOLD_SECONDS` (or one frame if that is longer).
    """

    path: str
    frames: int
    size: tuple[int, int]
    values: tuple
    figure: object
    texts: dict
    durations: tuple[int, ...] = ()


def frame_count(explanation: Explanation, view: str = "scatter") -> int:
    """Frames of :func:`animate`: a setup frame, one per step, a final frame.

    Steps are the scatter steps (one per input value) for ``"scatter"``, the
    windows (one per output value) for ``"zero-insertion"`` and for a
    ``conv``, and the larger of the two for ``"both"`` (the two views run side
    by side; the shorter waits on its last step).

    Examples
    --------
    >>> import tconv
    >>> from tconv._draw import frame_count
    >>> e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2)
    >>> frame_count(e), frame_count(e, "zero-insertion"), frame_count(e, "both")
    (5, 9, 9)
    """
    _check_explanation("animate", explanation)
    _check_view(explanation, view)
    counts = [len(steps) for _, steps in _views(explanation, view)]
    return 1 + max(counts) + 1


def _check_view(e: Explanation, view) -> None:
    from . import _args

    _args.choice("animate", "view", view, VIEWS)
    if not e.plan.is_transposed and view != "scatter":
        message = (f"animate: view={view!r} is for conv_transpose; a conv has only its "
                   "sliding window (the default view='scatter' shows it)")
        raise ValueError(message)


def _views(e: Explanation, view: str) -> list[tuple[str, tuple]]:
    if not e.plan.is_transposed:
        return [("window", e.steps)]
    views = []
    if view in ("scatter", "both"):
        views.append(("scatter", e.steps))
    if view in ("zero-insertion", "both"):
        views.append(("zero-insertion", e.zero_insertion.windows))
    return views


class _Frames:
    """Panels of every frame of one view; the layout stays fixed across frames."""

    def __init__(self, e: Explanation, kind: str, suffix: str):
        self.e, self.kind, self.suffix = e, kind, suffix
        self.steps = e.steps if kind != "zero-insertion" else e.zero_insertion.windows

    def key(self, name: str) -> str:
        return name + self.suffix

    def panels(self, frame: int, total_steps: int) -> tuple[list[Panel], np.ndarray, str]:
        """``(panels, result values, caption)`` of frame ``frame``.

        Frame 0 is the setup, ``1..total_steps`` steps (this view's step
        ``min(frame, len(steps))``), ``total_steps + 1`` the final frame.
        """
        e, steps = self.e, self.steps
        final = frame == total_steps + 1
        done = len(steps) if final else min(frame, len(steps))
        step = steps[done - 1] if 0 < done and not final else None
        if self.kind == "scatter":
            return self.scatter(done, step, final)
        grid = e.full if self.kind == "window" else e.zero_insertion.input
        return self.window(grid, done, step, final)

    def scatter(self, done, step, final):
        e, plan = self.e, self.e.plan
        cut = _kinds(e.is_padding, "cut")
        if done:
            running = e.steps[done - 1].running
            touched = _mask(plan.full_size, [c for s in e.steps[:done] for c in s.positions])
        else:
            running, touched = np.zeros(plan.full_size), np.zeros(plan.full_size, dtype=bool)
        full_values = np.where(touched, running, np.nan)
        x_mark = _mask(e.x.shape, [step.index] if step else [])
        contribution = step.contribution if step else np.full(e.weight.shape, np.nan)
        output = e.output if final else np.full(e.output.shape, np.nan)
        panels = [
            Panel(self.key("x"), "input x", e.x, highlight=x_mark),
            Panel(self.key("weight"), "kernel w", e.weight),
            Panel(self.key("contribution"), "x[i] * w", contribution),
            Panel(self.key("full"), "full output (running sum)", full_values, cut,
                  highlight=_mask(plan.full_size, step.positions if step else []),
                  filled=touched),
            Panel(self.key("output"), "output y", output, _output_kinds(e),
                  filled=np.ones(e.output.shape, dtype=bool) if final else None),
        ]
        if final:
            caption = ("done: the full output, cropped by padding and extended by "
                       "output_padding, is the output")
        elif step is None:
            caption = (f"scatter: each input value times the kernel is added into the full "
                       f"output ({len(self.steps)} steps)")
        else:
            where = ", ".join(f"{a}..{b}" for a, b in
                              zip(step.positions[0], step.positions[-1]))
            caption = (f"step {done}/{len(self.steps)}: x[{_flat(step.index)}] = "
                       f"{number(step.value)}; {number(step.value)} * w added at {where}")
        values = e.output if final else full_values
        return panels, values, caption

    def window(self, grid, done, step, final):
        e = self.e
        is_zero = self.kind == "zero-insertion"
        if is_zero:
            kinds, kernel = _zero_kinds(e), e.zero_insertion.kernel
            grid_title = "zero-inserted, padded x"
            kernel_title = "flipped kernel"
        else:
            kinds, kernel = _kinds(e.is_padding, "padding"), e.weight
            grid_title, kernel_title = "padded input", "kernel w"
        output = np.full(e.output.shape, np.nan)
        for s in self.steps[:done]:
            output[s.index] = s.value
        if final:
            output = e.output
        products = step.contribution if step else np.full(kernel.shape, np.nan)
        panels = [
            Panel(self.key("grid"), grid_title, grid, kinds,
                  highlight=_mask(grid.shape, step.positions if step else []),
                  shade=window_mask(grid.shape, step) if step else
                  np.zeros(grid.shape, dtype=bool)),
            Panel(self.key("kernel"), kernel_title, kernel),
            Panel(self.key("products"), "window * kernel", products),
            Panel(self.key("output"), "output y", output, _output_kinds(e),
                  highlight=_mask(e.output.shape, [step.index] if step else []),
                  filled=~np.isnan(output)),
        ]
        method = ("zero insertion: the flipped kernel slides with stride 1"
                  if is_zero else "sliding window over the padded input")
        if final:
            caption = f"done ({method}): the output"
        elif step is None:
            caption = f"{method} ({len(self.steps)} windows)"
        else:
            caption = (f"window {done}/{len(self.steps)}: y[{_flat(step.index)}] = "
                       f"sum of products = {number(step.value)}")
        return panels, output, caption


def animate(explanation: Explanation, path, *, view: str = "scatter", fps: float = 2,
            progress: Callable[[int, int], None] | None = None,
            force: bool = False) -> Animation:
    """Write an animation of one op, step by step, as a GIF (or MP4 with ffmpeg).

    Parameters
    ----------
    explanation : Explanation
        From :func:`tconv.explain`.
    path : str or path-like
        Ends in ``.gif`` (Pillow) or ``.mp4`` (needs ``ffmpeg`` on PATH, or the
        ``imageio-ffmpeg`` package).
    view : {"scatter", "zero-insertion", "both"}
        ``conv_transpose``: the kernel copies landing in the full output
        (``"scatter"``), the flipped kernel sliding with stride 1 over the
        zero-inserted padded input (``"zero-insertion"``), or both, one above
        the other. ``conv``: only ``"scatter"``, which shows its sliding window
        over the padded input.
    fps : float
        Frames per second (0.1 to 30).
    progress : callable, optional
        Called as ``progress(frame, frames)`` after each frame is drawn.
    force : bool
        Replace ``path`` if it exists (otherwise an existing file is an
        error). The file is written to a temporary name and renamed into
        place when complete.

    Returns
    -------
    Animation
        ``frames`` (see :func:`frame_count`), ``size``, and per frame the
        values of the result grid of each view; the last frame shows the output.

    Raises
    ------
    ValueError
        A path not ending in .gif or .mp4; .mp4 without ffmpeg; a bad
        ``view`` or ``fps``; more than 400 frames; ``path`` exists and
        ``force`` is false, or its folder does not exist
        (``tconv._files.OutputError``).
    ImportError
        matplotlib or Pillow is missing (``pip install 'tconv[viz]'``).

    Notes
    -----
    Frames: one setup frame (operands, empty output), one per step, one final
    frame (the cropped output): ``frame_count(explanation, view)`` in all.

    Examples
    --------
    >>> import os, tempfile, tconv
    >>> from tconv._draw import animate
    >>> e = tconv.explain([1, 2], [1, 10], stride=2)
    >>> movie = animate(e, os.path.join(tempfile.mkdtemp(), "e.gif"))
    >>> movie.frames
    4
    >>> movie.values[-1][0]
    array([ 1., 10.,  2., 20.])
    """
    from . import _args

    name = "animate"
    _check_explanation(name, explanation)
    _check_view(explanation, view)
    if isinstance(fps, bool) or not isinstance(fps, (int, float)):
        message = f"{name}: fps={fps!r} must be a number of frames per second (0.1 to 30)"
        raise TypeError(message)
    if not 0.1 <= fps <= 30:
        message = f"{name}: fps={fps!r} must be between 0.1 and 30 frames per second"
        raise ValueError(message)
    path = os.fspath(path)
    extension = os.path.splitext(path)[1].lower()
    _args.choice(name, "the extension of path", extension, FORMATS)
    ffmpeg = ffmpeg_path() if extension == ".mp4" else None
    if extension == ".mp4" and ffmpeg is None:
        message = (f"{name}: path={path!r}: writing .mp4 needs ffmpeg, which is not on "
                   "PATH; install ffmpeg (e.g. apt install ffmpeg, or pip install "
                   "imageio-ffmpeg) or write a .gif")
        raise ValueError(message)
    total = frame_count(explanation, view)
    if total > MAX_FRAMES:
        message = (f"{name}: {total} frames (view={view!r}: setup, "
                   f"{total - 2} steps, final) is too many; at most {MAX_FRAMES}: use a "
                   "smaller input or kernel")
        raise ValueError(message)
    require_viz(name)
    views = [_Frames(explanation, kind if explanation.plan.is_transposed else "window",
                     "" if i == 0 else ":" + kind)
             for i, (kind, _) in enumerate(_views(explanation, view))]
    steps = total - 2
    rows = [v.panels(0, steps)[0] for v in views]
    layout = Layout.squarest(rows, caption_lines=2 + len(views))
    pixels = layout.cell_pixels()
    figure, ax = new_figure(layout.width, layout.height, pixels)
    header = _header(explanation)
    # One font size for every frame, so numbers don't change size as sums grow.
    fontsize = cell_fontsize(_longestnumber(explanation))
    values, texts = [], {}

    def frames():
        nonlocal texts
        for frame in range(total):
            ax.clear()
            drawn = [v.panels(frame, steps) for v in views]
            for panels, _, _ in drawn:
                for panel in panels:
                    panel.fontsize = fontsize
            texts = layout.draw(ax, header + [caption for _, _, caption in drawn],
                                [panel for panels, _, _ in drawn for panel in panels])
            values.append(tuple(v for _, v, _ in drawn))
            figure.canvas.draw()
            if progress is not None:
                progress(frame + 1, total)
            yield frame

    durations = frame_durations(total, fps)
    with atomic_output(path, force=force, flag="path") as temporary:
        if extension == ".gif":
            _write_gif(figure, frames(), os.fspath(temporary), durations)
        else:
            _write_mp4(figure, frames(), os.fspath(temporary), fps, pixels, ffmpeg,
                       durations)
    return Animation(path, total, figure.canvas.get_width_height(), tuple(values), figure,
                     texts, durations)


def frame_durations(frames: int, fps: float) -> tuple[int, ...]:
    """Milliseconds per frame: ``1000 / fps``, the last held for HOLD_SECONDS.

    >>> frame_durations(3, 2)
    (500, 500, 3000)
    """
    step = round(1000 / fps)
    return (step,) * (frames - 1) + (max(step, round(1000 * HOLD_SECONDS)),)


def _longestnumber(e: Explanation) -> int:
    """Characters of the longest number any frame of ``e`` shows."""
    arrays = [e.x, e.weight, e.full, e.output]
    for step in e.steps + (e.zero_insertion.windows if e.zero_insertion else ()):
        arrays += [step.contribution, np.array([step.value])]
        if step.running is not None:
            arrays.append(step.running)
    if e.zero_insertion is not None:
        arrays.append(e.zero_insertion.input)
    return max(len(number(v)) for array in arrays for v in np.ravel(array))


def _write_gif(figure, frames, path: str, durations) -> None:
    from PIL import Image

    def images():
        for _ in frames:
            rgba = np.asarray(figure.canvas.buffer_rgba())
            # An adaptive palette per frame keeps the file small and the colours true.
            yield Image.fromarray(rgba[..., :3]).quantize(
                colors=64, method=Image.Quantize.FASTOCTREE)

    sequence = images()
    first = next(sequence)
    first.save(path, format="GIF", save_all=True, append_images=sequence,
               duration=list(durations), loop=0)


def ffmpeg_path() -> str | None:
    """The ffmpeg program: the one on PATH, else imageio-ffmpeg's, else None."""
    found = shutil.which("ffmpeg")
    if found is not None:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # the package without a usable binary for this platform
        return None


def _write_mp4(figure, frames, path: str, fps: float, dpi: int, ffmpeg: str,
               durations) -> None:
    import matplotlib
    from matplotlib.animation import FFMpegWriter

    writer = FFMpegWriter(fps=fps)
    # A video has one frame rate: the last frame is held by repeating it.
    repeats = max(round(durations[-1] / durations[0]), 1)
    with matplotlib.rc_context({"animation.ffmpeg_path": ffmpeg}), \
            writer.saving(figure, path, dpi):
        for _ in frames:
            writer.grab_frame()
        for _ in range(repeats - 1):
            writer.grab_frame()
