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
import math
import os
import re
import sys
import textwrap

import numpy as np

import tconv

from .. import __version__, images
from .._explain import explain, explain_text
from .._geometry import keras_transpose_window, same_pads_conv, same_pads_conv_transpose
from .animate import _add_animate, write_png
from .flags import _NUMBER, _add_operation_flags, _ints, _operands, _sizes

# tconv upsample computes in float64 (8 bytes per value); a larger output is
# refused before the work starts rather than failing for memory half way.
MAX_OUTPUT_PIXELS = 64 * 2**20


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
            "Output fits 80 columns. --png also draws it.", 78),
        epilog=_EXPLAIN_EPILOG)
    _add_operation_flags(parser)
    parser.add_argument("--width", type=int, default=80, metavar="COLUMNS",
                        help="longest output line, at least 40 (default 80)")
    parser.add_argument("--png", metavar="PATH",
                        help="also draw the op into this PNG: input, kernel, full and "
                             "cropped output, zero-insertion view (needs tconv[viz])")
    parser.set_defaults(run=_run_explain, command_parser=parser)


def _run_explain(args, parser) -> int:
    x, weight = _operands(args)
    geometry = {"op": args.op, "stride": args.stride, "padding": args.padding,
                "output_padding": args.output_padding, "dilation": args.dilation}
    # With --png, a call too large to draw is refused before any text is printed.
    drawn = explain(x, weight, **geometry) if args.png is not None else None
    print(explain_text(x, weight, **geometry, width=args.width))
    if drawn is not None:
        write_png(args.png, drawn)
    return 0


# --------------------------------------------------------------------------
# tconv upsample, tconv compare

def _scale(text: str) -> int | float:
    """``"2"`` -> 2, ``"2.5"`` -> 2.5 (``"2.0"`` -> 2). Values are checked by images."""
    if not re.fullmatch(_NUMBER, text.strip()):
        message = f"{text!r} is not a number; write the factor for both axes, e.g. 2 or 1.5"
        raise argparse.ArgumentTypeError(message)
    value = float(text)
    return int(value) if value.is_integer() else value


def _crop(text: str) -> tuple[int, ...]:
    """``"10,20,32,32"`` -> (10, 20, 32, 32). Whether it fits is checked by images."""
    items = [item.strip() for item in text.split(",")]
    if len(items) != 4 or not all(re.fullmatch(r"\d+", item) for item in items):
        message = (f"{text!r} is not a crop; write X,Y,W,H: left column, top row, width "
                   "and height in pixels, e.g. 10,20,32,32")
        raise argparse.ArgumentTypeError(message)
    return tuple(int(item) for item in items)


def _add_input(parser, what: str) -> None:
    """The input: an optional positional IN, or --input IN; default the sample."""
    parser.add_argument("in_path", nargs="?", metavar="IN",
                        help=f"the image to {what} (default: tconv's sample image, "
                             "RGB 96x96)")
    parser.add_argument("--input", dest="in_flag", metavar="IN",
                        help="the input image, as a flag instead of the positional IN")


def _read_input(args) -> tuple[np.ndarray, str, str]:
    """(values, mode, name) of the input image; file problems become ValueErrors."""
    if args.in_path is not None and args.in_flag is not None:
        message = (f"IN={args.in_path!r} and --input={args.in_flag!r}: give the input "
                   "once, as IN or as --input")
        raise ValueError(message)
    path = args.in_flag if args.in_flag is not None else args.in_path
    try:
        values, mode = images.read_image(path)
    except FileNotFoundError:
        message = f"IN={path!r}: no such file"
        raise ValueError(message) from None
    except IsADirectoryError:
        message = f"IN={path!r} is a directory, not an image file"
        raise ValueError(message) from None
    except OSError as error:  # PIL.UnidentifiedImageError is an OSError
        message = f"IN={path!r}: not an image Pillow can read ({error})"
        raise ValueError(message) from None
    name = images.SAMPLE if path is None else os.path.basename(path)
    return values, mode, name


