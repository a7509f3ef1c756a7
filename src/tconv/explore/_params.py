"""The explorer's query string: text -> validated Python values.

Every message names the query parameter, the value given and what is valid;
the page shows it next to that control. Values tconv itself checks (a legal
output_padding, channels that divide by groups, ...) are passed on unchecked
here and answered with tconv's own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What the page can draw: more is refused before any work is done.
MAX_OUTPUT = 32  # output cells per axis
MAX_INPUT = 32  # input cells per axis (tconv.explain's own limit)
MAX_CHANNELS = 16
MAX_LAYERS = 4
MAX_SEED = 2**32 - 1
MAX_VALUE = 1e6  # typed-in values: sums of products stay exact enough to read

OPS = ("conv_transpose", "conv")
FILLS = ("ramp", "ones", "random")
FRAMEWORKS = ("torch", "keras", "onnx", "jax")
ANIMATIONS = ("scatter", "slide")

# Every query name the page reads (the ones in its URL).
NAMES = ("op", "input", "kernel", "stride", "padding", "output_padding", "output_size",
         "dilation", "groups", "in_channels", "out_channels", "layers", "fill", "wfill",
         "seed", "x", "w", "framework", "anim", "step")

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


class ParamError(ValueError):
    """A bad query parameter; ``param`` is its name (the control to mark)."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Params:
    """One explorer state, every field in tconv's own terms (spatial only)."""

    op: str = "conv_transpose"
    input: tuple[int, ...] = (2, 2)
    kernel: tuple[int, ...] = (2, 2)
    stride: tuple[int, ...] = (1, 1)
    padding: object = 0  # int, tuple of ints, tuple of pairs, "same" or "valid"
    output_padding: tuple[int, ...] = (0, 0)
    output_size: tuple[int, ...] | None = None
    dilation: tuple[int, ...] = (1, 1)
    groups: int = 1
    in_channels: int = 1
    out_channels: int = 1
    layers: int = 1
    fill: str = "ramp"
    wfill: str = "ramp"
    seed: int = 0
    x: tuple[float, ...] | None = None
    w: tuple[float, ...] | None = None
    framework: str = "torch"

    @property
    def rank(self) -> int:
        return len(self.input)


def _sizes(name: str, text: str, rank: int | None, *, low: int = 1) -> tuple[int, ...]:
    """``"3"``, ``"3x3"`` or ``"3,3"`` -> ints >= ``low``, one per axis."""
    items = re.split(r"[x,]", text.strip().lower())
    if not all(re.fullmatch(r"-?\d+", item.strip()) for item in items):
        raise ParamError(name, f"{name}={text!r} is not a size; write one int for every "
                               "axis (e.g. 2) or one per axis separated by 'x' (e.g. 2x1)")
    values = tuple(int(item) for item in items)
    if len(values) > 2:
        raise ParamError(name, f"{name}={text!r} has {len(values)} axes; the explorer "
                               "draws 1-D and 2-D layers")
    if any(value < low for value in values):
        raise ParamError(name, f"{name}={text!r}: every value must be >= {low}")
    if rank is not None and len(values) not in (1, rank):
        raise ParamError(name, f"{name}={text!r} has {len(values)} values; give one int "
                               f"or {rank} (one per axis of input)")
    if rank is not None and len(values) == 1:
        values = values * rank
    return values


def _padding(text: str, rank: int):
    """Every padding form: ``1``, ``1x2``, ``same``, ``valid``, ``0:1x1:0``, ``(0,1),(1,0)``."""
    compact = re.sub(r"\s+", "", text).lower()
    if compact in ("same", "valid"):
        return compact
    pairs = re.findall(r"\((-?\d+),(-?\d+)\)", compact)
    if pairs and re.fullmatch(r"\(-?\d+,-?\d+\)(,\(-?\d+,-?\d+\))*", compact):
        items = [(int(a), int(b)) for a, b in pairs]
    else:
        parts = re.split(r"[x,]", compact)
        if not all(re.fullmatch(r"-?\d+(:-?\d+)?", part) for part in parts):
            raise ParamError("padding", (
                f"padding={text!r} is not a padding; write an int (1), one per axis "
                "(1x2), (before, after) per axis (0:1x1:0), 'same' or 'valid'"))
        items = [tuple(int(v) for v in part.split(":")) if ":" in part else int(part)
                 for part in parts]
    if len(items) not in (1, rank):
        raise ParamError("padding", f"padding={text!r} has {len(items)} axes; give one "
                                    f"value or {rank} (one per axis of input)")
    if all(isinstance(item, int) for item in items):
        return items[0] if len(items) == 1 else tuple(items)
    items = [item if isinstance(item, tuple) else (item, item) for item in items]
    return tuple(items) * (rank if len(items) == 1 else 1)


