"""Real photographs that ship inside installed packages, for the super-resolution demo.

Only files inside the wheels are used, never downloads: scikit-image's
``skimage/data/`` folder holds a few photographs in the wheel itself (others,
fetched by ``pooch`` on first use, are not used here), and scikit-learn ships
two photos (``china.jpg``, ``flower.jpg``). The split is fixed:

* training (:data:`TRAIN`): astronaut, camera, coffee, moon, rocket,
  motorcycle (left view), china;
* held-out (:data:`HELD_OUT`): chelsea (the cat), coins, flower.

Images are read with Pillow, turned into BT.601 luma (``Y`` in ``[16, 235] /
255``, :func:`tconv.train.quality.rgb_to_y`), and cropped to a multiple of 12
pixels (so that x2, x3 and x4 share one high-resolution image). The
low-resolution inputs are made by :func:`downscale`: bicubic with
antialiasing, PyTorch's ``interpolate(..., mode="bicubic", antialias=True)``
(a Keys cubic with ``a = -0.5`` stretched by the scale, like MATLAB's
``imresize`` that the literature uses).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .quality import rgb_to_y

SKIMAGE = {"astronaut": "astronaut.png", "camera": "camera.png", "coffee": "coffee.png",
           "moon": "moon.png", "rocket": "rocket.jpg", "motorcycle": "motorcycle_left.png",
           "chelsea": "chelsea.png", "coins": "coins.png"}
"""Photographs inside scikit-image's wheel (``skimage/data/``), by short name."""

SKLEARN = {"china": "china.jpg", "flower": "flower.jpg"}
"""Photographs inside scikit-learn's wheel (``sklearn/datasets/images/``)."""

TRAIN = ("astronaut", "camera", "coffee", "moon", "rocket", "motorcycle", "china")
"""The training photographs."""

HELD_OUT = ("chelsea", "coins", "flower")
"""The held-out photographs (never trained on)."""

MULTIPLE = 12
"""High-resolution sides are cropped to a multiple of this (lcm of 2, 3 and 4)."""

SCALES = (2, 3, 4)
"""Super-resolution factors the demo supports."""


