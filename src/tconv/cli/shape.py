"""``tconv shape``: the output size of a stack of layers, formula filled in."""

from __future__ import annotations

import argparse
import re
import textwrap

import tconv

from .._geometry import (
    conv_formula,
    conv_transpose_formula,
    conv_transpose_length,
    same_pads_conv,
    same_pads_conv_transpose,
)
from .._geometry import keras as keras_rules
from . import flags

_LAYER = re.compile(r"k(\d+)s(\d+)(?:p(\d+)(?::(\d+))?|(same|valid))?(?:o(\d+))?(?:d(\d+))?")


def _layer(text: str) -> dict:
    """``"k4s2p1"`` -> the layer's kernel_size, stride, padding, output_padding, dilation.

    ``p1`` pads both sides, ``p0:1`` (before, after); ``same``/``valid`` instead
    of ``p``; ``o1`` output_padding; ``d2`` dilation. Defaults: p0 (valid), d1.
    """
    match = _LAYER.fullmatch(re.sub(r"\s+", "", text).lower())
    if match is None:
        message = (f"{text!r} is not a layer; write k<kernel>s<stride>, then optionally "
                   "p<pad> (or p<before>:<after>, same, valid), o<output_padding>, "
                   "d<dilation>, e.g. k4s2p1 or k3s2p1o1 or k4s2same")
        raise argparse.ArgumentTypeError(message)
    k, s, lo, hi, word, op, dil = match.groups()
    padding = word or ((int(lo), int(hi if hi is not None else lo)) if lo else "valid")
    return {"text": text, "kernel_size": int(k), "stride": int(s), "padding": padding,
            "output_padding": None if op is None else int(op),
            "dilation": 1 if dil is None else int(dil)}


def _shape_step(op: str, framework: str, n: int, layer: dict) -> tuple[str, int]:
    """(formula with the numbers, output length) of one layer on length ``n``."""
    k, s, dil, padding = (layer[name] for name in ("kernel_size", "stride", "dilation",
                                                   "padding"))
    op_given = layer["output_padding"]
    # A (before, after) pair is one axis's pads: the public form is a tuple of pairs.
    pads = padding if isinstance(padding, str) else (padding,)
    if op == "conv":
        if op_given is not None:
            message = "output_padding (o) is for conv_transpose only"
            raise ValueError(message)
        (out,) = tconv.conv_output_shape(n, k, stride=s, padding=pads, dilation=dil)
        lo, hi = _pads_of(padding, tconv.conv_output_shape, n, k, s, dil)
        return conv_formula(n, k, s, dil, lo, hi), out
    if framework == "keras":
        if not isinstance(padding, str):
            message = f"Keras padding is same or valid, not {padding}"
            raise ValueError(message)
        out = keras_rules.transpose_length(n, k, s, dil, padding, op_given)
        if out < 1 or not keras_rules.output_padding_allowed(op_given, s):
            message = (f"Keras rejects it (output length {out}; output_padding must be "
                       f"< strides={s} and the output at least 1)")
            raise ValueError(message)
        return keras_rules.transpose_formula(n, k, s, dil, padding, op_given), out
    (out,) = tconv.conv_transpose_output_shape(
        n, k, stride=s, padding=pads, dilation=dil,
        output_padding=0 if op_given is None else op_given)
    lo, hi = _pads_of(padding, tconv.conv_transpose_output_shape, n, k, s, dil)
    extra = out - conv_transpose_length(n, k, s, dil, lo, hi, 0)
    return conv_transpose_formula(n, k, s, dil, lo, hi, extra), out


def _pads_of(padding, shape, n: int, k: int, s: int, dil: int) -> tuple[int, int]:
    """(before, after) of ``padding``; for "same", what the shape function used."""
    if padding == "valid":
        return 0, 0
    if padding != "same":
        return padding
    if shape is tconv.conv_output_shape:
        return same_pads_conv(n, k, s, dil)
    return same_pads_conv_transpose(n, k, s, dil)[:2]


