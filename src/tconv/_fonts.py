"""One TrueType font for every label drawn with Pillow (montages, sheets, grids).

Pillow's built-in bitmap font is 11 pixels high and spaces letters unevenly
("VAE sam ples"); every Pillow label in tconv goes through :func:`draw_label`
instead, which draws with DejaVu Sans, the TrueType font that matplotlib ships
(so the ``viz`` extra is enough, no system font is needed). Figures drawn with
matplotlib use the same face.
"""

from __future__ import annotations

import functools

LABEL_PIXELS = 16
"""Default label height: the font size in pixels (about 12 pt on screen)."""

MIN_PIXELS = 12
"""Labels are never drawn smaller than this."""

INK = (0, 0, 0)

__all__ = ["INK", "LABEL_PIXELS", "MIN_PIXELS", "draw_label", "label_font", "label_size"]


@functools.lru_cache(maxsize=16)
def label_font(pixels: int = LABEL_PIXELS):
    """DejaVu Sans (matplotlib's bundled TrueType font) at ``pixels`` pixels.

    Parameters
    ----------
    pixels : int
        Font size in pixels; raised to :data:`MIN_PIXELS` if smaller.

    Returns
    -------
    PIL.ImageFont.FreeTypeFont

    Raises
    ------
    ImportError
        Pillow or matplotlib is missing (``pip install 'tconv[viz]'``).

    Examples
    --------
    >>> from tconv._fonts import label_font
    >>> font = label_font(18)
    >>> type(font).__name__, font.size
    ('FreeTypeFont', 18)
    """
    try:
        from matplotlib import font_manager
        from PIL import ImageFont
    except ImportError as error:
        message = (f"labels need matplotlib and Pillow ({error}); install them with: "
                   "pip install 'tconv[viz]'")
        raise ImportError(message) from None
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"),
                                 fallback_to_default=True)
    return ImageFont.truetype(path, max(int(pixels), MIN_PIXELS))


def label_size(text: str, pixels: int = LABEL_PIXELS) -> tuple[int, int]:
    """``(width, height)`` in pixels of ``text`` drawn by :func:`draw_label`."""
    left, top, right, bottom = label_font(pixels).getbbox(text)
    return right - left, bottom - top


def draw_label(draw, xy, text: str, *, pixels: int = LABEL_PIXELS, fill=INK,
               anchor: str = "la") -> None:
    """Draw ``text`` at ``xy`` on a ``PIL.ImageDraw.ImageDraw`` with :func:`label_font`.

    ``anchor`` is Pillow's two-letter text anchor (default ``"la"``: ``xy``
    is the left end of the line's ascender, i.e. its top-left corner).
    This is the function to call for every label on a Pillow image (the
    montage of ``tconv compare``, the tour's sheets, training sample grids).

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from tconv._fonts import draw_label
    >>> image = Image.new("RGB", (120, 30), "white")
    >>> draw_label(ImageDraw.Draw(image), (4, 4), "VAE samples")
    >>> image.getbbox() is not None
    True
    """
    draw.text(tuple(xy), text, fill=fill, font=label_font(pixels), anchor=anchor)
