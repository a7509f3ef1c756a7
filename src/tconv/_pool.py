"""Front doors ``max_pool`` and ``max_unpool``, identical to PyTorch's.

Layout of this module, top to bottom, in the package's layers:

* the pure-integer geometry (``pool_length``, ``unpool_length``, the frozen
  ``PoolPlan`` and its resolvers) lives in :mod:`tconv._geometry.pool`;
* the shared front-door steps of the fixed (weightless) ops: the spatial
  rank rule, coercion, the dtype rule, batching;
* the array code (:func:`max_pool_taps`, :func:`max_unpool_scatter`),
  batched and trusting its input, written once against the array-API
  namespace ``xp`` (scatter is delegated to the library where the array API
  has none);
* the public functions.

PyTorch's rules reproduced here (docs/rules/pytorch.md): padding is
``-inf`` and never chosen; indices are flat over each ``(N, C)`` plane; ties
pick the first maximum; a NaN wins and, among NaNs, the last one's index is
reported (``val > max || isnan(val)`` in the CPU kernel); ``ceil_mode``
drops a last window that would start in the end padding; padding is at most
half the (undilated) kernel.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from array_api_compat import device, is_numpy_namespace, is_torch_namespace

from . import _args, _delegate, _limits
from ._geometry.pool import PoolPlan, resolve_pool, resolve_unpool
from ._xp import as_array, compute_dtype, namespace_of, set_at

# --------------------------------------------------------------------------- front-door steps


def flag(op: str, name: str, value) -> bool:
    """A bool parameter (``ceil_mode``, ``return_indices``); TypeError otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        message = f"{op}: {name}={value!r} must be a bool (True or False)"
        raise TypeError(message)
    return bool(value)


def spatial_rank(op: str, name: str, value, x) -> int:
    """The public rule: ``len(value)`` for a sequence, else ``x.ndim - 2``."""
    if _args.is_int(value):
        rank = x.ndim - 2
        if rank not in (1, 2, 3):
            message = (f"{op}: x has shape {tuple(x.shape)} ({x.ndim} dims); with an int "
                       f"{name}={value!r} x must be batched (N, C, *S) with 3, 4 or 5 dims "
                       f"(spatial rank = x.ndim - 2); for unbatched (C, *S) input give "
                       f"{name} as a tuple of one int per spatial axis")
            raise ValueError(message)
        return rank
    values = _args.sequence(value)
    if values is None:
        message = f"{op}: {name}={value!r} must be an int or a tuple of 1, 2 or 3 ints"
        raise TypeError(message)
    if len(values) not in (1, 2, 3):
        message = (f"{op}: {name}={value!r} has {len(values)} values; give 1, 2 or 3, one "
                   "per spatial axis")
        raise ValueError(message)
    return len(values)


def prepare(op: str, x, name: str, value):
    """Coerce ``x``, find the rank from ``value``, batch it, apply the dtype rule.

    Returns ``(xp, x, rank, is_batched)`` with ``x`` batched ``(N, C, *S)``.
    """
    xp = namespace_of(x)
    x = as_array(op, "x", x, xp)
    rank = spatial_rank(op, name, value, x)
    if x.ndim not in (rank + 1, rank + 2):
        message = (f"{op}: x has shape {tuple(x.shape)} ({x.ndim} dims) but {name}="
                   f"{value!r} is {rank}-D; x must be (N, C, *S) with {rank + 2} dims or "
                   f"unbatched (C, *S) with {rank + 1} dims")
        raise ValueError(message)
    _args.nonempty(op, "x", x.shape)
    is_batched = x.ndim == rank + 2
    if not is_batched:
        x = xp.expand_dims(x, axis=0)
    x = xp.astype(x, compute_dtype(xp, x), copy=False)
    return xp, x, rank, is_batched


# --------------------------------------------------------------------------- array code


def _host_to(xp, array: np.ndarray, like):
    """A small host-side integer table as an array of ``xp`` on ``like``'s device."""
    return xp.asarray(array, device=device(like))


