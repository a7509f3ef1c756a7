"""Trainable PyTorch layers backed by tconv's ops.

``ConvTranspose1d/2d/3d`` hold the same parameters as ``torch.nn``'s modules
(``weight`` of shape ``(C_in, C_out/groups, *k)`` and ``bias``), initialised
the same way, so state_dicts load both ways and one seed gives the same
weights; their forward runs :func:`tconv.conv_transpose`, which adds
``"same"`` and per-side padding and a choice of algorithm. ``Upsample``,
``PixelShuffle`` and ``PixelUnshuffle`` wrap the fixed up-samplers;
``ResizeConv2d`` (interpolate, then convolve) and ``SubPixelConv2d``
(convolve to ``r*r`` times the channels, then pixel shuffle, optionally ICNR
initialised) are the two usual alternatives to a transposed convolution in a
decoder.

This module imports PyTorch; ``import tconv`` alone never does.

Examples
--------
>>> import torch
>>> import tconv.torch
>>> layer = tconv.torch.ConvTranspose2d(1, 1, 3, stride=2, padding="same", bias=False)
>>> layer
ConvTranspose2d(1, 1, kernel_size=(3, 3), stride=(2, 2), padding='same', bias=False)
>>> with torch.no_grad():
...     _ = layer.weight.fill_(1.0)
>>> layer(torch.ones(1, 1, 2, 2)).shape
torch.Size([1, 1, 4, 4])
"""

from __future__ import annotations

import math
from collections.abc import Callable

try:
    import torch
except ModuleNotFoundError as error:  # a core-only install
    message = f"tconv.torch needs PyTorch ({error}); install it with: pip install 'tconv[torch]'"
    raise ModuleNotFoundError(message, name=error.name) from error
from torch import nn

from . import _args
from ._conv import CONV_TRANSPOSE_ALGORITHMS
from ._conv import conv as _conv
from ._conv import conv_transpose as _conv_transpose
from ._geometry import output_padding_limit
from ._interpolate import MODES as _INTERPOLATE_MODES
from ._interpolate import align_corners_flag, exactly_one, scale_factors
from ._interpolate import interpolate as _interpolate
from ._upsample import pixel_shuffle as _pixel_shuffle
from ._upsample import pixel_unshuffle as _pixel_unshuffle

__all__ = [
    "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "PixelShuffle", "PixelUnshuffle",
    "ResizeConv2d", "SubPixelConv2d", "Upsample", "icnr_",
]

# Modes ResizeConv2d interpolates with (the 2-D ones of tconv.interpolate).
RESIZE_MODES: tuple[str, ...] = ("nearest", "nearest-exact", "bilinear", "bicubic")


def _channels(op: str, in_channels, out_channels, groups) -> tuple[int, int, int]:
    """Positive channel counts that ``groups`` divides."""
    in_channels = _args.positive_int(op, "in_channels", in_channels)
    out_channels = _args.positive_int(op, "out_channels", out_channels)
    groups = _args.positive_int(op, "groups", groups)
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
        if value % groups:
            message = (f"{op}: {name}={value} is not divisible by groups={groups}; both "
                       "in_channels and out_channels must be multiples of groups")
            raise ValueError(message)
    return in_channels, out_channels, groups


def _padding(op: str, padding, rank: int):
    """``padding`` as torch stores it: a string, ``rank`` ints, or ``rank`` pairs."""
    form = _args.padding_form(op, padding, rank)
    if isinstance(form, str):
        return form
    if all(lo == hi for lo, hi in form):
        return tuple(lo for lo, _ in form)
    return form


def _default_init_(weight: torch.Tensor, bias: torch.Tensor | None) -> None:
    """PyTorch's default for its conv layers, draw for draw.

    Kaiming-uniform with ``a = sqrt(5)`` (bound ``1/sqrt(fan_in)``), then the
    bias uniform in ``+-1/sqrt(fan_in)``, where ``fan_in`` is
    ``weight.shape[1] * prod(kernel)`` for the transposed layout too (that is
    what ``torch.nn.ConvTranspose{d}d`` computes).
    """
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = weight.shape[1] * math.prod(weight.shape[2:])
        bound = 1 / math.sqrt(fan_in)
        nn.init.uniform_(bias, -bound, bound)


