"""Small PyTorch models whose decoders up-sample with a chosen method.

Every model grows a small ``size/4 x size/4`` feature map back to
``size x size`` with two up-sampling blocks, each doubling the spatial size
with one of :data:`METHODS` (built by :func:`upsampling_block` from the
layers of :mod:`tconv.torch`):

==================  =========================================================
``tconv-k3s2``      ``ConvTranspose2d(k=3, stride=2, padding=1,
                    output_padding=1)``: uneven overlap (coverage 4/2/2/1)
``tconv-k4s2``      ``ConvTranspose2d(k=4, stride=2, padding=1)``: even
                    overlap (DCGAN's choice)
``resize-nearest``  ``ResizeConv2d(k=3, mode="nearest")``: nearest x2, then
                    a 3x3 stride-1 convolution
``resize-bilinear`` ``ResizeConv2d(k=3, mode="bilinear")``
``subpixel``        ``SubPixelConv2d(k=3, icnr=False)``: 3x3 convolution to
                    4x the channels, then pixel shuffle
``subpixel-icnr``   the same, ICNR-initialised (equals convolve then
                    nearest x2 at initialisation)
==================  =========================================================

The models are deliberately small (a few thousand to tens of thousands of
parameters) so a demo trains in minutes on a CPU.
"""

from __future__ import annotations

import torch
from torch import nn

from .. import _args

METHODS = ("tconv-k3s2", "tconv-k4s2", "resize-nearest", "resize-bilinear", "subpixel",
           "subpixel-icnr")
"""Up-sampling methods of the decoders and generators, as the CLI spells them."""


def check_method(op: str, method) -> str:
    """``method`` if it is one of :data:`METHODS`, else a ValueError naming them."""
    return _args.choice(op, "method", method, METHODS)


def upsampling_block(method: str, in_channels: int, out_channels: int) -> nn.Module:
    """One layer that doubles the spatial size with ``method``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    in_channels, out_channels : int
        Channels in and out.

    Returns
    -------
    torch.nn.Module
        Maps ``(N, in_channels, H, W)`` to ``(N, out_channels, 2H, 2W)``.

    Raises
    ------
    ValueError
        Unknown ``method``.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import upsampling_block
    >>> block = upsampling_block("tconv-k3s2", 4, 2)
    >>> block(torch.zeros(1, 4, 5, 5)).shape
    torch.Size([1, 2, 10, 10])
    """
    from .. import torch as layers

    check_method("upsampling_block", method)
    if method == "tconv-k3s2":
        return layers.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1,
                                      output_padding=1)
    if method == "tconv-k4s2":
        return layers.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1)
    if method.startswith("resize-"):
        return layers.ResizeConv2d(in_channels, out_channels, kernel_size=3, scale_factor=2,
                                   mode=method.removeprefix("resize-"))
    return layers.SubPixelConv2d(in_channels, out_channels, kernel_size=3, scale_factor=2,
                                 icnr=method == "subpixel-icnr")


def _check_size(op: str, size) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < 8 or size % 4:
        message = f"{op}: size={size!r} must be an int >= 8 divisible by 4, e.g. 16 or 32"
        raise ValueError(message)
    return size


def _encoder(channels: int) -> nn.Sequential:
    """Two stride-2 convolutions: ``(N, 1, S, S)`` -> ``(N, 2c, S/4, S/4)``."""
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(channels, 2 * channels, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten())


