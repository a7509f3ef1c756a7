"""Up-sample real images with every fixed method tconv has, and compare them.

The library side of ``tconv upsample`` and ``tconv compare``: read an image
file into a float array, up-sample it with one of :data:`METHODS`, write it
back in its own mode and bit depth, and draw a labelled montage of all the
methods side by side.

Images are arrays of shape ``(C, H, W)`` (channels first, like the ops), in
float64, holding the values as stored in the file: 0..255 for 8-bit modes,
0..65535 for 16-bit grey. Nothing is rescaled to 0..1 and no gamma or colour
management is applied, so a method's output is exactly the op's output on
the stored numbers.

Supported Pillow modes (:data:`MODES`): ``"L"`` (8-bit grey), ``"RGB"``,
``"RGBA"`` (8 bits per channel) and ``"I;16"`` (16-bit grey, e.g. a 16-bit
greyscale PNG). Other modes (``"P"`` palette, ``"CMYK"``, ``"1"``, ``"LA"``,
``"I"``, ``"F"``, ...) are refused with a ``ValueError`` rather than
converted: a conversion would change the mode that the output promises to
keep, and for palette images it would invent a colour space. Convert first,
e.g. ``Image.open(path).convert("RGB").save(...)``.

Pillow is needed for file input and output and for the montage (install the
``viz`` extra: ``pip install "tconv[viz]"``); it is imported only when used.
:func:`upsample` needs NumPy only.
"""

from __future__ import annotations

import importlib.resources
import math
import os
import struct
import warnings
import zlib
from collections.abc import Sequence

import numpy as np

from . import _args, bed_of_nails, conv_transpose, interpolate, upsampling_kernel
from ._fonts import draw_label

METHODS = ("nearest", "nearest-exact", "bilinear", "bicubic", "bed-of-nails", "transposed")
"""Every up-sampling method, as spelled by :func:`upsample` and the CLI."""

INTERPOLATE_METHODS = METHODS[:4]
"""Methods computed by :func:`tconv.interpolate`; any scale >= 1 is accepted."""

KERNELS = ("bilinear", "nearest")
"""Fixed kernels for ``method="transposed"`` (from :func:`tconv.upsampling_kernel`)."""

MODES = ("L", "RGB", "RGBA", "I;16")
"""Pillow modes that are read and written (others are refused)."""

MAX_VALUE = {"L": 255, "RGB": 255, "RGBA": 255, "I;16": 65535}
"""Largest stored value per mode; the smallest is 0."""

_STORED_DTYPE = {"L": np.uint8, "RGB": np.uint8, "RGBA": np.uint8, "I;16": np.uint16}
_CHANNELS = {"L": 1, "RGB": 3, "RGBA": 4, "I;16": 1}

SAMPLE = "sample.png"
"""The sample image shipped in ``tconv/data`` (RGB, 96x96, drawn by
``scripts/make_sample.py``): the default input of the CLI commands."""

# Montage layout, in pixels. Fixed so a montage's size is predictable:
#   width  = 2 * MARGIN + COLUMNS * tile_width + (COLUMNS - 1) * GAP
#   height = 2 * MARGIN + HEADER + rows * (LABEL + tile_height) + (rows - 1) * GAP
# with tile_width = max(crop width * scale, MIN_TILE_WIDTH) and tile_height =
# crop height * scale.
MARGIN, GAP, HEADER, LABEL = 8, 8, 20, 16
LABEL_PIXELS = 14  # TrueType label size (tconv._fonts), fits the LABEL band
COLUMNS = 4
MIN_TILE_WIDTH = 128
MAX_TILE = 1024  # crop size * scale per side; larger tiles are refused
DEFAULT_CROP = 48
_BACKGROUND = (240, 240, 240)
_INK = (0, 0, 0)
_MARK = (230, 0, 0)

# (title, method, kernel) of each method tile in the montage, in order.
MONTAGE_TILES = (
    ("nearest", "nearest", None),
    ("nearest-exact", "nearest-exact", None),
    ("bilinear", "bilinear", None),
    ("bicubic", "bicubic", None),
    ("bed-of-nails", "bed-of-nails", None),
    ("transposed: bilinear", "transposed", "bilinear"),
    ("transposed: nearest", "transposed", "nearest"),
)


