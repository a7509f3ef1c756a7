"""Flag value parsers and the operand flags the commands share.

The parsers (:func:`values`, :func:`sizes`, :func:`ints`, :func:`padding`,
:func:`positive`, :func:`scale`) turn one flag's text into a Python value or
raise ``argparse.ArgumentTypeError`` (exit status 2). ``tconv explain``,
``tconv animate`` and ``tconv matrix`` take the same values, sizes and
geometry flags: :func:`add_operation_flags` adds them and :func:`operands`
reads them back.
"""

from __future__ import annotations

import argparse
import math
import re

import numpy as np

import tconv

from .._geometry import full_transpose_length

# Explanations are for small examples; larger ones are refused, not truncated.
MAX_SIZE = 32

_CLASSIC = {  # rank -> (input, kernel) shown when none is given
    2: ([[55, 52], [57, 50]], [[1, 2], [2, 1]]),
    1: ([1, 2, 3], [1, 10, 100]),
}

NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PAIR = r"\((-?\d+),(-?\d+)\)"


# --------------------------------------------------------------------------
# Flag value parsers: text -> Python value, or ArgumentTypeError (exit 2).

def values(text: str) -> np.ndarray:
    """``"55,52;57,50"`` -> 2-D array (rows by ``;``); ``"1,2,3"`` -> 1-D."""
    rows = text.split(";")
    table = []
    for row in rows:
        items = [item.strip() for item in row.split(",")]
        bad = [item for item in items if not re.fullmatch(NUMBER, item)]
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


def sizes(text: str) -> tuple[int, ...]:
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


def ints(text: str) -> int | tuple[int, ...]:
    """``"2"`` -> 2; ``"2,1"`` -> (2, 1). Values are checked by the library."""
    items = [item.strip() for item in text.split(",")]
    if not all(re.fullmatch(r"-?\d+", item) for item in items):
        message = (f"{text!r} is not an int or a comma-separated list of ints (one per "
                   "axis), e.g. 2 or 2,1")
        raise argparse.ArgumentTypeError(message)
    values = tuple(int(item) for item in items)
    return values[0] if len(values) == 1 else values


def padding(text: str):
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


def positive(text: str) -> int:
    """A positive int flag value."""
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        message = f"{text!r} is not a positive int (>= 1)"
        raise argparse.ArgumentTypeError(message)
    return int(text)


def scale(text: str) -> int | float:
    """``"2"`` -> 2, ``"2.5"`` -> 2.5 (``"2.0"`` -> 2). Values are checked by images."""
    if not re.fullmatch(NUMBER, text.strip()):
        message = f"{text!r} is not a number; write the factor for both axes, e.g. 2 or 1.5"
        raise argparse.ArgumentTypeError(message)
    value = float(text)
    return int(value) if value.is_integer() else value


# --------------------------------------------------------------------------
# The operands and geometry of one op call

def add_operation_flags(parser, *, what: str = "explain") -> None:
    """The values and geometry flags of explain, animate and matrix."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", type=values, metavar="VALUES",
                        help='input values, e.g. "55,52;57,50" (default: the classic '
                             "example)")
    source.add_argument("--input-size", type=sizes, metavar="SIZE",
                        help="input shape filled with 1..N, e.g. 3x3 or 5")
    kernel = parser.add_mutually_exclusive_group()
    kernel.add_argument("--kernel", type=values, metavar="VALUES",
                        help='kernel values, e.g. "1,2;2,1"')
    kernel.add_argument("--kernel-size", type=sizes, metavar="SIZE",
                        help="kernel shape filled with 1..K, e.g. 3 or 3x2")
    parser.add_argument("--stride", type=ints, default=1, metavar="INTS",
                        help="stride: one int or one per axis, e.g. 2 or 2,1 (default 1)")
    parser.add_argument("--padding", type=padding, default="valid", metavar="PADDING",
                        help="padding, any form below (default valid)")
    parser.add_argument("--output-padding", type=ints, default=0, metavar="INTS",
                        help="output_padding (conv_transpose only): one int or one per "
                             "axis, each < max(stride, dilation) (default 0)")
    parser.add_argument("--dilation", type=ints, default=1, metavar="INTS",
                        help="spacing of the kernel taps: one int or one per axis "
                             "(default 1)")
    parser.add_argument("--rank", type=int, choices=(1, 2),
                        help="spatial rank; inferred from the values or sizes given, "
                             "else 2")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose",
                        help=f"the op to {what} (default conv_transpose)")


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


def operands(args) -> tuple[np.ndarray, np.ndarray]:
    """``(x, weight)`` from the value and size flags, or the classic example."""
    rank = _rank(args)
    x_default, weight_default = _CLASSIC[rank]
    x = _operand("--input", args.input, "--input-size", args.input_size, x_default, rank)
    weight = _operand("--kernel", args.kernel, "--kernel-size", args.kernel_size,
                      weight_default, rank)
    return x, weight


def _per_axis(value, rank: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * rank


def check_size(args, x: np.ndarray, weight: np.ndarray, *, limit: int) -> None:
    """Refuse, before anything is computed, a call whose large side exceeds ``limit`` values.

    The large side is the full (uncropped) output of a transposed
    convolution, or the padded input of a convolution. The sizes come from
    :func:`tconv.conv_transpose_output_shape` / :func:`tconv.conv_output_shape`,
    which also report bad geometry flags.
    """
    if args.op == "conv" and args.output_padding not in (0, (0,) * x.ndim):
        message = (f"--output-padding {args.output_padding}: output_padding is for --op "
                   "conv_transpose only; leave it 0 for --op conv")
        raise ValueError(message)
    rank = x.ndim
    geometry = {"stride": args.stride, "padding": args.padding, "dilation": args.dilation}
    if args.op == "conv":
        out = tconv.conv_output_shape(x.shape, weight.shape, **geometry)
    else:
        out = tconv.conv_transpose_output_shape(x.shape, weight.shape, **geometry,
                                                output_padding=args.output_padding)
    stride, dilation = _per_axis(args.stride, rank), _per_axis(args.dilation, rank)
    if args.op == "conv":  # the padded input is at most out * stride + span
        large = tuple(full_transpose_length(m, k, s, d) + s for m, k, s, d in
                      zip(out, weight.shape, stride, dilation))
        what = "padded input"
    else:
        large = tuple(full_transpose_length(n, k, s, d) for n, k, s, d in
                      zip(x.shape, weight.shape, stride, dilation))
        what = "full output"
    for name, shape in ((what, large), ("output", out)):
        count = math.prod(shape)
        if count > limit:
            given = ", ".join(f"{flag} {value}" for flag, value in (
                ("--stride", args.stride), ("--padding", args.padding),
                ("--dilation", args.dilation)) if value not in (0, 1, "valid"))
            message = (f"the {name} would be {'x'.join(map(str, shape))} ({count} values; "
                       f"{given or 'input and kernel as given'}); at most {limit} are "
                       "computed here: use a smaller --stride, --padding, --dilation or "
                       "input")
            raise ValueError(message)
