"""``tconv tour``: write the HTML tour of up-sampling and transposed convolution."""

from __future__ import annotations

import argparse
import textwrap

from .._tour import write_tour


def register(commands) -> None:
    parser = commands.add_parser(
        "tour", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="write an HTML tour of up-sampling and transposed convolution",
        description=textwrap.fill(
            "Write DIR/index.html and its pictures: a walk through up-sampling "
            "(nearest, bilinear, bicubic, bed of nails, max-unpooling on a real "
            "image), transposed convolution as scattering, as the transposed "
            "convolution matrix and as zero insertion, 'valid' versus 'same', and "
            "checkerboard artifacts with their fixes. Every number and picture is "
            "computed by tconv as the page is written; it opens in a browser with no "
            "network. Needs matplotlib and Pillow (the viz extra).", 78),
        epilog="example:\n  tconv tour -o tour/      # then open tour/index.html\n")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="the directory to write (created if missing)")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    try:
        index = write_tour(args.output)
    except OSError as error:
        message = f"-o={args.output!r}: cannot write the tour there ({error})"
        raise ValueError(message) from None
    files = sorted(path.name for path in index.parent.iterdir()
                   if path.suffix in (".png", ".gif"))
    print(f"wrote {index} and {len(files)} pictures beside it; open it in a browser")
    return 0
