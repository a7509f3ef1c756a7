"""The ``tconv`` parser and the dispatcher: parse, run one command, report.

A thin argparse front end over the public API: each command module parses its
flags into Python values, calls the library, and prints. Errors never end in a
traceback: bad flags are argparse errors, and the ``ValueError``/``TypeError``
messages of the library are printed as ``tconv COMMAND: error: ...`` with exit
status 2.

A new command is one module with a ``register(commands)`` function that adds
its subparser and sets the defaults ``run`` (a function ``(args, parser) ->
int``) and ``command_parser`` (the subparser, for error messages); list it in
:data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from .._cli_train import _add_train
from . import (
    animate,
    checkerboard,
    compare,
    explain,
    matrix,
    resize_diff,
    shape,
    solve,
    tour,
    translate,
    upsample,
)

COMMANDS = (explain.register, upsample.register, compare.register, shape.register,
            solve.register, checkerboard.register, matrix.register, tour.register,
            animate.register, translate.register, resize_diff.register, _add_train)
"""The ``register`` function of every command, in the order ``tconv --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The ``tconv`` parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="tconv",
        description="Exact transposed convolution, explained. Run 'tconv COMMAND --help' "
                    "for a command's flags.")
    parser.add_argument("--version", action="version", version=f"tconv {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                     required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv=None) -> int:
    """Run ``tconv`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 2 for bad flags or values the library rejects, 1 when an
        optional dependency is missing (the message goes to stderr as
        ``tconv COMMAND: error: ...``).

    Examples
    --------
    >>> from tconv.cli import main
    >>> main(["explain", "--rank", "1", "--width", "60"])  # doctest: +ELLIPSIS
    tconv explain: transposed convolution (conv_transpose), 1-D
    ...
    0
    """
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        command = args.command_parser
        if unknown:
            # Reported by the subcommand, whose usage lists the flags it knows.
            command.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as stop:  # --help, --version and argparse's own errors
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return args.run(args, command)
    except BrokenPipeError:
        # The reader left early (`tconv explain | head`): exit quietly, as the
        # Python docs advise (signal module, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, TypeError) as error:
        # The library's messages name the parameter, the value and what is valid.
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        # An optional dependency is missing (Pillow for upsample and compare);
        # the message names the extra that brings it.
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