class _ConvTransposeNd(nn.Module):
    """Shared body of ``ConvTranspose1d/2d/3d`` (``rank`` set by each subclass)."""

    rank: int = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1, *,
                 algorithm: str = "auto", device=None, dtype=None) -> None:
        super().__init__()
        op, rank = type(self).__name__, self.rank
        self.in_channels, self.out_channels, self.groups = _channels(
            op, in_channels, out_channels, groups)
        self.kernel_size = _args.positive_ints(op, "kernel_size", kernel_size, rank)
        self.stride = _args.positive_ints(op, "stride", stride, rank)
        self.padding = _padding(op, padding, rank)
        self.output_padding = _args.nonnegative_ints(op, "output_padding", output_padding,
                                                     rank)
        self.dilation = _args.positive_ints(op, "dilation", dilation, rank)
        if isinstance(self.padding, str) and any(self.output_padding):
            message = (f"{op}: output_padding={output_padding!r} cannot be combined with "
                       f"padding={padding!r}, whose output size is input * stride")
            raise ValueError(message)
        limit = tuple(output_padding_limit(s, d) for s, d in zip(self.stride, self.dilation))
        if any(p >= lim for p, lim in zip(self.output_padding, limit)):
            message = (f"{op}: output_padding={output_padding!r} must be smaller than "
                       f"max(stride, dilation)={limit} on every axis (stride={self.stride}, "
                       f"dilation={self.dilation})")
            raise ValueError(message)
        if not isinstance(bias, bool):
            message = f"{op}: bias={bias!r} must be True or False"
            raise TypeError(message)
        self.algorithm = _args.choice(op, "algorithm", algorithm, CONV_TRANSPOSE_ALGORITHMS)
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.empty(
            (self.in_channels, self.out_channels // self.groups, *self.kernel_size),
            **factory))
        if bias:
            self.bias = nn.Parameter(torch.empty(self.out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw ``weight`` and ``bias`` as ``torch.nn.ConvTranspose{d}d`` does."""
        _default_init_(self.weight, self.bias)

    def forward(self, x: torch.Tensor, output_size=None) -> torch.Tensor:
        return _conv_transpose(x, self.weight, self.bias, stride=self.stride,
                               padding=self.padding, output_padding=self.output_padding,
                               output_size=output_size, dilation=self.dilation,
                               groups=self.groups, algorithm=self.algorithm)

    def extra_repr(self) -> str:
        rank = self.rank
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * rank:
            text += f", padding={self.padding!r}"
        if self.dilation != (1,) * rank:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * rank:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.algorithm != "auto":
            text += f", algorithm={self.algorithm!r}"
        return text


_CONV_TRANSPOSE_DOC = """{rank}-D transposed convolution layer running :func:`tconv.conv_transpose`.

    A drop-in for ``torch.nn.ConvTranspose{rank}d``: same arguments (minus
    ``padding_mode``), same ``weight`` ``(in_channels, out_channels/groups,
    *kernel_size)`` and ``bias`` ``(out_channels,)`` parameters, same default
    initialisation, same ``forward(x, output_size=None)``. State dicts load
    both ways.

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts, both divisible by ``groups``.
    kernel_size, stride, dilation : int or tuple of {rank} ints
        As in :func:`tconv.conv_transpose`.
    padding : int, tuple of {rank} ints, tuple of {rank} (before, after) pairs, or str
        Anything :func:`tconv.conv_transpose` accepts: besides PyTorch's
        symmetric ints, per-side pairs, ``"valid"`` and ``"same"``
        (output size ``input * stride``).
    output_padding : int or tuple of {rank} ints
        Extra samples at the end of each axis, below ``max(stride,
        dilation)``; must be 0 with a string padding.
    groups : int
        Independent channel groups.
    bias : bool
        Learn an additive bias.
    algorithm : str
        One of ``tconv.CONV_TRANSPOSE_ALGORITHMS``.
    device, dtype
        Where and in what dtype the parameters are created.

    Raises
    ------
    ValueError
        Channels not divisible by ``groups``, non-positive sizes, negative
        padding, an unknown algorithm, output_padding with string padding.
    TypeError
        A float, bool or string where ints belong; a non-bool ``bias``.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> ours = tconv.torch.ConvTranspose{rank}d(4, 2, 3, stride=2, padding=1)
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> theirs = torch.nn.ConvTranspose{rank}d(4, 2, 3, stride=2, padding=1)
    >>> torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)
    True
    >>> x = torch.randn(1, 4, {sizes})
    >>> ours(x, output_size={out}).shape == theirs(x, output_size={out}).shape
    True
    >>> ours(x, output_size={out}).shape
    torch.Size([1, 2, {out_shape}])
    """


class ConvTranspose1d(_ConvTransposeNd):
    rank = 1


class ConvTranspose2d(_ConvTransposeNd):
    rank = 2


class ConvTranspose3d(_ConvTransposeNd):
    rank = 3


# One docstring for the three, with per-rank example sizes.
ConvTranspose1d.__doc__ = _CONV_TRANSPOSE_DOC.format(rank=1, sizes="5", out="[10]",
                                                     out_shape="10")
ConvTranspose2d.__doc__ = _CONV_TRANSPOSE_DOC.format(rank=2, sizes="5, 5", out="[10, 9]",
                                                     out_shape="10, 9")
ConvTranspose3d.__doc__ = _CONV_TRANSPOSE_DOC.format(rank=3, sizes="2, 2, 2",
                                                     out="[4, 4, 3]", out_shape="4, 4, 3")


class Upsample(nn.Module):
    """Fixed up- or down-sampling running :func:`tconv.interpolate`.

    The counterpart of ``torch.nn.Upsample``, with the same arguments and
    outputs. No parameters.

    Parameters
    ----------
    size : int or tuple of ints, optional
        Output spatial size.
    scale_factor : float or tuple of floats, optional
        Positive multiplier of the spatial size (give exactly one of ``size``
        and ``scale_factor``).
    mode : str
        One of ``"nearest"``, ``"nearest-exact"``, ``"linear"``,
        ``"bilinear"``, ``"bicubic"``, ``"trilinear"``.
    align_corners : bool, optional
        Interpolating modes only.

    Raises
    ------
    ValueError
        Both or neither of ``size`` and ``scale_factor``, a non-positive one,
        an unknown mode, ``align_corners`` with a nearest mode.
    TypeError
        A non-numeric ``scale_factor``, a float ``size``, a non-bool
        ``align_corners``.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> up = tconv.torch.Upsample(scale_factor=2, mode="nearest")
    >>> up
    Upsample(scale_factor=2.0, mode='nearest')
    >>> up(torch.tensor([[[1.0, 2.0]]]))
    tensor([[[1., 1., 2., 2.]]])
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None) -> None:
        super().__init__()
        op = "Upsample"
        self.mode = _args.choice(op, "mode", mode, _INTERPOLATE_MODES)
        self.align_corners = align_corners
        align_corners_flag(op, mode, align_corners)
        exactly_one(op, size, scale_factor)
        if size is not None:
            sizes = _args.sequence(size)
            values = _args.positive_ints(op, "size", size, 1 if sizes is None else len(sizes))
            self.size = values[0] if sizes is None else values
            self.scale_factor = None
        else:
            sequence = _args.sequence(scale_factor)
            factors = scale_factors(op, scale_factor, 1 if sequence is None else len(sequence))
            self.size = None
            self.scale_factor = factors[0] if sequence is None else factors

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _interpolate(x, size=self.size, scale_factor=self.scale_factor, mode=self.mode,
                            align_corners=self.align_corners)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            text = f"scale_factor={self.scale_factor!r}"
        else:
            text = f"size={self.size!r}"
        return text + f", mode={self.mode!r}"