_SHAPE_EPILOG = """\
layers (one --layer per layer, first to last):
  k4s2p1      kernel 4, stride 2, padding 1 on both sides
  k3s2p0:1    padding 0 before, 1 after
  k3s2p1o1    output_padding 1 (conv_transpose)
  k3s1p2d2    dilation 2
  k4s2same    "same" (valid is the default when no p is given)

--framework keras uses Keras 3's Conv1DTranspose rules (padding same or
valid; o sets output_padding, none means Keras's None); torch (default) is
tconv's (= PyTorch, with TensorFlow "same"); onnx gives the same sizes as torch
("same" is auto_pad SAME_UPPER or SAME_LOWER: n*stride either way).

--input 7x5 applies every layer to each axis (the layers are square).

examples:
  tconv shape --input 7 --layer k4s2p1 --layer k4s2p1
  tconv shape --input 7x5 --layer k4s2p1 --layer k3s2p1o1
  tconv shape --input 28 --layer k3s2p1 --layer k3s2p1 --op conv
  tconv shape --input 7 --layer k3s2same --framework keras
"""


def register(commands) -> None:
    parser = commands.add_parser(
        "shape", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="output length of a layer or a stack of layers, formula filled in",
        description=textwrap.fill(
            "Print the output size of each layer of a stack of transposed "
            "convolutions (or, with --op conv, convolutions), with the size formula "
            "and the numbers, per axis.", 78),
        epilog=_SHAPE_EPILOG)
    parser.add_argument("--input", type=flags.sizes, required=True, metavar="SIZE",
                        help="input length or size, e.g. 7 or 7x5")
    parser.add_argument("--layer", type=_layer, action="append", required=True,
                        metavar="LAYER", help="a layer such as k4s2p1; repeat for a stack")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose", help="the op (default conv_transpose)")
    parser.add_argument("--framework", choices=("torch", "keras", "onnx"), default="torch",
                        help="size rules of conv_transpose (default torch)")
    parser.set_defaults(run=run, command_parser=parser)


def run(args, parser) -> int:
    # ONNX ConvTranspose sizes are PyTorch's; its SAME_* give n*stride as "same" does.
    framework = "torch" if args.op == "conv" or args.framework == "onnx" else args.framework
    sizes = args.input
    shown = "x".join(map(str, sizes))
    what = "length" if len(sizes) == 1 else "size"
    print(f"tconv shape: {args.op}, {args.framework} rules, input {what} {shown}")
    if args.op == "conv":
        print("  out = (n + before + after - dilation*(k-1) - 1) // stride + 1")
    elif framework == "torch":
        print("  out = (n-1)*stride + dilation*(k-1) + 1 - before - after "
              "+ output_padding")
    else:
        print("  Keras (ke = dilation*(k-1) + 1): valid (n-1)*s + max(ke, s), or with")
        print("  output_padding (n-1)*s + ke + op; same n*s, or (n-1)*s + ke mod 2 + op")
    width = max(len(layer["text"]) for layer in args.layer)
    for index, layer in enumerate(args.layer, 1):
        steps = []
        for n in sizes:
            try:
                steps.append(_shape_step(args.op, framework, n, layer))
            except ValueError as error:
                message = f"--layer {index} ({layer['text']}) on length {n}: {error}"
                raise ValueError(message) from None
        out = tuple(size for _, size in steps)
        change = f"{'x'.join(map(str, sizes))} -> {'x'.join(map(str, out))}"
        if len(sizes) == 1:
            print(f"  layer {index}  {layer['text']:<{width}}  {change}: {steps[0][0]}")
        else:
            print(f"  layer {index}  {layer['text']:<{width}}  {change}")
            for axis, (formula, _) in enumerate(steps):
                print(f"    axis {axis}: {formula}")
        sizes = out
    print(f"output {what} {'x'.join(map(str, sizes))}")
    return 0
