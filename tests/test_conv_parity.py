"""``tconv.conv`` and ``tconv.conv_transpose`` equal PyTorch for every parameter.

Every algorithm is compared with ``torch.nn.functional.conv{d}d`` /
``conv_transpose{d}d`` over geometries drawn valid by construction
(``_cases``): ranks 1-3, groups (depthwise and ``C_out/groups > 1``), kernel,
stride, dilation, padding, output_padding up to ``max(stride, dilation) - 1``,
batched and unbatched, with and without bias. float64 is compared tightly;
float32 with an absolute tolerance scaled by ``op(|x|, |w|)`` (the bound on the
summation error). References are computed in float64 from contiguous tensors
(docs/rules/pytorch.md).

What PyTorch lacks is checked through its definition in docs/rules/:
``(before, after)`` pads (1.1: pad the input; 1.2: crop the full output),
TensorFlow ``"same"``/``"valid"`` (2.1, 2.2), and output sizes only the
functional op reaches (1.3).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import case, cases, compact, scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")

DTYPES = st.sampled_from([np.float64, np.float32])


def on_tensors(op, x, weight, bias, **options):
    """``op`` with ``algorithm="auto"`` on PyTorch tensors (delegated to PyTorch's
    kernel, its extra semantics mapped around the call), read back as NumPy."""
    as_tensor = torch.from_numpy  # keeps the dtype
    y = op(as_tensor(x), as_tensor(weight), None if bias is None else as_tensor(bias),
           algorithm="auto", **options)
    assert isinstance(y, torch.Tensor)
    return y.numpy()


def run_all(op, algorithms, x, weight, bias, **options):
    """``{algorithm: result}`` for every algorithm of ``op``, and ``"auto"`` on tensors."""
    results = {name: op(x, weight, bias, algorithm=name, **options) for name in algorithms}
    results["auto on torch tensors"] = on_tensors(op, x, weight, bias, **options)
    return results


def check_results(results, expected, scale, dtype, what):
    for name, got in results.items():
        assert isinstance(got, np.ndarray), f"{what} [{name}]: got {type(got)}"
        assert got.dtype == np.dtype(dtype), f"{what} [{name}]: dtype {got.dtype} != {dtype}"
        assert_close(got, expected, dtype=dtype, scale=scale, what=f"{what} [{name}]")


def check_against_torch(c, dtype):
    """Run ``c`` through every algorithm and compare with the torch reference."""
    x, weight, bias = c.arrays(dtype)
    expected, scale = ref.expected_and_scale(c, x, weight, bias)
    assert expected.shape == c.y_shape  # the reference agrees with docs/rules/pytorch.md
    if c.transposed:
        results = run_all(tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, x, weight,
                          bias, **c.kwargs())
    else:
        results = run_all(tconv.conv, tconv.CONV_ALGORITHMS, x, weight, bias, **c.kwargs())
    check_results(results, expected, scale, dtype, repr(c))


# --------------------------------------------------------------------------- transposed

@given(cases(transposed=True), DTYPES)
# stride > kernel: holes between the kernel copies (bed of nails for k=1).
@example(case(True, 4, 2, stride=3, has_bias=True), np.float64)
@example(case(True, (3, 2), 1, stride=(3, 2), batch=None), np.float64)
# dilation > stride.
@example(case(True, (4, 4), 3, stride=1, dilation=3, padding=2), np.float64)
@example(case(True, (3, 4, 2), (2, 3, 2), stride=(1, 2, 1), dilation=(3, 3, 2)), np.float64)
# output_padding >= stride but < dilation: only the functional op accepts it
# (docs/rules/pytorch.md).
@example(case(True, 4, 3, stride=1, dilation=2, output_padding=1), np.float64)
@example(case(True, (3, 3), 2, stride=2, dilation=3, output_padding=2, padding=1,
              has_bias=True), np.float64)
@example(case(True, (2, 3, 2), 2, stride=(1, 2, 1), dilation=(2, 3, 3),
              output_padding=(1, 2, 2)), np.float32)
# output_padding past the end of the full output: zeros (+ bias) only.
@example(case(True, 1, 1, stride=3, padding=1, output_padding=2, has_bias=True), np.float64)
# padding beyond the kernel span just crops more: n=5, k=3, p=3 -> one sample.
@example(case(True, 5, 3, padding=3), np.float64)
# groups == channels (depthwise), with C_out/groups > 1.
@example(case(True, (5, 5), 3, stride=2, padding=1, output_padding=1, groups=3,
              in_channels=3, out_channels=6, batch=2, has_bias=True), np.float64)
@example(case(True, 6, 4, stride=2, padding=1, groups=4, in_channels=4, out_channels=4),
         np.float32)
# size-1 axes, k=1, unbatched.
@example(case(True, (1, 1, 1), (1, 2, 3), stride=2, batch=None), np.float64)
@example(case(True, (3, 3), 1, in_channels=2, out_channels=3, has_bias=True), np.float64)
@example(case(True, (3, 3, 3), 3, stride=2, padding=1, output_padding=1, groups=2,
              in_channels=4, out_channels=4, batch=2, has_bias=True), np.float32)
def test_conv_transpose_matches_torch(c, dtype):
    check_against_torch(c, dtype)


@scaled(0.5)
@given(cases(transposed=True, symmetric=False), DTYPES)
@example(case(True, 4, 3, stride=2, padding=((0, 2),), output_padding=1), np.float64)
@example(case(True, (3, 3), 2, stride=2, padding=((2, 0), (1, 3)), output_padding=1,
              has_bias=True), np.float64)
# start padding past the end of the full output: all zeros.
@example(case(True, 1, 2, stride=3, padding=((3, 0),), output_padding=2), np.float64)
# end padding smaller than output_padding: zeros appended after the full output.
@example(case(True, 2, 2, stride=3, padding=((1, 0),), output_padding=2, has_bias=True),
         np.float64)
def test_conv_transpose_asymmetric_padding_matches_torch_crop(c, dtype):
    """``(before, after)`` pads: torch's full output cropped per docs/rules/pytorch.md."""
    check_against_torch(c, dtype)