class PixelShuffle(nn.Module):
    """Channels to space, running :func:`tconv.pixel_shuffle` (as ``torch.nn.PixelShuffle``).

    Parameters
    ----------
    upscale_factor : int
        ``r``: ``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``.

    Raises
    ------
    ValueError
        A non-positive factor.
    TypeError
        A non-int factor.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> tconv.torch.PixelShuffle(2)(torch.arange(4.0).reshape(1, 4, 1, 1))
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = _args.positive_int("PixelShuffle", "upscale_factor",
                                                 upscale_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(nn.Module):
    """Space to channels, running :func:`tconv.pixel_unshuffle` (as ``torch.nn.PixelUnshuffle``).

    Parameters
    ----------
    downscale_factor : int
        ``r``: ``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``.

    Raises
    ------
    ValueError
        A non-positive factor.
    TypeError
        A non-int factor.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> tconv.torch.PixelUnshuffle(2)(torch.arange(4.0).reshape(1, 1, 2, 2)).flatten()
    tensor([0., 1., 2., 3.])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = _args.positive_int("PixelUnshuffle", "downscale_factor",
                                                   downscale_factor)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


def _positive_scale(op: str, value) -> float:
    """One finite positive number (an int or a float)."""
    return scale_factors(op, value, 1)[0]


