"""Array-namespace helpers: coercion, the dtype rule, and slice updates.

Everything is written against the array API namespace of ``x`` (found with
array-api-compat), so NumPy arrays, PyTorch tensors (with autograd) and other
array-API libraries share one implementation. Framework modules are never
imported to detect them: array-api-compat checks ``sys.modules`` first.
"""

from __future__ import annotations

import sys

import numpy as np
from array_api_compat import array_namespace, device, is_array_api_obj, is_jax_namespace


def namespace_of(x):
    """The namespace that ``x`` decides: its own, or NumPy's for lists/scalars."""
    if is_array_api_obj(x):
        return array_namespace(x)
    return array_namespace(np.empty(0))


def as_array(op: str, name: str, value, xp, like=None):
    """``value`` as an array of namespace ``xp`` (on ``like``'s device).

    Lists and NumPy arrays are converted into ``xp``; an array of another
    library than ``xp`` is refused, since converting it would cut autograd.
    Only bool, integer and real floating data is accepted.
    """
    if (is_array_api_obj(value) and array_namespace(value) is not xp
            and not isinstance(value, np.ndarray)):
        message = (f"{op}: {name} is a {type(value).__module__}.{type(value).__name__} "
                   f"but x belongs to {xp.__name__}; pass arrays of one library "
                   "(lists and NumPy arrays are converted)")
        raise TypeError(message)
    if not is_array_api_obj(value) or array_namespace(value) is not xp:
        try:
            host = np.asarray(value)
        except (ValueError, TypeError) as error:
            message = f"{op}: {name} could not be read as a numeric array ({error})"
            raise TypeError(message) from None
        if host.dtype.kind not in "biuf":
            message = (f"{op}: {name} must hold real numbers (bool, int or float); "
                       f"got dtype {host.dtype}")
            raise TypeError(message)
        value = xp.asarray(host) if like is None else xp.asarray(host, device=device(like))
    if not (xp.isdtype(value.dtype, "bool") or xp.isdtype(value.dtype, "integral")
            or xp.isdtype(value.dtype, "real floating")):
        message = (f"{op}: {name} must hold real numbers (bool, int or float); "
                   f"got dtype {value.dtype}")
        raise TypeError(message)
    return value


def compute_dtype(xp, *arrays):
    """The dtype rule: floats kept and promoted as NumPy does; ints/bools -> float64."""
    dtypes = [a.dtype if xp.isdtype(a.dtype, "real floating") else xp.float64
              for a in arrays if a is not None]
    return xp.result_type(*dtypes)


def all_finite(xp, array) -> bool:
    """True when ``array`` holds no inf or NaN (algorithms that would multiply
    padding or inserted zeros by the weight need another route otherwise).

    Under ``torch.compile`` the answer is False without looking: a branch on
    the data would break the graph, and the other route is right for any data.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.compiler.is_compiling():
        return False
    return bool(xp.all(xp.isfinite(array)))


def zeros(xp, shape, like):
    """Zeros of ``like``'s dtype on ``like``'s device."""
    return xp.zeros(tuple(shape), dtype=like.dtype, device=device(like))


def add_at(xp, target, index, value):
    """``target[index] += value`` (functional update on immutable arrays)."""
    if is_jax_namespace(xp):
        return target.at[index].add(value)
    target[index] += value
    return target


def set_at(xp, target, index, value):
    """``target[index] = value`` (functional update on immutable arrays)."""
    if is_jax_namespace(xp):
        return target.at[index].set(value)
    target[index] = value
    return target


def depend_on(xp, out, x):
    """``out`` unchanged, but recorded as depending on ``x`` (autograd).

    For outputs no input value reaches (only output_padding zeros): PyTorch
    then gives ``x`` a zero gradient, and so do we. An empty copy, not
    ``0 * x``, so that inf or NaN inputs cannot leak into the zeros.
    """
    empty = (slice(0, 0),) + (slice(None),) * (out.ndim - 1)
    return set_at(xp, out, empty, xp.reshape(x[(slice(0, 0), ...)], (0, *out.shape[1:])))


def pad_or_crop(xp, x, pads):
    """Zero-pad (positive) or crop (negative) the trailing ``len(pads)`` axes.

    Along each axis ``result[j] = x[j - before]`` where that index exists, else
    0; the result has ``size + before + after`` samples (a crop may remove more
    than the axis holds, leaving only padding).
    """
    lead = x.ndim - len(pads)
    sizes = x.shape[lead:]
    new = tuple(n + lo + hi for n, (lo, hi) in zip(sizes, pads))
    source, target = [], []
    for n, m, (lo, _) in zip(sizes, new, pads):
        start = min(max(0, -lo), n)
        stop = max(start, min(n, m - lo))
        empty = start == stop
        source.append(slice(0, 0) if empty else slice(start, stop))
        target.append(slice(0, 0) if empty else slice(start + lo, stop + lo))
    keep = (slice(None),) * lead
    if all(lo <= 0 and hi <= 0 for lo, hi in pads):
        return x[keep + tuple(source)]
    # Even an empty copy keeps x in the autograd graph (its gradient is then 0).
    out = zeros(xp, x.shape[:lead] + new, x)
    return set_at(xp, out, keep + tuple(target), x[keep + tuple(source)])


def strided(starts, counts, steps):
    """Slices ``start, start+step, ...`` (``count`` items) per axis."""
    return tuple(slice(b, b + (c - 1) * s + 1, s) for b, c, s in zip(starts, counts, steps))
