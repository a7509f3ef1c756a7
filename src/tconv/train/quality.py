"""Image-quality and segmentation metrics as the literature computes them (NumPy only).

Super-resolution (on the luma channel, as SRCNN, FSRCNN and ESPCN report):

* :func:`rgb_to_y`: BT.601 luma of RGB values in ``[0, 1]``, studio range
  (``Y = 16/255 + (65.481 R + 128.553 G + 24.966 B) / 255``), the convention of
  MATLAB's ``rgb2ycbcr`` that the super-resolution papers use;
* :func:`psnr`: ``10 log10(peak^2 / MSE)`` after cropping ``border`` pixels
  from every side (the papers crop ``scale`` pixels);
* :func:`ssim`: the structural similarity of Wang et al. (2004) with an
  11x11 Gaussian window (sigma 1.5), ``K1 = 0.01``, ``K2 = 0.03``, averaged
  over the positions where the window fits inside the image.

Segmentation (class maps of ints ``0..classes-1``):

* :func:`confusion`: the ``classes x classes`` count matrix (rows: truth);
* :func:`pixel_accuracy`, :func:`mean_iou`: from the confusion matrix; classes
  absent from both truth and prediction are left out of the mean;
* :func:`boundary_band`: the pixels within ``width`` pixels (chessboard
  distance) of a place where the true class changes; :func:`boundary_iou` is
  the mean IoU counted on that band only, where up-sampling differs most.
"""

from __future__ import annotations

import numpy as np

from .. import _args

_Y_WEIGHTS = np.array([65.481, 128.553, 24.966]) / 255.0


def rgb_to_y(rgb) -> np.ndarray:
    """BT.601 studio-range luma of ``(..., 3, H, W)`` or ``(H, W, 3)`` RGB in ``[0, 1]``.

    ``Y = (16 + 65.481 R + 128.553 G + 24.966 B) / 255``, so black maps to
    16/255 and white to 235/255. The channel axis is the one of length 3:
    axis ``-3`` when it has length 3, else the last axis.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.quality import rgb_to_y
    >>> rgb_to_y(np.ones((1, 1, 3))) * 255
    array([[235.]])
    """
    array = np.asarray(rgb, dtype=np.float64)
    if array.ndim >= 3 and array.shape[-3] == 3:
        weights = _Y_WEIGHTS.reshape(3, 1, 1)
        return 16.0 / 255.0 + np.sum(array * weights, axis=-3)
    if array.shape[-1:] == (3,):
        return 16.0 / 255.0 + array @ _Y_WEIGHTS
    message = f"rgb_to_y: rgb has shape {array.shape}; expected a colour axis of length 3"
    raise ValueError(message)


def _pair(op: str, a, b) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape or x.ndim < 2:
        message = (f"{op}: the images have shapes {x.shape} and {y.shape}; they must be "
                   "equal and at least 2-D (..., H, W)")
        raise ValueError(message)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        message = f"{op}: the images hold NaN or infinite values"
        raise ValueError(message)
    return x, y


def _crop(op: str, x: np.ndarray, border: int) -> np.ndarray:
    if not _args.is_int(border) or border < 0:
        message = f"{op}: border={border!r} must be an int >= 0"
        raise ValueError(message)
    height, width = x.shape[-2:]
    if 2 * border >= min(height, width):
        message = (f"{op}: border={border} leaves nothing of {height}x{width} images; "
                   f"valid is border < {min(height, width) / 2:g}")
        raise ValueError(message)
    return x[..., border:height - border, border:width - border] if border else x