class ResizeConv2d(nn.Module):
    """Resize-convolution: :func:`tconv.interpolate`, then a stride-1 ``"same"`` :func:`tconv.conv`.

    The up-sampling that Odena et al. (2016) recommend against checkerboard
    artifacts: every output pixel sees the same number of kernel taps. Equal
    to ``torch.nn.Upsample(scale_factor, mode)`` followed by
    ``torch.nn.Conv2d(in_channels, out_channels, kernel_size,
    padding="same")`` with the same weights (odd kernels; for even ones the
    extra padding sample goes at the end, as torch's ``"same"`` does too).

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts.
    kernel_size : int or tuple of 2 ints
        Convolution kernel; ``weight`` is ``(out_channels, in_channels, *k)``.
    scale_factor : float
        Positive up-sampling factor (both axes).
    mode : str
        ``"nearest"``, ``"nearest-exact"``, ``"bilinear"`` or ``"bicubic"``.
    bias : bool
        Learn an additive bias ``(out_channels,)``.

    Raises
    ------
    ValueError
        Non-positive channels, kernel or scale factor; an unknown mode.
    TypeError
        A float or bool where ints belong; a non-numeric scale factor.

    Notes
    -----
    Parameters start as ``torch.nn.Conv2d``'s (kaiming-uniform with
    ``a = sqrt(5)``, bias uniform in ``+-1/sqrt(fan_in)``).

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> layer = tconv.torch.ResizeConv2d(3, 8, kernel_size=3, scale_factor=2)
    >>> layer
    ResizeConv2d(3, 8, kernel_size=(3, 3), scale_factor=2.0, mode='nearest')
    >>> layer(torch.zeros(1, 3, 4, 5)).shape
    torch.Size([1, 8, 8, 10])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size=3,
                 scale_factor: float = 2, mode: str = "nearest", bias: bool = True) -> None:
        super().__init__()
        op = "ResizeConv2d"
        self.in_channels, self.out_channels, _ = _channels(op, in_channels, out_channels, 1)
        self.kernel_size = _args.positive_ints(op, "kernel_size", kernel_size, 2)
        self.scale_factor = _positive_scale(op, scale_factor)
        self.mode = _args.choice(op, "mode", mode, RESIZE_MODES)
        if not isinstance(bias, bool):
            message = f"{op}: bias={bias!r} must be True or False"
            raise TypeError(message)
        self.weight = nn.Parameter(torch.empty(self.out_channels, self.in_channels,
                                               *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(self.out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw ``weight`` and ``bias`` as ``torch.nn.Conv2d`` does."""
        _default_init_(self.weight, self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = _interpolate(x, scale_factor=self.scale_factor, mode=self.mode)
        return _conv(y, self.weight, self.bias, padding="same")

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"scale_factor={self.scale_factor!r}, mode={self.mode!r}")
        return text + (", bias=False" if self.bias is None else "")


