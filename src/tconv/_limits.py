"""The output-size guard: refuse an output too large to allocate sensibly.

Every front door that allocates an output (or a buffer) whose size a
parameter decides calls :func:`check_bytes` with the shape before
allocating. An array over the limit is refused with a ``ValueError`` naming
the parameter and the bytes it would take, unless it is no larger than the
input itself (a same-size result of data already in memory is never
refused). The limit is 2 GiB by default; the environment variable
``TCONV_MAX_OUTPUT_BYTES``, :func:`set_max_output_bytes` or, for one block
of code, the context manager :func:`max_output_bytes` change it.
"""

from __future__ import annotations

import contextlib
import os

from . import _args

DEFAULT_MAX_OUTPUT_BYTES = 2 * 1024**3
ENVIRONMENT_VARIABLE = "TCONV_MAX_OUTPUT_BYTES"


def _parse_limit(name: str, value) -> int | None:
    """``value`` as a byte count (an int >= 1) or ``None`` (no limit)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "none", "inf", "unlimited"):
            return None
        try:
            value = int(float(text)) if "e" in text else int(text)
        except ValueError:
            message = (f"{name}={value!r} is not a byte count; give a positive integer "
                       "(for example 8589934592 for 8 GiB) or 'none' for no limit")
            raise ValueError(message) from None
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"{name}={value!r} must be a positive int (bytes) or None (no limit)"
        raise TypeError(message)
    if value < 1:
        message = f"{name}={value!r} must be a positive number of bytes (or None: no limit)"
        raise ValueError(message)
    return value


def _initial_limit() -> int | None:
    text = os.environ.get(ENVIRONMENT_VARIABLE)
    if text is None:
        return DEFAULT_MAX_OUTPUT_BYTES
    return _parse_limit(ENVIRONMENT_VARIABLE, text)


# One process-wide value (a plain global: torch.compile traces reading it,
# where a ContextVar would break the graph).
_limit = _initial_limit()


def get_max_output_bytes() -> int | None:
    """The largest output, in bytes, that tconv's ops allocate (``None``: no limit).

    Examples
    --------
    >>> import tconv
    >>> tconv.get_max_output_bytes() >= 1
    True
    """
    return _limit


@_args.keywords
def set_max_output_bytes(limit: int | None) -> int | None:
    """Set the largest output tconv's ops allocate; return the previous limit.

    An op whose output (or a buffer of that size) would take more bytes than
    ``limit`` and more than its input raises a ``ValueError`` naming the
    parameter that made it large, before allocating anything. The default
    is 2 GiB, or the environment variable ``TCONV_MAX_OUTPUT_BYTES`` when it
    is set (a byte count, or ``none``).

    Parameters
    ----------
    limit : int or None
        Bytes (>= 1), or ``None`` for no limit.

    Returns
    -------
    int or None
        The limit before the call.

    Examples
    --------
    >>> import tconv
    >>> previous = tconv.set_max_output_bytes(8 * 1024**3)   # 8 GiB
    >>> tconv.get_max_output_bytes()
    8589934592
    >>> _ = tconv.set_max_output_bytes(previous)
    """
    global _limit
    limit = _parse_limit("limit", limit)
    previous = get_max_output_bytes()
    _limit = limit
    return previous


@_args.keywords
@contextlib.contextmanager
def max_output_bytes(limit: int | None):
    """Context manager: use ``limit`` (bytes, or ``None`` for none) inside the block.

    The limit is process-wide: other threads see it while the block runs.

    Examples
    --------
    >>> import tconv
    >>> with tconv.max_output_bytes(1000):
    ...     tconv.bed_of_nails([[[1.0, 2.0]]], 1000)
    Traceback (most recent call last):
    ...
    ValueError: bed_of_nails: scale_factor=1000 would make an output of shape (1, 1, 2000)
    (16000 bytes, 15.6 KiB), over the limit of 1000 bytes (1000 B); raise it with
    tconv.set_max_output_bytes(n), the context manager tconv.max_output_bytes(n) or the
    environment variable TCONV_MAX_OUTPUT_BYTES
    """
    previous = set_max_output_bytes(limit)
    try:
        yield
    finally:
        set_max_output_bytes(previous)


def _human(count: int) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def _product(values) -> int:
    # A plain loop: torch.compile traces it (a generator passed to math.prod it cannot).
    count = 1
    for value in values:
        count *= int(value)
    return count


def exceeds(shape, itemsize: int, *, input_bytes: int = 0) -> int:
    """The bytes of ``shape`` x ``itemsize`` when over the limit (and the input), else 0."""
    limit = get_max_output_bytes()
    if limit is None:
        return 0
    count = _product(shape) * int(itemsize)
    return 0 if count <= limit or count <= input_bytes else count


def check_bytes(op: str, name: str, value, shape, itemsize: int, *, input_bytes: int = 0,
                what: str = "an output") -> None:
    """Refuse an array of ``shape`` and ``itemsize`` over the limit.

    ``name=value`` is the parameter that made it large; ``input_bytes`` is
    the size of the data given (an array no larger is always allowed).
    """
    count = exceeds(shape, itemsize, input_bytes=input_bytes)
    if not count:
        return
    limit = get_max_output_bytes()
    message = (f"{op}: {name}={value!r} would make {what} of shape {tuple(shape)} "
               f"({count} bytes, {_human(count)}), over the limit of {limit} bytes "
               f"({_human(limit)}); raise it with tconv.set_max_output_bytes(n), the "
               f"context manager tconv.max_output_bytes(n) or the environment variable "
               f"{ENVIRONMENT_VARIABLE}")
    raise ValueError(message)


def nbytes(array) -> int:
    """Bytes of an array (shape times item size), for ``input_bytes``."""
    itemsize = getattr(array.dtype, "itemsize", None)
    if itemsize is None:  # torch dtypes
        itemsize = array.element_size() if hasattr(array, "element_size") else 8
    return _product(array.shape) * int(itemsize)


def itemsize(array) -> int:
    size = getattr(array.dtype, "itemsize", None)
    if size is None:
        size = array.element_size() if hasattr(array, "element_size") else 8
    return int(size)
