"""``tconv tour``: write the HTML tour of up-sampling and transposed convolution."""

from __future__ import annotations

import argparse
import textwrap

from .._tour import write_tour
from . import files


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
        epilog=textwrap.dedent("""\
            files:
              DIR is created if missing (its parent folder must exist). The tour is
              written into a temporary folder beside DIR and moved into place when
              complete; files already in DIR are replaced only with --force.

            example:
              tconv tour -o tour/      # then open tour/index.html
            """))
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="the directory to write (created if missing)")
    files.add_force(parser, "the tour's files in DIR")
    parser.set_defaults(run=run, command_parser=parser)


def _write(folder) -> list[str]:
    """Write the tour into ``folder``; return the names of its pictures."""
    write_tour(folder)
    return sorted(path.name for path in folder.iterdir() if path.suffix in (".png", ".gif"))


def run(args, parser) -> int:
    files.require("tconv tour")
    target = files.check_folder(args.output, flag="--output", force=args.force)
    pictures = files.write_folder(args.output, _write, flag="--output", force=args.force)
    print(f"wrote {target / 'index.html'} and {len(pictures)} pictures beside it; open it "
          "in a browser")
    return 0
