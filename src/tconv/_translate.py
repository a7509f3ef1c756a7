"""``tconv.translate`` and ``tconv.convert_weight``: one layer, another framework.

A parameter set is read into one framework-neutral description (``_Layer``):
kernel, stride, dilation, groups, channels and, per axis, one pair of ints:

* convolution: ``(before, after)`` zeros added to the input (negative crops);
* transposed convolution: ``(start, end)`` samples cut from the full output
  ``F = (n-1)*s + ke`` (negative ``end`` appends zeros, negative ``start``
  prepends them), so the output is ``full[start + j]`` for ``F - start - end``
  samples.

For a transposed convolution that pair does not depend on the input size
(every framework's rule moves ``start`` and the output length together; only
ONNX's ``output_shape`` needs the size), so it is computed with the geometry
functions on any length. A writer then finds the
target's parameters giving the same pair; where none exist it takes the
nearest layer and pads or crops around it (the recipe). All sizes and pads
come from :mod:`tconv._geometry` (ONNX's ``auto_pad`` and ``output_shape``
from the ONNX adapter's readers, which are built on it).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from . import _args, _xp
from ._geometry import (
    conv_length,
    full_transpose_length,
    same_pads_conv,
)
from ._geometry import jax as _jax_rules
from ._geometry import keras as _keras_rules
from ._geometry import onnx as _onnx_rules
from ._geometry import torch as _torch_rules
from .onnx import read_ints as _onnx_ints
from .onnx import read_pads as _onnx_pads

__all__ = ["FRAMEWORKS", "Translation", "convert_weight", "translate"]

FRAMEWORKS = ("torch", "keras", "onnx", "jax")
OPS = ("conv", "conv_transpose")
_NAME = {"torch": "PyTorch", "keras": "Keras", "onnx": "ONNX", "jax": "JAX"}

# Each framework's spelling of one concept, for reading parameters and for
# "did you mean" hints. in_channels/out_channels/kernel_size for frameworks
# whose layer call does not name them (they come from the input or weight) are
# accepted as extras, so that targets needing them can be given them.
_SPELLING = {
    "in_channels": {"torch": "in_channels", "keras": "in_channels", "onnx": "in_channels",
                    "jax": "in_channels"},
    "out_channels": {"torch": "out_channels", "keras": "filters", "onnx": "out_channels",
                     "jax": "out_channels"},
    "kernel_size": {"torch": "kernel_size", "keras": "kernel_size", "onnx": "kernel_shape",
                    "jax": "kernel_size"},
    "stride": {"torch": "stride", "keras": "strides", "onnx": "strides", "jax": "strides"},
    "padding": {"torch": "padding", "keras": "padding", "onnx": "pads", "jax": "padding"},
    "auto_pad": {"onnx": "auto_pad"},
    "output_padding": {"torch": "output_padding", "keras": "output_padding",
                       "onnx": "output_padding"},
    "output_shape": {"onnx": "output_shape"},
    "dilation": {"torch": "dilation", "keras": "dilation_rate", "onnx": "dilations",
                 "jax": "rhs_dilation"},
    "groups": {"torch": "groups", "keras": "groups", "onnx": "group",
               "jax": "feature_group_count"},
    "bias": {"torch": "bias", "keras": "use_bias"},
    "data_format": {"keras": "data_format"},
    "padding_mode": {"torch": "padding_mode"},
    "dimension_numbers": {"jax": "dimension_numbers"},
    "transpose_kernel": {"jax": "transpose_kernel"},
    "lhs_dilation": {"jax": "lhs_dilation"},
}
_ONLY_TRANSPOSED = {"output_padding", "output_shape", "transpose_kernel"}
_ONLY_CONV = {"lhs_dilation"}


def _spelling(framework: str, op: str, concept: str) -> str | None:
    """``framework``'s name of ``concept`` for ``op``, or None where it has none."""
    if concept in _ONLY_TRANSPOSED and op == "conv":
        return None
    if concept in _ONLY_CONV and op == "conv_transpose":
        return None
    if concept == "groups" and op == "conv_transpose" and framework in ("keras", "jax"):
        return None  # Keras transposed layers and lax.conv_transpose have no groups
    if concept == "stride" and framework == "jax" and op == "conv":
        return "window_strides"
    return _SPELLING[concept].get(framework)


def _names(framework: str, op: str) -> dict[str, str]:
    """``{name: concept}`` of the parameters ``framework`` accepts for ``op``."""
    names = {}
    for concept in _SPELLING:
        name = _spelling(framework, op, concept)
        if name is not None:
            names[name] = concept
    return names


def _layouts(rank: int) -> tuple[str, ...]:
    """JAX's default (channels-last) ``dimension_numbers`` for ``rank``."""
    space = "HWD"[:rank] if rank > 1 else "H"
    return (f"N{space}C", f"{space}IO", f"N{space}C")


