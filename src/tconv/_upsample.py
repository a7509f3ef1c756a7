"""Fixed up-sampling: ``bed_of_nails``, ``pixel_shuffle``, ``pixel_unshuffle``, and
``upsampling_kernel``, the transposed-convolution kernels of nearest and
bilinear up-sampling.

``pixel_shuffle``/``pixel_unshuffle`` are PyTorch's (docs/rules/pytorch.md):
output ``(c, h*r + i, w*r + j)`` reads input channel ``c*r*r + i*r + j``
(ONNX DepthToSpace's CRD order). All three are pure rearrangements written
with reshape, transpose and strided-slice writes, so gradients flow on
PyTorch tensors.
"""

from __future__ import annotations

import numpy as np

from . import _args, _delegate, _limits
from ._pool import prepare
from ._xp import as_array, compute_dtype, namespace_of, set_at, zeros

UPSAMPLING_MODES = ("nearest", "linear", "bilinear", "trilinear")


@_args.keywords
def bed_of_nails(x, scale_factor):
    """Bed-of-nails up-sampling: each value at the first position of its block, zeros elsewhere.

    ``y[..., i*s] = x[..., i]`` per spatial axis; the other ``s - 1`` samples
    of each block are zero. It is :func:`max_unpool` with every index at its
    window's first position, and a transposed convolution with stride ``s``
    and the kernel ``[1, 0, ..., 0]`` of length ``s``.

    Parameters
    ----------
    x : array_like
        ``(N, C, *S)``, or unbatched ``(C, *S)`` when ``scale_factor`` is a
        tuple; NumPy array, nested list or any array-API array (PyTorch
        tensors keep autograd). Integers and bools are computed in float64.
    scale_factor : int or tuple of d ints
        Positive block size per axis. A tuple's length is the spatial rank d;
        one int means ``d = x.ndim - 2`` (batched input).

    Returns
    -------
    array
        ``(N, C, *(S * scale_factor))`` (unbatched ``(C, ...)``).

    Raises
    ------
    ValueError
        Wrong rank, an empty axis, a non-positive factor, an output over
        ``tconv.get_max_output_bytes()`` (2 GiB by default, see
        :func:`tconv.set_max_output_bytes`).
    TypeError
        Non-numeric ``x``, a float/bool/str factor.

    Examples
    --------
    >>> import tconv
    >>> tconv.bed_of_nails([[[1, 2], [3, 4]]], (2, 2))     # unbatched (C=1, 2, 2)
    array([[[1., 0., 2., 0.],
            [0., 0., 0., 0.],
            [3., 0., 4., 0.],
            [0., 0., 0., 0.]]])
    >>> tconv.bed_of_nails([[[1, 2, 3]]], 3)                # batched 1-D
    array([[[1., 0., 0., 2., 0., 0., 3., 0., 0.]]])
    """
    op = "bed_of_nails"
    xp, x, rank, is_batched = prepare(op, x, "scale_factor", scale_factor)
    scale = _args.positive_ints(op, "scale_factor", scale_factor, rank)
    shape = tuple(x.shape[:2]) + tuple(n * s for n, s in zip(x.shape[2:], scale))
    _limits.check_bytes(op, "scale_factor", scale_factor, shape, _limits.itemsize(x),
                        input_bytes=_limits.nbytes(x))
    nails = (slice(None), slice(None)) + tuple(slice(None, None, s) for s in scale)
    y = set_at(xp, zeros(xp, shape, x), nails, x)
    return y if is_batched else y[0, ...]


def _prepare_planes(op: str, x):
    """``x`` with at least 3 dims ``(*, C, H, W)``, no empty axis, dtype rule applied."""
    xp = namespace_of(x)
    x = as_array(op, "x", x, xp)
    if x.ndim < 3:
        message = (f"{op}: x has shape {tuple(x.shape)} ({x.ndim} dims); it must be "
                   "(*, C, H, W) with at least 3 dims")
        raise ValueError(message)
    _args.nonempty(op, "x", x.shape)
    return xp, xp.astype(x, compute_dtype(xp, x), copy=False)


