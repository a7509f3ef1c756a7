"""Training demos: which up-sampling method does what, measured.

Small autoencoders, VAEs and DCGAN-style GANs on handwritten digits whose
decoders (generators) up-sample with a chosen method (:data:`METHODS`: two
transposed convolutions, two resize-convolutions, sub-pixel convolution with
and without ICNR), and a comparison that trains each method with the same
budget and seed and reports reconstruction error, sample grids and a
checkerboard score (:func:`checkerboard_score`).

Two applications on real data measure the same question where it matters
most: super-resolution of bundled photographs (:mod:`~tconv.train.superres`,
PSNR and SSIM on luma) and segmentation of generated scenes
(:mod:`~tconv.train.segment`, mean IoU and boundary IoU), both trained by
one engine (:mod:`~tconv.train.engine`: step or time budgets, checkpoints and
resume, several processes with DistributedDataParallel) and compared over
seeds by :mod:`~tconv.train.report`.

This subpackage imports PyTorch (install the ``train`` extra:
``pip install "tconv[train]"``, which brings torch, scikit-learn,
scikit-image, tqdm, Pillow and matplotlib); ``import tconv`` does not import
it. The command line is ``tconv train
autoencoder|gan|superres|segment|apply|compare``.

Modules: :mod:`~tconv.train.data` (digits loaders), :mod:`~tconv.train.models`,
:mod:`~tconv.train.loop` (digits training), :mod:`~tconv.train.metrics`,
:mod:`~tconv.train.compare`; :mod:`~tconv.train.photos`,
:mod:`~tconv.train.scenes`, :mod:`~tconv.train.quality`,
:mod:`~tconv.train.superres`, :mod:`~tconv.train.segment`,
:mod:`~tconv.train.engine`, :mod:`~tconv.train.report`.
"""

import importlib.util

# A core-only install: say which extra brings what is missing (scikit-learn and
# tqdm are imported only when used, so they are looked up, not imported).
_MISSING = [name for name in ("torch", "sklearn", "tqdm")
            if importlib.util.find_spec(name) is None]
if _MISSING:
    message = (f"tconv.train needs PyTorch, scikit-learn and tqdm (missing: "
               f"{', '.join(_MISSING)}); install them with: pip install 'tconv[train]'")
    raise ModuleNotFoundError(message, name=_MISSING[0])

from .compare import CompareResult, compare
from .data import load_digits, load_mnist, read_idx, resize
from .loop import (
    TrainResult,
    generate,
    reconstruct,
    save_grid,
    train_autoencoder,
    train_gan,
)
from .metrics import checkerboard_score
from .models import (
    METHODS,
    VAE,
    Autoencoder,
    Discriminator,
    Generator,
    upsampling_block,
)

__all__ = [
    "METHODS",
    "VAE",
    "Autoencoder",
    "CompareResult",
    "Discriminator",
    "Generator",
    "TrainResult",
    "checkerboard_score",
    "compare",
    "generate",
    "load_digits",
    "load_mnist",
    "read_idx",
    "reconstruct",
    "resize",
    "save_grid",
    "train_autoencoder",
    "train_gan",
    "upsampling_block",
]
