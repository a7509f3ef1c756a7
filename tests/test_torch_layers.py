"""``tconv.torch`` layers against PyTorch's own modules.

Oracle: ``torch.nn.ConvTranspose{1,2,3}d``, ``Upsample``, ``PixelShuffle``,
``PixelUnshuffle`` and ``Conv2d`` (and ``_torch_ref`` for the padding forms
PyTorch lacks), with identical weights: values and the gradients of the
input, the weight and the bias, in float64.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tconv

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch
import tconv.torch as layers

pytestmark = pytest.mark.usefixtures("torch_one_thread")
F = torch.nn.functional
nn = torch.nn

OURS = {1: layers.ConvTranspose1d, 2: layers.ConvTranspose2d, 3: layers.ConvTranspose3d}
THEIRS = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def seeded(make, seed=0):
    torch.manual_seed(seed)
    return make()


def assert_same_outputs_and_grads(ours, theirs, x, *, call=None, atol=1e-12):
    """Forward values and d/dx, d/dweight, d/dbias (where present) agree."""
    call = call or (lambda module, inp: module(inp))
    x_ours = x.detach().clone().requires_grad_(True)
    x_theirs = x.detach().clone().requires_grad_(True)
    y_ours, y_theirs = call(ours, x_ours), call(theirs, x_theirs)
    assert y_ours.shape == y_theirs.shape
    torch.testing.assert_close(y_ours, y_theirs, atol=atol, rtol=1e-10)
    upstream = torch.randn_like(y_theirs)
    params_ours = [p for p in ours.parameters()]
    params_theirs = [p for p in theirs.parameters()]
    got = torch.autograd.grad(y_ours, [x_ours, *params_ours], upstream)
    expected = torch.autograd.grad(y_theirs, [x_theirs, *params_theirs], upstream)
    assert len(got) == len(expected)
    for name, g, e in zip(["x", *(n for n, _ in ours.named_parameters())], got, expected):
        torch.testing.assert_close(g, e, atol=atol, rtol=1e-10, msg=lambda m, n=name: f"{n}: {m}")


# --------------------------------------------------------------------------- ConvTranspose

CONFIGS = [
    {},
    {"stride": 2, "padding": 1, "output_padding": 1},
    {"stride": 3, "padding": 2, "dilation": 2, "output_padding": 2},
    {"stride": 2, "groups": 2, "bias": False},
    {"stride": (1, 2, 3), "padding": (0, 1, 2), "output_padding": (0, 1, 0),
     "kernel_size": (2, 3, 4)},
]


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_conv_transpose_matches_torch(rank, config):
    config = {k: (v[:rank] if isinstance(v, tuple) else v) for k, v in config.items()}
    kernel_size = config.pop("kernel_size", 3)
    args = (4, 6, kernel_size)
    ours = seeded(lambda: OURS[rank](*args, **config))
    theirs = seeded(lambda: THEIRS[rank](*args, **config))
    # One seed, one default initialisation: the very same parameters.
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.shape == q.shape and torch.equal(p, q)
    assert repr(ours) == repr(theirs)
    ours, theirs = ours.double(), theirs.double()
    x = torch.randn(2, 4, *(4, 5, 3)[:rank], dtype=torch.float64)
    assert_same_outputs_and_grads(ours, theirs, x)
    assert_same_outputs_and_grads(ours, theirs, x[0])  # unbatched


@settings(max_examples=25, deadline=None)
@given(rank=st.integers(1, 3), stride=st.integers(1, 3), kernel=st.integers(1, 4),
       padding=st.integers(0, 2), groups=st.sampled_from([1, 2]), bias=st.booleans(),
       size=st.integers(2, 4), extra=st.integers(0, 2), seed=st.integers(0, 2**16))
def test_output_size_at_call_time_matches_torch(rank, stride, kernel, padding, groups, bias,
                                                size, extra, seed):
    base = (size - 1) * stride + kernel - 2 * padding
    wanted = base + extra % stride
    if wanted < 1:
        wanted = base + stride - 1
    if wanted < 1:
        return  # no output for this geometry at all (torch refuses it as well)
    ours = seeded(lambda: OURS[rank](2, 4, kernel, stride, padding, groups=groups,
                                     bias=bias), seed).double()
    theirs = seeded(lambda: THEIRS[rank](2, 4, kernel, stride, padding, groups=groups,
                                         bias=bias), seed).double()
    x = torch.randn(1, 2, *(size,) * rank, dtype=torch.float64)
    out = [wanted] * rank
    assert_same_outputs_and_grads(ours, theirs, x,
                                  call=lambda module, inp: module(inp, output_size=out))
    assert tuple(ours(x, output_size=out).shape[2:]) == (wanted,) * rank


def test_float32_default_matches_torch():
    ours = seeded(lambda: layers.ConvTranspose2d(8, 4, 4, stride=2, padding=1))
    theirs = seeded(lambda: nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1))
    x = torch.randn(3, 8, 6, 5)
    y = ours(x)
    assert y.dtype == torch.float32
    torch.testing.assert_close(y, theirs(x), atol=2e-5, rtol=2e-5)


@pytest.mark.parametrize("algorithm", tconv.CONV_TRANSPOSE_ALGORITHMS)
def test_every_algorithm_matches_torch(algorithm):
    ours = seeded(lambda: layers.ConvTranspose2d(3, 4, 4, stride=2, padding=1,
                                                 algorithm=algorithm)).double()
    theirs = seeded(lambda: nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1)).double()
    assert_same_outputs_and_grads(ours, theirs, torch.randn(2, 3, 5, 4, dtype=torch.float64))
    assert f"algorithm={algorithm!r}" in repr(ours) or algorithm == "auto"


@pytest.mark.parametrize(("k", "s"), [(3, 2), (4, 2), (1, 3), (5, 1)])
def test_same_padding(k, s):
    layer = layers.ConvTranspose2d(2, 3, k, stride=s, padding="same").double()
    x = torch.randn(2, 2, 4, 5, dtype=torch.float64, requires_grad=True)
    y = layer(x)
    assert tuple(y.shape) == (2, 3, 4 * s, 5 * s)
    expected = ref.same_conv_transpose(x, layer.weight, layer.bias, stride=(s, s),
                                       dilation=(1, 1), groups=1)
    torch.testing.assert_close(y, expected, atol=1e-12, rtol=1e-10)
    upstream = torch.randn_like(y)
    got = torch.autograd.grad(y, [x, layer.weight, layer.bias], upstream)
    want = torch.autograd.grad(expected, [x, layer.weight, layer.bias], upstream)
    for g, e in zip(got, want):
        torch.testing.assert_close(g, e, atol=1e-12, rtol=1e-10)


def test_per_side_padding():
    layer = layers.ConvTranspose1d(2, 2, 4, stride=2, padding=((2, 0),), output_padding=1)
    layer = layer.double()
    x = torch.randn(3, 2, 6, dtype=torch.float64)
    expected = ref.conv_transpose(x, layer.weight, layer.bias, stride=(2,), pads=((2, 0),),
                                  output_padding=(1,), dilation=(1,), groups=1)
    torch.testing.assert_close(layer(x), expected, atol=1e-12, rtol=1e-10)
    assert "padding=((2, 0),)" in repr(layer)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_state_dict_loads_both_ways(rank):
    ours = seeded(lambda: OURS[rank](4, 2, 3, stride=2, groups=2), 1)
    theirs = seeded(lambda: THEIRS[rank](4, 2, 3, stride=2, groups=2), 2)
    assert not torch.equal(ours.weight, theirs.weight)
    theirs.load_state_dict(ours.state_dict())
    assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)
    fresh = seeded(lambda: OURS[rank](4, 2, 3, stride=2, groups=2), 3)
    fresh.load_state_dict(seeded(lambda: THEIRS[rank](4, 2, 3, stride=2, groups=2), 4)
                          .state_dict())
    again = seeded(lambda: THEIRS[rank](4, 2, 3, stride=2, groups=2), 4)
    assert torch.equal(fresh.weight, again.weight) and torch.equal(fresh.bias, again.bias)
    assert list(ours.state_dict()) == ["weight", "bias"]
    no_bias = OURS[rank](4, 2, 3, bias=False)
    assert list(no_bias.state_dict()) == ["weight"] and no_bias.bias is None
    THEIRS[rank](4, 2, 3, bias=False).load_state_dict(no_bias.state_dict())


@pytest.mark.parametrize("device", DEVICES)
def test_device_and_dtype(device):
    layer = layers.ConvTranspose2d(2, 3, 3, stride=2, dtype=torch.float64, device=device)
    assert layer.weight.dtype == torch.float64 and layer.weight.device.type == device
    layer = layers.ConvTranspose2d(2, 3, 3, stride=2).to(device=device, dtype=torch.float16)
    y = layer(torch.ones(1, 2, 3, 3, device=device, dtype=torch.float16))
    assert y.dtype == torch.float16 and y.device.type == device
    assert layer.bias.dtype == torch.float16


def test_compile_runs_the_whole_graph():
    # The dynamo front end traces the layer, tconv's ops included, as one graph
    # (fullgraph=True: no graph break). The "eager" backend skips inductor's C++
    # code generation, which takes over a minute on a small CPU machine.
    torch._dynamo.reset()
    layer = seeded(lambda: layers.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                  output_padding=1))
    compiled = torch.compile(layer, backend="eager", fullgraph=True)
    x = torch.randn(2, 3, 5, 5)
    with warnings.catch_warnings():
        # Dynamo notes that it traces through functools.lru_cache wrappers.
        warnings.filterwarnings("ignore", message=".*lru_cache", category=UserWarning)
        y = compiled(x)
    expected = F.conv_transpose2d(x, layer.weight, layer.bias, stride=2, padding=1,
                                  output_padding=1)
    torch.testing.assert_close(y, expected)
    y.sum().backward()
    assert layer.weight.grad is not None


# --------------------------------------------------------------------------- fixed up-samplers

@pytest.mark.parametrize(("kwargs", "shape"), [
    ({"scale_factor": 2}, (2, 3, 4, 5)),
    ({"scale_factor": 1.5, "mode": "nearest-exact"}, (2, 3, 4, 5)),
    ({"size": (7, 3), "mode": "bilinear"}, (2, 3, 4, 5)),
    ({"scale_factor": 2, "mode": "bilinear", "align_corners": True}, (1, 2, 3, 4)),
    ({"scale_factor": (2, 3), "mode": "bicubic"}, (1, 2, 3, 4)),
    ({"scale_factor": 3, "mode": "linear"}, (2, 2, 5)),
    ({"size": 4, "mode": "trilinear"}, (1, 2, 2, 3, 3)),
])
def test_upsample_matches_torch(kwargs, shape):
    ours, theirs = layers.Upsample(**kwargs), nn.Upsample(**kwargs)
    assert repr(ours) == repr(theirs)
    assert_same_outputs_and_grads(ours, theirs, torch.randn(*shape, dtype=torch.float64))


@pytest.mark.parametrize("r", [1, 2, 3])
def test_pixel_shuffle_and_unshuffle_match_torch(r):
    x = torch.randn(2, 2 * r * r, 3, 4, dtype=torch.float64)
    assert_same_outputs_and_grads(layers.PixelShuffle(r), nn.PixelShuffle(r), x)
    assert repr(layers.PixelShuffle(r)) == repr(nn.PixelShuffle(r))
    y = torch.randn(2, 3, 2 * r, 3 * r, dtype=torch.float64)
    assert_same_outputs_and_grads(layers.PixelUnshuffle(r), nn.PixelUnshuffle(r), y)
    assert repr(layers.PixelUnshuffle(r)) == repr(nn.PixelUnshuffle(r))


# --------------------------------------------------------------------------- decoder layers

class TorchResize(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, scale_factor, mode, bias):
        super().__init__()
        self.up = nn.Upsample(scale_factor=scale_factor, mode=mode)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding="same",
                              bias=bias)

    def forward(self, x):
        return self.conv(self.up(x))


# torch warns that an even kernel with "same" makes it pad a copy of the input.
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize(("kernel_size", "scale_factor", "mode", "bias"), [
    (3, 2, "nearest", True), (5, 2, "bilinear", True), (3, 3, "bicubic", False),
    (4, 2, "nearest", True), ((3, 1), 1.5, "nearest-exact", True),
])
def test_resize_conv_equals_torch_upsample_then_conv(kernel_size, scale_factor, mode, bias):
    ours = seeded(lambda: layers.ResizeConv2d(3, 4, kernel_size, scale_factor, mode, bias))
    theirs = seeded(lambda: TorchResize(3, 4, kernel_size, scale_factor, mode, bias))
    # The same draws as torch's Conv2d.
    assert torch.equal(ours.weight, theirs.conv.weight)
    assert bias is False or torch.equal(ours.bias, theirs.conv.bias)
    assert_same_outputs_and_grads(ours.double(), theirs.double(),
                                  torch.randn(2, 3, 4, 5, dtype=torch.float64))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("r", "kernel_size"), [(2, 3), (3, 3), (2, 1), (2, 4)])
def test_icnr_subpixel_starts_as_conv_then_nearest(r, kernel_size, bias):
    layer = seeded(lambda: layers.SubPixelConv2d(3, 2, kernel_size, r, bias=bias)).double()
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    # Conv with every r*r-th filter (the ICNR base kernel), then nearest up-sampling.
    base_weight = layer.weight[::r * r]
    base_bias = None if layer.bias is None else layer.bias[::r * r]
    expected = F.interpolate(F.conv2d(x, base_weight, base_bias, padding="same"),
                             scale_factor=r, mode="nearest")
    y = layer(x)
    torch.testing.assert_close(y, expected, atol=1e-12, rtol=1e-10)
    # Each r x r block holds r*r copies of one sum (no checkerboard at all); the
    # copies come from different output channels of one matmul, which may round
    # in a different order, so the check is to float64 rounding, not bitwise.
    for i in range(r):
        for j in range(r):
            torch.testing.assert_close(y[..., i::r, j::r], y[..., ::r, ::r], atol=1e-13,
                                       rtol=1e-13)
    assert torch.equal(layer.weight, base_weight.repeat_interleave(r * r, dim=0))


def test_icnr_base_kernel_is_drawn_by_init():
    torch.manual_seed(5)
    weight = layers.icnr_(torch.empty(12, 2, 3, 3), 2)
    torch.manual_seed(5)
    base = nn.init.kaiming_normal_(torch.empty(3, 2, 3, 3))
    assert torch.equal(weight, base.repeat_interleave(4, dim=0))
    weight1d = layers.icnr_(torch.empty(6, 1, 3), 3, init=nn.init.ones_)
    assert torch.equal(weight1d, torch.ones(6, 1, 3))
    with pytest.raises(ValueError, match=r"icnr_: scale_factor=2 .* divisible by "
                                         r"scale_factor\*\*2 = 4"):
        layers.icnr_(torch.empty(6, 1, 3, 3), 2)
    with pytest.raises(TypeError, match="icnr_: weight must be a torch.Tensor"):
        layers.icnr_(np.zeros((4, 1, 3, 3)), 2)
    with pytest.raises(ValueError, match="icnr_: scale_factor=0"):
        layers.icnr_(torch.empty(4, 1, 3, 3), 0)


def test_subpixel_without_icnr_is_torch_conv_then_pixel_shuffle():
    ours = seeded(lambda: layers.SubPixelConv2d(3, 2, 3, 2, icnr=False)).double()
    theirs = seeded(lambda: nn.Sequential(nn.Conv2d(3, 8, 3, padding="same"),
                                          nn.PixelShuffle(2))).double()
    assert torch.equal(ours.weight, theirs[0].weight) and torch.equal(ours.bias, theirs[0].bias)
    assert_same_outputs_and_grads(ours, theirs, torch.randn(2, 3, 4, 5, dtype=torch.float64))
    assert repr(ours) == "SubPixelConv2d(3, 2, kernel_size=(3, 3), scale_factor=2, icnr=False)"


def test_subpixel_state_dict_round_trip():
    layer = layers.SubPixelConv2d(3, 2)
    copy = layers.SubPixelConv2d(3, 2, icnr=False)
    copy.load_state_dict(layer.state_dict())
    x = torch.randn(1, 3, 4, 4)
    assert torch.equal(copy(x), layer(x))
    torch_conv = nn.Conv2d(3, 8, 3, padding=1)
    torch_conv.load_state_dict(layer.state_dict())
    torch.testing.assert_close(F.pixel_shuffle(torch_conv(x), 2), layer(x))


def test_layers_train():
    # One optimiser step on each trainable layer lowers a simple loss.
    torch.manual_seed(0)
    x, target = torch.randn(4, 2, 4, 4), torch.randn(4, 3, 8, 8)
    for layer in (layers.ConvTranspose2d(2, 3, 4, stride=2, padding=1),
                  layers.ResizeConv2d(2, 3), layers.SubPixelConv2d(2, 3)):
        optimiser = torch.optim.SGD(layer.parameters(), lr=0.1)
        losses = []
        for _ in range(2):
            optimiser.zero_grad()
            loss = F.mse_loss(layer(x), target)
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        assert losses[1] < losses[0], type(layer).__name__


# --------------------------------------------------------------------------- errors, imports, docs

@pytest.mark.parametrize(("make", "error", "match"), [
    (lambda: layers.ConvTranspose2d(3, 4, 3, groups=2), ValueError,
     "ConvTranspose2d: in_channels=3 is not divisible by groups=2"),
    (lambda: layers.ConvTranspose2d(4, 3, 3, groups=2), ValueError, "out_channels=3"),
    (lambda: layers.ConvTranspose1d(0, 3, 3), ValueError, "in_channels=0"),
    (lambda: layers.ConvTranspose1d(2.0, 3, 3), TypeError, "in_channels=2.0"),
    (lambda: layers.ConvTranspose3d(2, 3, 0), ValueError, "kernel_size=0"),
    (lambda: layers.ConvTranspose2d(2, 3, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, stride=0), ValueError, "stride=0"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, padding=-1), ValueError, "padding=-1"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, padding="full"), ValueError, "padding='full'"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, stride=2, padding="same", output_padding=1),
     ValueError, "output_padding=1"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, algorithm="fft"), ValueError, "algorithm='fft'"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, stride=2, output_padding=2), ValueError,
     r"output_padding=2 must be smaller than max\(stride, dilation\)=\(2, 2\)"),
    (lambda: layers.ConvTranspose2d(2, 3, 3, bias=1), TypeError, "bias=1"),
    (lambda: layers.Upsample(scale_factor=0), ValueError, "Upsample: scale_factor=0"),
    (lambda: layers.Upsample(scale_factor=2, mode="cubic"), ValueError, "mode='cubic'"),
    (lambda: layers.Upsample(), ValueError, "size and scale_factor"),
    (lambda: layers.Upsample(size=0), ValueError, "size=0"),
    (lambda: layers.Upsample(scale_factor=2, align_corners=True), ValueError,
     "align_corners"),
    (lambda: layers.PixelShuffle(0), ValueError, "PixelShuffle: upscale_factor=0"),
    (lambda: layers.PixelUnshuffle(1.5), TypeError, "downscale_factor=1.5"),
    (lambda: layers.ResizeConv2d(2, 3, scale_factor=0), ValueError,
     "ResizeConv2d: scale_factor=0"),
    (lambda: layers.ResizeConv2d(2, 3, mode="linear"), ValueError, "mode='linear'"),
    (lambda: layers.ResizeConv2d(2, 3, kernel_size=0), ValueError, "kernel_size=0"),
    (lambda: layers.SubPixelConv2d(2, 3, scale_factor=0), ValueError,
     "SubPixelConv2d: scale_factor=0"),
    (lambda: layers.SubPixelConv2d(2, 3, scale_factor=1.5), TypeError, "scale_factor=1.5"),
    (lambda: layers.SubPixelConv2d(2, 3, icnr="yes"), TypeError, "icnr='yes'"),
    (lambda: layers.SubPixelConv2d(0, 3), ValueError, "in_channels=0"),
])
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_input_at_call_time_is_named():
    layer = layers.ConvTranspose2d(4, 2, 3, stride=2)
    with pytest.raises(ValueError, match="input has 3 channels"):
        layer(torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError, match="output_size=.*cannot be reached"):
        layer(torch.zeros(1, 4, 4, 4), output_size=(20, 20))


def test_import_tconv_does_not_import_torch():
    code = ("import sys, tconv; "
            "print('torch' in sys.modules, 'tconv.torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


def test_module_examples_pass():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(layers) if t.examples]
    names = {t.name.rsplit(".", 1)[-1] for t in tests}
    assert set(layers.__all__) <= names
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 20


def test_import_without_torch_names_the_torch_extra():
    script = ("import sys\n"
              "sys.modules['torch'] = None  # as if PyTorch were not installed\n"
              "import tconv.torch\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: tconv.torch needs PyTorch (import of torch halted; None in "
        "sys.modules); install it with: pip install 'tconv[torch]'")