def _pillow():
    """``PIL.Image``, or an ImportError that says how to get it."""
    try:
        from PIL import Image
    except ImportError as error:
        message = ("tconv.images needs Pillow for image files and montages; install the "
                   "'viz' extra: pip install \"tconv[viz]\" (or pip install Pillow)")
        raise ImportError(message) from error
    return Image


# --------------------------------------------------------------------------
# Files

def sample_path():
    """The bundled sample image, as an :mod:`importlib.resources` traversable.

    Returns
    -------
    importlib.resources.abc.Traversable
        ``tconv/data/sample.png``; open it with ``.open("rb")`` (it may live
        inside a zip file, so it need not have a file-system path).

    Examples
    --------
    >>> from tconv import images
    >>> images.sample_path().name
    'sample.png'
    """
    return importlib.resources.files("tconv").joinpath("data", SAMPLE)


def read_image(path=None, *, max_pixels: int | None = None) -> tuple[np.ndarray, str]:
    """Read an image file into a float64 ``(C, H, W)`` array of stored values.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The file to read; any format Pillow reads. Default: the bundled
        sample image (:func:`sample_path`).
    max_pixels : int, optional
        Refuse an image with more pixels (width times height), checked from
        the file's header before its pixels are decoded. Default: Pillow's
        own decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``).

    Returns
    -------
    values : numpy.ndarray
        float64, shape ``(C, H, W)`` with C = 1 (``"L"``, ``"I;16"``), 3
        (``"RGB"``) or 4 (``"RGBA"``, alpha last), the values as stored.
    mode : str
        The Pillow mode, one of :data:`MODES`.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    PIL.UnidentifiedImageError
        Pillow cannot read the file as an image.
    ValueError
        The image's mode is not one of :data:`MODES`, it has more than
        ``max_pixels`` pixels, or its data is damaged (the message names
        the path and Pillow's reason).

    Examples
    --------
    >>> from tconv import images
    >>> values, mode = images.read_image()          # the sample image
    >>> values.shape, values.dtype, mode
    ((3, 96, 96), dtype('float64'), 'RGB')
    >>> images.read_image(max_pixels=1000)
    Traceback (most recent call last):
    ...
    ValueError: read_image: path='sample.png' is 96x96 = 9216 pixels; at most
    max_pixels=1000 are read
    """
    image_module = _pillow()
    if path is None:
        with sample_path().open("rb") as file:
            return _decoded(image_module, file, SAMPLE, max_pixels)
    return _decoded(image_module, os.fspath(path), os.fspath(path), max_pixels)


def _decoded(image_module, source, name: str, max_pixels) -> tuple[np.ndarray, str]:
    """Open, check the size from the header, then decode; damage is a ValueError."""
    with warnings.catch_warnings():
        if max_pixels is not None:  # our own limit replaces Pillow's warning
            warnings.simplefilter("ignore", image_module.DecompressionBombWarning)
        try:
            opened = image_module.open(source)
        except image_module.DecompressionBombError as error:
            message = f"read_image: path={name!r} is refused by Pillow's size limit ({error})"
            raise ValueError(message) from None
        with opened as image:
            width, height = image.size
            if max_pixels is not None and width * height > max_pixels:
                message = (f"read_image: path={name!r} is {width}x{height} = "
                           f"{width * height} pixels; at most max_pixels={max_pixels} are read")
                raise ValueError(message)
            try:
                image.load()
            except (OSError, SyntaxError, EOFError, struct.error, zlib.error) as error:
                message = (f"read_image: path={name!r}: its image data is damaged or cut "
                           f"({error})")
                raise ValueError(message) from None
            return _values_of(image, name)


def _values_of(image, name: str) -> tuple[np.ndarray, str]:
    if image.mode not in MODES:
        message = (f"read_image: path={name!r} has mode {image.mode!r}; supported modes are "
                   f"{', '.join(MODES)} (8-bit grey, 8-bit colour with or without alpha, "
                   "16-bit grey). Convert it first, e.g. with Pillow: "
                   "Image.open(path).convert(\"RGB\").save(new_path)")
        raise ValueError(message)
    stored = np.asarray(image)
    values = stored.reshape(stored.shape[:2] + (-1,)).transpose(2, 0, 1)
    return values.astype(np.float64), image.mode