def _write_output(flag: str, path: str, write):
    """Return ``write()``; Pillow's complaints about ``path`` become ValueErrors."""
    try:
        return write()
    except (OSError, ValueError, KeyError) as error:
        message = (f"{flag}={path!r}: cannot write it ({error}); use a format that holds "
                   "the image's mode, e.g. .png")
        raise ValueError(message) from None


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

IN and OUT go next to each other, before or after the flags; or give the input
as --input IN.

examples:
  tconv upsample out.png                       # the sample, bilinear, x2
  tconv upsample photo.png big.png --method bicubic --scale 4
  tconv upsample photo.png big.png --method nearest-exact --scale 1.5
  tconv upsample big.png --input photo.png --method transposed --kernel nearest
"""


def _add_upsample(commands) -> None:
    parser = commands.add_parser(
        "upsample", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="up-sample an image file with one method",
        description=textwrap.fill(
            "Up-sample an image (default: the sample image) by --scale with one of "
            "tconv's fixed up-sampling methods and write it in the same mode and bit "
            "depth.", 78),
        epilog=_UPSAMPLE_EPILOG)
    _add_input(parser, "up-sample")
    parser.add_argument("out_path", metavar="OUT",
                        help="the file to write; its extension picks the format (.png)")
    parser.add_argument("--method", choices=images.METHODS, default="bilinear",
                        metavar="M", help=f"one of {', '.join(images.METHODS)} "
                                          "(default bilinear)")
    parser.add_argument("--scale", type=_scale, default=2, metavar="S",
                        help="factor for both axes, >= 1; an integer for bed-of-nails "
                             "and transposed (default 2)")
    parser.add_argument("--kernel", choices=images.KERNELS, metavar="K",
                        help="fixed kernel of --method transposed: bilinear (default) "
                             "or nearest")
    parser.add_argument("--align-corners", action="store_true",
                        help="align_corners=True (bilinear and bicubic only)")
    parser.set_defaults(run=_run_upsample, command_parser=parser)


def _run_upsample(args, parser) -> int:
    values, mode, name = _read_input(args)
    height, width = (math.floor(size * args.scale) for size in values.shape[1:])
    if height * width > MAX_OUTPUT_PIXELS:
        message = (f"scale={args.scale} would make the {_size(values)} input "
                   f"{width}x{height} pixels; at most {MAX_OUTPUT_PIXELS // 2**20} "
                   "megapixels are written (a smaller --scale or a crop of the input)")
        raise ValueError(message)
    result = images.upsample(values, args.method, args.scale, kernel=args.kernel,
                             align_corners=True if args.align_corners else None)
    clamped = _write_output("OUT", args.out_path,
                            lambda: images.write_image(args.out_path, result, mode))
    method = args.method
    if method == "transposed":
        method += f" ({args.kernel or 'bilinear'} kernel)"
    print(f"wrote {args.out_path}: {mode} {_size(result)} from {name} {_size(values)}, "
          f"{method}, scale {args.scale}")
    if clamped:
        top = images.MAX_VALUE[mode]
        print(f"note: {clamped} of {result.size} values fell outside 0..{top} and were "
              "clamped")
    return 0


_COMPARE_EPILOG = """\
The montage has one tile per method, each the crop up-sampled by --scale on its
own (so the crop's edges show each method's border handling), titled, after a
tile with the whole input and the crop outlined in red:
  nearest, nearest-exact, bilinear, bicubic, bed-of-nails,
  transposed: bilinear, transposed: nearest (the two fixed --kernel choices)
Stored values are shown as a viewer would: 16-bit grey mapped to 8 bits, RGBA
over the light grey background. The montage is RGB.

examples:
  tconv compare -o montage.png                 # the sample, x4
  tconv compare photo.png --scale 8 --crop 100,40,32,32 -o montage.png