def icnr_(weight: torch.Tensor, scale_factor: int,
          init: Callable[[torch.Tensor], object] = nn.init.kaiming_normal_) -> torch.Tensor:
    """ICNR initialisation of a sub-pixel convolution kernel, in place.

    ICNR (Aitken et al. 2017, "Checkerboard artifact free sub-pixel
    convolution") draws a kernel for ``C_out / r**d`` output channels with
    ``init`` and repeats each of its filters ``r**d`` times in a row, so that
    the ``r**d`` channels that pixel shuffle spreads over one ``r x r`` block
    are equal. Convolution then pixel shuffle is at that point the
    convolution followed by nearest-neighbour up-sampling (exactly, up to the
    order in which the repeated sums are rounded): no checkerboard.

    Parameters
    ----------
    weight : torch.Tensor
        ``(C_out, C_in, *k)`` with ``d`` kernel axes; ``r**d`` must divide
        ``C_out``. Overwritten (without recording autograd history).
    scale_factor : int
        ``r``, the pixel-shuffle factor.
    init : callable
        Initialiser applied in place to the ``(C_out / r**d, C_in, *k)``
        kernel (default ``torch.nn.init.kaiming_normal_``).

    Returns
    -------
    torch.Tensor
        ``weight``.

    Raises
    ------
    ValueError
        ``weight`` with fewer than 3 dims, ``r**d`` not dividing ``C_out``, a
        non-positive ``scale_factor``.
    TypeError
        A non-tensor ``weight``, a non-int ``scale_factor``.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> w = tconv.torch.icnr_(torch.empty(8, 1, 1, 1), 2,
    ...                       init=lambda t: t.copy_(torch.tensor([[[[1.0]]], [[[2.0]]]])))
    >>> w.flatten()
    tensor([1., 1., 1., 1., 2., 2., 2., 2.])
    """
    op = "icnr_"
    if not isinstance(weight, torch.Tensor):
        message = f"{op}: weight must be a torch.Tensor; got {type(weight).__name__}"
        raise TypeError(message)
    r = _args.positive_int(op, "scale_factor", scale_factor)
    if weight.ndim < 3:
        message = (f"{op}: weight has shape {tuple(weight.shape)}; it must be "
                   "(C_out, C_in, *kernel) with at least one kernel axis")
        raise ValueError(message)
    phases = r ** (weight.ndim - 2)
    if weight.shape[0] % phases:
        message = (f"{op}: scale_factor={scale_factor!r} needs weight.shape[0] divisible by "
                   f"scale_factor**{weight.ndim - 2} = {phases}; weight has shape "
                   f"{tuple(weight.shape)}")
        raise ValueError(message)
    base = weight.new_empty((weight.shape[0] // phases, *weight.shape[1:]))
    init(base)
    with torch.no_grad():
        weight.copy_(torch.repeat_interleave(base, phases, dim=0))
    return weight


class SubPixelConv2d(nn.Module):
    """Sub-pixel convolution: a stride-1 ``"same"`` conv to ``r*r`` times the channels, shuffled.

    Shi et al. (2016): ``weight`` ``(out_channels * r*r, in_channels, k, k)``
    and ``bias`` ``(out_channels * r*r,)``; the output is
    ``tconv.pixel_shuffle(tconv.conv(x, weight, bias, padding="same"), r)``.
    Any stride-``r`` transposed convolution can be written this way
    (:func:`tconv.subpixel_from_transposed`).

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts (before and after the shuffle).
    kernel_size : int or tuple of 2 ints
        Convolution kernel, applied at the input resolution.
    scale_factor : int
        ``r``, positive.
    bias : bool
        Learn an additive bias.
    icnr : bool
        Initialise with :func:`icnr_` (weight, and the bias repeated the same
        way): the layer then starts as convolution followed by nearest
        up-sampling. Otherwise ``torch.nn.Conv2d``'s default initialisation.

    Raises
    ------
    ValueError
        Non-positive channels, kernel or scale factor.
    TypeError
        A float or bool where ints belong.

    Examples
    --------
    >>> import torch
    >>> import tconv.torch
    >>> layer = tconv.torch.SubPixelConv2d(3, 8, kernel_size=3, scale_factor=2)
    >>> layer.weight.shape
    torch.Size([32, 3, 3, 3])
    >>> y = layer(torch.randn(1, 3, 4, 5))
    >>> y.shape
    torch.Size([1, 8, 8, 10])
    >>> torch.allclose(y[..., ::2, ::2], y[..., 1::2, 1::2])  # ICNR: no checkerboard at init
    True
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size=3,
                 scale_factor: int = 2, bias: bool = True, icnr: bool = True) -> None:
        super().__init__()
        op = "SubPixelConv2d"
        self.in_channels, self.out_channels, _ = _channels(op, in_channels, out_channels, 1)
        self.kernel_size = _args.positive_ints(op, "kernel_size", kernel_size, 2)
        self.scale_factor = _args.positive_int(op, "scale_factor", scale_factor)
        for name, value in (("bias", bias), ("icnr", icnr)):
            if not isinstance(value, bool):
                message = f"{op}: {name}={value!r} must be True or False"
                raise TypeError(message)
        self.icnr = icnr
        phases = self.scale_factor ** 2
        self.weight = nn.Parameter(torch.empty(self.out_channels * phases, self.in_channels,
                                               *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(self.out_channels * phases))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the parameters: ICNR when ``icnr``, else ``torch.nn.Conv2d``'s default."""
        if not self.icnr:
            _default_init_(self.weight, self.bias)
            return
        icnr_(self.weight, self.scale_factor)
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_channels * math.prod(self.kernel_size))
            base = self.bias.new_empty(self.out_channels).uniform_(-bound, bound)
            with torch.no_grad():
                self.bias.copy_(torch.repeat_interleave(base, self.scale_factor ** 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = _conv(x, self.weight, self.bias, padding="same")
        return _pixel_shuffle(y, self.scale_factor)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"scale_factor={self.scale_factor}")
        if self.bias is None:
            text += ", bias=False"
        return text + ("" if self.icnr else ", icnr=False")
