"""Semantic segmentation of generated scenes, with the decoder's up-sampling as a flag.

:class:`Segmenter` is a small SegNet-style encoder-decoder (no batch norm,
so that several processes give the same result as one): two encoder stages
(3x3 convolutions, ReLU, 2x2 max pooling that keeps its indices), a middle
convolution, and two decoder stages, each an up-sampling by 2
(:data:`METHODS`), ReLU and a 3x3 convolution; a 1x1 convolution gives the
class logits. By default the decoder sees nothing but its up-sampled input
(SegNet's layout, so the up-sampling decides the boundaries); with ``skips``
it also gets the encoder features of the same size (U-Net's concatenation).

==================== =========================================================
``tconv-k2s2``       ``ConvTranspose2d(k=2, stride=2)`` (U-Net's up-conv)
``tconv-k3s2``       ``ConvTranspose2d(k=3, stride=2, padding=1,
                     output_padding=1)``: uneven overlap
``tconv-k4s2``       ``ConvTranspose2d(k=4, stride=2, padding=1)``
``resize-nearest``   nearest x2, then a 3x3 convolution
``resize-bilinear``  bilinear x2, then a 3x3 convolution
``subpixel-icnr``    3x3 convolution to 4x the channels, ICNR, pixel shuffle
``unpool``           ``MaxUnpool2d`` with the encoder's pooling indices
                     (SegNet), no weights of its own
==================== =========================================================

Layers are PyTorch's own (``tconv.torch`` reproduces them exactly but trains
several times slower); ICNR is :func:`tconv.torch.icnr_`.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .. import _args
from . import engine
from .quality import boundary_iou, mean_iou, pixel_accuracy
from .scenes import CLASSES, make_scenes

METHODS = ("tconv-k2s2", "tconv-k3s2", "tconv-k4s2", "resize-nearest", "resize-bilinear",
           "subpixel-icnr", "unpool")
"""Decoder up-sampling methods of :class:`Segmenter`, as the CLI spells them."""

HELD_OUT_SEED = 1_000_003
"""Seed of the held-out scenes (the training scenes use the data seed, 0)."""


def check_method(op: str, method) -> str:
    """``method`` if it is one of :data:`METHODS`, else a ValueError naming them."""
    return _args.choice(op, "method", method, METHODS)


def unpool(x: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """2x2 max-unpooling: each value goes back where the pooling found it, zeros elsewhere.

    The same numbers as ``torch.nn.functional.max_unpool2d(x, indices, 2)``,
    written as a scatter, which PyTorch runs deterministically on the CPU.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.segment import unpool
    >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
    >>> pooled, indices = torch.nn.functional.max_pool2d(x, 2, return_indices=True)
    >>> unpool(pooled, indices)[0, 0]
    tensor([[ 0.,  0.,  0.,  0.],
            [ 0.,  5.,  0.,  7.],
            [ 0.,  0.,  0.,  0.],
            [ 0., 13.,  0., 15.]])
    """
    n, c, height, width = x.shape
    out = x.new_zeros(n, c, 4 * height * width)
    out = out.scatter(2, indices.reshape(n, c, -1), x.reshape(n, c, -1))
    return out.reshape(n, c, 2 * height, 2 * width)


class Up(nn.Module):
    """Up-sampling by 2 with ``method``: ``(N, c, H, W)`` -> ``(N, c, 2H, 2W)``.

    ``forward(x, indices)``: ``indices`` (the encoder's pooling indices) is
    used by ``unpool`` only.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.segment import Up
    >>> Up("tconv-k3s2", 4)(torch.zeros(1, 4, 5, 6)).shape
    torch.Size([1, 4, 10, 12])
    """

    def __init__(self, method: str, channels: int) -> None:
        super().__init__()
        from ..torch import icnr_

        self.method = check_method("Up", method)
        c = channels
        if method == "tconv-k2s2":
            self.layer = nn.ConvTranspose2d(c, c, 2, stride=2)
        elif method == "tconv-k3s2":
            self.layer = nn.ConvTranspose2d(c, c, 3, stride=2, padding=1, output_padding=1)
        elif method == "tconv-k4s2":
            self.layer = nn.ConvTranspose2d(c, c, 4, stride=2, padding=1)
        elif method.startswith("resize-"):
            self.layer = nn.Sequential(nn.Upsample(scale_factor=2,
                                                   mode=method.removeprefix("resize-")),
                                       nn.Conv2d(c, c, 3, padding=1))
        elif method == "subpixel-icnr":
            conv = nn.Conv2d(c, 4 * c, 3, padding=1)
            with torch.no_grad():
                icnr_(conv.weight, 2)
                conv.bias.copy_(conv.bias[::4].repeat_interleave(4))
            self.layer = nn.Sequential(conv, nn.PixelShuffle(2))
        else:
            self.layer = nn.Identity()

    def forward(self, x: torch.Tensor, indices: torch.Tensor | None = None) -> torch.Tensor:
        if self.method == "unpool":
            return unpool(x, indices)
        return self.layer(x)


class Segmenter(nn.Module):
    """A small SegNet-style (``skips``: U-Net-style) segmentation network.

    Parameters
    ----------
    method : str
        The decoder's up-sampling (:data:`METHODS`).
    classes : int
        Output classes.
    width : int
        Channels of the first stage (the second has twice as many).
    skips : bool
        Concatenate the encoder's features after each up-sampling.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.segment import Segmenter
    >>> Segmenter("unpool")(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 4, 16, 16])
    """

    def __init__(self, method: str, classes: int = len(CLASSES), width: int = 16,
                 skips: bool = False) -> None:
        super().__init__()
        c = width
        self.skips = skips
        self.stage1 = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(),
                                    nn.Conv2d(c, c, 3, padding=1), nn.ReLU())
        self.stage2 = nn.Sequential(nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.middle = nn.Sequential(nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU())
        self.up2 = Up(method, 2 * c)
        self.decode2 = nn.Sequential(nn.Conv2d((4 if skips else 2) * c, c, 3, padding=1),
                                     nn.ReLU())
        self.up1 = Up(method, c)
        self.decode1 = nn.Sequential(nn.Conv2d((2 if skips else 1) * c, c, 3, padding=1),
                                     nn.ReLU(), nn.Conv2d(c, classes, 1))
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f1 = self.stage1(x)
        p1, i1 = self.pool(f1)
        f2 = self.stage2(p1)
        p2, i2 = self.pool(f2)
        h = self.act(self.up2(self.middle(p2), i2))
        if self.skips:
            h = torch.cat([h, f2], dim=1)
        h = self.act(self.up1(self.decode2(h), i1))
        if self.skips:
            h = torch.cat([h, f1], dim=1)
        return self.decode1(h)


def build(method: str, count: int = 512, size: int = 48, width: int = 16,
          skips: bool = False, data_seed: int = 0):
    """The engine's builder: a fresh model, ``count`` training scenes, cross-entropy."""
    model = Segmenter(method, width=width, skips=skips)
    images, masks = make_scenes(count, size, seed=data_seed)
    return model, torch.from_numpy(images), torch.from_numpy(masks), nn.functional.cross_entropy