def _mode_check(op: str, mode) -> None:
    if mode not in MODES:
        message = f"{op}: mode={mode!r} is not supported; use one of {', '.join(MODES)}"
        raise ValueError(message)


def to_stored(values, mode: str) -> np.ndarray:
    """Float values -> the integers a ``mode`` image stores: clamp, then round.

    Values are clamped to ``[0, MAX_VALUE[mode]]`` (255, or 65535 for
    ``"I;16"``) and rounded to the nearest integer, halves to even
    (:func:`numpy.rint`: 2.5 -> 2, 3.5 -> 4).

    Parameters
    ----------
    values : array_like
        ``(C, H, W)`` floats.
    mode : str
        One of :data:`MODES`; decides the range and the integer dtype.

    Returns
    -------
    numpy.ndarray
        Same shape, uint8 (8-bit modes) or uint16 (``"I;16"``).

    Notes
    -----
    Of the methods of :func:`upsample`, only bicubic leaves the input's
    range: its kernel has negative lobes, so it overshoots (rings) next to
    sharp edges, below 0 and above the maximum. Those overshoots are cut
    off here, so the file holds a clamped version of the op's output (the
    op itself returns the unclamped values; :func:`count_clamped` counts
    what was cut). Nearest, nearest-exact, bilinear, bed-of-nails and both
    transposed kernels weight the inputs with non-negative taps that sum to
    at most one, so they stay in range up to float rounding noise (such as
    ``255.00000000000003``), which the rounding removes.

    Examples
    --------
    >>> from tconv import images
    >>> images.to_stored([[[-3.0, 2.5, 3.5, 254.6, 300.0]]], "L")
    array([[[  0,   2,   4, 255, 255]]], dtype=uint8)
    """
    _mode_check("to_stored", mode)
    values = np.asarray(values, dtype=np.float64)
    clamped = np.clip(values, 0, MAX_VALUE[mode])
    return np.rint(clamped).astype(_STORED_DTYPE[mode])


def count_clamped(values, mode: str) -> int:
    """How many ``values`` the clamp of :func:`to_stored` changes.

    A value counts when it rounds to an integer outside ``mode``'s range, so
    rounding noise such as ``255.00000000000003`` (which is stored as 255
    either way) does not.

    Examples
    --------
    >>> from tconv import images
    >>> images.count_clamped([[[-0.7, -0.4, 255.0, 255.2, 255.6, 300.0]]], "RGB")
    3
    """
    _mode_check("count_clamped", mode)
    rounded = np.rint(np.asarray(values, dtype=np.float64))
    return int(np.count_nonzero((rounded < 0) | (rounded > MAX_VALUE[mode])))


def _image_of(values, mode: str):
    """A Pillow image of ``mode`` holding ``to_stored(values, mode)``."""
    image_module = _pillow()
    stored = to_stored(values, mode)
    if stored.ndim != 3 or stored.shape[0] != _CHANNELS[mode]:
        message = (f"write_image: values of shape {stored.shape} do not fit mode {mode!r}; "
                   f"expected (C, H, W) with C = {_CHANNELS[mode]}")
        raise ValueError(message)
    channels_last = stored.transpose(1, 2, 0)
    if stored.shape[0] == 1:
        channels_last = channels_last[:, :, 0]
    # Pillow picks the mode from the dtype and the channel count (uint8 2-D:
    # L, uint16 2-D: I;16, uint8 x 3: RGB, uint8 x 4: RGBA).
    return image_module.fromarray(np.ascontiguousarray(channels_last))


# Pillow reads these back in another mode with the same values: a grey GIF as
# a palette of 256 greys, a 16-bit PGM as 32-bit ints.
_SAME_VALUES = {("L", "P"), ("I;16", "I")}


