"""Command line: ``tconv COMMAND [flags]``.

A thin argparse front end over the public API: each subcommand parses its
flags into Python values, calls the library, and prints. Errors never end in a
traceback: bad flags are argparse errors, and the ``ValueError``/``TypeError``
messages of the library are printed as ``tconv COMMAND: error: ...`` with exit
status 2.

A new subcommand is one ``_add_<name>(commands)`` function that adds its
subparser and sets the defaults ``run`` (a function ``(args, parser) -> int``)
and ``command_parser`` (the subparser, for error messages); register it in
``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap

import numpy as np

from . import __version__
from .explain import explain_text

# Explanations are for small examples; larger ones are refused, not truncated.
MAX_SIZE = 32

_CLASSIC = {  # rank -> (input, kernel) shown when none is given
    2: ([[55, 52], [57, 50]], [[1, 2], [2, 1]]),
    1: ([1, 2, 3], [1, 10, 100]),
}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PAIR = r"\((-?\d+),(-?\d+)\)"


# --------------------------------------------------------------------------
# Flag value parsers: text -> Python value, or ArgumentTypeError (exit 2).

def _values(text: str) -> np.ndarray:
    """``"55,52;57,50"`` -> 2-D array (rows by ``;``); ``"1,2,3"`` -> 1-D."""
    rows = text.split(";")
    table = []
    for row in rows:
        items = [item.strip() for item in row.split(",")]
        bad = [item for item in items if not re.fullmatch(_NUMBER, item)]
        if bad:
            message = (f"{text!r}: {bad[0]!r} is not a number; write values separated by "
                       "',' and rows by ';', e.g. \"55,52;57,50\"")
            raise argparse.ArgumentTypeError(message)
        table.append([float(item) for item in items])
    lengths = sorted({len(row) for row in table})
    if len(lengths) > 1:
        message = (f"{text!r}: the rows have different lengths {lengths}; every row needs "
                   "the same number of values")
        raise argparse.ArgumentTypeError(message)
    array = np.array(table)
    return array[0] if len(rows) == 1 else array


def _sizes(text: str) -> tuple[int, ...]:
    """``"3x3"``, ``"3,3"`` or ``"3"`` -> positive ints."""
    items = re.split(r"[x,]", text.strip().lower())
    if not all(re.fullmatch(r"\d+", item.strip()) for item in items):
        message = (f"{text!r} is not a size; write one positive int per axis separated "
                   "by 'x', e.g. 3x3 (or one int for every axis)")
        raise argparse.ArgumentTypeError(message)
    sizes = tuple(int(item) for item in items)
    if min(sizes) < 1:
        message = f"{text!r}: sizes must be positive (>= 1)"
        raise argparse.ArgumentTypeError(message)
    return sizes


def _ints(text: str) -> int | tuple[int, ...]:
    """``"2"`` -> 2; ``"2,1"`` -> (2, 1). Values are checked by the library."""
    items = [item.strip() for item in text.split(",")]
    if not all(re.fullmatch(r"-?\d+", item) for item in items):
        message = (f"{text!r} is not an int or a comma-separated list of ints (one per "
                   "axis), e.g. 2 or 2,1")
        raise argparse.ArgumentTypeError(message)
    values = tuple(int(item) for item in items)
    return values[0] if len(values) == 1 else values


def _padding(text: str):
    """Every padding form of the library, spelled for a shell.

    ``same``/``valid``; ``1`` (every side); ``1,2`` (per axis, both sides);
    ``0:1,1:0`` or ``(0,1),(1,0)`` ((before, after) per axis). Items may mix
    ``p`` and ``before:after``: ``1,0:1``.
    """
    compact = re.sub(r"\s+", "", text).lower()
    if compact in ("same", "valid"):
        return compact
    if re.fullmatch(rf"{_PAIR}(,{_PAIR})*", compact):
        return tuple((int(a), int(b)) for a, b in re.findall(_PAIR, compact))
    items = compact.split(",")
    if all(re.fullmatch(r"-?\d+(:-?\d+)?", item) for item in items):
        if not any(":" in item for item in items):
            values = tuple(int(item) for item in items)
            return values[0] if len(values) == 1 else values
        pairs = [item.split(":") if ":" in item else (item, item) for item in items]
        return tuple((int(a), int(b)) for a, b in pairs)
    message = (f"{text!r} is not a padding; use an int (1), one int per axis (1,2), "
               "(before, after) per axis as 0:1,1:0 or (0,1),(1,0), 'same' or 'valid'")
    raise argparse.ArgumentTypeError(message)


# --------------------------------------------------------------------------
# tconv explain

_EXPLAIN_EPILOG = """\
values and sizes:
  --input "55,52;57,50"    rows separated by ';', values within a row by ','
                           (no ';' means 1-D, unless --rank 2 makes it a row)
  --input-size 3x3         fill that shape with 1, 2, 3, ... (one int: every
                           axis); --kernel and --kernel-size work the same way
  A leading minus needs '=': --input=-1,2;3,4
  Without values the classic example is used: input 55,52;57,50 and kernel
  1,2;2,1 in 2-D, input 1,2,3 and kernel 1,10,100 in 1-D.

padding forms:
  1                        one on every side of every axis
  1,2                      per axis: 1 on both sides of rows, 2 of cols
  0:1,1:0  or  (0,1),(1,0) (before, after) per axis
  same, valid              TensorFlow/Keras "same" (out = in * stride for
                           conv_transpose), no padding

