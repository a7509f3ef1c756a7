"""``tconv.solve``: which transposed convolutions map one size to another.

A bounded brute-force search over one axis. Every candidate's length comes
from the geometry functions of :mod:`tconv._geometry` (PyTorch and ONNX), or,
for Keras, from the table of docs/rules/keras.md written on top of them; nothing
here re-derives a size formula. Chains of layers are ranked by summing the
per-layer ranking keys, so the best chains only ever use each layer's best
answers; that keeps deep searches small.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from . import _args
from ._geometry import conv_transpose_length, effective_kernel, output_padding_limit
from ._geometry import keras as _keras_rules
from ._geometry import onnx as _onnx_rules
from ._geometry import torch as _torch_rules

FRAMEWORKS = ("torch", "keras", "onnx")
MAX_DILATION = 3
# Stated bounds on the search: layers in a chain, and candidate layers tried.
MAX_LAYERS = 10
MAX_CANDIDATES = 2_000_000
_OP = "solve"


def kernel_limit(stride: int) -> int:
    """Largest kernel searched for ``stride``: ``max(2*stride + 1, 7)``."""
    return max(2 * stride + 1, 7)


def stride_limit(in_size: int, out_size: int) -> int:
    """Largest stride searched: ``max(1, ceil(out_size / in_size))``."""
    return max(1, -(-out_size // in_size))


@dataclass(frozen=True)
class TorchLayer:
    """One ``torch.nn.ConvTranspose1d`` configuration (PyTorch parameter names)."""

    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    score: float = field(default=0.0, compare=False)
    has_holes: bool = field(default=False, compare=False)

    @property
    def call(self) -> str:
        """The constructor call, defaults left out."""
        params = {"kernel_size": self.kernel_size, "stride": self.stride,
                  "padding": self.padding, "output_padding": self.output_padding,
                  "dilation": self.dilation}
        return _torch_rules.call_text(1, True, params, module="nn", keep=("stride",))


@dataclass(frozen=True)
class KerasLayer:
    """One ``keras.layers.Conv1DTranspose`` configuration (Keras parameter names).

    ``output_padding`` is ``None`` (Keras's default) or an int ``< strides``.
    """

    kernel_size: int
    strides: int
    padding: str
    output_padding: int | None
    dilation_rate: int
    score: float = field(default=0.0, compare=False)
    has_holes: bool = field(default=False, compare=False)

    @property
    def call(self) -> str:
        """The constructor call, defaults left out."""
        params = {"kernel_size": self.kernel_size, "strides": self.strides,
                  "padding": self.padding, "output_padding": self.output_padding,
                  "dilation_rate": self.dilation_rate}
        return _keras_rules.call_text(1, True, params, kernel_keyword=True, keep=("strides",))


@dataclass(frozen=True)
class OnnxLayer:
    """One ONNX ``ConvTranspose`` node's attributes (1-D, ONNX names).

    ``pads`` is ``(begin, end)``, the ONNX layout ``[b_1, e_1]`` for one axis.
    """

    kernel_shape: int
    strides: int
    pads: tuple[int, int]
    output_padding: int
    dilations: int
    score: float = field(default=0.0, compare=False)
    has_holes: bool = field(default=False, compare=False)

    @property
    def call(self) -> str:
        """The node's attributes, defaults left out."""
        params = {"kernel_shape": [self.kernel_shape], "strides": [self.strides],
                  "pads": list(self.pads), "output_padding": [self.output_padding],
                  "dilations": [self.dilations]}
        parts = _onnx_rules.attribute_text(params, 1, keep=("strides",))
        return f"ConvTranspose({', '.join(parts)})"


def _kernels(kernels, s: int, dil: int):
    """Kernel sizes to try; a 1-tap kernel has no dilation (only ``dil=1`` is kept)."""
    return (k for k in kernels(s) if k > 1 or dil == 1)


def _torch_layers(n: int, out: int, strides, dilations, kernels):
    for s, dil in itertools.product(strides(n, out), dilations):
        for k in _kernels(kernels, s, dil):
            for p in range(effective_kernel(k, dil)):
                op = out - conv_transpose_length(n, k, s, dil, p, p, 0)
                if 0 <= op < output_padding_limit(s, dil):
                    yield TorchLayer(k, s, p, op, dil)


def _keras_layers(n: int, out: int, strides, dilations, kernels):
    for s, dil in itertools.product(strides(n, out), dilations):
        if not _keras_rules.strides_dilation_allowed(s, dil):
            continue
        for k in _kernels(kernels, s, dil):
            is_long = effective_kernel(k, dil) >= s
            for padding, op in itertools.product(("valid", "same"), (None, *range(s))):
                if padding == "valid" and op == 0 and is_long:
                    continue  # the same layer as op None
                if _keras_rules.transpose_length(n, k, s, dil, padding, op) == out:
                    yield KerasLayer(k, s, padding, op, dil)


def _onnx_layers(n: int, out: int, strides, dilations, kernels):
    for s, dil in itertools.product(strides(n, out), dilations):
        for k in _kernels(kernels, s, dil):
            ke = effective_kernel(k, dil)
            # onnxruntime and the reference reject op >= stride even when
            # op < dilation (docs/rules/onnx.md), so the stride alone bounds it.
            for lo, op in itertools.product(range(ke), range(s)):
                hi = conv_transpose_length(n, k, s, dil, lo, 0, op) - out
                if 0 <= hi < ke:
                    yield OnnxLayer(k, s, (lo, hi), op, dil)


_SEARCH = {"torch": _torch_layers, "keras": _keras_layers, "onnx": _onnx_layers}


def _candidates(framework: str, n: int, out: int, strides, dilations, kernels,
                limit: int) -> int:
    """How many candidate layers the search from ``n`` to ``out`` tries (stops past ``limit``)."""
    total = 0
    for s in strides(n, out):
        for dil in dilations:
            for k in _kernels(kernels, s, dil):
                ke = effective_kernel(k, dil)
                total += {"torch": ke, "onnx": ke * s, "keras": 2 * (s + 1)}[framework]
                if total > limit:
                    return total
    return total


@cache
def coverage(k: int, s: int, dil: int) -> tuple[bool, float]:
    """``(has_holes, score)`` of one layer's overlap, as :func:`tconv.checkerboard` finds.

    Away from the borders output phase ``r`` (of ``s``) gets one kernel copy
    per tap ``t`` with ``t*dilation % s == r``: holes where a phase gets none
    (zeros whatever the weights), and the checkerboard score
    ``(max - min) / mean`` of those counts (0 when even).
    """
    counts = [0] * s
    for t in range(k):
        counts[t * dil % s] += 1
    spread = max(counts) - min(counts)
    return min(counts) == 0, 0.0 if spread == 0 else spread * s / k


def _reached(n: int, k: int, s: int, dil: int, start: int, length: int) -> bool:
    """Whether every kept output ``start .. start+length-1`` of the full output is
    reached by some input and tap (not a border gap, nor an output_padding zero)."""
    full = np.bincount((np.arange(n)[:, None] * s + np.arange(k)[None, :] * dil).ravel(),
                       minlength=start + length)
    return bool(np.all(full[start:start + length] > 0))


def _scored(layer, n: int, out: int):
    """``layer`` with its checkerboard score and whether it leaves holes."""
    if isinstance(layer, TorchLayer):
        k, s, dil = layer.kernel_size, layer.stride, layer.dilation
        start = layer.padding
    elif isinstance(layer, KerasLayer):
        k, s, dil = layer.kernel_size, layer.strides, layer.dilation_rate
        start = _keras_rules.transpose_window(n, k, s, dil, layer.padding,
                                              layer.output_padding)[0]
    else:
        k, s, dil = layer.kernel_shape, layer.strides, layer.dilations
        start = layer.pads[0]
    has_holes, score = coverage(k, s, dil)
    has_holes = has_holes or not _reached(n, k, s, dil, start, out)
    return replace(layer, score=score, has_holes=has_holes)


def _key(layer, *, interior_only: bool = False) -> tuple:
    """Ranking key, smaller is better; distinct records of a framework differ.

    Holes last, then the checkerboard score (uneven overlap), then the
    simpler parameters. ``interior_only`` ranks an unscored record by its
    interior coverage alone (no border check: the cheap first sort).
    """
    if isinstance(layer, TorchLayer):
        k, s, dil, op = layer.kernel_size, layer.stride, layer.dilation, layer.output_padding
        pads, is_same, has_op = (layer.padding, layer.padding), 0, 0
    elif isinstance(layer, KerasLayer):
        k, s, dil = layer.kernel_size, layer.strides, layer.dilation_rate
        op, pads = layer.output_padding or 0, (0, 0)
        is_same, has_op = int(layer.padding == "same"), int(layer.output_padding is not None)
    else:
        k, s, dil, op = layer.kernel_shape, layer.strides, layer.dilations, layer.output_padding
        pads, is_same, has_op = layer.pads, 0, 0
    has_holes, score = (coverage(k, s, dil) if interior_only
                        else (layer.has_holes, layer.score))
    return (int(has_holes), score, int(op != 0), is_same, has_op, dil, k,
            sum(pads), abs(pads[1] - pads[0]), pads[0], s, op)


def _is_identity(layer) -> bool:
    """A 1-tap kernel with stride 1 (its size is then unchanged: a copy)."""
    key = _key(layer, interior_only=True)
    return key[6] == 1 and key[10] == 1


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b))