"""


def _add_compare(commands) -> None:
    parser = commands.add_parser(
        "compare", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="draw every up-sampling method side by side, as one labelled image",
        description=textwrap.fill(
            "Up-sample one crop of an image (default: the sample image) with every "
            "method of 'tconv upsample' and write a labelled montage of the results.",
            78),
        epilog=_COMPARE_EPILOG)
    _add_input(parser, "crop")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="the montage file to write (.png)")
    parser.add_argument("--scale", type=_scale, default=4, metavar="S",
                        help="integer factor for both axes (default 4)")
    parser.add_argument("--crop", type=_crop, metavar="X,Y,W,H",
                        help="left column, top row, width and height of the crop "
                             f"(default: the central crop, at most {images.DEFAULT_CROP}"
                             f"x{images.DEFAULT_CROP})")
    parser.set_defaults(run=_run_compare, command_parser=parser)


def _run_compare(args, parser) -> int:
    values, mode, name = _read_input(args)
    sheet = images.montage(values, mode, args.scale, crop=args.crop, name=name)
    _write_output("--output", args.output, lambda: sheet.save(args.output))
    x, y, width, height = args.crop or images.central_crop(values.shape[1:])
    print(f"wrote {args.output}: {sheet.width}x{sheet.height} montage of "
          f"{len(images.MONTAGE_TILES)} methods on the {width}x{height} crop at "
          f"({x}, {y}) of {name}, scale {args.scale}")
    return 0


# --------------------------------------------------------------------------
# tconv shape, tconv solve

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
        return f"({n} + {lo} + {hi} - {dil}*({k}-1) - 1) // {s} + 1 = {out}", out
    if framework == "keras":
        if not isinstance(padding, str):
            message = f"Keras padding is same or valid, not {padding}"
            raise ValueError(message)
        out = keras_transpose_window(n, k, s, dil, padding, op_given)[1]
        if out < 1 or (op_given is not None and op_given >= s):
            message = (f"Keras rejects it (output length {out}; output_padding must be "
                       f"< strides={s} and the output at least 1)")
            raise ValueError(message)
        ke = f"{dil}*({k}-1) + 1"
        if padding == "same" and op_given is None:
            return f"{n}*{s} = {out}", out
        if padding == "same":
            return f"({n}-1)*{s} + ({ke}) mod 2 + {op_given} = {out}", out
        if op_given is None:
            return f"({n}-1)*{s} + max({ke}, {s}) = {out}", out
        return f"({n}-1)*{s} + {ke} + {op_given} = {out}", out
    (out,) = tconv.conv_transpose_output_shape(
        n, k, stride=s, padding=pads, dilation=dil,
        output_padding=0 if op_given is None else op_given)
    lo, hi = _pads_of(padding, tconv.conv_transpose_output_shape, n, k, s, dil)
    op_used = out - ((n - 1) * s + dil * (k - 1) + 1 - lo - hi)
    return f"({n}-1)*{s} + {dil}*({k}-1) + 1 - {lo} - {hi} + {op_used} = {out}", out


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


def _add_shape(commands) -> None:
    parser = commands.add_parser(
        "shape", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="output length of a layer or a stack of layers, formula filled in",
        description=textwrap.fill(
            "Print the output size of each layer of a stack of transposed "
            "convolutions (or, with --op conv, convolutions), with the size formula "
            "and the numbers, per axis.", 78),
        epilog=_SHAPE_EPILOG)
    parser.add_argument("--input", type=_sizes, required=True, metavar="SIZE",
                        help="input length or size, e.g. 7 or 7x5")
    parser.add_argument("--layer", type=_layer, action="append", required=True,
                        metavar="LAYER", help="a layer such as k4s2p1; repeat for a stack")
    parser.add_argument("--op", choices=("conv_transpose", "conv"),
                        default="conv_transpose", help="the op (default conv_transpose)")
    parser.add_argument("--framework", choices=("torch", "keras", "onnx"), default="torch",
                        help="size rules of conv_transpose (default torch)")
    parser.set_defaults(run=_run_shape, command_parser=parser)


def _run_shape(args, parser) -> int:
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


def _positive(text: str) -> int:
    """A positive int flag value."""
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        message = f"{text!r} is not a positive int (>= 1)"
        raise argparse.ArgumentTypeError(message)
    return int(text)


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


def _add_solve(commands) -> None:
    parser = commands.add_parser(
        "solve", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="find the transposed convolutions that map one length to another",
        description=textwrap.fill(
            "List every 1-D transposed convolution (or chain of --layers of them) "
            "mapping length INPUT to length OUTPUT, best first, with the parameter "
            "names of --framework and the equivalent constructor calls "
            "(tconv.solve).", 78),
        epilog=_SOLVE_EPILOG)
    parser.add_argument("input_size", type=_positive, metavar="INPUT",
                        help="input length")
    parser.add_argument("output_size", type=_positive, metavar="OUTPUT",
                        help="wanted output length")
    parser.add_argument("--layers", type=_positive, default=1, metavar="L",
                        help="layers in the chain (default 1)")
    parser.add_argument("--kernel", type=_positive, metavar="K",
                        help="fix the kernel size of every layer")
    parser.add_argument("--stride", type=_positive, metavar="S",
                        help="fix the stride of every layer")
    parser.add_argument("--dilation", type=_positive, metavar="D",
                        help="fix the dilation of every layer")
    parser.add_argument("--framework", choices=("torch", "keras", "onnx"),
                        default="torch", help="parameter names and rules (default torch)")
    parser.add_argument("--max", type=_positive, default=20, metavar="N",
                        help="show at most N answers (default 20)")
    parser.set_defaults(run=_run_solve, command_parser=parser)


def _chain_sizes(framework: str, n: int, chain) -> list[int]:
    sizes = [n]
    for layer in chain:
        k, s, padding, op, dil = (getattr(layer, name) for name in _FIELDS[framework])
        if framework == "keras":
            sizes.append(keras_transpose_window(sizes[-1], k, s, dil, padding, op)[1])
            continue
        pads = padding if framework == "onnx" else (padding, padding)
        (out,) = tconv.conv_transpose_output_shape(sizes[-1], k, stride=s, padding=(pads,),
                                                   output_padding=op, dilation=dil)
        sizes.append(out)
    return sizes


def _run_solve(args, parser) -> int:
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
            rows.append([str(rank) if index == 0 else "", str(index + 1), *values,
                         f"{sizes[index]} -> {sizes[index + 1]}"])
    header = ["#", "layer", *fields, "sizes"]
    if args.layers == 1:
        header, rows = [header[0], *header[2:]], [[row[0], *row[2:]] for row in rows]
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


# --------------------------------------------------------------------------
# tconv checkerboard

_CHECKERBOARD_EPILOG = """\
Coverage = how many input-times-tap products land on each output position
(a transposed convolution of all ones with an all-ones kernel). The interior
(away from the borders by the kernel span) repeats with the stride (the
product of strides for --layers); score = (max - min) / mean over it, 0 when
uniform. The gradient line is the same count for the strided forward
convolution's input gradient (how often each input is read).