def psnr(estimate, reference, border: int = 0, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, ``border`` pixels cropped from each side.

    ``10 * log10(peak**2 / mean((estimate - reference)**2))`` over the cropped
    images (all leading axes together); ``inf`` when they are equal.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.quality import psnr
    >>> reference = np.zeros((6, 6))
    >>> estimate = reference + 0.1        # MSE 0.01 -> 20 dB
    >>> round(psnr(estimate, reference), 6)
    20.0
    >>> estimate[0, 0] = 9.0              # the crop hides the border
    >>> round(psnr(estimate, reference, border=1), 6)
    20.0
    """
    x, y = _pair("psnr", estimate, reference)
    x, y = _crop("psnr", x, border), _crop("psnr", y, border)
    mse = float(np.mean((x - y) ** 2))
    return float("inf") if mse == 0.0 else float(10.0 * np.log10(peak ** 2 / mse))


def gaussian_window(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    """The normalised ``size x size`` Gaussian window of SSIM (sums to 1).

    Examples
    --------
    >>> from tconv.train.quality import gaussian_window
    >>> w = gaussian_window()
    >>> w.shape, round(float(w.sum()), 12)
    ((11, 11), 1.0)
    """
    offsets = np.arange(size) - (size - 1) / 2.0
    line = np.exp(-offsets ** 2 / (2.0 * sigma ** 2))
    line /= line.sum()
    return np.outer(line, line)


def _filter_valid(x: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Correlate the last two axes with ``window`` where it fits (separable)."""
    line = window[window.shape[0] // 2]
    line = line / line.sum()
    k = line.size
    rows = sum(line[i] * x[..., i:x.shape[-2] - k + 1 + i, :] for i in range(k))
    return sum(line[j] * rows[..., :, j:rows.shape[-1] - k + 1 + j] for j in range(k))


def ssim(estimate, reference, data_range: float = 1.0, border: int = 0) -> float:
    """Mean structural similarity (Wang et al. 2004) of two images or image stacks.

    With Gaussian-weighted local means ``mu``, variances ``s^2`` and covariance
    ``s_xy`` (11x11 window, sigma 1.5, evaluated where the window fits inside
    the image), ``C1 = (0.01 L)^2`` and ``C2 = (0.03 L)^2`` for
    ``L = data_range``::

        SSIM = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))

    averaged over positions (and over leading axes). ``border`` pixels are
    cropped from each side first. The same numbers as
    ``skimage.metrics.structural_similarity(..., gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False, data_range=L)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.quality import ssim
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> ssim(image, image)
    1.0
    >>> round(ssim(np.zeros((11, 11)), np.ones((11, 11))), 6)   # 2*0*1 + C1 over 0 + 1 + C1
    0.0001
    """
    x, y = _pair("ssim", estimate, reference)
    x, y = _crop("ssim", x, border), _crop("ssim", y, border)
    if min(x.shape[-2:]) < 11:
        message = f"ssim: images of {x.shape[-2]}x{x.shape[-1]} are smaller than the 11x11 window"
        raise ValueError(message)
    window = gaussian_window()
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = _filter_valid(x, window), _filter_valid(y, window)
    var_x = _filter_valid(x * x, window) - mu_x ** 2
    var_y = _filter_valid(y * y, window) - mu_y ** 2
    cov = _filter_valid(x * y, window) - mu_x * mu_y
    numerator = (2 * mu_x * mu_y + c1) * (2 * cov + c2)
    denominator = (mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2)
    return float(np.mean(numerator / denominator))


# --------------------------------------------------------------------------
# Segmentation

def _labels(op: str, prediction, truth, classes) -> tuple[np.ndarray, np.ndarray, int]:
    p, t = np.asarray(prediction), np.asarray(truth)
    if p.shape != t.shape or p.ndim < 2:
        message = (f"{op}: prediction and truth have shapes {p.shape} and {t.shape}; they "
                   "must be equal and at least 2-D")
        raise ValueError(message)
    n = _args.positive_int(op, "classes", classes)
    for name, array in (("prediction", p), ("truth", t)):
        if array.dtype.kind not in "iu":
            message = f"{op}: {name} has dtype {array.dtype}; class maps must be ints"
            raise TypeError(message)
        if array.size and (array.min() < 0 or array.max() >= n):
            message = (f"{op}: {name} holds classes {int(array.min())}..{int(array.max())}; "
                       f"valid is 0..{n - 1} for classes={n}")
            raise ValueError(message)
    return p.astype(np.int64), t.astype(np.int64), n


def confusion(prediction, truth, classes: int, mask=None) -> np.ndarray:
    """``(classes, classes)`` counts: entry ``[i, j]`` = pixels of true class i predicted j.

    ``mask`` (bool, same shape) restricts the count to some pixels.

    Examples
    --------
    >>> from tconv.train.quality import confusion
    >>> confusion([[0, 1], [1, 1]], [[0, 0], [1, 1]], 2)
    array([[1, 1],
           [0, 2]])
    """
    p, t, n = _labels("confusion", prediction, truth, classes)
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)
        p, t = p[keep], t[keep]
    return np.bincount((t * n + p).ravel(), minlength=n * n).reshape(n, n)


def pixel_accuracy(prediction, truth, classes: int) -> float:
    """Share of pixels whose predicted class is the true one.

    Examples
    --------
    >>> from tconv.train.quality import pixel_accuracy
    >>> pixel_accuracy([[0, 1], [1, 1]], [[0, 0], [1, 1]], 2)
    0.75
    """
    counts = confusion(prediction, truth, classes)
    return float(np.trace(counts) / counts.sum())


def iou_from_confusion(counts) -> np.ndarray:
    """Per-class IoU ``TP / (TP + FP + FN)``; NaN for a class in neither map."""
    counts = np.asarray(counts, dtype=np.float64)
    true_positive = np.diag(counts)
    union = counts.sum(axis=0) + counts.sum(axis=1) - true_positive
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, true_positive / np.where(union > 0, union, 1), np.nan)


