"""``tconv resize-diff``: which output pixels do two resize settings disagree on?

Both settings are translated to ONNX Resize attributes
(:func:`tconv.resize_to_onnx`, or given as ONNX attributes directly), both
outputs are computed with :func:`tconv.onnx.resize` on one test signal, and
the disagreeing pixels are printed with the source coordinate each setting
reads (and, for nearest, the index it rounds to) and the values it produces.
"""

from __future__ import annotations

import argparse
import math
import re
import textwrap

import numpy as np

import tconv
import tconv.onnx

from .. import _resize
from .._resize_translate import FRAMEWORKS
from . import flags

# Shown in full up to this many disagreeing pixels; the rest are counted.
MAX_LISTED = 40
# The grid of marks is drawn up to this width.
MAX_GRID = 64
# IN and OUT are checked against this many values before any array is made.
MAX_VALUES = 2**20

_EPILOG = """\
settings:  FRAMEWORK:key=value,key=value
  torch:mode=nearest             torch.nn.functional.interpolate
  torch:mode=bilinear,align_corners=true,antialias=true
  jax:method=cubic               jax.image.resize (antialias defaults to true)
  keras:interpolation=bicubic    keras.ops.image.resize, UpSampling2D (TF
  tf:interpolation=bilinear      semantics; antialias defaults to false)
  onnx:mode=nearest,coordinate_transformation_mode=half_pixel,nearest_mode=floor
                                 ONNX Resize attributes (defaults as ONNX's;
                                 cubic_coeff_a, exclude_outside, antialias too)
  "mode=" is accepted for jax's method and keras's interpolation.

sizes: 8 (1-D) or 5x5 (2-D); IN and OUT must have the same rank.

examples:
  tconv resize-diff 5 8 torch:mode=nearest torch:mode=nearest-exact
  tconv resize-diff 4x4 7x7 torch:mode=bicubic jax:method=cubic,antialias=false
  tconv resize-diff 5 8 torch:mode=nearest \\
      onnx:mode=nearest,coordinate_transformation_mode=half_pixel,nearest_mode=round_prefer_ceil
  tconv resize-diff 6 3 torch:mode=bilinear torch:mode=bilinear,antialias=true --input 0,0,9,9,0,0
"""

_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_ONNX_INTS = ("antialias", "exclude_outside")
_ONNX_FLOATS = ("cubic_coeff_a",)
_ONNX_STRINGS = ("mode", "coordinate_transformation_mode", "nearest_mode")
_MODE_KEYS = {"torch": "mode", "jax": "method", "tf": "interpolation",
              "keras": "interpolation"}
_DEFAULT_ANTIALIAS = {"torch": False, "jax": True, "tf": False, "keras": False}


class Setting:
    """One parsed setting: its text and its ONNX Resize attributes."""

    def __init__(self, text: str, attributes: dict):
        self.text, self.attributes = text, attributes

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.attributes.items())