examples:
  tconv checkerboard --kernel 3 --stride 2
  tconv checkerboard --kernel 4 --stride 2 --layers 3 --rank 1
  tconv checkerboard --kernel 3 --stride 2 --dilation 2 --rank 1
  tconv checkerboard --kernel 3 --stride 2 --layers 2 --png heatmap.png
"""


def _add_checkerboard(commands) -> None:
    parser = commands.add_parser(
        "checkerboard", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="overlap analysis: does a transposed convolution make a checkerboard?",
        description=textwrap.fill(
            "Print the interior coverage pattern (one period) of a transposed "
            "convolution, or of --layers identical ones stacked, its unevenness score, "
            "the verdict and the fixes (tconv.checkerboard); --png draws the coverage "
            "as a heatmap.", 78),
        epilog=_CHECKERBOARD_EPILOG)
    parser.add_argument("--kernel", type=_ints, required=True, metavar="INTS",
                        help="kernel size: one int or one per axis, e.g. 3 or 3,4")
    parser.add_argument("--stride", type=_ints, required=True, metavar="INTS",
                        help="stride: one int or one per axis")
    parser.add_argument("--layers", type=_positive, default=1, metavar="L",
                        help="identical layers stacked (default 1)")
    parser.add_argument("--padding", type=_ints, default=0, metavar="INTS",
                        help="padding cropped from each end (default 0)")
    parser.add_argument("--output-padding", type=_ints, default=0, metavar="INTS",
                        help="output_padding (default 0)")
    parser.add_argument("--dilation", type=_ints, default=1, metavar="INTS",
                        help="spacing of the kernel taps (default 1)")
    parser.add_argument("--rank", type=int, choices=(1, 2), default=2,
                        help="spatial rank (default 2)")
    parser.add_argument("--png", metavar="FILE",
                        help="write a heatmap of the coverage (needs matplotlib: the "
                             "viz extra)")
    parser.set_defaults(run=_run_checkerboard, command_parser=parser)


def _grid(values) -> list[str]:
    """Rows of a 1-D or 2-D array of counts, right-aligned, two spaces in."""
    rows = np.atleast_2d(values)
    cells = [[f"{value:g}" for value in row] for row in rows]
    width = max(len(cell) for row in cells for cell in row)
    return ["  " + " ".join(cell.rjust(width) for cell in row) for row in cells]


def _run_checkerboard(args, parser) -> int:
    result = tconv.checkerboard(args.kernel, args.stride, padding=args.padding,
                                output_padding=args.output_padding,
                                dilation=args.dilation, rank=args.rank,
                                layers=args.layers)
    if args.png is not None:  # before printing, so a bad path prints only the error
        try:
            result.save_heatmap(args.png)
        except (OSError, ValueError) as error:
            message = f"--png={args.png!r}: cannot write it ({error})"
            raise ValueError(message) from None
    layers = "1 layer" if args.layers == 1 else f"{args.layers} layers stacked"
    print(f"tconv checkerboard: kernel {args.kernel}, stride {args.stride}, padding "
          f"{args.padding}, dilation {args.dilation}, {layers}, {args.rank}-D")
    if args.rank == 1:
        print(f"coverage of {result.in_size[0]} inputs (interior "
              f"{result.interior[0][0]}..{result.interior[0][1] - 1}):")
        print(textwrap.fill(" ".join(f"{v:g}" for v in result.coverage), 78,
                            initial_indent="  ", subsequent_indent="  "))
    period = "x".join(map(str, result.period))
    print(f"interior pattern, one period ({period}), phase 0 first:")
    print("\n".join(_grid(result.phases)))
    print(f"score: {result.score:.4g}  ((max - min) / mean over the interior; 0 = "
          "uniform)")
    same = np.array_equal(result.gradient_phases, result.phases)
    print(f"gradient (inputs read by the strided conv): score "
          f"{result.gradient_score:.4g}"
          + (", same pattern" if same else ", pattern:"))
    if not same:
        print("\n".join(_grid(result.gradient_phases)))
    for line in result.verdict.splitlines():
        print(textwrap.fill(line, 78, subsequent_indent="  "))
    if args.png is not None:
        shape = "x".join(map(str, result.coverage.shape))
        print(f"wrote {args.png}: heatmap of the {shape} coverage, interior boxed in red")
    return 0


# --------------------------------------------------------------------------

from .._cli_train import _add_train
from .matrix import _add_matrix, _add_tour
from .resize_diff import _add_resize_diff
from .translate import _add_translate

_COMMANDS = (_add_explain, _add_upsample, _add_compare, _add_shape, _add_solve,
             _add_checkerboard, _add_matrix, _add_tour, _add_animate, _add_translate,
             _add_resize_diff, _add_train)


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
