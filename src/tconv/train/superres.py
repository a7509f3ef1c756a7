"""Single-image super-resolution on bundled photographs, with the up-sampling tail as a flag.

The model (:class:`SuperResolver`) is a small FSRCNN-style network on the
luma channel: feature extraction (5x5, ``features`` channels, PReLU), a
1x1 shrink to ``shrink`` channels, ``mapping`` 3x3 layers, a 1x1 expand back
to ``features``, then the up-sampling tail that the comparison varies
(:data:`METHODS`; PyTorch's own layers, which :mod:`tconv.torch`
reproduces exactly but trains several times slower, and ICNR from
:func:`tconv.torch.icnr_`):

=================== ==========================================================
``tconv-k9``        ``ConvTranspose2d(k=9, stride=scale, padding=4,
                    output_padding=scale-1)``: FSRCNN's deconvolution
``subpixel``        a 3x3 convolution to ``scale^2`` channels, then pixel
                    shuffle (ESPCN)
``subpixel-icnr``   the same, ICNR-initialised
``resize-nearest``  nearest x scale, then a 3x3 convolution at the high
                    resolution
``resize-bilinear`` bilinear x scale (``align_corners=False``), then 3x3
=================== ==========================================================

The tail predicts the difference from the bicubic up-sampling of the input
(global residual learning, as VDSR does), so a short CPU budget already beats
bicubic and the tails are compared on what they add. ``bicubic`` (no model)
is the baseline row.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .. import _args
from . import engine
from .photos import HELD_OUT, check_scale, downscale, load_photos, patches
from .quality import psnr, ssim

METHODS = ("tconv-k9", "subpixel", "subpixel-icnr", "resize-nearest", "resize-bilinear")
"""Up-sampling tails of :class:`SuperResolver`, as the CLI spells them."""

BASELINE = "bicubic"
"""The baseline row: bicubic up-sampling of the input, no model."""


def check_method(op: str, method) -> str:
    """``method`` if it is one of :data:`METHODS`, else a ValueError naming them."""
    return _args.choice(op, "method", method, METHODS)


def tail(method: str, channels: int, scale: int) -> nn.Module:
    """The up-sampling layer: ``(N, channels, H, W)`` -> ``(N, 1, scale H, scale W)``.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.superres import tail
    >>> tail("tconv-k9", 4, 3)(torch.zeros(1, 4, 5, 6)).shape
    torch.Size([1, 1, 15, 18])
    """
    from ..torch import icnr_

    check_method("tail", method)
    scale = check_scale("tail", scale)
    if method == "tconv-k9":
        return nn.ConvTranspose2d(channels, 1, 9, stride=scale, padding=4,
                                  output_padding=scale - 1)
    if method.startswith("subpixel"):
        conv = nn.Conv2d(channels, scale * scale, 3, padding=1)
        if method == "subpixel-icnr":
            with torch.no_grad():
                icnr_(conv.weight, scale)
                conv.bias.copy_(conv.bias[:1].repeat(scale * scale))
        return nn.Sequential(conv, nn.PixelShuffle(scale))
    mode = method.removeprefix("resize-")
    return nn.Sequential(nn.Upsample(scale_factor=scale, mode=mode),
                         nn.Conv2d(channels, 1, 3, padding=1))


def bicubic(low: torch.Tensor, scale: int) -> torch.Tensor:
    """Bicubic up-sampling by ``scale`` (``align_corners=False``, Keys ``a = -0.75`` as torch)."""
    return nn.functional.interpolate(low, scale_factor=scale, mode="bicubic",
                                     align_corners=False)


class SuperResolver(nn.Module):
    """A small FSRCNN-style super-resolution network with a chosen up-sampling tail.

    ``forward(low)`` maps ``(N, 1, H, W)`` luma to ``(N, 1, scale H, scale W)``:
    ``bicubic(low) + tail(body(low))``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    scale : int
        2, 3 or 4.
    features, shrink, mapping : int
        FSRCNN's ``d``, ``s`` and ``m``.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.superres import SuperResolver
    >>> SuperResolver("subpixel-icnr", 2)(torch.zeros(1, 1, 6, 7)).shape
    torch.Size([1, 1, 12, 14])
    """

    def __init__(self, method: str, scale: int, features: int = 32, shrink: int = 12,
                 mapping: int = 2) -> None:
        super().__init__()
        self.method, self.scale = check_method("SuperResolver", method), check_scale(
            "SuperResolver", scale)
        layers = [nn.Conv2d(1, features, 5, padding=2), nn.PReLU(features),
                  nn.Conv2d(features, shrink, 1), nn.PReLU(shrink)]
        for _ in range(mapping):
            layers += [nn.Conv2d(shrink, shrink, 3, padding=1), nn.PReLU(shrink)]
        layers += [nn.Conv2d(shrink, features, 1), nn.PReLU(features)]
        self.body = nn.Sequential(*layers)
        self.tail = tail(method, features, scale)

    def forward(self, low: torch.Tensor) -> torch.Tensor:
        return bicubic(low, self.scale) + self.tail(self.body(low))


def build(method: str, scale: int, patch_count: int = 2048, patch_size: int = 16,
          features: int = 32, data_seed: int = 0, photos=None):
    """The engine's builder: a fresh model, ``patch_count`` training pairs, the MSE loss."""
    model = SuperResolver(method, scale, features=features)
    images = load_photos(photos) if photos is not None else load_photos()
    low, high = patches(images, scale, patch_size, patch_count, seed=data_seed)
    return model, torch.from_numpy(low), torch.from_numpy(high), nn.functional.mse_loss


