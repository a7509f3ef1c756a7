"""``tconv tour``: a self-contained HTML walk through up-sampling, with real outputs.

:func:`write_tour` writes ``index.html`` and the PNG/GIF files it shows into
one directory. Links are relative file names only; there is no script, no
external style sheet, font or image, so the page opens in a browser offline.
Every number and picture is computed by tconv while the page is written:

1. why decoders up-sample (encoder and decoder sizes);
2. the fixed up-samplers on the sample image (nearest, bilinear, bicubic,
   bed of nails, transposed convolutions with fixed kernels, max-unpooling);
3. transposed convolution as scattering kernel copies;
4. the convolution matrix ``C`` and its transpose;
5. zero insertion then a stride-1 convolution gives the same numbers, and a
   gallery of the classic configurations;
6. "valid" versus "same" output sizes, per framework;
7. checkerboard artifacts (coverage heatmaps) and their fixes, sub-pixel
   convolution with ICNR among them.

Needs matplotlib and Pillow (the ``viz`` extra).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np

from . import images, keras, onnx
from ._checkerboard import checkerboard, integer_ticks
from ._conv import conv_output_shape, conv_transpose, conv_transpose_output_shape
from ._draw import WINDOW, WINDOW_ALPHA, animate, draw_explanation, window_mask
from ._draw_matrix import draw_grid, draw_matrix, number
from ._explain import explain
from ._files import atomic_output, check_output
from ._fonts import draw_label
from ._gallery import draw_gallery, draw_subpixel
from ._geometry import resolve_conv_transpose, zero_inserted_size
from ._pool import max_pool, max_unpool

DPI = 160  # the figures are drawn in inches and points: 7 pt is 15 px here

# Section 1: a small encoder-decoder, one axis.
ENCODER = {"kernel_size": 3, "stride": 2, "padding": 1}
DECODER = {"kernel_size": 4, "stride": 2, "padding": 1}
IMAGE_SIZE = 64
DEPTH = 3

# The classic 2x2 example of the scatter and matrix sections.
CLASSIC_X = np.array([[55.0, 52.0], [57.0, 50.0]])
CLASSIC_W = np.array([[1.0, 2.0], [2.0, 1.0]])

# Section 3, 2-D stride 2 (the README's example).
STRIDE2_X = np.array([[1.0, 2.0], [3.0, 4.0]])
STRIDE2_W = np.arange(1.0, 10.0).reshape(3, 3)

# Section 5: zero insertion, 1-D.
ZERO_X = np.array([1.0, 2.0, 3.0])
ZERO_W = np.array([1.0, 10.0, 100.0])
ZERO_STRIDE, ZERO_PADDING = 2, 1

# Section 6: the sizes table, kernel 3, stride 2.
SIZES_KERNEL, SIZES_STRIDE = 3, 2
SIZES_INPUTS = (4, 5)

# Section 7: (file stem, label, checkerboard kwargs).
CHECKERBOARDS = (
    ("checkerboard_k3s2", "kernel 3, stride 2", {"kernel_size": 3, "stride": 2}),
    ("checkerboard_k4s2", "kernel 4, stride 2", {"kernel_size": 4, "stride": 2}),
    ("checkerboard_resize", "resize-convolution: nearest x2, then a 3x3 stride-1 conv",
     {"kernel_size": 2, "stride": 2,
      "layers": [{}, {"kernel_size": 3, "stride": 1, "padding": 1}]}),
    ("checkerboard_k3s2_x2", "two kernel 3, stride 2 layers stacked",
     {"kernel_size": 3, "stride": 2, "layers": 2}),
)

_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
h1 { font-size: 1.7em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #555; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.8em 0; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _cells_axes(figure, width: float, height: float):
    """One axes over the whole figure in cell units, y pointing down."""
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.set_axis_off()
    return axes


def _save(picture, path: Path, force: bool) -> None:
    """Write a matplotlib figure or a Pillow image through ``atomic_output``."""
    with atomic_output(path, force=force, flag="tour directory") as temporary:
        if hasattr(picture, "savefig"):
            picture.savefig(temporary)
        else:
            picture.save(temporary)


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def _img(name: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{html.escape(name)}" alt="{html.escape(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _table(header: list[str], rows: list[list[str]], table_id: str) -> str:
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def _code(values) -> str:
    """``[1, 2]`` or, for 2-D, ``[[1, 2], [3, 4]]``, in a code element."""
    def text(array):
        if array.ndim == 1:
            return "[" + ", ".join(number(v) for v in array) + "]"
        return "[" + ", ".join(text(row) for row in array) + "]"

    return f"<code>{text(np.asarray(values))}</code>"


# --------------------------------------------------------------------------- 1. sizes

def _encoder_decoder(directory: Path, force: bool) -> str:
    sizes = [IMAGE_SIZE]
    for _ in range(DEPTH):
        sizes.append(conv_output_shape(sizes[-1], ENCODER["kernel_size"],
                                       stride=ENCODER["stride"],
                                       padding=ENCODER["padding"])[0])
    up = [sizes[-1]]
    for _ in range(DEPTH):
        up.append(conv_transpose_output_shape(up[-1], DECODER["kernel_size"],
                                              stride=DECODER["stride"],
                                              padding=DECODER["padding"])[0])
    chain = sizes + up[1:]
    sides = [1.5 * size / IMAGE_SIZE for size in chain]
    width = 0.5 + sum(sides) + 0.3 * (len(chain) - 1)
    figure = _figure(width, 2.1)
    axes = _cells_axes(figure, width, 2.1)
    from matplotlib.patches import Rectangle

    left = 0.25
    for index, (size, side) in enumerate(zip(chain, sides)):
        colour = "#8fb3e6" if index <= DEPTH else "#93cf9f"
        axes.add_patch(Rectangle((left, 1.05 - side / 2), side, side, facecolor=colour,
                                 edgecolor="#555"))
        axes.text(left + side / 2, 1.05 + side / 2 + 0.08, f"{size}x{size}", ha="center",
                  va="top", fontsize=7)
        left += side + 0.3
    axes.text(0.25, 0.08, "encoder: conv k3 s2 p1", fontsize=8, va="top", color="#2a5db0")
    axes.text(width - 0.25, 0.08, "decoder: conv_transpose k4 s2 p1", fontsize=8, va="top",
              ha="right", color="#22803a")
    _save(figure, directory / "sizes.png", force)
    rows = [["encoder (tconv.conv_output_shape)", " &rarr; ".join(map(str, sizes))],
            ["decoder (tconv.conv_transpose_output_shape)", " &rarr; ".join(map(str, up))]]
    return "\n".join([
        "<h2>1. Why up-sample?</h2>",
        _p("Encoders shrink: each strided convolution keeps one window in two per "
           "axis. Segmentation nets, autoencoders, GANs and super-resolution nets then "
           "have to grow the small maps back to the image's size. Here "
           f"<code>tconv.conv_output_shape</code> and "
           f"<code>tconv.conv_transpose_output_shape</code> follow a "
           f"{IMAGE_SIZE}x{IMAGE_SIZE} image down {DEPTH} convolutions (kernel 3, "
           "stride 2, padding 1) and back up the same number of transposed "
           "convolutions (kernel 4, stride 2, padding 1):"),
        _table(["path", "sizes per axis"], rows, "sizes-chain"),
        _img("sizes.png", "encoder and decoder feature map sizes",
             "Feature map sizes down the encoder (blue) and up the decoder (green)."),
    ])


# --------------------------------------------------------------------------- 2. images

def _rgb(values):
    """Pillow RGB image of ``(3, H, W)`` values (clamped and rounded as stored)."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(images.to_stored(values, "RGB")
                                                .transpose(1, 2, 0)))


