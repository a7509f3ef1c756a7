"""Grouped channel mixing shared by the tap-loop algorithms.

At one kernel tap a convolution is a matrix multiply over channels, done per
group: ``(N, G, P, C_in/G) @ (G, C_in/G, C_out/G) -> (N, G, P, C_out/G)``.
"""

from __future__ import annotations


def to_groups(xp, x, groups):
    """``(N, C, *S)`` -> ``(N, G, P, C/G)``: channels last, pixels flattened."""
    n, c = x.shape[:2]
    x = xp.reshape(x, (n, groups, c // groups, -1))
    return xp.permute_dims(x, (0, 1, 3, 2))


def from_groups(xp, y, spatial):
    """``(N, G, P, C/G)`` -> ``(N, C, *spatial)``."""
    n, g, _, c = y.shape
    y = xp.permute_dims(y, (0, 1, 3, 2))
    return xp.reshape(y, (n, g * c, *spatial))


def tap_matrices(xp, weight, groups, transposed):
    """Per-tap ``(G, C_in/G, C_out/G)`` matrices, as a ``(G, Ci, Co, *k)`` array.

    Conv weights are ``(C_out, C_in/G, *k)``; transposed-conv weights are
    ``(C_in, C_out/G, *k)``. Index ``[..., *tap]`` gives that tap's matrices.
    """
    k = weight.shape[2:]
    if transposed:
        c_in, co_g = weight.shape[:2]
        return xp.reshape(weight, (groups, c_in // groups, co_g, *k))
    c_out, ci_g = weight.shape[:2]
    w = xp.reshape(weight, (groups, c_out // groups, ci_g, *k))
    return xp.permute_dims(w, (0, 2, 1, *range(3, 3 + len(k))))


# Column buffers of at least this many elements are never split further.
MIN_CHUNK = 1 << 20


def chunks(batch: int, rows: int, per_row: int, budget: int):
    """``(batch slice, row slice)`` pieces whose column buffers fit ``budget``.

    ``per_row`` is the buffer size of one row of one sample. Whole samples per
    piece while one sample fits, else one sample and a band of rows at a time.
    """
    budget = max(budget, MIN_CHUNK)
    if per_row * rows <= budget:
        step = budget // (per_row * rows)
        for b in range(0, batch, step):
            yield slice(b, min(b + step, batch)), slice(0, rows)
        return
    step = max(1, budget // per_row)
    for b in range(batch):
        for r in range(0, rows, step):
            yield slice(b, b + 1), slice(r, min(r + step, rows))
