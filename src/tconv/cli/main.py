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
from . import (
    animate,
    checkerboard,
    compare,
    explain,
    explore,
    matrix,
    resize_diff,
    shape,
    solve,
    tour,
    train,
    translate,
    upsample,
)

COMMANDS = (explain.register, upsample.register, compare.register, shape.register,
            solve.register, checkerboard.register, matrix.register, tour.register,
            animate.register, translate.register, resize_diff.register, train.register,
            explore.register)
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


def _given(argv: list[str]) -> str:
    """The command line as typed after ``tconv``, shortened for a message."""
    text = " ".join(argv)
    return text if len(text) <= 60 else text[:57] + "..."


def main(argv=None) -> int:
    """Run ``tconv`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Every failure ends with one line ``tconv COMMAND: error: ...`` on stderr
    naming the flag or file, never a traceback.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success; 2 for usage errors: no command (the help is printed),
        bad flags, values the library rejects, outputs that may not be
        written (an input, an existing file without ``--force``, a missing
        folder, a format that cannot hold the image) and calls too large to
        compute; 1 when an optional dependency is missing or a file cannot
        be read or written (the operating system's reason); 130 when
        interrupted.

    Examples
    --------
    >>> from tconv.cli import main
    >>> main(["explain", "--rank", "1", "--width", "60"])  # doctest: +ELLIPSIS
    tconv explain: transposed convolution (conv_transpose), 1-D
    ...
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:
        # Like git: a bare command prints the help and fails, so scripts notice.
        parser.print_help()
        return 2
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
        # The library's messages name the parameter, the value and what is valid;
        # OutputError (a ValueError) names the output flag and file.
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        # An optional dependency is missing (Pillow for upsample and compare);
        # the message names the extra that brings it.
        print(f"{command.prog}: error: {error}", file=sys.stderr)
        return 1
    except (MemoryError, RecursionError, OverflowError) as error:
        # Sizes or counts too large for a guard to have caught them first.
        what = {MemoryError: "needs more memory than is available",
                RecursionError: "nests too deeply",
                OverflowError: "holds a number too large to compute with"}
        reason = next(text for kind, text in what.items() if isinstance(error, kind))
        message = (f"the call {reason} ({type(error).__name__}); use smaller sizes, "
                   f"strides or counts (given: {_given(argv)})")
        print(f"{command.prog}: error: {message}", file=sys.stderr)
        return 2
    except OSError as error:
        # A file the operating system refused (permissions, a full disk, ...).
        name = f"{error.filename}: " if error.filename else ""
        print(f"{command.prog}: error: {name}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{command.prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: one line, not a traceback
        message = (f"unexpected {type(error).__name__}: {error} (a bug in tconv; please "
                   f"report it with the command line: tconv {_given(argv)})")
        print(f"{command.prog}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
