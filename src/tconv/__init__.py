"""tconv: exact transposed convolution and up-sampling, explained.

The ops are identical to PyTorch's, work on NumPy arrays and PyTorch tensors
(with autograd) alike, and come with the tools to see what they do.
"""

from ._checkerboard import CheckerboardResult, checkerboard
from ._conv import (
    CONV_ALGORITHMS,
    CONV_TRANSPOSE_ALGORITHMS,
    conv,
    conv_output_shape,
    conv_transpose,
    conv_transpose_output_shape,
)
from ._explain import Explanation, explain
from ._interpolate import interpolate
from ._limits import get_max_output_bytes, max_output_bytes, set_max_output_bytes
from ._matrix import conv_matrix
from ._pool import max_pool, max_unpool
from ._resize_translate import resize_from_onnx, resize_to_onnx
from ._solve import solve
from ._subpixel import subpixel_from_transposed, transposed_from_subpixel
from ._translate import Translation, convert_weight, translate
from ._upsample import bed_of_nails, pixel_shuffle, pixel_unshuffle, upsampling_kernel

__version__ = "0.1.0"

__all__ = [
    "CONV_ALGORITHMS",
    "CONV_TRANSPOSE_ALGORITHMS",
    "CheckerboardResult",
    "Explanation",
    "Translation",
    "bed_of_nails",
    "checkerboard",
    "conv",
    "conv_matrix",
    "conv_output_shape",
    "conv_transpose",
    "conv_transpose_output_shape",
    "convert_weight",
    "explain",
    "get_max_output_bytes",
    "interpolate",
    "max_output_bytes",
    "max_pool",
    "max_unpool",
    "pixel_shuffle",
    "pixel_unshuffle",
    "resize_from_onnx",
    "resize_to_onnx",
    "set_max_output_bytes",
    "solve",
    "subpixel_from_transposed",
    "translate",
    "transposed_from_subpixel",
    "upsampling_kernel",
]