def _plane_strides(size: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides of one spatial plane: flat index = sum(position * stride)."""
    return tuple(math.prod(size[a + 1:]) for a in range(len(size)))


def _outer_sum(vectors: list[np.ndarray]) -> np.ndarray:
    """``sum_a vectors[a]`` broadcast over one axis each: an ``(len0, len1, ...)`` table."""
    rank = len(vectors)
    total = np.zeros((1,) * rank, dtype=np.int64)
    for a, v in enumerate(vectors):
        total = total + v.reshape((1,) * a + (-1,) + (1,) * (rank - a - 1))
    return total


def tap_ranges(plan: PoolPlan) -> tuple[tuple[int, int], ...]:
    """Per axis, the first and last kernel tap that reads the input in some window.

    Taps outside that range read only padding (``-inf``) in every window, so
    they never decide a maximum: skipping them bounds the work by the padded
    input, not the kernel (a kernel of 20000 on a 4x4 input runs 4x4 taps).
    """
    ranges = []
    for o, n, k, s, d, (lo, _) in zip(plan.out_size, plan.in_size, plan.kernel_size,
                                      plan.stride, plan.dilation, plan.pads):
        offset = lo - np.arange(o, dtype=np.int64) * s  # input index -offset is tap 0's
        low = np.maximum(-(-offset // d), 0)
        high = np.minimum((offset + n - 1) // d, k - 1)
        reads = low <= high
        ranges.append((int(low[reads].min()), int(high[reads].max())) if reads.any()
                      else (0, 0))
    return tuple(ranges)


def _pad_for_windows(x, plan: PoolPlan, xp, ranges):
    """The part of the ``-inf``-padded input that taps ``ranges`` read, from tap ``first``'s.

    Along an axis, sample ``r`` is padded position ``r + first*dilation``,
    i.e. ``x[r + first*dilation - lo]`` or ``-inf`` outside the input.
    """
    lengths, shifts = [], []
    for o, s, d, (first, last), (lo, _) in zip(plan.out_size, plan.stride, plan.dilation,
                                               ranges, plan.pads):
        lengths.append((o - 1) * s + (last - first) * d + 1)
        shifts.append(lo - first * d)  # where x[0] lands
    if all(shift == 0 and length == n for shift, length, n in
           zip(shifts, lengths, plan.in_size)):
        return x
    padded = xp.full(tuple(x.shape[:2]) + tuple(lengths), -xp.inf, dtype=x.dtype,
                     device=device(x))
    source, target = [], []
    for n, length, shift in zip(plan.in_size, lengths, shifts):
        begin, end = max(shift, 0), min(shift + n, length)
        if begin >= end:
            return padded  # no input inside the read region on this axis
        source.append(slice(begin - shift, end - shift))
        target.append(slice(begin, end))
    every = (slice(None), slice(None))
    return set_at(xp, padded, every + tuple(target), x[every + tuple(source)])


def _window_tables(plan: PoolPlan, ranges):
    """Small host tables over the output grid (broadcast, one axis each).

    ``start``: plane position of each window's tap 0 (``o*s - lo``) as a flat
    index; ``first``: number, among the taps of ``ranges``, of each window's
    first tap inside the input (past the begin padding: PyTorch starts its
    loop there); ``empty``: windows with no tap inside at all (possible with
    padding and dilation), whose value is ``-inf``; ``empty_index``: their
    index as PyTorch gives it (that first tap, flattened).
    """
    plane = _plane_strides(plan.in_size)
    taps = _plane_strides(tuple(last - first + 1 for first, last in ranges))
    starts, firsts, outside, reaches = [], [], [], []
    for o, n, s, d, (lo, _), (low, high) in zip(plan.out_size, plan.in_size, plan.stride,
                                                plan.dilation, plan.pads, ranges):
        start = np.arange(o, dtype=np.int64) * s - lo
        first = np.maximum(-(start // d), 0)  # ceil(-start / d), at least 0
        starts.append(start), outside.append(start + first * d >= n)
        firsts.append(np.clip(first, low, high) - low), reaches.append(first * d)
    start = _outer_sum([st * ps for st, ps in zip(starts, plane)])
    first = _outer_sum([f * ts for f, ts in zip(firsts, taps)])
    empty = _outer_sum([v.astype(np.int64) for v in outside]) > 0
    empty_index = start + _outer_sum([r * ps for r, ps in zip(reaches, plane)])
    return start, first, empty, empty_index


def max_pool_taps(x, plan: PoolPlan, xp, return_indices: bool):
    """Maximum over the kernel taps; returns ``(values, indices or None)``.

    The input is padded with ``-inf`` (never the maximum unless nothing else
    is). Tap ``t`` of every window at once is the strided slice starting at
    ``t*dilation``; one axis, k=3, s=2, padding 1::

        padded:   -inf  a  b  c  d  e  -inf
        tap 0:    ^        ^        ^
        tap 1:          ^        ^
        tap 2:             ^        ^

    The values are the running ``maximum`` of those slices (NaN
    propagates). Indices, when asked for, follow PyTorch's CPU loop (start at
    the first tap inside the input with ``-inf``; take a tap when ``value >
    max or isnan(value)``): the winner is the first tap equal to the
    maximum, except that a ``-inf`` maximum keeps the first inside tap and a
    NaN maximum the last NaN. On PyTorch tensors that need gradients the
    values are then gathered from ``x`` at those indices, so the gradient
    goes to the one chosen input as in PyTorch's backward (``maximum`` would
    split it between ties).
    """
    needs_grad = is_torch_namespace(xp) and x.requires_grad
    ranges = tap_ranges(plan)
    padded = _pad_for_windows(x.detach() if needs_grad else x, plan, xp, ranges)
    taps = list(itertools.product(*(range(first, last + 1) for first, last in ranges)))

    def window(tap):
        return padded[(slice(None), slice(None)) + tuple(
            slice((t - first) * d, (t - first) * d + (o - 1) * s + 1, s)
            for t, (first, _), o, s, d in
            zip(tap, ranges, plan.out_size, plan.stride, plan.dilation))]

    values = window(taps[0])
    for tap in taps[1:]:
        values = xp.maximum(values, window(tap))
    if not (return_indices or needs_grad):
        return values, None

    start, first, empty, empty_index = _window_tables(plan, ranges)
    first = _host_to(xp, first.astype(np.int32), x)  # int32: torch indexes with no less
    which = xp.broadcast_to(first, tuple(values.shape))
    numbers = [xp.asarray(number, dtype=xp.int32, device=device(x))
               for number in range(len(taps))]
    for number, tap in reversed(list(enumerate(taps))):  # ends on the first equal tap
        which = xp.where(window(tap) == values, numbers[number], which)
    is_low = values == -xp.inf  # padding equals it too: keep the first inside tap
    if bool(xp.any(is_low)):
        which = xp.where(is_low, first, which)
    is_nan = xp.isnan(values)  # NaN equals nothing: the last NaN tap wins
    if bool(xp.any(is_nan)):
        last = which
        for number, tap in enumerate(taps):
            last = xp.where(xp.isnan(window(tap)), numbers[number], last)
        which = xp.where(is_nan, last, which)

    # Flat plane index of tap t of window o: sum_a (o_a*s_a - lo_a + t_a*d_a) * stride_a.
    plane = _plane_strides(plan.in_size)
    offsets = np.array([sum(t * d * ps for t, d, ps in zip(tap, plan.dilation, plane))
                        for tap in taps], dtype=np.int64)
    flat = xp.take(_host_to(xp, offsets, x), xp.reshape(which, (-1,)), axis=0)
    indices = xp.reshape(flat, tuple(values.shape)) + _host_to(xp, start, x)
    if empty.any():  # their first tap may lie outside the taps run
        indices = xp.where(_host_to(xp, empty, x), _host_to(xp, empty_index, x), indices)
    if needs_grad:
        values = _gather_planes(xp, x, indices, _host_to(xp, empty, x))
    return values, (indices if return_indices else None)


def _gather_planes(xp, x, indices, empty):
    """``x``'s value at each flat plane index (``-inf`` for windows without input)."""
    n, c = x.shape[:2]
    size = math.prod(x.shape[2:])
    planes = xp.reshape(xp.arange(n * c, dtype=xp.int64, device=device(x)) * size,
                        (n, c) + (1,) * (x.ndim - 2))
    safe = xp.where(empty, xp.zeros_like(indices), indices)
    gathered = xp.take(xp.reshape(x, (-1,)), xp.reshape(safe + planes, (-1,)), axis=0)
    gathered = xp.reshape(gathered, tuple(indices.shape))
    return xp.where(empty, xp.full_like(gathered, -xp.inf), gathered)