def output_format(path, mode: str, *, flag: str = "path") -> str:
    """The Pillow format that ``path``'s extension names, checked to hold ``mode``.

    A tiny image of ``mode`` is written to memory in that format and read
    back: the format is refused when Pillow cannot write it, cannot read it
    back, or reads it back in another mode (RGBA as JPEG, BMP or PPM loses
    alpha; RGB as GIF becomes a 256-colour palette; 16-bit grey as GIF or
    JPEG cannot be written), so nothing is converted behind the caller's back.
    Lossy formats (JPEG, WebP) that keep the mode are accepted.

    Parameters
    ----------
    path : str or os.PathLike
        The file about to be written; only its extension is used.
    mode : str
        One of :data:`MODES`.
    flag : str
        How the caller names the path in messages.

    Returns
    -------
    str
        Pillow's format name, e.g. ``"PNG"``.

    Raises
    ------
    ValueError
        An extension Pillow does not write, or a format that cannot hold
        ``mode``; the message names ``flag``, the path and formats that can.

    Examples
    --------
    >>> from tconv import images
    >>> images.output_format("big.png", "RGBA")
    'PNG'
    >>> images.output_format("big.jpg", "RGBA", flag="OUT")
    Traceback (most recent call last):
    ...
    ValueError: OUT 'big.jpg': JPEG cannot hold mode RGBA (...); .png or .tif keep it exactly
    """
    _mode_check("output_format", mode)
    image_module = _pillow()
    import io

    shown = os.fspath(path)
    extension = os.path.splitext(shown)[1].lower()
    format_name = image_module.registered_extensions().get(extension)
    if format_name is None or format_name not in image_module.SAVE:
        what = f"extension {extension!r}" if extension else "no extension"
        message = (f"{flag} {shown!r}: {what} names no image format Pillow writes; use "
                   ".png (or .tif, .jpg, ...), which picks the format")
        raise ValueError(message)
    probe = _image_of(np.zeros((_CHANNELS[mode], 2, 2)), mode)
    buffer = io.BytesIO()
    try:
        probe.save(buffer, format=format_name)
        buffer.seek(0)
        with image_module.open(buffer) as back:
            stored_mode = back.mode
    except (OSError, ValueError, KeyError, SyntaxError):
        stored_mode = None
    if stored_mode != mode and (mode, stored_mode) not in _SAME_VALUES:
        became = ("it cannot store it" if stored_mode is None
                  else f"it would be stored as {stored_mode!r}")
        message = (f"{flag} {shown!r}: {format_name} cannot hold mode {mode} ({became}); "
                   f".png or .tif keep it exactly")
        raise ValueError(message)
    return format_name


def write_image(path, values, mode: str, *, force: bool = True) -> int:
    """Write ``(C, H, W)`` float values as a ``mode`` image file.

    The values are stored with :func:`to_stored` (clamp to the mode's range,
    round half to even). The format comes from the file name's extension
    and must hold ``mode`` (:func:`output_format`); use a lossless one (PNG,
    TIFF) to keep the values exactly. The file is written under a temporary
    name beside ``path`` and renamed onto it when complete, so a failed
    write leaves no damaged file.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    values : array_like
        ``(C, H, W)`` floats, C matching ``mode`` (1, 3 or 4).
    mode : str
        One of :data:`MODES`.
    force : bool
        Replace ``path`` if it exists (default, like most writers); with
        False an existing file is refused.

    Returns
    -------
    int
        How many values were outside the range and clamped
        (:func:`count_clamped`).

    Raises
    ------
    ValueError
        Unknown mode, values of the wrong shape, an extension Pillow does
        not write or a format that cannot hold ``mode`` (RGBA as JPEG, ...),
        a missing folder, or an existing file with ``force=False``.
    OSError
        The file cannot be written.

    Examples
    --------
    >>> import os, tempfile
    >>> from tconv import images
    >>> path = os.path.join(tempfile.mkdtemp(), "grey16.png")
    >>> images.write_image(path, [[[0.0, 1000.4, 70000.0]]], "I;16")
    1
    >>> images.read_image(path)
    (array([[[    0.,  1000., 65535.]]]), 'I;16')
    """
    from ._files import atomic_output

    _mode_check("write_image", mode)
    format_name = output_format(path, mode)
    image = _image_of(values, mode)
    with atomic_output(path, force=force, flag="path") as temporary:
        image.save(temporary, format=format_name)
    return count_clamped(values, mode)


