"""Tolerances per dtype, and array comparison helpers that raise, never return bools.

Values are compared with ``|actual - expected| <= atol * scale + rtol * |expected|``
where ``scale`` bounds the size of the sums that produced them: pass
``scale=conv(|x|, |w|)`` (computed in float64) so the absolute part grows with
the number and size of the terms, the standard bound on summation error.
"""

from __future__ import annotations

import numpy as np

# Per-term rounding error of one multiply-add chain, relative to the scale.
TOLERANCE = {
    np.dtype(np.float64): {"rtol": 1e-12, "atol": 1e-12},
    np.dtype(np.float32): {"rtol": 2e-5, "atol": 2e-5},
    np.dtype(np.float16): {"rtol": 4e-3, "atol": 4e-3},
}


def tolerance(dtype) -> dict:
    return TOLERANCE[np.dtype(dtype)]


def assert_close(actual, expected, *, dtype=None, scale=None, what="value"):
    """Shape, then values, within the dtype's tolerance."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"{what}: shape {actual.shape} != expected {expected.shape}")
    tol = tolerance(dtype if dtype is not None else np.float64)
    bound = tol["atol"] * (1.0 if scale is None else np.maximum(np.asarray(scale), 1.0))
    bound = bound + tol["rtol"] * np.abs(expected)
    error = np.abs(actual - expected)
    if not np.all(error <= bound):
        worst = np.unravel_index(np.argmax(error - bound), error.shape)
        raise AssertionError(
            f"{what}: {int(np.sum(error > bound))} of {error.size} elements out of tolerance; "
            f"worst at {worst}: actual {actual[worst]!r}, expected {expected[worst]!r}, "
            f"error {error[worst]:.3g} > bound {np.broadcast_to(bound, error.shape)[worst]:.3g}")