def max_unpool_scatter(x, indices, plan: PoolPlan, xp):
    """``y.plane[indices[i]] = x[i]`` per ``(N, C)`` plane, zeros elsewhere.

    The array API has no scatter, so NumPy and PyTorch get their own: an
    integer-array assignment into the flattened output (PyTorch's
    ``index_put_``, differentiable: its backward gathers the output gradient
    at the indices, as ``max_unpool``'s does). Other libraries get an
    array-API-only equivalent: sort the global indices, find each output
    position's last writer with ``searchsorted``, gather.
    """
    n, c = x.shape[:2]
    size = math.prod(plan.out_size)
    planes = xp.reshape(xp.arange(n * c, dtype=xp.int64, device=device(x)) * size,
                        (n, c) + (1,) * plan.rank)
    target = xp.reshape(xp.astype(indices, xp.int64, copy=False) + planes, (-1,))
    values = xp.reshape(x, (-1,))
    if is_torch_namespace(xp) or is_numpy_namespace(xp):
        out = xp.zeros((n * c * size,), dtype=x.dtype, device=device(x))
        out[target] = values
    else:
        out = _scatter_by_sorting(xp, values, target, n * c * size)
    return xp.reshape(out, (n, c, *plan.out_size))


def _scatter_by_sorting(xp, values, target, size):
    """``out[target[i]] = values[i]`` (1-D, last writer wins) with sort and search only."""
    order = xp.argsort(target, stable=True)
    ordered = xp.take(target, order)
    positions = xp.arange(size, dtype=xp.int64, device=device(values))
    last = xp.searchsorted(ordered, positions, side="right") - 1
    safe = xp.where(last < 0, xp.zeros_like(last), last)
    hit = (last >= 0) & (xp.take(ordered, safe) == positions)
    gathered = xp.take(values, xp.take(order, safe))
    return xp.where(hit, gathered, xp.zeros_like(gathered))