def package_folder(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        extra = "scikit-image" if package == "skimage" else "scikit-learn"
        message = (f"the photographs need {extra} (package {package!r}), which is not "
                   "installed; install the 'train' extra: pip install \"tconv[train]\"")
        raise FileNotFoundError(message)
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


def photo_path(name: str) -> Path:
    """The file of one bundled photograph (see :data:`SKIMAGE`, :data:`SKLEARN`).

    Raises
    ------
    ValueError
        An unknown name.
    FileNotFoundError
        The package or the file is missing.

    Examples
    --------
    >>> from tconv.train.photos import photo_path
    >>> photo_path("chelsea").name
    'chelsea.png'
    """
    if name in SKIMAGE:
        path = package_folder("skimage", "data", SKIMAGE[name])
    elif name in SKLEARN:
        path = package_folder("sklearn", "datasets", "images", SKLEARN[name])
    else:
        message = (f"photo_path: name={name!r} is not a bundled photograph; valid is one of "
                   f"{', '.join([*SKIMAGE, *SKLEARN])}")
        raise ValueError(message)
    if not path.is_file():
        message = f"the bundled photograph {name!r} is missing: {path} does not exist"
        raise FileNotFoundError(message)
    return path


def load_rgb(path) -> np.ndarray:
    """An image file as ``(H, W, 3)`` float64 RGB in ``[0, 1]`` (grey repeated)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0


def luma(rgb: np.ndarray, multiple: int = MULTIPLE) -> np.ndarray:
    """``(H, W, 3)`` RGB -> ``(H', W')`` float32 BT.601 luma, cropped to a multiple."""
    y = rgb_to_y(rgb)
    height, width = (y.shape[0] // multiple) * multiple, (y.shape[1] // multiple) * multiple
    return y[:height, :width].astype(np.float32)


def load_photos(names=TRAIN) -> dict[str, np.ndarray]:
    """Bundled photographs as luma images, ``{name: (H, W) float32}``.

    Examples
    --------
    >>> from tconv.train.photos import load_photos
    >>> image = load_photos(["chelsea"])["chelsea"]
    >>> image.shape, bool(image.min() >= 16 / 255 - 1e-6 and image.max() <= 235 / 255 + 1e-6)
    ((300, 444), True)
    """
    return {name: luma(load_rgb(photo_path(name))) for name in names}


def downscale(images, scale: int):
    """Bicubic down-sampling with antialiasing by an integer ``scale`` (torch).

    Parameters
    ----------
    images : array_like or torch.Tensor
        ``(H, W)`` or ``(N, C, H, W)`` values, sides divisible by ``scale``.
    scale : int
        One of :data:`SCALES`.

    Returns
    -------
    numpy.ndarray
        The same rank, sides divided by ``scale``, float32 (not clipped).

    Examples
    --------
    >>> import numpy as np
    >>> from tconv.train.photos import downscale
    >>> small = downscale(np.full((12, 24), 0.5), 3)
    >>> small.shape, bool(np.allclose(small, 0.5))
    ((4, 8), True)
    """
    import torch

    check_scale("downscale", scale)
    array = np.asarray(images, dtype=np.float32)
    if array.shape[-1] % scale or array.shape[-2] % scale:
        message = (f"downscale: images of {array.shape[-2]}x{array.shape[-1]} do not divide "
                   f"by scale={scale}")
        raise ValueError(message)
    x = torch.from_numpy(array.reshape((-1, 1) + array.shape[-2:]).copy())
    small = torch.nn.functional.interpolate(x, scale_factor=1.0 / scale, mode="bicubic",
                                            align_corners=False, antialias=True)
    shape = array.shape[:-2] + tuple(small.shape[-2:])
    return small.numpy().reshape(shape)


def check_scale(op: str, scale) -> int:
    """``scale`` if it is one of :data:`SCALES`, else a ValueError naming them."""
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or (
            scale not in SCALES):
        message = (f"{op}: scale={scale!r} is not a supported super-resolution factor; "
                   f"valid is one of {', '.join(map(str, SCALES))}")
        raise ValueError(message)
    return int(scale)


def patches(images: dict[str, np.ndarray], scale: int, size: int, count: int,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` aligned training pairs: low-resolution ``size`` x ``size`` patches and
    their ``size*scale`` high-resolution originals.

    Each image is down-scaled whole (:func:`downscale`), then patches are cut
    at random low-resolution positions ``(i, j)`` and the matching
    high-resolution ``(i*scale, j*scale)``, the images taking turns. The
    positions depend only on ``seed``.

    Returns
    -------
    low : numpy.ndarray
        ``(count, 1, size, size)`` float32.
    high : numpy.ndarray
        ``(count, 1, size*scale, size*scale)`` float32.

    Examples
    --------
    >>> from tconv.train.photos import load_photos, patches
    >>> low, high = patches(load_photos(["camera"]), 3, 8, 5)
    >>> low.shape, high.shape
    ((5, 1, 8, 8), (5, 1, 24, 24))
    """
    scale = check_scale("patches", scale)
    rng = np.random.default_rng(seed)
    names = sorted(images)
    small = {name: downscale(images[name], scale) for name in names}
    low = np.empty((count, 1, size, size), np.float32)
    high = np.empty((count, 1, size * scale, size * scale), np.float32)
    for index in range(count):
        name = names[index % len(names)]
        lr = small[name]
        i = int(rng.integers(0, lr.shape[0] - size + 1))
        j = int(rng.integers(0, lr.shape[1] - size + 1))
        low[index, 0] = lr[i:i + size, j:j + size]
        high[index, 0] = images[name][i * scale:(i + size) * scale, j * scale:(j + size) * scale]
    return low, high
