"""``tconv translate``: one layer's parameters in another framework's convention.

The command over :func:`tconv.translate`. Parameters
are ``NAME=VALUE`` words in the source framework's own names; values are read
as Python literals where they are one (``3``, ``3,3``, ``[1, 1, 0, 0]``,
``((1, 2), (1, 2))``, ``False``) and as plain strings otherwise (``same``).
"""

from __future__ import annotations

import argparse
import ast
import re
import textwrap

import tconv

from .._translate import FRAMEWORKS
from . import flags

_EPILOG = """\
PARAM words use the source framework's names. Frameworks that do not name
channel counts or (JAX) the kernel size take in_channels=, out_channels=
(Keras: in_channels=) and kernel_size= as extras, so the target call can hold
them. The rank is taken from a tuple kernel size, else --rank.

examples:
  tconv translate --from keras --to torch kernel_size=3 strides=2 padding=same filters=8
  tconv translate --from keras --to torch --op conv --input-size 32x32 \\
      kernel_size=3 strides=2 padding=same filters=8 in_channels=16
  tconv translate --from torch --to jax kernel_size=4 stride=2 padding=1
  tconv translate --from onnx --to keras --op conv --input-size 8 --rank 1 \\
      kernel_shape=[3] strides=[2] auto_pad=SAME_LOWER
"""


def _value(text: str):
    """A parameter value: a Python literal where it is one, else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _param(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` -> ``(name, value)``."""
    name, equals, value = text.partition("=")
    if not equals or not re.fullmatch(r"[A-Za-z_]\w*", name.strip()) or not value.strip():
        message = (f"{text!r} is not a parameter; write NAME=VALUE in the source "
                   "framework's names, e.g. kernel_size=3 or padding=same")
        raise argparse.ArgumentTypeError(message)
    return name.strip(), _value(value.strip())


def _input_size(text: str) -> int | tuple[int, ...]:
    """``"32x32"``, ``"32,32"`` -> (32, 32); ``"32"`` -> 32."""
    sizes = flags.sizes(text)
    return sizes[0] if len(sizes) == 1 else sizes


def register(commands) -> None:
    parser = commands.add_parser(
        "translate", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="write a layer's parameters in another framework's convention",
        description=textwrap.fill(
            "Print the equivalent call of a convolution or transposed convolution in "
            "another framework (PyTorch, Keras 3, ONNX, JAX lax), whether it is exact, "
            "the exact recipe (explicit pad/crop) when it is not, and how to convert "
            "the weight (tconv.translate).", 78),
        epilog=_EPILOG)
    parser.add_argument("--from", dest="source", choices=FRAMEWORKS, required=True,
                        help="the framework the parameters are written for")
    parser.add_argument("--to", dest="target", choices=FRAMEWORKS, required=True,
                        help="the framework to write them for")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose", help="the layer (default conv_transpose)")
    parser.add_argument("--rank", type=int, choices=(1, 2, 3),
                        help="spatial rank (default: the length of a tuple kernel size, "
                             "else 2)")
    parser.add_argument("--input-size", type=_input_size, metavar="SIZE",
                        help="spatial input size, e.g. 32x32; needed where the answer "
                             "depends on it (e.g. Keras 'same' convolution with stride > 1)")
    parser.add_argument("params", nargs="*", type=_param, metavar="PARAM",
                        help="NAME=VALUE in the source framework's names")
    parser.set_defaults(run=run, command_parser=parser)


def _rank(args, params: dict) -> int:
    if args.rank is not None:
        return args.rank
    for name in ("kernel_size", "kernel_shape"):
        value = params.get(name)
        if isinstance(value, (tuple, list)) and len(value) in (1, 2, 3):
            return len(value)
    return 2


def run(args, parser) -> int:
    params = dict(args.params)
    if len(params) != len(args.params):
        names = [name for name, _ in args.params]
        repeated = sorted({name for name in names if names.count(name) > 1})
        message = f"parameter {', '.join(repeated)} given more than once"
        raise ValueError(message)
    input_size = args.input_size
    if "input_size" in params:
        # The library's advice says "give input_size=(H, W)": accept it as a
        # parameter too, but not twice.
        if input_size is not None:
            message = ("input_size given twice, as --input-size and as the parameter "
                       "input_size=...; give it once")
            raise ValueError(message)
        input_size = params.pop("input_size")
    rank = _rank(args, params)
    result = tconv.translate(args.source, args.target, op=args.op, rank=rank,
                             input_size=input_size, **params)
    print(f"tconv translate: {args.source} {args.op} -> {args.target}, {rank}-D"
          + ("" if result.output_size is None else
             f", output size {'x'.join(map(str, result.output_size))}"))
    print(result)
    return 0