engine.BUILDERS["segment"] = build


def job(method: str, *, quick: bool = False, **options) -> engine.Job:
    """The :class:`~tconv.train.engine.Job` for one decoder up-sampling (``quick``: tiny).

    Examples
    --------
    >>> from tconv.train.segment import job
    >>> job("unpool", quick=True).options["size"]
    16
    """
    check_method("segment", method)
    settings = {"method": method}
    if quick:
        settings.update(count=64, size=16, width=4)
    settings.update(options)
    return engine.Job("segment", settings)


def load_model(state: dict, options: dict) -> Segmenter:
    """A :class:`Segmenter` from a state dict and the job's options, in eval mode."""
    model = Segmenter(options["method"], width=options.get("width", 16),
                      skips=options.get("skips", False))
    model.load_state_dict(state)
    return model.eval()


@torch.no_grad()
def predict(model: nn.Module, images) -> np.ndarray:
    """Class maps ``(N, H, W)`` for ``(N, 1, H, W)`` images (H, W divisible by 4)."""
    return model(torch.from_numpy(np.asarray(images, np.float32))).argmax(dim=1).numpy()


def held_out(count: int = 128, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    """The held-out scenes (their own seed, never trained on)."""
    return make_scenes(count, size, seed=HELD_OUT_SEED)


def evaluate(model: nn.Module, images, masks, band: int = 2) -> dict:
    """Mean IoU, pixel accuracy and boundary-band IoU (``band`` px) on ``images``.

    The confusion counts are pooled over all images before the IoU is taken.

    Returns
    -------
    dict
        ``miou``, ``accuracy``, ``boundary_iou`` and ``predictions``.
    """
    classes = len(CLASSES)
    predicted = predict(model, images)
    return {"miou": mean_iou(predicted, masks, classes),
            "accuracy": pixel_accuracy(predicted, masks, classes),
            "boundary_iou": boundary_iou(predicted, masks, classes, width=band),
            "predictions": predicted}
