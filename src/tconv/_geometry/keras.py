"""Keras 3's convolution conventions as integer rules (docs/rules/keras.md).

Names: ``strides``, ``padding`` (``"valid"``, ``"same"``, ``"causal"`` for
``Conv1D``), ``output_padding`` (``None`` by default), ``dilation_rate``,
``groups`` (``ConvND`` only), ``data_format``. Keras refuses ``strides > 1``
together with ``dilation_rate > 1`` and ``output_padding >= strides``.
Plain ints and tuples only.
"""

from __future__ import annotations

from .conv import effective_kernel, full_transpose_length, value_text

DEFAULTS = {"strides": 1, "padding": "valid", "output_padding": None,
            "data_format": "channels_last", "dilation_rate": 1, "groups": 1,
            "use_bias": True}


def _ints(values) -> tuple[int, ...]:
    return (values,) if isinstance(values, int) else tuple(values)


def strides_dilation_allowed(strides, dilation_rate) -> bool:
    """Whether Keras accepts the pair: not ``strides > 1`` with ``dilation_rate > 1``.

    Either may be one int or a tuple per axis; any axis above 1 counts.
    """
    return not (max(_ints(strides)) > 1 and max(_ints(dilation_rate)) > 1)


def check_strides_dilation(who: str, strides, dilation_rate) -> None:
    """Raise ``ValueError`` (prefixed ``who``) where Keras refuses the pair."""
    if not strides_dilation_allowed(strides, dilation_rate):
        message = (f"{who}: strides={strides} > 1 together with dilation_rate="
                   f"{dilation_rate} > 1 is not supported by Keras")
        raise ValueError(message)


def output_padding_allowed(output_padding, strides) -> bool:
    """Keras's rule: ``output_padding`` is ``None`` or below ``strides`` on every axis."""
    if output_padding is None:
        return True
    return all(p < s for p, s in zip(_ints(output_padding), _ints(strides)))


def check_output_padding(who: str, output_padding, strides) -> None:
    """Raise ``ValueError`` unless ``output_padding < strides`` on every axis."""
    if not output_padding_allowed(output_padding, strides):
        message = (f"{who}: output_padding={output_padding} must be smaller than "
                   f"strides={strides} on every axis")
        raise ValueError(message)


def causal_pads(k: int, dil: int) -> tuple[int, int]:
    """``padding="causal"`` (``Conv1D``): ``ke - 1`` before, none after."""
    return effective_kernel(k, dil) - 1, 0


def transpose_window(size: int, k: int, s: int, dil: int, padding: str,
                     output_padding: int | None) -> tuple[int, int]:
    """Keras 3's transposed convolution along one axis: ``(start, length)``.

    Keras keeps ``length`` samples of the full output from offset ``start``,
    zero-filled past its end. ``"valid"``: start 0, length ``F + op``, or
    ``(n-1)*s + max(ke, s)`` when op is None. ``"same"``: length ``n*s`` when
    op is None, else ``(n-1)*s + (ke mod 2) + op``; with ``pad_len = s + ke - 2``
    (op None) or ``ke + (ke mod 2) - 2 + op``, ``start = ke - 1 -
    min(ceil(pad_len / 2), ke - 1)``.
    """
    ke = effective_kernel(k, dil)
    full = full_transpose_length(size, k, s, dil)
    if padding == "valid":
        return 0, full + (max(s - ke, 0) if output_padding is None else output_padding)
    if output_padding is None:
        length, pad_len = size * s, s + ke - 2
    else:
        length = (size - 1) * s + ke % 2 + output_padding
        pad_len = ke + ke % 2 - 2 + output_padding
    return ke - 1 - min(-(-pad_len // 2), ke - 1), length


def transpose_pads(size: int, k: int, s: int, dil: int, padding: str,
                   output_padding: int | None) -> tuple[int, int, int]:
    """Keras's transposed window as core ``(before, after, output_padding)``.

    Keras keeps ``length`` samples of the full output ``F`` from offset
    ``start``, zeros past ``F`` (:func:`transpose_window`). The core gives
    ``full[j + before]``, then ``output_padding`` samples at the end (zeros
    past ``F``).
    """
    full = full_transpose_length(size, k, s, dil)
    start, length = transpose_window(size, k, s, dil, padding, output_padding)
    after = max(full - start - length, 0)
    return start, after, length - (full - start - after)


def transpose_length(size: int, k: int, s: int, dil: int, padding: str,
                     output_padding: int | None) -> int:
    """Output length of Keras's ``ConvNDTranspose`` along one axis."""
    return transpose_window(size, k, s, dil, padding, output_padding)[1]


def transpose_formula(size: int, k: int, s: int, dil: int, padding: str,
                      output_padding: int | None) -> str:
    """Keras's transposed length rule with the numbers in, ``"... = out"``."""
    out = transpose_length(size, k, s, dil, padding, output_padding)
    ke = f"{dil}*({k}-1) + 1"
    if padding == "same" and output_padding is None:
        return f"{size}*{s} = {out}"
    if padding == "same":
        return f"({size}-1)*{s} + ({ke}) mod 2 + {output_padding} = {out}"
    if output_padding is None:
        return f"({size}-1)*{s} + max({ke}, {s}) = {out}"
    return f"({size}-1)*{s} + {ke} + {output_padding} = {out}"


def call_text(rank: int, transposed: bool, params: dict, *, kernel_keyword: bool = False,
              keep=()) -> str:
    """``keras.layers.ConvND[Transpose](filters, kernel_size, ...)``, defaults left out.

    ``params`` holds Keras's names; values are written as Python reads them
    (strings in double quotes). ``kernel_keyword`` writes
    ``kernel_size=...``; names in ``keep`` are written even at their default.
    """
    kind = "DTranspose" if transposed else "D"
    kernel = params["kernel_size"]
    parts = [str(params.get("filters", "filters")),
             f"kernel_size={kernel}" if kernel_keyword else str(kernel)]
    for name, default in DEFAULTS.items():
        if name in params and (name in keep or params[name] != default):
            parts.append(f"{name}={value_text(params[name])}")
    return f"keras.layers.Conv{rank}{kind}({', '.join(parts)})"