@_args.keywords
def solve(input_size, output_size, *, layers=1, kernel_size=None, stride=None,
          dilation=None, framework="torch", max_results=20):
    """Every transposed-convolution configuration mapping one size to another.

    One spatial axis is solved: ``input_size`` and ``output_size`` are ints.
    For an ``H x W`` input, solve each axis on its own (a square image needs
    one call, its answers apply to both axes).

    Parameters
    ----------
    input_size, output_size : int
        Length of the input and of the wanted output (>= 1).
    layers : int, optional
        Number of transposed convolutions in a chain (default 1). The sizes
        between them are searched over ``min(input_size, output_size)`` ..
        ``max(input_size, output_size)``.
    kernel_size, stride, dilation : int, optional
        Fix that parameter (every layer); ``None`` searches it.
    framework : {"torch", "keras", "onnx"}, optional
        Whose parameters and size rules: PyTorch ``ConvTranspose1d``, Keras 3
        ``Conv1DTranspose`` (``"valid"``/``"same"``, docs/rules/keras.md) or the
        ONNX ``ConvTranspose`` node (explicit ``pads``, docs/rules/onnx.md).
    max_results : int or None, optional
        At most this many answers (default 20); ``None`` returns all.

    Returns
    -------
    list
        Best first. With ``layers=1`` each item is one record
        (``TorchLayer``, ``KerasLayer`` or ``OnnxLayer``: frozen dataclasses
        with the framework's parameter names, the layer's checkerboard
        ``score`` and ``has_holes``, and a ``call`` property holding the
        constructor call); with ``layers > 1`` each item is a tuple of
        records, first layer first. Empty when the size cannot be reached
        within the search space.

    Raises
    ------
    TypeError
        A size, ``layers``, a fixed parameter or ``max_results`` is not an int.
    ValueError
        A non-positive value, an unknown ``framework``, more than 10
        ``layers``, or a search over the candidate limit (see Notes).

    Notes
    -----
    Search space, per layer: stride ``1..max(1, ceil(output/input))`` of that
    layer, kernel ``1..max(2*stride + 1, 7)``, dilation ``1..3``, padding
    ``0..ke-1`` per side (``ke = dilation*(kernel-1) + 1``; symmetric for
    torch, both sides independently for ONNX, ``"valid"``/``"same"`` for
    Keras) and every legal output_padding (torch ``< max(stride, dilation)``,
    ONNX and Keras ``< stride``; Keras also ``None``, and no dilation with a
    stride above 1). Each length comes from
    ``tconv._geometry.conv_transpose_length`` (Keras: ``tconv._geometry.keras.transpose_window``).

    Ranking, by the overlap analysis of :func:`tconv.checkerboard`: layers
    that leave holes come last (an output phase no kernel tap reaches, a
    border sample no input reaches, or an output_padding zero: zeros
    whatever the weights); then the checkerboard score (0 when every
    interior output gets the same number of kernel copies, larger the more
    uneven); then no output_padding, (Keras) ``"valid"`` and no explicit
    output_padding, dilation 1, smaller kernels, less padding, symmetric
    padding. Each record carries its ``score`` and ``has_holes``. Chains are
    ranked by the sums of their layers' keys; a 1-tap, stride-1 layer (a
    copy) is never part of a chain.

    Limits: at most ``MAX_LAYERS = 10`` layers, and at most
    ``MAX_CANDIDATES = 2_000_000`` candidate layers tried (counted before
    searching); a larger search is refused with a ValueError that says how
    to narrow it (fix ``stride`` or ``kernel_size``).

    Keras answers follow the torch and jax backends; the TensorFlow backend
    aborts on some ``"same"`` layers with ``output_padding`` (docs/rules/keras.md,
    e.g. kernel 4, stride 2, output_padding 0).

    Examples
    --------
    >>> import tconv
    >>> [layer.call for layer in tconv.solve(7, 14, max_results=2)]
    ['nn.ConvTranspose1d(C_in, C_out, kernel_size=2, stride=2)', \
'nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)']
    >>> first = tconv.solve(7, 28, layers=2, kernel_size=4)[0]
    >>> [layer.call for layer in first]
    ['nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)', \
'nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)']
    >>> layer = tconv.solve(5, 11, stride=2, kernel_size=3)[0]
    >>> layer.call, round(layer.score, 3), layer.has_holes
    ('nn.ConvTranspose1d(C_in, C_out, kernel_size=3, stride=2)', 0.667, False)
    >>> tconv.solve(7, 14, framework="keras", kernel_size=4)[0].call
    'keras.layers.Conv1DTranspose(filters, kernel_size=4, strides=2, padding="same")'
    >>> tconv.solve(7, 14, framework="onnx", kernel_size=3)[0]
    OnnxLayer(kernel_shape=3, strides=2, pads=(0, 1), output_padding=0, dilations=1, \
score=0.6666666666666666, has_holes=False)
    """
    n = _args.positive_int(_OP, "input_size", input_size)
    out = _args.positive_int(_OP, "output_size", output_size)
    depth = _args.positive_int(_OP, "layers", layers)
    if depth > MAX_LAYERS:
        message = (f"{_OP}: layers={layers!r} is more than the {MAX_LAYERS} layers the "
                   "search chains")
        raise ValueError(message)
    framework = _args.choice(_OP, "framework", framework, FRAMEWORKS)
    fixed = {name: None if value is None else _args.positive_int(_OP, name, value)
             for name, value in (("kernel_size", kernel_size), ("stride", stride),
                                 ("dilation", dilation))}
    cap = None if max_results is None else _args.positive_int(_OP, "max_results", max_results)

    def strides(size, target):
        if fixed["stride"] is not None:
            return (fixed["stride"],)
        return range(1, stride_limit(size, target) + 1)

    def kernels(s):
        if fixed["kernel_size"] is not None:
            return (fixed["kernel_size"],)
        return range(1, kernel_limit(s) + 1)

    dilations = ((fixed["dilation"],) if fixed["dilation"] is not None
                 else range(1, MAX_DILATION + 1))
    search = _SEARCH[framework]

    @cache
    def pair(size, target):
        found = search(size, target, strides, dilations, kernels)
        if depth > 1:  # a 1-tap, stride-1 layer inside a chain does nothing
            found = (layer for layer in found if not _is_identity(layer))
        # Sort by the interior coverage, then check the borders in that order
        # only until ``cap`` layers without holes are found.
        whole, holed = [], []
        for layer in sorted(found, key=lambda layer: _key(layer, interior_only=True)):
            layer = _scored(layer, size, target)
            (holed if layer.has_holes else whole).append(layer)
            if cap is not None and len(whole) == cap:
                break
        found = whole + sorted(holed, key=_key)
        return [(_key(layer), (layer,)) for layer in found[:cap]]

    sizes = range(min(n, out), max(n, out) + 1)
    if depth == 1:
        work = _candidates(framework, n, out, strides, dilations, kernels, MAX_CANDIDATES)
    else:
        work = 0
        for size, target in itertools.product(sizes, sizes):
            work += _candidates(framework, size, target, strides, dilations, kernels,
                                MAX_CANDIDATES - work)
            if work > MAX_CANDIDATES:
                break
    if work > MAX_CANDIDATES:
        given = "".join(f", {name}={value!r}" for name, value in
                        (("kernel_size", kernel_size), ("stride", stride),
                         ("dilation", dilation)) if value is not None)
        message = (f"{_OP}: input_size={input_size!r} to output_size={output_size!r} with "
                   f"layers={layers!r}{given} needs more than {MAX_CANDIDATES} candidate "
                   "layers, "
                   "the search's limit; fix stride and/or kernel_size (or use fewer layers, "
                   "or sizes closer together) to narrow it")
        raise ValueError(message)

    @cache
    def chains(size, remaining):
        # Best chains from ``size`` to ``out`` in ``remaining`` layers, as
        # (summed key, per-layer keys, layers); adding the same key to two
        # chains keeps their order, so each step only needs the best ``cap``.
        if remaining == 1:
            return [(key, key, layer) for key, layer in pair(size, out)]
        merged = []
        for middle in sizes:
            for (head_key, head), (tail_sum, tail_keys, tail) in itertools.product(
                    pair(size, middle), chains(middle, remaining - 1)):
                merged.append((_add(head_key, tail_sum), head_key + tail_keys,
                               head + tail))
        return heapq.nsmallest(cap, merged) if cap is not None else sorted(merged)

    found = chains(n, depth)
    if depth == 1:
        return [chain[0] for _, _, chain in found]
    return [chain for _, _, chain in found]