@_args.keywords
def pixel_shuffle(x, upscale_factor):
    """Channels to space, identical to ``torch.nn.functional.pixel_shuffle``.

    ``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``: output ``(c, h*r + i, w*r + j)``
    is input channel ``c*r*r + i*r + j`` at ``(h, w)`` (ONNX DepthToSpace
    with mode CRD). The second half of a sub-pixel convolution.

    Parameters
    ----------
    x : array_like
        ``(*, C*r*r, H, W)``: any number of leading axes (at least 3 dims in
        all), as in PyTorch. Integers and bools are computed in float64.
    upscale_factor : int
        ``r``, positive; ``r*r`` must divide the channel count.

    Returns
    -------
    array
        ``(*, C, H*r, W*r)``.

    Raises
    ------
    ValueError
        Fewer than 3 dims, an empty axis, ``r*r`` not dividing the channels.
    TypeError
        Non-numeric ``x``, a non-int ``upscale_factor``.

    Examples
    --------
    >>> import tconv
    >>> import numpy as np
    >>> tconv.pixel_shuffle(np.arange(8).reshape(1, 8, 1, 1), 2)
    array([[[[0., 1.],
             [2., 3.]],
    <BLANKLINE>
            [[4., 5.],
             [6., 7.]]]])
    """
    op = "pixel_shuffle"
    xp, x = _prepare_planes(op, x)
    r = _args.positive_int(op, "upscale_factor", upscale_factor)
    *lead, c, h, w = tuple(x.shape)
    if c % (r * r):
        message = (f"{op}: upscale_factor={upscale_factor!r} needs the channel count to "
                   f"be divisible by upscale_factor**2 = {r * r}, but x has {c} channels "
                   f"(shape {tuple(x.shape)}, channel axis -3)")
        raise ValueError(message)
    native = _delegate.pixel_shuffle(x, r)  # PyTorch's kernel on its tensors
    if native is not None:
        return native
    n = len(lead)
    y = xp.reshape(x, (*lead, c // (r * r), r, r, h, w))
    y = xp.permute_dims(y, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return xp.reshape(y, (*lead, c // (r * r), h * r, w * r))


@_args.keywords
def pixel_unshuffle(x, downscale_factor):
    """Space to channels, identical to ``torch.nn.functional.pixel_unshuffle``.

    ``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``, the exact inverse of
    :func:`pixel_shuffle`: output channel ``c*r*r + i*r + j`` at ``(h, w)``
    is input ``(c, h*r + i, w*r + j)``.

    Parameters
    ----------
    x : array_like
        ``(*, C, H*r, W*r)``, at least 3 dims. Integers and bools are
        computed in float64.
    downscale_factor : int
        ``r``, positive; it must divide the height and the width.

    Returns
    -------
    array
        ``(*, C*r*r, H, W)``.

    Raises
    ------
    ValueError
        Fewer than 3 dims, an empty axis, ``r`` not dividing H or W.
    TypeError
        Non-numeric ``x``, a non-int ``downscale_factor``.

    Examples
    --------
    >>> import tconv
    >>> import numpy as np
    >>> x = np.arange(16).reshape(1, 4, 4)                  # (C=1, 4, 4)
    >>> y = tconv.pixel_unshuffle(x, 2)
    >>> y.shape
    (4, 2, 2)
    >>> y[:, 0, 0]                                           # the top-left 2x2 block
    array([0., 1., 4., 5.])
    >>> bool((tconv.pixel_shuffle(y, 2) == x).all())
    True
    """
    op = "pixel_unshuffle"
    xp, x = _prepare_planes(op, x)
    r = _args.positive_int(op, "downscale_factor", downscale_factor)
    *lead, c, h, w = tuple(x.shape)
    if h % r or w % r:
        message = (f"{op}: downscale_factor={downscale_factor!r} must divide the height "
                   f"and the width, but x has H={h}, W={w} (shape {tuple(x.shape)})")
        raise ValueError(message)
    n = len(lead)
    y = xp.reshape(x, (*lead, c, h // r, r, w // r, r))
    y = xp.permute_dims(y, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return xp.reshape(y, (*lead, c * r * r, h // r, w // r))


def _linear_taps(factor: int) -> np.ndarray:
    """The 1-D tent of linear up-sampling by ``factor`` (FCN's bilinear kernel).

    ``k = 2*factor - factor % 2`` taps centred on ``c = (k - 1)/2``:
    ``w[t] = 1 - |t - c| / factor``. Output ``j`` of the transposed
    convolution (stride ``factor``, padding ``factor // 2``) is then
    ``(1 - a)*x[i] + a*x[i + 1]`` with ``i + a = (j + 0.5)/factor - 0.5``:
    PyTorch's half-pixel source coordinate.
    """
    k = 2 * factor - factor % 2
    return 1.0 - np.abs(np.arange(k) - (k - 1) / 2) / factor


@_args.keywords
def upsampling_kernel(mode, factor, *, rank=2):
    """The transposed-convolution kernel of nearest or (bi)linear up-sampling.

    Returns ``(weight, stride, padding)`` such that, for ``x`` with C
    channels, ::

        tconv.conv_transpose(x, repeat(weight, C), stride=stride,
                             padding=padding, groups=C)

    (``weight`` repeated along axis 0 to ``(C, 1, *k)``) reproduces
    ``torch.nn.functional.interpolate(x, scale_factor=factor, mode=mode)``
    with ``align_corners=False``:

    * ``"nearest"``: ``k = factor``, all ones, stride ``factor``, padding 0.
      Equal everywhere.
    * ``"bilinear"`` (``"linear"``, ``"trilinear"`` are the same separable
      kernel; PyTorch's name depends on ``rank``): FCN's kernel, per axis
      ``k = 2*factor - factor % 2`` taps ``1 - |t - (k - 1)/2| / factor``,
      stride ``factor``, padding ``factor // 2`` (``= ceil((factor - 1)/2)``);
      the output size is ``n * factor``. Equal (to rounding) away from the
      borders: along each axis the first ``factor // 2`` and the last
      ``factor // 2`` output positions differ (none for ``factor`` 1). There
      PyTorch's source coordinate lies outside ``[0, n - 1]`` and is clamped
      to the edge sample, while the transposed convolution treats the sample
      beyond the edge as zero: at position ``j < factor // 2`` PyTorch gives
      ``x[0]`` and the kernel ``((factor + 1)/2 + j) / factor * x[0]``,
      and symmetrically at the end. In 2-D every output whose row or column is
      in such a band differs in general; the rest agree. Replicate-padding
      ``x`` by one sample per side and cropping ``factor`` samples from each
      end of the result gives PyTorch's output everywhere.

    Parameters
    ----------
    mode : str
        ``"nearest"``, or ``"bilinear"`` (also ``"linear"``, ``"trilinear"``).
    factor : int or tuple of ``rank`` ints
        Positive integer up-sampling factor per axis.
    rank : int
        Spatial rank 1, 2 or 3 (keyword only).

    Returns
    -------
    weight : numpy.ndarray
        ``(1, 1, *k)`` float64, the weight of one channel in PyTorch's
        transposed layout (cast it to ``x``'s dtype for float32 results:
        NumPy promotion would otherwise compute in float64).
    stride : tuple of int
        ``factor`` per axis.
    padding : tuple of int
        Per axis.

    Raises
    ------
    ValueError
        Unknown mode, a rank other than 1, 2, 3, a non-positive factor, a
        weight over ``tconv.get_max_output_bytes()`` (2 GiB by default).
    TypeError
        A float/bool/str where ints belong.

    Examples
    --------
    >>> import tconv
    >>> weight, stride, padding = tconv.upsampling_kernel("bilinear", 2, rank=1)
    >>> weight
    array([[[0.25, 0.75, 0.75, 0.25]]])
    >>> stride, padding
    ((2,), (1,))
    >>> tconv.conv_transpose([[4, 8, 12]], weight, stride=stride, padding=padding)
    array([[ 3.,  5.,  7.,  9., 11.,  9.]])

    PyTorch's bilinear gives ``[4, 5, 7, 9, 11, 12]``: the first and last
    samples are the border positions. Nearest is exact everywhere:

    >>> weight, stride, padding = tconv.upsampling_kernel("nearest", 3, rank=1)
    >>> tconv.conv_transpose([[4, 8]], weight, stride=stride, padding=padding)
    array([[4., 4., 4., 8., 8., 8.]])
    """
    op = "upsampling_kernel"
    _args.choice(op, "mode", mode, UPSAMPLING_MODES)
    rank = _args.spatial_rank(op, rank)
    factors = _args.positive_ints(op, "factor", factor, rank)
    spans = factors if mode == "nearest" else tuple(2 * f - f % 2 for f in factors)
    _limits.check_bytes(op, "factor", factor, (1, 1, *spans), 8, what="a weight")
    if mode == "nearest":
        taps = [np.ones(f) for f in factors]
        padding = (0,) * rank
    else:
        taps = [_linear_taps(f) for f in factors]
        padding = tuple(f // 2 for f in factors)
    weight = np.ones((1, 1), dtype=np.float64)
    for t in taps:
        weight = np.multiply.outer(weight, t)
    return weight, factors, padding