class Decoder(nn.Module):
    """Latent vector -> image logits, up-sampling twice with ``method``.

    ``Linear(latent, 2c * (S/4)^2)`` and ReLU give a ``(2c, S/4, S/4)`` map;
    an up-sampling block to ``c`` channels, batch norm when ``batch_norm``,
    ReLU, and a last up-sampling block to one channel give ``(1, S, S)``
    values, left unsquashed (logits for the autoencoders, ``tanh`` is applied
    by the generator). The last layer is the up-sampling layer itself, so its
    artifacts reach the output undamped.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    size : int
        Output side ``S`` (>= 8, divisible by 4).
    latent : int
        Length of the latent vector.
    channels : int
        ``c``, the channels after the first up-sampling.
    batch_norm : bool
        Batch norm between the two blocks (the GAN generator uses it).

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import Decoder
    >>> Decoder("resize-nearest", 16, latent=8)(torch.zeros(2, 8)).shape
    torch.Size([2, 1, 16, 16])
    """

    def __init__(self, method: str, size: int, latent: int, channels: int = 16,
                 batch_norm: bool = False) -> None:
        super().__init__()
        size = _check_size("Decoder", size)
        self.start = (2 * channels, size // 4, size // 4)
        self.project = nn.Sequential(nn.Linear(latent, 2 * channels * (size // 4) ** 2),
                                     nn.ReLU())
        middle = [nn.BatchNorm2d(channels)] if batch_norm else []
        self.grow = nn.Sequential(upsampling_block(method, 2 * channels, channels), *middle,
                                  nn.ReLU(), upsampling_block(method, channels, 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.grow(self.project(z).reshape(-1, *self.start))


class Autoencoder(nn.Module):
    """A plain convolutional autoencoder: image -> latent code -> image logits.

    Encoder: two 3x3 stride-2 convolutions with ReLU (``1 -> c -> 2c``
    channels, ``S -> S/2 -> S/4``), flattened and mapped by a linear layer to
    a ``latent``-long code. Decoder: :class:`Decoder` with the chosen
    up-sampling ``method``. ``forward`` returns logits; the training loss is
    binary cross-entropy with logits against the ``[0, 1]`` image and the
    reconstruction is ``sigmoid(logits)``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    size : int
        Image side (16 or 32 in the demos).
    latent : int
        Code length.
    channels : int
        ``c`` above.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import Autoencoder
    >>> Autoencoder("subpixel", 16)(torch.zeros(3, 1, 16, 16)).shape
    torch.Size([3, 1, 16, 16])
    """

    def __init__(self, method: str, size: int = 16, latent: int = 16,
                 channels: int = 16) -> None:
        super().__init__()
        size = _check_size("Autoencoder", size)
        self.encode = nn.Sequential(_encoder(channels),
                                    nn.Linear(2 * channels * (size // 4) ** 2, latent))
        self.decode = Decoder(method, size, latent, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class VAE(nn.Module):
    """A variational autoencoder (Kingma and Welling, 2014).

    * **Encoder**: the :class:`Autoencoder`'s convolutions, then two linear
      heads giving, per image, the mean ``mu`` and the log-variance
      ``logvar`` of a diagonal Gaussian ``q(z | x)`` over ``latent``-long
      codes. An image is encoded as a cloud of likely codes, not one point.
    * **Reparameterisation**: ``z = mu + exp(logvar / 2) * eps`` with
      ``eps ~ N(0, I)``, so the sample is a differentiable function of
      ``mu`` and ``logvar`` and gradients reach the encoder.
    * **Decoder**: :class:`Decoder` with the chosen ``method``, mapping ``z``
      to the logits of ``p(x | z)``, independent Bernoulli pixels.
    * **Loss** (:meth:`loss`, the negative evidence lower bound per image):
      reconstruction = binary cross-entropy of ``sigmoid(logits)`` against the
      ``[0, 1]`` image, summed over pixels; plus
      ``KL(q(z|x) || N(0, I)) = -1/2 * sum(1 + logvar - mu^2 - exp(logvar))``.
      The KL term pulls every code cloud towards the standard normal, so
      decoding ``z ~ N(0, I)`` (:meth:`sample`) gives new digits.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    size : int
        Image side.
    latent : int
        Code length.
    channels : int
        Encoder/decoder width ``c``.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import VAE
    >>> logits, mu, logvar = VAE("tconv-k4s2", 16, latent=4)(torch.zeros(2, 1, 16, 16))
    >>> logits.shape, mu.shape, logvar.shape
    (torch.Size([2, 1, 16, 16]), torch.Size([2, 4]), torch.Size([2, 4]))
    """

    def __init__(self, method: str, size: int = 16, latent: int = 8,
                 channels: int = 16) -> None:
        super().__init__()
        size = _check_size("VAE", size)
        self.latent = latent
        self.encode = _encoder(channels)
        features = 2 * channels * (size // 4) ** 2
        self.mu = nn.Linear(features, latent)
        self.logvar = nn.Linear(features, latent)
        self.decode = Decoder(method, size, latent, channels)

    def forward(self, x: torch.Tensor):
        h = self.encode(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z), mu, logvar

    @staticmethod
    def loss(logits, x, mu, logvar) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, KL), each summed over an image and averaged over the batch."""
        n = x.shape[0]
        reconstruction = nn.functional.binary_cross_entropy_with_logits(
            logits, x, reduction="sum") / n
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / n
        return reconstruction, kl

    def sample(self, n: int) -> torch.Tensor:
        """``n`` new images in ``[0, 1]``: the decoder on ``z ~ N(0, I)``."""
        z = torch.randn(n, self.latent)
        return torch.sigmoid(self.decode(z))


class Generator(nn.Module):
    """DCGAN-style generator: noise -> ``(S/4)^2`` map -> x2 -> x2 -> image in [-1, 1].

    :class:`Decoder` with batch norm between the up-sampling blocks, then
    ``tanh``.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import Generator
    >>> Generator("subpixel-icnr", 16, latent=8)(torch.zeros(2, 8)).shape
    torch.Size([2, 1, 16, 16])
    """

    def __init__(self, method: str, size: int = 16, latent: int = 32,
                 channels: int = 32) -> None:
        super().__init__()
        self.latent = latent
        self.decode = Decoder(method, _check_size("Generator", size), latent, channels,
                              batch_norm=True)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.decode(z))


class Discriminator(nn.Module):
    """DCGAN-style discriminator: image in [-1, 1] -> one real/fake logit.

    Two 4x4 stride-2 convolutions (``1 -> c -> 2c``) with LeakyReLU(0.2),
    batch norm after the second, then a linear layer to one logit.

    Examples
    --------
    >>> import torch
    >>> from tconv.train.models import Discriminator
    >>> Discriminator(16)(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 1])
    """

    def __init__(self, size: int = 16, channels: int = 32) -> None:
        super().__init__()
        size = _check_size("Discriminator", size)
        self.net = nn.Sequential(
            nn.Conv2d(1, channels, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(channels, 2 * channels, 4, stride=2, padding=1),
            nn.BatchNorm2d(2 * channels), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * channels * (size // 4) ** 2, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
