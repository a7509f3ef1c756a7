"""Figures for learners: a gallery of configurations, and sub-pixel convolution.

:func:`draw_gallery` draws the classic transposed-convolution configurations
(no, half and full padding; strides; output_padding; dilation; an even
kernel) as tconv computes them: for each, the zero-inserted, padded input with
the window of the first output shaded, beside the output. Every number is read
from :func:`tconv.explain` of a ramp input and a kernel of ones.

:func:`draw_subpixel` explains sub-pixel convolution (a convolution to
``C*r*r`` channels, then :func:`tconv.pixel_shuffle`) and why ICNR
initialisation removes its checkerboard: computed with :func:`tconv.conv`
and :func:`tconv.pixel_shuffle` on a smooth image.

Both write through ``tconv._files.atomic_output`` and need matplotlib.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ._conv import conv
from ._draw import Layout, Panel, new_figure, require_viz, window_mask
from ._explain import Explanation, explain
from ._files import atomic_output
from ._upsample import pixel_shuffle

__all__ = ["GALLERY", "Gallery", "GalleryEntry", "draw_gallery", "draw_subpixel", "icnr_weight",
           "subpixel_outputs"]

# (name, input size per axis, conv_transpose keyword arguments), in the order
# of the classic tutorials: padding first, then stride, then the rest.
GALLERY = (
    ("no padding, unit stride", 2, {"kernel_size": 3}),
    ("half padding, unit stride", 4, {"kernel_size": 3, "padding": 1}),
    ("full padding, unit stride", 5, {"kernel_size": 3, "padding": 2}),
    ("no padding, stride 2", 2, {"kernel_size": 3, "stride": 2}),
    ("padding 1, stride 2", 3, {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("stride 2, output_padding 1", 3,
     {"kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}),
    ("dilation 2", 2, {"kernel_size": 3, "dilation": 2}),
    ("kernel 4, stride 2, padding 1", 2, {"kernel_size": 4, "stride": 2, "padding": 1}),
)
PER_ROW = 3


@dataclass(frozen=True, eq=False)
class GalleryEntry:
    """One configuration of the gallery and its explanation.

    ``arguments`` are :func:`tconv.conv_transpose`'s keyword arguments (with
    the kernel size); ``x`` is ``1..n*n`` row by row and the kernel is ones.
    """

    name: str
    arguments: dict
    explanation: Explanation


def gallery_entries() -> list[GalleryEntry]:
    """The :data:`GALLERY` configurations, explained (2-D, ramp input, kernel of ones)."""
    entries = []
    for name, n, config in GALLERY:
        arguments = dict(config)
        k = arguments.pop("kernel_size")
        x = np.arange(1.0, n * n + 1).reshape(n, n)
        e = explain(x, np.ones((k, k)), **arguments)
        entries.append(GalleryEntry(name, config, e))
    return entries


def _describe(entry: GalleryEntry) -> str:
    plan = entry.explanation.plan
    parts = [f"k{plan.kernel_size[0]}", f"s{plan.stride[0]}", f"p{plan.pads[0][0]}"]
    if plan.output_padding[0]:
        parts.append(f"op{plan.output_padding[0]}")
    if plan.dilation[0] > 1:
        parts.append(f"d{plan.dilation[0]}")
    n, out = plan.in_size[0], plan.out_size[0]
    return f"{n}x{n} -> {out}x{out}, " + " ".join(parts)


@dataclass(frozen=True, eq=False)
class Gallery:
    """What :func:`draw_gallery` wrote.

    ``entries`` are the configurations; ``texts`` maps ``"grid{i}"`` and
    ``"output{i}"`` to the text artists of entry ``i``'s numbers.
    """

    path: str
    size: tuple[int, int]
    entries: list
    texts: dict


def draw_gallery(path, *, force: bool = False) -> Gallery:
    """Draw the gallery of :data:`GALLERY` configurations into a PNG.

    For each configuration (2-D, input ``1..n*n``, a kernel of ones): the
    zero-inserted, padded input that the flipped kernel slides over with
    stride 1, the window of output ``y[0,0]`` shaded (its taps outlined in
    orange), and the output.

    Parameters
    ----------
    path : str or path-like
        The PNG to write.
    force : bool
        Replace ``path`` if it exists; otherwise that is an error.

    Returns
    -------
    Gallery
        ``entries``: the configurations drawn, each with its
        :class:`tconv.Explanation` (``entry.explanation.output`` is the
        output drawn); ``texts``: the numbers' text artists per panel.

    Raises
    ------
    ValueError
        ``path`` exists and ``force`` is false, or its folder is missing
        (``tconv._files.OutputError``).
    ImportError
        matplotlib or Pillow is missing (``pip install 'tconv[viz]'``).

    Examples
    --------
    >>> import os, tempfile
    >>> from tconv._gallery import draw_gallery
    >>> gallery = draw_gallery(os.path.join(tempfile.mkdtemp(), "gallery.png"))
    >>> [e.explanation.output.shape for e in gallery.entries[:3]]
    [(4, 4), (4, 4), (3, 3)]
    """
    require_viz("draw_gallery")
    entries = gallery_entries()
    rows, row = [], []
    for index, entry in enumerate(entries):
        e = entry.explanation
        z = e.zero_insertion
        kinds = np.where(z.is_padding, "padding", "value").astype(object)
        kinds[z.is_inserted] = "inserted"
        row += [Panel(f"grid{index}", f"{entry.name}: {_describe(entry)}", z.input, kinds,
                      shade=window_mask(z.input.shape, z.windows[0]),
                      highlight=z.windows[0].mask(z.input.shape)),
                Panel(f"output{index}", "output", e.output)]
        if len(row) == 2 * PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    layout = Layout(rows, caption_lines=2, max_width=1e9)
    pixels = layout.cell_pixels()
    figure, ax = new_figure(layout.width, layout.height, pixels)
    texts = layout.draw(ax, [
        "Transposed convolutions as tconv computes them: input 1..n*n, kernel of ones",
        ("left: zero-inserted, padded input, window of y[0,0] shaded, taps in orange; "
         "right: output")])
    with atomic_output(path, force=force, flag="path") as temporary:
        figure.savefig(temporary, format="png", dpi=pixels)
    return Gallery(os.fspath(path), figure.canvas.get_width_height(), entries, texts)


# --------------------------------------------------------------------------
# Sub-pixel convolution and ICNR


def icnr_weight(weight: np.ndarray, r: int) -> np.ndarray:
    """ICNR: each output channel's kernel repeated for its ``r*r`` sub-pixel phases.

    ``weight`` is ``(C, C_in, k, k)``; the result ``(C*r*r, C_in, k, k)``
    feeds :func:`tconv.pixel_shuffle`, which spreads channels ``c*r*r + q``
    over one ``r x r`` block: equal kernels there make the block uniform.

    >>> icnr_weight(np.arange(2.0).reshape(2, 1, 1, 1), 2)[:, 0, 0, 0]
    array([0., 0., 0., 0., 1., 1., 1., 1.])
    """
    return np.repeat(np.asarray(weight, dtype=np.float64), r * r, axis=0)


def subpixel_outputs(image: np.ndarray, r: int = 2, k: int = 3, seed: int = 0) -> dict:
    """A sub-pixel convolution of ``image`` (2-D) with a random and an ICNR kernel.

    Returns a dict of 2-D arrays: ``"random"`` and ``"icnr"`` (the
    up-sampled image, ``r`` times larger), ``"random_flat"`` and
    ``"icnr_flat"`` (the same layers on a constant image: any variation is a
    checkerboard), and ``"phases"``: for every output pixel, the channel of
    the convolution it comes from.
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(image, dtype=np.float64)[None, None]
    # A smoothing kernel plus noise, so both layers start as plausible filters.
    base = np.full((1, 1, k, k), 1.0 / (k * k))
    random = np.concatenate([base + rng.normal(0, 0.08, base.shape)
                             for _ in range(r * r)])
    icnr = icnr_weight(base + rng.normal(0, 0.08, base.shape), r)
    flat = np.ones_like(x)
    result = {}
    for name, weight in (("random", random), ("icnr", icnr)):
        result[name] = pixel_shuffle(conv(x, weight, padding=k // 2), r)[0, 0]
        result[name + "_flat"] = pixel_shuffle(conv(flat, weight, padding=k // 2), r)[0, 0]
    channels = np.arange(r * r, dtype=np.float64)[None, :, None, None]
    result["phases"] = pixel_shuffle(np.broadcast_to(channels, (1, r * r, 2, 2)), r)[0, 0]
    return result


def draw_subpixel(path, image=None, *, force: bool = False) -> dict:
    """Draw sub-pixel convolution: the phase map, random versus ICNR initialisation.

    Top: which of the ``r*r = 4`` convolution channels every output pixel of
    :func:`tconv.pixel_shuffle` comes from. Bottom: a sub-pixel layer with
    four independent random 3x3 kernels and the same layer with ICNR (one
    kernel repeated), on a smooth image and on a constant image, each pair
    on one colour scale.

    Parameters
    ----------
    path : str or path-like
        The PNG to write.
    image : array_like, optional
        2-D smooth image; default 32x32 smooth waves, ``0.5 + 0.35 sin cos``.
    force : bool
        Replace ``path`` if it exists; otherwise that is an error.

    Returns
    -------
    dict
        :func:`subpixel_outputs` of the image.
    """
    require_viz("draw_subpixel")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if image is None:
        rows, cols = np.mgrid[0:32, 0:32]
        image = 0.5 + 0.35 * np.sin(rows / 6.0) * np.cos(cols / 8.0)
    outputs = subpixel_outputs(image)
    figure = Figure(figsize=(11.0, 6.4), dpi=100)
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 4, height_ratios=(1, 1.25), hspace=0.3, wspace=0.25,
                               left=0.03, right=0.97, top=0.88, bottom=0.03)
    figure.suptitle("Sub-pixel convolution: conv to C*r*r channels, then pixel_shuffle "
                    "(r = 2)", fontsize=14)
    phase_axes = figure.add_subplot(grid[0, 0:2])
    colours = np.array([[0.85, 0.37, 0.01], [0.46, 0.44, 0.70], [0.11, 0.62, 0.47],
                        [0.90, 0.67, 0.0]])
    phases = outputs["phases"].astype(int)
    phase_axes.imshow(colours[phases], interpolation="nearest")
    for (i, j), channel in np.ndenumerate(phases):
        phase_axes.text(j, i, f"ch {channel}", ha="center", va="center", fontsize=10,
                        color="white")
    phase_axes.set_title("each 2x2 block takes one pixel from each of 4 channels",
                         fontsize=11)
    phase_axes.set_xticks([])
    phase_axes.set_yticks([])
    note = figure.add_subplot(grid[0, 2:4])
    note.set_axis_off()
    note.text(0.0, 0.5,
              "Four channels, four kernels: each output phase\n"
              "(position in its 2x2 block) has its own kernel.\n"
              "Random kernels differ, so a flat input gives\n"
              "a 2x2 pattern: a checkerboard.\n\n"
              "ICNR repeats one kernel for the four channels:\n"
              "at initialisation the layer is a convolution\n"
              "followed by nearest up-sampling, and flat stays flat.",
              fontsize=11, va="center", ha="left")
    panels = [("random", "random init: smooth image"), ("icnr", "ICNR init: smooth image"),
              ("random_flat", "random init: constant image"),
              ("icnr_flat", "ICNR init: constant image")]
    for column, (key, title) in enumerate(panels):
        axes = figure.add_subplot(grid[1, column])
        pair = [outputs[key], outputs[key.replace("random", "icnr") if "random" in key
                                      else key.replace("icnr", "random")]]
        low, high = min(p.min() for p in pair), max(p.max() for p in pair)
        if "flat" in key and high - low < 1e-12:
            low, high = low - 0.5, high + 0.5
        axes.imshow(outputs[key], cmap="gray", vmin=low, vmax=high, interpolation="nearest")
        spread = float(np.ptp(outputs[key][2:-2, 2:-2])) if "flat" in key else None
        axes.set_title(title + (f"\ninterior spread {spread:.3f}" if spread is not None
                                else "\n"), fontsize=10)
        axes.set_xticks([])
        axes.set_yticks([])
    with atomic_output(os.fspath(path), force=force, flag="path") as temporary:
        figure.savefig(temporary)
    return outputs