def mean_iou(prediction, truth, classes: int, mask=None) -> float:
    """Mean over classes of ``|pred == c and truth == c| / |pred == c or truth == c|``.

    Classes in neither map (nor under ``mask``) are left out of the mean.

    Examples
    --------
    >>> from tconv.train.quality import mean_iou
    >>> # class 0: 1 shared pixel of 2 in the union; class 1: 2 of 3 -> (1/2 + 2/3) / 2
    >>> round(mean_iou([[0, 1], [1, 1]], [[0, 0], [1, 1]], 2), 6)
    0.583333
    """
    values = iou_from_confusion(confusion(prediction, truth, classes, mask))
    present = values[~np.isnan(values)]
    return float(present.mean()) if present.size else float("nan")


def boundary_band(truth, width: int = 2) -> np.ndarray:
    """Pixels within ``width`` pixels (chessboard distance) of a change of true class.

    A pixel is on a boundary when a 4-neighbour has another class (both
    pixels of such a pair count); the band is that set grown by ``width - 1``
    pixels in every direction (``width=1``: the boundary pixels themselves).
    Works on the last two axes of ``(..., H, W)`` class maps.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.quality import boundary_band
    >>> truth = np.zeros((1, 6), dtype=int); truth[0, 3:] = 1
    >>> boundary_band(truth, 1).astype(int)
    array([[0, 0, 1, 1, 0, 0]])
    >>> boundary_band(truth, 2).astype(int)
    array([[0, 1, 1, 1, 1, 0]])
    """
    t = np.asarray(truth)
    if not _args.is_int(width) or width < 1:
        message = f"boundary_band: width={width!r} must be an int >= 1"
        raise ValueError(message)
    edge = np.zeros(t.shape, dtype=bool)
    vertical = t[..., 1:, :] != t[..., :-1, :]
    horizontal = t[..., :, 1:] != t[..., :, :-1]
    edge[..., 1:, :] |= vertical
    edge[..., :-1, :] |= vertical
    edge[..., :, 1:] |= horizontal
    edge[..., :, :-1] |= horizontal
    band = edge
    for _ in range(width - 1):
        grown = band.copy()
        grown[..., 1:, :] |= band[..., :-1, :]
        grown[..., :-1, :] |= band[..., 1:, :]
        band = grown.copy()
        band[..., :, 1:] |= grown[..., :, :-1]
        band[..., :, :-1] |= grown[..., :, 1:]
    return band


def boundary_iou(prediction, truth, classes: int, width: int = 2) -> float:
    """:func:`mean_iou` counted only on :func:`boundary_band` ``(truth, width)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.quality import boundary_iou
    >>> truth = np.zeros((1, 6), dtype=int); truth[0, 3:] = 1
    >>> prediction = np.zeros((1, 6), dtype=int); prediction[0, 4:] = 1
    >>> # band = columns 1..4; class 0: 2 of 3, class 1: 1 of 2 -> (2/3 + 1/2) / 2
    >>> round(boundary_iou(prediction, truth, 2, width=2), 6)
    0.583333
    """
    return mean_iou(prediction, truth, classes, mask=boundary_band(truth, width))