def _values(name: str, text: str, count: int, shape_name: str) -> tuple[float, ...]:
    items = [item.strip() for item in text.split(",")]
    bad = [item for item in items if not re.fullmatch(_NUMBER, item)]
    if bad:
        raise ParamError(name, f"{name}={text!r}: {bad[0]!r} is not a number; write the "
                               "values separated by ',', row by row (e.g. 1,2,2,1)")
    values = [float(item) for item in items]
    large = [item for item, value in zip(items, values) if not abs(value) <= MAX_VALUE]
    if large:
        raise ParamError(name, f"{name}={text!r}: {large[0]} is too large; the explorer "
                               f"takes values between -{MAX_VALUE:g} and {MAX_VALUE:g}")
    if len(items) != count:
        raise ParamError(name, f"{name}={text!r} has {len(items)} values; {shape_name} "
                               f"needs {count} (row by row)")
    return tuple(values)


def _int(name: str, text: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise ParamError(name, f"{name}={text!r} is not an int; give {low} .. {high}")
    value = int(text)
    if not low <= value <= high:
        raise ParamError(name, f"{name}={value} is out of range; give {low} .. {high}")
    return value


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise ParamError(name, f"{name}={text!r} is not one of {', '.join(choices)}")
    return value


def parse(query) -> Params:
    """A mapping of query names to text -> :class:`Params`, or :class:`ParamError`."""
    get = {key: value for key, value in query.items() if value is not None and value != ""}
    op = _choice("op", get.get("op", "conv_transpose"), OPS)
    size = _sizes("input", get.get("input", "2x2"), None)
    if any(n > MAX_INPUT for n in size):
        raise ParamError("input", f"input={get['input']!r}: the explorer draws at most "
                                  f"{MAX_INPUT} input cells per axis")
    rank = len(size)
    kernel = _sizes("kernel", get.get("kernel", "2"), rank)
    if any(k > MAX_INPUT for k in kernel):
        raise ParamError("kernel", f"kernel={get['kernel']!r}: the explorer draws at most "
                                   f"{MAX_INPUT} kernel taps per axis")
    stride = _sizes("stride", get.get("stride", "1"), rank)
    dilation = _sizes("dilation", get.get("dilation", "1"), rank)
    output_padding = _sizes("output_padding", get.get("output_padding", "0"), rank, low=0)
    output_size = (_sizes("output_size", get["output_size"], rank)
                   if "output_size" in get else None)
    padding = _padding(get.get("padding", "0"), rank)
    channels = {name: _int(name, get.get(name, "1"), 1, MAX_CHANNELS)
                for name in ("in_channels", "out_channels", "groups")}
    layers = _int("layers", get.get("layers", "1"), 1, MAX_LAYERS)
    fill = _choice("fill", get.get("fill", "ramp"), FILLS)
    wfill = _choice("wfill", get.get("wfill", "ramp"), FILLS)
    seed = _int("seed", get.get("seed", "0"), 0, MAX_SEED)
    framework = _choice("framework", get.get("framework", "torch"), FRAMEWORKS)
    shape = "x".join(map(str, size))
    x = _values("x", get["x"], _prod(size), f"input={shape}") if "x" in get else None
    kshape = "x".join(map(str, kernel))
    w = _values("w", get["w"], _prod(kernel), f"kernel={kshape}") if "w" in get else None
    return Params(op=op, input=size, kernel=kernel, stride=stride, padding=padding,
                  output_padding=output_padding, output_size=output_size,
                  dilation=dilation, layers=layers, fill=fill, wfill=wfill, seed=seed,
                  x=x, w=w, framework=framework, **channels)


def _prod(values) -> int:
    result = 1
    for value in values:
        result *= value
    return result
