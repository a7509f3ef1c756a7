"""Every number the explorer shows, from tconv, as one JSON-ready dict.

The page only draws: the output, the running sums, the zero-insertion view,
the matrix, the coverage and the code all come from :func:`tconv.explain`,
:func:`tconv.conv_transpose` / :func:`tconv.conv`, :func:`tconv.conv_matrix`,
:func:`tconv.checkerboard`, :func:`tconv.translate` and the output-shape
functions. Arrays are sent as 2-D lists (a 1-D layer is one row), and cell
positions as ``[row, col]``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

import tconv

from .._geometry import output_padding_limit
from ._params import MAX_OUTPUT, ParamError, Params

# Payload limits: more is refused with a message, never sent.
MAX_MATRIX_ENTRIES = 40_000  # the matrix view is drawn only up to this size
MAX_ANIMATION_VALUES = 300_000  # scatter steps x full-output cells
MAX_COVERAGE = 96  # heatmap cells per axis
MAX_STACK = 1024  # coverage cells per axis computed for a stack of layers

_PARAMS = ("output_padding", "output_size", "padding", "dilation", "stride", "kernel",
           "groups", "in_channels", "out_channels", "input", "layers", "x", "w")


def param_of(message: str) -> str:
    """The query parameter a tconv message is about (its first ``name=``), or ''."""
    hits = [(message.find(f"{name}="), name) for name in _PARAMS if f"{name}=" in message]
    hits += [(message.find(alias), name) for alias, name in
             (("kernel_size=", "kernel"), ("input size", "input"), ("channels", "groups"))
             if alias in message]
    return min(hits)[1] if hits else ""


def _fill(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if kind == "ones":
        return np.ones(shape)
    if kind == "random":
        return rng.integers(-3, 4, size=shape).astype(float)
    return np.arange(1, math.prod(shape) + 1, dtype=float).reshape(shape)


def operands(p: Params) -> tuple[np.ndarray, np.ndarray]:
    """The single-channel input and kernel: typed-in values, else the fills."""
    rng = np.random.default_rng(p.seed)
    x = (np.array(p.x).reshape(p.input) if p.x is not None
         else _fill(p.fill, p.input, rng))
    w = (np.array(p.w).reshape(p.kernel) if p.w is not None
         else _fill(p.wfill, p.kernel, rng))
    return x, w


def _grid(array) -> list:
    """A 0-, 1- or 2-D array as a 2-D list (1-D: one row)."""
    array = np.asarray(array)
    return np.atleast_2d(array).tolist() if array.ndim else [[array.item()]]


def _cell(position) -> list[int]:
    position = tuple(int(v) for v in position)
    return [0, position[0]] if len(position) == 1 else list(position)


def _geometry(p: Params) -> dict:
    """The keyword arguments of the op: stride, padding, dilation (, output_padding)."""
    geometry = {"stride": p.stride, "padding": p.padding, "dilation": p.dilation}
    if p.op == "conv_transpose":
        geometry["output_padding"] = p.output_padding
    elif any(p.output_padding) or p.output_size is not None:
        name = "output_padding" if any(p.output_padding) else "output_size"
        raise ParamError(name, f"{name} applies to op=conv_transpose only; a convolution "
                               "has no output_padding (set it to 0)")
    return geometry


def _reachable(p: Params) -> list[list[int]] | None:
    """Per axis, the output sizes that some legal output_padding gives."""
    if p.op != "conv_transpose":
        return None
    ranges = []
    for axis in range(p.rank):
        sizes = []
        for value in range(output_padding_limit(p.stride[axis], p.dilation[axis])):
            extra = tuple(value if a == axis else 0 for a in range(p.rank))
            try:
                shape = tconv.conv_transpose_output_shape(
                    p.input, p.kernel, stride=p.stride, padding=p.padding,
                    output_padding=extra, dilation=p.dilation)
            except ValueError:
                continue
            sizes.append(shape[axis])
        ranges.append([min(sizes), max(sizes)] if sizes else None)
    return ranges


def _with_output_size(p: Params) -> Params:
    """``output_size`` given: the output_padding that reaches it (tconv's message if none)."""
    if p.output_size is None or p.op != "conv_transpose":
        return p
    probe_x, probe_w = np.zeros((1, *p.input)), np.zeros((1, 1, *p.kernel))
    try:
        y = tconv.conv_transpose(probe_x, probe_w, stride=p.stride, padding=p.padding,
                                 dilation=p.dilation, output_size=p.output_size)
    except ValueError as error:
        raise ParamError("output_size", str(error)) from None
    assert tuple(y.shape[1:]) == p.output_size
    base = tconv.conv_transpose_output_shape(p.input, p.kernel, stride=p.stride,
                                             padding=p.padding, dilation=p.dilation)
    extra = tuple(want - have for want, have in zip(p.output_size, base))
    return replace(p, output_padding=extra)


def _check_size(p: Params, geometry: dict) -> tuple[int, ...]:
    """The output size, from tconv; refused when larger than the page draws."""
    if p.op == "conv_transpose":
        shape = tconv.conv_transpose_output_shape(p.input, p.kernel, **geometry)
    else:
        shape = tconv.conv_output_shape(p.input, p.kernel, **geometry)
    if max(shape) > MAX_OUTPUT:
        text = "x".join(map(str, shape))
        raise ParamError("input", (
            f"the output would be {text} cells; the explorer draws at most {MAX_OUTPUT} "
            f"per axis ({MAX_OUTPUT}x{MAX_OUTPUT}): make the input, stride, kernel or "
            "dilation smaller"))
    return tuple(shape)


def _feeds(e, p: Params) -> list:
    """For each output cell, the ``[input cell, kernel tap]`` pairs that feed it."""
    out = e.output.shape
    feeds = [[[] for _ in row] for row in _grid(e.output)]
    taps = list(np.ndindex(*e.weight.shape))
    for step in e.steps:
        for tap, position in zip(taps, step.positions):
            if p.op == "conv_transpose":
                # Full-output cell -> output cell: the crop keeps kept[0] .. kept[1]-1.
                cell = tuple(pos - crop.kept[0] for pos, crop in zip(position, e.crop))
                inside = all(0 <= c < crop.kept[1] - crop.kept[0]
                             for c, crop in zip(cell, e.crop))
                source, target = step.index, cell
            else:
                # Padded-input cell -> input cell: padding adds pads[axis][0] in front.
                cell = tuple(pos - pad[0] for pos, pad in zip(position, e.plan.pads))
                inside = not e.is_padding[tuple(position)]
                source, target = cell, step.index
            if inside and all(0 <= t < n for t, n in zip(target, out)):
                row, col = _cell(target)
                feeds[row][col].append([_cell(source), _cell(tap)])
    return feeds


def _formula(e) -> dict:
    plan = e.plan
    axes = []
    for axis in range(plan.rank):
        item = {"in": plan.in_size[axis], "kernel": plan.kernel_size[axis],
                "stride": plan.stride[axis], "dilation": plan.dilation[axis],
                "before": plan.pads[axis][0], "after": plan.pads[axis][1],
                "output_padding": plan.output_padding[axis] if plan.is_transposed else 0,
                "out": plan.out_size[axis]}
        if plan.is_transposed:
            item["full"] = plan.full_size[axis]
        axes.append(item)
    if plan.is_transposed:
        text = ("out = (in − 1)·stride + dilation·(kernel − 1) + 1 "
                "− before − after + output_padding")
    else:
        text = "out = ⌊(in + before + after − dilation·(kernel − 1) − 1) / stride⌋ + 1"
    return {"text": text, "axes": axes}


def _steps(steps, *, running: bool) -> list:
    return [{"index": _cell(step.index), "value": float(step.value),
             "positions": [_cell(pos) for pos in step.positions],
             "contribution": _grid(step.contribution),
             **({"running": _grid(step.running)} if running else
                {"window": _grid(step.window)})}
            for step in steps]


def _crop(e) -> list | None:
    if e.crop is None:
        return None
    axes = [{"full": c.full, "out": c.out, "before": c.before, "after": c.after,
             "output_padding": c.output_padding, "kept": list(c.kept), "cut": list(c.cut),
             "restored": list(c.restored), "appended": list(c.appended),
             "added": list(c.added)} for c in e.crop]
    if len(axes) == 1:
        axes.insert(0, {"full": 1, "out": 1, "before": 0, "after": 0, "output_padding": 0,
                        "kept": [0, 1], "cut": [], "restored": [], "appended": [],
                        "added": []})
    return axes


def _zero_insertion(e) -> dict | None:
    z = e.zero_insertion
    if z is None:
        return None
    pads = [list(pad) for pad in z.pads]
    return {"input": _grid(z.input), "is_inserted": _grid(z.is_inserted),
            "is_padding": _grid(z.is_padding),
            "sources": [[_cell(i), _cell(c)] for i, c in z.sources.items()],
            "pads": ([[0, 0]] + pads) if len(pads) == 1 else pads,
            "kernel": _grid(z.kernel), "windows": _steps(z.windows, running=False)}


def _matrix(e) -> dict:
    rows, cols = e.matrix.shape
    if rows * cols > MAX_MATRIX_ENTRIES:
        return {"values": None, "shape": [rows, cols],
                "note": f"{rows}x{cols} is too large to draw here (at most "
                        f"{MAX_MATRIX_ENTRIES} entries); make the input smaller"}
    return {"values": e.matrix.tolist(), "shape": [rows, cols], "note": None}


def _stack_size(p: Params, in_size: tuple[int, ...], kwargs: dict) -> tuple[int, ...]:
    """The output size of ``p.layers`` stacked layers from ``in_size`` (tconv's rule)."""
    size = in_size
    for _ in range(p.layers):
        size = tconv.conv_transpose_output_shape(
            size, p.kernel, stride=p.stride, padding=kwargs["padding"],
            output_padding=kwargs["output_padding"], dilation=p.dilation)
    return size


def _checkerboard(p: Params) -> dict:
    """Coverage and score of the layer (or ``layers`` of them) from tconv.checkerboard."""
    note = None
    padding = 0 if p.padding == "valid" else p.padding
    if not (isinstance(padding, int) or all(isinstance(v, int) for v in padding)):
        padding, note = 0, ("padding only shifts the phase of the pattern; the coverage "
                            "is shown without it")
    output_padding = p.output_padding if p.op == "conv_transpose" else 0
    kwargs = {"padding": padding, "output_padding": output_padding,
              "dilation": p.dilation, "rank": p.rank, "layers": p.layers}
    transposed = p.op == "conv_transpose"
    # The score does not depend on the input size: it is computed on the
    # layer's own input when the stack's coverage is small enough to draw,
    # else on a smaller one; a stack too large even from one cell is refused.
    sizes = {}
    for in_size in (p.input, (2,) * p.rank, (1,) * p.rank):
        try:
            sizes[in_size] = _stack_size(p, in_size, kwargs)
        except ValueError:  # the padding crops a small stack away entirely
            continue
        if max(sizes[in_size]) <= MAX_COVERAGE:
            break
    if not sizes:
        raise ParamError("layers", (
            f"layers={p.layers}: with this padding the stacked layers leave no output; "
            "use fewer layers or less padding"))
    size = sizes[in_size] if in_size in sizes else min(sizes.values())
    in_size = next(key for key, value in sizes.items() if value == size)
    if max(size) > MAX_STACK:
        raise ParamError("layers", (
            f"layers={p.layers}: the stacked layers grow {'x'.join(map(str, in_size))} "
            f"input cells into {'x'.join(map(str, size))} output cells; the explorer "
            f"computes the coverage up to {MAX_STACK} per axis: use fewer layers or a "
            "smaller stride"))
    result = tconv.checkerboard(p.kernel, p.stride, in_size=in_size, **kwargs)
    coverage = result.coverage if transposed else result.gradient_coverage
    drawn = max(coverage.shape) <= MAX_COVERAGE
    return {"coverage": _grid(coverage) if drawn else None,
            "score": float(result.score if transposed else result.gradient_score),
            "period": list(result.period), "verdict": result.verdict,
            "layers": p.layers, "note": note,
            "what": ("how many input x kernel products land on each output cell"
                     if transposed else
                     "how often each input cell is read (the gradient's coverage)")}


def _translate_args(p: Params, out_channels: int) -> tuple[str, dict]:
    """The layer in the convention that holds its padding exactly, for tconv.translate."""
    common = {"in_channels": p.in_channels, "out_channels": out_channels}
    padding = p.padding
    if padding == "same":
        params = {"filters": out_channels, "kernel_size": p.kernel, "strides": p.stride,
                  "padding": "same", "dilation_rate": p.dilation,
                  "in_channels": p.in_channels}
        if p.op == "conv":
            params["groups"] = p.groups
        return "keras", params
    if padding == "valid":
        padding = 0
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        params = {**common, "kernel_shape": p.kernel, "strides": p.stride,
                  "pads": [pad[0] for pad in padding] + [pad[1] for pad in padding],
                  "dilations": p.dilation, "group": p.groups}
        if p.op == "conv_transpose":
            params["output_padding"] = p.output_padding
        return "onnx", params
    params = {**common, "kernel_size": p.kernel, "stride": p.stride, "padding": padding,
              "dilation": p.dilation, "groups": p.groups}
    if p.op == "conv_transpose":
        params["output_padding"] = p.output_padding
    return "torch", params


def _code(p: Params) -> dict:
    source, params = _translate_args(p, p.out_channels)
    code = {}
    for target in ("torch", "keras", "onnx", "jax"):
        try:
            t = tconv.translate(source, target, op=p.op, rank=p.rank, input_size=p.input,
                                **params)
        except (ValueError, TypeError) as error:
            code[target] = {"error": str(error)}
            continue
        code[target] = {"call": t.call, "exact": t.exact, "recipe": t.recipe,
                        "weight": t.weight, "note": t.note}
    return {"source": source, "frameworks": code}


def _channels(p: Params, x: np.ndarray, w: np.ndarray, geometry: dict) -> dict | None:
    """With several channels or groups: every output channel, and which inputs feed it."""
    if (p.in_channels, p.out_channels, p.groups) == (1, 1, 1):
        return None
    for name in ("in_channels", "out_channels"):
        if getattr(p, name) % p.groups:
            raise ParamError("groups", (
                f"groups={p.groups}: {name}={getattr(p, name)} is not divisible by "
                "groups; every group needs the same number of input and output channels"))
    rng = np.random.default_rng(p.seed + 1)
    xc = rng.integers(-3, 4, size=(p.in_channels, *p.input)).astype(float)
    xc[0] = x
    per_group = (p.out_channels if p.op == "conv_transpose" else p.in_channels) // p.groups
    first = p.in_channels if p.op == "conv_transpose" else p.out_channels
    wc = rng.integers(-3, 4, size=(first, per_group, *p.kernel)).astype(float)
    wc[0, 0] = w
    op = tconv.conv_transpose if p.op == "conv_transpose" else tconv.conv
    y = op(xc, wc, groups=p.groups, **geometry)
    # Which input channel reaches which output channel: the nonzero blocks of
    # tconv.conv_matrix for a 1-cell layer with an all-ones kernel.
    ones = np.ones((first, per_group) + (1,) * p.rank)
    channels_in = p.out_channels if p.op == "conv_transpose" else p.in_channels
    blocks = tconv.conv_matrix((channels_in,) + (1,) * p.rank, ones, groups=p.groups)
    blocks = blocks.toarray()
    wiring = (blocks.T if p.op == "conv_transpose" else blocks) != 0  # (C_out, C_in)
    return {"x": [_grid(c) for c in xc], "weight": wc.tolist(),
            "weight_shape": list(wc.shape),
            "output": [_grid(c) for c in y],
            "feeds": [[int(c) for c in np.flatnonzero(row)] for row in wiring]}


def explore(p: Params) -> dict:
    """The whole page's data for one state (ParamError/ValueError/TypeError if bad)."""
    p = _with_output_size(p)
    geometry = _geometry(p)
    out_size = _check_size(p, geometry)
    x, w = operands(p)
    full = (tconv.conv_transpose_output_shape(p.input, p.kernel, stride=p.stride,
                                              dilation=p.dilation)
            if p.op == "conv_transpose" else out_size)
    # scatter steps hold a running full output each; windows a kernel's worth thrice
    values = math.prod(out_size) * math.prod(p.kernel) * (3 if p.op == "conv" else 6)
    if p.op == "conv_transpose":
        values += math.prod(p.input) * math.prod(full)
    if values > MAX_ANIMATION_VALUES:
        raise ParamError("input", (
            f"input={'x'.join(map(str, p.input))} with kernel={'x'.join(map(str, p.kernel))} "
            f"makes {values} step values to animate (full output "
            f"{'x'.join(map(str, full))}, output {'x'.join(map(str, out_size))}); the "
            f"explorer animates at most {MAX_ANIMATION_VALUES}: make the input or the "
            "kernel smaller"))
    e = tconv.explain(x, w, op=p.op, **geometry)
    assert tuple(e.output.shape) == out_size
    transposed = p.op == "conv_transpose"
    return {
        "op": p.op, "rank": p.rank,
        "params": {"input": list(p.input), "kernel": list(p.kernel),
                   "stride": list(p.stride), "dilation": list(p.dilation),
                   "pads": [list(pad) for pad in e.plan.pads],
                   "output_padding": list(e.plan.output_padding) if transposed else None,
                   "groups": p.groups, "in_channels": p.in_channels,
                   "out_channels": p.out_channels, "layers": p.layers},
        "x": _grid(e.x), "w": _grid(e.weight), "output": _grid(e.output),
        "full": _grid(e.full), "is_padding": _grid(e.is_padding),
        "steps": _steps(e.steps, running=transposed),
        "crop": _crop(e), "zero_insertion": _zero_insertion(e),
        "feeds": _feeds(e, p), "matrix": _matrix(e), "formula": _formula(e),
        "reachable": _reachable(p), "checkerboard": _checkerboard(p),
        "code": _code(p), "channels": _channels(p, x, w, geometry),
        "framework": p.framework,
    }
