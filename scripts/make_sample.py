"""Draw tconv's sample image, ``src/tconv/data/sample.png`` (RGB, 96x96).

The default input of ``tconv upsample`` and ``tconv compare``: made by us, so
it ships with the package under the project's licence. It holds what shows
up-sampling methods apart, most of it inside the central 48x48 crop that
``tconv compare`` enlarges:

* a smooth two-colour gradient (the background): linear methods keep it
  smooth, nearest shows steps;
* hard-edged shapes (a disc, a triangle with diagonal edges): staircases,
  blur and bicubic overshoot at the edges;
* one-pixel lines and a one-pixel ring: thin detail, dotted by bed-of-nails;
* a checker patch of 2x2-pixel squares: the highest frequencies near the
  Nyquist limit, and the half-pixel shift between nearest and nearest-exact.

No text and no randomness: run ``python scripts/make_sample.py`` and you get
the same pixels (Pillow draws the shapes; the file bytes may differ between
zlib versions, the pixels do not).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = 96
OUT = Path(__file__).resolve().parent.parent / "src" / "tconv" / "data" / "sample.png"


def sample() -> Image.Image:
    """The sample image, drawn from scratch."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE] / (SIZE - 1)
    # Warm to the right, green downwards, blue along the other diagonal.
    red = 40 + 190 * cols
    green = 50 + 150 * rows
    blue = 170 - 110 * (rows + cols) / 2
    gradient = np.rint(np.stack([red, green, blue], axis=-1)).astype(np.uint8)
    image = Image.fromarray(gradient)
    draw = ImageDraw.Draw(image)

    draw.ellipse((14, 22, 54, 62), fill=(25, 35, 110))           # disc, edge in the crop
    draw.polygon([(44, 90), (84, 50), (88, 90)], fill=(200, 30, 40))  # diagonal edges
    draw.ellipse((60, 8, 88, 36), outline=(255, 255, 255), width=1)   # one-pixel ring
    for top in range(44, 60, 2):                                  # checker, 2x2 squares
        for left in range(52, 68, 2):
            shade = 245 if (top + left) // 2 % 2 else 10
            draw.rectangle((left, top, left + 1, top + 1), fill=(shade, shade, shade))
    draw.line((4, 92, 92, 4), fill=(250, 250, 210), width=1)      # one-pixel diagonal
    draw.line((4, 70, 46, 70), fill=(0, 0, 0), width=1)           # one-pixel horizontal
    draw.line((30, 4, 30, 20), fill=(0, 0, 0), width=1)           # one-pixel vertical
    return image


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    sample().save(OUT, optimize=True)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