def _unpooling(directory: Path, values, force: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
    from PIL import Image, ImageDraw

    x, y, width, height = images.central_crop(values.shape[1:])
    crop = values[:, y:y + height, x:x + width]
    factor = 4
    pooled, indices = max_pool(crop[None], (factor, factor), return_indices=True)
    unpooled = max_unpool(pooled, indices, (factor, factor))[0]
    pooled = pooled[0]
    shown = images.upsample(pooled, "nearest", factor)
    nails = images.upsample(pooled, "bed-of-nails", factor)
    tiles = [("crop", crop), (f"max_pool {factor}x{factor}", shown),
             ("max_unpool", unpooled), ("bed of nails", nails)]
    scale, gap, label = 3, 8, 16
    tile = width * scale
    sheet = Image.new("RGB", (len(tiles) * (tile + gap) + gap, tile + label + 2 * gap),
                      (240, 240, 240))
    draw = ImageDraw.Draw(sheet)
    for index, (title, part) in enumerate(tiles):
        left = gap + index * (tile + gap)
        draw_label(draw, (left, gap + label - 3), title, pixels=14, anchor="ls")
        image = _rgb(part).resize((tile, tile), Image.NEAREST)
        sheet.paste(image, (left, gap + label))
    _save(sheet, directory / "unpooling.png", force)
    return tuple(crop.shape), tuple(pooled.shape)


def _upsamplers(directory: Path, force: bool) -> str:
    values, mode = images.read_image()
    scale = 4
    crop = (32, 32, 32, 32)
    sheet = images.montage(values, mode, scale, crop=crop, name=images.SAMPLE)
    _save(sheet, directory / "upsamplers.png", force)
    crop_shape, pooled_shape = _unpooling(directory, values, force)
    return "\n".join([
        "<h2>2. Fixed up-samplers on a real image</h2>",
        _p("The simplest way up has no weights at all. Below, a "
           f"{crop[2]}x{crop[3]} crop of tconv's sample image (RGB "
           f"{values.shape[2]}x{values.shape[1]}) is enlarged {scale} times by "
           "<code>tconv.interpolate</code> (nearest, nearest-exact, "
           "bilinear, bicubic: the same numbers as PyTorch), "
           "<code>tconv.bed_of_nails</code> (each value at the corner of its block, "
           "zeros elsewhere) and the transposed convolutions with the fixed kernels of "
           "<code>tconv.upsampling_kernel</code>. Nearest shows blocks, bilinear blurs, "
           "bicubic is sharper but rings at hard edges, bed of nails is a grid of dots."),
        _img("upsamplers.png", "montage of the up-sampling methods",
             "<code>tconv compare</code>'s montage: the input with the crop in red, then "
             "every method."),
        _p("Max-unpooling is the partner of max pooling: <code>tconv.max_pool</code> "
           "keeps the largest value of each window and, with "
           "<code>return_indices=True</code>, where it was; "
           "<code>tconv.max_unpool</code> puts each value back at that place and zeros "
           f"elsewhere. Here the central {crop_shape[2]}x{crop_shape[1]} crop is pooled "
           f"to {pooled_shape[2]}x{pooled_shape[1]} and unpooled again: unlike bed of "
           "nails, the dots sit where the maxima were."),
        _img("unpooling.png", "max pooling and max unpooling",
             "The crop, max-pooled (shown enlarged 4 times), max-unpooled, and bed of "
             "nails of the same pooled values."),
    ])


# --------------------------------------------------------------------------- 3. scatter

def _scatter_figure(path: Path, force: bool) -> np.ndarray:
    """One panel per input value (its kernel copy in the output), then the sum."""
    result = conv_transpose(CLASSIC_X[None], CLASSIC_W[None, None])[0]
    out_h, out_w = result.shape
    panels = []
    for (i, j), value in np.ndenumerate(CLASSIC_X):
        alone = np.zeros_like(CLASSIC_X)
        alone[i, j] = value
        copy = conv_transpose(alone[None], CLASSIC_W[None, None])[0]
        panels.append((f"x[{i},{j}] = {number(value)} times w", copy))
    panels.append(("sum: y", result))
    panel_w = out_w + 1.2
    width, height = len(panels) * panel_w + 0.4, out_h + 1.6
    cell = 0.42
    figure = _figure(width * cell, height * cell)
    axes = _cells_axes(figure, width, height)
    for index, (title, values) in enumerate(panels):
        left = 0.6 + index * panel_w
        colour = (0.20, 0.63, 0.33) if index == len(panels) - 1 else (0.24, 0.47, 0.85)
        draw_grid(axes, values, left, 1.2, colour=colour, has_numbers=True, fontsize=7)
        axes.text(left + out_w / 2, 0.9, title, ha="center", va="bottom", fontsize=6)
        if index < len(panels) - 1:
            sign = "=" if index == len(panels) - 2 else "+"
            axes.text(left + out_w + 0.6, 1.2 + out_h / 2, sign, ha="center",
                      va="center", fontsize=10)
    _save(figure, path, force)
    return result


def _scatter(directory: Path, force: bool) -> str:
    result = _scatter_figure(directory / "scatter.png", force)
    explanation = explain(CLASSIC_X, CLASSIC_W)
    draw_explanation(explanation, directory / "explain.png", force=force)
    movie = animate(explanation, directory / "scatter.gif", fps=1, force=force)
    stride2 = explain(STRIDE2_X, STRIDE2_W, stride=2, padding=1, output_padding=1)
    stride2_movie = animate(stride2, directory / "scatter_stride2.gif", fps=1, force=force)
    return "\n".join([
        "<h2>3. Transposed convolution: scattering kernel copies</h2>",
        _p("A transposed convolution has weights that are learned, and a simple "
           "recipe: every input value multiplies the whole kernel, the copy lands in the "
           "output at the input's position times the stride, and overlapping copies "
           f"add up. The classic example: input {_code(CLASSIC_X)}, "
           f"kernel {_code(CLASSIC_W)}, stride 1, gives "
           f"{_code(result)} (<code>tconv.conv_transpose</code>)."),
        _img("scatter.png", "the scatter steps of a transposed convolution",
             "Each input value times the kernel, placed at its own position, and the "
             "sum: the output. <code>tconv explain</code> prints the same steps."),
        _img("scatter.gif", "animation of the scatter steps",
             f"The same, frame by frame ({movie.frames} frames): each kernel copy lands "
             "and the output accumulates (<code>tconv animate</code>)."),
        _img("explain.png", "input, kernel, full output and output",
             "<code>tconv explain --png</code>: the operands, the full output, the "
             "output, and the zero-insertion view of section 5."),
        _p("Stride 2 is where up-sampling happens: the kernel copies land two cells "
           f"apart and overlap only on their edges. Input {_code(STRIDE2_X)}, kernel "
           f"{_code(STRIDE2_W)}, stride 2, padding 1, output_padding 1 gives the "
           f"{stride2.output.shape[0]}x{stride2.output.shape[1]} output "
           f"{_code(stride2.output)}; the full output's first row and column are "
           "cropped by the padding, and output_padding adds back the last ones."),
        _img("scatter_stride2.gif", "animation of a 2-D stride-2 transposed convolution",
             f"{stride2_movie.frames} frames, the last one held: <code>tconv animate "
             "--input \"1,2;3,4\" --kernel \"1,2,3;4,5,6;7,8,9\" --stride 2 --padding 1 "
             "--output-padding 1</code>."),
    ])


# --------------------------------------------------------------------------- 4. matrix

def _matrix(directory: Path, force: bool) -> str:
    transposed = draw_matrix(CLASSIC_X, CLASSIC_W, directory / "matrix_transpose.png",
                             force=force)
    x_conv = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    w_1d = np.array([1.0, 2.0, 3.0])
    forward = draw_matrix(x_conv, w_1d, directory / "matrix_conv.png", op="conv", stride=2,
                          force=force)
    back = draw_matrix(forward.y, w_1d, directory / "matrix_conv_transpose.png", stride=2,
                       force=force)
    same = np.array_equal(back.matrix, forward.matrix.T)
    return "\n".join([
        "<h2>4. The convolution matrix and its transpose</h2>",
        _p("A convolution is linear, so it is a matrix <code>C</code> times the "
           "flattened input: <code>tconv.conv_matrix</code> builds it. The transposed "
           "convolution with the same kernel, stride, padding and dilation multiplies by "
           "<code>C^T</code>, hence the name. Here a 1-D convolution (kernel "
           f"{_code(w_1d)}, stride 2) maps 5 inputs to {len(forward.y)}, and the "
           f"transposed convolution maps {len(forward.y)} values back to "
           f"{len(back.y)}: its matrix is the transpose of the first one "
           f"(checked: {'equal' if same else 'NOT equal'})."),
        _img("matrix_conv.png", "y = C x for a strided convolution",
             "<code>tconv matrix --op conv --rank 1 --input 1,2,3,4,5 --kernel 1,2,3 "
             "--stride 2 --png ...</code>"),
        _img("matrix_conv_transpose.png", "y = C^T x for the transposed convolution",
             "The transposed convolution of that output: the same numbers, rows and "
             "columns swapped."),
        _p("The 2-D classic example as a product: every column of <code>C^T</code> is "
           "the kernel pasted at one input's place in the 3x3 output, flattened "
           f"(the output, flattened: {_code(transposed.y)})."),
        _img("matrix_transpose.png", "y = C^T x for the classic example",
             "<code>tconv matrix --png matrix.png</code>"),
    ])


# --------------------------------------------------------------------------- 5. zeros

def _zero_insertion(directory: Path, force: bool) -> str:
    s, p = ZERO_STRIDE, ZERO_PADDING
    # Every number below is read from the explanation (tconv.explain), which
    # takes the zero-insertion pads from the plan.
    e = explain(ZERO_X, ZERO_W, stride=s, padding=p)
    z = e.zero_insertion
    (edge, _), = z.pads
    inserted = np.zeros(zero_inserted_size(e.plan))
    inserted[::s] = ZERO_X
    padded, flipped = np.asarray(z.input), np.asarray(z.kernel)
    via_zeros = np.array([w.value for w in z.windows])
    direct = np.asarray(e.output)
    equal = np.array_equal(via_zeros, direct)
    window = z.windows[0]
    rows = [("x", ZERO_X, None), (f"x with {s - 1} zero(s) inserted", inserted, None),
            (f"padded by {edge} each side", padded, window_mask(padded.shape, window)),
            ("flipped kernel", flipped, None), ("stride-1 conv", via_zeros, None),
            ("conv_transpose", direct, None)]
    longest = max(len(values) for _, values, _ in rows)
    cell = 0.36
    width, height = longest + 7.0, 1.5 * len(rows) + 0.4
    figure = _figure(width * cell, height * cell)
    axes = _cells_axes(figure, width, height)
    colours = [(0.93, 0.55, 0.15)] * 3 + [(0.24, 0.47, 0.85)] + [(0.20, 0.63, 0.33)] * 2
    for index, ((title, values, shade), colour) in enumerate(zip(rows, colours)):
        top = 0.4 + 1.5 * index
        axes.text(0.3, top + 0.5, title, ha="left", va="center", fontsize=7)
        draw_grid(axes, values[None], 6.5, top, colour=colour, has_numbers=True,
                  fontsize=6, zero_text="0")
        if shade is not None:
            from matplotlib.patches import Rectangle

            first, last = window.positions[0][0], window.positions[-1][0]
            axes.add_patch(Rectangle((6.5 + first, top), last - first + 1, 1,
                                     facecolor=WINDOW, alpha=WINDOW_ALPHA,
                                     edgecolor=WINDOW, linewidth=2))
            axes.text(6.5 + (first + last + 1) / 2, top + 1.15, "window of y[0]",
                      ha="center", va="top", fontsize=6, color=WINDOW)
    _save(figure, directory / "zero_insertion.png", force)
    movie = animate(e, directory / "zero_insertion.gif", view="both", fps=1, force=force)
    gallery = draw_gallery(directory / "gallery.png", force=force).entries
    table = _table(["", "values"], [
        ["conv(zero-inserted, flipped kernel)", _code(via_zeros)],
        ["conv_transpose(x, w, stride=2, padding=1)", _code(direct)],
        ["equal", "yes" if equal else "NO"]], "zero-insertion")
    return "\n".join([
        "<h2>5. Zero insertion: the same thing as a stride-1 convolution</h2>",
        _p(f"Insert <code>stride - 1</code> zeros between the inputs, pad "
           "<code>dilation*(k-1) - padding</code> zeros on each side, and run an "
           "ordinary stride-1 convolution with the kernel flipped: the result is the "
           f"transposed convolution. Input {_code(ZERO_X)}, kernel {_code(ZERO_W)}, "
           f"stride {s}, padding {p} (<code>tconv.conv</code> for the stride-1 "
           "convolution, <code>tconv.conv_transpose</code> for the other):"),
        table,
        _img("zero_insertion.png", "zero insertion then a stride-1 convolution",
             "Most of the multiplications hit inserted zeros: this is why the direct "
             "scatter (or the sub-pixel phases) is faster. "
             "<code>algorithm=\"dilate\"</code> computes it this way."),
        _img("zero_insertion.gif", "scatter and zero insertion side by side",
             f"Both views frame by frame ({movie.frames} frames): kernel copies "
             "scattered into the full output, and the flipped kernel sliding over the "
             "zero-inserted input (<code>tconv animate --view both</code>)."),
        _p("The same view for the configurations every tutorial shows: no, half and "
           "full padding, stride 2, output_padding, dilation and an even kernel. The "
           "input is 1..n*n, the kernel ones, so each output counts (and sums) the "
           "input values its window covers:"),
        _table(["configuration", "input", "output", "zero-insertion pads"],
               [[entry.name, "x".join(map(str, entry.explanation.plan.in_size)),
                 "x".join(map(str, entry.explanation.plan.out_size)),
                 str(entry.explanation.zero_insertion.pads[0])] for entry in gallery],
               "gallery"),
        _img("gallery.png", "gallery of transposed convolution configurations",
             "Each configuration's zero-inserted, padded input (the window of the first "
             "output shaded) and its output (<code>scripts/make_gallery.py</code>)."),
    ])


# --------------------------------------------------------------------------- 6. same

def size_rows() -> list[list]:
    """The sizes table: ``[label, size for each of SIZES_INPUTS]`` per framework rule."""
    k, s = SIZES_KERNEL, SIZES_STRIDE
    rules = [
        ("PyTorch ConvTranspose1d, padding=0", lambda n: conv_transpose_output_shape(
            n, k, stride=s)[0]),
        ("PyTorch ConvTranspose1d, padding=1, output_padding=1",
         lambda n: conv_transpose_output_shape(n, k, stride=s, padding=1,
                                               output_padding=1)[0]),
        ('tconv padding="same"', lambda n: conv_transpose_output_shape(
            n, k, stride=s, padding="same")[0]),
        ('Keras Conv1DTranspose, padding="valid"', lambda n: keras.conv_transpose(
            np.ones((1, 1, n)), np.ones((k, 1, 1)), strides=s, padding="valid",
            data_format="channels_first").shape[-1]),
        ('Keras Conv1DTranspose, padding="same"', lambda n: keras.conv_transpose(
            np.ones((1, 1, n)), np.ones((k, 1, 1)), strides=s, padding="same",
            data_format="channels_first").shape[-1]),
        ("ONNX ConvTranspose, auto_pad=SAME_UPPER", lambda n: onnx.conv_transpose(
            np.ones((1, 1, n)), np.ones((1, 1, k)), strides=[s],
            auto_pad="SAME_UPPER").shape[-1]),
    ]
    return [[label, *(int(rule(n)) for n in SIZES_INPUTS)] for label, rule in rules]


def _strips(path: Path, force: bool) -> None:
    """The full output of a stride-2 transposed convolution, and what "same" keeps."""
    x = np.arange(1.0, SIZES_INPUTS[0] + 1)
    w = np.ones(SIZES_KERNEL)
    full = conv_transpose(x[None], w[None, None], stride=SIZES_STRIDE)[0]
    same = conv_transpose(x[None], w[None, None], stride=SIZES_STRIDE, padding="same")[0]
    plan = resolve_conv_transpose((len(x),), (SIZES_KERNEL,), stride=SIZES_STRIDE,
                                  padding="same")
    (lo, _), = plan.pads
    width, height = len(full) + 5.5, 4.6
    cell = 0.36
    figure = _figure(width * cell, height * cell)
    axes = _cells_axes(figure, width, height)
    axes.text(0.3, 1.0, f'"valid": {len(full)}', va="center", fontsize=8)
    draw_grid(axes, full[None], 5.0, 0.5, colour=(0.24, 0.47, 0.85), has_numbers=True,
              fontsize=7)
    axes.text(0.3, 3.0, f'"same": {len(same)}', va="center", fontsize=8)
    draw_grid(axes, same[None], 5.0 + lo, 2.5, colour=(0.20, 0.63, 0.33),
              has_numbers=True, fontsize=7)
    _save(figure, path, force)


def _valid_same(directory: Path, force: bool) -> str:
    rows = size_rows()
    header = ["rule (kernel 3, stride 2)", *(f"input {n}" for n in SIZES_INPUTS)]
    _strips(directory / "same.png", force)
    return "\n".join([
        "<h2>6. \"valid\" versus \"same\"</h2>",
        _p("How long is the output? PyTorch gives the full length "
           "<code>(n-1)*stride + k</code> minus the padding it crops, plus "
           "<code>output_padding</code>; TensorFlow/Keras \"same\" promises "
           "<code>n*stride</code>, cropping the odd sample at the end; Keras \"valid\" "
           "is <code>(n-1)*stride + max(k, stride)</code>. The sizes below are computed "
           "by <code>tconv.conv_transpose_output_shape</code>, <code>tconv.keras</code> "
           "and <code>tconv.onnx</code> (whose outputs equal the frameworks'):"),
        _table(header, [[label, *map(str, sizes)] for label, *sizes in rows], "sizes"),
        _img("same.png", "valid and same outputs",
             f"Input 1..{SIZES_INPUTS[0]}, kernel of ones, stride {SIZES_STRIDE}: the "
             "full (\"valid\") output and the part \"same\" keeps."),
    ])


# --------------------------------------------------------------------------- 7. checkerboard

COMPARISON = CHECKERBOARDS[:3]


def checkerboard_comparison(path, *, force: bool = False) -> list[float]:
    """Coverage heatmaps of :data:`COMPARISON` side by side; returns their scores.

    The same 2-D input size (6x6) for each and one colour scale for all
    panels (one colour bar with integer ticks: the counts are integers), so
    the pictures compare; the interior is boxed in red. Written through
    ``tconv._files.atomic_output`` (``force`` replaces an existing file).
    """
    figure, results = checkerboard_figure()
    with atomic_output(path, force=force, flag="path") as temporary:
        figure.savefig(temporary)
    return [result.score for result in results]


def checkerboard_figure():
    """``(figure, results)`` of :func:`checkerboard_comparison` (nothing written)."""
    from matplotlib.patches import Rectangle

    results = [checkerboard(**config, in_size=6) for _, _, config in COMPARISON]
    low = min(float(r.coverage.min()) for r in results)
    high = max(float(r.coverage.max()) for r in results)
    figure = _figure(9.6, 3.6)
    panels = figure.subplots(1, len(COMPARISON))
    for axes, result, (_, label, _) in zip(panels, results, COMPARISON):
        shown = axes.imshow(result.coverage, cmap="viridis", interpolation="nearest",
                            vmin=low, vmax=high)
        (top, bottom), (left, right) = result.interior
        axes.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                                 fill=False, edgecolor="red", linewidth=1.5))
        title = label.split(":")[0]
        axes.set_title(f"{title}\nscore {result.score:.3g}", fontsize=10)
        axes.set_xticks([])
        axes.set_yticks([])
    figure.subplots_adjust(left=0.02, right=0.86, top=0.84, bottom=0.04, wspace=0.12)
    bar = figure.colorbar(shown, cax=figure.add_axes((0.885, 0.1, 0.022, 0.68)),
                          ticks=integer_ticks(low, high))
    bar.set_label("coverage (products per output)", fontsize=9)
    return figure, results


