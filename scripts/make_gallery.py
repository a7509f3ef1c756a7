"""Draw the gallery of transposed-convolution configurations with tconv.

No, half and full padding, stride 2, output_padding, dilation and an even
kernel, each as its zero-inserted, padded input (the first output's window
shaded) beside its output, every number from ``tconv.explain``:

    python scripts/make_gallery.py                      # docs/images/gallery.png
    python scripts/make_gallery.py /tmp/gallery.png --force

An existing file is replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tconv._files import OutputError
from tconv._gallery import draw_gallery

DEFAULT = Path(__file__).resolve().parent.parent / "docs" / "images" / "gallery.png"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default=str(DEFAULT), help="PNG to write")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    try:
        entries = draw_gallery(args.output, force=args.force).entries
    except OutputError as error:
        print(f"make_gallery.py: {error}", file=sys.stderr)
        return 2
    for entry in entries:
        plan = entry.explanation.plan
        print(f"{entry.name}: {plan.in_size} -> {plan.out_size}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