# --------------------------------------------------------------------------
# Up-sampling

def _factor(method: str, scale) -> int | float:
    """``scale`` as an int when it is integral, else a float; checked."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
        message = f"upsample: scale={scale!r} must be a number (an int or a float >= 1)"
        raise TypeError(message)
    if not math.isfinite(scale) or scale < 1:
        message = (f"upsample: scale={scale!r} must be a finite number >= 1 (this "
                   "up-samples; every axis is multiplied by scale)")
        raise ValueError(message)
    if float(scale).is_integer():
        return int(scale)
    if method not in INTERPOLATE_METHODS:
        message = (f"upsample: scale={scale!r} is not an integer; method {method!r} needs "
                   f"an integer factor (only {', '.join(INTERPOLATE_METHODS)} accept any "
                   "scale >= 1)")
        raise ValueError(message)
    return float(scale)


def upsample(values, method: str, scale, *, kernel=None, align_corners=None) -> np.ndarray:
    """Up-sample a ``(C, H, W)`` image by ``scale`` with one of :data:`METHODS`.

    Every channel is up-sampled on its own with the same method (alpha
    included).

    Parameters
    ----------
    values : array_like
        ``(C, H, W)`` numbers (stored values; computed in float64).
    method : str
        - ``"nearest"``, ``"nearest-exact"``, ``"bilinear"``, ``"bicubic"``:
          :func:`tconv.interpolate` (identical to
          ``torch.nn.functional.interpolate``), any ``scale >= 1``;
        - ``"bed-of-nails"``: :func:`tconv.bed_of_nails`, each value at the
          top-left of its ``scale x scale`` block, zeros elsewhere;
        - ``"transposed"``: :func:`tconv.conv_transpose` with the fixed
          ``kernel`` of :func:`tconv.upsampling_kernel`, one per channel
          (``groups=C``), output size ``(H * scale, W * scale)``.
        The last two need an integer ``scale``.
    scale : int or float
        The factor for both axes, >= 1. The output is
        ``(C, floor(H * scale), floor(W * scale))``.
    kernel : {"bilinear", "nearest"}, optional
        The fixed kernel of ``method="transposed"`` (default ``"bilinear"``);
        an error with other methods. ``"nearest"`` reproduces nearest
        up-sampling everywhere; ``"bilinear"`` reproduces bilinear
        (align_corners=False) away from the borders, while the outermost
        ``scale // 2`` rows and columns are darker, because the zero
        padding beyond the image takes part in the sum.
    align_corners : bool, optional
        For ``"bilinear"`` and ``"bicubic"`` only (default False), as in
        PyTorch; an error with other methods.

    Returns
    -------
    numpy.ndarray
        float64 ``(C, H', W')``, unclamped (bicubic may leave the input's
        range; :func:`to_stored` clamps).

    Raises
    ------
    ValueError
        Unknown method or kernel, ``scale < 1``, a non-integer scale for
        ``"bed-of-nails"`` or ``"transposed"``, ``kernel`` or
        ``align_corners`` given to a method that does not use it, or values
        that are not ``(C, H, W)``.
    TypeError
        ``scale`` is not a number.

    Examples
    --------
    >>> from tconv import images
    >>> x = [[[0, 8], [16, 24]]]                      # one channel, 2x2
    >>> images.upsample(x, "nearest", 2)
    array([[[ 0.,  0.,  8.,  8.],
            [ 0.,  0.,  8.,  8.],
            [16., 16., 24., 24.],
            [16., 16., 24., 24.]]])
    >>> images.upsample(x, "bilinear", 2)
    array([[[ 0.,  2.,  6.,  8.],
            [ 4.,  6., 10., 12.],
            [12., 14., 18., 20.],
            [16., 18., 22., 24.]]])
    >>> images.upsample(x, "bed-of-nails", 2)
    array([[[ 0.,  0.,  8.,  0.],
            [ 0.,  0.,  0.,  0.],
            [16.,  0., 24.,  0.],
            [ 0.,  0.,  0.,  0.]]])
    >>> images.upsample(x, "nearest", 1.5).shape
    (1, 3, 3)
    """
    if method not in METHODS:
        message = f"upsample: method={method!r} is not known; use one of {', '.join(METHODS)}"
        raise ValueError(message)
    factor = _factor(method, scale)
    if kernel is not None and method != "transposed":
        message = (f"upsample: kernel={kernel!r} is only used by method='transposed' "
                   f"(method is {method!r})")
        raise ValueError(message)
    if kernel is not None and kernel not in KERNELS:
        message = f"upsample: kernel={kernel!r} is not known; use one of {', '.join(KERNELS)}"
        raise ValueError(message)
    if align_corners is not None and method not in ("bilinear", "bicubic"):
        message = (f"upsample: align_corners={align_corners!r} is only used by the "
                   f"bilinear and bicubic methods (method is {method!r})")
        raise ValueError(message)
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 3:
        message = (f"upsample: values of shape {x.shape} must be (C, H, W): channels, "
                   "height, width")
        raise ValueError(message)
    batch = x[np.newaxis]
    if method in INTERPOLATE_METHODS:
        linear = method in ("bilinear", "bicubic")
        corners = bool(align_corners) if linear else None
        y = interpolate(batch, scale_factor=factor, mode=method, align_corners=corners)
    elif method == "bed-of-nails":
        y = bed_of_nails(batch, factor)
    else:
        weight, stride, padding = upsampling_kernel(kernel or "bilinear", factor, rank=2)
        channels, height, width = x.shape
        weights = np.repeat(np.asarray(weight, dtype=np.float64), channels, axis=0)
        y = conv_transpose(batch, weights, stride=stride, padding=padding, groups=channels,
                           output_size=(height * factor, width * factor))
    return np.asarray(y, dtype=np.float64)[0]


# --------------------------------------------------------------------------
# Montage

def central_crop(shape: Sequence[int], size: int = DEFAULT_CROP) -> tuple[int, int, int, int]:
    """The central crop of at most ``size x size`` of an ``(H, W)`` image.

    Returns
    -------
    tuple of int
        ``(x, y, width, height)``: left column, top row and the crop's size.

    Examples
    --------
    >>> from tconv import images
    >>> images.central_crop((96, 96))
    (24, 24, 48, 48)
    >>> images.central_crop((30, 100))
    (26, 0, 48, 30)
    """
    height, width = shape
    crop_w, crop_h = min(size, width), min(size, height)
    return (width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h


def _crop_box(crop, shape) -> tuple[int, int, int, int]:
    height, width = shape
    if crop is None:
        return central_crop(shape)
    box = tuple(crop) if isinstance(crop, Sequence) else ()
    if len(box) != 4 or not all(_args.is_int(value) and value >= 0 for value in box):
        message = (f"montage: crop={crop!r} must be 4 non-negative ints (x, y, width, "
                   "height): left column, top row and size in pixels")
        raise ValueError(message)
    x, y, crop_w, crop_h = box
    if crop_w < 1 or crop_h < 1 or x + crop_w > width or y + crop_h > height:
        message = (f"montage: crop={tuple(crop)!r} (x, y, width, height) must have width "
                   f"and height >= 1 and lie inside the {width}x{height} image "
                   f"(x + width <= {width}, y + height <= {height})")
        raise ValueError(message)
    return box


def _display(values, mode: str):
    """An RGB Pillow image showing ``values``: what a viewer would show.

    16-bit grey is mapped to 8 bits (v / 257, rounded); RGBA is composited
    over the montage background.
    """
    image_module = _pillow()
    stored = to_stored(values, mode)
    if mode == "I;16":
        return _image_of(np.rint(stored / 257.0), "L").convert("RGB")
    image = _image_of(stored, mode)
    if mode == "RGBA":
        backdrop = image_module.new("RGBA", image.size, _BACKGROUND + (255,))
        image = image_module.alpha_composite(backdrop, image)
    return image.convert("RGB")


def montage(values, mode: str, scale: int, *, crop=None, name: str = "image"):
    """Every method of :data:`METHODS` on one crop, side by side, labelled.

    The crop is up-sampled on its own by each method (so the crop's edges
    show each method's border handling) and the results are laid out in a
    grid of :data:`COLUMNS` tiles per row, each with a small title, after a
    first tile showing the whole input with the crop outlined in red
    (shrunk to fit the tile when larger, never enlarged). Tile pixels are
    the stored values of each result (:func:`to_stored`), shown as a viewer
    would: 16-bit grey mapped to 8 bits, RGBA composited over the light
    grey background.

    Parameters
    ----------
    values : array_like
        ``(C, H, W)`` stored values of a ``mode`` image.
    mode : str
        One of :data:`MODES`.
    scale : int
        Integer factor (bed-of-nails and transposed need one), >= 1;
        ``crop size * scale`` may be at most :data:`MAX_TILE` per side.
    crop : tuple of 4 ints, optional
        ``(x, y, width, height)`` in pixels; default the central crop of at
        most 48x48 (:func:`central_crop`).
    name : str
        Shown in the header line.

    Returns
    -------
    PIL.Image.Image
        An RGB image; its size follows the layout constants (see the module
        source): with the default 48x48 crop and ``scale=4``, tiles are
        192x192 and the montage 808x460 (4 columns, 2 rows).

    Examples
    --------
    >>> from tconv import images
    >>> values, mode = images.read_image()
    >>> images.montage(values, mode, 4).size
    (808, 460)
    """
    image_module = _pillow()
    from PIL import ImageDraw

    _mode_check("montage", mode)
    values = np.asarray(values, dtype=np.float64)
    if not _args.is_int(scale) or scale < 1:
        message = (f"montage: scale={scale!r} must be an int >= 1 (the montage shows "
                   "bed-of-nails and transposed, which need an integer factor)")
        is_number = isinstance(scale, (int, float)) and not isinstance(scale, bool)
        raise ValueError(message) if is_number else TypeError(message)
    x, y, crop_w, crop_h = _crop_box(crop, values.shape[1:])
    tile_w, tile_h = max(crop_w * scale, MIN_TILE_WIDTH), crop_h * scale
    if max(crop_w, crop_h) * scale > MAX_TILE:
        message = (f"montage: crop {crop_w}x{crop_h} times scale={scale} gives "
                   f"{crop_w * scale}x{crop_h * scale} tiles; keep crop size x scale "
                   f"<= {MAX_TILE} per side (a smaller crop or scale)")
        raise ValueError(message)
    part = values[:, y:y + crop_h, x:x + crop_w]

    overview = _display(values, mode)
    overview.thumbnail((tile_w, tile_h))
    shrink = overview.width / values.shape[2]
    # Just outside the crop, so the crop's own pixels stay visible.
    outline = [round(x * shrink) - 1, round(y * shrink) - 1,
               round((x + crop_w) * shrink), round((y + crop_h) * shrink)]
    ImageDraw.Draw(overview).rectangle(outline, outline=_MARK)
    tiles = [("input, crop in red", overview)]
    for title, method, kernel in MONTAGE_TILES:
        result = upsample(part, method, scale, kernel=kernel)
        tiles.append((title, _display(result, mode)))

    rows = math.ceil(len(tiles) / COLUMNS)
    size = (2 * MARGIN + COLUMNS * tile_w + (COLUMNS - 1) * GAP,
            2 * MARGIN + HEADER + rows * (LABEL + tile_h) + (rows - 1) * GAP)
    sheet = image_module.new("RGB", size, _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    header = (f"tconv compare: {name}, {mode}, crop {crop_w}x{crop_h} at ({x}, {y}), "
              f"scale {scale}")
    # TrueType labels sized to their bands: baseline 3 px above the band's end.
    draw_label(draw, (MARGIN, MARGIN + HEADER - 5), header, pixels=LABEL_PIXELS,
               fill=_INK, anchor="ls")
    for index, (title, tile) in enumerate(tiles):
        row, column = divmod(index, COLUMNS)
        left = MARGIN + column * (tile_w + GAP)
        top = MARGIN + HEADER + row * (LABEL + tile_h + GAP)
        draw_label(draw, (left, top + LABEL - 3), title, pixels=LABEL_PIXELS, fill=_INK,
                   anchor="ls")
        sheet.paste(tile, (left + (tile_w - tile.width) // 2,
                           top + LABEL + (tile_h - tile.height) // 2))
    return sheet
