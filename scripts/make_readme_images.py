"""Draw the README's committed example images into ``docs/images/``.

One small function per image, listed in ``IMAGES``: each takes the output
folder, writes its file with the library (the same code as the CLI commands
the README shows) and returns the path. Run them all, or some by name:

    python scripts/make_readme_images.py
    python scripts/make_readme_images.py explain_png

Every file must stay under ``MAX_BYTES``; the script says so when one does not.
Existing files are replaced (``force=True``). The real-image artifact demo
needs torch and is drawn by ``scripts/make_artifacts.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tconv
from tconv._draw import animate, draw_explanation

OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
MAX_BYTES = 200_000

# The README's example: tconv explain --input "1,2;3,4" --kernel "1,2,3;4,5,6;7,8,9"
#                                     --stride 2 --padding 1 --output-padding 1
EXAMPLE = {"x": [[1, 2], [3, 4]], "weight": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
           "stride": 2, "padding": 1, "output_padding": 1}


def _example():
    return tconv.explain(EXAMPLE["x"], EXAMPLE["weight"], stride=EXAMPLE["stride"],
                         padding=EXAMPLE["padding"], output_padding=EXAMPLE["output_padding"])


def explain_png(out: Path) -> Path:
    """``tconv explain ... --png docs/images/explain.png`` for the example."""
    return Path(draw_explanation(_example(), out / "explain.png", force=True).path)


def animate_gif(out: Path) -> Path:
    """``tconv animate --rank 1 --stride 2 --padding 1 --view both -o animate.gif``."""
    explanation = tconv.explain([1, 2, 3], [1, 10, 100], stride=2, padding=1)
    return Path(animate(explanation, out / "animate.gif", view="both", fps=1,
                        force=True).path)


def animate_stride2_gif(out: Path) -> Path:
    """The README's 2-D example, stride 2, scatter view: ``tconv animate ... -o``."""
    return Path(animate(_example(), out / "animate_stride2.gif", fps=1, force=True).path)


def gallery_png(out: Path) -> Path:
    """The gallery of configurations (``scripts/make_gallery.py``)."""
    from tconv._gallery import draw_gallery

    path = out / "gallery.png"
    draw_gallery(path, force=True)
    return path


def subpixel_png(out: Path) -> Path:
    """Sub-pixel convolution: the phase map, random versus ICNR initialisation."""
    from tconv._gallery import draw_subpixel

    path = out / "subpixel.png"
    draw_subpixel(path, force=True)
    return path


def matrix_png(out: Path) -> Path:
    """``tconv matrix ... --png docs/images/matrix.png`` for the example: y = C^T x."""
    from tconv._draw_matrix import draw_matrix

    path = out / "matrix.png"
    draw_matrix(EXAMPLE["x"], EXAMPLE["weight"], path, stride=EXAMPLE["stride"],
                padding=EXAMPLE["padding"], output_padding=EXAMPLE["output_padding"],
                force=True)
    return path


def checkerboard_png(out: Path) -> Path:
    """The tour's coverage comparison: k3 s2, k4 s2, nearest resize then a 3x3 conv."""
    from tconv._tour import checkerboard_comparison

    path = out / "checkerboard.png"
    checkerboard_comparison(path, force=True)
    return path


IMAGES = [explain_png, animate_gif, animate_stride2_gif, matrix_png, checkerboard_png,
          gallery_png, subpixel_png]


def main(names: list[str]) -> int:
    known = {make.__name__: make for make in IMAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        print(f"unknown image(s) {unknown}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    status = 0
    for name in names or known:
        path = known[name](OUT)
        size = path.stat().st_size
        print(f"{path.relative_to(OUT.parent.parent)}: {size} bytes")
        if size > MAX_BYTES:
            print(f"  larger than {MAX_BYTES} bytes: make the example smaller",
                  file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
