"""Keras 3 conventions: ``Conv{d}D``, ``Conv{d}DTranspose`` and ``UpSampling{d}D``.

A translator onto the core ops: Keras names (``strides``, ``dilation_rate``,
``data_format``), Keras kernel layouts (conv ``(*k, C_in/groups, C_out)``,
transposed ``(*k, C_out, C_in)``, no spatial flip), Keras ``"same"``,
``"valid"`` and ``"causal"`` padding turned into explicit ``(before, after)``
pads, and Keras's window rule for the transposed output (docs/rules/keras.md).
Inputs are batched, as Keras layers are. Keras itself is never imported.
"""

from __future__ import annotations

import contextlib
import re

import numpy as np
from array_api_compat import device

from . import _args, _limits, _xp
from ._conv import conv as _conv
from ._conv import conv_transpose as _conv_transpose
from ._cubic import keys
from ._geometry import keras as _rules
from ._interpolate import interpolate as _interpolate

__all__ = ["conv", "conv_transpose", "upsampling"]

DATA_FORMATS = ("channels_last", "channels_first")


# Core parameter names as the Keras layers spell them, for errors raised inside the core.
_KERAS_NAMES = {"stride": "strides", "dilation": "dilation_rate", "weight": "kernel",
                "scale_factor": "size"}


@contextlib.contextmanager
def _as_keras(op: str, core_op: str):
    """Re-raise a core op's ValueError/TypeError under ``op`` with Keras's names."""
    try:
        yield
    except (ValueError, TypeError) as error:
        text = str(error)
        if not text.startswith(f"{core_op}:"):
            raise
        text = f"{op}:" + text[len(core_op) + 1:]
        for core, keras in _KERAS_NAMES.items():
            text = re.sub(rf"\b{core}(?==| has| must| is)", keras, text)
        raise type(error)(text) from None


def _word(op: str, name: str, value, allowed) -> str:
    """A Keras string option, case-insensitive as Keras reads it."""
    return _args.choice(op, name, value.lower() if isinstance(value, str) else value, allowed)


def _to_first(op: str, name: str, value, xp, data_format: str, like=None):
    """A batched array as ``(N, C, *S)``."""
    value = _xp.as_array(op, name, value, xp, like)
    if value.ndim < 3 or value.ndim > 5:
        message = (f"{op}: {name} must be batched, (N, *S, C) or (N, C, *S) with 1-3 "
                   f"spatial axes; got shape {tuple(value.shape)}")
        raise ValueError(message)
    if data_format == "channels_first":
        return value
    rank = value.ndim - 2
    return xp.permute_dims(value, (0, rank + 1, *range(1, rank + 1)))


def _from_first(xp, y, data_format: str):
    if data_format == "channels_first":
        return y
    rank = y.ndim - 2
    return xp.permute_dims(y, (0, *range(2, rank + 2), 1))


def _prepare(op: str, x, kernel, data_format: str):
    """``x`` channels-first, ``kernel`` in PyTorch layout ``(B, A, *k)``, the rank."""
    xp = _xp.namespace_of(x)
    x = _to_first(op, "x", x, xp, data_format)
    kernel = _xp.as_array(op, "kernel", kernel, xp, x)
    rank = x.ndim - 2
    if kernel.ndim != rank + 2:
        message = (f"{op}: kernel must have {rank + 2} axes (*kernel_size, A, B) for "
                   f"{rank} spatial axes; got shape {tuple(kernel.shape)}")
        raise ValueError(message)
    kernel = xp.permute_dims(kernel, (rank + 1, rank, *range(rank)))
    return xp, x, kernel, rank


def _check_strides_dilation(op: str, strides, dilation_rate, rank: int):
    strides = _args.positive_ints(op, "strides", strides, rank)
    dilation_rate = _args.positive_ints(op, "dilation_rate", dilation_rate, rank)
    _rules.check_strides_dilation(op, strides, dilation_rate)
    return strides, dilation_rate