def _setting(text: str) -> Setting:
    """``"torch:mode=bilinear,align_corners=true"`` -> ONNX attributes."""
    framework, sep, rest = text.partition(":")
    framework = framework.strip().lower()
    if not sep or framework not in FRAMEWORKS + ("onnx",):
        message = (f"{text!r} is not a setting; write FRAMEWORK:key=value,... with "
                   f"FRAMEWORK one of {', '.join(FRAMEWORKS + ('onnx',))}, e.g. "
                   "torch:mode=bilinear")
        raise argparse.ArgumentTypeError(message)
    pairs = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not re.fullmatch(r"[a-z_]+", key.strip()):
            message = f"{text!r}: {item!r} is not key=value"
            raise argparse.ArgumentTypeError(message)
        pairs[key.strip()] = value.strip()
    try:
        attributes = (_onnx_attributes(pairs) if framework == "onnx"
                      else _framework_attributes(framework, pairs))
    except (ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None
    return Setting(text, attributes)


def _flag(key: str, value: str) -> bool:
    if value.lower() not in _BOOL:
        message = f"{key}={value!r} must be true or false"
        raise ValueError(message)
    return _BOOL[value.lower()]


def _framework_attributes(framework: str, pairs: dict) -> dict:
    key = _MODE_KEYS[framework]
    if "mode" in pairs and key != "mode":
        pairs[key] = pairs.pop("mode")
    allowed = {key, "antialias"} | ({"align_corners"} if framework == "torch" else set())
    unknown = sorted(set(pairs) - allowed)
    if unknown:
        message = f"unknown key {unknown[0]!r} for {framework}; known: {sorted(allowed)}"
        raise ValueError(message)
    if key not in pairs:
        message = f"{framework} needs {key}=..., e.g. {key}=nearest"
        raise ValueError(message)
    options = {"antialias": _flag("antialias", pairs["antialias"]) if "antialias" in pairs
               else _DEFAULT_ANTIALIAS[framework]}
    if "align_corners" in pairs:
        options["align_corners"] = _flag("align_corners", pairs["align_corners"])
    return tconv.resize_to_onnx(framework, pairs[key], **options)


def _onnx_attributes(pairs: dict) -> dict:
    known = _ONNX_STRINGS + _ONNX_INTS + _ONNX_FLOATS
    unknown = sorted(set(pairs) - set(known))
    if unknown:
        message = f"unknown ONNX Resize attribute {unknown[0]!r}; known: {list(known)}"
        raise ValueError(message)
    attributes = {}
    for key, value in pairs.items():
        if key in _ONNX_INTS:
            if value not in ("0", "1"):
                message = f"{key}={value!r} must be 0 or 1"
                raise ValueError(message)
            attributes[key] = int(value)
        elif key in _ONNX_FLOATS:
            try:
                attributes[key] = float(value)
            except ValueError:
                message = f"{key}={value!r} must be a number"
                raise ValueError(message) from None
        else:
            attributes[key] = value
    return attributes


def register(commands) -> None:
    parser = commands.add_parser(
        "resize-diff", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="which output pixels two resize settings (torch, jax, keras, onnx) disagree on",
        description=textwrap.fill(
            "Translate two resize settings to ONNX Resize attributes "
            "(tconv.resize_to_onnx), resize one test signal from IN to OUT with each "
            "(tconv.onnx.resize), and print the output pixels where they disagree: "
            "the source coordinate each reads, both values, a grid of marks for 2-D, "
            "the count and the largest difference.", 78),
        epilog=_EPILOG)
    parser.add_argument("in_size", type=flags.sizes, metavar="IN", help="input size: 5 or 5x5")
    parser.add_argument("out_size", type=flags.sizes, metavar="OUT", help="output size: 8 or 8x8")
    parser.add_argument("first", type=_setting, metavar="A", help="the first setting")
    parser.add_argument("second", type=_setting, metavar="B", help="the second setting")
    parser.add_argument("--input", type=flags.values, metavar="VALUES",
                        help='the signal: "1,2,3" (1-D) or "1,2;3,4" (2-D); its shape must '
                             "be IN")
    parser.add_argument("--signal", choices=("ramp", "impulse"), default="ramp",
                        help="without --input: ramp (0, 1, 2, ...; 2-D: 10*row + col) or "
                             "impulse (1 in the middle); default ramp")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when some pixel differs")
    parser.set_defaults(run=run, command_parser=parser)


def signal(in_size: tuple[int, ...], kind: str) -> np.ndarray:
    """The default test signal: a ramp (2-D: ``10*row + col``) or a centred impulse."""
    if kind == "impulse":
        x = np.zeros(in_size)
        x[tuple(n // 2 for n in in_size)] = 1.0
        return x
    if len(in_size) == 1:
        return np.arange(in_size[0], dtype=np.float64)
    rows, cols = np.indices(in_size)
    return (10 * rows + cols).astype(np.float64)


def _sources(setting: Setting, in_size, out_size) -> list[list[str]]:
    """Per axis, what each output index reads: the source coordinate
    (docs/rules/onnx.md) and, for nearest, ``-> index``."""
    attributes = setting.attributes
    coordinate = attributes.get("coordinate_transformation_mode", "half_pixel")
    kernel = _resize.Kernel(attributes.get("mode", "nearest"), coordinate,
                            attributes.get("nearest_mode", "round_prefer_floor"))
    result = []
    for axis, (n, m) in enumerate(zip(in_size, out_size)):
        plan = _resize.AxisPlan(axis, n, m, m / n, ratio=True)
        coordinates = _resize.source_coordinates(plan, coordinate)
        if kernel.mode == "nearest":
            taps = _resize.axis_table(plan, kernel)[0][:, 0]
            result.append([f"{_number(c)}->{t}" for c, t in zip(coordinates, taps)])
        else:
            result.append([_number(c) for c in coordinates])
    return result


def _number(value: float) -> str:
    return f"{value:.4g}"


def run(args, parser) -> int:
    in_size, out_size = args.in_size, args.out_size
    if len(in_size) != len(out_size) or len(in_size) > 2:
        message = (f"IN={'x'.join(map(str, in_size))} and OUT={'x'.join(map(str, out_size))} "
                   "must both be 1-D (8) or both 2-D (5x5)")
        raise ValueError(message)
    for flag, size in (("IN", in_size), ("OUT", out_size)):
        if math.prod(size) > MAX_VALUES:
            message = (f"{flag}={'x'.join(map(str, size))} is {math.prod(size)} values; at "
                       f"most {MAX_VALUES} are resized here (the differences are listed "
                       "pixel by pixel): use a smaller size")
            raise ValueError(message)
    if args.input is not None:
        x = np.asarray(args.input, dtype=np.float64)
        if x.shape != tuple(in_size):
            message = (f"--input has shape {'x'.join(map(str, x.shape))}; IN says "
                       f"{'x'.join(map(str, in_size))}")
            raise ValueError(message)
        what = "the given input"
    else:
        x = signal(in_size, args.signal)
        what = "a ramp" if args.signal == "ramp" else "an impulse"
    first = tconv.onnx.resize(x, sizes=list(out_size), **args.first.attributes)
    second = tconv.onnx.resize(x, sizes=list(out_size), **args.second.attributes)
    differs = ~np.isclose(first, second, rtol=1e-9, atol=1e-9)
    rank = len(in_size)
    size_text = " -> ".join("x".join(map(str, s)) for s in (in_size, out_size))
    print(f"tconv resize-diff: {size_text} ({rank}-D), {what}")
    for name, setting in (("A", args.first), ("B", args.second)):
        print(f"{name}: {setting.text}")
        print(textwrap.fill(f"ONNX: {setting.describe()}", 78, initial_indent="   ",
                            subsequent_indent="         ", break_long_words=False))
    count = int(differs.sum())
    total = differs.size
    if not count:
        print(f"all {total} output pixels agree")
        return 0
    largest = float(np.abs(first - second).max())
    print(f"{count} of {total} output pixels differ (max |A - B| = {_number(largest)})")
    if rank == 2 and out_size[1] <= MAX_GRID:
        print("grid (x: differ, .: agree):")
        for row in differs:
            print("  " + " ".join("x" if d else "." for d in row))
    sources = (_sources(args.first, in_size, out_size),
               _sources(args.second, in_size, out_size))
    listed = list(zip(*np.nonzero(differs)))[:MAX_LISTED]
    rows = [("output", "A source", "A", "B source", "B")]
    for index in listed:
        cells = []
        for table in sources:
            parts = [table[axis][i] for axis, i in enumerate(index)]
            cells.append(parts[0] if rank == 1 else "(" + ", ".join(parts) + ")")
        position = str(index[0]) if rank == 1 else f"({index[0]}, {index[1]})"
        rows.append((position, cells[0], _number(first[index]), cells[1],
                     _number(second[index])))
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    for row in rows:
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    listed = list(zip(*np.nonzero(differs)))
    if len(listed) > MAX_LISTED:
        print(f"  ... and {len(listed) - MAX_LISTED} more")
    return 1 if args.check else 0