engine.BUILDERS["superres"] = build


def job(method: str, scale: int, *, quick: bool = False, **options) -> engine.Job:
    """The :class:`~tconv.train.engine.Job` for one tail and scale (``quick``: tiny).

    Examples
    --------
    >>> from tconv.train.superres import job
    >>> job("subpixel", 2, quick=True).options["features"]
    8
    """
    check_method("superres", method)
    check_scale("superres", scale)
    settings = {"method": method, "scale": int(scale)}
    if quick:
        settings.update(patch_count=128, patch_size=12, features=8, photos=["camera"])
    settings.update(options)
    return engine.Job("superres", settings)


def load_model(state: dict, options: dict) -> SuperResolver:
    """A :class:`SuperResolver` from a state dict and the job's options, in eval mode."""
    model = SuperResolver(options["method"], options["scale"],
                          features=options.get("features", 32))
    model.load_state_dict(state)
    return model.eval()


@torch.no_grad()
def upscale(model: nn.Module | None, low, scale: int) -> np.ndarray:
    """Super-resolve ``(H, W)`` luma with ``model`` (None: bicubic), clipped to [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.superres import upscale
    >>> upscale(None, np.full((4, 5), 0.5), 2).shape
    (8, 10)
    """
    x = torch.from_numpy(np.asarray(low, dtype=np.float32))[None, None]
    y = bicubic(x, scale) if model is None else model(x)
    return np.clip(y[0, 0].numpy(), 0.0, 1.0)


def quantise(y: np.ndarray) -> np.ndarray:
    """Round ``[0, 1]`` values to 8-bit levels, as a saved image would hold."""
    return np.round(np.clip(y, 0.0, 1.0) * 255.0) / 255.0


def evaluate(model: nn.Module | None, scale: int, held_out=None) -> dict:
    """PSNR and SSIM on the held-out photographs' luma, ``scale`` pixels cropped.

    Each held-out photo is down-scaled (:func:`~tconv.train.photos.downscale`),
    super-resolved (:func:`upscale`, then rounded to 8 bits) and compared with
    the original. PSNR and SSIM are averaged over the photos (the
    literature's convention: mean of per-image values).

    Returns
    -------
    dict
        ``psnr``, ``ssim`` (means), ``per_image`` ({name: (psnr, ssim)}), and
        ``outputs`` ({name: (original, super-resolved)}).
    """
    images = held_out if held_out is not None else load_photos(HELD_OUT)
    per_image, outputs = {}, {}
    for name, high in images.items():
        estimate = quantise(upscale(model, downscale(high, scale), scale))
        per_image[name] = (psnr(estimate, high, border=scale),
                           ssim(estimate, high, border=scale))
        outputs[name] = (high, estimate)
    values = np.array(list(per_image.values()))
    return {"psnr": float(values[:, 0].mean()), "ssim": float(values[:, 1].mean()),
            "per_image": per_image, "outputs": outputs}