@scaled(0.1)
@given(cases(transposed=True))
def test_crop_reference_equals_torch_symmetric_padding(c):
    """The crop construction used for asymmetric pads reproduces torch's own
    padding/output_padding wherever torch has them (a check on the reference)."""
    x, weight, bias = c.arrays()
    options = {"stride": c.stride, "pads": c.pads, "output_padding": c.output_padding,
               "dilation": c.dilation, "groups": c.groups}
    xt = ref.tensor(x if c.batch is not None else x[None])
    bt = None if bias is None else ref.tensor(bias)
    with torch.no_grad():
        direct = ref.conv_transpose(xt, ref.tensor(weight), bt, **options)
        cropped = ref.conv_transpose_cropped(xt, ref.tensor(weight), bt, **options)
    assert_close(ref.numpy(cropped), ref.numpy(direct), what="crop vs torch padding")


# --------------------------------------------------------------------------- convolution

@given(cases(transposed=False), DTYPES)
@example(case(False, 7, 2, stride=3, has_bias=True), np.float64)  # stride > kernel
@example(case(False, (7, 8), 3, stride=1, dilation=3), np.float64)  # dilation > stride
@example(case(False, (5, 5), 3, stride=2, padding=1, groups=3, in_channels=3,
              out_channels=6, batch=2, has_bias=True), np.float32)  # depthwise
@example(case(False, (1, 1, 1), 1, padding=0, batch=None), np.float64)  # size 1, k=1
@example(case(False, (1, 2, 1), 3, padding=1, stride=3), np.float64)
@example(case(False, 3, 2, padding=4, dilation=3), np.float64)  # padding > kernel span
@example(case(False, (4, 5, 3), (2, 3, 1), stride=(2, 1, 3), dilation=(2, 1, 1), groups=2,
              in_channels=4, out_channels=2), np.float32)
