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
from dataclasses import dataclass
from functools import cache

from . import _args
from ._geometry import conv_transpose_length, effective_kernel, keras_transpose_window

FRAMEWORKS = ("torch", "keras", "onnx")
MAX_DILATION = 3
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

    @property
    def call(self) -> str:
        """The constructor call, defaults left out."""
        parts = [f"kernel_size={self.kernel_size}", f"stride={self.stride}"]
        parts += [f"{name}={value}" for name, value in
                  (("padding", self.padding), ("output_padding", self.output_padding))
                  if value]
        if self.dilation != 1:
            parts.append(f"dilation={self.dilation}")
        return f"nn.ConvTranspose1d(C_in, C_out, {', '.join(parts)})"


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

    @property
    def call(self) -> str:
        """The constructor call, defaults left out."""
        parts = [f"kernel_size={self.kernel_size}", f"strides={self.strides}"]
        if self.padding != "valid":
            parts.append(f'padding="{self.padding}"')
        if self.output_padding is not None:
            parts.append(f"output_padding={self.output_padding}")
        if self.dilation_rate != 1:
            parts.append(f"dilation_rate={self.dilation_rate}")
        return f"keras.layers.Conv1DTranspose(filters, {', '.join(parts)})"


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

    @property
    def call(self) -> str:
        """The node's attributes, defaults left out."""
        parts = [f"kernel_shape=[{self.kernel_shape}]", f"strides=[{self.strides}]"]
        if any(self.pads):
            parts.append(f"pads=[{self.pads[0]}, {self.pads[1]}]")
        if self.output_padding:
            parts.append(f"output_padding=[{self.output_padding}]")
        if self.dilations != 1:
            parts.append(f"dilations=[{self.dilations}]")
        return f"ConvTranspose({', '.join(parts)})"


def _kernels(kernels, s: int, dil: int):
    """Kernel sizes to try; a 1-tap kernel has no dilation (only ``dil=1`` is kept)."""
    return (k for k in kernels(s) if k > 1 or dil == 1)


def _torch_layers(n: int, out: int, strides, dilations, kernels):
    for s, dil in itertools.product(strides(n, out), dilations):
        for k in _kernels(kernels, s, dil):
            for p in range(effective_kernel(k, dil)):
                op = out - conv_transpose_length(n, k, s, dil, p, p, 0)
                if 0 <= op < max(s, dil):
                    yield TorchLayer(k, s, p, op, dil)


def _keras_layers(n: int, out: int, strides, dilations, kernels):
    for s, dil in itertools.product(strides(n, out), dilations):
        if s > 1 and dil > 1:  # Keras rejects strides > 1 with dilation_rate > 1
            continue
        for k in _kernels(kernels, s, dil):
            is_long = effective_kernel(k, dil) >= s
            for padding, op in itertools.product(("valid", "same"), (None, *range(s))):
                if padding == "valid" and op == 0 and is_long:
                    continue  # the same layer as op None
                if keras_transpose_window(n, k, s, dil, padding, op)[1] == out:
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


def _key(layer) -> tuple[int, ...]:
    """Ranking key, smaller is better; distinct records of a framework differ."""
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
    return (int(k % s != 0), int(op != 0), is_same, has_op, dil, k, sum(pads),
            abs(pads[1] - pads[0]), pads[0], s, op)


def _is_identity(layer) -> bool:
    """A 1-tap kernel with stride 1 (its size is then unchanged: a copy)."""
    key = _key(layer)
    return key[5] == 1 and key[9] == 1


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b))


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
        with the framework's parameter names and a ``call`` property holding
        the constructor call); with ``layers > 1`` each item is a tuple of
        records, first layer first. Empty when the size cannot be reached
        within the search space.

    Raises
    ------
    TypeError
        A size, ``layers``, a fixed parameter or ``max_results`` is not an int.
    ValueError
        A non-positive value, or an unknown ``framework``.

    Notes
    -----
    Search space, per layer: stride ``1..max(1, ceil(output/input))`` of that
    layer, kernel ``1..max(2*stride + 1, 7)``, dilation ``1..3``, padding
    ``0..ke-1`` per side (``ke = dilation*(kernel-1) + 1``; symmetric for
    torch, both sides independently for ONNX, ``"valid"``/``"same"`` for
    Keras) and every legal output_padding (torch ``< max(stride, dilation)``,
    ONNX and Keras ``< stride``; Keras also ``None``, and no dilation with a
    stride above 1). Each length comes from
    ``tconv._geometry.conv_transpose_length`` (Keras: ``tconv._geometry.keras_transpose_window``).

    Ranking: kernel divisible by stride first (no checkerboard,
    docs/rules/checkerboard.md), then no output_padding, then (Keras)
    ``"valid"`` and no explicit output_padding, dilation 1, smaller kernels,
    less padding, symmetric padding. Chains are ranked by the sums of their layers' keys; a 1-tap,
    stride-1 layer (a copy) is never part of a chain.

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
    >>> first
    (TorchLayer(kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1), \
TorchLayer(kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1))
    >>> tconv.solve(7, 14, framework="keras", kernel_size=4)[0].call
    'keras.layers.Conv1DTranspose(filters, kernel_size=4, strides=2, padding="same")'
    >>> tconv.solve(7, 14, framework="onnx", kernel_size=3)[0]
    OnnxLayer(kernel_shape=3, strides=2, pads=(0, 1), output_padding=0, dilations=1)
    """
    n = _args.positive_int(_OP, "input_size", input_size)
    out = _args.positive_int(_OP, "output_size", output_size)
    depth = _args.positive_int(_OP, "layers", layers)
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
        found = sorted(search(size, target, strides, dilations, kernels), key=_key)
        if depth > 1:  # a 1-tap, stride-1 layer inside a chain does nothing
            found = [layer for layer in found if not _is_identity(layer)]
        return [(_key(layer), (layer,)) for layer in found[:cap]]

    sizes = range(min(n, out), max(n, out) + 1)

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
