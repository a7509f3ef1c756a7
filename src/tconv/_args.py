"""Argument normalisers with uniform error messages.

Each helper checks one kind of argument and raises ``TypeError`` (wrong kind:
a float, bool or string where an int belongs) or ``ValueError`` (right kind,
bad value) with the op name, the parameter as the caller spelled it, the value
given and what would be valid. Nothing here touches arrays.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers
from collections.abc import Sequence

PADDING_STRINGS = ("valid", "same")


def is_int(value) -> bool:
    """True for Python and NumPy integers, False for bools and everything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# Sizes, strides, paddings and the like above this are refused: every array
# axis and index must fit an int64 with room for sums and products of a few.
MAX_INT = 2**40


def too_large(op: str, name: str, value) -> None:
    """Refuse any int in ``value`` (an int or a flat/nested tuple) of MAX_INT or more."""
    items = value if isinstance(value, tuple) else (value,)
    for item in items:
        if isinstance(item, tuple):
            too_large(op, name, item)
        elif is_int(item) and abs(int(item)) >= MAX_INT:
            message = (f"{op}: {name}={value!r} is too large: every value must be below "
                       f"2**40 = {MAX_INT} (no array axis or offset that large can be "
                       "allocated)")
            raise ValueError(message)


def sequence(value) -> tuple | None:
    """``value`` as a tuple when it is a list, tuple, range or 1-D array.

    Strings, sets, dicts and other iterables are not sequences here: a set
    or dict has no order the caller chose, so reading it would be a guess.
    """
    if isinstance(value, (str, bytes, set, frozenset, dict)):
        return None
    if getattr(value, "ndim", 1) == 0:
        return None
    if not isinstance(value, (list, tuple, range)) and not hasattr(value, "ndim"):
        return None
    try:
        return tuple(value)
    except TypeError:
        return None


def _ints(op: str, name: str, value, rank: int, what: str) -> tuple[int, ...]:
    if is_int(value):
        too_large(op, name, value)
        return (int(value),) * rank
    values = sequence(value)
    if values is None:
        message = (f"{op}: {name}={value!r} must be an int or a sequence of {rank} "
                   f"{what} ints")
        raise TypeError(message)
    if len(values) != rank:
        message = (f"{op}: {name}={value!r} has {len(values)} values; give one int or "
                   f"{rank} ints (one per spatial axis, rank {rank})")
        raise ValueError(message)
    if not all(is_int(v) for v in values):
        message = f"{op}: {name}={value!r} must hold ints only, one per spatial axis"
        raise TypeError(message)
    values = tuple(int(v) for v in values)
    too_large(op, name, values)
    return values


def positive_ints(op: str, name: str, value, rank: int) -> tuple[int, ...]:
    """``value`` as ``rank`` ints, each >= 1."""
    values = _ints(op, name, value, rank, "positive")
    if min(values) < 1:
        message = f"{op}: {name}={value!r} must be positive (>= 1) on every axis"
        raise ValueError(message)
    return values


def nonnegative_ints(op: str, name: str, value, rank: int) -> tuple[int, ...]:
    """``value`` as ``rank`` ints, each >= 0."""
    values = _ints(op, name, value, rank, "non-negative")
    if min(values) < 0:
        message = f"{op}: {name}={value!r} must be non-negative (>= 0) on every axis"
        raise ValueError(message)
    return values


def positive_int(op: str, name: str, value) -> int:
    """One int >= 1 (``groups``)."""
    if not is_int(value):
        message = f"{op}: {name}={value!r} must be a positive int"
        raise TypeError(message)
    if value < 1:
        message = f"{op}: {name}={value!r} must be a positive int (>= 1)"
        raise ValueError(message)
    too_large(op, name, value)
    return int(value)


def nonempty(op: str, name: str, shape) -> None:
    """Refuse an array with a zero-length axis (an empty result is never returned)."""
    if 0 in tuple(shape):
        message = (f"{op}: {name} has shape {tuple(shape)} with an empty axis; every axis "
                   "must have length >= 1")
        raise ValueError(message)


def spatial_rank(op: str, rank) -> int:
    """``rank`` as a spatial rank: an int 1, 2 or 3."""
    if not is_int(rank):
        message = f"{op}: rank={rank!r} must be an int: 1, 2 or 3"
        raise TypeError(message)
    if rank not in (1, 2, 3):
        message = f"{op}: rank={rank!r} is not a spatial rank; use 1, 2 or 3"
        raise ValueError(message)
    return int(rank)


def is_zero(value) -> bool:
    """True for ``0`` or a sequence of zeros (an unset output_padding)."""
    if is_int(value):
        return value == 0
    try:
        return all(is_int(v) and v == 0 for v in value)
    except TypeError:
        return False


