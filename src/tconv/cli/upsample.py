"""``tconv upsample``: up-sample an image file with one method."""

from __future__ import annotations

import argparse
import math
import textwrap

from .. import images
from . import files, flags

# tconv upsample computes in float64 (8 bytes per value); a larger output is
# refused before the work starts rather than failing for memory half way.
MAX_OUTPUT_PIXELS = 64 * 2**20


def _size(values) -> str:
    return f"{values.shape[-1]}x{values.shape[-2]}"


_UPSAMPLE_EPILOG = """\
methods:
  nearest, nearest-exact, bilinear, bicubic
                     tconv.interpolate (= torch.nn.functional.interpolate);
                     any --scale >= 1; --align-corners for bilinear, bicubic
  bed-of-nails       tconv.bed_of_nails: each pixel at the top-left of its
                     block, zeros (black, transparent) elsewhere
  transposed         tconv.conv_transpose with the fixed --kernel (bilinear or
                     nearest) of tconv.upsampling_kernel, per channel
                     (groups=C); bilinear darkens the outermost rows/columns
  bed-of-nails and transposed need an integer --scale.

values:
  Modes L, RGB, RGBA (8-bit) and I;16 (16-bit grey) are read and written back
  in the same mode; others (P, CMYK, LA, ...) are refused: convert first. The
  ops run in float64 on the stored values (0..255 or 0..65535); the result is
  clamped to that range and rounded half to even. Bicubic overshoots near
  edges are clamped (the count is reported). Alpha is up-sampled like the
  other channels, with the same method (not premultiplied). Write a lossless
  format (.png, .tif) to keep the values.

files:
  IN OUT go next to each other, before or after the flags; or give them as
  --input IN and -o OUT. A single positional is always the input: 'tconv
  upsample photo.png' asks for -o OUT instead of replacing the photo.
  OUT's extension picks the format, which must hold the image's mode (RGBA
  as .jpg or 16-bit grey as .gif are refused: use .png or .tif). An existing
  OUT is replaced only with --force, the input never; OUT is written under a
  temporary name and renamed when complete, so a failed run leaves no
  damaged file.

examples:
  tconv upsample -o out.png                    # the sample, bilinear, x2
  tconv upsample photo.png big.png --method bicubic --scale 4
  tconv upsample photo.png -o big.png --method nearest-exact --scale 1.5
  tconv upsample --input photo.png -o big.png --method transposed \\
                 --kernel nearest
  tconv upsample photo.png big.png --force     # replace big.png
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "upsample", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="up-sample an image file with one method",
        description=textwrap.fill(
            "Up-sample an image (default: the sample image) by --scale with one of "
            "tconv's fixed up-sampling methods and write it in the same mode and bit "
            "depth.", 78),
        epilog=_UPSAMPLE_EPILOG)
    files.add_input_output(parser, "up-sample")
    files.add_force(parser, "OUT")
    parser.add_argument("--method", choices=images.METHODS, default="bilinear",
                        metavar="M", help=f"one of {', '.join(images.METHODS)} "
                                          "(default bilinear)")
    parser.add_argument("--scale", type=flags.scale, default=2, metavar="S",
                        help="factor for both axes, >= 1; an integer for bed-of-nails "
                             "and transposed (default 2)")
    parser.add_argument("--kernel", choices=images.KERNELS, metavar="K",
                        help="fixed kernel of --method transposed: bilinear (default) "
                             "or nearest")
    parser.add_argument("--align-corners", action="store_true",
                        help="align_corners=True (bilinear and bicubic only)")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    in_path, out_path = files.input_output(args)
    files.check(out_path, flag="OUT", force=args.force, inputs=[in_path])
    values, mode, name = files.read_input(in_path)
    images.output_format(out_path, mode, flag="OUT")
    height, width = (math.floor(size * args.scale) for size in values.shape[1:])
    if height * width > MAX_OUTPUT_PIXELS:
        message = (f"scale={args.scale} would make the {_size(values)} input "
                   f"{width}x{height} pixels; at most {MAX_OUTPUT_PIXELS // 2**20} "
                   "megapixels are written (a smaller --scale or a crop of the input)")
        raise ValueError(message)
    result = images.upsample(values, args.method, args.scale, kernel=args.kernel,
                             align_corners=True if args.align_corners else None)
    clamped = files.write(out_path, lambda temporary: images.write_image(temporary, result, mode),
                          flag="OUT", force=args.force, inputs=[in_path])
    method = args.method
    if method == "transposed":
        method += f" ({args.kernel or 'bilinear'} kernel)"
    print(f"wrote {out_path}: {mode} {_size(result)} from {name} {_size(values)}, "
          f"{method}, scale {args.scale}")
    if clamped:
        top = images.MAX_VALUE[mode]
        print(f"note: {clamped} of {result.size} values fell outside 0..{top} and were "
              "clamped")
    return 0
