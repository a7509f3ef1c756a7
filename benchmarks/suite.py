"""The benchmark suite: transposed-convolution layers of published decoders, as data.

Each :class:`Layer` is one ``conv_transpose`` call exactly as the network makes
it (PyTorch conventions: weight ``(C_in, C_out/groups, *kernel)``, symmetric
``padding``, ``output_padding`` appended at the end). Sizes are the published
ones where the paper gives them; batch sizes are the paper's training batch or
1 (inference), shrunk where noted so that one call stays well under a second
on a 2-core machine. No bias anywhere (it is an add after the fact, the same
for every implementation).

Tags pick subsets for the summary: ``large-channel`` marks the layers where
the channel matrix multiply dominates (DCGAN layers 2-4 at batch 64, every
U-Net 2x2 up-convolution, MelGAN). ``quick`` marks the ``--quick`` subset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def _per_axis(value, rank, what):
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank:
        raise ValueError(f"{what}={value!r} does not have {rank} values")
    return values


@dataclass(frozen=True)
class Layer:
    """One transposed convolution to benchmark.

    ``x`` and ``weight`` pin the values (nested lists) where a layer is a
    worked example; otherwise they are drawn at random with a fixed seed.
    """

    name: str
    source: str
    rank: int
    batch: int
    in_channels: int
    out_channels: int
    in_size: tuple
    kernel: tuple
    stride: tuple = 1
    padding: tuple = 0
    output_padding: tuple = 0
    dilation: tuple = 1
    groups: int = 1
    tags: tuple = ()
    x: tuple | None = field(default=None, repr=False, compare=False)
    weight: tuple | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        for what in ("in_size", "kernel", "stride", "padding", "output_padding", "dilation"):
            object.__setattr__(self, what, _per_axis(getattr(self, what), self.rank, what))
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{self.name}: channels {self.in_channels}->{self.out_channels} "
                             f"do not divide by groups={self.groups}")

    @property
    def out_size(self) -> tuple:
        """``(n - 1)*s - 2p + d*(k - 1) + output_padding + 1`` per axis (PyTorch's formula)."""
        return tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, k, s, p, op, d in
                     zip(self.in_size, self.kernel, self.stride, self.padding,
                         self.output_padding, self.dilation))

    @property
    def x_shape(self) -> tuple:
        return (self.batch, self.in_channels, *self.in_size)

    @property
    def weight_shape(self) -> tuple:
        return (self.in_channels, self.out_channels // self.groups, *self.kernel)

    @property
    def out_shape(self) -> tuple:
        return (self.batch, self.out_channels, *self.out_size)

    @property
    def flops(self) -> int:
        """``2 * N * prod(in_size) * C_in * C_out/groups * prod(kernel)``: every multiply-add."""
        return (2 * self.batch * math.prod(self.in_size) * self.in_channels
                * (self.out_channels // self.groups) * math.prod(self.kernel))

    @property
    def gemm_shape(self) -> tuple:
        """``(groups, M, K, N)`` of the col2im-style GEMM with the same FLOPs.

        Per group ``(N*P_in, C_in/g) @ (C_in/g, C_out/g * prod(kernel))``.
        """
        return (self.groups, self.batch * math.prod(self.in_size), self.in_channels // self.groups,
                (self.out_channels // self.groups) * math.prod(self.kernel))

    def describe(self) -> str:
        """``512->256 4x4 k4 s2 p1``: the geometry in one short string."""
        def axes(values):
            return "x".join(map(str, values)) if len(set(values)) > 1 else str(values[0])
        text = (f"{self.in_channels}->{self.out_channels} {'x'.join(map(str, self.in_size))} "
                f"k{axes(self.kernel)} s{axes(self.stride)}")
        for letter, values, default in (("p", self.padding, 0), ("op", self.output_padding, 0),
                                        ("d", self.dilation, 1)):
            if any(v != default for v in values):
                text += f" {letter}{axes(values)}"
        if self.groups > 1:
            text += f" g{self.groups}"
        return text


LARGE = "large-channel"
QUICK = "quick"

DCGAN = "DCGAN 64x64 generator (Radford et al. 2016; PyTorch dcgan example, nz=100, ngf=64)"
UNET = "U-Net up-conv 2x2 (Ronneberger et al. 2015, 572x572 tile: 28, 52, 100, 196)"
FSRCNN = "FSRCNN(d=56, s=12, m=4) DeConv(9, 1, 56) (Dong et al. 2016)"
MELGAN = "MelGAN generator, ngf=32, ratios 8,8,2,2 (Kumar et al. 2019), 256 mel frames"
WAVEGAN = "WaveGAN generator, d=64, k25 s4 (Donahue et al. 2019; PyTorch port p11 op1), batch 8"
UNET3D = "3D U-Net up-conv 2x2x2 (Cicek et al. 2016)"
DECODER3D = "3-D decoder up-conv k3 s2 p1 op1 (volumetric segmentation / VAE decoders)"
GAN3D = "3D-GAN generator k4 s2 p1 (Wu et al. 2016)"
CENTERNET = "CenterNet (Zhou et al. 2019), 512x512 input"
SYNTHETIC = "synthetic (no published network)"


def _dcgan(batch):
    tags = (LARGE,) if batch == 64 else ()
    plan = [(100, 512, 1, 1, 0), (512, 256, 4, 2, 1), (256, 128, 8, 2, 1),
            (128, 64, 16, 2, 1), (64, 3, 32, 2, 1)]
    return [Layer(f"dcgan.up{i}.b{batch}", DCGAN, 2, batch, ci, co, size, 4, stride, pad,
                  tags=(tags if i in (2, 3, 4) else ()) + ((QUICK,) if batch == 1 and i in (2, 5)
                                                            else ()))
            for i, (ci, co, size, stride, pad) in enumerate(plan, start=1)]


def _unet(batch):
    plan = [(1024, 512, 28), (512, 256, 52), (256, 128, 100), (128, 64, 196)]
    return [Layer(f"unet.up{i}.b{batch}", UNET, 2, batch, ci, co, size, 2, 2,
                  tags=(LARGE,) + ((QUICK,) if batch == 1 and i == 1 else ()))
            for i, (ci, co, size) in enumerate(plan, start=1)]


SUITE: tuple[Layer, ...] = (
    Layer("seed.2x2", "worked example: x [[55,52],[57,50]], kernel [[1,2],[2,1]]", 2, 1, 1, 1,
          2, 2, tags=(QUICK,), x=(((55, 52), (57, 50)),), weight=((((1, 2), (2, 1)),),)),
    *_dcgan(64),
    *_dcgan(1),
    *_unet(1),
    *_unet(4),
    # FSRCNN's deconvolution: k9, stride = scale, padding 4, output_padding scale-1 (the
    # common PyTorch port), so the output is exactly scale x the input.
    Layer("fsrcnn.x3.64", FSRCNN + ", x3 on a 64x64 patch", 2, 1, 56, 1, 64, 9, 3, 4, 2,
          tags=(QUICK,)),
    Layer("fsrcnn.x3.170", FSRCNN + ", x3 on Set5 'baby' (510->170)", 2, 1, 56, 1, 170, 9, 3,
          4, 2),
    Layer("fsrcnn.x2.256", FSRCNN + ", x2 on Set5 'baby' (512->256)", 2, 1, 56, 1, 256, 9, 2,
          4, 1),
    # MelGAN: ConvTranspose1d(c, c//2, 2r, stride=r, padding=r//2 + r%2, output_padding=r%2).
    Layer("melgan.up1", MELGAN, 1, 1, 512, 256, 256, 16, 8, 4, tags=(LARGE,)),
    Layer("melgan.up2", MELGAN, 1, 1, 256, 128, 2048, 16, 8, 4, tags=(LARGE,)),
    Layer("melgan.up3", MELGAN, 1, 1, 128, 64, 16384, 4, 2, 1, tags=(LARGE,)),
    Layer("melgan.up4", MELGAN, 1, 1, 64, 32, 32768, 4, 2, 1, tags=(LARGE, QUICK)),
    Layer("wavegan.up1", WAVEGAN, 1, 8, 1024, 512, 16, 25, 4, 11, 1),
    Layer("wavegan.up3", WAVEGAN, 1, 8, 256, 128, 256, 25, 4, 11, 1),
    Layer("wavegan.up5", WAVEGAN, 1, 8, 64, 1, 4096, 25, 4, 11, 1),
    Layer("unet3d.k2.16", UNET3D, 3, 1, 64, 32, 16, 2, 2, tags=(QUICK,)),
    Layer("unet3d.k2.32", UNET3D, 3, 1, 32, 16, 32, 2, 2),
    Layer("decoder3d.k3.16", DECODER3D, 3, 1, 64, 32, 16, 3, 2, 1, 1),
    Layer("decoder3d.k3.32", DECODER3D, 3, 1, 32, 16, 32, 3, 2, 1, 1),
    Layer("gan3d.up2", GAN3D, 3, 1, 256, 128, 8, 4, 2, 1),
    # CenterNet ResNet head: three ConvTranspose2d(., 256, 4, 2, 1); DLA-34's IDAUp
    # up-samples with depthwise, bilinear-initialised ConvTranspose2d(o, o, 2f, f, f//2, groups=o).
    Layer("centernet.resnet.up2", CENTERNET + ", ResNet deconv head layer 2", 2, 1, 256, 256,
          32, 4, 2, 1),
    Layer("centernet.ida.f2", CENTERNET + ", DLA-34 IDAUp depthwise f=2", 2, 1, 64, 64, 64,
          4, 2, 1, groups=64, tags=(QUICK,)),
    Layer("centernet.ida.f4", CENTERNET + ", DLA-34 IDAUp depthwise f=4", 2, 1, 64, 64, 32,
          8, 4, 2, groups=64),
    Layer("grouped.g4", SYNTHETIC + ": ResNeXt-style grouped up-conv, groups=4", 2, 4, 256, 256,
          32, 4, 2, 1, groups=4, tags=(QUICK,)),
    Layer("dilated.d2", SYNTHETIC + ": dilated up-conv, dilation 2", 2, 4, 128, 64, 32, 3, 2, 2,
          1, dilation=2, tags=(QUICK,)),
)


def select(layers, pattern=None, *, quick=False):
    """The layers to run, in suite order.

    ``pattern`` is a comma-separated list of substrings; a layer is kept when its
    name contains at least one. ``quick`` keeps only the ``quick``-tagged layers.
    """
    kept = [layer for layer in layers if not quick or QUICK in layer.tags]
    if pattern:
        parts = [part for part in pattern.split(",") if part]
        kept = [layer for layer in kept if any(part in layer.name for part in parts)]
    return kept