@_args.keywords
def conv(x, kernel, bias=None, *, strides=1, padding="valid", dilation_rate=1, groups=1,
         data_format="channels_last"):
    """Convolution as Keras 3's ``Conv1D``, ``Conv2D`` and ``Conv3D`` layers.

    Parameters
    ----------
    x : array_like
        Batched input, ``(N, *S, C_in)`` (channels_last) or ``(N, C_in, *S)``.
    kernel : array_like
        Keras layout ``(*k, C_in/groups, C_out)``.
    bias : array_like, optional
        ``(C_out,)``.
    strides, dilation_rate : int or tuple of ints
        As the layer's; both above 1 at once is an error, as in Keras.
    padding : {"valid", "same", "causal"}
        ``"same"``: ``ceil(n / strides)`` outputs, odd padding unit at the
        end. ``"causal"`` (rank 1 only): ``dilation_rate*(k-1)`` zeros before.
    groups : int
        ``C_in`` and ``C_out`` must both be divisible by it.
    data_format : {"channels_last", "channels_first"}

    Returns
    -------
    array
        ``(N, *S_out, C_out)`` or ``(N, C_out, *S_out)``.

    Raises
    ------
    ValueError
        An unknown padding or data_format, causal padding beyond rank 1,
        strides and dilation_rate both above 1, channels not divisible by
        groups, and the core's shape errors (named here with Keras's
        parameter names and ``tconv.keras.conv``).

    Examples
    --------
    >>> import tconv.keras
    >>> k = [[[1]], [[10]], [[100]]]               # (k=3, C_in=1, C_out=1)
    >>> tconv.keras.conv([[[1, 2, 3, 4]]], k, padding="causal",
    ...                  data_format="channels_first")
    array([[[100., 210., 321., 432.]]])
    >>> tconv.keras.conv([[[1], [2], [3], [4]]], k)  # channels_last, "valid"
    array([[[321.],
            [432.]]])
    """
    op = "tconv.keras.conv"
    data_format = _word(op, "data_format", data_format, DATA_FORMATS)
    padding = _word(op, "padding", padding, ("valid", "same", "causal"))
    xp, x, kernel, rank = _prepare(op, x, kernel, data_format)
    strides, dilation_rate = _check_strides_dilation(op, strides, dilation_rate, rank)
    groups = _args.positive_int(op, "groups", groups)
    for name, channels in (("filters", kernel.shape[0]), ("input channels", x.shape[1])):
        if channels % groups:
            message = f"{op}: {name} ({channels}) must be divisible by groups={groups}"
            raise ValueError(message)
    if padding == "causal":
        if rank != 1:
            message = f"{op}: padding='causal' is only for rank 1 (Conv1D); got rank {rank}"
            raise ValueError(message)
        padding = (_rules.causal_pads(kernel.shape[2], dilation_rate[0]),)
    elif padding == "valid":
        padding = 0
    with _as_keras(op, "conv"):
        y = _conv(x, kernel, bias, stride=strides, padding=padding, dilation=dilation_rate,
                  groups=groups)
    return _from_first(xp, y, data_format)


@_args.keywords
def conv_transpose(x, kernel, bias=None, *, strides=1, padding="valid", output_padding=None,
                   dilation_rate=1, data_format="channels_last"):
    """Transposed convolution as Keras 3's ``Conv{1,2,3}DTranspose`` layers.

    Parameters
    ----------
    x : array_like
        Batched input, ``(N, *S, C_in)`` (channels_last) or ``(N, C_in, *S)``.
    kernel : array_like
        Keras layout ``(*k, C_out, C_in)``.
    bias : array_like, optional
        ``(C_out,)``, added after the window is taken.
    strides, dilation_rate : int or tuple of ints
        As the layer's; both above 1 at once is an error, as in Keras.
    padding : {"valid", "same"}
    output_padding : int or tuple of ints, optional
        Each smaller than ``strides``. ``None`` uses Keras's default sizes.
    data_format : {"channels_last", "channels_first"}

    Returns
    -------
    array
        ``(N, *S_out, C_out)`` or ``(N, C_out, *S_out)``. Per axis, with
        ``ke = dilation_rate*(k-1) + 1``: ``"valid"`` gives
        ``(n-1)*s + max(ke, s)`` (zeros appended when ``s > ke``) or
        ``(n-1)*s + ke + output_padding``; ``"same"`` gives ``n*s`` or
        ``(n-1)*s + ke % 2 + output_padding``.

    Raises
    ------
    ValueError
        An unknown padding or data_format, output_padding not below strides,
        strides and dilation_rate both above 1, an empty output, and the
        core's shape errors.

    Notes
    -----
    Keras keeps ``L`` samples of the full output from offset
    ``c = ke - 1 - min(ceil(pad_len/2), ke - 1)`` (``c = 0`` for
    ``"valid"``), zeros past its end, with ``pad_len = s + ke - 2`` when
    output_padding is None, else ``ke + ke % 2 - 2 + output_padding``. That
    is the torch and jax backends' rule; the TensorFlow backend refuses
    ``"same"`` with output_padding on axes with an even ``ke``.

    Examples
    --------
    >>> import tconv.keras
    >>> k = [[[1]], [[10]]]                        # (k=2, C_out=1, C_in=1)
    >>> tconv.keras.conv_transpose([[[1, 2, 3]]], k, strides=3,
    ...                            data_format="channels_first")
    array([[[ 1., 10.,  0.,  2., 20.,  0.,  3., 30.,  0.]]])
    >>> k = [[[1]], [[10]], [[100]], [[1000]]]
    >>> tconv.keras.conv_transpose([[[1, 2, 3]]], k, strides=2, padding="same",
    ...                            output_padding=0, data_format="channels_first")
    array([[[ 102., 1020.,  203., 2030.]]])
    """
    op = "tconv.keras.conv_transpose"
    data_format = _word(op, "data_format", data_format, DATA_FORMATS)
    padding = _word(op, "padding", padding, ("valid", "same"))
    xp, x, kernel, rank = _prepare(op, x, kernel, data_format)
    strides, dilation_rate = _check_strides_dilation(op, strides, dilation_rate, rank)
    ops = (None,) * rank
    if output_padding is not None:
        ops = _args.nonnegative_ints(op, "output_padding", output_padding, rank)
        _rules.check_output_padding(op, ops, strides)
    windows = [_rules.transpose_pads(n, k, s, d, padding, p) for n, k, s, d, p in
               zip(x.shape[2:], kernel.shape[2:], strides, dilation_rate, ops)]
    with _as_keras(op, "conv_transpose"):
        y = _conv_transpose(x, kernel, bias, stride=strides, dilation=dilation_rate,
                            padding=tuple((lo, hi) for lo, hi, _ in windows),
                            output_padding=tuple(p for _, _, p in windows))
    return _from_first(xp, y, data_format)


