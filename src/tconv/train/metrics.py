"""A measured checkerboard score for images (NumPy only).

:func:`checkerboard_score` asks how much of an image's energy sits at and
next to the frequencies of the stride's ``s x s`` grid. A transposed
convolution whose kernel size is not a multiple of its stride writes some
output phases (``i mod s``, ``j mod s``) with more kernel taps than others,
so its outputs are brighter or darker on a fixed sub-grid: the checkerboard,
whose energy lies at exactly those frequencies.
"""

from __future__ import annotations

import numpy as np

from .. import _args


def checkerboard_score(images, stride: int = 2, radius: int = 1) -> float:
    """Share of the images' spectral energy at and next to the stride's frequencies.

    For one image ``y`` of size ``H x W`` (both divisible by ``s``) with mean
    ``m``, let ``P = |FFT2(y - m)|^2`` be its power spectrum. The stride
    frequencies are the bins ``(k H/s, l W/s)`` for ``k, l`` in ``0..s-1``,
    ``(k, l) != (0, 0)`` (for ``s = 2``: ``(H/2, 0)``, ``(0, W/2)`` and
    ``(H/2, W/2)``); the band ``B`` is every bin within ``radius`` bins of one
    of them in each direction (a ``(2 radius + 1)^2`` square around each,
    wrapping around)::

        score(y) = sum over B of P  /  sum over all bins of P

    Up-sampling by ``s`` makes copies ("images") of the input's spectrum
    centred on the stride frequencies; an up-sampler that does not suppress
    them leaves a pattern that repeats every ``s`` pixels, and a smoothly
    varying strength of that pattern spreads its energy to the bins next to
    them. The band catches both.

    With ``radius=0`` the score is exactly the share of the variance
    explained by the pixel's phase ``(i mod s, j mod s)`` (Parseval; an ANOVA
    R^2 with the ``s^2`` phases as groups): with phase means
    ``m[a, b] = mean(y[a::s, b::s])``,
    ``sum_ab (m[a, b] - m)^2 / s^2 / mean_ij (y[i, j] - m)^2``.

    For several images (any leading axes) the numerator and the denominator
    are each summed over the images before dividing, each image about its
    own mean, so bright and busy images weigh more.

    The score lies in ``[0, 1]``: 0 for a constant image and near 0 for
    smooth ones, whose energy sits at low frequencies; 1 for a pure pattern
    of period ``s`` (a checkerboard). A checkerboard of amplitude ``A``
    added to a smooth image raises it monotonically towards 1. Images that
    are constant throughout score 0.

    Parameters
    ----------
    images : array_like
        ``(..., H, W)`` real values; ``H`` and ``W`` divisible by ``stride``.
    stride : int
        The up-sampling stride ``s`` (>= 2).
    radius : int
        Half-width of the band in bins, ``0 <= radius < min(H, W) / (2 s)``
        (so the band never reaches the lowest frequencies); 1 by default.

    Returns
    -------
    float
        The score in ``[0, 1]``.

    Raises
    ------
    ValueError
        Fewer than 2 dims, an empty axis, sides not divisible by ``stride``,
        ``stride < 2``, a ``radius`` out of range, or non-finite values.
    TypeError
        A non-int ``stride`` or ``radius``.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.metrics import checkerboard_score
    >>> checkerboard_score([[1, 0], [0, 1]], radius=0)
    1.0
    >>> checkerboard_score(np.ones((8, 8)))
    0.0

    With ``radius=0``: here the phase means are 2, 1, 1, 0 (mean 1, so off by
    1, 0, 0, 1) and the pixel variance is 1, so the score is
    (1 + 0 + 0 + 1) / 4 / 1 = 0.5:

    >>> checkerboard_score([[3, 2, 1, 0], [2, 1, 0, -1], [2, 1, 2, 1], [1, 0, 1, 0]],
    ...                    radius=0)
    0.5
    """
    op = "checkerboard_score"
    s = _args.positive_int(op, "stride", stride)
    if s < 2:
        message = f"{op}: stride={stride!r} must be >= 2 (a stride of 1 has a single phase)"
        raise ValueError(message)
    if not _args.is_int(radius):
        message = f"{op}: radius={radius!r} must be an int >= 0"
        raise TypeError(message)
    y = np.asarray(images, dtype=np.float64)
    if y.ndim < 2:
        message = f"{op}: images has shape {y.shape}; expected (..., H, W), at least 2 dims"
        raise ValueError(message)
    _args.nonempty(op, "images", y.shape)
    height, width = y.shape[-2:]
    if height % s or width % s:
        message = (f"{op}: images of {height}x{width} do not split into stride={s} phases; "
                   f"H and W must be divisible by {s}")
        raise ValueError(message)
    if not 0 <= 2 * s * radius < min(height, width):
        message = (f"{op}: radius={radius!r} is out of range for {height}x{width} images and "
                   f"stride={s}; valid is 0 <= radius < min(H, W) / (2 * stride) = "
                   f"{min(height, width) / (2 * s):g}")
        raise ValueError(message)
    if not np.isfinite(y).all():
        message = f"{op}: images holds NaN or infinite values; all must be finite"
        raise ValueError(message)
    y = y.reshape(-1, height, width)
    power = np.abs(np.fft.fft2(y - y.mean(axis=(1, 2), keepdims=True))) ** 2
    total = float(power.sum())
    if total == 0.0:
        return 0.0
    band = np.zeros((height, width), dtype=bool)
    offsets = np.arange(-radius, radius + 1)
    for k in range(s):
        for l in range(s):
            if k or l:
                rows = (k * height // s + offsets) % height
                columns = (l * width // s + offsets) % width
                band[np.ix_(rows, columns)] = True
    return min(float(power[:, band].sum()) / total, 1.0)