def padding_form(op: str, padding, rank: int):
    """Read ``padding`` by its structure.

    Returns ``"valid"``, ``"same"`` or a tuple of ``rank`` ``(before, after)``
    pairs. Accepted: an int, ``rank`` ints, ``rank`` pairs, or a string. A flat
    pair of ints is ``rank`` ints, never ``(before, after)``: one axis with
    different sides is written ``((before, after),)``.
    """
    valid_forms = (f"an int, {rank} ints, {rank} (before, after) pairs, "
                   "'valid' or 'same'")
    if isinstance(padding, str):
        if padding not in PADDING_STRINGS:
            message = f"{op}: padding={padding!r} is not a padding mode; use {valid_forms}"
            raise ValueError(message)
        return padding
    if is_int(padding):
        if padding < 0:
            message = f"{op}: padding={padding!r} must be non-negative"
            raise ValueError(message)
        too_large(op, "padding", padding)
        return ((int(padding), int(padding)),) * rank
    items = sequence(padding)
    if items is None:
        message = f"{op}: padding={padding!r} has the wrong type; use {valid_forms}"
        raise TypeError(message)
    if len(items) != rank:
        message = (f"{op}: padding={padding!r} has {len(items)} entries; use {valid_forms} "
                   f"(spatial rank {rank})")
        raise ValueError(message)
    if all(is_int(v) for v in items):
        pairs = tuple((int(v), int(v)) for v in items)
    elif all(sequence(v) is not None for v in items):
        if any(len(v) != 2 for v in items):
            message = (f"{op}: padding={padding!r} has a malformed pair; each axis needs "
                       "exactly two ints (before, after)")
            raise ValueError(message)
        if not all(is_int(e) for v in items for e in v):
            message = f"{op}: padding={padding!r} must hold ints only in its (before, after) pairs"
            raise TypeError(message)
        pairs = tuple((int(a), int(b)) for a, b in items)
    else:
        message = (f"{op}: padding={padding!r} mixes ints and pairs or holds non-ints; "
                   f"use {valid_forms}")
        raise TypeError(message)
    if min(min(p) for p in pairs) < 0:
        message = f"{op}: padding={padding!r} must be non-negative on every side"
        raise ValueError(message)
    too_large(op, "padding", pairs)
    return pairs


def output_size(op: str, value, rank: int) -> tuple[int, ...]:
    """``output_size`` as ``rank`` spatial ints.

    As in PyTorch, the full shape (``rank + 2`` batched or ``rank + 1``
    unbatched values) is also accepted and its leading values are ignored.
    """
    if is_int(value):
        return positive_ints(op, "output_size", value, rank)
    values = sequence(value)
    if values is None:
        message = f"{op}: output_size={value!r} must be an int or a sequence of ints"
        raise TypeError(message)
    if not all(is_int(v) for v in values):  # nested lists are not flattened
        message = f"{op}: output_size={value!r} must be a flat sequence of ints"
        raise TypeError(message)
    if len(values) in (rank + 1, rank + 2):
        values = values[-rank:]
    if len(values) != rank:
        message = (f"{op}: output_size={value!r} has {len(values)} values; give {rank} "
                   f"spatial sizes (or the full shape with {rank + 1} or {rank + 2} values)")
        raise ValueError(message)
    return positive_ints(op, "output_size", values, rank)


def choice(op: str, name: str, value, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in allowed:
        message = f"{op}: {name}={value!r} is not known; valid: {', '.join(map(repr, allowed))}"
        raise ValueError(message)
    return value


def unknown_keyword(op: str, key: str, names: Sequence[str]) -> str:
    """The message for a keyword argument ``op`` does not take, with the nearest name."""
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (f"{op}() got an unexpected keyword argument {key!r}; {hint}"
            f"its parameters are {', '.join(names)}")


def keywords(func):
    """Decorator: a misspelt keyword is a TypeError naming the nearest parameter.

    Python's own error (``got an unexpected keyword argument 'strides'``)
    does not say what was meant; this one adds ``did you mean 'stride'?``
    and lists the parameters. Functions taking ``**kwargs`` are returned
    unchanged (they check their own keywords).
    """
    parameters = inspect.signature(func).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return func
    names = tuple(p.name for p in parameters if p.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY))
    known = frozenset(names)
    # The public name: tconv.conv for tconv._conv.conv, tconv.keras.conv as it is.
    module = func.__module__
    op = f"{'tconv' if module.rsplit('.', 1)[-1].startswith('_') else module}.{func.__name__}"

    @functools.wraps(func)
    def checked(*args, **kwargs):
        for key in kwargs:
            if key not in known:
                raise TypeError(unknown_keyword(op, key, names))
        return func(*args, **kwargs)

    return checked


def check_weight_rank(op: str, weight, *, transposed: bool) -> int:
    """The spatial rank of ``weight`` (1-3), else a ValueError showing the layout."""
    rank = weight.ndim - 2
    layout = "(C_in, C_out/groups, *kernel)" if transposed else "(C_out, C_in/groups, *kernel)"
    if rank not in (1, 2, 3):
        message = (f"{op}: weight has shape {tuple(weight.shape)}; it must be {layout} with "
                   "1, 2 or 3 kernel axes (3, 4 or 5 dims)")
        raise ValueError(message)
    return rank


def check_channels(op: str, c_in: int, weight, bias, groups: int, *,
                   transposed: bool) -> int:
    """Check input channels against ``weight``, ``groups`` and ``bias``; return C_out."""
    if transposed:
        c_out, expected = weight.shape[1] * groups, weight.shape[0]
    else:
        c_out, expected = weight.shape[0], weight.shape[1] * groups
        if c_out % groups:
            message = (f"{op}: groups={groups} does not divide the weight's output channels "
                       f"{c_out} (weight shape {tuple(weight.shape)})")
            raise ValueError(message)
    if c_in % groups:
        message = f"{op}: groups={groups} does not divide the input channels C_in={c_in}"
        raise ValueError(message)
    if c_in != expected:
        rule = "weight.shape[0]" if transposed else "weight.shape[1] * groups"
        message = (f"{op}: the input has {c_in} channels but weight {tuple(weight.shape)} "
                   f"with groups={groups} expects {rule} = {expected}")
        raise ValueError(message)
    if bias is not None and tuple(bias.shape) != (c_out,):
        message = (f"{op}: bias has shape {tuple(bias.shape)}; it must be ({c_out},), one "
                   "value per output channel")
        raise ValueError(message)
    return c_out