def _bicubic_matrix(n: int, factor: int) -> np.ndarray:
    """``(n*factor, n)`` resampling weights of TensorFlow's bicubic.

    Half-pixel centres: output ``j`` samples input ``(j + 0.5)/factor - 0.5``;
    taps outside the input are dropped and the rest renormalised to sum 1.
    """
    centres = (np.arange(n * factor) + 0.5) / factor - 0.5
    weights = keys(centres[:, None] - np.arange(n)[None, :], -0.5)
    return weights / weights.sum(axis=1, keepdims=True)


@_args.keywords
def upsampling(x, size=2, interpolation="nearest", data_format="channels_last"):
    """Up-sampling as Keras 3's ``UpSampling1D``, ``UpSampling2D``, ``UpSampling3D``.

    Parameters
    ----------
    x : array_like
        Batched input, ``(N, *S, C)`` (channels_last) or ``(N, C, *S)``, with
        1-3 spatial axes.
    size : int or tuple of ints
        Integer factor per spatial axis.
    interpolation : {"nearest", "bilinear", "bicubic"}
        ``"nearest"`` repeats every sample. Rank 2 only: ``"bilinear"`` is
        half-pixel linear (PyTorch's ``align_corners=False``); ``"bicubic"``
        is TensorFlow's (Keys, ``a = -0.5``, half-pixel centres, taps outside
        the image dropped and the weights renormalised), with exact weights.
    data_format : {"channels_last", "channels_first"}
        Keras's ``UpSampling1D`` has none (it is always channels_last); both
        are accepted here for every rank.

    Returns
    -------
    array
        Every spatial size multiplied by its factor.

    Raises
    ------
    ValueError
        An unknown interpolation or data_format, an interpolation other than
        nearest outside rank 2, a non-positive size, an output over
        ``tconv.get_max_output_bytes()`` (2 GiB by default).

    Examples
    --------
    >>> import tconv.keras
    >>> tconv.keras.upsampling([[[1, 2]]], 2, data_format="channels_first")
    array([[[1., 1., 2., 2.]]])
    >>> tconv.keras.upsampling([[[[0, 4]]]], (1, 2), "bilinear", data_format="channels_first")
    array([[[[0., 1., 3., 4.]]]])
    """
    op = "tconv.keras.upsampling"
    data_format = _word(op, "data_format", data_format, DATA_FORMATS)
    interpolation = _word(op, "interpolation", interpolation, ("nearest", "bilinear", "bicubic"))
    xp = _xp.namespace_of(x)
    x = _to_first(op, "x", x, xp, data_format)
    rank = x.ndim - 2
    if interpolation != "nearest" and rank != 2:
        message = (f"{op}: interpolation={interpolation!r} needs 2 spatial axes "
                   f"(UpSampling2D); got {rank}")
        raise ValueError(message)
    factors = _args.positive_ints(op, "size", size, rank)
    _limits.check_bytes(op, "size", size,
                        (*x.shape[:2], *(n * f for n, f in zip(x.shape[2:], factors))),
                        _limits.itemsize(x) if xp.isdtype(x.dtype, "real floating") else 8,
                        input_bytes=_limits.nbytes(x))
    if interpolation == "bicubic":
        x = xp.astype(x, _xp.compute_dtype(xp, x))
        rows, cols = (xp.asarray(_bicubic_matrix(n, f), dtype=x.dtype, device=device(x))
                      for n, f in zip(x.shape[2:], factors))
        y = xp.matmul(rows, xp.matmul(x, xp.matrix_transpose(cols)))
    else:
        with _as_keras(op, "interpolate"):
            y = _interpolate(x, scale_factor=factors, mode=interpolation)
    return _from_first(xp, y, data_format)
