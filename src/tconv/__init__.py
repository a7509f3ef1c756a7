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
from ._interpolate import interpolate
from ._matrix import conv_matrix
from ._pool import max_pool, max_unpool
from ._solve import solve
from ._upsample import bed_of_nails, pixel_shuffle, pixel_unshuffle, upsampling_kernel

__version__ = "0.1.0"

__all__ = [
    "CONV_ALGORITHMS",
    "CONV_TRANSPOSE_ALGORITHMS",
    "CheckerboardResult",
    "bed_of_nails",
    "checkerboard",
    "conv",
    "conv_matrix",
    "conv_output_shape",
    "conv_transpose",
    "conv_transpose_output_shape",
    "interpolate",
    "max_pool",
    "max_unpool",
    "pixel_shuffle",
    "pixel_unshuffle",
    "solve",
    "upsampling_kernel",
]