def test_conv_matches_torch(c, dtype):
    check_against_torch(c, dtype)


@scaled(0.5)
@given(cases(transposed=False, symmetric=False), DTYPES)
@example(case(False, 5, 3, stride=2, padding=((1, 0),)), np.float64)
@example(case(False, (4, 4), 3, stride=(2, 3), padding=((0, 2), (3, 1)), has_bias=True),
         np.float64)
def test_conv_asymmetric_padding_matches_torch_pad(c, dtype):
    """``(before, after)`` pads: ``F.pad`` then an unpadded torch convolution."""
    check_against_torch(c, dtype)


# --------------------------------------------------------------------------- "same", "valid"

@scaled(0.25)
@given(cases(transposed=False), st.sampled_from(["same", "valid"]), DTYPES)
@example(case(False, 6, 4, stride=2), "same", np.float64)  # even kernel: 1 before, 1 after
@example(case(False, 6, 3, stride=2), "same", np.float64)  # odd unit at the end
@example(case(False, 5, 3, stride=1, dilation=2), "same", np.float64)
@example(case(False, (2, 7), (4, 1), stride=(3, 2)), "same", np.float64)  # stride > kernel
def test_conv_string_padding_matches_torch_explicit_pad(c, mode, dtype):
    """TF/Keras ``"same"`` (any stride: ``ceil(n/s)``, odd unit at the end) and ``"valid"``."""
    if mode == "same":
        pads = ref.same_conv_pads(c.in_size, c.kernel_size, c.stride, c.dilation)
    else:
        pads = ((0, 0),) * c.rank
        # "valid" needs the input to hold the kernel: grow it where the drawn one does not.
        c = c.replace(in_size=tuple(max(n, ke) for n, ke in zip(c.in_size, c.effective_kernel)))
    c = c.replace(pads=pads)
    x, weight, bias = c.arrays(dtype)
    expected, scale = ref.expected_and_scale(c, x, weight, bias)
    if mode == "same":
        assert expected.shape[-c.rank:] == tuple(-(-n // s) for n, s in zip(c.in_size, c.stride))
    options = {"stride": compact(c.stride), "dilation": compact(c.dilation), "groups": c.groups}
    results = run_all(tconv.conv, tconv.CONV_ALGORITHMS, x, weight, bias, padding=mode,
                      **options)
    check_results(results, expected, scale, dtype, f"{mode} {c!r}")


def _same_transpose_case(c):
    """Transposed ``"same"`` has no output_padding and no explicit pads."""
    return c.replace(pads=((0, 0),) * c.rank, output_padding=(0,) * c.rank)


@scaled(0.25)
@given(cases(transposed=True), DTYPES)
@example(case(True, 3, 3, stride=2), np.float64)   # c = 0: [1, 10, 102, 20, 203, 30]
@example(case(True, 3, 4, stride=2), np.float64)   # c = 1
@example(case(True, 3, 2, stride=3), np.float64)   # ke < s: zeros appended
@example(case(True, (3, 2), (1, 4), stride=(3, 1), dilation=(1, 2)), np.float64)
def test_conv_transpose_same_matches_torch_window(c, dtype):
    """Transposed ``"same"``: ``n*s`` samples of torch's full output from
    ``c = max((ke - s)//2, 0)``, zero-filled past its end (docs/rules/keras.md)."""
    c = _same_transpose_case(c)
    x, weight, bias = c.arrays(dtype)
    batched = x if c.batch is not None else x[None]

    def reference(xa, wa, ba):
        with torch.no_grad():
            y = ref.same_conv_transpose(ref.tensor(xa), ref.tensor(wa),
                                        None if ba is None else ref.tensor(ba),
                                        stride=c.stride, dilation=c.dilation, groups=c.groups)
        y = ref.numpy(y)
        return y if c.batch is not None else y[0]

    expected = reference(batched, weight, bias)
    scale = reference(np.abs(batched), np.abs(weight), None if bias is None else np.abs(bias))
    assert expected.shape[-c.rank:] == tuple(n * s for n, s in zip(c.in_size, c.stride))
    options = {"stride": compact(c.stride), "dilation": compact(c.dilation), "groups": c.groups}
    results = run_all(tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, x, weight, bias,
                      padding="same", **options)
    check_results(results, expected, scale, dtype, f"same {c!r}")


@scaled(0.1)
@given(cases(transposed=True), DTYPES)
@example(case(True, 3, 2, stride=3, output_padding=2), np.float64)
def test_conv_transpose_valid_is_no_padding(c, dtype):
    """``padding="valid"`` is padding 0; output_padding still applies."""
    c = c.replace(pads=((0, 0),) * c.rank)
    x, weight, bias = c.arrays(dtype)
    expected, scale = ref.expected_and_scale(c, x, weight, bias)
    options = {**c.kwargs(), "padding": "valid"}
    results = run_all(tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, x, weight, bias,
                      **options)
    check_results(results, expected, scale, dtype, f"valid {c!r}")


@scaled(0.25)
@given(cases(transposed=True, bias=False))
@example(case(True, 3, 4, stride=2))
@example(case(True, (2, 3), (2, 5), stride=(3, 2), dilation=(1, 2)))
def test_conv_transpose_same_is_adjoint_of_conv_same(c):
    """``<conv(u, same), y> == <u, conv_transpose(y, same)>`` for ``u`` of size ``n*s``."""
    c = _same_transpose_case(c)
    y, weight, _ = c.arrays()
    big = tuple(n * s for n, s in zip(c.in_size, c.stride))
    lead = y.shape[:-c.rank - 1]
    u = np.random.default_rng(c.seed + 1).standard_normal((*lead, c.out_channels, *big))
    options = {"stride": compact(c.stride), "dilation": compact(c.dilation),
               "groups": c.groups, "padding": "same"}
    forward = tconv.conv(u, weight, **options)
    assert forward.shape == y.shape
    bound = np.sum(tconv.conv(np.abs(u), np.abs(weight), **options) * np.abs(y))
    left = np.sum(forward * y)
    for name, back in run_all(tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, y, weight,
                              None, **options).items():
        assert back.shape == u.shape, name
        assert_close(np.sum(u * back), left, scale=bound, what=f"adjoint [{name}] {c!r}")


# --------------------------------------------------------------------------- output_size

@scaled(0.25)
@given(cases(transposed=True), st.booleans())
@example(case(True, 4, 3, stride=2, padding=1, output_padding=1), False)  # 7..8: ask 8
@example(case(True, 4, 3, stride=1, dilation=2, output_padding=1), True)  # module refuses 9
@example(case(True, (3, 3), 2, stride=(2, 1), dilation=(3, 3), output_padding=(2, 2),
              padding=1, batch=None, has_bias=True), True)
def test_conv_transpose_output_size_matches_torch(c, full_shape):
    """``output_size`` gives the module's result where ``nn.ConvTranspose{d}d`` takes
    the size, and the functional op's with the implied output_padding beyond."""
    x, weight, bias = c.arrays()
    wanted = c.out_size  # base + the drawn output_padding
    output_size = c.y_shape if full_shape else wanted
    options = {"stride": compact(c.stride), "padding": c.padding,
               "dilation": compact(c.dilation), "groups": c.groups}
    batched = x if c.batch is not None else x[None]
    # The functional op with the implied output_padding (the only torch route past
    # the module's range), replaced by the module's own result where it takes the size.
    expected, scale = ref.expected_and_scale(c, x, weight, bias)
    module_takes_it = all(op < s for op, s in zip(c.output_padding, c.stride))
    if module_takes_it:
        module = ref.CONV_TRANSPOSE_MODULE[c.rank](
            c.in_channels, c.out_channels, c.kernel_size, stride=c.stride,
            padding=c.symmetric_padding, dilation=c.dilation, groups=c.groups,
            bias=c.has_bias, dtype=torch.float64)
        with torch.no_grad():
            module.weight.copy_(ref.tensor(weight))
            if c.has_bias:
                module.bias.copy_(ref.tensor(bias))
            xt = ref.tensor(batched)
            module_size = [xt.shape[0], c.out_channels, *wanted] if full_shape else wanted
            from_module = ref.numpy(module(xt, output_size=list(module_size)))
        expected = from_module if c.batch is not None else from_module[0]
    results = run_all(tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, x, weight, bias,
                      output_size=output_size, **options)
    for name, got in results.items():
        assert_close(got, expected, scale=scale, what=f"output_size={output_size} [{name}]")


# --------------------------------------------------------------------------- worked examples

# docs/rules/pytorch.md: x = [1, 2, 3], w = [1, 10, 100], stride 2 (digits show the taps).
@pytest.mark.parametrize("padding, output_padding, values", [
    (0, 0, [1, 10, 102, 20, 203, 30, 300]),
    (0, 1, [1, 10, 102, 20, 203, 30, 300, 0]),
    (1, 0, [10, 102, 20, 203, 30]),
    (1, 1, [10, 102, 20, 203, 30, 300]),
    (((2, 1),), 1, [102, 20, 203, 30, 300]),
    (((0, 3),), 1, [1, 10, 102, 20, 203]),
])
@pytest.mark.parametrize("algorithm", tconv.CONV_TRANSPOSE_ALGORITHMS)
def test_conv_transpose_worked_example(padding, output_padding, values, algorithm):
    got = tconv.conv_transpose([[1, 2, 3]], [[[1, 10, 100]]], stride=2, padding=padding,
                               output_padding=output_padding, algorithm=algorithm)
    assert got.tolist() == [values]


@pytest.mark.parametrize("algorithm", tconv.CONV_TRANSPOSE_ALGORITHMS)
def test_conv_transpose_padding_beyond_kernel_span(algorithm):
    """docs/rules/pytorch.md: ``n=5, k=3, p=3`` -> ``[234]`` (full ``[1,12,...,500]``)."""
    got = tconv.conv_transpose([[1, 2, 3, 4, 5]], [[[1, 10, 100]]], padding=3,
                               algorithm=algorithm)
    assert got.tolist() == [[234]]


# --------------------------------------------------------------------------- delegation

def _gradients(op, algorithm, arrays, upstream, options):
    leaves = [ref.tensor(a, requires_grad=True) for a in arrays if a is not None]
    bias = leaves[2] if len(leaves) == 3 else None
    y = op(leaves[0], leaves[1], bias, algorithm=algorithm, **options)
    return [ref.numpy(g) for g in torch.autograd.grad(y, leaves, torch.from_numpy(upstream))]


@scaled(0.1)
@given(st.booleans().flatmap(lambda transposed: cases(transposed, symmetric=False)))
@example(case(True, 2, 2, stride=3, padding=((1, 0),), output_padding=2, has_bias=True))
@example(case(True, (3, 3), 2, stride=2, padding=((2, 0), (1, 3)), output_padding=1,
              has_bias=True))
@example(case(False, (4, 4), 3, stride=(2, 3), padding=((0, 2), (3, 1)), has_bias=True))
def test_delegated_gradients_match_tconv_algorithm(c):
    """On tensors ``"auto"`` runs PyTorch's kernel with pads/crops around it; its gradients
    of x, weight and bias equal those through tconv's own ``"matrix"`` algorithm."""
    op = tconv.conv_transpose if c.transposed else tconv.conv
    arrays = c.arrays()
    upstream = np.random.default_rng(c.seed).standard_normal(c.y_shape)
    got = _gradients(op, "auto", arrays, upstream, c.kwargs())
    want = _gradients(op, "matrix", arrays, upstream, c.kwargs())
    # The same gradients on absolute values bound the summation error.
    scales = _gradients(op, "matrix", [None if a is None else np.abs(a) for a in arrays],
                        np.abs(upstream), c.kwargs())
    for which, g, w, scale in zip("xwb", got, want, scales):
        assert_close(g, w, scale=scale, what=f"d/d{which} {c!r}")
