"""PyTorch's convolution conventions as integer rules (docs/rules/pytorch.md).

Names: ``stride``, ``padding`` (an int, ints per axis, ``"valid"`` or
``"same"``; (before, after) pairs are tconv's extension), ``output_padding``
(``0 <= output_padding < max(stride, dilation)``), ``dilation``, ``groups``,
``bias``. tconv's own ops follow these rules, so the plans in
:mod:`tconv._geometry.conv` are PyTorch's; this module holds the names,
defaults and the constructor-call text. Plain ints and tuples only.
"""

from __future__ import annotations

from .conv import output_padding_limit, value_text

__all__ = ["DEFAULTS", "call_text", "output_padding_limit"]

DEFAULTS = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1,
            "bias": True}


def call_text(rank: int, transposed: bool, params: dict, *, module: str = "torch.nn",
              keep=()) -> str:
    """``torch.nn.ConvNd(C_in, C_out, kernel_size=..., ...)``, defaults left out.

    ``params`` holds PyTorch's names (``kernel_size`` required; channels
    default to ``C_in``/``C_out``); names in ``keep`` are written even at
    their default. Strings are written in double quotes.
    """
    kind = "ConvTranspose" if transposed else "Conv"
    parts = [str(params.get("in_channels", "C_in")), str(params.get("out_channels", "C_out")),
             f"kernel_size={params['kernel_size']}"]
    for name, default in DEFAULTS.items():
        if name in params and (name in keep or params[name] != default):
            parts.append(f"{name}={value_text(params[name])}")
    return f"{module}.{kind}{rank}d({', '.join(parts)})"