examples:
  tconv explain
  tconv explain --input "1,2;3,4" --kernel "1,2,3;4,5,6;7,8,9" \\
                --stride 2 --padding 1 --output-padding 1
  tconv explain --rank 1 --stride 2 --padding same
  tconv explain --op conv --input-size 4x4 --kernel-size 3 --padding 0:1,1:0
"""


def _add_explain(commands) -> None:
    parser = commands.add_parser(
        "explain", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="explain a (transposed) convolution step by step, with the numbers",
        description=textwrap.fill(
            "Explain one single-channel transposed convolution (or, with --op conv, "
            "convolution): the size formula with the numbers, every scatter (or "
            "sliding-window) step, the crop by padding and output_padding, the same "
            "result as a matrix product, and a check that every algorithm agrees. "
            "Output fits 80 columns.", 78),
        epilog=_EXPLAIN_EPILOG)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=_values, metavar="VALUES",
                        help='input values, e.g. "55,52;57,50" (default: the classic '
                             "example)")
    source.add_argument("--input-size", type=_sizes, metavar="SIZE",
                        help="input shape filled with 1..N, e.g. 3x3 or 5")
    kernel = parser.add_mutually_exclusive_group()
    kernel.add_argument("--kernel", type=_values, metavar="VALUES",
                        help='kernel values, e.g. "1,2;2,1"')
    kernel.add_argument("--kernel-size", type=_sizes, metavar="SIZE",
                        help="kernel shape filled with 1..K, e.g. 3 or 3x2")
    parser.add_argument("--stride", type=_ints, default=1, metavar="INTS",
                        help="stride: one int or one per axis, e.g. 2 or 2,1 (default 1)")
    parser.add_argument("--padding", type=_padding, default="valid", metavar="PADDING",
                        help="padding, any form below (default valid)")
    parser.add_argument("--output-padding", type=_ints, default=0, metavar="INTS",
                        help="output_padding (conv_transpose only): one int or one per "
                             "axis, each < max(stride, dilation) (default 0)")
    parser.add_argument("--dilation", type=_ints, default=1, metavar="INTS",
                        help="spacing of the kernel taps: one int or one per axis "
                             "(default 1)")
    parser.add_argument("--rank", type=int, choices=(1, 2),
                        help="spatial rank; inferred from the values or sizes given, "
                             "else 2")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose",
                        help="the op to explain (default conv_transpose)")
    parser.add_argument("--width", type=int, default=80, metavar="COLUMNS",
                        help="longest output line, at least 40 (default 80)")
    parser.set_defaults(run=_run_explain, command_parser=parser)


def _rank(args) -> int:
    """--rank, else the largest rank the values or multi-axis sizes show, else 2."""
    if args.rank is not None:
        return args.rank
    evidence = {"--input": args.input, "--kernel": args.kernel}
    ranks = {flag: a.ndim for flag, a in evidence.items() if a is not None}
    sizes = {"--input-size": args.input_size, "--kernel-size": args.kernel_size}
    ranks.update({flag: len(s) for flag, s in sizes.items() if s is not None and len(s) > 1})
    for flag, rank in ranks.items():
        if rank > 2:
            message = (f"{flag} {'x'.join(map(str, sizes[flag]))} has {rank} sizes; explain "
                       "shows 1-D and 2-D examples (one or two sizes)")
            raise ValueError(message)
    return max(ranks.values(), default=2)


def _operand(flag: str, values, size_flag: str, sizes, default, rank: int) -> np.ndarray:
    """One operand from its values or its size, shaped for ``rank``."""
    if values is not None:
        if values.ndim > rank:
            message = (f"{flag} has {values.shape[0]} rows (2-D) but the rank is {rank}; "
                       "drop --rank 1 or give one row")
            raise ValueError(message)
        array = values.reshape((1,) * (rank - values.ndim) + values.shape)
        what = flag
    elif sizes is not None:
        if len(sizes) not in (1, rank):
            message = (f"{size_flag} {'x'.join(map(str, sizes))} has {len(sizes)} sizes; "
                       f"give one int or {rank} (the rank)")
            raise ValueError(message)
        shape = sizes * rank if len(sizes) == 1 else sizes
        array = np.arange(1, np.prod(shape) + 1, dtype=np.float64).reshape(shape)
        what = size_flag
    else:
        return np.array(default, dtype=np.float64)
    if max(array.shape) > MAX_SIZE:
        message = (f"{what}: shape {'x'.join(map(str, array.shape))} is too large to "
                   f"explain; at most {MAX_SIZE} per axis")
        raise ValueError(message)
    return array


def _run_explain(args, parser) -> int:
    rank = _rank(args)
    x_default, weight_default = _CLASSIC[rank]
    x = _operand("--input", args.input, "--input-size", args.input_size, x_default, rank)
    weight = _operand("--kernel", args.kernel, "--kernel-size", args.kernel_size,
                      weight_default, rank)
    text = explain_text(x, weight, op=args.op, stride=args.stride, padding=args.padding,
                        output_padding=args.output_padding, dilation=args.dilation,
                        width=args.width)
    print(text)
    return 0


# --------------------------------------------------------------------------

_COMMANDS = (_add_explain,)


def build_parser() -> argparse.ArgumentParser:
    """The ``tconv`` parser with one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="tconv",
        description="Exact transposed convolution, explained. Run 'tconv COMMAND --help' "
                    "for a command's flags.")
    parser.add_argument("--version", action="version", version=f"tconv {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command",
                                     required=True)
    for add in _COMMANDS:
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
        0 on success, 2 for bad flags or values the library rejects (the
        message goes to stderr as ``tconv COMMAND: error: ...``).

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