def _checkerboard(directory: Path, force: bool) -> str:
    checkerboard_comparison(directory / "checkerboard.png", force=force)
    subpixel = draw_subpixel(directory / "subpixel.png", force=force)
    rows, figures = [], []
    for stem, label, config in CHECKERBOARDS:
        result = checkerboard(**config, in_size=6)
        result.save_heatmap(directory / f"{stem}.png", force=force)
        line = checkerboard(**{**config, "rank": 1})
        rows.append([label, "x".join(map(str, result.period)),
                     " ".join(number(v) for v in line.phases), f"{result.score:.3g}"])
        figures.append(_img(f"{stem}.png", f"coverage heatmap: {label}",
                            f"{label}: coverage, score {result.score:.3g}."))
    verdict = checkerboard(3, 2).verdict
    return "\n".join([
        "<h2>7. Checkerboard artifacts and their fixes</h2>",
        _p("Count how many input-times-tap products land on each output position "
           "(<code>tconv.checkerboard</code>: a transposed convolution of ones with a "
           "kernel of ones). When the stride does not divide the kernel size, "
           "neighbouring outputs get different counts: a grid pattern, the "
           "checkerboard, before any training. Kernel 4 with stride 2 is even; so is "
           "resizing (nearest) and then convolving with stride 1; stacking uneven layers "
           "compounds the pattern. The score is (max - min) / mean over one period, "
           "0 when even."),
        _table(["layer(s)", "period (2-D)", "1-D pattern, one period", "score (2-D)"],
               rows, "checkerboard"),
        _img("checkerboard.png", "coverage of three up-sampling layers side by side",
             "Coverage of a 6x6 input: kernel 3 stride 2 (uneven), kernel 4 stride 2 "
             "(even inside the red box), nearest resize then a 3x3 convolution (even)."),
        _p("Each layer's own heatmap (<code>tconv checkerboard --png</code>):"),
        *figures,
        _p("tconv's verdict for kernel 3, stride 2: "
           + html.escape(" ".join(verdict.split()))),
        _p("Sub-pixel convolution is the other fix: a convolution to <code>C*r*r</code> "
           "channels followed by <code>tconv.pixel_shuffle</code>, which places the "
           "channels side by side in each r x r block. Each block position has its own "
           "kernel, so random kernels print a pattern of period r; ICNR initialisation "
           "(<code>tconv.torch.icnr_</code>) starts all r*r kernels equal and the "
           f"pattern is gone (interior spread on a constant image: random "
           f"{np.ptp(subpixel['random_flat'][2:-2, 2:-2]):.3f}, ICNR "
           f"{np.ptp(subpixel['icnr_flat'][2:-2, 2:-2]):.3f})."),
        _img("subpixel.png", "sub-pixel convolution, random and ICNR initialisation",
             "Top: which channel each output pixel comes from. Bottom: random and ICNR "
             "kernels on a smooth image and on a constant one (each pair on one colour "
             "scale)."),
    ])