# --------------------------------------------------------------------------- public


@_args.keywords
def max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
             return_indices=False):
    """Max pooling, identical to ``torch.nn.functional.max_pool{1,2,3}d``.

    Parameters
    ----------
    x : array_like
        ``(N, C, *S)``, or unbatched ``(C, *S)`` when ``kernel_size`` is a
        tuple; NumPy array, nested list or any array-API array (PyTorch
        tensors keep autograd). Integers and bools are computed in float64.
    kernel_size : int or tuple of d ints
        Window size. A tuple's length is the spatial rank d; one int means
        ``d = x.ndim - 2`` (batched input).
    stride : int or tuple of d ints, optional
        Step between windows; defaults to ``kernel_size``.
    padding : int, tuple of d ints or of d (before, after) pairs
        Implicit ``-inf`` padding (never chosen), at most ``kernel_size // 2``
        on each side, as PyTorch requires. Pairs (unequal sides) go beyond
        PyTorch, which pads symmetrically.
    dilation : int or tuple of d ints
        Spacing between the taps of a window.
    ceil_mode : bool
        Round the window count up, keeping a last partial window only if it
        starts inside the input or the begin padding.
    return_indices : bool
        Also return the position of each maximum.

    Returns
    -------
    values : array
        ``(N, C, *S_out)`` (unbatched ``(C, *S_out)``), ``x``'s library and
        floating dtype.
    indices : array of int64, only with ``return_indices=True``
        Flat index of each maximum within its ``(N, C)`` plane (row-major
        over ``S``), as PyTorch's; ties give the first maximum, NaN the last
        NaN. Feed it to :func:`max_unpool`.

    Raises
    ------
    ValueError
        Wrong rank, an empty axis, non-positive kernel_size, stride or
        dilation, negative padding or padding over half the kernel, no
        window fitting.
    TypeError
        Non-numeric ``x``, a float/bool/str where ints belong, a non-bool
        flag.

    Notes
    -----
    Per axis ``out = floor((n + before + after - dilation*(k - 1) - 1) / stride) + 1``
    (``ceil`` with ``ceil_mode``, then minus one if the last window would start
    at or past ``n + before``): ``tconv._geometry.pool.pool_length``.

    With padding and dilation a window can hold no input at all; its value is
    ``-inf`` and its index PyTorch's (the first tap past the begin padding,
    flattened even when it lies outside the plane). PyTorch's backward sends
    such a window's gradient to that flat position. PyTorch tensors with
    equal padding on both sides run PyTorch's own kernel, so the same happens;
    with unequal sides tconv's code runs and that gradient goes nowhere.

    Examples
    --------
    >>> import tconv
    >>> x = [[[1, 9, 2, 3], [4, 5, 8, 6], [7, 0, 1, 2], [3, 4, 5, 6]]]   # (C=1, 4, 4)
    >>> values, indices = tconv.max_pool(x, (2, 2), return_indices=True)
    >>> values
    array([[[9., 8.],
            [7., 6.]]])
    >>> indices
    array([[[ 1,  6],
            [ 8, 15]]])
    >>> tconv.max_pool([[[0, 1, 2, 3, 4]]], 2, padding=1, ceil_mode=True)
    array([[[0., 2., 4.]]])
    """
    op = "max_pool"
    xp, x, _, is_batched = prepare(op, x, "kernel_size", kernel_size)
    ceil_mode = flag(op, "ceil_mode", ceil_mode)
    return_indices = flag(op, "return_indices", return_indices)
    plan = resolve_pool(op, tuple(x.shape[2:]), kernel_size, stride, padding, dilation,
                        ceil_mode)
    native = _delegate.max_pool(x, plan, return_indices)  # PyTorch's kernel on its tensors
    values, indices = native or max_pool_taps(x, plan, xp, return_indices)
    if not is_batched:
        values = values[0, ...]
        indices = None if indices is None else indices[0, ...]
    return (values, indices) if return_indices else values


