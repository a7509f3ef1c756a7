"""``tconv solve``: the transposed convolutions that map one length to another."""

from __future__ import annotations

import argparse
import textwrap

import tconv

from .._geometry import keras as keras_rules
from . import flags

_SOLVE_EPILOG = """\
The search space (per layer): stride 1..ceil(output/input), kernel
1..max(2*stride + 1, 7), dilation 1..3, padding 0..dilation*(kernel-1) per
side, every legal output_padding. Best first: kernel divisible by stride (no
checkerboard), no output_padding, dilation 1, small kernel, little padding.
With --layers > 1 the sizes between layers run over input..output.

examples:
  tconv solve 7 14
  tconv solve 7 28 --layers 2 --kernel 4
  tconv solve 16 32 --framework keras --max 5
  tconv solve 5 11 --framework onnx --stride 2
"""

_FIELDS = {
    "torch": ("kernel_size", "stride", "padding", "output_padding", "dilation"),
    "keras": ("kernel_size", "strides", "padding", "output_padding", "dilation_rate"),
    "onnx": ("kernel_shape", "strides", "pads", "output_padding", "dilations"),
}


def register(commands) -> None:
    parser = commands.add_parser(
        "solve", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="find the transposed convolutions that map one length to another",
        description=textwrap.fill(
            "List every 1-D transposed convolution (or chain of --layers of them) "
            "mapping length INPUT to length OUTPUT, best first, with the parameter "
            "names of --framework and the equivalent constructor calls "
            "(tconv.solve).", 78),
        epilog=_SOLVE_EPILOG)
    parser.add_argument("input_size", type=flags.positive, metavar="INPUT",
                        help="input length")
    parser.add_argument("output_size", type=flags.positive, metavar="OUTPUT",
                        help="wanted output length")
    parser.add_argument("--layers", type=flags.positive, default=1, metavar="L",
                        help="layers in the chain (default 1)")
    parser.add_argument("--kernel", type=flags.positive, metavar="K",
                        help="fix the kernel size of every layer")
    parser.add_argument("--stride", type=flags.positive, metavar="S",
                        help="fix the stride of every layer")
    parser.add_argument("--dilation", type=flags.positive, metavar="D",
                        help="fix the dilation of every layer")
    parser.add_argument("--framework", choices=("torch", "keras", "onnx"),
                        default="torch", help="parameter names and rules (default torch)")
    parser.add_argument("--max", type=flags.positive, default=20, metavar="N",
                        help="show at most N answers (default 20)")
    parser.set_defaults(run=run, command_parser=parser)


def _chain_sizes(framework: str, n: int, chain) -> list[int]:
    sizes = [n]
    for layer in chain:
        k, s, padding, op, dil = (getattr(layer, name) for name in _FIELDS[framework])
        if framework == "keras":
            sizes.append(keras_rules.transpose_length(sizes[-1], k, s, dil, padding, op))
            continue
        pads = padding if framework == "onnx" else (padding, padding)
        (out,) = tconv.conv_transpose_output_shape(sizes[-1], k, stride=s, padding=(pads,),
                                                   output_padding=op, dilation=dil)
        sizes.append(out)
    return sizes


def run(args, parser) -> int:
    found = tconv.solve(args.input_size, args.output_size, layers=args.layers,
                        kernel_size=args.kernel, stride=args.stride,
                        dilation=args.dilation, framework=args.framework,
                        max_results=args.max)
    layers = "1 layer" if args.layers == 1 else f"{args.layers} layers"
    print(f"tconv solve: {args.input_size} -> {args.output_size}, {layers}, "
          f"{args.framework}")
    if not found:
        print("no configuration in the search space reaches that length (see "
              "'tconv solve --help')")
        return 0
    chains = [(item,) if args.layers == 1 else item for item in found]
    fields = _FIELDS[args.framework]
    rows = []
    for rank, chain in enumerate(chains, 1):
        sizes = _chain_sizes(args.framework, args.input_size, chain)
        for index, layer in enumerate(chain):
            values = ["" if value is None else
                      f"{value[0]}:{value[1]}" if isinstance(value, tuple) else str(value)
                      for value in (getattr(layer, name) for name in fields)]
            # "#": the rank, and for a chain "rank.layer" (2.1, 2.2, ...)
            number = str(rank) if args.layers == 1 else f"{rank}.{index + 1}"
            rows.append([number, *values,
                         f"{sizes[index]} -> {sizes[index + 1]}",
                         "holes" if layer.has_holes else f"{layer.score:.3g}"])
    # score: tconv.checkerboard's unevenness (0 = every interior output gets
    # the same number of kernel copies); "holes": outputs no weight can reach,
    # ranked last whatever their score.
    header = ["#", *fields, "sizes", "score"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  " + " ".join(cell.ljust(width) for cell, width in zip(row, widths))
              .rstrip())
    print(f"{len(found)} shown, best first (at most --max {args.max})")
    print("equivalent calls:")
    for rank, chain in enumerate(chains, 1):
        for index, layer in enumerate(chain):
            label = f"{rank}." if index == 0 else ""
            print(textwrap.fill(layer.call, 78, initial_indent=f"  {label:<4}",
                                subsequent_indent="        "))
    return 0