# --------------------------------------------------------------------------- the page

SECTIONS = (_encoder_decoder, _upsamplers, _scatter, _matrix, _zero_insertion, _valid_same,
            _checkerboard)

def write_tour(directory, *, force: bool = False) -> Path:
    """Write the tour into ``directory``: ``index.html`` and its pictures.

    Parameters
    ----------
    directory : str or os.PathLike
        Created if missing.
    force : bool
        Replace files of the same names; without it an existing tour file is
        an error (``tconv._files.OutputError``, a ValueError) before anything
        is drawn over it. Every file is written to a temporary name and
        renamed into place when complete.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    ImportError
        matplotlib or Pillow is missing (the ``viz`` extra).
    OSError
        The directory cannot be created or written.
    """
    try:
        import matplotlib  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        message = ("tconv tour needs matplotlib and Pillow: pip install 'tconv[viz]' "
                   "(or pip install matplotlib Pillow)")
        raise ImportError(message) from None
    directory = Path(os.fspath(directory))
    directory.mkdir(parents=True, exist_ok=True)
    index = check_output(directory / "index.html", force=force, flag="tour directory")
    sections = [make(directory, force) for make in SECTIONS]
    page = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>tconv tour: up-sampling and transposed convolution</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>A tour of up-sampling and transposed convolution</h1>",
        _p("Written by <code>tconv tour</code>: every number and picture on this page "
           "was computed by tconv when the page was made. To change the parameters and "
           "watch a transposed convolution run step by step, start the interactive "
           "explorer with <code>tconv explore</code> (install it with "
           "<code>pip install \"tconv[explore]\"</code>); it opens in your browser "
           "and serves everything from your own machine."),
        *sections,
        "</body></html>",
        "",
    ])
    with atomic_output(index, force=force, flag="tour directory") as temporary:
        temporary.write_text(page, encoding="utf-8")
    return index
