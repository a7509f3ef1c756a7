"""``"matrix"``: multiply by the convolution matrix ``C`` (conv) or ``C^T`` (transposed).

The sparse structure of ``C`` comes from :func:`tconv._algorithms.sparsity.matrix_structure`;
its values are gathered from the weight, so gradients reach the weight. NumPy
uses ``scipy.sparse``, PyTorch its own sparse tensors, and any other array-API
library a dense matrix (refused past ``DENSE_LIMIT`` entries).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from array_api_compat import device, is_numpy_namespace, is_torch_namespace

from .._xp import all_finite, pad_or_crop
from .sparsity import matrix_structure

DENSE_LIMIT = 2**26


def _multiply(x, weight, plan, xp):
    rows, cols, weight_index, shape = matrix_structure(plan)
    batch = x.shape[0]
    x_flat = xp.reshape(x, (batch, -1))
    w_flat = xp.reshape(weight, (-1,))
    transposed = plan.is_transposed
    if is_numpy_namespace(xp):
        import scipy.sparse

        # scipy.sparse has no float16: compute in float32, round back once.
        work = np.promote_types(x.dtype, np.float32)
        matrix = scipy.sparse.csr_array((w_flat[weight_index].astype(work), (rows, cols)),
                                        shape=shape)
        matrix = matrix.T if transposed else matrix
        return np.asarray((matrix @ x_flat.T.astype(work)).T, dtype=x.dtype)
    if is_torch_namespace(xp) and x.dtype in (xp.float32, xp.float64):
        import torch

        where = device(x)
        index = torch.tensor(np.stack([cols, rows] if transposed else [rows, cols]),
                                device=where)
        values = w_flat[torch.tensor(weight_index, device=where)]
        matrix = torch.sparse_coo_tensor(index, values, shape[::-1] if transposed else shape,
                                         check_invariants=False)
        return torch.sparse.mm(matrix, x_flat.T).T
    if shape[0] * shape[1] > DENSE_LIMIT:
        message = (f"algorithm='matrix': the dense {shape[0]}x{shape[1]} convolution matrix "
                   f"that {xp.__name__} arrays of dtype {x.dtype} need is over "
                   f"{DENSE_LIMIT} entries; use algorithm='auto' for inputs this large")
        raise ValueError(message)
    index = np.full(shape, w_flat.shape[0], dtype=np.int64)
    index[rows, cols] = weight_index
    w_padded = xp.concat([w_flat, xp.zeros((1,), dtype=w_flat.dtype, device=device(x))])
    dense = xp.reshape(xp.take(w_padded, xp.asarray(index.ravel(), device=device(x))), shape)
    return xp.matmul(x_flat, dense if transposed else xp.permute_dims(dense, (1, 0)))


def matrix_product(x, weight, plan, xp):
    if not plan.is_transposed and any(lo or hi for lo, hi in plan.pads) and not all_finite(
            xp, weight):
        # C has no entries for the padding, but PyTorch multiplies the padding
        # zeros by the weight (an inf tap makes NaN there): pad x explicitly.
        x = pad_or_crop(xp, x, plan.pads)
        plan = dataclasses.replace(plan, in_size=tuple(x.shape[2:]),
                                   pads=((0, 0),) * plan.rank)
    return xp.reshape(_multiply(x, weight, plan, xp),
                      (x.shape[0], plan.out_channels, *plan.out_size))
