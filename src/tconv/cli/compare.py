"""``tconv compare``: every up-sampling method side by side, as one montage."""

from __future__ import annotations

import argparse
import re
import textwrap

from .. import images
from . import files, flags


def _crop(text: str) -> tuple[int, ...]:
    """``"10,20,32,32"`` -> (10, 20, 32, 32). Whether it fits is checked by images."""
    items = [item.strip() for item in text.split(",")]
    if len(items) != 4 or not all(re.fullmatch(r"\d+", item) for item in items):
        message = (f"{text!r} is not a crop; write X,Y,W,H: left column, top row, width "
                   "and height in pixels, e.g. 10,20,32,32")
        raise argparse.ArgumentTypeError(message)
    return tuple(int(item) for item in items)


_COMPARE_EPILOG = """\
The montage has one tile per method, each the crop up-sampled by --scale on its
own (so the crop's edges show each method's border handling), titled, after a
tile with the whole input and the crop outlined in red:
  nearest, nearest-exact, bilinear, bicubic, bed-of-nails,
  transposed: bilinear, transposed: nearest (the two fixed --kernel choices)
Stored values are shown as a viewer would: 16-bit grey mapped to 8 bits, RGBA
over the light grey background. The montage is RGB (.png; .gif, which cannot
hold RGB, is refused). An existing OUT is replaced only with --force, the
input never.

examples:
  tconv compare -o montage.png                 # the sample, x4
  tconv compare photo.png --scale 8 --crop 100,40,32,32 -o montage.png
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "compare", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="draw every up-sampling method side by side, as one labelled image",
        description=textwrap.fill(
            "Up-sample one crop of an image (default: the sample image) with every "
            "method of 'tconv upsample' and write a labelled montage of the results.",
            78),
        epilog=_COMPARE_EPILOG)
    files.add_input(parser, "crop")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="the montage file to write (.png); replaced only with --force")
    files.add_force(parser, "OUT")
    parser.add_argument("--scale", type=flags.scale, default=4, metavar="S",
                        help="integer factor for both axes (default 4)")
    parser.add_argument("--crop", type=_crop, metavar="X,Y,W,H",
                        help="left column, top row, width and height of the crop "
                             f"(default: the central crop, at most {images.DEFAULT_CROP}"
                             f"x{images.DEFAULT_CROP})")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    in_path = files.input_path(args)
    files.check(args.output, flag="--output", force=args.force, inputs=[in_path])
    values, mode, name = files.read_input(in_path)
    format_name = images.output_format(args.output, "RGB", flag="--output")
    sheet = images.montage(values, mode, args.scale, crop=args.crop, name=name)
    files.write(args.output, lambda temporary: sheet.save(temporary, format=format_name),
                flag="--output", force=args.force, inputs=[in_path])
    x, y, width, height = args.crop or images.central_crop(values.shape[1:])
    print(f"wrote {args.output}: {sheet.width}x{sheet.height} montage of "
          f"{len(images.MONTAGE_TILES)} methods on the {width}x{height} crop at "
          f"({x}, {y}) of {name}, scale {args.scale}")
    return 0