# ------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Translation:
    """One layer written in another framework's convention (``tconv.translate``).

    Attributes
    ----------
    source, target : str
        The frameworks: ``"torch"``, ``"keras"``, ``"onnx"`` or ``"jax"``.
    op : str
        ``"conv"`` or ``"conv_transpose"``.
    call : str
        The target's constructor or function call, defaults left out
        (``C_in``/``C_out``/``filters`` stand for channel counts the source
        did not give). When ``exact`` is False it is the nearest layer, the
        one ``recipe`` uses.
    params : dict
        The same in the target's parameter names, every value explicit.
    exact : bool
        Whether ``call`` alone computes what the source layer computes.
    recipe : str or None
        When not exact: Python statements from ``x`` to ``y`` around
        ``layer`` (the layer of ``call`` with the converted weight) that
        reproduce the source exactly (for ONNX, the ``Slice``/``Pad``/``Add``
        nodes to put around the node); None when exact. Zeros a recipe
        appends get the bias too, as in every framework: the layer is then
        built without bias and ``bias`` (the source's) is added last.
    weight : str
        How to convert the weight (or kernel) from the source layout.
    note : str
        Why, in a sentence or two.
    input_pads, output_pads : tuple of (before, after) pairs, or None
        The recipe's steps as numbers, one pair per spatial axis: zeros
        added to the input (convolution) or to the layer's output
        (transposed) before/after each axis; negative values crop.
    output_size : tuple of ints or None
        The spatial output size, when ``input_size`` was given.

    Examples
    --------
    >>> import tconv
    >>> t = tconv.translate("torch", "onnx", in_channels=4, out_channels=2,
    ...                     kernel_size=3, stride=2, padding=1, output_padding=1)
    >>> print(t)  # doctest: +NORMALIZE_WHITESPACE
    onnx.helper.make_node("ConvTranspose", ["X", "W", "B"], ["Y"], kernel_shape=[3, 3],
        strides=[2, 2], pads=[1, 1, 0, 0])
    exact: yes
    weight: torch (C_in, C_out/g, k1, k2) -> onnx (C_in, C_out/g, k1, k2): no change
        (tconv.convert_weight(w, 'torch', 'onnx', op='conv_transpose'))
    note: PyTorch crops (start, end) = (1, 0), (1, 0) from the full output (negative:
        zeros added); ONNX crops pads=[begins..., ends...] from the full output and adds
        output_padding at the end.
    """

    source: str
    target: str
    op: str
    rank: int
    call: str
    params: dict = field(hash=False)
    exact: bool
    recipe: str | None
    weight: str
    note: str
    input_pads: tuple | None = None
    output_pads: tuple | None = None
    output_size: tuple | None = None

    def __str__(self) -> str:
        lines = [self.call, f"exact: {'yes' if self.exact else 'no'}"]
        if self.recipe is not None:
            lines += ["recipe:", *(f"  {line}" for line in self.recipe.splitlines())]
        lines += [f"weight: {self.weight}", f"note: {self.note}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Layer:
    """A layer, framework-neutral (see the module docstring for ``pads``)."""

    op: str
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    groups: int = 1
    in_channels: int | None = None
    out_channels: int | None = None
    bias: bool | None = None
    data_format: str = "channels_last"
    weight_layout: str | None = None  # whose layout the source weight has, if not its own

    @property
    def rank(self) -> int:
        return len(self.kernel_size)

    @property
    def is_transposed(self) -> bool:
        return self.op == "conv_transpose"

    def axes(self):
        return zip(self.kernel_size, self.stride, self.dilation, self.pads)


@dataclass(frozen=True)
class _Written:
    """A writer's answer: target parameters, call, and the recipe's pads."""

    params: dict
    call: str
    how: str
    input_pads: tuple | None = None
    output_pads: tuple | None = None
    bias_after: bool = False  # the recipe adds the bias after padding the output


# ----------------------------------------------------------------- small helpers

_OP = "translate"


def _compact(values):
    """One int when every axis agrees, else the tuple."""
    values = tuple(values)
    return values[0] if len(set(values)) == 1 else values


def _pad_text(pads) -> str:
    return ", ".join(f"({a}, {b})" for a, b in pads)


def _need_size(in_size, why: str, rank: int) -> tuple[int, ...]:
    if in_size is None:
        example = ", ".join("HWD"[i] if rank > 1 else "L" for i in range(rank))
        message = (f"{_OP}: input_size is needed here: {why} depends on the input size; "
                   f"give input_size=({example}{',' if rank == 1 else ''})")
        raise ValueError(message)
    return in_size


def _sizes_or_dummy(in_size, rank: int) -> tuple[int, ...]:
    """Input sizes where they are only used for size-independent quantities."""
    return in_size if in_size is not None else (1,) * rank


def _keras_word(name: str, value, allowed) -> str:
    if isinstance(value, str):
        value = value.lower()
    return _args.choice(_OP, name, value, allowed)


def _channels(name: str, value) -> int | None:
    return None if value is None else _args.positive_int(_OP, name, value)


# ------------------------------------------------------------------------ readers


def _read_torch(op, rank, params, in_size) -> _Layer:
    kernel = _args.positive_ints(_OP, "kernel_size", params["kernel_size"], rank)
    stride = _args.positive_ints(_OP, "stride", params.get("stride", 1), rank)
    dilation = _args.positive_ints(_OP, "dilation", params.get("dilation", 1), rank)
    mode = params.get("padding_mode", "zeros")
    if mode != "zeros":
        message = (f"{_OP}: padding_mode={mode!r} is not supported; only 'zeros' has an "
                   "equivalent in every framework")
        raise ValueError(message)
    padding = params.get("padding", 0)
    if op == "conv_transpose" and isinstance(padding, str):
        message = (f"{_OP}: padding={padding!r}: torch.nn.ConvTranspose{rank}d takes ints "
                   "only (PyTorch refuses strings there)")
        raise TypeError(message)
    items = _args.sequence(padding)
    if items is not None and any(_args.sequence(item) is not None for item in items):
        message = (f"{_OP}: padding={padding!r}: PyTorch pads both sides of an axis "
                   "equally; give an int or one int per axis")
        raise ValueError(message)
    form = _args.padding_form(_OP, padding, rank)
    if form == "same":
        if max(stride) > 1:
            message = (f"{_OP}: padding='same' needs stride 1 in PyTorch; got "
                       f"stride={_compact(stride)}")
            raise ValueError(message)
        form = tuple(same_pads_conv(1, k, 1, d) for k, d in zip(kernel, dilation))
    elif form == "valid":
        form = ((0, 0),) * rank
    bias = params.get("bias", True)
    if not isinstance(bias, bool):
        message = f"{_OP}: bias={bias!r} must be True or False"
        raise TypeError(message)
    groups = _args.positive_int(_OP, "groups", params.get("groups", 1))
    common = {"groups": groups, "bias": bias,
              "in_channels": _channels("in_channels", params.get("in_channels")),
              "out_channels": _channels("out_channels", params.get("out_channels"))}
    if op == "conv":
        return _Layer(op, kernel, stride, dilation, form, **common)
    extra = _args.nonnegative_ints(_OP, "output_padding", params.get("output_padding", 0),
                                   rank)
    limit = tuple(max(s, d) for s, d in zip(stride, dilation))
    if any(p >= lim for p, lim in zip(extra, limit)):
        message = (f"{_OP}: output_padding={_compact(extra)} must be smaller than "
                   f"max(stride, dilation)={_compact(limit)} on every axis")
        raise ValueError(message)
    pads = tuple((p, p - e) for (p, _), e in zip(form, extra))
    return _Layer(op, kernel, stride, dilation, pads, **common)


def _read_keras(op, rank, params, in_size) -> _Layer:
    kernel = _args.positive_ints(_OP, "kernel_size", params["kernel_size"], rank)
    stride = _args.positive_ints(_OP, "strides", params.get("strides", 1), rank)
    dilation = _args.positive_ints(_OP, "dilation_rate", params.get("dilation_rate", 1), rank)
    _keras_rules.check_strides_dilation(f"{_OP}: keras", _compact(stride), _compact(dilation))
    data_format = _keras_word("data_format", params.get("data_format", "channels_last"),
                              ("channels_last", "channels_first"))
    allowed = ("valid", "same", "causal") if op == "conv" and rank == 1 else ("valid", "same")
    padding = _keras_word("padding", params.get("padding", "valid"), allowed)
    bias = params.get("use_bias", True)
    if not isinstance(bias, bool):
        message = f"{_OP}: use_bias={bias!r} must be True or False"
        raise TypeError(message)
    common = {"bias": bias, "data_format": data_format,
              "in_channels": _channels("in_channels", params.get("in_channels")),
              "out_channels": _channels("filters", params.get("filters"))}
    if op == "conv":
        groups = _args.positive_int(_OP, "groups", params.get("groups", 1))
        if padding == "causal":
            pads = (_keras_rules.causal_pads(kernel[0], dilation[0]),)
        elif padding == "same":
            if max(stride) > 1:
                why = f"keras padding='same' with strides={_compact(stride)}"
                in_size = _need_size(in_size, why, rank)
            sizes = _sizes_or_dummy(in_size, rank)
            pads = tuple(same_pads_conv(*a) for a in zip(sizes, kernel, stride, dilation))
        else:
            pads = ((0, 0),) * rank
        return _Layer(op, kernel, stride, dilation, pads, groups=groups, **common)
    extra = params.get("output_padding")
    extras = (None,) * rank
    if extra is not None:
        extras = _args.nonnegative_ints(_OP, "output_padding", extra, rank)
        _keras_rules.check_output_padding(_OP, _compact(extras), _compact(stride))
    pads = []
    # The (start, end) of Keras's window does not depend on the input length.
    for n, k, s, d, p in zip(_sizes_or_dummy(in_size, rank), kernel, stride, dilation,
                             extras):
        lo, hi, extra = _keras_rules.transpose_pads(n, k, s, d, padding, p)
        pads.append((lo, hi - extra))
    return _Layer(op, kernel, stride, dilation, tuple(pads), **common)


def _read_onnx(op, rank, params, in_size) -> _Layer:
    if params.get("kernel_shape") is None:
        message = f"{_OP}: kernel_shape is needed for an ONNX source (e.g. kernel_shape=[3, 3])"
        raise ValueError(message)
    kernel = _onnx_ints(_OP, "kernel_shape", params["kernel_shape"], rank, 1)
    kernel = _args.positive_ints(_OP, "kernel_shape", kernel, rank)
    stride = _args.positive_ints(_OP, "strides",
                                 _onnx_ints(_OP, "strides", params.get("strides"), rank, 1), rank)
    dilation = _args.positive_ints(
        _OP, "dilations", _onnx_ints(_OP, "dilations", params.get("dilations"), rank, 1), rank)
    auto_pad = params.get("auto_pad", "NOTSET")
    if isinstance(auto_pad, bytes):
        auto_pad = auto_pad.decode("ascii", errors="replace")
    auto_pad = _args.choice(_OP, "auto_pad", auto_pad, _onnx_rules.AUTO_PADS)
    pads = params.get("pads")
    common = {"groups": _args.positive_int(_OP, "group", params.get("group", 1)),
              "in_channels": _channels("in_channels", params.get("in_channels")),
              "out_channels": _channels("out_channels", params.get("out_channels"))}
    name = "onnx." + op
    if op == "conv":
        if auto_pad.startswith("SAME") and max(stride) > 1:
            in_size = _need_size(in_size, f"auto_pad={auto_pad!r} with strides > 1", rank)
        # Conv's text speaks of padding only: a negative SAME total is no padding.
        explicit = _onnx_pads(name, pads, rank) if auto_pad == "NOTSET" else None
        pairs = _onnx_rules.forward_pads(auto_pad, explicit, _sizes_or_dummy(in_size, rank),
                                         kernel, stride, dilation, clamp=True)
        return _Layer(op, kernel, stride, dilation, pairs, **common)
    extra = _onnx_ints(_OP, "output_padding", params.get("output_padding"), rank, 0)
    if not _onnx_rules.output_padding_allowed(extra, stride):
        message = (f"{_OP}: output_padding={list(extra)} must be non-negative and smaller "
                   f"than strides={list(stride)} (onnxruntime's rule)")
        raise ValueError(message)
    output_shape = params.get("output_shape")
    sizes = _sizes_or_dummy(in_size, rank)
    if output_shape is not None:
        sizes = _need_size(in_size, "output_shape", rank)
        output_shape = _onnx_ints(_OP, "output_shape", output_shape, rank, 1)
        _args.positive_ints(_OP, "output_shape", output_shape, rank)
    explicit = (_onnx_pads(name, pads, rank) if auto_pad == "NOTSET" and output_shape is None
                else None)
    geometry = _onnx_rules.transpose_pads(name, auto_pad, explicit, output_shape, sizes, kernel,
                                          stride, dilation, extra)
    pairs = tuple((lo, hi - p) for lo, hi, p in geometry)
    return _Layer(op, kernel, stride, dilation, pairs, **common)


def _read_jax_layout(value, rank: int, op: str) -> str:
    """``"channels_first"`` or ``"channels_last"`` from JAX's ``dimension_numbers``.

    ``None`` means channels-first (``NCHW``, ``OIHW``) for
    ``conv_general_dilated`` and channels-last (``NHWC``, ``HWIO``) for
    ``conv_transpose``; other layouts are not read.
    """
    last = _layouts(rank)
    first = tuple(spec.replace("C", "").replace("N", "NC", 1) if i != 1 else
                  "OI" + spec.replace("I", "").replace("O", "")
                  for i, spec in enumerate(last))
    allowed = [last] if op == "conv_transpose" else [first, last]
    if value is None:
        return "channels_last" if op == "conv_transpose" else "channels_first"
    if isinstance(value, (str, bytes)) or tuple(value) not in allowed:
        message = (f"{_OP}: dimension_numbers={value!r} is not supported; use None or "
                   f"{' or '.join(map(repr, allowed))}")
        raise ValueError(message)
    return "channels_last" if tuple(value) == last else "channels_first"


def _jax_pairs(padding, rank: int) -> tuple[tuple[int, int], ...]:
    """JAX's explicit padding: ``rank`` (low, high) pairs of ints, negative allowed."""
    items = _args.sequence(padding)
    pairs = None if items is None else [_args.sequence(item) for item in items]
    if (pairs is None or len(pairs) != rank
            or any(p is None or len(p) != 2 or not all(map(_args.is_int, p)) for p in pairs)):
        message = (f"{_OP}: padding={padding!r}: JAX takes 'SAME', 'VALID' or {rank} "
                   "(low, high) pairs of ints")
        raise ValueError(message)
    return tuple((int(a), int(b)) for a, b in pairs)


def _read_jax(op, rank, params, in_size) -> _Layer:
    if params.get("kernel_size") is None:
        message = (f"{_OP}: kernel_size is needed for a JAX source (the spatial shape of "
                   "the kernel, which lax functions read from the array)")
        raise ValueError(message)
    kernel = _args.positive_ints(_OP, "kernel_size", params["kernel_size"], rank)
    stride_name = "window_strides" if op == "conv" else "strides"
    stride = _args.positive_ints(_OP, stride_name, params.get(stride_name, 1), rank)
    dilation = _args.positive_ints(_OP, "rhs_dilation",
                                   params.get("rhs_dilation") or 1, rank)
    data_format = _read_jax_layout(params.get("dimension_numbers"), rank, op)
    padding = params.get("padding", "VALID")
    common = {"in_channels": _channels("in_channels", params.get("in_channels")),
              "out_channels": _channels("out_channels", params.get("out_channels")),
              "bias": False, "data_format": data_format}
    if isinstance(padding, str):
        allowed = ("SAME", "SAME_LOWER", "VALID") if op == "conv" else ("SAME", "VALID")
        padding = _args.choice(_OP, "padding", padding.upper(), allowed)
        pairs = None
    else:
        pairs = _jax_pairs(padding, rank)
    if op == "conv":
        lhs = _args.positive_ints(_OP, "lhs_dilation", params.get("lhs_dilation") or 1, rank)
        if max(lhs) > 1:
            message = (f"{_OP}: lhs_dilation={_compact(lhs)}: a convolution with input "
                       "dilation is a transposed convolution; translate it with "
                       "op='conv_transpose' (lax.conv_transpose)")
            raise ValueError(message)
        groups = _args.positive_int(_OP, "feature_group_count",
                                    params.get("feature_group_count", 1))
        if padding == "VALID":
            pairs = ((0, 0),) * rank
        elif isinstance(padding, str):
            if max(stride) > 1:
                in_size = _need_size(in_size, f"padding={padding!r} with window_strides > 1",
                                     rank)
            pairs = tuple(_jax_rules.conv_pads(padding, *a) for a in
                          zip(_sizes_or_dummy(in_size, rank), kernel, stride, dilation))
        layout = "torch" if data_format == "channels_first" else None  # OIHW
        return _Layer(op, kernel, stride, dilation, pairs, groups=groups,
                      weight_layout=layout, **common)
    transpose_kernel = params.get("transpose_kernel", False)
    if not isinstance(transpose_kernel, bool):
        message = f"{_OP}: transpose_kernel={transpose_kernel!r} must be True or False"
        raise TypeError(message)
    cut = tuple(_jax_rules.transpose_cut(n, k, s, d, padding if pairs is None else pairs[i])
                for n, k, s, d, i in zip(_sizes_or_dummy(in_size, rank), kernel, stride,
                                         dilation, range(rank)))
    # With transpose_kernel=True, JAX flips the kernel and swaps its channel
    # axes: it is then in Keras's transposed layout (docs/rules/jax.md).
    return _Layer(op, kernel, stride, dilation, cut,
                  weight_layout="keras" if transpose_kernel else None, **common)


_READERS = {"torch": _read_torch, "keras": _read_keras, "onnx": _read_onnx, "jax": _read_jax}


# ------------------------------------------------------------------------ writers


def _bias_after(layer: _Layer, output_pads) -> bool:
    """Zeros appended by a recipe must still get the bias, as every framework's do."""
    return (layer.bias is not False and output_pads is not None
            and any(a > 0 or b > 0 for a, b in output_pads))


def _conv_equal(n, k, s, d, got, wanted) -> bool:
    """Whether input pads ``got`` give what ``wanted`` gives on length ``n``.

    Equal pads always do; with the input length known, the same start pad
    and the same output length read the same samples.
    """
    if got == wanted:
        return True
    return (n is not None and got[0] == wanted[0]
            and conv_length(n, k, s, d, *got) == conv_length(n, k, s, d, *wanted))


def _per_axis_sizes(in_size, rank):
    return in_size if in_size is not None else (None,) * rank


def _torch_call(layer, params) -> str:
    return _torch_rules.call_text(layer.rank, layer.is_transposed,
                                  {**params, "kernel_size": _compact(layer.kernel_size)})


def _torch_pad_text(pads) -> str:
    """``F.pad``'s flat argument: last axis first."""
    flat = [v for pair in reversed(pads) for v in pair]
    return f"({', '.join(map(str, flat))})"


def _write_torch(layer: _Layer, in_size) -> _Written:
    rank = layer.rank
    params = {}
    if layer.in_channels is not None:
        params["in_channels"] = layer.in_channels
    if layer.out_channels is not None:
        params["out_channels"] = layer.out_channels
    params["kernel_size"] = _compact(layer.kernel_size)
    params["stride"] = _compact(layer.stride)
    sizes = _per_axis_sizes(in_size, rank)
    input_pads = output_pads = None
    if not layer.is_transposed:
        symmetric = [lo if lo >= 0 and _conv_equal(n, k, s, d, (lo, lo), (lo, hi)) else None
                     for n, (k, s, d, (lo, hi)) in zip(sizes, layer.axes())]
        same = tuple(same_pads_conv(1, k, 1, d) for k, d in
                     zip(layer.kernel_size, layer.dilation))
        if None not in symmetric:
            params["padding"] = _compact(symmetric)
            how = "PyTorch pads both sides of an axis equally: padding=" + str(
                params["padding"])
        elif max(layer.stride) == 1 and all(
                _conv_equal(n, k, s, d, sp, p)
                for n, (k, s, d, p), sp in zip(sizes, layer.axes(), same)):
            params["padding"] = "same"
            how = "PyTorch's padding='same' (stride 1) puts the odd unit at the end too"
        else:
            nearest = tuple(max(0, min(lo, hi)) for lo, hi in layer.pads)
            params["padding"] = _compact(nearest)
            input_pads = tuple((lo - p, hi - p) for (lo, hi), p in zip(layer.pads, nearest))
            how = ("PyTorch pads both sides of an axis equally, so the uneven part is an "
                   "F.pad of the input")
    else:
        pads, extras, cuts = [], [], []
        for k, s, d, (start, end) in layer.axes():
            if start >= 0 and 0 <= start - end < max(s, d):
                pads.append(start)
                extras.append(start - end)
                cuts.append((0, 0))
            else:
                p = max(0, min(start, end))
                pads.append(p)
                extras.append(0)
                cuts.append((p - start, p - end))
        params["padding"] = _compact(pads)
        params["output_padding"] = _compact(extras)
        if any(c != (0, 0) for c in cuts):
            output_pads = tuple(cuts)
            how = ("PyTorch crops `padding` from both ends and adds `output_padding` "
                   "(< max(stride, dilation)) at the end only, which cannot give this "
                   "window; F.pad of the output (negative values crop) finishes it")
        else:
            how = ("PyTorch crops `padding` from both ends and gives `output_padding` "
                   "samples back at the end")
    params["dilation"] = _compact(layer.dilation)
    params["groups"] = layer.groups
    after = _bias_after(layer, output_pads)
    params["bias"] = layer.bias is not False and not after
    call = _torch_call(layer, params)
    return _Written(params, call, how, input_pads, output_pads, after)


def _keras_call(layer, params) -> str:
    return _keras_rules.call_text(layer.rank, layer.is_transposed, params)


def _write_keras(layer: _Layer, in_size) -> _Written:
    rank = layer.rank
    _keras_rules.check_strides_dilation(f"{_OP}: target keras", _compact(layer.stride),
                                        _compact(layer.dilation))
    if layer.is_transposed and layer.groups > 1:
        message = (f"{_OP}: groups={layer.groups}: Keras's Conv{rank}DTranspose has no "
                   "groups; translate each group as its own layer")
        raise ValueError(message)
    params = {}
    if layer.out_channels is not None:
        params["filters"] = layer.out_channels
    params["kernel_size"] = _compact(layer.kernel_size)
    params["strides"] = _compact(layer.stride)
    sizes = _per_axis_sizes(in_size, rank)
    input_pads = output_pads = None
    if not layer.is_transposed:
        candidates = {"valid": ((0, 0),) * rank}
        if max(layer.stride) == 1 or in_size is not None:
            candidates["same"] = tuple(
                same_pads_conv(*a) for a in zip(_sizes_or_dummy(in_size, rank),
                                                layer.kernel_size, layer.stride,
                                                layer.dilation))
        if rank == 1:
            candidates["causal"] = (_keras_rules.causal_pads(layer.kernel_size[0],
                                                             layer.dilation[0]),)
        chosen = next((name for name, pads in candidates.items() if all(
            _conv_equal(n, k, s, d, got, p) for n, (k, s, d, p), got in
            zip(sizes, layer.axes(), pads))), None)
        if chosen is not None:
            params["padding"] = chosen
            how = f"that is Keras's padding={chosen!r}"
        else:
            params["padding"] = "valid"
            input_pads = layer.pads
            how = ("Keras pads only by 'valid', 'same' or 'causal'"
                   + ("" if in_size is not None or max(layer.stride) == 1 else
                      " ('same' depends on the input size here: give input_size to try it)")
                   + ", so the input is padded explicitly")
    else:
        chosen = None
        dummy = _sizes_or_dummy(in_size, rank)

        def window(n, k, s, d, padding, p):
            lo, hi, extra = _keras_rules.transpose_pads(n, k, s, d, padding, p)
            return lo, hi - extra

        for padding in ("valid", "same"):
            if all(window(n, k, s, d, padding, None) == cut for n, (k, s, d, cut) in
                   zip(dummy, layer.axes())):
                chosen = (padding, None)
                break
        if chosen is None:
            for padding in ("valid", "same"):
                extras = [next((p for p in range(s) if window(n, k, s, d, padding, p) == cut),
                               None) for n, (k, s, d, cut) in zip(dummy, layer.axes())]
                if None not in extras:
                    chosen = (padding, _compact(extras))
                    break
        if chosen is not None:
            params["padding"], params["output_padding"] = chosen
            how = (f"that is Keras's window for padding={chosen[0]!r}, "
                   f"output_padding={chosen[1]!r}")
        else:
            params["padding"], params["output_padding"] = "valid", 0
            output_pads = tuple((-start, -end) for start, end in layer.pads)
            how = ("no Keras padding/output_padding keeps that window; the full output "
                   "(padding='valid', output_padding=0) is cropped or padded")
    params["data_format"] = layer.data_format
    params["dilation_rate"] = _compact(layer.dilation)
    if not layer.is_transposed:
        params["groups"] = layer.groups
    after = _bias_after(layer, output_pads)
    params["use_bias"] = layer.bias is not False and not after
    return _Written(params, _keras_call(layer, params), how, input_pads, output_pads, after)


def _onnx_call(layer, params) -> str:
    kind = "ConvTranspose" if layer.is_transposed else "Conv"
    inputs = '["X", "W", "B"]' if params.pop("_bias") else '["X", "W"]'
    parts = [f'"{kind}"', inputs, '["Y"]', *_onnx_rules.attribute_text(params, layer.rank)]
    return f"onnx.helper.make_node({', '.join(parts)})"


def _write_onnx(layer: _Layer, in_size) -> _Written:
    input_pads = output_pads = None
    if not layer.is_transposed:
        pads = [(max(lo, 0), max(hi, 0)) for lo, hi in layer.pads]
        extra = ()
        if any(lo < 0 or hi < 0 for lo, hi in layer.pads):
            input_pads = tuple((min(lo, 0), min(hi, 0)) for lo, hi in layer.pads)
            how = ("ONNX pads must be >= 0, so the negative part (a crop of the input) is a "
                   "Slice before the node")
        else:
            how = "ONNX pads each side on its own: pads=[begins..., ends...]"
    else:
        pads, extras, cuts = [], [], []
        for k, s, d, (start, end) in layer.axes():
            if start >= 0 and (end >= 0 or -end < s):
                pads.append((start, max(end, 0)))
                extras.append(max(-end, 0))
                cuts.append((0, 0))
            else:
                b, e = max(start, 0), max(end, 0)
                pads.append((b, e))
                extras.append(0)
                cuts.append((b - start, e - end))
        extra = tuple(extras)
        if any(c != (0, 0) for c in cuts):
            output_pads = tuple(cuts)
            how = ("ONNX crops pads >= 0 and adds output_padding < strides at the end, "
                   "which cannot give this window; a Pad node adds the missing zeros")
        else:
            how = ("ONNX crops pads=[begins..., ends...] from the full output and adds "
                   "output_padding at the end")
    params = {"kernel_shape": list(layer.kernel_size), "strides": list(layer.stride),
              "pads": [lo for lo, _ in pads] + [hi for _, hi in pads],
              "dilations": list(layer.dilation), "group": layer.groups}
    if layer.is_transposed:
        params["output_padding"] = list(extra)
    after = _bias_after(layer, output_pads)
    call = _onnx_call(layer, {**params, "_bias": layer.bias is not False and not after})
    return _Written(params, call, how, input_pads, output_pads, after)


def _write_jax(layer: _Layer, in_size) -> _Written:
    rank = layer.rank
    numbers = _layouts(rank)
    if not layer.is_transposed:
        params = {"window_strides": layer.stride, "padding": layer.pads,
                  "rhs_dilation": layer.dilation, "dimension_numbers": numbers,
                  "feature_group_count": layer.groups}
        parts = [f"window_strides={layer.stride!r}", f"padding={layer.pads!r}"]
        if max(layer.dilation) > 1:
            parts.append(f"rhs_dilation={layer.dilation!r}")
        parts.append(f"dimension_numbers={numbers!r}")
        if layer.groups > 1:
            parts.append(f"feature_group_count={layer.groups}")
        call = f"jax.lax.conv_general_dilated(x, w, {', '.join(parts)})"
        how = "JAX takes explicit (low, high) pairs, negative ones crop"
        return _Written(params, call, how)
    if layer.groups > 1:
        message = (f"{_OP}: groups={layer.groups}: jax.lax.conv_transpose has no groups; "
                   "translate each group as its own call")
        raise ValueError(message)
    pairs = tuple(_jax_rules.swap_padding(k, d, cut) for k, s, d, cut in layer.axes())
    params = {"strides": layer.stride, "padding": pairs, "rhs_dilation": layer.dilation,
              "dimension_numbers": numbers, "transpose_kernel": False}
    parts = [f"strides={layer.stride!r}", f"padding={pairs!r}"]
    if max(layer.dilation) > 1:
        parts.append(f"rhs_dilation={layer.dilation!r}")
    parts.append(f"dimension_numbers={numbers!r}")
    call = f"jax.lax.conv_transpose(x, w, {', '.join(parts)})"
    how = ("lax.conv_transpose's pairs pad the zero-inserted input: "
           "(ke - 1 - start, ke - 1 - end) per axis; the same call is "
           f"jax.lax.conv_general_dilated(x, w, {(1,) * rank!r}, {pairs!r}, "
           f"lhs_dilation={layer.stride!r}, rhs_dilation={layer.dilation!r}, "
           f"dimension_numbers={numbers!r})")
    return _Written(params, call, how)


_WRITERS = {"torch": _write_torch, "keras": _write_keras, "onnx": _write_onnx,
            "jax": _write_jax}


# ------------------------------------------------------------------------- recipes


def _keras_adjust(expression: str, pads, data_format: str) -> str:
    """``expression`` cropped (negative) and zero-padded (positive) per spatial axis."""
    rank = len(pads)
    first = 2 if data_format == "channels_first" else 1
    if any(a < 0 or b < 0 for a, b in pads):
        index = [":"] * (rank + 2)
        for axis, (a, b) in enumerate(pads):
            lo, hi = max(-a, 0), max(-b, 0)
            index[first + axis] = f"{lo or ''}:{-hi if hi else ''}"
        while index and index[-1] == ":":
            index.pop()
        expression = f"{expression}[{', '.join(index)}]"
    if any(a > 0 or b > 0 for a, b in pads):
        widths = [(0, 0)] * (rank + 2)
        for axis, (a, b) in enumerate(pads):
            widths[first + axis] = (max(a, 0), max(b, 0))
        expression = f"keras.ops.pad({expression}, {widths!r})"
    return expression


def _recipe(target: str, layer: _Layer, written: _Written) -> str | None:
    if written.input_pads is None and written.output_pads is None:
        return None
    head = f"# layer = {written.call}, holding the converted weight\n"
    if written.bias_after:
        head += ("# bias = the source layer's bias, added after the zeros are appended "
                 "(the source adds it there too)\n")
    rank = layer.rank
    shaped = "bias" if layer.data_format == "channels_last" and target == "keras" else (
        f"bias.reshape(-1{', 1' * rank})" if target == "torch" else
        f"keras.ops.reshape(bias, (-1{', 1' * rank}))")
    plus = f" + {shaped}" if written.bias_after else ""
    if target == "torch":
        if written.input_pads is not None:
            body = f"y = layer(F.pad(x, {_torch_pad_text(written.input_pads)}))"
        else:
            body = f"y = F.pad(layer(x), {_torch_pad_text(written.output_pads)}){plus}"
        return head + body + "  # F = torch.nn.functional; negative pads crop"
    if target == "keras":
        if written.input_pads is not None:
            body = f"y = layer({_keras_adjust('x', written.input_pads, layer.data_format)})"
        else:
            body = (f"y = {_keras_adjust('layer(x)', written.output_pads, layer.data_format)}"
                    f"{plus}")
        return head + body
    head = head.replace("layer =", "node =")
    if written.input_pads is not None:  # ONNX: negative parts only, a crop
        starts = [-a for a, _ in written.input_pads]
        ends = ", ".join(str(b) if b else "INT64_MAX" for _, b in written.input_pads)
        return (head + f"X = Slice(X, starts={starts}, ends=[{ends}], axes="
                f"{list(range(2, rank + 2))}); Y = node(X)")
    flat = [0, 0] + [a for a, _ in written.output_pads] + [0, 0] + [
        b for _, b in written.output_pads]
    add = f"; Y = Add(Y, B reshaped to (C_out{', 1' * rank}))" if written.bias_after else ""
    return head + f"Y = Pad(node(X), pads={flat}, mode='constant')  # zeros{add}"


# -------------------------------------------------------------------------- weights


def _layout(framework: str, op: str, rank: int) -> tuple[str, ...]:
    """Axis names of the weight: spatial ``k1..``, ``I`` and ``O`` channel axes.

    For the transposed op, ``I`` is its input channels; ``/g`` marks the axis
    divided by groups.
    """
    space = tuple(f"k{i + 1}" if rank > 1 else "k" for i in range(rank))
    if op == "conv":
        if framework in ("torch", "onnx"):
            return ("C_out", "C_in/g", *space)
        return (*space, "C_in/g", "C_out")
    if framework in ("torch", "onnx"):
        return ("C_in", "C_out/g", *space)
    if framework == "keras":
        return (*space, "C_out", "C_in")
    return (*space, "C_in", "C_out")  # jax, transpose_kernel=False, HWIO


def _is_flipped(framework: str, op: str) -> bool:
    """lax.conv_transpose without transpose_kernel correlates with the kernel as given."""
    return framework == "jax" and op == "conv_transpose"


def _permutation(source: str, target: str, op: str, rank: int) -> tuple[int, ...]:
    names_in = _layout(source, op, rank)
    names_out = _layout(target, op, rank)
    strip = [name.replace("/g", "") for name in names_in]
    return tuple(strip.index(name.replace("/g", "")) for name in names_out)


def _weight_text(source: str, target: str, op: str, rank: int,
                 layout: str | None = None) -> str:
    why = ""
    if layout is not None and layout != source:
        why = (f"the JAX kernel here is in {_NAME[layout]}'s layout "
               f"({'dimension_numbers=None' if layout == 'torch' else 'transpose_kernel=True'}"
               "); ")
        source = layout
    before = "(" + ", ".join(_layout(source, op, rank)) + ")"
    after = "(" + ", ".join(_layout(target, op, rank)) + ")"
    steps = []
    perm = _permutation(source, target, op, rank)
    if perm != tuple(range(rank + 2)):
        steps.append(f"permute {perm}")
    if _is_flipped(source, op) != _is_flipped(target, op):
        spatial = tuple(i for i, name in enumerate(_layout(target, op, rank))
                        if name.startswith("k"))
        steps.append(f"flip the spatial axes {spatial}")
    how = " then ".join(steps) if steps else "no change"
    return (f"{why}{source} {before} -> {target} {after}: {how} "
            f"(tconv.convert_weight(w, {source!r}, {target!r}, op={op!r}))")


@_args.keywords
def convert_weight(weight, source, target, *, op="conv_transpose", groups=1):
    """Convert a convolution weight (kernel) from one framework's layout to another's.

    Parameters
    ----------
    weight : array_like
        The weight in ``source``'s layout: NumPy, a PyTorch tensor (or any
        array-API array), or nested lists.
    source, target : {"torch", "keras", "onnx", "jax"}
        The frameworks, with the layouts below (``k...`` the spatial axes,
        ``g`` the groups).
    op : {"conv_transpose", "conv"}, optional
        Which layer the weight belongs to.
    groups : int, optional
        The layer's groups, used to check the shape; Keras's transposed
        layers and ``lax.conv_transpose`` have none.

    Returns
    -------
    array
        The weight in ``target``'s layout, of the same array library as
        ``weight`` (NumPy for lists).

    Raises
    ------
    ValueError
        An unknown framework or op, a weight without 1-3 spatial axes, a
        channel axis not divisible by ``groups``, or ``groups > 1`` for a
        layout that has no groups.
    TypeError
        ``groups`` not an int, a non-numeric weight.

    Notes
    -----
    ============  =====================  ======================
    framework     conv                   conv_transpose
    ============  =====================  ======================
    torch, onnx   (C_out, C_in/g, *k)    (C_in, C_out/g, *k)
    keras         (*k, C_in/g, C_out)    (*k, C_out, C_in)
    jax           (*k, C_in/g, C_out)    (*k, C_in, C_out), flipped
    ============  =====================  ======================

    ``jax`` is the layout of the calls :func:`tconv.translate` writes: JAX's
    default channels-last ``dimension_numbers`` (``('NHWC', 'HWIO', 'NHWC')``
    in 2-D) and, for ``lax.conv_transpose``, ``transpose_kernel=False``:
    that correlates the zero-inserted input with the kernel as given, so the
    kernel is the PyTorch one with its spatial axes reversed
    (docs/rules/jax.md). (With ``transpose_kernel=True`` JAX takes Keras's
    transposed layout instead.) Keras and PyTorch kernels are never flipped
    relative to each other.

    Examples
    --------
    >>> import numpy as np, tconv
    >>> w = np.arange(6).reshape(1, 2, 3)        # torch ConvTranspose1d: (C_in, C_out, k)
    >>> tconv.convert_weight(w, "torch", "keras").shape
    (3, 2, 1)
    >>> tconv.convert_weight(w, "torch", "jax")[:, 0, :]    # (k, C_in, C_out), flipped
    array([[2, 5],
           [1, 4],
           [0, 3]])
    >>> tconv.convert_weight(np.ones((3, 3, 4, 8)), "keras", "torch", op="conv").shape
    (8, 4, 3, 3)
    """
    name = "convert_weight"
    source = _args.choice(name, "source", source, FRAMEWORKS)
    target = _args.choice(name, "target", target, FRAMEWORKS)
    op = _args.choice(name, "op", op, OPS)
    groups = _args.positive_int(name, "groups", groups)
    xp = _xp.namespace_of(weight)
    weight = _xp.as_array(name, "weight", weight, xp)
    rank = weight.ndim - 2
    if rank not in (1, 2, 3):
        message = (f"{name}: weight has shape {tuple(weight.shape)}; a {source} {op} weight "
                   f"has 1-3 spatial axes and two channel axes, "
                   f"{'(' + ', '.join(_layout(source, op, 2)) + ')'} in 2-D")
        raise ValueError(message)
    if groups > 1:
        for framework in (source, target):
            if op == "conv_transpose" and framework in ("keras", "jax"):
                message = (f"{name}: groups={groups}: {_NAME[framework]}'s transposed "
                           f"layout {'(' + ', '.join(_layout(framework, op, rank)) + ')'} "
                           "has no groups")
                raise ValueError(message)
        names = _layout(source, op, rank)
        axis = names.index("C_out" if op == "conv" else "C_in")
        if weight.shape[axis] % groups:
            message = (f"{name}: weight has shape {tuple(weight.shape)}, layout "
                       f"({', '.join(names)}): its {names[axis]} axis ({weight.shape[axis]}) "
                       f"is not divisible by groups={groups}")
            raise ValueError(message)
    if _is_flipped(source, op):
        weight = xp.flip(weight, axis=tuple(range(rank)))
    weight = xp.permute_dims(weight, _permutation(source, target, op, rank))
    if _is_flipped(target, op):
        weight = xp.flip(weight, axis=tuple(range(rank)))
    return weight


# ----------------------------------------------------------------------- translate


def _check_names(framework: str, op: str, params: dict) -> None:
    known = _names(framework, op)
    for name, value in params.items():
        if name in known:
            continue
        concept = next((c for c, spellings in _SPELLING.items()
                        if name in spellings.values()), None)
        hint = _spelling(framework, op, concept) if concept is not None else None
        if hint is None:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = close[0] if close else None
        where = f"{_NAME[framework]} {op}"
        message = f"{_OP}: {name}={value!r} is not a {where} parameter"
        if hint is not None:
            message += f"; did you mean {hint}?"
        message += f" (valid: {', '.join(sorted(known))})"
        raise ValueError(message)
    kernel_name = _spelling(framework, op, "kernel_size")
    if kernel_name not in params:
        message = f"{_OP}: {kernel_name} is needed (the {_NAME[framework]} kernel size)"
        raise ValueError(message)


def _describe(layer: _Layer) -> str:
    if layer.is_transposed:
        return (f"crops (start, end) = {_pad_text(layer.pads)} from the full output "
                "(negative: zeros added)")
    return f"pads the input by (before, after) = {_pad_text(layer.pads)} (negative: crop)"


@_args.keywords
def translate(source, target, *, op="conv_transpose", rank=2, input_size=None, **params):
    """Write one layer's parameters in another framework's convention.

    Parameters
    ----------
    source, target : {"torch", "keras", "onnx", "jax"}
        ``"torch"``: ``torch.nn.Conv{d}d`` / ``ConvTranspose{d}d`` constructor
        parameters. ``"keras"``: Keras 3 ``Conv{d}D`` / ``Conv{d}DTranspose``.
        ``"onnx"``: ``Conv`` / ``ConvTranspose`` node attributes. ``"jax"``:
        ``jax.lax.conv_general_dilated`` (op ``"conv"``) or
        ``jax.lax.conv_transpose`` keyword arguments.
    op : {"conv_transpose", "conv"}, optional
    rank : {1, 2, 3}, optional
        Spatial rank (default 2).
    input_size : int or tuple of ints, optional
        Spatial input size. Needed where the answer depends on it (Keras
        ``"same"``, ONNX ``SAME_*`` and JAX ``"SAME"`` convolutions with a
        stride above 1, ONNX ``output_shape``), and used to find Keras
        ``"same"`` as a target and to report ``output_size``.
    **params
        The source layer's parameters, in its own names (defaults as the
        framework's). Channel counts and the kernel size may be given to a
        framework whose call does not name them (ONNX and JAX: ``in_channels``,
        ``out_channels``; Keras: ``in_channels``; JAX: ``kernel_size``) so
        the target's call can hold them.

    Returns
    -------
    Translation
        ``call``, ``params``, ``exact``, ``recipe``, ``weight``, ``note``
        (see :class:`Translation`).

    Raises
    ------
    ValueError
        An unknown framework, op or parameter name (with the likely intended
        name), a missing kernel size, a missing ``input_size`` where it is
        needed, a layer the target cannot hold (Keras transposed layers and
        ``lax.conv_transpose`` with groups; Keras with both strides and
        dilation above 1), and any value the source framework refuses.
    TypeError
        A value of the wrong kind.

    Notes
    -----
    Both layers are described by the same pads: for a convolution the zeros
    added to each side of the input, for a transposed convolution the samples
    cut from each end of the full output ``F = (n-1)*s + ke``
    (``ke = dilation*(k-1) + 1``; ``tconv._geometry``). Those of Keras and ONNX
    transposed layers and of ``lax.conv_transpose`` do not depend on the input
    size. JAX calls use its default channels-last ``dimension_numbers`` and,
    for ``lax.conv_transpose``, ``transpose_kernel=False`` (a spatially
    flipped kernel; :func:`convert_weight` does that). Bias: ONNX's is the
    optional ``B`` input, JAX has none (add it yourself).

    Examples
    --------
    >>> import tconv
    >>> t = tconv.translate("keras", "torch", filters=8, kernel_size=4, strides=2,
    ...                     padding="same", in_channels=16)
    >>> t.call, t.exact
    ('torch.nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)', True)
    >>> t.weight
    "keras (k1, k2, C_out, C_in) -> torch (C_in, C_out/g, k1, k2): permute (3, 2, 0, 1) \
(tconv.convert_weight(w, 'keras', 'torch', op='conv_transpose'))"

    Keras's "same" with an odd kernel keeps the full output's START and cuts
    the odd sample at the end; PyTorch's ``padding=1, output_padding=1``
    has the right shape but is shifted by one sample:

    >>> t = tconv.translate("keras", "torch", filters=8, kernel_size=3, strides=2,
    ...                     padding="same", in_channels=16)
    >>> t.exact
    False
    >>> print(t.recipe)
    # layer = torch.nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2), holding the converted weight
    y = F.pad(layer(x), (0, -1, 0, -1))  # F = torch.nn.functional; negative pads crop
    >>> tconv.translate("torch", "jax", kernel_size=3, stride=2, padding=1,
    ...                 output_padding=1).params["padding"]
    ((1, 2), (1, 2))
    >>> t = tconv.translate("keras", "torch", op="conv", filters=8, kernel_size=3,
    ...                     strides=2, padding="same", in_channels=16, input_size=(32, 32))
    >>> t.exact, t.input_pads
    (False, ((0, 1), (0, 1)))
    """
    source = _args.choice(_OP, "source", source, FRAMEWORKS)
    target = _args.choice(_OP, "target", target, FRAMEWORKS)
    op = _args.choice(_OP, "op", op, OPS)
    rank = _args.spatial_rank(_OP, rank)
    if input_size is not None:
        input_size = _args.positive_ints(_OP, "input_size", input_size, rank)
    _check_names(source, op, params)
    layer = _READERS[source](op, rank, params, input_size)
    for name, channels in (("in_channels", layer.in_channels),
                           ("out_channels", layer.out_channels)):
        if channels is not None and channels % layer.groups:
            message = (f"{_OP}: {_spelling(source, op, name)}={channels} is not divisible "
                       f"by {_spelling(source, op, 'groups') or 'groups'}={layer.groups}")
            raise ValueError(message)
    output_size = None
    if input_size is not None:
        if layer.is_transposed:
            output_size = tuple(full_transpose_length(n, k, s, d) - a - b for n, (k, s, d, (a, b))
                                in zip(input_size, layer.axes()))
        else:
            output_size = tuple(conv_length(n, k, s, d, a, b) for n, (k, s, d, (a, b))
                                in zip(input_size, layer.axes()))
        if min(output_size) < 1:
            message = (f"{_OP}: the output would be empty: size {output_size} from "
                       f"input_size={input_size} ({_describe(layer)})")
            raise ValueError(message)
    written = _WRITERS[target](layer, input_size)
    exact = written.input_pads is None and written.output_pads is None
    note = f"{_NAME[source]} {_describe(layer)}; {written.how}."
    return Translation(source, target, op, rank, written.call, written.params, exact,
                       _recipe(target, layer, written), _weight_text(source, target, op, rank,
                                                                  layer.weight_layout),
                       note, written.input_pads, written.output_pads, output_size)