@_args.keywords
def max_unpool(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of :func:`max_pool`, identical to ``torch.nn.functional.max_unpool{1,2,3}d``.

    Each value goes back to the position its index names in its ``(N, C)``
    plane; every other position is zero.

    Parameters
    ----------
    x : array_like
        Pooled values ``(N, C, *S)``, or unbatched ``(C, *S)`` when
        ``kernel_size`` is a tuple. Integers and bools are computed in float64.
    indices : array_like of ints
        Same shape as ``x``: flat positions in the output plane, as
        :func:`max_pool` returns them; each in ``0 .. prod(output size) - 1``.
    kernel_size : int or tuple of d ints
        The pooling window. A tuple's length is the spatial rank d; one int
        means ``d = x.ndim - 2``.
    stride : int or tuple of d ints, optional
        Defaults to ``kernel_size``.
    padding : int, tuple of d ints or of d (before, after) pairs
        The pooling's padding (it only shortens the default output size).
    output_size : tuple of ints, optional
        Spatial size (d ints, or the full shape, whose leading values are
        ignored). Each must lie strictly between ``default - stride`` and
        ``default + stride``, as PyTorch requires (the default is below).

    Returns
    -------
    array
        ``(N, C, *S_out)`` (unbatched ``(C, *S_out)``).

    Raises
    ------
    ValueError
        Wrong rank, an empty axis, ``indices`` of another shape than ``x``
        or outside the output plane, an ``output_size`` out of range (the
        message gives the range), an empty output, an output over
        ``tconv.get_max_output_bytes()`` (2 GiB by default).
    TypeError
        Non-numeric ``x``, non-integer ``indices``, a float/bool/str where
        ints belong.

    Notes
    -----
    Default size per axis ``(n - 1)*stride + kernel_size - before - after``
    (``tconv._geometry.pool.unpool_length``). Where several values share one index
    (overlapping windows), PyTorch's max_pool gives them the same value; for
    arbitrary repeated indices with different values the value kept is not
    specified (PyTorch's CPU kernel is not "last wins" either).

    Examples
    --------
    >>> import tconv
    >>> x = [[[1, 9, 2, 3], [4, 5, 8, 6], [7, 0, 1, 2], [3, 4, 5, 6]]]   # (C=1, 4, 4)
    >>> values, indices = tconv.max_pool(x, (2, 2), return_indices=True)
    >>> tconv.max_unpool(values, indices, (2, 2))
    array([[[0., 9., 0., 0.],
            [0., 0., 8., 0.],
            [7., 0., 0., 0.],
            [0., 0., 0., 6.]]])
    >>> tconv.max_unpool(values, indices, (2, 2), output_size=(5, 5)).shape
    (1, 5, 5)
    """
    op = "max_unpool"
    xp, x, rank, is_batched = prepare(op, x, "kernel_size", kernel_size)
    indices = as_array(op, "indices", indices, xp, like=x)
    if not xp.isdtype(indices.dtype, "integral"):
        message = (f"{op}: indices must hold integers (flat positions in the output "
                   f"plane, as max_pool returns them); got dtype {indices.dtype}")
        raise TypeError(message)
    given = tuple(indices.shape)
    if not is_batched and indices.ndim == rank + 1:
        indices = xp.expand_dims(indices, axis=0)
    if tuple(indices.shape) != tuple(x.shape):
        expected = tuple(x.shape) if is_batched else tuple(x.shape[1:])
        message = (f"{op}: indices has shape {given} but x has shape {expected}; they "
                   "must match (one index per pooled value)")
        raise ValueError(message)
    plan = resolve_unpool(op, tuple(x.shape[2:]), kernel_size, stride, padding, output_size)
    name, value = ("output_size", output_size) if output_size is not None else (
        ("stride", stride) if stride is not None else ("kernel_size", kernel_size))
    _limits.check_bytes(op, name, value, (*x.shape[:2], *plan.out_size), _limits.itemsize(x),
                        input_bytes=_limits.nbytes(x))
    size = math.prod(plan.out_size)
    low, high = int(xp.min(indices)), int(xp.max(indices))
    if low < 0 or high >= size:
        message = (f"{op}: indices hold values from {low} to {high}, but each must address "
                   f"the output plane of size {plan.out_size}: 0..{size - 1}")
        raise ValueError(message)
    y = _delegate.max_unpool(x, indices, plan)  # PyTorch's kernel on its tensors
    if y is None:
        y = max_unpool_scatter(x, indices, plan, xp)
    return y if is_batched else y[0, ...]
