"""Every integer rule of tconv: plans, lengths, pads, formula text.

Plain Python ints and tuples, standard library only: no arrays. ``conv``
holds the convolution and transposed-convolution plans (and the rules every
convention shares), ``pool`` pooling's lengths and pads, and one module per
framework convention (``torch``, ``keras``, ``onnx``, ``jax``) its names,
defaults, validity rules, pads to and from the core and constructor-call
text (docs/rules/).
"""

from .conv import (
    AxisPhase,
    ConvPlan,
    Pads,
    conv_formula,
    conv_length,
    conv_transpose_formula,
    conv_transpose_length,
    effective_kernel,
    full_transpose_length,
    output_padding_limit,
    phases,
    resolve_conv,
    resolve_conv_transpose,
    resolve_padding,
    same_pads_conv,
    same_pads_conv_transpose,
    stacked_border,
    subpixel_kernel_length,
    subpixel_pads,
    zero_inserted_size,
    zero_insertion_pads,
    zero_insertion_size,
)
from .keras import transpose_window as keras_transpose_window

__all__ = [
    "AxisPhase", "ConvPlan", "Pads", "conv_formula", "conv_length", "conv_transpose_formula",
    "conv_transpose_length", "effective_kernel", "full_transpose_length", "keras_transpose_window",
    "output_padding_limit", "phases", "resolve_conv", "resolve_conv_transpose", "resolve_padding",
    "same_pads_conv", "same_pads_conv_transpose", "stacked_border", "subpixel_kernel_length",
    "subpixel_pads", "zero_inserted_size", "zero_insertion_pads", "zero_insertion_size",
]
