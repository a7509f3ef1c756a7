"""Generated scenes with exact pixel masks for the segmentation demo (NumPy, scikit-image).

A scene is a grey ``size x size`` image: a background cut from one of
scikit-image's bundled textures (grass, gravel, brick), contrast-reduced to a
random level, with 1 to 4 shapes drawn on it by ``skimage.draw`` (later
shapes cover earlier ones), each filled with a faint texture of its own at a
grey level 0.2 to 0.45 above or below the background's, then Gaussian noise.
The mask holds the class of every pixel exactly (:data:`CLASSES`):
0 background, 1 disk, 2 rectangle, 3 triangle. Brightness does not tell the
classes apart (every class takes the same range of levels), so a model must
use shape.
"""

from __future__ import annotations

import numpy as np

from .photos import load_rgb, package_folder

CLASSES = ("background", "disk", "rectangle", "triangle")
"""Class names by index."""

TEXTURES = ("grass.png", "gravel.png", "brick.png")
"""Bundled scikit-image textures used as backgrounds and fills."""

NOISE = 0.05
"""Standard deviation of the added Gaussian noise."""


def load_textures() -> list[np.ndarray]:
    """The bundled textures as ``(H, W)`` float64 grey in ``[0, 1]``, each scaled to unit spread."""
    textures = []
    for name in TEXTURES:
        path = package_folder("skimage", "data", name)
        if not path.is_file():
            message = f"the bundled texture {name!r} is missing: {path} does not exist"
            raise FileNotFoundError(message)
        grey = load_rgb(path).mean(axis=2)
        textures.append((grey - grey.mean()) / (grey.std() + 1e-12))
    return textures


def _cut(texture: np.ndarray, size: int, rng) -> np.ndarray:
    i = int(rng.integers(0, texture.shape[0] - size + 1))
    j = int(rng.integers(0, texture.shape[1] - size + 1))
    return texture[i:i + size, j:j + size]


def make_scenes(count: int, size: int = 48, seed: int = 0,
                textures=None) -> tuple[np.ndarray, np.ndarray]:
    """``count`` scenes and their masks.

    Parameters
    ----------
    count : int
        Number of scenes.
    size : int
        Side in pixels (>= 16, divisible by 4).
    seed : int
        Fixes everything.
    textures : list of numpy.ndarray, optional
        From :func:`load_textures` (loaded when not given).

    Returns
    -------
    images : numpy.ndarray
        ``(count, 1, size, size)`` float32 (about ``[0, 1]``, not clipped).
    masks : numpy.ndarray
        ``(count, size, size)`` int64 class indices.

    Examples
    --------
    >>> from tconv.train.scenes import make_scenes
    >>> images, masks = make_scenes(3, 32, seed=1)
    >>> images.shape, masks.shape, set(masks.ravel().tolist()) <= {0, 1, 2, 3}
    ((3, 1, 32, 32), (3, 32, 32), True)
    """
    from skimage import draw

    if isinstance(size, bool) or not isinstance(size, int) or size < 16 or size % 4:
        message = f"make_scenes: size={size!r} must be an int >= 16 divisible by 4"
        raise ValueError(message)
    textures = load_textures() if textures is None else textures
    rng = np.random.default_rng(seed)
    images = np.empty((count, 1, size, size), np.float32)
    masks = np.zeros((count, size, size), np.int64)
    shape = (size, size)
    for n in range(count):
        texture = textures[int(rng.integers(len(textures)))]
        level = rng.uniform(0.25, 0.75)
        image = level + rng.uniform(0.03, 0.08) * _cut(texture, size, rng)
        mask = masks[n]
        for _ in range(int(rng.integers(1, 5))):
            kind = int(rng.integers(1, 4))
            extent = rng.uniform(0.25, 0.5) * size
            centre = rng.uniform(0.15 * size, 0.85 * size, 2)
            if kind == 1:
                rows, columns = draw.disk(tuple(centre), extent / 2, shape=shape)
            elif kind == 2:
                half = np.array([extent, rng.uniform(0.5, 1.5) * extent]) / 2
                start = np.round(centre - half).astype(int)
                end = np.round(centre + half).astype(int)
                rows, columns = draw.rectangle(tuple(start), end=tuple(end), shape=shape)
            else:
                angle = rng.uniform(0, 2 * np.pi) + np.array([0, 2, 4]) * np.pi / 3
                rows, columns = draw.polygon(centre[0] + extent * 0.65 * np.sin(angle),
                                             centre[1] + extent * 0.65 * np.cos(angle),
                                             shape=shape)
            rows, columns = np.asarray(rows, int), np.asarray(columns, int)
            fill = textures[int(rng.integers(len(textures)))]
            step = rng.uniform(0.2, 0.45) * rng.choice([-1.0, 1.0])
            pattern = level + step + 0.04 * _cut(fill, size, rng)
            image[rows, columns] = pattern[rows, columns]
            mask[rows, columns] = kind
        images[n, 0] = image + rng.normal(0.0, NOISE, shape)
    return images, masks
