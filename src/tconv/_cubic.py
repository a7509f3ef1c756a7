"""Keys's cubic convolution kernel, the one polynomial every bicubic uses.

``W(t) = ((a+2)|t| - (a+3)) t^2 + 1`` for ``|t| <= 1``,
``((a|t| - 5a)|t| + 8a)|t| - 4a`` for ``1 < |t| < 2``, zero beyond
(R. Keys, "Cubic convolution interpolation for digital image processing",
1981). PyTorch uses ``a = -0.75``, TensorFlow/Keras ``-0.5``, ONNX Resize
takes ``cubic_coeff_a``. Plain arithmetic, so the array's dtype is kept
(``a`` is a Python float).
"""

from __future__ import annotations

import numpy as np


def keys_near(t, a: float):
    """``W(t)`` for ``0 <= t <= 1``: ``((a+2)t - (a+3)) t^2 + 1``."""
    return ((a + 2) * t - (a + 3)) * t * t + 1


def keys_far(t, a: float):
    """``W(t)`` for ``1 <= t < 2``: ``((a t - 5a) t + 8a) t - 4a``."""
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a


def keys(t: np.ndarray, a: float) -> np.ndarray:
    """``W(t)`` at any distances ``t`` (NumPy arrays)."""
    t = np.abs(t)
    return np.where(t <= 1, keys_near(t, a), np.where(t < 2, keys_far(t, a), 0.0))
